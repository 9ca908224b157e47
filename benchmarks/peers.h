/* SPDX-License-Identifier: MIT */
/*
 * peers.h — every malloc-style peer in ONE process, loaded at run time.
 *
 * glibc is the process's own malloc. mimalloc, jemalloc and tcmalloc are
 * opened with dlopen(RTLD_NOW | RTLD_LOCAL): Debian's libmimalloc,
 * libjemalloc and libtcmalloc_minimal all export plain malloc/free, so
 * linking any of them would replace glibc's malloc for the whole process;
 * opened locally they interpose nothing and each is called through the
 * functions dlsym finds in that library (mi_malloc / malloc / tc_malloc ...).
 * bench_peers_load() then checks that this held: malloc in the global scope
 * is still glibc's, and each peer's functions live in the peer's file.
 *
 * A peer whose library is missing or fails a check is kept with `missing`
 * set (the table prints n/a); nothing here is needed at build time.
 *
 * peer.h is the other, compile-time scheme (one peer per binary) that
 * bench-trace and bench-buddy use.
 */
#ifndef BENCH_PEERS_H
#define BENCH_PEERS_H

#include <stddef.h>

/** glibc, mimalloc, jemalloc, tcmalloc. */
#define BENCH_NPEERS 4

typedef struct bench_peer {
  const char *name;
  void *(*alloc)(size_t size);
  void (*release)(void *ptr);
  void *(*resize)(void *ptr, size_t size);
  /** NULL when usable; otherwise why not (library missing, check failed). */
  const char *missing;
  char version[48];
  /** The file its functions live in, as dladdr reports it. */
  char library[96];
} bench_peer;

/**
 * Re-execute the program once with the environment the peers need, if it
 * is not already set: jemalloc is built with initial-exec TLS and only
 * fits in glibc's static TLS surplus when glibc.rtld.optional_static_tls is
 * raised (GLIBC_TUNABLES, read at start-up), and tcmalloc takes its memory
 * from mmap, not from the brk heap glibc grows (TCMALLOC_SKIP_SBRK; only
 * its first pages come from sbrk, which glibc copes with). Returns only if
 * no re-exec was needed or it failed (jemalloc then reports its dlerror as
 * `missing`).
 */
void bench_peers_reexec(char **argv);

/**
 * Fill @p peers[BENCH_NPEERS] (glibc first) and check each one.
 * @return how many peers are usable.
 */
size_t bench_peers_load(bench_peer peers[BENCH_NPEERS]);

#endif /* BENCH_PEERS_H */
