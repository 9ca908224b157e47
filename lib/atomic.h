/* SPDX-License-Identifier: MIT */
/*
 * The only file that includes <atomic_ops.h>: every atomic operation in
 * libgomem goes through the few wrappers below, so the memory-ordering
 * choices are made (and can be reviewed) in one place.
 *
 * libatomic_ops 7.6 on x86-64 with gcc >= 4.8 or clang >= 3.4 implements
 * everything used here inline, on top of the compiler's __atomic builtins
 * (sysdeps/gcc/generic.h), so ThreadSanitizer understands it and nothing
 * from libatomic_ops.a is needed at link time. We still link the
 * `atomic_ops` pkg-config dependency: targets whose operations are
 * emulated (AO_*_emulation) need the archive, and Debian ships only that
 * PIC static archive, whose symbols the version script keeps hidden.
 *
 * AO_REQUIRE_CAS makes the build fail on a target that has no native
 * compare-and-swap instead of quietly emulating it with signal masking.
 *
 * Only single-word operations are used: no double-width CAS (it needs
 * -latomic with some compilers), which is why the LIFO below offers
 * "take all" instead of "pop one".
 */
#ifndef GOMEM_ATOMIC_H
#define GOMEM_ATOMIC_H

#define AO_REQUIRE_CAS
#include <atomic_ops.h>

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#if !defined(AO_HAVE_compare_and_swap_full) || !defined(AO_HAVE_fetch_and_add_full) \
    || !defined(AO_HAVE_test_and_set_acquire) || !defined(AO_HAVE_load_acquire) \
    || !defined(AO_HAVE_store_release) || !defined(AO_HAVE_fetch_and_add) \
    || !defined(AO_HAVE_compare_and_swap_release) || !defined(AO_HAVE_compare_and_swap_acquire)
#error "libatomic_ops lacks an operation libgomem needs on this target"
#endif

/* A word that is read and written atomically (pointer-sized unsigned). */
typedef AO_t gomem__atomic_word;

/* ---- plain atomics ------------------------------------------------------ */

/* Read *p, with no ordering. */
static inline AO_t gomem__atomic_load(const volatile AO_t *p)
{
  return AO_load(p);
}

/* Read *p; later loads and stores stay after it (pairs with _store_release). */
static inline AO_t gomem__atomic_load_acquire(const volatile AO_t *p)
{
  return AO_load_acquire(p);
}

/* Write *p; earlier loads and stores stay before it, so a reader that sees
 * the value with _load_acquire also sees what was written before. */
static inline void gomem__atomic_store_release(volatile AO_t *p, AO_t v)
{
  AO_store_release(p, v);
}

/* *p += v, fully ordered. @return the value before the addition.
 * Subtract with (AO_t)-v; arithmetic wraps like unsigned integers. */
static inline AO_t gomem__atomic_fetch_add(volatile AO_t *p, AO_t v)
{
  return AO_fetch_and_add_full(p, v);
}

/* If *p == expected, set it to desired, fully ordered.
 * @return true when the swap happened (never fails spuriously). */
static inline bool gomem__atomic_cas(volatile AO_t *p, AO_t expected, AO_t desired)
{
  return AO_compare_and_swap_full(p, expected, desired) != 0;
}

/* ---- statistics counters ------------------------------------------------
 * Counters that one thread updates and any thread may read. No ordering is
 * implied: a reader sees each counter's latest value, not a consistent
 * snapshot of several counters. They are pointer-sized (AO_t), so they
 * wrap at 4 GiB on 32-bit targets. */

/* Initialise or overwrite a counter (only while no one else uses it). */
static inline void gomem__counter_set(volatile AO_t *c, AO_t v)
{
  AO_store(c, v);
}

/* *c += v without ordering (relaxed atomic add). */
static inline void gomem__counter_add(volatile AO_t *c, AO_t v)
{
  (void)AO_fetch_and_add(c, v);
}

