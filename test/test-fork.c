/* SPDX-License-Identifier: MIT */
/* Check suite 'fork': a child forked while other threads are inside the
 * library (the chunk cache, the buddy pools, a shared allocator) can use
 * every process-wide object and exit. Before the library held its locks
 * across fork(), such children hung for ever on a lock whose holder did not
 * come along. */
#include <gomem/gomem.h>

#include "run-suite.h"

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)

/* Children per test (the test stops at the first that hangs), and how
 * long one may take before it counts as hung. Under Valgrind, which runs
 * one thread at a time and checks each child for leaks as it exits, a few
 * children show that nothing leaks or misbehaves; the many forks that
 * catch a held lock are the native run's. */
#define CHILDREN 120
#define CHILDREN_VALGRIND 3
#define CHILD_SECONDS 5
#define CHILD_SECONDS_VALGRIND 120

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* AddressSanitizer's own allocator (libasan of gcc 12) does not hold its
 * locks across fork(): a child of a process whose threads call malloc can
 * hang inside ASan's malloc (seen: LargeMmapAllocator::Allocate, waiting
 * for its mutex), before it ever reaches ours. And LeakSanitizer would
 * report, as the child exits, what the parent's other threads had in
 * flight. The test cannot mean anything there: it skips itself. */
#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif
#ifndef ASAN_BUILD
#define ASAN_BUILD 0
#endif

static atomic_bool stop;

/* The allocator churn_cache works on, kept where a leak checker finds it:
 * a child inherits it from a thread that did not come along, and it is
 * lost to the child only in that sense. */
static gomem_scalable *_Atomic churning;

/* Valgrind runs one thread at a time and switches only every so many
 * instructions, nearly always while a churning thread is inside a call
 * and holds its lock, so that fork() waits for a very long time: there,
 * each churning thread lets the others run between its calls. */
static void pause_if_serialized(void)
{
  if (RUNNING_ON_VALGRIND)
    sched_yield();
}

/* Allocators come and go, so chunks move in and out of the process-wide
 * cache (and, with -Dbuddy=true, the source's buddy pools) all the time. */
static void *churn_cache(void *arg)
{
  (void)arg;
  for (unsigned i = 0; !atomic_load(&stop); i++) {
    gomem_scalable *s = gomem_scalable_new(4 * KiB << (i % 6));
    atomic_store(&churning, s);
    if (s) {
      void *p = gomem_scalable_malloc(s, 300 * KiB);
      if (p)
        (void)gomem_scalable_free(s, p, 300 * KiB);
      atomic_store(&churning, NULL);
      gomem_scalable_destroy(s);
    }
    if (i % 16 == 0)
      (void)gomem_release_cached();
    pause_if_serialized();
  }
  return NULL;
}

static void *churn_buddy(void *arg)
{
  gomem_buddy *b = arg;
  size_t off;

  for (unsigned i = 0; !atomic_load(&stop); i++) {
    if (gomem_buddy_alloc(b, 4 * KiB << (i % 4), &off) == GOMEM_OK)
      (void)gomem_buddy_free(b, off);
    pause_if_serialized();
  }
  return NULL;
}

static void *churn_shared(void *arg)
{
  gomem_scalable *s = arg;

  for (unsigned i = 0; !atomic_load(&stop); i++) {
    size_t n = 64 + (i % 7) * 1000;
    void *p = gomem_scalable_malloc(s, n);
    if (p)
      (void)gomem_scalable_free(s, p, n);
    pause_if_serialized();
  }
  return NULL;
}

/* In the child: every process-wide object works, then a normal exit (which
 * runs the library's destructor, and takes the cache lock once more). */
static void child(gomem_buddy *b, gomem_scalable *shared)
{
  gomem_scalable *s = gomem_scalable_new(4 * KiB);
  void *p = s ? gomem_scalable_malloc(s, 200 * KiB) : NULL;
  bool ok = p && gomem_scalable_free(s, p, 200 * KiB) == GOMEM_OK;
  gomem_scalable_destroy(s);

  size_t off;
  ok = ok && gomem_buddy_alloc(b, 4 * KiB, &off) == GOMEM_OK && gomem_buddy_free(b, off) == GOMEM_OK;

  void *q = gomem_scalable_malloc(shared, 100);
  ok = ok && q && gomem_scalable_free(shared, q, 100) == GOMEM_OK;
  (void)gomem_release_cached();
  exit(ok ? 0 : 1);
}

/* Wait for @p pid at most CHILD_SECONDS; kill it when it hangs.
 * @return its exit status, or -1 when it hung. */
static int wait_child(pid_t pid)
{
  struct timespec nap = {0, 1000 * 1000};
  int status;

  long limit_ms = (RUNNING_ON_VALGRIND ? CHILD_SECONDS_VALGRIND : CHILD_SECONDS) * 1000L;

  for (long waited_ms = 0; waited_ms < limit_ms; waited_ms++) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    ck_assert_int_ge(r, 0);
    if (r == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    nanosleep(&nap, NULL);
  }
  kill(pid, SIGKILL);
  (void)waitpid(pid, &status, 0);
  return -1;
}

START_TEST(children_finish)
{
  gomem_buddy *b = gomem_buddy_new(1 * MiB, 4 * KiB);
  gomem_scalable *shared = gomem_scalable_new_ex(16 * KiB, GOMEM_STRATEGY_DEFAULT,
                                                 GOMEM_SCALABLE_SHARED);
  ck_assert_ptr_nonnull(b);
  ck_assert_ptr_nonnull(shared);

  pthread_t t[3];
  atomic_store(&stop, false);
  ck_assert_int_eq(pthread_create(&t[0], NULL, churn_cache, NULL), 0);
  ck_assert_int_eq(pthread_create(&t[1], NULL, churn_buddy, b), 0);
  ck_assert_int_eq(pthread_create(&t[2], NULL, churn_shared, shared), 0);

  int hung = 0, failed = 0;
  int children = RUNNING_ON_VALGRIND ? CHILDREN_VALGRIND : CHILDREN;
  for (int i = 0; i < children && hung == 0; i++) {
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
      child(b, shared);
    int rc = wait_child(pid);
    hung += rc == -1;
    failed += rc > 0;
  }

  atomic_store(&stop, true);
  for (int i = 0; i < 3; i++)
    pthread_join(t[i], NULL);
  gomem_scalable_destroy(shared);
  gomem_buddy_destroy(b);
  (void)gomem_release_cached();
  ck_assert_msg(hung == 0 && failed == 0, "%d of %d children hung, %d failed", hung, children,
                failed);
}
END_TEST

static Suite *fork_suite(void)
{
  Suite *s = suite_create("fork");
  TCase *tc = tcase_create("core");

  tcase_set_timeout(tc, 240);
  tcase_add_test(tc, children_finish);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  if (ASAN_BUILD) {
    printf("fork: skipped in an AddressSanitizer build (its allocator is not fork-safe)\n");
    return 77; /* meson test: skipped */
  }
  return run_suite(fork_suite());
}
