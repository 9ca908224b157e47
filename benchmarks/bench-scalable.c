/* SPDX-License-Identifier: MIT */
/*
 * bench-scalable.c — the Go seed's ScalableMemoryAllocator and
 * RecyclableMemory benchmarks (scalable_bench_test.go) on gomem_scalable and
 * gomem_recyclable, next to the same pattern on glibc, mimalloc, jemalloc
 * and tcmalloc, all in this one process (peers.h loads them at run time).
 *
 * Setups follow the Go code exactly: every gomem row starts from
 * gomem_scalable_new(1024) (Go's NewScalableMemoryAllocator(1024)), made
 * before the clock starts like Go's b.ResetTimer(), and one "op" is one Go
 * loop iteration (SequentialAlloc: 50 allocations + 50 frees). The rows
 * "scalable malloc+free 64 B / 1 KiB / 8 KiB" are Go's MallocSmall, Malloc
 * and MallocLarge.
 *
 * The peers do what a C program does without gomem:
 *   malloc+free, Random*, Scaling, Concurrent, MemoryPressure, SequentialAlloc:
 *                the same allocations and frees with malloc / free.
 *   Borrow*, RandomBorrow, MixedPattern: scratch memory in C is malloc +
 *                free, so the peer does that where gomem borrows.
 *   FreeRest     malloc(1024), realloc down to 256, free.
 *   NextN, BatchRecycle, WithRecycleIndexes: malloc each buffer into an
 *                array, free them all where gomem recycles.
 *   GetStats     no malloc equivalent: n/a.
 * Neither side touches the memory; every pointer escapes to the compiler
 * (bench_escape) so no allocation can be optimized away. A peer is called
 * through its function pointers, held in registers for the whole loop.
 *
 * Method. Each side gets its own iteration count (about --ms per
 * repetition), then the sides take turns repetition by repetition (gomem,
 * glibc, mimalloc, jemalloc, tcmalloc, gomem, ...), so a slow spell of a
 * shared machine hits them all alike. Printed: the median ns per op of each
 * side, and per peer the median of the paired ratios gomem/peer (each
 * repetition's gomem time over the same repetition's peer time; < 1: gomem
 * faster). Time is the thread's CPU time (bench_thread_ns). The process
 * pins itself to the CPU it starts on (--no-pin: not).
 * Ir/op: gomem's instructions per op, from a run of this program under
 * callgrind (instr.h) that measures each row for INSTR_ITERS and twice as
 * many iterations and keeps the difference; n/a without valgrind.
 *
 * Usage: bench-scalable [--tsv] [--reps N] [--ms N] [--filter SUBSTRING]
 *                       [--no-instr] [--no-pin]
 *   --reps N   repetitions per side (default 5)
 *   --ms N     target milliseconds per repetition (default 20)
 *   --tsv      machine-readable lines "row<TAB>column<TAB>value"
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gomem/recyclable.h>
#include <gomem/scalable.h>

#include "bench.h"
#include "instr.h"
#include "peers.h"

#define KIB ((size_t)1024)
#define GO_INITIAL KIB /* NewScalableMemoryAllocator(1024) in every Go benchmark */
#define SEQ_BLOCKS 50
#define CONCURRENT_BLOCKS 20
#define PRESSURE_BLOCKS 100
#define NEXTN_RECYCLE_EVERY 100
#define BATCH 10
/* A multiple of every period in the rows (7 random sizes, 5 scaling sizes,
 * mixed pattern 2, NextN recycles every 100), so N and 2N iterations
 * differ by N whole periods. */
#define INSTR_ITERS 700

static const size_t random_sizes[] = {64, 128, 256, 512, 1024, 2048, 4096};
#define N_RANDOM (sizeof random_sizes / sizeof random_sizes[0])
static const size_t scaling_sizes[] = {1024, 2048, 4096, 8192, 16384};
#define N_SCALING (sizeof scaling_sizes / sizeof scaling_sizes[0])

/* The peer's functions, passed by value so that a loop keeps them in
 * registers instead of reloading them around every call. */
typedef struct peer_fns {
  void *(*alloc)(size_t size);
  void (*release)(void *ptr);
  void *(*resize)(void *ptr, size_t size);
} peer_fns;

/* A row's body: run @p iters Go iterations and return the nanoseconds they
 * took (set-up and tear-down are not timed). Sets `failed` on any error. */
