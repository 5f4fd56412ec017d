/* store: the learners' progress, kept in one SQLite database (outpost.db in
 * the data folder, see paths.h) so that nothing is lost when the power fails.
 *
 * - Every learning event (store_page_seen, store_attempt_start, ...) changes
 *   the progress tables AND appends one xAPI 1.0.3 statement to the `outbox`
 *   table in the SAME transaction: progress and the record for the Learning
 *   Record Store can never disagree. A call that returns true has been
 *   committed with synchronous=FULL (fsync'd) and survives a power cut.
 * - If a write fails (disk full, folder read-only, database locked), the call
 *   returns false with a plain reason, the store becomes "degraded" and the
 *   event is kept in memory (at most STORE_PENDING_MAX events) and written by
 *   the next call, or by store_retry(), once the disk is writable again.
 *   Pending events are lost if the program ends before that.
 * - Progress is keyed by lesson id + page id (+ question id), not by lesson
 *   version: when a lesson is updated, pages and questions whose ids still
 *   exist keep their progress; vanished ids are simply not counted.
 *
 * Ownership: a Store is made by store_open() and freed by store_close().
 * Strings passed in are copied; strings handed out are either owned by the
 * Store (documented "owned by the store": valid until the next call on it) or
 * written into caller buffers of the documented size. A Store is not
 * thread-safe: use it from one thread. See docs/progress.md. */
#ifndef OUTPOST_STORE_H
#define OUTPOST_STORE_H

#include "manifest.h"
#include "util.h"

#include <stdint.h>

struct json_t;

/* Schema version this player writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 2
/* A UUID in text form, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", plus NUL. */
#define STORE_ID_SIZE 37
/* Learner names: at most this many characters (code points). */
#define STORE_NAME_MAX_CHARS 60
/* Events kept in memory while the disk cannot be written. */
#define STORE_PENDING_MAX 512
/* Default IRI prefix of activity ids (see docs/progress.md). */
#define STORE_ACTIVITY_BASE "https://outpost.wco-rocb.example/xapi/activities"
/* Default account home page prefix; the device id is appended. */
#define STORE_HOME_PAGE_BASE "https://outpost.wco-rocb.example/xapi/devices/"

typedef struct Store Store;

/* What store_open() found, for the UI to tell the user. */
typedef struct StoreOpenReport {
    bool created;           /* a new, empty database was made */
    int migrated_from;      /* schema version before an upgrade, or -1 */
    bool recovered;         /* the old file was damaged and was moved aside */
    char moved_to[1024];    /* ...to this path (never deleted) */
    char message[1024];     /* plain sentence for the user when recovered */
} StoreOpenReport;

/* Opens (creating if needed) the database at db_path; NULL means
 * paths_database_file(). A damaged file is moved aside to
 * "outpost.db.corrupt-YYYYMMDD-HHMMSS" and a fresh one created (report says
 * so). A database written by a NEWER Outpost is refused and left untouched.
 * A database that can only be read (read-only folder) opens degraded.
 * Returns NULL with a reason if there is no usable database at all. report
 * may be NULL. Close with store_close(). */
Store *store_open(const char *db_path, StoreOpenReport *report, Error *err);
/* Tries once more to write pending events, then closes. NULL is allowed. */
void store_close(Store *s);

/* True while some events could not be written; store_degraded_reason() says
 * why ("progress is not being saved: the disk is full"), owned by the store,
 * "" when not degraded. */
bool store_is_degraded(const Store *s);
const char *store_degraded_reason(const Store *s);
int store_pending_count(const Store *s);
/* Writes pending events now (the UI may call it every few seconds while
 * degraded). True when nothing is pending any more. */
bool store_retry(Store *s, Error *err);

/* ---- Device identity (for xAPI accounts) ---- */

/* The device's stable random id, made on first open. Owned by the store. */
const char *store_device_id(const Store *s);
/* The account home page IRI used in every statement's actor:
 * STORE_HOME_PAGE_BASE + device id unless set. Owned by the store. */
const char *store_home_page(const Store *s);
/* Sets the home page (must be an absolute http(s) IRI). Affects new
 * statements only. */
bool store_set_home_page(Store *s, const char *iri, Error *err);

/* ---- Learners ---- */

typedef struct StoreLearner {
    char id[STORE_ID_SIZE];  /* stable, random; the xAPI account name */
    char name[256];          /* display name as typed, UTF-8 */
    bool has_pin;
    int64_t created_ms;      /* Unix time in milliseconds */
    int64_t last_used_ms;    /* 0 if never selected */
} StoreLearner;

