# SPDX-License-Identifier: MIT
"""The C library: loading it, and the prototype of every function used.

Each prototype copies its C declaration in include/gomem/*.h: size_t is
c_size_t, uint64_t c_uint64, enums and status codes c_int, `unsigned`
c_uint, and every handle an opaque c_void_p.
"""
import ctypes
import os

_LIBRARY_ENV = "GOMEM_LIBRARY"
_SONAME = "libgomem.so.1"

_size_t = ctypes.c_size_t
_size_p = ctypes.POINTER(ctypes.c_size_t)
_u64_p = ctypes.POINTER(ctypes.c_uint64)
_handle = ctypes.c_void_p
_ptr = ctypes.c_void_p
_int = ctypes.c_int


class Stats(ctypes.Structure):
    """struct gomem_stats (gomem/scalable.h), field for field."""

    _fields_ = [("struct_size", ctypes.c_size_t)] + [
        (name, ctypes.c_uint64)
        for name in ("total_malloc", "total_free", "in_use", "chunks", "reserved",
                     "large_blocks", "remote_pending", "remote_rejected")
    ]


class FreeStats(ctypes.Structure):
    """struct gomem_free_stats (gomem/common.h), field for field."""

    _fields_ = [("struct_size", ctypes.c_size_t)] + [
        (name, ctypes.c_uint64)
        for name in ("free_bytes", "free_blocks", "largest_free", "smallest_free")
    ]


_char_pp = ctypes.POINTER(ctypes.c_void_p)  # char **, kept as an address to free it

# name: (restype, argtypes)
_PROTOTYPES = {
    # gomem/common.h
    "gomem_version_string": (ctypes.c_char_p, []),
    "gomem_err_name": (ctypes.c_char_p, [_int]),
    "gomem_strerror": (ctypes.c_char_p, [_int]),
    "gomem_strategy_name": (ctypes.c_char_p, [_int]),
    "gomem_strategy_available": (ctypes.c_bool, [_int]),
    "gomem_json_free": (None, [_ptr]),
    # gomem/scalable.h
    "gomem_scalable_new_ex": (_handle, [_size_t, _int, ctypes.c_uint]),
    "gomem_scalable_destroy": (None, [_handle]),
    "gomem_scalable_malloc": (_ptr, [_handle, _size_t]),
    "gomem_scalable_free": (_int, [_handle, _ptr, _size_t]),
    "gomem_scalable_drain": (_int, [_handle]),
    "gomem_scalable_trim": (None, [_handle]),
    "gomem_scalable_stats": (_int, [_handle, ctypes.POINTER(Stats)]),
    "gomem_scalable_pooled": (ctypes.c_bool, []),
    "gomem_scalable_malloc_aligned": (_ptr, [_handle, _size_t, _size_t]),
    "gomem_scalable_free_stats": (_int, [_handle, ctypes.POINTER(FreeStats)]),
    "gomem_scalable_dump_json": (_int, [_handle, _char_pp, _size_p]),
    # gomem/recyclable.h
    "gomem_recyclable_new": (_handle, [_handle]),
    "gomem_recyclable_destroy": (None, [_handle]),
    "gomem_recyclable_next": (_ptr, [_handle, _size_t]),
    "gomem_recyclable_recycle": (None, [_handle]),
    "gomem_recyclable_memory": (_handle, [_handle]),
    "gomem_recyclable_recorded": (_size_t, [_handle]),
    # gomem/allocator.h
    "gomem_allocator_create": (_int, [_size_t, _int, ctypes.POINTER(_handle)]),
    "gomem_allocator_destroy": (None, [_handle]),
    "gomem_allocator_alloc": (_int, [_handle, _size_t, _size_p]),
    "gomem_allocator_free": (_int, [_handle, _size_t, _size_t]),
    "gomem_allocator_find": (_int, [_handle, _size_t, _size_p]),
    "gomem_allocator_size": (_size_t, [_handle]),
    "gomem_allocator_free_size": (_size_t, [_handle]),
    "gomem_allocator_free_blocks": (_size_t, [_handle]),
    "gomem_allocator_strategy": (_int, [_handle]),
    "gomem_allocator_alloc_aligned": (_int, [_handle, _size_t, _size_t, _size_p]),
    "gomem_allocator_free_stats": (_int, [_handle, ctypes.POINTER(FreeStats)]),
    "gomem_allocator_dump_json": (_int, [_handle, _char_pp, _size_p]),
    # gomem/memory.h
    "gomem_memory_new": (_handle, []),
    "gomem_memory_destroy": (None, [_handle]),
    "gomem_memory_push": (_int, [_handle, _ptr, _size_t]),
    "gomem_memory_size": (_size_t, [_handle]),
    "gomem_memory_count": (_size_t, [_handle]),
    "gomem_memory_copy_to": (_size_t, [_handle, _ptr, _size_t]),
    # gomem/reader.h
    "gomem_reader_new": (_handle, [_handle]),
    "gomem_reader_destroy": (None, [_handle]),
    "gomem_reader_reset": (_int, [_handle, _handle]),
    "gomem_reader_remaining": (_size_t, [_handle]),
    "gomem_reader_offset": (_size_t, [_handle]),
    "gomem_reader_read_exact": (_int, [_handle, _ptr, _size_t]),
    "gomem_reader_peek": (_int, [_handle, _ptr, _size_t]),
    "gomem_reader_read_be": (_int, [_handle, ctypes.c_uint, _u64_p]),
    "gomem_reader_read_le": (_int, [_handle, ctypes.c_uint, _u64_p]),
    "gomem_reader_read_uleb128": (_int, [_handle, _u64_p]),
    "gomem_reader_skip": (_int, [_handle, _size_t]),
    "gomem_reader_unread": (_int, [_handle, _size_t]),
    "gomem_reader_find_byte": (_int, [_handle, ctypes.c_uint8, _size_p]),
    "gomem_reader_find": (_int, [_handle, _ptr, _size_t, _size_p]),
}


