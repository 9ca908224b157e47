/* SPDX-License-Identifier: MIT */
/*
 * See scalable-model.h.
 *
 * The model: `pieces`, the live allocations (or what is left of them)
 * sorted by address, each filled with its tag byte, and `origins`, one per
 * allocation made, with the bytes still live of it, so that system blocks
 * (counted in stats.large_blocks) are known to go when their last byte
 * does. After every operation gomem__scalable_walk lists the chunks and
 * system blocks (`regions`) with their free runs: every piece must lie in
 * one region of its kind, and each region's free runs must be exactly the
 * bytes no piece holds. The regions of the last walk also tell which
 * answer a free must get: accepted exactly when live allocations cover the
 * range and it lies in one region, NOT_OWNED when it starts in none.
 *
 * Disowned (see gomem/scalable.h): every free is queued, and the next
 * allocating call adopts the allocator and applies the queue newest
 * first. The model queues the same ranges and applies them the same way:
 * a queued range that no longer lies in one live allocation is rejected.
 *
 * Input layout: a mode byte (bit 0 shared, bits 1-2 the strategy, bits
 * 3-5 the initial size, bit 6 destroy with allocations still live), then
 * operations, each an opcode byte and its arguments. Bytes past the end
 * of the input read as zero.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gomem/gomem.h>

#include "scalable-internal.h" /* gomem__scalable_walk, gomem__scalable_check */
#include "program.h"
#include "scalable-model.h"

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)
#define MAX_CHUNK GOMEM_SCALABLE_MAX_CHUNK
#define SPAN GOMEM_SCALABLE_SPAN
#define MAX_LIVE (48 * MiB)      /* live bytes beyond which allocations are skipped */
#define MAX_PIECES 256           /* live allocations beyond which allocations are skipped */
#define VERIFY_EVERY 32          /* ops between checks of every tag */
/* Allocations above LARGE bytes hold their tag only in the first STRIPE
 * bytes of every STRIPE_EVERY of the address space: writing all of their
 * bytes costs a page fault per page, which halved the target's speed. */
#define LARGE (64 * KiB)
#define STRIPE (4 * KiB)
#define STRIPE_EVERY (64 * KiB)
#define RECENT 16                /* recent frees remembered for double frees */

struct piece {
  uintptr_t p;
  size_t n;
  size_t origin;
  unsigned char tag;
  bool large; /* tagged in stripes only */
};

struct origin {
  size_t size, live;
  bool block; /* served by the system: a large block */
};

struct range {
  uintptr_t p;
  size_t n;
};

/* A chunk or system block, as gomem__scalable_walk reported it, and where
 * its free runs are in prog.runs. */
struct region {
  uintptr_t p;
  size_t n;
  bool block;
  size_t first_run, nruns;
};

struct prog {
  gomem_scalable *s;
  bool shared, pooled, disowned;

  struct piece *pieces;
  size_t npieces, cap_pieces;
  struct origin *origins;
  size_t norigins, cap_origins;
  struct range *queue; /* frees queued while disowned, oldest first */
  size_t nqueue, cap_queue;
  struct range recent[RECENT];
  size_t nrecent, recent_next;
  struct region *regions; /* the last walk's, sorted by address */
  size_t nregions, cap_regions;
  struct range *runs;
  size_t nruns, cap_runs;
  bool walk_failed; /* no memory for the walk's arrays */
  uintptr_t freed_at; /* where this operation's last applied free started, or 0 */

  uint64_t total_malloc, total_free, live, blocks, block_bytes, scratch, rejected;
  unsigned char tag;

  struct fuzz_program in; /* the program */
  unsigned long op;
  char *err;
  size_t errlen;
};

static bool fail(struct prog *p, int line, const char *what)
{
  snprintf(p->err, p->errlen, "scalable-model.c:%d: op %lu: %s (%s%s, %zu live allocations)",
           line, p->op, what, p->shared ? "shared" : "owned", p->disowned ? ", disowned" : "",
           p->npieces);
  return false;
}

