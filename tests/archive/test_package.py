"""datapackage.json beside an export that asks for it (validated with frictionless), and the
one data dictionary it, the docs and Datasette share."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import frictionless
import pytest

from tokarc import __version__
from tokarc.collect import KINDS
from tokarc.dataset import export as X
from tokarc.dataset._derived import with_twins
from tokarc.dataset._dictionary import RESOURCES, ROLES, TYPES, USER_SOURCES
from tokarc.dataset._exports import EXPORTS
from tokarc.dataset._package import export_with_package
from tokarc.dataset._pseudonym import Pseudonymizer
from tokarc.store import Store

from .conftest import Ran

ROOT = Path(__file__).resolve().parents[2]


def package(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "datapackage.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_every_export_is_a_valid_data_package(archive: Store, tmp_path: Path, fmt: str) -> None:
    for entity in EXPORTS:
        folder = tmp_path / entity
        folder.mkdir()
        export_with_package(archive, entity, str(folder / f"{entity}.{fmt}"), fmt)
        pkg = package(folder)
        assert [r["path"] for r in pkg["resources"]] == [f"{entity}.{fmt}"]
        report = frictionless.validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_fields_come_from_the_dictionary(archive: Store, tmp_path: Path) -> None:
    export_with_package(archive, "posts", str(tmp_path / "posts.csv"), "csv")
    [posts] = package(tmp_path)["resources"]
    fields = {f["name"]: f for f in posts["schema"]["fields"]}
    assert list(fields) == list(X.COLUMNS["posts"])
    assert fields["created_at"]["type"] == "datetime"
    assert fields["create_time"] == {"name": "create_time", "type": "integer",
                                     "description": RESOURCES["posts"].field("create_time")
                                     .description}  # fmt: skip
    assert fields["is_photo"]["type"] == "boolean"
    assert posts["x-tokarc-rows"] == 81


def test_provenance(archive: Store, tmp_path: Path) -> None:
    export_with_package(archive, "posts", str(tmp_path / "p.csv"), "csv",
                        source=("hashtag", "magic"))  # fmt: skip
    prov = package(tmp_path)["x-tokarc"]
    assert prov["tokarc_version"] == __version__
    assert prov["exported_at"].endswith("Z")
    assert prov["export_parameters"]["source"] == "hashtag:magic"
    kinds = [s["kind"] for s in prov["sources"]]
    assert kinds == ["hashtag", "followers", "user_posts", "comments"]
    assert prov["sources"][0]["options"]["run"]["max_items"] == 60
    spent = {e["path"]: e["units"] for e in prov["endpoints"]}
    assert sum(spent.values()) == prov["units_spent"] == archive.stats().units_total > 0
    assert spent["/tt/hashtag/posts"] == archive.stats().units_by_endpoint["hashtag_search"]
    span = prov["time_span"]
    assert span["posts_created_from"] < span["posts_created_to"]
    assert span["collected_from"] <= span["collected_to"]
    assert "4000" in prov["known_caps"]["hashtag_posts_reachable"]


def test_a_pseudonymised_package_names_no_one(archive: Store, tmp_path: Path) -> None:
    p = Pseudonymizer(b"0123456789abcdef-key")
    export_with_package(archive, "users", str(tmp_path / "u.csv"), "csv", pseudonymize=p)
    pkg = package(tmp_path)
    handles = {s["target"] for s in pkg["x-tokarc"]["sources"]
               if s["kind"] in ("followers", "user_posts")}  # fmt: skip
    assert handles
    assert all(h.startswith("h_") for h in handles)
    names = [f["name"] for f in pkg["resources"][0]["schema"]["fields"]]
    assert "avatar_url" not in names
    assert "uid" in names
    assert frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_a_package_is_written_when_asked_and_describes_that_export_only(
    archive_url: str, tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    posts, users = str(tmp_path / "posts.csv"), str(tmp_path / "users.csv")
    ran = cli("export", "posts", "--db", archive_url, "-o", posts)
    assert ran.code == 0, ran.err
    assert not (tmp_path / "datapackage.json").exists()  # nobody asked for it
    assert cli("export", "users", "--db", archive_url, "-o", users, "--package").code == 0
    assert [r["path"] for r in package(tmp_path)["resources"]] == ["users.csv"]
    (tmp_path / "users.csv").unlink()
    assert cli("export", "posts", "--db", archive_url, "-o", posts, "--package").code == 0
    assert [r["path"] for r in package(tmp_path)["resources"]] == ["posts.csv"]  # none stale
    stdout = cli("export", "posts", "--db", archive_url)
    assert stdout.code == 0
    assert stdout.out
    to_stdout = cli("export", "posts", "--db", archive_url, "--package")
    assert to_stdout.code == 2
    assert "--package" in to_stdout.err


def test_a_pseudonymised_export_always_gets_its_package(
    archive_url: str, tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    key = tmp_path / "key"
    key.write_bytes(b"0123456789abcdef-key")
    out = tmp_path / "share" / "users.csv"
    out.parent.mkdir()
    ran = cli("export", "users", "--db", archive_url, "-o", str(out), "--pseudonymize",
              "--key-file", str(key))  # fmt: skip
    assert ran.code == 0, ran.err
    pkg = package(out.parent)
    assert [r["path"] for r in pkg["resources"]] == ["users.csv"]
    assert pkg["x-tokarc"]["pseudonymized"] is True


@pytest.mark.slow
def test_frictionless_cli_validates_it(archive: Store, tmp_path: Path) -> None:
    export_with_package(archive, "comments", str(tmp_path / "c.csv"), "csv")
    exe = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(exe), "validate", str(tmp_path / "datapackage.json")],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- the dictionary -----------------------------------------------------------------------------


def test_every_exported_column_is_described_with_its_export_type() -> None:
    for name, spec in EXPORTS.items():
        described = RESOURCES[name]
        assert [(f.name, f.type) for f in described.fields] == list(with_twins(spec)[0].columns)
    for r in RESOURCES.values():
        assert r.description
        for f in r.fields:
            assert f.type in TYPES, (r.name, f.name)
            assert f.role in ROLES, (r.name, f.name)
            assert f.description, (r.name, f.name)


def test_every_view_is_described_column_by_column(archive_url: str) -> None:
    from tokarc.store._readonly import run_sql

    for r in (r for r in RESOURCES.values() if r.view):
        with run_sql(archive_url, f"SELECT * FROM {r.name} LIMIT 0") as result:
            assert list(result.columns) == [f.name for f in r.fields], r.name


def test_user_sources_are_the_kinds_whose_target_is_a_person() -> None:
    what = {"username": "handle", "sec_uid": "sec_uid"}
    people = {name: what[k.target_param] for name, k in KINDS.items() if k.target_param in what}
    assert people == USER_SOURCES


def test_docs_data_dictionary_is_up_to_date() -> None:
    script = ROOT / "scripts" / "data_dictionary.py"
    proc = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_a_collection_written_to_a_file_gets_a_package_when_asked(
    tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    out, db = tmp_path / "magic.csv", str(tmp_path / "m.db")
    ran = cli("--sandbox", "hashtag", "magic", "--max-items", "20", "--db", db, "-o", str(out))
    assert ran.code == 0, ran.err
    assert len(out.read_text().splitlines()) == 21
    assert not (tmp_path / "datapackage.json").exists()  # nobody asked for it
    again = cli("export", "posts", "--db", db, "--source", "hashtag:magic", "-o", str(out),
                "--package")  # fmt: skip
    assert again.code == 0, again.err
    pkg = package(tmp_path)
    assert [r["path"] for r in pkg["resources"]] == ["magic.csv"]
    assert pkg["x-tokarc"]["sources"][0]["kind"] == "hashtag"
    assert frictionless.validate(str(tmp_path / "datapackage.json")).valid
