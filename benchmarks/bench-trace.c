/* SPDX-License-Identifier: MIT */
/*
 * bench-trace.c — a media-server-like allocation trace.
 *
 * STREAMS live streams receive packets in random interleaving. A packet is an
 * audio frame (200–400 B, 60 % of packets) or a video frame (1–100 KiB:
 * small inter frames, a key frame every KEY_INTERVAL video frames; each
 * stream has its own bitrate). Every stream keeps the last WINDOW packets (a
 * rolling buffer for late joiners / retransmission) and frees the oldest
 * when a new one arrives. Now and then a stream ends and a new one with
 * another bitrate takes its place, freeing its whole window.
 *
 * One "op" = receive one packet: allocate it, write its bytes, and (once the
 * window is full) read and free the oldest packet of that stream.
 *
 * Every (allocator, repetition) runs in a child process of its own so that
 * its peak RSS (ru_maxrss from wait4) belongs to that allocator alone; the
 * parent prints medians, and each allocator's ratios to the peer (time,
 * peak RSS, page faults) taken run by run: the allocators run in turn,
 * A B C A B C ..., so a drifting machine affects all of them alike. ns/op
 * is the child's CPU time (user + system, so page faults count) per
 * packet; faults are the child's minor + major page faults. Allocators in
 * this binary:
 *   gomem         one gomem_scalable per stream (the Monibuca way: each
 *                 publisher owns its allocator)
 *   gomem-shared  one gomem_scalable shared by all streams
 *   <peer>        glibc, or mimalloc / jemalloc in the peer binaries
 *
 * Usage: bench-trace [--tsv] [--reps N] [--packets N] [--touch all|pages]
 *                    [--tree treap|avl|tlsf] [--frag]
 *   --touch all    write every byte of a packet (default, realistic)
 *   --touch pages  write one byte per 4 KiB page (allocator cost + faults)
 *   --tree NAME    the strategy of the gomem allocators' chunks (default:
 *                  the build's default_tree)
 *   --frag         instead of timing: for every strategy built, run the
 *                  trace on one allocator (gomem-shared's) and sample its
 *                  free space (gomem_scalable_free_stats) every tenth of
 *                  the packets: fragmentation 1 - largest/free and free
 *                  blocks over time, then their mean and maximum
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "peer.h"

#ifdef BENCH_WITH_GOMEM
#include <gomem/scalable.h>
#endif

enum {
  STREAMS = 48,
  WINDOW = 200,          /* packets kept per stream (~2.5 s of media) */
  KEY_INTERVAL = 50,     /* video frames between key frames */
  CHURN = 20000,         /* on average, one stream restarts per CHURN packets */
};

#define KIB ((size_t)1024)
#define GOMEM_INITIAL (64 * KIB) /* first chunk of each gomem allocator */

/* --- allocators under test ---------------------------------------------- */

/* The trace reaches every allocator through this table, so all of them pay
 * the same indirect call. ctx is per stream (NULL where unused). */
typedef struct backend {
  const char *name;
  int per_stream;      /* open() must return a context (else NULL is fine) */
  void *(*open)(void);
  void (*close)(void *ctx);
  void *(*alloc)(void *ctx, size_t n);
  int (*release)(void *ctx, void *p, size_t n);
} backend;

static void *peer_open(void) { return NULL; }
static void peer_close(void *ctx) { (void)ctx; }
static void *peer_alloc(void *ctx, size_t n) { (void)ctx; return peer_malloc(n); }
static int peer_release(void *ctx, void *p, size_t n)
{
  (void)ctx;
  peer_free(p, n);
  return 0;
}

#ifdef BENCH_WITH_GOMEM
/* The chunks' strategy (--tree). */
static gomem_strategy trace_tree = GOMEM_STRATEGY_DEFAULT;

static void *gomem_open(void) { return gomem_scalable_new_with(GOMEM_INITIAL, trace_tree); }
static void gomem_close(void *ctx) { gomem_scalable_destroy(ctx); }
static void *gomem_alloc(void *ctx, size_t n) { return gomem_scalable_malloc(ctx, n); }
static int gomem_release(void *ctx, void *p, size_t n)
{
  return gomem_scalable_free(ctx, p, n);
}

