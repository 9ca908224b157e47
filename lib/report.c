/* SPDX-License-Identifier: MIT */
/*
 * Free-space statistics and JSON maps of a range allocator (see report.h);
 * the chunk's and the scalable allocator's use the same pieces.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "strategy/strategy.h"

void gomem__tally_add(struct gomem__tally *t, size_t len)
{
  t->bytes += len;
  t->blocks++;
  if (len > t->largest)
    t->largest = len;
  if (t->smallest == 0 || len < t->smallest)
    t->smallest = len;
}

static int tally_block(size_t offset, size_t size, void *ctx)
{
  (void)offset;
  gomem__tally_add(ctx, size);
  return 0;
}

void gomem__tally_allocator(struct gomem__tally *t, const gomem_allocator *a)
{
  (void)a->ops->foreach_free(a, tally_block, t);
}

bool gomem__free_stats_valid(const gomem_free_stats *out)
{
  return out && out->struct_size >= sizeof(size_t);
}

void gomem__tally_write(const struct gomem__tally *t, gomem_free_stats *out)
{
  const uint64_t fields[] = {t->bytes, t->blocks, t->largest, t->smallest};
  const size_t first = offsetof(gomem_free_stats, free_bytes);
  const size_t all = sizeof(fields) / sizeof(fields[0]);
  /* Only whole fields within struct_size: a caller built with an older,
   * shorter struct must not be written past its end. */
  size_t n = out->struct_size <= first ? 0 : (out->struct_size - first) / sizeof(uint64_t);

  memcpy((char *)out + first, fields, (n < all ? n : all) * sizeof(uint64_t));
}

_Static_assert(offsetof(gomem_free_stats, smallest_free)
                 == offsetof(gomem_free_stats, free_bytes) + 3 * sizeof(uint64_t),
               "gomem_free_stats holds four uint64_t fields, one after the other");

static bool json_reserve(struct gomem__json *j, size_t more)
{
  if (j->failed)
    return false;
  if (j->len + more < j->cap)
    return true;
  size_t cap = j->cap ? j->cap : 256;
  while (cap <= j->len + more)
    cap *= 2;
  char *b = realloc(j->buf, cap);
  if (!b) {
    j->failed = true;
    return false;
  }
  j->buf = b;
  j->cap = cap;
  return true;
}

void gomem__json_printf(struct gomem__json *j, const char *fmt, ...)
{
  va_list ap, again;

  va_start(ap, fmt);
  va_copy(again, ap);
  /* Measure, make room, then write: numbers can make any line long. */
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n >= 0 && json_reserve(j, (size_t)n)) {
    vsnprintf(j->buf + j->len, (size_t)n + 1, fmt, again);
    j->len += (size_t)n;
  } else if (n < 0) {
    j->failed = true;
  }
  va_end(again);
  va_end(ap);
}

void gomem__json_region(struct gomem__json *j, size_t size, const struct gomem__tally *t,
                        const struct gomem__json *runs)
{
  gomem__json_printf(j,
                     "{\"size\":%zu,\"free_bytes\":%" PRIu64 ",\"free_blocks\":%" PRIu64
                     ",\"largest_free\":%" PRIu64 ",\"free\":[",
                     size, t->bytes, t->blocks, t->largest);
  if (runs->failed)
    j->failed = true;
  if (runs->len > 0 && json_reserve(j, runs->len)) {
    memcpy(j->buf + j->len, runs->buf, runs->len + 1);
    j->len += runs->len;
  }
  gomem__json_printf(j, "]}");
}

int gomem__json_finish(struct gomem__json *j, char **json, size_t *len)
{
  if (j->failed || !j->buf) {
    free(j->buf);
    return GOMEM_ERR_NOMEM;
  }
  *json = j->buf;
  if (len)
    *len = j->len;
  return GOMEM_OK;
}

void gomem_json_free(char *json)
{
  free(json);
}

/* ---- the range allocator ------------------------------------------------------ */

int gomem_allocator_free_stats(const gomem_allocator *a, gomem_free_stats *out)
{
  struct gomem__tally t = {0, 0, 0, 0};

  if (!a || !gomem__free_stats_valid(out))
    return GOMEM_ERR_INVALID;
  gomem__tally_allocator(&t, a);
  gomem__tally_write(&t, out);
  return GOMEM_OK;
}

struct runs_walk {
  struct gomem__json *runs;
  struct gomem__tally *tally;
};

static int json_block(size_t offset, size_t size, void *ctx)
{
  struct runs_walk *w = ctx;

  gomem__json_printf(w->runs, "%s[%zu,%zu]", w->tally->blocks ? "," : "", offset, size);
  gomem__tally_add(w->tally, size);
  return 0;
}

int gomem_allocator_dump_json(const gomem_allocator *a, char **json, size_t *len)
{
  struct gomem__json j = {0}, runs = {0};
  struct gomem__tally t = {0, 0, 0, 0};
  struct runs_walk w = {&runs, &t};

  if (!a || !json)
    return GOMEM_ERR_INVALID;
  (void)a->ops->foreach_free(a, json_block, &w);
  gomem__json_region(&j, a->size, &t, &runs);
  free(runs.buf);
  return gomem__json_finish(&j, json, len);
}
