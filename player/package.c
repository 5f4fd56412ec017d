/* package: see package.h.
 *
 * A package is untrusted input (it arrives on a USB stick), so every entry
 * name is checked once when the package is opened, and every read is capped
 * on the bytes actually produced, never only on what a header claims. Zips
 * are read in place: the central directory is read once by zip_open() and a
 * sorted index of names is built once; reads then seek straight to an entry.
 * Folders are walked once with openat() and O_NOFOLLOW, so nothing reached
 * through a symbolic link is ever listed or read. */
#include "package.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

/* Names longer than this are refused: no real lesson needs them and they
 * would only make error messages unreadable. */
#define NAME_MAX_BYTES 1024
/* Folders nested deeper than this are refused (bounds the recursion). */
#define FOLDER_MAX_DEPTH 32

typedef struct Entry {
    const char *name; /* zip: owned by libzip (valid until zip_close);
                         folder: heap copy owned by the package */
    zip_uint64_t index; /* zip entry index; unused for folders */
    uint64_t size;      /* size the zip header (or stat) claims */
} Entry;

struct Package {
    char *path;       /* heap copy of the path given to package_open */
    zip_t *za;        /* open archive, or NULL for a folder */
    int dirfd;        /* open folder, or -1 for a zip */
    Entry *entries;   /* heap array sorted by name (strcmp) */
    int n, cap;
    uint64_t disk_size;
};

/* ---- names ---------------------------------------------------------- */

/* Writes a printable, length-capped form of name into out, so that a hostile
 * name cannot put control characters or screenfuls of text into a message. */
static const char *printable(const char *name, char *out, size_t outsz)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (o + 8 >= outsz) {
            memcpy(out + o, "...", 4);
            return out;
        }
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t)snprintf(out + o, outsz - o, "\\x%02X", *p);
        else
            out[o++] = (char)*p;
    }
    out[o] = 0;
    return out;
}

static bool valid_utf8(const char *s)
{
    const char *end = s + strlen(s);
    while (s < end) {
        const char *before = s;
        uint32_t cp = utf8_next(&s, end);
        /* U+FFFD written literally is fine; produced by a bad byte is not. */
        if (cp == 0xFFFD && !(s - before == 3 && memcmp(before, "\xEF\xBF\xBD", 3) == 0))
            return false;
    }
    return true;
}

static bool unsafe(Error *err, const char *name, const char *why)
{
    char shown[256];
    return error_set(err, "file name \"%s\" is not allowed: %s", printable(name, shown, sizeof shown),
                     why);
}

bool package_name_is_safe(const char *name, Error *err)
{
    if (!name || !*name) return error_set(err, "an entry has an empty file name");
    size_t len = strlen(name);
    if (len > NAME_MAX_BYTES) return unsafe(err, name, "it is too long (over 1024 bytes)");
    if (name[0] == '/') return unsafe(err, name, "it starts with '/' (an absolute path)");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) return unsafe(err, name, "it contains a control character");
        if (*p == '\\')
            return unsafe(err, name, "it contains a backslash; folders must be separated by '/'");
    }
    if (((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')) && name[1] == ':')
        return unsafe(err, name, "it starts with a drive letter (such as \"C:\")");
    for (const char *c = name;;) {
        const char *slash = strchr(c, '/');
        size_t n = slash ? (size_t)(slash - c) : strlen(c);
        if (n == 0) return unsafe(err, name, "it contains an empty folder name ('//' or a '/' at the end)");
        if (n == 1 && c[0] == '.') return unsafe(err, name, "it contains a '.' folder");
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return unsafe(err, name, "it contains '..', which would point outside the lesson");
        if (!slash) break;
        c = slash + 1;
    }
    if (!valid_utf8(name)) return unsafe(err, name, "it is not valid UTF-8 text");
    return true;
}

/* ---- index ---------------------------------------------------------- */

static void add_entry(Package *pkg, const char *name, zip_uint64_t index, uint64_t size)
{
    if (pkg->n == pkg->cap) {
        pkg->cap = pkg->cap ? pkg->cap * 2 : 64;
        pkg->entries = xrealloc(pkg->entries, (size_t)pkg->cap * sizeof *pkg->entries);
    }
    pkg->entries[pkg->n++] = (Entry){name, index, size};
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const Entry *)a)->name, ((const Entry *)b)->name);
}

