/* Tests for the text engine: itemization, line breaking per script, layout,
 * font coverage of the lesson languages, caching and drawing. */
#include "text.h"
#include "testlib.h"

#include <SDL2/SDL.h>
#include <stdlib.h>

static TextEngine *te;
static SDL_Surface *surface;
static SDL_Renderer *renderer;

/* Decodes s into cps (caller frees); returns the count. */
static size_t decode(const char *s, uint32_t **out)
{
    size_t len = strlen(s), n = 0;
    uint32_t *cps = malloc(sizeof *cps * (len + 1));
    const char *p = s, *end = s + len;
    while (p < end) cps[n++] = utf8_next(&p, end);
    *out = cps;
    return n;
}

/* Break array for s (caller frees both). */
static size_t breaks_of(const char *s, const char *lang, uint32_t **cps, char **brks)
{
    size_t n = decode(s, cps);
    *brks = malloc(n + 1);
    text_find_breaks(te, *cps, n, lang, *brks);
    return n;
}

static TextBlock *layout1(const char *s, const char *lang, int width, unsigned style)
{
    TextSpan sp = {.text = s, .len = strlen(s), .style = style, .size_px = 18, .color = 0x202020FF};
    TextLayoutOptions opt = {.max_width = width, .lang = lang};
    return text_layout(te, &sp, 1, &opt);
}

/* Right edge of each line must be within width. */
static bool lines_fit(const TextBlock *b, int width)
{
    for (int i = 0; i < b->n_frags; i++)
        if (b->frags[i].x < 0 || b->frags[i].x + b->frags[i].w > width) return false;
    return b->width <= width;
}

/* Thai, Lao, Khmer, Myanmar, Devanagari and generic marks a line must never
 * start with, per the spec of the engine. */
