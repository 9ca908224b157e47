# SPDX-License-Identifier: MIT
"""gomem.Error and the status codes of gomem/common.h."""
import ctypes
import errno

from ._native import lib

# GOMEM_ERRNO_MAP in include/gomem/common.h: the values never change.
ERR_INVALID = -1
ERR_NOMEM = -2
ERR_UNSUPPORTED = -3
ERR_EOF = -4
ERR_OVERFLOW = -5
ERR_NOT_OWNED = -6
ERR_WRONG_THREAD = -7

# What constructors, which return NULL, say in errno (gomem/common.h).
_ERRNO_CODES = {
    errno.EINVAL: ERR_INVALID,
    errno.ENOMEM: ERR_NOMEM,
    errno.ENOTSUP: ERR_UNSUPPORTED,
    errno.EPERM: ERR_WRONG_THREAD,
}


class Error(Exception):
    """A libgomem call failed.

    `code` is the negative GOMEM_ERR_* value (compare it with
    gomem.ERR_EOF and the other ERR_* constants), `name` its symbolic name
    ("GOMEM_ERR_EOF"); str() adds the library's description and what was
    being done.
    """

    def __init__(self, code, doing=None):
        self.code = code
        self.name = lib.gomem_err_name(code).decode()
        self.doing = doing
        message = f"{self.name}: {lib.gomem_strerror(code).decode()}"
        super().__init__(f"{doing}: {message}" if doing else message)


def check(rc, doing):
    """Return rc when it is not an error (>= 0), else raise Error."""
    if rc < 0:
        raise Error(rc, doing)
    return rc


def check_not_null(ptr, doing):
    """Return ptr unless it is NULL; then raise the Error errno stands for."""
    if ptr is None:
        raise Error(_ERRNO_CODES.get(ctypes.get_errno(), ERR_NOMEM), doing)
    return ptr


def size_arg(n, doing):
    """n as a size_t: a negative size is GOMEM_ERR_INVALID, not a huge one."""
    if n < 0:
        raise Error(ERR_INVALID, f"{doing}: negative size {n}")
    return n
