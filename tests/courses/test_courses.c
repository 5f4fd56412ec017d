/* The sample courses' quizzes (content/<course>/quizzes/check.lua), loaded
 * from their lesson folders exactly as the player loads them: package_open,
 * manifest_load, the last page of lesson.lua, package_read, quiz_load with a
 * require() that reads the package.
 *
 * For each quiz: the kit's self-test with 200 seeds; every question answered
 * with its correct answer scores 100% and passes; every question answered
 * wrongly fails; the same seed gives the same numbers; a saved attempt
 * restores to the same numbers and answers. Then an INDEPENDENT check: for 500
 * seeds the numbers drawn for each parameterised question are parsed back out
 * of its prompt and the answer is recomputed here in C (from the formulas in
 * /work/shared/domain/customs-facts.md, not by calling the quiz's Lua) and
 * compared with the quiz's own correct answer. Finally: every question type of
 * the kit is used somewhere across the four quizzes, the Thai quiz matches the
 * English one question for question, and the hotspot matches its picture. */
#include "manifest.h"
#include "package.h"
#include "quiz.h"
#include "testlib.h"

#include <math.h>
#include <stdlib.h>
#include "course_text.h"

#define N_TYPES 10
#define SELF_TEST_SEEDS 200
#define RECOMPUTE_SEEDS 500
#define ARROW " \xe2\x86\x92 " /* " → ", the kit's separator for paths and pairs */

typedef struct Course {
    const char *dir; /* under content/ */
    Package *pkg;
    Manifest *man;
    const char *path; /* the quiz page's entry name */
    char *src;
    size_t len;
    bool th; /* Thai wording */
} Course;

static Course courses[] = {
    {.dir = "valuation"},
    {.dir = "rules-of-origin"},
    {.dir = "rules-of-origin-th"},
    {.dir = "ipr"},
};
#define N_COURSES ((int)(sizeof courses / sizeof courses[0]))
enum { VALUATION, ORIGIN, ORIGIN_TH, IPR };

/* ---- loading ------------------------------------------------------------ */

static bool read_entry(void *ud, const char *name, char **text, size_t *len, Error *err)
{
    return package_read(ud, name, text, len, err);
}

static bool open_course(Course *c)
{
    if (c->src) return true;
    const char *root = getenv("OUTPOST_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/content/%s", root ? root : ".", c->dir);
    Error e;
    c->pkg = package_open(path, &e);
    if (!c->pkg) {
        fprintf(stderr, "  %s\n", e.msg);
        return false;
    }
    c->man = manifest_load(c->pkg, &e);
    if (!c->man) {
        fprintf(stderr, "  %s: %s\n", c->dir, e.msg);
        return false;
    }
    /* The quiz is the last page of the lesson, with the id "check". */
    const ManifestPage *p = &c->man->pages[c->man->n_pages - 1];
    if (p->kind != PAGE_QUIZ || strcmp(p->id, "check") != 0) {
        fprintf(stderr, "  %s: the last page is not the quiz page \"check\"\n", c->dir);
        return false;
    }
    c->path = p->path;
    c->th = strcmp(c->man->language, "th") == 0;
    if (!package_read(c->pkg, c->path, &c->src, &c->len, &e)) {
        fprintf(stderr, "  %s\n", e.msg);
        return false;
    }
    return true;
}

static void close_courses(void)
{
    for (int i = 0; i < N_COURSES; i++) {
        free(courses[i].src);
        manifest_free(courses[i].man);
        package_close(courses[i].pkg);
    }
}

static Quiz *load(Course *c, uint64_t seed)
{
    if (!open_course(c)) return NULL;
    SandboxRequire req = {read_entry, c->pkg};
    Error e;
    Quiz *q = quiz_load(c->path, c->src, c->len, seed, &req, &e);
    if (!q) fprintf(stderr, "  %s: %s\n", c->dir, e.msg);
    return q;
}

/* ---- small helpers ------------------------------------------------------ */





static bool same_str(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* A number as the prompts write it: "48,500", "9.40", "1,234.56", "37". */
static bool parse_amount(const char *s, double *out)
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
            continue; /* thousands separator */
        } else if (*s == '.' && digits && s[1] >= '0' && s[1] <= '9') {
            buf[n++] = '.';
        } else {
            break;
        }
    }
    buf[n] = 0;
    if (!digits) return false;
    *out = strtod(buf, NULL);
    return true;
}

/* The amount written right after `marker` (its first occurrence). */
static bool amount_after(const char *text, const char *marker, double *out)
{
    const char *p = strstr(text, marker);
    if (!p) return false;
    return parse_amount(p + strlen(marker), out);
}

static long cents(double x) { return lround(x * 100); }

