/* SPDX-License-Identifier: MIT */
/*
 * A memory: a growable array of struct iovec plus the sum of their lengths.
 *
 * The segments live in slots [head, head + count) of `slot`. Keeping a head
 * index makes dropping front segments O(1), which the reader's clip_front
 * does once per parsed packet; the gap is reclaimed when the array would
 * otherwise have to grow. Storing iovecs directly lets gomem_memory_iovec
 * and writev use the array without a copy.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gomem/memory.h"
#include "memory-internal.h"

#ifndef IOV_MAX
#  define IOV_MAX 1024
#endif

/* First allocation: enough for a typical packet's header + payload pieces. */
#define GOMEM__MEMORY_MIN_SLOTS 8

gomem_memory *gomem_memory_new(void)
{
  gomem_memory *m = calloc(1, sizeof(*m));

  if (!m)
    errno = ENOMEM;
  return m;
}

void gomem_memory_destroy(gomem_memory *m)
{
  if (!m)
    return;
  free(m->slot);
  free(m);
}

/* Make room for @extra more segments after the live ones. */
static int reserve(gomem_memory *m, size_t extra)
{
  if (extra > SIZE_MAX / sizeof(struct iovec) - m->count)
    return GOMEM_ERR_NOMEM;
  size_t need = m->count + extra;
  if (m->head + need <= m->cap)
    return GOMEM_OK;
  /* Sliding down is cheaper than growing when at least half is a gap. */
  if (need <= m->cap && m->head >= m->cap / 2) {
    memmove(m->slot, gomem__memory_segs(m), m->count * sizeof(struct iovec));
    m->head = 0;
    return GOMEM_OK;
  }
  size_t cap = m->cap ? m->cap : GOMEM__MEMORY_MIN_SLOTS;
  while (cap < need)
    cap = cap > SIZE_MAX / sizeof(struct iovec) / 2 ? need : cap * 2;
  struct iovec *slot = malloc(cap * sizeof(struct iovec));
  if (!slot)
    return GOMEM_ERR_NOMEM;
  if (m->count)
    memcpy(slot, gomem__memory_segs(m), m->count * sizeof(struct iovec));
  free(m->slot);
  m->slot = slot;
  m->head = 0;
  m->cap = cap;
  return GOMEM_OK;
}

static void put(gomem_memory *m, const void *ptr, size_t len)
{
  struct iovec *v = &m->slot[m->head + m->count++];

  /* The memory never writes through segment pointers; iovec just lacks const. */
  v->iov_base = (void *)(uintptr_t)ptr;
  v->iov_len = len;
  m->size += len;
}

int gomem__memory_room(gomem_memory *m, size_t len)
{
  if (len > SIZE_MAX - m->size)
    return GOMEM_ERR_OVERFLOW;
  return m->head + m->count == m->cap ? reserve(m, 1) : GOMEM_OK;
}

void gomem__memory_put(gomem_memory *m, const void *ptr, size_t len)
{
  put(m, ptr, len);
}

int gomem_memory_push(gomem_memory *m, const void *ptr, size_t len)
{
  if (!m || (!ptr && len))
    return GOMEM_ERR_INVALID;
  int rc = gomem__memory_room(m, len);
  if (rc == GOMEM_OK)
    put(m, ptr, len);
  return rc;
}

int gomem_memory_push_many(gomem_memory *m, const gomem_span *spans, size_t n)
{
  if (!m || (!spans && n))
    return GOMEM_ERR_INVALID;
  size_t total = m->size;
  for (size_t i = 0; i < n; i++) {
    if (!spans[i].ptr && spans[i].len)
      return GOMEM_ERR_INVALID;
    if (spans[i].len > SIZE_MAX - total)
      return GOMEM_ERR_OVERFLOW;
    total += spans[i].len;
  }
  int rc = reserve(m, n);
  if (rc != GOMEM_OK)
    return rc;
  for (size_t i = 0; i < n; i++)
    put(m, spans[i].ptr, spans[i].len);
  return GOMEM_OK;
}

int gomem_memory_append(gomem_memory *m, const gomem_memory *src)
{
  if (!m || !src)
    return GOMEM_ERR_INVALID;
  if (src->size > SIZE_MAX - m->size)
    return GOMEM_ERR_OVERFLOW;
  size_t n = src->count;
  int rc = reserve(m, n);
  if (rc != GOMEM_OK)
    return rc;
  /* After reserve, so that a self-append reads the (possibly moved) array. */
  if (n)
    memcpy(gomem__memory_segs(m) + m->count, gomem__memory_segs(src), n * sizeof(struct iovec));
  m->count += n;
  m->size += src->size;
  return GOMEM_OK;
}

