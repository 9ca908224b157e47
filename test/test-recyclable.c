/* SPDX-License-Identifier: MIT */
/* Check suite 'recyclable': recyclable memory over a scalable allocator,
 * over malloc, and across allocator changes and threads. */
#include <gomem/gomem.h>

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "run-suite.h"

static uint64_t in_use(const gomem_scalable *s)
{
  gomem_stats st;

  st.struct_size = sizeof(st);
  ck_assert_int_eq(gomem_scalable_stats(s, &st), GOMEM_OK);
  return st.in_use;
}

static uint64_t total_malloc(const gomem_scalable *s)
{
  gomem_stats st;

  st.struct_size = sizeof(st);
  ck_assert_int_eq(gomem_scalable_stats(s, &st), GOMEM_OK);
  return st.total_malloc;
}

static uint64_t total_free(const gomem_scalable *s)
{
  gomem_stats st;

  st.struct_size = sizeof(st);
  ck_assert_int_eq(gomem_scalable_stats(s, &st), GOMEM_OK);
  ck_assert_uint_eq(st.remote_rejected, 0);
  return st.total_free;
}

/* The seed README's "Recyclable Memory". */
START_TEST(readme_next_and_recycle)
{
  gomem_scalable *s = gomem_scalable_new(1024);
  gomem_recyclable *r = gomem_recyclable_new(s);
  gomem_memory *m = gomem_recyclable_memory(r);

  ck_assert_ptr_nonnull(r);
  ck_assert_ptr_eq(gomem_recyclable_allocator(r), s);
  char *b1 = gomem_recyclable_next(r, 128);
  char *b2 = gomem_recyclable_next(r, 256);
  ck_assert_ptr_nonnull(b1);
  ck_assert_ptr_nonnull(b2);
  memcpy(b1, "Buffer 1", 8);
  memcpy(b2, "Buffer 2", 8);
  ck_assert_uint_eq(gomem_memory_count(m), 2);
  ck_assert_uint_eq(gomem_memory_size(m), 384);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 2);
  ck_assert_uint_eq(in_use(s), 384);
  const void *seg;
  size_t len;
  ck_assert_int_eq(gomem_memory_segment(m, -1, &seg, &len), GOMEM_OK);
  ck_assert_ptr_eq(seg, b2);
  ck_assert_uint_eq(len, 256);

  gomem_recyclable_recycle(r);
  ck_assert_uint_eq(in_use(s), 0);
  ck_assert_uint_eq(gomem_memory_count(m), 0);
  ck_assert_uint_eq(gomem_memory_size(m), 0);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 0);
  /* Reusable after recycle. */
  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 64));
  ck_assert_uint_eq(in_use(s), 64);
  gomem_recyclable_destroy(r); /* recycles first */
  ck_assert_uint_eq(in_use(s), 0);
  gomem_scalable_destroy(s);
}
END_TEST

START_TEST(add_and_borrowed_push)
{
  gomem_scalable *s = gomem_scalable_new(4096);
  gomem_recyclable *r = gomem_recyclable_new(s);
  static const char borrowed[] = "borrowed view";
  char *own = gomem_scalable_malloc(s, 100);

  ck_assert_int_eq(gomem_recyclable_init_recycle_indexes(r, 10), GOMEM_OK);
  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 10));
  ck_assert_int_eq(gomem_recyclable_push(r, borrowed, sizeof(borrowed)), GOMEM_OK);
  ck_assert_int_eq(gomem_recyclable_add(r, own, 100), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_push(gomem_recyclable_memory(r), "raw", 3), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_count(gomem_recyclable_memory(r)), 4);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 2);
  ck_assert_uint_eq(in_use(s), 110);

  gomem_recyclable_recycle(r);
  ck_assert_uint_eq(in_use(s), 0);            /* next + add given back */
  ck_assert_str_eq(borrowed, "borrowed view"); /* the view was not */
  ck_assert_uint_eq(gomem_memory_count(gomem_recyclable_memory(r)), 0);

  /* A record the caller freed already is refused by the allocator and
   * skipped: no double free, statistics unchanged. */
  own = gomem_recyclable_next(r, 50);
  ck_assert_int_eq(gomem_scalable_free(s, own, 50), GOMEM_OK);
  gomem_recyclable_recycle(r);
  ck_assert_uint_eq(in_use(s), 0);
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
}
END_TEST

