/* Sandbox escapes and limits: every attempt must fail cleanly with this
 * process still running, no file created and no process started. */
#include "sandbox.h"
#include "testlib.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <unistd.h>

/* A tiny in-memory "package" for require(). */
static const char *const ENTRIES[][2] = {
    {"quizzes/helpers.lua", "local M = {}\nfunction M.double(x) return 2 * x end\nreturn M\n"},
    {"quizzes/cycle_a.lua", "return require 'quizzes/cycle_b'\n"},
    {"quizzes/cycle_b.lua", "return require 'quizzes.cycle_a'\n"},
    {"quizzes/broken.lua", "local x = 1\nerror('helper is broken')\n"},
    {"quizzes/bin.lua", "\x1bLuaT binary"},
};

static int reads;

static bool read_entry(void *ud, const char *name, char **text, size_t *len, Error *err)
{
    (void)ud;
    reads++;
    for (size_t i = 0; i < sizeof ENTRIES / sizeof ENTRIES[0]; i++) {
        if (strcmp(ENTRIES[i][0], name) == 0) {
            *text = xstrdup(ENTRIES[i][1]);
            *len = strlen(*text);
            return true;
        }
    }
    return error_set(err, "%s: not found in the lesson", name);
}

static SandboxRequire REQ = {read_entry, NULL};

static Sandbox *mk(void)
{
    Error e;
    Sandbox *sb = sandbox_new(&SANDBOX_SCRIPT_LIMITS, &e);
    if (!sb) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    sandbox_open_safe_libs(sb, &REQ);
    return sb;
}

/* Runs src in a fresh safe sandbox; returns true on success and leaves the
 * message in e on failure. If ms is given, stores the wall time. */
static bool run(const char *src, Error *e, double *ms)
{
    Sandbox *sb = mk();
    double t0 = time_now_ms();
    bool ok = sandbox_run(sb, "quizzes/evil.lua", src, strlen(src), 0, e);
    if (ms) *ms = time_now_ms() - t0;
    sandbox_free(sb);
    return ok;
}

/* Runs src, expecting it to return true. */
static bool run_true(const char *src)
{
    Sandbox *sb = mk();
    Error e;
    bool ok = sandbox_run(sb, "t.lua", src, strlen(src), 1, &e);
    if (!ok) fprintf(stderr, "  unexpected error: %s\n", e.msg);
    bool r = ok && lua_toboolean(sandbox_state(sb), -1);
    sandbox_free(sb);
    return r;
}

#define EXPECT_FAIL(src, needle)                                                   \
    do {                                                                           \
        Error e_;                                                                  \
        CHECK(!run(src, &e_, NULL));                                               \
        CHECK_CONTAINS(e_.msg, needle);                                            \
    } while (0)

static const char *tmp_path(void)
{
    static char p[128];
    snprintf(p, sizeof p, "/tmp/outpost-escape-%d", (int)getpid());
    return p;
}

TEST(escape_io_open)
{
    char src[256];
    unlink(tmp_path());
    snprintf(src, sizeof src, "local f = io.open('%s', 'w') f:write('x') f:close()", tmp_path());
    EXPECT_FAIL(src, "quizzes/evil.lua:1: attempt to index a nil value (global 'io')");
    CHECK(access(tmp_path(), F_OK) != 0);
}

TEST(escape_os_execute)
{
    char src[256];
    unlink(tmp_path());
    snprintf(src, sizeof src, "os.execute('touch %s')", tmp_path());
    EXPECT_FAIL(src, "quizzes/evil.lua:1: attempt to index a nil value (global 'os')");
    CHECK(access(tmp_path(), F_OK) != 0);
}

TEST(escape_require_os)
{
    EXPECT_FAIL("local os = require 'os'", "require 'os': os.lua: not found");
    EXPECT_FAIL("require 'io'", "not found");
    EXPECT_FAIL("require '../secret'", "invalid module name");
    EXPECT_FAIL("require '/etc/passwd'", "invalid module name");
    EXPECT_FAIL("require 'quizzes/bin'", "precompiled code is not allowed");
}

