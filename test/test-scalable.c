/* SPDX-License-Identifier: MIT */
/* Check suite 'scalable': the scalable allocator and the chunk cache,
 * through the public API, plus the hooks of lib/scalable-internal.h that hold
 * the busy flag (so queued frees are deterministic). Expectations that
 * depend on -Drecyclable are chosen with gomem_scalable_pooled(). */
#include <gomem/gomem.h>

#include "fuzz/replay.h"
#include "fuzz/scalable-model.h"
#include "scalable-internal.h"
#include "rng.h"
#include "run-suite.h"

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)

/* ---- helpers ------------------------------------------------------------ */

static gomem_stats stats_of(const gomem_scalable *s)
{
  gomem_stats st;

  memset(&st, 0xAB, sizeof(st));
  st.struct_size = sizeof(st);
  ck_assert_int_eq(gomem_scalable_stats(s, &st), GOMEM_OK);
  return st;
}

static void assert_stats_eq(const gomem_stats *a, const gomem_stats *b)
{
  ck_assert_uint_eq(a->total_malloc, b->total_malloc);
  ck_assert_uint_eq(a->total_free, b->total_free);
  ck_assert_uint_eq(a->in_use, b->in_use);
  ck_assert_uint_eq(a->chunks, b->chunks);
  ck_assert_uint_eq(a->reserved, b->reserved);
  ck_assert_uint_eq(a->large_blocks, b->large_blocks);
  ck_assert_uint_eq(a->remote_pending, b->remote_pending);
  ck_assert_uint_eq(a->remote_rejected, b->remote_rejected);
}

/* An allocator any thread may allocate from. */
static gomem_scalable *new_shared(size_t initial)
{
  gomem_scalable *s = gomem_scalable_new_ex(initial, GOMEM_STRATEGY_DEFAULT, GOMEM_SCALABLE_SHARED);

  ck_assert_ptr_nonnull(s);
  return s;
}

static void *malloc_ok(gomem_scalable *s, size_t n)
{
  void *p = gomem_scalable_malloc(s, n);

  ck_assert_ptr_nonnull(p);
  memset(p, 0x5A, n);
  return p;
}

static uint64_t chunks(const gomem_scalable *s)
{
  return stats_of(s).chunks;
}

static uint64_t reserved(const gomem_scalable *s)
{
  return stats_of(s).reserved;
}

/* ---- creation ------------------------------------------------------------ */

START_TEST(new_and_stats)
{
  gomem_scalable *s = gomem_scalable_new(1 * KiB);
  gomem_stats st;

  ck_assert_ptr_nonnull(s);
  st = stats_of(s);
  ck_assert_uint_eq(st.total_malloc, 0);
  ck_assert_uint_eq(st.total_free, 0);
  ck_assert_uint_eq(st.in_use, 0);
  ck_assert_uint_eq(st.chunks, gomem_scalable_pooled() ? 1 : 0);
  ck_assert_uint_eq(st.reserved, gomem_scalable_pooled() ? 1 * KiB : 0);
  ck_assert_uint_eq(st.large_blocks, 0);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 0);
  gomem_scalable_destroy(s);
  gomem_scalable_destroy(NULL);

  errno = 0;
  ck_assert_ptr_null(gomem_scalable_new(0));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_new_with(1 * KiB, (gomem_strategy)77));
  ck_assert_int_eq(errno, EINVAL);
  for (int k = GOMEM_STRATEGY_TREAP; k <= GOMEM_STRATEGY_TLSF; k++) {
    if (!gomem_strategy_available((gomem_strategy)k)) {
      errno = 0;
      ck_assert_ptr_null(gomem_scalable_new_with(1 * KiB, (gomem_strategy)k));
      ck_assert_int_eq(errno, ENOTSUP);
      continue;
    }
    s = gomem_scalable_new_with(4 * KiB, (gomem_strategy)k);
    ck_assert_ptr_nonnull(s);
    void *p = malloc_ok(s, 100);
    ck_assert_int_eq(gomem_scalable_free(s, p, 100), GOMEM_OK);
    gomem_scalable_destroy(s);
  }
}
END_TEST

START_TEST(stats_struct_size)
{
  gomem_scalable *s = gomem_scalable_new(1 * KiB);
  gomem_stats st;
  void *p = malloc_ok(s, 10);

  /* Only the fields that fit are written. */
  memset(&st, 0xAB, sizeof(st));
  st.struct_size = offsetof(gomem_stats, in_use);
  ck_assert_int_eq(gomem_scalable_stats(s, &st), GOMEM_OK);
  ck_assert_uint_eq(st.total_malloc, 10);
  ck_assert_uint_eq(st.total_free, 0);
  ck_assert_uint_eq(st.in_use, 0xABABABABABABABABULL);
  ck_assert_uint_eq(st.remote_rejected, 0xABABABABABABABABULL);

  memset(&st, 0xAB, sizeof(st));
  st.struct_size = offsetof(gomem_stats, in_use) + 7; /* in_use does not fit */
  ck_assert_int_eq(gomem_scalable_stats(s, &st), GOMEM_OK);
  ck_assert_uint_eq(st.in_use, 0xABABABABABABABABULL);

  st.struct_size = sizeof(size_t) - 1;
  ck_assert_int_eq(gomem_scalable_stats(s, &st), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_stats(NULL, &st), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_stats(s, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, p, 10), GOMEM_OK);
  gomem_scalable_destroy(s);
}
END_TEST

/* ---- Go scenarios --------------------------------------------------------- */

/* Growth (see gomem/scalable.h): below 64 KiB in chunks, the next chunk
 * is as large as all of them (the total doubles), or as what is in use
 * plus the request when that is more, rounded up to a size class. */
START_TEST(grow_from_1k)
{
  gomem_scalable *s = gomem_scalable_new(1 * KiB);
  bool pooled = gomem_scalable_pooled();

  void *a = malloc_ok(s, 1 * KiB); /* fills the first chunk */
  ck_assert_uint_eq(chunks(s), pooled ? 1 : 0);
  char *b = malloc_ok(s, 1);       /* 1 KiB in use + 1: class 1280 */
  ck_assert_uint_eq(chunks(s), pooled ? 2 : 0);
  ck_assert_uint_eq(reserved(s), pooled ? 1 * KiB + 1280 : 1 * KiB + 1);
  char *c = malloc_ok(s, 2 * KiB); /* 1279 free bytes are not enough: 1025 + 2048 -> 3584 */
  ck_assert_uint_eq(chunks(s), pooled ? 3 : 0);
  ck_assert_uint_eq(reserved(s), pooled ? 1 * KiB + 1280 + 3584 : 3 * KiB + 1);
  void *d = malloc_ok(s, 1000);    /* the chunk that served last, with room */
  ck_assert_uint_eq(chunks(s), pooled ? 3 : 0);
  if (pooled)
    ck_assert_ptr_eq(d, c + 2 * KiB);
  void *e = malloc_ok(s, 2047);    /* no room: 6120 in use -> class 6 KiB */
  ck_assert_uint_eq(chunks(s), pooled ? 4 : 0);
  ck_assert_uint_eq(reserved(s), pooled ? 1 * KiB + 1280 + 3584 + 6 * KiB
                                        : 3 * KiB + 1 + 1000 + 2047);
  /* A chunk that becomes free while others remain is released at once. */
  ck_assert_int_eq(gomem_scalable_free(s, e, 2047), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), pooled ? 3 : 0);
  ck_assert_int_eq(gomem_scalable_free(s, a, 1 * KiB), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), pooled ? 2 : 0);
  ck_assert_uint_eq(reserved(s), pooled ? 1280 + 3584 : 2 * KiB + 1 + 1000);

  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.total_malloc, 1 * KiB + 1 + 2 * KiB + 1000 + 2047);
  ck_assert_uint_eq(st.total_free, 1 * KiB + 2047);
  ck_assert_uint_eq(st.in_use, 1 + 2 * KiB + 1000);

  ck_assert_int_eq(gomem_scalable_free(s, b, 1), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), pooled ? 1 : 0);
  ck_assert_int_eq(gomem_scalable_free(s, d, 1000), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), pooled ? 1 : 0);
  /* The last chunk stays even when free... */
  ck_assert_int_eq(gomem_scalable_free(s, c, 2 * KiB), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), pooled ? 1 : 0);
  ck_assert_uint_eq(reserved(s), pooled ? 3584 : 0);
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  /* ...until trim; the next chunk starts again from the initial size. */
  gomem_scalable_trim(s);
  ck_assert_uint_eq(chunks(s), 0);
  ck_assert_uint_eq(reserved(s), 0);
  a = malloc_ok(s, 10);
  ck_assert_uint_eq(reserved(s), pooled ? 1 * KiB : 10);
  ck_assert_int_eq(gomem_scalable_free(s, a, 10), GOMEM_OK);
  gomem_scalable_destroy(s);
}
END_TEST

START_TEST(growth_capped_at_4m)
{
  if (!gomem_scalable_pooled())
    return;
  /* Chunks are never smaller than the first one, nor above 4 MiB. */
  gomem_scalable *s = gomem_scalable_new(3 * MiB);
  void *a = gomem_scalable_malloc(s, 3 * MiB);
  void *b = gomem_scalable_malloc(s, 1);       /* 3 MiB, the initial size */
  void *c = gomem_scalable_malloc(s, 4 * MiB); /* the request: 4 MiB */

  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_nonnull(b);
  ck_assert_ptr_nonnull(c);
  ck_assert_uint_eq(chunks(s), 3);
  ck_assert_uint_eq(reserved(s), 10 * MiB);
  ck_assert_int_eq(gomem_scalable_free(s, a, 3 * MiB), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, b, 1), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, c, 4 * MiB), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), 1);
  gomem_scalable_destroy(s);

  /* A first chunk above 4 MiB does not lift the cap for the next ones. */
  s = gomem_scalable_new(16 * MiB);
  void *big[4];
  for (int i = 0; i < 4; i++)
    big[i] = malloc_ok(s, 4 * MiB);
  ck_assert_uint_eq(chunks(s), 1);
  a = malloc_ok(s, 1);
  ck_assert_uint_eq(chunks(s), 2);
  ck_assert_uint_eq(reserved(s), 20 * MiB);
  for (int i = 0; i < 4; i++)
    ck_assert_int_eq(gomem_scalable_free(s, big[i], 4 * MiB), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, a, 1), GOMEM_OK);
  gomem_scalable_destroy(s);

  /* A request that does not fit gets its size class: the free 1 KiB chunk
   * is trimmed first, then 10 KiB (a class: 8 KiB * 1.25). */
  s = gomem_scalable_new(1 * KiB);
  a = malloc_ok(s, 10 * KiB);
  ck_assert_uint_eq(reserved(s), 10 * KiB);
  ck_assert_uint_eq(chunks(s), 1);
  b = malloc_ok(s, 1 * KiB);  /* 10 KiB in use + 1 KiB: class 12 KiB */
  c = malloc_ok(s, 6 * KiB);  /* fits there */
  ck_assert_uint_eq(reserved(s), 22 * KiB);
  ck_assert_uint_eq(chunks(s), 2);
  ck_assert_int_eq(gomem_scalable_free(s, b, 1 * KiB), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, c, 6 * KiB), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, a, 10 * KiB), GOMEM_OK);
  gomem_scalable_destroy(s);
}
END_TEST

/* Past 64 KiB in chunks the next chunk is 64 KiB, then 1/32 of what the
 * allocator holds (rounded up to a size class): a steady allocator adds
 * chunks of one size, not ever larger ones. */
START_TEST(growth_by_holdings)
{
  if (!gomem_scalable_pooled())
    return;
  gomem_scalable *s = gomem_scalable_new(64 * KiB);
  void *p[80];

  for (int i = 0; i < 32; i++) /* fill 32 chunks of 64 KiB */
    p[i] = malloc_ok(s, 64 * KiB);
  ck_assert_uint_eq(chunks(s), 32);
  ck_assert_uint_eq(reserved(s), 2 * MiB);
  p[32] = malloc_ok(s, 1);     /* 2 MiB / 32 = 64 KiB */
  ck_assert_uint_eq(reserved(s), 2 * MiB + 64 * KiB);
  p[33] = malloc_ok(s, 64 * KiB); /* (2 MiB + 64 KiB) / 32 -> class 80 KiB */
  ck_assert_uint_eq(chunks(s), 34);
  ck_assert_uint_eq(reserved(s), 2 * MiB + 64 * KiB + 80 * KiB);

  /* A rolling window: the oldest chunk goes (to the chunk cache), and the
   * next one is sized from what the allocator holds now. */
  ck_assert_int_eq(gomem_scalable_free(s, p[0], 64 * KiB), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), 33);
  size_t before = gomem_cached_bytes();
  ck_assert_uint_ge(before, 64 * KiB);
  p[0] = malloc_ok(s, 64 * KiB); /* (2 MiB + 80 KiB) / 32 -> 80 KiB */
  ck_assert_uint_eq(chunks(s), 34);
  ck_assert_uint_eq(reserved(s), 2 * MiB + 64 * KiB + 2 * 80 * KiB - 64 * KiB);

  /* The size class of a request past every chunk. */
  p[34] = malloc_ok(s, 300 * KiB); /* class 320 KiB */
  ck_assert_uint_eq(reserved(s), 2 * MiB + 2 * 80 * KiB + 320 * KiB);
  ck_assert_int_eq(gomem_scalable_free(s, p[34], 300 * KiB), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, p[0], 64 * KiB), GOMEM_OK);
  for (int i = 1; i < 34; i++)
    ck_assert_int_eq(gomem_scalable_free(s, p[i], i == 32 ? 1 : 64 * KiB), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), 1);
  gomem_scalable_destroy(s);
  (void)gomem_release_cached();
}
END_TEST

