/* SPDX-License-Identifier: MIT */
/*
 * A differential driver for gomem_reader: bytes in, a program out.
 *
 * The input is read as a segmentation (how many segments, each one's size
 * class) and then a sequence of reader operations with their arguments.
 * Every operation runs on a real gomem_memory + gomem_reader and on a flat
 * copy of the same bytes; after each one the results, the offset and the
 * remaining count must agree. Each segment is its own malloc block of its
 * exact size, so a read that strays past a segment end is caught by ASan
 * or Valgrind rather than landing on the neighbour's bytes.
 *
 * Used by the libFuzzer target (fuzz-reader.c, input from the fuzzer) and
 * by the randomized test in test-reader.c (input from a PRNG).
 */
#ifndef GOMEM_TEST_READER_MODEL_H
#define GOMEM_TEST_READER_MODEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Run the program in @data[0, @size).
 *
 * @param[out] ops number of operations executed; may be NULL.
 * @return 0 when the reader agreed with the model throughout; -1 with a
 * description of the first disagreement in @err.
 */
int reader_model_run(const uint8_t *data, size_t size, size_t *ops, char *err, size_t errlen);

#endif
