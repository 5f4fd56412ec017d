/* sync: see sync.h and docs/sync.md. Layout: saved settings, the HTTP
 * client (one libcurl handle, kept alive), push with retry and bisection,
 * pull, and `outpost sync`. */
#include "sync.h"

#include "cli.h"
#include "paths.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int g_backoff_ms = 500;
void sync_test_set_backoff_ms(int ms) { g_backoff_ms = ms > 0 ? ms : 500; }

/* ------------------------------------------------------------------------ */
/* Saved settings: DATA/lrs.conf, "key=value" lines, mode 0600.             */

typedef struct SavedConfig {
    char *url, *user, *password, *token; /* heap or NULL */
} SavedConfig;

static void saved_free(SavedConfig *c)
{
    free(c->url);
    if (c->password) sodium_memzero(c->password, strlen(c->password));
    if (c->token) sodium_memzero(c->token, strlen(c->token));
    free(c->user);
    free(c->password);
    free(c->token);
    memset(c, 0, sizeof *c);
}

static char *config_path(void) { return xasprintf("%s/%s", paths_data_dir(), SYNC_CONFIG_FILE); }

/* Missing file: true with everything NULL. */
static bool saved_load(SavedConfig *c, Error *err)
{
    memset(c, 0, sizeof *c);
    char *path = config_path();
    if (!path_is_file(path)) {
        free(path);
        return true;
    }
    char *text;
    size_t len;
    if (!file_read_all(path, 1 << 16, &text, &len, err)) {
        free(path);
        return false;
    }
    free(path);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq || line[0] == '#') continue;
        *eq = 0;
        char **slot = strcmp(line, "url") == 0        ? &c->url
                      : strcmp(line, "user") == 0     ? &c->user
                      : strcmp(line, "password") == 0 ? &c->password
                      : strcmp(line, "token") == 0    ? &c->token
                                                      : NULL;
        if (slot && eq[1]) {
            free(*slot);
            *slot = xstrdup(eq + 1);
        }
    }
    sodium_memzero(text, len);
    free(text);
    return true;
}

/* Writes the settings readable by the user only: created 0600 before any
 * secret is written, then renamed over the old file. */
static bool saved_store(const SyncOptions *o, Error *err)
{
    const char *vals[] = {o->url, o->user, o->password, o->token};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        if (vals[i] && (strchr(vals[i], '\n') || strchr(vals[i], '\r')))
            return error_set(err, "settings cannot contain line breaks");
    if (!paths_ensure_data_dir(err)) return false;
    char *path = config_path();
    char *tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp); /* mkstemp makes it 0600 */
    bool ok = fd >= 0;
    if (ok) {
        Buf b = {0};
        buf_puts(&b, "# Outpost LRS settings (outpost sync --save). Keep private.\n");
        buf_printf(&b, "url=%s\n", o->url);
        if (o->user) buf_printf(&b, "user=%s\n", o->user);
        if (o->password) buf_printf(&b, "password=%s\n", o->password);
        if (o->token) buf_printf(&b, "token=%s\n", o->token);
        ok = fchmod(fd, 0600) == 0 && write(fd, b.data, b.len) == (ssize_t)b.len &&
             fsync(fd) == 0;
        sodium_memzero(b.data, b.len);
        buf_free(&b);
        ok = close(fd) == 0 && ok;
        ok = ok && rename(tmp, path) == 0;
    }
    if (!ok) {
        error_set(err, "cannot save the LRS settings in %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(path);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* HTTP                                                                     */

typedef struct Http {
    CURL *h;
    struct curl_slist *post_headers, *get_headers;
    char *base;          /* URL without the trailing '/' */
    Buf body;            /* response body */
    long status;
    double retry_after_s; /* from a 429/503, or 0 */
    char curl_error[CURL_ERROR_SIZE];
    const SyncOptions *o;
    int64_t bytes_up;
    int requests;
} Http;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    Buf *b = ud;
    if (b->len + size * n > (64u << 20)) return 0; /* a sane LRS never sends 64 MB */
    buf_append(b, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    Http *h = ud;
    size_t len = size * n;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        double v = strtod(p + 12, NULL); /* HTTP dates are rare here: ignored */
        h->retry_after_s = v > 0 ? v : 0;
    }
    return len;
}

/* The URL as it may be shown: any "user:password@" is hidden. */
static char *mask_url(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *start = scheme ? scheme + 3 : url;
    const char *at = strchr(start, '@');
    const char *slash = strchr(start, '/');
    if (!at || (slash && at > slash)) return xstrdup(url);
    return xasprintf("%.*s***@%s", (int)(start - url), url, at + 1);
}

static void http_close(Http *h)
{
    if (h->h) curl_easy_cleanup(h->h);
    curl_slist_free_all(h->post_headers);
    curl_slist_free_all(h->get_headers);
    free(h->base);
    buf_free(&h->body);
    memset(h, 0, sizeof *h);
}

static bool http_open(Http *h, const SyncOptions *o, Error *err)
{
    memset(h, 0, sizeof *h);
    h->o = o;
    if (!o->url || (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0))
        return error_set(err, "the LRS address must start with http:// or https:// (got \"%s\")",
                         o->url ? o->url : "");
    static bool inited;
    if (!inited) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
            return error_set(err, "cannot start the network library");
        inited = true;
    }
    h->h = curl_easy_init();
    if (!h->h) return error_set(err, "cannot start the network library");
    h->base = xstrdup(o->url);
    for (size_t n = strlen(h->base); n && h->base[n - 1] == '/'; n--) h->base[n - 1] = 0;
    const char *ver = "X-Experience-API-Version: 1.0.3";
    h->post_headers = curl_slist_append(NULL, ver);
    h->post_headers = curl_slist_append(h->post_headers, "Content-Type: application/json");
    /* No "Expect: 100-continue" round trip before each batch. */
    h->post_headers = curl_slist_append(h->post_headers, "Expect:");
    h->get_headers = curl_slist_append(NULL, ver);
    CURL *c = h->h;
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_error);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &h->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    /* Same handle for every request: the connection (and TLS session) is
     * kept alive between batches. */
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    /* Let the LRS compress its answers (pulls are large). */
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(o->timeout_s > 0 ? o->timeout_s : 120));
    /* A stalled link: less than 1 byte/s for 20 s (or the whole timeout if
     * that is shorter) is a failure to retry, not a hang. */
    long stall = o->timeout_s > 0 && o->timeout_s < 20 ? o->timeout_s : 20;
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Outpost/" OUTPOST_VERSION);
    if (o->token) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
        curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, o->token);
    } else if (o->user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, o->password ? o->password : "");
    }
    return true;
}

