/* uistrings: see uistrings.h. */
#include "uistrings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const english[STR_COUNT] = {
#define S(key, text) text,
#include "../assets/strings/en.def"
#undef S
};

static const char *const keys[STR_COUNT] = {
#define S(key, text) #key,
#include "../assets/strings/en.def"
#undef S
};

static char *loaded[STR_COUNT];

const char *str(StrId id)
{
    if ((unsigned)id >= STR_COUNT) return "";
    return loaded[id] ? loaded[id] : english[id];
}

void strings_reset(void)
{
    for (int i = 0; i < STR_COUNT; i++) {
        free(loaded[i]);
        loaded[i] = NULL;
    }
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = 0;
    return s;
}

bool strings_load(const char *path, Error *err)
{
    char *data;
    if (!file_read_all(path, 1 << 20, &data, NULL, err)) return false;
    int line = 0;
    bool ok_all = true;
    for (char *save = NULL, *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        char *s = trim(l);
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) continue;
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        int id = -1;
        for (int i = 0; i < STR_COUNT; i++)
            if (strcmp(keys[i], key) == 0) id = i;
        if (id < 0) {
            if (ok_all) error_set(err, "%s: unknown string '%s'", path, key);
            ok_all = false;
            continue;
        }
        free(loaded[id]);
        loaded[id] = xstrdup(val);
    }
    free(data);
    return true;
}

/* The sequence of conversion letters in a format ("%s%d" -> "sd"). */
static void conversions(const char *f, char *out, size_t n)
{
    size_t k = 0;
    for (; *f && k + 1 < n; f++) {
        if (*f != '%') continue;
        f++;
        while (*f && strchr("0123456789.-+ #l", *f)) f++;
        if (!*f) break;
        if (*f != '%') out[k++] = *f;
    }
    out[k] = 0;
}

char *str_printf(StrId id, ...)
{
    const char *fmt = str(id);
    if ((unsigned)id < STR_COUNT && loaded[id]) {
        char a[32], b[32];
        conversions(loaded[id], a, sizeof a);
        conversions(english[id], b, sizeof b);
        if (strcmp(a, b) != 0) fmt = english[id];
    }
    va_list ap;
    va_start(ap, id);
    char *out = xvasprintf(fmt, ap);
    va_end(ap);
    return out;
}
