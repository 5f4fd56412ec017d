/* bundle: offline bundles of xAPI statements for the USB stick (see sync.h
 * and docs/sync.md). A bundle is a zip holding:
 *   statements.jsonl  one statement per line, deflated at level 9 (the
 *                     statements repeat a lot: ~10x smaller)
 *   manifest.json     format version, device id, learners, counts and the
 *                     SHA-256 of statements.jsonl
 * Export writes a temporary file, fsyncs it, renames it into place and only
 * then marks the statements exported, so a kill or a pulled stick at any
 * moment loses nothing (at worst the next bundle repeats some statements,
 * which import ignores by id). Import checks the whole bundle before it
 * changes anything and merges it in one transaction. */
#include "sync.h"

#include "cli.h"
#include "paths.h"

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
#include <zip.h>

#define BUNDLE_FORMAT "outpost-statements"
#define BUNDLE_PAYLOAD "statements.jsonl"
#define BUNDLE_MANIFEST "manifest.json"
/* Limits on what import reads, so a hostile file cannot exhaust memory. */
#define BUNDLE_MAX_PAYLOAD ((zip_uint64_t)1 << 30)
#define BUNDLE_MAX_MANIFEST ((zip_uint64_t)4 << 20)

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static bool fsync_path(const char *path, bool dir)
{
    int fd = open(path, O_RDONLY | (dir ? O_DIRECTORY : 0));
    if (fd < 0) return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* The file to write: `to` itself, or a new name inside `to` if it is a
 * folder (outpost-<device>-<date>-<time>.zip). Heap string. */
static char *bundle_target(Store *s, const char *to)
{
    if (!path_is_dir(to)) return xstrdup(to);
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const char *sep = str_ends_with(to, "/") ? "" : "/";
    char *path = xasprintf("%s%soutpost-%.8s-%s.zip", to, sep, store_device_id(s), stamp);
    for (int i = 2; access(path, F_OK) == 0 && i < 1000; i++) {
        free(path);
        path = xasprintf("%s%soutpost-%.8s-%s-%d.zip", to, sep, store_device_id(s), stamp, i);
    }
    return path;
}

static bool bundle_add(zip_t *za, const char *name, const char *data, size_t len, Error *err)
{
    zip_source_t *src = zip_source_buffer(za, data, len, 0);
    zip_int64_t idx = src ? zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) : -1;
    if (idx < 0) {
        if (src) zip_source_free(src);
        return error_set(err, "cannot add %s to the bundle: %s", name, zip_strerror(za));
    }
    /* Level 9: the bundle travels on a stick or a paid link; CPU is cheap. */
    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9);
    return true;
}