typedef enum { HTTP_OK, HTTP_RETRY, HTTP_FAIL } HttpClass;

/* One request. body NULL: GET url. Returns CURLE_OK or the transport error
 * (then h->status is 0). */
static CURLcode http_do(Http *h, const char *url, const char *body, size_t len)
{
    CURL *c = h->h;
    buf_free(&h->body);
    h->status = 0;
    h->retry_after_s = 0;
    h->curl_error[0] = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (body) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 0L);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->post_headers);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->get_headers);
    }
    double t0 = time_now_ms();
    CURLcode rc = curl_easy_perform(c);
    h->requests++;
    long req_size = 0;
    curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &req_size);
    h->bytes_up += req_size + (body ? (int64_t)len : 0);
    if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
    if (h->o->verbose) {
        char *shown = mask_url(url);
        if (rc == CURLE_OK)
            fprintf(stderr, "outpost: %s %s -> %ld (%zu bytes up, %zu down, %.0f ms)\n",
                    body ? "POST" : "GET", shown, h->status, body ? len : 0, h->body.len,
                    time_now_ms() - t0);
        else
            fprintf(stderr, "outpost: %s %s -> %s\n", body ? "POST" : "GET", shown,
                    h->curl_error[0] ? h->curl_error : curl_easy_strerror(rc));
        free(shown);
    }
    return rc;
}

/* Sentence for a failed request, for the officer. */
static void describe_failure(Http *h, CURLcode rc, char *out, size_t size)
{
    if (rc != CURLE_OK) {
        const char *why = rc == CURLE_OPERATION_TIMEDOUT ? "the connection timed out"
                          : rc == CURLE_COULDNT_RESOLVE_HOST
                              ? "the LRS address could not be found (no network?)"
                          : rc == CURLE_COULDNT_CONNECT ? "could not connect to the LRS"
                          : rc == CURLE_SSL_CACERT || rc == CURLE_PEER_FAILED_VERIFICATION
                              ? "the LRS's certificate could not be verified"
                              : "the connection failed";
        snprintf(out, size, "%s (%s)", why, h->curl_error[0] ? h->curl_error : curl_easy_strerror(rc));
    } else if (h->status == 429) {
        snprintf(out, size, "the LRS is busy (429 Too Many Requests)");
    } else if (h->status >= 500) {
        snprintf(out, size, "the LRS had an internal problem (HTTP %ld)", h->status);
    } else if (h->status == 401 || h->status == 403) {
        snprintf(out, size, "the LRS refused the credentials (HTTP %ld); check the user and "
                            "password or token (outpost sync --save)", h->status);
    } else if (h->status == 404) {
        snprintf(out, size, "the LRS address looks wrong (HTTP 404); it usually ends in "
                            "/xAPI or /data/xAPI");
    } else {
        snprintf(out, size, "the LRS answered HTTP %ld", h->status);
    }
}

