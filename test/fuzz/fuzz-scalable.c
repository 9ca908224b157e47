/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input is an owned or shared scalable allocator and
 * a program of its operations (see scalable-model.h), run against a model
 * of the live allocations, each filled with its own tag. Any disagreement
 * aborts with a description; ASan/UBSan catch the rest. Build and run: see
 * README in this directory.
 */
#include <stdio.h>
#include <stdlib.h>

#include "scalable-model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char err[512];

  if (scalable_model_run(data, size, NULL, err, sizeof(err)) != 0) {
    fprintf(stderr, "fuzz-scalable: %s\n", err);
    abort();
  }
  return 0;
}
