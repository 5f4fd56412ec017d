/* The quiz view: every question type answered right and wrong through the
 * view's own API (controls by name, synthetic text and key events), the
 * events it reports, the results screen, script errors, layout at many
 * widths and scales, and screenshots of each type in both themes (written
 * to the build directory for a person to look at).
 * usage: test_quizview OUT_DIR */
#include "quizview.h"
#include "testlib.h"

#include <SDL2/SDL_image.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

static TextEngine *te;
static SDL_Surface *canvas;
static SDL_Renderer *renderer;
static const char *out_dir = ".";
static Package *pkg;

static int match_rows[16];
static int match_for_q = -1; /* question the rows belong to; reset by open_view */

#define CANVAS_W 1300
#define CANVAS_H 7000

/* ---- events ---- */

typedef struct Rec {
    int n_answered, n_finished;
    QuizEventKind kind;
    QuizResult result;
    char response[512];
    char interaction[32];
    char feedback[512];
    QuizScore score;
} Rec;

static void on_event(void *ud, const QuizEvent *ev)
{
    Rec *r = ud;
    r->kind = ev->kind;
    r->score = ev->score;
    if (ev->kind == QUIZ_EVENT_FINISHED) {
        r->n_finished++;
        return;
    }
    r->n_answered++;
    r->result = ev->result;
    snprintf(r->response, sizeof r->response, "%s", ev->response ? ev->response : "(null)");
    snprintf(r->interaction, sizeof r->interaction, "%s",
             ev->interaction ? ev->interaction : "(null)");
    snprintf(r->feedback, sizeof r->feedback, "%s", ev->result.feedback ? ev->result.feedback : "");
    r->result.feedback = NULL; /* owned by the quiz; the copy above is kept */
}

/* ---- helpers ---- */

static char *read_source(const char *rel)
{
    const char *root = getenv("OUTPOST_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    char *data;
    Error e;
    if (!file_read_all(path, 1 << 20, &data, NULL, &e)) {
        fprintf(stderr, "  %s\n", e.msg);
        return NULL;
    }
    return data;
}

static QuizView *open_view(const char *src, uint64_t seed, Rec *rec)
{
    Error e;
    Quiz *q = quiz_load("quizzes/check.lua", src, strlen(src), seed, NULL, &e);
    if (!q) {
        fprintf(stderr, "  load failed: %s\n", e.msg);
        return NULL;
    }
    memset(rec, 0, sizeof *rec);
    match_for_q = -1;
    return quizview_new(q, pkg, "en", on_event, rec);
}

static int W = 760;
static float SCALE = 1;
static bool HC = false;

static int lay(QuizView *v)
{
    return quizview_layout(v, te, W, SCALE, theme_get(HC));
}

static const QuizControl *find(QuizView *v, const char *name)
{
    lay(v);
    const QuizControl *c;
    int n = quizview_controls(v, &c);
    for (int i = 0; i < n; i++)
        if (strcmp(c[i].name, name) == 0) return &c[i];
    return NULL;
}

static bool has(QuizView *v, const char *name)
{
    return find(v, name) != NULL;
}

static bool act(QuizView *v, const char *name)
{
    const QuizControl *c = find(v, name);
    if (!c) {
        fprintf(stderr, "  no control '%s'\n", name);
        return false;
    }
    return quizview_activate(v, c->id);
}

static bool key(QuizView *v, const char *name, SDL_Keycode sym, Uint16 mod)
{
    const QuizControl *c = find(v, name);
    if (!c) {
        fprintf(stderr, "  no control '%s'\n", name);
        return false;
    }
    SDL_KeyboardEvent k = {.type = SDL_KEYDOWN, .state = SDL_PRESSED};
    k.keysym.sym = sym;
    k.keysym.mod = mod;
    return quizview_key(v, c->id, &k);
}

/* Types s one character at a time, as SDL delivers committed text. */
static bool type(QuizView *v, const char *name, const char *s)
{
    const QuizControl *c = find(v, name);
    if (!c || !c->text_input) {
        fprintf(stderr, "  no text control '%s'\n", name);
        return false;
    }
    int id = c->id;
    bool ok = true;
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        const char *q = p;
        utf8_next(&q, end);
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_TEXTINPUT;
        memcpy(ev.text.text, p, (size_t)(q - p));
        ok = quizview_text(v, id, &ev) && ok;
        p = q;
    }
    return ok;
}

static void backspace(QuizView *v, const char *name, int n)
{
    for (int i = 0; i < n; i++)
        key(v, name, SDLK_BACKSPACE, 0);
}

static int opt_index(const QuizQuestion *q, const char *text)
{
    for (int i = 0; i < q->n_options; i++)
        if (strcmp(q->options[i], text) == 0) return i;
    return -1;
}

static bool pick(QuizView *v, const QuizQuestion *q, const char *text)
{
    int i = opt_index(q, text);
    if (i < 0) {
        fprintf(stderr, "  no option '%s'\n", text);
        return false;
    }
    char name[32];
    snprintf(name, sizeof name, "option %d", i + 1);
    return act(v, name);
}

static const QuizQuestion *cur(QuizView *v)
{
    int i = quizview_current(v);
    return i < 0 ? NULL : quiz_question(quizview_quiz(v), i);
}

