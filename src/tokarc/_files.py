"""Files tokarc writes: whole or not at all, and never over a file the store uses.

:func:`atomic_file` is the one way tokarc writes a file (exports, the report, the config
file): the data goes to a temporary file in the same directory, is flushed and fsync'ed, and
only then renamed over the target, so a crash, a kill or a full disk leaves either the old file
or the new one, never half of one. :func:`refuse_same_file` keeps an output from landing on
the database it is read from.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .errors import InvalidInputError

__all__ = ["atomic_file", "is_same_file", "refuse_same_file", "unwritable"]


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    permissions: int = 0o666,
) -> Iterator[IO[Any]]:
    """An open file whose content replaces ``path`` only when the block ends without error.

    ``mode`` is ``"w"`` (text) or ``"wb"``; ``permissions`` are those of a new file (less the
    umask, like ``open``); a file written over keeps its own, within ``permissions``. On any
    error the temporary file is removed, ``path`` is left as it was, and an ``OSError`` names
    ``path``.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, permissions)
    except OSError as exc:
        raise _naming(exc, target) from exc
    try:
        _keep_mode(fd, target, permissions)
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _sync_directory(target.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _naming(exc, target) from exc
        raise


def _keep_mode(fd: int, target: Path, permissions: int) -> None:
    """A file written over keeps its permissions (as ``open(path, "w")`` would), never more
    open than ``permissions`` (a private file stays private from the first byte)."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return  # a new file: ``permissions`` less the umask
    os.fchmod(fd, mode & permissions)


def _naming(exc: OSError, target: Path) -> OSError:
    """The error as an OSError that names the file being written."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OSError(exc.errno or errno.EIO, f"cannot write {target}: {reason}")


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (where the platform can open a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def unwritable(path: str | os.PathLike[str], *, beside: Iterable[str] = ()) -> str | None:
    """Why the file ``path`` (new, or written over) cannot be written, or None if it can.

    ``beside`` are suffixes of files that must be created next to it unless they already
    exist and can be written (SQLite's ``-wal`` and ``-shm``). By the kernel's own checks
    (``access``, and ``statvfs`` to say why), so a read-only mount stops root too.
    """
    target = Path(path).expanduser().absolute()
    folder = target.parent
    if _read_only_mount(folder):
        return f"{folder} is on a read-only file system"
    if target.exists() and not os.access(target, os.W_OK):
        return f"the file {target} is read-only"
    sides = (target.with_name(target.name + s) for s in beside)
    new = not target.exists() or any(not os.access(side, os.W_OK) for side in sides)
    if new and not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} cannot be written"
    return None


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # a folder that does not exist; no statvfs (Windows)
        return False


def is_same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file: the same resolved path, or the same inode."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def refuse_same_file(
    out: str | os.PathLike[str], protected: Iterable[str | os.PathLike[str]], what: str = "output"
) -> None:
    """InvalidInputError if ``out`` is one of the ``protected`` files (the store's own)."""
    for path in protected:
        if is_same_file(out, path):
            raise InvalidInputError(
                f"invalid {what} {os.fspath(out)!r}: it is the database's own file "
                f"{os.fspath(path)!r}; writing there would destroy it (choose another file)"
            )