static const Entry *find_entry(const Package *pkg, const char *name)
{
    Entry key = {name, 0, 0};
    return bsearch(&key, pkg->entries, (size_t)pkg->n, sizeof key, entry_cmp);
}

/* Sorts the index, refuses duplicate names and checks lesson.lua exists. */
static bool finish_index(Package *pkg, Error *err)
{
    if (pkg->n > 1) qsort(pkg->entries, (size_t)pkg->n, sizeof *pkg->entries, entry_cmp);
    for (int i = 1; i < pkg->n; i++) {
        if (strcmp(pkg->entries[i - 1].name, pkg->entries[i].name) == 0) {
            char shown[256];
            return error_set(err, "%s: the file \"%s\" appears twice in the package", pkg->path,
                             printable(pkg->entries[i].name, shown, sizeof shown));
        }
    }
    if (!find_entry(pkg, "lesson.lua")) {
        /* The usual mistake: zipping the folder instead of its contents. */
        for (int i = 0; i < pkg->n; i++) {
            const char *slash = strchr(pkg->entries[i].name, '/');
            if (slash && strcmp(slash, "/lesson.lua") == 0) {
                char shown[256];
                return error_set(err, "%s: lesson.lua is missing (there is a \"%s\": lesson.lua must be at "
                                      "the top of the package, not in a folder)",
                                 pkg->path, printable(pkg->entries[i].name, shown, sizeof shown));
            }
        }
        return error_set(err, "%s: lesson.lua is missing", pkg->path);
    }
    return true;
}

/* ---- zip ------------------------------------------------------------ */