START_TEST(trim_before_grow)
{
  if (!gomem_scalable_pooled())
    return;
  gomem_scalable *s = gomem_scalable_new(1 * KiB);
  void *a = malloc_ok(s, 1 * KiB);
  void *b = malloc_ok(s, 2 * KiB); /* second chunk: 1 KiB in use + 2 KiB */
  /* Freeing a leaves it free but it is the... first of two: released. */
  ck_assert_int_eq(gomem_scalable_free(s, a, 1 * KiB), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), 1);
  ck_assert_int_eq(gomem_scalable_free(s, b, 2 * KiB), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), 1); /* last one stays */
  /* A request larger than the free chunk: it is trimmed, not kept, and
   * the new chunk is the request's size class. */
  ck_assert_uint_eq(reserved(s), 3 * KiB);
  void *c = malloc_ok(s, 4 * KiB);
  ck_assert_uint_eq(chunks(s), 1);
  ck_assert_uint_eq(reserved(s), 4 * KiB);
  ck_assert_int_eq(gomem_scalable_free(s, c, 4 * KiB), GOMEM_OK);
  gomem_scalable_destroy(s);
}
END_TEST

/* The seed README's "Partial Memory Deallocation". */
START_TEST(partial_free_readme)
{
  gomem_scalable *s = gomem_scalable_new(1 * KiB);
  char *buf = malloc_ok(s, 1024);
  char *part1 = buf, *part2 = buf + 256, *part3 = buf + 512;

  memcpy(part1, "Part 1 data", 11);
  memcpy(part2, "Part 2 data", 11);
  memcpy(part3, "Part 3 data", 11);
  ck_assert_int_eq(gomem_scalable_free(s, part1, 256), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, part2, 256), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, 512);
  memcpy(part3, "Updated part 3", 14);
  ck_assert_int_eq(memcmp(part3, "Updated part 3", 14), 0);

  gomem_stats before = stats_of(s);
  ck_assert_int_eq(gomem_scalable_free(s, part1, 256), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, part2 + 10, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, part2 + 250, 20), GOMEM_ERR_INVALID); /* overlaps free */
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);

  ck_assert_int_eq(gomem_scalable_free(s, part3, 512), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  ck_assert_uint_eq(stats_of(s).total_free, 1024);
  /* Adjacent allocations may be freed with one call. */
  char *x = malloc_ok(s, 100), *y = malloc_ok(s, 100);
  if (gomem_scalable_pooled()) {
    ck_assert_ptr_eq(y, x + 100);
    ck_assert_int_eq(gomem_scalable_free(s, x, 200), GOMEM_OK);
  } else {
    ck_assert_int_eq(gomem_scalable_free(s, x, 100), GOMEM_OK);
    ck_assert_int_eq(gomem_scalable_free(s, y, 100), GOMEM_OK);
  }
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  gomem_scalable_destroy(s);
}
END_TEST

START_TEST(large_blocks)
{
  gomem_scalable *s = gomem_scalable_new(16 * KiB);
  size_t big = 5 * MiB + 3;
  uint64_t base = reserved(s);
  unsigned char *p = malloc_ok(s, big);

  ck_assert_uint_eq(stats_of(s).large_blocks, 1);
  ck_assert_uint_eq(reserved(s), base + big);
  ck_assert_uint_eq(chunks(s), gomem_scalable_pooled() ? 1 : 0);
  /* Partial frees: the block stays until every byte is back. */
  ck_assert_int_eq(gomem_scalable_free(s, p + MiB, MiB), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).large_blocks, 1);
  ck_assert_int_eq(p[0], 0x5A);
  gomem_stats before = stats_of(s);
  ck_assert_int_eq(gomem_scalable_free(s, p + MiB + 5, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, p, big + 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, p, big), GOMEM_ERR_INVALID);
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  ck_assert_int_eq(gomem_scalable_free_rest(s, p + 2 * MiB, big - 2 * MiB, 0), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).large_blocks, 1);
  ck_assert_int_eq(gomem_scalable_free(s, p, MiB), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).large_blocks, 0);
  ck_assert_uint_eq(reserved(s), base);
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  ck_assert_int_eq(gomem_scalable_free(s, p, 1), GOMEM_ERR_NOT_OWNED);

  /* Freed whole at once. */
  p = malloc_ok(s, 4 * MiB + 1);
  ck_assert_uint_eq(stats_of(s).large_blocks, 1);
  ck_assert_int_eq(gomem_scalable_free(s, p, 4 * MiB + 1), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).large_blocks, 0);
  /* Left for destroy. */
  p = malloc_ok(s, 6 * MiB);
  gomem_scalable_destroy(s);
}
END_TEST

/* ---- bad input ------------------------------------------------------------- */

START_TEST(bad_input)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  char *p = malloc_ok(s, 100);
  char local[16];

  errno = 0;
  ck_assert_ptr_null(gomem_scalable_malloc(NULL, 1));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_malloc(s, 0));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_borrow(s, 0));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_borrow(NULL, 8));
  ck_assert_int_eq(errno, EINVAL);

  /* The probe first: without pooling it sizes the scratch buffer. */
  void *probe = gomem_scalable_borrow(s, 50);
  gomem_stats before = stats_of(s);
  ck_assert_int_eq(gomem_scalable_free(NULL, p, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, p, 0), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, NULL, 10), GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(gomem_scalable_free(s, local, sizeof(local)), GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(gomem_scalable_free(s, (void *)(uintptr_t)-16, 100), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, p + 100, 10), gomem_scalable_pooled()
                   ? GOMEM_ERR_INVALID : GOMEM_ERR_NOT_OWNED);   /* free space */
  ck_assert_int_eq(gomem_scalable_free(s, p + 50, 51), gomem_scalable_pooled()
                   ? GOMEM_ERR_INVALID : GOMEM_ERR_INVALID);     /* overlaps free / past end */
  ck_assert_int_eq(gomem_scalable_free(s, p, 8 * KiB), GOMEM_ERR_INVALID); /* past the end */
  ck_assert_int_eq(gomem_scalable_free_rest(NULL, p, 100, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free_rest(s, p, 100, 101), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free_rest(s, local, 16, 4), GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(gomem_scalable_free_rest(s, NULL, 16, 4), GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(gomem_scalable_free_rest(s, p, 100, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_drain(NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_drain(s), 0);
  gomem_scalable_trim(NULL);
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  ck_assert_ptr_eq(gomem_scalable_borrow(s, 50), probe); /* same place: unchanged */

  ck_assert_int_eq(gomem_scalable_free(s, p, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, p, 100), gomem_scalable_pooled()
                   ? GOMEM_ERR_INVALID : GOMEM_ERR_NOT_OWNED);   /* double free */
  gomem_scalable_destroy(s);
}
END_TEST

/* Every double-free case the header lists, in every build. */
START_TEST(double_free_codes)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  bool pooled = gomem_scalable_pooled();

  /* A piece of a chunk (or, unpooled, a whole system block). */
  char *p = malloc_ok(s, 100);
  char *keep = malloc_ok(s, 100);
  ck_assert_int_eq(gomem_scalable_free(s, p, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, p, 100),
                   pooled ? GOMEM_ERR_INVALID : GOMEM_ERR_NOT_OWNED);

  /* A large block (every build): released once all of it is free. */
  char *big = malloc_ok(s, 5 * MiB);
  ck_assert_int_eq(gomem_scalable_free(s, big, 5 * MiB), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, big, 5 * MiB), GOMEM_ERR_NOT_OWNED);

  /* A part of a partly freed block is still held: GOMEM_ERR_INVALID. */
  big = malloc_ok(s, 5 * MiB);
  ck_assert_int_eq(gomem_scalable_free(s, big + 4096, 4096), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, big + 4096, 4096), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, big + 4096, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, big, 4096), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, big + 8192, 5 * MiB - 8192), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, big, 1), GOMEM_ERR_NOT_OWNED);

  char *q = malloc_ok(s, 300);
  ck_assert_int_eq(gomem_scalable_free(s, q + 100, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, q + 150, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free(s, q, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, q + 200, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, q, 300),
                   pooled ? GOMEM_ERR_INVALID : GOMEM_ERR_NOT_OWNED);
  ck_assert_uint_eq(stats_of(s).in_use, 100);
  ck_assert_int_eq(gomem_scalable_free(s, keep, 100), GOMEM_OK);
  gomem_scalable_destroy(s);
}
END_TEST

START_TEST(free_rest_and_borrow)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  char *p = malloc_ok(s, 1000);

  ck_assert_int_eq(gomem_scalable_free_rest(s, p, 1000, 100), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, 100);
  ck_assert_int_eq(gomem_scalable_free(s, p + 100, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free_rest(s, p, 100, 0), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, 0);

  /* Borrow changes no statistic (but the chunks and reserved bytes it
   * may add) and is where malloc goes next. */
  gomem_stats before = stats_of(s);
  char *b = gomem_scalable_borrow(s, 64);
  ck_assert_ptr_nonnull(b);
  memset(b, 1, 64);
  char *b2 = gomem_scalable_borrow(s, 64);
  ck_assert_ptr_eq(b, b2);
  gomem_stats after = stats_of(s);
  if (!gomem_scalable_pooled()) /* the scratch buffer */
    after.reserved -= 64;
  assert_stats_eq(&before, &after);
  char *m = malloc_ok(s, 64);
  if (gomem_scalable_pooled())
    ck_assert_ptr_eq(m, b);
  ck_assert_int_eq(gomem_scalable_free(s, m, 64), GOMEM_OK);

  /* Above 4 MiB: the scratch buffer, dropped by trim. */
  before = stats_of(s);
  b = gomem_scalable_borrow(s, 5 * MiB);
  ck_assert_ptr_nonnull(b);
  memset(b, 2, 5 * MiB);
  /* Without pooling, the 64-byte scratch buffer was replaced. */
  ck_assert_uint_eq(stats_of(s).reserved,
                    before.reserved + 5 * MiB - (gomem_scalable_pooled() ? 0 : 64));
  ck_assert_uint_eq(stats_of(s).total_malloc, before.total_malloc);
  ck_assert_ptr_eq(gomem_scalable_borrow(s, 4 * MiB + 1), b);
  gomem_scalable_trim(s);
  ck_assert_uint_eq(stats_of(s).reserved, 0);
  gomem_scalable_destroy(s);
}
END_TEST

/* ---- read helpers --------------------------------------------------------- */

