"""Issue 25: a default spending cap, configurable, said when reached, continued by resume;
each asserts the units the emulator charged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tokarc.cli import _cap
from tokarc.client.constants import DEFAULT_MAX_UNITS

from .conftest import Ran, one_line_error, rows

REPLIES = ("comments", "7697304035832892557", "--replies")  # 1,782 units, uncapped (seed 0)
WHOLE = 1782


def api(live: Any) -> tuple[str, ...]:
    return ("--base-url", live.base_url, "--token", "t")


def charged(live: Any) -> int:
    return int(live.emulator.stats.units_total)


def test_the_default_cap_stops_a_run_resumably_and_resume_continues(
    cli: Any, live_emulator: Any
) -> None:
    first: Ran = cli(*api(live_emulator), *REPLIES, "--db", "c.db")
    assert first.code == 0, first.err
    assert charged(live_emulator) == DEFAULT_MAX_UNITS == 500
    hint = (
        f"stopped at the default cap of 500 units; `tokarc --base-url {live_emulator.base_url} "
        "resume 1 --db c.db --max-units 2000` continues"
    )
    assert hint in first.err
    assert rows(Path("c.db"), "SELECT status FROM jobs") == [("stopped",)]
    again = cli(*api(live_emulator), "resume", "1", "--db", "c.db", "--max-units", "2000")
    assert again.code == 0, again.err
    assert rows(Path("c.db"), "SELECT status FROM jobs") == [("done",)]
    assert charged(live_emulator) == WHOLE  # each page once: on from where it stopped
    assert "stopped at" not in again.err


def test_resume_without_max_units_has_the_default_cap_too(cli: Any, live_emulator: Any) -> None:
    assert cli(*api(live_emulator), *REPLIES, "--db", "c.db").code == 0
    again = cli(*api(live_emulator), "resume", "1", "--db", "c.db")
    assert again.code == 0, again.err
    assert charged(live_emulator) == 1000
    assert "stopped at the default cap of 500 units" in again.err


def test_the_environment_and_the_config_file_set_the_cap(
    cli: Any, live_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = cli("configure", "--max-units", "4")
    assert saved.code == 0, saved.err
    assert "a cap of 4 units" in saved.err
    ran = cli(*api(live_emulator), "hashtag", "magic", "--db", "m.db")
    assert ran.code == 0, ran.err
    assert charged(live_emulator) == 4
    assert "stopped at the cap of 4 units (max_units in " in ran.err
    monkeypatch.setenv("TOKARC_MAX_UNITS", "3")  # the environment before the config file
    ran = cli(*api(live_emulator), "hashtag", "cats", "--db", "m.db")
    assert charged(live_emulator) == 4 + 3
    assert "stopped at the cap of 3 units (TOKARC_MAX_UNITS); " in ran.err
    ran = cli(*api(live_emulator), "hashtag", "dance", "--max-units", "2", "--db", "m.db")
    assert charged(live_emulator) == 4 + 3 + 2  # --max-units before both
    assert "stopped at the cap of 2 units (--max-units); " in ran.err


def test_max_units_none_is_no_cap(cli: Any, live_emulator: Any) -> None:
    ran = cli(*api(live_emulator), *REPLIES, "--db", "c.db", "--max-units", "none")
    assert ran.code == 0, ran.err
    assert charged(live_emulator) == WHOLE > DEFAULT_MAX_UNITS
    assert rows(Path("c.db"), "SELECT status FROM jobs") == [("done",)]


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        ({}, ("--max-units", "abc"), "invalid --max-units abc: a whole number of 1 or more"),
        ({}, ("--max-units", "-1"), "invalid --max-units -1"),
        ({"TOKARC_MAX_UNITS": "lots"}, (), "invalid TOKARC_MAX_UNITS lots"),
    ],
)
def test_a_bad_cap_is_one_line_exit_2_before_any_request(
    cli: Any,
    live_emulator: Any,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: tuple[str, ...],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ran = cli(*api(live_emulator), "hashtag", "magic", "--db", "m.db", *args)
    assert ran.code == 2
    assert message in one_line_error(ran)
    assert charged(live_emulator) == 0
    assert not Path("m.db").exists()


def test_configure_refuses_a_bad_cap(cli: Any) -> None:
    ran = cli("configure", "--max-units", "0")
    assert ran.code == 2
    assert "invalid --max-units 0" in one_line_error(ran)


def test_a_terminal_is_asked_before_a_run_over_the_cap(
    cli: Any, live_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cap, "interactive", lambda: True)  # stdin a terminal
    big = ("keyword", "magic trick", "--max-items", "2000", "--max-units", "10", "--db", "k.db")
    no = cli(*api(live_emulator), *big, input="n\n")
    assert no.code != 0
    assert "may cost up to 100 units; it stops at the cap of 10" in no.err
    assert charged(live_emulator) == 0
    yes = cli(*api(live_emulator), *big, input="y\n")
    assert yes.code == 0, yes.err
    assert charged(live_emulator) == 10
    small = cli(*api(live_emulator), "keyword", "magic", "--max-items", "40", "--db", "k.db")
    assert "Start?" not in small.err  # within the cap: not asked
    assert charged(live_emulator) == 12
