/* theme: the player's colours (0xRRGGBBAA) and base sizes, in a normal and a
 * high-contrast variant. All drawing takes its colours from here. */
#ifndef OUTPOST_THEME_H
#define OUTPOST_THEME_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Theme {
    uint32_t bg, text, muted, heading, link, code_bg, code_text;
    uint32_t quote_bg, quote_bar, rule, table_border, table_head_bg, table_alt_bg;
    uint32_t bar_bg, bar_text, bar_border, button_bg, button_text, button_disabled;
    uint32_t button_disabled_text;
    uint32_t focus, scroll_track, scroll_thumb, sidebar_bg, sidebar_text, sidebar_current;
    uint32_t error_bg, error_text, error_accent, image_missing_bg;
} Theme;

const Theme *theme_get(bool high_contrast);

/* Base sizes in unscaled pixels; multiply by the UI scale. */
enum {
    THEME_BODY_PX = 18,
    THEME_UI_PX = 15,
    THEME_CODE_PX = 16,
    THEME_COLUMN_PX = 760, /* a readable measure: about 75 characters */
    THEME_BAR_PX = 44,
    THEME_SIDEBAR_PX = 260,
};

#endif