START_TEST(read_fd)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  int fds[2];
  void *ptr = (void *)1;
  size_t len = 1;

  ck_assert_int_eq(pipe(fds), 0);
  ck_assert_int_eq(write(fds[1], "hello, world", 12), 12);
  ck_assert_int_eq(gomem_scalable_read_fd(s, fds[0], 100, &ptr, &len), GOMEM_OK);
  ck_assert_uint_eq(len, 12);
  ck_assert_int_eq(memcmp(ptr, "hello, world", 12), 0);
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.total_malloc, 12);
  ck_assert_uint_eq(st.in_use, 12);
  /* The unread tail was given back: the next piece follows at once. */
  char *next = malloc_ok(s, 8);
  if (gomem_scalable_pooled())
    ck_assert_ptr_eq(next, (char *)ptr + 12);
  ck_assert_int_eq(gomem_scalable_free(s, next, 8), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, ptr, len), GOMEM_OK);

  gomem_stats before = stats_of(s);
  close(fds[1]);
  ck_assert_int_eq(gomem_scalable_read_fd(s, fds[0], 100, &ptr, &len), GOMEM_ERR_EOF);
  ck_assert_ptr_null(ptr);
  ck_assert_uint_eq(len, 0);
  close(fds[0]);
  errno = 0;
  ck_assert_int_eq(gomem_scalable_read_fd(s, fds[0], 100, &ptr, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(gomem_scalable_read_fd(s, 0, 0, &ptr, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_read_fd(NULL, 0, 10, &ptr, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_read_fd(s, 0, 10, NULL, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_read_fd(s, 0, 10, &ptr, NULL), GOMEM_ERR_INVALID);
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  gomem_scalable_destroy(s);
}
END_TEST

static ptrdiff_t give(void *ctx, void *buf, size_t n)
{
  ptrdiff_t want = *(ptrdiff_t *)ctx;

  if (want > 0)
    memset(buf, 'x', (size_t)want < n ? (size_t)want : n);
  return want;
}

START_TEST(read_cb)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  ptrdiff_t want = 5;
  void *ptr;
  size_t len;

  ck_assert_int_eq(gomem_scalable_read_cb(s, give, &want, 16, &ptr, &len), GOMEM_OK);
  ck_assert_uint_eq(len, 5);
  ck_assert_int_eq(memcmp(ptr, "xxxxx", 5), 0);
  ck_assert_uint_eq(stats_of(s).in_use, 5);
  ck_assert_int_eq(gomem_scalable_free(s, ptr, len), GOMEM_OK);

  gomem_stats before = stats_of(s);
  want = -42;
  ck_assert_int_eq(gomem_scalable_read_cb(s, give, &want, 16, &ptr, &len), -42);
  ck_assert_ptr_null(ptr);
  want = INT_MIN;
  ck_assert_int_eq(gomem_scalable_read_cb(s, give, &want, 16, &ptr, &len), INT_MIN);
#if PTRDIFF_MAX > INT_MAX
  /* A negative value that does not fit an int is not truncated (which
   * could make it 0, a success, or positive). */
  const ptrdiff_t too_negative[] = {PTRDIFF_MIN, (ptrdiff_t)INT_MIN - 1, -((ptrdiff_t)1 << 32)};
  for (size_t i = 0; i < sizeof(too_negative) / sizeof(too_negative[0]); i++) {
    want = too_negative[i];
    ck_assert_int_eq(gomem_scalable_read_cb(s, give, &want, 16, &ptr, &len), GOMEM_ERR_OVERFLOW);
    ck_assert_ptr_null(ptr);
    ck_assert_uint_eq(len, 0);
  }
#endif
  want = 0;
  ck_assert_int_eq(gomem_scalable_read_cb(s, give, &want, 16, &ptr, &len), GOMEM_ERR_EOF);
  want = 17;
  ck_assert_int_eq(gomem_scalable_read_cb(s, give, &want, 16, &ptr, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_read_cb(s, NULL, &want, 16, &ptr, &len), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(len, 0);
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  want = 16;
  ck_assert_int_eq(gomem_scalable_read_cb(s, give, &want, 16, &ptr, &len), GOMEM_OK);
  ck_assert_uint_eq(len, 16);
  gomem_scalable_destroy(s); /* still allocated: destroy takes it */
}
END_TEST

/* ---- many chunks, randomized model ----------------------------------------- */

START_TEST(many_chunks_lookup)
{
  gomem_scalable *s = gomem_scalable_new(1 * KiB);
  enum { N = 40 };
  void *p[N];
  size_t n[N];
  uint64_t rng = 7;

  /* Each request of 1, 2, 4 ... 4096 KiB gets a chunk of its own (13
   * chunks); the small ones after that fit in the room those left. */
  for (int i = 0; i < N; i++) {
    n[i] = i < 13 ? KiB << i : 1000 + (size_t)i;
    p[i] = malloc_ok(s, n[i]);
  }
  if (gomem_scalable_pooled())
    ck_assert_uint_eq(chunks(s), 13);
  for (int i = N - 1; i > 0; i--) { /* shuffle */
    int j = (int)rng_below(&rng, (size_t)i + 1);
    void *tp = p[i]; size_t tn = n[i];
    p[i] = p[j]; n[i] = n[j];
    p[j] = tp; n[j] = tn;
  }
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(gomem_scalable_free(s, (char *)p[i] + n[i] - 1, 1), GOMEM_OK);
    if (n[i] > 1)
      ck_assert_int_eq(gomem_scalable_free(s, p[i], n[i] - 1), GOMEM_OK);
  }
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  ck_assert_uint_eq(chunks(s), gomem_scalable_pooled() ? 1 : 0);
  gomem_scalable_destroy(s);
}
END_TEST

struct live {
  unsigned char *p;
  size_t n;
  uint32_t tag;
};

static unsigned char pattern(uint32_t tag, size_t i)
{
  return (unsigned char)(tag * 131u + i * 7u + (i >> 8));
}

/* Buffers above 64 KiB (system blocks) get every 509th byte and the last
 * one written, to keep the suite fast under Valgrind; chunk pieces get
 * every byte, so any overlap between them is caught. */
static size_t stride(const struct live *l)
{
  return l->n > 64 * KiB ? 509 : 1;
}

static void fill(struct live *l)
{
  for (size_t i = 0; i < l->n; i += stride(l))
    l->p[i] = pattern(l->tag, i);
  l->p[l->n - 1] = pattern(l->tag, l->n - 1);
}

static void verify(const struct live *l, size_t from, size_t len)
{
  for (size_t i = from; i < from + len; i += stride(l))
    if (l->p[i] != pattern(l->tag, i))
      ck_abort_msg("pattern broken at %zu of a %zu-byte buffer", i, l->n);
  if (l->p[l->n - 1] != pattern(l->tag, l->n - 1))
    ck_abort_msg("pattern broken at the end of a %zu-byte buffer", l->n);
}

START_TEST(random_against_model)
{
  enum { OPS = 20000, MAXLIVE = 256 };
  gomem_scalable *s = gomem_scalable_new(1 * KiB);
  struct live live[MAXLIVE];
  size_t nlive = 0, in_use = 0, total_malloc = 0, total_free = 0;
  uint64_t rng = 0x1234567 + (uint64_t)_i;
  uint32_t tag = 1;

  for (int op = 0; op < OPS; op++) {
    size_t r = rng_below(&rng, 100);
    if (nlive < MAXLIVE && (r < 45 || nlive == 0)) {
      size_t n = rng_below(&rng, 400) == 0 ? 4 * MiB + 1 + rng_below(&rng, 1000)
                 : 1 + rng_below(&rng, rng_below(&rng, 10) == 0 ? 64 * KiB : 512);
      struct live *l = &live[nlive++];
      l->p = gomem_scalable_malloc(s, n);
      ck_assert_ptr_nonnull(l->p);
      l->n = n;
      l->tag = tag++;
      fill(l);
      in_use += n;
      total_malloc += n;
    } else if (r < 75) { /* free a whole buffer */
      size_t k = rng_below(&rng, nlive);
      struct live l = live[k];
      verify(&l, 0, l.n);
      ck_assert_int_eq(gomem_scalable_free(s, l.p, l.n), GOMEM_OK);
      live[k] = live[--nlive];
      in_use -= l.n;
      total_free += l.n;
      /* A second free of the same range is refused. */
      if (rng_below(&rng, 4) == 0) {
        int rc = gomem_scalable_free(s, l.p, l.n);
        ck_assert(rc == GOMEM_ERR_INVALID || rc == GOMEM_ERR_NOT_OWNED);
      }
    } else if (r < 90) { /* give back the tail */
      size_t k = rng_below(&rng, nlive);
      struct live *l = &live[k];
      size_t keep = rng_below(&rng, l->n);
      verify(l, 0, l->n);
      if (keep == 0)
        continue;
      ck_assert_int_eq(gomem_scalable_free_rest(s, l->p, l->n, keep), GOMEM_OK);
      in_use -= l->n - keep;
      total_free += l->n - keep;
      l->n = keep;
      fill(l); /* the sampled bytes moved with the new end */
    } else if (r < 97) { /* give back the head */
      size_t k = rng_below(&rng, nlive);
      struct live *l = &live[k];
      if (l->n < 2)
        continue;
      size_t cut = 1 + rng_below(&rng, l->n - 1);
      verify(l, 0, l->n);
      ck_assert_int_eq(gomem_scalable_free(s, l->p, cut), GOMEM_OK);
      /* Keep the pattern aligned: the rest becomes a new buffer. */
      unsigned char *rest = l->p + cut;
      size_t n = l->n - cut;
      l->p = rest;
      l->n = n;
      l->tag = tag++;
      fill(l);
      in_use -= cut;
      total_free += cut;
    } else { /* foreign and borrowed memory */
      char local[8];
      gomem_stats before = stats_of(s);
      ck_assert_int_eq(gomem_scalable_free(s, local, 8), GOMEM_ERR_NOT_OWNED);
      void *b = gomem_scalable_borrow(s, 1 + rng_below(&rng, 2000));
      ck_assert_ptr_nonnull(b);
      gomem_stats after = stats_of(s);
      ck_assert_uint_eq(before.in_use, after.in_use);
      ck_assert_uint_eq(before.total_malloc, after.total_malloc);
    }
    gomem_stats st = stats_of(s);
    ck_assert_uint_eq(st.in_use, in_use);
    ck_assert_uint_eq(st.total_malloc, total_malloc);
    ck_assert_uint_eq(st.total_free, total_free);
  }
  for (size_t k = 0; k < nlive; k++) {
    verify(&live[k], 0, live[k].n);
    ck_assert_int_eq(gomem_scalable_free(s, live[k].p, live[k].n), GOMEM_OK);
  }
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.in_use, 0);
  ck_assert_uint_eq(st.large_blocks, 0);
  ck_assert_uint_eq(st.chunks, gomem_scalable_pooled() ? 1 : 0);
  gomem_scalable_destroy(s);
}
END_TEST

/* Frees of random parts of live buffers, the oldest and the newest ones
 * most often (the carving state's fast cases), against a bitmap of the
 * bytes each buffer still holds: a free is accepted exactly when every
 * byte of its range is allocated, and the statistics follow. Freed bytes
 * of a buffer may have gone to a newer one, so the model looks at every
 * live buffer that overlaps the range. */
struct held {
  unsigned char *p;
  size_t n;
  uint8_t *bits; /* bit i: byte i still allocated */
  size_t left;   /* bits set */
};

/* Count (or with @p clear, also clear) the allocated bytes of h in
 * [a, a + len). */
static size_t held_bytes(struct held *h, uintptr_t a, size_t len, bool clear)
{
  uintptr_t lo = a > (uintptr_t)h->p ? a : (uintptr_t)h->p;
  uintptr_t hi = a + len < (uintptr_t)h->p + h->n ? a + len : (uintptr_t)h->p + h->n;
  size_t count = 0;

  for (uintptr_t x = lo; x < hi; x++) {
    size_t i = x - (uintptr_t)h->p;
    if (h->bits[i / 8] >> (i % 8) & 1) {
      count++;
      if (clear)
        h->bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
    }
  }
  if (clear)
    h->left -= count;
  return count;
}

static size_t live_bytes(struct held *live, size_t nlive, uintptr_t a, size_t len, bool clear)
{
  size_t count = 0;

  for (size_t k = 0; k < nlive; k++)
    count += held_bytes(&live[k], a, len, clear);
  return count;
}

static size_t pick_held(uint64_t *rng, size_t nlive)
{
  switch (rng_below(rng, 4)) {
  case 0:
    return 0;         /* the oldest */
  case 1:
    return nlive - 1; /* the newest */
  default:
    return rng_below(rng, nlive);
  }
}

START_TEST(random_parts_against_bitmap)
{
  enum { OPS = 30000, MAXLIVE = 128 };
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  struct held live[MAXLIVE];
  size_t nlive = 0, in_use = 0;
  uint64_t rng = 0xC0FFEE + (uint64_t)_i;

  for (int op = 0; op < OPS; op++) {
    if (nlive < MAXLIVE && (nlive == 0 || rng_below(&rng, 100) < 40)) {
      size_t n = rng_below(&rng, 50) == 0 ? 1 + rng_below(&rng, 100 * KiB)
                                          : 1 + rng_below(&rng, 2000);
      struct held *h = &live[nlive++];
      h->p = malloc_ok(s, n);
      h->n = n;
      h->bits = malloc((n + 7) / 8);
      ck_assert_ptr_nonnull(h->bits);
      memset(h->bits, 0xff, (n + 7) / 8);
      h->left = n;
      in_use += n;
    } else {
      size_t k = pick_held(&rng, nlive);
      struct held *h = &live[k];
      size_t from = rng_below(&rng, 3) == 0 ? 0 : rng_below(&rng, h->n);
      size_t len = rng_below(&rng, 3) == 0 ? h->n - from : 1 + rng_below(&rng, h->n - from);
      uintptr_t a = (uintptr_t)h->p + from;
      bool ok = live_bytes(live, nlive, a, len, false) == len;
      gomem_stats before = stats_of(s);
      int rc = gomem_scalable_free(s, h->p + from, len);
      if (ok) {
        ck_assert_int_eq(rc, GOMEM_OK);
        in_use -= live_bytes(live, nlive, a, len, true);
      } else {
        ck_assert_int_eq(rc, GOMEM_ERR_INVALID);
        gomem_stats after = stats_of(s);
        assert_stats_eq(&before, &after);
      }
      /* Forget the buffers with nothing left, keeping the order. */
      for (size_t j = 0; j < nlive;) {
        if (live[j].left > 0) {
          j++;
          continue;
        }
        free(live[j].bits);
        memmove(&live[j], &live[j + 1], (nlive - j - 1) * sizeof(live[0]));
        nlive--;
      }
    }
    ck_assert_uint_eq(stats_of(s).in_use, in_use);
  }
  for (size_t k = 0; k < nlive; k++) {
    for (size_t i = 0; i < live[k].n; i++) {
      size_t j = i;
      while (j < live[k].n && held_bytes(&live[k], (uintptr_t)live[k].p + j, 1, false))
        j++;
      if (j > i)
        ck_assert_int_eq(gomem_scalable_free(s, live[k].p + i, j - i), GOMEM_OK);
      i = j;
    }
    free(live[k].bits);
  }
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  ck_assert_uint_eq(stats_of(s).chunks, gomem_scalable_pooled() ? 1 : 0);
  gomem_scalable_destroy(s);
}
END_TEST

/* ---- the front span ----------------------------------------------------------- */

/* A free refused as a double free or as overlapping free space. Without
 * pooling, a block given back whole is no longer the allocator's at all. */
static void assert_refused(int rc)
{
  if (rc != GOMEM_ERR_INVALID && (gomem_scalable_pooled() || rc != GOMEM_ERR_NOT_OWNED))
    ck_abort_msg("free answered %s, not a refusal", gomem_err_name(rc));
}

/* The newest allocation goes back to the span; its bytes are then free in
 * every sense, so freeing them again, or across them, is refused. */
START_TEST(span_refuses_double_free)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  char *a = malloc_ok(s, 100), *b = malloc_ok(s, 100);

  if (gomem_scalable_pooled())
    ck_assert_ptr_eq(b, a + 100);
  ck_assert_int_eq(gomem_scalable_free(s, b, 100), GOMEM_OK);
  gomem_stats before = stats_of(s);
  assert_refused(gomem_scalable_free(s, b, 100));      /* double free */
  assert_refused(gomem_scalable_free(s, b, 1));
  assert_refused(gomem_scalable_free(s, b + 10, 10));  /* starts inside the span */
  assert_refused(gomem_scalable_free(s, a, 101));      /* a and the span's first byte */
  assert_refused(gomem_scalable_free(s, a + 50, 100));
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);

  /* b's bytes are where the next malloc goes. */
  char *c = malloc_ok(s, 100);
  if (gomem_scalable_pooled()) {
    ck_assert_ptr_eq(c, b);
    ck_assert_int_eq(gomem_scalable_free(s, a, 200), GOMEM_OK); /* the newest two */
    ck_assert_ptr_eq(malloc_ok(s, 10), a);
    ck_assert_int_eq(gomem_scalable_free(s, a, 10), GOMEM_OK);
  } else {
    ck_assert_int_eq(gomem_scalable_free(s, a, 100), GOMEM_OK);
    ck_assert_int_eq(gomem_scalable_free(s, c, 100), GOMEM_OK);
  }
  assert_refused(gomem_scalable_free(s, a, 100));
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.in_use, 0);
  ck_assert_uint_eq(st.total_malloc, gomem_scalable_pooled() ? 310 : 300);
  ck_assert_uint_eq(st.total_free, st.total_malloc);
  gomem_scalable_destroy(s);
}
END_TEST

/* Frees oldest first (all but the last through the range allocator), then
 * newest first (all through the span): exact statistics after each free,
 * untouched neighbours, and every second free refused. */
