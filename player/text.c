/* text: see text.h.
 *
 * Ownership at a glance:
 *  - TextEngine owns every Face (file name, FcCharSet reference), Chain,
 *    TextFont (and its TTF_Font), width-cache entry and texture-cache entry
 *    (and its SDL_Texture). All are freed by text_engine_free().
 *  - TextBlock owns its frags array and its storage (a copy of the spans'
 *    text that the fragments point into); text_block_free() frees both.
 *  - Fragments point at engine-owned TextFonts, so a block must not outlive
 *    its engine.
 *
 * Pipeline of text_layout(): copy + decode spans -> resolve scripts ->
 * pick a font per grapheme cluster -> find break opportunities ->
 * cut each word into pieces (same font/style/script) and measure them through
 * the width cache -> greedy line fill (with emergency cluster breaks) ->
 * merge pieces into fragments. */
#include "text.h"

#include <SDL2/SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <linebreak.h>
#include <thai/thbrk.h>
#include <thai/thwbrk.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

/* ------------------------------------------------------------------------ */
/* Unicode tables (ranges are enough: we only need scripts and marks).      */

typedef struct Range {
    uint32_t lo, hi;
    uint8_t script;
} Range;

/* Sorted by lo. Anything not listed is SCRIPT_OTHER, except the Common
 * ranges, which are listed explicitly as SCRIPT_COMMON. */
static const Range script_ranges[] = {
    {0x0000, 0x0040, SCRIPT_COMMON},    {0x0041, 0x005A, SCRIPT_LATIN},
    {0x005B, 0x0060, SCRIPT_COMMON},    {0x0061, 0x007A, SCRIPT_LATIN},
    {0x007B, 0x00A9, SCRIPT_COMMON},    {0x00AA, 0x00AA, SCRIPT_LATIN},
    {0x00AB, 0x00B9, SCRIPT_COMMON},    {0x00BA, 0x00BA, SCRIPT_LATIN},
    {0x00BB, 0x00BF, SCRIPT_COMMON},    {0x00C0, 0x00D6, SCRIPT_LATIN},
    {0x00D7, 0x00D7, SCRIPT_COMMON},    {0x00D8, 0x00F6, SCRIPT_LATIN},
    {0x00F7, 0x00F7, SCRIPT_COMMON},    {0x00F8, 0x02AF, SCRIPT_LATIN},
    {0x02B0, 0x036F, SCRIPT_COMMON}, /* modifier letters, combining marks */
    {0x0370, 0x03FF, SCRIPT_GREEK},     {0x0400, 0x052F, SCRIPT_CYRILLIC},
    {0x0531, 0x058F, SCRIPT_ARMENIAN},  {0x0591, 0x05FF, SCRIPT_HEBREW},
    {0x0600, 0x06FF, SCRIPT_ARABIC},    {0x0750, 0x077F, SCRIPT_ARABIC},
    {0x08A0, 0x08FF, SCRIPT_ARABIC},    {0x0900, 0x097F, SCRIPT_DEVANAGARI},
    {0x0980, 0x09FF, SCRIPT_BENGALI},   {0x0B80, 0x0BFF, SCRIPT_TAMIL},
    {0x0D80, 0x0DFF, SCRIPT_SINHALA},   {0x0E00, 0x0E7F, SCRIPT_THAI},
    {0x0E80, 0x0EFF, SCRIPT_LAO},       {0x0F00, 0x0FFF, SCRIPT_TIBETAN},
    {0x1000, 0x109F, SCRIPT_MYANMAR},   {0x10A0, 0x10FF, SCRIPT_GEORGIAN},
    {0x1100, 0x11FF, SCRIPT_HANGUL},    {0x1200, 0x139F, SCRIPT_ETHIOPIC},
    {0x1780, 0x17FF, SCRIPT_KHMER},     {0x1800, 0x18AF, SCRIPT_MONGOLIAN},
    {0x19E0, 0x19FF, SCRIPT_KHMER},     {0x1AB0, 0x1AFF, SCRIPT_COMMON},
    {0x1C80, 0x1C8F, SCRIPT_CYRILLIC},  {0x1C90, 0x1CBF, SCRIPT_GEORGIAN},
    {0x1CD0, 0x1CFF, SCRIPT_DEVANAGARI},{0x1D00, 0x1D7F, SCRIPT_LATIN},
    {0x1DC0, 0x1DFF, SCRIPT_COMMON},    {0x1E00, 0x1EFF, SCRIPT_LATIN},
    {0x1F00, 0x1FFF, SCRIPT_GREEK},     {0x2000, 0x2BFF, SCRIPT_COMMON},
    {0x2C60, 0x2C7F, SCRIPT_LATIN},     {0x2D00, 0x2D2F, SCRIPT_GEORGIAN},
    {0x2D80, 0x2DDF, SCRIPT_ETHIOPIC},  {0x2DE0, 0x2DFF, SCRIPT_CYRILLIC},
    {0x2E00, 0x2E7F, SCRIPT_COMMON},    {0x2E80, 0x2FDF, SCRIPT_HAN},
    {0x2FF0, 0x3004, SCRIPT_COMMON},    {0x3005, 0x3005, SCRIPT_HAN},
    {0x3006, 0x3006, SCRIPT_COMMON},    {0x3007, 0x3007, SCRIPT_HAN},
    {0x3008, 0x3020, SCRIPT_COMMON},    {0x3021, 0x3029, SCRIPT_HAN},
    {0x302A, 0x3037, SCRIPT_COMMON},    {0x3038, 0x303B, SCRIPT_HAN},
    {0x303C, 0x303F, SCRIPT_COMMON},    {0x3041, 0x309F, SCRIPT_HIRAGANA},
    {0x30A0, 0x30FF, SCRIPT_KATAKANA},  {0x3100, 0x312F, SCRIPT_HAN},
    {0x3130, 0x318F, SCRIPT_HANGUL},    {0x3190, 0x319F, SCRIPT_COMMON},
    {0x31A0, 0x31BF, SCRIPT_HAN},       {0x31C0, 0x31EF, SCRIPT_COMMON},
    {0x31F0, 0x31FF, SCRIPT_KATAKANA},  {0x3200, 0x33FF, SCRIPT_COMMON},
    {0x3400, 0x4DBF, SCRIPT_HAN},       {0x4DC0, 0x4DFF, SCRIPT_COMMON},
    {0x4E00, 0x9FFF, SCRIPT_HAN},       {0xA640, 0xA69F, SCRIPT_CYRILLIC},
    {0xA720, 0xA7FF, SCRIPT_LATIN},     {0xA8E0, 0xA8FF, SCRIPT_DEVANAGARI},
    {0xA960, 0xA97F, SCRIPT_HANGUL},    {0xA9E0, 0xA9FF, SCRIPT_MYANMAR},
    {0xAA60, 0xAA7F, SCRIPT_MYANMAR},   {0xAB00, 0xAB2F, SCRIPT_ETHIOPIC},
    {0xAB30, 0xAB6F, SCRIPT_LATIN},     {0xAC00, 0xD7FF, SCRIPT_HANGUL},
    {0xF900, 0xFAFF, SCRIPT_HAN},       {0xFB00, 0xFB06, SCRIPT_LATIN},
    {0xFB13, 0xFB17, SCRIPT_ARMENIAN},  {0xFB1D, 0xFB4F, SCRIPT_HEBREW},
    {0xFB50, 0xFDFF, SCRIPT_ARABIC},    {0xFE00, 0xFE6F, SCRIPT_COMMON},
    {0xFE70, 0xFEFE, SCRIPT_ARABIC},    {0xFEFF, 0xFF65, SCRIPT_COMMON},
    {0xFF66, 0xFF9F, SCRIPT_KATAKANA},  {0xFFA0, 0xFFDC, SCRIPT_HANGUL},
    {0xFFE0, 0xFFFD, SCRIPT_COMMON},    {0x11660, 0x1167F, SCRIPT_MONGOLIAN},
    {0x111E0, 0x111FF, SCRIPT_SINHALA}, {0x11FC0, 0x11FFF, SCRIPT_TAMIL},
    {0x1B000, 0x1B0FF, SCRIPT_HIRAGANA},{0x1D000, 0x1D24F, SCRIPT_COMMON},
    {0x1F000, 0x1FAFF, SCRIPT_COMMON},  {0x20000, 0x3FFFF, SCRIPT_HAN},
    {0xE0000, 0xE01EF, SCRIPT_COMMON},
};

