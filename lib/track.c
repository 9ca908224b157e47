/* SPDX-License-Identifier: MIT */
/*
 * Valgrind memcheck's view of our sub-allocations (-Dtrack=valgrind only).
 *
 * Every range handed out is a block of one memcheck mempool, so memcheck
 * names the block and the stacks that allocated and freed it in its error
 * reports, and at exit reports the blocks nothing points to as leaks.
 *
 * Memcheck frees a mempool block only by its start address, but gomem frees
 * any sub-range: part of a block, or several adjacent blocks at once. So we
 * keep the live blocks in an address-ordered treap and cut a freed range
 * out of them; what survives of a cut block becomes a block of its own
 * (allocated, for memcheck, where the free was made) with the definedness
 * its bytes had. Memcheck's MEMPOOL_CHANGE could shrink a block in place,
 * but it sorts the whole pool at every call.
 *
 * The treap keeps addresses complemented: the leak checker scans our nodes
 * like any other memory, and a plain block address there would make every
 * block look reachable. Our memory comes from the mmap system call itself,
 * not from malloc or mmap(): the nomem suite replaces those, to count
 * every call and fail some on purpose.
 *
 * Outside Valgrind nothing here runs: every entry returns at once.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <valgrind/memcheck.h>

#include "atomic.h"
#include "fork.h"
#include "track.h"

struct node {
  uintptr_t hidden; /* ~start */
  size_t len;
  uint32_t prio;
  struct node *left, *right;
};

#define SLAB_BYTES ((size_t)64 << 10)
/* Survivors up to this size keep their definedness without an mmap. */
#define VBITS_STATIC 4096

static gomem__spinlock lock = {AO_TS_INITIALIZER};
static struct gomem__fork_entry fork_entry;
static struct node *root;
static struct node *spare; /* free nodes, linked by right */
static uint32_t prio_state = 2463534242u;
static bool pool_created;
/* Only its address matters: it names our mempool. */
static char pool;
static unsigned char vbits_static[VBITS_STATIC];

/* Our lock is taken under the chunk cache's lock and takes none itself. */
__attribute__((constructor)) static void register_lock(void)
{
  gomem__fork_register(&fork_entry, &lock, GOMEM__FORK_LEAF);
}

static uintptr_t start_of(const struct node *n)
{
  return ~n->hidden;
}

static uintptr_t end_of(const struct node *n)
{
  return start_of(n) + n->len;
}

