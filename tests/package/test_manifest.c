/* Tests for the manifest loader: a complete manifest, and every kind of
 * mistake or hostile lesson.lua, each of which must give one clear line. */
#include "helpers.h" /* first: it selects the POSIX level for nftw */

#include <dirent.h>

#include "manifest.h"
#include "testlib.h"

static char *scratch; /* a lesson folder rewritten by each test */

/* Writes a lesson folder with a few pages and the given lesson.lua. */
static void lesson_with(const char *manifest)
{
    rm_rf(scratch);
    write_file(scratch, "pages/a.md", "# A\n");
    write_file(scratch, "pages/b.md", "# B\n");
    write_file(scratch, "pages/a.lua", "return {}\n");
    write_file(scratch, "quizzes/q.lua", "return {}\n");
    write_file(scratch, "notes.txt", "notes\n");
    write_file(scratch, "images/c.png", "not really a png");
    write_file(scratch, "lesson.lua", manifest);
}

/* Loads scratch and expects failure with a message containing each of the
 * given pieces (NULL-terminated). */
static void expect_error_(const char *manifest, const char *const *want)
{
    lesson_with(manifest);
    Error err = {{0}};
    Package *pkg = package_open(scratch, &err);
    CHECK(pkg != NULL);
    if (!pkg) {
        fprintf(stderr, "  open: %s\n", err.msg);
        return;
    }
    Manifest *m = manifest_load(pkg, &err);
    CHECK(m == NULL);
    for (; *want; want++) CHECK_CONTAINS(err.msg, *want);
    CHECK(err.msg[0] != 0 && strchr(err.msg, '\n') == NULL); /* one line */
    manifest_free(m);
    package_close(pkg);
}
#define expect_error(manifest, ...) expect_error_(manifest, (const char *const[]){__VA_ARGS__, NULL})

static Manifest *load_ok(const char *manifest)
{
    lesson_with(manifest);
    Error err = {{0}};
    Package *pkg = package_open(scratch, &err);
    Manifest *m = pkg ? manifest_load(pkg, &err) : NULL;
    if (!m) fprintf(stderr, "  unexpected error: %s\n", err.msg);
    CHECK(m != NULL);
    package_close(pkg); /* a manifest does not refer to its package */
    return m;
}

#define HEAD "id = 'x', version = '1', title = 'T', language = 'en', "

TEST(complete_manifest)
{
    char *dir = join(fixtures_dir, "good");
    Error err = {{0}};
    Package *pkg = package_open(dir, &err);
    Manifest *m = pkg ? manifest_load(pkg, &err) : NULL;
    if (!m) fprintf(stderr, "  %s\n", err.msg);
    CHECK(m != NULL);
    if (m) {
        CHECK_STR(m->id, "wco.valuation.basics");
        CHECK_STR(m->version, "1.2.0");
        CHECK_STR(m->title, "Customs valuation: the basics");
        CHECK_STR(m->language, "en");
        CHECK_STR(m->description, "How the transaction value method works, step by step.");
        CHECK_STR(m->cover, "images/cover.png");
        CHECK_STR(m->publisher, "Outpost sample content");
        CHECK_STR(m->license, "CC-BY-4.0");
        CHECK(m->n_authors == 2);
        if (m->n_authors == 2) {
            CHECK_STR(m->authors[0], "A. Officer");
            CHECK_STR(m->authors[1], "B. Trainer");
        }
        CHECK(m->minutes == 25);
        CHECK(m->n_pages == 3);
        if (m->n_pages == 3) {
            CHECK_STR(m->pages[0].path, "pages/01-intro.md");
            CHECK_STR(m->pages[0].id, "pages/01-intro"); /* default: path without extension */
            CHECK(m->pages[0].title == NULL);
            CHECK(m->pages[0].kind == PAGE_MARKDOWN);
            CHECK_STR(m->pages[1].path, "pages/02-value.md");
            CHECK_STR(m->pages[1].id, "transaction-value");
            CHECK_STR(m->pages[1].title, "Transaction value");
            CHECK_STR(m->pages[2].path, "quizzes/check.lua");
            CHECK_STR(m->pages[2].id, "check");
            CHECK(m->pages[2].kind == PAGE_QUIZ);
        }
        CHECK(manifest_find_page(m, "transaction-value") == 1);
        CHECK(manifest_find_page(m, "pages/02-value.md") == 1);
        CHECK(manifest_find_page(m, "pages/01-intro") == 0);
        CHECK(manifest_find_page(m, "check") == 2);
        CHECK(manifest_find_page(m, "nope") == -1);
        CHECK(manifest_find_page(m, NULL) == -1);
    }
    manifest_free(m);
    package_close(pkg);
    free(dir);
}

