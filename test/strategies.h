/* SPDX-License-Identifier: MIT */
/*
 * What the conformance suites expect this build to offer, from the
 * TEST_HAVE_* definitions test/meson.build passes, independently of what
 * the library says about itself.
 */
#ifndef GOMEM_TEST_STRATEGIES_H
#define GOMEM_TEST_STRATEGIES_H

#include <stdbool.h>

#include <gomem/common.h>

static inline bool expect_available(gomem_strategy s)
{
  switch (s) {
  case GOMEM_STRATEGY_DEFAULT:
    return true;
  case GOMEM_STRATEGY_TREAP:
    return TEST_HAVE_TREAP;
  case GOMEM_STRATEGY_AVL:
    return TEST_HAVE_AVL;
  case GOMEM_STRATEGY_TLSF:
    return TEST_HAVE_TLSF;
  default:
    return false;
  }
}

#endif /* GOMEM_TEST_STRATEGIES_H */
