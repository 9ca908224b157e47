/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/allocator.h — the range (offset) allocator.
 *
 * A range allocator hands out offsets in [0, size) and takes back any
 * sub-range of what it handed out. It owns no memory: it is the bookkeeping
 * that a chunk (gomem/chunk.h) puts over real bytes, and it can equally
 * manage a GPU heap, a file or a ring of slots.
 *
 * Policy depends on the strategy (gomem/common.h):
 * - treap: address-ordered first fit. alloc(n) returns the lowest offset at
 *   which n free bytes start. It is complete: it succeeds whenever any free
 *   block is large enough. Each operation costs expected O(log b) for b
 *   free blocks, whatever the pattern of sizes and offsets.
 * - avl: best fit. alloc(n) takes the smallest free block of at least n
 *   bytes (the lowest offset among equal sizes) and returns its start.
 *   Worst-case O(log b).
 * - tlsf: a current block, then good fit by size classes. alloc(n)
 *   carves the current block when it holds n bytes. Otherwise it rounds n
 *   up to the first size class whose blocks all hold n (a class per size
 *   below 64, then 32 classes per power of two, each 1/32 of its power
 *   wide) and takes the most recently filed block of the lowest non-empty
 *   class from there; if there is none, the first block of n's own class
 *   that holds n (the most recently filed first). A block it carves from
 *   rather than takes whole becomes current. A free that leaves a block
 *   larger than the current one (or when none is current) makes that block
 *   current, and a lone free block is current. It is complete: it fails
 *   only when no free block is large enough. O(1) whatever the number of
 *   free blocks, except the walk of n's own class (blocks within 1/32 of
 *   n; never for n < 64), taken only when no larger class has a block.
 *   free is O(log64 size) (3 steps for 4 MiB, at most 10), also
 *   independent of the number of free blocks, and O(1) for a range that
 *   ends where the current block starts and touches no other free block;
 *   it refuses any range that is not wholly allocated. Besides 56 bytes
 *   per free block, it keeps 256 bytes per power of two up to the size
 *   and a radix index of 520-byte nodes: none with one free block, at most
 *   one per 4 KiB window in which a free block ends (plus 1/63 above), so
 *   never more than about 13 % of size.
 * All carve from the start of the chosen block, and all merge a freed
 * range with free neighbours on both sides, so free blocks never touch.
 *
 * Memory: the allocator's own bookkeeping grows with the number of free
 * blocks and is reused, so steady-state alloc/free calls do not call malloc.
 * It lives outside the managed range (which may not even be memory), one
 * node per free block, so giving back can need memory: a range with
 * allocated units on both sides becomes a free block of its own. Nodes
 * come from a pool that grows by malloc; when it is used up and malloc
 * fails, that free answers GOMEM_ERR_NOMEM and changes nothing.
 *
 * Threads: one thread at a time per allocator, including for the const
 * functions while another thread modifies it.
 */
#ifndef GOMEM_ALLOCATOR_H
#define GOMEM_ALLOCATOR_H

#include <gomem/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A range allocator over [0, size). Opaque. */
typedef struct gomem_allocator gomem_allocator;

/**
 * Create a range allocator over [0, @p size), all free.
 *
 * @param size  number of units (usually bytes) to manage; must be > 0.
 * @param s     the free-block index, or GOMEM_STRATEGY_DEFAULT.
 * @return the allocator, owned by the caller (gomem_allocator_destroy), or
 * NULL with errno = EINVAL (size 0, @p s not a strategy), ENOTSUP (@p s not
 * built into this library) or ENOMEM.
 */
GOMEM_API gomem_allocator *gomem_allocator_new(size_t size, gomem_strategy s);

/**
 * The same as gomem_allocator_new, with a status code instead of errno.
 *
 * @param[out] out  receives the allocator; untouched on error.
 * @return GOMEM_OK; GOMEM_ERR_INVALID (size 0, @p out NULL, @p s not a
 * strategy); GOMEM_ERR_UNSUPPORTED (@p s not built); GOMEM_ERR_NOMEM.
 */
GOMEM_API int gomem_allocator_create(size_t size, gomem_strategy s, gomem_allocator **out);

/** Destroy @p a and its bookkeeping. NULL is a no-op. */
GOMEM_API void gomem_allocator_destroy(gomem_allocator *a);

/**
 * Allocate @p size units.
 *
 * @param[out] offset  receives the start of the range; untouched on error.
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p a or @p offset NULL, size 0);
 * GOMEM_ERR_NOMEM (no free block of @p size units, or the bookkeeping could
 * not grow). On error the allocator is unchanged.
 */
GOMEM_API int gomem_allocator_alloc(gomem_allocator *a, size_t size, size_t *offset);

