/* SPDX-License-Identifier: MIT */
/*
 * The buddy pool's self-check, for tests: it verifies the bookkeeping that
 * the public API can only observe through results.
 */
#ifndef GOMEM_BUDDY_INTERNAL_H
#define GOMEM_BUDDY_INTERNAL_H

#include "gomem/buddy.h"

/*
 * Check every invariant of @p b's bookkeeping under its lock, in
 * O(units * orders): each bitmap's summary levels and the mask of
 * non-empty orders agree with the bits below them; the pending split is
 * one run of orders below the top, at an aligned base, and in no bitmap;
 * the live blocks, the free blocks of the bitmaps and the pending blocks
 * tile the region exactly; no free block has a free buddy of its order
 * (merging is complete); the free byte count is their total.
 *
 * @return 0 when all hold, else the number of the first broken rule
 * (see the function), which names it for a failing test.
 */
int gomem__buddy_check(const gomem_buddy *b);

#endif
