#!/usr/bin/env python3
"""Benchmark of the instructor tools on a big lesson.

usage: tools_bench.py OUTPOST [--pages N] [--mb M]

Generates a lesson of 200 pages with 50 MB of PNG pictures of random noise
(so they do not compress, like photographs), then times `outpost check`,
`outpost pack` and `outpost diff`, and measures the update package for a
change of one page. Targets: check and pack under 2 s each, patch under 10 kB.
Prints the medians of a few runs and exits 1 if a target is missed.
"""
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

WORDS = ("customs value transaction price goods freight insurance buyer seller commission "
         "royalty assist packing invoice related parties method article agreement importer "
         "declaration origin tariff heading consignment proof certificate valuation").split()
RUNS = 3
QUIZZES = 5


def noise_png(path, w, h, rnd):
    """A w x h RGB PNG of random noise (no imaging library needed)."""
    raw = b"".join(b"\0" + rnd.randbytes(w * 3) for _ in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def make_lesson(root, pages, mb):
    rnd = random.Random(1)
    os.makedirs(os.path.join(root, "pages"))
    os.makedirs(os.path.join(root, "images"))
    n_images = 50
    per_image = mb * 1_000_000 // n_images
    side = int((per_image / 3) ** 0.5)
    for i in range(n_images):
        noise_png(os.path.join(root, "images", "photo%02d.png" % i), side, side, rnd)
    names = []
    for i in range(pages):
        name = "pages/%03d.md" % (i + 1)
        names.append(name)
        paras = [" ".join(rnd.choice(WORDS) for _ in range(60)).capitalize() + "." for _ in range(6)]
        body = "# Page %d\n\n%s\n\n- %s\n- %s\n\n> **Note:** %s\n\n" % (
            i + 1, "\n\n".join(paras[:3]), paras[3][:80], paras[4][:80], paras[5])
        if i % 4 == 0:
            body += "![Photo](../images/photo%02d.png)\n\n" % ((i // 4) % n_images)
        if i + 1 < pages:
            body += "Next: [page %d](%03d.md)\n" % (i + 2, i + 2)
        with open(os.path.join(root, name), "w") as f:
            f.write(body)
    # A few quizzes: each is self-tested for 200 learners by check and pack.
    os.makedirs(os.path.join(root, "quizzes"))
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "quiz", "example.lua")
    with open(os.path.join(root, "images", "label.svg"), "w") as f:  # the hotspot quiz's picture
        f.write('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
                '<rect width="400" height="300" fill="#eee"/></svg>\n')
    for i in range(QUIZZES):
        name = "quizzes/q%d.lua" % i
        shutil.copy(example, os.path.join(root, name))
        names.insert((i + 1) * pages // (QUIZZES + 1), name)
    with open(os.path.join(root, "lesson.lua"), "w") as f:
        f.write('return { id = "bench.big", version = "1.0.0", title = "Benchmark lesson",\n'
                '  language = "en", pages = {\n%s\n} }\n' % ",\n".join('  "%s"' % n for n in names))


def timed(cmd, env):
    t = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.monotonic() - t
    if p.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    return dt, p


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outpost = sys.argv[1]
    pages = int(sys.argv[sys.argv.index("--pages") + 1]) if "--pages" in sys.argv else 200
    mb = int(sys.argv[sys.argv.index("--mb") + 1]) if "--mb" in sys.argv else 50
    tmp = tempfile.mkdtemp(prefix="outpost-tools-bench-")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", OUTPOST_DATA=os.path.join(tmp, "data"))
    # A sanitizer build is much slower; its leak checker has nothing to say here.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    try:
        root = os.path.join(tmp, "big")
        make_lesson(root, pages, mb)
        total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)
        print("lesson: %d pages, %.1f MB on disk" % (pages, total / 1e6))
        check_t, pack_t = [], []
        for _ in range(RUNS):
            dt, p = timed([outpost, "check", root], env)
            check_t.append(dt)
        print("check output: " + p.stdout.strip().splitlines()[-2])
        v1 = os.path.join(tmp, "v1.lesson")
        for _ in range(RUNS):
            dt, _ = timed([outpost, "pack", root, "-o", v1], env)
            pack_t.append(dt)
        page = os.path.join(root, "pages", "100.md")
        with open(page, "a") as f:
            f.write("\nOne more sentence about the transaction value.\n")
        v2 = os.path.join(tmp, "v2.lesson")
        timed([outpost, "pack", root, "-o", v2], env)
        patch = os.path.join(tmp, "up.lessonpatch")
        diff_t, _ = timed([outpost, "diff", v1, v2, "-o", patch], env)
        apply_t, _ = timed([outpost, "apply", v1, patch, "-o", os.path.join(tmp, "v2b.lesson")], env)
        patch_size = os.path.getsize(patch)
        same = open(v2, "rb").read() == open(os.path.join(tmp, "v2b.lesson"), "rb").read()
        print("check: %.2f s (median of %d; target < 2 s)" % (median(check_t), RUNS))
        print("pack:  %.2f s (median of %d; target < 2 s)" % (median(pack_t), RUNS))
        print("diff:  %.2f s, apply: %.2f s (rebuilt byte for byte: %s)" % (diff_t, apply_t, "yes" if same else "NO"))
        print("patch for a one-page change: %d bytes (target < 10 kB); lesson: %.1f MB" %
              (patch_size, os.path.getsize(v1) / 1e6))
        ok = median(check_t) < 2 and median(pack_t) < 2 and patch_size < 10_000 and same
        print("targets met" if ok else "TARGETS MISSED")
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