/* Created in the child that runs the trace, destroyed at its end. */
static gomem_scalable *shared_alloc;
static void *shared_open(void) { return shared_alloc; }
static void shared_close(void *ctx) { (void)ctx; }
#endif

static const backend backends[] = {
#ifdef BENCH_WITH_GOMEM
  {"gomem", 1, gomem_open, gomem_close, gomem_alloc, gomem_release},
  {"gomem-shared", 1, shared_open, shared_close, gomem_alloc, gomem_release},
#endif
  {PEER_NAME, 0, peer_open, peer_close, peer_alloc, peer_release},
};
#define NBACKENDS (sizeof backends / sizeof backends[0])

/* --- the trace ----------------------------------------------------------- */

typedef struct packet {
  unsigned char *ptr;
  size_t len;
} packet;

typedef struct stream {
  packet ring[WINDOW];
  size_t head;         /* next slot to write == oldest packet once full */
  size_t count;
  unsigned bitrate;    /* 10..100: percent of the largest video frames */
  unsigned video_frames;
  void *ctx;
} stream;

typedef struct trace {
  const backend *be;
  int touch_all;
  uint64_t rng;
  stream streams[STREAMS];
  size_t live, peak_live;
  unsigned sink;
} trace;

/* xorshift64*: fast, and the same sequence for every allocator. */
static uint64_t rnd(trace *t)
{
  t->rng ^= t->rng >> 12;
  t->rng ^= t->rng << 25;
  t->rng ^= t->rng >> 27;
  return t->rng * UINT64_C(2685821657736338717);
}

static size_t rnd_between(trace *t, size_t lo, size_t hi)
{
  return lo + (size_t)(rnd(t) % (hi - lo + 1));
}

static size_t packet_size(trace *t, stream *s)
{
  if (rnd(t) % 100 < 60)
    return rnd_between(t, 200, 400);
  s->video_frames++;
  if (s->video_frames % KEY_INTERVAL == 0)
    return rnd_between(t, 100 * KIB * s->bitrate / 200, 100 * KIB * s->bitrate / 100);
  return rnd_between(t, 1 * KIB, 1 * KIB + 24 * KIB * s->bitrate / 100);
}

/* A server writes what it receives; --touch pages only faults pages in. */
static void fill(trace *t, unsigned char *p, size_t len)
{
  if (t->touch_all) {
    memset(p, (int)(len & 0xff), len);
    return;
  }
  for (size_t off = 0; off < len; off += 4096)
    p[off] = (unsigned char)len;
  p[len - 1] = (unsigned char)len;
}

/* Sending the packet out: read its first and last bytes. */
static void consume(trace *t, const packet *pk)
{
  t->sink += pk->ptr[0] + pk->ptr[pk->len - 1];
}

static int drop_oldest(trace *t, stream *s)
{
  packet *old = &s->ring[s->head];
  consume(t, old);
  t->live -= old->len;
  return t->be->release(s->ctx, old->ptr, old->len);
}

static int stream_start(trace *t, stream *s)
{
  s->head = 0;
  s->count = 0;
  s->video_frames = 0;
  s->bitrate = (unsigned)rnd_between(t, 10, 100);
  s->ctx = t->be->open();
  return s->ctx || !t->be->per_stream ? 0 : -1;
}

static int stream_end(trace *t, stream *s)
{
  int rc = 0;
  for (; s->count > 0; s->count--) {
    s->head = (s->head + WINDOW - 1) % WINDOW;
    packet *pk = &s->ring[s->head];
    t->live -= pk->len;
    if (t->be->release(s->ctx, pk->ptr, pk->len) != 0)
      rc = -1;
  }
  t->be->close(s->ctx);
  return rc;
}

static int receive(trace *t)
{
  stream *s = &t->streams[rnd(t) % STREAMS];
  size_t len = packet_size(t, s);
  unsigned char *p = t->be->alloc(s->ctx, len);
  if (!p)
    return -1;
  fill(t, p, len);
  if (s->count == WINDOW) {
    if (drop_oldest(t, s) != 0)
      return -1;
  } else {
    s->count++;
  }
  s->ring[s->head] = (packet){p, len};
  s->head = (s->head + 1) % WINDOW;
  t->live += len;
  if (t->live > t->peak_live)
    t->peak_live = t->live;
  return 0;
}

