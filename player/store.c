/* store: see store.h and docs/progress.md.
 *
 * Layout of this file: small helpers (clock, ids, IRIs, time formats), the
 * fault-injecting VFS shim, SQL text, the write queue ("ops"), opening and
 * migrating, learners, statements and events, home-screen summaries, and
 * `outpost progress`. */
#include "store.h"

#include "cli.h"
#include "paths.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Clock, ids and formats                                                   */

static int64_t g_test_clock_ms;
static int g_test_target_version;

void store_test_set_clock(int64_t unix_ms) { g_test_clock_ms = unix_ms; }
void store_test_set_target_version(int version) { g_test_target_version = version; }

static int64_t now_ms(void)
{
    if (g_test_clock_ms) return g_test_clock_ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool sodium_ready(void)
{
    static int state; /* 0 not tried, 1 ok, -1 failed */
    if (!state) state = sodium_init() >= 0 ? 1 : -1;
    return state > 0;
}

void store_uuid4(char out[STORE_ID_SIZE])
{
    unsigned char b[16];
    if (sodium_ready()) {
        randombytes_buf(b, sizeof b);
    } else {
        /* libsodium only fails to start without any entropy source; fall
         * back to /dev/urandom directly rather than abort. */
        FILE *f = fopen("/dev/urandom", "rb");
        if (!f || fread(b, 1, sizeof b, f) != sizeof b) {
            fputs("outpost: no source of random numbers\n", stderr);
            exit(70);
        }
        fclose(f);
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = 0;
}

/* Appends s as one RFC 3986 path segment: unreserved characters stay, all
 * else (including '/', spaces and non-ASCII bytes) becomes %XX, so any id
 * maps to exactly one valid segment and distinct ids stay distinct. */
static void put_segment(Buf *b, const char *s)
{
    if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
        /* "", "." and ".." would be removed by IRI normalisation. */
        for (const char *p = s; *p; p++) buf_puts(b, "%2E");
        if (!*s) buf_puts(b, "%20");
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

char *store_activity_iri(const char *lesson_id, const char *page_id, const char *question_id)
{
    Buf b = {0};
    buf_puts(&b, STORE_ACTIVITY_BASE "/");
    put_segment(&b, lesson_id);
    if (page_id) {
        buf_putc(&b, '/');
        put_segment(&b, page_id);
        if (question_id) {
            buf_putc(&b, '/');
            put_segment(&b, question_id);
        }
    }
    return buf_take(&b);
}

void store_format_duration(int64_t ms, char *out, size_t size)
{
    if (ms < 0) ms = 0;
    /* xAPI keeps durations to 0.01 s (SCORM's precision). */
    int64_t cs = (ms + 5) / 10;
    int64_t h = cs / 360000, m = cs / 6000 % 60, sec = cs / 100 % 60, frac = cs % 100;
    Buf b = {0};
    buf_puts(&b, "PT");
    if (h) buf_printf(&b, "%lldH", (long long)h);
    if (m) buf_printf(&b, "%lldM", (long long)m);
    if (sec || frac || (!h && !m)) {
        buf_printf(&b, "%lld", (long long)sec);
        if (frac) {
            if (frac % 10)
                buf_printf(&b, ".%02lld", (long long)frac);
            else
                buf_printf(&b, ".%lld", (long long)(frac / 10));
        }
        buf_putc(&b, 'S');
    }
    snprintf(out, size, "%s", buf_cstr(&b));
    buf_free(&b);
}

void store_format_timestamp(int64_t unix_ms, char *out, size_t size)
{
    time_t t = (time_t)(unix_ms / 1000);
    int msec = (int)(unix_ms % 1000);
    if (msec < 0) {
        msec += 1000;
        t -= 1;
    }
    struct tm tm;
    localtime_r(&t, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff;
    if (off == 0) {
        snprintf(out, size, "%s.%03dZ", date, msec);
    } else {
        char sign = off < 0 ? '-' : '+';
        if (off < 0) off = -off;
        snprintf(out, size, "%s.%03d%c%02ld:%02ld", date, msec, sign, off / 3600, off / 60 % 60);
    }
}

/* ------------------------------------------------------------------------ */
/* Fault-injecting VFS shim: forwards everything to the default VFS, except */
/* that writes fail on demand (store_test_fail_writes). It is always used so */
/* that the code under test is the code that ships.                          */

static int g_fail_writes;
static sqlite3_vfs *g_real_vfs;
static sqlite3_vfs g_fault_vfs;
#define FAULT_VFS_NAME "outpost-fault"

void store_test_fail_writes(int sqlite_code) { g_fail_writes = sqlite_code; }

typedef struct FaultFile {
    sqlite3_file base;
    sqlite3_file *real; /* points just past this struct */
} FaultFile;

#define REAL(f) (((FaultFile *)(f))->real)

static int ff_close(sqlite3_file *f)
{
    return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}
static int ff_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int ff_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    if (g_fail_writes) return g_fail_writes;
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (g_fail_writes) return g_fail_writes;
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int ff_sync(sqlite3_file *f, int flags) { return REAL(f)->pMethods->xSync(REAL(f), flags); }
static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int ff_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int ff_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int ff_check(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int ff_fcntl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int ff_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int ff_devchar(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shmmap(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    const sqlite3_io_methods *m = REAL(f)->pMethods;
    return m->iVersion >= 2 ? m->xShmMap(REAL(f), pg, pgsz, extend, pp) : SQLITE_IOERR;
}
static int ff_shmlock(sqlite3_file *f, int off, int n, int flags)
{
    const sqlite3_io_methods *m = REAL(f)->pMethods;
    return m->iVersion >= 2 ? m->xShmLock(REAL(f), off, n, flags) : SQLITE_IOERR;
}
static void ff_shmbarrier(sqlite3_file *f)
{
    const sqlite3_io_methods *m = REAL(f)->pMethods;
    if (m->iVersion >= 2) m->xShmBarrier(REAL(f));
}
static int ff_shmunmap(sqlite3_file *f, int del)
{
    const sqlite3_io_methods *m = REAL(f)->pMethods;
    return m->iVersion >= 2 ? m->xShmUnmap(REAL(f), del) : SQLITE_OK;
}
static int ff_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    const sqlite3_io_methods *m = REAL(f)->pMethods;
    if (m->iVersion >= 3) return m->xFetch(REAL(f), off, n, pp);
    *pp = NULL;
    return SQLITE_OK;
}
static int ff_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    const sqlite3_io_methods *m = REAL(f)->pMethods;
    return m->iVersion >= 3 ? m->xUnfetch(REAL(f), off, p) : SQLITE_OK;
}

static const sqlite3_io_methods g_fault_io = {
    3,         ff_close,   ff_read,        ff_write,    ff_truncate, ff_sync,
    ff_size,   ff_lock,    ff_unlock,      ff_check,    ff_fcntl,    ff_sector,
    ff_devchar, ff_shmmap, ff_shmlock,     ff_shmbarrier, ff_shmunmap, ff_fetch,
    ff_unfetch,
};

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    FaultFile *ff = (FaultFile *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    ff->real->pMethods = NULL;
    int rc = g_real_vfs->xOpen(g_real_vfs, name, ff->real, flags, out);
    /* SQLite calls xClose only if pMethods is set, so mirror the real file. */
    ff->base.pMethods = ff->real->pMethods ? &g_fault_io : NULL;
    return rc;
}
static int fv_delete(sqlite3_vfs *v, const char *name, int sync)
{
    (void)v;
    return g_real_vfs->xDelete(g_real_vfs, name, sync);
}
static int fv_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return g_real_vfs->xAccess(g_real_vfs, name, flags, out);
}
static int fv_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return g_real_vfs->xFullPathname(g_real_vfs, name, n, out);
}
static void *fv_dlopen(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return g_real_vfs->xDlOpen(g_real_vfs, name);
}
static void fv_dlerror(sqlite3_vfs *v, int n, char *msg)
{
    (void)v;
    g_real_vfs->xDlError(g_real_vfs, n, msg);
}
static void (*fv_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return g_real_vfs->xDlSym(g_real_vfs, h, sym);
}
static void fv_dlclose(sqlite3_vfs *v, void *h)
{
    (void)v;
    g_real_vfs->xDlClose(g_real_vfs, h);
}
static int fv_random(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return g_real_vfs->xRandomness(g_real_vfs, n, out);
}
static int fv_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return g_real_vfs->xSleep(g_real_vfs, us);
}
static int fv_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return g_real_vfs->xCurrentTime(g_real_vfs, out);
}
static int fv_lasterr(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return g_real_vfs->xGetLastError ? g_real_vfs->xGetLastError(g_real_vfs, n, out) : 0;
}
static int fv_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return g_real_vfs->xCurrentTimeInt64(g_real_vfs, out);
}

static bool fault_vfs_register(void)
{
    if (g_real_vfs) return true;
    sqlite3_vfs *real = sqlite3_vfs_find(NULL);
    if (!real || real->iVersion < 2) return false;
    g_real_vfs = real;
    g_fault_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(FaultFile) + real->szOsFile,
        .mxPathname = real->mxPathname,
        .zName = FAULT_VFS_NAME,
        .xOpen = fv_open,
        .xDelete = fv_delete,
        .xAccess = fv_access,
        .xFullPathname = fv_fullpath,
        .xDlOpen = fv_dlopen,
        .xDlError = fv_dlerror,
        .xDlSym = fv_dlsym,
        .xDlClose = fv_dlclose,
        .xRandomness = fv_random,
        .xSleep = fv_sleep,
        .xCurrentTime = fv_time,
        .xGetLastError = fv_lasterr,
        .xCurrentTimeInt64 = fv_time64,
    };
    return sqlite3_vfs_register(&g_fault_vfs, 0) == SQLITE_OK;
}

/* ------------------------------------------------------------------------ */
/* SQL                                                                      */

#define SQL_LIST(X)                                                                       \
    X(Q_META_GET, "SELECT value FROM meta WHERE key=?1")                                  \
    X(Q_META_SET, "INSERT INTO meta(key,value) VALUES(?1,?2) "                            \
                  "ON CONFLICT(key) DO UPDATE SET value=excluded.value")                  \
    X(Q_LEARNERS, "SELECT id,name,pin_hash IS NOT NULL,created_ms,COALESCE(last_used_ms,0) " \
                  "FROM learners ORDER BY name_key")                                      \
    X(Q_LEARNER_BY_KEY, "SELECT id FROM learners WHERE name_key=?1")                      \
    X(Q_LEARNER_PIN, "SELECT pin_hash FROM learners WHERE id=?1")                         \
    X(Q_LEARNER_INSERT, "INSERT INTO learners(id,name,name_key,pin_hash,created_ms) "     \
                        "VALUES(?1,?2,?3,?4,?5)")                                         \
    X(Q_LEARNER_SET_PIN, "UPDATE learners SET pin_hash=?2 WHERE id=?1")                   \
    X(Q_LEARNER_RENAME, "UPDATE learners SET name=?2,name_key=?3 WHERE id=?1")            \
    X(Q_LEARNER_DELETE, "DELETE FROM learners WHERE id=?1")                               \
    X(Q_LEARNER_USED, "UPDATE learners SET last_used_ms=?2 WHERE id=?1")                  \
    X(Q_OUTBOX_ADD, "INSERT INTO outbox(id,learner_id,verb,created_ms,statement) "        \
                    "VALUES(?1,?2,?3,?4,?5)")                                             \
    X(Q_LESSON_UPSERT, "INSERT INTO lessons(id,version,title,language,page_count,updated_ms) " \
                       "VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(id) DO UPDATE SET "         \
                       "version=excluded.version,title=excluded.title,"                   \
                       "language=excluded.language,page_count=excluded.page_count,"       \
                       "updated_ms=excluded.updated_ms")                                  \
    X(Q_LESSON_PAGES_CLEAR, "DELETE FROM lesson_pages WHERE lesson_id=?1")                \
    X(Q_LESSON_PAGE_ADD, "INSERT OR REPLACE INTO lesson_pages(lesson_id,page_id,ord,kind,title) " \
                         "VALUES(?1,?2,?3,?4,?5)")                                        \
    X(Q_LL_ENSURE, "INSERT INTO learner_lessons(learner_id,lesson_id,version) "           \
                   "VALUES(?1,?2,?3) ON CONFLICT DO NOTHING")                             \
    X(Q_LL_LAUNCH, "INSERT INTO learner_lessons(learner_id,lesson_id,version,"            \
                   "first_opened_ms,last_opened_ms,launches) VALUES(?1,?2,?3,?4,?4,1) "   \
                   "ON CONFLICT DO UPDATE SET version=excluded.version,"                  \
                   "first_opened_ms=COALESCE(first_opened_ms,excluded.first_opened_ms),"  \
                   "last_opened_ms=excluded.last_opened_ms,launches=launches+1")          \
    X(Q_LL_POSITION, "INSERT INTO learner_lessons(learner_id,lesson_id,version,"          \
                     "position_page,position_scroll,position_ms) VALUES(?1,?2,?3,?4,?5,?6) " \
                     "ON CONFLICT DO UPDATE SET position_page=excluded.position_page,"    \
                     "position_scroll=excluded.position_scroll,"                          \
                     "position_ms=excluded.position_ms")                                  \
    X(Q_LL_GET, "SELECT position_page,completed_version FROM learner_lessons "            \
                "WHERE learner_id=?1 AND lesson_id=?2")                                   \
    X(Q_LL_COMPLETE, "UPDATE learner_lessons SET completed_ms=?3,completed_version=?4 "   \
                     "WHERE learner_id=?1 AND lesson_id=?2")                              \
    X(Q_SEEN_UPSERT, "INSERT INTO pages_seen(learner_id,lesson_id,page_id,version,first_ms," \
                     "last_ms,times) VALUES(?1,?2,?3,?4,?5,?5,1) ON CONFLICT DO UPDATE SET " \
                     "version=excluded.version,last_ms=excluded.last_ms,times=times+1")   \
    X(Q_ATTEMPT_INSERT, "INSERT INTO attempts(id,learner_id,lesson_id,version,page_id,"   \
                        "seed,started_ms) VALUES(?1,?2,?3,?4,?5,?6,?7)")                  \
    X(Q_ATTEMPT_STATE, "UPDATE attempts SET state=?2 WHERE id=?1")                        \
    X(Q_ATTEMPT_FINISH, "UPDATE attempts SET ended_ms=?2,duration_ms=?3,score_raw=?4,"    \
                        "score_min=?5,score_max=?6,score_scaled=?7,passed=?8 "            \
                        "WHERE id=?1 AND ended_ms IS NULL")                               \
    X(Q_ATTEMPT_INFO, "SELECT a.learner_id,a.lesson_id,a.version,a.page_id,a.started_ms," \
                      "a.ended_ms IS NOT NULL,COALESCE(l.title,a.lesson_id),"             \
                      "COALESCE(l.language,'und'),COALESCE(p.title,a.page_id),"           \
                      "(SELECT COUNT(*) FROM answers w WHERE w.attempt_id=a.id) "         \
                      "FROM attempts a LEFT JOIN lessons l ON l.id=a.lesson_id "          \
                      "LEFT JOIN lesson_pages p ON p.lesson_id=a.lesson_id "              \
                      "AND p.page_id=a.page_id WHERE a.id=?1")                            \
    X(Q_ATTEMPT_OPEN, "SELECT id,seed,started_ms,state,"                                  \
                      "(SELECT COUNT(*) FROM answers w WHERE w.attempt_id=attempts.id) "  \
                      "FROM attempts WHERE learner_id=?1 AND lesson_id=?2 AND page_id=?3 " \
                      "AND ended_ms IS NULL ORDER BY started_ms DESC LIMIT 1")            \
    X(Q_ANSWER_ADD, "INSERT INTO answers(attempt_id,seq,question_id,response,score,"      \
                    "max_score,correct,answered_ms) VALUES(?1,"                           \
                    "(SELECT COALESCE(MAX(seq),0)+1 FROM answers WHERE attempt_id=?1),"   \
                    "?2,?3,?4,?5,?6,?7)")                                                 \
    X(Q_BEST_UPSERT, "INSERT INTO quiz_best(learner_id,lesson_id,page_id,best_scaled,"    \
                     "best_raw,best_max,passed,attempts,last_ms) "                        \
                     "VALUES(?1,?2,?3,?4,?5,?6,?7,1,?8) ON CONFLICT DO UPDATE SET "       \
                     "best_raw=CASE WHEN excluded.best_scaled>best_scaled "               \
                     "THEN excluded.best_raw ELSE best_raw END,"                          \
                     "best_max=CASE WHEN excluded.best_scaled>best_scaled "               \
                     "THEN excluded.best_max ELSE best_max END,"                          \
                     "best_scaled=MAX(best_scaled,excluded.best_scaled),"                 \
                     "passed=MAX(passed,excluded.passed),attempts=attempts+1,"            \
                     "last_ms=excluded.last_ms")                                          \
    X(Q_SUM_LL, "SELECT lesson_id,COALESCE(last_opened_ms,0),completed_ms IS NOT NULL,"   \
                "position_page,COALESCE(position_scroll,0) FROM learner_lessons "         \
                "WHERE learner_id=?1")                                                    \
    X(Q_SUM_SEEN, "SELECT lesson_id,page_id FROM pages_seen WHERE learner_id=?1")         \
    X(Q_SEEN_LESSON, "SELECT page_id FROM pages_seen WHERE learner_id=?1 AND lesson_id=?2") \
    X(Q_SUM_BEST, "SELECT lesson_id,page_id,best_scaled,passed FROM quiz_best "           \
                  "WHERE learner_id=?1")                                                  \
    X(Q_SUM_OPEN, "SELECT lesson_id,page_id FROM attempts "                               \
                  "WHERE learner_id=?1 AND ended_ms IS NULL")

