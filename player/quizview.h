/* quizview: draws a quiz page (quiz.h) in the lesson column and turns the
 * learner's clicks, keys and typed text into answers. One question at a
 * time: prompt, the controls of its type, "Check answer", feedback and
 * explanation, "Next question"; after the last, a results screen that
 * reviews every answer with its explanation.
 *
 * The host (ui.c) owns focus and scrolling. After quizview_layout() the view
 * lists its controls (quizview_controls) with rectangles relative to the
 * column's top-left; the host adds them to its focus order, draws the focus
 * ring, and calls quizview_activate() on Enter/Space/click and
 * quizview_key()/quizview_text() for the focused control. */
#ifndef OUTPOST_QUIZVIEW_H
#define OUTPOST_QUIZVIEW_H

#include "package.h"
#include "quiz.h"
#include "render.h"

typedef struct QuizView QuizView;

/* What the view tells the host happened, so it can record progress. */
typedef enum QuizEventKind {
    QUIZ_EVENT_ANSWERED, /* question `question` was answered (result, response) */
    QUIZ_EVENT_FINISHED, /* the results screen was reached (score) */
} QuizEventKind;

typedef struct QuizEvent {
    QuizEventKind kind;
    int question;            /* display index */
    const QuizQuestion *q;   /* the question after the answer */
    QuizResult result;
    const char *response;    /* the answer as text (xAPI response format) */
    const char *interaction; /* xAPI interaction type ("choice", "numeric"...) */
    QuizScore score;
} QuizEvent;

typedef void (*QuizEventFn)(void *ud, const QuizEvent *ev);

typedef struct QuizControl {
    int id;          /* passed back to activate/key/text */
    SDL_Rect rc;     /* relative to the column's top-left, in pixels */
    bool text_input; /* wants typed text while focused */
    const char *name; /* for tests: "option 2", "check", "next", "field 1", ... */
} QuizControl;

/* Takes ownership of quiz. pkg (not owned, may be NULL) serves hotspot
 * images; lang is the lesson's language. on_event may be NULL. Opens on the
 * first question not yet locked (after quiz_restore), or on the results if
 * all are (no FINISHED event then). Free with quizview_free(), before the
 * renderer it drew with is destroyed (it holds a texture of that renderer). */
QuizView *quizview_new(Quiz *quiz, Package *pkg, const char *lang, QuizEventFn on_event, void *ud);
void quizview_free(QuizView *v);
Quiz *quizview_quiz(QuizView *v);

/* Lays the current state out for a column `width` pixels wide at `scale`
 * (HiDPI x text size) with theme th; returns the height in pixels. Cheap when
 * nothing changed since the last call. */
int quizview_layout(QuizView *v, TextEngine *te, int width, float scale, const Theme *th);
/* Draws at column origin (x, y) (y already scrolled); clip is the visible
 * area in window pixels. focus_id is the focused control or -1. */
void quizview_draw(QuizView *v, const Render *rd, int x, int y, SDL_Rect clip, int focus_id);
/* Controls after the last layout, in reading order; owned by the view. */
int quizview_controls(QuizView *v, const QuizControl **out);

/* Returns true if the state changed (the host then lays out again). */
bool quizview_activate(QuizView *v, int control_id);
/* A click at (px, py) relative to the column origin (for hotspot images and
 * anything not a control). */
bool quizview_click(QuizView *v, int px, int py);
/* Keys for the focused control (Up/Down to move an ordering item, Backspace
 * in a field...). True if used (the host then does not treat the key). */
bool quizview_key(QuizView *v, int control_id, const SDL_KeyboardEvent *k);
/* Text input and composition (SDL_TEXTINPUT, SDL_TEXTEDITING) for a field. */
bool quizview_text(QuizView *v, int control_id, const SDL_Event *ev);

/* The message of a script error, if the quiz failed while answering (the
 * host shows it in place with a "Skip to the next page" button), or NULL. */
const char *quizview_error(QuizView *v);

/* Added by quizview.c (not in the lead's first contract): */

/* The control the host should focus after the last change, or -1; reading
 * clears it. Set after "Next question" / "Try again" (the first control of
 * the question), after a scenario step (its first option), after Up/Down on
 * an option (the neighbouring option) and after Enter in a gap (the next
 * gap). Call after quizview_layout(). */
int quizview_focus_request(QuizView *v);
/* True on the results screen. */
bool quizview_on_results(QuizView *v);
/* The question shown (display index), or -1 on the results screen. */
int quizview_current(QuizView *v);

#endif
