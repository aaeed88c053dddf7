"""The error tree and its single status table."""

from __future__ import annotations

import pickle

import pytest

from tokarc import errors
from tokarc.client._retry import RetryPolicy

DESIGN_STATUSES = {
    422,
    429,
    462,
    463,
    464,
    466,
    469,
    471,
    472,
    473,
    474,
    491,
    492,
    493,
    495,
    500,
    520,
}


def test_every_documented_status_has_its_class() -> None:
    assert set(errors.STATUS_ERRORS) >= DESIGN_STATUSES
    classes = [errors.STATUS_ERRORS[s] for s in DESIGN_STATUSES]
    assert len(set(classes)) == len(classes)


@pytest.mark.parametrize("status", sorted(errors.STATUS_ERRORS))
def test_api_error_carries_what_ederror_carries(status: int) -> None:
    exc = errors.api_error(status, "Some detail", 3, endpoint="hashtag_search")
    assert isinstance(exc, errors.STATUS_ERRORS[status])
    assert isinstance(exc, errors.APIError)
    assert isinstance(exc, errors.TokarcError)
    assert (exc.status_code, exc.detail, exc.units_charged) == (status, "Some detail", 3)
    assert "Some detail" in str(exc)
    assert "hashtag_search" in str(exc)
    assert f"HTTP {status}" in str(exc)
    assert pickle.loads(pickle.dumps(exc)).status_code == status


def test_unknown_statuses_fall_back_by_family() -> None:
    assert type(errors.api_error(418)) is errors.BadRequestError
    assert type(errors.api_error(503)) is errors.ServerError


def test_fastapi_validation_detail_reads_as_one_line() -> None:
    detail = [{"loc": ["query", "name"], "msg": "field required", "type": "value_error.missing"}]
    exc = errors.api_error(422, detail)
    assert "name: field required" in str(exc)
    assert "\n" not in str(exc)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (errors.api_error(500), True),
        (errors.api_error(503), True),
        (errors.api_error(429), True),
        (errors.api_error(429, retry_after=2.5), 2.5),
        (errors.api_error(429, retry_after=999.0), 120.0),
        (errors.ConnectError("down"), True),
        (errors.TimeoutError("slow"), True),
        (errors.MalformedResponseError("cut"), True),
        (errors.api_error(520), False),
        (errors.api_error(493), False),
        (errors.api_error(495), False),
        (errors.api_error(472), False),
        (errors.api_error(422), False),
        (errors.InvalidInputError("bad"), False),
    ],
)
def test_retry_decisions(exc: Exception, expected: bool | float) -> None:
    assert RetryPolicy().decide(exc) == expected
