/* SPDX-License-Identifier: MIT */
/*
 * The treap strategy (Go's default build): one tree of free blocks ordered
 * by offset, address-ordered first fit.
 *
 * The Go original orders its treap by offset but heaps it by block size and
 * searches it by size as if it were a size tree, so it can miss a fitting
 * block and its depth follows the pattern of sizes. Here every node also
 * caches the largest block size in each of its two subtrees, which makes the
 * search exact: the lowest-offset block of at least n units is on the left
 * if the left subtree has one, else here if this block fits, else on the
 * right. Caching the children's maxima in the parent (not each node's own)
 * lets a descent read only the nodes on its path. Priorities are random (a
 * per-allocator xorshift), so the expected depth is O(log b) for b blocks
 * whatever the pattern of offsets and sizes.
 *
 * Keeping the maxima right is the only work besides the tree shape:
 * - a block that grows (a free merging into a neighbour, a new block) can
 *   only raise its ancestors' maxima, which a descent from the root does
 *   (or, for a block that only grows, a pass over the path that free's
 *   search remembered);
 * - joining two subtrees knows each joined node's new maximum from the
 *   cached ones before anything moves, so removing a node is top-down too;
 * - only alloc shrinks or removes a block, which can lower its ancestors'
 *   maxima, so alloc remembers its path and fixes it bottom-up;
 * - splitting a subtree around a new node recurses along the two cut spines,
 *   which are O(1) long on average.
 * Carving from the start of a block or merging into a neighbour never moves
 * a block past another one, so offsets are re-keyed in place.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "gomem/common.h"
#include "pool.h"
#include "prio.h"
#include "strategy.h"

/* The way down that alloc and free remember fits in this many entries
 * unless the tree is absurdly deep (a random treap of a billion blocks is
 * about 85 deep); past it, alloc fixes the path with a recursive walk and
 * free raises maxima by walking down again. A test builds with a smaller
 * cap to exercise those walks. */
#ifndef PATH_CAP
#define PATH_CAP 96
#endif

enum { LEFT = 0, RIGHT = 1, HERE = -1 };

struct node {
  struct gomem__range range; /* the free block, size > 0 */
  size_t sub[2];             /* the largest size in each subtree, 0 if empty */
  struct node *child[2];     /* lower offsets on the left */
  uint32_t prio;             /* a parent's prio is >= its children's */
};

struct treap {
  struct gomem_allocator base;
  struct node *root;
  struct gomem__pool nodes;
  uint32_t rng; /* xorshift32 state, never 0 */
};

static struct treap *treap_of(struct gomem_allocator *a)
{
  return (struct treap *)a;
}

static const struct treap *treap_of_const(const struct gomem_allocator *a)
{
  return (const struct treap *)a;
}

/* A different sequence per allocator (and per run, with ASLR), without
 * global state that threads would have to share. */
static uint32_t seed_for(const void *p)
{
  uint64_t z = (uint64_t)(uintptr_t)p + 0x9e3779b97f4a7c15u;

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  uint32_t s = (uint32_t)(z ^ (z >> 32));
  return s ? s : 1;
}

static size_t max3(size_t a, size_t b, size_t c)
{
  size_t m = a > b ? a : b;
  return m > c ? m : c;
}

/* The largest block in the subtree at x, 0 if empty. */
static size_t tree_max(const struct node *x)
{
  return x ? max3(x->range.size, x->sub[LEFT], x->sub[RIGHT]) : 0;
}

static void update(struct node *x)
{
  x->sub[LEFT] = tree_max(x->child[LEFT]);
  x->sub[RIGHT] = tree_max(x->child[RIGHT]);
}

static void raise_to(size_t *max, size_t size)
{
  if (*max < size)
    *max = size;
}

/* The side of x on which offset off lies (off is not x's own). */
static int side(const struct node *x, size_t off)
{
  return x->range.off < off;
}

