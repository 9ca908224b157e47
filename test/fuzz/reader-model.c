/* SPDX-License-Identifier: MIT */
/*
 * See reader-model.h. The model is the flat array `flat[0, len)` of every
 * byte ever pushed, with `base` = bytes clipped off the front and `pos` =
 * the reader's absolute position; so offset = pos - base and remaining =
 * len - pos.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gomem/gomem.h>

#include "bit-model.h"
#include "program.h"
#include "reader-model.h"

#define MAX_FLAT (1u << 16) /* stop pushing beyond this many bytes */
#define MAX_READ 8192       /* largest single read */
#define STOP_VALUE 7        /* what callbacks return to stop early */

struct model {
  gomem_memory *m;
  gomem_reader *r;
  gomem_reader_storage storage;
  bool heap_reader;

  uint8_t *flat;
  size_t len, base, pos, cap;
  void **blocks; /* segment blocks to free at the end */
  size_t nblocks;

  struct fuzz_program in; /* the program */
  uint64_t rng; /* segment contents */
  bool leb_bytes;
  bool rbsp_bytes; /* zeros and 0x03 galore, for emulation prevention */

  uint8_t buf[MAX_READ];
  uint8_t *scratch; /* cap bytes, for whole-memory comparisons */
  char *err;
  size_t errlen;
};

static bool check(struct model *md, bool ok, int line, const char *what)
{
  if (!ok)
    snprintf(md->err, md->errlen, "reader-model.c:%d: %s (len %zu base %zu pos %zu)", line, what,
             md->len, md->base, md->pos);
  return ok;
}

