/* Tests for the package reader: folders and zips, listing, reading,
 * resolving links, and every refusal of an unsafe or damaged package. */
#include "helpers.h" /* first: it selects the POSIX level for nftw */

#include <fcntl.h>
#include <sys/stat.h>

#include "package.h"
#include "testlib.h"

static char *zips; /* folder of packages written by mkzips.py */

static const char *const GOOD_NAMES[] = {
    "images/cover.png", "images/notes.txt", "lesson.lua",
    "pages/01-intro.md", "pages/02-value.md", "quizzes/check.lua",
};
#define N_GOOD ((int)(sizeof GOOD_NAMES / sizeof GOOD_NAMES[0]))

static char *good_dir(void) { return join(fixtures_dir, "good"); }

/* Opens zips/name and expects it to fail with a message that names the file
 * and contains `want`. */
static void expect_open_fails(const char *name, const char *want)
{
    char *path = join(zips, name);
    Error err = {{0}};
    Package *pkg = package_open(path, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, name);
    CHECK_CONTAINS(err.msg, want);
    CHECK(strchr(err.msg, '\n') == NULL);
    package_close(pkg);
    free(path);
}

/* Opens zips/name (must succeed) and expects reading entry to fail with a
 * message containing `want`. */
static void expect_read_fails(const char *name, const char *entry, const char *want)
{
    char *path = join(zips, name);
    Error err = {{0}};
    Package *pkg = package_open(path, &err);
    CHECK(pkg != NULL);
    if (pkg) {
        char *data = (char *)"untouched";
        size_t len = 99;
        CHECK(!package_read(pkg, entry, &data, &len, &err));
        CHECK(data == NULL);
        CHECK_CONTAINS(err.msg, entry);
        CHECK_CONTAINS(err.msg, want);
        package_close(pkg);
    } else {
        fprintf(stderr, "  open failed: %s\n", err.msg);
    }
    free(path);
}

static void check_good_listing(Package *pkg)
{
    CHECK(package_count(pkg) == N_GOOD);
    for (int i = 0; i < N_GOOD && i < package_count(pkg); i++) CHECK_STR(package_name(pkg, i), GOOD_NAMES[i]);
    CHECK(package_name(pkg, -1) == NULL);
    CHECK(package_name(pkg, N_GOOD) == NULL);
    CHECK(package_has(pkg, "lesson.lua"));
    CHECK(package_has(pkg, "pages/01-intro.md"));
    CHECK(!package_has(pkg, "pages"));        /* folders are not entries */
    CHECK(!package_has(pkg, ".notes"));       /* dot-files are skipped */
    CHECK(!package_has(pkg, ".drafts/wip.md"));
    CHECK(!package_has(pkg, "Lesson.lua"));   /* names are case-sensitive */
    CHECK(!package_has(pkg, NULL));
}

static void check_good_read(Package *pkg)
{
    char *data = NULL, *path = join(fixtures_dir, "good/pages/01-intro.md");
    size_t len = 0, want_len = 0, intro_len;
    char *want = slurp(path, &want_len);
    intro_len = want_len;
    Error err = {{0}};
    CHECK(package_read(pkg, "pages/01-intro.md", &data, &len, &err));
    CHECK(want && data && len == want_len && memcmp(data, want, len) == 0);
    CHECK(data && data[len] == 0); /* NUL-terminated */
    free(data);
    free(want);
    free(path);

    /* A binary file comes back byte for byte. */
    path = join(fixtures_dir, "good/images/cover.png");
    want = slurp(path, &want_len);
    CHECK(package_read(pkg, "images/cover.png", &data, &len, &err));
    CHECK(want && data && len == want_len && memcmp(data, want, len) == 0);
    free(data);
    free(want);
    free(path);

    data = NULL;
    CHECK(!package_read(pkg, "pages/nope.md", &data, &len, &err));
    CHECK(data == NULL);
    CHECK_CONTAINS(err.msg, "pages/nope.md: not found in");
    /* A dot-file exists on disk but is not part of the lesson. */
    CHECK(!package_read(pkg, ".notes", &data, &len, &err));
    CHECK_CONTAINS(err.msg, "not found");

    /* The smaller cap of package_read_max. */
    CHECK(!package_read_max(pkg, "pages/01-intro.md", 10, &data, &len, &err));
    CHECK_CONTAINS(err.msg, "too large");
    CHECK(package_read_max(pkg, "pages/01-intro.md", intro_len, &data, &len, &err));
    free(data);
}

