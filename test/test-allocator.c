/* SPDX-License-Identifier: MIT */
/*
 * The range allocator, over every strategy in the build.
 *
 * Each conformance test is a Check loop test over `strategies`; a strategy
 * that this build leaves out must refuse creation with ENOTSUP, and the
 * test stops there. TEST_HAVE_TREAP / TEST_HAVE_AVL / TEST_HAVE_TLSF come from
 * test/meson.build. Linked with gomem_internal_dep for
 * gomem__allocator_check (structural invariants and tree depth).
 *
 * Every passing ck_assert costs Check a write to its log, which dominates
 * the run time under Valgrind; hot loops therefore test with a plain `if`
 * and call ck_abort_msg only on failure.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/allocator-model.h"
#include "fuzz/replay.h"
#include "gomem/allocator.h"
#include "model.h"
#include "rng.h"
#include "strategy/strategy.h"
#include "run-suite.h"
#include "strategies.h"

static const gomem_strategy strategies[] = { GOMEM_STRATEGY_TREAP, GOMEM_STRATEGY_AVL,
                                              GOMEM_STRATEGY_TLSF };
#define N_STRATEGIES ((int)(sizeof(strategies) / sizeof(strategies[0])))


static bool is_best_fit(gomem_strategy s)
{
  return s == GOMEM_STRATEGY_AVL;
}

/* tlsf's good fit may choose among the blocks of one size class. */
static bool is_good_fit(gomem_strategy s)
{
  return s == GOMEM_STRATEGY_TLSF;
}

/* A new allocator of @p size with strategy @p s, or NULL after checking
 * that an unbuilt strategy is refused the documented way. */
static gomem_allocator *open_allocator(gomem_strategy s, size_t size)
{
  ck_assert_int_eq(gomem_strategy_available(s), expect_available(s));
  if (!gomem_strategy_available(s)) {
    gomem_allocator *out = (gomem_allocator *)&out;
    errno = 0;
    ck_assert_ptr_null(gomem_allocator_new(size, s));
    ck_assert_int_eq(errno, ENOTSUP);
    ck_assert_int_eq(gomem_allocator_create(size, s, &out), GOMEM_ERR_UNSUPPORTED);
    ck_assert_ptr_eq(out, (gomem_allocator *)&out);
    return NULL;
  }
  gomem_allocator *a = gomem_allocator_new(size, s);
  ck_assert_ptr_nonnull(a);
  ck_assert_int_eq(gomem_allocator_strategy(a), s);
  ck_assert_uint_eq(gomem_allocator_size(a), size);
  ck_assert_uint_eq(gomem_allocator_free_size(a), size);
  ck_assert_uint_eq(gomem_allocator_free_blocks(a), 1);
  return a;
}

/* --- free-block lists ------------------------------------------------------ */

typedef struct block_list {
  size_t n, cap;
  model_run *v;
} block_list;

static int collect_block(size_t offset, size_t size, void *ctx)
{
  block_list *l = ctx;

  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 64;
    l->v = realloc(l->v, l->cap * sizeof(*l->v));
    if (!l->v)
      ck_abort_msg("out of memory");
  }
  l->v[l->n++] = (model_run){ offset, offset + size };
  return 0;
}

static void list_collect(const gomem_allocator *a, block_list *l)
{
  l->n = 0;
  if (gomem_allocator_foreach_free(a, collect_block, l) != 0)
    ck_abort_msg("foreach_free did not visit every block");
}

static void assert_sound(const gomem_allocator *a)
{
  size_t depth = SIZE_MAX;

  if (gomem__allocator_check(a, &depth) != 0 || depth == SIZE_MAX)
    ck_abort_msg("%s: gomem__allocator_check failed", gomem_strategy_name(gomem_allocator_strategy(a)));
}

/* Assert that the free blocks are exactly @p expect (pairs offset, size)
 * and that free size, block count and invariants agree. */
static void assert_blocks(const gomem_allocator *a, const size_t *expect, size_t n)
{
  block_list l = { 0 };
  size_t total = 0;

  list_collect(a, &l);
  ck_assert_uint_eq(l.n, n);
  for (size_t i = 0; i < n; i++) {
    ck_assert_uint_eq(l.v[i].start, expect[2 * i]);
    ck_assert_uint_eq(l.v[i].end - l.v[i].start, expect[2 * i + 1]);
    total += expect[2 * i + 1];
  }
  free(l.v);
  ck_assert_uint_eq(gomem_allocator_free_blocks(a), n);
  ck_assert_uint_eq(gomem_allocator_free_size(a), total);
  assert_sound(a);
}

/* BLOCKS(a, offset, size, offset, size, ...): the exact free-block list. */
#define BLOCKS(a, ...)                                                  \
  do {                                                                  \
    static const size_t expect_[] = { __VA_ARGS__ };                    \
    assert_blocks((a), expect_, sizeof(expect_) / sizeof(size_t) / 2);  \
  } while (0)

static void assert_full(const gomem_allocator *a)
{
  assert_blocks(a, NULL, 0);
}

/* Everything observable about an allocator, to prove bad input changed nothing. */
typedef struct snapshot {
  size_t size, free_size, free_blocks;
  block_list blocks;
} snapshot;

static void snapshot_take(const gomem_allocator *a, snapshot *s)
{
  s->size = gomem_allocator_size(a);
  s->free_size = gomem_allocator_free_size(a);
  s->free_blocks = gomem_allocator_free_blocks(a);
  list_collect(a, &s->blocks);
}

static void assert_unchanged(const gomem_allocator *a, const snapshot *s)
{
  block_list now = { 0 };

  ck_assert_uint_eq(gomem_allocator_size(a), s->size);
  ck_assert_uint_eq(gomem_allocator_free_size(a), s->free_size);
  ck_assert_uint_eq(gomem_allocator_free_blocks(a), s->free_blocks);
  list_collect(a, &now);
  ck_assert_uint_eq(now.n, s->blocks.n);
  ck_assert(now.n == 0 || memcmp(now.v, s->blocks.v, now.n * sizeof(*now.v)) == 0);
  free(now.v);
  assert_sound(a);
}

static size_t must_alloc(gomem_allocator *a, size_t size)
{
  size_t off = SIZE_MAX;
  int rc = gomem_allocator_alloc(a, size, &off);

  if (rc != GOMEM_OK)
    ck_abort_msg("alloc(%zu) failed: %s", size, gomem_err_name(rc));
  return off;
}

/* --- creation and the strategy loop ---------------------------------------- */

START_TEST(test_available)
{
  gomem_strategy s = strategies[_i];
  gomem_allocator *a = open_allocator(s, 100);

  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_default_strategy)
{
  gomem_allocator *a = gomem_allocator_new(10, GOMEM_STRATEGY_DEFAULT);

  ck_assert_ptr_nonnull(a);
  ck_assert_int_eq(gomem_allocator_strategy(a), gomem_strategy_default());
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_create_bad_input)
{
  gomem_allocator *out = (gomem_allocator *)&out;

  errno = 0;
  ck_assert_ptr_null(gomem_allocator_new(0, GOMEM_STRATEGY_DEFAULT));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_allocator_new(10, (gomem_strategy)99));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_allocator_new(10, (gomem_strategy)-1));
  ck_assert_int_eq(errno, EINVAL);

  ck_assert_int_eq(gomem_allocator_create(0, GOMEM_STRATEGY_DEFAULT, &out), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_create(10, (gomem_strategy)99, &out), GOMEM_ERR_INVALID);
  ck_assert_ptr_eq(out, (gomem_allocator *)&out);
  ck_assert_int_eq(gomem_allocator_create(10, GOMEM_STRATEGY_DEFAULT, NULL), GOMEM_ERR_INVALID);

  ck_assert_int_eq(gomem_allocator_create(10, GOMEM_STRATEGY_DEFAULT, &out), GOMEM_OK);
  ck_assert_ptr_nonnull(out);
  gomem_allocator_destroy(out);
}
END_TEST

START_TEST(test_null_handle)
{
  size_t off = 7;

  gomem_allocator_destroy(NULL);
  gomem_allocator_reset(NULL);
  ck_assert_int_eq(gomem_allocator_alloc(NULL, 10, &off), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_find(NULL, 10, &off), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(off, 7);
  ck_assert_int_eq(gomem_allocator_free(NULL, 0, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_init(NULL, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_foreach_free(NULL, collect_block, NULL), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(gomem_allocator_size(NULL), 0);
  ck_assert_uint_eq(gomem_allocator_free_size(NULL), 0);
  ck_assert_uint_eq(gomem_allocator_free_blocks(NULL), 0);
  ck_assert_int_eq(gomem_allocator_strategy(NULL), GOMEM_STRATEGY_DEFAULT);
}
END_TEST

/* --- the Go original's tests ----------------------------------------------- */

/* allocator_test.go TestAllocator, with every intermediate state asserted. */
START_TEST(test_go_scenario)
{
  gomem_allocator *a = open_allocator(strategies[_i], 1000);
  if (!a)
    return;

  ck_assert_uint_eq(must_alloc(a, 100), 0);
  ck_assert_uint_eq(must_alloc(a, 200), 100);
  BLOCKS(a, 300, 700);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 299), GOMEM_OK);
  ck_assert_uint_eq(gomem_allocator_free_size(a), 999);
  BLOCKS(a, 0, 299, 300, 700);
  ck_assert_int_eq(gomem_allocator_free(a, 299, 1), GOMEM_OK);
  BLOCKS(a, 0, 1000);
  ck_assert_uint_eq(must_alloc(a, 50), 0);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 50), GOMEM_OK);
  ck_assert_uint_eq(must_alloc(a, 1000), 0);
  assert_full(a);
  gomem_allocator_destroy(a);
}
END_TEST

