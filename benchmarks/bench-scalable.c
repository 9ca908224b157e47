/* SPDX-License-Identifier: MIT */
/*
 * bench-scalable.c — the Go seed's ScalableMemoryAllocator and
 * RecyclableMemory benchmarks (scalable_bench_test.go) on gomem_scalable and
 * gomem_recyclable, next to the same pattern on a malloc-style peer.
 *
 * One source, several binaries (see meson.build):
 *   bench-scalable        gomem rows and the glibc peer (BENCH_WITH_GOMEM)
 *   bench-peer-mimalloc   only the peer rows, with mi_malloc / mi_free
 *   bench-peer-jemalloc   only the peer rows, with jemalloc's malloc / free
 * benchmarks/report.sh runs them all and prints one table.
 *
 * Setups follow the Go code exactly: every gomem row starts from
 * gomem_scalable_new(1024) (Go's NewScalableMemoryAllocator(1024)), made
 * before the clock starts like Go's b.ResetTimer(), and one "op" is one Go
 * loop iteration (SequentialAlloc: 50 allocations + 50 frees).
 *
 * The peer does what a C program does without gomem:
 *   Malloc*, Random*, Scaling, Concurrent, MemoryPressure, SequentialAlloc:
 *                the same allocations and frees with malloc / free.
 *   Borrow*, RandomBorrow, MixedPattern: scratch memory in C is malloc +
 *                free, so the peer does that where gomem borrows.
 *   FreeRest     malloc(1024), realloc down to 256, free.
 *   NextN, BatchRecycle, WithRecycleIndexes: malloc each buffer into an
 *                array, free them all where gomem recycles.
 *   GetStats     no malloc equivalent: n/a.
 * Neither side touches the memory; every pointer escapes to the compiler
 * (bench_escape) so no allocation can be optimized away. Time is the
 * thread's CPU time (bench_thread_ns): steadier than wall time on a busy
 * machine, the same on an idle one.
 *
 * Usage: bench-scalable [--tsv] [--reps N] [--ms N] [--filter SUBSTRING]
 *   --reps N   repetitions per row; the median is printed (default 5)
 *   --ms N     target milliseconds per repetition (default 20)
 *   --tsv      machine-readable lines "row<TAB>allocator<TAB>ns/op"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "peer.h"

#ifdef BENCH_WITH_GOMEM
#include <gomem/recyclable.h>
#include <gomem/scalable.h>
#endif

#define KIB ((size_t)1024)
#define GO_INITIAL KIB /* NewScalableMemoryAllocator(1024) in every Go benchmark */
#define SEQ_BLOCKS 50
#define CONCURRENT_BLOCKS 20
#define PRESSURE_BLOCKS 100
#define NEXTN_RECYCLE_EVERY 100
#define BATCH 10

static const size_t random_sizes[] = {64, 128, 256, 512, 1024, 2048, 4096};
#define N_RANDOM (sizeof random_sizes / sizeof random_sizes[0])
static const size_t scaling_sizes[] = {1024, 2048, 4096, 8192, 16384};
#define N_SCALING (sizeof scaling_sizes / sizeof scaling_sizes[0])

/* A row's body: run @p iters Go iterations and return the nanoseconds they
 * took (set-up and tear-down are not timed). Sets `failed` on any error. */
typedef uint64_t (*row_fn)(size_t iters);

static int failed;

static void fail(const char *what)
{
  if (!failed)
    fprintf(stderr, "bench-scalable: %s failed\n", what);
  failed = 1;
}

/* --- the peer (malloc-style) patterns ---------------------------------------- */

static int peer_pair(size_t size)
{
  void *p = peer_malloc(size);
  if (!p)
    return -1;
  bench_escape(p);
  peer_free(p, size);
  return 0;
}

static uint64_t peer_pairs_fixed(size_t iters, size_t size)
{
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (peer_pair(size) != 0) {
      fail("malloc");
      break;
    }
  }
  return bench_thread_ns() - t0;
}