static bool is_mark_cp(uint32_t c)
{
    return c == 0x0E31 || (c >= 0x0E34 && c <= 0x0E3A) || (c >= 0x0E47 && c <= 0x0E4E) ||
           c == 0x0EB1 || (c >= 0x0EB4 && c <= 0x0EBC) || (c >= 0x0EC8 && c <= 0x0ECD) ||
           (c >= 0x17B6 && c <= 0x17D3) || c == 0x17DD || (c >= 0x102B && c <= 0x103E) ||
           (c >= 0x0900 && c <= 0x0903) || (c >= 0x093A && c <= 0x094F) ||
           (c >= 0x0300 && c <= 0x036F) || (c >= 0x1DC0 && c <= 0x1DFF) ||
           (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
           (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200D;
}

static bool is_joiner(uint32_t c)
{
    return c == 0x17D2 || c == 0x1039 || c == 0x094D || c == 0x200D;
}

/* The code point just before byte offset off in s. */
static uint32_t cp_before(const char *s, size_t off)
{
    size_t k = off;
    do k--;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80);
    const char *p = s + k;
    return utf8_next(&p, s + off);
}

/* Every line after the first starts at a cluster boundary. */
static bool lines_split_clusters_ok(const TextBlock *b)
{
    int line = 0;
    for (int i = 0; i < b->n_frags; i++) {
        const TextFrag *f = &b->frags[i];
        if (f->line == line) continue;
        line = f->line;
        const char *p = f->text;
        uint32_t first = utf8_next(&p, f->text + f->len);
        size_t off = (size_t)(f->text - b->storage);
        if (is_mark_cp(first)) return false;
        if (off > 0 && is_joiner(cp_before(b->storage, off))) return false;
    }
    return true;
}

TEST(script_itemization)
{
    CHECK(text_script_of('A') == SCRIPT_LATIN);
    CHECK(text_script_of(0x1EA1) == SCRIPT_LATIN); /* Vietnamese ạ */
    CHECK(text_script_of(0x03B1) == SCRIPT_GREEK);
    CHECK(text_script_of(0x0436) == SCRIPT_CYRILLIC);
    CHECK(text_script_of(0x0627) == SCRIPT_ARABIC);
    CHECK(text_script_of(0x05D0) == SCRIPT_HEBREW);
    CHECK(text_script_of(0x0915) == SCRIPT_DEVANAGARI);
    CHECK(text_script_of(0x0995) == SCRIPT_BENGALI);
    CHECK(text_script_of(0x0B95) == SCRIPT_TAMIL);
    CHECK(text_script_of(0x0E01) == SCRIPT_THAI);
    CHECK(text_script_of(0x0E81) == SCRIPT_LAO);
    CHECK(text_script_of(0x1780) == SCRIPT_KHMER);
    CHECK(text_script_of(0x1000) == SCRIPT_MYANMAR);
    CHECK(text_script_of(0x4E2D) == SCRIPT_HAN);
    CHECK(text_script_of(0x20000) == SCRIPT_HAN);
    CHECK(text_script_of(0x3042) == SCRIPT_HIRAGANA);
    CHECK(text_script_of(0x30A2) == SCRIPT_KATAKANA);
    CHECK(text_script_of(0xAC00) == SCRIPT_HANGUL);
    CHECK(text_script_of(0x0D85) == SCRIPT_SINHALA);
    CHECK(text_script_of(0x10D0) == SCRIPT_GEORGIAN);
    CHECK(text_script_of(0x0531) == SCRIPT_ARMENIAN);
    CHECK(text_script_of(0x1200) == SCRIPT_ETHIOPIC);
    CHECK(text_script_of(0x1820) == SCRIPT_MONGOLIAN);
    CHECK(text_script_of(0x0F40) == SCRIPT_TIBETAN);
    /* Common and inherited take their neighbours' script during layout. */
    CHECK(text_script_of(' ') == SCRIPT_COMMON);
    CHECK(text_script_of('7') == SCRIPT_COMMON);
    CHECK(text_script_of(0x0301) == SCRIPT_COMMON);
    CHECK(text_script_of(0x200D) == SCRIPT_COMMON);
    CHECK(text_script_of(0x3002) == SCRIPT_COMMON);
    CHECK(text_script_of(0xFE0F) == SCRIPT_COMMON);
    CHECK(text_script_of(0x10FFFD) == SCRIPT_OTHER);
}

TEST(runs_split_on_script_and_font)
{
    /* Latin + Thai: two fonts, the space stays with the Latin run. */
    TextBlock *b = layout1("Hello สวัสดี", "th", 0, 0);
    CHECK(b->n_frags == 2);
    if (b->n_frags == 2) {
        CHECK(b->frags[0].len == 6); /* "Hello " */
        CHECK(b->frags[0].font != b->frags[1].font);
        CHECK(b->frags[1].x == b->frags[0].x + b->frags[0].w);
        CHECK(b->frags[0].baseline == b->frags[1].baseline);
    }
    text_block_free(b);
    /* CJK punctuation stays in the Han run: one fragment. */
    b = layout1("中文，测试。", "zh-Hans", 0, 0);
    CHECK(b->n_frags == 1);
    text_block_free(b);
    /* Japanese kana and kanji share one CJK font run. */
    b = layout1("日本語のテキスト", "ja", 0, 0);
    CHECK(b->n_frags == 1);
    text_block_free(b);
}

TEST(breaks_english)
{
    uint32_t *cps;
    char *brks;
    const char *s = "Hello world, well-known.";
    size_t n = breaks_of(s, "en", &cps, &brks);
    CHECK(n == 24);
    CHECK(brks[4] == 0);  /* inside "Hello" */
    CHECK(brks[5] == 1);  /* after the space */
    CHECK(brks[11] == 0); /* after "world," before the space */
    CHECK(brks[12] == 1);
    CHECK(brks[17] == 1); /* after "well-" */
    CHECK(brks[16] == 0);
    CHECK(brks[n - 1] == 1); /* end of text without newline */
    free(cps);
    free(brks);

    n = breaks_of("a\nb", "en", &cps, &brks);
    CHECK(brks[0] == 0 && brks[1] == 2);
    free(cps);
    free(brks);
}

TEST(breaks_thai_dictionary)
{
    uint32_t *cps;
    char *brks;
    /* ภาษา|ไทย|เป็น|ภาษา|ที่|สวย|งาม */
    size_t n = breaks_of("ภาษาไทยเป็นภาษาที่สวยงาม", "th", &cps, &brks);
    CHECK(n == 24);
    CHECK(brks[3] == 1);
    CHECK(brks[6] == 1);
    CHECK(brks[10] == 1);
    CHECK(brks[14] == 1);
    CHECK(brks[17] == 1);
    CHECK(brks[20] == 1);
    CHECK(brks[0] == 0 && brks[1] == 0 && brks[2] == 0); /* not inside ภาษา */
    CHECK(brks[8] == 0);                                 /* not inside เป็น */
    free(cps);
    free(brks);
}

static const char *thai_para =
    "ผู้นำเข้าต้องสำแดงสินค้าทั้งหมดที่ด่านศุลกากร เจ้าหน้าที่จะตรวจสอบเอกสารและใบอนุญาต"
    "ก่อนปล่อยสินค้าออกจากอารักขาของศุลกากร หากพบว่าสำแดงเท็จ ผู้นำเข้าต้องเสียค่าปรับ"
    "และอาจถูกดำเนินคดีตามกฎหมายว่าด้วยการศุลกากร สินค้าต้องห้ามจะถูกยึดและทำลาย";

TEST(breaks_thai_never_before_mark)
{
    uint32_t *cps;
    char *brks;
    size_t n = breaks_of(thai_para, "th", &cps, &brks);
    int nbreaks = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (!brks[i]) continue;
        nbreaks++;
        CHECK(!is_mark_cp(cps[i + 1]));
        CHECK(!(cps[i] >= 0x0E40 && cps[i] <= 0x0E44)); /* not after a leading vowel */
    }
    CHECK(nbreaks > 20); /* the dictionary found words, not just the spaces */
    free(cps);
    free(brks);
}