static bool retryable(CURLcode rc, long status)
{
    if (rc != CURLE_OK) return rc != CURLE_URL_MALFORMAT && rc != CURLE_UNSUPPORTED_PROTOCOL;
    return status == 429 || status == 408 || status >= 500;
}

/* Waits before retry number k (1, 2, ...): exponential with jitter so that
 * many posts coming back online do not hammer the LRS together; honours a
 * Retry-After up to a minute. */
static void backoff(const Http *h, int k)
{
    double ms = g_backoff_ms;
    for (int i = 1; i < k && ms < 30000; i++) ms *= 2;
    if (ms > 30000) ms = 30000;
    ms = ms / 2 + (double)randombytes_uniform((uint32_t)(ms / 2) + 1); /* 50-100% */
    if (h->retry_after_s > 0) {
        double ra = h->retry_after_s * 1000;
        ms = ra > 60000 ? 60000 : ra > ms ? ra : ms;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)((int64_t)ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* The LRS's reason for a 400, short: its "message", or its warnings. */
static void lrs_reason(const Buf *body, long status, char *out, size_t size)
{
    json_error_t je;
    json_t *j = body->len ? json_loadb(body->data, body->len, 0, &je) : NULL;
    Buf b = {0};
    const char *msg = j ? json_string_value(json_object_get(j, "message")) : NULL;
    json_t *warn = j ? json_object_get(j, "warnings") : NULL;
    if (msg) buf_puts(&b, msg);
    for (size_t i = 0; json_is_array(warn) && i < json_array_size(warn) && i < 3; i++) {
        json_t *w = json_array_get(warn, i);
        const char *t = json_is_string(w) ? json_string_value(w)
                                          : json_string_value(json_object_get(w, "message"));
        if (!t) continue;
        if (b.len) buf_puts(&b, "; ");
        buf_puts(&b, t);
    }
    if (!b.len && body->len && !j) buf_append(&b, body->data, body->len < 200 ? body->len : 200);
    if (!b.len) buf_printf(&b, "HTTP %ld with no reason given", status);
    /* One line, no control characters. */
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)b.data[i] < 0x20) b.data[i] = ' ';
    snprintf(out, size, "HTTP %ld: %s", status, buf_cstr(&b));
    buf_free(&b);
    json_decref(j);
}

/* ------------------------------------------------------------------------ */
/* Push                                                                     */

typedef struct Push {
    Store *s;
    Http http;
    SyncReport *rep;
    int64_t total;       /* waiting at the start, for the progress bar */
    int fails_in_row;
    int max_tries;
    bool bar;
    Error *err;
} Push;

static void draw_bar(Push *p, bool final)
{
    if (!p->bar) return;
    int64_t done = p->rep->sent + p->rep->already + p->rep->rejected;
    int64_t total = p->total > 0 ? p->total : 1;
    int w = 30, fill = (int)(w * (done > total ? total : done) / total);
    fprintf(stderr, "\rsending [%.*s%*s] %lld/%lld", fill, "##############################",
            w - fill, "", (long long)done, (long long)p->total);
    if (final) fputc('\n', stderr);
    fflush(stderr);
}

enum { PUSH_OK, PUSH_STOP, PUSH_FATAL };

/* Sends rows[0..n) as one request, splitting on 400/409/413 down to single
 * statements so one bad statement never blocks the others. */