static struct node *new_node(struct treap *t, size_t off, size_t size)
{
  struct node *x = gomem__pool_get(&t->nodes);

  if (x)
    *x = (struct node){ .range = { off, size }, .prio = gomem__next_prio(&t->rng) };
  return x;
}

/* ---- Tree surgery --------------------------------------------------------- */

/* Put the join of a and b (every offset in a below every offset in b) in
 * *slot. The node that goes on top keeps one side and gains the rest of
 * the other, whose maximum is known before anything under it moves. */
static void join(struct node **slot, struct node *a, struct node *b)
{
  while (a && b) {
    if (a->prio >= b->prio) {
      raise_to(&a->sub[RIGHT], tree_max(b));
      *slot = a;
      slot = &a->child[RIGHT];
      a = a->child[RIGHT];
    } else {
      raise_to(&b->sub[LEFT], tree_max(a));
      *slot = b;
      slot = &b->child[LEFT];
      b = b->child[LEFT];
    }
  }
  *slot = a ? a : b;
}

/* Split x into the blocks below off (*lo) and above it (*hi); no block
 * starts at off. Recurses once per node on the two cut spines. */
static void split(struct node *x, size_t off, struct node **lo, struct node **hi)
{
  if (!x) {
    *lo = *hi = NULL;
    return;
  }
  if (x->range.off < off) {
    split(x->child[RIGHT], off, &x->child[RIGHT], hi);
    *lo = x;
  } else {
    split(x->child[LEFT], off, lo, &x->child[LEFT]);
    *hi = x;
  }
  update(x);
}

/* Recompute the maxima on the search path of off, bottom-up. The fallback
 * for paths longer than PATH_CAP. */
static void refresh_path(struct node *x, size_t off)
{
  if (!x)
    return;
  if (x->range.off != off)
    refresh_path(x->child[side(x, off)], off);
  update(x);
}

/* Walk the search path of off from *slot, raising the maxima on the way to
 * at least size, until reaching a or b (which must lie on that path), and
 * return the slot that points at it. */
static struct node **raise_until(struct node **slot, size_t off, const struct node *a,
                                 const struct node *b, size_t size)
{
  while (*slot != a && *slot != b) {
    struct node *x = *slot;
    int s = side(x, off);
    raise_to(&x->sub[s], size);
    slot = &x->child[s];
  }
  return slot;
}

/* The front end's fast block (strategy.h): the root when no block lies
 * below it. The root has no ancestors whose maxima could change, and its
 * own maxima are its children's. */
static struct gomem__range *hot_block(const struct treap *t)
{
  struct node *r = t->root;

  return r && !r->child[LEFT] ? &r->range : NULL;
}

/* ---- Operations ------------------------------------------------------------ */

static struct gomem_allocator *treap_create(size_t size)
{
  struct treap *t = malloc(sizeof(*t));

  if (!t)
    return NULL;
  gomem__pool_init(&t->nodes, sizeof(struct node));
  t->rng = seed_for(t);
  t->root = new_node(t, 0, size);
  if (!t->root) {
    gomem__pool_fini(&t->nodes);
    free(t);
    return NULL;
  }
  t->base.size = size;
  t->base.free_blocks = 1;
  t->base.hot = hot_block(t);
  t->base.hot_floor = 0; /* hot is always the lowest block */
  return &t->base;
}

static void treap_destroy(struct gomem_allocator *a)
{
  struct treap *t = treap_of(a);

  gomem__pool_fini(&t->nodes);
  free(t);
}

/* Where the lowest-offset block of at least size units is, when the
 * subtree at x has one: on the left if a block there fits, else here if
 * this one fits, else on the right. */
static int fit_side(const struct node *x, size_t size)
{
  int s = x->sub[LEFT] < size;

  return (s & (x->range.size >= size)) ? HERE : s;
}