TEST(breaks_chinese)
{
    uint32_t *cps;
    char *brks;
    size_t n = breaks_of("中文测试，这是句子。好的", "zh", &cps, &brks);
    CHECK(n == 12);
    CHECK(brks[0] == 1 && brks[1] == 1 && brks[2] == 1); /* between ideographs */
    CHECK(brks[3] == 0); /* not before ， */
    CHECK(brks[4] == 1);
    CHECK(brks[8] == 0); /* not before 。 */
    CHECK(brks[9] == 1);
    free(cps);
    free(brks);
}

TEST(wrap_khmer_myanmar_clusters)
{
    const char *khmer = "អ្នកនាំចូលត្រូវប្រកាសទំនិញទាំងអស់នៅព្រំដែនដោយភ្ជាប់ឯកសារគ្រប់គ្រាន់";
    const char *myanmar = "တင်သွင်းသူသည်နယ်စပ်တွင်ကုန်ပစ္စည်းအားလုံးကိုကြေညာရမည်ဖြစ်သည်";
    const char *lao = "ຜູ້ນຳເຂົ້າຕ້ອງແຈ້ງສິນຄ້າທັງໝົດຢູ່ຊາຍແດນຂອງປະເທດ";
    const char *texts[] = {khmer, myanmar, lao};
    const char *langs[] = {"km", "my", "lo"};
    for (int t = 0; t < 3; t++) {
        for (int width = 40; width <= 160; width += 40) {
            TextBlock *b = layout1(texts[t], langs[t], width, 0);
            CHECK(b->n_lines >= 2);
            CHECK(b->missing == 0);
            CHECK(lines_split_clusters_ok(b));
            /* Every fragment fits unless it is a single cluster wider than the line. */
            CHECK(b->width <= width + 40);
            text_block_free(b);
        }
    }
}

