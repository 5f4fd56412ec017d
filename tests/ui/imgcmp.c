/* imgcmp: compares two PNG pictures for the screenshot tests.
 * usage: imgcmp ACTUAL.png EXPECTED.png [MAX_FRACTION]
 * A pixel differs when any channel differs by more than 64 (anti-aliasing and
 * small hinting changes stay below that). Passes when the fraction of
 * differing pixels is at most MAX_FRACTION (default 0.01) and the sizes match;
 * prints the fraction either way. */
#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: imgcmp ACTUAL.png EXPECTED.png [MAX_FRACTION]\n", stderr);
        return 2;
    }
    if (strcmp(argv[1], "--stats") == 0) {
        /* Distinct colours (up to 4096 counted) and mean brightness, so tests
         * can tell a drawn screen from a blank one. */
        SDL_Surface *s0 = IMG_Load(argv[2]);
        if (!s0) {
            fprintf(stderr, "imgcmp: cannot read %s\n", argv[2]);
            return 1;
        }
        SDL_Surface *s = SDL_ConvertSurfaceFormat(s0, SDL_PIXELFORMAT_ABGR8888, 0);
        static Uint32 seen[1 << 16]; /* open addressing; 0 = empty (alpha is forced to 0xFF) */
        int n = 0;
        double sum = 0;
        for (int y = 0; y < s->h; y++) {
            const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch);
            for (int x = 0; x < s->w; x++) {
                Uint32 px = row[x] | 0xFF000000u;
                sum += ((px & 0xFF) + ((px >> 8) & 0xFF) + ((px >> 16) & 0xFF)) / 3.0;
                unsigned h = (px * 2654435761u) >> 16;
                while (seen[h] && seen[h] != px) h = (h + 1) & 0xFFFF;
                if (!seen[h] && n < 4096) {
                    seen[h] = px;
                    n++;
                }
            }
        }
        printf("size=%dx%d colors=%d brightness=%.1f\n", s->w, s->h, n, sum / ((double)s->w * s->h));
        SDL_FreeSurface(s), SDL_FreeSurface(s0);
        SDL_Quit();
        return 0;
    }
    double max_frac = argc > 3 ? atof(argv[3]) : 0.01;
    SDL_Surface *a0 = IMG_Load(argv[1]), *b0 = IMG_Load(argv[2]);
    if (!a0 || !b0) {
        fprintf(stderr, "imgcmp: cannot read %s\n", !a0 ? argv[1] : argv[2]);
        return 1;
    }
    SDL_Surface *a = SDL_ConvertSurfaceFormat(a0, SDL_PIXELFORMAT_ABGR8888, 0);
    SDL_Surface *b = SDL_ConvertSurfaceFormat(b0, SDL_PIXELFORMAT_ABGR8888, 0);
    int status = 0;
    if (a->w != b->w || a->h != b->h) {
        fprintf(stderr, "imgcmp: sizes differ: %dx%d vs %dx%d\n", a->w, a->h, b->w, b->h);
        status = 1;
    } else {
        long diff = 0;
        for (int y = 0; y < a->h; y++) {
            const Uint8 *pa = (const Uint8 *)a->pixels + y * a->pitch;
            const Uint8 *pb = (const Uint8 *)b->pixels + y * b->pitch;
            for (int x = 0; x < a->w * 4; x += 4) {
                for (int c = 0; c < 3; c++) {
                    if (abs(pa[x + c] - pb[x + c]) > 64) {
                        diff++;
                        break;
                    }
                }
            }
        }
        double frac = (double)diff / ((double)a->w * a->h);
        printf("imgcmp: %ld of %d pixels differ (%.4f%%, allowed %.4f%%)\n", diff, a->w * a->h,
               frac * 100, max_frac * 100);
        if (frac > max_frac) status = 1;
    }
    SDL_FreeSurface(a), SDL_FreeSurface(b), SDL_FreeSurface(a0), SDL_FreeSurface(b0);
    IMG_Quit();
    SDL_Quit();
    return status;
}
