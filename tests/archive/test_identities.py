"""The identity tables out of the archive: ``account_names``, ``account_events`` and
``post_events`` exported (JSONL, CSV, Parquet), pseudonymised with the pseudonyms of the other
tables, in a data package that names no one, and as the archive object's frames; both
backends, over the emulator's clock."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import frictionless
import pytest

import tokarc
from tokarc.collect import Collector, JobSpec
from tokarc.dataset import export as X
from tokarc.dataset._package import export_with_package
from tokarc.dataset._pseudonym import Pseudonymizer
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.store import Store

from .conftest import client_for, one
from .test_pseudonym import KEY, export_all, identifiers

DAY = 86_400
TABLES = ["account_names", "account_events", "post_events"]


@pytest.fixture
def renamed(archive: Store, emulator: Emulator) -> Store:
    """The archive, then over the emulator's clock: lucky.zone64 renamed lucky.renamed, its
    old handle refused (473: an event with a handle and no uid), swift_x67 private (472), and
    a post marked gone."""
    with client_for(emulator) as client:
        c = Collector(client, archive)
        for handle in ("lucky.zone64", "swift_x67"):
            c.run(JobSpec.build("user", handle))
        emulator.clock.advance(2 * DAY)
        c.run(JobSpec.build("user", "lucky.renamed"))
        c.run(JobSpec.build("user_posts", "lucky.zone64", max_items=5))
        c.run(JobSpec.build("user_posts", "swift_x67", max_items=5))
    archive.mark_gone([one(archive, "SELECT MIN(aweme_id) FROM posts")])
    return archive


def read(path: Path, fmt: str) -> list[dict[str, Any]]:
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]


def lucky(store: Store) -> str:
    return str(one(store, "SELECT uid FROM account_names WHERE unique_id = 'lucky.renamed'"))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_the_identity_tables_export_as_stored(renamed: Store, tmp_path: Path, fmt: str) -> None:
    got = {}
    for table in TABLES:
        path = tmp_path / f"{table}.{fmt}"
        assert X.export(renamed, table, path, fmt) == one(renamed, f"SELECT COUNT(*) FROM {table}")
        got[table] = read(path, fmt)
        assert list(got[table][0]) == list(X.COLUMNS[table])
    uid = lucky(renamed)
    handles = [n["unique_id"] for n in got["account_names"] if n["uid"] == uid]
    assert handles == ["lucky.zone64", "lucky.renamed"]  # oldest first
    events = [(e["uid"] or None, e["handle"], e["state"], str(e["code"] or ""))
              for e in got["account_events"] if e["handle"] in ("lucky.zone64", "swift_x67")
              and e["state"] != "found"]  # fmt: skip
    swift = one(renamed, "SELECT uid FROM account_names WHERE unique_id = 'swift_x67'")
    assert events == [(None, "lucky.zone64", "not_found", "473"),
                      (swift, "swift_x67", "private", "472")]  # fmt: skip
    gone = [(p["aweme_id"], p["state"]) for p in got["post_events"]]
    assert gone == [(one(renamed, "SELECT MIN(aweme_id) FROM posts"), "gone")]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_pseudonymised_they_name_no_one_and_join_the_other_tables(
    renamed: Store, tmp_path: Path, fmt: str
) -> None:
    originals = identifiers(renamed)
    assert {"lucky.zone64", "lucky.renamed", "Lucky Renamed", "swift_x67"} <= originals
    p = Pseudonymizer(KEY)
    paths = export_all(renamed, tmp_path, fmt, p)
    text = "\n".join(json.dumps(read(path, fmt), default=str) for path in paths)
    assert sorted(i for i in originals if i in text or i.lower() in text.lower()) == []
    users = {u["uid"]: u for u in read(tmp_path / f"users.{fmt}", fmt)}
    names = read(tmp_path / f"account_names.{fmt}", fmt)
    stored = one(renamed, "SELECT COUNT(*) FROM account_names n JOIN users u ON u.uid = n.uid")
    assert sum(n["uid"] in users for n in names) == stored == len(names)
    mine = {n["unique_id"] for n in names if n["uid"] == p.pseudonym("user", lucky(renamed))}
    old = p.pseudonym("handle", "lucky.zone64")
    assert mine == {old, p.pseudonym("handle", "lucky.renamed")}
    events = read(tmp_path / f"account_events.{fmt}", fmt)
    refused = [e for e in events if e["state"] == "not_found"]
    assert [e["handle"] for e in refused] == [old]  # the old handle, as in account_names


def test_a_pseudonymised_package_of_them_names_no_one(renamed: Store, tmp_path: Path) -> None:
    originals = identifiers(renamed)
    for table in TABLES:
        folder = tmp_path / table
        folder.mkdir()
        export_with_package(renamed, table, str(folder / f"{table}.csv"), "csv",
                            pseudonymize=Pseudonymizer(KEY))  # fmt: skip
        report = frictionless.validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
        text = "\n".join(f.read_text(encoding="utf-8") for f in sorted(folder.iterdir()))
        assert [i for i in originals if i.lower() in text.lower()] == [], table
        assert "h_" in text or table == "post_events"


def test_the_archive_object_gives_them_as_frames(renamed: Store) -> None:
    with tokarc.open(renamed.url) as archive:
        names = archive.names()
        assert len(names) == one(renamed, "SELECT COUNT(*) FROM account_names")
        assert set(names[names["uid"] == lucky(renamed)]["unique_id"]) == {
            "lucky.zone64",
            "lucky.renamed",
        }
        events = archive.events()
        assert str(events["code"].dtype) == "Int64"
        assert "private" in set(events["state"])
        assert list(archive.events("posts")["state"]) == ["gone"]
        with pytest.raises(InvalidInputError, match="accounts or posts"):
            archive.events("people")  # type: ignore[arg-type]