TEST(folder_open_list_read)
{
    char *dir = good_dir();
    Error err = {{0}};
    Package *pkg = package_open(dir, &err);
    CHECK(pkg != NULL);
    if (!pkg) {
        fprintf(stderr, "  %s\n", err.msg);
        free(dir);
        return;
    }
    CHECK(!package_is_zip(pkg));
    CHECK_STR(package_path(pkg), dir);
    check_good_listing(pkg);
    check_good_read(pkg);
    /* The size of the listed files only. */
    uint64_t sum = 0;
    for (int i = 0; i < N_GOOD; i++) {
        char *p = xasprintf("%s/%s", dir, GOOD_NAMES[i]);
        struct stat st;
        if (stat(p, &st) == 0) sum += (uint64_t)st.st_size;
        free(p);
    }
    CHECK(package_disk_size(pkg) == sum);
    package_close(pkg);
    free(dir);
}

TEST(zip_open_list_read)
{
    char *path = join(zips, "good.lesson");
    Error err = {{0}};
    Package *pkg = package_open(path, &err);
    CHECK(pkg != NULL);
    if (!pkg) {
        fprintf(stderr, "  %s\n", err.msg);
        free(path);
        return;
    }
    CHECK(package_is_zip(pkg));
    check_good_listing(pkg); /* directory entries in the zip are not listed */
    check_good_read(pkg);
    struct stat st;
    CHECK(stat(path, &st) == 0 && package_disk_size(pkg) == (uint64_t)st.st_size);
    package_close(pkg);
    free(path);
}

TEST(zip_open_is_fast)
{
    /* 20 000 entries, the most allowed: opening reads the central directory
     * once and sorts the names once; lookups are binary searches. */
    char *path = join(zips, "good-many.lesson");
    Error err = {{0}};
    double t0 = time_now_ms();
    Package *pkg = package_open(path, &err);
    double ms = time_now_ms() - t0;
    CHECK(pkg != NULL);
    if (pkg) {
        CHECK(package_count(pkg) == PACKAGE_MAX_ENTRIES);
        t0 = time_now_ms();
        int found = 0;
        for (int i = 0; i < PACKAGE_MAX_ENTRIES; i++) found += package_has(pkg, package_name(pkg, i));
        CHECK(found == PACKAGE_MAX_ENTRIES);
        fprintf(stderr, "  (opened %d entries in %.1f ms, looked all up in %.1f ms)\n", package_count(pkg), ms,
                time_now_ms() - t0);
        for (int i = 1; i < package_count(pkg); i++) CHECK(strcmp(package_name(pkg, i - 1), package_name(pkg, i)) < 0);
    } else {
        fprintf(stderr, "  %s\n", err.msg);
    }
    CHECK(ms < 2000); /* generous (sanitizers, busy machines); catches quadratic work */
    package_close(pkg);
    free(path);
}

