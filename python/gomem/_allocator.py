# SPDX-License-Identifier: MIT
"""gomem.Allocator: a range allocator, offsets without memory."""
import ctypes

from ._errors import ERR_INVALID, Error, check, size_arg
from ._freespace import dump, free_stats
from ._handle import Handle, NativeObject
from ._native import lib

# enum gomem_strategy (gomem/common.h); None is GOMEM_STRATEGY_DEFAULT.
_STRATEGIES = {None: 0, "treap": 1, "avl": 2, "tlsf": 3}


def strategies():
    """The names of the range-allocator strategies this build has."""
    return [name for name, value in _STRATEGIES.items()
            if name is not None and lib.gomem_strategy_available(value)]


class Allocator(NativeObject):
    """A range allocator over [0, size) (gomem/allocator.h).

    It hands out offsets, owns no memory, and takes back any sub-range of
    what it handed out, merging free neighbours. `strategy` is "treap",
    "avl", "tlsf" or None for the build's default; one this build lacks
    raises gomem.Error (GOMEM_ERR_UNSUPPORTED). A context manager; calls
    after close() raise gomem.Error (GOMEM_ERR_INVALID).
    """

    def __init__(self, size, strategy=None):
        if strategy not in _STRATEGIES:
            raise Error(ERR_INVALID, f"Allocator: no strategy {strategy!r}")
        ptr = ctypes.c_void_p()
        check(lib.gomem_allocator_create(size_arg(size, "Allocator"), _STRATEGIES[strategy],
                                         ctypes.byref(ptr)),
              f"Allocator({size}, {strategy!r})")
        self._handle = Handle(ptr.value, lib.gomem_allocator_destroy)

    def alloc(self, n, align=None):
        """Take n units; return the offset of the first.

        With `align` (a power of two, at most size), the offset is a
        multiple of it and the units in front stay free. GOMEM_ERR_NOMEM
        when no free block has n units (so aligned); GOMEM_ERR_INVALID for
        a bad alignment.
        """
        offset = ctypes.c_size_t()
        n = size_arg(n, "Allocator.alloc")
        with self._handle.use("Allocator.alloc") as a:
            if align is None:
                rc = lib.gomem_allocator_alloc(a, n, ctypes.byref(offset))
            else:
                rc = lib.gomem_allocator_alloc_aligned(a, n, size_arg(align, "Allocator.alloc"),
                                                       ctypes.byref(offset))
            check(rc, f"Allocator.alloc({n}, align={align})" if align else f"Allocator.alloc({n})")
        return offset.value

    def free(self, offset, n):
        """Give back [offset, offset + n): any part of what is allocated.

        GOMEM_ERR_INVALID when any unit of it is already free or it passes
        the end; nothing changes then.
        """
        with self._handle.use("Allocator.free") as a:
            check(lib.gomem_allocator_free(a, size_arg(offset, "Allocator.free"),
                                           size_arg(n, "Allocator.free")),
                  f"Allocator.free({offset}, {n})")

    def find(self, n):
        """The offset alloc(n) would return, without taking it."""
        offset = ctypes.c_size_t()
        with self._handle.use("Allocator.find") as a:
            rc = lib.gomem_allocator_find(a, size_arg(n, "Allocator.find"), ctypes.byref(offset))
            check(rc, f"Allocator.find({n})")
        return offset.value

    @property
    def size(self):
        """The number of units managed."""
        with self._handle.use("Allocator.size") as a:
            return lib.gomem_allocator_size(a)

    @property
    def free_size(self):
        """The number of free units."""
        with self._handle.use("Allocator.free_size") as a:
            return lib.gomem_allocator_free_size(a)

    @property
    def free_blocks(self):
        """The number of free blocks (runs of free units)."""
        with self._handle.use("Allocator.free_blocks") as a:
            return lib.gomem_allocator_free_blocks(a)

    @property
    def strategy(self):
        """The name of the free-block index in use: "treap", "avl" or "tlsf"."""
        with self._handle.use("Allocator.strategy") as a:
            return lib.gomem_strategy_name(lib.gomem_allocator_strategy(a)).decode()

    def free_stats(self):
        """free_bytes, free_blocks, largest_free and smallest_free
        (gomem_free_stats), in units."""
        with self._handle.use("Allocator.free_stats") as a:
            return free_stats(lib.gomem_allocator_free_stats, a, "Allocator.free_stats")

    def dump(self):
        """The map of gomem_allocator_dump_json, parsed: size, free_bytes,
        free_blocks, largest_free and every free block as [offset, length]."""
        with self._handle.use("Allocator.dump") as a:
            return dump(lib.gomem_allocator_dump_json, a, "Allocator.dump")
