/* SPDX-License-Identifier: MIT */
/*
 * Locks held across fork().
 *
 * A child of fork() has only the thread that forked. Any lock another
 * thread held at that moment would stay held in the child for ever, and
 * the child would hang on its first call that takes it (even exit: the
 * library's destructor empties the chunk cache). So every lock that
 * threads share is taken before fork() and let go after it, in parent and
 * child alike: the process-wide ones (lib/source.c) and those of the
 * objects listed here, which register themselves when they are created.
 *
 * Order (the order the library nests them, so taking them all cannot
 * deadlock): the list itself, then GOMEM__FORK_OUTER locks (a shared
 * scalable allocator's busy flag, held while it reaches the chunk source),
 * then the chunk source's locks, then GOMEM__FORK_LEAF locks (a user's
 * buddy pool, lib/track.c's block map: nothing is taken while holding
 * one). Registering takes the list's lock, so no code may register or
 * unregister while holding any of the others: the chunk source's own buddy
 * pools are not listed (its lock already covers them).
 */
#ifndef GOMEM_FORK_H
#define GOMEM_FORK_H

#include "atomic.h"

enum gomem__fork_rank {
  GOMEM__FORK_OUTER,
  GOMEM__FORK_LEAF,
};

struct gomem__fork_entry {
  gomem__spinlock *lock;
  struct gomem__fork_entry *prev, *next;
};

/* List @p lock (in @p e, which the caller keeps alive until unregistered)
 * to be held across fork(). Cannot fail. */
void gomem__fork_register(struct gomem__fork_entry *e, gomem__spinlock *lock,
                          enum gomem__fork_rank rank);

/* Take @p e off its list again (before its lock's storage goes away). */
void gomem__fork_unregister(struct gomem__fork_entry *e);

/* The chunk source's share of the fork handlers (lib/source.c). */
void gomem__source_fork_prepare(void);
void gomem__source_fork_parent(void);
void gomem__source_fork_child(void);

#endif
