#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Regenerate the ABI baseline test/abi/libgomem.so.1.abi that the `abi` test
# (test/abi/check-abi.sh) compares every build against.
#
# Run it from the top of the tree after changing the public ABI on purpose:
# before 1.0.0 is released, whenever functions are added to GOMEM_1.0 (added
# functions pass the check anyway; regenerating makes them part of the
# contract so that removing them later fails); after the release, only
# together with a new version node or a SONAME bump. Commit the result with
# a message that says why.
#
# The baseline is taken from a default build with gcc at -O2 -g, the way
# .ci/run builds it; options do not change the ABI.
set -eu

cd "$(dirname "$0")/.."
builddir=${1:-build-abi}

if [ -d "$builddir" ]; then
  meson setup --reconfigure "$builddir" --buildtype=debugoptimized -Dtests=false -Dbenchmarks=false >/dev/null
else
  CC=${CC:-gcc} meson setup "$builddir" --buildtype=debugoptimized -Dtests=false -Dbenchmarks=false >/dev/null
fi
ninja -C "$builddir" >/dev/null
lib=$(find "$builddir/lib" -maxdepth 1 -name 'libgomem.so.*.*.*' -type f | head -n 1)
sh test/abi/check-abi.sh dump "$lib" include/gomem test/abi/libgomem.so.1.abi
echo "wrote test/abi/libgomem.so.1.abi from $lib:"
grep -c '<elf-symbol name=.gomem_' test/abi/libgomem.so.1.abi | sed 's/$/ exported functions/'