#define CHECK(cond)                          \
  do {                                       \
    if (!(cond))                             \
      return fail(p, __LINE__, #cond);       \
  } while (0)

static uint8_t next_byte(struct prog *p)
{
  return fuzz_byte(&p->in);
}

static size_t next_u16(struct prog *p)
{
  return fuzz_u16(&p->in);
}

/* A request size: tiny to a few KiB most often, then around the span
 * size, up to 1 MiB, and around GOMEM_SCALABLE_MAX_CHUNK (above it: a
 * system block) less often, as filling those costs page faults; 0
 * sometimes. */
static size_t next_size(struct prog *p)
{
  uint8_t c = next_byte(p);

  switch (c >> 5) {
  case 0:
  case 1:
    return 1 + (c & 31u);
  case 2:
    return 1 + (size_t)next_byte(p) * 4 + (c & 3u);
  case 3:
    return 1 + next_u16(p) % (8 * KiB);
  case 4:
    return SPAN - 16 + (c & 31u);
  case 5:
    return 1 + next_u16(p) * 16;
  case 6:
    return (c & 16) ? MAX_CHUNK - 8 + (c & 15u) : 64 * KiB + next_u16(p) * 4;
  default:
    return (c & 31u) == 0 ? 0 : 1 + next_u16(p);
  }
}

/* @return @p v, or a copy of it, with room for n + 1 elements of @p elem
 * bytes (*cap updated); NULL, v untouched, when there is no memory. */
static void *room(void *v, size_t *cap, size_t n, size_t elem)
{
  if (n < *cap)
    return v;
  size_t cap2 = *cap ? 2 * *cap : 64;
  void *grown = realloc(v, cap2 * elem);
  if (grown)
    *cap = cap2;
  return grown;
}

/* ---- the live allocations --------------------------------------------------------- */

/* The number of pieces that start at or below q. */
static size_t pieces_upto(const struct prog *p, uintptr_t q)
{
  size_t lo = 0, hi = p->npieces;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->pieces[mid].p <= q)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The index of the piece holding address q, or npieces. */
static size_t piece_at(const struct prog *p, uintptr_t q)
{
  size_t i = pieces_upto(p, q);

  return i > 0 && q - p->pieces[i - 1].p < p->pieces[i - 1].n ? i - 1 : p->npieces;
}

/* True when [q, q + n) overlaps a piece. */
static bool overlaps(const struct prog *p, uintptr_t q, size_t n)
{
  size_t i = pieces_upto(p, q);

  if (i > 0 && p->pieces[i - 1].p + p->pieces[i - 1].n > q)
    return true;
  return i < p->npieces && p->pieces[i].p < q + n;
}

/* How many pieces cover [q, q + n) with no gap (n > 0, no wrap-around);
 * 0 when some byte of it is in none. */
static size_t covering(const struct prog *p, uintptr_t q, size_t n)
{
  size_t i = piece_at(p, q), count = 1;

  if (i == p->npieces)
    return 0;
  uintptr_t end = p->pieces[i].p + p->pieces[i].n;
  while (end < q + n) {
    if (++i == p->npieces || p->pieces[i].p != end)
      return 0;
    end += p->pieces[i].n;
    count++;
  }
  return count;
}

static bool bytes_are(const unsigned char *q, size_t n, unsigned char tag)
{
  return n == 0 || (q[0] == tag && memcmp(q, q + 1, n - 1) == 0);
}

/* The bytes of [q, q + n) that hold a tag: all of them, or with @p large
 * those in stripes. Calls @p fn on each run of them; false when it does. */
static bool tagged_runs(uintptr_t q, size_t n, bool large, unsigned char tag,
                        bool (*fn)(unsigned char *run, size_t len, unsigned char tag))
{
  if (!large)
    return fn((unsigned char *)q, n, tag);
  for (uintptr_t a = q; a < q + n;) {
    uintptr_t window = a - a % STRIPE_EVERY, stripe_end = window + STRIPE;
    if (a < stripe_end && !fn((unsigned char *)a, (stripe_end < q + n ? stripe_end : q + n) - a, tag))
      return false;
    a = window + STRIPE_EVERY;
  }
  return true;
}

static bool set_run(unsigned char *run, size_t len, unsigned char tag)
{
  memset(run, tag, len);
  return true;
}

static bool run_ok(unsigned char *run, size_t len, unsigned char tag)
{
  return bytes_are(run, len, tag);
}

/* Write @p tag into the bytes of a new allocation that hold one. */
static void fill_tag(void *q, size_t n, unsigned char tag)
{
  (void)tagged_runs((uintptr_t)q, n, n > LARGE, tag, set_run);
}

static bool verify_piece(struct prog *p, const struct piece *x)
{
  CHECK(tagged_runs(x->p, x->n, x->large, x->tag, run_ok));
  return true;
}

/* The bytes of [q, q + n), which pieces cover, hold their tags. */
static bool verify_range(struct prog *p, uintptr_t q, size_t n)
{
  for (size_t i = piece_at(p, q); i < p->npieces && p->pieces[i].p < q + n; i++) {
    const struct piece *x = &p->pieces[i];
    uintptr_t lo = q > x->p ? q : x->p, hi = q + n < x->p + x->n ? q + n : x->p + x->n;
    CHECK(tagged_runs(lo, hi - lo, x->large, x->tag, run_ok));
  }
  return true;
}

static bool verify_all(struct prog *p)
{
  for (size_t i = 0; i < p->npieces; i++)
    if (!verify_piece(p, &p->pieces[i]))
      return false;
  return true;
}

static unsigned char next_tag(struct prog *p)
{
  return p->tag = (unsigned char)(p->tag % 255 + 1);
}

/* [q, q + size) was just allocated, of which the first @p kept bytes stay
 * live with @p tag in them: it must have been free, and it is now an
 * origin and a piece. */
static bool allocated(struct prog *p, uintptr_t q, size_t size, size_t kept, unsigned char tag)
{
  CHECK(q != 0 && q + size > q);
  CHECK(!overlaps(p, q, size));
  struct origin *origins = room(p->origins, &p->cap_origins, p->norigins, sizeof(*origins));
  CHECK(origins != NULL);
  p->origins = origins;
  struct piece *pieces = room(p->pieces, &p->cap_pieces, p->npieces, sizeof(*pieces));
  CHECK(pieces != NULL);
  p->pieces = pieces;
  bool block = !p->pooled || size > MAX_CHUNK;
  p->origins[p->norigins] = (struct origin){ size, kept, block };
  size_t i = pieces_upto(p, q);
  memmove(&p->pieces[i + 1], &p->pieces[i], (p->npieces - i) * sizeof(struct piece));
  p->pieces[i] = (struct piece){ q, kept, p->norigins++, tag, size > LARGE };
  p->npieces++;
  p->total_malloc += kept;
  p->live += kept;
  if (block) {
    p->blocks++;
    p->block_bytes += size;
  }
  return true;
}

/* n bytes of origin o were freed. */
static void release(struct prog *p, size_t o, size_t n)
{
  struct origin *g = &p->origins[o];

  g->live -= n;
  p->total_free += n;
  p->live -= n;
  if (g->block && g->live == 0) {
    p->blocks--;
    p->block_bytes -= g->size;
  }
}

/* The model's free of [q, q + n), which pieces cover. */
static bool take_back(struct prog *p, uintptr_t q, size_t n)
{
  uintptr_t end = q + n;
  size_t i = piece_at(p, q);

  while (i < p->npieces && p->pieces[i].p < end) {
    struct piece *x = &p->pieces[i];
    uintptr_t xend = x->p + x->n;
    uintptr_t lo = q > x->p ? q : x->p, hi = end < xend ? end : xend;
    release(p, x->origin, hi - lo);
    if (lo > x->p && hi < xend) { /* the middle: two pieces now */
      struct piece *pieces = room(p->pieces, &p->cap_pieces, p->npieces, sizeof(*pieces));
      CHECK(pieces != NULL);
      p->pieces = pieces;
      x = &p->pieces[i];
      memmove(&p->pieces[i + 2], &p->pieces[i + 1], (p->npieces - i - 1) * sizeof(struct piece));
      p->pieces[i + 1] = (struct piece){ hi, xend - hi, x->origin, x->tag, x->large };
      p->npieces++;
      x->n = lo - x->p;
      break;
    }
    if (lo > x->p) {
      x->n = lo - x->p;
      i++;
    } else if (hi < xend) {
      x->n = xend - hi;
      x->p = hi;
      break;
    } else {
      memmove(&p->pieces[i], &p->pieces[i + 1], (p->npieces - i - 1) * sizeof(struct piece));
      p->npieces--;
    }
  }
  return true;
}

static void remember(struct prog *p, uintptr_t q, size_t n)
{
  p->recent[p->recent_next] = (struct range){ q, n };
  p->recent_next = (p->recent_next + 1) % RECENT;
  if (p->nrecent < RECENT)
    p->nrecent++;
}

static bool enqueue(struct prog *p, uintptr_t q, size_t n)
{
  struct range *queue = room(p->queue, &p->cap_queue, p->nqueue, sizeof(*queue));
  CHECK(queue != NULL);
  p->queue = queue;
  p->queue[p->nqueue++] = (struct range){ q, n };
  return true;
}

/* The allocator is about to be adopted by an allocating call: it applies
 * the queued frees, newest first. */
static bool adopt(struct prog *p)
{
  if (!p->disowned)
    return true;
  p->disowned = false;
  while (p->nqueue > 0) {
    struct range r = p->queue[--p->nqueue];
    size_t cover = r.n > 0 ? covering(p, r.p, r.n) : 0;
    /* Queued ranges lay in one allocation or in none, and pieces only
     * shrink until the queue is applied. */
    CHECK(cover <= 1);
    if (cover == 0) {
      p->rejected++;
      continue;
    }
    if (!verify_range(p, r.p, r.n) || !take_back(p, r.p, r.n))
      return false;
  }
  return true;
}

/* ---- the statistics after every operation ------------------------------------------ */

static bool stats_now(struct prog *p, gomem_stats *st)
{
  memset(st, 0xAB, sizeof(*st));
  st->struct_size = sizeof(*st);
  CHECK(gomem_scalable_stats(p->s, st) == GOMEM_OK);
  return true;
}

static bool check_stats(struct prog *p)
{
  gomem_stats st;

  if (!stats_now(p, &st))
    return false;
  CHECK(st.total_malloc == p->total_malloc);
  CHECK(st.total_free == p->total_free);
  CHECK(st.in_use == p->live);
  CHECK(st.large_blocks == p->blocks);
  CHECK(st.remote_pending == p->nqueue);
  CHECK(st.remote_rejected == p->rejected);
  CHECK(p->pooled || st.chunks == 0);
  return true;
}

/* ---- chunks and blocks after every operation ---------------------------------------- */

static void collect(enum gomem__walk_kind kind, uintptr_t q, size_t n, void *ctx)
{
  struct prog *p = ctx;

  if (kind == GOMEM__WALK_FREE) {
    struct range *runs = room(p->runs, &p->cap_runs, p->nruns, sizeof(*runs));
    if (!runs || p->nregions == 0) {
      p->walk_failed = true;
      return;
    }
    p->runs = runs;
    p->runs[p->nruns++] = (struct range){ q, n };
    p->regions[p->nregions - 1].nruns++;
    return;
  }
  struct region *regions = room(p->regions, &p->cap_regions, p->nregions, sizeof(*regions));
  if (!regions) {
    p->walk_failed = true;
    return;
  }
  p->regions = regions;
  p->regions[p->nregions++] = (struct region){ q, n, kind == GOMEM__WALK_BLOCK, p->nruns, 0 };
}

static int by_address(const void *a, const void *b)
{
  const struct region *x = a, *y = b;

  return x->p < y->p ? -1 : x->p > y->p;
}

/* The free runs of region r must be exactly [at, end) minus pieces from
 * *i on; every piece there must lie inside r and be of r's kind. */
static bool check_region(struct prog *p, const struct region *r, size_t *i)
{
  uintptr_t at = r->p, end = r->p + r->n;
  size_t k = r->first_run, last = r->first_run + r->nruns;

  for (; *i < p->npieces && p->pieces[*i].p < end; ++*i) {
    const struct piece *x = &p->pieces[*i];
    CHECK(x->p + x->n <= end);
    CHECK(p->origins[x->origin].block == r->block);
    if (x->p > at) {
      CHECK(k < last && p->runs[k].p == at && p->runs[k].n == x->p - at);
      k++;
    }
    at = x->p + x->n;
  }
  if (at < end) {
    CHECK(k < last && p->runs[k].p == at && p->runs[k].n == end - at);
    k++;
  }
  CHECK(k == last);
  /* A block goes as soon as all of it is free. */
  CHECK(!r->block || r->nruns == 0 || p->runs[r->first_run].n < r->n);
  return true;
}

/* The region of the last walk holding address q, or NULL. */
static const struct region *region_at(const struct prog *p, uintptr_t q)
{
  size_t lo = 0, hi = p->nregions;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->regions[mid].p <= q)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo > 0 && q - p->regions[lo - 1].p < p->regions[lo - 1].n ? &p->regions[lo - 1] : NULL;
}

