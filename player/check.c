/* check: `outpost check DIR|FILE` reports everything the player would trip
 * on, as "FILE:LINE: error: message" lines an editor can jump to.
 *
 * Every entry is read exactly once into memory (pack then writes those same
 * bytes), every image is decoded at most once, and text is laid out with the
 * player's own text engine, so "no font has this character" means exactly
 * what the learner would see: a box. */
#include "cli.h"
#include "image.h"
#include "manifest.h"
#include "markdown.h"
#include "quiz.h"
#include "text.h"
#include "tools.h"

#include <SDL2/SDL.h>
#include <fontconfig/fontconfig.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG_IMAGE_BYTES ((size_t)2 << 20)
#define BIG_IMAGE_SIDE 4096
#define DEFAULT_SEEDS 200
/* The glyph check works per code point; this bounds the search for examples
 * in a block that has missing characters. */
#define MAX_EXAMPLES 3

/* Per-entry flags, parallel to Ctx.files. */
enum { F_PAGE = 1, F_USED = 2, F_IMAGE_DONE = 4, F_IMAGE_OK = 8, F_READ = 16 };

typedef struct Ctx {
    Package *pkg;
    const CheckOptions *opt;
    CheckReport *rep;
    LessonFiles *files; /* = &rep->files; sorted by name, as the package lists them */
    unsigned char *flags;
    Manifest *m;
    TextEngine *te;
    const char *lang;
} Ctx;

/* ---- messages ------------------------------------------------------- */

static void add_msg(Ctx *c, CheckLevel level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add_msg(Ctx *c, CheckLevel level, const char *file, int line, const char *fmt, ...)
{
    CheckReport *r = c->rep;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->msgs = xrealloc(r->msgs, (size_t)r->cap * sizeof *r->msgs);
    }
    va_list ap;
    va_start(ap, fmt);
    char text[1024]; /* messages are one line; longer ones are cut */
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    r->msgs[r->n++] = (CheckMessage){level, xstrdup(file), line, xstrdup(text)};
    if (level == CHECK_ERROR) r->n_errors++;
    else r->n_warnings++;
}

/* Turns a one-line reason from another module ("NAME:12: text",
 * "NAME: text") into a message on NAME at that line; a reason naming no
 * known file goes to `fallback` line 1. */
static void add_reason(Ctx *c, CheckLevel level, const char *fallback, const char *reason)
{
    const char *colon = strchr(reason, ':');
    while (colon) {
        char *file = xstrndup(reason, (size_t)(colon - reason));
        if (package_has(c->pkg, file) || strcmp(file, fallback) == 0) {
            const char *p = colon + 1;
            int line = 0;
            while (*p >= '0' && *p <= '9' && line < 10000000) line = line * 10 + (*p++ - '0');
            if (line > 0 && *p == ':') p++;
            else p = colon + 1, line = 1;
            while (*p == ' ') p++;
            add_msg(c, level, file, line, "%s", p);
            free(file);
            return;
        }
        free(file);
        colon = strchr(colon + 1, ':');
    }
    add_msg(c, level, fallback, 1, "%s", reason);
}

void check_report_free(CheckReport *rep)
{
    for (int i = 0; i < rep->n; i++) {
        free(rep->msgs[i].file);
        free(rep->msgs[i].text);
    }
    free(rep->msgs);
    free(rep->summary);
    lesson_files_free(&rep->files);
    memset(rep, 0, sizeof *rep);
}

void check_report_print(const CheckReport *rep, FILE *f)
{
    for (int i = 0; i < rep->n; i++) {
        const CheckMessage *m = &rep->msgs[i];
        const char *lv = m->level == CHECK_ERROR ? "error" : "warning";
        if (m->line > 0) fprintf(f, "%s:%d: %s: %s\n", m->file, m->line, lv, m->text);
        else fprintf(f, "%s: %s: %s\n", m->file, lv, m->text);
    }
}

/* ---- helpers -------------------------------------------------------- */

