/* SPDX-License-Identifier: MIT */
/*
 * The tlsf strategy: two-level segregated fit over external bookkeeping,
 * complete, with exact validation of every free.
 *
 * Size classes. A size s < 64 is its own class; a larger s with highest set
 * bit m falls into one of 32 classes per power of two, each 2^(m-5) wide:
 *   class(s) = (m - 4) * 32 + (s >> (m - 5)) - 32.
 * Classes only grow with s. Every class has a list of its free blocks (the
 * most recently filed first), a bit in its row's 32-bit map when the list is
 * not empty, and every row a bit in one 64-bit map, so the lowest non-empty
 * class at or above any class is two find-first-set operations away.
 *
 * Allocation (current block, then good fit; complete). One free block may
 * be current: alloc(n) carves from its start whenever it holds n units.
 * Otherwise alloc rounds n up to the first class whose blocks all hold n
 * units and takes the first block of the lowest non-empty class from
 * there on. When there is none, every block that could hold n units is in
 * n's own class, and alloc takes the first block of that class's list
 * that is large enough; only then does it fail. A block that good fit
 * carves from (rather than takes whole) becomes current, the old one going
 * back to its class. A free that leaves a block larger than the current
 * one, or when none is current, makes that block current; a lone block
 * always is. Cost: O(1) whatever the number of free blocks, except the
 * walk of n's own class (blocks within 1/32 of n), taken only when no
 * block of a larger class is free. Sizes below 64 never need it.
 *
 * Why a current block: it is the front end's `hot` (strategy.h), so
 * carving it and giving back the units just below it (down to one past
 * the end of the block before it, `hot_floor`) cost a few inline
 * instructions however many blocks are free; and carving one block from
 * its start keeps consecutive allocations together in memory. It sits in
 * no class, so the front end may change its size at will, but in the
 * radix tree like every block: the key is its end, which does not move.
 *
 * Free (exact validation, O(log64 size)). A radix tree over the pool's
 * 64-unit windows, keyed by where each free block ends, holds in each
 * window the first free block (by offset) that ends in it; the free blocks
 * also form a list in offset order. To give back [o, o + n), free finds the
 * first free block S that ends after o: the radix tree's lowest non-empty
 * window at or after o's (one step per level, down and at most once up),
 * then at most 32 steps along the list inside that window (free blocks
 * are apart, so at most 32 end in 64 units). The range is invalid exactly
 * when S starts before o + n or S's predecessor in the list ends after o;
 * otherwise those two are the only neighbours it can merge with. Keying by
 * the end means that carving from a block's start and growing a block
 * downwards (a free just below it) leave the radix tree alone. Free also
 * remembers one gap between two neighbouring free blocks, the one below
 * the block alloc last carved from (or took whole), or below the block
 * after the last range freed: a free inside it, as in alloc-then-free or
 * frees in address order, needs no search at all.
 *
 * Levels: ceil(log64((size - 1) / 64 + 1)), at least 1 (2 for 64 KiB,
 * 3 for 4 MiB, 10 for a 64-bit size).
 *
 * Memory per allocator (64-bit): a 56-byte node per free block; 8 bytes
 * per class, 256 bytes per power of two up to the pool's size (3.3 KiB
 * for 64 KiB, 4.8 KiB for 4 MiB); the 520-byte radix root; other radix
 * nodes of 520 bytes: one per 4 KiB span in which a free block ends, and
 * above those one per 64 of the level below, so about
 * min(free blocks, size / 4096) * 64/63 + levels nodes: at most about
 * 13 % of the pool, and none with one free block.
 *
 * A lone free block sits in no class and not in the radix tree (a search
 * for one block is a comparison); it enters the radix tree when a second
 * block appears.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "gomem/common.h"
#include "pool.h"
#include "strategy.h"

#define SL_BITS 5
#define SL_COUNT (1u << SL_BITS)
/* Sizes below this are a class each. */
#define EXACT_LIMIT (2 * SL_COUNT)
#define NO_CLASS UINT32_MAX

#define WIN_BITS 6 /* a radix window is 64 units */
#define FANOUT_BITS 6
#define FANOUT (1u << FANOUT_BITS)
/* Enough levels for windows of a size_t-sized pool. */
#define MAX_LEVELS ((sizeof(size_t) * 8 - WIN_BITS + FANOUT_BITS - 1) / FANOUT_BITS)

