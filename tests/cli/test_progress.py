"""The progress line fits the terminal: it drops columns (the bar, the rate, pages), never the
clock, the items or the units."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from tokarc.cli._app import Session
from tokarc.cli._media import media_progress
from tokarc.cli._progress import job_progress
from tokarc.collect import JobReport
from tokarc.media import MediaReport

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def last_line(width: int, label: str = "user_posts zachking") -> str:
    """The bar's last drawn line, at ``width`` columns, after a page of large numbers."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system=None)
    with job_progress(console, label) as on_page:
        on_page(JobReport(1, "user_posts", "zachking", pages=1234, returned=123_456, units=98_765))
    text = _ESCAPES.sub("\n", out.getvalue()).replace("\r", "\n")
    return [line for line in text.splitlines() if line.strip()][-1]


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 200])
def test_the_clock_items_and_units_are_whole_at_any_width(width: int) -> None:
    line = last_line(width)
    assert len(line.rstrip()) <= width
    assert re.search(r" \d+:\d\d:\d\d$", line.rstrip()), line  # the whole elapsed clock
    assert "123,456 items" in line
    assert "98765 units" in line
    assert "…" not in line.rsplit("units", 1)[1]


def test_at_80_columns_the_bar_and_rate_go_first() -> None:
    line = last_line(80)
    assert "user_posts zachking" in line
    assert "1234 pages" in line
    assert "items/s" not in line
    assert "━" not in line


def test_wide_terminals_show_everything() -> None:
    line = last_line(200)
    assert "━" in line
    assert "items/s" in line
    assert "1234 pages" in line


def test_a_long_label_is_shortened_not_the_clock() -> None:
    line = last_line(70, "hashtag " + "x" * 32)
    assert "hashtag x" in line
    assert "…" in line
    assert re.search(r" \d+:\d\d:\d\d$", line.rstrip()), line


class _Terminal(Session):
    """A session whose stderr is a terminal of 100 columns, written to ``out``."""

    out: io.StringIO

    @property
    def console(self) -> Console:
        return Console(file=self.out, width=100, force_terminal=True, color_system=None)


def test_the_media_bar_draws_before_and_while_files_come() -> None:
    state = _Terminal()
    state.out = io.StringIO()
    with media_progress(state, "media") as on_file:
        on_file.bar.refresh()  # drawn before the plan is known (a plan takes a while)
        on_file(MediaReport(planned=31, downloaded=12, failed=1, bytes=2_500_000))
        on_file.bar.refresh()
    text = _ESCAPES.sub("\n", state.out.getvalue()).replace("\r", "\n")
    lines = [line for line in text.splitlines() if line.strip()]
    assert any("media" in line and "planning" in line for line in lines), lines
    assert "13/31 files · 2.5 MB" in lines[-1]
