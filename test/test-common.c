/* SPDX-License-Identifier: MIT */
/*
 * The common layer: version, status codes and their names, strategies.
 *
 * TEST_HAVE_TREAP / TEST_HAVE_AVL / TEST_HAVE_TLSF / TEST_DEFAULT_TREE come from
 * test/meson.build, so the suite knows what this build should offer
 * without trusting the library to say so.
 */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <gomem/gomem.h>

#include "run-suite.h"
#include "strategies.h"

START_TEST(test_version_string)
{
  ck_assert_str_eq(gomem_version_string(), "1.0.0");
  ck_assert_str_eq(gomem_version_string(), GOMEM_VERSION_STRING);
}
END_TEST

START_TEST(test_version_number)
{
  ck_assert_uint_eq(gomem_version(), 10000);
  ck_assert_uint_eq(gomem_version(), GOMEM_VERSION_NUMBER);
  ck_assert_int_eq(GOMEM_VERSION_MAJOR, 1);
  ck_assert_int_eq(GOMEM_VERSION_MINOR, 0);
  ck_assert_int_eq(GOMEM_VERSION_PATCH, 0);
  ck_assert_int_eq(GOMEM_VERSION_HEX, 0x010000);
}
END_TEST

/* Values, names and messages exactly as gomem/common.h documents them. */
static const struct {
  int code;
  const char *name;
  const char *message;
} codes[] = {
  { GOMEM_OK, "GOMEM_OK", "success" },
  { GOMEM_ERR_INVALID, "GOMEM_ERR_INVALID", "invalid argument or memory not currently allocated" },
  { GOMEM_ERR_NOMEM, "GOMEM_ERR_NOMEM", "out of memory or no free block large enough" },
  { GOMEM_ERR_UNSUPPORTED, "GOMEM_ERR_UNSUPPORTED", "not supported by this build of libgomem" },
  { GOMEM_ERR_EOF, "GOMEM_ERR_EOF", "end of data" },
  { GOMEM_ERR_OVERFLOW, "GOMEM_ERR_OVERFLOW", "value does not fit" },
  { GOMEM_ERR_NOT_OWNED, "GOMEM_ERR_NOT_OWNED", "memory does not belong to this allocator" },
  { GOMEM_ERR_WRONG_THREAD, "GOMEM_ERR_WRONG_THREAD", "the allocator belongs to another thread" },
};
#define N_CODES (sizeof(codes) / sizeof(codes[0]))

START_TEST(test_code_values)
{
  /* The values are ABI: never renumbered. */
  ck_assert_int_eq(GOMEM_OK, 0);
  for (size_t i = 1; i < N_CODES; i++)
    ck_assert_int_eq(codes[i].code, -(int)i);
}
END_TEST

START_TEST(test_strerror_every_code)
{
  for (size_t i = 0; i < N_CODES; i++) {
    ck_assert_str_eq(gomem_strerror(codes[i].code), codes[i].message);
    ck_assert_str_eq(gomem_err_name(codes[i].code), codes[i].name);
  }
}
END_TEST

START_TEST(test_strerror_distinct)
{
  for (size_t i = 0; i < N_CODES; i++) {
    for (size_t j = i + 1; j < N_CODES; j++) {
      ck_assert_str_ne(gomem_strerror(codes[i].code), gomem_strerror(codes[j].code));
      ck_assert_str_ne(gomem_err_name(codes[i].code), gomem_err_name(codes[j].code));
    }
  }
}
END_TEST

START_TEST(test_strerror_unknown)
{
  static const int unknown[] = { 1, 2, -8, -9, -100, 1000, INT_MIN, INT_MAX };

  for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
    ck_assert_str_eq(gomem_strerror(unknown[i]), "unknown error");
    ck_assert_str_eq(gomem_err_name(unknown[i]), "GOMEM_ERR_UNKNOWN");
  }
}
END_TEST


START_TEST(test_strategy_available)
{
  ck_assert(gomem_strategy_available(GOMEM_STRATEGY_DEFAULT));
  for (int s = GOMEM_STRATEGY_DEFAULT; s <= GOMEM_STRATEGY_TLSF; s++)
    ck_assert_int_eq(gomem_strategy_available((gomem_strategy)s), expect_available((gomem_strategy)s));
  ck_assert(!gomem_strategy_available((gomem_strategy)4));
  ck_assert(!gomem_strategy_available((gomem_strategy)-1));
  ck_assert(!gomem_strategy_available((gomem_strategy)INT_MAX));
  /* The design brief's name answers the same for every value. */
  for (int s = -1; s <= 4; s++)
    ck_assert_int_eq(gomem_tree_available((gomem_strategy)s), gomem_strategy_available((gomem_strategy)s));
}
END_TEST

START_TEST(test_strategy_names)
{
  ck_assert_str_eq(gomem_strategy_name(GOMEM_STRATEGY_TREAP), "treap");
  ck_assert_str_eq(gomem_strategy_name(GOMEM_STRATEGY_AVL), "avl");
  ck_assert_str_eq(gomem_strategy_name(GOMEM_STRATEGY_TLSF), "tlsf");
  ck_assert_str_eq(gomem_strategy_name(GOMEM_STRATEGY_DEFAULT), TEST_DEFAULT_TREE);
  ck_assert_ptr_null(gomem_strategy_name((gomem_strategy)4));
  ck_assert_ptr_null(gomem_strategy_name((gomem_strategy)-1));
  ck_assert_ptr_null(gomem_strategy_name((gomem_strategy)INT_MAX));
}
END_TEST

START_TEST(test_strategy_default)
{
  gomem_strategy d = gomem_strategy_default();

  ck_assert_int_ne(d, GOMEM_STRATEGY_DEFAULT);
  ck_assert(gomem_strategy_available(d));
  ck_assert_str_eq(gomem_strategy_name(d), TEST_DEFAULT_TREE);
  ck_assert_str_eq(gomem_strategy_name(d), gomem_strategy_name(GOMEM_STRATEGY_DEFAULT));
}
END_TEST

static Suite *common_suite(void)
{
  Suite *s = suite_create("common");
  TCase *tc = tcase_create("common");

  tcase_add_test(tc, test_version_string);
  tcase_add_test(tc, test_version_number);
  tcase_add_test(tc, test_code_values);
  tcase_add_test(tc, test_strerror_every_code);
  tcase_add_test(tc, test_strerror_distinct);
  tcase_add_test(tc, test_strerror_unknown);
  tcase_add_test(tc, test_strategy_available);
  tcase_add_test(tc, test_strategy_names);
  tcase_add_test(tc, test_strategy_default);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return run_suite(common_suite());
}
