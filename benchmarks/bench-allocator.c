/* SPDX-License-Identifier: MIT */
/*
 * bench-allocator.c — the Go seed's range-allocator rows
 * (allocator_bench_test.go, compare_bench_test.go) for every strategy in the
 * build, side by side with the Go README's figures.
 *
 * Every row works on a 64 KiB allocator, as the seed does:
 *   Allocate         alloc 1 KiB + free it
 *   AllocateSmall    alloc 64 B + free it
 *   AllocateLarge    alloc 8 KiB + free it
 *   SequentialAlloc  50 x alloc 1 KiB, then free all 50 (ns per round)
 *   RandomAlloc      alloc + free, sizes 64, 128, ..., 4096 in turn
 *   GetFreeSize      gomem_allocator_free_size
 *   Find             gomem_allocator_find(1 KiB)
 *
 * Results are summed in a register and only a copy escapes, after the
 * loop: a sum whose address escapes stays in memory, and its store and
 * reload would be a chain through every iteration.
 *
 * Each (row, strategy) is calibrated to about 20 ms, then run `reps` times;
 * the table shows the median in ns per op of the calling thread's CPU time.
 *
 * A second table, flatness: 1 KiB alloc + free on an allocator that has n
 * free blocks (n = 1, 100, 1000, 20000, 100000): n - 1 holes and a 64 KiB
 * tail, each hole followed by 64 allocated units. Two layouts: holes too
 * small (512 units: every fit is in the tail) and exact holes (1024 units:
 * each alloc takes a hole and each free makes it again). Then churn rows:
 * K live blocks of random sizes (16 B .. 4 KiB), each op frees a random
 * one and allocates a new one in its place (ns per free + alloc).
 *
 * A last table puts the Allocate row beside glibc's malloc(1024) + free
 * in the same process: the two loops alternate rep by rep (which one goes
 * first alternates too), and the ratio is the median of the per-rep ratios
 * ours / glibc, which cancels most of the drift of a shared machine.
 *
 * Usage: bench-allocator [reps]     (default 7; also `ninja -C build bench`)
 *        bench-allocator reps flat    only the flatness and churn tables
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gomem/gomem.h>

#include "bench.h"

#define POOL_SIZE (64 * 1024)
#define TARGET_NS (20 * 1000 * 1000)
#define SEQUENTIAL_BLOCKS 50

typedef struct ctx {
  gomem_allocator *a;
} ctx;

/* Make v count as used. The copy escapes, so the caller's variable keeps
 * no address and can live in a register. */
static void keep(size_t v)
{
  bench_escape(&v);
}

static void fail(const char *what)
{
  fprintf(stderr, "bench-allocator: %s failed\n", what);
  exit(EXIT_FAILURE);
}

/* alloc + free, the size cycling through sizes[0..n) (one size: n = 1). */
static uint64_t alloc_free(ctx *c, size_t iters, const size_t *sizes, size_t n)
{
  gomem_allocator *a = c->a;
  size_t k = 0, sink = 0;

  uint64_t start = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    size_t size = sizes[k], off;
    k = k + 1 == n ? 0 : k + 1;
    if (gomem_allocator_alloc(a, size, &off) != GOMEM_OK)
      fail("alloc");
    sink += off;
    if (gomem_allocator_free(a, off, size) != GOMEM_OK)
      fail("free");
  }
  uint64_t ns = bench_thread_ns() - start;
  keep(sink);
  return ns;
}

static uint64_t run_allocate(void *p, size_t iters)
{
  static const size_t size = 1024;
  return alloc_free(p, iters, &size, 1);
}

static uint64_t run_allocate_small(void *p, size_t iters)
{
  static const size_t size = 64;
  return alloc_free(p, iters, &size, 1);
}

static uint64_t run_allocate_large(void *p, size_t iters)
{
  static const size_t size = 8192;
  return alloc_free(p, iters, &size, 1);
}

static uint64_t run_random(void *p, size_t iters)
{
  static const size_t sizes[] = { 64, 128, 256, 512, 1024, 2048, 4096 };
  return alloc_free(p, iters, sizes, sizeof(sizes) / sizeof(sizes[0]));
}

static uint64_t run_sequential(void *p, size_t iters)
{
  gomem_allocator *a = ((ctx *)p)->a;
  size_t offs[SEQUENTIAL_BLOCKS];

  uint64_t start = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    for (size_t j = 0; j < SEQUENTIAL_BLOCKS; j++) {
      if (gomem_allocator_alloc(a, 1024, &offs[j]) != GOMEM_OK)
        fail("alloc");
    }
    for (size_t j = 0; j < SEQUENTIAL_BLOCKS; j++) {
      if (gomem_allocator_free(a, offs[j], 1024) != GOMEM_OK)
        fail("free");
    }
  }
  uint64_t ns = bench_thread_ns() - start;
  bench_escape(offs);
  return ns;
}

