/* SPDX-License-Identifier: MIT */
/*
 * model.h — a deliberately simple reference for a range allocator, used by
 * the differential tests.
 *
 * The truth is a byte map (one byte per unit, 1 = allocated). Next to it the
 * model keeps the sorted array of maximal free runs, updated incrementally
 * so that choosing a fit costs O(runs) instead of a scan of the whole map;
 * model_runs_consistent() rebuilds the runs from the byte map to prove that
 * the incremental bookkeeping did not drift.
 *
 * Policies, as gomem/allocator.h documents them:
 *   first fit (treap): the lowest-offset run of at least n units;
 *   best fit (avl):    the smallest run of at least n units, lowest offset
 *                      among runs of equal size;
 *   tlsf:              the current run when it holds n units; else good
 *                      fit: a run of the lowest size class whose runs all
 *                      hold n units, else a run of n's own class that
 *                      holds n (which run of the class depends on the
 *                      order the allocator filed them in: model_good_fit
 *                      says which runs are allowed). The run carved from
 *                      becomes current; so does the run a free leaves
 *                      when it is longer than the current one (or there
 *                      is none), and a lone run.
 * All allocate from the start of the chosen run.
 */
#ifndef GOMEM_TEST_MODEL_H
#define GOMEM_TEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct model_run {
  size_t start, end; /* [start, end), never empty */
} model_run;

/* model.cur when there is no current run. */
#define MODEL_NONE ((size_t)-1)

typedef struct model {
  size_t size;
  size_t free_size;
  /* The last unit of tlsf's current run, or MODEL_NONE: that unit stays
   * in the run while allocations carve its start and frees merge into
   * it. Kept for every policy, used by model_good_fit only. */
  size_t cur;
  unsigned char *used; /* size bytes, 1 = allocated */
  model_run *runs;     /* maximal free runs in increasing order */
  size_t nruns;
} model;

/* Everything free. Returns false when memory is exhausted. */
static inline bool model_init(model *m, size_t size)
{
  m->size = size;
  m->free_size = size;
  m->used = calloc(size, 1);
  /* Maximal runs are separated by at least one used unit. */
  m->runs = malloc((size / 2 + 1) * sizeof(*m->runs));
  m->nruns = 1;
  m->cur = size - 1;
  if (!m->used || !m->runs)
    return false;
  m->runs[0] = (model_run){ 0, size };
  return true;
}

static inline void model_fini(model *m)
{
  free(m->used);
  free(m->runs);
}

static inline void model_reset(model *m)
{
  memset(m->used, 0, m->size);
  m->free_size = m->size;
  m->nruns = 1;
  m->runs[0] = (model_run){ 0, m->size };
  m->cur = m->size - 1;
}

/* True when [off, off + len) lies inside the model and every unit of it is
 * allocated: exactly when a free of that range must succeed. */
static inline bool model_allocated(const model *m, size_t off, size_t len)
{
  if (len == 0 || off >= m->size || len > m->size - off)
    return false;
  return memchr(m->used + off, 0, len) == NULL;
}

/* The policy's choice for n units; false when no run is large enough. */
static inline bool model_fit(const model *m, size_t n, bool best_fit, size_t *off)
{
  size_t pick = m->nruns;

  for (size_t i = 0; i < m->nruns; i++) {
    size_t len = m->runs[i].end - m->runs[i].start;
    if (len < n)
      continue;
    if (!best_fit) {
      pick = i;
      break;
    }
    /* Strictly smaller only: the first of equal sizes has the lowest offset. */
    if (pick == m->nruns || len < m->runs[pick].end - m->runs[pick].start)
      pick = i;
  }
  if (pick == m->nruns)
    return false;
  *off = m->runs[pick].start;
  return true;
}

/* tlsf's size classes (gomem/common.h): a class per size below 64, then
 * 32 per power of two. */
static inline size_t model_class(size_t s)
{
  if (s < 64)
    return s;
  unsigned m = 0;
  while ((s >> m) > 1)
    m++;
  return (size_t)(m - 4) * 32 + (s >> (m - 5)) - 32;
}

/* The first class whose sizes are all >= n. */
static inline size_t model_class_up(size_t n)
{
  size_t c = model_class(n);
  return c + (model_class(n - 1) == c && n >= 64);
}

/* Index of the last run starting at or before off, or nruns if none. */
static inline size_t model_run_at_or_before(const model *m, size_t off)
{
  size_t lo = 0, hi = m->nruns;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->runs[mid].start <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo == 0 ? m->nruns : lo - 1;
}

/* Index of the run holding unit u, or nruns if u is not free. */
static inline size_t model_run_of(const model *m, size_t u)
{
  size_t i = u == MODEL_NONE ? m->nruns : model_run_at_or_before(m, u);

  return i < m->nruns && u < m->runs[i].end ? i : m->nruns;
}

