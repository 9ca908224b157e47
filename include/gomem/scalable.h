/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/scalable.h — the scalable allocator (Go's ScalableMemoryAllocator).
 *
 * A scalable allocator is a growing list of chunks (gomem/chunk.h). It
 * starts with one chunk of the size given at creation. A request goes to
 * the chunk that served the previous one when it fits there, else to the
 * first chunk, in creation order, where it fits (Go tries them all in that
 * order). When no chunk has a free run large enough for a request it first
 * drops the chunks that are completely free (trim) and tries again, then
 * adds a chunk sized from what the allocator holds in chunks (H bytes):
 * - H itself while H < 64 KiB (small allocators double, as in Go), or
 *   the bytes in use in chunks plus the request when that is more (so a
 *   small batch allocated and freed again and again settles in one chunk
 *   instead of adding and dropping one every round);
 * - then 64 KiB, and from H = 2 MiB on, H / 32: an allocator that holds
 *   steady (a stream's rolling window) adds chunks of the size it drops,
 *   which the chunk cache has ready, instead of walking up a ladder of
 *   ever larger ones, and a partly used chunk costs at most ~3 % of H;
 * - never less than the initial size or the request, rounded up to a size
 *   class (four per power of two: 2^k, 1.25, 1.5, 1.75 * 2^k; whole pages
 *   from 16 KiB), and never more than GOMEM_SCALABLE_MAX_CHUNK (4 MiB).
 * With no chunk left (after trim) the next chunk has the initial size
 * again, or the request's size class when that is larger. A request above
 * 4 MiB is served directly by the system in a block of its own, which is
 * given back to the system as soon as all of it has been freed.
 *
 * Pieces carry no header and no alignment beyond what the sizes asked for
 * imply (a chunk starts 64-byte aligned): allocate multiples of your
 * alignment to keep it, or use gomem_scalable_malloc_aligned. Memory is given back by pointer AND length, and any
 * part of what was allocated may be given back: the tail of a buffer, its
 * middle, or several neighbouring buffers at once. A chunk that becomes
 * completely free is released at once when other chunks remain.
 *
 * Finding the chunk that owns a pointer is a binary search over the chunks
 * sorted by address: O(log n) with n chunks and large blocks.
 *
 * Where chunk bytes come from (build options; the API is the same):
 * - default: the heap; `-Dmmap=true`: anonymous mmap (`-Dthp=true` also
 *   advises transparent huge pages); `-Dbuddy=true`: a process-wide, growing
 *   set of buddy pools (gomem/buddy.h) of 64 MiB of address space each.
 * - Released chunks of 1 KiB to 4 MiB are kept in a process-wide cache
 *   and reused by the next chunk of exactly that size, from any allocator,
 *   so allocators that come and go, or drop and add chunks, do not reach
 *   the system each time. The cache keeps what is likely to be asked for
 *   again, and little of it resident: the most recently released 2 MiB
 *   (and the newest entry) keep their pages; older entries give their pages
 *   back to the system (madvise MADV_DONTNEED) and keep only their address
 *   range, so they cost no RSS and a page fault per page when reused; an
 *   entry not taken within 256 later releases goes back to the system, and
 *   the oldest ones go when the 64 entries or GOMEM_CHUNK_CACHE_MAX bytes
 *   run out. Memory a caller provides never enters it.
 *   gomem_release_cached() empties the cache (and returns empty buddy
 *   pools); it is also emptied when the library is unloaded or the process
 *   exits, so leak checkers stay quiet. Its lock is held across fork(), so
 *   a child may use it (see fork() in gomem/common.h).
 *
 * Running out of memory. An allocating call that fails (NULL with errno
 * ENOMEM, GOMEM_ERR_NOMEM) has changed nothing: no chunk was added or
 * released, the statistics are as they were. Giving back can need memory
 * for the bookkeeping:
 * - a range with allocated bytes on both sides in its chunk becomes a free
 *   block of its own: a node or two from the pool of the chunk's range
 *   allocator (gomem/allocator.h), which calls malloc when none is spare;
 * - the first partial free of a large block (of any allocation, with
 *   `-Drecyclable=false`) creates the record of its free parts;
 * - a free from a thread that may not work on the chunks is queued in a
 *   node of its own (see Threads).
 * Frees that never need any: the newest or the oldest piece of what a
 * chunk carved since its span was taken (see "The front span" below), and
 * all of a large block never partly freed. A free that cannot get its memory
 * answers GOMEM_ERR_NOMEM and changes nothing: make it again later. What
 * the allocator gives back on its own is never dropped for lack of
 * memory: a queued free and the unread tail of a read wait, counted in
 * stats.remote_pending, and are tried again whenever the queue is applied
 * (gomem_scalable_drain); gomem_recyclable_recycle keeps the records it
 * could not give back. Destroy releases everything in any case.
 *
 * `-Drecyclable=false` (Go's disable_rm): every allocation is a separate
 * system (heap) allocation instead of a piece of a chunk; see
 * gomem_scalable_free for what a partial free means then. The API, the
 * error codes and the statistics keep their meaning; there are no chunks.
 * gomem_scalable_pooled() tells which build this is.
 *
 * The front span, and what is cached: requests of up to
 * GOMEM_SCALABLE_SPAN bytes are carved from a "span", the start of a free
 * run of the chunk that served last (up to GOMEM_SCALABLE_SPAN bytes),
 * taken out of that chunk's range allocator at once: malloc moves the
 * span's start up. In every chunk the allocator also remembers the part
 * carved since its span was taken: a free of the newest piece of that part
 * (or the newest ones together) moves the span's start back down, and a
 * free of its oldest piece (or the oldest ones together) is held next to
 * it as free. Neither touches the range allocator, so buffers freed newest
 * first or oldest first (a rolling window) cost no tree operation; every
 * other free goes to the range allocator as before. The held bytes are
 * free in every sense a caller can see: statistics, "chunk completely
 * free" (a chunk is released when what it holds is all of it), borrow,
 * and validation (a free overlapping them is a double free, refused).
 * They go back to the range allocator when the span cannot serve a
 * request (the span), before a new chunk is added (everything held), and
 * at trim (the span). So consecutive allocations are adjacent, and
 * placement is the chunk's first fit whenever the span was just taken.
 * Larger requests are allocated from the chunks' range allocators.
 *
 * Threads. Two kinds of allocator:
 *
 * OWNED (gomem_scalable_new, gomem_scalable_new_with, and
 * gomem_scalable_new_ex without GOMEM_SCALABLE_SHARED): the allocator
 * belongs to the thread that created it.
 * - The owner's malloc, borrow and free take no lock and execute no atomic
 *   read-modify-write instruction; they read one word to see whether frees
 *   from other threads are waiting, and apply them first when they are.
 * - Frees from other threads (gomem_scalable_free, free_rest,
 *   gomem_recyclable_recycle) never wait and never touch the chunks: the
 *   range goes on a lock-free list (a small node from malloc) and the
 *   call returns GOMEM_OK at once (GOMEM_ERR_NOMEM, nothing queued, when
 *   there is no memory for the node). Only the arguments are checked then
 *   (non-NULL handle and pointer, non-zero length, no address overflow).
 *   The owner applies the list on its next call (stats included), on
 *   drain, trim and destroy; a queued free that turns out to be invalid (foreign memory,
 *   double free, range past the end) is dropped without changing anything
 *   and counted in gomem_stats.remote_rejected. One that needs memory for
 *   the bookkeeping when there is none stays queued (and counted in
 *   remote_pending) and is tried again whenever the queue is next applied:
 *   nothing is dropped for lack of memory. The freed bytes are never
 *   written by the freeing thread.
 * - Allocating calls (malloc, borrow, trim, the read helpers) from another
 *   thread are refused without touching anything: NULL with errno = EPERM,
 *   GOMEM_ERR_WRONG_THREAD from functions that return a code; trim does
 *   nothing. drain from another thread answers GOMEM_ERR_WRONG_THREAD.
 * - Handover: the owner calls gomem_scalable_disown(); the next allocating
 *   call, from whichever thread, adopts the allocator (one compare-and-swap)
 *   and applies every free queued so far. Frees made after the disown and
 *   before an adoption are queued, the old owner's included.
 * - A thread is known by its thread pointer: when the owner exits without
 *   disowning, a later thread may get the same identity and so the
 *   allocator. Disown before an owning thread exits if others go on using
 *   the allocator.
 *
 * SHARED (gomem_scalable_new_ex(.., GOMEM_SCALABLE_SHARED)): any thread may
 * call anything, for cgo (a goroutine changes OS threads between calls),
 * worker pools and Python threads. Calls are serialized inside by a
 * "busy" flag (a test-and-set spinlock): allocating calls, drain and a free
 * that gets the flag take it, apply the queued frees, work, apply the queue
 * again and let go; allocating calls that find it held spin, then yield.
 * A free never waits: it TRIES the flag, and when another call holds it the
 * free is queued as above (and its errors counted in remote_rejected). In a
 * rare race a few instructions wide a queued free waits for the next call
 * that takes the flag, or for gomem_scalable_drain. disown is
 * GOMEM_ERR_INVALID.
 *
 * Both kinds:
 * - gomem_scalable_stats never waits: any thread, any time (the owner's
 *   call applies the queued frees first, like its other calls).
 * - Borrowed bytes (gomem_scalable_borrow) are valid until the next call on
 *   the allocator other than stats; a queued free applied by that call may
 *   release the chunk they lie in.
 * - gomem_scalable_destroy may run on any thread, but not concurrently with
 *   any other call on the same allocator (queued frees included: join the
 *   freeing threads first). Queued frees are dropped, their memory released
 *   with everything else.
 * - No callback runs inside the allocator (gomem_scalable_read_cb calls its
 *   callback outside), so a read callback may use the allocator.
 * - A shared allocator's busy flag is held across fork(): a child may go on
 *   using a shared allocator. An owned one stays its owner's: see fork()
 *   in gomem/common.h. No call is async-signal-safe.
 */
#ifndef GOMEM_SCALABLE_H
#define GOMEM_SCALABLE_H

#include <gomem/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The largest chunk a scalable allocator adds (Go's MaxBlockSize, 4 MiB). */
#define GOMEM_SCALABLE_MAX_CHUNK ((size_t)4 << 20)

/** The largest front span (see "The front span" above), in bytes. */
#define GOMEM_SCALABLE_SPAN ((size_t)64 << 10)

/** gomem_scalable_new_ex flag: any thread may allocate (see Threads). */
#define GOMEM_SCALABLE_SHARED 1u

/** Upper bound of the process-wide cache of released chunks, in bytes of
 *  address space (resident or not: see "Where chunk bytes come from"). */
#define GOMEM_CHUNK_CACHE_MAX ((size_t)16 << 20)

/** A scalable allocator. Opaque. */
typedef struct gomem_scalable gomem_scalable;

/**
 * Statistics of a scalable allocator. The caller sets struct_size to
 * sizeof(gomem_stats) as it knows it; the library fills only the fields
 * that lie entirely within struct_size, so programs built against an older,
 * shorter struct keep working when fields are appended. Byte counts unless
 * said otherwise.
 *
 * Each field is read atomically, but the fields are not one snapshot: with
 * another thread at work they may come from slightly different moments.
 * Counters are pointer-sized inside, so they wrap at 2^32 on 32-bit targets.
 */
typedef struct gomem_stats {
  size_t struct_size;       /**< set by the caller: sizeof(gomem_stats) */
  uint64_t total_malloc;    /**< bytes handed out by malloc and the read helpers, ever (borrow not counted) */
  uint64_t total_free;      /**< bytes given back by free/free_rest (applied ones), ever */
  uint64_t in_use;          /**< total_malloc - total_free */
  uint64_t chunks;          /**< chunks held now (large blocks not counted) */
  uint64_t reserved;        /**< bytes held from the system now: chunks + large blocks (+ the borrow buffer) */
  uint64_t large_blocks;    /**< blocks served directly by the system and not yet released */
  uint64_t remote_pending;  /**< queued frees (see Threads) not yet applied, those waiting for memory to be tried again included */
  uint64_t remote_rejected; /**< queued frees found invalid when applied and dropped, ever */
} gomem_stats;

/**
 * Callback for gomem_scalable_read_cb: read up to @p n bytes into @p buf.
 *
 * @return the number of bytes read (1..@p n); 0 at end of data; a negative
 * value for an error, which gomem_scalable_read_cb returns unchanged (use a
 * GOMEM_ERR_* code or your own negative codes) when it fits an int, and as
 * GOMEM_ERR_OVERFLOW when it is below INT_MIN.
 */
typedef ptrdiff_t (*gomem_read_fn)(void *ctx, void *buf, size_t n);

/**
 * Create a scalable allocator whose first chunk has @p initial_size bytes
 * (any size; Go programs commonly use 1 KiB to 16 KiB), using the default
 * strategy for its chunks. It is OWNED by the calling thread (see Threads
 * above): gomem_scalable_new_ex(initial_size, GOMEM_STRATEGY_DEFAULT, 0).
 *
 * @return the allocator, owned by the caller (gomem_scalable_destroy), or
 * NULL with errno = EINVAL (@p initial_size 0) or ENOMEM.
 */
GOMEM_API gomem_scalable *gomem_scalable_new(size_t initial_size);

/**
 * gomem_scalable_new with the range-allocator strategy @p s for every chunk.
 *
 * @return as gomem_scalable_new; also NULL with errno = EINVAL (@p s not a
 * strategy) or ENOTSUP (@p s not built).
 */
GOMEM_API gomem_scalable *gomem_scalable_new_with(size_t initial_size, gomem_strategy s);

/**
 * gomem_scalable_new_with, plus @p flags: 0 for an allocator owned by the
 * calling thread, GOMEM_SCALABLE_SHARED for one any thread may allocate
 * from (see Threads above).
 *
 * @return as gomem_scalable_new_with; also NULL with errno = EINVAL when
 * @p flags has a bit other than GOMEM_SCALABLE_SHARED.
 */
GOMEM_API gomem_scalable *gomem_scalable_new_ex(size_t initial_size, gomem_strategy s,
                                                unsigned flags);

/**
 * Give up ownership of the owned allocator @p s (see Threads above): the
 * queued frees are applied, and the next allocating call (malloc, borrow,
 * trim, a read helper), from any thread, adopts it. Until then every free
 * is queued. Owner only.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p s is NULL or shared;
 * GOMEM_ERR_WRONG_THREAD when the calling thread does not own @p s (a
 * disowned allocator included). Nothing changes on error.
 */
GOMEM_API int gomem_scalable_disown(gomem_scalable *s);

/**
 * Release every chunk and large block (whatever is still allocated), the
 * queued remote frees and the allocator itself; every pointer into it
 * dies. NULL is a no-op. No other call on @p s may run concurrently.
 */
GOMEM_API void gomem_scalable_destroy(gomem_scalable *s);

/**
 * Allocate @p size bytes. The owner (or, shared, any thread; see Threads).
 *
 * @return a pointer to @p size bytes, owned by the caller until given back
 * with gomem_scalable_free (or the allocator is destroyed); or NULL with
 * errno = EINVAL (@p s NULL, @p size 0), EPERM (another thread owns @p s)
 * or ENOMEM (the system is out of memory).
 */
GOMEM_API void *gomem_scalable_malloc(gomem_scalable *s, size_t size);

/**
 * Allocate @p size bytes at an address that is a multiple of @p align.
 * Who may call, and the errno values: as gomem_scalable_malloc; the
 * statistics count @p size bytes.
 *
 * The front span serves it when its start is aligned (consecutive
 * allocations stay adjacent); else the chunks in creation order, each at
 * its range allocator's aligned placement (gomem_chunk_malloc_aligned),
 * then every free byte of each, then a new chunk large enough for an
 * aligned fit wherever it starts. It is complete: it fails only when the
 * system is out of memory. The padding in front of the piece stays free
 * and serves other requests. A request or an alignment that no chunk can
 * hold (above 4 MiB together), and every request in a
 * `-Drecyclable=false` build, is an aligned system block (align - 1 bytes
 * more reserved, released when all of it is freed). Give the piece back
 * with the ordinary gomem_scalable_free(@p s, ptr, @p size), or any part of
 * it. Memory checkers see it as malloc's.
 *
 * @param align  any power of two; 1 is gomem_scalable_malloc.
 * @return the pointer, or NULL with errno = EINVAL (@p s NULL, @p size 0,
 * @p align 0 or not a power of two), EPERM (another thread owns @p s) or
 * ENOMEM (out of memory, or @p size + @p align overflows). Nothing
 * changes on error.
 */
GOMEM_API void *gomem_scalable_malloc_aligned(gomem_scalable *s, size_t size, size_t align);

/**
 * Borrow @p size bytes: memory that stays free in the allocator's books,
 * valid only until the next call on @p s other than stats, from any thread
 * (Go's Borrow). Use it
 * at once as scratch space. Changes no malloc/free statistic (it may add a
 * chunk, which shows in chunks and reserved). Above 4 MiB, and in a
 * `-Drecyclable=false` build, the bytes come from one scratch buffer that
 * the allocator keeps (and reuses) until trim or destroy. Who may call:
 * as malloc.
 *
 * @return the pointer, or NULL with errno = EINVAL, EPERM or ENOMEM as for
 * gomem_scalable_malloc.
 */
GOMEM_API void *gomem_scalable_borrow(gomem_scalable *s, size_t size);

/**
 * Give back [@p ptr, @p ptr + @p len): any part of memory allocated from
 * @p s, or several neighbouring allocations of the same chunk at once.
 * A chunk that becomes completely free is released when others remain; a
 * large block, as soon as all of it is free. Any thread; never waits (see
 * Threads above): from a thread other than the owner (or, shared, while
 * another call holds the busy flag) the free is queued.
 *
 * With `-Drecyclable=false` each allocation is a system block: giving back
 * all of it at once releases it at once; giving back a part records that
 * part as free (a second free of it is a double free), and the block is
 * released when all of its bytes have been given back, in any number of
 * pieces. The bytes of a partly freed block stay readable until then.
 *
 * Applied at once (by the owner, or having got the busy flag): @return GOMEM_OK;
 * GOMEM_ERR_INVALID when @p s is NULL, @p len is 0, the range passes the
 * end of the chunk or block it starts in, or any byte of it is already
 * free while @p s still holds that chunk or block (double free);
 * GOMEM_ERR_NOT_OWNED when @p ptr (NULL included) is not inside memory
 * @p s holds; GOMEM_ERR_NOMEM when the bookkeeping must grow and there
 * is no memory (see "Running out of memory" above). Nothing changes on
 * error; a free that failed for lack of memory may be made again.
 *
 * What a double free returns therefore depends on whether the memory is
 * still held: a second free of a piece of a chunk returns
 * GOMEM_ERR_INVALID; once the chunk has been released (all of it free and
 * another chunk left), and for a large block or a `-Drecyclable=false`
 * allocation released because all of it was given back, the memory is no
 * longer @p s's and a second free returns GOMEM_ERR_NOT_OWNED. A second
 * free of a part of a partly freed large or system block (still held)
 * returns GOMEM_ERR_INVALID. Once the bytes have been handed out again (by
 * @p s, or by the system to anyone), a second free cannot be told from a
 * valid one: as with free(3), it gives back the new owner's bytes.
 *
 * Queued: @return GOMEM_OK; GOMEM_ERR_NOMEM when there is no memory for
 * the queue node (nothing queued); GOMEM_ERR_INVALID (@p s NULL, @p len 0,
 * range wraps around the address space) and GOMEM_ERR_NOT_OWNED (@p ptr
 * NULL) are still found at once. Every other error is found when the free
 * is applied: it is then dropped and counted in stats.remote_rejected;
 * GOMEM_ERR_NOMEM then keeps it queued for another try (see Threads).
 */
GOMEM_API int gomem_scalable_free(gomem_scalable *s, void *ptr, size_t len);

/**
 * Keep the first @p keep bytes of the allocation [@p ptr, @p ptr + @p len)
 * and give back the rest: gomem_scalable_free(s, ptr + keep, len - keep).
 * @p keep == @p len gives back nothing. Any thread, like free.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p keep > @p len; otherwise
 * what gomem_scalable_free returns. Nothing changes on error.
 */
GOMEM_API int gomem_scalable_free_rest(gomem_scalable *s, void *ptr, size_t len, size_t keep);

/**
 * Apply the queued frees, release every chunk that is completely free
 * (all of them may go: the next chunk then starts again from the initial
 * size), the front span and the borrow scratch buffer. Who may call: as
 * malloc; from another thread it does nothing. NULL is a no-op.
 */
GOMEM_API void gomem_scalable_trim(gomem_scalable *s);

/**
 * Apply the queued frees now, e.g. before reading statistics that must
 * count every free made so far. The owner's calls apply them anyway; for a
 * shared allocator drain also catches the rare free left queued by the
 * race described under Threads. The owner, or any thread when shared
 * (waits for the busy flag like malloc).
 *
 * A queued free that still finds no memory for the bookkeeping stays
 * queued (stats.remote_pending) for the next drain, or the next call that
 * applies the queue.
 *
 * @return the number of queued frees applied or rejected (0 when none
 * was waiting; those left queued for lack of memory not counted);
 * GOMEM_ERR_INVALID when @p s is NULL;
 * GOMEM_ERR_WRONG_THREAD when another thread owns @p s, or nobody does
 * (disowned).
 */
GOMEM_API int gomem_scalable_drain(gomem_scalable *s);

/**
 * Fill @p out with the allocator's statistics (see gomem_stats). Any thread.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p s or @p out is NULL or
 * out->struct_size < sizeof(size_t) (nothing written).
 */
GOMEM_API int gomem_scalable_stats(const gomem_scalable *s, gomem_stats *out);

/**
 * Add @p size bytes the caller provides at @p mem (shared memory, a
 * pinned buffer, a static arena) to @p s as a chunk of its own, served
 * like the others in the order chunks were added (after them). The
 * library never writes into it except through the pieces it hands out,
 * and never releases it: not when it becomes free, not at trim, not at
 * destroy; it never enters the chunk cache. It counts in stats.chunks but
 * not in stats.reserved (which is memory from the system). The region
 * must stay valid until @p s is destroyed. Who may call: as
 * gomem_scalable_malloc.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p s or @p mem NULL, size 0, the
 * region wraps around the address space, or it overlaps memory @p s
 * already manages: a chunk, a caller region or a large block);
 * GOMEM_ERR_WRONG_THREAD (another thread owns @p s); GOMEM_ERR_NOMEM (no
 * memory for the bookkeeping); GOMEM_ERR_UNSUPPORTED (a
 * `-Drecyclable=false` build, which has no chunks). Nothing changes on
 * error.
 */
GOMEM_API int gomem_scalable_add_region(gomem_scalable *s, void *mem, size_t size);

/**
 * Fill @p out with the free-space statistics over all chunks (see
 * gomem_free_stats): the free runs of every chunk, bytes its front span
 * and in-order frees hold included (a run never spans two chunks). System
 * blocks are not counted. Who may call: as gomem_scalable_malloc (it
 * applies the queued frees first, and adopts a disowned allocator); it
 * allocates nothing.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p s or @p out is NULL or
 * out->struct_size < sizeof(size_t); GOMEM_ERR_WRONG_THREAD (another
 * thread owns @p s). Nothing written on error.
 */
GOMEM_API int gomem_scalable_free_stats(const gomem_scalable *s, gomem_free_stats *out);

/**
 * A JSON map of @p s:
 * {"chunks":[{"size":N,"free_bytes":N,"free_blocks":N,"largest_free":N,
 *   "free":[[offset,length],...]},...],"large_blocks":N,
 *  "stats":{"total_malloc":N,...}} with the chunks in address order, each
 * with the keys of gomem_allocator_dump_json (offsets within the chunk,
 * free runs as gomem_scalable_free_stats counts them), and "stats"
 * holding every gomem_stats field but struct_size. Always valid JSON.
 * Who may call: as gomem_scalable_free_stats.
 *
 * @param[out] json  receives a NUL-terminated string owned by the caller:
 *                   free it with gomem_json_free. Untouched on error.
 * @param[out] len   receives its length without the NUL; may be NULL.
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p s or @p json NULL);
 * GOMEM_ERR_WRONG_THREAD; GOMEM_ERR_NOMEM (nothing allocated). The
 * allocator's chunks are never changed (queued frees are applied).
 */
GOMEM_API int gomem_scalable_dump_json(const gomem_scalable *s, char **json, size_t *len);

/**
 * Allocate @p n bytes, read(2) into them once (retrying on EINTR), give
 * back the unread tail and return what was read (Go's Read). Who may call:
 * as malloc; nothing is held while read(2) runs.
 *
 * @param[out] ptr  the bytes read, owned by the caller as if from
 *                  gomem_scalable_malloc (free with @p *len); NULL on error.
 * @param[out] len  how many bytes were read (1..@p n); 0 on error.
 * @return GOMEM_OK; GOMEM_ERR_EOF (read returned 0; nothing allocated);
 * GOMEM_ERR_INVALID (@p s, @p ptr or @p len NULL, @p n 0, or
 * read(2) failed: errno tells why, e.g. EAGAIN or EBADF); GOMEM_ERR_NOMEM;
 * GOMEM_ERR_WRONG_THREAD (another thread owns @p s: nothing read).
 * On error nothing stays allocated and the statistics are unchanged.
 *
 * Giving the tail back may need memory for the bookkeeping (a partial
 * free, see gomem_scalable_free). When there is none, the read still
 * succeeds and the tail waits like a queued free: counted in
 * stats.remote_pending (never in total_malloc or in_use), given back by
 * the next gomem_scalable_drain or call that applies the queue once
 * memory is back, and released by destroy in any case.
 */
GOMEM_API int gomem_scalable_read_fd(gomem_scalable *s, int fd, size_t n,
                                     void **ptr, size_t *len);

/**
 * gomem_scalable_read_fd with a callback as the source: allocate @p n
 * bytes, call @p fn(@p ctx, buf, @p n) once, give back the unread tail.
 * @p fn runs outside the allocator, so it may call it.
 *
 * @return GOMEM_OK; GOMEM_ERR_EOF (@p fn returned 0); the negative value
 * @p fn returned (GOMEM_ERR_OVERFLOW when it is below INT_MIN, so that no
 * error ever reads as success); GOMEM_ERR_INVALID (NULL argument, @p n 0,
 * or @p fn returned more than @p n); GOMEM_ERR_NOMEM;
 * GOMEM_ERR_WRONG_THREAD (another thread owns @p s: @p fn not called). On error nothing stays
 * allocated, *ptr is NULL and *len 0. The tail is given back as
 * gomem_scalable_read_fd says, memory or not.
 */
GOMEM_API int gomem_scalable_read_cb(gomem_scalable *s, gomem_read_fn fn, void *ctx,
                                     size_t n, void **ptr, size_t *len);

/**
 * @return true when this build carves allocations from pooled chunks
 * (`-Drecyclable=true`, the default); false when every allocation is a
 * system allocation (`-Drecyclable=false`).
 */
GOMEM_API bool gomem_scalable_pooled(void);

/**
 * Return every chunk in the process-wide chunk cache to the system, and
 * unmap the buddy pools that have no block in use (`-Dbuddy=true`). Safe
 * from any thread at any time; chunks in use are not touched.
 *
 * @return the number of bytes released.
 */
GOMEM_API size_t gomem_release_cached(void);

/**
 * @return the bytes of the chunks resting in the process-wide chunk cache
 * now: their address space, whether their pages are still resident or were
 * given back to the system (see "Where chunk bytes come from"). Any thread.
 */
GOMEM_API size_t gomem_cached_bytes(void);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_SCALABLE_H */
