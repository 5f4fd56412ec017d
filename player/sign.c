/* sign: publisher signatures for .lesson files (Ed25519, libsodium).
 *
 * A packed lesson already lists the SHA-256 of every entry in CHECKSUMS, so
 * the signature only has to cover CHECKSUMS: the SIGNATURE entry holds an
 * Ed25519 signature over "outpost-signature v1\npublisher: NAME\n" followed by
 * the exact bytes of CHECKSUMS. Verifying then means: the signature is good
 * for a trusted key, and every entry's bytes hash to what CHECKSUMS says, with
 * nothing missing and nothing extra. See docs/instructor-tools.md.
 *
 * Key files are small text files:
 *   NAME.key  "outpost-secret-key v1\nname: NAME\nkey: BASE64\n"   (mode 0600)
 *   NAME.pub  "outpost-publisher-key v1\nname: NAME\nkey: BASE64\n"
 * Trusted keys are NAME.pub files in paths_keys_dir(). */
#include "cli.h"
#include "paths.h"
#include "tools.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_MAGIC "outpost-signature v1"
#define PUB_MAGIC "outpost-publisher-key v1"
#define SEC_MAGIC "outpost-secret-key v1"
#define NAME_MAX_LEN 64
#define KEYFILE_MAX 4096

/* ---- small text formats --------------------------------------------- */

