#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the benchmarks that compare gomem with its peers and write a report.

    python3 benchmarks/report.py [BUILD_DIR/benchmarks] [--reps N] [--out DIR]
    benchmarks/report.sh ...          (the same)

Runs bench-scalable (the Go seed's ScalableMemoryAllocator and
RecyclableMemory tables: gomem beside glibc, mimalloc, jemalloc and tcmalloc
in one process), bench-search (search and bit-reader rates, its own text
table, copied as it is), bench-buddy and bench-buddy-<peer> (the seed's
Buddy table), bench-trace and bench-trace-<peer> (a media-server trace)
and bench-trace --frag (its fragmentation over time, per strategy, also
copied as it is), printing one progress line per row as it is measured. Then it prints the
tables and writes DIR/bench-report.md (default DIR: the current directory)
with, per table, an SVG bar chart DIR/bench-report-<table>.svg: ns/op of
gomem and of each peer, log scale.

Ratios are gomem / peer: below 1, gomem is faster. The Go column is the
seed's README (Apple M2 Pro, Go 1.23), a reference from another machine.
Only the Python 3 standard library is used.
"""

import argparse
import datetime
import html
import math
import os
import platform
import select
import subprocess
import sys

PEERS = ["glibc", "mimalloc", "jemalloc", "tcmalloc"]
COLORS = {"gomem": "#1f77b4", "gomem-shared": "#6baed6", "glibc": "#7f7f7f",
          "mimalloc": "#2ca02c", "jemalloc": "#d62728", "tcmalloc": "#ff7f0e"}


class Table:
    """One table of the report: rows of ns/op per allocator."""

    def __init__(self, slug, title, note, sides, extra=None):
        self.slug = slug
        self.title = title
        self.note = note
        self.sides = sides            # allocators, gomem first
        self.extra = extra or []      # (column key, header, format) after the ratios
        self.rows = {}                # row -> {column: value}
        self.order = []

    def add(self, row, column, value):
        if row not in self.rows:
            self.rows[row] = {}
            self.order.append(row)
        self.rows[row].setdefault(column, value)

    def ratio(self, row, peer):
        cells = self.rows[row]
        if "gomem/" + peer in cells:  # bench-scalable: the median of per-run ratios
            return cells["gomem/" + peer]
        ours, theirs = cells.get("gomem"), cells.get(peer)
        if ours is None or theirs is None or ours <= 0 or theirs <= 0:
            return None
        return ours / theirs

    def peers(self):
        """The sides other than gomem that have at least one number."""
        return [p for p in self.sides[1:]
                if any(self.rows[r].get(p, -1) > 0 for r in self.order)]

    def markdown(self, chart):
        peers = self.peers()
        go = any("go-readme" in self.rows[r] for r in self.order)
        head = ["row"] + ["Go (seed)"] * go + self.sides[:1] + peers + \
            ["gomem/" + p for p in peers] + [h for _, h, _ in self.extra]
        lines = ["### " + self.title, "", self.note, "",
                 "| " + " | ".join(head) + " |",
                 "|" + "---|" * len(head)]
        for row in self.order:
            cells = self.rows[row]
            out = [row] + [fmt(cells.get("go-readme"))] * go
            out += [fmt(cells.get(s)) for s in self.sides[:1] + peers]
            out += [fmt(self.ratio(row, p), ratio=True) for p in peers]
            out += [fmt(cells.get(k), spec) for k, _, spec in self.extra]
            lines.append("| " + " | ".join(out) + " |")
        if chart:
            lines += ["", "![%s](%s)" % (self.title, chart)]
        return "\n".join(lines) + "\n"


def fmt(value, spec=None, ratio=False):
    if value is None or value < 0:
        return "n/a"
    if value == 0 and not ratio:
        return "–"
    if spec:
        return format(value, spec)
    if ratio:
        return "%.2f" % value if value >= 0.1 else "%.2g" % value
    if value >= 1000:
        return "{:,.0f}".format(value)
    return "%.3g" % value if value < 10 else "%.1f" % value


def progress(label, table, rows):
    for row in rows:
        cells = table.rows[row]
        parts = ["%s %s" % (s, fmt(cells[s])) for s in table.sides if s in cells]
        print("  [%s] %s: %s ns/op" % (label, row, ", ".join(parts)), flush=True)


def run(cmd, on_lines):
    """Run cmd; pass each burst of complete stdout lines to on_lines."""
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    buf = b""
    while True:
        select.select([proc.stdout], [], [])
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        on_lines([l.decode() for l in lines if l])
    if buf.strip():
        on_lines([buf.decode()])
    if proc.wait() != 0:
        print("report.py: %s exited with %d" % (cmd[0], proc.returncode), file=sys.stderr)
        return False
    return True


def tsv_runner(pick, label):
    """on_lines for "row<TAB>column<TAB>value" output."""
    def on_lines(lines):
        touched = {}
        for line in lines:
            row, column, value = line.split("\t")[:3]
            table = pick(row)
            table.add(row, column, float(value))
            touched.setdefault(row, table)
        for row, table in touched.items():
            progress(label, table, [row])
    return on_lines


def run_scalable(bench, reps, scalable, recyclable):
    pick = lambda row: recyclable if row.startswith("RM ") else scalable
    return run([os.path.join(bench, "bench-scalable"), "--tsv", "--reps", str(reps)],
               tsv_runner(pick, "scalable"))


def run_text(label, cmd, lines):
    """A program that prints its own table (no --tsv): show and keep it."""
    if not os.access(cmd[0], os.X_OK):
        return True

    def on_lines(new):
        for line in new:
            print("  [%s] %s" % (label, line), flush=True)
        lines.extend(new)
    return run(cmd, on_lines)


def run_buddy(bench, reps, buddy):
    ok = True
    for exe in ["bench-buddy"] + ["bench-buddy-" + p for p in PEERS[1:]]:
        path = os.path.join(bench, exe)
        if os.access(path, os.X_OK):
            ok &= run([path, "--tsv", "--reps", str(reps)],
                      tsv_runner(lambda row: buddy, "buddy"))
    return ok


def run_trace(bench, trace, rss):
    """bench-trace --tsv: trace, allocator, ns/op, peak RSS MiB, live MiB, faults, ..."""
    def on_lines(lines):
        for line in lines:
            f = line.split("\t")
            row = {"trace-all": "every byte written", "trace-pages": "one byte a page"}.get(f[0], f[0])
            trace.add(row, f[1], float(f[2]))
            rss.add(row, f[1], float(f[3]))
            progress("trace", trace, [row])
    ok = True
    for touch in ["all", "pages"]:
        for exe in ["bench-trace"] + ["bench-trace-" + p for p in PEERS[1:]]:
            path = os.path.join(bench, exe)
            if os.access(path, os.X_OK):
                ok &= run([path, "--tsv", "--reps", "3", "--touch", touch], on_lines)
    return ok


def svg_chart(table, machine):
    """Horizontal bars, one group per row, log-scale ns/op."""
    sides = table.sides[:1] + table.peers()
    values = [table.rows[r].get(s) for r in table.order for s in sides]
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    if hi <= lo:
        hi = lo * 10
    bar, gap, label_w, plot_w, top = 7, 8, 230, 560, 46
    group_h = bar * len(sides) + gap
    height = top + group_h * len(table.order) + 44
    width = label_w + plot_w + 120

    def x(v):
        return label_w + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="16" font-size="14" font-weight="bold">%s: ns/op (log scale, shorter is faster)</text>'
           % html.escape(table.title),
           '<text x="10" y="32" fill="#555">%s</text>' % html.escape(machine)]
    decade = lo
    while decade <= hi * 1.0001:
        for m in range(1, 10):
            v = decade * m
            if v > hi * 1.0001:
                break
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>'
                       % (x(v), top - 4, x(v), height - 40, "#bbb" if m == 1 else "#eee"))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                   % (x(decade), height - 26, "{:,.0f}".format(decade) if decade >= 1 else "%g" % decade))
        decade *= 10
    for i, row in enumerate(table.order):
        y0 = top + i * group_h
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>'
                   % (label_w - 6, y0 + bar * len(sides) / 2 + 4, html.escape(row)))
        for j, side in enumerate(sides):
            v = table.rows[row].get(side)
            if not v or v <= 0:
                continue
            y = y0 + j * bar
            out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s %s: %s ns/op</title></rect>'
                       % (label_w, y, max(x(v) - label_w, 1), bar - 1, COLORS.get(side, "#000"),
                          html.escape(row), side, fmt(v)))
    for j, side in enumerate(sides):
        ly = top + j * 16
        out.append('<rect x="%d" y="%d" width="12" height="10" fill="%s"/>'
                   % (label_w + plot_w + 14, ly, COLORS.get(side, "#000")))
        out.append('<text x="%d" y="%d">%s</text>' % (label_w + plot_w + 30, ly + 9, side))
    out.append('<text x="%d" y="%d" text-anchor="middle">ns per operation</text>'
               % (label_w + plot_w / 2, height - 8))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def machine_line():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "%s, %d CPUs, %s %s; load average %.1f at the start" % (
        cpu, os.cpu_count() or 0, platform.system(), platform.release(), load)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bench", nargs="?", default="build/benchmarks",
                    help="the build's benchmarks directory (default build/benchmarks)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions per cell (median; default 5)")
    ap.add_argument("--out", default=".", help="where bench-report.md and the charts go (default .)")
    ap.add_argument("--only", default="scalable,search,buddy,trace,frag",
                    help="comma-separated tables to run: scalable, search, buddy, trace, frag")
    args = ap.parse_args()

    if not os.access(os.path.join(args.bench, "bench-scalable"), os.X_OK):
        sys.exit("report.py: %s/bench-scalable not found; build with -Dbenchmarks=true" % args.bench)
    machine = machine_line()
    print("machine: " + machine, flush=True)

    scalable = Table("scalable", "ScalableMemoryAllocator",
                     "gomem_scalable against malloc + free of each peer, all in one process pinned "
                     "to one CPU (peers malloc + free where gomem borrows, realloc for FreeRest). "
                     "Ir/op: gomem's instructions per op (callgrind).",
                     ["gomem"] + PEERS, [("instructions", "Ir/op", ".0f")])
    recyclable = Table("recyclable", "RecyclableMemory",
                       "gomem_recyclable against malloc of each buffer and free of each at recycle "
                       "time, same process.", ["gomem"] + PEERS, [("instructions", "Ir/op", ".0f")])
    buddy = Table("buddy", "Buddy allocator",
                  "gomem_buddy (512 MiB pool of 1 KiB units) against malloc + free of the same "
                  "sizes; 1T one thread, nT one per CPU on one shared pool. One program per peer.",
                  ["gomem", "glibc", "mimalloc", "jemalloc"])
    trace = Table("trace", "Media-server trace",
                  "48 streams, 200-packet windows, 60 % audio 200-400 B, video 1-100 KiB: ns per "
                  "packet, median of 3 processes each; gomem-shared is the shared-mode allocator.",
                  ["gomem", "gomem-shared", "glibc", "mimalloc", "jemalloc"])
    rss = Table("trace-rss", "Media-server trace, peak RSS (MiB)",
                "Peak resident memory of the same runs.", trace.sides)

    only = args.only.split(",")
    ok = True
    search, frag = [], []
    if "scalable" in only:
        ok &= run_scalable(args.bench, args.reps, scalable, recyclable)
    if "search" in only:
        ok &= run_text("search", [os.path.join(args.bench, "bench-search"), str(args.reps)], search)
    if "buddy" in only:
        ok &= run_buddy(args.bench, args.reps, buddy)
    if "trace" in only:
        ok &= run_trace(args.bench, trace, rss)
    if "frag" in only:
        ok &= run_text("frag", [os.path.join(args.bench, "bench-trace"), "--frag"], frag)

    os.makedirs(args.out, exist_ok=True)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = ["# libgomem benchmark report", "",
           "Measured on %s, %s, by `benchmarks/report.sh` (%d repetitions, median). "
           "Ratios are gomem / peer: below 1, gomem is faster. The Go column is the "
           "Go library's README (Apple M2 Pro, Go 1.23): a reference from another "
           "machine, not a race. A shared or busy machine makes every number noisy; "
           "the ratios, taken in one process, suffer least." % (machine, date, args.reps), ""]
    text = []
    for table in [scalable, recyclable, buddy, trace]:
        if not table.order:
            continue
        name = "bench-report-%s.svg" % table.slug
        chart = svg_chart(table, machine)
        if chart:
            with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
                f.write(chart)
        doc.append(table.markdown(name if chart else None))
        text.append(table.markdown(None))
    if trace.order:
        doc.append(rss.markdown(None))
        text.append(rss.markdown(None))
    # The programs' own tables, already printed as they ran.
    for title, note, lines in [
            ("Search and bit reader", "bench-search's own table (ratios other / gomem: "
             "above 1, gomem is faster)", search),
            ("Media-server trace: fragmentation over time", "bench-trace --frag", frag)]:
        if lines:
            doc.append("### %s\n\n%s; no chart yet.\n\n```\n%s\n```\n"
                       % (title, note, "\n".join(lines)))
    path = os.path.join(args.out, "bench-report.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(doc))
    print()
    print("\n".join(text))
    print("wrote %s and its charts (bench-report-*.svg)" % path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
