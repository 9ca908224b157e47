#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz-allocator.

Each seed is a small program in the input format that allocator-model.c
describes at its top, written here by operation name so that it says
what it exercises. Run from anywhere after changing the format:

    python3 test/fuzz/make-seeds.py

It rewrites test/fuzz/corpus/allocator/.
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


def write(directory, seeds):
    path = os.path.join(HERE, "corpus", directory)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, program in seeds.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(bytes(program))


if __name__ == "__main__":
    write("allocator", ALLOCATOR)
