/* ui: see ui.h. Immediate-mode screens: every frame the controls of the
 * current screen are listed (build_widgets) with their rectangles, and the
 * same list serves drawing, mouse hits and keyboard focus. Page layouts are
 * cached, so redraws and scrolling do no text shaping. */
#include "ui.h"
#include "ui_internal.h"

#include "layout.h"
#include "manifest.h"
#include "markdown.h"
#include "package.h"
#include "paths.h"
#include "shot.h"
#include "store.h"
#include "sync.h"
#include "tools.h"
#include "quizview.h"
#include <sodium.h>
#include "render.h"
#include "settings.h"
#include "uistrings.h"
#include "text.h"
#include "theme.h"

#include <SDL2/SDL_image.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float page_scale(const App *a) { return a->dpi * a->set.text_scale; }

static float ui_scale(const App *a)
{
    float t = a->set.text_scale < 1.0f ? 1.0f : a->set.text_scale > 1.5f ? 1.5f : a->set.text_scale;
    return a->dpi * t;
}

static Render make_render(const App *a)
{
    return (Render){a->ren, a->te, theme_get(a->set.high_contrast), ui_scale(a), "en"};
}

static PageLayout *current_layout(App *a, const Geo *g);
static Geo geometry(const App *a);
Geo ui_geometry(const App *a) { return geometry(a); }
Render ui_render(const App *a) { return make_render(a); }
static void close_quiz(App *a);
static void scroll_into_view(App *a, const Geo *g, SDL_Rect rc);
static void build_widgets(App *a, const Geo *g);
static int error_text(App *a, const Geo *g, bool draw);
static QuizView *current_quiz(App *a);
static int quiz_height(App *a, const Geo *g);
bool ui_focused(const App *a, int kind, int index)
{
    return a->focus_kind == kind && a->focus_index == index;
}

static Geo geometry(const App *a)
{
    Geo g = {0};
    g.ui = ui_scale(a);
    g.page_scale = page_scale(a);
    int bar = (int)(THEME_BAR_PX * g.ui + 0.5f);
    g.top = (SDL_Rect){0, 0, a->W, bar};
    g.bottom = (SDL_Rect){0, a->H - bar, a->W, bar};
    int side = (int)(THEME_SIDEBAR_PX * g.ui + 0.5f);
    g.has_sidebar = a->screen == SCREEN_LESSON && a->set.toc_visible && a->W >= side * 2 + 200;
    int sx = g.has_sidebar ? side : 0;
    int bottom_h = a->screen == SCREEN_LESSON || (a->screen == SCREEN_LIBRARY && a->store) ? bar : 0;
    g.sidebar = (SDL_Rect){0, bar, sx, a->H - bar - bottom_h};
    g.content = (SDL_Rect){sx, bar, a->W - sx, a->H - bar - bottom_h};
    if (a->store_problem[0] && a->screen != SCREEN_LEARNERS && a->screen != SCREEN_ERROR) {
        /* Room for the "progress is not being saved" band. */
        int band = (int)(32 * g.ui + 0.5f);
        g.content.y += band;
        g.content.h -= band;
    }
    int sbw = (int)(12 * g.ui + 0.5f);
    g.scrollbar = (SDL_Rect){g.content.x + g.content.w - sbw, g.content.y, sbw, g.content.h};
    int margin = (int)(24 * g.page_scale + 0.5f);
    int avail = g.content.w - sbw - 2 * margin;
    int col = (int)(THEME_COLUMN_PX * g.page_scale + 0.5f);
    g.col_w = avail < col ? avail : col;
    if (g.col_w < 120) g.col_w = 120;
    g.col_x = g.content.x + (g.content.w - sbw - g.col_w) / 2;
    g.pad_top = (int)(28 * g.page_scale + 0.5f);
    return g;
}

static int page_extent(App *a, const Geo *g)
{
    if (a->screen == SCREEN_LIBRARY) {
        int card = (int)(96 * g->ui + 0.5f), gap = (int)(12 * g->ui + 0.5f);
        return (int)(72 * g->ui) + a->n_lib * (card + gap) + gap;
    }
    if (current_quiz(a))
        return quiz_height(a, g) + 2 * g->pad_top + (quizview_error(a->quiz) ? (int)(60 * g->ui) : 0);
    PageLayout *pl = current_layout(a, g);
    return pl ? pl->height + 2 * g->pad_top : 0;
}

static double scroll_fraction(App *a)
{
    Geo g = geometry(a);
    int ext = page_extent(a, &g);
    return ext > 0 ? (double)a->scroll / ext : 0;
}

static int max_scroll(App *a, const Geo *g)
{
    int m = page_extent(a, g) - g->content.h;
    return m > 0 ? m : 0;
}

static int *scroll_ref(App *a) { return a->screen == SCREEN_LIBRARY ? &a->lib_scroll : &a->scroll; }

static void clamp_scroll(App *a, const Geo *g)
{
    int *s = scroll_ref(a);
    int m = max_scroll(a, g);
    if (*s > m) *s = m;
    if (*s < 0) *s = 0;
}

/* ---- lessons and the library ---------------------------------------- */

static void drop_cache(App *a)
{
    for (int i = 0; i < LAYOUT_CACHE; i++) {
        page_layout_free(a->cache[i].pl);
        doc_free(a->cache[i].doc);
        memset(&a->cache[i], 0, sizeof a->cache[i]);
        a->cache[i].page = -1;
    }
}

void app_drop_layouts(App *a) { drop_cache(a); }

/* ---- progress ----------------------------------------------------- */

static bool recording(const App *a) { return a->store && a->learner_id[0]; }

/* Remembers why progress could not be saved, for the banner. */
static void note_store(App *a, bool ok, const Error *err)
{
    const char *why = NULL;
    if (ok && !store_is_degraded(a->store)) a->store_problem[0] = 0;
    else if (store_is_degraded(a->store)) why = store_degraded_reason(a->store);
    else if (!ok) why = err->msg;
    if (!why) return;
    /* The banner says "Progress is not being saved:" itself. */
    static const char prefix[] = "progress is not being saved: ";
    if (strncmp(why, prefix, sizeof prefix - 1) == 0) why += sizeof prefix - 1;
    snprintf(a->store_problem, sizeof a->store_problem, "%s", why);
}

static double scroll_fraction(App *a);
static void record_completion(App *a);

/* Saves where the learner is, so the lesson reopens there. */
static void save_position(App *a)
{
    if (!recording(a) || !a->man) return;
    Error err = {{0}};
    bool ok = store_set_position(a->store, a->learner_id, a->man, a->man->pages[a->page].id,
                                 scroll_fraction(a), &err);
    note_store(a, ok, &err);
}

/* The learner has been shown the current page; completes the lesson once
 * every page is seen and every quiz passed. */
static void record_page(App *a)
{
    if (!recording(a) || !a->man) return;
    Error err = {{0}};
    const char *id = a->man->pages[a->page].id;
    bool ok = store_page_seen(a->store, a->learner_id, a->man, id, &err) &&
              store_set_position(a->store, a->learner_id, a->man, id, 0, &err);
    note_store(a, ok, &err);
    if (ok) record_completion(a);
}

static void record_completion(App *a)
{
    Error err = {{0}};
    const Manifest *m = a->man;
    StoreLessonSummary sum;
    if (store_lesson_summaries(a->store, a->learner_id, &m, 1, &sum, &err) &&
        sum.pages_seen == sum.pages_total && (sum.quiz_pages == 0 || sum.passed) && !sum.completed) {
        bool ok = store_lesson_completed(a->store, a->learner_id, a->man, &err);
        note_store(a, ok, &err);
    }
}

static void close_lesson(App *a)
{
    save_position(a);
    close_quiz(a);
    drop_cache(a);
    if (a->titles && a->man)
        for (int i = 0; i < a->man->n_pages; i++) free(a->titles[i]);
    free(a->titles);
    a->titles = NULL;
    manifest_free(a->man);
    a->man = NULL;
    free(a->badge);
    a->badge = NULL;
    package_close(a->pkg);
    a->pkg = NULL;
}

static void show_error(App *a, const char *file, const char *msg)
{
    close_lesson(a);
    free(a->error);
    free(a->error_file);
    a->error = xstrdup(msg);
    a->error_file = xstrdup(file);
    a->screen = SCREEN_ERROR;
    a->focus_kind = W_ERR_BACK;
    a->focus_index = 0;
}

/* A page's title for the contents: the manifest's, else its first heading,
 * else its file name. */
static char *page_title(Package *pkg, const ManifestPage *mp)
{
    if (mp->title) return xstrdup(mp->title);
    if (mp->kind == PAGE_MARKDOWN) {
        char *data;
        size_t len;
        if (package_read(pkg, mp->path, &data, &len, NULL)) {
            char *t = doc_first_heading(data, len);
            free(data);
            if (t) return t;
        }
    }
    const char *slash = strrchr(mp->path, '/');
    return xstrdup(slash ? slash + 1 : mp->path);
}

