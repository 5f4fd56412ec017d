/* Tests for store.c and paths.c: schema and migrations, learners and PINs,
 * events and their xAPI statements, lesson updates, summaries, damaged
 * files, write failures and `outpost progress`. */
#include "helpers.h"
#include "testlib.h"

#include "cli.h"
#include "paths.h"

#include <ctype.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>

/* A fresh store in its own scratch folder. */
typedef struct Fixture {
    char *dir, *db_path;
    Store *s;
    char learner[STORE_ID_SIZE];
} Fixture;

static void fx_open(Fixture *f)
{
    Error err = {{0}};
    f->s = store_open(f->db_path, NULL, &err);
    if (!f->s) fprintf(stderr, "store_open: %s\n", err.msg);
}

static void fx_init(Fixture *f, const char *tag, bool with_learner)
{
    memset(f, 0, sizeof *f);
    f->dir = scratch_dir(tag);
    f->db_path = xasprintf("%s/outpost.db", f->dir);
    fx_open(f);
    if (with_learner && f->s) {
        Error err;
        if (!store_learner_create(f->s, "Somchai Jaidee", NULL, f->learner, &err))
            fprintf(stderr, "learner: %s\n", err.msg);
    }
}

static void fx_done(Fixture *f)
{
    store_close(f->s);
    rm_rf(f->dir);
    free(f->dir);
    free(f->db_path);
    store_test_fail_writes(0);
    store_test_set_clock(0);
}

static long long outbox_count(Store *s) { return q_int(store_test_db(s), "SELECT COUNT(*) FROM outbox"); }

/* ---- paths ---- */

