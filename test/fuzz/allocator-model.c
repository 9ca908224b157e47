/* SPDX-License-Identifier: MIT */
/*
 * See allocator-model.h. The truth is test/model.h's byte map over the
 * pool, one entry per model unit: a unit is one allocator unit (a byte in
 * chunk mode), or 2^shift of them for a bare allocator over granules.
 * Every range the program allocates or frees is a whole number of
 * granules, so the allocator's state stays exactly the model's scaled by
 * 2^shift; only frees that must be refused cut granules.
 *
 * Input layout: a mode byte (bit 0 chunk mode, bits 1-3 the strategy,
 * bit 4 granules), the pool size (one to three bytes), the granule shift
 * (one byte, with granules), then operations, each an opcode byte and its
 * arguments. Bytes past the end of the input read as zero.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator-internal.h" /* gomem__allocator_take_upto */
#include "gomem/allocator.h"
#include "gomem/chunk.h"
#include "strategy/strategy.h" /* gomem__allocator_check */

#include "../model.h"
#include "allocator-model.h"
#include "program.h"

#define RECENT 16          /* recent allocations remembered for exact (double) frees */
#define MAP_EVERY 64       /* ops between full checks of the byte map and the tags */
#define MAX_UNITS 65535    /* the largest pool, in model units */
#define MAX_SHIFT 46       /* the largest granule, 2^46 units: every size stays below 2^64 */
#define STOP_VALUE 1000    /* what the early-stopping walk returns */
#define UNTOUCHED ((size_t)0x5A5A5A5A) /* an out-parameter's value before a failing call */

enum policy {
  FIRST_FIT, /* treap: the lowest run that fits */
  BEST_FIT,  /* avl: the smallest run that fits, the lowest of equals */
  GOOD_FIT,  /* tlsf: a run of the size class model_good_fit allows */
  ANY_FIT,   /* a strategy this model does not know: any run that fits */
};

struct span {
  size_t off, len; /* model units */
};

struct prog {
  gomem_allocator *a;  /* bare allocator mode, else NULL */
  gomem_chunk *c;      /* chunk mode, else NULL */
  unsigned char *base; /* the chunk's first byte */
  model m;
  unsigned shift;      /* a model unit is 2^shift allocator units */
  enum policy policy;
  unsigned char *tags; /* chunk mode: the byte every allocated unit must hold */
  unsigned char tag;
  struct span recent[RECENT];
  size_t nrecent, recent_next;

  struct fuzz_program in; /* the program */
  unsigned long op;
  char *err;
  size_t errlen;
};

static const gomem_allocator *view(const struct prog *p)
{
  return p->a ? p->a : gomem_chunk_allocator(p->c);
}