/* The n-th (0-based) HS code "dddd.dd" written after "HS ". */
static bool hs_code(const char *text, int nth, char out[8])
{
    const char *p = text;
    for (int k = 0; k <= nth; k++) {
        p = strstr(p, "HS ");
        if (!p) return false;
        p += 3;
    }
    for (int i = 0; i < 7; i++) {
        char ch = p[i];
        if (i == 4 ? ch != '.' : !(ch >= '0' && ch <= '9')) return false;
    }
    memcpy(out, p, 7);
    out[7] = 0;
    return true;
}

/* ---- answering ---------------------------------------------------------- */

/* Answers question i with its correct answer, derived from
 * quiz_correct_answer() and the question as shown (display order). */
static bool answer_right(Quiz *q, int i, QuizResult *r)
{
    const QuizQuestion *qq = quiz_question(q, i);
    char *ca = xstrdup(quiz_correct_answer(q, i));
    Error e = {{0}};
    bool ok = false;
    switch (qq->type) {
    case QUIZ_CHOICE: {
        int k = find_text(qq->options, qq->n_options, ca);
        ok = k >= 0 && quiz_answer_choice(q, i, k, r, &e);
        break;
    }
    case QUIZ_MULTI: {
        Parts p = split(ca, "; ");
        int sel[32], n = 0;
        ok = p.n <= 32;
        for (int k = 0; ok && k < p.n; k++) {
            sel[n] = find_text(qq->options, qq->n_options, p.v[k]);
            ok = sel[n++] >= 0;
        }
        parts_free(&p);
        ok = ok && quiz_answer_multi(q, i, sel, n, r, &e);
        break;
    }
    case QUIZ_TRUEFALSE:
        ok = (same_str(ca, qq->options[0]) || same_str(ca, qq->options[1])) &&
             quiz_answer_bool(q, i, same_str(ca, qq->options[0]), r, &e);
        break;
    case QUIZ_NUMERIC: /* typed as text, unit included: "52750 USD" */
    case QUIZ_TEXT:
        ok = quiz_answer_text(q, i, ca, r, &e);
        break;
    case QUIZ_MATCH: {
        Parts p = split(ca, "; ");
        int pick[32];
        ok = p.n == qq->n_left && p.n <= 32;
        for (int l = 0; ok && l < p.n; l++) {
            size_t ll = strlen(qq->left[l]);
            ok = strncmp(p.v[l], qq->left[l], ll) == 0 && strncmp(p.v[l] + ll, ARROW, strlen(ARROW)) == 0;
            if (ok) pick[l] = find_text(qq->right, qq->n_right, p.v[l] + ll + strlen(ARROW));
            ok = ok && pick[l] >= 0;
        }
        parts_free(&p);
        ok = ok && quiz_answer_match(q, i, pick, qq->n_left, r, &e);
        break;
    }
    case QUIZ_ORDER: {
        Parts p = split(ca, ARROW);
        int ord[32];
        ok = p.n == qq->n_items && p.n <= 32;
        for (int k = 0; ok && k < p.n; k++) ok = (ord[k] = find_text(qq->items, qq->n_items, p.v[k])) >= 0;
        parts_free(&p);
        ok = ok && quiz_answer_order(q, i, ord, qq->n_items, r, &e);
        break;
    }
    case QUIZ_BLANKS: {
        Parts p = split(ca, "; ");
        ok = p.n == qq->n_blanks && quiz_answer_blanks(q, i, (const char *const *)p.v, p.n, r, &e);
        parts_free(&p);
        break;
    }
    case QUIZ_HOTSPOT: {
        /* The review names the correct region by its label. */
        for (int k = 0; k < qq->n_regions; k++) {
            const QuizRegion *g = &qq->regions[k];
            if (g->label && strcmp(g->label, ca) == 0) {
                ok = quiz_answer_point(q, i, g->x + g->w / 2, g->y + g->h / 2, r, &e);
                break;
            }
        }
        break;
    }
    case QUIZ_SCENARIO: {
        /* The correct path, step by step, by option text. */
        Parts p = split(ca, ARROW);
        ok = true;
        for (int k = 0; ok && k < p.n; k++) {
            const QuizQuestion *cur = quiz_question(q, i);
            int o = find_text(cur->options, cur->n_options, p.v[k]);
            ok = o >= 0 && quiz_answer_scenario(q, i, o, r, &e);
            ok = ok && r->done == (k == p.n - 1);
        }
        parts_free(&p);
        break;
    }
    }
    if (!ok)
        fprintf(stderr, "  question %d '%s': could not give the correct answer \"%s\"%s%s\n", i, qq->id, ca,
                e.msg[0] ? ": " : "", e.msg);
    free(ca);
    return ok;
}

