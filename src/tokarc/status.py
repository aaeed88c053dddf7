"""The words tokarc stores and compares for how things went: one StrEnum each, one place.

A member is its string (``JobStatus.DONE == "done"``), so the values in the database, in JSON
output and in older code read the same.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """A collection job's ``status`` (the ``jobs`` table, ``JobReport.status``)."""

    PENDING = "pending"  # created, never run
    RUNNING = "running"
    DONE = "done"  # the walk is complete (for now: an incremental run may go on later)
    STOPPED = "stopped"  # a limit stopped it (the budget); resumable
    FAILED = "failed"  # the target failed (private, gone, restricted): see ``outcome``
    INTERRUPTED = "interrupted"  # Ctrl-C, a signal, an API or network failure; resumable


class StopReason(StrEnum):
    """Why a walk or a run ended (``jobs.stop_reason``, ``PagerState.stop_reason``)."""

    EXHAUSTED = "cursor_exhausted"  # the API sent no next cursor
    STUCK = "cursor_stuck"  # the server sent back the cursor it was given
    MAX_ITEMS = "max_items"
    SINCE = "since"  # the feed (newest first) went past the ``since`` time
    BUDGET = "budget"  # the next call's worst case did not fit in what was left
    CAUGHT_UP = "caught_up"  # an incremental pass reached what the store had
    COMPLETE = "complete"  # a one-call or by-id job did its calls
    INTERRUPTED = "interrupted"  # Ctrl-C, a signal, an API, network or database failure
    ERROR = "error"  # an unexpected error (a bug in tokarc): see the outcome; resumable
    TARGET = "target"  # the target failed (see the job's outcome)


class RunStatus(StrEnum):
    """How one run of a watch went (``watch_runs.status``, ``watches.last_status``)."""

    OK = "ok"
    BUDGET = "budget"  # the day's budget is spent: the watch waits for the next day
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    EMPTY = "empty"  # nothing to run (a posts watch with no stored posts)


class TargetOutcome(StrEnum):
    """What became of one planned target of an expansion (``expand_targets.outcome``)."""

    DONE = "done"
    FRESH = "fresh"  # collected recently enough: skipped
    PRIVATE = "private"
    GONE = "gone"  # not found, deleted
    RESTRICTED = "restricted"
    INVALID = "invalid"
    FAILED = "failed"


class MediaStatus(StrEnum):
    """How one file of the media archive stands (``media.status``, ``Outcome.status``)."""

    DONE = "done"  # under the media root, named by its sha256
    FAILED = "failed"  # tried ``attempts`` times; a rerun tries again
    EXPIRED = "expired"  # the URL expired and no fresh one could be had yet; a rerun tries again
    TOO_LARGE = "too_large"  # over ``--max-bytes``; a rerun leaves it


class AlertStatus(StrEnum):
    """Where one alert of a watch is (``alerts.status``)."""

    PENDING = "pending"  # to be posted to the watch's webhook
    SENT = "sent"
    FAILED = "failed"  # every attempt failed
    RECORDED = "recorded"  # the watch has no webhook: kept, shown, never posted


class WatchState(StrEnum):
    """What a watch is doing now (``tokarc watch list``, the report)."""

    ACTIVE = "active"
    RUNNING = "running"  # a tick holds its lease
    PAUSED = "paused"


class DigestStatus(StrEnum):
    """Where one digest stands for one destination (``digests.status``)."""

    SENDING = "sending"  # recorded before it goes out: a crash leaves it so, and it goes again
    SENT = "sent"
    FAILED = "failed"


class AccountState(StrEnum):
    """What became of an account at one time (``account_events.state``)."""

    FOUND = "found"  # first seen
    PRIVATE = "private"  # 472
    RESTRICTED = "restricted"  # 471
    UNAVAILABLE = "unavailable"  # 474
    NOT_FOUND = "not_found"  # 473
    BACK = "back"  # seen again after one of the above


class PostState(StrEnum):
    """What became of a post at one time (``post_events.state``)."""

    GONE = "gone"  # marked gone (``posts.gone_at``): lookups by id stopped bringing it back
    RESTRICTED = "restricted"  # 520
    BACK = "back"  # seen again after one of the above


#: The API's codes for what it withholds, as the state they put an account or post in.
ACCOUNT_CODES = {
    472: AccountState.PRIVATE,
    471: AccountState.RESTRICTED,
    474: AccountState.UNAVAILABLE,
    473: AccountState.NOT_FOUND,
}
POST_CODES = {520: PostState.RESTRICTED}
