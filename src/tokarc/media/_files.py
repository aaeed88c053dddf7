"""Content-addressed files under a media root: ``ab/cd/<sha256>.<ext>``, written safely.

A download is streamed into a temporary file in the root (``.tokarc-<pid>-<n>.part``), hashed as
it goes, flushed with fsync, then renamed under its final name, and the folder is fsynced: a kill
at any moment leaves either no file under the final name or a complete one. Parts left by a
killed process (its pid no longer runs) are removed when a root is opened.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import TokarcError

#: Free space a run needs before it starts (and keeps, file by file), in bytes.
MIN_FREE = 64 * 1024 * 1024

#: File extensions by content type (what the name ends with).
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/png": "png",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "text/vtt": "vtt",
}

_PART = ".part"


class DiskFullError(TokarcError, OSError):
    """The disk holding the media root is full (or below the free space a run needs)."""


@dataclass(frozen=True)
class Stored:
    """A file under its final name: where (relative to the root), its hash and size."""

    path: str
    sha256: str
    size: int


class MediaRoot:
    """A folder of content-addressed files (created if missing).

    >>> root = MediaRoot("media")
    >>> stored = root.write([b"\\xff\\xd8..."], "image/jpeg")  # doctest: +SKIP
    >>> stored.path  # doctest: +SKIP
    'ab/cd/abcd....jpg'
    """

    def __init__(self, path: str | os.PathLike[str], min_free: int = MIN_FREE) -> None:
        self.path = Path(path)
        self.min_free = min_free
        self._serial = itertools.count()
        self.path.mkdir(parents=True, exist_ok=True)
        self.clean_parts()

    def final(self, sha256: str, content_type: str) -> str:
        """The relative path of the file with this hash and type."""
        ext = EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "bin")
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"

    def has(self, relative: str) -> bool:
        """Whether the file is there under its final name."""
        return (self.path / relative).is_file()

    def check_space(self, needed: int = 0) -> None:
        """Raise :class:`DiskFullError` unless ``needed`` bytes plus the margin are free."""
        free = shutil.disk_usage(self.path).free
        if free < needed + self.min_free:
            raise DiskFullError(
                f"not enough free space for media in {self.path}: {_mb(free)} free, "
                f"{_mb(needed + self.min_free)} needed"
            )

    def write(self, chunks: Iterable[bytes], content_type: str | Callable[[], str]) -> Stored:
        """Stream ``chunks`` to a part file, then put it under its final name.

        ``content_type`` (or what it returns once the chunks are written) names the extension.
        The part is removed if anything fails (``chunks`` raising included); a full disk
        raises :class:`DiskFullError`.
        """
        part = self.path / f".tokarc-{os.getpid()}-{next(self._serial)}{_PART}"
        try:
            digest, size = self._stream(part, chunks)
            kind = content_type() if callable(content_type) else content_type
            relative = self.final(digest, kind)
            self._place(part, self.path / relative)
        except OSError as exc:
            part.unlink(missing_ok=True)
            if exc.errno == errno.ENOSPC:
                raise DiskFullError(f"the disk holding {self.path} is full") from exc
            raise
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return Stored(relative, digest, size)

    def _stream(self, part: Path, chunks: Iterable[bytes]) -> tuple[str, int]:
        sha, size = hashlib.sha256(), 0
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            for chunk in chunks:
                self._write(fd, chunk)
                sha.update(chunk)
                size += len(chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        return sha.hexdigest(), size

    def _write(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    def _place(self, part: Path, final: Path) -> None:
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.is_file():  # the same bytes are there already (content-addressed)
            part.unlink()
            return
        os.replace(part, final)
        _fsync_dir(final.parent)

    def clean_parts(self) -> int:
        """Remove part files whose writing process is gone; how many were removed."""
        removed = 0
        for part in self.path.glob(f".tokarc-*{_PART}"):
            pid = part.name.split("-")[1]
            if pid.isdigit() and not _alive(int(pid)):
                part.unlink(missing_ok=True)
                removed += 1
        return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mb(n: int) -> str:
    return f"{n / 1_048_576:,.0f} MB"
