# SPDX-License-Identifier: MIT
"""gomem.Allocator: offsets handed out and taken back in any pieces."""
import pytest

import gomem
from conftest import expect_error


def test_strategies_are_those_built():
    assert gomem.strategies()
    assert set(gomem.strategies()) <= {"treap", "avl", "tlsf"}
    for strategy in {"treap", "avl", "tlsf"} - set(gomem.strategies()):
        expect_error("GOMEM_ERR_UNSUPPORTED", gomem.Allocator, 64, strategy)


@pytest.mark.parametrize("strategy", gomem.strategies())
def test_alloc_and_free_any_part(strategy):
    with gomem.Allocator(1000, strategy) as a:
        assert (a.strategy, a.size, a.free_size, a.free_blocks) == (strategy, 1000, 1000, 1)
        assert (a.alloc(100), a.alloc(200)) == (0, 100)
        a.free(20, 30)  # a hole in the first range
        assert (a.free_size, a.free_blocks) == (730, 2)
        expect_error("GOMEM_ERR_INVALID", a.free, 40, 20)  # overlaps the hole
        expect_error("GOMEM_ERR_INVALID", a.free, 990, 20)  # past the end
        assert (a.free_size, a.free_blocks) == (730, 2)
        # First and best fit take the hole; tlsf carves its current block,
        # [300, 1000), while it holds the request.
        first = 300 if strategy == "tlsf" else 20
        assert a.find(30) == first
        assert a.alloc(30) == first
        a.free(first, 30)
        a.free(50, 250)  # the end of one allocation and all of the next
        a.free(0, 20)
        assert (a.free_size, a.free_blocks) == (1000, 1)


def test_default_strategy_and_errors():
    a = gomem.Allocator(64)
    assert a.strategy in gomem.strategies()
    assert a.alloc(64) == 0
    expect_error("GOMEM_ERR_NOMEM", a.alloc, 1)
    expect_error("GOMEM_ERR_NOMEM", a.find, 1)
    expect_error("GOMEM_ERR_INVALID", a.alloc, 0)
    expect_error("GOMEM_ERR_INVALID", a.free, -1, 1)
    expect_error("GOMEM_ERR_INVALID", gomem.Allocator, 0)
    expect_error("GOMEM_ERR_INVALID", gomem.Allocator, 64, "best")
    a.close()
    expect_error("GOMEM_ERR_INVALID", a.alloc, 1)
    expect_error("GOMEM_ERR_INVALID", lambda: a.free_size)


@pytest.mark.parametrize("strategy", gomem.strategies())
def test_aligned_alloc_free_stats_and_map(strategy):
    with gomem.Allocator(1000, strategy) as a:
        assert (a.alloc(100), a.alloc(200)) == (0, 100)
        a.free(20, 30)
        # Only [300, 1000) holds 64 units at a multiple of 128: at 384,
        # and [300, 384) in front of it stays free.
        assert a.alloc(64, align=128) == 384
        assert a.free_stats() == {"free_bytes": 666, "free_blocks": 3,
                                  "largest_free": 552, "smallest_free": 30}
        assert a.dump() == {"size": 1000, "free_bytes": 666, "free_blocks": 3,
                            "largest_free": 552,
                            "free": [[20, 30], [300, 84], [448, 552]]}
        for bad in (0, 3, 2048):  # zero, not a power of two, above the size
            expect_error("GOMEM_ERR_INVALID", a.alloc, 8, bad)
        assert a.free_stats()["free_bytes"] == 666
        a.free(384, 64)
        assert a.free_stats()["free_blocks"] == 2
