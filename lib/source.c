/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "source.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* A cache line: pieces of cache-line multiples stay cache-line aligned. */
#define HEAP_ALIGN 64
#define HUGE_PAGE ((size_t)2 << 20)

static int heap_acquire(struct gomem__region *r, size_t size)
{
  void *p = NULL;

  if (posix_memalign(&p, HEAP_ALIGN, size) != 0)
    return -1;
  r->ptr = p;
  r->size = size;
  r->mapped = size;
  r->origin = GOMEM__ORIGIN_HEAP;
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
  r->ptr = p;
  r->size = size;
  r->mapped = mapped;
  r->origin = GOMEM__ORIGIN_MMAP;
  return 0;
}

int gomem__region_acquire(struct gomem__region *r, size_t size)
{
  if (GOMEM_WITH_MMAP)
    return mmap_acquire(r, size);
  return heap_acquire(r, size);
}

void gomem__region_release(struct gomem__region *r)
{
  if (!r->ptr)
    return;
  if (r->origin == GOMEM__ORIGIN_MMAP)
    munmap(r->ptr, r->mapped);
  else
    free(r->ptr);
  r->ptr = NULL;
}
