/* SPDX-License-Identifier: MIT */
/*
 * A reader: a cursor (segment index, byte pointer) over a gomem_memory.
 *
 * The current segment is cached as three byte pointers, so the common case
 * of every operation (the bytes are in the current segment) touches neither
 * the memory nor its segment array. The offset is not counted per byte but
 * derived (bytes before the current segment + cursor − segment start), so
 * the common case moves one pointer; that is what lets the header's inline
 * helpers consume a byte through the public window without a call.
 *
 * Only when the current segment runs out is the next one looked up, by
 * index, through gomem_memory_iovec: the array may have moved since (pushes
 * reallocate it) but the bytes have not.
 *
 * Operations that must consume nothing on failure either check the
 * remaining size first or work on a copy of the (small, plain) reader and
 * commit it only on success.
 */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gomem/reader.h"
#include "memory-internal.h"

/* LEB128 groups of 7 bits: ceil(64 / 7) bytes hold any 64-bit value. */
#define GOMEM__ULEB128_MAX_BYTES 10

struct gomem_reader {
  /* First, as the header promises: cur = next unread byte, end = the
   * current segment's end. */
  gomem_reader_window win;
  const unsigned char *base; /* current segment: [base, win.end) */
  gomem_memory *m;
  size_t next;     /* index of the segment after the current one; 0 = none loaded */
  size_t base_off; /* bytes of the memory before base (since the last clip) */
  bool heap;       /* from gomem_reader_new, freed by destroy */
};

_Static_assert(offsetof(struct gomem_reader, win) == 0,
               "the inline helpers in reader.h find the window at the start");

_Static_assert(sizeof(struct gomem_reader) <= GOMEM_READER_STORAGE_SIZE,
               "gomem_reader_storage must hold a reader");
_Static_assert(alignof(struct gomem_reader) <= alignof(gomem_reader_storage),
               "gomem_reader_storage must be aligned for a reader");

static void start(gomem_reader *r, gomem_memory *m)
{
  r->m = m;
  r->base = r->win.cur = r->win.end = NULL;
  r->next = 0;
  r->base_off = 0;
}

gomem_reader *gomem_reader_new(gomem_memory *m)
{
  if (!m) {
    errno = EINVAL;
    return NULL;
  }
  gomem_reader *r = malloc(sizeof(*r));
  if (!r) {
    errno = ENOMEM;
    return NULL;
  }
  start(r, m);
  r->heap = true;
  return r;
}

gomem_reader *gomem_reader_init(gomem_reader_storage *storage, size_t storage_size, gomem_memory *m)
{
  if (!storage || !m || storage_size < sizeof(struct gomem_reader)) {
    errno = EINVAL;
    return NULL;
  }
  gomem_reader *r = (gomem_reader *)(void *)storage;
  start(r, m);
  r->heap = false;
  return r;
}

void gomem_reader_destroy(gomem_reader *r)
{
  if (r && r->heap)
    free(r);
}

int gomem_reader_reset(gomem_reader *r, gomem_memory *m)
{
  if (!r || !m)
    return GOMEM_ERR_INVALID;
  start(r, m);
  return GOMEM_OK;
}

gomem_memory *gomem_reader_memory(const gomem_reader *r)
{
  return r ? r->m : NULL;
}

static size_t offset_of(const gomem_reader *r)
{
  return r->base_off + (size_t)(r->win.cur - r->base);
}

size_t gomem_reader_remaining(const gomem_reader *r)
{
  if (!r)
    return 0;
  size_t size = r->m->size;
  size_t offset = offset_of(r);
  /* Only a memory changed behind the reader's back can be shorter. */
  return size > offset ? size - offset : 0;
}

size_t gomem_reader_offset(const gomem_reader *r)
{
  return r ? offset_of(r) : 0;
}

/* The memory's segments, fetched once per operation that crosses segments. */
struct segs {
  const struct iovec *v;
  size_t count;
};

static struct segs segs_of(const gomem_reader *r)
{
  struct segs s = {gomem__memory_segs(r->m), r->m->count};
  return s;
}

static size_t seg_len(const gomem_reader *r)
{
  return (size_t)(r->win.end - r->base);
}

/* Bytes left in the current segment. */
static size_t here(const gomem_reader *r)
{
  return (size_t)(r->win.end - r->win.cur);
}