struct block {
  struct gomem__range range;   /* the free block, size > 0 */
  struct block *prev, *next;   /* neighbours in offset order */
  struct block *cprev, *cnext; /* neighbours in its class's list */
  uint32_t cls;                /* the class it is filed in, or NO_CLASS */
};

/* A radix node. In the bottom level, slot[d] is the first block ending in
 * window d; above, the child node for digit d. map has bit d set exactly
 * when slot[d] is in use. */
struct rnode {
  uint64_t map;
  void *slot[FANOUT];
};

struct tlsf {
  struct gomem_allocator base;
  struct block *head, *tail; /* the free blocks in offset order */
  /* The block alloc carves from while requests fit (the front end's
   * `hot`), or NULL. It is in no class, so that the front end may change
   * its size; it is in the radix tree like every block (its end, the key,
   * stays when its start moves). A lone free block is always current. */
  struct block *cur;
  /* A block whose gap below (down to its predecessor) is where the next
   * free most likely falls: the block alloc last carved from, the one
   * after the block it last took whole, or the first block after the
   * last range freed. NULL if none. */
  struct block *near;
  uint64_t row_map;          /* bit r: row r has a non-empty class */
  uint32_t *class_map;       /* per row, bit c: class r * 32 + c is non-empty */
  /* The list of each class; heads[c] means something only while c's bit
   * in class_map is set, so that no reset has to clear them all. */
  struct block **heads;
  uint32_t rows;             /* rows that class_map and heads have room for */
  unsigned levels;           /* radix levels, the root's included */
  struct rnode root;
  struct gomem__pool blocks;
  struct gomem__pool rnodes;
};

static struct tlsf *tlsf_of(struct gomem_allocator *a)
{
  return (struct tlsf *)a;
}

static const struct tlsf *tlsf_of_const(const struct gomem_allocator *a)
{
  return (const struct tlsf *)a;
}

static unsigned msb(size_t x)
{
  return (unsigned)(sizeof(size_t) * 8 - 1) - (unsigned)__builtin_clzl(x);
}

static size_t end_of(const struct block *b)
{
  return b->range.off + b->range.size;
}

/* ---- Size classes -------------------------------------------------------- */

static uint32_t class_of(size_t s)
{
  if (s < EXACT_LIMIT)
    return (uint32_t)s;
  unsigned m = msb(s);
  return ((m - SL_BITS + 1) << SL_BITS) + (uint32_t)(s >> (m - SL_BITS)) - SL_COUNT;
}

/* The first class whose blocks all hold s units. */
static uint32_t class_up(size_t s)
{
  uint32_t c = class_of(s);

  if (s < EXACT_LIMIT)
    return c;
  size_t below = ((size_t)1 << (msb(s) - SL_BITS)) - 1;
  return c + ((s & below) != 0);
}

static uint32_t rows_for(size_t size)
{
  return (class_of(size) >> SL_BITS) + 1;
}

static bool class_used(const struct tlsf *t, uint32_t c)
{
  return (t->class_map[c >> SL_BITS] >> (c & (SL_COUNT - 1))) & 1;
}

/* Put b at the head of class c's list (c = class_of(b's size)). */
static void file(struct tlsf *t, struct block *b, uint32_t c)
{
  struct block *first = class_used(t, c) ? t->heads[c] : NULL;

  b->cls = c;
  b->cprev = NULL;
  b->cnext = first;
  if (first)
    first->cprev = b;
  t->heads[c] = b;
  t->class_map[c >> SL_BITS] |= 1u << (c & (SL_COUNT - 1));
  t->row_map |= (uint64_t)1 << (c >> SL_BITS);
}

static void unfile(struct tlsf *t, struct block *b)
{
  uint32_t c = b->cls;

  if (b->cnext)
    b->cnext->cprev = b->cprev;
  if (b->cprev) {
    b->cprev->cnext = b->cnext;
  } else {
    t->heads[c] = b->cnext;
    if (!b->cnext) {
      uint32_t r = c >> SL_BITS;

      t->class_map[r] &= ~(1u << (c & (SL_COUNT - 1)));
      if (!t->class_map[r])
        t->row_map &= ~((uint64_t)1 << r);
    }
  }
  b->cls = NO_CLASS;
}

