/* image: decodes page images (PNG, JPEG, SVG) from memory with SDL2_image,
 * after checking their pixel size from the file header so a hostile image
 * cannot make the player allocate gigabytes. SVGs are re-rasterised at the
 * size they are shown, so they stay sharp at every text size and on HiDPI. */
#ifndef OUTPOST_IMAGE_H
#define OUTPOST_IMAGE_H

#include "util.h"
#include <SDL2/SDL.h>

#define IMAGE_MAX_SIDE 8192

typedef struct Image {
    int w, h;           /* intrinsic size in pixels */
    bool svg;
    SDL_Surface *surf;  /* raster images: decoded pixels; SVG: NULL until rendered */
    char *svg_data;     /* SVG source kept for re-rasterising */
    size_t svg_len;
} Image;

/* Decodes data (the bytes of entry `name`). On failure returns false with
 * "NAME: reason" ("not a PNG, JPEG or SVG image", "image is too large ...").
 * The caller releases with image_free(). */
bool image_decode(const char *name, const char *data, size_t len, Image *out, Error *err);
/* A surface of the image at w x h (SVG rasterised at that size; raster images
 * returned as decoded, the renderer scales them). Owned by the image. */
SDL_Surface *image_surface(Image *img, int w, int h);
void image_free(Image *img);

#endif
