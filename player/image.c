/* image: see image.h. */
#include "image.h"

#include <SDL2/SDL_image.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads width and height from a PNG or JPEG header without decoding. */
static bool header_size(const unsigned char *d, size_t n, int *w, int *h, bool *svg)
{
    *svg = false;
    if (n >= 24 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
        uint32_t ww = be32(d + 16), hh = be32(d + 20);
        *w = ww > 0x7FFFFFFF ? 0x7FFFFFFF : (int)ww;
        *h = hh > 0x7FFFFFFF ? 0x7FFFFFFF : (int)hh;
        return true;
    }
    if (n >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
        size_t i = 2;
        while (i + 9 < n) {
            if (d[i] != 0xFF) { i++; continue; }
            unsigned char m = d[i + 1];
            if (m == 0xFF) { i++; continue; }
            if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
            size_t seg = (size_t)d[i + 2] << 8 | d[i + 3];
            bool sof = (m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC;
            if (sof) {
                *h = d[i + 5] << 8 | d[i + 6];
                *w = d[i + 7] << 8 | d[i + 8];
                return true;
            }
            i += 2 + seg;
        }
        return false;
    }
    /* SVG: text that has an <svg element near the start. */
    size_t scan = n < 4096 ? n : 4096;
    for (size_t i = 0; i + 4 <= scan; i++) {
        if (memcmp(d + i, "<svg", 4) == 0) {
            *svg = true;
            return true;
        }
    }
    return false;
}

/* Finds a numeric attribute of the root <svg> element. */
static bool svg_attr(const char *s, size_t n, const char *attr, double *vals, int count)
{
    const char *root = NULL;
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(s + i, "<svg", 4) == 0) { root = s + i; break; }
    if (!root) return false;
    const char *end = memchr(root, '>', (size_t)(s + n - root));
    if (!end) return false;
    size_t al = strlen(attr);
    for (const char *p = root + 4; p + al + 2 < end; p++) {
        if ((p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t' || p[-1] == '\r') &&
            memcmp(p, attr, al) == 0 && p[al] == '=') {
            const char *v = p + al + 1;
            if (*v == '"' || *v == '\'') v++;
            for (int k = 0; k < count; k++) {
                char *e;
                vals[k] = strtod(v, &e);
                if (e == v) return false;
                v = e;
                while (v < end && (*v == ' ' || *v == ',')) v++;
            }
            return true;
        }
    }
    return false;
}

bool image_decode(const char *name, const char *data, size_t len, Image *out, Error *err)
{
    memset(out, 0, sizeof *out);
    int w = 0, h = 0;
    bool svg;
    if (!header_size((const unsigned char *)data, len, &w, &h, &svg))
        return error_set(err, "%s: not a PNG, JPEG or SVG image, or the file is damaged", name);
    if (svg) {
        double vb[4], ww = 0, hh = 0;
        if (svg_attr(data, len, "viewBox", vb, 4)) {
            ww = vb[2];
            hh = vb[3];
        }
        double a;
        if (svg_attr(data, len, "width", &a, 1)) ww = a;
        if (svg_attr(data, len, "height", &a, 1)) hh = a;
        if (!(ww >= 1 && hh >= 1)) ww = 300, hh = 150; /* the SVG default */
        if (ww > IMAGE_MAX_SIDE || hh > IMAGE_MAX_SIDE)
            return error_set(err, "%s: image is too large (%.0f x %.0f; the limit is %d x %d)",
                             name, ww, hh, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
        /* Rasterise once now so a broken SVG is reported when the page opens. */
        SDL_RWops *rw = SDL_RWFromConstMem(data, (int)len);
        SDL_Surface *s = rw ? IMG_LoadSizedSVG_RW(rw, (int)ww, (int)hh) : NULL;
        if (rw) SDL_RWclose(rw);
        if (!s) return error_set(err, "%s: the SVG image could not be drawn", name);
        out->svg = true;
        out->w = (int)(ww + 0.5);
        out->h = (int)(hh + 0.5);
        out->surf = s;
        out->svg_data = xstrndup(data, len);
        out->svg_len = len;
        return true;
    }
    if (w <= 0 || h <= 0) return error_set(err, "%s: the image has no size; the file is damaged", name);
    if (w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE)
        return error_set(err, "%s: image is too large (%d x %d pixels; the limit is %d x %d)",
                         name, w, h, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
    SDL_RWops *rw = SDL_RWFromConstMem(data, (int)len);
    SDL_Surface *s = rw ? IMG_Load_RW(rw, 1) : NULL;
    if (!s) return error_set(err, "%s: the image could not be decoded (%s)", name, IMG_GetError());
    out->surf = s;
    out->w = s->w;
    out->h = s->h;
    return true;
}

SDL_Surface *image_surface(Image *img, int w, int h)
{
    if (!img->svg || w <= 0 || h <= 0) return img->surf;
    if (img->surf && img->surf->w == w && img->surf->h == h) return img->surf;
    if (w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE) return img->surf;
    SDL_RWops *rw = SDL_RWFromConstMem(img->svg_data, (int)img->svg_len);
    SDL_Surface *s = rw ? IMG_LoadSizedSVG_RW(rw, w, h) : NULL;
    if (rw) SDL_RWclose(rw);
    if (s) {
        SDL_FreeSurface(img->surf);
        img->surf = s;
    }
    return img->surf;
}

void image_free(Image *img)
{
    if (!img) return;
    SDL_FreeSurface(img->surf);
    free(img->svg_data);
    memset(img, 0, sizeof *img);
}
