/* sandbox: the trust boundary for lesson Lua. See sandbox.h.
 *
 * Three guards, each with a reason:
 *  - Memory: a counting allocator refuses to grow past the cap, so a script
 *    cannot exhaust the machine; Lua turns the refusal into an ordinary
 *    "not enough memory" error.
 *  - Time: a hook runs every HOOK_EVERY VM instructions and on every function
 *    call (calls also catch C functions driven by metamethods, which execute no
 *    VM instructions) and raises once the instruction budget or the wall-clock
 *    deadline is spent. Once spent, the budget stays spent until the call
 *    returns, so a script cannot pcall its way out. Large allocations re-check
 *    the clock too, so loops of huge string operations stop as well.
 *  - Long C operations: the count hook cannot interrupt one C function, so the
 *    few library functions whose running time is not bounded by the memory cap
 *    are wrapped: pattern functions refuse patterns whose worst-case cost on
 *    their subject is too high, string.rep refuses empty pieces, and the table
 *    functions refuse spans no real table can have.
 * Finalizers (__gc) are refused, so no script code ever runs outside a
 * sandbox_run/sandbox_pcall window (e.g. during lua_close). */
#include "sandbox.h"

#include <ctype.h>
#include <limits.h>
#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const SandboxLimits SANDBOX_MANIFEST_LIMITS = {4u << 20, 2000000, 100.0};
const SandboxLimits SANDBOX_SCRIPT_LIMITS = {32u << 20, 50000000, 200.0};

#define HOOK_EVERY 1000
/* The host (our C code pushing arguments, opening libraries, building
 * tracebacks) may go this far past the cap, so host-side allocations outside
 * protected calls never hit the cap and panic. */
#define HOST_SLACK ((size_t)1 << 20)
/* Re-check the clock after this many freshly allocated bytes. */
#define ALLOC_CHECK_BYTES ((size_t)1 << 20)
/* Worst-case matcher steps a pattern call may cost (about 50 ms). */
#define PATTERN_MAX_STEPS 2e7
/* Worst-case bytes compared by a plain find (about 60 ms). */
#define PLAIN_MAX_BYTES 1e9
/* table.insert/remove/move/concat never touch more elements than this, and
 * table.sort sorts at most SORT_MAX_ELEMENTS. */
#define TABLE_MAX_SPAN ((lua_Integer)1 << 20)
#define SORT_MAX_ELEMENTS ((lua_Integer)1 << 18)
#define LOG_MAX ((size_t)64 << 10)
#define MODULE_SUFFIX ".lua"

/* Registry keys (addresses are unique). */
static char REG_PROTECTED, REG_LOADED, REG_LOADING;

struct Sandbox {
    lua_State *L;
    SandboxLimits limits;
    size_t used;           /* bytes held by the state, exactly */
    size_t since_check;    /* bytes allocated since the last clock check */
    bool active;           /* inside sandbox_run/sandbox_pcall: cap is strict */
    int depth;             /* nesting of sandbox_pcall */
    int in_handler;        /* message handler running: host slack allowed */
    bool expired;          /* time budget spent during the current call */
    bool mem_refused;      /* allocator refused during the current call */
    bool hash_refused;     /* a table outgrew HASH_MAX_NODES in this call */
    uint64_t instr;        /* VM instructions (approx.) used in this call */
    uint32_t calls;        /* function calls, to space out clock checks */
    double deadline;       /* time_now_ms() limit for this call */
    char *traceback;       /* last failure's traceback (host heap) */
    char *pending;         /* require text being loaded, freed on unwind */
    bool have_req;
    SandboxRequire req;
    Buf log;
    bool log_full;
    SandboxRng rng;        /* math.random */
    uint64_t seed;
    /* Original C functions behind the wrappers. */
    lua_CFunction o_find, o_match, o_gmatch, o_gsub;
    lua_CFunction o_insert, o_remove, o_move, o_sort, o_concat;
    lua_CFunction o_load, o_setmetatable, o_cocreate, o_cowrap;
};

