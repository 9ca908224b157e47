/* SPDX-License-Identifier: MIT */
/*
 * Chunk sources and the chunk cache.
 *
 * Sources: the heap (64-byte aligned), anonymous mmap (+ MADV_HUGEPAGE
 * with -Dthp=true), or, with -Dbuddy=true, a process-wide set of buddy
 * pools that gains a pool when every pool is full (Go's enable_buddy).
 *
 * The cache keeps released chunk regions whose size is a power of two from
 * 1 KiB to 4 MiB -- the sizes a scalable allocator's doubling produces from
 * Go's usual 1/4/16 KiB starts -- so that allocators that come and go reuse
 * them instead of reaching the system each time. It is bounded by bytes
 * and by entries per size, guarded by one spinlock (every critical section
 * is a few pointer moves), and emptied at unload so leak checkers see
 * nothing left. A cached region's first bytes hold its descriptor: the
 * region is ours while it rests there, so that costs no extra allocation.
 */
#include "config.h"

#include "source.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "atomic.h"
#include "gomem/buddy.h"
#include "gomem/scalable.h"

/* A cache line: pieces of cache-line multiples stay cache-line aligned. */
#define HEAP_ALIGN 64
#define HUGE_PAGE ((size_t)2 << 20)

#define CACHE_MIN_SHIFT 10 /* 1 KiB */
#define CACHE_MAX_SHIFT 22 /* 4 MiB = GOMEM_SCALABLE_MAX_CHUNK */
#define CACHE_CLASSES (CACHE_MAX_SHIFT - CACHE_MIN_SHIFT + 1)
#define CACHE_PER_CLASS 32

#define BUDDY_POOL_SIZE ((size_t)64 << 20)
#define BUDDY_MIN_BLOCK ((size_t)1024)
#define BUDDY_MAX_POOLS 64

_Static_assert(((size_t)1 << CACHE_MAX_SHIFT) == GOMEM_SCALABLE_MAX_CHUNK,
               "the cache covers every chunk size up to the largest chunk");

/* ---- system sources ------------------------------------------------------ */

static void fill(struct gomem__region *r, void *p, size_t size, size_t mapped,
                 enum gomem__origin origin)
{
  r->ptr = p;
  r->size = size;
  r->mapped = mapped;
  r->origin = origin;
  r->cacheable = false;
  r->pool = NULL;
  r->offset = 0;
}

static int heap_acquire(struct gomem__region *r, size_t size)
{
  void *p = NULL;

  if (posix_memalign(&p, HEAP_ALIGN, size) != 0)
    return -1;
  fill(r, p, size, size, GOMEM__ORIGIN_HEAP);
  return 0;
}

static int mmap_acquire(struct gomem__region *r, size_t size)
{
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t mapped = (size + page - 1) / page * page;

  if (mapped < size)
    return -1;
  void *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return -1;
#if GOMEM_WITH_THP && defined(MADV_HUGEPAGE)
  /* Only worth asking for regions that can hold a huge page; the kernel
   * may say no, which is fine. */
  if (mapped >= HUGE_PAGE)
    (void)madvise(p, mapped, MADV_HUGEPAGE);
#endif
  fill(r, p, size, mapped, GOMEM__ORIGIN_MMAP);
  return 0;
}

int gomem__region_acquire_system(struct gomem__region *r, size_t size)
{
  if (GOMEM_WITH_MMAP)
    return mmap_acquire(r, size);
  return heap_acquire(r, size);
}

int gomem__region_acquire_plain(struct gomem__region *r, size_t size)
{
  void *p = malloc(size);

  if (!p)
    return -1;
  fill(r, p, size, size, GOMEM__ORIGIN_HEAP);
  return 0;
}

/* ---- buddy pools ---------------------------------------------------------- */

#if GOMEM_WITH_BUDDY
/* The pools, oldest first. One lock guards the array; the pools themselves
 * are thread-safe, but holding the lock across the alloc keeps "all full,
 * add one" atomic, and acquiring a chunk is rare next to using it. */
static gomem__spinlock buddy_lock = {AO_TS_INITIALIZER};
static gomem_buddy *buddy_pools[BUDDY_MAX_POOLS];
static size_t buddy_npools;

static bool buddy_try(gomem_buddy *b, struct gomem__region *r, size_t size)
{
  size_t offset, block;

  if (gomem_buddy_alloc(b, size, &offset) != GOMEM_OK)
    return false;
  (void)gomem_buddy_block_size(b, offset, &block);
  fill(r, (unsigned char *)gomem_buddy_base(b) + offset, size, block, GOMEM__ORIGIN_BUDDY);
  r->pool = b;
  r->offset = offset;
  return true;
}

static int buddy_acquire(struct gomem__region *r, size_t size)
{
  int rc = -1;

  gomem__spinlock_lock(&buddy_lock);
  for (size_t i = 0; i < buddy_npools && rc != 0; i++)
    if (buddy_try(buddy_pools[i], r, size))
      rc = 0;
  if (rc != 0 && buddy_npools < BUDDY_MAX_POOLS) {
    gomem_buddy *b = gomem_buddy_new(BUDDY_POOL_SIZE, BUDDY_MIN_BLOCK);
    if (b) {
      buddy_pools[buddy_npools++] = b;
      rc = buddy_try(b, r, size) ? 0 : -1;
    }
  }
  gomem__spinlock_unlock(&buddy_lock);
  return rc;
}

static void buddy_release(struct gomem__region *r)
{
  gomem__spinlock_lock(&buddy_lock);
  (void)gomem_buddy_free(r->pool, r->offset);
  gomem__spinlock_unlock(&buddy_lock);
}

