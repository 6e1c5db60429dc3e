#!/usr/bin/env python3
"""scripts/bench-alternate.py: whole processes, timed alternately.

Runs each command N times, one after the other, reversing the order every
round so no command always follows the same one; times each process with
`time.perf_counter_ns` around a blocking `subprocess.run` (output to
/dev/null), drops the first 3 rounds as warm-up, and prints each command's
median, p10 and p90 and its ratio to the first command's median. Finer than
scripts/bench.sh, which forks `date` around every run. Standard library
only. Timings vary by machine: nothing here is asserted.

Usage (inside the stack's namespace for PC/SC tools):
  scripts/virtual-reader.sh run python3 scripts/bench-alternate.py 500 \\
      'myna=/path/to/myna pin status' \\
      'text=target/release/jpki-status --no-input --reader "Virtual PCD 00 00"' \\
      'ja=LANG=ja_JP.UTF-8 target/release/jpki-status --no-input --reader "Virtual PCD 00 00"'

Each argument after N is NAME=COMMAND, split like a shell line; leading
VAR=VALUE words set the environment of that command only.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def parse(arg):
    name, line = arg.split("=", 1)
    words = shlex.split(line)
    env = dict(os.environ)
    while words and "=" in words[0] and not words[0].startswith(("/", ".")):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    if not words:
        sys.exit(f"bench-alternate: no command in {arg!r}")
    return name, words, env


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    if rounds < 13:
        sys.exit("bench-alternate: at least 13 rounds (3 are warm-up, 10 for p10/p90)")
    commands = [parse(a) for a in sys.argv[2:]]
    times = {name: [] for name, _, _ in commands}
    failed = {name: 0 for name, _, _ in commands}
    with open(os.devnull, "w") as null:
        for i in range(rounds):
            for name, words, env in commands if i % 2 == 0 else commands[::-1]:
                t0 = time.perf_counter_ns()
                rc = subprocess.run(words, env=env, stdout=null, stderr=null).returncode
                t1 = time.perf_counter_ns()
                if i >= 3:
                    times[name].append((t1 - t0) / 1e6)
                    failed[name] += rc not in (0, 3)
    first = None
    for name, _, _ in commands:
        median = statistics.median(times[name])
        first = first or median
        q = statistics.quantiles(times[name], n=10)
        note = f"  ({failed[name]} runs exited other than 0 or 3)" if failed[name] else ""
        print(f"{name:14s} median {median:.3f} ms  p10 {q[0]:.3f}  p90 {q[-1]:.3f}"
              f"  ratio to the first {median / first:.3f}{note}")


if __name__ == "__main__":
    main()
