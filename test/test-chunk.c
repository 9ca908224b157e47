/* SPDX-License-Identifier: MIT */
/*
 * Chunks: real memory carved by a range allocator, over every strategy in
 * the build (Check loop tests over `strategies`; an unbuilt strategy must be
 * refused with ENOTSUP). TEST_HAVE_TREAP / TEST_HAVE_AVL / TEST_HAVE_TLSF come
 * from
 * test/meson.build.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gomem/gomem.h>
#include "rng.h"
#include "run-suite.h"
#include "strategies.h"

static const gomem_strategy strategies[] = { GOMEM_STRATEGY_TREAP, GOMEM_STRATEGY_AVL,
                                              GOMEM_STRATEGY_TLSF };
#define N_STRATEGIES ((int)(sizeof(strategies) / sizeof(strategies[0])))


/* A new chunk, or NULL after checking that an unbuilt strategy is refused. */
static gomem_chunk *open_chunk(gomem_strategy s, size_t size)
{
  if (!expect_available(s)) {
    errno = 0;
    ck_assert_ptr_null(gomem_chunk_new(size, s));
    ck_assert_int_eq(errno, ENOTSUP);
    return NULL;
  }
  gomem_chunk *c = gomem_chunk_new(size, s);
  ck_assert_ptr_nonnull(c);
  ck_assert_ptr_nonnull(gomem_chunk_base(c));
  /* Heap chunks are 64-byte aligned, mmap chunks page aligned. */
  ck_assert_uint_eq((uintptr_t)gomem_chunk_base(c) % 64, 0);
  ck_assert_uint_eq(gomem_chunk_size(c), size);
  ck_assert_uint_eq(gomem_chunk_free_size(c), size);
  const gomem_allocator *a = gomem_chunk_allocator(c);
  ck_assert_ptr_nonnull(a);
  ck_assert_int_eq(gomem_allocator_strategy(a), s);
  ck_assert_uint_eq(gomem_allocator_size(a), size);
  return c;
}

static unsigned char *at(gomem_chunk *c, size_t offset)
{
  return (unsigned char *)gomem_chunk_base(c) + offset;
}

static void *must_malloc(gomem_chunk *c, size_t size)
{
  void *p = gomem_chunk_malloc(c, size);
  ck_assert_ptr_nonnull(p);
  return p;
}

/* Free blocks of the chunk's allocator, flattened as offset, size pairs. */
typedef struct blocks {
  size_t n;
  size_t v[2 * 16];
} blocks;

static int collect(size_t offset, size_t size, void *ctx)
{
  blocks *b = ctx;

  ck_assert_uint_lt(b->n, 16);
  b->v[2 * b->n] = offset;
  b->v[2 * b->n + 1] = size;
  b->n++;
  return 0;
}

static blocks blocks_of(const gomem_chunk *c)
{
  blocks b = { 0 };

  ck_assert_int_eq(gomem_allocator_foreach_free(gomem_chunk_allocator(c), collect, &b), 0);
  return b;
}

static void assert_same_blocks(const gomem_chunk *c, const blocks *before)
{
  blocks now = blocks_of(c);

  ck_assert_uint_eq(now.n, before->n);
  ck_assert(memcmp(now.v, before->v, 2 * now.n * sizeof(size_t)) == 0);
}

START_TEST(test_new_bad_input)
{
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_new(0, GOMEM_STRATEGY_DEFAULT));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_new(64, (gomem_strategy)99));
  ck_assert_int_eq(errno, EINVAL);

  gomem_chunk *c = gomem_chunk_new(64, GOMEM_STRATEGY_DEFAULT);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(gomem_allocator_strategy(gomem_chunk_allocator(c)), gomem_strategy_default());
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_null_handle)
{
  gomem_chunk_destroy(NULL);
  gomem_chunk_reset(NULL);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_malloc(NULL, 10));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_borrow(NULL, 10));
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(gomem_chunk_free(NULL, &errno, 1), GOMEM_ERR_INVALID);
  ck_assert_ptr_null(gomem_chunk_base(NULL));
  ck_assert_uint_eq(gomem_chunk_size(NULL), 0);
  ck_assert_uint_eq(gomem_chunk_free_size(NULL), 0);
  ck_assert_ptr_null(gomem_chunk_allocator(NULL));
  ck_assert(!gomem_chunk_owns(NULL, &errno));
  ck_assert(!gomem_chunk_owns(NULL, NULL));
}
END_TEST

