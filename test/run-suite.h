/* SPDX-License-Identifier: MIT */
/*
 * Every suite's main: run one Check suite and turn the result into the exit
 * status meson test reads. CK_ENV lets CK_VERBOSITY=verbose (or silent)
 * change the output without a rebuild.
 */
#ifndef GOMEM_TEST_RUN_SUITE_H
#define GOMEM_TEST_RUN_SUITE_H

#include <check.h>
#include <stdlib.h>

static inline int run_suite(Suite *s)
{
  SRunner *sr = srunner_create(s);

  srunner_run_all(sr, CK_ENV);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* GOMEM_TEST_RUN_SUITE_H */