static uint64_t run_free_size(void *p, size_t iters)
{
  gomem_allocator *a = ((ctx *)p)->a;
  size_t sink = 0;

  uint64_t start = bench_thread_ns();
  for (size_t i = 0; i < iters; i++)
    sink += gomem_allocator_free_size(a);
  uint64_t ns = bench_thread_ns() - start;
  keep(sink);
  return ns;
}

static uint64_t run_find(void *p, size_t iters)
{
  gomem_allocator *a = ((ctx *)p)->a;
  size_t sink = 0;

  uint64_t start = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    size_t off;
    if (gomem_allocator_find(a, 1024, &off) != GOMEM_OK)
      fail("find");
    sink += off;
  }
  uint64_t ns = bench_thread_ns() - start;
  keep(sink);
  return ns;
}

/* glibc's malloc(1024) + free: what the Allocate row is compared with. */
static uint64_t run_glibc(void *p, size_t iters)
{
  uint64_t start = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    void *m = malloc(1024);
    if (!m)
      fail("malloc");
    bench_escape(m);
    free(m);
  }
  return bench_thread_ns() - start;
}

/* The Go README's table "Single-Tree vs Two-Tree Allocator Performance
 * Comparison" (Apple M2 Pro, Go 1.23.0), ns/op: single tree = Go's
 * default treap, two trees = the `twotree` AVL build. */
static const struct row {
  const char *name;
  bench_fn fn;
  double go_single, go_two;
} rows[] = {
  { "Allocate", run_allocate, 12.33, 22.71 },
  { "AllocateSmall", run_allocate_small, 12.32, 22.60 },
  { "AllocateLarge", run_allocate_large, 12.14, 22.61 },
  { "SequentialAlloc", run_sequential, 1961, 3467 },
  { "RandomAlloc", run_random, 12.47, 23.02 },
  { "GetFreeSize", run_free_size, 3.94, 4.27 },
  { "Find", run_find, 3.03, 1.51 },
};

static const gomem_strategy strategies[] = { GOMEM_STRATEGY_TREAP, GOMEM_STRATEGY_AVL,
                                              GOMEM_STRATEGY_TLSF };
#define N_STRATEGIES (sizeof(strategies) / sizeof(strategies[0]))

/* Median ns/op of one row on a fresh allocator, or -1 if the strategy is
 * not built. */
static double measure(const struct row *r, gomem_strategy s, int reps)
{
  double ns[BENCH_MAX_REPS];
  ctx c = { gomem_allocator_new(POOL_SIZE, s) };

  if (!c.a)
    return -1;
  size_t iters = bench_calibrate(r->fn, &c, TARGET_NS);
  for (int i = 0; i < reps; i++)
    ns[i] = (double)r->fn(&c, iters) / (double)iters;
  gomem_allocator_destroy(c.a);
  return bench_median(ns, (size_t)reps);
}

static double per_op(bench_fn fn, void *p, size_t iters)
{
  return (double)fn(p, iters) / (double)iters;
}

/* The Allocate row of strategy s and glibc's pair, alternated rep by rep
 * (the side that goes first alternates too). Stores the median ns/op of
 * each side and the median of the per-rep ratios ours / glibc in out[0..3),
 * or -1 in each if the strategy is not built. */
static void measure_vs_glibc(gomem_strategy s, int reps, double out[3])
{
  double ours[BENCH_MAX_REPS], glibc[BENCH_MAX_REPS], ratios[BENCH_MAX_REPS];
  ctx c = { gomem_allocator_new(POOL_SIZE, s) };

  out[0] = out[1] = out[2] = -1;
  if (!c.a)
    return;
  size_t n_ours = bench_calibrate(run_allocate, &c, TARGET_NS);
  size_t n_glibc = bench_calibrate(run_glibc, NULL, TARGET_NS);
  for (int i = 0; i < reps; i++) {
    if (i % 2 == 0) {
      ours[i] = per_op(run_allocate, &c, n_ours);
      glibc[i] = per_op(run_glibc, NULL, n_glibc);
    } else {
      glibc[i] = per_op(run_glibc, NULL, n_glibc);
      ours[i] = per_op(run_allocate, &c, n_ours);
    }
    ratios[i] = ours[i] / glibc[i];
  }
  gomem_allocator_destroy(c.a);
  out[0] = bench_median(ours, (size_t)reps);
  out[1] = bench_median(glibc, (size_t)reps);
  out[2] = bench_median(ratios, (size_t)reps);
}

