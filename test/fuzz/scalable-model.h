/* SPDX-License-Identifier: MIT */
/*
 * A differential driver for the scalable allocator: bytes in, a program
 * out.
 *
 * The input picks an owned or a shared allocator, a strategy and an
 * initial size, then a sequence of operations with their arguments:
 * malloc from 1 byte to past GOMEM_SCALABLE_MAX_CHUNK (so chunks grow and
 * system blocks come and go), frees of whole allocations, of their front,
 * back or middle, and of runs of neighbouring ones, frees that must be
 * refused (double, foreign, across an end, size 0, wrapping), free_rest,
 * borrow, read_cb, trim, drain, stats with short structs, disown (every
 * free is then queued until the next allocating call adopts the
 * allocator) and gomem_release_cached.
 *
 * The model is the set of live allocations, sorted by address, each
 * filled with its own tag byte (above 64 KiB, 4 KiB of every 64 KiB): a
 * new allocation or a borrow must overlap none of them, every tag is
 * checked before its bytes are freed and regularly throughout, every
 * return code is the documented one, and the statistics (totals, in use,
 * large blocks, queued and rejected frees) follow the model after every
 * operation. So do the chunks and system blocks that gomem__scalable_walk
 * lists: each live allocation lies in one, their free runs are exactly
 * the bytes no live allocation holds, their sizes add up to the reserved
 * bytes, a free that empties a chunk releases it when others remain, and
 * after trim no chunk is empty.
 *
 * Used by the libFuzzer target (fuzz-scalable.c) and by the scalable Check
 * suite (seed corpus and random programs).
 */
#ifndef GOMEM_TEST_SCALABLE_MODEL_H
#define GOMEM_TEST_SCALABLE_MODEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Run the program in @data[0, @size).
 *
 * @param[out] ops number of operations executed; may be NULL.
 * @return 0 when the allocator agreed with the model throughout; -1 with a
 * description of the first disagreement in @err.
 */
int scalable_model_run(const uint8_t *data, size_t size, size_t *ops, char *err, size_t errlen);

#endif
