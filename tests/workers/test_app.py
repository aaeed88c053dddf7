"""The procrastinate app of a worker: one per runtime, which hands the runtime to its jobs in
their context; tasks that defer through the app running them; modules without import cycles.

No PostgreSQL here: an app is built on the real connector (which connects only when opened),
and procrastinate's in-memory connector stands in for the database where a job is run.
"""

from __future__ import annotations

import ast
import datetime as dt
import graphlib
from pathlib import Path
from typing import Any

import procrastinate
import procrastinate.jobs
import pytest
from procrastinate.job_context import JobContext
from procrastinate.testing import InMemoryConnector

import tokarc
import tokarc.workers
from tokarc.workers import WorkerRuntime
from tokarc.workers._app import new_app
from tokarc.workers._tasks import COLLECT_JOB, defer_job, runtime_of

URL = "postgresql://postgres@127.0.0.1:5432/never-opened"
PACKAGE = Path(tokarc.workers.__file__).parent
TASKS = {"tokarc:collect_job", "tokarc:run_watch", "tokarc:enqueue_due_watches",
         "tokarc:retry_stalled"}  # fmt: skip


def runtime() -> WorkerRuntime:
    return WorkerRuntime(db=URL, client=lambda: tokarc.Client("t"))


def test_every_app_has_tokarc_s_tasks_bound_to_itself_on_the_real_connector() -> None:
    first, second = new_app(URL), new_app(URL)
    for app in (first, second):
        assert isinstance(app.connector, procrastinate.PsycopgConnector)
        assert set(app.tasks) >= TASKS
        assert all(app.tasks[name].blueprint is app for name in TASKS)
        periodic = {task.task.name for task in app.periodic_registry.periodic_tasks.values()}
        assert periodic == {"tokarc:enqueue_due_watches", "tokarc:retry_stalled"}
    assert first.tasks[COLLECT_JOB] is not second.tasks[COLLECT_JOB]  # nothing shared


def test_a_worker_s_jobs_find_its_runtime_in_their_context() -> None:
    ours, theirs = runtime(), runtime()
    seen: list[WorkerRuntime] = []
    apps = [new_app(URL, runtime=ours), new_app(URL, runtime=theirs)]  # two runtimes, one process
    for app in apps:
        probe = app.task(name="probe", pass_context=True)(
            lambda context: seen.append(runtime_of(context))
        )
        with app.replace_connector(InMemoryConnector()), app.open():
            probe.defer()
            app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
    assert seen == [ours, theirs]


def test_a_job_outside_a_worker_says_so() -> None:
    job = procrastinate.jobs.Job(id=1, queue="tokarc", lock=None, queueing_lock=None,
                                 task_name=COLLECT_JOB)  # fmt: skip
    context = JobContext(app=new_app(URL), job=job, start_timestamp=0.0, abort_reason=lambda: None)
    with pytest.raises(RuntimeError, match="outside a tokarc worker"):
        runtime_of(context)


def test_a_job_is_deferred_keyed_through_the_app_given() -> None:
    app = new_app(URL)
    tomorrow = dt.datetime(2026, 12, 8, tzinfo=dt.UTC)
    with app.replace_connector(InMemoryConnector()) as app, app.open():
        defer_job(app, 7, queue="tokarc")
        with pytest.raises(procrastinate.exceptions.AlreadyEnqueued):
            defer_job(app, 7, schedule_at=tomorrow)  # queued at most once
        jobs: Any = app.connector
        [row] = jobs.jobs.values()
    assert (row["task_name"], row["lock"], row["queueing_lock"]) == (COLLECT_JOB, "job:7", "job:7")
    assert (row["queue_name"], row["args"]) == ("tokarc", {"job_id": 7})


def test_a_job_stopped_by_the_day_is_queued_again_on_its_own_queue() -> None:
    """A worker on ``--queue nightly`` takes the job again tomorrow: it goes back to the queue
    it came from, not procrastinate's default."""
    from tokarc.workers._tasks import _again_tomorrow

    app = new_app(URL)
    now = dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC).timestamp()
    with app.replace_connector(InMemoryConnector()) as app, app.open():
        _again_tomorrow(app, 9, now, "nightly")
        _again_tomorrow(app, 9, now, "nightly")  # queued once
        jobs: Any = app.connector
        [row] = jobs.jobs.values()
    assert (row["queue_name"], row["args"]) == ("nightly", {"job_id": 9})
    assert row["scheduled_at"] == dt.datetime(2026, 12, 8, tzinfo=dt.UTC)


def _siblings(node: ast.AST) -> set[str]:
    """The modules of this package that ``node`` imports, anywhere inside it."""
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.ImportFrom) and sub.level == 1:
            found |= {sub.module} if sub.module else {alias.name for alias in sub.names}
    return found


def _modules(tree: ast.Module) -> set[str]:
    """Every absolute module a module imports from."""
    found: set[str] = set()
    for sub in ast.walk(tree):
        if isinstance(sub, ast.Import):
            found |= {alias.name for alias in sub.names}
        elif isinstance(sub, ast.ImportFrom) and sub.module and not sub.level:
            found.add(sub.module)
    return found


def test_the_modules_import_each_other_at_the_top_and_without_a_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("_[!_]*.py")):  # not __init__: the lazy names
        tree = ast.parse(path.read_text())
        functions = [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        assert not set().union(*map(_siblings, functions)), f"{path.name}: import in a function"
        assert "procrastinate.testing" not in _modules(tree), f"{path.name}: test code"
        graph[path.stem] = _siblings(tree)
    assert graph["_tasks"] == {"_limits", "_runtime"}  # the tasks know no app, no worker loop
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a cycle