static uint64_t peer_pairs_cycle(size_t iters, const size_t *sizes, size_t n)
{
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (peer_pair(sizes[i % n]) != 0) {
      fail("malloc");
      break;
    }
  }
  return bench_thread_ns() - t0;
}

static uint64_t peer_1k(size_t iters) { return peer_pairs_fixed(iters, 1024); }
static uint64_t peer_64(size_t iters) { return peer_pairs_fixed(iters, 64); }
static uint64_t peer_8k(size_t iters) { return peer_pairs_fixed(iters, 8192); }
static uint64_t peer_random(size_t iters) { return peer_pairs_cycle(iters, random_sizes, N_RANDOM); }
static uint64_t peer_scaling(size_t iters) { return peer_pairs_cycle(iters, scaling_sizes, N_SCALING); }

/* Allocate n blocks (size of block j from size_of(j)), then free them all. */
static int peer_batch(void **slots, size_t n, size_t (*size_of)(size_t j))
{
  for (size_t j = 0; j < n; j++) {
    slots[j] = peer_malloc(size_of(j));
    if (!slots[j]) {
      for (size_t k = 0; k < j; k++)
        peer_free(slots[k], size_of(k));
      return -1;
    }
    bench_escape(slots[j]);
  }
  for (size_t j = 0; j < n; j++)
    peer_free(slots[j], size_of(j));
  return 0;
}

static size_t size_1k(size_t j) { (void)j; return 1024; }
static size_t size_concurrent(size_t j) { return 64 * (j + 1); }

static uint64_t peer_batches(size_t iters, size_t n, size_t (*size_of)(size_t j))
{
  void *slots[PRESSURE_BLOCKS];
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (peer_batch(slots, n, size_of) != 0) {
      fail("malloc");
      break;
    }
  }
  return bench_thread_ns() - t0;
}

static uint64_t peer_sequential(size_t iters) { return peer_batches(iters, SEQ_BLOCKS, size_1k); }
static uint64_t peer_concurrent(size_t iters) { return peer_batches(iters, CONCURRENT_BLOCKS, size_concurrent); }
static uint64_t peer_batch_recycle(size_t iters) { return peer_batches(iters, BATCH, size_1k); }

static uint64_t peer_free_rest(size_t iters)
{
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    void *p = peer_malloc(1024);
    void *q = p ? peer_shrink(p, 256) : NULL;
    if (!q) {
      peer_free(p, 1024);
      fail("malloc/realloc");
      break;
    }
    bench_escape(q);
    peer_free(q, 256);
  }
  return bench_thread_ns() - t0;
}

static size_t size_pressure(size_t j) { return 1024 + j * 64; }

/* Go: 100 increasing sizes; after every third allocation the oldest live
 * block is freed (a FIFO); the rest are freed at the end. */
static int peer_pressure_once(void **fifo)
{
  size_t head = 0, tail = 0;
  size_t sizes[PRESSURE_BLOCKS];
  for (size_t j = 0; j < PRESSURE_BLOCKS; j++) {
    void *p = peer_malloc(size_pressure(j));
    if (p) {
      bench_escape(p);
      sizes[tail] = size_pressure(j);
      fifo[tail++] = p;
    }
    if (j % 3 == 0 && head < tail) {
      peer_free(fifo[head], sizes[head]);
      head++;
    }
  }
  for (; head < tail; head++)
    peer_free(fifo[head], sizes[head]);
  return 0;
}

static uint64_t peer_pressure(size_t iters)
{
  void *fifo[PRESSURE_BLOCKS];
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++)
    peer_pressure_once(fifo);
  return bench_thread_ns() - t0;
}

static void peer_free_all(void **slots, size_t *n)
{
  for (size_t k = 0; k < *n; k++)
    peer_free(slots[k], 1024);
  *n = 0;
}

