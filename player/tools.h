/* tools: the instructor's command-line tools (docs/instructor-tools.md):
 *   check.c     `outpost check`: everything the player would trip on
 *   pack.c      `outpost pack` and the one deterministic .lesson writer
 *   sign.c      `outpost keygen | sign | verify | trust`, and the player's
 *               signature check sign_verify_package()
 *   patch.c     `outpost diff | apply`: small update packages
 *   newlesson.c `outpost new`: a starter lesson
 *
 * Ownership: every struct below owns the heap memory its pointers refer to
 * unless a comment says otherwise, and is released by its *_free function.
 * None of this is thread-safe; the tools run on the main thread. */
#ifndef OUTPOST_TOOLS_H
#define OUTPOST_TOOLS_H

#include "package.h"

#include <stdio.h>

#define TOOLS_CHECKSUMS "CHECKSUMS"
#define TOOLS_SIGNATURE "SIGNATURE"

/* ---- files of a lesson held in memory (pack.c) ---------------------- */

typedef struct LessonFile {
    char *name; /* entry name, heap, owned */
    char *data; /* contents, heap, owned (NUL-terminated as package_read gives) */
    size_t len;
} LessonFile;

typedef struct LessonFiles {
    LessonFile *v; /* heap array, owned */
    int n, cap;
} LessonFiles;

/* Appends a file; takes over `data` (freed by lesson_files_free), copies name. */
void lesson_files_add(LessonFiles *f, const char *name, char *data, size_t len);
/* The file with this name, or NULL. Linear: only for a few look-ups. */
LessonFile *lesson_files_find(LessonFiles *f, const char *name);
/* Removes (and frees) the file with this name, if there is one. */
void lesson_files_remove(LessonFiles *f, const char *name);
void lesson_files_sort(LessonFiles *f);
void lesson_files_free(LessonFiles *f);

/* The CHECKSUMS text pack writes for these files: one "HEX  NAME\n" line per
 * file, sorted by name, CHECKSUMS and SIGNATURE left out. Heap, caller frees. */
char *lesson_checksums(const LessonFiles *files, size_t *len);

/* THE deterministic .lesson writer, shared by pack, sign and apply so that the
 * same files always give the same bytes: entries sorted by name, CHECKSUMS
 * computed here (a CHECKSUMS in `files` is ignored), a SIGNATURE in `files`
 * written as it is, fixed dates, permissions and compression per name.
 * Writes to a temporary file next to `out`, checks its SHA-256 against
 * `expect_sha256` if not NULL (32 bytes; a mismatch leaves `out` untouched),
 * flushes it and renames it to `out`. If `sha256_out` is not NULL it receives
 * the SHA-256 of the written file. sodium_init() must have been called. */
bool lesson_write(const char *out, const LessonFiles *files, const unsigned char *expect_sha256,
                  unsigned char *sha256_out, Error *err);

/* SHA-256 of a whole file, streamed. */
bool file_sha256(const char *path, unsigned char out[32], Error *err);

/* Reads every entry of pkg into files (sorted, as the package lists them). */
bool lesson_files_read(Package *pkg, LessonFiles *files, Error *err);

/* ---- check (check.c) ------------------------------------------------ */

typedef enum CheckLevel { CHECK_WARNING, CHECK_ERROR } CheckLevel;

typedef struct CheckMessage {
    CheckLevel level;
    char *file; /* entry name ("pages/01.md"), or the lesson path for whole-lesson problems */
    int line;   /* 1-based; 0 = no line (the file as a whole) */
    char *text; /* plain English, no trailing newline */
} CheckMessage;

typedef struct CheckReport {
    CheckMessage *msgs; /* heap array, owned, in the order found */
    int n, cap;
    int n_errors, n_warnings;
    int n_pages, n_quizzes, n_images;
    char *summary;      /* "12 pages, 3 quizzes, 8 images: md 34 kB, ..." */
    LessonFiles files;  /* every entry's bytes, kept only if CheckOptions.keep_files */
} CheckReport;

typedef struct CheckOptions {
    bool keep_files; /* keep every entry read (pack writes them without reading again) */
    int quiz_seeds;  /* seeds for each quiz's self-test; 0 means 200 */
    bool no_fonts;   /* skip the glyph check (for callers without SDL) */
} CheckOptions;

/* Checks an open lesson. Fills rep (caller frees with check_report_free) and
 * returns true if it could run, whatever it found; false with a reason only
 * when the check itself cannot run (e.g. SDL_ttf will not start). */
bool check_package(Package *pkg, const CheckOptions *opt, CheckReport *rep, Error *err);
void check_report_free(CheckReport *rep);
/* For commands about to exit, after check_package: frees fontconfig's
 * process-wide state. Never while a text engine is in use. */
void check_release_fonts(void);
/* Prints each message as "FILE:LINE: error: TEXT" to f. */
void check_report_print(const CheckReport *rep, FILE *f);

/* ---- signing (sign.c) ----------------------------------------------- */

typedef enum SignStatus {
    SIGN_UNSIGNED,  /* no SIGNATURE entry: nothing to verify (not an error) */
    SIGN_VERIFIED,  /* signed by a trusted key and every entry matches */
    SIGN_UNTRUSTED, /* a valid signature, but by a key that is not trusted here */
    SIGN_INVALID,   /* a bad signature, or content changed, added or removed */
} SignStatus;

/* Verifies pkg's SIGNATURE against the trusted keys in keys_dir (NULL means
 * paths_keys_dir()), then that every entry's SHA-256 matches CHECKSUMS and
 * that no entry is missing from it or extra to it (CHECKSUMS and SIGNATURE
 * aside). Reads every entry once. Returns true for SIGN_VERIFIED and for
 * SIGN_UNSIGNED; false with a plain reason otherwise ("pages/02.md has been
 * changed since the lesson was signed"). On SIGN_VERIFIED and SIGN_UNTRUSTED,
 * *publisher_out (if not NULL) gets the publisher's name, heap, caller frees;
 * otherwise it is set to NULL. */
bool sign_verify_package(Package *pkg, const char *keys_dir, char **publisher_out,
                         SignStatus *status, Error *err);

#endif
