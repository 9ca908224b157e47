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

/* ---- aligned allocation ------------------------------------------------------ */

/* The first offset at or above off where (bias + offset) is a multiple of
 * align, a power of two. */
static size_t align_up(size_t off, size_t align, uintptr_t bias)
{
  return off + ((0 - (bias + off)) & (align - 1));
}

struct aligned_walk {
  size_t size, align, found;
  uintptr_t bias;
};

/* Stop at the first block with an aligned fit; 1 says found. */
static int aligned_block(size_t offset, size_t size, void *ctx)
{
  struct aligned_walk *w = ctx;
  size_t at = align_up(offset, w->align, w->bias);

  if (at - offset >= size || size - (at - offset) < w->size)
    return 0;
  w->found = at;
  return 1;
}

/* Where an aligned range of size units goes: in the block alloc(size +
 * align - 1) would choose, which surely holds one, at its first aligned
 * offset; when no block is that large, the lowest aligned offset where
 * size units fit, found by a walk (so the search is complete). */
static int aligned_place(const gomem_allocator *a, size_t size, size_t align, uintptr_t bias,
                         size_t *offset)
{
  size_t start;

  if (size <= SIZE_MAX - (align - 1)
      && gomem__allocator_peek(a, size + align - 1, &start) == GOMEM_OK) {
    *offset = align_up(start, align, bias);
    return GOMEM_OK;
  }
  struct aligned_walk w = {.size = size, .align = align, .bias = bias};
  if (size > a->free_size || a->ops->foreach_free(a, aligned_block, &w) != 1)
    return GOMEM_ERR_NOMEM;
  *offset = w.found;
  return GOMEM_OK;
}

int gomem__allocator_take_aligned(gomem_allocator *a, size_t size, size_t align, uintptr_t bias,
                                  size_t *offset)
{
  size_t at;

  /* Any offset is aligned to 1: the ordinary placement. */
  if (align == 1)
    return gomem__allocator_take(a, size, offset);
  int rc = aligned_place(a, size, align, bias, &at);
  if (rc == GOMEM_OK)
    rc = a->ops->take_at(a, at, size);
  if (rc == GOMEM_OK)
    *offset = at;
  return rc;
}

bool gomem__align_valid(size_t align, size_t limit)
{
  return align != 0 && (align & (align - 1)) == 0 && align <= limit;
}

int gomem_allocator_alloc_aligned(gomem_allocator *a, size_t size, size_t align, size_t *offset)
{
  if (!a || !offset || size == 0 || !gomem__align_valid(align, a->size))
    return GOMEM_ERR_INVALID;
  return gomem__allocator_take_aligned(a, size, align, 0, offset);
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
  const struct gomem__range *hot;
  size_t sum, blocks, end;
  size_t hot_floor; /* one past the end of the block below hot, or 0 */
  bool ordered, hot_seen;
};

static int check_block(size_t offset, size_t size, void *ctx)
{
  struct check_walk *w = ctx;

  /* Blocks must come in order, be non-empty and never touch: touching
   * blocks should have been merged. */
  if (size == 0 || (w->blocks > 0 && offset <= w->end))
    w->ordered = false;
  /* The fast block is a free block, and hot_floor is one past the end of
   * the block below it (strategy.h). */
  if (w->hot && offset == w->hot->off && size == w->hot->size) {
    w->hot_seen = true;
    w->hot_floor = w->blocks > 0 ? w->end + 1 : 0;
  }
  w->sum += size;
  w->blocks++;
  w->end = offset + size;
  return 0;
}

int gomem__allocator_check(const gomem_allocator *a, size_t *depth)
{
  struct check_walk w = { .hot = a->hot, .ordered = true };

  if (a->ops->check(a, depth) != 0)
    return -1;
  a->ops->foreach_free(a, check_block, &w);
  if (!w.ordered || w.end > a->size)
    return -1;
  if (a->hot && (!w.hot_seen || a->hot_floor != w.hot_floor))
    return -1;
  return w.sum == a->free_size && w.blocks == a->free_blocks ? 0 : -1;
}
