/* SPDX-License-Identifier: MIT */
/*
 * Buddy pool. The region is split into N = total/min_block units; a block
 * of order k is 2^k units and starts at a unit index that is a multiple of
 * 2^k.
 *
 * All bookkeeping lives outside the region, so a freed block's pages are
 * never touched (the region is MAP_NORESERVE and may be trimmed):
 * - live[u] = k + 1 when a live block of order k starts at unit u, else 0.
 *   It makes free exact: an offset inside a block, a free block or a block
 *   freed twice all read 0.
 * - free_map[k] is a bitmap with one bit per order-k block position, set
 *   when that block is free (and not part of a larger free block). Each
 *   bitmap has summary levels above it (bit j of level l+1 says "word j of
 *   level l is not zero"), so finding its lowest set bit costs one count-
 *   trailing-zeros per level: at most 7 levels for 2^42 units.
 * - orders has bit k set when free_map[k] is not empty: one more summary
 *   level, shared by all the bitmaps, so the smallest order with a free
 *   block >= the request is one count-trailing-zeros away.
 * - Pending blocks: free blocks that are in no bitmap. For each order j
 *   in pending_orders (one run of orders [lo, hi)), the buddy of the
 *   order-j block that holds unit pending_base is free. Every search looks
 *   at them too, so results are exactly those of eager bookkeeping.
 *   They come from two places:
 *   . a split: splitting the order-m block at unit u down to order k frees
 *     the upper halves of orders [k, m), which are exactly the buddies of
 *     the blocks holding u: pending_base = u, pending_orders = [k, m).
 *     No m - k bitmap bits to set, and none to clear when the block comes
 *     back: freeing it merges with all of them in one step;
 *   . a free: when nothing is pending, the block a free ends with (after
 *     merging) is kept pending rather than written into its bitmap:
 *     pending_base = any unit of its buddy, pending_orders = its order.
 *   Taking the lowest pending order is O(1); anything else that needs them
 *   in the bitmaps writes them there first (flush). A mostly free pool
 *   then allocates and frees without touching a bitmap at all.
 *   The run stays valid because the order-lo block holding pending_base is
 *   never wholly free (it is live, split, or the buddy of a free block),
 *   so each pending block is a whole free buddy block of eager bookkeeping
 *   and freeing that order-lo block merges through the run.
 *
 * Compared with Go's Buddy (a tree of "longest free run" values with one
 * int per node, walked root to leaf under a mutex): the same O(log N)
 * cost, about 6x less bookkeeping, a region that costs no RSS until used
 * (Go embeds a 512 MiB array in the struct), and free that rejects an
 * offset inside a live block (Go frees the enclosing block) and reports
 * sizes in bytes, not units.
 */
#include "config.h"

#include "gomem/buddy.h"

#include "atomic.h"
#include "buddy-internal.h"
#include "fork.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_ORDERS 64
#define MAX_LEVELS 8 /* 64^8 = 2^48 positions */
#define MAX_TOP_ORDER 48 /* so that every bitmap fits in MAX_LEVELS levels */
#define MAX_BASE_ALIGN ((size_t)2 << 20)

/* For the slow paths, so that the fast ones stay short. */
#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* One bitmap and its summary levels. The highest level is a single word,
 * kept here rather than with the others: searches start from it, and an
 * order with at most 64 positions (the large ones) needs no other word. */
struct bitmap {
  uint64_t top;
  uint64_t *bits[MAX_LEVELS]; /* bits[levels - 1] == &top */
  unsigned levels;
};

struct gomem_buddy {
  gomem__spinlock lock;
  bool listed;                   /* lock held across fork() (lib/fork.h) */
  struct gomem__fork_entry fork;
  volatile AO_t free_bytes;  /* written under the lock, read without it */
  uint64_t orders;           /* bit k: free_map[k] is not empty */
  uint64_t pending_orders;   /* one run of orders, 0 if nothing is pending */
  size_t pending_base;       /* a unit (up to N): see "Pending blocks" */
  unsigned char *base;
  size_t size;
  size_t min_block;
  unsigned unit_shift;       /* log2(min_block) */
  unsigned top_order;        /* log2(N): the order of the whole region */
  uint8_t *live;             /* N entries */
  uint64_t *words;           /* storage behind every free_map[].bits[] */
  struct bitmap free_map[MAX_ORDERS];
};

