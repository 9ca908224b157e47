/* SPDX-License-Identifier: MIT */
/*
 * bench-search.c — search and bit-reader rates, side by side in one run.
 *
 * Search: 1 MiB of printable bytes, held by a memory as 1500-byte segments
 * (network packets); the byte or string looked for is only in the last
 * bytes, across the last segment boundary, so every search scans it all:
 *   - gomem_reader_find_byte / gomem_reader_find over the segments,
 *   - memchr / memmem over the same bytes flat (the floor: no segments),
 *   - libevent's evbuffer_search over 1500-byte references (when built
 *     with libevent; otherwise n/a).
 * Bit reader: exp-Golomb ue and se codes of values like those in H.264
 * headers, decoded by gomem_bitreader_read_ue/_se from 1500-byte segments,
 * and by a plain decoder over the flat bytes written here (the floor).
 *
 * Usage: bench-search [repetitions]   (default 7, at most BENCH_MAX_REPS)
 * Each row: the sides alternate repetition by repetition on thread CPU
 * time; figures are medians, ratios the medians of the paired ratios
 * (other / gomem: above 1 means gomem is faster).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BENCH_HAVE_LIBEVENT
#  include <event2/buffer.h>
#endif
#include <gomem/gomem.h>

#include "bench.h"

#define TARGET_NS 20000000u /* one repetition lasts about 20 ms */
#define HAY_LEN (1u << 20)
#define SEG_LEN 1500
#define NVALUES 65536 /* exp-Golomb values per decode pass */

static const char needle[] = "\r\n\r\n"; /* an HTTP header's end */
#define NEEDLE_LEN 4
#define BYTE '\n'

static uint8_t *hay;
static size_t hay_len;
static gomem_memory *hay_mem;

/* ---- search ----------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng_next(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/*
 * Printable bytes (never \r or \n), then the needle placed so that it
 * straddles the last segment boundary, then a few more printable bytes.
 */
static void make_haystack(void)
{
  hay_len = HAY_LEN;
  hay = malloc(hay_len);
  hay_mem = gomem_memory_new();
  if (!hay || !hay_mem) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  for (size_t i = 0; i < hay_len; i++)
    hay[i] = (uint8_t)(' ' + rng_next() % 95);
  size_t at = (hay_len - 1) / SEG_LEN * SEG_LEN - 2;
  memcpy(hay + at, needle, NEEDLE_LEN);
  for (size_t off = 0; off < hay_len; off += SEG_LEN)
    gomem_memory_push(hay_mem, hay + off, hay_len - off < SEG_LEN ? hay_len - off : SEG_LEN);
}

struct search {
  size_t n;     /* needle length: 1 = the byte */
  size_t found; /* every side must find the same position */
};

static void check_found(struct search *s, size_t pos)
{
  if (s->found == SIZE_MAX)
    s->found = pos;
  if (pos != s->found) {
    fprintf(stderr, "bench-search: sides disagree: %zu vs %zu\n", pos, s->found);
    exit(1);
  }
}

static uint64_t gm_find(void *ctx, size_t iters)
{
  struct search *s = ctx;
  gomem_reader_storage st;
  gomem_reader *r = gomem_reader_init(&st, sizeof(st), hay_mem);
  size_t pos = SIZE_MAX;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    if (s->n == 1)
      gomem_reader_find_byte(r, BYTE, &pos);
    else
      gomem_reader_find(r, needle, s->n, &pos);
    bench_escape(&pos);
  }
  uint64_t ns = bench_thread_ns() - t0;
  check_found(s, pos);
  return ns;
}

static uint64_t flat_find(void *ctx, size_t iters)
{
  struct search *s = ctx;
  const uint8_t *hit = NULL;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    bench_escape(hay);
    hit = s->n == 1 ? memchr(hay, BYTE, hay_len) : memmem(hay, hay_len, needle, s->n);
    bench_escape(&hit);
  }
  uint64_t ns = bench_thread_ns() - t0;
  check_found(s, (size_t)(hit - hay));
  return ns;
}

