/* SPDX-License-Identifier: MIT */
/* Check suite 'buddy': gomem_buddy through the public API, and its
 * bookkeeping through the internal gomem__buddy_check. */
#include <gomem/gomem.h>

#include "buddy-internal.h"
#include "rng.h"
#include "run-suite.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)

/* ---- helpers ------------------------------------------------------------ */

static size_t alloc_ok(gomem_buddy *b, size_t size)
{
  size_t off = SIZE_MAX;

  ck_assert_int_eq(gomem_buddy_alloc(b, size, &off), GOMEM_OK);
  return off;
}

/*
 * Assert that @p a and @p b behave the same: equal free size and largest
 * block, and the same offset for a probe of every block size. A probe is
 * undone at once (alloc then free restores a buddy pool exactly), so this
 * changes neither pool.
 */
static void assert_same_state(gomem_buddy *a, gomem_buddy *b)
{
  ck_assert_uint_eq(gomem_buddy_free_size(a), gomem_buddy_free_size(b));
  ck_assert_uint_eq(gomem_buddy_max_alloc(a), gomem_buddy_max_alloc(b));
  for (size_t size = gomem_buddy_min_block(a); size <= gomem_buddy_size(a); size *= 2) {
    size_t oa = 1, ob = 2;
    int ra = gomem_buddy_alloc(a, size, &oa);
    int rb = gomem_buddy_alloc(b, size, &ob);

    ck_assert_int_eq(ra, rb);
    if (ra != GOMEM_OK)
      continue;
    ck_assert_uint_eq(oa, ob);
    ck_assert_int_eq(gomem_buddy_free(a, oa), GOMEM_OK);
    ck_assert_int_eq(gomem_buddy_free(b, ob), GOMEM_OK);
  }
}

/* ---- construction --------------------------------------------------------- */

static void assert_new_fails(size_t total, size_t min_block, int err)
{
  errno = 0;
  ck_assert_ptr_null(gomem_buddy_new(total, min_block));
  ck_assert_int_eq(errno, err);
}

START_TEST(new_rejects_bad_sizes)
{
  assert_new_fails(0, 1024, EINVAL);
  assert_new_fails(64 * KiB, 0, EINVAL);
  assert_new_fails(64 * KiB + 1, 1024, EINVAL);
  assert_new_fails(48 * KiB, 1024, EINVAL);
  assert_new_fails(64 * KiB, 1000, EINVAL);
  assert_new_fails(64 * KiB, 8, EINVAL);                 /* below the limit */
  assert_new_fails(1024, 2048, EINVAL);                  /* min > total */
  assert_new_fails(SIZE_MAX, 1024, EINVAL);
  assert_new_fails((size_t)1 << 62, 16, ENOMEM);         /* 2^58 units */
}
END_TEST

START_TEST(new_accepts_edges)
{
  gomem_buddy *one = gomem_buddy_new(GOMEM_BUDDY_MIN_BLOCK_LIMIT, GOMEM_BUDDY_MIN_BLOCK_LIMIT);
  ck_assert_ptr_nonnull(one);
  ck_assert_uint_eq(alloc_ok(one, 1), 0);
  size_t off = 7;
  ck_assert_int_eq(gomem_buddy_alloc(one, 1, &off), GOMEM_ERR_NOMEM);
  ck_assert_uint_eq(off, 7);
  ck_assert_int_eq(gomem_buddy_free(one, 0), GOMEM_OK);
  ck_assert_uint_eq(gomem_buddy_free_size(one), GOMEM_BUDDY_MIN_BLOCK_LIMIT);
  gomem_buddy_destroy(one);

  /* Go's pool: 512 MiB of 1 KiB units costs address space, not memory. */
  gomem_buddy *go = gomem_buddy_new(512 * MiB, KiB);
  ck_assert_ptr_nonnull(go);
  ck_assert_uint_eq(alloc_ok(go, MiB), 0);
  ck_assert_uint_eq(alloc_ok(go, 1000 * KiB), MiB);
  ck_assert_uint_eq(gomem_buddy_free_size(go), 510 * MiB);
  gomem_buddy_destroy(go);
}
END_TEST

