# SPDX-License-Identifier: MIT
"""Free-space statistics and JSON maps, shared by Allocator and Scalable."""
import ctypes
import json

from ._errors import check
from ._native import FreeStats, lib


def free_stats(fn, handle, what):
    """The gomem_free_stats fields that fn (a *_free_stats call) reports
    for handle, as a dict of ints."""
    out = FreeStats(struct_size=ctypes.sizeof(FreeStats))
    check(fn(handle, ctypes.byref(out)), what)
    return {name: getattr(out, name) for name, _ in FreeStats._fields_[1:]}


def dump(fn, handle, what):
    """The JSON map that fn (a *_dump_json call) writes for handle, parsed
    into dicts and lists."""
    text, n = ctypes.c_void_p(), ctypes.c_size_t()
    check(fn(handle, ctypes.byref(text), ctypes.byref(n)), what)
    try:
        return json.loads(ctypes.string_at(text.value, n.value))
    finally:
        lib.gomem_json_free(text.value)
