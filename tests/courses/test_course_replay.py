#!/usr/bin/env python3
"""The sample courses' quizzes taken end to end through the player's input.

usage: test_course_replay.py COURSE [CASE...]    (meson runs one test per course)
       test_course_replay.py --list              list the cases

For each course (content/COURSE, its last page is the quiz), mkreplay writes
an event file that answers the quiz with keys as a learner would (Tab to a
control, Enter, Space, arrow keys, typed text), and `outpost --events` plays
it (headless). An `expect` that does not hold makes outpost exit 1 with
FILE:LINE: reason, which is printed. Cases:

  right    every question answered correctly, for 3 seeds (one with the top
           bit set: the player masks it): results, score 100, passed
  wrong    every question answered wrongly, tries used up, for 2 seeds: fails
  mixed    right and wrong in turn, one wrong try then right (the retry
           penalty): the score the quiz API computes for the same answers
  resume   half the questions answered, quit, the player started again with
           the same data folder and learner but no --seed: it continues at
           the same question with the same prompt (numbers), and the rest
           answered correctly gives 100%
  resume-mid-question
           the session ends after one wrong try; the next session (given
           another --seed, which must not matter) continues on that question
           with its try used: the correct answer then gets the retry penalty
  prompt-checked
           `expect prompt` fails on a prompt that is not shown (the check
           the resume cases rely on)

Environment (set by tests/courses/meson.build): OUTPOST, MKREPLAY,
OUTPOST_SOURCE_DIR.
"""
import os
import shutil
import subprocess
import sys
import tempfile

