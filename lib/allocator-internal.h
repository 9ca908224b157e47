/* SPDX-License-Identifier: MIT */
/*
 * The range allocator's operations on arguments that are already checked.
 * The public functions (allocator.c) validate, then call these; the chunk
 * and the scalable allocator, which have validated their own arguments,
 * call them directly and so pay for no check twice and for no call
 * between layers.
 *
 * The commonest calls carve the front of the block `hot` or free the
 * units just below it (strategy.h says when a backend may allow that);
 * they are served here, inline, without calling the backend.
 */
#ifndef GOMEM_ALLOCATOR_INTERNAL_H
#define GOMEM_ALLOCATOR_INTERNAL_H

#include <stdint.h>

#include "gomem/allocator.h"
#include "strategy/strategy.h"

/* The backend's part of take and give (allocator.c). */
int gomem__allocator_take_slow(gomem_allocator *a, size_t size, size_t *offset);
int gomem__allocator_give_slow(gomem_allocator *a, size_t offset, size_t size);

/* Take size > 0 units at an offset where (bias + offset) is a multiple of
 * align, a power of two (allocator.c; gomem/allocator.h gives the
 * placement). A chunk passes its base address as bias, so that the
 * pointer is aligned. GOMEM_OK, or GOMEM_ERR_NOMEM (nothing changed). */
int gomem__allocator_take_aligned(gomem_allocator *a, size_t size, size_t align, uintptr_t bias,
                                  size_t *offset);

/* @return true when align is a power of two no larger than limit. */
bool gomem__align_valid(size_t align, size_t limit);

/* Carve size units from the front of hot, which has more. */
static inline int gomem__allocator_carve_hot(gomem_allocator *a, struct gomem__range *hot,
                                             size_t size, size_t *offset)
{
  *offset = hot->off;
  hot->off += size;
  hot->size -= size;
  a->free_size -= size;
  return GOMEM_OK;
}

/* Take size > 0 units. GOMEM_OK, or GOMEM_ERR_NOMEM (nothing changed). */
static inline int gomem__allocator_take(gomem_allocator *a, size_t size, size_t *offset)
{
  struct gomem__range *hot = a->hot;

  /* Taking all of hot would remove it: the backend does that. */
  if (hot && size < hot->size)
    return gomem__allocator_carve_hot(a, hot, size, offset);
  return gomem__allocator_take_slow(a, size, offset);
}

/* Take between size and want (>= size > 0) units from the start of the
 * block take(size) would carve from; *len says how many. GOMEM_OK, or
 * GOMEM_ERR_NOMEM (nothing changed). */
static inline int gomem__allocator_take_upto(gomem_allocator *a, size_t size, size_t want,
                                             size_t *offset, size_t *len)
{
  struct gomem__range *hot = a->hot;

  /* hot is where take(size) carves; all of it goes through the backend. */
  if (hot && want < hot->size) {
    *len = want;
    return gomem__allocator_carve_hot(a, hot, want, offset);
  }
  if (size > a->free_size)
    return GOMEM_ERR_NOMEM;
  return a->ops->alloc_upto(a, size, want, offset, len);
}

/* Where take would put size > 0 units. GOMEM_OK or GOMEM_ERR_NOMEM. */
static inline int gomem__allocator_peek(const gomem_allocator *a, size_t size, size_t *offset)
{
  const struct gomem__range *hot = a->hot;

  if (hot && size <= hot->size) {
    *offset = hot->off;
    return GOMEM_OK;
  }
  /* Cheap early answer, and it keeps the backends' search from running
   * when the allocator is full. */
  if (size > a->free_size)
    return GOMEM_ERR_NOMEM;
  return a->ops->find(a, size, offset);
}

/* Give back [offset, offset + size), with size > 0 and the range inside
 * [0, a->size). GOMEM_OK; GOMEM_ERR_INVALID (some unit is free);
 * GOMEM_ERR_NOMEM. Nothing changes on error. */
static inline int gomem__allocator_give(gomem_allocator *a, size_t offset, size_t size)
{
  struct gomem__range *hot = a->hot;

  /* Units from hot_floor up to hot are allocated, and these touch hot
   * and no other free block: hot grows. */
  if (hot && offset + size == hot->off && offset >= a->hot_floor) {
    hot->off = offset;
    hot->size += size;
    a->free_size += size;
    return GOMEM_OK;
  }
  return gomem__allocator_give_slow(a, offset, size);
}

#endif
