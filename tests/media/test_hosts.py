"""A media host that cannot be reached fails once, fast; a sandbox database is recognised."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

import tokarc
from tokarc.cli._media import collected_in_sandbox
from tokarc.emulator import Emulator
from tokarc.media import Fetcher, MediaRoot
from tokarc.store import Store


def test_a_name_that_does_not_resolve_is_asked_once_for_all_its_files(tmp_path: Path) -> None:
    # What the resolver raises for a name that does not exist, as httpx reports it: no server
    # can answer this, so the failure is made here (the one mocked thing: the network).
    asked: list[str] = []

    def unresolved(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.host)
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from exc

    retry = tokarc.RetryPolicy.instant(attempts=5)
    with httpx.Client(transport=httpx.MockTransport(unresolved)) as http:
        fetcher = Fetcher(http, MediaRoot(tmp_path / "media", 0), retry)
        outcomes = [fetcher.fetch(f"http://gone.example/{i}.jpeg") for i in range(6)]
        other = fetcher.fetch("http://also-gone.example/x.jpeg")
    assert asked == ["gone.example", "also-gone.example"]  # once per host, never retried
    assert {o.status for o in outcomes} == {"failed"}
    assert [o.attempts for o in outcomes] == [1, 0, 0, 0, 0, 0]
    assert {o.error for o in outcomes} == {
        "cannot reach gone.example: [Errno -2] Name or service not known"
    }
    assert other.error is not None
    assert other.error.startswith("cannot reach also-gone.example")


def test_a_database_collected_in_the_sandbox_is_recognised(
    collected: Store, emulator: Emulator
) -> None:
    assert not collected_in_sandbox(collected)  # collected from http://emulator.test
    collected.db.execute(
        "UPDATE users SET avatar_url = 'http://sandbox.tokarc/obj/a.jpeg' WHERE uid IN "
        "(SELECT uid FROM users ORDER BY uid LIMIT 1)"
    )
    assert collected_in_sandbox(collected)
