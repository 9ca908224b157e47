/* SPDX-License-Identifier: MIT */
/*
 * Check suite 'nomem': every public function that allocates, with the
 * malloc family failing on purpose.
 *
 * This program defines malloc, calloc, realloc, free, the aligned
 * allocators, mmap and munmap itself, forwarding to glibc's __libc_*
 * functions and to the system calls: a definition in the executable
 * preempts libc's for every library of the process, libgomem.so included.
 * (The library is linked statically here, to reach the test hooks of
 * lib/scalable-internal.h; its calls land in the same functions.) A switch
 * makes the k-th allocation of one thread fail, or every one from the k-th
 * on, and counters keep the blocks and mapped bytes still live.
 *
 * For each call under test and each k = 0, 1, 2, ...: build a state,
 * fail the k-th allocation the call makes (or all from the k-th on), then
 * - a call that reports failure reports the documented code
 *   (GOMEM_ERR_NOMEM, or NULL with errno ENOMEM) and leaves the state
 *   exactly as it was: statistics field by field, every chunk's free runs,
 *   free lists, memory segments, reader offsets, recorded segments;
 * - whatever the call reported, once memory is back everything can be
 *   given back: no byte stays allocated, no free stays pending or
 *   rejected, every chunk is free;
 * - after everything is destroyed, the process has exactly the blocks and
 *   mappings it had before (no leak, including the failures midway).
 * The loop ends at the first k the call runs through without reaching an
 * injected failure; every call must have reached at least one. The states
 * are chosen to take the paths that need memory: a free between live
 * neighbours with the node pool used up, a partial free of a large block,
 * a new chunk, a queue node for a free from another thread, growing
 * arrays.
 *
 * Sanitizers replace the malloc family themselves: in such a build the
 * program says so and skips (exit 77). Valgrind's memcheck replaces it too
 * unless told not to (--soname-synonyms=somalloc=nouserintercepts, which
 * the 'valgrind' test setup passes); without that, the program skips.
 *
 * NOMEM_ONLY=text runs only the scenarios whose name contains text;
 * NOMEM_TRACE=1 prints each scenario and how many failures it reached.
 */
#include <gomem/gomem.h>

#include "run-suite.h"
#include "scalable-internal.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Assertions that cost nothing when they pass: a passing ck_assert
 * reports its location to the runner (a write, and a malloc), thousands of
 * times per scenario here. */
#define CHECK(cond, ...)                                                                 \
  do {                                                                                   \
    if (!(cond))                                                                         \
      ck_abort_msg(__VA_ARGS__);                                                         \
  } while (0)
#define CHECK_NONNULL(p) CHECK((p) != NULL, "%s is NULL", #p)
#define CHECK_EQ(x, y)                                                                   \
  do {                                                                                   \
    long long x_ = (long long)(x), y_ = (long long)(y);                                  \
    CHECK(x_ == y_, "%s == %s: %lld, %lld", #x, #y, x_, y_);                             \
  } while (0)

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)

/* Why the injection cannot run in this build: meson passes NOMEM_SANITIZE
 * (the b_sanitize option) when sanitizers are on. */
#if defined(NOMEM_SANITIZE)
#  define SKIP_REASON "b_sanitize=" NOMEM_SANITIZE ": the sanitizer runtime replaces the malloc family"
#elif defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define SKIP_REASON "a sanitizer runtime replaces the malloc family"
#endif

/* ---- the malloc family --------------------------------------------------------- */

#ifndef SKIP_REASON
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);
extern void *__libc_valloc(size_t n);
extern void *__libc_pvalloc(size_t n);

static atomic_long live_blocks;  /* blocks from the malloc family not yet freed */
static atomic_long mapped_bytes; /* bytes mapped through mmap, not yet unmapped */
static atomic_long every_call;   /* allocation calls of any thread, ever */

/* The injection. Only the armed thread's calls count; fields other than
 * `on` are touched by that thread only (or after it was joined). */
static struct {
  atomic_bool on;
  pthread_t thread;
  long fail_at; /* the index of the call to fail; -1: none */
  bool persist; /* fail every call from fail_at on */
  long calls;   /* calls since arming */
  long reallocs;
  long hits;    /* failures injected */
} inj;

/* Count an allocation call: @return true when it must fail. */
static bool fail_now(bool is_realloc)
{
  atomic_fetch_add_explicit(&every_call, 1, memory_order_relaxed);
  if (!atomic_load_explicit(&inj.on, memory_order_acquire)
      || !pthread_equal(pthread_self(), inj.thread))
    return false;
  long i = inj.calls++;
  inj.reallocs += is_realloc;
  if (inj.fail_at < 0 || i < inj.fail_at || (i > inj.fail_at && !inj.persist))
    return false;
  inj.hits++;
  return true;
}

static void *counted(void *p)
{
  if (p)
    atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
  return p;
}

void *malloc(size_t n)
{
  if (fail_now(false)) {
    errno = ENOMEM;
    return NULL;
  }
  return counted(__libc_malloc(n));
}

void *calloc(size_t n, size_t size)
{
  if (fail_now(false)) {
    errno = ENOMEM;
    return NULL;
  }
  return counted(__libc_calloc(n, size));
}

void free(void *p)
{
  if (p)
    atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
  __libc_free(p);
}

void *realloc(void *p, size_t n)
{
  if (!p)
    return malloc(n);
  if (n == 0) {
    free(p);
    return NULL;
  }
  if (fail_now(true)) {
    errno = ENOMEM;
    return NULL;
  }
  return __libc_realloc(p, n);
}

void *reallocarray(void *p, size_t n, size_t size)
{
  if (size && n > SIZE_MAX / size) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(p, n * size);
}

int posix_memalign(void **out, size_t align, size_t n)
{
  if (align == 0 || (align & (align - 1)) || align % sizeof(void *))
    return EINVAL;
  if (fail_now(false))
    return ENOMEM;
  void *p = counted(__libc_memalign(align, n));
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}

void *memalign(size_t align, size_t n)
{
  if (fail_now(false)) {
    errno = ENOMEM;
    return NULL;
  }
  return counted(__libc_memalign(align, n));
}

void *aligned_alloc(size_t align, size_t n)
{
  return memalign(align, n);
}

void *valloc(size_t n)
{
  if (fail_now(false)) {
    errno = ENOMEM;
    return NULL;
  }
  return counted(__libc_valloc(n));
}

void *pvalloc(size_t n)
{
  if (fail_now(false)) {
    errno = ENOMEM;
    return NULL;
  }
  return counted(__libc_pvalloc(n));
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
  if (fail_now(false)) {
    errno = ENOMEM;
    return MAP_FAILED;
  }
  long p = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
  if (p == -1)
    return MAP_FAILED;
  atomic_fetch_add_explicit(&mapped_bytes, (long)len, memory_order_relaxed);
  return (void *)p;
}

int munmap(void *addr, size_t len)
{
  int rc = (int)syscall(SYS_munmap, addr, len);

  if (rc == 0)
    atomic_fetch_sub_explicit(&mapped_bytes, (long)len, memory_order_relaxed);
  return rc;
}

/* Count (and fail, from call @p fail_at on or only that one) the calling
 * thread's allocations from now on. */
