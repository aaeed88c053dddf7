"""tokarc expand: estimate, run, report, jobs as parent and children, resume, bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Ran

ARGS = ("--from", "hashtag:magic", "--to", "authors,followers", "--per-target", "2")


@pytest.mark.slow
def test_estimate_then_run_then_resume(cli: Callable[..., Ran], tmp_path: Path) -> None:
    est = cli("--sandbox", "expand", "--db", "x.db", *ARGS, "--estimate", "--json")
    assert est.code == 0, est.err
    assert not (tmp_path / "x.db").exists()  # nothing stored
    priced = est.lines()[-1]["units"]
    ran = cli("--sandbox", "expand", "--db", "x.db", *ARGS, "--max-units", "4", "--json")
    assert ran.code == 0, ran.err
    total = ran.lines()[-1]
    assert total["stop_reason"] == "budget"
    assert int(str(total["units"])) <= 4 <= int(str(priced))
    assert "resume" in ran.err
    jobs = cli("jobs", "--db", "x.db", "--json").lines()
    parent = next(j for j in jobs if j["kind"] == "expand")
    assert {j["parent"] for j in jobs if j["kind"] != "expand"} == {parent["id"]}
    items = cli("--sandbox", "resume", str(parent["id"]), "--db", "x.db", "--max-items", "5")
    assert items.code == 2, items.err
    again = cli("--sandbox", "resume", str(parent["id"]), "--db", "x.db", "--max-units", "50")
    assert again.code == 0, again.err
    assert "done" in again.err


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "hashtag:magic", "--to", "friends"),
        ("--from", "nowhere:magic", "--to", "authors"),
        ("--to", "authors"),
        ("--from", "hashtag:magic", "--to", "authors", "--depth", "0"),
        ("--from", "hashtag:magic", "--to", "authors", "--fresh-for", "later"),
        ("--from", "hashtag:magic", "--to", "authors", "--order", "likes"),
        ("--from-file", "missing.txt", "--to", "authors"),
    ],
)
def test_bad_input_is_exit_2_and_stores_nothing(cli: Callable[..., Ran], tmp_path: Path,
                                                args: tuple[str, ...]) -> None:  # fmt: skip
    ran = cli("--sandbox", "expand", "--db", "x.db", *args)
    assert ran.code == 2, ran.err
    assert "Traceback" not in ran.err
    assert len(ran.err.strip().splitlines()) == 1
    assert not (tmp_path / "x.db").exists()


def test_from_file(cli: Callable[..., Ran], tmp_path: Path) -> None:
    (tmp_path / "ids.txt").write_text("# zachking\n7210531475052236078\n")
    ran = cli("--sandbox", "expand", "--db", "x.db", "--from-file", "ids.txt", "--to", "authors",
              "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    authors = next(r for r in ran.lines() if r.get("step") == "authors")
    assert authors["done"] == 1


def test_the_summary_the_json_and_jobs_say_what_capped_it(cli: Callable[..., Ran]) -> None:
    stored = cli("--sandbox", "hashtag", "magic", "--max-items", "30", "--db", "x.db")
    assert stored.code == 0, stored.err
    said = "authors: 5 of 30 posts (capped by --per-target 5)"
    args = ("--sandbox", "expand", "--db", "x.db", "--from", "hashtag:magic", "--to", "authors",
            "--per-target", "5")  # fmt: skip
    ran = cli(*args)
    assert ran.code == 0, ran.err
    assert said in ran.out
    total = cli(*args, "--json").lines()[-1]
    caps = total["caps"]
    assert isinstance(caps, list)
    assert [c["text"] for c in caps] == [said]
    assert caps[0]["option"] == "--per-target"
    assert (caps[0]["taken"], caps[0]["available"], caps[0]["value"]) == (5, 30, 5)
    jobs = cli("jobs", "--db", "x.db", "--json").lines()
    assert next(j for j in jobs if j["kind"] == "expand")["capped"] == [said]
    assert all(j["capped"] == [] for j in jobs if j["kind"] != "expand")
    table = cli("jobs", "--db", "x.db").out
    assert "capped" in table
    assert "5 of 30 posts" in " ".join(table.split())  # the table may wrap the cell
