/* manifest: see manifest.h and docs/package-format.md.
 *
 * lesson.lua is untrusted code, so it runs in a fresh sandbox with no
 * libraries, and the table it returns is then read as plain data: raw
 * access only, inside a protected call so that a Lua memory error while
 * reading (the script may have used almost all of its budget) becomes an
 * error message instead of a panic.
 *
 * Lua gives no line numbers for values, so a small scanner over the source
 * finds the line of each field of the returned table constructor; shape
 * errors then point at the line the author has to fix. */
#include "manifest.h"
#include "sandbox.h"

#include <limits.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_NAME "lesson.lua"
/* A manifest is a few hundred bytes; anything this big is not one. */
#define MANIFEST_MAX_BYTES ((size_t)1 << 20)
#define ID_MAX 128
#define PAGE_ID_MAX 256
#define MINUTES_MAX 100000

/* ---- source lines --------------------------------------------------- */

typedef struct KeyLine {
    const char *name; /* points into the source, not NUL-terminated */
    size_t len;
    int line;
} KeyLine;

typedef struct Lines {
    int ret;          /* line of the final `return`, 0 if not found */
    KeyLine keys[64]; /* top-level fields of the returned table */
    int n_keys;
    int *items;       /* line of each pages[] item (heap, freed by lines_free) */
    int n_items, cap_items;
} Lines;

static bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

/* Level of a long bracket "[==[" at p (the number of '='), or -1. */
static int long_bracket(const char *p, const char *end)
{
    if (p >= end || *p != '[') return -1;
    int level = 0;
    p++;
    while (p < end && *p == '=') p++, level++;
    return p < end && *p == '[' ? level : -1;
}

/* Skips a long string or comment body starting at the opening bracket. */
static const char *skip_long(const char *p, const char *end, int level, int *line)
{
    p += level + 2;
    while (p < end) {
        if (*p == '\n') (*line)++;
        if (*p == ']') {
            const char *q = p + 1;
            int l = 0;
            while (q < end && *q == '=') q++, l++;
            if (l == level && q < end && *q == ']') return q + 1;
        }
        p++;
    }
    return end;
}

typedef enum { TK_EOF, TK_NAME, TK_OTHER } TokKind;
typedef struct Tok {
    TokKind kind;
    const char *s;
    size_t len;
    int line;
} Tok;

typedef struct Lexer {
    const char *p, *end;
    int line;
} Lexer;

/* A rough Lua tokenizer: enough to tell names, strings, comments and
 * brackets apart. It never has to be exact: the result only picks lines. */
static Tok next_tok(Lexer *lx)
{
    for (;;) {
        const char *p = lx->p, *end = lx->end;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\f' || *p == '\v')) {
            if (*p == '\n') lx->line++;
            p++;
        }
        lx->p = p;
        if (p >= end) return (Tok){TK_EOF, p, 0, lx->line};
        if (p + 1 < end && p[0] == '-' && p[1] == '-') {
            int level = long_bracket(p + 2, end);
            if (level >= 0) {
                lx->p = skip_long(p + 2, end, level, &lx->line);
            } else {
                while (p < end && *p != '\n') p++;
                lx->p = p;
            }
            continue;
        }
        Tok t = {TK_OTHER, p, 1, lx->line};
        if (is_name_start(*p)) {
            while (p < end && is_name_char(*p)) p++;
            t.kind = TK_NAME;
        } else if (*p >= '0' && *p <= '9') {
            while (p < end && (is_name_char(*p) || *p == '.' ||
                               ((*p == '-' || *p == '+') && strchr("eEpP", p[-1]))))
                p++;
        } else if (*p == '"' || *p == '\'') {
            char q = *p++;
            while (p < end && *p != q && *p != '\n') {
                if (*p == '\\' && p + 1 < end) {
                    if (p[1] == '\n') lx->line++;
                    p++;
                }
                p++;
            }
            if (p < end) p++;
        } else if (long_bracket(p, end) >= 0) {
            p = skip_long(p, end, long_bracket(p, end), &lx->line);
        } else if (*p == '=' && p + 1 < end && p[1] == '=') {
            p += 2;
        } else {
            p++;
        }
        t.len = (size_t)(p - t.s);
        lx->p = p;
        return t;
    }
}

