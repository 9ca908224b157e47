/* SPDX-License-Identifier: MIT */
/*
 * bench.h — timing helpers shared by the benchmark programs (header only).
 *
 *   bench_now_ns()        monotonic (wall) clock in nanoseconds
 *   bench_thread_ns()     the calling thread's CPU time in nanoseconds
 *   bench_escape(p)       tell the compiler that *p may be read and written
 *                         from elsewhere, so a malloc/free pair or a result
 *                         cannot be optimized away
 *   bench_calibrate()     how many iterations make one repetition last about
 *                         a target time (Go's b.N search, done once per row)
 *   bench_median()        median of a sample (sorts it in place)
 *   bench_reps_arg()      the optional repetitions argument of a program
 *
 * Needs POSIX clock_gettime: compile with -D_GNU_SOURCE (the build does).
 *
 * Typical row: iters = bench_calibrate(fn, ctx, 20 ms); then N repetitions of
 * fn(ctx, iters), each giving elapsed ns / iters; print the median.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/** The largest number of repetitions a program accepts. */
#define BENCH_MAX_REPS 31

static inline uint64_t bench_clock_ns(clockid_t clock)
{
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/** Wall time: what multi-threaded rows must use. */
static inline uint64_t bench_now_ns(void)
{
  return bench_clock_ns(CLOCK_MONOTONIC);
}

/**
 * CPU time of the calling thread, user + system (page faults included).
 * For a single-threaded row that does not sleep it equals wall time on an
 * idle machine, and it does not count the time other processes hold the
 * CPU, so rows stay comparable on a busy 2-core CI box.
 */
static inline uint64_t bench_thread_ns(void)
{
  return bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* An empty asm that takes the pointer and clobbers memory: the compiler must
 * assume the pointee escaped, without any instruction being emitted. */
static inline void bench_escape(const void *p)
{
#if defined(__GNUC__) || defined(__clang__)
  __asm__ volatile("" : : "r"(p) : "memory");
#else
  static const void *volatile sink;
  sink = p;
#endif
}

/**
 * A timed body: run @p iters iterations and return the nanoseconds they
 * took. The body times itself so that set-up and tear-down stay outside.
 */
typedef uint64_t (*bench_fn)(void *ctx, size_t iters);

/**
 * @return an iteration count for which @p fn lasts about @p target_ns
 * (at least 1). Like Go's testing.B it grows the count from 1, at most 100x
 * per step, aiming 20 % past the target, until one run reaches the target.
 */
static inline size_t bench_calibrate(bench_fn fn, void *ctx, uint64_t target_ns)
{
  size_t iters = 1;
  for (;;) {
    uint64_t ns = fn(ctx, iters);
    if (ns >= target_ns || iters >= SIZE_MAX / 128)
      return iters;
    double want = ns ? (double)iters * 1.2 * (double)target_ns / (double)ns : (double)iters * 100;
    size_t next = want > (double)iters * 100 ? iters * 100 : (size_t)want;
    iters = next > iters ? next : iters + 1;
  }
}

static inline int bench_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/** @return the median of @p v[0..n) (n >= 1); @p v is sorted in place. */
static inline double bench_median(double *v, size_t n)
{
  qsort(v, n, sizeof *v, bench_cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/**
 * The repetitions a `prog [repetitions]` program was asked for (@p dflt
 * without an argument), or 0 after printing its usage when the argument is
 * not in 1..BENCH_MAX_REPS.
 */
static inline unsigned bench_reps_arg(int argc, char **argv, unsigned dflt)
{
  unsigned reps = argc > 1 ? (unsigned)atoi(argv[1]) : dflt;
  if (reps < 1 || reps > BENCH_MAX_REPS) {
    fprintf(stderr, "usage: %s [repetitions 1..%d]\n", argv[0], BENCH_MAX_REPS);
    return 0;
  }
  return reps;
}

#endif /* BENCH_BENCH_H */
