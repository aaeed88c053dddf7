"""Overperforming posts from snapshots with known values: each against its own account's
median at the same age (interpolated between snapshots), thin baselines marked, on both
backends; and ``tokarc top``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tokarc._wiring import open_store
from tokarc.analysis import overperforming
from tokarc.analysis._overperforming import value_at
from tokarc.models import decode
from tokarc.store import Batch, Store

HOUR = 3600
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()


def _post(aweme_id: str, created: float, plays: int, uid: str) -> Any:
    raw = {"aweme_id": aweme_id, "desc": f"post {aweme_id}", "create_time": int(created),
           "author": {"uid": uid, "unique_id": f"maker{uid}"},
           "statistics": {"play_count": plays, "digg_count": plays // 10}}  # fmt: skip
    return decode("post", raw)


def _seen(
    store: Store, aweme_id: str, created: float, uid: str, at_hours: dict[float, int]
) -> None:
    for hours, plays in at_hours.items():
        at = dt.datetime.fromtimestamp(created + hours * HOUR, dt.UTC)
        store.save_page(Batch(endpoint="test", records=[_post(aweme_id, created, plays, uid)],
                              source_kind="hashtag", source_target="t", fetched_at=at))  # fmt: skip


def _fill(store: Store) -> None:
    # account 1: six posts a day apart, each 100 plays at 1 h and 340 at 25 h, then one that has
    # 5,000 at 5 h; account 2: two posts, then one with 900 at 5 h (a thin baseline)
    for day in range(6):
        _seen(store, f"71000{day}", T0 + day * 24 * HOUR, "1", {1: 100, 25: 340})
    _seen(store, "7199", T0 + 7 * 24 * HOUR, "1", {1: 300, 5: 5000})
    for day in range(2):
        _seen(store, f"72000{day}", T0 + day * 24 * HOUR, "2", {2: 10, 10: 90})
    _seen(store, "7299", T0 + 7 * 24 * HOUR, "2", {1: 50, 5: 900})


def test_value_at_interpolates_between_snapshots() -> None:
    points = [(1 * HOUR, 100), (25 * HOUR, 340)]
    assert value_at(points, 5 * HOUR) == pytest.approx(140.0)  # 100 + 240 * 4/24
    assert value_at(points, 0.5 * HOUR) == pytest.approx(50.0)  # from 0 at creation
    assert value_at(points, 25 * HOUR) == 340
    assert value_at(points, 26 * HOUR) is None  # past the last snapshot: not known


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_post_against_its_accounts_median_at_the_same_age(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    db = str(tmp_path / "o.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(db) as store:
        _fill(store)
        scores = {s.aweme_id: s for s in overperforming(store, "plays")}
        ranked = [s.aweme_id for s in overperforming(store, "plays")]
    hit = scores["7199"]
    assert (hit.value, hit.age, hit.baseline_posts) == (5000, 5 * HOUR, 6)
    assert hit.baseline == pytest.approx(140.0)
    assert hit.score == pytest.approx(5000 / 140)
    assert hit.trusted
    thin = scores["7299"]  # account 2's two others at 5 h: 10 + 80 * 3/8 = 40 each
    assert (thin.baseline, thin.baseline_posts) == (pytest.approx(40.0), 2)
    assert thin.score == pytest.approx(900 / 40)
    assert not thin.trusted  # fewer than MIN_BASELINE
    assert ranked[0] == "7199"  # trusted first
    assert ranked.index("7299") > ranked.index("7199")


def test_top_lists_them_and_writes_them(tmp_path: Path, cli: Any) -> None:
    db = tmp_path / "o.db"
    with open_store(db) as store:
        _fill(store)
    ran = cli("top", "--db", str(db), "--by", "overperforming", "--json", "--limit", "2")
    assert ran.code == 0, ran.err
    first = json.loads(ran.out.splitlines()[0])
    assert (first["id"], first["score"], first["baseline"], first["trusted"]) == (
        "7199", round(5000 / 140, 2), 140.0, True)  # fmt: skip
    table = cli("top", "--db", str(db))
    assert "(thin)" in table.out
    readme = cli("top", "--db", str(db), "--by", "overperforming", "--since", "24h")  # README's
    assert readme.code == 0
    assert "0 posts by plays against their account's usual" in readme.out  # all older than 24h
    out = tmp_path / "top.csv"
    assert cli("top", "--db", str(db), "-o", str(out)).code == 0
    assert out.read_text().splitlines()[0].startswith("id,author,created,age,value,baseline")
    bad = cli("top", "--db", str(db), "-o", str(tmp_path / "x.xlsx"))
    assert (bad.code, bad.err.count("\n")) == (2, 1)
    late = cli("top", "--db", str(db), "--since", "2999-01-01")
    assert late.code == 2


def test_the_report_shows_the_overperforming_posts(tmp_path: Path) -> None:
    from tokarc.report import write_report

    db = tmp_path / "o.db"
    with open_store(db) as store:
        _fill(store)
        report = write_report(store, tmp_path / "r.html", now=T0 + 8 * 24 * HOUR)
    assert "table-overperforming" in report.tables
    table = report.html.split('id="table-overperforming"')[1].split("</table>")[0]
    assert "7199" in table
    assert f"{5000 / 140:.1f}x" in table
    assert "7299" not in table  # a thin baseline is left out of the report


def _tagged(aweme_id: str, created: float, tags: list[str], music: str) -> Any:
    raw = {"aweme_id": aweme_id, "create_time": int(created), "desc": "x",
           "author": {"uid": "9", "unique_id": "tagger"}, "music": {"id": music, "title": music},
           "text_extra": [{"type": 1, "hashtag_name": t} for t in tags]}  # fmt: skip
    return decode("post", raw)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_hashtags_and_sounds_against_their_own_trailing_rate(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest, cli: Any
) -> None:
    import time

    from tokarc.analysis import rising

    db = str(tmp_path / "r.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    now = time.time()
    # #steady and its sound: a post every 6 h for 8 days; #boom: 12 in the last day, one a day
    # in the 7 before; #fresh: 3 in the last day, none before
    posts = [_tagged(f"761{i:03d}", now - i * 6 * HOUR - 60, ["steady"], "600") for i in range(32)]
    posts += [_tagged(f"762{i:03d}", now - i * HOUR - 60, ["boom"], "700") for i in range(12)]
    posts += [_tagged(f"763{d:03d}", now - d * 24 * HOUR - 2 * HOUR, ["boom"], "700")
              for d in range(1, 8)]  # fmt: skip
    posts += [_tagged(f"764{i:03d}", now - i * HOUR - 60, ["fresh"], "800") for i in range(3)]
    with open_store(db) as store:
        store.save_page(Batch(endpoint="test", records=posts, source_kind="hashtag",
                              source_target="t"))  # fmt: skip
        tags = {r.key: r for r in rising(store, "hashtags", since=now - 24 * HOUR, now=now)}
        sounds = {r.key: r for r in rising(store, "sounds", since=now - 24 * HOUR, now=now)}
    boom = tags["boom"]
    assert (boom.recent, boom.baseline_posts) == (12, 7)
    assert boom.score == pytest.approx((12 / 24) / (7 / 168))
    assert boom.trusted
    assert tags["steady"].score == pytest.approx(1.0)
    assert (tags["fresh"].score, tags["fresh"].trusted) == (None, False)  # no baseline at all
    assert sounds["700"].score == boom.score  # #boom's sound, the same posts
    if backend == "sqlite":
        ran = cli("top", "--db", db, "--of", "hashtags", "--json")
        assert ran.code == 0, ran.err
        first = json.loads(ran.out.splitlines()[0])
        assert (first["key"], first["recent"], first["trusted"]) == ("boom", 12, True)


def _rising_posts(prefix: str, now: float, tags: list[str], music: str) -> list[Any]:
    """12 posts in the last day, one a day in the 7 before: a score of (12/24) / (7/168)."""
    recent = [_tagged(f"{prefix}1{i:02d}", now - i * HOUR - 60, tags, music) for i in range(12)]
    return recent + [_tagged(f"{prefix}2{d:02d}", now - d * 24 * HOUR - 2 * HOUR, tags, music)
                     for d in range(1, 8)]  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_digest_of_a_source_ranks_only_that_sources_hashtags_and_sounds(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    import time

    from tokarc.report import digest

    db = str(tmp_path / "r.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    now = time.time()
    # hashtag:a: #boom and #both rising with sound 700; hashtag:b: #bust rising with sound 900,
    # and 40 older posts of #both (with a's, #both rises far less)
    a = _rising_posts("771", now, ["boom", "both"], "700")
    b = _rising_posts("772", now, ["bust"], "900")
    b += [_tagged(f"773{i:03d}", now - (2 + i * 0.1) * 24 * HOUR, ["both"], "901")
          for i in range(40)]  # fmt: skip
    with open_store(db) as store:
        for target, posts in (("a", a), ("b", b)):
            store.save_page(Batch(endpoint="test", records=posts, source_kind="hashtag",
                                  source_target=target))  # fmt: skip
        everything = digest(store, now - 24 * HOUR, now)
        only_a = digest(store, now - 24 * HOUR, now, ["hashtag:a"])
    score = round((12 / 24) / (7 / 168), 1)
    shown = {h["key"]: h["score"] for h in everything.hashtags}
    assert shown == {"boom": score, "bust": score, "both": round((12 / 24) / (47 / 168), 1)}
    assert {s["key"] for s in everything.sounds} == {"700", "900"}
    assert only_a.hashtags == [{"key": "boom", "posts": 12, "score": score},
                               {"key": "both", "posts": 12, "score": score}]  # fmt: skip
    assert [s["key"] for s in only_a.sounds] == ["700"]


def test_a_digest_of_the_last_day(tmp_path: Path, cli: Any) -> None:
    from tokarc.report import digest, write_digest

    db = tmp_path / "o.db"
    hostile = "<b>evil</b>_*[x](http://bad)"
    now = T0 + 8 * 24 * HOUR
    with open_store(db) as store:
        _fill(store)
        _seen(store, "7300", now - 3 * HOUR, "3", {1: 5})
        store.db.execute("UPDATE posts SET author_unique_id = ? WHERE aweme_id = '7300'",
                         (hostile,))  # fmt: skip
        store.mark_gone(["7300"], at=dt.datetime.fromtimestamp(now - HOUR, dt.UTC))
        d = digest(store, now - 24 * HOUR, now)
        assert [o["id"] for o in d.overperforming] == ["7199"]  # 7299's baseline is thin
        assert d.overperforming[0]["score"] == round(5000 / 140, 1)
        assert dict(d.new_by_source) == {"hashtag:t": 3}  # 7199, 7299, 7300
        assert [g["id"] for g in d.gone] == ["7300"]
        for name in ("d.md", "d.html", "d.json"):
            write_digest(store, tmp_path / name, since="24h", now=now)
    page = (tmp_path / "d.html").read_text()
    assert hostile not in page
    assert "@&lt;b&gt;evil&lt;/b&gt;" in page
    text = (tmp_path / "d.md").read_text()
    assert "## Overperforming" in text
    assert "\\<b\\>evil\\</b\\>\\_\\*\\[x\\](http://bad)" in text  # shown, not rendered
    assert json.loads((tmp_path / "d.json").read_text())["overperforming"][0]["id"] == "7199"
    readme = cli("digest", "--db", str(db), "--since", "24h", "-o", str(tmp_path / "digest.html"))
    assert readme.code == 0  # the README's command
    assert "<h1>tokarc digest: every source</h1>" in (tmp_path / "digest.html").read_text()
    ran = cli("digest", "--db", str(db), "-o", str(tmp_path / "x.pdf"))
    assert (ran.code, ran.err.count("\n")) == (2, 1)
    assert cli("digest", "--db", str(db), "-o", str(db)).code == 2  # never over the database