/* b's size changed: move it to its new class, if it is filed at all. */
static void refile(struct tlsf *t, struct block *b)
{
  if (b->cls == NO_CLASS)
    return;
  uint32_t c = class_of(b->range.size);
  if (c == b->cls)
    return;
  unfile(t, b);
  file(t, b, c);
}

static void file_new(struct tlsf *t, struct block *b)
{
  file(t, b, class_of(b->range.size));
}

/* The block alloc(s) takes, or NULL. Needs two or more blocks. */
static struct block *good_fit(const struct tlsf *t, size_t s)
{
  uint32_t own = class_of(s), up = class_up(s);
  uint32_t row = up >> SL_BITS;

  if (row < t->rows) {
    uint32_t in_row = t->class_map[row] & (~0u << (up & (SL_COUNT - 1)));

    if (in_row)
      return t->heads[(row << SL_BITS) + (uint32_t)__builtin_ctz(in_row)];
    uint64_t above = row + 1 < 64 ? t->row_map & (~(uint64_t)0 << (row + 1)) : 0;
    if (above) {
      uint32_t r = (uint32_t)__builtin_ctzll(above);
      return t->heads[(r << SL_BITS) + (uint32_t)__builtin_ctz(t->class_map[r])];
    }
  }
  /* Completeness: only n's own class can still hold a fitting block. */
  if (up == own || (own >> SL_BITS) >= t->rows || !class_used(t, own))
    return NULL;
  for (struct block *b = t->heads[own]; b; b = b->cnext) {
    if (b->range.size >= s)
      return b;
  }
  return NULL;
}

/* Room for the classes of a pool of the current size. */
static int ensure_rows(struct tlsf *t)
{
  uint32_t rows = rows_for(t->base.size);

  if (rows <= t->rows)
    return 0;
  uint32_t *map = realloc(t->class_map, rows * sizeof(*map));
  if (!map)
    return -1;
  t->class_map = map;
  struct block **heads = realloc(t->heads, rows * SL_COUNT * sizeof(*heads));
  if (!heads)
    return -1; /* the larger map is harmless */
  for (uint32_t i = t->rows; i < rows; i++)
    map[i] = 0;
  t->heads = heads;
  t->rows = rows;
  return 0;
}

/* ---- The radix tree over windows ----------------------------------------- */

static size_t window_of_end(size_t end)
{
  return (end - 1) >> WIN_BITS;
}

static unsigned digit(size_t w, unsigned level)
{
  return (unsigned)(w >> (level * FANOUT_BITS)) & (FANOUT - 1);
}

static unsigned levels_for(size_t size)
{
  size_t top = window_of_end(size);
  unsigned levels = 1;

  while (levels < MAX_LEVELS && (top >> (levels * FANOUT_BITS)) != 0)
    levels++;
  return levels;
}

static uint64_t bit(unsigned d)
{
  return (uint64_t)1 << d;
}

/* Record b as ending in window w (b's offset is set; it need not be in
 * the offset list yet). -1 when a node is needed and none can be had:
 * nothing changed then. */
static int index_insert(struct tlsf *t, struct block *b, size_t w)
{
  struct rnode *n = &t->root;
  unsigned level = t->levels - 1;

  while (level > 0 && (n->map & bit(digit(w, level)))) {
    n = n->slot[digit(w, level)];
    level--;
  }
  if (level > 0) {
    /* The nodes for every missing level first, so that none or all are
     * linked. */
    struct rnode *fresh[MAX_LEVELS];

    for (unsigned i = 0; i < level; i++) {
      fresh[i] = gomem__pool_get(&t->rnodes);
      if (!fresh[i]) {
        while (i--)
          gomem__pool_put(&t->rnodes, fresh[i]);
        return -1;
      }
    }
    for (; level > 0; level--) {
      struct rnode *c = fresh[level - 1];
      unsigned d = digit(w, level);

      c->map = 0;
      n->slot[d] = c;
      n->map |= bit(d);
      n = c;
    }
  }
  unsigned d = digit(w, 0);
  if (!(n->map & bit(d))) {
    n->slot[d] = b;
    n->map |= bit(d);
  } else if (b->range.off < ((struct block *)n->slot[d])->range.off) {
    n->slot[d] = b;
  }
  return 0;
}

