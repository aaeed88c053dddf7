"""Alert rules and the spike rule: what a watch's tick must meet to send an alert.

A rule is ``new_posts>N`` (the tick found more than N new posts), ``plays_per_hour>N`` (a post
of the watch gained plays faster than N an hour, measured over at least an hour), ``spike``
(the tick's new posts far above the watch's own baseline, :func:`is_spike`), ``gone`` (a
tracked post disappeared), ``renamed`` (the account a user watch follows changed its handle)
or ``overperforming>X`` (a post the tick observed scores more than X times its account's usual
at the same age, ``tokarc.analysis.overperforming``; on plays, or ``overperforming:likes>X``
on another count; a thin baseline never alerts). The report's "what changed" section uses the
same :func:`is_spike`.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InvalidInputError

#: name → takes a threshold (``name>N``).
RULES = {
    "new_posts": True,
    "plays_per_hour": True,
    "spike": False,
    "gone": False,
    "renamed": False,
    "overperforming": True,
}
#: The counts ``overperforming:METRIC>X`` may name (plays when none is).
SCORED = ("plays", "likes", "comments", "shares")
_RULE = re.compile(r"^\s*([a-z_]+)(?::([a-z]+))?\s*(?:>\s*(\d+(?:\.\d+)?))?\s*$")

# The spike rule: a value is a spike when it is at least SPIKE_MIN and more than SPIKE_FACTOR
# times the median of its own baseline of at least SPIKE_BASELINE earlier values.
SPIKE_FACTOR = 3.0
SPIKE_MIN = 10
SPIKE_BASELINE = 3
#: Rates are measured over at least this long (seconds): two observations a few seconds
#: apart say nothing about plays per hour.
MIN_RATE_SPAN = 3600


@dataclass(frozen=True)
class Rule:
    """One alert rule: ``name`` and, for the counting rules, ``threshold``."""

    name: str
    threshold: float | None = None
    metric: str | None = None  # overperforming: the count scored (None: plays)

    @property
    def text(self) -> str:
        """How the rule is written and stored: ``new_posts>50``, ``spike``,
        ``overperforming:likes>2.5``."""
        name = f"{self.name}:{self.metric}" if self.metric else self.name
        return name if self.threshold is None else f"{name}>{self.threshold:g}"


def parse_rule(text: str) -> Rule:
    """``new_posts>50``, ``plays_per_hour>100000``, ``spike``, ``gone``, ``renamed``,
    ``overperforming>3``,
    ``overperforming:likes>2.5`` → a Rule; InvalidInputError else."""
    match = _RULE.match(text or "")
    name, metric, value = match.groups() if match else ("", None, None)
    scored = name == "overperforming"
    if (
        not match
        or name not in RULES
        or RULES[name] != (value is not None)
        or (metric is not None and (not scored or metric not in SCORED))
        or (value is not None and "." in value and not scored)
    ):
        raise InvalidInputError(
            f"invalid --alert {text!r}: one of new_posts>N, plays_per_hour>N, spike, gone, "
            f"renamed, overperforming>X, overperforming:{'|'.join(SCORED)}>X"
        )
    threshold = None if value is None else (float(value) if "." in value else int(value))
    return Rule(name, threshold, metric)


def is_spike(value: float, baseline: Sequence[float], minimum: float = SPIKE_MIN) -> bool:
    """True if ``value`` is at least ``minimum`` and above SPIKE_FACTOR × the median of
    ``baseline`` (which needs SPIKE_BASELINE values at least: no baseline, no spike)."""
    if len(baseline) < SPIKE_BASELINE or value < minimum:
        return False
    return value > SPIKE_FACTOR * max(statistics.median(baseline), 1.0)