/* The reason a zip_open() failed, in words a non-specialist understands. */
static bool zip_open_error(Error *err, const char *path, int code, bool looks_like_zip)
{
    switch (code) {
    case ZIP_ER_NOZIP:
        /* libzip finds a zip by its end record; a file that starts like a zip
         * but has no end record was cut short (an interrupted copy). */
        if (looks_like_zip)
            return error_set(err, "%s: the file is damaged or incomplete (the end of the "
                                  "archive is missing; it may not have been copied completely)",
                             path);
        return error_set(err, "%s: not a lesson package (the file is not a zip archive)", path);
    case ZIP_ER_INCONS:
    case ZIP_ER_EOF:
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
    case ZIP_ER_CRC:
        return error_set(err, "%s: the file is damaged or incomplete (the archive's table of "
                              "contents cannot be read)",
                         path);
    case ZIP_ER_MULTIDISK:
        return error_set(err, "%s: not a lesson package (it is one part of a multi-part archive)",
                         path);
    case ZIP_ER_MEMORY:
        return error_set(err, "%s: not enough memory to open the package", path);
    default: {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        error_set(err, "%s: cannot open the package (%s)", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return false;
    }
    }
}

static bool open_zip(Package *pkg, Error *err)
{
    const char *path = pkg->path;
    /* O_NONBLOCK: opening a FIFO must not hang; it is refused just below. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return error_set(err, "%s: cannot open the file (%s)", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return error_set(err, "%s: not a lesson package (not a regular file)", path);
    }
    pkg->disk_size = (uint64_t)st.st_size;
    /* libzip opens an empty file as an empty archive; say what it really is. */
    if (st.st_size == 0) {
        close(fd);
        return error_set(err, "%s: not a lesson package (the file is empty)", path);
    }
    unsigned char magic[4] = {0};
    bool looks_like_zip = pread(fd, magic, 4, 0) == 4 && memcmp(magic, "PK\3\4", 4) == 0;

    int code = 0;
    /* zip_fdopen takes the descriptor only on success. */
    pkg->za = zip_fdopen(fd, ZIP_RDONLY, &code);
    if (!pkg->za) {
        close(fd);
        return zip_open_error(err, path, code, looks_like_zip);
    }

    zip_int64_t total = zip_get_num_entries(pkg->za, 0);
    if (total < 0) return error_set(err, "%s: the file is damaged or incomplete", path);
    if (total > PACKAGE_MAX_ENTRIES)
        return error_set(err, "%s: the package holds too many files (%lld; the limit is %d)", path,
                         (long long)total, PACKAGE_MAX_ENTRIES);

    for (zip_uint64_t i = 0; i < (zip_uint64_t)total; i++) {
        char shown[256];
        /* Names not flagged as UTF-8 are CP437 to libzip, which turns control
         * bytes into printable symbols; check the raw bytes too. (libzip
         * itself turns a NUL inside a name into a space.) */
        const char *raw = zip_get_name(pkg->za, i, ZIP_FL_ENC_RAW);
        const char *name = zip_get_name(pkg->za, i, 0);
        if (!name || !raw) return error_set(err, "%s: the file is damaged or incomplete (an entry has no name)", path);
        for (const unsigned char *p = (const unsigned char *)raw; *p; p++)
            if (*p < 0x20 || *p == 0x7f) {
                unsafe(err, name, "it contains a control character");
                return error_prefix(err, "%s", path);
            }
        size_t len = strlen(name);
        bool is_dir = len > 0 && name[len - 1] == '/';
        if (is_dir) {
            /* Directory entries are not listed, but their names must be safe
             * too: a tool extracting the zip would create them. */
            char *trimmed = xstrndup(name, len - 1);
            bool ok = package_name_is_safe(trimmed, err);
            free(trimmed);
            if (!ok) return error_prefix(err, "%s", path);
            continue;
        }
        if (!package_name_is_safe(name, err)) return error_prefix(err, "%s", path);

        zip_stat_t zs;
        zip_stat_init(&zs);
        if (zip_stat_index(pkg->za, i, 0, &zs) != 0)
            return error_set(err, "%s: the file is damaged or incomplete (cannot read the entry for \"%s\")",
                             path, printable(name, shown, sizeof shown));
        if ((zs.valid & ZIP_STAT_ENCRYPTION_METHOD) && zs.encryption_method != ZIP_EM_NONE)
            return error_set(err, "%s: \"%s\" is encrypted; lesson packages may not be encrypted", path,
                             printable(name, shown, sizeof shown));
        /* Only the two methods every zip tool writes; anything else may not
         * be readable on every player. */
        if ((zs.valid & ZIP_STAT_COMP_METHOD) && zs.comp_method != ZIP_CM_STORE &&
            zs.comp_method != ZIP_CM_DEFLATE)
            return error_set(err, "%s: \"%s\" uses an unsupported compression method (use 'outpost pack')",
                             path, printable(name, shown, sizeof shown));
        if ((zs.valid & ZIP_STAT_SIZE) && zs.size > PACKAGE_MAX_ENTRY)
            return error_set(err, "%s: \"%s\" is larger than 64 MiB, the limit for one file", path,
                             printable(name, shown, sizeof shown));
        zip_uint8_t opsys;
        zip_uint32_t attr;
        if (zip_file_get_external_attributes(pkg->za, i, 0, &opsys, &attr) == 0 &&
            opsys == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK)
            return error_set(err, "%s: \"%s\" is a symbolic link; lesson packages may not contain links",
                             path, printable(name, shown, sizeof shown));
        add_entry(pkg, name, i, (zs.valid & ZIP_STAT_SIZE) ? zs.size : 0);
    }
    return finish_index(pkg, err);
}

/* Reads entry e of a zip into a heap block, stopping as soon as more than
 * max bytes come out of the inflater: the header size is only a hint. */
static bool read_zip(Package *pkg, const Entry *e, size_t max, char **data, size_t *len, Error *err)
{
    char shown[256];
    const char *name = printable(e->name, shown, sizeof shown);
    zip_file_t *zf = zip_fopen_index(pkg->za, e->index, 0);
    if (!zf) {
        int code = zip_error_code_zip(zip_get_error(pkg->za));
        zip_error_clear(pkg->za);
        if (code == ZIP_ER_COMPNOTSUPP || code == ZIP_ER_ENCRNOTSUPP)
            return error_set(err, "%s: uses an unsupported compression or encryption method", name);
        return error_set(err, "%s: damaged (cannot find its data in the package)", name);
    }
    Buf b = {0};
    /* Preallocate what the header claims, within the cap; a lying header
     * costs at most the cap. */
    if (e->size > 0) {
        b.cap = (size_t)(e->size < max ? e->size : max) + 1;
        b.data = xmalloc(b.cap);
        b.data[0] = 0;
    }
    char chunk[65536];
    bool ok = true;
    for (;;) {
        zip_int64_t n = zip_fread(zf, chunk, sizeof chunk);
        if (n < 0) {
            int code = zip_error_code_zip(zip_file_get_error(zf));
            switch (code) {
            case ZIP_ER_CRC: error_set(err, "%s: damaged (CRC mismatch)", name); break;
            case ZIP_ER_INCONS:
                error_set(err, "%s: damaged (its size does not match the package's table of contents)", name);
                break;
            case ZIP_ER_ZLIB:
            case ZIP_ER_COMPRESSED_DATA:
                error_set(err, "%s: damaged (the compressed data is invalid)", name);
                break;
            case ZIP_ER_EOF:
            case ZIP_ER_READ:
            case ZIP_ER_SEEK:
                error_set(err, "%s: damaged or incomplete (its data is cut short)", name);
                break;
            default: error_set(err, "%s: damaged (%s)", name, zip_file_strerror(zf)); break;
            }
            ok = false;
            break;
        }
        if (n == 0) break;
        if ((size_t)n > max - b.len) {
            if (max == PACKAGE_MAX_ENTRY)
                error_set(err, "%s: larger than 64 MiB, the limit for one file", name);
            else
                error_set(err, "%s: the file is too large (over %zu bytes)", name, max);
            ok = false;
            break;
        }
        buf_append(&b, chunk, (size_t)n);
    }
    zip_fclose(zf);
    /* libzip checks the CRC but not the length; a stream that ends early or
     * late against its header is damaged (or a bomb that stayed under the
     * cap). */
    if (ok && b.len != e->size) {
        error_set(err, "%s: damaged (its size does not match the package's table of contents)", name);
        ok = false;
    }
    if (!ok) {
        buf_free(&b);
        return false;
    }
    if (len) *len = b.len;
    *data = buf_take(&b);
    return true;
}

/* ---- folder --------------------------------------------------------- */

static bool walk(Package *pkg, int dfd, const char *prefix, int depth, Error *err)
{
    if (depth > FOLDER_MAX_DEPTH)
        return error_set(err, "%s: folders are nested too deeply (more than %d levels) at \"%s\"", pkg->path,
                         FOLDER_MAX_DEPTH, prefix);
    /* fdopendir owns the descriptor it is given, so give it a duplicate. */
    int fd = dup(dfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0) close(fd);
        return error_set(err, "%s: cannot read the folder \"%s\" (%s)", pkg->path, *prefix ? prefix : ".",
                         strerror(errno));
    }
    bool ok = true;
    struct dirent *de;
    while (ok && (de = readdir(d))) {
        /* Dot-files (.git, .DS_Store, editor backups) are never part of a
         * lesson; this also skips "." and "..". */
        if (de->d_name[0] == '.') continue;
        char *name = *prefix ? xasprintf("%s/%s", prefix, de->d_name) : xstrdup(de->d_name);
        char shown[256];
        struct stat st;
        if (!package_name_is_safe(name, err)) {
            ok = error_prefix(err, "%s", pkg->path);
        } else if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            ok = error_set(err, "%s: cannot read \"%s\" (%s)", pkg->path, printable(name, shown, sizeof shown),
                           strerror(errno));
        } else if (S_ISLNK(st.st_mode)) {
            ok = error_set(err, "%s: \"%s\" is a symbolic link; lessons may not contain links (copy the file instead)",
                           pkg->path, printable(name, shown, sizeof shown));
        } else if (S_ISDIR(st.st_mode)) {
            int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                ok = error_set(err, "%s: cannot open the folder \"%s\" (%s)", pkg->path,
                               printable(name, shown, sizeof shown), strerror(errno));
            } else {
                ok = walk(pkg, sub, name, depth + 1, err);
                close(sub);
            }
        } else if (!S_ISREG(st.st_mode)) {
            ok = error_set(err, "%s: \"%s\" is not a regular file", pkg->path, printable(name, shown, sizeof shown));
        } else if ((uint64_t)st.st_size > PACKAGE_MAX_ENTRY) {
            ok = error_set(err, "%s: \"%s\" is larger than 64 MiB, the limit for one file", pkg->path,
                           printable(name, shown, sizeof shown));
        } else if (pkg->n >= PACKAGE_MAX_ENTRIES) {
            ok = error_set(err, "%s: the lesson holds too many files (the limit is %d)", pkg->path,
                           PACKAGE_MAX_ENTRIES);
        } else {
            add_entry(pkg, name, 0, (uint64_t)st.st_size);
            pkg->disk_size += (uint64_t)st.st_size;
            name = NULL; /* now owned by the index */
        }
        free(name);
    }
    closedir(d);
    return ok;
}

