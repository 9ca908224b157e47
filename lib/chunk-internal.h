/* SPDX-License-Identifier: MIT */
/*
 * The chunk's operations on arguments that are already checked. The public
 * functions (chunk.c) validate, then call these; the scalable allocator,
 * which has validated its own arguments and knows which chunk a pointer is
 * in, calls them directly.
 */
#ifndef GOMEM_CHUNK_INTERNAL_H
#define GOMEM_CHUNK_INTERNAL_H

#include <stdint.h>

#include "allocator-internal.h"
#include "gomem/chunk.h"
#include "source.h"
#include "track.h"

/* The scalable allocator's carving state in one of its chunks (see
 * lib/scalable.c); all zero in a chunk used on its own. From low addresses
 * up: [run, low) freed in the order it was carved, [low, cur) wholly
 * allocated, [cur, end) free (the span). Both free parts are held out of
 * the chunk's range allocator. */
struct gomem__carve {
  uintptr_t run, low, cur, end;
};

struct gomem_chunk {
  unsigned char *base;
  gomem_allocator *alloc;
  struct gomem__region region;
  struct gomem__carve carve;
};

/* Give c's memory back but keep its bookkeeping (the chunk struct and its
 * range allocator) for gomem__chunk_renew: a scalable allocator that drops
 * a chunk and soon adds another saves their setup. A parked chunk may also
 * be destroyed. */
void gomem__chunk_park(gomem_chunk *c);

/* Give parked chunk c @p size bytes of memory again, everything free.
 * GOMEM_OK, or GOMEM_ERR_NOMEM (c stays parked). */
int gomem__chunk_renew(gomem_chunk *c, size_t size);

/* Allocate size > 0 bytes from c: the pointer, or NULL (errno untouched). */
static inline void *gomem__chunk_take(gomem_chunk *c, size_t size)
{
  size_t offset;

  if (gomem__allocator_take(c->alloc, size, &offset) != GOMEM_OK)
    return NULL;
  gomem__track_alloc(c->base + offset, size);
  return c->base + offset;
}

/* @return true when c is over the caller's memory (gomem_chunk_new_over,
 * gomem_scalable_add_region): it is never released or cached. */
bool gomem__chunk_is_callers(const gomem_chunk *c);

/* Allocate size > 0 bytes at an address that is a multiple of align, a
 * power of two: the pointer, or NULL (errno untouched). */
void *gomem__chunk_take_aligned(gomem_chunk *c, size_t size, size_t align);

/* Where gomem__chunk_take would allocate size > 0 bytes, or NULL. */
static inline void *gomem__chunk_peek(gomem_chunk *c, size_t size)
{
  size_t offset;

  if (gomem__allocator_peek(c->alloc, size, &offset) != GOMEM_OK)
    return NULL;
  gomem__track_borrow(c->base + offset, size);
  return c->base + offset;
}

/* Give back [base + offset, base + offset + len), a range inside c with
 * len > 0. The codes of gomem__allocator_give. */
static inline int gomem__chunk_give(gomem_chunk *c, size_t offset, size_t len)
{
  int rc = gomem__allocator_give(c->alloc, offset, len);

  if (rc == GOMEM_OK)
    gomem__track_free(c->base + offset, len);
  return rc;
}

/* @return the offset of p in c when p lies inside c, else SIZE_MAX. */
static inline size_t gomem__chunk_offset(const gomem_chunk *c, uintptr_t p)
{
  size_t off = p - (uintptr_t)c->base;

  return off < c->region.size ? off : SIZE_MAX;
}

static inline bool gomem__chunk_is_free(const gomem_chunk *c)
{
  return c->alloc->free_size == c->region.size;
}

#endif
