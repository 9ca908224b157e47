/* SPDX-License-Identifier: MIT */
/*
 * What the library's other layers need of a memory beyond the public API.
 * Recyclable memory: room for a segment before the segment's bytes are
 * allocated, so that recording them cannot fail afterwards. The reader:
 * the size and the segment array read inline, because it checks them on
 * every operation that leaves the current segment and a call each time is
 * most of the cost of a short read or skip.
 */
#ifndef GOMEM_MEMORY_INTERNAL_H
#define GOMEM_MEMORY_INTERNAL_H

#include <stddef.h>
#include <sys/uio.h>

#include "gomem/memory.h"

struct gomem_memory {
  struct iovec *slot;
  size_t head;  /* first live slot */
  size_t count; /* live slots */
  size_t cap;   /* allocated slots */
  size_t size;  /* sum of the live lengths */
};

/* The live segments, slots [head, head + count); NULL before the first push. */
static inline struct iovec *gomem__memory_segs(const gomem_memory *m)
{
  /* A memory that never held a segment has no array: adding even a zero
   * offset to NULL is undefined. */
  return m->slot ? m->slot + m->head : NULL;
}

/* Make room for one more segment of @p len bytes. GOMEM_OK;
 * GOMEM_ERR_OVERFLOW (the size would overflow) or GOMEM_ERR_NOMEM, with
 * nothing changed. */
int gomem__memory_room(gomem_memory *m, size_t len);

/* Push a segment there is room for (gomem__memory_room): cannot fail. */
void gomem__memory_put(gomem_memory *m, const void *ptr, size_t len);

#endif
