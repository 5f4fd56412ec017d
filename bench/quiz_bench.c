/* quiz_bench: how long a quiz page takes from opening to its first question
 * on screen (load the kit and the script in a fresh sandbox, lay out, draw),
 * and how long a runaway script runs before the sandbox stops it.
 * usage: quiz_bench QUIZ.lua */
#include "quiz.h"
#include "quizview.h"
#include "sandbox.h"
#include "theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: quiz_bench QUIZ.lua\n", stderr);
        return 2;
    }
    char *src;
    size_t len;
    Error err;
    if (!file_read_all(argv[1], 1 << 20, &src, &len, &err)) {
        fprintf(stderr, "quiz_bench: %s\n", err.msg);
        return 1;
    }
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    SDL_Init(SDL_INIT_VIDEO);
    SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, 1024, 720, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(target);
    TextEngine *te = text_engine_new(&err);
    text_set_renderer(te, r);
    enum { N = 30 };
    double open_ms[N];
    for (int i = 0; i < N; i++) {
        double t0 = time_now_ms();
        Quiz *q = quiz_load(argv[1], src, len, (uint64_t)i + 1, NULL, &err);
        if (!q) {
            fprintf(stderr, "quiz_bench: %s\n", err.msg);
            return 1;
        }
        QuizView *v = quizview_new(q, NULL, "en", NULL, NULL);
        quizview_layout(v, te, 760, 1.0f, theme_get(false));
        Render rd = {r, te, theme_get(false), 1.0f, "en"};
        quizview_draw(v, &rd, 0, 0, (SDL_Rect){0, 0, 1024, 720}, -1);
        open_ms[i] = time_now_ms() - t0;
        quizview_free(v);
    }
    qsort(open_ms, N, sizeof open_ms[0], cmp);
    printf("quiz page open to first question drawn: median %.2f ms, max %.2f ms (%d runs)\n",
           open_ms[N / 2], open_ms[N - 1], N);
    const char *loops[] = {"while true do end", "local t = {} while true do t[#t + 1] = #t end",
                           "local function f() return f() + 1 end f()",
                           "string.find(string.rep('a', 40) .. 'b', string.rep('a*', 40) .. 'c')",
                           "local co = coroutine.wrap(function() while true do end end) co()"};
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
        Sandbox *sb = sandbox_new(&SANDBOX_SCRIPT_LIMITS, &err);
        sandbox_open_safe_libs(sb, NULL);
        double t0 = time_now_ms();
        bool ok = sandbox_run(sb, "runaway.lua", loops[i], strlen(loops[i]), 0, &err);
        double ms = time_now_ms() - t0;
        printf("runaway stopped after %7.1f ms: %-58s -> %s\n", ms, loops[i], ok ? "(ran to the end)" : err.msg);
        sandbox_free(sb);
    }
    text_engine_free(te);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(target);
    SDL_Quit();
    free(src);
    return 0;
}