typedef uint64_t (*row_fn)(size_t iters);
typedef uint64_t (*peer_row_fn)(peer_fns f, size_t iters);

static int failed;

static void fail(const char *what)
{
  if (!failed)
    fprintf(stderr, "bench-scalable: %s failed\n", what);
  failed = 1;
}

/* --- the peer (malloc-style) patterns ---------------------------------------- */

static int peer_pair(peer_fns f, size_t size)
{
  void *p = f.alloc(size);
  if (!p)
    return -1;
  bench_escape(p);
  f.release(p);
  return 0;
}

static uint64_t peer_pairs_fixed(peer_fns f, size_t iters, size_t size)
{
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (peer_pair(f, size) != 0) {
      fail("malloc");
      break;
    }
  }
  return bench_thread_ns() - t0;
}

static uint64_t peer_pairs_cycle(peer_fns f, size_t iters, const size_t *sizes, size_t n)
{
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (peer_pair(f, sizes[i % n]) != 0) {
      fail("malloc");
      break;
    }
  }
  return bench_thread_ns() - t0;
}

static uint64_t peer_1k(peer_fns f, size_t iters) { return peer_pairs_fixed(f, iters, 1024); }
static uint64_t peer_64(peer_fns f, size_t iters) { return peer_pairs_fixed(f, iters, 64); }
static uint64_t peer_8k(peer_fns f, size_t iters) { return peer_pairs_fixed(f, iters, 8192); }
static uint64_t peer_random(peer_fns f, size_t iters) { return peer_pairs_cycle(f, iters, random_sizes, N_RANDOM); }
static uint64_t peer_scaling(peer_fns f, size_t iters) { return peer_pairs_cycle(f, iters, scaling_sizes, N_SCALING); }

/* Allocate n blocks (size of block j from size_of(j)), then free them all. */
static int peer_batch(peer_fns f, void **slots, size_t n, size_t (*size_of)(size_t j))
{
  for (size_t j = 0; j < n; j++) {
    slots[j] = f.alloc(size_of(j));
    if (!slots[j]) {
      for (size_t k = 0; k < j; k++)
        f.release(slots[k]);
      return -1;
    }
    bench_escape(slots[j]);
  }
  for (size_t j = 0; j < n; j++)
    f.release(slots[j]);
  return 0;
}

static size_t size_1k(size_t j) { (void)j; return 1024; }
static size_t size_concurrent(size_t j) { return 64 * (j + 1); }

static uint64_t peer_batches(peer_fns f, size_t iters, size_t n, size_t (*size_of)(size_t j))
{
  void *slots[PRESSURE_BLOCKS];
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (peer_batch(f, slots, n, size_of) != 0) {
      fail("malloc");
      break;
    }
  }
  return bench_thread_ns() - t0;
}

static uint64_t peer_sequential(peer_fns f, size_t iters) { return peer_batches(f, iters, SEQ_BLOCKS, size_1k); }
static uint64_t peer_concurrent(peer_fns f, size_t iters) { return peer_batches(f, iters, CONCURRENT_BLOCKS, size_concurrent); }
static uint64_t peer_batch_recycle(peer_fns f, size_t iters) { return peer_batches(f, iters, BATCH, size_1k); }

static uint64_t peer_free_rest(peer_fns f, size_t iters)
{
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    void *p = f.alloc(1024);
    void *q = p ? f.resize(p, 256) : NULL;
    if (!q) {
      f.release(p);
      fail("malloc/realloc");
      break;
    }
    bench_escape(q);
    f.release(q);
  }
  return bench_thread_ns() - t0;
}

static size_t size_pressure(size_t j) { return 1024 + j * 64; }

/* Go: 100 increasing sizes; after every third allocation the oldest live
 * block is freed (a FIFO); the rest are freed at the end. */
static void peer_pressure_once(peer_fns f, void **fifo)
{
  size_t head = 0, tail = 0;
  for (size_t j = 0; j < PRESSURE_BLOCKS; j++) {
    void *p = f.alloc(size_pressure(j));
    if (p) {
      bench_escape(p);
      fifo[tail++] = p;
    }
    if (j % 3 == 0 && head < tail) {
      f.release(fifo[head]);
      head++;
    }
  }
  for (; head < tail; head++)
    f.release(fifo[head]);
}