/* Draws the view on the canvas at (16, 16) and saves it as OUT/name.png. */
static void shot(QuizView *v, const char *name, int focus_id)
{
    int h = lay(v);
    int cw = W + 32, ch = h + 32;
    if (cw > CANVAS_W) cw = CANVAS_W;
    if (ch > CANVAS_H) ch = CANVAS_H;
    const Theme *th = theme_get(HC);
    Render rd = {.r = renderer, .te = te, .th = th, .ui = SCALE, .lang = "en"};
    SDL_Rect all = {0, 0, cw, ch};
    render_fill(&rd, all, th->bg);
    SDL_Rect clip = {0, 0, cw, ch};
    quizview_draw(v, &rd, 16, 16, clip, focus_id);
    if (focus_id >= 0) {
        const QuizControl *c;
        int n = quizview_controls(v, &c);
        for (int i = 0; i < n; i++)
            if (c[i].id == focus_id)
                render_focus(&rd, (SDL_Rect){c[i].rc.x + 16, c[i].rc.y + 16, c[i].rc.w, c[i].rc.h});
    }
    SDL_RenderPresent(renderer);
    if (!name) return;
    SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, cw, ch, 32, SDL_PIXELFORMAT_RGBA8888);
    SDL_BlitSurface(canvas, &all, out, NULL);
    char path[1200];
    snprintf(path, sizeof path, "%s/qv-%s%s.png", out_dir, name, HC ? "-hc" : "");
    if (IMG_SavePNG(out, path) != 0)
        fprintf(stderr, "  cannot save %s: %s\n", path, IMG_GetError());
    SDL_FreeSurface(out);
}

static int focus_of(QuizView *v, const char *name)
{
    const QuizControl *c = find(v, name);
    return c ? c->id : -1;
}

/* Shoots the current question in both themes. */
static void shots(QuizView *v, const char *name, const char *focus)
{
    bool hc = HC;
    HC = false;
    shot(v, name, focus ? focus_of(v, focus) : -1);
    HC = true;
    shot(v, name, focus ? focus_of(v, focus) : -1);
    HC = hc;
}

static const char *type_name(QuizType t)
{
    static const char *names[] = {"choice", "multi", "truefalse", "numeric", "text",
                                  "match",  "order", "blanks",    "hotspot", "scenario"};
    return names[t];
}

/* ---- answering the example's questions ---- */

static const char *match_answer(const char *left)
{
    if (strcmp(left, "CC") == 0) return "Chapter (2 digits)";
    if (strcmp(left, "CTH") == 0) return "Heading (4 digits)";
    if (strcmp(left, "CTSH") == 0) return "Subheading (6 digits)";
    return "?";
}

/* What the view's match rows show: kept across "Try again", so the test
 * follows it per view and question. */
static int *match_state(QuizView *v, const QuizQuestion *q)
{
    if (match_for_q != quizview_current(v)) {
        for (int l = 0; l < 16; l++)
            match_rows[l] = -1;
        match_for_q = quizview_current(v);
    }
    (void)q;
    return match_rows;
}

/* Sets match row l to the right item with text want by cycling its control
 * (Enter for even rows, the Right key for odd ones). */
static void set_match(QuizView *v, const QuizQuestion *q, int l, const char *want, int *state)
{
    char name[32];
    snprintf(name, sizeof name, "match %d", l + 1);
    for (int guard = 0; guard < 20 && (state[l] < 0 || strcmp(q->right[state[l]], want) != 0);
         guard++) {
        if (l % 2 == 0)
            CHECK(act(v, name));
        else
            CHECK(key(v, name, SDLK_RIGHT, 0));
        state[l] = state[l] < 0 ? 0 : (state[l] + 1) % q->n_right;
    }
    CHECK(state[l] >= 0 && strcmp(q->right[state[l]], want) == 0);
}

/* Sorts the order items by text ("Article 1" < "Article 2" ...) with the
 * keyboard (Up on the item) and the Move up buttons, alternately. */
static void sort_items(QuizView *v, const QuizQuestion *q)
{
    int n = q->n_items, pos[64];
    for (int k = 0; k < n; k++)
        pos[k] = k; /* pos[k] = item at position k */
    int moves = 0;
    for (int k = 0; k < n; k++) {
        int best = k;
        for (int j = k + 1; j < n; j++)
            if (strcmp(q->items[pos[j]], q->items[pos[best]]) < 0) best = j;
        for (int p = best; p > k; p--) {
            char name[32];
            if (moves++ % 2 == 0) {
                snprintf(name, sizeof name, "item %d", p + 1);
                CHECK(key(v, name, SDLK_UP, 0));
            } else {
                snprintf(name, sizeof name, "up %d", p + 1);
                CHECK(act(v, name));
            }
            int t = pos[p];
            pos[p] = pos[p - 1];
            pos[p - 1] = t;
        }
    }
}

