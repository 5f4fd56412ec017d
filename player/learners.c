/* learners: the start screen where an officer on a shared PC picks who is
 * studying, or adds themselves (name and an optional PIN). The last learner
 * is preselected, so the usual case is one key press. */
#include "ui_internal.h"
#include "uistrings.h"

#include <stdlib.h>
#include <string.h>

static void set_message(App *a, const char *msg)
{
    free(a->learner_message);
    a->learner_message = msg ? xstrdup(msg) : NULL;
}

void learners_free(App *a)
{
    free(a->learners);
    a->learners = NULL;
    a->n_learners = 0;
    set_message(a, NULL);
}

void learners_show(App *a)
{
    learners_free(a);
    Error err = {{0}};
    if (a->store && !store_learners(a->store, &a->learners, &a->n_learners, &err))
        set_message(a, err.msg);
    a->screen = SCREEN_LEARNERS;
    a->learner_mode = a->n_learners || !a->store ? LEARNERS_LIST : LEARNERS_CREATE;
    field_clear(&a->name_field);
    field_clear(&a->pin_field);
    a->pin_field.masked = true;
    a->focus_kind = a->store ? W_NONE : W_NO_STORE;
    a->focus_index = 0;
    if (a->learner_mode == LEARNERS_CREATE) {
        a->focus_kind = W_FIELD_NAME;
        return;
    }
    char last[STORE_ID_SIZE];
    if (a->store && store_last_learner(a->store, last))
        for (int i = 0; i < a->n_learners; i++)
            if (strcmp(a->learners[i].id, last) == 0) {
                a->focus_kind = W_LEARNER;
                a->focus_index = i;
            }
    if (a->focus_kind == W_NONE && a->n_learners) {
        a->focus_kind = W_LEARNER;
        a->focus_index = 0;
    }
}

static void choose(App *a, const StoreLearner *l)
{
    Error err = {{0}};
    snprintf(a->learner_id, sizeof a->learner_id, "%s", l->id);
    snprintf(a->learner_name, sizeof a->learner_name, "%s", l->name);
    if (!store_learner_select(a->store, l->id, &err))
        snprintf(a->store_problem, sizeof a->store_problem, "%s", err.msg);
    learners_free(a);
    field_clear(&a->pin_field);
    ui_open_start(a);
}

static void create(App *a)
{
    Error err = {{0}};
    char id[STORE_ID_SIZE];
    if (!store_learner_create(a->store, a->name_field.text, a->pin_field.text, id, &err)) {
        set_message(a, err.msg);
        return;
    }
    StoreLearner l;
    if (!store_learner_get(a->store, id, &l, &err)) {
        set_message(a, err.msg);
        return;
    }
    field_clear(&a->name_field);
    choose(a, &l);
}

void learners_activate(App *a, int kind, int index)
{
    switch (kind) {
    case W_LEARNER:
        if (index < 0 || index >= a->n_learners) return;
        if (a->learners[index].has_pin) {
            a->learner_mode = LEARNERS_PIN;
            a->pin_for = index;
            field_clear(&a->pin_field);
            set_message(a, NULL);
            a->focus_kind = W_FIELD_PIN;
        } else {
            choose(a, &a->learners[index]);
        }
        break;
    case W_PIN_OK: {
        Error err = {{0}};
        StorePinCheck r = store_learner_check_pin(a->store, a->learners[a->pin_for].id,
                                                  a->pin_field.text, &err);
        if (r == STORE_PIN_OK) {
            choose(a, &a->learners[a->pin_for]);
        } else {
            set_message(a, r == STORE_PIN_WRONG ? str(STR_LEARNERS_PIN_WRONG) : err.msg);
            field_clear(&a->pin_field);
            a->focus_kind = W_FIELD_PIN;
        }
        break;
    }
    case W_NEW_LEARNER:
        a->learner_mode = LEARNERS_CREATE;
        set_message(a, NULL);
        a->focus_kind = W_FIELD_NAME;
        break;
    case W_CREATE: create(a); break;
    case W_CANCEL:
        a->learner_mode = LEARNERS_LIST;
        set_message(a, NULL);
        field_clear(&a->pin_field);
        a->focus_kind = a->n_learners ? W_LEARNER : W_NONE;
        a->focus_index = 0;
        break;
    case W_NO_STORE:
        learners_free(a);
        ui_open_start(a);
        break;
    case W_FIELD_NAME:
    case W_FIELD_PIN:
        a->focus_kind = kind;
        break;
    }
}

