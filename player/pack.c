/* pack: `outpost pack DIR -o FILE.lesson` turns a lesson folder into a
 * .lesson file, and lesson_write() (tools.h) is the one writer every tool that
 * produces a .lesson uses (pack, sign, apply), so that the same files always
 * give the same bytes. The output is deterministic (sorted entries, fixed time
 * and permissions, fixed compression choices): whoever packs a folder and
 * whenever, the bytes are the same, so a publisher can check a package by
 * packing it again, and an update package can rebuild a lesson exactly.
 * A CHECKSUMS entry lists the SHA-256 of every other entry (SIGNATURE aside).
 * The folder goes through `outpost check` first, so a broken lesson is never
 * packed; the files check read are the ones written (each is read once). */
#include "cli.h"
#include "manifest.h"
#include "package.h"
#include "tools.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

/* MS-DOS time of 1980-01-01 00:00, the earliest a zip can hold. */
#define DOS_TIME 0
#define DOS_DATE ((0 << 9) | (1 << 5) | 1)

static void usage(FILE *f)
{
    fputs("usage: outpost pack FOLDER -o FILE.lesson\n"
          "\n"
          "Checks the lesson in FOLDER as 'outpost check' does and, if nothing is\n"
          "wrong, writes it as a single .lesson file. Warnings are printed but do\n"
          "not stop it; errors do. Packing the same folder twice gives identical\n"
          "files. Files whose names start with '.' are left out.\n"
          "\n"
          "  -o, --output FILE   the .lesson file to write (replaced if it exists)\n"
          "  -h, --help          show this help\n",
          f);
}

/* ---- LessonFiles ---------------------------------------------------- */

void lesson_files_add(LessonFiles *f, const char *name, char *data, size_t len)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->v = xrealloc(f->v, (size_t)f->cap * sizeof *f->v);
    }
    f->v[f->n++] = (LessonFile){xstrdup(name), data, len};
}

LessonFile *lesson_files_find(LessonFiles *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].name, name) == 0) return &f->v[i];
    return NULL;
}

void lesson_files_remove(LessonFiles *f, const char *name)
{
    LessonFile *e = lesson_files_find(f, name);
    if (!e) return;
    free(e->name);
    free(e->data);
    int i = (int)(e - f->v);
    memmove(f->v + i, f->v + i + 1, (size_t)(f->n - i - 1) * sizeof *f->v);
    f->n--;
}

static int file_cmp(const void *a, const void *b)
{
    return strcmp(((const LessonFile *)a)->name, ((const LessonFile *)b)->name);
}

void lesson_files_sort(LessonFiles *f)
{
    if (f->n > 1) qsort(f->v, (size_t)f->n, sizeof *f->v, file_cmp);
}

void lesson_files_free(LessonFiles *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->v[i].name);
        free(f->v[i].data);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

bool lesson_files_read(Package *pkg, LessonFiles *files, Error *err)
{
    int n = package_count(pkg);
    for (int i = 0; i < n; i++) {
        char *data;
        size_t len;
        if (!package_read(pkg, package_name(pkg, i), &data, &len, err)) return false;
        lesson_files_add(files, package_name(pkg, i), data, len);
    }
    return true;
}

/* ---- the writer ----------------------------------------------------- */

/* Media formats that are already compressed gain nothing from deflate. The
 * choice depends on the name only, so the output stays deterministic. */
static bool store_uncompressed(const char *name)
{
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".gif", ".webp",
                                      ".ogg", ".mp3", ".mp4", ".zip"};
    const char *dot = strrchr(name, '.');
    if (!dot || strlen(dot) > 8) return false;
    char low[9];
    size_t n = 0;
    for (; dot[n]; n++) low[n] = (dot[n] >= 'A' && dot[n] <= 'Z') ? (char)(dot[n] + 32) : dot[n];
    low[n] = 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strcmp(low, ext[i]) == 0) return true;
    return false;
}

/* Adds data as entry `name` with fixed metadata. The data is only borrowed:
 * it must stay alive until zip_close(). */