TEST(paths_order_and_creation)
{
    char *root = scratch_dir("paths");
    char *xdg = xasprintf("%s/xdg", root);
    char *env = xasprintf("%s/env/deep", root);
    setenv("XDG_DATA_HOME", xdg, 1);
    unsetenv("OUTPOST_DATA");
    paths_reset();
    char *want = xasprintf("%s/outpost", xdg);
    CHECK_STR(paths_data_dir(), want);
    struct stat st;
    CHECK(stat(want, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    free(want);

    setenv("OUTPOST_DATA", env, 1);
    paths_reset();
    CHECK_STR(paths_data_dir(), env);
    CHECK(path_is_dir(env));
    want = xasprintf("%s/outpost.db", env);
    CHECK_STR(paths_database_file(), want);
    free(want);
    want = xasprintf("%s/trusted-keys", env);
    CHECK_STR(paths_keys_dir(), want);
    CHECK(path_is_dir(want));
    free(want);
    want = xasprintf("%s/lessons", env);
    CHECK_STR(paths_user_lessons_dir(), want);
    free(want);
    CHECK(str_ends_with(paths_settings_file(), "/settings.conf"));

    /* --data wins, and a relative one is made absolute. */
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(root) == 0);
    paths_set_data_dir("given/");
    want = xasprintf("%s/given", root);
    CHECK_STR(paths_data_dir(), want);
    free(want);
    CHECK(chdir(cwd) == 0);

    /* A file in the way: a clear reason, no crash. */
    char *file = xasprintf("%s/file", root);
    CHECK(file_write_atomic(file, "x", 1, NULL));
    char *bad = xasprintf("%s/file/sub", root);
    paths_set_data_dir(bad);
    Error err = {{0}};
    CHECK(!paths_ensure_data_dir(&err));
    CHECK_CONTAINS(err.msg, "cannot create the data folder");
    CHECK_CONTAINS(err.msg, "--data");
    paths_set_data_dir(file);
    CHECK(!paths_ensure_data_dir(&err));
    CHECK_CONTAINS(err.msg, "it is a file");
    /* store_open on the default path reports the same reason. */
    CHECK(store_open(NULL, NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "data folder");

    paths_reset();
    unsetenv("OUTPOST_DATA");
    unsetenv("XDG_DATA_HOME");
    rm_rf(root);
    free(root);
    free(xdg);
    free(env);
    free(file);
    free(bad);
}

/* ---- schema ---- */

TEST(schema_created)
{
    Fixture f;
    memset(&f, 0, sizeof f);
    f.dir = scratch_dir("schema");
    f.db_path = xasprintf("%s/outpost.db", f.dir);
    StoreOpenReport rep;
    Error err = {{0}};
    f.s = store_open(f.db_path, &rep, &err);
    CHECK(f.s != NULL);
    if (!f.s) return fx_done(&f);
    CHECK(rep.created);
    CHECK(!rep.recovered);
    CHECK(rep.migrated_from == -1);
    sqlite3 *db = store_test_db(f.s);
    CHECK(q_int(db, "PRAGMA user_version") == STORE_SCHEMA_VERSION);
    char *mode = q_text(db, "PRAGMA journal_mode");
    CHECK_STR(mode, "wal");
    free(mode);
    CHECK(q_int(db, "PRAGMA synchronous") == 2); /* FULL */
    CHECK(q_int(db, "PRAGMA foreign_keys") == 1);
    CHECK(q_int(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type='table' AND name IN "
                    "('meta','learners','lessons','lesson_pages','learner_lessons',"
                    "'pages_seen','attempts','answers','quiz_best','outbox')") == 10);
    CHECK(!store_is_degraded(f.s));
    CHECK_STR(store_degraded_reason(f.s), "");
    /* The device id is a UUID, stable across opens. */
    char dev[STORE_ID_SIZE];
    snprintf(dev, sizeof dev, "%s", store_device_id(f.s));
    CHECK(strlen(dev) == 36 && dev[14] == '4');
    char *hp = xasprintf("%s%s", STORE_HOME_PAGE_BASE, dev);
    CHECK_STR(store_home_page(f.s), hp);
    free(hp);
    store_close(f.s);
    f.s = store_open(f.db_path, &rep, &err);
    CHECK(f.s && !rep.created && rep.migrated_from == -1);
    if (f.s) CHECK_STR(store_device_id(f.s), dev);
    /* The home page can be configured, but only to a web address. */
    if (f.s) {
        CHECK(!store_set_home_page(f.s, "not an iri", &err));
        CHECK(!store_set_home_page(f.s, "https://", &err));
        CHECK(store_set_home_page(f.s, "https://lrs.customs.example/outpost", &err));
        store_close(f.s);
        f.s = store_open(f.db_path, NULL, &err);
        CHECK(f.s != NULL);
        if (f.s) CHECK_STR(store_home_page(f.s), "https://lrs.customs.example/outpost");
    }
    fx_done(&f);
}

TEST(migration_from_version_1)
{
    Fixture f;
    memset(&f, 0, sizeof f);
    f.dir = scratch_dir("migrate");
    f.db_path = xasprintf("%s/outpost.db", f.dir);
    store_test_set_target_version(1);
    fx_open(&f);
    store_test_set_target_version(0);
    CHECK(f.s != NULL);
    if (!f.s) return fx_done(&f);
    sqlite3 *db = store_test_db(f.s);
    CHECK(q_int(db, "PRAGMA user_version") == 1);
    CHECK(q_int(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name='quiz_best'") == 0);
    /* Data as an old player wrote it: two finished attempts and an open one. */
    CHECK(sqlite3_exec(db,
                       "INSERT INTO learners VALUES('L1','Old','old',NULL,1,NULL);"
                       "INSERT INTO attempts(id,learner_id,lesson_id,version,page_id,seed,"
                       "started_ms,ended_ms,score_raw,score_min,score_max,score_scaled,passed)"
                       " VALUES('A1','L1','les','1','quiz1',1,10,20,3,0,10,0.3,0),"
                       " ('A2','L1','les','1','quiz1',1,30,40,8,0,10,0.8,1);"
                       "INSERT INTO attempts(id,learner_id,lesson_id,version,page_id,seed,"
                       "started_ms) VALUES('A3','L1','les','1','quiz1',1,50);",
                       NULL, NULL, NULL) == SQLITE_OK);
    store_close(f.s);
    StoreOpenReport rep;
    Error err = {{0}};
    f.s = store_open(f.db_path, &rep, &err);
    CHECK(f.s != NULL);
    if (!f.s) return fx_done(&f);
    CHECK(rep.migrated_from == 1);
    CHECK(!rep.created);
    db = store_test_db(f.s);
    CHECK(q_int(db, "PRAGMA user_version") == 2);
    CHECK(q_int(db, "SELECT COUNT(*) FROM quiz_best") == 1);
    CHECK(q_int(db, "SELECT attempts*100+passed FROM quiz_best WHERE page_id='quiz1'") == 201);
    CHECK(q_int(db, "SELECT CAST(best_raw AS INT) FROM quiz_best") == 8);
    CHECK(q_int(db, "SELECT COUNT(*) FROM learners") == 1);
    fx_done(&f);
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    char *data = NULL;
    if (!file_read_all(path, 1 << 26, &data, n, NULL)) return NULL;
    return (unsigned char *)data;
}

TEST(newer_schema_refused_untouched)
{
    char *dir = scratch_dir("newer");
    char *path = xasprintf("%s/outpost.db", dir);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE future(x); PRAGMA user_version=99;", NULL, NULL,
                       NULL) == SQLITE_OK);
    sqlite3_close(db);
    size_t n1, n2;
    unsigned char *before = read_bytes(path, &n1);
    Error err = {{0}};
    Store *s = store_open(path, NULL, &err);
    CHECK(s == NULL);
    CHECK_CONTAINS(err.msg, "newer version of Outpost");
    CHECK_CONTAINS(err.msg, "has not been changed");
    unsigned char *after = read_bytes(path, &n2);
    CHECK(before && after && n1 == n2 && memcmp(before, after, n1) == 0);
    char *wal = xasprintf("%s-wal", path);
    CHECK(access(wal, F_OK) != 0);
    store_close(s);
    free(before);
    free(after);
    free(wal);
    rm_rf(dir);
    free(dir);
    free(path);
}

/* ---- learners ---- */

TEST(learners_and_pins)
{
    Fixture f;
    fx_init(&f, "learners", false);
    if (!f.s) return fx_done(&f);
    Error err = {{0}};
    char anna[STORE_ID_SIZE], ivan[STORE_ID_SIZE], bao[STORE_ID_SIZE];
    CHECK(store_learner_create(f.s, "  Anna Lee ", "2468", anna, &err));
    CHECK(store_learner_create(f.s, "Иван", NULL, ivan, &err));
    CHECK(store_learner_create(f.s, "Nguyễn Bảo", "", bao, &err));
    CHECK(strcmp(anna, ivan) != 0 && strlen(anna) == 36);
    /* Case-insensitive, space-insensitive uniqueness, in several scripts. */
    CHECK(!store_learner_create(f.s, "ANNA  LEE", NULL, NULL, &err));
    CHECK_CONTAINS(err.msg, "already a learner called \"ANNA  LEE\"");
    CHECK(!store_learner_create(f.s, "ИВАН", NULL, NULL, &err));
    CHECK(!store_learner_create(f.s, "NGUYỄN BẢO", NULL, NULL, &err));
    CHECK(!store_learner_create(f.s, "   ", NULL, NULL, &err));
    CHECK_CONTAINS(err.msg, "type a name");
    CHECK(!store_learner_create(f.s, "a\nb", NULL, NULL, &err));
    CHECK(!store_learner_create(f.s, "\xff\xfe", NULL, NULL, &err));
    char longname[200];
    memset(longname, 'x', 61);
    longname[61] = 0;
    CHECK(!store_learner_create(f.s, longname, NULL, NULL, &err));
    CHECK_CONTAINS(err.msg, "too long");

    StoreLearner *list;
    int n;
    CHECK(store_learners(f.s, &list, &n, &err));
    CHECK(n == 3);
    if (n == 3) {
        CHECK_STR(list[0].name, "Anna Lee");
        CHECK(list[0].has_pin);
        CHECK(!list[1].has_pin);
    }
    free(list);

    /* The PIN is stored only as an Argon2id hash. */
    char *hash = q_text(store_test_db(f.s), "SELECT pin_hash FROM learners WHERE name='Anna Lee'");
    CHECK(hash && strncmp(hash, "$argon2id$", 10) == 0 && !strstr(hash, "2468"));
    free(hash);
    CHECK(store_learner_check_pin(f.s, anna, "2468", &err) == STORE_PIN_OK);
    CHECK(store_learner_check_pin(f.s, anna, "2469", &err) == STORE_PIN_WRONG);
    CHECK(store_learner_check_pin(f.s, anna, NULL, &err) == STORE_PIN_WRONG);
    CHECK(store_learner_check_pin(f.s, ivan, "anything", &err) == STORE_PIN_OK);
    CHECK(store_learner_check_pin(f.s, "nobody", "1", &err) == STORE_PIN_ERROR);
    CHECK(store_learner_set_pin(f.s, anna, NULL, &err));
    CHECK(store_learner_check_pin(f.s, anna, "", &err) == STORE_PIN_OK);

    StoreLearner l;
    CHECK(store_learner_find(f.s, "anna lee", &l, &err));
    CHECK_STR(l.id, anna);
    CHECK(!store_learner_find(f.s, "nobody", &l, &err));

    /* Preselection. */
    char last[STORE_ID_SIZE];
    CHECK(!store_last_learner(f.s, last));
    CHECK(store_learner_select(f.s, ivan, &err));
    CHECK(store_last_learner(f.s, last));
    CHECK_STR(last, ivan);
    CHECK(store_learner_get(f.s, ivan, &l, &err) && l.last_used_ms > 0);

    CHECK(store_learner_rename(f.s, ivan, "Ivan Petrov", &err));
    CHECK(!store_learner_rename(f.s, ivan, "anna lee", &err));
    CHECK(store_learner_get(f.s, ivan, &l, &err));
    CHECK_STR(l.name, "Ivan Petrov");

    /* Deleting removes progress but keeps statements already made. */
    CHECK(store_lesson_launched(f.s, ivan, &g_lesson_v1, &err));
    CHECK(store_learner_delete(f.s, ivan, &err));
    CHECK(!store_last_learner(f.s, last));
    CHECK(q_int(store_test_db(f.s), "SELECT COUNT(*) FROM learner_lessons") == 0);
    CHECK(outbox_count(f.s) == 1);
    CHECK(!store_page_seen(f.s, ivan, &g_lesson_v1, "intro", &err));
    CHECK_CONTAINS(err.msg, "no such learner");
    fx_done(&f);
}

/* ---- events and statements ---- */

static bool is_uuid4(const char *s)
{
    if (!s || strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) {
            return false;
        }
    }
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

/* "2026-11-27T22:10:05.123+07:00" or "...05.123Z" */
static bool is_timestamp_ms_zone(const char *s)
{
    if (!s) return false;
    const char *pat = "dddd-dd-ddTdd:dd:dd.ddd";
    size_t n = strlen(pat);
    if (strlen(s) < n + 1) return false;
    for (size_t i = 0; i < n; i++)
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i]) return false;
    const char *z = s + n;
    if (strcmp(z, "Z") == 0) return true;
    return strlen(z) == 6 && (z[0] == '+' || z[0] == '-') && isdigit((unsigned char)z[1]) &&
           isdigit((unsigned char)z[2]) && z[3] == ':' && isdigit((unsigned char)z[4]) &&
           isdigit((unsigned char)z[5]);
}