OUTPOST = os.environ.get("OUTPOST", "outpost")
MKREPLAY = os.environ.get("MKREPLAY", "mkreplay")
SOURCE = os.environ.get("OUTPOST_SOURCE_DIR",
                        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SIZE = "1024x720"
LEARNER = "Tester"
SEEDS = {  # per course, so the four courses meet different draws
    "valuation": [3, 20240611, (1 << 63) + 12345],
    "rules-of-origin": [5, 777001, (1 << 63) + 99],
    "rules-of-origin-th": [5, 424242, (1 << 63) + 7],
    "ipr": [11, 31337, (1 << 63) + 2024],
}
SCENARIO = 9  # QuizType QUIZ_SCENARIO in player/quiz.h

CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


class Course:
    def __init__(self, name, tmp):
        self.name = name
        self.dir = os.path.join(SOURCE, "content", name)
        self.tmp = tmp
        self.n_files = 0

    def mkreplay(self, seed, plan="r", start=None, stop=None):
        """Writes an event file; returns (path, number of questions, types)."""
        self.n_files += 1
        path = os.path.join(self.tmp, "events-%d.txt" % self.n_files)
        args = [MKREPLAY, "--plan", plan]
        if start is not None:
            args += ["--from", str(start)]
        if stop is not None:
            args += ["--to", str(stop)]
        p = subprocess.run(args + [self.dir, str(seed), path], capture_output=True, text=True)
        check(p.returncode == 0, "mkreplay %s: exit %d\n%s" % (" ".join(args[1:]), p.returncode, p.stderr))
        info = dict(kv.split("=") for kv in p.stdout.split())
        self.tries = [int(t) for t in info["tries"].split(",")]
        return path, int(info["questions"]), [int(t) for t in info["types"].split(",")]

    def play(self, events, data, seed=None, status=0):
        """Runs outpost on the events; returns its stderr."""
        env = dict(os.environ, OUTPOST_DATA=data, SDL_VIDEODRIVER="dummy")
        args = [OUTPOST, "--learner", LEARNER]
        if seed is not None:
            args += ["--seed", str(seed)]
        args += ["--events", events, "--size", SIZE, self.dir]
        p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
            check(marker not in p.stderr, "sanitizer report:\n" + p.stderr)
        if p.returncode != status:
            raise Failure("outpost %s: exit %d, expected %d\n%s%s" %
                          (" ".join(args[1:]), p.returncode, status, p.stderr, context(events, p.stderr)))
        return p.stderr

    def data(self, label):
        d = os.path.join(self.tmp, "data-%s" % label)
        os.makedirs(d, exist_ok=True)
        return d


def context(events, stderr):
    """The event file's lines before the one an expect failed on."""
    marker = events + ":"
    for line in stderr.splitlines():
        at = line.find(marker)
        if at < 0:
            continue
        try:
            n = int(line[at + len(marker):].split(":")[0])
        except ValueError:
            continue
        with open(events) as f:
            lines = f.read().splitlines()
        lo = max(0, n - 12)
        return "event file %s, lines %d..%d:\n%s\n" % (events, lo + 1, n, "\n".join(
            "  %4d  %s" % (i + 1, lines[i]) for i in range(lo, min(n, len(lines)))))
    return ""


def lines_of(path):
    with open(path) as f:
        return f.read().splitlines()


@case
def right(c):
    for seed in SEEDS[c.name]:
        ev, n, _ = c.mkreplay(seed, "r")
        tail = lines_of(ev)[-3:]
        check(tail == ["expect results", "expect score 100", "expect passed yes"], "unexpected ending %s" % tail)
        c.play(ev, c.data("right-%d" % seed), seed)
        print("  seed %d: %d questions answered correctly: 100%%, passed" % (seed, n))


@case
def wrong(c):
    for seed in SEEDS[c.name][:2]:
        ev, n, _ = c.mkreplay(seed, "w")
        tail = lines_of(ev)[-3:]
        check(tail[0] == "expect results" and tail[2] == "expect passed no", "unexpected ending %s" % tail)
        c.play(ev, c.data("wrong-%d" % seed), seed)
        print("  seed %d: %d questions answered wrongly: %s, not passed" % (seed, n, tail[1].split()[-1] + "%"))


@case
def mixed(c):
    seed = SEEDS[c.name][1]
    ev, n, _ = c.mkreplay(seed, "rwt")
    c.play(ev, c.data("mixed"), seed)
    print("  seed %d: right/wrong/retry in turn: %s" % (seed, lines_of(ev)[-2]))


@case
def resume(c):
    for seed in SEEDS[c.name][:2]:
        _, n, _ = c.mkreplay(seed, "r")
        k = n // 2
        data = c.data("resume-%d" % seed)
        first, _, _ = c.mkreplay(seed, "r", stop=k)
        c.play(first, data, seed)
        second, _, _ = c.mkreplay(seed, "r", start=k)
        check(any(l.startswith("expect prompt ") for l in lines_of(second)[:8]), "no prompt check after resuming")
        c.play(second, data)  # no --seed: the stored attempt's
        print("  seed %d: quit after %d of %d questions, resumed at %d with the same prompt: 100%%" %
              (seed, k, n, k + 1))


@case
def resume_mid_question(c):
    seed = SEEDS[c.name][2]
    _, n, types = c.mkreplay(seed, "r")
    # the first question from the middle on that can be retried
    k = next(i for i in list(range(n // 2, n)) + list(range(n // 2)) if types[i] != SCENARIO and c.tries[i] > 1)
    plan = "r" * k + "t" + "r"
    data = c.data("resume-mid")
    first, _, _ = c.mkreplay(seed, plan, stop=k)
    c.play(first, data, seed)
    second, _, _ = c.mkreplay(seed, plan, start=k)
    tail = lines_of(second)[-2:]
    check(tail[0] != "expect score 100", "no retry penalty expected: %s" % tail)
    c.play(second, data, seed + 1)  # another seed must not change the attempt
    print("  seed %d: quit after a wrong try on question %d, resumed on it: %s" % (seed, k + 1, tail[0]))


@case
def prompt_checked(c):
    seed = SEEDS[c.name][0]
    _, n, _ = c.mkreplay(seed, "r")
    data = c.data("prompt")
    first, _, _ = c.mkreplay(seed, "r", stop=1)
    lines = lines_of(first)
    i = next(i for i, l in enumerate(lines) if l.startswith("expect prompt "))
    lines[i] += " (not shown)"
    bad = os.path.join(c.tmp, "bad-prompt.txt")
    with open(bad, "w") as f:
        f.write("\n".join(lines) + "\n")
    err = c.play(bad, data, seed, status=1)
    check("%s:%d: expected a quiz prompt with" % (bad, i + 1) in err, "not the prompt check:\n" + err)
    print("  a prompt that is not shown is reported: " + err.strip().splitlines()[0][:100] + "...")


def main():
    args = sys.argv[1:]
    if args == ["--list"]:
        print("\n".join(CASES))
        return 0
    if not args or args[0] not in SEEDS:
        print(__doc__)
        return 2
    course, names = args[0], args[1:] or list(CASES)
    failed = 0
    for name in names:
        tmp = tempfile.mkdtemp(prefix="outpost-replay-")
        try:
            CASES[name](Course(course, tmp))
            print("ok", course, name)
        except Failure as e:
            print("FAIL %s %s: %s" % (course, name, e))
            failed += 1
        finally:
            if not failed or os.environ.get("KEEP_TMP") is None:
                shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (len(names) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
