# SPDX-License-Identifier: MIT
"""Native handles that Python code cannot use after they are destroyed."""
import contextlib
import threading

from ._errors import ERR_INVALID, Error


class Handle:
    """A pointer to a libgomem object, and the right to destroy it.

    Every call on the object runs inside `with handle.use(what) as ptr:`,
    which raises gomem.Error (GOMEM_ERR_INVALID) once the handle is closed.
    With `serialize` the calls also take a lock, one at a time, as the
    library asks of most objects; without it (a shared scalable
    allocator) they run concurrently. close() waits for the calls under
    way, so the object is never destroyed under one of them.
    """

    def __init__(self, ptr, destroy, serialize=True):
        self._ptr = ptr
        self._destroy = destroy
        self._serial = threading.RLock() if serialize else contextlib.nullcontext()
        self._users = 0
        self._idle = threading.Condition()

    @property
    def closed(self):
        return self._ptr is None

    @contextlib.contextmanager
    def use(self, what):
        with self._serial:
            with self._idle:
                if self._ptr is None:
                    raise Error(ERR_INVALID, f"{what}: the object is closed")
                self._users += 1
            try:
                yield self._ptr
            finally:
                with self._idle:
                    self._users -= 1
                    if self._users == 0:
                        self._idle.notify_all()

    def close(self):
        """Destroy the object once no call uses it. Idempotent."""
        with self._serial, self._idle:
            ptr, self._ptr = self._ptr, None  # refuse new calls first
            self._idle.wait_for(lambda: self._users == 0)
        if ptr is not None:
            self._destroy(ptr)


class NativeObject:
    """The base of the public classes, which keep their Handle in _handle:
    close(), `closed`, use as a context manager, close() when collected."""

    _handle = None  # until __init__ has made the C object

    @property
    def closed(self):
        """True once close() has been called."""
        return self._handle is None or self._handle.closed

    def close(self):
        """Destroy the C object (see the class). Idempotent."""
        if self._handle is not None:
            self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()