/* allocator_test.go testData, replayed by TestAllocatorUseData: frees in
 * pieces, and allocations that must land on the recorded offsets. */
static const struct {
  bool malloc;
  size_t offset, size;
} go_history[] = {
  { true, 0, 16384 },   { false, 139, 16245 }, { false, 0, 50 },      { false, 50, 31 },
  { false, 81, 9 },     { false, 90, 26 },     { false, 116, 21 },    { false, 137, 2 },
  { true, 0, 16384 },   { false, 277, 16107 }, { true, 277, 16384 },  { false, 432, 16229 },
  { false, 0, 277 },    { false, 277, 58 },    { false, 335, 60 },    { false, 395, 9 },
  { false, 404, 26 },   { true, 432, 16384 },  { false, 557, 16259 }, { false, 430, 2 },
};

START_TEST(test_go_history_replay)
{
  gomem_allocator *a = open_allocator(strategies[_i], 65535);
  if (!a)
    return;

  for (size_t i = 0; i < sizeof(go_history) / sizeof(go_history[0]); i++) {
    if (go_history[i].malloc)
      ck_assert_uint_eq(must_alloc(a, go_history[i].size), go_history[i].offset);
    else
      ck_assert_int_eq(gomem_allocator_free(a, go_history[i].offset, go_history[i].size), GOMEM_OK);
    assert_sound(a);
  }
  BLOCKS(a, 0, 432, 557, 65535 - 557);
  gomem_allocator_destroy(a);
}
END_TEST

/* allocator_test.go FuzzAllocator as a seeded loop: free the front of the
 * first allocation longer than `size`, else the whole first allocation;
 * what was allocated minus what was freed must equal size - free size.
 * (The Go version shortens a copy of the entry, so it re-frees the same
 * front later; here the entry really shrinks.) */
START_TEST(test_go_fuzz_port)
{
  enum { SIZE = 65535, ROUNDS = 20000, MAX_USED = 4096 };
  gomem_allocator *a = open_allocator(strategies[_i], SIZE);
  if (!a)
    return;
  static size_t used_off[MAX_USED], used_len[MAX_USED];
  size_t nused = 0, total_malloc = 0, total_free = 0;
  uint64_t rng = 100;

  for (int round = 0; round < ROUNDS; round++) {
    size_t size = 1 + rng_below(&rng, 2048);
    if (rng_next(&rng) & 1) {
      size_t off;
      int rc = gomem_allocator_alloc(a, size, &off);
      if (rc == GOMEM_ERR_NOMEM || nused == MAX_USED) {
        if (rc == GOMEM_OK && gomem_allocator_free(a, off, size) != GOMEM_OK)
          ck_abort_msg("round %d: free(%zu, %zu) failed", round, off, size);
        continue;
      }
      if (rc != GOMEM_OK)
        ck_abort_msg("round %d: alloc(%zu) returned %d", round, size, rc);
      used_off[nused] = off;
      used_len[nused++] = size;
      total_malloc += size;
    } else if (nused > 0) {
      size_t i = 0;
      while (i < nused && used_len[i] <= size)
        i++;
      if (i < nused) {
        if (gomem_allocator_free(a, used_off[i], size) != GOMEM_OK)
          ck_abort_msg("round %d: free(%zu, %zu) failed", round, used_off[i], size);
        used_off[i] += size;
        used_len[i] -= size;
        total_free += size;
      } else {
        if (gomem_allocator_free(a, used_off[0], used_len[0]) != GOMEM_OK)
          ck_abort_msg("round %d: free(%zu, %zu) failed", round, used_off[0], used_len[0]);
        total_free += used_len[0];
        memmove(used_off, used_off + 1, (nused - 1) * sizeof(size_t));
        memmove(used_len, used_len + 1, (nused - 1) * sizeof(size_t));
        nused--;
      }
    }
    if (total_malloc - total_free != SIZE - gomem_allocator_free_size(a))
      ck_abort_msg("round %d: %zu in use, allocator says %zu", round, total_malloc - total_free,
                   SIZE - gomem_allocator_free_size(a));
  }
  assert_sound(a);
  gomem_allocator_destroy(a);
}
END_TEST

/* --- exact behaviour ------------------------------------------------------- */

/* Holes of 100 @0, 50 @250, 30 @420, 50 @650 and 200 @800 in [0, 1000). */
static gomem_allocator *open_holes(gomem_strategy s)
{
  gomem_allocator *a = open_allocator(s, 1000);
  if (!a)
    return NULL;
  for (size_t i = 0; i < 10; i++)
    ck_assert_uint_eq(must_alloc(a, 100), 100 * i);
  assert_full(a);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 250, 50), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 420, 30), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 650, 50), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 800, 200), GOMEM_OK);
  BLOCKS(a, 0, 100, 250, 50, 420, 30, 650, 50, 800, 200);
  return a;
}

/* find answers what alloc then does, and changes nothing. */
static void find_then_alloc(gomem_allocator *a, size_t size, size_t expect)
{
  snapshot before = { 0 };
  size_t found = SIZE_MAX;

  snapshot_take(a, &before);
  ck_assert_int_eq(gomem_allocator_find(a, size, &found), GOMEM_OK);
  ck_assert_uint_eq(found, expect);
  assert_unchanged(a, &before);
  free(before.blocks.v);
  ck_assert_uint_eq(must_alloc(a, size), expect);
  ck_assert_uint_eq(gomem_allocator_free_size(a), before.free_size - size);
}