static bool tok_is(Tok t, const char *s) { return t.len == strlen(s) && memcmp(t.s, s, t.len) == 0; }
static bool tok_open(Tok t) { return tok_is(t, "{") || tok_is(t, "(") || tok_is(t, "["); }
static bool tok_close(Tok t) { return tok_is(t, "}") || tok_is(t, ")") || tok_is(t, "]"); }

static void find_lines(const char *src, size_t len, Lines *ln)
{
    memset(ln, 0, sizeof *ln);
    /* The chunk's own `return` is the last one outside any bracket: a
     * return inside a function body always comes before it. */
    Lexer lx = {src, src + len, 1};
    const char *after_ret = NULL;
    int depth = 0;
    for (Tok t = next_tok(&lx); t.kind != TK_EOF; t = next_tok(&lx)) {
        if (tok_open(t)) depth++;
        else if (tok_close(t) && depth > 0) depth--;
        else if (depth == 0 && t.kind == TK_NAME && tok_is(t, "return")) {
            ln->ret = t.line;
            after_ret = lx.p;
        }
    }
    if (!after_ret) return;
    lx = (Lexer){after_ret, src + len, ln->ret};
    if (!tok_is(next_tok(&lx), "{")) return;
    depth = 1;
    bool in_pages = false, item_start = false;
    Tok prev = {TK_OTHER, "{", 1, 0};
    for (Tok t = next_tok(&lx); t.kind != TK_EOF; prev = t, t = next_tok(&lx)) {
        if (depth == 2 && in_pages && item_start && !tok_close(t)) {
            if (ln->n_items == ln->cap_items) {
                ln->cap_items = ln->cap_items ? ln->cap_items * 2 : 16;
                ln->items = xrealloc(ln->items, (size_t)ln->cap_items * sizeof *ln->items);
            }
            ln->items[ln->n_items++] = t.line;
            item_start = false;
        }
        if (tok_open(t)) {
            depth++;
            if (depth == 2 && in_pages && tok_is(t, "{")) item_start = true;
        } else if (tok_close(t)) {
            if (--depth == 0) break;
            if (depth == 1) in_pages = false;
        } else if (depth == 2 && in_pages && (tok_is(t, ",") || tok_is(t, ";"))) {
            item_start = true;
        } else if (depth == 1 && tok_is(t, "=") && prev.kind == TK_NAME) {
            if (ln->n_keys < (int)(sizeof ln->keys / sizeof ln->keys[0]))
                ln->keys[ln->n_keys++] = (KeyLine){prev.s, prev.len, prev.line};
            in_pages = prev.len == 5 && memcmp(prev.s, "pages", 5) == 0;
        }
    }
}

static int key_line(const Lines *ln, const char *key)
{
    size_t n = strlen(key);
    for (int i = 0; i < ln->n_keys; i++)
        if (ln->keys[i].len == n && memcmp(ln->keys[i].name, key, n) == 0) return ln->keys[i].line;
    return ln->ret;
}

static int item_line(const Lines *ln, int i)
{
    return i >= 1 && i <= ln->n_items ? ln->items[i - 1] : key_line(ln, "pages");
}

/* ---- reading the table --------------------------------------------- */

typedef struct Ctx {
    Package *pkg;
    Manifest *m; /* being filled; owned by manifest_load */
    Lines lines;
    Error *err;
    bool failed;
} Ctx;

/* Sets a shape error: "lesson.lua:LINE: field 'FIELD': ..." (no line if
 * unknown). Returns false. */
static bool field_error(Ctx *c, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool field_error(Ctx *c, int line, const char *field, const char *fmt, ...)
{
    char what[512], where[32] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line > 0) snprintf(where, sizeof where, ":%d", line);
    c->failed = true;
    return error_set(c->err, MANIFEST_NAME "%s: field '%s'%s%s", where, field, what[0] == ' ' ? "" : ": ",
                     what);
}

/* Quotes a value for a message, cut short and with control bytes hidden. */
static const char *shown(const char *s, char *out, size_t outsz)
{
    size_t o = 0;
    out[o++] = '"';
    for (; *s && o + 6 < outsz; s++) out[o++] = (unsigned char)*s < 0x20 ? '?' : *s;
    if (*s) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = 0;
    return out;
}