START_TEST(view_edits_do_not_lose_records)
{
  gomem_scalable *s = gomem_scalable_new(4096);
  gomem_recyclable *r = gomem_recyclable_new(s);
  gomem_memory *m = gomem_recyclable_memory(r);

  for (int i = 0; i < 5; i++)
    ck_assert_ptr_nonnull(gomem_recyclable_next(r, 100 + (size_t)i));
  ck_assert_int_eq(gomem_memory_drop_front(m, 3), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_update_segment(m, 0, "x", 1), GOMEM_OK);
  gomem_recyclable_recycle(r);
  ck_assert_uint_eq(in_use(s), 0);
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
}
END_TEST

START_TEST(no_allocator_uses_malloc)
{
  gomem_recyclable *r = gomem_recyclable_new(NULL);
  char buf[4];

  ck_assert_ptr_null(gomem_recyclable_allocator(r));
  char *p = gomem_recyclable_next(r, 1000);
  ck_assert_ptr_nonnull(p);
  memset(p, 1, 1000);
  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 1));
  /* Nothing to give added bytes back to. */
  ck_assert_int_eq(gomem_recyclable_add(r, buf, 4), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 2);
  ck_assert_uint_eq(gomem_memory_size(gomem_recyclable_memory(r)), 1001);
  gomem_recyclable_recycle(r); /* free()d: Valgrind sees no leak */
  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 10));
  gomem_recyclable_destroy(r);
}
END_TEST

START_TEST(set_allocator_keeps_origin)
{
  gomem_scalable *a = gomem_scalable_new(1024), *b = gomem_scalable_new(1024);
  gomem_recyclable *r = gomem_recyclable_new(a);

  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 10));
  ck_assert_int_eq(gomem_recyclable_set_allocator(r, b), GOMEM_OK);
  ck_assert_ptr_eq(gomem_recyclable_allocator(r), b);
  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 20));
  ck_assert_int_eq(gomem_recyclable_set_allocator(r, NULL), GOMEM_OK);
  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 30));
  ck_assert_uint_eq(in_use(a), 10);
  ck_assert_uint_eq(in_use(b), 20);
  gomem_recyclable_recycle(r);
  ck_assert_uint_eq(in_use(a), 0);
  ck_assert_uint_eq(in_use(b), 0);
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(a);
  gomem_scalable_destroy(b);
}
END_TEST

START_TEST(bad_input)
{
  gomem_scalable *s = gomem_scalable_new(1024);
  gomem_recyclable *r = gomem_recyclable_new(s);
  char *p = gomem_recyclable_next(r, 8);

  errno = 0;
  ck_assert_ptr_null(gomem_recyclable_next(NULL, 8));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(gomem_recyclable_next(r, 0));
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(gomem_recyclable_add(NULL, p, 8), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_recyclable_add(r, NULL, 8), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_recyclable_add(r, p, 0), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_recyclable_push(NULL, p, 8), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_recyclable_push(r, NULL, 8), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_recyclable_init_recycle_indexes(NULL, 8), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_recyclable_init_recycle_indexes(r, SIZE_MAX), GOMEM_ERR_NOMEM);
  ck_assert_int_eq(gomem_recyclable_set_allocator(NULL, s), GOMEM_ERR_INVALID);
  ck_assert_ptr_null(gomem_recyclable_memory(NULL));
  ck_assert_ptr_null(gomem_recyclable_allocator(NULL));
  ck_assert_uint_eq(gomem_recyclable_recorded(NULL), 0);
  gomem_recyclable_recycle(NULL);
  gomem_recyclable_destroy(NULL);
  /* Unchanged. */
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 1);
  ck_assert_uint_eq(gomem_memory_count(gomem_recyclable_memory(r)), 1);
  ck_assert_uint_eq(in_use(s), 8);
  ck_assert_uint_eq(total_malloc(s), 8);
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
}
END_TEST

