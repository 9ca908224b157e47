#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The ABI check: compare the built libgomem.so with the committed baseline
# test/abi/libgomem.so.1.abi (libabigail's abidw/abidiff).
#
#   check-abi.sh dump    LIB HEADERS_DIR OUT       write LIB's ABI to OUT
#   check-abi.sh compare LIB HEADERS_DIR BASELINE  fail on incompatible change
#
# Policy while GOMEM_1.0 is unreleased: added functions and variables are
# fine (abidiff --no-added-syms hides them); a removed symbol or a changed
# function type, parameter, return or pointed-to public type fails. abidiff's
# exit status is a bit set: 1 error, 2 usage, 4 ABI change, 8 incompatible
# change; with added symbols filtered out, any bit is a failure.
#
# An intended change (before the first release only, or a compatible growth
# of a struct that starts with struct_size) is accepted by regenerating the
# baseline with scripts/update-abi-baseline.sh and saying why in the commit.
#
# Exits 77 (skip) when the library has no debug info to read types from.
set -eu

ABIDW=${ABIDW:-abidw}
ABIDIFF=${ABIDIFF:-abidiff}

usage() {
  echo "usage: $0 dump|compare LIB HEADERS_DIR FILE" >&2
  exit 2
}

[ $# -eq 4 ] || usage
mode=$1 lib=$2 headers=$3 file=$4

if ! readelf -S "$lib" | grep -q '\.debug_info'; then
  echo "SKIP: $lib has no DWARF debug info (build with -g, e.g. --buildtype=debugoptimized)"
  exit 77
fi

# Stable output: no paths or line numbers, so the baseline does not depend
# on where the tree was built; DT_NEEDED differs with sanitizers and is not ABI.
dump() {
  "$ABIDW" --no-show-locs --no-comp-dir-path --no-corpus-path --no-elf-needed \
    --headers-dir "$headers" --drop-private-types "$lib" --out-file "$1"
}

case $mode in
dump)
  dump "$file"
  ;;
compare)
  if [ ! -f "$file" ]; then
    echo "FAIL: no baseline $file; create it with scripts/update-abi-baseline.sh"
    exit 1
  fi
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' EXIT
  dump "$tmp"
  status=0
  "$ABIDIFF" --no-added-syms "$file" "$tmp" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL: abidiff exit status $status (4 = ABI change, 8 = incompatible, 1/2 = tool error)."
    echo "Removed or changed public functions/types break GOMEM_1.0. If the change is"
    echo "intended, run scripts/update-abi-baseline.sh and explain it in the commit."
    exit 1
  fi
  echo "ok: no removed or changed interfaces against $(basename "$file") (added ones allowed)"
  ;;
*)
  usage
  ;;
esac