/* Make segment @i current with the cursor at its start; the caller keeps base_off. */
static void load(gomem_reader *r, struct segs s, size_t i)
{
  r->base = s.v[i].iov_base;
  r->win.cur = r->base;
  /* No arithmetic on the NULL of an empty segment. */
  r->win.end = s.v[i].iov_len ? r->base + s.v[i].iov_len : r->base;
  r->next = i + 1;
}

/* Bytes contiguous at the cursor, moving past exhausted and empty segments. */
static size_t run_in(gomem_reader *r, struct segs s)
{
  while (r->win.cur == r->win.end) {
    if (r->next >= s.count)
      return 0;
    r->base_off += seg_len(r);
    load(r, s, r->next);
  }
  return here(r);
}

static size_t run(gomem_reader *r)
{
  return r->win.cur != r->win.end ? here(r) : run_in(r, segs_of(r));
}

/* Consume @n bytes of the current segment (n <= what is left in it). */
static void advance(gomem_reader *r, size_t n)
{
  r->win.cur += n;
}

static size_t min_size(size_t a, size_t b)
{
  return a < b ? a : b;
}

/* Segments up to this long are copied inline: a call to memcpy per short
 * segment would cost more than the copy itself. */
#define GOMEM__SHORT_COPY 128

/*
 * Copy @n bytes (n <= GOMEM__SHORT_COPY) with fixed-size memcpy calls,
 * which compilers turn into plain loads and stores; the last block of each
 * size overlaps the previous one instead of looping over a tail.
 */
static inline void copy_short(unsigned char *dst, const unsigned char *src, size_t n)
{
  if (n >= 16) {
    for (size_t k = 0; k + 16 < n; k += 16)
      memcpy(dst + k, src + k, 16);
    memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n >= 8) {
    memcpy(dst, src, 8);
    memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4) {
    memcpy(dst, src, 4);
    memcpy(dst + n - 4, src + n - 4, 4);
  } else if (n > 0) {
    dst[0] = src[0];
    dst[n / 2] = src[n / 2];
    dst[n - 1] = src[n - 1];
  }
}

static inline void copy_bytes(unsigned char *dst, const unsigned char *src, size_t n)
{
  if (n <= GOMEM__SHORT_COPY)
    copy_short(dst, src, n);
  else
    memcpy(dst, src, n);
}

/*
 * Consume @n bytes, copying them to @dst unless it is NULL. Needs
 * n <= remaining. The rest of the current segment goes first; then one
 * loop walks the memory's segment array, copying every segment it passes
 * wholly, and the reader is moved once, onto the segment where the bytes
 * end (as if each had been loaded in turn: the cursor stays at the end of
 * a segment read to its end). Per segment that is a compare and a copy.
 */
static void take(gomem_reader *r, unsigned char *dst, size_t n)
{
  size_t step = min_size(here(r), n);
  /* Not even by 0: an empty segment's window may be two NULLs. */
  if (step) {
    if (dst) {
      copy_bytes(dst, r->win.cur, step);
      dst += step;
    }
    advance(r, step);
  }
  n -= step;
  if (n == 0)
    return;
  struct segs s = segs_of(r);
  size_t i = r->next, before = r->base_off + seg_len(r);
  for (; i < s.count && s.v[i].iov_len < n; i++) {
    size_t len = s.v[i].iov_len;
    if (dst && len) {
      copy_bytes(dst, s.v[i].iov_base, len);
      dst += len;
    }
    before += len;
    n -= len;
  }
  if (i == s.count)
    return; /* the memory shrank behind our back: stop, never overrun */
  if (dst)
    copy_bytes(dst, s.v[i].iov_base, n);
  r->base_off = before;
  load(r, s, i);
  advance(r, n);
}

size_t gomem_reader_read(gomem_reader *r, void *dst, size_t n)
{
  if (!r || !dst)
    return 0;
  n = min_size(n, gomem_reader_remaining(r));
  if (n > 0) /* at the end, as every read loop's last call is */
    take(r, dst, n);
  return n;
}

int gomem_reader_read_exact(gomem_reader *r, void *dst, size_t n)
{
  if (!r || (!dst && n))
    return GOMEM_ERR_INVALID;
  if (n == 0)
    return GOMEM_OK;
  if (n <= here(r)) {
    memcpy(dst, r->win.cur, n);
    advance(r, n);
    return GOMEM_OK;
  }
  if (n > gomem_reader_remaining(r))
    return GOMEM_ERR_EOF;
  take(r, dst, n);
  return GOMEM_OK;
}