/* Fills in the right answer for the current question (not checked yet). */
static void fill_right(QuizView *v, const QuizQuestion *q, bool keyboard)
{
    switch (q->type) {
    case QUIZ_CHOICE:
        CHECK(pick(v, q, "Transaction value"));
        break;
    case QUIZ_MULTI:
        CHECK(pick(v, q, "Royalties paid as a condition of sale"));
        CHECK(pick(v, q, "Selling commissions"));
        CHECK(pick(v, q, "Packing costs"));
        break;
    case QUIZ_TRUEFALSE:
        CHECK(pick(v, q, "False"));
        break;
    case QUIZ_NUMERIC:
        CHECK(type(v, "field 1", q->correct_answer));
        break; /* "12500 USD" */
    case QUIZ_TEXT:
        CHECK(type(v, "field 1", keyboard ? "\xEF\xBC\xA3\xEF\xBC\xB4\xEF\xBC\xA8" : "cth"));
        break;
    case QUIZ_MATCH: {
        int *state = match_state(v, q);
        for (int l = 0; l < q->n_left; l++)
            set_match(v, q, l, match_answer(q->left[l]), state);
        break;
    }
    case QUIZ_ORDER:
        sort_items(v, q);
        break;
    case QUIZ_BLANKS:
        CHECK(type(v, "field 1", "10"));
        CHECK(type(v, "field 2", "ten"));
        break;
    case QUIZ_HOTSPOT:
        if (keyboard) {
            /* From the centre: 0.5 - 19 * 0.02 = 0.12 down, 0.5 - 8 * 0.02 = 0.34. */
            for (int i = 0; i < 19; i++)
                CHECK(key(v, "image", SDLK_UP, 0));
            for (int i = 0; i < 8; i++)
                CHECK(key(v, "image", SDLK_LEFT, 0));
            CHECK(act(v, "image"));
        } else {
            const QuizControl *c = find(v, "image");
            CHECK(c);
            if (c)
                CHECK(quizview_click(v, c->rc.x + (int)(0.35 * c->rc.w),
                                     c->rc.y + (int)(0.12 * c->rc.h)));
        }
        break;
    case QUIZ_SCENARIO:
        break; /* answered step by step by the caller */
    }
}

static void fill_wrong(QuizView *v, const QuizQuestion *q)
{
    switch (q->type) {
    case QUIZ_CHOICE:
        CHECK(pick(v, q, "Deductive value"));
        break;
    case QUIZ_MULTI:
        CHECK(pick(v, q, "Buying commissions"));
        break;
    case QUIZ_TRUEFALSE:
        CHECK(pick(v, q, "True"));
        break;
    case QUIZ_NUMERIC:
        CHECK(type(v, "field 1", "1"));
        break;
    case QUIZ_TEXT:
        CHECK(type(v, "field 1", "CTSH"));
        break;
    case QUIZ_MATCH: {
        int *state = match_state(v, q);
        for (int l = 0; l < q->n_left; l++)
            set_match(v, q, l, "Tariff line (8 digits)", state);
        break;
    }
    case QUIZ_ORDER:
        break; /* shown shuffled, never already right */
    case QUIZ_BLANKS:
        CHECK(type(v, "field 1", "5"));
        CHECK(type(v, "field 2", "five"));
        break;
    case QUIZ_HOTSPOT:
        CHECK(act(v, "image"));
        break; /* the centre: no region */
    case QUIZ_SCENARIO:
        CHECK(pick(v, q, "Release the goods"));
        break;
    }
}

/* Clears what fill_wrong typed, for a second try. */
static void clear_inputs(QuizView *v, const QuizQuestion *q)
{
    if (q->type == QUIZ_NUMERIC || q->type == QUIZ_TEXT) backspace(v, "field 1", 8);
    if (q->type == QUIZ_BLANKS) {
        backspace(v, "field 1", 8);
        backspace(v, "field 2", 8);
    }
    if (q->type == QUIZ_MULTI) CHECK(pick(v, q, "Buying commissions")); /* untick */
}

static const char *expected_interaction(QuizType t)
{
    switch (t) {
    case QUIZ_CHOICE:
    case QUIZ_MULTI:
    case QUIZ_SCENARIO:
        return "choice";
    case QUIZ_TRUEFALSE:
        return "true-false";
    case QUIZ_NUMERIC:
        return "numeric";
    case QUIZ_TEXT:
    case QUIZ_BLANKS:
        return "fill-in";
    case QUIZ_MATCH:
        return "matching";
    case QUIZ_ORDER:
        return "sequencing";
    case QUIZ_HOTSPOT:
        return "other";
    }
    return "?";
}

/* Plays the scenario along the right path; returns the last event's result. */
static void scenario_right(QuizView *v, Rec *rec, bool screenshots)
{
    const QuizQuestion *q = cur(v);
    CHECK(pick(v, q, "Ask for the original invoice"));
    int before = rec->n_answered;
    CHECK(act(v, "check"));
    CHECK(rec->n_answered == before + 1);
    CHECK(!rec->result.done);
    CHECK_STR(rec->response, "Ask for the original invoice");
    q = cur(v);
    CHECK(q && !q->finished);
    CHECK(pick(v, q, "Assess on the higher price and record the case"));
    if (screenshots) shots(v, "scenario", "check");
    CHECK(act(v, "check"));
    CHECK(rec->result.done && rec->result.correct);
}

static bool ready_to_check(QuizView *v)
{
    return has(v, "check");
}

/* ---- tests ---- */

/* Every question of the example answered right the first time, checking the
 * event of each and the final score; screenshots of each type. */
