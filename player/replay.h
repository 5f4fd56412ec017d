/* replay: runs an event file against the player, for tests, tools and
 * people without a display. One command per line; '#' starts a comment.
 * See docs/headless.md for the format. */
#ifndef OUTPOST_REPLAY_H
#define OUTPOST_REPLAY_H

#include "ui.h"

/* Runs every line of the file at path. Stops at the first line that cannot
 * be understood or whose "expect" does not hold, with "FILE:LINE: reason".
 * Screenshot paths are relative to the current folder. */
bool replay_file(App *a, const char *path, Error *err);
/* The same for text already in memory; name is used in messages. */
bool replay_text(App *a, const char *name, const char *text, Error *err);

#endif
