/* SPDX-License-Identifier: MIT */
/*
 * The scalable allocator's system blocks (requests above 4 MiB, and every
 * request in a -Drecyclable=false build), indexed by address.
 *
 * Free must find the block that contains any pointer, not only a block's
 * start, because any part of a block may be given back (the tail after a
 * short read, a head, a middle). So the index is ordered: a treap keyed by
 * start address, whose "last block starting at or below p" query answers
 * that in expected O(log n), like insert and remove. Nodes come from a
 * pool, so a steady state of mallocs and frees does not call malloc for
 * bookkeeping.
 */
#ifndef GOMEM_BLOCKS_H
#define GOMEM_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "gomem/allocator.h"
#include "pool.h"
#include "source.h"

struct gomem__block {
  uintptr_t base;
  size_t size;
  gomem_allocator *parts;      /* its free parts; NULL = all allocated */
  struct gomem__region region; /* where its bytes came from */
  struct gomem__block *child[2]; /* lower addresses on the left */
  uint32_t prio;               /* a parent's prio is >= its children's */
};

struct gomem__blocks {
  struct gomem__block *root;
  struct gomem__pool nodes;
  uint32_t rng; /* xorshift32 state, never 0 */
};

void gomem__blocks_init(struct gomem__blocks *b);

/* Release every block (its parts and its memory) and every node. */
void gomem__blocks_fini(struct gomem__blocks *b);

/* A node for a block to add, or NULL when memory is exhausted. Fill its
 * base, size and region, then insert it, or hand it back with _put. */
struct gomem__block *gomem__blocks_get(struct gomem__blocks *b);
void gomem__blocks_put(struct gomem__blocks *b, struct gomem__block *x);

/* Add x, whose range overlaps no block in b. */
void gomem__blocks_insert(struct gomem__blocks *b, struct gomem__block *x);

/* Take x out of b (its node is not released: _put it). */
void gomem__blocks_remove(struct gomem__blocks *b, struct gomem__block *x);

/* @return the block containing address p, or NULL. */
struct gomem__block *gomem__blocks_find(struct gomem__blocks *b, uintptr_t p);

/* Call fn for every block, in address order (for tests). */
void gomem__blocks_foreach(const struct gomem__blocks *b,
                           void (*fn)(const struct gomem__block *x, void *ctx), void *ctx);

#endif
