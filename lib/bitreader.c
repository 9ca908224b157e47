/* SPDX-License-Identifier: MIT */
/*
 * A bit reader: the last byte taken from the reader and how many of its
 * bits are still unread (0-7), plus, for emulation prevention, how many
 * 0x00 bytes were just taken in a row (0-2).
 *
 * The reader never runs ahead of the bits: it stands right after the last
 * byte touched, as the header promises. A call that fails gives back the
 * bytes it took (counted in `taken`, given back with gomem_reader_unread)
 * and restores the three fields. Whether someone else moved the reader
 * between two calls is seen from its cursor: `at` is where our last call
 * left it.
 *
 * Fast path: when the reader's current segment holds 8 more bytes (and,
 * with emulation on, none of them is 0x00 and no zero is pending, so no
 * 0x03 can be dropped), the next 64 bits of the stream are assembled in
 * one word, decoded with a shift or a count of leading zeros, and the
 * cursor moves over the bytes used through the reader's public window —
 * as the reader's own inline helpers do. Otherwise bytes are taken one at a
 * time, and exp-Golomb prefixes are counted a byte at a time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gomem/bitreader.h"

/* An exp-Golomb prefix of this many zeros is longer than 64-bit values need. */
#define GOMEM__UE_MAX_ZEROS 63

struct gomem_bitreader {
  gomem_reader *r;
  gomem_reader_window *w; /* r's window: the cursor in its current segment */
  bool emulation;
  uint8_t byte;    /* the last byte taken */
  unsigned left;   /* its unread bits, the low ones: 0-7 */
  unsigned zeros;  /* 0x00 bytes just taken in a row, up to 2 */
  const unsigned char *at; /* the reader's cursor after our last call */
  size_t taken;    /* bytes taken from the reader by the current call */
};

/* What a failed call must restore. */
struct saved {
  uint8_t byte;
  unsigned left, zeros;
};

gomem_bitreader *gomem_bitreader_new(gomem_reader *r, unsigned flags)
{
  if (!r || (flags & ~GOMEM_BITREADER_EMULATION)) {
    errno = EINVAL;
    return NULL;
  }
  gomem_bitreader *b = calloc(1, sizeof(*b));
  if (!b) {
    errno = ENOMEM;
    return NULL;
  }
  b->r = r;
  b->w = (gomem_reader_window *)(void *)r; /* the ABI puts it first */
  b->emulation = flags & GOMEM_BITREADER_EMULATION;
  b->at = b->w->cur;
  return b;
}

void gomem_bitreader_destroy(gomem_bitreader *b)
{
  free(b);
}

/*
 * Was the reader moved by someone else since our last call? Its cursor is
 * elsewhere. A NULL cursor is no move: clip_front leaves one when it
 * removed the segment the cursor stood at the end of (so the stream
 * position is unchanged); gomem_reader_reset also does, and the header asks
 * for a new bit reader then.
 */
static bool moved(const gomem_bitreader *b)
{
  return b->w->cur != b->at && b->w->cur != NULL;
}

/* Start of every call: forget our byte if the reader was moved behind our back. */
static struct saved begin(gomem_bitreader *b)
{
  struct saved s;
  if (moved(b)) {
    b->left = 0;
    b->zeros = 0;
  }
  b->taken = 0;
  s.byte = b->byte;
  s.left = b->left;
  s.zeros = b->zeros;
  return s;
}

/* End of every call: success remembers where the reader is, failure undoes. */
static int finish(gomem_bitreader *b, const struct saved *s, int rc)
{
  if (rc != GOMEM_OK) {
    gomem_reader_unread(b->r, b->taken);
    b->byte = s->byte;
    b->left = s->left;
    b->zeros = s->zeros;
  }
  b->at = b->w->cur;
  return rc;
}

/* 8 bytes at @p as a big-endian number: one load and a byte swap where we can. */
static uint64_t load_be64(const unsigned char *p)
{
  uint64_t v;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(&v, p, sizeof(v));
  v = __builtin_bswap64(v);
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  memcpy(&v, p, sizeof(v));
#else
  v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
#endif
  return v;
}