TEST(wrap_vietnamese_nfd)
{
    /* "Người nhập khẩu" with decomposed diacritics (base + U+031B/0300/...). */
    const char *s = "Ngu\xcc\x9bo\xcc\x9b\xcc\x80i nha\xcc\x82\xcc\xa3p kha\xcc\x82\xcc\x89u";
    for (int width = 5; width <= 60; width += 5) {
        TextBlock *b = layout1(s, "vi", width, 0);
        CHECK(b->missing == 0);
        CHECK(lines_split_clusters_ok(b));
        text_block_free(b);
    }
    uint32_t *cps;
    char *brks;
    size_t n = breaks_of(s, "vi", &cps, &brks);
    for (size_t i = 0; i + 1 < n; i++)
        if (brks[i]) CHECK(!is_mark_cp(cps[i + 1]));
    free(cps);
    free(brks);
}

static const char *english_para =
    "Customs officers inspect goods, documents and vehicles that cross the border. "
    "An importer must declare every item, pay the duties and taxes that apply, and "
    "present the licences required for restricted goods such as medicines, weapons "
    "or plants. Officers compare the declaration with the invoice, the bill of lading "
    "and the goods themselves; when something does not match, the shipment is held "
    "for a closer look. A well-kept record of each inspection protects both the "
    "officer and the trader.";

static const char *chinese_para =
    "海关官员检查跨越边境的货物、单证和车辆。进口商必须申报每一件物品，缴纳适用的关税和税款，"
    "并出示药品、武器或植物等限制类货物所需的许可证。官员将申报单与发票、提单和货物本身进行核对；"
    "如有不符，货物将被扣留以作进一步检查。";

TEST(layout_paragraphs_fit)
{
    struct {
        const char *text, *lang;
    } cases[] = {{english_para, "en"}, {thai_para, "th"}, {chinese_para, "zh-Hans"}};
    for (int c = 0; c < 3; c++) {
        TextBlock *b = layout1(cases[c].text, cases[c].lang, 300, 0);
        CHECK(b->n_lines >= 3);
        CHECK(lines_fit(b, 300));
        CHECK(b->missing == 0);
        CHECK(b->height > 0);
        /* Lines are stacked: line k's baseline is below line k-1's. */
        for (int i = 1; i < b->n_frags; i++)
            CHECK(b->frags[i].line >= b->frags[i - 1].line &&
                  (b->frags[i].line == b->frags[i - 1].line) ==
                      (b->frags[i].baseline == b->frags[i - 1].baseline));
        CHECK(b->n_frags <= b->n_lines * 3); /* pieces are merged into fragments */
        if (c == 1) {
            /* Thai lines end at word boundaries, so the text reads back intact. */
            size_t total = 0;
            for (int i = 0; i < b->n_frags; i++) total += b->frags[i].len;
            CHECK(total <= strlen(thai_para));
        }
        text_block_free(b);
    }
    /* English lines end at spaces: no fragment ends inside a word. */
    TextBlock *b = layout1(english_para, "en", 300, 0);
    for (int i = 0; i + 1 < b->n_frags; i++) {
        if (b->frags[i + 1].line == b->frags[i].line) continue;
        const TextFrag *f = &b->frags[i];
        char last = f->text[f->len - 1], next = f->text[f->len];
        CHECK(last != ' ');                           /* trailing space trimmed */
        CHECK(next == ' ' || last == '-' || next == 0); /* broke at a space/hyphen */
    }
    text_block_free(b);
}

TEST(trailing_spaces_and_newlines)
{
    int w_aaa = text_width(te, "aaaa", 0, 18, "en");
    int w_all = text_width(te, "aaaa bbbb", 0, 18, "en");
    TextBlock *b = layout1("aaaa      bbbb", "en", w_all - 2, 0);
    CHECK(b->n_lines == 2);
    CHECK(b->n_frags == 2);
    if (b->n_frags == 2) {
        CHECK(b->frags[0].w == w_aaa);
        CHECK(b->frags[0].len == 4);
    }
    text_block_free(b);

    b = layout1("one\ntwo\n\nfour\xe2\x80\xa8" "five", "en", 0, 0);
    CHECK(b->n_lines == 5);
    CHECK(b->n_frags == 4);
    for (int i = 0; i < b->n_frags; i++) CHECK(memchr(b->frags[i].text, '\n', b->frags[i].len) == NULL);
    text_block_free(b);
}

