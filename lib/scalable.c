/* SPDX-License-Identifier: MIT */
/*
 * The scalable allocator: chunks added as it needs them (sized by
 * next_chunk_size), plus "system blocks" for what chunks do not serve (requests above 4 MiB, and every
 * request in a -Drecyclable=false build).
 *
 * Small requests are carved from the front span (see gomem/scalable.h).
 * Every chunk has a carving state (struct gomem__carve), from low
 * addresses up:
 *   [run, low)  free: pieces freed in the order they were carved
 *   [low, cur)  wholly allocated (carved, none freed since)
 *   [cur, end)  free: the span
 * and both free parts are held out of the chunk's range allocator. The
 * front chunk is carved from: a malloc moves its cur up. In any chunk a
 * free of [p, cur) moves cur back down (newest first) and a free of
 * [low, q) moves low up (oldest first), exactly and with no tree
 * operation; when low meets cur, [run, end) is one free part. So a stream
 * of buffers freed in the order they were allocated (a rolling window)
 * costs no tree operation in whichever chunk it lies. Every other free
 * goes to the chunk's range allocator after a check that it overlaps
 * neither free part; one that frees bytes of [low, cur) first hands
 * [run, low) to the range allocator, then starts [run, low) anew above
 * itself.
 *
 * When the span cannot serve a request, it goes back to its chunk (the
 * rest of the state stays there) and a new one is taken where the request
 * fits: the front chunk first, then every chunk in creation order (as Go
 * does) that holds no run of in-order frees, then, after a trim, every
 * chunk with what it holds given back to its range allocator, then from a
 * new chunk.
 *
 * Chunks are entries of an array sorted by address, so free finds the
 * chunk a pointer is in with a binary search, after checking the front
 * chunk and the chunk the last free landed in. System blocks, which may be
 * many (every allocation of a -Drecyclable=false build), have an index of
 * their own, a treap by address (lib/blocks.c): O(log n) to add, find and
 * remove.
 *
 * A system block is wholly allocated when created. Its first partial free
 * gives it a range allocator ("parts") that records which bytes are free,
 * so double frees are caught exactly; the block goes back to the system
 * when every byte is free.
 *
 * Threads: see gomem/scalable.h. `owner` holds the owning thread's
 * identity, 0 when disowned, or OWNER_SHARED; a shared allocator's calls
 * take the busy flag instead. Counters are written only by the thread
 * working on the chunks (the owner, or the flag's holder), so they are
 * updated with a plain atomic load and store (no read-modify-write); only
 * remote_pending is written by several threads at once.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "blocks.h"
#include "chunk-internal.h"
#include "fork.h"
#include "gomem/allocator.h"
#include "gomem/scalable.h"
#include "scalable-internal.h"
#include "report.h"
#include "source.h"

#define MAX_CHUNK GOMEM_SCALABLE_MAX_CHUNK
#define SPAN GOMEM_SCALABLE_SPAN

/* Values of `owner` that no thread has: a thread pointer is never 0 or 1. */
#define OWNER_NONE ((AO_t)0)
#define OWNER_SHARED ((AO_t)1)

struct entry {
  uintptr_t base;
  size_t size;
  gomem_chunk *chunk;
};

/* A free queued for the thread that works on the chunks. Allocated by the
 * freeing thread: the freed bytes are never written, as they may not be
 * ours. */
struct remote_free {
  gomem__lifo_node link; /* first: the LIFO hands back link pointers */
  void *ptr;
  size_t len;      /* 0: nothing to free, only malloced to count */
  size_t malloced; /* bytes to count as allocated when applied */
  bool tail;       /* a read's unread tail: never counted as allocated, so
                    * not counted as freed either */
};

struct counters {
  volatile AO_t total_malloc, total_free, chunks, reserved, large_blocks;
  volatile AO_t remote_pending, remote_rejected;
};

struct gomem_scalable {
  /* What the owner's malloc and free read, together at the start. */
  volatile AO_t owner; /* the owning thread, OWNER_NONE or OWNER_SHARED */
  gomem__lifo remote;  /* struct remote_free: frees for the owner/holder */
  struct gomem__carve fs; /* the front chunk's carving state, kept here */
  gomem_chunk *front;     /* the chunk carved from; the one that served last */
  size_t nchunks;
  struct counters stats;

  bool shared;          /* GOMEM_SCALABLE_SHARED: the busy flag serializes */
  gomem__spinlock busy; /* shared allocators: held by the working call */
  struct gomem__fork_entry fork; /* shared: busy is held across fork() */
  gomem_chunk *hot_free; /* where the last free outside front landed */
  gomem_chunk *spare;    /* a dropped chunk's bookkeeping, parked (no memory) */
  gomem__lifo_node *retry; /* struct remote_free that ran out of memory (see drain) */
  gomem_strategy strategy;
  size_t initial_size;

  struct entry *entries; /* the chunks, sorted by base */
  size_t nentries, cap;
  gomem_chunk **order;   /* chunks in creation order; room for cap */

  struct gomem__blocks blocks; /* system blocks */

  void *scratch; /* borrow buffer for what chunks do not serve */
  size_t scratch_size;
};

#if defined(__has_builtin)
#  if __has_builtin(__builtin_thread_pointer)
#    define HAVE_THREAD_POINTER 1
#  endif
#endif

/* The calling thread's identity: its thread pointer, one instruction where
 * the compiler offers it (glibc's pthread_self returns the same). */
static inline AO_t self_id(void)
{
#ifdef HAVE_THREAD_POINTER
  return (AO_t)__builtin_thread_pointer();
#else
  return (AO_t)pthread_self();
#endif
}

/* ---- counters (written by one thread at a time) -------------------------------- */

static void count_add(volatile AO_t *c, size_t v)
{
  gomem__counter_set(c, gomem__counter_read(c) + (AO_t)v);
}

static void count_sub(volatile AO_t *c, size_t v)
{
  gomem__counter_set(c, gomem__counter_read(c) - (AO_t)v);
}

/* ---- the address index ----------------------------------------------------- */

/* @return the index of the entry containing address p, or -1. */
static ptrdiff_t find_entry(const gomem_scalable *s, uintptr_t p)
{
  size_t lo = 0, hi = s->nentries;

  /* Find the first entry whose base is above p; the one before it is the
   * only candidate. */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->entries[mid].base <= p)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return -1;
  const struct entry *e = &s->entries[lo - 1];
  return p - e->base < e->size ? (ptrdiff_t)(lo - 1) : -1;
}

/* Make room for one more entry (and one more chunk in the order list), so
 * that adding the entry after getting its memory cannot fail. */
static int reserve_entry(gomem_scalable *s)
{
  if (s->nentries < s->cap)
    return 0;
  size_t cap = s->cap ? s->cap * 2 : 8;
  struct entry *e = realloc(s->entries, cap * sizeof(*e));
  if (!e)
    return -1;
  s->entries = e;
  gomem_chunk **o = realloc(s->order, cap * sizeof(*o));
  if (!o)
    return -1; /* entries grew already; harmless, cap stays */
  s->order = o;
  s->cap = cap;
  return 0;
}

static void insert_entry(gomem_scalable *s, const struct entry *e)
{
  size_t i = s->nentries;

  while (i > 0 && s->entries[i - 1].base > e->base)
    i--;
  memmove(&s->entries[i + 1], &s->entries[i], (s->nentries - i) * sizeof(*e));
  s->entries[i] = *e;
  s->nentries++;
}

static void remove_entry(gomem_scalable *s, size_t i)
{
  memmove(&s->entries[i], &s->entries[i + 1], (s->nentries - i - 1) * sizeof(s->entries[0]));
  s->nentries--;
}

/* ---- carving state ------------------------------------------------------------ */

