# SPDX-License-Identifier: MIT
"""Shared by the tests: where the C sources are, and a fresh allocator; the
report's header says which package and which library are tested."""
import pathlib

import pytest

import gomem

# python/tests/ -> the top of the libgomem tree.
TOP = pathlib.Path(__file__).resolve().parents[2]


def pytest_report_header():
    return f"gomem {gomem.version()}: {gomem.__file__} over {gomem._lib._name}"


@pytest.fixture
def scalable():
    with gomem.Scalable(64 * 1024) as s:
        yield s


def expect_error(name, call, *args):
    """Call call(*args), which must raise gomem.Error named `name`."""
    with pytest.raises(gomem.Error) as info:
        call(*args)
    assert info.value.name == name
    assert info.value.code == getattr(gomem, name.replace("GOMEM_", ""))
    return info.value
