/* SPDX-License-Identifier: MIT */
/*
 * The avl strategy (Go's `twotree` build): every free block is one node that
 * sits in two AVL trees at once, one ordered by (size, offset) for best-fit
 * allocation and one ordered by offset for freeing and merging.
 *
 * alloc(n) takes the smallest block of at least n units, the lowest offset
 * among equal sizes, and carves from its start. Carving from the start or
 * growing a block into a free neighbour never changes its rank among the
 * other blocks by offset, so only the size tree is ever re-keyed, and only
 * when the new size actually passes a neighbour in size order.
 *
 * The tree code is iterative, with parent pointers; the balancing knows
 * nothing about keys, so both trees share it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "gomem/common.h"
#include "pool.h"
#include "strategy.h"

enum { LEFT, RIGHT };

struct avl_link {
  struct avl_link *child[2]; /* [LEFT], [RIGHT] */
  struct avl_link *parent;
  int height; /* of the subtree rooted here; a leaf has 1 */
};

/* The keys sit between the links so that a descent of either tree reads
 * one contiguous 48 bytes of each node. */
struct block {
  struct avl_link by_size;
  struct gomem__range range;
  struct avl_link by_offset;
};

struct avl_allocator {
  struct gomem_allocator base;
  struct avl_link *size_root;
  struct avl_link *offset_root;
  struct gomem__pool nodes;
};

static struct avl_allocator *avl_of(struct gomem_allocator *a)
{
  return (struct avl_allocator *)a;
}

static const struct avl_allocator *avl_of_const(const struct gomem_allocator *a)
{
  return (const struct avl_allocator *)a;
}

static struct block *block_of_size(const struct avl_link *l)
{
  return (struct block *)((char *)l - offsetof(struct block, by_size));
}

static struct block *block_of_offset(const struct avl_link *l)
{
  return (struct block *)((char *)l - offsetof(struct block, by_offset));
}

/* ---- Balancing, shared by both trees ------------------------------------ */

static int link_height(const struct avl_link *l)
{
  return l ? l->height : 0;
}

static int max_int(int x, int y)
{
  return x > y ? x : y;
}

static void update_height(struct avl_link *l)
{
  l->height = 1 + max_int(link_height(l->child[LEFT]), link_height(l->child[RIGHT]));
}

/* Make the slot that pointed to old (parent's child, or the root) point to
 * new. */
static void replace_child(struct avl_link **root, struct avl_link *parent, struct avl_link *old,
                          struct avl_link *new)
{
  if (!parent)
    *root = new;
  else
    parent->child[parent->child[RIGHT] == old] = new;
}

/* Lift x's child on the given side into x's place, x going down the other
 * side. Returns the lifted node. */
static struct avl_link *rotate(struct avl_link **root, struct avl_link *x, int side)
{
  struct avl_link *y = x->child[side];
  struct avl_link *inner = y->child[!side];

  x->child[side] = inner;
  if (inner)
    inner->parent = x;
  y->parent = x->parent;
  replace_child(root, x->parent, x, y);
  y->child[!side] = x;
  x->parent = y;
  update_height(x);
  update_height(y);
  return y;
}

/* Restore balance and height at n, whose children are AVL trees whose
 * heights differ by at most 2. Returns the subtree's new root. */
static struct avl_link *balance_at(struct avl_link **root, struct avl_link *n)
{
  int diff = link_height(n->child[LEFT]) - link_height(n->child[RIGHT]);

  if (diff >= -1 && diff <= 1) {
    update_height(n);
    return n;
  }
  int tall = diff > 1 ? LEFT : RIGHT;
  struct avl_link *c = n->child[tall];
  /* A zig-zag becomes a straight line first. */
  if (link_height(c->child[!tall]) > link_height(c->child[tall]))
    rotate(root, c, !tall);
  return rotate(root, n, tall);
}

/* Walk up from n after a subtree below it changed height. Stops as soon as
 * a subtree keeps its old height: nothing above it can change then. */