static void find_then_alloc_nomem(gomem_allocator *a, size_t size)
{
  snapshot before = { 0 };
  size_t off = 12345;

  snapshot_take(a, &before);
  ck_assert_int_eq(gomem_allocator_find(a, size, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_allocator_alloc(a, size, &off), GOMEM_ERR_NOMEM);
  ck_assert_uint_eq(off, 12345);
  assert_unchanged(a, &before);
  free(before.blocks.v);
}

START_TEST(test_policy_first_fit)
{
  gomem_allocator *a = open_holes(GOMEM_STRATEGY_TREAP);
  if (!a)
    return;

  find_then_alloc(a, 30, 0);   /* the lowest hole, not the exact fit @420 */
  find_then_alloc(a, 50, 30);  /* what is left of it */
  find_then_alloc(a, 60, 800); /* 20 left @80, 50 @250 and @650 too small */
  BLOCKS(a, 80, 20, 250, 50, 420, 30, 650, 50, 860, 140);
  find_then_alloc_nomem(a, 150); /* 290 free, but no hole of 150 */
  find_then_alloc(a, 20, 80);    /* exact fit removes the block */
  BLOCKS(a, 250, 50, 420, 30, 650, 50, 860, 140);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_policy_best_fit)
{
  gomem_allocator *a = open_holes(GOMEM_STRATEGY_AVL);
  if (!a)
    return;

  find_then_alloc(a, 30, 420);  /* the exact fit, not the lowest hole */
  find_then_alloc(a, 50, 250);  /* two holes of 50: the lower one */
  find_then_alloc(a, 60, 0);    /* 50 @650 too small; 100 @0 < 200 @800 */
  BLOCKS(a, 60, 40, 650, 50, 800, 200);
  find_then_alloc(a, 150, 800);
  find_then_alloc(a, 45, 650);  /* 50 @650 and 50 @950: the lower one */
  BLOCKS(a, 60, 40, 695, 5, 950, 50);
  find_then_alloc(a, 41, 950);
  find_then_alloc_nomem(a, 41);
  gomem_allocator_destroy(a);
}
END_TEST

/* tlsf: the current block while the request fits (in open_holes, 200 @800:
 * the largest freed), else good fit: the first block (most recently filed)
 * of the lowest size class whose blocks all hold the request, which then
 * becomes current; classes are exact below 64 units, then 32 per power of
 * two (64..65 and 132..135 are classes). */
START_TEST(test_policy_good_fit)
{
  gomem_allocator *a = open_holes(GOMEM_STRATEGY_TLSF);
  if (!a)
    return;

  find_then_alloc(a, 30, 800);  /* the current block, though 30 @420 fits exactly */
  find_then_alloc(a, 170, 830); /* the rest of it: then none is current */
  ck_assert_ptr_null(a->hot);
  find_then_alloc(a, 30, 420);  /* the exact class, taken whole */
  ck_assert_ptr_null(a->hot);
  find_then_alloc(a, 40, 650);  /* class 50 holds two: the one freed last */
  BLOCKS(a, 0, 100, 250, 50, 690, 10);
  find_then_alloc(a, 5, 690);   /* carved from, so current */
  find_then_alloc(a, 60, 0);    /* too big for 5 @695: class 100's block */
  BLOCKS(a, 60, 40, 250, 50, 695, 5);
  find_then_alloc(a, 45, 250);  /* too big for 40 @60: class 50's */
  find_then_alloc_nomem(a, 51);
  BLOCKS(a, 60, 40, 295, 5, 695, 5);
  gomem_allocator_destroy(a);

  /* A larger freed block becomes current; completeness walks the
   * request's own class past blocks too small. */
  a = open_allocator(GOMEM_STRATEGY_TLSF, 1000);
  ck_assert_uint_eq(must_alloc(a, 1000), 0);
  ck_assert_int_eq(gomem_allocator_free(a, 100, 133), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 500, 134), GOMEM_OK);
  find_then_alloc(a, 10, 500); /* 134 @500 is current */
  BLOCKS(a, 100, 133, 510, 124);
  find_then_alloc_nomem(a, 134);
  find_then_alloc(a, 133, 100); /* no class above 132..135 holds a block */
  BLOCKS(a, 510, 124);
  gomem_allocator_destroy(a);

  /* Rounding up: 65 skips its class 64..65; 64, its bottom, does not. */
  a = open_allocator(GOMEM_STRATEGY_TLSF, 1000);
  ck_assert_uint_eq(must_alloc(a, 1000), 0);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 300), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 400, 65), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 500, 66), GOMEM_OK);
  find_then_alloc(a, 300, 0); /* the current block, whole */
  find_then_alloc(a, 65, 500);
  find_then_alloc(a, 64, 400);
  BLOCKS(a, 464, 1, 565, 1);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_partial_free_middle)
{
  gomem_allocator *a = open_allocator(strategies[_i], 1000);
  if (!a)
    return;

  ck_assert_uint_eq(must_alloc(a, 1000), 0);
  ck_assert_int_eq(gomem_allocator_free(a, 400, 100), GOMEM_OK);
  BLOCKS(a, 400, 100);
  ck_assert_int_eq(gomem_allocator_free(a, 100, 50), GOMEM_OK);
  BLOCKS(a, 100, 50, 400, 100);
  ck_assert_int_eq(gomem_allocator_free(a, 999, 1), GOMEM_OK); /* the last unit */
  ck_assert_int_eq(gomem_allocator_free(a, 0, 1), GOMEM_OK);   /* the first unit */
  BLOCKS(a, 0, 1, 100, 50, 400, 100, 999, 1);
  /* A middle piece is allocatable again: for first fit the lowest that
   * fits, for best fit the smallest (50 < 100); tlsf carves its current
   * block, the largest freed (100 @400). */
  if (strategies[_i] == GOMEM_STRATEGY_TLSF) {
    ck_assert_uint_eq(must_alloc(a, 40), 400);
    BLOCKS(a, 0, 1, 100, 50, 440, 60, 999, 1);
  } else {
    ck_assert_uint_eq(must_alloc(a, 40), 100);
    BLOCKS(a, 0, 1, 140, 10, 400, 100, 999, 1);
  }
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_coalesce)
{
  gomem_allocator *a = open_allocator(strategies[_i], 500);
  if (!a)
    return;

  for (size_t i = 0; i < 5; i++)
    ck_assert_uint_eq(must_alloc(a, 100), 100 * i);
  ck_assert_int_eq(gomem_allocator_free(a, 100, 100), GOMEM_OK); /* none */
  BLOCKS(a, 100, 100);
  ck_assert_int_eq(gomem_allocator_free(a, 200, 50), GOMEM_OK); /* left */
  BLOCKS(a, 100, 150);
  ck_assert_int_eq(gomem_allocator_free(a, 50, 50), GOMEM_OK); /* right */
  BLOCKS(a, 50, 200);
  ck_assert_int_eq(gomem_allocator_free(a, 400, 100), GOMEM_OK); /* none, at the end */
  BLOCKS(a, 50, 200, 400, 100);
  ck_assert_int_eq(gomem_allocator_free(a, 250, 150), GOMEM_OK); /* both */
  BLOCKS(a, 50, 450);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 50), GOMEM_OK); /* right, from offset 0 */
  BLOCKS(a, 0, 500);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_free_spanning_allocations)
{
  gomem_allocator *a = open_allocator(strategies[_i], 400);
  if (!a)
    return;

  for (size_t i = 0; i < 4; i++)
    ck_assert_uint_eq(must_alloc(a, 100), 100 * i);
  /* The tail of one, the whole of the next and the head of a third. */
  ck_assert_int_eq(gomem_allocator_free(a, 50, 200), GOMEM_OK);
  BLOCKS(a, 50, 200);
  /* The rest of the third and the whole fourth (merges left), then the
   * head of the first (merges right). */
  ck_assert_int_eq(gomem_allocator_free(a, 250, 150), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 50), GOMEM_OK);
  BLOCKS(a, 0, 400);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_fill_unit_by_unit)
{
  gomem_allocator *a = open_allocator(strategies[_i], 64);
  if (!a)
    return;

  for (size_t i = 0; i < 64; i++)
    ck_assert_uint_eq(must_alloc(a, 1), i);
  assert_full(a);
  find_then_alloc_nomem(a, 1);
  for (size_t i = 1; i < 64; i += 2)
    ck_assert_int_eq(gomem_allocator_free(a, i, 1), GOMEM_OK);
  ck_assert_uint_eq(gomem_allocator_free_blocks(a), 32);
  ck_assert_uint_eq(gomem_allocator_free_size(a), 32);
  find_then_alloc_nomem(a, 2);
  for (size_t i = 0; i < 64; i += 2)
    ck_assert_int_eq(gomem_allocator_free(a, i, 1), GOMEM_OK);
  BLOCKS(a, 0, 64);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_whole_address_space)
{
  gomem_allocator *a = open_allocator(strategies[_i], SIZE_MAX);
  if (!a)
    return;

  ck_assert_uint_eq(must_alloc(a, SIZE_MAX - 1), 0);
  ck_assert_uint_eq(must_alloc(a, 1), SIZE_MAX - 1);
  assert_full(a);
  ck_assert_int_eq(gomem_allocator_free(a, SIZE_MAX - 1, 1), GOMEM_OK);
  BLOCKS(a, SIZE_MAX - 1, 1);
  ck_assert_int_eq(gomem_allocator_free(a, SIZE_MAX - 1, 2), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_free(a, 0, SIZE_MAX - 1), GOMEM_OK);
  BLOCKS(a, 0, SIZE_MAX);
  ck_assert_uint_eq(must_alloc(a, SIZE_MAX), 0);
  ck_assert_int_eq(gomem_allocator_free(a, 0, SIZE_MAX), GOMEM_OK);
  BLOCKS(a, 0, SIZE_MAX);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_reset)
{
  gomem_allocator *a = open_holes(strategies[_i]);
  if (!a)
    return;

  gomem_allocator_reset(a);
  ck_assert_uint_eq(gomem_allocator_size(a), 1000);
  BLOCKS(a, 0, 1000);
  ck_assert_uint_eq(must_alloc(a, 1000), 0);
  assert_full(a);
  gomem_allocator_reset(a);
  BLOCKS(a, 0, 1000);
  gomem_allocator_reset(a); /* resetting a fresh allocator is harmless */
  BLOCKS(a, 0, 1000);
  ck_assert_uint_eq(must_alloc(a, 10), 0);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_init)
{
  gomem_allocator *a = open_holes(strategies[_i]);
  if (!a)
    return;
  snapshot before = { 0 };

  snapshot_take(a, &before);
  ck_assert_int_eq(gomem_allocator_init(a, 0), GOMEM_ERR_INVALID);
  assert_unchanged(a, &before);
  free(before.blocks.v);

  ck_assert_int_eq(gomem_allocator_init(a, 500), GOMEM_OK);
  ck_assert_uint_eq(gomem_allocator_size(a), 500);
  BLOCKS(a, 0, 500);
  find_then_alloc_nomem(a, 501);
  ck_assert_uint_eq(must_alloc(a, 500), 0);
  ck_assert_int_eq(gomem_allocator_free(a, 500, 1), GOMEM_ERR_INVALID); /* past the new end */

  ck_assert_int_eq(gomem_allocator_init(a, 5000), GOMEM_OK);
  ck_assert_uint_eq(gomem_allocator_size(a), 5000);
  BLOCKS(a, 0, 5000);
  ck_assert_uint_eq(must_alloc(a, 4000), 0);
  ck_assert_uint_eq(must_alloc(a, 1000), 4000);
  /* Blocks larger than the first size allowed, indexed together. */
  ck_assert_int_eq(gomem_allocator_free(a, 0, 4000), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 4500, 500), GOMEM_OK);
  BLOCKS(a, 0, 4000, 4500, 500);
  find_then_alloc(a, 3999, 0);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 3999), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 4000, 500), GOMEM_OK);
  BLOCKS(a, 0, 5000);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_find_vs_alloc)
{
  gomem_allocator *a = open_allocator(strategies[_i], 300);
  if (!a)
    return;
  size_t off = 99;

  for (int i = 0; i < 3; i++)
    find_then_alloc(a, 100, 100 * (size_t)i);
  find_then_alloc_nomem(a, 1);
  ck_assert_int_eq(gomem_allocator_free(a, 100, 100), GOMEM_OK);
  /* find may be asked again and again without changing its answer. */
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(gomem_allocator_find(a, 60, &off), GOMEM_OK);
    ck_assert_uint_eq(off, 100);
  }
  ck_assert_uint_eq(gomem_allocator_free_size(a), 100);
  find_then_alloc(a, 60, 100);
  find_then_alloc(a, 40, 160);
  find_then_alloc_nomem(a, 1);
  gomem_allocator_destroy(a);
}
END_TEST