static int push_rows(Push *p, StoreOutboxRow *rows, int n)
{
    Buf body = {0};
    buf_putc(&body, '[');
    for (int i = 0; i < n; i++) {
        if (i) buf_putc(&body, ',');
        buf_puts(&body, rows[i].statement);
    }
    buf_putc(&body, ']');
    char *url = xasprintf("%s/statements", p->http.base);
    const char **ids = xmalloc((size_t)n * sizeof *ids);
    for (int i = 0; i < n; i++) ids[i] = rows[i].id;
    int result = PUSH_OK;
    for (;;) {
        CURLcode rc = http_do(&p->http, url, body.data, body.len);
        long st = p->http.status;
        if (rc == CURLE_OK && (st == 200 || st == 204 || (st == 409 && n == 1))) {
            p->fails_in_row = 0;
            if (!store_outbox_mark_delivered(p->s, ids, n, p->err)) {
                result = PUSH_FATAL;
            } else if (st == 409) {
                p->rep->already += n;
            } else {
                p->rep->sent += n;
            }
            break;
        }
        if (rc == CURLE_OK && (st == 400 || st == 409 || st == 413)) {
            p->fails_in_row = 0;
            if (n > 1) {
                int half = n / 2;
                result = push_rows(p, rows, half);
                if (result == PUSH_OK) result = push_rows(p, rows + half, n - half);
            } else {
                char reason[512];
                if (st == 413)
                    snprintf(reason, sizeof reason, "HTTP 413: the statement is too large for the LRS");
                else
                    lrs_reason(&p->http.body, st, reason, sizeof reason);
                if (!store_outbox_mark_rejected(p->s, rows[0].id, reason, p->err))
                    result = PUSH_FATAL;
                else
                    p->rep->rejected++;
            }
            break;
        }
        char why[400];
        describe_failure(&p->http, rc, why, sizeof why);
        if (!retryable(rc, st)) {
            snprintf(p->rep->problem, sizeof p->rep->problem, "%s", why);
            p->rep->gave_up = true;
            result = PUSH_FATAL;
            error_set(p->err, "%s", why);
            break;
        }
        store_outbox_note_failure(p->s, ids, n, why, NULL);
        if (++p->fails_in_row >= p->max_tries) {
            snprintf(p->rep->problem, sizeof p->rep->problem,
                     "gave up after %d tries in a row: %s; run outpost sync again later",
                     p->fails_in_row, why);
            p->rep->gave_up = true;
            result = PUSH_STOP;
            break;
        }
        if (p->http.o->verbose)
            fprintf(stderr, "outpost: %s; trying again (%d of %d)\n", why, p->fails_in_row + 1,
                    p->max_tries);
        p->rep->retries++;
        backoff(&p->http, p->fails_in_row);
    }
    free(ids);
    free(url);
    buf_free(&body);
    draw_bar(p, false);
    return result;
}

bool sync_push(Store *s, const SyncOptions *o, SyncReport *rep, Error *err)
{
    memset(rep, 0, sizeof *rep);
    Push p = {.s = s, .rep = rep, .err = err};
    p.max_tries = o->tries > 0 ? o->tries : SYNC_TRIES_DEFAULT;
    int batch = o->batch > 0 ? o->batch : SYNC_BATCH_DEFAULT;
    StoreOutboxCounts counts;
    if (!store_outbox_counts(s, &counts, err)) return false;
    p.total = counts.waiting;
    if (!http_open(&p.http, o, err)) return false;
    p.bar = o->progress && p.total > 0;
    int64_t after = 0;
    int result = PUSH_OK;
    while (result == PUSH_OK) {
        StoreOutboxRow *rows;
        int n;
        if (!store_outbox_list(s, STORE_OUTBOX_UNDELIVERED, after, batch, &rows, &n, err)) {
            result = PUSH_FATAL;
            break;
        }
        if (n == 0) break;
        /* Keep a request under ~2 MB whatever the batch size. */
        int take = 0;
        size_t bytes = 0;
        while (take < n && (take == 0 || bytes + strlen(rows[take].statement) < (2u << 20)))
            bytes += strlen(rows[take++].statement) + 1;
        after = rows[take - 1].seq;
        result = push_rows(&p, rows, take);
        store_outbox_rows_free(rows, n);
    }
    draw_bar(&p, true);
    rep->requests = p.http.requests;
    rep->bytes_up = p.http.bytes_up;
    http_close(&p.http);
    if (store_outbox_counts(s, &counts, NULL)) rep->left = counts.waiting;
    return result != PUSH_FATAL;
}

/* ------------------------------------------------------------------------ */
/* Pull                                                                     */