/* b no longer ends in window w; b is still in the offset list. */
static void index_remove(struct tlsf *t, struct block *b, size_t w)
{
  struct rnode *path[MAX_LEVELS];
  struct rnode *n = &t->root;

  for (unsigned level = t->levels - 1; level > 0; level--) {
    path[level] = n;
    n = n->slot[digit(w, level)];
  }
  unsigned d = digit(w, 0);
  if (n->slot[d] != b)
    return; /* an earlier block ending in w stays the first */
  if (b->next && window_of_end(end_of(b->next)) == w) {
    n->slot[d] = b->next;
    return;
  }
  n->map &= ~bit(d);
  for (unsigned level = 1; level < t->levels && !n->map; level++) {
    struct rnode *parent = path[level];

    gomem__pool_put(&t->rnodes, n);
    parent->map &= ~bit(digit(w, level));
    n = parent;
  }
}

/* b's end moves up from window w_old to w_new > w_old over units that
 * were allocated, so no other block ends between them. When one bottom
 * node covers both windows this is one walk down, not an insert and a
 * remove. -1 when a node is needed and none can be had: nothing changed
 * then. */
static int index_move(struct tlsf *t, struct block *b, size_t w_old, size_t w_new)
{
  if ((w_old >> FANOUT_BITS) != (w_new >> FANOUT_BITS)) {
    if (index_insert(t, b, w_new) != 0)
      return -1;
    index_remove(t, b, w_old);
    return 0;
  }
  struct rnode *n = &t->root;
  for (unsigned level = t->levels - 1; level > 0; level--)
    n = n->slot[digit(w_old, level)];
  unsigned d_old = digit(w_old, 0), d_new = digit(w_new, 0);
  /* No block after b ends in w_old; an earlier one stays the first. */
  if (n->slot[d_old] == b)
    n->map &= ~bit(d_old);
  /* No block before b ends in w_new; b->next may, after b. */
  n->slot[d_new] = b;
  n->map |= bit(d_new);
  return 0;
}

/* The first block under n, a node at the given level. */
static struct block *leftmost(const struct rnode *n, unsigned level)
{
  for (;; level--) {
    void *c = n->slot[__builtin_ctzll(n->map)];

    if (level == 0)
      return c;
    n = c;
  }
}

/* The first block of the lowest non-empty window >= w, or NULL. */
static struct block *index_ceil(const struct tlsf *t, size_t w)
{
  const struct rnode *path[MAX_LEVELS];
  const struct rnode *n = &t->root;
  unsigned level = t->levels - 1;

  for (;;) {
    unsigned d = digit(w, level);
    uint64_t from = n->map & (~(uint64_t)0 << d);

    if (!from)
      break;
    unsigned k = (unsigned)__builtin_ctzll(from);
    if (level == 0)
      return n->slot[k];
    if (k != d)
      return leftmost(n->slot[k], level - 1);
    path[level] = n;
    n = n->slot[d];
    level--;
  }
  /* Nothing at or after w below n: try the next digit further up. */
  while (++level < t->levels) {
    unsigned d = digit(w, level);
    uint64_t after = d + 1 < FANOUT ? path[level]->map & (~(uint64_t)0 << (d + 1)) : 0;

    if (after)
      return leftmost(path[level]->slot[__builtin_ctzll(after)], level - 1);
  }
  return NULL;
}

/* The first block that ends after x, or NULL. */
static struct block *first_ending_after(const struct tlsf *t, size_t x)
{
  struct block *b;

  if (t->base.free_blocks <= 1)
    b = t->head;
  else
    b = index_ceil(t, x >> WIN_BITS);
  while (b && end_of(b) <= x)
    b = b->next;
  return b;
}

/* ---- Blocks -------------------------------------------------------------- */

static void link_after(struct tlsf *t, struct block *prev, struct block *b)
{
  struct block *next = prev ? prev->next : t->head;

  b->prev = prev;
  b->next = next;
  if (prev)
    prev->next = b;
  else
    t->head = b;
  if (next)
    next->prev = b;
  else
    t->tail = b;
}

static void unlink_block(struct tlsf *t, struct block *b)
{
  if (b->prev)
    b->prev->next = b->next;
  else
    t->head = b->next;
  if (b->next)
    b->next->prev = b->prev;
  else
    t->tail = b->prev;
}

