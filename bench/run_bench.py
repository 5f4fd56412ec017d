#!/usr/bin/env python3
"""Player benchmarks: start-up to the first page's PNG, page turns, peak memory.

usage: run_bench.py OUTPOST FLOOR PAGETURN

Builds a 20-page lesson with pictures in a temporary folder, packs it with
`outpost pack`, then measures, in one run so the numbers compare:
  - start to first page PNG, headless (median of repeated runs), next to the
    same for `floor`, a bare SDL2 + SDL2_ttf program drawing one paragraph;
  - peak resident memory of both;
  - page-turn times (layout + draw) from the `pageturn` program.
"""
import os
import random
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

RUNS = 15
WORDS = ("customs value transaction price goods freight insurance buyer seller commission "
         "royalty assist packing invoice related parties method article agreement importer "
         "declaration origin tariff heading consignment proof certificate valuation").split()


def png(path, w, h, seed):
    """A w x h RGB picture of coloured bands (no imaging library needed)."""
    rnd = random.Random(seed)
    colours = [bytes([rnd.randrange(256) for _ in range(3)]) for _ in range(8)]
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        band = colours[(y * 8) // h]
        for x in range(w):
            raw += band if (x // 16 + y // 16) % 2 else colours[(x * 8) // w]
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b""))


def make_lesson(root, pages=20):
    rnd = random.Random(1)
    os.makedirs(os.path.join(root, "pages"))
    os.makedirs(os.path.join(root, "images"))
    names = []
    for i in range(pages):
        name = "pages/%02d.md" % (i + 1)
        names.append(name)
        png(os.path.join(root, "images", "fig%02d.png" % (i + 1)), 640, 360, i)
        paras = []
        for _ in range(8):
            paras.append(" ".join(rnd.choice(WORDS) for _ in range(75)).capitalize() + ".")
        body = "# Page %d\n\n%s\n\n![Figure %d](../images/fig%02d.png)\n\n%s\n" % (
            i + 1, "\n\n".join(paras[:3]), i + 1, i + 1, "\n\n".join(paras[3:]))
        with open(os.path.join(root, name), "w") as f:
            f.write(body)
    with open(os.path.join(root, "lesson.lua"), "w") as f:
        f.write('return { id = "bench.twenty", version = "1.0.0", title = "Benchmark lesson",\n'
                '  language = "en", pages = { %s } }\n' % ", ".join('"%s"' % n for n in names))


def timed(cmd, env):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = (time.perf_counter() - t0) * 1000
    err = p.stderr.read().decode()
    p.stderr.close()
    if status != 0:
        sys.exit("benchmark command failed: %s\n%s" % (" ".join(cmd), err))
    return elapsed, usage.ru_maxrss / 1024.0


def main():
    outpost, floor, pageturn = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="outpost-bench-")
    try:
        src = os.path.join(tmp, "lesson")
        make_lesson(src)
        lesson = os.path.join(tmp, "bench.lesson")
        subprocess.run([outpost, "pack", src, "-o", lesson], check=True)
        env = dict(os.environ, SDL_VIDEODRIVER="dummy", OUTPOST_DATA=os.path.join(tmp, "data"))
        font = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans"], capture_output=True,
                              text=True).stdout
        out = os.path.join(tmp, "out.png")
        # One untimed run each, so both start with the same warm file cache.
        timed([outpost, "--screenshot", out, lesson], env)
        timed([floor, font, out], env)
        ours, floors, rss_ours, rss_floor = [], [], 0, 0
        for _ in range(RUNS):
            t, m = timed([outpost, "--screenshot", out, lesson], env)
            ours.append(t)
            rss_ours = max(rss_ours, m)
            t, m = timed([floor, font, out], env)
            floors.append(t)
            rss_floor = max(rss_floor, m)
        mo, mf = statistics.median(ours), statistics.median(floors)
        print("lesson: 20 pages, %d kB packed, a 640x360 PNG and ~600 words per page" %
              (os.path.getsize(lesson) // 1024))
        print("start to first page PNG:  outpost %6.1f ms   floor %6.1f ms   ratio %.2f  (median of %d)" %
              (mo, mf, mo / mf, RUNS))
        print("peak RSS:                 outpost %6.1f MB   floor %6.1f MB" % (rss_ours, rss_floor))
        sys.stdout.flush()
        subprocess.run([pageturn, lesson], env=env, check=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
