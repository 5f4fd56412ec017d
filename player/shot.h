/* shot: writes screenshots as PNG with libpng, tuned for speed: headless
 * screenshots are on the path from start to first picture, and a UI screen
 * compresses well with a fast setting. */
#ifndef OUTPOST_SHOT_H
#define OUTPOST_SHOT_H

#include "util.h"
#include <SDL2/SDL.h>

/* Writes s (any pixel format) as an 8-bit RGB PNG, atomically (temporary
 * file, then rename). False with "PATH: reason" on failure. */
bool shot_write_png(const char *path, SDL_Surface *s, Error *err);

#endif