enum {
#define X(id, sql) id,
    SQL_LIST(X)
#undef X
    Q_COUNT
};

static const char *const g_sql[] = {
#define X(id, sql) sql,
    SQL_LIST(X)
#undef X
};

/* Schema, one step per version. Each step runs inside the single migration
 * transaction; never edit a released step, add a new one. */
static const char *const g_migrations[] = {
    /* 0 -> 1: the core tables. */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE learners(id TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " name_key TEXT NOT NULL UNIQUE, pin_hash TEXT, created_ms INTEGER NOT NULL,"
    " last_used_ms INTEGER);"
    "CREATE TABLE lessons(id TEXT PRIMARY KEY, version TEXT NOT NULL, title TEXT NOT NULL,"
    " language TEXT NOT NULL, page_count INTEGER NOT NULL, updated_ms INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE learner_lessons(learner_id TEXT NOT NULL REFERENCES learners(id)"
    " ON DELETE CASCADE, lesson_id TEXT NOT NULL, version TEXT NOT NULL,"
    " first_opened_ms INTEGER, last_opened_ms INTEGER, launches INTEGER NOT NULL DEFAULT 0,"
    " position_page TEXT, position_scroll REAL, position_ms INTEGER, completed_ms INTEGER,"
    " completed_version TEXT, PRIMARY KEY(learner_id, lesson_id)) WITHOUT ROWID;"
    "CREATE TABLE pages_seen(learner_id TEXT NOT NULL REFERENCES learners(id)"
    " ON DELETE CASCADE, lesson_id TEXT NOT NULL, page_id TEXT NOT NULL,"
    " version TEXT NOT NULL, first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL,"
    " times INTEGER NOT NULL DEFAULT 1, PRIMARY KEY(learner_id, lesson_id, page_id))"
    " WITHOUT ROWID;"
    "CREATE TABLE attempts(id TEXT PRIMARY KEY, learner_id TEXT NOT NULL"
    " REFERENCES learners(id) ON DELETE CASCADE, lesson_id TEXT NOT NULL,"
    " version TEXT NOT NULL, page_id TEXT NOT NULL, seed INTEGER NOT NULL,"
    " started_ms INTEGER NOT NULL, ended_ms INTEGER, duration_ms INTEGER, state TEXT,"
    " score_raw REAL, score_min REAL, score_max REAL, score_scaled REAL, passed INTEGER);"
    "CREATE INDEX attempts_by_learner ON attempts(learner_id, lesson_id, page_id);"
    "CREATE TABLE answers(attempt_id TEXT NOT NULL REFERENCES attempts(id)"
    " ON DELETE CASCADE, seq INTEGER NOT NULL, question_id TEXT NOT NULL, response TEXT,"
    " score REAL, max_score REAL, correct INTEGER NOT NULL, answered_ms INTEGER NOT NULL,"
    " PRIMARY KEY(attempt_id, seq)) WITHOUT ROWID;"
    /* Statements waiting for the LRS. No foreign key: a statement is a record
     * of what happened and outlives a deleted learner. */
    "CREATE TABLE outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
    " learner_id TEXT NOT NULL, verb TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " statement TEXT NOT NULL, delivered_ms INTEGER, rejected_ms INTEGER,"
    " reject_reason TEXT, exported_ms INTEGER, export_file TEXT,"
    " tries INTEGER NOT NULL DEFAULT 0, last_error TEXT);",

    /* 1 -> 2: what `outpost progress` needs without lesson files, and a
     * per-quiz-page best score so the home screen does not scan attempts. */
    "CREATE TABLE lesson_pages(lesson_id TEXT NOT NULL REFERENCES lessons(id)"
    " ON DELETE CASCADE, page_id TEXT NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL,"
    " title TEXT, PRIMARY KEY(lesson_id, page_id)) WITHOUT ROWID;"
    "CREATE TABLE quiz_best(learner_id TEXT NOT NULL REFERENCES learners(id)"
    " ON DELETE CASCADE, lesson_id TEXT NOT NULL, page_id TEXT NOT NULL,"
    " best_scaled REAL, best_raw REAL, best_max REAL, passed INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL, last_ms INTEGER,"
    " PRIMARY KEY(learner_id, lesson_id, page_id)) WITHOUT ROWID;"
    /* Backfill: one grouped pass over the attempts, then the raw score of
     * each best attempt (a few rows per learner and quiz page). */
    "INSERT INTO quiz_best(learner_id,lesson_id,page_id,best_scaled,passed,attempts,last_ms)"
    " SELECT learner_id,lesson_id,page_id,MAX(score_scaled),MAX(COALESCE(passed,0)),COUNT(*),"
    " MAX(ended_ms) FROM attempts WHERE ended_ms IS NOT NULL"
    " GROUP BY learner_id,lesson_id,page_id;"
    "UPDATE quiz_best SET (best_raw,best_max)=(SELECT a.score_raw,a.score_max FROM attempts a"
    " WHERE a.learner_id=quiz_best.learner_id AND a.lesson_id=quiz_best.lesson_id"
    " AND a.page_id=quiz_best.page_id AND a.ended_ms IS NOT NULL"
    " ORDER BY a.score_scaled DESC LIMIT 1);"
    "CREATE INDEX attempts_open ON attempts(learner_id) WHERE ended_ms IS NULL;"
    "CREATE INDEX outbox_unsent ON outbox(seq) WHERE delivered_ms IS NULL"
    " AND rejected_ms IS NULL AND exported_ms IS NULL;",
};
_Static_assert(sizeof g_migrations / sizeof g_migrations[0] == STORE_SCHEMA_VERSION,
               "one migration step per schema version");

/* ------------------------------------------------------------------------ */
/* The store and its write queue                                            */

/* A value bound to a statement parameter, copied at event time. */
typedef struct Val {
    enum { V_NULL, V_INT, V_REAL, V_TEXT } type;
    int64_t i;
    double d;
    char *s; /* owned */
} Val;

#define STEP_MAX_PARAMS 10

typedef struct Step {
    int sql;
    int n;
    Val v[STEP_MAX_PARAMS];
} Step;

/* One event: statements run in one transaction. Everything an event writes,
 * including the statement JSON and its timestamp, is fixed when the event
 * happens, so a later retry writes exactly what would have been written. */
typedef struct Op {
    Step *steps;
    int n, cap;
} Op;

/* What answers and finishes need to know about an attempt. */
typedef struct AttemptInfo {
    char id[STORE_ID_SIZE];
    char learner[STORE_ID_SIZE];
    char *lesson_id, *version, *page_id, *language, *lesson_title, *page_title;
    int64_t started_ms;
    bool finished;
    uint64_t used; /* for least-recently-used eviction */
} AttemptInfo;

#define ATTEMPT_CACHE 8

struct Store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmts[Q_COUNT];
    char device_id[STORE_ID_SIZE];
    char *home_page;
    bool read_only;
    bool degraded;
    char cause[160];  /* plain reason, e.g. "the disk is full" */
    char reason[320]; /* the sentence shown: "progress is not being saved: ..." */
    Op pending[STORE_PENDING_MAX];
    int n_pending;
    StoreLearner *learners; /* cache, kept in step with the table */
    int n_learners;
    AttemptInfo attempts[ATTEMPT_CACHE];
    uint64_t tick;
};

static void val_free(Val *v)
{
    if (v->type == V_TEXT) free(v->s);
    v->s = NULL;
}

static void op_free(Op *op)
{
    for (int i = 0; i < op->n; i++)
        for (int j = 0; j < op->steps[i].n; j++) val_free(&op->steps[i].v[j]);
    free(op->steps);
    op->steps = NULL;
    op->n = op->cap = 0;
}

static Step *op_add(Op *op, int sql)
{
    if (op->n == op->cap) {
        op->cap = op->cap ? op->cap * 2 : 4;
        op->steps = xrealloc(op->steps, (size_t)op->cap * sizeof *op->steps);
    }
    Step *st = &op->steps[op->n++];
    memset(st, 0, sizeof *st);
    st->sql = sql;
    return st;
}

static Val *p_next(Step *st)
{
    if (st->n >= STEP_MAX_PARAMS) {
        /* A programming error in this file, not a runtime condition. */
        fputs("outpost: store: too many parameters\n", stderr);
        abort();
    }
    Val *v = &st->v[st->n++];
    memset(v, 0, sizeof *v);
    return v;
}
static void p_text(Step *st, const char *s)
{
    Val *v = p_next(st);
    if (s) {
        v->type = V_TEXT;
        v->s = xstrdup(s);
    }
}
static void p_int(Step *st, int64_t i)
{
    Val *v = p_next(st);
    v->type = V_INT;
    v->i = i;
}
static void p_real(Step *st, double d)
{
    Val *v = p_next(st);
    v->type = V_REAL;
    v->d = d;
}

/* The cached prepared statement for id, reset and unbound; NULL if it
 * cannot be prepared (the database is unusable). */
static sqlite3_stmt *stmt(Store *s, int id)
{
    if (!s->stmts[id] &&
        sqlite3_prepare_v3(s->db, g_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmts[id],
                           NULL) != SQLITE_OK) {
        s->stmts[id] = NULL;
        return NULL;
    }
    sqlite3_reset(s->stmts[id]);
    sqlite3_clear_bindings(s->stmts[id]);
    return s->stmts[id];
}

static void bind_vals(sqlite3_stmt *q, const Step *st)
{
    for (int i = 0; i < st->n; i++) {
        const Val *v = &st->v[i];
        switch (v->type) {
        case V_NULL: sqlite3_bind_null(q, i + 1); break;
        case V_INT: sqlite3_bind_int64(q, i + 1, v->i); break;
        case V_REAL: sqlite3_bind_double(q, i + 1, v->d); break;
        case V_TEXT: sqlite3_bind_text(q, i + 1, v->s, -1, SQLITE_STATIC); break;
        }
    }
}

static int exec(Store *s, const char *sql) { return sqlite3_exec(s->db, sql, NULL, NULL, NULL); }

/* Runs op in one IMMEDIATE transaction; returns an SQLite result code. */
static int apply_op(Store *s, const Op *op)
{
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return sqlite3_extended_errcode(s->db);
    for (int i = 0; i < op->n; i++) {
        sqlite3_stmt *q = stmt(s, op->steps[i].sql);
        if (!q) {
            rc = sqlite3_extended_errcode(s->db);
            if (rc == SQLITE_OK) rc = SQLITE_ERROR;
            goto fail;
        }
        bind_vals(q, &op->steps[i]);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        sqlite3_clear_bindings(q); /* the texts belong to the op */
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) goto fail;
    }
    rc = exec(s, "COMMIT");
    if (rc == SQLITE_OK) return SQLITE_OK;
    rc = sqlite3_extended_errcode(s->db);
fail:
    if (!sqlite3_get_autocommit(s->db)) exec(s, "ROLLBACK");
    return rc;
}

/* Failures that go away by themselves (disk freed, folder writable again,
 * other program done): worth keeping the event for. */
static bool transient(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_BUSY: case SQLITE_LOCKED:
    case SQLITE_READONLY: case SQLITE_CANTOPEN: case SQLITE_NOMEM: case SQLITE_PROTOCOL:
    case SQLITE_PERM: case SQLITE_CORRUPT: case SQLITE_NOTADB:
        return true;
    default:
        return false;
    }
}

/* Plain words for a failure, for an officer, not a programmer. */
static const char *plain_reason(Store *s, int rc)
{
    int sys = s && s->db ? sqlite3_system_errno(s->db) : 0;
    switch (rc & 0xff) {
    case SQLITE_FULL: return "the disk is full";
    case SQLITE_READONLY: case SQLITE_PERM: case SQLITE_CANTOPEN:
        return "the data folder cannot be written to";
    case SQLITE_BUSY: case SQLITE_LOCKED:
        return "another program (perhaps a second Outpost window) is using the progress file";
    case SQLITE_IOERR:
        if (sys == ENOSPC || sys == EDQUOT) return "the disk is full";
        if (sys == EROFS || sys == EACCES || sys == EPERM)
            return "the data folder cannot be written to";
        return "the disk reported an error (was it removed?)";
    case SQLITE_CORRUPT: case SQLITE_NOTADB:
        return "the progress file is damaged (close Outpost and open it again to repair it)";
    case SQLITE_NOMEM: return "the computer is out of memory";
    default: return sqlite3_errstr(rc);
    }
}

static void set_degraded(Store *s, int rc)
{
    s->degraded = true;
    snprintf(s->cause, sizeof s->cause, "%s", plain_reason(s, rc));
    snprintf(s->reason, sizeof s->reason, "progress is not being saved: %s", s->cause);
}

static void clear_degraded(Store *s)
{
    if (s->n_pending || s->read_only) return;
    s->degraded = false;
    s->reason[0] = s->cause[0] = 0;
}

/* Writes pending ops in order, stopping at the first that still fails for a
 * transient reason. Ops that fail for good (a learner deleted meanwhile) are
 * dropped with a note on stderr: retrying them cannot help. */
static void flush_pending(Store *s)
{
    int done = 0;
    while (done < s->n_pending) {
        int rc = apply_op(s, &s->pending[done]);
        if (rc != SQLITE_OK && transient(rc)) {
            set_degraded(s, rc);
            break;
        }
        if (rc != SQLITE_OK)
            fprintf(stderr, "outpost: a delayed progress record could not be saved: %s\n",
                    sqlite3_errstr(rc));
        op_free(&s->pending[done]);
        done++;
    }
    if (done) {
        memmove(s->pending, s->pending + done, (size_t)(s->n_pending - done) * sizeof(Op));
        s->n_pending -= done;
    }
    clear_degraded(s);
}