static int find_file(Ctx *c, const char *name)
{
    int lo = 0, hi = c->files->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int d = strcmp(c->files->v[mid].name, name);
        if (d == 0) return mid;
        if (d < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

/* memmem is a GNU extension; the project builds with POSIX + default. */
static const char *find_bytes(const char *hay, size_t hl, const char *needle, size_t nl)
{
    if (nl == 0) return hay;
    for (size_t i = 0; nl <= hl && i <= hl - nl; i++) {
        const char *p = memchr(hay + i, needle[0], hl - nl + 1 - i);
        if (!p) return NULL;
        i = (size_t)(p - hay);
        if (memcmp(p, needle, nl) == 0) return p;
    }
    return NULL;
}

/* 1-based line of the first occurrence of needle in text, or 1. */
static int line_of(const char *text, size_t len, const char *needle, size_t nlen)
{
    if (!text || !needle || nlen == 0 || nlen > len) return 1;
    const char *hit = find_bytes(text, len, needle, nlen);
    if (!hit) return 1;
    int line = 1;
    for (const char *p = text; p < hit; p++) line += *p == '\n';
    return line;
}

static const char *extension(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash : name, '.');
    return dot && dot[1] ? dot + 1 : NULL;
}

static bool ascii_case_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
        if (x != y) return false;
    }
    return *a == *b;
}

static bool ext_is(const char *name, const char *const *exts)
{
    const char *e = extension(name);
    if (!e) return false;
    for (; *exts; exts++)
        if (ascii_case_equal(e, *exts)) return true;
    return false;
}

static bool is_image_name(const char *name)
{
    static const char *const exts[] = {"png", "jpg", "jpeg", "svg", "gif", "webp", NULL};
    return ext_is(name, exts);
}

/* A web address or other URL scheme the player never opens. */
static bool is_external(const char *t)
{
    if (strncmp(t, "//", 2) == 0) return true;
    const char *p = t;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return false;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '-' || *p == '.')
        p++;
    /* "C:" alone is a drive letter, not a scheme; package_resolve refuses it. */
    return *p == ':' && p - t > 1;
}

static void human_size(uint64_t n, char *out, size_t sz)
{
    if (n < 1000) snprintf(out, sz, "%llu bytes", (unsigned long long)n);
    else if (n < 10000) snprintf(out, sz, "%.1f kB", (double)n / 1000);
    else if (n < 1000000) snprintf(out, sz, "%.0f kB", (double)n / 1000);
    else snprintf(out, sz, "%.1f MB", (double)n / 1e6);
}

/* ---- glyphs --------------------------------------------------------- */

/* True if some installed font has cp (laid out alone, as the engine would). */
static bool has_glyph(Ctx *c, uint32_t cp)
{
    char u[5] = {0};
    int n = utf8_encode(cp, u);
    TextSpan sp = {u, (size_t)n, 0, 16, 0, 0};
    TextLayoutOptions o = {0, c->lang, 0, TEXT_ALIGN_LEFT};
    TextBlock *b = text_layout(c->te, &sp, 1, &o);
    bool ok = b->missing == 0;
    text_block_free(b);
    return ok;
}

typedef struct Missing {
    int count;
    uint32_t ex[MAX_EXAMPLES];
    int n_ex;
} Missing;

/* Lays out the spans; adds their missing characters and a few examples. */
static void glyph_check(Ctx *c, const TextSpan *spans, int n, Missing *ms)
{
    if (!c->te || n == 0) return;
    TextLayoutOptions o = {0, c->lang, 0, TEXT_ALIGN_LEFT};
    TextBlock *b = text_layout(c->te, spans, n, &o);
    int missing = b->missing;
    text_block_free(b);
    if (missing == 0) return;
    ms->count += missing;
    /* Rare path: find which characters, one code point at a time. */
    for (int s = 0; s < n && ms->n_ex < MAX_EXAMPLES; s++) {
        const char *p = spans[s].text, *end = p + spans[s].len;
        while (p < end && ms->n_ex < MAX_EXAMPLES) {
            uint32_t cp = utf8_next(&p, end);
            if (cp <= 0x20) continue;
            bool seen = false;
            for (int k = 0; k < ms->n_ex; k++) seen |= ms->ex[k] == cp;
            if (!seen && !has_glyph(c, cp)) ms->ex[ms->n_ex++] = cp;
        }
    }
}