/* Answers question i with an answer that is not its correct one. */
static bool answer_wrong(Quiz *q, int i, QuizResult *r)
{
    const QuizQuestion *qq = quiz_question(q, i);
    char *ca = xstrdup(quiz_correct_answer(q, i));
    Error e = {{0}};
    bool ok = false;
    switch (qq->type) {
    case QUIZ_CHOICE: {
        int k = find_text(qq->options, qq->n_options, ca) == 0 ? 1 : 0;
        ok = quiz_answer_choice(q, i, k, r, &e);
        break;
    }
    case QUIZ_MULTI: { /* exactly the options that are not correct */
        Parts p = split(ca, "; ");
        int sel[32], n = 0;
        for (int k = 0; k < qq->n_options && n < 32; k++)
            if (find_text(p.v, p.n, qq->options[k]) < 0) sel[n++] = k;
        parts_free(&p);
        ok = quiz_answer_multi(q, i, sel, n, r, &e);
        break;
    }
    case QUIZ_TRUEFALSE:
        ok = quiz_answer_bool(q, i, !same_str(ca, qq->options[0]), r, &e);
        break;
    case QUIZ_NUMERIC: {
        double x;
        ok = parse_amount(ca, &x) && quiz_answer_number(q, i, x + 1000, r, &e);
        break;
    }
    case QUIZ_TEXT:
        ok = quiz_answer_text(q, i, "no idea", r, &e);
        break;
    case QUIZ_MATCH: { /* each left item gets the next one's right item */
        Parts p = split(ca, "; ");
        int right[32], pick[32], n = qq->n_left;
        ok = p.n == n && n <= 32;
        for (int l = 0; ok && l < n; l++) {
            const char *rt = strstr(p.v[l], ARROW);
            ok = rt && (right[l] = find_text(qq->right, qq->n_right, rt + strlen(ARROW))) >= 0;
        }
        for (int l = 0; ok && l < n; l++) pick[l] = right[(l + 1) % n];
        parts_free(&p);
        ok = ok && quiz_answer_match(q, i, pick, n, r, &e);
        break;
    }
    case QUIZ_ORDER: { /* the correct order reversed */
        Parts p = split(ca, ARROW);
        int ord[32], n = qq->n_items;
        ok = p.n == n && n <= 32;
        for (int k = 0; ok && k < n; k++) ok = (ord[n - 1 - k] = find_text(qq->items, n, p.v[k])) >= 0;
        parts_free(&p);
        ok = ok && quiz_answer_order(q, i, ord, n, r, &e);
        break;
    }
    case QUIZ_BLANKS: {
        const char *t[32];
        for (int k = 0; k < qq->n_blanks && k < 32; k++) t[k] = "x";
        ok = quiz_answer_blanks(q, i, t, qq->n_blanks, r, &e);
        break;
    }
    case QUIZ_HOTSPOT:
        ok = quiz_answer_point(q, i, 0, 0, r, &e);
        break;
    case QUIZ_SCENARIO: {
        /* At every step, an option that is not on the correct path. */
        Parts p = split(ca, ARROW);
        ok = true;
        for (int guard = 0; ok && guard < 100; guard++) {
            const QuizQuestion *cur = quiz_question(q, i);
            int o = 0;
            for (int k = 0; k < cur->n_options; k++)
                if (find_text(p.v, p.n, cur->options[k]) < 0) {
                    o = k;
                    break;
                }
            ok = quiz_answer_scenario(q, i, o, r, &e);
            if (ok && r->done) break;
        }
        ok = ok && r->done;
        parts_free(&p);
        break;
    }
    }
    if (!ok)
        fprintf(stderr, "  question %d '%s': could not give a wrong answer%s%s\n", i, qq->id,
                e.msg[0] ? ": " : "", e.msg);
    free(ca);
    return ok;
}

/* ---- the tests ---------------------------------------------------------- */

TEST(lessons_list_their_quiz)
{
    for (int c = 0; c < N_COURSES; c++) {
        CHECK(open_course(&courses[c]));
        if (!courses[c].man) continue;
        CHECK_STR(courses[c].path, "quizzes/check.lua");
    }
    CHECK(courses[ORIGIN_TH].th && !courses[ORIGIN].th);
}

TEST(self_test_200_seeds)
{
    for (int c = 0; c < N_COURSES; c++) {
        Quiz *q = load(&courses[c], 1);
        CHECK(q);
        if (!q) continue;
        Error e;
        bool ok = quiz_self_test(q, SELF_TEST_SEEDS, &e);
        if (!ok) fprintf(stderr, "  %s: %s\n", courses[c].dir, e.msg);
        CHECK(ok);
        /* Sensible settings, and an explanation on every question. */
        CHECK(quiz_pass_mark(q) >= 0.6 && quiz_pass_mark(q) <= 0.8);
        for (int i = 0; i < quiz_count(q); i++) {
            const QuizQuestion *qq = quiz_question(q, i);
            if (!qq->explain || !qq->explain[0]) fprintf(stderr, "  %s '%s': no explanation\n", courses[c].dir, qq->id);
            CHECK(qq->explain && qq->explain[0]);
        }
        quiz_free(q);
    }
}

