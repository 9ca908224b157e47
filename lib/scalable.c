/* SPDX-License-Identifier: MIT */
/*
 * The scalable allocator: chunks that grow by doubling, plus "system
 * blocks" for what chunks do not serve (requests above 4 MiB, and every
 * request in a -Drecyclable=false build).
 *
 * Chunks are entries of an array sorted by address, so free finds the
 * chunk a pointer is in with a binary search, after checking the chunks
 * the last malloc and the last free landed in. Chunks are also listed in
 * creation order: malloc tries the chunk that served the previous request,
 * then every chunk in that order (as Go does). System blocks, which may be
 * many (every allocation of a -Drecyclable=false build), have an index of
 * their own, a treap by address (lib/blocks.c): O(log n) to add, find and
 * remove.
 *
 * A system block is wholly allocated when created. Its first partial free
 * gives it a range allocator ("parts") that records which bytes are free,
 * so double frees are caught exactly; the block goes back to the system
 * when every byte is free.
 *
 * Threads: see gomem/scalable.h. Counters are written only by the holder
 * of the busy flag, one thread at a time, so they are updated with a plain
 * atomic load and store (no read-modify-write on the fast path); only
 * remote_pending is written by several threads at once.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "blocks.h"
#include "chunk-internal.h"
#include "gomem/allocator.h"
#include "gomem/scalable.h"
#include "scalable-internal.h"
#include "source.h"

#define MAX_CHUNK GOMEM_SCALABLE_MAX_CHUNK

struct entry {
  uintptr_t base;
  size_t size;
  gomem_chunk *chunk;
};

/* A free that found the busy flag held, queued for the holder. Allocated
 * by the freeing thread: the freed bytes are never written, as they may
 * not be ours. */
struct remote_free {
  gomem__lifo_node link; /* first: the LIFO hands back link pointers */
  void *ptr;
  size_t len;
};

struct counters {
  volatile AO_t total_malloc, total_free, chunks, reserved, large_blocks;
  volatile AO_t remote_pending, remote_rejected;
};

struct gomem_scalable {
  gomem__spinlock busy; /* held by the thread working on the chunk list */
  gomem__lifo remote;   /* struct remote_free: frees that found busy held */
  /* Where the last malloc/borrow and the last free outside hot_alloc
   * landed: most requests fit, and most frees fall, there again. NULL or
   * a chunk in the list. */
  gomem_chunk *hot_alloc, *hot_free;
  struct counters stats;

  gomem_strategy strategy;
  size_t initial_size;
  size_t chunk_size; /* size of the chunk added last */

  struct entry *entries; /* the chunks, sorted by base */
  size_t nentries, cap;
  gomem_chunk **order;   /* chunks in creation order; room for cap */
  size_t nchunks;

  struct gomem__blocks blocks; /* system blocks */

  void *scratch; /* borrow buffer for what chunks do not serve */
  size_t scratch_size;
};

/* ---- counters (written under the busy flag) ------------------------------------------------ */

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

/* ---- chunks ------------------------------------------------------------------- */

static gomem_chunk *add_chunk(gomem_scalable *s, size_t size)
{
  if (reserve_entry(s) != 0)
    return NULL;
  gomem_chunk *c = gomem_chunk_new(size, s->strategy);
  if (!c)
    return NULL;
  struct entry e = {.base = (uintptr_t)gomem_chunk_base(c), .size = size, .chunk = c};
  insert_entry(s, &e);
  s->order[s->nchunks++] = c;
  s->chunk_size = size;
  count_add(&s->stats.chunks, 1);
  count_add(&s->stats.reserved, size);
  return c;
}

/* Drop entry i, a chunk, and give its memory back. */
static void drop_chunk(gomem_scalable *s, size_t i)
{
  gomem_chunk *c = s->entries[i].chunk;
  size_t size = s->entries[i].size;

  if (s->hot_alloc == c)
    s->hot_alloc = NULL;
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
  gomem_chunk_destroy(c);
  count_sub(&s->stats.chunks, 1);
  count_sub(&s->stats.reserved, size);
}

/* Drop every chunk that is completely free. @return how many went. */
static size_t trim_chunks(gomem_scalable *s)
{
  size_t dropped = 0;

  for (size_t i = s->nentries; i-- > 0;) {
    if (gomem__chunk_is_free(s->entries[i].chunk)) {
      drop_chunk(s, i);
      dropped++;
    }
  }
  return dropped;
}