TextScript text_script_of(uint32_t cp)
{
    size_t lo = 0, hi = sizeof script_ranges / sizeof script_ranges[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < script_ranges[mid].lo) hi = mid;
        else if (cp > script_ranges[mid].hi) lo = mid + 1;
        else return (TextScript)script_ranges[mid].script;
    }
    return SCRIPT_OTHER;
}

/* Combining marks (Mn/Mc/Me and the joiners/selectors that extend a
 * grapheme cluster) of the scripts we lay out. A line never breaks before
 * one of these, and a mark never gets a font different from its base. */
static const uint32_t mark_ranges[][2] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},
    {0x05C1, 0x05C2}, {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x0670, 0x0670}, {0x06D6, 0x06DC}, {0x06DF, 0x06E4},
    {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0900, 0x0903}, {0x093A, 0x093C},
    {0x093E, 0x094F}, {0x0951, 0x0957}, {0x0962, 0x0963}, {0x0981, 0x0983},
    {0x09BC, 0x09BC}, {0x09BE, 0x09CD}, {0x09D7, 0x09D7}, {0x09E2, 0x09E3},
    {0x0B82, 0x0B82}, {0x0BBE, 0x0BCD}, {0x0BD7, 0x0BD7}, {0x0D81, 0x0D83},
    {0x0DCA, 0x0DDF}, {0x0DF2, 0x0DF3}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A},
    {0x0E47, 0x0E4E}, {0x0EB1, 0x0EB1}, {0x0EB4, 0x0EBC}, {0x0EC8, 0x0ECE},
    {0x0F18, 0x0F19}, {0x0F35, 0x0F35}, {0x0F37, 0x0F37}, {0x0F39, 0x0F39},
    {0x0F3E, 0x0F3F}, {0x0F71, 0x0F84}, {0x0F86, 0x0F87}, {0x0F8D, 0x0FBC},
    {0x0FC6, 0x0FC6}, {0x102B, 0x103E}, {0x1056, 0x1059}, {0x105E, 0x1060},
    {0x1062, 0x1064}, {0x1067, 0x106D}, {0x1071, 0x1074}, {0x1082, 0x108D},
    {0x108F, 0x108F}, {0x109A, 0x109D}, {0x1160, 0x11FF}, /* Hangul V/T jamo */
    {0x135D, 0x135F}, {0x17B4, 0x17D3}, {0x17DD, 0x17DD}, {0x180B, 0x180D},
    {0x180F, 0x180F}, {0x1885, 0x1886}, {0x18A9, 0x18A9}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF}, {0x200C, 0x200D}, {0x20D0, 0x20FF}, {0x302A, 0x302F},
    {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0x1F3FB, 0x1F3FF},
    {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

static bool is_mark(uint32_t cp)
{
    if (cp < 0x0300) return false;
    size_t lo = 0, hi = sizeof mark_ranges / sizeof mark_ranges[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < mark_ranges[mid][0]) hi = mid;
        else if (cp > mark_ranges[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

/* Viramas/coengs join the next consonant into the same cluster. */
static bool is_virama(uint32_t cp)
{
    return cp == 0x094D || cp == 0x09CD || cp == 0x1039 || cp == 0x17D2 || cp == 0x200D;
}

/* Thai/Lao vowels written before the consonant they follow in speech: a
 * line ending just after one would strand it. */
static bool is_leading_vowel(uint32_t cp)
{
    return (cp >= 0x0E40 && cp <= 0x0E44) || (cp >= 0x0EC0 && cp <= 0x0EC4);
}

static bool is_newline(uint32_t cp)
{
    return cp == 0x0A || cp == 0x0B || cp == 0x0C || cp == 0x0D || cp == 0x85 || cp == 0x2028 ||
           cp == 0x2029;
}

/* Spaces that may hang past the line end (they don't count toward width). */
static bool is_space(uint32_t cp)
{
    return cp == 0x20 || cp == 0x09 || cp == 0x3000 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200B && cp != 0x2007) || cp == 0x205F;
}

/* Characters that never need a glyph (HarfBuzz hides default ignorables),
 * so they never decide a font nor count as missing. */
static bool is_invisible(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0000 && cp <= 0xE0FFF);
}

/* Common-script characters that belong with CJK text when next to it. */
static bool is_cjk_common(uint32_t cp)
{
    return (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0x3190 && cp <= 0x33FF) ||
           (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE6F) ||
           (cp >= 0xFF00 && cp <= 0xFF65) || (cp >= 0xFFE0 && cp <= 0xFFEE);
}

/* May a line be split between cps[i-1] and cps[i] inside a word? True at
 * grapheme-cluster boundaries (approximated with the tables above). */
static bool cluster_boundary(const uint32_t *cps, size_t i)
{
    uint32_t prev = cps[i - 1], cur = cps[i];
    if (is_mark(cur) || is_virama(prev) || is_leading_vowel(prev)) return false;
    if (prev == 0x0D && cur == 0x0A) return false;
    return true;
}

/* Scripts the engine shapes and chooses fonts for as one unit: kana are
 * shaped with Han (one CJK font, fewer fragments). */
static TextScript run_script(TextScript s)
{
    if (s == SCRIPT_HIRAGANA || s == SCRIPT_KATAKANA) return SCRIPT_HAN;
    return s;
}

static bool is_rtl(TextScript s)
{
    return s == SCRIPT_ARABIC || s == SCRIPT_HEBREW;
}

/* Per script: preferred family, fontconfig language, a letter every font
 * for the script has, and the ISO 15924 tag HarfBuzz shapes with. */
typedef struct ScriptInfo {
    const char *family;
    const char *fclang;
    uint32_t sample;
    const char *iso;
} ScriptInfo;

static const ScriptInfo script_info[SCRIPT_COUNT] = {
    [SCRIPT_COMMON] = {"Noto Sans", "en", 'a', "Latn"},
    [SCRIPT_LATIN] = {"Noto Sans", "en", 'a', "Latn"},
    [SCRIPT_GREEK] = {"Noto Sans", "el", 0x03B1, "Grek"},
    [SCRIPT_CYRILLIC] = {"Noto Sans", "ru", 0x0430, "Cyrl"},
    [SCRIPT_ARABIC] = {"Noto Sans Arabic", "ar", 0x0627, "Arab"},
    [SCRIPT_HEBREW] = {"Noto Sans Hebrew", "he", 0x05D0, "Hebr"},
    [SCRIPT_DEVANAGARI] = {"Noto Sans Devanagari", "hi", 0x0915, "Deva"},
    [SCRIPT_BENGALI] = {"Noto Sans Bengali", "bn", 0x0995, "Beng"},
    [SCRIPT_TAMIL] = {"Noto Sans Tamil", "ta", 0x0B95, "Taml"},
    [SCRIPT_THAI] = {"Noto Sans Thai", "th", 0x0E01, "Thai"},
    [SCRIPT_LAO] = {"Noto Sans Lao", "lo", 0x0E81, "Laoo"},
    [SCRIPT_KHMER] = {"Noto Sans Khmer", "km", 0x1780, "Khmr"},
    [SCRIPT_MYANMAR] = {"Noto Sans Myanmar", "my", 0x1000, "Mymr"},
    [SCRIPT_HAN] = {"Noto Sans CJK SC", "zh-cn", 0x4E00, "Hani"},
    [SCRIPT_HIRAGANA] = {"Noto Sans CJK JP", "ja", 0x3042, "Hira"},
    [SCRIPT_KATAKANA] = {"Noto Sans CJK JP", "ja", 0x30A2, "Kana"},
    [SCRIPT_HANGUL] = {"Noto Sans CJK KR", "ko", 0xAC00, "Hang"},
    [SCRIPT_SINHALA] = {"Noto Sans Sinhala", "si", 0x0D85, "Sinh"},
    [SCRIPT_GEORGIAN] = {"Noto Sans Georgian", "ka", 0x10D0, "Geor"},
    [SCRIPT_ARMENIAN] = {"Noto Sans Armenian", "hy", 0x0531, "Armn"},
    [SCRIPT_ETHIOPIC] = {"Noto Sans Ethiopic", "am", 0x1200, "Ethi"},
    [SCRIPT_MONGOLIAN] = {"Noto Sans Mongolian", "mn", 0x1820, "Mong"},
    [SCRIPT_TIBETAN] = {"Noto Serif Tibetan", "bo", 0x0F40, "Tibt"},
    [SCRIPT_OTHER] = {"Noto Sans", NULL, 0, "Zyyy"},
};

/* Han variants: the same code points look different per region, and the
 * Noto CJK collection has one face per region. */
enum { CJK_SC, CJK_TC, CJK_HK, CJK_JP, CJK_KR, CJK_COUNT };
static const struct {
    const char *family, *fclang;
} cjk_info[CJK_COUNT] = {
    [CJK_SC] = {"Noto Sans CJK SC", "zh-cn"}, [CJK_TC] = {"Noto Sans CJK TC", "zh-tw"},
    [CJK_HK] = {"Noto Sans CJK HK", "zh-hk"}, [CJK_JP] = {"Noto Sans CJK JP", "ja"},
    [CJK_KR] = {"Noto Sans CJK KR", "ko"},
};

/* ------------------------------------------------------------------------ */
/* Engine state.                                                            */

typedef struct Face {
    char *file;     /* owned */
    int index;      /* face in a collection (.ttc) */
    int weight;     /* FC_WEIGHT_* of the face */
    int slant;      /* FC_SLANT_* of the face */
    FcCharSet *cs;  /* owned reference */
} Face;

#define CHAIN_MAX 12
/* The faces tried in order for one (font script, CJK region, style). */
typedef struct Chain {
    bool resolved; /* the script's own face has been looked up */
    int n;
    int face[CHAIN_MAX];
} Chain;
/* chain_key() packs (font script < 32, CJK region < 8, style < 8). */
#define CHAIN_KEYS (32 * 8 * 8)

enum { STYLE_FONT_BITS = TEXT_BOLD | TEXT_ITALIC | TEXT_MONO };

struct TextFont {
    int face;          /* index in te->faces */
    int size;          /* pixels */
    unsigned synth;    /* TTF_STYLE_* applied because the face lacks it */
    TTF_Font *ttf;     /* owned */
    int ascent, height;
    const char *cur_script; /* last script set on ttf, to skip redundant calls */
    int cur_dir;
};

/* Width cache entry: (font, script, text) -> width. Chained hash. */
typedef struct WEntry {
    struct WEntry *next;
    uint64_t hash;
    TextFont *font;
    const char *script;
    int w;
    size_t len;
    char text[]; /* len bytes, owned by the entry */
} WEntry;

/* Texture cache entry: (font, color, text) -> texture. Chained hash plus a
 * doubly linked LRU list (head = most recently used). */
typedef struct TEntry {
    struct TEntry *hnext, *prev, *next;
    uint64_t hash;
    TextFont *font;
    uint32_t color;
    SDL_Texture *tex; /* owned; NULL when rendering failed (remembered so we don't retry every frame) */
    int w, h;
    size_t bytes;
    size_t len;
    char text[];
} TEntry;

/* Remembered fallback look-ups: (chain key, code point) -> face or -1. */
typedef struct FEntry {
    uint64_t key; /* 0 = empty slot */
    int face;
} FEntry;

#define WCACHE_MAX 65536         /* word widths; cleared wholesale when full */
#define TCACHE_MAX_COUNT 4096    /* textures */
#define TCACHE_MAX_BYTES (64u << 20)

struct TextEngine {
    bool did_ttf_init;
    FcConfig *fc;           /* reference from FcConfigReference, NULL until first use */
    bool fc_failed;
    double fc_init_ms;      /* measured once, see text_fc_init_ms() */
    ThBrk *thbrk;           /* NULL until Thai text is broken */
    bool thbrk_failed;

    Face *faces;            /* owned array */
    int n_faces, cap_faces;
    Chain *chains;          /* owned array of CHAIN_KEYS, indexed by chain_key();
                               allocated on first use, never moved */
    TextFont **fonts;       /* owned array of owned fonts (pointers stay valid) */
    int n_fonts, cap_fonts;

    FEntry *fb;             /* open addressing, power-of-two size */
    size_t fb_cap, fb_n;

    WEntry **wbuckets;      /* owned */
    size_t wcap, wn;

    TEntry **tbuckets;      /* owned */
    size_t tcap, tn, tbytes;
    TEntry *lru_head, *lru_tail;

    SDL_Renderer *renderer; /* not owned */
    TextStats stats;
};

/* ------------------------------------------------------------------------ */
/* Fontconfig: faces and fallback chains.                                   */

static bool fc_ready(TextEngine *te)
{
    if (te->fc) return true;
    if (te->fc_failed) return false;
    double t0 = time_now_ms();
    /* FcConfigReference(NULL) initialises the default configuration on
     * first use and gives us a reference we drop in text_engine_free(). */
    te->fc = FcConfigReference(NULL);
    te->fc_init_ms = time_now_ms() - t0;
    if (!te->fc) {
        te->fc_failed = true;
        fprintf(stderr, "outpost: text: fontconfig failed to initialise; text will not render\n");
        return false;
    }
    return true;
}

static int face_add(TextEngine *te, const char *file, int index, int weight, int slant,
                    FcCharSet *cs)
{
    for (int i = 0; i < te->n_faces; i++)
        if (te->faces[i].index == index && strcmp(te->faces[i].file, file) == 0) return i;
    if (te->n_faces == te->cap_faces) {
        te->cap_faces = te->cap_faces ? te->cap_faces * 2 : 16;
        te->faces = xrealloc(te->faces, sizeof *te->faces * (size_t)te->cap_faces);
    }
    Face *f = &te->faces[te->n_faces];
    f->file = xstrdup(file);
    f->index = index;
    f->weight = weight;
    f->slant = slant;
    f->cs = FcCharSetCopy(cs);
    return te->n_faces++;
}

static uint32_t chain_key(TextScript fscript, int cjk, unsigned style)
{
    return (uint32_t)fscript | (uint32_t)cjk << 5 | (uint32_t)(style & STYLE_FONT_BITS) << 8;
}

/* The script whose fonts a run uses (Common falls to Latin, all CJK share). */
static TextScript font_script(TextScript s)
{
    if (s == SCRIPT_COMMON) return SCRIPT_LATIN;
    if (s == SCRIPT_HIRAGANA || s == SCRIPT_KATAKANA || s == SCRIPT_HANGUL) return SCRIPT_HAN;
    return s;
}

/* Asks fontconfig for the best face of chain `key` covering cps (n may be
 * 0 for "the script's own font"). Returns a face index or -1. */
static int fc_find(TextEngine *te, uint32_t key, const uint32_t *cps, int n)
{
    if (!fc_ready(te)) return -1;
    TextScript fs = (TextScript)(key & 31);
    int cjk = (int)(key >> 5 & 7);
    unsigned style = key >> 8;
    const ScriptInfo *si = &script_info[fs];
    const char *family = si->family, *fclang = si->fclang;
    if (fs == SCRIPT_HAN) {
        family = cjk_info[cjk].family;
        fclang = cjk_info[cjk].fclang;
    }

    FcPattern *p = FcPatternCreate();
    bool mono = (style & TEXT_MONO) && fs == SCRIPT_LATIN;
    if (mono) {
        FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)"Noto Sans Mono");
        FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)"DejaVu Sans Mono");
        FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)"monospace");
    } else {
        FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)family);
        FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)"Noto Sans");
        FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)"sans-serif");
    }
    if (fclang) FcPatternAddString(p, FC_LANG, (const FcChar8 *)fclang);
    FcPatternAddInteger(p, FC_WEIGHT, (style & TEXT_BOLD) ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcPatternAddInteger(p, FC_SLANT, (style & TEXT_ITALIC) ? FC_SLANT_ITALIC : FC_SLANT_ROMAN);
    FcPatternAddBool(p, FC_SCALABLE, FcTrue);
    /* The charset outranks the family in fontconfig's scoring, so asking for
     * the script's sample letter makes "Noto Sans" + th find Noto Sans Thai
     * instead of plain Noto Sans (which has no Thai). */
    FcCharSet *want = FcCharSetCreate();
    if (n == 0 && si->sample) FcCharSetAddChar(want, fs == SCRIPT_HAN && cjk == CJK_KR ? 0xAC00 : si->sample);
    for (int i = 0; i < n; i++)
        if (!is_invisible(cps[i])) FcCharSetAddChar(want, cps[i]);
    FcPatternAddCharSet(p, FC_CHARSET, want);
    FcConfigSubstitute(te->fc, p, FcMatchPattern);
    FcDefaultSubstitute(p);

    FcResult res;
    FcPattern *m = FcFontMatch(te->fc, p, &res);
    int face = -1;
    FcChar8 *file = NULL;
    FcCharSet *cs = NULL;
    FcBool scalable = FcFalse;
    if (m && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch &&
        FcPatternGetCharSet(m, FC_CHARSET, 0, &cs) == FcResultMatch &&
        FcPatternGetBool(m, FC_SCALABLE, 0, &scalable) == FcResultMatch && scalable &&
        FcCharSetIsSubset(want, cs)) {
        int index = 0, weight = FC_WEIGHT_REGULAR, slant = FC_SLANT_ROMAN;
        FcPatternGetInteger(m, FC_INDEX, 0, &index);
        FcPatternGetInteger(m, FC_WEIGHT, 0, &weight);
        FcPatternGetInteger(m, FC_SLANT, 0, &slant);
        face = face_add(te, (const char *)file, index, weight, slant, cs);
    }
    if (m) FcPatternDestroy(m);
    FcCharSetDestroy(want);
    FcPatternDestroy(p);
    return face;
}