TEST(all_correct_scores_full_marks)
{
    for (int c = 0; c < N_COURSES; c++) {
        for (uint64_t seed = 0; seed < 25; seed++) {
            Quiz *q = load(&courses[c], seed * 7919 + 3);
            CHECK(q);
            if (!q) continue;
            for (int i = 0; i < quiz_count(q); i++) {
                QuizResult r;
                bool ok = answer_right(q, i, &r);
                CHECK(ok && r.correct && r.score == 1 && r.locked);
            }
            QuizScore s = quiz_score(q);
            CHECK(s.answered == s.total && s.total == quiz_count(q));
            CHECK(fabs(s.scaled - 1) < 1e-9 && s.passed);
            quiz_free(q);
        }
    }
}

TEST(all_wrong_fails)
{
    for (int c = 0; c < N_COURSES; c++) {
        for (uint64_t seed = 0; seed < 25; seed++) {
            Quiz *q = load(&courses[c], seed * 104729 + 11);
            CHECK(q);
            if (!q) continue;
            for (int i = 0; i < quiz_count(q); i++) {
                QuizResult r;
                bool ok = answer_wrong(q, i, &r);
                CHECK(ok && !r.correct && r.score < 1);
            }
            QuizScore s = quiz_score(q);
            CHECK(!s.passed && s.scaled < quiz_pass_mark(q));
            CHECK(s.scaled < 0.25);
            quiz_free(q);
        }
    }
}

/* Everything a learner sees of question i, as one string. */
static char *snapshot(Quiz *q, int i)
{
    const QuizQuestion *qq = quiz_question(q, i);
    Buf b = {0};
    buf_printf(&b, "%s|%d|%s|%s|%s|", qq->id, (int)qq->type, qq->prompt, qq->explain ? qq->explain : "",
               quiz_correct_answer(q, i));
    for (int k = 0; k < qq->n_options; k++) buf_printf(&b, "o:%s|", qq->options[k]);
    for (int k = 0; k < qq->n_right; k++) buf_printf(&b, "r:%s|", qq->right[k]);
    for (int k = 0; k < qq->n_items; k++) buf_printf(&b, "i:%s|", qq->items[k]);
    buf_printf(&b, "step:%s|tries:%d|locked:%d|score:%.9f|you:%s|fb:%s", qq->step ? qq->step : "",
               qq->tries, qq->locked, qq->score, qq->your_answer ? qq->your_answer : "",
               qq->feedback ? qq->feedback : "");
    return buf_take(&b);
}

TEST(same_seed_same_numbers)
{
    for (int c = 0; c < N_COURSES; c++) {
        int differ = 0;
        for (uint64_t seed = 100; seed < 120; seed++) {
            Quiz *a = load(&courses[c], seed), *b = load(&courses[c], seed), *o = load(&courses[c], seed + 1000);
            CHECK(a && b && o);
            if (a && b && o) {
                CHECK(quiz_count(a) == quiz_count(b));
                for (int i = 0; i < quiz_count(a) && i < quiz_count(b); i++) {
                    char *sa = snapshot(a, i), *sb = snapshot(b, i);
                    CHECK_STR(sa, sb);
                    free(sa);
                    free(sb);
                }
                /* Another seed draws other numbers (or another order). */
                for (int i = 0; i < quiz_count(a) && i < quiz_count(o); i++)
                    if (strcmp(quiz_question(a, i)->prompt, quiz_question(o, i)->prompt) != 0) {
                        differ++;
                        break;
                    }
            }
            quiz_free(a);
            quiz_free(b);
            quiz_free(o);
        }
        CHECK(differ >= 15);
    }
}

