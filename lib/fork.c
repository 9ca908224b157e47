/* SPDX-License-Identifier: MIT */
#include "fork.h"

#include <pthread.h>

static gomem__spinlock list_lock = {AO_TS_INITIALIZER};

/* Each list is circular around its head, so insertion and removal need no
 * special cases. */
static struct gomem__fork_entry lists[2] = {
  [GOMEM__FORK_OUTER] = {NULL, &lists[GOMEM__FORK_OUTER], &lists[GOMEM__FORK_OUTER]},
  [GOMEM__FORK_LEAF] = {NULL, &lists[GOMEM__FORK_LEAF], &lists[GOMEM__FORK_LEAF]},
};

void gomem__fork_register(struct gomem__fork_entry *e, gomem__spinlock *lock,
                          enum gomem__fork_rank rank)
{
  struct gomem__fork_entry *head = &lists[rank];

  e->lock = lock;
  gomem__spinlock_lock(&list_lock);
  e->next = head;
  e->prev = head->prev;
  head->prev->next = e;
  head->prev = e;
  gomem__spinlock_unlock(&list_lock);
}

void gomem__fork_unregister(struct gomem__fork_entry *e)
{
  gomem__spinlock_lock(&list_lock);
  e->prev->next = e->next;
  e->next->prev = e->prev;
  gomem__spinlock_unlock(&list_lock);
  e->prev = e->next = e;
}

static void lock_list(enum gomem__fork_rank rank)
{
  const struct gomem__fork_entry *head = &lists[rank];

  for (struct gomem__fork_entry *e = head->next; e != head; e = e->next)
    gomem__spinlock_lock(e->lock);
}

static void unlock_list(enum gomem__fork_rank rank)
{
  const struct gomem__fork_entry *head = &lists[rank];

  for (struct gomem__fork_entry *e = head->next; e != head; e = e->next)
    gomem__spinlock_unlock(e->lock);
}

static void before_fork(void)
{
  gomem__spinlock_lock(&list_lock);
  lock_list(GOMEM__FORK_OUTER);
  gomem__source_fork_prepare();
  lock_list(GOMEM__FORK_LEAF);
}

static void after_fork_parent(void)
{
  unlock_list(GOMEM__FORK_LEAF);
  gomem__source_fork_parent();
  unlock_list(GOMEM__FORK_OUTER);
  gomem__spinlock_unlock(&list_lock);
}

static void after_fork_child(void)
{
  unlock_list(GOMEM__FORK_LEAF);
  gomem__source_fork_child();
  unlock_list(GOMEM__FORK_OUTER);
  gomem__spinlock_unlock(&list_lock);
}

__attribute__((constructor)) static void register_fork_handlers(void)
{
  (void)pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