TEST(escape_string_dump)
{
    EXPECT_FAIL("local f = load(string.dump(function() return 1 end))",
                "attempt to call a nil value (field 'dump')");
}

TEST(escape_load_binary)
{
    /* A real binary chunk, made by an unrestricted state. */
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    CHECK(luaL_dostring(L, "return string.dump(function() return 42 end)") == LUA_OK);
    size_t n;
    const char *bin = lua_tolstring(L, -1, &n);
    Sandbox *sb = mk();
    Error e;
    CHECK(!sandbox_run(sb, "quizzes/bin.lua", bin, n, 0, &e));
    CHECK_STR(e.msg, "quizzes/bin.lua: precompiled code is not allowed");
    /* load(bin, name, "b") from inside: the mode is forced to text. */
    lua_State *S = sandbox_state(sb);
    const char *src = "local bin = ...\n"
                      "local f, msg = load(bin, 'x', 'b')\n"
                      "assert(f == nil)\n"
                      "local g, msg2 = load(function() local b = bin bin = nil return b end)\n"
                      "assert(g == nil)\n"
                      "error(msg)\n";
    CHECK(luaL_loadbufferx(S, src, strlen(src), "@quizzes/evil.lua", "t") == LUA_OK);
    lua_pushlstring(S, bin, n);
    CHECK(!sandbox_pcall(sb, "quizzes/evil.lua", 1, 0, &e));
    CHECK_CONTAINS(e.msg, "attempt to load a binary chunk (mode is 't')");
    sandbox_free(sb);
    lua_close(L);
}

TEST(escape_debug)
{
    EXPECT_FAIL("local r = debug.getregistry()", "attempt to index a nil value (global 'debug')");
    CHECK(run_true("return debug == nil and package == nil and io == nil and os == nil "
                   "and dofile == nil and loadfile == nil and string.dump == nil"));
}

TEST(escape_string_metatable)
{
    CHECK(run_true("return getmetatable('').__index == nil"));
    EXPECT_FAIL("local rep = getmetatable('').__index.rep", "attempt to index a nil value");
    EXPECT_FAIL("getmetatable('').__index = {}", "read-only");
    EXPECT_FAIL("rawset(getmetatable(''), '__index', {})", "read-only");
    EXPECT_FAIL("setmetatable(getmetatable(''), {})", "cannot change a protected metatable");
    CHECK(run_true("pcall(function() getmetatable('').__index = {upper = function() return 'x' end} end)\n"
                   "return ('abc'):upper() == 'ABC'"));
}

TEST(escape_setmetatable_G)
{
    CHECK(run_true("setmetatable(_G, {__index = function(t, k) return rawget(_G, k) end})\n"
                   "return io == nil and os == nil and debug == nil and package == nil"));
    /* _G is the lesson's own: a metatable on it changes nothing outside. */
    CHECK(run_true("setmetatable(_G, {__newindex = function() error('no') end})\n"
                   "return pcall(function() x = 1 end) == false"));
}

TEST(escape_rawset_libraries)
{
    EXPECT_FAIL("rawset(string, 'rep', function() end)", "read-only");
    EXPECT_FAIL("string.rep = nil", "cannot change 'rep'");
    EXPECT_FAIL("math.random = function() return 4 end", "read-only");
    EXPECT_FAIL("rawset(table, 'insert', print)", "read-only");
    EXPECT_FAIL("setmetatable(math, {})", "cannot change a protected metatable");
    CHECK(run_true("return rawget(string, 'rep') == nil and string.rep('a', 3) == 'aaa' "
                   "and getmetatable(string) == false"));
}

static void check_runaway(const char *src, const char *what)
{
    Error e;
    double ms;
    CHECK(!run(src, &e, &ms));
    CHECK_CONTAINS(e.msg, "quizzes/evil.lua: script ran too long");
    printf("  %-40s stopped after %.1f ms\n", what, ms);
    CHECK(ms < 1000);
}

