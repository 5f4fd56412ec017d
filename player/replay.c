/* replay: see replay.h. Each command becomes the SDL_Event a real device
 * would send, fed through app_handle_event(), so replayed input exercises
 * exactly the code paths of a real session. */
#include "replay.h"
#include "store.h"

#include <sqlite3.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool parse_key(const char *spec, SDL_Keycode *key, Uint16 *mod)
{
    *mod = KMOD_NONE;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", spec);
    char *name = buf;
    for (;;) {
        char *plus = strchr(name, '+');
        if (!plus || plus == name || plus[1] == 0) break;
        *plus = 0;
        if (strcasecmp(name, "ctrl") == 0) *mod |= KMOD_LCTRL;
        else if (strcasecmp(name, "shift") == 0) *mod |= KMOD_LSHIFT;
        else if (strcasecmp(name, "alt") == 0) *mod |= KMOD_LALT;
        else return false;
        name = plus + 1;
    }
    static const struct { const char *alias; SDL_Keycode key; } aliases[] = {
        {"plus", SDLK_PLUS}, {"minus", SDLK_MINUS}, {"equals", SDLK_EQUALS},
        {"enter", SDLK_RETURN}, {"pagedown", SDLK_PAGEDOWN}, {"pageup", SDLK_PAGEUP},
        {"esc", SDLK_ESCAPE}, {"space", SDLK_SPACE},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(name, aliases[i].alias) == 0) {
            *key = aliases[i].key;
            return true;
        }
    *key = SDL_GetKeyFromName(name);
    return *key != SDLK_UNKNOWN;
}

static void send(App *a, SDL_Event *ev)
{
    ev->common.timestamp = SDL_GetTicks();
    app_handle_event(a, ev);
}

static const char *screen_name(Screen s)
{
    return s == SCREEN_LIBRARY    ? "library"
           : s == SCREEN_LESSON   ? "lesson"
           : s == SCREEN_LEARNERS ? "learners"
                                  : "error";
}

