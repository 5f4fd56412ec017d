/* Tests for lesson signatures (player/sign.c): a signed package verifies;
 * EVERY single-byte change to the data of any entry is refused, both as a
 * plain flip (zip CRC catches it) and with the zip CRCs patched to match (so
 * only the SHA-256 / signature check can catch it); entries added or removed
 * after signing are refused; unsigned and untrusted packages are reported. */
#include "package/helpers.h" /* first: it selects the POSIX level for nftw */

#include <sodium.h>
#include <zip.h>

#include "cli.h"
#include "paths.h"
#include "testlib.h"
#include "tools.h"

static char *scratch, *keys, *signed_path, *unsigned_path;

static int run(const char *const *args)
{
    char *argv[16];
    int argc = 0;
    for (; *args && argc < 15; args++) argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    int (*fn)(int, char **) = NULL;
    if (strcmp(argv[0], "pack") == 0) fn = cmd_pack;
    else if (strcmp(argv[0], "keygen") == 0) fn = cmd_keygen;
    else if (strcmp(argv[0], "sign") == 0) fn = cmd_sign;
    else if (strcmp(argv[0], "trust") == 0) fn = cmd_trust;
    fflush(stdout);
    return fn(argc, argv);
}
#define RUN_CMD(...) run((const char *const[]){__VA_ARGS__, NULL})

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static uint32_t rd32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void wr32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

typedef struct ZEntry {
    char name[256];
    size_t local, data, size; /* local header offset, data offset, stored size */
    size_t central;           /* central header offset */
} ZEntry;

/* Lists a plain zip's entries from its central directory (no zip64, no
 * archive comment: what libzip writes for a small lesson). */
static int list_zip(const unsigned char *z, size_t n, ZEntry *out, int max)
{
    if (n < 22 || rd32(z + n - 22) != 0x06054b50) return -1;
    size_t cd = rd32(z + n - 22 + 16);
    int count = rd16(z + n - 22 + 10), k = 0;
    for (int i = 0; i < count && k < max; i++) {
        if (rd32(z + cd) != 0x02014b50) return -1;
        size_t nl = rd16(z + cd + 28), xl = rd16(z + cd + 30), cl = rd16(z + cd + 32);
        ZEntry *e = &out[k++];
        memcpy(e->name, z + cd + 46, nl < 255 ? nl : 255);
        e->name[nl < 255 ? nl : 255] = 0;
        e->size = rd32(z + cd + 20);
        e->local = rd32(z + cd + 42);
        e->central = cd;
        e->data = e->local + 30 + rd16(z + e->local + 26) + rd16(z + e->local + 28);
        cd += 46 + nl + xl + cl;
    }
    return k;
}

static void write_all(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Verifies the package at path: the status, and the reason in err. */
static bool verify(const char *path, SignStatus *st, char **publisher, Error *err)
{
    *st = SIGN_INVALID;
    *publisher = NULL;
    Package *pkg = package_open(path, err);
    if (!pkg) return false;
    bool ok = sign_verify_package(pkg, keys, publisher, st, err);
    package_close(pkg);
    return ok;
}

/* Rewrites the entries of src into dst with every entry stored (not
 * compressed), so that a flipped byte reaches the content itself. `skip`
 * leaves one entry out; `extra` adds one. */
static void restore_stored(const char *src, const char *dst, const char *skip, const char *extra)
{
    Error err;
    Package *pkg = package_open(src, &err);
    CHECK(pkg != NULL);
    if (!pkg) return;
    int code;
    zip_t *za = zip_open(dst, ZIP_CREATE | ZIP_TRUNCATE, &code);
    for (int i = 0; i < package_count(pkg); i++) {
        const char *name = package_name(pkg, i);
        if (skip && strcmp(name, skip) == 0) continue;
        char *data;
        size_t len;
        CHECK(package_read(pkg, name, &data, &len, &err));
        zip_source_t *s = zip_source_buffer(za, data, len, 1);
        zip_int64_t idx = zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8);
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    }
    if (extra) {
        zip_source_t *s = zip_source_buffer(za, "sneaky", 6, 0);
        zip_file_add(za, extra, s, ZIP_FL_ENC_UTF_8);
    }
    CHECK(zip_close(za) == 0);
    package_close(pkg);
}

static void setup(void)
{
    scratch = tmpdir_make();
    char *dir = join(scratch, "lesson");
    write_file(dir, "lesson.lua",
               "return { id = 'sig.test', version = '1', title = 'Signed', language = 'en',\n"
               "  pages = { 'pages/01.md', 'pages/02.md' } }\n");
    write_file(dir, "pages/01.md", "# One\n\nSee [two](02.md).\n");
    write_file(dir, "pages/02.md", "# Two\n\nThe price actually paid.\n");
    signed_path = join(scratch, "signed.lesson");
    unsigned_path = join(scratch, "plain.lesson");
    keys = join(scratch, "keys");
    char *pub = join(scratch, "Training Centre.pub"), *key = join(scratch, "Training Centre.key");
    CHECK(RUN_CMD("pack", dir, "-o", unsigned_path) == 0);
    CHECK(RUN_CMD("pack", dir, "-o", signed_path) == 0);
    CHECK(RUN_CMD("keygen", "Training Centre", "--out", scratch) == 0);
    CHECK(RUN_CMD("sign", signed_path, "--key", key) == 0);
    CHECK(RUN_CMD("trust", pub, "--keys", keys) == 0);
    free(pub);
    free(key);
    free(dir);
}