int gomem_reader_peek(const gomem_reader *r, void *dst, size_t n)
{
  if (!r)
    return GOMEM_ERR_INVALID;
  gomem_reader copy = *r;
  return gomem_reader_read_exact(&copy, dst, n);
}

/* read_byte past the current segment (kept apart so the fast path stays lean). */
static int read_byte_slow(gomem_reader *r, uint8_t *out)
{
  if (!r || !out)
    return GOMEM_ERR_INVALID;
  if (run(r) == 0)
    return GOMEM_ERR_EOF;
  *out = *r->win.cur++;
  return GOMEM_OK;
}

int gomem_reader_read_byte(gomem_reader *r, uint8_t *out)
{
  if (r && out && r->win.cur != r->win.end) {
    *out = *r->win.cur++;
    return GOMEM_OK;
  }
  return read_byte_slow(r, out);
}

int gomem_reader_read_byte_mask(gomem_reader *r, uint8_t mask, uint8_t *out)
{
  uint8_t b;
  int rc = out ? gomem_reader_read_byte(r, &b) : GOMEM_ERR_INVALID;

  if (rc == GOMEM_OK)
    *out = b & mask;
  return rc;
}

/* @nbytes (1-8) bytes at @p as an unsigned integer. */
static inline uint64_t decode_int(const unsigned char *p, unsigned nbytes, bool big_endian)
{
  uint64_t v = 0;
  if (big_endian) {
    for (unsigned i = 0; i < nbytes; i++)
      v = v << 8 | p[i];
  } else {
    for (unsigned i = nbytes; i-- > 0;)
      v = v << 8 | p[i];
  }
  return v;
}

/* read_int when the bytes span segments: gathered into a copy first. */
static int read_int_split(gomem_reader *r, unsigned nbytes, uint64_t *out, bool big_endian)
{
  unsigned char tmp[8];
  int rc = gomem_reader_read_exact(r, tmp, nbytes);
  if (rc == GOMEM_OK)
    *out = decode_int(tmp, nbytes, big_endian);
  return rc;
}

/* @nbytes (1-8) bytes as an integer, decoded in place when they are contiguous. */
static inline int read_int(gomem_reader *r, unsigned nbytes, uint64_t *out, bool big_endian)
{
  if (!r || !out || nbytes == 0 || nbytes > 8)
    return GOMEM_ERR_INVALID;
  if (nbytes > here(r))
    return read_int_split(r, nbytes, out, big_endian);
  *out = decode_int(r->win.cur, nbytes, big_endian);
  advance(r, nbytes);
  return GOMEM_OK;
}

int gomem_reader_read_be(gomem_reader *r, unsigned nbytes, uint64_t *out)
{
  return read_int(r, nbytes, out, true);
}

int gomem_reader_read_le(gomem_reader *r, unsigned nbytes, uint64_t *out)
{
  return read_int(r, nbytes, out, false);
}

/*
 * Decode LEB128 from @p[0, @avail): GOMEM_OK with the value and its length,
 * GOMEM_ERR_OVERFLOW, or GOMEM_ERR_EOF when @avail ends inside the encoding.
 */
static int uleb128_decode(const unsigned char *p, size_t avail, uint64_t *out, size_t *len)
{
  uint64_t v = 0;
  for (size_t i = 0; i < GOMEM__ULEB128_MAX_BYTES; i++) {
    if (i == avail)
      return GOMEM_ERR_EOF;
    /* The 10th byte holds only bit 63; anything more does not fit. */
    if (i == GOMEM__ULEB128_MAX_BYTES - 1 && p[i] > 1)
      return GOMEM_ERR_OVERFLOW;
    v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
    if (!(p[i] & 0x80)) {
      *out = v;
      *len = i + 1;
      return GOMEM_OK;
    }
  }
  return GOMEM_ERR_OVERFLOW; /* not reached: the 10th byte always ends it */
}

typedef int varint_decoder(const unsigned char *p, size_t avail, uint64_t *out, size_t *len);

/*
 * Decode a varint at the cursor with @decode and consume it: in place when
 * the current segment holds it, else from a peeked copy of the next bytes.
 * Nothing is consumed on error.
 */