/* Unmap the pools with no block in use. @return the bytes unmapped. */
static size_t buddy_release_empty(void)
{
  size_t released = 0, kept = 0;

  gomem__spinlock_lock(&buddy_lock);
  for (size_t i = 0; i < buddy_npools; i++) {
    gomem_buddy *b = buddy_pools[i];
    if (gomem_buddy_free_size(b) == gomem_buddy_size(b)) {
      released += gomem_buddy_size(b);
      gomem_buddy_destroy(b);
    } else {
      buddy_pools[kept++] = b;
    }
  }
  buddy_npools = kept;
  gomem__spinlock_unlock(&buddy_lock);
  return released;
}
#else
static int buddy_acquire(struct gomem__region *r, size_t size)
{
  (void)r;
  (void)size;
  return -1;
}

static void buddy_release(struct gomem__region *r)
{
  (void)r;
}

static size_t buddy_release_empty(void)
{
  return 0;
}
#endif

/* ---- the chunk cache ------------------------------------------------------ */

struct cached {
  struct cached *next;
  struct gomem__region region;
};

static gomem__spinlock cache_lock = {AO_TS_INITIALIZER};
static struct cached *cache_head[CACHE_CLASSES];
static unsigned cache_count[CACHE_CLASSES];
static volatile AO_t cache_bytes; /* written under the lock, read anywhere */

/* @return the cache class of a region of @p size bytes, or -1. */
static int cache_class(size_t size)
{
  if (size < ((size_t)1 << CACHE_MIN_SHIFT) || size > ((size_t)1 << CACHE_MAX_SHIFT)
      || (size & (size - 1)) != 0)
    return -1;
  int shift = 0;
  while (((size_t)1 << shift) < size)
    shift++;
  return shift - CACHE_MIN_SHIFT;
}

static bool cache_take(struct gomem__region *r, int cls)
{
  struct cached *c;

  gomem__spinlock_lock(&cache_lock);
  c = cache_head[cls];
  if (c) {
    cache_head[cls] = c->next;
    cache_count[cls]--;
    gomem__counter_set(&cache_bytes, gomem__counter_read(&cache_bytes) - c->region.size);
    *r = c->region;
  }
  gomem__spinlock_unlock(&cache_lock);
  return c != NULL;
}

static bool cache_put(const struct gomem__region *r)
{
  int cls = cache_class(r->size);
  bool ok = false;

  if (cls < 0)
    return false;
  gomem__spinlock_lock(&cache_lock);
  if (cache_count[cls] < CACHE_PER_CLASS
      && gomem__counter_read(&cache_bytes) + r->size <= GOMEM_CHUNK_CACHE_MAX) {
    struct cached *c = r->ptr;
    c->region = *r;
    c->next = cache_head[cls];
    cache_head[cls] = c;
    cache_count[cls]++;
    gomem__counter_set(&cache_bytes, gomem__counter_read(&cache_bytes) + r->size);
    ok = true;
  }
  gomem__spinlock_unlock(&cache_lock);
  return ok;
}

/* ---- entry points --------------------------------------------------------- */

int gomem__region_acquire(struct gomem__region *r, size_t size)
{
  int cls = cache_class(size);

  if (cls >= 0 && cache_take(r, cls))
    return 0;
  int rc = -1;
  if (GOMEM_WITH_BUDDY && size <= BUDDY_POOL_SIZE)
    rc = buddy_acquire(r, size);
  if (rc != 0)
    rc = gomem__region_acquire_system(r, size);
  if (rc == 0)
    r->cacheable = cls >= 0;
  return rc;
}

static void release_to_origin(struct gomem__region *r)
{
  switch (r->origin) {
  case GOMEM__ORIGIN_MMAP:
    munmap(r->ptr, r->mapped);
    break;
  case GOMEM__ORIGIN_BUDDY:
    buddy_release(r);
    break;
  case GOMEM__ORIGIN_HEAP:
    free(r->ptr);
    break;
  }
}

void gomem__region_release(struct gomem__region *r)
{
  if (!r->ptr)
    return;
  if (!r->cacheable || !cache_put(r))
    release_to_origin(r);
  r->ptr = NULL;
}

size_t gomem__release_cached(void)
{
  struct cached *lists[CACHE_CLASSES];
  size_t released = 0;

  /* Detach everything under the lock, give it back outside it. */
  gomem__spinlock_lock(&cache_lock);
  for (int i = 0; i < CACHE_CLASSES; i++) {
    lists[i] = cache_head[i];
    cache_head[i] = NULL;
    cache_count[i] = 0;
  }
  gomem__counter_set(&cache_bytes, 0);
  gomem__spinlock_unlock(&cache_lock);

  for (int i = 0; i < CACHE_CLASSES; i++) {
    while (lists[i]) {
      struct cached *c = lists[i];
      struct gomem__region region = c->region;
      lists[i] = c->next;
      released += region.size;
      release_to_origin(&region);
    }
  }
  return released + buddy_release_empty();
}

size_t gomem__cached_bytes(void)
{
  return gomem__counter_read(&cache_bytes);
}

size_t gomem_release_cached(void)
{
  return gomem__release_cached();
}

size_t gomem_cached_bytes(void)
{
  return gomem__cached_bytes();
}

/* Leak checkers look after the destructors have run: leave nothing behind
 * that the process cannot reach any more. */
__attribute__((destructor)) static void release_at_exit(void)
{
  (void)gomem__release_cached();
}
