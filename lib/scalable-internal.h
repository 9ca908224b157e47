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
#include <stdint.h>

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

/* What gomem__scalable_walk reports. */
enum gomem__walk_kind {
  GOMEM__WALK_CHUNK, /* a chunk: [p, p + len) */
  GOMEM__WALK_BLOCK, /* a system block */
  GOMEM__WALK_FREE,  /* a free run of the chunk or block reported last */
};

/* For tests: report every chunk of @p s, then every system block, each in
 * address order and followed by its free runs in address order. A chunk's
 * runs merge its range allocator's free blocks with what its carving state
 * holds, so they depend only on which bytes are free. By the thread
 * working on the chunks; allocates nothing. */
void gomem__scalable_walk(gomem_scalable *s,
                          void (*fn)(enum gomem__walk_kind kind, uintptr_t p, size_t len,
                                     void *ctx),
                          void *ctx);

/* For tests: check the carving state of every chunk of @p s, which the
 * walk above cannot see wrong when it lies about free bytes the model also
 * thinks free: inside its chunk, run <= low <= cur <= end, and neither
 * held part overlapping a free block of the chunk's range allocator. By the thread
 * working on the chunks. @return 0, or the line of the first failed
 * condition in lib/scalable.c. */
int gomem__scalable_check(gomem_scalable *s);

#endif
