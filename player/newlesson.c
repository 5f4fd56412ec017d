/* newlesson: `outpost new DIR` writes a small starter lesson that passes
 * `outpost check` as it is, so an instructor starts from something that works
 * and changes it step by step (the tools tests check that it does pass). */
#include "cli.h"
#include "tools.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char LESSON_LUA[] =
    "-- lesson.lua: the lesson's manifest. See docs/package-format.md.\n"
    "-- Give every page an id and keep it when you rename the file: learners'\n"
    "-- progress is kept per page id.\n"
    "return {\n"
    "  id = \"%s\",\n"
    "  version = \"1.0.0\",\n"
    "  title = \"My first lesson\",\n"
    "  language = \"en\",\n"
    "  description = \"A starter lesson made by outpost new: change it to make it yours.\",\n"
    "  authors = { \"Your name\" },\n"
    "  minutes = 10,\n"
    "  pages = {\n"
    "    { path = \"pages/01-welcome.md\", id = \"welcome\" },\n"
    "    { path = \"quizzes/check.lua\", id = \"check\", title = \"Check your understanding\" },\n"
    "  },\n"
    "}\n";

static const char PAGE_MD[] =
    "# Welcome\n"
    "\n"
    "This is the first page of your lesson. Write plain text; **bold** and\n"
    "*italic* work as in any Markdown editor.\n"
    "\n"
    "A page can hold:\n"
    "\n"
    "- headings, paragraphs and lists like this one;\n"
    "- pictures kept in the lesson, such as `images/invoice.png`;\n"
    "- links to other pages, such as the [quiz](../quizzes/check.lua).\n"
    "\n"
    "> **Remember:** a block quote like this one is shown as a callout box. Use\n"
    "> it for the rules learners must not forget.\n";

static const char QUIZ_LUA[] =
    "-- quizzes/check.lua: a quiz page. See docs/quiz-scripting.md.\n"
    "local q = quiz{\n"
    "  title = \"Check your understanding\",\n"
    "  pass = 0.5,\n"
    "}\n"
    "\n"
    "q:choice{\n"
    "  id = \"callout\",\n"
    "  prompt = \"How is a block quote shown on a page?\",\n"
    "  options = { \"As a callout box\", \"In red letters\", \"It is hidden\" },\n"
    "  answer = 1,\n"
    "  explain = \"Lines starting with '>' are shown in a callout box.\",\n"
    "}\n"
    "\n"
    "q:truefalse{\n"
    "  id = \"page-ids\",\n"
    "  prompt = \"Renaming a page's file loses learners' progress if the page has an explicit id.\",\n"
    "  answer = false,\n"
    "  explain = \"Progress is kept per page id, so an explicit id keeps it when the file is renamed.\",\n"
    "}\n"
    "\n"
    "return q\n";

static void usage(FILE *f)
{
    fputs("usage: outpost new FOLDER\n"
          "\n"
          "Creates a starter lesson in FOLDER (which must not exist, or be empty):\n"
          "lesson.lua, a page with a heading, a paragraph, a list and a callout, and\n"
          "a quiz with two questions. It passes 'outpost check' as it is; open it\n"
          "with 'outpost FOLDER' and change it to make it yours.\n"
          "\n"
          "  -h, --help   show this help\n",
          f);
}

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return false;
    bool empty = true;
    for (struct dirent *de; empty && (de = readdir(d));)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) empty = false;
    closedir(d);
    return empty;
}

/* A lesson id from the folder's name: letters, digits, '.', '_' and '-'. */
static char *id_from(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    const char *base = dir;
    for (size_t i = 0; i < n; i++)
        if (dir[i] == '/') base = dir + i + 1;
    Buf b = {0};
    for (const char *p = base; p < dir + n && b.len < 100; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (ok) buf_putc(&b, c);
        else if (b.len && b.data[b.len - 1] != '-') buf_putc(&b, '-');
    }
    if (b.len == 0 || strspn(b.data, ".-_") == b.len) {
        buf_free(&b);
        return xstrdup("my-lesson");
    }
    return buf_take(&b);
}

int cmd_new(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "outpost new: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (dir) {
            fprintf(stderr, "outpost new: only one folder at a time ('%s' is extra)\n", a);
            usage(stderr);
            return 2;
        } else {
            dir = a;
        }
    }
    if (!dir || !*dir) {
        fprintf(stderr, "outpost new: which folder? (missing FOLDER)\n");
        usage(stderr);
        return 2;
    }
    struct stat st;
    if (lstat(dir, &st) == 0 && !(S_ISDIR(st.st_mode) && dir_is_empty(dir))) {
        fprintf(stderr, "outpost: %s: already exists and is not an empty folder; choose a new name\n", dir);
        return 1;
    }
    Error err = {{0}};
    char *id = id_from(dir);
    char *manifest = xasprintf(LESSON_LUA, id);
    struct {
        const char *name, *text;
    } files[] = {{"lesson.lua", manifest}, {"pages/01-welcome.md", PAGE_MD}, {"quizzes/check.lua", QUIZ_LUA}};
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof files / sizeof files[0]; i++) {
        char *path = xasprintf("%s/%s", dir, files[i].name);
        char *slash = strrchr(path, '/');
        *slash = 0;
        ok = mkdir_p(path, &err);
        *slash = '/';
        /* New folders are 0700 from mkdir_p; a lesson is meant to be shared. */
        if (ok) chmod(dir, 0755);
        if (ok && strchr(files[i].name, '/')) {
            *slash = 0;
            chmod(path, 0755);
            *slash = '/';
        }
        if (ok) ok = file_write_atomic(path, files[i].text, strlen(files[i].text), &err);
        free(path);
    }
    if (ok)
        printf("Created a starter lesson in %s: lesson.lua, pages/01-welcome.md, quizzes/check.lua\n"
               "Open it with 'outpost %s'; check it with 'outpost check %s'.\n",
               dir, dir, dir);
    else
        fprintf(stderr, "outpost: %s: %s\n", dir, err.msg);
    free(manifest);
    free(id);
    return ok ? 0 : 1;
}
