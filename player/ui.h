/* ui: the player's screens (library, lesson, error), their input handling
 * and drawing. The same code serves a real window and the headless mode,
 * where drawing goes to an in-memory surface through SDL's software
 * renderer and input comes from an event file (replay.h). */
#ifndef OUTPOST_UI_H
#define OUTPOST_UI_H

#include "util.h"
#include <SDL2/SDL.h>

typedef enum Screen { SCREEN_LIBRARY, SCREEN_LESSON, SCREEN_ERROR, SCREEN_LEARNERS } Screen;

typedef struct AppOptions {
    const char *path;  /* a .lesson file, a lesson folder, or a folder of lessons;
                          NULL opens the library of the default lesson folders */
    bool headless;     /* render off-screen on SDL's dummy video driver */
    int width, height; /* window size in screen points (0 = 1024 x 720) */
    float scale;       /* HiDPI factor; 0 = ask the window (1 when headless) */
    int page;          /* 1-based page to open the lesson at; 0 = first, or where
                          the learner left off */
    const char *learner; /* study as this learner (created if new), skipping
                            the learner screen */
    bool preview;      /* an author's preview: reload when the lesson's files change */
    uint64_t seed;     /* quiz seed for new attempts (tests, demos); 0 = random */
    bool no_learner;   /* record no progress and skip the learner screen (for
                          --screenshot: a picture of a page, not a session) */
} AppOptions;

typedef struct AppState {
    Screen screen;
    int page, n_pages;     /* 1-based current page and page count (lesson screen) */
    int scroll, max_scroll;
    int missing;           /* characters drawn without a font on the current page */
    int n_problems;        /* pictures on the current page that could not be shown */
    const char *error;     /* the error screen's message, else NULL (owned by the app) */
    const char *focus;     /* name of the focused control, or "" */
    const char *badge;     /* the lesson's signature: "Verified: X", "Unsigned"... */
    bool quiz_results;     /* a quiz page shows its results */
    int quiz_question;     /* 1-based question shown on a quiz page, 0 if none */
    double quiz_scaled;    /* the quiz's score so far, 0..1 */
    bool quiz_passed;
    const char *quiz_error; /* a quiz script's error, or NULL */
    const char *saving_problem; /* why progress is not being saved, or NULL */
    bool syncing;          /* "Send progress now" is at work */
    const char *sync_message; /* outcome of the last send from the library, or "" */
    long long waiting;     /* statements waiting to be sent */
    /* Added for the course replay tests (expect prompt): */
    const char *quiz_prompt; /* the prompt of the quiz question shown, or NULL */
    bool quit;
} AppState;

typedef struct App App;

/* Starts SDL, the window (or the off-screen surface) and opens opt->path.
 * Returns NULL with a reason only if SDL itself cannot start; a lesson that
 * cannot be opened gives the error screen (see app_state().error).
 * The caller frees with app_free(). */
App *app_new(const AppOptions *opt, Error *err);
void app_free(App *a);

/* The interactive loop for a real window; returns when the window closes. */
int app_run(App *a);

/* Feeds one input event (real or replayed). */
void app_handle_event(App *a, const SDL_Event *ev);
/* Draws the current screen into the renderer's target. */
void app_draw(App *a);
/* Draws and writes the current screen as a PNG. */
bool app_screenshot(App *a, const char *png_path, Error *err);
/* Changes the window (or off-screen surface) size in points. */
void app_resize(App *a, int w, int h);

AppState app_state(App *a);
/* The i-th picture problem of the current page ("images/x.png: reason"). */
const char *app_problem(App *a, int i);
/* Periodic work, done by app_run() every few seconds while idle and by the
 * replay's `wait`: saves progress that could not be saved before (disk
 * full, folder read-only), and in preview mode looks for changed files. */
void app_tick(App *a);

/* In preview mode, checks the lesson folder for changes and reloads the
 * lesson at the same page and scroll position if it changed. Returns true if
 * it reloaded. app_run() calls it twice a second. */
bool app_poll_files(App *a);

/* Milliseconds spent in the last layout and the last draw (for benchmarks). */
void app_last_timings(App *a, double *layout_ms, double *draw_ms);
/* Drops cached page layouts so the next draw lays the page out again. */
void app_drop_layouts(App *a);

#endif
