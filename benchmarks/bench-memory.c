/* SPDX-License-Identifier: MIT */
/*
 * Memory and reader benchmarks: the rows of Go's memory_bench_test.go and
 * reader_bench_test.go with the same set-ups, each also done with libevent's
 * evbuffer (zero-copy references, peek, copyout, remove, drain) as the peer;
 * then read throughput against plain memcpy of the same bytes.
 *
 * Usage: bench-memory [repetitions]   (default 7, at most BENCH_MAX_REPS)
 * Prints: row, gomem ns/op, evbuffer ns/op, ratio evbuffer/gomem (> 1 means
 * gomem is faster); each figure is the median of the repetitions, the two
 * sides alternating, and the ratio the median of the paired ratios.
 *
 * Times are the thread's CPU time (bench_thread_ns): on a shared machine
 * the time slices other processes take do not count.
 *
 * Like the Go rows, each reader row builds its source every iteration
 * (Go: NewReadableBuffersFromBytes; here: reset + push + a stack reader;
 * evbuffer: add_reference for each buffer) and reads it to the end.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <gomem/gomem.h>

#include "bench.h"

#define TARGET_NS 20000000u /* one repetition lasts about 20 ms */
#define BLOCK 1000          /* pushes timed between two untimed resets */

static uint8_t buf1k[100][1024]; /* Go's set-ups make a fresh buffer per segment */
static uint8_t buf512[2][512];
static uint8_t leb[1024];
static uint8_t sink[1 << 16];

/* ---- Memory rows ---------------------------------------------------------- */

/* Go: push 1024 bytes per op into one Memory. Reset every BLOCK, untimed. */
static uint64_t gm_push_one(void *ctx, size_t iters)
{
  gomem_memory *m = gomem_memory_new();
  uint64_t ns = 0;
  for (size_t done = 0; done < iters; done += BLOCK) {
    size_t n = iters - done < BLOCK ? iters - done : BLOCK;
    uint64_t t0 = bench_thread_ns();
    for (size_t i = 0; i < n; i++)
      gomem_memory_push(m, buf1k[0], 1024);
    ns += bench_thread_ns() - t0;
    gomem_memory_reset(m);
  }
  gomem_memory_destroy(m);
  return ns;
}

static uint64_t ev_push_one(void *ctx, size_t iters)
{
  struct evbuffer *b = evbuffer_new();
  uint64_t ns = 0;
  for (size_t done = 0; done < iters; done += BLOCK) {
    size_t n = iters - done < BLOCK ? iters - done : BLOCK;
    uint64_t t0 = bench_thread_ns();
    for (size_t i = 0; i < n; i++)
      evbuffer_add_reference(b, buf1k[0], 1024, NULL, NULL);
    ns += bench_thread_ns() - t0;
    evbuffer_drain(b, evbuffer_get_length(b));
  }
  evbuffer_free(b);
  return ns;
}

/* Go: Push(data1, data2) of 512 bytes each. */
static uint64_t gm_push(void *ctx, size_t iters)
{
  gomem_memory *m = gomem_memory_new();
  gomem_span two[2] = {{buf512[0], 512}, {buf512[1], 512}};
  uint64_t ns = 0;
  for (size_t done = 0; done < iters; done += BLOCK) {
    size_t n = iters - done < BLOCK ? iters - done : BLOCK;
    uint64_t t0 = bench_thread_ns();
    for (size_t i = 0; i < n; i++)
      gomem_memory_push_many(m, two, 2);
    ns += bench_thread_ns() - t0;
    gomem_memory_reset(m);
  }
  gomem_memory_destroy(m);
  return ns;
}

static uint64_t ev_push(void *ctx, size_t iters)
{
  struct evbuffer *b = evbuffer_new();
  uint64_t ns = 0;
  for (size_t done = 0; done < iters; done += BLOCK) {
    size_t n = iters - done < BLOCK ? iters - done : BLOCK;
    uint64_t t0 = bench_thread_ns();
    for (size_t i = 0; i < n; i++) {
      evbuffer_add_reference(b, buf512[0], 512, NULL, NULL);
      evbuffer_add_reference(b, buf512[1], 512, NULL, NULL);
    }
    ns += bench_thread_ns() - t0;
    evbuffer_drain(b, evbuffer_get_length(b));
  }
  evbuffer_free(b);
  return ns;
}