#define CHECK(cond)                                   \
  do {                                                \
    if (!check(md, (cond), __LINE__, #cond))          \
      return false;                                   \
  } while (0)

static uint8_t next_byte(struct model *md)
{
  return fuzz_byte(&md->in);
}

/* A length argument: small values often, up to a few KiB sometimes. */
static size_t next_len(struct model *md)
{
  uint8_t b = next_byte(md);
  return b < 200 ? b : (size_t)(b - 200) * 97;
}

static uint8_t content_byte(struct model *md)
{
  md->rng ^= md->rng << 13;
  md->rng ^= md->rng >> 7;
  md->rng ^= md->rng << 17;
  uint8_t r = (uint8_t)(md->rng >> 24);
  if (md->rbsp_bytes) {
    static const uint8_t pick[8] = {0, 0, 0, 3, 0, 3, 1, 0x80};
    return (md->rng & 8) ? pick[r & 7] : r;
  }
  if (!md->leb_bytes)
    return r;
  /* Long runs of continuation bytes, so LEB128 overflow happens often. */
  return (md->rng & 3) == 0 ? (uint8_t)(r & 1) : (uint8_t)(0x80 | r);
}

/* Push a segment of size class @code: its own exact-size block. */
static bool push_segment(struct model *md, uint8_t code)
{
  static const size_t sizes[8] = {0, 1, 2, 7, 3, 16, 64, 1500};
  size_t n = sizes[code & 7];
  if (md->len + n > MAX_FLAT)
    return true;
  if (md->len + n > md->cap) {
    size_t cap = 2 * md->cap;
    while (cap < md->len + n)
      cap *= 2;
    uint8_t *flat = realloc(md->flat, cap);
    CHECK(flat != NULL);
    md->flat = flat;
    free(md->scratch);
    md->scratch = malloc(cap);
    CHECK(md->scratch != NULL);
    md->cap = cap;
  }
  uint8_t *block = NULL;
  /* Empty segments come both as NULL and as a real pointer. */
  if (n || (code & 8))
    block = malloc(n ? n : 1);
  CHECK(block || (!n && !(code & 8)));
  void **blocks = realloc(md->blocks, (md->nblocks + 1) * sizeof(void *));
  CHECK(blocks != NULL);
  md->blocks = blocks;
  md->blocks[md->nblocks++] = block;
  for (size_t i = 0; i < n; i++)
    block[i] = md->flat[md->len + i] = content_byte(md);
  md->len += n;
  CHECK(gomem_memory_push(md->m, block, n) == GOMEM_OK);
  return true;
}

static size_t remaining(const struct model *md)
{
  return md->len - md->pos;
}

static bool op_read(struct model *md)
{
  size_t n = next_len(md);
  size_t want = n < remaining(md) ? n : remaining(md);
  CHECK(gomem_reader_read(md->r, md->buf, n) == want);
  CHECK(memcmp(md->buf, md->flat + md->pos, want) == 0);
  md->pos += want;
  return true;
}

/* read_exact (@consume) or peek. */
static bool op_exact(struct model *md, bool consume)
{
  size_t n = next_len(md);
  memset(md->buf, 0xA5, n);
  int rc = consume ? gomem_reader_read_exact(md->r, md->buf, n)
                   : gomem_reader_peek(md->r, md->buf, n);
  if (n > remaining(md)) {
    CHECK(rc == GOMEM_ERR_EOF);
    for (size_t i = 0; i < n; i++)
      CHECK(md->buf[i] == 0xA5);
    return true;
  }
  CHECK(rc == GOMEM_OK);
  CHECK(memcmp(md->buf, md->flat + md->pos, n) == 0);
  if (consume)
    md->pos += n;
  return true;
}

enum byte_call { BYTE_CALL, BYTE_MASK, BYTE_INLINE };

static bool op_byte(struct model *md, enum byte_call how)
{
  uint8_t mask = how == BYTE_MASK ? next_byte(md) : 0xFF;
  uint8_t b = 0x5A;
  int rc = how == BYTE_MASK     ? gomem_reader_read_byte_mask(md->r, mask, &b)
           : how == BYTE_INLINE ? gomem_reader_read_byte_inline(md->r, &b)
                                : gomem_reader_read_byte(md->r, &b);
  if (remaining(md) == 0) {
    CHECK(rc == GOMEM_ERR_EOF);
    CHECK(b == 0x5A);
    return true;
  }
  CHECK(rc == GOMEM_OK);
  CHECK(b == (md->flat[md->pos] & mask));
  md->pos++;
  return true;
}

static bool op_int(struct model *md, bool big_endian)
{
  unsigned nbytes = next_byte(md) % 10;
  uint64_t v = 42;
  int rc = big_endian ? gomem_reader_read_be(md->r, nbytes, &v) : gomem_reader_read_le(md->r, nbytes, &v);
  if (nbytes == 0 || nbytes > 8) {
    CHECK(rc == GOMEM_ERR_INVALID);
    CHECK(v == 42);
    return true;
  }
  if (nbytes > remaining(md)) {
    CHECK(rc == GOMEM_ERR_EOF);
    CHECK(v == 42);
    return true;
  }
  uint64_t want = 0;
  for (unsigned i = 0; i < nbytes; i++) {
    unsigned k = big_endian ? i : nbytes - 1 - i;
    want = want << 8 | md->flat[md->pos + k];
  }
  CHECK(rc == GOMEM_OK);
  CHECK(v == want);
  md->pos += nbytes;
  return true;
}

/* The model's LEB128: GOMEM_OK with the value and length, or the error. */
static int model_uleb128(const struct model *md, uint64_t *v, size_t *n)
{
  *v = 0;
  for (size_t i = 0; i < 10; i++) {
    if (md->pos + i >= md->len)
      return GOMEM_ERR_EOF;
    uint8_t b = md->flat[md->pos + i];
    if (i == 9 && b > 1)
      return GOMEM_ERR_OVERFLOW;
    *v |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *n = i + 1;
      return GOMEM_OK;
    }
  }
  return GOMEM_ERR_OVERFLOW;
}

/* With @inline_path the header's inline helper, which gives no length. */
static bool op_uleb128(struct model *md, bool inline_path)
{
  uint64_t want, got = 42;
  size_t want_n = 0, got_n = 99;
  int want_rc = model_uleb128(md, &want, &want_n);
  int rc = inline_path ? gomem_reader_read_uleb128_inline(md->r, &got)
                       : gomem_reader_read_uleb128_n(md->r, &got, &got_n);
  CHECK(rc == want_rc);
  if (rc != GOMEM_OK) {
    CHECK(got == 42 && got_n == 99);
    return true;
  }
  CHECK(got == want);
  CHECK(got_n == (inline_path ? 99 : want_n));
  md->pos += want_n;
  return true;
}

static bool op_skip(struct model *md)
{
  size_t n = next_len(md);
  /* The length's low bit picks the header's inline helper or the call:
   * no extra input byte, so the corpus keeps its meaning. */
  int rc = n & 1 ? gomem_reader_skip_inline(md->r, n) : gomem_reader_skip(md->r, n);
  if (n > remaining(md)) {
    CHECK(rc == GOMEM_ERR_EOF);
    return true;
  }
  CHECK(rc == GOMEM_OK);
  md->pos += n;
  return true;
}

static bool op_unread(struct model *md)
{
  size_t n = next_len(md);
  int rc = gomem_reader_unread(md->r, n);
  if (n > md->pos - md->base) {
    CHECK(rc == GOMEM_ERR_INVALID);
    return true;
  }
  CHECK(rc == GOMEM_OK);
  md->pos -= n;
  return true;
}

/* What a range or clip callback saw, compared on the fly against `expect`. */
struct pieces {
  const uint8_t *expect;
  size_t got, count, stop_after; /* stop_after 0: never stop */
  bool empty_seen, mismatch;
};

static int collect(const void *ptr, size_t len, void *ctx)
{
  struct pieces *p = ctx;
  if (len == 0)
    p->empty_seen = true;
  else if (memcmp(ptr, p->expect + p->got, len) != 0)
    p->mismatch = true;
  p->got += len;
  p->count++;
  return p->count == p->stop_after ? STOP_VALUE : 0;
}

static bool op_range(struct model *md)
{
  uint8_t how = next_byte(md);
  size_t n = (how & 1) ? SIZE_MAX : next_len(md);
  struct pieces p = {md->flat + md->pos, 0, 0, how >> 5, false, false};
  bool with_fn = (how & 0x1e) != 0;
  int rc = gomem_reader_range(md->r, n, with_fn ? collect : NULL, &p);
  if (n != SIZE_MAX && n > remaining(md)) {
    CHECK(rc == GOMEM_ERR_EOF);
    CHECK(p.count == 0);
    return true;
  }
  size_t all = n == SIZE_MAX ? remaining(md) : n;
  if (!with_fn) {
    CHECK(rc == 0);
    md->pos += all;
    return true;
  }
  CHECK(!p.empty_seen && !p.mismatch);
  if (rc == STOP_VALUE) {
    CHECK(p.count == p.stop_after);
    CHECK(p.got <= all);
  } else {
    CHECK(rc == 0);
    CHECK(p.got == all);
  }
  md->pos += p.got;
  return true;
}

static bool op_current(struct model *md)
{
  const void *ptr = md;
  size_t n = 99;
  int rc = gomem_reader_current(md->r, &ptr, &n);
  if (remaining(md) == 0) {
    CHECK(rc == GOMEM_ERR_EOF && ptr == NULL && n == 0);
    return true;
  }
  CHECK(rc == GOMEM_OK);
  CHECK(n > 0 && n <= remaining(md));
  CHECK(memcmp(ptr, md->flat + md->pos, n) == 0);
  return true;
}

/* The memory must hold exactly flat[base, len). */
static bool check_memory(struct model *md)
{
  size_t size = md->len - md->base;
  CHECK(gomem_memory_size(md->m) == size);
  CHECK(gomem_memory_copy_to(md->m, md->scratch, md->cap) == size);
  CHECK(memcmp(md->scratch, md->flat + md->base, size) == 0);
  return true;
}

static bool op_clip(struct model *md)
{
  uint8_t how = next_byte(md);
  struct pieces p = {md->flat + md->base, 0, 0, how & 3, false, false};
  int rc = gomem_reader_clip_front(md->r, (how & 4) ? NULL : collect, &p);
  if (how & 4) {
    CHECK(rc == 0);
    md->base = md->pos;
    return check_memory(md);
  }
  CHECK(!p.mismatch);
  if (rc == STOP_VALUE) {
    CHECK(p.count == p.stop_after);
    CHECK(p.got <= md->pos - md->base);
  } else {
    CHECK(rc == 0);
    CHECK(p.got == md->pos - md->base);
  }
  md->base += p.got;
  return check_memory(md);
}

static bool op_push(struct model *md)
{
  uint8_t code = next_byte(md);
  for (unsigned i = 0; i <= (code >> 6); i++) {
    if (!push_segment(md, (uint8_t)(code + i)))
      return false;
  }
  return check_memory(md);
}

static bool op_find_byte(struct model *md)
{
  uint8_t how = next_byte(md);
  /* Half the time a byte that is there, somewhere ahead. */
  uint8_t byte = how;
  if ((how & 1) && remaining(md) > 0)
    byte = md->flat[md->pos + next_len(md) % remaining(md)];
  size_t got = 12345;
  int rc = gomem_reader_find_byte(md->r, byte, &got);
  const uint8_t *hit = remaining(md) ? memchr(md->flat + md->pos, byte, remaining(md)) : NULL;
  if (!hit) {
    CHECK(rc == GOMEM_ERR_EOF && got == 12345);
    return true;
  }
  CHECK(rc == GOMEM_OK);
  CHECK(got == (size_t)(hit - (md->flat + md->pos)));
  return true;
}

static bool op_find(struct model *md)
{
  uint8_t how = next_byte(md);
  uint8_t needle[64];
  size_t n = (size_t)next_byte(md) % sizeof(needle);
  if ((how & 1) && remaining(md) > 0) {
    /* A piece of what lies ahead, maybe with one byte changed. */
    size_t from = md->pos + next_len(md) % remaining(md);
    if (n > md->len - from)
      n = md->len - from;
    memcpy(needle, md->flat + from, n);
    if ((how & 2) && n > 0)
      needle[next_byte(md) % n] ^= (uint8_t)(1u << (how >> 5));
  } else {
    for (size_t i = 0; i < n; i++)
      needle[i] = next_byte(md);
  }
  size_t want = SIZE_MAX;
  for (size_t i = md->pos; n <= md->len && i <= md->len - n; i++) {
    if (memcmp(md->flat + i, needle, n) == 0) {
      want = i - md->pos;
      break;
    }
  }
  size_t got = 12345;
  int rc = gomem_reader_find(md->r, needle, n, &got);
  if (want == SIZE_MAX) {
    CHECK(rc == GOMEM_ERR_EOF && got == 12345);
    return true;
  }
  CHECK(rc == GOMEM_OK);
  CHECK(got == want);
  return true;
}

static bool op_float(struct model *md)
{
  uint8_t how = next_byte(md);
  bool big_endian = how & 1, wide = how & 2;
  unsigned nbytes = wide ? 8 : 4;
  float f = 42.0f;
  double d = 42.0;
  int rc = wide ? (big_endian ? gomem_reader_read_f64_be(md->r, &d) : gomem_reader_read_f64_le(md->r, &d))
                : (big_endian ? gomem_reader_read_f32_be(md->r, &f) : gomem_reader_read_f32_le(md->r, &f));
  if (nbytes > remaining(md)) {
    CHECK(rc == GOMEM_ERR_EOF);
    CHECK(f == 42.0f && d == 42.0);
    return true;
  }
  uint64_t want = 0;
  for (unsigned i = 0; i < nbytes; i++) {
    unsigned k = big_endian ? i : nbytes - 1 - i;
    want = want << 8 | md->flat[md->pos + k];
  }
  CHECK(rc == GOMEM_OK);
  if (wide) {
    uint64_t got;
    memcpy(&got, &d, 8);
    CHECK(got == want);
  } else {
    uint32_t got;
    memcpy(&got, &f, 4);
    CHECK(got == (uint32_t)want);
  }
  md->pos += nbytes;
  return true;
}

/* The model's SLEB128 (value as two's-complement bits). */
static int model_sleb128(const struct model *md, uint64_t *v, size_t *n)
{
  *v = 0;
  for (size_t i = 0; i < 10; i++) {
    if (md->pos + i >= md->len)
      return GOMEM_ERR_EOF;
    uint8_t b = md->flat[md->pos + i];
    if (i == 9) {
      if (b != 0x00 && b != 0x7f)
        return GOMEM_ERR_OVERFLOW;
      *v |= (uint64_t)(b & 1) << 63;
      *n = 10;
      return GOMEM_OK;
    }
    *v |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      if (b & 0x40)
        *v |= ~UINT64_C(0) << (7 * i + 7);
      *n = i + 1;
      return GOMEM_OK;
    }
  }
  return GOMEM_ERR_OVERFLOW;
}

