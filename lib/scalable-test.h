/* SPDX-License-Identifier: MIT */
/*
 * Test hooks of the scalable allocator (linked by test/test-scalable.c
 * through the internal archive). They let a test hold the busy flag, so
 * that frees from other threads take the queued path deterministically.
 */
#ifndef GOMEM_SCALABLE_TEST_H
#define GOMEM_SCALABLE_TEST_H

#include "gomem/scalable.h"

/* Take @p s's busy flag (waiting for it) and apply the queued frees, as
 * an allocating call does first. */
void gomem__scalable_hold(gomem_scalable *s);

/* Apply the queued frees and let go of the flag, as every call does last. */
void gomem__scalable_unhold(gomem_scalable *s);

#endif