/* 100 distinct segments of 1 KiB, as Go's ToBytes/CopyTo/Count/Range
 * set-ups (each pushes a new make([]byte, 1024)): 100 KiB to copy. */
static gomem_memory *gm_hundred(void)
{
  gomem_memory *m = gomem_memory_new();
  for (int i = 0; i < 100; i++)
    gomem_memory_push(m, buf1k[i], 1024);
  return m;
}

static struct evbuffer *ev_hundred(void)
{
  struct evbuffer *b = evbuffer_new();
  for (int i = 0; i < 100; i++)
    evbuffer_add_reference(b, buf1k[i], 1024, NULL, NULL);
  return b;
}

static uint64_t gm_to_bytes(void *ctx, size_t iters)
{
  gomem_memory *m = gm_hundred();
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    void *p = gomem_memory_to_bytes(m, NULL);
    bench_escape(p);
    gomem_memory_free_bytes(p);
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_memory_destroy(m);
  return ns;
}

static uint64_t ev_to_bytes(void *ctx, size_t iters)
{
  struct evbuffer *b = ev_hundred();
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    size_t len = evbuffer_get_length(b);
    void *p = malloc(len);
    evbuffer_copyout(b, p, len);
    bench_escape(p);
    free(p);
  }
  uint64_t ns = bench_thread_ns() - t0;
  evbuffer_free(b);
  return ns;
}

static uint64_t gm_copy_to(void *ctx, size_t iters)
{
  gomem_memory *m = gm_hundred();
  size_t len = gomem_memory_size(m);
  uint8_t *dst = malloc(len);
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    gomem_memory_copy_to(m, dst, len);
    bench_escape(dst);
  }
  uint64_t ns = bench_thread_ns() - t0;
  free(dst);
  gomem_memory_destroy(m);
  return ns;
}

static uint64_t ev_copy_to(void *ctx, size_t iters)
{
  struct evbuffer *b = ev_hundred();
  size_t len = evbuffer_get_length(b);
  uint8_t *dst = malloc(len);
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    evbuffer_copyout(b, dst, len);
    bench_escape(dst);
  }
  uint64_t ns = bench_thread_ns() - t0;
  free(dst);
  evbuffer_free(b);
  return ns;
}

/* Go: mem1.Append(mem2), mem2 holding 50 segments; mem1 grows (reset untimed). */
#define APPEND_BLOCK 100
static uint64_t gm_append(void *ctx, size_t iters)
{
  gomem_memory *a = gomem_memory_new(), *b = gomem_memory_new();
  for (int i = 0; i < 50; i++)
    gomem_memory_push(b, buf1k[0], 1024);
  uint64_t ns = 0;
  for (size_t done = 0; done < iters; done += APPEND_BLOCK) {
    size_t n = iters - done < APPEND_BLOCK ? iters - done : APPEND_BLOCK;
    uint64_t t0 = bench_thread_ns();
    for (size_t i = 0; i < n; i++)
      gomem_memory_append(a, b);
    ns += bench_thread_ns() - t0;
    gomem_memory_reset(a);
  }
  gomem_memory_destroy(a);
  gomem_memory_destroy(b);
  return ns;
}

static uint64_t ev_append(void *ctx, size_t iters)
{
  struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
  for (int i = 0; i < 50; i++)
    evbuffer_add_reference(b, buf1k[0], 1024, NULL, NULL);
  uint64_t ns = 0;
  for (size_t done = 0; done < iters; done += APPEND_BLOCK) {
    size_t n = iters - done < APPEND_BLOCK ? iters - done : APPEND_BLOCK;
    uint64_t t0 = bench_thread_ns();
    for (size_t i = 0; i < n; i++)
      evbuffer_add_buffer_reference(a, b);
    ns += bench_thread_ns() - t0;
    evbuffer_drain(a, evbuffer_get_length(a));
  }
  evbuffer_free(a);
  evbuffer_free(b);
  return ns;
}