static bool op_signed_varint(struct model *md, bool zigzag)
{
  uint64_t want;
  size_t want_n = 0;
  int want_rc = zigzag ? model_uleb128(md, &want, &want_n) : model_sleb128(md, &want, &want_n);
  if (zigzag && want_rc == GOMEM_OK)
    want = (want >> 1) ^ (UINT64_C(0) - (want & 1));
  int64_t got = 42;
  int rc = zigzag ? gomem_reader_read_zigzag(md->r, &got) : gomem_reader_read_sleb128(md->r, &got);
  CHECK(rc == want_rc);
  if (rc != GOMEM_OK) {
    CHECK(got == 42);
    return true;
  }
  uint64_t bits;
  memcpy(&bits, &got, 8);
  CHECK(bits == want);
  md->pos += want_n;
  return true;
}

/* A bit reader session: a few calls, each checked against bit-model.h. */
static bool op_bits(struct model *md)
{
  uint8_t how = next_byte(md);
  bool emulation = how & 1;
  size_t window = remaining(md);
  struct bit_model ref = {malloc(window + 1), malloc((window + 1) * sizeof(size_t)), 0, 0};
  CHECK(ref.payload && ref.src_end);
  bit_model_init(&ref, md->flat + md->pos, window, emulation);
  gomem_bitreader *b = gomem_bitreader_new(md->r, emulation ? GOMEM_BITREADER_EMULATION : 0);
  bool ok = check(md, b != NULL, __LINE__, "bitreader_new");
  size_t start = md->pos;
  for (unsigned i = 0; ok && i <= (how >> 3); i++) {
    uint8_t op = next_byte(md);
    uint64_t v = 7, want = 7;
    int64_t s = 7, want_s = 7;
    int rc, want_rc;
    size_t before = ref.pos;
    switch (op % 5) {
    case 0: {
      unsigned n = (unsigned)(op >> 3) * 3 % 67; /* 0..66: a few invalid */
      rc = gomem_bitreader_read_bits(b, n, &v);
      want_rc = n > 64 ? GOMEM_ERR_INVALID : bit_model_bits(&ref, n, &want);
      break;
    }
    case 1:
      rc = gomem_bitreader_read_ue(b, &v);
      want_rc = bit_model_ue(&ref, &want);
      break;
    case 2:
      rc = gomem_bitreader_read_se(b, &s);
      want_rc = bit_model_se(&ref, &want_s);
      break;
    case 3: {
      size_t n = next_len(md) * ((op >> 3) + 1);
      rc = gomem_bitreader_skip_bits(b, n);
      want_rc = bit_model_skip(&ref, n);
      break;
    }
    default:
      rc = gomem_bitreader_align(b);
      want_rc = GOMEM_OK;
      bit_model_align(&ref);
      break;
    }
    ok = check(md, rc == want_rc, __LINE__, "bitreader rc") &&
         check(md, v == want && s == want_s, __LINE__, "bitreader value") &&
         check(md, rc == GOMEM_OK || ref.pos == before, __LINE__, "bitreader moved on error") &&
         check(md, gomem_reader_offset(md->r) == start - md->base + bit_model_taken(&ref), __LINE__,
               "bitreader: reader offset");
  }
  md->pos = start + bit_model_taken(&ref);
  gomem_bitreader_destroy(b);
  free(ref.payload);
  free(ref.src_end);
  return ok;
}

