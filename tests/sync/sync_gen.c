/* sync_gen: makes progress in a data folder with the store API, so the sync
 * tests send exactly what the player records. Used by test_sync.py and the
 * sync benchmark.
 *   sync_gen DIR all NAME          one statement of every kind the player makes:
 *                                  launched, experienced, progressed, attempted,
 *                                  answered, passed, failed, completed
 *   sync_gen DIR events NAME N     about N statements of a realistic mix
 *   sync_gen DIR summary NAME|ID   one line: what the home screen would show
 *   sync_gen DIR id NAME           the learner's id
 *   sync_gen DIR home-page IRI     sets the account home page
 * The learner is created when missing. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

static ManifestPage g_pages[] = {
    {"pages/01-intro.md", "intro", "Introduction", PAGE_MARKDOWN},
    {"pages/02-rules.md", "rules", "The rules", PAGE_MARKDOWN},
    {"pages/03-cases.md", "cases", "Worked cases", PAGE_MARKDOWN},
    {"quiz/check.lua", "quiz1", "Check yourself", PAGE_QUIZ},
};
static Manifest g_lesson = {
    .id = "wco.valuation.basics", .version = "1.1.0", .title = "Customs valuation: the basics",
    .language = "en", .pages = g_pages, .n_pages = 4,
};

static Store *g_s;

static void die(const char *what, const Error *err)
{
    fprintf(stderr, "sync_gen: %s: %s\n", what, err->msg);
    store_close(g_s);
    exit(1);
}

static void learner(const char *name, char id[STORE_ID_SIZE])
{
    Error err = {{0}};
    StoreLearner l;
    if (store_learner_find(g_s, name, &l, &err)) {
        memcpy(id, l.id, STORE_ID_SIZE);
        return;
    }
    if (store_learner_get(g_s, name, &l, &err)) {
        memcpy(id, l.id, STORE_ID_SIZE);
        return;
    }
    if (!store_learner_create(g_s, name, NULL, id, &err)) die("learner", &err);
}

static void quiz(const char *id, int k, bool pass)
{
    Error err = {{0}};
    char attempt[STORE_ID_SIZE];
    if (!store_attempt_start(g_s, id, &g_lesson, "quiz1", k, attempt, &err)) die("start", &err);
    char qid[32];
    snprintf(qid, sizeof qid, "q%d", k % 5 + 1);
    StoreAnswer a = {.question_id = qid, .question_text = "Which costs are part of the value?",
                     .interaction = "choice", .response = "freight[,]insurance",
                     .score = pass ? 1 : 0, .max_score = 1, .correct = pass};
    if (!store_answer(g_s, attempt, &a, &err)) die("answer", &err);
    StoreAttemptResult r = {.raw = pass ? 4 : 2, .min = 0, .max = 5, .passed = pass,
                            .duration_ms = 63250};
    if (!store_attempt_finish(g_s, attempt, &r, &err)) die("finish", &err);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: sync_gen DIR all|events|summary|id|home-page ARG [N]\n", stderr);
        return 2;
    }
    Error err = {{0}};
    if (!mkdir_p(argv[1], &err)) die("folder", &err);
    char *path = xasprintf("%s/outpost.db", argv[1]);
    g_s = store_open(path, NULL, &err);
    free(path);
    if (!g_s) die("open", &err);
    const char *cmd = argv[2];
    char id[STORE_ID_SIZE];
    if (strcmp(cmd, "home-page") == 0) {
        if (!store_set_home_page(g_s, argv[3], &err)) die("home page", &err);
    } else if (strcmp(cmd, "id") == 0) {
        learner(argv[3], id);
        puts(id);
    } else if (strcmp(cmd, "all") == 0) {
        learner(argv[3], id);
        if (!store_lesson_launched(g_s, id, &g_lesson, &err)) die("launch", &err);
        if (!store_page_seen(g_s, id, &g_lesson, "intro", &err)) die("page", &err);
        if (!store_set_position(g_s, id, &g_lesson, "rules", 0.25, &err)) die("position", &err);
        quiz(id, 1, true);  /* attempted, answered, passed */
        quiz(id, 2, false); /* attempted, answered, failed */
        if (!store_lesson_completed(g_s, id, &g_lesson, &err)) die("complete", &err);
    } else if (strcmp(cmd, "events") == 0 && argc >= 5) {
        learner(argv[3], id);
        long n = strtol(argv[4], NULL, 10);
        long made = 0;
        static const char *const pages[] = {"intro", "rules", "cases"};
        for (int k = 0; made < n; k++) {
            if (k % 20 == 0) {
                if (!store_lesson_launched(g_s, id, &g_lesson, &err)) die("launch", &err);
                made++;
            }
            const char *p = pages[k % 3];
            if (!store_page_seen(g_s, id, &g_lesson, p, &err)) die("page", &err);
            if (!store_set_position(g_s, id, &g_lesson, p, 0, &err)) die("position", &err);
            /* A learner turns pages seconds apart; two positions in the same
             * millisecond would tie, and ties are settled by statement id,
             * not by order, on the other PC (docs/sync.md). */
            usleep(1100);
            made += 2;
            if (k % 4 == 3) {
                quiz(id, k, k % 8 == 7);
                made += 3;
            }
        }
    } else if (strcmp(cmd, "summary") == 0) {
        learner(argv[3], id);
        const Manifest *ls[1] = {&g_lesson};
        StoreLessonSummary sum;
        if (!store_lesson_summaries(g_s, id, ls, 1, &sum, &err)) die("summary", &err);
        printf("seen=%d/%d position=%s completed=%d passed=%d quiz_passed=%d best=%.2f "
               "opened=%d open_attempt=%d\n",
               sum.pages_seen, sum.pages_total,
               sum.position_page >= 0 ? g_pages[sum.position_page].id : "-", sum.completed,
               sum.passed, sum.quiz_passed, sum.best_scaled, sum.last_opened_ms > 0,
               sum.attempt_open);
    } else {
        fprintf(stderr, "sync_gen: unknown command %s\n", cmd);
        store_close(g_s);
        return 2;
    }
    store_close(g_s);
    return 0;
}