START_TEST(accessors_and_null)
{
  gomem_buddy *b = gomem_buddy_new(64 * KiB, KiB);

  ck_assert_ptr_nonnull(b);
  ck_assert_ptr_nonnull(gomem_buddy_base(b));
  ck_assert_uint_eq(gomem_buddy_size(b), 64 * KiB);
  ck_assert_uint_eq(gomem_buddy_min_block(b), KiB);
  ck_assert_uint_eq(gomem_buddy_free_size(b), 64 * KiB);
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), 64 * KiB);
  gomem_buddy_destroy(b);

  size_t v = 5;
  ck_assert_ptr_null(gomem_buddy_base(NULL));
  ck_assert_uint_eq(gomem_buddy_size(NULL), 0);
  ck_assert_uint_eq(gomem_buddy_min_block(NULL), 0);
  ck_assert_uint_eq(gomem_buddy_free_size(NULL), 0);
  ck_assert_uint_eq(gomem_buddy_max_alloc(NULL), 0);
  ck_assert_uint_eq(gomem_buddy_trim(NULL), 0);
  ck_assert_int_eq(gomem_buddy_alloc(NULL, 1, &v), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_buddy_free(NULL, 0), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_buddy_block_size(NULL, 0, &v), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(v, 5);
  gomem_buddy_destroy(NULL);
}
END_TEST

START_TEST(base_alignment)
{
  static const size_t totals[] = {4 * KiB, 64 * KiB, 2 * MiB, 64 * MiB};

  for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
    gomem_buddy *b = gomem_buddy_new(totals[i], 64);
    size_t align = totals[i] < 2 * MiB ? totals[i] : 2 * MiB;

    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq((uintptr_t)gomem_buddy_base(b) % align, 0);
    gomem_buddy_destroy(b);
  }
}
END_TEST

/* ---- allocation policy ------------------------------------------------------ */

struct step {
  size_t size;
  size_t offset;     /* expected */
  size_t block;      /* expected rounded size */
};

START_TEST(exact_offsets)
{
  /* 64 KiB of 1 KiB units: the smallest free block that fits, lowest
   * offset first, splitting keeps the lower half. */
  static const struct step steps[] = {
    {1000, 0, 1 * KiB},       /* splits 64 -> 32 -> ... -> 1 */
    {1500, 2 * KiB, 2 * KiB}, /* the free 2 KiB buddy of [0,2K) */
    {1024, 1 * KiB, 1 * KiB}, /* the free 1 KiB buddy of [0,1K) */
    {3000, 4 * KiB, 4 * KiB},
    {100, 8 * KiB, 1 * KiB},  /* splits [8K,16K) */
    {5000, 16 * KiB, 8 * KiB},
    {1, 9 * KiB, 1 * KiB},    /* a left-over half, not a new split */
    {2048, 10 * KiB, 2 * KiB},
    {4096, 12 * KiB, 4 * KiB},
    {16384, 32 * KiB, 16 * KiB},
    {8193, 48 * KiB, 16 * KiB},
    {1, 24 * KiB, 1 * KiB},
  };
  gomem_buddy *b = gomem_buddy_new(64 * KiB, KiB);
  size_t used = 0;

  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    size_t off = alloc_ok(b, steps[i].size), block = 0;

    ck_assert_uint_eq(off, steps[i].offset);
    ck_assert_int_eq(gomem_buddy_block_size(b, off, &block), GOMEM_OK);
    ck_assert_uint_eq(block, steps[i].block);
    used += block;
    ck_assert_uint_eq(gomem_buddy_free_size(b), 64 * KiB - used);
  }
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), 4 * KiB); /* [28K,32K) */
  gomem_buddy_destroy(b);
}
END_TEST

START_TEST(rounding)
{
  gomem_buddy *b = gomem_buddy_new(MiB, 64);
  static const size_t sizes[][2] = {
    {1, 64}, {63, 64}, {64, 64}, {65, 128}, {128, 128}, {129, 256},
    {1000, 1024}, {1024, 1024}, {1025, 2048}, {300000, 512 * KiB},
    {MiB - 1, MiB}, {MiB, MiB},
  };

  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    size_t off = alloc_ok(b, sizes[i][0]), block = 0;

    ck_assert_int_eq(gomem_buddy_block_size(b, off, &block), GOMEM_OK);
    ck_assert_uint_eq(block, sizes[i][1]);
    ck_assert_uint_eq(off % block, 0);
    ck_assert_uint_eq(gomem_buddy_free_size(b), MiB - block);
    ck_assert_int_eq(gomem_buddy_free(b, off), GOMEM_OK);
    ck_assert_uint_eq(gomem_buddy_free_size(b), MiB);
  }
  gomem_buddy_destroy(b);
}
END_TEST

