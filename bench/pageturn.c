/* pageturn: times page turns in the player, headless: the layout and the
 * drawing of each page as the learner presses Right, first on pages never
 * seen (no cached word widths for their words), then going back and forth
 * over pages whose layouts were dropped (word widths cached, layout redone),
 * then redraws of a page whose layout is cached.
 * usage: pageturn LESSON */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    printf("%-34s median %6.2f ms   p90 %6.2f ms   max %6.2f ms  (%d turns)\n", what, v[n / 2],
           v[n * 9 / 10], v[n - 1], n);
}

static double turn(App *a, SDL_Keycode key)
{
    SDL_Event ev = {0};
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = key;
    double t0 = time_now_ms();
    app_handle_event(a, &ev);
    app_draw(a);
    return time_now_ms() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: pageturn LESSON\n", stderr);
        return 2;
    }
    AppOptions opt = {.path = argv[1], .headless = true, .width = 1024, .height = 720, .no_learner = true};
    Error err;
    App *a = app_new(&opt, &err);
    if (!a) {
        fprintf(stderr, "pageturn: %s\n", err.msg);
        return 1;
    }
    app_draw(a);
    int n = app_state(a).n_pages;
    double first[512], again[512], redraw[512];
    int nf = 0, na = 0, nr = 0;
    for (int i = 1; i < n && nf < 512; i++) first[nf++] = turn(a, SDLK_RIGHT);
    for (int i = 0; i < 100; i++) {
        app_drop_layouts(a);
        again[na++] = turn(a, i % 2 ? SDLK_RIGHT : SDLK_LEFT);
    }
    for (int i = 0; i < 100; i++) {
        double t0 = time_now_ms();
        app_draw(a);
        redraw[nr++] = time_now_ms() - t0;
    }
    report("page turn, first visit:", first, nf);
    report("page turn, page seen before:", again, na);
    report("redraw of the same page:", redraw, nr);
    app_free(a);
    return 0;
}