/* The chain for key, resolving its first face on first use. The pointer
 * stays valid for the engine's lifetime. */
static Chain *chain_get(TextEngine *te, uint32_t key)
{
    if (!te->chains) te->chains = xcalloc(CHAIN_KEYS, sizeof *te->chains);
    Chain *c = &te->chains[key];
    if (!c->resolved) {
        c->resolved = true;
        int f = fc_find(te, key, NULL, 0);
        if (f >= 0) c->face[c->n++] = f;
    }
    return c;
}

static bool face_covers(const Face *f, const uint32_t *cps, int n)
{
    for (int i = 0; i < n; i++)
        if (!is_invisible(cps[i]) && !FcCharSetHasChar(f->cs, cps[i])) return false;
    return true;
}

static FEntry *fb_slot(TextEngine *te, uint64_t key)
{
    size_t mask = te->fb_cap - 1, i = (size_t)(key * 0x9E3779B97F4A7C15ull >> 20) & mask;
    while (te->fb[i].key && te->fb[i].key != key) i = (i + 1) & mask;
    return &te->fb[i];
}

/* Fallback for a cluster the chain's faces don't cover: one fontconfig
 * query per (chain, cluster), remembered either way (a fontconfig match
 * costs ~0.3 ms; rare symbols repeat). */