/* The newest outbox statement, parsed (caller json_decref's). */
static json_t *last_statement(Store *s, char **verb)
{
    char *text = q_text(store_test_db(s), "SELECT statement FROM outbox ORDER BY seq DESC LIMIT 1");
    *verb = q_text(store_test_db(s), "SELECT verb FROM outbox ORDER BY seq DESC LIMIT 1");
    json_error_t je;
    json_t *j = text ? json_loads(text, 0, &je) : NULL;
    free(text);
    return j;
}

static const char *jstr(json_t *root, const char *path)
{
    /* path like "actor.account.name"; numeric parts index arrays */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = root;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, ".")) {
        if (isdigit((unsigned char)tok[0]))
            cur = json_array_get(cur, (size_t)atoi(tok));
        else
            cur = json_object_get(cur, tok);
    }
    return cur ? json_string_value(cur) : NULL;
}

static json_t *jget(json_t *root, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = root;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = isdigit((unsigned char)tok[0]) ? json_array_get(cur, (size_t)atoi(tok))
                                             : json_object_get(cur, tok);
    return cur;
}

/* Checks what every statement must have. */
static void check_common(Store *s, json_t *st, const char *learner, const char *verb)
{
    CHECK(st != NULL);
    if (!st) return;
    CHECK(is_uuid4(jstr(st, "id")));
    CHECK_STR(jstr(st, "actor.objectType"), "Agent");
    CHECK_STR(jstr(st, "actor.name"), "Somchai Jaidee");
    CHECK_STR(jstr(st, "actor.account.name"), learner);
    CHECK_STR(jstr(st, "actor.account.homePage"), store_home_page(s));
    char *verb_id = xasprintf("http://adlnet.gov/expapi/verbs/%s", verb);
    CHECK_STR(jstr(st, "verb.id"), verb_id);
    free(verb_id);
    CHECK_STR(jstr(st, "verb.display.en-US"), verb);
    CHECK_STR(jstr(st, "object.objectType"), "Activity");
    CHECK(strncmp(jstr(st, "object.id") ? jstr(st, "object.id") : "",
                  STORE_ACTIVITY_BASE "/", strlen(STORE_ACTIVITY_BASE) + 1) == 0);
    CHECK(jstr(st, "object.definition.type") != NULL);
    CHECK(is_timestamp_ms_zone(jstr(st, "timestamp")));
    CHECK(jget(st, "context.language") != NULL);
    /* Set by the LRS, never by us. */
    CHECK(jget(st, "stored") == NULL && jget(st, "authority") == NULL);
    /* The outbox row's own id is the statement id. */
    char *row_id = q_text(store_test_db(s), "SELECT id FROM outbox ORDER BY seq DESC LIMIT 1");
    CHECK_STR(jstr(st, "id"), row_id);
    free(row_id);
}

#define LESSON_IRI STORE_ACTIVITY_BASE "/wco.valuation.basics"

