/* quizview: see quizview.h.
 *
 * Structure: the view keeps the learner's unsent inputs for the current
 * question (selected option, ticks, typed text, match choices, order,
 * hotspot point, scenario path). quizview_layout() turns the state into a
 * display list (Items, each owning its TextBlock) and a list of controls;
 * quizview_draw() only walks the display list, so redrawing (scrolling,
 * focus moves) does no text shaping. Every state change sets `dirty`; the
 * next layout rebuilds the list.
 *
 * Ownership: the view owns the Quiz (freed in quizview_free), the display
 * list, the control names, the decoded hotspot image and its texture. The
 * texture belongs to the renderer it was drawn with, so the view must be
 * freed before that renderer is destroyed. */
#include "quizview.h"

#include "field.h"
#include "image.h"
#include "uistrings.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Control ids. Per-element ids are a base plus the element's DISPLAY index
 * (for ordering items: the item's index, not its position), so the host's
 * focus stays on an item while it moves. */
enum {
    ID_ACTION = 1, /* the one main button: check / try again / next / results */
    ID_HINT = 2,
    ID_IMAGE = 3,
    ID_OPTION = 1000,
    ID_FIELD = 2000,
    ID_MATCH = 3000,
    ID_ITEM = 4000,
    ID_UP = 5000,
    ID_DOWN = 6000,
    ID_SPAN = 1000, /* elements per base; more are not given controls */
};

enum { FOCUS_FIRST = -2 }; /* focus request: the first control after layout */

typedef enum Action { ACT_NONE, ACT_CHECK, ACT_RETRY, ACT_NEXT, ACT_RESULTS } Action;

typedef enum Verdict { V_CORRECT, V_PARTLY, V_WRONG } Verdict;

typedef enum ItemKind {
    IT_FILL,   /* rc filled with color */
    IT_FRAME,  /* rc outlined, a = thickness */
    IT_TEXT,   /* tb at rc.x, rc.y */
    IT_BUTTON, /* tb centred; a = disabled, b = secondary style */
    IT_FIELD,  /* fields[a], control id b, s = placeholder */
    IT_MARK,   /* radio (b = 0) or checkbox (b = 1), a = checked */
    IT_BADGE,  /* verdict badge, a = Verdict */
    IT_ARROW,  /* filled triangle, a = 0 left, 1 right, 2 up, 3 down */
    IT_IMAGE,  /* the hotspot image */
    IT_POINT,  /* hotspot marker centred in rc */
    IT_CROSS,  /* keyboard crosshair centred in rc */
} ItemKind;

typedef struct Item {
    ItemKind kind;
    SDL_Rect rc;
    uint32_t color;
    TextBlock *tb; /* owned */
    int a, b;
    const char *s; /* not owned (a UI string) */
} Item;

typedef struct Name {
    char s[32];
} Name;

struct QuizView {
    Quiz *quiz; /* owned */
    Package *pkg;
    char *lang; /* owned */
    QuizEventFn on_event;
    void *ud;

    int cur;      /* current question (display index) */
    bool results; /* on the results screen */
    char *error;  /* owned: a script error, shown instead of the quiz */

    /* The current question's inputs, all owned; reset by open_question(). */
    int sel;     /* choice, truefalse, scenario step: selected option or -1 */
    bool *ticks; /* multi */
    int n_ticks;
    TextField *fields; /* numeric/text: 1; blanks: one per gap */
    int n_fields;
    int *match; /* right display index per left item, -1 = none yet */
    int n_match;
    int *order; /* item display index at each position */
    int n_order;
    double px, py, cx, cy; /* hotspot point and crosshair, fractions of the image */
    bool has_point;
    Image img;
    bool img_ok;
    char *img_problem; /* owned: why the picture is not shown */
    SDL_Texture *tex;  /* owned, made on draw for tex_r */
    SDL_Renderer *tex_r;
    int tex_w, tex_h;
    char **path; /* scenario: the steps taken, one line each, owned */
    int n_path;
    bool show_fb; /* feedback of the last answer is shown */
    bool show_hint;
    bool answered_here; /* answered in this view, so the inputs show the answer */
    Verdict verdict;
    char *note; /* owned: an input problem ("not a number"), or NULL */
    int focus_req;

    /* Layout cache. */
    bool dirty;
    TextEngine *te;
    int width;
    float scale;
    const Theme *th;
    int height;
    Item *items;
    int n_items, cap_items;
    QuizControl *ctls;
    Name *names;
    int n_ctls, cap_ctls;
    SDL_Rect img_rc; /* where the hotspot image is, column coordinates */
    Buf resp;        /* the response text of the last event */
};

/* ---- small helpers ---- */

static const QuizQuestion *cur_q(QuizView *v)
{
    return v->results ? NULL : quiz_question(v->quiz, v->cur);
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t') return false;
    return true;
}

/* True while the learner may change the current answer. */
static bool editable(QuizView *v)
{
    const QuizQuestion *q = cur_q(v);
    if (!q || v->error || v->show_fb || q->locked) return false;
    if (q->type == QUIZ_SCENARIO && q->finished) return false;
    return true;
}

static void set_error(QuizView *v, const char *msg)
{
    free(v->error);
    v->error = xstrdup(msg && *msg ? msg : "the quiz script failed");
    v->dirty = true;
}

static void free_inputs(QuizView *v)
{
    free(v->ticks);
    free(v->fields);
    free(v->match);
    free(v->order);
    for (int i = 0; i < v->n_path; i++)
        free(v->path[i]);
    free(v->path);
    if (v->tex) SDL_DestroyTexture(v->tex);
    image_free(&v->img);
    free(v->img_problem);
    free(v->note);
    v->ticks = NULL, v->fields = NULL, v->match = NULL, v->order = NULL, v->path = NULL;
    v->n_ticks = v->n_fields = v->n_match = v->n_order = v->n_path = 0;
    v->tex = NULL, v->tex_r = NULL, v->img_problem = NULL, v->note = NULL;
    v->img_ok = false;
}

static Verdict verdict_of(double score)
{
    return score >= 1 - 1e-9 ? V_CORRECT : score > 0 ? V_PARTLY : V_WRONG;
}

static void load_image(QuizView *v, const char *name)
{
    Error err = {{0}};
    char *data = NULL;
    size_t len = 0;
    if (!v->pkg) {
        v->img_problem = xstrdup(name);
        return;
    }
    if (package_read(v->pkg, name, &data, &len, &err) &&
        image_decode(name, data, len, &v->img, &err) && v->img.w > 0 && v->img.h > 0) {
        v->img_ok = true;
    } else {
        image_free(&v->img);
        v->img_problem = xstrdup(err.msg[0] ? err.msg : name);
    }
    free(data);
}

/* Sets up the inputs for question i (already answered ones show their
 * feedback, e.g. after quiz_restore). */
static void open_question(QuizView *v, int i)
{
    free_inputs(v);
    v->cur = i;
    v->sel = -1;
    v->show_fb = false;
    v->show_hint = false;
    v->answered_here = false;
    v->has_point = false;
    v->px = v->py = v->cx = v->cy = 0.5;
    const QuizQuestion *q = quiz_question(v->quiz, i);
    if (!q) return;
    if (!q->locked) {
        /* The script may react to the question being shown. */
        Error err = {{0}};
        if (!quiz_next(v->quiz, i, &err)) set_error(v, err.msg);
        q = quiz_question(v->quiz, i);
    }
    switch (q->type) {
    case QUIZ_MULTI:
        v->n_ticks = q->n_options;
        v->ticks = xcalloc((size_t)v->n_ticks + 1, sizeof *v->ticks);
        break;
    case QUIZ_NUMERIC:
    case QUIZ_TEXT:
        v->n_fields = 1;
        v->fields = xcalloc(1, sizeof *v->fields);
        break;
    case QUIZ_BLANKS:
        v->n_fields = q->n_blanks;
        v->fields = xcalloc((size_t)v->n_fields + 1, sizeof *v->fields);
        break;
    case QUIZ_MATCH:
        v->n_match = q->n_left;
        v->match = xmalloc(sizeof *v->match * ((size_t)v->n_match + 1));
        for (int l = 0; l < v->n_match; l++)
            v->match[l] = -1;
        break;
    case QUIZ_ORDER:
        v->n_order = q->n_items;
        v->order = xmalloc(sizeof *v->order * ((size_t)v->n_order + 1));
        for (int k = 0; k < v->n_order; k++)
            v->order[k] = k;
        break;
    case QUIZ_HOTSPOT:
        if (q->image) load_image(v, q->image);
        break;
    default:
        break;
    }
    bool done = q->locked || (q->type == QUIZ_SCENARIO && q->finished);
    if (done) {
        v->show_fb = true;
        v->verdict = verdict_of(q->score);
    }
    v->focus_req = FOCUS_FIRST;
    v->dirty = true;
}

static int first_open_question(Quiz *quiz)
{
    for (int i = 0; i < quiz_count(quiz); i++) {
        const QuizQuestion *q = quiz_question(quiz, i);
        if (q && !q->locked && !(q->type == QUIZ_SCENARIO && q->finished)) return i;
    }
    return -1;
}

QuizView *quizview_new(Quiz *quiz, Package *pkg, const char *lang, QuizEventFn on_event, void *ud)
{
    QuizView *v = xcalloc(1, sizeof *v);
    v->quiz = quiz;
    v->pkg = pkg;
    v->lang = xstrdup(lang ? lang : "en");
    v->on_event = on_event;
    v->ud = ud;
    v->dirty = true;
    v->focus_req = -1;
    /* Continue where the learner stopped; a finished quiz opens on its
     * results (without a FINISHED event: nothing new happened). */
    int i = quiz ? first_open_question(quiz) : -1;
    if (!quiz || quiz_count(quiz) == 0)
        v->results = true;
    else if (i < 0)
        v->results = true;
    else
        open_question(v, i);
    return v;
}

static void clear_layout(QuizView *v)
{
    for (int i = 0; i < v->n_items; i++)
        text_block_free(v->items[i].tb);
    v->n_items = 0;
    v->n_ctls = 0;
}

void quizview_free(QuizView *v)
{
    if (!v) return;
    clear_layout(v);
    free(v->items);
    free(v->ctls);
    free(v->names);
    free_inputs(v);
    buf_free(&v->resp);
    free(v->error);
    free(v->lang);
    quiz_free(v->quiz);
    free(v);
}

Quiz *quizview_quiz(QuizView *v)
{
    return v->quiz;
}
const char *quizview_error(QuizView *v)
{
    return v->error;
}

int quizview_focus_request(QuizView *v)
{
    int id = v->focus_req;
    v->focus_req = -1;
    return id < 0 ? -1 : id;
}

bool quizview_on_results(QuizView *v)
{
    return v->results;
}
int quizview_current(QuizView *v)
{
    return v->results ? -1 : v->cur;
}

/* ---- answering ---- */

static bool ready(QuizView *v)
{
    const QuizQuestion *q = cur_q(v);
    if (!q || !editable(v)) return false;
    switch (q->type) {
    case QUIZ_CHOICE:
    case QUIZ_TRUEFALSE:
    case QUIZ_SCENARIO:
        return v->sel >= 0 && v->sel < q->n_options;
    case QUIZ_MULTI:
        for (int i = 0; i < v->n_ticks; i++)
            if (v->ticks[i]) return true;
        return false;
    case QUIZ_NUMERIC:
    case QUIZ_TEXT:
        return v->n_fields > 0 && !blank(v->fields[0].text);
    case QUIZ_BLANKS:
        for (int i = 0; i < v->n_fields; i++)
            if (!blank(v->fields[i].text)) return true;
        return false;
    case QUIZ_MATCH:
        for (int l = 0; l < v->n_match; l++)
            if (v->match[l] < 0) return false;
        return v->n_match > 0;
    case QUIZ_ORDER:
        return v->n_order > 0;
    case QUIZ_HOTSPOT:
        return v->has_point;
    }
    return false;
}

static void emit(QuizView *v, QuizEventKind kind, const QuizResult *res, const char *interaction)
{
    if (!v->on_event) return;
    QuizEvent ev = {.kind = kind,
                    .question = v->cur,
                    .q = kind == QUIZ_EVENT_ANSWERED ? quiz_question(v->quiz, v->cur) : NULL,
                    .response = buf_cstr(&v->resp),
                    .interaction = interaction,
                    .score = quiz_score(v->quiz)};
    if (res) ev.result = *res;
    v->on_event(v->ud, &ev);
}

/* Joins parts with xAPI's "[,]" separator into v->resp. */
static void resp_part(QuizView *v, const char *s)
{
    if (v->resp.len) buf_puts(&v->resp, "[,]");
    buf_puts(&v->resp, s ? s : "");
}

static void add_path(QuizView *v, const char *step, const char *choice, const char *feedback)
{
    Buf b = {0};
    if (step && *step) buf_printf(&b, "%s \u2192 ", step);
    buf_puts(&b, choice ? choice : "");
    if (feedback && *feedback) buf_printf(&b, " (%s)", feedback);
    v->path = xrealloc(v->path, sizeof *v->path * ((size_t)v->n_path + 1));
    v->path[v->n_path++] = buf_take(&b);
}

/* Sends the current inputs to the quiz. */
static bool check(QuizView *v)
{
    const QuizQuestion *q = cur_q(v);
    if (!q || !ready(v)) return false;
    QuizResult res = {0};
    Error err = {{0}};
    bool ok = false;
    const char *interaction = "other";
    int i = v->cur;
    v->resp.len = 0;
    free(v->note);
    v->note = NULL;
    /* Texts needed after the answer, copied now: the quiz replaces the
     * question's strings when it is answered. */
    char *step = NULL, *choice = NULL;
    switch (q->type) {
    case QUIZ_CHOICE:
        interaction = "choice";
        resp_part(v, q->options[v->sel]);
        ok = quiz_answer_choice(v->quiz, i, v->sel, &res, &err);
        break;
    case QUIZ_TRUEFALSE:
        interaction = "true-false";
        resp_part(v, v->sel == 0 ? "true" : "false");
        ok = quiz_answer_bool(v->quiz, i, v->sel == 0, &res, &err);
        break;
    case QUIZ_MULTI: {
        interaction = "choice";
        int *opts = xmalloc(sizeof *opts * ((size_t)v->n_ticks + 1)), n = 0;
        for (int k = 0; k < v->n_ticks; k++)
            if (v->ticks[k]) {
                opts[n++] = k;
                resp_part(v, q->options[k]);
            }
        ok = quiz_answer_multi(v->quiz, i, opts, n, &res, &err);
        free(opts);
        break;
    }
    case QUIZ_NUMERIC:
    case QUIZ_TEXT:
        interaction = q->type == QUIZ_NUMERIC ? "numeric" : "fill-in";
        /* Numeric text goes through quiz_answer_text too: the quiz reads
         * "1 234,5", full-width and Thai digits and the unit (see quiz.h). */
        ok = quiz_answer_text(v->quiz, i, v->fields[0].text, &res, &err);
        if (ok && q->type == QUIZ_NUMERIC) {
            const QuizQuestion *a = quiz_question(v->quiz, i);
            char *end = NULL;
            double x = a->your_answer ? strtod(a->your_answer, &end) : 0;
            if (end && end != a->your_answer)
                buf_printf(&v->resp, "%.15g", x);
            else
                buf_puts(&v->resp, v->fields[0].text);
        } else {
            buf_puts(&v->resp, v->fields[0].text);
        }
        if (!ok && q->type == QUIZ_NUMERIC && strstr(err.msg, "is not a number")) {
            /* Refused without using a try: tell the learner, not the author. */
            v->note = str_printf(STR_QUIZ_NOT_A_NUMBER, v->fields[0].text);
            v->dirty = true;
            return true;
        }
        break;
    case QUIZ_BLANKS: {
        interaction = "fill-in";
        const char **texts = xmalloc(sizeof *texts * ((size_t)v->n_fields + 1));
        for (int k = 0; k < v->n_fields; k++) {
            texts[k] = v->fields[k].text;
            resp_part(v, texts[k]);
        }
        ok = quiz_answer_blanks(v->quiz, i, texts, v->n_fields, &res, &err);
        free(texts);
        break;
    }
    case QUIZ_MATCH:
        interaction = "matching";
        for (int l = 0; l < v->n_match; l++) {
            if (v->resp.len) buf_puts(&v->resp, "[,]");
            buf_printf(&v->resp, "%s[.]%s", q->left[l], q->right[v->match[l]]);
        }
        ok = quiz_answer_match(v->quiz, i, v->match, v->n_match, &res, &err);
        break;
    case QUIZ_ORDER:
        interaction = "sequencing";
        for (int k = 0; k < v->n_order; k++)
            resp_part(v, q->items[v->order[k]]);
        ok = quiz_answer_order(v->quiz, i, v->order, v->n_order, &res, &err);
        break;
    case QUIZ_HOTSPOT: {
        double x = v->px, y = v->py;
        if (!q->fractions && v->img_ok) {
            x *= v->img.w;
            y *= v->img.h;
        }
        buf_printf(&v->resp, "%.6g[,]%.6g", x, y);
        ok = quiz_answer_point(v->quiz, i, x, y, &res, &err);
        break;
    }
    case QUIZ_SCENARIO:
        interaction = "choice";
        step = xstrdup(q->step_text ? q->step_text : "");
        choice = xstrdup(q->options[v->sel]);
        resp_part(v, choice);
        ok = quiz_answer_scenario(v->quiz, i, v->sel, &res, &err);
        break;
    }
    if (!ok) {
        set_error(v, err.msg);
        free(step);
        free(choice);
        return true;
    }
    if (step) {
        add_path(v, step, choice, res.done ? NULL : res.feedback);
        free(step);
        free(choice);
        v->sel = -1;
        if (!res.done) v->focus_req = FOCUS_FIRST; /* the next step's options */
    }
    if (res.done) {
        v->show_fb = true;
        v->verdict = res.correct ? V_CORRECT : verdict_of(res.score);
        v->show_hint = false;
    }
    v->answered_here = true;
    v->dirty = true;
    emit(v, QUIZ_EVENT_ANSWERED, &res, interaction);
    return true;
}

static void go_next(QuizView *v)
{
    if (v->cur + 1 < quiz_count(v->quiz)) {
        open_question(v, v->cur + 1);
        return;
    }
    free_inputs(v);
    v->results = true;
    v->dirty = true;
    v->focus_req = FOCUS_FIRST;
    v->resp.len = 0;
    emit(v, QUIZ_EVENT_FINISHED, NULL, NULL);
}

/* What the main button does now. */
static Action current_action(QuizView *v)
{
    const QuizQuestion *q = cur_q(v);
    if (!q || v->error) return ACT_NONE;
    if (!v->show_fb) return ACT_CHECK;
    bool done = q->locked || (q->type == QUIZ_SCENARIO && q->finished);
    if (!done) return ACT_RETRY;
    return v->cur + 1 >= quiz_count(v->quiz) ? ACT_RESULTS : ACT_NEXT;
}

static bool do_action(QuizView *v)
{
    switch (current_action(v)) {
    case ACT_CHECK:
        return check(v);
    case ACT_RETRY:
        v->show_fb = false;
        v->dirty = true;
        v->focus_req = FOCUS_FIRST;
        return true;
    case ACT_NEXT:
    case ACT_RESULTS:
        go_next(v);
        return true;
    case ACT_NONE:
        break;
    }
    return false;
}

/* ---- layout ---- */

typedef struct Ctx {
    QuizView *v;
    TextEngine *te;
    const Theme *th;
    float s;
    int W, y;
    int body, ui, title; /* font sizes in pixels */
} Ctx;

static int P(const Ctx *c, float v)
{
    int r = (int)(v * c->s + 0.5f);
    return r < 1 && v > 0 ? 1 : r;
}

static int add_item(Ctx *c, ItemKind kind, SDL_Rect rc, uint32_t color)
{
    QuizView *v = c->v;
    if (v->n_items == v->cap_items) {
        v->cap_items = v->cap_items ? v->cap_items * 2 : 64;
        v->items = xrealloc(v->items, sizeof *v->items * (size_t)v->cap_items);
    }
    v->items[v->n_items] = (Item){.kind = kind, .rc = rc, .color = color};
    return v->n_items++;
}

static void add_ctl(Ctx *c, int id, SDL_Rect rc, bool text_input, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void add_ctl(Ctx *c, int id, SDL_Rect rc, bool text_input, const char *fmt, ...)
{
    QuizView *v = c->v;
    if (v->n_ctls == v->cap_ctls) {
        v->cap_ctls = v->cap_ctls ? v->cap_ctls * 2 : 32;
        v->ctls = xrealloc(v->ctls, sizeof *v->ctls * (size_t)v->cap_ctls);
        v->names = xrealloc(v->names, sizeof *v->names * (size_t)v->cap_ctls);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->names[v->n_ctls].s, sizeof v->names[v->n_ctls].s, fmt, ap);
    va_end(ap);
    v->ctls[v->n_ctls] = (QuizControl){.id = id, .rc = rc, .text_input = text_input};
    v->n_ctls++;
}

static bool dark(const Theme *th)
{
    uint32_t b = th->bg;
    return ((b >> 24) & 0xFF) + ((b >> 16) & 0xFF) + ((b >> 8) & 0xFF) < 3 * 128;
}

/* The theme has no success/warning colours; these match its two variants
 * (dark green / amber on white, bright on black). */
static uint32_t verdict_color(const Theme *th, Verdict vd)
{
    switch (vd) {
    case V_CORRECT:
        return dark(th) ? 0x66FF66FF : 0x1A7F37FF;
    case V_PARTLY:
        return dark(th) ? 0xFFD700FF : 0x9A6700FF;
    case V_WRONG:
        break;
    }
    return th->error_accent;
}

static uint32_t verdict_bg(const Theme *th, Verdict vd)
{
    if (dark(th)) return th->bg;
    switch (vd) {
    case V_CORRECT:
        return 0xEEF8F0FF;
    case V_PARTLY:
        return 0xFFF8E5FF;
    case V_WRONG:
        break;
    }
    return th->error_bg;
}

typedef struct Span2 {
    const char *text;
    unsigned style;
    uint32_t color;
} Span2;

/* Lays out up to 8 spans at one size; ui: text in the UI language. */
static TextBlock *lay(Ctx *c, const Span2 *sp, int n, int size, int maxw, bool ui, int align)
{
    TextSpan spans[8];
    int k = 0;
    for (int i = 0; i < n && k < 8; i++) {
        if (!sp[i].text || !*sp[i].text) continue;
        spans[k++] = (TextSpan){.text = sp[i].text,
                                .len = strlen(sp[i].text),
                                .style = sp[i].style,
                                .size_px = size,
                                .color = sp[i].color};
    }
    if (k == 0)
        spans[k++] = (TextSpan){.text = " ", .len = 1, .size_px = size, .color = c->th->text};
    /* maxw 0: one line, no wrapping; a column narrower than a word still
     * gets a positive width so the engine breaks the word. */
    TextLayoutOptions o = {.max_width = maxw == 0  ? 0
                                        : maxw > 0 ? maxw
                                                   : 1,
                           .lang = ui ? NULL : c->v->lang,
                           .align = align};
    return text_layout(c->te, spans, k, &o);
}

static TextBlock *lay1(Ctx *c, const char *s, unsigned style, uint32_t color, int size, int maxw,
                       bool ui)
{
    Span2 sp = {s, style, color};
    return lay(c, &sp, 1, size, maxw, ui, TEXT_ALIGN_LEFT);
}

/* Places a laid-out block; returns its height. */
static int put(Ctx *c, TextBlock *tb, int x, int y)
{
    int i = add_item(c, IT_TEXT, (SDL_Rect){x, y, tb->width, tb->height}, 0);
    c->v->items[i].tb = tb;
    return tb->height;
}

/* A paragraph across the column at c->y, then a gap. */
static void para(Ctx *c, const char *s, unsigned style, uint32_t color, int size, bool ui, int gap)
{
    if (!s || !*s) return;
    c->y += put(c, lay1(c, s, style, color, size, c->W, ui), 0, c->y) + P(c, (float)gap);
}

/* Buttons flow left to right and wrap. */
typedef struct Row {
    int x, h;
    bool any;
} Row;

static void button(Ctx *c, Row *row, int id, const char *name, const char *label, bool disabled,
                   bool secondary)
{
    int pad = P(c, 16), bh = P(c, 42);
    /* On a dark theme a disabled button is an outline with grey text:
     * yellow on grey would be hard to read. */
    uint32_t tc = secondary                 ? c->th->text
                  : disabled && dark(c->th) ? c->th->button_disabled
                                            : c->th->button_text;
    TextBlock *tb = lay1(c, label, TEXT_BOLD, tc, c->ui, c->W - 2 * pad, true);
    int w = tb->width + 2 * pad;
    if (w < P(c, 120)) w = P(c, 120);
    if (w > c->W) w = c->W;
    int h = tb->height + P(c, 12) > bh ? tb->height + P(c, 12) : bh;
    if (row->any && row->x + w > c->W) {
        c->y += row->h + P(c, 10);
        row->x = 0;
        row->h = 0;
    }
    SDL_Rect rc = {row->x, c->y, w, h};
    int i = add_item(c, IT_BUTTON, rc, 0);
    c->v->items[i].tb = tb;
    c->v->items[i].a = disabled;
    c->v->items[i].b = secondary;
    if (!disabled) add_ctl(c, id, rc, false, "%s", name);
    row->x += w + P(c, 12);
    if (h > row->h) row->h = h;
    row->any = true;
}

static void row_end(Ctx *c, Row *row, int gap)
{
    if (row->any) c->y += row->h + P(c, (float)gap);
    *row = (Row){0};
}

/* One option row with a radio or checkbox mark. */
static void option_row(Ctx *c, int id, int n, const char *text, bool on, bool checkbox,
                       bool enabled)
{
    const Theme *th = c->th;
    int pad = P(c, 10), mark = P(c, 20), tx = pad + mark + P(c, 12);
    TextBlock *tb = lay1(c, text, 0, th->text, c->body, c->W - tx - pad, false);
    int minh = P(c, 44);
    int h = tb->height + 2 * pad > minh ? tb->height + 2 * pad : minh;
    SDL_Rect rc = {0, c->y, c->W, h};
    add_item(c, IT_FILL, rc, on ? th->sidebar_current : th->bg);
    int fr = add_item(c, IT_FRAME, rc, on ? th->link : th->table_border);
    c->v->items[fr].a = on ? P(c, 2) : P(c, 1);
    int ty = c->y + (h - tb->height) / 2;
    int line_h = tb->n_lines > 0 ? tb->height / tb->n_lines : tb->height;
    int m = add_item(c, IT_MARK, (SDL_Rect){pad, ty + (line_h - mark) / 2, mark, mark},
                     on ? th->link : th->muted);
    c->v->items[m].a = on;
    c->v->items[m].b = checkbox;
    put(c, tb, tx, ty);
    if (enabled) add_ctl(c, id, rc, false, "option %d", n);
    c->y += h + P(c, 6);
}

static void field_item(Ctx *c, SDL_Rect rc, int k, const char *placeholder, int n)
{
    int i = add_item(c, IT_FIELD, rc, 0);
    c->v->items[i].a = k;
    c->v->items[i].b = ID_FIELD + k;
    c->v->items[i].s = placeholder;
    if (editable(c->v)) add_ctl(c, ID_FIELD + k, rc, true, "field %d", n);
}

static void lay_match(Ctx *c, const QuizQuestion *q, bool ed)
{
    const Theme *th = c->th;
    bool wide = c->W >= P(c, 480);
    int gap = P(c, 12), pad = P(c, 10), arrow = P(c, 10);
    int lw = wide ? (c->W - gap) * 2 / 5 : c->W;
    int cx = wide ? lw + gap : 0, cw = c->W - cx;
    for (int l = 0; l < q->n_left && l < ID_SPAN; l++) {
        TextBlock *lt = lay1(c, q->left[l], TEXT_BOLD, th->text, c->body, lw, false);
        int top = c->y;
        if (!wide) {
            c->y += put(c, lt, 0, c->y) + P(c, 4);
        }
        int r = l < c->v->n_match ? c->v->match[l] : -1;
        const char *shown = r >= 0 && r < q->n_right ? q->right[r] : str(STR_QUIZ_MATCH_CHOOSE);
        TextBlock *rt = lay1(c, shown, r >= 0 ? 0 : TEXT_ITALIC, r >= 0 ? th->text : th->muted,
                             c->body, cw - 2 * (pad + arrow + pad), r < 0);
        int h = rt->height + 2 * pad;
        if (h < P(c, 44)) h = P(c, 44);
        if (wide && lt->height + 2 * pad > h) h = lt->height + 2 * pad;
        SDL_Rect rc = {cx, c->y, cw, h};
        if (wide) put(c, lt, 0, top + (h - lt->height) / 2);
        add_item(c, IT_FILL, rc, r >= 0 ? th->sidebar_current : th->bg);
        int fr = add_item(c, IT_FRAME, rc, r >= 0 ? th->link : th->table_border);
        c->v->items[fr].a = P(c, 1);
        if (ed) {
            int a = add_item(c, IT_ARROW,
                             (SDL_Rect){cx + pad, c->y + (h - arrow * 2) / 2, arrow, arrow * 2},
                             th->muted);
            c->v->items[a].a = 0;
            a = add_item(
                c, IT_ARROW,
                (SDL_Rect){cx + cw - pad - arrow, c->y + (h - arrow * 2) / 2, arrow, arrow * 2},
                th->muted);
            c->v->items[a].a = 1;
        }
        put(c, rt, cx + pad + arrow + pad, c->y + (h - rt->height) / 2);
        if (ed) add_ctl(c, ID_MATCH + l, rc, false, "match %d", l + 1);
        c->y += h + P(c, 10);
    }
}

static void lay_order(Ctx *c, const QuizQuestion *q, bool ed)
{
    const Theme *th = c->th;
    int pad = P(c, 10), bw = P(c, 44), gap = P(c, 6);
    bool words = c->W >= P(c, 520);
    TextBlock *up_l = NULL, *down_l = NULL;
    int n = c->v->n_order;
    for (int k = 0; k < n && k < ID_SPAN; k++) {
        int it = c->v->order[k];
        char num[16];
        snprintf(num, sizeof num, "%d.", k + 1);
        int btns = 0;
        if (ed) {
            if (words) {
                up_l = lay1(c, str(STR_QUIZ_MOVE_UP), 0, th->text, c->ui, 0, true);
                down_l = lay1(c, str(STR_QUIZ_MOVE_DOWN), 0, th->text, c->ui, 0, true);
                /* pad, arrow (16), gap (8), label, pad */
                bw = (up_l->width > down_l->width ? up_l->width : down_l->width) + 2 * pad +
                     P(c, 24);
            }
            btns = 2 * (bw + gap);
        }
        TextBlock *nt = lay1(c, num, TEXT_BOLD, th->muted, c->body, 0, true);
        int nx = pad, tx = pad + P(c, 36);
        TextBlock *tb = lay1(c, q->items[it], 0, th->text, c->body, c->W - tx - pad - btns, false);
        int h = tb->height + 2 * pad;
        if (h < P(c, 48)) h = P(c, 48);
        int rw = c->W - btns;
        SDL_Rect rc = {0, c->y, rw, h};
        add_item(c, IT_FILL, rc, th->table_alt_bg);
        int fr = add_item(c, IT_FRAME, rc, th->table_border);
        c->v->items[fr].a = P(c, 1);
        put(c, nt, nx, c->y + (h - nt->height) / 2);
        put(c, tb, tx, c->y + (h - tb->height) / 2);
        if (ed) add_ctl(c, ID_ITEM + it, rc, false, "item %d", k + 1);
        for (int d = 0; d < 2 && ed; d++) {
            bool down = d == 1;
            SDL_Rect b = {rw + gap + d * (bw + gap), c->y + (h - P(c, 40)) / 2, bw, P(c, 40)};
            bool can = down ? k + 1 < n : k > 0;
            int bi = add_item(c, IT_BUTTON, b, 0);
            c->v->items[bi].a = !can;
            c->v->items[bi].b = 1;
            int ah = P(c, 8);
            SDL_Rect ar = {b.x + pad, b.y + (b.h - ah) / 2, ah * 2, ah};
            if (!words) ar.x = b.x + (b.w - ah * 2) / 2;
            int ai = add_item(c, IT_ARROW, ar, can ? th->text : th->muted);
            c->v->items[ai].a = down ? 3 : 2;
            if (words) {
                TextBlock *lbl = down ? down_l : up_l;
                if (down)
                    down_l = NULL;
                else
                    up_l = NULL;
                put(c, lbl, ar.x + ar.w + P(c, 8), b.y + (b.h - lbl->height) / 2);
            }
            if (can)
                add_ctl(c, (down ? ID_DOWN : ID_UP) + it, b, false, down ? "down %d" : "up %d",
                        k + 1);
        }
        text_block_free(up_l);
        text_block_free(down_l);
        up_l = down_l = NULL;
        c->y += h + P(c, 8);
    }
}

static void lay_blanks(Ctx *c, const QuizQuestion *q, bool ed)
{
    const Theme *th = c->th;
    /* The sentence, with what was typed shown in each gap. */
    int n = q->n_blanks;
    TextSpan *sp = xmalloc(sizeof *sp * (size_t)(2 * n + 2));
    char **own = xcalloc((size_t)n + 1, sizeof *own);
    int k = 0;
    for (int g = 0; g <= n; g++) {
        const char *seg = q->segments && q->segments[g] ? q->segments[g] : "";
        if (*seg) sp[k++] = (TextSpan){seg, strlen(seg), 0, c->body, th->text, 0};
        if (g == n) break;
        const char *typed = g < c->v->n_fields ? c->v->fields[g].text : "";
        if (!blank(typed))
            own[g] = xasprintf("[%s]", typed);
        else
            own[g] = xasprintf("[%d: ______]", g + 1);
        sp[k++] = (TextSpan){own[g],
                             strlen(own[g]),
                             blank(typed) ? 0u : (unsigned)TEXT_BOLD,
                             c->body,
                             blank(typed) ? th->muted : th->link,
                             0};
    }
    TextLayoutOptions o = {.max_width = c->W, .lang = c->v->lang};
    TextBlock *tb = text_layout(c->te, sp, k, &o);
    c->y += put(c, tb, 0, c->y) + P(c, 14);
    for (int g = 0; g < n; g++)
        free(own[g]);
    free(own);
    free(sp);
    /* One labelled field per gap, with the words just before it so the
     * learner knows which gap it is. */
    for (int g = 0; g < n && g < ID_SPAN; g++) {
        char *label = str_printf(STR_QUIZ_GAP, g + 1);
        TextBlock *lt = lay1(c, label, TEXT_BOLD, th->text, c->ui, c->W, true);
        free(label);
        c->y += put(c, lt, 0, c->y) + P(c, 4);
        int fw = c->W < P(c, 420) ? c->W : P(c, 420);
        field_item(c, (SDL_Rect){0, c->y, fw, P(c, 44)}, g, str(STR_QUIZ_TYPE_ANSWER), g + 1);
        c->y += P(c, 44) + P(c, 10);
    }
    (void)ed;
}

static void lay_hotspot(Ctx *c, const QuizQuestion *q, bool ed)
{
    QuizView *v = c->v;
    const Theme *th = c->th;
    int w, h;
    if (v->img_ok) {
        w = (int)(v->img.w * c->s);
        if (w > c->W) w = c->W;
        if (w < 1) w = 1;
        h = (int)((double)w * v->img.h / v->img.w + 0.5);
        int maxh = P(c, 900);
        if (h > maxh) {
            h = maxh;
            w = (int)((double)h * v->img.w / v->img.h + 0.5);
        }
    } else {
        w = c->W;
        h = w * 3 / 4 < P(c, 300) ? w * 3 / 4 : P(c, 300);
    }
    if (h < 1) h = 1;
    SDL_Rect rc = {0, c->y, w, h};
    v->img_rc = rc;
    if (v->img_ok) {
        add_item(c, IT_IMAGE, rc, 0);
    } else {
        add_item(c, IT_FILL, rc, th->image_missing_bg);
        char *msg = str_printf(STR_IMAGE_MISSING,
                               v->img_problem ? v->img_problem : (q->image ? q->image : "?"));
        TextBlock *tb = lay1(c, msg, TEXT_ITALIC, th->error_text, c->ui, w - P(c, 20), true);
        free(msg);
        put(c, tb, P(c, 10), c->y + P(c, 10));
    }
    int fr = add_item(c, IT_FRAME, rc, th->table_border);
    v->items[fr].a = P(c, 1);
    int r = P(c, 11);
    if (ed && (!v->has_point || fabs(v->cx - v->px) > 1e-9 || fabs(v->cy - v->py) > 1e-9)) {
        int x = rc.x + (int)(v->cx * w), y = rc.y + (int)(v->cy * h);
        add_item(c, IT_CROSS, (SDL_Rect){x - 2 * r, y - 2 * r, 4 * r, 4 * r}, th->text);
    }
    if (v->has_point) {
        int x = rc.x + (int)(v->px * w), y = rc.y + (int)(v->py * h);
        add_item(c, IT_POINT, (SDL_Rect){x - r, y - r, 2 * r, 2 * r}, th->link);
    }
    if (ed) add_ctl(c, ID_IMAGE, rc, false, "image");
    c->y += h + P(c, 10);
}

/* The quiz kit starts feedback with "Correct.", "Not quite." or "Partly
 * correct (N%)." unless the author set their own; the box's title already
 * says that, so the repeat is dropped. Returns a pointer into s. */
static const char *feedback_body(const char *s, Verdict vd)
{
    if (!s) return "";
    const char *p = s;
    if (vd == V_CORRECT && strncmp(p, "Correct.", 8) == 0)
        p += 8;
    else if (vd == V_WRONG && strncmp(p, "Not quite.", 10) == 0)
        p += 10;
    else if (vd == V_PARTLY && strncmp(p, "Partly correct (", 16) == 0) {
        const char *e = strstr(p, "%).");
        if (e) p = e + 3;
    }
    if (p != s && *p && *p != ' ') return s; /* not the kit's sentence after all */
    while (*p == ' ')
        p++;
    return p;
}

/* The learner's answer as text. The kit gives none for a true/false
 * question answered "false" (its view tests `last and ...`), so for that
 * type it is worked out from the score: right means the correct label. */
static const char *your_answer(const QuizQuestion *q)
{
    if (q->your_answer || q->type != QUIZ_TRUEFALSE || !q->answered || q->n_options < 2)
        return q->your_answer;
    /* Right: some score, or locked before the tries ran out (a penalty
     * may have taken the score to 0). */
    bool right = q->score > 1e-9 || (q->locked && q->tries < q->max_tries);
    const char *other = strcmp(q->options[0], q->correct_answer ? q->correct_answer : "") == 0
                            ? q->options[1]
                            : q->options[0];
    return right ? q->correct_answer : other;
}

/* The feedback box after an answer. */
static void lay_feedback(Ctx *c, const QuizQuestion *q)
{
    const Theme *th = c->th;
    QuizView *v = c->v;
    Verdict vd = v->verdict;
    int pad = P(c, 14), badge = P(c, 26), tx = pad + badge + P(c, 12);
    int tw = c->W - tx - pad;
    int top = c->y;
    int bg = add_item(c, IT_FILL, (SDL_Rect){0, top, c->W, 0}, verdict_bg(th, vd));
    int bar = add_item(c, IT_FILL, (SDL_Rect){0, top, P(c, 5), 0}, verdict_color(th, vd));
    int fr = add_item(c, IT_FRAME, (SDL_Rect){0, top, c->W, 0}, verdict_color(th, vd));
    v->items[fr].a = P(c, 1);
    int bd = add_item(c, IT_BADGE, (SDL_Rect){pad, top + pad, badge, badge}, verdict_color(th, vd));
    v->items[bd].a = vd;
    StrId title = vd == V_CORRECT  ? STR_QUIZ_CORRECT
                  : vd == V_PARTLY ? STR_QUIZ_PARTLY
                                   : STR_QUIZ_WRONG;
    int y = top + pad;
    TextBlock *tt = lay1(c, str(title), TEXT_BOLD, verdict_color(th, vd), c->body, tw, true);
    y += put(c, tt, tx, y + (badge - tt->height) / 2 > y ? y + (badge - tt->height) / 2 : y) +
         P(c, 8);
    const char *fb = feedback_body(q->feedback, vd);
    if (*fb) y += put(c, lay1(c, fb, 0, th->text, c->body, tw, false), tx, y) + P(c, 8);
    bool done = q->locked || (q->type == QUIZ_SCENARIO && q->finished);
    if (!done && q->max_tries > q->tries) {
        char *s = str_printf(STR_QUIZ_TRIES_LEFT, q->max_tries - q->tries);
        y += put(c, lay1(c, s, TEXT_ITALIC, th->text, c->ui, tw, true), tx, y) + P(c, 8);
        free(s);
    }
    /* After a restore the inputs are empty, so say what was answered. */
    const char *ya = your_answer(q);
    /* Hotspots too: the region's name says what the point was taken for. */
    if (done && (!v->answered_here || q->type == QUIZ_HOTSPOT) && ya && q->type != QUIZ_SCENARIO) {
        Span2 sp[2] = {{str(STR_QUIZ_YOUR_ANSWER), TEXT_BOLD, th->text}, {ya, 0, th->text}};
        y += put(c, lay(c, sp, 2, c->body, tw, false, TEXT_ALIGN_LEFT), tx, y) + P(c, 8);
    }
    if (done && vd != V_CORRECT && q->correct_answer && *q->correct_answer) {
        Span2 sp[2] = {{str(STR_QUIZ_CORRECT_ANSWER), TEXT_BOLD, th->text},
                       {q->correct_answer, 0, th->text}};
        y += put(c, lay(c, sp, 2, c->body, tw, false, TEXT_ALIGN_LEFT), tx, y) + P(c, 8);
    }
    if (done && q->explain && *q->explain) {
        Span2 sp[2] = {{str(STR_QUIZ_EXPLANATION), TEXT_BOLD, th->text}, {q->explain, 0, th->text}};
        y += put(c, lay(c, sp, 2, c->body, tw, false, TEXT_ALIGN_LEFT), tx, y) + P(c, 8);
    }
    int h = y - top + pad - P(c, 8);
    if (h < badge + 2 * pad) h = badge + 2 * pad;
    v->items[bg].rc.h = h;
    v->items[bar].rc.h = h;
    v->items[fr].rc.h = h;
    c->y = top + h + P(c, 14);
}

static const char *type_help(const QuizQuestion *q)
{
    switch (q->type) {
    case QUIZ_MULTI:
        return str(STR_QUIZ_HELP_MULTI);
    case QUIZ_MATCH:
        return str(STR_QUIZ_HELP_MATCH);
    case QUIZ_ORDER:
        return str(STR_QUIZ_HELP_ORDER);
    case QUIZ_HOTSPOT:
        return str(STR_QUIZ_HELP_HOTSPOT);
    case QUIZ_BLANKS:
        return str(STR_QUIZ_HELP_BLANKS);
    default:
        return NULL;
    }
}

static void lay_question(Ctx *c)
{
    QuizView *v = c->v;
    const Theme *th = c->th;
    const QuizQuestion *q = cur_q(v);
    if (!q) return;
    bool ed = editable(v);
    char *of = str_printf(STR_QUIZ_QUESTION_OF, v->cur + 1, quiz_count(v->quiz));
    para(c, of, TEXT_BOLD, th->muted, c->ui, true, 6);
    free(of);
    if (v->cur == 0) para(c, quiz_intro(v->quiz), TEXT_ITALIC, th->text, c->body, false, 10);
    if (q->note) para(c, q->note, TEXT_ITALIC, th->heading, c->body, false, 8);
    para(c, q->prompt, TEXT_BOLD, th->text, c->body, false, 10);
    if (ed)
        para(c, type_help(q), TEXT_ITALIC, th->muted, c->ui, true, 10);
    else
        c->y += P(c, 4);

    switch (q->type) {
    case QUIZ_CHOICE:
    case QUIZ_TRUEFALSE:
        for (int i = 0; i < q->n_options && i < ID_SPAN; i++)
            option_row(c, ID_OPTION + i, i + 1, q->options[i], v->sel == i, false, ed);
        break;
    case QUIZ_MULTI:
        for (int i = 0; i < q->n_options && i < ID_SPAN && i < v->n_ticks; i++)
            option_row(c, ID_OPTION + i, i + 1, q->options[i], v->ticks[i], true, ed);
        break;
    case QUIZ_NUMERIC:
    case QUIZ_TEXT: {
        int fw = q->type == QUIZ_NUMERIC ? P(c, 260) : P(c, 480);
        if (fw > c->W) fw = c->W;
        field_item(c, (SDL_Rect){0, c->y, fw, P(c, 44)}, 0,
                   str(q->type == QUIZ_NUMERIC ? STR_QUIZ_TYPE_NUMBER : STR_QUIZ_TYPE_ANSWER), 1);
        int fy = c->y;
        c->y += P(c, 44) + P(c, 10);
        if (q->unit && *q->unit) {
            /* The unit right of the field, or under it on a narrow column. */
            TextBlock *ut = lay1(c, q->unit, TEXT_BOLD, th->text, c->body, 0, false);
            if (fw + P(c, 10) + ut->width <= c->W)
                put(c, ut, fw + P(c, 10), fy + (P(c, 44) - ut->height) / 2);
            else
                c->y += put(c, ut, 0, c->y) + P(c, 10);
        }
        break;
    }
    case QUIZ_MATCH:
        lay_match(c, q, ed);
        break;
    case QUIZ_ORDER:
        lay_order(c, q, ed);
        break;
    case QUIZ_BLANKS:
        lay_blanks(c, q, ed);
        break;
    case QUIZ_HOTSPOT:
        lay_hotspot(c, q, ed);
        break;
    case QUIZ_SCENARIO:
        if (v->n_path) {
            para(c, str(STR_QUIZ_PATH), TEXT_BOLD, th->muted, c->ui, true, 4);
            for (int i = 0; i < v->n_path; i++) {
                char num[16];
                snprintf(num, sizeof num, "%d. ", i + 1);
                Span2 sp[2] = {{num, TEXT_BOLD, th->muted}, {v->path[i], 0, th->muted}};
                TextBlock *tb = lay(c, sp, 2, c->ui, c->W - P(c, 12), false, TEXT_ALIGN_LEFT);
                c->y += put(c, tb, P(c, 12), c->y) + P(c, 4);
            }
            c->y += P(c, 8);
        }
        para(c, q->step_text, q->finished ? TEXT_ITALIC : 0, th->text, c->body, false, 10);
        if (!q->finished)
            for (int i = 0; i < q->n_options && i < ID_SPAN; i++)
                option_row(c, ID_OPTION + i, i + 1, q->options[i], v->sel == i, false, ed);
        break;
    }

    if (v->note) para(c, v->note, TEXT_BOLD, th->error_accent, c->ui, true, 10);
    if (v->show_hint && q->hint && !v->show_fb) {
        Span2 sp[2] = {{str(STR_QUIZ_HINT), TEXT_BOLD, th->text}, {q->hint, 0, th->text}};
        TextBlock *tb = lay(c, sp, 2, c->body, c->W - P(c, 24), false, TEXT_ALIGN_LEFT);
        SDL_Rect rc = {0, c->y, c->W, tb->height + P(c, 20)};
        add_item(c, IT_FILL, rc, th->quote_bg);
        add_item(c, IT_FILL, (SDL_Rect){0, c->y, P(c, 4), rc.h}, th->quote_bar);
        put(c, tb, P(c, 14), c->y + P(c, 10));
        c->y += rc.h + P(c, 12);
    }

    Row row = {0};
    c->y += P(c, 6);
    if (v->show_fb) {
        lay_feedback(c, q);
        Action act = current_action(v);
        StrId lbl = act == ACT_RETRY     ? STR_QUIZ_TRY_AGAIN
                    : act == ACT_RESULTS ? STR_QUIZ_SEE_RESULTS
                                         : STR_QUIZ_NEXT;
        const char *name = act == ACT_RETRY ? "retry" : act == ACT_RESULTS ? "results" : "next";
        button(c, &row, ID_ACTION, name, str(lbl), false, false);
    } else {
        if (q->hint && *q->hint)
            button(c, &row, ID_HINT, "hint",
                   str(v->show_hint ? STR_QUIZ_HIDE_HINT : STR_QUIZ_SHOW_HINT), false, true);
        bool ok = ready(v);
        button(c, &row, ID_ACTION, "check",
               str(q->type == QUIZ_SCENARIO ? STR_QUIZ_CONTINUE : STR_QUIZ_CHECK), !ok, false);
    }
    row_end(c, &row, 10);
}

/* The prompt as shown in the review; blanks have none, so show the sentence
 * with its gaps. Returns a heap string the caller frees. */
static char *review_prompt(const QuizQuestion *q)
{
    if (q->type != QUIZ_BLANKS || (q->prompt && *q->prompt))
        return xstrdup(q->prompt ? q->prompt : "");
    Buf b = {0};
    for (int g = 0; g <= q->n_blanks; g++) {
        buf_puts(&b, q->segments && q->segments[g] ? q->segments[g] : "");
        if (g < q->n_blanks) buf_puts(&b, "_____");
    }
    return buf_take(&b);
}

static void lay_results(Ctx *c)
{
    QuizView *v = c->v;
    const Theme *th = c->th;
    QuizScore sc = quiz_score(v->quiz);
    para(c, str(STR_QUIZ_RESULTS), TEXT_BOLD, th->heading, c->title, true, 10);
    char raw[32], max[32];
    snprintf(raw, sizeof raw, "%.4g", sc.raw);
    snprintf(max, sizeof max, "%.4g", sc.max);
    int pct = sc.scaled >= 0 && sc.scaled <= 1 ? (int)floor(sc.scaled * 100 + 0.5) : 0;
    char *s = str_printf(STR_QUIZ_SCORE, raw, max, pct);
    para(c, s, TEXT_BOLD, th->text, c->body, true, 8);
    free(s);
    int mark = (int)floor(quiz_pass_mark(v->quiz) * 100 + 0.5);
    Verdict pv = sc.passed ? V_CORRECT : V_WRONG;
    int badge = P(c, 26);
    int bd = add_item(c, IT_BADGE, (SDL_Rect){0, c->y, badge, badge}, verdict_color(th, pv));
    v->items[bd].a = pv;
    s = str_printf(sc.passed ? STR_QUIZ_PASSED : STR_QUIZ_NOT_PASSED, mark);
    TextBlock *tb =
        lay1(c, s, TEXT_BOLD, verdict_color(th, pv), c->body, c->W - badge - P(c, 12), true);
    free(s);
    int h = tb->height > badge ? tb->height : badge;
    put(c, tb, badge + P(c, 12), c->y + (badge > tb->height ? (badge - tb->height) / 2 : 0));
    c->y += h + P(c, 12);
    para(c, quiz_finished_message(v->quiz), 0, th->text, c->body, false, 12);
    if (sc.answered < sc.total) {
        s = str_printf(STR_QUIZ_UNANSWERED, sc.total - sc.answered);
        para(c, s, TEXT_ITALIC, th->muted, c->ui, true, 12);
        free(s);
    }
    para(c, str(STR_QUIZ_REVIEW), TEXT_BOLD, th->heading, c->body, true, 10);

    int pad = P(c, 14), tx = pad + badge + P(c, 12), tw = c->W - tx - pad;
    for (int i = 0; i < quiz_count(v->quiz); i++) {
        const QuizQuestion *q = quiz_question(v->quiz, i);
        if (!q) continue;
        bool answered = q->answered;
        Verdict vd = verdict_of(q->score);
        int top = c->y;
        int fr = add_item(c, IT_FRAME, (SDL_Rect){0, top, c->W, 0}, th->table_border);
        v->items[fr].a = P(c, 1);
        int b2 = add_item(c, IT_BADGE, (SDL_Rect){pad, top + pad, badge, badge},
                          verdict_color(th, answered ? vd : V_WRONG));
        v->items[b2].a = answered ? vd : V_WRONG;
        char *head = str_printf(STR_QUIZ_REVIEW_HEAD, i + 1,
                                str(!answered         ? STR_QUIZ_NOT_ANSWERED
                                    : vd == V_CORRECT ? STR_QUIZ_CORRECT
                                    : vd == V_PARTLY  ? STR_QUIZ_PARTLY
                                                      : STR_QUIZ_WRONG));
        int y = top + pad;
        TextBlock *ht =
            lay1(c, head, TEXT_BOLD, answered ? verdict_color(th, vd) : th->muted, c->ui, tw, true);
        free(head);
        y += put(c, ht, tx, y + (badge > ht->height ? (badge - ht->height) / 2 : 0)) + P(c, 8);
        if (badge > ht->height) y += (badge - ht->height) / 2;
        char *pr = review_prompt(q);
        if (*pr) y += put(c, lay1(c, pr, 0, th->text, c->body, tw, false), tx, y) + P(c, 8);
        free(pr);
        const char *yours = your_answer(q);
        Span2 ya[2] = {{str(STR_QUIZ_YOUR_ANSWER), TEXT_BOLD, th->text},
                       {yours ? yours : str(STR_QUIZ_NOT_ANSWERED),
                        yours ? 0u : (unsigned)TEXT_ITALIC, th->text}};
        y += put(c, lay(c, ya, 2, c->body, tw, false, TEXT_ALIGN_LEFT), tx, y) + P(c, 6);
        if (q->correct_answer && *q->correct_answer) {
            Span2 ca[2] = {{str(STR_QUIZ_CORRECT_ANSWER), TEXT_BOLD, th->text},
                           {q->correct_answer, 0, th->text}};
            y += put(c, lay(c, ca, 2, c->body, tw, false, TEXT_ALIGN_LEFT), tx, y) + P(c, 6);
        }
        if (q->explain && *q->explain) {
            Span2 ex[2] = {{str(STR_QUIZ_EXPLANATION), TEXT_BOLD, th->muted},
                           {q->explain, 0, th->muted}};
            y += put(c, lay(c, ex, 2, c->body, tw, false, TEXT_ALIGN_LEFT), tx, y) + P(c, 6);
        }
        int h = y - top + pad - P(c, 6);
        v->items[fr].rc.h = h;
        c->y = top + h + P(c, 10);
    }
}

/* Splits "file.lua:12: message" for the error panel; false if the message
 * does not start that way. */
static bool error_where(const char *msg, char *file, size_t fn, int *line)
{
    const char *p = strstr(msg, ".lua:");
    if (!p) return false;
    size_t n = (size_t)(p - msg) + 4;
    if (n >= fn || strchr(msg, ' ') < p + 4) return false;
    char *end;
    long l = strtol(p + 5, &end, 10);
    if (end == p + 5 || *end != ':') return false;
    memcpy(file, msg, n);
    file[n] = 0;
    *line = (int)l;
    return true;
}

static void lay_error(Ctx *c)
{
    QuizView *v = c->v;
    const Theme *th = c->th;
    int pad = P(c, 16), top = c->y;
    int bg = add_item(c, IT_FILL, (SDL_Rect){0, top, c->W, 0}, th->error_bg);
    int bar = add_item(c, IT_FILL, (SDL_Rect){0, top, P(c, 5), 0}, th->error_accent);
    int tw = c->W - 2 * pad;
    int y = top + pad;
    y += put(c, lay1(c, str(STR_QUIZ_ERROR_TITLE), TEXT_BOLD, th->error_text, c->body, tw, true),
             pad, y) +
         P(c, 8);
    char file[256];
    int line = 0;
    if (error_where(v->error, file, sizeof file, &line)) {
        char *s = str_printf(STR_QUIZ_ERROR_WHERE, file, line);
        y += put(c, lay1(c, s, TEXT_BOLD, th->error_text, c->ui, tw, true), pad, y) + P(c, 6);
        free(s);
    }
    y += put(c, lay1(c, v->error, TEXT_MONO, th->error_text, c->ui, tw, true), pad, y) + P(c, 8);
    y += put(c, lay1(c, str(STR_QUIZ_ERROR_HELP), 0, th->error_text, c->ui, tw, true), pad, y);
    int h = y - top + pad;
    v->items[bg].rc.h = h;
    v->items[bar].rc.h = h;
    c->y = top + h + P(c, 10);
}

int quizview_layout(QuizView *v, TextEngine *te, int width, float scale, const Theme *th)
{
    if (!v->quiz || !te || !th) return 0;
    if (width < 1) width = 1;
    if (!(scale > 0)) scale = 1;
    if (!v->dirty && te == v->te && width == v->width && scale == v->scale && th == v->th)
        return v->height;
    clear_layout(v);
    v->te = te, v->width = width, v->scale = scale, v->th = th;
    v->img_rc = (SDL_Rect){0, 0, 0, 0};
    Ctx c = {.v = v, .te = te, .th = th, .s = scale, .W = width};
    c.body = P(&c, THEME_BODY_PX);
    c.ui = P(&c, THEME_UI_PX);
    c.title = P(&c, THEME_BODY_PX * 1.3f);
    c.y = P(&c, 4);
    para(&c, quiz_title(v->quiz), TEXT_BOLD, th->heading, c.title, false, 8);
    if (v->error)
        lay_error(&c);
    else if (v->results)
        lay_results(&c);
    else
        lay_question(&c);
    v->height = c.y + P(&c, 8);
    for (int i = 0; i < v->n_ctls; i++)
        v->ctls[i].name = v->names[i].s;
    if (v->focus_req == FOCUS_FIRST) v->focus_req = v->n_ctls ? v->ctls[0].id : -1;
    v->dirty = false;
    return v->height;
}

int quizview_controls(QuizView *v, const QuizControl **out)
{
    *out = v->ctls;
    return v->n_ctls;
}

/* ---- drawing ---- */

static void fill_circle(const Render *rd, int cx, int cy, int r, uint32_t color)
{
    render_color(rd, color);
    for (int dy = -r; dy <= r; dy++) {
        int dx = (int)sqrt((r + 0.5) * (r + 0.5) - (double)dy * dy);
        SDL_RenderDrawLine(rd->r, cx - dx, cy + dy, cx + dx, cy + dy);
    }
}

static void thick_line(const Render *rd, int x0, int y0, int x1, int y1, int t)
{
    for (int i = -t / 2; i <= t / 2; i++)
        for (int j = -t / 2; j <= t / 2; j++)
            SDL_RenderDrawLine(rd->r, x0 + i, y0 + j, x1 + i, y1 + j);
}

static void draw_symbol(const Render *rd, SDL_Rect rc, Verdict vd, uint32_t color, int t)
{
    render_color(rd, color);
    int x = rc.x, y = rc.y, w = rc.w, h = rc.h;
    if (vd == V_CORRECT) {
        thick_line(rd, x + w * 22 / 100, y + h * 52 / 100, x + w * 42 / 100, y + h * 72 / 100, t);
        thick_line(rd, x + w * 42 / 100, y + h * 72 / 100, x + w * 78 / 100, y + h * 30 / 100, t);
    } else if (vd == V_WRONG) {
        thick_line(rd, x + w * 30 / 100, y + h * 30 / 100, x + w * 70 / 100, y + h * 70 / 100, t);
        thick_line(rd, x + w * 70 / 100, y + h * 30 / 100, x + w * 30 / 100, y + h * 70 / 100, t);
    } else {
        thick_line(rd, x + w * 28 / 100, y + h / 2, x + w * 72 / 100, y + h / 2, t);
    }
}

static void draw_arrow(const Render *rd, SDL_Rect rc, int dir, uint32_t color)
{
    render_color(rd, color);
    if (dir <= 1) {                      /* left/right: rc is w wide, h tall */
        for (int i = 0; i < rc.w; i++) { /* the tip at the side it points to */
            int half = (rc.h / 2) * (i + 1) / rc.w;
            int x = dir == 0 ? rc.x + i : rc.x + rc.w - 1 - i;
            SDL_RenderDrawLine(rd->r, x, rc.y + rc.h / 2 - half, x, rc.y + rc.h / 2 + half);
        }
    } else {
        for (int j = 0; j < rc.h; j++) {
            int half = (rc.w / 2) * (j + 1) / rc.h;
            int y = dir == 2 ? rc.y + j : rc.y + rc.h - 1 - j;
            SDL_RenderDrawLine(rd->r, rc.x + rc.w / 2 - half, y, rc.x + rc.w / 2 + half, y);
        }
    }
}

static void draw_image(QuizView *v, const Render *rd, SDL_Rect dst)
{
    if (!v->img_ok) return;
    if (!v->tex || v->tex_r != rd->r || v->tex_w != dst.w || v->tex_h != dst.h) {
        if (v->tex) SDL_DestroyTexture(v->tex);
        v->tex = NULL;
        SDL_Surface *s = image_surface(&v->img, dst.w, dst.h);
        if (s) v->tex = SDL_CreateTextureFromSurface(rd->r, s);
        v->tex_r = rd->r, v->tex_w = dst.w, v->tex_h = dst.h;
    }
    if (v->tex) SDL_RenderCopy(rd->r, v->tex, NULL, &dst);
}

void quizview_draw(QuizView *v, const Render *rd, int x, int y, SDL_Rect clip, int focus_id)
{
    const Theme *th = v->th ? v->th : rd->th;
    SDL_Rect old_clip;
    SDL_RenderGetClipRect(rd->r, &old_clip);
    bool had_clip = SDL_RenderIsClipEnabled(rd->r);
    for (int i = 0; i < v->n_items; i++) {
        const Item *it = &v->items[i];
        SDL_Rect rc = {it->rc.x + x, it->rc.y + y, it->rc.w, it->rc.h};
        if (rc.y > clip.y + clip.h || rc.y + rc.h < clip.y) continue;
        switch (it->kind) {
        case IT_FILL:
            render_fill(rd, rc, it->color);
            break;
        case IT_FRAME:
            render_frame(rd, rc, it->color, it->a > 0 ? it->a : 1);
            break;
        case IT_TEXT:
            text_draw_block(rd->te, it->tb, rc.x, rc.y);
            break;
        case IT_BUTTON:
            if (it->b) { /* secondary: quiet, so the main action stands out */
                render_fill(rd, rc, th->code_bg);
                render_frame(rd, rc, it->a ? th->rule : th->table_border, render_px(rd, 1));
            } else if (it->a && dark(th)) {
                render_fill(rd, rc, th->bg);
                render_frame(rd, rc, th->button_disabled, render_px(rd, 1));
            } else {
                render_fill(rd, rc, it->a ? th->button_disabled : th->button_bg);
                render_frame(rd, rc, th->bar_border, render_px(rd, 1));
            }
            if (it->tb)
                text_draw_block(rd->te, it->tb, rc.x + (rc.w - it->tb->width) / 2,
                                rc.y + (rc.h - it->tb->height) / 2);
            break;
        case IT_FIELD: {
            if (it->a < 0 || it->a >= v->n_fields) break;
            SDL_Rect cl = rc;
            SDL_IntersectRect(&rc, &clip, &cl);
            SDL_RenderSetClipRect(rd->r, &cl);
            field_draw(rd, &v->fields[it->a], rc, it->s, focus_id == it->b && editable(v));
            SDL_RenderSetClipRect(rd->r, had_clip ? &old_clip : NULL);
            break;
        }
        case IT_MARK: {
            int t = render_px(rd, 2);
            if (it->b) {
                render_fill(rd, rc, it->a ? it->color : th->bg);
                render_frame(rd, rc, it->color, t);
                if (it->a) draw_symbol(rd, rc, V_CORRECT, th->bg, t);
            } else {
                int r = rc.w / 2;
                fill_circle(rd, rc.x + r, rc.y + r, r, it->color);
                fill_circle(rd, rc.x + r, rc.y + r, r - t, th->bg);
                if (it->a) fill_circle(rd, rc.x + r, rc.y + r, r / 2, it->color);
            }
            break;
        }
        case IT_BADGE: {
            int r = rc.w / 2;
            fill_circle(rd, rc.x + r, rc.y + r, r, it->color);
            draw_symbol(rd, rc, (Verdict)it->a, th->bg, render_px(rd, 3));
            break;
        }
        case IT_ARROW:
            draw_arrow(rd, rc, it->a, it->color);
            break;
        case IT_IMAGE:
            draw_image(v, rd, rc);
            break;
        case IT_POINT: {
            int r = rc.w / 2, cx = rc.x + r, cy = rc.y + r, t = render_px(rd, 3);
            /* A target of fixed colours (white, black, yellow), not the
             * theme's: it sits on the picture, so it must stand out from
             * any colour in it. */
            fill_circle(rd, cx, cy, r + t, 0xFFFFFFFF);
            fill_circle(rd, cx, cy, r, 0x000000FF);
            fill_circle(rd, cx, cy, r - t, 0xFFD400FF);
            fill_circle(rd, cx, cy, r / 4 + 1, 0x000000FF);
            break;
        }
        case IT_CROSS: {
            int cx = rc.x + rc.w / 2, cy = rc.y + rc.h / 2, t = render_px(rd, 2);
            render_color(rd, th->bg);
            thick_line(rd, rc.x, cy, rc.x + rc.w, cy, t + 2);
            thick_line(rd, cx, rc.y, cx, rc.y + rc.h, t + 2);
            render_color(rd, it->color);
            thick_line(rd, rc.x, cy, rc.x + rc.w, cy, t);
            thick_line(rd, cx, rc.y, cx, rc.y + rc.h, t);
            break;
        }
        }
    }
}

/* ---- input ---- */

static bool set_point(QuizView *v, double fx, double fy)
{
    fx = fx < 0 ? 0 : fx > 1 ? 1 : fx;
    fy = fy < 0 ? 0 : fy > 1 ? 1 : fy;
    v->px = v->cx = fx;
    v->py = v->cy = fy;
    v->has_point = true;
    v->dirty = true;
    return true;
}

static bool move_item(QuizView *v, int item, int delta)
{
    for (int k = 0; k < v->n_order; k++) {
        if (v->order[k] != item) continue;
        int to = k + delta;
        if (to < 0 || to >= v->n_order) return false;
        v->order[k] = v->order[to];
        v->order[to] = item;
        v->dirty = true;
        return true;
    }
    return false;
}

static bool cycle_match(QuizView *v, int l, int delta)
{
    const QuizQuestion *q = cur_q(v);
    if (!q || l < 0 || l >= v->n_match || q->n_right <= 0) return false;
    int r = v->match[l];
    if (r < 0)
        r = delta > 0 ? 0 : q->n_right - 1;
    else
        r = (r + delta + q->n_right) % q->n_right;
    v->match[l] = r;
    v->dirty = true;
    return true;
}

bool quizview_activate(QuizView *v, int id)
{
    if (v->error || !v->quiz) return false;
    if (id == ID_ACTION) return do_action(v);
    const QuizQuestion *q = cur_q(v);
    if (!q) return false;
    if (id == ID_HINT) {
        if (!q->hint) return false;
        v->show_hint = !v->show_hint;
        v->dirty = true;
        return true;
    }
    if (!editable(v)) return false;
    int base = id / ID_SPAN * ID_SPAN, k = id - base;
    if (id == ID_IMAGE) {
        if (q->type != QUIZ_HOTSPOT) return false;
        return set_point(v, v->cx, v->cy); /* Enter: mark at the crosshair */
    }
    switch (base) {
    case ID_OPTION:
        if (k >= q->n_options) return false;
        if (q->type == QUIZ_MULTI && k < v->n_ticks)
            v->ticks[k] = !v->ticks[k];
        else if (q->type == QUIZ_CHOICE || q->type == QUIZ_TRUEFALSE || q->type == QUIZ_SCENARIO)
            v->sel = k;
        else
            return false;
        v->dirty = true;
        return true;
    case ID_FIELD:
        /* Enter in a field: next gap, or check when the answer is complete. */
        if (k >= v->n_fields) return false;
        if (q->type == QUIZ_BLANKS && k + 1 < v->n_fields) {
            v->focus_req = ID_FIELD + k + 1;
            return true;
        }
        if (ready(v)) {
            if (check(v)) {
                if (v->focus_req < 0) v->focus_req = ID_ACTION;
                return true;
            }
        }
        return false;
    case ID_MATCH:
        return cycle_match(v, k, 1);
    case ID_UP:
    case ID_DOWN: {
        int delta = base == ID_UP ? -1 : 1;
        if (!move_item(v, k, delta)) return false;
        /* At the end of the list the button just pressed disappears: keep
         * the focus on the item itself. */
        int end = delta < 0 ? 0 : v->n_order - 1;
        if (v->order[end] == k) v->focus_req = ID_ITEM + k;
        return true;
    }
    default:
        return false;
    }
}

bool quizview_click(QuizView *v, int px, int py)
{
    const QuizQuestion *q = cur_q(v);
    if (!q || q->type != QUIZ_HOTSPOT || !editable(v)) return false;
    SDL_Rect rc = v->img_rc;
    if (rc.w <= 0 || rc.h <= 0 || !rect_contains(rc, px, py)) return false;
    return set_point(v, (px - rc.x + 0.5) / rc.w, (py - rc.y + 0.5) / rc.h);
}

bool quizview_key(QuizView *v, int id, const SDL_KeyboardEvent *k)
{
    if (v->error || !k || k->type != SDL_KEYDOWN) return false;
    const QuizQuestion *q = cur_q(v);
    if (!q || !editable(v)) return false;
    SDL_Keycode sym = k->keysym.sym;
    int base = id / ID_SPAN * ID_SPAN, n = id - base;
    bool up = sym == SDLK_UP, down = sym == SDLK_DOWN, left = sym == SDLK_LEFT,
         right = sym == SDLK_RIGHT;
    if (id == ID_IMAGE) {
        if (!(up || down || left || right)) return false;
        /* 2% of the picture per press, 10% with Shift. */
        double step = (k->keysym.mod & KMOD_SHIFT) ? 0.10 : 0.02;
        v->cx += left ? -step : right ? step : 0;
        v->cy += up ? -step : down ? step : 0;
        v->cx = v->cx < 0 ? 0 : v->cx > 1 ? 1 : v->cx;
        v->cy = v->cy < 0 ? 0 : v->cy > 1 ? 1 : v->cy;
        v->dirty = true;
        return true;
    }
    switch (base) {
    case ID_OPTION:
        /* Arrow keys walk a group of options, as in most toolkits; a radio
         * group also selects. */
        if (!(up || down)) return false;
        if (n + (down ? 1 : -1) < 0 || n + (down ? 1 : -1) >= q->n_options) return true;
        n += down ? 1 : -1;
        if (q->type != QUIZ_MULTI) v->sel = n;
        v->focus_req = ID_OPTION + n;
        v->dirty = true;
        return true;
    case ID_FIELD: {
        if (n >= v->n_fields || sym != SDLK_BACKSPACE) return false;
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.key = *k;
        ev.type = SDL_KEYDOWN;
        if (field_handle_event(&v->fields[n], &ev)) {
            free(v->note);
            v->note = NULL;
            v->dirty = true;
        }
        return true; /* never let Backspace in a field reach the host */
    }
    case ID_MATCH:
        if (!(left || right)) return false;
        return cycle_match(v, n, right ? 1 : -1);
    case ID_ITEM:
        if (!(up || down)) return false;
        move_item(v, n, up ? -1 : 1);
        return true;
    default:
        return false;
    }
}

bool quizview_text(QuizView *v, int id, const SDL_Event *ev)
{
    if (v->error || !ev || !editable(v)) return false;
    int base = id / ID_SPAN * ID_SPAN, n = id - base;
    if (base != ID_FIELD || n >= v->n_fields) return false;
    if (ev->type != SDL_TEXTINPUT && ev->type != SDL_TEXTEDITING) return false;
    if (!field_handle_event(&v->fields[n], ev)) return false;
    if (ev->type == SDL_TEXTINPUT) {
        free(v->note);
        v->note = NULL;
    }
    v->dirty = true;
    return true;
}
