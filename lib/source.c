/* SPDX-License-Identifier: MIT */
/*
 * Chunk sources and the chunk cache.
 *
 * Sources: the heap (64-byte aligned), anonymous mmap (+ MADV_HUGEPAGE
 * with -Dthp=true), or, with -Dbuddy=true, a process-wide set of buddy
 * pools that gains a pool when every pool is full (Go's enable_buddy).
 *
 * The cache keeps released chunk regions of 1 KiB to 4 MiB, any size, and
 * hands one to the next chunk of exactly that size: the scalable
 * allocator's sizes come from a few classes, so chunks dropped by one
 * allocator serve the next one. It keeps only what is likely to be asked
 * for again, and costs little memory while it waits:
 * - the newest entries keep their pages, CACHE_WARM_MAX bytes of them
 *   (plus the newest entry, whatever its size), so a chunk dropped and
 *   soon taken again costs no page fault;
 * - older entries give their pages back (MADV_DONTNEED) and keep only
 *   their address range: no resident memory, one zero page per page
 *   touched again. MADV_FREE would be cheaper to reuse, but the pages it
 *   frees stay counted in the process's RSS until the kernel needs them;
 * - an entry that CACHE_MAX_AGE later releases did not take goes back to
 *   the system, and so do the oldest entries when the slots or the byte
 *   bound (GOMEM_CHUNK_CACHE_MAX) run out.
 * One spinlock guards it; pages are given back outside the lock. It is
 * emptied at unload so leak checkers see nothing left.
 */
#include "config.h"

#include "source.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "atomic.h"
#include "buddy-internal.h"
#include "fork.h"
#include "gomem/buddy.h"
#include "gomem/scalable.h"
#include "track.h"

/* A cache line: pieces of cache-line multiples stay cache-line aligned. */
#define HEAP_ALIGN 64
#define HUGE_PAGE ((size_t)2 << 20)

#define CACHE_MIN_SIZE ((size_t)1 << 10) /* smaller chunks are not worth a slot */
#define CACHE_SLOTS 64
/* Bytes of cached regions that keep their pages (besides the newest). */
#define CACHE_WARM_MAX ((size_t)2 << 20)
/* An entry that this many later releases did not take goes back to the
 * system: nobody has been asking for its size. */
#define CACHE_MAX_AGE 256

#define BUDDY_POOL_SIZE ((size_t)64 << 20)
#define BUDDY_MIN_BLOCK ((size_t)1024)
#define BUDDY_MAX_POOLS 64

_Static_assert(GOMEM_SCALABLE_MAX_CHUNK <= GOMEM_CHUNK_CACHE_MAX,
               "the cache can hold a chunk of every size");

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

void gomem__region_adopt(struct gomem__region *r, void *p, size_t size)
{
  /* Not cacheable: the cache would hand it to another chunk. */
  fill(r, p, size, size, GOMEM__ORIGIN_CALLER);
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
    gomem_buddy *b = gomem__buddy_new_unlisted(BUDDY_POOL_SIZE, BUDDY_MIN_BLOCK);
    if (b) {
      buddy_pools[buddy_npools++] = b;
      rc = buddy_try(b, r, size) ? 0 : -1;
    }
  }
  gomem__spinlock_unlock(&buddy_lock);
  return rc;
}

static void buddy_lock_all(void)
{
  gomem__spinlock_lock(&buddy_lock);
}

static void buddy_unlock_all(void)
{
  gomem__spinlock_unlock(&buddy_lock);
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
static void buddy_lock_all(void)
{
}

static void buddy_unlock_all(void)
{
}

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

/* Give r back to where it came from; checkers may see the source touch it. */
static void release_to_origin(struct gomem__region *r)
{
  if (r->origin == GOMEM__ORIGIN_CALLER)
    gomem__track_return(r->ptr, r->size);
  else
    gomem__track_release(r->ptr, r->size);
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
  case GOMEM__ORIGIN_CALLER:
    break; /* the caller's: never ours to free */
  }
}

/* ---- the chunk cache ------------------------------------------------------
 * A fixed array of slots under one spinlock; a scan of CACHE_SLOTS entries
 * is nothing next to getting a chunk from the system. The descriptors live
 * here, not in the cached regions: a region whose pages went back to the
 * system is never touched, and the checkers see all of it as no-access. */

enum slot_state {
  SLOT_EMPTY = 0,
  SLOT_WARM,    /* its pages are resident: reuse costs no page fault */
  SLOT_COLD,    /* its pages went back to the system (address range kept) */
  SLOT_COOLING, /* being given back, outside the lock: not to be taken */
};

