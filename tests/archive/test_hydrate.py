"""Dehydrate a dataset to ids, hydrate it again: 100 per call, budgeted, resumable, and the
ids that are gone recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tokarc._wiring import open_store

from .conftest import LiveEmulatorArchive, Ran, one, one_line_error

FAKES = [f"70000000000000{i:05d}" for i in range(50)]  # ids the API does not know


def test_dehydrate_writes_the_ids_a_source_found(
    archive_url: str, tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    out = tmp_path / "ids.txt"
    ran = cli("dehydrate", "--db", archive_url, "--source", "hashtag:magic", "-o", str(out))
    assert ran.code == 0, ran.err
    ids = out.read_text().split()
    with open_store(archive_url) as store:
        found = store.db.query("SELECT entity_id FROM seen_via WHERE entity = 'post' AND "
                               "source_kind = 'hashtag' AND source_target = 'magic'")  # fmt: skip
        assert ids == sorted(i for (i,) in found)
        users = cli("dehydrate", "--db", archive_url, "--users")
        assert users.out.split() == sorted(u for (u,) in store.db.query("SELECT uid FROM users"))


def test_hydrate_in_batches_within_a_budget_then_resumed(
    live_archive: LiveEmulatorArchive, tmp_path: Path, sh: Callable[..., Ran]
) -> None:
    ids = tmp_path / "ids.txt"
    assert sh("dehydrate", "--db", live_archive.db, "-o", str(ids)).code == 0
    posts = ids.read_text().split()
    ids.write_text("\n".join([*posts, *FAKES]) + "\n")  # 131 ids: two calls
    again = str(tmp_path / "again.db")
    api = ("--base-url", live_archive.base_url, "--token", "t")
    first = sh(*api, "hydrate", str(ids), "--db", again, "--max-units", "1")
    assert first.code == 0, first.err
    assert "stopped at the cap of 1 unit (--max-units)" in first.err
    with open_store(again) as store:
        assert one(store, "SELECT COUNT(*) FROM posts") == 100 - one(
            store, "SELECT COUNT(*) FROM gone")  # fmt: skip
        assert one(store, "SELECT SUM(units) FROM requests") == 1
    second = sh(*api, "hydrate", str(ids), "--db", again)
    assert second.code == 0, second.err
    with open_store(again) as store:
        stored = {i for (i,) in store.db.query("SELECT aweme_id FROM posts")}
        gone = {i for (i,) in store.db.query("SELECT entity_id FROM gone")}
        made_up = "7999999999999999999"  # the archive's hand-made post: not in the emulator
        assert stored == set(posts) - {made_up}
        assert gone == {*FAKES, made_up}
        assert one(store, "SELECT COUNT(*) FROM requests WHERE endpoint = 'multi_post_info'") == 2
        assert one(store, "SELECT COUNT(*) FROM jobs") == 1  # the same job, resumed
    assert f"{len(posts) - 1} of {len(posts) + len(FAKES)} posts hydrated" in second.err


def test_hydrate_from_a_csv_column(
    live_archive: LiveEmulatorArchive, tmp_path: Path, sh: Callable[..., Ran]
) -> None:
    exported = tmp_path / "posts.csv"
    assert sh("export", "posts", "--db", live_archive.db, "-o", str(exported)).code == 0
    again = str(tmp_path / "again.db")
    ran = sh("--base-url", live_archive.base_url, "--token", "t", "hydrate", "--csv",
             str(exported), "--column", "aweme_id", "--db", again)  # fmt: skip
    assert ran.code == 0, ran.err
    with open_store(again) as a, open_store(live_archive.db) as b:
        assert one(a, "SELECT COUNT(*) FROM posts") == one(b, "SELECT COUNT(*) FROM posts") - 1


def test_hydrate_bad_input_sends_nothing(tmp_path: Path, cli: Callable[..., Ran]) -> None:
    (tmp_path / "empty.txt").write_text("# nothing\n\n")
    (tmp_path / "bad.txt").write_text("not-an-id\n")
    (tmp_path / "p.csv").write_text("id\n1\n")
    db = str(tmp_path / "d.db")
    cases = [
        (["hydrate", str(tmp_path / "empty.txt"), "--db", db], "holds none"),
        (["hydrate", str(tmp_path / "bad.txt"), "--db", db], "not-an-id"),
        (["hydrate", str(tmp_path / "nope.txt"), "--db", db], "invalid ids file"),
        (["hydrate", "--csv", str(tmp_path / "p.csv"), "--db", db], "invalid --column"),
        (["hydrate", "--db", db], "give the ids"),
    ]
    for args, message in cases:
        ran = cli("--base-url", "http://127.0.0.1:9/apis", "--token", "t", *args)
        assert ran.code == 2, (args, ran.err)
        assert message in one_line_error(ran)
    assert not Path(db).exists()
