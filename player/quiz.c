/* quiz: see quiz.h. The kit (scripts/quizkit.lua, embedded at build time as
 * quizkit_lua[]) does the question logic in Lua; this file boots it in a
 * sandbox, gives it a few C helpers (seeded generators, text normalisation,
 * number parsing) and copies what the UI needs into C structs.
 *
 * Every call into Lua goes through kit_call(): a C trampoline run by
 * sandbox_pcall, which pushes the arguments, calls the kit function and reads
 * the results while still protected, so neither a script error nor a memory
 * refusal can escape as a Lua panic. */
#include "quiz.h"

#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const char quizkit_lua[];
extern const size_t quizkit_lua_len;

static char KIT_KEY; /* registry: the kit's private function table */

struct Quiz {
    Sandbox *sb;
    char *name;
    uint64_t seed;
    char *title, *intro, *message;
    double pass;
    int n;
    QuizQuestion *qs;
};

/* ---- C helpers for the kit ---- */

#define RNG_META "outpost.rng"

static SandboxRng *check_rng(lua_State *L)
{
    SandboxRng *r = luaL_testudata(L, 1, RNG_META);
    if (!r) luaL_error(L, "call the generator with a colon, e.g. rng:int(1, 6)");
    return r;
}

static int rng_int(lua_State *L)
{
    SandboxRng *r = check_rng(L);
    lua_Integer lo = 1, hi;
    if (lua_isnoneornil(L, 3)) {
        hi = luaL_checkinteger(L, 2);
    } else {
        lo = luaL_checkinteger(L, 2);
        hi = luaL_checkinteger(L, 3);
    }
    if (lo > hi) return luaL_error(L, "rng:int(%I, %I): the first number must not be larger", lo, hi);
    lua_pushinteger(L, (lua_Integer)sandbox_rng_range(r, lo, hi));
    return 1;
}

static int rng_float(lua_State *L)
{
    SandboxRng *r = check_rng(L);
    double lo = luaL_optnumber(L, 2, 0), hi = luaL_optnumber(L, 3, 1);
    double x = lo + (hi - lo) * sandbox_rng_float(r);
    if (!lua_isnoneornil(L, 4)) {
        lua_Integer places = luaL_checkinteger(L, 4);
        luaL_argcheck(L, places >= 0 && places <= 12, 4, "places must be 0 to 12");
        double m = pow(10.0, (double)places);
        x = floor(x * m + 0.5) / m;
    }
    lua_pushnumber(L, x);
    return 1;
}

static int rng_chance(lua_State *L)
{
    SandboxRng *r = check_rng(L);
    lua_pushboolean(L, sandbox_rng_float(r) < luaL_checknumber(L, 2));
    return 1;
}

static int rng_pick(lua_State *L)
{
    SandboxRng *r = check_rng(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    if (n == 0) return luaL_error(L, "rng:pick: the list is empty");
    lua_rawgeti(L, 2, sandbox_rng_range(r, 1, n));
    return 1;
}

/* Returns a shuffled copy (Fisher-Yates). */
static int rng_shuffle(lua_State *L)
{
    SandboxRng *r = check_rng(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    if (n > 100000) return luaL_error(L, "rng:shuffle: the list is too long");
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        lua_rawseti(L, -2, i);
    }
    for (lua_Integer i = n; i >= 2; i--) {
        lua_Integer j = sandbox_rng_range(r, 1, i);
        lua_rawgeti(L, -1, i);
        lua_rawgeti(L, -2, j);
        lua_rawseti(L, -3, i);
        lua_rawseti(L, -2, j);
    }
    return 1;
}

static int host_rng(lua_State *L)
{
    uint64_t seed = (uint64_t)luaL_checkinteger(L, 1);
    SandboxRng *r = lua_newuserdatauv(L, sizeof *r, 0);
    sandbox_rng_seed(r, seed);
    if (luaL_newmetatable(L, RNG_META)) {
        static const luaL_Reg methods[] = {{"int", rng_int},       {"float", rng_float},
                                           {"chance", rng_chance}, {"pick", rng_pick},
                                           {"shuffle", rng_shuffle}, {NULL, NULL}};
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    return 1;
}

static int host_mix(lua_State *L)
{
    uint64_t seed = (uint64_t)luaL_checkinteger(L, 1);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    lua_pushinteger(L, (lua_Integer)hash_bytes(s, len, seed ^ 0x6F7574706F7374u));
    return 1;
}

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x3000 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F;
}

/* Full-width forms to ASCII, the ideographic space to a space, Thai digits to
 * ASCII digits, the minus sign to '-'. */
static uint32_t fold_width(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E) return cp - 0xFEE0;
    if (cp == 0x3000) return ' ';
    if (cp >= 0x0E50 && cp <= 0x0E59) return '0' + (cp - 0x0E50);
    if (cp == 0x2212) return '-';
    return cp;
}

