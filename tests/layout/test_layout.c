/* Unit tests for the Markdown-to-layout step: markdown.c turns a page into
 * blocks; layout.c places them in a column. */
#include "layout.h"
#include "markdown.h"
#include "package.h"
#include "text.h"
#include "theme.h"
#include "testlib.h"

#include <SDL2/SDL.h>
#include <stdlib.h>

static const char *PAGE =
    "# Title *one*\n\n"
    "Para with **bold**, *em*, `code` and [a link](02-next.md).\n\n"
    "> **Note:** a callout\n> with two lines.\n\n"
    "- item one\n  - nested\n    1. deep\n- item two\n\n"
    "3. three\n4. four\n\n"
    "| A | Bee |\n|---|--:|\n| 1 | two words here |\n| 3 | 4 |\n\n"
    "![Alt text](../images/x.png)\n\n"
    "---\n\n"
    "```\ncode block\nline 2\n```\n\n"
    "&amp; &#x41; &bogus;\n";

static Doc *parse(const char *src)
{
    Error err;
    Doc *d = doc_parse("pages/01.md", src, strlen(src), &err);
    CHECK(d != NULL);
    return d;
}

TEST(blocks_and_nesting)
{
    Doc *d = parse(PAGE);
    CHECK_STR(d->title, "Title one");
    int headings = 0, paras = 0, tables = 0, images = 0, hrs = 0, codes = 0, quoted = 0;
    int max_indent = 0;
    for (int i = 0; i < d->n_blocks; i++) {
        DocBlock *b = &d->blocks[i];
        headings += b->type == DOC_HEADING;
        paras += b->type == DOC_PARA;
        tables += b->type == DOC_TABLE;
        images += b->type == DOC_IMAGE;
        hrs += b->type == DOC_HR;
        codes += b->type == DOC_CODE;
        quoted += b->quote > 0;
        if (b->indent > max_indent) max_indent = b->indent;
        if (b->type == DOC_IMAGE) {
            CHECK_STR(b->src, "../images/x.png");
            CHECK_STR(b->alt, "Alt text");
        }
        if (b->type == DOC_TABLE) {
            CHECK(b->n_cols == 2 && b->n_rows == 3 && b->n_head_rows == 1);
            CHECK_STR(b->cells[1].spans.v[0].text, "Bee");
            CHECK(b->cells[1].align == TEXT_ALIGN_RIGHT);
            CHECK_STR(b->cells[3].spans.v[0].text, "two words here");
        }
        if (b->type == DOC_CODE) CHECK_STR(b->spans.v[0].text, "code block\nline 2");
    }
    CHECK(headings == 1 && tables == 1 && images == 1 && hrs == 1 && codes == 1);
    CHECK(quoted == 1);
    CHECK(max_indent == 3);
    CHECK(paras >= 7);
    CHECK(d->n_links == 1);
    CHECK_STR(d->links[0], "02-next.md");
    doc_free(d);
}

TEST(markers_and_styles)
{
    Doc *d = parse("3. three\n4. four\n\nSome **bold** and *it* and `mono` [l](x.md)\n");
    CHECK_STR(d->blocks[0].marker, "3.");
    CHECK_STR(d->blocks[1].marker, "4.");
    DocBlock *p = &d->blocks[2];
    unsigned seen = 0;
    for (int i = 0; i < p->spans.n; i++) {
        seen |= p->spans.v[i].style;
        if (p->spans.v[i].link) CHECK_STR(p->spans.v[i].text, "l");
    }
    CHECK(seen & TEXT_BOLD);
    CHECK(seen & TEXT_ITALIC);
    CHECK(seen & TEXT_MONO);
    CHECK(seen & TEXT_UNDERLINE);
    doc_free(d);
}

