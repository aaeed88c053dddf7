"""A job killed with SIGKILL at random moments ends with the database an uninterrupted run
makes: no record lost, none duplicated, at most one page fetched twice per kill."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tokarc._wiring import open_store
from tokarc.store import Store

from .conftest import rows, said

pytestmark = pytest.mark.slow  # subprocesses

RUN = """
import sys, tokarc
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc._wiring import open_store

emulator = Emulator(seed=0, latency=float(sys.argv[2]), error_rate=float(sys.argv[3]))
retry = tokarc.RetryPolicy.instant(attempts=10)
with tokarc.Client("t", base_url="http://e/apis", transport=emulator.transport(), retry=retry) as c:
    with open_store(sys.argv[1]) as store:
        said = lambda report: print("page", report.pages, flush=True)  # committed: tell the test
        spec = JobSpec.build("hashtag", "magic", max_items=1200)
        report = Collector(c, store, on_page=said).run(spec)
print(report.status, report.pages)
"""


def run(db: Path, latency: float = 0.0, error_rate: float = 0.0) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", RUN, str(db), str(latency), str(error_rate)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(db: Path, **options: float) -> str:
    out, err = run(db, **options).communicate(timeout=120)
    assert b"Traceback" not in err, err.decode()
    return out.decode().splitlines()[-1]


def job_done(db: Path) -> bool:
    if not db.exists():
        return False
    with open_store(db) as store:
        return [job.status for job in store.list_jobs()] == ["done"]


def snapshot(store: Store) -> dict[str, object]:
    def q(sql: str) -> list[tuple[object, ...]]:
        return sorted(rows(store, sql))

    return {
        "posts": q("SELECT aweme_id, create_time, author_uid, music_id FROM posts"),
        "users": q("SELECT uid FROM users"),
        "links": q("SELECT * FROM post_hashtags"),
        "sources": q("SELECT entity, entity_id, source_kind, source_target FROM seen_via"),
        "observed": q("SELECT DISTINCT aweme_id FROM post_stats"),
        "job": q("SELECT status, stop_reason, returned - duplicates FROM jobs"),
    }


def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    assert finish(clean_db).startswith("done 60")
    rng = random.Random(20261125)
    kills = 0
    while kills < 4 and not job_done(killed_db):
        proc = run(killed_db, latency=0.04)
        # Kill after the child has committed N pages, while page N+1 is in flight (fetched,
        # or being written): the moment a crash is most likely to lose or duplicate a page.
        finished = not said(proc, b"page ", rng.randint(2, 12))
        if not finished:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=30)
        if finished:
            break  # this run finished: nothing left to resume
    if not job_done(killed_db):  # a kill can land after the last commit: then it is done
        assert finish(killed_db).startswith("done")
    assert kills >= 2, "the runs ended before they could be killed"
    with open_store(clean_db) as clean, open_store(killed_db) as killed:
        assert snapshot(killed) == snapshot(clean)
        pages = rows(
            killed, "SELECT COUNT(*), COUNT(DISTINCT COALESCE(cursor, 'first')) FROM pages"
        )[0]
        assert pages[1] == 60  # every page stored ...
        assert pages[0] <= 60 + kills  # ... and at most one page twice per kill
        assert rows(killed, "SELECT COUNT(*) FROM posts")[0][0] == 1200


@pytest.mark.parametrize("error_rate", [0.2])
def test_a_run_under_faults_equals_a_clean_run(tmp_path: Path, error_rate: float) -> None:
    clean_db, faulty_db = tmp_path / "clean.db", tmp_path / "faulty.db"
    finish(clean_db)
    finish(faulty_db, error_rate=error_rate)
    with open_store(clean_db) as clean, open_store(faulty_db) as faulty:
        assert snapshot(faulty) == snapshot(clean)
        failed = rows(faulty, "SELECT COUNT(*) FROM requests WHERE status_code >= 500")
        assert failed[0][0] > 5  # the faults happened, and were retried
