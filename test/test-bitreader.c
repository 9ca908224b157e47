/* SPDX-License-Identifier: MIT */
/*
 * The bit reader, in three parts:
 * - documented examples and every edge case the header names;
 * - fields, exp-Golomb codes, skips and alignments written by an encoder in
 *   this file, escaped as H.264 does, then read back through memories cut
 *   into segments of 0, 1, 2, 3, 7 and many bytes;
 * - random bytes (many zeros and 0x03) read with random calls and compared
 *   with the reference extractor in fuzz/bit-model.h, results, errors and
 *   the reader's position after every call.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gomem/gomem.h>

#include "fuzz/bit-model.h"
#include "rng.h"
#include "run-suite.h"

/* ---- helpers ----------------------------------------------------------- */

static const size_t cut_sizes[][7] = {
  {1}, {2}, {3}, {7}, {0, 1, 0, 2, 0, 0, 7}, {100000},
};
static const size_t cut_lens[] = {1, 1, 1, 1, 7, 1};
#define NCUTS (sizeof(cut_lens) / sizeof(cut_lens[0]))

/* @len bytes of @data in a memory cut by cut @c, each piece its own block. */
struct segmented {
  gomem_memory *m;
  void **blocks;
  size_t nblocks;
};

static void seg_make(struct segmented *s, const uint8_t *data, size_t len, size_t c)
{
  s->m = gomem_memory_new();
  ck_assert_ptr_nonnull(s->m);
  s->blocks = calloc(2 * len + 2, sizeof(void *));
  ck_assert_ptr_nonnull(s->blocks);
  s->nblocks = 0;
  size_t at = 0;
  for (size_t i = 0; at < len || i == 0; i++) {
    size_t n = cut_sizes[c][i % cut_lens[c]];
    if (n > len - at)
      n = len - at;
    void *b = n ? malloc(n) : NULL;
    if (n)
      memcpy(b, data + at, n);
    s->blocks[s->nblocks++] = b;
    ck_assert_int_eq(gomem_memory_push(s->m, b, n), GOMEM_OK);
    at += n;
  }
}

static void seg_free(struct segmented *s)
{
  gomem_memory_destroy(s->m);
  for (size_t i = 0; i < s->nblocks; i++)
    free(s->blocks[i]);
  free(s->blocks);
}

/* A bit writer and exp-Golomb encoder, MSB first. */
struct writer {
  uint8_t buf[4096];
  size_t nbits;
};

static void put_bits(struct writer *w, unsigned n, uint64_t v)
{
  for (unsigned i = n; i-- > 0;) {
    ck_assert_uint_lt(w->nbits, 8 * sizeof(w->buf));
    uint8_t bit = (uint8_t)((v >> i) & 1);
    w->buf[w->nbits / 8] = (uint8_t)(w->buf[w->nbits / 8] | bit << (7 - w->nbits % 8));
    w->nbits++;
  }
}

static void put_ue(struct writer *w, uint64_t v)
{
  uint64_t x = v + 1; /* v <= 2^64 - 2 */
  unsigned len = 64 - (unsigned)__builtin_clzll(x);
  put_bits(w, len - 1, 0);
  put_bits(w, len, x);
}

static void put_se(struct writer *w, int64_t v)
{
  put_ue(w, v > 0 ? 2 * (uint64_t)v - 1 : 2 * (uint64_t)(-(v + 1)) + 2);
}

/* H.264's escaping: 03 after every 00 00 that a byte 00-03 follows. */
static size_t escape(const uint8_t *in, size_t n, uint8_t *out)
{
  size_t k = 0;
  unsigned zeros = 0;
  for (size_t i = 0; i < n; i++) {
    if (zeros == 2 && in[i] <= 3) {
      out[k++] = 3;
      zeros = 0;
    }
    out[k++] = in[i];
    zeros = in[i] == 0 ? zeros + 1 : 0;
  }
  return k;
}

/* A bit reader on a heap reader over @m. */
struct br {
  gomem_reader *r;
  gomem_bitreader *b;
};

static struct br br_open(gomem_memory *m, unsigned flags)
{
  struct br x;
  x.r = gomem_reader_new(m);
  ck_assert_ptr_nonnull(x.r);
  x.b = gomem_bitreader_new(x.r, flags);
  ck_assert_ptr_nonnull(x.b);
  return x;
}