/* Adds a learner. name is trimmed, must be 1..STORE_NAME_MAX_CHARS
 * characters with no control characters, and unique ignoring case ("Anna"
 * and "ANNA" clash). pin may be NULL or "" for none; it is stored only as an
 * Argon2id hash (crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE: ~60 ms
 * and 64 MiB here). id_out (may be NULL) receives the new id. */
bool store_learner_create(Store *s, const char *name, const char *pin,
                          char id_out[STORE_ID_SIZE], Error *err);
/* All learners sorted by name. *out is a heap array the caller frees with
 * free(); *n may be 0 (then *out is NULL). */
bool store_learners(Store *s, StoreLearner **out, int *n, Error *err);
/* One learner by id; false with a reason if there is none. */
bool store_learner_get(Store *s, const char *id, StoreLearner *out, Error *err);
/* Looks a learner up by name, ignoring case; false if there is none. */
bool store_learner_find(Store *s, const char *name, StoreLearner *out, Error *err);

typedef enum StorePinCheck {
    STORE_PIN_ERROR = -1,  /* could not check (err says why) */
    STORE_PIN_WRONG = 0,
    STORE_PIN_OK = 1,      /* right PIN, or the learner has none */
} StorePinCheck;
/* Checks pin against the learner's hash (slow on purpose). */
StorePinCheck store_learner_check_pin(Store *s, const char *id, const char *pin, Error *err);
/* Sets or (pin NULL or "") removes the PIN. */
bool store_learner_set_pin(Store *s, const char *id, const char *pin, Error *err);
bool store_learner_rename(Store *s, const char *id, const char *new_name, Error *err);
/* Deletes the learner and their progress. Statements already in the outbox
 * are kept: they record what happened and may still be sent. */
bool store_learner_delete(Store *s, const char *id, Error *err);

/* Remembers the learner who signed in, to preselect them next time. */
bool store_learner_select(Store *s, const char *id, Error *err);
/* The last selected learner that still exists; false if none. */
bool store_last_learner(Store *s, char id_out[STORE_ID_SIZE]);

/* ---- Learning events ----
 * Each returns true once the change and its one xAPI statement are committed.
 * On false, err says why; if the reason is the disk (store_is_degraded()),
 * the event is kept and written later, so the UI just shows the reason and
 * carries on. `lesson` is the lesson's current manifest (not kept). */

/* The learner opened the lesson: records its title, language, version and
 * page list (what `outpost progress` shows) and the time. Verb: launched. */
bool store_lesson_launched(Store *s, const char *learner_id, const Manifest *lesson, Error *err);
/* The learner was shown the page. Verb: experienced (every call). */
bool store_page_seen(Store *s, const char *learner_id, const Manifest *lesson,
                     const char *page_id, Error *err);
/* Where to resume: page and scroll offset (the UI's unit; a fraction of the
 * page height survives text-size changes best). Writes one "progressed"
 * statement when the page differs from the stored position; a scroll-only
 * change just updates the bookmark (it is not a learning event). */
bool store_set_position(Store *s, const char *learner_id, const Manifest *lesson,
                        const char *page_id, double scroll, Error *err);
/* The learner finished the lesson. Verb: completed. Calling it again for a
 * lesson already completed in this version changes nothing and writes no
 * statement. */
bool store_lesson_completed(Store *s, const char *learner_id, const Manifest *lesson,
                            Error *err);

/* Starts a quiz attempt on quiz page page_id. seed is the quiz runtime's
 * shuffle seed, kept for resuming. attempt_id_out receives the new attempt id
 * (the xAPI context.registration of its statements). Verb: attempted.
 * If it returns false only because the disk is failing (store_is_degraded()),
 * attempt_id_out is still valid: answers queue up behind the start. */
bool store_attempt_start(Store *s, const char *learner_id, const Manifest *lesson,
                         const char *page_id, int64_t seed,
                         char attempt_id_out[STORE_ID_SIZE], Error *err);

/* xAPI cmi.interaction types, for StoreAnswer.interaction. */
typedef struct StoreAnswer {
    const char *question_id;   /* stable id of the question within its page */
    const char *question_text; /* shown name in the lesson language, or NULL */
    const char *interaction;   /* "choice", "true-false", "fill-in",
                                  "long-fill-in", "matching", "sequencing",
                                  "numeric", "likert", "performance", "other",
                                  or NULL when unknown */
    const char *response;      /* the learner's answer, formatted as xAPI
                                  expects for the type ("b[,]d" for choice
                                  ids, "true", free text) */
    double score, max_score;   /* points earned / possible (max_score > 0) */
    bool correct;
    const char *state;         /* the quiz runtime's serialized state after
                                  this answer (to resume), or NULL to keep */
} StoreAnswer;
/* Records one answer (all answers are kept, a changed answer is a second
 * row). Verb: answered. */
