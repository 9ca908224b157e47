/* SPDX-License-Identifier: MIT */
/*
 * The memory layer: a list of segments. Besides every operation and its
 * errors, writev is checked through a pipe and a socketpair whose reader is
 * slow, so that writes come back short or interrupted and must resume.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gomem/gomem.h>

#include "run-suite.h"

static const uint8_t abc[] = {1, 2, 3, 4, 5};
static const uint8_t de[] = {6, 7};

static gomem_memory *memory_of(const void *a, size_t alen, const void *b, size_t blen)
{
  gomem_memory *m = gomem_memory_new();
  ck_assert_ptr_nonnull(m);
  ck_assert_int_eq(gomem_memory_push(m, a, alen), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_push(m, b, blen), GOMEM_OK);
  return m;
}

/* Go's TestMemory: NewMemory, PushOne, Reset. */
START_TEST(test_go_memory)
{
  gomem_memory *m = gomem_memory_new();
  ck_assert_uint_eq(gomem_memory_size(m), 0);
  ck_assert_uint_eq(gomem_memory_count(m), 0);
  ck_assert_int_eq(gomem_memory_push(m, abc, 5), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(m), 5);
  ck_assert_uint_eq(gomem_memory_count(m), 1);
  ck_assert_int_eq(gomem_memory_push(m, de, 2), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(m), 7);
  ck_assert_uint_eq(gomem_memory_count(m), 2);
  gomem_memory_reset(m);
  ck_assert_uint_eq(gomem_memory_size(m), 0);
  ck_assert_uint_eq(gomem_memory_count(m), 0);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_null_handles)
{
  gomem_memory_destroy(NULL);
  gomem_memory_reset(NULL);
  ck_assert_int_eq(gomem_memory_push(NULL, abc, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_push_many(NULL, NULL, 0), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_append(NULL, NULL), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(gomem_memory_size(NULL), 0);
  ck_assert_uint_eq(gomem_memory_count(NULL), 0);
  ck_assert_int_eq(gomem_memory_segment(NULL, 0, NULL, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_update_segment(NULL, 0, abc, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_drop_front(NULL, 0), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(gomem_memory_copy_to(NULL, NULL, 0), 0);
  errno = 0;
  ck_assert_ptr_null(gomem_memory_to_bytes(NULL, NULL));
  ck_assert_int_eq(errno, EINVAL);
  gomem_memory_free_bytes(NULL);
  ck_assert(gomem_memory_equal(NULL, NULL));
  ck_assert(gomem_memory_equal_bytes(NULL, NULL));
  size_t n = 9;
  ck_assert_ptr_null(gomem_memory_iovec(NULL, &n));
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(gomem_memory_write_fd(NULL, 1), GOMEM_ERR_INVALID);

  gomem_memory *m = gomem_memory_new();
  ck_assert(!gomem_memory_equal(m, NULL));
  ck_assert(!gomem_memory_equal_bytes(NULL, m));
  ck_assert_int_eq(gomem_memory_append(m, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_foreach(m, NULL, NULL), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_copy_from(m, NULL, NULL, 0), GOMEM_ERR_INVALID);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_push_errors_leave_state)
{
  gomem_memory *m = memory_of(abc, 5, NULL, 0);
  ck_assert_uint_eq(gomem_memory_count(m), 2); /* NULL with length 0 is a segment */
  ck_assert_int_eq(gomem_memory_push(m, NULL, 1), GOMEM_ERR_INVALID);
  /* A huge length is only recorded, never touched: the total overflows. */
  ck_assert_int_eq(gomem_memory_push(m, abc, SIZE_MAX - 2), GOMEM_ERR_OVERFLOW);
  ck_assert_uint_eq(gomem_memory_size(m), 5);
  ck_assert_uint_eq(gomem_memory_count(m), 2);

  gomem_span spans[3] = {{(void *)de, 2}, {NULL, 3}, {(void *)abc, 1}};
  ck_assert_int_eq(gomem_memory_push_many(m, spans, 3), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_push_many(m, NULL, 1), GOMEM_ERR_INVALID);
  spans[1].ptr = (void *)abc;
  spans[1].len = SIZE_MAX - 6;
  ck_assert_int_eq(gomem_memory_push_many(m, spans, 3), GOMEM_ERR_OVERFLOW);
  ck_assert_uint_eq(gomem_memory_size(m), 5);
  ck_assert_uint_eq(gomem_memory_count(m), 2);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_push_many_and_segments)
{
  gomem_memory *m = gomem_memory_new();
  gomem_span spans[3] = {{(void *)abc, 5}, {NULL, 0}, {(void *)de, 2}};
  ck_assert_int_eq(gomem_memory_push_many(m, spans, 0), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_push_many(m, spans, 3), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(m), 7);
  ck_assert_uint_eq(gomem_memory_count(m), 3);

  const void *p = NULL;
  size_t len = 0;
  ck_assert_int_eq(gomem_memory_segment(m, 0, &p, &len), GOMEM_OK);
  ck_assert_ptr_eq(p, abc);
  ck_assert_uint_eq(len, 5);
  ck_assert_int_eq(gomem_memory_segment(m, -1, &p, &len), GOMEM_OK);
  ck_assert_ptr_eq(p, de);
  ck_assert_uint_eq(len, 2);
  ck_assert_int_eq(gomem_memory_segment(m, -3, &p, NULL), GOMEM_OK);
  ck_assert_ptr_eq(p, abc);
  ck_assert_int_eq(gomem_memory_segment(m, 1, NULL, &len), GOMEM_OK);
  ck_assert_uint_eq(len, 0);

  p = de;
  len = 77;
  ck_assert_int_eq(gomem_memory_segment(m, 3, &p, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_segment(m, -4, &p, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_segment(m, PTRDIFF_MIN, &p, &len), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_segment(m, PTRDIFF_MAX, &p, &len), GOMEM_ERR_INVALID);
  ck_assert_ptr_eq(p, de);
  ck_assert_uint_eq(len, 77);
  gomem_memory_destroy(m);
}
END_TEST

/* The Go code sets Size to the length difference; the total must move by it. */
START_TEST(test_update_segment_size)
{
  gomem_memory *m = memory_of(abc, 5, de, 2);
  ck_assert_int_eq(gomem_memory_update_segment(m, 0, abc + 1, 3), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(m), 5);
  ck_assert_int_eq(gomem_memory_update_segment(m, -1, abc, 5), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(m), 8);
  ck_assert_int_eq(gomem_memory_update_segment(m, 1, NULL, 0), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(m), 3);
  uint8_t out[8];
  ck_assert_uint_eq(gomem_memory_copy_to(m, out, sizeof(out)), 3);
  ck_assert_mem_eq(out, abc + 1, 3);

  ck_assert_int_eq(gomem_memory_update_segment(m, 2, abc, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_update_segment(m, -3, abc, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_update_segment(m, 0, NULL, 1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(gomem_memory_update_segment(m, 1, abc, SIZE_MAX - 2), GOMEM_ERR_OVERFLOW);
  ck_assert_uint_eq(gomem_memory_size(m), 3);
  ck_assert_uint_eq(gomem_memory_count(m), 2);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_append)
{
  gomem_memory *a = memory_of(abc, 5, de, 2);
  gomem_memory *b = memory_of(de, 1, NULL, 0);
  ck_assert_int_eq(gomem_memory_append(a, b), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(a), 8);
  ck_assert_uint_eq(gomem_memory_count(a), 4);
  ck_assert_uint_eq(gomem_memory_count(b), 2);
  /* Self-append doubles the list, even when the array has to grow. */
  for (int i = 0; i < 4; i++)
    ck_assert_int_eq(gomem_memory_append(a, a), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(a), 8 * 16);
  ck_assert_uint_eq(gomem_memory_count(a), 4 * 16);
  const void *p;
  ck_assert_int_eq(gomem_memory_segment(a, 60, &p, NULL), GOMEM_OK);
  ck_assert_ptr_eq(p, abc);
  ck_assert_int_eq(gomem_memory_push(b, abc, SIZE_MAX - 10), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_append(a, b), GOMEM_ERR_OVERFLOW);
  ck_assert_uint_eq(gomem_memory_count(a), 4 * 16);
  gomem_memory_destroy(a);
  gomem_memory_destroy(b);
}
END_TEST

START_TEST(test_drop_front_and_regrow)
{
  static uint8_t bytes[1000];
  gomem_memory *m = gomem_memory_new();
  for (size_t i = 0; i < 1000; i++) {
    bytes[i] = (uint8_t)i;
    ck_assert_int_eq(gomem_memory_push(m, &bytes[i], 1), GOMEM_OK);
  }
  ck_assert_int_eq(gomem_memory_drop_front(m, 1001), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(gomem_memory_count(m), 1000);
  /* Drop and push like a queue: the head gap must be reused, order kept. */
  size_t first = 0, last = 1000;
  for (int round = 0; round < 50; round++) {
    ck_assert_int_eq(gomem_memory_drop_front(m, 37), GOMEM_OK);
    first += 37;
    for (int k = 0; k < 37; k++, last++)
      ck_assert_int_eq(gomem_memory_push(m, &bytes[last % 1000], 1), GOMEM_OK);
    const void *p;
    ck_assert_int_eq(gomem_memory_segment(m, 0, &p, NULL), GOMEM_OK);
    ck_assert_ptr_eq(p, &bytes[first % 1000]);
    ck_assert_int_eq(gomem_memory_segment(m, -1, &p, NULL), GOMEM_OK);
    ck_assert_ptr_eq(p, &bytes[(last - 1) % 1000]);
    ck_assert_uint_eq(gomem_memory_size(m), 1000);
  }
  ck_assert_int_eq(gomem_memory_drop_front(m, 1000), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(m), 0);
  ck_assert_uint_eq(gomem_memory_count(m), 0);
  ck_assert_int_eq(gomem_memory_drop_front(m, 0), GOMEM_OK);
  gomem_memory_destroy(m);
}
END_TEST

struct walk {
  size_t calls, bytes, stop_at;
};

static int walk_fn(const void *ptr, size_t len, void *ctx)
{
  struct walk *w = ctx;
  w->calls++;
  w->bytes += len;
  return w->calls == w->stop_at ? -77 : 0;
}

START_TEST(test_foreach)
{
  gomem_memory *m = memory_of(abc, 5, NULL, 0);
  ck_assert_int_eq(gomem_memory_push(m, de, 2), GOMEM_OK);
  struct walk w = {0, 0, 0};
  ck_assert_int_eq(gomem_memory_foreach(m, walk_fn, &w), 0);
  ck_assert_uint_eq(w.calls, 3);
  ck_assert_uint_eq(w.bytes, 7);
  struct walk w2 = {0, 0, 2};
  ck_assert_int_eq(gomem_memory_foreach(m, walk_fn, &w2), -77);
  ck_assert_uint_eq(w2.calls, 2);
  ck_assert_uint_eq(w2.bytes, 5);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_copy_to_and_to_bytes)
{
  gomem_memory *m = memory_of(abc, 5, de, 2);
  uint8_t out[10];
  memset(out, 0xEE, sizeof(out));
  ck_assert_uint_eq(gomem_memory_copy_to(m, out, 6), 6);
  const uint8_t want[] = {1, 2, 3, 4, 5, 6, 0xEE};
  ck_assert_mem_eq(out, want, 7);
  ck_assert_uint_eq(gomem_memory_copy_to(m, out, sizeof(out)), 7);
  ck_assert_uint_eq(gomem_memory_copy_to(m, out, 0), 0);
  ck_assert_uint_eq(gomem_memory_copy_to(m, NULL, 5), 0);

  size_t len = 0;
  uint8_t *flat = gomem_memory_to_bytes(m, &len);
  ck_assert_ptr_nonnull(flat);
  ck_assert_uint_eq(len, 7);
  ck_assert_mem_eq(flat, want, 6);
  ck_assert_uint_eq(flat[6], 7);
  gomem_memory_free_bytes(flat);

  gomem_memory_reset(m);
  flat = gomem_memory_to_bytes(m, &len);
  ck_assert_ptr_nonnull(flat);
  ck_assert_uint_eq(len, 0);
  gomem_memory_free_bytes(flat);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_copy_from)
{
  gomem_memory *src = memory_of(abc, 5, de, 2);
  gomem_memory *m = memory_of(de, 2, NULL, 0);
  uint8_t buf[7];
  memset(buf, 0, sizeof(buf));
  ck_assert_int_eq(gomem_memory_copy_from(m, src, buf, 6), GOMEM_ERR_INVALID);
  ck_assert_uint_eq(buf[0], 0);
  ck_assert_uint_eq(gomem_memory_count(m), 2);
  ck_assert_int_eq(gomem_memory_copy_from(m, src, buf, 7), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_count(m), 3);
  ck_assert_uint_eq(gomem_memory_size(m), 9);
  const void *p;
  ck_assert_int_eq(gomem_memory_segment(m, -1, &p, NULL), GOMEM_OK);
  ck_assert_ptr_eq(p, buf);
  ck_assert_uint_eq(buf[6], 7);

  /* From itself: the copy holds the bytes as they were before the push. */
  uint8_t self[9];
  ck_assert_int_eq(gomem_memory_copy_from(m, m, self, sizeof(self)), GOMEM_OK);
  ck_assert_uint_eq(gomem_memory_size(m), 18);
  const uint8_t want[] = {6, 7, 1, 2, 3, 4, 5, 6, 7};
  ck_assert_mem_eq(self, want, 9);
  gomem_memory_destroy(src);
  gomem_memory_destroy(m);
}
END_TEST

START_TEST(test_equal)
{
  const uint8_t abc2[] = {1, 2, 3, 4, 5};
  gomem_memory *a = memory_of(abc, 5, de, 2);
  gomem_memory *b = memory_of(abc2, 5, de, 2);
  ck_assert(gomem_memory_equal(a, b));
  ck_assert(gomem_memory_equal_bytes(a, b));
  /* Same bytes, other segmentation: Go's Equal says no, equal_bytes yes. */
  gomem_memory *c = memory_of(abc, 3, abc + 3, 2);
  ck_assert_int_eq(gomem_memory_push(c, NULL, 0), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_push(c, de, 2), GOMEM_OK);
  ck_assert(!gomem_memory_equal(a, c));
  ck_assert(gomem_memory_equal_bytes(a, c));
  ck_assert(gomem_memory_equal_bytes(c, a));
  /* Same segmentation, one byte differs. */
  const uint8_t dx[] = {6, 8};
  gomem_memory *d = memory_of(abc, 5, dx, 2);
  ck_assert(!gomem_memory_equal(a, d));
  ck_assert(!gomem_memory_equal_bytes(a, d));
  gomem_memory_reset(d);
  ck_assert(!gomem_memory_equal_bytes(a, d));
  gomem_memory_reset(a);
  ck_assert(gomem_memory_equal(a, d));
  ck_assert(gomem_memory_equal_bytes(a, d));
  gomem_memory_destroy(a);
  gomem_memory_destroy(b);
  gomem_memory_destroy(c);
  gomem_memory_destroy(d);
}
END_TEST

START_TEST(test_iovec_is_the_array)
{
  gomem_memory *m = memory_of(abc, 5, de, 2);
  size_t n = 0;
  const struct iovec *v = gomem_memory_iovec(m, &n);
  ck_assert_uint_eq(n, 2);
  ck_assert_ptr_eq(v[0].iov_base, abc);
  ck_assert_uint_eq(v[0].iov_len, 5);
  ck_assert_ptr_eq(v[1].iov_base, de);
  /* No copy: the same array comes back until the memory changes. */
  ck_assert_ptr_eq(gomem_memory_iovec(m, NULL), v);
  ck_assert_int_eq(gomem_memory_drop_front(m, 1), GOMEM_OK);
  ck_assert_ptr_eq(gomem_memory_iovec(m, &n), v + 1);
  ck_assert_uint_eq(n, 1);
  gomem_memory_reset(m);
  ck_assert_ptr_null(gomem_memory_iovec(m, &n));
  ck_assert_uint_eq(n, 0);
  gomem_memory_destroy(m);
}
END_TEST

/* ---- writev ---------------------------------------------------------- */

#define WRITE_SEGMENTS 3000 /* more than IOV_MAX (1024) */

struct payload {
  uint8_t *bytes;
  size_t size;
  gomem_memory *m;
};

/* Segments of 0..700 bytes (many empty) over one pattern buffer. */
static void payload_make(struct payload *p)
{
  p->size = 0;
  for (unsigned i = 0; i < WRITE_SEGMENTS; i++)
    p->size += (i * 7919u) % 701u * (i % 5 != 0);
  p->bytes = malloc(p->size);
  ck_assert_ptr_nonnull(p->bytes);
  for (size_t i = 0; i < p->size; i++)
    p->bytes[i] = (uint8_t)(i * 131 + (i >> 8));
  p->m = gomem_memory_new();
  size_t at = 0;
  for (unsigned i = 0; i < WRITE_SEGMENTS; i++) {
    size_t len = (i * 7919u) % 701u * (i % 5 != 0);
    ck_assert_int_eq(gomem_memory_push(p->m, p->bytes + at, len), GOMEM_OK);
    at += len;
  }
}

static void payload_free(struct payload *p)
{
  gomem_memory_destroy(p->m);
  free(p->bytes);
}

struct sink {
  int fd;
  size_t want;
  uint8_t *got;
  size_t n;
};

/* A slow reader: small reads with pauses, so the writer fills the pipe. */
static void *sink_run(void *arg)
{
  struct sink *s = arg;
  unsigned k = 0;
  while (s->n < s->want) {
    size_t chunk = 1 + (k * 2654435761u) % 4000;
    if (chunk > s->want - s->n)
      chunk = s->want - s->n;
    ssize_t r = read(s->fd, s->got + s->n, chunk);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    s->n += (size_t)r;
    if (++k % 16 == 0)
      usleep(200);
  }
  return NULL;
}

static void sink_start(struct sink *s, pthread_t *t, int fd, size_t want)
{
  s->fd = fd;
  s->want = want;
  s->got = malloc(want);
  s->n = 0;
  ck_assert_ptr_nonnull(s->got);
  ck_assert_int_eq(pthread_create(t, NULL, sink_run, s), 0);
}

static void sink_finish(struct sink *s, pthread_t t, const struct payload *p)
{
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_uint_eq(s->n, p->size);
  ck_assert(memcmp(s->got, p->bytes, p->size) == 0);
  /* Nothing written twice: the stream is exactly the payload, then EOF. */
  uint8_t extra;
  ck_assert_int_eq(read(s->fd, &extra, 1), 0);
  free(s->got);
}

static void on_alarm(int sig)
{
  (void)sig;
}

/*
 * A blocking pipe, and a timer whose signal (installed without SA_RESTART)
 * keeps interrupting writev: it returns short counts or fails with EINTR,
 * and write_fd must carry on to the last byte on its own.
 */
START_TEST(test_write_fd_pipe_interrupted)
{
  struct payload p;
  payload_make(&p);
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  struct sigaction sa, old;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
  struct itimerval tick = {{0, 500}, {0, 500}}, off = {{0, 0}, {0, 0}};
  ck_assert_int_eq(setitimer(ITIMER_REAL, &tick, NULL), 0);

  struct sink s;
  pthread_t t;
  sigset_t block, prev;
  /* The timer's signal must hit the writer, not the sink thread. */
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &block, &prev);
  sink_start(&s, &t, fds[0], p.size);
  pthread_sigmask(SIG_SETMASK, &prev, NULL);

  ssize_t w = gomem_memory_write_fd(p.m, fds[1]);
  /*
   * Stop the timer and swallow a signal still in flight before Check's
   * own SIGALRM handler comes back: that one kills the process group.
   */
  pthread_sigmask(SIG_BLOCK, &block, &prev);
  setitimer(ITIMER_REAL, &off, NULL);
  struct timespec zero = {0, 0};
  while (sigtimedwait(&block, NULL, &zero) == SIGALRM)
    continue;
  sigaction(SIGALRM, &old, NULL);
  pthread_sigmask(SIG_SETMASK, &prev, NULL);
  ck_assert_int_eq(w, (ssize_t)p.size);
  close(fds[1]);
  sink_finish(&s, t, &p);
  close(fds[0]);
  payload_free(&p);
}
END_TEST

/*
 * A non-blocking socketpair with a small send buffer: writev stops short
 * with EAGAIN again and again, and gomem_memory_write_fd_from resumes.
 */
START_TEST(test_write_fd_socket_partial)
{
  struct payload p;
  payload_make(&p);
  int sv[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  int small = 4096;
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
  ck_assert_int_eq(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK), 0);

  struct sink s;
  pthread_t t;
  sink_start(&s, &t, sv[1], p.size);
  size_t done = 0, calls = 0, waits = 0;
  while (done < p.size) {
    ssize_t w = gomem_memory_write_fd_from(p.m, sv[0], done);
    calls++;
    if (w > 0) {
      done += (size_t)w;
      continue;
    }
    ck_assert_int_eq(w, GOMEM_ERR_INVALID);
    ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
    struct pollfd pfd = {sv[0], POLLOUT, 0};
    poll(&pfd, 1, 1000);
    waits++;
  }
  ck_assert_uint_eq(done, p.size);
  ck_assert_uint_gt(calls, 2); /* the writes really were partial */
  shutdown(sv[0], SHUT_WR);
  sink_finish(&s, t, &p);
  close(sv[0]);
  close(sv[1]);
  payload_free(&p);
}
END_TEST

START_TEST(test_write_fd_edges)
{
  gomem_memory *m = gomem_memory_new();
  ck_assert_int_eq(gomem_memory_write_fd(m, -1), 0); /* nothing to write */
  ck_assert_int_eq(gomem_memory_push(m, NULL, 0), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_write_fd(m, -1), 0);
  ck_assert_int_eq(gomem_memory_push(m, abc, 5), GOMEM_OK);
  errno = 0;
  ck_assert_int_eq(gomem_memory_write_fd(m, -1), GOMEM_ERR_INVALID);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(gomem_memory_write_fd_from(m, -1, 6), GOMEM_ERR_INVALID);

  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  ck_assert_int_eq(gomem_memory_push(m, de, 2), GOMEM_OK);
  ck_assert_int_eq(gomem_memory_write_fd_from(m, fds[1], 4), 3);
  ck_assert_int_eq(gomem_memory_write_fd_from(m, fds[1], 7), 0);
  uint8_t got[3];
  ck_assert_int_eq(read(fds[0], got, 3), 3);
  const uint8_t want[] = {5, 6, 7};
  ck_assert_mem_eq(got, want, 3);
  close(fds[0]);
  close(fds[1]);
  gomem_memory_destroy(m);
}
END_TEST

static Suite *memory_suite(void)
{
  Suite *s = suite_create("memory");
  TCase *tc = tcase_create("memory");
  tcase_add_test(tc, test_go_memory);
  tcase_add_test(tc, test_null_handles);
  tcase_add_test(tc, test_push_errors_leave_state);
  tcase_add_test(tc, test_push_many_and_segments);
  tcase_add_test(tc, test_update_segment_size);
  tcase_add_test(tc, test_append);
  tcase_add_test(tc, test_drop_front_and_regrow);
  tcase_add_test(tc, test_foreach);
  tcase_add_test(tc, test_copy_to_and_to_bytes);
  tcase_add_test(tc, test_copy_from);
  tcase_add_test(tc, test_equal);
  tcase_add_test(tc, test_iovec_is_the_array);
  suite_add_tcase(s, tc);
  TCase *io = tcase_create("writev");
  tcase_set_timeout(io, 60);
  tcase_add_test(io, test_write_fd_pipe_interrupted);
  tcase_add_test(io, test_write_fd_socket_partial);
  tcase_add_test(io, test_write_fd_edges);
  suite_add_tcase(s, io);
  return s;
}

int main(void)
{
  return run_suite(memory_suite());
}
