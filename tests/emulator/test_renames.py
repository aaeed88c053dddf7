"""Accounts that change over the world clock: renamed, private for a while, gone."""

from __future__ import annotations

import httpx
import pytest

from tokarc.emulator import Emulator
from tokarc.emulator import _renames as R

from .conftest import Get

DAY = 86_400


def handle(get: Get, name: str) -> str | int:
    """The handle ``/tt/user/info`` shows for ``name``, or the status it answers."""
    r = get("/tt/user/info", username=name)
    return r.json()["data"]["user"]["uniqueId"] if r.status_code == 200 else r.status_code


def test_the_documented_accounts_are_public_and_named_as_documented(emulator: Emulator) -> None:
    world = emulator.world
    assert [world.user(i).unique_id for i in (64, 67, 71)] == [
        "lucky.zone64",
        "swift_x67",
        "stormy_life71",
    ]
    assert not any(world.user(i).private for i in (64, 67, 71))


def test_a_rename_moves_the_handle_and_keeps_the_ids(get: Get, emulator: Emulator) -> None:
    before = get("/tt/user/info", username="lucky.zone64").json()["data"]["user"]
    assert handle(get, "lucky.renamed") == 473
    emulator.clock.advance(DAY)
    assert handle(get, "lucky.zone64") == 473  # the old handle names nobody
    after = get("/tt/user/info", username="lucky.renamed").json()["data"]["user"]
    assert (after["id"], after["secUid"]) == (before["id"], before["secUid"])
    assert after["nickname"] == "Lucky Renamed"
    by_sec = get("/tt/user/info-from-secuid", secUid=before["secUid"]).json()["data"]["user"]
    assert by_sec["unique_id"] == "lucky.renamed"
    emulator.clock.advance(2 * DAY)
    assert handle(get, "lucky.renamed") == 473
    assert handle(get, "lucky.final") == "lucky.final"


def test_every_response_shows_the_new_name(get: Get, emulator: Emulator) -> None:
    emulator.clock.advance(DAY)
    posts = get("/tt/user/posts", username="lucky.renamed", depth=1).json()["data"]
    assert posts
    for post in posts:
        assert post["author"]["unique_id"] == "lucky.renamed"
        assert post["author"]["nickname"] == "Lucky Renamed"
        assert "/@lucky.renamed/video/" in post["share_url"]
    body = get("/tt/user/posts", username="lucky.renamed", depth=1).content
    assert b'"unique_id":"lucky.zone64"' not in body
    assert b'"unique_id":"lucky.renamed"' in body


@pytest.mark.parametrize(("days", "status"), [(0, 200), (2, 472), (3.9, 472), (4, 200)])
def test_a_private_spell(get: Get, emulator: Emulator, days: float, status: int) -> None:
    emulator.clock.advance(days * DAY)
    assert get("/tt/user/posts", username="swift_x67", depth=1).status_code == status


def test_a_gone_account_and_its_posts(get: Get, emulator: Emulator, http: httpx.Client) -> None:
    posts = get("/tt/user/posts", username="stormy_life71", depth=1).json()["data"]
    ids = ";".join(p["aweme_id"] for p in posts[:3])
    uid = posts[0]["author"]["uid"]
    assert len(get("/tt/post/multi-info", ids=ids).json()["data"]) == 3
    emulator.clock.advance(2 * DAY)
    assert handle(get, "stormy_life71") == 473
    assert get("/tt/user/posts", username="stormy_life71", depth=1).status_code == 473
    assert (
        get("/tt/user/followers", id=uid, secUid=posts[0]["author"]["sec_uid"]).status_code == 473
    )
    assert get("/tt/post/multi-info", ids=ids).json()["data"] == []


def test_nothing_changes_before_the_first_rename() -> None:
    assert min(r.at for r in R.RENAMES) > R.DEFAULT_NOW
    assert min(s.start for s in R.SPELLS) > R.DEFAULT_NOW
