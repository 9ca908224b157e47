/* SPDX-License-Identifier: MIT */
/*
 * The scalable allocator's busy flag, for the library's other layers and
 * for tests: recyclable memory gives back a packet's segments under one
 * hold of the flag, and tests hold it so that frees from other threads take
 * the queued path deterministically.
 */
#ifndef GOMEM_SCALABLE_INTERNAL_H
#define GOMEM_SCALABLE_INTERNAL_H

#include <stdbool.h>

#include "gomem/scalable.h"

/* Take @p s's busy flag (waiting for it) and apply the queued frees, as
 * an allocating call does first. */
void gomem__scalable_hold(gomem_scalable *s);

/* Take the flag only when it is free, as a free does: @return true when
 * taken (queued frees applied), false when another call holds it. */
bool gomem__scalable_try_hold(gomem_scalable *s);

/* Apply the queued frees and let go of the flag, as every call does last. */
void gomem__scalable_unhold(gomem_scalable *s);

/* gomem_scalable_free by a caller that holds the flag: the same checks,
 * the same exact result. */
int gomem__scalable_free_held(gomem_scalable *s, void *ptr, size_t len);

#endif
