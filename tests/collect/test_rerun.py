"""Reruns cost what is new; a finished job stays finished (issue 25), over the emulator's clock,
in the units the emulator itself charged."""

from __future__ import annotations

import pytest

from tokarc.collect import CAUGHT_UP, Collector, JobSpec
from tokarc.collect._kinds import QUIET_PAGES
from tokarc.emulator import Emulator
from tokarc.store import Store

from .conftest import post_ids

HOUR = 3600


def magic(emulator: Emulator) -> JobSpec:
    """The README's command, ``hashtag magic --days 30``, as typed at the emulator's now."""
    return JobSpec.build("hashtag", "magic", days=30, now=emulator.clock.now(), incremental=True)


def charged(emulator: Emulator) -> int:
    return emulator.stats.units_total


@pytest.mark.slow
def test_a_rerun_with_days_reaches_the_same_job_and_costs_what_is_new(
    emulator: Emulator, collector: Collector, store: Store
) -> None:
    first = collector.run(magic(emulator))
    before, spent = post_ids(store), charged(emulator)
    emulator.clock.advance(HOUR)
    again = collector.run(magic(emulator))  # the same command, an hour later
    units = charged(emulator) - spent
    new = post_ids(store) - before
    assert again.job_id == first.job_id
    assert again.stop_reason == CAUGHT_UP
    assert len(new) == again.new > 0
    assert units == again.units <= -(-len(new) // 20) + QUIET_PAGES
    assert units * 20 <= first.units  # at most 5 % of the first run


@pytest.mark.slow
def test_resume_of_a_done_job_charges_nothing_and_says_so(
    emulator: Emulator, collector: Collector
) -> None:
    first = collector.run(magic(emulator))
    job = collector.store.get_job(first.job_id)
    spent = charged(emulator)
    report = collector.resume(first.job_id)
    assert charged(emulator) == spent  # the emulator's own count: nothing sent
    assert (report.already_done, report.units, report.pages) == (True, 0, 0)
    assert report.note is not None
    assert report.note.startswith(f"job {first.job_id} is done: the feed ended on 20")
    assert report.note.endswith("run the command again to collect what is new")
    after = collector.store.get_job(first.job_id)
    assert (after.returned, after.units, after.status) == (job.returned, job.units, "done")