/* ---- bitmaps ----------------------------------------------------------- */

static unsigned lowest_bit(uint64_t w)
{
#if defined(__GNUC__) || defined(__clang__)
  return (unsigned)__builtin_ctzll(w);
#else
  unsigned n = 0;
  while (!(w & 1)) {
    w >>= 1;
    n++;
  }
  return n;
#endif
}

static size_t words_for(size_t bits)
{
  return (bits + 63) / 64;
}

/* Words needed by the levels below the top of a bitmap of @p positions. */
static size_t bitmap_words(size_t positions)
{
  size_t total = 0;

  for (size_t n = words_for(positions); n > 1; n = words_for(n))
    total += n;
  return total;
}

/* Lay out the levels of a bitmap of @p positions bits, those below the top
 * at @p mem (zeroed). @return the first word after them. */
static uint64_t *bitmap_place(struct bitmap *m, size_t positions, uint64_t *mem)
{
  m->levels = 0;
  for (size_t n = words_for(positions); n > 1; n = words_for(n)) {
    m->bits[m->levels++] = mem;
    mem += n;
  }
  m->bits[m->levels++] = &m->top;
  return mem;
}

static uint64_t bit(unsigned i)
{
  return (uint64_t)1 << i;
}

static bool bitmap_test(const struct bitmap *m, size_t i)
{
  return (m->bits[0][i / 64] >> (i % 64)) & 1;
}

/* Mark position @p i of order @p k's bitmap free. Locked. */
static inline void bitmap_set(gomem_buddy *b, unsigned k, size_t i)
{
  struct bitmap *m = &b->free_map[k];

  for (unsigned l = 0; l + 1 < m->levels; l++) {
    uint64_t *w = &m->bits[l][i / 64];
    uint64_t old = *w;

    *w = old | bit(i % 64);
    if (old != 0)
      return; /* the levels above already know this word is not empty */
    i /= 64;
  }
  if (m->top == 0)
    b->orders |= bit(k);
  m->top |= bit((unsigned)i);
}

/* Mark position @p i of order @p k's bitmap taken. Locked. */
static inline void bitmap_clear(gomem_buddy *b, unsigned k, size_t i)
{
  struct bitmap *m = &b->free_map[k];

  for (unsigned l = 0; l + 1 < m->levels; l++) {
    uint64_t *w = &m->bits[l][i / 64];

    *w &= ~bit(i % 64);
    if (*w != 0)
      return;
    i /= 64;
  }
  m->top &= ~bit((unsigned)i);
  if (m->top == 0)
    b->orders &= ~bit(k);
}

/* @return the lowest set bit; the bitmap must not be empty. */
static size_t bitmap_first(const struct bitmap *m)
{
  size_t i = lowest_bit(m->top);

  for (unsigned l = m->levels - 1; l-- > 0;)
    i = i * 64 + lowest_bit(m->bits[l][i]);
  return i;
}

/* ---- sizes ------------------------------------------------------------- */

static bool is_pow2(size_t x)
{
  return x != 0 && (x & (x - 1)) == 0;
}

/* @return floor(log2(x)) for x != 0. */
static unsigned log2_floor(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
  return 63u - (unsigned)__builtin_clzll(x);
#else
  unsigned n = 0;

  while (x >>= 1)
    n++;
  return n;
#endif
}

/* The order of the smallest block holding @p size bytes (1 <= size <= total). */
static unsigned order_for(const gomem_buddy *b, size_t size)
{
  /* ceil(log2(units)) = floor(log2(units - 1)) + 1 for units >= 2. */
  size_t units_minus_1 = (size - 1) >> b->unit_shift;

  return units_minus_1 ? log2_floor(units_minus_1) + 1 : 0;
}

static size_t order_bytes(const gomem_buddy *b, unsigned k)
{
  return b->min_block << k;
}

/* ---- region ------------------------------------------------------------ */

/* Reserve @p size bytes aligned to min(size, 2 MiB): over-reserve, then
 * unmap the unaligned head and the tail. */
static void *region_reserve(size_t size)
{
  const int prot = PROT_READ | PROT_WRITE;
  const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t align = size < MAX_BASE_ALIGN ? size : MAX_BASE_ALIGN;

  if (align <= page)
    return mmap(NULL, size, prot, flags, -1, 0);

  size_t len = size + align;
  if (len < size)
    return MAP_FAILED;
  unsigned char *p = mmap(NULL, len, prot, flags, -1, 0);
  if (p == MAP_FAILED)
    return MAP_FAILED;
  size_t head = (align - (uintptr_t)p % align) % align;
  if (head)
    munmap(p, head);
  munmap(p + head + size, len - head - size);
  return p + head;
}