TEST(every_event_writes_one_statement)
{
    Fixture f;
    fx_init(&f, "events", true);
    if (!f.s) return fx_done(&f);
    Store *s = f.s;
    Error err = {{0}};
    json_t *st;
    char *verb;
    long long n = outbox_count(s);
    store_test_set_clock(1795000000000LL); /* fixed: durations are exact */

#define EXPECT_ONE(call, v)                                                      \
    do {                                                                         \
        CHECK(call);                                                             \
        CHECK(outbox_count(s) == n + 1);                                         \
        n = outbox_count(s);                                                     \
        st = last_statement(s, &verb);                                           \
        CHECK_STR(verb, v);                                                      \
        check_common(s, st, f.learner, v);                                       \
    } while (0)

    EXPECT_ONE(store_lesson_launched(s, f.learner, &g_lesson_v1, &err), "launched");
    CHECK_STR(jstr(st, "object.id"), LESSON_IRI);
    CHECK_STR(jstr(st, "object.definition.type"), "http://adlnet.gov/expapi/activities/lesson");
    CHECK_STR(jstr(st, "object.definition.name.en"), "Valuation basics");
    CHECK_STR(jstr(st, "context.revision"), "1.0.0");
    CHECK_STR(jstr(st, "context.language"), "en");
    json_decref(st);
    free(verb);

    EXPECT_ONE(store_page_seen(s, f.learner, &g_lesson_v1, "intro", &err), "experienced");
    CHECK_STR(jstr(st, "object.id"), LESSON_IRI "/intro");
    CHECK_STR(jstr(st, "object.definition.name.en"), "Introduction");
    CHECK_STR(jstr(st, "object.definition.type"), "http://adlnet.gov/expapi/activities/module");
    CHECK_STR(jstr(st, "context.contextActivities.parent.0.id"), LESSON_IRI);
    json_decref(st);
    free(verb);
    /* A second visit is a second event. */
    EXPECT_ONE(store_page_seen(s, f.learner, &g_lesson_v1, "intro", &err), "experienced");
    json_decref(st);
    free(verb);
    CHECK(q_int(store_test_db(s), "SELECT times FROM pages_seen WHERE page_id='intro'") == 2);

    EXPECT_ONE(store_set_position(s, f.learner, &g_lesson_v1, "intro", 0.25, &err), "progressed");
    /* Extension keys contain dots, so look them up directly. */
    json_t *ext = jget(st, "result.extensions");
    CHECK(json_integer_value(
              json_object_get(ext, "https://w3id.org/xapi/cmi5/result/extensions/progress")) == 33);
    CHECK_STR(json_string_value(json_object_get(
                  ext, "https://outpost.wco-rocb.example/xapi/extensions/position")),
              LESSON_IRI "/intro");
    json_decref(st);
    free(verb);
    /* Scrolling on the same page updates the bookmark only. */
    CHECK(store_set_position(s, f.learner, &g_lesson_v1, "intro", 0.75, &err));
    CHECK(outbox_count(s) == n);
    CHECK(q_int(store_test_db(s), "SELECT CAST(position_scroll*100 AS INT) FROM learner_lessons") ==
          75);

    char attempt[STORE_ID_SIZE];
    EXPECT_ONE(store_attempt_start(s, f.learner, &g_lesson_v1, "quiz1", 42, attempt, &err),
               "attempted");
    CHECK(is_uuid4(attempt));
    CHECK_STR(jstr(st, "context.registration"), attempt);
    CHECK_STR(jstr(st, "object.id"), LESSON_IRI "/quiz1");
    CHECK_STR(jstr(st, "object.definition.type"),
              "http://adlnet.gov/expapi/activities/assessment");
    json_decref(st);
    free(verb);

    StoreAnswer a = {.question_id = "q-incoterms", .question_text = "Which Incoterm...?",
                     .interaction = "choice", .response = "b[,]d", .score = 1, .max_score = 2,
                     .correct = false, .state = "{\"at\":1}"};
    EXPECT_ONE(store_answer(s, attempt, &a, &err), "answered");
    CHECK_STR(jstr(st, "object.id"), LESSON_IRI "/quiz1/q-incoterms");
    CHECK_STR(jstr(st, "object.definition.type"),
              "http://adlnet.gov/expapi/activities/cmi.interaction");
    CHECK_STR(jstr(st, "object.definition.interactionType"), "choice");
    CHECK_STR(jstr(st, "object.definition.name.en"), "Which Incoterm...?");
    CHECK_STR(jstr(st, "result.response"), "b[,]d");
    CHECK(json_is_false(jget(st, "result.success")));
    CHECK(fabs(json_number_value(jget(st, "result.score.scaled")) - 0.5) < 1e-9);
    CHECK(json_number_value(jget(st, "result.score.max")) == 2);
    CHECK_STR(jstr(st, "context.registration"), attempt);
    CHECK_STR(jstr(st, "context.contextActivities.parent.0.id"), LESSON_IRI "/quiz1");
    CHECK_STR(jstr(st, "context.contextActivities.grouping.0.id"), LESSON_IRI);
    json_decref(st);
    free(verb);
    /* An unknown interaction type falls back to a plain question. */
    StoreAnswer b = {.question_id = "q2", .interaction = "weird", .response = "x", .score = 1,
                     .max_score = 1, .correct = true};
    EXPECT_ONE(store_answer(s, attempt, &b, &err), "answered");
    CHECK_STR(jstr(st, "object.definition.type"), "http://adlnet.gov/expapi/activities/question");
    CHECK(jget(st, "object.definition.interactionType") == NULL);
    json_decref(st);
    free(verb);

    store_test_set_clock(1795000000000LL + 63250);
    StoreAttemptResult r = {.raw = 3, .min = 0, .max = 4, .passed = true, .duration_ms = -1};
    EXPECT_ONE(store_attempt_finish(s, attempt, &r, &err), "passed");
    CHECK_STR(jstr(st, "result.duration"), "PT1M3.25S");
    CHECK(json_is_true(jget(st, "result.success")));
    CHECK(json_is_true(jget(st, "result.completion")));
    CHECK(fabs(json_number_value(jget(st, "result.score.scaled")) - 0.75) < 1e-9);
    CHECK_STR(jstr(st, "context.registration"), attempt);
    json_decref(st);
    free(verb);
    CHECK(!store_attempt_finish(s, attempt, &r, &err));
    CHECK_CONTAINS(err.msg, "already finished");
    CHECK(!store_answer(s, attempt, &a, &err));

    char attempt2[STORE_ID_SIZE];
    EXPECT_ONE(store_attempt_start(s, f.learner, &g_lesson_v1, "quiz1", 7, attempt2, &err),
               "attempted");
    json_decref(st);
    free(verb);
    r = (StoreAttemptResult){.raw = 1, .min = 0, .max = 4, .passed = false, .duration_ms = 5000};
    EXPECT_ONE(store_attempt_finish(s, attempt2, &r, &err), "failed");
    CHECK_STR(jstr(st, "result.duration"), "PT5S");
    json_decref(st);
    free(verb);

    EXPECT_ONE(store_lesson_completed(s, f.learner, &g_lesson_v1, &err), "completed");
    CHECK(json_is_true(jget(st, "result.completion")));
    json_decref(st);
    free(verb);
    /* Completing again in the same version changes nothing. */
    CHECK(store_lesson_completed(s, f.learner, &g_lesson_v1, &err));
    CHECK(outbox_count(s) == n);
#undef EXPECT_ONE

    /* Invalid input is refused without a statement. */
    r = (StoreAttemptResult){.raw = 5, .min = 0, .max = 4};
    char a3[STORE_ID_SIZE];
    CHECK(store_attempt_start(s, f.learner, &g_lesson_v1, "quiz1", 1, a3, &err));
    n = outbox_count(s);
    CHECK(!store_attempt_finish(s, a3, &r, &err));
    CHECK(!store_answer(s, "no-such-attempt", &a, &err));
    CHECK(outbox_count(s) == n);
    /* All statements are unique. */
    CHECK(q_int(store_test_db(s), "SELECT COUNT(DISTINCT id) FROM outbox") == n);
    fx_done(&f);
}