/* normalise(s, case, spaces, fullwidth) */
static int host_normalise(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    bool fold_case = lua_toboolean(L, 2), spaces = lua_toboolean(L, 3),
         width = lua_toboolean(L, 4);
    const char *p = s, *end = s + len;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    bool pending = false, any = false;
    while (p < end) {
        uint32_t cp = utf8_next(&p, end);
        if (width) cp = fold_width(cp);
        if (spaces && is_space_cp(cp)) {
            pending = any;
            continue;
        }
        if (pending) luaL_addchar(&b, ' ');
        pending = false;
        any = true;
        if (fold_case && cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        char out[4];
        luaL_addlstring(&b, out, (size_t)utf8_encode(cp, out));
    }
    luaL_pushresult(&b);
    return 1;
}

/* Counts the digits of a '|'-free run starting at s. */
static size_t digits_at(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9') n++;
    return n;
}

/* Parses a typed number; see "Numbers" in docs/quiz-scripting.md. Returns
 * false if the text is not a number. */
static bool parse_number(const char *s, size_t len, double *out)
{
    char a[128];
    size_t n = 0;
    const char *p = s, *end = s + len;
    while (p < end) {
        uint32_t cp = fold_width(utf8_next(&p, end));
        if (is_space_cp(cp)) cp = ' ';
        if (cp > 0x7E || n + 1 >= sizeof a) return false;
        a[n++] = (char)cp;
    }
    a[n] = '\0';
    /* trim */
    char *t = a;
    while (*t == ' ') t++;
    while (n > 0 && a[n - 1] == ' ') a[--n] = '\0';
    bool neg = false;
    if (*t == '-' || *t == '+') neg = *t++ == '-';
    if (!*t) return false;
    int dots = 0, commas = 0;
    const char *last_dot = NULL, *last_comma = NULL;
    for (const char *c = t; *c; c++) {
        if (*c == '.') dots++, last_dot = c;
        else if (*c == ',') commas++, last_comma = c;
        else if (!((*c >= '0' && *c <= '9') || *c == ' ' || *c == '\'')) return false;
    }
    const char *dec = NULL;
    if (dots && commas) {
        dec = last_dot > last_comma ? last_dot : last_comma;
        if ((dec == last_dot ? dots : commas) > 1) return false;
    } else if (dots == 1) {
        dec = last_dot;
    } else if (commas == 1) {
        /* "1,234" is a thousands separator, "2,5" and "0,125" decimals. */
        bool three = digits_at(last_comma + 1) == 3 && last_comma[4] == '\0';
        bool zero_int = last_comma - t == 1 && t[0] == '0';
        if (!three || zero_int) dec = last_comma;
    }
    /* Integer part: plain digits, or groups of three after the first. */
    char num[128];
    size_t k = 0;
    const char *c = t;
    const char *int_end = dec ? dec : t + strlen(t);
    size_t group = 0, groups = 0;
    bool grouped = false;
    for (; c < int_end; c++) {
        if (*c >= '0' && *c <= '9') {
            num[k++] = *c;
            group++;
        } else { /* a group separator */
            if (group == 0 || (groups > 0 && group != 3) || group > 3) return false;
            if (groups == 0 && group > 3) return false;
            groups++;
            group = 0;
            grouped = true;
        }
    }
    if (grouped && group != 3) return false;
    if (k == 0) num[k++] = '0';
    if (dec) {
        num[k++] = '.';
        size_t fd = digits_at(dec + 1);
        if (fd == 0 || dec[1 + fd] != '\0') return false;
        memcpy(num + k, dec + 1, fd);
        k += fd;
    }
    num[k] = '\0';
    char *e;
    /* Only digits and '.': strtod in the C locale is not guaranteed, so
     * build the value from the digits. */
    double v = 0, scale = 1;
    bool frac = false;
    for (e = num; *e; e++) {
        if (*e == '.') {
            frac = true;
            continue;
        }
        if (frac) {
            scale /= 10;
            v += (*e - '0') * scale;
        } else {
            v = v * 10 + (*e - '0');
        }
    }
    *out = neg ? -v : v;
    return true;
}

static int host_number(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    double v;
    if (parse_number(s, len, &v)) {
        if (v == floor(v) && fabs(v) < 9e15) lua_pushinteger(L, (lua_Integer)v);
        else lua_pushnumber(L, v);
    } else {
        lua_pushnil(L);
    }
    return 1;
}

/* ---- calling the kit ---- */

typedef struct KitCall {
    const char *fn;
    int (*push)(lua_State *L, void *ud); /* pushes arguments, returns how many */
    void (*read)(lua_State *L, void *ud); /* reads the one result at the top */
    void *ud;
} KitCall;

static int kit_tramp(lua_State *L)
{
    KitCall *c = lua_touserdata(L, 1);
    lua_settop(L, 2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KIT_KEY);
    lua_getfield(L, -1, c->fn);
    int n = c->push ? c->push(L, c->ud) : 0;
    lua_call(L, n, 1);
    if (c->read) c->read(L, c->ud);
    return 0;
}

/* extra: a stack index whose value is passed to the trampoline as its
 * second argument (0 for none), for push callbacks to use as index 2. */
static bool kit_call_with(Quiz *q, KitCall *c, int extra, Error *err)
{
    lua_State *L = sandbox_state(q->sb);
    lua_pushcfunction(L, kit_tramp);
    lua_pushlightuserdata(L, c);
    if (extra) lua_pushvalue(L, extra);
    return sandbox_pcall(q->sb, q->name, extra ? 2 : 1, 0, err);
}

static bool kit_call(Quiz *q, KitCall *c, Error *err) { return kit_call_with(q, c, 0, err); }

/* Table readers: the kit builds plain tables of strings and numbers, so these
 * never run script code, allocate or raise. */
static char *get_str(lua_State *L, int t, const char *k)
{
    char *s = NULL;
    if (lua_getfield(L, t, k) == LUA_TSTRING) s = xstrdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    return s;
}

static double get_num(lua_State *L, int t, const char *k, double def)
{
    double v = def;
    if (lua_getfield(L, t, k) == LUA_TNUMBER) v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static bool get_bool(lua_State *L, int t, const char *k)
{
    lua_getfield(L, t, k);
    bool v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

static char **get_list(lua_State *L, int t, const char *k, int *n)
{
    char **out = NULL;
    *n = 0;
    if (lua_getfield(L, t, k) == LUA_TTABLE) {
        int len = (int)lua_rawlen(L, -1);
        out = xcalloc((size_t)len + 1, sizeof *out);
        for (int i = 0; i < len; i++) {
            lua_rawgeti(L, -1, i + 1);
            out[i] = xstrdup(lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "");
            lua_pop(L, 1);
        }
        *n = len;
    }
    lua_pop(L, 1);
    return out;
}

static void free_list(char **l, int n)
{
    for (int i = 0; i < n; i++) free(l[i]);
    free(l);
}

static void question_clear(QuizQuestion *qq)
{
    free(qq->id);
    free(qq->prompt);
    free(qq->hint);
    free(qq->explain);
    free(qq->unit);
    free_list(qq->options, qq->n_options);
    free_list(qq->left, qq->n_left);
    free_list(qq->right, qq->n_right);
    free_list(qq->items, qq->n_items);
    free_list(qq->segments, qq->n_blanks + (qq->segments ? 1 : 0));
    free(qq->image);
    for (int i = 0; i < qq->n_regions; i++) free(qq->regions[i].label);
    free(qq->regions);
    free(qq->step);
    free(qq->step_text);
    free(qq->feedback);
    free(qq->your_answer);
    free(qq->correct_answer);
    free(qq->note);
    memset(qq, 0, sizeof *qq);
}

static const char *const TYPE_NAMES[] = {"choice", "multi", "truefalse", "numeric", "text",
                                         "match",  "order", "blanks",    "hotspot", "scenario"};

/* Reads the kit's view table (at the top) into qq. */
static void read_view(lua_State *L, QuizQuestion *qq)
{
    int t = lua_gettop(L);
    question_clear(qq);
    char *type = get_str(L, t, "type");
    for (int i = 0; type && i < (int)(sizeof TYPE_NAMES / sizeof TYPE_NAMES[0]); i++)
        if (strcmp(type, TYPE_NAMES[i]) == 0) qq->type = (QuizType)i;
    free(type);
    qq->id = get_str(L, t, "id");
    qq->prompt = get_str(L, t, "prompt");
    qq->hint = get_str(L, t, "hint");
    qq->explain = get_str(L, t, "explain");
    qq->unit = get_str(L, t, "unit");
    qq->weight = get_num(L, t, "weight", 1);
    qq->options = get_list(L, t, "options", &qq->n_options);
    qq->left = get_list(L, t, "left", &qq->n_left);
    qq->right = get_list(L, t, "right", &qq->n_right);
    qq->items = get_list(L, t, "items", &qq->n_items);
    int nseg = 0;
    qq->segments = get_list(L, t, "segments", &nseg);
    qq->n_blanks = nseg > 0 ? nseg - 1 : 0;
    qq->image = get_str(L, t, "image");
    if (lua_getfield(L, t, "regions") == LUA_TTABLE) {
        int n = (int)lua_rawlen(L, -1);
        qq->regions = xcalloc((size_t)n + 1, sizeof *qq->regions);
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, -1, i + 1);
            int r = lua_gettop(L);
            QuizRegion *g = &qq->regions[i];
            g->x = get_num(L, r, "x", 0);
            g->y = get_num(L, r, "y", 0);
            g->w = get_num(L, r, "w", 0);
            g->h = get_num(L, r, "h", 0);
            g->label = get_str(L, r, "label");
            qq->n_regions = i + 1;
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    qq->fractions = get_bool(L, t, "fractions");
    qq->step = get_str(L, t, "step");
    qq->step_text = get_str(L, t, "step_text");
    qq->finished = get_bool(L, t, "finished");
    qq->tries = (int)get_num(L, t, "tries", 0);
    qq->max_tries = (int)get_num(L, t, "max_tries", 1);
    qq->answered = get_bool(L, t, "answered");
    qq->locked = get_bool(L, t, "locked");
    qq->score = get_num(L, t, "score", 0);
    qq->feedback = get_str(L, t, "feedback");
    qq->your_answer = get_str(L, t, "your_answer");
    qq->correct_answer = get_str(L, t, "correct_answer");
    qq->note = get_str(L, t, "note");
}

/* Refreshes question i (or all, if i < 0) and the finished message; runs
 * inside the trampoline, after the main kit function. */
static void refresh(lua_State *L, Quiz *q, int i)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KIT_KEY);
    int k = lua_gettop(L);
    for (int j = (i < 0 ? 0 : i); j < (i < 0 ? q->n : i + 1); j++) {
        lua_getfield(L, k, "view");
        lua_pushinteger(L, j + 1);
        lua_call(L, 1, 1);
        read_view(L, &q->qs[j]);
        lua_pop(L, 1);
    }
    lua_getfield(L, k, "message");
    lua_call(L, 0, 1);
    free(q->message);
    q->message = lua_type(L, -1) == LUA_TSTRING ? xstrdup(lua_tostring(L, -1)) : NULL;
    lua_pop(L, 2);
}

/* ---- loading ---- */

static int kit_boot(lua_State *L)
{
    if (luaL_loadbufferx(L, quizkit_lua, quizkit_lua_len, "@quizkit.lua", "t") != LUA_OK)
        return lua_error(L);
    static const luaL_Reg host[] = {{"rng", host_rng},
                                    {"mix", host_mix},
                                    {"normalise", host_normalise},
                                    {"number", host_number},
                                    {NULL, NULL}};
    luaL_newlib(L, host);
    lua_call(L, 1, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KIT_KEY);
    return 0;
}

typedef struct StartArgs {
    Quiz *q;
    int obj; /* stack index of the script's result */
} StartArgs;

static int push_start(lua_State *L, void *ud)
{
    StartArgs *a = ud;
    lua_pushvalue(L, 2); /* the script's result, passed by kit_call_with */
    lua_pushinteger(L, (lua_Integer)a->q->seed);
    lua_pushstring(L, a->q->name);
    return 3;
}

static void read_start(lua_State *L, void *ud)
{
    Quiz *q = ((StartArgs *)ud)->q;
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KIT_KEY);
    lua_getfield(L, -1, "info");
    lua_call(L, 0, 1);
    int t = lua_gettop(L);
    q->title = get_str(L, t, "title");
    q->intro = get_str(L, t, "intro");
    q->pass = get_num(L, t, "pass", 0.7);
    int n = (int)get_num(L, t, "count", 0);
    lua_pop(L, 2);
    q->qs = xcalloc((size_t)n + 1, sizeof *q->qs);
    q->n = n;
    refresh(L, q, -1);
}

