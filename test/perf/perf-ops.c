/* SPDX-License-Identifier: MIT */
/*
 * perf-ops.c — the core operations the instruction-count gate measures.
 *
 * Run by perf.py under
 *   valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=F
 * Each row is set up, warmed up for N operations, then run for N and for
 * 2N operations, each run between CALLGRIND_TOGGLE_COLLECT pairs and
 * followed by CALLGRIND_DUMP_STATS_AT("<row>|<ops>"). perf.py reads the
 * dumps and takes (count(2N) - count(N)) / N, which leaves out set-up,
 * the toggles and everything that does not grow with N.
 *
 * Usage: perf-ops [N]   (default 1200; a multiple of 3, see the reader rows)
 *        perf-ops --list   the row names, one a line
 * Outside Valgrind the client requests do nothing: the program just runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include <gomem/gomem.h>

#define KIB ((size_t)1024)
#define READ_LEN 64
#define READ_SEGMENT 96 /* 64-byte reads cross a segment in 2 reads of 3 */
#define BYTE_SEGMENT 64

/* An operation's state, made once per row. */
typedef struct ctx {
  gomem_allocator *allocator;
  gomem_chunk *chunk;
  gomem_scalable *scalable;
  gomem_recyclable *recyclable;
  gomem_memory *memory;
  gomem_reader *reader;
} ctx;

static unsigned char segment_bytes[READ_SEGMENT];

static void die(const char *what)
{
  fprintf(stderr, "perf-ops: %s failed\n", what);
  exit(1);
}

/* Keep @p p alive for the compiler without a store to memory. */
static inline void escape(const void *p)
{
  __asm__ volatile("" : : "r"(p) : "memory");
}

/* --- set-up: one per kind of row ------------------------------------------ */

static void setup_allocator(ctx *c, size_t n)
{
  (void)n;
  c->allocator = gomem_allocator_new(64 * KIB, GOMEM_STRATEGY_DEFAULT);
  if (!c->allocator)
    die("gomem_allocator_new");
}

/* A 64 KiB allocator of strategy s, or none when s is not built (the row
 * is then left out). The treap is the default row's; its counts with
 * holes follow its random priorities, too loosely for a 15 % bound. */
static void setup_strategy(ctx *c, gomem_strategy s)
{
  c->allocator = gomem_allocator_new(64 * KIB, s);
}

/* n - 1 holes of `hole` units, each followed by 64 allocated units, and a
 * free 64 KiB tail: HOLES free blocks. */
#define HOLES 20000
static void setup_holes(ctx *c, gomem_strategy s, size_t hole)
{
  size_t stride = hole + 64, size = (HOLES - 1) * stride + 64 * KIB, off;

  c->allocator = gomem_allocator_new(size, s);
  if (!c->allocator)
    return;
  if (gomem_allocator_alloc(c->allocator, size, &off) != GOMEM_OK)
    die("alloc all");
  for (size_t i = 0; i + 1 < HOLES; i++) {
    if (gomem_allocator_free(c->allocator, i * stride, hole) != GOMEM_OK)
      die("free hole");
  }
  if (gomem_allocator_free(c->allocator, (HOLES - 1) * stride, 64 * KIB) != GOMEM_OK)
    die("free tail");
}

static void setup_avl(ctx *c, size_t n) { (void)n; setup_strategy(c, GOMEM_STRATEGY_AVL); }
static void setup_tlsf(ctx *c, size_t n) { (void)n; setup_strategy(c, GOMEM_STRATEGY_TLSF); }
static void setup_avl_small(ctx *c, size_t n) { (void)n; setup_holes(c, GOMEM_STRATEGY_AVL, 512); }
static void setup_tlsf_small(ctx *c, size_t n) { (void)n; setup_holes(c, GOMEM_STRATEGY_TLSF, 512); }
static void setup_avl_exact(ctx *c, size_t n) { (void)n; setup_holes(c, GOMEM_STRATEGY_AVL, KIB); }
static void setup_tlsf_exact(ctx *c, size_t n) { (void)n; setup_holes(c, GOMEM_STRATEGY_TLSF, KIB); }