static int stop_at_second(size_t offset, size_t size, void *ctx)
{
  int *seen = ctx;
  (void)offset;
  (void)size;
  return ++*seen == 2 ? 7 : 0;
}

/* --- the front end's fast block (strategy.h: `hot`) ------------------------ */

enum { HOT_ALLOCATORS = 24 };

/* One run of calls that carve hot, grow it from below, and go round it, on
 * a 1000-unit allocator; the same results whichever calls the fast path
 * serves. Returns whether hot was set with two free blocks (the treap's
 * root may or may not be its lowest block, by its random priorities). */
static bool hot_scenario(gomem_allocator *a)
{
  snapshot before = { 0 };
  size_t off = SIZE_MAX;
  bool hot_with_two;

  ck_assert_uint_eq(must_alloc(a, 100), 0);
  ck_assert_uint_eq(must_alloc(a, 200), 100);
  BLOCKS(a, 300, 700);
  ck_assert_ptr_nonnull(a->hot); /* one block is always the fast one */
  ck_assert_uint_eq(a->hot->off, 300);
  ck_assert_int_eq(gomem_allocator_find(a, 700, &off), GOMEM_OK); /* all of it */
  ck_assert_uint_eq(off, 300);
  ck_assert_int_eq(gomem_allocator_free(a, 200, 100), GOMEM_OK); /* just below */
  BLOCKS(a, 200, 800);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 50), GOMEM_OK); /* apart */
  BLOCKS(a, 0, 50, 200, 800);
  hot_with_two = a->hot != NULL;
  ck_assert_uint_eq(must_alloc(a, 30), 0); /* the lowest and the smallest */
  BLOCKS(a, 30, 20, 200, 800);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 30), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 150, 50), GOMEM_OK); /* below the upper */
  ck_assert_int_eq(gomem_allocator_free(a, 50, 50), GOMEM_OK);  /* above the lower */
  BLOCKS(a, 0, 100, 150, 850);

  /* Refused whether or not a block is fast, and nothing changes. */
  snapshot_take(a, &before);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 10), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_free(a, 90, 20), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_free(a, 140, 20), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_free(a, 100, 51), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_free(a, 150, 850), GOMEM_ERR_INVALID);
  assert_unchanged(a, &before);
  free(before.blocks.v);

  ck_assert_uint_eq(must_alloc(a, 100), 0); /* an exact fit removes the block */
  BLOCKS(a, 150, 850);
  ck_assert_int_eq(gomem_allocator_free(a, 100, 50), GOMEM_OK);
  BLOCKS(a, 100, 900);
  find_then_alloc(a, 900, 100);
  assert_full(a);
  ck_assert_ptr_null(a->hot);
  find_then_alloc_nomem(a, 1);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 1000), GOMEM_OK);
  BLOCKS(a, 0, 1000);
  return hot_with_two;
}

/* tlsf's hot block is its current block, which need not be the lowest:
 * the front end grows it only over units from hot_floor up, all
 * allocated. */
static void current_scenario(gomem_allocator *a)
{
  snapshot before = { 0 };

  ck_assert_uint_eq(must_alloc(a, 100), 0);
  ck_assert_uint_eq(must_alloc(a, 200), 100);
  ck_assert_int_eq(gomem_allocator_free(a, 200, 100), GOMEM_OK); /* just below */
  ck_assert_int_eq(gomem_allocator_free(a, 0, 50), GOMEM_OK);    /* apart, smaller */
  BLOCKS(a, 0, 50, 200, 800);
  ck_assert_ptr_nonnull(a->hot); /* the larger block stays current */
  ck_assert_uint_eq(a->hot->off, 200);
  ck_assert_uint_eq(a->hot_floor, 51);
  ck_assert_uint_eq(must_alloc(a, 30), 200); /* though 50 @0 is lower and smaller */
  BLOCKS(a, 0, 50, 230, 770);
  ck_assert_int_eq(gomem_allocator_free(a, 200, 30), GOMEM_OK);
  BLOCKS(a, 0, 50, 200, 800);

  /* Ranges that end at hot but start below hot_floor are refused, and
   * nothing changes. */
  snapshot_take(a, &before);
  ck_assert_int_eq(gomem_allocator_free(a, 40, 160), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_free(a, 49, 151), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 200), GOMEM_ERR_INVALID);
  assert_unchanged(a, &before);
  free(before.blocks.v);

  ck_assert_int_eq(gomem_allocator_free(a, 51, 149), GOMEM_OK); /* from hot_floor */
  BLOCKS(a, 0, 50, 51, 949);
  ck_assert_uint_eq(a->hot->off, 51);
  ck_assert_int_eq(gomem_allocator_free(a, 50, 1), GOMEM_OK); /* joins both */
  BLOCKS(a, 0, 1000);
  ck_assert_uint_eq(a->hot_floor, 0);

  ck_assert_uint_eq(must_alloc(a, 1000), 0);
  ck_assert_ptr_null(a->hot);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 150, 850), GOMEM_OK); /* larger: current */
  ck_assert_uint_eq(a->hot->off, 150);
  ck_assert_uint_eq(a->hot_floor, 101);
  ck_assert_uint_eq(must_alloc(a, 850), 150); /* all of it; the lone block is current */
  ck_assert_uint_eq(a->hot->off, 0);
  ck_assert_uint_eq(a->hot_floor, 0);
  ck_assert_int_eq(gomem_allocator_free(a, 100, 900), GOMEM_OK);
  BLOCKS(a, 0, 1000);
}

/* Many allocators alive at once, so that the treap's priorities (seeded
 * by address) give both shapes of two blocks. */
START_TEST(test_hot_block)
{
  gomem_allocator *a[HOT_ALLOCATORS];
  size_t with = 0;

  for (int i = 0; i < HOT_ALLOCATORS; i++) {
    a[i] = open_allocator(strategies[_i], 1000);
    if (!a[i])
      return;
  }
  if (strategies[_i] == GOMEM_STRATEGY_TLSF) {
    for (int i = 0; i < HOT_ALLOCATORS; i++) {
      current_scenario(a[i]);
      gomem_allocator_destroy(a[i]);
    }
    return;
  }
  for (int i = 0; i < HOT_ALLOCATORS; i++)
    with += hot_scenario(a[i]);
  if (strategies[_i] == GOMEM_STRATEGY_AVL)
    ck_assert_uint_eq(with, 0); /* only a lone block is fast */
  else
    ck_assert_msg(with > 0 && with < HOT_ALLOCATORS, "%zu of %d", with, HOT_ALLOCATORS);
  for (int i = 0; i < HOT_ALLOCATORS; i++)
    gomem_allocator_destroy(a[i]);
}
END_TEST

/* The bench's SequentialAlloc: 50 carves of one block, then frees in
 * order, each exact and sound. */
START_TEST(test_sequential_rounds)
{
  enum { N = 50, UNIT = 1024, SIZE = 64 * 1024 };
  gomem_allocator *a = open_allocator(strategies[_i], SIZE);
  if (!a)
    return;

  for (int round = 0; round < 3; round++) {
    for (size_t j = 0; j < N; j++)
      ck_assert_uint_eq(must_alloc(a, UNIT), j * UNIT);
    BLOCKS(a, N * UNIT, SIZE - N * UNIT);
    for (size_t j = 0; j < N; j++) {
      ck_assert_int_eq(gomem_allocator_free(a, j * UNIT, UNIT), GOMEM_OK);
      ck_assert_uint_eq(gomem_allocator_free_size(a), SIZE - (N - 1 - j) * UNIT);
      ck_assert_uint_eq(gomem_allocator_free_blocks(a), j + 1 < N ? 2 : 1);
      assert_sound(a);
    }
    BLOCKS(a, 0, SIZE);
  }
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_foreach_stops)
{
  gomem_allocator *a = open_holes(strategies[_i]);
  if (!a)
    return;
  int seen = 0;

  ck_assert_int_eq(gomem_allocator_foreach_free(a, stop_at_second, &seen), 7);
  ck_assert_int_eq(seen, 2);
  ck_assert_int_eq(gomem_allocator_foreach_free(a, NULL, NULL), GOMEM_ERR_INVALID);
  gomem_allocator_destroy(a);
}
END_TEST

/* --- bad input leaves everything as it was ---------------------------------- */

