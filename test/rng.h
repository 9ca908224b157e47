/* SPDX-License-Identifier: MIT */
/*
 * The tests' random numbers: splitmix64, tiny and the same on every
 * platform, so a failing seed reproduces anywhere.
 */
#ifndef GOMEM_TEST_RNG_H
#define GOMEM_TEST_RNG_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t rng_next(uint64_t *state)
{
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* A number in [0, n), n > 0. The modulo bias is irrelevant for tests. */
static inline size_t rng_below(uint64_t *state, size_t n)
{
  return (size_t)(rng_next(state) % n);
}

#endif