static bool enqueue(Store *s, Op *op, Error *err)
{
    if (s->n_pending >= STORE_PENDING_MAX) {
        /* Keep the oldest: later events (answers) depend on earlier ones
         * (their attempt's start). */
        op_free(op);
        snprintf(s->reason, sizeof s->reason,
                 "progress is not being saved: %s (too many records are waiting; "
                 "new ones are lost until this is fixed)",
                 s->cause);
        return error_set(err, "%s", s->reason);
    }
    s->pending[s->n_pending++] = *op;
    memset(op, 0, sizeof *op);
    return error_set(err, "%s", s->reason);
}

/* Commits op now, or keeps it for later if the disk cannot take it. Takes
 * ownership of op. */
static bool submit(Store *s, Op *op, Error *err)
{
    if (s->read_only) {
        if (!s->degraded) set_degraded(s, SQLITE_READONLY);
        return enqueue(s, op, err);
    }
    if (s->n_pending) flush_pending(s);
    if (s->n_pending) return enqueue(s, op, err); /* keep the order */
    int rc = apply_op(s, op);
    if (rc == SQLITE_OK) {
        op_free(op);
        clear_degraded(s);
        return true;
    }
    if (transient(rc)) {
        set_degraded(s, rc);
        return enqueue(s, op, err);
    }
    op_free(op);
    return error_set(err, "could not save progress: %s", sqlite3_errmsg(s->db));
}

/* For changes that are not learning events (learners, settings): now or
 * never, with the reason. */
static bool apply_now(Store *s, Op *op, Error *err)
{
    if (s->n_pending && !s->read_only) flush_pending(s);
    int rc = s->read_only ? SQLITE_READONLY : apply_op(s, op);
    op_free(op);
    if (rc == SQLITE_OK) return true;
    if (transient(rc)) return error_set(err, "could not save: %s", plain_reason(s, rc));
    if ((rc & 0xff) == SQLITE_CONSTRAINT) return error_set(err, "constraint");
    return error_set(err, "could not save: %s", sqlite3_errmsg(s->db));
}

bool store_is_degraded(const Store *s) { return !s || s->degraded; }
const char *store_degraded_reason(const Store *s)
{
    return s ? s->reason : "progress is not being saved: the progress file could not be opened";
}
int store_pending_count(const Store *s) { return s ? s->n_pending : 0; }

bool store_retry(Store *s, Error *err)
{
    if (!s) return error_set(err, "%s", store_degraded_reason(s));
    if (s->read_only) return error_set(err, "%s", s->reason);
    flush_pending(s);
    if (s->n_pending) return error_set(err, "%s", s->reason);
    return true;
}

struct sqlite3 *store_test_db(Store *s) { return s->db; }
const char *store_device_id(const Store *s) { return s->device_id; }
const char *store_home_page(const Store *s) { return s->home_page; }

/* ------------------------------------------------------------------------ */
/* Opening, checking and migrating                                          */

static bool meta_get(Store *s, const char *key, char **out)
{
    *out = NULL;
    sqlite3_stmt *q = stmt(s, Q_META_GET);
    if (!q) return false;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) *out = xstrdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK) return sqlite3_extended_errcode(db);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(q, 0);
        rc = SQLITE_OK;
    } else {
        rc = sqlite3_extended_errcode(db);
    }
    sqlite3_finalize(q);
    return rc;
}

/* "ok" or the first problem PRAGMA quick_check reports (heap string). */
static int quick_check(sqlite3 *db, char **problem)
{
    *problem = NULL;
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &q, NULL);
    if (rc != SQLITE_OK) return sqlite3_extended_errcode(db);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(q, 0);
        if (!r || strcmp(r, "ok") != 0) *problem = xstrdup(r ? r : "unknown problem");
        rc = SQLITE_OK;
    } else {
        rc = sqlite3_extended_errcode(db);
    }
    sqlite3_finalize(q);
    return rc;
}

/* Moves the damaged file (and its -wal/-shm companions) aside; never deletes. */
static bool move_aside(const char *path, StoreOpenReport *rep, Error *err)
{
    char stamp[32];
    time_t t = (time_t)(now_ms() / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *dest = NULL;
    for (int i = 1; i < 1000; i++) {
        free(dest);
        dest = i == 1 ? xasprintf("%s.corrupt-%s", path, stamp)
                      : xasprintf("%s.corrupt-%s-%d", path, stamp, i);
        if (access(dest, F_OK) != 0) break;
    }
    if (rename(path, dest) != 0) {
        error_set(err, "the progress file %s is damaged and could not be moved aside: %s", path,
                  strerror(errno));
        free(dest);
        return false;
    }
    const char *sfx[] = {"-wal", "-shm"};
    for (int i = 0; i < 2; i++) {
        char *a = xasprintf("%s%s", path, sfx[i]);
        char *b = xasprintf("%s%s", dest, sfx[i]);
        if (access(a, F_OK) == 0) rename(a, b);
        free(a);
        free(b);
    }
    if (rep) {
        rep->recovered = true;
        snprintf(rep->moved_to, sizeof rep->moved_to, "%s", dest);
        snprintf(rep->message, sizeof rep->message,
                 "The progress file was damaged (perhaps by a power cut). It was kept as %s "
                 "and a new, empty one was started.",
                 dest);
    }
    free(dest);
    return true;
}

static int migrate(Store *s, int from, int to)
{
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return sqlite3_extended_errcode(s->db);
    /* Re-read inside the transaction: another process may have migrated. */
    int cur = from;
    rc = pragma_int(s->db, "PRAGMA user_version", &cur);
    for (int v = cur; rc == SQLITE_OK && v < to; v++) {
        rc = exec(s, g_migrations[v]);
        if (rc != SQLITE_OK) rc = sqlite3_extended_errcode(s->db);
    }
    if (rc == SQLITE_OK && cur < to) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", to);
        rc = exec(s, sql);
    }
    if (rc == SQLITE_OK) rc = exec(s, "COMMIT");
    if (rc != SQLITE_OK) {
        rc = sqlite3_extended_errcode(s->db);
        if (!sqlite3_get_autocommit(s->db)) exec(s, "ROLLBACK");
    }
    return rc;
}

static bool load_learners(Store *s, Error *err);

static bool store_free_db(Store *s)
{
    for (int i = 0; i < Q_COUNT; i++) {
        sqlite3_finalize(s->stmts[i]);
        s->stmts[i] = NULL;
    }
    sqlite3_close_v2(s->db);
    s->db = NULL;
    return false;
}

/* Opens s->path read-only as an immutable file (no locks, no -shm). */
static int open_immutable(Store *s)
{
    Buf uri = {0};
    buf_puts(&uri, "file:");
    for (const unsigned char *p = (const unsigned char *)s->path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ')
            buf_printf(&uri, "%%%02X", *p);
        else
            buf_putc(&uri, (char)*p);
    }
    buf_puts(&uri, "?immutable=1");
    int rc = sqlite3_open_v2(buf_cstr(&uri), &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                             FAULT_VFS_NAME);
    buf_free(&uri);
    if (s->db) {
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, 5000);
    }
    return rc;
}

/* Outcome of one try at opening. */
enum { OPEN_OK, OPEN_FAIL, OPEN_DAMAGED };

static int open_once(Store *s, StoreOpenReport *rep, Error *err)
{
    int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             FAULT_VFS_NAME);
    if (rc != SQLITE_OK) {
        error_set(err, "cannot open the progress file %s: %s", s->path,
                  s->db ? plain_reason(s, sqlite3_extended_errcode(s->db)) : "out of memory");
        store_free_db(s);
        return OPEN_FAIL;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    s->read_only = sqlite3_db_readonly(s->db, "main") == 1;

    /* Read the version before changing anything (even journal_mode changes
     * the header), so that a newer file is left exactly as it was. */
    int version = 0;
    rc = pragma_int(s->db, "PRAGMA user_version", &version);
    if (((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN) &&
        access(s->path, R_OK) == 0) {
        /* A WAL database in a folder that cannot be written to: SQLite
         * cannot make its -shm index. Read it as an unchanging file so the
         * learners and their progress still show; nothing can be saved. */
        store_free_db(s);
        if (open_immutable(s) == SQLITE_OK) {
            s->read_only = true;
            rc = pragma_int(s->db, "PRAGMA user_version", &version);
        }
    }
    if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) return OPEN_DAMAGED;
    if (rc != SQLITE_OK) {
        error_set(err, "cannot read the progress file %s: %s", s->path, plain_reason(s, rc));
        return OPEN_FAIL;
    }
    if (version > STORE_SCHEMA_VERSION) {
        error_set(err,
                  "the progress file %s was written by a newer version of Outpost (format %d; "
                  "this one knows up to %d). It has not been changed. Please use the newer "
                  "Outpost.",
                  s->path, version, STORE_SCHEMA_VERSION);
        return OPEN_FAIL;
    }
    char *problem = NULL;
    rc = quick_check(s->db, &problem);
    if (problem || (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
        free(problem);
        return OPEN_DAMAGED;
    }
    if (version == 0) {
        /* Version 0 must be empty: any other SQLite file is not ours. */
        int tables = 0;
        pragma_int(s->db, "SELECT COUNT(*) FROM sqlite_schema", &tables);
        if (tables > 0) return OPEN_DAMAGED;
    }
    if (!s->read_only) {
        /* WAL: a crash never leaves a half-written page in the main file, and
         * readers do not block the writer. FULL: each commit is on disk
         * before the call returns, so an acknowledged answer survives a
         * power cut, not only a crash. */
        rc = exec(s, "PRAGMA journal_mode=WAL");
        if (rc == SQLITE_OK) rc = exec(s, "PRAGMA synchronous=FULL");
        if (rc != SQLITE_OK) {
            rc = sqlite3_extended_errcode(s->db);
            if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
                return OPEN_DAMAGED;
            if (!transient(rc)) {
                error_set(err, "cannot use the progress file %s: %s", s->path,
                          sqlite3_errmsg(s->db));
                return OPEN_FAIL;
            }
            s->read_only = true; /* can read, cannot write: run degraded */
        }
    }
    exec(s, "PRAGMA foreign_keys=ON");

    int target = g_test_target_version > 0 && g_test_target_version < STORE_SCHEMA_VERSION
                     ? g_test_target_version
                     : STORE_SCHEMA_VERSION;
    if (version < target) {
        if (s->read_only) {
            error_set(err, "the progress file %s needs an update but %s", s->path,
                      plain_reason(s, SQLITE_READONLY));
            return OPEN_FAIL;
        }
        rc = migrate(s, version, target);
        if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) return OPEN_DAMAGED;
        if (rc != SQLITE_OK) {
            error_set(err, "cannot prepare the progress file %s: %s", s->path,
                      plain_reason(s, rc));
            return OPEN_FAIL;
        }
        if (rep) {
            if (version == 0)
                rep->created = true;
            else
                rep->migrated_from = version;
        }
    }
    return OPEN_OK;
}

static bool init_identity(Store *s, Error *err)
{
    char *dev = NULL;
    if (!meta_get(s, "device_id", &dev))
        return error_set(err, "cannot read the progress file %s: %s", s->path,
                         sqlite3_errmsg(s->db));
    if (!dev) {
        store_uuid4(s->device_id);
        Op op = {0};
        Step *st = op_add(&op, Q_META_SET);
        p_text(st, "device_id");
        p_text(st, s->device_id);
        /* Not fatal if it cannot be saved now: statements of this session
         * use this id, and a read-only store is degraded anyway. */
        apply_now(s, &op, NULL);
    } else {
        snprintf(s->device_id, sizeof s->device_id, "%s", dev);
        free(dev);
    }
    char *hp = NULL;
    meta_get(s, "home_page", &hp);
    s->home_page = hp ? hp : xasprintf("%s%s", STORE_HOME_PAGE_BASE, s->device_id);
    return true;
}

Store *store_open(const char *db_path, StoreOpenReport *report, Error *err)
{
    if (report) {
        memset(report, 0, sizeof *report);
        report->migrated_from = -1;
    }
    if (!db_path) {
        if (!paths_ensure_data_dir(err)) return NULL;
        db_path = paths_database_file();
    }
    if (!fault_vfs_register()) {
        error_set(err, "cannot open the progress file %s: SQLite has no file system", db_path);
        return NULL;
    }
    sodium_ready();
    Store *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(db_path);
    int r = open_once(s, report, err);
    if (r == OPEN_DAMAGED) {
        store_free_db(s);
        if (move_aside(s->path, report, err)) r = open_once(s, report, err);
        else r = OPEN_FAIL;
        if (r == OPEN_DAMAGED)
            error_set(err, "the progress file %s is damaged and a new one could not be made",
                      s->path);
    }
    if (r != OPEN_OK || !init_identity(s, err) || !load_learners(s, err)) {
        store_free_db(s);
        free(s->path);
        free(s->home_page);
        free(s);
        return NULL;
    }
    if (s->read_only) set_degraded(s, SQLITE_READONLY);
    return s;
}

static void attempt_info_free(AttemptInfo *a)
{
    free(a->lesson_id);
    free(a->version);
    free(a->page_id);
    free(a->language);
    free(a->lesson_title);
    free(a->page_title);
    memset(a, 0, sizeof *a);
}

void store_close(Store *s)
{
    if (!s) return;
    if (s->n_pending && !s->read_only) flush_pending(s);
    if (s->n_pending)
        fprintf(stderr, "outpost: %d progress record%s could not be saved: %s\n", s->n_pending,
                s->n_pending == 1 ? "" : "s", s->cause);
    for (int i = 0; i < s->n_pending; i++) op_free(&s->pending[i]);
    for (int i = 0; i < ATTEMPT_CACHE; i++) attempt_info_free(&s->attempts[i]);
    store_free_db(s);
    free(s->learners);
    free(s->path);
    free(s->home_page);
    free(s);
}

static bool is_abs_http_iri(const char *iri)
{
    const char *p = strncmp(iri, "https://", 8) == 0 ? iri + 8
                    : strncmp(iri, "http://", 7) == 0 ? iri + 7
                                                       : NULL;
    if (!p || !*p || *p == '/') return false;
    for (const unsigned char *c = (const unsigned char *)iri; *c; c++)
        if (*c <= ' ' || *c == '"' || *c == '<' || *c == '>' || *c == '\\' || *c == '^' ||
            *c == '`' || *c == '{' || *c == '|' || *c == '}' || *c == 0x7f)
            return false;
    return true;
}

bool store_set_home_page(Store *s, const char *iri, Error *err)
{
    if (!s) return error_set(err, "%s", store_degraded_reason(s));
    if (!iri || !is_abs_http_iri(iri))
        return error_set(err, "the home page must be a web address such as "
                              "https://lrs.example.org/outpost (got \"%s\")",
                         iri ? iri : "");
    Op op = {0};
    Step *st = op_add(&op, Q_META_SET);
    p_text(st, "home_page");
    p_text(st, iri);
    if (!apply_now(s, &op, err)) return false;
    free(s->home_page);
    s->home_page = xstrdup(iri);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Learners                                                                 */

/* Lower-case mapping for the scripts officers' names are written in (Latin
 * with accents incl. Vietnamese, Greek, Cyrillic); scripts without case
 * (Thai, Lao, Khmer, Chinese...) pass through. Enough to make "ANNA" and
 * "anna" clash without a full Unicode library. */
static uint32_t fold_cp(uint32_t c)
{
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177) || (c >= 0x1E00 && c <= 0x1EFF))
        return c | 1; /* pairs: even upper, odd lower */
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) ? c + 1 : c; /* pairs: odd upper, even lower */
    if (c == 0x178) return 0xFF;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    return c;
}