/* Reads the string at the top of the stack. Types are checked first so that
 * a number is never silently turned into a string. */
static bool get_string(Ctx *c, lua_State *L, int line, const char *field, char **out)
{
    int t = lua_type(L, -1);
    if (t != LUA_TSTRING)
        return field_error(c, line, field, "expected a string, got %s", t == LUA_TNIL ? "nothing" : lua_typename(L, t));
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len) return field_error(c, line, field, "the text contains a NUL byte");
    *out = xstrndup(s, len);
    return true;
}

/* Pushes t[key] (raw) for the table at index idx. */
static int raw_field(lua_State *L, int idx, const char *key)
{
    idx = lua_absindex(L, idx);
    lua_pushstring(L, key);
    return lua_rawget(L, idx);
}

static bool opt_string(Ctx *c, lua_State *L, const char *key, char **out)
{
    bool ok = true;
    if (raw_field(L, 1, key) != LUA_TNIL) ok = get_string(c, L, key_line(&c->lines, key), key, out);
    lua_pop(L, 1);
    return ok;
}

static bool req_string(Ctx *c, lua_State *L, const char *key, char **out)
{
    bool ok;
    if (raw_field(L, 1, key) == LUA_TNIL) {
        c->failed = true;
        ok = error_set(c->err, MANIFEST_NAME "%s%.0d: field '%s' is missing (every lesson needs one)",
                       c->lines.ret ? ":" : "", c->lines.ret, key);
    } else {
        ok = get_string(c, L, key_line(&c->lines, key), key, out);
        if (ok && !**out) ok = field_error(c, key_line(&c->lines, key), key, "must not be empty");
    }
    lua_pop(L, 1);
    return ok;
}

static bool valid_lesson_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ID_MAX) return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

/* BCP 47, loosely: a 2-8 letter language then '-'-separated parts of 1-8
 * letters or digits ("en", "th", "zh-Hans", "pt-BR", "es-419"). */
static bool valid_language(const char *s)
{
    int n = 0;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) s++, n++;
    if (n < 2 || n > 8) return false;
    while (*s == '-') {
        s++;
        n = 0;
        while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) s++, n++;
        if (n < 1 || n > 8) return false;
    }
    return *s == 0;
}

static bool valid_page_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PAGE_ID_MAX) return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return false;
    return true;
}

/* ASCII-only and local: the player has its own strings.h, which shadows
 * the system <strings.h> on the include path. */
static bool ext_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        if (x != *b) return false;
    }
    return *a == *b;
}

static bool is_image(const char *name)
{
    /* What image.c can decode. */
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".svg"};
    const char *dot = strrchr(name, '.');
    if (!dot || strchr(dot, '/')) return false;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ext_equal(dot, ext[i])) return true;
    return false;
}

/* Checks that an entry named in the manifest is a safe name that exists. */
static bool check_entry(Ctx *c, int line, const char *field, const char *name)
{
    char q[160];
    Error e;
    if (!package_name_is_safe(name, &e)) return field_error(c, line, field, "%s", e.msg);
    if (!package_has(c->pkg, name))
        return field_error(c, line, field, "%s is not in the lesson (check the spelling and the folder)",
                           shown(name, q, sizeof q));
    return true;
}

