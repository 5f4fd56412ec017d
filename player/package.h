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

typedef struct Package Package;

/* Opens a lesson folder or .lesson file. Checks that it is a readable zip (or
 * folder), that every entry name is safe (see package_name_is_safe) and that
 * lesson.lua is present. Returns NULL and a reason naming the file on failure.
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

/* True if name is a safe relative entry name: not empty, no leading '/',
 * no '\\', no drive letter ("C:"), no "." or ".." component, no NUL or
 * control characters. On false, err says why. */
bool package_name_is_safe(const char *name, Error *err);

/* Resolves a link or image target written in page `from` (e.g.
 * "pages/01-intro.md") into an entry name: "02-next.md" -> "pages/02-next.md",
 * "../images/a.png" -> "images/a.png". A leading '/' means the lesson root.
 * Drops any "#fragment" or "?query". Returns a heap string the caller frees,
 * or NULL if the target leaves the lesson root or is an external URL. */
char *package_resolve(const char *from, const char *target);

#endif