TEST(minimal_manifest)
{
    Manifest *m = load_ok("return { " HEAD "pages = { 'pages/a.md' } }");
    if (m) {
        CHECK(m->description == NULL && m->cover == NULL && m->publisher == NULL && m->license == NULL);
        CHECK(m->n_authors == 0 && m->minutes == 0);
        CHECK(m->n_pages == 1 && m->pages[0].kind == PAGE_MARKDOWN);
    }
    manifest_free(m);
    /* Unknown fields are ignored; the language tag can have parts; data can
     * be computed (it is Lua) as long as no library is needed. */
    m = load_ok("local p = 'pages/'\n"
                "return { id = 'A-b_c.9', version = '2', title = 'T', language = 'zh-Hans',\n"
                "  pages = { p .. 'a.md', { path = p .. 'b.md' }; 'quizzes/q.lua' },\n"
                "  future = function() end, [1] = 'x', minutes = 3.0 }\n");
    if (m) {
        CHECK_STR(m->language, "zh-Hans");
        CHECK(m->n_pages == 3);
        CHECK(m->minutes == 3);
        if (m->n_pages == 3) CHECK_STR(m->pages[1].id, "pages/b");
    }
    manifest_free(m);
}

TEST(zip_manifest)
{
    char *zips = make_zips();
    if (!zips) return;
    char *path = join(zips, "good.lesson");
    Error err = {{0}};
    Package *pkg = package_open(path, &err);
    Manifest *m = pkg ? manifest_load(pkg, &err) : NULL;
    CHECK(m != NULL && m->n_pages == 3);
    manifest_free(m);
    package_close(pkg);
    free(path);

    /* Listed in lesson.lua, absent from the zip. */
    path = join(zips, "missingpage.lesson");
    pkg = package_open(path, &err);
    CHECK(pkg != NULL);
    m = pkg ? manifest_load(pkg, &err) : NULL;
    CHECK(m == NULL);
    CHECK_CONTAINS(err.msg, "lesson.lua:2: field 'pages[1]': \"pages/a.md\" is not in the lesson");
    package_close(pkg);
    free(path);
    /* mkzips.py's contract (tests/ui relies on it): good*.lesson open, load
     * and read; every other package fails at one of those steps. */
    DIR *d = opendir(zips);
    int n_bad = 0;
    for (struct dirent *de; d && (de = readdir(d));) {
        if (!str_ends_with(de->d_name, ".lesson")) continue;
        bool good = strncmp(de->d_name, "good", 4) == 0;
        path = join(zips, de->d_name);
        pkg = package_open(path, &err);
        m = pkg ? manifest_load(pkg, &err) : NULL;
        bool ok = m != NULL;
        for (int i = 0; ok && i < m->n_pages; i++) {
            char *data;
            size_t len;
            ok = package_read(pkg, m->pages[i].path, &data, &len, &err);
            if (ok) free(data);
        }
        if (ok != good) fprintf(stderr, "  %s: %s\n", de->d_name, ok ? "opened" : err.msg);
        CHECK(ok == good);
        n_bad += !good;
        manifest_free(m);
        package_close(pkg);
        free(path);
    }
    if (d) closedir(d);
    CHECK(n_bad >= 20);
    rm_rf(zips);
    free(zips);
}

TEST(script_errors)
{
    expect_error("return { id = }", "lesson.lua:1:");
    expect_error("-- fine\n-- fine\nlocal x = nil; x.boom = 1\nreturn {}", "lesson.lua:3:", "attempt to index a nil value");
    expect_error("-- fine\nerror('boom')", "lesson.lua:2:", "error"); /* not even error() exists */
    expect_error("while true do end", "lesson.lua: script ran too long");
    expect_error("local s = 'x' for i = 1, 40 do s = s .. s end return {}", "lesson.lua: script used too much memory");
    expect_error("local t = {} for i = 1, 1e9 do t[i] = {} end return t", "lesson.lua: script used too much memory");
    expect_error("\x1bLua\x54\x00 binary", "precompiled code is not allowed");
    /* No libraries, no globals. */
    expect_error("return { " HEAD "pages = { string.format('%s', 'pages/a.md') } }", "lesson.lua:1:", "string");
    expect_error("local f = io.open('/etc/passwd') return {}", "lesson.lua:1:", "io");
    expect_error("return setmetatable({}, {})", "lesson.lua:1:", "setmetatable");
    expect_error("return require('x')", "lesson.lua:1:", "require");
}

