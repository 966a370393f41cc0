"""Reading files from others (model files, CSV data) within bounds.

:func:`read_bounded` reads a regular file only, up to a size limit: a FIFO,
a device (``/dev/zero``, a terminal) or a link to one is refused at once,
without blocking and without reading, and so is a file larger than the
limit, from its size alone.
"""

import os
import stat

from .exceptions import FileRefusedError

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode):
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def format_size(n_bytes):
    """``n_bytes`` for a message, as 1.5 MB or 300 bytes."""
    if n_bytes < 10**6:
        return f"{n_bytes} bytes"
    return f"{n_bytes / 1e6:.1f} MB"


def read_bounded(path, max_bytes, option="max_bytes"):
    """The bytes of the regular file ``path``, of at most ``max_bytes``.

    The file is opened without blocking (a FIFO opens at once) and checked
    with ``fstat`` before anything is read, so that whatever ``path`` names
    or links to, the call returns or raises quickly and reads at most
    ``max_bytes + 1`` bytes.

    Raises
    ------
    FileRefusedError
        If ``path`` is not a regular file, or is larger than ``max_bytes``;
        the message names ``option``, the setting that raises the limit.
    OSError
        If the file cannot be opened or read (FileNotFoundError,
        IsADirectoryError, ...).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            # As open() does.
            raise IsADirectoryError(21, "Is a directory", os.fspath(path))
        if not stat.S_ISREG(info.st_mode):
            raise FileRefusedError(
                f"{os.fspath(path)!r} is {_kind(info.st_mode)}, not a regular file."
            )
        if info.st_size > max_bytes:
            raise FileRefusedError(
                f"{os.fspath(path)!r} is {format_size(info.st_size)}, larger than "
                f"the limit of {format_size(max_bytes)}; pass a larger {option} "
                "if the file is trusted."
            )
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(2**20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise FileRefusedError(
                f"{os.fspath(path)!r} grew beyond the limit of "
                f"{format_size(max_bytes)} while being read."
            )
        return b"".join(chunks)
    finally:
        os.close(fd)
