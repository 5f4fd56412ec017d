/* patch: update packages for lessons sent over slow links.
 *
 * `outpost diff OLD.lesson NEW.lesson -o UPDATE.lessonpatch` writes a zip
 * holding a PATCH description (SHA-256 of the whole OLD and NEW files, the
 * names removed) and, under files/, only the entries added or changed.
 * CHECKSUMS is never shipped: the writer computes it. `outpost apply` rebuilds
 * NEW from OLD's entries and the patch with lesson_write(), the writer pack
 * uses, so the result is byte for byte NEW; it checks the SHA-256 before the
 * file is put in place. diff refuses a NEW that the writer cannot reproduce
 * (a lesson not made by outpost pack), so a patch never promises what apply
 * cannot deliver. */
#include "cli.h"
#include "tools.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#define PATCH_MAGIC "outpost-lessonpatch v1"
#define PATCH_DESC "PATCH"
#define PATCH_PREFIX "files/"
#define PATCH_DESC_MAX ((size_t)16 << 20)

static int fail(const char *file, const char *msg)
{
    size_t fl = strlen(file);
    if (strncmp(msg, file, fl) == 0 && msg[fl] == ':') fprintf(stderr, "outpost: %s\n", msg);
    else fprintf(stderr, "outpost: %s: %s\n", file, msg);
    return 1;
}

static void hex32(const unsigned char *h, char out[65])
{
    sodium_bin2hex(out, 65, h, 32);
}

static int file_cmp(const void *a, const void *b)
{
    return strcmp(((const LessonFile *)a)->name, ((const LessonFile *)b)->name);
}

/* Index of name in sorted files, or -1. */
static int find_sorted(const LessonFiles *f, const char *name)
{
    LessonFile key = {(char *)name, NULL, 0};
    LessonFile *hit = f->n ? bsearch(&key, f->v, (size_t)f->n, sizeof key, file_cmp) : NULL;
    return hit ? (int)(hit - f->v) : -1;
}

/* Opens a .lesson (zip only) and reads all its entries, sorted. */
static bool read_lesson(const char *path, LessonFiles *files, Error *err)
{
    Package *pkg = package_open(path, err);
    if (!pkg) return false;
    bool ok = package_is_zip(pkg) ? lesson_files_read(pkg, files, err)
                                  : error_set(err, "%s: not a .lesson file (updates are made between packed lessons)", path);
    package_close(pkg);
    if (ok) lesson_files_sort(files);
    else if (strncmp(err->msg, path, strlen(path)) != 0) error_prefix(err, "%s", path);
    return ok;
}

/* ---- diff ----------------------------------------------------------- */

static void diff_usage(FILE *f)
{
    fputs("usage: outpost diff OLD.lesson NEW.lesson -o UPDATE.lessonpatch\n"
          "\n"
          "Makes an update package: only the files added or changed between two\n"
          "versions of a lesson, and the names of the files removed. A border post\n"
          "that has OLD.lesson rebuilds NEW.lesson exactly with 'outpost apply'.\n"
          "Both lessons must have been made by 'outpost pack' (and, if signed,\n"
          "'outpost sign').\n"
          "\n"
          "  -o, --output FILE   the update package to write\n"
          "  -h, --help          show this help\n",
          f);
}

static bool add_patch_entry(zip_t *za, const char *name, const char *data, size_t len, Error *err)
{
    zip_source_t *src = zip_source_buffer(za, data, len, 0);
    zip_int64_t idx = src ? zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
        if (src) zip_source_free(src);
        return error_set(err, "%s: %s", name, zip_strerror(za));
    }
    if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9) != 0 ||
        zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (1 << 5) | 1, 0) != 0)
        return error_set(err, "%s: %s", name, zip_strerror(za));
    return true;
}

static bool write_patch(const char *out, const char *desc, const LessonFiles *newf, const int *changed,
                        int n_changed, Error *err)
{
    char *tmp = xasprintf("%s.tmp-%ld", out, (long)getpid());
    int code = 0;
    zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!za) {
        free(tmp);
        return error_set(err, "%s: cannot create the file", out);
    }
    char **names = xcalloc((size_t)n_changed + 1, sizeof *names);
    bool ok = add_patch_entry(za, PATCH_DESC, desc, strlen(desc), err);
    for (int i = 0; ok && i < n_changed; i++) {
        const LessonFile *f = &newf->v[changed[i]];
        names[i] = xasprintf(PATCH_PREFIX "%s", f->name);
        ok = add_patch_entry(za, names[i], f->data, f->len, err);
    }
    if (!ok) zip_discard(za);
    else if (zip_close(za) != 0) {
        ok = error_set(err, "%s: cannot write (%s)", out, zip_strerror(za));
        zip_discard(za);
    }
    if (ok && rename(tmp, out) != 0) ok = error_set(err, "%s: cannot write (%s)", out, strerror(errno));
    if (!ok) unlink(tmp);
    for (int i = 0; i < n_changed; i++) free(names[i]);
    free(names);
    free(tmp);
    return ok;
}