TEST(result_shape)
{
    expect_error("return 42", "lesson.lua:1: expected the file to return a table, got number");
    expect_error("return 'x'", "expected the file to return a table, got string");
    expect_error("local x = 1\n", "lesson.lua", "returned nothing");
    expect_error("local x = { pages = {} }\nreturn x", "lesson.lua:2: field 'id' is missing");
}

TEST(required_fields)
{
    expect_error("return { version = '1', title = 'T', language = 'en', pages = { 'pages/a.md' } }",
                 "field 'id' is missing");
    expect_error("return { id = 'x', title = 'T', language = 'en', pages = { 'pages/a.md' } }",
                 "field 'version' is missing");
    expect_error("return { id = 'x', version = '1', language = 'en', pages = { 'pages/a.md' } }",
                 "field 'title' is missing");
    expect_error("return { id = 'x', version = '1', title = 'T', pages = { 'pages/a.md' } }",
                 "field 'language' is missing");
    expect_error("return { " HEAD " }", "field 'pages' is missing");
    /* The line of the field is given, counting from the top of the file. */
    expect_error("-- my lesson\nreturn {\n  id = 'x',\n  version = 1,\n  title = 'T',\n}\n",
                 "lesson.lua:4: field 'version': expected a string, got number");
    expect_error("return {\n  id = 'my lesson',\n}", "lesson.lua:2: field 'id':", "\"my lesson\"",
                 "letters, digits");
    expect_error("return { id = '', version = '1', title = 'T', language = 'en', pages = {'pages/a.md'} }",
                 "field 'id': must not be empty");
    expect_error("return { id = 'x', version = '1', title = 'T', language = 'english!', pages = {'pages/a.md'} }",
                 "field 'language':", "not a language tag");
    expect_error("return { id = 'x', version = '1', title = 'T', language = 'pt_BR', pages = {'pages/a.md'} }",
                 "field 'language'");
    expect_error("return { id = 'x', version = '1', title = 'T\\0x', language = 'en', pages = {'pages/a.md'} }",
                 "field 'title'", "NUL");
}

TEST(optional_fields)
{
    expect_error("return { " HEAD "description = 5, pages = { 'pages/a.md' } }",
                 "field 'description': expected a string, got number");
    expect_error("return { " HEAD "cover = 'images/none.png', pages = { 'pages/a.md' } }",
                 "field 'cover': \"images/none.png\" is not in the lesson");
    expect_error("return { " HEAD "cover = 'notes.txt', pages = { 'pages/a.md' } }",
                 "field 'cover': \"notes.txt\" is not an image");
    expect_error("return { " HEAD "cover = '../x.png', pages = { 'pages/a.md' } }", "field 'cover':",
                 "not allowed");
    expect_error("return { " HEAD "authors = 'Me', pages = { 'pages/a.md' } }",
                 "field 'authors': expected a list of names");
    expect_error("return { " HEAD "authors = { 'Me', 7 }, pages = { 'pages/a.md' } }",
                 "field 'authors[2]': expected a string, got number");
    expect_error("return { " HEAD "minutes = -3, pages = { 'pages/a.md' } }", "field 'minutes'", "-3");
    expect_error("return { " HEAD "minutes = 2.5, pages = { 'pages/a.md' } }", "field 'minutes'", "whole number");
    expect_error("return { " HEAD "minutes = '5', pages = { 'pages/a.md' } }", "field 'minutes'", "got string");
    expect_error("return { " HEAD "minutes = 0, pages = { 'pages/a.md' } }", "field 'minutes'");
    expect_error("return { " HEAD "publisher = true, pages = { 'pages/a.md' } }",
                 "field 'publisher': expected a string, got boolean");
    expect_error("return { " HEAD "license = {}, pages = { 'pages/a.md' } }",
                 "field 'license': expected a string, got table");
}