static bool run_line(App *a, char *line, Error *err)
{
    char cmd[32] = {0};
    int used = 0;
    if (sscanf(line, "%31s %n", cmd, &used) < 1) return true;
    char *arg = line + used;
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    if (strcmp(cmd, "key") == 0) {
        SDL_Keycode key;
        Uint16 mod;
        if (!parse_key(arg, &key, &mod)) return error_set(err, "unknown key '%s'", arg);
        SDL_SetModState((SDL_Keymod)mod);
        ev.type = SDL_KEYDOWN;
        ev.key.state = SDL_PRESSED;
        ev.key.keysym.sym = key;
        ev.key.keysym.scancode = SDL_GetScancodeFromKey(key);
        ev.key.keysym.mod = mod;
        send(a, &ev);
        ev.type = SDL_KEYUP;
        ev.key.state = SDL_RELEASED;
        send(a, &ev);
        SDL_SetModState(KMOD_NONE);
    } else if (strcmp(cmd, "click") == 0 || strcmp(cmd, "press") == 0 ||
               strcmp(cmd, "release") == 0) {
        int x, y;
        if (sscanf(arg, "%d %d", &x, &y) != 2) return error_set(err, "%s needs X Y", cmd);
        ev.button.button = SDL_BUTTON_LEFT;
        ev.button.x = x;
        ev.button.y = y;
        ev.button.clicks = 1;
        if (strcmp(cmd, "release") != 0) {
            ev.type = SDL_MOUSEBUTTONDOWN;
            ev.button.state = SDL_PRESSED;
            send(a, &ev);
        }
        if (strcmp(cmd, "press") != 0) {
            ev.type = SDL_MOUSEBUTTONUP;
            ev.button.state = SDL_RELEASED;
            send(a, &ev);
        }
    } else if (strcmp(cmd, "move") == 0) {
        int x, y;
        if (sscanf(arg, "%d %d", &x, &y) != 2) return error_set(err, "move needs X Y");
        ev.type = SDL_MOUSEMOTION;
        ev.motion.x = x;
        ev.motion.y = y;
        send(a, &ev);
    } else if (strcmp(cmd, "wheel") == 0) {
        int dy;
        if (sscanf(arg, "%d", &dy) != 1) return error_set(err, "wheel needs a number of steps");
        ev.type = SDL_MOUSEWHEEL;
        ev.wheel.y = dy;
        ev.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
        send(a, &ev);
    } else if (strcmp(cmd, "text") == 0) {
        ev.type = SDL_TEXTINPUT;
        snprintf(ev.text.text, sizeof ev.text.text, "%s", arg);
        send(a, &ev);
    } else if (strcmp(cmd, "compose") == 0) {
        ev.type = SDL_TEXTEDITING;
        snprintf(ev.edit.text, sizeof ev.edit.text, "%s", arg);
        ev.edit.length = (Sint32)strlen(ev.edit.text);
        send(a, &ev);
    } else if (strcmp(cmd, "resize") == 0) {
        int w, h;
        if (sscanf(arg, "%d %d", &w, &h) != 2 || w <= 0 || h <= 0 || w > 8192 || h > 8192)
            return error_set(err, "resize needs a width and height from 1 to 8192");
        ev.type = SDL_WINDOWEVENT;
        ev.window.event = SDL_WINDOWEVENT_SIZE_CHANGED;
        ev.window.data1 = w;
        ev.window.data2 = h;
        send(a, &ev);
    } else if (strcmp(cmd, "wait") == 0) {
        int ms;
        if (sscanf(arg, "%d", &ms) != 1 || ms < 0 || ms > 60000)
            return error_set(err, "wait needs milliseconds from 0 to 60000");
        SDL_Delay((Uint32)ms);
        app_tick(a); /* what an idle window does from time to time */
    } else if (strcmp(cmd, "screenshot") == 0) {
        if (!*arg) return error_set(err, "screenshot needs a file name");
        if (!app_screenshot(a, arg, err)) return false;
    } else if (strcmp(cmd, "focus") == 0) {
        /* Presses Tab until the named control has the focus, as a keyboard
         * user would; fails if it is not reachable. */
        for (int i = 0; i < 400; i++) {
            app_draw(a);
            if (strcmp(app_state(a).focus, arg) == 0) return true;
            ev.type = SDL_KEYDOWN;
            ev.key.state = SDL_PRESSED;
            ev.key.keysym.sym = SDLK_TAB;
            ev.key.keysym.scancode = SDL_SCANCODE_TAB;
            send(a, &ev);
        }
        return error_set(err, "cannot reach '%s' with the Tab key", arg);
    } else if (strcmp(cmd, "fault") == 0) {
        /* Tests only: make the disk fail under the progress store. */
        if (strcmp(arg, "disk-full") == 0) store_test_fail_writes(SQLITE_FULL);
        else if (strcmp(arg, "read-only") == 0) store_test_fail_writes(SQLITE_READONLY);
        else if (strcmp(arg, "none") == 0) store_test_fail_writes(0);
        else return error_set(err, "fault needs disk-full, read-only or none");
    } else if (strcmp(cmd, "wait-sync") == 0) {
        /* Waits (at most two minutes) for "Send progress now" to finish. */
        for (int i = 0; i < 6000 && app_state(a).syncing; i++) {
            SDL_Delay(20);
            app_tick(a);
        }
        if (app_state(a).syncing) return error_set(err, "sending progress did not finish");
    } else if (strcmp(cmd, "poll-files") == 0) {
        /* What a preview window does twice a second. */
        app_poll_files(a);
    } else if (strcmp(cmd, "quit") == 0) {
        ev.type = SDL_QUIT;
        send(a, &ev);
    } else if (strcmp(cmd, "expect") == 0) {
        app_draw(a);
        AppState st = app_state(a);
        char what[32] = {0};
        int n = 0;
        if (sscanf(arg, "%31s %n", what, &n) < 1) return error_set(err, "expect what?");
        const char *val = arg + n;
        if (strcmp(what, "page") == 0) {
            if (st.page != atoi(val))
                return error_set(err, "expected page %s, but page %d is shown", val, st.page);
        } else if (strcmp(what, "screen") == 0) {
            if (strcmp(screen_name(st.screen), val) != 0)
                return error_set(err, "expected the %s screen, but the %s screen is shown", val,
                                 screen_name(st.screen));
        } else if (strcmp(what, "focus") == 0) {
            if (strcmp(st.focus, val) != 0)
                return error_set(err, "expected focus on '%s', but it is on '%s'", val, st.focus);
        } else if (strcmp(what, "scrolled") == 0) {
            bool want = strcmp(val, "yes") == 0;
            if ((st.scroll > 0) != want)
                return error_set(err, "expected scrolled %s, scroll is %d", val, st.scroll);
        } else if (strcmp(what, "bottom") == 0) {
            if (st.scroll != st.max_scroll)
                return error_set(err, "expected the bottom of the page, scroll is %d of %d",
                                 st.scroll, st.max_scroll);
        } else if (strcmp(what, "question") == 0) {
            if (st.quiz_question != atoi(val))
                return error_set(err, "expected quiz question %s, but %d is shown", val, st.quiz_question);
        } else if (strcmp(what, "results") == 0) {
            if (!st.quiz_results) return error_set(err, "expected the quiz results, but they are not shown");
        } else if (strcmp(what, "score") == 0) {
            int want = atoi(val), got = (int)(st.quiz_scaled * 100 + 0.5);
            if (want != got) return error_set(err, "expected a quiz score of %d%%, but it is %d%%", want, got);
        } else if (strcmp(what, "passed") == 0) {
            bool want = strcmp(val, "yes") == 0;
            if (st.quiz_passed != want)
                return error_set(err, "expected the quiz %s, but it is %s", want ? "passed" : "not passed",
                                 st.quiz_passed ? "passed" : "not passed");
        } else if (strcmp(what, "prompt") == 0) {
            /* The question shown has a prompt containing TEXT (one line of
             * it: event files cannot hold a line break). */
            if (!st.quiz_prompt || !strstr(st.quiz_prompt, val))
                return error_set(err, "expected a quiz prompt with '%s', got '%s'", val,
                                 st.quiz_prompt ? st.quiz_prompt : "no question shown");
        } else if (strcmp(what, "quiz-error") == 0) {
            if (!st.quiz_error || !strstr(st.quiz_error, val))
                return error_set(err, "expected a quiz error with '%s', got '%s'", val,
                                 st.quiz_error ? st.quiz_error : "no error");
        } else if (strcmp(what, "synced") == 0) {
            if (!strstr(st.sync_message, val))
                return error_set(err, "expected the last send to say '%s', it says '%s'", val, st.sync_message);
        } else if (strcmp(what, "waiting") == 0) {
            if (st.waiting != atoll(val))
                return error_set(err, "expected %s records waiting, there are %lld", val, st.waiting);
        } else if (strcmp(what, "saving") == 0) {
            bool want_ok = strcmp(val, "ok") == 0;
            if (want_ok != !st.saving_problem)
                return error_set(err, "expected saving %s, but %s", val,
                                 st.saving_problem ? st.saving_problem : "progress is being saved");
        } else if (strcmp(what, "error") == 0) {
            if (!st.error || !strstr(st.error, val))
                return error_set(err, "expected an error with '%s', got '%s'", val,
                                 st.error ? st.error : "no error");
        } else {
            return error_set(err, "unknown expectation '%s'", what);
        }
    } else {
        return error_set(err, "unknown command '%s'", cmd);
    }
    return true;
}

bool replay_text(App *a, const char *name, const char *text, Error *err)
{
    char *copy = xstrdup(text);
    int lineno = 0;
    bool ok = true;
    char *save = NULL;
    for (char *line = copy; ; line = NULL) {
        char *l = strtok_r(line, "\n", &save);
        if (!l) break;
        lineno++;
        size_t n = strlen(l);
        while (n && (l[n - 1] == '\r' || l[n - 1] == ' ')) l[--n] = 0;
        while (*l == ' ' || *l == '\t') l++;
        if (!*l || *l == '#') continue;
        Error e = {{0}};
        if (!run_line(a, l, &e)) {
            error_set(err, "%s:%d: %s", name, lineno, e.msg);
            ok = false;
            break;
        }
        if (app_state(a).quit) break;
    }
    free(copy);
    return ok;
}

bool replay_file(App *a, const char *path, Error *err)
{
    char *text;
    if (!file_read_all(path, 4 << 20, &text, NULL, err)) return false;
    bool ok = replay_text(a, path, text, err);
    free(text);
    return ok;
}
