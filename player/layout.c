/* layout: see layout.h. One pass over the blocks, top to bottom; callout
 * backgrounds go into a separate list drawn before the text. */
#include "layout.h"
#include "uistrings.h"

#include <stdlib.h>
#include <string.h>

typedef struct Items {
    LayoutItem *v;
    int n, cap;
} Items;

typedef struct Ctx {
    TextEngine *te;
    const LayoutParams *p;
    const Theme *th;
    Items bg, fg;
    PageLayout *pl;
    int cap_links, cap_images, cap_problems;
    Package *pkg;
    const char *page_path;
} Ctx;

static int S(const Ctx *c, float v)
{
    int r = (int)(v * c->p->scale + 0.5f);
    return r < 1 && v > 0 ? 1 : r;
}

static LayoutItem *push(Items *it, LayoutKind kind, int x, int y, int w, int h)
{
    if (it->n == it->cap) {
        it->cap = it->cap ? it->cap * 2 : 64;
        it->v = xrealloc(it->v, sizeof(LayoutItem) * (size_t)it->cap);
    }
    LayoutItem *li = &it->v[it->n++];
    *li = (LayoutItem){kind, x, y, w, h, 0, NULL, -1};
    return li;
}

static void add_problem(Ctx *c, char *msg)
{
    PageLayout *pl = c->pl;
    if (pl->n_problems == c->cap_problems) {
        c->cap_problems = c->cap_problems ? c->cap_problems * 2 : 4;
        pl->problems = xrealloc(pl->problems, sizeof(char *) * (size_t)c->cap_problems);
    }
    pl->problems[pl->n_problems++] = msg;
}

static void add_links(Ctx *c, const TextBlock *tb, int x, int y)
{
    PageLayout *pl = c->pl;
    for (int i = 0; i < tb->n_frags; i++) {
        const TextFrag *f = &tb->frags[i];
        if (!f->tag) continue;
        if (pl->n_links == c->cap_links) {
            c->cap_links = c->cap_links ? c->cap_links * 2 : 8;
            pl->links = xrealloc(pl->links, sizeof(LayoutLink) * (size_t)c->cap_links);
        }
        pl->links[pl->n_links++] = (LayoutLink){x + f->x, y + f->y, f->w, f->h, f->tag};
    }
}

/* Turns a block's spans into text-engine spans with the block's look. */
static TextSpan *make_spans(const Ctx *c, const DocSpans *ds, unsigned extra, int size_px,
                            uint32_t color)
{
    TextSpan *v = xcalloc((size_t)(ds->n ? ds->n : 1), sizeof(TextSpan));
    for (int i = 0; i < ds->n; i++) {
        const DocSpan *s = &ds->v[i];
        unsigned st = s->style | extra;
        int px = size_px;
        if ((st & TEXT_MONO) && !(extra & TEXT_MONO)) px = size_px * 9 / 10;
        v[i] = (TextSpan){s->text, s->len, st, px, s->link ? c->th->link : color, s->link};
    }
    return v;
}

static TextBlock *place_text(Ctx *c, const DocSpans *ds, unsigned extra, int size_px,
                             uint32_t color, int x, int y, int w, int align, float spacing)
{
    TextSpan *spans = make_spans(c, ds, extra, size_px, color);
    TextLayoutOptions o = {w, c->p->lang, spacing, align};
    TextBlock *tb = text_layout(c->te, spans, ds->n, &o);
    free(spans);
    LayoutItem *li = push(&c->fg, LI_TEXT, x, y, tb->width, tb->height);
    li->text = tb;
    c->pl->missing += tb->missing;
    add_links(c, tb, x, y);
    return tb;
}

static void place_marker(Ctx *c, const char *marker, int x_text, int y, int size_px)
{
    DocSpan ds = {(char *)marker, strlen(marker), 0, 0};
    DocSpans spans = {&ds, 1};
    int gap = S(c, 8);
    int mw = S(c, 24);
    place_text(c, &spans, 0, size_px, c->th->muted, x_text - gap - mw, y, mw, TEXT_ALIGN_RIGHT,
               1.12f);
}