/* Go: NextN(1024) every iteration, Recycle when i % 100 == 0. */
static uint64_t peer_nextn(size_t iters)
{
  void *slots[NEXTN_RECYCLE_EVERY];
  size_t n = 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    slots[n] = peer_malloc(1024);
    if (!slots[n]) {
      fail("malloc");
      break;
    }
    bench_escape(slots[n++]);
    if (i % NEXTN_RECYCLE_EVERY == 0)
      peer_free_all(slots, &n);
  }
  uint64_t ns = bench_thread_ns() - t0;
  peer_free_all(slots, &n);
  return ns;
}

/* --- gomem ------------------------------------------------------------------ */

#ifdef BENCH_WITH_GOMEM

static gomem_scalable *new_go_allocator(void)
{
  gomem_scalable *s = gomem_scalable_new(GO_INITIAL);
  if (!s)
    fail("gomem_scalable_new");
  return s;
}

static int gomem_pair(gomem_scalable *s, size_t size)
{
  void *p = gomem_scalable_malloc(s, size);
  if (!p)
    return -1;
  bench_escape(p);
  return gomem_scalable_free(s, p, size);
}

static uint64_t gomem_pairs_cycle(size_t iters, const size_t *sizes, size_t n)
{
  gomem_scalable *s = new_go_allocator();
  if (!s)
    return 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (gomem_pair(s, sizes[i % n]) != 0) {
      fail("gomem_scalable_malloc/free");
      break;
    }
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_scalable_destroy(s);
  return ns;
}

static uint64_t gomem_borrows_cycle(size_t iters, const size_t *sizes, size_t n)
{
  gomem_scalable *s = new_go_allocator();
  if (!s)
    return 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    void *p = gomem_scalable_borrow(s, sizes[i % n]);
    if (!p) {
      fail("gomem_scalable_borrow");
      break;
    }
    bench_escape(p);
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_scalable_destroy(s);
  return ns;
}

static const size_t size_1k_list[] = {1024};
static const size_t size_64_list[] = {64};
static const size_t size_8k_list[] = {8192};

static uint64_t gomem_malloc_1k(size_t iters) { return gomem_pairs_cycle(iters, size_1k_list, 1); }
static uint64_t gomem_malloc_64(size_t iters) { return gomem_pairs_cycle(iters, size_64_list, 1); }
static uint64_t gomem_malloc_8k(size_t iters) { return gomem_pairs_cycle(iters, size_8k_list, 1); }
static uint64_t gomem_borrow_1k(size_t iters) { return gomem_borrows_cycle(iters, size_1k_list, 1); }
static uint64_t gomem_borrow_64(size_t iters) { return gomem_borrows_cycle(iters, size_64_list, 1); }
static uint64_t gomem_borrow_8k(size_t iters) { return gomem_borrows_cycle(iters, size_8k_list, 1); }
static uint64_t gomem_random(size_t iters) { return gomem_pairs_cycle(iters, random_sizes, N_RANDOM); }
static uint64_t gomem_random_borrow(size_t iters) { return gomem_borrows_cycle(iters, random_sizes, N_RANDOM); }
static uint64_t gomem_scaling(size_t iters) { return gomem_pairs_cycle(iters, scaling_sizes, N_SCALING); }

/* Allocate n blocks (size of block j from size_of(j)), then free them all. */
static int gomem_batch(gomem_scalable *s, void **slots, size_t n, size_t (*size_of)(size_t j))
{
  int rc = 0;
  size_t got = 0;
  for (; got < n; got++) {
    slots[got] = gomem_scalable_malloc(s, size_of(got));
    if (!slots[got]) {
      rc = -1;
      break;
    }
    bench_escape(slots[got]);
  }
  for (size_t j = 0; j < got; j++) {
    if (gomem_scalable_free(s, slots[j], size_of(j)) != GOMEM_OK)
      rc = -1;
  }
  return rc;
}

