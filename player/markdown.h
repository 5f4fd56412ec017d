/* markdown: parses a Markdown page (CommonMark + tables, through md4c) into a
 * flat list of blocks that the page layout places. Nesting (lists inside
 * lists, lists inside callouts) is kept as indent and quote depths on each
 * block, which is all the layout needs. */
#ifndef OUTPOST_MARKDOWN_H
#define OUTPOST_MARKDOWN_H

#include "util.h"

typedef enum DocBlockType {
    DOC_PARA,
    DOC_HEADING, /* level 1..6 */
    DOC_CODE,    /* a code block: spans hold the text, TEXT_MONO */
    DOC_HR,
    DOC_IMAGE,   /* image: src (as written) and alt */
    DOC_TABLE,
} DocBlockType;

typedef struct DocSpan {
    char *text;     /* UTF-8, NUL-terminated */
    size_t len;
    unsigned style; /* TEXT_BOLD | TEXT_ITALIC | TEXT_MONO | TEXT_UNDERLINE */
    int link;       /* 1-based index into Doc.links, 0 = not a link */
} DocSpan;

typedef struct DocSpans {
    DocSpan *v;
    int n;
} DocSpans;

typedef struct DocCell {
    DocSpans spans;
    int align; /* TEXT_ALIGN_* */
} DocCell;

typedef struct DocBlock {
    DocBlockType type;
    int level;      /* heading level */
    int indent;     /* list nesting depth (0 = not in a list) */
    int quote;      /* callout (block quote) nesting depth */
    int quote_id;   /* which callout the block belongs to, for drawing its box */
    char *marker;   /* list marker on the first block of an item ("•", "3."), else NULL */
    bool tight;     /* paragraph in a tight list: less space after */
    DocSpans spans;
    char *src, *alt; /* DOC_IMAGE */
    int n_rows, n_cols, n_head_rows; /* DOC_TABLE */
    DocCell *cells;  /* n_rows * n_cols, row-major */
} DocBlock;

typedef struct Doc {
    DocBlock *blocks;
    int n_blocks;
    char **links; /* link targets as written in the page */
    int n_links;
    char *title;  /* text of the first heading, or NULL */
} Doc;

/* Parses text. Never fails on content: anything md4c accepts becomes blocks
 * (raw HTML is shown as text). Returns NULL only if md4c itself reports an
 * error, with a reason naming `name`. The caller frees with doc_free(). */
Doc *doc_parse(const char *name, const char *text, size_t len, Error *err);
void doc_free(Doc *doc);

/* The first level-1..3 heading's text of a Markdown source, without parsing
 * the whole page (for tables of contents). Heap string or NULL. */
char *doc_first_heading(const char *text, size_t len);

#endif