static int chain_fallback(TextEngine *te, uint32_t ckey, const uint32_t *cps, int n)
{
    Chain *c = chain_get(te, ckey);
    uint64_t key = hash_bytes(cps, sizeof *cps * (size_t)n, ckey) | 1ull << 63; /* never 0 */
    if (te->fb_n * 2 >= te->fb_cap) {
        FEntry *old = te->fb;
        size_t oldcap = te->fb_cap;
        te->fb_cap = oldcap ? oldcap * 2 : 256;
        te->fb = xcalloc(te->fb_cap, sizeof *te->fb);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].key) *fb_slot(te, old[i].key) = old[i];
        free(old);
    }
    FEntry *e = fb_slot(te, key);
    if (e->key) return e->face;
    int f = fc_find(te, ckey, cps, n);
    e->key = key;
    e->face = f;
    te->fb_n++;
    if (f >= 0 && c->n < CHAIN_MAX) {
        bool have = false;
        for (int i = 0; i < c->n; i++) have |= c->face[i] == f;
        if (!have) c->face[c->n++] = f;
    }
    return f;
}

/* The face of chain c covering all of cps, or -1. */
static int chain_pick(TextEngine *te, Chain *c, const uint32_t *cps, int n)
{
    for (int i = 0; i < c->n; i++)
        if (face_covers(&te->faces[c->face[i]], cps, n)) return c->face[i];
    return -1;
}

/* Returns the font for (face, size, style), opening it on first use. NULL if
 * the file cannot be opened. */
static TextFont *font_get(TextEngine *te, int face, int size, unsigned style)
{
    if (face < 0) return NULL;
    if (size < 1) size = 1;
    const Face *fa = &te->faces[face];
    unsigned synth = 0;
    if ((style & TEXT_BOLD) && fa->weight < FC_WEIGHT_DEMIBOLD) synth |= TTF_STYLE_BOLD;
    if ((style & TEXT_ITALIC) && fa->slant == FC_SLANT_ROMAN) synth |= TTF_STYLE_ITALIC;
    for (int i = 0; i < te->n_fonts; i++) {
        TextFont *f = te->fonts[i];
        if (f->face == face && f->size == size && f->synth == synth) return f->ttf ? f : NULL;
    }
    TextFont *f = xcalloc(1, sizeof *f);
    f->face = face;
    f->size = size;
    f->synth = synth;
    f->cur_dir = -1;
    /* 72 dpi makes the point size argument a pixel size. */
    f->ttf = TTF_OpenFontIndexDPI(fa->file, size, fa->index, 72, 72);
    if (f->ttf) {
        if (synth) TTF_SetFontStyle(f->ttf, (int)synth);
        f->ascent = TTF_FontAscent(f->ttf);
        f->height = TTF_FontHeight(f->ttf);
        te->stats.fonts_open++;
    } else {
        fprintf(stderr, "outpost: text: cannot open font %s: %s\n", fa->file, TTF_GetError());
    }
    if (te->n_fonts == te->cap_fonts) {
        te->cap_fonts = te->cap_fonts ? te->cap_fonts * 2 : 16;
        te->fonts = xrealloc(te->fonts, sizeof *te->fonts * (size_t)te->cap_fonts);
    }
    te->fonts[te->n_fonts++] = f; /* kept even when failed, so we don't retry */
    return f->ttf ? f : NULL;
}

/* The base font: Latin for the style, used for characters no font has. */
static TextFont *base_font(TextEngine *te, unsigned style, int size)
{
    Chain *c = chain_get(te, chain_key(SCRIPT_LATIN, 0, style));
    return c->n ? font_get(te, c->face[0], size, style) : NULL;
}

/* Sets the shaping script and direction on f (they are per-font state in
 * SDL_ttf, so they must be set before every use for another script). */
static void font_prepare(TextFont *f, TextScript s)
{
    const char *iso = script_info[s].iso;
    if (f->cur_script != iso) {
        TTF_SetFontScriptName(f->ttf, iso);
        f->cur_script = iso;
    }
    int dir = is_rtl(s) ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR;
    if (f->cur_dir != dir) {
        TTF_SetFontDirection(f->ttf, (TTF_Direction)dir);
        f->cur_dir = dir;
    }
}

/* ------------------------------------------------------------------------ */
/* Width cache.                                                             */

static void wcache_clear(TextEngine *te)
{
    for (size_t i = 0; i < te->wcap; i++) {
        WEntry *e = te->wbuckets[i];
        while (e) {
            WEntry *n = e->next;
            free(e);
            e = n;
        }
        te->wbuckets[i] = NULL;
    }
    te->wn = 0;
}

/* Width of text set in font f for script s; served from the cache when the
 * same (font, script, bytes) was measured before. */
