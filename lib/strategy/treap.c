/* SPDX-License-Identifier: MIT */
/* Placeholder until the treap backend lands: every create fails. */
#include "strategy.h"

static struct gomem_allocator *placeholder_create(size_t size)
{
  (void)size;
  return NULL;
}

const struct gomem_tree_ops gomem__treap_ops = {
  .name = "treap",
  .strategy = GOMEM_STRATEGY_TREAP,
  .create = placeholder_create,
};
