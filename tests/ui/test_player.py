#!/usr/bin/env python3
"""End-to-end tests of the outpost player, run as a user would run it.

usage: test_player.py CASE        run one case (meson runs each as a test)
       test_player.py --list      list the cases
       test_player.py --update    rewrite the reference screenshots (look at them!)

Environment (set by tests/ui/meson.build): OUTPOST, IMGCMP, MKZIPS, TESTS_UI.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPOST = os.environ.get("OUTPOST", "outpost")
IMGCMP = os.environ.get("IMGCMP", "imgcmp")
LESSON = os.path.join(HERE, "lessons", "scripts")
REF = os.path.join(HERE, "ref")
SIZE = "900x640"

CASES = {}
UPDATE = False


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(args, data_dir, expect_status=None, timeout=60):
    env = dict(os.environ)
    env["OUTPOST_DATA"] = data_dir
    env["SDL_VIDEODRIVER"] = "dummy"
    p = subprocess.run([OUTPOST] + args, capture_output=True, text=True, env=env, timeout=timeout)
    if expect_status is not None and p.returncode != expect_status:
        raise Failure("outpost %s: exit %d, expected %d\nstdout: %s\nstderr: %s" %
                      (" ".join(args), p.returncode, expect_status, p.stdout, p.stderr))
    for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
        check(marker not in p.stderr, "sanitizer report:\n" + p.stderr)
    return p


def stats(out):
    m = re.search(r"screen=(\w+) page=(\d+) pages=(\d+) missing_glyphs=(\d+) problems=(\d+) scroll=(\d+)", out)
    check(m, "no stats line in: " + out)
    return {"screen": m.group(1), "page": int(m.group(2)), "pages": int(m.group(3)),
            "missing": int(m.group(4)), "problems": int(m.group(5)), "scroll": int(m.group(6))}


def picture_stats(png):
    p = subprocess.run([IMGCMP, "--stats", png], capture_output=True, text=True)
    check(p.returncode == 0, "cannot read %s: %s" % (png, p.stderr))
    m = re.search(r"size=(\d+)x(\d+) colors=(\d+) brightness=([\d.]+)", p.stdout)
    return {"w": int(m.group(1)), "h": int(m.group(2)), "colors": int(m.group(3)),
            "brightness": float(m.group(4))}


def compare_with_reference(png, name, tolerance="0.01"):
    ref = os.path.join(REF, name + ".png")
    if UPDATE:
        os.makedirs(REF, exist_ok=True)
        shutil.copy(png, ref)
        print("updated", ref)
        return
    check(os.path.exists(ref), "no reference picture %s (run with --update and look at it)" % ref)
    p = subprocess.run([IMGCMP, png, ref, tolerance], capture_output=True, text=True)
    print(p.stdout.strip())
    if p.returncode != 0:
        keep = os.path.join(os.environ.get("BUILD_DIR", tempfile.gettempdir()), "ui-failed-" + name + ".png")
        shutil.copy(png, keep)
        raise Failure("%s differs from %s (actual kept as %s): %s" % (name, ref, keep, p.stderr + p.stdout))


def screenshot_case(page, name, tmp, extra=()):
    png = os.path.join(tmp, name + ".png")
    p = run(["--screenshot", png, "--size", SIZE, "--page", str(page), "--stats"] + list(extra) + [LESSON],
            tmp, expect_status=0)
    s = stats(p.stdout)
    check(s["missing"] == 0, "%d characters were drawn without a font" % s["missing"])
    check(s["page"] == page, "page %d shown instead of %d" % (s["page"], page))
    compare_with_reference(png, name)
    return s


@case
def screenshot_en(tmp):
    screenshot_case(1, "page-en", tmp)


@case
def screenshot_th(tmp):
    screenshot_case(2, "page-th", tmp)


@case
def screenshot_zh(tmp):
    screenshot_case(3, "page-zh", tmp)


@case
def screenshot_hidpi_contrast(tmp):
    # Twice the pixels, high contrast and a larger text size, all from settings.
    with open(os.path.join(tmp, "settings.conf"), "w") as f:
        f.write("text_scale = 1.30\nhigh_contrast = yes\ncontents = hidden\n")
    png = os.path.join(tmp, "hidpi.png")
    p = run(["--screenshot", png, "--size", "640x480", "--scale", "2", "--stats", LESSON], tmp, 0)
    s = picture_stats(png)
    check((s["w"], s["h"]) == (1280, 960), "HiDPI picture is %dx%d, expected 1280x960" % (s["w"], s["h"]))
    check(s["brightness"] < 60, "high contrast should be mostly black, brightness %.1f" % s["brightness"])
    compare_with_reference(png, "page-en-hidpi-contrast")


@case
def other_scripts_have_fonts(tmp):
    # Vietnamese, Japanese, Korean, Khmer, Lao, Myanmar, Hindi, Arabic: no boxes.
    # The page also shows a picture that is missing from the package: the
    # page says so, and the command line reports it with a non-zero exit.
    png = os.path.join(tmp, "more.png")
    p = run(["--screenshot", png, "--size", SIZE, "--page", "4", "--stats", LESSON], tmp, 1)
    s = stats(p.stdout)
    check(s["missing"] == 0, "%d characters were drawn without a font" % s["missing"])
    check(s["problems"] == 1, "expected one picture problem, got %d" % s["problems"])
    check("images/absent.png" in p.stderr, "stderr should name the missing picture: " + p.stderr)
    compare_with_reference(png, "page-more")


def replay(tmp, script, lesson=LESSON, status=0, size=SIZE, learner="Tester"):
    ev = os.path.join(tmp, "events.txt")
    with open(ev, "w") as f:
        f.write(script)
    who = ["--learner", learner] if learner else []
    return run(["--events", ev, "--size", size, "--stats"] + who + [lesson], tmp, status)


@case
def keyboard_navigation(tmp):
    replay(tmp, """