static Sandbox *sb_from(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* ---- memory ---- */

/* Integer keys hash to fixed slots, so a script can choose keys that all
 * collide; re-inserting n colliding keys when a table grows costs n*n steps
 * inside ONE VM instruction, which no hook can interrupt (2^17 keys: six
 * seconds). Capping the hash part of any table at HASH_MAX_NODES bounds that
 * to a few tens of milliseconds. A hash part is a fresh vector (no old block,
 * tag 0) of 2^k nodes of 24 bytes (Lua 5.4, 32 and 64 bit); arrays are 2^k *
 * 16 bytes and objects carry a type tag, so they never look like this. A
 * string buffer of exactly 3 * 2^k bytes (768 KiB or more) would, and is
 * refused too: a rare, clean error, accepted to rule out the freeze. */
#define NODE_SIZE 24
#define HASH_MAX_NODES ((size_t)1 << 14)
static bool is_big_node_vector(size_t n)
{
    if (n % NODE_SIZE != 0) return false;
    n /= NODE_SIZE;
    return n > HASH_MAX_NODES && (n & (n - 1)) == 0;
}

static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    Sandbox *sb = ud;
    size_t old = ptr ? osize : 0; /* for new blocks osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (nsize > old) {
        if (!ptr && osize == 0 && is_big_node_vector(nsize)) {
            /* See HASH_MAX_NODES: refused like any allocation past the cap. */
            if (sb->active) sb->hash_refused = true;
            return NULL;
        }
        size_t grow = nsize - old;
        size_t cap = sb->limits.memory_bytes;
        if (!sb->active || sb->in_handler) cap += HOST_SLACK;
        if (sb->used > cap || grow > cap - sb->used) {
            if (sb->active) sb->mem_refused = true;
            return NULL;
        }
        if (sb->active && !sb->in_handler) {
            sb->since_check += grow;
            if (sb->since_check >= ALLOC_CHECK_BYTES) {
                sb->since_check = 0;
                if (sb->expired || time_now_ms() > sb->deadline) {
                    /* Refusing makes Lua raise an error here and now; it is
                     * reported as "ran too long" because expired is set. */
                    sb->expired = true;
                    return NULL;
                }
            }
        }
    }
    void *p = realloc(ptr, nsize);
    if (!p) return NULL;
    sb->used = sb->used - old + nsize;
    return p;
}

/* ---- time ---- */

static void sb_hook(lua_State *L, lua_Debug *ar)
{
    Sandbox *sb = sb_from(L);
    if (!sb->active) return;
    if (ar->event == LUA_HOOKCOUNT) {
        int every = lua_gethookcount(L);
        sb->instr += (uint64_t)every;
        /* One instruction on big strings (compare, concat) can take
         * milliseconds, so check more often when the state holds a lot. */
        int want = sb->used > ((size_t)8 << 20) ? 10 : sb->used > ((size_t)1 << 20) ? 100 : HOOK_EVERY;
        if (want != every) lua_sethook(L, sb_hook, LUA_MASKCOUNT | LUA_MASKCALL, want);
    } else {
        sb->instr++;
        /* Calls are frequent: read the clock on every 32nd only. */
        if ((++sb->calls & 31u) != 0 && !sb->expired && sb->instr <= sb->limits.instructions)
            return;
    }
    if (sb->expired || sb->instr > sb->limits.instructions || time_now_ms() > sb->deadline) {
        sb->expired = true;
        lua_pushliteral(L, "script ran too long");
        lua_error(L);
    }
}

static void sb_set_hook(lua_State *L)
{
    lua_sethook(L, sb_hook, LUA_MASKCOUNT | LUA_MASKCALL, HOOK_EVERY);
}

static int sb_panic(lua_State *L)
{
    const char *m = lua_tostring(L, -1);
    fprintf(stderr, "outpost: unprotected Lua error: %s\n", m ? m : "?");
    return 0; /* Lua aborts */
}

/* ---- state ---- */

Sandbox *sandbox_new(const SandboxLimits *limits, Error *err)
{
    Sandbox *sb = xcalloc(1, sizeof *sb);
    sb->limits = limits ? *limits : SANDBOX_SCRIPT_LIMITS;
    sandbox_rng_seed(&sb->rng, 0);
    sb->L = lua_newstate(sb_alloc, sb);
    if (!sb->L) {
        free(sb);
        error_set(err, "cannot create a Lua state (out of memory)");
        return NULL;
    }
    lua_atpanic(sb->L, sb_panic);
    sb_set_hook(sb->L);
    return sb;
}

