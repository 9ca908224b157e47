/* SPDX-License-Identifier: MIT */
/*
 * For the Check suites: run a fuzz target's model over its committed seed
 * corpus (every file of a directory) and over random programs, so that
 * `meson test` runs the fuzzers' checks in every build configuration.
 */
#ifndef GOMEM_TEST_FUZZ_REPLAY_H
#define GOMEM_TEST_FUZZ_REPLAY_H

#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../rng.h"

/* The signature every model's run function has (see reader-model.h). */
typedef int (*fuzz_model_run)(const uint8_t *data, size_t size, size_t *ops, char *err,
                              size_t errlen);

/* The whole of file @p path, in a malloc'd buffer of *len bytes. */
static inline uint8_t *replay_read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  uint8_t *data = NULL;
  size_t cap = 0;

  *len = 0;
  if (!f)
    ck_abort_msg("cannot open %s", path);
  for (;;) {
    if (*len == cap) {
      cap = cap ? 2 * cap : 4096;
      data = realloc(data, cap);
      if (!data)
        ck_abort_msg("out of memory reading %s", path);
    }
    size_t got = fread(data + *len, 1, cap - *len, f);
    *len += got;
    if (got == 0)
      break;
  }
  fclose(f);
  return data;
}

/* Run @p run on every regular file of @p dir (not recursing); fail the
 * test on the first disagreement. @return the number of files. */
static inline size_t replay_corpus(const char *dir, fuzz_model_run run)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t files = 0;
  char path[4096], err[512];

  if (!d)
    ck_abort_msg("cannot open the seed corpus %s", dir);
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    size_t len, ops = 0;
    uint8_t *data = replay_read_file(path, &len);
    err[0] = 0;
    int rc = run(data, len, &ops, err, sizeof(err));
    free(data);
    if (rc != 0)
      ck_abort_msg("%s: %s", path, err);
    files++;
  }
  closedir(d);
  return files;
}

/* Run @p run on random programs of up to @p max_len bytes until @p min_ops
 * operations have run. @return the number of programs. */
static inline size_t replay_random(fuzz_model_run run, uint64_t seed, size_t max_len,
                                   size_t min_ops)
{
  uint8_t *prog = malloc(max_len);
  size_t total = 0, programs = 0;
  char err[512];

  if (!prog)
    ck_abort_msg("out of memory");
  while (total < min_ops) {
    size_t len = 1 + rng_below(&seed, max_len);
    for (size_t i = 0; i < len; i++)
      prog[i] = (uint8_t)(rng_next(&seed) >> 32);
    size_t ops = 0;
    err[0] = 0;
    if (run(prog, len, &ops, err, sizeof(err)) != 0)
      ck_abort_msg("random program %zu: %s", programs, err);
    total += ops;
    programs++;
  }
  free(prog);
  return programs;
}

#endif /* GOMEM_TEST_FUZZ_REPLAY_H */