bool bundle_export(Store *s, const char *to, bool again, char **written, BundleReport *rep,
                   Error *err)
{
    memset(rep, 0, sizeof *rep);
    *written = NULL;
    StoreOutboxRow *rows;
    int n;
    if (!store_outbox_list(s, again ? STORE_OUTBOX_UNDELIVERED : STORE_OUTBOX_UNEXPORTED, 0, 0,
                           &rows, &n, err))
        return false;
    if (n == 0) return true;

    Buf payload = {0};
    json_t *learners = json_array(), *verbs = json_object();
    const char **ids = xmalloc((size_t)n * sizeof *ids);
    for (int i = 0; i < n; i++) {
        buf_puts(&payload, rows[i].statement);
        buf_putc(&payload, '\n');
        ids[i] = rows[i].id;
        bool seen = false;
        for (size_t k = 0; k < json_array_size(learners) && !seen; k++)
            seen = strcmp(json_string_value(json_array_get(learners, k)), rows[i].learner_id) == 0;
        if (!seen) json_array_append_new(learners, json_string(rows[i].learner_id));
        json_t *c = json_object_get(verbs, rows[i].verb);
        json_object_set_new(verbs, rows[i].verb, json_integer(c ? json_integer_value(c) + 1 : 1));
    }
    char sha[65], created[48];
    sha256_hex(payload.data, payload.len, sha);
    store_format_timestamp((int64_t)time(NULL) * 1000, created, sizeof created);
    rep->statements = n;
    rep->learners = (int)json_array_size(learners);
    json_t *man = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:o, s:o}", "format",
                            BUNDLE_FORMAT, "format_version", BUNDLE_FORMAT_VERSION, "created",
                            created, "outpost_version", OUTPOST_VERSION, "device_id",
                            store_device_id(s), "payload", BUNDLE_PAYLOAD, "statements",
                            (json_int_t)n, "payload_bytes", (json_int_t)payload.len, "sha256",
                            sha, "learners", learners, "verbs", verbs);
    char *man_text = json_dumps(man, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(man);

    char *target = bundle_target(s, to);
    char *tmp = NULL;
    bool ok = false;
    if (access(target, F_OK) == 0) {
        error_set(err, "%s already exists; choose another name (a bundle is never overwritten, "
                       "so none is lost)", target);
        goto out;
    }
    /* Next to the target, so the rename stays on the same disk. */
    tmp = xasprintf("%s.part-%ld-%08x", target, (long)getpid(), randombytes_random());
    int zerr = 0;
    zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zerr);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        error_set(err, "cannot write %s: %s", target, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        goto out;
    }
    if (!bundle_add(za, BUNDLE_PAYLOAD, payload.data, payload.len, err) ||
        !bundle_add(za, BUNDLE_MANIFEST, man_text, strlen(man_text), err)) {
        zip_discard(za);
        goto out;
    }
    if (zip_close(za) != 0) {
        error_set(err, "cannot write %s: %s", target, zip_strerror(za));
        zip_discard(za);
        unlink(tmp);
        goto out;
    }
    chmod(tmp, 0600); /* learners' records; may fail on a FAT stick, harmless */
    if (!fsync_path(tmp, false) || rename(tmp, target) != 0) {
        error_set(err, "cannot write %s: %s", target, strerror(errno));
        unlink(tmp);
        goto out;
    }
    char *dir = xstrdup(target);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    fsync_path(slash ? (*dir ? dir : "/") : ".", true);
    free(dir);
    struct stat st;
    if (stat(target, &st) == 0) rep->bytes = st.st_size;
    /* Only now that the file is safely on disk. */
    if (!store_outbox_mark_exported(s, ids, n, target, err)) {
        error_prefix(err, "%s was written but the statements could not be marked as exported "
                          "(they will be in the next bundle too, which is harmless)", target);
        goto out;
    }
    *written = target;
    target = NULL;
    ok = true;
out:
    free(target);
    free(tmp);
    free(man_text);
    free(ids);
    buf_free(&payload);
    store_outbox_rows_free(rows, n);
    return ok;
}

/* Reads one member wholly; false if missing, too large or damaged. */
static bool bundle_read(zip_t *za, const char *name, zip_uint64_t max, char **out, size_t *len,
                     bool *missing)
{
    *out = NULL;
    *missing = false;
    zip_stat_t st;
    zip_int64_t idx = zip_name_locate(za, name, 0);
    if (idx < 0 || zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE)) {
        *missing = true;
        return false;
    }
    if (st.size > max) return false;
    zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (!f) return false;
    char *buf = xmalloc(st.size + 1);
    zip_uint64_t got = 0;
    zip_int64_t r = 0;
    while (got < st.size && (r = zip_fread(f, buf + got, st.size - got)) > 0) got += (zip_uint64_t)r;
    /* One more read reaches the end, where libzip checks the CRC. */
    char extra;
    if (r >= 0 && got == st.size) r = zip_fread(f, &extra, 1);
    bool ok = zip_fclose(f) == 0 && r == 0 && got == st.size;
    if (!ok) {
        free(buf);
        return false;
    }
    buf[got] = 0;
    *out = buf;
    *len = (size_t)got;
    return true;
}