/* Recycle frees neighbouring segments together; the result must be the
 * same as freeing each: runs broken by another allocator or by malloc,
 * and a run with a segment the caller freed already. */
START_TEST(recycle_runs)
{
  gomem_scalable *s = gomem_scalable_new(4096), *s2 = gomem_scalable_new(4096);
  gomem_recyclable *r = gomem_recyclable_new(s);
  char *p[8];

  for (int i = 0; i < 4; i++)
    p[i] = gomem_recyclable_next(r, 100);
  ck_assert_int_eq(gomem_recyclable_set_allocator(r, s2), GOMEM_OK);
  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 30));
  ck_assert_int_eq(gomem_recyclable_set_allocator(r, NULL), GOMEM_OK);
  ck_assert_ptr_nonnull(gomem_recyclable_next(r, 40)); /* from malloc */
  ck_assert_int_eq(gomem_recyclable_set_allocator(r, s), GOMEM_OK);
  for (int i = 4; i < 8; i++)
    p[i] = gomem_recyclable_next(r, 100);
  if (gomem_scalable_pooled())
    ck_assert_ptr_eq(p[1], p[0] + 100); /* a run */
  ck_assert_int_eq(gomem_scalable_free(s, p[5], 100), GOMEM_OK);
  ck_assert_uint_eq(in_use(s), 700);
  ck_assert_uint_eq(in_use(s2), 30);
  gomem_recyclable_recycle(r);
  ck_assert_uint_eq(in_use(s), 0);
  ck_assert_uint_eq(total_free(s), 800);
  ck_assert_uint_eq(in_use(s2), 0);
  ck_assert_uint_eq(total_free(s2), 30);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 0);
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
  gomem_scalable_destroy(s2);
}
END_TEST

static void *recycle_elsewhere(void *arg)
{
  gomem_recyclable_recycle(arg);
  return NULL;
}

static void *next_elsewhere(void *arg)
{
  return gomem_recyclable_next(arg, 100);
}

/* Statistics as another thread sees them: its reading applies nothing. */
static gomem_scalable *stats_target;
static gomem_stats stats_seen;

static void *stats_elsewhere(void *arg)
{
  (void)arg;
  stats_seen.struct_size = sizeof(stats_seen);
  ck_assert_int_eq(gomem_scalable_stats(stats_target, &stats_seen), GOMEM_OK);
  return NULL;
}

/* next from another thread, and the errno it left there. */
struct next_try {
  gomem_recyclable *r;
  void *p;
  int err;
};

static void *try_next_elsewhere(void *arg)
{
  struct next_try *n = arg;

  errno = 0;
  n->p = gomem_recyclable_next(n->r, 100);
  n->err = errno;
  return NULL;
}

static void run_elsewhere(void *(*fn)(void *), void *arg)
{
  pthread_t t;

  ck_assert_int_eq(pthread_create(&t, NULL, fn, arg), 0);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
}

/* A packet's memory recycled by a thread that does not own the allocator:
 * every segment's free is queued, and the owner's next call applies them.
 * Allocating from that thread is refused, as for the allocator itself. */
START_TEST(recycle_on_another_thread)
{
  gomem_scalable *s = gomem_scalable_new(4096);
  gomem_recyclable *r = gomem_recyclable_new(s);
  struct next_try n = {.r = r};
  pthread_t t;

  for (int i = 0; i < 20; i++)
    memset(gomem_recyclable_next(r, 100), i, 100);
  run_elsewhere(try_next_elsewhere, &n);
  ck_assert_ptr_null(n.p);
  ck_assert_int_eq(n.err, EPERM);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 20);
  ck_assert_uint_eq(total_malloc(s), 2000);
  ck_assert_int_eq(pthread_create(&t, NULL, recycle_elsewhere, r), 0);
  pthread_join(t, NULL);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 0);
  stats_target = s;
  ck_assert_int_eq(pthread_create(&t, NULL, stats_elsewhere, NULL), 0);
  pthread_join(t, NULL);
  ck_assert_uint_eq(stats_seen.in_use, 2000);
  ck_assert_uint_eq(stats_seen.remote_pending, 20);
  ck_assert_int_eq(gomem_scalable_drain(s), 20);
  ck_assert_uint_eq(in_use(s), 0);
  ck_assert_uint_eq(total_free(s), 2000);
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
}
END_TEST