/* The value of the line "key: value" in text (heap), or NULL. */
static char *field(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        if (ll > kl + 1 && strncmp(line, key, kl) == 0 && line[kl] == ':' && line[kl + 1] == ' ')
            return xstrndup(line + kl + 2, ll - kl - 2);
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static bool starts_with_line(const char *text, const char *magic)
{
    size_t ml = strlen(magic);
    return strncmp(text, magic, ml) == 0 && text[ml] == '\n';
}

static bool b64_decode(const char *s, unsigned char *out, size_t want)
{
    size_t got = 0;
    if (!s) return false;
    if (sodium_base642bin(out, want, s, strlen(s), NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return got == want;
}

static char *b64_encode(const unsigned char *bin, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *s = xmalloc(n);
    sodium_bin2base64(s, n, bin, len, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

/* A publisher name is also a file name: printable, no '/', short. */
static bool name_ok(const char *name, Error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > NAME_MAX_LEN)
        return error_set(err, "a publisher name must have 1 to %d characters", NAME_MAX_LEN);
    if (name[0] == '.' || name[0] == '-' || name[0] == ' ' || name[n - 1] == ' ')
        return error_set(err, "a publisher name may not start with '.', '-' or a space, nor end with a space");
    if (strchr(name, '/')) return error_set(err, "a publisher name may not contain '/'");
    Error e;
    if (!package_name_is_safe(name, &e))
        return error_set(err, "a publisher name may not contain control characters or bad UTF-8");
    return true;
}

typedef struct Key {
    char *name;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* only for secret keys */
} Key;

static void key_clear(Key *k)
{
    free(k->name);
    sodium_memzero(k, sizeof *k);
}

/* Parses a key file's text; secret ? NAME.key : NAME.pub. */
static bool key_parse(const char *path, const char *text, bool secret, Key *k, Error *err)
{
    memset(k, 0, sizeof *k);
    if (!starts_with_line(text, secret ? SEC_MAGIC : PUB_MAGIC)) {
        if (!secret && starts_with_line(text, SEC_MAGIC))
            return error_set(err, "%s: this is a SECRET key; give the .pub file (and keep the .key to yourself)", path);
        if (secret && starts_with_line(text, PUB_MAGIC))
            return error_set(err, "%s: this is a public key; signing needs the secret .key file", path);
        return error_set(err, "%s: not an Outpost %s key file", path, secret ? "secret" : "publisher");
    }
    char *name = field(text, "name"), *key = field(text, "key");
    Error e;
    bool ok = name && name_ok(name, &e);
    if (ok && secret) {
        ok = b64_decode(key, k->sk, sizeof k->sk);
        if (ok) crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
    } else if (ok) {
        ok = b64_decode(key, k->pk, sizeof k->pk);
    }
    if (key) sodium_memzero(key, strlen(key));
    free(key);
    if (!ok) {
        free(name);
        sodium_memzero(k, sizeof *k);
        return error_set(err, "%s: the key file is damaged (its name or key line is missing or wrong)", path);
    }
    k->name = name;
    return true;
}

static bool key_load(const char *path, bool secret, Key *k, Error *err)
{
    char *text;
    size_t len;
    if (!file_read_all(path, KEYFILE_MAX, &text, &len, err)) return false;
    bool ok = strlen(text) == len && key_parse(path, text, secret, k, err);
    if (strlen(text) != len) error_set(err, "%s: not an Outpost key file", path);
    sodium_memzero(text, len);
    free(text);
    return ok;
}

static void fingerprint(const unsigned char *pk, char out[20])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, pk, crypto_sign_PUBLICKEYBYTES);
    for (int i = 0; i < 8; i++) snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The bytes the signature covers. Heap, caller frees. */
static unsigned char *signed_message(const char *publisher, const char *sums, size_t sums_len, size_t *len)
{
    Buf b = {0};
    buf_printf(&b, SIG_MAGIC "\npublisher: %s\n", publisher);
    buf_append(&b, sums, sums_len);
    *len = b.len;
    return (unsigned char *)buf_take(&b);
}

/* ---- verification --------------------------------------------------- */

typedef struct Sum {
    const char *name; /* points into the CHECKSUMS text */
    unsigned char hash[32];
    bool seen;
} Sum;

/* Parses CHECKSUMS in place (writes NULs over newlines). Lines must be
 * "HEX  NAME", sorted, unique. */
static Sum *parse_sums(char *text, size_t len, int *n_out)
{
    int cap = 16, n = 0;
    Sum *v = xmalloc((size_t)cap * sizeof *v);
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || nl - p < 67 || p[64] != ' ' || p[65] != ' ') goto bad;
        *nl = 0;
        if (n == cap) v = xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
        size_t bin_len = 0;
        if (sodium_hex2bin(v[n].hash, 32, p, 64, NULL, &bin_len, NULL) != 0 || bin_len != 32) goto bad;
        v[n].name = p + 66;
        v[n].seen = false;
        if (n > 0 && strcmp(v[n - 1].name, v[n].name) >= 0) goto bad;
        n++;
        p = nl + 1;
    }
    *n_out = n;
    return v;
bad:
    free(v);
    return NULL;
}

static Sum *find_sum(Sum *v, int n, const char *name)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int d = strcmp(v[mid].name, name);
        if (d == 0) return &v[mid];
        if (d < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

/* Finds a trusted key with these bytes in dir; fills k (name) if found. */
static bool find_trusted(const char *dir, const unsigned char *pk, Key *k)
{
    DIR *d = opendir(dir);
    if (!d) return false;
    bool found = false;
    for (struct dirent *de; !found && (de = readdir(d));) {
        if (de->d_name[0] == '.' || !str_ends_with(de->d_name, ".pub")) continue;
        char *path = xasprintf("%s/%s", dir, de->d_name);
        Key cand;
        Error e;
        if (key_load(path, false, &cand, &e)) {
            if (sodium_memcmp(cand.pk, pk, sizeof cand.pk) == 0) {
                *k = cand;
                found = true;
            } else {
                key_clear(&cand);
            }
        }
        free(path);
    }
    closedir(d);
    return found;
}

/* The reason from package_read without its "NAME: " prefix. */
static const char *after_name(const char *msg, const char *name)
{
    size_t nl = strlen(name);
    if (strncmp(msg, name, nl) == 0 && msg[nl] == ':') return msg + nl + 1 + (msg[nl + 1] == ' ');
    return msg;
}

bool sign_verify_package(Package *pkg, const char *keys_dir, char **publisher_out,
                         SignStatus *status, Error *err)
{
    *status = SIGN_INVALID;
    if (publisher_out) *publisher_out = NULL;
    if (!package_has(pkg, TOOLS_SIGNATURE)) {
        *status = SIGN_UNSIGNED;
        return true;
    }
    if (sodium_init() < 0) return error_set(err, "cannot start the signature library");
    if (!keys_dir) keys_dir = paths_keys_dir();

    char *sig_text = NULL, *sums = NULL, *publisher = NULL, *key_b64 = NULL, *sig_b64 = NULL;
    unsigned char *msg = NULL;
    Sum *list = NULL;
    Key trusted = {0};
    bool have_trusted = false, ok = false;
    size_t sig_len, sums_len, msg_len;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    Error e = {{0}};

    if (!package_read_max(pkg, TOOLS_SIGNATURE, KEYFILE_MAX, &sig_text, &sig_len, &e)) {
        error_set(err, "the signature cannot be read (%s)", after_name(e.msg, TOOLS_SIGNATURE));
        goto done;
    }
    publisher = field(sig_text, "publisher");
    key_b64 = field(sig_text, "key");
    sig_b64 = field(sig_text, "signature");
    if (strlen(sig_text) != sig_len || !starts_with_line(sig_text, SIG_MAGIC) || !publisher ||
        !name_ok(publisher, &e) || !b64_decode(key_b64, pk, sizeof pk) ||
        !b64_decode(sig_b64, sig, sizeof sig)) {
        error_set(err, "the signature is damaged (SIGNATURE is not in the expected form)");
        goto done;
    }
    if (!package_read(pkg, TOOLS_CHECKSUMS, &sums, &sums_len, &e)) {
        error_set(err, "the lesson is signed but its list of checksums cannot be read (%s)",
                  after_name(e.msg, TOOLS_CHECKSUMS));
        goto done;
    }
    msg = signed_message(publisher, sums, sums_len, &msg_len);
    if (crypto_sign_verify_detached(sig, msg, msg_len, pk) != 0) {
        error_set(err, "the signature does not match: the lesson was changed after it was signed");
        goto done;
    }
    have_trusted = find_trusted(keys_dir, pk, &trusted);
    if (!have_trusted) {
        char fp[20];
        fingerprint(pk, fp);
        *status = SIGN_UNTRUSTED;
        if (publisher_out) *publisher_out = xstrdup(publisher);
        bool quote = strpbrk(publisher, " '\"$`\\") != NULL;
        error_set(err, "signed by \"%s\" (key %s), a publisher not trusted on this computer "
                       "(to trust it: outpost trust %s%s.pub%s)",
                  publisher, fp, quote ? "\"" : "", publisher, quote ? "\"" : "");
        goto done;
    }
    if (strcmp(trusted.name, publisher) != 0) {
        error_set(err, "signed as \"%s\" with the key of \"%s\"; the lesson cannot be trusted", publisher,
                  trusted.name);
        goto done;
    }

    /* The signature vouches for CHECKSUMS; now every entry against it. */
    int n_sums = 0;
    list = parse_sums(sums, sums_len, &n_sums);
    if (!list) {
        error_set(err, "the signed list of checksums is not in the expected form");
        goto done;
    }
    for (int i = 0; i < package_count(pkg); i++) {
        const char *name = package_name(pkg, i);
        if (strcmp(name, TOOLS_CHECKSUMS) == 0 || strcmp(name, TOOLS_SIGNATURE) == 0) continue;
        Sum *s = find_sum(list, n_sums, name);
        if (!s) {
            error_set(err, "%s was added after the lesson was signed", name);
            goto done;
        }
        char *data;
        size_t len;
        if (!package_read(pkg, name, &data, &len, &e)) {
            /* "damaged (CRC mismatch)" -> "CRC mismatch" */
            const char *why = after_name(e.msg, name);
            size_t wl = strlen(why);
            if (strncmp(why, "damaged (", 9) == 0 && wl > 10 && why[wl - 1] == ')')
                error_set(err, "%s has been changed or damaged since the lesson was signed (%.*s)", name,
                          (int)(wl - 10), why + 9);
            else
                error_set(err, "%s has been changed or damaged since the lesson was signed (%s)", name, why);
            goto done;
        }
        unsigned char h[32];
        crypto_hash_sha256(h, (unsigned char *)data, len);
        free(data);
        if (sodium_memcmp(h, s->hash, 32) != 0) {
            error_set(err, "%s has been changed since the lesson was signed", name);
            goto done;
        }
        s->seen = true;
    }
    for (int i = 0; i < n_sums; i++)
        if (!list[i].seen) {
            error_set(err, "%s has been removed since the lesson was signed", list[i].name);
            goto done;
        }
    *status = SIGN_VERIFIED;
    if (publisher_out) *publisher_out = xstrdup(publisher);
    ok = true;
done:
    if (have_trusted) key_clear(&trusted);
    free(list);
    free(msg);
    free(sig_b64);
    free(key_b64);
    free(publisher);
    free(sums);
    free(sig_text);
    return ok;
}

/* ---- commands ------------------------------------------------------- */

static int fail(const char *file, const char *msg)
{
    size_t fl = strlen(file);
    if (strncmp(msg, file, fl) == 0 && msg[fl] == ':') fprintf(stderr, "outpost: %s\n", msg);
    else fprintf(stderr, "outpost: %s: %s\n", file, msg);
    return 1;
}

static int usage_error(const char *cmd, void (*usage)(FILE *), const char *msg, const char *arg)
{
    fprintf(stderr, "outpost %s: ", cmd);
    fprintf(stderr, msg, arg);
    fputc('\n', stderr);
    usage(stderr);
    return 2;
}

/* Parses "CMD [options] ARG..." with options that take a value. Returns -1
 * if done, else an exit status (help shown: 0, bad usage: 2). */
typedef struct Opt {
    const char *name, *alt; /* "--key", "-k" */
    const char **value;
} Opt;

static int parse_args(int argc, char **argv, const char *cmd, void (*usage)(FILE *), Opt *opts,
                      const char **pos, int n_pos)
{
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        bool matched = false;
        for (Opt *o = opts; o && o->name; o++) {
            size_t nl = strlen(o->name);
            if (strcmp(a, o->name) == 0 || (o->alt && strcmp(a, o->alt) == 0)) {
                if (i + 1 >= argc || !*argv[i + 1]) return usage_error(cmd, usage, "%s needs a value", a);
                *o->value = argv[++i];
                matched = true;
            } else if (strncmp(a, o->name, nl) == 0 && a[nl] == '=') {
                if (!a[nl + 1]) return usage_error(cmd, usage, "%s needs a value", o->name);
                *o->value = a + nl + 1;
                matched = true;
            }
            if (matched) break;
        }
        if (matched) continue;
        if (a[0] == '-' && a[1]) return usage_error(cmd, usage, "unknown option %s", a);
        if (np == n_pos) return usage_error(cmd, usage, "too many arguments ('%s' is extra)", a);
        pos[np++] = a;
    }
    for (int i = 0; i < n_pos; i++)
        if (!pos[i] || !*pos[i]) return usage_error(cmd, usage, "%s", "missing argument");
    return -1;
}

static void keygen_usage(FILE *f)
{
    fputs("usage: outpost keygen NAME [--out FOLDER]\n"
          "\n"
          "Makes a publisher key pair for signing lessons: NAME.key, the secret key\n"
          "(readable by you only; keep it safe and never send it), and NAME.pub, the\n"
          "public key to give to the border posts ('outpost trust NAME.pub').\n"
          "NAME is the publisher name shown when a lesson is verified. Existing\n"
          "key files are never overwritten.\n"
          "\n"
          "  -o, --out FOLDER   where to write the two files (default: here)\n"
          "  -h, --help         show this help\n",
          f);
}

static bool write_new_file(const char *path, const char *text, mode_t mode, Error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return error_set(err, "%s: cannot create (%s)", path, strerror(errno));
    size_t len = strlen(text);
    bool ok = fchmod(fd, mode) == 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    if (close(fd) != 0) ok = false;
    if (!ok) {
        unlink(path);
        return error_set(err, "%s: cannot write (%s)", path, strerror(errno));
    }
    return true;
}

int cmd_keygen(int argc, char **argv)
{
    const char *name = NULL, *dir = ".";
    Opt opts[] = {{"--out", "-o", &dir}, {0}};
    int rc = parse_args(argc, argv, "keygen", keygen_usage, opts, &name, 1);
    if (rc >= 0) return rc;
    Error err = {{0}};
    if (!name_ok(name, &err)) return fail(name, err.msg);
    if (sodium_init() < 0) return fail(name, "cannot start the signature library");
    char *kpath = xasprintf("%s/%s.key", dir, name), *ppath = xasprintf("%s/%s.pub", dir, name);
    int status = 1;
    if (!mkdir_p(dir, &err)) {
        fail(dir, err.msg);
        goto done;
    }
    if (access(kpath, F_OK) == 0) {
        fail(kpath, "already exists; it is never overwritten (a lost key cannot be replaced: move it away first if you mean it)");
        goto done;
    }
    if (access(ppath, F_OK) == 0) {
        fail(ppath, "already exists; it is never overwritten");
        goto done;
    }
    Key k = {0};
    crypto_sign_keypair(k.pk, k.sk);
    char *skb = b64_encode(k.sk, sizeof k.sk), *pkb = b64_encode(k.pk, sizeof k.pk);
    char *stext = xasprintf(SEC_MAGIC "\nname: %s\nkey: %s\n", name, skb);
    char *ptext = xasprintf(PUB_MAGIC "\nname: %s\nkey: %s\n", name, pkb);
    if (!write_new_file(kpath, stext, 0600, &err)) {
        fail(kpath, err.msg);
    } else if (!write_new_file(ppath, ptext, 0644, &err)) {
        unlink(kpath);
        fail(ppath, err.msg);
    } else {
        char fp[20];
        fingerprint(k.pk, fp);
        printf("Wrote %s (secret: keep it to yourself) and %s (public, key %s)\n", kpath, ppath, fp);
        status = 0;
    }
    sodium_memzero(skb, strlen(skb));
    sodium_memzero(stext, strlen(stext));
    sodium_memzero(&k, sizeof k);
    free(skb);
    free(pkb);
    free(stext);
    free(ptext);
done:
    free(kpath);
    free(ppath);
    return status;
}

static void sign_usage(FILE *f)
{
    fputs("usage: outpost sign FILE.lesson --key NAME.key [-o SIGNED.lesson]\n"
          "\n"
          "Signs a lesson packed with 'outpost pack': adds a SIGNATURE entry that\n"
          "vouches for the lesson's CHECKSUMS, so that any change to any file is\n"
          "detected. Replaces FILE.lesson (or writes SIGNED.lesson), keeping the\n"
          "file deterministic. A lesson signed before is signed again.\n"
          "\n"
          "  -k, --key FILE     the secret key from 'outpost keygen'\n"
          "  -o, --output FILE  write the signed lesson here instead\n"
          "  -h, --help         show this help\n",
          f);
}

int cmd_sign(int argc, char **argv)
{
    const char *file = NULL, *keyfile = NULL, *out = NULL;
    Opt opts[] = {{"--key", "-k", &keyfile}, {"--output", "-o", &out}, {0}};
    int rc = parse_args(argc, argv, "sign", sign_usage, opts, &file, 1);
    if (rc >= 0) return rc;
    if (!keyfile) return usage_error("sign", sign_usage, "%s", "which key? (missing --key NAME.key)");
    if (!out) out = file;
    if (sodium_init() < 0) return fail(file, "cannot start the signature library");
    Error err = {{0}};
    Key k;
    if (!key_load(keyfile, true, &k, &err)) return fail(keyfile, err.msg);
    struct stat st;
    if (stat(keyfile, &st) == 0 && (st.st_mode & 077))
        fprintf(stderr, "outpost: %s: warning: other users can read this secret key (chmod 600 %s)\n", keyfile,
                keyfile);
    int status = 1;
    LessonFiles files = {0};
    Package *pkg = package_open(file, &err);
    if (!pkg) {
        fail(file, err.msg);
        goto done;
    }
    if (!package_is_zip(pkg)) {
        fail(file, "not a .lesson file (pack the folder with 'outpost pack' first, then sign the .lesson)");
        goto done;
    }
    bool read = lesson_files_read(pkg, &files, &err);
    package_close(pkg);
    pkg = NULL;
    if (!read) {
        fail(file, err.msg);
        goto done;
    }
    LessonFile *sums = lesson_files_find(&files, TOOLS_CHECKSUMS);
    size_t want_len;
    char *want = lesson_checksums(&files, &want_len);
    bool sums_ok = sums && sums->len == want_len && memcmp(sums->data, want, want_len) == 0;
    if (!sums_ok) {
        free(want);
        fail(file, sums ? "its CHECKSUMS do not match its files (it was changed after packing); pack it again"
                        : "has no CHECKSUMS entry; make it with 'outpost pack'");
        goto done;
    }
    size_t msg_len;
    unsigned char *msg = signed_message(k.name, want, want_len, &msg_len);
    free(want);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, msg, msg_len, k.sk);
    free(msg);
    char *pkb = b64_encode(k.pk, sizeof k.pk), *sgb = b64_encode(sig, sizeof sig);
    char *text = xasprintf(SIG_MAGIC "\npublisher: %s\nkey: %s\nsignature: %s\n", k.name, pkb, sgb);
    free(pkb);
    free(sgb);
    bool resigned = lesson_files_find(&files, TOOLS_SIGNATURE) != NULL;
    lesson_files_remove(&files, TOOLS_SIGNATURE);
    lesson_files_add(&files, TOOLS_SIGNATURE, text, strlen(text));
    if (!lesson_write(out, &files, NULL, NULL, &err)) {
        fail(out, err.msg);
        goto done;
    }
    printf("Signed %s as \"%s\"%s\n", out, k.name, resigned ? " (replacing its previous signature)" : "");
    status = 0;
done:
    if (pkg) package_close(pkg);
    lesson_files_free(&files);
    key_clear(&k);
    return status;
}

