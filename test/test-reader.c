/* SPDX-License-Identifier: MIT */
/*
 * The reader layer. Three parts:
 * - the Go original's scenarios and documented examples;
 * - every operation at every offset of memories cut into segments of 0, 1,
 *   2, 7 and many bytes, compared with the same bytes read flat;
 * - a randomized differential run (fuzz/reader-model.c) of well over 100k
 *   operations against a flat model, and the same model over fuzz-reader's
 *   committed seeds.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gomem/gomem.h>

#include "fuzz/reader-model.h"
#include "fuzz/replay.h"
#include "rng.h"
#include "run-suite.h"

/* ---- helpers ----------------------------------------------------------- */

#define FLAT_LEN 64

/* The bytes every segmented memory below holds. */
static uint8_t flat[FLAT_LEN];

static void flat_fill(void)
{
  for (size_t i = 0; i < FLAT_LEN; i++)
    flat[i] = (uint8_t)(i * 37 + 11);
}

/* Ways to cut FLAT_LEN bytes; 0 entries are empty segments. Cycled. */
static const size_t cut_ones[] = {1};
static const size_t cut_twos[] = {2};
static const size_t cut_threes[] = {3};
static const size_t cut_sevens[] = {7};
static const size_t cut_empty_between[] = {0, 1, 0, 2, 0, 0, 7};
static const size_t cut_large[] = {FLAT_LEN};
static const size_t cut_mixed[] = {7, 0, 1, 2, 30, 0};

static const struct cut {
  const char *name;
  const size_t *sizes;
  size_t n;
} cuts[] = {
  {"ones", cut_ones, 1},
  {"twos", cut_twos, 1},
  {"threes", cut_threes, 1},
  {"sevens", cut_sevens, 1},
  {"empty-between", cut_empty_between, 7},
  {"large", cut_large, 1},
  {"mixed", cut_mixed, 6},
};
#define NCUTS (sizeof(cuts) / sizeof(cuts[0]))

/*
 * A memory holding flat[] cut as @c says, each segment copied into its own
 * malloc block of exact size so that straying past a segment end is caught
 * by ASan/Valgrind. An empty segment leads and trails too.
 */
struct segmented {
  gomem_memory *m;
  void *blocks[2 * FLAT_LEN + 2];
  size_t nblocks;
};

static void seg_push(struct segmented *s, const uint8_t *src, size_t len)
{
  void *b = len ? malloc(len) : NULL;
  if (len) {
    ck_assert_ptr_nonnull(b);
    memcpy(b, src, len);
  }
  s->blocks[s->nblocks++] = b;
  ck_assert_int_eq(gomem_memory_push(s->m, b, len), GOMEM_OK);
}

static void seg_make(struct segmented *s, const struct cut *c)
{
  s->m = gomem_memory_new();
  s->nblocks = 0;
  seg_push(s, NULL, 0);
  size_t at = 0;
  for (size_t i = 0; at < FLAT_LEN; i++) {
    size_t len = c->sizes[i % c->n];
    if (len > FLAT_LEN - at)
      len = FLAT_LEN - at;
    seg_push(s, flat + at, len);
    at += len;
  }
  seg_push(s, NULL, 0);
  ck_assert_uint_eq(gomem_memory_size(s->m), FLAT_LEN);
}

static void seg_free(struct segmented *s)
{
  gomem_memory_destroy(s->m);
  for (size_t i = 0; i < s->nblocks; i++)
    free(s->blocks[i]);
}

/* A stack reader at absolute offset @at. */
static gomem_reader *reader_at(gomem_reader_storage *st, gomem_memory *m, size_t at)
{
  gomem_reader *r = gomem_reader_init(st, sizeof(*st), m);
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(gomem_reader_skip(r, at), GOMEM_OK);
  ck_assert_uint_eq(gomem_reader_offset(r), at);
  return r;
}

static void expect_pos(const gomem_reader *r, size_t at)
{
  ck_assert_uint_eq(gomem_reader_offset(r), at);
  ck_assert_uint_eq(gomem_reader_remaining(r), FLAT_LEN - at);
}

/* ---- Go's scenarios ------------------------------------------------------ */

/* Go's TestMemoryReader: two buffers, one Read of everything. */
START_TEST(test_go_reader_read_all)
{
  const uint8_t b1[] = {1, 2, 3}, b2[] = {4, 5, 6};
  gomem_memory *m = gomem_memory_new();
  gomem_memory_push(m, b1, 3);
  gomem_memory_push(m, b2, 3);
  gomem_reader *r = gomem_reader_new(m);
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(gomem_reader_remaining(r), 6);
  uint8_t out[6];
  ck_assert_uint_eq(gomem_reader_read(r, out, 6), 6);
  const uint8_t want[] = {1, 2, 3, 4, 5, 6};
  ck_assert_mem_eq(out, want, 6);
  ck_assert_uint_eq(gomem_reader_remaining(r), 0);
  ck_assert_uint_eq(gomem_reader_read(r, out, 6), 0);
  gomem_reader_destroy(r);
  gomem_memory_destroy(m);
}
END_TEST

/* The examples of Go's mem_reader.go package comment. */
START_TEST(test_go_reader_doc_examples)
{
  const char *hello = "Hello, World!";
  gomem_memory *m = gomem_memory_new();
  gomem_memory_push(m, hello, strlen(hello));
  gomem_reader_storage st;
  gomem_reader *r = gomem_reader_init(&st, sizeof(st), m);
  uint8_t b1, b2;
  ck_assert_int_eq(gomem_reader_read_byte(r, &b1), GOMEM_OK);
  ck_assert_int_eq(gomem_reader_read_byte(r, &b2), GOMEM_OK);
  ck_assert_int_eq(b1, 'H');
  ck_assert_int_eq(b2, 'e');
  char buf[16] = {0};
  ck_assert_uint_eq(gomem_reader_read(r, buf, 5), 5);
  ck_assert_str_eq(buf, "llo, ");
  /* Go's comment skips 2 (" W"), but the space was already read: 1 is right. */
  ck_assert_int_eq(gomem_reader_skip(r, 1), GOMEM_OK);
  memset(buf, 0, sizeof(buf));
  ck_assert_int_eq(gomem_reader_read_exact(r, buf, gomem_reader_remaining(r)), GOMEM_OK);
  ck_assert_str_eq(buf, "orld!");

  const uint8_t leb[] = {0xE5, 0x8E, 0x26};
  gomem_memory_reset(m);
  gomem_memory_push(m, leb, 3);
  gomem_reader_reset(r, m);
  uint64_t v = 0;
  size_t n = 0;
  ck_assert_int_eq(gomem_reader_read_uleb128_n(r, &v, &n), GOMEM_OK);
  ck_assert_uint_eq(v, 624485);
  ck_assert_uint_eq(n, 3);

  const uint8_t be[] = {0x12, 0x34, 0x56, 0x78};
  gomem_memory_reset(m);
  gomem_memory_push(m, be, 4);
  gomem_reader_reset(r, m);
  ck_assert_int_eq(gomem_reader_read_be(r, 4, &v), GOMEM_OK);
  ck_assert_uint_eq(v, 0x12345678);
  gomem_memory_destroy(m);
}
END_TEST