/*
 * The next 64 bits of the stream, MSB first, when the fast path applies:
 * the unread bits of our byte, then the first bits of the next 8 bytes of
 * the current segment.
 */
static bool peek64(const gomem_bitreader *b, uint64_t *out)
{
  const unsigned char *p = b->w->cur;
  if (b->w->end - p < 8)
    return false;
  uint64_t x = load_be64(p);
  /* A zero byte (or a pending one) could start 00 00 03: slow path. */
  if (b->emulation && (b->zeros || ((x - UINT64_C(0x0101010101010101)) & ~x &
                                    UINT64_C(0x8080808080808080))))
    return false;
  if (b->left == 0) {
    *out = x;
  } else {
    uint64_t rest = b->byte & ((1u << b->left) - 1);
    *out = rest << (64 - b->left) | x >> b->left;
  }
  return true;
}

/* Consume @n <= 64 bits that peek64 showed. */
static void drop(gomem_bitreader *b, unsigned n)
{
  if (n <= b->left) {
    b->left -= n;
    return;
  }
  unsigned rest = n - b->left;
  unsigned k = (rest + 7) / 8; /* 1-8 bytes of the window */
  b->byte = b->w->cur[k - 1];
  b->left = 8 * k - rest;
  b->w->cur += k;
}

/* Take the next byte (all 8 bits unread), dropping emulation prevention. */
static int next_byte(gomem_bitreader *b)
{
  uint8_t x;
  for (;;) {
    int rc = gomem_reader_read_byte_inline(b->r, &x);
    if (rc != GOMEM_OK)
      return rc;
    b->taken++;
    if (!b->emulation)
      break;
    if (b->zeros == 2 && x == 0x03) {
      b->zeros = 0;
      continue;
    }
    b->zeros = x == 0 ? (b->zeros < 2 ? b->zeros + 1 : 2) : 0;
    break;
  }
  b->byte = x;
  b->left = 8;
  return GOMEM_OK;
}

/* n (0-64) bits, MSB first; on error the caller's finish() undoes. */
static int bits(gomem_bitreader *b, unsigned n, uint64_t *out)
{
  uint64_t v = 0;
  while (n > 0) {
    if (b->left == 0) {
      int rc = next_byte(b);
      if (rc != GOMEM_OK)
        return rc;
    }
    unsigned step = n < b->left ? n : b->left;
    unsigned low = b->left - step; /* bits of the byte below the ones taken */
    v = v << step | (uint64_t)((b->byte >> low) & ((1u << step) - 1));
    b->left = low;
    n -= step;
  }
  *out = v;
  return GOMEM_OK;
}

/* read_bits when the fast path applies (see the top of this file). */
static bool bits_fast(gomem_bitreader *b, unsigned n, uint64_t *out)
{
  uint64_t top;
  if (moved(b) || !peek64(b, &top))
    return false;
  *out = n ? top >> (64 - n) : 0;
  drop(b, n);
  b->at = b->w->cur;
  return true;
}

int gomem_bitreader_read_bits(gomem_bitreader *b, unsigned n, uint64_t *out)
{
  if (!b || !out || n > 64)
    return GOMEM_ERR_INVALID;
  if (bits_fast(b, n, out))
    return GOMEM_OK;
  struct saved s = begin(b);
  uint64_t v = 0;
  int rc = finish(b, &s, bits(b, n, &v));
  if (rc == GOMEM_OK)
    *out = v;
  return rc;
}

/* Index of the highest set bit of x (x != 0, x < 256). */
static unsigned top_bit(unsigned x)
{
  return 31u - (unsigned)__builtin_clz(x);
}