TEST(time_formats_and_iris)
{
    char buf[64];
    store_format_duration(63250, buf, sizeof buf);
    CHECK_STR(buf, "PT1M3.25S");
    store_format_duration(0, buf, sizeof buf);
    CHECK_STR(buf, "PT0S");
    store_format_duration(3600000 + 5, buf, sizeof buf);
    CHECK_STR(buf, "PT1H0.01S");
    store_format_duration(7200000, buf, sizeof buf);
    CHECK_STR(buf, "PT2H");
    store_format_duration(90500, buf, sizeof buf);
    CHECK_STR(buf, "PT1M30.5S");

    const char *old = getenv("TZ");
    char *saved = old ? xstrdup(old) : NULL;
    setenv("TZ", "ICT-7", 1);
    tzset();
    store_format_timestamp(1795792205123LL, buf, sizeof buf);
    CHECK_STR(buf, "2026-11-27T22:10:05.123+07:00");
    setenv("TZ", "UTC0", 1);
    tzset();
    store_format_timestamp(1795792205007LL, buf, sizeof buf);
    CHECK_STR(buf, "2026-11-27T15:10:05.007Z");
    setenv("TZ", "NST+3:30", 1);
    tzset();
    store_format_timestamp(1795792205000LL, buf, sizeof buf);
    CHECK_STR(buf, "2026-11-27T11:40:05.000-03:30");
    if (saved) setenv("TZ", saved, 1);
    else unsetenv("TZ");
    tzset();
    free(saved);

    char *iri = store_activity_iri("wco.origin.th", "pages/บทนำ", NULL);
    CHECK_STR(iri, STORE_ACTIVITY_BASE "/wco.origin.th/pages%2F%E0%B8%9A%E0%B8%97%E0%B8%99%E0%B8%B3");
    free(iri);
    iri = store_activity_iri("a b", "..", "q?1#x");
    CHECK_STR(iri, STORE_ACTIVITY_BASE "/a%20b/%2E%2E/q%3F1%23x");
    free(iri);
    char id[STORE_ID_SIZE], id2[STORE_ID_SIZE];
    store_uuid4(id);
    store_uuid4(id2);
    CHECK(is_uuid4(id) && is_uuid4(id2) && strcmp(id, id2) != 0);
}

TEST(statement_in_lesson_language)
{
    Fixture f;
    fx_init(&f, "thai", true);
    if (!f.s) return fx_done(&f);
    Error err;
    CHECK(store_lesson_launched(f.s, f.learner, &g_lesson_th, &err));
    char *verb;
    json_t *st = last_statement(f.s, &verb);
    CHECK_STR(jstr(st, "object.definition.name.th"), "ถิ่นกำเนิดสินค้า");
    CHECK_STR(jstr(st, "context.language"), "th");
    json_decref(st);
    free(verb);
    CHECK(store_page_seen(f.s, f.learner, &g_lesson_th, "pages/บทนำ", &err));
    st = last_statement(f.s, &verb);
    CHECK_STR(jstr(st, "object.id"), STORE_ACTIVITY_BASE
              "/wco.origin.th/pages%2F%E0%B8%9A%E0%B8%97%E0%B8%99%E0%B8%B3");
    json_decref(st);
    free(verb);
    fx_done(&f);
}

/* ---- lesson updates and the home screen ---- */

TEST(version_update_keeps_surviving_ids)
{
    Fixture f;
    fx_init(&f, "update", true);
    if (!f.s) return fx_done(&f);
    Store *s = f.s;
    Error err;
    char at[STORE_ID_SIZE];
    CHECK(store_lesson_launched(s, f.learner, &g_lesson_v1, &err));
    CHECK(store_page_seen(s, f.learner, &g_lesson_v1, "intro", &err));
    CHECK(store_page_seen(s, f.learner, &g_lesson_v1, "rules", &err));
    CHECK(store_set_position(s, f.learner, &g_lesson_v1, "rules", 0.5, &err));
    CHECK(store_attempt_start(s, f.learner, &g_lesson_v1, "quiz1", 1, at, &err));
    StoreAttemptResult r = {.raw = 9, .min = 0, .max = 10, .passed = true, .duration_ms = 1000};
    CHECK(store_attempt_finish(s, at, &r, &err));

    const Manifest *v1[] = {&g_lesson_v1};
    StoreLessonSummary sum;
    CHECK(store_lesson_summaries(s, f.learner, v1, 1, &sum, &err));
    CHECK(sum.pages_seen == 2 && sum.pages_total == 3);
    CHECK(sum.has_score && fabs(sum.best_scaled - 0.9) < 1e-9);
    CHECK(sum.passed && sum.quiz_pages == 1 && sum.quiz_passed == 1);
    CHECK(sum.position_page == 1 && fabs(sum.position_scroll - 0.5) < 1e-9);

    /* The lesson is updated: rules and quiz1 vanished. Nothing fails. */
    const Manifest *v2[] = {&g_lesson_v2};
    CHECK(store_lesson_summaries(s, f.learner, v2, 1, &sum, &err));
    CHECK(sum.pages_seen == 1);      /* intro survives, rules is not counted */
    CHECK(sum.pages_total == 3);
    CHECK(!sum.has_score);           /* quiz1 is gone; quiz2 not attempted */
    CHECK(!sum.passed && sum.quiz_pages == 1 && sum.quiz_passed == 0);
    CHECK(sum.position_page == -1);  /* the bookmarked page vanished */
    CHECK(sum.last_opened_ms > 0);

    /* Opening v2 records it; progress continues on surviving ids. */
    CHECK(store_lesson_launched(s, f.learner, &g_lesson_v2, &err));
    CHECK(store_page_seen(s, f.learner, &g_lesson_v2, "tariffs", &err));
    CHECK(store_lesson_summaries(s, f.learner, v2, 1, &sum, &err));
    CHECK(sum.pages_seen == 2);
    sqlite3 *db = store_test_db(s);
    CHECK(q_int(db, "SELECT COUNT(*) FROM lesson_pages WHERE lesson_id='wco.valuation.basics'") == 3);
    CHECK(q_int(db, "SELECT COUNT(*) FROM lesson_pages WHERE page_id='rules'") == 0);
    char *v = q_text(db, "SELECT version FROM lessons");
    CHECK_STR(v, "2.0.0");
    free(v);
    /* The old rows are still there, only not counted. */
    CHECK(q_int(db, "SELECT COUNT(*) FROM pages_seen") == 3);
    /* Completion in v1 does not stop completing v2. */
    CHECK(store_lesson_completed(s, f.learner, &g_lesson_v1, &err));
    long long n = outbox_count(s);
    CHECK(store_lesson_completed(s, f.learner, &g_lesson_v2, &err));
    CHECK(outbox_count(s) == n + 1);
    fx_done(&f);
}

