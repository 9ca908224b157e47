/* SPDX-License-Identifier: MIT */
/*
 * Working on a scalable allocator's chunks from the library's other layers
 * and from tests: recyclable memory gives back a packet's segments in one
 * claim, and tests hold a shared allocator's busy flag so that frees from
 * other threads take the queued path deterministically.
 */
#ifndef GOMEM_SCALABLE_INTERNAL_H
#define GOMEM_SCALABLE_INTERNAL_H

#include <stdbool.h>

#include "gomem/scalable.h"

/* Become the thread that works on @p s's chunks, as an allocating call
 * does first: the owner (adopting a disowned allocator), or the holder of
 * a shared allocator's busy flag (waiting for it). Applies the queued
 * frees. @return false, nothing changed, when another thread owns @p s. */
bool gomem__scalable_claim(gomem_scalable *s);

/* The same without waiting and without adopting, as a free does: @return
 * true when the caller owns @p s or got its busy flag. */
bool gomem__scalable_try_claim(gomem_scalable *s);

/* End a claim: a shared allocator applies the queue and lets go of the
 * flag, as every call does last. */
void gomem__scalable_unclaim(gomem_scalable *s);

/* gomem_scalable_free by a caller that claimed @p s: the same checks, the
 * same exact result. */
int gomem__scalable_free_claimed(gomem_scalable *s, void *ptr, size_t len);

#endif
