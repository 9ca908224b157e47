/* SPDX-License-Identifier: MIT */
/*
 * What the rest of the library needs of the buddy pool beyond its public
 * API, and its self-check for tests, which verifies the bookkeeping that
 * the public API can only observe through results.
 */
#ifndef GOMEM_BUDDY_INTERNAL_H
#define GOMEM_BUDDY_INTERNAL_H

#include "gomem/buddy.h"

/*
 * gomem_buddy_new for the chunk source: the pool's lock is not listed to be
 * held across fork() (lib/fork.h), because the source creates and destroys
 * pools under its own lock, which already is.
 */
gomem_buddy *gomem__buddy_new_unlisted(size_t total_size, size_t min_block);

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