TEST(example_all_right)
{
    char *src = read_source("tests/quiz/example.lua");
    CHECK(src);
    if (!src) return;
    Rec rec;
    QuizView *v = open_view(src, 11, &rec);
    free(src);
    CHECK(v);
    if (!v) return;
    Quiz *quiz = quizview_quiz(v);
    int n = quiz_count(quiz);
    CHECK(n == 10);
    bool seen[10] = {0};
    for (int step = 0; step < n; step++) {
        const QuizQuestion *q = cur(v);
        CHECK(q);
        if (!q) break;
        CHECK(quizview_current(v) == step);
        seen[q->type] = true;
        char nm[64];
        snprintf(nm, sizeof nm, "%s", type_name(q->type));
        if (q->type != QUIZ_ORDER) CHECK(!ready_to_check(v)); /* nothing given yet */
        if (q->type == QUIZ_SCENARIO) {
            shots(v, "scenario-start", "option 1");
            scenario_right(v, &rec, true);
        } else {
            fill_right(v, q, step % 2 == 0);
            CHECK(ready_to_check(v));
            shots(v, nm, q->type == QUIZ_HOTSPOT ? "image" : "check");
            int before = rec.n_answered;
            CHECK(act(v, "check"));
            CHECK(rec.n_answered == before + 1);
            if (!rec.result.correct)
                fprintf(stderr, "  %s answered wrong: %s (%s)\n", nm, rec.response, rec.feedback);
            CHECK(rec.result.correct && rec.result.locked && rec.result.score == 1);
        }
        CHECK(rec.kind == QUIZ_EVENT_ANSWERED);
        CHECK_STR(rec.interaction, expected_interaction(q->type));
        q = cur(v);
        CHECK(q->locked || q->finished);
        /* A locked question offers no input controls, only the way on. */
        CHECK(!has(v, "option 1") && !has(v, "field 1") && !has(v, "check"));
        snprintf(nm, sizeof nm, "%s-done", type_name(q->type));
        shots(v, nm, step + 1 < n ? "next" : "results");
        CHECK(act(v, step + 1 < n ? "next" : "results"));
    }
    for (int t = 0; t < 10; t++)
        CHECK(seen[t]);
    CHECK(quizview_on_results(v));
    CHECK(rec.n_finished == 1 && rec.kind == QUIZ_EVENT_FINISHED);
    CHECK(fabs(rec.score.scaled - 1) < 1e-9 && rec.score.passed);
    CHECK(rec.score.answered == 10 && rec.score.total == 10);
    CHECK(fabs(rec.score.max - 11) < 1e-9); /* the numeric question weighs 2 */
    shots(v, "results", NULL);
    quizview_free(v);
}

/* Every question answered wrong, then (if tries remain) right or wrong again;
 * checks the retry flow, penalties-free scores and the failed result. */
TEST(example_wrong_then_retry)
{
    char *src = read_source("tests/quiz/example.lua");
    if (!src) return;
    Rec rec;
    QuizView *v = open_view(src, 5, &rec);
    free(src);
    if (!v) return;
    Quiz *quiz = quizview_quiz(v);
    int n = quiz_count(quiz);
    double expect_raw = 0;
    for (int step = 0; step < n; step++) {
        const QuizQuestion *q = cur(v);
        if (!q) break;
        QuizType t = q->type;
        char nm[64];
        if (t == QUIZ_NUMERIC) {
            /* Not a number: refused without using a try, and no event. */
            CHECK(type(v, "field 1", "twelve"));
            int before = rec.n_answered;
            CHECK(act(v, "check"));
            CHECK(rec.n_answered == before);
            CHECK(cur(v)->tries == 0);
            CHECK(quizview_error(v) == NULL);
            shots(v, "numeric-not-a-number", "field 1");
            backspace(v, "field 1", 6);
        }
        fill_wrong(v, q);
        int before = rec.n_answered;
        /* Enter in a text field checks the answer, like the button. */
        if (t == QUIZ_NUMERIC)
            CHECK(act(v, "field 1"));
        else
            CHECK(act(v, "check"));
        CHECK(rec.n_answered == before + 1);
        CHECK(!rec.result.correct);
        CHECK_STR(rec.interaction, expected_interaction(t));
        q = cur(v);
        if (t == QUIZ_NUMERIC) {
            CHECK_CONTAINS(rec.feedback, "CIF = cost");
            CHECK_STR(rec.response, "1");
        }
        if (t == QUIZ_TEXT) CHECK_CONTAINS(rec.feedback, "SUBheading");
        if (t == QUIZ_MATCH) CHECK_CONTAINS(rec.response, "[.]Tariff line (8 digits)");
        if (t == QUIZ_SCENARIO) {
            CHECK(rec.result.done && q->finished);
            snprintf(nm, sizeof nm, "scenario-wrong");
            shots(v, nm, "next");
        } else {
            CHECK(!rec.result.locked && has(v, "retry") && !has(v, "next"));
            snprintf(nm, sizeof nm, "%s-wrong", type_name(t));
            shots(v, nm, "retry");
            CHECK(act(v, "retry"));
            CHECK(!has(v, "retry"));
            clear_inputs(v, q);
            /* Odd steps: right the second time (full marks: no penalty set);
             * even steps: wrong again, which locks the question at 0. */
            if (step % 2) {
                fill_right(v, q, false);
                expect_raw += q->weight;
            } else {
                fill_wrong(v, q);
                if (t == QUIZ_HOTSPOT) CHECK(quizview_click(v, 2, 2));
            }
            CHECK(act(v, "check"));
            CHECK(rec.n_answered == before + 2);
            CHECK(rec.result.locked);
            if (rec.result.correct != (step % 2 == 1))
                fprintf(stderr, "  %s, step %d: response %s, feedback %s\n", type_name(t), step,
                        rec.response, rec.feedback);
            CHECK(rec.result.correct == (step % 2 == 1));
        }
        CHECK(act(v, step + 1 < n ? "next" : "results"));
    }
    CHECK(quizview_on_results(v));
    CHECK(rec.n_finished == 1);
    CHECK(fabs(rec.score.raw - expect_raw) < 1e-9);
    CHECK(!rec.score.passed);
    shots(v, "results-failed", NULL);
    /* After the results nothing reacts and no event repeats. */
    CHECK(!quizview_activate(v, 1));
    CHECK(rec.n_finished == 1);
    quizview_free(v);
}