static void br_close(struct br *x)
{
  gomem_bitreader_destroy(x->b);
  gomem_reader_destroy(x->r);
}

/* A memory of @len bytes of @data, one segment per byte. */
static gomem_memory *bytewise(const uint8_t *data, size_t len)
{
  gomem_memory *m = gomem_memory_new();
  for (size_t i = 0; i < len; i++)
    ck_assert_int_eq(gomem_memory_push(m, data + i, 1), GOMEM_OK);
  return m;
}

/* ---- examples and edge cases ----------------------------------------------- */

START_TEST(test_examples)
{
  /* 1 010 011 00100 00101 00110 00111 0001000 = ue 0..7, then 000100, then 0xFF. */
  const uint8_t codes[] = {0xA6, 0x42, 0x98, 0xE2, 0x04, 0xFF};
  gomem_memory *m = bytewise(codes, sizeof(codes));
  struct br x = br_open(m, 0);
  for (uint64_t want = 0; want < 8; want++) {
    uint64_t v = 99;
    ck_assert_int_eq(gomem_bitreader_read_ue(x.b, &v), GOMEM_OK);
    ck_assert_uint_eq(v, want);
  }
  uint64_t v = 0;
  ck_assert_uint_eq(gomem_reader_offset(x.r), 5);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 3, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0);
  /* The reader stands after the partly read byte; align, then bytes. */
  ck_assert_int_eq(gomem_bitreader_align(x.b), GOMEM_OK);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 5);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 8, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0xFF);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 6);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 1, &v), GOMEM_ERR_EOF);
  ck_assert_int_eq(gomem_bitreader_align(x.b), GOMEM_OK);
  br_close(&x);
  gomem_memory_destroy(m);

  /* se: 1 010 011 00100 00101 -> 0, 1, -1, 2, -2. */
  const uint8_t se[] = {0xA6, 0x42, 0x80};
  m = bytewise(se, sizeof(se));
  x = br_open(m, 0);
  const int64_t want_se[] = {0, 1, -1, 2, -2};
  for (size_t i = 0; i < 5; i++) {
    int64_t s = 99;
    ck_assert_int_eq(gomem_bitreader_read_se(x.b, &s), GOMEM_OK);
    ck_assert_int_eq(s, want_se[i]);
  }
  br_close(&x);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_bits_widths)
{
  const uint8_t ff[9] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  gomem_memory *m = bytewise(ff, sizeof(ff));
  struct br x = br_open(m, 0);
  uint64_t v = 7;
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 0, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 0);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 65, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 4, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0xF);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 64, &v), GOMEM_OK);
  ck_assert_uint_eq(v, UINT64_MAX);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 9);
  v = 5;
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 5, &v), GOMEM_ERR_EOF);
  ck_assert_uint_eq(v, 5);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 4, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0xF);
  br_close(&x);
  gomem_memory_destroy(m);
}
END_TEST

/* 63 zeros, a one, then 63 bits of @suffix_bit; plus @extra zero bytes. */
static size_t long_code(uint8_t *out, unsigned zeros, unsigned suffix_bits, unsigned suffix_bit)
{
  struct writer w;
  memset(&w, 0, sizeof(w));
  put_bits(&w, zeros > 32 ? zeros - 32 : 0, 0);
  put_bits(&w, zeros > 32 ? 32 : zeros, 0);
  put_bits(&w, 1, 1);
  for (unsigned i = 0; i < suffix_bits; i++)
    put_bits(&w, 1, suffix_bit);
  size_t n = (w.nbits + 7) / 8;
  memcpy(out, w.buf, n);
  return n;
}

