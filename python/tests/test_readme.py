# SPDX-License-Identifier: MIT
"""The examples in python/README.md and the top README run as written."""
import doctest

import pytest

from conftest import TOP


@pytest.mark.parametrize("readme", ["python/README.md", "README.md"])
def test_readme_examples(readme):
    result = doctest.testfile(str(TOP / readme), module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
