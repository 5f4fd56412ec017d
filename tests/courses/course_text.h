/* Small text helpers shared by the course quiz tests (test_courses.c and
 * mkreplay.c): splitting the kit's answer strings and finding options. */
#ifndef OUTPOST_TESTS_COURSE_TEXT_H
#define OUTPOST_TESTS_COURSE_TEXT_H

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Pieces of a string; free with parts_free(). */
typedef struct Parts {
    char **v;
    int n;
} Parts;

static Parts split(const char *s, const char *sep)
{
    Parts p = {0};
    size_t sl = strlen(sep);
    for (;;) {
        const char *e = strstr(s, sep);
        size_t n = e ? (size_t)(e - s) : strlen(s);
        p.v = xrealloc(p.v, (size_t)(p.n + 1) * sizeof *p.v);
        p.v[p.n++] = xstrndup(s, n);
        if (!e) break;
        s = e + sl;
    }
    return p;
}

static void parts_free(Parts *p)
{
    for (int i = 0; i < p->n; i++) free(p->v[i]);
    free(p->v);
}

static int find_text(char **list, int n, const char *t)
{
    for (int i = 0; i < n; i++)
        if (list[i] && strcmp(list[i], t) == 0) return i;
    return -1;
}

#endif
