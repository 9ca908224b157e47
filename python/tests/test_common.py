# SPDX-License-Identifier: MIT
"""version() and gomem.Error against the C sources they mirror."""
import re

import gomem
from conftest import TOP


def test_version_is_the_projects():
    project = re.search(r"project\('gomem'.*?version: '([^']+)'",
                        (TOP / "meson.build").read_text(), re.S).group(1)
    package = re.search(r'^version = "([^"]+)"', (TOP / "python/pyproject.toml").read_text(),
                        re.M).group(1)
    assert project == "1.0.0"
    assert gomem.version() == project
    assert package == project


def header_codes():
    """(NAME, value, message) for each XX(...) of GOMEM_ERRNO_MAP in common.h."""
    header = (TOP / "include/gomem/common.h").read_text()
    return [(name, int(value), message) for name, value, message in
            re.findall(r'XX\((\w+), (-\d+), "([^"]*)"\)', header)]


def test_every_status_code_has_a_constant():
    codes = header_codes()
    assert [name for name, _, _ in codes] == [
        "INVALID", "NOMEM", "UNSUPPORTED", "EOF", "OVERFLOW", "NOT_OWNED", "WRONG_THREAD"]
    for name, value, message in codes:
        assert getattr(gomem, "ERR_" + name) == value
        error = gomem.Error(value)
        assert (error.code, error.name) == (value, "GOMEM_ERR_" + name)
        assert str(error) == f"GOMEM_ERR_{name}: {message}"
    exported = {n for n in gomem.__all__ if n.startswith("ERR_")}
    assert exported == {"ERR_" + name for name, _, _ in codes}


def test_error_says_what_failed():
    error = gomem.Error(gomem.ERR_EOF, "Reader.read(4)")
    assert isinstance(error, Exception)
    assert str(error) == "Reader.read(4): GOMEM_ERR_EOF: end of data"
    assert error.doing == "Reader.read(4)"
    assert gomem.Error(-999).name == "GOMEM_ERR_UNKNOWN"