static void rebalance_up(struct avl_link **root, struct avl_link *n)
{
  while (n) {
    int old = n->height;
    struct avl_link *top = balance_at(root, n);

    if (top->height == old)
      return;
    n = top->parent;
  }
}

/* Hang a new leaf n in *slot, a child slot of parent (NULL parent: the
 * root). */
static void link_leaf(struct avl_link **root, struct avl_link *parent, struct avl_link **slot,
                      struct avl_link *n)
{
  n->child[LEFT] = n->child[RIGHT] = NULL;
  n->parent = parent;
  n->height = 1;
  *slot = n;
  rebalance_up(root, parent);
}

/* The last node reached from l by always going to the given side. */
static struct avl_link *outermost(struct avl_link *l, int side)
{
  while (l->child[side])
    l = l->child[side];
  return l;
}

static void unlink_node(struct avl_link **root, struct avl_link *z)
{
  struct avl_link *parent = z->parent;
  struct avl_link *left = z->child[LEFT], *right = z->child[RIGHT];

  if (!left || !right) {
    struct avl_link *child = left ? left : right;

    if (child)
      child->parent = parent;
    replace_child(root, parent, z, child);
    rebalance_up(root, parent);
    return;
  }
  /* Two children: z's in-order successor s takes z's place. */
  struct avl_link *s = outermost(right, LEFT);
  struct avl_link *fix = s;

  if (s->parent != z) {
    fix = s->parent;
    fix->child[LEFT] = s->child[RIGHT];
    if (s->child[RIGHT])
      s->child[RIGHT]->parent = fix;
    s->child[RIGHT] = right;
    right->parent = s;
  }
  s->child[LEFT] = left;
  left->parent = s;
  s->parent = parent;
  s->height = z->height;
  replace_child(root, parent, z, s);
  rebalance_up(root, fix);
}

/* The in-order neighbour of l on the given side (RIGHT: the next node). */
static struct avl_link *step(const struct avl_link *l, int side)
{
  if (l->child[side])
    return outermost(l->child[side], !side);
  while (l->parent && l->parent->child[side] == l)
    l = l->parent;
  return l->parent;
}

/* ---- The size tree, keyed by (size, start) ------------------------------ */

static bool size_less(const struct block *x, const struct block *y)
{
  return x->range.size != y->range.size ? x->range.size < y->range.size : x->range.off < y->range.off;
}

static void size_insert(struct avl_allocator *t, struct block *b)
{
  struct avl_link *parent = NULL;
  struct avl_link **slot = &t->size_root;

  while (*slot) {
    parent = *slot;
    slot = &parent->child[!size_less(b, block_of_size(parent))];
  }
  link_leaf(&t->size_root, parent, slot, &b->by_size);
}

/* b's size just shrank: move it only if it now ranks below its predecessor. */
static void size_shrunk(struct avl_allocator *t, struct block *b)
{
  struct avl_link *p = step(&b->by_size, LEFT);

  if (!p || size_less(block_of_size(p), b))
    return;
  unlink_node(&t->size_root, &b->by_size);
  size_insert(t, b);
}

/* b's size just grew: move it only if it now ranks above its successor. */
static void size_grew(struct avl_allocator *t, struct block *b)
{
  struct avl_link *n = step(&b->by_size, RIGHT);

  if (!n || size_less(b, block_of_size(n)))
    return;
  unlink_node(&t->size_root, &b->by_size);
  size_insert(t, b);
}

/* The smallest block of at least size units, lowest offset among equals. */
static struct block *best_fit(const struct avl_allocator *t, size_t size)
{
  struct avl_link *l = t->size_root;
  struct block *best = NULL;

  while (l) {
    struct block *b = block_of_size(l);

    if (b->range.size >= size) {
      best = b;
      l = l->child[LEFT];
    } else {
      l = l->child[RIGHT];
    }
  }
  return best;
}

/* ---- The offset tree, keyed by start ------------------------------------ */