static uint64_t gm_count(void *ctx, size_t iters)
{
  gomem_memory *m = gm_hundred();
  size_t sum = 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    sum += gomem_memory_count(m);
    bench_escape(m);
  }
  uint64_t ns = bench_thread_ns() - t0;
  bench_escape(&sum);
  gomem_memory_destroy(m);
  return ns;
}

/* evbuffer keeps no segment count: evbuffer_peek with no vector counts them. */
static uint64_t ev_count(void *ctx, size_t iters)
{
  struct evbuffer *b = ev_hundred();
  size_t sum = 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    sum += (size_t)evbuffer_peek(b, -1, NULL, NULL, 0);
    bench_escape(b);
  }
  uint64_t ns = bench_thread_ns() - t0;
  bench_escape(&sum);
  evbuffer_free(b);
  return ns;
}

/*
 * The callback of the Range rows, Go's `func(buf []byte) { _ = len(buf) }`:
 * it does nothing. (Adding len to *ctx would chain every call through a
 * store and a load of the same word: the row would time store forwarding.)
 */
static int touch(const void *ptr, size_t len, void *ctx)
{
  (void)ptr;
  (void)len;
  (void)ctx;
  return 0;
}

static uint64_t gm_range(void *ctx, size_t iters)
{
  gomem_memory *m = gm_hundred();
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++)
    gomem_memory_foreach(m, touch, NULL);
  uint64_t ns = bench_thread_ns() - t0;
  gomem_memory_destroy(m);
  return ns;
}

/*
 * Hand each iovec of a peek to the same callback as gomem's (a vector of
 * 128 suffices), called through a pointer as gomem calls it, not inlined.
 */
static void ev_visit(struct evbuffer *b, ev_ssize_t len, void *sum)
{
  int (*volatile fn)(const void *, size_t, void *) = touch;
  struct evbuffer_iovec v[128];
  int n = evbuffer_peek(b, len, NULL, v, 128);
  for (int k = 0; k < n && k < 128; k++)
    fn(v[k].iov_base, v[k].iov_len, sum);
}

static uint64_t ev_range(void *ctx, size_t iters)
{
  struct evbuffer *b = ev_hundred();
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++)
    ev_visit(b, -1, NULL);
  uint64_t ns = bench_thread_ns() - t0;
  evbuffer_free(b);
  return ns;
}

/* ---- Reader rows: build the source, read it to the end, every iteration ---- */

struct source {
  const uint8_t *seg[3];
  size_t len[3];
  size_t n;
};

static const struct source three_1k = {{buf1k[0], buf1k[1], buf1k[2]}, {1024, 1024, 1024}, 3};
static const struct source one_1k = {{buf1k[0]}, {1024}, 1};
static const struct source two_512 = {{buf512[0], buf512[1]}, {512, 512}, 2};
static const struct source leb_1k = {{leb}, {1024}, 1};

static gomem_reader *gm_open(gomem_memory *m, gomem_reader_storage *st, const struct source *s)
{
  gomem_memory_reset(m);
  for (size_t k = 0; k < s->n; k++)
    gomem_memory_push(m, s->seg[k], s->len[k]);
  return gomem_reader_init(st, sizeof(*st), m);
}

static void ev_open(struct evbuffer *b, const struct source *s)
{
  for (size_t k = 0; k < s->n; k++)
    evbuffer_add_reference(b, s->seg[k], s->len[k], NULL, NULL);
}

/* READ_BYTE, SKIP_64 and LEB128 use the header's inline helpers, as a C parser
 * would; the *_CALL kinds call the exported functions, as an FFI user does;
 * SCAN is the fastest pattern a C parser has: gomem_reader_current, a
 * local loop over the contiguous bytes, then gomem_reader_skip. */
enum read_kind {
  READ_1K, READ_BYTE, READ_BYTE_CALL, SCAN, READ_64, READ_BE4, SKIP_64, SKIP_64_CALL, RANGE_ALL,
  RANGE_2, LEB128, LEB128_CALL
};

static const struct source *source_of(enum read_kind k)
{
  switch (k) {
  case READ_1K: return &three_1k;
  case RANGE_ALL:
  case RANGE_2: return &two_512;
  case LEB128:
  case LEB128_CALL: return &leb_1k;
  default: return &one_1k;
  }
}