TEST(signed_and_unsigned)
{
    SignStatus st;
    char *who;
    Error err = {{0}};
    CHECK(verify(signed_path, &st, &who, &err));
    CHECK(st == SIGN_VERIFIED);
    CHECK_STR(who, "Training Centre");
    free(who);

    CHECK(verify(unsigned_path, &st, &who, &err));
    CHECK(st == SIGN_UNSIGNED);
    CHECK(who == NULL);
}

TEST(untrusted_key)
{
    char *other = join(scratch, "nokeys");
    Error err = {{0}};
    mkdir_p(other, &err);
    Package *pkg = package_open(signed_path, &err);
    SignStatus st;
    char *who;
    CHECK(!sign_verify_package(pkg, other, &who, &st, &err));
    CHECK(st == SIGN_UNTRUSTED);
    CHECK_STR(who, "Training Centre");
    CHECK_CONTAINS(err.msg, "not trusted");
    CHECK_CONTAINS(err.msg, "outpost trust");
    free(who);
    package_close(pkg);
    free(other);
}

TEST(added_and_removed_entries)
{
    char *p = join(scratch, "edited.lesson");
    SignStatus st;
    char *who;
    Error err = {{0}};
    restore_stored(signed_path, p, NULL, "pages/03.md");
    CHECK(!verify(p, &st, &who, &err));
    CHECK(st == SIGN_INVALID);
    CHECK_STR(err.msg, "pages/03.md was added after the lesson was signed");

    restore_stored(signed_path, p, "pages/02.md", NULL);
    CHECK(!verify(p, &st, &who, &err));
    CHECK_STR(err.msg, "pages/02.md has been removed since the lesson was signed");

    restore_stored(signed_path, p, TOOLS_CHECKSUMS, NULL);
    CHECK(!verify(p, &st, &who, &err));
    CHECK(st == SIGN_INVALID);

    restore_stored(signed_path, p, NULL, NULL);
    CHECK(verify(p, &st, &who, &err)); /* storing instead of deflating changes no content */
    CHECK(st == SIGN_VERIFIED);
    free(who);
    free(p);
}

/* Every byte of every entry's data, flipped; with and without CRC repair. */
TEST(every_byte_flip_is_refused)
{
    char *stored = join(scratch, "stored.lesson"), *flipped = join(scratch, "flipped.lesson");
    restore_stored(signed_path, stored, NULL, NULL);
    size_t n;
    unsigned char *orig = (unsigned char *)slurp(stored, &n);
    ZEntry e[16];
    int ne = list_zip(orig, n, e, 16);
    CHECK(ne == 5); /* CHECKSUMS, SIGNATURE, lesson.lua, two pages */
    unsigned char *z = malloc(n);
    int tried = 0, refused = 0, named = 0;
    for (int k = 0; k < ne; k++) {
        for (size_t off = e[k].data; off < e[k].data + e[k].size; off++) {
            for (int fix = 0; fix < 2; fix++) {
                memcpy(z, orig, n);
                z[off] ^= 0x20;
                if (fix) {
                    uint32_t crc = crc32_of(z + e[k].data, e[k].size);
                    wr32(z + e[k].local + 14, crc);
                    wr32(z + e[k].central + 16, crc);
                }
                write_all(flipped, z, n);
                SignStatus st;
                char *who;
                Error err = {{0}};
                bool ok = verify(flipped, &st, &who, &err);
                free(who);
                tried++;
                if (!ok && st != SIGN_VERIFIED) refused++;
                else fprintf(stderr, "NOT refused: %s byte %zu fix=%d\n", e[k].name, off - e[k].data, fix);
                bool content = strcmp(e[k].name, TOOLS_CHECKSUMS) != 0 && strcmp(e[k].name, TOOLS_SIGNATURE) != 0;
                if (fix && content) {
                    char *want = xasprintf("%s has been changed since the lesson was signed", e[k].name);
                    if (strcmp(err.msg, want) == 0) named++;
                    else if (strstr(err.msg, "changed") == NULL && strstr(err.msg, "package") == NULL)
                        fprintf(stderr, "%s byte %zu: unexpected reason: %s\n", e[k].name, off - e[k].data, err.msg);
                    free(want);
                }
            }
        }
    }
    printf("%d flips tried, %d refused, %d named the changed file\n", tried, refused, named);
    CHECK(tried > 400);
    CHECK(refused == tried);
    CHECK(named > 0);
    free(z);
    free(orig);
    free(stored);
    free(flipped);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    setup();
    RUN(signed_and_unsigned);
    RUN(untrusted_key);
    RUN(added_and_removed_entries);
    RUN(every_byte_flip_is_refused);
    rm_rf(scratch);
    free(scratch);
    free(keys);
    free(signed_path);
    free(unsigned_path);
    paths_reset();
    return test_summary();
}
