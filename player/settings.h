/* settings: the learner's display preferences (text size, high contrast,
 * contents sidebar), kept in a small "key = value" file in the data folder so
 * they persist between sessions. */
#ifndef OUTPOST_SETTINGS_H
#define OUTPOST_SETTINGS_H

#include "util.h"

#define SETTINGS_SCALE_MIN 0.7f
#define SETTINGS_SCALE_MAX 2.5f

typedef struct Settings {
    float text_scale;   /* 1.0 = default size */
    bool high_contrast;
    bool toc_visible;
    char ui_language[16]; /* language of the player's own words ("" = English);
                             a translation file strings/LANG.txt is loaded */
} Settings;

void settings_defaults(Settings *s);
/* Reads path over the defaults; a missing file is not an error, a malformed
 * line is skipped. Values are clamped to sane ranges. */
void settings_load(Settings *s, const char *path);
/* Writes atomically; false with a reason if the folder is not writable. */
bool settings_save(const Settings *s, const char *path, Error *err);

#endif