START_TEST(test_ue_limits)
{
  uint8_t buf[64];
  uint64_t v;
  int64_t s;
  /* The longest code: 63 zeros, 2^64 - 2. */
  size_t n = long_code(buf, 63, 63, 1);
  gomem_memory *m = bytewise(buf, n);
  struct br x = br_open(m, 0);
  ck_assert_int_eq(gomem_bitreader_read_ue(x.b, &v), GOMEM_OK);
  ck_assert_uint_eq(v, UINT64_MAX - 1);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 16);
  br_close(&x);
  x = br_open(m, 0);
  ck_assert_int_eq(gomem_bitreader_read_se(x.b, &s), GOMEM_OK);
  ck_assert_int_eq(s, -INT64_MAX);
  br_close(&x);
  gomem_memory_destroy(m);

  n = long_code(buf, 63, 63, 0);
  buf[15] |= 2; /* bit 126, the last of the suffix: x = 1, k = 2^63 */
  m = bytewise(buf, n);
  x = br_open(m, 0);
  ck_assert_int_eq(gomem_bitreader_read_ue(x.b, &v), GOMEM_OK);
  ck_assert_uint_eq(v, UINT64_C(1) << 63);
  br_close(&x);
  gomem_memory_destroy(m);

  /* k = 2^64 - 3 is odd: se = 2^63 - 1. */
  n = long_code(buf, 63, 63, 1);
  buf[15] &= 0xFD;
  m = bytewise(buf, n);
  x = br_open(m, 0);
  ck_assert_int_eq(gomem_bitreader_read_se(x.b, &s), GOMEM_OK);
  ck_assert_int_eq(s, INT64_MAX);
  br_close(&x);
  gomem_memory_destroy(m);

  /* 64 zeros: overflow, whatever follows, nothing consumed. */
  for (unsigned zeros = 64; zeros <= 70; zeros++) {
    n = long_code(buf, zeros, 3, 1);
    for (size_t len = 8; len <= n; len++) {
      m = bytewise(buf, len);
      x = br_open(m, GOMEM_BITREADER_EMULATION * (len & 1));
      v = 42;
      s = 42;
      ck_assert_int_eq(gomem_bitreader_read_ue(x.b, &v), GOMEM_ERR_OVERFLOW);
      ck_assert_int_eq(gomem_bitreader_read_se(x.b, &s), GOMEM_ERR_OVERFLOW);
      ck_assert_uint_eq(v, 42);
      ck_assert_int_eq(s, 42);
      ck_assert_uint_eq(gomem_reader_offset(x.r), 0);
      br_close(&x);
      gomem_memory_destroy(m);
    }
  }
  /* Ending inside the code: EOF, nothing consumed, at every cut point. */
  n = long_code(buf, 63, 63, 1);
  for (size_t len = 0; len < n; len++) {
    m = bytewise(buf, len);
    x = br_open(m, 0);
    ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 1, &v), len ? GOMEM_OK : GOMEM_ERR_EOF);
    ck_assert_int_eq(gomem_bitreader_read_ue(x.b, &v), GOMEM_ERR_EOF);
    ck_assert_uint_eq(gomem_reader_offset(x.r), len ? 1 : 0);
    br_close(&x);
    gomem_memory_destroy(m);
  }
}
END_TEST

START_TEST(test_emulation)
{
  uint64_t v;
  /* 00 00 03 01: the 03 goes with emulation, stays without. */
  const uint8_t a[] = {0x00, 0x00, 0x03, 0x01};
  gomem_memory *m = bytewise(a, sizeof(a));
  struct br x = br_open(m, GOMEM_BITREADER_EMULATION);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 24, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0x000001);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 4);
  br_close(&x);
  x = br_open(m, 0);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 24, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0x000003);
  br_close(&x);
  gomem_memory_destroy(m);

  /* Only the first 03 of 00 00 03 03 goes; 00 00 00 03 drops it too; any byte may follow. */
  const uint8_t b[] = {0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x03, 0xFF, 0x00, 0x00, 0x03};
  m = bytewise(b, sizeof(b));
  x = br_open(m, GOMEM_BITREADER_EMULATION);
  /* Payload 00 00 03 00 00 00 FF 00 | 00. */
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 64, &v), GOMEM_OK);
  ck_assert_uint_eq(v, UINT64_C(0x000003000000FF00));
  ck_assert_uint_eq(gomem_reader_offset(x.r), 10);
  /* A trailing 03 is only taken with the byte after it, which is missing. */
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 8, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 11);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 1, &v), GOMEM_ERR_EOF);
  ck_assert_int_eq(gomem_bitreader_skip_bits(x.b, 1), GOMEM_ERR_EOF);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 11);
  br_close(&x);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_skip_align_and_resync)
{
  const uint8_t d[] = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC};
  gomem_memory *m = bytewise(d, sizeof(d));
  struct br x = br_open(m, 0);
  uint64_t v;
  ck_assert_int_eq(gomem_bitreader_skip_bits(x.b, 0), GOMEM_OK);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 0);
  ck_assert_int_eq(gomem_bitreader_skip_bits(x.b, 4), GOMEM_OK);
  ck_assert_int_eq(gomem_bitreader_skip_bits(x.b, 12), GOMEM_OK);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 2);
  ck_assert_int_eq(gomem_bitreader_skip_bits(x.b, 3), GOMEM_OK);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 5, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0x16);
  ck_assert_int_eq(gomem_bitreader_skip_bits(x.b, 25), GOMEM_ERR_EOF);
  ck_assert_uint_eq(gomem_reader_offset(x.r), 3);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 2, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 1);
  /* Someone else reads a byte: the rest of 0x78 is forgotten. */
  uint8_t byte;
  ck_assert_int_eq(gomem_reader_read_byte(x.r, &byte), GOMEM_OK);
  ck_assert_uint_eq(byte, 0x9A);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 8, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0xBC);
  /* A step back and forth to the same offset is not noticed. */
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 0, &v), GOMEM_OK);
  ck_assert_int_eq(gomem_reader_unread(x.r, 2), GOMEM_OK);
  ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 8, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0x9A);
  ck_assert_int_eq(gomem_bitreader_skip_bits(x.b, SIZE_MAX), GOMEM_ERR_EOF);
  br_close(&x);
  gomem_memory_destroy(m);
}
END_TEST

