/* package: reads a lesson, either a folder (authoring) or a .lesson zip
 * (distribution), read in place through libzip and never extracted to disk.
 * Entry names are always '/'-separated paths relative to the lesson root. */
#ifndef OUTPOST_PACKAGE_H
#define OUTPOST_PACKAGE_H

#include "util.h"

/* No single entry may be larger than this once uncompressed. The limit is
 * enforced on the bytes actually inflated, not only on the zip header. */
#define PACKAGE_MAX_ENTRY ((size_t)64 << 20)
/* A package may hold at most this many entries. */
#define PACKAGE_MAX_ENTRIES 20000

/* A Package is not thread-safe: use one from one thread at a time. */
typedef struct Package Package;

/* Opens a lesson folder or .lesson file. Checks that it is a readable zip (or
 * folder), that every entry name is safe (see package_name_is_safe) and that
 * lesson.lua is present. Also refuses symbolic links, a name listed twice,
 * encrypted entries or methods other than stored/deflate, more than
 * PACKAGE_MAX_ENTRIES files, and any file whose size (as the zip header or
 * the file system says) is over PACKAGE_MAX_ENTRY. Folders skip dot-files.
 * Zip data is not inflated here (opening is fast); damage and zip bombs are
 * caught by package_read. Returns NULL and a reason naming the file on failure.
 * The caller frees with package_close(). */
Package *package_open(const char *path, Error *err);
void package_close(Package *pkg);

/* The path it was opened from (owned by the package). */
const char *package_path(const Package *pkg);
bool package_is_zip(const Package *pkg);
/* Size in bytes of the .lesson file, or the sum of the folder's files. */
uint64_t package_disk_size(const Package *pkg);

/* Regular-file entries, sorted by name (directories are not listed).
 * Names are owned by the package. */
int package_count(const Package *pkg);
const char *package_name(const Package *pkg, int i);
bool package_has(const Package *pkg, const char *name);

/* Reads one entry into a NUL-terminated heap block the caller frees.
 * Fails with "NAME: not found in PACKAGE", "...: larger than 64 MiB",
 * "...: damaged (CRC mismatch)" and the like. */
bool package_read(Package *pkg, const char *name, char **data, size_t *len, Error *err);
/* As package_read, but refuses an entry that yields more than max bytes
 * (max is itself capped at PACKAGE_MAX_ENTRY): "NAME: the file is too large
 * (over N bytes)". For files with a smaller natural limit, like lesson.lua. */
bool package_read_max(Package *pkg, const char *name, size_t max, char **data, size_t *len,
                      Error *err);

/* True if name is a safe relative entry name: not empty, no leading '/',
 * no '\\', no drive letter ("C:"), no "." or ".." component, no NUL or
 * control characters; also no empty component ("a//b"), valid UTF-8 and at
 * most 1024 bytes. On false, err says why: 'file name "NAME" is not allowed:
 * REASON'. err may be NULL. */
bool package_name_is_safe(const char *name, Error *err);

/* Resolves a link or image target written in page `from` (e.g.
 * "pages/01-intro.md") into an entry name: "02-next.md" -> "pages/02-next.md",
 * "../images/a.png" -> "images/a.png". A leading '/' means the lesson root.
 * Drops any "#fragment" or "?query"; a bare "#fragment" resolves to `from`
 * itself. %XX escapes are decoded before ".." is resolved. Returns a heap
 * string the caller frees, or NULL if the target leaves the lesson root, is
 * an external URL ("https:", "mailto:", "//host") or is not a safe name. */
char *package_resolve(const char *from, const char *target);

#endif
