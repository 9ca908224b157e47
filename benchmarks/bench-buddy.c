/* SPDX-License-Identifier: MIT */
/*
 * bench-buddy.c — the Go seed's Buddy benchmarks (buddy_bench_test.go) on
 * gomem_buddy, next to the same pattern on a malloc-style peer (peer.h:
 * glibc in bench-buddy, mimalloc or jemalloc in bench-buddy-<peer>).
 *
 * Setups follow the Go code: one pool of 512 MiB in 1 KiB units. Go sizes
 * are in units, so Go's Alloc(1024) is 1 MiB here. Rows:
 *   Alloc            alloc 1 MiB, free it
 *   AllocSmall       alloc 64 KiB, free it
 *   AllocLarge       alloc 8 MiB, free it
 *   SequentialAlloc  alloc 100 x 1 MiB, then free all 100 (one op = all 200)
 *   RandomAlloc      alloc one of 64 KiB .. 4 MiB (7 powers of two), free it.
 *                    Go indexes its size list with b.N, so each Go run uses
 *                    one size; we take a size per op from a fixed sequence.
 *   NonPowerOf2      alloc 1000 KiB (rounded up to 1 MiB), free it
 * Go ran every row but SequentialAlloc with b.RunParallel (GOMAXPROCS
 * goroutines on an Apple M2 Pro) and reports wall time / total ops. We print
 * each row single-threaded ("1T") and, for those, with one thread per CPU
 * ("nT": the same definition, all threads on one shared pool; the peer's
 * threads each malloc/free their own blocks). The Go README's figures are a
 * reference column. Go's Pool row (a sync.Pool of 512 MiB Buddies) has no
 * C counterpart and is left out. Neither side touches the memory.
 *
 * Usage: bench-buddy [--tsv] [--reps N] [--ms N] [--threads N]
 *   --tsv      machine-readable lines "row<TAB>allocator<TAB>ns/op"
 *   --reps N   repetitions per cell; the median is printed (default 5)
 *   --ms N     calibration target per repetition, in ms (default 20)
 *   --threads  threads of the nT lines (default: online CPUs)
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gomem/buddy.h>

#include "bench.h"
#include "peer.h"

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)
#define POOL_SIZE (512 * MiB)
#define POOL_UNIT KiB
#define MAX_THREADS 64
#define SEQ_BLOCKS 100
#define RANDOM_SIZES 7

/* ---- the patterns, once per allocator ------------------------------------ */

static size_t random_size(size_t i)
{
  static const size_t sizes[RANDOM_SIZES] = {
    64 * KiB, 128 * KiB, 256 * KiB, 512 * KiB, 1 * MiB, 2 * MiB, 4 * MiB,
  };
  /* A fixed scramble of i, so every run sees the same sequence. */
  return sizes[(i * 2654435761u >> 16) % RANDOM_SIZES];
}

static void fail(const char *what)
{
  fprintf(stderr, "bench-buddy: %s failed\n", what);
  exit(1);
}

static void buddy_pair(gomem_buddy *b, size_t size)
{
  size_t off;

  if (gomem_buddy_alloc(b, size, &off) != GOMEM_OK || gomem_buddy_free(b, off) != GOMEM_OK)
    fail("gomem_buddy_alloc/free");
}

static void buddy_sequential(gomem_buddy *b)
{
  size_t offs[SEQ_BLOCKS];

  for (int j = 0; j < SEQ_BLOCKS; j++) {
    if (gomem_buddy_alloc(b, MiB, &offs[j]) != GOMEM_OK)
      fail("gomem_buddy_alloc");
  }
  for (int j = 0; j < SEQ_BLOCKS; j++) {
    if (gomem_buddy_free(b, offs[j]) != GOMEM_OK)
      fail("gomem_buddy_free");
  }
}

/* The peer's side of a row: malloc-style, reusable with any peer.h peer. */
static void peer_pair(size_t size)
{
  void *p = peer_malloc(size);

  if (!p)
    fail("peer_malloc");
  bench_escape(p);
  peer_free(p, size);
}