START_TEST(span_fifo_then_lifo)
{
  enum { N = 40 };
  gomem_scalable *s = gomem_scalable_new(64 * KiB); /* one span serves it all */
  struct live l[N];
  uint64_t in_use = 0, total = 0;

  for (int lifo = 0; lifo < 2; lifo++) {
    for (int i = 0; i < N; i++) {
      l[i] = (struct live){.n = 8 + (size_t)i * 13 % 90, .tag = (uint32_t)(i + 100 * lifo)};
      l[i].p = malloc_ok(s, l[i].n);
      fill(&l[i]);
      in_use += l[i].n;
      total += l[i].n;
    }
    for (int k = 0; k < N; k++) {
      struct live *x = &l[lifo ? N - 1 - k : k];
      verify(x, 0, x->n);
      ck_assert_int_eq(gomem_scalable_free(s, x->p, x->n), GOMEM_OK);
      in_use -= x->n;
      gomem_stats before = stats_of(s);
      ck_assert_uint_eq(before.in_use, in_use);
      ck_assert_uint_eq(before.total_free, total - in_use);
      assert_refused(gomem_scalable_free(s, x->p, x->n));
      gomem_stats after = stats_of(s);
      assert_stats_eq(&before, &after);
      for (int j = k + 1; j < N; j++) {
        const struct live *y = &l[lifo ? N - 1 - j : j];
        verify(y, 0, y->n);
      }
    }
    if (gomem_scalable_pooled() && lifo) /* the span went all the way back */
      ck_assert_ptr_eq(malloc_ok(s, 1), l[0].p);
    else
      (void)malloc_ok(s, 1);
    assert_refused(gomem_scalable_free(s, gomem_scalable_borrow(s, 1), 1)); /* borrowed: free */
    total += 1;
    in_use += 1;
  }
  ck_assert_uint_eq(stats_of(s).in_use, 2);
  ck_assert_uint_eq(chunks(s), gomem_scalable_pooled() ? 1 : 0);
  gomem_scalable_destroy(s);
}
END_TEST

/* A chunk whose last allocations go back through the span is released at
 * once when other chunks remain, whichever order they come back in. */
START_TEST(span_frees_release_chunk)
{
  if (!gomem_scalable_pooled())
    return;
  gomem_scalable *s = gomem_scalable_new(1 * KiB);
  char *a = malloc_ok(s, 1000);

  for (int newest_first = 0; newest_first < 2; newest_first++) {
    char *b = malloc_ok(s, 600), *c = malloc_ok(s, 600); /* a new chunk */
    ck_assert_ptr_eq(c, b + 600);
    ck_assert_uint_eq(chunks(s), 2);
    uint64_t with_two = reserved(s);
    ck_assert_int_eq(gomem_scalable_free(s, newest_first ? c : b, 600), GOMEM_OK);
    ck_assert_uint_eq(chunks(s), 2);
    ck_assert_int_eq(gomem_scalable_free(s, newest_first ? b : c, 600), GOMEM_OK);
    gomem_stats st = stats_of(s);
    ck_assert_uint_eq(st.chunks, 1);
    ck_assert_uint_eq(st.reserved, 1 * KiB);
    ck_assert_uint_gt(with_two, st.reserved);
    ck_assert_uint_eq(st.in_use, 1000);
    ck_assert_int_eq(gomem_scalable_free(s, b, 600), GOMEM_ERR_NOT_OWNED); /* gone */
  }
  ck_assert_int_eq(gomem_scalable_free(s, a, 1000), GOMEM_OK);
  ck_assert_uint_eq(chunks(s), 1); /* the last chunk stays */
  gomem_scalable_destroy(s);
}
END_TEST

/* Borrow answers where a malloc of the same size goes next: in the span,
 * after the span is too short, above the span's size, in a new chunk. */
START_TEST(span_borrow_is_next_malloc)
{
  const size_t span = GOMEM_SCALABLE_SPAN;
  const size_t sizes[] = {30, span - 130, 200, span + 4 * KiB, 3 * span, 8};
  gomem_scalable *s = gomem_scalable_new(4 * span);
  uint64_t total = 0;

  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    size_t n = sizes[i];
    gomem_stats before = stats_of(s);
    char *b = gomem_scalable_borrow(s, n);
    ck_assert_ptr_nonnull(b);
    memset(b, 0xEE, n);
    gomem_stats after = stats_of(s);
    ck_assert_uint_eq(after.total_malloc, before.total_malloc);
    ck_assert_uint_eq(after.in_use, before.in_use);
    char *m = malloc_ok(s, n);
    if (gomem_scalable_pooled())
      ck_assert_ptr_eq(m, b);
    total += n;
  }
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.in_use, total);
  if (gomem_scalable_pooled())
    ck_assert_uint_eq(st.chunks, 2); /* 3 spans' worth did not fit in the first */
  gomem_scalable_destroy(s);
}
END_TEST

/* A free may cover two neighbouring allocations where the carving state
 * has an empty part: (0) the span used up (its start at its end), the
 * next piece from the range allocator; (1) a piece from the range
 * allocator, the span's first piece right after it (no in-order frees
 * held below). The range holds no free byte and is valid; what it freed
 * is then refused. */
START_TEST(span_free_across_empty_part)
{
  if (!gomem_scalable_pooled())
    return;
  const size_t big = GOMEM_SCALABLE_SPAN + 4 * KiB;
  const size_t n1 = _i == 0 ? GOMEM_SCALABLE_SPAN : big, n2 = _i == 0 ? big : 100;
  gomem_scalable *s = gomem_scalable_new(4 * GOMEM_SCALABLE_SPAN);
  char *a = malloc_ok(s, n1);
  char *b = malloc_ok(s, n2);

  ck_assert_ptr_eq(b, a + n1);
  ck_assert_int_eq(gomem_scalable_free(s, b - 8, 16), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, n1 + n2 - 16);
  gomem_stats before = stats_of(s);
  assert_refused(gomem_scalable_free(s, b - 4, 4)); /* the end of a */
  assert_refused(gomem_scalable_free(s, b - 1, 1));
  assert_refused(gomem_scalable_free(s, b, 8));     /* the start of b */
  assert_refused(gomem_scalable_free(s, b - 8, 16));
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  ck_assert_int_eq(gomem_scalable_free(s, b + 8, n2 - 8), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, a, n1 - 8), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  gomem_scalable_destroy(s);
}
END_TEST

/* ---- threads ------------------------------------------------------------------ */

/* One thread allocates and publishes buffers in order; freer threads claim
 * them one by one and free them while it keeps allocating (their frees are
 * applied at once or queued, whichever the busy flag allows). */
enum { ROUNDS = 4000 };

struct handoff {
  gomem_scalable *s;
  void *ptr[ROUNDS];
  size_t len[ROUNDS];
  atomic_size_t published, claimed, freed;
  atomic_int done;
};

static void *remote_freer(void *arg)
{
  struct handoff *h = arg;

  for (;;) {
    size_t i = atomic_fetch_add(&h->claimed, 1);
    if (i >= ROUNDS)
      return NULL;
    while (atomic_load_explicit(&h->published, memory_order_acquire) <= i)
      sched_yield();
    unsigned char *p = h->ptr[i];
    size_t n = h->len[i];
    /* One assertion per buffer: Check makes each one a system call. */
    size_t bad = 0;
    for (size_t k = 0; k < n; k++)
      bad += p[k] != (unsigned char)n;
    ck_assert_uint_eq(bad, 0);
    ck_assert_int_eq(gomem_scalable_free(h->s, p, n), GOMEM_OK);
    atomic_fetch_add(&h->freed, 1);
  }
}

static void *stats_reader(void *arg)
{
  struct handoff *h = arg;
  uint64_t last_malloc = 0, last_free = 0;

  while (!atomic_load(&h->done)) {
    gomem_stats st;
    st.struct_size = sizeof(st);
    ck_assert_int_eq(gomem_scalable_stats(h->s, &st), GOMEM_OK);
    /* Counters never go back, and what is freed was allocated. */
    if (st.total_malloc < last_malloc || st.total_free < last_free
        || st.in_use > st.total_malloc)
      ck_abort_msg("statistics went back");
    last_malloc = st.total_malloc;
    last_free = st.total_free;
    sched_yield();
  }
  return NULL;
}

START_TEST(remote_frees)
{
  enum { THREADS = 3 };
  static struct handoff h;
  pthread_t t[THREADS + 1];

  h.s = gomem_scalable_new(4 * KiB);
  atomic_init(&h.published, 0);
  atomic_init(&h.claimed, 0);
  atomic_init(&h.freed, 0);
  atomic_init(&h.done, 0);
  for (int i = 0; i < THREADS; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, remote_freer, &h), 0);
  ck_assert_int_eq(pthread_create(&t[THREADS], NULL, stats_reader, &h), 0);
  for (size_t r = 0; r < ROUNDS; r++) {
    size_t n = 1 + r * 37 % 700;
    unsigned char *p = gomem_scalable_malloc(h.s, n);
    ck_assert_ptr_nonnull(p);
    memset(p, (unsigned char)n, n);
    h.ptr[r] = p;
    h.len[r] = n;
    atomic_store_explicit(&h.published, r + 1, memory_order_release);
  }
  for (int i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
  atomic_store(&h.done, 1);
  pthread_join(t[THREADS], NULL);
  ck_assert_uint_eq(atomic_load(&h.freed), ROUNDS);
  /* Queued frees were applied by the calls that held the flag, but for
   * the rare one caught in the release race: drain applies it. */
  ck_assert_int_ge(gomem_scalable_drain(h.s), 0);
  gomem_stats st = stats_of(h.s);
  ck_assert_uint_eq(st.in_use, 0);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 0);
  ck_assert_uint_eq(st.total_free, st.total_malloc);
  gomem_scalable_destroy(h.s);
}
END_TEST

struct queued {
  gomem_scalable *s;
  char *p, *q;
  int rc[6];
};

static void *queue_frees(void *arg)
{
  struct queued *b = arg;
  static char foreign[32];

  b->rc[0] = gomem_scalable_free(b->s, foreign, 32);     /* queued, rejected later */
  b->rc[1] = gomem_scalable_free(b->s, b->p, 10);        /* good */
  b->rc[2] = gomem_scalable_free(b->s, b->p, 10);        /* double: rejected later */
  b->rc[3] = gomem_scalable_free(b->s, NULL, 10);        /* refused at once */
  b->rc[4] = gomem_scalable_free(b->s, b->q, 0);         /* refused at once */
  b->rc[5] = gomem_scalable_free_rest(b->s, b->q, 20, 5); /* good */
  return NULL;
}

/* Frees that find the flag held are queued, applied by the holder before
 * it lets go, and the invalid ones counted; with the flag free, a free
 * from any thread answers exactly. */
START_TEST(queued_frees)
{
  struct queued b = {.s = new_shared(4 * KiB)};
  pthread_t t;

  b.p = malloc_ok(b.s, 10);
  b.q = malloc_ok(b.s, 20);
  (void)gomem__scalable_claim(b.s);
  ck_assert_int_eq(pthread_create(&t, NULL, queue_frees, &b), 0);
  pthread_join(t, NULL);
  ck_assert_int_eq(b.rc[0], GOMEM_OK);
  ck_assert_int_eq(b.rc[1], GOMEM_OK);
  ck_assert_int_eq(b.rc[2], GOMEM_OK);
  ck_assert_int_eq(b.rc[3], GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(b.rc[4], GOMEM_ERR_INVALID);
  ck_assert_int_eq(b.rc[5], GOMEM_OK);
  gomem_stats st = stats_of(b.s);
  ck_assert_uint_eq(st.remote_pending, 4);
  ck_assert_uint_eq(st.remote_rejected, 0);
  ck_assert_uint_eq(st.in_use, 30);
  ck_assert_uint_eq(st.total_free, 0);
  gomem__scalable_unclaim(b.s); /* applies the queue before letting go */
  st = stats_of(b.s);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 2);
  ck_assert_uint_eq(st.in_use, 5);
  ck_assert_uint_eq(st.total_free, 25);
  ck_assert_int_eq(gomem_scalable_drain(b.s), 0);

  /* The flag is free: the same kinds of frees from another thread now get
   * their exact answers. */
  b.p = malloc_ok(b.s, 10);
  ck_assert_int_eq(pthread_create(&t, NULL, queue_frees, &b), 0);
  pthread_join(t, NULL);
  ck_assert_int_eq(b.rc[0], GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(b.rc[1], GOMEM_OK);
  ck_assert_int_eq(b.rc[2], gomem_scalable_pooled() ? GOMEM_ERR_INVALID : GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(b.rc[3], GOMEM_ERR_NOT_OWNED);
  ck_assert_int_eq(b.rc[4], GOMEM_ERR_INVALID);
  ck_assert_int_eq(b.rc[5], GOMEM_ERR_INVALID); /* the tail is free already */
  st = stats_of(b.s);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 2);
  ck_assert_uint_eq(st.in_use, 5);
  ck_assert_int_eq(gomem_scalable_free(b.s, b.q, 5), GOMEM_OK);
  gomem_scalable_destroy(b.s);
}
END_TEST

struct waiter {
  gomem_scalable *s;
  void *p;
  atomic_int done;
};

static void *malloc_and_tell(void *arg)
{
  struct waiter *w = arg;

  w->p = gomem_scalable_malloc(w->s, 100);
  atomic_store(&w->done, 1);
  return NULL;
}

/* An allocating call that finds the flag held waits for it. */
START_TEST(allocating_call_waits)
{
  struct waiter w = {.s = new_shared(4 * KiB)};
  pthread_t t;

  atomic_init(&w.done, 0);
  (void)gomem__scalable_claim(w.s);
  ck_assert_int_eq(pthread_create(&t, NULL, malloc_and_tell, &w), 0);
  usleep(20000);
  ck_assert_int_eq(atomic_load(&w.done), 0);
  gomem__scalable_unclaim(w.s);
  pthread_join(t, NULL);
  ck_assert_int_eq(atomic_load(&w.done), 1);
  ck_assert_ptr_nonnull(w.p);
  ck_assert_uint_eq(stats_of(w.s).in_use, 100);
  ck_assert_int_eq(gomem_scalable_free(w.s, w.p, 100), GOMEM_OK);
  gomem_scalable_destroy(w.s);
}
END_TEST

/* One step of a task that hops threads: free what the previous step
 * allocated (exact answers: no other call runs), allocate anew. */
struct hop {
  gomem_scalable *s;
  char *p;
  size_t n;
  int step;
};

static void *hop_step(void *arg)
{
  struct hop *h = arg;

  if (h->p) {
    for (size_t k = 0; k < h->n; k++)
      ck_assert_int_eq(h->p[k], (char)h->step);
    ck_assert_int_eq(gomem_scalable_free_rest(h->s, h->p, h->n, h->n / 2), GOMEM_OK);
    ck_assert_int_eq(gomem_scalable_free(h->s, h->p + h->n / 2, 1), GOMEM_ERR_INVALID);
    ck_assert_int_eq(gomem_scalable_free(h->s, h->p, h->n / 2), GOMEM_OK);
  }
  void *b = gomem_scalable_borrow(h->s, 64);
  ck_assert_ptr_nonnull(b);
  memset(b, 0, 64);
  h->step++;
  h->n = 100 + (size_t)h->step * 50;
  h->p = gomem_scalable_malloc(h->s, h->n);
  ck_assert_ptr_nonnull(h->p);
  memset(h->p, h->step, h->n);
  if (h->step % 3 == 0)
    gomem_scalable_trim(h->s);
  ck_assert_int_eq(gomem_scalable_drain(h->s), 0);
  return NULL;
}

/* An allocator handed from thread to thread with no handover call, the
 * way a goroutine moves between OS threads under cgo. */
START_TEST(handed_between_threads)
{
  struct hop h = {.s = new_shared(1 * KiB)};
  size_t allocated = 0;

  for (int i = 0; i < 12; i++) {
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, hop_step, &h), 0);
    pthread_join(t, NULL);
    allocated += h.n;
  }
  gomem_stats st = stats_of(h.s);
  ck_assert_uint_eq(st.total_malloc, allocated);
  ck_assert_uint_eq(st.in_use, h.n);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 0);
  ck_assert_int_eq(gomem_scalable_free(h.s, h.p, h.n), GOMEM_OK);
  gomem_scalable_destroy(h.s);
}
END_TEST

