"""Issue 29, the digest's "Renames and states": a store collected from the emulator across its
clock (a rename, a private spell, a gone account) digested over periods with and without them,
narrowed by source, hostile names escaped; both backends."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.analysis import identity_changes
from tokarc.cli import run
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.emulator._clock import DEFAULT_NOW
from tokarc.models import decode
from tokarc.monitor import Scheduler, Watches
from tokarc.report import RUNNERS, digest, write_digest
from tokarc.store import Batch, record_refusal, timestamp

from .conftest import BASE, DAY, HOUR, Hook, scheduler

HOSTILE = '<img src=x onerror="alert(1)"> *bold* [link](http://bad)'
GONE_POSTS = 12  # more than the digest lists: "and 2 more"


@dataclass(frozen=True)
class World:
    db: str
    now: float  # the world clock after the collections


def collect_over_the_clock(emulator: Emulator, db: str) -> None:
    """lucky.zone64 renamed (+1 d); swift_x67 private (+2 d) then back (+4 d), followed by a
    user watch; stormy_life71 gone (+2 d): 473, and its posts gone from lookups by id."""
    retry = tokarc.RetryPolicy.instant(attempts=8)
    world = emulator.world
    lucky, stormy = world.user(64), world.user(71)
    with (
        open_store(db) as store,
        tokarc.Client("t", base_url=BASE, transport=emulator.transport(), retry=retry) as client,
    ):
        c = Collector(client, store, clock=lambda: float(emulator.clock.now()))
        c.run(JobSpec.build("user_posts", "lucky.zone64", max_items=5))
        c.run(JobSpec.build("user_posts", "stormy_life71", max_items=GONE_POSTS))
        sql = "SELECT aweme_id FROM posts WHERE author_uid = ?"
        tracked = [r[0] for r in store.db.query(sql, (stormy.uid,))]
        emulator.clock.advance(DAY)
        c.run(JobSpec.build("user_posts_secuid", lucky.sec_uid, max_items=5))  # lucky.renamed
        emulator.clock.advance(DAY)
        Watches(store).add(
            "user", "swift_x67", every="1h", window="30d", now=float(emulator.clock.now())
        )
        for _ in range(2):  # gone after two lookups that miss
            c.run(JobSpec.build("posts", "", ids=tracked))
        c.run(JobSpec.build("user_posts", "stormy_life71", max_items=5))  # 473
    watch = scheduler(emulator, db)
    assert watch.tick()[0].status == "failed"  # private: 472
    emulator.clock.advance(HOUR)
    assert watch.tick()[0].status == "failed"  # still private: no new state
    emulator.clock.advance(2 * DAY)
    assert watch.tick()[0].status == "ok"  # back


@pytest.fixture
def world(emulator: Emulator, any_db: str) -> World:
    collect_over_the_clock(emulator, any_db)
    return World(any_db, float(emulator.clock.now()))


def test_a_period_with_a_rename_a_private_spell_and_a_gone_account_shows_them(
    world: World, tmp_path: Path
) -> None:
    since = "2026-11-01"  # to the real clock's now: the whole world's history
    outs = {fmt: tmp_path / f"d.{fmt}" for fmt in ("md", "html", "json")}
    for out in outs.values():
        assert run(["digest", "--db", world.db, "--since", since, "-o", str(out)]) == 0
    md = outs["md"].read_text()
    section = md.split("## Renames and states\n\n")[1].split("\n\n")[0].splitlines()
    gone = [line for line in section if line.startswith("- post ") and " by @" in line]
    assert section[:2] == [
        "- renames: 1",
        '- @lucky.zone64 is now @lucky.renamed ("Lucky Hq ✨" is now "Lucky Renamed"), '
        "2026-11-02 00:00",
    ]
    assert section[2:6] == [
        "- account states: 3",
        "- @stormy\\_life71: not found (473), 2026-11-03 00:00",
        "- @swift\\_x67: private (472), 2026-11-03 00:00",  # once: refused again is no change
        "- @swift\\_x67: back, 2026-11-05 01:00",
    ]
    assert section[6] == f"- post states: {GONE_POSTS}"
    assert len(gone) == 10
    assert all(line.endswith(": gone, 2026-11-03 00:00") for line in gone)
    assert section[-1] == f"- and {GONE_POSTS - 10} more post states"
    page = outs["html"].read_text()
    assert "<li>@lucky.zone64 is now @lucky.renamed (&quot;Lucky Hq ✨&quot; is now" in page
    assert "<li>@swift_x67: private (472), 2026-11-03 00:00</li>" in page
    ids = json.loads(outs["json"].read_text())["identities"]
    [rename] = ids["renames"]["first"]
    assert (rename["old_handle"], rename["new_handle"]) == ("lucky.zone64", "lucky.renamed")
    assert rename["new_nickname"] == "Lucky Renamed"
    assert rename["at"].startswith("2026-11-02T00:00")
    assert [(a["handle"], a["state"], a["code"]) for a in ids["accounts"]["first"]] == [
        ("stormy_life71", "not_found", 473),
        ("swift_x67", "private", 472),
        ("swift_x67", "back", None),
    ]
    assert (ids["posts"]["count"], len(ids["posts"]["first"])) == (GONE_POSTS, 10)
    assert {p["state"] for p in ids["posts"]["first"]} == {"gone"}


def test_a_period_without_them_shows_none(world: World, tmp_path: Path) -> None:
    md, page = tmp_path / "d.md", tmp_path / "d.html"
    with open_store(world.db) as store:
        for out in (md, page):  # the first day: accounts found, nothing renamed or refused
            d = write_digest(store, out, since="12h", now=DEFAULT_NOW + 23 * HOUR)
        later = digest(store, DEFAULT_NOW + DAY - HOUR, DEFAULT_NOW + DAY + HOUR)
    assert "- renames: none\n- account states: none\n- post states: none\n" in md.read_text()
    assert "<li>renames: none</li><li>account states: none</li>" in page.read_text()
    js = d.as_json()["identities"]
    assert [js[k]["count"] for k in ("renames", "accounts", "posts")] == [0, 0, 0]
    # the day of the rename alone: the rename, and no state
    assert (later.identities.renames.count, later.identities.accounts.count) == (1, 0)


def test_a_source_narrows_it_to_its_accounts_and_posts(world: World) -> None:
    with open_store(world.db) as store:
        lucky = digest(store, DEFAULT_NOW, world.now, ["user_posts:lucky.zone64"]).identities
        swift = digest(store, DEFAULT_NOW, world.now, ["user:swift_x67"]).identities
        stormy = digest(store, DEFAULT_NOW, world.now, ["user_posts:stormy_life71"]).identities
    assert (lucky.renames.count, lucky.accounts.count, lucky.posts.count) == (1, 0, 0)
    assert (swift.renames.count, swift.posts.count) == (0, 0)
    assert [a.state for a in swift.accounts.first] == ["private", "back"]
    assert (stormy.renames.count, stormy.posts.count) == (0, GONE_POSTS)
    assert [a.state for a in stormy.accounts.first] == ["not_found"]


def test_a_digest_watch_sends_them_too(world: World, hook: Hook) -> None:
    with open_store(world.db) as store:
        Watches(store).add("digest", "user:swift_x67", every="1d", webhook=hook.url, now=world.now)
    [ran] = Scheduler(world.db, _no_client, clock=lambda: world.now, runners=RUNNERS).tick()
    assert ran.status == "ok"
    [sent] = hook.received
    assert "## Renames and states\n\n- renames: none\n- account states: 1\n" in sent["text"]
    assert "- @swift\\_x67: back, 2026-11-05 01:00\n" in sent["text"]  # the last day's
    [back] = sent["digest"]["identities"]["accounts"]["first"]
    assert (back["handle"], back["state"]) == ("swift_x67", "back")


def _no_client() -> tokarc.Client:
    raise AssertionError("a digest watch asked for an API client")


def test_a_user_watch_shows_its_account_before_any_of_its_posts_is_stored(
    emulator: Emulator, any_db: str
) -> None:
    emulator.clock.advance(2 * DAY)  # swift_x67 is private: the watch finds no post
    now = float(emulator.clock.now())
    with open_store(any_db) as store:
        Watches(store).add("user", "swift_x67", every="1h", now=now)
    assert scheduler(emulator, any_db).tick()[0].status == "failed"
    with open_store(any_db) as store:
        found = digest(store, now - HOUR, now + HOUR, ["user:swift_x67"]).identities
        posts = store.db.query("SELECT COUNT(*) FROM posts")[0][0]
    assert posts == 0  # only the account the watch follows puts it in scope
    assert [(a.handle, a.state) for a in found.accounts.first] == [("swift_x67", "private")]


def _hostile(db: str, at: Callable[[int], dt.datetime]) -> None:
    """An account renamed to a hostile handle and nickname, a refusal of a hostile handle,
    and a hostile author's post restricted (520)."""

    def seen(handle: str, nickname: str, hour: int) -> Batch:
        raw = {"aweme_id": "7400000000000000001", "desc": "hi", "create_time": DEFAULT_NOW,
               "author": {"uid": "5", "unique_id": handle, "nickname": nickname}}  # fmt: skip
        return Batch(endpoint="test", records=[decode("post", raw)], fetched_at=at(hour),
                     source_kind="hashtag", source_target="magic")  # fmt: skip

    with open_store(db) as store:
        store.save_page(seen("plain", "Plain", 1))
        store.save_page(seen("<b>evil</b>", HOSTILE, 2))
        record_refusal(store.db, 472, "username", "<i>x</i>|y", timestamp(at(3)))
        record_refusal(store.db, 520, "aweme_id", "7400000000000000001", timestamp(at(4)))
        store.save_page(seen("<b>evil</b>", "", 5))  # no nickname shown: no change
        store.save_page(seen("<b>evil</b>", "Calm", 5))  # a nickname alone


