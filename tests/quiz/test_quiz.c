/* The quiz runtime: every question type's scoring, determinism per seed,
 * resume, author errors with file:line, the documented example. */
#include "quiz.h"
#include "testlib.h"

#include <stdlib.h>

static Quiz *load(const char *src, uint64_t seed, Error *e)
{
    return quiz_load("quizzes/check.lua", src, strlen(src), seed, NULL, e);
}

static Quiz *must_load(const char *src, uint64_t seed)
{
    Error e;
    Quiz *q = load(src, seed, &e);
    if (!q) fprintf(stderr, "  load failed: %s\n", e.msg);
    return q;
}

static int find_text(char **list, int n, const char *text)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], text) == 0) return i;
    return -1;
}

static bool near(double a, double b) { return a > b - 1e-9 && a < b + 1e-9; }

static char *read_source(const char *rel)
{
    const char *root = getenv("OUTPOST_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    char *data;
    size_t len;
    Error e;
    if (!file_read_all(path, 1 << 20, &data, &len, &e)) {
        fprintf(stderr, "  %s\n", e.msg);
        return NULL;
    }
    return data;
}

TEST(choice_scoring)
{
    const char *src = "local q = quiz{attempts = 2}\n"
                      "q:choice{id = 'c', prompt = 'Pick', options = {'A', {text = 'B', feedback = 'B is wrong'}, 'C'}, answer = 3}\n"
                      "return q";
    Quiz *q = must_load(src, 1);
    CHECK(q);
    if (!q) return;
    const QuizQuestion *qq = quiz_question(q, 0);
    CHECK(qq->type == QUIZ_CHOICE && qq->n_options == 3);
    QuizResult r;
    Error e;
    CHECK(quiz_answer_choice(q, 0, find_text(qq->options, 3, "B"), &r, &e));
    CHECK(r.score == 0 && !r.correct && !r.locked);
    CHECK_CONTAINS(r.feedback, "B is wrong");
    CHECK(quiz_answer_choice(q, 0, find_text(qq->options, 3, "C"), &r, &e));
    CHECK(r.score == 1 && r.correct && r.locked);
    CHECK(!quiz_answer_choice(q, 0, 0, &r, &e));
    CHECK_CONTAINS(e.msg, "already answered");
    CHECK(!quiz_answer_choice(q, 5, 0, &r, &e));
    CHECK_CONTAINS(e.msg, "there is no question 6");
    CHECK(!quiz_answer_bool(q, 0, true, &r, &e));
    quiz_free(q);
    q = must_load(src, 1);
    CHECK(!quiz_answer_choice(q, 0, 7, &r, &e));
    CHECK_CONTAINS(e.msg, "option 8 does not exist");
    CHECK(!quiz_answer_bool(q, 0, true, &r, &e));
    CHECK_CONTAINS(e.msg, "is a choice question, not truefalse");
    quiz_free(q);
}

TEST(multi_partial_credit)
{
    const char *src = "local q = quiz{}\n"
                      "q:multi{id = 'm', prompt = 'Pick', options = {'A', 'B', 'C', 'D'}, answer = {1, 2}, shuffle = false}\n"
                      "return q";
    int both[] = {0, 1}, one[] = {0}, one_wrong[] = {0, 2}, all[] = {0, 1, 2, 3};
    struct { int *sel; int n; double score; } cases[] = {
        {both, 2, 1}, {one, 1, 0.5}, {one_wrong, 2, 0}, {all, 4, 0}};
    for (int k = 0; k < 4; k++) {
        Quiz *q = must_load(src, 3);
        if (!q) return;
        QuizResult r;
        Error e;
        CHECK(quiz_answer_multi(q, 0, cases[k].sel, cases[k].n, &r, &e));
        CHECK(near(r.score, cases[k].score));
        CHECK(r.correct == (k == 0));
        quiz_free(q);
    }
}

TEST(truefalse_and_labels)
{
    const char *src = "local q = quiz{}\n"
                      "q:truefalse{id = 't', prompt = 'Sky is green', answer = false, labels = {'Yes', 'No'}}\n"
                      "return q";
    Quiz *q = must_load(src, 0);
    if (!q) return;
    CHECK_STR(quiz_question(q, 0)->options[0], "Yes");
    CHECK_STR(quiz_correct_answer(q, 0), "No");
    QuizResult r;
    Error e;
    CHECK(quiz_answer_bool(q, 0, true, &r, &e) && r.score == 0 && r.locked);
    quiz_free(q);
    q = must_load(src, 0);
    CHECK(quiz_answer_bool(q, 0, false, &r, &e) && r.score == 1);
    quiz_free(q);
}

TEST(numeric_params_and_parsing)
{
    const char *src =
        "local q = quiz{attempts = 9}\n"
        "q:numeric{id = 'n', unit = 'USD', tolerance = 0.5,\n"
        "  params = function(rng) return {p = rng:int(10, 90) * 1000, f = rng:int(1, 5) * 500} end,\n"
        "  prompt = function(v) return ('P=%d F=%d'):format(v.p, v.f) end,\n"
        "  answer = function(v) return v.p + v.f end}\n"
        "return q";
    Quiz *q = must_load(src, 42);
    if (!q) return;
    int p = 0, f = 0;
    CHECK(sscanf(quiz_question(q, 0)->prompt, "P=%d F=%d", &p, &f) == 2);
    double want = p + f;
    QuizResult r;
    Error e;
    CHECK(quiz_answer_number(q, 0, want + 1, &r, &e) && r.score == 0);
    CHECK(quiz_answer_number(q, 0, want + 0.4, &r, &e) && r.score == 1);
    quiz_free(q);
    /* Same seed, same numbers; typed forms of the same number. */
    char typed[8][64];
    long w = (long)want;
    snprintf(typed[0], 64, "%ld", w);
    snprintf(typed[1], 64, "%ld,%03ld", w / 1000, w % 1000);
    snprintf(typed[2], 64, "%ld %03ld,0", w / 1000, w % 1000);
    snprintf(typed[3], 64, "%ld.%03ld,00", w / 1000, w % 1000);
    snprintf(typed[4], 64, "%ld USD", w);
    snprintf(typed[5], 64, "usd %ld", w);
    /* full-width and Thai digits */
    char fw[64] = "", th[64] = "", digits[32];
    snprintf(digits, sizeof digits, "%ld", w);
    for (char *d = digits; *d; d++) {
        char u[4];
        int n = utf8_encode(0xFF10 + (uint32_t)(*d - '0'), u);
        strncat(fw, u, (size_t)n);
        n = utf8_encode(0x0E50 + (uint32_t)(*d - '0'), u);
        strncat(th, u, (size_t)n);
    }
    snprintf(typed[6], 64, "%s", fw);
    snprintf(typed[7], 64, "%s", th);
    for (int k = 0; k < 8; k++) {
        q = must_load(src, 42);
        if (!q) return;
        bool ok = quiz_answer_text(q, 0, typed[k], &r, &e);
        if (!ok || r.score != 1) fprintf(stderr, "  typed '%s': %s\n", typed[k], ok ? "wrong" : e.msg);
        CHECK(ok && r.score == 1);
        quiz_free(q);
    }
    q = must_load(src, 42);
    CHECK(!quiz_answer_text(q, 0, "about 30 thousand", &r, &e));
    CHECK_CONTAINS(e.msg, "is not a number");
    CHECK(quiz_question(q, 0)->tries == 0); /* not counted as a try */
    CHECK(!quiz_answer_text(q, 0, "12 34", &r, &e));
    quiz_free(q);
}

TEST(text_normalisation)
{
    const char *src = "local q = quiz{attempts = 9}\n"
                      "q:text{id = 'x', prompt = 'Rule?', answer = {'CTH', 'change of tariff heading'},\n"
                      "  mistakes = {CTSH = 'That is the subheading.'}}\n"
                      "q:text{id = 'y', prompt = 'Exact', answer = 'Abc', normalise = {case = false}}\n"
                      "return q";
    Quiz *q = must_load(src, 0);
    if (!q) return;
    QuizResult r;
    Error e;
    CHECK(quiz_answer_text(q, 0, "ctsh", &r, &e) && r.score == 0);
    CHECK_CONTAINS(r.feedback, "That is the subheading.");
    CHECK(quiz_answer_text(q, 0, "  Change   of\ttariff heading ", &r, &e) && r.score == 1);
    quiz_free(q);
    q = must_load(src, 0);
    /* full-width "ＣＴＨ" with an ideographic space */
    CHECK(quiz_answer_text(q, 0, "\u3000\uFF23\uFF34\uFF28", &r, &e) && r.score == 1);
    CHECK(quiz_answer_text(q, 1, "abc", &r, &e) && r.score == 0);
    CHECK(quiz_answer_text(q, 1, "Abc", &r, &e) && r.score == 1);
    quiz_free(q);
}

TEST(match_scoring)
{
    const char *src = "local q = quiz{attempts = 9}\n"
                      "q:match{id = 'm', prompt = 'Match', pairs = {{'CC', 'Chapter'}, {'CTH', 'Heading'}, {'CTSH', 'Subheading'}},\n"
                      "  distractors = {'Line'}}\n"
                      "return q";
    Quiz *q = must_load(src, 5);
    if (!q) return;
    const QuizQuestion *qq = quiz_question(q, 0);
    CHECK(qq->n_left == 3 && qq->n_right == 4);
    int ch = find_text(qq->right, 4, "Chapter"), he = find_text(qq->right, 4, "Heading"),
        sub = find_text(qq->right, 4, "Subheading"), li = find_text(qq->right, 4, "Line");
    int good[] = {ch, he, sub}, part[] = {ch, sub, he}, bad[] = {li, li, li};
    QuizResult r;
    Error e;
    CHECK(quiz_answer_match(q, 0, bad, 3, &r, &e) && r.score == 0);
    CHECK(quiz_answer_match(q, 0, part, 3, &r, &e) && near(r.score, 1.0 / 3));
    CHECK(quiz_answer_match(q, 0, good, 3, &r, &e) && r.score == 1 && r.correct);
    CHECK(!quiz_answer_match(q, 0, good, 2, &r, &e));
    quiz_free(q);
}

TEST(order_scoring)
{
    const char *src = "local q = quiz{attempts = 9}\n"
                      "q:order{id = 'o', prompt = 'Order', items = {'one', 'two', 'three', 'four'}}\n"
                      "return q";
    for (uint64_t seed = 0; seed < 20; seed++) {
        Quiz *q = must_load(src, seed);
        if (!q) return;
        const QuizQuestion *qq = quiz_question(q, 0);
        bool same = true;
        const char *want[] = {"one", "two", "three", "four"};
        int pos[4];
        for (int k = 0; k < 4; k++) {
            pos[k] = find_text(qq->items, 4, want[k]);
            if (strcmp(qq->items[k], want[k]) != 0) same = false;
        }
        CHECK(!same); /* never shown already in order */
        QuizResult r;
        Error e;
        int half[] = {pos[0], pos[1], pos[3], pos[2]};
        CHECK(quiz_answer_order(q, 0, half, 4, &r, &e) && near(r.score, 0.5));
        int dup[] = {pos[0], pos[0], pos[1], pos[2]};
        CHECK(!quiz_answer_order(q, 0, dup, 4, &r, &e));
        CHECK(quiz_answer_order(q, 0, pos, 4, &r, &e) && r.score == 1);
        quiz_free(q);
    }
}

TEST(blanks_scoring)
{
    const char *src = "local q = quiz{attempts = 9}\n"
                      "q:blanks{id = 'b', text = 'Held for {10|ten} days, extended by {10} more, under {Article 18}.'}\n"
                      "return q";
    Quiz *q = must_load(src, 0);
    if (!q) return;
    const QuizQuestion *qq = quiz_question(q, 0);
    CHECK(qq->n_blanks == 3);
    CHECK_STR(qq->segments[0], "Held for ");
    CHECK_STR(qq->segments[3], ".");
    QuizResult r;
    Error e;
    const char *partial[] = {"TEN", "9", "article  18"};
    CHECK(quiz_answer_blanks(q, 0, partial, 3, &r, &e) && near(r.score, 2.0 / 3));
    const char *good[] = {"\uFF11\uFF10", "10.0", "Article 18"};
    CHECK(quiz_answer_blanks(q, 0, good, 3, &r, &e) && r.score == 1);
    quiz_free(q);
}

TEST(hotspot_scoring)
{
    const char *src = "local q = quiz{attempts = 9}\n"
                      "q:hotspot{id = 'h', prompt = 'Click', image = 'images/a.png', regions = {\n"
                      "  {x = 10, y = 10, w = 100, h = 50, correct = true, label = 'brand'},\n"
                      "  {x = 10, y = 200, w = 50, h = 50, label = 'barcode', feedback = 'Barcode is fine.'}}}\n"
                      "return q";
    Quiz *q = must_load(src, 0);
    if (!q) return;
    const QuizQuestion *qq = quiz_question(q, 0);
    CHECK(qq->n_regions == 2 && !qq->fractions);
    CHECK_STR(qq->image, "images/a.png");
    QuizResult r;
    Error e;
    CHECK(quiz_answer_point(q, 0, 20, 220, &r, &e) && r.score == 0);
    CHECK_CONTAINS(r.feedback, "Barcode is fine.");
    CHECK(quiz_answer_point(q, 0, 500, 500, &r, &e) && r.score == 0);
    CHECK(quiz_answer_point(q, 0, 50, 30, &r, &e) && r.score == 1);
    CHECK_STR(quiz_question(q, 0)->your_answer, "brand");
    quiz_free(q);
}

static const char *SCENARIO =
    "local q = quiz{}\n"
    "q:scenario{id = 's', prompt = 'A truck arrives.', start = 'a', steps = {\n"
    "  a = {prompt = 'First?', options = {{text = 'Check', next = 'b', correct = true},\n"
    "                                     {text = 'Release', next = 'bad', feedback = 'Too soon.'}}},\n"
    "  b = {prompt = 'Then?', options = {{text = 'Wrong turn', next = 'ok'},\n"
    "                                    {text = 'Assess', next = 'ok', correct = true}}},\n"
    "  ok = {text = 'Done.'},\n"
    "  bad = {text = 'Lost.', score = 0}}}\n"
    "return q";

TEST(scenario_steps)
{
    Quiz *q = must_load(SCENARIO, 0);
    if (!q) return;
    const QuizQuestion *qq = quiz_question(q, 0);
    CHECK_STR(qq->step, "a");
    CHECK_STR(qq->step_text, "First?");
    QuizResult r;
    Error e;
    CHECK(quiz_answer_scenario(q, 0, 0, &r, &e) && !r.done);
    qq = quiz_question(q, 0);
    CHECK_STR(qq->step, "b");
    CHECK(qq->n_options == 2 && !qq->answered);
    CHECK(quiz_answer_scenario(q, 0, 0, &r, &e) && r.done);
    CHECK(near(r.score, 0.5)); /* one of two choices was the correct one */
    CHECK(quiz_question(q, 0)->finished && quiz_question(q, 0)->locked);
    CHECK(!quiz_answer_scenario(q, 0, 0, &r, &e));
    quiz_free(q);
    q = must_load(SCENARIO, 0);
    CHECK(quiz_answer_scenario(q, 0, 1, &r, &e) && r.done && r.score == 0);
    CHECK_CONTAINS(r.feedback, "Too soon.");
    quiz_free(q);
    q = must_load(SCENARIO, 0);
    CHECK(quiz_answer_scenario(q, 0, 0, &r, &e) && quiz_answer_scenario(q, 0, 1, &r, &e));
    CHECK(r.done && r.score == 1 && r.correct);
    quiz_free(q);
}

TEST(weights_pass_and_events)
{
    const char *src =
        "local q = quiz{pass = 0.6}\n"
        "q:truefalse{id = 'a', prompt = 'A', answer = true, weight = 3}\n"
        "q:truefalse{id = 'b', prompt = 'B', answer = true}\n"
        "local seen = 0\n"
        "q:on('answered', function(ev) seen = seen + 1 print('answered', ev.id, ev.score) if not ev.correct then return 'Try reading Art. 1.' end end)\n"
        "q:on('finished', function(s) return ('Finished with %d%%'):format(s.scaled * 100) end)\n"
        "return q";
    Quiz *q = must_load(src, 0);
    if (!q) return;
    QuizResult r;
    Error e;
    int ia = strcmp(quiz_question(q, 0)->id, "a") == 0 ? 0 : 1;
    CHECK(quiz_answer_bool(q, ia, true, &r, &e));
    QuizScore s = quiz_score(q);
    CHECK(near(s.raw, 3) && near(s.max, 4) && s.passed && s.answered == 1 && s.total == 2);
    CHECK(quiz_finished_message(q) == NULL);
    CHECK(quiz_answer_bool(q, 1 - ia, false, &r, &e));
    CHECK_CONTAINS(r.feedback, "Try reading Art. 1.");
    CHECK_STR(quiz_finished_message(q), "Finished with 75%");
    CHECK_CONTAINS(quiz_log(q), "answered\ta\t1");
    quiz_free(q);
}

TEST(callback_errors_name_the_line)
{
    const char *src = "local q = quiz{}\n"
                      "q:truefalse{id = 'a', prompt = 'A', answer = true}\n"
                      "q:on('answered', function(ev)\n"
                      "  local t = nil\n"
                      "  return t.x\n"
                      "end)\n"
                      "return q";
    Quiz *q = must_load(src, 0);
    if (!q) return;
    QuizResult r;
    Error e;
    CHECK(!quiz_answer_bool(q, 0, true, &r, &e));
    CHECK_CONTAINS(e.msg, "quizzes/check.lua:5: attempt to index a nil value");
    quiz_free(q);
    src = "local q = quiz{}\n"
          "q:truefalse{id = 'a', prompt = 'A', answer = true}\n"
          "q:on('answered', function(ev) while true do end end)\n"
          "return q";
    q = must_load(src, 0);
    double t0 = time_now_ms();
    CHECK(!quiz_answer_bool(q, 0, true, &r, &e));
    CHECK_STR(e.msg, "quizzes/check.lua: script ran too long");
    CHECK(time_now_ms() - t0 < 1000);
    quiz_free(q);
}

TEST(next_event_gives_a_note)
{
    const char *src =
        "local q = quiz{ title = 'T' }\n"
        "q:choice{ id = 'a', prompt = 'A?', options = {'x', 'y'}, answer = 1 }\n"
        "q:choice{ id = 'b', prompt = 'B?', options = {'x', 'y'}, answer = 2 }\n"
        "q:on('next', function(ev)\n"
        "  if ev.id == 'b' then return 'Last one: take your time.' end\n"
        "end)\n"
        "return q\n";
    Quiz *q = must_load(src, 1);
    CHECK(q != NULL);
    if (!q) return;
    Error e;
    CHECK(quiz_next(q, 0, &e));
    CHECK(quiz_question(q, 0)->note == NULL);
    CHECK(quiz_next(q, 1, &e));
    CHECK_STR(quiz_question(q, 1)->note, "Last one: take your time.");
    CHECK(!quiz_next(q, 5, &e));
    quiz_free(q);
    /* A failing handler names the author's line. */
    const char *bad =
        "local q = quiz{ title = 'T' }\n"
        "q:choice{ id = 'a', prompt = 'A?', options = {'x', 'y'}, answer = 1 }\n"
        "q:on('next', function(ev)\n"
        "  return nil .. 'x'\n"
        "end)\n"
        "return q\n";
    q = must_load(bad, 1);
    CHECK(q != NULL);
    if (!q) return;
    CHECK(!quiz_next(q, 0, &e));
    CHECK_CONTAINS(e.msg, "quizzes/check.lua:4");
    quiz_free(q);
    /* Unknown events are an author's mistake at load time. */
    const char *odd = "local q = quiz{ title = 'T' }\nq:on('later', function() end)\nreturn q\n";
    CHECK(load(odd, 1, &e) == NULL);
    CHECK_CONTAINS(e.msg, "quizzes/check.lua:2");
    CHECK_CONTAINS(e.msg, "\"next\"");
}

TEST(pools_and_shuffles_are_deterministic)
{
    const char *src = "local q = quiz{draw = 4, shuffle = true}\n"
                      "for i = 1, 10 do\n"
                      "  q:choice{id = 'q' .. i, prompt = 'Q' .. i, options = {'a', 'b', 'c', 'd', 'e'}, answer = 1}\n"
                      "end\n"
                      "return q";
    char first[512] = "", other[512] = "";
    int distinct = 0;
    for (uint64_t seed = 0; seed < 12; seed++) {
        for (int rep = 0; rep < 2; rep++) {
            Quiz *q = must_load(src, seed);
            if (!q) return;
            CHECK(quiz_count(q) == 4);
            char sig[512] = "";
            for (int i = 0; i < quiz_count(q); i++) {
                const QuizQuestion *qq = quiz_question(q, i);
                strncat(sig, qq->id, 32);
                for (int k = 0; k < qq->n_options; k++) strncat(sig, qq->options[k], 8);
                strcat(sig, ";");
            }
            if (rep == 0) snprintf(other, sizeof other, "%s", sig);
            else CHECK_STR(sig, other);
            quiz_free(q);
        }
        if (seed == 0) snprintf(first, sizeof first, "%s", other);
        else if (strcmp(first, other) != 0) distinct++;
    }
    CHECK(distinct >= 10); /* different seeds give different draws */
}

TEST(resume_restores_state)
{
    char *src = read_source("tests/quiz/example.lua");
    if (!src) {
        CHECK(src);
        return;
    }
    Quiz *q = must_load(src, 99);
    if (!q) return;
    QuizResult r;
    Error e;
    for (int i = 0; i < quiz_count(q); i++) {
        const QuizQuestion *qq = quiz_question(q, i);
        switch (qq->type) {
        case QUIZ_CHOICE: quiz_answer_choice(q, i, 0, &r, &e); break;
        case QUIZ_TRUEFALSE: quiz_answer_bool(q, i, true, &r, &e); break;
        case QUIZ_NUMERIC: quiz_answer_text(q, i, "1 000,5", &r, &e); break;
        case QUIZ_TEXT: quiz_answer_text(q, i, "cth\ttab\nnewline\\", &r, &e); break;
        case QUIZ_BLANKS: {
            const char *b[] = {"ten", "9"};
            quiz_answer_blanks(q, i, b, 2, &r, &e);
            break;
        }
        case QUIZ_SCENARIO: quiz_answer_scenario(q, i, 0, &r, &e); break;
        case QUIZ_HOTSPOT: quiz_answer_point(q, i, 0.2, 0.1, &r, &e); break;
        default: break;
        }
    }
    char *saved = quiz_save(q, &e);
    CHECK(saved);
    Quiz *q2 = must_load(src, 99);
    CHECK(q2 && quiz_restore(q2, saved, &e));
    for (int i = 0; q2 && i < quiz_count(q); i++) {
        const QuizQuestion *a = quiz_question(q, i), *b = quiz_question(q2, i);
        CHECK_STR(a->id, b->id);
        CHECK_STR(a->prompt, b->prompt);
        CHECK(a->score == b->score && a->tries == b->tries && a->locked == b->locked);
        CHECK((a->step == NULL) == (b->step == NULL));
        if (a->step) CHECK_STR(a->step, b->step);
        if (a->your_answer) CHECK_STR(b->your_answer, a->your_answer);
    }
    if (q2) {
        QuizScore s1 = quiz_score(q), s2 = quiz_score(q2);
        CHECK(s1.raw == s2.raw && s1.answered == s2.answered);
        char *saved2 = quiz_save(q2, &e);
        CHECK_STR(saved2, saved);
        free(saved2);
        CHECK(!quiz_restore(q2, "outpost-quiz 1\nmethods-first\tnot-a-number\n", &e));
        CHECK_CONTAINS(e.msg, "damaged");
        CHECK(!quiz_restore(q2, "garbage", &e));
    }
    free(saved);
    quiz_free(q2);
    quiz_free(q);
    free(src);
}

static void expect_load_error(const char *src, const char *msg)
{
    Error e;
    Quiz *q = load(src, 0, &e);
    CHECK(!q);
    if (q) quiz_free(q);
    else CHECK_STR(e.msg, msg);
}

TEST(author_errors_give_file_line)
{
    expect_load_error("local q = quiz{}\n"
                      "\n"
                      "q:choice{id = 'methods-first', prompt = 'P', options = {'a', 'b', 'c', 'd'}, answer = 4}\n"
                      "q:choice{id = 'x', prompt = 'P', options = {'a', 'b', 'c', 'd'}, answer = 5}\n"
                      "return q",
                      "quizzes/check.lua:4: choice 'x': answer 5 is out of range (4 options)");
    expect_load_error("local q = quiz{}\nq:choice{id = 'a', prompt = 'P', options = {'a', 'b'}, answers = 1}\nreturn q",
                      "quizzes/check.lua:2: choice 'a': unknown field 'answers' (did you mean 'answer'?)");
    expect_load_error("local q = quiz{}\nq:text{prompt = 'P', answer = 'x'}\nreturn q",
                      "quizzes/check.lua:2: text: every question needs an id (a short unique name, e.g. id = \"q1\")");
    expect_load_error("local q = quiz{}\nq:truefalse{id = 'a', prompt = 'P', answer = true}\n"
                      "q:truefalse{id = 'a', prompt = 'P', answer = true}\nreturn q",
                      "quizzes/check.lua:3: truefalse 'a': id is already used by the question at quizzes/check.lua:2");
    expect_load_error("local q = quiz{pass = 70}\nreturn q",
                      "quizzes/check.lua:1: quiz: pass must be a number from 0 to 1 (0.7 means 70%)");
    expect_load_error("local q = quiz{}\nq:numeric{id = 'n', prompt = 'P',\n params = function(rng) return {a = 1} end,\n answer = function(v) return v.b * 2 end}\nreturn q",
                      "quizzes/check.lua:4: attempt to perform arithmetic on a nil value (field 'b')");
    expect_load_error("local q = quiz{}\nq:blanks{id = 'b', text = 'no gaps here'}\nreturn q",
                      "quizzes/check.lua:2: blanks 'b': text has no blanks; write each answer in braces, e.g. \"{10} days\"");
    expect_load_error("local q = quiz{}\nq:scenario{id = 's', prompt = 'P', start = 'a', steps = {\n"
                      "  a = {prompt = 'x', options = {{text = 't', next = 'nowhere'}}}}}\nreturn q",
                      "quizzes/check.lua:2: scenario 's': step 'a' option 1 leads to 'nowhere', which does not exist");
    expect_load_error("local q = quiz{}\nq:hotspot{id = 'h', prompt = 'P', image = 'i.png', regions = {{x = 1, y = 1, w = 2, h = 2}}}\nreturn q",
                      "quizzes/check.lua:2: hotspot 'h': no region is marked correct = true");
    expect_load_error("local q = quiz{}\nq:truefalse{id = 'a', prompt = 'P', answer = true}\n",
                      "quizzes/check.lua: the script must end with 'return q' (the quiz made by quiz{...})");
    expect_load_error("local q = quiz{}\nreturn q", "quizzes/check.lua:1: quiz has no questions");
    expect_load_error("local q = quiz{\n", "quizzes/check.lua:2: unexpected symbol near <eof>");
    expect_load_error("local q = quiz{}\nq.choice{id = 'a'}\nreturn q",
                      "quizzes/check.lua:2: choice: call it as q:choice{...} on a quiz made by quiz{...}");
    expect_load_error("local q = quiz{}\nq:on('clicked', print)\nreturn q",
                      "quizzes/check.lua:2: on: unknown event 'clicked' (use \"next\", \"answered\" or \"finished\")");
}

TEST(self_test_catches_broken_questions)
{
    /* The answer depends on a param that can make it unreachable. */
    const char *src = "local q = quiz{}\n"
                      "q:text{id = 't', prompt = 'P', params = function(rng) return {n = rng:int(1, 50)} end,\n"
                      "  answer = function(v) return v.n == 7 and '   ' or 'ok' end}\n"
                      "return q";
    Quiz *q = must_load(src, 1);
    if (!q) return;
    Error e;
    CHECK(!quiz_self_test(q, 200, &e));
    CHECK_CONTAINS(e.msg, "quizzes/check.lua:2: text 't': answer 1 is empty");
    quiz_free(q);
}

TEST(example_from_docs)
{
    char *ex = read_source("tests/quiz/example.lua");
    char *doc = read_source("docs/quiz-scripting.md");
    CHECK(ex && doc);
    if (!ex || !doc) {
        free(ex);
        free(doc);
        return;
    }
    /* The guide shows this file verbatim, so the guide cannot rot. */
    CHECK(strstr(doc, ex) != NULL);
    double t0 = time_now_ms();
    Quiz *q = must_load(ex, 2024);
    double ms = time_now_ms() - t0;
    printf("  quiz_load of the example: %.2f ms\n", ms);
    CHECK(q);
    if (q) {
        CHECK(quiz_count(q) == 10);
        Error e;
        t0 = time_now_ms();
        CHECK(quiz_self_test(q, 200, &e));
        printf("  self-test, 200 seeds: %.1f ms\n", time_now_ms() - t0);
        quiz_free(q);
    }
    free(ex);
    free(doc);
}

TEST(quiz_sandbox_is_safe)
{
    Error e;
    expect_load_error("local q = quiz{}\nq:truefalse{id = 'a', prompt = 'P', answer = true}\nio.open('x', 'w')\nreturn q",
                      "quizzes/check.lua:3: attempt to index a nil value (global 'io')");
    double t0 = time_now_ms();
    Quiz *q = load("local q = quiz{}\nq:numeric{id = 'n', prompt = 'P', answer = 1,\n"
                   "  params = function(rng) while true do end end}\nreturn q", 0, &e);
    CHECK(!q);
    CHECK_STR(e.msg, "quizzes/check.lua: script ran too long");
    CHECK(time_now_ms() - t0 < 1000);
    quiz_free(q);
    /* The kit's private state is unreachable: rng has a locked metatable. */
    expect_load_error("local q = quiz{}\nq:numeric{id = 'n', prompt = 'P', answer = 1,\n"
                      "  params = function(rng) getmetatable(rng).__index.int = nil return {} end}\nreturn q",
                      "quizzes/check.lua:3: attempt to index a boolean value");
    expect_load_error("local q = quiz{}\nrawset(q, 'x', 1)\nq.title = 'x'\nreturn q",
                      "quizzes/check.lua:3: a quiz object cannot be changed directly");
}

int main(void)
{
    RUN(choice_scoring);
    RUN(multi_partial_credit);
    RUN(truefalse_and_labels);
    RUN(numeric_params_and_parsing);
    RUN(text_normalisation);
    RUN(match_scoring);
    RUN(order_scoring);
    RUN(blanks_scoring);
    RUN(hotspot_scoring);
    RUN(scenario_steps);
    RUN(weights_pass_and_events);
    RUN(callback_errors_name_the_line);
    RUN(next_event_gives_a_note);
    RUN(pools_and_shuffles_are_deterministic);
    RUN(resume_restores_state);
    RUN(author_errors_give_file_line);
    RUN(self_test_catches_broken_questions);
    RUN(example_from_docs);
    RUN(quiz_sandbox_is_safe);
    return test_summary();
}