/* Layout at many widths and scales in every state of every type, with a
 * check that controls stay inside the column and no drawing crashes. */
TEST(widths_and_scales)
{
    char *src = read_source("tests/quiz/example.lua");
    if (!src) return;
    Rec rec;
    QuizView *v = open_view(src, 3, &rec);
    free(src);
    if (!v) return;
    int widths[] = {320, 400, 560, 760, 1000, 1200};
    float scales[] = {1, 1.5f, 2};
    int n = quiz_count(quizview_quiz(v));
    for (int step = 0; step <= n; step++) {
        for (int phase = 0; phase < 2; phase++) {
            for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++) {
                for (size_t si = 0; si < 3; si++) {
                    W = widths[wi], SCALE = scales[si], HC = (wi + si) % 2;
                    int h = lay(v);
                    CHECK(h > 0);
                    const QuizControl *c;
                    int nc = quizview_controls(v, &c);
                    for (int i = 0; i < nc; i++) {
                        if (c[i].rc.x < 0 || c[i].rc.x + c[i].rc.w > W || c[i].rc.y < 0 ||
                            c[i].rc.y + c[i].rc.h > h) {
                            fprintf(stderr, "  %s outside at width %d scale %g\n", c[i].name, W,
                                    (double)SCALE);
                            test_cur_failed = 1;
                        }
                    }
                    /* Keep the narrowest and the 2x pictures of each type. */
                    char nm[64] = "";
                    const QuizQuestion *q = cur(v);
                    const char *tn = q ? type_name(q->type) : "results";
                    if (phase == 0 && W == 320 && SCALE == 1)
                        snprintf(nm, sizeof nm, "narrow-%s", tn);
                    if (phase == 0 && W == 560 && SCALE == 2) snprintf(nm, sizeof nm, "x2-%s", tn);
                    if (W + 32 <= CANVAS_W) shot(v, nm[0] ? nm : NULL, nc ? c[0].id : -1);
                }
            }
            W = 760, SCALE = 1, HC = false;
            const QuizQuestion *q = cur(v);
            if (!q) break;
            if (phase == 0) {
                if (q->type == QUIZ_SCENARIO) {
                    scenario_right(v, &rec, false);
                } else {
                    fill_right(v, q, false);
                    CHECK(act(v, "check"));
                }
            } else {
                CHECK(act(v, step + 1 < n ? "next" : "results"));
            }
        }
    }
    CHECK(quizview_on_results(v));
    quizview_free(v);
}

/* Layout is cached: laying out again with the same inputs shapes nothing,
 * and a second draw renders no new text. */
TEST(layout_cached)
{
    char *src = read_source("tests/quiz/example.lua");
    if (!src) return;
    Rec rec;
    QuizView *v = open_view(src, 3, &rec);
    free(src);
    if (!v) return;
    const QuizControl *c;
    int h1 = lay(v);
    shot(v, NULL, -1);
    TextStats a = text_stats(te);
    int h2 = lay(v);
    quizview_controls(v, &c);
    shot(v, NULL, -1);
    TextStats b = text_stats(te);
    CHECK(h1 == h2);
    CHECK(b.shape_calls == a.shape_calls);
    CHECK(b.texture_misses == a.texture_misses);
    quizview_free(v);
}