Quiz *quiz_load(const char *name, const char *src, size_t len, uint64_t seed,
                SandboxRequire *req, Error *err)
{
    Sandbox *sb = sandbox_new(&SANDBOX_SCRIPT_LIMITS, err);
    if (!sb) return NULL;
    sandbox_open_safe_libs(sb, req);
    sandbox_seed(sb, seed);
    Quiz *q = xcalloc(1, sizeof *q);
    q->sb = sb;
    q->name = xstrdup(name);
    q->seed = seed;
    lua_State *L = sandbox_state(sb);
    lua_pushcfunction(L, kit_boot);
    if (!sandbox_pcall(sb, "quizkit.lua", 0, 0, err)) goto fail;
    if (!sandbox_run(sb, name, src, len, 1, err)) goto fail;
    StartArgs a = {q, lua_gettop(L)};
    KitCall c = {"start", push_start, read_start, &a};
    bool ok = kit_call_with(q, &c, a.obj, err);
    lua_settop(L, a.obj - 1);
    if (!ok) goto fail;
    return q;
fail:
    quiz_free(q);
    return NULL;
}

void quiz_free(Quiz *q)
{
    if (!q) return;
    for (int i = 0; i < q->n; i++) question_clear(&q->qs[i]);
    free(q->qs);
    free(q->title);
    free(q->intro);
    free(q->message);
    free(q->name);
    sandbox_free(q->sb);
    free(q);
}