/* The carving state of chunk c: the front chunk's lives in s. */
static inline struct gomem__carve *carve_of(gomem_scalable *s, gomem_chunk *c)
{
  return c == s->front ? &s->fs : &c->carve;
}

/* The free bytes k holds out of its chunk's range allocator. */
static inline size_t carve_held(const struct gomem__carve *k)
{
  return (k->end - k->cur) + (k->low - k->run);
}

/* @return true when [p, p + len) overlaps a free part of k. An empty part
 * overlaps nothing: a range across where it lies (cur of a used-up or
 * flushed span, low with no run) covers neighbouring allocations. */
static inline bool carve_overlaps(const struct gomem__carve *k, uintptr_t p, size_t len)
{
  return (k->cur < k->end && p < k->end && p + len > k->cur)
         || (k->run < k->low && p < k->low && p + len > k->run);
}

/* Hand [p, p + len) of chunk c to its range allocator. */
static int chunk_give(gomem_chunk *c, uintptr_t p, size_t len)
{
  return gomem__allocator_give(c->alloc, p - (uintptr_t)c->base, len);
}

/* Hand the span of k, in chunk c, to the range allocator. */
static inline int span_flush(gomem_chunk *c, struct gomem__carve *k)
{
  if (k->cur < k->end) {
    int rc = chunk_give(c, k->cur, k->end - k->cur);
    if (rc != GOMEM_OK)
      return rc;
    k->end = k->cur;
  }
  return GOMEM_OK;
}

/* Hand the run of in-order frees of k, in chunk c, to the range allocator. */
static inline int run_flush(gomem_chunk *c, struct gomem__carve *k)
{
  if (k->run < k->low) {
    int rc = chunk_give(c, k->run, k->low - k->run);
    if (rc != GOMEM_OK)
      return rc;
    k->run = k->low;
  }
  return GOMEM_OK;
}

/* @return the free bytes of chunk c, those its carving state holds included. */
static inline size_t chunk_free(const gomem_scalable *s, const gomem_chunk *c)
{
  return c->alloc->free_size + carve_held(c == s->front ? &s->fs : &c->carve);
}

static inline bool chunk_is_free(const gomem_scalable *s, const gomem_chunk *c)
{
  return chunk_free(s, c) == c->region.size;
}

/* Stop carving from the front chunk: its span goes back to the range
 * allocator, the rest of its state stays with it. @return false when the
 * range allocator had no memory for the span (nothing changed). */
static bool front_leave(gomem_scalable *s)
{
  gomem_chunk *c = s->front;

  if (!c)
    return true;
  if (span_flush(c, &s->fs) != GOMEM_OK)
    return false;
  c->carve = s->fs;
  s->front = NULL;
  s->fs = (struct gomem__carve){0, 0, 0, 0};
  return true;
}

/* Carve from chunk c (not the front, or the front having left): take the
 * start of its block where @p size fits as the span. A span that begins
 * where c's allocated part ends continues it; one elsewhere starts c's
 * state anew, so c must hold no run then. @return false when no block of
 * c fits. */
static bool front_enter(gomem_scalable *s, gomem_chunk *c, size_t size)
{
  struct gomem__carve *k = &c->carve;
  size_t off, len;

  if (gomem__allocator_take_upto(c->alloc, size, size > SPAN ? size : SPAN, &off, &len)
      != GOMEM_OK)
    return false;
  uintptr_t p = (uintptr_t)c->base + off;
  if (p != k->cur || k->end != k->cur)
    k->run = k->low = k->cur = p;
  k->end = p + len;
  s->front = c;
  s->fs = *k;
  return true;
}

/* Carve @p size bytes from the span, or NULL when it is too short. */
static inline void *span_carve(gomem_scalable *s, size_t size)
{
  uintptr_t p = s->fs.cur;

  if (size > s->fs.end - p)
    return NULL;
  s->fs.cur = p + size;
  gomem__track_alloc((void *)p, size);
  return (void *)p;
}

/* The span's first @p size bytes, left free, or NULL. */
static inline void *span_peek(gomem_scalable *s, size_t size)
{
  if (size > s->fs.end - s->fs.cur)
    return NULL;
  gomem__track_borrow((void *)s->fs.cur, size);
  return (void *)s->fs.cur;
}

/* ---- chunks ------------------------------------------------------------------- */

/* Put chunk c of @p size bytes in the address index and last in creation
 * order; reserve_entry made room. */
static void enlist_chunk(gomem_scalable *s, gomem_chunk *c, size_t size)
{
  struct entry e = {.base = (uintptr_t)gomem_chunk_base(c), .size = size, .chunk = c};

  insert_entry(s, &e);
  s->order[s->nchunks++] = c;
  count_add(&s->stats.chunks, 1);
}

static gomem_chunk *add_chunk(gomem_scalable *s, size_t size)
{
  if (reserve_entry(s) != 0)
    return NULL;
  gomem_chunk *c = s->spare;
  if (c && gomem__chunk_renew(c, size) == GOMEM_OK)
    s->spare = NULL;
  else if (!(c = gomem_chunk_new(size, s->strategy)))
    return NULL;
  enlist_chunk(s, c, size);
  count_add(&s->stats.reserved, size);
  return c;
}

/* Drop entry i, a chunk, and give its memory back. */
static void drop_chunk(gomem_scalable *s, size_t i)
{
  gomem_chunk *c = s->entries[i].chunk;
  size_t size = s->entries[i].size;

  if (s->front == c) {
    s->front = NULL;
    s->fs = (struct gomem__carve){0, 0, 0, 0};
  }
  if (s->hot_free == c)
    s->hot_free = NULL;
  remove_entry(s, i);
  for (size_t k = 0; k < s->nchunks; k++) {
    if (s->order[k] == c) {
      memmove(&s->order[k], &s->order[k + 1], (s->nchunks - k - 1) * sizeof(c));
      s->nchunks--;
      break;
    }
  }
  /* The memory goes back now; the bookkeeping may serve the next chunk. */
  gomem__chunk_park(c);
  if (!s->spare)
    s->spare = c;
  else
    gomem_chunk_destroy(c);
  count_sub(&s->stats.chunks, 1);
  count_sub(&s->stats.reserved, size);
}

/* Drop every chunk but @p keep (may be NULL) that is completely free.
 * @return how many went. */
static size_t trim_chunks(gomem_scalable *s, const gomem_chunk *keep)
{
  size_t dropped = 0;

  for (size_t i = s->nentries; i-- > 0;) {
    gomem_chunk *c = s->entries[i].chunk;
    /* The caller's regions stay for the allocator's life. */
    if (c != keep && chunk_is_free(s, c) && !gomem__chunk_is_callers(c)) {
      drop_chunk(s, i);
      dropped++;
    }
  }
  return dropped;
}

/* Growth. Chunks after the first are sized from the bytes the allocator
 * holds in chunks: while that is below GROWTH_FLOOR, all of it (the total
 * doubles, as in Go) but at least what is in use plus the request, so that
 * a small working set that comes and goes (a batch allocated, then freed
 * in order) ends up in one chunk instead of adding and dropping one every
 * round; then GROWTH_FLOOR; then 1/GROWTH_SHARE of it (about 3 % more per
 * chunk). So an allocator that holds steady, such as a stream's
 * rolling window, keeps adding chunks of the size it drops, which the
 * chunk cache hands back warm, instead of walking up a ladder of ever
 * larger chunks; and what a partly used chunk costs stays small next to
 * what the allocator holds. */
#define GROWTH_FLOOR ((size_t)64 << 10)
#define GROWTH_SHARE 32

/* @return n rounded up to a chunk size class: four per power of two (2^k,
 * 1.25, 1.5 and 1.75 times 2^k), whole pages from 16 KiB. Few sizes, so
 * that chunks released by one allocator fit the next one's request. */