bool learners_event(App *a, const SDL_Event *ev)
{
    TextField *f = a->focus_kind == W_FIELD_NAME ? &a->name_field
                   : a->focus_kind == W_FIELD_PIN ? &a->pin_field
                                                  : NULL;
    if (!f) return false;
    if (ev->type == SDL_KEYDOWN) {
        SDL_Keycode k = ev->key.keysym.sym;
        if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
            if (a->learner_mode == LEARNERS_PIN) learners_activate(a, W_PIN_OK, 0);
            else if (a->focus_kind == W_FIELD_NAME && a->name_field.text[0]) a->focus_kind = W_FIELD_PIN;
            else learners_activate(a, W_CREATE, 0);
            return true;
        }
        if (k == SDLK_ESCAPE && (a->learner_mode != LEARNERS_LIST && a->n_learners)) {
            learners_activate(a, W_CANCEL, 0);
            return true;
        }
    }
    return field_handle_event(f, ev);
}

static SDL_Rect column(const App *a, const Geo *g)
{
    int w = g->col_w < (int)(560 * g->ui) ? g->col_w : (int)(560 * g->ui);
    return (SDL_Rect){(a->W - w) / 2, g->content.y + (int)(80 * g->ui), w, 0};
}

void learners_build(App *a, const Geo *g)
{
    SDL_Rect col = column(a, g);
    int row = (int)(48 * g->ui), gap = (int)(10 * g->ui);
    int y = col.y + (int)(60 * g->ui);
    if (!a->store) {
        ui_add_widget(a, W_NO_STORE, 0, (SDL_Rect){col.x, y + row * 2, col.w, row});
        return;
    }
    if (a->learner_mode == LEARNERS_LIST) {
        for (int i = 0; i < a->n_learners; i++) {
            ui_add_widget(a, W_LEARNER, i, (SDL_Rect){col.x, y, col.w, row});
            y += row + gap;
        }
        ui_add_widget(a, W_NEW_LEARNER, 0, (SDL_Rect){col.x, y + gap, col.w, row});
        return;
    }
    if (a->learner_mode == LEARNERS_PIN) {
        y += row;
        ui_add_widget(a, W_FIELD_PIN, 0, (SDL_Rect){col.x, y, col.w, row});
        y += row + 2 * gap + (a->learner_message ? row : 0);
        int bw = (col.w - gap) / 2;
        ui_add_widget(a, W_PIN_OK, 0, (SDL_Rect){col.x, y, bw, row});
        ui_add_widget(a, W_CANCEL, 0, (SDL_Rect){col.x + bw + gap, y, bw, row});
        return;
    }
    y += (int)(48 * g->ui);
    ui_add_widget(a, W_FIELD_NAME, 0, (SDL_Rect){col.x, y, col.w, row});
    y += row + (int)(36 * g->ui);
    ui_add_widget(a, W_FIELD_PIN, 0, (SDL_Rect){col.x, y, col.w, row});
    y += row + 2 * gap + (a->learner_message ? row : 0);
    int bw = (col.w - gap) / 2;
    ui_add_widget(a, W_CREATE, 0, (SDL_Rect){col.x, y, a->n_learners ? bw : col.w, row});
    if (a->n_learners) ui_add_widget(a, W_CANCEL, 0, (SDL_Rect){col.x + bw + gap, y, bw, row});
}

static void paragraph(const Render *rd, const char *s, unsigned style, int size, uint32_t color,
                      int x, int y, int w)
{
    TextSpan sp = {s, strlen(s), style, size, color, 0};
    TextLayoutOptions o = {w, rd->lang, 1.2f, TEXT_ALIGN_LEFT};
    TextBlock *tb = text_layout(rd->te, &sp, 1, &o);
    text_draw_block(rd->te, tb, x, y);
    text_block_free(tb);
}

