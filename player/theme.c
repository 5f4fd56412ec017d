/* theme: see theme.h. The high-contrast theme is white on black with yellow
 * accents, the usual choice of readers with low vision. */
#include "theme.h"

static const Theme normal = {
    .bg = 0xFFFFFFFF, .text = 0x1F2328FF, .muted = 0x59636EFF, .heading = 0x0B3D6BFF,
    .link = 0x0A58CAFF, .code_bg = 0xF2F4F7FF, .code_text = 0x24292FFF,
    .quote_bg = 0xEEF5FCFF, .quote_bar = 0x2F76C4FF, .rule = 0xD0D7DEFF,
    .table_border = 0xC4CCD4FF, .table_head_bg = 0xE6EDF5FF, .table_alt_bg = 0xF7F9FBFF,
    .bar_bg = 0x0B3D6BFF, .bar_text = 0xFFFFFFFF, .bar_border = 0x08305AFF,
    .button_bg = 0x1D5A96FF, .button_text = 0xFFFFFFFF, .button_disabled = 0x5F7F9FFF,
    .button_disabled_text = 0xE8EEF4FF,
    .focus = 0xF2A900FF, .scroll_track = 0xEEF0F2FF, .scroll_thumb = 0x9AA5B1FF,
    .sidebar_bg = 0xF4F6F8FF, .sidebar_text = 0x1F2328FF, .sidebar_current = 0xD6E6F7FF,
    .error_bg = 0xFFF4F2FF, .error_text = 0x5A1A12FF, .error_accent = 0xC0392BFF,
    .image_missing_bg = 0xFBEFEFFF,
};

static const Theme contrast = {
    .bg = 0x000000FF, .text = 0xFFFFFFFF, .muted = 0xE0E0E0FF, .heading = 0xFFFF00FF,
    .link = 0x66E0FFFF, .code_bg = 0x1A1A1AFF, .code_text = 0xFFFFFFFF,
    .quote_bg = 0x101010FF, .quote_bar = 0xFFFF00FF, .rule = 0xFFFFFFFF,
    .table_border = 0xFFFFFFFF, .table_head_bg = 0x202020FF, .table_alt_bg = 0x000000FF,
    .bar_bg = 0x000000FF, .bar_text = 0xFFFFFFFF, .bar_border = 0xFFFFFFFF,
    .button_bg = 0x000000FF, .button_text = 0xFFFF00FF, .button_disabled = 0x000000FF,
    .button_disabled_text = 0xA0A0A0FF,
    .focus = 0x00FFFFFF, .scroll_track = 0x202020FF, .scroll_thumb = 0xFFFFFFFF,
    .sidebar_bg = 0x000000FF, .sidebar_text = 0xFFFFFFFF, .sidebar_current = 0x303000FF,
    .error_bg = 0x000000FF, .error_text = 0xFFFFFFFF, .error_accent = 0xFF5050FF,
    .image_missing_bg = 0x200000FF,
};

const Theme *theme_get(bool high_contrast)
{
    return high_contrast ? &contrast : &normal;
}