static int maybe_churn(trace *t)
{
  if (rnd(t) % CHURN != 0)
    return 0;
  stream *s = &t->streams[rnd(t) % STREAMS];
  if (stream_end(t, s) != 0)
    return -1;
  return stream_start(t, s);
}

static int run_packets(trace *t, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (receive(t) != 0 || maybe_churn(t) != 0)
      return -1;
  }
  return 0;
}

typedef struct result {
  double ns_per_op;
  size_t peak_live;
  int ok;
} result;

/* Runs in the child: warm up until the windows are full, then time. */
static result run_trace(const backend *be, size_t packets, int touch_all)
{
  static trace t;
  result r = {0, 0, 0};
  t.be = be;
  t.touch_all = touch_all;
  t.rng = UINT64_C(0x9e3779b97f4a7c15);
#ifdef BENCH_WITH_GOMEM
  if (be->open == shared_open && !(shared_alloc = gomem_scalable_new_with(GOMEM_INITIAL, trace_tree)))
    return r;
#endif
  for (size_t i = 0; i < STREAMS; i++) {
    if (stream_start(&t, &t.streams[i]) != 0)
      return r;
  }
  if (run_packets(&t, 2 * STREAMS * WINDOW) != 0)
    return r;
  uint64_t start = bench_thread_ns();
  if (run_packets(&t, packets) != 0)
    return r;
  r.ns_per_op = (double)(bench_thread_ns() - start) / (double)packets;
  r.peak_live = t.peak_live;
  for (size_t i = 0; i < STREAMS; i++) {
    if (stream_end(&t, &t.streams[i]) != 0)
      return r;
  }
#ifdef BENCH_WITH_GOMEM
  gomem_scalable_destroy(shared_alloc);
#endif
  bench_escape(&t.sink);
  r.ok = 1;
  return r;
}

/* --- one process per run --------------------------------------------------- */

typedef struct sample {
  result r;
  long maxrss_kib;
  long faults; /* minor + major page faults of the whole child */
} sample;

static int run_child(const backend *be, size_t packets, int touch_all, sample *out)
{
  int fds[2];
  if (pipe(fds) != 0)
    return -1;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
    result r = run_trace(be, packets, touch_all);
    ssize_t w = write(fds[1], &r, sizeof r);
    _exit(w == (ssize_t)sizeof r && r.ok ? 0 : 1);
  }
  close(fds[1]);
  ssize_t got = read(fds[0], &out->r, sizeof out->r);
  close(fds[0]);
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid)
    return -1;
  out->maxrss_kib = ru.ru_maxrss;
  out->faults = ru.ru_minflt + ru.ru_majflt;
  if (got != (ssize_t)sizeof out->r || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return 0;
}

typedef struct options {
  int tsv;
  int reps;
  size_t packets;
  int touch_all;
  int frag;
} options;

#ifdef BENCH_WITH_GOMEM
/* Sets trace_tree from a strategy name built into the library; -1 if none. */
static int parse_tree(const char *name)
{
  for (int k = GOMEM_STRATEGY_TREAP; k <= GOMEM_STRATEGY_TLSF; k++) {
    if (gomem_strategy_available((gomem_strategy)k) &&
        strcmp(name, gomem_strategy_name((gomem_strategy)k)) == 0) {
      trace_tree = (gomem_strategy)k;
      return 0;
    }
  }
  return -1;
}
#endif

static int parse_args(int argc, char **argv, options *o)
{
  *o = (options){0, 3, 400000, 1, 0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--tsv") == 0) {
      o->tsv = 1;
    } else if (strcmp(a, "--reps") == 0 && v) {
      o->reps = atoi(v);
      i++;
    } else if (strcmp(a, "--packets") == 0 && v) {
      o->packets = strtoul(v, NULL, 10);
      i++;
    } else if (strcmp(a, "--touch") == 0 && v && (!strcmp(v, "all") || !strcmp(v, "pages"))) {
      o->touch_all = strcmp(v, "all") == 0;
      i++;
#ifdef BENCH_WITH_GOMEM
    } else if (strcmp(a, "--tree") == 0 && v && parse_tree(v) == 0) {
      i++;
    } else if (strcmp(a, "--frag") == 0) {
      o->frag = 1;
#endif
    } else {
      fprintf(stderr, "usage: %s [--tsv] [--reps N] [--packets N] [--touch all|pages]"
#ifdef BENCH_WITH_GOMEM
              " [--tree NAME] [--frag]"
#endif
              "\n", argv[0]);
      return -1;
    }
  }
  if (o->reps < 1 || o->reps > BENCH_MAX_REPS || o->packets == 0) {
    fprintf(stderr, "%s: --reps must be 1..%d and --packets > 0\n", argv[0], BENCH_MAX_REPS);
    return -1;
  }
  return 0;
}

