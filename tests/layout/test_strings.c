/* The UI strings: English built in, a translation laid over it, and a
 * translation whose %-conversions do not match is not trusted. */
#include "uistrings.h"
#include "testlib.h"

#include <stdlib.h>
#include <unistd.h>

static char path[] = "/tmp/outpost-strings-XXXXXX";

TEST(english_by_default)
{
    CHECK_STR(str(STR_NEXT), "Next");
    char *s = str_printf(STR_PAGE_OF, 3, 12);
    CHECK_STR(s, "Page 3 of 12");
    free(s);
}

TEST(translation_laid_over)
{
    Error err = {{0}};
    CHECK(strings_load(path, &err));
    CHECK_CONTAINS(err.msg, "unknown string 'NOT_A_KEY'");
    CHECK_STR(str(STR_NEXT), "ถัดไป");
    char *s = str_printf(STR_PAGE_OF, 3, 12);
    CHECK_STR(s, "หน้า 3 จาก 12");
    free(s);
    /* "%s" where English has "%d %d": the English text is used instead. */
    s = str_printf(STR_LIBRARY_PAGES, 7);
    CHECK_STR(s, "7 pages");
    free(s);
    CHECK_STR(str(STR_PREVIOUS), "Previous");
    strings_reset();
    CHECK_STR(str(STR_NEXT), "Next");
}

TEST(missing_file)
{
    Error err = {{0}};
    CHECK(!strings_load("/no/such/strings.txt", &err));
    CHECK_CONTAINS(err.msg, "/no/such/strings.txt");
}

int main(void)
{
    int fd = mkstemp(path);
    const char *text = "# Thai test strings\nNEXT = ถัดไป\nPAGE_OF = หน้า %d จาก %d\n"
                       "LIBRARY_PAGES = %s หน้า\nNOT_A_KEY = x\n\n";
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) return 1;
    close(fd);
    RUN(english_by_default);
    RUN(translation_laid_over);
    RUN(missing_file);
    unlink(path);
    strings_reset();
    return test_summary();
}
