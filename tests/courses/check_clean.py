#!/usr/bin/env python3
"""`outpost check` passes on a sample course with no errors and no warnings.
usage: check_clean.py OUTPOST COURSE_FOLDER"""
import subprocess
import sys

outpost, course = sys.argv[1:3]
p = subprocess.run([outpost, "check", course], capture_output=True, text=True)
out = p.stdout + p.stderr
problems = [l for l in out.splitlines() if ": error:" in l or ": warning:" in l]
print(out.strip())
if p.returncode != 0 or problems or "No problems found." not in out:
    print("0 passed, 1 failed")
    sys.exit(1)
print("1 passed, 0 failed")