void sandbox_free(Sandbox *sb)
{
    if (!sb) return;
    sb->active = false;
    lua_close(sb->L);
    free(sb->traceback);
    free(sb->pending);
    buf_free(&sb->log);
    free(sb);
}

lua_State *sandbox_state(Sandbox *sb) { return sb->L; }
size_t sandbox_memory_used(Sandbox *sb) { return sb->used; }
const char *sandbox_last_traceback(Sandbox *sb) { return sb->traceback ? sb->traceback : ""; }

const char *sandbox_log(Sandbox *sb) { return sb->log.len ? buf_cstr(&sb->log) : ""; }

/* ---- protected calls and error messages ---- */

static int sb_msgh(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    sb->in_handler++;
    /* Never call __tostring here: that would run script code. */
    const char *msg = NULL;
    if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) msg = lua_tostring(L, 1);
    luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
    free(sb->traceback);
    sb->traceback = xstrdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    sb->in_handler--;
    lua_settop(L, 1);
    return 1;
}

/* True if msg starts with a "chunk:LINE:" position. */
static bool has_position(const char *msg)
{
    const char *c = strchr(msg, ':');
    while (c && c - msg < 200) {
        const char *d = c + 1;
        if (isdigit((unsigned char)*d)) {
            while (isdigit((unsigned char)*d)) d++;
            if (*d == ':') return true;
        }
        c = strchr(c + 1, ':');
    }
    return false;
}

/* Length of a leading "chunk:LINE: " position, or 0. */
static size_t position_len(const char *m)
{
    for (const char *c = strchr(m, ':'); c && c - m < 200; c = strchr(c + 1, ':')) {
        const char *d = c + 1;
        if (!isdigit((unsigned char)*d)) continue;
        while (isdigit((unsigned char)*d)) d++;
        if (d[0] == ':' && d[1] == ' ') return (size_t)(d + 2 - m);
    }
    return 0;
}

/* coroutine.wrap adds its position at every level an error crosses:
 * "f.lua:1: f.lua:1: f.lua:1: C stack overflow" becomes "f.lua:1: C stack
 * overflow". */
static const char *skip_repeats(const char *m)
{
    size_t p = position_len(m);
    while (p && strncmp(m, m + p, p) == 0) m += p;
    return m;
}

/* One line: newlines and tabs become spaces. */
static void flatten(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r' || *s == '\t') *s = ' ';
}

static bool report(Sandbox *sb, const char *name, int status, Error *err)
{
    lua_State *L = sb->L;
    if (sb->expired) {
        error_set(err, "%s: script ran too long", name);
    } else if (status == LUA_ERRMEM && sb->hash_refused) {
        error_set(err, "%s: a table has too many keys (at most 16384 besides its 1..n list)",
                  name);
    } else if (status == LUA_ERRMEM) {
        error_set(err, "%s: script used too much memory", name);
    } else if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
        const char *m = skip_repeats(lua_tostring(L, -1));
        if (sb->mem_refused && strstr(m, "not enough memory"))
            error_set(err, "%s: script used too much memory", name);
        else if (has_position(m))
            error_set(err, "%s", m);
        else
            error_set(err, "%s: %s", name, m);
    } else {
        error_set(err, "%s: error (the error value is a %s, not a message)", name,
                  luaL_typename(L, -1));
    }
    if (err) flatten(err->msg);
    lua_pop(L, 1);
    return false;
}

/* Starts a budgeted window; returns true if it is the outermost one. */
static bool window_open(Sandbox *sb)
{
    if (sb->depth++ > 0) return false;
    sb->active = true;
    sb->expired = false;
    sb->mem_refused = false;
    sb->hash_refused = false;
    sb->instr = 0;
    sb->calls = 0;
    sb->since_check = 0;
    sb->deadline = time_now_ms() + sb->limits.wall_ms;
    return true;
}

static void window_close(Sandbox *sb, bool outer)
{
    sb->depth--;
    sb->in_handler = 0;
    if (outer) {
        sb->active = false;
        free(sb->pending);
        sb->pending = NULL;
    }
}

