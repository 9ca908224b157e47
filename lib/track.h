/* SPDX-License-Identifier: MIT */
/*
 * Tells memory checkers about sub-allocations inside our chunks, so that a
 * read of freed chunk memory is reported like a read of freed malloc memory.
 * The backend is chosen by the Meson option `track`; with `none` every call
 * compiles to nothing. This file (and lib/track.c, Valgrind's block map) is
 * the only one that knows the checkers' APIs.
 *
 * States: a chunk's region starts no-access; malloc makes a piece a block
 * (addressable, contents undefined); free makes any part of one no-access
 * again; borrow makes a piece addressable without making it a block; a
 * region going back to its source or to the chunk cache loses its blocks.
 *
 * Valgrind: blocks are memcheck mempool blocks (lib/track.c), so errors
 * name the block with its allocation and free stacks and unfreed blocks
 * nothing points to are leaks. ASan: poisoning only, in 8-byte granules
 * (a granule is addressable from its start up to its last addressable
 * byte), so bytes that share a granule with the start of a live piece stay
 * addressable; leaks are not seen.
 */
#ifndef GOMEM_TRACK_H
#define GOMEM_TRACK_H

#include <stddef.h>

#include "config.h"

#if GOMEM_TRACK_VALGRIND
#  include <valgrind/memcheck.h>
/* [p, p+n) becomes a block, undefined (lib/track.c). */
void gomem__track_block_add(void *p, size_t n);
/* [p, p+n) stops being part of any block; what is left of a block cut in
 * two stays a block (lib/track.c). */
void gomem__track_block_cut(void *p, size_t n);
#  define GOMEM__TRACK_ON(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#  define GOMEM__TRACK_DEFINED(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#  define GOMEM__TRACK_OFF(p, n) VALGRIND_MAKE_MEM_NOACCESS((p), (n))
#  define GOMEM__TRACK_BLOCK(p, n) gomem__track_block_add((p), (n))
#  define GOMEM__TRACK_UNBLOCK(p, n) gomem__track_block_cut((p), (n))
#elif GOMEM_TRACK_ASAN
#  include <sanitizer/asan_interface.h>
#  define GOMEM__TRACK_ON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#  define GOMEM__TRACK_DEFINED(p, n) GOMEM__TRACK_ON(p, n)
#  define GOMEM__TRACK_OFF(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#  define GOMEM__TRACK_BLOCK(p, n) GOMEM__TRACK_ON(p, n)
#  define GOMEM__TRACK_UNBLOCK(p, n) ((void)(p), (void)(n))
#else
#  define GOMEM__TRACK_ON(p, n) ((void)(p), (void)(n))
#  define GOMEM__TRACK_DEFINED(p, n) GOMEM__TRACK_ON(p, n)
#  define GOMEM__TRACK_OFF(p, n) ((void)(p), (void)(n))
#  define GOMEM__TRACK_BLOCK(p, n) GOMEM__TRACK_ON(p, n)
#  define GOMEM__TRACK_UNBLOCK(p, n) ((void)(p), (void)(n))
#endif

/* [p, p+n) was handed to a user. */
static inline void gomem__track_alloc(void *p, size_t n)
{
  GOMEM__TRACK_BLOCK(p, n);
}

/* [p, p+n) was lent to a user (borrow): usable, but not allocated, so
 * never a leak. */
static inline void gomem__track_borrow(void *p, size_t n)
{
  GOMEM__TRACK_ON(p, n);
}

/* [p, p+n) came back; nobody may touch it until it is handed out again. */
static inline void gomem__track_free(void *p, size_t n)
{
  GOMEM__TRACK_UNBLOCK(p, n);
  GOMEM__TRACK_OFF(p, n);
}

/* A region none of which is handed out: fresh, reset, or in the cache. */
static inline void gomem__track_noaccess(void *p, size_t n)
{
  gomem__track_free(p, n);
}

/* A region about to go back to its source, which may read or reuse it. */
static inline void gomem__track_release(void *p, size_t n)
{
  GOMEM__TRACK_UNBLOCK(p, n);
  GOMEM__TRACK_ON(p, n);
}

/* A caller's region (gomem_chunk_new_over) goes back to the caller: its
 * bytes are the caller's again, defined whatever the library's users left
 * in them, as they were before the caller lent them. */
static inline void gomem__track_return(void *p, size_t n)
{
  GOMEM__TRACK_UNBLOCK(p, n);
  GOMEM__TRACK_DEFINED(p, n);
}

#endif