/* Free [150, 200) and [600, 1000) of a 1000-unit allocator. */
static gomem_allocator *open_bad_input(gomem_strategy s)
{
  gomem_allocator *a = open_allocator(s, 1000);
  if (!a)
    return NULL;
  ck_assert_uint_eq(must_alloc(a, 100), 0);
  ck_assert_uint_eq(must_alloc(a, 200), 100);
  ck_assert_uint_eq(must_alloc(a, 300), 300);
  ck_assert_int_eq(gomem_allocator_free(a, 150, 50), GOMEM_OK);
  BLOCKS(a, 150, 50, 600, 400);
  return a;
}

START_TEST(test_bad_free)
{
  static const struct {
    size_t offset, size;
  } bad[] = {
    { 0, 0 },                   /* size 0 */
    { 150, 0 },                 /* size 0 on free space */
    { 10, SIZE_MAX },           /* offset + size overflows */
    { SIZE_MAX, 1 },            /* offset far past the end */
    { SIZE_MAX, SIZE_MAX },
    { 1, SIZE_MAX - 1 },        /* ends exactly at SIZE_MAX */
    { 1000, 1 },                /* just past the end */
    { 999, 2 },                 /* crosses the end */
    { 0, 1001 },
    { 150, 50 },                /* double free of a whole block */
    { 160, 10 },                /* inside a free block */
    { 600, 400 },               /* the free tail */
    { 100, 60 },                /* allocated, then free */
    { 190, 20 },                /* free, then allocated */
    { 140, 70 },                /* covers a free block, allocated both sides */
    { 590, 20 },                /* allocated, then the free tail */
    { 0, 1000 },                /* everything */
    { 0, 600 },                 /* all that is allocated plus one hole */
  };
  gomem_allocator *a = open_bad_input(strategies[_i]);
  if (!a)
    return;
  snapshot before = { 0 };

  snapshot_take(a, &before);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ck_assert_msg(gomem_allocator_free(a, bad[i].offset, bad[i].size) == GOMEM_ERR_INVALID,
                  "free(%zu, %zu) was accepted", bad[i].offset, bad[i].size);
    assert_unchanged(a, &before);
  }
  free(before.blocks.v);
  /* Still fully working: the valid frees succeed and merge. */
  ck_assert_int_eq(gomem_allocator_free(a, 0, 150), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 200, 400), GOMEM_OK);
  BLOCKS(a, 0, 1000);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_bad_alloc_find)
{
  gomem_allocator *a = open_bad_input(strategies[_i]);
  if (!a)
    return;
  snapshot before = { 0 };
  size_t off = 4242;

  snapshot_take(a, &before);
  ck_assert_int_eq(gomem_allocator_alloc(a, 0, &off), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_alloc(a, 10, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_alloc(a, SIZE_MAX, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_allocator_alloc(a, 401, &off), GOMEM_ERR_NOMEM); /* 450 free, 400 largest */
  ck_assert_int_eq(gomem_allocator_find(a, 0, &off), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_find(a, 10, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_find(a, SIZE_MAX, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_allocator_find(a, 401, &off), GOMEM_ERR_NOMEM);
  ck_assert_uint_eq(off, 4242);
  assert_unchanged(a, &before);
  free(before.blocks.v);
  gomem_allocator_destroy(a);
}
END_TEST

/* --- depth under an adversarial pattern ------------------------------------ */

static size_t ceil_log2(size_t n)
{
  size_t l = 0;

  while (((size_t)1 << l) < n)
    l++;
  return l;
}

/* The deepest tree stays logarithmic in the number of free blocks: AVL
 * height < 1.45 log2(n + 2); the treap's is O(log n) with high
 * probability, and 4 log2 n + 8 leaves a wide margin. */
static void assert_depth_logarithmic(const gomem_allocator *a)
{
  gomem_strategy s = gomem_allocator_strategy(a);
  size_t n = gomem_allocator_free_blocks(a), depth = SIZE_MAX;
  size_t bound = s == GOMEM_STRATEGY_AVL ? (3 * ceil_log2(n + 2)) / 2 + 2 : 4 * ceil_log2(n) + 8;

  ck_assert_int_eq(gomem__allocator_check(a, &depth), 0);
  ck_assert_msg(depth < bound, "%s depth %zu for %zu free blocks (bound %zu)",
                gomem_strategy_name(s), depth, n, bound);
}

/* Allocate blocks of 1, 2, ..., K units at increasing offsets (so block
 * sizes grow with offset), then free every other one in increasing or
 * decreasing offset order: sorted insertions by both keys, the worst case
 * for an unbalanced tree. */
static void depth_case(gomem_strategy s, bool backwards)
{
  enum { K = 4000 };
  size_t total = (size_t)K * (K + 1) / 2;
  gomem_allocator *a = open_allocator(s, total + 1000);
  if (!a)
    return;
  static size_t offsets[K + 1];

  for (size_t i = 1; i <= K; i++)
    offsets[i] = must_alloc(a, i);
  for (size_t j = 0; j < K / 2; j++) {
    size_t i = backwards ? K - 1 - 2 * j : 1 + 2 * j;
    if (gomem_allocator_free(a, offsets[i], i) != GOMEM_OK)
      ck_abort_msg("free(%zu, %zu) failed", offsets[i], i);
  }
  ck_assert_uint_eq(gomem_allocator_free_blocks(a), K / 2 + 1);
  assert_depth_logarithmic(a);

  /* Take the small blocks back one by one (exact fits for first and best
   * fit, smallest first; good fit may round up to the next class), and the
   * depth stays logarithmic. */
  for (size_t i = 1; i <= K / 4; i += 2) {
    if (must_alloc(a, i) != offsets[i] && !is_good_fit(s))
      ck_abort_msg("alloc(%zu) is not at %zu", i, offsets[i]);
  }
  assert_depth_logarithmic(a);
  gomem_allocator_destroy(a);
}

START_TEST(test_depth_forwards)
{
  depth_case(strategies[_i], false);
}
END_TEST

START_TEST(test_depth_backwards)
{
  depth_case(strategies[_i], true);
}
END_TEST

/* --- randomized differential test against the byte-map model ---------------- */

enum {
  RAND_SIZE = 1 << 16,
  RAND_OPS = 200000,
  /* A small allocator too: mostly full, so NOMEM with enough free units
   * in total but no run long enough is common. */
  SMALL_SIZE = 512,
  SMALL_OPS = 50000,
  /* And a large one, so that an index over offsets needs three levels. */
  LARGE_SIZE = 1 << 20,
  LARGE_OPS = 20000,
  /* Every op compares its result, free size and block count with the
   * model and runs gomem__allocator_check (O(blocks)). The free-block
   * lists are compared every LIST_EVERY ops and after every bad input;
   * the model's runs against its own byte map (O(size)) every MAP_EVERY. */
  LIST_EVERY = 16,
  MAP_EVERY = 4096,
  RESET_EVERY = 70001,
};

typedef struct rand_state {
  gomem_allocator *a;
  model m;
  bool best_fit, good_fit;
  uint64_t rng;
  block_list list;
  unsigned long op;
} rand_state;

static void assert_list_matches(rand_state *st)
{
  list_collect(st->a, &st->list);
  if (st->list.n != st->m.nruns ||
      (st->list.n && memcmp(st->list.v, st->m.runs, st->m.nruns * sizeof(model_run)) != 0))
    ck_abort_msg("op %lu: free blocks differ from the model", st->op);
}

/* The same, and the model's runs against its own byte map (O(size)). */
static void assert_matches_model(rand_state *st)
{
  if (!model_runs_consistent(&st->m))
    ck_abort_msg("op %lu: the model's runs drifted from its byte map", st->op);
  assert_list_matches(st);
}

static size_t random_size(rand_state *st)
{
  size_t r = rng_below(&st->rng, 1000), size = st->m.size;

  if (r < 700)
    return 1 + rng_below(&st->rng, 32);
  if (r < 950)
    return 1 + rng_below(&st->rng, size < 512 ? size : 512);
  if (r < 995)
    return 1 + rng_below(&st->rng, size < 4096 ? size : 4096);
  return 1 + rng_below(&st->rng, size);
}

static void rand_alloc(rand_state *st)
{
  size_t size = random_size(st), expect = 0, off = SIZE_MAX;
  bool fits = model_fit(&st->m, size, st->best_fit, &expect);
  int rc = gomem_allocator_alloc(st->a, size, &off);

  /* Completeness: success exactly when the model has a run large enough. */
  if (rc != (fits ? GOMEM_OK : GOMEM_ERR_NOMEM))
    ck_abort_msg("op %lu: alloc(%zu) returned %d, model %s", st->op, size, rc,
                 fits ? "fits" : "does not fit");
  if (!fits)
    return;
  if (st->good_fit ? !model_good_fit(&st->m, size, off) : off != expect)
    ck_abort_msg("op %lu: alloc(%zu) at %zu, model chose %zu", st->op, size, off, expect);
  if (!model_take(&st->m, off, size))
    ck_abort_msg("op %lu: model_take(%zu, %zu)", st->op, off, size);
}

static void rand_find(rand_state *st)
{
  size_t size = random_size(st), expect = 0, off = SIZE_MAX;
  bool fits = model_fit(&st->m, size, st->best_fit, &expect);

  int rc = gomem_allocator_find(st->a, size, &off);

  if (rc != (fits ? GOMEM_OK : GOMEM_ERR_NOMEM))
    ck_abort_msg("op %lu: find(%zu) returned %d", st->op, size, rc);
  if (fits && (st->good_fit ? !model_good_fit(&st->m, size, off) : off != expect))
    ck_abort_msg("op %lu: find(%zu) at %zu, model chose %zu", st->op, size, off, expect);
}

/* The allocated gap before run j (j == nruns: after the last run). */
static model_run used_gap(const model *m, size_t j)
{
  size_t start = j == 0 ? 0 : m->runs[j - 1].end;
  size_t end = j == m->nruns ? m->size : m->runs[j].start;
  return (model_run){ start, end };
}

/* Free a random part of an allocated gap: whole (merging both sides), a
 * prefix (merging left), a suffix (merging right) or the middle; a gap
 * often spans several allocations. Pieces are mostly small so that the
 * allocator stays fragmented. Returns false if it found nothing to free. */
static bool rand_free(rand_state *st)
{
  model_run g = { 0, 0 };

  for (int tries = 0; tries < 4 && g.end == g.start; tries++)
    g = used_gap(&st->m, rng_below(&st->rng, st->m.nruns + 1));
  if (g.end == g.start)
    return false;
  size_t len = g.end - g.start;
  size_t cap = rng_below(&st->rng, 4) == 0 ? 1024 : 64;
  size_t take = 1 + rng_below(&st->rng, len < cap ? len : cap);
  size_t off;
  switch (rng_below(&st->rng, 4)) {
  case 0:
    off = g.start;
    if (len <= 2 * cap)
      take = len;
    break;
  case 1:
    off = g.start;
    break;
  case 2:
    off = g.end - take;
    break;
  default:
    off = g.start + rng_below(&st->rng, len - take + 1);
    break;
  }
  if (gomem_allocator_free(st->a, off, take) != GOMEM_OK)
    ck_abort_msg("op %lu: free(%zu, %zu) failed", st->op, off, take);
  if (!model_give(&st->m, off, take))
    ck_abort_msg("op %lu: model_give(%zu, %zu)", st->op, off, take);
  return true;
}

/* A free that must fail: double free, overlap with free space on either
 * side, a range covering a free block, past the end, overflow, size 0. */
static void rand_bad_free(rand_state *st)
{
  const model *m = &st->m;
  size_t off = m->size + rng_below(&st->rng, 10), len = 1 + rng_below(&st->rng, 100);
  model_run r = m->nruns ? m->runs[rng_below(&st->rng, m->nruns)] : (model_run){ 0, 0 };
  size_t rlen = r.end - r.start;

  switch (rng_below(&st->rng, 7)) {
  case 0: /* inside a free run */
    if (rlen) {
      off = r.start + rng_below(&st->rng, rlen);
      len = 1 + rng_below(&st->rng, r.end - off);
    }
    break;
  case 1: /* allocated, then the start of a free run */
    if (rlen && r.start > 0) {
      size_t k = 1 + rng_below(&st->rng, r.start < 300 ? r.start : 300);
      off = r.start - k;
      len = k + 1 + rng_below(&st->rng, rlen);
    }
    break;
  case 2: /* the end of a free run, then allocated */
    if (rlen && r.end < m->size) {
      off = r.end - 1 - rng_below(&st->rng, rlen);
      len = r.end - off + 1 + rng_below(&st->rng, m->size - r.end);
    }
    break;
  case 3: /* a whole free run and one allocated unit on each side */
    if (rlen && r.start > 0 && r.end < m->size)
      off = r.start - 1, len = rlen + 2;
    break;
  case 4: /* crossing the end */
    off = m->size - 1 - rng_below(&st->rng, 100);
    len = m->size - off + 1 + rng_below(&st->rng, 100);
    break;
  case 5: /* offset + size overflows */
    off = 1 + rng_below(&st->rng, m->size);
    len = SIZE_MAX - rng_below(&st->rng, 16);
    break;
  default:
    len = 0;
    off = rng_below(&st->rng, m->size);
    break;
  }
  if (model_allocated(m, off, len))
    ck_abort_msg("op %lu: the bad free (%zu, %zu) is valid", st->op, off, len);
  int rc = gomem_allocator_free(st->a, off, len);
  if (rc != GOMEM_ERR_INVALID)
    ck_abort_msg("op %lu: bad free(%zu, %zu) returned %d", st->op, off, len, rc);
  /* rand_step compares free size and block count; the list is cheap enough. */
  assert_list_matches(st);
}

static void rand_step(rand_state *st)
{
  /* Lean towards freeing when more than half is allocated, so the
   * allocator keeps moving through full and fragmented states. */
  size_t alloc_pct = st->m.free_size > st->m.size / 3 ? 60 : 35;
  size_t r = rng_below(&st->rng, 100);

  if (st->op % RESET_EVERY == RESET_EVERY - 1) {
    gomem_allocator_reset(st->a);
    model_reset(&st->m);
  } else if (r < 5) {
    rand_bad_free(st);
  } else if (r < 10) {
    rand_find(st);
  } else if (r < 10 + alloc_pct || !rand_free(st)) {
    rand_alloc(st);
  }
}

static void random_vs_model(gomem_strategy s, size_t size, unsigned long ops, uint64_t seed)
{
  rand_state st = { .best_fit = is_best_fit(s), .good_fit = is_good_fit(s), .rng = seed };

  st.a = open_allocator(s, size);
  if (!st.a)
    return;
  ck_assert(model_init(&st.m, size));
  for (st.op = 0; st.op < ops; st.op++) {
    rand_step(&st);
    if (gomem_allocator_free_size(st.a) != st.m.free_size)
      ck_abort_msg("op %lu: free size %zu, model has %zu", st.op, gomem_allocator_free_size(st.a),
                   st.m.free_size);
    if (gomem_allocator_free_blocks(st.a) != st.m.nruns)
      ck_abort_msg("op %lu: %zu free blocks, model has %zu", st.op,
                   gomem_allocator_free_blocks(st.a), st.m.nruns);
    assert_sound(st.a);
    if (st.op % MAP_EVERY == 0)
      assert_matches_model(&st);
    else if (st.op % LIST_EVERY == 0)
      assert_list_matches(&st);
  }
  assert_matches_model(&st);
  assert_sound(st.a);
  free(st.list.v);
  model_fini(&st.m);
  gomem_allocator_destroy(st.a);
}

START_TEST(test_random_vs_model)
{
  random_vs_model(strategies[_i], RAND_SIZE, RAND_OPS, 0x600d5eed);
}
END_TEST

START_TEST(test_random_small_vs_model)
{
  random_vs_model(strategies[_i], SMALL_SIZE, SMALL_OPS, 0x5eed5);
}
END_TEST

START_TEST(test_random_large_vs_model)
{
  random_vs_model(strategies[_i], LARGE_SIZE, LARGE_OPS, 0x1a59e);
}
END_TEST

/* --- frees scattered over the whole address space --------------------------- */

/* A built strategy other than s to compare with, or DEFAULT if none. */
static gomem_strategy other_strategy(gomem_strategy s)
{
  for (int i = 0; i < N_STRATEGIES; i++) {
    if (strategies[i] != s && gomem_strategy_available(strategies[i]))
      return strategies[i];
  }
  return GOMEM_STRATEGY_DEFAULT;
}

/* A random length: mostly short, sometimes up to 2^63. */
static size_t scattered_len(uint64_t *rng)
{
  unsigned bits = (unsigned)rng_below(rng, 4) == 0 ? (unsigned)rng_below(rng, 64) : 12;
  return 1 + ((rng_next(rng) >> 1) >> (63 - bits));
}

/* Free-only on a pool of SIZE_MAX units, against another strategy: blocks
 * land anywhere in 64 bits, so every level of an index keyed by offset is
 * used. Both must accept and refuse the same frees and end up with the
 * same blocks; one free in two touches an existing block. */
START_TEST(test_scattered_frees)
{
  enum { OPS = 30000, RESET_AT = 10000, COMPARE_EVERY = 64 };
  gomem_strategy s = strategies[_i], r = other_strategy(s);
  gomem_allocator *a = open_allocator(s, SIZE_MAX);
  if (!a)
    return;
  if (r == GOMEM_STRATEGY_DEFAULT) {
    gomem_allocator_destroy(a);
    return;
  }
  gomem_allocator *ref = gomem_allocator_new(SIZE_MAX, r);
  block_list la = { 0 }, lr = { 0 };
  uint64_t rng = 0x5ca77e4ed;
  size_t accepted = 0;

  ck_assert_ptr_nonnull(ref);
  for (int op = 0; op < OPS; op++) {
    if (op % RESET_AT == 0) {
      gomem_allocator_reset(a);
      gomem_allocator_reset(ref);
      ck_assert_uint_eq(must_alloc(a, SIZE_MAX), 0);
      ck_assert_uint_eq(must_alloc(ref, SIZE_MAX), 0);
      lr.n = 0;
    }
    size_t len = scattered_len(&rng), off;
    if (lr.n > 0 && rng_below(&rng, 2) == 0) {
      /* Just below or just above a block, or overlapping its edge. */
      model_run b = lr.v[rng_below(&rng, lr.n)];
      size_t shift = rng_below(&rng, 3);
      if (rng_below(&rng, 2) == 0)
        off = b.start >= len ? b.start - len + shift : 0;
      else
        off = b.end - shift;
    } else {
      off = rng_next(&rng) >> rng_below(&rng, 64);
    }
    int rc = gomem_allocator_free(a, off, len);
    if (rc != gomem_allocator_free(ref, off, len))
      ck_abort_msg("op %d: free(%zu, %zu) returned %d, %s differs", op, off, len, rc,
                   gomem_strategy_name(r));
    accepted += rc == GOMEM_OK;
    if (gomem_allocator_free_blocks(a) != gomem_allocator_free_blocks(ref) ||
        gomem_allocator_free_size(a) != gomem_allocator_free_size(ref))
      ck_abort_msg("op %d: free blocks or size differ", op);
    if (op % COMPARE_EVERY == 0 || rc == GOMEM_OK) {
      list_collect(ref, &lr);
      if (op % COMPARE_EVERY == 0) {
        list_collect(a, &la);
        if (la.n != lr.n || (la.n && memcmp(la.v, lr.v, la.n * sizeof(*la.v)) != 0))
          ck_abort_msg("op %d: free blocks differ", op);
        assert_sound(a);
      }
    }
  }
  ck_assert_uint_gt(accepted, OPS / 10);
  assert_sound(a);
  free(la.v);
  free(lr.v);
  gomem_allocator_destroy(ref);
  gomem_allocator_destroy(a);
}
END_TEST

/* --- the fuzz target's model (fuzz/allocator-model.c) ------------------------ */

/* fuzz-allocator's committed seeds, then random programs: every strategy
 * of the build, bare allocators (over granules too) and chunks. */
START_TEST(test_fuzz_seeds)
{
  ck_assert_uint_gt(replay_corpus(FUZZ_CORPUS, allocator_model_run), 0);
}
END_TEST

START_TEST(test_fuzz_random)
{
  replay_random(allocator_model_run, 0xa110c8, 600, 40000);
}
END_TEST

/* --- aligned allocation, free-space statistics, JSON ------------------------ */

static size_t align_up_test(size_t off, size_t align)
{
  return (off + align - 1) & ~(align - 1);
}

/* Every power of two from 1 to 4096 (and the pool size): after 3 units,
 * the range goes to the first aligned offset of the one free block, the
 * padding stays free, and the ordinary free gives it back. */
START_TEST(test_aligned_every_alignment)
{
  gomem_allocator *a = open_allocator(strategies[_i], 8192);
  if (!a)
    return;
  size_t first, off;

  ck_assert_int_eq(gomem_allocator_alloc(a, 3, &first), GOMEM_OK);
  for (size_t align = 1; align <= 4096; align *= 2) {
    size_t want = align_up_test(3, align);
    ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 5, align, &off), GOMEM_OK);
    ck_assert_uint_eq(off, want);
    if (want > 3) {
      size_t expect[] = { 3, want - 3, want + 5, 8192 - want - 5 };
      assert_blocks(a, expect, 2);
    } else {
      BLOCKS(a, 8, 8184);
    }
    ck_assert_int_eq(gomem_allocator_free(a, off, 5), GOMEM_OK);
    BLOCKS(a, 3, 8189);
  }
  /* An alignment equal to the pool size is valid: only offset 0 has it. */
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 1, 8192, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_allocator_free(a, 0, 3), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 8192, 8192, &off), GOMEM_OK);
  ck_assert_uint_eq(off, 0);
  assert_full(a);
  gomem_allocator_destroy(a);
}
END_TEST

