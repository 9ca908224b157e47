/* SPDX-License-Identifier: MIT */
/*
 * The interface between the range allocator's front end (lib/allocator.c)
 * and its free-block indexes (one file each in lib/strategy/).
 *
 * A backend's state struct embeds `struct gomem_allocator` as its first
 * member, so the front end holds a plain `gomem_allocator *` and each
 * backend recovers its own type with one container cast.
 *
 * The front end validates arguments (NULL, zero sizes, ranges past the end,
 * overflow); backends are only called with sane arguments and keep
 * `free_size`, `free_blocks` and `hot` (so that the front end can hand a
 * call on with a jump). Every operation that may fail must fail before it
 * changes anything.
 */
#ifndef GOMEM_STRATEGY_H
#define GOMEM_STRATEGY_H

#include <stddef.h>

#include "gomem/allocator.h"

/* A free block [off, off + size). Each backend's node embeds one, so that
 * `hot` can point into it. */
struct gomem__range {
  size_t off, size;
};

struct gomem_allocator {
  const struct gomem_tree_ops *ops;
  /* The block the front end serves without calling the backend
   * (allocator-internal.h), or NULL. A backend may point it at a block
   * only when
   * - every unit in [hot_floor, hot->off) is allocated (hot_floor is one
   *   past the end of the free block below hot, or 0 when there is none,
   *   so a range ending at hot->off and starting at or after hot_floor is
   *   allocated and touches no other free block),
   * - alloc would take any size up to its own from it, and
   * - shrinking it at its start (leaving at least one unit), or growing it
   *   at its start over allocated units, changes nothing else in the index;
   * and after every change it makes, it must set `hot` and `hot_floor`
   * again. */
  struct gomem__range *hot;
  size_t hot_floor;
  size_t size;        /* the managed range is [0, size) */
  size_t free_size;   /* free units */
  size_t free_blocks; /* free blocks, kept by the backend */
};

typedef int (*gomem__free_fn)(size_t offset, size_t size, void *ctx);

struct gomem_tree_ops {
  /* Lower-case name, as gomem_strategy_name() returns it. */
  const char *name;
  /* The strategy this table implements. */
  gomem_strategy strategy;

  /* Allocate the backend's state with everything in [0, size) free and
   * base.size, base.free_blocks, base.hot, base.hot_floor set; the front end sets ops and
   * free_size.
   * NULL when memory is exhausted. size > 0. */
  struct gomem_allocator *(*create)(size_t size);

  /* Release the state and every node. */
  void (*destroy)(struct gomem_allocator *a);

  /* Take size > 0 units by the backend's policy and store the offset.
   * GOMEM_OK, or GOMEM_ERR_NOMEM when no block fits (state unchanged). */
  int (*alloc)(struct gomem_allocator *a, size_t size, size_t *offset);

  /* Take the start of the block that alloc(size) would carve from: as
   * many units as that block has, at least size and at most want
   * (want >= size > 0). Store the offset and the length taken.
   * GOMEM_OK, or GOMEM_ERR_NOMEM when no block fits (state unchanged).
   * The scalable allocator takes its front span this way. */
  int (*alloc_upto)(struct gomem_allocator *a, size_t size, size_t want, size_t *offset,
                    size_t *len);

  /* Where alloc would put size > 0 units, without taking them.
   * GOMEM_OK or GOMEM_ERR_NOMEM. */
  int (*find)(const struct gomem_allocator *a, size_t size, size_t *offset);

  /* Give back [offset, offset + size), already checked to lie inside
   * [0, base.size) with size > 0. GOMEM_ERR_INVALID when any unit of the
   * range is free; GOMEM_ERR_NOMEM when a new node is needed and none can
   * be had. State unchanged on error. Merges with neighbours on both sides. */
  int (*free)(struct gomem_allocator *a, size_t offset, size_t size);

  /* Make [0, base.size) one free block (base.size may have just changed).
   * Cannot fail: the state always keeps at least one node. */
  void (*reset)(struct gomem_allocator *a);

  /* Visit free blocks in increasing offset order; stop at fn's first
   * non-zero return and return it, else 0. */
  int (*foreach_free)(const struct gomem_allocator *a, gomem__free_fn fn, void *ctx);

  /* Verify every structural invariant of the index (ordering, balance,
   * cached aggregates, counts, no adjacent free blocks, `hot`). 0 when sound,
   * -1 otherwise. Stores the height of the deepest tree in *depth.
   * For tests; may be slow. */
  int (*check)(const struct gomem_allocator *a, size_t *depth);

  /* Take [offset, offset + size), size > 0, which lies wholly inside one
   * free block: the front end has chosen it (aligned allocation). The
   * units left on either side stay free. GOMEM_OK, or GOMEM_ERR_NOMEM when
   * a range in the middle of a block needs a node and none can be had
   * (state unchanged). */
  int (*take_at)(struct gomem_allocator *a, size_t offset, size_t size);
};

/* The tables that the build includes; each backend file defines one. */
extern const struct gomem_tree_ops gomem__treap_ops;
extern const struct gomem_tree_ops gomem__avl_ops;
extern const struct gomem_tree_ops gomem__tlsf_ops;

/* For tests (linked statically): the backend's check() through the handle. */
int gomem__allocator_check(const gomem_allocator *a, size_t *depth);

#endif