/* Sum the bytes of @p[0, len) in a local: no store in the loop. */
static size_t sum_bytes(const uint8_t *p, size_t len)
{
  size_t sum = 0;
  for (size_t i = 0; i < len; i++)
    sum += p[i];
  return sum;
}

/*
 * One pass of @k over a fresh gomem reader. The running sum stays in a
 * register: nothing takes its address (the Range kinds pass their own
 * context), so the byte loops time the reader, not store forwarding.
 */
static size_t gm_pass(gomem_reader *r, enum read_kind k)
{
  size_t sum = 0;
  uint8_t b;
  uint64_t v;
  const void *p;
  size_t len;
  switch (k) {
  case READ_1K:
    while (gomem_reader_read(r, sink, 1024) > 0)
      sum++;
    break;
  case READ_BYTE:
    while (gomem_reader_read_byte_inline(r, &b) == GOMEM_OK)
      sum += b;
    break;
  case READ_BYTE_CALL:
    while (gomem_reader_read_byte(r, &b) == GOMEM_OK)
      sum += b;
    break;
  case SCAN:
    while (gomem_reader_current(r, &p, &len) == GOMEM_OK) {
      sum += sum_bytes(p, len);
      gomem_reader_skip(r, len);
    }
    break;
  case READ_64:
    while (gomem_reader_read_exact(r, sink, 64) == GOMEM_OK)
      sum++;
    break;
  case READ_BE4:
    while (gomem_reader_read_be(r, 4, &v) == GOMEM_OK)
      sum += v;
    break;
  case SKIP_64:
    while (gomem_reader_skip_inline(r, 64) == GOMEM_OK && gomem_reader_remaining(r) > 0)
      sum++;
    break;
  case SKIP_64_CALL:
    while (gomem_reader_skip(r, 64) == GOMEM_OK && gomem_reader_remaining(r) > 0)
      sum++;
    break;
  case RANGE_ALL:
    gomem_reader_range(r, SIZE_MAX, touch, NULL);
    break;
  case RANGE_2:
    gomem_reader_range(r, 2, touch, NULL);
    break;
  case LEB128:
    while (gomem_reader_read_uleb128_inline(r, &v) == GOMEM_OK)
      sum += v;
    break;
  case LEB128_CALL:
    while (gomem_reader_read_uleb128(r, &v) == GOMEM_OK)
      sum += v;
    break;
  }
  return sum;
}

/* The same pass with evbuffer's API: remove/drain consume, peek/pullup look. */
static size_t ev_pass(struct evbuffer *e, enum read_kind k)
{
  size_t sum = 0;
  uint8_t b;
  uint32_t be;
  struct evbuffer_iovec iov;
  switch (k) {
  case READ_1K:
    while (evbuffer_remove(e, sink, 1024) > 0)
      sum++;
    break;
  case READ_BYTE:
  case READ_BYTE_CALL:
    while (evbuffer_remove(e, &b, 1) == 1)
      sum += b;
    break;
  case SCAN:
    while (evbuffer_peek(e, -1, NULL, &iov, 1) > 0) {
      sum += sum_bytes(iov.iov_base, iov.iov_len);
      evbuffer_drain(e, iov.iov_len);
    }
    break;
  case READ_64:
    while (evbuffer_get_length(e) >= 64 && evbuffer_remove(e, sink, 64) == 64)
      sum++;
    break;
  case READ_BE4:
    while (evbuffer_get_length(e) >= 4 && evbuffer_remove(e, &be, 4) == 4)
      sum += ntohl(be);
    break;
  case SKIP_64:
  case SKIP_64_CALL:
    while (evbuffer_drain(e, 64) == 0 && evbuffer_get_length(e) > 0)
      sum++;
    break;
  case RANGE_ALL:
    ev_visit(e, -1, NULL);
    evbuffer_drain(e, evbuffer_get_length(e));
    break;
  case RANGE_2:
    ev_visit(e, 2, NULL);
    evbuffer_drain(e, 2);
    break;
  case LEB128:
  case LEB128_CALL:
    /* No varint API: pull up to 10 bytes contiguous, decode, drain. */
    for (size_t len; (len = evbuffer_get_length(e)) > 0;) {
      const uint8_t *p = evbuffer_pullup(e, len < 10 ? (ev_ssize_t)len : 10);
      uint64_t v = 0;
      size_t n = 0;
      while (n < len && n < 10) {
        v |= (uint64_t)(p[n] & 0x7f) << (7 * n);
        if (!(p[n++] & 0x80))
          break;
      }
      evbuffer_drain(e, n);
      sum += v;
    }
    break;
  }
  return sum;
}

