/* SPDX-License-Identifier: MIT */
/* peers.c — load and check the malloc-style peers (see peers.h). */
#include "peers.h"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATIC_TLS_TUNABLE "glibc.rtld.optional_static_tls"
#define STATIC_TLS_BYTES "16384"

void bench_peers_reexec(char **argv)
{
  const char *old = getenv("GLIBC_TUNABLES");
  if (old && strstr(old, STATIC_TLS_TUNABLE))
    return;
  char tunables[512];
  int n = snprintf(tunables, sizeof tunables, "%s%s" STATIC_TLS_TUNABLE "=" STATIC_TLS_BYTES,
                   old ? old : "", old && *old ? ":" : "");
  if (n < 0 || (size_t)n >= sizeof tunables)
    return;
  setenv("GLIBC_TUNABLES", tunables, 1);
  setenv("TCMALLOC_SKIP_SBRK", "true", 0);
  execv("/proc/self/exe", argv);
}

/* The file @p fn lives in, or "" if dladdr does not know. */
static const char *file_of(const void *fn)
{
  Dl_info info;
  return dladdr(fn, &info) && info.dli_fname ? info.dli_fname : "";
}

static void set_library(bench_peer *p, const void *fn)
{
  snprintf(p->library, sizeof p->library, "%s", file_of(fn));
}

/* A pointer from @p alloc must report at least its size through the same
 * library's usable-size function: proves the pair belongs together. */
static int usable_ok(void *(*alloc)(size_t), void (*release)(void *), size_t (*usable)(void *))
{
  void *ptr = alloc(100);
  if (!ptr)
    return 0;
  size_t got = usable(ptr);
  release(ptr);
  return got >= 100 && got <= 4096;
}

/* glibc: malloc in the global scope must still be glibc's (the file that
 * defines gnu_get_libc_version) after the others were opened. */
static void load_glibc(bench_peer *p)
{
  void *global_malloc = dlsym(RTLD_DEFAULT, "malloc");
  *p = (bench_peer){.name = "glibc", .alloc = malloc, .release = free, .resize = realloc};
  snprintf(p->version, sizeof p->version, "%s", gnu_get_libc_version());
  set_library(p, global_malloc);
  if (strcmp(p->library, file_of((const void *)gnu_get_libc_version)) != 0)
    p->missing = "malloc is not glibc's: another allocator was interposed";
  else if (global_malloc != (void *)malloc)
    p->missing = "malloc resolves to two different functions";
  else if (!usable_ok(malloc, free, malloc_usable_size))
    p->missing = "glibc malloc_usable_size disagrees";
}

typedef struct dl_peer {
  const char *name, *soname;
  const char *alloc, *release, *resize, *usable;
  void (*version)(void *handle, char *buf, size_t len);
} dl_peer;

static void mimalloc_version(void *h, char *buf, size_t len)
{
  int (*fn)(void) = (int (*)(void))dlsym(h, "mi_version");
  int v = fn ? fn() : 0;
  snprintf(buf, len, "%d.%d.%d", v / 100, v / 10 % 10, v % 10);
}

static void jemalloc_version(void *h, char *buf, size_t len)
{
  int (*mallctl)(const char *, void *, size_t *, void *, size_t) =
    (int (*)(const char *, void *, size_t *, void *, size_t))dlsym(h, "mallctl");
  const char *v = "?";
  size_t sz = sizeof v;
  if (mallctl)
    mallctl("version", &v, &sz, NULL, 0);
  snprintf(buf, len, "%.*s", (int)strcspn(v, "-"), v);
}

static void tcmalloc_version(void *h, char *buf, size_t len)
{
  const char *(*fn)(int *, int *, const char **) =
    (const char *(*)(int *, int *, const char **))dlsym(h, "tc_version");
  int major = 0, minor = 0;
  const char *patch = "";
  if (fn)
    fn(&major, &minor, &patch);
  snprintf(buf, len, "%d.%d%s", major, minor, patch ? patch : "");
}

static const dl_peer dl_peers[BENCH_NPEERS - 1] = {
  {"mimalloc", "libmimalloc.so.2", "mi_malloc", "mi_free", "mi_realloc", "mi_usable_size", mimalloc_version},
  {"jemalloc", "libjemalloc.so.2", "malloc", "free", "realloc", "malloc_usable_size", jemalloc_version},
  {"tcmalloc", "libtcmalloc_minimal.so.4", "tc_malloc", "tc_free", "tc_realloc", "tc_malloc_size",
   tcmalloc_version},
};

static void load_dl(bench_peer *p, const dl_peer *d)
{
  *p = (bench_peer){.name = d->name};
  void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    p->missing = "library not found";
    fprintf(stderr, "peers: %s: %s\n", d->name, dlerror());
    return;
  }
  p->alloc = (void *(*)(size_t))dlsym(h, d->alloc);
  p->release = (void (*)(void *))dlsym(h, d->release);
  p->resize = (void *(*)(void *, size_t))dlsym(h, d->resize);
  size_t (*usable)(void *) = (size_t (*)(void *))dlsym(h, d->usable);
  if (!p->alloc || !p->release || !p->resize || !usable) {
    p->missing = "symbols missing";
    return;
  }
  d->version(h, p->version, sizeof p->version);
  set_library(p, (const void *)p->alloc);
  const char *base = strrchr(p->library, '/');
  if (strcmp(base ? base + 1 : p->library, d->soname) != 0 || (void *)p->alloc == (void *)malloc)
    p->missing = "functions are not the library's own";
  else if (!usable_ok(p->alloc, p->release, usable))
    p->missing = "usable size disagrees";
}

size_t bench_peers_load(bench_peer peers[BENCH_NPEERS])
{
  for (size_t i = 0; i < BENCH_NPEERS - 1; i++)
    load_dl(&peers[i + 1], &dl_peers[i]);
  load_glibc(&peers[0]);
  size_t usable = 0;
  for (size_t i = 0; i < BENCH_NPEERS; i++) {
    if (peers[i].missing)
      peers[i].alloc = NULL;
    usable += peers[i].missing == NULL;
  }
  return usable;
}