START_TEST(test_available)
{
  gomem_chunk_destroy(open_chunk(strategies[_i], 100));
}
END_TEST

START_TEST(test_malloc_offsets)
{
  gomem_chunk *c = open_chunk(strategies[_i], 1024);
  if (!c)
    return;

  unsigned char *p1 = must_malloc(c, 100);
  ck_assert_ptr_eq(p1, at(c, 0));
  ck_assert_ptr_eq(must_malloc(c, 200), at(c, 100));
  ck_assert_ptr_eq(must_malloc(c, 24), at(c, 300));
  ck_assert_uint_eq(gomem_chunk_free_size(c), 700);
  ck_assert_int_eq(gomem_chunk_free(c, p1, 100), GOMEM_OK);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 800);
  if (strategies[_i] == GOMEM_STRATEGY_TLSF) {
    /* tlsf carves its current block, 700 @324 (the larger), to the end. */
    ck_assert_ptr_eq(must_malloc(c, 50), at(c, 324));
    ck_assert_ptr_eq(must_malloc(c, 650), at(c, 374));
    ck_assert_ptr_eq(must_malloc(c, 50), at(c, 0));
  } else {
    /* First and best fit: 100 @0 is the first and the smallest that fits. */
    ck_assert_ptr_eq(must_malloc(c, 50), at(c, 0));
    ck_assert_ptr_eq(must_malloc(c, 700), at(c, 324));
  }
  ck_assert_uint_eq(gomem_chunk_free_size(c), 50);
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_malloc_bad_input)
{
  gomem_chunk *c = open_chunk(strategies[_i], 256);
  if (!c)
    return;

  must_malloc(c, 200);
  blocks before = blocks_of(c);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_malloc(c, 0));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_malloc(c, 57));
  ck_assert_int_eq(errno, ENOMEM);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_malloc(c, SIZE_MAX));
  ck_assert_int_eq(errno, ENOMEM);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_borrow(c, 0));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_borrow(c, 57));
  ck_assert_int_eq(errno, ENOMEM);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 56);
  assert_same_blocks(c, &before);
  ck_assert_ptr_eq(must_malloc(c, 56), at(c, 200));
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_borrow)
{
  gomem_chunk *c = open_chunk(strategies[_i], 1024);
  if (!c)
    return;

  must_malloc(c, 100);
  blocks before = blocks_of(c);
  unsigned char *b = gomem_chunk_borrow(c, 200);
  ck_assert_ptr_eq(b, at(c, 100));
  /* Borrowed bytes are usable until the next allocation. */
  memset(b, 0xab, 200);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 924);
  assert_same_blocks(c, &before);
  ck_assert_ptr_eq(gomem_chunk_borrow(c, 200), b); /* again: nothing moved */
  ck_assert_ptr_eq(must_malloc(c, 200), b);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 724);
  ck_assert_ptr_eq(gomem_chunk_borrow(c, 724), at(c, 300));
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_free_partial)
{
  gomem_chunk *c = open_chunk(strategies[_i], 1000);
  if (!c)
    return;

  unsigned char *p = must_malloc(c, 1000);
  ck_assert_int_eq(gomem_chunk_free(c, p + 100, 50), GOMEM_OK); /* from the middle */
  ck_assert_uint_eq(gomem_chunk_free_size(c), 50);
  blocks b = blocks_of(c);
  ck_assert_uint_eq(b.n, 1);
  ck_assert_uint_eq(b.v[0], 100);
  ck_assert_uint_eq(b.v[1], 50);
  ck_assert_int_eq(gomem_chunk_free(c, p, 100), GOMEM_OK); /* the head, merging */
  ck_assert_int_eq(gomem_chunk_free(c, p + 900, 100), GOMEM_OK); /* the tail */
  b = blocks_of(c);
  ck_assert_uint_eq(b.n, 2);
  ck_assert_uint_eq(b.v[0], 0);
  ck_assert_uint_eq(b.v[1], 150);
  ck_assert_uint_eq(b.v[2], 900);
  ck_assert_uint_eq(b.v[3], 100);
  /* The rest in one call, closing both gaps. */
  ck_assert_int_eq(gomem_chunk_free(c, p + 150, 750), GOMEM_OK);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 1000);
  ck_assert_uint_eq(blocks_of(c).n, 1);
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_owns)
{
  gomem_chunk *c = open_chunk(strategies[_i], 512);
  if (!c)
    return;
  int on_stack = 0;

  ck_assert(gomem_chunk_owns(c, at(c, 0)));
  ck_assert(gomem_chunk_owns(c, at(c, 511))); /* free bytes are owned too */
  ck_assert(!gomem_chunk_owns(c, at(c, 512)));
  ck_assert(!gomem_chunk_owns(c, (void *)((uintptr_t)gomem_chunk_base(c) - 1)));
  ck_assert(!gomem_chunk_owns(c, NULL));
  ck_assert(!gomem_chunk_owns(c, &on_stack));
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_free_not_owned)
{
  gomem_chunk *c = open_chunk(strategies[_i], 512);
  if (!c)
    return;
  int on_stack = 0;
  char *on_heap = malloc(16);
  ck_assert_ptr_nonnull(on_heap);

  must_malloc(c, 512);
  ck_assert_int_eq(gomem_chunk_free(c, &on_stack, sizeof(on_stack)), GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(gomem_chunk_free(c, on_heap, 16), GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(gomem_chunk_free(c, at(c, 512), 1), GOMEM_ERR_NOT_OWNED); /* one past the end */
  ck_assert_int_eq(gomem_chunk_free(c, (void *)((uintptr_t)gomem_chunk_base(c) - 1), 2),
                   GOMEM_ERR_NOT_OWNED); /* starts just before */
  ck_assert_int_eq(gomem_chunk_free(c, NULL, 1), GOMEM_ERR_NOT_OWNED);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 0);
  ck_assert_uint_eq(blocks_of(c).n, 0);
  free(on_heap);
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_free_invalid)
{
  gomem_chunk *c = open_chunk(strategies[_i], 512);
  if (!c)
    return;

  unsigned char *p = must_malloc(c, 400); /* [400, 512) stays free */
  ck_assert_int_eq(gomem_chunk_free(c, p + 100, 50), GOMEM_OK);
  blocks before = blocks_of(c);
  ck_assert_int_eq(gomem_chunk_free(c, p, 0), GOMEM_ERR_INVALID);            /* len 0 */
  ck_assert_int_eq(gomem_chunk_free(c, at(c, 500), 13), GOMEM_ERR_INVALID);  /* past the end */
  ck_assert_int_eq(gomem_chunk_free(c, at(c, 300), 150), GOMEM_ERR_INVALID); /* into the free tail */
  ck_assert_int_eq(gomem_chunk_free(c, p, SIZE_MAX), GOMEM_ERR_INVALID);     /* overflows */
  ck_assert_int_eq(gomem_chunk_free(c, p + 100, 50), GOMEM_ERR_INVALID);     /* double free */
  ck_assert_int_eq(gomem_chunk_free(c, p + 120, 10), GOMEM_ERR_INVALID);     /* inside free space */
  ck_assert_int_eq(gomem_chunk_free(c, p + 90, 20), GOMEM_ERR_INVALID);      /* partly free */
  ck_assert_int_eq(gomem_chunk_free(c, p + 90, 70), GOMEM_ERR_INVALID);      /* covers a hole */
  ck_assert_uint_eq(gomem_chunk_free_size(c), 162);
  assert_same_blocks(c, &before);
  ck_assert_int_eq(gomem_chunk_free(c, p, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_chunk_free(c, p + 150, 250), GOMEM_OK);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 512);
  gomem_chunk_destroy(c);
}
END_TEST

static unsigned char pattern(size_t piece, size_t i)
{
  return (unsigned char)(piece * 131 + i * 7 + 1);
}

typedef struct piece {
  unsigned char *p;
  size_t len;
  size_t id;
} piece;

static void fill(piece *pc)
{
  for (size_t i = 0; i < pc->len; i++)
    pc->p[i] = pattern(pc->id, i);
}

/* A plain loop: a passing ck_assert per byte would cost Check a log write. */
static void verify(const piece *pc)
{
  for (size_t i = 0; i < pc->len; i++) {
    if (pc->p[i] != pattern(pc->id, i))
      ck_abort_msg("piece %zu byte %zu overwritten", pc->id, i);
  }
}

/* Every live piece keeps what was written into it while others come and
 * go, including pieces cut short by freeing their tail. */
START_TEST(test_patterns)
{
  enum { SIZE = 1 << 16, PIECES = 256, ROUNDS = 20000 };
  gomem_chunk *c = open_chunk(strategies[_i], SIZE);
  if (!c)
    return;
  static piece live[PIECES];
  size_t n = 0, next_id = 0, in_use = 0;
  uint64_t rng = 42;

  for (int round = 0; round < ROUNDS; round++) {
    uint64_t r = rng_next(&rng);
    if (n < PIECES && (n == 0 || r % 3 != 0)) {
      size_t len = 1 + (size_t)(rng_next(&rng) % 1024);
      unsigned char *p = gomem_chunk_malloc(c, len);
      if (!p)
        continue;
      if (!gomem_chunk_owns(c, p) || !gomem_chunk_owns(c, p + len - 1))
        ck_abort_msg("malloc(%zu) returned memory outside the chunk", len);
      live[n] = (piece){ p, len, next_id++ };
      fill(&live[n++]);
      in_use += len;
    } else {
      piece *pc = &live[rng_next(&rng) % n];
      verify(pc);
      size_t keep = r % 4 == 1 ? pc->len / 2 : 0; /* sometimes free only the tail */
      if (gomem_chunk_free(c, pc->p + keep, pc->len - keep) != GOMEM_OK)
        ck_abort_msg("free of piece %zu failed", pc->id);
      in_use -= pc->len - keep;
      pc->len = keep;
      if (keep == 0)
        *pc = live[--n];
    }
    if (gomem_chunk_free_size(c) != SIZE - in_use)
      ck_abort_msg("round %d: free size %zu, expected %zu", round, gomem_chunk_free_size(c), SIZE - in_use);
  }
  for (size_t i = 0; i < n; i++)
    verify(&live[i]);
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_reset)
{
  gomem_chunk *c = open_chunk(strategies[_i], 4096);
  if (!c)
    return;

  unsigned char *p = must_malloc(c, 1000);
  must_malloc(c, 3000);
  ck_assert_int_eq(gomem_chunk_free(c, p + 10, 10), GOMEM_OK);
  gomem_chunk_reset(c);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 4096);
  ck_assert_uint_eq(gomem_chunk_size(c), 4096);
  ck_assert_uint_eq(blocks_of(c).n, 1);
  ck_assert_ptr_eq(must_malloc(c, 4096), at(c, 0));
  memset(at(c, 0), 0x5a, 4096);
  gomem_chunk_reset(c);
  ck_assert_ptr_eq(must_malloc(c, 1), at(c, 0));
  gomem_chunk_destroy(c);
}
END_TEST

