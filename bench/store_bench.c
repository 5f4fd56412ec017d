/* store_bench: measures what the learner feels.
 *  1. Answer commit latency: 1000 store_answer() calls, each a committed,
 *     fsync'd transaction (synchronous=FULL) with its xAPI statement.
 *  2. Home screen: store_lesson_summaries() for 50 lessons, for each of 20
 *     learners, on a database holding 100 finished attempts per learner and
 *     lesson (100,000 attempts) plus pages seen. Also the time to open that
 *     database (quick_check, migration).
 * Usage: store_bench [DIR]  (default: a new folder under $TMPDIR or /tmp;
 * run it on the disk the player will use, fsync cost depends on it). */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_COMMITS 1000
#define N_LESSONS 50
#define N_LEARNERS 20
#define N_ATTEMPTS 100 /* per learner and lesson */
#define N_PAGES 20     /* per lesson, the last two are quizzes */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

static void die(const char *what, const Error *err)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, err->msg);
    exit(1);
}

static Manifest g_lessons[N_LESSONS];
static ManifestPage g_pages[N_LESSONS][N_PAGES];

static void make_lessons(void)
{
    for (int l = 0; l < N_LESSONS; l++) {
        for (int p = 0; p < N_PAGES; p++) {
            g_pages[l][p] = (ManifestPage){xasprintf("pages/%02d.md", p), xasprintf("page-%02d", p),
                                           NULL, p >= N_PAGES - 2 ? PAGE_QUIZ : PAGE_MARKDOWN};
        }
        g_lessons[l] = (Manifest){.id = xasprintf("wco.bench.lesson-%02d", l), .version = "1.0.0",
                                  .title = "Bench lesson", .language = "en",
                                  .pages = g_pages[l], .n_pages = N_PAGES};
    }
}

static void free_lessons(void)
{
    for (int l = 0; l < N_LESSONS; l++) {
        free(g_lessons[l].id);
        for (int p = 0; p < N_PAGES; p++) {
            free(g_pages[l][p].path);
            free(g_pages[l][p].id);
        }
    }
}

static void bench_commits(const char *dir)
{
    char *path = xasprintf("%s/commits.db", dir);
    Error err;
    Store *s = store_open(path, NULL, &err);
    if (!s) die("open", &err);
    char id[STORE_ID_SIZE], at[STORE_ID_SIZE];
    if (!store_learner_create(s, "Bench", NULL, id, &err)) die("learner", &err);
    if (!store_lesson_launched(s, id, &g_lessons[0], &err)) die("launch", &err);
    if (!store_attempt_start(s, id, &g_lessons[0], "page-19", 1, at, &err)) die("start", &err);
    static double t[N_COMMITS];
    char qid[32], state[512];
    memset(state, 'x', sizeof state - 1);
    state[sizeof state - 1] = 0;
    for (int i = 0; i < N_COMMITS; i++) {
        snprintf(qid, sizeof qid, "q%d", i);
        StoreAnswer a = {.question_id = qid, .question_text = "Which method applies first?",
                         .interaction = "choice", .response = "a[,]c", .score = 1,
                         .max_score = 1, .correct = true, .state = state};
        double t0 = time_now_ms();
        if (!store_answer(s, at, &a, &err)) die("answer", &err);
        t[i] = time_now_ms() - t0;
    }
    double total = 0;
    for (int i = 0; i < N_COMMITS; i++) total += t[i];
    double median = pct(t, N_COMMITS, 0.5), p99 = pct(t, N_COMMITS, 0.99);
    printf("answer commit (statement + fsync), %d commits: median %.2f ms, p99 %.2f ms, "
           "max %.2f ms, mean %.2f ms\n",
           N_COMMITS, median, p99, t[N_COMMITS - 1], total / N_COMMITS);
    store_close(s);
    free(path);
}

static void exec_or_die(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "store_bench: %s\n", msg ? msg : "sql error");
        exit(1);
    }
}