static uint64_t remote_pending(const gomem_scalable *s)
{
  gomem_stats st;

  st.struct_size = sizeof(st);
  ck_assert_int_eq(gomem_scalable_stats(s, &st), GOMEM_OK);
  return st.remote_pending;
}

/* The owner disowns: its own recycle is queued; next on another thread
 * adopts the allocator (applying the queue first), and that thread's
 * recycle is then applied at once. */
START_TEST(recycle_across_handover)
{
  gomem_scalable *s = gomem_scalable_new(4096);
  gomem_recyclable *r = gomem_recyclable_new(s);
  struct next_try n = {.r = r};

  for (int i = 0; i < 10; i++)
    memset(gomem_recyclable_next(r, 100), i, 100);
  ck_assert_int_eq(gomem_scalable_disown(s), GOMEM_OK);
  gomem_recyclable_recycle(r);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 0);
  ck_assert_uint_eq(remote_pending(s), 10); /* one free per segment */
  ck_assert_uint_eq(in_use(s), 1000);

  run_elsewhere(try_next_elsewhere, &n); /* adopts */
  ck_assert_ptr_nonnull(n.p);
  ck_assert_uint_eq(remote_pending(s), 0);
  ck_assert_uint_eq(in_use(s), 100);
  ck_assert_uint_eq(total_free(s), 1000);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 1);

  /* The first thread is refused now; its recycle is queued again. */
  errno = 0;
  ck_assert_ptr_null(gomem_recyclable_next(r, 100));
  ck_assert_int_eq(errno, EPERM);
  ck_assert_uint_eq(gomem_recyclable_recorded(r), 1);
  gomem_recyclable_recycle(r);
  ck_assert_uint_eq(remote_pending(s), 1);
  ck_assert_uint_eq(in_use(s), 100);
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s); /* any thread; drops the queue */
}
END_TEST

/* The same with a shared allocator: with no other call on it, the frees
 * get the busy flag and are applied at once, and any thread allocates. */
START_TEST(recycle_shared_on_another_thread)
{
  gomem_scalable *s = gomem_scalable_new_ex(4096, GOMEM_STRATEGY_DEFAULT, GOMEM_SCALABLE_SHARED);
  gomem_recyclable *r = gomem_recyclable_new(s);
  pthread_t t;
  void *got;

  for (int i = 0; i < 20; i++)
    memset(gomem_recyclable_next(r, 100), i, 100);
  ck_assert_int_eq(pthread_create(&t, NULL, next_elsewhere, r), 0);
  pthread_join(t, &got);
  ck_assert_ptr_nonnull(got);
  ck_assert_int_eq(pthread_create(&t, NULL, recycle_elsewhere, r), 0);
  pthread_join(t, NULL);
  ck_assert_uint_eq(in_use(s), 0);
  ck_assert_uint_eq(total_free(s), 2100);
  ck_assert_int_eq(gomem_scalable_drain(s), 0);
  gomem_recyclable_destroy(r);
  gomem_scalable_destroy(s);
}
END_TEST

static Suite *recyclable_suite(void)
{
  Suite *s = suite_create("recyclable");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, readme_next_and_recycle);
  tcase_add_test(tc, add_and_borrowed_push);
  tcase_add_test(tc, view_edits_do_not_lose_records);
  tcase_add_test(tc, no_allocator_uses_malloc);
  tcase_add_test(tc, set_allocator_keeps_origin);
  tcase_add_test(tc, bad_input);
  tcase_add_test(tc, recycle_runs);
  tcase_add_test(tc, recycle_on_another_thread);
  tcase_add_test(tc, recycle_across_handover);
  tcase_add_test(tc, recycle_shared_on_another_thread);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return run_suite(recyclable_suite());
}
