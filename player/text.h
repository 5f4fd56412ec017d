/* text: the text engine. Turns styled UTF-8 into positioned, shaped line
 * fragments and draws them.
 *
 *  - itemizes text into runs by Unicode script and style, and picks a font per
 *    run from a fallback chain found through fontconfig (Noto fonts first), so
 *    that no box is drawn where an installed font has the glyph;
 *  - shapes each run with HarfBuzz through SDL2_ttf (TTF_SetFontScriptName,
 *    TTF_SetFontDirection; right-to-left runs are at least not scrambled);
 *  - breaks lines by UAX #14 (libunibreak), with Thai words found by
 *    dictionary (libthai) and an emergency break between grapheme clusters
 *    (never between a base letter and its combining marks) when a word is
 *    wider than the line;
 *  - caches measured words and rendered fragment textures, so re-drawing a
 *    page does no shaping. */
#ifndef OUTPOST_TEXT_H
#define OUTPOST_TEXT_H

#include "util.h"
#include <SDL2/SDL.h>

enum { TEXT_BOLD = 1, TEXT_ITALIC = 2, TEXT_MONO = 4, TEXT_UNDERLINE = 8 };
enum { TEXT_ALIGN_LEFT, TEXT_ALIGN_CENTER, TEXT_ALIGN_RIGHT };

/* Scripts the itemizer tells apart. Common and inherited characters (spaces,
 * digits, punctuation, combining marks) take the script of their neighbours. */
typedef enum TextScript {
    SCRIPT_COMMON, SCRIPT_LATIN, SCRIPT_GREEK, SCRIPT_CYRILLIC, SCRIPT_ARABIC, SCRIPT_HEBREW,
    SCRIPT_DEVANAGARI, SCRIPT_BENGALI, SCRIPT_TAMIL, SCRIPT_THAI, SCRIPT_LAO, SCRIPT_KHMER,
    SCRIPT_MYANMAR, SCRIPT_HAN, SCRIPT_HIRAGANA, SCRIPT_KATAKANA, SCRIPT_HANGUL, SCRIPT_SINHALA,
    SCRIPT_GEORGIAN, SCRIPT_ARMENIAN, SCRIPT_ETHIOPIC, SCRIPT_MONGOLIAN, SCRIPT_TIBETAN,
    SCRIPT_OTHER, SCRIPT_COUNT
} TextScript;

typedef struct TextSpan {
    const char *text; /* UTF-8, not necessarily NUL-terminated */
    size_t len;
    unsigned style;   /* TEXT_* bits */
    int size_px;      /* font size in pixels (already scaled for HiDPI) */
    uint32_t color;   /* 0xRRGGBBAA */
    int tag;          /* caller's tag copied to every fragment (e.g. a link), 0 = none */
} TextSpan;

typedef struct TextEngine TextEngine; /* fonts and caches; one per renderer */
typedef struct TextFont TextFont; /* a face at a size, owned by the engine */

typedef struct TextFrag {
    int x, y, w, h;   /* box relative to the block's top-left */
    int baseline;     /* baseline y relative to the block's top */
    const char *text; /* UTF-8 of this fragment, owned by the block */
    size_t len;
    TextFont *font;   /* NULL if no installed font has these characters */
    uint32_t color;
    unsigned style;
    int tag;
    int line;         /* 0-based line index */
} TextFrag;

typedef struct TextBlock {
    TextFrag *frags;
    int n_frags;
    int width;          /* width of the widest line */
    int height;         /* total height */
    int n_lines;
    int missing;        /* characters for which no installed font has a glyph */
    char *storage;      /* backing store for fragment text */
} TextBlock;

typedef struct TextLayoutOptions {
    int max_width;      /* wrap width in pixels; <= 0 means no wrapping */
    const char *lang;   /* BCP 47 language of the text ("en", "th", "zh-Hans", "ja"); may be NULL */
    float line_spacing; /* line height as a multiple of the font's height, 0 = 1.35 */
    int align;          /* TEXT_ALIGN_* */
} TextLayoutOptions;

typedef struct TextStats {
    uint64_t shape_calls;     /* calls into SDL_ttf measuring or rendering */
    uint64_t measure_hits;    /* word widths served from the cache */
    uint64_t texture_hits;    /* fragment textures served from the cache */
    uint64_t texture_misses;
    uint64_t missing_chars;   /* characters laid out with no font, since start */
    int fonts_open;
} TextStats;

/* Creates the engine (initialises SDL_ttf and fontconfig lazily: nothing is
 * opened until first needed). NULL with a reason if SDL_ttf cannot start.
 * The caller frees with text_engine_free(), after the renderer's last frame
 * and before SDL_Quit. */
TextEngine *text_engine_new(Error *err);
void text_engine_free(TextEngine *te);

/* Binds the renderer textures are made for. Changing it drops all cached
 * textures. */
void text_set_renderer(TextEngine *te, SDL_Renderer *r);

/* Lays out spans into lines. Never fails: characters with no font are laid
 * out with the base font (they show as boxes) and counted in ->missing.
 * The caller frees with text_block_free(). */
TextBlock *text_layout(TextEngine *te, const TextSpan *spans, int n_spans,
                       const TextLayoutOptions *opt);
void text_block_free(TextBlock *b);

/* The narrowest width the spans can wrap to (their widest unbreakable
 * segment), and the width they take on one line. Used for table columns. */
int text_min_width(TextEngine *te, const TextSpan *spans, int n_spans, const char *lang);
int text_max_width(TextEngine *te, const TextSpan *spans, int n_spans, const char *lang);

/* Draws a block / one fragment with its top-left at (x, y) in renderer
 * coordinates. Textures come from the engine's cache. */
void text_draw_block(TextEngine *te, const TextBlock *b, int x, int y);
void text_draw_frag(TextEngine *te, const TextFrag *f, int x, int y);

/* One-line helpers for UI labels: width of s, and drawing it. */
int text_width(TextEngine *te, const char *s, unsigned style, int size_px, const char *lang);
int text_line_height(TextEngine *te, unsigned style, int size_px);
void text_draw(TextEngine *te, const char *s, unsigned style, int size_px, uint32_t color,
               int x, int y, const char *lang);

TextStats text_stats(const TextEngine *te);

/* Exposed for tests. text_script_of gives a code point's script.
 * text_find_breaks fills brks[i] (one per code point) with 1 if a line may
 * break AFTER cps[i], 2 if it must break there, 0 if not. */
TextScript text_script_of(uint32_t cp);
void text_find_breaks(TextEngine *te, const uint32_t *cps, size_t n, const char *lang, char *brks);

#endif