int cmd_diff(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL}, *out = NULL;
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            diff_usage(stdout);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                fprintf(stderr, "outpost diff: %s needs a file name\n", a);
                diff_usage(stderr);
                return 2;
            }
            out = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "outpost diff: unknown option %s\n", a);
            diff_usage(stderr);
            return 2;
        } else if (np == 2) {
            fprintf(stderr, "outpost diff: too many arguments ('%s' is extra)\n", a);
            diff_usage(stderr);
            return 2;
        } else {
            pos[np++] = a;
        }
    }
    if (np != 2 || !out) {
        fprintf(stderr, "outpost diff: %s\n", np != 2 ? "needs the OLD and the NEW lesson" : "where to? (missing -o UPDATE.lessonpatch)");
        diff_usage(stderr);
        return 2;
    }
    const char *oldp = pos[0], *newp = pos[1];
    if (sodium_init() < 0) return fail(out, "cannot start the checksum library");
    Error err = {{0}};
    unsigned char old_sha[32], new_sha[32];
    if (!file_sha256(oldp, old_sha, &err) || !file_sha256(newp, new_sha, &err)) return fail(out, err.msg);
    LessonFiles oldf = {0}, newf = {0};
    int status = 1;
    int *changed = NULL;
    Buf desc = {0};
    if (!read_lesson(oldp, &oldf, &err) || !read_lesson(newp, &newf, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        goto done;
    }
    /* The promise a patch makes is NEW's SHA-256: make sure our writer
     * reproduces NEW before promising it. */
    char *probe = xasprintf("%s.probe-%ld", out, (long)getpid());
    bool same = lesson_write(probe, &newf, new_sha, NULL, &err);
    unlink(probe);
    free(probe);
    if (!same) {
        fail(newp, "was not made by 'outpost pack' (packing it again would give other bytes), so an "
                   "update cannot rebuild it exactly; pack the lesson folder with 'outpost pack' and try again");
        goto done;
    }
    char h[65];
    buf_puts(&desc, PATCH_MAGIC "\n");
    hex32(old_sha, h);
    buf_printf(&desc, "old-sha256: %s\n", h);
    hex32(new_sha, h);
    buf_printf(&desc, "new-sha256: %s\n", h);
    int n_removed = 0, n_added = 0, n_changed = 0;
    for (int i = 0; i < oldf.n; i++) {
        if (strcmp(oldf.v[i].name, TOOLS_CHECKSUMS) == 0) continue;
        if (find_sorted(&newf, oldf.v[i].name) < 0) {
            buf_printf(&desc, "remove: %s\n", oldf.v[i].name);
            n_removed++;
        }
    }
    changed = xcalloc((size_t)newf.n + 1, sizeof *changed);
    int nc = 0;
    for (int i = 0; i < newf.n; i++) {
        const LessonFile *f = &newf.v[i];
        if (strcmp(f->name, TOOLS_CHECKSUMS) == 0) continue;
        int k = find_sorted(&oldf, f->name);
        if (k >= 0 && oldf.v[k].len == f->len && memcmp(oldf.v[k].data, f->data, f->len) == 0) continue;
        changed[nc++] = i;
        if (k >= 0) n_changed++;
        else n_added++;
    }
    if (!write_patch(out, buf_cstr(&desc), &newf, changed, nc, &err)) {
        fail(out, err.msg);
        goto done;
    }
    FILE *fp = fopen(out, "rb");
    long size = -1;
    if (fp && fseek(fp, 0, SEEK_END) == 0) size = ftell(fp);
    if (fp) fclose(fp);
    printf("Wrote %s (%ld bytes): %d changed, %d added, %d removed\n", out, size, n_changed, n_added, n_removed);
    status = 0;
done:
    buf_free(&desc);
    free(changed);
    lesson_files_free(&oldf);
    lesson_files_free(&newf);
    return status;
}

/* ---- apply ---------------------------------------------------------- */

static void apply_usage(FILE *f)
{
    fputs("usage: outpost apply OLD.lesson UPDATE.lessonpatch -o NEW.lesson\n"
          "\n"
          "Rebuilds the new version of a lesson from the version you have and an\n"
          "update package made by 'outpost diff'. The result is checked against the\n"
          "SHA-256 the update promises before it is written; nothing is written if\n"
          "the update is damaged or made for another version. NEW.lesson may be\n"
          "OLD.lesson itself.\n"
          "\n"
          "  -o, --output FILE   the lesson to write\n"
          "  -h, --help          show this help\n",
          f);
}