static bool open_lesson(App *a, const char *path, int page)
{
    close_lesson(a);
    Error err = {{0}};
    a->pkg = package_open(path, &err);
    if (a->pkg) {
        a->man = manifest_load(a->pkg, &err);
        /* Manifest messages start at lesson.lua; say which lesson. */
        if (!a->man) error_prefix(&err, "%s", path);
    }
    if (!a->man) {
        show_error(a, path, err.msg);
        return false;
    }
    /* A signed lesson must be exactly what its publisher signed. */
    SignStatus sign;
    char *publisher = NULL;
    if (!sign_verify_package(a->pkg, NULL, &publisher, &sign, &err) && sign != SIGN_UNTRUSTED) {
        char *why = str_printf(STR_TAMPERED, err.msg);
        char *msg = xasprintf("%s: %s", path, why);
        show_error(a, path, msg);
        free(why);
        free(msg);
        free(publisher);
        return false;
    }
    free(a->badge);
    a->badge = sign == SIGN_VERIFIED    ? str_printf(STR_VERIFIED, publisher)
               : sign == SIGN_UNTRUSTED ? str_printf(STR_UNTRUSTED, publisher)
                                        : xstrdup(str(STR_UNSIGNED));
    free(publisher);
    a->titles = xcalloc((size_t)a->man->n_pages, sizeof(char *));
    for (int i = 0; i < a->man->n_pages; i++) a->titles[i] = page_title(a->pkg, &a->man->pages[i]);
    a->page = page > 0 && page <= a->man->n_pages ? page - 1 : 0;
    a->scroll = 0;
    a->toc_scroll = 0;
    a->page_scroll_frac = -1;
    a->screen = SCREEN_LESSON;
    a->focus_kind = W_NONE;
    if (recording(a)) {
        /* Reopen where the learner left off, unless a page was asked for. */
        const Manifest *m = a->man;
        StoreLessonSummary sum;
        if (page <= 0 && store_lesson_summaries(a->store, a->learner_id, &m, 1, &sum, &err) &&
            sum.position_page >= 0) {
            a->page = sum.position_page;
            a->page_scroll_frac = sum.position_scroll;
        }
        bool ok = store_lesson_launched(a->store, a->learner_id, a->man, &err);
        note_store(a, ok, &err);
        record_page(a);
    }
    return true;
}

static void lib_free(App *a)
{
    for (int i = 0; i < a->n_lib; i++) {
        LibEntry *e = &a->lib[i];
        free(e->path), free(e->title), free(e->lang), free(e->desc), free(e->error);
        manifest_free(e->man);
    }
    free(a->lib);
    a->lib = NULL;
    a->n_lib = 0;
}

static int lib_cmp(const void *x, const void *y)
{
    const LibEntry *p = x, *q = y;
    return strcmp(p->path, q->path);
}

static void lib_add(App *a, const char *path, int *cap)
{
    if (a->n_lib == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        a->lib = xrealloc(a->lib, sizeof(LibEntry) * (size_t)*cap);
    }
    LibEntry *e = &a->lib[a->n_lib++];
    memset(e, 0, sizeof *e);
    e->path = xstrdup(path);
    Error err = {{0}};
    Package *pkg = package_open(path, &err);
    Manifest *m = pkg ? manifest_load(pkg, &err) : NULL;
    if (m) {
        e->title = xstrdup(m->title);
        e->lang = xstrdup(m->language);
        e->desc = m->description ? xstrdup(m->description) : NULL;
        e->n_pages = m->n_pages;
        e->minutes = m->minutes;
        e->size = package_disk_size(pkg);
        e->man = m;
        m = NULL;
    } else {
        const char *slash = strrchr(path, '/');
        e->title = xstrdup(slash ? slash + 1 : path);
        /* The card already names the file: show the reason after its name. */
        size_t n = strlen(path);
        e->error = xstrdup(strncmp(err.msg, path, n) == 0 && err.msg[n] == ':' ? err.msg + n + 2 : err.msg);
    }
    manifest_free(m);
    package_close(pkg);
}

static void scan_dir(App *a, const char *dir, int *cap)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char *p = xasprintf("%s/%s", dir, de->d_name);
        char *manifest = xasprintf("%s/lesson.lua", p);
        if ((str_ends_with(de->d_name, ".lesson") && path_is_file(p)) ||
            (path_is_dir(p) && path_is_file(manifest)))
            lib_add(a, p, cap);
        free(manifest);
        free(p);
    }
    closedir(d);
}

/* This learner's progress for every lesson of the library, and which one
 * "Continue" reopens: the one opened last. */
static void sync_refresh(App *a)
{
    if (!a->store) return;
    StoreOutboxCounts n;
    a->waiting = store_outbox_counts(a->store, &n, NULL) ? n.waiting : 0;
    free(a->last_sync);
    a->last_sync = sync_last(a->store);
    a->sync_configured = sync_is_configured();
}

/* Sends progress on a thread of its own, with its own connection to the
 * database, so the window stays responsive on a slow link. */
static int sync_worker(void *ud)
{
    App *a = ud;
    Error err = {{0}};
    char summary[256] = "";
    Store *s = store_open(NULL, NULL, &err);
    bool ok = s && sync_saved(s, a->sync_learner[0] ? a->sync_learner : NULL, summary,
                              sizeof summary, &err);
    store_close(s);
    if (ok) snprintf(a->sync_message, sizeof a->sync_message, "%s", summary);
    else {
        char *msg = str_printf(STR_SYNC_FAILED, err.msg);
        snprintf(a->sync_message, sizeof a->sync_message, "%s", msg);
        free(msg);
    }
    SDL_AtomicSet(&a->sync_state, 2);
    SDL_Event ev = {.type = SDL_USEREVENT};
    SDL_PushEvent(&ev); /* wake the window up */
    return 0;
}

static void sync_start(App *a)
{
    if (!a->store || SDL_AtomicGet(&a->sync_state) != 0) return;
    snprintf(a->sync_learner, sizeof a->sync_learner, "%s", a->learner_id);
    a->sync_message[0] = 0;
    SDL_AtomicSet(&a->sync_state, 1);
    a->sync_thread = SDL_CreateThread(sync_worker, "outpost-sync", a);
    if (!a->sync_thread) {
        SDL_AtomicSet(&a->sync_state, 0);
        snprintf(a->sync_message, sizeof a->sync_message, "%s", SDL_GetError());
    }
}

/* Collects a finished send; true if one finished. */
static bool sync_collect(App *a)
{
    if (SDL_AtomicGet(&a->sync_state) != 2) return false;
    SDL_WaitThread(a->sync_thread, NULL);
    a->sync_thread = NULL;
    SDL_AtomicSet(&a->sync_state, 0);
    sync_refresh(a);
    return true;
}

static void lib_refresh_progress(App *a)
{
    a->continue_entry = -1;
    sync_refresh(a);
    if (!recording(a) || !a->n_lib) return;
    const Manifest **mans = xcalloc((size_t)a->n_lib, sizeof *mans);
    int *idx = xcalloc((size_t)a->n_lib, sizeof *idx);
    int n = 0;
    for (int i = 0; i < a->n_lib; i++)
        if (a->lib[i].man) {
            idx[n] = i;
            mans[n++] = a->lib[i].man;
        }
    StoreLessonSummary *sums = xcalloc((size_t)(n ? n : 1), sizeof *sums);
    Error err = {{0}};
    if (n && store_lesson_summaries(a->store, a->learner_id, mans, n, sums, &err)) {
        int64_t best = 0;
        for (int k = 0; k < n; k++) {
            LibEntry *e = &a->lib[idx[k]];
            e->sum = sums[k];
            e->has_sum = true;
            if (sums[k].last_opened_ms > best) {
                best = sums[k].last_opened_ms;
                a->continue_entry = idx[k];
            }
        }
    }
    free(sums);
    free(idx);
    free(mans);
}

static void open_library(App *a)
{
    lib_free(a);
    int cap = 0;
    if (a->lib_dir) {
        scan_dir(a, a->lib_dir, &cap);
    } else {
        scan_dir(a, paths_user_lessons_dir(), &cap);
        scan_dir(a, OUTPOST_DATA_INSTALL_DIR "/lessons", &cap);
        /* Run from a build folder: the sample lessons packed next to it. */
        char *base = SDL_GetBasePath();
        if (base) {
            char *built = xasprintf("%s../content", base);
            if (strcmp(OUTPOST_DATA_INSTALL_DIR "/lessons", built) != 0) scan_dir(a, built, &cap);
            free(built);
            SDL_free(base);
        }
    }
    if (a->n_lib > 1) qsort(a->lib, (size_t)a->n_lib, sizeof(LibEntry), lib_cmp);
    a->have_library = true;
    lib_refresh_progress(a);
    a->screen = SCREEN_LIBRARY;
    a->focus_kind = a->n_lib ? W_LIB_ITEM : W_NONE;
    a->focus_index = 0;
}

static void go_library(App *a)
{
    if (!a->have_library) return;
    close_lesson(a);
    lib_refresh_progress(a);
    a->screen = SCREEN_LIBRARY;
    a->focus_kind = a->n_lib ? W_LIB_ITEM : W_NONE;
}

/* ---- quiz pages ----------------------------------------------------- */

static bool read_entry(void *ud, const char *name, char **text, size_t *len, Error *err)
{
    return package_read(ud, name, text, len, err);
}

static void close_quiz(App *a)
{
    quizview_free(a->quiz);
    a->quiz = NULL;
    a->quiz_page = -1;
    a->attempt_id[0] = 0;
    free(a->quiz_error);
    a->quiz_error = NULL;
}

static void record_completion(App *a);

/* Answers and results go to the progress store as they happen. */
static void on_quiz_event(void *ud, const QuizEvent *ev)
{
    App *a = ud;
    if (!recording(a) || !a->attempt_id[0]) return;
    Error err = {{0}};
    bool ok = true;
    if (ev->kind == QUIZ_EVENT_ANSWERED) {
        char *state = quiz_save(quizview_quiz(a->quiz), NULL);
        StoreAnswer ans = {ev->q->id, ev->q->prompt, ev->interaction, ev->response,
                           ev->result.score * ev->q->weight, ev->q->weight > 0 ? ev->q->weight : 1,
                           ev->result.correct, state};
        ok = store_answer(a->store, a->attempt_id, &ans, &err);
        free(state);
        /* Tests that cut the power need to know which answers were saved. */
        if (ok && getenv("OUTPOST_ACK_ANSWERS")) {
            printf("saved %s %s\n", a->attempt_id, ev->q->id);
            fflush(stdout);
        }
    } else {
        StoreAttemptResult r = {ev->score.raw, 0, ev->score.max > 0 ? ev->score.max : 1,
                                ev->score.passed, -1};
        ok = store_attempt_finish(a->store, a->attempt_id, &r, &err);
        a->attempt_id[0] = 0;
        if (ok) record_completion(a);
    }
    note_store(a, ok, &err);
}

/* Loads the quiz of the current page, resuming the learner's unfinished
 * attempt with the same seed (so the same numbers) and answers. */
