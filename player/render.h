/* render: drawing primitives for the player's own screens (bars, buttons,
 * focus rings, scrollbars, lists), on top of SDL_Renderer and the text
 * engine. Pages themselves are drawn by layout_draw(). */
#ifndef OUTPOST_RENDER_H
#define OUTPOST_RENDER_H

#include "text.h"
#include "theme.h"

typedef struct Render {
    SDL_Renderer *r;
    TextEngine *te;
    const Theme *th;
    float ui;          /* UI scale: HiDPI factor x text size */
    const char *lang;  /* language of the UI strings */
} Render;

int render_px(const Render *rd, float v);
void render_color(const Render *rd, uint32_t rgba);
void render_fill(const Render *rd, SDL_Rect rc, uint32_t rgba);
void render_frame(const Render *rd, SDL_Rect rc, uint32_t rgba, int thickness);
/* A button with a centred label; disabled buttons are greyed. */
void render_button(const Render *rd, SDL_Rect rc, const char *label, bool disabled, bool focused);
/* A 3-pixel (scaled) focus ring drawn just inside rc, in the theme's focus colour. */
void render_focus(const Render *rd, SDL_Rect rc);
/* One line of text, vertically centred in rc, cut with an ellipsis if too wide. */
void render_label(const Render *rd, SDL_Rect rc, const char *s, unsigned style, int size_px,
                  uint32_t color, int align);
bool rect_contains(SDL_Rect rc, int x, int y);

#endif