const char *quiz_title(Quiz *q) { return q->title ? q->title : ""; }
const char *quiz_intro(Quiz *q) { return q->intro; }
double quiz_pass_mark(Quiz *q) { return q->pass; }
int quiz_count(Quiz *q) { return q->n; }
const char *quiz_finished_message(Quiz *q) { return q->message; }
const char *quiz_log(Quiz *q) { return sandbox_log(q->sb); }

const QuizQuestion *quiz_question(Quiz *q, int i)
{
    return i >= 0 && i < q->n ? &q->qs[i] : NULL;
}

const char *quiz_correct_answer(Quiz *q, int i)
{
    const QuizQuestion *qq = quiz_question(q, i);
    return qq && qq->correct_answer ? qq->correct_answer : "";
}

QuizScore quiz_score(Quiz *q)
{
    QuizScore s = {0};
    s.total = q->n;
    for (int i = 0; i < q->n; i++) {
        s.raw += q->qs[i].weight * q->qs[i].score;
        s.max += q->qs[i].weight;
        if (q->qs[i].answered) s.answered++;
    }
    s.scaled = s.max > 0 ? s.raw / s.max : 0;
    s.passed = s.scaled >= q->pass - 1e-9;
    return s;
}

/* ---- answering ---- */

typedef enum { ARG_INT, ARG_INTS, ARG_BOOL, ARG_NUM, ARG_TEXT, ARG_TEXTS, ARG_POINT } ArgKind;