static void offset_insert(struct avl_allocator *t, struct block *b)
{
  struct avl_link *parent = NULL;
  struct avl_link **slot = &t->offset_root;

  while (*slot) {
    parent = *slot;
    slot = &parent->child[b->range.off >= block_of_offset(parent)->range.off];
  }
  link_leaf(&t->offset_root, parent, slot, &b->by_offset);
}

/* The blocks around the range [start, end): *below, the one with the
 * greatest start < end, and *above, the one with the least start >= end. */
static void offset_around(const struct avl_allocator *t, size_t end, struct block **below,
                          struct block **above)
{
  struct avl_link *l = t->offset_root;

  *below = *above = NULL;
  while (l) {
    struct block *b = block_of_offset(l);

    if (b->range.off < end) {
      *below = b;
      l = l->child[RIGHT];
    } else {
      *above = b;
      l = l->child[LEFT];
    }
  }
}

/* ---- Blocks ------------------------------------------------------------- */

/* The front end's fast block (strategy.h): the only block. Carving or
 * growing it moves it past no other block in either tree. */
static struct gomem__range *hot_block(const struct avl_allocator *t)
{
  return t->base.free_blocks == 1 ? &block_of_offset(t->offset_root)->range : NULL;
}

static void block_remove(struct avl_allocator *t, struct block *b)
{
  unlink_node(&t->size_root, &b->by_size);
  unlink_node(&t->offset_root, &b->by_offset);
  gomem__pool_put(&t->nodes, b);
  t->base.free_blocks--;
  t->base.hot = hot_block(t);
}

static void block_add(struct avl_allocator *t, struct block *b, size_t start, size_t size)
{
  b->range.off = start;
  b->range.size = size;
  size_insert(t, b);
  offset_insert(t, b);
  t->base.free_blocks++;
  t->base.hot = hot_block(t);
}

/* ---- The strategy table ------------------------------------------------- */

static struct gomem_allocator *avl_create(size_t size)
{
  struct avl_allocator *t = malloc(sizeof(*t));

  if (!t)
    return NULL;
  gomem__pool_init(&t->nodes, sizeof(struct block));
  struct block *b = gomem__pool_get(&t->nodes);
  if (!b) {
    gomem__pool_fini(&t->nodes);
    free(t);
    return NULL;
  }
  t->size_root = t->offset_root = NULL;
  t->base.size = size;
  t->base.free_blocks = 0;
  t->base.hot_floor = 0; /* hot is always the only block */
  block_add(t, b, 0, size);
  return &t->base;
}

static void avl_destroy(struct gomem_allocator *a)
{
  struct avl_allocator *t = avl_of(a);

  gomem__pool_fini(&t->nodes);
  free(t);
}

static int avl_find(const struct gomem_allocator *a, size_t size, size_t *offset)
{
  const struct block *b = best_fit(avl_of_const(a), size);

  if (!b)
    return GOMEM_ERR_NOMEM;
  *offset = b->range.off;
  return GOMEM_OK;
}

static int avl_alloc_upto(struct gomem_allocator *a, size_t size, size_t want, size_t *offset,
                          size_t *len)
{
  struct avl_allocator *t = avl_of(a);
  struct block *b = best_fit(t, size);

  if (!b)
    return GOMEM_ERR_NOMEM;
  *offset = b->range.off;
  size = b->range.size < want ? b->range.size : want;
  *len = size;
  a->free_size -= size;
  if (b->range.size == size) {
    block_remove(t, b);
    return GOMEM_OK;
  }
  /* The block keeps its place by offset: it only moves its start up into
   * space that was its own. */
  b->range.off += size;
  b->range.size -= size;
  size_shrunk(t, b);
  return GOMEM_OK;
}

static int avl_alloc(struct gomem_allocator *a, size_t size, size_t *offset)
{
  size_t len;

  return avl_alloc_upto(a, size, size, offset, &len);
}