TEST(runaway_while_true)
{
    check_runaway("while true do end", "while true do end");
    check_runaway("while true do pcall(function() while true do end end) end",
                  "pcall around a loop");
    check_runaway("local function f() pcall(f) pcall(f) end f()", "pcall recursion");
    check_runaway("local t = setmetatable({}, {__index = function(t, k) return k end})\n"
                  "while true do local _ = t[1] end",
                  "metamethod loop");
}

TEST(runaway_coroutine)
{
    check_runaway("coroutine.wrap(function() while true do end end)()", "coroutine.wrap loop");
    check_runaway("local co = coroutine.create(function() while true do end end)\n"
                  "while true do coroutine.resume(co) end",
                  "coroutine.resume loop");
    check_runaway("while true do coroutine.wrap(function() for i = 1, 100 do end end)() end",
                  "many coroutines");
}

TEST(runaway_c_functions)
{
    /* Loops of C calls run no VM instructions between calls. */
    check_runaway("local t = setmetatable({}, {__index = rawlen})\n"
                  "while true do table.concat(t, '', 1, 1000) end",
                  "C metamethods");
    check_runaway("local s1 = string.rep('a', (6 << 20) + 7) local s2 = s1:upper():lower()\n"
                  "while true do local _ = (s1 == s2) end",
                  "big string compares");
    check_runaway("local s = string.rep('a', 4 << 20) while true do local _ = s .. 'b' end",
                  "big string concats");
}

TEST(limit_hash_flooding)
{
    /* Integer keys chosen to collide make one table rehash quadratic. */
    Error e;
    double ms;
    for (int k = 13; k <= 17; k++) {
        char src[160];
        snprintf(src, sizeof src,
                 "local t = {} for i = 1, 1 << %d do t[i * ((1 << %d) - 1)] = true end", k, k);
        bool ok = run(src, &e, &ms);
        printf("  %d colliding keys: %s after %.1f ms\n", 1 << k, ok ? "done" : e.msg, ms);
        CHECK(ms < 1000);
    }
    CHECK(!run("local t = {} for i = 1, 20000 do t['k' .. i] = i end", &e, &ms));
    CHECK_CONTAINS(e.msg, "a table has too many keys");
    CHECK(run_true("local t = {} for i = 1, 100000 do t[i] = i end\n"
                   "local u = {} for i = 1, 10000 do u['k' .. i] = i end return #t == 100000"));
}

TEST(limit_string_rep)
{
    Error e;
    double ms;
    CHECK(!run("local s = string.rep('x', 2^31)", &e, &ms));
    CHECK_CONTAINS(e.msg, "quizzes/evil.lua:1: resulting string too large");
    CHECK(!run("local s = string.rep('x', 2^30)", &e, &ms));
    CHECK_STR(e.msg, "quizzes/evil.lua: script used too much memory");
    CHECK(!run("local s = ('x'):rep(1 << 40, ',')", &e, &ms));
    CHECK_CONTAINS(e.msg, "quizzes/evil.lua");
    CHECK(run_true("return string.rep('', 1e18) == '' and string.rep('', 1 << 62, '') == ''"));
}

TEST(limit_table_growth)
{
    Error e;
    double ms;
    CHECK(!run("local t = {} while true do t[#t + 1] = {} end", &e, &ms));
    printf("  table growth stopped after %.1f ms: %s\n", ms, e.msg);
    CHECK(strstr(e.msg, "too much memory") || strstr(e.msg, "too long"));
    CHECK(!run("local t = {} local i = 0 while true do i = i + 1 t[i] = ('x'):rep(100) .. i end",
               &e, &ms));
    CHECK(strstr(e.msg, "too much memory") || strstr(e.msg, "too long"));
}