/* --- aligned allocation, caller memory, statistics --------------------------- */

static uintptr_t align_addr(uintptr_t p, size_t align)
{
  return (p + align - 1) & ~(uintptr_t)(align - 1);
}

/* Every power of two from 1 to 4096, on chunk c: after 3 bytes, the piece
 * is at the first aligned address of the one free block, the padding
 * stays free, and the ordinary free gives it back. */
static void every_alignment(gomem_chunk *c)
{
  unsigned char *base = gomem_chunk_base(c);
  size_t size = gomem_chunk_size(c);
  void *first = must_malloc(c, 3);

  ck_assert_ptr_eq(first, base);
  for (size_t align = 1; align <= 4096; align *= 2) {
    unsigned char *p = gomem_chunk_malloc_aligned(c, 5, align);
    unsigned char *want = base + (align_addr((uintptr_t)base + 3, align) - (uintptr_t)base);
    ck_assert_ptr_eq(p, want);
    ck_assert_uint_eq((uintptr_t)p % align, 0);
    ck_assert_uint_eq(gomem_chunk_free_size(c), size - 8);
    blocks b = blocks_of(c);
    ck_assert_uint_eq(b.n, p == base + 3 ? 1 : 2);
    ck_assert_uint_eq(b.v[2 * b.n - 2], (size_t)(p - base) + 5);
    memset(p, 0xc3, 5);
    ck_assert_int_eq(gomem_chunk_free(c, p, 5), GOMEM_OK);
    b = blocks_of(c);
    ck_assert_uint_eq(b.n, 1);
    ck_assert_uint_eq(b.v[0], 3);
  }
  ck_assert_int_eq(gomem_chunk_free(c, first, 3), GOMEM_OK);
}

