# SPDX-License-Identifier: MIT
"""gomem.Recyclable: a Memory whose segments go back in one call."""
import contextlib

from ._errors import check_not_null, size_arg
from ._handle import Handle
from ._memory import Memory
from ._native import lib, native_view


class Recyclable(Memory):
    """A Memory that allocates its own segments (gomem/recyclable.h).

    next(n) allocates n bytes from `allocator` (a Scalable; None takes
    them from malloc), appends them as a segment and returns them as a
    writable memoryview; recycle() gives back every segment next() made
    and empties the memory, ready for the next packet. push() appends a
    borrowed segment, as for a Memory: recycle() forgets it, never frees
    it. Readers of a recycled memory start again at its (empty) beginning.

    close() recycles too. Closing the allocator closes the recyclable
    memories that use it first. As with Scalable, the views of recycled
    bytes must not be touched any more.
    """

    def __init__(self, allocator=None):
        self._allocator = allocator  # kept alive: the segments are its
        with self._allocator_use("Recyclable") as s:
            r = check_not_null(lib.gomem_recyclable_new(s), "Recyclable")
            self._recyclable = r
            self._adopt(Handle(lib.gomem_recyclable_memory(r),
                               lambda _view: lib.gomem_recyclable_destroy(r)))
            if allocator is not None:
                allocator._recyclables.add(self)

    def _allocator_use(self, what):
        if self._allocator is None:
            return contextlib.nullcontext(None)
        return self._allocator._handle.use(what)

    def next(self, n):
        """Allocate n bytes, append them, and return them (a memoryview)."""
        with self._handle.use("Recyclable.next"), self._allocator_use("Recyclable.next"):
            ptr = check_not_null(
                lib.gomem_recyclable_next(self._recyclable, size_arg(n, "Recyclable.next")),
                f"Recyclable.next({n})")
        return native_view(ptr, n, self)

    def recycle(self):
        """Give back every segment next() made, and empty the memory."""
        with self._handle.use("Recyclable.recycle") as m, \
                self._allocator_use("Recyclable.recycle"):
            lib.gomem_recyclable_recycle(self._recyclable)
            self._release_pins()
            self._restart_readers(m)

    @property
    def recorded(self):
        """The number of segments recycle() will give back."""
        with self._handle.use("Recyclable.recorded"):
            return lib.gomem_recyclable_recorded(self._recyclable)