TEST(summaries_and_resume)
{
    Fixture f;
    fx_init(&f, "summary", true);
    if (!f.s) return fx_done(&f);
    Store *s = f.s;
    Error err;
    char other[STORE_ID_SIZE];
    CHECK(store_learner_create(s, "Other", NULL, other, &err));
    char at[STORE_ID_SIZE];
    CHECK(store_lesson_launched(s, f.learner, &g_lesson_th, &err));
    CHECK(store_attempt_start(s, f.learner, &g_lesson_th, "quiz 1", 99, at, &err));
    StoreAnswer a = {.question_id = "q1", .response = "true", .interaction = "true-false",
                     .score = 1, .max_score = 1, .correct = true, .state = "state-after-q1"};
    CHECK(store_answer(s, at, &a, &err));
    CHECK(store_attempt_save_state(s, at, "state-on-q2", &err));
    CHECK(store_page_seen(s, other, &g_lesson_v1, "intro", &err));

    const Manifest *ls[] = {&g_lesson_v1, &g_lesson_th};
    StoreLessonSummary sum[2];
    CHECK(store_lesson_summaries(s, f.learner, ls, 2, sum, &err));
    CHECK(sum[0].pages_seen == 0 && sum[0].last_opened_ms == 0 && !sum[0].attempt_open);
    CHECK(sum[1].last_opened_ms > 0 && sum[1].attempt_open && !sum[1].has_score);
    CHECK(store_lesson_summaries(s, other, ls, 2, sum, &err));
    CHECK(sum[0].pages_seen == 1 && !sum[1].attempt_open);

    /* Resume the open attempt. */
    StoreAttempt open;
    bool found;
    CHECK(store_attempt_find_open(s, f.learner, "wco.origin.th", "quiz 1", &open, &found, &err));
    CHECK(found);
    CHECK_STR(open.id, at);
    CHECK(open.seed == 99 && open.answers == 1);
    CHECK_STR(open.state, "state-on-q2");
    store_attempt_clear(&open);
    /* A new session (cache cold) can still answer and finish it. */
    store_close(s);
    fx_open(&f);
    s = f.s;
    if (!s) return fx_done(&f);
    a.question_id = "q2";
    CHECK(store_answer(s, at, &a, &err));
    char *verb;
    json_t *st = last_statement(s, &verb);
    CHECK_STR(jstr(st, "context.contextActivities.parent.0.definition.name.th"), "แบบทดสอบ");
    json_decref(st);
    free(verb);
    StoreAttemptResult r = {.raw = 2, .min = 0, .max = 2, .passed = true, .duration_ms = 10};
    CHECK(store_attempt_finish(s, at, &r, &err));
    CHECK(store_attempt_find_open(s, f.learner, "wco.origin.th", "quiz 1", &open, &found, &err));
    CHECK(!found);
    CHECK(store_lesson_summaries(s, f.learner, ls, 2, sum, &err));
    CHECK(sum[1].has_score && sum[1].best_scaled == 1.0 && sum[1].passed && !sum[1].attempt_open);
    CHECK(sum[1].pages_seen == 0 && sum[1].pages_total == 2);
    fx_done(&f);
}

/* ---- damaged files ---- */

static int count_corrupt_copies(const char *dir, char **first)
{
    char *cmd = xasprintf("ls %s | grep -c '^outpost.db.corrupt-' ", dir);
    FILE *p = popen(cmd, "r");
    int n = 0;
    if (p) {
        if (fscanf(p, "%d", &n) != 1) n = 0;
        pclose(p);
    }
    free(cmd);
    if (first) {
        cmd = xasprintf("ls %s | grep '^outpost.db.corrupt-' | grep -v -- '-wal$' | head -1", dir);
        p = popen(cmd, "r");
        char line[512] = "";
        if (p) {
            if (!fgets(line, sizeof line, p)) line[0] = 0;
            pclose(p);
        }
        line[strcspn(line, "\n")] = 0;
        *first = xasprintf("%s/%s", dir, line);
        free(cmd);
    }
    return n;
}

TEST(garbage_file_moved_aside)
{
    char *dir = scratch_dir("garbage");
    char *path = xasprintf("%s/outpost.db", dir);
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (char)("not a database "[i % 15]);
    CHECK(file_write_atomic(path, junk, sizeof junk, NULL));
    StoreOpenReport rep;
    Error err = {{0}};
    Store *s = store_open(path, &rep, &err);
    CHECK(s != NULL);
    CHECK(rep.recovered);
    CHECK_CONTAINS(rep.moved_to, "outpost.db.corrupt-");
    CHECK_CONTAINS(rep.message, "damaged");
    size_t n;
    unsigned char *kept = read_bytes(rep.moved_to, &n);
    CHECK(kept && n == sizeof junk && memcmp(kept, junk, n) == 0);
    free(kept);
    Error e2;
    char id[STORE_ID_SIZE];
    CHECK(s && store_learner_create(s, "After", NULL, id, &e2));
    CHECK(s && store_lesson_launched(s, id, &g_lesson_v1, &e2));
    store_close(s);
    rm_rf(dir);
    free(dir);
    free(path);
}