/* Walk the chunks and blocks: every piece lies in one, every free run is
 * a byte no piece holds and the other way round, and the regions add up
 * to the statistics. */
static bool check_regions(struct prog *p)
{
  gomem_stats st;
  uint64_t chunk_bytes = 0, block_bytes = 0, chunks = 0, blocks = 0;
  size_t i = 0;

  p->nregions = p->nruns = 0;
  p->walk_failed = false;
  CHECK(gomem__scalable_check(p->s) == 0);
  gomem__scalable_walk(p->s, collect, p);
  CHECK(!p->walk_failed);
  qsort(p->regions, p->nregions, sizeof(*p->regions), by_address);
  for (size_t j = 0; j < p->nregions; j++) {
    const struct region *r = &p->regions[j];
    CHECK(r->n > 0 && r->p + r->n > r->p);
    CHECK(j == 0 || p->regions[j - 1].p + p->regions[j - 1].n <= r->p);
    CHECK(i == p->npieces || p->pieces[i].p >= r->p); /* none between regions */
    if (!check_region(p, r, &i))
      return false;
    *(r->block ? &block_bytes : &chunk_bytes) += r->n;
    *(r->block ? &blocks : &chunks) += 1;
  }
  CHECK(i == p->npieces);
  /* A chunk that a free left completely free goes when others remain. */
  const struct region *r = p->freed_at ? region_at(p, p->freed_at) : NULL;
  CHECK(!r || r->block || chunks == 1 || r->nruns == 0 || p->runs[r->first_run].n < r->n);
  p->freed_at = 0;
  if (!stats_now(p, &st))
    return false;
  CHECK(st.chunks == chunks && blocks == p->blocks && block_bytes == p->block_bytes);
  /* reserved: the chunks, the large blocks and the borrow buffer. */
  CHECK(st.reserved == chunk_bytes + block_bytes + p->scratch);
  return true;
}

