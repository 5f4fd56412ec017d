/* sandbox: a Lua 5.4 state for untrusted lesson code, with a memory cap
 * (custom allocator), a CPU budget (instruction-count hook checking both an
 * instruction count and a wall-clock deadline) and a nesting limit. Text
 * chunks only: binary (precompiled) chunks are always refused.
 *
 * A new sandbox opens NO libraries and has an empty global table; the
 * manifest loader uses it that way. The quiz runtime adds the safe subset
 * with sandbox_open_safe_libs(). The player's own trusted Lua never runs in a
 * sandbox state, and a sandbox never shares tables with it. */
#ifndef OUTPOST_SANDBOX_H
#define OUTPOST_SANDBOX_H

#include "util.h"
#include <lua.h>

typedef struct SandboxLimits {
    size_t memory_bytes;   /* allocator cap, e.g. 32 MiB */
    uint64_t instructions; /* VM instructions per call, e.g. 50 million */
    double wall_ms;        /* deadline per call, e.g. 200 ms */
} SandboxLimits;

/* Limits used for manifests: 4 MiB, 2 million instructions, 100 ms. */
extern const SandboxLimits SANDBOX_MANIFEST_LIMITS;
/* Limits used for quiz scripts: 32 MiB, 50 million instructions, 200 ms. */
extern const SandboxLimits SANDBOX_SCRIPT_LIMITS;

typedef struct Sandbox Sandbox;

/* Returns NULL (with a reason) only if the state cannot be created. Free with
 * sandbox_free(), which closes the Lua state. */
Sandbox *sandbox_new(const SandboxLimits *limits, Error *err);
void sandbox_free(Sandbox *sb);
lua_State *sandbox_state(Sandbox *sb);

/* Loads a text chunk named `name` (a package entry name such as
 * "quizzes/check.lua"; error messages use it as "quizzes/check.lua:12: ...")
 * and calls it with the CPU budget reset, leaving nresults values (or
 * LUA_MULTRET) on the stack. On failure nothing is left on the stack and err
 * holds one line: "NAME:LINE: message", "NAME: script ran too long",
 * "NAME: script used too much memory", "NAME: precompiled code is not
 * allowed". */
bool sandbox_run(Sandbox *sb, const char *name, const char *src, size_t len, int nresults,
                 Error *err);

/* Calls the function below nargs arguments on the stack, in protected mode,
 * with the CPU budget reset. Errors as for sandbox_run, prefixed with `name`
 * where the message carries no position. A traceback is available through
 * sandbox_last_traceback() after a failure. */
bool sandbox_pcall(Sandbox *sb, const char *name, int nargs, int nresults, Error *err);
const char *sandbox_last_traceback(Sandbox *sb);

/* Bytes the state currently holds. */
size_t sandbox_memory_used(Sandbox *sb);

/* ---- Additions for the quiz runtime (safe libraries, require, seeded RNG,
 * print log). ---- */

/* Reads a package entry for require(): fills *text with a heap block the
 * sandbox frees with free(), and *len. Returns false with a reason (e.g.
 * "quizzes/x.lua: not found in ...") if it cannot. Lets sandbox.c load other
 * entries without depending on package.c. */
typedef struct SandboxRequire {
    bool (*read)(void *ud, const char *name, char **text, size_t *len, Error *err);
    void *ud;
} SandboxRequire;

/* Opens the safe subset for lesson scripts (see docs/quiz-scripting.md,
 * "Sandbox rules"): base functions without dofile/loadfile/warn, load for
 * text only, collectgarbage("count") only, print into sandbox_log(); string
 * (no dump; pattern functions refuse patterns too costly for their subject),
 * table, math (random is the sandbox's own seeded generator), utf8 and
 * coroutine, each as a read-only proxy; require() reading "a/b" as entry
 * "a/b.lua" through req (copied; req may be NULL: require then always fails).
 * No io, os, package or debug. Call once, right after sandbox_new(). */
void sandbox_open_safe_libs(Sandbox *sb, SandboxRequire *req);

/* Seeds math.random (the sandbox's own xoshiro256** generator; the default
 * seed is 0). The same seed gives the same numbers on every platform. */
void sandbox_seed(Sandbox *sb, uint64_t seed);

/* Text printed by the script with print(), one line per call, capped at
 * 64 KiB (owned by the sandbox; valid until the next call into it). */
const char *sandbox_log(Sandbox *sb);

/* A small deterministic generator (xoshiro256** seeded through splitmix64),
 * shared by math.random and the quiz kit's per-question generators. */
typedef struct SandboxRng {
    uint64_t s[4];
} SandboxRng;
void sandbox_rng_seed(SandboxRng *r, uint64_t seed);
uint64_t sandbox_rng_next(SandboxRng *r);
/* Uniform integer in [lo, hi] (lo <= hi), without modulo bias. */
int64_t sandbox_rng_range(SandboxRng *r, int64_t lo, int64_t hi);
/* Uniform double in [0, 1). */
double sandbox_rng_float(SandboxRng *r);

/* Marks the table at idx read-only for rawset() in this sandbox (library
 * proxies are marked already). Must be called inside a protected call. */
void sandbox_protect(lua_State *L, int idx);

#endif