START_TEST(test_malloc_aligned_every_alignment)
{
  gomem_chunk *c = open_chunk(strategies[_i], 16384);
  if (!c)
    return;
  every_alignment(c);
  gomem_chunk_destroy(c);

  /* Over caller memory that starts one byte past a 4 KiB boundary: the
   * addresses are aligned, not the offsets. */
  static unsigned char arena[16384 + 8192] __attribute__((aligned(4096)));
  c = gomem_chunk_new_over(arena + 1, 16384, strategies[_i]);
  ck_assert_ptr_nonnull(c);
  every_alignment(c);
  gomem_chunk_destroy(c);
}
END_TEST

START_TEST(test_malloc_aligned_bad)
{
  gomem_chunk *c = open_chunk(strategies[_i], 1000);
  if (!c)
    return;
  void *p = must_malloc(c, 10);
  blocks before = blocks_of(c);
  static const struct {
    size_t size, align;
    int err;
  } bad[] = {
    { 8, 0, EINVAL },       { 8, 3, EINVAL },        { 8, 24, EINVAL },
    { 8, 1024, EINVAL },    { 8, (size_t)1 << 40, EINVAL }, { 8, SIZE_MAX, EINVAL },
    { 0, 8, EINVAL },       { 991, 1, ENOMEM },      { SIZE_MAX, 64, ENOMEM },
  };

  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    errno = 0;
    ck_assert_ptr_null(gomem_chunk_malloc_aligned(c, bad[i].size, bad[i].align));
    ck_assert_int_eq(errno, bad[i].err);
  }
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_malloc_aligned(NULL, 8, 8));
  ck_assert_int_eq(errno, EINVAL);
  assert_same_blocks(c, &before);
  ck_assert_uint_eq(gomem_chunk_free_size(c), 990);
  ck_assert_int_eq(gomem_chunk_free(c, p, 10), GOMEM_OK);
  gomem_chunk_destroy(c);
}
END_TEST