/* Reads entry idx of a zip, refusing more than max bytes actually produced. */
static bool read_zip_entry(zip_t *za, zip_uint64_t idx, const char *name, size_t max, char **data,
                           size_t *len, Error *err)
{
    zip_stat_t zs;
    zip_stat_init(&zs);
    if (zip_stat_index(za, idx, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE))
        return error_set(err, "%s: damaged", name);
    if (zs.size > max) return error_set(err, "%s: larger than the limit of %zu bytes", name, max);
    zip_file_t *zf = zip_fopen_index(za, idx, 0);
    if (!zf) return error_set(err, "%s: damaged (%s)", name, zip_strerror(za));
    Buf b = {0};
    char chunk[65536];
    bool ok = true;
    for (;;) {
        zip_int64_t n = zip_fread(zf, chunk, sizeof chunk);
        if (n < 0) {
            ok = error_set(err, "%s: damaged (%s)", name, zip_file_strerror(zf));
            break;
        }
        if (n == 0) break;
        if ((size_t)n > max - b.len) {
            ok = error_set(err, "%s: larger than the limit of %zu bytes", name, max);
            break;
        }
        buf_append(&b, chunk, (size_t)n);
    }
    zip_fclose(zf);
    if (ok && b.len != zs.size) ok = error_set(err, "%s: damaged (its size is wrong)", name);
    if (!ok) {
        buf_free(&b);
        return false;
    }
    *len = b.len;
    *data = b.data ? buf_take(&b) : xstrdup("");
    return true;
}

static char *desc_field(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        if (ll > kl + 2 && strncmp(line, key, kl) == 0 && line[kl] == ':' && line[kl + 1] == ' ')
            return xstrndup(line + kl + 2, ll - kl - 2);
        if (!nl) break;
        line = nl + 1;
    }
    return NULL;
}

static bool unhex32(const char *s, unsigned char out[32])
{
    size_t n = 0;
    return s && strlen(s) == 64 && sodium_hex2bin(out, 32, s, 64, NULL, &n, NULL) == 0 && n == 32;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the update package at path: its description and its files. */
static bool read_patch(const char *path, unsigned char old_sha[32], unsigned char new_sha[32],
                       char ***removed, int *n_removed, LessonFiles *files, Error *err)
{
    int code = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!za)
        return error_set(err, "%s: the update file is damaged or incomplete (it may not have been copied "
                              "completely; copy it again)",
                         path);
    char *desc = NULL;
    size_t dlen;
    bool ok = true;
    zip_int64_t n = zip_get_num_entries(za, 0);
    zip_int64_t di = zip_name_locate(za, PATCH_DESC, 0);
    if (n < 0 || n > PACKAGE_MAX_ENTRIES || di < 0) {
        ok = error_set(err, "%s: not an Outpost update package", path);
    } else if (!read_zip_entry(za, (zip_uint64_t)di, PATCH_DESC, PATCH_DESC_MAX, &desc, &dlen, err)) {
        ok = error_prefix(err, "%s: the update file is damaged", path);
    } else if (strlen(desc) != dlen || strncmp(desc, PATCH_MAGIC "\n", strlen(PATCH_MAGIC) + 1) != 0) {
        ok = error_set(err, "%s: not an Outpost update package (or one made by a newer version)", path);
    } else {
        char *o = desc_field(desc, "old-sha256"), *w = desc_field(desc, "new-sha256");
        if (!unhex32(o, old_sha) || !unhex32(w, new_sha))
            ok = error_set(err, "%s: the update file is damaged (its description is incomplete)", path);
        free(o);
        free(w);
    }
    /* The removed names. */
    int cap = 0;
    for (const char *line = desc; ok && line && *line;) {
        const char *nl = strchr(line, '\n');
        if (!nl) break;
        if (strncmp(line, "remove: ", 8) == 0) {
            char *name = xstrndup(line + 8, (size_t)(nl - line - 8));
            if (!package_name_is_safe(name, err)) {
                free(name);
                ok = error_prefix(err, "%s: the update file is damaged", path);
                break;
            }
            if (*n_removed == cap) *removed = xrealloc(*removed, (size_t)(cap = cap ? cap * 2 : 16) * sizeof **removed);
            (*removed)[(*n_removed)++] = name;
        }
        line = nl + 1;
    }
    if (ok && *n_removed > 1) qsort(*removed, (size_t)*n_removed, sizeof **removed, str_cmp);
    for (zip_int64_t i = 0; ok && i < n; i++) {
        const char *zn = zip_get_name(za, (zip_uint64_t)i, 0);
        if (!zn) {
            ok = error_set(err, "%s: the update file is damaged", path);
            break;
        }
        if (strcmp(zn, PATCH_DESC) == 0) continue;
        if (strncmp(zn, PATCH_PREFIX, strlen(PATCH_PREFIX)) != 0 ||
            !package_name_is_safe(zn + strlen(PATCH_PREFIX), err)) {
            ok = error_set(err, "%s: the update file is damaged (unexpected entry)", path);
            break;
        }
        char *data;
        size_t len;
        if (!read_zip_entry(za, (zip_uint64_t)i, zn, PACKAGE_MAX_ENTRY, &data, &len, err)) {
            ok = error_prefix(err, "%s: the update file is damaged", path);
            break;
        }
        lesson_files_add(files, zn + strlen(PATCH_PREFIX), data, len);
    }
    lesson_files_sort(files);
    for (int i = 1; ok && i < files->n; i++)
        if (strcmp(files->v[i - 1].name, files->v[i].name) == 0)
            ok = error_set(err, "%s: the update file is damaged (a file appears twice)", path);
    free(desc);
    zip_discard(za); /* read-only: nothing to write back */
    return ok;
}