static void print_cell(double v)
{
  if (v < 0)
    printf(" %10s", "n/a");
  else
    printf(" %10.2f", v);
}

static double ratio(double num, double den)
{
  return num < 0 || den <= 0 ? -1 : num / den;
}

/* --- flatness: cost against the number of free blocks ---------------------- */

#define HOLE_GAP 64
#define TAIL_SIZE (64 * 1024)

static const size_t hole_counts[] = { 1, 100, 1000, 20000, 100000 };
#define N_HOLE_COUNTS (sizeof(hole_counts) / sizeof(hole_counts[0]))

/* An allocator with n free blocks: n - 1 holes of hole units, each with
 * HOLE_GAP allocated units after it, then a free tail of TAIL_SIZE. NULL
 * if the strategy is not built. */
static gomem_allocator *open_holes(gomem_strategy s, size_t n, size_t hole)
{
  size_t stride = hole + HOLE_GAP, size = (n - 1) * stride + TAIL_SIZE, off;
  gomem_allocator *a = gomem_allocator_new(size, s);

  if (!a)
    return NULL;
  if (gomem_allocator_alloc(a, size, &off) != GOMEM_OK)
    fail("alloc all");
  for (size_t i = 0; i + 1 < n; i++) {
    if (gomem_allocator_free(a, i * stride, hole) != GOMEM_OK)
      fail("free hole");
  }
  if (gomem_allocator_free(a, (n - 1) * stride, TAIL_SIZE) != GOMEM_OK)
    fail("free tail");
  if (gomem_allocator_free_blocks(a) != n)
    fail("hole layout");
  return a;
}

/* Median ns per 1 KiB alloc + free with n free blocks, or -1. */
static double measure_holes(gomem_strategy s, size_t n, size_t hole, int reps)
{
  double ns[BENCH_MAX_REPS];
  ctx c = { open_holes(s, n, hole) };

  if (!c.a)
    return -1;
  size_t iters = bench_calibrate(run_allocate, &c, TARGET_NS);
  for (int i = 0; i < reps; i++)
    ns[i] = per_op(run_allocate, &c, iters);
  if (gomem_allocator_free_blocks(c.a) != n)
    fail("holes kept");
  gomem_allocator_destroy(c.a);
  return bench_median(ns, (size_t)reps);
}

static void flatness_table(const char *title, size_t hole, int reps)
{
  double first = -1;

  printf("\n1 KiB alloc + free, %s (%zu-unit holes): ns/op, median of %d\n", title, hole, reps);
  printf("%-16s", "free blocks");
  for (size_t k = 0; k < N_STRATEGIES; k++)
    printf(" %10s", gomem_strategy_name(strategies[k]));
  printf(" %10s\n", "tlsf/n=1");
  for (size_t i = 0; i < N_HOLE_COUNTS; i++) {
    double tlsf = -1;

    printf("%-16zu", hole_counts[i]);
    for (size_t k = 0; k < N_STRATEGIES; k++) {
      double v = measure_holes(strategies[k], hole_counts[i], hole, reps);
      print_cell(v);
      if (strategies[k] == GOMEM_STRATEGY_TLSF)
        tlsf = v;
    }
    if (i == 0)
      first = tlsf;
    print_cell(ratio(tlsf, first));
    printf("\n");
    fflush(stdout);
  }
}

/* --- churn: random sizes, random frees -------------------------------------- */

typedef struct churn {
  gomem_allocator *a;
  size_t live;        /* slots */
  size_t *off, *len;  /* len 0: the slot is empty */
  uint64_t rng;
} churn;

static size_t churn_size(churn *c)
{
  c->rng ^= c->rng << 13;
  c->rng ^= c->rng >> 7;
  c->rng ^= c->rng << 17;
  return 16 + (size_t)(c->rng >> 32) % 4081;
}

static size_t churn_slot(churn *c)
{
  c->rng ^= c->rng << 13;
  c->rng ^= c->rng >> 7;
  c->rng ^= c->rng << 17;
  return (size_t)(c->rng >> 32) % c->live;
}

static void churn_refill(churn *c, size_t i)
{
  size_t len = churn_size(c);

  c->len[i] = gomem_allocator_alloc(c->a, len, &c->off[i]) == GOMEM_OK ? len : 0;
}

static uint64_t run_churn(void *p, size_t iters)
{
  churn *c = p;

  uint64_t start = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    size_t k = churn_slot(c);
    if (c->len[k] && gomem_allocator_free(c->a, c->off[k], c->len[k]) != GOMEM_OK)
      fail("churn free");
    churn_refill(c, k);
  }
  return bench_thread_ns() - start;
}

