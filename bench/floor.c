/* floor: the least a program can do to show a paragraph with SDL2 and
 * SDL2_ttf: start SDL on the dummy driver, open one font, render one wrapped
 * paragraph through the software renderer and write it as a PNG. Outpost's
 * cold start is measured against this.
 * usage: floor FONT.ttf OUT.png */
#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <SDL2/SDL_ttf.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: floor FONT.ttf OUT.png\n", stderr);
        return 2;
    }
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) return 1;
    SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, 1024, 720, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(target);
    TTF_Font *font = TTF_OpenFont(argv[1], 18);
    if (!target || !r || !font) return 1;
    SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
    SDL_RenderClear(r);
    const char *text =
        "The transaction value is the price actually paid or payable for the goods when sold "
        "for export to the country of importation, adjusted under Article 8.";
    SDL_Color ink = {31, 35, 40, 255};
    SDL_Surface *s = TTF_RenderUTF8_Blended_Wrapped(font, text, ink, 700);
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    SDL_Rect dst = {40, 40, s->w, s->h};
    SDL_RenderCopy(r, t, NULL, &dst);
    SDL_RenderPresent(r);
    int rc = IMG_SavePNG(target, argv[2]);
    SDL_DestroyTexture(t);
    SDL_FreeSurface(s);
    TTF_CloseFont(font);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(target);
    TTF_Quit();
    SDL_Quit();
    return rc == 0 ? 0 : 1;
}
