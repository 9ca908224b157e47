#!/bin/sh
# SPDX-License-Identifier: MIT
#
# report.sh — run the scalable-allocator benchmarks, the search and
# bit-reader rates, and the media-server trace for gomem and every peer,
# and print ONE table each.
#
#   benchmarks/report.sh [BUILD_DIR/benchmarks] [--reps N]
#   ninja -C build bench-report          (the same, via meson run_target)
#
# bench-scalable prints its table itself: gomem beside glibc, mimalloc,
# jemalloc and tcmalloc in one process, ratios gomem / peer (below 1: gomem
# faster) and gomem's instructions per op. The trace binaries print
# tab-separated lines (--tsv) that this script joins; there the ratios are
# peer / gomem. A peer whose library is missing shows n/a.
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
# One program: gomem and every peer in the same process, pinned to one CPU.
"$dir/bench-scalable" --reps "$reps"
echo

# --- search and bit reader ----------------------------------------------------
# find/find_byte beside memchr/memmem and evbuffer_search; ue/se decode rate.
if [ -x "$dir/bench-search" ]; then
  "$dir/bench-search" "$reps"
  echo
fi

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

# --- fragmentation over time ------------------------------------------------
# The same trace on one allocator per strategy: 1 - largest/free and free
# blocks, sampled every tenth of the run (gomem_scalable_free_stats).
echo
"$dir/bench-trace" --frag