static void arm(long fail_at, bool persist)
{
  inj.thread = pthread_self();
  inj.fail_at = fail_at;
  inj.persist = persist;
  inj.calls = inj.reallocs = inj.hits = 0;
  atomic_store_explicit(&inj.on, true, memory_order_release);
}

static void disarm(void)
{
  atomic_store_explicit(&inj.on, false, memory_order_release);
}

/* @return false when calls to malloc do not reach the definitions above
 * (Valgrind's memcheck replaced them). */
static bool interposed(void)
{
  void *(*volatile m)(size_t) = malloc;
  long before = atomic_load(&every_call);

  free(m(1));
  return atomic_load(&every_call) != before;
}

/* ---- the state under test ------------------------------------------------------- */

#define MAX_HELD 1024

struct piece {
  void *p;
  size_t len; /* 0: given back */
};

/* Everything a scenario builds; the runner gives it all back. */
struct world {
  gomem_strategy strategy;
  gomem_allocator *a;
  gomem_chunk *c;
  gomem_buddy *b;
  gomem_scalable *s;
  gomem_recyclable *r;
  gomem_memory *m, *m2;
  gomem_reader *rd;
  int fds[2];
  bool holding;   /* the test holds the busy flag of the shared allocator s */
  bool disowned;  /* s was disowned: the runner adopts it back */
  bool leftovers; /* s may keep what a destroyed recyclable could not give back */
  const char *wrong; /* what went wrong in a call under test */
  void *bytes;    /* from gomem_memory_to_bytes */
  size_t nheld;
  struct piece held[MAX_HELD]; /* memory of s the runner gives back */
  unsigned char src[256], dst[256];
};

static struct world world;

/* Called by the calls under test: no Check assertion there, as a passing
 * one allocates too. */
static void hold(struct world *w, void *p, size_t len)
{
  if (w->nheld < MAX_HELD)
    w->held[w->nheld++] = (struct piece){p, len};
  else
    w->wrong = "too many pieces held";
}

static void *hold_malloc(struct world *w, size_t len)
{
  void *p = gomem_scalable_malloc(w->s, len);

  CHECK_NONNULL(p);
  hold(w, p, len);
  return p;
}

/* The code a NULL-returning call reports through errno. */
static int errno_code(void)
{
  return errno == ENOMEM ? GOMEM_ERR_NOMEM : errno == EPERM ? GOMEM_ERR_WRONG_THREAD
                                                            : GOMEM_ERR_INVALID;
}

/* Run fn(arg) on a new thread and wait for it. */
static void run_elsewhere(void *(*fn)(void *), void *arg)
{
  pthread_t t;

  CHECK_EQ(pthread_create(&t, NULL, fn, arg), 0);
  CHECK_EQ(pthread_join(t, NULL), 0);
}

struct stats_call {
  gomem_scalable *s;
  gomem_stats st;
  int rc;
};

static void *stats_there(void *arg)
{
  struct stats_call *c = arg;

  memset(&c->st, 0, sizeof(c->st));
  c->st.struct_size = sizeof(c->st);
  c->rc = gomem_scalable_stats(c->s, &c->st);
  return NULL;
}

/* The statistics as another thread reads them: without applying the
 * queued frees, as the owner's call would. */
static gomem_stats stats_quiet(gomem_scalable *s)
{
  struct stats_call c = {.s = s};

  run_elsewhere(stats_there, &c);
  CHECK_EQ(c.rc, GOMEM_OK);
  return c.st;
}

/* ---- snapshots ------------------------------------------------------------------ */

#define MAX_FACTS 16384

struct fact {
  const char *what;
  uint64_t v;
};

struct snap {
  size_t n;
  struct fact f[MAX_FACTS];
};

static struct snap before, after;

static void put(struct snap *s, const char *what, uint64_t v)
{
  CHECK(s->n < MAX_FACTS, "more than %d facts", MAX_FACTS);
  s->f[s->n++] = (struct fact){what, v};
}

static int put_free_block(size_t off, size_t size, void *ctx)
{
  put(ctx, "free block offset", off);
  put(ctx, "free block size", size);
  return 0;
}

static void put_allocator(struct snap *s, const gomem_allocator *a)
{
  put(s, "allocator size", gomem_allocator_size(a));
  put(s, "allocator free_size", gomem_allocator_free_size(a));
  put(s, "allocator free_blocks", gomem_allocator_free_blocks(a));
  CHECK_EQ(gomem_allocator_foreach_free(a, put_free_block, s), 0);
}

static void put_walk(enum gomem__walk_kind kind, uintptr_t p, size_t len, void *ctx)
{
  static const char *const what[] = {"chunk", "system block", "free run"};

  put(ctx, what[kind], p);
  put(ctx, "length", len);
}

static void put_scalable(struct snap *s, gomem_scalable *a)
{
  gomem_stats st = stats_quiet(a);

  put(s, "stats total_malloc", st.total_malloc);
  put(s, "stats total_free", st.total_free);
  put(s, "stats in_use", st.in_use);
  put(s, "stats chunks", st.chunks);
  put(s, "stats reserved", st.reserved);
  put(s, "stats large_blocks", st.large_blocks);
  put(s, "stats remote_pending", st.remote_pending);
  put(s, "stats remote_rejected", st.remote_rejected);
  gomem__scalable_walk(a, put_walk, s);
}

static void put_memory(struct snap *s, const gomem_memory *m)
{
  size_t n = gomem_memory_count(m);

  put(s, "memory count", n);
  put(s, "memory size", gomem_memory_size(m));
  for (size_t i = 0; i < n; i++) {
    const void *p;
    size_t len;
    CHECK_EQ(gomem_memory_segment(m, (ptrdiff_t)i, &p, &len), GOMEM_OK);
    put(s, "segment pointer", (uintptr_t)p);
    put(s, "segment length", len);
  }
}

static void snap_take(struct world *w, struct snap *s)
{
  s->n = 0;
  if (w->a)
    put_allocator(s, w->a);
  if (w->c) {
    put(s, "chunk free_size", gomem_chunk_free_size(w->c));
    put_allocator(s, gomem_chunk_allocator(w->c));
  }
  if (w->b) {
    put(s, "buddy free_size", gomem_buddy_free_size(w->b));
    put(s, "buddy max_alloc", gomem_buddy_max_alloc(w->b));
  }
  if (w->s)
    put_scalable(s, w->s);
  if (w->r) {
    put(s, "recorded", gomem_recyclable_recorded(w->r));
    put(s, "recyclable allocator", (uintptr_t)gomem_recyclable_allocator(w->r));
    put_memory(s, gomem_recyclable_memory(w->r));
  }
  if (w->m)
    put_memory(s, w->m);
  if (w->m2)
    put_memory(s, w->m2);
  if (w->rd) {
    put(s, "reader offset", gomem_reader_offset(w->rd));
    put(s, "reader remaining", gomem_reader_remaining(w->rd));
  }
  for (size_t i = 0; i < sizeof(w->dst); i++)
    put(s, "destination byte", w->dst[i]);
}

static void assert_same(const struct snap *a, const struct snap *b, const char *name, long k)
{
  for (size_t i = 0; i < a->n && i < b->n; i++)
    CHECK(a->f[i].v == b->f[i].v,
                  "%s, allocation %ld failed: fact %zu (%s) was %#" PRIx64 ", now %#" PRIx64,
                  name, k, i, a->f[i].what, a->f[i].v, b->f[i].v);
  CHECK(a->n == b->n, "%s, allocation %ld failed: %zu facts before, %zu after", name, k,
                a->n, b->n);
}