/* Point the front end at the current block (strategy.h); the block
 * below it, if any, ends at or before hot_floor - 1. Called after every
 * change. */
static void set_hot(struct tlsf *t)
{
  struct block *c = t->cur;

  t->base.hot = c ? &c->range : NULL;
  t->base.hot_floor = c && c->prev ? end_of(c->prev) + 1 : 0;
}

/* b becomes the block alloc carves from; the current one goes back to its
 * class. b is not current, and there are two blocks or more unless b is
 * the only one (then nothing is current). */
static void make_current(struct tlsf *t, struct block *b)
{
  if (b->cls != NO_CLASS)
    unfile(t, b);
  if (t->cur)
    file_new(t, t->cur);
  t->cur = b;
}

/* A free left b where it is: b becomes current when it is larger than the
 * current block, or when there is none. */
static void offer(struct tlsf *t, struct block *b)
{
  if (b != t->cur && (!t->cur || b->range.size > t->cur->range.size))
    make_current(t, b);
}

/* Down to one block: it leaves the classes and the radix tree (a search
 * for one block is a comparison) and is current. */
static void make_single(struct tlsf *t)
{
  struct block *b = t->head;

  index_remove(t, b, window_of_end(end_of(b)));
  if (b->cls != NO_CLASS)
    unfile(t, b);
  t->cur = b;
}

/* Take b out of everything (b's range is already accounted for). */
static void block_remove(struct tlsf *t, struct block *b)
{
  /* With two blocks or more, every block is in the radix tree. */
  if (t->base.free_blocks >= 2)
    index_remove(t, b, window_of_end(end_of(b)));
  if (b->cls != NO_CLASS)
    unfile(t, b);
  if (t->cur == b)
    t->cur = NULL;
  unlink_block(t, b);
  if (t->near == b)
    t->near = NULL;
  gomem__pool_put(&t->blocks, b);
  if (--t->base.free_blocks == 1)
    make_single(t);
}

/* ---- The strategy table -------------------------------------------------- */

static void start_over(struct tlsf *t, struct block *b)
{
  b->range.off = 0;
  b->range.size = t->base.size;
  b->prev = b->next = NULL;
  b->cls = NO_CLASS;
  t->head = t->tail = b;
  t->cur = b;
  t->near = NULL;
  t->root.map = 0;
  t->row_map = 0;
  for (uint32_t r = 0; r < t->rows; r++)
    t->class_map[r] = 0;
  t->levels = levels_for(t->base.size);
  t->base.free_blocks = 1;
  set_hot(t);
}

static struct gomem_allocator *tlsf_create(size_t size)
{
  struct tlsf *t = calloc(1, sizeof(*t));

  if (!t)
    return NULL;
  t->base.size = size;
  gomem__pool_init(&t->blocks, sizeof(struct block));
  gomem__pool_init(&t->rnodes, sizeof(struct rnode));
  struct block *b = gomem__pool_get(&t->blocks);
  if (!b || ensure_rows(t) != 0) {
    gomem__pool_fini(&t->blocks);
    free(t->class_map);
    free(t->heads);
    free(t);
    return NULL;
  }
  start_over(t, b);
  return &t->base;
}

static void tlsf_destroy(struct gomem_allocator *a)
{
  struct tlsf *t = tlsf_of(a);

  gomem__pool_fini(&t->blocks);
  gomem__pool_fini(&t->rnodes);
  free(t->class_map);
  free(t->heads);
  free(t);
}

/* The current block when size fits in it, else good fit among the
 * others (the current block, too small, is in no class). */
static struct block *choose(const struct tlsf *t, size_t size)
{
  struct block *c = t->cur;

  if (c && c->range.size >= size)
    return c;
  /* A lone block is current. */
  if (t->base.free_blocks <= 1)
    return NULL;
  return good_fit(t, size);
}

static int tlsf_find(const struct gomem_allocator *a, size_t size, size_t *offset)
{
  const struct block *b = choose(tlsf_of_const(a), size);

  if (!b)
    return GOMEM_ERR_NOMEM;
  *offset = b->range.off;
  return GOMEM_OK;
}