int cmd_apply(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL}, *out = NULL;
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            apply_usage(stdout);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                fprintf(stderr, "outpost apply: %s needs a file name\n", a);
                apply_usage(stderr);
                return 2;
            }
            out = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "outpost apply: unknown option %s\n", a);
            apply_usage(stderr);
            return 2;
        } else if (np == 2) {
            fprintf(stderr, "outpost apply: too many arguments ('%s' is extra)\n", a);
            apply_usage(stderr);
            return 2;
        } else {
            pos[np++] = a;
        }
    }
    if (np != 2 || !out) {
        fprintf(stderr, "outpost apply: %s\n", np != 2 ? "needs the OLD lesson and the UPDATE" : "where to? (missing -o NEW.lesson)");
        apply_usage(stderr);
        return 2;
    }
    const char *oldp = pos[0], *patchp = pos[1];
    if (sodium_init() < 0) return fail(out, "cannot start the checksum library");
    Error err = {{0}};
    unsigned char old_sha[32], want_old[32], want_new[32];
    char **removed = NULL;
    int n_removed = 0, status = 1;
    LessonFiles pf = {0}, oldf = {0}, result = {0};
    if (!read_patch(patchp, want_old, want_new, &removed, &n_removed, &pf, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        goto done;
    }
    if (!file_sha256(oldp, old_sha, &err)) {
        fail(oldp, err.msg);
        goto done;
    }
    if (sodium_memcmp(old_sha, want_new, 32) == 0) {
        fail(oldp, "is already the new version; this update has been applied");
        goto done;
    }
    if (sodium_memcmp(old_sha, want_old, 32) != 0) {
        fail(oldp, "this update is for another version of the lesson (it was made from a different file; "
                   "nothing was written)");
        goto done;
    }
    if (!read_lesson(oldp, &oldf, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        goto done;
    }
    /* Unchanged entries come from OLD, the rest from the update. The data
     * blocks move from one list to the other rather than being copied. */
    for (int i = 0; i < oldf.n; i++) {
        LessonFile *f = &oldf.v[i];
        if (strcmp(f->name, TOOLS_CHECKSUMS) == 0) continue;
        if (n_removed && bsearch(&f->name, removed, (size_t)n_removed, sizeof *removed, str_cmp)) continue;
        if (find_sorted(&pf, f->name) >= 0) continue;
        lesson_files_add(&result, f->name, f->data, f->len);
        f->data = NULL;
    }
    for (int i = 0; i < pf.n; i++) {
        lesson_files_add(&result, pf.v[i].name, pf.v[i].data, pf.v[i].len);
        pf.v[i].data = NULL;
    }
    if (!lesson_write(out, &result, want_new, NULL, &err)) {
        fail(out, strstr(err.msg, "SHA-256") ? "the rebuilt lesson is not the one the update promises "
                                               "(the update is damaged, or was made with another zlib); "
                                               "nothing was written"
                                             : err.msg);
        goto done;
    }
    printf("Updated: wrote %s (%d file%s from the update, %d removed)\n", out, pf.n, pf.n == 1 ? "" : "s",
           n_removed);
    status = 0;
done:
    for (int i = 0; i < n_removed; i++) free(removed[i]);
    free(removed);
    lesson_files_free(&pf);
    lesson_files_free(&oldf);
    lesson_files_free(&result);
    return status;
}
