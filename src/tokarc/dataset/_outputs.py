"""Where an export goes: a path (written whole or not at all, never over the store's own files),
``"-"`` (standard output, terminal-safe on a terminal) or an open text or binary stream."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator
from typing import IO, Any, cast

from .._files import atomic_file, refuse_same_file
from ..store import Store, sqlite_files

ExportTarget = str | os.PathLike[str] | IO[str] | IO[bytes]


def refuse_store_file(store: Store, out: ExportTarget) -> None:
    """InvalidInputError when the path ``out`` is the store's database or one of its files."""
    if isinstance(out, str | os.PathLike) and out != "-":
        refuse_same_file(out, sqlite_files(store.url))


@contextlib.contextmanager
def text_out(out: ExportTarget, newline: str | None = None) -> Iterator[IO[str]]:
    """A text stream on ``out``: a path (created), ``"-"`` (stdout) or an open stream."""
    if out == "-":
        yield cast(IO[str], _TerminalSafe(sys.stdout)) if sys.stdout.isatty() else sys.stdout
    elif isinstance(out, str | os.PathLike):
        with atomic_file(out, "w", encoding="utf-8", newline=newline) as f:
            yield f
    elif isinstance(out, io.TextIOBase) or not _is_binary(out):
        yield out  # type: ignore[misc]
    else:
        binary: Any = out
        wrapper = io.TextIOWrapper(binary, encoding="utf-8", newline=newline)
        try:
            yield wrapper
        finally:
            wrapper.flush()
            wrapper.detach()  # the caller's stream stays open


@contextlib.contextmanager
def binary_out(out: ExportTarget) -> Iterator[Any]:
    """A binary stream on ``out``: a path (created), ``"-"`` (stdout) or an open stream."""
    if out == "-":
        yield sys.stdout.buffer
    elif isinstance(out, str | os.PathLike):
        with atomic_file(out, "wb") as f:
            yield f
    elif isinstance(out, io.TextIOBase):
        raise TypeError("Parquet needs a binary stream, got a text stream")
    else:
        yield out


# What a terminal would act on rather than show: C0 controls but tab and newline, DEL, C1
# controls (U+009B is a CSI), and bidirectional marks, embeddings, overrides and isolates.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


class _TerminalSafe:
    """Stdout on a terminal: records are shown, so the characters a terminal would act on are
    written as JSON escapes (``\\u001b``); JSON lines stay valid and mean the same."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _is_binary(stream: Any) -> bool:
    return isinstance(stream, io.RawIOBase | io.BufferedIOBase) or "b" in getattr(
        stream, "mode", ""
    )
