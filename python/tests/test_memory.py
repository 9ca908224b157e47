# SPDX-License-Identifier: MIT
"""gomem.Memory and gomem.Reader: segments, reads across them, EOF, lifetime."""
import gc
import weakref

import pytest

import gomem
from conftest import expect_error

# One stream, 0x01 to 0x0c, cut into segments of every kind, empty ones too.
SEGMENTS = [b"\x01", b"", bytearray(b"\x02\x03"), memoryview(b"\x04\x05\x06\x07\x08"),
            b"", b"\x09\x0a\x0b\x0c"]
STREAM = bytes(range(1, 13))


@pytest.fixture
def reader():
    with gomem.Memory(SEGMENTS) as memory, gomem.Reader(memory) as r:
        yield r


def test_memory_sizes_and_bytes():
    memory = gomem.Memory(SEGMENTS)
    assert (len(memory), memory.count) == (12, 6)
    assert bytes(memory) == STREAM
    memory.push(b"\xff\xfe")
    memory.push(b"")
    assert (len(memory), memory.count) == (14, 8)
    assert bytes(memory) == STREAM + b"\xff\xfe"
    assert bytes(gomem.Memory()) == b""


def test_memory_keeps_its_segments_alive_and_pinned():
    grown = bytearray(b"abc")
    memory = gomem.Memory([bytes(range(200)) * 5, grown])  # the first is a temporary
    gc.collect()
    with pytest.raises(BufferError):
        grown.extend(b"def")  # would move the bytes the memory points to
    assert bytes(memory) == bytes(range(200)) * 5 + b"abc"
    memory.close()
    grown.extend(b"def")  # let go


def test_memory_refuses_what_is_not_contiguous():
    with pytest.raises(BufferError):
        gomem.Memory([memoryview(b"abcdef")[::2]])
    with pytest.raises(TypeError):
        gomem.Memory(["text is not bytes"])


def test_reads_cross_segment_boundaries(reader):
    assert reader.read_be(4) == 0x01020304  # four segments, two of them empty
    assert (reader.offset, reader.remaining) == (4, 8)
    assert reader.read_le(3) == 0x070605
    assert reader.read(3) == b"\x08\x09\x0a"
    assert reader.peek(2) == b"\x0b\x0c"
    reader.skip(1)
    assert reader.read_be(1) == 0x0c
    assert (reader.offset, reader.remaining) == (12, 0)
    reader.unread(12)
    assert reader.read(12) == STREAM
    assert reader.read(0) == b""


def test_integers_of_every_width(reader):
    for n in range(1, 9):
        assert reader.read_be(n) == int.from_bytes(STREAM[:n], "big")
        reader.unread(n)
        assert reader.read_le(n) == int.from_bytes(STREAM[:n], "little")
        reader.unread(n)
    expect_error("GOMEM_ERR_INVALID", reader.read_be, 0)
    expect_error("GOMEM_ERR_INVALID", reader.read_le, 9)
    assert reader.offset == 0


def test_uleb128_across_segments():
    # 624485 = e5 8e 26, one byte per segment; then 2^64 - 1 in ten bytes.
    memory = gomem.Memory([b"\xe5", b"\x8e", b"\x26", b"\xff" * 9 + b"\x01"])
    reader = gomem.Reader(memory)
    assert reader.read_uleb128() == 624485
    assert reader.read_uleb128() == 2**64 - 1
    assert reader.remaining == 0


def test_uleb128_errors_consume_nothing():
    reader = gomem.Reader(gomem.Memory([b"\x80\x80", b"\x80"]))
    expect_error("GOMEM_ERR_EOF", reader.read_uleb128)
    assert reader.offset == 0
    reader = gomem.Reader(gomem.Memory([b"\xff" * 9 + b"\x02"]))  # 65 bits
    expect_error("GOMEM_ERR_OVERFLOW", reader.read_uleb128)
    assert reader.offset == 0


def test_eof_consumes_nothing(reader):
    reader.skip(5)
    for call, args in [(reader.read, (8,)), (reader.peek, (8,)), (reader.read_be, (8,)),
                       (reader.read_le, (8,)), (reader.skip, (8,))]:
        error = expect_error("GOMEM_ERR_EOF", call, *args)
        assert str(error).endswith("GOMEM_ERR_EOF: end of data")
        assert (reader.offset, reader.remaining) == (5, 7)
    expect_error("GOMEM_ERR_INVALID", reader.unread, 6)  # before the start
    expect_error("GOMEM_ERR_INVALID", reader.skip, -1)
    assert reader.read(7) == STREAM[5:]
    expect_error("GOMEM_ERR_EOF", reader.read, 1)


def test_find_straddles_segments_and_consumes_nothing(reader):
    assert reader.find(b"\x03\x04\x05\x06\x07\x08\x09") == 2  # over three segments
    assert reader.find(b"") == 0
    assert reader.find(bytearray(b"\x0c")) == 11
    assert reader.find(b"\x0c\x0d") == -1
    assert reader.find_byte(0x09) == 8
    assert reader.find_byte(0x00) == -1
    reader.skip(9)
    assert reader.find_byte(0x09) == -1
    assert reader.find(b"\x0b") == 1
    assert reader.offset == 9
    expect_error("GOMEM_ERR_INVALID", reader.find_byte, 256)


def test_reader_sees_later_pushes():
    memory = gomem.Memory([b"ab"])
    reader = gomem.Reader(memory)
    assert reader.read(2) == b"ab"
    expect_error("GOMEM_ERR_EOF", reader.read, 1)
    memory.push(b"cd")
    assert reader.read(2) == b"cd"


def test_reader_keeps_its_memory_alive():
    reader = gomem.Reader(gomem.Memory([b"kept"]))
    gc.collect()
    assert reader.read(4) == b"kept"


def test_calls_after_close_raise():
    memory = gomem.Memory([b"abcd"])
    reader = gomem.Reader(memory)
    alive = weakref.ref(memory)
    memory.close()
    assert memory.closed and alive() is memory
    for call, args in [(reader.read, (1,)), (reader.skip, (1,)), (reader.find, (b"a",)),
                       (memory.push, (b"e",)), (len, (memory,)), (bytes, (memory,))]:
        expect_error("GOMEM_ERR_INVALID", call, *args)
    expect_error("GOMEM_ERR_INVALID", gomem.Reader, memory)
    reader.close()
    expect_error("GOMEM_ERR_INVALID", lambda: reader.offset)


def test_memory_over_scalable_buffers_copies_nothing(scalable):
    header, body = scalable.malloc(2), scalable.malloc(3)
    memory = gomem.Memory([header, body])
    header[:] = b"\x00\x03"
    body[:] = b"xyz"  # written after the push: the memory sees it
    reader = gomem.Reader(memory)
    assert reader.read(reader.read_be(2)) == b"xyz"
