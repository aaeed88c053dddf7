"""What an expansion is (its spec) and what it gives back (its report, its estimate)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .._time import parse_duration_or_zero
from ..errors import InvalidInputError
from ..status import JobStatus
from ..store import Job
from ..targets import WORDS, split, target_kind
from ._expand_caps import Cap
from ._spec import JobSpec, post_ids
from ._steps import ORDERS, STEPS, Order

#: A seed's kind -> the job that collects it (the words of ``tokarc.targets``).
SOURCES = {word: t.job_kind for word, t in WORDS.items()}
MAX_DEPTH = 5
ANY_PERIOD = "0"  # keyword search over any time (the API requires a period)
MAX_PER_TARGET = 1000


@dataclass(frozen=True)
class ExpandSpec:
    """What to expand and how: the seed, the steps, how deep, how wide, in which order.

    ``source`` is ``KIND:TARGET`` in the words of :mod:`tokarc.targets` (``hashtag:magic``,
    ``keyword:...``, ``sound:ID``, ``user:NAME`` (the account's posts), ``profile:NAME``,
    ``post:ID``), or empty with ``ids`` (post ids or URLs). Every depth runs every
    step on the records the previous depth found; each target collects at most ``per_target``
    items, and gives at most ``per_target`` records to the next depth. ``max_units`` is the
    expansion's whole budget (it may change between runs); a profile or feed a job collected
    within ``fresh_for`` seconds is not fetched again.

    Example::

        ExpandSpec.build("hashtag:magic", ["authors", "followers"], depth=2, max_units=200)
    """

    source: str
    steps: tuple[str, ...]
    ids: tuple[str, ...] = ()
    depth: int = 1
    per_target: int = 10
    order: Order = "plays"
    fresh_for: float = 7 * 86_400
    max_units: int | None = None

    @classmethod
    def build(
        cls,
        source: str = "",
        steps: Sequence[str] | str = (),
        *,
        ids: Sequence[str] = (),
        fresh_for: str | float = "7d",
        **options: Any,
    ) -> ExpandSpec:
        """A checked spec (InvalidInputError for bad input: nothing is sent or stored)."""
        names = steps.split(",") if isinstance(steps, str) else list(steps)
        names = [n.strip() for n in names if n.strip()]
        fresh = parse_duration_or_zero(fresh_for, "fresh_for")
        spec = cls(source.strip(), tuple(names), tuple(ids), fresh_for=fresh, **options)
        spec.check()
        return spec if not spec.ids else replace(spec, ids=tuple(post_ids(spec.ids)))

    def check(self) -> None:
        """Reject bad input before anything is sent (raises InvalidInputError)."""
        if not self.steps:
            raise InvalidInputError(f"give at least one step: {', '.join(STEPS)}")
        for name in self.steps:
            if name not in STEPS:
                raise InvalidInputError(f"invalid step {name!r}: one of {', '.join(STEPS)}")
        if bool(self.source) == bool(self.ids):
            raise InvalidInputError("give a source KIND:TARGET or post ids, not both or neither")
        if self.order not in ORDERS:
            raise InvalidInputError(
                f"invalid order {self.order!r}: one of {', '.join(ORDERS)}", param="order"
            )
        for name, value, top in (
            ("depth", self.depth, MAX_DEPTH),
            ("per_target", self.per_target, MAX_PER_TARGET),
            ("max_units", self.max_units, None),
        ):
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or value < 1
                or (top is not None and value > top)
            ):
                bound = f"1 to {top}" if top else "1 or more"
                raise InvalidInputError(
                    f"invalid {name} {value!r}: a whole number, {bound}", param=name
                )
        if self.source:  # after its own numbers: a bad per_target is not a bad max_items
            self.seed_spec()
        else:
            post_ids(self.ids)

    def seed_spec(self) -> JobSpec:
        """The job that collects the seed."""
        if not self.source:
            return JobSpec.build("posts", "", ids=self.ids)
        word, target = split(self.source, "source")
        job_kind = target_kind(word).job_kind
        if job_kind == "posts":
            return JobSpec.build("posts", "", ids=post_ids([target]))
        most = None if job_kind == "user" else self.per_target  # a profile is one call
        params = {"period": ANY_PERIOD} if job_kind == "keyword" else {}  # the API needs one
        return JobSpec.build(job_kind, target, max_items=most, params=params)

    @property
    def label(self) -> str:
        """The parent job's target: the source, or the number of post ids."""
        if self.source:
            spec = self.seed_spec()
            kind = self.source.partition(":")[0]
            return f"{kind}:{spec.target or ','.join(spec.ids)}"
        return f"posts:{len(self.ids)} ids"

    def identity(self) -> dict[str, Any]:
        """What defines the expansion (found again by it); ``max_units`` is not part of it."""
        return {
            "expand": {
                "source": self.label,
                "ids": list(self.ids),
                "steps": list(self.steps),
                "depth": self.depth,
                "per_target": self.per_target,
                "order": self.order,
                "fresh_for": self.fresh_for,
            }
        }

    def options(self) -> dict[str, Any]:
        return {**self.identity(), "run": {"max_units": self.max_units}}

    @classmethod
    def from_job(cls, job: Job) -> ExpandSpec:
        """The spec a stored expansion was made with."""
        o = job.options["expand"]
        source = "" if o["ids"] else str(o["source"])
        return cls(
            source,
            tuple(o["steps"]),
            tuple(o["ids"]),
            int(o["depth"]),
            int(o["per_target"]),
            o["order"],
            float(o["fresh_for"]),
            (job.options.get("run") or {}).get("max_units"),
        )


# -- reports ---------------------------------------------------------------------------------


@dataclass
class StepReport:
    """One step at one depth: targets planned, done, skipped as fresh, failed (by why), not
    reached (the budget), and the units its jobs spent."""

    depth: int
    step: str
    planned: int = 0
    done: int = 0
    fresh: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    pending: int = 0
    units: int = 0


@dataclass
class ExpansionReport:
    """An expansion's outcome: per step, and units spent (all runs) against the budget."""

    job_id: int
    status: str = JobStatus.RUNNING
    stop_reason: str | None = None
    steps: list[StepReport] = field(default_factory=list)
    units: int = 0
    max_units: int | None = None
    caps: list[Cap] = field(default_factory=list)  # what cut it short (``._expand_caps``)


@dataclass(frozen=True)
class StepEstimate:
    """At most this many targets for a step at a depth, and at most these units; ``stored``:
    bounded from the records stored now (else from the previous depth's bound)."""

    depth: int
    step: str
    targets: int
    units: int
    stored: bool


@dataclass(frozen=True)
class ExpansionEstimate:
    """What an expansion costs at most; ``units`` is capped by ``max_units``. Nothing is sent."""

    steps: list[StepEstimate]
    units: int
    max_units: int | None