struct reader_row {
  enum read_kind kind;
};

static uint64_t gm_reader(void *ctx, size_t iters)
{
  enum read_kind k = ((struct reader_row *)ctx)->kind;
  gomem_memory *m = gomem_memory_new();
  gomem_reader_storage st;
  size_t sum = 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++)
    sum += gm_pass(gm_open(m, &st, source_of(k)), k);
  uint64_t ns = bench_thread_ns() - t0;
  bench_escape(&sum);
  gomem_memory_destroy(m);
  return ns;
}

static uint64_t ev_reader(void *ctx, size_t iters)
{
  enum read_kind k = ((struct reader_row *)ctx)->kind;
  struct evbuffer *e = evbuffer_new();
  size_t sum = 0;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    ev_open(e, source_of(k));
    sum += ev_pass(e, k);
    evbuffer_drain(e, evbuffer_get_length(e)); /* RangeN leaves the rest */
  }
  uint64_t ns = bench_thread_ns() - t0;
  bench_escape(&sum);
  evbuffer_free(e);
  return ns;
}

/* ---- Throughput: read everything into one buffer, vs memcpy ------------- */

struct bulk {
  size_t nseg, seglen;
  uint8_t *src; /* nseg * seglen bytes, the segments back to back */
  uint8_t *dst;
};

static uint64_t gm_bulk(void *ctx, size_t iters)
{
  struct bulk *k = ctx;
  gomem_memory *m = gomem_memory_new();
  for (size_t s = 0; s < k->nseg; s++)
    gomem_memory_push(m, k->src + s * k->seglen, k->seglen);
  gomem_reader_storage st;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    gomem_reader *r = gomem_reader_init(&st, sizeof(st), m);
    gomem_reader_read_exact(r, k->dst, k->nseg * k->seglen);
    bench_escape(k->dst);
  }
  uint64_t ns = bench_thread_ns() - t0;
  gomem_memory_destroy(m);
  return ns;
}

static uint64_t ev_bulk(void *ctx, size_t iters)
{
  struct bulk *k = ctx;
  struct evbuffer *e = evbuffer_new();
  for (size_t s = 0; s < k->nseg; s++)
    evbuffer_add_reference(e, k->src + s * k->seglen, k->seglen, NULL, NULL);
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    evbuffer_copyout(e, k->dst, k->nseg * k->seglen);
    bench_escape(k->dst);
  }
  uint64_t ns = bench_thread_ns() - t0;
  evbuffer_free(e);
  return ns;
}

static uint64_t memcpy_bulk(void *ctx, size_t iters)
{
  struct bulk *k = ctx;
  uint64_t t0 = bench_thread_ns();
  for (size_t i = 0; i < iters; i++) {
    memcpy(k->dst, k->src, k->nseg * k->seglen);
    bench_escape(k->dst);
  }
  return bench_thread_ns() - t0;
}

/* ---- driver ---------------------------------------------------------------- */

static unsigned reps = 7;

/* Median ns per op of @fn over the repetitions. */
static double measure(bench_fn fn, void *ctx)
{
  double v[BENCH_MAX_REPS];
  size_t iters = bench_calibrate(fn, ctx, TARGET_NS);
  for (unsigned i = 0; i < reps; i++)
    v[i] = (double)fn(ctx, iters) / (double)iters;
  return bench_median(v, reps);
}

/*
 * One row: gomem and the peer alternate, repetition by repetition, so that
 * a slow spell of a shared machine hits both; the ratio printed is the
 * median of the per-repetition ratios peer / gomem.
 */