/* Trims the name, checks it and makes its comparison key (case folded,
 * inner white space collapsed). Both outputs are heap strings. */
static bool check_name(const char *name, char **clean, char **key, Error *err)
{
    if (!name) name = "";
    while (*name == ' ' || *name == '\t') name++;
    size_t len = strlen(name);
    while (len && (name[len - 1] == ' ' || name[len - 1] == '\t')) len--;
    if (!len) return error_set(err, "please type a name");
    Buf k = {0};
    const char *p = name, *end = name + len;
    int chars = 0;
    bool space = false;
    while (p < end) {
        const char *start = p;
        uint32_t c = utf8_next(&p, end);
        if (c == 0xFFFD && !(p - start == 3 && (unsigned char)start[0] == 0xEF)) {
            buf_free(&k);
            return error_set(err, "the name contains characters that cannot be read");
        }
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029) {
            buf_free(&k);
            return error_set(err, "the name cannot contain line breaks or control characters");
        }
        chars++;
        if (c == ' ' || c == '\t' || c == 0xA0) {
            space = true;
            continue;
        }
        if (space) buf_putc(&k, ' ');
        space = false;
        char u[4];
        buf_append(&k, u, (size_t)utf8_encode(fold_cp(c), u));
    }
    if (chars > STORE_NAME_MAX_CHARS || len >= sizeof ((StoreLearner *)0)->name) {
        buf_free(&k);
        return error_set(err, "the name is too long (at most %d characters)",
                         STORE_NAME_MAX_CHARS);
    }
    *clean = xstrndup(name, len);
    *key = buf_take(&k);
    return true;
}

static bool load_learners(Store *s, Error *err)
{
    sqlite3_stmt *q = stmt(s, Q_LEARNERS);
    if (!q)
        return error_set(err, "cannot read the progress file %s: %s", s->path,
                         sqlite3_errmsg(s->db));
    StoreLearner *list = NULL;
    int n = 0, cap = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            list = xrealloc(list, (size_t)cap * sizeof *list);
        }
        StoreLearner *l = &list[n++];
        memset(l, 0, sizeof *l);
        snprintf(l->id, sizeof l->id, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(l->name, sizeof l->name, "%s", (const char *)sqlite3_column_text(q, 1));
        l->has_pin = sqlite3_column_int(q, 2) != 0;
        l->created_ms = sqlite3_column_int64(q, 3);
        l->last_used_ms = sqlite3_column_int64(q, 4);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        free(list);
        return error_set(err, "cannot read the learners: %s", plain_reason(s, rc));
    }
    free(s->learners);
    s->learners = list;
    s->n_learners = n;
    return true;
}

static const StoreLearner *cached_learner(const Store *s, const char *id)
{
    if (!id) return NULL;
    for (int i = 0; i < s->n_learners; i++)
        if (strcmp(s->learners[i].id, id) == 0) return &s->learners[i];
    return NULL;
}

static bool no_store(Error *err) { return error_set(err, "%s", store_degraded_reason(NULL)); }

/* Hashes a PIN (NULL for none). False only if hashing itself failed. */
static bool hash_pin(const char *pin, char **out, Error *err)
{
    *out = NULL;
    if (!pin || !*pin) return true;
    if (strlen(pin) > 64) return error_set(err, "the PIN is too long");
    char h[crypto_pwhash_STRBYTES];
    if (!sodium_ready() ||
        crypto_pwhash_str(h, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return error_set(err, "the PIN could not be stored: the computer is out of memory");
    *out = xstrdup(h);
    return true;
}

bool store_learner_create(Store *s, const char *name, const char *pin,
                          char id_out[STORE_ID_SIZE], Error *err)
{
    if (!s) return no_store(err);
    char *clean, *key, *hash;
    if (!check_name(name, &clean, &key, err)) return false;
    if (!hash_pin(pin, &hash, err)) {
        free(clean);
        free(key);
        return false;
    }
    char id[STORE_ID_SIZE];
    store_uuid4(id);
    Op op = {0};
    Step *st = op_add(&op, Q_LEARNER_INSERT);
    p_text(st, id);
    p_text(st, clean);
    p_text(st, key);
    p_text(st, hash);
    p_int(st, now_ms());
    Error e;
    bool ok = apply_now(s, &op, &e);
    if (!ok && strcmp(e.msg, "constraint") == 0)
        error_set(err, "there is already a learner called \"%s\"", clean);
    else if (!ok)
        error_set(err, "%s", e.msg);
    free(clean);
    free(key);
    free(hash);
    if (!ok) return false;
    if (id_out) memcpy(id_out, id, STORE_ID_SIZE);
    load_learners(s, NULL);
    return true;
}

bool store_learners(Store *s, StoreLearner **out, int *n, Error *err)
{
    *out = NULL;
    *n = 0;
    if (!s) return no_store(err);
    if (!load_learners(s, err)) return false;
    if (s->n_learners) {
        *out = xmalloc((size_t)s->n_learners * sizeof **out);
        memcpy(*out, s->learners, (size_t)s->n_learners * sizeof **out);
    }
    *n = s->n_learners;
    return true;
}

bool store_learner_get(Store *s, const char *id, StoreLearner *out, Error *err)
{
    if (!s) return no_store(err);
    const StoreLearner *l = cached_learner(s, id);
    if (!l) return error_set(err, "there is no such learner");
    *out = *l;
    return true;
}

bool store_learner_find(Store *s, const char *name, StoreLearner *out, Error *err)
{
    if (!s) return no_store(err);
    char *clean, *key;
    if (!check_name(name, &clean, &key, err)) return false;
    sqlite3_stmt *q = stmt(s, Q_LEARNER_BY_KEY);
    bool found = false;
    if (q) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW) {
            const StoreLearner *l = cached_learner(s, (const char *)sqlite3_column_text(q, 0));
            if (l) {
                *out = *l;
                found = true;
            }
        }
        sqlite3_reset(q);
    }
    if (!found) error_set(err, "there is no learner called \"%s\"", clean);
    free(clean);
    free(key);
    return found;
}

StorePinCheck store_learner_check_pin(Store *s, const char *id, const char *pin, Error *err)
{
    if (!s) return no_store(err), STORE_PIN_ERROR;
    sqlite3_stmt *q = stmt(s, Q_LEARNER_PIN);
    if (!q) return error_set(err, "cannot read the progress file"), STORE_PIN_ERROR;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    char *hash = NULL;
    if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
        hash = xstrdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_reset(q);
    if (rc == SQLITE_DONE) return error_set(err, "there is no such learner"), STORE_PIN_ERROR;
    if (rc != SQLITE_ROW)
        return error_set(err, "cannot read the progress file: %s", plain_reason(s, rc)),
               STORE_PIN_ERROR;
    if (!hash) return STORE_PIN_OK;
    if (!pin) pin = "";
    StorePinCheck r = crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0 ? STORE_PIN_OK
                                                                           : STORE_PIN_WRONG;
    free(hash);
    return r;
}

bool store_learner_set_pin(Store *s, const char *id, const char *pin, Error *err)
{
    if (!s) return no_store(err);
    if (!cached_learner(s, id)) return error_set(err, "there is no such learner");
    char *hash;
    if (!hash_pin(pin, &hash, err)) return false;
    Op op = {0};
    Step *st = op_add(&op, Q_LEARNER_SET_PIN);
    p_text(st, id);
    p_text(st, hash);
    free(hash);
    if (!apply_now(s, &op, err)) return false;
    load_learners(s, NULL);
    return true;
}

bool store_learner_rename(Store *s, const char *id, const char *new_name, Error *err)
{
    if (!s) return no_store(err);
    if (!cached_learner(s, id)) return error_set(err, "there is no such learner");
    char *clean, *key;
    if (!check_name(new_name, &clean, &key, err)) return false;
    Op op = {0};
    Step *st = op_add(&op, Q_LEARNER_RENAME);
    p_text(st, id);
    p_text(st, clean);
    p_text(st, key);
    Error e;
    bool ok = apply_now(s, &op, &e);
    if (!ok && strcmp(e.msg, "constraint") == 0)
        error_set(err, "there is already a learner called \"%s\"", clean);
    else if (!ok)
        error_set(err, "%s", e.msg);
    free(clean);
    free(key);
    if (ok) load_learners(s, NULL);
    return ok;
}

bool store_learner_delete(Store *s, const char *id, Error *err)
{
    if (!s) return no_store(err);
    if (!cached_learner(s, id)) return error_set(err, "there is no such learner");
    Op op = {0};
    p_text(op_add(&op, Q_LEARNER_DELETE), id);
    if (!apply_now(s, &op, err)) return false;
    for (int i = 0; i < ATTEMPT_CACHE; i++)
        if (strcmp(s->attempts[i].learner, id) == 0) attempt_info_free(&s->attempts[i]);
    load_learners(s, NULL);
    return true;
}

bool store_learner_select(Store *s, const char *id, Error *err)
{
    if (!s) return no_store(err);
    if (!cached_learner(s, id)) return error_set(err, "there is no such learner");
    Op op = {0};
    Step *st = op_add(&op, Q_META_SET);
    p_text(st, "last_learner");
    p_text(st, id);
    st = op_add(&op, Q_LEARNER_USED);
    p_text(st, id);
    p_int(st, now_ms());
    if (!apply_now(s, &op, err)) return false;
    load_learners(s, NULL);
    return true;
}