/* ---- pool -------------------------------------------------------------- */

static int check_args(size_t total_size, size_t min_block)
{
  if (!is_pow2(total_size) || !is_pow2(min_block))
    return -1;
  if (min_block < GOMEM_BUDDY_MIN_BLOCK_LIMIT || min_block > total_size)
    return -1;
  return 0;
}

/* Allocate live[] and the bitmaps of every order, all zero. */
static int metadata_init(gomem_buddy *b)
{
  size_t units = (size_t)1 << b->top_order;
  size_t words = 0;

  for (unsigned k = 0; k <= b->top_order; k++)
    words += bitmap_words(units >> k);
  /* A pool of at most 64 units has only top words: words may be 0. */
  b->words = calloc(words + 1, sizeof(uint64_t));
  b->live = calloc(units, 1);
  if (!b->words || !b->live)
    return -1;

  uint64_t *mem = b->words;
  for (unsigned k = 0; k <= b->top_order; k++)
    mem = bitmap_place(&b->free_map[k], units >> k, mem);
  return 0;
}

gomem_buddy *gomem__buddy_new_unlisted(size_t total_size, size_t min_block)
{
  if (check_args(total_size, min_block) != 0) {
    errno = EINVAL;
    return NULL;
  }
  gomem_buddy *b = calloc(1, sizeof(*b));
  if (!b) {
    errno = ENOMEM;
    return NULL;
  }
  b->size = total_size;
  b->min_block = min_block;
  b->unit_shift = log2_floor(min_block);
  b->top_order = log2_floor(total_size) - b->unit_shift;
  if (b->top_order > MAX_TOP_ORDER || metadata_init(b) != 0) {
    gomem_buddy_destroy(b);
    errno = ENOMEM;
    return NULL;
  }
  void *base = region_reserve(total_size);
  if (base == MAP_FAILED) {
    gomem_buddy_destroy(b);
    errno = ENOMEM;
    return NULL;
  }
  b->base = base;
  gomem__spinlock_init(&b->lock);
  bitmap_set(b, b->top_order, 0);
  gomem__counter_set(&b->free_bytes, total_size);
  return b;
}

gomem_buddy *gomem_buddy_new(size_t total_size, size_t min_block)
{
  gomem_buddy *b = gomem__buddy_new_unlisted(total_size, min_block);

  if (b) {
    b->listed = true;
    gomem__fork_register(&b->fork, &b->lock, GOMEM__FORK_LEAF);
  }
  return b;
}

void gomem_buddy_destroy(gomem_buddy *b)
{
  if (!b)
    return;
  if (b->listed)
    gomem__fork_unregister(&b->fork);
  if (b->base)
    munmap(b->base, b->size);
  free(b->live);
  free(b->words);
  free(b);
}

/* ---- the lock ---------------------------------------------------------- */

/* Out of line: the spinning and yielding would otherwise be inlined into
 * alloc and free and cost them registers and instructions when, as almost
 * always, nobody else holds the lock. */
static NOINLINE void lock_contended(gomem__spinlock *l)
{
  gomem__spinlock_lock(l);
}

static void lock(gomem__spinlock *l)
{
  if (!gomem__spinlock_trylock(l))
    lock_contended(l);
}

/* Add @p delta (wrapping: pass 0 - n to subtract) to the free byte count.
 * It changes only under the lock, so an atomic load and store suffice: no
 * locked read-modify-write, and lock-free readers still see exact values. */
static void free_bytes_add(gomem_buddy *b, size_t delta)
{
  gomem__counter_set(&b->free_bytes, gomem__counter_read(&b->free_bytes) + delta);
}

/* ---- pending blocks ----------------------------------------------------- */

/* @return the position, in order @p j's bitmap, of the pending block of
 * order @p j: the buddy of the order-j block that holds pending_base. */
static size_t pending_pos(const gomem_buddy *b, unsigned j)
{
  return (b->pending_base >> j) ^ 1;
}

/* Write the pending blocks of the orders in @p which into the bitmaps (so
 * they stop being pending). Locked. */