static void setup_chunk(ctx *c, size_t n)
{
  (void)n;
  c->chunk = gomem_chunk_new(64 * KIB, GOMEM_STRATEGY_DEFAULT);
  if (!c->chunk)
    die("gomem_chunk_new");
}

static void setup_scalable(ctx *c, size_t n)
{
  (void)n;
  c->scalable = gomem_scalable_new(KIB);
  if (!c->scalable)
    die("gomem_scalable_new");
}

static void setup_recyclable(ctx *c, size_t n)
{
  setup_scalable(c, n);
  c->recyclable = gomem_recyclable_new(c->scalable);
  if (!c->recyclable)
    die("gomem_recyclable_new");
}

/* A memory of @p segment-byte views of one buffer, long enough for the
 * largest run (2N operations of @p per_op bytes). */
static void setup_reader(ctx *c, size_t n, size_t segment, size_t per_op)
{
  c->memory = gomem_memory_new();
  if (!c->memory)
    die("gomem_memory_new");
  for (size_t have = 0; have < 2 * n * per_op; have += segment) {
    if (gomem_memory_push(c->memory, segment_bytes, segment) != GOMEM_OK)
      die("gomem_memory_push");
  }
  c->reader = gomem_reader_new(c->memory);
  if (!c->reader)
    die("gomem_reader_new");
}

static void setup_read(ctx *c, size_t n) { setup_reader(c, n, READ_SEGMENT, READ_LEN); }
static void setup_read_byte(ctx *c, size_t n) { setup_reader(c, n, BYTE_SEGMENT, 1); }

static void teardown(ctx *c)
{
  gomem_reader_destroy(c->reader);
  gomem_memory_destroy(c->memory);
  gomem_recyclable_destroy(c->recyclable);
  gomem_scalable_destroy(c->scalable);
  gomem_chunk_destroy(c->chunk);
  gomem_allocator_destroy(c->allocator);
  *c = (ctx){0};
}

/* --- the operations: each runs @p n of them ------------------------------- */

static void op_allocator(ctx *c, size_t n)
{
  gomem_allocator *a = c->allocator;
  for (size_t i = 0; i < n; i++) {
    size_t off;
    if (gomem_allocator_alloc(a, KIB, &off) != GOMEM_OK || gomem_allocator_free(a, off, KIB) != GOMEM_OK)
      die("gomem_allocator_alloc/free");
  }
}

static void op_chunk(ctx *c, size_t n)
{
  gomem_chunk *ch = c->chunk;
  for (size_t i = 0; i < n; i++) {
    void *p = gomem_chunk_malloc(ch, KIB);
    escape(p);
    if (!p || gomem_chunk_free(ch, p, KIB) != GOMEM_OK)
      die("gomem_chunk_malloc/free");
  }
}

static void scalable_pairs(gomem_scalable *s, size_t n, size_t size)
{
  for (size_t i = 0; i < n; i++) {
    void *p = gomem_scalable_malloc(s, size);
    escape(p);
    if (!p || gomem_scalable_free(s, p, size) != GOMEM_OK)
      die("gomem_scalable_malloc/free");
  }
}

static void op_scalable_64(ctx *c, size_t n) { scalable_pairs(c->scalable, n, 64); }
static void op_scalable_1k(ctx *c, size_t n) { scalable_pairs(c->scalable, n, KIB); }
static void op_scalable_8k(ctx *c, size_t n) { scalable_pairs(c->scalable, n, 8 * KIB); }

static void op_borrow(ctx *c, size_t n)
{
  gomem_scalable *s = c->scalable;
  for (size_t i = 0; i < n; i++) {
    void *p = gomem_scalable_borrow(s, KIB);
    escape(p);
    if (!p)
      die("gomem_scalable_borrow");
  }
}