static int read_varint(gomem_reader *r, varint_decoder *decode, uint64_t *out, size_t *nread)
{
  uint64_t v;
  size_t len;
  size_t avail = here(r);
  int rc = avail ? decode(r->win.cur, avail, &v, &len) : GOMEM_ERR_EOF;
  if (rc == GOMEM_ERR_EOF) {
    unsigned char tmp[GOMEM__ULEB128_MAX_BYTES];
    avail = min_size(sizeof(tmp), gomem_reader_remaining(r));
    gomem_reader_peek(r, tmp, avail);
    rc = decode(tmp, avail, &v, &len);
  }
  if (rc != GOMEM_OK)
    return rc;
  if (len <= here(r))
    advance(r, len);
  else
    take(r, NULL, len);
  *out = v;
  if (nread)
    *nread = len;
  return GOMEM_OK;
}

int gomem_reader_read_uleb128_n(gomem_reader *r, uint64_t *out, size_t *nread)
{
  if (!r || !out)
    return GOMEM_ERR_INVALID;
  return read_varint(r, uleb128_decode, out, nread);
}

int gomem_reader_read_uleb128(gomem_reader *r, uint64_t *out)
{
  return gomem_reader_read_uleb128_n(r, out, NULL);
}

int gomem_reader_skip(gomem_reader *r, size_t n)
{
  if (!r)
    return GOMEM_ERR_INVALID;
  if (n == 0)
    return GOMEM_OK; /* and no NULL + 0 before the first segment */
  if (n <= here(r)) {
    advance(r, n);
    return GOMEM_OK;
  }
  if (n > gomem_reader_remaining(r))
    return GOMEM_ERR_EOF;
  take(r, NULL, n);
  return GOMEM_OK;
}

void gomem_reader_move_to_end(gomem_reader *r)
{
  if (r)
    take(r, NULL, gomem_reader_remaining(r));
}

int gomem_reader_unread(gomem_reader *r, size_t n)
{
  if (!r || n > offset_of(r))
    return GOMEM_ERR_INVALID;
  if (n == 0)
    return GOMEM_OK;
  for (;;) {
    size_t back = (size_t)(r->win.cur - r->base);
    if (n <= back) {
      r->win.cur -= n;
      return GOMEM_OK;
    }
    n -= back;
    /* n <= offset guarantees an earlier segment; step to its end. */
    load(r, segs_of(r), r->next - 2);
    r->base_off -= seg_len(r);
    r->win.cur = r->win.end;
  }
}

int gomem_reader_current(gomem_reader *r, const void **ptr, size_t *len)
{
  if (!r || !ptr || !len)
    return GOMEM_ERR_INVALID;
  size_t n = run(r);
  *ptr = n ? r->win.cur : NULL;
  *len = n;
  return n ? GOMEM_OK : GOMEM_ERR_EOF;
}