bool store_last_learner(Store *s, char id_out[STORE_ID_SIZE])
{
    if (!s) return false;
    char *id = NULL;
    meta_get(s, "last_learner", &id);
    bool ok = id && cached_learner(s, id);
    if (ok) snprintf(id_out, STORE_ID_SIZE, "%s", id);
    free(id);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* xAPI statements                                                          */

#ifdef OUTPOST_VERSION
#define PLATFORM "Outpost " OUTPOST_VERSION
#else
#define PLATFORM "Outpost"
#endif
#define ADL_VERB "http://adlnet.gov/expapi/verbs/"
#define ADL_TYPE "http://adlnet.gov/expapi/activities/"
#define EXT_PROGRESS "https://w3id.org/xapi/cmi5/result/extensions/progress"
#define EXT_POSITION "https://outpost.wco-rocb.example/xapi/extensions/position"

/* What a statement needs to know about the lesson. */
typedef struct LessonRef {
    const char *id, *version, *title, *language;
} LessonRef;

static const char *lang_or_und(const char *l) { return l && *l ? l : "und"; }

static LessonRef lesson_ref(const Manifest *m)
{
    return (LessonRef){m->id, m->version ? m->version : "", m->title ? m->title : m->id,
                       lang_or_und(m->language)};
}

static json_t *activity_json(const char *lesson_id, const char *page_id, const char *question_id,
                             const char *name, const char *lang, const char *type,
                             const char *interaction)
{
    char *iri = store_activity_iri(lesson_id, page_id, question_id);
    json_t *def = json_object();
    if (name && *name) {
        json_t *map = json_object();
        json_object_set_new(map, lang, json_string(name));
        json_object_set_new(def, "name", map);
    }
    json_object_set_new(def, "type", json_string(type));
    if (interaction) json_object_set_new(def, "interactionType", json_string(interaction));
    json_t *a = json_pack("{s:s, s:s, s:o}", "objectType", "Activity", "id", iri, "definition", def);
    free(iri);
    return a;
}

static json_t *lesson_activity(const LessonRef *l)
{
    return activity_json(l->id, NULL, NULL, l->title, l->language, ADL_TYPE "lesson", NULL);
}

/* A quiz page is an assessment; any other page is a module of the lesson. */
static json_t *page_activity(const LessonRef *l, const char *page_id, const char *title,
                             bool quiz)
{
    return activity_json(l->id, page_id, NULL, title ? title : page_id, l->language,
                         quiz ? ADL_TYPE "assessment" : ADL_TYPE "module", NULL);
}

static json_t *context_json(const LessonRef *l, const char *registration, json_t *parent,
                            json_t *grouping)
{
    json_t *c = json_object();
    if (registration) json_object_set_new(c, "registration", json_string(registration));
    json_object_set_new(c, "revision", json_string(l->version));
    json_object_set_new(c, "platform", json_string(PLATFORM));
    json_object_set_new(c, "language", json_string(l->language));
    if (parent || grouping) {
        json_t *ca = json_object();
        if (parent) json_object_set_new(ca, "parent", json_pack("[o]", parent));
        if (grouping) json_object_set_new(ca, "grouping", json_pack("[o]", grouping));
        json_object_set_new(c, "contextActivities", ca);
    }
    return c;
}

static json_t *score_json(double raw, double min, double max)
{
    double scaled = (raw - min) / (max - min);
    /* Round scaled to 4 places: an LRS compares it, nobody needs 1e-17. */
    scaled = round(scaled * 10000.0) / 10000.0;
    return json_pack("{s:f, s:f, s:f, s:f}", "scaled", scaled, "raw", raw, "min", min, "max", max);
}

/* Adds the outbox insert for one statement to op. object, result and
 * context are stolen (result may be NULL). */
static bool add_statement(Store *s, Op *op, const char *learner_id, const char *verb,
                          json_t *object, json_t *result, json_t *context, int64_t ts,
                          Error *err)
{
    const StoreLearner *l = cached_learner(s, learner_id);
    if (!l) {
        json_decref(object);
        json_decref(result);
        json_decref(context);
        return error_set(err, "there is no such learner");
    }
    char id[STORE_ID_SIZE], stamp[48];
    store_uuid4(id);
    store_format_timestamp(ts, stamp, sizeof stamp);
    char *verb_iri = xasprintf(ADL_VERB "%s", verb);
    json_t *st = json_object();
    json_object_set_new(st, "id", json_string(id));
    json_object_set_new(st, "actor",
                        json_pack("{s:s, s:s, s:{s:s, s:s}}", "objectType", "Agent", "name",
                                  l->name, "account", "homePage", s->home_page, "name", l->id));
    json_object_set_new(st, "verb",
                        json_pack("{s:s, s:{s:s}}", "id", verb_iri, "display", "en-US", verb));
    json_object_set_new(st, "object", object);
    if (result) json_object_set_new(st, "result", result);
    json_object_set_new(st, "context", context);
    json_object_set_new(st, "timestamp", json_string(stamp));
    free(verb_iri);
    char *text = json_dumps(st, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(st);
    if (!text) return error_set(err, "could not write the learning record (out of memory)");
    Step *q = op_add(op, Q_OUTBOX_ADD);
    p_text(q, id);
    p_text(q, learner_id);
    p_text(q, verb);
    p_int(q, ts);
    p_text(q, text);
    free(text);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Learning events                                                          */

static int find_page(const Manifest *m, const char *id)
{
    for (int i = 0; i < m->n_pages; i++)
        if (m->pages[i].id && strcmp(m->pages[i].id, id) == 0) return i;
    return -1;
}

static bool check_event(Store *s, const char *learner_id, const Manifest *m, Error *err)
{
    if (!s) return no_store(err);
    if (!m || !m->id || !*m->id) return error_set(err, "the lesson has no id");
    if (!cached_learner(s, learner_id)) return error_set(err, "there is no such learner");
    return true;
}

static void p_ll_ensure(Op *op, const char *learner_id, const LessonRef *l)
{
    Step *st = op_add(op, Q_LL_ENSURE);
    p_text(st, learner_id);
    p_text(st, l->id);
    p_text(st, l->version);
}

static bool finish_event(Store *s, Op *op, bool statement_ok, Error *err)
{
    if (!statement_ok) {
        op_free(op);
        return false;
    }
    return submit(s, op, err);
}

bool store_lesson_launched(Store *s, const char *learner_id, const Manifest *m, Error *err)
{
    if (!check_event(s, learner_id, m, err)) return false;
    LessonRef l = lesson_ref(m);
    int64_t t = now_ms();
    Op op = {0};
    Step *st = op_add(&op, Q_LESSON_UPSERT);
    p_text(st, l.id);
    p_text(st, l.version);
    p_text(st, l.title);
    p_text(st, l.language);
    p_int(st, m->n_pages);
    p_int(st, t);
    /* The page list as of this version, so `outpost progress` can count
     * without the lesson file. */
    p_text(op_add(&op, Q_LESSON_PAGES_CLEAR), l.id);
    for (int i = 0; i < m->n_pages; i++) {
        if (!m->pages[i].id) continue;
        st = op_add(&op, Q_LESSON_PAGE_ADD);
        p_text(st, l.id);
        p_text(st, m->pages[i].id);
        p_int(st, i);
        p_text(st, m->pages[i].kind == PAGE_QUIZ ? "quiz" : "page");
        p_text(st, m->pages[i].title);
    }
    st = op_add(&op, Q_LL_LAUNCH);
    p_text(st, learner_id);
    p_text(st, l.id);
    p_text(st, l.version);
    p_int(st, t);
    bool ok = add_statement(s, &op, learner_id, "launched", lesson_activity(&l), NULL,
                            context_json(&l, NULL, NULL, NULL), t, err);
    return finish_event(s, &op, ok, err);
}

bool store_page_seen(Store *s, const char *learner_id, const Manifest *m, const char *page_id,
                     Error *err)
{
    if (!check_event(s, learner_id, m, err)) return false;
    if (!page_id || !*page_id) return error_set(err, "the page has no id");
    LessonRef l = lesson_ref(m);
    int pi = find_page(m, page_id);
    int64_t t = now_ms();
    Op op = {0};
    p_ll_ensure(&op, learner_id, &l);
    Step *st = op_add(&op, Q_SEEN_UPSERT);
    p_text(st, learner_id);
    p_text(st, l.id);
    p_text(st, page_id);
    p_text(st, l.version);
    p_int(st, t);
    json_t *obj = page_activity(&l, page_id, pi >= 0 ? m->pages[pi].title : NULL,
                                pi >= 0 && m->pages[pi].kind == PAGE_QUIZ);
    bool ok = add_statement(s, &op, learner_id, "experienced", obj, NULL,
                            context_json(&l, NULL, lesson_activity(&l), NULL), t, err);
    return finish_event(s, &op, ok, err);
}

/* Current pages of m the learner has seen (committed ones). */
static int count_seen(Store *s, const char *learner_id, const Manifest *m)
{
    sqlite3_stmt *q = stmt(s, Q_SEEN_LESSON);
    if (!q) return 0;
    sqlite3_bind_text(q, 1, learner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, m->id, -1, SQLITE_STATIC);
    int n = 0;
    while (sqlite3_step(q) == SQLITE_ROW)
        if (find_page(m, (const char *)sqlite3_column_text(q, 0)) >= 0) n++;
    sqlite3_reset(q);
    return n;
}

/* Reads the bookmark page and completed version (heap strings or NULL). */
static void read_ll(Store *s, const char *learner_id, const char *lesson_id, char **page,
                    char **completed_version)
{
    *page = *completed_version = NULL;
    sqlite3_stmt *q = stmt(s, Q_LL_GET);
    if (!q) return;
    sqlite3_bind_text(q, 1, learner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, lesson_id, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) != SQLITE_NULL)
            *page = xstrdup((const char *)sqlite3_column_text(q, 0));
        if (sqlite3_column_type(q, 1) != SQLITE_NULL)
            *completed_version = xstrdup((const char *)sqlite3_column_text(q, 1));
    }
    sqlite3_reset(q);
}

bool store_set_position(Store *s, const char *learner_id, const Manifest *m, const char *page_id,
                        double scroll, Error *err)
{
    if (!check_event(s, learner_id, m, err)) return false;
    if (!page_id || !*page_id) return error_set(err, "the page has no id");
    if (!isfinite(scroll)) scroll = 0;
    LessonRef l = lesson_ref(m);
    char *old_page, *cv;
    read_ll(s, learner_id, l.id, &old_page, &cv);
    bool moved = !old_page || strcmp(old_page, page_id) != 0;
    free(old_page);
    free(cv);
    int64_t t = now_ms();
    Op op = {0};
    Step *st = op_add(&op, Q_LL_POSITION);
    p_text(st, learner_id);
    p_text(st, l.id);
    p_text(st, l.version);
    p_text(st, page_id);
    p_real(st, scroll);
    p_int(st, t);
    bool ok = true;
    if (moved) {
        int pct = m->n_pages ? (int)(100L * count_seen(s, learner_id, m) / m->n_pages) : 0;
        char *page_iri = store_activity_iri(l.id, page_id, NULL);
        json_t *result = json_pack("{s:{s:i, s:s}}", "extensions", EXT_PROGRESS, pct,
                                   EXT_POSITION, page_iri);
        free(page_iri);
        ok = add_statement(s, &op, learner_id, "progressed", lesson_activity(&l), result,
                           context_json(&l, NULL, NULL, NULL), t, err);
    }
    return finish_event(s, &op, ok, err);
}

bool store_lesson_completed(Store *s, const char *learner_id, const Manifest *m, Error *err)
{
    if (!check_event(s, learner_id, m, err)) return false;
    LessonRef l = lesson_ref(m);
    char *page, *cv;
    read_ll(s, learner_id, l.id, &page, &cv);
    bool already = cv && strcmp(cv, l.version) == 0;
    free(page);
    free(cv);
    if (already) return true;
    int64_t t = now_ms();
    Op op = {0};
    p_ll_ensure(&op, learner_id, &l);
    Step *st = op_add(&op, Q_LL_COMPLETE);
    p_text(st, learner_id);
    p_text(st, l.id);
    p_int(st, t);
    p_text(st, l.version);
    bool ok = add_statement(s, &op, learner_id, "completed", lesson_activity(&l),
                            json_pack("{s:b}", "completion", 1),
                            context_json(&l, NULL, NULL, NULL), t, err);
    return finish_event(s, &op, ok, err);
}

/* ---- Quiz attempts ---- */

static AttemptInfo *cache_slot(Store *s)
{
    AttemptInfo *best = &s->attempts[0];
    for (int i = 0; i < ATTEMPT_CACHE; i++) {
        if (!s->attempts[i].id[0]) return &s->attempts[i];
        if (s->attempts[i].used < best->used) best = &s->attempts[i];
    }
    attempt_info_free(best);
    return best;
}

/* The attempt's details, from the cache or the database; NULL if unknown. */
static AttemptInfo *attempt_info(Store *s, const char *id)
{
    if (!id) return NULL;
    for (int i = 0; i < ATTEMPT_CACHE; i++)
        if (s->attempts[i].id[0] && strcmp(s->attempts[i].id, id) == 0) {
            s->attempts[i].used = ++s->tick;
            return &s->attempts[i];
        }
    sqlite3_stmt *q = stmt(s, Q_ATTEMPT_INFO);
    if (!q) return NULL;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    AttemptInfo *a = NULL;
    if (sqlite3_step(q) == SQLITE_ROW) {
        a = cache_slot(s);
        snprintf(a->id, sizeof a->id, "%s", id);
        snprintf(a->learner, sizeof a->learner, "%s", (const char *)sqlite3_column_text(q, 0));
        a->lesson_id = xstrdup((const char *)sqlite3_column_text(q, 1));
        a->version = xstrdup((const char *)sqlite3_column_text(q, 2));
        a->page_id = xstrdup((const char *)sqlite3_column_text(q, 3));
        a->started_ms = sqlite3_column_int64(q, 4);
        a->finished = sqlite3_column_int(q, 5) != 0;
        a->lesson_title = xstrdup((const char *)sqlite3_column_text(q, 6));
        a->language = xstrdup((const char *)sqlite3_column_text(q, 7));
        a->page_title = xstrdup((const char *)sqlite3_column_text(q, 8));
        a->used = ++s->tick;
    }
    sqlite3_reset(q);
    return a;
}

static LessonRef attempt_lesson(const AttemptInfo *a)
{
    return (LessonRef){a->lesson_id, a->version, a->lesson_title, a->language};
}

bool store_attempt_start(Store *s, const char *learner_id, const Manifest *m,
                         const char *page_id, int64_t seed, char attempt_id_out[STORE_ID_SIZE],
                         Error *err)
{
    if (!check_event(s, learner_id, m, err)) return false;
    if (!page_id || !*page_id) return error_set(err, "the quiz page has no id");
    LessonRef l = lesson_ref(m);
    int pi = find_page(m, page_id);
    const char *page_title = pi >= 0 && m->pages[pi].title ? m->pages[pi].title : page_id;
    char id[STORE_ID_SIZE];
    store_uuid4(id);
    int64_t t = now_ms();
    Op op = {0};
    p_ll_ensure(&op, learner_id, &l);
    Step *st = op_add(&op, Q_ATTEMPT_INSERT);
    p_text(st, id);
    p_text(st, learner_id);
    p_text(st, l.id);
    p_text(st, l.version);
    p_text(st, page_id);
    p_int(st, seed);
    p_int(st, t);
    bool ok = add_statement(s, &op, learner_id, "attempted",
                            page_activity(&l, page_id, page_title, true), NULL,
                            context_json(&l, id, lesson_activity(&l), NULL), t, err);
    if (!ok) {
        op_free(&op);
        return false;
    }
    /* Remember it even if the write is delayed: answers follow at once. */
    AttemptInfo *a = cache_slot(s);
    snprintf(a->id, sizeof a->id, "%s", id);
    snprintf(a->learner, sizeof a->learner, "%s", learner_id);
    a->lesson_id = xstrdup(l.id);
    a->version = xstrdup(l.version);
    a->page_id = xstrdup(page_id);
    a->language = xstrdup(l.language);
    a->lesson_title = xstrdup(l.title);
    a->page_title = xstrdup(page_title);
    a->started_ms = t;
    a->used = ++s->tick;
    memcpy(attempt_id_out, id, STORE_ID_SIZE);
    /* A delayed write still yields a usable attempt id: the caller goes on
     * and the answers queue up behind the start. */
    return submit(s, &op, err);
}

static AttemptInfo *open_attempt(Store *s, const char *attempt_id, Error *err)
{
    if (!s) return no_store(err), NULL;
    AttemptInfo *a = attempt_info(s, attempt_id);
    if (!a) return error_set(err, "there is no such quiz attempt"), NULL;
    if (a->finished) return error_set(err, "this quiz attempt is already finished"), NULL;
    if (!cached_learner(s, a->learner)) return error_set(err, "there is no such learner"), NULL;
    return a;
}

static const char *const g_interactions[] = {
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
    "sequencing", "likert", "numeric", "other",
};

bool store_answer(Store *s, const char *attempt_id, const StoreAnswer *ans, Error *err)
{
    AttemptInfo *a = open_attempt(s, attempt_id, err);
    if (!a) return false;
    if (!ans || !ans->question_id || !*ans->question_id)
        return error_set(err, "the question has no id");
    const char *itype = NULL;
    for (size_t i = 0; ans->interaction && i < sizeof g_interactions / sizeof *g_interactions; i++)
        if (strcmp(ans->interaction, g_interactions[i]) == 0) itype = g_interactions[i];
    bool scored = isfinite(ans->score) && isfinite(ans->max_score) && ans->max_score > 0 &&
                  ans->score >= 0 && ans->score <= ans->max_score;
    LessonRef l = attempt_lesson(a);
    int64_t t = now_ms();
    Op op = {0};
    Step *st = op_add(&op, Q_ANSWER_ADD);
    p_text(st, a->id);
    p_text(st, ans->question_id);
    p_text(st, ans->response);
    if (scored) {
        p_real(st, ans->score);
        p_real(st, ans->max_score);
    } else {
        p_text(st, NULL);
        p_text(st, NULL);
    }
    p_int(st, ans->correct);
    p_int(st, t);
    if (ans->state) {
        st = op_add(&op, Q_ATTEMPT_STATE);
        p_text(st, a->id);
        p_text(st, ans->state);
    }
    json_t *result = json_object();
    if (scored) json_object_set_new(result, "score", score_json(ans->score, 0, ans->max_score));
    json_object_set_new(result, "success", json_boolean(ans->correct));
    json_object_set_new(result, "response", json_string(ans->response ? ans->response : ""));
    json_t *obj = activity_json(l.id, a->page_id, ans->question_id,
                                ans->question_text ? ans->question_text : ans->question_id,
                                l.language,
                                itype ? ADL_TYPE "cmi.interaction" : ADL_TYPE "question", itype);
    json_t *ctx = context_json(&l, a->id, page_activity(&l, a->page_id, a->page_title, true),
                               lesson_activity(&l));
    bool ok = add_statement(s, &op, a->learner, "answered", obj, result, ctx, t, err);
    return finish_event(s, &op, ok, err);
}

bool store_attempt_save_state(Store *s, const char *attempt_id, const char *state, Error *err)
{
    AttemptInfo *a = open_attempt(s, attempt_id, err);
    if (!a) return false;
    Op op = {0};
    Step *st = op_add(&op, Q_ATTEMPT_STATE);
    p_text(st, a->id);
    p_text(st, state);
    return submit(s, &op, err);
}

bool store_attempt_finish(Store *s, const char *attempt_id, const StoreAttemptResult *r,
                          Error *err)
{
    AttemptInfo *a = open_attempt(s, attempt_id, err);
    if (!a) return false;
    if (!r || !isfinite(r->raw) || !isfinite(r->min) || !isfinite(r->max) || r->max <= r->min ||
        r->raw < r->min || r->raw > r->max)
        return error_set(err, "the quiz score is not valid");
    int64_t t = now_ms();
    int64_t dur = r->duration_ms >= 0 ? r->duration_ms : t - a->started_ms;
    if (dur < 0) dur = 0; /* the clock was set back */
    double scaled = (r->raw - r->min) / (r->max - r->min);
    LessonRef l = attempt_lesson(a);
    Op op = {0};
    Step *st = op_add(&op, Q_ATTEMPT_FINISH);
    p_text(st, a->id);
    p_int(st, t);
    p_int(st, dur);
    p_real(st, r->raw);
    p_real(st, r->min);
    p_real(st, r->max);
    p_real(st, scaled);
    p_int(st, r->passed);
    st = op_add(&op, Q_BEST_UPSERT);
    p_text(st, a->learner);
    p_text(st, l.id);
    p_text(st, a->page_id);
    p_real(st, scaled);
    p_real(st, r->raw);
    p_real(st, r->max);
    p_int(st, r->passed);
    p_int(st, t);
    char duration[32];
    store_format_duration(dur, duration, sizeof duration);
    json_t *result = json_pack("{s:o, s:b, s:b, s:s}", "score", score_json(r->raw, r->min, r->max),
                               "success", r->passed, "completion", 1, "duration", duration);
    bool ok = add_statement(s, &op, a->learner, r->passed ? "passed" : "failed",
                            page_activity(&l, a->page_id, a->page_title, true), result,
                            context_json(&l, a->id, lesson_activity(&l), NULL), t, err);
    if (!ok) {
        op_free(&op);
        return false;
    }
    a->finished = true;
    return submit(s, &op, err);
}

bool store_attempt_find_open(Store *s, const char *learner_id, const char *lesson_id,
                             const char *page_id, StoreAttempt *out, bool *found, Error *err)
{
    memset(out, 0, sizeof *out);
    *found = false;
    if (!s) return no_store(err);
    sqlite3_stmt *q = stmt(s, Q_ATTEMPT_OPEN);
    if (!q) return error_set(err, "cannot read the progress file: %s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(q, 1, learner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, lesson_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, page_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = true;
        snprintf(out->id, sizeof out->id, "%s", (const char *)sqlite3_column_text(q, 0));
        out->seed = sqlite3_column_int64(q, 1);
        out->started_ms = sqlite3_column_int64(q, 2);
        if (sqlite3_column_type(q, 3) != SQLITE_NULL)
            out->state = xstrdup((const char *)sqlite3_column_text(q, 3));
        out->answers = sqlite3_column_int(q, 4);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return error_set(err, "cannot read the progress file: %s", plain_reason(s, rc));
    return true;
}

void store_attempt_clear(StoreAttempt *a)
{
    if (!a) return;
    free(a->state);
    memset(a, 0, sizeof *a);
}

/* ------------------------------------------------------------------------ */
/* Home screen                                                              */

typedef struct LessonIndex {
    const char *id;
    int i;
} LessonIndex;

static int cmp_lesson_index(const void *a, const void *b)
{
    return strcmp(((const LessonIndex *)a)->id, ((const LessonIndex *)b)->id);
}

static int lookup_lesson(const LessonIndex *idx, int n, const char *id)
{
    if (!id) return -1;
    LessonIndex key = {id, 0};
    const LessonIndex *hit = bsearch(&key, idx, (size_t)n, sizeof *idx, cmp_lesson_index);
    return hit ? hit->i : -1;
}

/* Runs query id for the learner and calls fn(row) on each row. */
static bool each_row(Store *s, int id, const char *learner_id, Error *err,
                     void (*fn)(sqlite3_stmt *q, void *ctx), void *ctx)
{
    sqlite3_stmt *q = stmt(s, id);
    if (!q) return error_set(err, "cannot read the progress file: %s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(q, 1, learner_id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) fn(q, ctx);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return error_set(err, "cannot read the progress file: %s", plain_reason(s, rc));
    return true;
}

typedef struct SumCtx {
    const Manifest *const *lessons;
    StoreLessonSummary *out;
    const LessonIndex *idx;
    int n;
    double *score_sum;
    int *scored;
} SumCtx;

/* Finds the row's lesson (column 0) and page (column 1) in the current
 * manifests: vanished lessons and pages give -1 and are skipped. */
static int row_lesson_page(const SumCtx *c, sqlite3_stmt *q, int *page)
{
    int li = lookup_lesson(c->idx, c->n, (const char *)sqlite3_column_text(q, 0));
    *page = -1;
    if (li < 0) return -1;
    const char *pid = (const char *)sqlite3_column_text(q, 1);
    *page = pid ? find_page(c->lessons[li], pid) : -1;
    return li;
}

static void sum_ll(sqlite3_stmt *q, void *vc)
{
    SumCtx *c = vc;
    int li = lookup_lesson(c->idx, c->n, (const char *)sqlite3_column_text(q, 0));
    if (li < 0) return;
    StoreLessonSummary *o = &c->out[li];
    o->last_opened_ms = sqlite3_column_int64(q, 1);
    o->completed = sqlite3_column_int(q, 2) != 0;
    const char *pos = (const char *)sqlite3_column_text(q, 3);
    o->position_page = pos ? find_page(c->lessons[li], pos) : -1;
    o->position_scroll = o->position_page >= 0 ? sqlite3_column_double(q, 4) : 0;
}

static void sum_seen(sqlite3_stmt *q, void *vc)
{
    int page, li = row_lesson_page(vc, q, &page);
    if (li >= 0 && page >= 0) ((SumCtx *)vc)->out[li].pages_seen++;
}

static void sum_best(sqlite3_stmt *q, void *vc)
{
    SumCtx *c = vc;
    int page, li = row_lesson_page(c, q, &page);
    if (li < 0 || page < 0 || c->lessons[li]->pages[page].kind != PAGE_QUIZ) return;
    c->score_sum[li] += sqlite3_column_double(q, 2);
    c->scored[li]++;
    if (sqlite3_column_int(q, 3)) c->out[li].quiz_passed++;
}

static void sum_open(sqlite3_stmt *q, void *vc)
{
    int page, li = row_lesson_page(vc, q, &page);
    if (li >= 0 && page >= 0) ((SumCtx *)vc)->out[li].attempt_open = true;
}

bool store_lesson_summaries(Store *s, const char *learner_id, const Manifest *const *lessons,
                            int n, StoreLessonSummary *out, Error *err)
{
    for (int i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].position_page = -1;
        out[i].pages_total = lessons[i]->n_pages;
        for (int p = 0; p < lessons[i]->n_pages; p++)
            if (lessons[i]->pages[p].kind == PAGE_QUIZ) out[i].quiz_pages++;
    }
    if (!s) return no_store(err);
    if (n <= 0) return true;
    LessonIndex *idx = xmalloc((size_t)n * sizeof *idx);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (lessons[i]->id) idx[m++] = (LessonIndex){lessons[i]->id, i};
    qsort(idx, (size_t)m, sizeof *idx, cmp_lesson_index);
    double *score_sum = xcalloc((size_t)n, sizeof *score_sum);
    int *scored = xcalloc((size_t)n, sizeof *scored);
    SumCtx c = {lessons, out, idx, m, score_sum, scored};
    bool ok = each_row(s, Q_SUM_LL, learner_id, err, sum_ll, &c) &&
              each_row(s, Q_SUM_SEEN, learner_id, err, sum_seen, &c) &&
              each_row(s, Q_SUM_BEST, learner_id, err, sum_best, &c) &&
              each_row(s, Q_SUM_OPEN, learner_id, err, sum_open, &c);
    for (int i = 0; i < n; i++) {
        out[i].has_score = scored[i] > 0;
        out[i].best_scaled = scored[i] ? score_sum[i] / scored[i] : 0;
        out[i].passed = out[i].quiz_pages > 0 && out[i].quiz_passed >= out[i].quiz_pages;
    }
    free(idx);
    free(score_sum);
    free(scored);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* outpost progress                                                         */

static const char g_progress_usage[] =
    "usage: outpost progress [--learner NAME] [--csv] [--data DIR]\n"
    "Shows each learner's progress as recorded on this computer.\n"
    "  --learner NAME  only this learner\n"
    "  --csv           comma-separated values (RFC 4180) for a spreadsheet\n"
    "  --data DIR      the data folder (default: $OUTPOST_DATA, else\n"
    "                  $XDG_DATA_HOME/outpost or ~/.local/share/outpost)\n";

/* Counts only pages of the lesson's last known version when it is known. */
static const char g_progress_sql[] =
    "SELECT l.name, ll.lesson_id, COALESCE(ls.title,''), ll.version,"
    " (SELECT COUNT(*) FROM pages_seen ps WHERE ps.learner_id=ll.learner_id"
    "  AND ps.lesson_id=ll.lesson_id AND (ls.id IS NULL OR EXISTS(SELECT 1 FROM lesson_pages lp"
    "  WHERE lp.lesson_id=ps.lesson_id AND lp.page_id=ps.page_id))),"
    " ls.page_count,"
    " (SELECT AVG(qb.best_scaled) FROM quiz_best qb WHERE qb.learner_id=ll.learner_id"
    "  AND qb.lesson_id=ll.lesson_id AND (ls.id IS NULL OR EXISTS(SELECT 1 FROM lesson_pages lp"
    "  WHERE lp.lesson_id=qb.lesson_id AND lp.page_id=qb.page_id AND lp.kind='quiz'))),"
    " (SELECT COUNT(*) FROM lesson_pages lp WHERE lp.lesson_id=ll.lesson_id AND lp.kind='quiz'),"
    " (SELECT COUNT(*) FROM quiz_best qb JOIN lesson_pages lp ON lp.lesson_id=qb.lesson_id"
    "  AND lp.page_id=qb.page_id AND lp.kind='quiz' WHERE qb.learner_id=ll.learner_id"
    "  AND qb.lesson_id=ll.lesson_id AND qb.passed),"
    " ll.completed_ms IS NOT NULL, COALESCE(ll.last_opened_ms,0), l.id"
    " FROM learner_lessons ll JOIN learners l ON l.id=ll.learner_id"
    " LEFT JOIN lessons ls ON ls.id=ll.lesson_id"
    " WHERE ?1 IS NULL OR l.id=?1 ORDER BY l.name_key, ll.lesson_id";

enum { COL_LEARNER, COL_LESSON, COL_TITLE, COL_VERSION, COL_PAGES, COL_SCORE, COL_PASSED,
       COL_COMPLETED, COL_OPENED, N_COLS };

/* Terminal columns a UTF-8 string takes: combining marks (Thai vowels and
 * tone marks, accents) take none, East Asian wide characters two. */
static int display_width(const char *s)
{
    int w = 0;
    const char *end = s + strlen(s);
    while (s < end) {
        uint32_t c = utf8_next(&s, end);
        if ((c >= 0x300 && c <= 0x36F) || c == 0xE31 || (c >= 0xE34 && c <= 0xE3A) ||
            (c >= 0xE47 && c <= 0xE4E) || c == 0xEB1 || (c >= 0xEB4 && c <= 0xEBC) ||
            (c >= 0xEC8 && c <= 0xECD) || (c >= 0x200B && c <= 0x200F))
            continue;
        if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
            (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
            (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
            (c >= 0xFFE0 && c <= 0xFFE6) || c >= 0x20000)
            w += 2;
        else
            w += 1;
    }
    return w;
}

/* Cuts s to at most max columns, ending with an ellipsis if cut. */
static char *fit(const char *s, int max)
{
    if (display_width(s) <= max) return xstrdup(s);
    Buf b = {0};
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        const char *start = p;
        utf8_next(&p, end);
        char *tmp = xstrndup(s, (size_t)(p - s));
        int w = display_width(tmp);
        free(tmp);
        if (w > max - 1) break;
        buf_append(&b, start, (size_t)(p - start));
    }
    buf_puts(&b, "\xE2\x80\xA6");
    return buf_take(&b);
}

static void csv_field(Buf *b, const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n") || (*s && (s[0] == ' ' || s[strlen(s) - 1] == ' '))) {
        buf_putc(b, '"');
        for (const char *p = s; *p; p++) {
            if (*p == '"') buf_putc(b, '"');
            buf_putc(b, *p);
        }
        buf_putc(b, '"');
    } else {
        buf_puts(b, s);
    }
    buf_puts(b, last ? "\r\n" : ",");
}

int cmd_progress(int argc, char **argv)
{
    const char *learner = NULL, *data = NULL;
    bool csv = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--csv") == 0) {
            csv = true;
        } else if (strcmp(a, "--learner") == 0 || strcmp(a, "--data") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "outpost: progress: %s needs a value\n%s", a, g_progress_usage);
                return 2;
            }
            *(a[2] == 'l' ? &learner : &data) = argv[++i];
        } else if (strncmp(a, "--learner=", 10) == 0) {
            learner = a + 10;
        } else if (strncmp(a, "--data=", 7) == 0) {
            data = a + 7;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(g_progress_usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "outpost: progress: unknown option '%s'\n%s", a, g_progress_usage);
            return 2;
        }
    }
    if (data) paths_set_data_dir(data);
    const char *db_path = paths_database_file();
    static const char *const heads[N_COLS] = {"Learner", "Lesson",    "Title",
                                              "Version", "Pages",     "Score",
                                              "Passed",  "Completed", "Last opened"};
    static const char *const csv_heads[] = {"learner", "learner_id", "lesson_id", "lesson_title",
                                            "version", "pages_seen", "pages_total",
                                            "score_percent", "passed", "completed",
                                            "last_opened"};
    if (!path_is_file(db_path)) {
        /* Do not create a database just to say it is empty. */
        if (csv) {
            Buf b = {0};
            for (int i = 0; i < 11; i++) csv_field(&b, csv_heads[i], i == 10);
            fputs(buf_cstr(&b), stdout);
            buf_free(&b);
        } else {
            printf("No progress has been recorded yet in %s.\n", paths_data_dir());
        }
        return 0;
    }
    Error err;
    StoreOpenReport rep;
    Store *s = store_open(db_path, &rep, &err);
    if (!s) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        return 1;
    }
    if (rep.recovered) fprintf(stderr, "outpost: %s\n", rep.message);
    StoreLearner who;
    if (learner && !store_learner_find(s, learner, &who, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        store_close(s);
        return 1;
    }
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, g_progress_sql, -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "outpost: %s: %s\n", db_path, sqlite3_errmsg(s->db));
        store_close(s);
        return 1;
    }
    if (learner) sqlite3_bind_text(q, 1, who.id, -1, SQLITE_STATIC);

    Buf out = {0};
    if (csv)
        for (int i = 0; i < 11; i++) csv_field(&out, csv_heads[i], i == 10);
    char **cells = NULL; /* rows * N_COLS, for the table */
    int rows = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *lesson = (const char *)sqlite3_column_text(q, 1);
        const char *title = (const char *)sqlite3_column_text(q, 2);
        const char *version = (const char *)sqlite3_column_text(q, 3);
        int seen = sqlite3_column_int(q, 4);
        bool total_known = sqlite3_column_type(q, 5) != SQLITE_NULL;
        int total = sqlite3_column_int(q, 5);
        bool has_score = sqlite3_column_type(q, 6) != SQLITE_NULL;
        int pct = (int)lround(sqlite3_column_double(q, 6) * 100.0);
        int quizzes = sqlite3_column_int(q, 7), passed = sqlite3_column_int(q, 8);
        bool completed = sqlite3_column_int(q, 9) != 0;
        int64_t opened = sqlite3_column_int64(q, 10);
        const char *lid = (const char *)sqlite3_column_text(q, 11);
        char pages[48], score[16], stamp[48] = "", when[32] = "-";
        snprintf(pages, sizeof pages, total_known ? "%d/%d" : "%d/?", seen, total);
        snprintf(score, sizeof score, has_score ? "%d%%" : "-", pct);
        const char *pass = quizzes == 0 ? "-" : passed >= quizzes ? "yes" : "no";
        if (opened) {
            store_format_timestamp(opened, stamp, sizeof stamp);
            time_t t = (time_t)(opened / 1000);
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
        }
        if (csv) {
            char n1[16], n2[16], n3[16];
            snprintf(n1, sizeof n1, "%d", seen);
            snprintf(n2, sizeof n2, total_known ? "%d" : "", total);
            snprintf(n3, sizeof n3, has_score ? "%d" : "", pct);
            const char *f[11] = {name, lid, lesson, title, version, n1, n2, n3,
                                 quizzes == 0 ? "" : passed >= quizzes ? "yes" : "no",
                                 completed ? "yes" : "no", stamp};
            for (int i = 0; i < 11; i++) csv_field(&out, f[i], i == 10);
        } else {
            cells = xrealloc(cells, (size_t)(rows + 1) * N_COLS * sizeof *cells);
            char **r = cells + (size_t)rows * N_COLS;
            r[COL_LEARNER] = fit(name, 24);
            r[COL_LESSON] = fit(lesson, 32);
            r[COL_TITLE] = fit(*title ? title : "-", 30);
            r[COL_VERSION] = fit(version, 12);
            r[COL_PAGES] = xstrdup(pages);
            r[COL_SCORE] = xstrdup(score);
            r[COL_PASSED] = xstrdup(pass);
            r[COL_COMPLETED] = xstrdup(completed ? "yes" : "no");
            r[COL_OPENED] = xstrdup(when);
        }
        rows++;
    }
    sqlite3_finalize(q);
    int status = 0;
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "outpost: %s: %s\n", db_path, plain_reason(s, rc));
        status = 1;
    } else if (!csv && rows == 0) {
        if (learner)
            printf("%s has not opened any lesson yet.\n", who.name);
        else
            printf("No progress has been recorded yet in %s.\n", paths_data_dir());
    } else if (!csv) {
        int width[N_COLS];
        for (int c = 0; c < N_COLS; c++) {
            width[c] = display_width(heads[c]);
            for (int r = 0; r < rows; r++) {
                int w = display_width(cells[(size_t)r * N_COLS + c]);
                if (w > width[c]) width[c] = w;
            }
        }
        for (int r = -1; r < rows; r++) {
            for (int c = 0; c < N_COLS; c++) {
                const char *v = r < 0 ? heads[c] : cells[(size_t)r * N_COLS + c];
                buf_puts(&out, v);
                if (c < N_COLS - 1)
                    for (int k = display_width(v); k < width[c] + 2; k++) buf_putc(&out, ' ');
            }
            buf_putc(&out, '\n');
        }
    }
    for (int i = 0; i < rows * N_COLS && cells; i++) free(cells[i]);
    free(cells);
    if (out.len) fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    store_close(s);
    return status;
}

