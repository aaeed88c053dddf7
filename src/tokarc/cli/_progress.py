"""The progress bar of long commands: items, pages, units, rate, on stderr.

Shown only when stderr is a terminal (and not with --quiet): piped or redirected runs stay clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..collect import JobReport
from ._text import safe

OnPage = Callable[[JobReport], None]


def enabled(console: Console, quiet: bool) -> bool:
    """Whether a bar would show: stderr is a terminal and --quiet is not given."""
    return console.is_terminal and not quiet


@contextmanager
def job_progress(
    console: Console, label: str, *, total: int | None = None, quiet: bool = False
) -> Iterator[OnPage]:
    """A live bar while the block runs; yields the collector's ``on_page`` callback."""
    label = escape(safe(label))  # a target is data: no markup, no control characters
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} items · {task.fields[pages]} pages"),
        TextColumn("· {task.fields[units]} units · {task.fields[rate]}"),
        TimeElapsedColumn(),
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
