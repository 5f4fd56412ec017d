/* store_killer: the victim of the kill test (test_kill.c). Opens the store in
 * DIR, then records events as fast as it can, printing one line on stdout
 * (flushed) for each event AFTER the store acknowledged its commit:
 *   R                     ready (store open)
 *   S <attempt>           attempt started
 *   A <attempt> <qid>     answer recorded
 *   F <attempt>           attempt finished
 *   P <page>              page seen
 * It runs until killed (or for at most 100000 events). */
#include "helpers.h"

static void ack(const char *fmt, const char *a, const char *b)
{
    printf(fmt, a, b);
    fflush(stdout);
}

static void fail(const char *what, const Error *err)
{
    printf("E %s: %s\n", what, err->msg);
    fflush(stdout);
    exit(3);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: store_killer DIR\n", stderr);
        return 2;
    }
    char *path = xasprintf("%s/outpost.db", argv[1]);
    Error err = {{0}};
    Store *s = store_open(path, NULL, &err);
    if (!s) fail("open", &err);
    StoreLearner l;
    char id[STORE_ID_SIZE];
    if (store_learner_find(s, "Kill Test", &l, &err))
        memcpy(id, l.id, sizeof id);
    else if (!store_learner_create(s, "Kill Test", NULL, id, &err))
        fail("learner", &err);
    ack("R\n", "", "");
    if (!store_lesson_launched(s, id, &g_lesson_v1, &err)) fail("launch", &err);
    ack("L\n", "", "");
    char attempt[STORE_ID_SIZE] = "";
    char qid[64];
    for (int k = 0; k < 100000; k++) {
        if (!attempt[0] || k % 15 == 14) {
            if (attempt[0]) {
                StoreAttemptResult r = {.raw = k % 10, .min = 0, .max = 10,
                                        .passed = k % 10 >= 7, .duration_ms = -1};
                if (!store_attempt_finish(s, attempt, &r, &err)) fail("finish", &err);
                ack("F %s\n", attempt, "");
            }
            if (!store_attempt_start(s, id, &g_lesson_v1, "quiz1", k, attempt, &err))
                fail("start", &err);
            ack("S %s\n", attempt, "");
        }
        snprintf(qid, sizeof qid, "q-%ld-%d", (long)getpid(), k);
        StoreAnswer a = {.question_id = qid, .response = "b", .interaction = "choice",
                         .score = k % 2, .max_score = 1, .correct = k % 2, .state = qid};
        if (!store_answer(s, attempt, &a, &err)) fail("answer", &err);
        ack("A %s %s\n", attempt, qid);
        if (k % 5 == 0) {
            const char *page = k % 10 ? "intro" : "rules";
            if (!store_page_seen(s, id, &g_lesson_v1, page, &err)) fail("page", &err);
            ack("P %s\n", page, "");
        }
    }
    store_close(s);
    free(path);
    return 0;
}