bool bundle_import(Store *s, const char *file, BundleReport *rep, Error *err)
{
    memset(rep, 0, sizeof *rep);
    const char *damaged = "%s: the bundle is damaged (%s); nothing was imported";
    struct stat fst;
    if (stat(file, &fst) != 0) return error_set(err, "%s: %s", file, strerror(errno));
    if (!S_ISREG(fst.st_mode)) return error_set(err, "%s: not a file", file);
    rep->bytes = fst.st_size;
    int zerr = 0;
    zip_t *za = zip_open(file, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!za)
        return error_set(err, damaged, file,
                         zerr == ZIP_ER_NOZIP ? "it is not a zip file, or it is incomplete"
                                              : "it is incomplete or its contents are inconsistent");
    char *man_text = NULL, *payload = NULL;
    size_t man_len = 0, len = 0;
    json_t *man = NULL;
    json_t **items = NULL;
    int n = 0;
    bool ok = false, missing;
    if (!bundle_read(za, BUNDLE_MANIFEST, BUNDLE_MAX_MANIFEST, &man_text, &man_len, &missing)) {
        if (missing)
            error_set(err, "%s is not an Outpost statements bundle (it has no %s); nothing was "
                           "imported", file, BUNDLE_MANIFEST);
        else
            error_set(err, damaged, file, "checksum mismatch");
        goto out;
    }
    json_error_t je;
    man = json_loadb(man_text, man_len, 0, &je);
    const char *format = man ? json_string_value(json_object_get(man, "format")) : NULL;
    json_t *fv = man ? json_object_get(man, "format_version") : NULL;
    if (!format || strcmp(format, BUNDLE_FORMAT) != 0 || !json_is_integer(fv)) {
        error_set(err, "%s is not an Outpost statements bundle (its %s is not one); nothing was "
                       "imported", file, BUNDLE_MANIFEST);
        goto out;
    }
    if (json_integer_value(fv) > BUNDLE_FORMAT_VERSION) {
        error_set(err, "%s was made by a newer version of Outpost (bundle format %lld; this one "
                       "reads up to %d); nothing was imported. Please update Outpost on this "
                       "computer and import it again.",
                  file, (long long)json_integer_value(fv), BUNDLE_FORMAT_VERSION);
        goto out;
    }
    const char *want_sha = json_string_value(json_object_get(man, "sha256"));
    json_t *want_n = json_object_get(man, "statements");
    if (!want_sha || !json_is_integer(want_n)) {
        error_set(err, damaged, file, "its manifest has no checksum");
        goto out;
    }
    if (!bundle_read(za, BUNDLE_PAYLOAD, BUNDLE_MAX_PAYLOAD, &payload, &len, &missing)) {
        error_set(err, damaged, file, missing ? "it has no statements file" : "checksum mismatch");
        goto out;
    }
    char sha[65];
    sha256_hex(payload, len, sha);
    if (strcmp(sha, want_sha) != 0) {
        error_set(err, damaged, file, "checksum mismatch");
        goto out;
    }
    /* Every line must be a statement before anything is merged. */
    int cap = 0;
    char *line = payload, *end = payload + len;
    for (int lineno = 1; line < end; lineno++) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        if (ll) {
            json_t *st = json_loadb(line, ll, 0, &je);
            if (!json_is_object(st) || !json_is_string(json_object_get(st, "id"))) {
                json_decref(st);
                char what[64];
                snprintf(what, sizeof what, "line %d is not a statement", lineno);
                error_set(err, damaged, file, what);
                goto out;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                items = xrealloc(items, (size_t)cap * sizeof *items);
            }
            items[n++] = st;
        }
        line += ll + 1;
    }
    if (n != json_integer_value(want_n)) {
        error_set(err, damaged, file, "the number of statements does not match its manifest");
        goto out;
    }
    rep->statements = n;
    rep->learners = (int)json_array_size(json_object_get(man, "learners"));
    if (!store_merge_statements(s, items, n, STORE_MERGE_UNSENT, NULL, &rep->merge, err)) {
        error_prefix(err, "%s: nothing was imported", file);
        goto out;
    }
    ok = true;
out:
    for (int i = 0; i < n; i++) json_decref(items[i]);
    free(items);
    json_decref(man);
    free(man_text);
    free(payload);
    zip_discard(za);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* outpost export / outpost import                                          */