static int avl_free(struct gomem_allocator *a, size_t offset, size_t size)
{
  struct avl_allocator *t = avl_of(a);
  size_t end = offset + size;
  struct block *left, *right;

  offset_around(t, end, &left, &right);
  /* left is the last block starting before end; blocks before it end
   * before it starts, so it alone can overlap the range or touch it from
   * below. */
  if (left && left->range.off + left->range.size > offset)
    return GOMEM_ERR_INVALID;
  if (left && left->range.off + left->range.size != offset)
    left = NULL;
  if (right && right->range.off != end)
    right = NULL;

  if (left && right) {
    left->range.size += size + right->range.size;
    block_remove(t, right);
    size_grew(t, left);
  } else if (left) {
    left->range.size += size;
    size_grew(t, left);
  } else if (right) {
    /* Still after its predecessor by offset: that one ends before offset. */
    right->range.off = offset;
    right->range.size += size;
    size_grew(t, right);
  } else {
    struct block *b = gomem__pool_get(&t->nodes);

    if (!b)
      return GOMEM_ERR_NOMEM;
    block_add(t, b, offset, size);
  }
  a->free_size += size;
  return GOMEM_OK;
}

/* Take [offset, offset + size) from inside the block b it lies in. A cut
 * in the middle gets the upper rest's node first, so running out of
 * memory changes nothing. Shrinking b keeps its place by offset. */
static int avl_take_at(struct gomem_allocator *a, size_t offset, size_t size)
{
  struct avl_allocator *t = avl_of(a);
  struct block *b, *above;

  offset_around(t, offset + 1, &b, &above);
  size_t start = b->range.off, end = start + b->range.size, cut = offset + size;
  struct block *rest = start < offset && cut < end ? gomem__pool_get(&t->nodes) : NULL;

  if (start < offset && cut < end && !rest)
    return GOMEM_ERR_NOMEM;
  a->free_size -= size;
  if (start == offset && cut == end) {
    block_remove(t, b);
    return GOMEM_OK;
  }
  b->range.off = start < offset ? start : cut;
  b->range.size = start < offset ? offset - start : end - cut;
  size_shrunk(t, b);
  if (rest)
    block_add(t, rest, cut, end - cut);
  return GOMEM_OK;
}

/* Give every node of the offset tree back to the pool. Flattens left
 * spines by rotation, so it needs neither parent links nor a stack. */
static void put_all(struct avl_allocator *t)
{
  struct avl_link *l = t->offset_root;

  while (l) {
    struct avl_link *left = l->child[LEFT];

    if (left) {
      l->child[LEFT] = left->child[RIGHT];
      left->child[RIGHT] = l;
      l = left;
      continue;
    }
    struct avl_link *right = l->child[RIGHT];
    gomem__pool_put(&t->nodes, block_of_offset(l));
    l = right;
  }
  t->size_root = t->offset_root = NULL;
  t->base.free_blocks = 0;
  t->base.hot = NULL;
}

static void avl_reset(struct gomem_allocator *a)
{
  struct avl_allocator *t = avl_of(a);

  put_all(t);
  /* create() took a node and nodes only go back to the pool's free list,
   * so this get never needs malloc and cannot fail. */
  block_add(t, gomem__pool_get(&t->nodes), 0, a->size);
}

static int avl_foreach_free(const struct gomem_allocator *a, gomem__free_fn fn, void *ctx)
{
  const struct avl_allocator *t = avl_of_const(a);

  if (!t->offset_root)
    return 0;
  for (const struct avl_link *l = outermost(t->offset_root, LEFT); l; l = step(l, RIGHT)) {
    const struct block *b = block_of_offset(l);
    int rc = fn(b->range.off, b->range.size, ctx);

    if (rc != 0)
      return rc;
  }
  return 0;
}

/* ---- check() ------------------------------------------------------------ */

/* No sound AVL tree of size_t-many nodes is this tall; deeper recursion
 * means a cycle. */
#define CHECK_MAX_HEIGHT 100

