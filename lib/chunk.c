/* SPDX-License-Identifier: MIT */
/*
 * A chunk: one region from lib/source.c and a range allocator over it.
 * Offsets from the allocator become pointers by adding the region's base.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "gomem/chunk.h"
#include "source.h"
#include "strategy/strategy.h"
#include "track.h"

struct gomem_chunk {
  unsigned char *base;
  gomem_allocator *alloc;
  struct gomem__region region;
};

gomem_chunk *gomem_chunk_new(size_t size, gomem_strategy s)
{
  gomem_allocator *a = NULL;
  int rc = gomem_allocator_create(size, s, &a);

  if (rc != GOMEM_OK) {
    errno = rc == GOMEM_ERR_UNSUPPORTED ? ENOTSUP : rc == GOMEM_ERR_NOMEM ? ENOMEM : EINVAL;
    return NULL;
  }
  gomem_chunk *c = malloc(sizeof(*c));
  if (!c || gomem__region_acquire(&c->region, size) != 0) {
    free(c);
    gomem_allocator_destroy(a);
    errno = ENOMEM;
    return NULL;
  }
  c->base = c->region.ptr;
  c->alloc = a;
  gomem__track_noaccess(c->base, size);
  return c;
}

void gomem_chunk_destroy(gomem_chunk *c)
{
  if (!c)
    return;
  gomem__track_release(c->base, c->region.size);
  gomem__region_release(&c->region);
  gomem_allocator_destroy(c->alloc);
  free(c);
}

static void *set_errno(int rc)
{
  errno = rc == GOMEM_ERR_NOMEM ? ENOMEM : EINVAL;
  return NULL;
}

void *gomem_chunk_malloc(gomem_chunk *c, size_t size)
{
  size_t offset;

  if (!c)
    return set_errno(GOMEM_ERR_INVALID);
  int rc = gomem_allocator_alloc(c->alloc, size, &offset);
  if (rc != GOMEM_OK)
    return set_errno(rc);
  gomem__track_alloc(c->base + offset, size);
  return c->base + offset;
}

void *gomem_chunk_borrow(gomem_chunk *c, size_t size)
{
  size_t offset;

  if (!c)
    return set_errno(GOMEM_ERR_INVALID);
  int rc = gomem_allocator_find(c->alloc, size, &offset);
  if (rc != GOMEM_OK)
    return set_errno(rc);
  gomem__track_alloc(c->base + offset, size);
  return c->base + offset;
}

bool gomem_chunk_owns(const gomem_chunk *c, const void *ptr)
{
  /* Compare as integers: relational operators on pointers into different
   * objects are undefined. */
  uintptr_t p = (uintptr_t)ptr, base = (uintptr_t)(c ? c->base : NULL);

  return c && p >= base && p - base < c->region.size;
}

int gomem_chunk_free(gomem_chunk *c, void *ptr, size_t len)
{
  if (!c)
    return GOMEM_ERR_INVALID;
  if (!gomem_chunk_owns(c, ptr))
    return GOMEM_ERR_NOT_OWNED;
  size_t offset = (uintptr_t)ptr - (uintptr_t)c->base;
  int rc = gomem_allocator_free(c->alloc, offset, len);
  if (rc == GOMEM_OK)
    gomem__track_free(ptr, len);
  return rc;
}

void gomem_chunk_reset(gomem_chunk *c)
{
  if (!c)
    return;
  gomem_allocator_reset(c->alloc);
  gomem__track_noaccess(c->base, c->region.size);
}

void *gomem_chunk_base(const gomem_chunk *c)
{
  return c ? c->base : NULL;
}

size_t gomem_chunk_size(const gomem_chunk *c)
{
  return c ? c->region.size : 0;
}

size_t gomem_chunk_free_size(const gomem_chunk *c)
{
  return c ? gomem_allocator_free_size(c->alloc) : 0;
}

const gomem_allocator *gomem_chunk_allocator(const gomem_chunk *c)
{
  return c ? c->alloc : NULL;
}
