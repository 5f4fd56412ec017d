/* mkreplay: writes an event file (docs/headless.md) that takes a sample
 * course's quiz through the player's INPUT, as a learner at the keyboard
 * would: Tab to a control (`focus quiz option 2`), Enter/Space, arrow keys,
 * typed text. Run by test_course_replay.py.
 *
 * usage: mkreplay [--plan PLAN] [--from K] [--to K] COURSE_DIR SEED OUT
 *
 * The quiz is loaded here with SEED, exactly as the player loads it with
 * `--seed SEED` (player/ui.c ensure_quiz: seed & 0x7FFFFFFFFFFFFFFF), and
 * every answer written to the file is also given to this copy through the
 * quiz API, so the generator knows the state the player should reach (the
 * next scenario step's options, whether a question is locked, the final
 * score).
 *
 * PLAN has one letter per question in display order (the last letter repeats):
 *   r  the correct answer (derived as in test_courses.c); numeric answers
 *      are typed as the review writes them ("52,750 USD"), in a Thai lesson
 *      with Thai digits
 *   w  a wrong answer, given again after "Try again" until no tries are left
 *      (an ordering question is put in reverse with its "Move up" buttons)
 *   t  one wrong try, then the correct answer (the retry penalty applies);
 *      a scenario (played once) takes the correct path, a question with one
 *      try only is answered wrongly
 * --from K: questions 1..K were answered in an earlier session (they are
 *   given to the API copy only); the file starts with the player resuming.
 *   With a 't' at question K+1, its wrong try was made in that session too.
 * --to K: stops after question K: checks that question K+1 is shown with its
 *   prompt, makes its wrong try if its letter is 't', and quits.
 * Without --to the file ends on the results: `expect results`, `expect score
 * N` and `expect passed yes|no` with what the API copy computed. An all-'r'
 * plan must give 100% and a pass, an all-'w' plan a fail (else exit 1).
 *
 * Every question is checked before it is answered: `expect question N` and
 * `expect prompt LINE` for each line of the prompt as drawn with SEED, so a
 * resumed attempt must show the same numbers. Exit 0 and the file written,
 * or 1 with a reason on stderr; stdout gets one line "questions=N types=T,..
 * tries=N,.." (QuizType numbers and tries per question, in display order). */
#include "image.h"
#include "manifest.h"
#include "package.h"
#include "quiz.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "course_text.h"

#define ARROW " \xe2\x86\x92 " /* " → ", the kit's separator for paths and pairs */
#define MAXN 64