static size_t doubled(size_t n)
{
  if (n >= MAX_CHUNK)
    return n;
  return n * 2 < MAX_CHUNK ? n * 2 : MAX_CHUNK;
}

/* The size of the next chunk: double the last one (capped at 4 MiB) and
 * keep doubling while @p need does not fit. With no chunk left, start
 * again from the initial size. */
static size_t next_chunk_size(const gomem_scalable *s, size_t need)
{
  size_t next = s->nchunks > 0 ? doubled(s->chunk_size) : s->initial_size;

  while (next < need && next < MAX_CHUNK)
    next = doubled(next);
  return next < need ? need : next;
}

static void *take(gomem_chunk *c, size_t size, bool borrow)
{
  return borrow ? gomem__chunk_peek(c, size) : gomem__chunk_take(c, size);
}

/* Try every chunk in creation order but @p skip (tried already). */
static void *take_any(gomem_scalable *s, size_t size, bool borrow, const gomem_chunk *skip)
{
  for (size_t k = 0; k < s->nchunks; k++) {
    gomem_chunk *c = s->order[k];
    void *p = c != skip ? take(c, size, borrow) : NULL;
    if (p) {
      s->hot_alloc = c;
      return p;
    }
  }
  return NULL;
}

/* Malloc or borrow @p size <= 4 MiB bytes from the chunks, growing them
 * as the Go original does: try every chunk, trim, try again, add one. The
 * chunk that served last is tried first, unless @p hot_tried. */
static void *carve(gomem_scalable *s, size_t size, bool borrow, bool hot_tried)
{
  gomem_chunk *hot = s->hot_alloc;
  void *p = hot && !hot_tried ? take(hot, size, borrow) : NULL;

  if (p)
    return p;
  if ((p = take_any(s, size, borrow, hot)) != NULL)
    return p;
  if (trim_chunks(s) > 0 && (p = take_any(s, size, borrow, NULL)) != NULL)
    return p;
  gomem_chunk *c = add_chunk(s, next_chunk_size(s, size));
  if (!c || !(p = take(c, size, borrow))) {
    errno = ENOMEM;
    return NULL;
  }
  s->hot_alloc = c;
  return p;
}

/* ---- system blocks ------------------------------------------------------------ */