static void ensure_quiz(App *a)
{
    if (a->quiz_page == a->page) return;
    close_quiz(a);
    a->quiz_page = a->page;
    const ManifestPage *mp = &a->man->pages[a->page];
    Error err = {{0}};
    char *src = NULL;
    size_t len = 0;
    if (!package_read(a->pkg, mp->path, &src, &len, &err)) {
        a->quiz_error = xstrdup(err.msg);
        return;
    }
    uint64_t seed;
    randombytes_buf(&seed, sizeof seed);
    seed &= 0x7FFFFFFFFFFFFFFFull; /* the store keeps it as a signed integer */
    StoreAttempt open = {0};
    bool found = false;
    if (recording(a))
        store_attempt_find_open(a->store, a->learner_id, a->man->id, mp->id, &open, &found, NULL);
    if (a->opt.seed) seed = a->opt.seed & 0x7FFFFFFFFFFFFFFFull;
    if (found) seed = (uint64_t)open.seed;
    SandboxRequire req = {read_entry, a->pkg};
    Quiz *q = quiz_load(mp->path, src, len, seed, &req, &err);
    free(src);
    if (!q) {
        a->quiz_error = xstrdup(err.msg);
        store_attempt_clear(&open);
        return;
    }
    if (found) {
        snprintf(a->attempt_id, sizeof a->attempt_id, "%s", open.id);
        if (open.state && !quiz_restore(q, open.state, &err))
            fprintf(stderr, "outpost: %s: the saved answers could not be restored: %s\n", mp->path, err.msg);
    } else if (recording(a)) {
        bool ok = store_attempt_start(a->store, a->learner_id, a->man, mp->id, (int64_t)seed,
                                      a->attempt_id, &err);
        note_store(a, ok, &err);
    }
    store_attempt_clear(&open);
    a->quiz = quizview_new(q, a->pkg, a->man->language, on_quiz_event, a);
    if (found && quizview_on_results(a->quiz)) {
        /* Every answer was saved but the power went before the attempt was
         * closed: close it now, so the result is recorded once. */
        QuizEvent done = {.kind = QUIZ_EVENT_FINISHED, .score = quiz_score(q)};
        on_quiz_event(a, &done);
    }
}

/* The quiz of the current page, or NULL if the page is not a quiz or its
 * script failed to load (then the page shows the reason). */
static QuizView *current_quiz(App *a)
{
    if (a->screen != SCREEN_LESSON || !a->man || a->man->pages[a->page].kind != PAGE_QUIZ)
        return NULL;
    ensure_quiz(a);
    return a->quiz;
}

static int quiz_height(App *a, const Geo *g)
{
    QuizView *v = current_quiz(a);
    return v ? quizview_layout(v, a->te, g->col_w, g->page_scale,
                               theme_get(a->set.high_contrast))
             : 0;
}

/* ---- page layouts --------------------------------------------------- */

/* Markdown shown in place of a page that has no Markdown of its own. */
static char *placeholder_source(App *a, const ManifestPage *mp)
{
    ensure_quiz(a);
    const char *why = a->quiz_error ? a->quiz_error : mp->path;
    char *body = str_printf(STR_QUIZ_BROKEN, why);
    char *src = xasprintf("# %s\n\n%s\n", str(STR_QUIZ_BROKEN_TITLE), body);
    free(body);
    return src;
}

static PageLayout *current_layout(App *a, const Geo *g)
{
    if (a->screen != SCREEN_LESSON || !a->man) return NULL;
    bool contrast = a->set.high_contrast;
    for (int i = 0; i < LAYOUT_CACHE; i++) {
        CachedPage *c = &a->cache[i];
        if (c->pl && c->page == a->page && c->width == g->col_w && c->scale == g->page_scale &&
            c->contrast == contrast) {
            a->last_layout_ms = 0;
            return c->pl;
        }
    }
    double t0 = time_now_ms();
    const ManifestPage *mp = &a->man->pages[a->page];
    char *src = NULL, *read_problem = NULL;
    size_t len = 0;
    Error err = {{0}};
    if (mp->kind == PAGE_QUIZ) {
        src = placeholder_source(a, mp);
        len = strlen(src);
    } else if (!package_read(a->pkg, mp->path, &src, &len, &err)) {
        error_prefix(&err, "%s", package_path(a->pkg));
        read_problem = xstrdup(err.msg);
        char *msg = xasprintf("# %s\n\n%s\n", str(STR_PAGE_ERROR_TITLE), err.msg);
        src = msg;
        len = strlen(msg);
    }
    Doc *doc = doc_parse(mp->path, src, len, &err);
    free(src);
    if (!doc) {
        char *msg = xasprintf("# %s\n\n%s\n", str(STR_PAGE_ERROR_TITLE), err.msg);
        doc = doc_parse(mp->path, msg, strlen(msg), NULL);
        free(msg);
    }
    CachedPage *c = &a->cache[a->cache_next];
    a->cache_next = (a->cache_next + 1) % LAYOUT_CACHE;
    page_layout_free(c->pl);
    doc_free(c->doc);
    LayoutParams lp = {g->col_w, g->page_scale, theme_get(contrast), a->man->language};
    c->doc = doc;
    c->pl = doc ? layout_page(a->te, doc, a->pkg, mp->path, &lp) : NULL;
    if (read_problem && c->pl) {
        /* A page that cannot be read counts as a problem like a broken picture. */
        c->pl->problems = xrealloc(c->pl->problems, sizeof(char *) * (size_t)(c->pl->n_problems + 1));
        memmove(c->pl->problems + 1, c->pl->problems, sizeof(char *) * (size_t)c->pl->n_problems);
        c->pl->problems[0] = read_problem;
        c->pl->n_problems++;
    } else {
        free(read_problem);
    }
    c->page = a->page;
    c->width = g->col_w;
    c->scale = g->page_scale;
    c->contrast = contrast;
    c->layout_ms = time_now_ms() - t0;
    a->last_layout_ms = c->layout_ms;
    return c->pl;
}

static const Doc *current_doc(App *a)
{
    for (int i = 0; i < LAYOUT_CACHE; i++)
        if (a->cache[i].pl && a->cache[i].page == a->page) return a->cache[i].doc;
    return NULL;
}

/* ---- widgets -------------------------------------------------------- */

void ui_add_widget(App *a, int kind, int index, SDL_Rect rc)
{
    if (a->n_widgets < MAX_WIDGETS) a->widgets[a->n_widgets++] = (Widget){kind, index, rc};
}

int ui_button_w(App *a, const Geo *g, const char *label)
{
    Render rd = make_render(a);
    return text_width(a->te, label, TEXT_BOLD, render_px(&rd, THEME_UI_PX), "en") +
           (int)(24 * g->ui);
}

static int toc_item_h(const Geo *g) { return (int)(34 * g->ui + 0.5f); }

static void build_widgets(App *a, const Geo *g)
{
    a->n_widgets = 0;
    int pad = (int)(6 * g->ui + 0.5f);
    int bh = g->top.h - 2 * pad;
    if (a->screen == SCREEN_LESSON) {
        int x = pad;
        int w = ui_button_w(a, g, str(STR_CONTENTS));
        ui_add_widget(a, W_TOC_TOGGLE, 0, (SDL_Rect){x, pad, w, bh});
    }
    if (a->screen != SCREEN_ERROR) {
        /* Right side of the top bar: placed right to left, listed left to
         * right so that Tab follows the reading order. */
        int kinds[5], n = 0;
        if (a->screen == SCREEN_LESSON && a->have_library) kinds[n++] = W_LIBRARY;
        if (a->screen == SCREEN_LIBRARY && a->store) kinds[n++] = W_SWITCH_LEARNER;
        kinds[n++] = W_CONTRAST;
        kinds[n++] = W_LARGER;
        kinds[n++] = W_SMALLER;
        SDL_Rect rcs[5];
        int x = a->W - pad;
        for (int i = 0; i < n; i++) {
            StrId label = kinds[i] == W_SWITCH_LEARNER ? STR_SWITCH_LEARNER
                          : kinds[i] == W_LIBRARY  ? STR_LIBRARY
                          : kinds[i] == W_CONTRAST ? STR_CONTRAST
                          : kinds[i] == W_LARGER   ? STR_TEXT_LARGER
                                                   : STR_TEXT_SMALLER;
            int w = ui_button_w(a, g, str(label));
            x -= w;
            rcs[i] = (SDL_Rect){x, pad, w, bh};
            x -= pad;
        }
        for (int i = n - 1; i >= 0; i--) ui_add_widget(a, kinds[i], 0, rcs[i]);
    }
    if (a->screen == SCREEN_LESSON) {
        if (g->has_sidebar) {
            int ih = toc_item_h(g);
            for (int i = 0; i < a->man->n_pages; i++) {
                SDL_Rect rc = {0, g->sidebar.y + i * ih - a->toc_scroll, g->sidebar.w, ih};
                ui_add_widget(a, W_TOC_ITEM, i, rc);
            }
        }
        QuizView *qv = current_quiz(a);
        PageLayout *pl = qv ? NULL : current_layout(a, g);
        if (qv) {
            int qh = quiz_height(a, g);
            const QuizControl *ctl;
            int n = quizview_controls(qv, &ctl);
            int oy = g->content.y + g->pad_top - a->scroll;
            for (int i = 0; i < n; i++)
                ui_add_widget(a, W_QUIZ, ctl[i].id,
                              (SDL_Rect){g->col_x + ctl[i].rc.x, oy + ctl[i].rc.y, ctl[i].rc.w,
                                         ctl[i].rc.h});
            /* The view asks for the focus after a change (next question...). */
            int want = quizview_focus_request(qv);
            if (want >= 0) {
                a->focus_kind = W_QUIZ;
                a->focus_index = want;
                for (int i = 0; i < n; i++)
                    if (ctl[i].id == want) {
                        SDL_Rect rc = {g->col_x + ctl[i].rc.x, oy + ctl[i].rc.y, ctl[i].rc.w, ctl[i].rc.h};
                        int before = a->scroll;
                        scroll_into_view(a, g, rc);
                        /* Controls moved with the page: list them again. */
                        if (a->scroll != before) {
                            a->n_widgets = 0;
                            build_widgets(a, g);
                            return;
                        }
                    }
            }
            if (quizview_error(qv)) {
                /* A script error: the learner can always move on. */
                int w = ui_button_w(a, g, str(STR_QUIZ_SKIP)) + (int)(24 * g->ui);
                ui_add_widget(a, W_SKIP_QUIZ, 0, (SDL_Rect){g->col_x, oy + qh + (int)(8 * g->ui), w, (int)(44 * g->ui)});
            }
        }
        if (pl) {
            int oy = g->content.y + g->pad_top - a->scroll;
            for (int i = 0; i < pl->n_links; i++) {
                const LayoutLink *l = &pl->links[i];
                ui_add_widget(a, W_LINK, l->link,
                           (SDL_Rect){g->col_x + l->x, oy + l->y, l->w, l->h});
            }
        }
        int w = ui_button_w(a, g, str(STR_PREVIOUS)) + (int)(16 * g->ui);
        ui_add_widget(a, W_PREV, 0, (SDL_Rect){pad, g->bottom.y + pad, w, bh});
        w = ui_button_w(a, g, str(STR_NEXT)) + (int)(16 * g->ui);
        ui_add_widget(a, W_NEXT, 0, (SDL_Rect){a->W - pad - w, g->bottom.y + pad, w, bh});
    }
    if (a->screen == SCREEN_LEARNERS) learners_build(a, g);
    if (a->screen == SCREEN_LIBRARY && a->store && a->sync_configured) {
        int w = ui_button_w(a, g, str(STR_SYNC_NOW)) + (int)(16 * g->ui);
        ui_add_widget(a, W_SYNC, 0, (SDL_Rect){a->W - pad - w, g->bottom.y + pad, w, bh});
    }
    if (a->screen == SCREEN_LIBRARY) {
        int card = (int)(96 * g->ui + 0.5f), gap = (int)(12 * g->ui + 0.5f);
        int y = g->content.y + (int)(72 * g->ui) - a->lib_scroll;
        if (a->continue_entry >= 0) {
            int w = g->col_w;
            ui_add_widget(a, W_CONTINUE, 0,
                          (SDL_Rect){g->content.x + (g->content.w - w) / 2,
                                     g->content.y + (int)(16 * g->ui) - a->lib_scroll, w,
                                     (int)(44 * g->ui)});
        }
        int w = g->col_w + (int)(48 * g->page_scale);
        if (w > g->content.w - 2 * gap) w = g->content.w - 2 * gap;
        int x = g->content.x + (g->content.w - w) / 2;
        for (int i = 0; i < a->n_lib; i++) {
            ui_add_widget(a, W_LIB_ITEM, i, (SDL_Rect){x, y, w, card});
            y += card + gap;
        }
    }
    if (a->screen == SCREEN_ERROR) {
        const char *label = a->have_library ? str(STR_ERROR_BACK) : str(STR_QUIT);
        int w = ui_button_w(a, g, label) + (int)(24 * g->ui);
        ui_add_widget(a, W_ERR_BACK, 0,
                      (SDL_Rect){(a->W - w) / 2, error_text(a, g, false), w, (int)(44 * g->ui)});
    }
}

