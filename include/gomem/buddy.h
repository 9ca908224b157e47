/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/buddy.h — a thread-safe power-of-two (buddy) allocator.
 *
 * A buddy pool reserves one region of `total_size` bytes of address space
 * (anonymous `mmap` with `MAP_NORESERVE`: a large pool costs address space,
 * not memory, until its pages are written) and hands out blocks of it whose
 * sizes are powers of two, from `min_block` up to `total_size`. A request is
 * rounded up to the next such size; a block is given back by its offset.
 * Go's Buddy is the same thing with fixed 1 KiB units over 512 MiB:
 * gomem_buddy_new(512 << 20, 1024).
 *
 * Offsets are in bytes from gomem_buddy_base(). A block of size s starts
 * at an offset that is a multiple of s, and its address is a multiple of
 * s up to 2 MiB (the base is aligned to min(total_size, 2 MiB), and always
 * to the page size).
 *
 * Policy: alloc takes a free block of the smallest size that fits, the
 * lowest offset among those; only when there is none does it split the
 * smallest larger free block (keeping the lower half). Free merges a block
 * with its buddy as long as the buddy is free. So results are
 * deterministic: the same sequence of calls gives the same offsets.
 *
 * Costs: alloc and free are O(log(total_size / min_block)) with small
 * constants, and never call malloc. The pool defers writing down the free
 * halves of its latest split and the block its latest free ended with, so
 * an alloc and free pair on a mostly free pool is O(1): it does not split
 * and merge level by level. Bookkeeping lives outside the region
 * (about 1.3 bytes per min_block unit, allocated at creation), so freeing
 * a block never touches its pages and every free is checked exactly.
 *
 * Memory is not given back to the system on free (Go does not either); call
 * gomem_buddy_trim() to drop the pages of the free blocks.
 *
 * Threads: every function is safe to call from any thread at the same time
 * (a spinlock built on libatomic_ops guards each call). Writes a thread
 * made to a block before freeing it are visible to the thread that
 * allocates it next. Destroy must not race with other calls. The pool's
 * lock is held across fork(), so a child may go on using the pool
 * whatever the parent's other threads were doing (gomem/common.h).
 */
#ifndef GOMEM_BUDDY_H
#define GOMEM_BUDDY_H

#include <gomem/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A buddy pool. Opaque. */
typedef struct gomem_buddy gomem_buddy;

/** The smallest min_block gomem_buddy_new accepts, in bytes. */
#define GOMEM_BUDDY_MIN_BLOCK_LIMIT 16

/**
 * Create a buddy pool of @p total_size bytes with blocks of at least
 * @p min_block bytes.
 *
 * @param total_size  a power of two, >= @p min_block.
 * @param min_block   a power of two, >= GOMEM_BUDDY_MIN_BLOCK_LIMIT: the
 *                    unit every request is rounded up to.
 * @return the pool, owned by the caller (gomem_buddy_destroy), all free; or
 * NULL with errno = EINVAL (a size that is not a power of two, too small, or
 * @p min_block > @p total_size) or ENOMEM (no address space for the region
 * or no memory for its bookkeeping).
 */
GOMEM_API gomem_buddy *gomem_buddy_new(size_t total_size, size_t min_block);

/**
 * Unmap the region and free the pool; every block and pointer into it dies.
 * NULL is a no-op. Must not run while another thread uses @p b.
 */
GOMEM_API void gomem_buddy_destroy(gomem_buddy *b);

/**
 * Allocate a block of @p size bytes rounded up to a power of two (and to at
 * least min_block).
 *
 * @param[out] offset  receives the block's offset from gomem_buddy_base();
 *                     untouched on error.
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p b or @p offset NULL, @p size 0);
 * GOMEM_ERR_NOMEM (@p size > gomem_buddy_size(), or no free block large
 * enough now). The pool is unchanged on error.
 */
GOMEM_API int gomem_buddy_alloc(gomem_buddy *b, size_t size, size_t *offset);

/**
 * Give back the block that starts at @p offset; it merges with its buddies.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p b is NULL or @p offset is not
 * the start of a live block: past the end, not a multiple of min_block,
 * inside a block, free, or freed already (double free). The pool is
 * unchanged on error.
 */
GOMEM_API int gomem_buddy_free(gomem_buddy *b, size_t offset);

/**
 * @return the region's first byte (block at offset o is at base + o); NULL
 * for NULL. Fixed for the pool's life.
 */
GOMEM_API void *gomem_buddy_base(const gomem_buddy *b);

/** @return total_size as given at creation; 0 for NULL. */
GOMEM_API size_t gomem_buddy_size(const gomem_buddy *b);

/** @return min_block as given at creation; 0 for NULL. */
GOMEM_API size_t gomem_buddy_min_block(const gomem_buddy *b);

/**
 * @return the bytes not in live blocks (total minus the rounded sizes of
 * the live blocks); 0 for NULL. Lock-free; with other threads at work it
 * is a value the pool had recently.
 */
GOMEM_API size_t gomem_buddy_free_size(const gomem_buddy *b);

/**
 * @return the size of the largest block gomem_buddy_alloc could return
 * now, 0 when the pool is full or @p b is NULL.
 */
GOMEM_API size_t gomem_buddy_max_alloc(const gomem_buddy *b);

/**
 * Look up the live block that starts at @p offset.
 *
 * @param[out] size  receives its size (the rounded one); untouched on error.
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p b or @p size is NULL or
 * @p offset is not the start of a live block (as for gomem_buddy_free).
 */
GOMEM_API int gomem_buddy_block_size(const gomem_buddy *b, size_t offset, size_t *size);

/**
 * Give the pages of every free block of at least one page back to the
 * system (`madvise(MADV_DONTNEED)`): resident memory drops, the address
 * space stays reserved, and those pages read as zeros when next used.
 * Blocks smaller than a page are left alone. Holds the pool's lock while it
 * works, so other calls wait.
 *
 * @return the number of bytes advised; 0 for NULL.
 */
GOMEM_API size_t gomem_buddy_trim(gomem_buddy *b);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_BUDDY_H */