static int treap_find(const struct gomem_allocator *a, size_t size, size_t *offset)
{
  const struct node *x = treap_of_const(a)->root;

  if (tree_max(x) < size)
    return GOMEM_ERR_NOMEM;
  for (int s; (s = fit_side(x, size)) != HERE;)
    x = x->child[s];
  *offset = x->range.off;
  return GOMEM_OK;
}

/* The subtree at the end of path[0 .. depth) lost units (or its root) at
 * offset off: lower the maxima above it, from the bottom, until one does
 * not change (then nothing higher sees a difference). */
static void fix_path(struct treap *t, struct node *const *path, size_t depth, size_t off)
{
  if (depth > PATH_CAP) {
    refresh_path(t->root, off);
    return;
  }
  while (depth-- > 0) {
    struct node *x = path[depth];
    int s = side(x, off);
    size_t max = tree_max(x->child[s]);
    if (x->sub[s] == max)
      return;
    x->sub[s] = max;
  }
}

static int treap_alloc_upto(struct gomem_allocator *a, size_t size, size_t want, size_t *offset,
                            size_t *len)
{
  struct treap *t = treap_of(a);
  struct node *path[PATH_CAP];
  size_t depth = 0;
  struct node **slot = &t->root;
  struct node *x = t->root;

  /* The search of treap_find, remembering the way down. */
  if (tree_max(x) < size)
    return GOMEM_ERR_NOMEM;
  for (int s; (s = fit_side(x, size)) != HERE;) {
    if (depth < PATH_CAP)
      path[depth] = x;
    depth++;
    slot = &x->child[s];
    x = *slot;
  }

  size_t off = x->range.off;
  *offset = off;
  size = x->range.size < want ? x->range.size : want;
  *len = size;
  a->free_size -= size;
  if (x->range.size == size) {
    join(slot, x->child[LEFT], x->child[RIGHT]);
    gomem__pool_put(&t->nodes, x);
    a->free_blocks--;
    fix_path(t, path, depth, off);
    a->hot = hot_block(t);
    return GOMEM_OK;
  }
  size_t old = x->range.size;
  x->range.off += size;
  x->range.size -= size;
  /* Ancestors only see a difference if this block was its subtree's
   * maximum. */
  if (depth > 0 && old > x->sub[LEFT] && old > x->sub[RIGHT])
    fix_path(t, path, depth, x->range.off);
  return GOMEM_OK;
}

static int treap_alloc(struct gomem_allocator *a, size_t size, size_t *offset)
{
  size_t len;

  return treap_alloc_upto(a, size, size, offset, &len);
}

/* Give block x the range [off, off + size), over the allocated units next
 * to it, so it keeps its place. x lies on the search path of key, which
 * free remembered in path[0 .. depth): raising the maxima above x from
 * there, rather than by a second walk down the tree, needs no load that
 * waits for the one before. */
static void grow(struct treap *t, struct node *const *path, size_t depth, struct node *x,
                 size_t key, size_t off, size_t size)
{
  if (depth > PATH_CAP) {
    raise_until(&t->root, key, x, x, size);
  } else {
    for (struct node *const *p = path; *p != x; p++)
      raise_to(&(*p)->sub[side(*p, key)], size);
  }
  x->range.off = off;
  x->range.size = size;
}

/* Free the units between two free blocks. The two are neighbours in offset
 * order, so one is the other's ancestor and the search path of key (the
 * freed offset) passes both. Keep the lower one, grown over all three
 * ranges, and join the upper one's subtrees in its place. */
static void merge_both(struct treap *t, struct node *left, struct node *right, size_t key,
                       size_t size)
{
  size_t merged = left->range.size + size + right->range.size;
  struct node **up = raise_until(&t->root, key, left, right, merged);
  struct node *upper = *up;
  struct node *lower = upper == left ? right : left;

  raise_until(up, key, lower, lower, merged);
  lower->range.off = left->range.off;
  lower->range.size = merged;
  join(up, upper->child[LEFT], upper->child[RIGHT]);
  gomem__pool_put(&t->nodes, upper);
  t->base.free_blocks--;
}