static void glyph_report(Ctx *c, const char *file, const char *src, size_t len, const Missing *ms)
{
    if (ms->count == 0) return;
    char ex[64] = "";
    size_t o = 0;
    int line = 1;
    for (int k = 0; k < ms->n_ex; k++)
        o += (size_t)snprintf(ex + o, sizeof ex - o, "%sU+%04X", k ? ", " : "", (unsigned)ms->ex[k]);
    if (ms->n_ex > 0) {
        char u[5] = {0};
        int n = utf8_encode(ms->ex[0], u);
        line = line_of(src, len, u, (size_t)n);
    }
    if (ms->count == 1)
        add_msg(c, CHECK_ERROR, file, line, "1 character has no font installed%s%s%s",
                ms->n_ex ? " (" : "", ex, ms->n_ex ? ")" : "");
    else
        add_msg(c, CHECK_ERROR, file, line, "%d characters have no font installed%s%s%s", ms->count,
                ms->n_ex ? " (e.g. " : "", ex, ms->n_ex ? ")" : "");
}

static void glyph_check_doc_spans(Ctx *c, const DocSpans *ds, unsigned extra, Missing *ms)
{
    if (ds->n == 0) return;
    TextSpan *v = xcalloc((size_t)ds->n, sizeof *v);
    for (int i = 0; i < ds->n; i++)
        v[i] = (TextSpan){ds->v[i].text, ds->v[i].len, ds->v[i].style | extra, 16, 0, 0};
    glyph_check(c, v, ds->n, ms);
    free(v);
}

static void glyph_check_str(Ctx *c, const char *s, Missing *ms)
{
    if (!s || !*s) return;
    TextSpan sp = {s, strlen(s), 0, 16, 0, 0};
    glyph_check(c, &sp, 1, ms);
}

/* ---- images --------------------------------------------------------- */

/* Decodes the image entry at index i once; later calls return the result. */
static bool check_image(Ctx *c, int i)
{
    if (c->flags[i] & F_IMAGE_DONE) return c->flags[i] & F_IMAGE_OK;
    c->flags[i] |= F_IMAGE_DONE;
    LessonFile *f = &c->files->v[i];
    if (!(c->flags[i] & F_READ)) return false; /* its read error is reported already */
    c->rep->n_images++;
    Image img;
    Error err = {{0}};
    if (!image_decode(f->name, f->data, f->len, &img, &err)) {
        add_reason(c, CHECK_ERROR, f->name, err.msg);
        return false;
    }
    c->flags[i] |= F_IMAGE_OK;
    if (f->len > BIG_IMAGE_BYTES) {
        char sz[32];
        human_size(f->len, sz, sizeof sz);
        add_msg(c, CHECK_WARNING, f->name, 1,
                "the picture is %s; over 2 MB makes the lesson slow to copy (shrink or compress it)", sz);
    }
    if (img.w > BIG_IMAGE_SIDE || img.h > BIG_IMAGE_SIDE)
        add_msg(c, CHECK_WARNING, f->name, 1,
                "the picture is %d x %d pixels; over %d on a side is slow to show (scale it down)", img.w,
                img.h, BIG_IMAGE_SIDE);
    image_free(&img);
    return true;
}

/* ---- pages ---------------------------------------------------------- */

static bool valid_utf8(const char *s, size_t len, size_t *bad_at)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *before = p;
        uint32_t cp = utf8_next(&p, end);
        if (cp == 0xFFFD && !(p - before == 3 && memcmp(before, "\xEF\xBF\xBD", 3) == 0)) {
            *bad_at = (size_t)(before - s);
            return false;
        }
    }
    return true;
}

static int line_at(const char *s, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++) line += s[i] == '\n';
    return line;
}

static bool is_listed_page(Ctx *c, const char *name)
{
    return c->m ? manifest_find_page(c->m, name) >= 0 &&
                      strcmp(c->m->pages[manifest_find_page(c->m, name)].path, name) == 0
                : false;
}

static void check_link(Ctx *c, const char *page, const char *src, size_t len, const char *target)
{
    if (!*target) {
        add_msg(c, CHECK_WARNING, page, line_of(src, len, "]()", 3), "a link has no target");
        return;
    }
    int line = line_of(src, len, target, strlen(target));
    if (target[0] == '#') return; /* the same page */
    if (is_external(target)) {
        add_msg(c, CHECK_WARNING, page, line, "external link will not open offline: %s", target);
        return;
    }
    char *name = package_resolve(page, target);
    if (!name) {
        add_msg(c, CHECK_ERROR, page, line, "link \"%s\" leads outside the lesson", target);
        return;
    }
    int i = find_file(c, name);
    if (i < 0)
        add_msg(c, CHECK_ERROR, page, line, "link target \"%s\" not found (there is no %s in the lesson)",
                target, name);
    else if (c->m && !is_listed_page(c, name))
        add_msg(c, CHECK_WARNING, page, line,
                "link to \"%s\" will not open: the player only opens pages listed in lesson.lua", target);
    if (i >= 0) c->flags[i] |= F_USED;
    free(name);
}