static bool widget_disabled(App *a, const Widget *w)
{
    if (w->kind == W_PREV) return a->page <= 0;
    if (w->kind == W_SYNC) return SDL_AtomicGet(&a->sync_state) != 0;
    if (w->kind == W_NEXT) return !a->man || a->page >= a->man->n_pages - 1;
    return false;
}

static int find_widget(App *a, int kind, int index)
{
    for (int i = 0; i < a->n_widgets; i++)
        if (a->widgets[i].kind == kind && a->widgets[i].index == index) return i;
    return -1;
}

/* ---- actions -------------------------------------------------------- */

static void save_settings(App *a)
{
    settings_save(&a->set, paths_settings_file(), NULL);
}

static void go_page(App *a, int page)
{
    if (!a->man) return;
    if (page < 0) page = 0;
    if (page >= a->man->n_pages) page = a->man->n_pages - 1;
    if (page == a->page) return;
    /* No need to save the old page's scroll: the bookmark moves to the new
     * page (record_page), and each commit is an fsync on the page turn. */
    a->page = page;
    a->scroll = 0;
    a->page_scroll_frac = -1;
    record_page(a);
    if (a->focus_kind == W_LINK) a->focus_kind = W_NONE;
}

static void set_text_scale(App *a, float s)
{
    if (s < SETTINGS_SCALE_MIN) s = SETTINGS_SCALE_MIN;
    if (s > SETTINGS_SCALE_MAX) s = SETTINGS_SCALE_MAX;
    Geo g = geometry(a);
    int ext = page_extent(a, &g);
    float frac = ext > 0 ? (float)*scroll_ref(a) / (float)ext : 0;
    a->set.text_scale = s;
    save_settings(a);
    g = geometry(a);
    *scroll_ref(a) = (int)(frac * (float)page_extent(a, &g));
    clamp_scroll(a, &g);
}

static void follow_link(App *a, int link)
{
    const Doc *doc = current_doc(a);
    if (!doc || link < 1 || link > doc->n_links) return;
    const char *target = doc->links[link - 1];
    char *name = package_resolve(a->man->pages[a->page].path, target);
    if (!name) return; /* external links are not followed: the player works offline */
    int p = manifest_find_page(a->man, name);
    free(name);
    if (p >= 0) go_page(a, p);
}

static void activate(App *a, int kind, int index)
{
    switch (kind) {
    case W_TOC_TOGGLE:
        a->set.toc_visible = !a->set.toc_visible;
        save_settings(a);
        break;
    case W_SMALLER: set_text_scale(a, a->set.text_scale / 1.15f); break;
    case W_LARGER: set_text_scale(a, a->set.text_scale * 1.15f); break;
    case W_CONTRAST:
        a->set.high_contrast = !a->set.high_contrast;
        save_settings(a);
        break;
    case W_LIBRARY: go_library(a); break;
    case W_PREV: go_page(a, a->page - 1); break;
    case W_NEXT: go_page(a, a->page + 1); break;
    case W_TOC_ITEM: go_page(a, index); break;
    case W_LINK: follow_link(a, index); break;
    case W_LIB_ITEM:
        if (index < a->n_lib) {
            LibEntry *e = &a->lib[index];
            if (e->error) show_error(a, e->path, e->error);
            else open_lesson(a, e->path, 0);
        }
        break;
    case W_ERR_BACK:
        if (a->have_library) open_library(a);
        else a->quit = true;
        break;
    case W_CONTINUE:
        if (a->continue_entry >= 0 && a->continue_entry < a->n_lib)
            open_lesson(a, a->lib[a->continue_entry].path, 0);
        break;
    case W_SWITCH_LEARNER:
        a->learner_id[0] = 0;
        lib_free(a);
        learners_show(a);
        break;
    case W_QUIZ:
        if (a->quiz) quizview_activate(a->quiz, index);
        break;
    case W_SKIP_QUIZ: go_page(a, a->page + 1); break;
    case W_SYNC: sync_start(a); break;
    default:
        if (a->screen == SCREEN_LEARNERS) learners_activate(a, kind, index);
        break;
    }
}

/* Moves keyboard focus through the controls in screen order. */
static void move_focus(App *a, const Geo *g, int dir)
{
    if (a->n_widgets == 0) return;
    int cur = find_widget(a, a->focus_kind, a->focus_index);
    int n = a->n_widgets;
    int i = cur < 0 ? (dir > 0 ? -1 : n) : cur;
    for (int step = 0; step < n; step++) {
        i = (i + dir + n) % n;
        if (widget_disabled(a, &a->widgets[i])) continue;
        break;
    }
    a->focus_kind = a->widgets[i].kind;
    a->focus_index = a->widgets[i].index;
    /* Keep the focused control in view. */
    SDL_Rect rc = a->widgets[i].rc;
    if (a->focus_kind == W_LINK || a->focus_kind == W_LIB_ITEM || a->focus_kind == W_QUIZ ||
        a->focus_kind == W_SKIP_QUIZ) {
        scroll_into_view(a, g, rc);
    } else if (a->focus_kind == W_TOC_ITEM) {
        if (rc.y < g->sidebar.y) a->toc_scroll -= g->sidebar.y - rc.y;
        else if (rc.y + rc.h > g->sidebar.y + g->sidebar.h)
            a->toc_scroll += rc.y + rc.h - (g->sidebar.y + g->sidebar.h);
    }
}

static void scroll_into_view(App *a, const Geo *g, SDL_Rect rc)
{
    int *s = scroll_ref(a);
    int margin = (int)(20 * g->ui);
    if (rc.y < g->content.y) *s -= g->content.y - rc.y + margin;
    else if (rc.y + rc.h > g->content.y + g->content.h)
        *s += rc.y + rc.h - (g->content.y + g->content.h) + margin;
    clamp_scroll(a, g);
}

static void scroll_by(App *a, const Geo *g, int dy)
{
    *scroll_ref(a) += dy;
    clamp_scroll(a, g);
}

/* Whether the focused control takes typed text. */
static bool focused_is_text(App *a)
{
    if (a->focus_kind == W_FIELD_NAME || a->focus_kind == W_FIELD_PIN) return true;
    if (a->focus_kind != W_QUIZ || !a->quiz) return false;
    const QuizControl *ctl;
    int n = quizview_controls(a->quiz, &ctl);
    for (int i = 0; i < n; i++)
        if (ctl[i].id == a->focus_index) return ctl[i].text_input;
    return false;
}

static const char *quiz_control_name(App *a, int id)
{
    const QuizControl *ctl;
    int n = a->quiz ? quizview_controls(a->quiz, &ctl) : 0;
    for (int i = 0; i < n; i++)
        if (ctl[i].id == id) return ctl[i].name;
    return "?";
}