/* Every figure of one allocator over the repetitions, and its ratio to the
 * peer (the last backend) repetition by repetition. */
typedef struct figures {
  double ns[BENCH_MAX_REPS], rss[BENCH_MAX_REPS], faults[BENCH_MAX_REPS];
  double ns_ratio[BENCH_MAX_REPS], rss_ratio[BENCH_MAX_REPS], faults_ratio[BENCH_MAX_REPS];
  double live;
  int ok;
} figures;

/* Runs the repetitions round-robin (A B C A B C ...), so that a machine
 * whose speed drifts affects every allocator alike. */
static void run_all(const options *o, figures *fig)
{
  for (size_t b = 0; b < NBACKENDS; b++)
    fig[b].ok = 1;
  for (int rep = 0; rep < o->reps; rep++) {
    for (size_t b = 0; b < NBACKENDS; b++) {
      sample s;
      if (!fig[b].ok || run_child(&backends[b], o->packets, o->touch_all, &s) != 0) {
        fig[b].ok = 0;
        continue;
      }
      fig[b].ns[rep] = s.r.ns_per_op;
      fig[b].rss[rep] = (double)s.maxrss_kib / 1024.0;
      fig[b].faults[rep] = (double)s.faults;
      fig[b].live = (double)s.r.peak_live / (1024.0 * 1024.0);
    }
  }
  const figures *peer = &fig[NBACKENDS - 1];
  for (size_t b = 0; b < NBACKENDS; b++) {
    for (int rep = 0; rep < o->reps; rep++) {
      fig[b].ns_ratio[rep] = fig[b].ns[rep] / peer->ns[rep];
      fig[b].rss_ratio[rep] = fig[b].rss[rep] / peer->rss[rep];
      fig[b].faults_ratio[rep] = fig[b].faults[rep] / peer->faults[rep];
    }
  }
}

#ifdef BENCH_WITH_GOMEM
/* --- fragmentation over time (--frag) ------------------------------------- */

enum { FRAG_SAMPLES = 10 };

typedef struct frag_sample {
  size_t packets;
  gomem_free_stats st;
} frag_sample;

/* 1 - largest/free: 0 when the free space is one block. */
static double fragmentation(const gomem_free_stats *st)
{
  return st->free_bytes ? 1.0 - (double)st->largest_free / (double)st->free_bytes : 0.0;
}

/* The trace on one allocator with strategy k (touching one byte per page:
 * the placement is what matters here), sampled FRAG_SAMPLES times after
 * the warm-up. 0, or -1 when the trace failed. */
static int frag_run(gomem_strategy k, size_t packets, frag_sample *out)
{
  static trace t;

  memset(&t, 0, sizeof t);
  t.be = &backends[1]; /* gomem-shared: one allocator for every stream */
  t.rng = UINT64_C(0x9e3779b97f4a7c15);
  if (!(shared_alloc = gomem_scalable_new_with(GOMEM_INITIAL, k)))
    return -1;
  int rc = 0;
  for (size_t i = 0; i < STREAMS && rc == 0; i++)
    rc = stream_start(&t, &t.streams[i]);
  if (rc == 0)
    rc = run_packets(&t, 2 * STREAMS * WINDOW);
  for (size_t i = 0; i < FRAG_SAMPLES && rc == 0; i++) {
    rc = run_packets(&t, packets / FRAG_SAMPLES);
    out[i].packets = (i + 1) * (packets / FRAG_SAMPLES);
    out[i].st = (gomem_free_stats){.struct_size = sizeof(gomem_free_stats)};
    if (rc == 0)
      rc = gomem_scalable_free_stats(shared_alloc, &out[i].st) == GOMEM_OK ? 0 : -1;
  }
  for (size_t i = 0; i < STREAMS; i++)
    if (stream_end(&t, &t.streams[i]) != 0)
      rc = -1;
  gomem_scalable_destroy(shared_alloc);
  return rc;
}