TEST(limit_recursion)
{
    Error e;
    double ms;
    CHECK(!run("local function f() return 1 + f() end\nf()", &e, &ms));
    printf("  infinite recursion: %s (%.1f ms)\n", e.msg, ms);
    CHECK(strstr(e.msg, "stack overflow") || strstr(e.msg, "too much memory") ||
          strstr(e.msg, "too long"));
    CHECK(ms < 1000);
    CHECK(!run("local function f() return coroutine.wrap(f)() end\nf()", &e, &ms));
    printf("  coroutine nesting: %s (%.1f ms)\n", e.msg, ms);
    CHECK_STR(e.msg, "quizzes/evil.lua:1: C stack overflow");
    CHECK(!run("local s = ('('):rep(1000) .. '1' .. (')'):rep(1000)\n"
               "local f = assert(load('return ' .. s))", &e, &ms));
    printf("  deep nesting in load: %s\n", e.msg);
    CHECK_CONTAINS(e.msg, "C stack overflow");
    CHECK(!run("local t = setmetatable({}, {}) getmetatable(t).__index = t local x = t.x", &e,
               &ms));
    CHECK_CONTAINS(e.msg, "loop");
}

TEST(limit_patterns)
{
    Error e;
    double ms;
    CHECK(!run("string.find(string.rep('a', 30) .. 'b', string.rep('a*', 30) .. 'c')", &e, &ms));
    CHECK_CONTAINS(e.msg, "quizzes/evil.lua:1: pattern is too complex");
    printf("  catastrophic find refused after %.1f ms\n", ms);
    CHECK(ms < 1000);
    CHECK(!run("local s = ('a'):rep(100000) for w in s:gmatch('.-.-b') do end", &e, &ms));
    CHECK_CONTAINS(e.msg, "too complex");
    CHECK(!run("local s = ('a'):rep(1 << 20) local _ = s:find(('a'):rep(1 << 19) .. 'b', 1, true)",
               &e, &ms));
    CHECK_CONTAINS(e.msg, "too complex");
    CHECK(!run("local s = ('a'):rep(1 << 16) s:gsub('.-x', '')", &e, &ms));
    CHECK_CONTAINS(e.msg, "too complex");
    /* Just under the limit the matcher must still finish quickly. */
    const char *near = "local s = ('a'):rep(15) .. 'b'\n"
                       "for i = 1, 200 do s:find(('a*'):rep(3) .. 'c') end\n"
                       "local long = ('word '):rep(20000)\n"
                       "local n = 0 for w in long:gmatch('%a+') do n = n + 1 end\n"
                       "assert(n == 20000)\n"
                       "assert(('  x  '):match('^%s*(.-)%s*$') == 'x')\n"
                       "assert(('a,b;c'):gsub('[,;]', ' ') == 'a b c')\n"
                       "assert(('[x]'):find('[]]') == 3)\n"
                       "assert(('f(a(b)c)'):match('%b()') == '(a(b)c)')\n"
                       "assert(('THE (quick) fox'):find('%f[%a]%a+%f[%A]') == 1)\n"
                       "assert(('hello hello'):match('(h%a+) %1') == 'hello')\n"
                       "return true";
    double t0 = time_now_ms();
    CHECK(run_true(near));
    printf("  ordinary patterns: %.1f ms\n", time_now_ms() - t0);
    EXPECT_FAIL("('x'):find('[a')", "malformed pattern");
}

TEST(limit_table_functions)
{
    EXPECT_FAIL("local t = setmetatable({}, {__len = function() return 1 << 50 end})\n"
                "table.insert(t, 1, 'x')",
                "spans too many elements");
    EXPECT_FAIL("table.move({}, 1, 1 << 40, 2)", "spans too many elements");
    EXPECT_FAIL("local t = setmetatable({}, {__len = function() return 1 << 50 end})\n"
                "table.remove(t, 1)",
                "spans too many elements");
    CHECK(run_true("local t = {3, 1, 2} table.sort(t) table.insert(t, 4) table.insert(t, 1, 0)\n"
                   "assert(table.remove(t) == 4) assert(table.concat(t, ',') == '0,1,2,3')\n"
                   "return table.concat(table.move({1, 2, 3}, 1, 3, 2, {}), ',', 2) == '1,2,3'"));
}

