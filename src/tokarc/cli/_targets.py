"""The targets of a collecting command: its arguments, then those of ``--from-file``.

A file holds one target per line. Blank lines are skipped, and so is what follows a ``#`` that
starts a line or comes after a space when that ``#`` is followed by a space or ends the line:
``# my tags`` and ``magic  # the big one`` are comments, ``#magic`` is the hashtag magic.
``-`` reads the targets from standard input.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import errors
from . import _errors

_COMMENT = re.compile(r"(?:^|\s)#(?:\s|$).*")


@dataclass(frozen=True)
class Target:
    """A target as typed, and where it was given (for errors: ``tags.txt:3``)."""

    text: str
    origin: str = ""

    def refuse(self, exc: errors.InvalidInputError) -> _errors.CLIError:
        """``exc`` about this target, saying where it came from."""
        where = f"{self.origin}: " if self.origin else ""
        return _errors.CLIError(f"{where}{_errors.describe(exc)[1]}")


def read_targets(given: Sequence[str], from_file: str | None, what: str) -> list[Target]:
    """The targets, in order, each once; a CLIError (exit 2, nothing sent) when there are none
    or the file cannot be read."""
    targets = [Target(text) for text in given]
    if from_file is not None:
        targets += _from_file(from_file)
    if not targets and from_file is not None:
        name = "stdin" if from_file == "-" else from_file
        raise _errors.CLIError(f"invalid --from-file {name}: no {what} in it (one a line)")
    if not targets:
        raise _errors.CLIError(f"give a {what} or --from-file FILE (one {what} per line)")
    first = {t.text: t for t in reversed(targets)}  # each target where it was first given
    return [t for t in targets if first[t.text] is t]


def _from_file(path: str) -> list[Target]:
    name = "stdin" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _errors.CLIError(f"invalid --from-file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _errors.CLIError(f"invalid --from-file {path}: not UTF-8 text") from None
    lines = (_COMMENT.sub("", line).strip() for line in text.splitlines())
    return [Target(line, f"{name}:{n}") for n, line in enumerate(lines, 1) if line]
