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

#endif
