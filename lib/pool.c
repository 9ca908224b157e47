/* SPDX-License-Identifier: MIT */
#include "pool.h"

#include <stdlib.h>

/* Slabs start small (an allocator with few blocks stays small) and double up
 * to a cap, so a pool of n nodes makes O(log n) mallocs and wastes at most
 * one slab. */
#define SLAB_FIRST_NODES 16
#define SLAB_MAX_NODES 4096

struct gomem__slab {
  struct gomem__slab *next;
  /* Nodes follow, aligned for any node type. */
  _Alignas(max_align_t) unsigned char nodes[];
};

void gomem__pool_init(struct gomem__pool *p, size_t node_size)
{
  size_t align = _Alignof(max_align_t);

  if (node_size < sizeof(void *))
    node_size = sizeof(void *);
  p->node_size = (node_size + align - 1) / align * align;
  p->free_list = NULL;
  p->slabs = NULL;
  p->next_slab_nodes = SLAB_FIRST_NODES;
}

void gomem__pool_fini(struct gomem__pool *p)
{
  struct gomem__slab *s = p->slabs;

  while (s) {
    struct gomem__slab *next = s->next;
    free(s);
    s = next;
  }
  p->slabs = NULL;
  p->free_list = NULL;
}

int gomem__pool_grow(struct gomem__pool *p)
{
  size_t n = p->next_slab_nodes;
  struct gomem__slab *s = malloc(sizeof(*s) + n * p->node_size);

  if (!s)
    return -1;
  s->next = p->slabs;
  p->slabs = s;
  /* Thread the new nodes so the lowest address is handed out first. */
  for (size_t i = n; i-- > 0;)
    gomem__pool_put(p, s->nodes + i * p->node_size);
  if (n < SLAB_MAX_NODES)
    p->next_slab_nodes = n * 2;
  return 0;
}