bool sandbox_pcall(Sandbox *sb, const char *name, int nargs, int nresults, Error *err)
{
    lua_State *L = sb->L;
    int fn = lua_gettop(L) - nargs;
    if (!lua_checkstack(L, 8)) {
        lua_settop(L, fn - 1);
        return error_set(err, "%s: script used too much memory", name);
    }
    lua_pushcfunction(L, sb_msgh);
    lua_insert(L, fn);
    bool outer = window_open(sb);
    int top0 = fn - 1;
    int status = lua_pcall(L, nargs, nresults, fn);
    bool expired = sb->expired;
    window_close(sb, outer);
    lua_remove(L, fn);
    if (status == LUA_OK && !expired) return true;
    if (status == LUA_OK) { /* stopped, then caught by the script: still a failure */
        lua_settop(L, top0);
        lua_pushnil(L);
    }
    sb->expired = expired;
    bool r = report(sb, name, status, err);
    if (outer) sb->expired = false;
    lua_settop(L, top0);
    return r;
}

bool sandbox_run(Sandbox *sb, const char *name, const char *src, size_t len, int nresults,
                 Error *err)
{
    lua_State *L = sb->L;
    if (len > 0 && src[0] == LUA_SIGNATURE[0])
        return error_set(err, "%s: precompiled code is not allowed", name);
    if (len > sb->limits.memory_bytes / 2)
        return error_set(err, "%s: script is too large", name);
    if (!lua_checkstack(L, 8)) return error_set(err, "%s: script used too much memory", name);
    char chunk[512];
    snprintf(chunk, sizeof chunk, "@%s", name);
    int top0 = lua_gettop(L);
    bool outer = window_open(sb);
    int status = luaL_loadbufferx(L, src, len, chunk, "t");
    window_close(sb, outer);
    if (status != LUA_OK) {
        bool r = report(sb, name, status, err);
        lua_settop(L, top0);
        return r;
    }
    return sandbox_pcall(sb, name, 0, nresults, err);
}

/* ---- deterministic generator ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

void sandbox_rng_seed(SandboxRng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sandbox_rng_next(SandboxRng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

int64_t sandbox_rng_range(SandboxRng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo; /* hi - lo, no overflow */
    if (span == UINT64_MAX) return (int64_t)sandbox_rng_next(r);
    uint64_t n = span + 1;
    /* Reject the top partial block to avoid modulo bias. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
    uint64_t x;
    do x = sandbox_rng_next(r);
    while (x > limit);
    return (int64_t)((uint64_t)lo + x % n);
}

double sandbox_rng_float(SandboxRng *r) { return (double)(sandbox_rng_next(r) >> 11) * 0x1.0p-53; }

void sandbox_seed(Sandbox *sb, uint64_t seed)
{
    sb->seed = seed;
    sandbox_rng_seed(&sb->rng, seed);
}

/* math.random with Lua 5.4's argument rules, on the sandbox's generator. */
static int l_random(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    lua_Integer lo, hi;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, (lua_Number)sandbox_rng_float(&sb->rng));
        return 1;
    case 1:
        lo = 1;
        hi = luaL_checkinteger(L, 1);
        if (hi == 0) { /* math.random(0): a whole random integer */
            lua_pushinteger(L, (lua_Integer)sandbox_rng_next(&sb->rng));
            return 1;
        }
        break;
    case 2:
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
    lua_pushinteger(L, (lua_Integer)sandbox_rng_range(&sb->rng, lo, hi));
    return 1;
}

static int l_randomseed(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    if (lua_isnone(L, 1)) {
        sandbox_rng_seed(&sb->rng, sb->seed); /* deterministic, never the clock */
    } else {
        lua_Integer n = lua_isinteger(L, 1) ? lua_tointeger(L, 1)
                                            : (lua_Integer)luaL_checknumber(L, 1);
        sandbox_rng_seed(&sb->rng, (uint64_t)n);
    }
    return 0;
}

/* ---- safe base functions ---- */

static int l_print(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL); /* may run __tostring, under the hook */
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (sb->log_full) return 0;
    if (sb->log.len + len + 1 > LOG_MAX) {
        buf_puts(&sb->log, "[log truncated]\n");
        sb->log_full = true;
        return 0;
    }
    buf_append(&sb->log, s, len);
    buf_putc(&sb->log, '\n');
    return 0;
}

