/* manifest: loads lesson.lua, the lesson's manifest, as data. The file is a
 * Lua chunk that returns a table; it runs in a sandbox with no libraries and
 * no globals, within SANDBOX_MANIFEST_LIMITS. See docs/package-format.md. */
#ifndef OUTPOST_MANIFEST_H
#define OUTPOST_MANIFEST_H

#include "package.h"

typedef enum PageKind { PAGE_MARKDOWN, PAGE_QUIZ } PageKind;

typedef struct ManifestPage {
    char *path;  /* entry name, e.g. "pages/01-intro.md" */
    char *id;    /* stable id: given in the manifest, else the path without
                    its extension ("pages/01-intro") */
    char *title; /* given in the manifest, else NULL (the UI then uses the
                    page's first heading) */
    PageKind kind;
} ManifestPage;

typedef struct Manifest {
    char *id;          /* required, e.g. "wco.valuation.basics" */
    char *version;     /* required, e.g. "1.0.0" */
    char *title;       /* required */
    char *language;    /* required BCP 47 tag, e.g. "en", "th", "zh-Hans" */
    char *description; /* optional, else NULL */
    char *cover;       /* optional image entry, else NULL */
    char *publisher;   /* optional */
    char *license;     /* optional */
    char **authors;    /* optional list */
    int n_authors;
    int minutes;       /* optional estimated study time, 0 if absent */
    ManifestPage *pages;
    int n_pages;       /* at least 1 */
} Manifest;

/* Reads and evaluates lesson.lua from pkg and checks its shape and that every
 * listed page exists in the package. On failure returns NULL and a one-line
 * reason naming the file, the line where known, and the field:
 * "lesson.lua:4: field 'version': expected a string, got a number".
 * The caller frees with manifest_free(). */
Manifest *manifest_load(Package *pkg, Error *err);
void manifest_free(Manifest *m);

/* Index of the page with this entry path or id, or -1. */
int manifest_find_page(const Manifest *m, const char *path_or_id);

#endif