/* ======================================================================== */
/* Sync and offline bundles (sync.c, bundle.c): outbox queries and marking,  */
/* and merging statements from an LRS or a bundle into the outbox and the   */
/* learners' progress. Added for the sync; nothing above depends on it.     */

#include <stdarg.h>

void store_outbox_rows_free(StoreOutboxRow *rows, int n)
{
    for (int i = 0; rows && i < n; i++) {
        free(rows[i].learner_id);
        free(rows[i].verb);
        free(rows[i].statement);
        free(rows[i].reason);
    }
    free(rows);
}

void store_strings_free(char **v, int n)
{
    for (int i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

/* Prepares sql on the store's connection, or fails with a plain reason. */
static sqlite3_stmt *sync_prepare(Store *s, const char *sql, Error *err)
{
    sqlite3_stmt *q = NULL;
    if (!s || !s->db) return no_store(err), NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        error_set(err, "cannot read the progress file %s: %s", s->path, sqlite3_errmsg(s->db));
        sqlite3_finalize(q);
        return NULL;
    }
    return q;
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

bool store_outbox_list(Store *s, StoreOutboxKind kind, int64_t after_seq, int limit,
                       StoreOutboxRow **rows, int *n, Error *err)
{
    *rows = NULL;
    *n = 0;
    static const char *const where[] = {
        "delivered_ms IS NULL AND rejected_ms IS NULL",
        "delivered_ms IS NULL AND rejected_ms IS NULL AND exported_ms IS NULL",
        "rejected_ms IS NOT NULL",
    };
    char *sql = xasprintf("SELECT seq,id,learner_id,verb,created_ms,statement,"
                          "COALESCE(reject_reason,last_error),COALESCE(rejected_ms,0) "
                          "FROM outbox WHERE seq>?1 AND %s ORDER BY seq LIMIT ?2",
                          where[kind]);
    sqlite3_stmt *q = sync_prepare(s, sql, err);
    free(sql);
    if (!q) return false;
    sqlite3_bind_int64(q, 1, after_seq);
    sqlite3_bind_int(q, 2, limit > 0 ? limit : -1);
    int cap = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *rows = xrealloc(*rows, (size_t)cap * sizeof **rows);
        }
        StoreOutboxRow *r = &(*rows)[(*n)++];
        memset(r, 0, sizeof *r);
        r->seq = sqlite3_column_int64(q, 0);
        snprintf(r->id, sizeof r->id, "%s", col_text(q, 1));
        r->learner_id = xstrdup(col_text(q, 2));
        r->verb = xstrdup(col_text(q, 3));
        r->created_ms = sqlite3_column_int64(q, 4);
        r->statement = xstrdup(col_text(q, 5));
        if (sqlite3_column_type(q, 6) != SQLITE_NULL) r->reason = xstrdup(col_text(q, 6));
        r->when_ms = sqlite3_column_int64(q, 7);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        store_outbox_rows_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return error_set(err, "cannot read the outbox: %s", plain_reason(s, rc));
    }
    return true;
}

