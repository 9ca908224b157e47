/* SPDX-License-Identifier: MIT */
/*
 * peer.h — the malloc-style allocator a benchmark binary compares gomem with.
 *
 * Exactly one peer is compiled into each binary, chosen by a define:
 *   BENCH_PEER_MIMALLOC  mi_malloc / mi_free (prefixed API, no override)
 *   BENCH_PEER_JEMALLOC  Debian's libjemalloc exports plain malloc/free and
 *                        so replaces glibc's in the whole process; that is
 *                        why it lives in a binary of its own.
 *   (neither)            glibc malloc / free
 *
 * The shims are static inline so that a peer pays no extra call compared
 * with gomem (both end in one call through the PLT of a shared library).
 * The size passed to peer_free is ignored by every peer today; it is there
 * because gomem needs it and the benchmark code stays symmetric.
 */
#ifndef BENCH_PEER_H
#define BENCH_PEER_H

#include <stddef.h>

#if defined(BENCH_PEER_MIMALLOC)
#include <mimalloc.h>
#define PEER_NAME "mimalloc"
static inline void *peer_malloc(size_t n) { return mi_malloc(n); }
static inline void peer_free(void *p, size_t n) { (void)n; mi_free(p); }
static inline void *peer_shrink(void *p, size_t keep) { return mi_realloc(p, keep); }

#elif defined(BENCH_PEER_JEMALLOC)
#include <jemalloc/jemalloc.h>
#define PEER_NAME "jemalloc"
static inline void *peer_malloc(size_t n) { return malloc(n); }
static inline void peer_free(void *p, size_t n) { (void)n; free(p); }
static inline void *peer_shrink(void *p, size_t keep) { return realloc(p, keep); }

#else
#include <stdlib.h>
#define PEER_NAME "glibc"
static inline void *peer_malloc(size_t n) { return malloc(n); }
static inline void peer_free(void *p, size_t n) { (void)n; free(p); }
static inline void *peer_shrink(void *p, size_t keep) { return realloc(p, keep); }
#endif

#endif /* BENCH_PEER_H */
