"""One writer at a time on an append-only file, across threads and processes.

The audit trail (registry/audit.py) and the usage ledger (cost/ledger.py) are JSON-lines files
that several kernels may append to at once. Each append holds a per-process thread lock, then an
exclusive ``flock`` on ``<file>.lock`` (``filelock`` on Windows). An append holds it for about
0.1 ms, so a waiter polls with a short, growing sleep rather than blocking without a deadline.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["locked"]


@contextlib.contextmanager
def locked(
    path: Path,
    thread_lock: threading.Lock,
    *,
    timeout: float,
    what: str,
    error: type[Exception] = OSError,
) -> Iterator[None]:
    """Hold ``thread_lock`` and the process-wide lock of ``path`` for the ``with`` block.

    Raises:
        error: (``what`` names the file for the user) when either lock is not had in ``timeout``
            seconds, saying which.
    """
    if not thread_lock.acquire(timeout=timeout):
        raise error(f"another thread has held {what} {path} for {timeout} s")
    try:
        lock_file = f"{path}.lock"
        if sys.platform == "win32":
            from filelock import FileLock, Timeout  # noqa: PLC0415 - portable fallback

            try:
                with FileLock(lock_file, timeout=timeout):
                    yield
            except Timeout as err:
                raise error(f"could not lock {lock_file} in {timeout} s") from err
        else:
            with _flock(lock_file, timeout, error):
                yield
    finally:
        thread_lock.release()


@contextlib.contextmanager
def _flock(lock_file: str, timeout: float, error: type[Exception]) -> Iterator[None]:
    import fcntl  # noqa: PLC0415 - POSIX only

    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        wait = 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise error(
                        f"could not lock {lock_file} in {timeout} s: another process holds it "
                        "(a stuck hubwidgets?)"
                    ) from None
                time.sleep(wait)
                wait = min(wait * 2, 0.001)  # short: an append holds the lock ~0.1 ms
        yield
    finally:
        os.close(fd)  # closing releases the lock