size_t gomem_memory_size(const gomem_memory *m)
{
  return m ? m->size : 0;
}

size_t gomem_memory_count(const gomem_memory *m)
{
  return m ? m->count : 0;
}

/* Turn a possibly negative index into a slot offset from head. */
static int resolve(const gomem_memory *m, ptrdiff_t index, size_t *out)
{
  if (!m)
    return GOMEM_ERR_INVALID;
  if (index < 0) {
    /* -index without overflowing for PTRDIFF_MIN. */
    size_t back = (size_t)(-(index + 1)) + 1;
    if (back > m->count)
      return GOMEM_ERR_INVALID;
    *out = m->count - back;
    return GOMEM_OK;
  }
  if ((size_t)index >= m->count)
    return GOMEM_ERR_INVALID;
  *out = (size_t)index;
  return GOMEM_OK;
}

int gomem_memory_segment(const gomem_memory *m, ptrdiff_t index, const void **ptr, size_t *len)
{
  size_t i;
  int rc = resolve(m, index, &i);

  if (rc != GOMEM_OK)
    return rc;
  if (ptr)
    *ptr = gomem__memory_segs(m)[i].iov_base;
  if (len)
    *len = gomem__memory_segs(m)[i].iov_len;
  return GOMEM_OK;
}

int gomem_memory_update_segment(gomem_memory *m, ptrdiff_t index, const void *ptr, size_t len)
{
  size_t i;
  int rc = resolve(m, index, &i);

  if (rc != GOMEM_OK)
    return rc;
  if (!ptr && len)
    return GOMEM_ERR_INVALID;
  struct iovec *v = &gomem__memory_segs(m)[i];
  /* Go sets Size to the difference; the total moves by the difference. */
  size_t rest = m->size - v->iov_len;
  if (len > SIZE_MAX - rest)
    return GOMEM_ERR_OVERFLOW;
  v->iov_base = (void *)(uintptr_t)ptr;
  v->iov_len = len;
  m->size = rest + len;
  return GOMEM_OK;
}

int gomem_memory_drop_front(gomem_memory *m, size_t n)
{
  if (!m || n > m->count)
    return GOMEM_ERR_INVALID;
  for (size_t i = 0; i < n; i++)
    m->size -= gomem__memory_segs(m)[i].iov_len;
  m->head += n;
  m->count -= n;
  if (m->count == 0)
    m->head = 0;
  return GOMEM_OK;
}

int gomem_memory_foreach(const gomem_memory *m, int (*fn)(const void *ptr, size_t len, void *ctx),
                         void *ctx)
{
  if (!m || !fn)
    return GOMEM_ERR_INVALID;
  const struct iovec *v = gomem__memory_segs(m);
  for (size_t i = 0; i < m->count; i++) {
    int rc = fn(v[i].iov_base, v[i].iov_len, ctx);
    if (rc != 0)
      return rc;
  }
  return 0;
}

size_t gomem_memory_copy_to(const gomem_memory *m, void *dst, size_t cap)
{
  if (!m || !dst)
    return 0;
  unsigned char *out = dst;
  size_t done = 0;
  const struct iovec *v = gomem__memory_segs(m);
  for (size_t i = 0; i < m->count && done < cap; i++) {
    size_t n = v[i].iov_len < cap - done ? v[i].iov_len : cap - done;
    if (n)
      memcpy(out + done, v[i].iov_base, n);
    done += n;
  }
  return done;
}

void *gomem_memory_to_bytes(const gomem_memory *m, size_t *len)
{
  if (!m) {
    errno = EINVAL;
    return NULL;
  }
  /* malloc(0) may return NULL; one spare byte keeps NULL meaning failure. */
  void *buf = malloc(m->size ? m->size : 1);
  if (!buf) {
    errno = ENOMEM;
    return NULL;
  }
  gomem_memory_copy_to(m, buf, m->size);
  if (len)
    *len = m->size;
  return buf;
}

void gomem_memory_free_bytes(void *buf)
{
  free(buf);
}

int gomem_memory_copy_from(gomem_memory *m, const gomem_memory *src, void *buf, size_t cap)
{
  if (!m || !src || (!buf && src->size) || cap < src->size)
    return GOMEM_ERR_INVALID;
  if (src->size > SIZE_MAX - m->size)
    return GOMEM_ERR_OVERFLOW;
  /* Reserve first: a failed push must leave buf untouched too. */
  if (m->head + m->count == m->cap) {
    int rc = reserve(m, 1);
    if (rc != GOMEM_OK)
      return rc;
  }
  size_t n = src->size;
  gomem_memory_copy_to(src, buf, n);
  put(m, buf, n);
  return GOMEM_OK;
}