expect page 1
key Right
expect page 2
key Left
expect page 1
key Left
expect page 1
key ctrl+End
expect page 5
key Right
expect page 5
key End
expect bottom
key Home
expect scrolled no
key PageDown
expect scrolled yes
key Up
key ctrl+Home
expect page 1
expect scrolled no
""")


@case
def focus_and_activate(tmp):
    # Keyboard-only use: Tab reaches the controls in order; Enter activates.
    replay(tmp, """
key Tab
expect focus contents
key Tab
expect focus smaller
key Tab
key Tab
expect focus contrast
key Tab
expect focus toc 1
key Tab
key Tab
expect focus toc 3
key Return
expect page 3
key Escape
expect focus
key shift+Tab
expect focus next
key Return
expect page 4
key shift+Tab
expect focus previous
key Return
expect page 3
""")


@case
def mouse_navigation(tmp):
    # Buttons, the contents sidebar, a link in the page and the wheel.
    # Window 900x640: bottom bar buttons at y ~ 618, sidebar items 34 px high from y 44.
    replay(tmp, """
click 860 618
expect page 2
click 40 618
expect page 1
click 100 130
expect page 3
click 100 64
expect page 1
wheel -3
expect scrolled yes
wheel 10
expect scrolled no
""")
    # The link "the next page" on page 1 goes to the Thai page. Find it by
    # tabbing to it, which also proves links take the focus.
    replay(tmp, "\n".join(["key Tab"] * 10) + "\nexpect focus link 1\nkey Return\nexpect page 2\n")


@case
def scrollbar_drag(tmp):
    replay(tmp, """