static void row(const char *name, bench_fn ours, bench_fn peer, void *ctx)
{
  double a[BENCH_MAX_REPS], b[BENCH_MAX_REPS], ratio[BENCH_MAX_REPS];
  size_t na = bench_calibrate(ours, ctx, TARGET_NS), nb = bench_calibrate(peer, ctx, TARGET_NS);
  for (unsigned i = 0; i < reps; i++) {
    a[i] = (double)ours(ctx, na) / (double)na;
    b[i] = (double)peer(ctx, nb) / (double)nb;
    ratio[i] = b[i] / a[i];
  }
  printf("| %-24s | %10.2f | %10.2f | %6.2fx |\n", name, bench_median(a, reps),
         bench_median(b, reps), bench_median(ratio, reps));
  fflush(stdout);
}

static void bulk_row(const char *name, size_t nseg, size_t seglen)
{
  struct bulk k = {nseg, seglen, malloc(nseg * seglen), malloc(nseg * seglen)};
  if (!k.src || !k.dst) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  memset(k.src, 0x5A, nseg * seglen);
  memset(k.dst, 0, nseg * seglen);
  double bytes = (double)(nseg * seglen);
  double g = bytes / measure(gm_bulk, &k), e = bytes / measure(ev_bulk, &k);
  double c = bytes / measure(memcpy_bulk, &k);
  printf("| %-24s | %8.2f | %8.2f | %8.2f | %5.0f%% |\n", name, g, e, c, 100 * g / c);
  fflush(stdout);
  free(k.src);
  free(k.dst);
}

int main(int argc, char **argv)
{
  reps = bench_reps_arg(argc, argv, reps);
  if (reps == 0)
    return 2;
  for (size_t i = 0; i < sizeof(leb); i++)
    leb[i] = (uint8_t)(i % 128);

  printf("Memory and reader, ns/op (median of %u), evbuffer = libevent %s\n\n", reps,
         event_get_version());
  printf("| %-24s | %10s | %10s | %7s |\n", "row", "gomem", "evbuffer", "ratio");
  printf("|%s|%s|%s|%s|\n", "--------------------------", "------------", "------------",
         "---------");
  row("Memory/PushOne", gm_push_one, ev_push_one, NULL);
  row("Memory/Push", gm_push, ev_push, NULL);
  row("Memory/ToBytes", gm_to_bytes, ev_to_bytes, NULL);
  row("Memory/CopyTo", gm_copy_to, ev_copy_to, NULL);
  row("Memory/Append", gm_append, ev_append, NULL);
  row("Memory/Count", gm_count, ev_count, NULL);
  row("Memory/Range", gm_range, ev_range, NULL);

  static const struct {
    const char *name;
    struct reader_row row;
  } readers[] = {
    {"Reader/Read", {READ_1K}},       {"Reader/ReadByte", {READ_BYTE}},
    {"Reader/ReadByte (scan)", {SCAN}},
    {"Reader/ReadBytes", {READ_64}},  {"Reader/ReadBE", {READ_BE4}},
    {"Reader/Skip", {SKIP_64}},       {"Reader/Range", {RANGE_ALL}},
    {"Reader/RangeN", {RANGE_2}},     {"Reader/LEB128Unmarshal", {LEB128}},
    {"Reader/ReadByte (call)", {READ_BYTE_CALL}},
    {"Reader/LEB128 (call)", {LEB128_CALL}},
    {"Reader/Skip (call)", {SKIP_64_CALL}},
  };
  for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
    row(readers[i].name, gm_reader, ev_reader, (void *)&readers[i].row);

  printf("\nRead throughput, GB/s (median of %u): read_exact of everything into one buffer\n\n",
         reps);
  printf("| %-24s | %8s | %8s | %8s | %6s |\n", "source", "gomem", "evbuffer", "memcpy",
         "of memcpy");
  printf("|%s|%s|%s|%s|%s|\n", "--------------------------", "----------", "----------",
         "----------", "--------");
  bulk_row("64 x 64 KiB (4 MiB)", 64, 65536);
  bulk_row("1000 x 1500 B packets", 1000, 1500);
  bulk_row("256 x 64 B", 256, 64);
  return 0;
}