static bool add_entry(zip_t *za, const char *name, const char *data, size_t len, Error *err)
{
    zip_source_t *src = zip_source_buffer(za, data, len, 0);
    if (!src) return error_set(err, "%s: %s", name, zip_strerror(za));
    zip_int64_t idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return error_set(err, "%s: %s", name, zip_strerror(za));
    }
    zip_uint64_t i = (zip_uint64_t)idx;
    bool store = store_uncompressed(name);
    if (zip_set_file_compression(za, i, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, store ? 0 : 9) != 0 ||
        zip_file_set_dostime(za, i, DOS_TIME, DOS_DATE, 0) != 0 ||
        zip_file_set_external_attributes(za, i, 0, ZIP_OPSYS_UNIX, (zip_uint32_t)(S_IFREG | 0644) << 16) != 0 ||
        zip_file_extra_field_delete(za, i, ZIP_EXTRA_FIELD_ALL, ZIP_FL_CENTRAL | ZIP_FL_LOCAL) != 0)
        return error_set(err, "%s: %s", name, zip_strerror(za));
    return true;
}

static bool is_reserved(const char *name)
{
    return strcmp(name, TOOLS_CHECKSUMS) == 0 || strcmp(name, TOOLS_SIGNATURE) == 0;
}

static int ptr_cmp(const void *a, const void *b)
{
    return strcmp((*(const LessonFile *const *)a)->name, (*(const LessonFile *const *)b)->name);
}

/* The files to write, sorted, CHECKSUMS left out. Heap array of borrowed
 * pointers, caller frees the array. */
static const LessonFile **sorted_files(const LessonFiles *files, int *n_out)
{
    const LessonFile **v = xcalloc((size_t)files->n + 1, sizeof *v);
    int n = 0;
    for (int i = 0; i < files->n; i++)
        if (strcmp(files->v[i].name, TOOLS_CHECKSUMS) != 0) v[n++] = &files->v[i];
    qsort(v, (size_t)n, sizeof *v, ptr_cmp);
    *n_out = n;
    return v;
}

char *lesson_checksums(const LessonFiles *files, size_t *len)
{
    int n;
    const LessonFile **v = sorted_files(files, &n);
    Buf sums = {0};
    for (int i = 0; i < n; i++) {
        if (is_reserved(v[i]->name)) continue;
        unsigned char hash[crypto_hash_sha256_BYTES];
        char hex[crypto_hash_sha256_BYTES * 2 + 1];
        crypto_hash_sha256(hash, (const unsigned char *)v[i]->data, v[i]->len);
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        buf_printf(&sums, "%s  %s\n", hex, v[i]->name);
    }
    free(v);
    *len = sums.len;
    return sums.data ? buf_take(&sums) : xstrdup("");
}

/* Writes the zip to tmp (out names it in messages). libzip writes entries in
 * the order they are added, so they are added sorted, CHECKSUMS in its sorted
 * place. */
static bool write_zip(const LessonFiles *files, const char *tmp, const char *out, Error *err)
{
    size_t sums_len;
    char *sums = lesson_checksums(files, &sums_len);
    LessonFile sums_file = {TOOLS_CHECKSUMS, sums, sums_len};
    int n;
    const LessonFile **v = sorted_files(files, &n);
    v[n++] = &sums_file;
    qsort(v, (size_t)n, sizeof *v, ptr_cmp);

    bool ok = true;
    int code = 0;
    zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        ok = error_set(err, "%s: cannot create (%s)", out, zip_error_strerror(&ze));
        zip_error_fini(&ze);
    }
    for (int i = 0; ok && i < n; i++) ok = add_entry(za, v[i]->name, v[i]->data, v[i]->len, err);
    if (za && !ok) zip_discard(za);
    if (za && ok && zip_close(za) != 0) {
        ok = error_set(err, "%s: cannot write (%s)", out, zip_strerror(za));
        zip_discard(za);
    }
    free(v);
    free(sums);
    return ok;
}

bool file_sha256(const char *path, unsigned char out[32], Error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error_set(err, "%s: cannot open (%s)", path, strerror(errno));
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = xmalloc(CHUNK);
    bool ok = true;
    for (;;) {
        ssize_t r = read(fd, buf, CHUNK);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            ok = error_set(err, "%s: cannot read (%s)", path, strerror(errno));
            break;
        }
        if (r == 0) break;
        crypto_hash_sha256_update(&st, buf, (unsigned long long)r);
    }
    free(buf);
    close(fd);
    if (ok) crypto_hash_sha256_final(&st, out);
    return ok;
}

static bool sync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = fsync(fd) == 0;
    return close(fd) == 0 && ok;
}

