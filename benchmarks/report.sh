#!/bin/sh
# SPDX-License-Identifier: MIT
#
# report.sh — run the benchmarks that put gomem beside its peers (the Go
# seed's ScalableMemoryAllocator, RecyclableMemory and Buddy tables, search
# and bit-reader rates, a media-server trace and its fragmentation), print
# a progress line per row, then the tables, and write bench-report.md with
# an SVG chart per table. See report.py.
#
#   benchmarks/report.sh [BUILD_DIR/benchmarks] [--reps N] [--out DIR]
#   ninja -C build bench-report          (the same, into build/)
exec python3 "$(dirname "$0")/report.py" "$@"