static bool open_folder(Package *pkg, Error *err)
{
    pkg->dirfd = open(pkg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pkg->dirfd < 0) return error_set(err, "%s: cannot open the folder (%s)", pkg->path, strerror(errno));
    if (!walk(pkg, pkg->dirfd, "", 0, err)) return false;
    return finish_index(pkg, err);
}

/* Opens name below the package folder one component at a time, refusing
 * links, so a folder changed after package_open still cannot lead outside. */
static int open_beneath(int rootfd, const char *name)
{
    int fd = dup(rootfd);
    const char *c = name;
    while (fd >= 0) {
        const char *slash = strchr(c, '/');
        if (!slash) {
            int f = openat(fd, c, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
            int saved = errno;
            close(fd);
            errno = saved;
            return f;
        }
        char *part = xstrndup(c, (size_t)(slash - c));
        int sub = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        free(part);
        close(fd);
        errno = saved;
        fd = sub;
        c = slash + 1;
    }
    return -1;
}

static bool read_file_entry(Package *pkg, const Entry *e, size_t max, char **data, size_t *len, Error *err)
{
    char shown[256];
    const char *name = printable(e->name, shown, sizeof shown);
    int fd = open_beneath(pkg->dirfd, e->name);
    if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
            return error_set(err, "%s: cannot open (it was replaced by a link after the lesson was opened)", name);
        return error_set(err, "%s: cannot open (%s)", name, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return error_set(err, "%s: not a regular file", name);
    }
    /* Blocking reads from here on (O_NONBLOCK only guarded the open). */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    Buf b = {0};
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error_set(err, "%s: read error (%s)", name, strerror(errno));
            break;
        }
        if (n == 0) {
            close(fd);
            if (len) *len = b.len;
            *data = b.data ? buf_take(&b) : xstrdup("");
            return true;
        }
        if ((size_t)n > max - b.len) {
            if (max == PACKAGE_MAX_ENTRY)
                error_set(err, "%s: larger than 64 MiB, the limit for one file", name);
            else
                error_set(err, "%s: the file is too large (over %zu bytes)", name, max);
            break;
        }
        buf_append(&b, chunk, (size_t)n);
    }
    close(fd);
    buf_free(&b);
    return false;
}