static FILE *out;
static int emit_off; /* > 0: write nothing (an earlier session's input) */
static Package *pkg;
static const char *plan = "r";
static bool thai; /* the lesson is in Thai */

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...)
{
    if (emit_off) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mkreplay: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static char letter(int i)
{
    size_t n = strlen(plan);
    return plan[(size_t)i < n ? (size_t)i : n - 1];
}

/* ---- helpers (as in test_courses.c) --------------------------------------- */





/* A number as the answers write it: "48,500 USD", "9.40", "37". */
static bool parse_amount(const char *s, double *x)
{
    while (*s == ' ') s++;
    char buf[64];
    size_t n = 0;
    bool digits = false;
    for (; *s && n < sizeof buf - 1; s++) {
        if (*s >= '0' && *s <= '9') {
            buf[n++] = *s;
            digits = true;
        } else if (*s == ',' && digits && s[1] >= '0' && s[1] <= '9') {
            continue;
        } else if (*s == '.' && digits && s[1] >= '0' && s[1] <= '9') {
            buf[n++] = '.';
        } else {
            break;
        }
    }
    buf[n] = 0;
    if (!digits) return false;
    *x = strtod(buf, NULL);
    return true;
}

/* ---- input ---------------------------------------------------------------- */

/* Types s as `text` commands. One SDL text event holds at most 31 bytes, and
 * the replay trims spaces around a command's argument, so the text goes in
 * pieces that end on a character boundary and neither start nor end with a
 * space (as an input method may deliver it). */
static void type_text(const char *s)
{
    size_t len = strlen(s), pos = 0;
    if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
        die("cannot type \"%s\" (empty, or spaces around it)", s);
    while (pos < len) {
        size_t end = pos + 31 < len ? pos + 31 : len;
        while (end > pos && end < len &&
               (((unsigned char)s[end] & 0xC0) == 0x80 || s[end] == ' ' || s[end - 1] == ' '))
            end--;
        if (end == pos) die("cannot split \"%s\" for typing", s);
        emit("text %.*s", (int)(end - pos), s + pos);
        pos = end;
    }
}

static void press(const char *control)
{
    emit("focus quiz %s", control);
    emit("key Return");
}

/* ---- answers -------------------------------------------------------------- */

/* One answer to a (non-scenario) question, in display indices. */
typedef struct Answer {
    int opt;              /* choice, truefalse */
    int sel[MAXN], n_sel; /* multi: options to tick */
    char *texts[MAXN];    /* numeric, text: [0]; blanks: one per gap (owned) */
    int n_texts;
    int pick[MAXN];       /* match: right item for each left item */
    int ord[MAXN];        /* order: item at each position */
    double fx, fy;        /* hotspot: the point aimed at, fractions of the picture */
    bool corner;          /* hotspot: the top-left corner instead */
    bool buttons;         /* order: with the "Move up" buttons, not the Up key */
} Answer;

static void answer_free(Answer *a)
{
    for (int k = 0; k < a->n_texts; k++) free(a->texts[k]);
}

/* The picture's size as the view decodes it (it sends the point in pixels). */
static void picture_size(const QuizQuestion *qq, int *w, int *h)
{
    char *data = NULL;
    size_t len = 0;
    Error e = {{0}};
    Image img = {0};
    if (!package_read(pkg, qq->image, &data, &len, &e) || !image_decode(qq->image, data, len, &img, &e))
        die("%s: %s", qq->image, e.msg);
    *w = img.w, *h = img.h;
    image_free(&img);
    free(data);
}

/* Works out the correct (right) or a wrong answer for question i, as
 * test_courses.c does. */
static void make_answer(Quiz *q, int i, bool right, Answer *a)
{
    const QuizQuestion *qq = quiz_question(q, i);
    const char *ca = quiz_correct_answer(q, i);
    memset(a, 0, sizeof *a);
    switch (qq->type) {
    case QUIZ_CHOICE:
    case QUIZ_TRUEFALSE: {
        int k = find_text(qq->options, qq->n_options, ca);
        if (k < 0) die("'%s': the correct answer \"%s\" is not an option", qq->id, ca);
        a->opt = right ? k : k == 0 ? 1 : 0;
        break;
    }
    case QUIZ_MULTI: {
        Parts p = split(ca, "; ");
        for (int k = 0; k < qq->n_options && k < MAXN; k++) {
            bool in = find_text(p.v, p.n, qq->options[k]) >= 0;
            if (in == right) a->sel[a->n_sel++] = k;
        }
        parts_free(&p);
        break;
    }
    case QUIZ_NUMERIC: {
        a->n_texts = 1;
        double x;
        if (right && thai) {
            /* Typed with Thai digits, as a Thai keyboard gives them. */
            Buf b = {0};
            for (const char *c = ca; *c; c++)
                if (*c >= '0' && *c <= '9')
                    buf_printf(&b, "\xe0\xb9%c", (char)(0x90 + (*c - '0')));
                else
                    buf_printf(&b, "%c", *c);
            a->texts[0] = buf_take(&b);
        } else if (right) {
            a->texts[0] = xstrdup(ca); /* as the review writes it: "52,750 USD" */
        } else {
            if (!parse_amount(ca, &x)) die("'%s': no number in \"%s\"", qq->id, ca);
            a->texts[0] = xasprintf("%.15g", x + 1000);
        }
        break;
    }
    case QUIZ_TEXT:
        a->n_texts = 1;
        a->texts[0] = xstrdup(right ? ca : "no idea");
        break;
    case QUIZ_MATCH: {
        Parts p = split(ca, "; ");
        int n = qq->n_left, r[MAXN];
        if (p.n != n || n > MAXN) die("'%s': cannot read the pairs \"%s\"", qq->id, ca);
        for (int l = 0; l < n; l++) {
            size_t ll = strlen(qq->left[l]);
            if (strncmp(p.v[l], qq->left[l], ll) != 0 || strncmp(p.v[l] + ll, ARROW, strlen(ARROW)) != 0)
                die("'%s': pair %d of \"%s\" is not for \"%s\"", qq->id, l, ca, qq->left[l]);
            r[l] = find_text(qq->right, qq->n_right, p.v[l] + ll + strlen(ARROW));
            if (r[l] < 0) die("'%s': no right-hand item for pair %d of \"%s\"", qq->id, l, ca);
        }
        /* Wrong: each left item gets the next one's right item. */
        for (int l = 0; l < n; l++) a->pick[l] = right ? r[l] : r[(l + 1) % n];
        parts_free(&p);
        break;
    }
    case QUIZ_ORDER: {
        Parts p = split(ca, ARROW);
        int n = qq->n_items;
        if (p.n != n || n > MAXN) die("'%s': cannot read the order \"%s\"", qq->id, ca);
        for (int k = 0; k < n; k++) {
            int it = find_text(qq->items, n, p.v[k]);
            if (it < 0) die("'%s': no item \"%s\"", qq->id, p.v[k]);
            a->ord[right ? k : n - 1 - k] = it; /* wrong: reversed */
        }
        a->buttons = !right;
        parts_free(&p);
        break;
    }
    case QUIZ_BLANKS: {
        Parts p = split(ca, "; ");
        if (p.n != qq->n_blanks || p.n > MAXN) die("'%s': cannot read the gaps \"%s\"", qq->id, ca);
        a->n_texts = p.n;
        for (int k = 0; k < p.n; k++) a->texts[k] = xstrdup(right ? p.v[k] : "x");
        parts_free(&p);
        break;
    }
    case QUIZ_HOTSPOT: {
        if (!right) {
            a->corner = true;
            break;
        }
        const QuizRegion *g = NULL;
        for (int k = 0; k < qq->n_regions; k++)
            if (qq->regions[k].label && strcmp(qq->regions[k].label, ca) == 0) g = &qq->regions[k];
        if (!g) die("'%s': no region is labelled \"%s\"", qq->id, ca);
        int w = 1, h = 1;
        if (!qq->fractions) picture_size(qq, &w, &h);
        a->fx = (g->x + g->w / 2) / w;
        a->fy = (g->y + g->h / 2) / h;
        break;
    }
    case QUIZ_SCENARIO:
        break;
    }
}

/* What the view holds for the current question (player/quizview.c: sel,
 * ticks, fields, match, order, crosshair), so that the input for an answer
 * can start from what an earlier try left: "Try again" keeps the inputs. */
typedef struct Inputs {
    bool ticks[MAXN];
    bool typed[MAXN]; /* fields: the text of the answer typed last */
    const char *texts[MAXN];
    int match[MAXN];
    int order[MAXN];
    double cx, cy;
} Inputs;

static void inputs_fresh(Inputs *in)
{
    memset(in, 0, sizeof *in);
    for (int k = 0; k < MAXN; k++) in->match[k] = -1, in->order[k] = k;
    in->cx = in->cy = 0.5;
}

/* The crosshair of the hotspot picture (quizview_key): 2% of the picture per
 * arrow key, 10% with Shift, kept within 0..1. Writes the key presses that
 * bring it from *c nearest to `to` on one axis, computing *c as the view
 * does. */
static void steer(double *c, double to, const char *less, const char *more)
{
    while (fabs(to - *c) >= 0.10 - 1e-9) {
        bool down = to < *c;
        emit("key shift+%s", down ? less : more);
        *c += down ? -0.10 : 0.10;
        *c = *c < 0 ? 0 : *c > 1 ? 1 : *c;
    }
    while (fabs(to - *c) > 0.01) {
        bool down = to < *c;
        emit("key %s", down ? less : more);
        *c += down ? -0.02 : 0.02;
        *c = *c < 0 ? 0 : *c > 1 ? 1 : *c;
    }
}

/* Writes the input that turns the view's inputs `in` into answer a, and
 * updates `in`. */
static void input_answer(Quiz *q, int i, const Answer *a, Inputs *in)
{
    const QuizQuestion *qq = quiz_question(q, i);
    char name[64];
    switch (qq->type) {
    case QUIZ_CHOICE:
        snprintf(name, sizeof name, "option %d", a->opt + 1);
        press(name);
        break;
    case QUIZ_TRUEFALSE:
        /* Arrow keys walk a radio group and select. */
        emit("focus quiz option 1");
        if (a->opt == 0) {
            emit("key Return");
        } else {
            for (int k = 0; k < a->opt; k++) emit("key Down");
            emit("expect focus quiz option %d", a->opt + 1);
        }
        break;
    case QUIZ_MULTI: { /* Space ticks and unticks a box */
        bool want[MAXN] = {0};
        for (int k = 0; k < a->n_sel; k++) want[a->sel[k]] = true;
        for (int k = 0; k < qq->n_options && k < MAXN; k++) {
            if (want[k] == in->ticks[k]) continue;
            emit("focus quiz option %d", k + 1);
            emit("key space");
            in->ticks[k] = want[k];
        }
        break;
    }
    case QUIZ_NUMERIC:
    case QUIZ_TEXT:
    case QUIZ_BLANKS:
        for (int k = 0; k < a->n_texts; k++) {
            emit("focus quiz field %d", k + 1);
            if (in->typed[k]) /* clear what the last try typed */
                for (const char *c = in->texts[k]; *c; c++)
                    if (((unsigned char)*c & 0xC0) != 0x80) emit("key BackSpace");
            type_text(a->texts[k]);
            in->typed[k] = true;
            in->texts[k] = a->texts[k];
        }
        break;
    case QUIZ_MATCH: { /* Right cycles through the right-hand items */
        int nr = qq->n_right;
        for (int l = 0; l < qq->n_left; l++) {
            int steps = in->match[l] < 0 ? a->pick[l] + 1 : ((a->pick[l] - in->match[l]) % nr + nr) % nr;
            if (steps == 0) continue;
            emit("focus quiz match %d", l + 1);
            for (int k = 0; k < steps; k++) emit("key Right");
            in->match[l] = a->pick[l];
        }
        break;
    }
    case QUIZ_ORDER: {
        /* The focus follows an item as Up (or its "Move up" button) moves
         * it; its name is its position ("item 3", "up 3"). */
        int n = qq->n_items, *at = in->order;
        for (int p = 0; p < n; p++) {
            int k = p;
            while (at[k] != a->ord[p]) k++;
            if (k == p) continue;
            emit("focus quiz %s %d", a->buttons ? "up" : "item", k + 1);
            for (; k > p; k--) {
                emit("key %s", a->buttons ? "Return" : "Up");
                int t = at[k];
                at[k] = at[k - 1];
                at[k - 1] = t;
                /* The button's focus follows the item too, while it can
                 * still move up (the first item has no "Move up"). */
                if (a->buttons && k - 1 > 0) emit("expect focus quiz up %d", k);
            }
            if (!a->buttons) emit("expect focus quiz item %d", p + 1);
        }
        break;
    }
    case QUIZ_HOTSPOT:
        emit("focus quiz image");
        steer(&in->cx, a->corner ? 0 : a->fx, "Left", "Right");
        steer(&in->cy, a->corner ? 0 : a->fy, "Up", "Down");
        emit("key Return"); /* marks the point at the crosshair */
        break;
    case QUIZ_SCENARIO:
        break;
    }
}

/* Gives answer a to the API copy, as the view would (hotspot: the point
 * (px, py) in fractions of the picture). */
static QuizResult api_answer(Quiz *q, int i, const Answer *a, double px, double py)
{
    const QuizQuestion *qq = quiz_question(q, i);
    QuizResult r = {0};
    Error e = {{0}};
    bool ok = false;
    switch (qq->type) {
    case QUIZ_CHOICE:
        ok = quiz_answer_choice(q, i, a->opt, &r, &e);
        break;
    case QUIZ_TRUEFALSE:
        ok = quiz_answer_bool(q, i, a->opt == 0, &r, &e);
        break;
    case QUIZ_MULTI:
        ok = quiz_answer_multi(q, i, a->sel, a->n_sel, &r, &e);
        break;
    case QUIZ_NUMERIC:
    case QUIZ_TEXT:
        ok = quiz_answer_text(q, i, a->texts[0], &r, &e);
        break;
    case QUIZ_MATCH:
        ok = quiz_answer_match(q, i, a->pick, qq->n_left, &r, &e);
        break;
    case QUIZ_ORDER:
        ok = quiz_answer_order(q, i, a->ord, qq->n_items, &r, &e);
        break;
    case QUIZ_BLANKS:
        ok = quiz_answer_blanks(q, i, (const char *const *)a->texts, a->n_texts, &r, &e);
        break;
    case QUIZ_HOTSPOT: {
        int w = 1, h = 1;
        if (!qq->fractions) picture_size(qq, &w, &h);
        ok = quiz_answer_point(q, i, px * w, py * h, &r, &e);
        break;
    }
    case QUIZ_SCENARIO:
        break;
    }
    if (!ok) die("'%s': the quiz refused the answer: %s", qq->id, e.msg);
    return r;
}

/* Plays a scenario to its end: along the correct path, or at every step an
 * option off it. With `silent`, only the API copy is told. */
static void scenario(Quiz *q, int i, bool right, bool silent)
{
    Parts p = split(quiz_correct_answer(q, i), ARROW);
    for (int guard = 0; guard < 100; guard++) {
        const QuizQuestion *cur = quiz_question(q, i);
        int o = -1;
        for (int k = 0; k < cur->n_options && o < 0; k++) {
            bool on_path = find_text(p.v, p.n, cur->options[k]) >= 0;
            if (on_path == right) o = k;
        }
        if (o < 0 && !right) o = 0;
        if (o < 0) die("'%s': no option of step '%s' is on the path \"%s\"", cur->id, cur->step,
                       quiz_correct_answer(q, i));
        if (!silent) {
            char name[32];
            snprintf(name, sizeof name, "option %d", o + 1);
            press(name);
            press("check"); /* "Continue" */
        }
        QuizResult r;
        Error e = {{0}};
        if (!quiz_answer_scenario(q, i, o, &r, &e)) die("'%s': %s", cur->id, e.msg);
        if (r.done) {
            parts_free(&p);
            return;
        }
    }
    die("'%s': the scenario does not end", quiz_question(q, i)->id);
}

/* Checks that question i is shown, with its prompt line by line. */
static void expect_question(Quiz *q, int i)
{
    const QuizQuestion *qq = quiz_question(q, i);
    emit("# question %d: '%s'", i + 1, qq->id);
    emit("expect question %d", i + 1);
    char *s = xstrdup(qq->prompt ? qq->prompt : "");
    for (char *save = NULL, *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ' || *line == '\t') line++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\r' || line[n - 1] == '\t')) line[--n] = 0;
        if (*line) emit("expect prompt %s", line);
    }
    free(s);
}

