# SPDX-License-Identifier: MIT
"""gomem.Scalable: buffers as memoryviews, partial frees, threads, lifetime."""
import ctypes
import gc
import re
import threading
import weakref

import pytest

import gomem
from conftest import TOP, expect_error

STATS_FIELDS = ["total_malloc", "total_free", "in_use", "chunks", "reserved",
                "large_blocks", "remote_pending", "remote_rejected"]


def test_stats_struct_is_the_headers():
    header = (TOP / "include/gomem/scalable.h").read_text()
    body = re.search(r"typedef struct gomem_stats \{(.*?)\} gomem_stats;", header, re.S).group(1)
    fields = re.findall(r"^\s*(\w+) (\w+);", body, re.M)
    c_types = {"size_t": ctypes.c_size_t, "uint64_t": ctypes.c_uint64}
    assert [name for _, name in fields] == ["struct_size"] + STATS_FIELDS
    assert gomem._native.Stats._fields_ == [(name, c_types[t]) for t, name in fields]


def test_malloc_gives_writable_bytes(scalable):
    view = scalable.malloc(100)
    assert (len(view), view.format, view.itemsize, view.readonly) == (100, "B", 1, False)
    view[:] = bytes(range(100))
    assert view.tobytes() == bytes(range(100))
    view[99] = 255
    assert view[99] == 255


def test_stats_are_the_gomem_stats_fields(scalable):
    view = scalable.malloc(100)
    stats = scalable.stats()
    assert list(stats) == STATS_FIELDS
    held = {"chunks": 1, "reserved": 64 * 1024, "large_blocks": 0}
    if not gomem.Scalable.pooled():  # each buffer a system allocation of its own
        held = {"chunks": 0, "reserved": 100, "large_blocks": 1}
    assert stats == {"total_malloc": 100, "total_free": 0, "in_use": 100, **held,
                     "remote_pending": 0, "remote_rejected": 0}
    scalable.free(view)
    assert scalable.stats()["in_use"] == 0


def in_use(scalable):
    return scalable.stats()["in_use"]


def test_a_slice_is_a_partial_free(scalable):
    view = scalable.malloc(100)
    scalable.free(view[10:30])
    assert in_use(scalable) == 80
    expect_error("GOMEM_ERR_INVALID", scalable.free, view[10:30])  # double free
    expect_error("GOMEM_ERR_INVALID", scalable.free, view[25:35])  # overlaps freed bytes
    assert in_use(scalable) == 80
    scalable.free(view[:10])
    scalable.free(view[30:])
    assert scalable.stats()["total_free"] == 100
    assert in_use(scalable) == 0


def test_bad_frees_raise_and_change_nothing(scalable):
    view = scalable.malloc(16)
    expect_error("GOMEM_ERR_NOT_OWNED", scalable.free, bytearray(16))
    expect_error("GOMEM_ERR_INVALID", scalable.free, view[4:4])  # no bytes
    with pytest.raises(BufferError):
        scalable.free(view[::2])  # not contiguous: which bytes would that be?
    assert in_use(scalable) == 16


def test_bad_sizes_raise(scalable):
    expect_error("GOMEM_ERR_INVALID", scalable.malloc, 0)
    expect_error("GOMEM_ERR_INVALID", scalable.malloc, -1)
    expect_error("GOMEM_ERR_INVALID", gomem.Scalable, 0)
    assert scalable.stats()["total_malloc"] == 0


def test_calls_after_close_raise():
    with gomem.Scalable(4096) as s:
        view = s.malloc(8)
    assert s.closed
    for call, args in [(s.malloc, (8,)), (s.free, (view,)), (s.stats, ()),
                       (s.drain, ()), (s.trim, ())]:
        error = expect_error("GOMEM_ERR_INVALID", call, *args)
        assert "closed" in str(error)
    s.close()  # again: nothing happens


def test_views_keep_the_allocator_alive():
    s = gomem.Scalable(4096)
    view = s.malloc(8)
    alive = weakref.ref(s)
    del s
    gc.collect()
    assert alive() is not None and not alive().closed
    view[:] = b"still ok"
    assert view.tobytes() == b"still ok"
    del view
    gc.collect()
    assert alive() is None


def test_threads_share_one_allocator(scalable):
    threads, rounds = 4, 500
    # Each thread frees its own buffers in two pieces and the buffers of
    # the thread before it whole, so frees cross threads too.
    handoff = [[] for _ in range(threads)]
    ready = threading.Barrier(threads)
    errors = []

    def work(index):
        try:
            mine = []
            for i in range(rounds):
                size = 16 + (i * 7 + index) % 300
                view = scalable.malloc(size)
                view[:] = bytes([index]) * size
                mine.append(view)
            ready.wait()
            for view in mine[: rounds // 2]:
                assert view.tobytes() == bytes([index]) * len(view)
                half = len(view) // 2
                scalable.free(view[:half])
                scalable.free(view[half:])
            handoff[(index + 1) % threads] = mine[rounds // 2:]
            ready.wait()
            for view in handoff[index]:
                scalable.free(view)
        except Exception as e:  # reported below, in the main thread
            errors.append(e)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    scalable.drain()
    stats = scalable.stats()
    assert stats["total_malloc"] == sum(16 + (i * 7 + t) % 300
                                        for t in range(threads) for i in range(rounds))
    assert stats["total_free"] == stats["total_malloc"]
    assert (stats["in_use"], stats["remote_pending"], stats["remote_rejected"]) == (0, 0, 0)


def test_close_while_threads_allocate():
    s = gomem.Scalable(4096)
    threads = 4
    started = threading.Barrier(threads + 1)
    outcomes = []

    def work():
        started.wait()
        try:
            while True:
                s.free(s.malloc(64))
        except gomem.Error as e:
            outcomes.append(str(e))

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    started.wait()
    s.close()  # waits for the calls under way; later ones raise
    for w in workers:
        w.join()
    assert len(outcomes) == threads
    for message in outcomes:
        assert re.fullmatch(r"Scalable\.(malloc|free): the object is closed: GOMEM_ERR_INVALID: .*",
                            message)


@pytest.mark.parametrize("align", [1, 8, 64, 4096])
def test_aligned_malloc(scalable, align):
    view = scalable.malloc(100, align=align)
    address = ctypes.addressof(ctypes.c_char.from_buffer(view))
    assert address % align == 0 and len(view) == 100
    scalable.free(view)
    assert scalable.stats()["in_use"] == 0


def test_aligned_malloc_refuses_bad_alignments(scalable):
    before = scalable.stats()
    for bad in (0, 3, 48):
        expect_error("GOMEM_ERR_INVALID", scalable.malloc, 8, bad)
    assert scalable.stats() == before


def test_free_stats_and_map(scalable):
    view = scalable.malloc(1000)
    scalable.free(view[100:200])
    dump = scalable.dump()
    assert dump["stats"] == scalable.stats() and dump["stats"]["in_use"] == 900
    if not gomem.Scalable.pooled():
        return  # each buffer is a system allocation: no chunks
    # A fresh allocator carves its first buffer from its chunk's start.
    assert scalable.free_stats() == {"free_bytes": 64636, "free_blocks": 2,
                                     "largest_free": 64536, "smallest_free": 100}
    assert dump["chunks"] == [{"size": 65536, "free_bytes": 64636, "free_blocks": 2,
                               "largest_free": 64536, "free": [[100, 100], [1000, 64536]]}]
    assert dump["large_blocks"] == 0
