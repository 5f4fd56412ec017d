/* Tests for `outpost pack`: the output is a valid, deterministic package
 * with correct checksums, and failures leave nothing behind. */
#include "helpers.h" /* first: it selects the POSIX level for nftw */

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>
#include <zip.h>

#include "cli.h"
#include "manifest.h"
#include "testlib.h"

static char *scratch;

/* Runs cmd_pack with the given arguments, capturing stderr and stdout into
 * *errout (caller frees). Returns the exit status. */
static int run_pack_(char **errout, const char *const *args)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)"pack";
    for (; *args && argc < 15; args++) argv[argc++] = (char *)*args;
    argv[argc] = NULL;

    char *log = join(scratch, "stderr.txt");
    fflush(stdout);
    fflush(stderr);
    int saved_err = dup(2), saved_out = dup(1);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    dup2(fd, 1);
    close(fd);
    int rc = cmd_pack(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_err, 2);
    dup2(saved_out, 1);
    close(saved_err);
    close(saved_out);
    size_t len;
    char *text = slurp(log, &len);
    unlink(log);
    free(log);
    if (errout) *errout = text ? text : xstrdup("");
    else free(text);
    return rc;
}
#define run_pack(errout, ...) run_pack_(errout, (const char *const[]){__VA_ARGS__, NULL})

static bool same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *da = slurp(a, &la), *db = slurp(b, &lb);
    bool same = da && db && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return same;
}

/* Names in a folder other than the ones given, to spot leftover temp files. */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *de; d && (de = readdir(d));)
        if (de->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

/* Copies the good fixture into dst, writing files in reverse order and
 * with different modification times, so only the content is the same. */
static void copy_good_reversed(const char *dst)
{
    char *src = join(fixtures_dir, "good");
    Error err;
    Package *pkg = package_open(src, &err);
    CHECK(pkg != NULL);
    for (int i = pkg ? package_count(pkg) - 1 : -1; i >= 0; i--) {
        char *data;
        size_t len;
        CHECK(package_read(pkg, package_name(pkg, i), &data, &len, &err));
        write_bytes(dst, package_name(pkg, i), data, len);
        char *p = join(dst, package_name(pkg, i));
        struct utimbuf t = {(time_t)1234567890 + i, (time_t)1234567890 + i};
        utime(p, &t);
        chmod(p, 0600);
        free(p);
        free(data);
    }
    write_file(dst, ".DS_Store", "junk that must not be packed");
    package_close(pkg);
    free(src);
}

TEST(pack_is_deterministic)
{
    char *good = join(fixtures_dir, "good");
    char *out1 = join(scratch, "one.lesson"), *out2 = join(scratch, "two.lesson");
    char *out3 = join(scratch, "three.lesson"), *copy = join(scratch, "copy");
    char *msg;
    CHECK(run_pack(&msg, good, "-o", out1) == 0);
    CHECK_STR(msg, "");
    free(msg);
    CHECK(run_pack(NULL, "--output", out2, good) == 0);
    CHECK(same_file(out1, out2));

    copy_good_reversed(copy);
    CHECK(run_pack(NULL, copy, "--output=") == 2); /* an empty name is a usage error */
    char *opt = xasprintf("--output=%s", out3);
    CHECK(run_pack(NULL, copy, opt) == 0);
    free(opt);
    CHECK(same_file(out1, out3));

    rm_rf(copy);
    free(copy);
    free(out1), free(out2), free(out3), free(good);
}

static void sha256_hex(const char *data, size_t len, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)data, len);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

