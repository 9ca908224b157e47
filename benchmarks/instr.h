/* SPDX-License-Identifier: MIT */
/*
 * instr.h — instructions per operation, counted by Valgrind's callgrind.
 *
 * The program runs ITSELF again under
 *   valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=DIR/cg.out
 * and in that child brackets each measured call with instr_begin() and
 * instr_end(label): only what runs in between is counted, and each
 * instr_end dumps one file DIR/cg.out.K whose "totals:" line is the count
 * and whose trigger line carries the label. The parent reads them back
 * with instr_run(). Measuring a body for N and for 2N iterations and taking
 * (count(2N) - count(N)) / N cancels set-up, tear-down and clock reads.
 *
 * Built without <valgrind/callgrind.h> (BENCH_HAVE_CALLGRIND unset), or
 * without valgrind installed, instr_run fails and callers print n/a.
 */
#ifndef BENCH_INSTR_H
#define BENCH_INSTR_H

#include <stddef.h>
#include <stdint.h>

#ifdef BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
/** Start counting (the child runs with collection off). */
static inline void instr_begin(void) { CALLGRIND_TOGGLE_COLLECT; }
/** Stop counting and dump the count since the last dump under @p label. */
static inline void instr_end(const char *label)
{
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT(label);
}
#else
static inline void instr_begin(void) {}
static inline void instr_end(const char *label) { (void)label; }
#endif

/** One dump read back: the label given to instr_end and its count. */
typedef struct instr_count {
  char label[64];
  uint64_t ir;
} instr_count;

/**
 * Run this program (/proc/self/exe) under callgrind with the arguments
 * @p args (NULL-terminated) and read back at most @p max dumps.
 * @return the number of dumps read, or -1 with @p *why set (no callgrind
 * support built in, valgrind not found, the child failed).
 */
int instr_run(char *const args[], instr_count *out, size_t max, const char **why);

/** @return the count labelled @p label in @p c[0..n), or UINT64_MAX. */
uint64_t instr_find(const instr_count *c, size_t n, const char *label);

#endif /* BENCH_INSTR_H */
