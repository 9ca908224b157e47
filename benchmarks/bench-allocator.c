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
 * A second table puts the Allocate row beside glibc's malloc(1024) + free
 * in the same process: the two loops alternate rep by rep (which one goes
 * first alternates too), and the ratio is the median of the per-rep ratios
 * ours / glibc, which cancels most of the drift of a shared machine.
 *
 * Usage: bench-allocator [reps]     (default 7; also `ninja -C build bench`)
 */
#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv)
{
  int reps = argc > 1 ? atoi(argv[1]) : 7;

  if (argc > 2 || reps < 1 || reps > BENCH_MAX_REPS) {
    fprintf(stderr, "usage: %s [reps 1..%d]\n", argv[0], BENCH_MAX_REPS);
    return EXIT_FAILURE;
  }
  printf("range allocator, %d KiB pool: ns/op (thread CPU time), median of %d runs\n",
         POOL_SIZE / 1024, reps);
  printf("Go = the Go README (Apple M2 Pro): single tree = treap, two trees = avl\n");
  printf("%-16s %10s %10s %10s %10s %10s %10s\n", "row", "treap", "avl", "avl/treap",
         "Go single", "Go two", "two/single");
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    const struct row *r = &rows[i];
    double treap = measure(r, GOMEM_STRATEGY_TREAP, reps);
    double avl = measure(r, GOMEM_STRATEGY_AVL, reps);

    printf("%-16s", r->name);
    print_cell(treap);
    print_cell(avl);
    print_cell(ratio(avl, treap));
    print_cell(r->go_single);
    print_cell(r->go_two);
    print_cell(ratio(r->go_two, r->go_single));
    printf("\n");
  }

  printf("\nAllocate beside glibc malloc(1024) + free, alternated rep by rep: ns/op, and the\n"
         "median of the %d paired ratios ours / glibc\n", reps);
  printf("%-16s %10s %10s %10s\n", "strategy", "ours", "glibc", "ours/glibc");
  static const gomem_strategy strategies[] = { GOMEM_STRATEGY_TREAP, GOMEM_STRATEGY_AVL };
  for (size_t i = 0; i < sizeof(strategies) / sizeof(strategies[0]); i++) {
    double v[3];
    measure_vs_glibc(strategies[i], reps, v);
    printf("%-16s", gomem_strategy_name(strategies[i]));
    print_cell(v[0]);
    print_cell(v[1]);
    print_cell(v[2]);
    printf("\n");
  }
  return EXIT_SUCCESS;
}