/* A fit that searching for size + align - 1 units would miss. */
START_TEST(test_aligned_complete)
{
  gomem_allocator *a = open_allocator(strategies[_i], 256);
  if (!a)
    return;
  size_t off;

  ck_assert_int_eq(gomem_allocator_alloc(a, 256, &off), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 64, 64), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 64, 64, &off), GOMEM_OK);
  ck_assert_uint_eq(off, 64);
  assert_full(a);
  /* One block [65, 128) and another [200, 203): 32 units aligned to 32
   * fit only at 96. */
  ck_assert_int_eq(gomem_allocator_free(a, 65, 63), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free(a, 200, 3), GOMEM_OK);
  snapshot before = { 0 };
  snapshot_take(a, &before);
  off = 4242;
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 33, 32, &off), GOMEM_ERR_NOMEM);
  ck_assert_uint_eq(off, 4242);
  assert_unchanged(a, &before);
  free(before.blocks.v);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 32, 32, &off), GOMEM_OK);
  ck_assert_uint_eq(off, 96);
  BLOCKS(a, 65, 31, 200, 3);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 2, 4, &off), GOMEM_OK);
  ck_assert_uint_eq(off, 68);
  BLOCKS(a, 65, 3, 70, 26, 200, 3);
  gomem_allocator_destroy(a);
}
END_TEST