static void handle_key(App *a, const Geo *g, const SDL_KeyboardEvent *k)
{
    SDL_Keycode key = k->keysym.sym;
    bool ctrl = k->keysym.mod & KMOD_CTRL, shift = k->keysym.mod & KMOD_SHIFT;
    int line = (int)(40 * g->page_scale);
    int pagestep = g->content.h - line;
    if (ctrl) {
        switch (key) {
        case SDLK_EQUALS:
        case SDLK_PLUS:
        case SDLK_KP_PLUS: activate(a, W_LARGER, 0); return;
        case SDLK_MINUS:
        case SDLK_KP_MINUS: activate(a, W_SMALLER, 0); return;
        case SDLK_0:
        case SDLK_KP_0: set_text_scale(a, 1.0f); return;
        case SDLK_h: activate(a, W_CONTRAST, 0); return;
        case SDLK_t: if (a->screen == SCREEN_LESSON) activate(a, W_TOC_TOGGLE, 0); return;
        case SDLK_q: a->quit = true; return;
        case SDLK_HOME: go_page(a, 0); return;
        case SDLK_END: if (a->man) go_page(a, a->man->n_pages - 1); return;
        default: break;
        }
    }
    switch (key) {
    case SDLK_TAB: move_focus(a, g, shift ? -1 : 1); return;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        if (a->focus_kind != W_NONE) activate(a, a->focus_kind, a->focus_index);
        return;
    case SDLK_SPACE:
        if (a->focus_kind != W_NONE && a->focus_kind != W_LINK) activate(a, a->focus_kind, a->focus_index);
        else scroll_by(a, g, shift ? -pagestep : pagestep);
        return;
    case SDLK_ESCAPE:
        if (a->focus_kind != W_NONE) a->focus_kind = W_NONE;
        else if (a->screen == SCREEN_LESSON) go_library(a);
        return;
    case SDLK_RIGHT: if (a->screen == SCREEN_LESSON) go_page(a, a->page + 1); return;
    case SDLK_LEFT: if (a->screen == SCREEN_LESSON) go_page(a, a->page - 1); return;
    case SDLK_DOWN:
        if (a->screen == SCREEN_LIBRARY && a->n_lib) {
            a->focus_kind = W_LIB_ITEM;
            a->focus_index = a->focus_index + 1 < a->n_lib ? a->focus_index + 1 : a->n_lib - 1;
            move_focus(a, g, 0);
        } else {
            scroll_by(a, g, line);
        }
        return;
    case SDLK_UP:
        if (a->screen == SCREEN_LIBRARY && a->n_lib) {
            a->focus_kind = W_LIB_ITEM;
            a->focus_index = a->focus_index > 0 ? a->focus_index - 1 : 0;
            move_focus(a, g, 0);
        } else {
            scroll_by(a, g, -line);
        }
        return;
    case SDLK_PAGEDOWN: scroll_by(a, g, pagestep); return;
    case SDLK_PAGEUP: scroll_by(a, g, -pagestep); return;
    case SDLK_HOME: *scroll_ref(a) = 0; return;
    case SDLK_END: *scroll_ref(a) = max_scroll(a, g); return;
    default: return;
    }
}

static SDL_Rect thumb_rect(App *a, const Geo *g)
{
    int ext = page_extent(a, g);
    SDL_Rect sb = g->scrollbar;
    if (ext <= g->content.h) return (SDL_Rect){0, 0, 0, 0};
    int th = (int)((long long)sb.h * g->content.h / ext);
    int minh = (int)(32 * g->ui);
    if (th < minh) th = minh;
    int ms = max_scroll(a, g);
    int ty = sb.y + (int)((long long)(sb.h - th) * *scroll_ref(a) / (ms ? ms : 1));
    return (SDL_Rect){sb.x, ty, sb.w, th};
}

static void handle_click(App *a, const Geo *g, int x, int y)
{
    SDL_Rect thumb = thumb_rect(a, g);
    if (thumb.h && rect_contains(g->scrollbar, x, y) && a->screen != SCREEN_ERROR) {
        if (rect_contains(thumb, x, y)) {
            a->dragging_thumb = true;
            a->drag_offset = y - thumb.y;
        } else {
            scroll_by(a, g, (y < thumb.y ? -1 : 1) * (g->content.h - (int)(40 * g->page_scale)));
        }
        return;
    }
    for (int i = a->n_widgets - 1; i >= 0; i--) {
        Widget *w = &a->widgets[i];
        if (!rect_contains(w->rc, x, y) || widget_disabled(a, w)) continue;
        /* Controls scrolled out of their panel cannot be clicked. */
        if (w->kind == W_TOC_ITEM && !rect_contains(g->sidebar, x, y)) continue;
        if ((w->kind == W_LINK || w->kind == W_LIB_ITEM) && !rect_contains(g->content, x, y))
            continue;
        /* Fields and quiz controls keep the focus, so typing goes there. */
        bool keep = w->kind == W_QUIZ || w->kind == W_FIELD_NAME || w->kind == W_FIELD_PIN;
        a->focus_kind = keep ? w->kind : W_NONE;
        a->focus_index = w->index;
        activate(a, w->kind, w->index);
        return;
    }
    a->focus_kind = W_NONE;
    if (a->quiz && current_quiz(a) && rect_contains(g->content, x, y))
        quizview_click(a->quiz, x - g->col_x, y - (g->content.y + g->pad_top - a->scroll));
}

static void handle_drag(App *a, const Geo *g, int y)
{
    SDL_Rect thumb = thumb_rect(a, g);
    int range = g->scrollbar.h - thumb.h;
    if (range <= 0) return;
    *scroll_ref(a) = (int)((long long)(y - a->drag_offset - g->scrollbar.y) * max_scroll(a, g) / range);
    clamp_scroll(a, g);
}

void app_handle_event(App *a, const SDL_Event *ev)
{
    Geo g = geometry(a);
    build_widgets(a, &g);
    float s = a->W / (float)(a->win_w ? a->win_w : 1);
    switch (ev->type) {
    case SDL_QUIT: a->quit = true; break;
    case SDL_USEREVENT: sync_collect(a); break;
    case SDL_KEYDOWN: {
        SDL_Keycode k = ev->key.keysym.sym;
        bool ctrl = ev->key.keysym.mod & KMOD_CTRL;
        if (k != SDLK_TAB && !ctrl && a->screen == SCREEN_LEARNERS && learners_event(a, ev)) break;
        if (k != SDLK_TAB && !ctrl && a->focus_kind == W_QUIZ && a->quiz &&
            quizview_key(a->quiz, a->focus_index, &ev->key))
            break;
        /* In a text field, Space types a space and the arrows, Home and End
         * belong to the text: they must not press buttons or turn pages. */
        if (focused_is_text(a) && (k == SDLK_SPACE || k == SDLK_LEFT || k == SDLK_RIGHT ||
                                   k == SDLK_HOME || k == SDLK_END))
            break;
        handle_key(a, &g, &ev->key);
        if (a->focus_kind == W_QUIZ) {
            /* Answering can move the focused control (a button below new
             * feedback): keep it where the learner can see it. */
            g = geometry(a);
            build_widgets(a, &g);
            int w = find_widget(a, W_QUIZ, a->focus_index);
            if (w >= 0) scroll_into_view(a, &g, a->widgets[w].rc);
        }
        break;
    }
    case SDL_TEXTINPUT:
    case SDL_TEXTEDITING:
        if (a->screen == SCREEN_LEARNERS) learners_event(a, ev);
        else if (a->focus_kind == W_QUIZ && a->quiz) quizview_text(a->quiz, a->focus_index, ev);
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button == SDL_BUTTON_LEFT)
            handle_click(a, &g, (int)(ev->button.x * s), (int)(ev->button.y * s));
        break;
    case SDL_MOUSEBUTTONUP: a->dragging_thumb = false; break;
    case SDL_MOUSEMOTION:
        if (a->dragging_thumb) handle_drag(a, &g, (int)(ev->motion.y * s));
        break;
    case SDL_MOUSEWHEEL: {
        int mx, my;
        SDL_GetMouseState(&mx, &my);
        int dy = -ev->wheel.y * (int)(40 * g.page_scale) * 3;
        if (g.has_sidebar && rect_contains(g.sidebar, (int)(mx * s), (int)(my * s))) {
            int total = a->man ? a->man->n_pages * toc_item_h(&g) : 0;
            a->toc_scroll += dy;
            if (a->toc_scroll > total - g.sidebar.h) a->toc_scroll = total - g.sidebar.h;
            if (a->toc_scroll < 0) a->toc_scroll = 0;
        } else {
            scroll_by(a, &g, dy);
        }
        break;
    }
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            app_resize(a, ev->window.data1, ev->window.data2);
        break;
    default: break;
    }
}

/* ---- drawing -------------------------------------------------------- */

static void draw_top_bar(App *a, const Geo *g, const char *title)
{
    Render rd = make_render(a);
    const Theme *th = rd.th;
    render_fill(&rd, g->top, th->bar_bg);
    render_fill(&rd, (SDL_Rect){0, g->top.h - render_px(&rd, 1), a->W, render_px(&rd, 1)},
                th->bar_border);
    int left = render_px(&rd, 12), right = a->W - render_px(&rd, 12);
    for (int i = 0; i < a->n_widgets; i++) {
        Widget *w = &a->widgets[i];
        if (w->rc.y >= g->top.h) continue;
        const char *label = w->kind == W_TOC_TOGGLE ? str(STR_CONTENTS)
                            : w->kind == W_SMALLER  ? str(STR_TEXT_SMALLER)
                            : w->kind == W_LARGER   ? str(STR_TEXT_LARGER)
                            : w->kind == W_CONTRAST ? str(STR_CONTRAST)
                            : w->kind == W_LIBRARY  ? str(STR_LIBRARY)
                            : w->kind == W_SWITCH_LEARNER ? str(STR_SWITCH_LEARNER)
                                                    : "";
        render_button(&rd, w->rc, label, false,
                      a->focus_kind == w->kind && a->focus_index == w->index);
        if (w->kind == W_TOC_TOGGLE) left = w->rc.x + w->rc.w + render_px(&rd, 12);
        else if (w->rc.x - render_px(&rd, 12) < right) right = w->rc.x - render_px(&rd, 12);
    }
    SDL_Rect tr = {left, 0, right - left, g->top.h};
    const char *lang = a->man ? a->man->language : "en";
    Render rl = rd;
    rl.lang = lang;
    render_label(&rl, tr, title, TEXT_BOLD, render_px(&rd, THEME_UI_PX + 2), th->bar_text,
                 TEXT_ALIGN_LEFT);
}

