"""Group commit: pages of runs waiting on the writer commit together, each still whole."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import wait_until  # tests/conftest.py
from tokarc._wiring import open_store
from tokarc.collect import LeaseLostError
from tokarc.collect._commit import Committer
from tokarc.collect._lease import Lease
from tokarc.models import decode
from tokarc.store import Batch, Store


def _page(store: Store, job_id: int, n: int) -> Batch:
    raw = {"aweme_id": f"7{job_id:09d}{n:09d}", "desc": f"post {n}", "create_time": 1_790_000_000}
    return Batch(endpoint="/tt/hashtag/posts", records=[decode("post", raw)], job_id=job_id,
                 params={"name": f"tag{job_id}"}, cursor=n, source_kind="hashtag",
                 source_target=f"tag{job_id}", checkpoint=f'{{"page": {n}}}')  # fmt: skip


def _lease(store: Store, job_id: int, *, taken: bool = True) -> Lease:
    lease = Lease(store, job_id, clock=time.time, seconds=60)
    if taken:
        lease.take()
    return lease


def _commit_together(store: Store, leases: list[Lease]) -> tuple[list[Any], list[int], Committer]:
    """Each lease's run commits one page while the writer is held; then it is let go."""
    groups, outcomes = [], [None] * len(leases)
    committer = Committer(store)
    write = committer._write

    def counted(group: list[Any]) -> None:
        groups.append(len(group))
        write(group)

    committer._write = counted  # type: ignore[method-assign]

    def run(i: int) -> None:
        try:
            outcomes[i] = committer.commit(leases[i], [_page(store, leases[i].job_id, i)])
        except BaseException as exc:
            outcomes[i] = exc

    with committer._writing:  # the writer is busy: every run's page waits
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(leases))]
        for t in threads:
            t.start()
        wait_until(lambda: len(committer._waiting) >= len(leases), timeout=10, interval=0.005,
                   message=f"the {len(leases)} runs' pages to wait for the writer")  # fmt: skip
    for t in threads:
        t.join(10)
    return outcomes, groups, committer


def test_pages_waiting_commit_in_one_transaction(tmp_path: Path) -> None:
    with open_store(tmp_path / "g.db") as store:
        jobs = [store.create_job("hashtag", f"tag{i}").id for i in range(4)]
        outcomes, groups, _ = _commit_together(store, [_lease(store, j) for j in jobs])
        assert groups == [4]  # one transaction for the four runs' pages
        assert [o[0].new for o in outcomes] == [1, 1, 1, 1]
        assert [store.get_job(j).checkpoint for j in jobs] == [f'{{"page": {i}}}' for i in range(4)]
        assert len(list(store.post_ids())) == 4


def test_a_run_that_lost_its_lease_is_left_out_of_the_group(tmp_path: Path) -> None:
    with open_store(tmp_path / "l.db") as store:
        jobs = [store.create_job("hashtag", f"tag{i}").id for i in range(3)]
        leases = [
            _lease(store, jobs[0]),
            _lease(store, jobs[1], taken=False),
            _lease(store, jobs[2]),
        ]
        outcomes, groups, _ = _commit_together(store, leases)
        assert groups == [3]
        assert isinstance(outcomes[1], LeaseLostError)
        assert outcomes[0][0].new == outcomes[2][0].new == 1
        assert store.get_job(jobs[1]).checkpoint is None  # its page was not written
        assert len(list(store.post_ids())) == 2


def test_a_failed_group_commit_tells_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(tmp_path / "f.db") as store:
        jobs = [store.create_job("hashtag", f"tag{i}").id for i in range(3)]

        def broken(batches: Any, **options: Any) -> Any:
            raise OSError("disk full")

        monkeypatch.setattr(store, "save_pages", broken)
        outcomes, groups, _ = _commit_together(store, [_lease(store, j) for j in jobs])
        assert groups == [3]
        assert all(isinstance(o, OSError) for o in outcomes)
        assert [store.get_job(j).checkpoint for j in jobs] == [None, None, None]
