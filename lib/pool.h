/* SPDX-License-Identifier: MIT */
/*
 * A pool of fixed-size nodes for the strategy backends' trees.
 *
 * Nodes are carved from slabs that double in size as the pool grows and are
 * only released when the pool is finished, so a steady state of alloc/free
 * calls never reaches malloc. Freed nodes go on an intrusive free list.
 */
#ifndef GOMEM_POOL_H
#define GOMEM_POOL_H

#include <stddef.h>

struct gomem__slab;

struct gomem__pool {
  size_t node_size;          /* bytes per node, at least sizeof(void *) */
  void *free_list;           /* singly linked through each node's first word */
  struct gomem__slab *slabs; /* every slab, to release them at the end */
  size_t next_slab_nodes;    /* nodes in the next slab (doubles, capped) */
};

void gomem__pool_init(struct gomem__pool *p, size_t node_size);
void gomem__pool_fini(struct gomem__pool *p);

/* Adds a slab to the free list. 0, or -1 when malloc failed. */
int gomem__pool_grow(struct gomem__pool *p);

/* A node, or NULL when memory is exhausted (the pool is unchanged then). */
static inline void *gomem__pool_get(struct gomem__pool *p)
{
  if (!p->free_list && gomem__pool_grow(p) != 0)
    return NULL;
  void *node = p->free_list;
  p->free_list = *(void **)node;
  return node;
}

static inline void gomem__pool_put(struct gomem__pool *p, void *node)
{
  *(void **)node = p->free_list;
  p->free_list = node;
}

#endif