static int measure(TextEngine *te, TextFont *f, TextScript s, const char *text, size_t len)
{
    if (!f || len == 0) return 0;
    const char *iso = script_info[s].iso;
    uint64_t h = hash_bytes(text, len, (uint64_t)(uintptr_t)f ^ (uint64_t)(uintptr_t)iso);
    if (!te->wbuckets) {
        te->wcap = 4096;
        te->wbuckets = xcalloc(te->wcap, sizeof *te->wbuckets);
    }
    size_t b = (size_t)h & (te->wcap - 1);
    for (WEntry *e = te->wbuckets[b]; e; e = e->next) {
        if (e->hash == h && e->font == f && e->script == iso && e->len == len &&
            memcmp(e->text, text, len) == 0) {
            te->stats.measure_hits++;
            return e->w;
        }
    }
    /* SDL_ttf wants a NUL-terminated string. */
    char stackbuf[256];
    char *z = len < sizeof stackbuf ? stackbuf : xmalloc(len + 1);
    memcpy(z, text, len);
    z[len] = 0;
    font_prepare(f, s);
    int w = 0, hgt = 0;
    if (TTF_SizeUTF8(f->ttf, z, &w, &hgt) != 0) w = 0;
    te->stats.shape_calls++;
    if (z != stackbuf) free(z);

    if (te->wn >= WCACHE_MAX) wcache_clear(te);
    if (te->wn >= te->wcap) { /* grow to keep chains short */
        size_t ncap = te->wcap * 2;
        WEntry **nb = xcalloc(ncap, sizeof *nb);
        for (size_t i = 0; i < te->wcap; i++) {
            for (WEntry *e = te->wbuckets[i], *n; e; e = n) {
                n = e->next;
                size_t j = (size_t)e->hash & (ncap - 1);
                e->next = nb[j];
                nb[j] = e;
            }
        }
        free(te->wbuckets);
        te->wbuckets = nb;
        te->wcap = ncap;
        b = (size_t)h & (te->wcap - 1);
    }
    WEntry *e = xmalloc(sizeof *e + len);
    e->hash = h;
    e->font = f;
    e->script = iso;
    e->w = w;
    e->len = len;
    memcpy(e->text, text, len);
    e->next = te->wbuckets[b];
    te->wbuckets[b] = e;
    te->wn++;
    return w;
}

/* ------------------------------------------------------------------------ */
/* Line breaking.                                                           */

static void thai_breaks(TextEngine *te, const uint32_t *cps, size_t a, size_t b, char *brks)
{
    if (!te->thbrk && !te->thbrk_failed) {
        te->thbrk = th_brk_new(NULL); /* loads the dictionary once */
        te->thbrk_failed = !te->thbrk;
    }
    if (!te->thbrk) return;
    size_t n = b - a;
    wchar_t stackbuf[256];
    int stackpos[256];
    /* thwchar_t is wchar_t, which is UCS-4 on Linux; libthai wants it
     * NUL-terminated. */
    wchar_t *w = n + 1 <= 256 ? stackbuf : xmalloc(sizeof *w * (n + 1));
    int *pos = n + 1 <= 256 ? stackpos : xmalloc(sizeof *pos * (n + 1));
    for (size_t i = 0; i < n; i++) w[i] = (wchar_t)cps[a + i];
    w[n] = 0;
    int np = th_brk_wc_find_breaks(te->thbrk, w, pos, n + 1);
    for (int i = 0; i < np; i++) {
        size_t p = (size_t)pos[i];
        if (p == 0 || p >= n) continue;
        /* Belt and braces: never before a mark or after a leading vowel. */
        if (!cluster_boundary(cps, a + p)) continue;
        if (brks[a + p - 1] == 0) brks[a + p - 1] = 1;
    }
    if (w != stackbuf) free(w);
    if (pos != stackpos) free(pos);
}

void text_find_breaks(TextEngine *te, const uint32_t *cps, size_t n, const char *lang, char *brks)
{
    if (n == 0) return;
    set_linebreaks_utf32((const utf32_t *)cps, n, lang, brks);
    for (size_t i = 0; i < n; i++) {
        char c = brks[i];
        brks[i] = c == LINEBREAK_MUSTBREAK ? 2 : c == LINEBREAK_ALLOWBREAK ? 1 : 0;
    }
    /* UAX #14 (LB3) always breaks at the end of text; we report that as a
     * mandatory break only when the text really ends with a newline. */
    if (!is_newline(cps[n - 1])) brks[n - 1] = 1;
    for (size_t i = 0; i < n;) {
        if (cps[i] < 0x0E00 || cps[i] > 0x0E7F) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && cps[j] >= 0x0E00 && cps[j] <= 0x0E7F) j++;
        if (te) thai_breaks(te, cps, i, j, brks);
        i = j;
    }
}

/* ------------------------------------------------------------------------ */
/* Preparing spans: decode, scripts, fonts, breaks.                         */

typedef struct LCp {
    uint32_t off;     /* byte offset in storage */
    int span;
    uint8_t script;   /* resolved run script */
    TextFont *font;   /* font that has the glyph; NULL = none installed */
    TextFont *mfont;  /* font to measure/draw with (base font when font is NULL) */
} LCp;

typedef struct Prep {
    const TextSpan *spans;
    char *storage;    /* owned until handed to a block */
    size_t nbytes;
    uint32_t *cps;    /* owned */
    LCp *lc;          /* owned; n + 1 entries, lc[n].off == nbytes */
    char *brks;       /* owned */
    size_t n;
    int missing;
} Prep;

/* Case-insensitive: does lang contain the subtag tag ("zh-Hant-TW")? */
static bool lang_has(const char *lang, const char *tag)
{
    size_t n = strlen(tag);
    for (const char *p = strchr(lang, '-'); p; p = strchr(p + 1, '-'))
        if (strncasecmp(p + 1, tag, n) == 0 && (p[1 + n] == 0 || p[1 + n] == '-' || p[1 + n] == '_'))
            return true;
    return false;
}

static int cjk_region(const char *lang, const uint32_t *cps, size_t n)
{
    if (lang && *lang) {
        if (!strncasecmp(lang, "ja", 2)) return CJK_JP;
        if (!strncasecmp(lang, "ko", 2)) return CJK_KR;
        if (!strncasecmp(lang, "zh", 2)) {
            if (lang_has(lang, "hk") || lang_has(lang, "mo")) return CJK_HK;
            if (lang_has(lang, "hant") || lang_has(lang, "tw")) return CJK_TC;
            return CJK_SC;
        }
    }
    /* No CJK language given: kana means Japanese, hangul means Korean. */
    for (size_t i = 0; i < n; i++) {
        TextScript s = text_script_of(cps[i]);
        if (s == SCRIPT_HIRAGANA || s == SCRIPT_KATAKANA) return CJK_JP;
        if (s == SCRIPT_HANGUL) return CJK_KR;
    }
    return CJK_SC;
}

static void resolve_scripts(Prep *P)
{
    size_t n = P->n;
    /* Next strong script after each position, for leading Common chars. */
    uint8_t next = SCRIPT_COMMON;
    for (size_t i = n; i-- > 0;) {
        TextScript s = run_script(text_script_of(P->cps[i]));
        if (s != SCRIPT_COMMON) next = (uint8_t)s;
        P->lc[i].script = next; /* provisional: following strong script */
    }
    uint8_t last = SCRIPT_COMMON;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = P->cps[i];
        TextScript s = run_script(text_script_of(cp));
        uint8_t following = P->lc[i].script;
        if (s != SCRIPT_COMMON) {
            last = (uint8_t)s;
        } else if (is_cjk_common(cp) && last != SCRIPT_HAN && last != SCRIPT_HANGUL &&
                   (following == SCRIPT_HAN || following == SCRIPT_HANGUL)) {
            s = (TextScript)following; /* CJK punctuation goes with adjacent CJK */
        } else {
            s = (TextScript)(last != SCRIPT_COMMON ? last : following);
        }
        if (s == SCRIPT_COMMON) s = SCRIPT_LATIN;
        P->lc[i].script = (uint8_t)s;
    }
}

