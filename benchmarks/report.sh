#!/bin/sh
# SPDX-License-Identifier: MIT
#
# report.sh — run the scalable-allocator benchmarks and the media-server
# trace for gomem and every peer that was built, and print ONE table each.
#
#   benchmarks/report.sh [BUILD_DIR/benchmarks] [--reps N]
#   ninja -C build bench-report          (the same, via meson run_target)
#
# Every binary prints tab-separated lines (--tsv); this script joins them by
# row. Ratios are peer ns / gomem ns: above 1 means gomem is faster. A peer
# that was not built (library missing) shows n/a.
set -eu

dir=${1:-build/benchmarks}
reps=5
if [ "${2:-}" = "--reps" ] && [ -n "${3:-}" ]; then
  reps=$3
fi
peers="mimalloc jemalloc"

if [ ! -x "$dir/bench-scalable" ]; then
  echo "report.sh: $dir/bench-scalable not found; build with -Dbenchmarks=true" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "machine: ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') CPUs, $(uname -sr)"
echo

# --- scalable allocator / recyclable memory rows ---------------------------
"$dir/bench-scalable" --tsv --reps "$reps" >"$tmp/rows.tsv"
for p in $peers; do
  if [ -x "$dir/bench-peer-$p" ]; then
    "$dir/bench-peer-$p" --tsv --reps "$reps" | awk -F '\t' '$2 != "go-readme"' >>"$tmp/rows.tsv"
  fi
done

echo "Scalable allocator / recyclable memory: ns per Go op, median of $reps runs"
echo "(Go = the Go README's figures, Apple M2 Pro; ratio = peer / gomem, >1: gomem faster."
echo " Peers do malloc + free where gomem borrows, realloc for FreeRest, and free each"
echo " buffer where gomem recycles. Go's MallocLarge, RandomAlloc, Scaling and"
echo " MemoryPressure figures include 1-4 MB of Go heap per op: chunks made and dropped.)"
awk -F '\t' -v peers="glibc $peers" '
  function cell(v) { return (v == "" || v < 0) ? "n/a" : sprintf("%.2f", v) }
  function ratio(p, g) { return (p == "" || p < 0 || g == "" || g <= 0) ? "n/a" : sprintf("%.2f", p / g) }
  !($1 in seen) { seen[$1] = 1; order[n++] = $1 }
  { ns[$1, $2] = $3 }
  END {
    np = split(peers, pv, " ")
    printf "%-26s %10s %10s", "row", "Go", "gomem"
    for (i = 1; i <= np; i++) printf " %10s", pv[i]
    for (i = 1; i <= np; i++) printf " %10s", substr(pv[i], 1, 5) "/g"
    printf "\n"
    for (r = 0; r < n; r++) {
      row = order[r]
      printf "%-26s %10s %10s", row, cell(ns[row, "go-readme"]), cell(ns[row, "gomem"])
      for (i = 1; i <= np; i++) printf " %10s", cell(ns[row, pv[i]])
      for (i = 1; i <= np; i++) printf " %10s", ratio(ns[row, pv[i]], ns[row, "gomem"])
      printf "\n"
    }
  }' "$tmp/rows.tsv"
echo

# --- media-server trace -----------------------------------------------------
trace_reps=3
for touch in all pages; do
  "$dir/bench-trace" --tsv --reps "$trace_reps" --touch "$touch" >>"$tmp/trace.tsv"
  for p in $peers; do
    if [ -x "$dir/bench-trace-$p" ]; then
      "$dir/bench-trace-$p" --tsv --reps "$trace_reps" --touch "$touch" >>"$tmp/trace.tsv"
    fi
  done
done

echo "Media-server trace (48 streams, 200-packet windows, 60 % audio 200-400 B,"
echo "video 1-100 KiB): ns per packet, peak RSS and page faults, median of $trace_reps"
echo "processes each (bench-trace alone also prints gomem/glibc ratios taken run by run)"
awk -F '\t' -v allocs="gomem gomem-shared glibc $peers" '
  { ns[$1, $2] = $3; rss[$1, $2] = $4; live[$1] = $5; flt[$1, $2] = $6 }
  !($1 in seen) { seen[$1] = 1; order[n++] = $1 }
  END {
    na = split(allocs, av, " ")
    printf "%-14s %-13s %10s %10s %14s %10s %10s\n", "trace", "allocator", "ns/op", "ns/gomem", "peak RSS MiB", "RSS/gomem", "faults"
    for (t = 0; t < n; t++) {
      tr = order[t]
      g = ns[tr, "gomem"]; gr = rss[tr, "gomem"]
      for (i = 1; i <= na; i++) {
        a = av[i]
        if (!((tr, a) in ns))
          printf "%-14s %-13s %10s %10s %14s %10s %10s\n", tr, a, "n/a", "n/a", "n/a", "n/a", "n/a"
        else if (g <= 0 || gr <= 0)
          printf "%-14s %-13s %10.1f %10s %14.1f %10s %10d\n", tr, a, ns[tr, a], "n/a", rss[tr, a], "n/a", flt[tr, a]
        else
          printf "%-14s %-13s %10.1f %10.2f %14.1f %10.2f %10d\n", tr, a, ns[tr, a], ns[tr, a] / g, rss[tr, a], rss[tr, a] / gr, flt[tr, a]
      }
      printf "%-14s %-13s peak live data %.1f MiB\n", tr, "", live[tr]
    }
  }' "$tmp/trace.tsv"
