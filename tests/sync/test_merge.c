/* Tests for the store functions the sync adds (store.h, "Sync and offline
 * bundles"): timestamps, outbox marking, and merging statements from other
 * devices: idempotent by id, position rule (latest timestamp wins, ties by
 * statement id), learners created only when asked. */
#define _XOPEN_SOURCE 700
#include "store.h"
#include "testlib.h"

#include <ftw.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

static ManifestPage g_pages[] = {
    {"pages/a.md", "a", "A", PAGE_MARKDOWN},
    {"pages/b.md", "b", "B", PAGE_MARKDOWN},
    {"quiz/q.lua", "q", "Quiz", PAGE_QUIZ},
};
static Manifest g_lesson = {.id = "les.one", .version = "1", .title = "One", .language = "en",
                            .pages = g_pages, .n_pages = 3};

static int rm_one(const char *p, const struct stat *st, int f, struct FTW *w)
{
    (void)st, (void)f, (void)w;
    return remove(p);
}

static char *g_dir;

static Store *open_fresh(const char *name)
{
    char *path = xasprintf("%s/%s.db", g_dir, name);
    Error err = {{0}};
    Store *s = store_open(path, NULL, &err);
    if (!s) fprintf(stderr, "open: %s\n", err.msg);
    free(path);
    return s;
}

/* A "progressed" statement for learner id at ts to page. */
static json_t *progressed(const char *id, const char *learner, const char *ts, const char *page)
{
    char *obj = store_activity_iri("les.one", NULL, NULL);
    char *pos = store_activity_iri("les.one", page, NULL);
    json_t *st = json_pack(
        "{s:s, s:{s:s, s:s, s:{s:s, s:s}}, s:{s:s}, s:{s:s, s:s}, s:{s:{s:s}}, s:{s:s}, s:s}",
        "id", id, "actor", "objectType", "Agent", "name", "Mina", "account", "homePage",
        "https://lrs.test/", "name", learner, "verb", "id",
        "http://adlnet.gov/expapi/verbs/progressed", "object", "objectType", "Activity", "id",
        obj, "result", "extensions", "https://outpost.wco-rocb.example/xapi/extensions/position",
        pos, "context", "revision", "1", "timestamp", ts);
    free(obj);
    free(pos);
    return st;
}

TEST(timestamps)
{
    int64_t ms;
    CHECK(store_parse_timestamp("1970-01-01T00:00:00Z", &ms) && ms == 0);
    CHECK(store_parse_timestamp("2026-11-27T22:10:05.123+07:00", &ms) && ms == 1795792205123LL);
    CHECK(store_parse_timestamp("2026-11-27T15:10:05.123Z", &ms) && ms == 1795792205123LL);
    CHECK(store_parse_timestamp("2026-11-27T15:10:05.1234567Z", &ms) && ms == 1795792205123LL);
    CHECK(store_parse_timestamp("2026-11-27T10:40:05.123-04:30", &ms) && ms == 1795792205123LL);
    CHECK(!store_parse_timestamp("2026-11-27", &ms));
    CHECK(!store_parse_timestamp("yesterday", &ms));
    CHECK(!store_parse_timestamp("2026-13-27T15:10:05Z", &ms));
    /* What the store writes, it reads back. */
    char buf[48];
    store_format_timestamp(1795792205123LL, buf, sizeof buf);
    CHECK(store_parse_timestamp(buf, &ms) && ms == 1795792205123LL);
}

