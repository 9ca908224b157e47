#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile every public header on its own, as strict C99 and as C++11.

Each include/gomem/*.h (and the generated version.h) gets a translation unit
that includes it twice (include guard) and nothing else, compiled with
-std=c99 -pedantic -Werror -Wall -Wextra and, when a C++ compiler is given,
with -std=c++11 -pedantic -Werror -Wall -Wextra. gomem.h must include every
other public header.

Usage: check-headers.py --cc CC [--cxx CXX] --src-include DIR
                        --build-include DIR
CC and CXX may be commands with arguments ("ccache gcc").
"""
import argparse
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile

C_FLAGS = ["-std=c99", "-pedantic", "-Werror", "-Wall", "-Wextra", "-Wstrict-prototypes"]
CXX_FLAGS = ["-std=c++11", "-pedantic", "-Werror", "-Wall", "-Wextra"]


def compile_one(compiler, flags, includes, header, suffix, workdir):
    tu = pathlib.Path(workdir) / f"{header.stem}{suffix}"
    tu.write_text(
        f"#include <gomem/{header.name}>\n"
        f"#include <gomem/{header.name}>\n"
        "int gomem_header_test_anchor(void);\n"
        "int gomem_header_test_anchor(void) { return 0; }\n"
    )
    cmd = compiler + flags + [f"-I{d}" for d in includes] + ["-fsyntax-only", str(tu)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"FAIL: {header.name} as {suffix[1:]}: {shlex.join(cmd)}")
        print(result.stdout + result.stderr)
        return False
    print(f"ok: {header.name} as {suffix[1:]}")
    return True


def umbrella_errors(src_dir, headers):
    umbrella = src_dir / "gomem.h"
    if not umbrella.exists():
        return ["include/gomem/gomem.h is missing"]
    included = set(re.findall(r"#\s*include\s*<gomem/([\w.]+)>", umbrella.read_text()))
    missing = [h.name for h in headers
               if h.parent == src_dir and h.name not in ("gomem.h", "version.h")
               and h.name not in included]
    return [f"gomem.h does not include <gomem/{m}>" for m in missing]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cc", required=True)
    p.add_argument("--cxx")
    p.add_argument("--src-include", required=True)
    p.add_argument("--build-include", required=True)
    args = p.parse_args()

    src_dir = pathlib.Path(args.src_include) / "gomem"
    headers = sorted(src_dir.glob("*.h"))
    version_h = pathlib.Path(args.build_include) / "gomem" / "version.h"
    if version_h.exists():
        headers.append(version_h)
    includes = [args.src_include, args.build_include]
    cc = shlex.split(args.cc)
    cxx = shlex.split(args.cxx) if args.cxx else None

    ok = True
    with tempfile.TemporaryDirectory() as workdir:
        for h in headers:
            ok &= compile_one(cc, C_FLAGS, includes, h, ".c", workdir)
            if cxx:
                ok &= compile_one(cxx, CXX_FLAGS, includes, h, ".cpp", workdir)
    for e in umbrella_errors(src_dir, headers):
        print("FAIL:", e)
        ok = False
    if not cxx:
        print("note: no C++ compiler, C++ checks skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