static int tlsf_alloc_upto(struct gomem_allocator *a, size_t size, size_t want, size_t *offset,
                           size_t *len)
{
  struct tlsf *t = tlsf_of(a);
  struct block *b = choose(t, size);

  if (!b)
    return GOMEM_ERR_NOMEM;
  *offset = b->range.off;
  size = b->range.size < want ? b->range.size : want;
  *len = size;
  a->free_size -= size;
  if (b->range.size == size) {
    struct block *next = b->next;

    block_remove(t, b);
    t->near = next;
  } else {
    /* The end stays, so the radix tree does too. */
    b->range.off += size;
    b->range.size -= size;
    if (b != t->cur)
      make_current(t, b);
    t->near = b;
  }
  set_hot(t);
  return GOMEM_OK;
}

static int tlsf_alloc(struct gomem_allocator *a, size_t size, size_t *offset)
{
  size_t len;

  return tlsf_alloc_upto(a, size, size, offset, &len);
}

/* [offset, end) becomes a block of its own, after prev, filed unless it
 * is the only one. */
static int add_block(struct tlsf *t, struct block *prev, size_t offset, size_t end)
{
  struct block *only = t->base.free_blocks == 1 ? t->head : NULL;

  if (only && ensure_rows(t) != 0)
    return GOMEM_ERR_NOMEM;
  struct block *b = gomem__pool_get(&t->blocks);
  if (!b)
    return GOMEM_ERR_NOMEM;
  b->range.off = offset;
  b->range.size = end - offset;
  b->cls = NO_CLASS;
  if (t->base.free_blocks >= 1) {
    /* Two blocks or more: both are in the index and filed. */
    size_t w_only = only ? window_of_end(end_of(only)) : 0;

    if (only && index_insert(t, only, w_only) != 0) {
      gomem__pool_put(&t->blocks, b);
      return GOMEM_ERR_NOMEM;
    }
    if (index_insert(t, b, window_of_end(end)) != 0) {
      if (only)
        index_remove(t, only, w_only);
      gomem__pool_put(&t->blocks, b);
      return GOMEM_ERR_NOMEM;
    }
    /* only is current: it stays out of the classes. */
    file_new(t, b);
  }
  link_after(t, prev, b);
  t->base.free_blocks++;
  return GOMEM_OK;
}

/* left grows up to end: its end may move to another window. */
static int grow_left(struct tlsf *t, struct block *left, size_t end)
{
  size_t w_old = window_of_end(end_of(left)), w_new = window_of_end(end);

  /* With two blocks or more, every block is in the radix tree. */
  if (t->base.free_blocks >= 2 && w_old != w_new && index_move(t, left, w_old, w_new) != 0)
    return GOMEM_ERR_NOMEM;
  left->range.size = end - left->range.off;
  refile(t, left);
  return GOMEM_OK;
}

static int tlsf_free(struct gomem_allocator *a, size_t offset, size_t size)
{
  struct tlsf *t = tlsf_of(a);
  size_t end = offset + size;
  struct block *right = t->near, *before;

  /* Inside the gap below near, near is the first block ending after
   * offset; else search. */
  if (right && right->range.off >= end && (!right->prev || end_of(right->prev) <= offset)) {
    before = right->prev;
  } else {
    right = first_ending_after(t, offset);
    before = right ? right->prev : t->tail;
  }

  /* right is the first block ending after offset and before the last one
   * ending at or before it: any free unit of the range is in one of them. */
  if ((right && right->range.off < end) || (before && end_of(before) > offset))
    return GOMEM_ERR_INVALID;
  struct block *left = before && end_of(before) == offset ? before : NULL;
  struct block *after = right;
  if (right && right->range.off != end)
    right = NULL;

  struct block *merged = right ? right : left;
  if (left && right) {
    /* right takes left's place: right's end, and so its window, stay. */
    size_t start = left->range.off, right_end = end_of(right);

    block_remove(t, left);
    right->range.off = start;
    right->range.size = right_end - start;
    refile(t, right);
  } else if (right) {
    right->range.off = offset;
    right->range.size += size;
    refile(t, right);
  } else if (left) {
    int rc = grow_left(t, left, end);

    if (rc != GOMEM_OK)
      return rc;
  } else {
    int rc = add_block(t, before, offset, end);

    if (rc != GOMEM_OK)
      return rc;
    merged = before ? before->next : t->head;
  }
  offer(t, merged);
  set_hot(t);
  /* Frees in address order, either way, fall next to this one: in the
   * gap below `after`, which survives every case above. */
  if (after)
    t->near = after;
  a->free_size += size;
  return GOMEM_OK;
}