/* Go's ReadByteMask, Range, RangeN, MoveToEnd, GetCurrent, ClipFront. */
START_TEST(test_go_reader_misc)
{
  const uint8_t b1[] = {0xF1, 2, 3}, b2[] = {4, 5, 6, 7};
  gomem_memory *m = gomem_memory_new();
  gomem_memory_push(m, b1, 3);
  gomem_memory_push(m, b2, 4);
  gomem_reader *r = gomem_reader_new(m);
  uint8_t b;
  ck_assert_int_eq(gomem_reader_read_byte_mask(r, 0x0F, &b), GOMEM_OK);
  ck_assert_uint_eq(b, 0x01);
  const void *p;
  size_t len;
  ck_assert_int_eq(gomem_reader_current(r, &p, &len), GOMEM_OK);
  ck_assert_ptr_eq(p, b1 + 1);
  ck_assert_uint_eq(len, 2);
  ck_assert_int_eq(gomem_reader_range(r, 3, NULL, NULL), 0);
  ck_assert_int_eq(gomem_reader_current(r, &p, &len), GOMEM_OK);
  ck_assert_ptr_eq(p, b2 + 1);
  ck_assert_uint_eq(len, 3);
  gomem_reader_move_to_end(r);
  ck_assert_uint_eq(gomem_reader_remaining(r), 0);
  ck_assert_uint_eq(gomem_reader_offset(r), 7);
  ck_assert_int_eq(gomem_reader_current(r, &p, &len), GOMEM_ERR_EOF);
  ck_assert_ptr_null(p);
  ck_assert_uint_eq(len, 0);
  ck_assert_int_eq(gomem_reader_read_byte(r, &b), GOMEM_ERR_EOF);
  ck_assert_int_eq(gomem_reader_clip_front(r, NULL, NULL), 0);
  ck_assert_uint_eq(gomem_memory_count(m), 0);
  ck_assert_uint_eq(gomem_reader_offset(r), 0);
  gomem_reader_destroy(r);
  gomem_memory_destroy(m);
}
END_TEST

/* ---- argument errors and the two kinds of reader ---------------------- */