static int place_image(Ctx *c, const DocBlock *b, int x, int y, int w)
{
    PageLayout *pl = c->pl;
    if (pl->n_images == c->cap_images) {
        c->cap_images = c->cap_images ? c->cap_images * 2 : 4;
        pl->images = xrealloc(pl->images, sizeof(PageImage) * (size_t)c->cap_images);
    }
    int idx = pl->n_images++;
    PageImage *pi = &pl->images[idx];
    memset(pi, 0, sizeof *pi);
    Error err = {{0}};
    char *name = package_resolve(c->page_path, b->src);
    char *data = NULL;
    size_t len = 0;
    if (!name) {
        error_set(&err, "%s: the picture is outside the lesson", b->src);
    } else if (package_read(c->pkg, name, &data, &len, &err)) {
        pi->ok = image_decode(name, data, len, &pi->img, &err);
    }
    free(data);
    free(name);
    if (pi->ok) {
        int dw = S(c, (float)pi->img.w), dh = S(c, (float)pi->img.h);
        if (dw > w) {
            dh = (int)((long long)dh * w / dw);
            dw = w;
        }
        if (dh < 1) dh = 1;
        LayoutItem *li = push(&c->fg, LI_IMAGE, x + (w - dw) / 2, y, dw, dh);
        li->image = idx;
        return dh;
    }
    /* The picture cannot be shown: a box with its description and why. */
    add_problem(c, xstrdup(err.msg));
    char *label = xasprintf("%s%s%s", b->alt && *b->alt ? b->alt : "",
                            b->alt && *b->alt ? "\n" : "", err.msg);
    char *msg = str_printf(STR_IMAGE_MISSING, label);
    free(label);
    DocSpan ds = {msg, strlen(msg), TEXT_ITALIC, 0};
    DocSpans spans = {&ds, 1};
    int pad = S(c, 12);
    LayoutItem *box = push(&c->bg, LI_RECT, x, y, w, 0);
    box->color = c->th->image_missing_bg;
    TextBlock *tb = place_text(c, &spans, 0, S(c, THEME_BODY_PX * 0.9f), c->th->error_text,
                               x + pad, y + pad, w - 2 * pad, TEXT_ALIGN_LEFT, 1.4f);
    box = &c->bg.v[c->bg.n - 1];
    box->h = tb->height + 2 * pad;
    LayoutItem *fr = push(&c->bg, LI_FRAME, x, y, w, box->h);
    fr->color = c->th->error_accent;
    free(msg);
    return tb->height + 2 * pad;
}

static int place_table(Ctx *c, const DocBlock *b, int x, int y, int w)
{
    int nc = b->n_cols, nr = b->n_rows;
    if (nc <= 0 || nr <= 0) return 0;
    int pad = S(c, 8), line = S(c, 1) ? S(c, 1) : 1;
    int size = S(c, THEME_BODY_PX * 0.9f);
    int *minw = xcalloc((size_t)nc, sizeof(int)), *maxw = xcalloc((size_t)nc, sizeof(int));
    int *colw = xcalloc((size_t)nc, sizeof(int));
    for (int r = 0; r < nr; r++) {
        for (int k = 0; k < nc; k++) {
            const DocCell *cell = &b->cells[r * nc + k];
            TextSpan *sp = make_spans(c, &cell->spans, r < b->n_head_rows ? TEXT_BOLD : 0, size,
                                      c->th->text);
            int mn = text_min_width(c->te, sp, cell->spans.n, c->p->lang) + 2 * pad;
            int mx = text_max_width(c->te, sp, cell->spans.n, c->p->lang) + 2 * pad;
            free(sp);
            if (mn > minw[k]) minw[k] = mn;
            if (mx > maxw[k]) maxw[k] = mx;
        }
    }
    long summin = 0, summax = 0;
    for (int k = 0; k < nc; k++) {
        if (maxw[k] < minw[k]) maxw[k] = minw[k];
        summin += minw[k];
        summax += maxw[k];
    }
    int avail = w - (nc + 1) * line;
    for (int k = 0; k < nc; k++) {
        if (summax <= avail) colw[k] = maxw[k];
        else if (summin >= avail) colw[k] = (int)((long long)minw[k] * avail / (summin ? summin : 1));
        else colw[k] = minw[k] + (int)((long long)(maxw[k] - minw[k]) * (avail - summin) /
                                       (summax - summin ? summax - summin : 1));
        if (colw[k] < 2 * pad + 1) colw[k] = 2 * pad + 1;
    }
    int total_w = line;
    for (int k = 0; k < nc; k++) total_w += colw[k] + line;
    int ty = y + line;
    for (int r = 0; r < nr; r++) {
        bool head = r < b->n_head_rows;
        int row_h = 0, cx = x + line;
        for (int k = 0; k < nc; k++) {
            const DocCell *cell = &b->cells[r * nc + k];
            TextBlock *tb = place_text(c, &cell->spans, head ? TEXT_BOLD : 0, size,
                                       head ? c->th->heading : c->th->text, cx + pad, ty + pad,
                                       colw[k] - 2 * pad, cell->align, 1.05f);
            if (tb->height + 2 * pad > row_h) row_h = tb->height + 2 * pad;
            cx += colw[k] + line;
        }
        if (head || (r - b->n_head_rows) % 2 == 1) {
            LayoutItem *bgi = push(&c->bg, LI_RECT, x, ty, total_w, row_h);
            bgi->color = head ? c->th->table_head_bg : c->th->table_alt_bg;
        }
        ty += row_h;
        LayoutItem *hl = push(&c->fg, LI_RECT, x, ty, total_w, line);
        hl->color = c->th->table_border;
        ty += line;
    }
    int th = ty - y;
    LayoutItem *top = push(&c->fg, LI_RECT, x, y, total_w, line);
    top->color = c->th->table_border;
    int cx = x;
    for (int k = 0; k <= nc; k++) {
        LayoutItem *vl = push(&c->fg, LI_RECT, cx, y, line, th);
        vl->color = c->th->table_border;
        if (k < nc) cx += colw[k] + line;
    }
    if (total_w > c->pl->width) c->pl->width = total_w;
    free(minw);
    free(maxw);
    free(colw);
    return th;
}