static int l_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L, "collectgarbage: only \"count\" is allowed in a lesson");
    int kb = lua_gc(L, LUA_GCCOUNT, 0), b = lua_gc(L, LUA_GCCOUNTB, 0);
    lua_pushnumber(L, (lua_Number)kb + (lua_Number)b / 1024);
    return 1;
}

/* load(chunk [, name [, mode [, env]]]): the mode is always "t". */
static int l_load(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    if (lua_gettop(L) < 3) lua_settop(L, 3);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    return sb->o_load(L);
}

static int l_setmetatable(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: '__gc' (finalizers) is not allowed in a lesson");
        lua_pop(L, 1);
    }
    return sb->o_setmetatable(L);
}

static bool is_protected(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_PROTECTED);
    lua_pushvalue(L, idx);
    bool p = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return p;
}

void sandbox_protect(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_PROTECTED);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static int l_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (is_protected(L, 1)) return luaL_error(L, "rawset: this table is read-only");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

static int l_readonly(lua_State *L)
{
    return luaL_error(L, "cannot change '%s': library tables are read-only",
                      lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?");
}

/* require("quizzes/helpers") or require("quizzes.helpers") loads the package
 * entry "quizzes/helpers.lua" once; later calls return the cached value. */
static int l_require(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    size_t nlen;
    const char *mod = luaL_checklstring(L, 1, &nlen);
    if (nlen == 0 || nlen > 200) return luaL_error(L, "require: invalid module name");
    char entry[256];
    size_t k = 0;
    size_t stem = nlen;
    if (nlen > 4 && strcmp(mod + nlen - 4, MODULE_SUFFIX) == 0) stem = nlen - 4;
    for (size_t i = 0; i < stem; i++) {
        char c = mod[i];
        if (c == '.') c = '/';
        if (!(isalnum((unsigned char)c) || c == '_' || c == '-' || c == '/'))
            return luaL_error(L, "require: invalid module name '%s'", mod);
        if (c == '/' && (k == 0 || entry[k - 1] == '/'))
            return luaL_error(L, "require: invalid module name '%s'", mod);
        entry[k++] = c;
    }
    if (entry[k - 1] == '/') return luaL_error(L, "require: invalid module name '%s'", mod);
    memcpy(entry + k, MODULE_SUFFIX, sizeof MODULE_SUFFIX);

    lua_settop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_LOADED); /* 2 */
    if (lua_getfield(L, 2, entry) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_LOADING); /* 3 */
    if (lua_getfield(L, 3, entry) != LUA_TNIL)
        return luaL_error(L, "require: '%s' requires itself (directly or through other modules)",
                          entry);
    lua_pop(L, 1);
    if (!sb->have_req) return luaL_error(L, "require: no other files are available here");

    free(sb->pending); /* a previous require may have been interrupted */
    sb->pending = NULL;
    Error e = {{0}};
    size_t len = 0;
    if (!sb->req.read(sb->req.ud, entry, &sb->pending, &len, &e)) {
        free(sb->pending);
        sb->pending = NULL;
        return luaL_error(L, "require '%s': %s", mod, e.msg);
    }
    if (len > 0 && sb->pending[0] == LUA_SIGNATURE[0]) {
        free(sb->pending);
        sb->pending = NULL;
        return luaL_error(L, "require '%s': precompiled code is not allowed", mod);
    }
    lua_pushfstring(L, "@%s", entry);
    int st = luaL_loadbufferx(L, sb->pending, len, lua_tostring(L, -1), "t");
    free(sb->pending);
    sb->pending = NULL;
    if (st != LUA_OK) return lua_error(L);
    lua_pushboolean(L, 1);
    lua_setfield(L, 3, entry);
    lua_pushstring(L, entry);
    st = lua_pcall(L, 1, 1, 0);
    lua_pushnil(L);
    lua_setfield(L, 3, entry);
    if (st != LUA_OK) return lua_error(L); /* keeps the module's file:line */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, 2, entry);
    return 1;
}

/* ---- coroutines: every new thread runs under the hook ---- */

static int l_cocreate(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    int n = sb->o_cocreate(L);
    sb_set_hook(lua_tothread(L, -1));
    return n;
}

static int l_cowrap(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    int n = sb->o_cowrap(L);
    /* The wrapper closure keeps its thread as upvalue 1. */
    if (lua_getupvalue(L, -1, 1)) {
        if (lua_type(L, -1) == LUA_TTHREAD) sb_set_hook(lua_tothread(L, -1));
        lua_pop(L, 1);
    }
    return n;
}