static void verify_usage(FILE *f)
{
    fputs("usage: outpost verify FILE.lesson [--keys FOLDER]\n"
          "\n"
          "Says who signed a lesson and whether it is exactly as they signed it:\n"
          "  Verified: PUBLISHER   signed by a trusted publisher, nothing changed (exit 0)\n"
          "  Unsigned              the lesson carries no signature (exit 0)\n"
          "Otherwise it refuses, saying why (exit 1): a file was changed, added or\n"
          "removed since signing, or the publisher is not trusted on this computer.\n"
          "\n"
          "  --keys FOLDER   trusted publisher keys (default: the data folder's trusted-keys)\n"
          "  -h, --help      show this help\n",
          f);
}

int cmd_verify(int argc, char **argv)
{
    const char *file = NULL, *keys = NULL;
    Opt opts[] = {{"--keys", NULL, &keys}, {0}};
    int rc = parse_args(argc, argv, "verify", verify_usage, opts, &file, 1);
    if (rc >= 0) return rc;
    Error err = {{0}};
    Package *pkg = package_open(file, &err);
    if (!pkg) return fail(file, err.msg);
    char *publisher = NULL;
    SignStatus st;
    bool ok = sign_verify_package(pkg, keys, &publisher, &st, &err);
    package_close(pkg);
    int status = 0;
    if (ok && st == SIGN_VERIFIED) printf("Verified: %s\n", publisher);
    else if (ok) printf("Unsigned\n");
    else status = fail(file, err.msg);
    free(publisher);
    paths_reset();
    return status;
}

