/* render: see render.h. */
#include "render.h"

#include <stdlib.h>
#include <string.h>

int render_px(const Render *rd, float v)
{
    int r = (int)(v * rd->ui + 0.5f);
    return r < 1 && v > 0 ? 1 : r;
}

void render_color(const Render *rd, uint32_t c)
{
    SDL_SetRenderDrawColor(rd->r, (Uint8)(c >> 24), (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c);
}

void render_fill(const Render *rd, SDL_Rect rc, uint32_t rgba)
{
    render_color(rd, rgba);
    SDL_RenderFillRect(rd->r, &rc);
}

void render_frame(const Render *rd, SDL_Rect rc, uint32_t rgba, int t)
{
    render_color(rd, rgba);
    SDL_Rect e[4] = {{rc.x, rc.y, rc.w, t}, {rc.x, rc.y + rc.h - t, rc.w, t},
                     {rc.x, rc.y, t, rc.h}, {rc.x + rc.w - t, rc.y, t, rc.h}};
    SDL_RenderFillRects(rd->r, e, 4);
}

void render_focus(const Render *rd, SDL_Rect rc)
{
    render_frame(rd, rc, rd->th->focus, render_px(rd, 3));
}

void render_label(const Render *rd, SDL_Rect rc, const char *s, unsigned style, int size_px,
                  uint32_t color, int align)
{
    int w = text_width(rd->te, s, style, size_px, rd->lang);
    int h = text_line_height(rd->te, style, size_px);
    char *cut = NULL;
    if (w > rc.w && rc.w > 0) {
        /* Shorten to fit, on a UTF-8 boundary, and add an ellipsis. */
        size_t n = strlen(s);
        cut = xmalloc(n + 4);
        memcpy(cut, s, n + 1);
        while (n > 0) {
            do n--; while (n > 0 && ((unsigned char)cut[n] & 0xC0) == 0x80);
            memcpy(cut + n, "\u2026", 4);
            w = text_width(rd->te, cut, style, size_px, rd->lang);
            if (w <= rc.w) break;
        }
        s = cut;
    }
    int x = rc.x;
    if (align == TEXT_ALIGN_CENTER) x = rc.x + (rc.w - w) / 2;
    else if (align == TEXT_ALIGN_RIGHT) x = rc.x + rc.w - w;
    text_draw(rd->te, s, style, size_px, color, x, rc.y + (rc.h - h) / 2, rd->lang);
    free(cut);
}

void render_button(const Render *rd, SDL_Rect rc, const char *label, bool disabled, bool focused)
{
    const Theme *th = rd->th;
    render_fill(rd, rc, disabled ? th->button_disabled : th->button_bg);
    render_frame(rd, rc, th->bar_border, render_px(rd, 1));
    int pad = render_px(rd, 8);
    SDL_Rect in = {rc.x + pad, rc.y, rc.w - 2 * pad, rc.h};
    render_label(rd, in, label, TEXT_BOLD, render_px(rd, THEME_UI_PX),
                 disabled ? th->button_disabled_text : th->button_text, TEXT_ALIGN_CENTER);
    if (focused) render_focus(rd, rc);
}

bool rect_contains(SDL_Rect rc, int x, int y)
{
    return x >= rc.x && x < rc.x + rc.w && y >= rc.y && y < rc.y + rc.h;
}
