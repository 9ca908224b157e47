#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write debian/libgomem1.symbols from the version script lib/gomem.sym.

Each name in node GOMEM_X.Y becomes "name@GOMEM_X.Y X.Y.0", the version
the symbol first appeared in; the node itself is listed the same way, as
dpkg-gensymbols reports it. Run after adding functions to lib/gomem.sym
and commit the result; with --check, only report whether the committed file
is up to date (CI does this; dh_makeshlibs -c4 fails the package build on
any difference anyway).
"""
import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SYM = ROOT / "lib" / "gomem.sym"
OUT = ROOT / "debian" / "libgomem1.symbols"


def load_parser():
    path = ROOT / "test" / "symbols" / "check-symbols.py"
    spec = importlib.util.spec_from_file_location("check_symbols", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse_version_script


def node_version(node):
    """GOMEM_1.0 -> 1.0.0."""
    return node.split("_", 1)[1] + ".0"


def render():
    symbols, nodes = load_parser()(SYM)
    entries = [(node, node) for node in nodes] + [(n, v) for n, v in symbols.items()]
    lines = ["libgomem.so.1 libgomem1 #MINVER#", "* Build-Depends-Package: libgomem-dev"]
    lines += [f" {name}@{node} {node_version(node)}" for name, node in sorted(entries)]
    return "\n".join(lines) + "\n"


def main():
    text = render()
    if sys.argv[1:] == ["--check"]:
        if OUT.exists() and OUT.read_text() == text:
            print(f"ok: {OUT.relative_to(ROOT)} matches lib/gomem.sym")
            return 0
        print(f"FAIL: {OUT.relative_to(ROOT)} is out of date; run scripts/update-debian-symbols.py")
        return 1
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}: {text.count(chr(10)) - 2} symbols")
    return 0


if __name__ == "__main__":
    sys.exit(main())
