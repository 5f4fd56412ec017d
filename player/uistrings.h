/* uistrings: every string the player's UI shows, by id. The English text lives
 * in assets/strings/en.def; strings_load() lays a translation over it. */
#ifndef OUTPOST_UISTRINGS_H
#define OUTPOST_UISTRINGS_H

#include "util.h"

typedef enum StrId {
#define S(key, text) STR_##key,
#include "../assets/strings/en.def"
#undef S
    STR_COUNT
} StrId;

/* The current text of a string (owned by the string table). */
const char *str(StrId id);

/* Formats a string with printf arguments into a heap string the caller
 * frees. A translation whose %-conversions differ from the English ones is
 * not trusted: the English text is used instead. */
char *str_printf(StrId id, ...);

/* Loads "KEY = text" lines from a translation file over the English text.
 * Unknown keys are reported in err but do not stop the load; returns false
 * only if the file cannot be read. */
bool strings_load(const char *path, Error *err);
/* Back to English; frees loaded translations. */
void strings_reset(void);

#endif