static void op_recyclable(ctx *c, size_t n)
{
  gomem_recyclable *r = c->recyclable;
  for (size_t i = 0; i < n; i++) {
    for (int j = 0; j < 10; j++) {
      void *p = gomem_recyclable_next(r, KIB);
      escape(p);
      if (!p)
        die("gomem_recyclable_next");
    }
    gomem_recyclable_recycle(r);
  }
}

static void op_read(ctx *c, size_t n)
{
  gomem_reader *r = c->reader;
  unsigned char buf[READ_LEN];
  for (size_t i = 0; i < n; i++) {
    if (gomem_reader_read(r, buf, READ_LEN) != READ_LEN)
      die("gomem_reader_read");
    escape(buf);
  }
}

static void op_read_byte(ctx *c, size_t n)
{
  gomem_reader *r = c->reader;
  unsigned sum = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t b;
    if (gomem_reader_read_byte(r, &b) != GOMEM_OK)
      die("gomem_reader_read_byte");
    sum += b;
  }
  escape(&sum);
}

/* --- rows ------------------------------------------------------------------ */

typedef struct row {
  const char *name;
  void (*setup)(ctx *c, size_t n);
  void (*op)(ctx *c, size_t n);
} row;

static const row rows[] = {
  {"allocator alloc+free 1 KiB (64 KiB pool)", setup_allocator, op_allocator},
  {"allocator avl alloc+free 1 KiB, 1 free block", setup_avl, op_allocator},
  {"allocator tlsf alloc+free 1 KiB, 1 free block", setup_tlsf, op_allocator},
  {"allocator avl alloc+free 1 KiB, 20000 blocks, small holes", setup_avl_small, op_allocator},
  {"allocator tlsf alloc+free 1 KiB, 20000 blocks, small holes", setup_tlsf_small, op_allocator},
  {"allocator avl alloc+free 1 KiB, 20000 blocks, exact holes", setup_avl_exact, op_allocator},
  {"allocator tlsf alloc+free 1 KiB, 20000 blocks, exact holes", setup_tlsf_exact, op_allocator},
  {"chunk malloc+free 1 KiB", setup_chunk, op_chunk},
  {"scalable malloc+free 64 B", setup_scalable, op_scalable_64},
  {"scalable malloc+free 1 KiB", setup_scalable, op_scalable_1k},
  {"scalable malloc+free 8 KiB", setup_scalable, op_scalable_8k},
  {"scalable borrow 1 KiB", setup_scalable, op_borrow},
  {"recyclable next 1 KiB x10 + recycle", setup_recyclable, op_recyclable},
  {"reader read 64 B (96 B segments)", setup_read, op_read},
  {"reader read_byte (64 B segments)", setup_read_byte, op_read_byte},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* Rewind a reader row so that each run starts at offset 0. */
static void rewind_reader(ctx *c)
{
  if (c->reader && gomem_reader_reset(c->reader, c->memory) != GOMEM_OK)
    die("gomem_reader_reset");
}

static void measure(const row *r, ctx *c, size_t ops)
{
  char label[128];
  snprintf(label, sizeof label, "%s|%zu", r->name, ops);
  rewind_reader(c);
  CALLGRIND_TOGGLE_COLLECT;
  r->op(c, ops);
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT(label);
}

int main(int argc, char **argv)
{
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < NROWS; i++)
      puts(rows[i].name);
    return 0;
  }
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1200;
  if (argc > 2 || n == 0 || n % 3 != 0) {
    fprintf(stderr, "usage: %s [N, a multiple of 3] | --list\n", argv[0]);
    return 2;
  }
  memset(segment_bytes, 0x5a, sizeof segment_bytes);
  for (size_t i = 0; i < NROWS; i++) {
    ctx c = {0};
    rows[i].setup(&c, n);
    if (rows[i].op == op_allocator && !c.allocator)
      continue; /* a strategy this build leaves out */
    rewind_reader(&c);
    rows[i].op(&c, n); /* warm-up: chunks made, trees shaped, caches filled */
    measure(&rows[i], &c, n);
    measure(&rows[i], &c, 2 * n);
    teardown(&c);
  }
  return 0;
}