TEST(damaged_pages_moved_aside)
{
    Fixture f;
    fx_init(&f, "damaged", true);
    if (!f.s) return fx_done(&f);
    Error err;
    /* Enough rows for several pages, then checkpoint into the main file. */
    for (int i = 0; i < 60; i++)
        CHECK(store_page_seen(f.s, f.learner, &g_lesson_v1, i % 2 ? "intro" : "rules", &err));
    CHECK(sqlite3_exec(store_test_db(f.s), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) ==
          SQLITE_OK);
    store_close(f.s);
    f.s = NULL;
    /* Scribble over the middle of the file, leaving the header intact. */
    int fd = open(f.db_path, O_WRONLY);
    CHECK(fd >= 0);
    struct stat st;
    fstat(fd, &st);
    char junk[4096];
    memset(junk, 0x5A, sizeof junk);
    for (off_t off = 4096; off < st.st_size; off += 8192)
        CHECK(pwrite(fd, junk, sizeof junk, off) == (ssize_t)sizeof junk);
    close(fd);
    StoreOpenReport rep;
    f.s = store_open(f.db_path, &rep, &err);
    CHECK(f.s != NULL);
    CHECK(rep.recovered);
    CHECK(count_corrupt_copies(f.dir, NULL) >= 1);
    CHECK(f.s && q_int(store_test_db(f.s), "SELECT COUNT(*) FROM learners") == 0);
    CHECK(f.s && q_int(store_test_db(f.s), "PRAGMA user_version") == STORE_SCHEMA_VERSION);
    fx_done(&f);
}

TEST(foreign_sqlite_file_moved_aside)
{
    char *dir = scratch_dir("foreign");
    char *path = xasprintf("%s/outpost.db", dir);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE photos(x); INSERT INTO photos VALUES(1);", NULL, NULL,
                       NULL) == SQLITE_OK);
    sqlite3_close(db);
    StoreOpenReport rep;
    Error err;
    Store *s = store_open(path, &rep, &err);
    CHECK(s && rep.recovered);
    char *kept = NULL;
    CHECK(count_corrupt_copies(dir, &kept) == 1);
    CHECK(sqlite3_open(kept, &db) == SQLITE_OK);
    CHECK(q_int(db, "SELECT COUNT(*) FROM photos") == 1);
    sqlite3_close(db);
    free(kept);
    store_close(s);
    rm_rf(dir);
    free(dir);
    free(path);
}

/* ---- write failures ---- */

TEST(disk_full_degrades_then_recovers)
{
    Fixture f;
    fx_init(&f, "full", true);
    if (!f.s) return fx_done(&f);
    Store *s = f.s;
    sqlite3 *db = store_test_db(s);
    Error err = {{0}};
    CHECK(store_lesson_launched(s, f.learner, &g_lesson_v1, &err));
    long long n = outbox_count(s);

    store_test_fail_writes(SQLITE_FULL);
    CHECK(!store_page_seen(s, f.learner, &g_lesson_v1, "intro", &err));
    CHECK_STR(err.msg, "progress is not being saved: the disk is full");
    CHECK(store_is_degraded(s));
    CHECK_STR(store_degraded_reason(s), "progress is not being saved: the disk is full");
    CHECK(store_pending_count(s) == 1);
    /* Same transaction: neither the progress nor the statement is there. */
    CHECK(outbox_count(s) == n);
    CHECK(q_int(db, "SELECT COUNT(*) FROM pages_seen") == 0);
    char at[STORE_ID_SIZE] = "";
    CHECK(!store_attempt_start(s, f.learner, &g_lesson_v1, "quiz1", 5, at, &err));
    CHECK(strlen(at) == 36); /* still usable: the answers queue up behind */
    StoreAnswer a = {.question_id = "q1", .response = "a", .score = 1, .max_score = 1,
                     .correct = true, .state = "s1"};
    CHECK(!store_answer(s, at, &a, &err));
    CHECK(!store_retry(s, &err));
    CHECK(store_pending_count(s) == 3);
    CHECK(outbox_count(s) == n);
    /* Learners are not queued: a clear reason instead. */
    CHECK(!store_learner_create(s, "Nobody", NULL, NULL, &err));
    CHECK_CONTAINS(err.msg, "the disk is full");

    /* Other failures get their own plain words. */
    store_test_fail_writes(SQLITE_IOERR_WRITE);
    CHECK(!store_retry(s, &err));
    CHECK_CONTAINS(err.msg, "progress is not being saved: the disk reported an error");

    /* Space is back: the next event writes everything, in order. */
    store_test_fail_writes(0);
    a.question_id = "q2";
    CHECK(store_answer(s, at, &a, &err));
    CHECK(!store_is_degraded(s));
    CHECK_STR(store_degraded_reason(s), "");
    CHECK(store_pending_count(s) == 0);
    CHECK(outbox_count(s) == n + 4);
    CHECK(q_int(db, "SELECT COUNT(*) FROM pages_seen") == 1);
    CHECK(q_int(db, "SELECT COUNT(*) FROM answers") == 2);
    char *order = q_text(db, "SELECT group_concat(verb,',') FROM (SELECT verb FROM outbox "
                             "ORDER BY seq)");
    CHECK_STR(order, "launched,experienced,attempted,answered,answered");
    free(order);
    CHECK(q_int(db, "SELECT COUNT(*) FROM attempts WHERE state='s1'") == 1);
    fx_done(&f);
}

TEST(retry_writes_pending_and_queue_is_bounded)
{
    Fixture f;
    fx_init(&f, "bounded", true);
    if (!f.s) return fx_done(&f);
    Store *s = f.s;
    Error err = {{0}};
    store_test_fail_writes(SQLITE_FULL);
    for (int i = 0; i < STORE_PENDING_MAX + 5; i++)
        CHECK(!store_page_seen(s, f.learner, &g_lesson_v1, "intro", &err));
    CHECK(store_pending_count(s) == STORE_PENDING_MAX);
    CHECK_CONTAINS(err.msg, "new ones are lost");
    store_test_fail_writes(0);
    CHECK(store_retry(s, &err));
    CHECK(!store_is_degraded(s));
    CHECK(outbox_count(s) == STORE_PENDING_MAX);
    CHECK(q_int(store_test_db(s), "SELECT times FROM pages_seen") == STORE_PENDING_MAX);
    fx_done(&f);
}