/* clip_front and pushes between bit reads keep the partly read byte. */
START_TEST(test_clip_between_reads)
{
  for (int big = 0; big <= 1; big++) {
    uint8_t d[24];
    for (size_t i = 0; i < sizeof(d); i++)
      d[i] = (uint8_t)(0x11 * (i % 15 + 1));
    gomem_memory *m = gomem_memory_new();
    /* One segment (fast path) or one per byte (slow path). */
    for (size_t i = 0; i < (big ? 1 : 12); i++)
      gomem_memory_push(m, d + i, big ? 12 : 1);
    struct br x = br_open(m, GOMEM_BITREADER_EMULATION);
    uint64_t v;
    ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 12, &v), GOMEM_OK);
    ck_assert_uint_eq(v, 0x112);
    ck_assert_uint_eq(gomem_reader_offset(x.r), 2);
    ck_assert_int_eq(gomem_reader_clip_front(x.r, NULL, NULL), 0);
    ck_assert_uint_eq(gomem_reader_offset(x.r), 0);
    ck_assert_int_eq(gomem_memory_push(m, d + 12, 12), GOMEM_OK);
    ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 12, &v), GOMEM_OK);
    ck_assert_uint_eq(v, 0x233);
    ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 64, &v), GOMEM_OK);
    ck_assert_uint_eq(v, UINT64_C(0x445566778899AABB));
    ck_assert_int_eq(gomem_bitreader_read_bits(x.b, 64, &v), GOMEM_OK);
    ck_assert_uint_eq(v, UINT64_C(0xCCDDEEFF11223344));
    ck_assert_uint_eq(gomem_reader_offset(x.r), 17); /* 19 bytes taken, 2 clipped */
    br_close(&x);
    gomem_memory_destroy(m);
  }
}
END_TEST