static void draw_scrollbar(App *a, const Geo *g)
{
    Render rd = make_render(a);
    SDL_Rect thumb = thumb_rect(a, g);
    if (!thumb.h) return;
    render_fill(&rd, g->scrollbar, rd.th->scroll_track);
    int inset = render_px(&rd, 2);
    render_fill(&rd, (SDL_Rect){thumb.x + inset, thumb.y, thumb.w - 2 * inset, thumb.h},
                rd.th->scroll_thumb);
}

static void draw_lesson(App *a, const Geo *g)
{
    Render rd = make_render(a);
    rd.lang = a->man->language;
    const Theme *th = rd.th;
    QuizView *qv = current_quiz(a);
    PageLayout *pl = qv ? NULL : current_layout(a, g);
    double t0 = time_now_ms();
    /* The page, clipped to the content area. */
    SDL_RenderSetClipRect(a->ren, &g->content);
    if (qv) {
        int oy = g->content.y + g->pad_top - a->scroll;
        quiz_height(a, g);
        int k = find_widget(a, W_SKIP_QUIZ, 0);
        if (k >= 0)
            render_button(&rd, a->widgets[k].rc, str(STR_QUIZ_SKIP), false, ui_focused(a, W_SKIP_QUIZ, 0));
        quizview_draw(qv, &rd, g->col_x, oy, g->content, a->focus_kind == W_QUIZ ? a->focus_index : -1);
        if (a->focus_kind == W_QUIZ) {
            int k = find_widget(a, W_QUIZ, a->focus_index);
            if (k >= 0) render_focus(&rd, a->widgets[k].rc);
        }
    }
    if (pl) {
        int oy = g->content.y + g->pad_top - a->scroll;
        layout_draw(pl, a->te, a->ren, g->col_x, oy, a->scroll - g->pad_top,
                    a->scroll - g->pad_top + g->content.h);
        if (a->focus_kind == W_LINK) {
            for (int i = 0; i < a->n_widgets; i++) {
                Widget *w = &a->widgets[i];
                if (w->kind == W_LINK && w->index == a->focus_index) {
                    int p = render_px(&rd, 3);
                    render_focus(&rd, (SDL_Rect){w->rc.x - p, w->rc.y - p / 2, w->rc.w + 2 * p,
                                                 w->rc.h + p});
                }
            }
        }
    }
    SDL_RenderSetClipRect(a->ren, NULL);
    draw_scrollbar(a, g);
    /* Contents sidebar. */
    if (g->has_sidebar) {
        render_fill(&rd, g->sidebar, th->sidebar_bg);
        render_fill(&rd, (SDL_Rect){g->sidebar.w - render_px(&rd, 1), g->sidebar.y,
                                    render_px(&rd, 1), g->sidebar.h}, th->rule);
        SDL_RenderSetClipRect(a->ren, &g->sidebar);
        Render rl = rd;
        rl.lang = a->man->language;
        int pad = render_px(&rd, 12);
        for (int i = 0; i < a->n_widgets; i++) {
            Widget *w = &a->widgets[i];
            if (w->kind != W_TOC_ITEM) continue;
            if (w->rc.y + w->rc.h < g->sidebar.y || w->rc.y > g->sidebar.y + g->sidebar.h) continue;
            bool cur = w->index == a->page;
            if (cur) render_fill(&rd, w->rc, th->sidebar_current);
            char *label = xasprintf("%d. %s", w->index + 1, a->titles[w->index]);
            SDL_Rect lr = {w->rc.x + pad, w->rc.y, w->rc.w - 2 * pad, w->rc.h};
            render_label(&rl, lr, label, cur ? TEXT_BOLD : 0, render_px(&rd, THEME_UI_PX),
                         th->sidebar_text, TEXT_ALIGN_LEFT);
            free(label);
            if (a->focus_kind == W_TOC_ITEM && a->focus_index == w->index) render_focus(&rd, w->rc);
        }
        SDL_RenderSetClipRect(a->ren, NULL);
    }
    char *title = a->badge ? xasprintf("%s  \u00B7  %s", a->man->title, a->badge) : xstrdup(a->man->title);
    draw_top_bar(a, g, title);
    free(title);
    /* Bottom bar: previous, page n of m, next. */
    render_fill(&rd, g->bottom, th->bar_bg);
    for (int i = 0; i < a->n_widgets; i++) {
        Widget *w = &a->widgets[i];
        if (w->kind != W_PREV && w->kind != W_NEXT) continue;
        char *label = xasprintf(w->kind == W_PREV ? "\u2039 %s" : "%s \u203A",
                                str(w->kind == W_PREV ? STR_PREVIOUS : STR_NEXT));
        render_button(&rd, w->rc, label, widget_disabled(a, w),
                      a->focus_kind == w->kind && !widget_disabled(a, w));
        free(label);
    }
    char *pos = str_printf(STR_PAGE_OF, a->page + 1, a->man->n_pages);
    render_label(&rd, g->bottom, pos, 0, render_px(&rd, THEME_UI_PX), th->bar_text,
                 TEXT_ALIGN_CENTER);
    free(pos);
    a->last_draw_ms = time_now_ms() - t0;
}

static char *human_size(uint64_t n)
{
    if (n >= 1024 * 1024) return xasprintf("%.1f MB", (double)n / (1024.0 * 1024.0));
    return xasprintf("%.0f kB", (double)n / 1024.0 + 0.5);
}

static void draw_library(App *a, const Geo *g)
{
    Render rd = make_render(a);
    const Theme *th = rd.th;
    SDL_RenderSetClipRect(a->ren, &g->content);
    int body = render_px(&rd, THEME_BODY_PX);
    SDL_Rect head = {g->col_x, g->content.y + render_px(&rd, 20) - a->lib_scroll, g->col_w,
                     render_px(&rd, 40)};
    if (a->n_lib == 0) {
        char *msg = str_printf(STR_LIBRARY_EMPTY, a->lib_dir ? a->lib_dir : paths_user_lessons_dir());
        TextSpan sp = {msg, strlen(msg), 0, body, th->text, 0};
        TextLayoutOptions o = {g->col_w, "en", 1.5f, TEXT_ALIGN_LEFT};
        TextBlock *tb = text_layout(a->te, &sp, 1, &o);
        text_draw_block(a->te, tb, g->col_x, head.y + head.h + render_px(&rd, 20));
        text_block_free(tb);
        free(msg);
    }
    int pad = render_px(&rd, 14);
    for (int i = 0; i < a->n_widgets; i++) {
        Widget *w = &a->widgets[i];
        if (w->kind != W_LIB_ITEM) continue;
        if (w->rc.y > a->H || w->rc.y + w->rc.h < g->content.y) continue;
        LibEntry *e = &a->lib[w->index];
        render_fill(&rd, w->rc, th->sidebar_bg);
        render_frame(&rd, w->rc, e->error ? th->error_accent : th->rule, render_px(&rd, 1));
        Render rl = rd;
        rl.lang = e->lang ? e->lang : "en";
        int lh = w->rc.h / 3;
        render_label(&rl, (SDL_Rect){w->rc.x + pad, w->rc.y + pad / 2, w->rc.w - 2 * pad, lh},
                     e->title, TEXT_BOLD, render_px(&rd, THEME_BODY_PX + 1), th->heading,
                     TEXT_ALIGN_LEFT);
        char *meta;
        if (e->error) {
            meta = xasprintf("%s: %s", str(STR_LESSON_BROKEN), e->error);
        } else {
            char *size = human_size(e->size);
            char *pages = str_printf(STR_LIBRARY_PAGES, e->n_pages);
            char *mins = e->minutes ? str_printf(STR_LIBRARY_MINUTES, e->minutes) : xstrdup("");
            meta = xasprintf("%s \u00B7 %s%s%s \u00B7 %s", e->lang, pages, *mins ? " \u00B7 " : "",
                             mins, size);
            free(size), free(pages), free(mins);
        }
        render_label(&rd, (SDL_Rect){w->rc.x + pad, w->rc.y + pad / 2 + lh, w->rc.w - 2 * pad, lh},
                     meta, 0, render_px(&rd, THEME_UI_PX), e->error ? th->error_accent : th->muted,
                     TEXT_ALIGN_LEFT);
        free(meta);
        if (e->has_sum && e->sum.last_opened_ms) {
            /* This learner's progress: a bar, pages seen, best score. */
            const StoreLessonSummary *sm = &e->sum;
            int bw = render_px(&rd, 120), bh = render_px(&rd, 8);
            SDL_Rect bar = {w->rc.x + w->rc.w - pad - bw, w->rc.y + pad / 2 + lh + (lh - bh) / 2, bw, bh};
            render_fill(&rd, bar, th->scroll_track);
            int done = sm->pages_total ? bar.w * sm->pages_seen / sm->pages_total : 0;
            render_fill(&rd, (SDL_Rect){bar.x, bar.y, done, bar.h}, th->quote_bar);
            render_frame(&rd, bar, th->rule, render_px(&rd, 1));
            char *pages = str_printf(STR_LIBRARY_PROGRESS, sm->pages_seen, sm->pages_total);
            char *score = sm->has_score ? str_printf(STR_LIBRARY_SCORE, (int)(sm->best_scaled * 100 + 0.5)) : xstrdup("");
            char *line = xasprintf("%s%s%s%s%s", pages, *score ? " \u00B7 " : "", score,
                                   sm->completed ? " \u00B7 " : "", sm->completed ? str(STR_LIBRARY_DONE) : "");
            render_label(&rd, (SDL_Rect){bar.x - render_px(&rd, 330), bar.y - lh / 2 + bh / 2, render_px(&rd, 320), lh},
                         line, sm->completed ? TEXT_BOLD : 0, render_px(&rd, THEME_UI_PX), th->heading, TEXT_ALIGN_RIGHT);
            free(pages), free(score), free(line);
        }
        if (e->desc)
            render_label(&rl,
                         (SDL_Rect){w->rc.x + pad, w->rc.y + pad / 2 + 2 * lh - pad / 2,
                                    w->rc.w - 2 * pad, lh},
                         e->desc, 0, render_px(&rd, THEME_UI_PX), th->text, TEXT_ALIGN_LEFT);
        if (a->focus_kind == W_LIB_ITEM && a->focus_index == w->index) render_focus(&rd, w->rc);
    }
    for (int i = 0; i < a->n_widgets; i++) {
        Widget *w = &a->widgets[i];
        if (w->kind != W_CONTINUE) continue;
        char *label = str_printf(STR_CONTINUE, a->lib[a->continue_entry].title);
        render_button(&rd, w->rc, label, false, ui_focused(a, W_CONTINUE, 0));
        free(label);
    }
    SDL_RenderSetClipRect(a->ren, NULL);
    draw_scrollbar(a, g);
    if (a->store) {
        /* Footer: what is waiting to be sent, the last sync, and Send. */
        render_fill(&rd, g->bottom, th->bar_bg);
        bool sending = SDL_AtomicGet(&a->sync_state) != 0;
        char *waiting = a->waiting ? str_printf(STR_SYNC_WAITING, (long long)a->waiting)
                                   : xstrdup(str(STR_SYNC_ALL_SENT));
        char *last = a->last_sync ? str_printf(STR_SYNC_LAST, a->last_sync) : xstrdup("");
        char *line = sending ? xstrdup(str(STR_SYNC_RUNNING))
                     : a->sync_message[0] ? xasprintf("%s  %s", a->sync_message, waiting)
                                          : xasprintf("%s  %s", waiting, last);
        int right = a->W;
        int k = find_widget(a, W_SYNC, 0);
        if (k >= 0) {
            render_button(&rd, a->widgets[k].rc, str(STR_SYNC_NOW), sending, ui_focused(a, W_SYNC, 0));
            right = a->widgets[k].rc.x;
        }
        int pad = render_px(&rd, 12);
        render_label(&rd, (SDL_Rect){pad, g->bottom.y, right - 2 * pad, g->bottom.h}, line, 0,
                     render_px(&rd, THEME_UI_PX), th->bar_text, TEXT_ALIGN_LEFT);
        free(waiting), free(last), free(line);
    }
    char *title = a->learner_name[0] ? xasprintf("%s \u2014 %s", str(STR_LIBRARY_TITLE), a->learner_name)
                                     : xstrdup(str(STR_LIBRARY_TITLE));
    draw_top_bar(a, g, title);
    free(title);
}