/* ---- giving everything back ---------------------------------------------------- */

struct emptiness {
  size_t chunk_size;
  size_t runs_in_chunk;
  bool ok;
};

static void check_walk(enum gomem__walk_kind kind, uintptr_t p, size_t len, void *ctx)
{
  struct emptiness *e = ctx;

  (void)p;
  if (kind == GOMEM__WALK_BLOCK)
    e->ok = false;
  if (kind == GOMEM__WALK_CHUNK) {
    if (e->chunk_size && e->runs_in_chunk != 1)
      e->ok = false;
    e->chunk_size = len;
    e->runs_in_chunk = 0;
  }
  if (kind == GOMEM__WALK_FREE) {
    e->runs_in_chunk++;
    if (len != e->chunk_size)
      e->ok = false;
  }
}

/* Memory is back: every free applies, and s holds nothing any more. */
static void assert_all_given_back(gomem_scalable *s, const char *name, long k)
{
  CHECK(gomem_scalable_drain(s) >= 0, "drain failed");
  gomem_stats st = stats_quiet(s);
  CHECK(st.in_use == 0 && st.total_malloc == st.total_free,
                "%s, allocation %ld failed: %" PRIu64 " bytes stay in use", name, k, st.in_use);
  CHECK(st.remote_pending == 0 && st.remote_rejected == 0,
                "%s, allocation %ld failed: %" PRIu64 " frees pending, %" PRIu64 " rejected",
                name, k, st.remote_pending, st.remote_rejected);
  CHECK(st.large_blocks == 0, "%s, allocation %ld failed: %" PRIu64 " large blocks stay",
                name, k, st.large_blocks);
  struct emptiness e = {.ok = true};
  gomem__scalable_walk(s, check_walk, &e);
  CHECK(e.ok && (e.chunk_size == 0 || e.runs_in_chunk == 1),
                "%s, allocation %ld failed: a chunk is not all free", name, k);
}

static void teardown(struct world *w, const char *name, long k)
{
  if (w->holding)
    gomem__scalable_unclaim(w->s);
  if (w->disowned)
    gomem_scalable_trim(w->s); /* adopts it */
  if (w->r) {
    gomem_recyclable_recycle(w->r);
    CHECK(gomem_recyclable_recorded(w->r) == 0,
                  "%s, allocation %ld failed: recycle kept %zu records with memory back", name, k,
                  gomem_recyclable_recorded(w->r));
    gomem_recyclable_destroy(w->r);
  }
  for (size_t i = 0; i < w->nheld; i++)
    if (w->held[i].len)
      CHECK_EQ(gomem_scalable_free(w->s, w->held[i].p, w->held[i].len), GOMEM_OK);
  if (w->s) {
    if (!w->leftovers)
      assert_all_given_back(w->s, name, k);
    gomem_scalable_destroy(w->s);
  }
  gomem_reader_destroy(w->rd);
  gomem_memory_destroy(w->m);
  gomem_memory_destroy(w->m2);
  gomem_memory_free_bytes(w->bytes);
  gomem_allocator_destroy(w->a);
  gomem_chunk_destroy(w->c);
  gomem_buddy_destroy(w->b);
  if (w->fds[0] >= 0)
    close(w->fds[0]);
  if (w->fds[1] >= 0)
    close(w->fds[1]);
}

/* ---- scenarios ------------------------------------------------------------------ */

/* A step beyond the last one. */
#define NO_MORE_STEPS 1

struct scenario {
  const char *name;
  void (*prep)(struct world *w); /* the state, built without failures */
  /* Optional: the steps of the state that lead to the call. The runner
   * finds the `growth`-th step (from 0) that allocates (or, with
   * realloc_step, reallocates), runs the steps before it, and then the
   * call under test: `op`, or that step itself when there is no op. */
  int (*step)(struct world *w, size_t i);
  unsigned growths; /* with step and no op: test this many growing steps */
  bool realloc_step;
  int (*op)(struct world *w); /* the call under test */
  bool elsewhere;             /* run the call on another thread */
  bool pooled_only, unpooled_only, per_strategy;
};

/* -- range allocator -- */

static int op_allocator_new(struct world *w)
{
  w->a = gomem_allocator_new(4096, w->strategy);
  return w->a ? GOMEM_OK : errno_code();
}

static int op_allocator_create(struct world *w)
{
  return gomem_allocator_create(4096, w->strategy, &w->a);
}

/* An allocator of 4096 units, the first @p taken of them allocated. */
static void prep_allocator_taking(struct world *w, size_t taken)
{
  size_t off;

  w->a = gomem_allocator_new(4096, w->strategy);
  CHECK_NONNULL(w->a);
  CHECK_EQ(gomem_allocator_alloc(w->a, taken, &off), GOMEM_OK);
}

static void prep_allocator_full(struct world *w)
{
  prep_allocator_taking(w, 4096);
}

/* Free unit 2i + 1 of a full allocator: a new block between allocated
 * neighbours, which needs a node. */
static int step_allocator_free(struct world *w, size_t i)
{
  return i < 2047 ? gomem_allocator_free(w->a, 2 * i + 1, 1) : NO_MORE_STEPS;
}

/* -- chunk -- */

static int op_chunk_new(struct world *w)
{
  w->c = gomem_chunk_new(64 * KiB, w->strategy);
  return w->c ? GOMEM_OK : errno_code();
}

static void prep_chunk_full(struct world *w)
{
  w->c = gomem_chunk_new(4096, w->strategy);
  CHECK_NONNULL(w->c);
  CHECK_NONNULL(gomem_chunk_malloc(w->c, 4096));
}

static int step_chunk_free(struct world *w, size_t i)
{
  unsigned char *base = gomem_chunk_base(w->c);

  return i < 2047 ? gomem_chunk_free(w->c, base + 2 * i + 1, 1) : NO_MORE_STEPS;
}

/* -- buddy -- */

static int op_buddy_new(struct world *w)
{
  w->b = gomem_buddy_new(1 * MiB, 1 * KiB);
  return w->b ? GOMEM_OK : errno_code();
}

/* -- scalable allocator: creation and allocation -- */

static int op_scalable_new(struct world *w)
{
  w->s = gomem_scalable_new_with(4 * KiB, w->strategy);
  return w->s ? GOMEM_OK : errno_code();
}

static int op_scalable_new_plain(struct world *w)
{
  w->s = gomem_scalable_new(4 * KiB);
  return w->s ? GOMEM_OK : errno_code();
}

static int op_scalable_new_shared(struct world *w)
{
  w->s = gomem_scalable_new_ex(4 * KiB, w->strategy, GOMEM_SCALABLE_SHARED);
  return w->s ? GOMEM_OK : errno_code();
}

static void prep_scalable(struct world *w, size_t initial, unsigned flags)
{
  w->s = gomem_scalable_new_ex(initial, w->strategy, flags);
  CHECK_NONNULL(w->s);
}

static void prep_scalable_4k(struct world *w)
{
  prep_scalable(w, 4 * KiB, 0);
}

/* One chunk of 1 KiB, all of it allocated. */
static void prep_scalable_full(struct world *w)
{
  prep_scalable(w, 1 * KiB, 0);
  (void)hold_malloc(w, 1 * KiB);
}

