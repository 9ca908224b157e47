#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of fuzz-allocator and fuzz-scalable.

Each seed is a small program in the input format that allocator-model.c
and scalable-model.c describe at their top, written here by operation
name so that it says what it exercises. Run from anywhere after changing
either format:

    python3 test/fuzz/make-seeds.py

It rewrites test/fuzz/corpus/allocator/ and test/fuzz/corpus/scalable/.
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def u16(n):
    return list(struct.pack("<H", n))


# ---- fuzz-allocator (allocator-model.c) --------------------------------------

# Strategy index into the strategies the build has, in the order DEFAULT,
# TREAP, AVL, TLSF: with all of them built, 1 is treap, 2 avl and 3 tlsf.
DEFAULT, TREAP, AVL, TLSF = 0, 1, 2, 3


def a_header(strategy, pool, chunk=False, shift=None):
    mode = (1 if chunk else 0) | strategy << 1 | (16 if shift is not None else 0)
    n = pool - 1
    if pool <= 64:
        size = [n << 2]
    elif pool <= 256:
        size = [1, n]
    elif pool <= 16384:
        size = [(n & 63) << 2 | 2, n >> 6]
    else:
        size = [3] + u16(n)
    return [mode] + size + ([shift] if shift is not None else [])


def a_units(n):
    """A request of n model units (1..65536)."""
    if n <= 32:
        return [n - 1]
    if n <= 256:
        return [0x60, n - 1]
    return [0xE0] + u16(n - 1)


def alloc(n):
    return [0] + a_units(n)


def free_gap(gap, how, k):
    """how 0: all of allocated range `gap`; 1 its front, 2 its back, 3 its
    middle (how >> 2 places it); k sizes the part."""
    return [5, gap, how, k]


def free_recent(i):
    return [8, i]


def bad_free(kind, b=0, b2=0, cut=None):
    """kind 0-3: inside / across the start / across the end / over a free
    run (b, b2 place it); 4 across the pool's end; 5 wrapping; 6 size 0; 7
    past the end; 8 a foreign pointer (chunk: NULL, elsewhere, before,
    after the chunk as b2 % 4 says) or a NULL allocator. With cut = (j1, j2)
    and granules, cut granules at both ends."""
    if cut is not None:
        return [10, kind | 0x80, b, b2] + list(cut)
    return [10, kind, b, b2]


def find(n):
    return [12] + a_units(n)


def take_upto(n, w):
    return [13] + a_units(n) + [w]


def foreach_stop(k):
    return [14, k]


def reset():
    return [15, 0]


def init(pool):
    return [15, 1, 1] + a_header(0, pool)[1:]


def init_zero():
    return [15, 1, 0]


def owns(off):
    return [15, 1] + u16(off)


def bad_args():
    return [15, 2]


