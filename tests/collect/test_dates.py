"""Dates and durations (``tokarc._time``): one syntax, and nothing spent on a time to come.

A ``since`` after now finds nothing (the API has nothing newer than now) but would cost
units: the library refuses it before any request, and the emulator's own count says so.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from tokarc import _time as T
from tokarc.collect import Collector, ExpandSpec, JobSpec
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.monitor import Watches
from tokarc.monitor import parse_duration as monitor_parse_duration
from tokarc.store import Store

from .conftest import client_for

FAR = int(dt.datetime(2999, 1, 1, tzinfo=dt.UTC).timestamp())


def spent(emulator: Emulator) -> tuple[int, int]:
    """Requests and units, as the emulator counted them."""
    stats = emulator.stats.to_dict()
    return stats["requests_total"], stats["units_total"]


@pytest.mark.parametrize(
    ("text", "unix"),
    [
        ("2026-11-01", 1_793_491_200),
        ("2026-11-01T12:00", 1_793_534_400),  # naive: UTC
        ("2026-11-01 12:00:30", 1_793_534_430),
        ("2026-11-01T12:00+01:00", 1_793_530_800),
        ("2026-11-01T12:00:00Z", 1_793_534_400),
    ],
)
def test_dates_and_times(text: str, unix: int) -> None:
    assert T.parse_date(text) == unix
    assert T.parse_since(text, now=unix + 1) == unix


def test_a_since_may_be_a_duration_back_from_now() -> None:
    assert T.parse_since("7d", now=1_000_000) == 1_000_000 - 7 * 86_400
    assert T.parse_since(None) is None
    assert T.parse_since("") is None


@pytest.mark.parametrize("text", ["2026-13-45", "2026-02-30", "2026-11-01T25:00", "yesterday"])
def test_a_bad_date_names_the_formats(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        T.parse_since(text)
    message = str(caught.value)
    assert message.startswith(f"invalid since {text!r}: ")
    assert "2026-11-01" in message
    assert "2026-11-01T12:00" in message
    assert "7d" in message
    assert caught.value.param == "since"


def test_the_future_with_a_little_clock_skew() -> None:
    now = 1_800_000_000.0
    assert T.check_past(now + T.SKEW, now) == int(now + T.SKEW)  # clocks differ a little
    with pytest.raises(InvalidInputError, match="in the future"):
        T.check_past(now + T.SKEW + 1, now)
    with pytest.raises(InvalidInputError, match="in the future"):
        T.parse_since("2999-01-01")


def test_one_duration_syntax_for_watches_and_expansions() -> None:
    assert monitor_parse_duration is T.parse_duration  # the public name is the one function
    assert T.parse_duration("1.5h") == 5400
    assert T.parse_duration_or_zero("0", "fresh_for") == 0.0
    assert T.parse_duration_or_zero(90, "fresh_for") == 90.0
    assert ExpandSpec.build("hashtag:magic", "authors", fresh_for="12h").fresh_for == 43_200
    with pytest.raises(InvalidInputError, match="not a date") as caught:
        T.parse_duration("2026-11-01", "window")
    assert caught.value.param == "window"


def test_a_spec_checks_itself_against_now() -> None:
    spec = JobSpec("user_posts", "zachking", since=FAR)
    with pytest.raises(InvalidInputError, match="invalid since 2999-01-01T00:00:00Z"):
        spec.check()
    assert spec.check(now=FAR) == "zachking"  # in a world where that is now, it is fine
    with pytest.raises(InvalidInputError, match="in the future"):
        JobSpec.build("hashtag", "magic", since=FAR)


@pytest.mark.parametrize("kind", ["user_posts", "hashtag", "keyword"])
def test_the_collector_spends_nothing_on_a_future_since(
    collector: Collector, emulator: Emulator, kind: str
) -> None:
    with pytest.raises(InvalidInputError, match="in the future"):
        collector.run(JobSpec(kind, "zachking" if kind == "user_posts" else "magic", since=FAR))
    assert spent(emulator) == (0, 0)


def test_a_stored_job_with_a_future_since_is_not_resumed(
    collector: Collector, emulator: Emulator
) -> None:
    job = collector.job_for(JobSpec("user_posts", "zachking", since=FAR))  # as an old tokarc did
    with pytest.raises(InvalidInputError, match="in the future"):
        collector.resume(job.id)
    assert spent(emulator) == (0, 0)


@pytest.mark.parametrize(
    "since", ["2999-01-01", dt.datetime(2999, 1, 1), dt.date(2999, 1, 1), dt.timedelta(days=-2)]
)
def test_the_client_spends_nothing_on_a_future_since(emulator: Emulator, since: Any) -> None:
    with client_for(emulator) as client, pytest.raises(InvalidInputError, match="in the future"):
        list(client.tiktok.iter_user_posts("zachking", since=since))
    assert spent(emulator) == (0, 0)


def test_a_recent_since_still_collects(collector: Collector, emulator: Emulator) -> None:
    emulator.clock.set(int(time.time()))  # the world is now
    since = T.parse_since("30d")
    report = collector.run(JobSpec.build("user_posts", "zachking", since=since))
    assert report.units > 0
    assert spent(emulator)[1] == report.units


def test_a_watch_window_is_a_duration(store: Store) -> None:
    watches = Watches(store)
    for window in ("2999-01-01", "2026-11-01", "-7d", "0d"):
        with pytest.raises(InvalidInputError, match="invalid window") as caught:
            watches.add("hashtag", "magic", window=window)
        assert caught.value.param == "window"
    with pytest.raises(InvalidInputError, match="invalid every"):
        watches.add("hashtag", "magic", every="2999-01-01")
    assert watches.all() == []


def test_an_expansion_refuses_a_date_for_its_freshness() -> None:
    with pytest.raises(InvalidInputError, match="invalid fresh_for '2999-01-01'") as caught:
        ExpandSpec.build("hashtag:magic", "authors", fresh_for="2999-01-01")
    assert caught.value.param == "fresh_for"
    with pytest.raises(InvalidInputError) as bad:
        ExpandSpec.build("hashtag:magic", "authors", per_target=0)
    assert bad.value.param == "per_target"