static void check_image_ref(Ctx *c, const char *page, const char *src, size_t len, const char *target)
{
    int line = line_of(src, len, target, strlen(target));
    if (!*target) {
        add_msg(c, CHECK_ERROR, page, line_of(src, len, "]()", 3), "an image has no file name");
        return;
    }
    if (is_external(target)) {
        add_msg(c, CHECK_ERROR, page, line,
                "image \"%s\" is on the web; the player works offline and cannot show it (put the "
                "picture in the lesson)",
                target);
        return;
    }
    char *name = package_resolve(page, target);
    int i = name ? find_file(c, name) : -1;
    if (!name)
        add_msg(c, CHECK_ERROR, page, line, "image \"%s\" is outside the lesson", target);
    else if (i < 0)
        add_msg(c, CHECK_ERROR, page, line, "image \"%s\" not found (there is no %s in the lesson)",
                target, name);
    else {
        c->flags[i] |= F_USED;
        check_image(c, i);
    }
    free(name);
}

static void check_markdown(Ctx *c, int fi)
{
    LessonFile *f = &c->files->v[fi];
    c->rep->n_pages++;
    size_t bad;
    if (!valid_utf8(f->data, f->len, &bad)) {
        add_msg(c, CHECK_ERROR, f->name, line_at(f->data, bad),
                "the text is not valid UTF-8 (save the file as UTF-8 in your editor)");
        return;
    }
    Error err = {{0}};
    Doc *doc = doc_parse(f->name, f->data, f->len, &err);
    if (!doc) {
        add_reason(c, CHECK_ERROR, f->name, err.msg);
        return;
    }
    /* Each distinct target is reported once per page. */
    for (int i = 0; i < doc->n_links; i++) {
        bool dup = false;
        for (int k = 0; k < i && !dup; k++) dup = strcmp(doc->links[k], doc->links[i]) == 0;
        if (!dup) check_link(c, f->name, f->data, f->len, doc->links[i]);
    }
    Missing ms = {0};
    for (int b = 0; b < doc->n_blocks; b++) {
        DocBlock *bl = &doc->blocks[b];
        if (bl->type == DOC_IMAGE) {
            bool dup = false;
            for (int k = 0; k < b && !dup; k++)
                dup = doc->blocks[k].type == DOC_IMAGE && strcmp(doc->blocks[k].src, bl->src) == 0;
            if (!dup) check_image_ref(c, f->name, f->data, f->len, bl->src ? bl->src : "");
            glyph_check_str(c, bl->alt, &ms);
        } else if (bl->type == DOC_TABLE) {
            for (int k = 0; k < bl->n_rows * bl->n_cols; k++)
                glyph_check_doc_spans(c, &bl->cells[k].spans, k < bl->n_head_rows * bl->n_cols ? TEXT_BOLD : 0,
                                      &ms);
        } else {
            glyph_check_doc_spans(c, &bl->spans, bl->type == DOC_HEADING ? TEXT_BOLD : 0, &ms);
            glyph_check_str(c, bl->marker, &ms);
        }
    }
    glyph_report(c, f->name, f->data, f->len, &ms);
    doc_free(doc);
}

/* require() for quiz scripts: served from the files already in memory. */
static bool quiz_require(void *ud, const char *name, char **text, size_t *len, Error *err)
{
    Ctx *c = ud;
    int i = find_file(c, name);
    if (i < 0 || !(c->flags[i] & F_READ))
        return error_set(err, "%s: not found in the lesson", name);
    c->flags[i] |= F_USED;
    *text = xmalloc(c->files->v[i].len + 1);
    memcpy(*text, c->files->v[i].data, c->files->v[i].len + 1);
    *len = c->files->v[i].len;
    return true;
}

static void glyph_check_list(Ctx *c, char **v, int n, Missing *ms)
{
    for (int i = 0; i < n; i++) glyph_check_str(c, v[i], ms);
}

