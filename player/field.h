/* field: a one-line text input for the player's forms and quiz answers.
 * Text arrives through SDL text input, so input methods for Thai, Chinese
 * and Vietnamese work: text being composed is shown underlined at the caret
 * until the input method commits it. */
#ifndef OUTPOST_FIELD_H
#define OUTPOST_FIELD_H

#include "render.h"

#define FIELD_MAX_BYTES 256

typedef struct TextField {
    char text[FIELD_MAX_BYTES];  /* committed UTF-8 text */
    char composing[SDL_TEXTEDITINGEVENT_TEXT_SIZE]; /* not yet committed */
    bool masked;                 /* show dots (PINs) */
} TextField;

/* Applies a text, editing or Backspace event; returns true if the field
 * changed. Other events are ignored. */
bool field_handle_event(TextField *f, const SDL_Event *ev);
void field_clear(TextField *f);
/* Draws the field in rc: a box, the text (or placeholder when empty), the
 * composition underlined, and a caret and focus ring when focused. */
void field_draw(const Render *rd, const TextField *f, SDL_Rect rc, const char *placeholder,
                bool focused);

#endif