#ifdef BENCH_HAVE_LIBEVENT
static uint64_t ev_find(void *ctx, size_t iters)
{
  struct search *s = ctx;
  struct evbuffer *e = evbuffer_new();
  for (size_t off = 0; off < hay_len; off += SEG_LEN)
    evbuffer_add_reference(e, hay + off, hay_len - off < SEG_LEN ? hay_len - off : SEG_LEN, NULL,
                           NULL);
  const char *what = s->n == 1 ? "\n" : needle;
  struct evbuffer_ptr p;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    p = evbuffer_search(e, what, s->n, NULL);
    bench_escape(&p);
  }
  uint64_t ns = bench_thread_ns() - t0;
  check_found(s, (size_t)p.pos);
  evbuffer_free(e);
  return ns;
}
#endif

/* ---- exp-Golomb ----------------------------------------------------------- */

struct bits {
  uint8_t *buf;
  size_t len; /* bytes */
  size_t at;  /* bits written */
};

static void put_bits(struct bits *w, uint64_t v, unsigned n)
{
  while (n-- > 0) {
    if (v >> n & 1)
      w->buf[w->at / 8] |= (uint8_t)(0x80 >> w->at % 8);
    w->at++;
  }
}

/* ue(v): (len - 1) zeros, then v + 1 in len bits. */
static void put_ue(struct bits *w, uint64_t v)
{
  unsigned len = 0;
  for (uint64_t x = v + 1; x; x >>= 1)
    len++;
  put_bits(w, 0, len - 1);
  put_bits(w, v + 1, len);
}

/* Values like an SPS's and slice headers': mostly small, some up to ~2^12. */
static uint64_t header_value(void)
{
  uint64_t r = rng_next();
  return (r >> 8) & ((UINT64_C(1) << (r % 13)) - 1);
}

struct golomb {
  bool se;
  uint8_t *buf;
  size_t len;
  gomem_memory *m; /* buf in SEG_LEN segments */
  uint64_t check;  /* every side must decode the same sum */
};

static void make_golomb(struct golomb *g, bool se)
{
  g->se = se;
  g->len = NVALUES * 4 + 8; /* codes of values < 2^13 take at most 27 bits */
  g->buf = calloc(1, g->len);
  g->m = gomem_memory_new();
  if (!g->buf || !g->m) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  struct bits w = {g->buf, g->len, 0};
  for (size_t i = 0; i < NVALUES; i++) {
    uint64_t v = header_value();
    /* se(v) codes k > 0 as 2k - 1 and k <= 0 as -2k: any ue value is one. */
    put_ue(&w, v);
  }
  g->len = (w.at + 7) / 8;
  for (size_t off = 0; off < g->len; off += SEG_LEN)
    gomem_memory_push(g->m, g->buf + off, g->len - off < SEG_LEN ? g->len - off : SEG_LEN);
  g->check = UINT64_MAX;
}

static void check_sum(struct golomb *g, uint64_t sum)
{
  if (g->check == UINT64_MAX)
    g->check = sum;
  if (sum != g->check) {
    fprintf(stderr, "bench-search: decoders disagree\n");
    exit(1);
  }
}

static uint64_t gm_golomb(void *ctx, size_t iters)
{
  struct golomb *g = ctx;
  uint64_t sum = 0, ns = 0;
  for (size_t i = 0; i < iters; i++) {
    gomem_reader_storage st;
    gomem_reader *r = gomem_reader_init(&st, sizeof(st), g->m);
    gomem_bitreader *b = gomem_bitreader_new(r, 0);
    sum = 0;
    uint64_t t0 = bench_thread_ns();
    for (size_t k = 0; k < NVALUES; k++) {
      uint64_t u;
      int64_t s;
      if (g->se && gomem_bitreader_read_se(b, &s) == GOMEM_OK)
        sum += (uint64_t)s;
      else if (!g->se && gomem_bitreader_read_ue(b, &u) == GOMEM_OK)
        sum += u;
    }
    ns += bench_thread_ns() - t0;
    gomem_bitreader_destroy(b);
    bench_escape(&sum);
  }
  check_sum(g, sum);
  return ns;
}

/* The floor: a 64-bit window over flat bytes, count leading zeros. */
struct flat_bits {
  const uint8_t *p;
  size_t len, at; /* at: bits consumed */
};

static uint64_t peek64(const struct flat_bits *f)
{
  uint64_t v = 0;
  size_t byte = f->at / 8;
  for (size_t i = 0; i < 8; i++)
    v = v << 8 | (byte + i < f->len ? f->p[byte + i] : 0);
  return v << f->at % 8;
}

