/* SPDX-License-Identifier: MIT */
/*
 * Priorities for the treaps (the free-block index in strategy/treap.c and
 * the system-block index in blocks.c): xorshift32. A treap only needs
 * priorities that do not follow the keys, not good randomness, and each
 * treap keeps its own state so that no thread shares it.
 */
#ifndef GOMEM_PRIO_H
#define GOMEM_PRIO_H

#include <stdint.h>

/* The next priority from *state, which must never be 0. */
static inline uint32_t gomem__next_prio(uint32_t *state)
{
  uint32_t x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

#endif /* GOMEM_PRIO_H */