static void pending_flush(gomem_buddy *b, uint64_t which)
{
  b->pending_orders &= ~which;
  for (; which; which &= which - 1) {
    unsigned j = lowest_bit(which);

    bitmap_set(b, j, pending_pos(b, j));
  }
}

/* @return whether the lowest free block of order @p m is the pending one. */
static bool pending_first(const gomem_buddy *b, unsigned m)
{
  if (!((b->pending_orders >> m) & 1))
    return false;
  if (!((b->orders >> m) & 1))
    return true;
  return pending_pos(b, m) < bitmap_first(&b->free_map[m]);
}

/* Take the pending block of order @p m. The pending orders must stay one
 * run, since freeing the order-lo block that holds pending_base merges
 * through all of them: write out those below m, keep those above (their
 * order-(m+1) block now holds a live one). @return its unit. Locked. */
static size_t pending_take(gomem_buddy *b, unsigned m)
{
  uint64_t below = b->pending_orders & (bit(m) - 1);

  if (below)
    pending_flush(b, below);
  b->pending_orders &= ~bit(m);
  return pending_pos(b, m) << m;
}

/* ---- alloc and free ----------------------------------------------------- */

/* Take the first block of order @p m's bitmap. Out of line: pending
 * blocks serve the common case, and alloc then needs fewer registers.
 * @return its unit. Locked. */
static NOINLINE size_t bitmap_take(gomem_buddy *b, unsigned m)
{
  size_t pos = bitmap_first(&b->free_map[m]);

  bitmap_clear(b, m, pos);
  return pos << m;
}

/* Take a free block of order @p k, splitting a larger one if needed.
 * @return its unit index, or -1 when no block is large enough. Locked. */
static int take_block(gomem_buddy *b, unsigned k, size_t *unit)
{
  uint64_t fit = (b->orders | b->pending_orders) >> k << k; /* k < 64 */

  if (fit == 0)
    return -1;

  unsigned m = lowest_bit(fit);
  size_t u;

  if (pending_first(b, m))
    u = pending_take(b, m);
  else
    u = bitmap_take(b, m);
  /* Keep the lower half at each split; the upper halves, one per order in
   * [k, m), become the pending blocks (the older ones are written out). */
  if (m > k) {
    if (b->pending_orders)
      pending_flush(b, b->pending_orders);
    b->pending_base = u;
    b->pending_orders = bit(m) - bit(k);
  }
  *unit = u;
  return 0;
}

/* Give back the order-@p k block at unit @p u, merging with free buddies.
 * Locked. */
static void put_block(gomem_buddy *b, size_t u, unsigned k)
{
  for (;;) {
    /* The buddy is pending when this block holds pending_base; it is then
     * of the lowest pending order (a lower one would lie inside this free
     * block), and each pending block above is the buddy of the next merge:
     * take them all at once. */
    if ((u >> k) == (b->pending_base >> k) && ((b->pending_orders >> k) & 1)) {
      k = log2_floor(b->pending_orders) + 1;
      u = u >> k << k;
      b->pending_orders = 0;
    }
    if (k == b->top_order)
      break;

    size_t buddy = (u >> k) ^ 1;

    if (!bitmap_test(&b->free_map[k], buddy))
      break;
    bitmap_clear(b, k, buddy);
    u &= ~((size_t)1 << k);
    k++;
  }
  if (b->pending_orders != 0) {
    bitmap_set(b, k, u >> k);
    return;
  }
  /* Keep it pending, named by a unit of its buddy (for the whole region,
   * unit N, which stands for the buddy it does not have). */
  b->pending_base = u ^ ((size_t)1 << k);
  b->pending_orders = bit(k);
}

/* The error of an alloc that the fast check refused. */
static NOINLINE int alloc_refused(const gomem_buddy *b, size_t size, const size_t *offset)
{
  if (!b || !offset || size == 0)
    return GOMEM_ERR_INVALID;
  return GOMEM_ERR_NOMEM; /* size > b->size */
}

int gomem_buddy_alloc(gomem_buddy *b, size_t size, size_t *offset)
{
  /* size - 1 wraps for 0: one test for a size of 0 or above the pool. */
  if (!b || !offset || size - 1 >= b->size)
    return alloc_refused(b, size, offset);

  unsigned k = order_for(b, size);
  size_t u;

  lock(&b->lock);
  if (take_block(b, k, &u) != 0) {
    gomem__spinlock_unlock(&b->lock);
    return GOMEM_ERR_NOMEM;
  }
  b->live[u] = (uint8_t)(k + 1);
  free_bytes_add(b, 0 - order_bytes(b, k));
  gomem__spinlock_unlock(&b->lock);

  *offset = u << b->unit_shift;
  return GOMEM_OK;
}