/* One try with answer a: the input (unless silent), "Check answer", and the
 * same answer to the API copy. */
static QuizResult try_once(Quiz *q, int i, const Answer *a, Inputs *in, bool silent)
{
    if (!silent) {
        input_answer(q, i, a, in);
        press("check");
    } else { /* the point the keys would reach */
        in->cx = in->cy = 0.5;
        emit_off++;
        input_answer(q, i, a, in);
        emit_off--;
    }
    return api_answer(q, i, a, in->cx, in->cy);
}

/* Answers question i according to its plan letter. silent: in an earlier
 * session (the API copy only). first_try_only: a 't' question's wrong try,
 * then the session ends. resumed: the 't' question's wrong try was made in
 * an earlier session. */
static void answer_question(Quiz *q, int i, bool silent, bool first_try_only, bool resumed)
{
    const QuizQuestion *qq = quiz_question(q, i);
    char how = letter(i);
    if (how == 't' && qq->max_tries < 2 && qq->type != QUIZ_SCENARIO) {
        if (first_try_only || resumed) die("'%s': one try only, cannot stop after a wrong try", qq->id);
        how = 'w'; /* one try: nothing to retry */
    }
    if (qq->type == QUIZ_SCENARIO) {
        /* Played once: for 't', the correct path. */
        if (first_try_only) return;
        scenario(q, i, how == 'w' ? false : true, silent);
    } else {
        Answer wrong, right;
        make_answer(q, i, false, &wrong);
        make_answer(q, i, true, &right);
        Inputs in;
        inputs_fresh(&in);
        QuizResult r = {0};
        if (how == 't') {
            if (!resumed) r = try_once(q, i, &wrong, &in, silent);
            if (first_try_only) goto done;
            if (r.locked) die("'%s': one try only, cannot retry", qq->id);
            if (!silent && !resumed) press("retry"); /* the wrong inputs stay */
            if (resumed) inputs_fresh(&in);          /* restored: empty inputs */
            r = try_once(q, i, &right, &in, silent);
        } else {
            const Answer *a = how == 'w' ? &wrong : &right;
            r = try_once(q, i, a, &in, silent);
            /* A wrong answer is given again until no tries are left. */
            while (!r.locked) {
                if (!silent) {
                    press("retry");
                    press("check");
                }
                r = api_answer(q, i, a, in.cx, in.cy);
            }
        }
        if (!r.locked) die("'%s': not locked after the last try", qq->id);
    done:
        answer_free(&wrong);
        answer_free(&right);
    }
    if (!silent && !first_try_only) press(i + 1 < quiz_count(q) ? "next" : "results");
}