/* A new block [off, off + size) with no free neighbour. The node comes
 * first so that running out of memory changes nothing. It goes below every
 * node of higher priority on its search path and takes the rest of that
 * subtree as its children. */
static int insert(struct treap *t, size_t off, size_t size)
{
  struct node *n = new_node(t, off, size);

  if (!n)
    return GOMEM_ERR_NOMEM;
  struct node **slot = &t->root;
  while (*slot && (*slot)->prio > n->prio) {
    struct node *x = *slot;
    int s = side(x, off);
    raise_to(&x->sub[s], size);
    slot = &x->child[s];
  }
  split(*slot, off, &n->child[LEFT], &n->child[RIGHT]);
  update(n);
  *slot = n;
  t->base.free_blocks++;
  return GOMEM_OK;
}

static int treap_free(struct gomem_allocator *a, size_t offset, size_t size)
{
  struct treap *t = treap_of(a);
  size_t end = offset + size;
  struct node *below = NULL; /* the last block starting at or before offset */
  struct node *above = NULL; /* the first block starting after offset */
  struct node *path[PATH_CAP];
  size_t depth = 0;

  for (struct node *x = t->root; x;) {
    int s = x->range.off <= offset;
    if (depth < PATH_CAP)
      path[depth] = x;
    depth++;
    below = s ? x : below;
    above = s ? above : x;
    x = x->child[s];
  }
  /* A free unit in [offset, end) would be in the block below, or the
   * block above would start before end. */
  if ((below && below->range.off + below->range.size > offset) || (above && above->range.off < end))
    return GOMEM_ERR_INVALID;

  bool left = below && below->range.off + below->range.size == offset;
  bool right = above && above->range.off == end;

  if (left && right)
    merge_both(t, below, above, offset, size);
  else if (left)
    grow(t, path, depth, below, offset, below->range.off, below->range.size + size);
  else if (right)
    grow(t, path, depth, above, offset, offset, above->range.size + size);
  else if (insert(t, offset, size) != GOMEM_OK)
    return GOMEM_ERR_NOMEM;
  a->free_size += size;
  a->hot = hot_block(t);
  return GOMEM_OK;
}

/* The slot that points at the block that contains offset off (there is
 * one): the last block starting at or below off. */
static struct node **slot_of_containing(struct treap *t, size_t off)
{
  struct node **slot = &t->root, **found = NULL;

  while (*slot) {
    struct node *x = *slot;
    if (x->range.off <= off)
      found = slot;
    if (x->range.off == off)
      break;
    slot = &x->child[x->range.off < off];
  }
  return found;
}

/* Take [offset, offset + size) from inside the block x it lies in. The
 * upper rest is inserted first, so running out of memory changes nothing;
 * a rest may overlap x for a moment, which the offset order allows as
 * x starts lower. */
static int treap_take_at(struct gomem_allocator *a, size_t offset, size_t size)
{
  struct treap *t = treap_of(a);
  struct node **slot = slot_of_containing(t, offset);
  struct node *x = *slot;
  size_t start = x->range.off, end = start + x->range.size, cut = offset + size;

  if (start < offset && cut < end && insert(t, cut, end - cut) != GOMEM_OK)
    return GOMEM_ERR_NOMEM;
  if (start < offset) {
    x->range.size = offset - start;
  } else if (cut < end) {
    x->range.off = cut;
    x->range.size = end - cut;
  } else {
    /* insert did not run, so slot still points at x. */
    join(slot, x->child[LEFT], x->child[RIGHT]);
    gomem__pool_put(&t->nodes, x);
    a->free_blocks--;
  }
  refresh_path(t->root, start < offset || cut == end ? start : cut);
  a->free_size -= size;
  a->hot = hot_block(t);
  return GOMEM_OK;
}

