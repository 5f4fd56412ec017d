/* quiz: runs a lesson's quiz page (a Lua script such as "quizzes/check.lua")
 * in its own sandbox with the quiz kit (scripts/quizkit.lua, compiled into the
 * player) and gives the UI plain C data. Authoring guide and scoring rules:
 * docs/quiz-scripting.md.
 *
 * Indices are 0-based and in DISPLAY order (options, items and right-hand
 * match items are shuffled per learner, deterministically from the seed).
 * Every call into Lua is a protected sandbox call: a failing script or
 * callback gives false and a one-line reason naming the file and line, never
 * a crash. Not thread-safe: one Quiz is used by one thread. */
#ifndef OUTPOST_QUIZ_H
#define OUTPOST_QUIZ_H

#include "sandbox.h"

typedef struct Quiz Quiz;

typedef enum QuizType {
    QUIZ_CHOICE,    /* one option */
    QUIZ_MULTI,     /* several options, partial credit */
    QUIZ_TRUEFALSE, /* options[0] is "True", options[1] "False" (or the labels given) */
    QUIZ_NUMERIC,   /* a number, within a tolerance; unit may be set */
    QUIZ_TEXT,      /* a typed answer, normalised */
    QUIZ_MATCH,     /* match each left item to a right item */
    QUIZ_ORDER,     /* put items in order */
    QUIZ_BLANKS,    /* fill the gaps between segments */
    QUIZ_HOTSPOT,   /* click a point on an image */
    QUIZ_SCENARIO,  /* branching steps, answered one step at a time */
} QuizType;

typedef struct QuizRegion {
    double x, y, w, h; /* in image pixels, or fractions 0..1 if fractions */
    char *label;       /* or NULL */
} QuizRegion;

/* One question as shown. All strings and arrays are owned by the Quiz and stay
 * valid until the next answer to this question, quiz_restore() or
 * quiz_free(). Unused fields are NULL / 0. */
typedef struct QuizQuestion {
    QuizType type;
    char *id;      /* the author's id, stable across seeds */
    char *prompt;  /* formatted with the question's drawn values */
    char *hint;    /* or NULL */
    char *explain; /* shown after answering and in the review, or NULL */
    char *unit;    /* numeric: e.g. "USD", or NULL */
    double weight;
    char **options; /* choice, multi, truefalse; scenario: current step's */
    int n_options;
    char **left, **right; /* match: left as written, right shuffled */
    int n_left, n_right;
    char **items; /* order: shuffled */
    int n_items;
    char **segments; /* blanks: text around the gaps; n_blanks + 1 of them */
    int n_blanks;
    char *image; /* hotspot: package entry name */
    QuizRegion *regions;
    int n_regions;
    bool fractions;
    char *step;      /* scenario: current step's name */
    char *step_text; /* scenario: current step's text */
    bool finished;   /* scenario: an ending was reached */
    /* Progress */
    int tries, max_tries;
    bool answered;       /* at least one try (scenario: ending reached) */
    bool locked;         /* no more tries: correct, or tries used up */
    double score;        /* 0..1, after any retry penalty */
    char *feedback;      /* after the last try, or NULL */
    char *your_answer;   /* the last answer as text, for the review, or NULL */
    char *correct_answer; /* the expected answer as text, for the review */
    char *note;           /* what the script's "next" handlers said, or NULL */
} QuizQuestion;

/* The outcome of one answer. feedback is owned by the Quiz (as above). */
typedef struct QuizResult {
    double score; /* 0..1 for this question */
    bool correct; /* full marks */
    bool done;    /* false while a scenario is still in progress */
    bool locked;  /* no more tries for this question */
    const char *feedback;
} QuizResult;

typedef struct QuizScore {
    double raw, max, scaled; /* sum of weight*score, sum of weights, raw/max */
    bool passed;             /* scaled >= the quiz's pass mark */
    int answered, total;
} QuizScore;

/* Loads the kit and the script `src` (entry name `name`), then draws this
 * learner's questions with `seed` (same seed: same questions, order, shuffles
 * and numbers). req lets the script require() other entries (may be NULL).
 * Returns NULL and "quizzes/check.lua:12: choice 'q1': answer 4 is out of
 * range (4 options)"-style reasons on failure. Free with quiz_free(). */
Quiz *quiz_load(const char *name, const char *src, size_t len, uint64_t seed,
                SandboxRequire *req, Error *err);
void quiz_free(Quiz *q);

const char *quiz_title(Quiz *q);
const char *quiz_intro(Quiz *q); /* or NULL */
double quiz_pass_mark(Quiz *q);  /* 0..1 */
int quiz_count(Quiz *q);
const QuizQuestion *quiz_question(Quiz *q, int i); /* NULL if out of range */
/* The expected answer as text ("Transaction value", "12 500 USD", ...). */
const char *quiz_correct_answer(Quiz *q, int i);

/* Answer setters: false with a reason if the index or answer is invalid, the
 * question is locked, or a script callback fails. */
bool quiz_answer_choice(Quiz *q, int i, int option, QuizResult *res, Error *err);
bool quiz_answer_multi(Quiz *q, int i, const int *options, int n, QuizResult *res, Error *err);
bool quiz_answer_bool(Quiz *q, int i, bool value, QuizResult *res, Error *err);
bool quiz_answer_number(Quiz *q, int i, double value, QuizResult *res, Error *err);
/* For text questions; numeric questions accept typed text too ("1,234.5",
 * full-width or Thai digits; see the guide). Input that is not a number is
 * refused (false) without using a try. */
bool quiz_answer_text(Quiz *q, int i, const char *utf8, QuizResult *res, Error *err);
/* right_for_left[l] = display index of the right item chosen for left l. */
bool quiz_answer_match(Quiz *q, int i, const int *right_for_left, int n, QuizResult *res,
                       Error *err);
/* order[k] = display index of the item the learner put at position k. */
bool quiz_answer_order(Quiz *q, int i, const int *order, int n, QuizResult *res, Error *err);
bool quiz_answer_blanks(Quiz *q, int i, const char *const *texts, int n, QuizResult *res,
                        Error *err);
bool quiz_answer_point(Quiz *q, int i, double x, double y, QuizResult *res, Error *err);
/* Chooses an option of the current step; res->done once an ending is reached. */
bool quiz_answer_scenario(Quiz *q, int i, int option, QuizResult *res, Error *err);

/* Totals over the drawn questions (unanswered ones count 0). */
QuizScore quiz_score(Quiz *q);
/* Tells the script that question i is being shown (its "next" handlers run;
 * what they return becomes the question's note). False with a file:line
 * reason if a handler fails. */
bool quiz_next(Quiz *q, int i, Error *err);
/* Text returned by the script's "finished" handler, or NULL. */
const char *quiz_finished_message(Quiz *q);
/* Text the script printed (print() goes here, not to stdout). */
const char *quiz_log(Quiz *q);

/* The answers given so far as one string (caller frees), for the progress
 * store; quiz_restore() on a quiz loaded with the same seed replays them and
 * reaches the same state. */
char *quiz_save(Quiz *q, Error *err);
bool quiz_restore(Quiz *q, const char *saved, Error *err);

/* For every question (drawn or not) and seeds 0..n_seeds-1: the question's
 * own correct answer must score full marks, a wrong one must not, and the
 * answer must survive saving. Leaves the learner's state unchanged. */
bool quiz_self_test(Quiz *q, int n_seeds, Error *err);

#endif
