/* SPDX-License-Identifier: MIT */
/* Placeholder until the avl backend lands: every create fails. */
#include "strategy.h"

static struct gomem_allocator *placeholder_create(size_t size)
{
  (void)size;
  return NULL;
}

const struct gomem_tree_ops gomem__avl_ops = {
  .name = "avl",
  .strategy = GOMEM_STRATEGY_AVL,
  .create = placeholder_create,
};
