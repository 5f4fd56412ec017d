/* paths: see paths.h. */
#include "paths.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *g_override;  /* from --data, absolute */
static char *g_dir;       /* resolved data folder */
static char *g_settings, *g_database, *g_lessons, *g_keys;
static bool g_tried_create;

static void free_derived(void)
{
    free(g_dir);
    free(g_settings);
    free(g_database);
    free(g_lessons);
    free(g_keys);
    g_dir = g_settings = g_database = g_lessons = g_keys = NULL;
    g_tried_create = false;
}

void paths_reset(void)
{
    free_derived();
    free(g_override);
    g_override = NULL;
}

/* Absolute form of p, without trailing slashes (except for "/"). */
static char *absolute(const char *p)
{
    char *r;
    if (p[0] == '/') {
        r = xstrdup(p);
    } else {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) return xstrdup(p);
        r = xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, p);
    }
    size_t n = strlen(r);
    while (n > 1 && r[n - 1] == '/') r[--n] = 0;
    return r;
}

void paths_set_data_dir(const char *dir)
{
    paths_reset();
    if (dir && *dir) g_override = absolute(dir);
}

static const char *home_dir(void)
{
    const char *h = getenv("HOME");
    if (h && h[0] == '/') return h;
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_dir && pw->pw_dir[0] == '/') return pw->pw_dir;
    return NULL;
}

static void resolve(void)
{
    if (g_dir) return;
    const char *env = getenv("OUTPOST_DATA");
    const char *xdg = getenv("XDG_DATA_HOME");
    if (g_override) {
        g_dir = xstrdup(g_override);
    } else if (env && *env) {
        g_dir = absolute(env);
    } else if (xdg && xdg[0] == '/') {
        /* The XDG spec says relative values are invalid and must be ignored. */
        g_dir = xasprintf("%s/outpost", xdg);
    } else {
        const char *home = home_dir();
        /* No home at all (a stripped service account): the current folder is
         * the only place left that the user can see and back up. */
        g_dir = home ? xasprintf("%s/.local/share/outpost", home) : absolute("outpost-data");
    }
    g_settings = xasprintf("%s/settings.conf", g_dir);
    g_database = xasprintf("%s/outpost.db", g_dir);
    g_lessons = xasprintf("%s/lessons", g_dir);
    g_keys = xasprintf("%s/trusted-keys", g_dir);
}

bool paths_ensure_data_dir(Error *err)
{
    resolve();
    g_tried_create = true;
    if (path_is_dir(g_dir)) return true;
    struct stat st;
    if (stat(g_dir, &st) == 0)
        return error_set(err,
                         "cannot use %s as the data folder: it is a file, not a folder "
                         "(choose another with --data DIR or OUTPOST_DATA)",
                         g_dir);
    Error e;
    if (!mkdir_p(g_dir, &e)) {
        /* mkdir_p says "PARENT: cannot create folder: REASON"; keep REASON. */
        const char *why = strrchr(e.msg, ':');
        return error_set(err,
                         "cannot create the data folder %s: %s "
                         "(choose another with --data DIR or OUTPOST_DATA)",
                         g_dir, why ? why + 2 : e.msg);
    }
    return true;
}

const char *paths_data_dir(void)
{
    resolve();
    if (!g_tried_create) paths_ensure_data_dir(NULL);
    return g_dir;
}

const char *paths_settings_file(void)
{
    paths_data_dir();
    return g_settings;
}

const char *paths_database_file(void)
{
    paths_data_dir();
    return g_database;
}

const char *paths_user_lessons_dir(void)
{
    paths_data_dir();
    if (!path_is_dir(g_lessons)) mkdir(g_lessons, 0700);
    return g_lessons;
}

const char *paths_keys_dir(void)
{
    paths_data_dir();
    if (!path_is_dir(g_keys)) mkdir(g_keys, 0700);
    return g_keys;
}