TEST(entities_and_first_heading)
{
    Doc *d = parse("&amp; &#x41; &bogus; &#0;\n");
    Buf b = {0};
    for (int i = 0; i < d->blocks[0].spans.n; i++) buf_puts(&b, d->blocks[0].spans.v[i].text);
    CHECK_CONTAINS(buf_cstr(&b), "& A &bogus; \xEF\xBF\xBD");
    buf_free(&b);
    doc_free(d);
    const char *src = "```\n# not a heading\n```\nText\n## The *real* one ##\n";
    char *h = doc_first_heading(src, strlen(src));
    CHECK_STR(h, "The real one");
    free(h);
}

static TextEngine *te;
static Package *pkg;

static PageLayout *lay(const Doc *d, int width, float scale)
{
    LayoutParams p = {width, scale, theme_get(false), "en"};
    return layout_page(te, d, pkg, "pages/01.md", &p);
}

TEST(layout_fits_column_and_reflows)
{
    Doc *d = parse(PAGE);
    PageLayout *wide = lay(d, 700, 1.0f), *narrow = lay(d, 160, 1.0f);
    CHECK(wide->height > 0);
    CHECK(narrow->height > wide->height);
    for (int i = 0; i < narrow->n_items; i++) {
        const LayoutItem *li = &narrow->items[i];
        if (li->kind == LI_TEXT) CHECK(li->x + li->w <= 160 + 1);
    }
    CHECK(wide->missing == 0);
    /* The link is clickable where it was laid out. */
    CHECK(wide->n_links >= 1);
    const LayoutLink *l = &wide->links[0];
    CHECK(layout_link_at(wide, l->x + l->w / 2, l->y + l->h / 2) == 1);
    CHECK(layout_link_at(wide, -5, -5) == 0);
    /* The picture is missing from the package: reported, laid out as a box. */
    CHECK(wide->n_problems == 1);
    CHECK_CONTAINS(wide->problems[0], "images/x.png");
    /* Twice the scale, about twice the height. */
    PageLayout *big = lay(d, 1400, 2.0f);
    CHECK(big->height > wide->height * 17 / 10 && big->height < wide->height * 23 / 10);
    page_layout_free(wide);
    page_layout_free(narrow);
    page_layout_free(big);
    doc_free(d);
}

TEST(table_columns_share_width)
{
    Doc *d = parse("| Item | Amount | Note |\n|---|---:|---|\n| Invoice price | 50,000 | "
                   "the price actually paid or payable for the goods when sold for export |\n");
    PageLayout *pl = lay(d, 400, 1.0f);
    /* The long note wraps inside the column instead of overflowing. */
    CHECK(pl->width <= 400);
    int text_items = 0, max_bottom = 0;
    for (int i = 0; i < pl->n_items; i++) {
        const LayoutItem *li = &pl->items[i];
        if (li->kind != LI_TEXT) continue;
        text_items++;
        CHECK(li->x + li->w <= 400);
        if (li->y + li->h > max_bottom) max_bottom = li->y + li->h;
    }
    CHECK(text_items == 6);
    CHECK(max_bottom <= pl->height);
    page_layout_free(pl);
    doc_free(d);
}

TEST(anything_parses)
{
    /* Odd input must neither crash nor lose the page. */
    const char *odd[] = {"", "\n\n\n", "> > > >", "- - - -", "|a|\n|-|", "![](", "[x](",
                         "```", "<div>", "\x01\x02\x03", "* a\n\n  b\n\n* c", "# \n##\n###"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        Doc *d = parse(odd[i]);
        PageLayout *pl = lay(d, 200, 1.0f);
        CHECK(pl != NULL);
        page_layout_free(pl);
        doc_free(d);
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    SDL_Init(SDL_INIT_VIDEO);
    Error err;
    te = text_engine_new(&err);
    pkg = package_open(argv[1], &err);
    if (!te || !pkg) {
        fprintf(stderr, "setup failed: %s\n", err.msg);
        return 1;
    }
    RUN(blocks_and_nesting);
    RUN(markers_and_styles);
    RUN(entities_and_first_heading);
    RUN(layout_fits_column_and_reflows);
    RUN(table_columns_share_width);
    RUN(anything_parses);
    package_close(pkg);
    text_engine_free(te);
    SDL_Quit();
    return test_summary();
}