/* Median ns per free + alloc with `live` blocks of 16 B .. 4 KiB in a
 * pool of twice their expected total, or -1; *blocks gets the free block
 * count at the end. */
static double measure_churn(gomem_strategy s, size_t live, int reps, size_t *blocks)
{
  double ns[BENCH_MAX_REPS];
  churn c = { gomem_allocator_new(live * 4096, s), live, NULL, NULL, 0x9e3779b97f4a7c15u };

  if (!c.a)
    return -1;
  c.off = calloc(live, sizeof(*c.off));
  c.len = calloc(live, sizeof(*c.len));
  if (!c.off || !c.len)
    fail("calloc");
  for (size_t i = 0; i < live; i++)
    churn_refill(&c, i);
  /* Shake the layout into its steady state before timing. */
  run_churn(&c, 20 * live);
  size_t iters = bench_calibrate(run_churn, &c, TARGET_NS);
  for (int i = 0; i < reps; i++)
    ns[i] = per_op(run_churn, &c, iters);
  *blocks = gomem_allocator_free_blocks(c.a);
  free(c.off);
  free(c.len);
  gomem_allocator_destroy(c.a);
  return bench_median(ns, (size_t)reps);
}

static void churn_table(int reps)
{
  static const size_t lives[] = { 1000, 20000 };

  printf("\nchurn: free a random live block, allocate 16 B .. 4 KiB in its place;\n"
         "ns per free + alloc, median of %d (free blocks at the end in brackets)\n", reps);
  printf("%-16s", "live blocks");
  for (size_t k = 0; k < N_STRATEGIES; k++)
    printf(" %18s", gomem_strategy_name(strategies[k]));
  printf("\n");
  for (size_t i = 0; i < sizeof(lives) / sizeof(lives[0]); i++) {
    printf("%-16zu", lives[i]);
    for (size_t k = 0; k < N_STRATEGIES; k++) {
      size_t blocks = 0;
      double v = measure_churn(strategies[k], lives[i], reps, &blocks);
      if (v < 0)
        printf(" %18s", "n/a");
      else
        printf(" %10.2f (%5zu)", v, blocks);
    }
    printf("\n");
    fflush(stdout);
  }
}

static void go_table(int reps)
{
  printf("range allocator, %d KiB pool: ns/op (thread CPU time), median of %d runs\n",
         POOL_SIZE / 1024, reps);
  printf("Go = the Go README (Apple M2 Pro): single tree = treap, two trees = avl\n");
  printf("%-16s", "row");
  for (size_t k = 0; k < N_STRATEGIES; k++)
    printf(" %10s", gomem_strategy_name(strategies[k]));
  printf(" %10s %10s %10s\n", "Go single", "Go two", "two/single");
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    const struct row *r = &rows[i];

    printf("%-16s", r->name);
    for (size_t k = 0; k < N_STRATEGIES; k++)
      print_cell(measure(r, strategies[k], reps));
    print_cell(r->go_single);
    print_cell(r->go_two);
    print_cell(ratio(r->go_two, r->go_single));
    printf("\n");
  }
}

static void glibc_table(int reps)
{
  printf("\nAllocate beside glibc malloc(1024) + free, alternated rep by rep: ns/op, and the\n"
         "median of the %d paired ratios ours / glibc\n", reps);
  printf("%-16s %10s %10s %10s\n", "strategy", "ours", "glibc", "ours/glibc");
  for (size_t i = 0; i < N_STRATEGIES; i++) {
    double v[3];
    measure_vs_glibc(strategies[i], reps, v);
    printf("%-16s", gomem_strategy_name(strategies[i]));
    print_cell(v[0]);
    print_cell(v[1]);
    print_cell(v[2]);
    printf("\n");
  }
}

int main(int argc, char **argv)
{
  int reps = argc > 1 ? atoi(argv[1]) : 7;
  bool flat_only = argc > 2 && strcmp(argv[2], "flat") == 0;

  if (argc > 3 || (argc > 2 && !flat_only) || reps < 1 || reps > BENCH_MAX_REPS) {
    fprintf(stderr, "usage: %s [reps 1..%d [flat]]\n", argv[0], BENCH_MAX_REPS);
    return EXIT_FAILURE;
  }
  if (!flat_only)
    go_table(reps);
  flatness_table("holes too small", 512, reps);
  flatness_table("exact holes", 1024, reps);
  churn_table(reps);
  if (!flat_only)
    glibc_table(reps);
  return EXIT_SUCCESS;
}
