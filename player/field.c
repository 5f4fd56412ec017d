/* field: see field.h. */
#include "field.h"

#include <string.h>

void field_clear(TextField *f)
{
    f->text[0] = 0;
    f->composing[0] = 0;
}

bool field_handle_event(TextField *f, const SDL_Event *ev)
{
    if (ev->type == SDL_TEXTINPUT) {
        size_t have = strlen(f->text), add = strlen(ev->text.text);
        f->composing[0] = 0;
        if (have + add >= sizeof f->text) return false;
        memcpy(f->text + have, ev->text.text, add + 1);
        return true;
    }
    if (ev->type == SDL_TEXTEDITING) {
        snprintf(f->composing, sizeof f->composing, "%s", ev->edit.text);
        return true;
    }
    if (ev->type == SDL_KEYDOWN && ev->key.keysym.sym == SDLK_BACKSPACE) {
        if (f->composing[0]) return false; /* the input method handles it */
        size_t n = strlen(f->text);
        if (!n) return false;
        /* Remove one whole UTF-8 character. */
        do n--; while (n > 0 && ((unsigned char)f->text[n] & 0xC0) == 0x80);
        f->text[n] = 0;
        return true;
    }
    return false;
}

void field_draw(const Render *rd, const TextField *f, SDL_Rect rc, const char *placeholder,
                bool focused)
{
    const Theme *th = rd->th;
    render_fill(rd, rc, th->bg);
    render_frame(rd, rc, focused ? th->focus : th->table_border, render_px(rd, focused ? 2 : 1));
    int size = render_px(rd, THEME_BODY_PX);
    int pad = render_px(rd, 8);
    char shown[FIELD_MAX_BYTES * 3 + 4];
    if (f->masked) {
        size_t n = 0, chars = 0;
        for (const char *p = f->text; *p; p++)
            if (((unsigned char)*p & 0xC0) != 0x80) chars++;
        for (size_t i = 0; i < chars && n + 4 < sizeof shown; i++) {
            memcpy(shown + n, "\u2022", 3);
            n += 3;
        }
        shown[n] = 0;
    } else {
        snprintf(shown, sizeof shown, "%s", f->text);
    }
    int h = text_line_height(rd->te, 0, size);
    int y = rc.y + (rc.h - h) / 2;
    int x = rc.x + pad;
    if (!shown[0] && !f->composing[0] && placeholder) {
        text_draw(rd->te, placeholder, TEXT_ITALIC, size, th->muted, x, y, rd->lang);
    } else {
        text_draw(rd->te, shown, 0, size, th->text, x, y, rd->lang);
        x += text_width(rd->te, shown, 0, size, rd->lang);
    }
    if (f->composing[0]) {
        text_draw(rd->te, f->composing, TEXT_UNDERLINE, size, th->link, x, y, rd->lang);
        x += text_width(rd->te, f->composing, TEXT_UNDERLINE, size, rd->lang);
    }
    if (focused) render_fill(rd, (SDL_Rect){x + 1, y, render_px(rd, 2), h}, th->text);
}