/* Hand every node of the tree to the pool, without recursion: rotate left
 * children up until the top has none, then release it. */
static void release_all(struct treap *t)
{
  struct node *x = t->root;

  while (x) {
    struct node *l = x->child[LEFT];
    if (l) {
      x->child[LEFT] = l->child[RIGHT];
      l->child[RIGHT] = x;
      x = l;
    } else {
      struct node *r = x->child[RIGHT];
      gomem__pool_put(&t->nodes, x);
      x = r;
    }
  }
  t->root = NULL;
}

static void treap_reset(struct gomem_allocator *a)
{
  struct treap *t = treap_of(a);

  release_all(t);
  /* Nodes only return to malloc at destroy and create made one, so the
   * pool's free list is not empty here and this cannot fail. */
  t->root = new_node(t, 0, a->size);
  a->free_blocks = 1;
  a->hot = hot_block(t);
}

/* In-order walk: a loop down the right spine, recursion only for left
 * children. */
static int walk(const struct node *x, gomem__free_fn fn, void *ctx)
{
  for (; x; x = x->child[RIGHT]) {
    int rc = walk(x->child[LEFT], fn, ctx);
    if (rc)
      return rc;
    rc = fn(x->range.off, x->range.size, ctx);
    if (rc)
      return rc;
  }
  return 0;
}

static int treap_foreach_free(const struct gomem_allocator *a, gomem__free_fn fn, void *ctx)
{
  return walk(treap_of_const(a)->root, fn, ctx);
}

struct check_walk {
  size_t limit;    /* base.size */
  size_t blocks;   /* nodes seen */
  size_t prev_end; /* end of the previous block in offset order */
  size_t depth;    /* deepest level seen, the root is 1 */
};

/* Check the subtree at x, level deep under a parent of priority prio, and
 * store its true maximum in *max. -1 at the first violation. */
static int check_node(const struct node *x, uint32_t prio, size_t level, struct check_walk *w,
                      size_t *max)
{
  size_t lmax, rmax;

  *max = 0;
  if (!x)
    return 0;
  if (level > w->depth)
    w->depth = level;
  if (x->prio > prio)
    return -1;
  if (check_node(x->child[LEFT], x->prio, level + 1, w, &lmax) != 0)
    return -1;
  /* Offsets strictly increase in order and blocks neither overlap nor
   * touch (touching blocks should have merged). */
  if (x->range.size == 0 || x->range.off > w->limit || x->range.size > w->limit - x->range.off)
    return -1;
  if (w->blocks > 0 && x->range.off <= w->prev_end)
    return -1;
  w->prev_end = x->range.off + x->range.size;
  w->blocks++;
  if (check_node(x->child[RIGHT], x->prio, level + 1, w, &rmax) != 0)
    return -1;
  if (x->sub[LEFT] != lmax || x->sub[RIGHT] != rmax)
    return -1;
  *max = max3(x->range.size, lmax, rmax);
  return 0;
}

static int treap_check(const struct gomem_allocator *a, size_t *depth)
{
  struct check_walk w = { .limit = a->size };
  size_t max;
  int rc = check_node(treap_of_const(a)->root, UINT32_MAX, 1, &w, &max);

  *depth = w.depth;
  if (rc != 0 || w.blocks != a->free_blocks || a->hot != hot_block(treap_of_const(a)))
    return -1;
  return 0;
}

const struct gomem_tree_ops gomem__treap_ops = {
  .name = "treap",
  .strategy = GOMEM_STRATEGY_TREAP,
  .create = treap_create,
  .destroy = treap_destroy,
  .alloc = treap_alloc,
  .alloc_upto = treap_alloc_upto,
  .find = treap_find,
  .free = treap_free,
  .reset = treap_reset,
  .foreach_free = treap_foreach_free,
  .check = treap_check,
  .take_at = treap_take_at,
};