def test_hostile_names_are_text_in_html_and_markdown(any_db: str, tmp_path: Path) -> None:
    base = dt.datetime.fromtimestamp(DEFAULT_NOW, dt.UTC)
    _hostile(any_db, lambda hour: base + dt.timedelta(hours=hour))
    outs = {fmt: tmp_path / f"d.{fmt}" for fmt in ("md", "html", "json")}
    with open_store(any_db) as store:
        for out in outs.values():
            write_digest(store, out, since="6h", now=DEFAULT_NOW + 6 * HOUR)
    page, md = outs["html"].read_text(), outs["md"].read_text()
    for raw in ("<b>", "<img", "<i>"):
        assert raw not in page
    assert re.findall(r"(?<!\\)[<>*\[\]|]", md.split("## Renames and states")[1]) == []
    assert "@plain is now @&lt;b&gt;evil&lt;/b&gt; (&quot;Plain&quot; is now &quot;&lt;img" in page
    assert "@&lt;i&gt;x&lt;/i&gt;|y: private (472)" in page
    assert "post 7400000000000000001 by @&lt;b&gt;evil&lt;/b&gt;: restricted (520)" in page
    assert '@plain is now @\\<b\\>evil\\</b\\> ("Plain" is now "\\<img src=x' in md
    assert "\\*bold\\* \\[link\\](http://bad)" in md
    assert "@\\<i\\>x\\</i\\>\\|y: private (472)" in md
    assert "- @\\<b\\>evil\\</b\\>'s nickname \"\\<img src=x" in md
    assert '\\[link\\](http://bad)" is now "Calm", 2026-11-01 05:00\n' in md
    ids = json.loads(outs["json"].read_text())["identities"]
    assert ids["renames"]["count"] == 2
    assert ids["renames"]["first"][0]["new_nickname"] == HOSTILE  # data, as the API sent it
    assert ids["accounts"]["first"][0]["handle"] == "<i>x</i>|y"


def test_the_analysis_keeps_the_first_and_counts_the_rest(world: World) -> None:
    with open_store(world.db) as store:
        found = identity_changes(store, DEFAULT_NOW, world.now, first=2)
        nothing = identity_changes(store, DEFAULT_NOW, world.now, uids=set(), posts=set())
    assert (found.posts.count, len(found.posts.first), found.posts.more) == (GONE_POSTS, 2, 10)
    assert [a.state for a in found.accounts.first] == ["not_found", "private"]
    assert (nothing.renames.count, nothing.accounts.count, nothing.posts.count) == (0, 0, 0)