static size_t size_class(size_t n)
{
  size_t top = n;

  while (top & (top - 1))
    top &= top - 1; /* the highest bit of n */
  size_t step = top / 4;
  if (top >= 16 * 1024 && step < 4096)
    step = 4096;
  if (step == 0)
    step = 1;
  return (n + step - 1) / step * step;
}

/* The size of the next chunk, for a request of @p need <= 4 MiB bytes that
 * no chunk can serve, counting only the chunks that are not completely
 * free (those go once it is added, see carve): with no chunk left, the
 * initial size (as after Go's trim); else see "Growth" above. Never below
 * the initial size or @p need, never above 4 MiB. */
static size_t next_chunk_size(const gomem_scalable *s, size_t need)
{
  size_t held = 0, in_use = 0, kept = 0;

  for (size_t i = 0; i < s->nentries; i++) {
    size_t size = s->entries[i].size, free = chunk_free(s, s->entries[i].chunk);
    if (free == size)
      continue;
    held += size;
    in_use += size - free;
    kept++;
  }
  size_t small = held > in_use + need ? held : in_use + need;
  size_t next = kept == 0 ? s->initial_size
                : held < GROWTH_FLOOR ? small
                : held / GROWTH_SHARE > GROWTH_FLOOR ? held / GROWTH_SHARE : GROWTH_FLOOR;
  if (next < s->initial_size)
    next = s->initial_size;
  if (next < need || kept > 0)
    next = size_class(next < need ? need : next);
  return next < MAX_CHUNK ? next : MAX_CHUNK;
}

/* ---- finding room ---------------------------------------------------------------- */

/* How carve uses a chunk that has room. */
enum carve_mode {
  CARVE_SPAN, /* make it the front span (the front has left) */
  CARVE_TAKE, /* allocate from its range allocator */
  CARVE_PEEK, /* where CARVE_TAKE would allocate, left free */
};

/* @return whether chunk c, with carving state k, may have room for
 * @p size bytes in its range allocator; with @p flush, what k holds goes
 * back to the range allocator first, so that every free byte of c is
 * seen. */
static bool carve_ready(gomem_scalable *s, gomem_chunk *c, struct gomem__carve *k, size_t size,
                        bool flush)
{
  /* Cheap answers first: most chunks are full when we get here. */
  if ((flush ? chunk_free(s, c) : c->alloc->free_size) < size)
    return false;
  return !flush || (span_flush(c, k) == GOMEM_OK && run_flush(c, k) == GOMEM_OK);
}

/* Use chunk c for @p size bytes, or NULL. With @p flush, what c's carving
 * state holds goes back to its range allocator first, so that every free
 * byte of c is seen. */
static void *carve_in(gomem_scalable *s, gomem_chunk *c, size_t size, enum carve_mode mode,
                      bool flush)
{
  struct gomem__carve *k = carve_of(s, c);

  if (!carve_ready(s, c, k, size, flush))
    return NULL;
  switch (mode) {
  case CARVE_SPAN:
    /* A new span may start c's state anew: not while c holds a run. */
    if (k->run < k->low || span_flush(c, k) != GOMEM_OK)
      return NULL;
    return front_enter(s, c, size) ? (void *)s->fs.cur : NULL;
  case CARVE_TAKE:
    return gomem__chunk_take(c, size);
  default:
    return gomem__chunk_peek(c, size);
  }
}

/* Try every chunk but @p skip (tried already), in creation order. */
static void *carve_any(gomem_scalable *s, size_t size, enum carve_mode mode,
                       const gomem_chunk *skip, bool flush)
{
  for (size_t k = 0; k < s->nchunks; k++) {
    gomem_chunk *c = s->order[k];
    /* carve_in's first answer, without the call: most chunks are full. */
    if (c == skip || (!flush && c->alloc->free_size < size))
      continue;
    void *p = carve_in(s, c, size, mode, flush);
    if (p)
      return p;
  }
  return NULL;
}

/* Find room for @p size <= 4 MiB bytes, growing the chunks as the Go
 * original does: chunk @p first (the front), every chunk in creation
 * order, every chunk again with all its free bytes in its range
 * allocator, add a chunk and trim. With CARVE_SPAN the front must have
 * left, and the result is the new span's start. NULL with errno ENOMEM
 * when the system is out of memory; what the chunks hold is unchanged
 * then. */
static void *carve(gomem_scalable *s, size_t size, enum carve_mode mode, gomem_chunk *first)
{
  void *p = first ? carve_in(s, first, size, mode, false) : NULL;

  if (p || (p = carve_any(s, size, mode, first, false)) != NULL)
    return p;
  if ((p = carve_any(s, size, mode, NULL, true)) != NULL)
    return p;
  gomem_chunk *c = add_chunk(s, next_chunk_size(s, size));
  if (!c || !(p = carve_in(s, c, size, mode, false))) {
    errno = ENOMEM;
    return NULL;
  }
  /* Chunks that are completely free are too small for the request: they
   * go, as Go trims before it grows, but only now that the new chunk is
   * in, so that running out of memory leaves every chunk in place. */
  (void)trim_chunks(s, c);
  return p;
}

/* The span cannot serve @p size <= SPAN bytes: give it back and take a
 * new one where the request fits. @return false (errno ENOMEM) when the
 * system is out of memory. */
static bool span_refill(gomem_scalable *s, size_t size)
{
  gomem_chunk *first = s->front;

  if (!front_leave(s)) {
    errno = ENOMEM;
    return false;
  }
  return carve(s, size, CARVE_SPAN, first) != NULL;
}

/* ---- system blocks ------------------------------------------------------------ */

/* A system block of @p size bytes at an address that is a multiple of
 * @p align (a power of two): align - 1 bytes more are reserved, and the
 * block is the aligned part, so free finds it like any other; the region
 * keeps the real start to give back. */
static void *add_block_aligned(gomem_scalable *s, size_t size, size_t align)
{
  struct gomem__block *x = size <= SIZE_MAX - (align - 1) ? gomem__blocks_get(&s->blocks) : NULL;
  size_t total = size + (align - 1);
  int rc;

  if (!x) {
    errno = ENOMEM;
    return NULL;
  }
  if (total > MAX_CHUNK)
    rc = gomem__region_acquire_system(&x->region, total);
  else
    rc = gomem__region_acquire_plain(&x->region, total);
  if (rc != 0) {
    gomem__blocks_put(&s->blocks, x);
    errno = ENOMEM;
    return NULL;
  }
  x->base = ((uintptr_t)x->region.ptr + (align - 1)) & ~(uintptr_t)(align - 1);
  x->size = size;
  gomem__blocks_insert(&s->blocks, x);
  count_add(&s->stats.large_blocks, 1);
  count_add(&s->stats.reserved, size);
  return (void *)x->base;
}

static void *add_block(gomem_scalable *s, size_t size)
{
  return add_block_aligned(s, size, 1);
}

static void drop_block(gomem_scalable *s, struct gomem__block *x)
{
  size_t size = x->size;

  gomem__blocks_remove(&s->blocks, x);
  gomem_allocator_destroy(x->parts);
  gomem__region_release(&x->region);
  gomem__blocks_put(&s->blocks, x);
  count_sub(&s->stats.large_blocks, 1);
  count_sub(&s->stats.reserved, size);
}

/* Free [off, off+len) of system block x (range already inside it). */
static int free_block_part(gomem_scalable *s, struct gomem__block *x, size_t off, size_t len)
{
  if (!x->parts && off == 0 && len == x->size) {
    drop_block(s, x);
    return GOMEM_OK;
  }
  if (!x->parts) {
    gomem_allocator *a = gomem_allocator_new(x->size, s->strategy);
    size_t at;
    if (!a)
      return GOMEM_ERR_NOMEM;
    if (gomem__allocator_take(a, x->size, &at) != GOMEM_OK) {
      gomem_allocator_destroy(a);
      return GOMEM_ERR_NOMEM;
    }
    x->parts = a;
  }
  int rc = gomem__allocator_give(x->parts, off, len);
  if (rc != GOMEM_OK)
    return rc; /* a fresh parts allocator stays: it says "all allocated" */
  if (x->parts->free_size == x->size)
    drop_block(s, x);
  return GOMEM_OK;
}

