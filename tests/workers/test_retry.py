"""Which failures the queue retries a job after, and how soon."""

from __future__ import annotations

from typing import Any

import procrastinate
import procrastinate.jobs
import psycopg
import pytest

from tokarc.errors import ConnectError, api_error
from tokarc.store import TransientError
from tokarc.workers._tasks import RETRY, Interrupted


@pytest.fixture
def retry_in(monkeypatch: pytest.MonkeyPatch) -> Any:
    """What the retry strategy decides for an exception after ``attempts``: the keywords of
    its ``RetryDecision`` (a delay, not a time, so nothing depends on the clock), or None."""
    monkeypatch.setattr(procrastinate, "RetryDecision", lambda **decision: decision)

    def decide(exception: BaseException, attempts: int) -> Any:
        job = procrastinate.jobs.Job(id=1, queue="tokarc", lock="job:1", queueing_lock="job:1",
                                     task_name="collect_job", attempts=attempts)  # fmt: skip
        return RETRY.get_retry_decision(exception=exception, job=job)

    return decide


RETRIED = {
    "transient": TransientError("deadlock detected"),
    "network": ConnectError("refused"),
    "connection": psycopg.OperationalError("the connection was lost"),
}


@pytest.mark.parametrize("exception", RETRIED.values(), ids=RETRIED.keys())
def test_the_database_and_the_network_are_retried_with_backoff(
    retry_in: Any, exception: Exception
) -> None:
    delays = [retry_in(exception, n) for n in (0, 3, 6, RETRY.attempts - 1, RETRY.attempts)]
    seconds = [{"retry_in": {"seconds": s}} for s in (1, 8, 60, 60)]
    assert delays == [*seconds, None]  # 8 attempts, then left failed


def test_a_shutdown_is_queued_again_at_once_and_a_bug_or_a_missing_target_is_not(
    retry_in: Any,
) -> None:
    assert retry_in(Interrupted("stopping"), 50) == {"retry_in": {"seconds": 0}}
    assert retry_in(api_error(404, "not found"), 0) is None
    assert retry_in(ValueError("a bug"), 0) is None