static void trust_usage(FILE *f)
{
    fputs("usage: outpost trust NAME.pub [--keys FOLDER]\n"
          "\n"
          "Trusts a publisher: copies their public key (from 'outpost keygen') into\n"
          "the trusted keys, so that lessons they sign show as Verified. Only trust\n"
          "a key you received from the publisher by a route you trust.\n"
          "\n"
          "  --keys FOLDER   trusted publisher keys (default: the data folder's trusted-keys)\n"
          "  -h, --help      show this help\n",
          f);
}

int cmd_trust(int argc, char **argv)
{
    const char *file = NULL, *keys = NULL;
    Opt opts[] = {{"--keys", NULL, &keys}, {0}};
    int rc = parse_args(argc, argv, "trust", trust_usage, opts, &file, 1);
    if (rc >= 0) return rc;
    if (sodium_init() < 0) return fail(file, "cannot start the signature library");
    Error err = {{0}};
    Key k;
    if (!key_load(file, false, &k, &err)) return fail(file, err.msg);
    if (!keys) {
        if (!paths_ensure_data_dir(&err)) {
            key_clear(&k);
            return fail(file, err.msg);
        }
        keys = paths_keys_dir();
    }
    int status = 1;
    char *dest = xasprintf("%s/%s.pub", keys, k.name);
    char fp[20];
    fingerprint(k.pk, fp);
    Key old;
    if (access(dest, F_OK) == 0) {
        if (key_load(dest, false, &old, &err)) {
            bool same = sodium_memcmp(old.pk, k.pk, sizeof k.pk) == 0;
            key_clear(&old);
            if (same) {
                printf("Already trusted: %s (key %s)\n", k.name, fp);
                status = 0;
                goto done;
            }
        }
        fail(dest, "a different key with this publisher name is already trusted; if the publisher "
                   "really has a new key, remove this file first");
        goto done;
    }
    char *text = xasprintf(PUB_MAGIC "\nname: %s\nkey: ", k.name);
    char *pkb = b64_encode(k.pk, sizeof k.pk);
    char *full = xasprintf("%s%s\n", text, pkb);
    free(text);
    free(pkb);
    bool ok = mkdir_p(keys, &err) && file_write_atomic(dest, full, strlen(full), &err);
    free(full);
    if (!ok) {
        fail(dest, err.msg);
        goto done;
    }
    printf("Trusted: %s (key %s), saved as %s\n", k.name, fp, dest);
    status = 0;
done:
    free(dest);
    key_clear(&k);
    paths_reset();
    return status;
}