/* Draws a callout's box and bar behind the blocks it held; returns the y
 * below it. */
static int close_callout(Ctx *c, int depth, int start, int y, int pad, int bar_w, int gap)
{
    y += pad - gap;
    int qx = (depth - 1) * pad;
    LayoutItem *bg = push(&c->bg, LI_RECT, qx, start, c->p->width - qx, y - start);
    bg->color = c->th->quote_bg;
    LayoutItem *bar = push(&c->bg, LI_RECT, qx, start, bar_w, y - start);
    bar->color = c->th->quote_bar;
    return y + gap;
}

PageLayout *layout_page(TextEngine *te, const Doc *doc, Package *pkg, const char *page_path,
                        const LayoutParams *p)
{
    Ctx c = {.te = te, .p = p, .th = p->theme, .pkg = pkg, .page_path = page_path};
    PageLayout *pl = xcalloc(1, sizeof *pl);
    c.pl = pl;
    pl->width = p->width;
    int body = S(&c, THEME_BODY_PX);
    int gap = S(&c, THEME_BODY_PX * 0.8f);
    int list_w = S(&c, 32), q_pad = S(&c, 16), q_bar = S(&c, 4);
    int y = 0;
    int cur_q = 0, q_start = 0, q_depth = 0;
    for (int i = 0; i < doc->n_blocks; i++) {
        const DocBlock *b = &doc->blocks[i];
        if (b->quote_id != cur_q) {
            if (cur_q) y = close_callout(&c, q_depth, q_start, y, q_pad, q_bar, gap);
            cur_q = b->quote_id;
            q_depth = b->quote;
            if (cur_q) {
                q_start = y;
                y += q_pad;
            }
        }
        int x0 = b->quote * (q_pad + q_bar) + b->indent * list_w;
        int w = p->width - x0 - (b->quote ? q_pad : 0);
        if (w < S(&c, 60)) w = S(&c, 60);
        int after = b->tight ? gap / 3 : gap;
        if (b->indent > 0 && i + 1 < doc->n_blocks && doc->blocks[i + 1].indent > b->indent)
            after = gap / 3;
        switch (b->type) {
        case DOC_HEADING: {
            static const float sizes[] = {1.75f, 1.4f, 1.2f, 1.05f, 1.0f, 0.95f};
            int lvl = b->level < 1 ? 1 : b->level > 6 ? 6 : b->level;
            if (y > 0) y += (int)(gap * (lvl <= 2 ? 1.2f : 0.6f));
            TextBlock *tb = place_text(&c, &b->spans, TEXT_BOLD,
                                       (int)(body * sizes[lvl - 1] + 0.5f), c.th->heading, x0, y,
                                       w, TEXT_ALIGN_LEFT, 1.0f);
            y += tb->height + gap / 2;
            if (lvl == 1) {
                LayoutItem *rule = push(&c.fg, LI_RECT, x0, y, w, S(&c, 2));
                rule->color = c.th->rule;
                y += S(&c, 2) + gap;
            }
            break;
        }
        case DOC_PARA: {
            if (b->marker) place_marker(&c, b->marker, x0, y, body);
            TextBlock *tb = place_text(&c, &b->spans, 0, body, c.th->text, x0, y, w,
                                       TEXT_ALIGN_LEFT, 1.12f);
            y += (tb->height ? tb->height : body) + after;
            break;
        }
        case DOC_CODE: {
            int pad = S(&c, 10);
            if (b->marker) place_marker(&c, b->marker, x0, y, body);
            LayoutItem *box = push(&c.bg, LI_RECT, x0, y, w, 0);
            int box_i = c.bg.n - 1;
            TextBlock *tb = place_text(&c, &b->spans, TEXT_MONO, S(&c, THEME_CODE_PX),
                                       c.th->code_text, x0 + pad, y + pad, w - 2 * pad,
                                       TEXT_ALIGN_LEFT, 1.05f);
            box = &c.bg.v[box_i];
            box->h = tb->height + 2 * pad;
            box->color = c.th->code_bg;
            y += box->h + gap;
            break;
        }
        case DOC_HR:
            y += gap / 2;
            {
                LayoutItem *r = push(&c.fg, LI_RECT, x0, y, w, S(&c, 1));
                r->color = c.th->rule;
            }
            y += S(&c, 1) + gap;
            break;
        case DOC_IMAGE:
            if (b->marker) place_marker(&c, b->marker, x0, y, body);
            y += place_image(&c, b, x0, y, w) + gap;
            break;
        case DOC_TABLE:
            y += place_table(&c, b, x0, y, w) + gap;
            break;
        }
    }
    if (cur_q) y = close_callout(&c, q_depth, q_start, y, q_pad, q_bar, gap);
    pl->height = y;
    pl->n_items = c.bg.n + c.fg.n;
    pl->items = xmalloc(sizeof(LayoutItem) * (size_t)(pl->n_items ? pl->n_items : 1));
    if (c.bg.n) memcpy(pl->items, c.bg.v, sizeof(LayoutItem) * (size_t)c.bg.n);
    if (c.fg.n) memcpy(pl->items + c.bg.n, c.fg.v, sizeof(LayoutItem) * (size_t)c.fg.n);
    free(c.bg.v);
    free(c.fg.v);
    return pl;
}