struct tree_check {
  bool (*less)(const struct block *x, const struct block *y);
  struct block *(*block_of)(const struct avl_link *l);
  const struct block *prev; /* the last block visited in order */
  size_t count;
  size_t limit; /* more nodes than this means a cycle */
};

/* Returns l's height, or -1 when its subtree is unsound. */
static int check_subtree(struct tree_check *c, const struct avl_link *l,
                         const struct avl_link *parent, int level)
{
  if (!l)
    return 0;
  if (level > CHECK_MAX_HEIGHT || l->parent != parent || ++c->count > c->limit)
    return -1;
  int hl = check_subtree(c, l->child[LEFT], l, level + 1);
  if (hl < 0)
    return -1;
  const struct block *b = c->block_of(l);
  if (c->prev && !c->less(c->prev, b))
    return -1;
  c->prev = b;
  int hr = check_subtree(c, l->child[RIGHT], l, level + 1);
  if (hr < 0 || hl - hr > 1 || hr - hl > 1)
    return -1;
  if (l->height != 1 + max_int(hl, hr))
    return -1;
  return l->height;
}

static bool offset_less(const struct block *x, const struct block *y)
{
  return x->range.off < y->range.off;
}

static int check_tree(const struct avl_link *root, struct tree_check *c)
{
  c->prev = NULL;
  c->count = 0;
  return check_subtree(c, root, NULL, 0);
}

/* Every block of the size tree must be the very node the offset tree has
 * at its start; with equal counts the two trees then hold the same set. */
static bool same_blocks(const struct avl_allocator *t)
{
  if (!t->size_root)
    return true;
  for (const struct avl_link *l = outermost(t->size_root, LEFT); l; l = step(l, RIGHT)) {
    const struct block *b = block_of_size(l);
    struct block *below, *above;

    offset_around(t, b->range.off + 1, &below, &above);
    if (below != b)
      return false;
  }
  return true;
}

/* Blocks in offset order must be non-empty, inside the range, and apart. */
static bool blocks_apart(const struct avl_allocator *t)
{
  size_t prev_end = 0;
  bool first = true;

  if (!t->offset_root)
    return true;
  for (const struct avl_link *l = outermost(t->offset_root, LEFT); l; l = step(l, RIGHT)) {
    const struct block *b = block_of_offset(l);

    if (b->range.size == 0 || b->range.off > t->base.size || b->range.size > t->base.size - b->range.off)
      return false;
    if (!first && b->range.off <= prev_end)
      return false;
    prev_end = b->range.off + b->range.size;
    first = false;
  }
  return true;
}

static int avl_check(const struct gomem_allocator *a, size_t *depth)
{
  const struct avl_allocator *t = avl_of_const(a);
  struct tree_check by_size = { size_less, block_of_size, NULL, 0, a->free_blocks };
  struct tree_check by_offset = { offset_less, block_of_offset, NULL, 0, a->free_blocks };
  int hs = check_tree(t->size_root, &by_size);
  int ho = check_tree(t->offset_root, &by_offset);

  *depth = 0;
  if (hs < 0 || ho < 0)
    return -1;
  *depth = (size_t)max_int(hs, ho);
  if (by_size.count != a->free_blocks || by_offset.count != a->free_blocks ||
      a->hot != hot_block(t))
    return -1;
  /* Order was checked, so the walks below terminate. */
  if (!blocks_apart(t) || !same_blocks(t))
    return -1;
  return 0;
}

const struct gomem_tree_ops gomem__avl_ops = {
  .name = "avl",
  .strategy = GOMEM_STRATEGY_AVL,
  .create = avl_create,
  .destroy = avl_destroy,
  .alloc = avl_alloc,
  .alloc_upto = avl_alloc_upto,
  .find = avl_find,
  .free = avl_free,
  .reset = avl_reset,
  .foreach_free = avl_foreach_free,
  .check = avl_check,
  .take_at = avl_take_at,
};