/* Free [p, p + len) from whatever system block holds p. */
static int free_block(gomem_scalable *s, uintptr_t p, size_t len)
{
  struct gomem__block *x = gomem__blocks_find(&s->blocks, p);

  if (!x)
    return GOMEM_ERR_NOT_OWNED;
  size_t off = p - x->base;
  if (len > x->size - off)
    return GOMEM_ERR_INVALID;
  return free_block_part(s, x, off, len);
}

/* ---- malloc and free without statistics ------------------------------------- */

static void *alloc_raw(gomem_scalable *s, size_t size)
{
  void *p = span_carve(s, size);

  if (p)
    return p;
  /* A -Drecyclable=false build has no chunks (and so never a span). */
  if (!GOMEM_WITH_RECYCLABLE || size > MAX_CHUNK)
    return add_block(s, size);
  /* Larger requests leave the span alone: it would only serve them once. */
  if (size > SPAN)
    return carve(s, size, CARVE_TAKE, s->front);
  return span_refill(s, size) ? span_carve(s, size) : NULL;
}

/* Free [p, p + len) when it is the newest or the oldest part of k's
 * [low, cur): then it is wholly allocated, and the free is exact without
 * the range allocator. When low meets cur, [run, end) becomes one free
 * part. @return false, nothing changed, for any other range (those with
 * len 0 or wrapping around included). */
static inline bool carve_give(struct gomem__carve *k, uintptr_t p, size_t len)
{
  if (p - k->low < k->cur - k->low && p + len == k->cur)
    k->cur = p;
  else if (p == k->low && len - 1 < k->cur - p)
    k->low = p + len;
  else
    return false;
  if (k->low == k->cur)
    k->low = k->cur = k->run;
  return true;
}

/* [p, p + len) of chunk c was freed: release c when that made it
 * completely free and other chunks remain. */
static __attribute__((noinline)) void drop_chunk_at(gomem_scalable *s, uintptr_t p)
{
  drop_chunk(s, (size_t)find_entry(s, p));
}

static inline void chunk_freed(gomem_scalable *s, gomem_chunk *c, uintptr_t p, size_t len)
{
  gomem__track_free((void *)p, len);
  if (s->nchunks > 1 && chunk_is_free(s, c) && !gomem__chunk_is_callers(c))
    drop_chunk_at(s, p);
}

/* Give [p, p + len), which frees bytes of k's [low, cur) but is not its
 * newest or oldest part, to chunk c's range allocator: the run goes first,
 * as [run, low) must stay next to [low, cur). The range may reach past
 * cur when the span is empty. */
static int give_clean(gomem_chunk *c, struct gomem__carve *k, size_t off, uintptr_t p, size_t len)
{
  int rc = run_flush(c, k);

  if (rc == GOMEM_OK)
    rc = gomem__allocator_give(c->alloc, off, len);
  if (rc == GOMEM_OK)
    k->run = k->low = p + len < k->cur ? p + len : k->cur;
  return rc;
}

/* Free [p, p + len) from chunk c, which p is in at offset off. */
/* Free [p, p + len) from chunk c with the range allocator: it is not the
 * newest or oldest part of c's [low, cur). */
static __attribute__((noinline)) int free_in_tree(gomem_scalable *s, gomem_chunk *c,
                                                  struct gomem__carve *k, uintptr_t p,
                                                  size_t off, size_t len)
{
  int rc = p < k->cur && p + len > k->low ? give_clean(c, k, off, p, len)
                                          : gomem__allocator_give(c->alloc, off, len);

  if (rc == GOMEM_OK)
    chunk_freed(s, c, p, len);
  return rc;
}

/* Free [p, p + len) from chunk c, which p is in at offset off. */
static inline int free_in_chunk(gomem_scalable *s, gomem_chunk *c, uintptr_t p, size_t off,
                                size_t len)
{
  struct gomem__carve *k = carve_of(s, c);

  if (len > c->region.size - off)
    return GOMEM_ERR_INVALID;
  /* What the carving state holds is free: any overlap is a double free. */
  if (carve_overlaps(k, p, len))
    return GOMEM_ERR_INVALID;
  if (!carve_give(k, p, len))
    return free_in_tree(s, c, k, p, off, len);
  chunk_freed(s, c, p, len);
  return GOMEM_OK;
}

/* @return the chunk address p lies in, its offset there in *off; NULL when
 * p is in no chunk. */
static inline gomem_chunk *chunk_of(gomem_scalable *s, uintptr_t p, size_t *off)
{
  if (s->front && (*off = gomem__chunk_offset(s->front, p)) != SIZE_MAX)
    return s->front;
  if (s->hot_free && (*off = gomem__chunk_offset(s->hot_free, p)) != SIZE_MAX)
    return s->hot_free;
  ptrdiff_t i = find_entry(s, p);
  if (i < 0)
    return NULL;
  *off = p - s->entries[i].base;
  return s->hot_free = s->entries[i].chunk;
}

/* Free [p, p + len) of anything of s. */
static int free_lookup(gomem_scalable *s, uintptr_t p, size_t len)
{
  size_t off;
  gomem_chunk *c = chunk_of(s, p, &off);

  return c ? free_in_chunk(s, c, p, off, len) : free_block(s, p, len);
}

/* Free [ptr, ptr + len), len > 0 and no wrap-around, by the thread
 * working on the chunks. */
static int free_raw(gomem_scalable *s, void *ptr, size_t len)
{
  uintptr_t p = (uintptr_t)ptr;

  if (carve_give(&s->fs, p, len)) {
    chunk_freed(s, s->front, p, len);
    return GOMEM_OK;
  }
  return free_lookup(s, p, len);
}

static int free_held(gomem_scalable *s, void *ptr, size_t len)
{
  int rc = free_raw(s, ptr, len);

  if (rc == GOMEM_OK)
    count_add(&s->stats.total_free, len);
  return rc;
}

/* Keep the queued free @p f, still pending, for the next drain: it needs
 * memory there is none of now. */
static void retry_later(gomem_scalable *s, struct remote_free *f)
{
  f->link.next = s->retry;
  s->retry = &f->link;
}

/* Apply the queued frees of list @p n. One that needs memory there is
 * none of is kept to be tried again; one that is invalid is dropped and
 * counted. @return how many were applied or dropped. */
static size_t apply_queued(gomem_scalable *s, gomem__lifo_node *n)
{
  size_t count = 0;

  while (n) {
    struct remote_free *f = (struct remote_free *)n;
    n = n->next;
    count_add(&s->stats.total_malloc, f->malloced);
    f->malloced = 0; /* counted once, however often the free is tried */
    int rc = f->len == 0 ? GOMEM_OK
             : f->tail   ? free_raw(s, f->ptr, f->len)
                         : free_held(s, f->ptr, f->len);
    if (rc == GOMEM_ERR_NOMEM) {
      retry_later(s, f);
      continue;
    }
    if (rc != GOMEM_OK)
      count_add(&s->stats.remote_rejected, 1);
    gomem__counter_sub(&s->stats.remote_pending, 1);
    free(f);
    count++;
  }
  return count;
}

/* Apply the queued frees, those that ran out of memory before first, by
 * the thread working on the chunks. Nothing is dropped for lack of
 * memory: such a free waits for the next drain. @return how many were
 * applied or dropped as invalid. */
static size_t drain(gomem_scalable *s)
{
  gomem__lifo_node *again = s->retry;

  s->retry = NULL;
  size_t count = apply_queued(s, again);
  return count + apply_queued(s, gomem__lifo_take_all(&s->remote));
}