TEST(outbox_marking)
{
    Store *s = open_fresh("mark");
    Error err = {{0}};
    char id[STORE_ID_SIZE];
    CHECK(store_learner_create(s, "Mina", NULL, id, &err));
    CHECK(store_lesson_launched(s, id, &g_lesson, &err));
    CHECK(store_page_seen(s, id, &g_lesson, "a", &err));
    CHECK(store_page_seen(s, id, &g_lesson, "b", &err));
    StoreOutboxRow *rows;
    int n;
    CHECK(store_outbox_list(s, STORE_OUTBOX_UNDELIVERED, 0, 0, &rows, &n, &err) && n == 3);
    const char *ids[2] = {rows[0].id, rows[1].id};
    CHECK(store_outbox_mark_delivered(s, ids, 1, &err));
    CHECK(store_outbox_mark_rejected(s, rows[1].id, "HTTP 400: bad", &err));
    const char *ex[1] = {rows[2].id};
    CHECK(store_outbox_mark_exported(s, ex, 1,
                                     "/media/stick/b.zip", &err));
    StoreOutboxCounts c;
    CHECK(store_outbox_counts(s, &c, &err));
    CHECK(c.total == 3 && c.delivered == 1 && c.rejected == 1 && c.waiting == 1 &&
          c.exported_waiting == 1);
    store_outbox_rows_free(rows, n);
    CHECK(store_outbox_list(s, STORE_OUTBOX_UNEXPORTED, 0, 0, &rows, &n, &err) && n == 0);
    store_outbox_rows_free(rows, n);
    CHECK(store_outbox_list(s, STORE_OUTBOX_REJECTED, 0, 0, &rows, &n, &err) && n == 1);
    CHECK(n == 1 && rows[0].reason && strcmp(rows[0].reason, "HTTP 400: bad") == 0);
    store_outbox_rows_free(rows, n);
    char *v = NULL;
    CHECK(store_sync_set(s, "k", "v1", &err) && store_sync_get(s, "k", &v, &err) && v &&
          strcmp(v, "v1") == 0);
    free(v);
    store_close(s);
}

TEST(merge_position_rule)
{
    Store *s = open_fresh("merge");
    Error err = {{0}};
    const char *learner = "0e4a8b1c-58c2-4f7e-9d3a-111111111111";
    json_t *st[4];
    st[0] = progressed("00000000-0000-4000-8000-000000000001", learner,
                       "2026-11-27T10:00:00.000Z", "a");
    /* Same moment as the next: the greater statement id wins. */
    st[1] = progressed("00000000-0000-4000-8000-00000000000f", learner,
                       "2026-11-27T11:00:00.000Z", "b");
    st[2] = progressed("00000000-0000-4000-8000-000000000002", learner,
                       "2026-11-27T11:00:00.000Z", "a");
    st[3] = json_pack("{s:s}", "id", "not-a-statement");
    StoreMergeReport r;
    /* Without create_learner_id, an unknown learner gets no progress. */
    CHECK(store_merge_statements(s, st, 4, STORE_MERGE_UNSENT, NULL, &r, &err));
    CHECK(r.added == 3 && r.known == 0 && r.invalid == 1 && r.applied == 0 &&
          r.learners_created == 0);
    StoreLearner l;
    CHECK(!store_learner_get(s, learner, &l, &err));
    store_close(s);

    s = open_fresh("merge2");
    CHECK(store_merge_statements(s, st, 4, STORE_MERGE_DELIVERED, learner, &r, &err));
    CHECK(r.added == 3 && r.applied == 3 && r.learners_created == 1);
    CHECK(store_learner_get(s, learner, &l, &err) && strcmp(l.name, "Mina") == 0);
    const Manifest *ls[1] = {&g_lesson};
    StoreLessonSummary sum;
    CHECK(store_lesson_summaries(s, learner, ls, 1, &sum, &err));
    CHECK(sum.position_page == 1); /* "b": same time as "a", greater id */
    /* Again, in another order: nothing changes. */
    json_t *rev[4] = {st[3], st[2], st[1], st[0]};
    CHECK(store_merge_statements(s, rev, 4, STORE_MERGE_DELIVERED, learner, &r, &err));
    CHECK(r.added == 0 && r.known == 3 && r.applied == 0);
    CHECK(store_lesson_summaries(s, learner, ls, 1, &sum, &err) && sum.position_page == 1);
    StoreOutboxCounts c;
    CHECK(store_outbox_counts(s, &c, &err) && c.total == 3 && c.delivered == 3);
    /* A later position wins. */
    json_t *later = progressed("00000000-0000-4000-8000-000000000003", learner,
                               "2026-11-27T12:00:00.000+01:00", "a"); /* = 11:00Z: a tie, smaller id */
    CHECK(store_merge_statements(s, &later, 1, STORE_MERGE_DELIVERED, learner, &r, &err));
    CHECK(store_lesson_summaries(s, learner, ls, 1, &sum, &err) && sum.position_page == 1);
    json_t *latest = progressed("00000000-0000-4000-8000-000000000004", learner,
                                "2026-11-27T11:00:00.001Z", "a");
    CHECK(store_merge_statements(s, &latest, 1, STORE_MERGE_DELIVERED, learner, &r, &err));
    CHECK(store_lesson_summaries(s, learner, ls, 1, &sum, &err) && sum.position_page == 0);
    json_decref(later);
    json_decref(latest);
    for (int i = 0; i < 4; i++) json_decref(st[i]);
    store_close(s);
}

