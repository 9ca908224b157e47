# SPDX-License-Identifier: MIT
"""gomem.Scalable: a scalable allocator any thread may use."""
import ctypes
import weakref

from . import _native
from ._errors import check, check_not_null, size_arg
from ._freespace import dump, free_stats
from ._handle import Handle, NativeObject
from ._native import lib

_SHARED = 1  # GOMEM_SCALABLE_SHARED
_STRATEGY_DEFAULT = 0  # GOMEM_STRATEGY_DEFAULT


class Scalable(NativeObject):
    """A scalable allocator (gomem/scalable.h) in shared mode.

    It carves buffers out of chunks of memory it adds as it needs them,
    the first of `initial_size` bytes. Any Python thread may allocate and
    free; the calls run concurrently in the library.

    Use it as a context manager, or call close(): either destroys the
    allocator and every buffer still allocated from it, after closing the
    Recyclable memories that take segments from it. Calls after that
    raise gomem.Error (GOMEM_ERR_INVALID). The views malloc() returned are
    NOT invalidated: touching one after its bytes were freed, or after
    close(), reads or writes memory that is no longer yours, exactly as in
    C. Otherwise the allocator lives as long as the views malloc() made.
    """

    def __init__(self, initial_size):
        ptr = check_not_null(
            lib.gomem_scalable_new_ex(size_arg(initial_size, "Scalable"), _STRATEGY_DEFAULT,
                                      _SHARED),
            f"Scalable({initial_size})")
        # The Recyclable memories taking segments from it: destroying the
        # allocator closes them first, so that their segments go back to it.
        self._recyclables = recyclables = weakref.WeakSet()

        def destroy(allocator):
            for recyclable in list(recyclables):
                recyclable.close()
            lib.gomem_scalable_destroy(allocator)

        self._handle = Handle(ptr, destroy, serialize=False)

    @staticmethod
    def pooled():
        """True when this build carves buffers out of chunks (the default);
        False when each is a system allocation (`-Drecyclable=false`)."""
        return lib.gomem_scalable_pooled()

    def malloc(self, n, align=None):
        """Allocate n bytes: a writable memoryview of them (format 'B').

        With `align` (a power of two), the first byte's address is a
        multiple of it; the padding in front stays free. A bad alignment
        raises gomem.Error (GOMEM_ERR_INVALID). The bytes are not cleared.
        Give them back with free(), all at once or in pieces.
        """
        what = f"Scalable.malloc({n}, align={align})" if align else f"Scalable.malloc({n})"
        n = size_arg(n, "Scalable.malloc")
        with self._handle.use("Scalable.malloc") as s:
            if align is None:
                ptr = lib.gomem_scalable_malloc(s, n)
            else:
                ptr = lib.gomem_scalable_malloc_aligned(s, n, size_arg(align, "Scalable.malloc"))
            ptr = check_not_null(ptr, what)
        return _native.native_view(ptr, n, self)

    def free(self, view):
        """Give back exactly the bytes of `view`.

        `view` is what malloc() returned, or any contiguous slice of it
        (view[16:32] gives back those 16 bytes and nothing else), or a
        slice spanning neighbouring buffers. The view itself stays usable
        in Python; do not touch its bytes afterwards.

        Raises gomem.Error: GOMEM_ERR_NOT_OWNED for bytes this allocator
        does not hold, GOMEM_ERR_INVALID for an empty view or bytes already
        free. A free made while another thread is inside the allocator is
        queued instead, and if it is invalid it is only counted in
        stats()["remote_rejected"] (gomem/scalable.h, "Threads").
        """
        with _native.PinnedBuffer(view) as pin, self._handle.use("Scalable.free") as s:
            check(lib.gomem_scalable_free(s, pin.address, pin.nbytes),
                  f"Scalable.free({pin.nbytes} bytes)")

    def drain(self):
        """Apply the frees queued by other threads now; return how many."""
        with self._handle.use("Scalable.drain") as s:
            return check(lib.gomem_scalable_drain(s), "Scalable.drain")

    def trim(self):
        """Give the chunks that are completely free back to the system."""
        with self._handle.use("Scalable.trim") as s:
            lib.gomem_scalable_trim(s)

    def stats(self):
        """The gomem_stats fields as a dict of ints (byte counts, chunks...)."""
        out = _native.Stats(struct_size=ctypes.sizeof(_native.Stats))
        with self._handle.use("Scalable.stats") as s:
            check(lib.gomem_scalable_stats(s, ctypes.byref(out)), "Scalable.stats")
        return {name: getattr(out, name) for name, _ in _native.Stats._fields_[1:]}

    def free_stats(self):
        """Free space over all chunks: free_bytes, free_blocks,
        largest_free and smallest_free (gomem_free_stats)."""
        with self._handle.use("Scalable.free_stats") as s:
            return free_stats(lib.gomem_scalable_free_stats, s, "Scalable.free_stats")

    def dump(self):
        """The allocator's map (gomem_scalable_dump_json), parsed: its
        chunks with their free blocks, large_blocks and stats."""
        with self._handle.use("Scalable.dump") as s:
            return dump(lib.gomem_scalable_dump_json, s, "Scalable.dump")
