"""Drop-in: ``except EDError`` written for the official SDK catches the same failures with
tokarc, the import changed and nothing else (the same code run both ways, same emulator)."""

from __future__ import annotations

from typing import Any

import ensembledata.api._requester as requester
import pytest

# Failing calls as a reader of the SDK's docs writes them, and what the API answers.
CODE = """
{import_line}

client = EDClient("INSERT API TOKEN", max_network_retries=1)
caught = []
for call in CALLS:
    try:
        call(client)
    except EDError as e:
        caught.append((e.status_code, int(e.units_charged), bool(str(e.detail))))
"""

CALLS = [
    lambda c: c.tiktok.post_info(url="https://www.tiktok.com/nope"),
    lambda c: c.tiktok.post_info(url="https://evil.example/@a/video/7165262254722534698"),
    lambda c: c.tiktok.keyword_search(keyword="tesla", period="7", country="XX"),
    lambda c: c.tiktok.keyword_search(keyword="tesla", period="3"),
    lambda c: c.tiktok.user_posts_from_username(username="private.pat", depth=1),
    lambda c: c.tiktok.user_info_from_username(username="nobody.at.all"),
]
STATUSES = [462, 462, 466, 422, 472, 473]


def _run(import_line: str) -> list[tuple[int, int, bool]]:
    namespace: dict[str, Any] = {"CALLS": CALLS}
    exec(CODE.format(import_line=import_line), namespace)
    if hasattr(namespace["client"], "close"):  # tokarc's keeps a connection pool
        namespace["client"].close()
    caught: list[tuple[int, int, bool]] = namespace["caught"]
    return caught


@pytest.mark.slow
def test_except_ederror_catches_the_same_with_tokarc(
    live_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(requester, "BASE_URL", live_emulator.base_url)
    monkeypatch.setenv("TOKARC_BASE_URL", live_emulator.base_url)
    official = _run("from ensembledata.api import EDClient, EDError")
    tokarc = _run("from tokarc import EDClient, EDError")
    assert [status for status, _, _ in official] == STATUSES
    assert tokarc == official  # same statuses, no units charged, a detail each


def test_ederror_is_the_base_of_refusals() -> None:
    import tokarc
    from tokarc import errors

    assert tokarc.EDError is errors.EDError
    assert issubclass(errors.APIError, tokarc.EDError)
    assert issubclass(errors.InvalidInputError, tokarc.EDError)
    assert not issubclass(errors.TransportError, tokarc.EDError)  # the SDK raises httpx's
    refused = errors.InvalidInputError("invalid country code 'XX'", status_code=466)
    assert (refused.status_code, refused.units_charged, refused.detail) == (
        466, 0, "invalid country code 'XX'",
    )  # fmt: skip
