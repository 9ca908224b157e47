/* SPDX-License-Identifier: MIT */
#include "gomem/common.h"

const char *gomem_version_string(void)
{
  return GOMEM_VERSION_STRING;
}

unsigned gomem_version(void)
{
  return GOMEM_VERSION_NUMBER;
}

const char *gomem_strerror(int code)
{
  switch (code) {
  case GOMEM_OK:
    return "success";
#define GOMEM_XX_MESSAGE(name, value, message) \
  case GOMEM_ERR_##name:                       \
    return message;
    GOMEM_ERRNO_MAP(GOMEM_XX_MESSAGE)
#undef GOMEM_XX_MESSAGE
  default:
    return "unknown error";
  }
}

const char *gomem_err_name(int code)
{
  switch (code) {
  case GOMEM_OK:
    return "GOMEM_OK";
#define GOMEM_XX_NAME(name, value, message) \
  case GOMEM_ERR_##name:                    \
    return "GOMEM_ERR_" #name;
    GOMEM_ERRNO_MAP(GOMEM_XX_NAME)
#undef GOMEM_XX_NAME
  default:
    return "GOMEM_ERR_UNKNOWN";
  }
}