/* @return the unit index of @p offset, or -1 when it cannot start a block. */
static int offset_unit(const gomem_buddy *b, size_t offset, size_t *unit)
{
  if (offset >= b->size || (offset & (b->min_block - 1)) != 0)
    return -1;
  *unit = offset >> b->unit_shift;
  return 0;
}

int gomem_buddy_free(gomem_buddy *b, size_t offset)
{
  size_t u;

  if (!b || offset_unit(b, offset, &u) != 0)
    return GOMEM_ERR_INVALID;

  lock(&b->lock);
  unsigned live = b->live[u];
  if (live == 0) {
    gomem__spinlock_unlock(&b->lock);
    return GOMEM_ERR_INVALID;
  }
  b->live[u] = 0;
  put_block(b, u, live - 1);
  free_bytes_add(b, order_bytes(b, live - 1));
  gomem__spinlock_unlock(&b->lock);
  return GOMEM_OK;
}

void *gomem_buddy_base(const gomem_buddy *b)
{
  return b ? b->base : NULL;
}

size_t gomem_buddy_size(const gomem_buddy *b)
{
  return b ? b->size : 0;
}

size_t gomem_buddy_min_block(const gomem_buddy *b)
{
  return b ? b->min_block : 0;
}

size_t gomem_buddy_free_size(const gomem_buddy *b)
{
  return b ? gomem__counter_read(&b->free_bytes) : 0;
}

/* The lock is the only thing the const functions below modify. */
static gomem__spinlock *lock_of(const gomem_buddy *b)
{
  return (gomem__spinlock *)&b->lock;
}

size_t gomem_buddy_max_alloc(const gomem_buddy *b)
{
  if (!b)
    return 0;
  lock(lock_of(b));
  uint64_t orders = b->orders | b->pending_orders;
  gomem__spinlock_unlock(lock_of(b));
  return orders ? order_bytes(b, log2_floor(orders)) : 0;
}

int gomem_buddy_block_size(const gomem_buddy *b, size_t offset, size_t *size)
{
  size_t u;

  if (!b || !size || offset_unit(b, offset, &u) != 0)
    return GOMEM_ERR_INVALID;

  lock(lock_of(b));
  unsigned live = b->live[u];
  gomem__spinlock_unlock(lock_of(b));
  if (live == 0)
    return GOMEM_ERR_INVALID;
  *size = order_bytes(b, live - 1);
  return GOMEM_OK;
}

/* madvise every free block of order @p k. @return the bytes advised. */
static size_t trim_order(gomem_buddy *b, unsigned k)
{
  const struct bitmap *m = &b->free_map[k];
  size_t positions = ((size_t)1 << b->top_order) >> k;
  size_t len = order_bytes(b, k);
  size_t done = 0;

  for (size_t w = 0; w < words_for(positions); w++) {
    for (uint64_t bits = m->bits[0][w]; bits; bits &= bits - 1) {
      size_t pos = w * 64 + lowest_bit(bits);

      if (madvise(b->base + pos * len, len, MADV_DONTNEED) == 0)
        done += len;
    }
  }
  return done;
}

size_t gomem_buddy_trim(gomem_buddy *b)
{
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t done = 0;

  if (!b)
    return 0;
  lock(&b->lock);
  pending_flush(b, b->pending_orders);
  for (unsigned k = 0; k <= b->top_order; k++) {
    if (order_bytes(b, k) >= page)
      done += trim_order(b, k);
  }
  gomem__spinlock_unlock(&b->lock);
  return done;
}

/* ---- self-check (tests) ----------------------------------------------------- */

/* @return whether order @p k's bitmap has position @p i, or block (k, i)
 * is pending. */
static bool check_free(const gomem_buddy *b, unsigned k, size_t i)
{
  if (bitmap_test(&b->free_map[k], i))
    return true;
  return ((b->pending_orders >> k) & 1) && i == pending_pos(b, k);
}

/* Rules 1-2: every summary bit says whether the word below is non-zero,
 * and the mask says whether the top word is. */