struct slot {
  struct gomem__region region;
  uint64_t stamp; /* the put that brought it: older entries go first */
  enum slot_state state;
};

static gomem__spinlock cache_lock = {AO_TS_INITIALIZER};
static struct slot cache[CACHE_SLOTS];
static uint64_t cache_clock;      /* puts so far */
static uint64_t cache_min_stamp;  /* at most the oldest entry's stamp */
static int cache_newest = -1;     /* the slot of the last put, or -1 */
static size_t cache_warm;         /* bytes of SLOT_WARM regions */
static volatile AO_t cache_bytes; /* bytes of every slot in use; written under the lock */

static void cache_count(size_t add, size_t sub)
{
  gomem__counter_set(&cache_bytes, gomem__counter_read(&cache_bytes) + add - sub);
}

/* Give the pages of region r back to the system, keeping its address
 * range: the next touch of a page maps a zero page. Only whole pages
 * inside r are given back (a heap region need not be page-aligned). */
static void give_back_pages(const struct gomem__region *r)
{
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = ((uintptr_t)r->ptr + page - 1) & ~(page - 1);
  uintptr_t end = ((uintptr_t)r->ptr + r->size) & ~(page - 1);

  if (end > start)
    (void)madvise((void *)start, end - start, MADV_DONTNEED);
}

/* @return the slot of the oldest entry that may be taken (only resident
 * ones when @p warm_only) other than slot @p except, or -1. Under the lock. */
static int oldest(bool warm_only, int except)
{
  int found = -1;

  for (int i = 0; i < CACHE_SLOTS; i++) {
    enum slot_state st = cache[i].state;
    bool eligible = st == SLOT_WARM || (st == SLOT_COLD && !warm_only);
    if (eligible && i != except && (found < 0 || cache[i].stamp < cache[found].stamp))
      found = i;
  }
  return found;
}

/* @return the slot of the newest takeable entry of @p size bytes,
 * resident ones first, or -1. Under the lock. */
static int best_match(size_t size)
{
  int found = -1;

  for (int i = 0; i < CACHE_SLOTS; i++) {
    const struct slot *c = &cache[i];
    if ((c->state != SLOT_WARM && c->state != SLOT_COLD) || c->region.size != size)
      continue;
    if (found < 0 || (c->state == SLOT_WARM) > (cache[found].state == SLOT_WARM)
        || (c->state == cache[found].state && c->stamp > cache[found].stamp))
      found = i;
  }
  return found;
}

static bool cache_take(struct gomem__region *r, size_t size)
{
  gomem__spinlock_lock(&cache_lock);
  /* An allocator that drops a chunk and adds one of the same size soon
   * after takes back the newest entry: no scan for that. */
  int i = cache_newest;
  if (i < 0 || cache[i].state != SLOT_WARM || cache[i].region.size != size)
    i = best_match(size);
  if (i == cache_newest)
    cache_newest = -1;
  if (i >= 0) {
    *r = cache[i].region;
    if (cache[i].state == SLOT_WARM)
      cache_warm -= size;
    cache[i].state = SLOT_EMPTY;
    cache_count(0, size);
  }
  gomem__spinlock_unlock(&cache_lock);
  return i >= 0;
}

/* Empty slot @p i (under the lock) and append its region to @p out. */
static void evict(int i, struct gomem__region *out, size_t *n)
{
  if (cache[i].state == SLOT_WARM)
    cache_warm -= cache[i].region.size;
  cache_count(0, cache[i].region.size);
  cache[i].state = SLOT_EMPTY;
  out[(*n)++] = cache[i].region;
}

/* Make room for @p size more bytes in one slot, evicting the entries
 * too old to be asked for and then the oldest ones into @p out. @return a
 * free slot, or -1 (everything left is cooling). Under the lock. */
static int make_room(size_t size, struct gomem__region *out, size_t *n)
{
  int free_slot = -1;

  /* Entries too old to be asked for; none can be before the bound says
   * so, which spares the scan on most puts. */
  if (cache_clock - cache_min_stamp >= CACHE_MAX_AGE) {
    uint64_t min = cache_clock;
    for (int i = 0; i < CACHE_SLOTS; i++) {
      enum slot_state st = cache[i].state;
      if ((st == SLOT_WARM || st == SLOT_COLD) && cache_clock - cache[i].stamp >= CACHE_MAX_AGE)
        evict(i, out, n);
      else if (st != SLOT_EMPTY && cache[i].stamp < min)
        min = cache[i].stamp;
    }
    cache_min_stamp = min;
  }
  for (;;) {
    for (int i = 0; free_slot < 0 && i < CACHE_SLOTS; i++)
      if (cache[i].state == SLOT_EMPTY)
        free_slot = i;
    if (free_slot >= 0 && gomem__counter_read(&cache_bytes) + size <= GOMEM_CHUNK_CACHE_MAX)
      return free_slot;
    int victim = oldest(false, -1);
    if (victim < 0)
      return -1;
    evict(victim, out, n);
  }
}

