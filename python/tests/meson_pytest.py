#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`meson test --suite python`: the package's pytest suite, from the source
tree, against the library named by GOMEM_LIBRARY. Skips (exit 77) when
this python3 has no pytest."""
import pathlib
import sys

try:
    import pytest
except ImportError:
    print(f"SKIP: {sys.executable} has no pytest (Debian: apt-get install python3-pytest)")
    sys.exit(77)

TESTS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS.parent))  # the gomem package next to the tests
sys.exit(pytest.main(["-p", "no:cacheprovider", "-v", str(TESTS)]))
