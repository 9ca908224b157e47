/* SPDX-License-Identifier: MIT */
/*
 * Programs that misuse gomem memory, one per argument, and one that uses
 * the same calls correctly ("clean"). Run by test/track/run-misuse.sh
 * under Valgrind memcheck (-Dtrack=valgrind) or ASan (-Dtrack=asan),
 * which must report each misuse with a stack through the function named
 * after it here, and nothing for "clean".
 *
 * Every misuse is in its own noinline function so that the checker's stack
 * names it. Reads go through a volatile pointer so they are not optimised
 * away.
 */
#include <gomem/gomem.h>
#include <stdio.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static volatile unsigned char sink;

/* Keeps what the leak case must not lose reachable to the end. */
static gomem_scalable *kept_allocator;
static void *kept[2];

static int fail(const char *what)
{
  fprintf(stderr, "misuse: %s failed\n", what);
  return 2;
}

static void touch(volatile unsigned char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    p[i] = (unsigned char)i;
}

/* (a) Read a byte of a chunk allocation after freeing it. */
NOINLINE static int misuse_chunk_read_after_free(void)
{
  gomem_chunk *c = gomem_chunk_new(64 * 1024, GOMEM_STRATEGY_DEFAULT);
  unsigned char *p = c ? gomem_chunk_malloc(c, 256) : NULL;
  if (!p)
    return fail("chunk");
  touch(p, 256);
  gomem_chunk_free(c, p, 256);
  sink = ((volatile unsigned char *)p)[0];
  gomem_chunk_destroy(c);
  return 0;
}

/* (b) Write one byte past the end of a scalable allocation; it is the
 * newest of its chunk, so the byte after it is free. */
NOINLINE static int misuse_scalable_write_past_end(void)
{
  gomem_scalable *s = gomem_scalable_new(64 * 1024);
  unsigned char *p = s ? gomem_scalable_malloc(s, 100) : NULL;
  if (!p)
    return fail("scalable");
  touch(p, 100);
  ((volatile unsigned char *)p)[100] = 1;
  gomem_scalable_free(s, p, 100);
  gomem_scalable_destroy(s);
  return 0;
}

/* A recyclable memory over a new scalable allocator, with one written
 * segment of 64 bytes: the segment, or NULL. */
static unsigned char *new_segment(gomem_scalable **s, gomem_recyclable **r)
{
  *s = gomem_scalable_new(64 * 1024);
  *r = *s ? gomem_recyclable_new(*s) : NULL;
  unsigned char *seg = *r ? gomem_recyclable_next(*r, 64) : NULL;
  if (seg)
    touch(seg, 64);
  return seg;
}

/* (c) Read a segment of a recyclable memory after recycling it. */
NOINLINE static int misuse_recycled_read(void)
{
  gomem_scalable *s;
  gomem_recyclable *r;
  unsigned char *seg = new_segment(&s, &r);
  if (!seg)
    return fail("recyclable");
  gomem_recyclable_recycle(r);
  sink = ((volatile unsigned char *)seg)[0];
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
  return 0;
}

/* (c') The same read once the allocator is gone and its chunk sits in the
 * process-wide chunk cache. */
NOINLINE static int misuse_cached_read(void)
{
  gomem_scalable *s;
  gomem_recyclable *r;
  unsigned char *seg = new_segment(&s, &r);
  if (!seg)
    return fail("recyclable");
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
  sink = ((volatile unsigned char *)seg)[0];
  return 0;
}

/* (e) Branch on a byte never written, of what is left of an allocation
 * after a free in its middle: the part kept is still undefined. */
NOINLINE static int misuse_uninit_after_partial_free(void)
{
  gomem_chunk *c = gomem_chunk_new(64 * 1024, GOMEM_STRATEGY_DEFAULT);
  unsigned char *p = c ? gomem_chunk_malloc(c, 64) : NULL;
  if (!p)
    return fail("chunk");
  touch(p, 3); /* p[3] and on stay unwritten */
  gomem_chunk_free(c, p + 10, 20);
  if (((volatile unsigned char *)p)[40] == 7)
    sink = 1;
  gomem_chunk_destroy(c);
  return 0;
}

/* Allocate between kept[0] and kept[1] and lose the pointer. */
NOINLINE static void leak_one(gomem_scalable *s)
{
  touch(gomem_scalable_malloc(s, 64), 64);
}

/* (d) A scalable allocation never freed, whose pointer is lost, while its
 * allocator lives to the end (destroying an allocator releases everything
 * in it: that is no leak). */
NOINLINE static int misuse_scalable_leak(void)
{
  kept_allocator = gomem_scalable_new(64 * 1024);
  if (!kept_allocator || !(kept[0] = gomem_scalable_malloc(kept_allocator, 64)))
    return fail("scalable");
  leak_one(kept_allocator);
  if (!(kept[1] = gomem_scalable_malloc(kept_allocator, 64)))
    return fail("scalable");
  touch(kept[0], 64);
  touch(kept[1], 64);
  return 0;
}

/* The calls above, used correctly, plus partial frees and borrow: not one
 * report. */
