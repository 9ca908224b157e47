/* SPDX-License-Identifier: MIT */
/*
 * A chunk: one region from lib/source.c and a range allocator over it.
 * Offsets from the allocator become pointers by adding the region's base.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "chunk-internal.h"
#include "report.h"

/* A chunk over the region *r fills (gomem__region_acquire, or the
 * caller's memory): the chunk, or NULL with errno set, nothing held. */
static gomem_chunk *chunk_make(size_t size, gomem_strategy s, void *caller_mem)
{
  gomem_allocator *a = NULL;
  int rc = gomem_allocator_create(size, s, &a);

  if (rc != GOMEM_OK) {
    errno = rc == GOMEM_ERR_UNSUPPORTED ? ENOTSUP : rc == GOMEM_ERR_NOMEM ? ENOMEM : EINVAL;
    return NULL;
  }
  gomem_chunk *c = malloc(sizeof(*c));
  if (c && caller_mem)
    gomem__region_adopt(&c->region, caller_mem, size);
  if (!c || (!caller_mem && gomem__region_acquire(&c->region, size) != 0)) {
    free(c);
    gomem_allocator_destroy(a);
    errno = ENOMEM;
    return NULL;
  }
  c->base = c->region.ptr;
  c->alloc = a;
  c->carve = (struct gomem__carve){0, 0, 0, 0};
  gomem__track_noaccess(c->base, size);
  return c;
}

gomem_chunk *gomem_chunk_new(size_t size, gomem_strategy s)
{
  return chunk_make(size, s, NULL);
}

gomem_chunk *gomem_chunk_new_over(void *mem, size_t size, gomem_strategy s)
{
  /* The region must not wrap around the address space. */
  if (!mem || (uintptr_t)mem + size < (uintptr_t)mem) {
    errno = EINVAL;
    return NULL;
  }
  return chunk_make(size, s, mem);
}

bool gomem__chunk_is_callers(const gomem_chunk *c)
{
  return c->region.origin == GOMEM__ORIGIN_CALLER;
}

void gomem_chunk_destroy(gomem_chunk *c)
{
  if (!c)
    return;
  gomem__chunk_park(c);
  gomem_allocator_destroy(c->alloc);
  free(c);
}

void gomem__chunk_park(gomem_chunk *c)
{
  if (!c->region.ptr)
    return;
  /* region_release tells the checkers, as the chunk cache or the origin
   * takes the region. */
  gomem__region_release(&c->region);
  c->base = NULL;
}

int gomem__chunk_renew(gomem_chunk *c, size_t size)
{
  if (gomem__region_acquire(&c->region, size) != 0)
    return GOMEM_ERR_NOMEM;
  c->base = c->region.ptr;
  (void)gomem_allocator_init(c->alloc, size);
  c->carve = (struct gomem__carve){0, 0, 0, 0};
  gomem__track_noaccess(c->base, size);
  return GOMEM_OK;
}

static void *set_errno(int rc)
{
  errno = rc == GOMEM_ERR_NOMEM ? ENOMEM : EINVAL;
  return NULL;
}

void *gomem_chunk_malloc(gomem_chunk *c, size_t size)
{
  if (!c || size == 0)
    return set_errno(GOMEM_ERR_INVALID);
  void *p = gomem__chunk_take(c, size);
  return p ? p : set_errno(GOMEM_ERR_NOMEM);
}

void *gomem__chunk_take_aligned(gomem_chunk *c, size_t size, size_t align)
{
  size_t offset;

  if (gomem__allocator_take_aligned(c->alloc, size, align, (uintptr_t)c->base, &offset)
      != GOMEM_OK)
    return NULL;
  gomem__track_alloc(c->base + offset, size);
  return c->base + offset;
}

void *gomem_chunk_malloc_aligned(gomem_chunk *c, size_t size, size_t align)
{
  if (!c || size == 0 || !gomem__align_valid(align, c->region.size))
    return set_errno(GOMEM_ERR_INVALID);
  void *p = gomem__chunk_take_aligned(c, size, align);
  return p ? p : set_errno(GOMEM_ERR_NOMEM);
}

void *gomem_chunk_borrow(gomem_chunk *c, size_t size)
{
  if (!c || size == 0)
    return set_errno(GOMEM_ERR_INVALID);
  void *p = gomem__chunk_peek(c, size);
  return p ? p : set_errno(GOMEM_ERR_NOMEM);
}

bool gomem_chunk_owns(const gomem_chunk *c, const void *ptr)
{
  /* Compare as integers: relational operators on pointers into different
   * objects are undefined. */
  return c && gomem__chunk_offset(c, (uintptr_t)ptr) != SIZE_MAX;
}

int gomem_chunk_free(gomem_chunk *c, void *ptr, size_t len)
{
  if (!c)
    return GOMEM_ERR_INVALID;
  size_t offset = gomem__chunk_offset(c, (uintptr_t)ptr);
  if (offset == SIZE_MAX)
    return GOMEM_ERR_NOT_OWNED;
  /* Written so that offset + len cannot overflow. */
  if (len == 0 || len > c->region.size - offset)
    return GOMEM_ERR_INVALID;
  return gomem__chunk_give(c, offset, len);
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

int gomem_chunk_free_stats(const gomem_chunk *c, gomem_free_stats *out)
{
  return c ? gomem_allocator_free_stats(c->alloc, out) : GOMEM_ERR_INVALID;
}