/* Mark the oldest resident entries cooling until at most CACHE_WARM_MAX
 * bytes stay resident, the newest entry excepted. @return how many, their
 * slots in @p out. Under the lock. */
static size_t pick_cooling(int newest, int *out)
{
  size_t n = 0;

  while (cache_warm - cache[newest].region.size > CACHE_WARM_MAX) {
    int i = oldest(true, newest);
    if (i < 0)
      break;
    cache[i].state = SLOT_COOLING;
    cache_warm -= cache[i].region.size;
    out[n++] = i;
  }
  return n;
}

static bool cache_put(const struct gomem__region *r)
{
  struct gomem__region evicted[CACHE_SLOTS];
  int cooling[CACHE_SLOTS];
  size_t nevicted = 0, ncooling = 0;

  gomem__spinlock_lock(&cache_lock);
  int i = make_room(r->size, evicted, &nevicted);
  if (i >= 0) {
    gomem__track_noaccess(r->ptr, r->size);
    cache[i] = (struct slot){.region = *r, .stamp = ++cache_clock, .state = SLOT_WARM};
    cache_newest = i;
    cache_warm += r->size;
    cache_count(r->size, 0);
    ncooling = pick_cooling(i, cooling);
  }
  gomem__spinlock_unlock(&cache_lock);

  for (size_t k = 0; k < nevicted; k++)
    release_to_origin(&evicted[k]);
  if (ncooling == 0)
    return i >= 0;
  /* A cooling slot is ours until it is marked cold: no one takes it, so
   * its pages can go back without the lock held. */
  for (size_t k = 0; k < ncooling; k++)
    give_back_pages(&cache[cooling[k]].region);
  gomem__spinlock_lock(&cache_lock);
  for (size_t k = 0; k < ncooling; k++)
    cache[cooling[k]].state = SLOT_COLD;
  gomem__spinlock_unlock(&cache_lock);
  return true;
}

/* ---- entry points --------------------------------------------------------- */

static bool cacheable_size(size_t size)
{
  return size >= CACHE_MIN_SIZE && size <= GOMEM_SCALABLE_MAX_CHUNK;
}

int gomem__region_acquire(struct gomem__region *r, size_t size)
{
  bool cacheable = cacheable_size(size);

  if (cacheable && cache_take(r, size))
    return 0;
  int rc = -1;
  if (GOMEM_WITH_BUDDY && size <= BUDDY_POOL_SIZE)
    rc = buddy_acquire(r, size);
  if (rc != 0)
    rc = gomem__region_acquire_system(r, size);
  if (rc == 0)
    r->cacheable = cacheable;
  return rc;
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
  struct gomem__region detached[CACHE_SLOTS];
  size_t n = 0, released = 0;

  /* Detach everything under the lock, give it back outside it. A cooling
   * entry (another thread is giving its pages back) stays. */
  gomem__spinlock_lock(&cache_lock);
  for (int i = 0; i < CACHE_SLOTS; i++)
    if (cache[i].state == SLOT_WARM || cache[i].state == SLOT_COLD)
      evict(i, detached, &n);
  gomem__spinlock_unlock(&cache_lock);

  for (size_t k = 0; k < n; k++) {
    released += detached[k].size;
    release_to_origin(&detached[k]);
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

/* ---- fork ------------------------------------------------------------------
 * The locks are held across fork() (lib/fork.c), so that the child finds
 * them free and the cache and the pools consistent. */

void gomem__source_fork_prepare(void)
{
  buddy_lock_all();
  gomem__spinlock_lock(&cache_lock);
}

void gomem__source_fork_parent(void)
{
  gomem__spinlock_unlock(&cache_lock);
  buddy_unlock_all();
}

/* The threads that were giving pages back did not come along: their
 * entries are the child's, and their pages may or may not be there. */
void gomem__source_fork_child(void)
{
  for (int i = 0; i < CACHE_SLOTS; i++) {
    if (cache[i].state == SLOT_COOLING) {
      cache[i].state = SLOT_WARM;
      cache_warm += cache[i].region.size;
    }
  }
  gomem__source_fork_parent();
}

/* Leak checkers look after the destructors have run: leave nothing behind
 * that the process cannot reach any more. */
__attribute__((destructor)) static void release_at_exit(void)
{
  (void)gomem__release_cached();
}