static void check_quiz(Ctx *c, int fi)
{
    LessonFile *f = &c->files->v[fi];
    c->rep->n_quizzes++;
    SandboxRequire req = {quiz_require, c};
    Error err = {{0}};
    Quiz *q = quiz_load(f->name, f->data, f->len, 0, &req, &err);
    if (!q) {
        add_reason(c, CHECK_ERROR, f->name, err.msg);
        return;
    }
    int seeds = c->opt->quiz_seeds > 0 ? c->opt->quiz_seeds : DEFAULT_SEEDS;
    if (!quiz_self_test(q, seeds, &err)) {
        /* Keep the script's own "NAME:LINE:" position in front. */
        size_t nl = strlen(f->name);
        const char *p = err.msg;
        int line = 1;
        if (strncmp(err.msg, f->name, nl) == 0 && err.msg[nl] == ':') {
            p = err.msg + nl + 1;
            int n = 0;
            while (*p >= '0' && *p <= '9' && n < 10000000) n = n * 10 + (*p++ - '0');
            if (n > 0 && *p == ':') line = n, p++;
            else p = err.msg + nl + 1;
            while (*p == ' ') p++;
        }
        add_msg(c, CHECK_ERROR, f->name, line, "self-test failed: %s", p);
    }
    Missing ms = {0};
    glyph_check_str(c, quiz_title(q), &ms);
    glyph_check_str(c, quiz_intro(q), &ms);
    for (int i = 0; i < quiz_count(q); i++) {
        const QuizQuestion *qq = quiz_question(q, i);
        if (!qq) continue;
        glyph_check_str(c, qq->prompt, &ms);
        glyph_check_str(c, qq->hint, &ms);
        glyph_check_str(c, qq->explain, &ms);
        glyph_check_str(c, qq->unit, &ms);
        glyph_check_str(c, qq->step_text, &ms);
        glyph_check_list(c, qq->options, qq->n_options, &ms);
        glyph_check_list(c, qq->left, qq->n_left, &ms);
        glyph_check_list(c, qq->right, qq->n_right, &ms);
        glyph_check_list(c, qq->items, qq->n_items, &ms);
        glyph_check_list(c, qq->segments, qq->n_blanks ? qq->n_blanks + 1 : 0, &ms);
        if (qq->image) {
            int k = find_file(c, qq->image);
            if (k < 0)
                add_msg(c, CHECK_ERROR, f->name, line_of(f->data, f->len, qq->image, strlen(qq->image)),
                        "image \"%s\" not found in the lesson", qq->image);
            else {
                c->flags[k] |= F_USED;
                check_image(c, k);
            }
        }
    }
    glyph_report(c, f->name, f->data, f->len, &ms);
    quiz_free(q);
}

/* ---- the lesson ----------------------------------------------------- */

static void check_titles(Ctx *c)
{
    int i = find_file(c, "lesson.lua");
    if (i < 0 || !c->m) return;
    Missing ms = {0};
    glyph_check_str(c, c->m->title, &ms);
    glyph_check_str(c, c->m->description, &ms);
    glyph_check_str(c, c->m->publisher, &ms);
    glyph_check_list(c, c->m->authors, c->m->n_authors, &ms);
    for (int p = 0; p < c->m->n_pages; p++) glyph_check_str(c, c->m->pages[p].title, &ms);
    glyph_report(c, "lesson.lua", c->files->v[i].data, c->files->v[i].len, &ms);
    if (c->m->cover) {
        int k = find_file(c, c->m->cover);
        if (k < 0) {
            add_msg(c, CHECK_ERROR, "lesson.lua",
                    line_of(c->files->v[i].data, c->files->v[i].len, c->m->cover, strlen(c->m->cover)),
                    "the cover \"%s\" is not in the lesson", c->m->cover);
        } else {
            c->flags[k] |= F_USED;
            check_image(c, k);
        }
    }
}

/* Compares CHECKSUMS (in a packed lesson) with the files actually there. */
static void check_checksums(Ctx *c)
{
    int i = find_file(c, TOOLS_CHECKSUMS);
    if (i < 0 || !(c->flags[i] & F_READ)) return;
    c->flags[i] |= F_USED;
    size_t len;
    char *want = lesson_checksums(c->files, &len);
    const LessonFile *have = &c->files->v[i];
    if (len != have->len || memcmp(want, have->data, len) != 0) {
        bool named = false;
        for (char *line = want; *line;) {
            char *nl = strchr(line, '\n');
            size_t ll = (size_t)(nl - line) + 1;
            if (!find_bytes(have->data, have->len, line, ll)) {
                *nl = 0;
                add_msg(c, CHECK_ERROR, line + 66, 1,
                        "does not match its checksum in CHECKSUMS (changed or added after packing)");
                named = true;
            }
            line = nl + 1;
        }
        if (!named)
            add_msg(c, CHECK_ERROR, TOOLS_CHECKSUMS, 1,
                    "lists files that are not in the lesson (removed after packing?)");
    }
    free(want);
}