/* *c -= v without ordering. */
static inline void gomem__counter_sub(volatile AO_t *c, AO_t v)
{
  (void)AO_fetch_and_add(c, (AO_t)0 - v);
}

/* @return the counter's current value, from any thread. */
static inline AO_t gomem__counter_read(const volatile AO_t *c)
{
  return AO_load(c);
}

/* ---- spinlock -----------------------------------------------------------
 * A test-and-set lock for short critical sections (a few hundred ns).
 * Waiters back off with busy spins of doubling length (libatomic_ops'
 * AO_pause is not in its public headers, so we spin ourselves), then give
 * the CPU away with sched_yield so that a preempted holder can run.
 * Not recursive, not fair. Zero-initialised storage is NOT a valid lock on
 * every target (AO_TS_CLEAR is not 0 on PA-RISC): call _init. */

#define GOMEM__SPIN_LIMIT 10 /* at most 2^10 idle iterations between tries */

typedef struct gomem__spinlock {
  volatile AO_TS_t ts;
} gomem__spinlock;

static inline void gomem__spinlock_init(gomem__spinlock *l)
{
  l->ts = AO_TS_INITIALIZER;
}

/* @return true when the lock was taken (acquire ordering), false if held. */
static inline bool gomem__spinlock_trylock(gomem__spinlock *l)
{
  return AO_test_and_set_acquire(&l->ts) == AO_TS_CLEAR;
}

/* Wait about 2^n loop iterations. The volatile local keeps the loop from
 * being optimised away without touching shared memory. */
static inline void gomem__spin_delay(int n)
{
  volatile unsigned sink = 0;

  for (unsigned i = 0; i < (1u << n); i++)
    sink = sink + 1;
}

static inline void gomem__spinlock_lock(gomem__spinlock *l)
{
  int n = 0;

  while (!gomem__spinlock_trylock(l)) {
    if (n < GOMEM__SPIN_LIMIT)
      gomem__spin_delay(++n);
    else
      sched_yield();
  }
}

/* Release the lock: writes made while holding it become visible to the
 * next holder. */
static inline void gomem__spinlock_unlock(gomem__spinlock *l)
{
  AO_CLEAR(&l->ts);
}

/* ---- lock-free LIFO (Treiber stack) with "take all" ----------------------
 * Any thread pushes; one consumer takes the whole list at once. Because
 * nodes are only ever removed all together, the head never goes back to a
 * node that a pusher has already linked behind, so there is no ABA problem
 * and no need for a double-width CAS or hazard pointers. The node lives in
 * memory the pusher hands over (e.g. a freed block), so it costs nothing. */

typedef struct gomem__lifo_node {
  struct gomem__lifo_node *next;
} gomem__lifo_node;

typedef struct gomem__lifo {
  volatile AO_t head; /* a gomem__lifo_node *, 0 when empty */
} gomem__lifo;

static inline void gomem__lifo_init(gomem__lifo *l)
{
  AO_store(&l->head, 0);
}

/* Push @n (from any thread). Its contents written before the push are
 * visible to the thread that takes it (release on success). */
static inline void gomem__lifo_push(gomem__lifo *l, gomem__lifo_node *n)
{
  AO_t old;

  do {
    old = AO_load(&l->head);
    n->next = (gomem__lifo_node *)old;
  } while (!AO_compare_and_swap_release(&l->head, old, (AO_t)n));
}

/* Detach and return every node pushed so far, newest first (NULL when
 * empty); the caller now owns them. Acquire ordering on success. */
static inline gomem__lifo_node *gomem__lifo_take_all(gomem__lifo *l)
{
  AO_t old;

  do {
    old = AO_load(&l->head);
    if (old == 0)
      return NULL;
  } while (!AO_compare_and_swap_acquire(&l->head, old, 0));
  return (gomem__lifo_node *)old;
}

/* @return true when nothing is waiting; a hint, it may change at once. */
static inline bool gomem__lifo_empty(const gomem__lifo *l)
{
  return AO_load(&l->head) == 0;
}

#endif /* GOMEM_ATOMIC_H */