/* ---- public --------------------------------------------------------- */

Package *package_open(const char *path, Error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT) error_set(err, "%s: no such file or folder", path);
        else error_set(err, "%s: cannot open (%s)", path, strerror(errno));
        return NULL;
    }
    Package *pkg = xcalloc(1, sizeof *pkg);
    pkg->path = xstrdup(path);
    pkg->dirfd = -1;
    bool ok = S_ISDIR(st.st_mode) ? open_folder(pkg, err) : open_zip(pkg, err);
    if (!ok) {
        package_close(pkg);
        return NULL;
    }
    return pkg;
}

void package_close(Package *pkg)
{
    if (!pkg) return;
    if (pkg->za) {
        zip_discard(pkg->za); /* read-only: nothing to write back */
    } else {
        for (int i = 0; i < pkg->n; i++) free((char *)pkg->entries[i].name);
    }
    if (pkg->dirfd >= 0) close(pkg->dirfd);
    free(pkg->entries);
    free(pkg->path);
    free(pkg);
}

const char *package_path(const Package *pkg) { return pkg->path; }
bool package_is_zip(const Package *pkg) { return pkg->za != NULL; }
uint64_t package_disk_size(const Package *pkg) { return pkg->disk_size; }
int package_count(const Package *pkg) { return pkg->n; }

