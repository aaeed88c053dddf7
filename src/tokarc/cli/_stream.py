"""Records on stdout as each page arrives, and a reader that goes away (``| head``)."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

from ..client.pagination import record_key
from ..dataset import text_out  # stdout as the export writes it (terminal-safe on a tty)
from ..store import record_json

# The record type each exported entity holds (what of a page goes to stdout).
_TYPES = {
    "posts": "Post",
    "users": "User",
    "comments": "Comment",
    "music": "Music",
    "lives": "Live",
}


class PipeClosed(Exception):
    """stdout's reader is gone: the run ends at this page."""


class Stream:
    """Writes each committed page's records to stdout as JSONL (their raw JSON, as the
    export does), each record once, flushed per page so a reader sees them at once."""

    def __init__(self, record_type: str) -> None:
        self.record_type = record_type
        self._seen: set[str] = set()

    @classmethod
    def of(cls, entity: str) -> Stream:
        return cls(_TYPES.get(entity, "Post"))

    def __call__(self, records: list[Any]) -> None:
        lines = [record_json(r) for r in records if self._new(r)]
        try:
            with text_out("-") as out:
                if lines:
                    out.write("\n".join(lines) + "\n")
                out.flush()
        except BrokenPipeError:
            raise PipeClosed("the output was closed") from None

    def _new(self, record: Any) -> bool:
        if type(record).__name__ != self.record_type:
            return False
        key = record_key(record)
        if key is None:
            return True
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that nothing fails again writing to a closed pipe
    (Python flushes stdout at exit)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
