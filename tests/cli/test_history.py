"""``tokarc user-history`` and ``tokarc search @old`` over a store collected from the emulator
across its clock: a rename, a private spell, a gone account; both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.analysis import history, open_archive
from tokarc.analysis._history import LATEST_POST_EVENTS
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.store import Store

from .conftest import Ran

DAY = 86_400
BASE = "http://emulator.test/apis"


def collect_over_the_clock(emulator: Emulator, db: str) -> None:
    """lucky.zone64's profile, then renamed; swift_x67's posts, one restricted (520), the
    account private, back; stormy_life71's posts, then gone, and the account."""
    retry = tokarc.RetryPolicy.instant(attempts=8)
    lucky = emulator.world.user(64)
    with (
        open_store(db) as store,
        tokarc.Client("t", base_url=BASE, transport=emulator.transport(), retry=retry) as client,
    ):
        c = Collector(client, store, clock=lambda: float(emulator.clock.now()))
        c.run(JobSpec.build("user", "lucky.zone64"))
        c.run(JobSpec.build("user", "swift_x67"))
        c.run(JobSpec.build("user_posts", "swift_x67", max_items=5))
        c.run(JobSpec.build("user_posts", "stormy_life71", max_items=STORMY_POSTS))
        emulator.set_faults(error_status=520)  # TikTok restricts a post
        c.run(JobSpec.build("comments", first_post(store, "swift_x67"), max_items=5))
        emulator.set_faults(error_status=0)
        emulator.clock.advance(2 * DAY)
        stormy = [r[0] for r in store.db.query(POSTS_OF, ("stormy_life71",))]
        for _ in range(2):  # gone after two lookups that miss
            c.run(JobSpec.build("posts", ids=stormy))
        c.run(JobSpec.build("user_posts", "stormy_life71", max_items=5))  # 473
        c.run(JobSpec.build("user_posts", "swift_x67", max_items=5))  # 472
        c.run(JobSpec.build("user", "lucky.renamed"))
        emulator.clock.advance(2 * DAY)
        c.run(JobSpec.build("user_posts", "swift_x67", max_items=5))  # back
        c.run(JobSpec.build("user_posts_secuid", lucky.sec_uid, max_items=5))  # lucky.final


STORMY_POSTS = 8
POSTS_OF = "SELECT aweme_id FROM posts WHERE author_unique_id = ? ORDER BY aweme_id"


def first_post(store: Store, handle: str) -> str:
    return str(store.db.query(POSTS_OF, (handle,))[0][0])


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path, emulator: Emulator) -> str:
    url = str(tmp_path / "h.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    collect_over_the_clock(emulator, url)
    return url


def test_the_timeline_by_any_handle_uid_or_sec_uid(
    cli: Callable[..., Ran], db: str, emulator: Emulator
) -> None:
    lucky = emulator.world.user(64)
    outs = [cli("user-history", ref, "--db", db, "--json") for ref in
            ("@lucky.zone64", "lucky.renamed", lucky.uid, lucky.sec_uid)]  # fmt: skip
    assert {o.code for o in outs} == {0}
    data = json.loads(outs[0].out)
    assert all(json.loads(o.out) == data for o in outs)
    assert data["handle"] == "lucky.final"
    assert [n["handle"] for n in data["names"]] == ["lucky.zone64", "lucky.renamed", "lucky.final"]
    assert data["names"][1]["nickname"] == "Lucky Renamed"
    assert [c["follower_count"] for c in data["counts"]] == [lucky.followers, lucky.followers]
    assert [s["state"] for s in data["states"]] == ["found"]
    table = cli("user-history", "lucky.zone64", "--db", db)
    assert table.code == 0
    assert "@lucky.final" in table.out
    assert "Lucky Renamed" in table.out


def test_every_state_of_an_account(cli: Callable[..., Ran], db: str) -> None:
    data = json.loads(cli("user-history", "swift_x67", "--db", db, "--json").out)
    assert [(s["state"], s["code"]) for s in data["states"]] == [
        ("found", None),
        ("private", 472),
        ("back", None),
    ]
    assert data["states"][1]["at"].startswith("2026-11-03")


def test_search_at_an_old_handle_finds_the_account_now(cli: Callable[..., Ran], db: str) -> None:
    ran = cli("search", "@lucky.zone64", "--db", db, "--json")
    assert ran.code == 0
    assert [line["handle"] for line in ran.lines()] == ["lucky.final"]
    assert "@lucky.final" in cli("search", "@lucky.zone64", "--db", db).out
    assert cli("search", "@nobody.here", "--db", db, "--json").out == ""


def test_the_library_and_the_archive_object(db: str) -> None:
    with open_store(db) as store:
        h = history(store, "lucky.renamed")
    assert h is not None
    assert h.handle == "lucky.final"
    if not db.startswith("postgres"):
        with open_archive(db) as archive:
            assert archive.history("lucky.zone64") == h


def test_an_unknown_account_is_a_one_line_error(cli: Callable[..., Ran], tmp_path: Path) -> None:
    db = str(tmp_path / "empty.db")
    open_store(db).close()
    ran = cli("user-history", "nobody\x1b[31m", "--db", db)
    assert ran.code == 2
    assert "Traceback" not in ran.err
    assert "\x1b" not in ran.err
    assert len(ran.err.strip().splitlines()) == 1
    missing = cli("user-history", "zachking", "--db", str(tmp_path / "none.db"))
    assert missing.code == 2
    assert "no such database file" in missing.err


def test_the_states_of_the_accounts_posts(cli: Callable[..., Ran], db: str) -> None:
    swift = json.loads(cli("user-history", "swift_x67", "--db", db, "--json").out)["posts"]
    with open_store(db) as store:
        restricted = first_post(store, "swift_x67")
        stormy = [r[0] for r in store.db.query(POSTS_OF, ("stormy_life71",))]
    assert swift["now"] == {"back": 1}
    assert [(e["aweme_id"], e["state"], e["code"]) for e in swift["latest"]] == [
        (restricted, "restricted", 520),
        (restricted, "back", None),
    ]
    assert swift["latest"][0]["at"] < swift["latest"][1]["at"]
    data = json.loads(cli("user-history", "stormy_life71", "--db", db, "--json").out)
    assert [s["state"] for s in data["states"]] == ["found", "not_found"]
    assert len(stormy) == STORMY_POSTS > LATEST_POST_EVENTS
    assert data["posts"]["now"] == {"gone": STORMY_POSTS}
    latest = data["posts"]["latest"]
    assert [(e["aweme_id"], e["state"]) for e in latest] == [
        (i, "gone") for i in stormy[-LATEST_POST_EVENTS:]
    ]
    assert latest[0]["at"].startswith("2026-11-03")
    table = cli("user-history", "stormy_life71", "--db", db)
    assert table.code == 0
    assert f"posts' states (now {STORMY_POSTS} gone; the latest 5)" in table.out
    assert stormy[-1] in table.out
    lucky = json.loads(cli("user-history", "lucky.final", "--db", db, "--json").out)
    assert lucky["posts"] == {"now": {}, "latest": []}
    assert "posts' states" not in cli("user-history", "lucky.final", "--db", db).out