static uint64_t peer_pressure(peer_fns f, size_t iters)
{
  void *fifo[PRESSURE_BLOCKS];
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++)
    peer_pressure_once(f, fifo);
  return bench_thread_ns() - t0;
}

static void peer_free_all(peer_fns f, void **slots, size_t *n)
{
  for (size_t k = 0; k < *n; k++)
    f.release(slots[k]);
  *n = 0;
}

/* Go: NextN(1024) every iteration, Recycle when i % 100 == 0. */
static uint64_t peer_nextn(peer_fns f, size_t iters)
{
  void *slots[NEXTN_RECYCLE_EVERY];
  size_t n = 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    slots[n] = f.alloc(1024);
    if (!slots[n]) {
      fail("malloc");
      break;
    }
    bench_escape(slots[n++]);
    if (i % NEXTN_RECYCLE_EVERY == 0)
      peer_free_all(f, slots, &n);
  }
  uint64_t ns = bench_thread_ns() - t0;
  peer_free_all(f, slots, &n);
  return ns;
}

/* --- gomem ------------------------------------------------------------------ */

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

/* --- the table ---------------------------------------------------------------- */

typedef struct row {
  const char *name;
  double go_ns;     /* Go README, Apple M2 Pro, Go 1.23; 0 = not listed */
  row_fn gomem;
  peer_row_fn peer; /* NULL: no malloc-style equivalent */
} row;

static const row rows[] = {
  {"scalable malloc+free 64 B", 16.62, gomem_malloc_64, peer_64},
  {"scalable malloc+free 1 KiB", 13.22, gomem_malloc_1k, peer_1k},
  {"scalable malloc+free 8 KiB", 127506, gomem_malloc_8k, peer_8k},
  {"Borrow (1 KiB)", 5.425, gomem_borrow_1k, peer_1k},
  {"BorrowSmall (64 B)", 13.38, gomem_borrow_64, peer_64},
  {"BorrowLarge (8 KiB)", 12.58, gomem_borrow_8k, peer_8k},
  {"SequentialAlloc (50x1K)", 1541, gomem_sequential, peer_sequential},
  {"RandomAlloc (64B-4K)", 38625, gomem_random, peer_random},
  {"RandomBorrow (64B-4K)", 8.261, gomem_random_borrow, peer_random},
  {"MixedPattern", 9.210, gomem_mixed, peer_1k},
  {"GetStats", 0.3013, gomem_get_stats, NULL},
  {"FreeRest (1K keep 256)", 23.25, gomem_free_rest, peer_free_rest},
  {"Scaling (1K-16K)", 107642, gomem_scaling, peer_scaling},
  {"Concurrent (20 sizes)", 519.4, gomem_concurrent, peer_concurrent},
  {"MemoryPressure", 145329, gomem_pressure, peer_pressure},
  {"RM NextN (1K)", 32.11, gomem_nextn, peer_nextn},
  {"RM BatchRecycle (10x1K)", 312.4, gomem_batch_recycle, peer_batch_recycle},
  {"RM WithRecycleIndexes", 331.5, gomem_recycle_indexes, peer_batch_recycle},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* --- driver ------------------------------------------------------------------ */

typedef struct options {
  int tsv;
  int reps;
  unsigned ms;
  const char *filter;
  int instr;
  int pin;
  int instr_child; /* this is the run under callgrind */
} options;

static int parse_args(int argc, char **argv, options *o)
{
  *o = (options){.reps = 5, .ms = 20, .instr = 1, .pin = 1};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--tsv") == 0) {
      o->tsv = 1;
    } else if (strcmp(a, "--no-instr") == 0) {
      o->instr = 0;
    } else if (strcmp(a, "--no-pin") == 0) {
      o->pin = 0;
    } else if (strcmp(a, "--instr-child") == 0) {
      o->instr_child = 1;
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
      fprintf(stderr, "usage: %s [--tsv] [--reps N] [--ms N] [--filter SUBSTRING] [--no-instr] [--no-pin]\n",
              argv[0]);
      return -1;
    }
  }
  if (o->reps < 1 || o->reps > BENCH_MAX_REPS || o->ms == 0) {
    fprintf(stderr, "%s: --reps must be 1..%d and --ms > 0\n", argv[0], BENCH_MAX_REPS);
    return -1;
  }
  return 0;
}

static int selected(const row *r, const options *o)
{
  return !o->filter || strstr(r->name, o->filter);
}