TEST(saved_attempt_restores)
{
    for (int c = 0; c < N_COURSES; c++) {
        for (uint64_t seed = 40; seed < 46; seed++) {
            Quiz *a = load(&courses[c], seed);
            CHECK(a);
            if (!a) continue;
            /* Right, wrong, or untouched in turn; a scenario in the third
             * group is left half-way through its steps. */
            for (int i = 0; i < quiz_count(a); i++) {
                QuizResult r;
                Error e;
                int mode = (i + (int)seed) % 3;
                if (mode == 0) CHECK(answer_right(a, i, &r));
                else if (mode == 1) CHECK(answer_wrong(a, i, &r));
                else if (quiz_question(a, i)->type == QUIZ_SCENARIO) {
                    char *ca = xstrdup(quiz_correct_answer(a, i));
                    Parts p = split(ca, ARROW);
                    const QuizQuestion *qq = quiz_question(a, i);
                    int o = find_text(qq->options, qq->n_options, p.v[0]);
                    CHECK(o >= 0 && quiz_answer_scenario(a, i, o, &r, &e) && !r.done);
                    parts_free(&p);
                    free(ca);
                }
            }
            Error e;
            char *saved = quiz_save(a, &e);
            CHECK(saved);
            Quiz *b = load(&courses[c], seed);
            CHECK(b);
            if (saved && b) {
                bool ok = quiz_restore(b, saved, &e);
                if (!ok) fprintf(stderr, "  %s: %s\n", courses[c].dir, e.msg);
                CHECK(ok);
                CHECK(quiz_count(a) == quiz_count(b));
                for (int i = 0; i < quiz_count(a) && i < quiz_count(b); i++) {
                    char *sa = snapshot(a, i), *sb = snapshot(b, i);
                    CHECK_STR(sb, sa);
                    free(sa);
                    free(sb);
                }
                QuizScore sa = quiz_score(a), sb = quiz_score(b);
                CHECK(fabs(sa.raw - sb.raw) < 1e-9 && sa.answered == sb.answered && sa.passed == sb.passed);
            }
            free(saved);
            quiz_free(a);
            quiz_free(b);
        }
    }
}

/* ---- independent recomputation ----------------------------------------- */

/* Counts of the outcomes seen, to show the draws cover every case. */
typedef struct Coverage {
    int cumulation[3];    /* meets without / only with / fails with cumulation */
    int ctc[4];           /* CC (and so all) / CTH+CTSH / CTSH only / none */
    int de_minimis[2];    /* does not qualify / qualifies */
    int deadline[2];      /* not extended / extended */
    int rvc40_down[2];    /* build-down result below / at least 40% */
} Coverage;

/* The quiz's own numeric answer, from the review text "52750 USD". */
static bool numeric_answer(Quiz *q, int i, double *x)
{
    return parse_amount(quiz_correct_answer(q, i), x);
}

/* Display index of the quiz's correct option (choice) or NULL-safe set
 * (multi, as a bit mask) from the review text. */
static int choice_answer(Quiz *q, int i)
{
    const QuizQuestion *qq = quiz_question(q, i);
    return find_text(qq->options, qq->n_options, quiz_correct_answer(q, i));
}

static unsigned multi_answer(Quiz *q, int i)
{
    const QuizQuestion *qq = quiz_question(q, i);
    Parts p = split(quiz_correct_answer(q, i), "; ");
    unsigned mask = 0;
    for (int k = 0; k < p.n; k++) {
        int o = find_text(qq->options, qq->n_options, p.v[k]);
        mask |= o >= 0 ? 1u << o : 1u << 31;
    }
    parts_free(&p);
    return mask;
}

static bool near(double a, double b, double tol) { return fabs(a - b) <= tol; }

#define GET(marker, var)                                                                 \
    do {                                                                                 \
        if (!amount_after(prompt, (marker), &(var))) {                                   \
            fprintf(stderr, "  '%s': no number after \"%s\" in: %s\n", id, (marker), prompt); \
            return false;                                                                \
        }                                                                                \
    } while (0)

/* Recomputes question i of a course's quiz from its prompt. Returns false on
 * a mismatch (or a prompt it cannot read); *checked is set when the question
 * is one of the parameterised ones. */