START_TEST(test_aligned_bad)
{
  gomem_allocator *a = open_allocator(strategies[_i], 1000);
  if (!a)
    return;
  size_t off = 4242, x;
  snapshot before = { 0 };

  ck_assert_int_eq(gomem_allocator_alloc(a, 7, &x), GOMEM_OK);
  snapshot_take(a, &before);
  static const size_t bad[] = { 0, 3, 6, 12, 1000, 1024, (size_t)1 << 40, SIZE_MAX };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 8, bad[i], &off), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(NULL, 8, 8, &off), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 8, 8, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 0, 8, &off), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, SIZE_MAX, 8, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 994, 2, &off), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 1, 512, &off), GOMEM_OK);
  ck_assert_uint_eq(off, 512);
  ck_assert_int_eq(gomem_allocator_free(a, 512, 1), GOMEM_OK);
  off = 4242;
  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, 489, 512, &off), GOMEM_ERR_NOMEM);
  ck_assert_uint_eq(off, 4242);
  assert_unchanged(a, &before);
  free(before.blocks.v);
  gomem_allocator_destroy(a);
}
END_TEST

/* The model's aligned placement (gomem/allocator.h): in the run the
 * policy picks for size + align - 1, else the lowest aligned fit. */
static bool model_aligned(const model *m, size_t n, size_t align, bool best_fit, bool *exact,
                          size_t *off)
{
  size_t start;

  *exact = true;
  if (model_fit(m, n + align - 1, best_fit, &start)) {
    *off = align_up_test(start, align);
    return true;
  }
  for (size_t i = 0; i < m->nruns; i++) {
    size_t at = align_up_test(m->runs[i].start, align);
    if (at < m->runs[i].end && m->runs[i].end - at >= n) {
      *off = at;
      return true;
    }
  }
  return false;
}

static void assert_free_stats_match(const gomem_allocator *a, const model *m)
{
  gomem_free_stats st = { .struct_size = sizeof(st) };
  uint64_t largest = 0, smallest = 0;

  for (size_t i = 0; i < m->nruns; i++) {
    uint64_t len = m->runs[i].end - m->runs[i].start;
    largest = len > largest ? len : largest;
    smallest = smallest == 0 || len < smallest ? len : smallest;
  }
  ck_assert_int_eq(gomem_allocator_free_stats(a, &st), GOMEM_OK);
  ck_assert_uint_eq(st.struct_size, sizeof(st));
  ck_assert_uint_eq(st.free_bytes, m->free_size);
  ck_assert_uint_eq(st.free_blocks, m->nruns);
  ck_assert_uint_eq(st.largest_free, largest);
  ck_assert_uint_eq(st.smallest_free, smallest);
}

/* The JSON map, compared byte for byte with the one the model gives. */
static void assert_json_matches(const gomem_allocator *a, const model *m)
{
  size_t cap = 128 + m->nruns * 48, n = 0, largest = 0, len = 0;
  char *want = malloc(cap), *got = NULL;

  ck_assert_ptr_nonnull(want);
  for (size_t i = 0; i < m->nruns; i++)
    largest = m->runs[i].end - m->runs[i].start > largest ? m->runs[i].end - m->runs[i].start
                                                          : largest;
  n += (size_t)snprintf(want + n, cap - n,
                        "{\"size\":%zu,\"free_bytes\":%zu,\"free_blocks\":%zu,"
                        "\"largest_free\":%zu,\"free\":[",
                        m->size, m->free_size, m->nruns, largest);
  for (size_t i = 0; i < m->nruns; i++)
    n += (size_t)snprintf(want + n, cap - n, "%s[%zu,%zu]", i ? "," : "", m->runs[i].start,
                          m->runs[i].end - m->runs[i].start);
  n += (size_t)snprintf(want + n, cap - n, "]}");
  ck_assert_uint_lt(n, cap);
  ck_assert_int_eq(gomem_allocator_dump_json(a, &got, &len), GOMEM_OK);
  ck_assert_str_eq(got, want);
  ck_assert_uint_eq(len, n);
  gomem_json_free(got);
  free(want);
}

struct live {
  size_t off, len;
};

/* Random allocations (aligned or not) and frees of random parts against
 * the byte-map model: every aligned request succeeds exactly when the
 * model has an aligned fit, lands where the policy says (first and best
 * fit; good fit must be aligned and free), and the statistics and the
 * JSON map match the model throughout. */