static uint64_t gomem_batches(size_t iters, size_t n, size_t (*size_of)(size_t j))
{
  void *slots[PRESSURE_BLOCKS];
  gomem_scalable *s = new_go_allocator();
  if (!s)
    return 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (gomem_batch(s, slots, n, size_of) != 0) {
      fail("gomem_scalable_malloc/free");
      break;
    }
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_scalable_destroy(s);
  return ns;
}

static uint64_t gomem_sequential(size_t iters) { return gomem_batches(iters, SEQ_BLOCKS, size_1k); }
static uint64_t gomem_concurrent(size_t iters) { return gomem_batches(iters, CONCURRENT_BLOCKS, size_concurrent); }

/* Go: even iterations Malloc(1024) + Free, odd ones Borrow(1024). */
static uint64_t gomem_mixed(size_t iters)
{
  gomem_scalable *s = new_go_allocator();
  if (!s)
    return 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    int rc = 0;
    if (i % 2 == 0) {
      rc = gomem_pair(s, 1024);
    } else {
      void *p = gomem_scalable_borrow(s, 1024);
      bench_escape(p);
      rc = p ? 0 : -1;
    }
    if (rc != 0) {
      fail("gomem mixed pattern");
      break;
    }
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_scalable_destroy(s);
  return ns;
}

/* Go reads total malloc, total free and the number of chunks; one
 * gomem_scalable_stats call gives all three. */
static uint64_t gomem_get_stats(size_t iters)
{
  gomem_scalable *s = new_go_allocator();
  if (!s)
    return 0;
  gomem_stats st;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    st.struct_size = sizeof st;
    if (gomem_scalable_stats(s, &st) != GOMEM_OK) {
      fail("gomem_scalable_stats");
      break;
    }
    bench_escape(&st);
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_scalable_destroy(s);
  return ns;
}

static uint64_t gomem_free_rest(size_t iters)
{
  gomem_scalable *s = new_go_allocator();
  if (!s)
    return 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    void *p = gomem_scalable_malloc(s, 1024);
    if (!p || gomem_scalable_free_rest(s, p, 1024, 256) != GOMEM_OK ||
        gomem_scalable_free(s, p, 256) != GOMEM_OK) {
      fail("gomem_scalable_malloc/free_rest/free");
      break;
    }
    bench_escape(p);
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_scalable_destroy(s);
  return ns;
}

static int gomem_pressure_once(gomem_scalable *s, void **fifo)
{
  size_t head = 0, tail = 0;
  size_t sizes[PRESSURE_BLOCKS];
  int rc = 0;
  for (size_t j = 0; j < PRESSURE_BLOCKS; j++) {
    void *p = gomem_scalable_malloc(s, size_pressure(j));
    if (p) {
      bench_escape(p);
      sizes[tail] = size_pressure(j);
      fifo[tail++] = p;
    }
    if (j % 3 == 0 && head < tail) {
      rc |= gomem_scalable_free(s, fifo[head], sizes[head]);
      head++;
    }
  }
  for (; head < tail; head++)
    rc |= gomem_scalable_free(s, fifo[head], sizes[head]);
  return rc;
}

static uint64_t gomem_pressure(size_t iters)
{
  void *fifo[PRESSURE_BLOCKS];
  gomem_scalable *s = new_go_allocator();
  if (!s)
    return 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (gomem_pressure_once(s, fifo) != 0) {
      fail("gomem_scalable_free");
      break;
    }
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_scalable_destroy(s);
  return ns;
}

/* NextN / BatchRecycle / WithRecycleIndexes share this: a recyclable over a
 * fresh Go-sized allocator, optionally with recycle indexes. */
typedef struct rm_setup {
  gomem_scalable *s;
  gomem_recyclable *r;
} rm_setup;

static int rm_open(rm_setup *rm, size_t recycle_indexes)
{
  rm->s = new_go_allocator();
  rm->r = rm->s ? gomem_recyclable_new(rm->s) : NULL;
  if (rm->r && recycle_indexes && gomem_recyclable_init_recycle_indexes(rm->r, recycle_indexes) != GOMEM_OK)
    fail("gomem_recyclable_init_recycle_indexes");
  if (!rm->r)
    fail("gomem_recyclable_new");
  return rm->r && !failed ? 0 : -1;
}