TEST(name_rules)
{
    Error err;
    CHECK(package_name_is_safe("lesson.lua", &err));
    CHECK(package_name_is_safe("pages/01-intro.md", &err));
    CHECK(package_name_is_safe("images/..hidden..png", &err)); /* dots inside a name are fine */
    CHECK(package_name_is_safe("pages/ข้อมูล.md", &err));        /* UTF-8 is fine */
    CHECK(package_name_is_safe("a/b:c.md", &err));                /* a colon after the start is fine */

    struct { const char *name, *why; } bad[] = {
        {"", "empty"},
        {"/abs", "absolute"},
        {"../evil", ".."},
        {"pages/../../evil", ".."},
        {"a/..", ".."},
        {"./a", "'.'"},
        {"a/./b", "'.'"},
        {"a//b", "empty folder name"},
        {"a/", "empty folder name"},
        {"a\\b", "backslash"},
        {"C:x", "drive letter"},
        {"c:/windows", "drive letter"},
        {"a\x01" "b", "control character"},
        {"a\nb", "control character"},
        {"a\x7f", "control character"},
        {"caf\xc3.md", "UTF-8"},
        {"\xff", "UTF-8"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = 0;
        bool ok = package_name_is_safe(bad[i].name, &err);
        if (ok) fprintf(stderr, "  accepted unsafe name #%zu\n", i);
        CHECK(!ok);
        CHECK_CONTAINS(err.msg, bad[i].why);
        CHECK(strchr(err.msg, '\n') == NULL); /* control bytes are shown escaped */
    }
    char *longname = xmalloc(1100);
    memset(longname, 'a', 1099);
    longname[1099] = 0;
    CHECK(!package_name_is_safe(longname, &err));
    CHECK_CONTAINS(err.msg, "too long");
    CHECK(strlen(err.msg) < 400); /* the name is cut short in the message */
    free(longname);
    CHECK(!package_name_is_safe(NULL, NULL));
}

TEST(zip_unsafe_names_refused)
{
    expect_open_fails("name-dotdot.lesson", "outside the lesson");
    expect_open_fails("name-deep-dotdot.lesson", "outside the lesson");
    expect_open_fails("name-abs.lesson", "absolute");
    expect_open_fails("name-backslash.lesson", "backslash");
    expect_open_fails("name-drive.lesson", "drive letter");
    expect_open_fails("name-control.lesson", "control character");
    expect_open_fails("name-dot.lesson", "'.'");
    expect_open_fails("name-empty-part.lesson", "empty folder name");
    expect_open_fails("name-dir-dotdot.lesson", "outside the lesson"); /* a directory entry */
    expect_open_fails("name-nul.lesson", "not allowed");
    /* Flagged as UTF-8 but is not: libzip refuses the directory itself. */
    expect_open_fails("name-bad-utf8.lesson", "damaged");
    expect_open_fails("name-dotdot.lesson", "file name \"../evil\" is not allowed");
}

TEST(zip_structure_refused)
{
    expect_open_fails("notzip.lesson", "not a lesson package (the file is not a zip archive)");
    expect_open_fails("empty.lesson", "not a lesson package (the file is empty)");
    expect_open_fails("truncated.lesson", "the file is damaged or incomplete");
    expect_open_fails("nolesson.lesson", "lesson.lua is missing");
    expect_open_fails("nested.lesson", "lesson.lua is missing (there is a \"valuation/lesson.lua\"");
    expect_open_fails("duplicate.lesson", "appears twice");
    expect_open_fails("symlink.lesson", "symbolic link");
    expect_open_fails("toomany.lesson", "too many files");
    expect_open_fails("bigheader.lesson", "larger than 64 MiB");
    expect_open_fails("does-not-exist.lesson", "no such file");
}

TEST(zip_damaged_data_refused)
{
    expect_read_fails("crc.lesson", "pages/a.md", "damaged (CRC mismatch)");
    expect_read_fails("badcomp.lesson", "pages/a.md", "damaged");
    expect_read_fails("liar.lesson", "pages/a.md", "damaged");
    /* The bomb's header claims 100 bytes; the real stream is over 64 MiB and
     * reading stops at the cap. */
    double t0 = time_now_ms();
    expect_read_fails("bomb.lesson", "pages/a.md", "larger than 64 MiB");
    fprintf(stderr, "  (bomb refused in %.0f ms)\n", time_now_ms() - t0);
    /* The rest of a package with one bad entry stays readable. */
    char *path = join(zips, "crc.lesson");
    Error err;
    Package *pkg = package_open(path, &err);
    char *data;
    size_t len;
    CHECK(pkg && package_read(pkg, "lesson.lua", &data, &len, &err));
    if (pkg) free(data);
    package_close(pkg);
    free(path);
}

TEST(folder_refusals)
{
    char *dir = tmpdir_make();
    Error err = {{0}};

    /* No lesson.lua. */
    write_file(dir, "pages/a.md", "# A\n");
    Package *pkg = package_open(dir, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, dir);
    CHECK_CONTAINS(err.msg, "lesson.lua is missing");

    /* A symlink, even one that stays inside, is refused; so is one that
     * leads out. */
    write_file(dir, "lesson.lua", "return {}");
    pkg = package_open(dir, &err);
    CHECK(pkg != NULL);
    package_close(pkg);
    char *link = join(dir, "pages/link.md");
    CHECK(symlink("a.md", link) == 0);
    pkg = package_open(dir, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, "pages/link.md\" is a symbolic link");
    unlink(link);
    free(link);
    link = join(dir, "outside");
    CHECK(symlink("/etc", link) == 0);
    pkg = package_open(dir, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, "symbolic link");
    unlink(link);
    free(link);

    /* Names the zip rules refuse are refused in folders too. */
    write_file(dir, "pages/a\\b.md", "x");
    pkg = package_open(dir, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, "backslash");
    char *p = join(dir, "pages/a\\b.md");
    unlink(p);
    free(p);
    write_file(dir, "C:x", "x");
    pkg = package_open(dir, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, "drive letter");
    p = join(dir, "C:x");
    unlink(p);
    free(p);
    write_file(dir, "pages/bad\x01name.md", "x");
    pkg = package_open(dir, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, "control character");
    CHECK(strchr(err.msg, '\x01') == NULL);
    p = join(dir, "pages/bad\x01name.md");
    unlink(p);
    free(p);

    /* A FIFO would block a reader forever. */
    p = join(dir, "pipe");
    CHECK(mkfifo(p, 0600) == 0);
    pkg = package_open(dir, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, "not a regular file");
    /* Opened as a package itself, it must not hang either. */
    pkg = package_open(p, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, "not a lesson package");
    unlink(p);
    free(p);

    /* Dot-folders are skipped entirely, even with bad things inside. */
    write_file(dir, ".git/objects/x", "x");
    p = join(dir, ".git/link");
    CHECK(symlink("/etc", p) == 0);
    free(p);
    pkg = package_open(dir, &err);
    CHECK(pkg != NULL);
    if (pkg) CHECK(package_count(pkg) == 2);
    package_close(pkg);

    /* A file replaced by a symlink after opening is not followed. */
    pkg = package_open(dir, &err);
    CHECK(pkg != NULL);
    if (pkg) {
        p = join(dir, "pages/a.md");
        unlink(p);
        CHECK(symlink("/etc/passwd", p) == 0);
        char *data = NULL;
        size_t len;
        CHECK(!package_read(pkg, "pages/a.md", &data, &len, &err));
        CHECK(data == NULL);
        free(p);
        package_close(pkg);
    }

    rm_rf(dir);
    free(dir);

    /* A path that does not exist. */
    pkg = package_open("/nonexistent/lesson", &err);
    CHECK(pkg == NULL);
    CHECK_STR(err.msg, "/nonexistent/lesson: no such file or folder");
}

TEST(folder_too_big_file)
{
    char *dir = tmpdir_make();
    write_file(dir, "lesson.lua", "return {}");
    char *p = join(dir, "video.mp4");
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)PACKAGE_MAX_ENTRY + 1) == 0); /* sparse: costs no disk */
    close(fd);
    Error err;
    Package *pkg = package_open(dir, &err);
    CHECK(pkg == NULL);
    CHECK_CONTAINS(err.msg, "larger than 64 MiB");
    /* Exactly at the limit is fine. */
    CHECK(truncate(p, (off_t)PACKAGE_MAX_ENTRY) == 0);
    pkg = package_open(dir, &err);
    CHECK(pkg != NULL);
    package_close(pkg);
    free(p);
    rm_rf(dir);
    free(dir);
}

