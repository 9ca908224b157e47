/* SPDX-License-Identifier: MIT */
/*
 * Recyclable memory: a gomem_memory view plus the records of the segments
 * to give back. A record stores the pointer, the length and the allocator
 * the bytes came from, not an index into the view, so the view may be
 * edited (clipped by a reader, segments replaced) without losing track.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "gomem/recyclable.h"

struct record {
  void *ptr;
  size_t len;
  gomem_scalable *from; /* NULL: from malloc() */
};

struct gomem_recyclable {
  gomem_memory *view;
  gomem_scalable *alloc;
  struct record *records;
  size_t nrecords, cap;
};

gomem_recyclable *gomem_recyclable_new(gomem_scalable *s)
{
  gomem_recyclable *r = calloc(1, sizeof(*r));

  if (!r || !(r->view = gomem_memory_new())) {
    free(r);
    errno = ENOMEM;
    return NULL;
  }
  r->alloc = s;
  return r;
}

void gomem_recyclable_destroy(gomem_recyclable *r)
{
  if (!r)
    return;
  gomem_recyclable_recycle(r);
  gomem_memory_destroy(r->view);
  free(r->records);
  free(r);
}

static int reserve(gomem_recyclable *r, size_t n)
{
  const size_t max = SIZE_MAX / sizeof(struct record);

  if (r->cap - r->nrecords >= n)
    return GOMEM_OK;
  if (n > max - r->nrecords)
    return GOMEM_ERR_NOMEM;
  size_t need = r->nrecords + n;
  size_t cap = r->cap ? r->cap : 8;
  while (cap < need)
    cap = cap <= max / 2 ? cap * 2 : need;
  struct record *v = realloc(r->records, cap * sizeof(*v));
  if (!v)
    return GOMEM_ERR_NOMEM;
  r->records = v;
  r->cap = cap;
  return GOMEM_OK;
}

/* Push the segment on the view and record it; all or nothing. */
static int push_recorded(gomem_recyclable *r, void *ptr, size_t len, gomem_scalable *from)
{
  int rc = reserve(r, 1);

  if (rc == GOMEM_OK)
    rc = gomem_memory_push(r->view, ptr, len);
  if (rc != GOMEM_OK)
    return rc;
  r->records[r->nrecords++] = (struct record){ptr, len, from};
  return GOMEM_OK;
}

static void give_back(const struct record *rec)
{
  if (rec->from)
    (void)gomem_scalable_free(rec->from, rec->ptr, rec->len);
  else
    free(rec->ptr);
}

void *gomem_recyclable_next(gomem_recyclable *r, size_t size)
{
  if (!r || size == 0) {
    errno = EINVAL;
    return NULL;
  }
  void *p = r->alloc ? gomem_scalable_malloc(r->alloc, size) : malloc(size);
  if (!p) {
    if (!r->alloc)
      errno = ENOMEM;
    return NULL;
  }
  int rc = push_recorded(r, p, size, r->alloc);
  if (rc != GOMEM_OK) {
    give_back(&(struct record){p, size, r->alloc});
    errno = rc == GOMEM_ERR_NOMEM ? ENOMEM : EINVAL;
    return NULL;
  }
  return p;
}

int gomem_recyclable_add(gomem_recyclable *r, void *ptr, size_t len)
{
  if (!r || !ptr || len == 0 || !r->alloc)
    return GOMEM_ERR_INVALID;
  return push_recorded(r, ptr, len, r->alloc);
}

int gomem_recyclable_push(gomem_recyclable *r, const void *ptr, size_t len)
{
  if (!r)
    return GOMEM_ERR_INVALID;
  return gomem_memory_push(r->view, ptr, len);
}

int gomem_recyclable_init_recycle_indexes(gomem_recyclable *r, size_t n)
{
  if (!r)
    return GOMEM_ERR_INVALID;
  return reserve(r, n);
}

void gomem_recyclable_recycle(gomem_recyclable *r)
{
  if (!r)
    return;
  for (size_t i = 0; i < r->nrecords; i++)
    give_back(&r->records[i]);
  r->nrecords = 0;
  gomem_memory_reset(r->view);
}

gomem_memory *gomem_recyclable_memory(gomem_recyclable *r)
{
  return r ? r->view : NULL;
}

gomem_scalable *gomem_recyclable_allocator(const gomem_recyclable *r)
{
  return r ? r->alloc : NULL;
}

int gomem_recyclable_set_allocator(gomem_recyclable *r, gomem_scalable *s)
{
  if (!r)
    return GOMEM_ERR_INVALID;
  r->alloc = s;
  return GOMEM_OK;
}

size_t gomem_recyclable_recorded(const gomem_recyclable *r)
{
  return r ? r->nrecords : 0;
}
