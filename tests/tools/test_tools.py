#!/usr/bin/env python3
"""End-to-end tests of the instructor tools, run as an instructor would run them.

usage: test_tools.py CASE      run one case (meson runs each as a test)
       test_tools.py --list    list the cases

Environment (set by tests/tools/meson.build): OUTPOST, the binary.
"""
import os
import random
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zlib

OUTPOST = os.environ.get("OUTPOST", "outpost")
CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(args, tmp, status=None, timeout=120):
    env = dict(os.environ)
    env["OUTPOST_DATA"] = os.path.join(tmp, "data")
    env["SDL_VIDEODRIVER"] = "dummy"
    p = subprocess.run([OUTPOST] + args, capture_output=True, text=True, env=env, timeout=timeout, cwd=tmp)
    if status is not None and p.returncode != status:
        raise Failure("outpost %s: exit %d, expected %d\nstdout: %s\nstderr: %s" %
                      (" ".join(args), p.returncode, status, p.stdout, p.stderr))
    for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
        check(marker not in p.stderr, "sanitizer report:\n" + p.stderr)
    return p


def write(root, rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w", encoding=None if isinstance(data, bytes) else "utf-8") as f:
        f.write(data)
    return path


def png(w, h, noise=False, seed=1):
    """A w x h RGB PNG: random noise (does not compress) or plain grey."""
    rnd = random.Random(seed)
    row = w * 3
    if noise:
        raw = b"".join(b"\0" + rnd.randbytes(row) for _ in range(h))
    else:
        raw = (b"\0" + b"\x80" * row) * h
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


QUIZ = """local q = quiz{ title = "Check" }
q:choice{ id = "one", prompt = "Which comes first?", options = { "Transaction value", "Fall-back" }, answer = 1 }
return q
"""


def lesson(tmp, name="lesson", pages=None, extra=None, manifest=None):
    """A small valid lesson: a page with a link, a picture and a quiz."""
    root = os.path.join(tmp, name)
    pages = pages or {
        "pages/01-intro.md": "# Introduction\n\nSee [the value page](02-value.md).\n\n![A cover](../images/cover.png)\n",
        "pages/02-value.md": "# Transaction value\n\nThe price actually paid or payable.\n",
    }
    for rel, text in pages.items():
        write(root, rel, text)
    write(root, "images/cover.png", png(64, 32))
    write(root, "quizzes/check.lua", QUIZ)
    listed = ", ".join('"%s"' % p for p in pages) + ', "quizzes/check.lua"'
    write(root, "lesson.lua", manifest or
          'return {\n  id = "test.lesson", version = "1.0.0", title = "Test lesson", language = "en",\n'
          '  cover = "images/cover.png",\n  pages = { %s },\n}\n' % listed)
    for rel, data in (extra or {}).items():
        write(root, rel, data)
    return root


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- check --------------------------------------------------------------

@case
def check_good(tmp):
    root = lesson(tmp)
    p = run(["check", root], tmp, 0)
    check("No problems found." in p.stdout, p.stdout)
    m = re.search(r"^2 pages, 1 quiz, 1 image: (.*); (.*) in all$", p.stdout, re.M)
    check(m, "no summary line in: " + p.stdout)
    for ext in ("md ", "lua ", "png "):
        check(ext in m.group(1), "summary lacks %s: %s" % (ext, p.stdout))
    # A packed lesson checks the same, and says its packed size.
    run(["pack", root, "-o", "t.lesson"], tmp, 0)
    p = run(["check", "t.lesson"], tmp, 0)
    check("No problems found." in p.stdout and "packed)" in p.stdout, p.stdout)


@case
def check_missing_link_target(tmp):
    root = lesson(tmp, pages={"pages/01.md": "# One\n\nText.\n\nSee [the next page](02-next.md#top).\n"})
    p = run(["check", root], tmp, 1)
    check('pages/01.md:5: error: link target "02-next.md#top" not found (there is no pages/02-next.md in the lesson)'
          in p.stdout, p.stdout)
    check("1 error, 0 warnings" in p.stdout, p.stdout)


@case
def check_link_outside(tmp):
    root = lesson(tmp, pages={"pages/01.md": "# One\n\n[up](../../secret.md)\n"})
    p = run(["check", root], tmp, 1)
    check('pages/01.md:3: error: link "../../secret.md" leads outside the lesson' in p.stdout, p.stdout)


@case
def check_missing_image(tmp):
    root = lesson(tmp, pages={"pages/01.md": "# One\n\n![Invoice](../images/invoice.png)\n"})
    p = run(["check", root], tmp, 1)
    check('pages/01.md:3: error: image "../images/invoice.png" not found (there is no images/invoice.png in the lesson)'
          in p.stdout, p.stdout)


@case
def check_undecodable_image(tmp):
    root = lesson(tmp, pages={"pages/01.md": "# One\n\n![Broken](../images/broken.png)\n"},
                  extra={"images/broken.png": b"\x89PNG\r\n\x1a\nthis is not really a picture"})
    p = run(["check", root], tmp, 1)
    check(re.search(r"^images/broken.png:1: error: .*(damaged|decoded)", p.stdout, re.M), p.stdout)


@case
def check_huge_image_warnings(tmp):
    root = lesson(tmp, pages={"pages/01.md": "# One\n\n![Wide](../images/wide.png)\n\n![Noise](../images/noise.png)\n"},
                  extra={"images/wide.png": png(4200, 8), "images/noise.png": png(900, 900, noise=True)})
    p = run(["check", root], tmp, 0)
    check("images/wide.png:1: warning: the picture is 4200 x 8 pixels; over 4096 on a side is slow to show"
          in p.stdout, p.stdout)
    check(re.search(r"images/noise.png:1: warning: the picture is 2\.\d MB; over 2 MB", p.stdout), p.stdout)
    check("0 errors, 2 warnings" in p.stdout, p.stdout)


@case
def check_missing_glyph(tmp):
    root = lesson(tmp, pages={"pages/01.md": "# One\n\nNormal text.\n\nA private sign: \ue000 here.\n"})
    p = run(["check", root], tmp, 1)
    check("pages/01.md:5: error: 1 character has no font installed (U+E000)" in p.stdout, p.stdout)


@case
def check_missing_glyph_in_title(tmp):
    root = lesson(tmp)
    text = read(os.path.join(root, "lesson.lua")).decode().replace('title = "Test lesson"', 'title = "Test \ue001\ue002"')
    write(root, "lesson.lua", text)
    p = run(["check", root], tmp, 1)
    check("lesson.lua:2: error: 2 characters have no font installed (e.g. U+E001, U+E002)" in p.stdout, p.stdout)


@case
def check_external_link_warning(tmp):
    root = lesson(tmp, pages={"pages/01.md": "# One\n\nSee the [WCO site](https://www.wcoomd.org/) and [mail](mailto:a@b.org).\n"})
    p = run(["check", root], tmp, 0)
    check("pages/01.md:3: warning: external link will not open offline: https://www.wcoomd.org/" in p.stdout, p.stdout)
    check("pages/01.md:3: warning: external link will not open offline: mailto:a@b.org" in p.stdout, p.stdout)


@case
def check_quiz_load_error(tmp):
    root = lesson(tmp, extra={"quizzes/check.lua": "local q = quiz{ title = 'Broken' }\n\nq:choice{ id = 'x', prompt = 'p', options = { 'a', 'b' }, answer = 4 }\nreturn q\n"})
    p = run(["check", root], tmp, 1)
    check(re.search(r"^quizzes/check.lua:3: error: .*out of range", p.stdout, re.M), p.stdout)
    write(root, "quizzes/check.lua", "local q = quiz{\n  title = 'Broken'\n  oops\n")
    p = run(["check", root], tmp, 1)
    check(re.search(r"^quizzes/check.lua:\d+: error: ", p.stdout, re.M), p.stdout)


@case
def check_quiz_self_test_failure(tmp):
    # Fine for the first learner, but some learners draw b = 0: only the
    # self-test over many seeds finds it.
    root = lesson(tmp, extra={"quizzes/check.lua":
                              "local q = quiz{ title = 'Shares' }\n"
                              "q:numeric{ id = 'share',\n"
                              "  params = function(rng) return { b = rng:int(0, 9) } end,\n"
                              "  prompt = function(v) return ('Split 100 USD into %d parts.'):format(v.b) end,\n"
                              "  answer = function(v) return 100 / v.b end }\n"
                              "return q\n"})
    p = run(["check", root], tmp, 1)
    check(re.search(r"^quizzes/check.lua:\d+: error: self-test failed: .*seed", p.stdout, re.M) or
          re.search(r"^quizzes/check.lua:\d+: error: self-test failed: ", p.stdout, re.M), p.stdout)


@case
def check_manifest_error(tmp):
    root = lesson(tmp, manifest='return {\n  id = "x", version = 1, title = "T", language = "en",\n'
                                '  pages = { "pages/01-intro.md" } }\n')
    p = run(["check", root], tmp, 1)
    check(re.search(r"^lesson.lua:2: error: field 'version': expected a string", p.stdout, re.M), p.stdout)
    # Without a manifest, pages are still checked.
    write(root, "pages/02-value.md", "# Two\n\n[gone](nowhere.md)\n")
    p = run(["check", root], tmp, 1)
    check('pages/02-value.md:3: error: link target "nowhere.md" not found' in p.stdout, p.stdout)


@case
def check_unlisted_and_unused(tmp):
    root = lesson(tmp, extra={"pages/draft.md": "# Draft\n", "images/unused.png": png(8, 8)})
    p = run(["check", root], tmp, 0)
    check("pages/draft.md:1: warning: not listed in lesson.lua's pages" in p.stdout, p.stdout)
    check("images/unused.png:1: warning: no page shows this picture" in p.stdout, p.stdout)


@case
def check_bad_utf8_and_usage(tmp):
    root = lesson(tmp, pages={"pages/01.md": b"# One\n\nCaf\xe9 latin-1\n".decode("latin-1")})
    write(root, "pages/01.md", b"# One\n\nCaf\xe9 latin-1\n")
    p = run(["check", root], tmp, 1)
    check("pages/01.md:3: error: the text is not valid UTF-8" in p.stdout, p.stdout)
    p = run(["check"], tmp, 2)
    check("usage: outpost check" in p.stderr, p.stderr)
    p = run(["check", root, "--bogus"], tmp, 2)
    p = run(["check", os.path.join(tmp, "nope")], tmp, 1)
    check(p.stderr.startswith("outpost: " + os.path.join(tmp, "nope") + ":"), p.stderr)
    p = run(["help", "check"], tmp, 0)
    check("usage: outpost check" in p.stdout, p.stdout)


@case
def check_packed_lesson_changed_after_packing(tmp):
    root = lesson(tmp)
    run(["pack", root, "-o", "t.lesson"], tmp, 0)
    import zipfile
    with zipfile.ZipFile(os.path.join(tmp, "t.lesson")) as src, \
            zipfile.ZipFile(os.path.join(tmp, "edited.lesson"), "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "pages/02-value.md":
                data = data.replace(b"price", b"PRICE")
            dst.writestr(info.filename, data)
    p = run(["check", "edited.lesson"], tmp, 1)
    check("pages/02-value.md:1: error: does not match its checksum in CHECKSUMS" in p.stdout, p.stdout)


# ---- new ----------------------------------------------------------------

@case
def new_lesson_passes_check(tmp):
    p = run(["new", "My Course"], tmp, 0)
    check("Created a starter lesson" in p.stdout, p.stdout)
    root = os.path.join(tmp, "My Course")
    manifest = read(os.path.join(root, "lesson.lua")).decode()
    check('id = "my-course"' in manifest, manifest)
    page = read(os.path.join(root, "pages/01-welcome.md")).decode()
    check(page.startswith("# ") and "\n- " in page and "\n> " in page, page)
    p = run(["check", root], tmp, 0)
    check("No problems found." in p.stdout and "1 page, 1 quiz" in p.stdout, p.stdout)
    run(["pack", root, "-o", "new.lesson"], tmp, 0)
    # An existing non-empty folder is refused; an empty one is fine.
    p = run(["new", "My Course"], tmp, 1)
    check("already exists" in p.stderr, p.stderr)
    os.makedirs(os.path.join(tmp, "empty"))
    run(["new", "empty"], tmp, 0)
    run(["new"], tmp, 2)


# ---- pack ---------------------------------------------------------------

@case
def pack_deterministic(tmp):
    root = lesson(tmp)
    run(["pack", root, "-o", "a.lesson"], tmp, 0)
    os.utime(os.path.join(root, "pages/01-intro.md"), (1, 1))
    run(["pack", root, "-o", "b.lesson"], tmp, 0)
    check(read(os.path.join(tmp, "a.lesson")) == read(os.path.join(tmp, "b.lesson")), "two packs differ")


@case
def pack_refuses_check_errors(tmp):
    root = lesson(tmp, pages={"pages/01.md": "# One\n\n![x](../images/none.png)\n\n[web](https://example.org)\n"})
    p = run(["pack", root, "-o", "x.lesson"], tmp, 1)
    check('pages/01.md:3: error: image "../images/none.png" not found' in p.stderr, p.stderr)
    check("warning: external link" in p.stderr, p.stderr)
    check("not packed: 1 error" in p.stderr, p.stderr)
    check(not os.path.exists(os.path.join(tmp, "x.lesson")), "a lesson was written")
    # Warnings alone do not stop it.
    write(root, "pages/01.md", "# One\n\n[web](https://example.org)\n")
    p = run(["pack", root, "-o", "x.lesson"], tmp, 0)
    check("warning: external link" in p.stderr, p.stderr)


# ---- signing ------------------------------------------------------------

@case
def keygen_files(tmp):
    p = run(["keygen", "Regional Training Centre", "--out", "keys"], tmp, 0)
    key = os.path.join(tmp, "keys", "Regional Training Centre.key")
    pub = os.path.join(tmp, "keys", "Regional Training Centre.pub")
    check(stat.S_IMODE(os.stat(key).st_mode) == 0o600, "secret key mode %o" % os.stat(key).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    check(stat.S_IMODE(os.stat(pub).st_mode) == 0o644 & ~umask, "public key mode %o" % os.stat(pub).st_mode)
    text = read(pub).decode()
    check(re.fullmatch(r"outpost-publisher-key v1\nname: Regional Training Centre\nkey: [A-Za-z0-9+/]{43}=\n", text), text)
    before = read(key)
    p = run(["keygen", "Regional Training Centre", "--out", "keys"], tmp, 1)
    check("never overwritten" in p.stderr, p.stderr)
    check(read(key) == before, "key overwritten")
    run(["keygen", "../evil"], tmp, 1)
    run(["keygen"], tmp, 2)


@case
def sign_and_verify(tmp):
    root = lesson(tmp)
    run(["pack", root, "-o", "t.lesson"], tmp, 0)
    p = run(["verify", "t.lesson"], tmp, 0)
    check(p.stdout == "Unsigned\n", p.stdout)
    run(["keygen", "RTC"], tmp, 0)
    run(["sign", "t.lesson", "--key", "RTC.key"], tmp, 0)
    # Not trusted yet.
    p = run(["verify", "t.lesson"], tmp, 1)
    check('signed by "RTC"' in p.stderr and "not trusted" in p.stderr, p.stderr)
    p = run(["trust", "RTC.pub"], tmp, 0)
    check("Trusted: RTC" in p.stdout, p.stdout)
    p = run(["trust", "RTC.pub"], tmp, 0)
    check("Already trusted" in p.stdout, p.stdout)
    p = run(["verify", "t.lesson"], tmp, 0)
    check(p.stdout == "Verified: RTC\n", p.stdout)
    # Signing is deterministic, and the signed lesson still checks and opens.
    shutil.copy(os.path.join(tmp, "t.lesson"), os.path.join(tmp, "t2.lesson"))
    run(["sign", "t2.lesson", "--key", "RTC.key"], tmp, 0)
    check(read(os.path.join(tmp, "t.lesson")) == read(os.path.join(tmp, "t2.lesson")), "re-signing changed the bytes")
    run(["check", "t.lesson"], tmp, 0)
    # A different key under the same name is not trusted over the first.
    os.makedirs(os.path.join(tmp, "other"))
    run(["keygen", "RTC", "--out", "other"], tmp, 0)
    p = run(["trust", "other/RTC.pub"], tmp, 1)
    check("already trusted" in p.stderr, p.stderr)
    run(["sign", "t2.lesson", "--key", "other/RTC.key"], tmp, 0)
    p = run(["verify", "t2.lesson"], tmp, 1)
    check("not trusted" in p.stderr, p.stderr)
    # A public key cannot sign; a secret key cannot be trusted.
    p = run(["sign", "t.lesson", "--key", "RTC.pub"], tmp, 1)
    check("secret" in p.stderr, p.stderr)
    p = run(["trust", "RTC.key"], tmp, 1)
    check("SECRET" in p.stderr, p.stderr)
    run(["sign", "t.lesson"], tmp, 2)
    run(["verify"], tmp, 2)


@case
def verify_refuses_changed_lesson(tmp):
    root = lesson(tmp)
    run(["pack", root, "-o", "t.lesson"], tmp, 0)
    run(["keygen", "RTC"], tmp, 0)
    run(["trust", "RTC.pub"], tmp, 0)
    run(["sign", "t.lesson", "--key", "RTC.key"], tmp, 0)
    data = bytearray(read(os.path.join(tmp, "t.lesson")))
    # The stored PNG: flip one byte of its pixels' zlib stream.
    i = data.find(b"IDAT")
    check(i > 0, "no PNG in the package")
    data[i + 10] ^= 1
    write(tmp, "bad.lesson", bytes(data))
    p = run(["verify", "bad.lesson"], tmp, 1)
    check("images/cover.png has been changed" in p.stderr and "since the lesson was signed" in p.stderr, p.stderr)
    check("Verified" not in p.stdout, p.stdout)


# ---- updates ------------------------------------------------------------

def two_versions(tmp):
    root = lesson(tmp)
    run(["pack", root, "-o", "v1.lesson"], tmp, 0)
    write(root, "pages/02-value.md", "# Transaction value\n\nThe price actually paid or payable, adjusted.\n")
    write(root, "pages/03-new.md", "# New\n\nA new page.\n")
    os.remove(os.path.join(root, "images/cover.png"))
    text = read(os.path.join(root, "lesson.lua")).decode().replace('  cover = "images/cover.png",\n', "")
    text = text.replace('"pages/02-value.md"', '"pages/02-value.md", "pages/03-new.md"')
    text = text.replace('"1.0.0"', '"1.1.0"')
    write(root, "lesson.lua", text)
    write(root, "pages/01-intro.md", "# Introduction\n\nSee [the value page](02-value.md).\n")
    run(["pack", root, "-o", "v2.lesson"], tmp, 0)
    return root


@case
def diff_apply_round_trip(tmp):
    two_versions(tmp)
    p = run(["diff", "v1.lesson", "v2.lesson", "-o", "up.lessonpatch"], tmp, 0)
    check("3 changed, 1 added, 1 removed" in p.stdout, p.stdout)
    p = run(["apply", "v1.lesson", "up.lessonpatch", "-o", "v2-rebuilt.lesson"], tmp, 0)
    check(read(os.path.join(tmp, "v2.lesson")) == read(os.path.join(tmp, "v2-rebuilt.lesson")), "not byte for byte")
    # In place.
    shutil.copy(os.path.join(tmp, "v1.lesson"), os.path.join(tmp, "mine.lesson"))
    run(["apply", "mine.lesson", "up.lessonpatch", "-o", "mine.lesson"], tmp, 0)
    check(read(os.path.join(tmp, "v2.lesson")) == read(os.path.join(tmp, "mine.lesson")), "in place differs")
    p = run(["apply", "mine.lesson", "up.lessonpatch", "-o", "again.lesson"], tmp, 1)
    check("already the new version" in p.stderr, p.stderr)
    # Signed lessons too.
    run(["keygen", "RTC"], tmp, 0)
    run(["trust", "RTC.pub"], tmp, 0)
    run(["sign", "v1.lesson", "--key", "RTC.key"], tmp, 0)
    run(["sign", "v2.lesson", "--key", "RTC.key"], tmp, 0)
    run(["diff", "v1.lesson", "v2.lesson", "-o", "up2.lessonpatch"], tmp, 0)
    run(["apply", "v1.lesson", "up2.lessonpatch", "-o", "v2s.lesson"], tmp, 0)
    check(read(os.path.join(tmp, "v2.lesson")) == read(os.path.join(tmp, "v2s.lesson")), "signed round trip differs")
    p = run(["verify", "v2s.lesson"], tmp, 0)
    check(p.stdout == "Verified: RTC\n", p.stdout)


@case
def apply_refuses_other_base(tmp):
    root = two_versions(tmp)
    run(["diff", "v1.lesson", "v2.lesson", "-o", "up.lessonpatch"], tmp, 0)
    write(root, "pages/02-value.md", "# Something else\n")
    run(["pack", root, "-o", "other.lesson"], tmp, 0)
    p = run(["apply", "other.lesson", "up.lessonpatch", "-o", "out.lesson"], tmp, 1)
    check("this update is for another version of the lesson" in p.stderr, p.stderr)
    check(not os.path.exists(os.path.join(tmp, "out.lesson")), "something was written")


@case
def apply_refuses_damaged_patch(tmp):
    two_versions(tmp)
    run(["diff", "v1.lesson", "v2.lesson", "-o", "up.lessonpatch"], tmp, 0)
    data = read(os.path.join(tmp, "up.lessonpatch"))
    for cut in (len(data) // 2, len(data) - 10, 3):
        write(tmp, "cut.lessonpatch", data[:cut])
        p = run(["apply", "v1.lesson", "cut.lessonpatch", "-o", "out.lesson"], tmp, 1)
        check("damaged or incomplete" in p.stderr, p.stderr)
        check(not os.path.exists(os.path.join(tmp, "out.lesson")), "something was written")
    # Damage inside a file of the patch: refused, nothing written.
    bad = bytearray(data)
    bad[len(bad) // 3] ^= 0xFF
    write(tmp, "bad.lessonpatch", bytes(bad))
    run(["apply", "v1.lesson", "bad.lessonpatch", "-o", "out.lesson"], tmp, 1)
    check(not os.path.exists(os.path.join(tmp, "out.lesson")), "something was written")
    run(["apply", "v1.lesson", "up.lessonpatch"], tmp, 2)


@case
def diff_refuses_foreign_zip(tmp):
    two_versions(tmp)
    import zipfile
    with zipfile.ZipFile(os.path.join(tmp, "v2.lesson")) as src, \
            zipfile.ZipFile(os.path.join(tmp, "foreign.lesson"), "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    p = run(["diff", "v1.lesson", "foreign.lesson", "-o", "up.lessonpatch"], tmp, 1)
    check("was not made by 'outpost pack'" in p.stderr, p.stderr)


def main():
    args = sys.argv[1:]
    if args == ["--list"]:
        print("\n".join(CASES))
        return 0
    failed = 0
    for name in args:
        tmp = tempfile.mkdtemp(prefix="outpost-tools-")
        try:
            CASES[name](tmp)
            print("ok", name)
        except Failure as e:
            print("FAIL %s: %s" % (name, e))
            failed += 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (len(args) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