TEST(pages)
{
    expect_error("return { " HEAD "pages = 'pages/a.md' }", "field 'pages': expected a list of pages, got string");
    expect_error("return { " HEAD "pages = {} }", "field 'pages':", "at least one page");
    expect_error("return {\n" HEAD "\n pages = {\n  'pages/a.md',\n  42,\n } }",
                 "lesson.lua:5: field 'pages[2]': expected a string or a table, got number");
    expect_error("return { " HEAD "pages = { 'pages/a.md', 'notes.txt' } }",
                 "field 'pages[2]': \"notes.txt\" is not a page", ".md", ".lua");
    expect_error("return { " HEAD "pages = { 'pages/a.md', 'pages/zz.md' } }",
                 "field 'pages[2]': \"pages/zz.md\" is not in the lesson");
    expect_error("return { " HEAD "pages = { '../pages/a.md' } }", "field 'pages[1]':", "not allowed", "..");
    expect_error("return { " HEAD "pages = { { id = 'a' } } }", "field 'pages[1].path' is missing");
    expect_error("return { " HEAD "pages = { { path = 3 } } }", "field 'pages[1].path': expected a string, got number");
    expect_error("return { " HEAD "pages = { { path = 'pages/a.md', id = 3 } } }", "field 'pages[1].id'");
    expect_error("return { " HEAD "pages = { { path = 'pages/a.md', id = '' } } }", "field 'pages[1].id'",
                 "not a usable page id");
    expect_error("return { " HEAD "pages = { { path = 'pages/a.md', title = false } } }", "field 'pages[1].title'");
    /* Two pages with one id: progress would be shared between them. */
    expect_error("return {\n" HEAD "\npages = {\n'pages/a.md',\n{ path = 'pages/b.md', id = 'pages/a' },\n} }",
                 "lesson.lua:5: field 'pages[2]': page id \"pages/a\" is already used by pages[1]");
    /* The default ids clash too: pages/a.md and pages/a.lua are both "pages/a". */
    expect_error("return { " HEAD "pages = { 'pages/a.md', 'pages/a.lua' } }", "field 'pages[2]'",
                 "already used by pages[1]");
    expect_error("return { " HEAD "pages = { 'pages/a.md', { path = 'pages/a.md', id = 'other' } } }",
                 "field 'pages[2]'", "already listed as pages[1]");
    /* Explicit ids resolve the clash. */
    Manifest *m = load_ok("return { " HEAD "pages = { 'pages/a.md', { path = 'pages/a.lua', id = 'a-quiz' } } }");
    if (m) CHECK(m->n_pages == 2 && m->pages[1].kind == PAGE_QUIZ);
    manifest_free(m);
}

TEST(line_finder_is_not_fooled)
{
    /* Strings, comments and nested tables that look like fields must not
     * shift the reported line. */
    expect_error("local note = [[\nversion = 'x'\n]] -- version = 'y'\n"
                 "--[==[ version =\n]==]\n"
                 "local function f() return { version = 1 } end\n"
                 "return {\n"
                 "  id = 'x', title = 'a \\' version = ', language = 'en',\n"
                 "  other = { version = 2 },\n"
                 "  version = 3,\n"
                 "}\n",
                 "lesson.lua:10: field 'version': expected a string, got number");
}

TEST(many_pages)
{
    /* 3000 pages, the last repeating an id: found quickly, reported at the
     * right item and line. */
    enum { N = 3000 };
    rm_rf(scratch);
    Buf b = {0};
    buf_puts(&b, "return {\n" HEAD "\npages = {\n");
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "p/%04d.md", i);
        write_file(scratch, name, "# x\n");
        buf_printf(&b, "  { path = '%s', id = 'id%d' },\n", name, i == N - 1 ? 7 : i);
    }
    buf_puts(&b, "} }\n");
    write_file(scratch, "lesson.lua", buf_cstr(&b));
    buf_free(&b);
    Error err = {{0}};
    Package *pkg = package_open(scratch, &err);
    CHECK(pkg != NULL);
    double t0 = time_now_ms();
    Manifest *m = pkg ? manifest_load(pkg, &err) : NULL;
    double ms = time_now_ms() - t0;
    CHECK(m == NULL);
    char want[128];
    snprintf(want, sizeof want, "lesson.lua:%d: field 'pages[%d]': page id \"id7\" is already used by pages[8]",
             N + 3, N);
    CHECK_CONTAINS(err.msg, want);
    CHECK(ms < 2000);
    manifest_free(m);
    package_close(pkg);
}

TEST(too_large_manifest)
{
    size_t n = ((size_t)1 << 20) + 10;
    char *big = xmalloc(n + 1);
    memset(big, '-', n);
    big[n] = 0;
    expect_error(big, "lesson.lua", "too large");
    free(big);
}

int main(int argc, char **argv)
{
    helpers_init(argc, argv);
    scratch = tmpdir_make();
    RUN(complete_manifest);
    RUN(minimal_manifest);
    RUN(zip_manifest);
    RUN(script_errors);
    RUN(result_shape);
    RUN(required_fields);
    RUN(optional_fields);
    RUN(pages);
    RUN(line_finder_is_not_fooled);
    RUN(many_pages);
    RUN(too_large_manifest);
    rm_rf(scratch);
    free(scratch);
    return test_summary();
}
