# SPDX-License-Identifier: MIT
"""gomem.Memory and gomem.Reader: segments of bytes, and a cursor over them."""
import contextlib
import ctypes
import weakref

from ._errors import ERR_EOF, ERR_INVALID, Error, check, check_not_null, size_arg
from ._handle import Handle, NativeObject
from ._native import PinnedBuffer, lib


class Memory(NativeObject):
    """An ordered list of byte segments (gomem/memory.h), nothing copied.

    Each segment is a bytes-like object (bytes, bytearray, memoryview,
    mmap, a Scalable buffer...): the memory keeps it alive and pinned (a
    bytearray cannot be resized) until close(). len() is the total number
    of bytes, `count` the number of segments. A context manager; calls
    after close() raise gomem.Error (GOMEM_ERR_INVALID).
    """

    _pins = ()  # until _adopt

    def __init__(self, segments=()):
        self._adopt(Handle(check_not_null(lib.gomem_memory_new(), "Memory"),
                           lib.gomem_memory_destroy))
        for segment in segments:
            self.push(segment)

    def _adopt(self, handle):
        """Become the Memory of `handle`, whose pointer is a gomem_memory."""
        self._pins = []
        self._readers = weakref.WeakSet()
        self._handle = handle

    def push(self, segment):
        """Append the bytes of `segment` (contiguous, possibly empty)."""
        pin = PinnedBuffer(segment)
        with self._handle.use("Memory.push") as m:
            rc = lib.gomem_memory_push(m, pin.address, pin.nbytes)
            if rc < 0:
                pin.release()
            check(rc, "Memory.push")
            self._pins.append(pin)

    @property
    def count(self):
        """The number of segments, empty ones included."""
        with self._handle.use("Memory.count") as m:
            return lib.gomem_memory_count(m)

    def __len__(self):
        with self._handle.use("len(Memory)") as m:
            return lib.gomem_memory_size(m)

    def __bytes__(self):
        """All the bytes, in order, copied into one bytes object."""
        with self._handle.use("bytes(Memory)") as m:
            out = ctypes.create_string_buffer(lib.gomem_memory_size(m))
            lib.gomem_memory_copy_to(m, out, len(out))
        return out.raw

    def close(self):
        """Forget the segments and let go of their objects. Idempotent."""
        super().close()
        self._release_pins()

    def _release_pins(self):
        for pin in self._pins:
            pin.release()
        self._pins = []

    def _restart_readers(self, m):
        """Put every reader back at the start of `m`, which was emptied (one
        closed meanwhile needs nothing)."""
        for reader in list(self._readers):
            with contextlib.suppress(Error), reader._handle.use("restart") as r:
                lib.gomem_reader_reset(r, m)


class Reader(NativeObject):
    """A cursor over a Memory (gomem/reader.h): reads across segments.

    Every read that needs more bytes than remain raises gomem.Error named
    GOMEM_ERR_EOF and consumes nothing. `offset` counts the bytes consumed,
    `remaining` those left; bytes pushed to the memory later are seen. The
    reader keeps its memory alive; once either is closed, calls raise
    gomem.Error (GOMEM_ERR_INVALID).
    """

    def __init__(self, memory):
        with memory._handle.use("Reader") as m:
            ptr = check_not_null(lib.gomem_reader_new(m), "Reader")
            self._memory = memory
            self._handle = Handle(ptr, lib.gomem_reader_destroy)
            memory._readers.add(self)

    @contextlib.contextmanager
    def _use(self, what):
        # The memory first: it must not change, nor go, under the reader.
        with self._memory._handle.use(what), self._handle.use(what) as r:
            yield r

    @property
    def offset(self):
        """The bytes consumed so far."""
        with self._use("Reader.offset") as r:
            return lib.gomem_reader_offset(r)

    @property
    def remaining(self):
        """The bytes not consumed yet."""
        with self._use("Reader.remaining") as r:
            return lib.gomem_reader_remaining(r)

    def read(self, n):
        """Consume exactly n bytes and return them."""
        return self._copy(lib.gomem_reader_read_exact, n, "Reader.read")

    def peek(self, n):
        """Return the next n bytes without consuming them."""
        return self._copy(lib.gomem_reader_peek, n, "Reader.peek")

    def _copy(self, fn, n, what):
        out = ctypes.create_string_buffer(size_arg(n, what))
        with self._use(what) as r:
            check(fn(r, out, n), f"{what}({n})")
        return out.raw

    def read_be(self, n):
        """Consume an unsigned big-endian integer of n bytes (1 to 8)."""
        return self._read_int(lib.gomem_reader_read_be, n, "Reader.read_be")

    def read_le(self, n):
        """Consume an unsigned little-endian integer of n bytes (1 to 8)."""
        return self._read_int(lib.gomem_reader_read_le, n, "Reader.read_le")

    def _read_int(self, fn, n, what):
        if not 1 <= n <= 8:  # also keeps n inside the C `unsigned`
            raise Error(ERR_INVALID, f"{what}({n}): integers have 1 to 8 bytes")
        out = ctypes.c_uint64()
        with self._use(what) as r:
            check(fn(r, n, ctypes.byref(out)), f"{what}({n})")
        return out.value

    def read_uleb128(self):
        """Consume an unsigned LEB128 integer (up to 64 bits).

        GOMEM_ERR_OVERFLOW when it does not fit 64 bits, GOMEM_ERR_EOF when
        the data ends inside it; nothing is consumed then.
        """
        out = ctypes.c_uint64()
        with self._use("Reader.read_uleb128") as r:
            check(lib.gomem_reader_read_uleb128(r, ctypes.byref(out)), "Reader.read_uleb128")
        return out.value

    def skip(self, n):
        """Consume n bytes without copying them."""
        with self._use("Reader.skip") as r:
            check(lib.gomem_reader_skip(r, size_arg(n, "Reader.skip")), f"Reader.skip({n})")

    def unread(self, n):
        """Step back n bytes (at most `offset`), making them unread again."""
        with self._use("Reader.unread") as r:
            check(lib.gomem_reader_unread(r, size_arg(n, "Reader.unread")), f"Reader.unread({n})")

    def find(self, needle):
        """The distance from the cursor to the first occurrence of the
        bytes-like `needle` (which may straddle segments), or -1 when there
        is none, like bytes.find. Consumes nothing."""
        pos = ctypes.c_size_t()
        with PinnedBuffer(needle) as pin, self._use("Reader.find") as r:
            rc = lib.gomem_reader_find(r, pin.address, pin.nbytes, ctypes.byref(pos))
        return self._found(rc, pos, "Reader.find")

    def find_byte(self, byte):
        """The distance from the cursor to the first byte equal to `byte`
        (an int, 0 to 255), or -1 when there is none. Consumes nothing."""
        if not 0 <= byte <= 255:
            raise Error(ERR_INVALID, f"Reader.find_byte({byte}): not a byte")
        pos = ctypes.c_size_t()
        with self._use("Reader.find_byte") as r:
            rc = lib.gomem_reader_find_byte(r, byte, ctypes.byref(pos))
        return self._found(rc, pos, "Reader.find_byte")

    @staticmethod
    def _found(rc, pos, what):
        if rc == ERR_EOF:
            return -1
        check(rc, what)
        return pos.value