static bool fail(struct prog *p, int line, const char *what)
{
  const char *name = p->a || p->c ? gomem_strategy_name(gomem_allocator_strategy(view(p))) : "-";

  snprintf(p->err, p->errlen, "allocator-model.c:%d: op %lu: %s (%s %s, %zu units << %u)", line,
           p->op, what, name, p->c ? "chunk" : "allocator", p->m.size, p->shift);
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

/* n model units in allocator units. */
static size_t units(const struct prog *p, size_t n)
{
  return n << p->shift;
}

/* A pool size in model units: small ones most often. */
static size_t next_pool(struct prog *p)
{
  uint8_t c = next_byte(p);

  switch (c & 3) {
  case 0:
    return 1 + (c >> 2);
  case 1:
    return 1 + (size_t)next_byte(p);
  case 2:
    return 1 + ((size_t)(c >> 2) | (size_t)next_byte(p) << 6);
  default:
    return 1 + next_u16(p) % MAX_UNITS;
  }
}

/* A request in model units, never 0: small ones most often, then up to,
 * exactly and past the pool size. At most 2^17, so units() cannot wrap. */
static size_t next_units(struct prog *p)
{
  uint8_t c = next_byte(p);
  size_t size = p->m.size;

  switch (c >> 5) {
  case 0:
  case 1:
  case 2:
    return 1 + (c & 31);
  case 3:
    return 1 + (size_t)next_byte(p);
  case 4:
    return 1 + next_u16(p) % size;
  case 5:
    return size > (c & 15u) ? size - (c & 15u) : 1;
  case 6:
    return size + 1 + (c & 31u);
  default:
    return 1 + next_u16(p);
  }
}

/* ---- the state after every operation ---------------------------------------- */

struct walk {
  const struct prog *p;
  size_t seen, stop_at; /* stop_at 0: never stop */
  bool same;
};

/* foreach_free callback: block `seen` must be the model's run `seen`. */
static int compare_block(size_t off, size_t size, void *ctx)
{
  struct walk *w = ctx;
  const model *m = &w->p->m;

  if (w->seen >= m->nruns || off != units(w->p, m->runs[w->seen].start) ||
      size != units(w->p, m->runs[w->seen].end - m->runs[w->seen].start))
    w->same = false;
  w->seen++;
  return w->seen == w->stop_at ? STOP_VALUE : 0;
}

/* The allocated range before run j (j == nruns: after the last run). */
static struct span used_gap(const model *m, size_t j)
{
  size_t start = j == 0 ? 0 : m->runs[j - 1].end;
  size_t end = j == m->nruns ? m->size : m->runs[j].start;
  return (struct span){ start, end - start };
}

/* The byte map against its runs, and in chunk mode every allocated byte
 * against its tag. O(pool). */
static bool check_map(struct prog *p)
{
  CHECK(model_runs_consistent(&p->m));
  for (size_t j = 0; p->c && j <= p->m.nruns; j++) {
    struct span g = used_gap(&p->m, j);
    CHECK(g.len == 0 || memcmp(p->base + g.off, p->tags + g.off, g.len) == 0);
  }
  return true;
}

/* tlsf's current block, which the front end carves as `hot`, is the
 * model's current run. */
static bool hot_is_current(const struct prog *p, const gomem_allocator *a)
{
  size_t i = model_run_of(&p->m, p->m.cur);

  if (i == p->m.nruns)
    return a->hot == NULL;
  return a->hot && a->hot->off == units(p, p->m.runs[i].start)
         && a->hot->size == units(p, p->m.runs[i].end - p->m.runs[i].start);
}

static bool check_state(struct prog *p)
{
  const gomem_allocator *a = view(p);
  struct walk w = { p, 0, 0, true };
  size_t depth;

  CHECK(gomem_allocator_size(a) == units(p, p->m.size));
  CHECK(gomem_allocator_free_size(a) == units(p, p->m.free_size));
  CHECK(gomem_allocator_free_blocks(a) == p->m.nruns);
  CHECK(gomem__allocator_check(a, &depth) == 0);
  CHECK(gomem_allocator_foreach_free(a, compare_block, &w) == 0);
  CHECK(w.same && w.seen == p->m.nruns);
  if (p->policy == GOOD_FIT)
    CHECK(hot_is_current(p, a));
  if (p->c) {
    CHECK(gomem_chunk_size(p->c) == p->m.size);
    CHECK(gomem_chunk_free_size(p->c) == p->m.free_size);
  }
  return p->op % MAP_EVERY != 0 || check_map(p);
}

/* ---- allocating --------------------------------------------------------------- */

static void remember(struct prog *p, size_t off, size_t len)
{
  p->recent[p->recent_next] = (struct span){ off, len };
  p->recent_next = (p->recent_next + 1) % RECENT;
  if (p->nrecent < RECENT)
    p->nrecent++;
}

/* Where the policy puts n model units (for GOOD_FIT and ANY_FIT, some
 * run that fits); false when no run is long enough: every strategy is
 * complete. */
static bool model_choice(const struct prog *p, size_t n, size_t *off)
{
  return model_fit(&p->m, n, p->policy == BEST_FIT, off);
}

/* Whether the policy may put n model units at u, where model_choice said
 * @p expect. (Callers also check that u starts a run long enough: every
 * strategy carves from the start of a run.) */
static bool policy_allows(const struct prog *p, size_t n, size_t u, size_t expect)
{
  switch (p->policy) {
  case FIRST_FIT:
  case BEST_FIT:
    return u == expect;
  case GOOD_FIT:
    return model_good_fit(&p->m, n, u);
  default:
    return true;
  }
}

/* The run that starts at model unit off, or NULL. */
static const model_run *run_at(const model *m, size_t off)
{
  size_t i = model_run_at_or_before(m, off);

  return i < m->nruns && m->runs[i].start == off ? &m->runs[i] : NULL;
}

/* Take n model units at u in the model, remember them, and tag them in
 * a chunk. */
static bool take(struct prog *p, size_t u, size_t n)
{
  CHECK(model_take(&p->m, u, n));
  remember(p, u, n);
  if (p->c) {
    p->tag = (unsigned char)(p->tag % 255 + 1);
    memset(p->base + u, p->tag, n);
    memset(p->tags + u, p->tag, n);
  }
  return true;
}

/* The allocator put n model units at allocator offset o where the model
 * chose @p expect (and find said @p found): check the place and take it
 * in the model. */
static bool place(struct prog *p, size_t o, size_t found, size_t n, size_t expect)
{
  CHECK((o & (units(p, 1) - 1)) == 0);
  size_t u = o >> p->shift;
  CHECK(o == found);
  CHECK(policy_allows(p, n, u, expect));
  CHECK(run_at(&p->m, u) != NULL);
  return take(p, u, n);
}

/* alloc (malloc for a chunk), where find (borrow) said it would go. */
static bool op_alloc(struct prog *p)
{
  size_t n = next_units(p), expect = 0;
  bool fits = model_choice(p, n, &expect);

  if (p->c) {
    unsigned char *b = gomem_chunk_borrow(p->c, n);
    errno = 0;
    unsigned char *q = gomem_chunk_malloc(p->c, n);
    if (!fits) {
      CHECK(b == NULL && q == NULL && errno == ENOMEM);
      return true;
    }
    CHECK(b != NULL && q != NULL && gomem_chunk_owns(p->c, q));
    return place(p, (size_t)(q - p->base), (size_t)(b - p->base), n, expect);
  }
  size_t o = UNTOUCHED, found = UNTOUCHED;
  int rc = gomem_allocator_find(p->a, units(p, n), &found);
  CHECK(rc == (fits ? GOMEM_OK : GOMEM_ERR_NOMEM));
  rc = gomem_allocator_alloc(p->a, units(p, n), &o);
  if (!fits) {
    CHECK(rc == GOMEM_ERR_NOMEM && o == UNTOUCHED && found == UNTOUCHED);
    return true;
  }
  CHECK(rc == GOMEM_OK);
  return place(p, o, found, n, expect);
}

/* The first model unit at or above u whose address (bias + u, in model
 * units) is a multiple of align. */
static size_t aligned_unit(size_t u, size_t align, size_t bias)
{
  return u + ((0 - (bias + u)) & (align - 1));
}

/* Where aligned allocation puts n model units (gomem/allocator.h): in the
 * run the policy picks for n + align - 1 allocator units (in model units
 * n + align when a unit is a granule of several), else the lowest aligned
 * fit. For GOOD_FIT and ANY_FIT only whether one exists is exact. */
static bool model_aligned(const struct prog *p, size_t n, size_t align, size_t bias, size_t *off)
{
  size_t start;

  if (model_choice(p, n + align - (p->shift ? 0 : 1), &start)) {
    *off = aligned_unit(start, align, bias);
    return true;
  }
  for (size_t i = 0; i < p->m.nruns; i++) {
    size_t at = aligned_unit(p->m.runs[i].start, align, bias);
    if (at < p->m.runs[i].end && p->m.runs[i].end - at >= n) {
      *off = at;
      return true;
    }
  }
  return false;
}

/* alloc_aligned (malloc_aligned for a chunk) with an alignment of 1 to
 * 2^15 model units (a chunk aligns addresses: its base's remainder is the
 * bias); one above the pool size must be refused with nothing changed. */
static bool op_alloc_aligned(struct prog *p)
{
  size_t n = next_units(p), align = (size_t)1 << (next_byte(p) % 16), expect = 0, o = UNTOUCHED;
  size_t bias = p->c ? (size_t)((uintptr_t)p->base & (align - 1)) : 0;
  bool valid = align <= p->m.size;
  bool fits = valid && model_aligned(p, n, align, bias, &expect);

  if (p->c) {
    errno = 0;
    unsigned char *q = gomem_chunk_malloc_aligned(p->c, n, align);
    if (!fits) {
      CHECK(q == NULL && errno == (valid ? ENOMEM : EINVAL));
      return true;
    }
    CHECK(q != NULL && ((uintptr_t)q & (align - 1)) == 0);
    o = (size_t)(q - p->base);
  } else {
    int rc = gomem_allocator_alloc_aligned(p->a, units(p, n), units(p, align), &o);
    if (!fits) {
      CHECK(rc == (valid ? GOMEM_ERR_NOMEM : GOMEM_ERR_INVALID) && o == UNTOUCHED);
      return true;
    }
    CHECK(rc == GOMEM_OK && (o & (units(p, align) - 1)) == 0);
  }
  size_t u = o >> p->shift;
  /* First and best fit fix the place; the others only its alignment. */
  CHECK((p->policy != FIRST_FIT && p->policy != BEST_FIT) || u == expect);
  return take(p, u, n);
}

/* find on a bare allocator, borrow on a chunk: where alloc would go, with
 * nothing changed (check_state proves that). */
static bool op_find(struct prog *p)
{
  size_t n = next_units(p), expect = 0;
  bool fits = model_choice(p, n, &expect);
  size_t u;

  if (p->c) {
    errno = 0;
    unsigned char *q = gomem_chunk_borrow(p->c, n);
    if (!fits) {
      CHECK(q == NULL && errno == ENOMEM);
      return true;
    }
    CHECK(q != NULL && gomem_chunk_owns(p->c, q));
    u = (size_t)(q - p->base);
    CHECK(u <= p->m.size - n && memchr(p->m.used + u, 1, n) == NULL);
    /* Borrowed bytes are the caller's until the next call: overwriting
     * them must not disturb any allocation. */
    memset(q, 0, n);
  } else {
    size_t o = UNTOUCHED;
    int rc = gomem_allocator_find(p->a, units(p, n), &o);
    if (!fits) {
      CHECK(rc == GOMEM_ERR_NOMEM && o == UNTOUCHED);
      return true;
    }
    CHECK(rc == GOMEM_OK && (o & (units(p, 1) - 1)) == 0);
    u = o >> p->shift;
  }
  CHECK(policy_allows(p, n, u, expect));
  const model_run *r = run_at(&p->m, u);
  CHECK(r != NULL && r->end - r->start >= n);
  return true;
}

/* The scalable allocator's span request: between n and want units from
 * the start of the block that alloc(n) would carve from. Bare allocator
 * only (a chunk's allocator is not to be allocated from directly). */
static bool op_take_upto(struct prog *p)
{
  size_t n = next_units(p), expect = 0;
  uint8_t w = next_byte(p);
  size_t want = w < 128 ? n + w : w < 192 ? n + (size_t)(w - 128) * 1024 : SIZE_MAX >> p->shift;
  bool fits = model_choice(p, n, &expect);
  size_t o = UNTOUCHED, len = UNTOUCHED;
  int rc = gomem__allocator_take_upto(p->a, units(p, n), units(p, want), &o, &len);

  if (!fits) {
    CHECK(rc == GOMEM_ERR_NOMEM && o == UNTOUCHED && len == UNTOUCHED);
    return true;
  }
  CHECK(rc == GOMEM_OK && (o & (units(p, 1) - 1)) == 0);
  size_t u = o >> p->shift;
  CHECK(policy_allows(p, n, u, expect));
  const model_run *r = run_at(&p->m, u);
  CHECK(r != NULL && r->end - r->start >= n);
  size_t runlen = r->end - r->start;
  CHECK(len == units(p, runlen < want ? runlen : want));
  CHECK(model_take(&p->m, u, len >> p->shift));
  remember(p, u, len >> p->shift);
  return true;
}

/* ---- freeing ------------------------------------------------------------------ */

/* Free [off, off + len) model units, all allocated: it must succeed. */
static bool free_ok(struct prog *p, size_t off, size_t len)
{
  int rc;

  if (p->c) {
    /* The bytes held their tags up to now. */
    CHECK(memcmp(p->base + off, p->tags + off, len) == 0);
    rc = gomem_chunk_free(p->c, p->base + off, len);
  } else {
    rc = gomem_allocator_free(p->a, units(p, off), units(p, len));
  }
  CHECK(rc == GOMEM_OK);
  CHECK(model_give(&p->m, off, len));
  return true;
}

/* True when every allocator unit of [off, off + len) is allocated, so a
 * free of it must succeed. */
static bool allocated_units(const struct prog *p, size_t off, size_t len)
{
  size_t pool = units(p, p->m.size);

  if (len == 0 || off >= pool || len > pool - off)
    return false;
  size_t first = off >> p->shift, last = (off + len - 1) >> p->shift;
  return model_allocated(&p->m, first, last - first + 1);
}

/* A free of [off, off + len) allocator units that some unit of makes
 * invalid: refused, nothing changed (check_state compares the list). In
 * chunk mode the range is base + off: outside the chunk it is not owned. */
static bool free_refused(struct prog *p, size_t off, size_t len)
{
  if (allocated_units(p, off, len))
    return true; /* the arguments came out valid after all: not this op */
  if (p->c) {
    void *q = (void *)((uintptr_t)p->base + off);
    int want = off < p->m.size ? GOMEM_ERR_INVALID : GOMEM_ERR_NOT_OWNED;
    CHECK(gomem_chunk_free(p->c, q, len) == want);
  } else {
    CHECK(gomem_allocator_free(p->a, off, len) == GOMEM_ERR_INVALID);
  }
  return true;
}

/* Free some of an allocated range between free runs (it may span several
 * allocations): all of it, its front, its back or its middle. */
static bool op_free_gap(struct prog *p)
{
  const model *m = &p->m;
  size_t j = next_byte(p) % (m->nruns + 1);
  uint8_t how = next_byte(p), k = next_byte(p);
  struct span g = used_gap(m, j);

  for (size_t tries = 0; g.len == 0 && tries < m->nruns; tries++)
    g = used_gap(m, j = (j + 1) % (m->nruns + 1));
  if (g.len == 0)
    return true; /* nothing allocated */
  size_t take = k < 192 ? 1 + k % g.len : g.len > (k & 63u) ? g.len - (k & 63u) : g.len;
  switch (how & 3) {
  case 0:
    return free_ok(p, g.off, g.len);
  case 1:
    return free_ok(p, g.off, take);
  case 2:
    return free_ok(p, g.off + g.len - take, take);
  default:
    return free_ok(p, g.off + (how >> 2) % (g.len - take + 1), take);
  }
}

/* Free a recent allocation exactly: valid while all of it is still
 * allocated (by it or by later ones), a double free otherwise. */
static bool op_free_recent(struct prog *p)
{
  uint8_t i = next_byte(p);

  if (p->nrecent == 0)
    return true;
  struct span r = p->recent[i % p->nrecent];
  if (model_allocated(&p->m, r.off, r.len))
    return free_ok(p, r.off, r.len);
  return free_refused(p, units(p, r.off), units(p, r.len));
}

/* A chunk free of a pointer outside the chunk. */
static bool free_foreign(struct prog *p, uint8_t how, uint8_t b)
{
  static unsigned char elsewhere[64];
  uintptr_t q;

  switch (how % 4) {
  case 0:
    q = 0;
    break;
  case 1:
    q = (uintptr_t)(elsewhere + b % sizeof(elsewhere));
    break;
  case 2:
    q = (uintptr_t)p->base - 1 - b;
    break;
  default:
    q = (uintptr_t)p->base + p->m.size + b;
    break;
  }
  CHECK(gomem_chunk_free(p->c, (void *)q, 1 + (size_t)(b & 7)) == GOMEM_ERR_NOT_OWNED);
  return true;
}

/* A free that must be refused: inside a free run, across either end of
 * one, over a whole one, across the pool's end, wrapping around, of size
 * 0, past the end, or (chunk) of memory that is not the chunk's. With
 * granules and bit 7 of the kind, the first four also cut granules at
 * either end. */
static bool op_bad_free(struct prog *p)
{
  const model *m = &p->m;
  uint8_t kind = next_byte(p), b = next_byte(p), b2 = next_byte(p);
  size_t pool = units(p, m->size);
  model_run r = m->nruns ? m->runs[b2 % m->nruns] : (model_run){ 0, 0 };
  size_t rlen = r.end - r.start, u = 0, n = 0;

  switch ((kind & 0x7f) % 9) {
  case 0: /* inside a free run */
    if (rlen == 0)
      break;
    u = r.start + b % rlen;
    n = 1 + b2 % (r.end - u);
    break;
  case 1: /* allocated, then the start of a free run */
    if (rlen == 0 || r.start == 0)
      break;
    u = r.start - 1 - b % (r.start < 300 ? r.start : 300);
    n = r.start - u + 1 + b2 % rlen;
    break;
  case 2: /* the end of a free run, then allocated */
    if (rlen == 0 || r.end == m->size)
      break;
    u = r.end - 1 - b % rlen;
    n = r.end - u + 1 + b2 % (m->size - r.end);
    break;
  case 3: /* a whole free run and one allocated unit on each side */
    if (rlen == 0 || r.start == 0 || r.end == m->size)
      break;
    u = r.start - 1;
    n = rlen + 2;
    break;
  case 4: /* across the end */
    u = pool - 1 - b % (pool < 100 ? pool : 100);
    return free_refused(p, u, pool - u + 1 + b2);
  case 5: /* offset + size wraps around */
    return free_refused(p, b % pool, SIZE_MAX - b2);
  case 6: /* size 0, anywhere */
    return free_refused(p, units(p, b % m->size), 0);
  case 7: /* at or past the end */
    return free_refused(p, (b2 & 1) ? SIZE_MAX - b : pool + b, 1 + (size_t)b2);
  default:
    if (p->c)
      return free_foreign(p, b2, b);
    CHECK(gomem_allocator_free(NULL, 0, 1) == GOMEM_ERR_INVALID);
    return true;
  }
  if (n == 0)
    return true; /* no free run of the kind needed */
  size_t off = units(p, u), len = units(p, n);
  if (p->shift > 0 && (kind & 0x80)) {
    /* Cut a granule at either end: still refused, as some unit is free. */
    size_t j1 = next_byte(p) % units(p, 1), j2 = next_byte(p) % units(p, 1);
    off += j1;
    len = len - j1 - j2;
  }
  return free_refused(p, off, len);
}

/* ---- walks, resets and argument checks ---------------------------------------- */

static bool op_foreach_stop(struct prog *p)
{
  struct walk w = { p, 0, 1 + next_byte(p) % (p->m.nruns + 1), true };
  int rc = gomem_allocator_foreach_free(view(p), compare_block, &w);

  CHECK(w.same);
  if (w.stop_at <= p->m.nruns)
    CHECK(rc == STOP_VALUE && w.seen == w.stop_at);
  else
    CHECK(rc == 0 && w.seen == p->m.nruns);
  return true;
}

static bool op_owns(struct prog *p)
{
  size_t u = next_u16(p);

  CHECK(gomem_chunk_owns(p->c, (void *)((uintptr_t)p->base + u)) == (u < p->m.size));
  CHECK(!gomem_chunk_owns(p->c, NULL) && !gomem_chunk_owns(NULL, p->base));
  CHECK(gomem_chunk_base(p->c) == p->base);
  return true;
}

static bool reset(struct prog *p)
{
  if (p->c)
    gomem_chunk_reset(p->c);
  else
    gomem_allocator_reset(p->a);
  model_reset(&p->m);
  return true;
}

/* Re-initialize a bare allocator over a new size (Go's Init). */
static bool op_init(struct prog *p)
{
  if (next_byte(p) == 0) {
    CHECK(gomem_allocator_init(p->a, 0) == GOMEM_ERR_INVALID);
    return true;
  }
  size_t n = next_pool(p);

  CHECK(gomem_allocator_init(p->a, units(p, n)) == GOMEM_OK);
  model_fini(&p->m);
  CHECK(model_init(&p->m, n));
  return true;
}

/* Sizes and arguments that are refused in every state. */
static bool op_bad_args(struct prog *p)
{
  const size_t huge[] = { SIZE_MAX, units(p, p->m.size) + 1, SIZE_MAX / 2 + 1 };
  size_t o = UNTOUCHED;

  if (p->c) {
    errno = 0;
    CHECK(gomem_chunk_malloc(p->c, 0) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(gomem_chunk_borrow(p->c, 0) == NULL && errno == EINVAL);
    for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
      errno = 0;
      CHECK(gomem_chunk_malloc(p->c, huge[i]) == NULL && errno == ENOMEM);
      CHECK(gomem_chunk_borrow(p->c, huge[i]) == NULL);
    }
    errno = 0;
    CHECK(gomem_chunk_malloc(NULL, 1) == NULL && errno == EINVAL);
    CHECK(gomem_chunk_free(NULL, p->base, 1) == GOMEM_ERR_INVALID);
    CHECK(gomem_chunk_free(p->c, p->base, 0) == GOMEM_ERR_INVALID);
    return true;
  }
  CHECK(gomem_allocator_alloc(p->a, 0, &o) == GOMEM_ERR_INVALID);
  CHECK(gomem_allocator_find(p->a, 0, &o) == GOMEM_ERR_INVALID);
  CHECK(gomem_allocator_alloc(p->a, 1, NULL) == GOMEM_ERR_INVALID);
  CHECK(gomem_allocator_find(p->a, 1, NULL) == GOMEM_ERR_INVALID);
  CHECK(gomem_allocator_foreach_free(p->a, NULL, NULL) == GOMEM_ERR_INVALID);
  for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
    CHECK(gomem_allocator_alloc(p->a, huge[i], &o) == GOMEM_ERR_NOMEM);
    CHECK(gomem_allocator_find(p->a, huge[i], &o) == GOMEM_ERR_NOMEM);
  }
  CHECK(o == UNTOUCHED);
  return true;
}

