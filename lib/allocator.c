/* SPDX-License-Identifier: MIT */
/*
 * The range allocator's front end: argument checks, free-size accounting,
 * and dispatch to the strategy table chosen at creation.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>

#include "allocator-internal.h"
#include "gomem/allocator.h"
#include "strategy/strategy.h"

/* Indexed by gomem_strategy; NULL where a strategy is not built. */
static const struct gomem_tree_ops *const strategy_table[] = {
  [GOMEM_STRATEGY_DEFAULT] = NULL,
#if GOMEM_HAVE_TREAP
  [GOMEM_STRATEGY_TREAP] = &gomem__treap_ops,
#endif
#if GOMEM_HAVE_AVL
  [GOMEM_STRATEGY_AVL] = &gomem__avl_ops,
#endif
#if GOMEM_HAVE_TLSF
  [GOMEM_STRATEGY_TLSF] = &gomem__tlsf_ops,
#else
  /* Keeps the table one entry per strategy. */
  [GOMEM_STRATEGY_TLSF] = NULL,
#endif
};

_Static_assert(GOMEM_STRATEGY_DEFAULT == 0 && GOMEM_STRATEGY_TREAP == 1 &&
                 GOMEM_STRATEGY_AVL == 2 && GOMEM_STRATEGY_TLSF == 3,
               "gomem_strategy values are ABI and index strategy_table");
_Static_assert(sizeof(strategy_table) / sizeof(strategy_table[0]) == GOMEM_STRATEGY_TLSF + 1,
               "strategy_table has one entry per strategy");

static bool strategy_valid(gomem_strategy s)
{
  return (unsigned)s <= GOMEM_STRATEGY_TLSF;
}

gomem_strategy gomem_strategy_default(void)
{
  return GOMEM_DEFAULT_TREE;
}

static const struct gomem_tree_ops *strategy_ops(gomem_strategy s)
{
  if (s == GOMEM_STRATEGY_DEFAULT)
    s = GOMEM_DEFAULT_TREE;
  return strategy_table[s];
}

bool gomem_strategy_available(gomem_strategy s)
{
  return strategy_valid(s) && strategy_ops(s) != NULL;
}

bool gomem_tree_available(gomem_strategy s)
{
  return gomem_strategy_available(s);
}

const char *gomem_strategy_name(gomem_strategy s)
{
  static const char *const names[] = { "default", "treap", "avl", "tlsf" };

  if (!strategy_valid(s))
    return NULL;
  if (s == GOMEM_STRATEGY_DEFAULT)
    s = GOMEM_DEFAULT_TREE;
  return names[s];
}

int gomem_allocator_create(size_t size, gomem_strategy s, gomem_allocator **out)
{
  if (!out || size == 0 || !strategy_valid(s))
    return GOMEM_ERR_INVALID;
  const struct gomem_tree_ops *ops = strategy_ops(s);
  if (!ops)
    return GOMEM_ERR_UNSUPPORTED;
  gomem_allocator *a = ops->create(size);
  if (!a)
    return GOMEM_ERR_NOMEM;
  a->ops = ops;
  a->free_size = size;
  *out = a;
  return GOMEM_OK;
}

gomem_allocator *gomem_allocator_new(size_t size, gomem_strategy s)
{
  gomem_allocator *a = NULL;

  switch (gomem_allocator_create(size, s, &a)) {
  case GOMEM_OK:
    return a;
  case GOMEM_ERR_UNSUPPORTED:
    errno = ENOTSUP;
    return NULL;
  case GOMEM_ERR_NOMEM:
    errno = ENOMEM;
    return NULL;
  default:
    errno = EINVAL;
    return NULL;
  }
}

void gomem_allocator_destroy(gomem_allocator *a)
{
  if (a)
    a->ops->destroy(a);
}

int gomem__allocator_take_slow(gomem_allocator *a, size_t size, size_t *offset)
{
  /* Cheap early answer, and it keeps the backends' search from running
   * when the allocator is full. */
  if (size > a->free_size)
    return GOMEM_ERR_NOMEM;
  return a->ops->alloc(a, size, offset);
}

int gomem__allocator_give_slow(gomem_allocator *a, size_t offset, size_t size)
{
  /* More than is allocated cannot all be allocated. */
  if (size > a->size - a->free_size)
    return GOMEM_ERR_INVALID;
  return a->ops->free(a, offset, size);
}

int gomem_allocator_alloc(gomem_allocator *a, size_t size, size_t *offset)
{
  if (!a || !offset || size == 0)
    return GOMEM_ERR_INVALID;
  return gomem__allocator_take(a, size, offset);
}

int gomem_allocator_find(const gomem_allocator *a, size_t size, size_t *offset)
{
  if (!a || !offset || size == 0)
    return GOMEM_ERR_INVALID;
  return gomem__allocator_peek(a, size, offset);
}

int gomem_allocator_free(gomem_allocator *a, size_t offset, size_t size)
{
  /* Written so that offset + size cannot overflow. */
  if (!a || size == 0 || offset >= a->size || size > a->size - offset)
    return GOMEM_ERR_INVALID;
  return gomem__allocator_give(a, offset, size);
}

size_t gomem_allocator_size(const gomem_allocator *a)
{
  return a ? a->size : 0;
}

size_t gomem_allocator_free_size(const gomem_allocator *a)
{
  return a ? a->free_size : 0;
}

size_t gomem_allocator_free_blocks(const gomem_allocator *a)
{
  return a ? a->free_blocks : 0;
}

void gomem_allocator_reset(gomem_allocator *a)
{
  if (!a)
    return;
  a->ops->reset(a);
  a->free_size = a->size;
}

int gomem_allocator_init(gomem_allocator *a, size_t size)
{
  if (!a || size == 0)
    return GOMEM_ERR_INVALID;
  a->size = size;
  gomem_allocator_reset(a);
  return GOMEM_OK;
}

int gomem_allocator_foreach_free(const gomem_allocator *a, gomem__free_fn fn, void *ctx)
{
  if (!a || !fn)
    return GOMEM_ERR_INVALID;
  return a->ops->foreach_free(a, fn, ctx);
}

gomem_strategy gomem_allocator_strategy(const gomem_allocator *a)
{
  return a ? a->ops->strategy : GOMEM_STRATEGY_DEFAULT;
}

struct check_walk {
  size_t sum, blocks, end;
  struct gomem__range first;
  bool ordered;
};

static int check_block(size_t offset, size_t size, void *ctx)
{
  struct check_walk *w = ctx;

  /* Blocks must come in order, be non-empty and never touch: touching
   * blocks should have been merged. */
  if (size == 0 || (w->blocks > 0 && offset <= w->end))
    w->ordered = false;
  if (w->blocks == 0)
    w->first = (struct gomem__range){ offset, size };
  w->sum += size;
  w->blocks++;
  w->end = offset + size;
  return 0;
}

int gomem__allocator_check(const gomem_allocator *a, size_t *depth)
{
  struct check_walk w = { .ordered = true };

  if (a->ops->check(a, depth) != 0)
    return -1;
  a->ops->foreach_free(a, check_block, &w);
  if (!w.ordered || w.end > a->size)
    return -1;
  /* The fast block must be the lowest free block (strategy.h). */
  if (a->hot && (w.blocks == 0 || a->hot->off != w.first.off || a->hot->size != w.first.size))
    return -1;
  return w.sum == a->free_size && w.blocks == a->free_blocks ? 0 : -1;
}