static void rm_close(rm_setup *rm)
{
  gomem_recyclable_destroy(rm->r);
  gomem_scalable_destroy(rm->s);
}

static uint64_t gomem_nextn(size_t iters)
{
  rm_setup rm;
  if (rm_open(&rm, 0) != 0)
    return 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    void *p = gomem_recyclable_next(rm.r, 1024);
    if (!p) {
      fail("gomem_recyclable_next");
      break;
    }
    bench_escape(p);
    if (i % NEXTN_RECYCLE_EVERY == 0)
      gomem_recyclable_recycle(rm.r);
  }
  uint64_t ns = bench_thread_ns() - t0;
  rm_close(&rm);
  return ns;
}

static uint64_t gomem_rm_batches(size_t iters, size_t recycle_indexes)
{
  rm_setup rm;
  if (rm_open(&rm, recycle_indexes) != 0)
    return 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters && !failed; i++) {
    for (size_t j = 0; j < BATCH; j++) {
      void *p = gomem_recyclable_next(rm.r, 1024);
      if (!p) {
        fail("gomem_recyclable_next");
        break;
      }
      bench_escape(p);
    }
    gomem_recyclable_recycle(rm.r);
  }
  uint64_t ns = bench_thread_ns() - t0;
  rm_close(&rm);
  return ns;
}

static uint64_t gomem_batch_recycle(size_t iters) { return gomem_rm_batches(iters, 0); }
static uint64_t gomem_recycle_indexes(size_t iters) { return gomem_rm_batches(iters, 100); }

#define GOMEM_ROW(fn) fn
#else
#define GOMEM_ROW(fn) NULL
#endif /* BENCH_WITH_GOMEM */

/* --- the table ---------------------------------------------------------------- */

typedef struct row {
  const char *name;
  double go_ns;  /* Go README, Apple M2 Pro, Go 1.23; 0 = not listed */
  row_fn gomem;  /* NULL in the peer-only binaries */
  row_fn peer;   /* NULL: no malloc-style equivalent */
} row;

static const row rows[] = {
  {"Malloc (1 KiB)", 13.22, GOMEM_ROW(gomem_malloc_1k), peer_1k},
  {"MallocSmall (64 B)", 16.62, GOMEM_ROW(gomem_malloc_64), peer_64},
  {"MallocLarge (8 KiB)", 127506, GOMEM_ROW(gomem_malloc_8k), peer_8k},
  {"Borrow (1 KiB)", 5.425, GOMEM_ROW(gomem_borrow_1k), peer_1k},
  {"BorrowSmall (64 B)", 13.38, GOMEM_ROW(gomem_borrow_64), peer_64},
  {"BorrowLarge (8 KiB)", 12.58, GOMEM_ROW(gomem_borrow_8k), peer_8k},
  {"SequentialAlloc (50x1K)", 1541, GOMEM_ROW(gomem_sequential), peer_sequential},
  {"RandomAlloc (64B-4K)", 38625, GOMEM_ROW(gomem_random), peer_random},
  {"RandomBorrow (64B-4K)", 8.261, GOMEM_ROW(gomem_random_borrow), peer_random},
  {"MixedPattern", 9.210, GOMEM_ROW(gomem_mixed), peer_1k},
  {"GetStats", 0.3013, GOMEM_ROW(gomem_get_stats), NULL},
  {"FreeRest (1K keep 256)", 23.25, GOMEM_ROW(gomem_free_rest), peer_free_rest},
  {"Scaling (1K-16K)", 107642, GOMEM_ROW(gomem_scaling), peer_scaling},
  {"Concurrent (20 sizes)", 519.4, GOMEM_ROW(gomem_concurrent), peer_concurrent},
  {"MemoryPressure", 145329, GOMEM_ROW(gomem_pressure), peer_pressure},
  {"RM NextN (1K)", 32.11, GOMEM_ROW(gomem_nextn), peer_nextn},
  {"RM BatchRecycle (10x1K)", 312.4, GOMEM_ROW(gomem_batch_recycle), peer_batch_recycle},
  {"RM WithRecycleIndexes", 331.5, GOMEM_ROW(gomem_recycle_indexes), peer_batch_recycle},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* --- driver ------------------------------------------------------------------ */

typedef struct options {
  int tsv;
  int reps;
  unsigned ms;
  const char *filter;
} options;

static int parse_args(int argc, char **argv, options *o)
{
  *o = (options){0, 5, 20, NULL};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--tsv") == 0) {
      o->tsv = 1;
    } else if (strcmp(a, "--reps") == 0 && v) {
      o->reps = atoi(v);
      i++;
    } else if (strcmp(a, "--ms") == 0 && v) {
      o->ms = (unsigned)atoi(v);
      i++;
    } else if (strcmp(a, "--filter") == 0 && v) {
      o->filter = v;
      i++;
    } else {
      fprintf(stderr, "usage: %s [--tsv] [--reps N] [--ms N] [--filter SUBSTRING]\n", argv[0]);
      return -1;
    }
  }
  if (o->reps < 1 || o->reps > BENCH_MAX_REPS || o->ms == 0) {
    fprintf(stderr, "%s: --reps must be 1..%d and --ms > 0\n", argv[0], BENCH_MAX_REPS);
    return -1;
  }
  return 0;
}