static bool recompute(int course, Quiz *q, int i, bool *checked, Coverage *cov)
{
    const QuizQuestion *qq = quiz_question(q, i);
    const char *id = qq->id, *prompt = qq->prompt;
    bool th = courses[course].th;
    *checked = true;
    double got;

    if (course == VALUATION && strcmp(id, "cif-value") == 0) {
        double price, sell, buy, pack, freight, ins, inland, duty;
        GET("paid for the goods ", price);
        GET("seller's agent ", sell);
        GET("buying agent abroad ", buy);
        GET("labour and materials ", pack);
        GET("freight to the port of importation ", freight);
        GET("insurance to the port of importation ", ins);
        GET("after importation ", inland);
        GET("import duty ", duty);
        /* CIF: price + selling commission + packing + freight + insurance;
         * buying commission, inland freight after arrival and duty excluded. */
        double want = price + sell + pack + freight + ins;
        return numeric_answer(q, i, &got) && near(got, want, 0.5) && buy > 0 && inland > 0 && duty > 0;
    }
    if (course == VALUATION && strcmp(id, "assist-value") == 0) {
        double units, unit_price, mould, expected, roy, freight, ins;
        GET("orders ", units);
        GET("units at ", unit_price);
        GET("mould worth ", mould);
        GET("expected to produce ", expected);
        GET("royalty of ", roy);
        GET("port of importation is ", freight);
        GET("and insurance ", ins);
        double price = units * unit_price;
        double want = price + mould / expected * units + price * roy / 100 + freight + ins;
        return numeric_answer(q, i, &got) && near(got, want, 0.5) && units <= expected;
    }
    if (course == VALUATION && strcmp(id, "fob-value") == 0) {
        double invoice, freight, ins, install, roy, interest;
        GET("CIF total of ", invoice);
        GET("freight to the port of importation ", freight);
        GET("insurance ", ins);
        GET("after importation ", install);
        GET("royalty of ", roy);
        GET("interest of ", interest);
        /* FOB: invoice - installation + royalty - freight - insurance; no interest. */
        double want = invoice - install + roy - freight - ins;
        return numeric_answer(q, i, &got) && near(got, want, 0.5) && interest > 0;
    }
    if ((course == ORIGIN || course == ORIGIN_TH) && strcmp(id, "rvc-build-down") == 0) {
        double fob, motor, resin, unknown, orig;
        GET(th ? "ราคา FOB " : "FOB value of ", fob);
        GET(th ? "มอเตอร์นำเข้า " : "imported motor, ", motor);
        GET(th ? "เม็ดพลาสติกนำเข้า " : "imported plastic resin, ", resin);
        GET(th ? "ชิ้นส่วนที่ไม่ทราบถิ่นกำเนิด " : "unknown origin, ", unknown);
        GET(th ? "ผู้ผลิตในประเทศ " : "local producer, ", orig);
        /* Unknown origin counts as non-originating; originating stays out. */
        double vnm = motor + resin + unknown;
        double want = (fob - vnm) / fob * 100;
        cov->rvc40_down[(cents(fob) - cents(vnm)) * 100 >= 40 * cents(fob)]++;
        /* asked to one decimal place */
        return numeric_answer(q, i, &got) && near(got, want, 0.05 + 1e-9) && orig > 0 && want > 0 && want < 100;
    }
    if ((course == ORIGIN || course == ORIGIN_TH) && strcmp(id, "rvc-build-up") == 0) {
        double fob, vom, lab, ovh, profit, other, vnm;
        GET(th ? "ราคา FOB " : "at FOB ", fob);
        GET("(VOM) ", vom);
        GET(th ? "ค่าแรงงานทางตรง " : "direct labour ", lab);
        GET(th ? "ค่าโสหุ้ยทางตรง " : "direct overhead ", ovh);
        GET(th ? "กำไร " : "profit ", profit);
        GET(th ? "ต้นทุนอื่น ๆ " : "other costs ", other);
        GET(th ? "ส่วนที่เหลือ " : "remaining ", vnm);
        double up = vom + lab + ovh + profit + other;
        double want = up / fob * 100;
        /* The build-down method on the stated VNM must agree. */
        bool consistent = cents(fob) - cents(vnm) == cents(up) && vnm > 0;
        return numeric_answer(q, i, &got) && near(got, want, 0.05 + 1e-9) && consistent;
    }
    if ((course == ORIGIN || course == ORIGIN_TH) && strcmp(id, "rvc-cumulation") == 0) {
        double fob, vnm, cum;
        GET(th ? "ราคา FOB " : "FOB value of ", fob);
        GET(th ? "มูลค่ารวม " : "are worth ", vnm);
        GET(th ? "วัตถุดิบมูลค่า " : "inputs worth ", cum);
        long f = cents(fob), v = cents(vnm), k = cents(cum);
        int want = (f - v) * 100 >= 40 * f ? 0 : (f - v + k) * 100 >= 40 * f ? 1 : 2;
        cov->cumulation[want]++;
        /* Options are in the author's order (shuffle = false). */
        return qq->n_options == 3 && choice_answer(q, i) == want && k > 0 && k < v;
    }
    if ((course == ORIGIN || course == ORIGIN_TH) && strcmp(id, "ctc-rules") == 0) {
        char good[8], input[8];
        if (!hs_code(prompt, 0, good) || !hs_code(prompt, 1, input)) {
            fprintf(stderr, "  '%s': no HS codes in: %s\n", id, prompt);
            return false;
        }
        /* Digits without the dot: chapter 2, heading 4, subheading 6. */
        char g[7], n[7];
        memcpy(g, good, 4), memcpy(g + 4, good + 5, 2), g[6] = 0;
        memcpy(n, input, 4), memcpy(n + 4, input + 5, 2), n[6] = 0;
        bool cc = strncmp(g, n, 2) != 0, cth = strncmp(g, n, 4) != 0, ctsh = strncmp(g, n, 6) != 0;
        unsigned want = (cc ? 1u : 0) | (cth ? 2u : 0) | (ctsh ? 4u : 0);
        if (!want) want = 8u; /* "None of these rules" */
        cov->ctc[cc ? 0 : cth ? 1 : ctsh ? 2 : 3]++;
        return qq->n_options == 4 && multi_answer(q, i) == want;
    }
    if ((course == ORIGIN || course == ORIGIN_TH) && strcmp(id, "de-minimis") == 0) {
        double fob, a, b;
        GET(th ? "ราคา FOB " : "(FOB ", fob);
        GET(th ? "ชิ้นส่วนตกแต่งมูลค่า " : "decorative part worth ", a);
        GET(th ? "โป๊ะแก้วมูลค่า " : "glass shade worth ", b);
        /* At most 10% of FOB, all non-changing inputs together. */
        bool want = (cents(a) + cents(b)) * 100 <= 10 * cents(fob);
        cov->de_minimis[want]++;
        return same_str(quiz_correct_answer(q, i), qq->options[want ? 0 : 1]);
    }
    if (course == IPR && strcmp(id, "deadline") == 0) {
        double day;
        GET("on working day ", day);
        bool ext = strstr(prompt, "extended the period") != NULL;
        bool not_ext = strstr(prompt, "was not extended") != NULL;
        if (ext == not_ext) {
            fprintf(stderr, "  '%s': cannot tell whether the period was extended: %s\n", id, prompt);
            return false;
        }
        cov->deadline[ext]++;
        double want = day + 10 + (ext ? 10 : 0);
        return numeric_answer(q, i, &got) && near(got, want, 1e-9);
    }
    *checked = false;
    return true;
}