static bool run_op(struct model *md, uint8_t op)
{
  switch (op % 25) {
  case 0: return op_read(md);
  case 1: return op_exact(md, true);
  case 2: return op_exact(md, false);
  case 3: return op_byte(md, BYTE_CALL);
  case 4: return op_byte(md, BYTE_MASK);
  case 5: return op_int(md, true);
  case 6: return op_int(md, false);
  case 7: return op_uleb128(md, false);
  case 8: return op_skip(md);
  case 9: return op_unread(md);
  case 10: return op_range(md);
  case 11: return op_current(md);
  case 12:
    gomem_reader_move_to_end(md->r);
    md->pos = md->len;
    return true;
  case 13: return op_clip(md);
  case 14: return op_push(md);
  case 15:
    CHECK(gomem_reader_reset(md->r, md->m) == GOMEM_OK);
    md->pos = md->base;
    return true;
  case 16: return op_uleb128(md, true);
  case 17: return op_byte(md, BYTE_INLINE);
  case 18: return op_find_byte(md);
  case 19: return op_find(md);
  case 20: return op_float(md);
  case 21: return op_signed_varint(md, false);
  case 22: return op_signed_varint(md, true);
  case 23: return op_bits(md);
  default: return op_bits(md);
  }
}

static bool setup(struct model *md)
{
  uint8_t seed = next_byte(md);
  md->rng = 0x9E3779B97F4A7C15ull ^ seed;
  md->leb_bytes = seed & 1;
  md->rbsp_bytes = seed & 4;
  md->heap_reader = seed & 2;
  md->m = gomem_memory_new();
  md->cap = 4096; /* grows in push_segment; never NULL, so flat + 0 is fine */
  md->flat = malloc(md->cap);
  md->scratch = malloc(md->cap);
  CHECK(md->m && md->flat && md->scratch);
  unsigned nseg = next_byte(md) % 24;
  for (unsigned i = 0; i < nseg; i++) {
    if (!push_segment(md, next_byte(md)))
      return false;
  }
  md->r = md->heap_reader ? gomem_reader_new(md->m)
                          : gomem_reader_init(&md->storage, sizeof(md->storage), md->m);
  CHECK(md->r != NULL);
  return true;
}

static void teardown(struct model *md)
{
  gomem_reader_destroy(md->r);
  gomem_memory_destroy(md->m);
  for (size_t i = 0; i < md->nblocks; i++)
    free(md->blocks[i]);
  free(md->blocks);
  free(md->flat);
  free(md->scratch);
}

int reader_model_run(const uint8_t *data, size_t size, size_t *ops, char *err, size_t errlen)
{
  struct model *md = calloc(1, sizeof(*md));
  if (!md) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  md->in = fuzz_program_start(data, size);
  md->err = err;
  md->errlen = errlen;
  size_t done = 0;
  bool ok = setup(md);
  while (ok && md->in.left > 0) {
    ok = run_op(md, next_byte(md));
    done++;
    ok = ok && check(md, gomem_reader_offset(md->r) == md->pos - md->base, __LINE__, "offset") &&
         check(md, gomem_reader_remaining(md->r) == remaining(md), __LINE__, "remaining");
  }
  teardown(md);
  free(md);
  if (ops)
    *ops = done;
  return ok ? 0 : -1;
}