/* Lays out the error screen's text (drawing it if draw) and returns the y
 * below it, where the button goes: the same computation places the button
 * for drawing and for clicks. */
static int error_text(App *a, const Geo *g, bool draw)
{
    Render rd = make_render(a);
    const Theme *th = rd.th;
    int w = g->col_w, x = (a->W - w) / 2, y = a->H / 6;
    char *file = str_printf(STR_ERROR_FILE, a->error_file ? a->error_file : "");
    struct { const char *s; unsigned style; float size; uint32_t color; } parts[] = {
        {str(STR_ERROR_TITLE), TEXT_BOLD, 28, th->error_accent},
        {file, TEXT_MONO, 15, th->error_text},
        {a->error ? a->error : "", 0, 19, th->error_text},
        {str(STR_ERROR_HELP), 0, 17, th->muted},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        TextSpan sp = {parts[i].s, strlen(parts[i].s), parts[i].style,
                       render_px(&rd, parts[i].size), parts[i].color, 0};
        TextLayoutOptions o = {w, "en", 1.4f, TEXT_ALIGN_LEFT};
        TextBlock *tb = text_layout(a->te, &sp, 1, &o);
        if (draw) text_draw_block(a->te, tb, x, y);
        y += tb->height + render_px(&rd, 18);
        text_block_free(tb);
    }
    free(file);
    return y + render_px(&rd, 10);
}

static void draw_error(App *a, const Geo *g)
{
    Render rd = make_render(a);
    const Theme *th = rd.th;
    render_fill(&rd, (SDL_Rect){0, 0, a->W, a->H}, th->error_bg);
    render_fill(&rd, (SDL_Rect){0, 0, a->W, render_px(&rd, 8)}, th->error_accent);
    error_text(a, g, true);
    int k = find_widget(a, W_ERR_BACK, 0);
    if (k >= 0)
        render_button(&rd, a->widgets[k].rc, a->have_library ? str(STR_ERROR_BACK) : str(STR_QUIT),
                      false, a->focus_kind == W_ERR_BACK);
}

/* Reopening a lesson: scroll to where the learner was, as a fraction of the
 * page's height so that a changed text size or window still lands there. */
static void apply_resume_scroll(App *a, const Geo *g)
{
    if (a->screen != SCREEN_LESSON || a->page_scroll_frac < 0) return;
    a->scroll = (int)(a->page_scroll_frac * page_extent(a, g));
    a->page_scroll_frac = -1;
    clamp_scroll(a, g);
}

void app_draw(App *a)
{
    Geo g = geometry(a);
    apply_resume_scroll(a, &g);
    clamp_scroll(a, &g);
    build_widgets(a, &g);
    const Theme *th = theme_get(a->set.high_contrast);
    Render rd = make_render(a);
    render_fill(&rd, (SDL_Rect){0, 0, a->W, a->H}, th->bg);
    switch (a->screen) {
    case SCREEN_LESSON: draw_lesson(a, &g); break;
    case SCREEN_LIBRARY: draw_library(a, &g); break;
    case SCREEN_ERROR: draw_error(a, &g); break;
    case SCREEN_LEARNERS:
        learners_draw(a, &g);
        draw_top_bar(a, &g, str(STR_APP_NAME));
        break;
    }
    if (a->store_problem[0] && a->screen != SCREEN_LEARNERS && a->screen != SCREEN_ERROR) {
        /* Progress is not being saved: say so plainly, under the top bar. */
        char *msg = str_printf(STR_SAVING_FAILED, a->store_problem);
        int h = (int)(32 * g.ui + 0.5f);
        SDL_Rect band = {g.content.x, g.content.y - h, g.content.w, h};
        render_fill(&rd, band, th->error_accent);
        render_label(&rd, (SDL_Rect){band.x + render_px(&rd, 12), band.y, band.w - render_px(&rd, 24), h},
                     msg, TEXT_BOLD, render_px(&rd, THEME_UI_PX), 0xFFFFFFFF, TEXT_ALIGN_LEFT);
        free(msg);
    }
    const Widget *f = NULL;
    for (int i = 0; i < a->n_widgets; i++)
        if (a->widgets[i].kind == a->focus_kind && a->widgets[i].index == a->focus_index)
            f = &a->widgets[i];
    static const char *names[] = {
        "", "contents", "smaller", "larger", "contrast", "library", "previous", "next", "back",
        "change-learner", "continue", "new-learner", "name", "pin", "create", "cancel", "pin-ok",
        "without-saving", "skip", "sync", "toc", "learner", "quiz", "link", "lesson"};
    if (!f) a->focus_name[0] = 0;
    else if (f->kind < W_TOC_ITEM) snprintf(a->focus_name, sizeof a->focus_name, "%s", names[f->kind]);
    else if (f->kind == W_QUIZ) snprintf(a->focus_name, sizeof a->focus_name, "quiz %s", quiz_control_name(a, f->index));
    else snprintf(a->focus_name, sizeof a->focus_name, "%s %d", names[f->kind],
                  f->kind == W_LINK ? f->index : f->index + 1);
}

/* ---- preview ---------------------------------------------------------- */

/* A fingerprint of every file under dir: names, sizes and change times. */
static uint64_t folder_print(const char *dir, uint64_t h, int depth)
{
    DIR *d = depth < 16 ? opendir(dir) : NULL;
    if (!d) return h;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char *p = xasprintf("%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0) {
            int64_t v[3] = {(int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec};
            h = hash_bytes(de->d_name, strlen(de->d_name), h);
            h = hash_bytes(v, sizeof v, h);
            if (S_ISDIR(st.st_mode)) h = folder_print(p, h, depth + 1);
        }
        free(p);
    }
    closedir(d);
    return h;
}

void app_tick(App *a)
{
    sync_collect(a);
    if (a->store && (store_pending_count(a->store) > 0 || a->store_problem[0])) {
        Error err = {{0}};
        note_store(a, store_retry(a->store, &err), &err);
    }
    app_poll_files(a);
}

bool app_poll_files(App *a)
{
    if (!a->opt.preview || !a->opt.path || !path_is_dir(a->opt.path)) return false;
    uint64_t now = folder_print(a->opt.path, 0, 0);
    if (now == a->files_print) return false;
    a->files_print = now;
    /* Reload at the same page and scroll position; a broken manifest or
     * script shows its error in place until the next save fixes it. */
    if (a->man) {
        a->preview_page = a->page;
        a->preview_scroll = a->scroll;
    }
    close_lesson(a);
    if (open_lesson(a, a->opt.path, a->preview_page + 1)) a->scroll = a->preview_scroll;
    return true;
}

/* ---- life cycle ----------------------------------------------------- */

static bool make_target(App *a, Error *err)
{
    a->W = (int)(a->win_w * a->dpi + 0.5f);
    a->H = (int)(a->win_h * a->dpi + 0.5f);
    if (a->opt.headless) {
        /* Textures belong to the renderer: release ours before it goes. */
        drop_cache(a);
        text_set_renderer(a->te, NULL);
        if (a->ren) SDL_DestroyRenderer(a->ren);
        a->ren = NULL;
        SDL_FreeSurface(a->surface);
        a->surface = SDL_CreateRGBSurfaceWithFormat(0, a->W, a->H, 32, SDL_PIXELFORMAT_ARGB8888);
        if (!a->surface) return error_set(err, "cannot make a %dx%d picture: %s", a->W, a->H, SDL_GetError());
        a->ren = SDL_CreateSoftwareRenderer(a->surface);
        if (!a->ren) return error_set(err, "cannot start drawing: %s", SDL_GetError());
        SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_BLEND);
        text_set_renderer(a->te, a->ren);
    } else {
        int dw, dh;
        SDL_GetRendererOutputSize(a->ren, &dw, &dh);
        a->W = dw;
        a->H = dh;
    }
    return true;
}