enum { OVER_SIZE = 8192, OVER_PIECES = 64 };
#define OVER_PATTERN 0x5a

/* Random mallocs (aligned or not) and frees on a chunk over @p mem, whose
 * bytes hold OVER_PATTERN: the caller writes its pieces and restores the
 * pattern before each free, so after destroy every byte must hold it
 * again: the library wrote nothing into the region, and did not free it
 * (the caller reads it afterwards). */
static void caller_region(gomem_strategy s, unsigned char *mem)
{
  struct {
    unsigned char *p;
    size_t len;
  } live[OVER_PIECES];
  size_t nlive = 0;
  uint64_t rng = 0x0fe4 + (uint64_t)s;
  size_t cached = gomem_cached_bytes();

  memset(mem, OVER_PATTERN, OVER_SIZE);
  gomem_chunk *c = gomem_chunk_new_over(mem, OVER_SIZE, s);
  ck_assert_ptr_nonnull(c);
  ck_assert_ptr_eq(gomem_chunk_base(c), mem);
  ck_assert_uint_eq(gomem_chunk_size(c), OVER_SIZE);
  ck_assert_uint_eq(gomem_chunk_free_size(c), OVER_SIZE);
  for (int op = 0; op < 2000; op++) {
    if (nlive < OVER_PIECES && (nlive == 0 || rng_below(&rng, 2))) {
      size_t len = 1 + rng_below(&rng, 300), align = (size_t)1 << rng_below(&rng, 8);
      unsigned char *p = rng_below(&rng, 2) ? gomem_chunk_malloc_aligned(c, len, align)
                                            : gomem_chunk_malloc(c, len);
      if (!p)
        continue;
      ck_assert(gomem_chunk_owns(c, p));
      memset(p, 0xc3, len);
      live[nlive].p = p;
      live[nlive++].len = len;
    } else {
      size_t i = rng_below(&rng, nlive);
      memset(live[i].p, OVER_PATTERN, live[i].len);
      ck_assert_int_eq(gomem_chunk_free(c, live[i].p, live[i].len), GOMEM_OK);
      live[i] = live[--nlive];
    }
  }
  for (size_t i = 0; i < nlive; i++)
    memset(live[i].p, OVER_PATTERN, live[i].len);
  gomem_chunk_reset(c); /* gives back everything still live */
  gomem_chunk_destroy(c);
  for (size_t i = 0; i < OVER_SIZE; i++)
    if (mem[i] != OVER_PATTERN)
      ck_abort_msg("byte %zu of the caller's region changed", i);
  ck_assert_uint_eq(gomem_cached_bytes(), cached); /* never cached */
}