/* ---- loading (as test_courses.c and player/ui.c) ---------------------------- */

static bool read_entry(void *ud, const char *name, char **text, size_t *len, Error *err)
{
    return package_read(ud, name, text, len, err);
}

int main(int argc, char **argv)
{
    int from = 0, to = -1, argi = 1;
    for (; argi + 1 < argc && argv[argi][0] == '-'; argi += 2) {
        if (strcmp(argv[argi], "--plan") == 0) plan = argv[argi + 1];
        else if (strcmp(argv[argi], "--from") == 0) from = atoi(argv[argi + 1]);
        else if (strcmp(argv[argi], "--to") == 0) to = atoi(argv[argi + 1]);
        else die("unknown option %s", argv[argi]);
    }
    if (argc - argi != 3 || !*plan || strspn(plan, "rwt") != strlen(plan))
        die("usage: mkreplay [--plan r|w|t...] [--from K] [--to K] COURSE_DIR SEED OUT");
    const char *dir = argv[argi], *outpath = argv[argi + 2];
    uint64_t seed = strtoull(argv[argi + 1], NULL, 10) & 0x7FFFFFFFFFFFFFFFull;

    Error e = {{0}};
    pkg = package_open(dir, &e);
    if (!pkg) die("%s", e.msg);
    Manifest *man = manifest_load(pkg, &e);
    if (!man) die("%s: %s", dir, e.msg);
    const ManifestPage *page = &man->pages[man->n_pages - 1];
    if (page->kind != PAGE_QUIZ) die("%s: the last page is not a quiz", dir);
    char *src = NULL;
    size_t len = 0;
    if (!package_read(pkg, page->path, &src, &len, &e)) die("%s", e.msg);
    SandboxRequire req = {read_entry, pkg};
    Quiz *q = quiz_load(page->path, src, len, seed, &req, &e);
    if (!q) die("%s", e.msg);
    int n = quiz_count(q);
    thai = man->language && strcmp(man->language, "th") == 0;
    printf("questions=%d types=", n);
    for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", (int)quiz_question(q, i)->type);
    printf(" tries=");
    for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", quiz_question(q, i)->max_tries);
    printf("\n");
    if (from < 0 || from >= n || to > n || (to >= 0 && to <= from)) die("--from/--to out of range (%d questions)", n);

    out = fopen(outpath, "w");
    if (!out) die("cannot write %s", outpath);
    emit("# %s, seed %llu, plan %s, questions %d..%d of %d (written by mkreplay)", dir,
         (unsigned long long)seed, plan, from + 1, to >= 0 ? to : n, n);
    /* Earlier session: its answers, for the API copy only. */
    for (int i = 0; i < from; i++) answer_question(q, i, true, false, false);
    if (letter(from) == 't' && from > 0) answer_question(q, from, true, true, false);
    emit("expect screen lesson");
    emit("key ctrl+End"); /* the quiz is the last page */
    emit("expect page %d", man->n_pages);
    int end = to >= 0 ? to : n;
    for (int i = from; i < end; i++) {
        expect_question(q, i);
        bool resumed_try = i == from && from > 0 && letter(i) == 't';
        answer_question(q, i, false, false, resumed_try);
    }
    if (to >= 0) {
        /* The session ends here: the next question is shown; a 't' makes its
         * wrong try first. */
        expect_question(q, to);
        if (letter(to) == 't') {
            answer_question(q, to, false, true, false);
            emit("expect question %d", to + 1);
        }
        emit("quit");
    } else {
        QuizScore s = quiz_score(q);
        int pct = (int)floor(s.scaled * 100 + 0.5);
        bool all_right = strspn(plan, "r") == strlen(plan), all_wrong = strspn(plan, "w") == strlen(plan);
        if (all_right && (pct != 100 || !s.passed)) die("all correct gives %d%% (passed: %d)", pct, s.passed);
        if (all_wrong && s.passed) die("all wrong passes with %d%%", pct);
        emit("# the results");
        emit("expect results");
        emit("expect score %d", pct);
        emit("expect passed %s", s.passed ? "yes" : "no");
    }
    if (fclose(out) != 0) die("cannot write %s", outpath);
    quiz_free(q);
    free(src);
    manifest_free(man);
    package_close(pkg);
    return 0;
}