ALLOCATOR = {
    # First fit: holes, exact refills, frees of parts and of several
    # allocations at once, double frees.
    "treap-holes": a_header(TREAP, 64)
    + alloc(8) * 6
    + free_gap(0, 3 | 4 << 2, 3)
    + free_gap(0, 1, 2)
    + free_recent(2)
    + free_recent(2)
    + alloc(2)
    + find(3)
    + alloc(3)
    + free_gap(1, 0, 0)
    + foreach_stop(1),
    # Best fit over holes of several sizes; the lowest of equal ones.
    "avl-best-fit": a_header(AVL, 1000)
    + alloc(100) * 10
    + free_recent(0)
    + free_recent(3)
    + free_recent(5)
    + free_gap(0, 2, 49)
    + alloc(30)
    + alloc(50)
    + find(60)
    + alloc(60)
    + foreach_stop(9),
    # Every kind of refused free, then the pool emptied.
    "bad-frees": a_header(TREAP, 200)
    + alloc(20) * 5
    + free_recent(1)
    + free_recent(3)
    + sum((bad_free(k, 7, 3) for k in range(9)), [])
    + bad_args()
    + free_gap(0, 0, 0),
    # A pool of almost 2^62 units in granules of 2^46: sizes near the top
    # of the address space, and refused frees that cut granules.
    "granules": a_header(AVL, 65535, shift=46)
    + alloc(1000) * 3
    + free_recent(1)
    + bad_free(0, 1, 1, cut=(5, 9))
    + bad_free(1, 2, 1, cut=(1, 0))
    + bad_free(2, 0, 2, cut=(0, 3))
    + bad_free(4, 3, 3)
    + bad_free(5, 9, 1)
    + take_upto(7, 200)
    + bad_args(),
    # The scalable allocator's span request, with every kind of want.
    "take-upto": a_header(TREAP, 5000)
    + take_upto(10, 20)
    + take_upto(10, 0)
    + alloc(100)
    + free_recent(0)
    + take_upto(3, 150)
    + take_upto(40, 255)
    + free_gap(0, 3, 30)
    + take_upto(5, 130),
    # A one-unit pool: full, refused, emptied, re-initialized.
    "one-unit": a_header(DEFAULT, 1)
    + alloc(1)
    + alloc(1)
    + find(1)
    + bad_free(7)
    + free_recent(0)
    + free_recent(0)
    + init(300)
    + alloc(300)
    + init_zero()
    + reset()
    + alloc(2),
    # Good fit: holes of several size classes (below 64 one class per
    # size, then 32 per power of two), refilled, most recently freed first.
    "tlsf-classes": a_header(TLSF, 20000)
    + alloc(40) + alloc(8) + alloc(100) + alloc(8) + alloc(1000) + alloc(8)
    + alloc(70) + alloc(8) + alloc(3000)
    + free_recent(0)
    + free_recent(2)
    + free_recent(4)
    + free_recent(6)
    + alloc(33)
    + alloc(65)
    + find(70)
    + alloc(900)
    + take_upto(20, 130)
    + free_gap(1, 0, 0)
    + alloc(2)
    + foreach_stop(3),
    # A chunk: tagged allocations, borrows, frees by pointer, foreign
    # pointers, reset.
    "chunk": a_header(DEFAULT, 4096, chunk=True)
    + alloc(100) * 4
    + find(50)
    + free_gap(0, 3, 40)
    + alloc(10)
    + free_recent(1)
    + bad_free(8, 0, 0)
    + bad_free(8, 3, 1)
    + bad_free(8, 3, 2)
    + bad_free(8, 3, 3)
    + owns(4095)
    + owns(4096)
    + bad_args()
    + reset()
    + alloc(4096),
    # A chunk over avl filled unit by unit, then freed in pieces.
    "chunk-avl-fill": a_header(AVL, 32, chunk=True)
    + alloc(1) * 32
    + free_gap(0, 3 | 5 << 2, 4)
    + free_gap(0, 3 | 20 << 2, 2)
    + alloc(2)
    + alloc(4)
    + free_gap(0, 1, 9),
}


# ---- fuzz-scalable (scalable-model.c) ------------------------------------------

INITIAL = [1, 100, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 1 << 20, 5 << 20]
MAX_CHUNK = 4 << 20
SPAN = 64 << 10


def s_header(initial, shared=False, strategy=0, keep_live=False):
    return [(1 if shared else 0) | strategy << 1 | INITIAL.index(initial) << 3
            | (64 if keep_live else 0)]


