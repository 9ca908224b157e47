/* SPDX-License-Identifier: MIT */
/*
 * Where a chunk's bytes come from, chosen at build time: the heap, anonymous
 * mmap (optionally with transparent huge pages) or the process-wide buddy
 * pools. A region remembers its origin so that it goes back to the same
 * place, and whether it may rest in the process-wide cache of released
 * chunks on the way (see gomem_release_cached in gomem/scalable.h).
 */
#ifndef GOMEM_SOURCE_H
#define GOMEM_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

enum gomem__origin {
  GOMEM__ORIGIN_HEAP = 0,
  GOMEM__ORIGIN_MMAP = 1,
  GOMEM__ORIGIN_BUDDY = 2,
  GOMEM__ORIGIN_CALLER = 3, /* the caller's memory: never freed, never cached */
};

struct gomem__region {
  void *ptr;
  size_t size;    /* what the caller asked for */
  size_t mapped;  /* what was reserved (rounded up for mmap and buddy) */
  enum gomem__origin origin;
  bool cacheable; /* may go to the chunk cache when released */
  void *pool;     /* GOMEM__ORIGIN_BUDDY: the gomem_buddy it came from */
  size_t offset;  /* GOMEM__ORIGIN_BUDDY: its offset in that pool */
};

/* Fill *r with a region of size > 0 bytes for a chunk: from the chunk
 * cache when one of that size rests there, else from the build's chunk
 * source. 0, or -1 (out of memory). */
int gomem__region_acquire(struct gomem__region *r, size_t size);

/* A region for a block served directly by the system (no cache, no buddy):
 * mmap with -Dmmap=true, else the heap. 0 or -1. */
int gomem__region_acquire_system(struct gomem__region *r, size_t size);

/* A region from plain malloc (16-byte alignment), for small system
 * blocks. 0 or -1. */
int gomem__region_acquire_plain(struct gomem__region *r, size_t size);

/* Fill *r with the caller's memory [p, p + size), which releasing leaves
 * alone (gomem_chunk_new_over). */
void gomem__region_adopt(struct gomem__region *r, void *p, size_t size);

/* Give r's memory back: to the chunk cache when it fits there, else to its
 * origin. r->ptr becomes NULL. */
void gomem__region_release(struct gomem__region *r);

/* Empty the chunk cache and unmap the buddy pools with nothing in use.
 * Thread-safe. @return the bytes given back to the system. */
size_t gomem__release_cached(void);

/* @return the bytes of the regions resting in the chunk cache, whether
 * their pages are resident or were given back. Thread-safe. */
size_t gomem__cached_bytes(void);

#endif
