/* SPDX-License-Identifier: MIT */
/*
 * A differential driver for the range allocator and the chunk: bytes in,
 * a program out.
 *
 * The input picks a strategy (one of those this build has, or
 * GOMEM_STRATEGY_DEFAULT), a pool size and whether the program runs on a
 * bare gomem_allocator or on a gomem_chunk, then a sequence of operations
 * with their arguments: allocations, frees of any allocated sub-range,
 * frees that must be refused, find/borrow, the scalable allocator's
 * take_upto, early-stopping walks, reset and init. Every result is
 * compared with the byte map of test/model.h (exact offsets for first fit
 * and best fit, the size class of tlsf's good fit, and alloc where find
 * said), and after every operation the free-block list, free size and
 * block count must equal the model's and gomem__allocator_check must
 * pass. In chunk mode every allocated byte holds its allocation's tag,
 * checked before it is freed and regularly throughout, so overlapping
 * allocations or stray writes show.
 *
 * A bare allocator with first or best fit may run over "granules" of 2^k
 * units (up to a pool of almost 2^62 units), so that the arithmetic near
 * the top of the address space is exercised too; the model then counts
 * granules.
 *
 * Used by the libFuzzer target (fuzz-allocator.c) and by the allocator
 * Check suite (seed corpus and random programs).
 */
#ifndef GOMEM_TEST_ALLOCATOR_MODEL_H
#define GOMEM_TEST_ALLOCATOR_MODEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Run the program in @data[0, @size).
 *
 * @param[out] ops number of operations executed; may be NULL.
 * @return 0 when the allocator agreed with the model throughout; -1 with a
 * description of the first disagreement in @err.
 */
int allocator_model_run(const uint8_t *data, size_t size, size_t *ops, char *err, size_t errlen);

#endif