TEST(pending_written_on_close)
{
    Fixture f;
    fx_init(&f, "close", true);
    if (!f.s) return fx_done(&f);
    Error err;
    store_test_fail_writes(SQLITE_FULL);
    CHECK(!store_page_seen(f.s, f.learner, &g_lesson_v1, "intro", &err));
    store_test_fail_writes(0);
    store_close(f.s);
    fx_open(&f);
    CHECK(f.s && outbox_count(f.s) == 1);
    fx_done(&f);
}

TEST(locked_database_degrades)
{
    Fixture f;
    fx_init(&f, "locked", true);
    if (!f.s) return fx_done(&f);
    Error err = {{0}};
    sqlite3_busy_timeout(store_test_db(f.s), 50); /* do not wait 5 s in a test */
    sqlite3 *other;
    CHECK(sqlite3_open(f.db_path, &other) == SQLITE_OK);
    CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(!store_page_seen(f.s, f.learner, &g_lesson_v1, "intro", &err));
    CHECK_CONTAINS(err.msg, "another program");
    CHECK(store_is_degraded(f.s));
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    CHECK(store_retry(f.s, &err));
    CHECK(outbox_count(f.s) == 1);
    fx_done(&f);
}

TEST(null_store_is_safe)
{
    Error err = {{0}};
    CHECK(!store_page_seen(NULL, "x", &g_lesson_v1, "intro", &err));
    CHECK_CONTAINS(err.msg, "progress is not being saved");
    CHECK(store_is_degraded(NULL));
    CHECK(!store_retry(NULL, &err));
    store_close(NULL);
}

/* ---- outpost progress ---- */

/* Runs cmd_progress with stdout captured into *out (heap). */
static int run_progress(char **out, int argc, char **argv)
{
    fflush(stdout);
    char tmpl[] = "/tmp/outpost-progress-out-XXXXXX";
    int fd = mkstemp(tmpl);
    int saved = dup(1);
    dup2(fd, 1);
    int rc = cmd_progress(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(fd);
    *out = NULL;
    file_read_all(tmpl, 1 << 20, out, NULL, NULL);
    unlink(tmpl);
    return rc;
}

TEST(progress_command)
{
    Fixture f;
    fx_init(&f, "cmd", true);
    if (!f.s) return fx_done(&f);
    Store *s = f.s;
    Error err;
    char odd[STORE_ID_SIZE], at[STORE_ID_SIZE];
    CHECK(store_learner_create(s, "Tran \"Bao\", Anh", NULL, odd, &err));
    CHECK(store_lesson_launched(s, f.learner, &g_lesson_v1, &err));
    CHECK(store_page_seen(s, f.learner, &g_lesson_v1, "intro", &err));
    CHECK(store_page_seen(s, f.learner, &g_lesson_v1, "rules", &err));
    CHECK(store_attempt_start(s, f.learner, &g_lesson_v1, "quiz1", 1, at, &err));
    StoreAttemptResult r = {.raw = 17, .min = 0, .max = 20, .passed = true, .duration_ms = 1};
    CHECK(store_attempt_finish(s, at, &r, &err));
    CHECK(store_lesson_launched(s, odd, &g_lesson_th, &err));
    CHECK(store_lesson_completed(s, odd, &g_lesson_th, &err));
    store_close(s);
    f.s = NULL;

    char *out;
    char *argv1[] = {"progress", "--data", f.dir, NULL};
    CHECK(run_progress(&out, 3, argv1) == 0);
    CHECK_CONTAINS(out, "Learner");
    CHECK_CONTAINS(out, "Somchai Jaidee");
    CHECK_CONTAINS(out, "wco.valuation.basics");
    CHECK_CONTAINS(out, "Valuation basics");
    CHECK_CONTAINS(out, "2/3");
    CHECK_CONTAINS(out, "85%");
    CHECK_CONTAINS(out, "ถิ่นกำเนิดสินค้า");
    free(out);

    char *argv2[] = {"progress", "--csv", "--learner", "tran \"bao\", anh", "--data", f.dir, NULL};
    CHECK(run_progress(&out, 6, argv2) == 0);
    CHECK(out && strncmp(out, "learner,learner_id,lesson_id,", 29) == 0);
    CHECK_CONTAINS(out, "\r\n\"Tran \"\"Bao\"\", Anh\",");
    CHECK_CONTAINS(out, ",wco.origin.th,ถิ่นกำเนิดสินค้า,1.2,0,2,,no,yes,");
    CHECK(!strstr(out, "Somchai"));
    free(out);

    char *argv3[] = {"progress", "--learner", "Nobody", "--data", f.dir, NULL};
    CHECK(run_progress(&out, 5, argv3) == 1);
    free(out);
    char *argv4[] = {"progress", "--bogus", NULL};
    CHECK(run_progress(&out, 2, argv4) == 2);
    free(out);
    char *empty = xasprintf("%s/empty", f.dir);
    char *argv5[] = {"progress", "--data", empty, NULL};
    CHECK(run_progress(&out, 3, argv5) == 0);
    CHECK_CONTAINS(out, "No progress has been recorded yet");
    free(out);
    char *db2 = xasprintf("%s/outpost.db", empty);
    CHECK(!path_is_file(db2)); /* not created just to say so */
    free(db2);
    free(empty);
    paths_reset();
    fx_done(&f);
}

int main(void)
{
    RUN(paths_order_and_creation);
    RUN(schema_created);
    RUN(migration_from_version_1);
    RUN(newer_schema_refused_untouched);
    RUN(learners_and_pins);
    RUN(every_event_writes_one_statement);
    RUN(time_formats_and_iris);
    RUN(statement_in_lesson_language);
    RUN(version_update_keeps_surviving_ids);
    RUN(summaries_and_resume);
    RUN(garbage_file_moved_aside);
    RUN(damaged_pages_moved_aside);
    RUN(foreign_sqlite_file_moved_aside);
    RUN(disk_full_degrades_then_recovers);
    RUN(retry_writes_pending_and_queue_is_bounded);
    RUN(pending_written_on_close);
    RUN(locked_database_degrades);
    RUN(null_store_is_safe);
    RUN(progress_command);
    return test_summary();
}