/* ---- allocating -------------------------------------------------------------------- */

static bool op_malloc(struct prog *p)
{
  size_t n = next_size(p);

  if (n == 0) {
    errno = 0;
    CHECK(gomem_scalable_malloc(p->s, 0) == NULL && errno == EINVAL);
    return true;
  }
  if (p->live + n > MAX_LIVE || p->npieces >= MAX_PIECES)
    return true;
  if (!adopt(p))
    return false;
  unsigned char *q = gomem_scalable_malloc(p->s, n);
  CHECK(q != NULL);
  unsigned char tag = next_tag(p);
  if (!allocated(p, (uintptr_t)q, n, n, tag))
    return false;
  fill_tag(q, n, tag);
  return true;
}

static bool op_borrow(struct prog *p)
{
  size_t n = next_size(p);

  if (n == 0) {
    errno = 0;
    CHECK(gomem_scalable_borrow(p->s, 0) == NULL && errno == EINVAL);
    return true;
  }
  if (!adopt(p))
    return false;
  unsigned char *q = gomem_scalable_borrow(p->s, n);
  CHECK(q != NULL);
  CHECK(!overlaps(p, (uintptr_t)q, n));
  /* Free bytes, the caller's until the next call: writing them must not
   * touch any allocation (the ends only of a large borrow: the overlap
   * check covers the rest, and its pages are often fresh). */
  if (n <= LARGE) {
    memset(q, 0, n);
  } else {
    memset(q, 0, STRIPE);
    memset(q + n - STRIPE, 0, STRIPE);
  }
  if ((!p->pooled || n > MAX_CHUNK) && n > p->scratch)
    p->scratch = n;
  return true;
}

