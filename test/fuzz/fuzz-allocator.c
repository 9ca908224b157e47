/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input is a strategy, a pool and a program of range
 * allocator or chunk operations (see allocator-model.h), run against a
 * byte-map model. Any disagreement aborts with a description; ASan/UBSan
 * catch the rest. Build and run: see README in this directory.
 */
#include <stdio.h>
#include <stdlib.h>

#include "allocator-model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char err[512];

  if (allocator_model_run(data, size, NULL, err, sizeof(err)) != 0) {
    fprintf(stderr, "fuzz-allocator: %s\n", err);
    abort();
  }
  return 0;
}