static inline void drain_if_queued(gomem_scalable *s)
{
  if (!gomem__lifo_empty(&s->remote) || s->retry)
    (void)drain(s);
}

/* ---- the busy flag of shared allocators ----------------------------------------
 * Whoever holds it may touch the chunk list and the counters. Allocating
 * calls wait for it; frees only try it and queue themselves when it is
 * held. The holder applies the queue before letting go, and a free that
 * queued tries the flag once more afterwards, so a queued free is applied
 * almost always before the flag is next free (see "leave"). */

/* Apply the queue and give the flag up. A free may queue itself after the
 * last check and find the flag still held when it tries again: look at the
 * queue once more after letting go, and take it back if it is not empty.
 * What remains is a race of a few instructions (the release store may
 * become visible after the second look, and no fence is paid for on this
 * path); a free caught in it waits for the next call that takes the flag. */
static void leave(gomem_scalable *s)
{
  do {
    drain_if_queued(s);
    gomem__spinlock_unlock(&s->busy);
  } while (!gomem__lifo_empty(&s->remote) && gomem__spinlock_trylock(&s->busy));
}

/* Queue the free of [ptr, ptr + len) in node f for the thread working on
 * the chunks; @p malloced bytes are counted as allocated when it is
 * applied, and a read's @p tail is not counted as freed (see read_into). */
static void queue_node(gomem_scalable *s, struct remote_free *f, void *ptr, size_t len,
                       size_t malloced, bool tail)
{
  f->ptr = ptr;
  f->len = len;
  f->malloced = malloced;
  f->tail = tail;
  /* Counted before it can be taken, so the drainer's decrement never
   * passes it. */
  gomem__counter_add(&s->stats.remote_pending, 1);
  gomem__lifo_push(&s->remote, &f->link);
  /* A shared allocator's holder may have let go between our try and the
   * push: apply it now if the flag is free. */
  if (s->shared && gomem__spinlock_trylock(&s->busy))
    leave(s);
}

/* A free by a thread that may not work on the chunks now. */
static int free_queued(gomem_scalable *s, void *ptr, size_t len)
{
  struct remote_free *f = malloc(sizeof(*f));

  if (!f)
    return GOMEM_ERR_NOMEM;
  queue_node(s, f, ptr, len, 0, false);
  return GOMEM_OK;
}

/* ---- who works on the chunks ------------------------------------------------------ */

/* @return true when the calling thread owns s and nothing is queued: the
 * owner's fast paths may run (one load each, no read-modify-write). */
static inline bool owner_idle(const gomem_scalable *s)
{
  return gomem__atomic_load(&s->owner) == self_id() && gomem__lifo_empty(&s->remote);
}

/* Become the thread that works on the chunks, for one call: the owner,
 * the adopter of a disowned allocator, or (shared) the busy flag's holder,
 * waiting for it. Applies the queued frees. @return false, having touched
 * nothing, when another thread owns s. */
static bool claim(gomem_scalable *s)
{
  if (s->shared) {
    gomem__spinlock_lock(&s->busy);
  } else {
    AO_t me = self_id();
    AO_t owner = gomem__atomic_load(&s->owner);
    if (owner != me
        && !(owner == OWNER_NONE && gomem__atomic_cas(&s->owner, OWNER_NONE, me)))
      return false;
  }
  drain_if_queued(s);
  return true;
}

/* The end of a call that claimed s. */
static void unclaim(gomem_scalable *s)
{
  if (s->shared)
    leave(s);
}

bool gomem__scalable_claim(gomem_scalable *s)
{
  return claim(s);
}

/* claim without waiting and without adopting, as a free does: @return
 * true when the caller owns s or got its busy flag. */
static bool try_claim(gomem_scalable *s)
{
  if (s->shared ? !gomem__spinlock_trylock(&s->busy)
                : gomem__atomic_load(&s->owner) != self_id())
    return false;
  drain_if_queued(s);
  return true;
}

bool gomem__scalable_try_claim(gomem_scalable *s)
{
  return try_claim(s);
}

void gomem__scalable_unclaim(gomem_scalable *s)
{
  unclaim(s);
}

int gomem__scalable_free_claimed(gomem_scalable *s, void *ptr, size_t len)
{
  return free_held(s, ptr, len);
}

/* ---- public API ------------------------------------------------------------ */

gomem_scalable *gomem_scalable_new_ex(size_t initial_size, gomem_strategy s, unsigned flags)
{
  if (initial_size == 0 || (flags & ~GOMEM_SCALABLE_SHARED) || !gomem_strategy_available(s)) {
    errno = initial_size == 0 || (flags & ~GOMEM_SCALABLE_SHARED) || (unsigned)s > GOMEM_STRATEGY_TLSF
              ? EINVAL
              : ENOTSUP;
    return NULL;
  }
  gomem_scalable *a = calloc(1, sizeof(*a));
  if (!a) {
    errno = ENOMEM;
    return NULL;
  }
  a->shared = flags & GOMEM_SCALABLE_SHARED;
  gomem__atomic_store_release(&a->owner, a->shared ? OWNER_SHARED : self_id());
  gomem__spinlock_init(&a->busy);
  gomem__lifo_init(&a->remote);
  gomem__blocks_init(&a->blocks);
  if (a->shared)
    gomem__fork_register(&a->fork, &a->busy, GOMEM__FORK_OUTER);
  a->strategy = s;
  a->initial_size = initial_size;
  if (GOMEM_WITH_RECYCLABLE && !add_chunk(a, initial_size)) {
    gomem_scalable_destroy(a);
    errno = ENOMEM;
    return NULL;
  }
  return a;
}

gomem_scalable *gomem_scalable_new_with(size_t initial_size, gomem_strategy s)
{
  return gomem_scalable_new_ex(initial_size, s, 0);
}

gomem_scalable *gomem_scalable_new(size_t initial_size)
{
  return gomem_scalable_new_ex(initial_size, GOMEM_STRATEGY_DEFAULT, 0);
}

static void free_nodes(gomem__lifo_node *n)
{
  while (n) {
    gomem__lifo_node *next = n->next;
    free(n);
    n = next;
  }
}

void gomem_scalable_destroy(gomem_scalable *s)
{
  if (!s)
    return;
  if (s->shared)
    gomem__fork_unregister(&s->fork);
  free_nodes(gomem__lifo_take_all(&s->remote));
  free_nodes(s->retry);
  for (size_t i = 0; i < s->nentries; i++)
    gomem_chunk_destroy(s->entries[i].chunk);
  gomem_chunk_destroy(s->spare);
  gomem__blocks_fini(&s->blocks);
  free(s->entries);
  free(s->order);
  free(s->scratch);
  free(s);
}

int gomem_scalable_disown(gomem_scalable *s)
{
  if (!s || s->shared)
    return GOMEM_ERR_INVALID;
  if (gomem__atomic_load(&s->owner) != self_id())
    return GOMEM_ERR_WRONG_THREAD;
  drain_if_queued(s);
  /* Release: the adopter's CAS sees everything written before. */
  gomem__atomic_store_release(&s->owner, OWNER_NONE);
  return GOMEM_OK;
}

/* ---- aligned allocation ------------------------------------------------------ */

/* @p size bytes at a multiple of @p align from some chunk's range
 * allocator, trying every chunk in creation order; with @p flush, every
 * free byte of each (see carve_ready). NULL when none has an aligned fit. */
static void *aligned_any(gomem_scalable *s, size_t size, size_t align, bool flush)
{
  for (size_t i = 0; i < s->nchunks; i++) {
    gomem_chunk *c = s->order[i];
    void *p = carve_ready(s, c, carve_of(s, c), size, flush)
                ? gomem__chunk_take_aligned(c, size, align)
                : NULL;
    if (p)
      return p;
  }
  return NULL;
}