/* --- instructions per op ------------------------------------------------------ */

static void instr_label(char *buf, size_t len, size_t row_index, size_t iters)
{
  snprintf(buf, len, "%zu %zu", row_index, iters);
}

/* The run under callgrind: each gomem row for N and 2N iterations. */
static int instr_child(const options *o)
{
  char label[64];
  for (size_t i = 0; i < NROWS; i++) {
    if (!selected(&rows[i], o))
      continue;
    for (size_t iters = INSTR_ITERS; iters <= 2 * INSTR_ITERS; iters += INSTR_ITERS) {
      instr_label(label, sizeof label, i, iters);
      instr_begin();
      rows[i].gomem(iters);
      instr_end(label);
    }
  }
  return failed;
}

/* gomem's instructions per op of every row, or -1 (n/a). */
static void count_instructions(const options *o, double ir[NROWS])
{
  static instr_count counts[2 * NROWS];
  char *args[] = {"--instr-child", o->filter ? "--filter" : NULL, (char *)o->filter, NULL};
  const char *why = NULL;
  int n = o->instr ? instr_run(args, counts, 2 * NROWS, &why) : -1;
  if (n < 0 && o->instr)
    fprintf(stderr, "bench-scalable: instructions n/a: %s\n", why);
  for (size_t i = 0; i < NROWS; i++) {
    char l1[64], l2[64];
    instr_label(l1, sizeof l1, i, INSTR_ITERS);
    instr_label(l2, sizeof l2, i, 2 * INSTR_ITERS);
    uint64_t once = n > 0 ? instr_find(counts, (size_t)n, l1) : UINT64_MAX;
    uint64_t twice = n > 0 ? instr_find(counts, (size_t)n, l2) : UINT64_MAX;
    ir[i] = once == UINT64_MAX || twice == UINT64_MAX || twice < once
              ? -1.0
              : (double)(twice - once) / INSTR_ITERS;
  }
}

/* --- timing --------------------------------------------------------------------- */

/* One column of a row: gomem (peer == NULL) or one peer. */
typedef struct side {
  const char *name;
  const row *r;
  const bench_peer *peer; /* NULL: gomem */
  int wanted;             /* gomem, or a usable peer with an equivalent */
  size_t iters;
  int ok;
  double ns[BENCH_MAX_REPS]; /* per op, per repetition */
} side;

static uint64_t run_side(void *ctx, size_t iters)
{
  const side *s = ctx;
  if (!s->peer)
    return s->r->gomem(iters);
  peer_fns f = {s->peer->alloc, s->peer->release, s->peer->resize};
  return s->r->peer(f, iters);
}

/* Calibrate every wanted side, then run them in turns, rep by rep; the
 * others stay ok = 0 (n/a). */
static void measure_row(side *sides, size_t nsides, const options *o)
{
  for (size_t k = 0; k < nsides; k++) {
    if (!sides[k].wanted)
      continue;
    failed = 0;
    sides[k].iters = bench_calibrate(run_side, &sides[k], (uint64_t)o->ms * 1000000u);
    sides[k].ok = !failed;
  }
  for (int rep = 0; rep < o->reps; rep++) {
    for (size_t k = 0; k < nsides; k++) {
      if (!sides[k].ok)
        continue;
      failed = 0;
      sides[k].ns[rep] = (double)run_side(&sides[k], sides[k].iters) / (double)sides[k].iters;
      sides[k].ok = !failed;
    }
  }
}

static double median_ns(const side *s, int reps)
{
  double v[BENCH_MAX_REPS];
  if (!s->ok)
    return -1.0;
  memcpy(v, s->ns, (size_t)reps * sizeof v[0]);
  return bench_median(v, (size_t)reps);
}

/* Median over repetitions of gomem's time over the peer's time. */
static double median_ratio(const side *g, const side *p, int reps)
{
  double v[BENCH_MAX_REPS];
  if (!g->ok || !p->ok)
    return -1.0;
  for (int rep = 0; rep < reps; rep++)
    v[rep] = g->ns[rep] / p->ns[rep];
  return bench_median(v, (size_t)reps);
}

/* --- output --------------------------------------------------------------------- */

/* A 9-wide cell: n/a for negative values, fewer decimals as values grow. */
static void print_cell(double v, int max_decimals)
{
  int decimals = v < 100 ? max_decimals : v < 10000 && max_decimals ? 1 : 0;
  if (v < 0)
    printf(" %9s", "n/a");
  else
    printf(" %9.*f", decimals, v);
}

