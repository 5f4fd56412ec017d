#!/usr/bin/env python3
"""Power-cut test: a learner takes a quiz in the player, by replayed input,
and the player is killed with SIGKILL at random moments. After each kill:
  - every answer the player reported as saved is in the database;
  - PRAGMA integrity_check is ok;
  - the outbox holds exactly one xAPI statement per recorded event;
and, every few trials, the player started again resumes on the quiz page at
the first question not yet answered.

usage: test_kill.py [TRIALS]   (environment as for test_player.py)
"""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPOST = os.environ.get("OUTPOST", "outpost")
LESSON = os.path.join(HERE, "lessons", "quiz")
QUESTIONS = 8


def events():
    lines = ["key ctrl+End"]
    for i in range(QUESTIONS):
        lines += ["focus quiz option 1", "key Return", "focus quiz check", "key Return",
                  "focus quiz %s" % ("next" if i < QUESTIONS - 1 else "results"), "key Return"]
    return "\n".join(lines) + "\n"


def check_database(db, saved):
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        assert ok == "ok", "integrity_check: %s" % ok
        have = set(con.execute("SELECT attempt_id, question_id FROM answers"))
        lost = saved - have
        assert not lost, "answers reported saved but missing: %s" % sorted(lost)
        verbs = dict(con.execute("SELECT verb, count(*) FROM outbox GROUP BY verb"))

        def one(q):
            return con.execute(q).fetchone()[0] or 0
        expect = {
            "answered": one("SELECT count(*) FROM answers"),
            "attempted": one("SELECT count(*) FROM attempts"),
            "launched": one("SELECT sum(launches) FROM learner_lessons"),
            "experienced": one("SELECT sum(times) FROM pages_seen"),
        }
        finished = one("SELECT count(*) FROM attempts WHERE ended_ms IS NOT NULL")
        for verb, n in expect.items():
            assert verbs.get(verb, 0) == n, "%d '%s' statements for %d events" % (verbs.get(verb, 0), verb, n)
        got = verbs.get("passed", 0) + verbs.get("failed", 0)
        assert got == finished, "%d passed/failed statements for %d finished attempts" % (got, finished)
        # The question the player should resume at.
        row = con.execute("SELECT id FROM attempts WHERE ended_ms IS NULL ORDER BY started_ms DESC LIMIT 1").fetchone()
        answered = one("SELECT count(DISTINCT question_id) FROM answers WHERE attempt_id = '%s'" % row[0]) if row else 0
        return row is not None, answered, sum(verbs.values())
    finally:
        con.close()


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rnd = random.Random(int(os.environ.get("KILL_SEED", "20261127")))
    tmp = tempfile.mkdtemp(prefix="outpost-kill-")
    try:
        data = os.path.join(tmp, "data")
        ev = os.path.join(tmp, "answer.txt")
        with open(ev, "w") as f:
            f.write(events())
        env = dict(os.environ, OUTPOST_DATA=data, SDL_VIDEODRIVER="dummy", OUTPOST_ACK_ANSWERS="1")
        cmd = [OUTPOST, "--learner", "Officer", "--events", ev, "--size", "800x600", LESSON]
        # How long one undisturbed run takes, to spread the kills over it.
        t0 = time.monotonic()
        subprocess.run(cmd, env=env, capture_output=True)
        span = max(0.2, (time.monotonic() - t0) * 1.2)
        saved = set()
        kills = resumes = 0
        for trial in range(trials):
            p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            time.sleep(rnd.uniform(0.0, span))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            out, _ = p.communicate()
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[0] == "saved":
                    saved.add((parts[1], parts[2]))
            db = os.path.join(data, "outpost.db")
            if not os.path.exists(db):
                continue
            open_attempt, answered, statements = check_database(db, saved)
            if trial % 10 == 0 and open_attempt:
                # Started again, the player is back on the quiz page, at the
                # first question not yet answered.
                probe = os.path.join(tmp, "probe.txt")
                want = "expect results" if answered >= QUESTIONS else "expect question %d" % (answered + 1)
                with open(probe, "w") as f:
                    f.write("expect page 2\n%s\n" % want)
                r = subprocess.run([OUTPOST, "--learner", "Officer", "--events", probe, "--size", "800x600", LESSON],
                                   env=dict(env, OUTPOST_ACK_ANSWERS=""), capture_output=True, text=True)
                assert r.returncode == 0, "trial %d: did not resume where it was: %s" % (trial, r.stderr)
                resumes += 1
        print("%d trials, %d killed mid-run, %d answers acknowledged and found, %d resume checks, %d statements"
              % (trials, kills, len(saved), resumes, statements))
        print("%d passed, 0 failed" % trials)
        return 0
    except AssertionError as e:
        print("FAIL: %s" % e)
        print("0 passed, 1 failed")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
