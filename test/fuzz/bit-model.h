/* SPDX-License-Identifier: MIT */
/*
 * The bit reader's reference model, shared by test-bitreader.c and the
 * reader fuzzer: the source bytes are unescaped first (00 00 03 -> 00 00
 * when emulation prevention is on), remembering for every payload byte how
 * many source bytes it takes to reach it; then bits are extracted one at a
 * time from the flat payload, the slowest and plainest way there is.
 */
#ifndef GOMEM_TEST_BIT_MODEL_H
#define GOMEM_TEST_BIT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gomem/common.h>

struct bit_model {
  uint8_t *payload; /* the unescaped bytes */
  size_t *src_end;  /* src_end[i]: source bytes up to and including payload[i] */
  size_t nbits;     /* 8 * payload length */
  size_t pos;       /* bits consumed */
};

/* Unescape @src[0, n) into @m, whose arrays hold at least @n entries. */
static inline void bit_model_init(struct bit_model *m, const uint8_t *src, size_t n, bool emulation)
{
  size_t k = 0;
  unsigned zeros = 0;
  for (size_t i = 0; i < n; i++) {
    if (emulation && zeros >= 2 && src[i] == 0x03) {
      zeros = 0;
      continue;
    }
    zeros = src[i] == 0 ? zeros + 1 : 0;
    m->payload[k] = src[i];
    m->src_end[k] = i + 1;
    k++;
  }
  m->nbits = 8 * k;
  m->pos = 0;
}

/* Source bytes the reader must have advanced by: through the byte of the last bit read. */
static inline size_t bit_model_taken(const struct bit_model *m)
{
  return m->pos ? m->src_end[(m->pos - 1) / 8] : 0;
}

static inline unsigned bit_model_bit(const struct bit_model *m, size_t at)
{
  return (m->payload[at / 8] >> (7 - at % 8)) & 1;
}

static inline int bit_model_bits(struct bit_model *m, unsigned n, uint64_t *out)
{
  if (n > m->nbits - m->pos)
    return GOMEM_ERR_EOF;
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++)
    v = v << 1 | bit_model_bit(m, m->pos + i);
  m->pos += n;
  *out = v;
  return GOMEM_OK;
}

static inline int bit_model_ue(struct bit_model *m, uint64_t *out)
{
  size_t z = 0;
  while (z < 64 && m->pos + z < m->nbits && bit_model_bit(m, m->pos + z) == 0)
    z++;
  if (z == 64)
    return GOMEM_ERR_OVERFLOW;
  if (m->pos + z >= m->nbits || 2 * z + 1 > m->nbits - m->pos)
    return GOMEM_ERR_EOF;
  m->pos += z + 1;
  uint64_t x = 0;
  bit_model_bits(m, (unsigned)z, &x);
  *out = ((UINT64_C(1) << z) - 1) + x;
  return GOMEM_OK;
}

static inline int bit_model_se(struct bit_model *m, int64_t *out)
{
  uint64_t k;
  int rc = bit_model_ue(m, &k);
  if (rc == GOMEM_OK)
    *out = (k & 1) ? (int64_t)(k / 2 + 1) : -(int64_t)(k / 2);
  return rc;
}

static inline int bit_model_skip(struct bit_model *m, size_t n)
{
  if (n > m->nbits - m->pos)
    return GOMEM_ERR_EOF;
  m->pos += n;
  return GOMEM_OK;
}

static inline void bit_model_align(struct bit_model *m)
{
  m->pos = (m->pos + 7) / 8 * 8;
}

#endif
