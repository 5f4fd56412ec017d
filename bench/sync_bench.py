#!/usr/bin/env python3
"""Sync benchmark: usage: sync_bench.py OUTPOST SYNC_GEN [N]

Records N (default 10,000) statements with the store API, starts the local
LRS of tests/sync (Learning Locker's xapi-statements, in memory, 127.0.0.1),
runs `outpost sync` once and measures:
  - statements per second (wall time of the sync),
  - bytes sent per statement (HTTP request headers + bodies),
  - the player's own CPU time (user + system, getrusage of the outpost
    process) as a share of the run's wall time: the target is under 10%,
    i.e. the LRS, not the player, is the bottleneck,
  - bundle bytes per statement of `outpost export` of the same statements
    (target: under 200).
Use a release build for the CPU figure: sanitizers multiply it."""
import os
import resource
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "sync"))
import test_sync  # noqa: E402  (the LRS launcher)


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    outpost, gen = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    if not (shutil.which("node") and os.path.isdir(os.path.join(HERE, "..", "tests", "sync",
                                                                   "node_modules"))):
        print("bench-sync: needs node and `npm ci --prefix tests/sync`")
        return 1
    env = test_sync.Env(outpost, gen)
    try:
        data = env.data("a")
        env.gen_(data, "events", "Bench Learner", str(n))
        made = len(test_sync.outbox(data))
        # The same statements as a bundle, from a copy of the data folder.
        copy = env.data("copy")
        shutil.copytree(data, copy)
        out = os.path.join(env.tmp, "bundle.zip")
        subprocess.run([outpost, "export", "--to", out, "--data", copy], check=True,
                       capture_output=True)
        bundle_bytes = os.path.getsize(out)
        lrs = test_sync.LRS(env)
        # The LRS is a child too, but still running: RUSAGE_CHILDREN only
        # counts children that were waited for, i.e. outpost here.
        cpu0, t0 = cpu_children(), time.time()
        p = subprocess.run([outpost, "sync", "--data", data, "--lrs", lrs.url, "--user", "k",
                            "--password", "s", "--no-pull", "--verbose"],
                           capture_output=True, text=True)
        wall, cpu = time.time() - t0, cpu_children() - cpu0
        if p.returncode != 0:
            print(p.stdout, p.stderr)
            return 1
        m = re.search(r"(\d+) requests \((\d+) retries\), (\d+) bytes sent", p.stderr)
        requests, up = int(m.group(1)), int(m.group(3))
        held = len(lrs.all_statements())
        print("sync: %s" % p.stdout.strip())
        print("statements:            %d (LRS holds %d)" % (made, held))
        print("requests:              %d" % requests)
        print("statements per second: %.0f" % (made / wall))
        print("bytes sent/statement:  %.0f" % (up / made))
        print("player CPU:            %.2f s of %.2f s wall = %.1f%% (target < 10%%)"
              % (cpu, wall, 100 * cpu / wall))
        print("bundle bytes/statement: %.1f (%d bytes, target < 200)"
              % (bundle_bytes / made, bundle_bytes))
        return 0
    finally:
        env.close()


if __name__ == "__main__":
    sys.exit(main())
