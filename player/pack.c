/* pack: `outpost pack DIR -o FILE.lesson` turns a lesson folder into a
 * .lesson file. The output is deterministic (sorted entries, fixed time and
 * permissions, fixed compression choices) so the same folder always gives
 * the same bytes, whoever packs it and whenever: a publisher can check a
 * package by packing it again. A CHECKSUMS entry lists the SHA-256 of every
 * other entry. The folder is checked with package_open and manifest_load
 * first, so a broken lesson is never packed. */
#include "cli.h"
#include "manifest.h"
#include "package.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define CHECKSUMS_NAME "CHECKSUMS"
/* MS-DOS time of 1980-01-01 00:00, the earliest a zip can hold. */
#define DOS_TIME 0
#define DOS_DATE ((0 << 9) | (1 << 5) | 1)

static void usage(FILE *f)
{
    fputs("usage: outpost pack FOLDER -o FILE.lesson\n"
          "\n"
          "Checks the lesson in FOLDER (lesson.lua and every page it lists) and\n"
          "writes it as a single .lesson file. Packing the same folder twice gives\n"
          "identical files. Files whose names start with '.' are left out.\n"
          "\n"
          "  -o, --output FILE   the .lesson file to write (replaced if it exists)\n"
          "  -h, --help          show this help\n",
          f);
}

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

/* Adds data as entry `name` with fixed metadata. data is taken over: libzip
 * frees it (or this function does, if the source cannot be made). */
static bool add_entry(zip_t *za, const char *name, char *data, size_t len, Error *err)
{
    zip_source_t *src = zip_source_buffer(za, data, len, 1);
    if (!src) {
        free(data);
        return error_set(err, "%s: %s", name, zip_strerror(za));
    }
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

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes the zip to tmp (out names it in messages). libzip writes entries
 * in the order they are added, so they are added sorted, CHECKSUMS in its
 * sorted place; that is why every file is read (and hashed) first. Each file
 * is read exactly once, so a checksum always matches the bytes written. */
static bool write_zip(Package *pkg, const char *tmp, const char *out, Error *err)
{
    int n = package_count(pkg);
    const char **names = xcalloc((size_t)n + 1, sizeof *names);
    char **data = xcalloc((size_t)n + 1, sizeof *data); /* owned here until given to libzip */
    size_t *lens = xcalloc((size_t)n + 1, sizeof *lens);
    for (int i = 0; i < n; i++) names[i] = package_name(pkg, i);
    names[n] = CHECKSUMS_NAME;
    qsort(names, (size_t)n + 1, sizeof *names, name_cmp);

    Buf sums = {0};
    int sums_at = -1;
    bool ok = true;
    for (int i = 0; ok && i <= n; i++) {
        if (strcmp(names[i], CHECKSUMS_NAME) == 0) {
            sums_at = i;
            continue;
        }
        ok = package_read(pkg, names[i], &data[i], &lens[i], err);
        if (!ok) break;
        unsigned char hash[crypto_hash_sha256_BYTES];
        char hex[crypto_hash_sha256_BYTES * 2 + 1];
        crypto_hash_sha256(hash, (const unsigned char *)data[i], lens[i]);
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        buf_printf(&sums, "%s  %s\n", hex, names[i]);
    }
    if (ok) {
        lens[sums_at] = sums.len;
        data[sums_at] = buf_take(&sums);
    }

    zip_t *za = NULL;
    if (ok) {
        int code = 0;
        za = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &code);
        if (!za) {
            zip_error_t ze;
            zip_error_init_with_code(&ze, code);
            ok = error_set(err, "%s: cannot create (%s)", out, zip_error_strerror(&ze));
            zip_error_fini(&ze);
        }
    }
    for (int i = 0; ok && i <= n; i++) {
        ok = add_entry(za, names[i], data[i], lens[i], err);
        data[i] = NULL; /* libzip owns it now, even on failure */
    }
    if (za && !ok) zip_discard(za);
    if (za && ok && zip_close(za) != 0) {
        ok = error_set(err, "%s: cannot write (%s)", out, zip_strerror(za));
        zip_discard(za);
    }
    for (int i = 0; i <= n; i++) free(data[i]);
    buf_free(&sums);
    free(lens);
    free(data);
    free(names);
    return ok;
}

static bool sync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = fsync(fd) == 0;
    return close(fd) == 0 && ok;
}

/* Packs folder dir into out; on failure nothing is left at out (an existing
 * file there is kept as it was). */
static bool pack(const char *dir, const char *out, Error *err)
{
    Package *pkg = package_open(dir, err);
    if (!pkg) return false;
    Manifest *m = NULL;
    bool ok = false;
    if (package_is_zip(pkg)) {
        error_set(err, "%s: not a folder (pack a lesson folder, not a .lesson file)", dir);
        goto done;
    }
    if (package_has(pkg, CHECKSUMS_NAME)) {
        error_set(err, "%s: has a file named CHECKSUMS; that name is reserved for 'outpost pack'", dir);
        goto done;
    }
    m = manifest_load(pkg, err);
    if (!m) {
        error_prefix(err, "%s", dir);
        goto done;
    }
    if (sodium_init() < 0) {
        error_set(err, "cannot start the checksum library");
        goto done;
    }
    /* The temp file sits next to the output so the rename cannot cross
     * file systems; libzip itself also writes through a temp file. */
    char *tmp = xasprintf("%s.tmp-%ld", out, (long)getpid());
    ok = write_zip(pkg, tmp, out, err);
    if (ok && !sync_file(tmp)) ok = error_set(err, "%s: cannot write (%s)", out, strerror(errno));
    if (ok && rename(tmp, out) != 0) {
        error_set(err, "%s: cannot write (%s)", out, strerror(errno));
        ok = false;
    }
    if (!ok) unlink(tmp);
    free(tmp);
done:
    manifest_free(m);
    package_close(pkg);
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