TEST(independent_recomputation_500_seeds)
{
    /* How many parameterised questions each quiz has. */
    static const int expected[N_COURSES] = {3, 5, 5, 1};
    for (int c = 0; c < N_COURSES; c++) {
        Coverage cov = {0};
        int failures = 0;
        for (uint64_t seed = 0; seed < RECOMPUTE_SEEDS; seed++) {
            Quiz *q = load(&courses[c], seed * 2654435761u + 17);
            CHECK(q);
            if (!q) break;
            int n = 0;
            for (int i = 0; i < quiz_count(q); i++) {
                bool checked = false;
                if (!recompute(c, q, i, &checked, &cov)) {
                    if (failures++ < 5)
                        fprintf(stderr, "  %s seed %llu '%s': the quiz says \"%s\" for: %s\n", courses[c].dir,
                                (unsigned long long)seed, quiz_question(q, i)->id, quiz_correct_answer(q, i),
                                quiz_question(q, i)->prompt);
                }
                n += checked;
            }
            CHECK(n == expected[c]);
            quiz_free(q);
        }
        CHECK(failures == 0);
        /* The draws reach every case the questions are about. */
        if (c == ORIGIN || c == ORIGIN_TH) {
            for (int k = 0; k < 3; k++) CHECK(cov.cumulation[k] >= 10);
            for (int k = 0; k < 4; k++) CHECK(cov.ctc[k] >= 10);
            CHECK(cov.de_minimis[0] >= 50 && cov.de_minimis[1] >= 50);
            CHECK(cov.rvc40_down[0] >= 50 && cov.rvc40_down[1] >= 50);
        }
        if (c == IPR) CHECK(cov.deadline[0] >= 100 && cov.deadline[1] >= 100);
    }
}

TEST(every_question_type_is_used)
{
    int used[N_TYPES] = {0};
    for (int c = 0; c < N_COURSES; c++) {
        Quiz *q = load(&courses[c], 5);
        CHECK(q);
        if (!q) continue;
        for (int i = 0; i < quiz_count(q); i++) {
            int t = (int)quiz_question(q, i)->type;
            CHECK(t >= 0 && t < N_TYPES);
            if (t >= 0 && t < N_TYPES) used[t]++;
        }
        quiz_free(q);
    }
    static const char *const names[N_TYPES] = {"choice", "multi", "truefalse", "numeric", "text",
                                               "match", "order", "blanks", "hotspot", "scenario"};
    for (int t = 0; t < N_TYPES; t++) {
        if (!used[t]) fprintf(stderr, "  no quiz uses the '%s' type\n", names[t]);
        CHECK(used[t] > 0);
    }
}