/* Typing Thai and Chinese, with an input method's composition first. */
TEST(typing_thai_and_chinese)
{
    const char *src =
        "local q = quiz{title = '\xE0\xB8\x97\xE0\xB8\x94\xE0\xB8\xAA\xE0\xB8\xAD\xE0\xB8\x9A'}\n"
        "q:text{id = 'th', prompt = "
        "'\xE0\xB8\x81\xE0\xB8\xA3\xE0\xB8\xA1\xE0\xB8\xAD\xE0\xB8\xB0\xE0\xB9\x84\xE0\xB8\xA3?',"
        " answer = "
        "'\xE0\xB8\xA8\xE0\xB8\xB8\xE0\xB8\xA5\xE0\xB8\x81\xE0\xB8\xB2\xE0\xB8\x81\xE0\xB8\xA3'}\n"
        "q:text{id = 'zh', prompt = "
        "'\xE6\xB5\xB7\xE5\x85\xB3\xE6\x98\xAF\xE4\xBB\x80\xE4\xB9\x88?',"
        " answer = '\xE6\xB5\xB7\xE5\x85\xB3'}\n"
        "return q";
    Rec rec;
    QuizView *v = open_view(src, 1, &rec);
    if (!v) return;
    /* Thai: typed letter by letter (a Thai keyboard commits each one). */
    CHECK(type(
        v, "field 1",
        "\xE0\xB8\xA8\xE0\xB8\xB8\xE0\xB8\xA5\xE0\xB8\x81\xE0\xB8\xB2\xE0\xB8\x81\xE0\xB8\xA3"));
    shots(v, "text-thai", "field 1");
    CHECK(act(v, "check"));
    CHECK(rec.result.correct);
    CHECK(act(v, "next"));
    /* Chinese: pinyin composed, then the characters committed. */
    const QuizControl *f = find(v, "field 1");
    CHECK(f && f->text_input);
    if (f) {
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_TEXTEDITING;
        snprintf(ev.edit.text, sizeof ev.edit.text, "haiguan");
        CHECK(quizview_text(v, f->id, &ev));
        CHECK(!has(v, "check")); /* composing text is not an answer yet */
        shots(v, "text-composing", "field 1");
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_TEXTINPUT;
        snprintf(ev.text.text, sizeof ev.text.text, "\xE6\xB5\xB7\xE5\x85\xB3");
        CHECK(quizview_text(v, f->id, &ev));
        /* Key events are not text. */
        SDL_Event k;
        memset(&k, 0, sizeof k);
        k.type = SDL_KEYDOWN;
        CHECK(!quizview_text(v, f->id, &k));
    }
    CHECK(act(v, "check"));
    CHECK(rec.result.correct);
    CHECK_STR(rec.response, "\xE6\xB5\xB7\xE5\x85\xB3");
    CHECK(act(v, "results"));
    CHECK(rec.n_finished == 1 && rec.score.passed);
    quizview_free(v);
}

/* A script error while answering is kept and shown; nothing crashes and
 * nothing reacts afterwards. */
TEST(script_error_shown)
{
    const char *src =
        "local q = quiz{}\n"
        "q:choice{id = 'c', prompt = 'Pick', options = {'A', 'B'}, answer = 1, shuffle = false}\n"
        "q:on('answered', function(ev)\n"
        "  error('the handler broke')\n"
        "end)\n"
        "return q";
    Rec rec;
    QuizView *v = open_view(src, 1, &rec);
    if (!v) return;
    CHECK(quizview_error(v) == NULL);
    CHECK(act(v, "option 1"));
    CHECK(act(v, "check"));
    CHECK(quizview_error(v) != NULL);
    CHECK_CONTAINS(quizview_error(v), "the handler broke");
    CHECK_CONTAINS(quizview_error(v), "quizzes/check.lua:4");
    CHECK(rec.n_answered == 0);
    const QuizControl *c;
    CHECK(lay(v) > 0);
    CHECK(quizview_controls(v, &c) == 0);
    shots(v, "error", NULL);
    CHECK(!quizview_activate(v, 1));
    CHECK(!quizview_click(v, 10, 10));
    quizview_free(v);
}

/* Keyboard details: Up/Down walk a radio group and move focus with it, the
 * hint toggles, Check stays off until an answer is complete, arrows on a
 * match row cycle both ways, order items cannot leave the list. */
