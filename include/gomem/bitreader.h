/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/bitreader.h — bit fields and exp-Golomb codes over a reader.
 *
 * A gomem_bitreader reads the bytes of a gomem_reader (so, of a segmented
 * gomem_memory, without copying it) most significant bit first, as H.264,
 * H.265, AAC and MPEG headers are written: fixed-width fields of 0–64 bits,
 * unsigned and signed exp-Golomb codes (ue(v), se(v)), skips and byte
 * alignment.
 *
 * With GOMEM_BITREADER_EMULATION the bytes are an H.26x NAL unit payload:
 * the 0x03 of every 00 00 03 (emulation prevention) is dropped, whatever
 * byte follows, also when the three bytes lie in different segments. The
 * zero bytes counted are those this bit reader has taken; start it right
 * after the NAL unit header.
 *
 * Position: the reader advances by the bytes the bit reader has taken. A
 * byte of which some bits are still unread counts as taken, so after
 * gomem_bitreader_align the reader stands exactly after the last bit read
 * and can go on with byte reads. If the reader is moved by other calls
 * between two bit reader calls, the bit reader notices it (the reader's
 * cursor is not where the bit reader left it) and starts afresh at the
 * reader's position: the unread bits of its last byte and the zero bytes it
 * had counted are forgotten. gomem_reader_clip_front and pushes to the
 * memory do not move the cursor, so they may come between bit reads. After
 * gomem_reader_reset, make a new bit reader.
 *
 * Errors: every call either succeeds or changes nothing — the reader and
 * the bit reader are as before (GOMEM_ERR_EOF when the data ends first,
 * GOMEM_ERR_OVERFLOW for an exp-Golomb code too long for 64 bits,
 * GOMEM_ERR_INVALID for NULL arguments or n > 64).
 *
 *     gomem_bitreader *b = gomem_bitreader_new(r, GOMEM_BITREADER_EMULATION);
 *     uint64_t profile_idc, sps_id;
 *     gomem_bitreader_read_bits(b, 8, &profile_idc);
 *     gomem_bitreader_skip_bits(b, 16);
 *     gomem_bitreader_read_ue(b, &sps_id);
 *     gomem_bitreader_destroy(b);
 *
 * Threads: as its reader — one thread at a time.
 */
#ifndef GOMEM_BITREADER_H
#define GOMEM_BITREADER_H

#include <gomem/common.h>
#include <gomem/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Drop the 0x03 of every 00 00 03 (H.264/H.265 RBSP). */
#define GOMEM_BITREADER_EMULATION 1u

/** A bit cursor on top of a gomem_reader. Opaque. */
typedef struct gomem_bitreader gomem_bitreader;

/**
 * Create a bit reader that takes its bytes from @p r, starting at the
 * reader's current position with no bit read. It does not own @p r, which
 * must outlive it.
 *
 * @param flags 0 or GOMEM_BITREADER_EMULATION.
 * @return the bit reader (gomem_bitreader_destroy), or NULL with errno =
 * EINVAL (@p r NULL, an unknown flag) or ENOMEM.
 */
GOMEM_API gomem_bitreader *gomem_bitreader_new(gomem_reader *r, unsigned flags);

/** Free @p b; the reader stays where it is. NULL is a no-op. */
GOMEM_API void gomem_bitreader_destroy(gomem_bitreader *b);

/**
 * Read @p n bits (0–64), most significant first, as an unsigned number:
 * the first bit read is bit n−1 of @p *out. n = 0 reads nothing and gives 0.
 *
 * @return GOMEM_OK; GOMEM_ERR_EOF when fewer than @p n bits remain (nothing
 * consumed, @p *out untouched); GOMEM_ERR_INVALID (NULL argument, @p n > 64).
 */
GOMEM_API int gomem_bitreader_read_bits(gomem_bitreader *b, unsigned n, uint64_t *out);

/**
 * Read an unsigned exp-Golomb code, ue(v): k zero bits, a one bit, then k
 * bits x; the value is 2^k − 1 + x. Every value up to 2^64 − 2 (k = 63)
 * decodes.
 *
 * @return GOMEM_OK; GOMEM_ERR_OVERFLOW when the next 64 bits are all zero
 * (the code is longer than any 64-bit value needs; decided as soon as the
 * 64th zero is seen, whatever follows); GOMEM_ERR_EOF when the data ends
 * inside the code; GOMEM_ERR_INVALID for NULL. Nothing is consumed on error.
 */
GOMEM_API int gomem_bitreader_read_ue(gomem_bitreader *b, uint64_t *out);

/**
 * Read a signed exp-Golomb code, se(v): the ue(v) value k maps to
 * (k + 1) / 2 when k is odd and −k / 2 when it is even (0, 1, −1, 2, −2, …),
 * so every value in [−(2^63 − 1), 2^63 − 1] decodes.
 *
 * @return as gomem_bitreader_read_ue.
 */
GOMEM_API int gomem_bitreader_read_se(gomem_bitreader *b, int64_t *out);

/**
 * Consume @p n bits (any number).
 *
 * @return GOMEM_OK; GOMEM_ERR_EOF when fewer than @p n bits remain (nothing
 * consumed); GOMEM_ERR_INVALID for NULL.
 */
GOMEM_API int gomem_bitreader_skip_bits(gomem_bitreader *b, size_t n);

/**
 * Drop the unread bits of the current byte, so the next bit read is the
 * first of the next byte. Already aligned: nothing changes.
 *
 * @return GOMEM_OK; GOMEM_ERR_INVALID for NULL.
 */
GOMEM_API int gomem_bitreader_align(gomem_bitreader *b);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_BITREADER_H */