/* malloc's alloc_raw for an alignment (a power of two > 1): the span when
 * it starts aligned (so consecutive allocations stay adjacent), else the
 * chunks as carve() tries them, then a new chunk large enough to hold an
 * aligned fit wherever it starts, then trim. What no chunk can hold (a
 * request or an alignment above 4 MiB, or every request with
 * -Drecyclable=false) is an aligned system block. */
static void *alloc_aligned_raw(gomem_scalable *s, size_t size, size_t align)
{
  void *p = (s->fs.cur & (align - 1)) == 0 ? span_carve(s, size) : NULL;

  if (p)
    return p;
  if (!GOMEM_WITH_RECYCLABLE || size > MAX_CHUNK || align > MAX_CHUNK)
    return add_block_aligned(s, size, align);
  if ((p = aligned_any(s, size, align, false)) != NULL
      || (p = aligned_any(s, size, align, true)) != NULL)
    return p;
  if (size > MAX_CHUNK - (align - 1))
    return add_block_aligned(s, size, align);
  gomem_chunk *c = add_chunk(s, next_chunk_size(s, size + (align - 1)));
  if (!c || !(p = gomem__chunk_take_aligned(c, size, align))) {
    errno = ENOMEM;
    return NULL;
  }
  /* As carve() does: free chunks go once the new one is in. */
  (void)trim_chunks(s, c);
  return p;
}

void *gomem_scalable_malloc_aligned(gomem_scalable *s, size_t size, size_t align)
{
  if (!s || size == 0 || align == 0 || (align & (align - 1)) != 0) {
    errno = EINVAL;
    return NULL;
  }
  if (align == 1)
    return gomem_scalable_malloc(s, size);
  if (!claim(s)) {
    errno = EPERM;
    return NULL;
  }
  void *p = alloc_aligned_raw(s, size, align);
  if (p)
    count_add(&s->stats.total_malloc, size);
  unclaim(s);
  return p;
}

static __attribute__((noinline)) void *malloc_slow(gomem_scalable *s, size_t size)
{
  if (!s || size == 0) {
    errno = EINVAL;
    return NULL;
  }
  if (!claim(s)) {
    errno = EPERM;
    return NULL;
  }
  void *p = alloc_raw(s, size);
  if (p)
    count_add(&s->stats.total_malloc, size);
  unclaim(s);
  return p;
}

void *gomem_scalable_malloc(gomem_scalable *s, size_t size)
{
  /* The owner's common case: carve from the span. */
  if (s && size && owner_idle(s)) {
    void *p = span_carve(s, size);
    if (p) {
      count_add(&s->stats.total_malloc, size);
      return p;
    }
  }
  return malloc_slow(s, size);
}

static void *borrow_scratch(gomem_scalable *s, size_t size)
{
  if (s->scratch_size >= size)
    return s->scratch;
  void *p = malloc(size);
  if (!p) {
    errno = ENOMEM;
    return NULL;
  }
  free(s->scratch);
  count_sub(&s->stats.reserved, s->scratch_size);
  count_add(&s->stats.reserved, size);
  s->scratch = p;
  s->scratch_size = size;
  return p;
}

static void *borrow_raw(gomem_scalable *s, size_t size)
{
  void *p = span_peek(s, size);

  if (p)
    return p;
  if (!GOMEM_WITH_RECYCLABLE || size > MAX_CHUNK)
    return borrow_scratch(s, size);
  if (size > SPAN)
    return carve(s, size, CARVE_PEEK, s->front);
  return span_refill(s, size) ? span_peek(s, size) : NULL;
}

static __attribute__((noinline)) void *borrow_slow(gomem_scalable *s, size_t size)
{
  if (!s || size == 0) {
    errno = EINVAL;
    return NULL;
  }
  if (!claim(s)) {
    errno = EPERM;
    return NULL;
  }
  void *p = borrow_raw(s, size);
  unclaim(s);
  return p;
}

void *gomem_scalable_borrow(gomem_scalable *s, size_t size)
{
  if (s && size && owner_idle(s)) {
    void *p = span_peek(s, size);
    if (p)
      return p;
  }
  return borrow_slow(s, size);
}

/* The checks every free makes before anything else (a queued free too):
 * GOMEM_OK, GOMEM_ERR_INVALID or GOMEM_ERR_NOT_OWNED. */
static int free_args(uintptr_t p, size_t len)
{
  if (len == 0 || p + len < p)
    return GOMEM_ERR_INVALID;
  return p ? GOMEM_OK : GOMEM_ERR_NOT_OWNED;
}

static __attribute__((noinline)) int free_slow(gomem_scalable *s, void *ptr, size_t len)
{
  int rc = s ? free_args((uintptr_t)ptr, len) : GOMEM_ERR_INVALID;

  if (rc != GOMEM_OK)
    return rc;
  if (!try_claim(s))
    return free_queued(s, ptr, len);
  rc = free_held(s, ptr, len);
  unclaim(s);
  return rc;
}

/* A free by the owner, with nothing queued, past the front chunk's fast
 * case. */
static __attribute__((noinline)) int free_owned(gomem_scalable *s, uintptr_t p, size_t len)
{
  int rc = free_args(p, len);

  if (rc != GOMEM_OK)
    return rc;
  rc = free_lookup(s, p, len);
  if (rc == GOMEM_OK)
    count_add(&s->stats.total_free, len);
  return rc;
}

int gomem_scalable_free(gomem_scalable *s, void *ptr, size_t len)
{
  uintptr_t p = (uintptr_t)ptr;

  if (s && owner_idle(s)) {
    /* The common case: the newest or the oldest allocation still in the
     * front chunk's allocated part comes back. */
    if (carve_give(&s->fs, p, len)) {
      count_add(&s->stats.total_free, len);
      chunk_freed(s, s->front, p, len);
      return GOMEM_OK;
    }
    return free_owned(s, p, len);
  }
  return free_slow(s, ptr, len);
}

int gomem_scalable_free_rest(gomem_scalable *s, void *ptr, size_t len, size_t keep)
{
  if (!s || keep > len)
    return GOMEM_ERR_INVALID;
  if (keep == len)
    return GOMEM_OK;
  if (!ptr)
    return GOMEM_ERR_NOT_OWNED;
  return gomem_scalable_free(s, (unsigned char *)ptr + keep, len - keep);
}

void gomem_scalable_trim(gomem_scalable *s)
{
  if (!s || !claim(s))
    return;
  if (s->front)
    (void)span_flush(s->front, &s->fs);
  (void)trim_chunks(s, NULL);
  free(s->scratch);
  count_sub(&s->stats.reserved, s->scratch_size);
  s->scratch = NULL;
  s->scratch_size = 0;
  unclaim(s);
}

int gomem_scalable_drain(gomem_scalable *s)
{
  if (!s)
    return GOMEM_ERR_INVALID;
  if (s->shared)
    gomem__spinlock_lock(&s->busy);
  else if (gomem__atomic_load(&s->owner) != self_id())
    return GOMEM_ERR_WRONG_THREAD;
  size_t n = drain(s);
  unclaim(s);
  return n > INT32_MAX ? INT32_MAX : (int)n;
}
_Static_assert(sizeof(gomem_stats) == offsetof(gomem_stats, total_malloc) + 8 * sizeof(uint64_t),
               "gomem_stats ends with eight uint64_t fields and no padding");

/* Every field of *st but struct_size. */
static inline void read_stats(const struct counters *c, gomem_stats *st)
{
  /* total_free first: it never passes total_malloc, so reading it before
   * keeps in_use from going negative. */
  AO_t freed = gomem__counter_read(&c->total_free);
  AO_t malloced = gomem__counter_read(&c->total_malloc);

  st->total_malloc = malloced;
  st->total_free = freed;
  st->in_use = malloced > freed ? malloced - freed : 0;
  st->chunks = gomem__counter_read(&c->chunks);
  st->reserved = gomem__counter_read(&c->reserved);
  st->large_blocks = gomem__counter_read(&c->large_blocks);
  st->remote_pending = gomem__counter_read(&c->remote_pending);
  st->remote_rejected = gomem__counter_read(&c->remote_rejected);
}

