/* SPDX-License-Identifier: MIT */
/* The system-block index of the scalable allocator: see blocks.h. */
#include "blocks.h"
#include "prio.h"

#include <stdbool.h>

enum { LEFT = 0, RIGHT = 1 };

void gomem__blocks_init(struct gomem__blocks *b)
{
  b->root = NULL;
  gomem__pool_init(&b->nodes, sizeof(struct gomem__block));
  /* Any non-zero seed: the shape only needs priorities that do not follow
   * the order of addresses. */
  b->rng = 0x9E3779B9u;
}

static void release_tree(struct gomem__block *x)
{
  while (x) {
    struct gomem__block *right = x->child[RIGHT];
    release_tree(x->child[LEFT]);
    gomem_allocator_destroy(x->parts);
    gomem__region_release(&x->region);
    x = right;
  }
}

void gomem__blocks_fini(struct gomem__blocks *b)
{
  release_tree(b->root);
  b->root = NULL;
  gomem__pool_fini(&b->nodes);
}

struct gomem__block *gomem__blocks_get(struct gomem__blocks *b)
{
  struct gomem__block *x = gomem__pool_get(&b->nodes);

  if (x) {
    x->parts = NULL;
    x->child[LEFT] = x->child[RIGHT] = NULL;
    x->prio = gomem__next_prio(&b->rng);
  }
  return x;
}

void gomem__blocks_put(struct gomem__blocks *b, struct gomem__block *x)
{
  gomem__pool_put(&b->nodes, x);
}

/* Split the subtree x around address key: blocks below it to *lo, the
 * others to *hi. */
static void split(struct gomem__block *x, uintptr_t key, struct gomem__block **lo,
                  struct gomem__block **hi)
{
  while (x) {
    if (x->base < key) {
      *lo = x;
      lo = &x->child[RIGHT];
      x = x->child[RIGHT];
    } else {
      *hi = x;
      hi = &x->child[LEFT];
      x = x->child[LEFT];
    }
  }
  *lo = *hi = NULL;
}

void gomem__blocks_insert(struct gomem__blocks *b, struct gomem__block *x)
{
  struct gomem__block **slot = &b->root;

  /* Go down while the nodes outrank x, then put x there and split what
   * was below around it. */
  while (*slot && (*slot)->prio > x->prio)
    slot = &(*slot)->child[(*slot)->base < x->base ? RIGHT : LEFT];
  split(*slot, x->base, &x->child[LEFT], &x->child[RIGHT]);
  *slot = x;
}

/* Join two subtrees, every address in a below every address in c. */
static struct gomem__block *join(struct gomem__block *a, struct gomem__block *c)
{
  struct gomem__block *root = NULL, **slot = &root;

  while (a && c) {
    if (a->prio > c->prio) {
      *slot = a;
      slot = &a->child[RIGHT];
      a = a->child[RIGHT];
    } else {
      *slot = c;
      slot = &c->child[LEFT];
      c = c->child[LEFT];
    }
  }
  *slot = a ? a : c;
  return root;
}

void gomem__blocks_remove(struct gomem__blocks *b, struct gomem__block *x)
{
  struct gomem__block **slot = &b->root;

  while (*slot != x)
    slot = &(*slot)->child[(*slot)->base < x->base ? RIGHT : LEFT];
  *slot = join(x->child[LEFT], x->child[RIGHT]);
}

struct gomem__block *gomem__blocks_find(struct gomem__blocks *b, uintptr_t p)
{
  struct gomem__block *best = NULL;

  /* The last block starting at or below p is the only candidate. */
  for (struct gomem__block *x = b->root; x;) {
    if (x->base <= p) {
      best = x;
      x = x->child[RIGHT];
    } else {
      x = x->child[LEFT];
    }
  }
  return best && p - best->base < best->size ? best : NULL;
}

static void foreach_in(const struct gomem__block *x,
                       void (*fn)(const struct gomem__block *x, void *ctx), void *ctx)
{
  for (; x; x = x->child[RIGHT]) {
    foreach_in(x->child[LEFT], fn, ctx);
    fn(x, ctx);
  }
}

void gomem__blocks_foreach(const struct gomem__blocks *b,
                           void (*fn)(const struct gomem__block *x, void *ctx), void *ctx)
{
  foreach_in(b->root, fn, ctx);
}