/* UTC ISO 8601 with milliseconds. */
static void utc_stamp(int64_t ms, char out[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char d[32];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%s.%03dZ", d, (int)(ms % 1000));
}

/* The `more` link made absolute: it is relative to the LRS's host. */
static char *resolve_more(const char *base, const char *more)
{
    if (strncmp(more, "http://", 7) == 0 || strncmp(more, "https://", 8) == 0)
        return xstrdup(more);
    const char *host = strstr(base, "://");
    host = host ? host + 3 : base;
    const char *path = strchr(host, '/');
    size_t origin = path ? (size_t)(path - base) : strlen(base);
    if (more[0] == '/') return xasprintf("%.*s%s", (int)origin, base, more);
    return xasprintf("%s/%s", base, more);
}

/* Fetches one agent's statements since `since` and merges them; *max_stored
 * is raised to the newest `stored` seen. */
static bool pull_agent(Store *s, Http *h, const char *agent_json, const char *since,
                       const char *learner_id, SyncPullReport *rep, int64_t *max_stored,
                       Error *err)
{
    char *a = curl_easy_escape(h->h, agent_json, 0);
    char *url = since ? xasprintf("%s/statements?agent=%s&since=%s&limit=500", h->base, a, since)
                      : xasprintf("%s/statements?agent=%s&limit=500", h->base, a);
    curl_free(a);
    bool ok = true;
    int fails = 0, max_tries = h->o->tries > 0 ? h->o->tries : SYNC_TRIES_DEFAULT;
    for (int page = 0; url && ok; page++) {
        if (page > 100000) {
            ok = error_set(err, "the LRS keeps sending more pages; stopped");
            break;
        }
        CURLcode rc = http_do(h, url, NULL, 0);
        if (rc != CURLE_OK || h->status != 200) {
            char why[400];
            describe_failure(h, rc, why, sizeof why);
            if (retryable(rc, h->status) && ++fails < max_tries) {
                backoff(h, fails);
                page--;
                continue;
            }
            if (rc == CURLE_OK && h->status == 400) {
                char reason[400];
                lrs_reason(&h->body, h->status, reason, sizeof reason);
                ok = error_set(err, "the LRS refused the query for statements: %s", reason);
            } else {
                ok = error_set(err, "%s", why);
            }
            break;
        }
        fails = 0;
        rep->pages++;
        json_error_t je;
        json_t *j = json_loadb(h->body.data ? h->body.data : "", h->body.len, 0, &je);
        json_t *list = j ? json_object_get(j, "statements") : NULL;
        if (!json_is_array(list)) {
            json_decref(j);
            ok = error_set(err, "the LRS's answer is not a statement list (%s)",
                           j ? "no \"statements\"" : je.text);
            break;
        }
        size_t n = json_array_size(list);
        json_t **items = xcalloc(n ? n : 1, sizeof *items);
        for (size_t i = 0; i < n; i++) {
            items[i] = json_array_get(list, i);
            int64_t st;
            const char *stored = json_string_value(json_object_get(items[i], "stored"));
            if (store_parse_timestamp(stored, &st) && st > *max_stored) *max_stored = st;
        }
        rep->received += (int)n;
        StoreMergeReport m;
        ok = store_merge_statements(s, items, (int)n, STORE_MERGE_DELIVERED, learner_id, &m, err);
        free(items);
        if (ok) {
            rep->merge.added += m.added;
            rep->merge.known += m.known;
            rep->merge.applied += m.applied;
            rep->merge.invalid += m.invalid;
            rep->merge.learners_created += m.learners_created;
        }
        const char *more = json_string_value(json_object_get(j, "more"));
        char *next = ok && more && *more && n > 0 ? resolve_more(h->base, more) : NULL;
        if (next && strcmp(next, url) == 0) { /* a link to itself would never end */
            free(next);
            next = NULL;
        }
        free(url);
        url = next;
        json_decref(j);
    }
    free(url);
    return ok;
}

bool sync_pull(Store *s, const SyncOptions *o, const char *learner_id, SyncPullReport *rep,
               Error *err)
{
    memset(rep, 0, sizeof *rep);
    Http h;
    if (!http_open(&h, o, err)) return false;
    char **pages = NULL;
    int n_pages = 0;
    bool ok = store_learner_home_pages(s, learner_id, &pages, &n_pages, err);
    char *key = xasprintf("since.%s", learner_id);
    char *since_ms = NULL;
    if (ok) ok = store_sync_get(s, key, &since_ms, err);
    char since[40] = "";
    if (since_ms) {
        /* Ask a little before the last point: a statement stored while the
         * last pull ran may carry a slightly older `stored` time. Merging
         * by id makes the overlap free. */
        utc_stamp(strtoll(since_ms, NULL, 10) - 5 * 60 * 1000, since);
    }
    int64_t max_stored = since_ms ? strtoll(since_ms, NULL, 10) : 0;
    free(since_ms);
    /* One query per account home page this learner is known under. */
    for (int i = 0; ok && i < n_pages; i++) {
        json_t *agent = json_pack("{s:s, s:{s:s, s:s}}", "objectType", "Agent", "account",
                                  "homePage", pages[i], "name", learner_id);
        char *aj = json_dumps(agent, JSON_COMPACT);
        json_decref(agent);
        ok = pull_agent(s, &h, aj, since[0] ? since : NULL, learner_id, rep, &max_stored, err);
        free(aj);
    }
    if (ok && max_stored > 0) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)max_stored);
        ok = store_sync_set(s, key, v, err);
    }
    free(key);
    store_strings_free(pages, n_pages);
    http_close(&h);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* outpost sync                                                             */

