/* util: small helpers every subsystem uses: error reporting, checked
 * allocation, growable buffers, whole-file reads and a monotonic clock. */
#ifndef OUTPOST_UTIL_H
#define OUTPOST_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A readable reason for a failure, filled by the function that failed.
 * Messages are plain English and name the file they are about, e.g.
 * "lesson.lua:3: field 'pages': expected a list of file names". */
typedef struct Error {
    char msg[768];
} Error;

/* Sets err->msg (printf-style). err may be NULL. Always returns false so
 * callers can write `return error_set(err, ...);`. */
bool error_set(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes an existing message: "prefix: old message". */
bool error_prefix(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Allocation that cannot fail: on exhaustion prints a message and exits.
 * Used for small, bounded allocations; large input-driven sizes are checked
 * against explicit limits before they reach these. Free with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Growable byte buffer; data is always NUL-terminated when len > 0 or after
 * buf_cstr(). The owner calls buf_free(). */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;
void buf_append(Buf *b, const void *data, size_t len);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *buf_cstr(Buf *b);
/* Hands the data to the caller (who frees it) and resets the buffer. */
char *buf_take(Buf *b);
void buf_free(Buf *b);

/* Reads a whole file into a NUL-terminated heap block (caller frees).
 * Fails with a reason if the file is missing, unreadable or larger than max. */
bool file_read_all(const char *path, size_t max, char **out, size_t *len, Error *err);
/* Writes a file atomically (temp file, fsync, rename). */
bool file_write_atomic(const char *path, const void *data, size_t len, Error *err);
bool path_is_dir(const char *path);
bool path_is_file(const char *path);
bool str_ends_with(const char *s, const char *suffix);
/* Creates a directory and its parents (mode 0700 for new ones). */
bool mkdir_p(const char *path, Error *err);

/* Milliseconds from a monotonic clock. */
double time_now_ms(void);

/* UTF-8 decoding: returns the code point at *p and advances *p; invalid
 * sequences yield U+FFFD and advance one byte. */
uint32_t utf8_next(const char **p, const char *end);
/* Encodes cp into out (at least 4 bytes); returns bytes written. */
int utf8_encode(uint32_t cp, char *out);

/* 64-bit FNV-1a hash, for cache keys. */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);

#endif
