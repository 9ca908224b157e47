/* SPDX-License-Identifier: MIT */
/*
 * Recyclable memory: a gomem_memory view plus the records of the segments
 * to give back. A record stores the pointer, the length and the allocator
 * the bytes came from, not an index into the view, so the view may be
 * edited (clipped by a reader, segments replaced) without losing track.
 *
 * Recycle gives a packet back in as few frees as it can: segments that
 * follow each other in memory (most do: they were carved one after the
 * other) are freed together, in one claim of the allocator (its owner, or
 * a shared allocator's busy flag); from another thread they are queued.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "gomem/recyclable.h"
#include "memory-internal.h"
#include "scalable-internal.h"

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

/* Make room to record a segment of @p len bytes: in the record list and
 * in the view. GOMEM_OK, GOMEM_ERR_OVERFLOW (the view's size would
 * overflow) or GOMEM_ERR_NOMEM; what grew stays as spare room. */
static int reserve_one(gomem_recyclable *r, size_t len)
{
  int rc = reserve(r, 1);

  return rc == GOMEM_OK ? gomem__memory_room(r->view, len) : rc;
}

/* Push the segment on the view and record it, once reserve_one made room:
 * this cannot fail. */
static void put_recorded(gomem_recyclable *r, void *ptr, size_t len, gomem_scalable *from)
{
  gomem__memory_put(r->view, ptr, len);
  r->records[r->nrecords++] = (struct record){ptr, len, from};
}

/* Give back a record whose allocator the caller has not claimed.
 * @return what gomem_scalable_free returns. */
static int give_back(const struct record *rec)
{
  if (rec->from)
    return gomem_scalable_free(rec->from, rec->ptr, rec->len);
  free(rec->ptr);
  return GOMEM_OK;
}

void *gomem_recyclable_next(gomem_recyclable *r, size_t size)
{
  if (!r || size == 0) {
    errno = EINVAL;
    return NULL;
  }
  /* Room first: once the bytes are allocated, recording them cannot
   * fail, so no failure has to give them back (which may need memory
   * too, and would show in the allocator's statistics). */
  int rc = reserve_one(r, size);
  if (rc != GOMEM_OK) {
    errno = rc == GOMEM_ERR_NOMEM ? ENOMEM : EINVAL;
    return NULL;
  }
  void *p = r->alloc ? gomem_scalable_malloc(r->alloc, size) : malloc(size);
  if (!p) {
    if (!r->alloc)
      errno = ENOMEM;
    return NULL;
  }
  put_recorded(r, p, size, r->alloc);
  return p;
}

int gomem_recyclable_add(gomem_recyclable *r, void *ptr, size_t len)
{
  if (!r || !ptr || len == 0 || !r->alloc)
    return GOMEM_ERR_INVALID;
  int rc = reserve_one(r, len);
  if (rc == GOMEM_OK)
    put_recorded(r, ptr, len, r->alloc);
  return rc;
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

/* @return the end of the run of records from i on that continue each
 * other in memory and come from the same allocator; *len its length. */
static size_t contiguous_run(const struct record *rec, size_t n, size_t i, size_t *len)
{
  size_t j = i + 1;

  *len = rec[i].len;
  while (j < n && rec[j].from == rec[i].from
         && (uintptr_t)rec[i].ptr + *len == (uintptr_t)rec[j].ptr) {
    *len += rec[j].len;
    j++;
  }
  return j;
}

/* Give back the records from i on that come from allocator s, which the
 * caller claimed: each contiguous run in one free, or one by one when that
 * free is refused (a run across two chunks, a record already freed, no
 * memory for the bookkeeping). Records that ran out of memory are moved
 * down to rec[*kept], *kept counting them, for the next recycle.
 * @return the index of the first record from another allocator. */
static size_t give_back_held(gomem_scalable *s, struct record *rec, size_t n, size_t i,
                             size_t *kept)
{
  while (i < n && rec[i].from == s) {
    size_t len;
    size_t end = contiguous_run(rec, n, i, &len);
    if (end - i == 1 || gomem__scalable_free_claimed(s, rec[i].ptr, len) != GOMEM_OK) {
      for (size_t k = i; k < end; k++)
        if (gomem__scalable_free_claimed(s, rec[k].ptr, rec[k].len) == GOMEM_ERR_NOMEM)
          rec[(*kept)++] = rec[k];
    }
    i = end;
  }
  return i;
}

void gomem_recyclable_recycle(gomem_recyclable *r)
{
  if (!r)
    return;
  struct record *rec = r->records;
  size_t i = 0, kept = 0;
  /* Records are given back in order; those that ran out of memory move
   * down to the front (never past one not yet looked at) and stay. */
  while (i < r->nrecords) {
    gomem_scalable *s = rec[i].from;
    /* Another thread's allocator, or busy: plain frees, which queue (and a
     * queued free's error is never seen, so runs are not merged). */
    if (!s || !gomem__scalable_try_claim(s)) {
      if (give_back(&rec[i]) == GOMEM_ERR_NOMEM)
        rec[kept++] = rec[i];
      i++;
      continue;
    }
    i = give_back_held(s, rec, r->nrecords, i, &kept);
    gomem__scalable_unclaim(s);
  }
  r->nrecords = kept;
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
