#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check what libgomem exports against the version script lib/gomem.sym.

1. The shared library's SONAME is the expected one.
2. Every dynamic symbol it defines is a gomem_* function listed in
   lib/gomem.sym under the version node it carries (gomem_x@@GOMEM_1.0), or
   the definition of such a node (GOMEM_1.0). Nothing else leaks.
3. Every name lib/gomem.sym lists is exported, with its node: whatever the
   build options, the ABI is the same.
4. Every global symbol the internal archive defines is named gomem_* (public)
   or gomem__* (internal), so nothing collides with a user's names.

Usage: check-symbols.py --nm NM --readelf READELF --sym gomem.sym
                        --soname libgomem.so.1 --archive libgomem-internal.a LIB
"""
import argparse
import re
import subprocess
import sys


def parse_version_script(path):
    """Return {symbol: node} and the list of nodes of a GNU version script."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
    text = re.sub(r"#[^\n]*", " ", text)
    symbols = {}
    nodes = []
    for node, body in re.findall(r"([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*[\w.]*\s*;", text, flags=re.S):
        nodes.append(node)
        scope = "global"
        for token in re.split(r"[;\s]+", body):
            if not token:
                continue
            if token.endswith(":"):
                scope = token[:-1]
                continue
            if scope == "global":
                if token in symbols:
                    sys.exit(f"{path}: {token} is listed twice")
                symbols[token] = node
    if not nodes:
        sys.exit(f"{path}: no version node found")
    return symbols, nodes


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def dynamic_symbols(nm, lib):
    """Yield (type, name, version) for every defined dynamic symbol of lib."""
    for line in run([nm, "-D", "--defined-only", lib]).splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        kind, full = fields[-2], fields[-1]
        name, _, version = full.partition("@")
        yield kind, name, version.lstrip("@")


def check_soname(readelf, lib, expected):
    match = re.search(r"\(SONAME\).*\[(.*)\]", run([readelf, "-d", lib]))
    soname = match.group(1) if match else None
    if soname != expected:
        return [f"SONAME is {soname}, expected {expected}"]
    return []


def check_exports(nm, lib, listed, nodes):
    errors = []
    exported = {}
    for kind, name, version in dynamic_symbols(nm, lib):
        if kind == "A" and name in nodes:
            continue  # the version node's own definition
        if not name.startswith("gomem_") or name.startswith("gomem__"):
            errors.append(f"leaked symbol: {name}@{version} ({kind})")
            continue
        if name not in listed:
            errors.append(f"exported but not in gomem.sym: {name}@{version}")
            continue
        if version != listed[name]:
            errors.append(f"{name} has version '{version}', gomem.sym says {listed[name]}")
        exported[name] = version
    for name, node in sorted(listed.items()):
        if name not in exported:
            errors.append(f"listed in gomem.sym ({node}) but not exported: {name}")
    return errors, len(exported)


def check_archive(nm, archive):
    errors = []
    for line in run([nm, "-g", "--defined-only", archive]).splitlines():
        fields = line.split()
        if len(fields) < 2 or line.endswith(":"):
            continue
        name = fields[-1]
        # Names starting with "__" belong to the toolchain (sanitizers, gcov).
        if name.startswith("gomem_") or name.startswith("__"):
            continue
        errors.append(f"global symbol without the gomem_/gomem__ prefix: {name}")
    return errors


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nm", default="nm")
    p.add_argument("--readelf", default="readelf")
    p.add_argument("--sym", required=True)
    p.add_argument("--soname", required=True)
    p.add_argument("--archive")
    p.add_argument("lib")
    args = p.parse_args()

    listed, nodes = parse_version_script(args.sym)
    errors = check_soname(args.readelf, args.lib, args.soname)
    export_errors, count = check_exports(args.nm, args.lib, listed, nodes)
    errors += export_errors
    if args.archive:
        errors += check_archive(args.nm, args.archive)
    for e in errors:
        print("FAIL:", e)
    if errors:
        print(f"{len(errors)} problem(s); fix the code or lib/gomem.sym")
        return 1
    print(f"ok: {count} symbols in {', '.join(nodes)}, SONAME {args.soname}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