bool store_answer(Store *s, const char *attempt_id, const StoreAnswer *a, Error *err);
/* Saves the quiz runtime's opaque state string without an event (e.g. the
 * question shown changed). */
bool store_attempt_save_state(Store *s, const char *attempt_id, const char *state, Error *err);

typedef struct StoreAttemptResult {
    double raw, min, max;  /* score; min <= raw <= max, max > min */
    bool passed;
    int64_t duration_ms;   /* time actually spent; < 0: since the start */
} StoreAttemptResult;
/* Ends the attempt. Verb: passed or failed, with the score, success,
 * completion and duration. Finishing an attempt twice is refused. */
bool store_attempt_finish(Store *s, const char *attempt_id, const StoreAttemptResult *r,
                          Error *err);

typedef struct StoreAttempt {
    char id[STORE_ID_SIZE];
    int64_t seed;
    int64_t started_ms;
    int answers;    /* answers recorded so far */
    char *state;    /* opaque quiz state, or NULL; freed by store_attempt_clear */
} StoreAttempt;
/* The learner's latest unfinished attempt on that quiz page, to resume.
 * Returns false only if the database cannot be read; *found says whether
 * there is one (then *out is filled; free with store_attempt_clear()). */
bool store_attempt_find_open(Store *s, const char *learner_id, const char *lesson_id,
                             const char *page_id, StoreAttempt *out, bool *found, Error *err);
void store_attempt_clear(StoreAttempt *a);

/* ---- Home screen ---- */

typedef struct StoreLessonSummary {
    int pages_seen;       /* pages of the CURRENT manifest seen at least once */
    int pages_total;      /* lesson->n_pages */
    int quiz_pages;       /* quiz pages in the current manifest */
    int quiz_passed;      /* ...of which passed at least once */
    bool has_score;       /* some attempt on a current quiz page finished */
    double best_scaled;   /* 0..1: mean over those quiz pages of each page's
                             best scaled score */
    bool passed;          /* quiz_pages > 0 and all passed */
    bool completed;       /* store_lesson_completed was recorded (any version) */
    int64_t last_opened_ms; /* 0: never opened */
    int position_page;    /* index into lesson->pages to resume, -1: none (or
                             the bookmarked page no longer exists) */
    double position_scroll;
    bool attempt_open;    /* an unfinished attempt on a current quiz page */
} StoreLessonSummary;

/* Fills out[i] for each of the n lessons (current manifests) for a learner,
 * with a handful of queries whatever n is. */
bool store_lesson_summaries(Store *s, const char *learner_id, const Manifest *const *lessons,
                            int n, StoreLessonSummary *out, Error *err);

/* ---- Helpers shared with the sync and tests ---- */

/* A random (version 4) UUID via libsodium. */
void store_uuid4(char out[STORE_ID_SIZE]);
/* The activity IRI of a lesson (page_id NULL), a page (question_id NULL) or a
 * question: BASE/<lesson>[/<page>[/<question>]], each id percent-encoded as
 * one path segment. Heap string, caller frees. */
char *store_activity_iri(const char *lesson_id, const char *page_id, const char *question_id);
/* ISO 8601 duration as xAPI wants it: 63250 ms -> "PT1M3.25S". out >= 32. */
void store_format_duration(int64_t ms, char *out, size_t size);
/* ISO 8601 timestamp with milliseconds and the local UTC offset:
 * "2026-11-27T22:10:05.123+07:00". out >= 40. */
void store_format_timestamp(int64_t unix_ms, char *out, size_t size);

/* ---- Sync and offline bundles (used by sync.c and bundle.c) ----
 * The outbox is append-only; a statement is "delivered" once the LRS has it,
 * "rejected" when the LRS refused it for good (with its reason), and
 * "exported" once written to a bundle file. Statements pulled from an LRS
 * or imported from a bundle are merged into the outbox by id (a second copy
 * changes nothing) and, for learners known on this computer, into their
 * progress. See docs/sync.md. */

/* One outbox row. Strings are heap copies owned by the row: free the array
 * with store_outbox_rows_free(). */