/* ue when the fast path applies and the code has at most 31 zeros. */
static bool ue_fast(gomem_bitreader *b, uint64_t *out)
{
  uint64_t top;
  if (moved(b) || !peek64(b, &top) || top < (UINT64_C(1) << 32))
    return false;
  /* z <= 31 zeros: the whole code, 2z + 1 <= 63 bits, is in top. */
  unsigned z = (unsigned)__builtin_clzll(top);
  *out = (top >> (63 - 2 * z)) - 1;
  drop(b, 2 * z + 1);
  b->at = b->w->cur;
  return true;
}

/* ue a byte at a time: any length, emulation prevention, errors. */
static int ue_slow(gomem_bitreader *b, uint64_t *out)
{
  unsigned zeros = 0;
  for (;;) {
    if (b->left == 0) {
      int rc = next_byte(b);
      if (rc != GOMEM_OK)
        return rc;
    }
    unsigned rest = b->byte & ((1u << b->left) - 1);
    if (rest == 0) {
      zeros += b->left;
      b->left = 0;
      if (zeros > GOMEM__UE_MAX_ZEROS)
        return GOMEM_ERR_OVERFLOW;
      continue;
    }
    unsigned one = top_bit(rest);
    zeros += b->left - 1 - one;
    b->left = one; /* the one bit is taken too */
    break;
  }
  if (zeros > GOMEM__UE_MAX_ZEROS)
    return GOMEM_ERR_OVERFLOW;
  uint64_t x;
  int rc = bits(b, zeros, &x);
  if (rc != GOMEM_OK)
    return rc;
  /* 2^k - 1 + x; for k = 63, 2^63 - 1 + x <= 2^64 - 2: no wrap. */
  *out = ((UINT64_C(1) << zeros) - 1) + x;
  return GOMEM_OK;
}

static int ue(gomem_bitreader *b, uint64_t *out)
{
  if (ue_fast(b, out))
    return GOMEM_OK;
  struct saved s = begin(b);
  uint64_t v = 0;
  int rc = finish(b, &s, ue_slow(b, &v));
  if (rc == GOMEM_OK)
    *out = v;
  return rc;
}

int gomem_bitreader_read_ue(gomem_bitreader *b, uint64_t *out)
{
  if (!b || !out)
    return GOMEM_ERR_INVALID;
  return ue(b, out);
}

int gomem_bitreader_read_se(gomem_bitreader *b, int64_t *out)
{
  if (!b || !out)
    return GOMEM_ERR_INVALID;
  uint64_t k;
  int rc = ue(b, &k);
  if (rc != GOMEM_OK)
    return rc;
  /* k <= 2^64 - 2, so k / 2 (+ 1 when odd) <= 2^63 - 1: no overflow. */
  int64_t half = (int64_t)(k >> 1);
  *out = (k & 1) ? half + 1 : -half;
  return GOMEM_OK;
}

static int skip(gomem_bitreader *b, size_t n)
{
  size_t step = n < b->left ? n : b->left;
  b->left -= (unsigned)step;
  n -= step;
  size_t whole = n / 8;
  if (!b->emulation) {
    /* No byte is dropped: the reader can skip the whole bytes at once. */
    int rc = gomem_reader_skip(b->r, whole);
    if (rc != GOMEM_OK)
      return rc;
    b->taken += whole;
  } else {
    for (; whole > 0; whole--) {
      int rc = next_byte(b);
      if (rc != GOMEM_OK)
        return rc;
      b->left = 0;
    }
  }
  unsigned rest = (unsigned)(n % 8);
  if (rest == 0)
    return GOMEM_OK;
  int rc = next_byte(b);
  if (rc == GOMEM_OK)
    b->left = 8 - rest;
  return rc;
}

int gomem_bitreader_skip_bits(gomem_bitreader *b, size_t n)
{
  if (!b)
    return GOMEM_ERR_INVALID;
  struct saved s = begin(b);
  return finish(b, &s, skip(b, n));
}

int gomem_bitreader_align(gomem_bitreader *b)
{
  if (!b)
    return GOMEM_ERR_INVALID;
  struct saved s = begin(b);
  b->left = 0;
  return finish(b, &s, GOMEM_OK);
}
