"""Transcripts leaving the store: the 4CAT CSV, the archive object's ``.transcripts()`` and the
data package of a ``transcripts`` export, on both backends, from the emulator's subtitles."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import frictionless
import pytest

import tokarc
from tokarc.dataset import export as X
from tokarc.dataset._derived import iso
from tokarc.dataset._dictionary import RESOURCES
from tokarc.dataset._package import export_with_package
from tokarc.dataset._pseudonym import Pseudonymizer
from tokarc.models import cues_of
from tokarc.store import Store

from .conftest import Run

KEY = b"0123456789abcdef-key"


def _stored(store: Store) -> dict[tuple[str, str, str], tuple[str, str, int, str, str]]:
    """(post, language, source) -> (author handle, author uid, post time, text, cues)."""
    sql = (
        "SELECT t.aweme_id, t.language, t.source, p.author_unique_id, p.author_uid, "
        "p.create_time, t.text, t.cues FROM transcripts t JOIN posts p ON p.aweme_id = t.aweme_id"
    )
    return {(str(a), lang, src): (h, str(u), int(c), text, cues)
            for a, lang, src, h, u, c, text, cues in store.db.query(sql)}  # fmt: skip


def test_transcripts_as_4cat_items_of_their_posts_threads(
    run: Run, collected: Store, tmp_path: Path
) -> None:
    run(kinds=("subtitles",))
    stored = _stored(collected)
    out = tmp_path / "t-4cat.csv"
    assert X.export(collected, "transcripts", out, "4cat") == len(stored) > 2
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:6] == ["id", "thread_id", "author", "author_id", "body", "timestamp"]
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        handle, uid, created, text, cues = stored[(r["thread_id"], r["language"], r["source"])]
        assert (r["author"], r["author_id"], r["body"]) == (handle, uid, text)
        assert r["unix_timestamp"] == str(created)
        assert r["timestamp"] == str(iso(created)).replace("T", " ").removesuffix("Z")
        assert cues_of(r["cues"]) == cues_of(cues)
        assert r["cue_count"] == str(len(cues_of(cues)))


def test_4cat_transcripts_pseudonymised(run: Run, collected: Store, tmp_path: Path) -> None:
    run(kinds=("subtitles",))
    out = tmp_path / "p-4cat.csv"
    X.export(collected, "transcripts", out, "4cat", pseudonymize=Pseudonymizer(KEY))
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    handles = {h for h, *_ in _stored(collected).values()}
    assert rows
    assert all(r["author"].startswith("h_") and r["author_id"].startswith("u_") for r in rows)
    assert not any(f"@{h}" in r["body"] + r["cues"] for r in rows for h in handles)
    assert any("@h_" in r["body"] for r in rows)  # the emulator's cues mention accounts


def test_the_archive_object_has_its_transcripts(run: Run, collected: Store) -> None:
    with tokarc.open(collected.url) as before:
        empty = before.transcripts()
    assert len(empty) == 0
    assert list(empty.columns) == list(X.COLUMNS["transcripts"])
    run(kinds=("subtitles",))
    stored = _stored(collected)
    with tokarc.open(collected.url) as archive:
        frame = archive.transcripts()
    assert len(frame) == len(stored) > 2
    assert str(frame["cue_count"].dtype) == "Int64"
    assert str(frame["created_at"].dt.tz) == "UTC"
    for row in frame.itertuples():
        handle, _, created, text, _ = stored[(row.aweme_id, row.language, row.source)]
        assert (row.author_unique_id, row.create_time, row.text) == (handle, created, text)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_transcripts_export_gets_its_data_package(
    run: Run, collected: Store, tmp_path: Path, fmt: str
) -> None:
    run(kinds=("subtitles",))
    path = tmp_path / f"transcripts.{fmt}"
    n = export_with_package(collected, "transcripts", str(path), fmt)
    pkg = json.loads((tmp_path / "datapackage.json").read_text())
    [res] = pkg["resources"]
    assert (res["path"], res["title"], res["x-tokarc-rows"]) == (path.name, "transcripts", n)
    assert n == len(_stored(collected)) > 2
    assert res["description"] == RESOURCES["transcripts"].description
    fields = res["schema"]["fields"]
    assert [f["name"] for f in fields] == list(X.COLUMNS["transcripts"])
    types = {f["name"]: f["type"] for f in fields}
    assert (types["cue_count"], types["create_time"], types["created_at"]) == (
        "integer", "integer", "datetime")  # fmt: skip
    assert "/tt/hashtag/posts" in {e["path"] for e in pkg["x-tokarc"]["endpoints"]}
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_a_pseudonymised_transcripts_package(run: Run, collected: Store, tmp_path: Path) -> None:
    run(kinds=("subtitles",))
    path = tmp_path / "transcripts.csv"
    export_with_package(collected, "transcripts", str(path), "csv", pseudonymize=Pseudonymizer(KEY))
    pkg = json.loads((tmp_path / "datapackage.json").read_text())
    assert pkg["x-tokarc"]["pseudonymized"] is True
    assert frictionless.validate(str(tmp_path / "datapackage.json")).valid
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    assert all(r["author_unique_id"].startswith("h_") for r in rows)
