"""Collections: resumable, incremental, budgeted jobs from the API into a store.

::

    import tokarc
    from tokarc.collect import Collector, JobSpec
    from tokarc.store import open_store

    with tokarc.Client() as client, open_store("magic.db") as store:
        report = Collector(client, store).run(JobSpec.build("hashtag", "magic", days=7))
        print(report.new, "new posts for", report.units, "units; stopped:", report.stop_reason)

A job is (kind, target, options). Each page and the job's checkpoint are committed in one
transaction, so a job killed at any moment resumes where it was, with no record lost or
duplicated. ``incremental=True`` re-runs a finished job from the newest items down to what the
store already has. ``max_units`` stops a run cleanly at a page boundary.
"""

from __future__ import annotations

from ._budget import Budget, Hooks, LocalBudget, OverBudget, StopRequested
from ._describe import coverage, target_label
from ._estimate import Estimate, estimate, worst_case
from ._expand import KIND as EXPANSION_KIND
from ._expand import Expansion, expand, parents
from ._expand_caps import stored as stored_caps
from ._expand_spec import ExpandSpec, ExpansionEstimate, ExpansionReport, StepReport
from ._found import MISSING, NOTHING
from ._into import (
    CollectInto,
    PipeClosed,
    Sink,
    Stream,
    collect_into,
    open_sink,
    output_entity,
    write_run,
)
from ._kinds import KINDS, SOURCE_KINDS, JobKind, kind, kinds_for
from ._lease import LEASE_SECONDS, JobRunningError, LeaseLostError
from ._many import DEFAULT_CONCURRENCY, Events, Many, ManyResult, SharedBudget
from ._runner import (
    BUDGET,
    CAUGHT_UP,
    COMPLETE,
    Collector,
    JobReport,
    job_for,
)
from ._schema import MIGRATIONS
from ._spec import Checkpoint, JobSpec, post_ids
from ._steps import STEPS

__all__ = [
    "BUDGET",
    "CAUGHT_UP",
    "COMPLETE",
    "DEFAULT_CONCURRENCY",
    "EXPANSION_KIND",
    "KINDS",
    "LEASE_SECONDS",
    "MIGRATIONS",
    "MISSING",
    "NOTHING",
    "SOURCE_KINDS",
    "STEPS",
    "Budget",
    "Checkpoint",
    "CollectInto",
    "Collector",
    "Estimate",
    "Events",
    "ExpandSpec",
    "Expansion",
    "ExpansionEstimate",
    "ExpansionReport",
    "Hooks",
    "JobKind",
    "JobReport",
    "JobRunningError",
    "JobSpec",
    "LeaseLostError",
    "LocalBudget",
    "Many",
    "ManyResult",
    "OverBudget",
    "PipeClosed",
    "SharedBudget",
    "Sink",
    "StepReport",
    "StopRequested",
    "Stream",
    "collect_into",
    "coverage",
    "estimate",
    "expand",
    "job_for",
    "kind",
    "kinds_for",
    "open_sink",
    "output_entity",
    "parents",
    "post_ids",
    "stored_caps",
    "target_label",
    "worst_case",
    "write_run",
]
