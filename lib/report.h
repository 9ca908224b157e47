/* SPDX-License-Identifier: MIT */
/*
 * What the free-space statistics and the JSON maps of the range allocator,
 * the chunk and the scalable allocator share: a tally of free runs, the
 * struct_size rules of gomem_free_stats, and a growing string that
 * remembers running out of memory so that callers check once at the end.
 */
#ifndef GOMEM_REPORT_H
#define GOMEM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gomem/allocator.h"

struct gomem__tally {
  uint64_t bytes, blocks, largest, smallest;
};

/* Count a free run of len > 0 units. */
void gomem__tally_add(struct gomem__tally *t, size_t len);

/* Count every free block of a. */
void gomem__tally_allocator(struct gomem__tally *t, const gomem_allocator *a);

/* @return true when out may be written: not NULL, and struct_size at
 * least sizeof(size_t) (gomem/common.h). */
bool gomem__free_stats_valid(const gomem_free_stats *out);

/* Write t into out, which is valid, by the struct_size rules: only the
 * whole fields within struct_size. */
void gomem__tally_write(const struct gomem__tally *t, gomem_free_stats *out);

struct gomem__json {
  char *buf;
  size_t len, cap;
  bool failed; /* out of memory: every later write is dropped */
};

/* Append printf-formatted text; on failure set `failed`. */
void gomem__json_printf(struct gomem__json *j, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Append j's tally keys and "free" list for a region of size units whose
 * free runs are in runs (their text, "[o,l],[o,l]"), ending the object. */
void gomem__json_region(struct gomem__json *j, size_t size, const struct gomem__tally *t,
                        const struct gomem__json *runs);

/* Hand the string to the caller: GOMEM_OK, or GOMEM_ERR_NOMEM (j freed). */
int gomem__json_finish(struct gomem__json *j, char **json, size_t *len);

#endif