/* For a caller built with an older, shorter struct: the fields that fit
 * whole (they are all uint64_t, one after the other). */
static void read_stats_short(const struct counters *c, gomem_stats *out)
{
  const size_t first = offsetof(gomem_stats, total_malloc);
  gomem_stats all;

  read_stats(c, &all);
  if (out->struct_size > first) {
    size_t n = (out->struct_size - first) / sizeof(uint64_t) * sizeof(uint64_t);
    memcpy((char *)out + first, (const char *)&all + first, n);
  }
}

int gomem_scalable_stats(const gomem_scalable *s, gomem_stats *out)
{
  if (!s || !out || out->struct_size < sizeof(size_t))
    return GOMEM_ERR_INVALID;
  /* The owner's every call applies the frees queued before it, so that
   * what it reads counts them. The handle is never a const object: the
   * library allocated it. */
  if (!owner_idle(s) && gomem__atomic_load(&s->owner) == self_id())
    (void)drain((gomem_scalable *)s);
  if (out->struct_size >= sizeof(*out))
    read_stats(&s->stats, out);
  else
    read_stats_short(&s->stats, out);
  return GOMEM_OK;
}

/* After fill() read into the @p n bytes at buf: keep the first @p kept,
 * give the rest back, and free the queue node @p f. When giving the rest
 * back needs memory there is none of, it waits in @p f instead, pending
 * like a queued free, for the next drain. By the thread working on the
 * chunks. */
static void read_done(gomem_scalable *s, struct remote_free *f, unsigned char *buf, size_t n,
                      size_t kept)
{
  count_add(&s->stats.total_malloc, kept);
  if (kept < n && free_raw(s, buf + kept, n - kept) == GOMEM_ERR_NOMEM) {
    *f = (struct remote_free){.ptr = buf + kept, .len = n - kept, .tail = true};
    gomem__counter_add(&s->stats.remote_pending, 1);
    retry_later(s, f);
    return;
  }
  free(f);
}

/* Allocate n, let fill() read into it outside the allocator (it may block,
 * or call back into the allocator), keep what was read. */
static int read_into(gomem_scalable *s, size_t n, void **ptr, size_t *len,
                     ptrdiff_t (*fill)(void *ctx, void *buf, size_t n), void *ctx)
{
  if (!ptr || !len)
    return GOMEM_ERR_INVALID;
  *ptr = NULL;
  *len = 0;
  if (!s || n == 0)
    return GOMEM_ERR_INVALID;
  /* A queue node for the unread rest, taken before anything else: in
   * case fill() hands the allocator to another thread (disown, and
   * another thread adopts), the new owner must give it back; in case
   * giving it back runs out of memory, it waits there to be tried again.
   * So nothing can make the rest get lost. */
  struct remote_free *f = malloc(sizeof(*f));
  if (!f)
    return GOMEM_ERR_NOMEM;
  if (!claim(s)) {
    free(f);
    return GOMEM_ERR_WRONG_THREAD;
  }
  unsigned char *buf = alloc_raw(s, n);
  unclaim(s);
  if (!buf) {
    free(f);
    return GOMEM_ERR_NOMEM;
  }
  ptrdiff_t got = fill(ctx, buf, n);
  int err = errno;
  if (got > 0 && (size_t)got > n)
    got = GOMEM_ERR_INVALID;
  size_t kept = got > 0 ? (size_t)got : 0;
  if (claim(s)) {
    read_done(s, f, buf, n, kept);
    unclaim(s);
  } else {
    queue_node(s, f, buf + kept, n - kept, kept, true);
  }
  errno = err;
  if (got == 0)
    return GOMEM_ERR_EOF;
  if (got < 0)
    return got < INT_MIN ? GOMEM_ERR_OVERFLOW : (int)got;
  *ptr = buf;
  *len = (size_t)got;
  return GOMEM_OK;
}

static ptrdiff_t fill_from_fd(void *ctx, void *buf, size_t n)
{
  int fd = *(const int *)ctx;
  ssize_t r;

  do
    r = read(fd, buf, n);
  while (r < 0 && errno == EINTR);
  return r < 0 ? GOMEM_ERR_INVALID : (ptrdiff_t)r;
}

int gomem_scalable_read_fd(gomem_scalable *s, int fd, size_t n, void **ptr, size_t *len)
{
  return read_into(s, n, ptr, len, fill_from_fd, &fd);
}

int gomem_scalable_read_cb(gomem_scalable *s, gomem_read_fn fn, void *ctx,
                           size_t n, void **ptr, size_t *len)
{
  if (!fn) {
    if (ptr)
      *ptr = NULL;
    if (len)
      *len = 0;
    return GOMEM_ERR_INVALID;
  }
  return read_into(s, n, ptr, len, fn, ctx);
}

bool gomem_scalable_pooled(void)
{
  return GOMEM_WITH_RECYCLABLE;
}

/* ---- for tests ------------------------------------------------------------------- */

struct walk {
  void (*fn)(enum gomem__walk_kind kind, uintptr_t p, size_t len, void *ctx);
  void *ctx;
  uintptr_t base;
  uintptr_t held[2][2]; /* the carving state's free parts, lower first */
  size_t nheld, next_held;
  uintptr_t start, end; /* the run being merged, when start < end */
};

static void walk_add(struct walk *w, uintptr_t p, uintptr_t end)
{
  if (p == end)
    return;
  if (w->start < w->end && p == w->end) {
    w->end = end;
    return;
  }
  if (w->start < w->end)
    w->fn(GOMEM__WALK_FREE, w->start, w->end - w->start, w->ctx);
  w->start = p;
  w->end = end;
}

/* Add the held parts that start below @p p. */
static void walk_held_below(struct walk *w, uintptr_t p)
{
  while (w->next_held < w->nheld && w->held[w->next_held][0] < p) {
    walk_add(w, w->held[w->next_held][0], w->held[w->next_held][1]);
    w->next_held++;
  }
}

static int walk_block(size_t off, size_t size, void *ctx)
{
  struct walk *w = ctx;
  uintptr_t p = w->base + off;

  walk_held_below(w, p);
  walk_add(w, p, p + size);
  return 0;
}

static void walk_free_runs(struct walk *w, const gomem_allocator *a, uintptr_t base)
{
  w->base = base;
  w->next_held = 0;
  w->start = w->end = 0;
  if (a)
    (void)gomem_allocator_foreach_free(a, walk_block, w);
  walk_held_below(w, UINTPTR_MAX);
  if (w->start < w->end)
    w->fn(GOMEM__WALK_FREE, w->start, w->end - w->start, w->ctx);
}

static void walk_system_block(const struct gomem__block *x, void *ctx)
{
  struct walk *w = ctx;

  w->fn(GOMEM__WALK_BLOCK, x->base, x->size, w->ctx);
  w->nheld = 0;
  walk_free_runs(w, x->parts, x->base);
}

void gomem__scalable_walk(gomem_scalable *s,
                          void (*fn)(enum gomem__walk_kind kind, uintptr_t p, size_t len,
                                     void *ctx),
                          void *ctx)
{
  struct walk w = {.fn = fn, .ctx = ctx};

  for (size_t i = 0; i < s->nentries; i++) {
    gomem_chunk *c = s->entries[i].chunk;
    const struct gomem__carve *k = carve_of(s, c);
    fn(GOMEM__WALK_CHUNK, s->entries[i].base, s->entries[i].size, ctx);
    w.nheld = 0;
    if (k->run < k->low) {
      w.held[w.nheld][0] = k->run;
      w.held[w.nheld++][1] = k->low;
    }
    if (k->cur < k->end) {
      w.held[w.nheld][0] = k->cur;
      w.held[w.nheld++][1] = k->end;
    }
    walk_free_runs(&w, c->alloc, s->entries[i].base);
  }
  gomem__blocks_foreach(&s->blocks, walk_system_block, &w);
}