static const char g_export_usage[] =
    "usage: outpost export --to FILE|FOLDER [--again] [--data DIR]\n"
    "Writes the learning statements not yet sent nor exported to a bundle (a zip\n"
    "file) to carry to the training centre, e.g. on a USB stick. Given a folder,\n"
    "the bundle gets a new name there. An existing file is never overwritten.\n"
    "  --again   also include statements already exported but not yet confirmed\n"
    "            by the LRS (e.g. the stick was lost)\n";

static const char g_import_usage[] =
    "usage: outpost import FILE... [--data DIR]\n"
    "Checks each bundle made by `outpost export` and adds its statements to this\n"
    "computer (importing a bundle twice changes nothing); `outpost sync` then sends\n"
    "them to the LRS. A damaged bundle is refused as a whole.\n";

static Store *open_store(void)
{
    Error err;
    StoreOpenReport rep;
    Store *s = store_open(NULL, &rep, &err);
    if (!s) fprintf(stderr, "outpost: %s\n", err.msg);
    else if (rep.recovered) fprintf(stderr, "outpost: %s\n", rep.message);
    return s;
}

int cmd_export(int argc, char **argv)
{
    const char *to = NULL, *data = NULL;
    bool again = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--to") == 0 || strcmp(a, "--data") == 0 || strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "outpost: export: %s needs a value\n%s", a, g_export_usage);
                return 2;
            }
            *(strcmp(a, "--data") == 0 ? &data : &to) = argv[++i];
        } else if (strcmp(a, "--again") == 0) {
            again = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(g_export_usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "outpost: export: unknown option '%s'\n%s", a, g_export_usage);
            return 2;
        }
    }
    if (!to) {
        fprintf(stderr, "outpost: export: say where with --to FILE\n%s", g_export_usage);
        return 2;
    }
    if (data) paths_set_data_dir(data);
    int status = 0;
    if (!path_is_file(paths_database_file())) {
        printf("nothing to export: no progress has been recorded in %s\n", paths_data_dir());
        paths_reset();
        return 0;
    }
    Store *s = open_store();
    if (!s) {
        paths_reset();
        return 1;
    }
    Error err = {{0}};
    BundleReport r;
    char *written = NULL;
    if (!bundle_export(s, to, again, &written, &r, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        status = 1;
    } else if (!written) {
        printf("nothing to export: every statement has been sent or exported already\n");
    } else {
        printf("exported %d statement%s of %d learner%s to %s (%lld bytes)\n", r.statements,
               r.statements == 1 ? "" : "s", r.learners, r.learners == 1 ? "" : "s", written,
               (long long)r.bytes);
    }
    free(written);
    store_close(s);
    paths_reset();
    return status;
}

int cmd_import(int argc, char **argv)
{
    const char *data = NULL;
    const char **files = xcalloc((size_t)argc, sizeof *files);
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--data") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "outpost: import: --data needs a value\n%s", g_import_usage);
                free(files);
                return 2;
            }
            data = argv[++i];
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(g_import_usage, stdout);
            free(files);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "outpost: import: unknown option '%s'\n%s", a, g_import_usage);
            free(files);
            return 2;
        } else {
            files[nf++] = a;
        }
    }
    if (!nf) {
        fprintf(stderr, "outpost: import: name the bundle file\n%s", g_import_usage);
        free(files);
        return 2;
    }
    if (data) paths_set_data_dir(data);
    Store *s = open_store();
    int status = 0;
    for (int i = 0; s && i < nf; i++) {
        Error err = {{0}};
        BundleReport r;
        if (!bundle_import(s, files[i], &r, &err)) {
            fprintf(stderr, "outpost: %s\n", err.msg);
            status = 1;
            continue;
        }
        printf("%s: %d statement%s of %d learner%s: %d new, %d already here\n", files[i],
               r.statements, r.statements == 1 ? "" : "s", r.learners,
               r.learners == 1 ? "" : "s", r.merge.added, r.merge.known);
    }
    if (!s) status = 1;
    store_close(s);
    free(files);
    paths_reset();
    return status;
}