static bool read_page(Ctx *c, lua_State *L, int i, ManifestPage *pg)
{
    char field[64], sub[80], q[160];
    int line = item_line(&c->lines, i);
    snprintf(field, sizeof field, "pages[%d]", i);
    int t = lua_type(L, -1);
    if (t == LUA_TSTRING) {
        if (!get_string(c, L, line, field, &pg->path)) return false;
    } else if (t == LUA_TTABLE) {
        snprintf(sub, sizeof sub, "%s.path", field);
        if (raw_field(L, -1, "path") == LUA_TNIL) {
            lua_pop(L, 1);
            return field_error(c, line, sub, " is missing (each page needs a path)");
        }
        bool ok = get_string(c, L, line, sub, &pg->path);
        lua_pop(L, 1);
        if (!ok) return false;
        snprintf(sub, sizeof sub, "%s.id", field);
        ok = raw_field(L, -1, "id") == LUA_TNIL || get_string(c, L, line, sub, &pg->id);
        lua_pop(L, 1);
        if (!ok) return false;
        if (pg->id && !valid_page_id(pg->id))
            return field_error(c, line, sub, "%s is not a usable page id (it must be 1 to %d characters, "
                                             "with no control characters)",
                               shown(pg->id, q, sizeof q), PAGE_ID_MAX);
        snprintf(sub, sizeof sub, "%s.title", field);
        ok = raw_field(L, -1, "title") == LUA_TNIL || get_string(c, L, line, sub, &pg->title);
        lua_pop(L, 1);
        if (!ok) return false;
    } else {
        return field_error(c, line, field, "expected a string or a table, got %s", lua_typename(L, t));
    }

    if (!check_entry(c, line, field, pg->path)) return false;
    if (str_ends_with(pg->path, ".md")) pg->kind = PAGE_MARKDOWN;
    else if (str_ends_with(pg->path, ".lua")) pg->kind = PAGE_QUIZ;
    else
        return field_error(c, line, field, "%s is not a page: pages must end in .md (text) or .lua (quiz)",
                           shown(pg->path, q, sizeof q));
    if (!pg->id) {
        /* Default id: the path without its extension ("pages/01-intro"). */
        pg->id = xstrndup(pg->path, (size_t)(strrchr(pg->path, '.') - pg->path));
        if (!valid_page_id(pg->id))
            return field_error(c, line, field, "cannot make a page id from %s; give the page an explicit id",
                               shown(pg->path, q, sizeof q));
    }
    return true;
}

typedef struct KeyIx {
    const char *key;
    int ix;
} KeyIx;

static int keyix_cmp(const void *a, const void *b)
{
    const KeyIx *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->ix > y->ix) - (x->ix < y->ix);
}

/* Finds the earliest page that repeats an earlier one's key: sets *first and
 * *second (0-based) and returns true. Sorting keeps this O(n log n) even for
 * a lesson with thousands of pages. */
static bool first_duplicate(KeyIx *k, int n, int *first, int *second)
{
    qsort(k, (size_t)n, sizeof *k, keyix_cmp);
    *second = -1;
    int start = 0;
    for (int i = 1; i < n; i++) {
        if (strcmp(k[i].key, k[start].key) != 0) {
            start = i;
        } else if (i == start + 1 && (*second < 0 || k[i].ix < *second)) {
            *first = k[start].ix;
            *second = k[i].ix;
        }
    }
    return *second >= 0;
}

/* Two pages may not be the same file or share an id (progress is kept per
 * id). Reports the earliest repeat. */
static void check_duplicates(Ctx *c)
{
    Manifest *m = c->m;
    KeyIx *k = xmalloc((size_t)m->n_pages * sizeof *k);
    int pf = 0, ps = -1, idf = 0, ids = -1;
    for (int i = 0; i < m->n_pages; i++) k[i] = (KeyIx){m->pages[i].path, i};
    bool dup_path = first_duplicate(k, m->n_pages, &pf, &ps);
    for (int i = 0; i < m->n_pages; i++) k[i] = (KeyIx){m->pages[i].id, i};
    bool dup_id = first_duplicate(k, m->n_pages, &idf, &ids);
    free(k);
    char field[32], q[160];
    if (dup_path && (!dup_id || ps <= ids)) {
        snprintf(field, sizeof field, "pages[%d]", ps + 1);
        field_error(c, item_line(&c->lines, ps + 1), field, "%s is already listed as pages[%d]",
                    shown(m->pages[ps].path, q, sizeof q), pf + 1);
    } else if (dup_id) {
        snprintf(field, sizeof field, "pages[%d]", ids + 1);
        field_error(c, item_line(&c->lines, ids + 1), field,
                    "page id %s is already used by pages[%d]; give one of them another id",
                    shown(m->pages[ids].id, q, sizeof q), idf + 1);
    }
}

