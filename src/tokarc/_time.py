"""Durations, dates and the clock: the one place tokarc reads a time from text.

Every ``since``, window, interval and freshness a user gives goes through here, so they share
one syntax and one wording of errors:

- a duration: a number and a unit, ``90s``, ``15m``, ``1h``, ``7d``, ``2w``;
- a date or time: ``2026-11-01``, ``2026-11-01T12:00`` (UTC unless it has an offset, such
  as ``2026-11-01T12:00+01:00`` or ``...Z``);
- a ``since``: either, a duration counting back from now.

A ``since`` after now (beyond :data:`SKEW`) is refused: the API has nothing newer than now, so
a run would spend units to find nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import overload

from .errors import InvalidInputError

DAY = 86_400
UNITS = {"s": 1, "m": 60, "h": 3600, "d": DAY, "w": 7 * DAY}
MAX_DURATION = 366 * DAY  # intervals and windows beyond a year are typos, not plans
#: How far ahead of this machine's clock a ``since`` may be: the API's clock and ours differ a
#: little, and "now" typed by hand is a few seconds old by the time it is checked.
SKEW = 60
DURATIONS = "a number and a unit, like 30m, 1h, 7d"
DATES = "a date like 2026-11-01 or a UTC time like 2026-11-01T12:00"
SINCES = f"{DATES}, or a duration back from now like 7d"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_DATE = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}"  # a day
    r"([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?\s*$"  # a time, an offset
)


def wall() -> float:
    """This machine's clock, in unix seconds (what "now" is unless a caller says otherwise)."""
    return time.time()


def parse_duration(text: str, what: str = "interval") -> int:
    """Seconds in ``text`` like ``90s``, ``15m``, ``1h``, ``7d``, ``2w``; InvalidInputError (its
    ``param`` is ``what``) for anything else, nothing, or more than a year."""
    match = _DURATION.match(text or "")
    seconds = int(float(match.group(1)) * UNITS[match.group(2)]) if match else 0
    if seconds < 1:
        dated = isinstance(text, str) and _DATE.match(text)  # a date: say why it cannot be
        why = f"a duration ({DURATIONS}), not a date" if dated else DURATIONS
        raise InvalidInputError(f"invalid {what} {text!r}: {why}", param=what)
    if seconds > MAX_DURATION:
        raise InvalidInputError(
            f"invalid {what} {text!r}: at most {MAX_DURATION // DAY}d", param=what
        )
    return seconds


def parse_duration_or_zero(text: str | float, what: str) -> float:
    """Seconds in ``text`` as :func:`parse_duration`, where ``0`` (text or number) means none
    and a number is seconds."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = f"{text}s" if text else "0"
    return 0.0 if str(text).strip() == "0" else float(parse_duration(str(text), what))


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of ``seconds`` in days, hours, minutes (``3600`` → ``1h``)."""
    for unit in ("d", "h", "m"):
        size = UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_date(text: str, what: str = "since") -> int:
    """Unix seconds of a date (``2026-11-01``: its midnight, UTC) or time (``2026-11-01T12:00``,
    UTC unless it has an offset); InvalidInputError naming the accepted formats else."""
    return _date(text, what, DATES)


@overload
def parse_since(text: str, now: float | None = None, what: str = "since") -> int: ...
@overload
def parse_since(text: None, now: float | None = None, what: str = "since") -> None: ...
def parse_since(text: str | None, now: float | None = None, what: str = "since") -> int | None:
    """Unix seconds of a ``since``: a date or time (:func:`parse_date`) or a duration back from
    ``now`` (``7d``); InvalidInputError for anything else or a time after ``now``. No ``since``
    (None or empty) is None."""
    if not text:
        return None
    at = wall() if now is None else now
    if _DURATION.match(text or ""):
        return int(at - parse_duration(text, what))
    return check_past(_date(text, what, SINCES), at, what)


def check_past(ts: float, now: float | None = None, what: str = "since") -> int:
    """``ts`` (unix seconds) as whole seconds if it is not after ``now`` (give or take
    :data:`SKEW`); InvalidInputError else: nothing is newer than now."""
    at = wall() if now is None else now
    if ts > at + SKEW:
        raise InvalidInputError(
            f"invalid {what} {iso(ts)}: it is in the future (now is {iso(at)}); "
            "give a time in the past",
            param=what,
        )
    return int(ts)


def unix(when: dt.datetime | dt.date) -> int:
    """Unix seconds of a datetime (naive: UTC) or a date (its midnight, UTC)."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    aware = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return int(aware.timestamp())


def iso(ts: float) -> str:
    """Unix seconds as a short UTC time: ``2026-11-01T12:00:00Z``."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(text: str, what: str, formats: str) -> int:
    """Unix seconds of a date or time; InvalidInputError naming ``formats`` else."""
    when = _datetime(text) if isinstance(text, str) and _DATE.match(text) else None
    if when is None:
        raise InvalidInputError(f"invalid {what} {text!r}: {formats}", param=what)
    return unix(when)


def _datetime(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:  # the right shape, not a day (2026-13-45) or hour (25:00)
        return None
