/* helpers: scratch folders and files for the package tests. Every test
 * executable takes FIXTURES_DIR [PYTHON MKZIPS] as arguments (see
 * meson.build) and works only below a fresh temporary folder. */
#ifndef OUTPOST_TEST_PACKAGE_HELPERS_H
#define OUTPOST_TEST_PACKAGE_HELPERS_H

#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char *fixtures_dir, *python_path, *mkzips_path;

static inline void helpers_init(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIXTURES_DIR [PYTHON MKZIPS]\n", argv[0]);
        exit(2);
    }
    fixtures_dir = argv[1];
    if (argc >= 4) {
        python_path = argv[2];
        mkzips_path = argv[3];
    }
}

/* A fresh empty folder; the caller frees the name and removes the folder
 * with rm_rf(). */
static inline char *tmpdir_make(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/outpost-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        exit(1);
    }
    return tmpl;
}

static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static inline void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes len bytes to dir/rel, creating folders on the way. */
static inline void write_bytes(const char *dir, const char *rel, const void *data, size_t len)
{
    char *path = xasprintf("%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    Error err;
    if (!mkdir_p(path, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    *slash = '/';
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    free(path);
}

static inline void write_file(const char *dir, const char *rel, const char *text)
{
    write_bytes(dir, rel, text, strlen(text));
}

/* Reads a whole file (caller frees), or NULL. */
static inline char *slurp(const char *path, size_t *len)
{
    char *data = NULL;
    Error err;
    if (!file_read_all(path, (size_t)1 << 30, &data, len, &err)) return NULL;
    return data;
}

/* Runs mkzips.py into a new folder and returns its name (caller frees and
 * removes it), or NULL if python is not available. */
static inline char *make_zips(void)
{
    if (!python_path) return NULL;
    char *dir = tmpdir_make();
    char *cmd = xasprintf("'%s' '%s' '%s/good' '%s'", python_path, mkzips_path, fixtures_dir, dir);
    int rc = system(cmd);
    free(cmd);
    if (rc != 0) {
        fprintf(stderr, "mkzips.py failed (%d)\n", rc);
        exit(1);
    }
    return dir;
}

/* Path of a file in a folder (caller frees). */
static inline char *join(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

#endif
