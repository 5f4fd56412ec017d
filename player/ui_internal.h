/* ui_internal: what the player's screens share inside the UI: the App
 * state, the control list and the screen geometry. Not a public API: only
 * ui.c and the screen files (learners.c) include it. */
#ifndef OUTPOST_UI_INTERNAL_H
#define OUTPOST_UI_INTERNAL_H

#include "field.h"
#include "layout.h"
#include "manifest.h"
#include "markdown.h"
#include "package.h"
#include "render.h"
#include "settings.h"
#include "store.h"
#include "text.h"
#include "theme.h"
#include "ui.h"

#define LAYOUT_CACHE 3
#define MAX_WIDGETS 1024

enum WidgetKind {
    W_NONE,
    W_TOC_TOGGLE,
    W_SMALLER,
    W_LARGER,
    W_CONTRAST,
    W_LIBRARY,
    W_PREV,
    W_NEXT,
    W_ERR_BACK,
    W_SWITCH_LEARNER,
    W_CONTINUE,
    W_NEW_LEARNER,
    W_FIELD_NAME,
    W_FIELD_PIN,
    W_CREATE,
    W_CANCEL,
    W_PIN_OK,
    W_NO_STORE,
    W_SKIP_QUIZ,
    W_SYNC,
    W_TOC_ITEM,  /* + page index (kinds from here on carry an index) */
    W_LEARNER,   /* + learner */
    W_QUIZ,      /* + quiz view control id */
    W_LINK,      /* + link number */
    W_LIB_ITEM,  /* + library entry */
};

typedef struct Widget {
    int kind, index;
    SDL_Rect rc;
} Widget;

typedef struct LibEntry {
    char *path, *title, *lang, *desc, *error;
    int n_pages, minutes;
    uint64_t size;
    Manifest *man;            /* kept for progress summaries; NULL if broken */
    StoreLessonSummary sum;   /* this learner's progress */
    bool has_sum;
} LibEntry;

enum LearnerMode { LEARNERS_LIST, LEARNERS_PIN, LEARNERS_CREATE };

typedef struct CachedPage {
    int page, width;
    float scale;
    bool contrast;
    Doc *doc;
    PageLayout *pl;
    double layout_ms;
} CachedPage;

struct App {
    AppOptions opt;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surface; /* headless target */
    TextEngine *te;
    Settings set;
    int win_w, win_h; /* points */
    int W, H;         /* pixels */
    float dpi;
    Screen screen;
    bool quit;
    /* library */
    LibEntry *lib;
    int n_lib;
    char *lib_dir;
    bool have_library;
    int lib_scroll;
    /* lesson */
    Package *pkg;
    Manifest *man;
    char *badge;              /* "Verified: ..." / "Unsigned" */
    char **titles;
    int page, scroll, toc_scroll;
    CachedPage cache[LAYOUT_CACHE];
    int cache_next;
    double last_layout_ms, last_draw_ms;
    /* error screen */
    char *error, *error_file;
    /* progress */
    Store *store;
    bool store_failed;          /* no database could be opened */
    char store_problem[768];    /* why, for the learner screen */
    char learner_id[STORE_ID_SIZE];
    char learner_name[256];
    bool start_pending;         /* the learner screen comes before opening */
    int continue_entry;         /* library entry to continue, -1 none */
    double page_scroll_frac;    /* resume position to apply once laid out, <0 none */
    /* learner screen */
    StoreLearner *learners;
    int n_learners;
    int learner_mode, pin_for;
    TextField name_field, pin_field;
    char *learner_message;
    /* quiz page */
    struct QuizView *quiz;
    int quiz_page;              /* page the quiz view belongs to, -1 none */
    char attempt_id[STORE_ID_SIZE];
    char *quiz_error;           /* the quiz could not be loaded */
    int quiz_height;
    /* preview */
    uint64_t files_print;       /* fingerprint of the lesson folder */
    int preview_page, preview_scroll; /* kept while the lesson shows an error */
    /* sending progress from the library */
    SDL_Thread *sync_thread;
    SDL_atomic_t sync_state;    /* 0 idle, 1 sending, 2 finished */
    char sync_learner[STORE_ID_SIZE];
    char sync_message[600];     /* outcome of the last send, for the footer */
    bool sync_configured;
    int64_t waiting;            /* statements not yet delivered */
    char *last_sync;
    /* widgets and focus */
    Widget widgets[MAX_WIDGETS];
    int n_widgets;
    int focus_kind, focus_index; /* W_NONE = no focus */
    bool dragging_thumb;
    int drag_offset;
    char focus_name[64];
};

/* ---- geometry ------------------------------------------------------- */

typedef struct Geo {
    SDL_Rect top, bottom, sidebar, content, scrollbar;
    int col_x, col_w, pad_top;
    float page_scale, ui;
    bool has_sidebar;
} Geo;

/* Shared by the screens (defined in ui.c). */
Geo ui_geometry(const App *a);
Render ui_render(const App *a);
void ui_add_widget(App *a, int kind, int index, SDL_Rect rc);
int ui_button_w(App *a, const Geo *g, const char *label);
bool ui_focused(const App *a, int kind, int index);
/* Opens what the command line asked for (a lesson, a folder, the library). */
void ui_open_start(App *a);

/* The learner screen (learners.c). */
void learners_show(App *a);
void learners_free(App *a);
void learners_build(App *a, const Geo *g);
void learners_draw(App *a, const Geo *g);
/* Handles a key or text event on the learner screen; true if used. */
bool learners_event(App *a, const SDL_Event *ev);
void learners_activate(App *a, int kind, int index);

#endif