START_TEST(split_and_merge)
{
  gomem_buddy *b = gomem_buddy_new(64 * KiB, KiB);
  size_t offs[64];
  uint64_t seed = 42;

  for (size_t i = 0; i < 64; i++) {
    offs[i] = alloc_ok(b, KiB);
    ck_assert_uint_eq(offs[i], i * KiB); /* fills in address order */
  }
  ck_assert_uint_eq(gomem_buddy_free_size(b), 0);
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), 0);

  /* Free in a random order: the last free re-forms the whole region. */
  for (size_t i = 63; i > 0; i--) {
    size_t j = rng_below(&seed, i + 1), t = offs[i];
    offs[i] = offs[j];
    offs[j] = t;
  }
  for (size_t i = 0; i < 64; i++) {
    ck_assert_int_eq(gomem_buddy_max_alloc(b) < 64 * KiB, 1);
    ck_assert_int_eq(gomem_buddy_free(b, offs[i]), GOMEM_OK);
  }
  ck_assert_uint_eq(gomem_buddy_free_size(b), 64 * KiB);
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), 64 * KiB);
  ck_assert_uint_eq(alloc_ok(b, 64 * KiB), 0);
  ck_assert_int_eq(gomem_buddy_free(b, 0), GOMEM_OK);

  /* Buddies merge only with each other: [0,1K) and [1K,2K) make [0,2K),
   * but [1K,2K) and [2K,3K) are not buddies. */
  ck_assert_uint_eq(alloc_ok(b, KiB), 0);
  ck_assert_uint_eq(alloc_ok(b, KiB), KiB);
  ck_assert_uint_eq(alloc_ok(b, KiB), 2 * KiB);
  ck_assert_uint_eq(alloc_ok(b, KiB), 3 * KiB);
  ck_assert_int_eq(gomem_buddy_free(b, KiB), GOMEM_OK);
  ck_assert_int_eq(gomem_buddy_free(b, 2 * KiB), GOMEM_OK);
  ck_assert_uint_eq(alloc_ok(b, 2 * KiB), 4 * KiB); /* no 2 KiB hole at 1K */
  ck_assert_int_eq(gomem_buddy_free(b, 0), GOMEM_OK);
  ck_assert_uint_eq(alloc_ok(b, 2 * KiB), 0);        /* [0,2K) re-formed */
  gomem_buddy_destroy(b);
}
END_TEST

