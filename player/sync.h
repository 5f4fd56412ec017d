/* sync: sends the progress store's outbox of xAPI statements to a Learning
 * Record Store (LRS), pulls a learner's statements back so they can resume
 * on another PC, and moves statements on a USB stick when there is no
 * network (bundles). See docs/sync.md.
 *
 * Exactly once: every statement has its id from the moment it is recorded,
 * so sending it again (after a kill, a lost answer, a bundle imported and
 * also synced) is harmless: the LRS answers 200/204 or 409 and keeps one
 * copy. A statement is marked delivered in the same transaction as the
 * other statements of the batch the LRS acknowledged.
 *
 * Ownership: SyncOptions strings are borrowed for the call. Reports are
 * plain structs filled by the callee. Nothing here is thread-safe. */
#ifndef OUTPOST_SYNC_H
#define OUTPOST_SYNC_H

#include "store.h"
#include "util.h"

#include <stdint.h>

/* Statements per POST unless told otherwise. */
#define SYNC_BATCH_DEFAULT 100
/* Failed requests in a row before a run gives up (it says so). */
#define SYNC_TRIES_DEFAULT 8
/* Newest bundle format this Outpost writes and reads. */
#define BUNDLE_FORMAT_VERSION 1
/* Name of the saved LRS settings in the data folder (mode 0600). */
#define SYNC_CONFIG_FILE "lrs.conf"

typedef struct SyncOptions {
    const char *url;      /* LRS endpoint, e.g. https://lrs.example.org/xAPI */
    const char *user;     /* basic auth, or NULL */
    const char *password;
    const char *token;    /* Bearer token, or NULL */
    int batch;            /* statements per request (0: SYNC_BATCH_DEFAULT) */
    int tries;            /* failed requests in a row before giving up (0: default) */
    int timeout_s;        /* whole-request limit in seconds (0: 120) */
    bool progress;        /* draw a progress bar on stderr */
    bool verbose;         /* one line per request on stderr (never credentials) */
} SyncOptions;

typedef struct SyncReport {
    int sent;             /* newly accepted by the LRS */
    int already;          /* the LRS had them (409) */
    int rejected;         /* refused for good (400): see `outpost sync --status` */
    int64_t left;         /* still waiting after this run */
    int requests;         /* HTTP requests made */
    int retries;          /* of which repeated after a failure */
    int64_t bytes_up;     /* request bytes (headers + bodies) sent */
    bool gave_up;         /* stopped early; problem says why */
    char problem[512];
} SyncReport;

/* Sends every statement not yet delivered nor rejected, oldest first. False
 * (with err) only when the run could not start or stopped on a problem that
 * retrying will not fix (wrong address, refused credentials, disk); the
 * report is filled either way. */
bool sync_push(Store *s, const SyncOptions *o, SyncReport *rep, Error *err);

typedef struct SyncPullReport {
    int pages;            /* GET requests */
    int received;         /* statements received */
    StoreMergeReport merge;
} SyncPullReport;

/* Fetches the learner's statements (GET statements?agent=...&since=...,
 * following `more`) and merges them into this computer's progress. The
 * learner is looked up by id; when missing (resuming on a new PC) it is
 * created from the statements' actor name. The point reached is remembered
 * so the next pull asks only for newer statements. */
bool sync_pull(Store *s, const SyncOptions *o, const char *learner_id, SyncPullReport *rep,
               Error *err);

typedef struct BundleReport {
    int statements;       /* in the bundle */
    int learners;         /* distinct learners in it */
    int64_t bytes;        /* size of the bundle file */
    StoreMergeReport merge; /* import only */
} BundleReport;

/* Writes the statements not yet delivered nor exported (all not delivered
 * with again) to the zip `file` (a folder: a new name inside it), then marks
 * them exported. An existing file is never overwritten. *written receives
 * the file's path (heap, caller frees; NULL when there was nothing to
 * export). */
bool bundle_export(Store *s, const char *file, bool again, char **written, BundleReport *rep,
                   Error *err);
/* Checks the bundle as a whole (checksum, format, every line) and merges it
 * in one transaction; nothing is imported from a damaged bundle. */
bool bundle_import(Store *s, const char *file, BundleReport *rep, Error *err);

/* True if LRS settings were saved (`outpost sync --save`). */
bool sync_is_configured(void);
/* What `outpost sync` does with the saved settings, for the player's "Send
 * progress" button: pushes the outbox, then pulls learner_id's statements
 * (NULL: no pull), and records the outcome as the last sync. summary (at
 * least 256 bytes) receives the line the command prints ("sent 12, already
 * there 0, rejected 0, left 0") or the problem. Blocking: the player calls
 * it on a worker thread with a Store of its own. */
bool sync_saved(Store *s, const char *learner_id, char *summary, size_t size, Error *err);
/* The last sync's outcome as recorded ("2026-11-27 14:02: sent 12, ..."),
 * heap, caller frees; NULL if there was none. */
char *sync_last(Store *s);

/* Test hook: base delay of the retry backoff in ms (default 500). */
void sync_test_set_backoff_ms(int ms);

#endif