static void print_header(const bench_peer *peers, const options *o, int cpu)
{
  printf("peers:");
  for (size_t k = 0; k < BENCH_NPEERS; k++) {
    const char *sep = k + 1 < BENCH_NPEERS ? ";" : "";
    if (peers[k].missing)
      printf(" %s n/a (%s)%s", peers[k].name, peers[k].missing, sep);
    else
      printf(" %s %s (%s)%s", peers[k].name, peers[k].version, peers[k].library, sep);
  }
  printf("\n\nScalable allocator / recyclable memory: ns per Go op, median of %d repetitions,\n"
         "the sides taking turns in one process", o->reps);
  if (cpu >= 0)
    printf(", pinned to CPU %d", cpu);
  printf(".\n(Go = the Go README's figures, Apple M2 Pro. gomem/x = median of the per-repetition\n"
         " ratios gomem time / x time: < 1 means gomem is faster. Ir/op = gomem's instructions\n"
         " per op (callgrind). Peers do malloc + free where gomem borrows, realloc for\n"
         " FreeRest, and free each buffer where gomem recycles. Go's MallocLarge (8 KiB),\n"
         " RandomAlloc, Scaling and MemoryPressure include 1-4 MB of Go heap per op.)\n");
  printf("%-27s %9s %9s", "row", "Go", "gomem");
  for (size_t k = 0; k < BENCH_NPEERS; k++)
    printf(" %9s", peers[k].name);
  for (size_t k = 0; k < BENCH_NPEERS; k++)
    printf("   g/%-5.5s", peers[k].name);
  printf(" %9s\n", "Ir/op");
}

static void print_row(const row *r, const side *sides, double ir, const options *o)
{
  const side *g = &sides[0];
  if (o->tsv) {
    printf("%s\tgo-readme\t%g\n", r->name, r->go_ns);
    for (size_t k = 0; k < 1 + BENCH_NPEERS; k++)
      printf("%s\t%s\t%.3f\n", r->name, sides[k].name, median_ns(&sides[k], o->reps));
    for (size_t k = 1; k < 1 + BENCH_NPEERS; k++)
      printf("%s\tgomem/%s\t%.3f\n", r->name, sides[k].name, median_ratio(g, &sides[k], o->reps));
    printf("%s\tinstructions\t%.1f\n", r->name, ir);
    fflush(stdout); /* report.py shows each row as it comes */
    return;
  }
  printf("%-27s", r->name);
  print_cell(r->go_ns, 2);
  for (size_t k = 0; k < 1 + BENCH_NPEERS; k++)
    print_cell(median_ns(&sides[k], o->reps), 2);
  for (size_t k = 1; k < 1 + BENCH_NPEERS; k++)
    print_cell(median_ratio(g, &sides[k], o->reps), 2);
  print_cell(ir, 0);
  printf("\n");
  fflush(stdout);
}

/* Pin to the CPU we run on: the sides then share one core's caches. */
static int pin_here(void)
{
  int cpu = sched_getcpu();
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu < 0)
    return -1;
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

int main(int argc, char **argv)
{
  options o;
  if (parse_args(argc, argv, &o) != 0)
    return 2;
  if (o.instr_child)
    return instr_child(&o);
  bench_peers_reexec(argv);
  bench_peer peers[BENCH_NPEERS];
  bench_peers_load(peers);
  int cpu = o.pin ? pin_here() : -1;
  double ir[NROWS];
  count_instructions(&o, ir);
  if (!o.tsv)
    print_header(peers, &o, cpu);

  int any_failed = 0;
  for (size_t i = 0; i < NROWS; i++) {
    const row *r = &rows[i];
    if (!selected(r, &o))
      continue;
    side sides[1 + BENCH_NPEERS] = {{.name = "gomem", .r = r, .wanted = 1}};
    for (size_t k = 0; k < BENCH_NPEERS; k++)
      sides[k + 1] = (side){.name = peers[k].name, .r = r, .peer = &peers[k],
                            .wanted = r->peer && !peers[k].missing};
    measure_row(sides, 1 + BENCH_NPEERS, &o);
    any_failed |= !sides[0].ok;
    print_row(r, sides, ir[i], &o);
  }
  return any_failed;
}
