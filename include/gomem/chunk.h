/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/chunk.h — one region of real memory carved by a range allocator.
 *
 * A chunk is Go's MemoryAllocator: a contiguous region of `size` bytes and a
 * gomem_allocator over it. gomem_chunk_malloc hands out pieces of the
 * region; gomem_chunk_free takes back any sub-range of them by pointer.
 *
 * Where the bytes come from is fixed at build time: the heap (default,
 * 64-byte aligned), anonymous mmap (`-Dmmap=true`, page aligned), with
 * transparent huge pages advised (`-Dthp=true`, best effort).
 *
 * Pieces carry no header, so a piece of n bytes costs n bytes, and pieces
 * are not aligned beyond what the sizes asked for imply: allocate multiples
 * of your alignment to keep it, or use gomem_chunk_malloc_aligned.
 *
 * Threads: one thread at a time per chunk.
 */
#ifndef GOMEM_CHUNK_H
#define GOMEM_CHUNK_H

#include <gomem/common.h>
#include <gomem/allocator.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A region of memory and its range allocator. Opaque. */
typedef struct gomem_chunk gomem_chunk;

/**
 * Create a chunk of @p size bytes managed with strategy @p s.
 *
 * @return the chunk, owned by the caller (gomem_chunk_destroy), or NULL with
 * errno = EINVAL (size 0, @p s not a strategy), ENOTSUP (@p s not built) or
 * ENOMEM.
 */
GOMEM_API gomem_chunk *gomem_chunk_new(size_t size, gomem_strategy s);

/**
 * Create a chunk over @p size bytes the caller provides at @p mem (shared
 * memory, a pinned buffer, a static arena, a stack array), managed with
 * strategy @p s. The library never writes into the region: its
 * bookkeeping lives in memory of its own, and only pieces the caller
 * allocates are handed out. It never frees the region: gomem_chunk_destroy
 * releases only the bookkeeping, and the region never enters the chunk
 * cache. The region must stay valid until the chunk is destroyed; its
 * alignment is the caller's (gomem_chunk_malloc_aligned aligns addresses
 * whatever it is).
 *
 * @return the chunk, owned by the caller (gomem_chunk_destroy), or NULL
 * with errno = EINVAL (@p mem NULL, size 0, the region wraps around the
 * address space, @p s not a strategy), ENOTSUP (@p s not built) or ENOMEM
 * (no memory for the bookkeeping). Threads: any thread; the chunk is then
 * used by one thread at a time.
 */
GOMEM_API gomem_chunk *gomem_chunk_new_over(void *mem, size_t size, gomem_strategy s);

/** Release the chunk and its memory (never memory a caller provided:
 *  gomem_chunk_new_over); pointers into it die. NULL is a no-op. */
GOMEM_API void gomem_chunk_destroy(gomem_chunk *c);

/**
 * Allocate @p size bytes from the chunk.
 *
 * @return a pointer to @p size bytes owned by the caller until given back
 * with gomem_chunk_free (or gomem_chunk_reset/destroy), or NULL with errno =
 * EINVAL (@p c NULL, size 0) or ENOMEM (no free run of @p size bytes).
 */
GOMEM_API void *gomem_chunk_malloc(gomem_chunk *c, size_t size);

/**
 * Allocate @p size bytes at an address that is a multiple of @p align.
 *
 * The placement is gomem_allocator_alloc_aligned's, with the alignment
 * taken of the address (the chunk's base is 64-byte aligned on the heap,
 * page aligned with mmap), so it is complete: NULL only when no aligned
 * run of @p size free bytes exists. The padding in front stays free and
 * can serve other requests; give the piece back with the ordinary
 * gomem_chunk_free(@p c, ptr, @p size). Memory checkers see it as malloc's.
 *
 * @param align  a power of two, at most gomem_chunk_size(@p c).
 * @return the pointer, owned as gomem_chunk_malloc's, or NULL with errno =
 * EINVAL (@p c NULL, size 0, @p align 0, not a power of two or above the
 * chunk size) or ENOMEM (no aligned fit, or no memory for the
 * bookkeeping). The chunk is unchanged on error. Threads: one thread at a
 * time, as every chunk call.
 */
GOMEM_API void *gomem_chunk_malloc_aligned(gomem_chunk *c, size_t size, size_t align);

/**
 * Borrow @p size bytes: the place gomem_chunk_malloc would return, without
 * allocating it (Go's Find). The bytes stay free and are valid only until
 * the next call that allocates from or resets @p c. Changes nothing.
 *
 * @return the pointer, or NULL with errno = EINVAL or ENOMEM as for malloc.
 */
GOMEM_API void *gomem_chunk_borrow(gomem_chunk *c, size_t size);

/**
 * Give back [@p ptr, @p ptr + @p len): any part of what was allocated from
 * @p c, or several adjacent allocations at once.
 *
 * @return GOMEM_OK; GOMEM_ERR_NOT_OWNED when @p ptr is not inside the chunk;
 * GOMEM_ERR_INVALID when @p c is NULL, @p len is 0, the range passes the
 * chunk's end or any byte of it is free (double free); GOMEM_ERR_NOMEM when
 * the range has allocated bytes on both sides and the bookkeeping cannot
 * grow (as gomem_allocator_free says). The chunk is unchanged on error,
 * and the same free may be made again later.
 */
GOMEM_API int gomem_chunk_free(gomem_chunk *c, void *ptr, size_t len);

/** Make the whole chunk free again; every pointer into it dies. NULL is a no-op. */
GOMEM_API void gomem_chunk_reset(gomem_chunk *c);

/** @return the chunk's first byte; NULL for NULL. */
GOMEM_API void *gomem_chunk_base(const gomem_chunk *c);

/** @return the chunk's size in bytes; 0 for NULL. */
GOMEM_API size_t gomem_chunk_size(const gomem_chunk *c);

/** @return the number of free bytes; 0 for NULL. */
GOMEM_API size_t gomem_chunk_free_size(const gomem_chunk *c);

/**
 * @return true when @p ptr points inside the chunk's region (allocated or
 * not); false otherwise and for NULL.
 */
GOMEM_API bool gomem_chunk_owns(const gomem_chunk *c, const void *ptr);

/**
 * Fill @p out with the chunk's free-space statistics in bytes (see
 * gomem_free_stats), as gomem_allocator_free_stats on its allocator.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p c or @p out is NULL or
 * out->struct_size < sizeof(size_t) (nothing written).
 */
GOMEM_API int gomem_chunk_free_stats(const gomem_chunk *c, gomem_free_stats *out);

/**
 * @return the chunk's range allocator, for inspection (free blocks, free
 * size, strategy), owned by the chunk; NULL for NULL. Offsets are relative
 * to gomem_chunk_base(). Do not allocate or free through it.
 */
GOMEM_API const gomem_allocator *gomem_chunk_allocator(const gomem_chunk *c);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_CHUNK_H */