static const char g_sync_usage[] =
    "usage: outpost sync [--lrs URL] [--user U --password P | --token T] [--save]\n"
    "                    [--home-page IRI] [--pull | --no-pull] [--learner NAME|ID]\n"
    "                    [--batch N] [--tries N] [--timeout S] [--verbose] [--data DIR]\n"
    "       outpost sync --status [--data DIR]\n"
    "Sends the recorded learning statements to the Learning Record Store (LRS),\n"
    "then fetches each learner's statements from other computers.\n"
    "  --lrs URL        the LRS's xAPI address, e.g. https://lrs.example.org/xAPI\n"
    "  --user, --password  basic authentication (the LRS's key and secret)\n"
    "  --token T        a Bearer token instead\n"
    "  --save           remember the address and credentials in the data folder\n"
    "                   (file lrs.conf, readable by you only)\n"
    "  --home-page IRI  with --save: the account home page for new statements;\n"
    "                   use the same on every computer so learners can move\n"
    "  --pull           only fetch statements (with --learner: that learner)\n"
    "  --no-pull        only send\n"
    "  --learner NAME|ID  the learner to fetch; an id (from `outpost progress\n"
    "                   --csv` on the other computer) brings a new learner here\n"
    "  --batch N        statements per request (default 100)\n"
    "  --tries N        failed requests in a row before giving up (default 8)\n"
    "  --timeout S      seconds allowed per request (default 120)\n"
    "  --status         show what is waiting, what the LRS refused and why\n"
    "  --verbose        one line per request (credentials are never shown)\n"
    "Also read: OUTPOST_LRS_PASSWORD, OUTPOST_LRS_TOKEN (keep secrets out of the\n"
    "process list). See docs/sync.md.\n";

