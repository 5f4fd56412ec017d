/* Shared fixtures for the store tests: a scratch folder and small lessons. */
#ifndef STORE_TEST_HELPERS_H
#define STORE_TEST_HELPERS_H

/* nftw() for cleaning scratch folders. */
#define _XOPEN_SOURCE 700

#include "store.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes a folder tree (test scratch only). */
static inline void rm_rf(const char *dir) { nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

/* A new empty folder under $TMPDIR or /tmp; caller frees and rm_rf's it. */
static inline char *scratch_dir(const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    char *tpl = xasprintf("%s/outpost-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
    if (!mkdtemp(tpl)) {
        perror("mkdtemp");
        exit(1);
    }
    return tpl;
}

/* Version 1 of a lesson: two reading pages and a quiz. */
__attribute__((unused)) static ManifestPage g_pages_v1[] = {
    {"pages/01-intro.md", "intro", "Introduction", PAGE_MARKDOWN},
    {"pages/02-rules.md", "rules", NULL, PAGE_MARKDOWN},
    {"quiz/check.lua", "quiz1", "Check yourself", PAGE_QUIZ},
};
__attribute__((unused)) static Manifest g_lesson_v1 = {
    .id = "wco.valuation.basics", .version = "1.0.0", .title = "Valuation basics",
    .language = "en", .pages = g_pages_v1, .n_pages = 3,
};
/* Version 2: "rules" and "quiz1" are gone, "tariffs" and "quiz2" are new. */
__attribute__((unused)) static ManifestPage g_pages_v2[] = {
    {"pages/01-intro.md", "intro", "Introduction", PAGE_MARKDOWN},
    {"pages/03-tariffs.md", "tariffs", "Tariffs", PAGE_MARKDOWN},
    {"quiz/final.lua", "quiz2", "Final check", PAGE_QUIZ},
};
__attribute__((unused)) static Manifest g_lesson_v2 = {
    .id = "wco.valuation.basics", .version = "2.0.0", .title = "Valuation basics",
    .language = "en", .pages = g_pages_v2, .n_pages = 3,
};
/* A Thai lesson whose page ids need percent-encoding. */
__attribute__((unused)) static ManifestPage g_pages_th[] = {
    {"pages/บทนำ.md", "pages/บทนำ", "บทนำ", PAGE_MARKDOWN},
    {"quiz/q.lua", "quiz 1", "แบบทดสอบ", PAGE_QUIZ},
};
__attribute__((unused)) static Manifest g_lesson_th = {
    .id = "wco.origin.th", .version = "1.2", .title = "ถิ่นกำเนิดสินค้า",
    .language = "th", .pages = g_pages_th, .n_pages = 2,
};

/* One integer from a query on the store's connection (-1 on error). */
static inline long long q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* One text from a query (heap, caller frees; NULL on error or no row). */
static inline char *q_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    char *v = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return NULL;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        v = xstrdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return v;
}

#endif