bool gomem_memory_equal(const gomem_memory *a, const gomem_memory *b)
{
  if (!a || !b)
    return a == b;
  if (a->size != b->size || a->count != b->count)
    return false;
  const struct iovec *va = gomem__memory_segs(a), *vb = gomem__memory_segs(b);
  for (size_t i = 0; i < a->count; i++) {
    if (va[i].iov_len != vb[i].iov_len)
      return false;
    if (va[i].iov_len && va[i].iov_base != vb[i].iov_base &&
        memcmp(va[i].iov_base, vb[i].iov_base, va[i].iov_len) != 0)
      return false;
  }
  return true;
}

/* A position inside a memory: segment i, byte o of it. */
struct cursor {
  const struct iovec *v;
  size_t n, i, o;
};

/* Longest contiguous run at the cursor, skipping empty segments. */
static size_t cursor_run(struct cursor *c)
{
  while (c->i < c->n && c->o == c->v[c->i].iov_len) {
    c->i++;
    c->o = 0;
  }
  return c->i < c->n ? c->v[c->i].iov_len - c->o : 0;
}

static const unsigned char *cursor_ptr(const struct cursor *c)
{
  return (const unsigned char *)c->v[c->i].iov_base + c->o;
}

bool gomem_memory_equal_bytes(const gomem_memory *a, const gomem_memory *b)
{
  if (!a || !b)
    return a == b;
  if (a->size != b->size)
    return false;
  struct cursor ca = {gomem__memory_segs(a), a->count, 0, 0};
  struct cursor cb = {gomem__memory_segs(b), b->count, 0, 0};
  for (size_t left = a->size; left > 0;) {
    size_t ra = cursor_run(&ca), rb = cursor_run(&cb);
    size_t n = ra < rb ? ra : rb;
    if (memcmp(cursor_ptr(&ca), cursor_ptr(&cb), n) != 0)
      return false;
    ca.o += n;
    cb.o += n;
    left -= n;
  }
  return true;
}

void gomem_memory_reset(gomem_memory *m)
{
  if (!m)
    return;
  m->head = 0;
  m->count = 0;
  m->size = 0;
}

const struct iovec *gomem_memory_iovec(const gomem_memory *m, size_t *count)
{
  size_t n = m ? m->count : 0;

  if (count)
    *count = n;
  return n ? gomem__memory_segs(m) : NULL;
}

/*
 * Write the rest of segment c->i from byte c->o, or (when c->o is 0) up to
 * IOV_MAX whole segments straight from the array. A partial segment goes
 * alone: rare (only after a short write), and it keeps the array read-only.
 */
static ssize_t write_step(int fd, const struct cursor *c)
{
  if (c->o) {
    struct iovec first = {(void *)(uintptr_t)cursor_ptr(c), c->v[c->i].iov_len - c->o};
    return writev(fd, &first, 1);
  }
  size_t batch = c->n - c->i < IOV_MAX ? c->n - c->i : IOV_MAX;
  return writev(fd, c->v + c->i, (int)batch);
}

/* Move the cursor @n bytes forward. */
static void cursor_advance(struct cursor *c, size_t n)
{
  while (n > 0) {
    size_t run = cursor_run(c);
    size_t step = n < run ? n : run;
    c->o += step;
    n -= step;
  }
  cursor_run(c);
}

ssize_t gomem_memory_write_fd_from(const gomem_memory *m, int fd, size_t skip)
{
  if (!m || skip > m->size) {
    errno = EINVAL;
    return GOMEM_ERR_INVALID;
  }
  size_t want = m->size - skip;
  if (want > SSIZE_MAX) {
    errno = EOVERFLOW;
    return GOMEM_ERR_OVERFLOW;
  }
  struct cursor c = {gomem__memory_segs(m), m->count, 0, 0};
  cursor_advance(&c, skip);
  size_t done = 0;
  while (done < want) {
    ssize_t w = write_step(fd, &c);
    if (w < 0 && errno == EINTR)
      continue;
    if (w == 0)
      errno = EIO; /* no progress and no reason: do not spin */
    if (w <= 0)
      break;
    cursor_advance(&c, (size_t)w);
    done += (size_t)w;
  }
  if (done == 0 && want > 0)
    return GOMEM_ERR_INVALID;
  return (ssize_t)done;
}

ssize_t gomem_memory_write_fd(const gomem_memory *m, int fd)
{
  return gomem_memory_write_fd_from(m, fd, 0);
}
