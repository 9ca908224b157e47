#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Instruction-count gate: the core operations must not get slower.

Runs perf-ops under `valgrind --tool=callgrind --collect-atstart=no`, reads
one dump per run (label "<row>|<ops>"), and takes per row
(count(2N) - count(N)) / N instructions per operation. Fails when a row is
above its bound in bounds.txt (bound = baseline + 15 %) or has no bound.

bounds.txt holds a `config:` line (the build options the bounds were
measured with) and lines `row<TAB>bound<TAB>baseline`. A build with other
options, or not optimized, or sanitized, or with -Dtrack, or without
valgrind, skips (exit 77): its counts mean something else.

--update (or GOMEM_PERF_UPDATE=1 in the environment) measures and rewrites
bounds.txt instead of checking; scripts/update-perf-bounds.sh does that.
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
MARGIN = 0.15
TRIGGER = "desc: Trigger: Client Request: "


def read_bounds(path):
    config, bounds = None, {}
    if not os.path.exists(path):
        return config, bounds
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if line.startswith("config:"):
                config = line[len("config:"):].strip()
                continue
            fields = line.split("\t")
            bounds[fields[0]] = int(fields[1])
    return config, bounds


def write_bounds(path, config, measured):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Instruction-count bounds for the perf suite (test/perf/perf.py).\n"
                "# row<TAB>bound<TAB>baseline: instructions per operation measured\n"
                "# with callgrind; bound = baseline + %d %%. Regenerate with\n"
                "# scripts/update-perf-bounds.sh BUILD_DIR and say why in the commit.\n"
                % round(MARGIN * 100))
        f.write("config: %s\n" % config)
        for name, per_op in measured.items():
            f.write("%s\t%d\t%.1f\n" % (name, math.ceil(per_op * (1 + MARGIN)), per_op))


def read_dump(path):
    label = total = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(TRIGGER):
                label = line[len(TRIGGER):].strip()
            elif line.startswith("totals: "):
                total = int(line.split()[1])
    return label, total


def measure(valgrind, exe, iters):
    """Instructions per op of every row, in the order perf-ops runs them."""
    with tempfile.TemporaryDirectory(prefix="gomem-perf-") as tmp:
        out = os.path.join(tmp, "cg.out")
        cmd = [valgrind, "--tool=callgrind", "--collect-atstart=no",
               "--callgrind-out-file=" + out, exe, str(iters)]
        # meson test sets MALLOC_PERTURB_, which makes glibc fill every block
        # it hands out or takes back: not what users run, so not counted.
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_PERTURB_"}
        run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, check=False, env=env)
        if run.returncode != 0:
            sys.stdout.write(run.stdout)
            raise SystemExit("perf: %s failed (exit %d)" % (" ".join(cmd), run.returncode))
        counts, k = {}, 1
        while os.path.exists("%s.%d" % (out, k)):
            label, total = read_dump("%s.%d" % (out, k))
            counts[label] = total
            k += 1
    measured = {}
    for label, total in counts.items():
        name, ops = label.rsplit("|", 1)
        if int(ops) == iters:
            measured[name] = (counts["%s|%d" % (name, 2 * iters)] - total) / iters
    return measured


def print_table(measured, bounds, update):
    width = max(len(n) for n in list(measured) + list(bounds) + ["row"])
    print("%-*s %12s %10s  %s" % (width, "row", "instr/op", "bound", "status"))
    failed = []
    for name, per_op in measured.items():
        bound = bounds.get(name)
        if update:
            status = "new bound"
        elif bound is None:
            status = "FAIL: no bound (run scripts/update-perf-bounds.sh)"
        elif per_op > bound:
            status = "FAIL: %+.1f %% over the bound" % ((per_op / bound - 1) * 100)
        elif per_op * (1 + MARGIN) < bound * 0.8:
            status = "ok (over 20 % under the baseline: re-baseline?)"
        else:
            status = "ok"
        if status.startswith("FAIL"):
            failed.append(name)
        shown = "-" if bound is None else str(bound)
        print("%-*s %12.1f %10s  %s" % (width, name, per_op, shown, status))
    for name in bounds:
        if name not in measured:
            print("%-*s %12s %10d  not measured any more (remove its bound)" % (width, name, "-", bounds[name]))
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exe", required=True, help="the perf-ops program")
    ap.add_argument("--bounds", required=True, help="bounds.txt in the source tree")
    ap.add_argument("--config", required=True, help="this build's options, as in bounds.txt")
    ap.add_argument("--skip", default="", help="why this build cannot be measured (empty: it can)")
    ap.add_argument("--valgrind", default="", help="valgrind to use (default: from PATH)")
    ap.add_argument("--iters", type=int, default=1200, help="N; a multiple of 3")
    ap.add_argument("--update", action="store_true", help="rewrite the bounds instead of checking")
    args = ap.parse_args()
    update = args.update or os.environ.get("GOMEM_PERF_UPDATE") == "1"

    valgrind = args.valgrind or shutil.which("valgrind")
    skip = args.skip or ("" if valgrind else "valgrind not found")
    config, bounds = read_bounds(args.bounds)
    if not skip and not update and config != args.config:
        skip = "bounds are for [%s], this build is [%s]" % (config, args.config)
    if skip:
        print("perf: skipped: %s" % skip)
        return 1 if update else SKIP

    measured = measure(valgrind, args.exe, args.iters)
    print("instructions per operation (callgrind, (count(2N) - count(N)) / N, N = %d)" % args.iters)
    print("config: %s" % args.config)
    failed = print_table(measured, {} if update else bounds, update)
    if update:
        write_bounds(args.bounds, args.config, measured)
        print("wrote %s" % args.bounds)
        return 0
    if failed:
        print("perf: %d row(s) failed: %s" % (len(failed), ", ".join(failed)))
        print("If the increase is intended, re-baseline: scripts/update-perf-bounds.sh BUILD_DIR")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