bool store_outbox_counts(Store *s, StoreOutboxCounts *out, Error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = sync_prepare(
        s,
        "SELECT COUNT(*), COUNT(delivered_ms), COUNT(rejected_ms),"
        " SUM(delivered_ms IS NULL AND rejected_ms IS NULL),"
        " SUM(delivered_ms IS NULL AND rejected_ms IS NULL AND exported_ms IS NOT NULL),"
        " MIN(CASE WHEN delivered_ms IS NULL AND rejected_ms IS NULL THEN created_ms END)"
        " FROM outbox",
        err);
    if (!q) return false;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->total = sqlite3_column_int64(q, 0);
        out->delivered = sqlite3_column_int64(q, 1);
        out->rejected = sqlite3_column_int64(q, 2);
        out->waiting = sqlite3_column_int64(q, 3);
        out->exported_waiting = sqlite3_column_int64(q, 4);
        out->oldest_waiting_ms = sqlite3_column_int64(q, 5);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW) return error_set(err, "cannot read the outbox: %s", plain_reason(s, rc));
    return true;
}

/* Runs sql once per id (bound as ?1, with text1 as ?2 and the clock as ?3)
 * in one IMMEDIATE transaction. */
static bool outbox_update(Store *s, const char *sql, const char *const *ids, int n,
                          const char *text1, Error *err)
{
    if (!s || !s->db) return no_store(err);
    if (s->read_only) return error_set(err, "%s", store_degraded_reason(s));
    if (n <= 0) return true;
    if (s->n_pending) flush_pending(s); /* keep the order of writes */
    sqlite3_stmt *q = sync_prepare(s, sql, err);
    if (!q) return false;
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) rc = sqlite3_extended_errcode(s->db);
    int64_t t = now_ms();
    for (int i = 0; rc == SQLITE_OK && i < n; i++) {
        sqlite3_bind_text(q, 1, ids[i], -1, SQLITE_STATIC);
        if (text1) sqlite3_bind_text(q, 2, text1, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, t);
        rc = sqlite3_step(q);
        rc = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(s->db);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_OK && exec(s, "COMMIT") != SQLITE_OK) rc = sqlite3_extended_errcode(s->db);
    if (rc != SQLITE_OK) {
        if (!sqlite3_get_autocommit(s->db)) exec(s, "ROLLBACK");
        return error_set(err, "could not update the outbox: %s", plain_reason(s, rc));
    }
    return true;
}

bool store_outbox_mark_delivered(Store *s, const char *const *ids, int n, Error *err)
{
    return outbox_update(s,
                         "UPDATE outbox SET delivered_ms=?3,tries=tries+1,last_error=NULL "
                         "WHERE id=?1 AND delivered_ms IS NULL",
                         ids, n, NULL, err);
}

bool store_outbox_mark_rejected(Store *s, const char *id, const char *reason, Error *err)
{
    const char *ids[1] = {id};
    return outbox_update(s,
                         "UPDATE outbox SET rejected_ms=?3,reject_reason=?2,tries=tries+1 "
                         "WHERE id=?1 AND delivered_ms IS NULL",
                         ids, 1, reason ? reason : "", err);
}

bool store_outbox_note_failure(Store *s, const char *const *ids, int n, const char *error,
                               Error *err)
{
    return outbox_update(s, "UPDATE outbox SET tries=tries+1,last_error=?2 WHERE id=?1", ids, n,
                         error ? error : "", err);
}

bool store_outbox_mark_exported(Store *s, const char *const *ids, int n, const char *file,
                                Error *err)
{
    return outbox_update(s,
                         "UPDATE outbox SET exported_ms=?3,export_file=?2 "
                         "WHERE id=?1 AND exported_ms IS NULL",
                         ids, n, file ? file : "", err);
}

bool store_sync_get(Store *s, const char *key, char **out, Error *err)
{
    *out = NULL;
    if (!s || !s->db) return no_store(err);
    char *k = xasprintf("sync.%s", key);
    bool ok = meta_get(s, k, out);
    free(k);
    if (!ok) return error_set(err, "cannot read the progress file: %s", sqlite3_errmsg(s->db));
    return true;
}

bool store_sync_set(Store *s, const char *key, const char *value, Error *err)
{
    if (!s || !s->db) return no_store(err);
    Op op = {0};
    Step *st = op_add(&op, Q_META_SET);
    char *k = xasprintf("sync.%s", key);
    p_text(st, k);
    p_text(st, value ? value : "");
    free(k);
    return apply_now(s, &op, err);
}

bool store_learner_home_pages(Store *s, const char *learner_id, char ***out, int *n, Error *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = sync_prepare(
        s,
        "SELECT DISTINCT json_extract(statement,'$.actor.account.homePage') FROM outbox "
        "WHERE learner_id=?1 AND json_valid(statement)",
        err);
    if (!q) return false;
    sqlite3_bind_text(q, 1, learner_id, -1, SQLITE_STATIC);
    char **v = xmalloc(sizeof *v);
    int m = 1;
    v[0] = xstrdup(s->home_page);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *hp = (const char *)sqlite3_column_text(q, 0);
        if (!hp || !*hp) continue;
        bool dup = false;
        for (int i = 0; i < m && !dup; i++) dup = strcmp(v[i], hp) == 0;
        if (dup) continue;
        v = xrealloc(v, (size_t)(m + 1) * sizeof *v);
        v[m++] = xstrdup(hp);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        store_strings_free(v, m);
        return error_set(err, "cannot read the outbox: %s", plain_reason(s, rc));
    }
    *out = v;
    *n = m;
    return true;
}

bool store_parse_timestamp(const char *text, int64_t *unix_ms)
{
    if (!text) return false;
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return false;
    const char *p = text + n;
    int64_t ms = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        int64_t frac = 0;
        while (*p >= '0' && *p <= '9') {
            if (digits < 3) frac = frac * 10 + (*p - '0');
            digits++;
            p++;
        }
        if (!digits) return false;
        for (int i = digits; i < 3; i++) frac *= 10;
        ms = frac;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        char sign = *p;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && strlen(p) >= 6) p += 6;
        else if (sscanf(p + 1, "%2d%2d", &oh, &om) == 2 && strlen(p) >= 5) p += 5;
        else if (sscanf(p + 1, "%2d", &oh) == 1 && strlen(p) == 3) { om = 0; p += 3; }
        else return false;
        off = (oh * 3600L + om * 60L) * (sign == '-' ? -1 : 1);
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
    /* Days from the civil date (Howard Hinnant's algorithm): no timegm(). */
    int64_t yy = y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - off;
    *unix_ms = secs * 1000 + ms;
    return true;
}

/* "PT1H2M3.25S" -> milliseconds; -1 if it is not such a duration. */
static int64_t parse_duration_ms(const char *s)
{
    if (!s || strncmp(s, "PT", 2) != 0) return -1;
    const char *p = s + 2;
    double total = 0;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p) return -1;
        switch (*end) {
        case 'H': total += v * 3600; break;
        case 'M': total += v * 60; break;
        case 'S': total += v; break;
        default: return -1;
        }
        p = end + 1;
    }
    return (int64_t)llround(total * 1000);
}

/* Splits an Outpost activity IRI into its decoded segments (lesson, page,
 * question); returns how many (0 if it is not one of ours). Segments are
 * heap strings. */
static int split_activity(const char *iri, char *seg[3])
{
    seg[0] = seg[1] = seg[2] = NULL;
    const char *base = STORE_ACTIVITY_BASE "/";
    if (!iri || strncmp(iri, base, strlen(base)) != 0) return 0;
    const char *p = iri + strlen(base);
    int n = 0;
    while (*p && n < 3) {
        Buf b = {0};
        while (*p && *p != '/') {
            int hi, lo;
            if (*p == '%' && p[1] && p[2] &&
                sscanf((char[3]){p[1], p[2], 0}, "%1x%1x", &hi, &lo) == 2) {
                buf_putc(&b, (char)(hi * 16 + lo));
                p += 3;
            } else {
                buf_putc(&b, *p++);
            }
        }
        seg[n++] = buf_take(&b);
        if (!seg[n - 1]) seg[n - 1] = xstrdup("");
        if (*p == '/') p++;
    }
    if (*p) { /* more segments than ours */
        for (int i = 0; i < n; i++) free(seg[i]);
        seg[0] = seg[1] = seg[2] = NULL;
        return 0;
    }
    return n;
}