/* Picks a font for each grapheme cluster; counts characters with none. */
static void assign_fonts(TextEngine *te, Prep *P, int cjk)
{
    size_t n = P->n;
    Chain *chain = NULL;
    uint32_t chain_k = UINT32_MAX;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && !cluster_boundary(P->cps, j)) j++;
        const TextSpan *sp = &P->spans[P->lc[i].span];
        unsigned style = sp->style;
        TextScript fs = font_script((TextScript)P->lc[i].script);
        uint32_t key = chain_key(fs, fs == SCRIPT_HAN ? cjk : 0, fs == SCRIPT_LATIN ? style : style & ~TEXT_MONO);
        if (key != chain_k) {
            chain = chain_get(te, key);
            chain_k = key;
        }
        const uint32_t *cl = P->cps + i;
        int cn = (int)(j - i);
        TextFont *font = NULL, *mfont = NULL;
        bool invisible = true;
        for (int k = 0; k < cn; k++) invisible &= is_invisible(cl[k]);
        if (invisible && i > 0 && P->lc[i - 1].span == P->lc[i].span &&
            P->lc[i - 1].script == P->lc[i].script) {
            /* Controls, newlines, joiners: no glyph needed, keep the run going. */
            font = P->lc[i - 1].font;
            mfont = P->lc[i - 1].mfont;
        } else {
            int face = chain_pick(te, chain, cl, cn);
            if (face < 0 && text_script_of(cl[0]) == SCRIPT_COMMON && fs != SCRIPT_LATIN) {
                /* Punctuation/digits the script font lacks: the base font has them. */
                face = chain_pick(te, chain_get(te, chain_key(SCRIPT_LATIN, 0, style)), cl, cn);
            }
            if (face < 0) face = chain_fallback(te, key, cl, cn);
            if (face < 0 && cn > 1) face = chain_pick(te, chain, cl, 1); /* base at least */
            font = font_get(te, face, sp->size_px, style);
            mfont = font ? font : base_font(te, style, sp->size_px);
            if (invisible) {
                font = mfont;
            } else if (face < 0 || !font) {
                for (int k = 0; k < cn; k++) P->missing += !is_invisible(cl[k]);
                font = NULL;
            } else {
                for (int k = 0; k < cn; k++)
                    P->missing += !is_invisible(cl[k]) && !FcCharSetHasChar(te->faces[face].cs, cl[k]);
            }
        }
        for (size_t k = i; k < j; k++) {
            P->lc[k].font = font;
            P->lc[k].mfont = mfont;
        }
        i = j;
    }
}

static void prep_free(Prep *P)
{
    free(P->storage);
    free(P->cps);
    free(P->lc);
    free(P->brks);
}

static void prep_init(TextEngine *te, Prep *P, const TextSpan *spans, int n_spans, const char *lang)
{
    memset(P, 0, sizeof *P);
    P->spans = spans;
    size_t total = 0;
    for (int s = 0; s < n_spans; s++) total += spans[s].text ? spans[s].len : 0;
    P->storage = xmalloc(total + 1);
    P->cps = xmalloc(sizeof *P->cps * (total + 1));
    P->lc = xcalloc(total + 1, sizeof *P->lc);
    size_t pos = 0, n = 0;
    for (int s = 0; s < n_spans; s++) {
        if (!spans[s].text || !spans[s].len) continue;
        memcpy(P->storage + pos, spans[s].text, spans[s].len);
        const char *p = P->storage + pos, *end = p + spans[s].len;
        while (p < end) {
            P->lc[n].off = (uint32_t)(p - P->storage);
            P->lc[n].span = s;
            P->cps[n++] = utf8_next(&p, end);
        }
        pos += spans[s].len;
    }
    P->storage[pos] = 0;
    P->nbytes = pos;
    P->n = n;
    P->lc[n].off = (uint32_t)pos;
    P->brks = xmalloc(n + 1);
    if (n == 0) return;
    resolve_scripts(P);
    assign_fonts(te, P, cjk_region(lang, P->cps, n));
    text_find_breaks(te, P->cps, n, lang, P->brks);
    te->stats.missing_chars += (uint64_t)P->missing;
}

/* ------------------------------------------------------------------------ */
/* Pieces: runs of a word with one font, style and script, measured.         */

enum { PIECE_INK, PIECE_SPACE, PIECE_NEWLINE };

typedef struct Piece {
    int a, b;  /* code point range */
    int w;
    int kind;
} Piece;

typedef struct PieceVec {
    Piece *v;  /* owned */
    int n, cap;
} PieceVec;

static void pv_push(PieceVec *pv, Piece p)
{
    if (pv->n == pv->cap) {
        pv->cap = pv->cap ? pv->cap * 2 : 64;
        pv->v = xrealloc(pv->v, sizeof *pv->v * (size_t)pv->cap);
    }
    pv->v[pv->n++] = p;
}

static bool same_look(const Prep *P, size_t i, size_t j)
{
    const LCp *x = &P->lc[i], *y = &P->lc[j];
    if (x->font != y->font || x->mfont != y->mfont || x->script != y->script) return false;
    if (x->span == y->span) return true;
    const TextSpan *s = &P->spans[x->span], *t = &P->spans[y->span];
    return s->color == t->color && s->style == t->style && s->tag == t->tag;
}

/* Splits [a, b) into measured pieces appended to out; returns the width
 * without trailing spaces (*full gets the width with them). */
static int make_pieces(TextEngine *te, const Prep *P, int a, int b, PieceVec *out, int *full)
{
    int core_end = b;
    while (core_end > a && (is_space(P->cps[core_end - 1]) || is_newline(P->cps[core_end - 1])))
        core_end--;
    int core = 0, all = 0;
    for (int i = a; i < b;) {
        int kind = i >= core_end ? (is_newline(P->cps[i]) ? PIECE_NEWLINE : PIECE_SPACE) : PIECE_INK;
        int j = i + 1;
        while (j < b && same_look(P, (size_t)i, (size_t)j)) {
            int kj = j >= core_end ? (is_newline(P->cps[j]) ? PIECE_NEWLINE : PIECE_SPACE) : PIECE_INK;
            if (kj != kind) break;
            j++;
        }
        int w = 0;
        if (kind != PIECE_NEWLINE)
            w = measure(te, P->lc[i].mfont, (TextScript)P->lc[i].script, P->storage + P->lc[i].off,
                        P->lc[j].off - P->lc[i].off);
        pv_push(out, (Piece){i, j, w, kind});
        all += w;
        if (kind == PIECE_INK) core += w;
        i = j;
    }
    if (full) *full = all;
    return core;
}

/* ------------------------------------------------------------------------ */
/* Layout.                                                                  */

typedef struct Lay {
    TextEngine *te;
    Prep *P;
    int max_w;
    float spacing;
    PieceVec line;   /* pieces of the line being filled */
    PieceVec tmp;
    int line_w;      /* width of line pieces, trailing spaces included */
    TextFrag *frags; /* owned until handed to the block */
    int n_frags, cap_frags;
    int *line_w_v;   /* per finished line: width; owned */
    int n_lines, cap_lines;
    int y, widest;
} Lay;

static void lay_push_frag(Lay *L, TextFrag f)
{
    if (L->n_frags == L->cap_frags) {
        L->cap_frags = L->cap_frags ? L->cap_frags * 2 : 32;
        L->frags = xrealloc(L->frags, sizeof *L->frags * (size_t)L->cap_frags);
    }
    L->frags[L->n_frags++] = f;
}