TEST(keyboard_details)
{
    const char *src =
        "local q = quiz{title = 'Keys', attempts = 3}\n"
        "q:choice{id = 'c', prompt = 'Pick B', options = {'A', 'B', 'C'}, answer = 2,"
        " shuffle = false, hint = 'Not A.'}\n"
        "q:match{id = 'm', prompt = 'Match', pairs = {{'x', 'X'}, {'y', 'Y'}}, shuffle = false}\n"
        "q:order{id = 'o', prompt = 'Order', items = {'one', 'two', 'three'}}\n"
        "q:blanks{id = 'b', text = 'A {1} and a {2}.'}\n"
        "return q";
    Rec rec;
    QuizView *v = open_view(src, 4, &rec);
    if (!v) return;
    lay(v);
    CHECK(quizview_focus_request(v) == focus_of(v, "option 1"));
    CHECK(quizview_focus_request(v) == -1); /* read once */
    CHECK(has(v, "hint") && !has(v, "check"));
    CHECK(act(v, "hint"));
    shots(v, "choice-hint", "hint");
    CHECK(key(v, "option 1", SDLK_DOWN, 0));
    lay(v);
    CHECK(quizview_focus_request(v) == focus_of(v, "option 2"));
    CHECK(has(v, "check"));
    CHECK(key(v, "option 1", SDLK_UP, 0)); /* at the top: used, nothing moves */
    CHECK(!key(v, "option 2", SDLK_LEFT, 0));
    CHECK(act(v, "check"));
    CHECK(rec.result.correct);
    CHECK(act(v, "next"));
    /* match: Left from nothing picks the last right item. */
    CHECK(!has(v, "check"));
    CHECK(key(v, "match 1", SDLK_LEFT, 0));
    CHECK(key(v, "match 1", SDLK_LEFT, 0)); /* Y, then X */
    CHECK(!key(v, "match 1", SDLK_UP, 0));
    CHECK(!has(v, "check"));
    CHECK(act(v, "match 2"));
    CHECK(act(v, "match 2")); /* X, then Y */
    CHECK(has(v, "check"));
    CHECK(act(v, "check"));
    CHECK(rec.result.correct);
    CHECK_STR(rec.response, "x[.]X[,]y[.]Y");
    CHECK(act(v, "next"));
    /* order: the first item cannot go up, nor the last down. */
    CHECK(!has(v, "up 1") && has(v, "down 1") && has(v, "up 3") && !has(v, "down 3"));
    CHECK(key(v, "item 1", SDLK_UP, 0)); /* used (no move) */
    const QuizQuestion *q = cur(v);
    int pos[3] = {0, 1, 2};
    /* Bubble the items into 'one two three' with Move down. */
    for (int pass = 0; pass < 3; pass++)
        for (int k = 0; k + 1 < 3; k++) {
            static const char *want[] = {"one", "two", "three"};
            int rank_a = 0, rank_b = 0;
            for (int r = 0; r < 3; r++) {
                if (strcmp(want[r], q->items[pos[k]]) == 0) rank_a = r;
                if (strcmp(want[r], q->items[pos[k + 1]]) == 0) rank_b = r;
            }
            if (rank_a > rank_b) {
                char name[16];
                snprintf(name, sizeof name, "down %d", k + 1);
                CHECK(act(v, name));
                int t = pos[k];
                pos[k] = pos[k + 1];
                pos[k + 1] = t;
            }
        }
    shots(v, "order-sorted", "item 2");
    CHECK(act(v, "check"));
    CHECK(rec.result.correct);
    CHECK_STR(rec.response, "one[,]two[,]three");
    CHECK(act(v, "next"));
    /* blanks: Enter in gap 1 asks for focus on gap 2; one gap is enough to check. */
    CHECK(type(v, "field 1", "1"));
    CHECK(act(v, "field 1"));
    lay(v);
    CHECK(quizview_focus_request(v) == focus_of(v, "field 2"));
    CHECK(has(v, "check"));
    shots(v, "blanks-partial", "field 2");
    CHECK(type(v, "field 2", "2"));
    CHECK(act(v, "field 2"));
    CHECK(rec.result.correct);
    CHECK_STR(rec.response, "1[,]2");
    CHECK(act(v, "results"));
    CHECK(rec.score.passed);
    quizview_free(v);
}

/* A view opened on a quiz restored half-way continues at the first open
 * question; one restored complete opens on the results. A hotspot whose
 * picture is missing still lays out. */
TEST(restore_and_missing_picture)
{
    const char *src = "local q = quiz{}\n"
                      "q:truefalse{id = 't', prompt = 'True?', answer = true}\n"
                      "q:hotspot{id = 'h', prompt = 'Where?', image = 'images/none.png',"
                      " regions = {{x = 0, y = 0, w = 0.5, h = 0.5, correct = true}}}\n"
                      "return q";
    Error e;
    Quiz *quiz = quiz_load("quizzes/check.lua", src, strlen(src), 1, NULL, &e);
    CHECK(quiz);
    if (!quiz) return;
    QuizResult r;
    CHECK(quiz_answer_bool(quiz, 0, true, &r, &e));
    Rec rec = {0};
    QuizView *v = quizview_new(quiz, pkg, "en", on_event, &rec);
    CHECK(quizview_current(v) == 1);
    shots(v, "hotspot-missing", "image");
    /* The picture is missing, but the point can still be chosen. */
    for (int i = 0; i < 15; i++)
        CHECK(key(v, "image", SDLK_UP, 0));
    CHECK(key(v, "image", SDLK_LEFT, KMOD_SHIFT));
    CHECK(act(v, "image"));
    CHECK(act(v, "check"));
    CHECK(rec.result.correct);
    CHECK_STR(rec.interaction, "other");
    CHECK_STR(rec.response, "0.4[,]0.2");
    quizview_free(v);

    quiz = quiz_load("quizzes/check.lua", src, strlen(src), 1, NULL, &e);
    if (!quiz) return;
    CHECK(quiz_answer_bool(quiz, 0, false, &r, &e));
    CHECK(quiz_answer_point(quiz, 1, 0.1, 0.1, &r, &e));
    memset(&rec, 0, sizeof rec);
    v = quizview_new(quiz, NULL, "en", on_event, &rec);
    CHECK(quizview_on_results(v));
    CHECK(rec.n_finished == 0);
    CHECK(lay(v) > 0);
    shots(v, "results-restored", NULL);
    quizview_free(v);
}

/* Partial credit: the amber "Partly correct" box, with the kit's own
 * "Partly correct (N%)." sentence not repeated under the title. */