typedef struct StoreOutboxRow {
    int64_t seq;
    char id[STORE_ID_SIZE];
    char *learner_id;
    char *verb;
    int64_t created_ms;
    char *statement;     /* compact JSON text */
    char *reason;        /* reject_reason or last_error, or NULL */
    int64_t when_ms;     /* rejected_ms for rejected rows, else 0 */
} StoreOutboxRow;
void store_outbox_rows_free(StoreOutboxRow *rows, int n);

typedef enum StoreOutboxKind {
    STORE_OUTBOX_UNDELIVERED, /* not delivered nor rejected (exported or not): to send */
    STORE_OUTBOX_UNEXPORTED,  /* not delivered, rejected nor exported: to export */
    STORE_OUTBOX_REJECTED,    /* refused by the LRS */
} StoreOutboxKind;
/* Up to limit rows of that kind with seq > after_seq, in seq order. *rows
 * is a heap array (NULL when *n is 0). */
bool store_outbox_list(Store *s, StoreOutboxKind kind, int64_t after_seq, int limit,
                       StoreOutboxRow **rows, int *n, Error *err);

typedef struct StoreOutboxCounts {
    int64_t total, delivered, rejected, waiting; /* waiting: not delivered nor rejected */
    int64_t exported_waiting; /* ...of which already written to a bundle */
    int64_t oldest_waiting_ms; /* created_ms of the oldest waiting one, 0: none */
} StoreOutboxCounts;
bool store_outbox_counts(Store *s, StoreOutboxCounts *out, Error *err);

/* Each of these runs in one transaction (all ids or none). */
bool store_outbox_mark_delivered(Store *s, const char *const *ids, int n, Error *err);
bool store_outbox_mark_rejected(Store *s, const char *id, const char *reason, Error *err);
/* Counts a failed try for these ids and remembers the error (for --status). */
bool store_outbox_note_failure(Store *s, const char *const *ids, int n, const char *error,
                               Error *err);
bool store_outbox_mark_exported(Store *s, const char *const *ids, int n, const char *file,
                                Error *err);

typedef enum StoreMergeMode {
    STORE_MERGE_DELIVERED, /* pulled from the LRS: already there, never sent again */
    STORE_MERGE_UNSENT,    /* imported from a bundle: to be sent by `outpost sync` */
} StoreMergeMode;
typedef struct StoreMergeReport {
    int added;       /* statements new to this computer */
    int known;       /* already here (same id) */
    int applied;     /* ...of the added, those that changed a local learner's progress */
    int invalid;     /* not statements Outpost can store (no id, no actor...) */
    int learners_created;
} StoreMergeReport;
/* Merges n statements (JSON objects, borrowed) by id in ONE transaction:
 * unknown ids are added to the outbox (as mode says) and, when their actor
 * is an account whose name is a learner of this computer, applied to that
 * learner's progress, oldest first. A learner whose id is create_learner_id
 * (may be NULL) is created from the statements' actor name when missing.
 * Merging the same statements again changes nothing. The LRS-only fields
 * stored, authority and version are dropped. Invalid statements are counted
 * and skipped. */
bool store_merge_statements(Store *s, struct json_t *const *statements, int n,
                            StoreMergeMode mode, const char *create_learner_id,
                            StoreMergeReport *rep, Error *err);

/* Distinct account home pages of the learner's statements on this computer,
 * plus the current home page first. Heap array of heap strings; free with
 * store_strings_free(). */
bool store_learner_home_pages(Store *s, const char *learner_id, char ***out, int *n, Error *err);
void store_strings_free(char **v, int n);

/* Small persistent settings of the sync ("sync.*" keys in the meta table).
 * store_sync_get: *out is a heap string or NULL when unset. */
bool store_sync_get(Store *s, const char *key, char **out, Error *err);
bool store_sync_set(Store *s, const char *key, const char *value, Error *err);

/* Parses an xAPI/ISO 8601 timestamp ("2026-11-27T22:10:05.123+07:00", "...Z")
 * to Unix milliseconds. False if it is not one. */
bool store_parse_timestamp(const char *text, int64_t *unix_ms);

/* ---- Test hooks (used by tests/store; harmless otherwise) ---- */

/* Makes every write to the database files fail with the given SQLite code
 * (SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY...), 0 to stop: the faults are
 * injected by an SQLite VFS shim wrapping the real one. */
void store_test_fail_writes(int sqlite_code);
/* Fixes the clock at unix_ms (0: real time again). */
void store_test_set_clock(int64_t unix_ms);
/* Migrates new databases only up to this schema version (0: all), to test
 * upgrades from old versions. */
void store_test_set_target_version(int version);
/* The underlying connection, for tests that check tables directly. */
struct sqlite3 *store_test_db(Store *s);

#endif