void page_layout_free(PageLayout *pl)
{
    if (!pl) return;
    for (int i = 0; i < pl->n_items; i++) text_block_free(pl->items[i].text);
    for (int i = 0; i < pl->n_images; i++) {
        if (pl->images[i].tex) SDL_DestroyTexture(pl->images[i].tex);
        image_free(&pl->images[i].img);
    }
    for (int i = 0; i < pl->n_problems; i++) free(pl->problems[i]);
    free(pl->problems);
    free(pl->images);
    free(pl->items);
    free(pl->links);
    free(pl);
}

static void set_color(SDL_Renderer *r, uint32_t c)
{
    SDL_SetRenderDrawColor(r, (Uint8)(c >> 24), (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c);
}

void layout_draw(PageLayout *pl, TextEngine *te, SDL_Renderer *r, int x, int y, int clip_top,
                 int clip_bottom)
{
    for (int i = 0; i < pl->n_items; i++) {
        LayoutItem *li = &pl->items[i];
        if (li->y + li->h < clip_top || li->y > clip_bottom) continue;
        SDL_Rect rc = {x + li->x, y + li->y, li->w, li->h};
        switch (li->kind) {
        case LI_RECT:
            set_color(r, li->color);
            SDL_RenderFillRect(r, &rc);
            break;
        case LI_FRAME:
            set_color(r, li->color);
            SDL_RenderDrawRect(r, &rc);
            break;
        case LI_TEXT: text_draw_block(te, li->text, rc.x, rc.y); break;
        case LI_IMAGE: {
            PageImage *pi = &pl->images[li->image];
            if (!pi->tex || pi->tex_w != li->w || pi->tex_h != li->h) {
                if (pi->tex) SDL_DestroyTexture(pi->tex);
                SDL_Surface *s = image_surface(&pi->img, li->w, li->h);
                pi->tex = s ? SDL_CreateTextureFromSurface(r, s) : NULL;
                pi->tex_w = li->w;
                pi->tex_h = li->h;
            }
            if (pi->tex) SDL_RenderCopy(r, pi->tex, NULL, &rc);
            break;
        }
        }
    }
}

int layout_link_at(const PageLayout *pl, int px, int py)
{
    for (int i = 0; i < pl->n_links; i++) {
        const LayoutLink *l = &pl->links[i];
        if (px >= l->x && px < l->x + l->w && py >= l->y && py < l->y + l->h) return l->link;
    }
    return 0;
}
