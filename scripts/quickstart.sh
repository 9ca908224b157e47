#!/bin/bash
# SPDX-License-Identifier: MIT
#
# One command from a fresh Debian 12 clone to results:
#   bash scripts/quickstart.sh [--no-bench]
#
# 1. installs the Debian packages the build, tests and benchmarks need
#    (only the missing ones): directly when run as root (a fresh container
#    has no sudo), else through sudo, for apt-get only,
# 2. configures and builds build/ (the default options, -O2 -g),
# 3. runs every demo in build/examples/, then benchmarks/report.sh (which
#    also writes build/bench-report.md and its SVG charts) and every other
#    benchmark program build/benchmarks/bench-*, printing their tables
#    (--no-bench: demos only).
#
# Then `meson test -C build --print-errorlogs` runs every test suite.
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(meson ninja-build pkgconf gcc g++ check libatomic-ops-dev python3
          valgrind libmimalloc-dev libjemalloc-dev libevent-dev
          libtcmalloc-minimal4)
run_benchmarks=true
for arg in "$@"; do
  case $arg in
    --no-bench) run_benchmarks=false ;;
    *) echo "usage: $0 [--no-bench]" >&2; exit 2 ;;
  esac
done

section() { printf '\n=== %s ===\n' "$*"; }

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "all packages present"
    return
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

section "packages"
install_packages

section "build (build/)"
if [ -f build/meson-private/coredata.dat ]; then
  meson setup --reconfigure build
else
  meson setup build
fi
meson compile -C build

# run COMMAND...: run one demo or benchmark; failures are reported at the end.
failed=()
run() {
  echo "--- $*"
  "$@" || { echo "FAILED: $* (exit $?)"; failed+=("$*"); }
}

section "demos"
for exe in build/examples/*; do
  if [ ! -f "$exe" ] || [ ! -x "$exe" ]; then continue; fi
  run "$exe"
done

if $run_benchmarks; then
  section "benchmarks"
  # benchmarks/report.sh (report.py) runs several programs, prints their
  # tables and writes build/bench-report.md with charts; the programs
  # report.py names (as prefixes: bench-buddy covers bench-buddy-*) are
  # left to it.
  covered=()
  if [ -f benchmarks/report.sh ]; then
    run sh benchmarks/report.sh build/benchmarks --out build
    mapfile -t covered < <(grep -o '"bench-[a-z]*' benchmarks/report.py | tr -d '"' | sort -u)
  fi
  for exe in build/benchmarks/bench-*; do
    if [ ! -f "$exe" ] || [ ! -x "$exe" ]; then continue; fi
    skip=false
    for prefix in "${covered[@]}"; do
      case $(basename "$exe") in "$prefix"*) skip=true ;; esac
    done
    $skip || run "$exe"
  done
fi

section "done"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
echo "Run the test suites with: meson test -C build --print-errorlogs"