typedef struct AnswerArgs {
    Quiz *q;
    int i;
    const char *kind;
    ArgKind arg;
    int iv;
    const int *ints;
    int n;
    bool bv;
    double x, y;
    const char *text;
    const char *const *texts;
    QuizResult *res;
} AnswerArgs;

static int push_answer(lua_State *L, void *ud)
{
    AnswerArgs *a = ud;
    lua_pushinteger(L, a->i + 1);
    lua_pushstring(L, a->kind);
    switch (a->arg) {
    case ARG_INT: lua_pushinteger(L, (lua_Integer)a->iv + 1); break;
    case ARG_INTS:
        lua_createtable(L, a->n, 0);
        for (int k = 0; k < a->n; k++) {
            lua_pushinteger(L, (lua_Integer)a->ints[k] + 1);
            lua_rawseti(L, -2, k + 1);
        }
        break;
    case ARG_BOOL: lua_pushboolean(L, a->bv); break;
    case ARG_NUM: lua_pushnumber(L, a->x); break;
    case ARG_TEXT: lua_pushstring(L, a->text); break;
    case ARG_TEXTS:
        lua_createtable(L, a->n, 0);
        for (int k = 0; k < a->n; k++) {
            lua_pushstring(L, a->texts[k] ? a->texts[k] : "");
            lua_rawseti(L, -2, k + 1);
        }
        break;
    case ARG_POINT:
        lua_createtable(L, 2, 0);
        lua_pushnumber(L, a->x);
        lua_rawseti(L, -2, 1);
        lua_pushnumber(L, a->y);
        lua_rawseti(L, -2, 2);
        break;
    }
    return 3;
}

