#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-misuse.sh TOOL PROGRAM CASE KIND [FRAME]
#
# Runs `PROGRAM CASE` under TOOL (valgrind: memcheck; asan: the program
# itself, built with -Db_sanitize=address) and checks the report:
# - KIND "clean": the tool reports nothing and the program exits 0;
# - otherwise the tool fails the run, its output has a line containing
#   each part of KIND ("part|part": e.g. "use-after-poison|READ of size 1",
#   in this order), and the stack printed under them has a frame in
#   function FRAME of misuse.c.
# The tool's output is printed either way, for the test log.
set -u

tool=$1 program=$2 case=$3 kind=$4 frame=${5:-}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

case $tool in
valgrind)
  valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --num-callers=30 \
    "$program" "$case" >"$out" 2>&1
  ;;
asan)
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=99 "$program" "$case" >"$out" 2>&1
  ;;
*)
  echo "unknown tool $tool" >&2
  exit 2
  ;;
esac
rc=$?
cat "$out"

if [ "$kind" = clean ]; then
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: $case under $tool: exit $rc, expected a clean run"
    exit 1
  fi
  if [ "$tool" = valgrind ] && ! grep -q 'ERROR SUMMARY: 0 errors' "$out"; then
    echo "FAIL: $case under $tool: memcheck reported errors"
    exit 1
  fi
  if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)' "$out"; then
    echo "FAIL: $case under $tool: a sanitizer report"
    exit 1
  fi
  echo "OK: $case is clean under $tool"
  exit 0
fi

if [ "$rc" -ne 99 ]; then
  echo "FAIL: $case under $tool: exit $rc, expected the tool's error exit 99"
  exit 1
fi
# The stack under the report: the frames after the lines that name the
# kind's parts (KIND is "part|part|...", found in this order).
stack=$(awk -v kind="$kind" '
  BEGIN { n = split(kind, part, "|"); i = 1 }
  i <= n && index($0, part[i]) { i++; next }
  i > n && /^==[0-9]+==    (at|by) |^    #[0-9]+ / { print; seen = 1; next }
  seen { exit }
' "$out")
if [ -z "$stack" ]; then
  echo "FAIL: $case under $tool: no report of kind '$kind'"
  exit 1
fi
if ! grep -Eq "[ :]$frame[ (].*misuse\\.c:[0-9]+" <<<"$stack"; then
  echo "FAIL: $case under $tool: the stack of '$kind' has no frame in $frame (misuse.c)"
  exit 1
fi
echo "OK: $case under $tool: '$kind' with a frame in $frame"