int gomem_reader_range(gomem_reader *r, size_t n, int (*fn)(const void *ptr, size_t len, void *ctx),
                       void *ctx)
{
  if (!r)
    return GOMEM_ERR_INVALID;
  size_t left = gomem_reader_remaining(r);
  if (n == SIZE_MAX)
    n = left;
  else if (n > left)
    return GOMEM_ERR_EOF;
  if (!fn) {
    take(r, NULL, n);
    return 0;
  }
  while (n > 0) {
    size_t step = min_size(run(r), n);
    if (step == 0)
      return 0;
    const unsigned char *p = r->win.cur;
    advance(r, step);
    n -= step;
    int rc = fn(p, step, ctx);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* Segments wholly before the cursor: those before the current one, and the current one if read to its end. */
static size_t consumed_segments(const gomem_reader *r)
{
  if (r->next == 0)
    return 0;
  return r->win.cur == r->win.end ? r->next : r->next - 1;
}

int gomem_reader_clip_front(gomem_reader *r, int (*fn)(const void *ptr, size_t len, void *ctx),
                            void *ctx)
{
  if (!r)
    return GOMEM_ERR_INVALID;
  for (size_t whole = consumed_segments(r); whole > 0; whole--) {
    const void *p;
    size_t len;
    if (gomem_memory_segment(r->m, 0, &p, &len) != GOMEM_OK)
      return GOMEM_ERR_INVALID; /* the memory shrank behind our back */
    gomem_memory_drop_front(r->m, 1);
    r->next--;
    r->base_off -= min_size(len, r->base_off);
    if (r->next == 0)
      r->base = r->win.cur = r->win.end = NULL;
    int rc = fn ? fn(p, len, ctx) : 0;
    if (rc != 0)
      return rc;
  }
  if (r->next == 0 || r->win.cur == r->base)
    return 0;
  /* The cursor is inside segment 0: cut off its consumed head. The offset
   * drops by its length with base moving up to the cursor. */
  const unsigned char *head = r->base;
  size_t len = (size_t)(r->win.cur - r->base);
  gomem_memory_update_segment(r->m, 0, r->win.cur, here(r));
  r->base = r->win.cur;
  return fn ? fn(head, len, ctx) : 0;
}

/* ---- search ---------------------------------------------------------------
 *
 * The unread bytes are a sequence of pieces: piece 0 is the rest of the
 * current segment (the window, possibly empty), piece k >= 1 is segment
 * next + k - 1 (when no segment is loaded yet, next is 0 and the window is
 * empty, so the same numbering holds). Searching walks them without moving
 * the reader.
 */

struct pieces {
  const unsigned char *first; /* piece 0 */
  size_t first_len;
  const struct iovec *v; /* piece k >= 1 is v[next + k - 1] */
  size_t next, count;
};

static struct pieces pieces_of(const gomem_reader *r)
{
  struct pieces ps;
  ps.first = r->win.cur;
  ps.first_len = here(r);
  ps.v = gomem_memory_iovec(r->m, &ps.count);
  ps.next = r->next;
  return ps;
}

/* Piece @k as [*p, *p + len); false past the last one. */
static bool piece(const struct pieces *ps, size_t k, const unsigned char **p, size_t *len)
{
  if (k == 0) {
    *p = ps->first;
    *len = ps->first_len;
    return true;
  }
  size_t i = ps->next + k - 1;
  if (i >= ps->count)
    return false;
  *p = ps->v[i].iov_base;
  *len = ps->v[i].iov_len;
  return true;
}

int gomem_reader_find_byte(const gomem_reader *r, uint8_t byte, size_t *pos)
{
  if (!r || !pos)
    return GOMEM_ERR_INVALID;
  struct pieces ps = pieces_of(r);
  const unsigned char *p;
  size_t len, before = 0;
  for (size_t k = 0; piece(&ps, k, &p, &len); k++) {
    const unsigned char *hit = len ? memchr(p, byte, len) : NULL;
    if (hit) {
      *pos = before + (size_t)(hit - p);
      return GOMEM_OK;
    }
    before += len;
  }
  return GOMEM_ERR_EOF;
}

/*
 * Does @needle[0, n) start at byte @off of piece @k? 1 yes, 0 no, -1 when
 * the bytes run out first (then no later start can match either).
 */
static int match_at(const struct pieces *ps, size_t k, size_t off, const unsigned char *needle,
                    size_t n)
{
  const unsigned char *p;
  size_t len;
  while (n > 0 && piece(ps, k, &p, &len)) {
    size_t step = min_size(len - off, n);
    if (step && memcmp(p + off, needle, step) != 0)
      return 0;
    needle += step;
    n -= step;
    off = 0;
    k++;
  }
  return n == 0 ? 1 : -1;
}

/*
 * The first @nd[0, n) (n >= 2) wholly inside @p[0, len), or NULL. memchr
 * for the needle's first byte and memcmp at each candidate: when that byte
 * is rare, as a line or header end is in text, this runs at memchr's
 * speed, several times memmem's. A budget of false candidates (16 plus
 * one per 64 bytes) bounds the memcmp work; past it memmem, linear
 * whatever the bytes, takes the rest.
 */
static const unsigned char *find_in(const unsigned char *p, size_t len, const unsigned char *nd,
                                    size_t n)
{
  if (len < n)
    return NULL;
  const unsigned char *q = p, *last = p + (len - n); /* the last possible start */
  for (size_t budget = 16 + len / 64; q <= last; budget--) {
    const unsigned char *c = memchr(q, nd[0], (size_t)(last - q) + 1);
    if (!c || memcmp(c + 1, nd + 1, n - 1) == 0)
      return c;
    q = c + 1;
    if (budget == 0)
      return memmem(q, (size_t)(p + len - q), nd, n);
  }
  return NULL;
}

int gomem_reader_find(const gomem_reader *r, const void *needle, size_t n, size_t *pos)
{
  if (!r || !pos || (!needle && n))
    return GOMEM_ERR_INVALID;
  if (n == 0) {
    *pos = 0;
    return GOMEM_OK;
  }
  const unsigned char *nd = needle;
  if (n == 1)
    return gomem_reader_find_byte(r, nd[0], pos);
  struct pieces ps = pieces_of(r);
  const unsigned char *p;
  size_t len, before = 0;
  for (size_t k = 0; piece(&ps, k, &p, &len); k++) {
    /* Matches wholly inside this piece come before any that start in it
     * and straddle into the next, so look for them first. */
    const unsigned char *hit = find_in(p, len, nd, n);
    if (hit) {
      *pos = before + (size_t)(hit - p);
      return GOMEM_OK;
    }
    /* Then the starts too close to the end to fit: first-byte hits only. */
    size_t off = len >= n ? len - n + 1 : 0;
    while (off < len) {
      hit = memchr(p + off, nd[0], len - off);
      if (!hit)
        break;
      off = (size_t)(hit - p);
      int m = match_at(&ps, k, off, nd, n);
      if (m < 0)
        return GOMEM_ERR_EOF;
      if (m > 0) {
        *pos = before + off;
        return GOMEM_OK;
      }
      off++;
    }
    before += len;
  }
  return GOMEM_ERR_EOF;
}

/* ---- floating point ------------------------------------------------------ */

_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE 754 binary32 and binary64");

/* The bits go straight into *out with memcpy: no float register on the way
 * that could quieten a signalling NaN. */
static int read_f32(gomem_reader *r, float *out, bool big_endian)
{
  uint64_t v;
  if (!out)
    return GOMEM_ERR_INVALID;
  int rc = read_int(r, 4, &v, big_endian);
  if (rc == GOMEM_OK) {
    uint32_t bits = (uint32_t)v;
    memcpy(out, &bits, sizeof(bits));
  }
  return rc;
}

static int read_f64(gomem_reader *r, double *out, bool big_endian)
{
  uint64_t v;
  if (!out)
    return GOMEM_ERR_INVALID;
  int rc = read_int(r, 8, &v, big_endian);
  if (rc == GOMEM_OK)
    memcpy(out, &v, sizeof(v));
  return rc;
}

int gomem_reader_read_f32_be(gomem_reader *r, float *out)
{
  return read_f32(r, out, true);
}

int gomem_reader_read_f32_le(gomem_reader *r, float *out)
{
  return read_f32(r, out, false);
}

int gomem_reader_read_f64_be(gomem_reader *r, double *out)
{
  return read_f64(r, out, true);
}

int gomem_reader_read_f64_le(gomem_reader *r, double *out)
{
  return read_f64(r, out, false);
}

/* ---- signed varints -------------------------------------------------------- */

/*
 * Signed LEB128 from @p[0, @avail), like uleb128_decode; @out gets the
 * value's two's-complement bits. The 10th byte carries bit 63 and six
 * copies of the sign: only 0x00 and 0x7f fit.
 */
static int sleb128_decode(const unsigned char *p, size_t avail, uint64_t *out, size_t *len)
{
  uint64_t v = 0;
  for (size_t i = 0; i < GOMEM__ULEB128_MAX_BYTES; i++) {
    if (i == avail)
      return GOMEM_ERR_EOF;
    unsigned shift = 7 * (unsigned)i;
    if (i == GOMEM__ULEB128_MAX_BYTES - 1) {
      if (p[i] != 0x00 && p[i] != 0x7f)
        return GOMEM_ERR_OVERFLOW;
      v |= (uint64_t)(p[i] & 1) << shift;
      *out = v;
      *len = i + 1;
      return GOMEM_OK;
    }
    v |= (uint64_t)(p[i] & 0x7f) << shift;
    if (!(p[i] & 0x80)) {
      if (p[i] & 0x40)
        v |= ~UINT64_C(0) << (shift + 7); /* sign-extend; shift + 7 <= 63 */
      *out = v;
      *len = i + 1;
      return GOMEM_OK;
    }
  }
  return GOMEM_ERR_OVERFLOW; /* not reached */
}

int gomem_reader_read_sleb128(gomem_reader *r, int64_t *out)
{
  if (!r || !out)
    return GOMEM_ERR_INVALID;
  uint64_t bits;
  int rc = read_varint(r, sleb128_decode, &bits, NULL);
  if (rc == GOMEM_OK)
    memcpy(out, &bits, sizeof(bits)); /* two's complement: the value's bits */
  return rc;
}

int gomem_reader_read_zigzag(gomem_reader *r, int64_t *out)
{
  uint64_t u;
  if (!out)
    return GOMEM_ERR_INVALID;
  int rc = gomem_reader_read_uleb128(r, &u);
  if (rc == GOMEM_OK) {
    /* (u >> 1) ^ -(u & 1), in unsigned arithmetic, then the same bits. */
    uint64_t v = (u >> 1) ^ (UINT64_C(0) - (u & 1));
    memcpy(out, &v, sizeof(v));
  }
  return rc;
}