static void prep_shared_full(struct world *w)
{
  prep_scalable(w, 1 * KiB, GOMEM_SCALABLE_SHARED);
  (void)hold_malloc(w, 1 * KiB);
}

static int malloc_held(struct world *w, size_t size)
{
  void *p = gomem_scalable_malloc(w->s, size);

  if (!p)
    return errno_code();
  hold(w, p, size);
  return GOMEM_OK;
}

static int op_malloc_small(struct world *w)
{
  return malloc_held(w, 100);
}

static int op_malloc_large(struct world *w)
{
  return malloc_held(w, 5 * MiB);
}

static int step_malloc_1k(struct world *w, size_t i)
{
  return i < 1024 ? malloc_held(w, 1 * KiB) : NO_MORE_STEPS;
}

static int op_malloc_medium(struct world *w)
{
  return malloc_held(w, 100 * KiB);
}

static int op_borrow_small(struct world *w)
{
  return gomem_scalable_borrow(w->s, 100) ? GOMEM_OK : errno_code();
}

static int op_borrow_large(struct world *w)
{
  return gomem_scalable_borrow(w->s, 5 * MiB) ? GOMEM_OK : errno_code();
}

/* -- aligned allocation, caller memory, JSON maps -- */

/* Unit 0 allocated, the rest one free block. */
static void prep_allocator_one(struct world *w)
{
  prep_allocator_taking(w, 1);
}

/* One unit at the next multiple of 64: a cut in the middle of the free
 * block, which needs a node. */
static int step_allocator_aligned(struct world *w, size_t i)
{
  size_t off;

  return i < 60 ? gomem_allocator_alloc_aligned(w->a, 1, 64, &off) : NO_MORE_STEPS;
}

static void prep_chunk_one(struct world *w)
{
  w->c = gomem_chunk_new(4096, w->strategy);
  CHECK_NONNULL(w->c);
  CHECK_NONNULL(gomem_chunk_malloc(w->c, 1));
}

static int step_chunk_aligned(struct world *w, size_t i)
{
  if (i >= 60)
    return NO_MORE_STEPS;
  return gomem_chunk_malloc_aligned(w->c, 1, 64) ? GOMEM_OK : errno_code();
}

static int op_chunk_new_over(struct world *w)
{
  w->c = gomem_chunk_new_over(w->dst, sizeof(w->dst), w->strategy);
  return w->c ? GOMEM_OK : errno_code();
}

static int aligned_held(struct world *w, size_t size, size_t align)
{
  void *p = gomem_scalable_malloc_aligned(w->s, size, align);

  if (!p)
    return errno_code();
  hold(w, p, size);
  return GOMEM_OK;
}

static int op_aligned_small(struct world *w)
{
  return aligned_held(w, 100, 256);
}

static int op_aligned_large(struct world *w)
{
  return aligned_held(w, 5 * MiB, 4096);
}

/* One byte at the next multiple of 64 of a 64 KiB chunk: a cut in the
 * middle of a free block. 64 as chunks start 64-byte aligned, so that
 * every run takes the same steps, wherever the chunk lies. */
static int step_scalable_aligned(struct world *w, size_t i)
{
  return i < 200 ? aligned_held(w, 1, 64) : NO_MORE_STEPS;
}

static void prep_scalable_64k(struct world *w)
{
  prep_scalable(w, 64 * KiB, 0);
}

static int op_add_region(struct world *w)
{
  return gomem_scalable_add_region(w->s, w->dst, sizeof(w->dst));
}

/* Every other unit of 64 free. */
static void prep_allocator_holes(struct world *w)
{
  prep_allocator_full(w);
  for (size_t i = 0; i < 64; i++)
    CHECK_EQ(gomem_allocator_free(w->a, 2 * i + 1, 1), GOMEM_OK);
}

static int op_allocator_json(struct world *w)
{
  char *json = NULL;
  int rc = gomem_allocator_dump_json(w->a, &json, NULL);

  gomem_json_free(json);
  return rc;
}

static int op_scalable_json(struct world *w)
{
  char *json = NULL;
  int rc = gomem_scalable_dump_json(w->s, &json, NULL);

  gomem_json_free(json);
  return rc;
}

/* -- scalable allocator: frees -- */

/* 256 pieces of 16 bytes, one after the other in one chunk. */
static void prep_pieces(struct world *w)
{
  prep_scalable(w, 64 * KiB, 0);
  for (int i = 0; i < 256; i++)
    (void)hold_malloc(w, 16);
}

/* Give back piece 2i + 1: between live neighbours. */
static int step_free_between(struct world *w, size_t i)
{
  if (i >= 127)
    return NO_MORE_STEPS;
  struct piece *x = &w->held[2 * i + 1];
  int rc = gomem_scalable_free(w->s, x->p, x->len);
  if (rc == GOMEM_OK)
    x->len = 0;
  return rc;
}

/* One large block of 5 MiB (a system block in every build). */
static void prep_large(struct world *w)
{
  prep_scalable_4k(w);
  (void)hold_malloc(w, 5 * MiB);
}

static int op_free_large_middle(struct world *w)
{
  unsigned char *p = w->held[0].p;
  int rc = gomem_scalable_free(w->s, p + 1 * MiB, 1 * MiB);

  if (rc == GOMEM_OK) {
    w->held[0].len = 1 * MiB;
    hold(w, p + 2 * MiB, 3 * MiB);
  }
  return rc;
}

static int op_free_rest_large(struct world *w)
{
  int rc = gomem_scalable_free_rest(w->s, w->held[0].p, w->held[0].len, 1);

  if (rc == GOMEM_OK)
    w->held[0].len = 1;
  return rc;
}

/* A small block with no chunks around (-Drecyclable=false). */
static void prep_small_block(struct world *w)
{
  prep_scalable_4k(w);
  (void)hold_malloc(w, 64);
}

static int op_free_small_middle(struct world *w)
{
  unsigned char *p = w->held[0].p;
  int rc = gomem_scalable_free(w->s, p + 16, 16);

  if (rc == GOMEM_OK) {
    w->held[0].len = 16;
    hold(w, p + 32, 32);
  }
  return rc;
}

static void prep_one_piece(struct world *w)
{
  prep_scalable_4k(w);
  (void)hold_malloc(w, 64);
}

/* A shared allocator whose busy flag the test holds: frees queue. */
static void prep_shared_busy(struct world *w)
{
  prep_scalable(w, 4 * KiB, GOMEM_SCALABLE_SHARED);
  (void)hold_malloc(w, 64);
  CHECK(gomem__scalable_claim(w->s), "no busy flag");
  w->holding = true;
}

/* Give back the first piece (from another thread: queued). */
static int op_free_first(struct world *w)
{
  int rc = gomem_scalable_free(w->s, w->held[0].p, w->held[0].len);

  if (rc == GOMEM_OK)
    w->held[0].len = 0;
  return rc;
}

struct queue_frees {
  struct world *w;
  size_t n;
  int rc;
};

static void *queue_frees_there(void *arg)
{
  struct queue_frees *q = arg;

  for (size_t i = 0; i < q->n && q->rc == GOMEM_OK; i++)
    q->rc = step_free_between(q->w, i);
  return NULL;
}

/* prep_pieces, and 100 frees between live neighbours queued by another
 * thread: applying them needs nodes. */
