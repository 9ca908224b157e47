/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/recyclable.h — a memory whose segments are given back in one go
 * (Go's RecyclableMemory).
 *
 * A recyclable memory is a gomem_memory (its "view", gomem/memory.h) plus
 * the list of segments it must give back. gomem_recyclable_next allocates a
 * segment from a scalable allocator and appends it; gomem_recyclable_add
 * appends memory the caller allocated from that allocator; both are
 * recorded. gomem_recyclable_push appends a borrowed view that is never
 * given back. gomem_recyclable_recycle frees every recorded segment and
 * empties the view, ready for the next packet.
 *
 * Difference from Go, on purpose: Go's Recycle frees every segment of the
 * memory unless InitRecycleIndexes was called first; here exactly the
 * recorded segments are freed, always (what Go does once
 * InitRecycleIndexes was called), so a borrowed view is never freed by
 * mistake. gomem_recyclable_init_recycle_indexes only reserves room.
 * Each record remembers the allocator it came from, so changing the
 * allocator (gomem_recyclable_set_allocator) between segments is safe.
 *
 * With no allocator (NULL), next takes its bytes from malloc() and recycle
 * gives them back with free(). In a `-Drecyclable=false` build (Go's
 * disable_rm) the scalable allocator itself hands out system allocations
 * (gomem/scalable.h); nothing changes here, and nothing leaks.
 *
 * Threads: one thread at a time per recyclable memory; it follows its
 * allocator (gomem/scalable.h, "Threads"). With an OWNED allocator, next
 * from a thread other than the owner is refused (NULL, EPERM) and recycle
 * from such a thread queues its frees for the owner's next call; with a
 * SHARED one any thread may call next, and recycle's frees are applied at
 * once or queued while another call holds the busy flag. With no allocator
 * any thread may use it.
 */
#ifndef GOMEM_RECYCLABLE_H
#define GOMEM_RECYCLABLE_H

#include <gomem/common.h>
#include <gomem/memory.h>
#include <gomem/scalable.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A memory that gives back its own segments. Opaque. */
typedef struct gomem_recyclable gomem_recyclable;

/**
 * Create an empty recyclable memory taking segments from @p s, which must
 * outlive every segment taken from it; NULL means malloc().
 *
 * @return the recyclable memory, owned by the caller
 * (gomem_recyclable_destroy), or NULL with errno = ENOMEM.
 */
GOMEM_API gomem_recyclable *gomem_recyclable_new(gomem_scalable *s);

/**
 * Recycle (see gomem_recyclable_recycle), then free @p r. NULL is a no-op.
 * A segment that even this last recycle cannot give back for lack of
 * memory stays allocated in its scalable allocator (counted in its
 * in_use) until that allocator is destroyed, which releases it.
 */
GOMEM_API void gomem_recyclable_destroy(gomem_recyclable *r);

/**
 * Allocate @p size bytes from the allocator (Go's NextN) and append them
 * to the view as one segment, recorded for recycling.
 *
 * @return the segment's bytes, owned by @p r until recycle; or NULL with
 * errno = EINVAL (@p r NULL, @p size 0), EPERM (another thread owns the
 * allocator) or ENOMEM. Nothing changes on error.
 */
GOMEM_API void *gomem_recyclable_next(gomem_recyclable *r, size_t size);

/**
 * Append [@p ptr, @p ptr + @p len), which the caller allocated from the
 * current allocator, and record it: recycle gives it back to that
 * allocator (Go's AddRecycleBytes). Ownership passes to @p r.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p r or @p ptr NULL, @p len 0, or
 * @p r has no allocator to give the bytes back to); the errors of
 * gomem_memory_push. Nothing changes on error.
 */
GOMEM_API int gomem_recyclable_add(gomem_recyclable *r, void *ptr, size_t len);

/**
 * Append a borrowed segment: a view of bytes owned by someone else, which
 * recycle never frees (they must stay valid while the view is used).
 *
 * @return the result of gomem_memory_push on the view; GOMEM_ERR_INVALID
 * when @p r is NULL.
 */
GOMEM_API int gomem_recyclable_push(gomem_recyclable *r, const void *ptr, size_t len);

/**
 * Reserve room for @p n recorded segments so that the next @p n calls of
 * next/add do not grow the record list (Go's InitRecycleIndexes; recording
 * itself is always on, see above).
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p r NULL); GOMEM_ERR_NOMEM.
 */
GOMEM_API int gomem_recyclable_init_recycle_indexes(gomem_recyclable *r, size_t n);

/**
 * Give every recorded segment back to the allocator it came from (or to
 * free() for those taken with no allocator) and empty the view (borrowed
 * segments and segments pushed straight onto the view are forgotten, not
 * freed). Every pointer into a recorded segment dies. A record whose
 * memory the caller already freed is refused by the allocator and skipped.
 * NULL is a no-op.
 *
 * Giving a segment back may need memory: for the allocator's bookkeeping
 * (a segment between live memory) or, from a thread other than the
 * allocator's owner, for the queue node (see gomem_scalable_free). A
 * segment that cannot be given back for lack of memory stays recorded
 * (gomem_recyclable_recorded counts it; the view is emptied all the same)
 * and the next recycle, or destroy, tries again. Nothing is lost.
 */
GOMEM_API void gomem_recyclable_recycle(gomem_recyclable *r);

/**
 * @return the view: the segments in order, owned by @p r (do not destroy
 * it). Read it, write it to a descriptor, hand it to a gomem_reader; it
 * may also be edited (its segments' bytes stay recorded for recycling
 * whatever happens to the view). NULL for NULL.
 */
GOMEM_API gomem_memory *gomem_recyclable_memory(gomem_recyclable *r);

/** @return the allocator next/add use now (may be NULL); NULL for NULL. */
GOMEM_API gomem_scalable *gomem_recyclable_allocator(const gomem_recyclable *r);

/**
 * Take later segments from @p s (NULL = malloc). Segments recorded before
 * still go back to the allocator they came from.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p r is NULL.
 */
GOMEM_API int gomem_recyclable_set_allocator(gomem_recyclable *r, gomem_scalable *s);

/** @return the number of recorded segments (those recycle will give back); 0 for NULL. */
GOMEM_API size_t gomem_recyclable_recorded(const gomem_recyclable *r);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_RECYCLABLE_H */