static void bench_home(const char *dir)
{
    char *path = xasprintf("%s/home.db", dir);
    Error err;
    /* Fill a version-1 database in bulk (as years of use would), then let
     * the normal open migrate it: that also times the migration. */
    store_test_set_target_version(1);
    Store *s = store_open(path, NULL, &err);
    store_test_set_target_version(0);
    if (!s) die("open", &err);
    char ids[N_LEARNERS][STORE_ID_SIZE];
    for (int u = 0; u < N_LEARNERS; u++) {
        char name[32];
        snprintf(name, sizeof name, "Learner %02d", u);
        if (!store_learner_create(s, name, NULL, ids[u], &err)) die("learner", &err);
    }
    sqlite3 *db = store_test_db(s);
    exec_or_die(db, "BEGIN");
    sqlite3_stmt *ll, *seen, *att;
    sqlite3_prepare_v2(db, "INSERT INTO learner_lessons(learner_id,lesson_id,version,"
                           "first_opened_ms,last_opened_ms,launches,position_page,"
                           "position_scroll) VALUES(?1,?2,'1.0.0',?3,?3,5,'page-03',0.4)",
                       -1, &ll, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO pages_seen VALUES(?1,?2,?3,'1.0.0',1,1,1)", -1, &seen,
                       NULL);
    sqlite3_prepare_v2(db, "INSERT INTO attempts(id,learner_id,lesson_id,version,page_id,seed,"
                           "started_ms,ended_ms,duration_ms,score_raw,score_min,score_max,"
                           "score_scaled,passed) VALUES(?1,?2,?3,'1.0.0',?4,1,?5,?5+60000,"
                           "60000,?6,0,10,?6/10.0,?6>=7)",
                       -1, &att, NULL);
    long n_att = 0;
    for (int u = 0; u < N_LEARNERS; u++)
        for (int l = 0; l < N_LESSONS; l++) {
            sqlite3_bind_text(ll, 1, ids[u], -1, SQLITE_STATIC);
            sqlite3_bind_text(ll, 2, g_lessons[l].id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ll, 3, 1795000000000LL + l);
            sqlite3_step(ll);
            sqlite3_reset(ll);
            for (int p = 0; p < N_PAGES; p += 1 + (u + l) % 2) {
                sqlite3_bind_text(seen, 1, ids[u], -1, SQLITE_STATIC);
                sqlite3_bind_text(seen, 2, g_lessons[l].id, -1, SQLITE_STATIC);
                sqlite3_bind_text(seen, 3, g_pages[l][p].id, -1, SQLITE_STATIC);
                sqlite3_step(seen);
                sqlite3_reset(seen);
            }
            for (int a = 0; a < N_ATTEMPTS; a++) {
                char aid[STORE_ID_SIZE];
                store_uuid4(aid);
                sqlite3_bind_text(att, 1, aid, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(att, 2, ids[u], -1, SQLITE_STATIC);
                sqlite3_bind_text(att, 3, g_lessons[l].id, -1, SQLITE_STATIC);
                sqlite3_bind_text(att, 4, g_pages[l][N_PAGES - 1 - a % 2].id, -1, SQLITE_STATIC);
                sqlite3_bind_int64(att, 5, 1795000000000LL + a * 100000LL);
                sqlite3_bind_int(att, 6, (a * 7 + u) % 11);
                sqlite3_step(att);
                sqlite3_reset(att);
                n_att++;
            }
        }
    sqlite3_finalize(ll);
    sqlite3_finalize(seen);
    sqlite3_finalize(att);
    exec_or_die(db, "COMMIT");
    store_close(s);

    double t0 = time_now_ms();
    StoreOpenReport rep;
    s = store_open(path, &rep, &err);
    if (!s) die("reopen", &err);
    double t_migrate = time_now_ms() - t0;
    store_close(s);
    t0 = time_now_ms();
    s = store_open(path, &rep, &err);
    if (!s) die("reopen", &err);
    double t_open = time_now_ms() - t0;
    struct stat st;
    stat(path, &st);

    const Manifest *list[N_LESSONS];
    for (int l = 0; l < N_LESSONS; l++) list[l] = &g_lessons[l];
    static StoreLessonSummary sum[N_LESSONS];
    double t[N_LEARNERS * 5];
    int k = 0;
    for (int round = 0; round < 5; round++)
        for (int u = 0; u < N_LEARNERS; u++) {
            double a = time_now_ms();
            if (!store_lesson_summaries(s, ids[u], list, N_LESSONS, sum, &err)) die("summary", &err);
            t[k++] = time_now_ms() - a;
        }
    /* A cold connection: the first summary after opening. */
    store_close(s);
    s = store_open(path, &rep, &err);
    if (!s) die("reopen", &err);
    double a = time_now_ms();
    store_lesson_summaries(s, ids[0], list, N_LESSONS, sum, &err);
    double cold = time_now_ms() - a;
    printf("database: %d learners, %d lessons, %ld attempts, %.1f MB\n", N_LEARNERS, N_LESSONS,
           n_att, (double)st.st_size / 1e6);
    printf("open with migration 1->2 (backfills best scores): %.1f ms; "
           "open (quick_check): %.1f ms\n",
           t_migrate, t_open);
    double median = pct(t, k, 0.5);
    printf("home screen summary (50 lessons, one learner): median %.2f ms, max %.2f ms, "
           "first after open %.2f ms (budget 30 ms)\n",
           median, t[k - 1], cold);
    printf("check: learner 0, lesson 0: %d/%d pages, best %.0f%%, passed %s\n",
           sum[0].pages_seen, sum[0].pages_total, sum[0].best_scaled * 100,
           sum[0].passed ? "yes" : "no");
    store_close(s);
    free(path);
}

int main(int argc, char **argv)
{
    char *dir;
    if (argc > 1) {
        dir = xstrdup(argv[1]);
    } else {
        const char *tmp = getenv("TMPDIR");
        dir = xasprintf("%s/outpost-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
    }
    printf("store_bench in %s\n", dir);
    make_lessons();
    bench_commits(dir);
    bench_home(dir);
    free_lessons();
    const char *files[] = {"commits.db", "commits.db-wal", "commits.db-shm", "home.db",
                           "home.db-wal", "home.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *p = xasprintf("%s/%s", dir, files[i]);
        unlink(p);
        free(p);
    }
    if (argc <= 1) rmdir(dir);
    free(dir);
    return 0;
}