/* Turns the pending pieces into one line of fragments. */
static void finish_line(Lay *L)
{
    if (L->line.n == 0) return;
    const Prep *P = L->P;
    int keep = L->line.n;
    while (keep > 0 && L->line.v[keep - 1].kind != PIECE_INK) keep--; /* hanging spaces */

    /* Line metrics over kept pieces (or the newline's font for an empty line). */
    int asc = 0, desc = 0, hmax = 0;
    for (int k = 0; k < (keep ? keep : 1); k++) {
        TextFont *f = P->lc[L->line.v[k].a].mfont;
        if (!f) continue;
        if (f->ascent > asc) asc = f->ascent;
        if (f->height - f->ascent > desc) desc = f->height - f->ascent;
        if (f->height > hmax) hmax = f->height;
    }
    if (hmax == 0) { /* no font at all: fall back on the span's pixel size */
        hmax = P->spans[P->lc[L->line.v[0].a].span].size_px;
        asc = hmax * 4 / 5;
        desc = hmax - asc;
    }
    int content = asc + desc;
    int lh = (int)lroundf((float)hmax * L->spacing);
    if (lh < content) lh = content;
    int baseline = L->y + (lh - content) / 2 + asc;

    /* Paragraph direction from its first strong character. */
    bool rtl = false;
    for (int k = 0; k < keep; k++) {
        TextScript s = text_script_of(P->cps[L->line.v[k].a]);
        if (s != SCRIPT_COMMON) {
            rtl = is_rtl(s);
            break;
        }
    }

    int first = L->n_frags, x = 0;
    for (int k = 0; k < keep;) {
        int m = k + 1, w = L->line.v[k].w;
        while (m < keep && same_look(P, (size_t)L->line.v[k].a, (size_t)L->line.v[m].a)) w += L->line.v[m++].w;
        const LCp *c = &P->lc[L->line.v[k].a];
        const TextSpan *sp = &P->spans[c->span];
        TextFont *mf = c->mfont;
        int fasc = mf ? mf->ascent : asc, fh = mf ? mf->height : content;
        uint32_t off = c->off, end = P->lc[L->line.v[m - 1].b].off;
        lay_push_frag(L, (TextFrag){
            .x = x, .y = baseline - fasc, .w = w, .h = fh, .baseline = baseline,
            .text = P->storage + off, .len = end - off, .font = c->font,
            .color = sp->color, .style = sp->style, .tag = sp->tag, .line = L->n_lines});
        x += w;
        k = m;
    }
    if (rtl) /* right-to-left paragraph: runs go from the right edge */
        for (int k = first; k < L->n_frags; k++) L->frags[k].x = x - L->frags[k].x - L->frags[k].w;

    if (L->n_lines == L->cap_lines) {
        L->cap_lines = L->cap_lines ? L->cap_lines * 2 : 16;
        L->line_w_v = xrealloc(L->line_w_v, sizeof *L->line_w_v * (size_t)L->cap_lines);
    }
    L->line_w_v[L->n_lines++] = x;
    if (x > L->widest) L->widest = x;
    L->y += lh;
    L->line.n = 0;
    L->line_w = 0;
}

static void append_tmp(Lay *L)
{
    for (int k = 0; k < L->tmp.n; k++) {
        pv_push(&L->line, L->tmp.v[k]);
        L->line_w += L->tmp.v[k].w;
    }
    L->tmp.n = 0;
}

/* The end of the longest cluster-aligned prefix of [a, b) that fits avail
 * (at least one cluster when take_one). Returns a if none fits. */
static int fit_prefix(Lay *L, int a, int b, int avail, bool take_one)
{
    const Prep *P = L->P;
    int best = a, sum = 0;
    for (int i = a; i < b;) {
        int j = i + 1;
        while (j < b && !cluster_boundary(P->cps, (size_t)j)) j++;
        sum += measure(L->te, P->lc[i].mfont, (TextScript)P->lc[i].script, P->storage + P->lc[i].off,
                       P->lc[j].off - P->lc[i].off);
        if (sum > avail) break;
        best = j;
        i = j;
    }
    /* Cluster widths summed are an estimate (shaping joins clusters):
     * check the real width and step back while it is too wide. */
    while (best > a) {
        int w = make_pieces(L->te, P, a, best, &L->tmp, NULL);
        L->tmp.n = 0;
        if (w <= avail) break;
        int k = best - 1;
        while (k > a && !cluster_boundary(P->cps, (size_t)k)) k--;
        best = k;
    }
    if (best == a && take_one) {
        best = a + 1;
        while (best < b && !cluster_boundary(P->cps, (size_t)best)) best++;
    }
    return best;
}

/* Scripts written without spaces for which we have no dictionary: their
 * "words" are whole phrases, so they fill lines cluster by cluster. */
static bool fills_by_cluster(TextScript s)
{
    return s == SCRIPT_LAO || s == SCRIPT_KHMER || s == SCRIPT_MYANMAR || s == SCRIPT_TIBETAN;
}

/* Places the word [a, b) (a break is allowed after b - 1). */
static void lay_word(Lay *L, int a, int b)
{
    const Prep *P = L->P;
    while (a < b) {
        L->tmp.n = 0;
        int core = make_pieces(L->te, P, a, b, &L->tmp, NULL);
        /* A word of spaces only always fits: spaces hang past the end. */
        if (L->max_w <= 0 || core == 0 || L->line_w + core <= L->max_w) {
            append_tmp(L);
            break;
        }
        L->tmp.n = 0;
        bool empty = L->line.n == 0;
        int core_end = b;
        while (core_end > a && (is_space(P->cps[core_end - 1]) || is_newline(P->cps[core_end - 1])))
            core_end--;
        if (!empty && !fills_by_cluster((TextScript)P->lc[a].script)) {
            finish_line(L); /* try the word on a fresh line */
            continue;
        }
        /* Emergency (or cluster-filling) break between grapheme clusters. */
        int c = fit_prefix(L, a, core_end, L->max_w - L->line_w, empty);
        if (c == a) {
            finish_line(L);
            continue;
        }
        if (c >= core_end) { /* the rest fits: keep its spaces hanging on this line */
            make_pieces(L->te, P, a, b, &L->tmp, NULL);
            append_tmp(L);
            break;
        }
        make_pieces(L->te, P, a, c, &L->tmp, NULL);
        append_tmp(L);
        finish_line(L);
        a = c;
    }
    if (P->brks[b - 1] == 2) {
        if (L->line.n == 0) pv_push(&L->line, (Piece){b - 1, b, 0, PIECE_NEWLINE});
        finish_line(L);
    }
}

TextBlock *text_layout(TextEngine *te, const TextSpan *spans, int n_spans, const TextLayoutOptions *opt)
{
    TextLayoutOptions defaults = {0};
    if (!opt) opt = &defaults;
    Prep P;
    prep_init(te, &P, spans, n_spans, opt->lang);
    Lay L = {.te = te, .P = &P, .max_w = opt->max_width,
             .spacing = opt->line_spacing > 0 ? opt->line_spacing : 1.35f};
    for (int a = 0; a < (int)P.n;) {
        int b = a;
        while (P.brks[b] == 0) b++; /* the last code point always has a break */
        lay_word(&L, a, b + 1);
        a = b + 1;
    }
    finish_line(&L);

    /* Alignment needs the final width when not wrapping. */
    int ref = opt->max_width > 0 ? opt->max_width : L.widest;
    if (opt->align != TEXT_ALIGN_LEFT) {
        for (int k = 0; k < L.n_frags; k++) {
            int slack = ref - L.line_w_v[L.frags[k].line];
            if (slack <= 0) continue;
            L.frags[k].x += opt->align == TEXT_ALIGN_CENTER ? slack / 2 : slack;
        }
    }
    TextBlock *b = xcalloc(1, sizeof *b);
    b->frags = L.frags;
    b->n_frags = L.n_frags;
    b->width = L.widest;
    b->height = L.y;
    b->n_lines = L.n_lines;
    b->missing = P.missing;
    b->storage = P.storage; /* fragments point into it; the block owns it now */
    P.storage = NULL;
    prep_free(&P);
    free(L.line.v);
    free(L.tmp.v);
    free(L.line_w_v);
    return b;
}

void text_block_free(TextBlock *b)
{
    if (!b) return;
    free(b->frags);
    free(b->storage);
    free(b);
}

int text_min_width(TextEngine *te, const TextSpan *spans, int n_spans, const char *lang)
{
    Prep P;
    prep_init(te, &P, spans, n_spans, lang);
    PieceVec tmp = {0};
    int widest = 0;
    for (int a = 0; a < (int)P.n;) {
        int b = a;
        while (P.brks[b] == 0) b++;
        tmp.n = 0;
        int w = make_pieces(te, &P, a, b + 1, &tmp, NULL);
        if (w > widest) widest = w;
        a = b + 1;
    }
    free(tmp.v);
    prep_free(&P);
    return widest;
}

int text_max_width(TextEngine *te, const TextSpan *spans, int n_spans, const char *lang)
{
    TextLayoutOptions opt = {.lang = lang};
    TextBlock *b = text_layout(te, spans, n_spans, &opt);
    int w = b->width;
    text_block_free(b);
    return w;
}