static void tlsf_reset(struct gomem_allocator *a)
{
  struct tlsf *t = tlsf_of(a);

  /* Down to one block, which leaves the classes and the radix tree. */
  while (t->head && t->head != t->tail)
    block_remove(t, t->tail);
  struct block *b = t->head;
  /* create() took a block and blocks only go back to the pool's free
   * list, so this get never needs malloc and cannot fail. */
  if (!b)
    b = gomem__pool_get(&t->blocks);
  start_over(t, b);
}

static int tlsf_foreach_free(const struct gomem_allocator *a, gomem__free_fn fn, void *ctx)
{
  for (const struct block *b = tlsf_of_const(a)->head; b; b = b->next) {
    int rc = fn(b->range.off, b->range.size, ctx);

    if (rc != 0)
      return rc;
  }
  return 0;
}

/* ---- check() ------------------------------------------------------------- */

/* The offset list: linked both ways, blocks non-empty, inside and apart,
 * as many as free_blocks, adding up to free_size. */
static bool list_sound(const struct tlsf *t)
{
  const struct block *prev = NULL;
  size_t count = 0, units = 0;

  for (const struct block *b = t->head; b; prev = b, b = b->next) {
    if (++count > t->base.free_blocks || b->prev != prev || b->range.size == 0 ||
        b->range.off > t->base.size || b->range.size > t->base.size - b->range.off)
      return false;
    if (prev && b->range.off <= end_of(prev))
      return false;
    units += b->range.size;
  }
  return count == t->base.free_blocks && t->tail == prev && units == t->base.free_size;
}

/* Every class list holds exactly the blocks of its class, linked both
 * ways, and the maps say which lists are non-empty. */
static bool classes_sound(const struct tlsf *t)
{
  size_t filed = 0;

  for (uint32_t r = 0; r < t->rows; r++) {
    bool row_used = false;

    for (uint32_t c = r * SL_COUNT; c < (r + 1) * SL_COUNT; c++) {
      const struct block *prev = NULL;
      bool used = class_used(t, c);

      if (used && !t->heads[c])
        return false;
      row_used |= used;
      for (const struct block *b = used ? t->heads[c] : NULL; b; prev = b, b = b->cnext) {
        if (++filed > t->base.free_blocks || b->cls != c || class_of(b->range.size) != c ||
            b->cprev != prev)
          return false;
      }
    }
    if (row_used != ((t->row_map >> r) & 1))
      return false;
  }
  if (t->row_map >> t->rows != 0)
    return false;
  /* Every block but the current one, from two blocks on. */
  return filed == (t->base.free_blocks >= 2 ? t->base.free_blocks - (t->cur != NULL) : 0);
}

/* Every slot in use holds a child (or, at the bottom, the first block that
 * ends in its window); counts the windows in use. */
static bool radix_sound(const struct rnode *n, unsigned level, size_t prefix, size_t *windows)
{
  for (unsigned d = 0; d < FANOUT; d++) {
    if (!(n->map & bit(d)))
      continue;
    size_t w = (prefix << FANOUT_BITS) | d;
    if (level > 0) {
      const struct rnode *c = n->slot[d];

      if (!c->map || !radix_sound(c, level - 1, w, windows))
        return false;
      continue;
    }
    const struct block *b = n->slot[d];
    if (window_of_end(end_of(b)) != w || (b->prev && window_of_end(end_of(b->prev)) == w))
      return false;
    ++*windows;
  }
  return true;
}

/* The radix tree has one entry per window that a block ends in, and finds
 * every block from its last unit. */
static bool index_sound(const struct tlsf *t)
{
  size_t windows = 0, expect = 0;

  if (t->levels != levels_for(t->base.size))
    return false;
  if (t->base.free_blocks <= 1)
    return t->root.map == 0;
  if (!radix_sound(&t->root, t->levels - 1, 0, &windows))
    return false;
  for (const struct block *b = t->head; b; b = b->next) {
    if (!b->prev || window_of_end(end_of(b->prev)) != window_of_end(end_of(b)))
      expect++;
    if (first_ending_after(t, end_of(b) - 1) != b || first_ending_after(t, b->range.off) != b)
      return false;
  }
  return windows == expect;
}