static bool read_pages(Ctx *c, lua_State *L)
{
    Manifest *m = c->m;
    int line = key_line(&c->lines, "pages");
    int t = raw_field(L, 1, "pages");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        c->failed = true;
        return error_set(c->err, MANIFEST_NAME "%s%.0d: field 'pages' is missing (every lesson needs one)",
                         c->lines.ret ? ":" : "", c->lines.ret);
    }
    if (t != LUA_TTABLE) {
        lua_pop(L, 1);
        return field_error(c, line, "pages", "expected a list of pages, got %s", lua_typename(L, t));
    }
    lua_Unsigned n = lua_rawlen(L, -1);
    if (n == 0) {
        lua_pop(L, 1);
        return field_error(c, line, "pages", "expected a list of at least one page, like { \"pages/01-intro.md\" }");
    }
    if (n > PACKAGE_MAX_ENTRIES) {
        lua_pop(L, 1);
        return field_error(c, line, "pages", "lists more pages than a lesson can hold (%d)", PACKAGE_MAX_ENTRIES);
    }
    m->pages = xcalloc((size_t)n, sizeof *m->pages);
    for (int i = 1; i <= (int)n; i++) {
        /* Counted before reading, so manifest_free frees a half-read page
         * even if a Lua memory error unwinds out of read_page. */
        m->n_pages = i;
        lua_rawgeti(L, -1, i);
        bool ok = read_page(c, L, i, &m->pages[i - 1]);
        lua_pop(L, 1);
        if (!ok) break;
    }
    if (!c->failed) check_duplicates(c);
    lua_pop(L, 1);
    return !c->failed;
}

static bool read_authors(Ctx *c, lua_State *L)
{
    Manifest *m = c->m;
    int line = key_line(&c->lines, "authors");
    int t = raw_field(L, 1, "authors");
    bool ok = true;
    if (t == LUA_TTABLE) {
        lua_Unsigned n = lua_rawlen(L, -1);
        if (n > 1000) n = 1000; /* a list this long is a mistake; keep the first */
        m->authors = xcalloc((size_t)n + 1, sizeof *m->authors);
        for (int i = 1; ok && i <= (int)n; i++) {
            char field[32];
            snprintf(field, sizeof field, "authors[%d]", i);
            m->n_authors = i; /* see read_pages */
            lua_rawgeti(L, -1, i);
            ok = get_string(c, L, line, field, &m->authors[i - 1]);
            lua_pop(L, 1);
        }
    } else if (t != LUA_TNIL) {
        ok = field_error(c, line, "authors", "expected a list of names, like { \"A. Author\" }, got %s",
                         lua_typename(L, t));
    }
    lua_pop(L, 1);
    return ok;
}

static bool read_minutes(Ctx *c, lua_State *L)
{
    int line = key_line(&c->lines, "minutes");
    int t = raw_field(L, 1, "minutes");
    bool ok = true;
    if (t == LUA_TNUMBER) {
        int isint = 0;
        lua_Integer v = lua_tointegerx(L, -1, &isint);
        if (!isint || v < 1 || v > MINUTES_MAX)
            ok = field_error(c, line, "minutes", "expected a whole number of minutes from 1 to %d, got %s",
                             MINUTES_MAX, lua_tostring(L, -1));
        else
            c->m->minutes = (int)v;
    } else if (t != LUA_TNIL) {
        ok = field_error(c, line, "minutes", "expected a whole number of minutes, got %s", lua_typename(L, t));
    }
    lua_pop(L, 1);
    return ok;
}

