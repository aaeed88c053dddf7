"""Dates on the command line: a bad one names the formats, one in the future is a usage error
(exit 2, one line, nothing spent: the emulator's own count says so), options as typed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokarc.cli import app
from tokarc.cli._app import Session
from tokarc.emulator import Emulator

from .conftest import Ran, one_line_error


def sandboxed(*args: str) -> tuple[Ran, Emulator]:
    """``tokarc --sandbox ARGS`` in-process, on an emulator whose counts the test can read."""
    emulator = Emulator(seed=0, start_time=int(time.time()))  # as --sandbox makes it
    state = Session(emulator=emulator)
    result = CliRunner().invoke(app, ["--sandbox", *args], obj=state)
    return Ran(result.exit_code, result.stdout, result.stderr), emulator


def units(emulator: Emulator) -> tuple[int, int]:
    stats = emulator.stats.to_dict()
    return stats["requests_total"], stats["units_total"]


@pytest.mark.parametrize(
    "args",
    [
        ("user-posts", "zachking", "--since", "2999-01-01"),
        ("hashtag", "magic", "--since", "2999-01-01T00:00"),
        ("keyword", "magic", "--since", "2100-06-01"),
        ("hashtag", "magic", "--full", "--since", "2999-01-01"),
        ("user-posts", "zachking", "--since", "2999-01-01", "--estimate"),
    ],
)
def test_a_since_in_the_future_is_refused_and_costs_nothing(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    db = tmp_path / "f.db"
    ran, emulator = sandboxed(*args, "--db", str(db))
    assert ran.code == 2, ran.err
    line = one_line_error(ran)
    assert "invalid --since" in line
    assert "in the future" in line
    assert units(emulator) == (0, 0)
    assert not db.exists()


def test_a_since_in_the_past_still_collects(tmp_path: Path) -> None:
    ran, emulator = sandboxed(
        "user-posts", "zachking", "--since", "30d", "--db", str(tmp_path / "p.db")
    )
    assert ran.code == 0, ran.err
    assert units(emulator)[1] > 0  # the control: the same path spends when it should


@pytest.mark.parametrize("text", ["2026-13-45", "2026-02-30", "next week", "2026/11/01"])
def test_a_bad_date_names_the_formats(tmp_path: Path, text: str) -> None:
    ran, emulator = sandboxed(
        "user-posts", "zachking", "--since", text, "--db", str(tmp_path / "b.db")
    )
    assert ran.code == 2
    line = one_line_error(ran)
    assert line.startswith(f"tokarc: error: invalid --since {text!r}: a date like 2026-11-01")
    assert "2026-11-01T12:00" in line
    assert "7d" in line
    assert units(emulator) == (0, 0)


def test_a_watch_window_that_is_a_date_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    for window in ("2999-01-01", "2026-11-01"):
        ran, emulator = sandboxed(
            "watch", "add", "hashtag", "magic", "--window", window, "--db", str(db)
        )
        assert ran.code == 2
        assert f"invalid --window {window!r}: a duration" in one_line_error(ran)
        assert units(emulator) == (0, 0)
    assert not db.exists()


def test_an_expansion_with_a_date_for_freshness_sends_nothing(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    ran, emulator = sandboxed(
        "expand", "--db", str(db), "--from", "hashtag:magic", "--to", "authors",
        "--fresh-for", "2999-01-01",
    )  # fmt: skip
    assert ran.code == 2
    assert "invalid --fresh-for '2999-01-01'" in one_line_error(ran)
    assert units(emulator) == (0, 0)
    assert not db.exists()


def test_a_report_since_in_the_future_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    ran, _ = sandboxed("hashtag", "magic", "--max-items", "5", "--db", str(db))
    assert ran.code == 0, ran.err
    ran, _ = sandboxed(
        "report", "--db", str(db), "-o", str(tmp_path / "r.html"), "--since", "2999-01-01"
    )
    assert ran.code == 2
    assert "invalid --since" in one_line_error(ran)
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("user-posts", "zachking", "--max-items", "0"), "invalid --max-items 0"),
        (("hashtag", "magic", "--max-units", "0"), "invalid --max-units 0"),
        (("hashtag", "magic", "--days", "0"), "invalid --days 0"),
        (("keyword", "magic", "--full", "--max-items", "5"), "invalid --max-items with"),
        (("expand", "--db", "x.db", "--from", "hashtag:magic", "--to", "authors",
          "--per-target", "0"), "invalid --per-target 0"),
        (("watch", "add", "hashtag", "magic", "--every", "soon", "--db", "x.db"),
         "invalid --every 'soon'"),
    ],
)  # fmt: skip
def test_errors_name_options_as_typed(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    ran, emulator = sandboxed(*args)
    assert ran.code == 2
    line = one_line_error(ran)
    assert said in line
    assert not re.search(r"(?<![-\w])(max_items|max_units|per_target|fresh_for)\b", line)
    assert units(emulator) == (0, 0)


def test_estimate_hints_name_options_as_typed() -> None:
    ran, emulator = sandboxed("user-posts", "zachking", "--estimate")
    assert ran.code == 0, ran.err
    assert "give --max-items" in ran.out
    assert "max_items" not in ran.out
    assert units(emulator) == (0, 0)