static uint64_t flat_ue(struct flat_bits *f)
{
  uint64_t w = peek64(f);
  unsigned zeros = (unsigned)__builtin_clzll(w | 1); /* codes here are < 57 bits */
  unsigned len = 2 * zeros + 1;
  f->at += len;
  return (w >> (64 - len)) - 1;
}

static uint64_t flat_golomb(void *ctx, size_t iters)
{
  struct golomb *g = ctx;
  uint64_t sum = 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    struct flat_bits f = {g->buf, g->len, 0};
    bench_escape(g->buf);
    sum = 0;
    for (size_t k = 0; k < NVALUES; k++) {
      uint64_t u = flat_ue(&f);
      if (g->se)
        sum += (u & 1) ? (u + 1) / 2 : (uint64_t)0 - u / 2;
      else
        sum += u;
    }
    bench_escape(&sum);
  }
  uint64_t ns = bench_thread_ns() - t0;
  check_sum(g, sum);
  return ns;
}

/* ---- driver ----------------------------------------------------------------- */

static unsigned reps = 7;

/* Median ns per iteration of @fn, and of @fn / ours paired; fn NULL: n/a. */
struct side {
  const char *name;
  bench_fn fn;
};

static void row(const char *name, double per, const char *unit, void *ctx, bench_fn ours,
                const struct side *others, size_t nothers)
{
  double t[4][BENCH_MAX_REPS], ratio[4][BENCH_MAX_REPS];
  size_t iters[4];
  iters[0] = bench_calibrate(ours, ctx, TARGET_NS);
  for (size_t k = 0; k < nothers; k++)
    iters[k + 1] = others[k].fn ? bench_calibrate(others[k].fn, ctx, TARGET_NS) : 0;
  for (unsigned i = 0; i < reps; i++) {
    t[0][i] = (double)ours(ctx, iters[0]) / (double)iters[0] / per;
    for (size_t k = 0; k < nothers; k++) {
      if (!others[k].fn)
        continue;
      t[k + 1][i] = (double)others[k].fn(ctx, iters[k + 1]) / (double)iters[k + 1] / per;
      ratio[k][i] = t[k + 1][i] / t[0][i];
    }
  }
  printf("%-26s gomem %9.3f %s", name, bench_median(t[0], reps), unit);
  for (size_t k = 0; k < nothers; k++) {
    if (others[k].fn)
      printf(" | %s %9.3f (%5.2fx)", others[k].name, bench_median(t[k + 1], reps),
             bench_median(ratio[k], reps));
    else
      printf(" | %s n/a", others[k].name);
  }
  printf("\n");
  fflush(stdout);
}

int main(int argc, char **argv)
{
  reps = bench_reps_arg(argc, argv, reps);
  if (reps == 0)
    return 2;
  make_haystack();
#ifdef BENCH_HAVE_LIBEVENT
  bench_fn ev = ev_find;
#else
  bench_fn ev = NULL;
#endif
  printf("Search over 1 MiB in %d-byte segments (match in the last bytes): ns per MiB\n"
         "searched, median of %u; (x) = other / gomem, above 1: gomem faster\n",
         SEG_LEN, reps);
  struct search byte = {1, SIZE_MAX}, str = {NEEDLE_LEN, SIZE_MAX};
  const struct side byte_sides[] = {{"memchr flat", flat_find}, {"evbuffer_search", ev}};
  const struct side str_sides[] = {{"memmem flat", flat_find}, {"evbuffer_search", ev}};
  row("find_byte '\\n'", 1, "ns/MiB", &byte, gm_find, byte_sides, 2);
  row("find \"\\r\\n\\r\\n\"", 1, "ns/MiB", &str, gm_find, str_sides, 2);

  printf("\nExp-Golomb decode, %d values (0 to ~2^12) in %d-byte segments: ns per value\n",
         NVALUES, SEG_LEN);
  struct golomb ue, se;
  make_golomb(&ue, false);
  make_golomb(&se, true);
  const struct side floor[] = {{"flat clz decoder", flat_golomb}};
  row("bitreader read_ue", NVALUES, "ns/value", &ue, gm_golomb, floor, 1);
  row("bitreader read_se", NVALUES, "ns/value", &se, gm_golomb, floor, 1);
  return 0;
}