TEST(limit_collectgarbage)
{
    EXPECT_FAIL("collectgarbage('stop')", "only \"count\" is allowed");
    EXPECT_FAIL("collectgarbage()", "only \"count\" is allowed");
    CHECK(run_true("return type(collectgarbage('count')) == 'number'"));
}

TEST(limit_finalizers)
{
    EXPECT_FAIL("setmetatable({}, {__gc = function() while true do end end})",
                "'__gc' (finalizers) is not allowed");
    /* Adding __gc later never marks the object (Lua checks at setmetatable). */
    CHECK(run_true("local mt = {} local t = setmetatable({}, mt)\n"
                   "mt.__gc = function() while true do end end t = nil return true"));
}

TEST(require_modules)
{
    reads = 0;
    CHECK(run_true("local h = require 'quizzes/helpers'\n"
                   "local h2 = require 'quizzes.helpers'\n"
                   "return h == h2 and h.double(21) == 42"));
    CHECK(reads == 1);
    EXPECT_FAIL("require 'quizzes/cycle_a'", "requires itself");
    EXPECT_FAIL("require 'quizzes/broken'", "quizzes/broken.lua:2: helper is broken");
    EXPECT_FAIL("require 'quizzes/missing'", "require 'quizzes/missing': quizzes/missing.lua: not found");
    /* A failed module can be retried (it is not left marked as loading). */
    CHECK(run_true("pcall(require, 'quizzes/broken')\n"
                   "local ok, msg = pcall(require, 'quizzes/broken')\n"
                   "return not ok and msg:find('helper is broken') ~= nil"));
}

TEST(print_goes_to_log)
{
    Sandbox *sb = mk();
    Error e;
    const char *src = "print('hello', 1, nil, true) print(setmetatable({}, {__tostring = function() return 'T' end}))";
    CHECK(sandbox_run(sb, "p.lua", src, strlen(src), 0, &e));
    CHECK_STR(sandbox_log(sb), "hello\t1\tnil\ttrue\nT\n");
    src = "for i = 1, 2000 do print(('x'):rep(100)) end";
    CHECK(sandbox_run(sb, "p.lua", src, strlen(src), 0, &e));
    CHECK(strlen(sandbox_log(sb)) <= (64 << 10) + 32);
    CHECK_CONTAINS(sandbox_log(sb), "[log truncated]");
    sandbox_free(sb);
}

TEST(math_random_is_seeded)
{
    const char *src = "local t = {} for i = 1, 5 do t[i] = math.random(1, 1000) end\n"
                      "t[6] = math.random() return table.concat(t, ',')";
    char first[256] = "";
    for (int round = 0; round < 3; round++) {
        Sandbox *sb = mk();
        sandbox_seed(sb, round < 2 ? 42 : 43);
        Error e;
        CHECK(sandbox_run(sb, "r.lua", src, strlen(src), 1, &e));
        const char *s = lua_tostring(sandbox_state(sb), -1);
        if (round == 0) snprintf(first, sizeof first, "%s", s);
        else if (round == 1) CHECK_STR(s, first);
        else CHECK(strcmp(s, first) != 0);
        sandbox_free(sb);
    }
    EXPECT_FAIL("math.random(5, 1)", "interval is empty");
    CHECK(run_true("math.randomseed(7) local a = math.random(100) math.randomseed(7)\n"
                   "return a == math.random(100)"));
}

TEST(error_messages)
{
    EXPECT_FAIL("local x = 1\n\nerror('boom')", "quizzes/evil.lua:3: boom");
    Error e;
    CHECK(!run("error('no position', 0)", &e, NULL));
    CHECK_STR(e.msg, "quizzes/evil.lua: no position");
    CHECK(!run("error({code = 1})", &e, NULL));
    CHECK_STR(e.msg, "quizzes/evil.lua: error (the error value is a table, not a message)");
    CHECK(!run("error('two\\nlines')", &e, NULL));
    CHECK_STR(e.msg, "quizzes/evil.lua:1: two lines");
    CHECK(!run("local x = = 1", &e, NULL));
    CHECK_CONTAINS(e.msg, "quizzes/evil.lua:1: unexpected symbol");
    CHECK(!run("error(setmetatable({}, {__tostring = function() while true do end end}))", &e,
               NULL));
    CHECK_CONTAINS(e.msg, "not a message");
}

