/* SPDX-License-Identifier: MIT */
/*
 * Tells memory checkers about sub-allocations inside our chunks, so that a
 * read of freed chunk memory is reported like a read of freed malloc memory.
 * The backend is chosen by the Meson option `track`; with `none` every call
 * compiles to nothing. This is the only file that knows the checkers' APIs.
 *
 * States: a chunk's region starts no-access; malloc and borrow make a piece
 * addressable (contents undefined); free makes it no-access again.
 */
#ifndef GOMEM_TRACK_H
#define GOMEM_TRACK_H

#include <stddef.h>

#include "config.h"

#if GOMEM_TRACK_VALGRIND
#  include <valgrind/memcheck.h>
#  define GOMEM__TRACK_ON(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#  define GOMEM__TRACK_OFF(p, n) VALGRIND_MAKE_MEM_NOACCESS((p), (n))
#elif GOMEM_TRACK_ASAN
#  include <sanitizer/asan_interface.h>
#  define GOMEM__TRACK_ON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#  define GOMEM__TRACK_OFF(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#else
#  define GOMEM__TRACK_ON(p, n) ((void)(p), (void)(n))
#  define GOMEM__TRACK_OFF(p, n) ((void)(p), (void)(n))
#endif

/* [p, p+n) was handed to a user. */
static inline void gomem__track_alloc(void *p, size_t n)
{
  GOMEM__TRACK_ON(p, n);
}

/* [p, p+n) came back; nobody may touch it until it is handed out again. */
static inline void gomem__track_free(void *p, size_t n)
{
  GOMEM__TRACK_OFF(p, n);
}

/* A fresh region, none of it handed out yet. */
static inline void gomem__track_noaccess(void *p, size_t n)
{
  GOMEM__TRACK_OFF(p, n);
}

/* A region about to go back to its source, which may read or reuse it. */
static inline void gomem__track_release(void *p, size_t n)
{
  GOMEM__TRACK_ON(p, n);
}

#endif