/* b is in the offset list. */
static bool listed(const struct tlsf *t, const struct block *b)
{
  const struct block *x = t->head;

  while (x && x != b)
    x = x->next;
  return x != NULL;
}

static int tlsf_check(const struct gomem_allocator *a, size_t *depth)
{
  const struct tlsf *t = tlsf_of_const(a);

  *depth = t->levels;
  if (!list_sound(t))
    return -1;
  /* The list is sound, so the walks below terminate. */
  if (a->free_blocks == 1 && t->cur != t->head)
    return -1;
  if (t->cur && (!listed(t, t->cur) || t->cur->cls != NO_CLASS))
    return -1;
  if (a->hot != (t->cur ? &t->cur->range : NULL) ||
      a->hot_floor != (t->cur && t->cur->prev ? end_of(t->cur->prev) + 1 : 0))
    return -1;
  if (!classes_sound(t) || !index_sound(t))
    return -1;
  return t->near && !listed(t, t->near) ? -1 : 0;
}

/* ---- Taking a chosen range (aligned allocation) -------------------------- */

/* b's end moves down to end, which is above its start. Unlike a growing
 * end (index_move), the new window may hold the block before b, which
 * stays the first there, and the old one the block after b, which becomes
 * the first there: an insert and a remove say both. */
static int shrink_end(struct tlsf *t, struct block *b, size_t end)
{
  size_t w_old = window_of_end(end_of(b)), w_new = window_of_end(end);

  /* With two blocks or more, every block is in the radix tree. */
  if (t->base.free_blocks >= 2 && w_old != w_new) {
    if (index_insert(t, b, w_new) != 0)
      return GOMEM_ERR_NOMEM;
    index_remove(t, b, w_old);
  }
  b->range.size = end - b->range.off;
  refile(t, b);
  return GOMEM_OK;
}

/* Take [offset, offset + size) from inside the block b it lies in, the
 * current block following the rules of alloc: a block whose start is
 * taken becomes current, and one that loses its end stops being current
 * (unless it is the only one). b keeps its end (so its place in the radix
 * index) and becomes the upper rest;
 * the lower rest is a new block before it, and when that cannot be had b
 * is put back as it was. Only a block that loses its end moves windows,
 * which shrink_end does with the same all-or-nothing care. */
static int tlsf_take_at(struct gomem_allocator *a, size_t offset, size_t size)
{
  struct tlsf *t = tlsf_of(a);
  struct block *b = first_ending_after(t, offset);
  size_t start = b->range.off, end = end_of(b), cut = offset + size;
  int rc = GOMEM_OK;

  if (start == offset && cut == end) {
    struct block *next = b->next;
    block_remove(t, b);
    t->near = next;
  } else if (cut == end) {
    rc = shrink_end(t, b, offset);
    /* As when alloc takes the current block whole: none is current. */
    if (rc == GOMEM_OK && b == t->cur && t->base.free_blocks >= 2) {
      file_new(t, b);
      t->cur = NULL;
    }
  } else {
    b->range.off = cut;
    b->range.size = end - cut;
    refile(t, b);
    if (start < offset && (rc = add_block(t, b->prev, start, offset)) != GOMEM_OK) {
      b->range.off = start;
      b->range.size = end - start;
      refile(t, b);
    }
    /* As when alloc carves a block's start: it becomes current. */
    if (start == offset && b != t->cur)
      make_current(t, b);
  }
  /* Every case may move the current block's lower neighbour. */
  set_hot(t);
  if (rc == GOMEM_OK)
    a->free_size -= size;
  return rc;
}

const struct gomem_tree_ops gomem__tlsf_ops = {
  .name = "tlsf",
  .strategy = GOMEM_STRATEGY_TLSF,
  .create = tlsf_create,
  .destroy = tlsf_destroy,
  .alloc = tlsf_alloc,
  .alloc_upto = tlsf_alloc_upto,
  .find = tlsf_find,
  .free = tlsf_free,
  .reset = tlsf_reset,
  .foreach_free = tlsf_foreach_free,
  .check = tlsf_check,
  .take_at = tlsf_take_at,
};
