/* SPDX-License-Identifier: MIT */
/*
 * Where a chunk's bytes come from: the heap, anonymous mmap (optionally with
 * transparent huge pages), chosen at build time. The region remembers its
 * origin so that it goes back to the same place.
 */
#ifndef GOMEM_SOURCE_H
#define GOMEM_SOURCE_H

#include <stddef.h>

enum gomem__origin {
  GOMEM__ORIGIN_HEAP = 0,
  GOMEM__ORIGIN_MMAP = 1,
};

struct gomem__region {
  void *ptr;
  size_t size;    /* what the caller asked for */
  size_t mapped;  /* what was reserved (size rounded up for mmap) */
  enum gomem__origin origin;
};

/* Fill *r with a fresh region of size > 0 bytes. 0, or -1 (ENOMEM). */
int gomem__region_acquire(struct gomem__region *r, size_t size);

/* Give r's memory back to its origin. */
void gomem__region_release(struct gomem__region *r);

#endif