START_TEST(test_reader_bad_arguments)
{
  errno = 0;
  ck_assert_ptr_null(gomem_reader_new(NULL));
  ck_assert_int_eq(errno, EINVAL);
  gomem_memory *m = gomem_memory_new();
  gomem_reader_storage st;
  errno = 0;
  ck_assert_ptr_null(gomem_reader_init(&st, sizeof(st) / 8, m));
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_ptr_null(gomem_reader_init(NULL, sizeof(st), m));
  ck_assert_ptr_null(gomem_reader_init(&st, sizeof(st), NULL));
  ck_assert_uint_eq(sizeof(gomem_reader_storage), GOMEM_READER_STORAGE_SIZE);

  gomem_reader_destroy(NULL);
  ck_assert_uint_eq(gomem_reader_remaining(NULL), 0);
  ck_assert_uint_eq(gomem_reader_offset(NULL), 0);
  ck_assert_ptr_null(gomem_reader_memory(NULL));
  uint8_t b;
  uint64_t v;
  ck_assert_uint_eq(gomem_reader_read(NULL, &b, 1), 0);
  ck_assert_int_eq(gomem_reader_read_exact(NULL, &b, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_peek(NULL, &b, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_byte(NULL, &b), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_byte_mask(NULL, 1, &b), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_be(NULL, 1, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_le(NULL, 1, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_uleb128(NULL, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_byte_inline(NULL, &b), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_uleb128_inline(NULL, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_skip(NULL, 0), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_unread(NULL, 0), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_range(NULL, 0, NULL, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_clip_front(NULL, NULL, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_reset(NULL, m), GOMEM_ERR_INVALID);
  gomem_reader_move_to_end(NULL);

  const uint8_t one[] = {9, 8};
  gomem_memory_push(m, one, 2);
  gomem_reader *r = gomem_reader_init(&st, sizeof(st), m);
  ck_assert_ptr_eq(gomem_reader_memory(r), m);
  ck_assert_int_eq(gomem_reader_read_exact(r, NULL, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_byte(r, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_byte_mask(r, 1, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_be(r, 0, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_be(r, 9, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_le(r, 1, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_uleb128(r, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_byte_inline(r, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_uleb128_inline(r, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_reset(r, NULL), GOMEM_ERR_INVALID);
  const void *p;
  ck_assert_int_eq(gomem_reader_current(r, &p, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_unread(r, 1), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(gomem_reader_offset(r), 0);
  ck_assert_uint_eq(gomem_reader_remaining(r), 2);
  gomem_reader_destroy(r); /* a no-op for storage readers */
  ck_assert_int_eq(gomem_reader_read_byte(r, &b), GOMEM_OK);
  ck_assert_uint_eq(b, 9);
  gomem_memory_destroy(m);
}
END_TEST

/* The reader follows a memory that grows after it was created. */
START_TEST(test_reader_sees_pushes)
{
  static uint8_t bytes[600];
  for (size_t i = 0; i < sizeof(bytes); i++)
    bytes[i] = (uint8_t)i;
  gomem_memory *m = gomem_memory_new();
  gomem_reader *r = gomem_reader_new(m);
  uint8_t b;
  ck_assert_int_eq(gomem_reader_read_byte(r, &b), GOMEM_ERR_EOF);
  /* Enough pushes to move the segment array several times. */
  for (size_t i = 0; i < sizeof(bytes); i++) {
    gomem_memory_push(m, &bytes[i], 1);
    ck_assert_int_eq(gomem_reader_read_byte(r, &b), GOMEM_OK);
    ck_assert_uint_eq(b, (uint8_t)i);
    ck_assert_int_eq(gomem_reader_read_byte(r, &b), GOMEM_ERR_EOF);
  }
  ck_assert_int_eq(gomem_reader_unread(r, 600), GOMEM_OK);
  ck_assert_int_eq(gomem_reader_skip(r, 599), GOMEM_OK);
  ck_assert_int_eq(gomem_reader_read_byte(r, &b), GOMEM_OK);
  ck_assert_uint_eq(b, (uint8_t)599);
  gomem_reader_destroy(r);
  gomem_memory_destroy(m);
}
END_TEST

/* ---- LEB128 over the full 64-bit range ------------------------------- */

static int leb_of(const uint8_t *bytes, size_t len, uint64_t *v, size_t *n, size_t *offset)
{
  gomem_memory *m = gomem_memory_new();
  /* One byte per segment: every boundary is crossed. */
  for (size_t i = 0; i < len; i++)
    gomem_memory_push(m, bytes + i, 1);
  gomem_reader_storage st;
  gomem_reader *r = gomem_reader_init(&st, sizeof(st), m);
  int rc = gomem_reader_read_uleb128_n(r, v, n);
  *offset = gomem_reader_offset(r);
  gomem_memory_destroy(m);
  return rc;
}

START_TEST(test_uleb128_range)
{
  uint64_t v = 0;
  size_t n = 0, off;
  const uint8_t zero[] = {0x00};
  ck_assert_int_eq(leb_of(zero, 1, &v, &n, &off), GOMEM_OK);
  ck_assert_uint_eq(v, 0);
  ck_assert_uint_eq(n, 1);
  const uint8_t padded[] = {0x80, 0x80, 0x00};
  ck_assert_int_eq(leb_of(padded, 3, &v, &n, &off), GOMEM_OK);
  ck_assert_uint_eq(v, 0);
  ck_assert_uint_eq(n, 3);
  /* Go stops after 8 bytes; 2^56 needs 9. */
  const uint8_t nine[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  ck_assert_int_eq(leb_of(nine, 9, &v, &n, &off), GOMEM_OK);
  ck_assert_uint_eq(v, UINT64_C(1) << 56);
  const uint8_t max[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  ck_assert_int_eq(leb_of(max, 10, &v, &n, &off), GOMEM_OK);
  ck_assert_uint_eq(v, UINT64_MAX);
  ck_assert_uint_eq(n, 10);
  ck_assert_uint_eq(off, 10);
  const uint8_t top[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  ck_assert_int_eq(leb_of(top, 10, &v, &n, &off), GOMEM_OK);
  ck_assert_uint_eq(v, UINT64_C(1) << 63);

  /* Errors consume nothing and leave the outputs alone. */
  v = 5;
  n = 6;
  const uint8_t big[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02};
  ck_assert_int_eq(leb_of(big, 10, &v, &n, &off), GOMEM_ERR_OVERFLOW);
  ck_assert_uint_eq(off, 0);
  const uint8_t longer[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  ck_assert_int_eq(leb_of(longer, 11, &v, &n, &off), GOMEM_ERR_OVERFLOW);
  ck_assert_uint_eq(off, 0);
  const uint8_t cut[] = {0x80, 0x81};
  ck_assert_int_eq(leb_of(cut, 2, &v, &n, &off), GOMEM_ERR_EOF);
  ck_assert_uint_eq(off, 0);
  ck_assert_int_eq(leb_of(cut, 0, &v, &n, &off), GOMEM_ERR_EOF);
  ck_assert_uint_eq(v, 5);
  ck_assert_uint_eq(n, 6);

  /* Every value 2^k - 1 and 2^k round-trips through an encoder. */
  for (unsigned k = 0; k < 64; k++) {
    for (uint64_t x = (UINT64_C(1) << k) - 1; x <= (UINT64_C(1) << k); x++) {
      uint8_t enc[10];
      size_t len = 0;
      uint64_t rest = x;
      do {
        enc[len] = (uint8_t)(rest & 0x7f);
        rest >>= 7;
        if (rest)
          enc[len] |= 0x80;
        len++;
      } while (rest);
      ck_assert_int_eq(leb_of(enc, len, &v, &n, &off), GOMEM_OK);
      ck_assert_uint_eq(v, x);
      ck_assert_uint_eq(n, len);
    }
  }
}
END_TEST

/* ---- every operation at every offset, every segmentation --------------- */

START_TEST(test_cuts_read_exact_and_peek)
{
  const struct cut *c = &cuts[_i];
  struct segmented s;
  seg_make(&s, c);
  for (size_t at = 0; at <= FLAT_LEN; at++) {
    for (size_t n = 0; n <= FLAT_LEN - at + 1; n++) {
      gomem_reader_storage st;
      gomem_reader *r = reader_at(&st, s.m, at);
      uint8_t out[FLAT_LEN + 1];
      memset(out, 0xEE, sizeof(out));
      int want = n <= FLAT_LEN - at ? GOMEM_OK : GOMEM_ERR_EOF;
      ck_assert_int_eq(gomem_reader_peek(r, out, n), want);
      expect_pos(r, at);
      ck_assert_int_eq(gomem_reader_read_exact(r, out, n), want);
      if (want == GOMEM_OK) {
        ck_assert(memcmp(out, flat + at, n) == 0);
        expect_pos(r, at + n);
      } else {
        ck_assert_uint_eq(out[0], 0xEE);
        expect_pos(r, at);
      }
      /* read (up to n) takes what is there. */
      r = reader_at(&st, s.m, at);
      size_t got = gomem_reader_read(r, out, n);
      ck_assert_uint_eq(got, n <= FLAT_LEN - at ? n : FLAT_LEN - at);
      ck_assert(memcmp(out, flat + at, got) == 0);
      expect_pos(r, at + got);
    }
  }
  seg_free(&s);
}
END_TEST

START_TEST(test_cuts_integers)
{
  const struct cut *c = &cuts[_i];
  struct segmented s;
  seg_make(&s, c);
  for (size_t at = 0; at <= FLAT_LEN; at++) {
    for (unsigned nb = 1; nb <= 8; nb++) {
      gomem_reader_storage st;
      gomem_reader *r = reader_at(&st, s.m, at);
      uint64_t be = 1, le = 1, want_be = 0, want_le = 0;
      if (at + nb > FLAT_LEN) {
        ck_assert_int_eq(gomem_reader_read_be(r, nb, &be), GOMEM_ERR_EOF);
        ck_assert_int_eq(gomem_reader_read_le(r, nb, &le), GOMEM_ERR_EOF);
        ck_assert_uint_eq(be, 1);
        expect_pos(r, at);
        continue;
      }
      for (unsigned i = 0; i < nb; i++) {
        want_be = want_be << 8 | flat[at + i];
        want_le |= (uint64_t)flat[at + i] << (8 * i);
      }
      ck_assert_int_eq(gomem_reader_read_be(r, nb, &be), GOMEM_OK);
      ck_assert_uint_eq(be, want_be);
      expect_pos(r, at + nb);
      ck_assert_int_eq(gomem_reader_unread(r, nb), GOMEM_OK);
      ck_assert_int_eq(gomem_reader_read_le(r, nb, &le), GOMEM_OK);
      ck_assert_uint_eq(le, want_le);
      expect_pos(r, at + nb);
    }
    gomem_reader_storage st;
    gomem_reader *r = reader_at(&st, s.m, at);
    uint8_t b = 0;
    ck_assert_int_eq(gomem_reader_read_byte(r, &b), at < FLAT_LEN ? GOMEM_OK : GOMEM_ERR_EOF);
    if (at < FLAT_LEN)
      ck_assert_uint_eq(b, flat[at]);
  }
  seg_free(&s);
}
END_TEST

/* The header's inline helpers agree with the exported calls at every position. */
START_TEST(test_cuts_inline_helpers)
{
  const struct cut *c = &cuts[_i];
  struct segmented s;
  seg_make(&s, c);
  gomem_reader_storage st, st2;
  gomem_reader *r = reader_at(&st, s.m, 0);
  for (size_t at = 0; at < FLAT_LEN; at++) {
    uint8_t b = 0;
    ck_assert_int_eq(gomem_reader_read_byte_inline(r, &b), GOMEM_OK);
    ck_assert_uint_eq(b, flat[at]);
    expect_pos(r, at + 1);
  }
  uint8_t b = 0x5A;
  ck_assert_int_eq(gomem_reader_read_byte_inline(r, &b), GOMEM_ERR_EOF);
  ck_assert_uint_eq(b, 0x5A);
  expect_pos(r, FLAT_LEN);

  for (size_t at = 0; at <= FLAT_LEN; at++) {
    r = reader_at(&st, s.m, at);
    gomem_reader *ref = reader_at(&st2, s.m, at);
    uint64_t got = 42, want = 43;
    int want_rc = gomem_reader_read_uleb128(ref, &want);
    ck_assert_int_eq(gomem_reader_read_uleb128_inline(r, &got), want_rc);
    ck_assert_uint_eq(gomem_reader_offset(r), gomem_reader_offset(ref));
    ck_assert_uint_eq(got, want_rc == GOMEM_OK ? want : 42);
  }
  seg_free(&s);
}
END_TEST

START_TEST(test_cuts_skip_unread)
{
  const struct cut *c = &cuts[_i];
  struct segmented s;
  seg_make(&s, c);
  for (size_t at = 0; at <= FLAT_LEN; at++) {
    for (size_t n = 0; n <= FLAT_LEN + 1; n++) {
      gomem_reader_storage st;
      gomem_reader *r = reader_at(&st, s.m, at);
      ck_assert_int_eq(gomem_reader_skip(r, n), n <= FLAT_LEN - at ? GOMEM_OK : GOMEM_ERR_EOF);
      size_t pos = n <= FLAT_LEN - at ? at + n : at;
      expect_pos(r, pos);
      ck_assert_int_eq(gomem_reader_unread(r, n), n <= pos ? GOMEM_OK : GOMEM_ERR_INVALID);
      pos = n <= pos ? pos - n : pos;
      expect_pos(r, pos);
      uint8_t b;
      if (pos < FLAT_LEN) {
        ck_assert_int_eq(gomem_reader_read_byte(r, &b), GOMEM_OK);
        ck_assert_uint_eq(b, flat[pos]);
      }
    }
  }
  seg_free(&s);
}
END_TEST

/*
 * read_exact, read, skip and skip_inline across segments of every length
 * the copy loop treats apart (0; 1-3, 4-7, 8-15 and 16-128 bytes copied
 * inline; longer ones by memcpy), each in its own exact-size block: from
 * and to every segment boundary and the bytes either side of it, against
 * the flat bytes; a read past the end fails, consuming and writing nothing.
 */
static const size_t copy_lens[] = {0,  1,  2,  3,   4,   5,   7,   8,   9, 15, 16, 17, 0,
                                   31, 32, 33, 63,  64,  65,  127, 128, 129, 0, 200, 3};
#define COPY_NSEG (sizeof(copy_lens) / sizeof(copy_lens[0]))

/* Offsets to start and end at: every boundary and its neighbours, in [0, total]. */
static size_t copy_points(size_t *pts, size_t total)
{
  size_t n = 0, at = 0;
  for (size_t i = 0; i <= COPY_NSEG; i++) {
    for (size_t d = 0; d < 3; d++)
      if (at + d >= 1 && at + d - 1 <= total)
        pts[n++] = at + d - 1;
    if (i < COPY_NSEG)
      at += copy_lens[i];
  }
  return n;
}

static void expect_at(const gomem_reader *r, size_t at, size_t total)
{
  ck_assert_uint_eq(gomem_reader_offset(r), at);
  ck_assert_uint_eq(gomem_reader_remaining(r), total - at);
}

START_TEST(test_read_segment_lengths)
{
  uint8_t data[1024], out[1024 + 1];
  void *blocks[COPY_NSEG];
  size_t total = 0, pts[3 * (COPY_NSEG + 1)];
  gomem_memory *m = gomem_memory_new();
  for (size_t i = 0; i < COPY_NSEG; i++) {
    blocks[i] = copy_lens[i] ? malloc(copy_lens[i]) : NULL;
    for (size_t k = 0; k < copy_lens[i]; k++)
      data[total + k] = ((uint8_t *)blocks[i])[k] = (uint8_t)((total + k) * 131 + 7);
    ck_assert_int_eq(gomem_memory_push(m, blocks[i], copy_lens[i]), GOMEM_OK);
    total += copy_lens[i];
  }
  ck_assert_uint_le(total, sizeof(data));
  size_t npts = copy_points(pts, total);
  for (size_t a = 0; a < npts; a++) {
    size_t at = pts[a];
    for (size_t b = 0; b <= npts; b++) {
      size_t n = b < npts ? (pts[b] >= at ? pts[b] - at : 0) : total - at + 1;
      bool fits = n <= total - at;
      gomem_reader_storage st;
      gomem_reader *r = gomem_reader_init(&st, sizeof(st), m);
      ck_assert_int_eq(gomem_reader_skip(r, at), GOMEM_OK);
      memset(out, 0xEE, sizeof(out));
      ck_assert_int_eq(gomem_reader_read_exact(r, out, n), fits ? GOMEM_OK : GOMEM_ERR_EOF);
      if (fits) {
        ck_assert(memcmp(out, data + at, n) == 0);
        ck_assert_uint_eq(out[n], 0xEE);
      } else {
        ck_assert_uint_eq(out[0], 0xEE);
      }
      expect_at(r, fits ? at + n : at, total);

      r = gomem_reader_init(&st, sizeof(st), m);
      ck_assert_int_eq(gomem_reader_skip_inline(r, at), GOMEM_OK);
      size_t got = gomem_reader_read(r, out, n);
      ck_assert_uint_eq(got, fits ? n : total - at);
      ck_assert(memcmp(out, data + at, got) == 0);
      expect_at(r, at + got, total);

      r = gomem_reader_init(&st, sizeof(st), m);
      ck_assert_int_eq(gomem_reader_skip(r, at), GOMEM_OK);
      ck_assert_int_eq(gomem_reader_skip_inline(r, n), fits ? GOMEM_OK : GOMEM_ERR_EOF);
      expect_at(r, fits ? at + n : at, total);
      uint8_t next = 0;
      if ((fits ? at + n : at) < total) {
        ck_assert_int_eq(gomem_reader_read_byte(r, &next), GOMEM_OK);
        ck_assert_uint_eq(next, data[fits ? at + n : at]);
      }
    }
  }
  gomem_memory_destroy(m);
  for (size_t i = 0; i < COPY_NSEG; i++)
    free(blocks[i]);
}
END_TEST

/* Many false candidates: find gives up memchr + memcmp for memmem midway
 * through a segment, and still finds the first match, or none. */
START_TEST(test_find_many_candidates)
{
  static uint8_t a[4000];
  memset(a, 'a', sizeof(a));
  a[sizeof(a) - 1] = 'b';
  gomem_memory *m = gomem_memory_new();
  ck_assert_int_eq(gomem_memory_push(m, a, 3000), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_push(m, a + 3000, 1000), GOMEM_OK);
  gomem_reader_storage st;
  gomem_reader *r = gomem_reader_init(&st, sizeof(st), m);
  size_t pos = 7;
  ck_assert_int_eq(gomem_reader_find(r, "aaab", 4, &pos), GOMEM_OK);
  ck_assert_uint_eq(pos, sizeof(a) - 4);
  ck_assert_int_eq(gomem_reader_find(r, "aac", 3, &pos), GOMEM_ERR_EOF);
  ck_assert_uint_eq(pos, sizeof(a) - 4);
  ck_assert_int_eq(gomem_reader_skip(r, 10), GOMEM_OK);
  ck_assert_int_eq(gomem_reader_find(r, "aaaaa", 5, &pos), GOMEM_OK);
  ck_assert_uint_eq(pos, 0);
  ck_assert_uint_eq(gomem_reader_offset(r), 10);
  gomem_memory_destroy(m);
}
END_TEST

struct seen {
  uint8_t bytes[FLAT_LEN];
  size_t got, calls, stop_after;
};

static int see(const void *ptr, size_t len, void *ctx)
{
  struct seen *s = ctx;
  ck_assert_uint_le(s->got + len, FLAT_LEN);
  if (len)
    memcpy(s->bytes + s->got, ptr, len);
  s->got += len;
  s->calls++;
  return s->calls == s->stop_after ? 99 : 0;
}

/* Range of n bytes: pieces are non-empty, no longer than a segment, in order. */
START_TEST(test_cuts_range_and_current)
{
  const struct cut *c = &cuts[_i];
  size_t max_piece = 0;
  for (size_t k = 0; k < c->n; k++)
    max_piece = c->sizes[k] > max_piece ? c->sizes[k] : max_piece;
  struct segmented s;
  seg_make(&s, c);
  for (size_t at = 0; at <= FLAT_LEN; at++) {
    gomem_reader_storage st;
    gomem_reader *r = reader_at(&st, s.m, at);
    const void *p;
    size_t len;
    int rc = gomem_reader_current(r, &p, &len);
    ck_assert_int_eq(rc, at < FLAT_LEN ? GOMEM_OK : GOMEM_ERR_EOF);
    if (rc == GOMEM_OK) {
      ck_assert_uint_le(len, max_piece);
      ck_assert(memcmp(p, flat + at, len) == 0);
    }
    expect_pos(r, at);
    for (size_t n = 0; n <= FLAT_LEN - at + 1; n++) {
      r = reader_at(&st, s.m, at);
      struct seen seen = {{0}, 0, 0, 0};
      rc = gomem_reader_range(r, n, see, &seen);
      if (n > FLAT_LEN - at) {
        ck_assert_int_eq(rc, GOMEM_ERR_EOF);
        ck_assert_uint_eq(seen.calls, 0);
        expect_pos(r, at);
        continue;
      }
      ck_assert_int_eq(rc, 0);
      ck_assert_uint_eq(seen.got, n);
      ck_assert_uint_le(seen.calls, n);
      ck_assert(memcmp(seen.bytes, flat + at, n) == 0);
      expect_pos(r, at + n);
    }
    /* All the rest, stopping after the second piece. */
    r = reader_at(&st, s.m, at);
    struct seen seen = {{0}, 0, 0, 2};
    rc = gomem_reader_range(r, SIZE_MAX, see, &seen);
    if (seen.calls == 2)
      ck_assert_int_eq(rc, 99);
    else
      ck_assert_int_eq(rc, 0);
    ck_assert(memcmp(seen.bytes, flat + at, seen.got) == 0);
    expect_pos(r, at + seen.got);
  }
  seg_free(&s);
}
END_TEST

/* Clip at every offset: removed pieces are the consumed bytes, the rest stays. */
START_TEST(test_cuts_clip_front)
{
  const struct cut *c = &cuts[_i];
  for (size_t at = 0; at <= FLAT_LEN; at++) {
    struct segmented s;
    seg_make(&s, c);
    gomem_reader_storage st;
    gomem_reader *r = reader_at(&st, s.m, at);
    struct seen seen = {{0}, 0, 0, 0};
    ck_assert_int_eq(gomem_reader_clip_front(r, see, &seen), 0);
    ck_assert_uint_eq(seen.got, at);
    ck_assert(memcmp(seen.bytes, flat, at) == 0);
    ck_assert_uint_eq(gomem_reader_offset(r), 0);
    ck_assert_uint_eq(gomem_reader_remaining(r), FLAT_LEN - at);
    ck_assert_uint_eq(gomem_memory_size(s.m), FLAT_LEN - at);
    uint8_t rest[FLAT_LEN];
    ck_assert_uint_eq(gomem_memory_copy_to(s.m, rest, FLAT_LEN), FLAT_LEN - at);
    ck_assert(memcmp(rest, flat + at, FLAT_LEN - at) == 0);
    /* The clip point is the new start: no unread before it. */
    ck_assert_int_eq(gomem_reader_unread(r, 1), GOMEM_ERR_INVALID);
    ck_assert_int_eq(gomem_reader_clip_front(r, see, &seen), 0);
    ck_assert_uint_eq(seen.got, at);
    /* Reading on is unaffected; the cut segment unreads to its new start. */
    ck_assert_int_eq(gomem_reader_read_exact(r, rest, FLAT_LEN - at), GOMEM_OK);
    ck_assert(memcmp(rest, flat + at, FLAT_LEN - at) == 0);
    ck_assert_int_eq(gomem_reader_unread(r, FLAT_LEN - at), GOMEM_OK);
    ck_assert_int_eq(gomem_reader_unread(r, 1), GOMEM_ERR_INVALID);
    seg_free(&s);
  }
}
END_TEST

START_TEST(test_clip_front_stops_early)
{
  const uint8_t a[] = {1, 2}, b[] = {3, 4, 5}, c[] = {6, 7};
  gomem_memory *m = gomem_memory_new();
  gomem_memory_push(m, a, 2);
  gomem_memory_push(m, NULL, 0);
  gomem_memory_push(m, b, 3);
  gomem_memory_push(m, c, 2);
  gomem_reader *r = gomem_reader_new(m);
  ck_assert_int_eq(gomem_reader_skip(r, 4), GOMEM_OK);
  /* Pieces: {1,2}, {}, then the head {3,4} of the cut segment. Stop after 2. */
  struct seen seen = {{0}, 0, 0, 2};
  ck_assert_int_eq(gomem_reader_clip_front(r, see, &seen), 99);
  ck_assert_uint_eq(seen.got, 2);
  ck_assert_uint_eq(gomem_memory_count(m), 2);
  ck_assert_uint_eq(gomem_reader_offset(r), 2);
  ck_assert_uint_eq(gomem_reader_remaining(r), 3);
  seen.stop_after = 0;
  ck_assert_int_eq(gomem_reader_clip_front(r, see, &seen), 0);
  ck_assert_uint_eq(seen.calls, 3);
  ck_assert_uint_eq(seen.got, 4);
  const uint8_t want[] = {1, 2, 3, 4};
  ck_assert_mem_eq(seen.bytes, want, 4);
  const void *p;
  size_t len;
  ck_assert_int_eq(gomem_memory_segment(m, 0, &p, &len), GOMEM_OK);
  ck_assert_ptr_eq(p, b + 2);
  ck_assert_uint_eq(len, 1);
  ck_assert_uint_eq(gomem_memory_size(m), 3);
  gomem_reader_destroy(r);
  gomem_memory_destroy(m);
}
END_TEST

/* ---- search, floats, signed varints ------------------------------------- */

/* @len bytes of @data cut as @c says, in exact-size blocks (any length). */
struct any_segmented {
  gomem_memory *m;
  void **blocks;
  size_t nblocks;
};

static void any_make(struct any_segmented *s, const uint8_t *data, size_t len, const struct cut *c)
{
  s->m = gomem_memory_new();
  ck_assert_ptr_nonnull(s->m);
  s->blocks = calloc(2 * len + 2, sizeof(void *));
  ck_assert_ptr_nonnull(s->blocks);
  s->nblocks = 0;
  size_t at = 0;
  for (size_t i = 0; at < len || i == 0; i++) {
    size_t n = c->sizes[i % c->n];
    if (n > len - at)
      n = len - at;
    void *b = n ? malloc(n) : NULL;
    if (n)
      memcpy(b, data + at, n);
    s->blocks[s->nblocks++] = b;
    ck_assert_int_eq(gomem_memory_push(s->m, b, n), GOMEM_OK);
    at += n;
  }
  ck_assert_uint_eq(gomem_memory_size(s->m), len);
}

static void any_free(struct any_segmented *s)
{
  gomem_memory_destroy(s->m);
  for (size_t i = 0; i < s->nblocks; i++)
    free(s->blocks[i]);
  free(s->blocks);
}

/* The model: first match of needle in hay[from, len), as an offset from @from. */
static int flat_find(const uint8_t *hay, size_t len, size_t from, const uint8_t *needle, size_t n,
                     size_t *pos)
{
  for (size_t i = from; i + n <= len; i++) {
    if (memcmp(hay + i, needle, n) == 0) {
      *pos = i - from;
      return GOMEM_OK;
    }
  }
  return GOMEM_ERR_EOF;
}

/* find and find_byte at every offset agree with the flat model and consume nothing. */
static void check_find_all(const uint8_t *data, size_t len, const struct cut *c, uint64_t *rng)
{
  struct any_segmented s;
  any_make(&s, data, len, c);
  for (size_t at = 0; at <= len; at++) {
    gomem_reader_storage st;
    gomem_reader *r = gomem_reader_init(&st, sizeof(st), s.m);
    ck_assert_int_eq(gomem_reader_skip(r, at), GOMEM_OK);
    /* Every third byte value over the distinct bytes; over the two-letter
     * data, its letters and two that are absent. */
    static const uint8_t few[] = {'a', 'b', 'c', 0};
    size_t nvals = len > FLAT_LEN ? sizeof(few) : 86;
    for (size_t k = 0; k < nvals; k++) {
      uint8_t byte = len > FLAT_LEN ? few[k] : (uint8_t)(3 * k);
      size_t want = 777, got = 777;
      int want_rc = flat_find(data, len, at, &byte, 1, &want);
      ck_assert_int_eq(gomem_reader_find_byte(r, byte, &got), want_rc);
      ck_assert_uint_eq(got, want);
    }
    for (int t = 0; t < 24; t++) {
      uint8_t needle[24];
      size_t n = 1 + rng_below(rng, sizeof(needle));
      if (t & 1 && len > 0) {
        /* A piece of the data, maybe with its last byte changed. */
        size_t from = rng_below(rng, len);
        if (n > len - from)
          n = len - from;
        memcpy(needle, data + from, n);
        if (t & 2)
          needle[n - 1] ^= 1;
      } else {
        for (size_t i = 0; i < n; i++)
          needle[i] = data[rng_below(rng, len ? len : 1) % (len ? len : 1)] ^ (uint8_t)(t & 4 ? 1 : 0);
      }
      size_t want = 777, got = 777;
      int want_rc = flat_find(data, len, at, needle, n, &want);
      ck_assert_int_eq(gomem_reader_find(r, needle, n, &got), want_rc);
      ck_assert_uint_eq(got, want);
    }
    size_t got = 5;
    ck_assert_int_eq(gomem_reader_find(r, "", 0, &got), GOMEM_OK);
    ck_assert_uint_eq(got, 0);
    ck_assert_uint_eq(gomem_reader_offset(r), at);
    ck_assert_uint_eq(gomem_reader_remaining(r), len - at);
  }
  any_free(&s);
}

START_TEST(test_cuts_find)
{
  const struct cut *c = &cuts[_i];
  uint64_t rng = 0x1234 + _i;
  /* Distinct bytes, then a two-letter alphabet full of near misses. */
  flat_fill();
  check_find_all(flat, FLAT_LEN, c, &rng);
  uint8_t ab[200];
  for (size_t i = 0; i < sizeof(ab); i++)
    ab[i] = (uint8_t)('a' + (rng_next(&rng) % 5 == 0));
  check_find_all(ab, sizeof(ab), c, &rng);
  check_find_all(ab, 0, c, &rng);
}
END_TEST

START_TEST(test_find_examples)
{
  /* "\r\n\r\n" straddling four one-byte segments and a long one. */
  const char *parts[] = {"GET / HTTP/1.1\r", "\n", "", "\r", "\nbody\r\n\r\n"};
  gomem_memory *m = gomem_memory_new();
  for (size_t i = 0; i < 5; i++)
    ck_assert_int_eq(gomem_memory_push(m, parts[i], strlen(parts[i])), GOMEM_OK);
  gomem_reader *r = gomem_reader_new(m);
  size_t pos = 0;
  ck_assert_int_eq(gomem_reader_find(r, "\r\n\r\n", 4, &pos), GOMEM_OK);
  ck_assert_uint_eq(pos, 14);
  ck_assert_int_eq(gomem_reader_find_byte(r, '\n', &pos), GOMEM_OK);
  ck_assert_uint_eq(pos, 15);
  ck_assert_int_eq(gomem_reader_find(r, "body", 4, &pos), GOMEM_OK);
  ck_assert_uint_eq(pos, 18);
  ck_assert_int_eq(gomem_reader_skip(r, 14), GOMEM_OK);
  ck_assert_int_eq(gomem_reader_find(r, "\r\n\r\n", 4, &pos), GOMEM_OK);
  ck_assert_uint_eq(pos, 0);
  ck_assert_int_eq(gomem_reader_skip(r, 1), GOMEM_OK);
  ck_assert_int_eq(gomem_reader_find(r, "\r\n\r\n", 4, &pos), GOMEM_OK);
  ck_assert_uint_eq(pos, 7);
  /* A prefix at the very end is no match. */
  pos = 99;
  ck_assert_int_eq(gomem_reader_find(r, "\r\n\r\nX", 5, &pos), GOMEM_ERR_EOF);
  ck_assert_int_eq(gomem_reader_find_byte(r, 'G', &pos), GOMEM_ERR_EOF);
  ck_assert_uint_eq(pos, 99);
  ck_assert_uint_eq(gomem_reader_offset(r), 15);
  /* Bad arguments. */
  ck_assert_int_eq(gomem_reader_find(NULL, "a", 1, &pos), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_find(r, NULL, 1, &pos), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_find(r, "a", 1, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_find(r, NULL, 0, &pos), GOMEM_OK);
  ck_assert_int_eq(gomem_reader_find_byte(NULL, 1, &pos), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_find_byte(r, 1, NULL), GOMEM_ERR_INVALID);
  gomem_reader_destroy(r);
  gomem_memory_destroy(m);
}
END_TEST

/* The bits of an IEEE value, compared exactly (NaN payloads included). */
static uint32_t f32_bits(float f)
{
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static uint64_t f64_bits(double d)
{
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}

START_TEST(test_float_examples)
{
  const uint8_t bytes[] = {
    0x3F, 0x80, 0x00, 0x00,                         /* 1.0f BE */
    0x00, 0x00, 0xC0, 0xBF,                         /* -1.5f LE */
    0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18, /* pi BE */
    0x18, 0x2D, 0x44, 0x54, 0xFB, 0x21, 0x09, 0xC0, /* -pi LE */
    0x7F, 0xA0, 0x00, 0x01,                         /* a signalling NaN BE */
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF4, 0x7F, /* a signalling NaN LE */
    0x80, 0x00, 0x00,                               /* too short */
  };
  gomem_memory *m = gomem_memory_new();
  for (size_t i = 0; i < sizeof(bytes); i += 3)
    gomem_memory_push(m, bytes + i, sizeof(bytes) - i < 3 ? sizeof(bytes) - i : 3);
  gomem_reader_storage st;
  gomem_reader *r = gomem_reader_init(&st, sizeof(st), m);
  float f = 0;
  double d = 0;
  ck_assert_int_eq(gomem_reader_read_f32_be(r, &f), GOMEM_OK);
  ck_assert(f == 1.0f);
  ck_assert_int_eq(gomem_reader_read_f32_le(r, &f), GOMEM_OK);
  ck_assert(f == -1.5f);
  ck_assert_int_eq(gomem_reader_read_f64_be(r, &d), GOMEM_OK);
  ck_assert_uint_eq(f64_bits(d), f64_bits(3.141592653589793));
  ck_assert_int_eq(gomem_reader_read_f64_le(r, &d), GOMEM_OK);
  ck_assert_uint_eq(f64_bits(d), f64_bits(-3.141592653589793));
  ck_assert_int_eq(gomem_reader_read_f32_be(r, &f), GOMEM_OK);
  ck_assert_uint_eq(f32_bits(f), 0x7FA00001u);
  ck_assert_int_eq(gomem_reader_read_f64_le(r, &d), GOMEM_OK);
  ck_assert_uint_eq(f64_bits(d), UINT64_C(0x7FF4000000000001));
  f = 2.0f;
  d = 2.0;
  ck_assert_int_eq(gomem_reader_read_f32_be(r, &f), GOMEM_ERR_EOF);
  ck_assert_int_eq(gomem_reader_read_f32_le(r, &f), GOMEM_ERR_EOF);
  ck_assert_int_eq(gomem_reader_read_f64_be(r, &d), GOMEM_ERR_EOF);
  ck_assert_int_eq(gomem_reader_read_f64_le(r, &d), GOMEM_ERR_EOF);
  ck_assert(f == 2.0f && d == 2.0);
  ck_assert_uint_eq(gomem_reader_remaining(r), 3);
  ck_assert_int_eq(gomem_reader_read_f32_be(NULL, &f), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_f32_le(r, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_f64_be(r, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_f64_le(NULL, &d), GOMEM_ERR_INVALID);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_cuts_floats)
{
  const struct cut *c = &cuts[_i];
  struct segmented s;
  seg_make(&s, c);
  for (size_t at = 0; at <= FLAT_LEN; at++) {
    for (unsigned w = 4; w <= 8; w += 4) {
      for (int big = 0; big <= 1; big++) {
        gomem_reader_storage st;
        gomem_reader *r = reader_at(&st, s.m, at);
        uint64_t want = 0;
        for (unsigned i = 0; at + w <= FLAT_LEN && i < w; i++)
          want = big ? want << 8 | flat[at + i] : want | (uint64_t)flat[at + i] << (8 * i);
        float f = 9.0f;
        double d = 9.0;
        int rc = w == 4 ? (big ? gomem_reader_read_f32_be(r, &f) : gomem_reader_read_f32_le(r, &f))
                        : (big ? gomem_reader_read_f64_be(r, &d) : gomem_reader_read_f64_le(r, &d));
        if (at + w > FLAT_LEN) {
          ck_assert_int_eq(rc, GOMEM_ERR_EOF);
          ck_assert(f == 9.0f && d == 9.0);
          expect_pos(r, at);
          continue;
        }
        ck_assert_int_eq(rc, GOMEM_OK);
        if (w == 4)
          ck_assert_uint_eq(f32_bits(f), want);
        else
          ck_assert_uint_eq(f64_bits(d), want);
        expect_pos(r, at + w);
      }
    }
  }
  seg_free(&s);
}
END_TEST

static size_t sleb_encode(int64_t x, uint8_t *out)
{
  size_t n = 0;
  for (;;) {
    uint8_t b = (uint8_t)(x & 0x7f);
    x >>= 7; /* arithmetic shift: gcc and clang define it */
    if ((x == 0 && !(b & 0x40)) || (x == -1 && (b & 0x40))) {
      out[n++] = b;
      return n;
    }
    out[n++] = b | 0x80;
  }
}

static size_t uleb_encode(uint64_t x, uint8_t *out)
{
  size_t n = 0;
  do {
    out[n] = (uint8_t)(x & 0x7f);
    x >>= 7;
    if (x)
      out[n] |= 0x80;
    n++;
  } while (x);
  return n;
}

static uint64_t zigzag_encode(int64_t x)
{
  uint64_t u;
  memcpy(&u, &x, 8);
  return (u << 1) ^ (x < 0 ? UINT64_MAX : 0);
}

/* One signed varint from @bytes: rc, value, and the offset afterwards. */
static int svarint_of(const uint8_t *bytes, size_t len, bool zigzag, int64_t *v, size_t *offset)
{
  gomem_memory *m = gomem_memory_new();
  for (size_t i = 0; i < len; i++)
    gomem_memory_push(m, bytes + i, 1);
  gomem_reader_storage st;
  gomem_reader *r = gomem_reader_init(&st, sizeof(st), m);
  int rc = zigzag ? gomem_reader_read_zigzag(r, v) : gomem_reader_read_sleb128(r, v);
  *offset = gomem_reader_offset(r);
  gomem_memory_destroy(m);
  return rc;
}

START_TEST(test_signed_varint_examples)
{
  int64_t v = 0;
  size_t off = 0;
  static const struct {
    uint8_t bytes[11];
    size_t len;
    int rc;
    int64_t value;
  } sleb[] = {
    {{0x00}, 1, GOMEM_OK, 0},
    {{0x7f}, 1, GOMEM_OK, -1},
    {{0x3f}, 1, GOMEM_OK, 63},
    {{0x40}, 1, GOMEM_OK, -64},
    {{0xC0, 0x00}, 2, GOMEM_OK, 64},
    {{0x80, 0x7f}, 2, GOMEM_OK, -128},
    {{0xE5, 0x8E, 0x26}, 3, GOMEM_OK, 624485},
    {{0xC0, 0xBB, 0x78}, 3, GOMEM_OK, -123456},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00}, 10, GOMEM_OK, INT64_MAX},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, 10, GOMEM_OK, INT64_MIN},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7f}, 10, GOMEM_OK, -1},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 10, GOMEM_OK, 0},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, 10, GOMEM_ERR_OVERFLOW, 0},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e}, 10, GOMEM_ERR_OVERFLOW, 0},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40}, 10, GOMEM_ERR_OVERFLOW, 0},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xFF, 0x7f}, 11, GOMEM_ERR_OVERFLOW, 0},
    {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 11, GOMEM_ERR_OVERFLOW, 0},
    {{0x80}, 1, GOMEM_ERR_EOF, 0},
    {{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 9, GOMEM_ERR_EOF, 0},
    {{0}, 0, GOMEM_ERR_EOF, 0},
  };
  for (size_t i = 0; i < sizeof(sleb) / sizeof(sleb[0]); i++) {
    v = 12345;
    ck_assert_int_eq(svarint_of(sleb[i].bytes, sleb[i].len, false, &v, &off), sleb[i].rc);
    if (sleb[i].rc == GOMEM_OK) {
      ck_assert_int_eq(v, sleb[i].value);
      ck_assert_uint_eq(off, sleb[i].len);
    } else {
      ck_assert_int_eq(v, 12345);
      ck_assert_uint_eq(off, 0);
    }
  }
  /* Protobuf's sint64 table, and the ends of the range. */
  static const struct {
    uint64_t u;
    int64_t value;
  } zz[] = {
    {0, 0}, {1, -1}, {2, 1}, {3, -2}, {4, 2}, {4294967294u, 2147483647}, {4294967295u, -2147483648},
    {UINT64_MAX - 1, INT64_MAX}, {UINT64_MAX, INT64_MIN},
  };
  for (size_t i = 0; i < sizeof(zz) / sizeof(zz[0]); i++) {
    uint8_t enc[10];
    size_t len = uleb_encode(zz[i].u, enc);
    ck_assert_int_eq(svarint_of(enc, len, true, &v, &off), GOMEM_OK);
    ck_assert_int_eq(v, zz[i].value);
    ck_assert_uint_eq(off, len);
    ck_assert_uint_eq(zigzag_encode(zz[i].value), zz[i].u);
  }
  v = 7;
  const uint8_t big[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02};
  ck_assert_int_eq(svarint_of(big, 10, true, &v, &off), GOMEM_ERR_OVERFLOW);
  ck_assert_int_eq(svarint_of(big, 9, true, &v, &off), GOMEM_ERR_EOF);
  ck_assert_int_eq(v, 7);
  ck_assert_uint_eq(off, 0);
  ck_assert_int_eq(gomem_reader_read_sleb128(NULL, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_zigzag(NULL, &v), GOMEM_ERR_INVALID);
  gomem_memory *m = gomem_memory_new();
  gomem_reader *r = gomem_reader_new(m);
  ck_assert_int_eq(gomem_reader_read_sleb128(r, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_reader_read_zigzag(r, NULL), GOMEM_ERR_INVALID);
  gomem_reader_destroy(r);
  gomem_memory_destroy(m);
}
END_TEST

/* Values around every power of two, both signs, as sleb128 and zigzag, across every cut. */
START_TEST(test_cuts_signed_varints)
{
  const struct cut *c = &cuts[_i];
  int64_t values[64 * 6 + 2];
  size_t nv = 0;
  for (unsigned k = 0; k < 63; k++) {
    int64_t p = (int64_t)1 << k;
    values[nv++] = p;
    values[nv++] = p - 1;
    values[nv++] = -p;
    values[nv++] = -p - 1;
  }
  values[nv++] = INT64_MAX;
  values[nv++] = INT64_MIN;
  for (int zig = 0; zig <= 1; zig++) {
    uint8_t enc[sizeof(values) / sizeof(values[0]) * 10];
    size_t len = 0, ends[sizeof(values) / sizeof(values[0])];
    for (size_t i = 0; i < nv; i++) {
      len += zig ? uleb_encode(zigzag_encode(values[i]), enc + len) : sleb_encode(values[i], enc + len);
      ends[i] = len;
    }
    struct any_segmented s;
    any_make(&s, enc, len, c);
    gomem_reader *r = gomem_reader_new(s.m);
    for (size_t i = 0; i < nv; i++) {
      int64_t v = 0;
      ck_assert_int_eq(zig ? gomem_reader_read_zigzag(r, &v) : gomem_reader_read_sleb128(r, &v), GOMEM_OK);
      ck_assert_int_eq(v, values[i]);
      ck_assert_uint_eq(gomem_reader_offset(r), ends[i]);
    }
    int64_t v = 3;
    ck_assert_int_eq(zig ? gomem_reader_read_zigzag(r, &v) : gomem_reader_read_sleb128(r, &v), GOMEM_ERR_EOF);
    ck_assert_int_eq(v, 3);
    gomem_reader_destroy(r);
    any_free(&s);
  }
}
END_TEST

/* ---- randomized differential run -------------------------------------- */

START_TEST(test_differential_random)
{
  uint64_t rng = 0x243F6A8885A308D3ull;
  size_t total = 0, programs = 0;
  uint8_t prog[400];
  char err[256];
  while (total < 120000) {
    size_t len = 16 + rng_next(&rng) % (sizeof(prog) - 16);
    for (size_t i = 0; i < len; i++)
      prog[i] = (uint8_t)(rng_next(&rng) >> 32);
    size_t ops = 0;
    err[0] = 0;
    if (reader_model_run(prog, len, &ops, err, sizeof(err)) != 0)
      ck_abort_msg("program %zu: %s", programs, err);
    total += ops;
    programs++;
  }
  ck_assert_uint_ge(total, 100000);
}
END_TEST

START_TEST(test_fuzz_seeds)
{
  ck_assert_uint_gt(replay_corpus(FUZZ_CORPUS, reader_model_run), 0);
}
END_TEST

static Suite *reader_suite(void)
{
  Suite *s = suite_create("reader");
  TCase *go = tcase_create("go");
  tcase_add_test(go, test_go_reader_read_all);
  tcase_add_test(go, test_go_reader_doc_examples);
  tcase_add_test(go, test_go_reader_misc);
  tcase_add_test(go, test_reader_bad_arguments);
  tcase_add_test(go, test_reader_sees_pushes);
  tcase_add_test(go, test_uleb128_range);
  tcase_add_test(go, test_clip_front_stops_early);
  tcase_add_test(go, test_find_examples);
  tcase_add_test(go, test_float_examples);
  tcase_add_test(go, test_signed_varint_examples);
  tcase_add_test(go, test_read_segment_lengths);
  tcase_add_test(go, test_find_many_candidates);
  suite_add_tcase(s, go);

  TCase *cut = tcase_create("segments");
  tcase_add_unchecked_fixture(cut, flat_fill, NULL);
  tcase_set_timeout(cut, 60);
  tcase_add_loop_test(cut, test_cuts_read_exact_and_peek, 0, NCUTS);
  tcase_add_loop_test(cut, test_cuts_integers, 0, NCUTS);
  tcase_add_loop_test(cut, test_cuts_inline_helpers, 0, NCUTS);
  tcase_add_loop_test(cut, test_cuts_skip_unread, 0, NCUTS);
  tcase_add_loop_test(cut, test_cuts_range_and_current, 0, NCUTS);
  tcase_add_loop_test(cut, test_cuts_clip_front, 0, NCUTS);
  tcase_add_loop_test(cut, test_cuts_find, 0, NCUTS);
  tcase_add_loop_test(cut, test_cuts_floats, 0, NCUTS);
  tcase_add_loop_test(cut, test_cuts_signed_varints, 0, NCUTS);
  suite_add_tcase(s, cut);

  TCase *diff = tcase_create("differential");
  tcase_set_timeout(diff, 120);
  tcase_add_test(diff, test_differential_random);
  tcase_add_test(diff, test_fuzz_seeds);
  suite_add_tcase(s, diff);
  return s;
}

int main(void)
{
  return run_suite(reader_suite());
}
