"""An expansion killed with SIGKILL at random moments, then run again, ends as an uninterrupted
run does: the same targets, outcomes and records. (No budget here: a page fetched again after a
kill is charged again, and counted, so a budgeted run killed may end a target or two earlier.)"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tokarc._wiring import open_store

from .conftest import rows, said

pytestmark = pytest.mark.slow  # subprocesses

RUN = """
import sys, tokarc
from tokarc.collect import ExpandSpec, Expansion
from tokarc.emulator import Emulator
from tokarc._wiring import open_store

emulator = Emulator(seed=0, latency=float(sys.argv[2]))
retry = tokarc.RetryPolicy.instant(attempts=10)
with tokarc.Client("t", base_url="http://e/apis", transport=emulator.transport(), retry=retry) as c:
    with open_store(sys.argv[1]) as store:
        spec = ExpandSpec.build("hashtag:magic", "authors,author-posts,followers", depth=2,
                                per_target=3)
        said = lambda report: print("target", report.job_id, flush=True)  # tell the test
        r = Expansion(c, store, spec, on_target=said).run()
print(r.status, r.units)
"""


def start(db: Path, latency: float) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", RUN, str(db), str(latency)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(db: Path) -> str:
    out, err = start(db, 0.0).communicate(timeout=300)
    assert b"Traceback" not in err, err.decode()
    return out.decode().splitlines()[-1]


def snapshot(db: Path) -> dict[str, object]:
    with open_store(db) as store:

        def q(sql: str) -> list[tuple[object, ...]]:
            return sorted(rows(store, sql))

        return {
            "plan": q("SELECT depth, step, seq, kind, target, outcome FROM expand_targets"),
            "posts": q("SELECT aweme_id FROM posts"),
            "users": q("SELECT uid FROM users"),
            "follows": q("SELECT follower_uid, followed_uid FROM follows"),
            "children": q("SELECT j.kind, j.target, j.status FROM jobs j JOIN expand_targets t "
                          "ON t.job_id = j.id"),
            "parent": q("SELECT status, stop_reason FROM jobs WHERE kind = 'expand'"),
        }  # fmt: skip


def test_sigkill_then_again_equals_a_clean_run(tmp_path: Path) -> None:
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    assert finish(clean).startswith("done 40")
    rng = random.Random(17)
    kills = 0
    for _ in range(4):
        # Killed after N targets ran, while target N+1 is planned, made or in flight.
        proc = start(killed, 0.02)
        if said(proc, b"target ", rng.randint(1, 6)):
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
    assert kills, "never killed mid-run: the test proved nothing"
    finish(killed)
    assert snapshot(killed) == snapshot(clean)