static int check_bitmap(const gomem_buddy *b, unsigned k)
{
  const struct bitmap *m = &b->free_map[k];
  size_t n = words_for(((size_t)1 << b->top_order) >> k);

  for (unsigned l = 0; l + 1 < m->levels; l++) {
    for (size_t w = 0; w < n; w++) {
      bool nonzero = m->bits[l][w] != 0;

      if (nonzero != (((m->bits[l + 1][w / 64] >> (w % 64)) & 1) != 0))
        return 1;
    }
    n = words_for(n);
  }
  return (m->top != 0) != (((b->orders >> k) & 1) != 0) ? 2 : 0;
}

/* Rule 3: the pending orders are one run [lo, hi), hi <= top + 1, their
 * blocks lie in the region, and none is in a bitmap. (That the order-lo
 * block holding pending_base is not wholly free follows from rules 4-5.) */
static int check_pending(const gomem_buddy *b)
{
  uint64_t run = b->pending_orders;

  if (run == 0)
    return 0;

  unsigned lo = lowest_bit(run), hi = log2_floor(run) + 1;

  if (run != bit(hi) - bit(lo) || hi > b->top_order + 1)
    return 3;
  for (unsigned k = lo; k < hi; k++) {
    if (pending_pos(b, k) >= ((size_t)1 << b->top_order) >> k)
      return 3;
    if (bitmap_test(&b->free_map[k], pending_pos(b, k)))
      return 3;
  }
  return 0;
}

/* @return the number of positions set in order @p k's bitmap. */
static size_t bitmap_count(const gomem_buddy *b, unsigned k)
{
  size_t n = words_for(((size_t)1 << b->top_order) >> k), count = 0;

  for (size_t w = 0; w < n; w++) {
    for (uint64_t bits = b->free_map[k].bits[0][w]; bits; bits &= bits - 1)
      count++;
  }
  return count;
}

/* @return the order of the free block at unit @p u, or -1 if none, -2 if
 * more than one order claims it. */
static int free_order_at(const gomem_buddy *b, size_t u)
{
  int found = -1;

  for (unsigned k = 0; k <= b->top_order; k++) {
    if ((u & (((size_t)1 << k) - 1)) != 0)
      break;
    if (check_free(b, k, u >> k))
      found = found == -1 ? (int)k : -2;
  }
  return found;
}

/* Rules 4-7: walk the region block by block. Each block start is exactly
 * one live or free block (4); free blocks do not have a free buddy (5); no
 * live entry or free bit lies elsewhere, e.g. inside a block (6); the free
 * byte count matches (7). */
static int check_tiling(const gomem_buddy *b)
{
  size_t units = (size_t)1 << b->top_order, blocks = 0, entries = 0, free_units = 0;

  for (size_t u = 0; u < units; blocks++) {
    int k = free_order_at(b, u);

    if (b->live[u] != 0) {
      unsigned order = b->live[u] - 1u;

      if (k != -1 || order > b->top_order || (u & (((size_t)1 << order) - 1)) != 0)
        return 4;
      u += (size_t)1 << order;
      continue;
    }
    if (k < 0)
      return 4;
    if ((unsigned)k < b->top_order && check_free(b, (unsigned)k, (u >> k) ^ 1))
      return 5;
    free_units += (size_t)1 << k;
    u += (size_t)1 << k;
  }
  for (size_t u = 0; u < units; u++)
    entries += b->live[u] != 0;
  for (unsigned k = 0; k <= b->top_order; k++)
    entries += bitmap_count(b, k) + ((b->pending_orders >> k) & 1);
  if (entries != blocks)
    return 6;
  return gomem__counter_read(&b->free_bytes) != free_units << b->unit_shift ? 7 : 0;
}

static int check_locked(const gomem_buddy *b)
{
  int rc;

  if (b->top_order < 63 && (b->orders >> (b->top_order + 1)) != 0)
    return 2;
  for (unsigned k = 0; k <= b->top_order; k++) {
    if ((rc = check_bitmap(b, k)) != 0)
      return rc;
  }
  if ((rc = check_pending(b)) != 0)
    return rc;
  return check_tiling(b);
}

int gomem__buddy_check(const gomem_buddy *b)
{
  lock(lock_of(b));
  int rc = check_locked(b);
  gomem__spinlock_unlock(lock_of(b));
  return rc;
}