static void prep_queued(struct world *w)
{
  struct queue_frees q = {.w = w, .n = 100};

  prep_pieces(w);
  run_elsewhere(queue_frees_there, &q);
  CHECK_EQ(q.rc, GOMEM_OK);
}

static int op_drain(struct world *w)
{
  int rc = gomem_scalable_drain(w->s);

  return rc < 0 ? rc : GOMEM_OK;
}

static int op_stats(struct world *w)
{
  gomem_stats st = {.struct_size = sizeof(st)};

  return gomem_scalable_stats(w->s, &st);
}

static int op_disown(struct world *w)
{
  int rc = gomem_scalable_disown(w->s);

  w->disowned = rc == GOMEM_OK;
  return rc;
}

static int op_trim(struct world *w)
{
  gomem_scalable_trim(w->s);
  return GOMEM_OK;
}

/* -- scalable allocator: reading -- */

static ptrdiff_t read_one(void *ctx, void *buf, size_t n)
{
  (void)ctx;
  (void)n;
  *(unsigned char *)buf = 'x';
  return 1;
}

/* Read one byte and allocate a piece after it: the unread tail lies
 * between live memory. */
static ptrdiff_t read_one_then_malloc(void *ctx, void *buf, size_t n)
{
  struct world *w = ctx;
  void *p = gomem_scalable_malloc(w->s, 16);

  if (p)
    hold(w, p, 16);
  return read_one(ctx, buf, n);
}

static int read_held(struct world *w, gomem_read_fn fn, size_t n)
{
  void *p;
  size_t len;
  int rc = gomem_scalable_read_cb(w->s, fn, w, n, &p, &len);

  if (rc == GOMEM_OK && len != 1)
    w->wrong = "read_cb read more than one byte";
  if (rc == GOMEM_OK)
    hold(w, p, len);
  return rc;
}

static int op_read_cb_large(struct world *w)
{
  return read_held(w, read_one, 5 * MiB);
}

static int op_read_cb_between(struct world *w)
{
  return read_held(w, read_one_then_malloc, 1 * KiB);
}

static void prep_pipe(struct world *w)
{
  prep_scalable_4k(w);
  CHECK_EQ(pipe(w->fds), 0);
  CHECK_EQ(write(w->fds[1], "x", 1), 1);
}

static int op_read_fd_large(struct world *w)
{
  void *p;
  size_t len;
  int rc = gomem_scalable_read_fd(w->s, w->fds[0], 5 * MiB, &p, &len);

  if (rc == GOMEM_OK && len != 1)
    w->wrong = "read_fd read more than one byte";
  if (rc == GOMEM_OK)
    hold(w, p, len);
  return rc;
}

/* -- memory and reader -- */

static int op_memory_new(struct world *w)
{
  w->m = gomem_memory_new();
  return w->m ? GOMEM_OK : errno_code();
}

static void prep_memory(struct world *w)
{
  w->m = gomem_memory_new();
  CHECK_NONNULL(w->m);
}

static int step_push(struct world *w, size_t i)
{
  return i < 200 ? gomem_memory_push(w->m, w->src + i, 1) : NO_MORE_STEPS;
}

/* Two memories: m with 8 segments (its array full), m2 with 3. */
static void prep_memories(struct world *w)
{
  prep_memory(w);
  w->m2 = gomem_memory_new();
  CHECK_NONNULL(w->m2);
  for (int i = 0; i < 8; i++)
    CHECK_EQ(gomem_memory_push(w->m, w->src + i, 2), GOMEM_OK);
  for (int i = 0; i < 3; i++)
    CHECK_EQ(gomem_memory_push(w->m2, w->src + 100 + 10 * i, 5), GOMEM_OK);
  memset(w->dst, 0xEE, sizeof(w->dst));
}

static int op_push_many(struct world *w)
{
  gomem_span spans[4] = {{w->src, 1}, {w->src + 1, 2}, {w->src + 3, 3}, {w->src + 6, 4}};

  return gomem_memory_push_many(w->m, spans, 4);
}

static int op_append(struct world *w)
{
  return gomem_memory_append(w->m, w->m2);
}

static int op_append_self(struct world *w)
{
  return gomem_memory_append(w->m, w->m);
}

static int op_copy_from(struct world *w)
{
  return gomem_memory_copy_from(w->m, w->m2, w->dst, sizeof(w->dst));
}

static int op_to_bytes(struct world *w)
{
  size_t len;

  w->bytes = gomem_memory_to_bytes(w->m, &len);
  return w->bytes ? GOMEM_OK : errno_code();
}

static int op_reader_new(struct world *w)
{
  w->rd = gomem_reader_new(w->m);
  return w->rd ? GOMEM_OK : errno_code();
}

/* -- recyclable memory -- */

static int op_recyclable_new(struct world *w)
{
  w->r = gomem_recyclable_new(w->s);
  return w->r ? GOMEM_OK : errno_code();
}

static void prep_recyclable_on(struct world *w, size_t initial)
{
  prep_scalable(w, initial, 0);
  w->r = gomem_recyclable_new(w->s);
  CHECK_NONNULL(w->r);
}

static void prep_recyclable(struct world *w)
{
  prep_recyclable_on(w, 1 * KiB);
}

static void prep_recyclable_malloc(struct world *w)
{
  w->r = gomem_recyclable_new(NULL);
  CHECK_NONNULL(w->r);
}

static int step_next(struct world *w, size_t i)
{
  if (i >= 200)
    return NO_MORE_STEPS;
  return gomem_recyclable_next(w->r, 100) ? GOMEM_OK : errno_code();
}

static int step_recyclable_push(struct world *w, size_t i)
{
  return i < 200 ? gomem_recyclable_push(w->r, w->src + i, 1) : NO_MORE_STEPS;
}

/* 8 recorded segments (the record list full) and a piece to add. */
static void prep_recyclable_add(struct world *w)
{
  prep_recyclable(w);
  for (int i = 0; i < 8; i++)
    CHECK_NONNULL(gomem_recyclable_next(w->r, 10));
  (void)hold_malloc(w, 64);
}

static int op_add(struct world *w)
{
  int rc = gomem_recyclable_add(w->r, w->held[0].p, w->held[0].len);

  if (rc == GOMEM_OK)
    w->held[0].len = 0; /* the recyclable memory gives it back */
  return rc;
}

static int op_init_recycle_indexes(struct world *w)
{
  return gomem_recyclable_init_recycle_indexes(w->r, 100);
}

/* 300 recorded segments of 8 bytes, each followed by a live piece. */
static void prep_separated(struct world *w)
{
  prep_recyclable_on(w, 64 * KiB);
  for (int i = 0; i < 300; i++) {
    CHECK_NONNULL(gomem_recyclable_next(w->r, 8));
    (void)hold_malloc(w, 8);
  }
}

static int op_recycle(struct world *w)
{
  gomem_recyclable_recycle(w->r);
  return GOMEM_OK;
}

static int op_recyclable_destroy(struct world *w)
{
  gomem_recyclable_destroy(w->r);
  w->r = NULL;
  /* What it could not give back stays allocated in s, which releases it
   * when destroyed. */
  w->leftovers = true;
  return GOMEM_OK;
}

/* -- the list -- */