static void peer_sequential(void)
{
  void *ptrs[SEQ_BLOCKS];

  for (int j = 0; j < SEQ_BLOCKS; j++) {
    ptrs[j] = peer_malloc(MiB);
    if (!ptrs[j])
      fail("peer_malloc");
    bench_escape(ptrs[j]);
  }
  for (int j = 0; j < SEQ_BLOCKS; j++)
    peer_free(ptrs[j], MiB);
}

enum row_kind { ROW_FIXED, ROW_RANDOM, ROW_SEQUENTIAL };

struct row {
  const char *name;
  enum row_kind kind;
  size_t size;     /* ROW_FIXED */
  double go_ns;    /* Go README, Apple M2 Pro */
  bool parallel;   /* Go ran it with RunParallel */
};

static const struct row rows[] = {
  {"Buddy Alloc (1 MiB)", ROW_FIXED, 1 * MiB, 388.2, true},
  {"Buddy AllocSmall (64 KiB)", ROW_FIXED, 64 * KiB, 410.7, true},
  {"Buddy AllocLarge (8 MiB)", ROW_FIXED, 8 * MiB, 276.4, true},
  {"Buddy SequentialAlloc (100x)", ROW_SEQUENTIAL, 0, 17997, false},
  {"Buddy RandomAlloc (64K-4M)", ROW_RANDOM, 0, 357.8, true},
  {"Buddy NonPowerOf2 (1000 KiB)", ROW_FIXED, 1000 * KiB, 317.8, true},
};

/* Run @p iters ops of row @p r on pool @p b, or on the peer when b is NULL. */
static void run_ops(const struct row *r, gomem_buddy *b, size_t iters, size_t salt)
{
  for (size_t i = 0; i < iters; i++) {
    size_t size = r->kind == ROW_RANDOM ? random_size(i + salt) : r->size;

    if (r->kind == ROW_SEQUENTIAL) {
      if (b)
        buddy_sequential(b);
      else
        peer_sequential();
    } else if (b) {
      buddy_pair(b, size);
    } else {
      peer_pair(size);
    }
  }
}

/* ---- timing ----------------------------------------------------------------- */

/* One cell: a row on one allocator with some number of threads. */
struct cell {
  const struct row *row;
  gomem_buddy *b;          /* NULL: the peer */
};

/* bench_fn for calibration: single-threaded, returns elapsed ns. */
static uint64_t cell_single(void *ctx, size_t iters)
{
  const struct cell *c = ctx;
  uint64_t t0 = bench_now_ns();

  run_ops(c->row, c->b, iters, 0);
  return bench_now_ns() - t0;
}

struct job {
  const struct cell *cell;
  size_t iters, salt;
  pthread_barrier_t *start;
};

static void *job_run(void *arg)
{
  struct job *j = arg;

  pthread_barrier_wait(j->start);
  run_ops(j->cell->row, j->cell->b, j->iters, j->salt);
  return NULL;
}

/* @return wall ns per op when @p threads threads each run @p iters ops. */
static double run_threads(const struct cell *c, unsigned threads, size_t iters)
{
  pthread_t tid[MAX_THREADS];
  struct job jobs[MAX_THREADS];
  pthread_barrier_t start;

  if (threads == 1)
    return (double)cell_single((void *)c, iters) / (double)iters;
  pthread_barrier_init(&start, NULL, threads + 1);
  for (unsigned t = 0; t < threads; t++) {
    jobs[t] = (struct job){c, iters, t * (size_t)7919, &start};
    if (pthread_create(&tid[t], NULL, job_run, &jobs[t]) != 0)
      fail("pthread_create");
  }
  pthread_barrier_wait(&start);
  uint64_t t0 = bench_now_ns();
  for (unsigned t = 0; t < threads; t++)
    pthread_join(tid[t], NULL);
  uint64_t ns = bench_now_ns() - t0;
  pthread_barrier_destroy(&start);
  return (double)ns / (double)(iters * threads);
}