/* A lone run is current; with none, nothing is. */
static inline void model_lone_current(model *m)
{
  if (m->nruns <= 1)
    m->cur = m->nruns ? m->runs[0].end - 1 : MODEL_NONE;
}

static inline void model_insert_run(model *m, size_t at, model_run r)
{
  memmove(&m->runs[at + 1], &m->runs[at], (m->nruns - at) * sizeof(*m->runs));
  m->runs[at] = r;
  m->nruns++;
}

static inline void model_remove_run(model *m, size_t at)
{
  memmove(&m->runs[at], &m->runs[at + 1], (m->nruns - at - 1) * sizeof(*m->runs));
  m->nruns--;
}

/* Allocate [off, off + len), which must lie inside one free run. Returns
 * false (and changes nothing) when it does not. */
static inline bool model_take(model *m, size_t off, size_t len)
{
  size_t i = model_run_at_or_before(m, off);

  if (len == 0 || i == m->nruns || off + len > m->runs[i].end)
    return false;
  model_run left = { m->runs[i].start, off }, right = { off + len, m->runs[i].end };
  bool was_cur = model_run_of(m, m->cur) == i;
  model_remove_run(m, i);
  if (right.end > right.start)
    model_insert_run(m, i, right);
  if (left.end > left.start)
    model_insert_run(m, i, left);
  memset(m->used + off, 1, len);
  m->free_size -= len;
  /* Carving a run's start makes it current; the current run stays
   * current in what is left above the range (the block keeps its end), or
   * with nothing left there none is. */
  if (right.end > right.start && (was_cur || left.end == left.start))
    m->cur = right.end - 1;
  else if (was_cur)
    m->cur = MODEL_NONE;
  model_lone_current(m);
  return true;
}

/* Free [off, off + len), merging with free neighbours. Returns false (and
 * changes nothing) unless the whole range is allocated. */
static inline bool model_give(model *m, size_t off, size_t len)
{
  if (!model_allocated(m, off, len))
    return false;
  size_t end = off + len;
  size_t i = model_run_at_or_before(m, off);
  /* The run to the left (if any) is i; the one to the right is i + 1. */
  size_t right = i == m->nruns ? 0 : i + 1;
  bool join_left = i != m->nruns && m->runs[i].end == off;
  bool join_right = right < m->nruns && m->runs[right].start == end;

  if (join_left && join_right) {
    m->runs[i].end = m->runs[right].end;
    model_remove_run(m, right);
  } else if (join_left) {
    m->runs[i].end = end;
  } else if (join_right) {
    m->runs[right].start = off;
  } else {
    model_insert_run(m, right, (model_run){ off, end });
  }
  memset(m->used + off, 0, len);
  m->free_size += len;
  /* The run the range went to becomes current when it is longer than the
   * current one, or there is none. */
  size_t j = model_run_of(m, off), ci = model_run_of(m, m->cur);
  if (ci == m->nruns ||
      (j != ci && m->runs[j].end - m->runs[j].start > m->runs[ci].end - m->runs[ci].start))
    m->cur = m->runs[j].end - 1;
  model_lone_current(m);
  return true;
}

/* Rebuild the runs from the byte map and compare: the incremental runs
 * and free size must be exactly what the byte map says. */
static inline bool model_runs_consistent(const model *m)
{
  size_t n = 0, free_units = 0, pos = 0;

  while (pos < m->size) {
    if (m->used[pos]) {
      pos++;
      continue;
    }
    size_t start = pos;
    while (pos < m->size && !m->used[pos])
      pos++;
    if (n >= m->nruns || m->runs[n].start != start || m->runs[n].end != pos)
      return false;
    free_units += pos - start;
    n++;
  }
  return n == m->nruns && free_units == m->free_size;
}

/* Whether tlsf may put n units at off: the current run when it holds n;
 * else off starts a run of the lowest class at or above n's rounded-up
 * class among all runs, or there is none and it is of n's own class and
 * holds n. (A current run too short for n is of a class below n's
 * rounded-up one, and too short for the own-class case: it never
 * matters there.) */
static inline bool model_good_fit(const model *m, size_t n, size_t off)
{
  size_t up = model_class_up(n), best = (size_t)-1, at = m->nruns;
  size_t ci = model_run_of(m, m->cur);

  if (ci < m->nruns && m->runs[ci].end - m->runs[ci].start >= n)
    return m->runs[ci].start == off;
  for (size_t i = 0; i < m->nruns; i++) {
    size_t c = model_class(m->runs[i].end - m->runs[i].start);
    if (c >= up && c < best)
      best = c;
    if (m->runs[i].start == off)
      at = i;
  }
  if (at == m->nruns)
    return false;
  size_t len = m->runs[at].end - m->runs[at].start;
  if (best != (size_t)-1)
    return model_class(len) == best;
  return model_class(len) == model_class(n) && len >= n;
}

#endif /* GOMEM_TEST_MODEL_H */