static void *add_block(gomem_scalable *s, size_t size)
{
  struct gomem__block *x = gomem__blocks_get(&s->blocks);
  int rc;

  if (!x) {
    errno = ENOMEM;
    return NULL;
  }
  if (size > MAX_CHUNK)
    rc = gomem__region_acquire_system(&x->region, size);
  else
    rc = gomem__region_acquire_plain(&x->region, size);
  if (rc != 0) {
    gomem__blocks_put(&s->blocks, x);
    errno = ENOMEM;
    return NULL;
  }
  x->base = (uintptr_t)x->region.ptr;
  x->size = size;
  gomem__blocks_insert(&s->blocks, x);
  count_add(&s->stats.large_blocks, 1);
  count_add(&s->stats.reserved, size);
  return x->region.ptr;
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

static inline void *alloc_raw(gomem_scalable *s, size_t size)
{
  gomem_chunk *hot = s->hot_alloc;
  void *p;

  /* Most requests fit where the previous one went (hot_alloc is NULL in
   * a -Drecyclable=false build, and a chunk never has more than 4 MiB). */
  if (hot && (p = gomem__chunk_take(hot, size)) != NULL)
    return p;
  if (!GOMEM_WITH_RECYCLABLE || size > MAX_CHUNK)
    return add_block(s, size);
  return carve(s, size, false, true);
}

/* Free [p, p + len) from chunk c, which p is in at offset off. */
static inline int free_in_chunk(gomem_scalable *s, gomem_chunk *c, uintptr_t p, size_t off, size_t len)
{
  if (len > c->region.size - off)
    return GOMEM_ERR_INVALID;
  int rc = gomem__chunk_give(c, off, len);
  if (rc == GOMEM_OK && s->nchunks > 1 && gomem__chunk_is_free(c))
    drop_chunk(s, (size_t)find_entry(s, p));
  return rc;
}

/* free_raw past the chunk the last malloc landed in. */
static int free_lookup(gomem_scalable *s, uintptr_t p, size_t len)
{
  size_t off;

  if (s->hot_free && (off = gomem__chunk_offset(s->hot_free, p)) != SIZE_MAX)
    return free_in_chunk(s, s->hot_free, p, off, len);
  ptrdiff_t i = find_entry(s, p);
  if (i < 0)
    return free_block(s, p, len);
  struct entry *e = &s->entries[i];
  s->hot_free = e->chunk;
  return free_in_chunk(s, e->chunk, p, p - e->base, len);
}

/* Free [ptr, ptr + len) of anything of s (the caller holds the flag). */
static inline int free_raw(gomem_scalable *s, void *ptr, size_t len)
{
  uintptr_t p = (uintptr_t)ptr;
  gomem_chunk *hot = s->hot_alloc;
  size_t off;

  if (len == 0 || p + len < p)
    return GOMEM_ERR_INVALID;
  if (hot && (off = gomem__chunk_offset(hot, p)) != SIZE_MAX)
    return free_in_chunk(s, hot, p, off, len);
  return free_lookup(s, p, len);
}

/* Apply the queued frees; the caller holds the busy flag. @return how
 * many there were. */
static size_t drain(gomem_scalable *s)
{
  gomem__lifo_node *n = gomem__lifo_take_all(&s->remote);
  size_t count = 0;

  while (n) {
    struct remote_free *f = (struct remote_free *)n;
    n = n->next;
    if (free_raw(s, f->ptr, f->len) == GOMEM_OK)
      count_add(&s->stats.total_free, f->len);
    else
      count_add(&s->stats.remote_rejected, 1);
    gomem__counter_sub(&s->stats.remote_pending, 1);
    free(f);
    count++;
  }
  return count;
}

static inline void drain_if_queued(gomem_scalable *s)
{
  if (!gomem__lifo_empty(&s->remote))
    (void)drain(s);
}

/* ---- the busy flag --------------------------------------------------------
 * Whoever holds it may touch the chunk list and the counters. Allocating
 * calls wait for it; frees only try it and queue themselves when it is
 * held. The holder applies the queue before letting go, and a free that
 * queued tries the flag once more afterwards, so a queued free is applied
 * almost always before the flag is next free (see "leave"). */

/* Take the flag, waiting while another call holds it. */
static inline void enter(gomem_scalable *s)
{
  gomem__spinlock_lock(&s->busy);
  drain_if_queued(s);
}

/* Apply the queue and give the flag up. A free may queue itself after the
 * last check and find the flag still held when it tries again: look at the
 * queue once more after letting go, and take it back if it is not empty.
 * What remains is a race of a few instructions (the release store may
 * become visible after the second look, and no fence is paid for on this
 * path); a free caught in it waits for the next call that takes the flag. */
static inline void leave(gomem_scalable *s)
{
  do {
    drain_if_queued(s);
    gomem__spinlock_unlock(&s->busy);
  } while (!gomem__lifo_empty(&s->remote) && gomem__spinlock_trylock(&s->busy));
}

void gomem__scalable_hold(gomem_scalable *s)
{
  enter(s);
}

bool gomem__scalable_try_hold(gomem_scalable *s)
{
  if (!gomem__spinlock_trylock(&s->busy))
    return false;
  drain_if_queued(s);
  return true;
}

void gomem__scalable_unhold(gomem_scalable *s)
{
  leave(s);
}

/* ---- public API ------------------------------------------------------------ */

gomem_scalable *gomem_scalable_new_with(size_t initial_size, gomem_strategy s)
{
  if (initial_size == 0 || !gomem_strategy_available(s)) {
    errno = initial_size == 0 || (unsigned)s > GOMEM_STRATEGY_TLSF ? EINVAL : ENOTSUP;
    return NULL;
  }
  gomem_scalable *a = calloc(1, sizeof(*a));
  if (!a) {
    errno = ENOMEM;
    return NULL;
  }
  gomem__spinlock_init(&a->busy);
  gomem__lifo_init(&a->remote);
  gomem__blocks_init(&a->blocks);
  a->strategy = s;
  a->initial_size = initial_size;
  if (GOMEM_WITH_RECYCLABLE && !add_chunk(a, initial_size)) {
    int err = errno;
    gomem_scalable_destroy(a);
    errno = err == EINVAL || err == ENOTSUP ? err : ENOMEM;
    return NULL;
  }
  return a;
}

gomem_scalable *gomem_scalable_new(size_t initial_size)
{
  return gomem_scalable_new_with(initial_size, GOMEM_STRATEGY_DEFAULT);
}

void gomem_scalable_destroy(gomem_scalable *s)
{
  if (!s)
    return;
  gomem__lifo_node *n = gomem__lifo_take_all(&s->remote);
  while (n) {
    gomem__lifo_node *next = n->next;
    free(n);
    n = next;
  }
  for (size_t i = 0; i < s->nentries; i++)
    gomem_chunk_destroy(s->entries[i].chunk);
  gomem__blocks_fini(&s->blocks);
  free(s->entries);
  free(s->order);
  free(s->scratch);
  free(s);
}

void *gomem_scalable_malloc(gomem_scalable *s, size_t size)
{
  if (!s || size == 0) {
    errno = EINVAL;
    return NULL;
  }
  enter(s);
  void *p = alloc_raw(s, size);
  if (p)
    count_add(&s->stats.total_malloc, size);
  leave(s);
  return p;
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

void *gomem_scalable_borrow(gomem_scalable *s, size_t size)
{
  if (!s || size == 0) {
    errno = EINVAL;
    return NULL;
  }
  enter(s);
  void *p;
  if (!GOMEM_WITH_RECYCLABLE || size > MAX_CHUNK)
    p = borrow_scratch(s, size);
  else
    p = carve(s, size, true, false);
  leave(s);
  return p;
}

/* Apply a free; the caller holds the flag. */
static int free_held(gomem_scalable *s, void *ptr, size_t len)
{
  int rc = free_raw(s, ptr, len);

  if (rc == GOMEM_OK)
    count_add(&s->stats.total_free, len);
  return rc;
}

int gomem__scalable_free_held(gomem_scalable *s, void *ptr, size_t len)
{
  return free_held(s, ptr, len);
}

/* The flag is held by another call: queue the free for it. */
static int free_queued(gomem_scalable *s, void *ptr, size_t len)
{
  struct remote_free *f = malloc(sizeof(*f));

  if (!f) {
    /* No node to queue: wait for the flag instead, and answer exactly. */
    enter(s);
    int rc = free_held(s, ptr, len);
    leave(s);
    return rc;
  }
  f->ptr = ptr;
  f->len = len;
  /* Counted before it can be taken, so the drainer's decrement never
   * passes it. */
  gomem__counter_add(&s->stats.remote_pending, 1);
  gomem__lifo_push(&s->remote, &f->link);
  /* The holder may have let go between our try and the push. */
  if (gomem__spinlock_trylock(&s->busy))
    leave(s);
  return GOMEM_OK;
}

int gomem_scalable_free(gomem_scalable *s, void *ptr, size_t len)
{
  if (!s || len == 0 || (uintptr_t)ptr + len < (uintptr_t)ptr)
    return GOMEM_ERR_INVALID;
  if (!ptr)
    return GOMEM_ERR_NOT_OWNED;
  if (!gomem__spinlock_trylock(&s->busy))
    return free_queued(s, ptr, len);
  drain_if_queued(s);
  int rc = free_held(s, ptr, len);
  leave(s);
  return rc;
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
  if (!s)
    return;
  enter(s);
  (void)trim_chunks(s);
  free(s->scratch);
  count_sub(&s->stats.reserved, s->scratch_size);
  s->scratch = NULL;
  s->scratch_size = 0;
  leave(s);
}

int gomem_scalable_drain(gomem_scalable *s)
{
  if (!s)
    return GOMEM_ERR_INVALID;
  gomem__spinlock_lock(&s->busy);
  size_t n = drain(s);
  leave(s);
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
  if (out->struct_size >= sizeof(*out))
    read_stats(&s->stats, out);
  else
    read_stats_short(&s->stats, out);
  return GOMEM_OK;
}

/* Allocate n, let fill() read into it without holding the flag (it may
 * block, or call back into the allocator), keep what was read. */
static int read_into(gomem_scalable *s, size_t n, void **ptr, size_t *len,
                     ptrdiff_t (*fill)(void *ctx, void *buf, size_t n), void *ctx)
{
  if (!ptr || !len)
    return GOMEM_ERR_INVALID;
  *ptr = NULL;
  *len = 0;
  if (!s || n == 0)
    return GOMEM_ERR_INVALID;
  enter(s);
  unsigned char *buf = alloc_raw(s, n);
  leave(s);
  if (!buf)
    return GOMEM_ERR_NOMEM;
  ptrdiff_t got = fill(ctx, buf, n);
  int err = errno;
  enter(s);
  if (got <= 0 || (size_t)got > n) {
    (void)free_raw(s, buf, n);
    leave(s);
    errno = err;
    return got == 0 ? GOMEM_ERR_EOF : got < 0 ? (int)got : GOMEM_ERR_INVALID;
  }
  if ((size_t)got < n)
    (void)free_raw(s, buf + got, n - (size_t)got);
  count_add(&s->stats.total_malloc, (size_t)got);
  leave(s);
  errno = err;
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