START_TEST(test_bad_arguments)
{
  errno = 0;
  ck_assert_ptr_null(gomem_bitreader_new(NULL, 0));
  ck_assert_int_eq(errno, EINVAL);
  gomem_memory *m = gomem_memory_new();
  gomem_reader *r = gomem_reader_new(m);
  errno = 0;
  ck_assert_ptr_null(gomem_bitreader_new(r, 2));
  ck_assert_int_eq(errno, EINVAL);
  gomem_bitreader *b = gomem_bitreader_new(r, 0);
  uint64_t v;
  int64_t s;
  ck_assert_int_eq(gomem_bitreader_read_bits(NULL, 1, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_read_bits(b, 1, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_read_ue(NULL, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_read_ue(b, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_read_se(NULL, &s), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_read_se(b, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_skip_bits(NULL, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_align(NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_bitreader_read_ue(b, &v), GOMEM_ERR_EOF);
  gomem_bitreader_destroy(b);
  gomem_bitreader_destroy(NULL);
  gomem_reader_destroy(r);
  gomem_memory_destroy(m);
}
END_TEST

/* ---- encoder round trip over every cut ---------------------------------- */

enum op_kind { OP_BITS, OP_UE, OP_SE, OP_SKIP, OP_ALIGN, OP_KINDS };

struct op {
  enum op_kind kind;
  unsigned n;
  uint64_t u;
  int64_t s;
};

/* A value with a random bit length, so every code length comes up. */
static uint64_t random_value(uint64_t *rng)
{
  unsigned bits = (unsigned)rng_below(rng, 65);
  uint64_t v = bits == 64 ? rng_next(rng) : rng_next(rng) & ((UINT64_C(1) << bits) - 1);
  return v == UINT64_MAX ? v - 1 : v;
}

START_TEST(test_cuts_round_trip)
{
  size_t c = (size_t)_i / 2;
  unsigned flags = (_i & 1) ? GOMEM_BITREADER_EMULATION : 0;
  uint64_t rng = 0xB17 + (uint64_t)_i;
  for (int round = 0; round < 6; round++) {
    struct op ops[200];
    struct writer w;
    memset(&w, 0, sizeof(w));
    size_t nops = 0;
    while (nops < 200 && w.nbits < 8 * sizeof(w.buf) - 300) {
      struct op *o = &ops[nops++];
      o->kind = (enum op_kind)rng_below(&rng, OP_KINDS);
      /* Zero-heavy fields, so 00 00 0x appears and must be escaped. */
      switch (o->kind) {
      case OP_BITS:
        o->n = (unsigned)rng_below(&rng, 65);
        o->u = rng_below(&rng, 3) ? 0 : rng_next(&rng);
        if (o->n < 64)
          o->u &= (UINT64_C(1) << o->n) - 1;
        put_bits(&w, o->n, o->u);
        break;
      case OP_UE:
        o->u = random_value(&rng);
        put_ue(&w, o->u);
        break;
      case OP_SE: {
        uint64_t k = random_value(&rng);
        o->s = (k & 1) ? (int64_t)(k / 2 + 1) : -(int64_t)(k / 2);
        put_se(&w, o->s);
        break;
      }
      case OP_SKIP:
        o->n = (unsigned)rng_below(&rng, 40);
        put_bits(&w, o->n > 32 ? o->n - 32 : 0, rng_next(&rng));
        put_bits(&w, o->n > 32 ? 32 : o->n, rng_below(&rng, 2) ? 0 : rng_next(&rng));
        break;
      default:
        w.nbits = (w.nbits + 7) / 8 * 8;
        break;
      }
    }
    size_t len = (w.nbits + 7) / 8;
    uint8_t escaped[2 * sizeof(w.buf)];
    size_t elen = flags ? escape(w.buf, len, escaped) : len;
    if (!flags)
      memcpy(escaped, w.buf, len);
    /* The reference knows where the reader must stand after each call. */
    static uint8_t payload[2 * sizeof(w.buf)];
    static size_t src_end[2 * sizeof(w.buf)];
    struct bit_model ref = {payload, src_end, 0, 0};
    bit_model_init(&ref, escaped, elen, flags != 0);
    ck_assert_uint_eq(ref.nbits, 8 * len);
    struct segmented seg;
    seg_make(&seg, escaped, elen, c);
    struct br x = br_open(seg.m, flags);
    for (size_t i = 0; i < nops; i++) {
      const struct op *o = &ops[i];
      uint64_t v = 0;
      int64_t s = 0;
      switch (o->kind) {
      case OP_BITS:
        ck_assert_int_eq(gomem_bitreader_read_bits(x.b, o->n, &v), GOMEM_OK);
        ck_assert_uint_eq(v, o->u);
        ref.pos += o->n;
        break;
      case OP_UE:
        ck_assert_int_eq(gomem_bitreader_read_ue(x.b, &v), GOMEM_OK);
        ck_assert_uint_eq(v, o->u);
        ck_assert_int_eq(bit_model_ue(&ref, &v), GOMEM_OK);
        break;
      case OP_SE:
        ck_assert_int_eq(gomem_bitreader_read_se(x.b, &s), GOMEM_OK);
        ck_assert_int_eq(s, o->s);
        ck_assert_int_eq(bit_model_se(&ref, &s), GOMEM_OK);
        break;
      case OP_SKIP:
        ck_assert_int_eq(gomem_bitreader_skip_bits(x.b, o->n), GOMEM_OK);
        ref.pos += o->n;
        break;
      default:
        ck_assert_int_eq(gomem_bitreader_align(x.b), GOMEM_OK);
        bit_model_align(&ref);
        break;
      }
      ck_assert_uint_eq(gomem_reader_offset(x.r), bit_model_taken(&ref));
    }
    br_close(&x);
    seg_free(&seg);
  }
}
END_TEST

/* ---- random bytes against the reference ---------------------------------- */

START_TEST(test_cuts_random_bytes)
{
  size_t c = (size_t)_i / 2;
  unsigned flags = (_i & 1) ? GOMEM_BITREADER_EMULATION : 0;
  uint64_t rng = 0x5EED + (uint64_t)_i;
  static uint8_t data[600], payload[600];
  static size_t src_end[600];
  for (int round = 0; round < 20; round++) {
    size_t len = rng_below(&rng, sizeof(data));
    unsigned zero_run = (unsigned)rng_below(&rng, 4);
    for (size_t i = 0; i < len; i++) {
      unsigned k = (unsigned)rng_below(&rng, 10);
      data[i] = k < 4 + zero_run ? 0 : k < 8 ? 3 : (uint8_t)rng_next(&rng);
    }
    struct bit_model ref = {payload, src_end, 0, 0};
    bit_model_init(&ref, data, len, flags != 0);
    struct segmented seg;
    seg_make(&seg, data, len, c);
    struct br x = br_open(seg.m, flags);
    for (int i = 0; i < 400; i++) {
      int want_rc, rc;
      uint64_t want = 77, got = 77;
      int64_t want_s = 77, got_s = 77;
      size_t before = ref.pos;
      switch (rng_below(&rng, 5)) {
      case 0: {
        unsigned n = (unsigned)rng_below(&rng, 66);
        rc = gomem_bitreader_read_bits(x.b, n, &got);
        want_rc = n > 64 ? GOMEM_ERR_INVALID : bit_model_bits(&ref, n, &want);
        break;
      }
      case 1:
        rc = gomem_bitreader_read_ue(x.b, &got);
        want_rc = bit_model_ue(&ref, &want);
        break;
      case 2:
        rc = gomem_bitreader_read_se(x.b, &got_s);
        want_rc = bit_model_se(&ref, &want_s);
        break;
      case 3: {
        size_t n = rng_below(&rng, 200);
        rc = gomem_bitreader_skip_bits(x.b, n);
        want_rc = bit_model_skip(&ref, n);
        break;
      }
      default:
        rc = gomem_bitreader_align(x.b);
        want_rc = GOMEM_OK;
        bit_model_align(&ref);
        break;
      }
      ck_assert_int_eq(rc, want_rc);
      ck_assert_uint_eq(got, want);
      ck_assert_int_eq(got_s, want_s);
      if (rc != GOMEM_OK)
        ck_assert_uint_eq(ref.pos, before);
      ck_assert_uint_eq(gomem_reader_offset(x.r), bit_model_taken(&ref));
    }
    br_close(&x);
    seg_free(&seg);
  }
}
END_TEST

static Suite *bitreader_suite(void)
{
  Suite *s = suite_create("bitreader");
  TCase *t = tcase_create("cases");
  tcase_add_test(t, test_examples);
  tcase_add_test(t, test_bits_widths);
  tcase_add_test(t, test_ue_limits);
  tcase_add_test(t, test_emulation);
  tcase_add_test(t, test_skip_align_and_resync);
  tcase_add_test(t, test_clip_between_reads);
  tcase_add_test(t, test_bad_arguments);
  suite_add_tcase(s, t);

  TCase *cut = tcase_create("segments");
  tcase_set_timeout(cut, 120);
  tcase_add_loop_test(cut, test_cuts_round_trip, 0, 2 * NCUTS);
  tcase_add_loop_test(cut, test_cuts_random_bytes, 0, 2 * NCUTS);
  suite_add_tcase(s, cut);
  return s;
}

int main(void)
{
  return run_suite(bitreader_suite());
}
