/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input is a segmentation plus a program of reader
 * operations (see reader-model.h), run against a flat model. Any
 * disagreement aborts with a description; ASan/UBSan catch the rest.
 * Build and run: see README in this directory.
 */
#include <stdio.h>
#include <stdlib.h>

#include "reader-model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char err[512];

  if (reader_model_run(data, size, NULL, err, sizeof(err)) != 0) {
    fprintf(stderr, "fuzz-reader: %s\n", err);
    abort();
  }
  return 0;
}
