"""Pseudonymised exports: no original identifier survives anywhere in them, joins still work,
and the same key gives the same pseudonyms in every table and every export."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tokarc.dataset import export as X
from tokarc.dataset._pseudonym import Pseudonymizer, load_key
from tokarc.store import Store

from .conftest import Ran, one_line_error

KEY = b"k3y-for-the-tests-0123456789"
ENTITIES = ["posts", "users", "comments", "music", "follows", "observations", "seen_via",
            "post_hashtags", "hashtags", "lives", "media", "account_names", "account_events",
            "post_events"]  # fmt: skip


@pytest.fixture
def _media(archive: Store) -> None:
    """Two downloaded files: a post's video and a user's avatar (its record is a uid)."""
    uid, aweme_id = archive.db.query("SELECT author_uid, aweme_id FROM posts LIMIT 1")[0]
    rows = [("avatar", uid, f"https://p16.tiktokcdn.com/{uid}.jpeg"),
            ("video", aweme_id, f"https://v16.tiktokcdn.com/{aweme_id}.mp4")]  # fmt: skip
    with archive.db.transaction():
        for kind, record, url in rows:
            archive.db.execute(
                "INSERT INTO media (kind, record_id, position, url, sha256, path, status, "
                "updated_at) VALUES (?, ?, 0, ?, 'ab12', 'ab/12/ab12.jpeg', 'ok', 'x')",
                (kind, record, url))  # fmt: skip


IDENTIFIERS = """
SELECT uid FROM users UNION SELECT sec_uid FROM users UNION SELECT unique_id FROM users
UNION SELECT nickname FROM users UNION SELECT author_uid FROM posts
UNION SELECT author_unique_id FROM posts UNION SELECT author_uid FROM comments
UNION SELECT owner_uid FROM music UNION SELECT owner_handle FROM music
UNION SELECT owner_nickname FROM music UNION SELECT follower_uid FROM follows
UNION SELECT followed_uid FROM follows UNION SELECT uid FROM account_names
UNION SELECT sec_uid FROM account_names UNION SELECT unique_id FROM account_names
UNION SELECT nickname FROM account_names UNION SELECT uid FROM account_events
UNION SELECT sec_uid FROM account_events UNION SELECT handle FROM account_events"""


def identifiers(store: Store) -> set[str]:
    """Every user id, sec_uid, handle and name in the archive (4+ characters: shorter ones
    occur by chance in any text)."""
    found = {str(v) for (v,) in store.db.query(IDENTIFIERS) if v is not None}
    mentioned = {h for (m,) in store.db.query("SELECT mentions FROM posts WHERE mentions "
                                               "IS NOT NULL") for h in m.split()}  # fmt: skip
    return {i for i in found | mentioned if len(i) >= 4}


def export_all(store: Store, folder: Path, fmt: str, p: Pseudonymizer) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for entity in ENTITIES:
        path = folder / f"{entity}.{fmt}"
        X.export(store, entity, path, fmt, pseudonymize=p)  # type: ignore[arg-type]
        paths.append(path)
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.usefixtures("_media")
def test_no_original_identifier_survives(archive: Store, tmp_path: Path, fmt: str) -> None:
    originals = identifiers(archive)
    assert len(originals) > 100  # the archive has people in it: the scan means something
    text = "\n".join(p.read_text(encoding="utf-8") for p in export_all(
        archive, tmp_path, fmt, Pseudonymizer(KEY)))  # fmt: skip
    leaked = sorted(i for i in originals if i in text or i.lower() in text.lower())
    assert leaked == []
    assert '"raw"' not in text
    assert "tiktokcdn" not in text
    assert "https://" not in text


@pytest.mark.usefixtures("_media")
def test_the_parquet_export_leaks_nothing_either(archive: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    originals = identifiers(archive)
    tables = [pq.read_table(p) for p in export_all(archive, tmp_path, "parquet",
                                                   Pseudonymizer(KEY))]  # fmt: skip
    text = "\n".join(json.dumps(t.to_pylist(), default=str) for t in tables)
    assert [i for i in originals if i in text] == []


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.usefixtures("_media")
def test_joins_between_exported_tables_still_work(archive: Store, tmp_path: Path) -> None:
    export_all(archive, tmp_path, "csv", Pseudonymizer(KEY))
    users = {u["uid"]: u for u in rows(tmp_path / "users.csv")}
    posts, comments = rows(tmp_path / "posts.csv"), rows(tmp_path / "comments.csv")
    follows = rows(tmp_path / "follows.csv")
    authors = [p["author_uid"] for p in posts]
    assert all(a.startswith("u_") for a in authors)
    # Every post's author and every commenter is found in users, as in the database.
    stored = archive.db.query(
        "SELECT COUNT(*) FROM posts p JOIN users u ON u.uid = p.author_uid")[0][0]  # fmt: skip
    assert sum(a in users for a in authors) == stored == len(posts)
    assert all(users[p["author_uid"]]["unique_id"] == p["author_unique_id"] for p in posts)
    commented = archive.db.query(
        "SELECT COUNT(*) FROM comments c JOIN users u ON u.uid = c.author_uid")[0][0]  # fmt: skip
    assert sum(c["author_uid"] in users for c in comments) == commented > 0
    assert all(f["follower_uid"] in users and f["followed_uid"] in users for f in follows)
    media = {m["kind"]: m for m in rows(tmp_path / "media.csv")}
    assert media["avatar"]["record_id"] in users
    assert media["video"]["record_id"] in {p["aweme_id"] for p in posts}
    assert "url" not in media["video"]
    observed = [o for o in rows(tmp_path / "observations.csv") if o["entity"] == "user"]
    assert observed
    assert all(o["entity_id"] in users for o in observed)
    # A person found through a source keeps the same pseudonym as a target.
    via = {s["source_target"] for s in rows(tmp_path / "seen_via.csv")
           if s["source_kind"] == "followers"}  # fmt: skip
    assert via
    assert via <= {u["unique_id"] for u in users.values()}


def test_mentions_in_text_are_rewritten(archive: Store, tmp_path: Path) -> None:
    export_all(archive, tmp_path, "csv", Pseudonymizer(KEY))
    mentioning = [p for p in rows(tmp_path / "posts.csv") if p["mentions"]]
    assert len(mentioning) == 1
    post = mentioning[0]
    assert post["description"] == f"look at @{post['mentions']} doing magic #magic"
    users = {u["unique_id"] for u in rows(tmp_path / "users.csv")}
    assert post["mentions"] in users


def test_same_key_same_pseudonyms_other_key_others(archive: Store, tmp_path: Path) -> None:
    a = export_all(archive, tmp_path / "a", "csv", Pseudonymizer(KEY))
    b = export_all(archive, tmp_path / "b", "csv", Pseudonymizer(KEY))
    c = export_all(archive, tmp_path / "c", "csv", Pseudonymizer(KEY + b"!"))
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    ua, uc = rows(a[1]), rows(c[1])
    assert {u["uid"] for u in ua}.isdisjoint({u["uid"] for u in uc})


def test_handles_are_case_insensitive_and_empty_stays_empty() -> None:
    p = Pseudonymizer(KEY)
    assert p.pseudonym("handle", "ZachKing") == p.pseudonym("handle", "@zachking")
    assert p.pseudonym("user", None) is None
    assert p.pseudonym("nickname", "") == ""
    assert p.text("hi @ZachKing and @zachking") == (
        f"hi @{p.pseudonym('handle', 'zachking')} and @{p.pseudonym('handle', 'zachking')}"
    )
    assert "k3y" not in repr(p)


def test_the_key_comes_from_a_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "key").write_bytes(KEY + b"\n")
    assert load_key(tmp_path / "key") == KEY
    monkeypatch.setenv("TOKARC_PSEUDONYM_KEY", KEY.decode())
    assert load_key() == KEY


def test_cli_export_pseudonymized(
    archive_url: str, tmp_path: Path, cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "key").write_bytes(KEY)
    ran = cli("export", "users", "--db", archive_url, "-o", str(tmp_path / "u.csv"),
              "--pseudonymize", "--key-file", str(tmp_path / "key"))  # fmt: skip
    assert ran.code == 0, ran.err
    assert all(u["uid"].startswith("u_") for u in rows(tmp_path / "u.csv"))
    assert "avatar_url" not in rows(tmp_path / "u.csv")[0]
    monkeypatch.setenv("TOKARC_PSEUDONYM_KEY", KEY.decode())
    again = cli("export", "users", "--db", archive_url, "-o", str(tmp_path / "v.csv"),
                "--pseudonymize")  # fmt: skip
    assert again.code == 0, again.err
    assert (tmp_path / "u.csv").read_bytes() == (tmp_path / "v.csv").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pseudonymize"], "needs a key"),
        (["--pseudonymize", "--key-file", "short"], "at least 16 needed"),
        (["--pseudonymize", "--key-file", "missing"], "invalid --key-file"),
        (["--key-file", "short"], "--key-file goes with --pseudonymize"),
    ],
)
def test_bad_keys_are_usage_errors_and_write_nothing(
    tmp_path: Path, cli: Callable[..., Ran], args: list[str], message: str
) -> None:
    from tokarc._wiring import open_store

    db = tmp_path / "a.db"
    open_store(db).close()
    (tmp_path / "short").write_text("tiny-secret")
    args = [str(tmp_path / a) if a in {"short", "missing"} else a for a in args]
    commands = (["export", "posts", "-o", str(tmp_path / "p.csv")],
                ["network", "--graph", "hashtags", "-o", str(tmp_path / "g.gexf")])  # fmt: skip
    for command in commands:
        ran = cli(*command, "--db", str(db), *args)
        assert ran.code == 2
        line = one_line_error(ran)
        assert message in line
        assert "tiny-secret" not in ran.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db", "short"]
