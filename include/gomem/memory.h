/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/memory.h — an ordered list of byte segments (Go's Memory).
 *
 * A gomem_memory is a `struct iovec[]` that knows its total size: pushing a
 * segment records a pointer and a length, nothing is copied. Protocol code
 * collects the pieces of a packet here and then writes them with one
 * `writev` (gomem_memory_write_fd) or parses them with a gomem_reader.
 *
 * Ownership: the memory owns its array of segment descriptors, never the
 * bytes the segments point to. Those stay the caller's (or a recyclable
 * memory's) and must outlive every use of the segment. Destroying or
 * resetting a memory frees no segment bytes.
 *
 * Empty segments (length 0, pointer possibly NULL) are allowed everywhere
 * and count as segments.
 *
 * Threads: one thread at a time per memory; functions taking a const
 * memory may run concurrently with each other on the same memory.
 */
#ifndef GOMEM_MEMORY_H
#define GOMEM_MEMORY_H

#include <sys/types.h>
#include <sys/uio.h>

#include <gomem/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An ordered list of segments. Opaque. */
typedef struct gomem_memory gomem_memory;

/**
 * Create an empty memory. Allocates nothing until the first push.
 *
 * @return the memory, owned by the caller (gomem_memory_destroy), or NULL
 * with errno = ENOMEM.
 */
GOMEM_API gomem_memory *gomem_memory_new(void);

/** Free the segment array (not the segment bytes). NULL is a no-op. */
GOMEM_API void gomem_memory_destroy(gomem_memory *m);

/**
 * Append the segment [@p ptr, @p ptr + @p len). The bytes are not copied
 * and stay owned by the caller. @p ptr may be NULL only when @p len is 0.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p m NULL, @p ptr NULL with @p len >
 * 0); GOMEM_ERR_OVERFLOW (the total size would not fit a size_t);
 * GOMEM_ERR_NOMEM (the segment array could not grow). @p m is unchanged on
 * error.
 */
GOMEM_API int gomem_memory_push(gomem_memory *m, const void *ptr, size_t len);

/**
 * Append @p n segments from @p spans, in order — all of them or none.
 *
 * @return GOMEM_OK (also for @p n 0); the errors of gomem_memory_push, and
 * GOMEM_ERR_INVALID when @p spans is NULL with @p n > 0. @p m is unchanged
 * on error.
 */
GOMEM_API int gomem_memory_push_many(gomem_memory *m, const gomem_span *spans, size_t n);

/**
 * Append every segment of @p src to @p m (views, no bytes copied); @p src
 * is not changed. @p src may be @p m itself (its segments then appear
 * twice).
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID (NULL argument); GOMEM_ERR_OVERFLOW;
 * GOMEM_ERR_NOMEM. @p m is unchanged on error.
 */
GOMEM_API int gomem_memory_append(gomem_memory *m, const gomem_memory *src);

/** @return the total number of bytes in all segments; 0 for NULL. */
GOMEM_API size_t gomem_memory_size(const gomem_memory *m);

/** @return the number of segments, empty ones included; 0 for NULL. */
GOMEM_API size_t gomem_memory_count(const gomem_memory *m);

/**
 * Look up segment @p index: 0 is the first, -1 the last, -count the first.
 * @p ptr and @p len may each be NULL when not wanted.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p m is NULL or @p index is out
 * of range (outputs untouched).
 */
GOMEM_API int gomem_memory_segment(const gomem_memory *m, ptrdiff_t index,
                                   const void **ptr, size_t *len);

/**
 * Replace segment @p index (negative counts from the end) by [@p ptr, @p ptr
 * + @p len); the total size changes by the difference of the lengths. The
 * old bytes are not touched.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID (@p m NULL, @p index out of range,
 * @p ptr NULL with @p len > 0); GOMEM_ERR_OVERFLOW (new total too large).
 * @p m is unchanged on error.
 */
GOMEM_API int gomem_memory_update_segment(gomem_memory *m, ptrdiff_t index,
                                          const void *ptr, size_t len);

/**
 * Remove the first @p n segments (O(1): the array is not moved). Their bytes
 * are not touched.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p m is NULL or @p n > count
 * (nothing removed).
 */
GOMEM_API int gomem_memory_drop_front(gomem_memory *m, size_t n);

/**
 * Call @p fn(ptr, len, ctx) for each segment in order. @p fn returns 0 to
 * go on or non-zero to stop. @p m must not change during the walk.
 *
 * @return 0 after the last segment, the value @p fn stopped with, or
 * GOMEM_ERR_INVALID when @p m or @p fn is NULL.
 */
GOMEM_API int gomem_memory_foreach(const gomem_memory *m,
                                   int (*fn)(const void *ptr, size_t len, void *ctx),
                                   void *ctx);

/**
 * Copy the bytes of all segments, in order, into @p dst, at most @p cap of
 * them. @p dst may be NULL when @p cap is 0.
 *
 * @return the number of bytes copied: min(size, @p cap); 0 when @p m is
 * NULL or @p dst is NULL.
 */
GOMEM_API size_t gomem_memory_copy_to(const gomem_memory *m, void *dst, size_t cap);

/**
 * Copy all bytes into one new contiguous buffer (Go's ToBytes).
 *
 * @param[out] len the buffer's length (= size); may be NULL.
 * @return the buffer, owned by the caller, to be freed with
 * gomem_memory_free_bytes (free() also works from C; FFI callers should use
 * the former). Never NULL on success, even for size 0. NULL with errno =
 * EINVAL (@p m NULL) or ENOMEM.
 */
GOMEM_API void *gomem_memory_to_bytes(const gomem_memory *m, size_t *len);

/** Free a buffer from gomem_memory_to_bytes. NULL is a no-op. */
GOMEM_API void gomem_memory_free_bytes(void *buf);

/**
 * Copy the bytes of @p src into the caller's @p buf (which needs room for
 * gomem_memory_size(@p src) bytes) and push @p buf as one segment of @p m
 * (Go's CopyFrom). @p buf stays owned by the caller. @p src may be @p m.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID (NULL argument, or @p cap smaller than
 * the size of @p src); the errors of gomem_memory_push. Neither memory nor
 * @p buf is changed on error.
 */
GOMEM_API int gomem_memory_copy_from(gomem_memory *m, const gomem_memory *src,
                                     void *buf, size_t cap);

/**
 * Go's Equal: true when both have the same size, the same number of
 * segments and segment i of one holds the same bytes as segment i of the
 * other. Two NULLs are equal; NULL and a memory are not.
 */
GOMEM_API bool gomem_memory_equal(const gomem_memory *a, const gomem_memory *b);

/**
 * @return true when @p a and @p b hold the same byte sequence, whatever
 * their segmentation. Two NULLs are equal; NULL and a memory are not.
 */
GOMEM_API bool gomem_memory_equal_bytes(const gomem_memory *a, const gomem_memory *b);

/**
 * Forget every segment (the array is kept for reuse; no segment bytes are
 * touched). NULL is a no-op.
 */
GOMEM_API void gomem_memory_reset(gomem_memory *m);

/**
 * The segments as an array of `struct iovec`, without copying: element i
 * is segment i. Valid until the next call that changes @p m. Read only.
 *
 * @param[out] count the number of elements; may be NULL.
 * @return the array, or NULL (count 0) when @p m is NULL or has no segment.
 */
GOMEM_API const struct iovec *gomem_memory_iovec(const gomem_memory *m, size_t *count);

/**
 * Write all bytes to @p fd with writev(2), in batches of at most IOV_MAX
 * segments. A short write is resumed from the first unwritten byte and an
 * interrupted call (EINTR) is retried, so each byte is written exactly
 * once, in order.
 *
 * If writev fails after some bytes went out (EAGAIN on a non-blocking
 * descriptor, EPIPE, ...), the count written so far is returned and errno
 * is set; continue with gomem_memory_write_fd_from(m, fd, count).
 * A broken pipe raises SIGPIPE unless the caller ignores it.
 *
 * @return the number of bytes written (= size on full success, 0 for an
 * empty memory); GOMEM_ERR_INVALID when @p m is NULL or writev failed
 * before writing anything (errno tells why, e.g. EAGAIN or EBADF);
 * GOMEM_ERR_OVERFLOW when the size exceeds SSIZE_MAX.
 */
GOMEM_API ssize_t gomem_memory_write_fd(const gomem_memory *m, int fd);

/**
 * gomem_memory_write_fd for the bytes from offset @p skip on (to resume
 * after a partial write). Returns what gomem_memory_write_fd returns,
 * counting only bytes written by this call; GOMEM_ERR_INVALID when @p skip
 * exceeds the size.
 */
GOMEM_API ssize_t gomem_memory_write_fd_from(const gomem_memory *m, int fd, size_t skip);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_MEMORY_H */