bool lesson_write(const char *out, const LessonFiles *files, const unsigned char *expect_sha256,
                  unsigned char *sha256_out, Error *err)
{
    /* The temp file sits next to the output so the rename cannot cross file
     * systems; libzip itself also writes through a temp file. */
    char *tmp = xasprintf("%s.tmp-%ld", out, (long)getpid());
    bool ok = write_zip(files, tmp, out, err);
    unsigned char sha[32];
    if (ok && (expect_sha256 || sha256_out)) ok = file_sha256(tmp, sha, err);
    if (ok && expect_sha256 && sodium_memcmp(sha, expect_sha256, 32) != 0)
        ok = error_set(err, "%s: the rebuilt lesson is not the expected one (its SHA-256 differs); "
                            "nothing was written",
                       out);
    if (ok && !sync_file(tmp)) ok = error_set(err, "%s: cannot write (%s)", out, strerror(errno));
    if (ok && rename(tmp, out) != 0) ok = error_set(err, "%s: cannot write (%s)", out, strerror(errno));
    if (!ok) unlink(tmp);
    if (ok && sha256_out) memcpy(sha256_out, sha, 32);
    free(tmp);
    return ok;
}

/* ---- outpost pack --------------------------------------------------- */

/* Packs folder dir into out; on failure nothing is left at out (an existing
 * file there is kept as it was). Check messages go to stderr. Returns 0, or
 * 1 with err set (err empty if the check's own messages say it all). */
static bool pack(const char *dir, const char *out, Error *err)
{
    Package *pkg = package_open(dir, err);
    if (!pkg) return false;
    bool ok = false, checked = false;
    CheckReport rep = {0};
    if (package_is_zip(pkg)) {
        error_set(err, "%s: not a folder (pack a lesson folder, not a .lesson file)", dir);
        goto done;
    }
    for (int i = 0; i < 2; i++) {
        const char *r = i ? TOOLS_SIGNATURE : TOOLS_CHECKSUMS;
        if (package_has(pkg, r)) {
            error_set(err, "%s: has a file named %s; that name is reserved for 'outpost %s'", dir, r,
                      i ? "sign" : "pack");
            goto done;
        }
    }
    /* The manifest first, on its own: its one-line reason is the clearest
     * answer when lesson.lua itself is broken. */
    Manifest *m = manifest_load(pkg, err);
    if (!m) {
        error_prefix(err, "%s", dir);
        goto done;
    }
    manifest_free(m);
    if (sodium_init() < 0) {
        error_set(err, "cannot start the checksum library");
        goto done;
    }
    CheckOptions copt = {.keep_files = true};
    checked = true;
    if (!check_package(pkg, &copt, &rep, err)) goto done;
    check_report_print(&rep, stderr);
    if (rep.n_errors) {
        error_set(err, "%s: not packed: %d error%s (see above)", dir, rep.n_errors,
                  rep.n_errors == 1 ? "" : "s");
        goto done;
    }
    ok = lesson_write(out, &rep.files, NULL, NULL, err);
done:
    check_report_free(&rep);
    package_close(pkg);
    if (checked) check_release_fonts();
    return ok;
}

int cmd_pack(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "outpost pack: %s needs a file name\n", a);
                usage(stderr);
                return 2;
            }
            out = argv[++i];
        } else if (strncmp(a, "--output=", 9) == 0) {
            out = a + 9;
        } else if (a[0] == '-' && a[1] != 0) {
            fprintf(stderr, "outpost pack: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (dir) {
            fprintf(stderr, "outpost pack: only one folder can be packed at a time\n");
            usage(stderr);
            return 2;
        } else {
            dir = a;
        }
    }
    if (!dir || !out || !*dir || !*out) {
        fprintf(stderr, "outpost pack: %s\n", !dir || !*dir ? "which folder? (missing FOLDER)"
                                                            : "where to? (missing -o FILE.lesson)");
        usage(stderr);
        return 2;
    }
    Error err = {{0}};
    if (!pack(dir, out, &err)) {
        /* Messages from the package layer already start with the folder. */
        size_t dl = strlen(dir);
        bool named = strncmp(err.msg, dir, dl) == 0 && err.msg[dl] == ':';
        if (named) fprintf(stderr, "outpost: %s\n", err.msg);
        else fprintf(stderr, "outpost: %s: %s\n", dir, err.msg);
        return 1;
    }
    return 0;
}