void learners_draw(App *a, const Geo *g)
{
    Render rd = ui_render(a);
    const Theme *th = rd.th;
    SDL_Rect col = column(a, g);
    int label_px = render_px(&rd, THEME_UI_PX);
    paragraph(&rd, str(STR_LEARNERS_TITLE), TEXT_BOLD, render_px(&rd, 28), th->heading, col.x,
              col.y, col.w);
    if (!a->store) {
        char *msg = str_printf(STR_LEARNERS_NO_STORE, a->store_problem);
        paragraph(&rd, msg, 0, render_px(&rd, THEME_BODY_PX), th->error_accent, col.x,
                  col.y + render_px(&rd, 60), col.w);
        free(msg);
    }
    int msg_y = 0;
    for (int i = 0; i < a->n_widgets; i++) {
        Widget *w = &a->widgets[i];
        bool focused = ui_focused(a, w->kind, w->index);
        switch (w->kind) {
        case W_LEARNER: {
            const StoreLearner *l = &a->learners[w->index];
            render_fill(&rd, w->rc, th->sidebar_bg);
            render_frame(&rd, w->rc, th->rule, render_px(&rd, 1));
            int pad = render_px(&rd, 14);
            SDL_Rect lr = {w->rc.x + pad, w->rc.y, w->rc.w - 2 * pad, w->rc.h};
            render_label(&rd, lr, l->name, TEXT_BOLD, render_px(&rd, THEME_BODY_PX), th->text,
                         TEXT_ALIGN_LEFT);
            if (l->has_pin)
                render_label(&rd, lr, str(STR_LEARNERS_HAS_PIN), 0, label_px, th->muted,
                             TEXT_ALIGN_RIGHT);
            if (focused) render_focus(&rd, w->rc);
            break;
        }
        case W_FIELD_NAME:
        case W_FIELD_PIN: {
            const char *label = w->kind == W_FIELD_NAME ? str(STR_LEARNERS_NAME) : NULL;
            char *pin_label = NULL;
            if (w->kind == W_FIELD_PIN)
                label = a->learner_mode == LEARNERS_PIN
                            ? (pin_label = str_printf(STR_LEARNERS_PIN_FOR, a->learners[a->pin_for].name))
                            : str(STR_LEARNERS_PIN);
            int lh = text_line_height(rd.te, 0, label_px);
            text_draw(rd.te, label, 0, label_px, th->muted, w->rc.x, w->rc.y - lh - render_px(&rd, 4),
                      rd.lang);
            free(pin_label);
            field_draw(&rd, w->kind == W_FIELD_NAME ? &a->name_field : &a->pin_field, w->rc, NULL,
                       focused);
            msg_y = w->rc.y + w->rc.h + render_px(&rd, 10);
            break;
        }
        case W_NEW_LEARNER: render_button(&rd, w->rc, str(STR_LEARNERS_NEW), false, focused); break;
        case W_CREATE: render_button(&rd, w->rc, str(STR_LEARNERS_CREATE), !a->name_field.text[0], focused); break;
        case W_CANCEL: render_button(&rd, w->rc, str(STR_LEARNERS_CANCEL), false, focused); break;
        case W_PIN_OK: render_button(&rd, w->rc, str(STR_LEARNERS_OPEN), false, focused); break;
        case W_NO_STORE: render_button(&rd, w->rc, str(STR_LEARNERS_WITHOUT), false, focused); break;
        default: break;
        }
    }
    if (a->learner_mode == LEARNERS_CREATE && !a->n_learners)
        paragraph(&rd, str(STR_LEARNERS_NONE), 0, label_px, th->muted, col.x,
                  col.y + render_px(&rd, 44), col.w);
    if (a->learner_message && msg_y)
        paragraph(&rd, a->learner_message, TEXT_BOLD, label_px, th->error_accent, col.x, msg_y,
                  col.w);
}