struct source {
  ptrdiff_t ret;
  unsigned char tag;
  unsigned calls;
  uintptr_t buf;
  size_t n;
};

static ptrdiff_t fill(void *ctx, void *buf, size_t n)
{
  struct source *src = ctx;

  src->calls++;
  src->buf = (uintptr_t)buf;
  src->n = n;
  /* What it reads is the tag, where a piece of this size keeps one. */
  if (src->ret > 0 && (size_t)src->ret <= n)
    (void)tagged_runs((uintptr_t)buf, (size_t)src->ret, n > LARGE, src->tag, set_run);
  return src->ret;
}

/* read_cb: allocate n, let the callback read some (or fail), keep what it
 * read. */
static bool op_read(struct prog *p)
{
  size_t n = next_size(p);
  uint8_t how = next_byte(p);
  struct source src = { 0, 0, 0, 0, 0 };
  void *ptr = &src;
  size_t len = 99;

  if (n == 0) {
    CHECK(gomem_scalable_read_cb(p->s, fill, &src, 0, &ptr, &len) == GOMEM_ERR_INVALID);
    CHECK(ptr == NULL && len == 0 && src.calls == 0);
    return true;
  }
  if (p->live + n > MAX_LIVE || p->npieces >= MAX_PIECES)
    return true;
  if (!adopt(p))
    return false;
  switch (how & 3) {
  case 0:
    src.ret = 0;
    break;
  case 1:
    src.ret = -1 - (ptrdiff_t)(how >> 2);
    break;
  case 2:
    src.ret = (ptrdiff_t)(n + 1 + (how >> 2));
    break;
  default:
    src.ret = (how >> 2) == 0 ? (ptrdiff_t)n : (ptrdiff_t)(1 + next_u16(p) % n);
    break;
  }
  src.tag = next_tag(p);
  int rc = gomem_scalable_read_cb(p->s, fill, &src, n, &ptr, &len);
  CHECK(src.calls == 1 && src.n == n);
  if (src.ret > 0 && (size_t)src.ret <= n) {
    CHECK(rc == GOMEM_OK && (uintptr_t)ptr == src.buf && len == (size_t)src.ret);
    return allocated(p, src.buf, n, len, src.tag);
  }
  CHECK(rc == (src.ret == 0 ? GOMEM_ERR_EOF : src.ret < 0 ? (int)src.ret : GOMEM_ERR_INVALID));
  CHECK(ptr == NULL && len == 0);
  CHECK(!overlaps(p, src.buf, n));
  return true;
}

/* ---- freeing ----------------------------------------------------------------------- */

/* Free [q, q + n), which one piece covers: accepted (queued when
 * disowned). With @p keep < SIZE_MAX, as free_rest of [q, q + n + keep)
 * keeping keep bytes, q being where they end. */