static bool read_manifest(Ctx *c, lua_State *L)
{
    Manifest *m = c->m;
    char q[160];
    if (!req_string(c, L, "id", &m->id)) return false;
    if (!valid_lesson_id(m->id))
        return field_error(c, key_line(&c->lines, "id"), "id",
                           "%s may only contain letters, digits, '.', '_' and '-' (at most %d), "
                           "like \"wco.valuation.basics\"",
                           shown(m->id, q, sizeof q), ID_MAX);
    if (!req_string(c, L, "version", &m->version)) return false;
    if (!req_string(c, L, "title", &m->title)) return false;
    if (!req_string(c, L, "language", &m->language)) return false;
    if (!valid_language(m->language))
        return field_error(c, key_line(&c->lines, "language"), "language",
                           "%s is not a language tag; write one like \"en\", \"th\" or \"zh-Hans\"",
                           shown(m->language, q, sizeof q));
    if (!opt_string(c, L, "description", &m->description)) return false;
    if (!opt_string(c, L, "cover", &m->cover)) return false;
    if (m->cover) {
        int line = key_line(&c->lines, "cover");
        if (!check_entry(c, line, "cover", m->cover)) return false;
        if (!is_image(m->cover))
            return field_error(c, line, "cover", "%s is not an image the player can show (use .png, .jpg or .svg)",
                               shown(m->cover, q, sizeof q));
    }
    if (!opt_string(c, L, "publisher", &m->publisher)) return false;
    if (!opt_string(c, L, "license", &m->license)) return false;
    if (!read_authors(c, L)) return false;
    if (!read_minutes(c, L)) return false;
    return read_pages(c, L);
}

/* Runs in protected mode: stack is [table, ctx]. Shape errors are reported
 * through ctx (never lua_error, so C allocations are never skipped over);
 * only Lua's own memory errors unwind. */
static int read_protected(lua_State *L)
{
    Ctx *c = lua_touserdata(L, 2);
    lua_settop(L, 1);
    read_manifest(c, L);
    return 0;
}

Manifest *manifest_load(Package *pkg, Error *err)
{
    char *src = NULL;
    size_t len = 0;
    if (!package_read_max(pkg, MANIFEST_NAME, MANIFEST_MAX_BYTES, &src, &len, err)) return NULL;

    Sandbox *sb = sandbox_new(&SANDBOX_MANIFEST_LIMITS, err);
    if (!sb) {
        free(src);
        return NULL;
    }
    Ctx c = {.pkg = pkg, .err = err};
    Manifest *m = NULL;
    lua_State *L = sandbox_state(sb);
    if (!sandbox_run(sb, MANIFEST_NAME, src, len, 1, err)) goto done;

    find_lines(src, len, &c.lines);
    int t = lua_type(L, -1);
    if (t != LUA_TTABLE) {
        if (t == LUA_TNIL)
            error_set(err, MANIFEST_NAME "%s%.0d: the file must end with 'return { ... }' (it returned nothing)",
                      c.lines.ret ? ":" : "", c.lines.ret);
        else
            error_set(err, MANIFEST_NAME "%s%.0d: expected the file to return a table, got %s",
                      c.lines.ret ? ":" : "", c.lines.ret, lua_typename(L, t));
        goto done;
    }
    m = xcalloc(1, sizeof *m);
    c.m = m;
    /* A light C function and a light userdata: pushing them cannot fail. */
    lua_pushcfunction(L, read_protected);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, &c);
    int rc = lua_pcall(L, 2, 0, 0);
    if (rc != LUA_OK) {
        if (rc == LUA_ERRMEM) error_set(err, MANIFEST_NAME ": script used too much memory");
        else error_set(err, MANIFEST_NAME ": %s", lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error");
        lua_pop(L, 1);
        c.failed = true;
    }
    if (c.failed) {
        manifest_free(m);
        m = NULL;
    }
done:
    free(c.lines.items);
    sandbox_free(sb);
    free(src);
    return m;
}

void manifest_free(Manifest *m)
{
    if (!m) return;
    free(m->id);
    free(m->version);
    free(m->title);
    free(m->language);
    free(m->description);
    free(m->cover);
    free(m->publisher);
    free(m->license);
    for (int i = 0; i < m->n_authors; i++) free(m->authors[i]);
    free(m->authors);
    for (int i = 0; i < m->n_pages; i++) {
        free(m->pages[i].path);
        free(m->pages[i].id);
        free(m->pages[i].title);
    }
    free(m->pages);
    free(m);
}

int manifest_find_page(const Manifest *m, const char *path_or_id)
{
    if (!m || !path_or_id) return -1;
    for (int i = 0; i < m->n_pages; i++)
        if (strcmp(m->pages[i].id, path_or_id) == 0) return i;
    for (int i = 0; i < m->n_pages; i++)
        if (strcmp(m->pages[i].path, path_or_id) == 0) return i;
    return -1;
}