TEST(merge_quiz_from_another_device)
{
    /* Statements made by the store on "device A" merged into "device B". */
    Store *a = open_fresh("qa"), *b = open_fresh("qb");
    Error err = {{0}};
    char id[STORE_ID_SIZE], att[STORE_ID_SIZE];
    CHECK(store_learner_create(a, "Mina", NULL, id, &err));
    CHECK(store_lesson_launched(a, id, &g_lesson, &err));
    CHECK(store_attempt_start(a, id, &g_lesson, "q", 5, att, &err));
    StoreAnswer ans = {.question_id = "q1", .interaction = "choice", .response = "a",
                       .score = 1, .max_score = 1, .correct = true};
    CHECK(store_answer(a, att, &ans, &err));
    StoreAttemptResult res = {.raw = 4, .min = 0, .max = 5, .passed = true, .duration_ms = 1000};
    CHECK(store_attempt_finish(a, att, &res, &err));
    CHECK(store_lesson_completed(a, id, &g_lesson, &err));
    StoreOutboxRow *rows;
    int n;
    CHECK(store_outbox_list(a, STORE_OUTBOX_UNDELIVERED, 0, 0, &rows, &n, &err) && n == 5);
    json_t **items = xcalloc((size_t)n, sizeof *items);
    for (int i = 0; i < n; i++) items[i] = json_loads(rows[i].statement, 0, NULL);
    StoreMergeReport r;
    CHECK(store_merge_statements(b, items, n, STORE_MERGE_DELIVERED, id, &r, &err));
    CHECK(r.added == 5 && r.applied == 5);
    const Manifest *ls[1] = {&g_lesson};
    StoreLessonSummary sa, sb;
    CHECK(store_lesson_summaries(a, id, ls, 1, &sa, &err));
    CHECK(store_lesson_summaries(b, id, ls, 1, &sb, &err));
    CHECK(sb.completed && sb.passed && sb.quiz_passed == 1 && !sb.attempt_open);
    CHECK(sa.best_scaled == sb.best_scaled && sa.last_opened_ms == sb.last_opened_ms);
    /* B can go on where A stopped: a new attempt and its statements work. */
    CHECK(store_attempt_start(b, id, &g_lesson, "q", 6, att, &err));
    for (int i = 0; i < n; i++) json_decref(items[i]);
    free(items);
    store_outbox_rows_free(rows, n);
    store_close(a);
    store_close(b);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    g_dir = xasprintf("%s/outpost-merge-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) return 1;
    RUN(timestamps);
    RUN(outbox_marking);
    RUN(merge_position_rule);
    RUN(merge_quiz_from_another_device);
    nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(g_dir);
    return test_summary();
}