/* ---- pattern cost guard ----
 * Lua's matcher backtracks: each quantified item ('*', '+', '-') may try every
 * length of the run of subject characters its class matches, '?' tries two,
 * and an unanchored search retries from every position. The product bounds
 * the work; %b and back-references add a scan of the subject. Calls whose
 * bound exceeds PATTERN_MAX_STEPS are refused before the C matcher starts,
 * since nothing can interrupt it once it runs. */

static bool class_single(int c, int cl)
{
    bool r;
    switch (tolower(cl)) {
    case 'a': r = isalpha(c); break;
    case 'c': r = iscntrl(c); break;
    case 'd': r = isdigit(c); break;
    case 'g': r = isgraph(c); break;
    case 'l': r = islower(c); break;
    case 'p': r = ispunct(c); break;
    case 's': r = isspace(c); break;
    case 'u': r = isupper(c); break;
    case 'w': r = isalnum(c); break;
    case 'x': r = isxdigit(c); break;
    default: return cl == c;
    }
    return isupper(cl) ? !r : r;
}

/* p points at '[', ec at the closing ']'. */
static bool class_set(int c, const char *p, const char *ec)
{
    bool neg = false;
    p++;
    if (*p == '^') {
        neg = true;
        p++;
    }
    while (p < ec) {
        if (*p == '%' && p + 1 < ec) {
            p++;
            if (class_single(c, (unsigned char)*p)) return !neg;
            p++;
        } else if (p + 2 < ec && p[1] == '-') {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return !neg;
            p += 3;
        } else {
            if ((unsigned char)*p == c) return !neg;
            p++;
        }
    }
    return neg;
}

/* End of the single-character class at p, or NULL if malformed. */
static const char *class_end(const char *p, const char *pe)
{
    if (*p == '%') return p + 2 <= pe ? p + 2 : NULL;
    if (*p != '[') return p + 1;
    const char *q = p + 1;
    if (q < pe && *q == '^') q++;
    do { /* the first ']' is part of the set */
        if (q >= pe) return NULL;
        if (*q == '%') q++;
        q++;
    } while (q < pe ? *q != ']' : false);
    return q < pe ? q + 1 : NULL;
}

static bool class_match(int c, const char *p, const char *ep)
{
    if (*p == '.') return true;
    if (*p == '%') return class_single(c, (unsigned char)p[1]);
    if (*p == '[') return class_set(c, p, ep - 1);
    return (unsigned char)*p == c;
}

static double longest_run(const char *s, size_t n, const char *p, const char *ep)
{
    if (*p == '.') return (double)n;
    size_t best = 0, cur = 0;
    for (size_t i = 0; i < n; i++) {
        if (class_match((unsigned char)s[i], p, ep)) {
            if (++cur > best) best = cur;
        } else {
            cur = 0;
        }
    }
    return (double)best;
}

static double pattern_cost(const char *s, size_t n, const char *p, size_t lp, bool can_anchor)
{
    const char *pe = p + lp;
    double starts = (double)n + 1;
    if (can_anchor && lp > 0 && *p == '^') {
        starts = 1;
        p++;
    }
    double branches = 1, linear = 1, items = 0, scanned = 0;
    while (p < pe) {
        items++;
        if (starts * branches * (linear + items) > PATTERN_MAX_STEPS) return HUGE_VAL;
        if (*p == '(' || *p == ')') {
            p++;
            continue;
        }
        if (*p == '$' && p + 1 == pe) break;
        if (*p == '%' && p + 1 < pe) {
            char c = p[1];
            if (c == 'b') {
                linear += (double)n;
                p = p + 4 <= pe ? p + 4 : pe;
                continue;
            }
            if (c == 'f') {
                p += 2;
                const char *e = (p < pe && *p == '[') ? class_end(p, pe) : NULL;
                if (!e) break; /* malformed: the matcher reports it */
                p = e;
                continue;
            }
            if (isdigit((unsigned char)c)) {
                linear += (double)n;
                p += 2;
                continue;
            }
        }
        const char *ep = class_end(p, pe);
        if (!ep) break;
        if (ep < pe && (*ep == '*' || *ep == '+' || *ep == '-')) {
            scanned += (double)n;
            if (scanned > 4 * PATTERN_MAX_STEPS) return HUGE_VAL;
            double run = longest_run(s, n, p, ep);
            branches *= run + 1;
            linear += run;
            ep++;
        } else if (ep < pe && *ep == '?') {
            branches *= 2;
            ep++;
        }
        p = ep;
    }
    return starts * branches * (linear + items);
}