/* ------------------------------------------------------------------------ */
/* Texture cache and drawing.                                               */

static void lru_unlink(TextEngine *te, TEntry *e)
{
    if (e->prev) e->prev->next = e->next;
    else te->lru_head = e->next;
    if (e->next) e->next->prev = e->prev;
    else te->lru_tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(TextEngine *te, TEntry *e)
{
    e->prev = NULL;
    e->next = te->lru_head;
    if (te->lru_head) te->lru_head->prev = e;
    te->lru_head = e;
    if (!te->lru_tail) te->lru_tail = e;
}

static void tentry_free(TextEngine *te, TEntry *e)
{
    size_t bi = (size_t)e->hash & (te->tcap - 1);
    for (TEntry **pp = &te->tbuckets[bi]; *pp; pp = &(*pp)->hnext) {
        if (*pp == e) {
            *pp = e->hnext;
            break;
        }
    }
    lru_unlink(te, e);
    if (e->tex) SDL_DestroyTexture(e->tex);
    te->tn--;
    te->tbytes -= e->bytes;
    free(e);
}

static void tcache_clear(TextEngine *te)
{
    while (te->lru_head) tentry_free(te, te->lru_head);
}

void text_set_renderer(TextEngine *te, SDL_Renderer *r)
{
    if (te->renderer == r) return;
    tcache_clear(te); /* textures belong to the old renderer */
    te->renderer = r;
}

/* Script to shape a fragment with: that of its first strong character. */
static TextScript text_run_script(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        TextScript sc = run_script(text_script_of(utf8_next(&p, end)));
        if (sc != SCRIPT_COMMON) return sc;
    }
    return SCRIPT_LATIN;
}

static TEntry *texture_get(TextEngine *te, TextFont *f, uint32_t color, const char *text, size_t len)
{
    uint64_t h = hash_bytes(text, len, (uint64_t)(uintptr_t)f * 31 + color);
    if (!te->tbuckets) {
        te->tcap = 8192; /* fixed: twice the entry cap keeps chains short */
        te->tbuckets = xcalloc(te->tcap, sizeof *te->tbuckets);
    }
    size_t bi = (size_t)h & (te->tcap - 1);
    for (TEntry *e = te->tbuckets[bi]; e; e = e->hnext) {
        if (e->hash == h && e->font == f && e->color == color && e->len == len &&
            memcmp(e->text, text, len) == 0) {
            te->stats.texture_hits++;
            if (te->lru_head != e) {
                lru_unlink(te, e);
                lru_push_front(te, e);
            }
            return e;
        }
    }
    te->stats.texture_misses++;
    TEntry *e = xcalloc(1, sizeof *e + len + 1);
    e->hash = h;
    e->font = f;
    e->color = color;
    e->len = len;
    memcpy(e->text, text, len);
    e->text[len] = 0;
    font_prepare(f, text_run_script(text, len));
    SDL_Color c = {(Uint8)(color >> 24), (Uint8)(color >> 16), (Uint8)(color >> 8), (Uint8)color};
    SDL_Surface *s = TTF_RenderUTF8_Blended(f->ttf, e->text, c);
    te->stats.shape_calls++;
    if (s) {
        e->tex = SDL_CreateTextureFromSurface(te->renderer, s);
        e->w = s->w;
        e->h = s->h;
        e->bytes = (size_t)s->w * (size_t)s->h * 4;
        SDL_FreeSurface(s);
    }
    e->hnext = te->tbuckets[bi];
    te->tbuckets[bi] = e;
    lru_push_front(te, e);
    te->tn++;
    te->tbytes += e->bytes;
    while ((te->tn > TCACHE_MAX_COUNT || te->tbytes > TCACHE_MAX_BYTES) && te->lru_tail != e)
        tentry_free(te, te->lru_tail);
    return e;
}

/* For a fragment with no font: the base font it was measured with. The
 * fragment does not record its size, so find the open base font of its
 * style whose height matches. */
static TextFont *missing_font(TextEngine *te, const TextFrag *f)
{
    if (!te->chains) return NULL;
    const Chain *c = &te->chains[chain_key(SCRIPT_LATIN, 0, f->style & STYLE_FONT_BITS)];
    if (c->n == 0) return NULL;
    for (int k = 0; k < te->n_fonts; k++) {
        TextFont *tf = te->fonts[k];
        if (tf->ttf && tf->face == c->face[0] && tf->height == f->h) return tf;
    }
    return NULL;
}

void text_draw_frag(TextEngine *te, const TextFrag *f, int x, int y)
{
    if (!te->renderer || f->len == 0) return;
    TextFont *font = f->font ? f->font : missing_font(te, f);
    if (!font) return;
    TEntry *e = texture_get(te, font, f->color, f->text, f->len);
    if (e->tex) {
        SDL_Rect dst = {x, y, e->w, e->h};
        SDL_RenderCopy(te->renderer, e->tex, NULL, &dst);
    }
    if (f->style & TEXT_UNDERLINE) {
        int thick = f->h / 24 > 1 ? f->h / 24 : 1; /* 1px at normal sizes, scaled on HiDPI */
        int asc = f->baseline - f->y;
        SDL_Rect r = {x, y + asc + thick + f->h / 16, f->w, thick};
        SDL_SetRenderDrawColor(te->renderer, (Uint8)(f->color >> 24), (Uint8)(f->color >> 16),
                               (Uint8)(f->color >> 8), (Uint8)f->color);
        SDL_RenderFillRect(te->renderer, &r);
    }
}

void text_draw_block(TextEngine *te, const TextBlock *b, int x, int y)
{
    for (int i = 0; i < b->n_frags; i++) text_draw_frag(te, &b->frags[i], x + b->frags[i].x, y + b->frags[i].y);
}

/* ------------------------------------------------------------------------ */
/* One-line helpers.                                                        */

int text_width(TextEngine *te, const char *s, unsigned style, int size_px, const char *lang)
{
    TextSpan sp = {.text = s, .len = s ? strlen(s) : 0, .style = style, .size_px = size_px};
    return text_max_width(te, &sp, 1, lang);
}

int text_line_height(TextEngine *te, unsigned style, int size_px)
{
    TextFont *f = base_font(te, style, size_px);
    return f ? f->height : size_px;
}

void text_draw(TextEngine *te, const char *s, unsigned style, int size_px, uint32_t color, int x, int y,
               const char *lang)
{
    TextSpan sp = {.text = s, .len = s ? strlen(s) : 0, .style = style, .size_px = size_px, .color = color};
    TextLayoutOptions opt = {.lang = lang, .line_spacing = 1.0f};
    TextBlock *b = text_layout(te, &sp, 1, &opt);
    text_draw_block(te, b, x, y);
    text_block_free(b);
}

/* ------------------------------------------------------------------------ */
/* Engine lifetime.                                                         */

TextEngine *text_engine_new(Error *err)
{
    bool did = false;
    if (!TTF_WasInit()) {
        if (TTF_Init() != 0) {
            error_set(err, "cannot start SDL_ttf: %s", TTF_GetError());
            return NULL;
        }
        did = true;
    }
    init_linebreak(); /* cheap; libunibreak wants it once before use */
    TextEngine *te = xcalloc(1, sizeof *te);
    te->did_ttf_init = did;
    return te;
}

void text_engine_free(TextEngine *te)
{
    if (!te) return;
    tcache_clear(te);
    free(te->tbuckets);
    wcache_clear(te);
    free(te->wbuckets);
    for (int i = 0; i < te->n_fonts; i++) {
        if (te->fonts[i]->ttf) TTF_CloseFont(te->fonts[i]->ttf);
        free(te->fonts[i]);
    }
    free(te->fonts);
    for (int i = 0; i < te->n_faces; i++) {
        free(te->faces[i].file);
        FcCharSetDestroy(te->faces[i].cs);
    }
    free(te->faces);
    free(te->chains);
    free(te->fb);
    if (te->thbrk) th_brk_delete(te->thbrk);
    if (te->fc) FcConfigDestroy(te->fc);
    if (te->did_ttf_init) TTF_Quit();
    free(te);
}

TextStats text_stats(const TextEngine *te)
{
    return te->stats;
}