/**
 * Allocate @p size units at an offset that is a multiple of @p align.
 *
 * Placement: in the block gomem_allocator_alloc(@p a, @p size + @p align - 1)
 * would choose (which surely holds an aligned range), at its first aligned
 * offset; when no block is that large, at the lowest aligned offset where
 * @p size free units start (a walk over the free blocks, O(b)). So the call
 * is complete: it fails only when no aligned range of @p size free units
 * exists. With @p align 1 it is gomem_allocator_alloc.
 *
 * The padding in front of the aligned start (and the rest of the block
 * after the range) stays free: nothing is wasted, and the range is given
 * back with the ordinary gomem_allocator_free(@p a, *offset, @p size).
 *
 * @param align  a power of two, at most gomem_allocator_size(@p a) (equal
 *               is valid).
 * @param[out] offset  receives the start of the range; untouched on error.
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p a or @p offset NULL, size 0,
 * @p align 0, not a power of two or larger than the allocator);
 * GOMEM_ERR_NOMEM (no aligned range of @p size free units, or a range in
 * the middle of a free block needs a bookkeeping node and malloc fails).
 * On error the allocator is unchanged. Threads: as gomem_allocator_alloc.
 */
GOMEM_API int gomem_allocator_alloc_aligned(gomem_allocator *a, size_t size, size_t align,
                                            size_t *offset);

/**
 * Give back [@p offset, @p offset + @p size). The range may be any part of
 * what is allocated: part of one allocation, or several adjacent ones. It
 * merges with free neighbours on both sides.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p a is NULL, @p size is 0, the
 * range overflows or passes the end, or any byte of it is already free
 * (double free, or a range overlapping free space); GOMEM_ERR_NOMEM when
 * the range touches no free block (it becomes a new one, which needs a
 * node), no node is spare and malloc fails. A range next to a free block
 * never needs memory. On error the allocator is unchanged, and the same
 * free may be made again later. The check costs O(log b).
 */
GOMEM_API int gomem_allocator_free(gomem_allocator *a, size_t offset, size_t size);

/**
 * Tell where gomem_allocator_alloc(@p a, @p size) would put a range,
 * without taking it (Go's Find).
 *
 * @param[out] offset  receives the offset; untouched on error.
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p a or @p offset NULL, size 0);
 * GOMEM_ERR_NOMEM (nothing fits).
 */
GOMEM_API int gomem_allocator_find(const gomem_allocator *a, size_t size, size_t *offset);

/** @return the size the allocator manages; 0 for NULL. */
GOMEM_API size_t gomem_allocator_size(const gomem_allocator *a);

/** @return the number of free units (O(1)); 0 for NULL. */
GOMEM_API size_t gomem_allocator_free_size(const gomem_allocator *a);

/** @return the number of free blocks (O(1)); 0 for NULL. */
GOMEM_API size_t gomem_allocator_free_blocks(const gomem_allocator *a);

/** Make everything free again, keeping the size. NULL is a no-op. */
GOMEM_API void gomem_allocator_reset(gomem_allocator *a);

/**
 * Re-initialize @p a over [0, @p size), all free (Go's Init). Allocations
 * made before are forgotten.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p a NULL, size 0), allocator unchanged.
 */
GOMEM_API int gomem_allocator_init(gomem_allocator *a, size_t size);

/**
 * Call @p fn for every free block in increasing offset order. @p fn must not
 * modify the allocator. It returns 0 to go on, anything else to stop.
 *
 * @return 0 when every block was visited, the value @p fn stopped with,
 * or GOMEM_ERR_INVALID when @p a or @p fn is NULL.
 */
GOMEM_API int gomem_allocator_foreach_free(const gomem_allocator *a,
                                           int (*fn)(size_t offset, size_t size, void *ctx),
                                           void *ctx);

/**
 * Fill @p out with @p a's free-space statistics (see gomem_free_stats):
 * a walk over the free blocks, O(b). Threads: as the other const calls.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p a or @p out is NULL or
 * out->struct_size < sizeof(size_t) (nothing written).
 */
GOMEM_API int gomem_allocator_free_stats(const gomem_allocator *a, gomem_free_stats *out);

/**
 * A JSON map of @p a for a person or a tool:
 * {"size":N,"free_bytes":N,"free_blocks":N,"largest_free":N,
 *  "free":[[offset,length],...]} with every free block in offset order
 * (no spaces, no newline). Always valid JSON.
 *
 * @param[out] json  receives a NUL-terminated string owned by the caller:
 *                   free it with gomem_json_free. Untouched on error.
 * @param[out] len   receives its length without the NUL; may be NULL.
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p a or @p json NULL);
 * GOMEM_ERR_NOMEM (nothing allocated). @p a is never changed.
 */
GOMEM_API int gomem_allocator_dump_json(const gomem_allocator *a, char **json, size_t *len);

/**
 * @return the strategy @p a was built with (never GOMEM_STRATEGY_DEFAULT),
 * or GOMEM_STRATEGY_DEFAULT for NULL.
 */
GOMEM_API gomem_strategy gomem_allocator_strategy(const gomem_allocator *a);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_ALLOCATOR_H */