def _load():
    path = os.environ.get(_LIBRARY_ENV) or _SONAME
    try:
        lib = ctypes.CDLL(path, use_errno=True)
    except OSError as e:
        raise ImportError(
            f"gomem: cannot load {path} ({e}); install libgomem1, add its directory "
            f"to LD_LIBRARY_PATH, or name the file in {_LIBRARY_ENV}") from e
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


lib = _load()


class _PyBuffer(ctypes.Structure):
    """Py_buffer (the buffer protocol): this layout since Python 3.3."""

    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.c_void_p),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.c_void_p),
        ("strides", ctypes.c_void_p),
        ("suboffsets", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]


_PyObject_GetBuffer = ctypes.pythonapi.PyObject_GetBuffer
_PyObject_GetBuffer.restype = ctypes.c_int
_PyObject_GetBuffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_PyBuffer_Release = ctypes.pythonapi.PyBuffer_Release
_PyBuffer_Release.restype = None
_PyBuffer_Release.argtypes = [ctypes.POINTER(_PyBuffer)]
_PyBUF_SIMPLE = 0


class PinnedBuffer:
    """The bytes of a bytes-like object, held where they are.

    While pinned, the object cannot move its bytes (a bytearray refuses to
    resize, for instance) and stays alive, so `address` stays valid for C.
    Works for read-only objects too; a non-contiguous buffer raises
    BufferError. As a context manager, it lets go at the end of the block.
    """

    def __init__(self, obj):
        self._view = _PyBuffer()
        self._held = False
        _PyObject_GetBuffer(obj, ctypes.byref(self._view), _PyBUF_SIMPLE)
        self._held = True

    @property
    def address(self):
        """The address of the first byte (None for an empty buffer)."""
        return self._view.buf if self._view.len else None

    @property
    def nbytes(self):
        return self._view.len

    def release(self, _release=_PyBuffer_Release):
        """Let the object move or free its bytes again. Idempotent."""
        # _release is bound at definition: __del__ may run at interpreter
        # exit, after the module's globals are gone.
        if self._held:
            self._held = False
            _release(ctypes.byref(self._view))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()

    def __del__(self):
        self.release()


def native_view(address, n, owner):
    """A writable memoryview (format 'B') of the n bytes at `address`,
    which keeps `owner` alive."""
    block = (ctypes.c_ubyte * n).from_address(address)
    block.owner = owner
    return memoryview(block).cast("B")