static bool free_ok(struct prog *p, uintptr_t q, size_t n, size_t keep)
{
  int rc;

  if (!verify_range(p, q, n))
    return false;
  if (keep == SIZE_MAX)
    rc = gomem_scalable_free(p->s, (void *)q, n);
  else
    rc = gomem_scalable_free_rest(p->s, (void *)(q - keep), n + keep, keep);
  CHECK(rc == GOMEM_OK);
  remember(p, q, n);
  if (p->disowned)
    return enqueue(p, q, n);
  p->freed_at = q;
  return take_back(p, q, n);
}

/* Free [q, q + n) (n > 0, no wrap-around), which no run of pieces covers:
 * refused when applied, as INVALID when q is in a chunk or block,
 * NOT_OWNED otherwise. Queued (GOMEM_OK) when disowned. */
static bool free_refused(struct prog *p, uintptr_t q, size_t n)
{
  int want = region_at(p, q) ? GOMEM_ERR_INVALID : GOMEM_ERR_NOT_OWNED;
  int rc = gomem_scalable_free(p->s, (void *)q, n);

  if (p->disowned) {
    CHECK(rc == GOMEM_OK);
    return enqueue(p, q, n);
  }
  CHECK(rc == want);
  return true;
}

static struct piece *pick(struct prog *p, uint8_t b)
{
  return p->npieces ? &p->pieces[b % p->npieces] : NULL;
}

/* All of a live allocation, its front, its back (free_rest) or its middle. */
static bool op_free_piece(struct prog *p, unsigned how)
{
  uint8_t b = next_byte(p);
  size_t a = next_u16(p), c = next_u16(p);
  struct piece *x = pick(p, b);

  if (!x)
    return true;
  uintptr_t q = x->p;
  size_t n = x->n;
  if (how == 0 || n < 2)
    return free_ok(p, q, n, SIZE_MAX);
  size_t cut = 1 + a % (n - 1);
  if (how == 1)
    return free_ok(p, q, cut, SIZE_MAX);
  if (how == 2)
    return free_ok(p, q + cut, n - cut, cut);
  if (n < 3 || p->npieces >= MAX_PIECES)
    return true;
  size_t off = 1 + a % (n - 2);
  return free_ok(p, q + off, 1 + c % (n - 1 - off), SIZE_MAX);
}

/* One free over live allocations that are neighbours in memory, from
 * inside the first to inside the last: accepted exactly when they lie in
 * one chunk (a block holds one allocation). */
static bool op_free_run(struct prog *p)
{
  uint8_t b = next_byte(p), want = next_byte(p);
  size_t a = next_u16(p), c = next_u16(p);

  if (p->npieces < 2 || p->disowned)
    return true;
  size_t i = b % p->npieces, j = i;
  while (j + 1 < p->npieces && j - i < 1u + want % 4u &&
         p->pieces[j].p + p->pieces[j].n == p->pieces[j + 1].p)
    j++;
  if (j == i)
    return true;
  /* From the start of the first, to the end of the last, or from and to
   * inside them. */
  uintptr_t q = p->pieces[i].p + ((want & 4) ? 0 : a % p->pieces[i].n);
  uintptr_t end = p->pieces[j].p + ((want & 8) ? p->pieces[j].n : 1 + c % p->pieces[j].n);
  const struct region *r = region_at(p, q);
  CHECK(r != NULL);
  bool one = end - r->p <= r->n;
  if (!verify_range(p, q, end - q))
    return false;
  int rc = gomem_scalable_free(p->s, (void *)q, end - q);
  CHECK(rc == (one ? GOMEM_OK : GOMEM_ERR_INVALID));
  if (!one)
    return true;
  remember(p, q, end - q);
  p->freed_at = q;
  return take_back(p, q, end - q);
}

/* Frees that are refused: double frees, across either end of a live
 * allocation, foreign memory, NULL, size 0, wrapping around, free_rest
 * keeping more than it has, a NULL allocator. */
