/* markdown: see markdown.h. A thin md4c client: callbacks append spans to
 * the block being built and emit it when md4c leaves it. */
#include "markdown.h"
#include "text.h"

#include <md4c.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct ListState {
    bool ordered;
    unsigned next;  /* next number for ordered lists */
    bool tight;
} ListState;

typedef struct Parser {
    Doc *doc;
    int cap_blocks, cap_links;
    /* inline accumulation */
    DocSpans cur;
    int cap_spans;
    bool open;         /* a block with inline content is being built */
    DocBlockType open_type;
    int open_level;
    int bold, italic, code, link, strike;
    bool in_img;
    Buf alt;
    char *img_src;
    /* containers */
    int quote, quote_id, quote_ids[MAX_DEPTH], next_quote_id;
    ListState lists[MAX_DEPTH];
    int n_lists;
    char *pending_marker;
    /* tables */
    bool in_table;
    int t_cols, t_head, t_rows, t_col, cap_cells;
    bool in_head;
    DocCell *cells;
    int cell_align;
    bool in_cell;
} Parser;

static void spans_free(DocSpans *s)
{
    for (int i = 0; i < s->n; i++) free(s->v[i].text);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static unsigned cur_style(Parser *p)
{
    unsigned st = 0;
    if (p->bold) st |= TEXT_BOLD;
    if (p->italic) st |= TEXT_ITALIC;
    if (p->code) st |= TEXT_MONO;
    if (p->link) st |= TEXT_UNDERLINE;
    return st;
}

static void add_text(Parser *p, const char *text, size_t len, unsigned extra_style)
{
    if (!len) return;
    unsigned style = cur_style(p) | extra_style;
    int link = p->link;
    DocSpan *last = p->cur.n ? &p->cur.v[p->cur.n - 1] : NULL;
    if (last && last->style == style && last->link == link) {
        last->text = xrealloc(last->text, last->len + len + 1);
        memcpy(last->text + last->len, text, len);
        last->len += len;
        last->text[last->len] = 0;
        return;
    }
    if (p->cur.n == p->cap_spans) {
        p->cap_spans = p->cap_spans ? p->cap_spans * 2 : 8;
        p->cur.v = xrealloc(p->cur.v, sizeof(DocSpan) * (size_t)p->cap_spans);
    }
    p->cur.v[p->cur.n++] = (DocSpan){xstrndup(text, len), len, style, link};
}

static DocBlock *new_block(Parser *p, DocBlockType type)
{
    Doc *d = p->doc;
    if (d->n_blocks == p->cap_blocks) {
        p->cap_blocks = p->cap_blocks ? p->cap_blocks * 2 : 32;
        d->blocks = xrealloc(d->blocks, sizeof(DocBlock) * (size_t)p->cap_blocks);
    }
    DocBlock *b = &d->blocks[d->n_blocks++];
    memset(b, 0, sizeof *b);
    b->type = type;
    b->indent = p->n_lists;
    b->quote = p->quote;
    b->quote_id = p->quote ? p->quote_id : 0;
    b->tight = p->n_lists && p->lists[p->n_lists - 1].tight;
    b->marker = p->pending_marker;
    p->pending_marker = NULL;
    return b;
}

static DocSpans take_spans(Parser *p)
{
    DocSpans s = p->cur;
    p->cur = (DocSpans){0};
    p->cap_spans = 0;
    return s;
}

static bool spans_blank(const DocSpans *s)
{
    for (int i = 0; i < s->n; i++)
        for (size_t j = 0; j < s->v[i].len; j++)
            if (s->v[i].text[j] != ' ' && s->v[i].text[j] != '\n') return false;
    return true;
}

/* Emits the inline content gathered so far as a block of the open type. */
static void flush_inline(Parser *p)
{
    if (p->in_cell) return;
    if (!p->cur.n || spans_blank(&p->cur)) {
        spans_free(&p->cur);
        p->cap_spans = 0;
        return;
    }
    DocBlockType type = p->open ? p->open_type : DOC_PARA;
    DocBlock *b = new_block(p, type);
    b->level = p->open ? p->open_level : 0;
    b->spans = take_spans(p);
    if (type == DOC_HEADING && !p->doc->title && b->level <= 3) {
        Buf t = {0};
        for (int i = 0; i < b->spans.n; i++) buf_append(&t, b->spans.v[i].text, b->spans.v[i].len);
        p->doc->title = buf_take(&t);
    }
}

static void open_inline(Parser *p, DocBlockType type, int level)
{
    flush_inline(p);
    p->open = true;
    p->open_type = type;
    p->open_level = level;
}

static void close_inline(Parser *p)
{
    flush_inline(p);
    p->open = false;
}

static int align_of(MD_ALIGN a)
{
    return a == MD_ALIGN_CENTER ? TEXT_ALIGN_CENTER : a == MD_ALIGN_RIGHT ? TEXT_ALIGN_RIGHT
                                                                         : TEXT_ALIGN_LEFT;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    Parser *p = ud;
    switch (type) {
    case MD_BLOCK_DOC: break;
    case MD_BLOCK_QUOTE:
        flush_inline(p);
        if (p->quote < MAX_DEPTH - 1) {
            p->quote_ids[p->quote] = p->quote_id;
            p->quote++;
            p->quote_id = ++p->next_quote_id;
        }
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL: {
        flush_inline(p);
        if (p->n_lists < MAX_DEPTH - 1) {
            ListState *l = &p->lists[p->n_lists++];
            l->ordered = type == MD_BLOCK_OL;
            l->next = l->ordered ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
            l->tight = l->ordered ? ((MD_BLOCK_OL_DETAIL *)detail)->is_tight
                                  : ((MD_BLOCK_UL_DETAIL *)detail)->is_tight;
        }
        break;
    }
    case MD_BLOCK_LI: {
        flush_inline(p);
        free(p->pending_marker);
        ListState *l = p->n_lists ? &p->lists[p->n_lists - 1] : NULL;
        if (l && l->ordered) {
            p->pending_marker = xasprintf("%u.", l->next++);
        } else {
            static const char *bullets[] = {"\u2022", "\u25E6", "\u25AA"};
            p->pending_marker = xstrdup(bullets[(p->n_lists ? p->n_lists - 1 : 0) % 3]);
        }
        break;
    }
    case MD_BLOCK_HR:
        flush_inline(p);
        new_block(p, DOC_HR);
        break;
    case MD_BLOCK_H: open_inline(p, DOC_HEADING, (int)((MD_BLOCK_H_DETAIL *)detail)->level); break;
    case MD_BLOCK_CODE:
        open_inline(p, DOC_CODE, 0);
        p->code++;
        break;
    case MD_BLOCK_HTML: open_inline(p, DOC_PARA, 0); break;
    case MD_BLOCK_P: open_inline(p, DOC_PARA, 0); break;
    case MD_BLOCK_TABLE: {
        flush_inline(p);
        MD_BLOCK_TABLE_DETAIL *t = detail;
        p->in_table = true;
        p->t_cols = (int)t->col_count;
        p->t_head = (int)t->head_row_count;
        p->t_rows = 0;
        p->cells = NULL;
        p->cap_cells = 0;
        break;
    }
    case MD_BLOCK_THEAD: p->in_head = true; break;
    case MD_BLOCK_TBODY: p->in_head = false; break;
    case MD_BLOCK_TR:
        if (p->in_table) {
            p->t_rows++;
            p->t_col = 0;
            int need = p->t_rows * p->t_cols;
            if (need > p->cap_cells) {
                int old = p->cap_cells;
                p->cap_cells = need * 2;
                p->cells = xrealloc(p->cells, sizeof(DocCell) * (size_t)p->cap_cells);
                memset(p->cells + old, 0, sizeof(DocCell) * (size_t)(p->cap_cells - old));
            }
        }
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        spans_free(&p->cur);
        p->cap_spans = 0;
        p->in_cell = true;
        p->cell_align = align_of(((MD_BLOCK_TD_DETAIL *)detail)->align);
        if (type == MD_BLOCK_TH) p->bold++;
        break;
    }
    return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    (void)detail;
    Parser *p = ud;
    switch (type) {
    case MD_BLOCK_DOC: flush_inline(p); break;
    case MD_BLOCK_QUOTE:
        flush_inline(p);
        if (p->quote > 0) {
            p->quote--;
            p->quote_id = p->quote_ids[p->quote];
        }
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        flush_inline(p);
        if (p->n_lists > 0) p->n_lists--;
        break;
    case MD_BLOCK_LI:
        flush_inline(p);
        /* An empty item still shows its marker. */
        if (p->pending_marker) new_block(p, DOC_PARA);
        break;
    case MD_BLOCK_CODE:
        /* md4c ends code blocks with a newline; drop it. */
        if (p->cur.n) {
            DocSpan *s = &p->cur.v[p->cur.n - 1];
            while (s->len && s->text[s->len - 1] == '\n') s->text[--s->len] = 0;
        }
        close_inline(p);
        if (p->code > 0) p->code--;
        break;
    case MD_BLOCK_H:
    case MD_BLOCK_P:
    case MD_BLOCK_HTML: close_inline(p); break;
    case MD_BLOCK_HR: break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        if (type == MD_BLOCK_TH && p->bold > 0) p->bold--;
        p->in_cell = false;
        if (p->in_table && p->t_rows > 0 && p->t_col < p->t_cols) {
            DocCell *c = &p->cells[(p->t_rows - 1) * p->t_cols + p->t_col];
            c->spans = take_spans(p);
            c->align = p->cell_align;
        } else {
            spans_free(&p->cur);
            p->cap_spans = 0;
        }
        p->t_col++;
        break;
    case MD_BLOCK_TR:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY: break;
    case MD_BLOCK_TABLE: {
        p->in_table = false;
        DocBlock *b = new_block(p, DOC_TABLE);
        b->n_rows = p->t_rows;
        b->n_cols = p->t_cols;
        b->n_head_rows = p->t_head;
        b->cells = p->cells;
        p->cells = NULL;
        break;
    }
    }
    return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    Parser *p = ud;
    switch (type) {
    case MD_SPAN_EM: p->italic++; break;
    case MD_SPAN_STRONG: p->bold++; break;
    case MD_SPAN_CODE: p->code++; break;
    case MD_SPAN_DEL: p->strike++; break;
    case MD_SPAN_A: {
        MD_SPAN_A_DETAIL *a = detail;
        Doc *d = p->doc;
        if (d->n_links == p->cap_links) {
            p->cap_links = p->cap_links ? p->cap_links * 2 : 8;
            d->links = xrealloc(d->links, sizeof(char *) * (size_t)p->cap_links);
        }
        d->links[d->n_links++] = xstrndup(a->href.text, a->href.size);
        p->link = d->n_links;
        break;
    }
    case MD_SPAN_IMG: {
        MD_SPAN_IMG_DETAIL *im = detail;
        if (p->in_img || p->in_cell) {
            /* Images inside tables or image alt text are shown as their alt text. */
            break;
        }
        /* An image becomes a block of its own between the text around it. */
        flush_inline(p);
        p->in_img = true;
        free(p->img_src);
        p->img_src = xstrndup(im->src.text, im->src.size);
        buf_free(&p->alt);
        break;
    }
    default: break;
    }
    return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    (void)detail;
    Parser *p = ud;
    switch (type) {
    case MD_SPAN_EM: if (p->italic) p->italic--; break;
    case MD_SPAN_STRONG: if (p->bold) p->bold--; break;
    case MD_SPAN_CODE: if (p->code) p->code--; break;
    case MD_SPAN_DEL: if (p->strike) p->strike--; break;
    case MD_SPAN_A: p->link = 0; break;
    case MD_SPAN_IMG:
        if (p->in_img && !p->in_cell) {
            p->in_img = false;
            DocBlock *b = new_block(p, DOC_IMAGE);
            b->src = p->img_src;
            p->img_src = NULL;
            b->alt = buf_take(&p->alt);
        }
        break;
    default: break;
    }
    return 0;
}

/* The handful of named entities authors actually type, plus numeric ones. */
static size_t decode_entity(const char *t, size_t n, char *out)
{
    static const struct { const char *name; uint32_t cp; } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
        {"&nbsp;", 0xA0}, {"&mdash;", 0x2014}, {"&ndash;", 0x2013}, {"&hellip;", 0x2026},
        {"&times;", 0xD7}, {"&copy;", 0xA9}, {"&rarr;", 0x2192}, {"&larr;", 0x2190},
        {"&le;", 0x2264}, {"&ge;", 0x2265}, {"&euro;", 0x20AC}, {"&deg;", 0xB0},
    };
    uint32_t cp = 0;
    if (n > 3 && t[1] == '#') {
        char tmp[16];
        size_t m = n - 3 < sizeof tmp - 1 ? n - 3 : sizeof tmp - 1;
        bool hex = t[2] == 'x' || t[2] == 'X';
        memcpy(tmp, t + (hex ? 3 : 2), m);
        tmp[m] = 0;
        cp = (uint32_t)strtoul(tmp, NULL, hex ? 16 : 10);
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    } else {
        for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
            if (strlen(ents[i].name) == n && memcmp(ents[i].name, t, n) == 0) cp = ents[i].cp;
    }
    if (!cp) {
        memcpy(out, t, n < 32 ? n : 32);
        return n < 32 ? n : 32;
    }
    return (size_t)utf8_encode(cp, out);
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
    Parser *p = ud;
    if (p->in_img) {
        if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) buf_putc(&p->alt, ' ');
        else buf_append(&p->alt, text, size);
        return 0;
    }
    switch (type) {
    case MD_TEXT_NULLCHAR: add_text(p, "\xEF\xBF\xBD", 3, 0); break;
    case MD_TEXT_BR: add_text(p, "\n", 1, 0); break;
    case MD_TEXT_SOFTBR: add_text(p, " ", 1, 0); break;
    case MD_TEXT_ENTITY: {
        char out[40];
        size_t n = decode_entity(text, size, out);
        add_text(p, out, n, 0);
        break;
    }
    case MD_TEXT_CODE: add_text(p, text, size, TEXT_MONO); break;
    default: add_text(p, text, size, 0); break;
    }
    return 0;
}