static bool has_specials(const char *p, size_t lp)
{
    for (size_t i = 0; i < lp; i++)
        if (strchr("^$*+?.([%-", p[i]) && p[i] != '\0') return true;
    return false;
}

static void check_pattern(lua_State *L, bool can_anchor, bool may_be_plain)
{
    size_t n, lp;
    const char *s = luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &lp);
    double cost;
    bool plain = may_be_plain && (lua_toboolean(L, 4) || !has_specials(p, lp));
    /* A plain search compares at most n * lp bytes, with fast memcmp. */
    if (plain)
        cost = (double)n * (double)lp * (PATTERN_MAX_STEPS / PLAIN_MAX_BYTES);
    else
        cost = pattern_cost(s, n, p, lp, can_anchor);
    if (cost > PATTERN_MAX_STEPS)
        luaL_error(L, "pattern is too complex for a text this long (see the sandbox limits)");
}

static int l_find(lua_State *L)
{
    check_pattern(L, true, true);
    return sb_from(L)->o_find(L);
}
static int l_match(lua_State *L)
{
    check_pattern(L, true, false);
    return sb_from(L)->o_match(L);
}
static int l_gmatch(lua_State *L)
{
    check_pattern(L, false, false);
    return sb_from(L)->o_gmatch(L);
}
static int l_gsub(lua_State *L)
{
    check_pattern(L, true, false);
    return sb_from(L)->o_gsub(L);
}

static int l_rep(lua_State *L)
{
    size_t l, lsep = 0;
    const char *str = luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &lsep);
    /* Lua's own rep loops n times even when every piece is empty. */
    if (n <= 0 || l + lsep == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (l + lsep < l || l + lsep > (size_t)INT_MAX / (uint64_t)n)
        return luaL_error(L, "resulting string too large");
    size_t total = (size_t)n * l + (size_t)(n - 1) * lsep;
    /* One spare byte keeps the buffer from looking like a hash part (see
     * is_big_node_vector). */
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, total + 1);
    for (lua_Integer i = 0; i < n; i++) {
        memcpy(p, str, l);
        p += l;
        if (lsep > 0 && i + 1 < n) {
            memcpy(p, sep, lsep);
            p += lsep;
        }
    }
    luaL_pushresultsize(&b, total);
    return 1;
}

/* ---- table functions: spans no real table can have are refused ---- */

static void check_span(lua_State *L, lua_Integer first, lua_Integer last, lua_Integer max)
{
    if (last >= first && (last - first >= max || last - first < 0))
        luaL_error(L, "table operation spans too many elements (more than %I)", max);
}

static int l_insert(lua_State *L)
{
    lua_Integer e = luaL_len(L, 1);
    check_span(L, 1, e, TABLE_MAX_SPAN);
    return sb_from(L)->o_insert(L);
}
static int l_remove(lua_State *L)
{
    lua_Integer e = luaL_len(L, 1);
    check_span(L, 1, e, TABLE_MAX_SPAN);
    return sb_from(L)->o_remove(L);
}
static int l_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    check_span(L, f, e, TABLE_MAX_SPAN);
    return sb_from(L)->o_move(L);
}
static int l_sort(lua_State *L)
{
    lua_Integer e = luaL_len(L, 1);
    check_span(L, 1, e, SORT_MAX_ELEMENTS);
    return sb_from(L)->o_sort(L);
}
static int l_concat(lua_State *L)
{
    lua_Integer i = luaL_optinteger(L, 3, 1);
    lua_Integer e = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
    check_span(L, i, e, TABLE_MAX_SPAN);
    return sb_from(L)->o_concat(L);
}

/* ---- opening the safe set ---- */

static lua_CFunction swap(lua_State *L, int t, const char *name, lua_CFunction repl)
{
    lua_getfield(L, t, name);
    lua_CFunction orig = lua_tocfunction(L, -1);
    lua_pop(L, 1);
    lua_pushcfunction(L, repl);
    lua_setfield(L, t, name);
    return orig;
}