TEST(packed_lesson_is_valid)
{
    char *good = join(fixtures_dir, "good");
    char *out = join(scratch, "valid.lesson");
    CHECK(run_pack(NULL, good, "-o", out) == 0);

    Error err = {{0}};
    Package *pkg = package_open(out, &err);
    CHECK(pkg != NULL);
    if (!pkg) {
        fprintf(stderr, "  %s\n", err.msg);
        goto done;
    }
    CHECK(package_is_zip(pkg));
    CHECK(package_count(pkg) == 7);
    CHECK_STR(package_name(pkg, 0), "CHECKSUMS");
    CHECK(!package_has(pkg, ".notes"));
    Manifest *m = manifest_load(pkg, &err);
    CHECK(m != NULL && m->n_pages == 3);
    manifest_free(m);

    /* CHECKSUMS: one line per other entry, sorted, "HEX  NAME". */
    char *sums;
    size_t sums_len;
    CHECK(package_read(pkg, "CHECKSUMS", &sums, &sums_len, &err));
    Buf want = {0};
    for (int i = 1; i < package_count(pkg); i++) {
        char *data, hex[65];
        size_t len;
        CHECK(package_read(pkg, package_name(pkg, i), &data, &len, &err));
        sha256_hex(data, len, hex);
        buf_printf(&want, "%s  %s\n", hex, package_name(pkg, i));
        free(data);
    }
    CHECK_STR(sums, buf_cstr(&want));
    buf_free(&want);
    free(sums);
    package_close(pkg);

    /* Zip details: entry order, compression by type, fixed time and mode,
     * no extra fields. */
    int code;
    zip_t *za = zip_open(out, ZIP_RDONLY, &code);
    CHECK(za != NULL);
    if (za) {
        const char *order[] = {"CHECKSUMS", "images/cover.png", "images/notes.txt", "lesson.lua",
                               "pages/01-intro.md", "pages/02-value.md", "quizzes/check.lua"};
        CHECK(zip_get_num_entries(za, 0) == 7);
        for (zip_uint64_t i = 0; i < 7; i++) {
            CHECK_STR(zip_get_name(za, i, 0), order[i]);
            zip_stat_t st;
            zip_stat_index(za, i, 0, &st);
            bool png = strcmp(order[i], "images/cover.png") == 0;
            CHECK(st.comp_method == (png ? ZIP_CM_STORE : ZIP_CM_DEFLATE));
            zip_uint8_t os;
            zip_uint32_t attr;
            CHECK(zip_file_get_external_attributes(za, i, 0, &os, &attr) == 0);
            CHECK(os == ZIP_OPSYS_UNIX && (attr >> 16) == 0100644);
            CHECK(zip_file_extra_fields_count(za, i, ZIP_FL_CENTRAL | ZIP_FL_LOCAL) == 0);
            struct tm *tm = localtime(&st.mtime);
            CHECK(tm->tm_year == 80 && tm->tm_mon == 0 && tm->tm_mday == 1 && tm->tm_hour == 0 && tm->tm_min == 0);
        }
        zip_discard(za);
    }
    /* The first local header, byte by byte: time 0, date 1980-01-01, no
     * extra field. */
    size_t len;
    unsigned char *raw = (unsigned char *)slurp(out, &len);
    CHECK(raw && len > 30 && memcmp(raw, "PK\3\4", 4) == 0);
    if (raw && len > 30) {
        CHECK(raw[10] == 0 && raw[11] == 0);            /* time */
        CHECK(raw[12] == 0x21 && raw[13] == 0);         /* date */
        CHECK(raw[28] == 0 && raw[29] == 0);            /* extra field length */
    }
    free(raw);
done:
    free(out);
    free(good);
}

TEST(usage_errors)
{
    char *msg;
    CHECK(run_pack(&msg, "--help") == 0);
    CHECK_CONTAINS(msg, "usage: outpost pack FOLDER -o FILE.lesson");
    free(msg);
    CHECK(run_pack(&msg, "-o", "x.lesson") == 2);
    CHECK_CONTAINS(msg, "usage: outpost pack");
    free(msg);
    CHECK(run_pack(&msg, "somedir") == 2);
    CHECK_CONTAINS(msg, "-o");
    free(msg);
    CHECK(run_pack(&msg, "somedir", "-o") == 2);
    free(msg);
    CHECK(run_pack(&msg, "somedir", "-o", "x.lesson", "--fast") == 2);
    CHECK_CONTAINS(msg, "unknown option --fast");
    free(msg);
    CHECK(run_pack(&msg, "a", "b", "-o", "x.lesson") == 2);
    free(msg);
}