START_TEST(exhaustion)
{
  gomem_buddy *b = gomem_buddy_new(16 * KiB, KiB);
  gomem_buddy *twin = gomem_buddy_new(16 * KiB, KiB);

  ck_assert_uint_eq(alloc_ok(b, 8 * KiB), 0);
  ck_assert_uint_eq(alloc_ok(b, 5 * KiB), 8 * KiB);
  ck_assert_uint_eq(alloc_ok(twin, 8 * KiB), 0);
  ck_assert_uint_eq(alloc_ok(twin, 5 * KiB), 8 * KiB);

  size_t off = 99;
  ck_assert_int_eq(gomem_buddy_alloc(b, 1, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_buddy_alloc(b, 16 * KiB, &off), GOMEM_ERR_NOMEM);
  ck_assert_uint_eq(off, 99);
  assert_same_state(b, twin);

  ck_assert_int_eq(gomem_buddy_free(b, 8 * KiB), GOMEM_OK);
  ck_assert_uint_eq(alloc_ok(b, 1), 8 * KiB);
  gomem_buddy_destroy(b);
  gomem_buddy_destroy(twin);
}
END_TEST

/* ---- bad input leaves the pool as it was --------------------------------- */

START_TEST(bad_input_changes_nothing)
{
  gomem_buddy *b = gomem_buddy_new(64 * KiB, KiB);
  gomem_buddy *twin = gomem_buddy_new(64 * KiB, KiB);
  size_t off = 123, size = 456;

  /* The same live set in both: [0,1K), [2K,4K), [8K,16K). */
  static const size_t live[] = {KiB, 2 * KiB, 8 * KiB};
  for (size_t i = 0; i < 3; i++) {
    alloc_ok(b, live[i]);
    alloc_ok(twin, live[i]);
  }
  ck_assert_uint_eq(gomem_buddy_free_size(b), 53 * KiB);

  ck_assert_int_eq(gomem_buddy_alloc(b, 1, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_buddy_alloc(b, 0, &off), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_buddy_alloc(b, 64 * KiB + 1, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_buddy_alloc(b, SIZE_MAX, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_buddy_alloc(b, SIZE_MAX / 2 + 2, &off), GOMEM_ERR_NOMEM);
  ck_assert_uint_eq(off, 123);

  static const size_t bad_offsets[] = {
    1, 512, KiB + 1,          /* not a multiple of min_block */
    64 * KiB, 128 * KiB,      /* past the end */
    SIZE_MAX, SIZE_MAX - 1023,
    KiB,                      /* free */
    3 * KiB,                  /* inside [2K,4K) */
    9 * KiB, 12 * KiB,        /* inside [8K,16K) */
    16 * KiB, 32 * KiB,       /* free */
  };
  for (size_t i = 0; i < sizeof(bad_offsets) / sizeof(bad_offsets[0]); i++) {
    ck_assert_int_eq(gomem_buddy_free(b, bad_offsets[i]), GOMEM_ERR_INVALID);
    ck_assert_int_eq(gomem_buddy_block_size(b, bad_offsets[i], &size), GOMEM_ERR_INVALID);
  }
  ck_assert_int_eq(gomem_buddy_block_size(b, 0, NULL), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(size, 456);
  assert_same_state(b, twin);

  /* Double free: the second one fails and changes nothing. */
  ck_assert_int_eq(gomem_buddy_free(b, 2 * KiB), GOMEM_OK);
  ck_assert_int_eq(gomem_buddy_free(twin, 2 * KiB), GOMEM_OK);
  ck_assert_int_eq(gomem_buddy_free(b, 2 * KiB), GOMEM_ERR_INVALID);
  assert_same_state(b, twin);

  /* A block re-formed by merging is not live: freeing its start fails. */
  ck_assert_int_eq(gomem_buddy_free(b, 0), GOMEM_OK);
  ck_assert_int_eq(gomem_buddy_free(twin, 0), GOMEM_OK);
  ck_assert_int_eq(gomem_buddy_free(b, 0), GOMEM_ERR_INVALID);
  assert_same_state(b, twin);
  ck_assert_uint_eq(gomem_buddy_free_size(b), 56 * KiB);

  gomem_buddy_destroy(b);
  gomem_buddy_destroy(twin);
}
END_TEST

/* ---- randomized differential test against a unit map ------------------------- */

#define MODEL_UNITS 256
#define MODEL_MIN 64

struct model {
  int owner[MODEL_UNITS];  /* 0 = free, else 1 + index in live[] */
  size_t live_off[MODEL_UNITS];
  size_t live_len[MODEL_UNITS];
  size_t nlive;
  size_t free_units;
};

static bool region_free(const struct model *m, size_t u, size_t n)
{
  for (size_t i = u; i < u + n; i++) {
    if (m->owner[i])
      return false;
  }
  return true;
}

/* Where the pool must put a block of @p n units (a power of two): a free
 * buddy block is an aligned, wholly free region whose parent region is not
 * wholly free; take the smallest size >= n, lowest offset. SIZE_MAX: none. */
static size_t model_expect(const struct model *m, size_t n)
{
  for (size_t s = n; s <= MODEL_UNITS; s *= 2) {
    for (size_t u = 0; u < MODEL_UNITS; u += s) {
      if (!region_free(m, u, s))
        continue;
      if (s == MODEL_UNITS || !region_free(m, u & ~(2 * s - 1), 2 * s))
        return u;
    }
  }
  return SIZE_MAX;
}

static size_t units_for(size_t bytes)
{
  size_t units = (bytes + MODEL_MIN - 1) / MODEL_MIN, n = 1;

  while (n < units)
    n *= 2;
  return n;
}

static void model_alloc(struct model *m, gomem_buddy *b, size_t bytes)
{
  size_t n = units_for(bytes), expect = model_expect(m, n), off = SIZE_MAX;
  int rc = gomem_buddy_alloc(b, bytes, &off);

  if (expect == SIZE_MAX) {
    ck_assert_int_eq(rc, GOMEM_ERR_NOMEM);
    return;
  }
  ck_assert_int_eq(rc, GOMEM_OK);
  ck_assert_uint_eq(off, expect * MODEL_MIN);
  ck_assert(region_free(m, expect, n)); /* no overlap with a live block */
  m->live_off[m->nlive] = expect;
  m->live_len[m->nlive] = n;
  m->nlive++;
  for (size_t i = expect; i < expect + n; i++)
    m->owner[i] = (int)m->nlive;
  m->free_units -= n;
}

static void model_free(struct model *m, gomem_buddy *b, size_t k)
{
  size_t u = m->live_off[k], n = m->live_len[k], size = 0;

  ck_assert_int_eq(gomem_buddy_block_size(b, u * MODEL_MIN, &size), GOMEM_OK);
  ck_assert_uint_eq(size, n * MODEL_MIN);
  ck_assert_int_eq(gomem_buddy_free(b, u * MODEL_MIN), GOMEM_OK);
  for (size_t i = u; i < u + n; i++)
    m->owner[i] = 0;
  m->free_units += n;

  /* Move the last live block into slot k. */
  m->nlive--;
  if (k == m->nlive)
    return;
  m->live_off[k] = m->live_off[m->nlive];
  m->live_len[k] = m->live_len[m->nlive];
  for (size_t i = m->live_off[k]; i < m->live_off[k] + m->live_len[k]; i++)
    m->owner[i] = (int)k + 1;
}

/* A random offset that is not a live block's start must be refused. */
static void model_bad_free(const struct model *m, gomem_buddy *b, uint64_t *seed)
{
  size_t off = rng_below(seed, MODEL_UNITS * MODEL_MIN + 64);

  if (off % MODEL_MIN == 0 && off < MODEL_UNITS * MODEL_MIN) {
    size_t u = off / MODEL_MIN;
    if (m->owner[u] && m->live_off[m->owner[u] - 1] == u)
      return; /* a live start: freeing it would be legal */
  }
  ck_assert_int_eq(gomem_buddy_free(b, off), GOMEM_ERR_INVALID);
}

START_TEST(differential_random)
{
  static struct model m;
  gomem_buddy *b = gomem_buddy_new(MODEL_UNITS * MODEL_MIN, MODEL_MIN);
  uint64_t seed = 0x9E3779B97F4A7C15ULL;

  memset(&m, 0, sizeof(m));
  m.free_units = MODEL_UNITS;
  for (long op = 0; op < 120000; op++) {
    size_t r = rng_below(&seed, 100);

    if (r < 50) {
      /* Log-uniform sizes from 1 byte to a quarter of the pool. */
      size_t shift = rng_below(&seed, 13);
      model_alloc(&m, b, 1 + rng_below(&seed, (size_t)1 << shift));
    } else if (r < 95 && m.nlive > 0) {
      model_free(&m, b, rng_below(&seed, m.nlive));
    } else {
      model_bad_free(&m, b, &seed);
    }
    ck_assert_uint_eq(gomem_buddy_free_size(b), m.free_units * MODEL_MIN);
  }
  while (m.nlive > 0)
    model_free(&m, b, m.nlive - 1);
  ck_assert_uint_eq(alloc_ok(b, MODEL_UNITS * MODEL_MIN), 0);
  gomem_buddy_destroy(b);
}
END_TEST

/* ---- threads ----------------------------------------------------------------- */

#define THREADS 4
#define THREAD_OPS 4000
#define THREAD_LIVE 16

struct worker {
  gomem_buddy *b;
  unsigned id;
  int failures;
};

static unsigned char pattern_byte(unsigned id, size_t off)
{
  return (unsigned char)(id * 31 + (off >> 6));
}

static bool check_pattern(const unsigned char *p, size_t len, unsigned char v)
{
  for (size_t i = 0; i < len; i++) {
    if (p[i] != v)
      return false;
  }
  return true;
}

static void *worker_run(void *arg)
{
  struct worker *w = arg;
  unsigned char *base = gomem_buddy_base(w->b);
  size_t offs[THREAD_LIVE], lens[THREAD_LIVE], n = 0;
  uint64_t seed = 1000 + w->id;

  for (int op = 0; op < THREAD_OPS; op++) {
    if (n < THREAD_LIVE && (n == 0 || rng_below(&seed, 2))) {
      size_t len = 1 + rng_below(&seed, 4 * KiB), off;
      if (gomem_buddy_alloc(w->b, len, &off) != GOMEM_OK)
        continue; /* full for now: other threads will free */
      memset(base + off, pattern_byte(w->id, off), len);
      offs[n] = off;
      lens[n++] = len;
      continue;
    }
    size_t k = rng_below(&seed, n);
    if (!check_pattern(base + offs[k], lens[k], pattern_byte(w->id, offs[k])))
      w->failures++;
    if (gomem_buddy_free(w->b, offs[k]) != GOMEM_OK)
      w->failures++;
    offs[k] = offs[--n];
    lens[k] = lens[n];
  }
  while (n > 0) {
    n--;
    if (!check_pattern(base + offs[n], lens[n], pattern_byte(w->id, offs[n])))
      w->failures++;
    if (gomem_buddy_free(w->b, offs[n]) != GOMEM_OK)
      w->failures++;
  }
  return NULL;
}

/* Run THREADS workers on @p b and wait for them; none may fail. */
static void run_workers(gomem_buddy *b)
{
  pthread_t tid[THREADS];
  struct worker w[THREADS];

  for (unsigned i = 0; i < THREADS; i++) {
    w[i] = (struct worker){.b = b, .id = i + 1};
    ck_assert_int_eq(pthread_create(&tid[i], NULL, worker_run, &w[i]), 0);
  }
  for (unsigned i = 0; i < THREADS; i++) {
    ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
    ck_assert_int_eq(w[i].failures, 0);
  }
}

START_TEST(threads_share_a_pool)
{
  gomem_buddy *b = gomem_buddy_new(256 * KiB, 64);

  run_workers(b);
  ck_assert_uint_eq(gomem_buddy_free_size(b), 256 * KiB);
  ck_assert_uint_eq(alloc_ok(b, 256 * KiB), 0);
  gomem_buddy_destroy(b);
}
END_TEST

/* ---- trim ---------------------------------------------------------------------- */

START_TEST(trim_releases_free_blocks_only)
{
  gomem_buddy *b = gomem_buddy_new(MiB, KiB);
  unsigned char *base = gomem_buddy_base(b);

  size_t keep = alloc_ok(b, 64 * KiB);   /* [0,64K) */
  size_t gone = alloc_ok(b, 64 * KiB);   /* [64K,128K) */
  size_t tiny = alloc_ok(b, KiB);        /* [128K,129K) */
  memset(base + keep, 0xAB, 64 * KiB);
  memset(base + gone, 0xCD, 64 * KiB);
  memset(base + tiny, 0xEF, KiB);
  ck_assert_int_eq(gomem_buddy_free(b, gone), GOMEM_OK);

  /* Free blocks: 64K at 64K, and the halves left over from splitting
   * [128K, 1M) down to 1 KiB; those smaller than a page are skipped. */
  size_t trimmed = gomem_buddy_trim(b);
  ck_assert_uint_ge(trimmed, 64 * KiB + 512 * KiB + 256 * KiB);
  ck_assert_uint_le(trimmed, gomem_buddy_free_size(b));
  ck_assert(check_pattern(base + keep, 64 * KiB, 0xAB));
  ck_assert(check_pattern(base + tiny, KiB, 0xEF));
  ck_assert(check_pattern(base + gone, 64 * KiB, 0)); /* dropped pages read 0 */
  ck_assert_uint_eq(gomem_buddy_free_size(b), MiB - 64 * KiB - KiB);

  ck_assert_int_eq(gomem_buddy_free(b, keep), GOMEM_OK);
  ck_assert_int_eq(gomem_buddy_free(b, tiny), GOMEM_OK);
  ck_assert_uint_eq(gomem_buddy_trim(b), MiB);
  gomem_buddy_destroy(b);
}
END_TEST

/* ---- the pending split, step by step ---------------------------------------------- */

/* Allocate @p size, expect @p offset, and check the bookkeeping. */
static size_t alloc_at(gomem_buddy *b, size_t size, size_t offset)
{
  size_t off = alloc_ok(b, size);

  ck_assert_uint_eq(off, offset);
  ck_assert_int_eq(gomem__buddy_check(b), 0);
  return off;
}

static void free_ok(gomem_buddy *b, size_t offset)
{
  ck_assert_int_eq(gomem_buddy_free(b, offset), GOMEM_OK);
  ck_assert_int_eq(gomem__buddy_check(b), 0);
}

START_TEST(pending_split_merges_back)
{
  gomem_buddy *b = gomem_buddy_new(64 * KiB, KiB);

  /* Split 64K down to 1K: the halves 1K..32K stay free. */
  alloc_at(b, KiB, 0);
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), 32 * KiB);
  ck_assert_uint_eq(gomem_buddy_free_size(b), 63 * KiB);
  free_ok(b, 0); /* merges with every one of them */
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), 64 * KiB);
  ck_assert_int_eq(gomem_buddy_free(b, 0), GOMEM_ERR_INVALID);

  /* Take the halves lowest size first, then give everything back. */
  alloc_at(b, 4 * KiB, 0);
  alloc_at(b, 4 * KiB, 4 * KiB);
  alloc_at(b, 8 * KiB, 8 * KiB);
  alloc_at(b, 32 * KiB, 32 * KiB);
  alloc_at(b, 16 * KiB, 16 * KiB);
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), 0);
  free_ok(b, 16 * KiB);
  free_ok(b, 0);
  free_ok(b, 8 * KiB);
  free_ok(b, 32 * KiB);
  free_ok(b, 4 * KiB);
  alloc_at(b, 64 * KiB, 0);
  gomem_buddy_destroy(b);
}
END_TEST

