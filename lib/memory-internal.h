/* SPDX-License-Identifier: MIT */
/*
 * What recyclable memory needs of its view beyond the public API: room
 * for a segment before the segment's bytes are allocated, so that
 * recording them cannot fail afterwards.
 */
#ifndef GOMEM_MEMORY_INTERNAL_H
#define GOMEM_MEMORY_INTERNAL_H

#include <stddef.h>

#include "gomem/memory.h"

/* Make room for one more segment of @p len bytes. GOMEM_OK;
 * GOMEM_ERR_OVERFLOW (the size would overflow) or GOMEM_ERR_NOMEM, with
 * nothing changed. */
int gomem__memory_room(gomem_memory *m, size_t len);

/* Push a segment there is room for (gomem__memory_room): cannot fail. */
void gomem__memory_put(gomem_memory *m, const void *ptr, size_t len);

#endif