static void read_answer(lua_State *L, void *ud)
{
    AnswerArgs *a = ud;
    int t = lua_gettop(L);
    QuizResult r = {0};
    r.score = get_num(L, t, "score", 0);
    r.correct = get_bool(L, t, "correct");
    r.done = get_bool(L, t, "done");
    r.locked = get_bool(L, t, "locked");
    lua_pop(L, 1);
    refresh(L, a->q, a->i);
    r.feedback = a->q->qs[a->i].feedback;
    *a->res = r;
}

static bool answer(AnswerArgs *a, Error *err)
{
    QuizResult dummy;
    if (!a->res) a->res = &dummy;
    memset(a->res, 0, sizeof *a->res);
    if (a->i < 0 || a->i >= a->q->n)
        return error_set(err, "%s: there is no question %d (the quiz has %d)", a->q->name, a->i + 1,
                         a->q->n);
    if (a->n < 0 || a->n > 10000) return error_set(err, "%s: too many answer parts", a->q->name);
    KitCall c = {"answer", push_answer, read_answer, a};
    return kit_call(a->q, &c, err);
}

typedef struct NextArgs {
    Quiz *q;
    int i;
} NextArgs;

static int push_next(lua_State *L, void *ud)
{
    lua_pushinteger(L, ((NextArgs *)ud)->i + 1);
    return 1;
}

static void read_next(lua_State *L, void *ud)
{
    NextArgs *a = ud;
    lua_pop(L, 1);
    refresh(L, a->q, a->i);
}

bool quiz_next(Quiz *q, int i, Error *err)
{
    if (i < 0 || i >= q->n)
        return error_set(err, "%s: there is no question %d (the quiz has %d)", q->name, i + 1, q->n);
    NextArgs a = {q, i};
    KitCall c = {"next", push_next, read_next, &a};
    return kit_call(q, &c, err);
}

