# SPDX-License-Identifier: MIT
"""gomem.Recyclable: segments allocated, read, and all given back at once."""
import gc
import weakref

import pytest

import gomem
from conftest import expect_error


def test_next_allocates_segments_and_recycle_gives_them_back(scalable):
    with gomem.Recyclable(scalable) as packet:
        header, body = packet.next(2), packet.next(5)
        header[:] = b"\x00\x05"
        body[:] = b"hello"
        packet.push(b"!")  # borrowed: never freed
        assert (len(packet), packet.count, packet.recorded) == (8, 3, 2)
        assert bytes(packet) == b"\x00\x05hello!"
        assert scalable.stats()["in_use"] == 7
        packet.recycle()
        assert (len(packet), packet.count, packet.recorded) == (0, 0, 0)
        stats = scalable.stats()
        assert (stats["in_use"], stats["total_free"]) == (0, 7)
        packet.next(3)
    assert packet.closed
    assert scalable.stats()["in_use"] == 0  # close() recycled


def test_recycle_lets_go_of_borrowed_segments():
    packet = gomem.Recyclable()  # segments from malloc
    borrowed = bytearray(b"abc")
    packet.push(borrowed)
    packet.next(4)[:] = b"defg"
    assert bytes(packet) == b"abcdefg"
    with pytest.raises(BufferError):
        borrowed.append(0)
    packet.recycle()
    borrowed.append(0)
    assert bytes(packet) == b""


def test_readers_restart_after_recycle(scalable):
    packet = gomem.Recyclable(scalable)
    packet.next(3)[:] = b"\x01\x02\x03"
    packet.next(1)[:] = b"\x04"
    reader = gomem.Reader(packet)
    assert reader.read_be(4) == 0x01020304  # across the two segments
    packet.next(2)
    reader.skip(1)
    packet.recycle()
    assert (reader.offset, reader.remaining) == (0, 0)
    expect_error("GOMEM_ERR_EOF", reader.read, 1)
    packet.next(2)[:] = b"ok"
    assert reader.read(2) == b"ok"


def test_closing_the_allocator_closes_its_recyclables():
    s = gomem.Scalable(4096)
    packet = gomem.Recyclable(s)
    packet.next(100)
    s.close()
    assert packet.closed
    expect_error("GOMEM_ERR_INVALID", packet.next, 1)
    expect_error("GOMEM_ERR_INVALID", packet.recycle)
    expect_error("GOMEM_ERR_INVALID", gomem.Recyclable, s)


def test_segments_keep_the_recyclable_and_its_allocator_alive():
    s = gomem.Scalable(4096)
    segment = gomem.Recyclable(s).next(8)
    allocator = weakref.ref(s)
    del s
    gc.collect()
    segment[:] = b"all here"
    assert segment.tobytes() == b"all here"
    assert allocator().stats()["in_use"] == 8
    del segment
    gc.collect()
    assert allocator() is None


def test_bad_sizes_raise(scalable):
    packet = gomem.Recyclable(scalable)
    expect_error("GOMEM_ERR_INVALID", packet.next, 0)
    expect_error("GOMEM_ERR_INVALID", packet.next, -1)
    assert (packet.count, packet.recorded) == (0, 0)
