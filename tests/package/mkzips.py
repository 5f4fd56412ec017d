#!/usr/bin/env python3
"""Writes the .lesson files the package tests open, good and bad, into OUTDIR.

usage: mkzips.py FIXTURE_DIR OUTDIR

Packages that open and load are named good*.lesson; every other one must be
refused by the player (tests/ui relies on that), so damaged data is always
in the page the lesson shows, pages/a.md.

Most bad packages are written byte by byte (raw_zip) rather than with the
zipfile module, because the point is to produce what a careful zip tool
never would: names that climb out of the folder, sizes that lie, CRCs that
do not match."""
import os
import struct
import sys
import zipfile
import zlib

MANIFEST = (b'return { id = "t.zip", version = "1", title = "T", language = "en",\n'
            b'  pages = { "pages/a.md" } }\n')
PAGE = b"# A\n\nHello.\n"
FLAG_UTF8 = 0x800
DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01


def deflate_raw(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def entry(name, data=b"", method=8, **kw):
    e = {"name": name if isinstance(name, bytes) else name.encode(), "data": data, "method": method}
    e.update(kw)
    return e


def raw_zip(entries):
    """Each entry: name (bytes), data, method (0 stored, 8 deflate) and, to
    lie, comp (the compressed bytes), size (declared uncompressed size), crc,
    attr (external attributes), flags."""
    out, cd = bytearray(), bytearray()
    for e in entries:
        name, data, method = e["name"], e["data"], e["method"]
        comp = e.get("comp", data if method == 0 else deflate_raw(data))
        crc = e.get("crc", zlib.crc32(data) & 0xFFFFFFFF)
        size = e.get("size", len(data))
        flags = e.get("flags", 0)
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, DOS_DATE,
                           crc, len(comp), size, len(name), 0) + name + comp
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, flags, method, 0,
                          DOS_DATE, crc, len(comp), size, len(name), 0, 0, 0, 0,
                          e.get("attr", 0o100644 << 16), offset) + name
    n = len(entries)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), len(out), 0)
    return bytes(out + cd + eocd)


def base(*extra, page=None):
    """A valid minimal lesson plus extra entries; page replaces the entry for
    pages/a.md (to damage it)."""
    return raw_zip([entry("lesson.lua", MANIFEST), page or entry("pages/a.md", PAGE)] + list(extra))


def good_zip(fixture, path):
    """The fixture folder zipped by another tool (Python's zipfile), with
    directory entries, as a publisher's own tooling might write it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for root, dirs, files in os.walk(fixture):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            rel = os.path.relpath(root, fixture)
            if rel != ".":
                z.writestr(rel + "/", b"")
            for f in sorted(files):
                if not f.startswith("."):
                    z.write(os.path.join(root, f), os.path.normpath(os.path.join(rel, f)))


def main():
    fixture, out = sys.argv[1], sys.argv[2]
    # Accept the fixtures folder itself as well as its good/ lesson.
    if not os.path.exists(os.path.join(fixture, "lesson.lua")):
        fixture = os.path.join(fixture, "good")
    os.makedirs(out, exist_ok=True)

    def put(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    good_zip(fixture, os.path.join(out, "good.lesson"))
    with open(os.path.join(out, "good.lesson"), "rb") as f:
        good = f.read()

    put("good-minimal.lesson", base())
    put("notzip.lesson", b"This is not a zip archive, only some text.\n" * 20)
    put("empty.lesson", b"")
    put("truncated.lesson", good[: len(good) // 2])
    put("nolesson.lesson", raw_zip([entry("pages/a.md", PAGE)]))
    put("nested.lesson", raw_zip([entry("valuation/lesson.lua", MANIFEST), entry("valuation/pages/a.md", PAGE)]))
    put("missingpage.lesson", raw_zip([entry("lesson.lua", MANIFEST)]))

    # Zip-slip and other unsafe names.
    put("name-dotdot.lesson", base(entry("../evil", b"x")))
    put("name-deep-dotdot.lesson", base(entry("pages/../../evil", b"x")))
    put("name-abs.lesson", base(entry("/abs", b"x")))
    put("name-backslash.lesson", base(entry("a\\b", b"x")))
    put("name-drive.lesson", base(entry("C:x", b"x")))
    put("name-control.lesson", base(entry("a\x01b", b"x")))
    put("name-dot.lesson", base(entry("./a", b"x")))
    put("name-empty-part.lesson", base(entry("a//b", b"x")))
    put("name-dir-dotdot.lesson", base(entry("../dir/", b"")))
    put("name-bad-utf8.lesson", base(entry(b"caf\xc3.md", b"x", flags=FLAG_UTF8)))
    put("name-nul.lesson", base(entry(b"b.md\x00/../../x", b"x")))
    put("duplicate.lesson", base(entry("pages/a.md", b"again")))
    put("symlink.lesson", base(entry("link", b"/etc/passwd", method=0, attr=(0o120777 << 16))))
    # Listed in reverse so the reader has to sort them.
    put("good-many.lesson", base(*[entry("f/%05d" % i, b"", method=0) for i in reversed(range(19998))]))
    put("toomany.lesson", base(*[entry("f/%05d" % i, b"", method=0) for i in range(19999)]))

    # Damaged data.
    put("crc.lesson", base(page=entry("pages/a.md", PAGE, method=0, crc=0x12345678)))
    put("badcomp.lesson", base(page=entry("pages/a.md", PAGE, comp=b"\xff\xff\xff\xff garbage")))
    # The header says 10 bytes, the stream inflates to 1000.
    put("liar.lesson", base(page=entry("pages/a.md", b"y" * 1000, size=10)))
    # A zip bomb: the headers (local and central) claim 100 bytes, the deflate
    # stream inflates to 64 MiB + 1.
    put("bomb.lesson", base(page=entry("pages/a.md", b"\0" * ((64 << 20) + 1), size=100, crc=0)))
    # An honest header over the limit is refused when the package is opened.
    put("bigheader.lesson", base(page=entry("pages/a.md", b"z", size=(64 << 20) + 1)))


if __name__ == "__main__":
    main()