static void drop(lua_State *L, int t, const char *name)
{
    lua_pushnil(L);
    lua_setfield(L, t, name);
}

/* Replaces the library table at the top of the stack with a read-only proxy
 * in _G[name]; returns nothing. The real table stays reachable only through
 * the proxy's protected metatable. */
static void publish_proxy(lua_State *L, const char *name)
{
    int real = lua_gettop(L);
    lua_newtable(L); /* proxy */
    lua_newtable(L); /* its metatable */
    lua_pushvalue(L, real);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    sandbox_protect(L, -1);
    lua_setglobal(L, name);
    lua_pop(L, 1);
}

static int open_safe(lua_State *L)
{
    Sandbox *sb = sb_from(L);
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_PROTECTED);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_LOADED);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_LOADING);

    /* base, in _G itself (it is the lesson's own table) */
    luaL_requiref(L, "_G", luaopen_base, 0);
    int g = lua_gettop(L);
    drop(L, g, "dofile");
    drop(L, g, "loadfile");
    drop(L, g, "warn");
    sb->o_load = swap(L, g, "load", l_load);
    sb->o_setmetatable = swap(L, g, "setmetatable", l_setmetatable);
    swap(L, g, "rawset", l_rawset);
    swap(L, g, "collectgarbage", l_collectgarbage);
    swap(L, g, "print", l_print);
    lua_pushcfunction(L, l_require);
    lua_setfield(L, g, "require");
    lua_pop(L, 1);

    /* string: no dump; guarded pattern functions and rep */
    luaL_requiref(L, "string", luaopen_string, 0);
    int t = lua_gettop(L);
    drop(L, t, "dump");
    sb->o_find = swap(L, t, "find", l_find);
    sb->o_match = swap(L, t, "match", l_match);
    sb->o_gmatch = swap(L, t, "gmatch", l_gmatch);
    sb->o_gsub = swap(L, t, "gsub", l_gsub);
    swap(L, t, "rep", l_rep);
    /* The string metatable (set by luaopen_string) indexes the real table;
     * getmetatable("") gives a fresh read-only empty table instead. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, t);
    lua_setfield(L, -2, "__index");
    lua_newtable(L);
    lua_newtable(L);
    lua_pushcfunction(L, l_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    sandbox_protect(L, -1);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    publish_proxy(L, "string");

    luaL_requiref(L, "table", luaopen_table, 0);
    t = lua_gettop(L);
    sb->o_insert = swap(L, t, "insert", l_insert);
    sb->o_remove = swap(L, t, "remove", l_remove);
    sb->o_move = swap(L, t, "move", l_move);
    sb->o_sort = swap(L, t, "sort", l_sort);
    sb->o_concat = swap(L, t, "concat", l_concat);
    publish_proxy(L, "table");

    luaL_requiref(L, "math", luaopen_math, 0);
    t = lua_gettop(L);
    swap(L, t, "random", l_random);
    swap(L, t, "randomseed", l_randomseed);
    publish_proxy(L, "math");

    luaL_requiref(L, "utf8", luaopen_utf8, 0);
    publish_proxy(L, "utf8");

    luaL_requiref(L, "coroutine", luaopen_coroutine, 0);
    t = lua_gettop(L);
    sb->o_cocreate = swap(L, t, "create", l_cocreate);
    sb->o_cowrap = swap(L, t, "wrap", l_cowrap);
    publish_proxy(L, "coroutine");

    /* luaL_requiref registered the real tables in the registry's _LOADED;
     * scripts cannot reach the registry, but drop them anyway. */
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    return 0;
}

void sandbox_open_safe_libs(Sandbox *sb, SandboxRequire *req)
{
    lua_State *L = sb->L;
    if (req && req->read) {
        sb->req = *req;
        sb->have_req = true;
    }
    /* Host work: runs with the host slack and outside any budget. Only an
     * out-of-memory machine makes it fail, and then the libraries are simply
     * missing, which scripts report as ordinary errors. */
    lua_pushcfunction(L, open_safe);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        fprintf(stderr, "outpost: cannot open the sandbox libraries: %s\n",
                lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
        lua_pop(L, 1);
    }
}