TEST(alignment)
{
    TextBlock *l = layout1("short", "en", 400, 0);
    TextSpan sp = {.text = "short", .len = 5, .size_px = 18};
    TextLayoutOptions oc = {.max_width = 400, .align = TEXT_ALIGN_CENTER};
    TextLayoutOptions orr = {.max_width = 400, .align = TEXT_ALIGN_RIGHT};
    TextBlock *c = text_layout(te, &sp, 1, &oc);
    TextBlock *r = text_layout(te, &sp, 1, &orr);
    CHECK(l->frags[0].x == 0);
    CHECK(c->frags[0].x == (400 - l->width) / 2);
    CHECK(r->frags[0].x + r->frags[0].w == 400);
    text_block_free(l);
    text_block_free(c);
    text_block_free(r);
}

TEST(spans_and_fragments)
{
    TextSpan sp[] = {
        {.text = "Declare ", .len = 8, .size_px = 18, .color = 0x000000FF},
        {.text = "all goods", .len = 9, .style = TEXT_BOLD, .size_px = 18, .color = 0x000000FF},
        {.text = " at the ", .len = 8, .size_px = 18, .color = 0x000000FF},
        {.text = "border", .len = 6, .style = TEXT_UNDERLINE, .size_px = 18, .color = 0x0000FFFF, .tag = 7},
        {.text = ".", .len = 1, .size_px = 18, .color = 0x000000FF},
    };
    TextLayoutOptions opt = {.lang = "en"};
    TextBlock *b = text_layout(te, sp, 5, &opt);
    CHECK(b->n_lines == 1);
    CHECK(b->n_frags == 5);
    if (b->n_frags == 5) {
        CHECK(b->frags[1].style == TEXT_BOLD);
        CHECK(b->frags[3].tag == 7);
        CHECK(b->frags[3].len == 6 && memcmp(b->frags[3].text, "border", 6) == 0);
        for (int i = 1; i < 5; i++) CHECK(b->frags[i].x == b->frags[i - 1].x + b->frags[i - 1].w);
    }
    text_block_free(b);
    /* Bold and italic for a script whose font has no italic: synthesized. */
    b = layout1("ภาษาไทย", "th", 0, TEXT_BOLD | TEXT_ITALIC);
    CHECK(b->missing == 0 && b->n_frags == 1 && b->width > 0);
    text_block_free(b);
    b = layout1("int main(void)", "en", 0, TEXT_MONO);
    TextBlock *b2 = layout1("iiiiiiiiiiiiii", "en", 0, TEXT_MONO);
    CHECK(b->width == b2->width); /* monospace */
    text_block_free(b);
    text_block_free(b2);
}

