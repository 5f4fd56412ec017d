/* testlib: a minimal test harness for Outpost's C tests.
 *   TEST(name) { CHECK(cond); CHECK_STR(a, b); }  and in main:
 *   RUN(name); ... return test_summary();
 * test_summary() prints "N passed, N failed" and returns the exit status. */
#ifndef OUTPOST_TESTLIB_H
#define OUTPOST_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed, test_cur_failed;
static const char *test_cur_name;

#define TEST(name) static void name(void)
#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__,    \
                    test_cur_name, #cond);                                          \
            test_cur_failed = 1;                                                    \
        }                                                                           \
    } while (0)
#define CHECK_STR(a, b)                                                             \
    do {                                                                            \
        const char *a_ = (a), *b_ = (b);                                            \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                    \
            fprintf(stderr, "%s:%d: %s: expected \"%s\", got \"%s\"\n", __FILE__,    \
                    __LINE__, test_cur_name, b_ ? b_ : "(null)", a_ ? a_ : "(null)"); \
            test_cur_failed = 1;                                                    \
        }                                                                           \
    } while (0)
#define CHECK_CONTAINS(hay, needle)                                                 \
    do {                                                                            \
        const char *h_ = (hay), *n_ = (needle);                                     \
        if (!h_ || !strstr(h_, n_)) {                                               \
            fprintf(stderr, "%s:%d: %s: \"%s\" does not contain \"%s\"\n", __FILE__, \
                    __LINE__, test_cur_name, h_ ? h_ : "(null)", n_);               \
            test_cur_failed = 1;                                                    \
        }                                                                           \
    } while (0)
#define RUN(name)                                                                   \
    do {                                                                            \
        test_cur_name = #name;                                                      \
        test_cur_failed = 0;                                                        \
        name();                                                                     \
        if (test_cur_failed) {                                                      \
            test_failed++;                                                          \
            fprintf(stderr, "FAIL %s\n", #name);                                    \
        } else {                                                                    \
            test_passed++;                                                          \
        }                                                                           \
    } while (0)

static inline int test_summary(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
