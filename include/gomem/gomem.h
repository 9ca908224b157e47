/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/gomem.h — everything libgomem offers, in one include.
 *
 * libgomem brings the Go memory library gomem to C: range (offset)
 * allocators with interchangeable strategies, chunks of real memory carved
 * by them, a scalable allocator, a buddy pool, recyclable batches of
 * segments and a zero-copy reader over many segments.
 *
 * Link with `pkg-config --cflags --libs gomem`.
 */
#ifndef GOMEM_GOMEM_H
#define GOMEM_GOMEM_H

#include <gomem/common.h>
#include <gomem/allocator.h>
#include <gomem/chunk.h>
#include <gomem/memory.h>
#include <gomem/reader.h>
#include <gomem/bitreader.h>
#include <gomem/buddy.h>
#include <gomem/scalable.h>
#include <gomem/recyclable.h>

#endif
