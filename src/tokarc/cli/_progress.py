"""The progress bar of long commands: items, pages, units, rate, on stderr.

Shown only when stderr is a terminal (and not with --quiet): piped or redirected runs stay clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress_bar import ProgressBar
from rich.table import Column, Table
from rich.text import Text

from ..collect import JobReport
from ._text import safe

OnPage = Callable[[JobReport], None]


LABEL_MIN = 8  # a label is cut to no fewer characters than this, else left out
BAR_MIN, BAR_MAX = 10, 40  # a bar narrower than 10 is left out; wider, it takes the room left


def enabled(console: Console, quiet: bool) -> bool:
    """Whether a bar would show: stderr is a terminal and --quiet is not given."""
    return console.is_terminal and not quiet


class Fitting(Progress):
    """A progress display whose line fits the terminal: it drops the columns in ``drop``,
    first to go first, then shortens the ``label`` column (or drops it), and never cuts the
    other columns (a clock cut to ``0:00:…`` says nothing). A bar takes the room left."""

    def __init__(
        self,
        *columns: ProgressColumn,
        drop: Sequence[ProgressColumn] = (),
        label: ProgressColumn | None = None,
        **options: Any,
    ) -> None:
        self.drop, self.label = tuple(drop), label  # before: the base class renders once
        super().__init__(*columns, **options)

    def make_tasks_table(self, tasks: Iterable[Task]) -> Table:
        rows = [t for t in tasks if t.visible]
        if not rows:  # (also while the base class is being made: no console yet)
            return Table.grid()
        cells = {c: [c(t) for t in rows] for c in self.columns if isinstance(c, ProgressColumn)}
        shown = list(cells)
        for column in self.drop:
            if self._excess(shown, cells) <= 0:
                break
            shown.remove(column)
        if self.label in cells and (excess := self._excess(shown, cells)) > 0:
            cells[self.label] = [_shortened(cell, excess) for cell in cells[self.label]]
            if self._excess(shown, cells) > 0:
                shown.remove(self.label)
        table = Table.grid(*(_table_column(c) for c in shown), padding=(0, 1))
        for i in range(len(rows)):
            table.add_row(*(cells[c][i] for c in shown))
        return table

    def _excess(
        self, shown: list[ProgressColumn], cells: dict[ProgressColumn, list[RenderableType]]
    ) -> int:
        """How many characters the line of ``shown`` columns is wider than the terminal."""
        widths = [max((self._width(cell) for cell in cells[c]), default=0) for c in shown]
        return sum(widths) + max(len(shown) - 1, 0) - self.console.width

    def _width(self, cell: RenderableType) -> int:
        if isinstance(cell, ProgressBar):
            return BAR_MIN
        return Measurement.get(self.console, self.console.options, cell).maximum


def _table_column(column: ProgressColumn) -> Column:
    out = column.get_table_column().copy()
    if isinstance(column, BarColumn):
        out.max_width = BAR_MAX
    return out


def _shortened(cell: RenderableType, excess: int) -> RenderableType:
    """A text cell ``excess`` characters shorter (not below :data:`LABEL_MIN`), with "…"."""
    if not isinstance(cell, Text):
        return cell
    cut = cell.copy()
    cut.truncate(max(cell.cell_len - excess, LABEL_MIN), overflow="ellipsis")
    return cut


@contextmanager
def job_progress(
    console: Console, label: str, *, total: int | None = None, quiet: bool = False
) -> Iterator[OnPage]:
    """A live bar while the block runs; yields the collector's ``on_page`` callback."""
    label = escape(safe(label))  # a target is data: no markup, no control characters
    label_column, bar_column = TextColumn("[bold]{task.description}"), BarColumn(None)
    pages, rate = TextColumn("· {task.fields[pages]} pages"), TextColumn("· {task.fields[rate]}")
    bar = Fitting(
        SpinnerColumn(),
        label_column,
        bar_column,
        TextColumn("{task.completed:,.0f} items"),
        pages,
        TextColumn("· {task.fields[units]} units"),
        rate,
        TimeElapsedColumn(),
        drop=(bar_column, rate, pages),
        label=label_column,
        console=console,
        disable=not enabled(console, quiet),
    )
    started = time.monotonic()
    task = bar.add_task(label, total=total, pages=0, units=0, rate="")

    def on_page(report: JobReport) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = f"{report.returned / elapsed:,.0f} items/s"
        bar.update(
            task, completed=report.returned, pages=report.pages, units=report.units, rate=rate
        )

    with bar:
        yield on_page
        done = bar.tasks[0].completed
        bar.update(task, total=max(done, 1), completed=done)  # a full bar at the end
