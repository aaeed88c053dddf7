"""The values the store takes and gives: a page to save, what saving it did, jobs, stats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..models import RECORD_TYPES, Record, Undecodable

#: The entities the store keeps, by the name used in ``known_ids``, ``seen_via`` and exports.
ENTITIES = tuple(t.entity for t in RECORD_TYPES)  # "post", "user", ...


@dataclass(frozen=True, slots=True)
class Follow:
    """Whose follow list a page is: ``direction="followers"`` means each user on the page
    follows ``uid``; ``"followings"`` means ``uid`` follows each of them."""

    uid: str
    direction: Literal["followers", "followings"] = "followers"


@dataclass(frozen=True, slots=True)
class Batch:
    """One page of records and everything to commit with it, in one transaction.

    ``endpoint``/``params``/``cursor``/``fetched_at`` say where the page came from (stored in
    ``pages``, and as every record's first/last page). ``source_kind``/``source_target`` name
    what the records were found through (``"hashtag"``, ``"magic"``) for ``seen_via``.
    ``checkpoint`` (a ``PagerState.to_json()``) and ``newest_mark`` are written to the job
    ``job_id``; ``follow`` makes follow edges of a followers/followings page; ``undecodable``
    go to ``rejects``.

    ``results=False`` says the records are a lookup the job made on its way (a followers job
    resolving its user), not its results: they are stored, but neither counted in the job's
    ``returned``/``new_records``/``duplicates`` nor ranked among its results. ``missing`` (a
    lookup of posts by id) lists the ids asked for that did not come back: each gets a miss,
    and a post missed ``gone_after`` times in a row (no sighting in between) is marked gone,
    all in the page's transaction.

    ``body`` is the response the records were decoded from, byte for byte: it goes into the
    page log (compressed), and the records' rows point to it instead of keeping a copy of their
    JSON. Without it (records made by hand), each row keeps its record's JSON.

    Example::

        Batch(job_id=1, endpoint="/tt/hashtag/posts", params={"name": "magic"}, cursor=0,
              records=posts, source_kind="hashtag", source_target="magic",
              checkpoint=pager.state.to_json())
    """

    endpoint: str
    records: Sequence[Record] = ()
    job_id: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    cursor: int | str | None = None
    fetched_at: dt.datetime | None = None
    source_kind: str | None = None
    source_target: str | None = None
    checkpoint: str | None = None
    newest_mark: str | None = None
    follow: Follow | None = None
    undecodable: Sequence[Undecodable] = ()
    results: bool = True
    missing: Sequence[str] | None = None
    gone_after: int = 2
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class PageResult:
    """What :meth:`Store.save_page` did: the page's id, and its records new vs already known.

    ``new_ids`` are the ids (in page order) of the page's own records that were not stored
    before; ``duplicates`` counts the others (a record repeated within the page counts once).
    ``gone`` counts the posts this page marked gone (see ``Batch.missing``).
    """

    page_id: int
    records: int
    new: int
    duplicates: int
    rejected: int
    new_ids: tuple[str, ...] = ()
    gone: int = 0


@dataclass(frozen=True, slots=True)
class Job:
    """A collection job as stored: what it collects, how far it got, what it cost.

    ``returned`` counts the records its pages brought (after the run's filters: the same
    figure as a run's ``JobReport.returned``). ``covered_from``/``covered_to`` are the oldest
    and newest ``create_time`` (Unix seconds) of the posts it collected, pinned posts aside;
    ``last_fetched`` is when (Unix seconds, the collector's clock) its last page was fetched.
    """

    id: int
    kind: str
    target: str
    options: dict[str, Any]
    status: str
    created_at: str
    updated_at: str
    checkpoint: str | None
    newest_mark: str | None
    outcome: str | None
    stop_reason: str | None
    requested: int  # requests sent for the job over all its runs (every attempt)
    returned: int
    new_records: int
    duplicates: int
    units: int  # the units those requests were charged (the requests ledger's, per job)
    tokarc_version: str
    covered_from: int | None = None
    covered_to: int | None = None
    last_fetched: int | None = None
    found: str | None = None  # a finished job: "nothing", "missing: ID ...", or None


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts per table and units spent by day (``YYYY-MM-DD``, UTC), job and endpoint."""

    counts: dict[str, int]
    units_by_day: dict[str, int]
    units_by_job: dict[int | None, int]
    units_by_endpoint: dict[str, int]
    units_total: int