static const struct scenario scenarios[] = {
  {"gomem_allocator_new", .op = op_allocator_new, .per_strategy = true},
  {"gomem_allocator_create", .op = op_allocator_create, .per_strategy = true},
  {"gomem_allocator_free between allocated units", prep_allocator_full, step_allocator_free,
   .growths = 2, .per_strategy = true},
  {"gomem_chunk_new", .op = op_chunk_new, .per_strategy = true},
  {"gomem_chunk_free between allocated bytes", prep_chunk_full, step_chunk_free, .growths = 2,
   .per_strategy = true},
  {"gomem_buddy_new", .op = op_buddy_new},
  {"gomem_scalable_new", .op = op_scalable_new_plain},
  {"gomem_scalable_new_with", .op = op_scalable_new, .per_strategy = true},
  {"gomem_scalable_new_ex shared", .op = op_scalable_new_shared, .per_strategy = true},
  {"gomem_scalable_malloc, a new chunk", prep_scalable_full, .op = op_malloc_small,
   .per_strategy = true},
  {"gomem_scalable_malloc, shared, a new chunk", prep_shared_full, .op = op_malloc_small},
  {"gomem_scalable_malloc, the chunk list grows", prep_scalable_full, step_malloc_1k,
   .growths = 1, .realloc_step = true, .pooled_only = true},
  {"gomem_scalable_malloc 100 KiB", prep_scalable_4k, .op = op_malloc_medium,
   .per_strategy = true},
  {"gomem_scalable_malloc 5 MiB", prep_scalable_4k, .op = op_malloc_large},
  {"gomem_scalable_borrow, a new chunk", prep_scalable_full, .op = op_borrow_small},
  {"gomem_scalable_borrow 5 MiB", prep_scalable_4k, .op = op_borrow_large},
  {"gomem_scalable_free between live pieces", prep_pieces, step_free_between, .growths = 2,
   .pooled_only = true, .per_strategy = true},
  {"gomem_scalable_free, middle of a large block", prep_large, .op = op_free_large_middle,
   .per_strategy = true},
  {"gomem_scalable_free_rest of a large block", prep_large, .op = op_free_rest_large},
  {"gomem_scalable_free, middle of a small block", prep_small_block,
   .op = op_free_small_middle, .unpooled_only = true},
  {"gomem_scalable_free from another thread", prep_one_piece, .op = op_free_first,
   .elsewhere = true},
  {"gomem_scalable_free, shared and busy", prep_shared_busy, .op = op_free_first,
   .elsewhere = true},
  {"gomem_scalable_drain, frees that need nodes", prep_queued, .op = op_drain,
   .pooled_only = true, .per_strategy = true},
  {"gomem_scalable_stats, frees that need nodes", prep_queued, .op = op_stats,
   .pooled_only = true},
  {"gomem_scalable_malloc, frees that need nodes", prep_queued, .op = op_malloc_small,
   .pooled_only = true},
  {"gomem_scalable_disown, frees that need nodes", prep_queued, .op = op_disown,
   .pooled_only = true},
  {"gomem_scalable_trim, nodes used up", prep_pieces, step_free_between, .op = op_trim,
   .pooled_only = true},
  {"gomem_scalable_read_cb, 5 MiB, one byte read", prep_scalable_4k, .op = op_read_cb_large,
   .per_strategy = true},
  {"gomem_scalable_read_cb, tail between live pieces", prep_pieces, step_free_between,
   .op = op_read_cb_between, .per_strategy = true},
  {"gomem_scalable_read_fd, 5 MiB, one byte read", prep_pipe, .op = op_read_fd_large},
  {"gomem_allocator_alloc_aligned, a cut in a free block", prep_allocator_one,
   step_allocator_aligned, .growths = 2, .per_strategy = true},
  {"gomem_allocator_dump_json", prep_allocator_holes, .op = op_allocator_json,
   .per_strategy = true},
  {"gomem_chunk_malloc_aligned, a cut in a free block", prep_chunk_one, step_chunk_aligned,
   .growths = 2, .per_strategy = true},
  {"gomem_chunk_new_over", .op = op_chunk_new_over, .per_strategy = true},
  {"gomem_scalable_malloc_aligned, a new chunk", prep_scalable_full, .op = op_aligned_small,
   .per_strategy = true},
  {"gomem_scalable_malloc_aligned 5 MiB", prep_scalable_4k, .op = op_aligned_large},
  {"gomem_scalable_malloc_aligned, a cut in a free block", prep_scalable_64k,
   step_scalable_aligned, .growths = 2, .pooled_only = true, .per_strategy = true},
  {"gomem_scalable_add_region", prep_scalable_4k, .op = op_add_region, .pooled_only = true},
  {"gomem_scalable_dump_json", prep_pieces, step_free_between, .op = op_scalable_json,
   .pooled_only = true},
  {"gomem_memory_new", .op = op_memory_new},
  {"gomem_memory_push", prep_memory, step_push, .growths = 3},
  {"gomem_memory_push_many", prep_memories, .op = op_push_many},
  {"gomem_memory_append", prep_memories, .op = op_append},
  {"gomem_memory_append to itself", prep_memories, .op = op_append_self},
  {"gomem_memory_copy_from", prep_memories, .op = op_copy_from},
  {"gomem_memory_to_bytes", prep_memories, .op = op_to_bytes},
  {"gomem_reader_new", prep_memories, .op = op_reader_new},
  {"gomem_recyclable_new", prep_scalable_4k, .op = op_recyclable_new},
  {"gomem_recyclable_new, no allocator", .op = op_recyclable_new},
  {"gomem_recyclable_next", prep_recyclable, step_next, .growths = 4},
  {"gomem_recyclable_next, no allocator", prep_recyclable_malloc, step_next, .growths = 3},
  {"gomem_recyclable_add", prep_recyclable_add, .op = op_add},
  {"gomem_recyclable_push", prep_recyclable_malloc, step_recyclable_push, .growths = 2},
  {"gomem_recyclable_init_recycle_indexes", prep_recyclable, .op = op_init_recycle_indexes},
  {"gomem_recyclable_recycle, segments between live pieces", prep_separated, .op = op_recycle,
   .pooled_only = true, .per_strategy = true},
  {"gomem_recyclable_recycle from another thread", prep_separated, .op = op_recycle,
   .elsewhere = true},
  {"gomem_recyclable_destroy, segments between live pieces", prep_separated,
   .op = op_recyclable_destroy, .pooled_only = true},
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* ---- the runner ------------------------------------------------------------------ */

static void world_init(struct world *w, gomem_strategy strategy)
{
  memset(w, 0, sizeof(*w));
  w->strategy = strategy;
  w->fds[0] = w->fds[1] = -1;
  for (size_t i = 0; i < sizeof(w->src); i++)
    w->src[i] = (unsigned char)i;
}

struct attempt {
  const struct scenario *sc;
  struct world *w;
  size_t step;
  bool dry; /* finding the steps: run step `step`, whatever the op */
  long fail_at;
  bool persist;
  int rc;
  long calls, reallocs, hits;
};

static int call(const struct attempt *a)
{
  return a->sc->op && !a->dry ? a->sc->op(a->w) : a->sc->step(a->w, a->step);
}

static void *attempt_run(void *arg)
{
  struct attempt *a = arg;

  arm(a->fail_at, a->persist);
  a->rc = call(a);
  disarm();
  a->calls = inj.calls;
  a->reallocs = inj.reallocs;
  a->hits = inj.hits;
  return NULL;
}

static void attempt(struct attempt *a)
{
  if (a->sc->elsewhere)
    run_elsewhere(attempt_run, a);
  else
    attempt_run(a);
}

static void prepare(const struct scenario *sc, struct world *w, size_t steps)
{
  if (sc->prep)
    sc->prep(w);
  for (size_t i = 0; i < steps; i++)
    CHECK_EQ(sc->step(w, i), GOMEM_OK);
}

/* @return how many steps come before the growth-th one that allocates
 * (reallocates, with realloc_step); with an op to run after them, all
 * steps when none does. */
static size_t steps_before(const struct scenario *sc, unsigned growth, gomem_strategy strategy)
{
  struct world *w = &world;
  size_t i = 0;

  if (!sc->step)
    return 0;
  world_init(w, strategy);
  prepare(sc, w, 0);
  for (;; i++) {
    struct attempt a = {.sc = sc, .w = w, .step = i, .dry = true, .fail_at = -1};
    attempt_run(&a);
    if (a.rc == NO_MORE_STEPS)
      break;
    CHECK_EQ(a.rc, GOMEM_OK);
    if ((sc->realloc_step ? a.reallocs : a.calls) > 0 && growth-- == 0)
      break;
  }
  teardown(w, sc->name, -1);
  return i;
}

static long process_blocks(long *mapped)
{
  (void)gomem_release_cached();
  *mapped = atomic_load(&mapped_bytes);
  return atomic_load(&live_blocks);
}

/* Run the call of @p sc after @p steps steps, failing allocation k for
 * k = 0, 1, ... (and, with @p persist, every later one). @return how many
 * failures it reached. */
static long run_scenario(const struct scenario *sc, gomem_strategy strategy, size_t steps,
                         bool persist)
{
  struct world *w = &world;
  long failures = 0, k;

  for (k = 0;; k++) {
    long mapped0, live0 = process_blocks(&mapped0);
    world_init(w, strategy);
    prepare(sc, w, steps);
    snap_take(w, &before);
    struct attempt a = {.sc = sc, .w = w, .step = steps, .fail_at = k, .persist = persist};
    attempt(&a);
    CHECK(!w->wrong, "%s, allocation %ld failed: %s", sc->name, k, w->wrong);
    CHECK(a.rc != NO_MORE_STEPS, "%s: no step %zu", sc->name, steps);
    if (a.hits > 0 && a.rc != GOMEM_OK) {
      CHECK(a.rc == GOMEM_ERR_NOMEM, "%s, allocation %ld failed: %s, not GOMEM_ERR_NOMEM",
            sc->name, k, gomem_err_name(a.rc));
      snap_take(w, &after);
      assert_same(&before, &after, sc->name, k);
      failures++;
    } else {
      CHECK(a.rc == GOMEM_OK, "%s, allocation %ld failed: %s", sc->name, k,
                    gomem_err_name(a.rc));
    }
    teardown(w, sc->name, k);
    long mapped1, live1 = process_blocks(&mapped1);
    CHECK(live1 == live0 && mapped1 == mapped0,
                  "%s, allocation %ld failed: %ld blocks and %ld mapped bytes more than before",
                  sc->name, k, live1 - live0, mapped1 - mapped0);
    if (a.hits == 0)
      break;
  }
  CHECK(k > 0, "%s allocates nothing: nothing was tested", sc->name);
  return failures;
}

static bool scenario_applies(const struct scenario *sc)
{
  return !(sc->pooled_only && !gomem_scalable_pooled())
         && !(sc->unpooled_only && gomem_scalable_pooled());
}

/* Test scenario _i / 2: even _i fails one allocation at a time, odd _i
 * every allocation from the k-th on. */
START_TEST(scenario)
{
  const struct scenario *sc = &scenarios[_i / 2];
  bool persist = _i % 2;
  gomem_strategy strategies[] = {GOMEM_STRATEGY_DEFAULT, GOMEM_STRATEGY_TREAP,
                                 GOMEM_STRATEGY_AVL, GOMEM_STRATEGY_TLSF};
  const size_t nstrategies = sizeof(strategies) / sizeof(strategies[0]);

  const char *only = getenv("NOMEM_ONLY");

  if (!scenario_applies(sc) || (only && !strstr(sc->name, only)))
    return;
  if (getenv("NOMEM_TRACE"))
    fprintf(stderr, "%s%s\n", sc->name, persist ? " (persistent)" : "");
  for (size_t j = 0; j < (sc->per_strategy ? nstrategies : 1); j++) {
    gomem_strategy st = strategies[j];
    if (!gomem_strategy_available(st))
      continue;
    unsigned growths = sc->step && !sc->op ? (sc->growths ? sc->growths : 1) : 1;
    for (unsigned g = 0; g < growths; g++) {
      size_t steps = steps_before(sc, g, st);
      long failures = run_scenario(sc, st, steps, persist);
      if (getenv("NOMEM_TRACE"))
        fprintf(stderr, "  %s, growth %u after %zu steps: %ld failures\n",
                gomem_strategy_name(st), g, steps, failures);
    }
  }
}
END_TEST

/* ---- the calls that allocate nothing ------------------------------------------- */

/* Run @p call with allocations counted: it must make none, so it can
 * never fail for lack of memory (and needs no scenario above). */
#define QUIET(call)                                                                      \
  do {                                                                                   \
    arm(-1, false);                                                                      \
    (void)(call);                                                                        \
    disarm();                                                                            \
    CHECK(inj.calls == 0, "%s allocated %ld times", #call, inj.calls);                  \
  } while (0)

static int visit(size_t off, size_t size, void *ctx)
{
  (void)off, (void)size, (void)ctx;
  return 0;
}

static int visit_bytes(const void *p, size_t len, void *ctx)
{
  (void)p, (void)len, (void)ctx;
  return 0;
}

/* Every public function not tested above, in states where it works. */
START_TEST(calls_that_allocate_nothing)
{
  unsigned char bytes[64] = "0123456789abcdef0123456789abcdef";
  size_t off, len;
  uint8_t byte;
  uint64_t u;
  const void *p;

  QUIET(gomem_version_string());
  QUIET(gomem_version());
  QUIET(gomem_strerror(GOMEM_ERR_NOMEM));
  QUIET(gomem_err_name(GOMEM_ERR_NOMEM));
  QUIET(gomem_strategy_available(GOMEM_STRATEGY_AVL));
  QUIET(gomem_tree_available(GOMEM_STRATEGY_TREAP));
  QUIET(gomem_strategy_name(GOMEM_STRATEGY_DEFAULT));
  QUIET(gomem_strategy_default());
  QUIET(gomem_scalable_pooled());
  QUIET(gomem_cached_bytes());

  gomem_allocator *a = gomem_allocator_new(4096, GOMEM_STRATEGY_DEFAULT);
  CHECK_NONNULL(a);
  QUIET(gomem_allocator_alloc(a, 100, &off));
  QUIET(gomem_allocator_find(a, 10, &off));
  QUIET(gomem_allocator_free(a, 0, 100));
  QUIET(gomem_allocator_size(a));
  QUIET(gomem_allocator_free_size(a));
  QUIET(gomem_allocator_free_blocks(a));
  QUIET(gomem_allocator_foreach_free(a, visit, NULL));
  QUIET(gomem_allocator_strategy(a));
  QUIET(gomem_allocator_init(a, 2048));
  QUIET(gomem_allocator_reset(a));
  QUIET((gomem_allocator_destroy(a), 0));

  gomem_chunk *c = gomem_chunk_new(4096, GOMEM_STRATEGY_DEFAULT);
  CHECK_NONNULL(c);
  void *x = NULL;
  QUIET(x = gomem_chunk_malloc(c, 64));
  QUIET(gomem_chunk_borrow(c, 64));
  QUIET(gomem_chunk_owns(c, x));
  QUIET(gomem_chunk_free(c, x, 64));
  QUIET(gomem_chunk_base(c));
  QUIET(gomem_chunk_size(c));
  QUIET(gomem_chunk_free_size(c));
  QUIET(gomem_chunk_allocator(c));
  QUIET((gomem_chunk_reset(c), 0));
  QUIET((gomem_chunk_destroy(c), 0));

  gomem_buddy *b = gomem_buddy_new(1 * MiB, 1 * KiB);
  CHECK_NONNULL(b);
  QUIET(gomem_buddy_alloc(b, 4 * KiB, &off));
  QUIET(gomem_buddy_block_size(b, off, &len));
  QUIET(gomem_buddy_free(b, off));
  QUIET(gomem_buddy_trim(b));
  QUIET(gomem_buddy_base(b));
  QUIET(gomem_buddy_size(b));
  QUIET(gomem_buddy_min_block(b));
  QUIET(gomem_buddy_free_size(b));
  QUIET(gomem_buddy_max_alloc(b));
  QUIET((gomem_buddy_destroy(b), 0));

  /* The front span serves these; in a -Drecyclable=false build every
   * allocation is a system block, tested above. */
  gomem_scalable *s = gomem_scalable_new(64 * KiB);
  CHECK_NONNULL(s);
  gomem_stats st = {.struct_size = sizeof(st)};
  if (gomem_scalable_pooled()) {
    QUIET(x = gomem_scalable_malloc(s, 64));
    QUIET(gomem_scalable_borrow(s, 64));
    QUIET(gomem_scalable_free_rest(s, x, 64, 32));
    QUIET(gomem_scalable_free(s, x, 32));
  }
  QUIET(gomem_scalable_stats(s, &st));
  QUIET(gomem_scalable_drain(s));
  QUIET(gomem_scalable_disown(s));

  gomem_memory *m = gomem_memory_new();
  CHECK_NONNULL(m);
  for (int i = 0; i < 8; i++)
    CHECK_EQ(gomem_memory_push(m, bytes + 8 * i, 8), GOMEM_OK);
  gomem_memory_reset(m);
  QUIET(gomem_memory_push(m, bytes, 16));
  QUIET(gomem_memory_push(m, bytes + 16, 16));
  QUIET(gomem_memory_size(m));
  QUIET(gomem_memory_count(m));
  QUIET(gomem_memory_segment(m, -1, &p, &len));
  QUIET(gomem_memory_update_segment(m, 1, bytes + 16, 48));
  QUIET(gomem_memory_foreach(m, visit_bytes, NULL));
  QUIET(gomem_memory_copy_to(m, world.dst, 64));
  QUIET(gomem_memory_equal(m, m));
  QUIET(gomem_memory_equal_bytes(m, m));
  QUIET(gomem_memory_iovec(m, &len));
  int fd = open("/dev/null", O_WRONLY);
  CHECK(fd >= 0, "no /dev/null");
  QUIET(gomem_memory_write_fd(m, fd));
  QUIET(gomem_memory_write_fd_from(m, fd, 3));
  close(fd);

  gomem_reader_storage storage;
  gomem_reader *r = NULL;
  QUIET(r = gomem_reader_init(&storage, sizeof(storage), m));
  CHECK_NONNULL(r);
  QUIET(gomem_reader_memory(r));
  QUIET(gomem_reader_read(r, world.dst, 2));
  QUIET(gomem_reader_read_exact(r, world.dst, 2));
  QUIET(gomem_reader_peek(r, world.dst, 2));
  QUIET(gomem_reader_read_byte(r, &byte));
  QUIET(gomem_reader_read_byte_mask(r, 0x0F, &byte));
  QUIET(gomem_reader_read_be(r, 2, &u));
  QUIET(gomem_reader_read_le(r, 2, &u));
  QUIET(gomem_reader_read_uleb128_n(r, &u, &len));
  QUIET(gomem_reader_read_uleb128(r, &u));
  QUIET(gomem_reader_skip(r, 1));
  QUIET(gomem_reader_unread(r, 1));
  QUIET(gomem_reader_current(r, &p, &len));
  QUIET(gomem_reader_range(r, 4, visit_bytes, NULL));
  QUIET(gomem_reader_remaining(r));
  QUIET(gomem_reader_offset(r));
  QUIET(gomem_reader_clip_front(r, visit_bytes, NULL));
  QUIET((gomem_reader_move_to_end(r), 0));
  QUIET(gomem_reader_reset(r, m));
  QUIET((gomem_reader_destroy(r), 0));
  QUIET(gomem_memory_drop_front(m, 1));
  QUIET((gomem_memory_reset(m), 0));
  QUIET((gomem_memory_destroy(m), 0));

  gomem_recyclable *y = gomem_recyclable_new(s);
  CHECK_NONNULL(y);
  CHECK_EQ(gomem_recyclable_init_recycle_indexes(y, 8), GOMEM_OK);
  CHECK_EQ(gomem_recyclable_push(y, bytes, 8), GOMEM_OK);
  QUIET(gomem_recyclable_push(y, bytes + 8, 8));
  QUIET(gomem_recyclable_memory(y));
  QUIET(gomem_recyclable_recorded(y));
  QUIET(gomem_recyclable_allocator(y));
  QUIET(gomem_recyclable_set_allocator(y, NULL));
  QUIET(gomem_recyclable_recycle(y));
  QUIET((gomem_recyclable_destroy(y), 0));
  QUIET((gomem_scalable_destroy(s), 0));
  QUIET(gomem_release_cached());
}
END_TEST

/* A warm-up thread: the first thread a process creates may keep blocks
 * that later ones reuse, which would look like a leak of the first
 * scenario that runs on another thread. */
static void *nothing(void *arg)
{
  return arg;
}

static void unchecked_fixture(void)
{
  pthread_t t;

  if (pthread_create(&t, NULL, nothing, NULL) == 0)
    (void)pthread_join(t, NULL);
}

static Suite *nomem_suite(void)
{
  Suite *s = suite_create("nomem");
  TCase *tc = tcase_create("scenarios");

  tcase_set_timeout(tc, 600);
  tcase_add_unchecked_fixture(tc, unchecked_fixture, NULL);
  tcase_add_loop_test(tc, scenario, 0, (int)(2 * NSCENARIOS));
  tcase_add_test(tc, calls_that_allocate_nothing);
  suite_add_tcase(s, tc);
  return s;
}
#endif /* !SKIP_REASON */

int main(void)
{
#ifdef SKIP_REASON
  printf("SKIP: %s\n", SKIP_REASON);
  return 77;
#else
  if (!interposed()) {
    printf("SKIP: calls to malloc do not reach this program's malloc (Valgrind's memcheck "
           "replaced it: run with --soname-synonyms=somalloc=nouserintercepts)\n");
    return 77;
  }
  return run_suite(nomem_suite());
#endif
}