Doc *doc_parse(const char *name, const char *text, size_t len, Error *err)
{
    Parser p = {0};
    p.doc = xcalloc(1, sizeof(Doc));
    MD_PARSER parser = {
        .abi_version = 0,
        .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML,
        .enter_block = enter_block,
        .leave_block = leave_block,
        .enter_span = enter_span,
        .leave_span = leave_span,
        .text = on_text,
    };
    int rc = md_parse(text, (MD_SIZE)len, &parser, &p);
    flush_inline(&p);
    spans_free(&p.cur);
    free(p.pending_marker);
    free(p.img_src);
    buf_free(&p.alt);
    if (p.cells) {
        for (int i = 0; i < p.cap_cells; i++) spans_free(&p.cells[i].spans);
        free(p.cells);
    }
    if (rc != 0) {
        doc_free(p.doc);
        error_set(err, "%s: the page could not be read as Markdown", name);
        return NULL;
    }
    return p.doc;
}

void doc_free(Doc *doc)
{
    if (!doc) return;
    for (int i = 0; i < doc->n_blocks; i++) {
        DocBlock *b = &doc->blocks[i];
        spans_free(&b->spans);
        free(b->marker);
        free(b->src);
        free(b->alt);
        if (b->cells) {
            for (int c = 0; c < b->n_rows * b->n_cols; c++) spans_free(&b->cells[c].spans);
            free(b->cells);
        }
    }
    free(doc->blocks);
    for (int i = 0; i < doc->n_links; i++) free(doc->links[i]);
    free(doc->links);
    free(doc->title);
    free(doc);
}

char *doc_first_heading(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    bool in_fence = false;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        const char *s = p;
        while (s < eol && s - p < 4 && *s == ' ') s++;
        if (eol - s >= 3 && (strncmp(s, "```", 3) == 0 || strncmp(s, "~~~", 3) == 0))
            in_fence = !in_fence;
        if (!in_fence && s < eol && *s == '#') {
            const char *h = s;
            while (h < eol && *h == '#') h++;
            if (h - s <= 3 && h < eol && (*h == ' ' || *h == '\t')) {
                while (h < eol && (*h == ' ' || *h == '\t')) h++;
                const char *e = eol;
                while (e > h && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '#' || e[-1] == '\t'))
                    e--;
                if (e > h) {
                    /* Strip simple emphasis markers so the TOC reads cleanly. */
                    Buf b = {0};
                    for (const char *c = h; c < e; c++)
                        if (*c != '*' && *c != '_' && *c != '`') buf_putc(&b, *c);
                    return buf_take(&b);
                }
            }
        }
        p = eol + 1;
    }
    return NULL;
}