NOINLINE static int clean_chunk(void)
{
  gomem_chunk *c = gomem_chunk_new(64 * 1024, GOMEM_STRATEGY_DEFAULT);
  unsigned char *p = c ? gomem_chunk_malloc(c, 256) : NULL;
  unsigned char *q = c ? gomem_chunk_malloc(c, 13) : NULL;
  if (!p || !q)
    return fail("chunk");
  touch(p, 256);
  touch(q, 13);
  gomem_chunk_free(c, p + 100, 50); /* a hole: both ends stay in use */
  unsigned sum = p[99] + p[150] + q[12];
  gomem_chunk_free(c, p + 150, 106 + 13); /* the tail of p and all of q */
  gomem_chunk_free(c, p, 100);
  unsigned char *b = gomem_chunk_borrow(c, 64);
  if (!b)
    return fail("borrow");
  touch(b, 64);
  sink = (unsigned char)(sum + b[63]);
  gomem_chunk_reset(c);
  gomem_chunk_destroy(c);
  return 0;
}

NOINLINE static int clean_scalable(void)
{
  gomem_scalable *s = gomem_scalable_new(64 * 1024);
  unsigned char *p = s ? gomem_scalable_malloc(s, 100) : NULL;
  unsigned char *q = s ? gomem_scalable_malloc(s, 3) : NULL;
  if (!p || !q)
    return fail("scalable");
  touch(p, 100);
  touch(q, 3);
  gomem_scalable_free(s, p + 10, 20);
  sink = (unsigned char)(p[9] + p[30] + q[2]);
  gomem_scalable_free(s, p, 10);
  gomem_scalable_free(s, p + 30, 70);
  gomem_scalable_free(s, q, 3);
  gomem_scalable_destroy(s);
  return 0;
}

NOINLINE static int clean_recyclable(void)
{
  gomem_scalable *s = gomem_scalable_new(64 * 1024);
  gomem_recyclable *r = s ? gomem_recyclable_new(s) : NULL;
  for (int round = 0; r && round < 3; round++) {
    unsigned char *seg = gomem_recyclable_next(r, 64);
    if (!seg)
      return fail("recyclable");
    touch(seg, 64);
    sink = seg[63];
    gomem_recyclable_recycle(r);
  }
  if (!r)
    return fail("recyclable");
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
  return 0;
}

/* The caller's region is the caller's again once the chunk or allocator
 * over it is gone: every byte readable and defined, those users of the
 * chunk freed unwritten included. */
static int caller_reads(const unsigned char *mem, size_t n)
{
  unsigned sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += mem[i];
  if (sum == 0) /* a branch on every byte: memcheck checks definedness */
    return fail("caller pattern");
  return 0;
}

NOINLINE static int clean_caller(void)
{
  static unsigned char arena[4096];
  unsigned char region[8192] __attribute__((aligned(64)));

  memset(arena, 0xA5, sizeof(arena));
  memset(region, 0x5A, sizeof(region));
  gomem_chunk *c = gomem_chunk_new_over(arena, sizeof(arena), GOMEM_STRATEGY_DEFAULT);
  unsigned char *p = c ? gomem_chunk_malloc(c, 100) : NULL;
  if (!p)
    return fail("chunk over caller memory");
  gomem_chunk_free(c, p, 50); /* freed without being written */
  gomem_chunk_destroy(c);

  gomem_scalable *s = gomem_scalable_new(4096);
  int in_region = 0;
  if (!s || gomem_scalable_add_region(s, region, sizeof(region)) != GOMEM_OK)
    return fail("caller region");
  for (int i = 0; i < 8; i++) {
    unsigned char *q = gomem_scalable_malloc(s, 1024);
    if (!q)
      return fail("scalable");
    touch(q, 16);
    in_region += q >= region && q < region + sizeof(region);
  }
  gomem_scalable_destroy(s);
  if (!in_region)
    return fail("no allocation in the caller region");
  int rc = caller_reads(arena, sizeof(arena));
  return rc ? rc : caller_reads(region, sizeof(region));
}

NOINLINE static int clean(void)
{
  int rc = clean_chunk();
  if (rc == 0)
    rc = clean_caller();
  if (rc == 0)
    rc = clean_scalable();
  if (rc == 0)
    rc = clean_recyclable();
  return rc;
}

static const struct {
  const char *name;
  int (*run)(void);
} cases[] = {
  {"chunk-read-after-free", misuse_chunk_read_after_free},
  {"scalable-write-past-end", misuse_scalable_write_past_end},
  {"recycled-read", misuse_recycled_read},
  {"cached-read", misuse_cached_read},
  {"scalable-leak", misuse_scalable_leak},
  {"uninit-after-partial-free", misuse_uninit_after_partial_free},
  {"clean", clean},
};

int main(int argc, char **argv)
{
  for (size_t i = 0; argc == 2 && i < sizeof(cases) / sizeof(cases[0]); i++)
    if (strcmp(argv[1], cases[i].name) == 0)
      return cases[i].run();
  fputs("usage: misuse CASE (chunk-read-after-free, scalable-write-past-end, recycled-read,\n"
        "       cached-read, scalable-leak, uninit-after-partial-free, clean)\n",
        stderr);
  return 2;
}