static void fmt_local(int64_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

static int sync_status(Store *s)
{
    Error err;
    SavedConfig c;
    if (!saved_load(&c, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        return 1;
    }
    if (c.url) {
        char *shown = mask_url(c.url);
        printf("LRS: %s (%s, saved in %s/%s)\n", shown,
               c.token ? "Bearer token" : c.user ? "user and password" : "no credentials",
               paths_data_dir(), SYNC_CONFIG_FILE);
        free(shown);
    } else {
        printf("LRS: none saved (use outpost sync --lrs URL ... --save)\n");
    }
    saved_free(&c);
    printf("Account home page: %s\n", store_home_page(s));
    StoreOutboxCounts n;
    if (!store_outbox_counts(s, &n, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        return 1;
    }
    printf("Statements: %lld recorded, %lld delivered, %lld waiting", (long long)n.total,
           (long long)n.delivered, (long long)n.waiting);
    if (n.exported_waiting)
        printf(" (%lld of them already in a bundle)", (long long)n.exported_waiting);
    printf(", %lld rejected\n", (long long)n.rejected);
    if (n.oldest_waiting_ms) {
        char when[32];
        fmt_local(n.oldest_waiting_ms, when, sizeof when);
        printf("Oldest waiting: %s\n", when);
    }
    char *last = NULL;
    store_sync_get(s, "last", &last, NULL);
    if (last) printf("Last sync: %s\n", last);
    free(last);
    StoreOutboxRow *rows;
    int cnt;
    if (n.waiting) {
        /* The last error of the oldest waiting statement says why it waits. */
        if (store_outbox_list(s, STORE_OUTBOX_UNDELIVERED, 0, 1, &rows, &cnt, NULL)) {
            if (cnt && rows[0].reason) printf("Last problem: %s\n", rows[0].reason);
            store_outbox_rows_free(rows, cnt);
        }
    }
    if (n.rejected && store_outbox_list(s, STORE_OUTBOX_REJECTED, 0, 50, &rows, &cnt, &err)) {
        printf("Refused by the LRS (kept here, not sent again):\n");
        for (int i = 0; i < cnt; i++) {
            char when[32];
            fmt_local(rows[i].created_ms, when, sizeof when);
            printf("  %s  %-11s %s  %s\n", rows[i].id, rows[i].verb, when,
                   rows[i].reason ? rows[i].reason : "");
        }
        if (n.rejected > cnt) printf("  ... and %lld more\n", (long long)(n.rejected - cnt));
        store_outbox_rows_free(rows, cnt);
    }
    return 0;
}

static bool is_uuid(const char *s)
{
    if (!s || strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    return true;
}

static int pull_one(Store *s, const SyncOptions *o, const char *id, const char *label)
{
    SyncPullReport pr;
    Error err = {{0}};
    if (!sync_pull(s, o, id, &pr, &err)) {
        fprintf(stderr, "outpost: pulling %s: %s\n", label, err.msg);
        return 1;
    }
    StoreLearner l; /* show the name, also for a learner just brought here by id */
    if (store_learner_get(s, id, &l, NULL)) label = l.name;
    printf("pulled %s: %d new, %d already here%s\n", label, pr.merge.added, pr.merge.known,
           pr.merge.learners_created ? " (learner added to this computer)" : "");
    return 0;
}

int cmd_sync(int argc, char **argv)
{
    SyncOptions o = {0};
    const char *data = NULL, *learner = NULL, *home_page = NULL;
    bool save = false, status = false, pull_only = false, no_pull = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--lrs") == 0        ? &o.url
                            : strcmp(a, "--user") == 0     ? &o.user
                            : strcmp(a, "--password") == 0 ? &o.password
                            : strcmp(a, "--token") == 0    ? &o.token
                            : strcmp(a, "--data") == 0     ? &data
                            : strcmp(a, "--learner") == 0  ? &learner
                            : strcmp(a, "--home-page") == 0 ? &home_page
                                                            : NULL;
        int *num = strcmp(a, "--batch") == 0     ? &o.batch
                   : strcmp(a, "--tries") == 0   ? &o.tries
                   : strcmp(a, "--timeout") == 0 ? &o.timeout_s
                                                 : NULL;
        if (slot || num) {
            if (i + 1 >= argc) {
                fprintf(stderr, "outpost: sync: %s needs a value\n%s", a, g_sync_usage);
                return 2;
            }
            const char *v = argv[++i];
            if (slot) {
                *slot = v;
            } else {
                char *end;
                long n = strtol(v, &end, 10);
                if (*end || n < 1 || n > 100000) {
                    fprintf(stderr, "outpost: sync: %s needs a whole number, not '%s'\n", a, v);
                    return 2;
                }
                *num = (int)n;
            }
        } else if (strcmp(a, "--save") == 0) {
            save = true;
        } else if (strcmp(a, "--status") == 0) {
            status = true;
        } else if (strcmp(a, "--pull") == 0) {
            pull_only = true;
        } else if (strcmp(a, "--no-pull") == 0) {
            no_pull = true;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            o.verbose = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(g_sync_usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "outpost: sync: unknown option '%s'\n%s", a, g_sync_usage);
            return 2;
        }
    }
    if (o.batch > 1000) o.batch = 1000;
    if (data) paths_set_data_dir(data);
    const char *env_b = getenv("OUTPOST_SYNC_BACKOFF_MS");
    if (env_b) sync_test_set_backoff_ms(atoi(env_b));
    if (!o.password && getenv("OUTPOST_LRS_PASSWORD")) o.password = getenv("OUTPOST_LRS_PASSWORD");
    if (!o.token && getenv("OUTPOST_LRS_TOKEN")) o.token = getenv("OUTPOST_LRS_TOKEN");
    if (o.token && o.user) {
        fprintf(stderr, "outpost: sync: give either --user/--password or --token, not both\n");
        return 2;
    }
    if (home_page && !save) {
        fprintf(stderr, "outpost: sync: --home-page is a setting: use it with --save\n");
        return 2;
    }
    Error err = {{0}};
    SavedConfig saved = {0};
    if (!saved_load(&saved, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        return 1;
    }
    /* Command-line settings win; the saved ones fill the gaps. */
    if (!o.url) o.url = saved.url;
    if (!o.user && !o.token && !o.password) {
        o.user = saved.user;
        o.password = saved.password;
        o.token = saved.token;
    }
    int status_code = 0;
    if (!path_is_file(paths_database_file()) && status) {
        printf("No progress has been recorded yet in %s.\n", paths_data_dir());
        saved_free(&saved);
        return 0;
    }
    StoreOpenReport orep;
    Store *s = store_open(NULL, &orep, &err);
    if (!s) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        saved_free(&saved);
        return 1;
    }
    if (orep.recovered) fprintf(stderr, "outpost: %s\n", orep.message);
    if (status) {
        status_code = sync_status(s);
        goto out;
    }
    if (!o.url) {
        fprintf(stderr, "outpost: sync: no LRS given: use --lrs URL (and --save to remember it)\n");
        status_code = 2;
        goto out;
    }
    if (save) {
        if (!saved_store(&o, &err) || (home_page && !store_set_home_page(s, home_page, &err))) {
            fprintf(stderr, "outpost: %s\n", err.msg);
            status_code = 1;
            goto out;
        }
        char *shown = mask_url(o.url);
        printf("saved the LRS settings for %s\n", shown);
        free(shown);
    }
    o.progress = isatty(2);
    if (!pull_only) {
        SyncReport r;
        bool ok = sync_push(s, &o, &r, &err);
        char line[256];
        snprintf(line, sizeof line, "sent %d, already there %d, rejected %d, left %lld", r.sent,
                 r.already, r.rejected, (long long)r.left);
        printf("%s\n", line);
        if (o.verbose)
            fprintf(stderr, "outpost: %d requests (%d retries), %lld bytes sent\n", r.requests,
                    r.retries, (long long)r.bytes_up);
        if (r.rejected)
            fprintf(stderr, "outpost: the LRS refused %d statement%s: see outpost sync --status\n",
                    r.rejected, r.rejected == 1 ? "" : "s");
        if (!ok || r.gave_up) {
            fprintf(stderr, "outpost: %s\n", r.problem[0] ? r.problem : err.msg);
            status_code = 1;
        }
        char when[32], last[400];
        fmt_local((int64_t)time(NULL) * 1000, when, sizeof when);
        snprintf(last, sizeof last, "%s: %s%s%s", when, line, r.problem[0] ? "; " : "",
                 r.problem);
        store_sync_set(s, "last", last, NULL);
        if (status_code) goto out;
    }
    if (no_pull) goto out;
    if (learner) {
        StoreLearner l;
        const char *id = NULL;
        if (store_learner_find(s, learner, &l, NULL)) id = l.id;
        else if (is_uuid(learner)) id = learner;
        if (!id) {
            fprintf(stderr,
                    "outpost: sync: there is no learner \"%s\" on this computer; to bring a "
                    "learner from another computer, give their id (the learner_id column of "
                    "outpost progress --csv there)\n",
                    learner);
            status_code = 2;
            goto out;
        }
        status_code |= pull_one(s, &o, id, learner);
    } else {
        StoreLearner *list;
        int n;
        if (!store_learners(s, &list, &n, &err)) {
            fprintf(stderr, "outpost: %s\n", err.msg);
            status_code = 1;
            goto out;
        }
        for (int i = 0; i < n; i++) status_code |= pull_one(s, &o, list[i].id, list[i].name);
        free(list);
    }
out:
    store_close(s);
    saved_free(&saved);
    paths_reset();
    return status_code;
}

/* ------------------------------------------------------------------------ */
/* For the player's "Send progress" button.                                */

bool sync_is_configured(void)
{
    SavedConfig c;
    bool ok = saved_load(&c, NULL) && c.url;
    saved_free(&c);
    return ok;
}

char *sync_last(Store *s)
{
    char *last = NULL;
    store_sync_get(s, "last", &last, NULL);
    return last;
}

bool sync_saved(Store *s, const char *learner_id, char *summary, size_t size, Error *err)
{
    SavedConfig c;
    if (!saved_load(&c, err)) return false;
    if (!c.url) {
        saved_free(&c);
        return error_set(err, "no Learning Record Store is set up on this computer");
    }
    SyncOptions o = {.url = c.url, .user = c.user, .password = c.password, .token = c.token};
    SyncReport r;
    bool ok = sync_push(s, &o, &r, err) && !r.gave_up;
    snprintf(summary, size, "sent %d, already there %d, rejected %d, left %lld", r.sent,
             r.already, r.rejected, (long long)r.left);
    char when[32], last[400];
    fmt_local((int64_t)time(NULL) * 1000, when, sizeof when);
    snprintf(last, sizeof last, "%s: %s%s%s", when, summary, r.problem[0] ? "; " : "", r.problem);
    store_sync_set(s, "last", last, NULL);
    if (!ok && r.problem[0]) error_set(err, "%s", r.problem);
    if (ok && learner_id) {
        SyncPullReport pr;
        ok = sync_pull(s, &o, learner_id, &pr, err);
    }
    saved_free(&c);
    return ok;
}