/* Several threads allocating from one allocator at once: slower, never
 * wrong. Each keeps its buffers filled with its own pattern. */
enum { AT_ONCE_OPS = 3000, AT_ONCE_LIVE = 16 };

struct worker {
  gomem_scalable *s;
  uint32_t tag;
  size_t allocated;
};

static void *allocate_at_once(void *arg)
{
  struct worker *w = arg;
  struct live live[AT_ONCE_LIVE];
  size_t nlive = 0;
  uint64_t rng = 0x9E3779B97F4A7C15ULL * w->tag;

  for (int op = 0; op < AT_ONCE_OPS; op++) {
    if (nlive < AT_ONCE_LIVE && (nlive == 0 || rng_below(&rng, 2) == 0)) {
      struct live *l = &live[nlive++];
      l->n = 1 + rng_below(&rng, 3000);
      l->p = gomem_scalable_malloc(w->s, l->n);
      ck_assert_ptr_nonnull(l->p);
      l->tag = w->tag + (uint32_t)op * 8;
      fill(l);
      w->allocated += l->n;
    } else {
      size_t k = rng_below(&rng, nlive);
      verify(&live[k], 0, live[k].n);
      if (rng_below(&rng, 2) == 0 && live[k].n > 1) {
        size_t keep = live[k].n / 2;
        ck_assert_int_eq(gomem_scalable_free_rest(w->s, live[k].p, live[k].n, keep), GOMEM_OK);
        live[k].n = keep;
        fill(&live[k]);
      } else {
        ck_assert_int_eq(gomem_scalable_free(w->s, live[k].p, live[k].n), GOMEM_OK);
        live[k] = live[--nlive];
      }
    }
    if (op % 500 == 0)
      ck_assert_ptr_nonnull(gomem_scalable_borrow(w->s, 200));
  }
  for (size_t k = 0; k < nlive; k++) {
    verify(&live[k], 0, live[k].n);
    ck_assert_int_eq(gomem_scalable_free(w->s, live[k].p, live[k].n), GOMEM_OK);
  }
  return NULL;
}

START_TEST(allocating_at_once)
{
  enum { THREADS = 3 };
  gomem_scalable *s = new_shared(1 * KiB);
  struct worker w[THREADS];
  pthread_t t[THREADS];
  size_t allocated = 0;

  for (int i = 0; i < THREADS; i++) {
    w[i] = (struct worker){.s = s, .tag = (uint32_t)i + 1};
    ck_assert_int_eq(pthread_create(&t[i], NULL, allocate_at_once, &w[i]), 0);
  }
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
    allocated += w[i].allocated;
  }
  ck_assert_int_ge(gomem_scalable_drain(s), 0);
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.total_malloc, allocated);
  ck_assert_uint_eq(st.total_free, allocated);
  ck_assert_uint_eq(st.in_use, 0);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 0);
  gomem_scalable_destroy(s);
}
END_TEST

/* The read callback runs without the busy flag: it may use the allocator. */
static ptrdiff_t reenter(void *ctx, void *buf, size_t n)
{
  gomem_scalable *s = ctx;
  void *p = gomem_scalable_malloc(s, 10);

  ck_assert_ptr_nonnull(p);
  ck_assert_int_eq(gomem_scalable_free(s, p, 10), GOMEM_OK);
  memset(buf, 'r', n / 2);
  return (ptrdiff_t)(n / 2);
}

START_TEST(callback_reenters)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  void *ptr;
  size_t len;

  ck_assert_int_eq(gomem_scalable_read_cb(s, reenter, s, 64, &ptr, &len), GOMEM_OK);
  ck_assert_uint_eq(len, 32);
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.total_malloc, 42);
  ck_assert_uint_eq(st.in_use, 32);
  ck_assert_int_eq(gomem_scalable_free(s, ptr, len), GOMEM_OK);
  gomem_scalable_destroy(s);
}
END_TEST

/* ---- ownership ---------------------------------------------------------------- */

/* Run fn(arg) on a new thread and wait for it to end. */
static void run_elsewhere(void *(*fn)(void *), void *arg)
{
  pthread_t t;

  ck_assert_int_eq(pthread_create(&t, NULL, fn, arg), 0);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
}

struct stats_read {
  const gomem_scalable *s;
  gomem_stats st;
};

static void *read_stats(void *arg)
{
  struct stats_read *r = arg;

  r->st = stats_of(r->s);
  return NULL;
}

/* The statistics as a thread that does not own @p s reads them: that
 * applies nothing, where the owner's reading applies the queued frees. */
static gomem_stats stats_elsewhere(const gomem_scalable *s)
{
  struct stats_read r = {.s = s};

  run_elsewhere(read_stats, &r);
  return r.st;
}

/* What a thread that does not own the allocator got from each call. */
struct refusal {
  gomem_scalable *s;
  int fd;
  void *malloc_p, *borrow_p, *fd_p, *cb_p;
  size_t fd_len, cb_len;
  int malloc_errno, borrow_errno;
  int fd_rc, cb_rc, cb_calls, drain_rc, disown_rc;
};

static ptrdiff_t count_call(void *ctx, void *buf, size_t n)
{
  (void)buf;
  ++*(int *)ctx;
  return (ptrdiff_t)n;
}

static void *try_everything(void *arg)
{
  struct refusal *r = arg;

  errno = 0;
  r->malloc_p = gomem_scalable_malloc(r->s, 10);
  r->malloc_errno = errno;
  errno = 0;
  r->borrow_p = gomem_scalable_borrow(r->s, 10);
  r->borrow_errno = errno;
  r->fd_p = r->cb_p = (void *)1;
  r->fd_len = r->cb_len = 1;
  r->fd_rc = gomem_scalable_read_fd(r->s, r->fd, 100, &r->fd_p, &r->fd_len);
  r->cb_rc = gomem_scalable_read_cb(r->s, count_call, &r->cb_calls, 16, &r->cb_p, &r->cb_len);
  gomem_scalable_trim(r->s);
  r->drain_rc = gomem_scalable_drain(r->s);
  r->disown_rc = gomem_scalable_disown(r->s);
  return NULL;
}

/* Every allocating call from a thread that does not own the allocator is
 * refused and touches nothing; the owner goes on as if nothing happened. */
START_TEST(owned_refuses_other_threads)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  struct refusal r = {.s = s};
  int fds[2];
  void *ptr;
  size_t len;

  char *p = malloc_ok(s, 100);
  /* Something a trim would give back: the borrow scratch buffer. */
  ck_assert_ptr_nonnull(gomem_scalable_borrow(s, 5 * MiB));
  ck_assert_int_eq(pipe(fds), 0);
  ck_assert_int_eq(write(fds[1], "hello", 5), 5);
  r.fd = fds[0];
  gomem_stats before = stats_of(s);
  run_elsewhere(try_everything, &r);
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  ck_assert_ptr_null(r.malloc_p);
  ck_assert_int_eq(r.malloc_errno, EPERM);
  ck_assert_ptr_null(r.borrow_p);
  ck_assert_int_eq(r.borrow_errno, EPERM);
  ck_assert_int_eq(r.fd_rc, GOMEM_ERR_WRONG_THREAD);
  ck_assert_ptr_null(r.fd_p);
  ck_assert_uint_eq(r.fd_len, 0);
  ck_assert_int_eq(r.cb_rc, GOMEM_ERR_WRONG_THREAD);
  ck_assert_int_eq(r.cb_calls, 0);
  ck_assert_ptr_null(r.cb_p);
  ck_assert_uint_eq(r.cb_len, 0);
  ck_assert_int_eq(r.drain_rc, GOMEM_ERR_WRONG_THREAD);
  ck_assert_int_eq(r.disown_rc, GOMEM_ERR_WRONG_THREAD);

  /* Nothing was read: the owner reads it all, right after p. */
  ck_assert_int_eq(gomem_scalable_read_fd(s, fds[0], 100, &ptr, &len), GOMEM_OK);
  ck_assert_uint_eq(len, 5);
  ck_assert_int_eq(memcmp(ptr, "hello", 5), 0);
  if (gomem_scalable_pooled())
    ck_assert_ptr_eq(ptr, p + 100);
  ck_assert_int_eq(gomem_scalable_drain(s), 0);
  uint64_t held = reserved(s);
  gomem_scalable_trim(s); /* the owner's trim does give the scratch back */
  ck_assert_uint_eq(reserved(s), held - 5 * MiB);
  ck_assert_int_eq(gomem_scalable_free(s, ptr, len), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, p, 100), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  close(fds[0]);
  close(fds[1]);
  gomem_scalable_destroy(s);
}
END_TEST

/* The owner allocates and publishes buffers and keeps working on its own
 * ones while freer threads check and free the published ones. */
START_TEST(owned_remote_frees_applied_by_next_call)
{
  enum { FREERS = 3, KEPT = ROUNDS / 16 };
  static struct handoff h;
  static unsigned char *kept[KEPT];
  pthread_t t[FREERS];
  uint64_t published = 0, own_total = 0, kept_bytes = 0;

  h.s = gomem_scalable_new(4 * KiB);
  atomic_init(&h.published, 0);
  atomic_init(&h.claimed, 0);
  atomic_init(&h.freed, 0);
  for (int i = 0; i < FREERS; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, remote_freer, &h), 0);
  for (size_t r = 0; r < ROUNDS; r++) {
    size_t n = 1 + r * 37 % 700;
    unsigned char *p = gomem_scalable_malloc(h.s, n);
    ck_assert_ptr_nonnull(p);
    memset(p, (unsigned char)n, n);
    h.ptr[r] = p;
    h.len[r] = n;
    published += n;
    atomic_store_explicit(&h.published, r + 1, memory_order_release);
    /* The owner's own work: one buffer freed at once, one in 16 kept. */
    size_t m = 1 + r % 64;
    unsigned char *q = malloc_ok(h.s, m);
    own_total += m;
    if (r % 16 == 0) {
      kept[r / 16] = q;
      kept_bytes += m;
    } else {
      ck_assert_int_eq(gomem_scalable_free(h.s, q, m), GOMEM_OK);
    }
  }
  for (int i = 0; i < FREERS; i++)
    ck_assert_int_eq(pthread_join(t[i], NULL), 0);
  ck_assert_uint_eq(atomic_load(&h.freed), ROUNDS);

  /* The owner's next call applies every free queued before it. */
  void *x = malloc_ok(h.s, 8);
  gomem_stats st = stats_of(h.s);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 0);
  ck_assert_uint_eq(st.in_use, kept_bytes + 8);
  ck_assert_uint_eq(st.total_malloc, published + own_total + 8);
  ck_assert_uint_eq(st.total_free, published + own_total - kept_bytes);
  for (size_t k = 0; k < KEPT; k++) {
    size_t m = 1 + k * 16 % 64;
    for (size_t i = 0; i < m; i++)
      ck_assert_uint_eq(kept[k][i], 0x5A);
  }

  /* The same with frees certainly queued: nothing runs on the owner's
   * side between them and its next call. */
  atomic_store(&h.published, 0);
  atomic_store(&h.claimed, ROUNDS - 8);
  for (size_t r = ROUNDS - 8; r < ROUNDS; r++) {
    h.len[r] = 100;
    h.ptr[r] = malloc_ok(h.s, 100);
    memset(h.ptr[r], 100, 100);
  }
  atomic_store(&h.published, ROUNDS);
  gomem_stats before = stats_of(h.s);
  run_elsewhere(remote_freer, &h);
  st = stats_elsewhere(h.s);
  ck_assert_uint_eq(st.remote_pending, 8);
  ck_assert_uint_eq(st.in_use, before.in_use);
  ck_assert_uint_eq(st.total_free, before.total_free);
  st = stats_of(h.s); /* the owner's reading is a call that applies them */
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.in_use, before.in_use - 800);
  ck_assert_uint_eq(st.total_free, before.total_free + 800);
  ck_assert_int_eq(gomem_scalable_free(h.s, x, 8), GOMEM_OK);
  gomem_scalable_destroy(h.s);
}
END_TEST

