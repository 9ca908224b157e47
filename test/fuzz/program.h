/* SPDX-License-Identifier: MIT */
/*
 * The fuzz models read their program (the fuzzer's input) byte by byte
 * through this cursor. Past the end every read yields 0, so that any input,
 * however short, is a complete program.
 */
#ifndef GOMEM_TEST_FUZZ_PROGRAM_H
#define GOMEM_TEST_FUZZ_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_program {
  const uint8_t *next; /* the next unread byte */
  size_t left;         /* bytes not read yet */
};

static inline struct fuzz_program fuzz_program_start(const uint8_t *data, size_t size)
{
  struct fuzz_program g = { data, size };
  return g;
}

static inline uint8_t fuzz_byte(struct fuzz_program *g)
{
  if (g->left == 0)
    return 0;
  g->left--;
  return *g->next++;
}

/* Two bytes, little-endian. */
static inline size_t fuzz_u16(struct fuzz_program *g)
{
  size_t lo = fuzz_byte(g);
  return lo | (size_t)fuzz_byte(g) << 8;
}

#endif /* GOMEM_TEST_FUZZ_PROGRAM_H */
