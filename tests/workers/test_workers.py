"""Workers on procrastinate over the real PostgreSQL, against an emulator served over HTTP.

Each test is bounded in time: workers run with --once (exit when the queue is empty) or are
stopped by the test; every wait has a deadline.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

import tokarc
from conftest import wait_until  # tests/conftest.py
from tokarc._wiring import open_store
from tokarc.collect import Collector, JobSpec
from tokarc.collect._runner import StopRequested
from tokarc.emulator import Emulator, serve_in_thread
from tokarc.workers import SharedLimits, WorkerRuntime, Workers, run_worker

pytestmark = pytest.mark.slow

TAGS = ("magic", "dance", "cats")


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(seed=0, latency=0.02)
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        yield emulator, base_url


def tokarc_cmd(base_url: str, *args: str) -> list[str]:
    exe = str(Path(sys.executable).with_name("tokarc"))
    return [exe, "--base-url", base_url, "--token", "t", "--retries", "8", *args]


def enqueue(db: str, tags: tuple[str, ...] = TAGS, max_items: int = 100) -> list[int]:
    with open_store(db) as store:
        from tokarc.collect import job_for

        ids = [job_for(store, JobSpec.build("hashtag", t, max_items=max_items)).id for t in tags]
    Workers(db).enqueue(ids)
    return ids


def posts_by_source(db: str) -> dict[str, set[str]]:
    """The post ids each hashtag found (the dataset, whatever the backend)."""
    with open_store(db) as store:
        rows = store.db.query("SELECT source_target, entity_id FROM seen_via WHERE entity = 'post'")
    found: dict[str, set[str]] = {}
    for target, post in rows:
        found.setdefault(str(target), set()).add(str(post))
    return found


def clean_run(base_url: str, db: str, tags: tuple[str, ...] = TAGS, n: int = 100) -> None:
    with tokarc.Client("t", base_url=base_url) as client, open_store(db) as store:
        for tag in tags:
            Collector(client, store).run(JobSpec.build("hashtag", tag, max_items=n))


def test_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).with_name("tokarc"))
    db = str(tmp_path / "a.db")
    for args in (["worker", "--db", db], ["queue", "status", "--db", db],
                 ["--sandbox", "--enqueue", "hashtag", "magic", "--db", db]):  # fmt: skip
        ran = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)
        assert ran.returncode == 2, ran.stderr
        assert "PostgreSQL" in ran.stderr
        assert "Traceback" not in ran.stderr
        assert len(ran.stderr.strip().splitlines()) == 1


def test_enqueued_jobs_run_once_each_and_match_a_clean_run(
    served: tuple[Emulator, str], pg_url: str, tmp_path: Path
) -> None:
    _emulator, base_url = served
    ran = subprocess.run(
        tokarc_cmd(base_url, "--enqueue", "hashtag", "magic", "--max-items", "100", "--db", pg_url),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    job_id = int(ran.stdout.strip())
    again = subprocess.run(
        tokarc_cmd(base_url, "--enqueue", "hashtag", "magic", "--max-items", "100", "--db", pg_url),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert int(again.stdout.strip()) == job_id
    assert "already queued" in again.stderr
    enqueue(pg_url, ("dance", "cats"))
    status = Workers(pg_url).status()
    assert status.counts["todo"] == 3
    runtime = WorkerRuntime(pg_url, lambda: tokarc.Client("t", base_url=base_url))
    run_worker(runtime, concurrency=2, wait=False)
    assert not Workers(pg_url).status().busy
    assert Workers(pg_url).status().counts["failed"] == 0  # succeeded ones are deleted
    reference = str(tmp_path / "ref.db")
    clean_run(base_url, reference)
    assert posts_by_source(pg_url) == posts_by_source(reference)
    assert {t: len(v) for t, v in posts_by_source(pg_url).items()} == dict.fromkeys(TAGS, 100)


def test_enqueue_from_a_file_queues_one_job_per_target(
    served: tuple[Emulator, str], pg_url: str, tmp_path: Path
) -> None:
    _emulator, base_url = served
    (tmp_path / "tags.txt").write_text("# three tags\nmagic\ndance\n#cats\n")
    ran = subprocess.run(
        tokarc_cmd(base_url, "--enqueue", "hashtag", "--from-file", str(tmp_path / "tags.txt"),
                   "--max-items", "100", "--db", pg_url),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    job_ids = [int(line) for line in ran.stdout.split()]
    assert len(set(job_ids)) == 3
    assert Workers(pg_url).status().counts["todo"] == 3
    runtime = WorkerRuntime(pg_url, lambda: tokarc.Client("t", base_url=base_url))
    run_worker(runtime, concurrency=2, wait=False)
    reference = str(tmp_path / "ref.db")
    clean_run(base_url, reference)
    assert posts_by_source(pg_url) == posts_by_source(reference)


def test_an_enqueued_expansion_runs_on_a_worker_as_it_runs_alone(
    served: tuple[Emulator, str], pg_url: str, tmp_path: Path
) -> None:
    emulator, base_url = served
    args = ("expand", "--from", "hashtag:magic", "--to", "authors,followers", "--depth", "2",
            "--per-target", "3", "--max-units", "20")  # fmt: skip
    ran = subprocess.run(tokarc_cmd(base_url, "--enqueue", *args, "--db", pg_url),
                         capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    job_id = int(ran.stdout.strip())
    assert Workers(pg_url).status().counts["todo"] == 1
    runtime = WorkerRuntime(pg_url, lambda: tokarc.Client("t", base_url=base_url))
    run_worker(runtime, concurrency=1, wait=False)
    charged = emulator.stats.units_total
    alone = str(tmp_path / "alone.db")
    subprocess.run(tokarc_cmd(base_url, *args, "--db", alone), check=True, capture_output=True,
                   timeout=120)  # fmt: skip

    def outcome(db: str) -> tuple[Any, ...]:
        with open_store(db) as store:
            targets = store.db.query("SELECT depth, step, kind, target, outcome FROM "
                                     "expand_targets")  # fmt: skip
            parent = store.get_job(job_id if db == pg_url else 1)
        return parent.status, parent.units, sorted(tuple(t) for t in targets)

    assert outcome(pg_url) == outcome(alone)
    assert outcome(pg_url)[1] == charged <= 20


def test_a_worker_killed_mid_job_is_replaced_and_the_data_is_a_clean_run_s(
    pg_url: str, tmp_path: Path
) -> None:
    emulator = Emulator(seed=0)
    reference = str(tmp_path / "ref.db")
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        clean_run(base_url, reference, ("magic",), 400)  # the same world, uninterrupted
        emulator.set_faults(latency=0.15)
        enqueue(pg_url, ("magic",), max_items=400)
        first = subprocess.Popen(
            tokarc_cmd(base_url, "-q", "worker", "--db", pg_url, "--stalled-after", "2"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_for_pages(pg_url, 3, deadline=60)
        finally:
            first.kill()
            first.wait(10)
        pages_at_kill = _pages(pg_url)
        assert pages_at_kill < 20
        second = subprocess.Popen(
            tokarc_cmd(base_url, "-q", "worker", "--db", pg_url, "--stalled-after", "2"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:  # the dead worker's job is handed back, then this worker finishes it
            _wait_for(lambda: _job_status(pg_url) == "done", deadline=120)
        finally:
            second.terminate()
            assert second.wait(60) == 0
    got, want = posts_by_source(pg_url), posts_by_source(reference)
    assert {k: len(v) for k, v in got.items()} == {k: len(v) for k, v in want.items()}
    assert got == want
    with open_store(pg_url) as store:
        jobs = store.list_jobs()
    assert jobs[0].status == "done", jobs[0]
    assert _pages(pg_url) <= 20 + 1  # at most one page fetched twice per kill


def test_the_shared_budget_holds_under_several_workers(pg_url: str) -> None:
    emulator = Emulator(seed=0, latency=0.01)
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        with open_store(pg_url) as store:
            SharedLimits(store).configure(rate=None, budget=15)
        enqueue(pg_url, ("magic", "dance", "cats", "fyp", "food", "travel"), max_items=200)
        procs = [
            subprocess.Popen(
                tokarc_cmd(base_url, "-q", "worker", "--db", pg_url, "--once"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(4)
        ]
        for proc in procs:
            proc.wait(120)
        assert emulator.stats.units_total <= 15
        assert emulator.stats.units_total >= 10  # the budget was used, not skipped
        with open_store(pg_url) as store:
            assert SharedLimits(store).left() == 15 - emulator.stats.units_total


def test_sigterm_stops_at_a_page_boundary_and_requeues(pg_url: str) -> None:
    emulator = Emulator(seed=0, latency=0.2)
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        enqueue(pg_url, ("magic",), max_items=2000)
        proc = subprocess.Popen(
            tokarc_cmd(base_url, "worker", "--db", pg_url),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        _wait_for_pages(pg_url, 2, deadline=60)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        with open_store(pg_url) as store:
            job = store.list_jobs()[0]
        assert job.status == "interrupted"
        assert job.checkpoint
        status = Workers(pg_url).status()
        assert status.counts["todo"] == 1  # back in the queue for any worker
        # The page fetched ahead was committed, and nothing was asked after the signal: every
        # unit spent is a stored page.
        assert emulator.stats.units_total == _pages(pg_url)


def test_a_job_fetches_its_next_page_while_the_last_one_commits(pg_url: str) -> None:
    """The pages table locked by another transaction holds a page's commit; meanwhile the
    worker's next request goes out (page by page, the worker would wait for the commit)."""
    import psycopg

    emulator = Emulator(seed=0, latency=0.05)
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        enqueue(pg_url, ("magic",), max_items=300)
        proc = subprocess.Popen(
            tokarc_cmd(base_url, "-q", "worker", "--db", pg_url, "--once"),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            _wait_for_pages(pg_url, 1, deadline=60)
            with psycopg.connect(pg_url) as conn:  # one transaction, until the block ends
                conn.execute("LOCK TABLE pages IN EXCLUSIVE MODE")  # a commit in progress ends
                committed = _count(conn, "SELECT COUNT(*) FROM pages")
                sent = _settled(lambda: sum(emulator.stats.requests.values()))
                conn.rollback()
            assert sent >= committed + 2, (sent, committed)
            _, err = proc.communicate(timeout=120)
        finally:
            proc.kill()
        assert proc.returncode == 0, err
    with open_store(pg_url) as store:
        assert store.list_jobs()[0].status == "done"
    assert _pages(pg_url) == 15 == sum(emulator.stats.requests.values())  # none fetched twice


def test_a_worker_keeps_its_connections_from_job_to_job(pg_url: str) -> None:
    runtime = WorkerRuntime(db=pg_url, client=lambda: tokarc.Client("t"))
    try:
        with runtime.store() as first:
            pass
        with runtime.store() as again:
            assert again is first  # not a new connection per job
        with pytest.raises(RuntimeError), runtime.store() as failed:
            raise RuntimeError("a job failed: its connection may be broken")
        with runtime.store() as fresh:
            assert failed is first
            assert fresh is not first
            assert fresh.db.query("SELECT 1") == [(1,)]
    finally:
        runtime.close()


def test_one_job_stopping_leaves_the_shared_limits_to_the_others(
    pg_url: str, emulator: Emulator
) -> None:
    client = lambda: tokarc.Client("t", transport=emulator.transport())  # noqa: E731
    runtime = WorkerRuntime(db=pg_url, client=client)
    try:
        with runtime._shared_limits() as beside:  # another job, running beside this one
            with pytest.raises(StopRequested), runtime.limited_client(stop=lambda: True) as c:
                c.tiktok.hashtag_search("magic")  # the stop guard: nothing is sent
            assert beside.store.db.query("SELECT 1") == [(1,)]  # still open for the other job
        with runtime._shared_limits() as again:
            assert again is beside
        with pytest.raises(psycopg.OperationalError), runtime._shared_limits():
            raise psycopg.OperationalError("the server restarted")
        with runtime._shared_limits() as fresh:
            assert fresh is not beside
    finally:
        runtime.close()


def _count(conn: Any, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _settled(read: Any, *, quiet: float = 1.0, deadline: float = 30.0) -> int:
    """``read()`` once it has not changed for ``quiet`` seconds."""
    last = {"value": read(), "since": time.monotonic()}

    def quiet_for_long_enough() -> bool:
        if (now := read()) != last["value"]:
            last.update(value=now, since=time.monotonic())
        return time.monotonic() - last["since"] >= quiet

    wait_until(quiet_for_long_enough, timeout=deadline, message=f"{quiet} s with no change")
    return int(last["value"])


def _pages(db: str) -> int:
    try:
        with open_store(db) as store:
            return int(store.db.query("SELECT COUNT(*) FROM pages")[0][0])
    except Exception:  # the server is restarting
        return 0


def _wait_for_pages(db: str, n: int, *, deadline: float) -> None:
    wait_until(lambda: _pages(db) >= n, timeout=deadline, interval=0.1,
               message=f"{n} pages committed")  # fmt: skip


os.environ.setdefault("PROCRASTINATE_APP", "")  # nothing reads it; the CLI builds the app


def test_watches_run_once_per_interval_on_the_workers(pg_url: str) -> None:
    import threading

    from tokarc.monitor import Watches

    emulator = Emulator(seed=0)
    world = {"now": float(emulator.clock.now())}
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        with open_store(pg_url) as store:
            watches = Watches(store)
            ids = [
                watches.add(kind, target, every="1h", window="1d", now=world["now"]).id
                for kind, target in (("hashtag", "magic"), ("user", "zachking"),
                                     ("keyword", "tesla"))
            ]  # fmt: skip
        runtime = WorkerRuntime(
            pg_url, lambda: tokarc.Client("t", base_url=base_url), clock=lambda: world["now"]
        )
        thread = threading.Thread(target=run_worker, args=(runtime,), kwargs={"concurrency": 3})
        thread.start()
        try:
            _wait_for_runs(pg_url, ids, 1, deadline=60)
            assert _next_due(pg_url, ids) == dict.fromkeys(ids, world["now"] + 3600)
            _wait_for_rounds(pg_url, 2)  # two more rounds of the periodic task: none is due
            assert _runs(pg_url, ids) == dict.fromkeys(ids, 1)
            world["now"] += 3600  # an hour later, each is due once more
            _wait_for_runs(pg_url, ids, 2, deadline=60)
            assert _next_due(pg_url, ids) == dict.fromkeys(ids, world["now"] + 3600)
            _wait_for_rounds(pg_url, 2)
            assert _runs(pg_url, ids) == dict.fromkeys(ids, 2)
        finally:
            runtime.stop()
            thread.join(30)
        assert not thread.is_alive()


def test_a_digest_watch_runs_on_the_workers_once_a_period(pg_url: str, hook: Any) -> None:
    import threading

    from tokarc.monitor import Watches

    def no_client() -> tokarc.Client:
        raise AssertionError("a digest watch asked for an API client")

    world = {"now": time.time()}
    with open_store(pg_url) as store:
        watch = Watches(store).add("digest", "all", every="1h", webhook=hook.url, now=world["now"])
    runtime = WorkerRuntime(pg_url, no_client, clock=lambda: world["now"])
    thread = threading.Thread(target=run_worker, args=(runtime,), kwargs={"concurrency": 2})
    thread.start()
    try:
        _wait_for_runs(pg_url, [watch.id], 1, deadline=60)
        _wait_for_rounds(pg_url, 2)  # two more rounds: not due, not sent again
        assert len(hook.received) == 1
        world["now"] += 3600  # the next period
        _wait_for_runs(pg_url, [watch.id], 2, deadline=60)
        _wait_for_rounds(pg_url, 1)
    finally:
        runtime.stop()
        thread.join(30)
    assert not thread.is_alive()
    assert len(hook.received) == 2
    assert hook.received[0]["idempotency_key"] != hook.received[1]["idempotency_key"]
    with open_store(pg_url) as store:
        runs = Watches(store).runs(watch.id)
    assert [(r["status"], r["units"]) for r in runs] == [("ok", 0), ("ok", 0)]


def _runs(db: str, ids: list[int]) -> dict[int, int]:
    from tokarc.monitor import Watches

    with open_store(db) as store:
        return {i: len(Watches(store).runs(i)) for i in ids}


def _next_due(db: str, ids: list[int]) -> dict[int, float | None]:
    """When each watch is due next, as its last run left it (None while a run holds it)."""
    from tokarc.monitor import Watches

    with open_store(db) as store:
        watches = [Watches(store).get(i) for i in ids]
    return {w.id: None if w.claimed_by else w.next_due for w in watches}


def _wait_for_runs(db: str, ids: list[int], n: int, *, deadline: float) -> None:
    """Until every watch has run ``n`` times and been given back, due again."""
    ran = lambda: min(_runs(db, ids).values()) >= n and None not in _next_due(db, ids).values()  # noqa: E731
    wait_until(ran, timeout=deadline, interval=0.2,
               message=lambda: f"every watch to run {n} times: {_runs(db, ids)}")  # fmt: skip


# The due-watches periodic task's newest round (procrastinate keeps only the newest per task),
# and the status of the job it deferred (NULL once that job succeeded: succeeded jobs are deleted).
NEWEST_ROUND = (
    "SELECT d.defer_timestamp, j.status::text FROM procrastinate_periodic_defers d "
    "LEFT JOIN procrastinate_jobs j ON j.id = d.job_id WHERE d.periodic_id = 'due-watches' "
    "ORDER BY d.defer_timestamp DESC LIMIT 1"
)
WATCH_RUNS_QUEUED = (
    "SELECT count(*) FROM procrastinate_jobs "
    "WHERE task_name = 'tokarc:run_watch' AND status IN ('todo', 'doing')"
)


def _round(db: str) -> tuple[int, bool]:
    """The cron timestamp of the periodic task's newest round, and whether it has ended with no
    watch run left queued or running."""
    with psycopg.connect(db) as conn:
        row = conn.execute(NEWEST_ROUND).fetchone()
        queued = _count(conn, WATCH_RUNS_QUEUED)
    if row is None:
        return 0, False
    assert row[1] != "failed", "the periodic task that enqueues due watches failed"
    return int(row[0]), row[1] in (None, "succeeded") and not queued


def _wait_for_rounds(db: str, rounds: int) -> None:
    """Until the periodic task (every 2 s) has enqueued the due watches ``rounds`` more times
    since now, and what it queued has run."""
    since, _ = _round(db)
    ended = lambda: (r := _round(db))[1] and r[0] >= since + 2 * rounds  # noqa: E731
    wait_until(ended, timeout=60, interval=0.1,
               message=f"{rounds} more rounds of the periodic task after {since}")  # fmt: skip


def test_a_postgresql_restart_mid_run_loses_nothing(private_postgres: Any, tmp_path: Path) -> None:
    db = private_postgres.url
    emulator = Emulator(seed=0)
    reference = str(tmp_path / "ref.db")
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        clean_run(base_url, reference, ("magic",), 600)
        emulator.set_faults(latency=0.1)
        enqueue(db, ("magic",), max_items=600)
        log = tmp_path / "worker.log"
        with log.open("w") as err:
            proc = subprocess.Popen(tokarc_cmd(base_url, "-v", "worker", "--db", db),
                                    stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
        try:
            _wait_for_pages(db, 3, deadline=60)
            private_postgres.ctl("-m", "fast", "-w", "restart")
            _wait_for(lambda: _job_status(db) == "done", deadline=120, log=log)
        finally:
            proc.terminate()
            proc.wait(60)
    assert posts_by_source(db) == posts_by_source(reference)


def test_the_shared_rate_spaces_requests_across_connections(pg_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with open_store(pg_url) as store:
        SharedLimits(store).configure(rate=20, budget=None)

    def slots(_: int) -> list[float]:
        with open_store(pg_url) as store:
            limits = SharedLimits(store)
            return [s for s in (limits.take(0) for _ in range(5)) if s is not None]

    with ThreadPoolExecutor(4) as pool:
        taken = sorted(t for batch in pool.map(slots, range(4)) for t in batch)
    assert len(taken) == 20
    gaps = [b - a for a, b in itertools.pairwise(taken)]
    assert min(gaps) >= 1 / 20 - 1e-6  # one request per 50 ms, whichever worker asks


def _job_status(db: str) -> str | None:
    try:
        with open_store(db) as store:
            return store.list_jobs()[0].status
    except Exception:  # the server is restarting
        return None


def _wait_for(ready: Any, *, deadline: float, log: Path | None = None) -> None:
    said = lambda: "the job to be done\n" + (log.read_text()[-3000:] if log else "")  # noqa: E731
    wait_until(ready, timeout=deadline, interval=0.2, message=said)