struct bad_frees {
  gomem_scalable *s;
  char *p, *q, *big;
  int rc[10];
};

static void *free_badly(void *arg)
{
  struct bad_frees *b = arg;
  static char foreign[32];

  b->rc[0] = gomem_scalable_free(b->s, foreign, 32);            /* queued, rejected later */
  b->rc[1] = gomem_scalable_free(b->s, b->p, 10);               /* good */
  b->rc[2] = gomem_scalable_free(b->s, b->p, 10);               /* double: rejected later */
  b->rc[3] = gomem_scalable_free(b->s, b->big, 5 * MiB + 1);    /* past the end: later */
  b->rc[4] = gomem_scalable_free_rest(b->s, b->q, 20, 5);       /* good */
  b->rc[5] = gomem_scalable_free(b->s, NULL, 10);               /* refused at once */
  b->rc[6] = gomem_scalable_free(b->s, b->q, 0);                /* refused at once */
  b->rc[7] = gomem_scalable_free(b->s, (void *)(uintptr_t)-16, 100); /* wraps: at once */
  b->rc[8] = gomem_scalable_free(NULL, b->p, 10);               /* at once */
  b->rc[9] = gomem_scalable_free_rest(b->s, b->q, 20, 21);      /* at once */
  return NULL;
}

/* Frees from another thread are checked only for what needs no look at
 * the chunks; the rest is found when the owner applies them: the invalid
 * ones are dropped, counted, and change nothing. */
START_TEST(owned_queued_frees_checked)
{
  struct bad_frees b = {.s = gomem_scalable_new(4 * KiB)};
  static const int want[10] = {GOMEM_OK, GOMEM_OK, GOMEM_OK, GOMEM_OK, GOMEM_OK,
                               GOMEM_ERR_NOT_OWNED, GOMEM_ERR_INVALID, GOMEM_ERR_INVALID,
                               GOMEM_ERR_INVALID, GOMEM_ERR_INVALID};

  b.p = malloc_ok(b.s, 10);
  b.q = malloc_ok(b.s, 20);
  b.big = malloc_ok(b.s, 5 * MiB);
  gomem_stats before = stats_of(b.s);
  run_elsewhere(free_badly, &b);
  for (int i = 0; i < 10; i++)
    ck_assert_msg(b.rc[i] == want[i], "free %d answered %s", i, gomem_err_name(b.rc[i]));
  gomem_stats st = stats_elsewhere(b.s);
  ck_assert_uint_eq(st.remote_pending, 5);
  before.remote_pending = 5;
  assert_stats_eq(&before, &st);

  ck_assert_int_eq(gomem_scalable_drain(b.s), 5);
  st = stats_of(b.s);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 3);
  ck_assert_uint_eq(st.in_use, before.in_use - 25);
  ck_assert_uint_eq(st.total_free, 25);
  ck_assert_uint_eq(st.total_malloc, before.total_malloc);
  ck_assert_uint_eq(st.chunks, before.chunks);
  /* Without pooling, p was a system block of its own: released. */
  ck_assert_uint_eq(st.reserved, before.reserved - (gomem_scalable_pooled() ? 0 : 10));
  ck_assert_uint_eq(st.large_blocks, before.large_blocks - (gomem_scalable_pooled() ? 0 : 1));
  ck_assert_int_eq(gomem_scalable_drain(b.s), 0);
  /* What the rejected frees named is as it was: the big block whole, p free. */
  assert_refused(gomem_scalable_free(b.s, b.p, 10));
  ck_assert_int_eq(gomem_scalable_free(b.s, b.big, 5 * MiB), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(b.s, b.q, 5), GOMEM_OK);
  st = stats_of(b.s);
  ck_assert_uint_eq(st.in_use, 0);
  ck_assert_uint_eq(st.large_blocks, 0);
  ck_assert_uint_eq(st.remote_rejected, 3);
  gomem_scalable_destroy(b.s);
}
END_TEST

struct remote_free {
  gomem_scalable *s;
  void *p;
  size_t len;
  int rc;
};

static void *free_elsewhere(void *arg)
{
  struct remote_free *r = arg;

  r->rc = gomem_scalable_free(r->s, r->p, r->len);
  return NULL;
}

/* Handover: how the thread that adopts a disowned allocator does it. */
enum adopt_by { BY_MALLOC, BY_BORROW, BY_TRIM, BY_READ_CB, BY_READ_FD };

struct handover {
  gomem_scalable *s;
  int by, fd;
  pthread_barrier_t step;
  void *m;
  size_t m_len;
  int adopt_rc, drain_rc, drained, free_rc, disown_rc, disown_again_rc;
  gomem_stats adopted, done;
};

static void read_stats_into(const gomem_scalable *s, gomem_stats *st)
{
  st->struct_size = sizeof(*st);
  (void)gomem_scalable_stats(s, st);
}

static void *adopt(void *arg)
{
  struct handover *h = arg;
  ptrdiff_t want = 30;

  switch (h->by) {
  case BY_MALLOC:
    h->m_len = 30;
    h->m = gomem_scalable_malloc(h->s, h->m_len);
    h->adopt_rc = h->m ? GOMEM_OK : GOMEM_ERR_INVALID;
    break;
  case BY_BORROW:
    h->adopt_rc = gomem_scalable_borrow(h->s, 30) ? GOMEM_OK : GOMEM_ERR_INVALID;
    break;
  case BY_TRIM:
    gomem_scalable_trim(h->s);
    h->adopt_rc = GOMEM_OK;
    break;
  case BY_READ_CB:
    h->adopt_rc = gomem_scalable_read_cb(h->s, give, &want, 64, &h->m, &h->m_len);
    break;
  default:
    h->adopt_rc = gomem_scalable_read_fd(h->s, h->fd, 64, &h->m, &h->m_len);
    break;
  }
  read_stats_into(h->s, &h->adopted);
  h->drain_rc = gomem_scalable_drain(h->s); /* ours now: nothing waiting */
  pthread_barrier_wait(&h->step);           /* the old owner tries */
  pthread_barrier_wait(&h->step);
  h->drained = gomem_scalable_drain(h->s);  /* the old owner's free */
  h->free_rc = h->m ? gomem_scalable_free(h->s, h->m, h->m_len) : GOMEM_OK;
  read_stats_into(h->s, &h->done);
  h->disown_rc = gomem_scalable_disown(h->s);
  h->disown_again_rc = gomem_scalable_disown(h->s);
  return NULL;
}

/* The owner disowns; its frees are queued from then on; another thread's
 * allocating call (each kind in turn) adopts the allocator and applies
 * them first; the old owner is refused; the new one hands it back. */
START_TEST(handover)
{
  struct handover h = {.s = gomem_scalable_new(4 * KiB), .by = _i};
  gomem_scalable *s = h.s;
  int fds[2];
  pthread_t t;
  void *ptr;
  size_t len;

  ck_assert_int_eq(pipe(fds), 0);
  ck_assert_int_eq(write(fds[1], "handed over", 11), 11);
  h.fd = fds[0];
  char *p = malloc_ok(s, 100), *q = malloc_ok(s, 200);
  struct remote_free r = {.s = s, .p = malloc_ok(s, 50), .len = 50};
  run_elsewhere(free_elsewhere, &r);
  ck_assert_int_eq(r.rc, GOMEM_OK);
  ck_assert_uint_eq(stats_elsewhere(s).remote_pending, 1);
  ck_assert_int_eq(gomem_scalable_disown(s), GOMEM_OK); /* applies it */
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.in_use, 300);
  ck_assert_int_eq(gomem_scalable_disown(s), GOMEM_ERR_WRONG_THREAD);
  ck_assert_int_eq(gomem_scalable_drain(s), GOMEM_ERR_WRONG_THREAD); /* nobody's */
  ck_assert_int_eq(gomem_scalable_free(s, p, 100), GOMEM_OK);        /* queued */
  st = stats_of(s);
  ck_assert_uint_eq(st.remote_pending, 1);
  ck_assert_uint_eq(st.in_use, 300);
  ck_assert_uint_eq(st.total_free, 50);

  ck_assert_int_eq(pthread_barrier_init(&h.step, NULL, 2), 0);
  ck_assert_int_eq(pthread_create(&t, NULL, adopt, &h), 0);
  pthread_barrier_wait(&h.step);
  /* Adopted, and p's free applied by the adopting call. */
  ck_assert_int_eq(h.adopt_rc, GOMEM_OK);
  ck_assert_uint_eq(h.adopted.remote_pending, 0);
  ck_assert_uint_eq(h.adopted.total_free, 150);
  ck_assert_uint_eq(h.adopted.in_use, 200 + h.m_len);
  ck_assert_int_eq(h.drain_rc, 0);
  if (h.by == BY_READ_FD)
    ck_assert_int_eq(memcmp(h.m, "handed over", 11), 0);

  /* The old owner is refused now, and its frees are queued. */
  gomem_stats before = stats_of(s);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_malloc(s, 10));
  ck_assert_int_eq(errno, EPERM);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_borrow(s, 10));
  ck_assert_int_eq(errno, EPERM);
  ck_assert_int_eq(write(fds[1], "!", 1), 1); /* were it not refused, no wait */
  ck_assert_int_eq(gomem_scalable_read_fd(s, fds[0], 10, &ptr, &len), GOMEM_ERR_WRONG_THREAD);
  gomem_scalable_trim(s);
  ck_assert_int_eq(gomem_scalable_drain(s), GOMEM_ERR_WRONG_THREAD);
  ck_assert_int_eq(gomem_scalable_disown(s), GOMEM_ERR_WRONG_THREAD);
  st = stats_of(s);
  assert_stats_eq(&before, &st);
  ck_assert_int_eq(gomem_scalable_free(s, q, 200), GOMEM_OK);
  st = stats_of(s);
  ck_assert_uint_eq(st.remote_pending, 1);
  ck_assert_uint_eq(st.in_use, before.in_use);
  pthread_barrier_wait(&h.step);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  pthread_barrier_destroy(&h.step);

  /* The new owner applied it, freed its own piece and disowned. */
  ck_assert_int_eq(h.drained, 1);
  ck_assert_int_eq(h.free_rc, GOMEM_OK);
  ck_assert_uint_eq(h.done.in_use, 0);
  ck_assert_uint_eq(h.done.remote_pending, 0);
  ck_assert_uint_eq(h.done.remote_rejected, 0);
  ck_assert_uint_eq(h.done.total_free, 350 + h.m_len);
  ck_assert_int_eq(h.disown_rc, GOMEM_OK);
  ck_assert_int_eq(h.disown_again_rc, GOMEM_ERR_WRONG_THREAD);

  /* Back to the first thread, by its next allocating call. */
  char *x = malloc_ok(s, 10);
  ck_assert_int_eq(gomem_scalable_drain(s), 0);
  ck_assert_int_eq(gomem_scalable_free(s, x, 10), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, 0);
  close(fds[0]);
  close(fds[1]);
  gomem_scalable_destroy(s);
}
END_TEST

struct handover_in_read {
  gomem_scalable *s;
  pthread_barrier_t step;
};

/* Adopts the allocator with a malloc while a read's callback runs, and
 * keeps it until the read has returned. */
static void *adopt_during_read(void *arg)
{
  struct handover_in_read *h = arg;

  pthread_barrier_wait(&h->step); /* the callback disowned */
  void *p = gomem_scalable_malloc(h->s, 10);
  ck_assert_ptr_nonnull(p);
  ck_assert_int_eq(gomem_scalable_free(h->s, p, 10), GOMEM_OK);
  pthread_barrier_wait(&h->step); /* adopted */
  pthread_barrier_wait(&h->step); /* the read returned */
  ck_assert_int_eq(gomem_scalable_disown(h->s), GOMEM_OK);
  return NULL;
}

/* Reads 4 bytes of @p n, handing the allocator to another thread first. */
static ptrdiff_t read_after_handover(void *ctx, void *buf, size_t n)
{
  struct handover_in_read *h = ctx;

  ck_assert_uint_ge(n, 4);
  ck_assert_int_eq(gomem_scalable_disown(h->s), GOMEM_OK);
  pthread_barrier_wait(&h->step);
  pthread_barrier_wait(&h->step);
  memcpy(buf, "read", 4);
  return 4;
}

/* The unread tail of a read whose allocator another thread owns when the
 * callback returns is queued. Applied, it is given back but not counted
 * as freed: it was never counted as allocated. */
START_TEST(read_tail_queued_after_handover)
{
  struct handover_in_read h = {.s = gomem_scalable_new(4 * KiB)};
  gomem_scalable *s = h.s;
  pthread_t t;
  void *ptr;
  size_t len;

  ck_assert_int_eq(pthread_barrier_init(&h.step, NULL, 2), 0);
  ck_assert_int_eq(pthread_create(&t, NULL, adopt_during_read, &h), 0);
  ck_assert_int_eq(gomem_scalable_read_cb(s, read_after_handover, &h, 64, &ptr, &len), GOMEM_OK);
  ck_assert_uint_eq(len, 4);
  ck_assert_int_eq(memcmp(ptr, "read", 4), 0);
  ck_assert_uint_eq(stats_elsewhere(s).remote_pending, 1);
  pthread_barrier_wait(&h.step);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  pthread_barrier_destroy(&h.step);

  char *one = malloc_ok(s, 1); /* adopts, and applies the tail */
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.remote_pending, 0);
  ck_assert_uint_eq(st.remote_rejected, 0);
  ck_assert_uint_eq(st.total_malloc, 10 + 4 + 1);
  ck_assert_uint_eq(st.total_free, 10);
  ck_assert_uint_eq(st.in_use, 4 + 1);
  ck_assert_int_eq(gomem_scalable_free(s, one, 1), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, ptr, len), GOMEM_OK);
  st = stats_of(s);
  ck_assert_uint_eq(st.in_use, 0);
  ck_assert_uint_eq(st.total_free, st.total_malloc);
  gomem_scalable_destroy(s);
}
END_TEST