TEST(fonts_cover_lesson_languages)
{
    struct {
        const char *lang, *text;
    } s[] = {
        {"en", "The importer must declare all goods at the border."},
        {"th", "ผู้นำเข้าต้องสำแดงสินค้าทั้งหมดที่ชายแดน"},
        {"zh-Hans", "进口商必须在边境申报所有货物。"},
        {"zh-Hant", "進口商必須在邊境申報所有貨物。"},
        {"ja", "輸入者は国境ですべての商品を申告しなければなりません。"},
        {"ko", "수입자는 국경에서 모든 물품을 신고해야 합니다."},
        {"km", "អ្នកនាំចូលត្រូវប្រកាសទំនិញទាំងអស់នៅព្រំដែន។"},
        {"lo", "ຜູ້ນຳເຂົ້າຕ້ອງແຈ້ງສິນຄ້າທັງໝົດຢູ່ຊາຍແດນ."},
        {"my", "တင်သွင်းသူသည် နယ်စပ်တွင် ကုန်ပစ္စည်းအားလုံးကို ကြေညာရမည်။"},
        {"hi", "आयातक को सीमा पर सभी माल की घोषणा करनी होगी।"},
        {"vi", "Người nhập khẩu phải khai báo tất cả hàng hóa tại biên giới."},
        {"ar", "يجب على المستورد التصريح بجميع البضائع عند الحدود."},
        {"he", "היבואן חייב להצהיר על כל הסחורות בגבול."},
        {"ru", "Импортёр обязан задекларировать все товары."},
        {"el", "Ο εισαγωγέας πρέπει να δηλώσει όλα τα αγαθά."},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        TextBlock *b = layout1(s[i].text, s[i].lang, 250, 0);
        if (b->missing != 0) fprintf(stderr, "  %s: %d characters without a font\n", s[i].lang, b->missing);
        CHECK(b->missing == 0);
        CHECK(b->n_frags > 0 && b->width > 0);
        for (int k = 0; k < b->n_frags; k++) CHECK(b->frags[k].font != NULL);
        text_block_free(b);
    }
    uint64_t before = text_stats(te).missing_chars;
    TextBlock *b = layout1("a\xf4\x8f\xbf\xbd" "b", "en", 0, 0); /* U+10FFFD */
    CHECK(b->missing == 1);
    CHECK(text_stats(te).missing_chars == before + 1);
    CHECK(b->n_frags == 3);
    if (b->n_frags == 3) CHECK(b->frags[1].font == NULL && b->frags[1].w > 0);
    text_block_free(b);
    b = layout1("\xee\x80\x80", "en", 0, 0); /* U+E000, private use */
    CHECK(b->missing == 1);
    text_block_free(b);
}

static int count_ink(void)
{
    int n = 0;
    SDL_LockSurface(surface);
    for (int y = 0; y < surface->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)surface->pixels + y * surface->pitch);
        for (int x = 0; x < surface->w; x++) n += (row[x] & 0xFFFFFF00u) != 0xFFFFFF00u;
    }
    SDL_UnlockSurface(surface);
    return n;
}

static void clear_surface(void)
{
    SDL_SetRenderDrawColor(renderer, 255, 255, 255, 255);
    SDL_RenderClear(renderer);
}

TEST(draw_caches_textures)
{
    TextBlock *b = layout1(english_para, "en", 300, 0);
    clear_surface();
    text_draw_block(te, b, 10, 10);
    CHECK(count_ink() > 500);
    TextStats s1 = text_stats(te);
    clear_surface();
    text_draw_block(te, b, 10, 10);
    TextStats s2 = text_stats(te);
    CHECK(s2.shape_calls == s1.shape_calls);     /* redraw does no shaping */
    CHECK(s2.texture_misses == s1.texture_misses);
    CHECK(s2.texture_hits == s1.texture_hits + (uint64_t)b->n_frags);
    CHECK(count_ink() > 500);

    /* Re-laying out the same page at the same width: all widths cached. */
    TextBlock *b2 = layout1(english_para, "en", 300, 0);
    TextStats s3 = text_stats(te);
    CHECK(s3.shape_calls == s2.shape_calls);
    CHECK(s3.measure_hits > s2.measure_hits);
    text_draw_block(te, b2, 10, 10); /* same fragments: same textures */
    CHECK(text_stats(te).shape_calls == s3.shape_calls);
    text_block_free(b2);

    /* A new renderer drops the textures. */
    text_set_renderer(te, NULL);
    text_set_renderer(te, renderer);
    uint64_t misses = text_stats(te).texture_misses;
    text_draw_block(te, b, 10, 10);
    CHECK(text_stats(te).texture_misses == misses + (uint64_t)b->n_frags);
    text_block_free(b);
}

