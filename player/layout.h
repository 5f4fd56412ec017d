/* layout: places a parsed Markdown page (markdown.h) into a column of a given
 * width: text blocks through the text engine, callout boxes, list markers,
 * table grids with sized columns, images scaled to the column, rules. The
 * result is a display list that is drawn many times (scrolling, redraws)
 * without being laid out again. */
#ifndef OUTPOST_LAYOUT_H
#define OUTPOST_LAYOUT_H

#include "image.h"
#include "markdown.h"
#include "package.h"
#include "text.h"
#include "theme.h"

typedef struct LayoutParams {
    int width;          /* column width in pixels */
    float scale;        /* pixels per unscaled pixel (HiDPI x text size) */
    const Theme *theme;
    const char *lang;   /* the lesson's language */
} LayoutParams;

typedef enum LayoutKind { LI_RECT, LI_TEXT, LI_IMAGE, LI_FRAME } LayoutKind;

typedef struct LayoutItem {
    LayoutKind kind;
    int x, y, w, h;     /* relative to the page's top-left */
    uint32_t color;     /* LI_RECT fill, LI_FRAME outline */
    TextBlock *text;    /* LI_TEXT, owned by the layout */
    int image;          /* LI_IMAGE: index into PageLayout.images */
} LayoutItem;

/* A clickable region of a link: link is 1-based into the Doc's links. */
typedef struct LayoutLink {
    int x, y, w, h;
    int link;
} LayoutLink;

typedef struct PageImage {
    Image img;
    bool ok;
    SDL_Texture *tex;   /* made on first draw, for the renderer given */
    int tex_w, tex_h;
} PageImage;

typedef struct PageLayout {
    LayoutItem *items;
    int n_items;
    LayoutLink *links;
    int n_links;
    PageImage *images;
    int n_images;
    int width, height;  /* the page's extent */
    int missing;        /* characters without a font */
    char **problems;    /* images that could not be shown: "images/x.png: reason" */
    int n_problems;
} PageLayout;

/* Lays out doc. Images are read from pkg relative to page_path; an image
 * that cannot be read is laid out as a box with its alt text and the reason,
 * and listed in ->problems. The caller frees with page_layout_free(). */
PageLayout *layout_page(TextEngine *te, const Doc *doc, Package *pkg, const char *page_path,
                        const LayoutParams *p);
void page_layout_free(PageLayout *pl);

/* Draws the items that intersect rows [clip_top, clip_bottom) of the page
 * with the page's top-left at (x, y). */
void layout_draw(PageLayout *pl, TextEngine *te, SDL_Renderer *r, int x, int y, int clip_top,
                 int clip_bottom);

/* The 1-based link under page point (px, py), or 0. */
int layout_link_at(const PageLayout *pl, int px, int py);

#endif