/* Only an owned allocator can be disowned; only known flags are taken. */
START_TEST(flags_and_disown_errors)
{
  gomem_scalable *s = new_shared(1 * KiB);

  ck_assert_int_eq(gomem_scalable_disown(s), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_disown(NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_drain(s), 0);
  gomem_scalable_destroy(s);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_new_ex(1 * KiB, GOMEM_STRATEGY_DEFAULT, 2));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_new_ex(1 * KiB, GOMEM_STRATEGY_DEFAULT,
                                           GOMEM_SCALABLE_SHARED | 0x80000000u));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_new_ex(0, GOMEM_STRATEGY_DEFAULT, GOMEM_SCALABLE_SHARED));
  ck_assert_int_eq(errno, EINVAL);
  s = gomem_scalable_new_ex(1 * KiB, GOMEM_STRATEGY_DEFAULT, 0);
  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(gomem_scalable_disown(s), GOMEM_OK);
  gomem_scalable_destroy(s); /* any thread, owned or not */
}
END_TEST

/* ---- chunk cache ---------------------------------------------------------- */

START_TEST(chunk_cache)
{
  (void)gomem_release_cached();
  ck_assert_uint_eq(gomem_cached_bytes(), 0);
  gomem_scalable *s = gomem_scalable_new(16 * KiB);
  gomem_scalable_destroy(s);
  if (!gomem_scalable_pooled()) {
    ck_assert_uint_eq(gomem_cached_bytes(), 0);
    return;
  }
  ck_assert_uint_eq(gomem_cached_bytes(), 16 * KiB);
  s = gomem_scalable_new(16 * KiB); /* takes it back */
  ck_assert_uint_eq(gomem_cached_bytes(), 0);
  gomem_scalable_destroy(s);
  /* Any size is kept, and only that size takes it. */
  s = gomem_scalable_new(3000);
  gomem_scalable_destroy(s);
  ck_assert_uint_eq(gomem_cached_bytes(), 16 * KiB + 3000);
  s = gomem_scalable_new(3001);
  gomem_scalable_destroy(s);
  ck_assert_uint_eq(gomem_cached_bytes(), 16 * KiB + 3000 + 3001);
  s = gomem_scalable_new(3000);
  ck_assert_uint_eq(gomem_cached_bytes(), 16 * KiB + 3001);
  gomem_scalable_destroy(s);
  ck_assert_uint_ge(gomem_release_cached(), 16 * KiB + 3000 + 3001);
  ck_assert_uint_eq(gomem_cached_bytes(), 0);
  /* Too small to be worth keeping. */
  s = gomem_scalable_new(1000);
  gomem_scalable_destroy(s);
  ck_assert_uint_eq(gomem_cached_bytes(), 0);
  /* Bounded. */
  gomem_scalable *many[100];
  for (int i = 0; i < 100; i++)
    many[i] = gomem_scalable_new(1 * KiB);
  for (int i = 0; i < 100; i++)
    gomem_scalable_destroy(many[i]);
  ck_assert_uint_le(gomem_cached_bytes(), GOMEM_CHUNK_CACHE_MAX);
  ck_assert_uint_lt(gomem_cached_bytes(), 100 * KiB);
  (void)gomem_release_cached();
}
END_TEST

/* @return how many of the pages of [p, p + len) are resident. */
static size_t resident_pages(const void *p, size_t len)
{
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = ((uintptr_t)p + page - 1) / page * page;
  uintptr_t end = ((uintptr_t)p + len) / page * page;
  unsigned char vec[64];
  size_t n = 0;

  ck_assert_uint_le((end - start) / page, sizeof(vec));
  ck_assert_int_eq(mincore((void *)start, end - start, vec), 0);
  for (size_t i = 0; i < (end - start) / page; i++)
    n += vec[i] & 1;
  return n;
}

/* A chunk that waits in the cache while others are released after it
 * gives its pages back but is still counted, and still reused. */
START_TEST(chunk_cache_gives_pages_back)
{
  if (!gomem_scalable_pooled())
    return;
  (void)gomem_release_cached();
  gomem_scalable *s = gomem_scalable_new(64 * KiB);
  unsigned char *p = malloc_ok(s, 64 * KiB); /* the whole chunk, touched */
  ck_assert_int_eq(gomem_scalable_free(s, p, 64 * KiB), GOMEM_OK);
  gomem_scalable_destroy(s);
  ck_assert_uint_eq(gomem_cached_bytes(), 64 * KiB);
  ck_assert_uint_ge(resident_pages(p, 64 * KiB), 64 * KiB / (size_t)sysconf(_SC_PAGESIZE) - 1);

  /* 4 MiB of newer chunks, of another size. */
  gomem_scalable *other[32];
  for (int i = 0; i < 32; i++) {
    other[i] = gomem_scalable_new(128 * KiB);
    void *q = malloc_ok(other[i], 128 * KiB);
    ck_assert_int_eq(gomem_scalable_free(other[i], q, 128 * KiB), GOMEM_OK);
  }
  for (int i = 0; i < 32; i++)
    gomem_scalable_destroy(other[i]);
  ck_assert_uint_eq(gomem_cached_bytes(), 64 * KiB + 32 * 128 * KiB);
  ck_assert_uint_eq(resident_pages(p, 64 * KiB), 0);

  /* Still reused, at the same address. */
  s = gomem_scalable_new(64 * KiB);
  unsigned char *again = malloc_ok(s, 64 * KiB);
  ck_assert_ptr_eq(again, p);
  ck_assert_uint_eq(gomem_cached_bytes(), 32 * 128 * KiB);
  ck_assert_int_eq(gomem_scalable_free(s, again, 64 * KiB), GOMEM_OK);
  gomem_scalable_destroy(s);
  ck_assert_uint_ge(gomem_release_cached(), 64 * KiB + 32 * 128 * KiB);
  ck_assert_uint_eq(gomem_cached_bytes(), 0);
}
END_TEST

/* The child of a fork finds the cache usable. */
START_TEST(chunk_cache_fork)
{
  gomem_scalable *s = gomem_scalable_new(16 * KiB);
  gomem_scalable_destroy(s);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    gomem_scalable *c = gomem_scalable_new(16 * KiB);
    void *p = c ? gomem_scalable_malloc(c, 100) : NULL;
    int ok = p && gomem_scalable_free(c, p, 100) == GOMEM_OK;
    gomem_scalable_destroy(c);
    (void)gomem_release_cached();
    _exit(ok && gomem_cached_bytes() == 0 ? 0 : 1);
  }
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  (void)gomem_release_cached();
}
END_TEST

/* ---- the fuzz target's model (fuzz/scalable-model.c) ----------------------------- */

/* fuzz-scalable's committed seeds, then random programs: owned and shared
 * allocators, every strategy of the build. Random programs ask for large
 * blocks often; their operations are few so that Valgrind takes seconds. */
START_TEST(fuzz_seeds)
{
  ck_assert_uint_gt(replay_corpus(FUZZ_CORPUS, scalable_model_run), 0);
}
END_TEST

START_TEST(fuzz_random)
{
  replay_random(scalable_model_run, 0x5ca1ab1e, 300, 4000);
}
END_TEST

/* ---- aligned allocation, caller regions, free statistics, JSON ------------------ */

static const gomem_strategy all_strategies[] = { GOMEM_STRATEGY_TREAP, GOMEM_STRATEGY_AVL,
                                                  GOMEM_STRATEGY_TLSF };

/* A scalable allocator with strategy number @p i, or NULL when this build
 * lacks it. */
static gomem_scalable *new_with_strategy(int i, size_t initial, unsigned flags)
{
  if (!gomem_strategy_available(all_strategies[i]))
    return NULL;
  gomem_scalable *s = gomem_scalable_new_ex(initial, all_strategies[i], flags);
  ck_assert_ptr_nonnull(s);
  return s;
}

/* Every power of two from 1 to 4096, plus alignments and sizes no chunk
 * holds: aligned, counted like malloc, given back by the ordinary free. */
static void every_alignment(gomem_scalable *s)
{
  unsigned char *first = malloc_ok(s, 64);

  unsigned char *second = gomem_scalable_malloc_aligned(s, 5, 64);

  /* The span starts 64-byte aligned: the piece follows the last one. */
  ck_assert_uint_eq((uintptr_t)second % 64, 0);
  if (gomem_scalable_pooled())
    ck_assert_ptr_eq(second, first + 64);
  for (size_t align = 1; align <= 4096; align *= 2) {
    for (size_t size = 1; size <= 3000; size += 999) {
      unsigned char *p = gomem_scalable_malloc_aligned(s, size, align);
      ck_assert_ptr_nonnull(p);
      ck_assert_uint_eq((uintptr_t)p % align, 0);
      memset(p, 0xc3, size);
      ck_assert_uint_eq(stats_of(s).in_use, 64 + 5 + size);
      ck_assert_int_eq(gomem_scalable_free(s, p, size), GOMEM_OK);
    }
  }
  static const size_t big[][2] = { { 100, 8 * MiB }, { 5 * MiB, 4096 }, { 3 * MiB, 2 * MiB } };
  for (size_t i = 0; i < 3; i++) {
    unsigned char *p = gomem_scalable_malloc_aligned(s, big[i][0], big[i][1]);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq((uintptr_t)p % big[i][1], 0);
    p[0] = p[big[i][0] - 1] = 1;
    /* Any part may go back first, as with malloc. */
    ck_assert_int_eq(gomem_scalable_free(s, p + 1, big[i][0] - 1), GOMEM_OK);
    ck_assert_int_eq(gomem_scalable_free(s, p, 1), GOMEM_OK);
  }
  /* Without pooling, the two pieces still live are system blocks. */
  ck_assert_uint_eq(stats_of(s).large_blocks, gomem_scalable_pooled() ? 0 : 2);
  ck_assert_int_eq(gomem_scalable_free(s, second, 5), GOMEM_OK);
  ck_assert_int_eq(gomem_scalable_free(s, first, 64), GOMEM_OK);
  ck_assert_uint_eq(stats_of(s).in_use, 0);
}

START_TEST(aligned_every_alignment)
{
  for (unsigned flags = 0; flags <= GOMEM_SCALABLE_SHARED; flags++) {
    gomem_scalable *s = new_with_strategy(_i, 4 * KiB, flags);
    if (!s)
      return;
    every_alignment(s);
    gomem_scalable_destroy(s);
  }
}
END_TEST

START_TEST(aligned_bad)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  void *p = malloc_ok(s, 10);
  gomem_stats before = stats_of(s);
  static const struct {
    size_t size, align;
    int err;
  } bad[] = {
    { 8, 0, EINVAL }, { 8, 3, EINVAL }, { 8, 24, EINVAL }, { 8, SIZE_MAX, EINVAL },
    { 0, 8, EINVAL }, { SIZE_MAX - 10, 64, ENOMEM },
  };

  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    errno = 0;
    ck_assert_ptr_null(gomem_scalable_malloc_aligned(s, bad[i].size, bad[i].align));
    ck_assert_int_eq(errno, bad[i].err);
  }
  errno = 0;
  ck_assert_ptr_null(gomem_scalable_malloc_aligned(NULL, 8, 8));
  ck_assert_int_eq(errno, EINVAL);
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  ck_assert_int_eq(gomem_scalable_free(s, p, 10), GOMEM_OK);
  gomem_scalable_destroy(s);
}
END_TEST

/* What another thread got from the new calls on an owned allocator. */
struct new_calls {
  gomem_scalable *s;
  void *aligned, *region;
  int aligned_errno, region_rc, stats_rc, json_rc;
};

static void *try_new_calls(void *arg)
{
  struct new_calls *r = arg;
  gomem_free_stats fs = { .struct_size = sizeof(fs) };
  char *json = NULL;

  errno = 0;
  r->aligned = gomem_scalable_malloc_aligned(r->s, 10, 64);
  r->aligned_errno = errno;
  r->region_rc = gomem_scalable_add_region(r->s, r->region, 4 * KiB);
  r->stats_rc = gomem_scalable_free_stats(r->s, &fs);
  r->json_rc = gomem_scalable_dump_json(r->s, &json, NULL);
  ck_assert(r->json_rc == GOMEM_OK ? json != NULL : json == NULL);
  gomem_json_free(json);
  return NULL;
}

START_TEST(new_calls_refused_elsewhere)
{
  static unsigned char region[4 * KiB];
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  struct new_calls r = { .s = s, .region = region };
  void *p = malloc_ok(s, 10);
  gomem_stats before = stats_of(s);

  run_elsewhere(try_new_calls, &r);
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  ck_assert_ptr_null(r.aligned);
  ck_assert_int_eq(r.aligned_errno, EPERM);
  ck_assert_int_eq(r.region_rc, gomem_scalable_pooled() ? GOMEM_ERR_WRONG_THREAD
                                                       : GOMEM_ERR_UNSUPPORTED);
  ck_assert_int_eq(r.stats_rc, GOMEM_ERR_WRONG_THREAD);
  ck_assert_int_eq(r.json_rc, GOMEM_ERR_WRONG_THREAD);
  /* Disowned, the first of them adopts it, like malloc. */
  ck_assert_int_eq(gomem_scalable_disown(s), GOMEM_OK);
  run_elsewhere(try_new_calls, &r);
  ck_assert_int_eq(r.json_rc, GOMEM_OK);
  ck_assert_ptr_nonnull(r.aligned);
  ck_assert_uint_eq((uintptr_t)r.aligned % 64, 0);
  ck_assert_int_eq(gomem_scalable_free(s, r.aligned, 10), GOMEM_OK); /* queued */
  ck_assert_int_eq(gomem_scalable_free(s, p, 10), GOMEM_OK);          /* queued */
  gomem_scalable_destroy(s);
}
END_TEST

enum { REGION = 64 * 1024 };
#define REGION_PATTERN 0x5a

struct piece {
  unsigned char *p;
  size_t n;
};