TEST(draw_scripts_and_labels)
{
    const char *texts[] = {thai_para, chinese_para, "يجب على المستورد التصريح بجميع البضائع عند الحدود.",
                           "a\xf4\x8f\xbf\xbd" "b"};
    for (int i = 0; i < 4; i++) {
        TextBlock *b = layout1(texts[i], NULL, 300, 0);
        clear_surface();
        text_draw_block(te, b, 0, 0);
        CHECK(count_ink() > 20);
        uint64_t calls = text_stats(te).shape_calls;
        text_draw_block(te, b, 0, 0);
        CHECK(text_stats(te).shape_calls == calls);
        text_block_free(b);
    }
    /* Underlined fragment draws a rule below the text. */
    TextSpan sp = {.text = "link", .len = 4, .style = TEXT_UNDERLINE, .size_px = 20, .color = 0x0000FFFF};
    TextBlock *b = text_layout(te, &sp, 1, NULL);
    clear_surface();
    text_draw_block(te, b, 0, 0);
    SDL_LockSurface(surface);
    int ul_y = b->frags[0].baseline + 1 + b->frags[0].h / 16;
    const Uint32 *row = (const Uint32 *)((const Uint8 *)surface->pixels + ul_y * surface->pitch);
    int blue = 0;
    for (int x = 0; x < b->frags[0].w; x++) blue += (row[x] & 0xFFFFFF00u) != 0xFFFFFF00u;
    SDL_UnlockSurface(surface);
    CHECK(blue >= b->frags[0].w - 1);
    text_block_free(b);

    int w = text_width(te, "Next lesson", TEXT_BOLD, 16, "en");
    CHECK(w > 40 && w < 200);
    CHECK(text_line_height(te, 0, 16) >= 16);
    uint64_t calls = text_stats(te).shape_calls;
    text_draw(te, "Next lesson", TEXT_BOLD, 16, 0x000000FF, 5, 5, "en");
    text_draw(te, "Next lesson", TEXT_BOLD, 16, 0x000000FF, 5, 5, "en");
    CHECK(text_stats(te).shape_calls == calls + 1); /* width cached; one render */
}

TEST(min_max_width)
{
    TextSpan sp = {.text = "a quite extraordinary word", .len = 26, .size_px = 18};
    int mn = text_min_width(te, &sp, 1, "en");
    int mx = text_max_width(te, &sp, 1, "en");
    CHECK(mn == text_width(te, "extraordinary", 0, 18, "en"));
    CHECK(mx == text_width(te, "a quite extraordinary word", 0, 18, "en"));
    CHECK(mn < mx);
    TextLayoutOptions opt = {.max_width = mn};
    TextBlock *b = text_layout(te, &sp, 1, &opt);
    CHECK(b->width <= mn);
    text_block_free(b);
}

TEST(empty_and_odd_input)
{
    TextBlock *b = layout1("", "en", 100, 0);
    CHECK(b->n_frags == 0 && b->n_lines == 0 && b->height == 0);
    text_block_free(b);
    b = layout1("   ", "en", 100, 0);
    CHECK(b->n_frags == 0 && b->n_lines == 1);
    text_block_free(b);
    b = layout1("\xff\xfe broken", "en", 100, 0); /* invalid UTF-8 becomes U+FFFD */
    CHECK(b->n_lines >= 1);
    text_block_free(b);
    b = layout1("Supercalifragilisticexpialidocious", "en", 30, 0); /* wider than the line */
    CHECK(b->n_lines > 3);
    CHECK(lines_fit(b, 30));
    text_block_free(b);
    text_draw(te, "", 0, 16, 0x000000FF, 0, 0, "en");
}

TEST(texture_cache_evicts)
{
    /* More distinct labels than the cache holds (4096): the oldest is evicted
     * and re-rendered; nothing leaks or dangles (ASan). */
    char label[32];
    for (int i = 0; i < 4200; i++) {
        snprintf(label, sizeof label, "#%d", i);
        text_draw(te, label, 0, 10, 0x000000FF, 0, 0, "en");
    }
    uint64_t misses = text_stats(te).texture_misses;
    text_draw(te, "#4199", 0, 10, 0x000000FF, 0, 0, "en"); /* recent: cached */
    CHECK(text_stats(te).texture_misses == misses);
    text_draw(te, "#0", 0, 10, 0x000000FF, 0, 0, "en"); /* oldest: evicted */
    CHECK(text_stats(te).texture_misses == misses + 1);
}