static bool op_bad_free(struct prog *p)
{
  static unsigned char elsewhere[64];
  uint8_t kind = next_byte(p), b = next_byte(p), b2 = next_byte(p);
  struct piece *x = pick(p, b);
  uintptr_t q = x ? x->p : (uintptr_t)elsewhere;
  size_t n = x ? x->n : 1;
  /* Past an end by one byte half the time: off-by-one checks. */
  size_t more = b2 < 128 ? 1 : 1 + b2 % 64;

  switch (kind % 9) {
  case 0: /* a recent free again */
    if (p->nrecent == 0)
      return true;
    q = p->recent[b % p->nrecent].p;
    n = p->recent[b % p->nrecent].n;
    switch (covering(p, q, n)) {
    case 0:
      return free_refused(p, q, n);
    case 1: /* all of it was allocated again */
      return free_ok(p, q, n, SIZE_MAX);
    default:
      return true;
    }
  case 1: /* a live allocation and bytes after it */
    if (!x || covering(p, q, n + more))
      return true;
    return free_refused(p, q, n + more);
  case 2: /* bytes before a live allocation and it */
    if (!x || covering(p, q - more, n + more))
      return true;
    return free_refused(p, q - more, n + more);
  case 3:
    return free_refused(p, (uintptr_t)(elsewhere + b2 % 32), 1 + b % 32);
  case 4:
    CHECK(gomem_scalable_free(p->s, NULL, 1 + b2) == GOMEM_ERR_NOT_OWNED);
    CHECK(gomem_scalable_free_rest(p->s, NULL, 2, 1) == GOMEM_ERR_NOT_OWNED);
    return true;
  case 5:
    CHECK(gomem_scalable_free(p->s, (void *)q, 0) == GOMEM_ERR_INVALID);
    return true;
  case 6:
    CHECK(gomem_scalable_free(p->s, (void *)q, SIZE_MAX - b2) == GOMEM_ERR_INVALID);
    return true;
  case 7:
    CHECK(gomem_scalable_free_rest(p->s, (void *)q, n, n + 1 + b2) == GOMEM_ERR_INVALID);
    CHECK(gomem_scalable_free_rest(p->s, (void *)q, n, n) == GOMEM_OK);
    return true;
  default:
    CHECK(gomem_scalable_free(NULL, (void *)q, n) == GOMEM_ERR_INVALID);
    CHECK(gomem_scalable_free_rest(NULL, (void *)q, n, 0) == GOMEM_ERR_INVALID);
    return true;
  }
}

/* ---- everything else --------------------------------------------------------------- */

/* trim: after it, only chunks holding a live allocation remain. */
static bool op_trim(struct prog *p)
{
  if (!adopt(p))
    return false;
  gomem_scalable_trim(p->s);
  p->scratch = 0;
  if (!check_regions(p))
    return false;
  for (size_t j = 0; j < p->nregions; j++) {
    const struct region *r = &p->regions[j];
    CHECK(r->nruns == 0 || p->runs[r->first_run].n < r->n);
  }
  return true;
}

/* Statistics into a struct of any size: only whole fields are written. */
static bool op_stats(struct prog *p)
{
  union {
    gomem_stats st;
    unsigned char bytes[sizeof(gomem_stats) + 16];
  } u;
  const size_t first = offsetof(gomem_stats, total_malloc);
  size_t size = next_byte(p) % (sizeof(u) + 1);
  gomem_stats all;

  if (!stats_now(p, &all))
    return false;
  memset(&u, 0xAB, sizeof(u));
  u.st.struct_size = size;
  int rc = gomem_scalable_stats(p->s, &u.st);
  CHECK(rc == (size < sizeof(size_t) ? GOMEM_ERR_INVALID : GOMEM_OK));
  for (size_t off = first; off < sizeof(u); off += sizeof(uint64_t)) {
    bool written = rc == GOMEM_OK && off + sizeof(uint64_t) <= size && off < sizeof(gomem_stats);
    if (written)
      CHECK(memcmp(u.bytes + off, (const unsigned char *)&all + off, sizeof(uint64_t)) == 0);
    else
      CHECK(bytes_are(u.bytes + off, sizeof(uint64_t), 0xAB));
  }
  CHECK(gomem_scalable_stats(NULL, &all) == GOMEM_ERR_INVALID);
  CHECK(gomem_scalable_stats(p->s, NULL) == GOMEM_ERR_INVALID);
  return true;
}

static bool op_drain(struct prog *p)
{
  int rc = gomem_scalable_drain(p->s);

  CHECK(rc == (p->disowned ? GOMEM_ERR_WRONG_THREAD : 0));
  CHECK(gomem_scalable_drain(NULL) == GOMEM_ERR_INVALID);
  return true;
}

static bool op_disown(struct prog *p)
{
  int rc = gomem_scalable_disown(p->s);

  if (p->shared) {
    CHECK(rc == GOMEM_ERR_INVALID);
  } else if (p->disowned) {
    CHECK(rc == GOMEM_ERR_WRONG_THREAD);
  } else {
    CHECK(rc == GOMEM_OK);
    p->disowned = true;
  }
  return true;
}