/* A scalable allocator over its first chunk and the caller's @p mem:
 * pieces land in the region once the chunk is full; the library writes
 * nothing else into it and releases it never (not when free, not at
 * trim, not at destroy, not to the chunk cache). */
static void scalable_region(unsigned char *mem)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  struct piece live[200];
  size_t nlive = 0, in_region = 0, cached = gomem_cached_bytes();

  memset(mem, REGION_PATTERN, REGION);
  if (!gomem_scalable_pooled()) {
    ck_assert_int_eq(gomem_scalable_add_region(s, mem, REGION), GOMEM_ERR_UNSUPPORTED);
    gomem_scalable_destroy(s);
    return;
  }
  ck_assert_int_eq(gomem_scalable_add_region(s, mem, REGION), GOMEM_OK);
  gomem_stats st = stats_of(s);
  ck_assert_uint_eq(st.chunks, 2);
  ck_assert_uint_eq(st.reserved, 4 * KiB);
  for (size_t i = 0; i < 60; i++) {
    size_t n = 100 + 37 * i;
    unsigned char *p = i % 3 ? gomem_scalable_malloc(s, n) : gomem_scalable_malloc_aligned(s, n, 256);
    ck_assert_ptr_nonnull(p);
    memset(p, 0xc3, n);
    in_region += p >= mem && p < mem + REGION;
    live[nlive++] = (struct piece){ p, n };
  }
  ck_assert_uint_gt(in_region, 10);
  /* Everything back, newest first then oldest first: the region stays. */
  for (size_t i = 0; i < nlive; i++) {
    struct piece *x = &live[i % 2 ? nlive - 1 - i / 2 : i / 2];
    memset(x->p, REGION_PATTERN, x->n);
    ck_assert_int_eq(gomem_scalable_free(s, x->p, x->n), GOMEM_OK);
  }
  gomem_scalable_trim(s);
  gomem_free_stats fs = { .struct_size = sizeof(fs) };
  ck_assert_int_eq(gomem_scalable_free_stats(s, &fs), GOMEM_OK);
  ck_assert_uint_ge(stats_of(s).chunks, 1);
  ck_assert_uint_ge(fs.largest_free, REGION);
  /* Overlaps with what the allocator manages are refused. */
  unsigned char *p = malloc_ok(s, 100);
  unsigned char *big = malloc_ok(s, 5 * MiB);
  gomem_stats before = stats_of(s);
  ck_assert_int_eq(gomem_scalable_add_region(s, mem, REGION), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_add_region(s, mem + REGION - 1, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_add_region(s, mem - 1, 2), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_add_region(s, p + 50, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_add_region(s, big + MiB, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_add_region(s, NULL, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_add_region(s, mem, 0), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_add_region(NULL, mem, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_add_region(s, (void *)(UINTPTR_MAX - 5), 10), GOMEM_ERR_INVALID);
  gomem_stats after = stats_of(s);
  assert_stats_eq(&before, &after);
  memset(p, REGION_PATTERN, p >= mem && p < mem + REGION ? 100 : 0);
  gomem_scalable_destroy(s);
  for (size_t i = 0; i < REGION; i++)
    if (mem[i] != REGION_PATTERN)
      ck_abort_msg("byte %zu of the caller's region changed", i);
  ck_assert_uint_le(gomem_cached_bytes(), cached + 4 * KiB + 64 * KiB);
}

START_TEST(add_region_stack)
{
  unsigned char mem[REGION];

  scalable_region(mem);
}
END_TEST

START_TEST(add_region_mmap)
{
  unsigned char *mem = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);

  ck_assert_ptr_ne(mem, MAP_FAILED);
  scalable_region(mem);
  ck_assert_int_eq(munmap(mem, REGION), 0);
}
END_TEST

/* ---- free statistics and JSON against a byte map per chunk ---------------------- */

struct chunk_map {
  uintptr_t base;
  size_t size;
};

struct chunk_list {
  struct chunk_map v[64];
  size_t n;
};

static void list_chunks(enum gomem__walk_kind kind, uintptr_t p, size_t len, void *ctx)
{
  struct chunk_list *l = ctx;

  if (kind != GOMEM__WALK_CHUNK)
    return;
  ck_assert_uint_lt(l->n, 64);
  l->v[l->n++] = (struct chunk_map){ p, len };
}

/* The expected free statistics and JSON: the chunks (only their bounds
 * come from the allocator) with the live pieces marked in a byte map. */
static void assert_report_matches(gomem_scalable *s, const struct piece *live, size_t nlive)
{
  struct chunk_list l = { .n = 0 };
  gomem_free_stats want = { .struct_size = sizeof(want) }, got = want;
  size_t cap = 1 << 16, n = 0;
  char *json = malloc(cap), *dump = NULL;
  size_t dump_len = 0;

  ck_assert_ptr_nonnull(json);
  ck_assert(gomem__scalable_claim(s));
  gomem__scalable_walk(s, list_chunks, &l);
  gomem__scalable_unclaim(s);
  n += (size_t)snprintf(json + n, cap - n, "{\"chunks\":[");
  for (size_t c = 0; c < l.n; c++) {
    unsigned char *used = calloc(l.v[c].size, 1);
    char runs[8192];
    size_t rn = 0, bytes = 0, blocks = 0, largest = 0;
    ck_assert_ptr_nonnull(used);
    for (size_t i = 0; i < nlive; i++)
      if ((uintptr_t)live[i].p - l.v[c].base < l.v[c].size)
        memset(used + ((uintptr_t)live[i].p - l.v[c].base), 1, live[i].n);
    runs[0] = '\0';
    for (size_t i = 0; i < l.v[c].size;) {
      size_t j = i;
      while (j < l.v[c].size && !used[j])
        j++;
      if (j > i) {
        rn += (size_t)snprintf(runs + rn, sizeof(runs) - rn, "%s[%zu,%zu]", blocks ? "," : "", i,
                               j - i);
        ck_assert_uint_lt(rn, sizeof(runs));
        bytes += j - i;
        blocks++;
        largest = j - i > largest ? j - i : largest;
        want.smallest_free = want.smallest_free == 0 || j - i < want.smallest_free
                               ? j - i
                               : want.smallest_free;
        i = j;
      } else {
        i++;
      }
    }
    want.free_bytes += bytes;
    want.free_blocks += blocks;
    want.largest_free = largest > want.largest_free ? largest : want.largest_free;
    n += (size_t)snprintf(json + n, cap - n,
                          "%s{\"size\":%zu,\"free_bytes\":%zu,\"free_blocks\":%zu,"
                          "\"largest_free\":%zu,\"free\":[%s]}",
                          c ? "," : "", l.v[c].size, bytes, blocks, largest, runs);
    free(used);
  }
  gomem_stats st = stats_of(s);
  n += (size_t)snprintf(json + n, cap - n,
                        "],\"large_blocks\":%" PRIu64 ",\"stats\":{\"total_malloc\":%" PRIu64
                        ",\"total_free\":%" PRIu64 ",\"in_use\":%" PRIu64 ",\"chunks\":%" PRIu64
                        ",\"reserved\":%" PRIu64 ",\"large_blocks\":%" PRIu64
                        ",\"remote_pending\":%" PRIu64 ",\"remote_rejected\":%" PRIu64 "}}",
                        st.large_blocks, st.total_malloc, st.total_free, st.in_use, st.chunks,
                        st.reserved, st.large_blocks, st.remote_pending, st.remote_rejected);
  ck_assert_uint_lt(n, cap);
  ck_assert_int_eq(gomem_scalable_free_stats(s, &got), GOMEM_OK);
  ck_assert_uint_eq(got.free_bytes, want.free_bytes);
  ck_assert_uint_eq(got.free_blocks, want.free_blocks);
  ck_assert_uint_eq(got.largest_free, want.largest_free);
  ck_assert_uint_eq(got.smallest_free, want.smallest_free);
  ck_assert_int_eq(gomem_scalable_dump_json(s, &dump, &dump_len), GOMEM_OK);
  ck_assert_str_eq(dump, json);
  ck_assert_uint_eq(dump_len, n);
  gomem_json_free(dump);
  free(json);
}

/* Random mallocs (aligned or not, now and then larger than a chunk) and
 * frees of whole pieces. */
START_TEST(free_stats_json_against_model)
{
  enum { OPS = 3000, MAXLIVE = 100 };
  gomem_scalable *s = new_with_strategy(_i, 4 * KiB, 0);
  if (!s)
    return;
  struct piece live[MAXLIVE];
  size_t nlive = 0;
  uint64_t rng = 0x57a75 + (uint64_t)_i;

  assert_report_matches(s, NULL, 0);
  for (int op = 0; op < OPS; op++) {
    if (nlive < MAXLIVE && (nlive == 0 || rng_below(&rng, 100) < 55)) {
      size_t n = rng_below(&rng, 200) == 0 ? 5 * MiB : 1 + rng_below(&rng, 3000);
      size_t align = rng_below(&rng, 2) ? 1 : (size_t)1 << rng_below(&rng, 13);
      unsigned char *p = gomem_scalable_malloc_aligned(s, n, align);
      ck_assert_ptr_nonnull(p);
      ck_assert_uint_eq((uintptr_t)p % align, 0);
      live[nlive++] = (struct piece){ p, n };
    } else {
      size_t k = rng_below(&rng, nlive);
      ck_assert_int_eq(gomem_scalable_free(s, live[k].p, live[k].n), GOMEM_OK);
      live[k] = live[--nlive];
    }
    if (op % 10 == 0)
      assert_report_matches(s, live, nlive);
  }
  assert_report_matches(s, live, nlive);
  gomem_scalable_destroy(s);
}
END_TEST

START_TEST(free_stats_bad)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  gomem_free_stats fs;
  char *json = (char *)&fs;

  memset(&fs, 0xab, sizeof(fs));
  fs.struct_size = 4;
  ck_assert_int_eq(gomem_scalable_free_stats(s, &fs), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(fs.free_bytes, UINT64_C(0xabababababababab));
  ck_assert_int_eq(gomem_scalable_free_stats(NULL, &fs), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_free_stats(s, NULL), GOMEM_ERR_INVALID);
  fs.struct_size = offsetof(gomem_free_stats, free_blocks);
  ck_assert_int_eq(gomem_scalable_free_stats(s, &fs), GOMEM_OK);
  ck_assert_uint_eq(fs.free_bytes, gomem_scalable_pooled() ? 4 * KiB : 0);
  ck_assert_uint_eq(fs.free_blocks, UINT64_C(0xabababababababab));
  ck_assert_int_eq(gomem_scalable_dump_json(NULL, &json, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_scalable_dump_json(s, NULL, NULL), GOMEM_ERR_INVALID);
  ck_assert_ptr_eq(json, (char *)&fs);
  gomem_scalable_destroy(s);
}
END_TEST

static Suite *scalable_suite(void)
{
  Suite *s = suite_create("scalable");
  TCase *core = tcase_create("core");
  TCase *random = tcase_create("random");
  TCase *span = tcase_create("span");
  TCase *threads = tcase_create("threads");
  TCase *ownership = tcase_create("ownership");

  tcase_add_test(core, new_and_stats);
  tcase_add_test(core, stats_struct_size);
  tcase_add_test(core, grow_from_1k);
  tcase_add_test(core, growth_capped_at_4m);
  tcase_add_test(core, growth_by_holdings);
  tcase_add_test(core, trim_before_grow);
  tcase_add_test(core, partial_free_readme);
  tcase_add_test(core, large_blocks);
  tcase_add_test(core, bad_input);
  tcase_add_test(core, double_free_codes);
  tcase_add_test(core, free_rest_and_borrow);
  tcase_add_test(core, read_fd);
  tcase_add_test(core, read_cb);
  tcase_add_test(core, many_chunks_lookup);
  tcase_add_test(core, chunk_cache);
  tcase_add_test(core, chunk_cache_gives_pages_back);
  tcase_add_test(core, chunk_cache_fork);
  tcase_add_loop_test(core, aligned_every_alignment, 0, 3);
  tcase_add_test(core, aligned_bad);
  tcase_add_test(core, add_region_stack);
  tcase_add_test(core, add_region_mmap);
  tcase_add_test(core, free_stats_bad);
  tcase_add_loop_test(random, free_stats_json_against_model, 0, 3);
  tcase_set_timeout(random, 240);
  tcase_add_loop_test(random, random_against_model, 0, 2);
  tcase_add_loop_test(random, random_parts_against_bitmap, 0, 3);
  tcase_add_test(random, fuzz_seeds);
  tcase_add_test(random, fuzz_random);
  tcase_add_test(span, span_refuses_double_free);
  tcase_add_test(span, span_fifo_then_lifo);
  tcase_add_test(span, span_frees_release_chunk);
  tcase_add_test(span, span_borrow_is_next_malloc);
  tcase_add_loop_test(span, span_free_across_empty_part, 0, 2);
  tcase_set_timeout(threads, 240);
  tcase_add_test(threads, remote_frees);
  tcase_add_test(threads, queued_frees);
  tcase_add_test(threads, allocating_call_waits);
  tcase_add_test(threads, handed_between_threads);
  tcase_add_test(threads, allocating_at_once);
  tcase_add_test(threads, callback_reenters);
  tcase_set_timeout(ownership, 240);
  tcase_add_test(ownership, owned_refuses_other_threads);
  tcase_add_test(ownership, owned_remote_frees_applied_by_next_call);
  tcase_add_test(ownership, owned_queued_frees_checked);
  tcase_add_loop_test(ownership, handover, BY_MALLOC, BY_READ_FD + 1);
  tcase_add_test(ownership, flags_and_disown_errors);
  tcase_add_test(ownership, read_tail_queued_after_handover);
  tcase_add_test(ownership, new_calls_refused_elsewhere);
  suite_add_tcase(s, core);
  suite_add_tcase(s, random);
  suite_add_tcase(s, span);
  suite_add_tcase(s, threads);
  suite_add_tcase(s, ownership);
  return s;
}

int main(void)
{
  return run_suite(scalable_suite());
}