key ctrl+End
expect page 5
press 893 60
move 893 600
release 893 600
expect bottom
""")


@case
def text_size_and_contrast_persist(tmp):
    replay(tmp, "key ctrl+plus\nkey ctrl+plus\nkey ctrl+h\nkey ctrl+t\n")
    conf = open(os.path.join(tmp, "settings.conf")).read()
    check("high_contrast = yes" in conf, conf)
    check("contents = hidden" in conf, conf)
    m = re.search(r"text_scale = ([\d.]+)", conf)
    check(m and abs(float(m.group(1)) - 1.32) < 0.02, conf)
    replay(tmp, "key ctrl+0\nkey ctrl+minus\n")
    conf = open(os.path.join(tmp, "settings.conf")).read()
    m = re.search(r"text_scale = ([\d.]+)", conf)
    check(m and abs(float(m.group(1)) - 0.87) < 0.02, conf)


@case
def resize_reflows(tmp):
    # A narrow window: the contents hide, the page reflows, nothing breaks.
    a = os.path.join(tmp, "wide.png")
    b = os.path.join(tmp, "narrow.png")
    replay(tmp, "screenshot %s\nresize 420 700\nexpect page 1\nscreenshot %s\nkey End\nexpect bottom\n" % (a, b))
    sa, sb = picture_stats(a), picture_stats(b)
    check((sb["w"], sb["h"]) == (420, 700), "resized picture is %dx%d" % (sb["w"], sb["h"]))
    check(sb["colors"] > 20, "narrow page looks blank")


@case
def library_screen(tmp):
    lib = os.path.join(tmp, "lessons")
    os.makedirs(lib)
    shutil.copytree(LESSON, os.path.join(lib, "scripts"))
    with open(os.path.join(lib, "broken.lesson"), "wb") as f:
        f.write(b"this is not a zip file")
    png = os.path.join(tmp, "library.png")
    replay(tmp, "expect screen library\nscreenshot %s\nkey Return\nexpect screen error\n"
           "key Return\nexpect screen library\nkey Down\nkey Return\nexpect screen lesson\n"
           "expect page 1\nkey Escape\nexpect screen library\n" % png, lesson=lib)
    compare_with_reference(png, "library")


@case
def cli_usage(tmp):
    p = run(["--help"], tmp, 0)
    check("Usage: outpost" in p.stdout, p.stdout)
    p = run(["--bogus"], tmp, 2)
    check("unknown option '--bogus'" in p.stderr, p.stderr)
    p = run(["--page", "abc", LESSON], tmp, 2)
    check("--page needs a page number" in p.stderr, p.stderr)
    p = run(["--size", "12", LESSON], tmp, 2)
    check("--size needs" in p.stderr, p.stderr)
    p = run(["--screenshot"], tmp, 2)
    check("--screenshot needs a value" in p.stderr, p.stderr)
    p = run(["/no/such/lesson.lesson"], tmp, 1)
    check("/no/such/lesson.lesson: no such file or folder" in p.stderr, p.stderr)
    p = run(["frobnicate"], tmp, 2)
    check("there is no command 'frobnicate'" in p.stderr, p.stderr)
    p = run(["help", "pack"], tmp, 0)
    check("pack" in p.stdout, p.stdout)


@case
def bad_events_file(tmp):
    p = replay(tmp, "key Right\nfly away\n", status=1)
    check("events.txt:2: unknown command 'fly'" in p.stderr, p.stderr)
    p = replay(tmp, "key NoSuchKey\n", status=1)
    check("events.txt:1: unknown key 'NoSuchKey'" in p.stderr, p.stderr)
    p = replay(tmp, "key ctrl+Home\nkey Right\nexpect page 4\n", status=1)
    check("expected page 4, but page 2 is shown" in p.stderr, p.stderr)


def error_case(tmp, lesson, *needles, page_error_ok=False):
    """A package that cannot be opened: a clear one-line message naming the
    file on stderr, exit 1, and an error screen (not a blank window). With
    page_error_ok, damage found only when the first page is read may instead
    show that page's error in place."""
    png = os.path.join(tmp, "error.png")
    p = run(["--screenshot", png, "--size", SIZE, "--stats", lesson], tmp, 1)
    st = stats(p.stdout)
    check(st["screen"] == "error" or (page_error_ok and st["problems"] > 0),
          "error not shown: " + p.stdout)
    line = p.stderr.strip().splitlines()[0]
    check(line.startswith("outpost: ") and os.path.basename(lesson) in line,
          "message should name the file: " + line)
    for n in needles:
        check(n in p.stderr, "expected '%s' in: %s" % (n, p.stderr))
    s = picture_stats(png)
    check(s["colors"] > 10, "error screen looks blank")
    return p


