# SPDX-License-Identifier: MIT
"""libgomem from Python: allocators, segmented memory and a zero-copy reader.

A thin ctypes layer over the C library libgomem.so.1, loaded by its soname
(LD_LIBRARY_PATH and the system's library path apply) or from the file the
environment variable GOMEM_LIBRARY names. The C headers (gomem/*.h) say
in full what each call does.

- Scalable: a thread-safe allocator handing out memoryviews; free() takes
  any slice of them back.
- Memory and Reader: bytes-like segments read as one stream without
  copying them together first; Recyclable, a Memory that allocates its
  segments from a Scalable and gives them all back with one recycle().
- Allocator: a range allocator (offsets in [0, size)); strategies() names
  the free-block indexes it may use in this build.
- Error: what every failing call raises, with .code and .name.
"""
from ._allocator import Allocator, strategies
from ._errors import (ERR_EOF, ERR_INVALID, ERR_NOMEM, ERR_NOT_OWNED, ERR_OVERFLOW,
                      ERR_UNSUPPORTED, ERR_WRONG_THREAD, Error)
from ._memory import Memory, Reader
from ._native import lib as _lib
from ._recyclable import Recyclable
from ._scalable import Scalable

__all__ = [
    "Allocator", "Error", "Memory", "Reader", "Recyclable", "Scalable", "strategies",
    "version",
    "ERR_INVALID", "ERR_NOMEM", "ERR_UNSUPPORTED", "ERR_EOF", "ERR_OVERFLOW",
    "ERR_NOT_OWNED", "ERR_WRONG_THREAD",
]

# Show the public classes as gomem.X (in reprs and tracebacks), not as the
# private module that defines them.
for _public in (Allocator, Error, Memory, Reader, Recyclable, Scalable):
    _public.__module__ = __name__


def version():
    """The version of the loaded library, e.g. "1.0.0"."""
    return _lib.gomem_version_string().decode()
