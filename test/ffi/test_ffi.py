#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Load the built libgomem.so with ctypes and drive it the way an FFI user
would: only exported symbols, only C types, errors as return codes/errno.

Usage: test_ffi.py LIBRARY PROJECT_VERSION
"""
import ctypes
import errno
import json
import sys
import threading
import unittest

LIB_PATH = None
PROJECT_VERSION = None

GOMEM_OK = 0
GOMEM_ERR_INVALID = -1
GOMEM_ERR_NOMEM = -2
GOMEM_ERR_UNSUPPORTED = -3
GOMEM_ERR_EOF = -4
GOMEM_ERR_NOT_OWNED = -6
GOMEM_ERR_WRONG_THREAD = -7
GOMEM_STRATEGY_DEFAULT = 0
GOMEM_SCALABLE_SHARED = 1

FREE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_void_p)


class Stats(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t)] + [
        (name, ctypes.c_uint64) for name in (
            "total_malloc", "total_free", "in_use", "chunks", "reserved",
            "large_blocks", "remote_pending", "remote_rejected")]


class FreeStats(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t)] + [
        (name, ctypes.c_uint64) for name in (
            "free_bytes", "free_blocks", "largest_free", "smallest_free")]


SIZE_P = ctypes.POINTER(ctypes.c_size_t)
JSON_P = ctypes.POINTER(ctypes.c_void_p)

SIGNATURES = {
    "gomem_version_string": (ctypes.c_char_p, []),
    "gomem_version": (ctypes.c_uint, []),
    "gomem_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "gomem_err_name": (ctypes.c_char_p, [ctypes.c_int]),
    "gomem_strategy_default": (ctypes.c_int, []),
    "gomem_strategy_name": (ctypes.c_char_p, [ctypes.c_int]),
    "gomem_strategy_available": (ctypes.c_bool, [ctypes.c_int]),
    "gomem_allocator_new": (ctypes.c_void_p, [ctypes.c_size_t, ctypes.c_int]),
    "gomem_allocator_destroy": (None, [ctypes.c_void_p]),
    "gomem_allocator_alloc": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                             ctypes.POINTER(ctypes.c_size_t)]),
    "gomem_allocator_free": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]),
    "gomem_allocator_find": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                            ctypes.POINTER(ctypes.c_size_t)]),
    "gomem_allocator_size": (ctypes.c_size_t, [ctypes.c_void_p]),
    "gomem_allocator_free_size": (ctypes.c_size_t, [ctypes.c_void_p]),
    "gomem_allocator_free_blocks": (ctypes.c_size_t, [ctypes.c_void_p]),
    "gomem_allocator_foreach_free": (ctypes.c_int, [ctypes.c_void_p, FREE_FN, ctypes.c_void_p]),
    "gomem_allocator_strategy": (ctypes.c_int, [ctypes.c_void_p]),
    "gomem_chunk_new": (ctypes.c_void_p, [ctypes.c_size_t, ctypes.c_int]),
    "gomem_chunk_destroy": (None, [ctypes.c_void_p]),
    "gomem_chunk_malloc": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "gomem_chunk_borrow": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "gomem_chunk_free": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]),
    "gomem_chunk_base": (ctypes.c_void_p, [ctypes.c_void_p]),
    "gomem_chunk_free_size": (ctypes.c_size_t, [ctypes.c_void_p]),
    "gomem_chunk_owns": (ctypes.c_bool, [ctypes.c_void_p, ctypes.c_void_p]),
    "gomem_scalable_new": (ctypes.c_void_p, [ctypes.c_size_t]),
    "gomem_scalable_new_ex": (ctypes.c_void_p, [ctypes.c_size_t, ctypes.c_int, ctypes.c_uint]),
    "gomem_scalable_destroy": (None, [ctypes.c_void_p]),
    "gomem_scalable_disown": (ctypes.c_int, [ctypes.c_void_p]),
    "gomem_scalable_malloc": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "gomem_scalable_free": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]),
    "gomem_scalable_drain": (ctypes.c_int, [ctypes.c_void_p]),
    "gomem_memory_new": (ctypes.c_void_p, []),
    "gomem_memory_destroy": (None, [ctypes.c_void_p]),
    "gomem_memory_push": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]),
    "gomem_reader_new": (ctypes.c_void_p, [ctypes.c_void_p]),
    "gomem_reader_destroy": (None, [ctypes.c_void_p]),
    "gomem_reader_offset": (ctypes.c_size_t, [ctypes.c_void_p]),
    "gomem_reader_skip": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t]),
    "gomem_reader_find": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                         ctypes.POINTER(ctypes.c_size_t)]),
    "gomem_reader_find_byte": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_uint8,
                                              ctypes.POINTER(ctypes.c_size_t)]),
    "gomem_reader_read_f64_be": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]),
    "gomem_reader_read_f32_le": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float)]),
    "gomem_reader_read_sleb128": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64)]),
    "gomem_reader_read_zigzag": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64)]),
    "gomem_bitreader_new": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_uint]),
    "gomem_bitreader_destroy": (None, [ctypes.c_void_p]),
    "gomem_bitreader_read_bits": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_uint,
                                                 ctypes.POINTER(ctypes.c_uint64)]),
    "gomem_bitreader_read_ue": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)]),
    "gomem_bitreader_read_se": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64)]),
    "gomem_bitreader_align": (ctypes.c_int, [ctypes.c_void_p]),
    "gomem_scalable_stats": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(Stats)]),
    "gomem_allocator_alloc_aligned": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                                     ctypes.c_size_t, SIZE_P]),
    "gomem_allocator_free_stats": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(FreeStats)]),
    "gomem_allocator_dump_json": (ctypes.c_int, [ctypes.c_void_p, JSON_P, SIZE_P]),
    "gomem_json_free": (None, [ctypes.c_void_p]),
    "gomem_chunk_new_over": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]),
    "gomem_chunk_malloc_aligned": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t,
                                                     ctypes.c_size_t]),
    "gomem_chunk_free_stats": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(FreeStats)]),
    "gomem_scalable_malloc_aligned": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t,
                                                        ctypes.c_size_t]),
    "gomem_scalable_add_region": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p,
                                                 ctypes.c_size_t]),
    "gomem_scalable_free_stats": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(FreeStats)]),
    "gomem_scalable_dump_json": (ctypes.c_int, [ctypes.c_void_p, JSON_P, SIZE_P]),
    "gomem_scalable_pooled": (ctypes.c_bool, []),
}


def dump_json(lib, fn, handle):
    """Call a dump_json function; return the parsed document."""
    out, n = ctypes.c_void_p(), ctypes.c_size_t()
    rc = fn(handle, ctypes.byref(out), ctypes.byref(n))
    if rc != GOMEM_OK:
        raise AssertionError("dump_json returned %d" % rc)
    text = ctypes.string_at(out.value, n.value + 1)
    lib.gomem_json_free(out)
    if text[-1:] != b"\0":
        raise AssertionError("the JSON is not NUL-terminated at *len")
    return json.loads(text[:-1].decode("ascii"))


def load():
    lib = ctypes.CDLL(LIB_PATH, use_errno=True)
    for name, (restype, argtypes) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


class Common(unittest.TestCase):
    def setUp(self):
        self.lib = load()

    def test_version(self):
        self.assertEqual(self.lib.gomem_version_string(), PROJECT_VERSION.encode())
        major, minor, patch = (int(x) for x in PROJECT_VERSION.split("."))
        self.assertEqual(self.lib.gomem_version(), major * 10000 + minor * 100 + patch)

    def test_errors(self):
        self.assertEqual(self.lib.gomem_strerror(GOMEM_OK), b"success")
        self.assertEqual(self.lib.gomem_strerror(GOMEM_ERR_EOF), b"end of data")
        self.assertEqual(self.lib.gomem_strerror(12345), b"unknown error")
        self.assertEqual(self.lib.gomem_err_name(GOMEM_ERR_NOT_OWNED), b"GOMEM_ERR_NOT_OWNED")
        self.assertEqual(self.lib.gomem_err_name(-999), b"GOMEM_ERR_UNKNOWN")
        self.assertEqual(self.lib.gomem_err_name(GOMEM_ERR_WRONG_THREAD), b"GOMEM_ERR_WRONG_THREAD")
        self.assertEqual(self.lib.gomem_strerror(GOMEM_ERR_WRONG_THREAD),
                         b"the allocator belongs to another thread")

    def test_strategies(self):
        default = self.lib.gomem_strategy_default()
        self.assertIn(default, (1, 2, 3))
        self.assertTrue(self.lib.gomem_strategy_available(GOMEM_STRATEGY_DEFAULT))
        self.assertTrue(self.lib.gomem_strategy_available(default))
        self.assertEqual(self.lib.gomem_strategy_name(GOMEM_STRATEGY_DEFAULT),
                         self.lib.gomem_strategy_name(default))
        self.assertIsNone(self.lib.gomem_strategy_name(99))


def default_is_tlsf(lib):
    return lib.gomem_strategy_name(GOMEM_STRATEGY_DEFAULT) == b"tlsf"


class Allocator(unittest.TestCase):
    def setUp(self):
        self.lib = load()
        self.a = self.lib.gomem_allocator_new(1024, GOMEM_STRATEGY_DEFAULT)
        self.assertIsNotNone(self.a, "gomem_allocator_new(1024, DEFAULT) failed")

    def tearDown(self):
        self.lib.gomem_allocator_destroy(self.a)

    def alloc(self, size):
        off = ctypes.c_size_t(777)
        rc = self.lib.gomem_allocator_alloc(self.a, size, ctypes.byref(off))
        return rc, off.value

    def free_blocks(self, stop_after=None):
        seen = []

        def visit(offset, size, ctx):
            seen.append((offset, size))
            return 7 if stop_after is not None and len(seen) >= stop_after else 0

        rc = self.lib.gomem_allocator_foreach_free(self.a, FREE_FN(visit), None)
        return rc, seen

    def test_aligned_stats_json(self):
        self.assertEqual(self.alloc(3), (GOMEM_OK, 0))
        off = ctypes.c_size_t(777)
        self.assertEqual(self.lib.gomem_allocator_alloc_aligned(self.a, 5, 64, ctypes.byref(off)),
                         GOMEM_OK)
        self.assertEqual(off.value, 64)
        self.assertEqual(self.lib.gomem_allocator_alloc_aligned(self.a, 5, 48, ctypes.byref(off)),
                         GOMEM_ERR_INVALID)
        st = FreeStats(struct_size=ctypes.sizeof(FreeStats))
        self.assertEqual(self.lib.gomem_allocator_free_stats(self.a, ctypes.byref(st)), GOMEM_OK)
        self.assertEqual((st.free_bytes, st.free_blocks, st.largest_free, st.smallest_free),
                         (1016, 2, 955, 61))
        doc = dump_json(self.lib, self.lib.gomem_allocator_dump_json, self.a)
        self.assertEqual(doc, {"size": 1024, "free_bytes": 1016, "free_blocks": 2,
                               "largest_free": 955, "free": [[3, 61], [69, 955]]})

    def test_alloc_free_find(self):
        self.assertEqual(self.lib.gomem_allocator_size(self.a), 1024)
        self.assertEqual(self.lib.gomem_allocator_strategy(self.a), self.lib.gomem_strategy_default())
        self.assertEqual(self.alloc(100), (GOMEM_OK, 0))
        self.assertEqual(self.alloc(200), (GOMEM_OK, 100))
        self.assertEqual(self.lib.gomem_allocator_free_size(self.a), 724)

        where = ctypes.c_size_t(0)
        self.assertEqual(self.lib.gomem_allocator_find(self.a, 50, ctypes.byref(where)), GOMEM_OK)
        self.assertEqual(where.value, 300)

        self.assertEqual(self.lib.gomem_allocator_free(self.a, 0, 100), GOMEM_OK)
        self.assertEqual(self.lib.gomem_allocator_free_size(self.a), 824)
        self.assertEqual(self.lib.gomem_allocator_free_blocks(self.a), 2)
        self.assertEqual(self.free_blocks(), (0, [(0, 100), (300, 724)]))
        # First fit (treap) and best fit (avl) pick the block at 0; tlsf
        # carves its current block, the larger one at 300.
        self.assertEqual(self.lib.gomem_allocator_find(self.a, 50, ctypes.byref(where)), GOMEM_OK)
        self.assertEqual(where.value, 300 if default_is_tlsf(self.lib) else 0)

    def test_bad_input_changes_nothing(self):
        self.assertEqual(self.alloc(100), (GOMEM_OK, 0))
        self.assertEqual(self.lib.gomem_allocator_free(self.a, 100, 1), GOMEM_ERR_INVALID)
        self.assertEqual(self.lib.gomem_allocator_free(self.a, 0, 101), GOMEM_ERR_INVALID)
        self.assertEqual(self.lib.gomem_allocator_free(self.a, 0, 0), GOMEM_ERR_INVALID)
        self.assertEqual(self.alloc(2000), (GOMEM_ERR_NOMEM, 777))
        self.assertEqual(self.lib.gomem_allocator_free(None, 0, 1), GOMEM_ERR_INVALID)
        self.assertEqual(self.lib.gomem_allocator_free_size(self.a), 924)
        self.assertEqual(self.free_blocks(), (0, [(100, 924)]))

    def test_callback_stops(self):
        self.assertEqual(self.alloc(10), (GOMEM_OK, 0))
        self.assertEqual(self.alloc(10), (GOMEM_OK, 10))
        self.assertEqual(self.lib.gomem_allocator_free(self.a, 0, 10), GOMEM_OK)
        self.assertEqual(self.free_blocks(stop_after=1), (7, [(0, 10)]))

    def test_constructor_errno(self):
        ctypes.set_errno(0)
        self.assertIsNone(self.lib.gomem_allocator_new(0, GOMEM_STRATEGY_DEFAULT))
        self.assertEqual(ctypes.get_errno(), errno.EINVAL)
        self.lib.gomem_allocator_destroy(None)


class Chunk(unittest.TestCase):
    def setUp(self):
        self.lib = load()
        self.c = self.lib.gomem_chunk_new(4096, GOMEM_STRATEGY_DEFAULT)
        self.assertIsNotNone(self.c, "gomem_chunk_new(4096, DEFAULT) failed")
        self.base = self.lib.gomem_chunk_base(self.c)

    def tearDown(self):
        self.lib.gomem_chunk_destroy(self.c)

    def test_malloc_write_free(self):
        data = b"hello from ctypes"
        p = self.lib.gomem_chunk_malloc(self.c, len(data))
        self.assertEqual(p, self.base)
        ctypes.memmove(p, data, len(data))
        q = self.lib.gomem_chunk_malloc(self.c, 32)
        self.assertEqual(q, self.base + len(data))
        ctypes.memmove(q, b"\xab" * 32, 32)
        self.assertEqual(ctypes.string_at(p, len(data)), data)
        self.assertEqual(ctypes.string_at(q, 32), b"\xab" * 32)
        self.assertEqual(self.lib.gomem_chunk_free_size(self.c), 4096 - len(data) - 32)

        self.assertEqual(self.lib.gomem_chunk_free(self.c, p, len(data)), GOMEM_OK)
        self.assertEqual(self.lib.gomem_chunk_free(self.c, p, len(data)), GOMEM_ERR_INVALID)
        self.assertEqual(self.lib.gomem_chunk_free_size(self.c), 4096 - 32)
        # tlsf carves its current block, the larger one after q.
        after_q = len(data) + 32 if default_is_tlsf(self.lib) else 0
        self.assertEqual(self.lib.gomem_chunk_borrow(self.c, 8), self.base + after_q)
        self.assertEqual(self.lib.gomem_chunk_free_size(self.c), 4096 - 32)

    def test_foreign_pointer(self):
        outside = ctypes.create_string_buffer(16)
        self.assertFalse(self.lib.gomem_chunk_owns(self.c, ctypes.addressof(outside)))
        self.assertTrue(self.lib.gomem_chunk_owns(self.c, self.base))
        self.assertEqual(self.lib.gomem_chunk_free(self.c, ctypes.addressof(outside), 16),
                         GOMEM_ERR_NOT_OWNED)
        self.assertEqual(self.lib.gomem_chunk_free_size(self.c), 4096)

    def test_new_over_and_aligned(self):
        region = ctypes.create_string_buffer(b"\x5a" * 4096, 4096)
        c = self.lib.gomem_chunk_new_over(region, 4096, GOMEM_STRATEGY_DEFAULT)
        self.assertIsNotNone(c)
        p = self.lib.gomem_chunk_malloc_aligned(c, 100, 256)
        self.assertIsNotNone(p)
        self.assertEqual(p % 256, 0)
        st = FreeStats(struct_size=ctypes.sizeof(FreeStats))
        self.assertEqual(self.lib.gomem_chunk_free_stats(c, ctypes.byref(st)), GOMEM_OK)
        self.assertEqual(st.free_bytes, 3996)
        self.assertEqual(self.lib.gomem_chunk_free(c, p, 100), GOMEM_OK)
        self.lib.gomem_chunk_destroy(c)
        self.assertEqual(region.raw, b"\x5a" * 4096)

    def test_malloc_too_big(self):
        ctypes.set_errno(0)
        self.assertIsNone(self.lib.gomem_chunk_malloc(self.c, 4097))
        self.assertEqual(ctypes.get_errno(), errno.ENOMEM)
        self.assertEqual(self.lib.gomem_chunk_free_size(self.c), 4096)


def on_thread(fn):
    """Run fn() on a new Python thread; return its result or raise its error."""
    out = {}

    def body():
        try:
            out["value"] = fn()
        except BaseException as e:  # re-raised on the calling thread
            out["error"] = e

    t = threading.Thread(target=body)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


class Scalable(unittest.TestCase):
    """Ownership as Python threads see it (ctypes lets go of the GIL
    during each call, so the threads really run at once)."""

    def setUp(self):
        self.lib = load()

    def stats(self, s):
        st = Stats(struct_size=ctypes.sizeof(Stats))
        self.assertEqual(self.lib.gomem_scalable_stats(s, ctypes.byref(st)), GOMEM_OK)
        return st

    def test_flags(self):
        ctypes.set_errno(0)
        self.assertIsNone(self.lib.gomem_scalable_new_ex(1024, GOMEM_STRATEGY_DEFAULT, 2))
        self.assertEqual(ctypes.get_errno(), errno.EINVAL)
        s = self.lib.gomem_scalable_new_ex(1024, GOMEM_STRATEGY_DEFAULT, GOMEM_SCALABLE_SHARED)
        self.assertIsNotNone(s)
        self.assertEqual(self.lib.gomem_scalable_disown(s), GOMEM_ERR_INVALID)
        self.lib.gomem_scalable_destroy(s)

    def test_shared_from_python_threads(self):
        s = self.lib.gomem_scalable_new_ex(4096, GOMEM_STRATEGY_DEFAULT, GOMEM_SCALABLE_SHARED)
        self.assertIsNotNone(s)
        lib = self.lib
        failures = []

        def work(tag):
            live = []
            for i in range(300):
                n = 1 + (i * 37 + tag) % 500
                p = lib.gomem_scalable_malloc(s, n)
                if p is None:
                    failures.append((tag, "malloc", n))
                    return
                ctypes.memset(p, tag, n)
                live.append((p, n))
                if len(live) > 8:
                    p, n = live.pop(0)
                    if ctypes.string_at(p, n) != bytes([tag]) * n:
                        failures.append((tag, "pattern", n))
                    if lib.gomem_scalable_free(s, p, n) != GOMEM_OK:
                        failures.append((tag, "free", n))
            for p, n in live:
                if lib.gomem_scalable_free(s, p, n) != GOMEM_OK:
                    failures.append((tag, "free", n))

        threads = [threading.Thread(target=work, args=(tag,)) for tag in range(1, 5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertGreaterEqual(self.lib.gomem_scalable_drain(s), 0)
        st = self.stats(s)
        self.assertEqual(st.in_use, 0)
        self.assertEqual(st.remote_pending, 0)
        self.assertEqual(st.remote_rejected, 0)
        self.assertEqual(st.total_free, st.total_malloc)
        self.lib.gomem_scalable_destroy(s)

    def test_aligned_region_json(self):
        s = self.lib.gomem_scalable_new(4096)
        self.assertIsNotNone(s)
        p = self.lib.gomem_scalable_malloc_aligned(s, 100, 4096)
        self.assertIsNotNone(p)
        self.assertEqual(p % 4096, 0)
        region = ctypes.create_string_buffer(8192)
        pooled = self.lib.gomem_scalable_pooled()
        self.assertEqual(self.lib.gomem_scalable_add_region(s, region, 8192),
                         GOMEM_OK if pooled else GOMEM_ERR_UNSUPPORTED)
        doc = dump_json(self.lib, self.lib.gomem_scalable_dump_json, s)
        self.assertEqual(sorted(doc), ["chunks", "large_blocks", "stats"])
        self.assertEqual(doc["stats"]["in_use"], 100)
        if pooled:
            self.assertEqual(self.lib.gomem_scalable_add_region(s, region, 8192),
                             GOMEM_ERR_INVALID)
            self.assertIn({"size": 8192, "free_bytes": 8192, "free_blocks": 1,
                           "largest_free": 8192, "free": [[0, 8192]]}, doc["chunks"])
        st = FreeStats(struct_size=ctypes.sizeof(FreeStats))
        self.assertEqual(self.lib.gomem_scalable_free_stats(s, ctypes.byref(st)), GOMEM_OK)
        self.assertEqual(st.free_bytes, sum(c["free_bytes"] for c in doc["chunks"]))
        self.assertEqual(self.lib.gomem_scalable_free(s, p, 100), GOMEM_OK)
        self.lib.gomem_scalable_destroy(s)

    def test_owned_refuses_another_thread(self):
        s = self.lib.gomem_scalable_new(4096)
        self.assertIsNotNone(s)
        lib = self.lib

        def malloc_elsewhere():
            ctypes.set_errno(0)
            return lib.gomem_scalable_malloc(s, 64), ctypes.get_errno()

        self.assertEqual(on_thread(malloc_elsewhere), (None, errno.EPERM))
        self.assertEqual(on_thread(lambda: lib.gomem_scalable_drain(s)), GOMEM_ERR_WRONG_THREAD)
        p = self.lib.gomem_scalable_malloc(s, 64)
        self.assertIsNotNone(p)
        # A free from another thread is queued (another thread's stats
        # apply nothing); the owner's next call applies it.
        self.assertEqual(on_thread(lambda: lib.gomem_scalable_free(s, p, 64)), GOMEM_OK)
        seen = on_thread(lambda: self.stats(s))
        self.assertEqual((seen.remote_pending, seen.in_use), (1, 64))
        self.assertEqual(self.lib.gomem_scalable_drain(s), 1)
        self.assertEqual(self.stats(s).in_use, 0)
        self.lib.gomem_scalable_destroy(s)

    def test_disown_and_adopt(self):
        s = self.lib.gomem_scalable_new(4096)
        self.assertIsNotNone(s)
        lib = self.lib
        p = self.lib.gomem_scalable_malloc(s, 100)
        self.assertIsNotNone(p)
        self.assertEqual(self.lib.gomem_scalable_disown(s), GOMEM_OK)
        self.assertEqual(self.lib.gomem_scalable_disown(s), GOMEM_ERR_WRONG_THREAD)
        self.assertEqual(self.lib.gomem_scalable_free(s, p, 100), GOMEM_OK)  # queued
        self.assertEqual(self.stats(s).remote_pending, 1)

        adopted = threading.Event()
        checked = threading.Event()
        seen = {}

        def adopter():
            try:
                q = lib.gomem_scalable_malloc(s, 10)  # adopts, applies the queued free
                st = self.stats(s)
                seen["adopt"] = (q is not None, st.in_use, st.remote_pending)
            finally:
                adopted.set()
            checked.wait()
            seen["free"] = lib.gomem_scalable_free(s, q, 10)
            seen["disown"] = lib.gomem_scalable_disown(s)

        t = threading.Thread(target=adopter)
        t.start()
        adopted.wait()
        ctypes.set_errno(0)
        refused = self.lib.gomem_scalable_malloc(s, 10)
        err = ctypes.get_errno()
        checked.set()
        t.join()
        self.assertEqual(seen["adopt"], (True, 10, 0))
        self.assertIsNone(refused)
        self.assertEqual(err, errno.EPERM)
        self.assertEqual(seen["free"], GOMEM_OK)
        self.assertEqual(seen["disown"], GOMEM_OK)
        # Handed back: this thread adopts it again.
        q = self.lib.gomem_scalable_malloc(s, 10)
        self.assertIsNotNone(q)
        self.assertEqual(self.lib.gomem_scalable_free(s, q, 10), GOMEM_OK)
        self.assertEqual(self.stats(s).in_use, 0)
        self.lib.gomem_scalable_destroy(s)


class Reader(unittest.TestCase):
    """Search, floats, varints and the bit reader over bytes split in pieces."""

    def setUp(self):
        self.lib = load()
        self.mem = self.lib.gomem_memory_new()
        self.bufs = []

    def tearDown(self):
        self.lib.gomem_memory_destroy(self.mem)

    def push(self, *pieces):
        for piece in pieces:
            buf = ctypes.create_string_buffer(piece, len(piece))
            self.bufs.append(buf)  # the memory only points at it
            self.assertEqual(self.lib.gomem_memory_push(self.mem, buf, len(piece)), GOMEM_OK)

    def test_find_floats_varints(self):
        # "\r\n\r\n" across three pieces; then AMF0's 1.5 (f64 BE), -1.5f LE,
        # sleb128 -123456 and zigzag 3 = -2.
        self.push(b"ab\r", b"\n\r", b"\n", b"\x3f\xf8\x00\x00", b"\x00\x00\x00\x00",
                  b"\x00\x00\xc0\xbf", b"\xc0\xbb\x78\x03")
        r = self.lib.gomem_reader_new(self.mem)
        pos = ctypes.c_size_t(99)
        self.assertEqual(self.lib.gomem_reader_find(r, b"\r\n\r\n", 4, ctypes.byref(pos)), GOMEM_OK)
        self.assertEqual(pos.value, 2)
        self.assertEqual(self.lib.gomem_reader_find(r, b"\n\n", 2, ctypes.byref(pos)), GOMEM_ERR_EOF)
        self.assertEqual(pos.value, 2)
        self.assertEqual(self.lib.gomem_reader_find_byte(r, 0xf8, ctypes.byref(pos)), GOMEM_OK)
        self.assertEqual(pos.value, 7)
        self.assertEqual(self.lib.gomem_reader_offset(r), 0)  # searching consumes nothing
        self.assertEqual(self.lib.gomem_reader_skip(r, 6), GOMEM_OK)
        d, f, v = ctypes.c_double(), ctypes.c_float(), ctypes.c_int64()
        self.assertEqual(self.lib.gomem_reader_read_f64_be(r, ctypes.byref(d)), GOMEM_OK)
        self.assertEqual(d.value, 1.5)
        self.assertEqual(self.lib.gomem_reader_read_f32_le(r, ctypes.byref(f)), GOMEM_OK)
        self.assertEqual(f.value, -1.5)
        self.assertEqual(self.lib.gomem_reader_read_sleb128(r, ctypes.byref(v)), GOMEM_OK)
        self.assertEqual(v.value, -123456)
        self.assertEqual(self.lib.gomem_reader_read_zigzag(r, ctypes.byref(v)), GOMEM_OK)
        self.assertEqual(v.value, -2)
        self.assertEqual(self.lib.gomem_reader_read_zigzag(r, ctypes.byref(v)), GOMEM_ERR_EOF)
        self.assertEqual(v.value, -2)
        self.lib.gomem_reader_destroy(r)

    def test_bitreader(self):
        # An SPS-like start: 8-bit profile, then ue 0..3 and se -2, with 00 00 03 split.
        self.push(b"\x64", b"\xa6\x42", b"\x80\x00", b"\x00", b"\x03\x01")
        r = self.lib.gomem_reader_new(self.mem)
        ctypes.set_errno(0)
        self.assertIsNone(self.lib.gomem_bitreader_new(None, 0))
        self.assertEqual(ctypes.get_errno(), errno.EINVAL)
        b = self.lib.gomem_bitreader_new(r, 1)
        u, s = ctypes.c_uint64(), ctypes.c_int64()
        self.assertEqual(self.lib.gomem_bitreader_read_bits(b, 8, ctypes.byref(u)), GOMEM_OK)
        self.assertEqual(u.value, 100)
        got = []
        for _ in range(4):
            self.assertEqual(self.lib.gomem_bitreader_read_ue(b, ctypes.byref(u)), GOMEM_OK)
            got.append(u.value)
        self.assertEqual(got, [0, 1, 2, 3])
        self.assertEqual(self.lib.gomem_bitreader_read_se(b, ctypes.byref(s)), GOMEM_OK)  # 00101
        self.assertEqual(s.value, -2)
        self.assertEqual(self.lib.gomem_bitreader_read_bits(b, 65, ctypes.byref(u)), GOMEM_ERR_INVALID)
        self.assertEqual(self.lib.gomem_bitreader_align(b), GOMEM_OK)
        self.assertEqual(self.lib.gomem_reader_offset(r), 4)
        self.assertEqual(self.lib.gomem_bitreader_read_bits(b, 24, ctypes.byref(u)), GOMEM_OK)
        self.assertEqual(u.value, 0x000001)  # the 03 is gone
        self.assertEqual(self.lib.gomem_reader_offset(r), 8)
        self.lib.gomem_bitreader_destroy(b)
        self.lib.gomem_reader_destroy(r)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    LIB_PATH, PROJECT_VERSION = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[3:])