void app_resize(App *a, int w, int h)
{
    if (w < 200) w = 200;
    if (h < 150) h = 150;
    a->win_w = w;
    a->win_h = h;
    if (a->opt.headless) make_target(a, NULL);
    else {
        int dw, dh;
        SDL_GetRendererOutputSize(a->ren, &dw, &dh);
        a->W = dw;
        a->H = dh;
        if (!a->opt.scale && w > 0) a->dpi = (float)dw / (float)w;
    }
    Geo g = geometry(a);
    clamp_scroll(a, &g);
}

/* The player's words in the learner's language, if a translation exists:
 * in the data folder, then installed, then in the source tree. */
static void load_translation(const char *lang)
{
    if (!lang || !*lang) return;
    char *paths[] = {xasprintf("%s/strings/%s.txt", paths_data_dir(), lang),
                     xasprintf("%s/strings/%s.txt", OUTPOST_DATA_INSTALL_DIR, lang),
                     xasprintf("%s/assets/strings/%s.txt", OUTPOST_SOURCE_DIR, lang)};
    bool done = false;
    for (int i = 0; i < 3; i++) {
        Error err = {{0}};
        if (!done && path_is_file(paths[i])) {
            done = strings_load(paths[i], &err);
            if (err.msg[0]) fprintf(stderr, "outpost: %s\n", err.msg);
        }
        free(paths[i]);
    }
}

static void open_store(App *a, const char *learner);

App *app_new(const AppOptions *opt, Error *err)
{
    App *a = xcalloc(1, sizeof *a);
    a->opt = *opt;
    for (int i = 0; i < LAYOUT_CACHE; i++) a->cache[i].page = -1;
    settings_defaults(&a->set);
    settings_load(&a->set, paths_settings_file());
    load_translation(a->set.ui_language);
    if (opt->headless) SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        error_set(err, "cannot start the display: %s", SDL_GetError());
        free(a);
        return NULL;
    }
    a->win_w = opt->width > 0 ? opt->width : 1024;
    a->win_h = opt->height > 0 ? opt->height : 720;
    a->dpi = opt->scale > 0 ? opt->scale : 1.0f;
    a->te = text_engine_new(err);
    if (!a->te) {
        SDL_Quit();
        free(a);
        return NULL;
    }
    if (!opt->headless) {
        a->win = SDL_CreateWindow("Outpost", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                  a->win_w, a->win_h,
                                  SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
        if (a->win) a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_PRESENTVSYNC);
        if (a->win && !a->ren) a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE);
        if (!a->ren) {
            error_set(err, "cannot open a window: %s", SDL_GetError());
            app_free(a);
            return NULL;
        }
        SDL_SetWindowMinimumSize(a->win, 320, 240);
        SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_BLEND);
        text_set_renderer(a->te, a->ren);
        int dw, dh;
        SDL_GetRendererOutputSize(a->ren, &dw, &dh);
        if (!opt->scale) a->dpi = (float)dw / (float)a->win_w;
        SDL_StartTextInput();
    }
    if (!make_target(a, err)) {
        app_free(a);
        return NULL;
    }
    a->continue_entry = -1;
    a->page_scroll_frac = -1;
    a->quiz_page = -1;
    if (opt->preview && opt->path) a->files_print = folder_print(opt->path, 0, 0);
    if (!opt->no_learner) open_store(a, opt->learner);
    if (!opt->no_learner && !opt->learner) learners_show(a);
    else ui_open_start(a);
    return a;
}

void ui_open_start(App *a)
{
    const char *path = a->opt.path;
    if (path && path_is_dir(path)) {
        char *manifest = xasprintf("%s/lesson.lua", path);
        bool is_lesson = path_is_file(manifest);
        free(manifest);
        if (is_lesson) {
            open_lesson(a, path, a->opt.page);
        } else {
            free(a->lib_dir);
            a->lib_dir = xstrdup(path);
            open_library(a);
        }
    } else if (path) {
        open_lesson(a, path, a->opt.page);
    } else {
        open_library(a);
    }
}

/* Opens the progress database; with `learner`, studies as that learner
 * (created if new). A database that cannot be opened is reported on the
 * learner screen and the player carries on without saving. */
static void open_store(App *a, const char *learner)
{
    Error err = {{0}};
    StoreOpenReport rep = {0};
    if (!paths_ensure_data_dir(&err) || !(a->store = store_open(NULL, &rep, &err))) {
        snprintf(a->store_problem, sizeof a->store_problem, "%s", err.msg);
        fprintf(stderr, "outpost: progress will not be saved: %s\n", err.msg);
        return;
    }
    if (rep.recovered) {
        snprintf(a->store_problem, sizeof a->store_problem, "%s", rep.message);
        fprintf(stderr, "outpost: %s\n", rep.message);
    }
    if (!learner) return;
    StoreLearner l;
    char id[STORE_ID_SIZE];
    if (!store_learner_find(a->store, learner, &l, &err)) {
        if (!store_learner_create(a->store, learner, NULL, id, &err) ||
            !store_learner_get(a->store, id, &l, &err)) {
            snprintf(a->store_problem, sizeof a->store_problem, "%s", err.msg);
            fprintf(stderr, "outpost: %s\n", err.msg);
            return;
        }
    }
    snprintf(a->learner_id, sizeof a->learner_id, "%s", l.id);
    snprintf(a->learner_name, sizeof a->learner_name, "%s", l.name);
    store_learner_select(a->store, l.id, NULL);
}

void app_free(App *a)
{
    if (!a) return;
    if (a->sync_thread) SDL_WaitThread(a->sync_thread, NULL);
    free(a->last_sync);
    close_lesson(a); /* frees page textures while the renderer lives */
    lib_free(a);
    learners_free(a);
    store_close(a->store);
    free(a->lib_dir);
    free(a->error);
    free(a->error_file);
    text_engine_free(a->te);
    if (a->ren) SDL_DestroyRenderer(a->ren);
    SDL_FreeSurface(a->surface);
    if (a->win) SDL_DestroyWindow(a->win);
    strings_reset();
    IMG_Quit();
    SDL_Quit();
    free(a);
}

int app_run(App *a)
{
    bool dirty = true;
    while (!a->quit) {
        if (dirty) {
            app_draw(a);
            SDL_RenderPresent(a->ren);
            dirty = false;
        }
        SDL_Event ev;
        /* While progress cannot be saved, try again every few seconds; an
         * author's preview looks at the files twice a second. */
        bool pending = a->store && store_pending_count(a->store) > 0;
        if (pending || a->opt.preview) {
            if (!SDL_WaitEventTimeout(&ev, a->opt.preview ? 500 : 3000)) {
                app_tick(a);
                dirty = true;
                continue;
            }
        } else if (!SDL_WaitEvent(&ev)) {
            break;
        }
        do {
            app_handle_event(a, &ev);
            dirty = true;
        } while (SDL_PollEvent(&ev));
    }
    return 0;
}

bool app_screenshot(App *a, const char *png, Error *err)
{
    app_draw(a);
    SDL_Surface *s = a->surface;
    SDL_Surface *tmp = NULL;
    if (!s) {
        tmp = SDL_CreateRGBSurfaceWithFormat(0, a->W, a->H, 32, SDL_PIXELFORMAT_ARGB8888);
        if (!tmp || SDL_RenderReadPixels(a->ren, NULL, SDL_PIXELFORMAT_ARGB8888, tmp->pixels,
                                         tmp->pitch) != 0) {
            SDL_FreeSurface(tmp);
            return error_set(err, "%s: cannot read the screen: %s", png, SDL_GetError());
        }
        s = tmp;
    }
    bool ok = shot_write_png(png, s, err);
    SDL_FreeSurface(tmp);
    return ok;
}

AppState app_state(App *a)
{
    Geo g = geometry(a);
    apply_resume_scroll(a, &g);
    PageLayout *pl = current_layout(a, &g);
    AppState st = {0};
    st.screen = a->screen;
    st.page = a->man ? a->page + 1 : 0;
    st.n_pages = a->man ? a->man->n_pages : 0;
    st.scroll = *scroll_ref(a);
    st.max_scroll = max_scroll(a, &g);
    st.missing = pl ? pl->missing : 0;
    st.n_problems = pl ? pl->n_problems : 0;
    st.error = a->screen == SCREEN_ERROR ? a->error : NULL;
    st.focus = a->focus_name;
    st.badge = a->badge ? a->badge : "";
    st.saving_problem = a->store_problem[0] ? a->store_problem : NULL;
    st.syncing = SDL_AtomicGet(&a->sync_state) != 0;
    st.sync_message = a->sync_message;
    st.waiting = a->waiting;
    QuizView *qv = current_quiz(a);
    if (qv) {
        QuizScore sc = quiz_score(quizview_quiz(qv));
        st.quiz_results = quizview_on_results(qv);
        st.quiz_question = st.quiz_results ? 0 : quizview_current(qv) + 1;
        st.quiz_scaled = sc.scaled;
        st.quiz_passed = sc.passed;
        st.quiz_error = quizview_error(qv);
        /* For `expect prompt` (course replay tests). */
        const QuizQuestion *cq = st.quiz_results ? NULL : quiz_question(quizview_quiz(qv), quizview_current(qv));
        st.quiz_prompt = cq ? cq->prompt : NULL;
    } else if (a->screen == SCREEN_LESSON && a->quiz_error) {
        st.quiz_error = a->quiz_error;
    }
    st.quit = a->quit;
    return st;
}

const char *app_problem(App *a, int i)
{
    Geo g = geometry(a);
    PageLayout *pl = current_layout(a, &g);
    return pl && i >= 0 && i < pl->n_problems ? pl->problems[i] : NULL;
}

void app_last_timings(App *a, double *layout_ms, double *draw_ms)
{
    if (layout_ms) *layout_ms = a->last_layout_ms;
    if (draw_ms) *draw_ms = a->last_draw_ms;
}