struct held_parts {
  const struct gomem__carve *k;
  uintptr_t base;
  bool overlap;
};

static int free_block_overlaps_held(size_t off, size_t size, void *ctx)
{
  struct held_parts *h = ctx;

  h->overlap = h->overlap || carve_overlaps(h->k, h->base + off, size);
  return 0;
}

static int check_carve(const gomem_scalable *s, const gomem_chunk *c, const struct gomem__carve *k)
{
  uintptr_t base = (uintptr_t)c->base;
  struct held_parts h = {k, base, false};

  if (k->run == 0 && k->end == 0)
    return 0; /* never carved */
  if (!(base <= k->run && k->run <= k->low && k->low <= k->cur && k->cur <= k->end
        && k->end <= base + c->region.size))
    return __LINE__;
  (void)gomem_allocator_foreach_free(c->alloc, free_block_overlaps_held, &h);
  return h.overlap ? __LINE__ : 0;
}

int gomem__scalable_check(gomem_scalable *s)
{
  if (s->front && s->fs.run == 0 && s->fs.end == 0)
    return __LINE__; /* the front chunk carves from its state */
  for (size_t i = 0; i < s->nentries; i++) {
    gomem_chunk *c = s->entries[i].chunk;
    int line = check_carve(s, c, carve_of(s, c));
    if (line != 0)
      return line;
  }
  return 0;
}

/* ---- caller-provided regions ------------------------------------------------------ */

struct overlap_walk {
  uintptr_t p;
  size_t size;
  bool hit;
};

static void block_overlaps(const struct gomem__block *x, void *ctx)
{
  struct overlap_walk *w = ctx;

  if (w->p < x->base + x->size && x->base < w->p + w->size)
    w->hit = true;
}

/* @return true when [p, p + size) overlaps a chunk or a system block of
 * s. A linear walk: regions are added rarely. */
static bool region_overlaps(gomem_scalable *s, uintptr_t p, size_t size)
{
  struct overlap_walk w = {p, size, false};

  for (size_t i = 0; i < s->nentries; i++)
    if (p < s->entries[i].base + s->entries[i].size && s->entries[i].base < p + size)
      return true;
  gomem__blocks_foreach(&s->blocks, block_overlaps, &w);
  return w.hit;
}

static int add_region_claimed(gomem_scalable *s, void *mem, size_t size)
{
  if (region_overlaps(s, (uintptr_t)mem, size))
    return GOMEM_ERR_INVALID;
  if (reserve_entry(s) != 0)
    return GOMEM_ERR_NOMEM;
  gomem_chunk *c = gomem_chunk_new_over(mem, size, s->strategy);
  if (!c)
    return GOMEM_ERR_NOMEM;
  enlist_chunk(s, c, size);
  return GOMEM_OK;
}

int gomem_scalable_add_region(gomem_scalable *s, void *mem, size_t size)
{
  if (!s || !mem || size == 0 || (uintptr_t)mem + size < (uintptr_t)mem)
    return GOMEM_ERR_INVALID;
  /* Such a build has no chunks: every allocation is the system's. */
  if (!GOMEM_WITH_RECYCLABLE)
    return GOMEM_ERR_UNSUPPORTED;
  if (!claim(s))
    return GOMEM_ERR_WRONG_THREAD;
  int rc = add_region_claimed(s, mem, size);
  unclaim(s);
  return rc;
}

/* ---- free-space statistics and the JSON map ------------------------------------ */

/* What a walk over the chunks gathers: the tally over all of them, and
 * for the JSON map each chunk's object (its runs are gathered first, as
 * the object lists its tally before them). */
struct report_walk {
  struct gomem__tally all, chunk;
  struct gomem__json *json, runs; /* json NULL: statistics only */
  uintptr_t base;                 /* the chunk being walked */
  size_t size;
  size_t written; /* chunk objects in json so far */
  bool in_chunk;  /* false once the walk reaches the system blocks */
};

/* The chunk walked so far is complete: write its object. */
static void report_chunk_end(struct report_walk *w)
{
  if (!w->json || w->size == 0)
    return;
  if (w->written++ > 0)
    gomem__json_printf(w->json, ",");
  gomem__json_region(w->json, w->size, &w->chunk, &w->runs);
  w->runs.len = 0;
  if (w->runs.buf)
    w->runs.buf[0] = '\0';
}

static void report_step(enum gomem__walk_kind kind, uintptr_t p, size_t len, void *ctx)
{
  struct report_walk *w = ctx;

  if (kind != GOMEM__WALK_FREE) {
    report_chunk_end(w);
    w->in_chunk = kind == GOMEM__WALK_CHUNK;
    w->base = p;
    w->size = w->in_chunk ? len : 0;
    w->chunk = (struct gomem__tally){0, 0, 0, 0};
    return;
  }
  if (!w->in_chunk)
    return;
  if (w->json)
    gomem__json_printf(&w->runs, "%s[%zu,%zu]", w->chunk.blocks ? "," : "", (size_t)(p - w->base),
                       len);
  gomem__tally_add(&w->chunk, len);
  gomem__tally_add(&w->all, len);
}

/* Walk every chunk of s into w, and read the statistics into @p st (may
 * be NULL) in the same claim, so that both describe one moment. By the
 * thread working on the chunks: GOMEM_OK, or GOMEM_ERR_WRONG_THREAD
 * (nothing done). */
static int report(const gomem_scalable *cs, struct report_walk *w, gomem_stats *st)
{
  /* The handle is never a const object: the library allocated it. */
  gomem_scalable *s = (gomem_scalable *)cs;

  if (!claim(s))
    return GOMEM_ERR_WRONG_THREAD;
  gomem__scalable_walk(s, report_step, w);
  report_chunk_end(w);
  if (st)
    read_stats(&s->stats, st);
  unclaim(s);
  return GOMEM_OK;
}

int gomem_scalable_free_stats(const gomem_scalable *s, gomem_free_stats *out)
{
  struct report_walk w = {.in_chunk = false};

  if (!s || !gomem__free_stats_valid(out))
    return GOMEM_ERR_INVALID;
  int rc = report(s, &w, NULL);
  if (rc == GOMEM_OK)
    gomem__tally_write(&w.all, out);
  return rc;
}

int gomem_scalable_dump_json(const gomem_scalable *s, char **json, size_t *len)
{
  struct gomem__json j = {0};
  struct report_walk w = {.json = &j};
  gomem_stats st;

  if (!s || !json)
    return GOMEM_ERR_INVALID;
  gomem__json_printf(&j, "{\"chunks\":[");
  int rc = report(s, &w, &st);
  free(w.runs.buf);
  if (rc != GOMEM_OK) {
    free(j.buf);
    return rc;
  }
  gomem__json_printf(&j,
                     "],\"large_blocks\":%" PRIu64 ",\"stats\":{\"total_malloc\":%" PRIu64
                     ",\"total_free\":%" PRIu64 ",\"in_use\":%" PRIu64 ",\"chunks\":%" PRIu64,
                     st.large_blocks, st.total_malloc, st.total_free, st.in_use, st.chunks);
  gomem__json_printf(&j,
                     ",\"reserved\":%" PRIu64 ",\"large_blocks\":%" PRIu64
                     ",\"remote_pending\":%" PRIu64 ",\"remote_rejected\":%" PRIu64 "}}",
                     st.reserved, st.large_blocks, st.remote_pending, st.remote_rejected);
  return gomem__json_finish(&j, json, len);
}