START_TEST(pending_split_against_bitmaps)
{
  gomem_buddy *b = gomem_buddy_new(128 * KiB, KiB);

  alloc_at(b, 16 * KiB, 0);       /* halves 16K, 32K, 64K */
  alloc_at(b, 16 * KiB, 16 * KiB);
  alloc_at(b, 32 * KiB, 32 * KiB);
  alloc_at(b, KiB, 64 * KiB);     /* splits 64K: halves 65K .. 96K */
  free_ok(b, 0);                  /* [0,16K) free, its buddy is live */

  /* Both a recorded 16K block (0) and a half of the split (80K): the
   * lower offset wins, and the split's halves stay as they were. */
  alloc_at(b, 16 * KiB, 0);
  free_ok(b, 0);
  /* 8K: only the split has one (72K), in the middle of its halves. */
  alloc_at(b, 8 * KiB, 72 * KiB);
  alloc_at(b, KiB, 65 * KiB);
  alloc_at(b, 2 * KiB, 66 * KiB);
  alloc_at(b, 16 * KiB, 0);
  alloc_at(b, 16 * KiB, 80 * KiB);
  alloc_at(b, 4 * KiB, 68 * KiB);
  alloc_at(b, 32 * KiB, 96 * KiB);
  ck_assert_uint_eq(gomem_buddy_free_size(b), 0);

  /* A split whose halves are lower than a recorded block of their size. */
  free_ok(b, 96 * KiB);           /* 32K at 96K, buddy live */
  free_ok(b, 32 * KiB);           /* 32K at 32K, buddy live */
  alloc_at(b, KiB, 32 * KiB);     /* splits 32K: halves 33K .. 48K */
  alloc_at(b, 16 * KiB, 48 * KiB);
  free_ok(b, 80 * KiB);           /* 16K at 80K, buddy split */
  alloc_at(b, 16 * KiB, 80 * KiB);
  alloc_at(b, 8 * KiB, 40 * KiB);
  ck_assert_uint_gt(gomem_buddy_trim(b), 0);
  ck_assert_int_eq(gomem__buddy_check(b), 0);

  static const size_t live[] = {0, 16 * KiB, 32 * KiB, 40 * KiB, 48 * KiB, 64 * KiB,
                                65 * KiB, 66 * KiB, 68 * KiB, 72 * KiB, 80 * KiB};
  for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
    free_ok(b, live[i]);
  ck_assert_uint_eq(gomem_buddy_free_size(b), 128 * KiB);
  alloc_at(b, 128 * KiB, 0);
  gomem_buddy_destroy(b);
}
END_TEST

