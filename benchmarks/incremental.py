"""A rerun of the README's command an hour later: what it costs and what it finds.

    .venv/bin/python benchmarks/incremental.py [--hours 1] [--tag magic] [--days 30]

On the in-process emulator (seed 0): `tokarc hashtag magic --days 30` (the `make demo`
command, its spec built as the CLI builds it), then the world clock moved on ``--hours``, then
the same command again (incremental, the CLI's default for a rerun). Beside it, the bare
reference: a fresh full run at the later time, into an empty store. Units are the emulator's
own count (``Emulator.stats.units_total``), not tokarc's. Printed: units of each run, the
rerun/first ratio (goal <= 5 %), and the share of the posts the fresh full run newly found
(not in the first run) that the rerun found (goal >= 95 %).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import tokarc
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.store import open_store

HOUR = 3600


def run(emu: Emulator, db: Path, tag: str, days: float) -> tuple[int, set[str], int]:
    """One run of the command: (units the emulator charged, the store's post ids, job id)."""
    spec = JobSpec.build("hashtag", tag, days=days, now=emu.clock.now(), incremental=True)
    before = emu.stats.units_total
    with (
        tokarc.Client(
            "bench", base_url="http://emulator.test/apis", transport=emu.transport()
        ) as client,
        open_store(db) as store,
    ):
        report = Collector(client, store, clock=emu.clock.now).run(spec)
        return emu.stats.units_total - before, set(store.post_ids()), report.job_id


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--tag", default="magic")
    ap.add_argument("--days", type=float, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tokarc-incr-") as tmp:
        emu = Emulator(seed=0)
        first, had, job1 = run(emu, Path(tmp) / "m.db", args.tag, args.days)
        emu.clock.advance(args.hours * HOUR)
        rerun, has, job2 = run(emu, Path(tmp) / "m.db", args.tag, args.days)
        fresh_emu = Emulator(seed=0)
        fresh_emu.clock.set(emu.clock.now())
        full, everything, _ = run(fresh_emu, Path(tmp) / "fresh.db", args.tag, args.days)
    newly = everything - had  # what a fresh full run finds that the first run did not have
    found = len(newly & (has - had))
    share = found / len(newly) if newly else 1.0
    ratio = rerun / first if first else 0.0
    print(f"hashtag {args.tag} --days {args.days:g}, rerun {args.hours:g} h later (emulator units)")
    print(f"  first run             {first:6,} units, {len(had):6,} posts (job {job1})")
    print(f"  rerun                 {rerun:6,} units, {len(has - had):6,} new posts (job {job2})")
    print(f"  fresh full run (ref)  {full:6,} units, {len(newly):6,} posts not in the first run")
    print(f"  rerun/first           {ratio:6.1%}  (goal <= 5%)")
    print(f"  new posts found       {share:6.1%}  ({found} of {len(newly)}; goal >= 95%)")


if __name__ == "__main__":
    main()