const char *package_name(const Package *pkg, int i)
{
    return i >= 0 && i < pkg->n ? pkg->entries[i].name : NULL;
}

bool package_has(const Package *pkg, const char *name) { return name && find_entry(pkg, name) != NULL; }

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

bool package_read_max(Package *pkg, const char *name, size_t max, char **data, size_t *len, Error *err)
{
    *data = NULL;
    if (len) *len = 0;
    const Entry *e = name ? find_entry(pkg, name) : NULL;
    if (!e) {
        char shown[256];
        return error_set(err, "%s: not found in %s", name ? printable(name, shown, sizeof shown) : "(null)",
                         base_name(pkg->path));
    }
    if (max > PACKAGE_MAX_ENTRY) max = PACKAGE_MAX_ENTRY;
    return pkg->za ? read_zip(pkg, e, max, data, len, err) : read_file_entry(pkg, e, max, data, len, err);
}

bool package_read(Package *pkg, const char *name, char **data, size_t *len, Error *err)
{
    return package_read_max(pkg, name, PACKAGE_MAX_ENTRY, data, len, err);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *package_resolve(const char *from, const char *target)
{
    if (!from || !target) return NULL;
    /* An external URL has a scheme ("https:", "mailto:") before any '/', or
     * starts with "//" (same scheme, other host). */
    const char *t = target;
    if (t[0] == '/' && t[1] == '/') return NULL;
    if ((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z')) {
        const char *p = t;
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' ||
               *p == '-' || *p == '.')
            p++;
        if (*p == ':') return NULL;
    }
    size_t tlen = strcspn(t, "#?");
    if (tlen == 0) return package_name_is_safe(from, NULL) ? xstrdup(from) : NULL; /* "#section": same page */

    /* Percent-decode first (Markdown writes a space as %20), then normalise,
     * so an encoded "%2e%2e" is treated exactly like "..". */
    Buf in = {0};
    if (t[0] != '/') {
        const char *slash = strrchr(from, '/');
        if (slash) buf_append(&in, from, (size_t)(slash - from + 1));
    }
    for (size_t i = 0; i < tlen; i++) {
        int hi, lo;
        if (t[i] == '%' && i + 2 < tlen && (hi = hexval(t[i + 1])) >= 0 && (lo = hexval(t[i + 2])) >= 0) {
            char c = (char)(hi * 16 + lo);
            if (c == 0) { /* an encoded NUL can only be hostile */
                buf_free(&in);
                return NULL;
            }
            buf_putc(&in, c);
            i += 2;
        } else {
            buf_putc(&in, t[i]);
        }
    }
    buf_cstr(&in);

    /* Normalise: drop empty and "." parts, let ".." pop; popping past the
     * root means the target leaves the lesson. */
    Buf out = {0};
    bool ok = true;
    char *save = NULL;
    for (char *part = strtok_r(in.data, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0) continue;
        if (strcmp(part, "..") == 0) {
            if (out.len == 0) {
                ok = false;
                break;
            }
            while (out.len > 0 && out.data[out.len - 1] != '/') out.len--;
            if (out.len > 0) out.len--; /* the '/' before the popped part */
            out.data[out.len] = 0;
            continue;
        }
        if (out.len) buf_putc(&out, '/');
        buf_puts(&out, part);
    }
    buf_free(&in);
    if (!ok || out.len == 0 || !package_name_is_safe(out.data, NULL)) {
        buf_free(&out);
        return NULL;
    }
    return buf_take(&out);
}