/* @return the number of bits of @p total's log2 (1 + log2). */
static unsigned size_bits(size_t total)
{
  unsigned n = 0;

  while (total >> n)
    n++;
  return n;
}

/* Drop @p off from the @p n offsets in @p offs; it must be there. */
static void forget(size_t *offs, size_t *n, size_t off)
{
  for (size_t k = 0; k < *n; k++) {
    if (offs[k] == off) {
      offs[k] = offs[--*n];
      return;
    }
  }
  ck_abort_msg("freed %zu, which was not allocated", off);
}

/* Random allocs, frees, bad frees and trims on one pool, checking the
 * whole bookkeeping after every call. */
static void random_checked(size_t total, size_t min_block, long ops, uint64_t seed)
{
  gomem_buddy *b = gomem_buddy_new(total, min_block);
  size_t offs[512], n = 0;

  ck_assert_ptr_nonnull(b);
  for (long op = 0; op < ops; op++) {
    size_t r = rng_below(&seed, 100), off;

    if (r < 50 && n < 512) {
      size_t shift = rng_below(&seed, size_bits(total));
      if (gomem_buddy_alloc(b, 1 + rng_below(&seed, (size_t)1 << shift), &off) == GOMEM_OK)
        offs[n++] = off;
    } else if (r < 97 && n > 0) {
      size_t k = rng_below(&seed, n);
      ck_assert_int_eq(gomem_buddy_free(b, offs[k]), GOMEM_OK);
      offs[k] = offs[--n];
    } else if (r < 99) {
      /* A random offset: refused, unless it happens to start a live block,
       * which then must be one of ours and is gone from now on. */
      off = rng_below(&seed, total + min_block);
      if (gomem_buddy_free(b, off) == GOMEM_OK)
        forget(offs, &n, off);
    } else {
      (void)gomem_buddy_trim(b);
    }
    ck_assert_int_eq(gomem__buddy_check(b), 0);
  }
  while (n > 0) {
    ck_assert_int_eq(gomem_buddy_free(b, offs[--n]), GOMEM_OK);
    ck_assert_int_eq(gomem__buddy_check(b), 0);
  }
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), total);
  gomem_buddy_destroy(b);
}

