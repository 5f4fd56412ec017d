/* paths: where Outpost keeps the user's data (progress database, settings,
 * installed lessons, trusted publisher keys). The data folder is, in order:
 *   1. the folder given with --data DIR (paths_set_data_dir),
 *   2. $OUTPOST_DATA,
 *   3. $XDG_DATA_HOME/outpost (only if XDG_DATA_HOME is an absolute path),
 *   4. ~/.local/share/outpost.
 * It is created with mode 0700 (learners' records are private) on first use;
 * an existing folder is used as it is.
 *
 * Strings returned here are owned by this module and stay valid until the next
 * paths_set_data_dir() or paths_reset() call. Not thread-safe: call from the
 * main thread (in practice the folder is chosen once at start-up). */
#ifndef OUTPOST_PATHS_H
#define OUTPOST_PATHS_H

#include "util.h"

/* Uses dir as the data folder (from --data DIR). NULL or "" returns to the
 * default order above. A relative dir is made absolute against the current
 * folder now, so a later chdir() does not move the data. */
void paths_set_data_dir(const char *dir);

/* Makes sure the data folder exists (creating it and its parents with mode
 * 0700) and is a folder. On failure: false with a reason such as
 * "cannot create the data folder /home/a/.local/share/outpost: Permission
 * denied (choose another with --data DIR or OUTPOST_DATA)". */
bool paths_ensure_data_dir(Error *err);

/* The data folder's absolute path. Never NULL: the folder is created on first
 * use when possible, but a failure is only reported by paths_ensure_data_dir();
 * opening a file inside it then fails with the file's own reason. */
const char *paths_data_dir(void);

/* Files and folders inside the data folder. Never NULL. The two folders are
 * created (mode 0700) on first call when possible. */
const char *paths_settings_file(void);    /* DATA/settings.conf */
const char *paths_database_file(void);    /* DATA/outpost.db */
const char *paths_user_lessons_dir(void); /* DATA/lessons */
const char *paths_keys_dir(void);         /* DATA/trusted-keys */

/* Forgets everything (the --data choice and cached strings) and frees it.
 * For tests and orderly shutdown. */
void paths_reset(void);

#endif