START_TEST(test_new_over_stack)
{
  unsigned char mem[OVER_SIZE];

  if (expect_available(strategies[_i]))
    caller_region(strategies[_i], mem);
}
END_TEST

START_TEST(test_new_over_mmap)
{
  if (!expect_available(strategies[_i]))
    return;
  unsigned char *mem = mmap(NULL, OVER_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
  ck_assert_ptr_ne(mem, MAP_FAILED);
  caller_region(strategies[_i], mem);
  ck_assert_int_eq(munmap(mem, OVER_SIZE), 0);
}
END_TEST

START_TEST(test_new_over_bad)
{
  unsigned char mem[64];

  errno = 0;
  ck_assert_ptr_null(gomem_chunk_new_over(NULL, 64, GOMEM_STRATEGY_DEFAULT));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_new_over(mem, 0, GOMEM_STRATEGY_DEFAULT));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_new_over((void *)(UINTPTR_MAX - 10), 64, GOMEM_STRATEGY_DEFAULT));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_chunk_new_over(mem, 64, (gomem_strategy)7));
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_free_stats)
{
  gomem_chunk *c = open_chunk(strategies[_i], 1000);
  if (!c)
    return;
  gomem_free_stats st = { .struct_size = sizeof(st) };
  unsigned char *p = must_malloc(c, 1000);

  ck_assert_int_eq(gomem_chunk_free(c, p + 10, 5), GOMEM_OK);
  ck_assert_int_eq(gomem_chunk_free(c, p + 100, 300), GOMEM_OK);
  ck_assert_int_eq(gomem_chunk_free_stats(c, &st), GOMEM_OK);
  ck_assert_uint_eq(st.free_bytes, 305);
  ck_assert_uint_eq(st.free_blocks, 2);
  ck_assert_uint_eq(st.largest_free, 300);
  ck_assert_uint_eq(st.smallest_free, 5);
  ck_assert_int_eq(gomem_chunk_free_stats(NULL, &st), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_chunk_free_stats(c, NULL), GOMEM_ERR_INVALID);
  st.struct_size = 0;
  ck_assert_int_eq(gomem_chunk_free_stats(c, &st), GOMEM_ERR_INVALID);
  gomem_chunk_destroy(c);
}
END_TEST

static Suite *chunk_suite(void)
{
  Suite *s = suite_create("chunk");
  TCase *api = tcase_create("api");
  TCase *conf = tcase_create("conformance");

  tcase_add_test(api, test_new_bad_input);
  tcase_add_test(api, test_null_handle);
  tcase_add_test(api, test_new_over_bad);
  suite_add_tcase(s, api);

  /* Every loop test runs once per entry of strategies[]. */
  tcase_set_timeout(conf, 60);
  tcase_add_loop_test(conf, test_available, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_malloc_offsets, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_malloc_bad_input, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_borrow, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_free_partial, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_owns, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_free_not_owned, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_free_invalid, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_patterns, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_reset, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_malloc_aligned_every_alignment, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_malloc_aligned_bad, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_new_over_stack, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_new_over_mmap, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_free_stats, 0, N_STRATEGIES);
  suite_add_tcase(s, conf);
  return s;
}

int main(void)
{
  return run_suite(chunk_suite());
}
