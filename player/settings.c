/* settings: see settings.h. */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void settings_defaults(Settings *s)
{
    s->text_scale = 1.0f;
    s->high_contrast = false;
    s->toc_visible = true;
    s->ui_language[0] = 0;
}

void settings_load(Settings *s, const char *path)
{
    char *data;
    if (!path || !file_read_all(path, 65536, &data, NULL, NULL)) return;
    for (char *save = NULL, *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char key[64], val[64];
        if (sscanf(l, " %63[a-z_] = %63s", key, val) != 2) continue;
        if (strcmp(key, "text_scale") == 0) {
            float f = strtof(val, NULL);
            if (f >= SETTINGS_SCALE_MIN && f <= SETTINGS_SCALE_MAX) s->text_scale = f;
        } else if (strcmp(key, "high_contrast") == 0) {
            s->high_contrast = strcmp(val, "yes") == 0;
        } else if (strcmp(key, "contents") == 0) {
            s->toc_visible = strcmp(val, "hidden") != 0;
        } else if (strcmp(key, "language") == 0 && strspn(val, "abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(val)) {
            snprintf(s->ui_language, sizeof s->ui_language, "%s", val);
        }
    }
    free(data);
}

bool settings_save(const Settings *s, const char *path, Error *err)
{
    char *text = xasprintf("# Outpost display settings\n"
                           "text_scale = %.2f\nhigh_contrast = %s\ncontents = %s\n%s%s%s",
                           (double)s->text_scale, s->high_contrast ? "yes" : "no",
                           s->toc_visible ? "shown" : "hidden",
                           s->ui_language[0] ? "language = " : "", s->ui_language,
                           s->ui_language[0] ? "\n" : "");
    bool ok = file_write_atomic(path, text, strlen(text), err);
    free(text);
    return ok;
}