static bool is_uuid_text(const char *s)
{
    if (!s || strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                               (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* One statement being merged. */
typedef struct MergeItem {
    json_t *st;       /* borrowed */
    const char *id, *learner, *verb_iri;
    int64_t ts;
} MergeItem;

static int cmp_merge_item(const void *a, const void *b)
{
    const MergeItem *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return strcmp(x->id, y->id);
}

enum {
    M_OUTBOX_ADD, M_OUTBOX_SEEN, M_LL_ENSURE, M_LAUNCH, M_SEEN, M_POSITION, M_COMPLETE,
    M_ATTEMPT, M_ANSWER, M_FINISH, M_LEARNER_ADD, M_COUNT
};
static const char *const g_merge_sql[M_COUNT] = {
    [M_OUTBOX_ADD] = "INSERT INTO outbox(id,learner_id,verb,created_ms,statement,delivered_ms) "
                     "VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(id) DO NOTHING",
    /* The LRS has it: no need to send our copy again. */
    [M_OUTBOX_SEEN] = "UPDATE outbox SET delivered_ms=?2 WHERE id=?1 AND delivered_ms IS NULL "
                      "AND ?3",
    [M_LL_ENSURE] = "INSERT INTO learner_lessons(learner_id,lesson_id,version) VALUES(?1,?2,?3) "
                    "ON CONFLICT DO NOTHING",
    [M_LAUNCH] = "UPDATE learner_lessons SET "
                 "first_opened_ms=MIN(COALESCE(first_opened_ms,?3),?3),"
                 "last_opened_ms=MAX(COALESCE(last_opened_ms,?3),?3),launches=launches+1,"
                 "version=CASE WHEN ?3>=COALESCE(last_opened_ms,0) AND ?4<>'' THEN ?4 "
                 "ELSE version END WHERE learner_id=?1 AND lesson_id=?2",
    [M_SEEN] = "INSERT INTO pages_seen(learner_id,lesson_id,page_id,version,first_ms,last_ms,"
               "times) VALUES(?1,?2,?3,?4,?5,?5,1) ON CONFLICT DO UPDATE SET "
               "first_ms=MIN(first_ms,excluded.first_ms),last_ms=MAX(last_ms,excluded.last_ms),"
               "times=times+1,version=CASE WHEN excluded.last_ms>=last_ms "
               "THEN excluded.version ELSE version END",
    /* Latest timestamp wins; on a tie, the greater statement id. */
    [M_POSITION] = "UPDATE learner_lessons SET position_page=?3,position_scroll=0,"
                   "position_ms=?4 WHERE learner_id=?1 AND lesson_id=?2 AND "
                   "(position_ms IS NULL OR position_ms<?4 OR (position_ms=?4 AND ?5>"
                   "COALESCE((SELECT MAX(o.id) FROM outbox o WHERE o.learner_id=?1 "
                   "AND o.verb='progressed' AND o.created_ms=?4 AND o.id<>?5 "
                   "AND json_extract(o.statement,'$.object.id')=?6),'')))",
    [M_COMPLETE] = "UPDATE learner_lessons SET completed_ms=?3,completed_version=?4 "
                   "WHERE learner_id=?1 AND lesson_id=?2 AND "
                   "(completed_ms IS NULL OR completed_ms<?3)",
    [M_ATTEMPT] = "INSERT INTO attempts(id,learner_id,lesson_id,version,page_id,seed,started_ms) "
                  "VALUES(?1,?2,?3,?4,?5,0,?6) ON CONFLICT(id) DO UPDATE SET "
                  "started_ms=MIN(started_ms,excluded.started_ms) "
                  "WHERE learner_id=excluded.learner_id",
    [M_ANSWER] = "INSERT INTO answers(attempt_id,seq,question_id,response,score,max_score,"
                 "correct,answered_ms) SELECT ?1,(SELECT COALESCE(MAX(seq),0)+1 FROM answers "
                 "WHERE attempt_id=?1),?2,?3,?4,?5,?6,?7 "
                 "WHERE EXISTS(SELECT 1 FROM attempts WHERE id=?1 AND learner_id=?8)",
    [M_FINISH] = "UPDATE attempts SET ended_ms=?2,duration_ms=?3,score_raw=?4,score_min=?5,"
                 "score_max=?6,score_scaled=?7,passed=?8 WHERE id=?1 AND learner_id=?9 "
                 "AND ended_ms IS NULL",
    [M_LEARNER_ADD] = "INSERT INTO learners(id,name,name_key,created_ms) VALUES(?1,?2,?3,?4)",
};

typedef struct MergeCtx {
    Store *s;
    sqlite3_stmt *q[M_COUNT];
} MergeCtx;

/* Binds printf-like: 't' text (NULL -> null), 'i' int64, 'd' double, 'n' null. */
static int merge_run(MergeCtx *c, int which, const char *types, ...)
{
    sqlite3_stmt *q = c->q[which];
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        switch (types[i]) {
        case 't': {
            const char *v = va_arg(ap, const char *);
            if (v) sqlite3_bind_text(q, i + 1, v, -1, SQLITE_TRANSIENT);
            else sqlite3_bind_null(q, i + 1);
            break;
        }
        case 'i': sqlite3_bind_int64(q, i + 1, va_arg(ap, int64_t)); break;
        case 'd': sqlite3_bind_double(q, i + 1, va_arg(ap, double)); break;
        default: sqlite3_bind_null(q, i + 1); break;
        }
    }
    va_end(ap);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) return SQLITE_OK;
    /* A constraint (e.g. a learner deleted here) only skips this change. */
    if ((rc & 0xff) == SQLITE_CONSTRAINT) return SQLITE_OK;
    return sqlite3_extended_errcode(c->s->db);
}

static const char *jstr(json_t *o, const char *path)
{
    /* path: dot-separated object keys */
    char key[64];
    const char *p = path;
    while (o && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len >= sizeof key) return NULL;
        memcpy(key, p, len);
        key[len] = 0;
        o = json_object_get(o, key);
        p += len + (dot ? 1 : 0);
    }
    return json_is_string(o) ? json_string_value(o) : NULL;
}

static bool jnum(json_t *o, const char *key, double *out)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (!json_is_number(v)) return false;
    *out = json_number_value(v);
    return true;
}

/* Creates the learner from a statement's actor; on a name clash, "Name (2)". */
static int merge_create_learner(MergeCtx *c, const char *id, json_t *st)
{
    const char *name = jstr(st, "actor.name");
    char fallback[32];
    snprintf(fallback, sizeof fallback, "Learner %.8s", id);
    if (!name || !*name) name = fallback;
    for (int k = 1; k < 100; k++) {
        char *try = k == 1 ? xstrdup(name) : xasprintf("%s (%d)", name, k);
        char *clean = NULL, *key = NULL;
        if (!check_name(try, &clean, &key, NULL)) {
            free(try);
            if (name == fallback) return SQLITE_OK;
            name = fallback;
            k = 0;
            continue;
        }
        free(try);
        sqlite3_stmt *q = c->q[M_LEARNER_ADD];
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, clean, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, now_ms());
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE) rc = sqlite3_extended_errcode(c->s->db);
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
        free(clean);
        free(key);
        if (rc == SQLITE_DONE) return SQLITE_OK;
        if ((rc & 0xff) != SQLITE_CONSTRAINT) return rc; /* else: name taken, try the next */
    }
    return SQLITE_OK;
}

/* Applies one new statement to its learner's progress. Returns an SQLite
 * code; *applied says whether it was a statement Outpost understands. */
static int merge_apply(MergeCtx *c, const MergeItem *it, bool *applied)
{
    *applied = false;
    json_t *st = it->st;
    const char *verb = it->verb_iri + strlen(ADL_VERB);
    char *seg[3];
    int nseg = split_activity(jstr(st, "object.id"), seg);
    if (nseg == 0) return SQLITE_OK;
    json_t *ctx = json_object_get(st, "context"), *res = json_object_get(st, "result");
    const char *version = jstr(st, "context.revision");
    if (!version) version = "";
    const char *reg = ctx ? jstr(ctx, "registration") : NULL;
    const char *L = it->learner;
    int64_t T = it->ts;
    int rc = merge_run(c, M_LL_ENSURE, "ttt", L, seg[0], version);
    if (rc != SQLITE_OK) goto done;
    *applied = true;
    if (strcmp(verb, "launched") == 0 && nseg == 1) {
        rc = merge_run(c, M_LAUNCH, "ttit", L, seg[0], T, version);
    } else if (strcmp(verb, "experienced") == 0 && nseg == 2) {
        rc = merge_run(c, M_SEEN, "tttti", L, seg[0], seg[1], version, T);
    } else if (strcmp(verb, "progressed") == 0 && nseg == 1) {
        json_t *ext = res ? json_object_get(res, "extensions") : NULL;
        json_t *pos = ext ? json_object_get(ext, EXT_POSITION) : NULL;
        char *pseg[3];
        int pn = split_activity(json_is_string(pos) ? json_string_value(pos) : NULL, pseg);
        if (pn == 2 && strcmp(pseg[0], seg[0]) == 0)
            rc = merge_run(c, M_POSITION, "tttitt", L, seg[0], pseg[1], T, it->id,
                           jstr(st, "object.id"));
        else
            *applied = false;
        for (int i = 0; i < pn; i++) free(pseg[i]);
    } else if (strcmp(verb, "completed") == 0 && nseg == 1) {
        rc = merge_run(c, M_COMPLETE, "ttit", L, seg[0], T, version);
    } else if (reg && is_uuid_text(reg) && nseg >= 2 &&
               (strcmp(verb, "attempted") == 0 || strcmp(verb, "answered") == 0 ||
                strcmp(verb, "passed") == 0 || strcmp(verb, "failed") == 0)) {
        rc = merge_run(c, M_ATTEMPT, "ttttti", reg, L, seg[0], version, seg[1], T);
        json_t *score = res ? json_object_get(res, "score") : NULL;
        double raw = 0, min = 0, max = 0, scaled = 0;
        bool has_raw = jnum(score, "raw", &raw), has_max = jnum(score, "max", &max);
        jnum(score, "min", &min);
        bool has_scaled = jnum(score, "scaled", &scaled);
        json_t *success = res ? json_object_get(res, "success") : NULL;
        bool ok = json_is_true(success);
        if (rc == SQLITE_OK && strcmp(verb, "answered") == 0 && nseg == 3) {
            const char *resp = res ? jstr(res, "response") : NULL;
            if (has_raw && has_max)
                rc = merge_run(c, M_ANSWER, "tttddiit", reg, seg[2], resp, raw, max, (int64_t)ok,
                               T, L);
            else
                rc = merge_run(c, M_ANSWER, "tttnniit", reg, seg[2], resp, (int64_t)ok, T, L);
        } else if (rc == SQLITE_OK && (verb[0] == 'p' || verb[0] == 'f') && nseg == 2) {
            int64_t dur = parse_duration_ms(res ? jstr(res, "duration") : NULL);
            if (!has_scaled && has_raw && max > min) scaled = (raw - min) / (max - min);
            bool passed = verb[0] == 'p';
            sqlite3_stmt *q = c->q[M_FINISH];
            sqlite3_bind_text(q, 1, reg, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 2, T);
            if (dur >= 0) sqlite3_bind_int64(q, 3, dur);
            if (has_raw) {
                sqlite3_bind_double(q, 4, raw);
                sqlite3_bind_double(q, 5, min);
                sqlite3_bind_double(q, 6, max);
            }
            if (has_raw || has_scaled) sqlite3_bind_double(q, 7, scaled);
            sqlite3_bind_int(q, 8, passed);
            sqlite3_bind_text(q, 9, L, -1, SQLITE_STATIC);
            rc = sqlite3_step(q);
            bool finished = rc == SQLITE_DONE && sqlite3_changes(c->s->db) > 0;
            rc = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(c->s->db);
            sqlite3_reset(q);
            sqlite3_clear_bindings(q);
            if (rc == SQLITE_OK && finished) {
                /* The same best-score rule as a local finish. */
                sqlite3_stmt *b = stmt(c->s, Q_BEST_UPSERT);
                if (!b) {
                    rc = SQLITE_ERROR;
                } else {
                    sqlite3_bind_text(b, 1, L, -1, SQLITE_STATIC);
                    sqlite3_bind_text(b, 2, seg[0], -1, SQLITE_STATIC);
                    sqlite3_bind_text(b, 3, seg[1], -1, SQLITE_STATIC);
                    sqlite3_bind_double(b, 4, scaled);
                    if (has_raw) sqlite3_bind_double(b, 5, raw);
                    if (has_raw) sqlite3_bind_double(b, 6, max);
                    sqlite3_bind_int(b, 7, passed);
                    sqlite3_bind_int64(b, 8, T);
                    rc = sqlite3_step(b);
                    rc = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(c->s->db);
                    sqlite3_reset(b);
                    sqlite3_clear_bindings(b);
                }
            }
        }
    } else {
        *applied = false;
    }
done:
    for (int i = 0; i < nseg; i++) free(seg[i]);
    return rc;
}

bool store_merge_statements(Store *s, json_t *const *statements, int n, StoreMergeMode mode,
                            const char *create_learner_id, StoreMergeReport *rep, Error *err)
{
    StoreMergeReport r = {0};
    if (rep) *rep = r;
    if (!s || !s->db) return no_store(err);
    if (s->read_only) return error_set(err, "%s", store_degraded_reason(s));
    if (s->n_pending) flush_pending(s);
    MergeItem *items = xcalloc((size_t)(n > 0 ? n : 1), sizeof *items);
    int m = 0;
    for (int i = 0; i < n; i++) {
        json_t *st = statements[i];
        const char *id = json_is_object(st) ? jstr(st, "id") : NULL;
        const char *verb = json_is_object(st) ? jstr(st, "verb.id") : NULL;
        if (!id || !is_uuid_text(id) || !verb || !json_is_object(json_object_get(st, "actor")) ||
            !json_is_object(json_object_get(st, "object"))) {
            r.invalid++;
            continue;
        }
        /* Outpost's own statements are lower case; the LRS compares ids
         * as UUIDs, so compare them the same way here. */
        MergeItem *it = &items[m++];
        it->st = st;
        it->id = id;
        it->verb_iri = verb;
        const char *learner = jstr(st, "actor.account.name");
        it->learner = learner ? learner : "";
        if (!store_parse_timestamp(jstr(st, "timestamp"), &it->ts) &&
            !store_parse_timestamp(jstr(st, "stored"), &it->ts))
            it->ts = now_ms();
    }
    qsort(items, (size_t)m, sizeof *items, cmp_merge_item);

    MergeCtx c = {.s = s};
    int rc = SQLITE_OK;
    for (int i = 0; i < M_COUNT && rc == SQLITE_OK; i++)
        if (sqlite3_prepare_v2(s->db, g_merge_sql[i], -1, &c.q[i], NULL) != SQLITE_OK)
            rc = sqlite3_extended_errcode(s->db);
    if (rc == SQLITE_OK && exec(s, "BEGIN IMMEDIATE") != SQLITE_OK)
        rc = sqlite3_extended_errcode(s->db);
    int64_t t = now_ms();
    bool created = false;
    for (int i = 0; rc == SQLITE_OK && i < m; i++) {
        MergeItem *it = &items[i];
        /* Keep the statement as it was sent: the LRS adds these itself. */
        json_t *copy = json_copy(it->st);
        json_object_del(copy, "stored");
        json_object_del(copy, "authority");
        json_object_del(copy, "version");
        char *text = json_dumps(copy, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(copy);
        const char *vshort = strncmp(it->verb_iri, ADL_VERB, strlen(ADL_VERB)) == 0
                                 ? it->verb_iri + strlen(ADL_VERB)
                                 : it->verb_iri;
        char lid[STORE_ID_SIZE];
        snprintf(lid, sizeof lid, "%s", it->id);
        for (char *p = lid; *p; p++)
            if (*p >= 'A' && *p <= 'F') *p = (char)(*p + 32);
        sqlite3_stmt *q = c.q[M_OUTBOX_ADD];
        sqlite3_bind_text(q, 1, lid, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, it->learner, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, vshort, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, it->ts);
        sqlite3_bind_text(q, 5, text ? text : "{}", -1, SQLITE_STATIC);
        if (mode == STORE_MERGE_DELIVERED) sqlite3_bind_int64(q, 6, t);
        rc = sqlite3_step(q);
        bool added = rc == SQLITE_DONE && sqlite3_changes(s->db) > 0;
        rc = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(s->db);
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
        free(text);
        if (rc != SQLITE_OK) break;
        if (!added) {
            r.known++;
            rc = merge_run(&c, M_OUTBOX_SEEN, "tii", lid, t, (int64_t)(mode == STORE_MERGE_DELIVERED));
            continue;
        }
        r.added++;
        if (!cached_learner(s, it->learner) && create_learner_id &&
            strcmp(create_learner_id, it->learner) == 0 && !created) {
            rc = merge_create_learner(&c, it->learner, it->st);
            if (rc != SQLITE_OK) break;
            created = true;
            r.learners_created++;
            load_learners(s, NULL); /* the cache is read inside the transaction */
        }
        if (!cached_learner(s, it->learner) ||
            strncmp(it->verb_iri, ADL_VERB, strlen(ADL_VERB)) != 0)
            continue;
        bool applied;
        rc = merge_apply(&c, it, &applied);
        if (applied) r.applied++;
    }
    if (rc == SQLITE_OK && exec(s, "COMMIT") != SQLITE_OK) rc = sqlite3_extended_errcode(s->db);
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(s->db)) exec(s, "ROLLBACK");
    for (int i = 0; i < M_COUNT; i++) sqlite3_finalize(c.q[i]);
    free(items);
    /* Attempts may have been finished elsewhere; learners may be new. */
    for (int i = 0; i < ATTEMPT_CACHE; i++) attempt_info_free(&s->attempts[i]);
    load_learners(s, NULL);
    if (rc != SQLITE_OK) {
        if (rep) memset(rep, 0, sizeof *rep);
        return error_set(err, "could not merge the statements: %s", plain_reason(s, rc));
    }
    if (rep) *rep = r;
    return true;
}