bool quiz_answer_choice(Quiz *q, int i, int option, QuizResult *res, Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "choice", .arg = ARG_INT, .iv = option, .res = res};
    return answer(&a, err);
}

bool quiz_answer_multi(Quiz *q, int i, const int *options, int n, QuizResult *res, Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "multi", .arg = ARG_INTS, .ints = options, .n = n,
                    .res = res};
    return answer(&a, err);
}

bool quiz_answer_bool(Quiz *q, int i, bool value, QuizResult *res, Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "truefalse", .arg = ARG_BOOL, .bv = value, .res = res};
    return answer(&a, err);
}

bool quiz_answer_number(Quiz *q, int i, double value, QuizResult *res, Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "numeric", .arg = ARG_NUM, .x = value, .res = res};
    return answer(&a, err);
}

bool quiz_answer_text(Quiz *q, int i, const char *utf8, QuizResult *res, Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "text", .arg = ARG_TEXT, .text = utf8 ? utf8 : "",
                    .res = res};
    return answer(&a, err);
}

bool quiz_answer_match(Quiz *q, int i, const int *right_for_left, int n, QuizResult *res,
                       Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "match", .arg = ARG_INTS, .ints = right_for_left,
                    .n = n, .res = res};
    return answer(&a, err);
}

bool quiz_answer_order(Quiz *q, int i, const int *order, int n, QuizResult *res, Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "order", .arg = ARG_INTS, .ints = order, .n = n,
                    .res = res};
    return answer(&a, err);
}

bool quiz_answer_blanks(Quiz *q, int i, const char *const *texts, int n, QuizResult *res,
                        Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "blanks", .arg = ARG_TEXTS, .texts = texts, .n = n,
                    .res = res};
    return answer(&a, err);
}

bool quiz_answer_point(Quiz *q, int i, double x, double y, QuizResult *res, Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "hotspot", .arg = ARG_POINT, .x = x, .y = y,
                    .res = res};
    return answer(&a, err);
}

bool quiz_answer_scenario(Quiz *q, int i, int option, QuizResult *res, Error *err)
{
    AnswerArgs a = {.q = q, .i = i, .kind = "scenario", .arg = ARG_INT, .iv = option, .res = res};
    return answer(&a, err);
}

/* ---- save, restore, self-test ---- */

static void read_saved(lua_State *L, void *ud)
{
    char **out = ud;
    if (lua_type(L, -1) == LUA_TSTRING) *out = xstrdup(lua_tostring(L, -1));
}

char *quiz_save(Quiz *q, Error *err)
{
    char *out = NULL;
    KitCall c = {"save", NULL, read_saved, &out};
    if (!kit_call(q, &c, err)) {
        free(out);
        return NULL;
    }
    return out;
}

typedef struct RestoreArgs {
    Quiz *q;
    const char *text;
} RestoreArgs;

static int push_text(lua_State *L, void *ud)
{
    lua_pushstring(L, ((RestoreArgs *)ud)->text);
    return 1;
}

static void read_restored(lua_State *L, void *ud)
{
    lua_pop(L, 1);
    refresh(L, ((RestoreArgs *)ud)->q, -1);
}

bool quiz_restore(Quiz *q, const char *saved, Error *err)
{
    RestoreArgs a = {q, saved ? saved : ""};
    KitCall c = {"restore", push_text, read_restored, &a};
    if (kit_call(q, &c, err)) return true;
    /* Show whatever state the replay reached. */
    KitCall r = {"info", NULL, read_restored, &a};
    Error ignored;
    kit_call(q, &r, &ignored);
    return false;
}

static int push_seed(lua_State *L, void *ud)
{
    lua_pushinteger(L, *(lua_Integer *)ud);
    return 1;
}

bool quiz_self_test(Quiz *q, int n_seeds, Error *err)
{
    for (int s = 0; s < n_seeds; s++) {
        lua_Integer seed = s;
        KitCall c = {"selftest", push_seed, NULL, &seed};
        if (!kit_call(q, &c, err)) return false;
    }
    return true;
}
