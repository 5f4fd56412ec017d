#!/usr/bin/env python3
"""Sync tests: `outpost sync`, `outpost export` and `outpost import` end to end.

usage: test_sync.py GROUP OUTPOST SYNC_GEN
GROUP: bundle | push | faults | kill | validate | pull

The LRS is Learning Locker's statements service (npm xapi-statements, see
lrs.js), started here on 127.0.0.1 on a free port and stopped at the end,
also on failure. Statements are checked with xapi-validation (validate.js).
This script installs nothing: without node or tests/sync/node_modules (made
by `npm ci --prefix tests/sync`) the LRS groups print SKIP and exit 77.
A fault-injecting HTTP proxy (FaultProxy) sits between the player and the
LRS for the faults and kill groups.
"""
import base64
import http.client
import http.server
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
VERBS = {"launched", "experienced", "progressed", "attempted", "answered", "passed",
         "failed", "completed"}
HOME = "https://lrs.test/outpost"
USER, PASSWORD = "outpost-key", "s3cret-Pa55word"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


class Env:
    def __init__(self, outpost, gen):
        self.outpost, self.gen = outpost, gen
        self.tmp = tempfile.mkdtemp(prefix="outpost-sync-")
        self.procs = []

    def data(self, name):
        return os.path.join(self.tmp, name)

    def run(self, *args, check_rc=True, env=None, timeout=120):
        e = dict(os.environ, OUTPOST_SYNC_BACKOFF_MS="20")
        if env:
            e.update(env)
        p = subprocess.run([self.outpost, *args], capture_output=True, text=True, env=e,
                           timeout=timeout)
        if check_rc and p.returncode != 0:
            check(False, "outpost %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def gen_(self, data, *args):
        p = subprocess.run([self.gen, data, *args], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("sync_gen %s: %s" % (" ".join(args), p.stderr))
        return p.stdout.strip()

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def outbox(data, where="1"):
    db = sqlite3.connect(os.path.join(data, "outpost.db"))
    rows = db.execute("SELECT id, verb, statement, delivered_ms, rejected_ms, reject_reason, "
                      "exported_ms FROM outbox WHERE " + where + " ORDER BY seq").fetchall()
    db.close()
    return rows


def summary_line(out):
    m = re.search(r"sent (\d+), already there (\d+), rejected (\d+), left (\d+)", out)
    return tuple(int(x) for x in m.groups()) if m else None


# ---------------------------------------------------------------------------
# The LRS and the proxy

class LRS:
    def __init__(self, env, slow_ms=0):
        node = shutil.which("node") or shutil.which("nodejs")
        e = dict(os.environ)
        if slow_ms:
            e["LRS_SLOW_MS"] = str(slow_ms)
        self.proc = subprocess.Popen([node, os.path.join(HERE, "lrs.js")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
        env.procs.append(self.proc)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the LRS did not start: " + self.proc.stderr.read().decode()[-2000:])
        self.port = json.loads(line)["port"]
        self.url = "http://127.0.0.1:%d/xAPI" % self.port

    def request(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        auth = base64.b64encode(b"test:test").decode()
        h = {"X-Experience-API-Version": "1.0.3", "Authorization": "Basic " + auth}
        if body is not None:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def all_statements(self):
        """Every statement the LRS holds, following `more` links."""
        out = []
        path = "/xAPI/statements?limit=1000"
        while path:
            status, data = self.request("GET", path)
            if status != 200:
                raise RuntimeError("GET %s: %d %s" % (path, status, data[:300]))
            j = json.loads(data)
            out += j["statements"]
            path = j.get("more") or None
        return out


class FaultProxy(http.server.ThreadingHTTPServer):
    """HTTP proxy to the LRS that misbehaves at random: drops the connection
    before or AFTER forwarding (the LRS stored it, the player never hears),
    stalls past the player's timeout, answers 500 or 429."""
    daemon_threads = True

    def __init__(self, upstream_port, rate, seed, delay_ms=(0, 0), stall_s=3.0):
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream = upstream_port
        self.rate, self.delay_ms, self.stall_s = rate, delay_ms, stall_s
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.counts = {}
        self.enabled = True
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/xAPI" % self.server_address[1]

    def pick(self):
        with self.lock:
            r = self.rng.random()
            delay = self.rng.uniform(*self.delay_ms) / 1000.0
            kind = "pass"
            if self.enabled and r < self.rate:
                kind = self.rng.choice(["drop_before", "drop_after", "stall", "500", "429"])
            self.counts[kind] = self.counts.get(kind, 0) + 1
            return kind, delay

    def handle_error(self, request, client_address):
        pass  # a client killed mid-request: expected here

    def stop(self):
        self.shutdown()
        self.server_close()


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        kind, delay = self.server.pick()
        if delay:
            time.sleep(delay)
        if kind == "drop_before":
            return self._drop()
        if kind == "stall":
            time.sleep(self.server.stall_s)
            return self._drop()
        if kind == "500":
            return self._reply(500, b'{"message":"injected failure"}')
        if kind == "429":
            return self._reply(429, b'{"message":"slow down"}', [("Retry-After", "0")])
        c = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=60)
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in ("host", "connection", "content-length", "accept-encoding")}
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        c.close()
        if kind == "drop_after":
            return self._drop()
        self._reply(r.status, data, [(k, v) for k, v in r.getheaders()
                                     if k.lower() not in ("content-length", "connection",
                                                          "transfer-encoding", "keep-alive")])

    do_GET = do_POST = do_PUT = _handle


def exactly_once(lrs, datas, what):
    """The LRS holds each local statement exactly once, and nothing else."""
    held = [s["id"] for s in lrs.all_statements()]
    local = set()
    for d in datas:
        local |= {r[0] for r in outbox(d)}
    check(len(held) == len(set(held)), "%s: the LRS holds duplicates (%d ids, %d distinct)"
          % (what, len(held), len(set(held))))
    check(set(held) == local, "%s: LRS and outbox differ: %d missing, %d extra"
          % (what, len(local - set(held)), len(set(held) - local)))
    return len(held)


# ---------------------------------------------------------------------------
# Groups

def group_bundle(env):
    a, b = env.data("a"), env.data("b")
    env.gen_(a, "all", "Somchai Jaidee")
    env.gen_(a, "events", "Anna Lee", "400")
    n_a = len(outbox(a))
    sticks = env.data("stick")
    os.makedirs(sticks)
    p = env.run("export", "--to", sticks, "--data", a)
    files = os.listdir(sticks)
    check(len(files) == 1 and files[0].endswith(".zip"), "export made one .zip: %s" % files)
    bundle1 = os.path.join(sticks, files[0])
    check("exported %d statements of 2 learners" % n_a in p.stdout, "export summary: " + p.stdout)
    check(stat.S_IMODE(os.stat(bundle1).st_mode) == 0o600, "bundle is private (0600)")
    with zipfile.ZipFile(bundle1) as z:
        names = sorted(z.namelist())
        check(names == ["manifest.json", "statements.jsonl"], "bundle members: %s" % names)
        info = z.getinfo("statements.jsonl")
        check(info.compress_type == zipfile.ZIP_DEFLATED, "payload is deflated")
        man = json.loads(z.read("manifest.json"))
        payload = z.read("statements.jsonl")
    import hashlib
    check(man["format_version"] == 1 and man["statements"] == n_a, "manifest counts: %s" % man)
    check(man["sha256"] == hashlib.sha256(payload).hexdigest(), "manifest sha256")
    check(len(man["learners"]) == 2 and man["device_id"], "manifest learners/device")
    per = os.path.getsize(bundle1) / n_a
    print("bundle: %d statements, %d bytes, %.1f bytes/statement" % (n_a, os.path.getsize(bundle1), per))
    check(per < 200, "bundle under 200 bytes per statement (%.1f)" % per)
    check(all(r[6] for r in outbox(a)), "exported statements are marked exported")

    p = env.run("export", "--to", os.path.join(sticks, "again.zip"), "--data", a)
    check("nothing to export" in p.stdout and not os.path.exists(os.path.join(sticks, "again.zip")),
          "second export has nothing to do: " + p.stdout)

    # Import on the instructor's PC, twice.
    p = env.run("import", bundle1, "--data", b)
    check("%d new, 0 already here" % n_a in p.stdout, "first import: " + p.stdout)
    rows_b = outbox(b)
    check(len(rows_b) == n_a and all(r[3] is None for r in rows_b), "imported as waiting to be sent")
    p = env.run("import", bundle1, "--data", b)
    check("0 new, %d already here" % n_a in p.stdout, "second import changes nothing: " + p.stdout)
    check(len(outbox(b)) == n_a, "no duplicates after a double import")
    with sqlite3.connect(os.path.join(a, "outpost.db")) as db:
        a_ids = [r[0] for r in db.execute("SELECT id FROM outbox ORDER BY id")]
    b_ids = sorted(r[0] for r in outbox(b))
    check(a_ids == b_ids, "the same statement ids on both PCs")
    # Statements round-trip byte for byte.
    check({r[0]: r[2] for r in outbox(a)} == {r[0]: r[2] for r in outbox(b)}, "statement texts equal")

    # Overlapping bundles: --again repeats the old ones plus the new.
    env.gen_(a, "events", "Anna Lee", "30")
    n_new = len(outbox(a)) - n_a
    p = env.run("export", "--to", bundle1, "--data", a, check_rc=False)
    check(p.returncode == 1 and "already exists" in p.stderr, "an existing file is never overwritten")
    bundle2 = os.path.join(sticks, "overlap.zip")
    p = env.run("export", "--to", bundle2, "--again", "--data", a)
    p = env.run("import", bundle2, "--data", b)
    check("%d new, %d already here" % (n_new, n_a) in p.stdout, "overlapping import: " + p.stdout)

    # Damaged bundles are refused as a whole.
    before = len(outbox(b))
    raw = open(bundle2, "rb").read()
    env.gen_(a, "events", "Anna Lee", "10")
    bundle3 = os.path.join(sticks, "fresh.zip")
    env.run("export", "--to", bundle3, "--data", a)
    raw3 = open(bundle3, "rb").read()
    cases = {}
    flipped = bytearray(raw3)
    flipped[len(flipped) // 3] ^= 0x40
    cases["flipped"] = bytes(flipped)
    cases["truncated"] = raw3[: len(raw3) * 2 // 3]
    cases["empty"] = b""
    # A well-formed zip whose payload was edited without updating the manifest.
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw3)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "statements.jsonl":
                data = data.replace(b'"success":true', b'"success":false', 1) \
                    if b'"success":true' in data else data.replace(b"Anna", b"Anne", 1)
            zout.writestr(name, data)
    cases["edited"] = buf.getvalue()
    for name, data in cases.items():
        path = os.path.join(sticks, "bad-%s.zip" % name)
        open(path, "wb").write(data)
        p = env.run("import", path, "--data", b, check_rc=False)
        check(p.returncode == 1 and "the bundle is damaged" in p.stderr
              and "nothing was imported" in p.stderr, "%s bundle refused: %s" % (name, p.stderr))
        check(len(outbox(b)) == before, "%s bundle imported nothing" % name)
    p = env.run("import", os.path.join(sticks, "bad-edited.zip"), "--data", b, check_rc=False)
    check("checksum mismatch" in p.stderr, "edited payload: checksum mismatch: " + p.stderr)
    # The undamaged copy still imports.
    p = env.run("import", bundle3, "--data", b)
    check(" new, 0 already here" in p.stdout, "the good bundle imports: " + p.stdout)

    # A bundle from a newer Outpost.
    newer = os.path.join(sticks, "newer.zip")
    with zipfile.ZipFile(bundle3) as zin, zipfile.ZipFile(newer, "w", zipfile.ZIP_DEFLATED) as zout:
        m = json.loads(zin.read("manifest.json"))
        m["format_version"] = 2
        zout.writestr("manifest.json", json.dumps(m))
        zout.writestr("statements.jsonl", zin.read("statements.jsonl"))
    p = env.run("import", newer, "--data", b, check_rc=False)
    check(p.returncode == 1 and "newer version of Outpost" in p.stderr
          and "nothing was imported" in p.stderr, "newer bundle refused: " + p.stderr)
    # Something that is not a bundle at all.
    notb = os.path.join(sticks, "photo.zip")
    with zipfile.ZipFile(notb, "w") as z:
        z.writestr("photo.jpg", b"\xff\xd8")
    p = env.run("import", notb, "--data", b, check_rc=False)
    check(p.returncode == 1 and "not an Outpost statements bundle" in p.stderr, "not a bundle: " + p.stderr)

    # Progress of learners known on the importing PC is merged too: import A's
    # bundle into a PC where nobody is known changes no progress, only the outbox.
    p = env.run("progress", "--data", b)
    check("No progress" in p.stdout, "import alone does not invent learners: " + p.stdout)


def need_node():
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        print("SKIP: node is not installed (apt-get install nodejs npm)")
        sys.exit(SKIP)
    if not os.path.isdir(os.path.join(HERE, "node_modules", "xapi-statements")):
        print("SKIP: tests/sync/node_modules is missing; run: npm ci --prefix tests/sync")
        sys.exit(SKIP)


def group_push(env):
    lrs = LRS(env)
    a = env.data("a")
    env.gen_(a, "all", "Somchai Jaidee")
    env.gen_(a, "events", "Anna Lee", "450")
    n = len(outbox(a))
    # Save the settings: a private file, never echoed.
    p = env.run("sync", "--data", a, "--lrs", lrs.url, "--user", USER, "--password", PASSWORD,
                "--save", "--no-pull", "--batch", "100", "--verbose")
    conf = os.path.join(a, "lrs.conf")
    check(stat.S_IMODE(os.stat(conf).st_mode) == 0o600, "lrs.conf is 0600")
    check(PASSWORD not in p.stdout + p.stderr, "the password is never printed")
    check(summary_line(p.stdout) == (n, 0, 0, 0), "first sync summary: " + p.stdout)
    posts = p.stderr.count("POST ")
    check(posts == (n + 99) // 100, "batches of 100: %d POSTs for %d" % (posts, n))
    exactly_once(lrs, [a], "push")
    # Nothing left: a second sync sends nothing.
    p = env.run("sync", "--data", a, "--no-pull")
    check(summary_line(p.stdout) == (0, 0, 0, 0), "second sync: " + p.stdout)
    st = env.run("sync", "--status", "--data", a)
    check(PASSWORD not in st.stdout and "user and password" in st.stdout, "status hides the password")
    check("%d delivered, 0 waiting" % n in st.stdout, "status counts: " + st.stdout)

    # A statement the LRS refuses (400) is set aside with its reason; the
    # others in its batch still go.
    env.gen_(a, "events", "Anna Lee", "40")
    db = sqlite3.connect(os.path.join(a, "outpost.db"))
    bad_id, text = db.execute("SELECT id, statement FROM outbox WHERE delivered_ms IS NULL "
                              "ORDER BY seq LIMIT 1 OFFSET 7").fetchone()
    j = json.loads(text)
    j["verb"]["id"] = "not an IRI"
    db.execute("UPDATE outbox SET statement=? WHERE id=?", (json.dumps(j), bad_id))
    # And one the LRS already holds with other content (409: already there).
    dup_id, text = db.execute("SELECT id, statement FROM outbox WHERE delivered_ms IS NOT NULL "
                              "ORDER BY seq LIMIT 1").fetchone()
    j = json.loads(text)
    j["timestamp"] = "2020-01-01T00:00:00.000Z"
    db.execute("UPDATE outbox SET statement=?, delivered_ms=NULL WHERE id=?", (json.dumps(j), dup_id))
    db.commit()
    db.close()
    waiting = len(outbox(a, "delivered_ms IS NULL"))
    p = env.run("sync", "--data", a, "--no-pull", check_rc=False)
    check(summary_line(p.stdout) == (waiting - 2, 1, 1, 0), "sync with a bad statement: " + p.stdout)
    check("refused 1 statement" in p.stderr, "the refusal is reported: " + p.stderr)
    rej = outbox(a, "rejected_ms IS NOT NULL")
    check(len(rej) == 1 and rej[0][0] == bad_id and "verb" in (rej[0][5] or ""),
          "rejected with the LRS's reason: %s" % (rej[0][5] if rej else None))
    st = env.run("sync", "--status", "--data", a)
    check(bad_id in st.stdout and "1 rejected" in st.stdout, "status lists the rejected one: " + st.stdout)
    p = env.run("sync", "--data", a, "--no-pull")
    check(summary_line(p.stdout) == (0, 0, 0, 0), "a rejected statement is not sent again: " + p.stdout)

    # Bearer token, and credentials from the environment.
    b = env.data("b")
    env.gen_(b, "all", "Token User")
    p = env.run("sync", "--data", b, "--lrs", lrs.url, "--token", "tok-123", "--no-pull")
    check(summary_line(p.stdout) == (10, 0, 0, 0), "bearer token sync: " + p.stdout)
    # Wrong address: a clear message, nothing marked.
    c = env.data("c")
    env.gen_(c, "all", "Wrong Address")
    p = env.run("sync", "--data", c, "--lrs", lrs.url.replace("/xAPI", "/nope"), "--user", USER,
                "--password", PASSWORD, "--no-pull", check_rc=False)
    check(p.returncode == 1 and "address looks wrong" in p.stderr and PASSWORD not in p.stderr,
          "404 explained: " + p.stderr)
    check(len(outbox(c, "delivered_ms IS NULL")) == 10, "nothing marked after a 404")
    # Nobody listening: retries, then gives up and says so.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()
    p = env.run("sync", "--data", c, "--lrs", "http://127.0.0.1:%d/xAPI" % dead, "--no-pull",
                "--tries", "3", check_rc=False)
    check(p.returncode == 1 and "gave up after 3 tries" in p.stderr, "gives up: " + p.stderr)
    check(summary_line(p.stdout) == (0, 0, 0, 10), "nothing lost when offline: " + p.stdout)


def group_faults(env):
    lrs = LRS(env)
    proxy = FaultProxy(lrs.port, rate=0.4, seed=int(os.environ.get("OUTPOST_SYNC_SEED", "7")),
                       stall_s=2.5)
    try:
        a = env.data("a")
        env.gen_(a, "all", "Somchai Jaidee")
        env.gen_(a, "events", "Anna Lee", "700")
        runs = 0
        left = None
        while runs < 12 and left != 0:
            runs += 1
            p = env.run("sync", "--data", a, "--lrs", proxy.url, "--user", USER, "--password",
                        PASSWORD, "--batch", "25", "--tries", "6", "--timeout", "2", "--no-pull",
                        check_rc=False)
            s = summary_line(p.stdout)
            check(s is not None, "summary printed even on failure: " + p.stdout + p.stderr)
            check(PASSWORD not in p.stdout + p.stderr, "password hidden under faults")
            left = s[3] if s else None
            print("run %d: %s %s" % (runs, p.stdout.strip(), p.stderr.strip()[:200]))
        check(left == 0, "everything delivered after recovery (left %s)" % left)
        print("proxy faults:", proxy.counts)
        for kind in ("drop_before", "drop_after", "stall", "500", "429"):
            check(proxy.counts.get(kind, 0) > 0, "fault %s was exercised" % kind)
        exactly_once(lrs, [a], "faults")
        # A pull through the faulty proxy still completes and adds nothing.
        p = env.run("sync", "--data", a, "--lrs", proxy.url, "--tries", "20", "--timeout", "3",
                    "--pull", "--learner", "Anna Lee", check_rc=False)
        check(p.returncode == 0 and " 0 new" in p.stdout, "pull through faults: " + p.stdout + p.stderr)
    finally:
        proxy.stop()


def group_kill(env):
    lrs = LRS(env)
    # Slow answers and lost replies widen the moments a kill can hit.
    proxy = FaultProxy(lrs.port, rate=0.15, seed=11, delay_ms=(20, 120), stall_s=1.5)
    rng = random.Random(int(os.environ.get("OUTPOST_SYNC_SEED", "3")))
    trials = int(os.environ.get("OUTPOST_SYNC_KILLS", "20"))
    a = env.data("a")
    try:
        env.gen_(a, "all", "Somchai Jaidee")
        env.gen_(a, "events", "Anna Lee", "1500")
        killed = 0
        for t in range(trials):
            e = dict(os.environ, OUTPOST_SYNC_BACKOFF_MS="20")
            p = subprocess.Popen([env.outpost, "sync", "--data", a, "--lrs", proxy.url, "--user",
                                  USER, "--password", PASSWORD, "--batch", "25", "--timeout", "2",
                                  "--no-pull"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
            time.sleep(rng.uniform(0.02, 0.9))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
            p.communicate()
            # More events between syncs, as on a real PC.
            if t % 5 == 4:
                env.gen_(a, "events", "Somchai Jaidee", "20")
        sent_before = len(outbox(a, "delivered_ms IS NOT NULL"))
        print("killed %d of %d runs; %d of %d statements marked delivered before the last sync"
              % (killed, trials, sent_before, len(outbox(a))))
        check(sent_before > 0, "the killed runs got some statements through")
        check(killed >= trials // 2, "most runs were killed mid-sync (%d)" % killed)
        proxy.enabled = False
        p = env.run("sync", "--data", a, "--lrs", lrs.url, "--user", USER, "--password", PASSWORD,
                    "--no-pull")
        check(summary_line(p.stdout) is not None and summary_line(p.stdout)[3] == 0,
              "final sync leaves nothing: " + p.stdout)
        db = sqlite3.connect(os.path.join(a, "outpost.db"))
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "database intact")
        db.close()
        n = exactly_once(lrs, [a], "kill")
        print("LRS holds %d statements, each once" % n)
    finally:
        proxy.stop()


def validate(lines, what):
    node = shutil.which("node") or shutil.which("nodejs")
    p = subprocess.run([node, os.path.join(HERE, "validate.js")], input="\n".join(lines) + "\n",
                       capture_output=True, text=True)
    print(what + ":", p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr)
    check(p.returncode == 0 and "problems 0" in p.stdout, "%s: xapi-validation: %s %s"
          % (what, p.stdout[-3000:], p.stderr[-500:]))


def group_validate(env):
    a = env.data("a")
    env.gen_(a, "all", "Somchai Jaidee")
    env.gen_(a, "all", "ณัฐพล ใจดี")  # a Thai name in the actor
    rows = outbox(a)
    check({r[1] for r in rows} == VERBS, "every kind of statement made: %s" % sorted({r[1] for r in rows}))
    validate([r[2] for r in rows], "outbox statements")
    lrs = LRS(env)
    p = env.run("sync", "--data", a, "--lrs", lrs.url, "--user", USER, "--password", PASSWORD)
    check(summary_line(p.stdout) == (len(rows), 0, 0, 0), "all accepted by the LRS: " + p.stdout)
    held = lrs.all_statements()
    check({s["verb"]["id"].rsplit("/", 1)[1] for s in held} == VERBS, "the LRS holds every verb")
    validate([json.dumps(s) for s in held], "statements as stored by the LRS")


def group_pull(env):
    lrs = LRS(env)
    a, b = env.data("a"), env.data("b")
    for d in (a, b):
        env.gen_(d, "home-page", HOME)
    env.gen_(a, "all", "Anna Lee")
    env.gen_(a, "events", "Anna Lee", "1200")  # more than one page of 500
    anna = env.gen_(a, "id", "Anna Lee")
    creds = ["--lrs", lrs.url, "--user", USER, "--password", PASSWORD]
    p = env.run("sync", "--data", a, *creds)
    n_a = len(outbox(a))
    check(summary_line(p.stdout) == (n_a, 0, 0, 0), "A sends: " + p.stdout)
    # B has never seen Anna: pulling her id brings her and her progress.
    p = env.run("sync", "--data", b, *creds, "--pull", "--learner", "Anna Lee", check_rc=False)
    check(p.returncode == 2 and "learner_id" in p.stderr, "unknown name explained: " + p.stderr)
    p = env.run("sync", "--data", b, *creds, "--pull", "--learner", anna, "--verbose")
    check("%d new" % n_a in p.stdout and "learner added" in p.stdout, "B pulls A's: " + p.stdout)
    check(p.stderr.count("GET ") >= 3, "followed `more` links (%d GETs)" % p.stderr.count("GET "))
    sa, sb = env.gen_(a, "summary", anna), env.gen_(b, "summary", anna)
    print("A:", sa)
    print("B:", sb)
    check(sa == sb, "B shows A's progress")
    check(len(outbox(b, "delivered_ms IS NULL")) == 0, "pulled statements are not sent back")
    prog = env.run("progress", "--data", b, "--csv").stdout
    check("Anna Lee" in prog and anna in prog, "B lists Anna: " + prog)
    p = env.run("sync", "--data", b, *creds, "--pull", "--learner", anna)
    check(" 0 new" in p.stdout, "pulling again adds nothing: " + p.stdout)

    # Anna goes on on B (a later position), then A syncs: A resumes where B was.
    time.sleep(0.05)
    env.gen_(b, "events", "Anna Lee", "9")
    p = env.run("sync", "--data", b, *creds)
    p = env.run("sync", "--data", a, *creds)
    check("pulled Anna Lee:" in p.stdout and " 0 new" not in p.stdout, "A pulls B's: " + p.stdout)
    sa, sb = env.gen_(a, "summary", anna), env.gen_(b, "summary", anna)
    print("A:", sa)
    print("B:", sb)
    check(sa == sb, "both PCs agree after syncing both ways")
    exactly_once(lrs, [a, b], "pull")


def group_ui(env):
    """The library's "Send progress now" button, with the saved settings."""
    lrs = LRS(env)
    a = env.data("a")
    env.gen_(a, "all", "Somchai Jaidee")
    n = len(outbox(a))
    conf = os.path.join(a, "lrs.conf")
    with open(os.open(conf, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write("url=%s\nuser=%s\npassword=%s\n" % (lrs.url, USER, PASSWORD))
    lessons = os.path.join(HERE, "..", "ui", "lessons")
    ev = os.path.join(env.tmp, "events.txt")
    shot = os.path.join(env.tmp, "library-sync.png")
    with open(ev, "w") as f:
        f.write("expect screen library\nfocus sync\nkey Return\nwait-sync\n"
                "expect synced sent\nexpect waiting 0\nscreenshot %s\n" % shot)
    e = dict(os.environ, SDL_VIDEODRIVER="dummy", OUTPOST_DATA=a)
    p = subprocess.run([env.outpost, "--learner", "Somchai Jaidee", "--events", ev, "--size", "900x640", lessons],
                       capture_output=True, text=True, env=e, timeout=300)
    check(p.returncode == 0, "send from the library: " + p.stderr)
    check(PASSWORD not in p.stdout + p.stderr, "the password is never shown")
    exactly_once(lrs, [a], "send from the library")
    check(len(lrs.all_statements()) >= n, "every statement sent")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    group, outpost, gen = sys.argv[1:]
    groups = {"bundle": group_bundle, "push": group_push, "faults": group_faults,
              "kill": group_kill, "validate": group_validate, "pull": group_pull,
              "ui": group_ui}
    if group != "bundle":
        need_node()
    env = Env(os.path.abspath(outpost), os.path.abspath(gen))
    t0 = time.time()
    try:
        groups[group](env)
    except Exception as e:  # the LRS or a helper failed: report, then clean up
        import traceback
        traceback.print_exc()
        check(False, "%s: %s" % (type(e).__name__, e))
    finally:
        env.close()
    print("%s: %d failure(s) in %.1f s" % (group, len(failures), time.time() - t0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
