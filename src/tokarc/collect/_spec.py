"""What a job collects (its identity) and how a run goes (its limits)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec

from .._time import check_past, wall
from ..client import check_days, checked_params, post_id
from ..client.pagination import PagerState
from ..errors import InvalidInputError
from ._kinds import JobKind, kind

DAY = 86_400

#: The parameter that bounds a server-side search (the guide: "stop fetching posts after a
#: certain cursor value"; the server's internal cursor is an offset in posts).
BOUND_PARAM = "max_cursor"


@dataclass(frozen=True)
class JobSpec:
    """A collection job: ``kind`` and ``target``, endpoint ``params``, and run limits.

    ``since`` is absolute (unix seconds) so a resumed run asks for the same thing. ``days``,
    given to :meth:`build`, is a rolling window: the job is known by ``days`` (so the same
    command reaches the same job tomorrow), and ``since`` is that window counted back from
    the run's start. ``max_items``, ``max_units`` and ``incremental`` govern a run and may
    change between runs; the rest is what the job collects.

    Example::

        JobSpec.build("hashtag", "magic", days=7, max_units=50)
    """

    kind: str
    target: str
    params: Mapping[str, Any] = field(default_factory=dict)
    since: int | None = None
    replies: bool = False
    ids: tuple[str, ...] = ()
    no_pinned: bool = False
    max_items: int | None = None
    max_units: int | None = None
    incremental: bool = False
    gone_after: int = 2  # posts: consecutive lookups that miss a post before it is marked gone
    days: float | None = None  # a rolling window: the job's identity instead of ``since``

    @classmethod
    def build(
        cls,
        kind_name: str,
        target: str = "",
        *,
        days: float | None = None,
        now: float | None = None,
        ids: Sequence[str] = (),
        **options: Any,
    ) -> JobSpec:
        """A checked spec, its target normalized (``##Magic`` is ``magic``); ``days`` becomes
        ``since`` counted back from ``now``."""
        at = wall() if now is None else now
        if days is not None:
            options["days"] = check_days(days)
            options["since"] = int(at - options["days"] * DAY)
        spec = cls(kind_name, target, ids=tuple(ids), **options)
        normalized = spec.check(at)
        return spec if normalized == spec.target else replace(spec, target=normalized)

    @property
    def job_kind(self) -> JobKind:
        return kind(self.kind)

    def check(self, now: float | None = None) -> str:
        """Reject bad input before anything is sent (raises InvalidInputError), ``since`` after
        ``now`` (default: the wall clock) too; return the target as the API is sent it (the
        one spelling of a job's target)."""
        if self.since is not None:
            check_past(self.since, now)
        jk = self.job_kind
        if jk.strategy == "posts":
            if not post_ids(self.ids):
                raise InvalidInputError("give at least one post id or URL")
            if self.gone_after < 1:
                raise InvalidInputError(
                    f"invalid gone_after {self.gone_after!r}: a whole number of 1 or more",
                    param="gone_after",
                )
            return self.target
        args = {**self.params, jk.target_param: self.target}
        if jk.strategy == "follows":
            return str(checked_params(kind("user").api, {"username": self.target})["username"])
        _fill_required(jk, args)
        checked = checked_params(jk.api, args)
        if self.max_items is not None and server_side(jk) and not bounded_by_cursor(jk):
            raise InvalidInputError(
                f"invalid max_items with {jk.endpoint}: the server walks every page in one "
                "call and cannot stop early; page it yourself (keyword search without --full) "
                "or leave it out",
                param="max_items",
            )
        for name, value in (("max_items", self.max_items), ("max_units", self.max_units)):
            if value is not None and value < 1:
                raise InvalidInputError(
                    f"invalid {name} {value!r}: a whole number of 1 or more", param=name
                )
        return str(checked.get(jk.target_param, self.target))

    def call_params(self) -> dict[str, Any]:
        """The endpoint parameters a run sends: ``params``, with a server-side search
        bounded by ``max_items`` (``max_cursor`` at most ``max_items``)."""
        params = dict(self.params)
        if self.max_items is not None and bounded_by_cursor(self.job_kind):
            given = params.get(BOUND_PARAM)
            params[BOUND_PARAM] = min(int(given), self.max_items) if given else self.max_items
        return params

    def identity(self) -> dict[str, Any]:
        """The options that define the data set (a job is found again by these)."""
        out: dict[str, Any] = {"params": dict(sorted(self.params.items()))}
        if self.days is not None:
            out["days"] = self.days
        elif self.since is not None:
            out["since"] = self.since
        if self.replies:
            out["replies"] = True
        if self.ids:
            out["ids"] = list(self.ids)
        if self.no_pinned:
            out["no_pinned"] = True
        return out

    def options(self) -> dict[str, Any]:
        """Everything to store with the job, so ``resume`` can run it again."""
        run = {
            "max_items": self.max_items,
            "max_units": self.max_units,
            "incremental": self.incremental,
            "gone_after": self.gone_after,
        }
        if self.days is not None:
            run["since"] = self.since  # where this run's window begins
        return {**self.identity(), "run": run}

    @classmethod
    def from_job(cls, kind_name: str, target: str, options: Mapping[str, Any]) -> JobSpec:
        run = options.get("run") or {}
        return cls(
            kind_name,
            target,
            dict(options.get("params") or {}),
            window_since(options),
            bool(options.get("replies")),
            tuple(options.get("ids") or ()),
            bool(options.get("no_pinned")),
            run.get("max_items"),
            run.get("max_units"),
            bool(run.get("incremental")),
            int(run.get("gone_after") or 2),
            options.get("days"),
        )


def window_since(options: Mapping[str, Any]) -> int | None:
    """Where a stored job's window begins: its ``since``, or for a rolling window (``days``)
    where its last run's began."""
    since = options.get("since", (options.get("run") or {}).get("since"))
    return None if since is None else int(since)


def server_side(jk: JobKind) -> bool:
    """Whether the kind's endpoint pages on the server, in one discounted call."""
    return jk.api.pagination is None and jk.api.cost.discount is not None


def bounded_by_cursor(jk: JobKind) -> bool:
    """Whether a server-side search can be told where to stop (``max_cursor``)."""
    return server_side(jk) and any(p.name == BOUND_PARAM for p in jk.api.params)


def _fill_required(jk: JobKind, args: dict[str, Any]) -> None:
    """Paginated runs send depth=1 unless told; checks need every required param."""
    for p in jk.api.params:
        if p.page_default is not None:
            args.setdefault(p.name, p.page_default)


class Checkpoint(msgspec.Struct, kw_only=True):
    """A job's progress, saved with every page: enough to resume without a gap.

    ``phase`` is ``backfill`` (the first pass) or ``incremental`` (a pass from the newest
    items down to what the store already has). ``newest`` is the newest item time this pass
    has seen; the job's ``newest_mark`` takes it only when a pass completes.
    """

    phase: str = "backfill"
    state: PagerState | None = None
    done: bool = False
    newest: int | None = None
    batch: int = 0  # posts: the next batch of 100 ids
    resolved: dict[str, str] = msgspec.field(default_factory=dict)  # follows: uid, sec_uid
    pending: list[str] = msgspec.field(default_factory=list)  # comments: cids whose replies
    reply_state: PagerState | None = None  # are still to fetch, and where that is
    quiet: int = 0  # incremental: pages in a row that brought nothing new

    def to_json(self) -> str:
        return msgspec.json.encode(self).decode()

    @classmethod
    def from_json(cls, text: str | None) -> Checkpoint | None:
        return msgspec.json.decode(text, type=cls) if text else None


def post_ids(given: tuple[str, ...] | list[str]) -> list[str]:
    """Post ids from ids and TikTok post URLs (``.../video/ID``), in order, without repeats;
    the client's own URL check refuses other hosts and malformed ids."""
    return list(dict.fromkeys(post_id(item) for item in given))