TEST(traceback_kept)
{
    Sandbox *sb = mk();
    Error e;
    const char *src = "local function inner() error('deep') end\nlocal function outer() inner() end\nouter()";
    CHECK(!sandbox_run(sb, "tb.lua", src, strlen(src), 0, &e));
    CHECK_CONTAINS(sandbox_last_traceback(sb), "stack traceback");
    CHECK_CONTAINS(sandbox_last_traceback(sb), "inner");
    sandbox_free(sb);
}

TEST(bare_sandbox_for_manifests)
{
    Error e;
    Sandbox *sb = sandbox_new(&SANDBOX_MANIFEST_LIMITS, &e);
    const char *src = "return { id = 'x', pages = { 'a.md' } }";
    CHECK(sandbox_run(sb, "lesson.lua", src, strlen(src), 1, &e));
    CHECK(lua_istable(sandbox_state(sb), -1));
    lua_pop(sandbox_state(sb), 1);
    src = "print('x')";
    CHECK(!sandbox_run(sb, "lesson.lua", src, strlen(src), 0, &e));
    CHECK_CONTAINS(e.msg, "lesson.lua:1: attempt to call a nil value (global 'print')");
    src = "local s = 'x' while true do s = s .. s end";
    double t0 = time_now_ms();
    CHECK(!sandbox_run(sb, "lesson.lua", src, strlen(src), 0, &e));
    CHECK_STR(e.msg, "lesson.lua: script used too much memory");
    src = "while true do end";
    CHECK(!sandbox_run(sb, "lesson.lua", src, strlen(src), 0, &e));
    CHECK_STR(e.msg, "lesson.lua: script ran too long");
    printf("  manifest runaway + memory: %.1f ms\n", time_now_ms() - t0);
    CHECK(sandbox_memory_used(sb) < (4u << 20));
    /* Still usable after failures. */
    src = "return 1 + 1";
    CHECK(sandbox_run(sb, "lesson.lua", src, strlen(src), 1, &e));
    CHECK(lua_tointeger(sandbox_state(sb), -1) == 2);
    sandbox_free(sb);
}

TEST(usable_after_runaway)
{
    Sandbox *sb = mk();
    Error e;
    const char *src = "while true do end";
    CHECK(!sandbox_run(sb, "a.lua", src, strlen(src), 0, &e));
    src = "local t = {} for i = 1, 1000 do t[i] = i end return #t";
    CHECK(sandbox_run(sb, "a.lua", src, strlen(src), 1, &e));
    CHECK(lua_tointeger(sandbox_state(sb), -1) == 1000);
    sandbox_free(sb);
}

int main(void)
{
    RUN(escape_io_open);
    RUN(escape_os_execute);
    RUN(escape_require_os);
    RUN(escape_string_dump);
    RUN(escape_load_binary);
    RUN(escape_debug);
    RUN(escape_string_metatable);
    RUN(escape_setmetatable_G);
    RUN(escape_rawset_libraries);
    RUN(runaway_while_true);
    RUN(runaway_coroutine);
    RUN(runaway_c_functions);
    RUN(limit_hash_flooding);
    RUN(limit_string_rep);
    RUN(limit_table_growth);
    RUN(limit_recursion);
    RUN(limit_patterns);
    RUN(limit_table_functions);
    RUN(limit_collectgarbage);
    RUN(limit_finalizers);
    RUN(require_modules);
    RUN(print_goes_to_log);
    RUN(math_random_is_seeded);
    RUN(error_messages);
    RUN(traceback_kept);
    RUN(bare_sandbox_for_manifests);
    RUN(usable_after_runaway);
    return test_summary();
}