TEST(failures_leave_nothing)
{
    char *msg;
    char *outdir = join(scratch, "out");
    Error err;
    mkdir_p(outdir, &err);
    char *out = join(outdir, "x.lesson");
    char *bad = join(scratch, "bad");

    /* A folder that does not exist. */
    CHECK(run_pack(&msg, bad, "-o", out) == 1);
    CHECK_CONTAINS(msg, "outpost: ");
    CHECK_CONTAINS(msg, bad);
    CHECK_CONTAINS(msg, "no such file or folder");
    free(msg);

    /* No lesson.lua. */
    write_file(bad, "pages/a.md", "# A\n");
    CHECK(run_pack(&msg, bad, "-o", out) == 1);
    char *want = xasprintf("outpost: %s: lesson.lua is missing\n", bad);
    CHECK_STR(msg, want);
    free(want);
    free(msg);

    /* A manifest error names the folder, then the file and line. */
    write_file(bad, "lesson.lua", "return {\n id = 'x', version = '1', title = 'T', language = 'en',\n"
                                  " pages = { 'pages/a.md', 'pages/missing.md' } }\n");
    CHECK(run_pack(&msg, bad, "-o", out) == 1);
    want = xasprintf("outpost: %s: lesson.lua:3: field 'pages[2]'", bad);
    CHECK_CONTAINS(msg, want);
    CHECK(strchr(msg, '\n') == msg + strlen(msg) - 1); /* one line */
    free(want);
    free(msg);
    CHECK(count_files(outdir) == 0);

    /* A reserved name. */
    write_file(bad, "lesson.lua", "return { id = 'x', version = '1', title = 'T', language = 'en',"
                                  " pages = { 'pages/a.md' } }\n");
    write_file(bad, "CHECKSUMS", "mine");
    CHECK(run_pack(&msg, bad, "-o", out) == 1);
    CHECK_CONTAINS(msg, "reserved");
    free(msg);
    char *p = join(bad, "CHECKSUMS");
    unlink(p);
    free(p);

    /* An existing output survives a failed pack untouched. */
    write_file(outdir, "x.lesson", "previous");
    write_file(bad, "lesson.lua", "return 1");
    CHECK(run_pack(&msg, bad, "-o", out) == 1);
    free(msg);
    size_t len;
    char *kept = slurp(out, &len);
    CHECK_STR(kept, "previous");
    free(kept);
    CHECK(count_files(outdir) == 1);

    /* An output folder that does not exist. */
    write_file(bad, "lesson.lua", "return { id = 'x', version = '1', title = 'T', language = 'en',"
                                  " pages = { 'pages/a.md' } }\n");
    char *nowhere = join(scratch, "no/such/dir/x.lesson");
    CHECK(run_pack(&msg, bad, "-o", nowhere) == 1);
    CHECK_CONTAINS(msg, "outpost: ");
    free(msg);
    free(nowhere);

    /* And it works once the folder is fixed; an existing file is replaced. */
    CHECK(run_pack(&msg, bad, "-o", out) == 0);
    free(msg);
    CHECK(count_files(outdir) == 1);
    Package *pkg = package_open(out, &err);
    CHECK(pkg != NULL && package_count(pkg) == 3);
    package_close(pkg);

    /* A .lesson is not a folder. */
    CHECK(run_pack(&msg, out, "-o", out) == 1);
    CHECK_CONTAINS(msg, "not a folder");
    free(msg);

    free(bad);
    free(out);
    free(outdir);
}

int main(int argc, char **argv)
{
    helpers_init(argc, argv);
    if (sodium_init() < 0) return 1;
    scratch = tmpdir_make();
    RUN(pack_is_deterministic);
    RUN(packed_lesson_is_valid);
    RUN(usage_errors);
    RUN(failures_leave_nothing);
    rm_rf(scratch);
    free(scratch);
    return test_summary();
}