START_TEST(bookkeeping_after_random_ops)
{
  random_checked(16, 16, 200, 1);          /* one unit */
  random_checked(64 * 64, 64, 4000, 2);    /* top words only */
  random_checked(512 * 64, 64, 6000, 3);   /* two levels at order 0 */
  random_checked(8192 * 16, 16, 2000, 4);  /* three levels */
}
END_TEST

START_TEST(bookkeeping_after_threads)
{
  gomem_buddy *b = gomem_buddy_new(MiB, 16); /* three bitmap levels */

  run_workers(b);
  ck_assert_int_eq(gomem__buddy_check(b), 0);
  ck_assert_uint_eq(gomem_buddy_max_alloc(b), MiB);
  gomem_buddy_destroy(b);
}
END_TEST

/* ---- suite ----------------------------------------------------------------------- */

static Suite *buddy_suite(void)
{
  Suite *s = suite_create("buddy");
  TCase *api = tcase_create("api");
  TCase *random = tcase_create("random");

  tcase_add_test(api, new_rejects_bad_sizes);
  tcase_add_test(api, new_accepts_edges);
  tcase_add_test(api, accessors_and_null);
  tcase_add_test(api, base_alignment);
  tcase_add_test(api, exact_offsets);
  tcase_add_test(api, rounding);
  tcase_add_test(api, split_and_merge);
  tcase_add_test(api, exhaustion);
  tcase_add_test(api, bad_input_changes_nothing);
  tcase_add_test(api, trim_releases_free_blocks_only);
  tcase_add_test(api, pending_split_merges_back);
  tcase_add_test(api, pending_split_against_bitmaps);
  suite_add_tcase(s, api);

  tcase_set_timeout(random, 120);
  tcase_add_test(random, differential_random);
  tcase_add_test(random, threads_share_a_pool);
  tcase_add_test(random, bookkeeping_after_random_ops);
  tcase_add_test(random, bookkeeping_after_threads);
  suite_add_tcase(s, random);
  return s;
}

int main(void)
{
  return run_suite(buddy_suite());
}