/* Median ns per Go iteration of @p fn over o->reps repetitions; negative if
 * the row failed. */
static uint64_t call_row_fn(void *ctx, size_t iters)
{
  row_fn fn = *(row_fn *)ctx;
  return fn(iters);
}

static double measure(row_fn fn, const options *o)
{
  double samples[BENCH_MAX_REPS];
  size_t iters = bench_calibrate(call_row_fn, &fn, (uint64_t)o->ms * 1000000u);
  for (int rep = 0; rep < o->reps && !failed; rep++)
    samples[rep] = (double)fn(iters) / (double)iters;
  return failed ? -1.0 : bench_median(samples, (size_t)o->reps);
}

static void print_cell(double ns)
{
  if (ns < 0)
    printf(" %12s", "n/a");
  else
    printf(" %12.2f", ns);
}

int main(int argc, char **argv)
{
  options o;
  if (parse_args(argc, argv, &o) != 0)
    return 2;
  int any_failed = 0;
  int with_gomem = rows[0].gomem != NULL;
  if (!o.tsv) {
    printf("scalable allocator / recyclable memory: ns per Go op, median of %d runs\n", o.reps);
    printf("%-26s %12s", "row", "Go (M2 Pro)");
    if (with_gomem)
      printf(" %12s", "gomem");
    printf(" %12s%s\n", PEER_NAME, with_gomem ? "   peer/gomem" : "");
  }
  for (size_t i = 0; i < NROWS; i++) {
    const row *r = &rows[i];
    if (o.filter && !strstr(r->name, o.filter))
      continue;
    failed = 0;
    double g = r->gomem ? measure(r->gomem, &o) : -1.0;
    any_failed |= failed;
    failed = 0;
    double p = r->peer ? measure(r->peer, &o) : -1.0;
    any_failed |= failed;
    if (o.tsv) {
      printf("%s\tgo-readme\t%g\n", r->name, r->go_ns);
      if (r->gomem)
        printf("%s\tgomem\t%.3f\n", r->name, g);
      printf("%s\t%s\t%.3f\n", r->name, PEER_NAME, p);
      continue;
    }
    printf("%-26s", r->name);
    print_cell(r->go_ns);
    if (r->gomem)
      print_cell(g);
    print_cell(p);
    if (r->gomem && g > 0 && p > 0)
      printf(" %12.2f", p / g);
    printf("\n");
  }
  return any_failed;
}