def s_size(n):
    """A request of n bytes, in one of the encodings next_size() reads."""
    if n == 0:
        return [0xE0]
    if n <= 32:
        return [n - 1]
    if n <= 8192:
        return [0x60] + u16(n - 1)
    if SPAN - 16 <= n < SPAN + 16:
        return [0x80 | n - (SPAN - 16)]
    if MAX_CHUNK - 8 <= n < MAX_CHUNK + 8:
        return [0xC0 | 16 | n - (MAX_CHUNK - 8)]
    if n <= 65536:
        return [0xE1] + u16(n - 1)
    if (n - 1) % 16 == 0 and n <= 1 + 65535 * 16:
        return [0xA0] + u16((n - 1) // 16)
    raise ValueError("no encoding for %d" % n)


def malloc(n):
    return [0] + s_size(n)


def free_piece(how, i, a=0, c=0):
    """how 0: all of live allocation i; 1 its front (1 + a % (n - 1)
    bytes); 2 its back, by free_rest; 3 its middle."""
    return [4 + how, i] + u16(a) + u16(c)


def free_run(i, count=1, whole=True, a=0, c=0):
    """One free over allocation i and the `count` next ones when they are
    neighbours."""
    return [8, i, (count - 1) | (12 if whole else 0)] + u16(a) + u16(c)


def s_bad_free(kind, b=0, b2=0):
    """kind 0: a recent free again; 1/2: across the end/start of live
    allocation b; 3 foreign; 4 NULL; 5 size 0; 6 wrapping; 7 free_rest
    keeping too much; 8 NULL allocator."""
    return [9, kind, b, b2]


def borrow(n):
    return [11] + s_size(n)


def read(n, result):
    """result: 'eof', 'error', 'too-many', 'all', or a count of bytes."""
    if result == "eof":
        return [12] + s_size(n) + [0]
    if result == "error":
        return [12] + s_size(n) + [1 | 41 << 2]
    if result == "too-many":
        return [12] + s_size(n) + [2]
    if result == "all":
        return [12] + s_size(n) + [3]
    return [12] + s_size(n) + [3 | 4] + u16(result - 1)


def trim():
    return [13]


def disown():
    return [14]


def release_cached():
    return [15, 0]


def drain():
    return [15, 1]


def null_args():
    return [15, 2]


def stats(size):
    return [15, 3, size]


SCALABLE = {
    # Pieces of a 1 KiB first chunk: whole, front, back, middle.
    "owned-parts": s_header(1 << 10)
    + malloc(100) * 4
    + free_piece(1, 0, 30)
    + free_piece(2, 1, 20)
    + free_piece(3, 2, 40, 10)
    + free_piece(0, 3)
    + stats(40)
    + stats(3)
    + free_run(0, 3),
    # A rolling window: freed oldest first, then newest first, then runs.
    "span-window": s_header(4 << 10)
    + malloc(300) * 12
    + free_piece(0, 0) * 4
    + malloc(700) * 3
    + free_piece(0, 10) + free_piece(0, 9)
    + free_run(2, 3)
    + free_run(0, 2, whole=False, a=17, c=5)
    + trim(),
    # Growth from a 1-byte allocator, then trim drops the empty chunks.
    "growth": s_header(1)
    + malloc(1) * 3
    + malloc(5000)
    + malloc(SPAN)
    + malloc(20000)
    + free_piece(0, 3)
    + malloc(SPAN + 7)
    + free_piece(0, 1)
    + trim()
    + malloc(3),
    # System blocks: above 4 MiB, freed in parts, across their ends.
    "large-blocks": s_header(64 << 10)
    + malloc(MAX_CHUNK)
    + malloc(MAX_CHUNK + 1)
    + malloc(MAX_CHUNK + 7)
    + free_piece(3, 1, 1000, 5000)
    + s_bad_free(1, 1, 0)
    + s_bad_free(2, 2, 0)
    + free_piece(1, 1, 100)
    + free_piece(2, 2, 4000)
    + free_piece(0, 0)
    + free_run(0, 2),
    # Disowned: frees queue (valid ones, double frees, refused ones) until
    # the next allocating call adopts the allocator.
    "disown-queue": s_header(16 << 10)
    + malloc(64) * 6
    + disown()
    + free_piece(0, 0)
    + free_piece(0, 0)
    + free_piece(3, 2, 10, 3)
    + s_bad_free(1, 3, 0)
    + s_bad_free(3, 0, 0)
    + s_bad_free(5, 1, 0)
    + stats(72)
    + drain()
    + disown()
    + malloc(10)
    + drain()
    + disown()
    + free_piece(0, 1)
    + trim(),
    # Shared: the same calls through the busy flag.
    "shared": s_header(4 << 10, shared=True, strategy=2)
    + malloc(200) * 5
    + disown()
    + free_run(1, 2)
    + borrow(300)
    + read(500, 123)
    + free_piece(2, 4, 77)
    + drain()
    + trim(),
    # read_cb: end of data, an error, too much, part, all.
    "read-cb": s_header(1 << 10, strategy=1)
    + read(100, "eof")
    + read(100, "error")
    + read(100, "too-many")
    + read(1000, 10)
    + read(0, "all")
    + read(MAX_CHUNK + 1, 5000)
    + read(SPAN, "all")
    + free_piece(0, 1),
    # Borrows from the span, past it, and above 4 MiB (the scratch buffer).
    "borrow": s_header(100)
    + malloc(50)
    + borrow(20)
    + borrow(5000)
    + borrow(MAX_CHUNK + 3)
    + malloc(30)
    + borrow(MAX_CHUNK + 1)
    + trim()
    + borrow(0)
    + release_cached(),
    # Every refused free, with and without live allocations.
    "bad-frees": s_header(1 << 20, strategy=2)
    + sum((s_bad_free(k, 0, 0) for k in range(9)), [])
    + malloc(10) * 3
    + free_piece(0, 1)
    + sum((s_bad_free(k, 1, 0) for k in range(9)), [])
    + sum((s_bad_free(k, 2, 200) for k in range(9)), [])
    + null_args(),
    # Destroyed with allocations of every kind still live.
    "destroy-live": s_header(5 << 20, keep_live=True)
    + malloc(10)
    + malloc(MAX_CHUNK + 2)
    + malloc(SPAN - 1)
    + free_piece(3, 1, 50, 50)
    + disown()
    + free_piece(0, 0),
}


def write(directory, seeds):
    path = os.path.join(HERE, "corpus", directory)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, program in seeds.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(bytes(program))


if __name__ == "__main__":
    write("allocator", ALLOCATOR)
    write("scalable", SCALABLE)