TEST(resolve)
{
    struct { const char *from, *target, *want; } cases[] = {
        {"pages/01-intro.md", "02-next.md", "pages/02-next.md"},
        {"pages/01-intro.md", "./02-next.md", "pages/02-next.md"},
        {"pages/01-intro.md", "../images/a.png", "images/a.png"},
        {"pages/01-intro.md", "/images/a.png", "images/a.png"},
        {"pages/01-intro.md", "02-next.md#part-2", "pages/02-next.md"},
        {"pages/01-intro.md", "02-next.md?x=1#y", "pages/02-next.md"},
        {"pages/01-intro.md", "#part-2", "pages/01-intro.md"},
        {"pages/01-intro.md", "sub/../02-next.md", "pages/02-next.md"},
        {"pages/01-intro.md", "my%20notes.md", "pages/my notes.md"},
        {"lesson.lua", "pages/a.md", "pages/a.md"},
        {"a/b/c.md", "../../d.md", "d.md"},
        {"a/b/c.md", "..//./d.md", "a/d.md"},
        {"pages/01-intro.md", "../../etc/passwd", NULL},
        {"pages/01-intro.md", "/../x.md", NULL},
        {"pages/01-intro.md", "%2e%2e/%2e%2e/x", NULL},
        {"pages/01-intro.md", "https://example.org/a.md", NULL},
        {"pages/01-intro.md", "mailto:a@b.c", NULL},
        {"pages/01-intro.md", "//example.org/a.md", NULL},
        {"pages/01-intro.md", "C:/x.md", NULL},
        {"pages/01-intro.md", "a\\b.md", NULL},
        {"pages/01-intro.md", "a%00b.md", NULL},
        {"pages/01-intro.md", "a%0Ab.md", NULL},
        {"pages/01-intro.md", "/", NULL},
        {"pages/01-intro.md", "..", NULL}, /* the root itself is not an entry */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = package_resolve(cases[i].from, cases[i].target);
        if (cases[i].want) {
            CHECK_STR(got, cases[i].want);
        } else if (got) {
            fprintf(stderr, "  resolve(%s, %s) gave \"%s\", expected NULL\n", cases[i].from, cases[i].target, got);
            CHECK(got == NULL);
        }
        free(got);
    }
}

int main(int argc, char **argv)
{
    helpers_init(argc, argv);
    zips = make_zips();
    if (!zips) {
        fprintf(stderr, "python3 and mkzips.py are needed\n");
        return 1;
    }
    RUN(name_rules);
    RUN(resolve);
    RUN(folder_open_list_read);
    RUN(folder_refusals);
    RUN(folder_too_big_file);
    RUN(zip_open_list_read);
    RUN(zip_open_is_fast);
    RUN(zip_unsafe_names_refused);
    RUN(zip_structure_refused);
    RUN(zip_damaged_data_refused);
    rm_rf(zips);
    free(zips);
    return test_summary();
}