START_TEST(test_aligned_stats_json_vs_model)
{
  gomem_strategy s = strategies[_i];
  enum { SIZE = 1 << 14, OPS = 6000, MAXLIVE = 512 };
  gomem_allocator *a = open_allocator(s, SIZE);
  if (!a)
    return;
  model m;
  struct live live[MAXLIVE];
  size_t nlive = 0;
  uint64_t rng = 0xa119e + (uint64_t)_i;

  ck_assert(model_init(&m, SIZE));
  assert_free_stats_match(a, &m);
  assert_json_matches(a, &m);
  for (int op = 0; op < OPS; op++) {
    if (nlive < MAXLIVE && (nlive == 0 || rng_below(&rng, 100) < 55)) {
      size_t n = 1 + rng_below(&rng, rng_below(&rng, 4) ? 64 : 700);
      size_t align = (size_t)1 << rng_below(&rng, 10), off = SIZE, want = SIZE;
      bool exact, fits = model_aligned(&m, n, align, is_best_fit(s), &exact, &want);
      int rc = gomem_allocator_alloc_aligned(a, n, align, &off);
      ck_assert_int_eq(rc, fits ? GOMEM_OK : GOMEM_ERR_NOMEM);
      if (rc != GOMEM_OK)
        continue;
      ck_assert_uint_eq(off % align, 0);
      if (!is_good_fit(s))
        ck_assert_uint_eq(off, want);
      ck_assert(model_take(&m, off, n));
      live[nlive++] = (struct live){ off, n };
    } else {
      size_t i = rng_below(&rng, nlive);
      /* A random part of it: its head, its tail, or all of it. */
      size_t cut = rng_below(&rng, live[i].len);
      size_t off = live[i].off, len = live[i].len;
      if (cut > 0 && rng_below(&rng, 2)) {
        ck_assert_int_eq(gomem_allocator_free(a, off + cut, len - cut), GOMEM_OK);
        ck_assert(model_give(&m, off + cut, len - cut));
        live[i].len = cut;
      } else {
        ck_assert_int_eq(gomem_allocator_free(a, off, len), GOMEM_OK);
        ck_assert(model_give(&m, off, len));
        live[i] = live[--nlive];
      }
    }
    assert_sound(a);
    assert_free_stats_match(a, &m);
    if (op % 16 == 0)
      assert_json_matches(a, &m);
  }
  assert_json_matches(a, &m);
  model_fini(&m);
  gomem_allocator_destroy(a);
}
END_TEST

/* 20-digit numbers: the map stays whole and valid. */
START_TEST(test_json_large_numbers)
{
  gomem_allocator *a = open_allocator(strategies[_i], SIZE_MAX);
  if (!a)
    return;
  size_t off;
  char *json = NULL, want[256];
  size_t len = 0;

  ck_assert_int_eq(gomem_allocator_alloc_aligned(a, SIZE_MAX / 2, (size_t)1 << 62, &off),
                   GOMEM_OK);
  ck_assert_uint_eq(off, 0);
  ck_assert_int_eq(gomem_allocator_dump_json(a, &json, &len), GOMEM_OK);
  int n = snprintf(want, sizeof(want),
                   "{\"size\":%zu,\"free_bytes\":%zu,\"free_blocks\":1,\"largest_free\":%zu,"
                   "\"free\":[[%zu,%zu]]}",
                   SIZE_MAX, SIZE_MAX - SIZE_MAX / 2, SIZE_MAX - SIZE_MAX / 2, SIZE_MAX / 2,
                   SIZE_MAX - SIZE_MAX / 2);
  ck_assert_str_eq(json, want);
  ck_assert_uint_eq(len, (size_t)n);
  gomem_json_free(json);
  gomem_allocator_destroy(a);
}
END_TEST

/* struct_size: too small is refused; a shorter struct gets only its
 * whole fields; NULL arguments are refused. */
START_TEST(test_free_stats_struct_size)
{
  gomem_allocator *a = open_allocator(strategies[_i], 100);
  if (!a)
    return;
  size_t off;
  struct {
    gomem_free_stats st;
    uint64_t guard;
  } buf;

  ck_assert_int_eq(gomem_allocator_alloc(a, 10, &off), GOMEM_OK);
  ck_assert_int_eq(gomem_allocator_free_stats(NULL, &buf.st), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_free_stats(a, NULL), GOMEM_ERR_INVALID);
  memset(&buf, 0xab, sizeof(buf));
  buf.st.struct_size = sizeof(size_t) - 1;
  ck_assert_int_eq(gomem_allocator_free_stats(a, &buf.st), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(buf.st.free_bytes, UINT64_C(0xabababababababab));
  /* free_bytes and half of free_blocks: only free_bytes is written. */
  buf.st.struct_size = offsetof(gomem_free_stats, free_blocks) + 4;
  ck_assert_int_eq(gomem_allocator_free_stats(a, &buf.st), GOMEM_OK);
  ck_assert_uint_eq(buf.st.free_bytes, 90);
  ck_assert_uint_eq(buf.st.free_blocks, UINT64_C(0xabababababababab));
  buf.st.struct_size = sizeof(buf);
  ck_assert_int_eq(gomem_allocator_free_stats(a, &buf.st), GOMEM_OK);
  ck_assert_uint_eq(buf.st.smallest_free, 90);
  ck_assert_uint_eq(buf.guard, UINT64_C(0xabababababababab));
  /* Nothing free: largest and smallest are 0. */
  ck_assert_int_eq(gomem_allocator_alloc(a, 90, &off), GOMEM_OK);
  buf.st.struct_size = sizeof(buf.st);
  ck_assert_int_eq(gomem_allocator_free_stats(a, &buf.st), GOMEM_OK);
  ck_assert_uint_eq(buf.st.free_bytes, 0);
  ck_assert_uint_eq(buf.st.free_blocks, 0);
  ck_assert_uint_eq(buf.st.largest_free, 0);
  ck_assert_uint_eq(buf.st.smallest_free, 0);
  char *json = (char *)&buf;
  size_t len = 77;
  ck_assert_int_eq(gomem_allocator_dump_json(NULL, &json, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_allocator_dump_json(a, NULL, &len), GOMEM_ERR_INVALID);
  ck_assert_ptr_eq(json, (char *)&buf);
  ck_assert_uint_eq(len, 77);
  ck_assert_int_eq(gomem_allocator_dump_json(a, &json, NULL), GOMEM_OK);
  ck_assert_str_eq(json, "{\"size\":100,\"free_bytes\":0,\"free_blocks\":0,\"largest_free\":0,"
                         "\"free\":[]}");
  gomem_json_free(json);
  gomem_json_free(NULL);
  gomem_allocator_destroy(a);
}
END_TEST

/* --- the suite -------------------------------------------------------------- */

static Suite *allocator_suite(void)
{
  Suite *s = suite_create("allocator");
  TCase *api = tcase_create("api");
  TCase *conf = tcase_create("conformance");
  TCase *heavy = tcase_create("heavy");

  tcase_add_test(api, test_default_strategy);
  tcase_add_test(api, test_create_bad_input);
  tcase_add_test(api, test_null_handle);
  tcase_add_test(api, test_policy_first_fit);
  tcase_add_test(api, test_policy_best_fit);
  tcase_add_test(api, test_policy_good_fit);
  suite_add_tcase(s, api);

  /* Every loop test runs once per entry of strategies[]. */
  tcase_set_timeout(conf, 60);
  tcase_add_loop_test(conf, test_available, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_go_scenario, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_go_history_replay, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_go_fuzz_port, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_partial_free_middle, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_coalesce, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_free_spanning_allocations, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_fill_unit_by_unit, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_whole_address_space, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_reset, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_init, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_find_vs_alloc, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_foreach_stops, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_hot_block, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_sequential_rounds, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_bad_free, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_bad_alloc_find, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_aligned_every_alignment, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_aligned_complete, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_aligned_bad, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_free_stats_struct_size, 0, N_STRATEGIES);
  tcase_add_loop_test(conf, test_json_large_numbers, 0, N_STRATEGIES);
  suite_add_tcase(s, conf);

  /* Valgrind runs these many times slower than native. */
  tcase_set_timeout(heavy, 300);
  tcase_add_loop_test(heavy, test_depth_forwards, 0, N_STRATEGIES);
  tcase_add_loop_test(heavy, test_depth_backwards, 0, N_STRATEGIES);
  tcase_add_loop_test(heavy, test_random_vs_model, 0, N_STRATEGIES);
  tcase_add_loop_test(heavy, test_random_small_vs_model, 0, N_STRATEGIES);
  tcase_add_loop_test(heavy, test_random_large_vs_model, 0, N_STRATEGIES);
  tcase_add_loop_test(heavy, test_scattered_frees, 0, N_STRATEGIES);
  tcase_add_loop_test(heavy, test_aligned_stats_json_vs_model, 0, N_STRATEGIES);
  tcase_add_test(heavy, test_fuzz_seeds);
  tcase_add_test(heavy, test_fuzz_random);
  suite_add_tcase(s, heavy);
  return s;
}

int main(void)
{
  return run_suite(allocator_suite());
}