TEST(partly_correct)
{
    const char *src =
        "local q = quiz{penalty = 0.25}\n"
        "q:multi{id = 'm', prompt = 'Which are added (Article 8)?', shuffle = false,"
        " options = {'Royalties', 'Packing', 'Selling commissions', 'Buying commissions'},"
        " answer = {1, 2, 3}, explain = 'Buying commissions are not added.'}\n"
        "return q";
    Rec rec;
    QuizView *v = open_view(src, 1, &rec);
    if (!v) return;
    CHECK(act(v, "option 1"));
    CHECK(act(v, "option 2"));
    CHECK(act(v, "option 2")); /* untick */
    CHECK(act(v, "option 3"));
    CHECK(act(v, "check"));
    CHECK(rec.result.score > 0.6 && rec.result.score < 0.7);
    CHECK(!rec.result.correct && rec.result.locked);
    CHECK_STR(rec.response, "Royalties[,]Selling commissions");
    shots(v, "multi-partly", "results");
    CHECK(act(v, "results"));
    CHECK(!rec.score.passed);
    quizview_free(v);
}

/* ---- setup ---- */

/* Starts with an XML declaration: image.c's svg_attr reads one byte before
 * the data when a file begins with "<svg" (reported to the lead). */
static const char *LABEL_SVG =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<svg xmlns='http://www.w3.org/2000/svg' width='400' height='300' viewBox='0 0 400 300'>"
    "<rect x='0' y='0' width='400' height='300' fill='#f4efe2'/>"
    "<rect x='6' y='6' width='388' height='288' fill='none' stroke='#7a6a4a' stroke-width='4'/>"
    /* the brand name (top: the correct region is x 0.10..0.60, y 0.05..0.20) */
    "<rect x='48' y='20' width='184' height='36' fill='#b0302a'/>"
    "<rect x='58' y='30' width='20' height='16' fill='#fff'/><rect x='84' y='30' width='20' "
    "height='16' fill='#fff'/>"
    "<rect x='110' y='30' width='12' height='16' fill='#fff'/><rect x='128' y='30' width='28' "
    "height='16' fill='#fff'/>"
    "<rect x='162' y='30' width='20' height='16' fill='#fff'/><rect x='188' y='30' width='32' "
    "height='16' fill='#fff'/>"
    "<rect x='40' y='90' width='320' height='10' fill='#9c8f70'/><rect x='40' y='112' width='280' "
    "height='10' fill='#9c8f70'/>"
    "<rect x='40' y='134' width='300' height='10' fill='#9c8f70'/>"
    /* the barcode (x 0.10..0.40, y 0.70..0.90) */
    "<g fill='#111'><rect x='44' y='214' width='4' height='54'/><rect x='52' y='214' width='2' "
    "height='54'/>"
    "<rect x='58' y='214' width='6' height='54'/><rect x='68' y='214' width='2' height='54'/>"
    "<rect x='74' y='214' width='4' height='54'/><rect x='82' y='214' width='8' height='54'/>"
    "<rect x='94' y='214' width='2' height='54'/><rect x='100' y='214' width='4' height='54'/>"
    "<rect x='108' y='214' width='6' height='54'/><rect x='118' y='214' width='2' height='54'/>"
    "<rect x='124' y='214' width='4' height='54'/><rect x='132' y='214' width='2' height='54'/>"
    "<rect x='138' y='214' width='6' height='54'/><rect x='148' y='214' width='4' height='54'/></g>"
    "<circle cx='320' cy='236' r='34' fill='none' stroke='#2a5db0' stroke-width='6'/>"
    "</svg>";

/* A lesson folder with the picture the example's hotspot question uses. */
static Package *make_package(void)
{
    char dir[1100], path[1200];
    snprintf(dir, sizeof dir, "%s/qv-lesson", out_dir);
    Error e;
    snprintf(path, sizeof path, "%s/images", dir);
    if (!mkdir_p(path, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return NULL;
    }
    snprintf(path, sizeof path, "%s/lesson.lua", dir);
    const char *lesson = "return { title = 'Quiz view test', pages = { 'quizzes/check.lua' } }\n";
    if (!file_write_atomic(path, lesson, strlen(lesson), &e)) return NULL;
    snprintf(path, sizeof path, "%s/images/label.svg", dir);
    if (!file_write_atomic(path, LABEL_SVG, strlen(LABEL_SVG), &e)) return NULL;
    Package *p = package_open(dir, &e);
    if (!p) fprintf(stderr, "package_open: %s\n", e.msg);
    return p;
}

int main(int argc, char **argv)
{
    if (argc > 1) out_dir = argv[1];
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    canvas = SDL_CreateRGBSurfaceWithFormat(0, CANVAS_W, CANVAS_H, 32, SDL_PIXELFORMAT_RGBA8888);
    renderer = canvas ? SDL_CreateSoftwareRenderer(canvas) : NULL;
    Error err;
    te = renderer ? text_engine_new(&err) : NULL;
    if (!te) {
        fprintf(stderr, "setup failed: %s\n", renderer ? err.msg : SDL_GetError());
        return 1;
    }
    text_set_renderer(te, renderer);
    pkg = make_package();
    if (!pkg) return 1;

    RUN(example_all_right);
    RUN(example_wrong_then_retry);
    RUN(widths_and_scales);
    RUN(layout_cached);
    RUN(typing_thai_and_chinese);
    RUN(script_error_shown);
    RUN(keyboard_details);
    RUN(restore_and_missing_picture);
    RUN(partly_correct);

    package_close(pkg);
    text_engine_free(te);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(canvas);
    IMG_Quit();
    SDL_Quit();
    return test_summary();
}