static bool op_misc(struct prog *p)
{
  switch (next_byte(p) % 5) {
  case 0:
    return reset(p);
  case 1:
    return p->c ? op_owns(p) : op_init(p);
  case 2:
    return op_bad_args(p);
  case 3:
    return op_foreach_stop(p);
  default:
    return op_alloc_aligned(p);
  }
}

static bool run_op(struct prog *p, uint8_t op)
{
  switch (op % 16) {
  case 0: case 1: case 2: case 3: case 4:
    return op_alloc(p);
  case 5: case 6: case 7:
    return op_free_gap(p);
  case 8: case 9:
    return op_free_recent(p);
  case 10: case 11:
    return op_bad_free(p);
  case 12:
    return op_find(p);
  case 13:
    return p->c ? op_alloc_aligned(p) : op_take_upto(p);
  case 14:
    return op_foreach_stop(p);
  default:
    return op_misc(p);
  }
}

/* ---- setup -------------------------------------------------------------------- */

static enum policy policy_of(gomem_strategy s)
{
  switch (s) {
  case GOMEM_STRATEGY_TREAP:
    return FIRST_FIT;
  case GOMEM_STRATEGY_AVL:
    return BEST_FIT;
  case GOMEM_STRATEGY_TLSF:
    return GOOD_FIT;
  default:
    return ANY_FIT;
  }
}