static void frag_print(gomem_strategy k, const frag_sample *v, int tsv)
{
  double sum = 0, max = 0, blocks = 0;

  for (size_t i = 0; i < FRAG_SAMPLES; i++) {
    double f = fragmentation(&v[i].st);
    sum += f;
    max = f > max ? f : max;
    blocks += (double)v[i].st.free_blocks;
    if (tsv)
      printf("frag\t%s\t%zu\t%.4f\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n",
             gomem_strategy_name(k), v[i].packets, f, v[i].st.free_blocks, v[i].st.free_bytes,
             v[i].st.largest_free);
    else
      printf("%-6s %10zu %8.3f %8" PRIu64 " %10.1f %12.1f\n", gomem_strategy_name(k),
             v[i].packets, f, v[i].st.free_blocks, (double)v[i].st.free_bytes / 1024.0,
             (double)v[i].st.largest_free / 1024.0);
  }
  if (!tsv)
    printf("%-6s %10s %8.3f %8.0f   (mean; max fragmentation %.3f)\n", gomem_strategy_name(k),
           "mean", sum / FRAG_SAMPLES, blocks / FRAG_SAMPLES, max);
}

static int frag_main(const options *o)
{
  frag_sample v[FRAG_SAMPLES];

  if (!o->tsv) {
    printf("media-server trace on one allocator: free space every %zu packets after the "
           "warm-up\n",
           o->packets / FRAG_SAMPLES);
    printf("%-6s %10s %8s %8s %10s %12s\n", "tree", "packets", "frag", "blocks", "free KiB",
           "largest KiB");
  }
  for (int k = GOMEM_STRATEGY_TREAP; k <= GOMEM_STRATEGY_TLSF; k++) {
    if (!gomem_strategy_available((gomem_strategy)k))
      continue;
    if (frag_run((gomem_strategy)k, o->packets, v) != 0) {
      fprintf(stderr, "trace failed for %s\n", gomem_strategy_name((gomem_strategy)k));
      return 1;
    }
    frag_print((gomem_strategy)k, v, o->tsv);
  }
  return 0;
}
#endif

int main(int argc, char **argv)
{
  options o;
  if (parse_args(argc, argv, &o) != 0)
    return 2;
#ifdef BENCH_WITH_GOMEM
  if (o.frag)
    return frag_main(&o);
#endif
  static figures fig[NBACKENDS];
  run_all(&o, fig);
  const char *mode = o.touch_all ? "all" : "pages";
  if (!o.tsv) {
    printf("media-server trace: %d streams, window %d packets, %zu packets/run, "
           "touch=%s, median of %d runs (one process each, taken in turn)\n",
           STREAMS, WINDOW, o.packets, mode, o.reps);
    printf("ratios: to %s, run by run, then the median\n", PEER_NAME);
    printf("%-14s %8s %8s %12s %8s %10s %8s %10s\n", "allocator", "ns/op", "time x",
           "peak RSS MiB", "RSS x", "faults", "faults x", "live MiB");
  }
  size_t n = (size_t)o.reps;
  int failed = !fig[NBACKENDS - 1].ok;
  for (size_t b = 0; b < NBACKENDS; b++) {
    figures *f = &fig[b];
    if (!f->ok || failed) {
      fprintf(stderr, "trace failed for %s\n", f->ok ? PEER_NAME : backends[b].name);
      failed = 1;
      continue;
    }
    double ns = bench_median(f->ns, n), rss = bench_median(f->rss, n);
    double faults = bench_median(f->faults, n);
    double ns_x = bench_median(f->ns_ratio, n), rss_x = bench_median(f->rss_ratio, n);
    double faults_x = bench_median(f->faults_ratio, n);
    if (o.tsv)
      printf("trace-%s\t%s\t%.1f\t%.1f\t%.1f\t%.0f\t%.3f\t%.3f\t%.3f\n", mode, backends[b].name,
             ns, rss, f->live, faults, ns_x, rss_x, faults_x);
    else
      printf("%-14s %8.1f %8.2f %12.1f %8.2f %10.0f %8.2f %10.1f\n", backends[b].name, ns, ns_x,
             rss, rss_x, faults, faults_x, f->live);
  }
  return failed;
}
