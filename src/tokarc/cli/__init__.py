"""The ``tokarc`` command line: thin commands over the library.

Data goes to stdout, progress and messages to stderr. Exit codes: 0 success, 1 the run failed
(API or network, after retries), 2 bad usage or input, 130 interrupted. See ``docs/cli.md``.

Example: ``tokarc --sandbox hashtag magic --days 30 --db demo.db``
"""

from __future__ import annotations

from collections.abc import Sequence

import typer.main

from . import _admin, _archive, _commands, _expand, _media, _monitor, _workers
from ._app import app

__all__ = ["app", "main", "run"]

_COMMANDS = (_admin, _commands, _expand, _monitor, _media, _workers, _archive)  # for their commands


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: sys.argv); return the exit code."""
    code: int = typer.main.get_command(app).main(argv, "tokarc", standalone_mode=False)
    return code


def main(argv: Sequence[str] | None = None) -> None:
    """The ``tokarc`` console script."""
    raise SystemExit(run(argv))
