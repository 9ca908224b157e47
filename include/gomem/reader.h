/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/reader.h — a zero-copy cursor over a memory (Go's MemoryReader).
 *
 * A reader walks the bytes of a gomem_memory as one stream, across segment
 * boundaries, without copying them first: parse integers, floats, LEB128
 * and zigzag varints, search for a byte or a byte string, skip, step back,
 * hand runs of bytes to a callback, and finally clip the parsed front off
 * the memory so its segments can be recycled. For bit fields (H.264/H.265
 * headers, exp-Golomb codes) put a gomem_bitreader (gomem/bitreader.h) on
 * top of a reader.
 *
 * Rules shared by every function here:
 * - A read that needs more bytes than remain returns GOMEM_ERR_EOF and
 *   consumes nothing: the reader is exactly as before the call.
 * - Empty segments are skipped wherever they are.
 * - The reader sees bytes pushed or appended to the memory after it was
 *   created (the stream may grow). Any other change to the memory made
 *   outside this reader (reset, update_segment, drop_front, destroy) makes
 *   the reader invalid until gomem_reader_reset is called on it.
 * - "offset" is the number of bytes consumed since the reader started or
 *   since the last gomem_reader_clip_front; "remaining" is size − offset.
 *
 * Two ways to get a reader, with the same functions afterwards:
 * - gomem_reader_new: heap-allocated, for FFI and long-lived use.
 * - gomem_reader_init over caller storage (gomem_reader_storage, on the
 *   stack or inside a struct): no allocation per packet. The storage type
 *   has a fixed public size with room to spare, so the library can add
 *   state in later versions without breaking the ABI.
 *
 *     gomem_reader_storage st;
 *     gomem_reader *r = gomem_reader_init(&st, sizeof(st), mem);
 *     uint64_t len;
 *     if (gomem_reader_read_uleb128(r, &len) == GOMEM_OK) ...
 *
 * Threads: one thread at a time per reader, and the memory must not be
 * changed from another thread while the reader is used.
 */
#ifndef GOMEM_READER_H
#define GOMEM_READER_H

#include <gomem/common.h>
#include <gomem/memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A cursor over a gomem_memory. Opaque, apart from its window. */
typedef struct gomem_reader gomem_reader;

/**
 * The unread bytes of the reader's current segment, [cur, end). Every
 * gomem_reader begins with one; this layout is part of the ABI. It exists
 * for the inline helpers below, which consume a byte without a call into
 * the library; never write it yourself.
 */
typedef struct gomem_reader_window {
  const unsigned char *cur; /**< the next unread byte */
  const unsigned char *end; /**< one past the segment's last byte */
} gomem_reader_window;

/** Size in bytes of gomem_reader_storage. Fixed for the ABI's lifetime. */
#define GOMEM_READER_STORAGE_SIZE 96

/**
 * Caller-provided room for a reader (see gomem_reader_init). Treat it as
 * opaque: never read or write its members.
 */
typedef union gomem_reader_storage {
  void *align_ptr_;   /**< aligns the storage for pointers */
  uint64_t align_u64_; /**< aligns the storage for 64-bit integers */
  unsigned char bytes_[GOMEM_READER_STORAGE_SIZE]; /**< the room itself */
} gomem_reader_storage;

/**
 * Create a heap reader positioned at the first byte of @p m. The reader
 * does not own @p m; @p m must outlive it. gomem_reader_clip_front edits @p m.
 *
 * @return the reader (gomem_reader_destroy), or NULL with errno = EINVAL
 * (@p m NULL) or ENOMEM.
 */
GOMEM_API gomem_reader *gomem_reader_new(gomem_memory *m);

/**
 * Build a reader inside @p storage, positioned at the first byte of @p m.
 * Allocates nothing; the reader lives as long as @p storage and needs no
 * destroy (gomem_reader_destroy on it is a harmless no-op). Pass
 * `sizeof(gomem_reader_storage)` as @p storage_size.
 *
 * @return @p storage seen as a reader, or NULL with errno = EINVAL
 * (@p storage or @p m NULL, @p storage_size too small).
 */
GOMEM_API gomem_reader *gomem_reader_init(gomem_reader_storage *storage, size_t storage_size,
                                          gomem_memory *m);

/** Free a reader from gomem_reader_new. NULL, and a reader from gomem_reader_init, are no-ops. */
GOMEM_API void gomem_reader_destroy(gomem_reader *r);

/**
 * Restart @p r at the first byte of @p m (which may be its old memory or
 * another one); offset becomes 0.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when an argument is NULL.
 */
GOMEM_API int gomem_reader_reset(gomem_reader *r, gomem_memory *m);

/** @return the memory @p r reads; NULL for NULL. */
GOMEM_API gomem_memory *gomem_reader_memory(const gomem_reader *r);

/** @return the bytes not yet consumed; 0 for NULL. */
GOMEM_API size_t gomem_reader_remaining(const gomem_reader *r);

/** @return the bytes consumed since the start or the last clip_front; 0 for NULL. */
GOMEM_API size_t gomem_reader_offset(const gomem_reader *r);

/**
 * Copy up to @p n bytes into @p dst and consume them.
 *
 * @return the number copied: min(@p n, remaining); 0 at the end or when
 * @p r is NULL or @p dst is NULL.
 */
GOMEM_API size_t gomem_reader_read(gomem_reader *r, void *dst, size_t n);

/**
 * Copy exactly @p n bytes into @p dst and consume them.
 *
 * @return GOMEM_OK; GOMEM_ERR_EOF when fewer than @p n remain (nothing
 * consumed, @p dst untouched); GOMEM_ERR_INVALID (@p r NULL, @p dst NULL
 * with @p n > 0).
 */
GOMEM_API int gomem_reader_read_exact(gomem_reader *r, void *dst, size_t n);

/**
 * Copy exactly @p n bytes into @p dst without consuming them. Errors as
 * for gomem_reader_read_exact.
 */
GOMEM_API int gomem_reader_peek(const gomem_reader *r, void *dst, size_t n);

/**
 * Read one byte.
 *
 * @return GOMEM_OK; GOMEM_ERR_EOF at the end; GOMEM_ERR_INVALID for NULL.
 */
GOMEM_API int gomem_reader_read_byte(gomem_reader *r, uint8_t *out);

/** Read one byte and store `byte & mask` in @p out. Errors as read_byte. */
GOMEM_API int gomem_reader_read_byte_mask(gomem_reader *r, uint8_t mask, uint8_t *out);

/**
 * Read an unsigned big-endian integer of @p nbytes bytes (1–8).
 *
 * @return GOMEM_OK; GOMEM_ERR_EOF (fewer than @p nbytes remain; nothing
 * consumed); GOMEM_ERR_INVALID (NULL argument, @p nbytes 0 or > 8).
 */
GOMEM_API int gomem_reader_read_be(gomem_reader *r, unsigned nbytes, uint64_t *out);

/** As gomem_reader_read_be, little-endian. */
GOMEM_API int gomem_reader_read_le(gomem_reader *r, unsigned nbytes, uint64_t *out);

/**
 * Read an unsigned LEB128 integer (7 bits per byte, low group first, high
 * bit = more follow) over the full 64-bit range: at most 10 bytes.
 *
 * @param[out] nread bytes the encoding took (1–10); may be NULL.
 * @return GOMEM_OK; GOMEM_ERR_OVERFLOW when the value does not fit 64 bits
 * (a 10th byte above 1, or more than 10 bytes); GOMEM_ERR_EOF when the data
 * ends inside the encoding; GOMEM_ERR_INVALID for NULL. Nothing is consumed
 * on error.
 */
GOMEM_API int gomem_reader_read_uleb128_n(gomem_reader *r, uint64_t *out, size_t *nread);

/** gomem_reader_read_uleb128_n without the byte count. */
GOMEM_API int gomem_reader_read_uleb128(gomem_reader *r, uint64_t *out);

/**
 * Read a signed LEB128 integer (DWARF's SLEB128: 7 bits per byte, low group
 * first, high bit = more follow, bit 6 of the last byte = sign) over the
 * full int64_t range: at most 10 bytes.
 *
 * @return GOMEM_OK; GOMEM_ERR_OVERFLOW when the value does not fit int64_t
 * (a 10th byte other than 0x00 or 0x7f, or more than 10 bytes);
 * GOMEM_ERR_EOF when the data ends inside the encoding; GOMEM_ERR_INVALID
 * for NULL. Nothing is consumed on error.
 */
GOMEM_API int gomem_reader_read_sleb128(gomem_reader *r, int64_t *out);

/**
 * Read a protobuf sint64: an unsigned LEB128 integer u decoded as
 * (u >> 1) ^ -(u & 1), so 0, 1, 2, 3, 4 are 0, -1, 1, -2, 2. Every int64_t
 * value has an encoding.
 *
 * @return as gomem_reader_read_uleb128 (GOMEM_ERR_OVERFLOW beyond 64 bits,
 * GOMEM_ERR_EOF, GOMEM_ERR_INVALID); nothing is consumed on error.
 */
GOMEM_API int gomem_reader_read_zigzag(gomem_reader *r, int64_t *out);

/**
 * Read an IEEE 754 binary32 stored big-endian (network order, as in AMF
 * and MP4) or little-endian (_le). The bits are copied exactly: NaN
 * payloads and signalling NaNs come through unchanged.
 *
 * @return GOMEM_OK; GOMEM_ERR_EOF when fewer than 4 bytes remain (nothing
 * consumed); GOMEM_ERR_INVALID for NULL.
 */
GOMEM_API int gomem_reader_read_f32_be(gomem_reader *r, float *out);

/** As gomem_reader_read_f32_be, little-endian. */
GOMEM_API int gomem_reader_read_f32_le(gomem_reader *r, float *out);

/** As gomem_reader_read_f32_be, for an 8-byte binary64 (AMF0 numbers). */
GOMEM_API int gomem_reader_read_f64_be(gomem_reader *r, double *out);

/** As gomem_reader_read_f64_be, little-endian. */
GOMEM_API int gomem_reader_read_f64_le(gomem_reader *r, double *out);

/**
 * Find the first unread byte equal to @p byte, without consuming anything.
 * Each segment is searched with memchr.
 *
 * @param[out] pos its distance from the cursor (0 = the next byte read).
 * @return GOMEM_OK; GOMEM_ERR_EOF when no unread byte matches (@p pos
 * untouched); GOMEM_ERR_INVALID for NULL.
 */
GOMEM_API int gomem_reader_find_byte(const gomem_reader *r, uint8_t byte, size_t *pos);

/**
 * Find the first occurrence of @p needle[0, @p n) in the unread bytes,
 * without consuming anything. A match may straddle any number of segment
 * boundaries. Candidates are found by memchr on the needle's first byte
 * and checked in place (inside a segment with memmem once candidates turn
 * out too many to stay linear); no byte is copied. An empty needle matches
 * at 0.
 *
 * @param[out] pos the match's distance from the cursor; after
 * gomem_reader_skip(r, pos) the next @p n bytes read are the needle.
 * @return GOMEM_OK; GOMEM_ERR_EOF when the needle does not occur (@p pos
 * untouched); GOMEM_ERR_INVALID (@p r or @p pos NULL, @p needle NULL with
 * @p n > 0).
 */
GOMEM_API int gomem_reader_find(const gomem_reader *r, const void *needle, size_t n, size_t *pos);

/*
 * Inline fast paths for byte-at-a-time parsers (C and C++ only; FFI users
 * call the exported functions). Each does the common case, a byte in the
 * current segment, right here in the caller, and otherwise calls the
 * exported function: results, errors and state afterwards are exactly
 * those of gomem_reader_read_byte and gomem_reader_read_uleb128.
 */

/** gomem_reader_read_byte, inline while the current segment lasts. */
static inline int gomem_reader_read_byte_inline(gomem_reader *r, uint8_t *out)
{
  gomem_reader_window *w = (gomem_reader_window *)(void *)r;

  if (r && out && w->cur != w->end) {
    *out = *w->cur++;
    return GOMEM_OK;
  }
  return gomem_reader_read_byte(r, out);
}

/** gomem_reader_read_uleb128, inline for a one-byte value (0–127). */
static inline int gomem_reader_read_uleb128_inline(gomem_reader *r, uint64_t *out)
{
  gomem_reader_window *w = (gomem_reader_window *)(void *)r;

  if (r && out && w->cur != w->end && *w->cur < 0x80) {
    *out = *w->cur++;
    return GOMEM_OK;
  }
  return gomem_reader_read_uleb128(r, out);
}

/**
 * Consume @p n bytes without copying them.
 *
 * @return GOMEM_OK; GOMEM_ERR_EOF when fewer than @p n remain (nothing
 * consumed); GOMEM_ERR_INVALID for NULL.
 */
GOMEM_API int gomem_reader_skip(gomem_reader *r, size_t n);

/**
 * gomem_reader_skip, inline while the current segment holds the @p n
 * bytes (a parser stepping over fields); otherwise the exported call, with
 * the same results, errors and state afterwards.
 */
static inline int gomem_reader_skip_inline(gomem_reader *r, size_t n)
{
  gomem_reader_window *w = (gomem_reader_window *)(void *)r;

  /* n - 1 < left: 1 <= n <= left, so cur is a real pointer (n = 0 on a
   * fresh reader would add 0 to NULL; the call handles it). */
  if (r && n - 1 < (size_t)(w->end - w->cur)) {
    w->cur += n;
    return GOMEM_OK;
  }
  return gomem_reader_skip(r, n);
}

/** Consume everything that remains (Go's MoveToEnd). NULL is a no-op. */
GOMEM_API void gomem_reader_move_to_end(gomem_reader *r);

/**
 * Step back @p n bytes, making them unread again.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID when @p r is NULL or @p n > offset
 * (that would pass the start; nothing changes).
 */
GOMEM_API int gomem_reader_unread(gomem_reader *r, size_t n);

/**
 * The unread part of the current segment: the longest run of bytes that
 * starts at the cursor and is contiguous in memory (empty segments are
 * stepped over). Consumes nothing; valid while the segment is.
 *
 * @return GOMEM_OK (@p *len > 0); GOMEM_ERR_EOF when nothing remains
 * (@p *ptr NULL, @p *len 0); GOMEM_ERR_INVALID for NULL arguments.
 */
GOMEM_API int gomem_reader_current(gomem_reader *r, const void **ptr, size_t *len);

/**
 * Consume @p n bytes (SIZE_MAX = all that remain), handing them to
 * @p fn(ptr, len, ctx) as contiguous non-empty runs, in order, without
 * copying. Each run is consumed before @p fn sees it; @p fn returns 0 to go
 * on or non-zero to stop early (the bytes after that run stay unread).
 * @p fn may be NULL: the bytes are just skipped.
 *
 * @return 0 when all @p n bytes were handed over; the non-zero value @p fn
 * stopped with; GOMEM_ERR_EOF when @p n is not SIZE_MAX and fewer than @p n
 * remain (nothing consumed, @p fn not called); GOMEM_ERR_INVALID for NULL.
 */
GOMEM_API int gomem_reader_range(gomem_reader *r, size_t n,
                                 int (*fn)(const void *ptr, size_t len, void *ctx), void *ctx);

/**
 * Remove the consumed front from the memory: every segment that lies wholly
 * before the cursor is dropped, and a segment the cursor is inside is cut to
 * its unread part. Each removed piece (whole segments, empty ones included,
 * then the consumed head of a cut segment) is first handed to @p fn(ptr,
 * len, ctx) so it can be recycled. Afterwards offset is 0 and remaining is
 * unchanged. @p fn may be NULL. A non-zero return from @p fn stops early:
 * the pieces handed over so far are removed, the rest stays (the reader
 * stays valid, offset counts what was not removed).
 *
 * @return 0, the non-zero value @p fn stopped with, or GOMEM_ERR_INVALID
 * for NULL @p r.
 */
GOMEM_API int gomem_reader_clip_front(gomem_reader *r,
                                      int (*fn)(const void *ptr, size_t len, void *ctx),
                                      void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_READER_H */