def packable(tmp):
    """A copy of the test lesson without its deliberately missing picture,
    which `outpost pack` (rightly) refuses."""
    d = os.path.join(tmp, "packable")
    shutil.copytree(LESSON, d)
    more = os.path.join(d, "pages", "more.md")
    text = open(more).read().replace("![A chart that is not in the package](../images/absent.png)", "")
    open(more, "w").write(text)
    return d


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def lesson_dir(tmp, manifest, pages=None):
    d = os.path.join(tmp, "lesson")
    write(os.path.join(d, "lesson.lua"), manifest)
    for name, text in (pages or {"pages/a.md": "# A\n\nText.\n"}).items():
        write(os.path.join(d, name), text)
    return d


@case
def bad_not_a_zip(tmp):
    f = os.path.join(tmp, "notzip.lesson")
    write(f, b"PK\x03\x04 this is not really a zip file at all")
    error_case(tmp, f)


@case
def bad_empty_file(tmp):
    f = os.path.join(tmp, "empty.lesson")
    write(f, b"")
    error_case(tmp, f)


@case
def bad_truncated_zip(tmp):
    good = os.path.join(tmp, "good.lesson")
    run(["pack", packable(tmp), "-o", good], tmp, 0)
    data = open(good, "rb").read()
    f = os.path.join(tmp, "truncated.lesson")
    write(f, data[: len(data) // 2])
    error_case(tmp, f)


@case
def bad_zip_cases(tmp):
    # The package tests' generator writes zip-slip names, lying sizes, bad
    # CRCs and the like; every one must be refused with the file's name.
    out = os.path.join(tmp, "zips")
    os.makedirs(out)
    subprocess.run([sys.executable, os.environ["MKZIPS"], os.path.join(os.path.dirname(os.environ["MKZIPS"]), "fixtures"), out], check=True)
    bad = sorted(n for n in os.listdir(out) if n.endswith(".lesson") and not n.startswith("good"))
    check(len(bad) >= 6, "expected several bad packages, got %s" % bad)
    for name in bad:
        error_case(tmp, os.path.join(out, name), page_error_ok=True)
    print("refused %d bad packages: %s" % (len(bad), ", ".join(bad)))


@case
def bad_missing_manifest(tmp):
    d = os.path.join(tmp, "nomanifest")
    write(os.path.join(d, "pages", "a.md"), "# A\n")
    # A folder without lesson.lua is a library folder, so use a zip.
    f = os.path.join(tmp, "nomanifest.lesson")
    import zipfile
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("pages/a.md", "# A\n")
    error_case(tmp, f, "lesson.lua")


@case
def bad_manifests(tmp):
    cases = [
        ("while true do end", "too long"),
        ("local t = {} for i = 1, 1e9 do t[i] = i end return t", "memory"),
        ("local t = nil\nreturn t.field", "lesson.lua:2"),
        ("return 42", "lesson.lua"),
        ("return { id = 'x', version = 1, title = 'T', language = 'en', pages = {'pages/a.md'} }", "version"),
        ("return { id = 'x', version = '1', title = 'T', language = 'en', pages = {} }", "pages"),
        ("return { id = 'x', version = '1', title = 'T', language = 'en', pages = {'pages/gone.md'} }", "pages/gone.md"),
        ("return {", "lesson.lua:1"),
        ("return io.open('/etc/passwd')", "lesson.lua"),
    ]
    for i, (src, needle) in enumerate(cases):
        d = os.path.join(tmp, "m%d" % i)
        write(os.path.join(d, "lesson.lua"), src)
        write(os.path.join(d, "pages", "a.md"), "# A\n")
        p = error_case(tmp, d, needle)
        check(len(p.stderr.strip().splitlines()) == 1, "one line expected: " + p.stderr)


@case
def bad_image(tmp):
    d = lesson_dir(tmp, "return { id = 'x', version = '1', title = 'T', language = 'en', pages = {'pages/a.md'} }",
                   {"pages/a.md": "# A\n\n![broken](../images/b.png)\n\n![huge](../images/huge.png)\n",
                    "images/b.png": b"\x89PNG\r\n\x1a\n garbage",
                    "images/huge.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x00\x00\x00\x01\x00\x00\x08\x06\x00\x00\x00"})
    png = os.path.join(tmp, "img.png")
    p = run(["--screenshot", png, "--stats", d], tmp, 1)
    check(stats(p.stdout)["problems"] == 2, p.stdout)
    check("images/b.png" in p.stderr and "images/huge.png: image is too large" in p.stderr, p.stderr)


@case
def markdown_torture(tmp):
    # Anything md4c parses renders without crashing, even if plainly.
    src = "\n".join([
        "# " + "Very long heading " * 30, "", "> > > nested quote", "> - list in quote", "",
        "- a\n  - b\n    - c\n      - d\n        - e\n          - f", "", "1. x\n2.\n3. z", "",
        "| a |\n|---|\n| " + "w" * 500 + " |", "", "| a | b | c |\n|---|---|---|\n| 1 |", "",
        "<div>html</div>", "", "&amp; &#x1F600; &#0; &bogus;", "", "![](nothing.png)", "",
        "[dangling](no-such-page.md) [ext](https://example.org) [abs](/etc/passwd)", "",
        "```\n" + "code " * 200 + "\n```", "", "***", "", "\x00 nul", "", "a\\\nb",
        "![alt ![inner](x.png)](y.png)", "| ![img](x.png) | *e* |\n|--|--|\n| `c` | **b** |",
    ])
    d = lesson_dir(tmp, "return { id = 'x', version = '1', title = 'T', language = 'en', pages = {'pages/a.md'} }",
                   {"pages/a.md": src})
    png = os.path.join(tmp, "t.png")
    p = run(["--screenshot", png, "--stats", d], tmp)
    check(p.returncode in (0, 1), "crashed: %d %s" % (p.returncode, p.stderr))
    check(picture_stats(png)["colors"] > 10, "blank page")
    replay(tmp, "key End\nkey Tab\nkey Tab\nkey Tab\nkey Tab\nkey Tab\nkey Tab\nkey Tab\nkey Tab\nkey Return\nresize 300 200\nkey End\n", lesson=d, status=None)


@case
def docs_event_example(tmp):
    # The example in docs/headless.md must keep working as written.
    doc = open(os.path.join(HERE, "..", "..", "docs", "headless.md")).read()
    m = re.search(r"This example is run by the test suite.*?```\n(.*?)```", doc, re.S)
    check(m, "example not found in docs/headless.md")
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        replay(tmp, m.group(1))
    finally:
        os.chdir(cwd)
    check(picture_stats(os.path.join(tmp, "larger.png"))["colors"] > 10, "blank screenshot")


@case
def signed_lessons(tmp):
    # Verified for a lesson signed by a trusted key, Unsigned otherwise, and
    # a signed lesson whose content was changed is refused with the reason.
    lesson = os.path.join(tmp, "scripts.lesson")
    run(["pack", packable(tmp), "-o", lesson], tmp, 0)
    p = run(["--screenshot", os.path.join(tmp, "u.png"), "--stats", lesson], tmp, 0)
    check("badge=Unsigned" in p.stdout, p.stdout)
    keys = os.path.join(tmp, "keys")
    run(["keygen", "ROCB", "--out", keys], tmp, 0)
    run(["sign", lesson, "--key", os.path.join(keys, "ROCB.key")], tmp, 0)
    run(["trust", os.path.join(keys, "ROCB.pub")], tmp, 0)
    p = run(["--screenshot", os.path.join(tmp, "v.png"), "--stats", lesson], tmp, 0)
    check("badge=Verified: ROCB" in p.stdout, p.stdout)
    # Change one page inside the signed zip (stored entry rewritten by zipfile).
    import zipfile
    bad = os.path.join(tmp, "tampered.lesson")
    with zipfile.ZipFile(lesson) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "pages/en.md":
                data = data.replace(b"50,000", b"5,000")
            zout.writestr(info, data)
    p = error_case(tmp, bad, "changed")
    check("pages/en.md" in p.stderr, p.stderr)


@case
def typing_in_a_quiz_field(tmp):
    # Arrows, Home, End and Space belong to the text being typed: they must
    # not turn the page or press a button.
    d = lesson_dir(tmp, "return { id = 'x', version = '1', title = 'T', language = 'en', "
                   "pages = {'pages/a.md', {path = 'quizzes/q.lua', id = 'q'}} }",
                   {"pages/a.md": "# A\n\nBefore the quiz.\n",
                    "quizzes/q.lua": "local q = quiz{ title = 'Q' }\n"
                    "q:numeric{ id = 'n', prompt = 'Two plus two?', answer = 4, explain = 'Sums.' }\n"
                    "q:text{ id = 't', prompt = 'Say CTH', answer = {'CTH'}, explain = 'Heading.' }\n"
                    "return q\n"})
    replay(tmp, """
key ctrl+End
expect page 2
focus quiz field 1
text 4
key Left
key Home
key End
key Right
key space
expect page 2
expect question 1
focus quiz check
key Return
expect score 50
""", lesson=d)


@case
def preview_reloads(tmp):
    # An author edits a page, breaks the manifest, fixes it: the preview
    # follows, keeping the page and the scroll position.
    long_page = "# Second page\n\n" + "\n\n".join(["Paragraph %d of a long page about valuation." % i for i in range(60)])
    manifest = "return { id = 'x', version = '1', title = 'T', language = 'en', pages = {'pages/a.md', 'pages/b.md'} }"
    d = lesson_dir(tmp, manifest, {"pages/a.md": "# A\n\nFirst.\n", "pages/b.md": long_page})
    shots = [os.path.join(tmp, n + ".png") for n in ("before", "after", "broken")]
    ev = os.path.join(tmp, "events.txt")
    write(ev, """
key Right
key End
screenshot %s
wait 1500
poll-files
expect page 2
expect bottom
screenshot %s
wait 1500
poll-files
expect screen error
expect error lesson.lua
screenshot %s
wait 1500
poll-files
expect screen lesson
expect page 2
""" % tuple(shots))
    env = dict(os.environ, OUTPOST_DATA=tmp, SDL_VIDEODRIVER="dummy")
    p = subprocess.Popen([OUTPOST, "preview", d, "--events", ev, "--size", SIZE], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for(path):
        for _ in range(600):
            if os.path.exists(path) or p.poll() is not None:
                return
            time.sleep(0.02)
    wait_for(shots[0])
    write(os.path.join(d, "pages", "b.md"), long_page.replace("Second page", "Second page, edited"))
    wait_for(shots[1])
    write(os.path.join(d, "lesson.lua"), "return { id = 'x', ")
    wait_for(shots[2])
    write(os.path.join(d, "lesson.lua"), manifest)
    out, err = p.communicate(timeout=60)
    check(p.returncode == 0, "preview replay failed: " + err)
    same = subprocess.run([IMGCMP, shots[0], shots[1], "0"], capture_output=True, text=True)
    check(same.returncode != 0, "the edited page was not reloaded")
    p = run(["preview", "/no/such/folder"], tmp, 1)
    check("not a lesson folder" in p.stderr, p.stderr)


@case
def disk_full_then_recovers(tmp):
    # The disk fills up while an officer studies: the page says plainly that
    # progress is not being saved, and it is saved once the disk has room.
    banner = os.path.join(tmp, "banner.png")
    replay(tmp, """
expect saving ok
fault disk-full
key Right
expect saving failing
screenshot %s
key Right
fault none
wait 10
expect saving ok
""" % banner)
    import sqlite3
    con = sqlite3.connect(os.path.join(tmp, "outpost.db"))
    seen = {r[0] for r in con.execute("SELECT page_id FROM pages_seen")}
    check({"en", "th", "zh"} <= seen, "pages seen while the disk was full were lost: %s" % seen)
    views = con.execute("SELECT sum(times) FROM pages_seen").fetchone()[0]
    stmts = con.execute("SELECT count(*) FROM outbox WHERE verb = 'experienced'").fetchone()[0]
    check(views == stmts, "%d page views but %d statements" % (views, stmts))
    check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity")
    compare_with_reference(banner, "saving-failed")


@case
def corrupt_database_moved_aside(tmp):
    # A damaged progress file is kept (moved aside), reported, and the player
    # starts with a fresh one.
    write(os.path.join(tmp, "outpost.db"), b"this is not an SQLite database" * 100)
    p = replay(tmp, "expect page 1\nkey Right\nexpect page 2\n")
    moved = [n for n in os.listdir(tmp) if n.startswith("outpost.db.corrupt-")]
    check(moved, "the damaged file was not kept: %s" % os.listdir(tmp))
    check(open(os.path.join(tmp, moved[0]), "rb").read().startswith(b"this is not"), "moved file changed")
    check("outpost.db.corrupt-" in p.stderr, "not reported: " + p.stderr)


@case
def learners_and_resume(tmp):
    # Session 1: a new officer adds herself with a PIN, studies to page 3 of
    # a lesson, and leaves.
    lib = os.path.join(tmp, "lessons")
    os.makedirs(lib)
    shutil.copytree(LESSON, os.path.join(lib, "scripts"))
    first = os.path.join(tmp, "first.png")
    replay(tmp, """
expect screen learners
expect focus name
text Somchai Jaidee
key Tab
expect focus pin
text 4321
screenshot %s
key Return
expect screen library
key Return
expect screen lesson
expect page 1
key Right
key Right
key ctrl+End
key PageDown
expect page 5
expect scrolled yes
quit
""" % first, lesson=lib, learner=None)
    compare_with_reference(first, "learners-new")
    # Session 2: the last learner is preselected; a wrong PIN is refused,
    # the right one opens the library, and Continue reopens page 5 where it was scrolled to.
    replay(tmp, """
expect screen learners
expect focus learner 1
key Return
expect focus pin
text 1111
key Return
expect screen learners
text 4321
key Return
expect screen library
expect focus lesson 1
key shift+Tab
expect focus continue
key Return
expect screen lesson
expect page 5
expect scrolled yes
""", lesson=lib, learner=None)
    # A second officer on the same PC gets her own progress.
    replay(tmp, """
expect screen learners
key Tab
expect focus new-learner
key Return
text Nguyen Thi Lan
key Return
key Return
expect screen library
key Return
expect page 1
""", lesson=lib, learner=None)
    p = run(["progress", "--csv"], tmp, 0)
    rows = [r for r in p.stdout.splitlines() if "outpost.test.scripts" in r]
    check(len(rows) == 2, "expected two learners' progress:\n" + p.stdout)
    check(any(r.startswith("Somchai Jaidee,") for r in rows), p.stdout)
    check(any(r.startswith("Nguyen Thi Lan,") for r in rows), p.stdout)


@case
def progress_not_saved_is_said(tmp):
    # The data folder cannot be used (here: it is a file): the learner is
    # told plainly and can still study.
    bad = os.path.join(tmp, "data-is-a-file")
    write(bad, "x")
    ev = os.path.join(tmp, "events.txt")
    write(ev, "expect screen learners\nkey Return\nexpect screen lesson\nexpect page 1\n")
    env = dict(os.environ, OUTPOST_DATA=bad, SDL_VIDEODRIVER="dummy")
    png = os.path.join(tmp, "nosave.png")
    p = subprocess.run([OUTPOST, "--events", ev, "--size", SIZE, LESSON], capture_output=True, text=True, env=env)
    check(p.returncode == 0, p.stderr)
    check("progress will not be saved" in p.stderr, p.stderr)


def main():
    global UPDATE
    args = sys.argv[1:]
    if args == ["--list"]:
        print("\n".join(CASES))
        return 0
    if args == ["--update"]:
        UPDATE = True
        args = [n for n in CASES]
    failed = 0
    for name in args:
        tmp = tempfile.mkdtemp(prefix="outpost-ui-")
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