/* Information only (never asserted): first-use and page-turn costs. */
TEST(timing_info)
{
    Buf page = {0};
    for (int i = 0; i < 7; i++) buf_puts(&page, english_para), buf_putc(&page, ' ');
    size_t words = 0;
    for (size_t i = 0; i < page.len; i++) words += page.data[i] == ' ';
    TextSpan sp = {.text = page.data, .len = page.len, .size_px = 17, .color = 0x000000FF};
    TextLayoutOptions opt = {.max_width = 640, .lang = "en"};
    double t0 = time_now_ms();
    TextBlock *b = text_layout(te, &sp, 1, &opt);
    double t1 = time_now_ms();
    text_block_free(b);
    b = text_layout(te, &sp, 1, &opt);
    double t2 = time_now_ms();
    text_draw_block(te, b, 0, 0);
    double t3 = time_now_ms();
    text_draw_block(te, b, 0, 0);
    double t4 = time_now_ms();
    printf("info: %zu words, %d lines: layout %.2f ms (mostly cached words), re-layout %.2f ms, "
           "first draw %.2f ms, redraw %.2f ms\n",
           words, b->n_lines, t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    text_block_free(b);
    buf_free(&page);
}

int main(void)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    surface = SDL_CreateRGBSurfaceWithFormat(0, 800, 600, 32, SDL_PIXELFORMAT_RGBA8888);
    renderer = SDL_CreateSoftwareRenderer(surface);
    if (!surface || !renderer) {
        fprintf(stderr, "software renderer: %s\n", SDL_GetError());
        return 1;
    }
    Error err;
    double t0 = time_now_ms();
    te = text_engine_new(&err);
    if (!te) {
        fprintf(stderr, "text_engine_new: %s\n", err.msg);
        return 1;
    }
    double t1 = time_now_ms();
    /* Cold start: fontconfig init + first match + font open + shaping. */
    TextBlock *first = layout1(english_para, "en", 300, 0);
    double t2 = time_now_ms();
    TextBlock *thai = layout1(thai_para, "th", 300, 0);
    double t3 = time_now_ms();
    printf("info: engine new %.2f ms; first English layout (fontconfig init + match + open) %.2f ms; "
           "first Thai layout (match + open + dictionary) %.2f ms\n",
           t1 - t0, t2 - t1, t3 - t2);
    text_block_free(first);
    text_block_free(thai);
    text_set_renderer(te, renderer);

    RUN(script_itemization);
    RUN(runs_split_on_script_and_font);
    RUN(breaks_english);
    RUN(breaks_thai_dictionary);
    RUN(breaks_thai_never_before_mark);
    RUN(breaks_chinese);
    RUN(wrap_khmer_myanmar_clusters);
    RUN(wrap_vietnamese_nfd);
    RUN(layout_paragraphs_fit);
    RUN(trailing_spaces_and_newlines);
    RUN(alignment);
    RUN(spans_and_fragments);
    RUN(fonts_cover_lesson_languages);
    RUN(draw_caches_textures);
    RUN(draw_scripts_and_labels);
    RUN(min_max_width);
    RUN(empty_and_odd_input);
    RUN(texture_cache_evicts);
    RUN(timing_info);

    TextStats st = text_stats(te);
    printf("info: %d fonts open, %llu shape calls, %llu width hits, %llu texture hits\n", st.fonts_open,
           (unsigned long long)st.shape_calls, (unsigned long long)st.measure_hits,
           (unsigned long long)st.texture_hits);
    text_engine_free(te); /* before the renderer goes: it destroys textures */
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    SDL_Quit();
    return test_summary();
}