typedef struct ExtTotal {
    char ext[16];
    uint64_t bytes;
} ExtTotal;

static int ext_cmp(const void *a, const void *b)
{
    const ExtTotal *x = a, *y = b;
    if (x->bytes != y->bytes) return x->bytes < y->bytes ? 1 : -1;
    return strcmp(x->ext, y->ext);
}

static void make_summary(Ctx *c)
{
    ExtTotal *t = xcalloc((size_t)c->files->n + 1, sizeof *t);
    int nt = 0;
    uint64_t total = 0;
    for (int i = 0; i < c->files->n; i++) {
        const char *e = extension(c->files->v[i].name);
        char low[16];
        snprintf(low, sizeof low, "%s", e && strlen(e) < sizeof low ? e : "other");
        for (char *p = low; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
        int k = 0;
        while (k < nt && strcmp(t[k].ext, low) != 0) k++;
        if (k == nt) snprintf(t[nt++].ext, sizeof t->ext, "%s", low);
        t[k].bytes += c->files->v[i].len;
        total += c->files->v[i].len;
    }
    qsort(t, (size_t)nt, sizeof *t, ext_cmp);
    Buf b = {0};
    CheckReport *r = c->rep;
    buf_printf(&b, "%d page%s, %d quiz%s, %d image%s", r->n_pages, r->n_pages == 1 ? "" : "s",
               r->n_quizzes, r->n_quizzes == 1 ? "" : "zes", r->n_images, r->n_images == 1 ? "" : "s");
    for (int k = 0; k < nt; k++) {
        char sz[32];
        human_size(t[k].bytes, sz, sizeof sz);
        buf_printf(&b, "%s%s %s", k ? ", " : ": ", t[k].ext, sz);
    }
    char sz[32];
    human_size(total, sz, sizeof sz);
    buf_printf(&b, "; %s in all", sz);
    if (package_is_zip(c->pkg)) {
        human_size(package_disk_size(c->pkg), sz, sizeof sz);
        buf_printf(&b, " (%s packed)", sz);
    }
    r->summary = buf_take(&b);
    free(t);
}

bool check_package(Package *pkg, const CheckOptions *opt, CheckReport *rep, Error *err)
{
    static const CheckOptions defaults = {0};
    memset(rep, 0, sizeof *rep);
    Ctx c = {pkg, opt ? opt : &defaults, rep, &rep->files, NULL, NULL, NULL, NULL};
    if (sodium_init() < 0) return error_set(err, "cannot start the checksum library");
    if (!c.opt->no_fonts) {
        c.te = text_engine_new(err);
        if (!c.te) return false;
    }

    /* 1. Every entry, read once. */
    int n = package_count(pkg);
    c.flags = xcalloc((size_t)n + 1, 1);
    for (int i = 0; i < n; i++) {
        const char *name = package_name(pkg, i);
        char *data = NULL;
        size_t len = 0;
        Error e = {{0}};
        bool ok = package_read(pkg, name, &data, &len, &e);
        if (!ok) {
            add_reason(&c, CHECK_ERROR, name, e.msg);
            data = xstrdup("");
            len = 0;
        }
        lesson_files_add(c.files, name, data, len);
        if (ok) c.flags[i] |= F_READ;
    }
    check_checksums(&c);

    /* 2. The manifest. */
    Error e = {{0}};
    c.m = manifest_load(pkg, &e);
    if (!c.m) add_reason(&c, CHECK_ERROR, "lesson.lua", e.msg);
    c.lang = c.m ? c.m->language : NULL;
    int li = find_file(&c, "lesson.lua");
    if (li >= 0) c.flags[li] |= F_USED;
    check_titles(&c);

    /* 3. Pages, in reading order; without a manifest, every Markdown file. */
    if (c.m) {
        for (int p = 0; p < c.m->n_pages; p++) {
            int i = find_file(&c, c.m->pages[p].path);
            if (i < 0 || !(c.flags[i] & F_READ)) continue;
            c.flags[i] |= F_PAGE | F_USED;
            if (c.m->pages[p].kind == PAGE_QUIZ) check_quiz(&c, i);
            else check_markdown(&c, i);
        }
    } else {
        for (int i = 0; i < n; i++) {
            static const char *const md[] = {"md", NULL};
            if ((c.flags[i] & F_READ) && ext_is(c.files->v[i].name, md)) {
                c.flags[i] |= F_PAGE | F_USED;
                check_markdown(&c, i);
            }
        }
    }

    /* 4. Pictures no page shows, and pages the manifest forgot. */
    for (int i = 0; i < n; i++) {
        const char *name = c.files->v[i].name;
        static const char *const md[] = {"md", NULL};
        if (is_image_name(name)) {
            check_image(&c, i);
            /* A quiz may name a picture in code the check cannot follow. */
            bool in_script = false;
            for (int k = 0; k < n && !in_script && !(c.flags[i] & F_USED); k++) {
                static const char *const lua[] = {"lua", NULL};
                if (ext_is(c.files->v[k].name, lua))
                    in_script = find_bytes(c.files->v[k].data, c.files->v[k].len, name, strlen(name)) != NULL;
            }
            if (!(c.flags[i] & F_USED) && !in_script && c.m)
                add_msg(&c, CHECK_WARNING, name, 1,
                        "no page shows this picture (it only makes the lesson bigger)");
        } else if (c.m && ext_is(name, md) && !(c.flags[i] & F_PAGE)) {
            add_msg(&c, CHECK_WARNING, name, 1,
                    "not listed in lesson.lua's pages, so learners cannot open it");
        }
    }

    make_summary(&c);
    manifest_free(c.m);
    free(c.flags);
    if (c.te) text_engine_free(c.te);
    if (!c.opt->keep_files) lesson_files_free(c.files);
    return true;
}

/* ---- outpost check -------------------------------------------------- */

void check_release_fonts(void)
{
    /* fontconfig keeps its configuration for the life of the process; a
     * command about to exit frees it so leak checkers see a clean exit.
     * Never call this while a text engine is alive (the player's is). */
    FcFini();
}

static void usage(FILE *f)
{
    fputs("usage: outpost check FOLDER|FILE.lesson\n"
          "\n"
          "Looks for everything the player would trip on and reports each problem\n"
          "as FILE:LINE: error: MESSAGE (or warning:). Checks lesson.lua; that every\n"
          "page is readable Markdown and every link and picture it names is there;\n"
          "that pictures open and are not too big; that every quiz loads and passes\n"
          "its self-test for 200 learners; that every character has a font. Ends\n"
          "with the size of the lesson by kind of file.\n"
          "\n"
          "Exit status: 0 if there are no errors (warnings are allowed), 1 if there\n"
          "are errors, 2 for a bad command line.\n"
          "\n"
          "  -q, --quiet   print only errors and warnings, not the summary\n"
          "  -h, --help    show this help\n",
          f);
}

int cmd_check(int argc, char **argv)
{
    const char *path = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "outpost check: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (path) {
            fprintf(stderr, "outpost check: only one lesson can be checked at a time\n");
            usage(stderr);
            return 2;
        } else {
            path = a;
        }
    }
    if (!path || !*path) {
        fprintf(stderr, "outpost check: which lesson? (missing FOLDER or FILE.lesson)\n");
        usage(stderr);
        return 2;
    }
    Error err = {{0}};
    Package *pkg = package_open(path, &err);
    if (!pkg) {
        size_t pl = strlen(path);
        if (strncmp(err.msg, path, pl) == 0 && err.msg[pl] == ':') fprintf(stderr, "outpost: %s\n", err.msg);
        else fprintf(stderr, "outpost: %s: %s\n", path, err.msg);
        return 1;
    }
    CheckReport rep;
    bool ran = check_package(pkg, NULL, &rep, &err);
    package_close(pkg);
    if (!ran) {
        fprintf(stderr, "outpost: %s: %s\n", path, err.msg);
        check_report_free(&rep);
        return 1;
    }
    check_report_print(&rep, stdout);
    if (!quiet) {
        printf("%s\n", rep.summary);
        if (rep.n_errors || rep.n_warnings)
            printf("%d error%s, %d warning%s\n", rep.n_errors, rep.n_errors == 1 ? "" : "s", rep.n_warnings,
                   rep.n_warnings == 1 ? "" : "s");
        else
            printf("No problems found.\n");
    }
    int status = rep.n_errors ? 1 : 0;
    check_report_free(&rep);
    check_release_fonts();
    return status;
}
