#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Re-baseline the instruction-count gate (meson test suite 'perf'):
#   scripts/update-perf-bounds.sh [BUILD_DIR]      (default: build)
#
# Builds BUILD_DIR, measures every row of test/perf/perf-ops under callgrind
# and rewrites test/perf/bounds.txt with bound = measured + 15 % and the
# build's options as its `config:` line. BUILD_DIR must be a build where the
# suite runs: buildtype debugoptimized or release, no sanitizer,
# -Dtrack=none, valgrind installed; the default options are what CI checks
# (the readme step's build/). Review the diff and commit it, saying why.
set -eu

cd "$(dirname "$0")/.."
dir=${1:-build}
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir"
fi
ninja -C "$dir"
GOMEM_PERF_UPDATE=1 meson test -C "$dir" --suite perf --verbose
git --no-pager diff --stat -- test/perf/bounds.txt