TEST(thai_quiz_matches_english)
{
    /* The shared arithmetic is the same file in both lessons. */
    CHECK(open_course(&courses[ORIGIN]) && open_course(&courses[ORIGIN_TH]));
    char *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;
    Error e;
    CHECK(package_read(courses[ORIGIN].pkg, "quizzes/origin.lua", &a, &al, &e));
    CHECK(package_read(courses[ORIGIN_TH].pkg, "quizzes/origin.lua", &b, &bl, &e));
    CHECK(a && b && al == bl && memcmp(a, b, al) == 0);
    free(a);
    free(b);
    /* Same ids, types, order, numbers and correct options for the same seed. */
    for (uint64_t seed = 0; seed < 50; seed++) {
        Quiz *en = load(&courses[ORIGIN], seed), *th = load(&courses[ORIGIN_TH], seed);
        CHECK(en && th);
        if (en && th) {
            CHECK(quiz_count(en) == quiz_count(th));
            for (int i = 0; i < quiz_count(en) && i < quiz_count(th); i++) {
                const QuizQuestion *x = quiz_question(en, i), *y = quiz_question(th, i);
                CHECK_STR(y->id, x->id);
                CHECK(x->type == y->type && x->weight == y->weight && x->max_tries == y->max_tries);
                double gx, gy;
                switch (x->type) {
                case QUIZ_NUMERIC:
                    CHECK(numeric_answer(en, i, &gx) && numeric_answer(th, i, &gy) && gx == gy);
                    CHECK_STR(y->unit, x->unit);
                    break;
                case QUIZ_CHOICE:
                case QUIZ_TRUEFALSE:
                    CHECK(x->n_options == y->n_options && choice_answer(en, i) == choice_answer(th, i));
                    break;
                case QUIZ_MULTI:
                    CHECK(x->n_options == y->n_options && multi_answer(en, i) == multi_answer(th, i));
                    break;
                case QUIZ_BLANKS:
                    CHECK(x->n_blanks == y->n_blanks);
                    break;
                default:
                    break;
                }
                /* The Thai wording really is Thai (U+0E00..U+0E7F: E0 B8/B9 ..). */
                CHECK(strstr(y->prompt, "\xe0\xb8") || strstr(y->prompt, "\xe0\xb9"));
            }
        }
        quiz_free(en);
        quiz_free(th);
    }
}

TEST(hotspot_matches_the_picture)
{
    Quiz *q = load(&courses[IPR], 9);
    CHECK(q);
    if (!q) return;
    int found = 0;
    for (int i = 0; i < quiz_count(q); i++) {
        const QuizQuestion *qq = quiz_question(q, i);
        if (qq->type != QUIZ_HOTSPOT) continue;
        found++;
        char *svg = NULL;
        size_t len = 0;
        Error e;
        CHECK(package_read(courses[IPR].pkg, qq->image, &svg, &len, &e));
        if (!svg) continue;
        /* Regions are in pixels of the picture: within its width and height. */
        double w = 0, h = 0;
        CHECK(amount_after(svg, "width=\"", &w) && amount_after(svg, "height=\"", &h));
        CHECK(amount_after(svg, "viewBox=\"0 0 ", &(double){0}));
        CHECK(!qq->fractions);
        for (int k = 0; k < qq->n_regions; k++) {
            const QuizRegion *g = &qq->regions[k];
            CHECK(g->x >= 0 && g->y >= 0 && g->x + g->w <= w && g->y + g->h <= h);
            for (int j = 0; j < k; j++) { /* no overlaps: a click means one thing */
                const QuizRegion *o = &qq->regions[j];
                CHECK(g->x >= o->x + o->w || o->x >= g->x + g->w || g->y >= o->y + o->h || o->y >= g->y + g->h);
            }
        }
        /* The correct region is the tell's box given in the SVG's comment. */
        double bx, by, bw, bh;
        const char *box = strstr(svg, "Tell bounding box (viewBox units):");
        CHECK(box);
        if (box) {
            CHECK(amount_after(box, "x=", &bx) && amount_after(box, "y=", &by));
            CHECK(amount_after(box, "width=", &bw) && amount_after(box, "height=", &bh));
            int correct = -1;
            for (int k = 0; k < qq->n_regions; k++)
                if (same_str(qq->regions[k].label, quiz_correct_answer(q, i))) correct = k;
            CHECK(correct >= 0);
            if (correct >= 0) {
                const QuizRegion *g = &qq->regions[correct];
                CHECK(g->x == bx && g->y == by && g->w == bw && g->h == bh);
            }
        }
        free(svg);
    }
    CHECK(found == 1);
    quiz_free(q);
}

int main(void)
{
    RUN(lessons_list_their_quiz);
    RUN(self_test_200_seeds);
    RUN(all_correct_scores_full_marks);
    RUN(all_wrong_fails);
    RUN(same_seed_same_numbers);
    RUN(saved_attempt_restores);
    RUN(independent_recomputation_500_seeds);
    RUN(every_question_type_is_used);
    RUN(thai_quiz_matches_english);
    RUN(hotspot_matches_the_picture);
    close_courses();
    return test_summary();
}