/* A strategy this build does not have is refused by both constructors. */
static bool check_unavailable(struct prog *p, gomem_strategy s)
{
  errno = 0;
  CHECK(gomem_allocator_new(16, s) == NULL && errno == ENOTSUP);
  errno = 0;
  CHECK(gomem_chunk_new(16, s) == NULL && errno == ENOTSUP);
  return true;
}

static bool setup(struct prog *p)
{
  static const gomem_strategy all[] = { GOMEM_STRATEGY_DEFAULT, GOMEM_STRATEGY_TREAP,
                                        GOMEM_STRATEGY_AVL, GOMEM_STRATEGY_TLSF };
  gomem_strategy built[4];
  size_t nbuilt = 0;

  for (size_t i = 0; i < 4; i++) {
    if (gomem_strategy_available(all[i]))
      built[nbuilt++] = all[i];
    else if (!check_unavailable(p, all[i]))
      return false;
  }
  uint8_t mode = next_byte(p);
  gomem_strategy s = built[(mode >> 1 & 7) % nbuilt];
  gomem_strategy resolved = s == GOMEM_STRATEGY_DEFAULT ? gomem_strategy_default() : s;
  bool chunk = mode & 1;
  size_t n = next_pool(p);

  p->policy = policy_of(resolved);
  /* Granules keep first and best fit's choices, not size classes. */
  if (!chunk && (mode & 16) && (p->policy == FIRST_FIT || p->policy == BEST_FIT))
    p->shift = next_byte(p) % (MAX_SHIFT + 1);
  CHECK(model_init(&p->m, n));
  if (chunk) {
    p->c = gomem_chunk_new(n, s);
    p->tags = calloc(n, 1);
    CHECK(p->c != NULL && p->tags != NULL);
    p->base = gomem_chunk_base(p->c);
  } else {
    p->a = gomem_allocator_new(units(p, n), s);
    CHECK(p->a != NULL);
  }
  CHECK(gomem_allocator_strategy(view(p)) == resolved);
  return check_state(p);
}

/* Free everything that is left, allocated range by allocated range: the
 * pool must end as one free block. */
static bool free_all(struct prog *p)
{
  while (p->m.free_size < p->m.size) {
    struct span g = used_gap(&p->m, 0);
    if (g.len == 0)
      g = used_gap(&p->m, 1);
    if (!free_ok(p, g.off, g.len))
      return false;
  }
  if (!check_state(p))
    return false;
  CHECK(gomem_allocator_free_blocks(view(p)) == 1);
  return true;
}

int allocator_model_run(const uint8_t *data, size_t size, size_t *ops, char *err, size_t errlen)
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
  while (ok && p->in.left > 0) {
    p->op++;
    ok = run_op(p, next_byte(p)) && check_state(p);
  }
  ok = ok && check_map(p) && free_all(p);
  if (ops)
    *ops = p->op;
  gomem_allocator_destroy(p->a);
  gomem_chunk_destroy(p->c);
  free(p->tags);
  model_fini(&p->m);
  free(p);
  return ok ? 0 : -1;
}