/* @p n bytes of fresh zeroed memory, or NULL. */
static void *map(size_t n)
{
  long p = syscall(SYS_mmap, NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == -1 ? NULL : (void *)p;
}

/* Refill the free list from a new slab. @return false when mmap fails. */
static bool add_slab(void)
{
  struct node *slab = map(SLAB_BYTES);

  if (!slab)
    return false;
  for (size_t i = 0; i < SLAB_BYTES / sizeof(*slab); i++) {
    slab[i].right = spare;
    spare = &slab[i];
  }
  return true;
}

static struct node *node_new(uintptr_t start, size_t len)
{
  if (!spare && !add_slab())
    return NULL;
  struct node *n = spare;
  spare = n->right;
  prio_state ^= prio_state << 13; /* xorshift32: priorities need not be good */
  prio_state ^= prio_state >> 17;
  prio_state ^= prio_state << 5;
  *n = (struct node){~start, len, prio_state, NULL, NULL};
  return n;
}

static void node_free(struct node *n)
{
  n->right = spare;
  spare = n;
}

/* Split t into the nodes that start before key and the others. */
static void split(struct node *t, uintptr_t key, struct node **lo, struct node **hi)
{
  if (!t) {
    *lo = *hi = NULL;
  } else if (start_of(t) < key) {
    split(t->right, key, &t->right, hi);
    *lo = t;
  } else {
    split(t->left, key, lo, &t->left);
    *hi = t;
  }
}

/* Join a and b; every node of a starts before every node of b. */
static struct node *merge(struct node *a, struct node *b)
{
  if (!a || !b)
    return a ? a : b;
  if (a->prio > b->prio) {
    a->right = merge(a->right, b);
    return a;
  }
  b->left = merge(a, b->left);
  return b;
}

/* Remove and return the last node of the non-empty treap *t. */
static struct node *pop_last(struct node **t)
{
  while ((*t)->right)
    t = &(*t)->right;
  struct node *n = *t;
  *t = n->left;
  n->left = NULL;
  return n;
}

/* A buffer for the V bits of n bytes, or NULL. */
static unsigned char *vbits_buffer(size_t n)
{
  return n <= VBITS_STATIC ? vbits_static : map(n);
}

static void vbits_done(unsigned char *b, size_t n)
{
  if (b && b != vbits_static)
    syscall(SYS_munmap, b, n);
}

static bool get_vbits(uintptr_t a, unsigned char *bits, size_t n)
{
  return n == 0 || VALGRIND_GET_VBITS(a, bits, n) == 1;
}

/* Make [a, a + n) a block again, with V bits @p bits (NULL: unknown). */
static void remake(uintptr_t a, size_t n, const unsigned char *bits)
{
  if (n == 0)
    return;
  VALGRIND_MEMPOOL_ALLOC(&pool, a, n);
  /* Without the old V bits, defined is the choice that reports nothing
   * false. */
  if (!bits || VALGRIND_SET_VBITS(a, bits, n) != 1)
    VALGRIND_MAKE_MEM_DEFINED(a, n);
}

/* Memcheck's block [s, e) loses [p, q): free it, then allocate what is
 * left on each side again with the V bits those bytes had. */
static void cut_block(uintptr_t s, uintptr_t e, uintptr_t p, uintptr_t q)
{
  size_t head = p > s ? p - s : 0, tail = e > q ? e - q : 0;
  unsigned char *bits = vbits_buffer(head + tail);
  bool ok = bits && get_vbits(s, bits, head) && get_vbits(e - tail, bits + head, tail);

  VALGRIND_MEMPOOL_FREE(&pool, s);
  remake(s, head, ok ? bits : NULL);
  remake(e - tail, tail, ok ? bits + head : NULL);
  vbits_done(bits, head + tail);
}

/* Cut [p, q) out of every tracked block. */
static void cut(uintptr_t p, uintptr_t q)
{
  struct node *lo, *mid, *hi, *head = NULL, *tail = NULL;

  split(root, p, &lo, &mid);
  split(mid, q, &mid, &hi);
  /* The last block that starts before p may reach into [p, q). */
  if (lo) {
    struct node *last = pop_last(&lo);
    mid = merge(last, mid);
  }
  while (mid) {
    struct node *n = pop_last(&mid);
    uintptr_t s = start_of(n), e = end_of(n);
    if (e <= p) { /* lo's last block, which ends before p: keep it */
      head = n;
      continue;
    }
    if (e > q && !(tail = node_new(q, e - q))) {
      /* No node for the tail: keep the block whole, its cut part made
       * no-access by our caller. */
      tail = n;
      continue;
    }
    cut_block(s, e, p, q);
    if (s < p) {
      n->len = p - s;
      head = n;
    } else {
      node_free(n);
    }
  }
  root = merge(merge(lo, head), merge(tail, hi));
}

static void lock_pool(void)
{
  gomem__spinlock_lock(&lock);
  if (!pool_created) {
    VALGRIND_CREATE_MEMPOOL(&pool, 0, 0);
    pool_created = true;
  }
}

void gomem__track_block_add(void *p, size_t n)
{
  if (!RUNNING_ON_VALGRIND)
    return;
  uintptr_t a = (uintptr_t)p;
  lock_pool();
  cut(a, a + n); /* nothing to cut, unless a free was not reported */
  struct node *b = node_new(a, n), *lo, *hi;
  if (b) {
    VALGRIND_MEMPOOL_ALLOC(&pool, a, n);
    split(root, a, &lo, &hi);
    root = merge(merge(lo, b), hi);
  }
  gomem__spinlock_unlock(&lock);
  if (!b) /* out of memory for the node: addressable, but not a block */
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
}

void gomem__track_block_cut(void *p, size_t n)
{
  if (!RUNNING_ON_VALGRIND)
    return;
  lock_pool();
  cut((uintptr_t)p, (uintptr_t)p + n);
  gomem__spinlock_unlock(&lock);
}
