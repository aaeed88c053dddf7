"""Tables of data on stdout, shared by the commands that print them (jobs, stats, expand...)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ._text import cell
from ._text import title as title_text


def stdout() -> Console:
    """Tables on stdout; wide enough not to truncate when piped."""
    console = Console(highlight=False, soft_wrap=True)
    return console if console.is_terminal else Console(highlight=False, width=200)


def table(title: str, headers: list[str], rows: list[list[Any]]) -> Table:
    """A table of data: every title and cell literal text (no markup, no control characters)."""
    grid = Table(title=title_text(title), title_justify="left")
    for h in headers:
        grid.add_column(h, justify="right" if h in {"id", "units", "rows"} else "left")
    for row in rows:
        grid.add_row(*(cell(v) for v in row))
    return grid