static bool op_misc(struct prog *p)
{
  void *ptr = p;
  size_t len = 99;

  switch (next_byte(p) % 4) {
  case 0:
    gomem_release_cached();
    CHECK(gomem_cached_bytes() == 0);
    return true;
  case 1:
    return op_drain(p);
  case 2:
    errno = 0;
    CHECK(gomem_scalable_malloc(NULL, 1) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(gomem_scalable_borrow(NULL, 1) == NULL && errno == EINVAL);
    CHECK(gomem_scalable_read_cb(NULL, fill, NULL, 1, &ptr, &len) == GOMEM_ERR_INVALID);
    CHECK(ptr == NULL && len == 0);
    CHECK(gomem_scalable_read_cb(p->s, NULL, NULL, 1, &ptr, &len) == GOMEM_ERR_INVALID);
    CHECK(gomem_scalable_disown(NULL) == GOMEM_ERR_INVALID);
    gomem_scalable_trim(NULL);
    return true;
  default:
    return op_stats(p);
  }
}

static bool run_op(struct prog *p, uint8_t op)
{
  switch (op % 16) {
  case 0: case 1: case 2: case 3:
    return op_malloc(p);
  case 4: case 5: case 6: case 7:
    return op_free_piece(p, op % 4u);
  case 8:
    return op_free_run(p);
  case 9: case 10:
    return op_bad_free(p);
  case 11:
    return op_borrow(p);
  case 12:
    return op_read(p);
  case 13:
    return op_trim(p);
  case 14:
    return op_disown(p);
  default:
    return op_misc(p);
  }
}

/* ---- setup and the end ----------------------------------------------------------- */

static bool check_constructors(struct prog *p)
{
  static const gomem_strategy all[] = { GOMEM_STRATEGY_TREAP, GOMEM_STRATEGY_AVL,
                                        GOMEM_STRATEGY_TLSF };

  errno = 0;
  CHECK(gomem_scalable_new_ex(0, GOMEM_STRATEGY_DEFAULT, 0) == NULL && errno == EINVAL);
  errno = 0;
  CHECK(gomem_scalable_new_ex(16, GOMEM_STRATEGY_DEFAULT, 2) == NULL && errno == EINVAL);
  errno = 0;
  CHECK(gomem_scalable_new_ex(16, (gomem_strategy)77, 0) == NULL && errno == EINVAL);
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    errno = 0;
    if (!gomem_strategy_available(all[i]))
      CHECK(gomem_scalable_new_ex(16, all[i], 0) == NULL && errno == ENOTSUP);
  }
  return true;
}

static bool setup(struct prog *p)
{
  static const gomem_strategy all[] = { GOMEM_STRATEGY_DEFAULT, GOMEM_STRATEGY_TREAP,
                                        GOMEM_STRATEGY_AVL, GOMEM_STRATEGY_TLSF };
  static const size_t initial[] = { 1, 100, 1 * KiB, 4 * KiB, 16 * KiB, 64 * KiB, 1 * MiB, 5 * MiB };
  gomem_strategy built[4];
  size_t nbuilt = 0;

  if (!check_constructors(p))
    return false;
  for (size_t i = 0; i < 4; i++)
    if (gomem_strategy_available(all[i]))
      built[nbuilt++] = all[i];
  uint8_t mode = next_byte(p);
  size_t size = initial[mode >> 3 & 7];
  p->shared = mode & 1;
  p->pooled = gomem_scalable_pooled();
  p->s = gomem_scalable_new_ex(size, built[(mode >> 1 & 3) % nbuilt],
                               p->shared ? GOMEM_SCALABLE_SHARED : 0);
  CHECK(p->s != NULL);
  return check_stats(p) && check_regions(p);
}

/* Free everything, then trim: nothing may remain. */
static bool free_all(struct prog *p)
{
  gomem_stats st;

  if (!verify_all(p))
    return false;
  while (p->npieces > 0) {
    if (!free_ok(p, p->pieces[0].p, p->pieces[0].n, SIZE_MAX))
      return false;
  }
  if (!check_stats(p) || !op_trim(p) || !stats_now(p, &st))
    return false;
  CHECK(p->live == 0 && p->blocks == 0);
  CHECK(st.chunks == 0 && st.reserved == 0);
  return true;
}

int scalable_model_run(const uint8_t *data, size_t size, size_t *ops, char *err, size_t errlen)
{
  struct prog *p = calloc(1, sizeof(*p));

  if (!p) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  p->in = fuzz_program_start(data, size);
  p->err = err;
  p->errlen = errlen;
  bool ok = setup(p);
  /* Bit 6 of the mode byte: destroy with everything still allocated. */
  bool keep_live = size > 0 && (data[0] & 64);
  while (ok && p->in.left > 0) {
    p->op++;
    ok = run_op(p, next_byte(p)) && check_stats(p) && check_regions(p) &&
         (p->op % VERIFY_EVERY != 0 || verify_all(p));
  }
  /* Applying the queue needs an allocating call: trim adopts. */
  ok = ok && (keep_live || ((!p->disowned || op_trim(p)) && free_all(p)));
  if (ops)
    *ops = p->op;
  gomem_scalable_destroy(p->s);
  free(p->pieces);
  free(p->origins);
  free(p->queue);
  free(p->regions);
  free(p->runs);
  free(p);
  return ok ? 0 : -1;
}