struct options {
  bool tsv;
  int reps;
  unsigned ms;
  unsigned threads;
};

/* Median ns/op of @p c with @p threads threads. Each thread runs the
 * single-thread calibrated count, like Go's b.N shared by goroutines. */
static double measure(const struct cell *c, unsigned threads, const struct options *o)
{
  double v[BENCH_MAX_REPS];
  size_t iters = bench_calibrate(cell_single, (void *)c, (uint64_t)o->ms * 1000000u);

  iters = iters / threads + 1;
  for (int i = 0; i < o->reps; i++)
    v[i] = run_threads(c, threads, iters);
  return bench_median(v, (size_t)o->reps);
}

/* ---- main --------------------------------------------------------------------- */

static void usage(const char *argv0)
{
  fprintf(stderr, "usage: %s [--tsv] [--reps N (1-%d)] [--ms N] [--threads N (1-%d)]\n",
      argv0, BENCH_MAX_REPS, MAX_THREADS);
  exit(2);
}

static long parse_long(const char *argv0, const char *s, long lo, long hi)
{
  char *end;
  long v = s ? strtol(s, &end, 10) : 0;

  if (!s || *end || v < lo || v > hi)
    usage(argv0);
  return v;
}

static void parse_args(int argc, char **argv, struct options *o)
{
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);

  *o = (struct options){false, 5, 20, 1};
  if (cpus > 1)
    o->threads = cpus < MAX_THREADS ? (unsigned)cpus : MAX_THREADS;
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;

    if (strcmp(argv[i], "--tsv") == 0)
      o->tsv = true;
    else if (strcmp(argv[i], "--reps") == 0 && ++i)
      o->reps = (int)parse_long(argv[0], v, 1, BENCH_MAX_REPS);
    else if (strcmp(argv[i], "--ms") == 0 && ++i)
      o->ms = (unsigned)parse_long(argv[0], v, 1, 60000);
    else if (strcmp(argv[i], "--threads") == 0 && ++i)
      o->threads = (unsigned)parse_long(argv[0], v, 1, MAX_THREADS);
    else
      usage(argv[0]);
  }
}

static void print_line(const struct options *o, const char *name, unsigned threads,
    double go_ns, double ours, double peer)
{
  char label[96];

  snprintf(label, sizeof(label), "%s %uT", name, threads);
  if (o->tsv) {
    printf("%s\tgo-readme\t%g\n%s\tgomem\t%.3f\n%s\t%s\t%.3f\n", label, go_ns, label, ours,
        label, PEER_NAME, peer);
    fflush(stdout); /* report.py shows each row as it comes */
    return;
  }
  printf("%-32s %10.1f %10.1f %10.1f %10.2f\n", label, go_ns, ours, peer, peer / ours);
}

int main(int argc, char **argv)
{
  struct options o;

  parse_args(argc, argv, &o);
  gomem_buddy *b = gomem_buddy_new(POOL_SIZE, POOL_UNIT);
  if (!b)
    fail("gomem_buddy_new");

  if (!o.tsv) {
    printf("buddy: 512 MiB pool of 1 KiB units; ns/op, median of %d; nT = %u threads\n",
        o.reps, o.threads);
    printf("%-32s %10s %10s %10s %10s\n", "row", "Go(README)", "gomem", PEER_NAME,
        "peer/gomem");
  }
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    const struct cell ours = {&rows[i], b}, peer = {&rows[i], NULL};
    unsigned counts[2] = {1, o.threads};
    int lines = rows[i].parallel && o.threads > 1 ? 2 : 1;

    for (int l = 0; l < lines; l++) {
      double g = measure(&ours, counts[l], &o);
      double p = measure(&peer, counts[l], &o);

      print_line(&o, rows[i].name, counts[l], rows[i].go_ns, g, p);
    }
  }
  if (!o.tsv)
    printf("peer/gomem above 1: gomem is faster. Go: RunParallel on an Apple M2 Pro.\n");
  gomem_buddy_destroy(b);
  return 0;
}
