"""A run in one library call (``collect_into``): what ``tokarc hashtag magic --db D -o F`` does,
checked against the emulator's own count and order."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tokarc.collect import JobSpec, PipeClosed, Sink, Stream, collect_into
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.store import open_store

from .conftest import client_for


def test_a_run_into_a_store_and_a_file(emulator: Emulator, tmp_path: Path) -> None:
    db, out = tmp_path / "m.db", tmp_path / "posts.csv"
    spec = JobSpec.build("hashtag", "magic", max_items=50)
    with client_for(emulator) as client:
        report = collect_into(client, spec, Sink(db=str(db), out=str(out)))
    assert report.units == emulator.stats.units_total > 0
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == report.returned - report.duplicates == report.new
    with open_store(db) as store:  # the same posts, in the order the API gave them
        stored = store.db.query(
            "SELECT entity_id FROM page_items WHERE job_id = ? ORDER BY page_id, rank",
            (report.job_id,),
        )
    assert [r["aweme_id"] for r in rows] == list(dict.fromkeys(str(i) for (i,) in stored))


def test_without_a_store_records_go_to_stdout_page_by_page(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = JobSpec.build("hashtag", "magic", max_items=40)
    with client_for(emulator) as client:
        report = collect_into(client, spec, Sink())
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == report.new == len({json.loads(line)["aweme_id"] for line in lines})


def test_a_format_no_suffix_names_is_refused_before_any_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    sink = Sink(db=str(tmp_path / "m.db"), out=str(tmp_path / "x.xlsx"))
    with pytest.raises(InvalidInputError, match=r"no format is known for '\.xlsx'"):
        sink.fmt()
    assert emulator.stats.units_total == 0


def test_a_reader_that_goes_away_ends_the_run_at_its_page(emulator: Emulator) -> None:
    seen: list[int] = []

    def closed(records: list[object]) -> None:
        seen.append(len(records))
        raise PipeClosed("the output was closed")

    stream = Stream.of("posts")
    assert stream.record_type.__name__ == "Post"
    with pytest.raises(ValueError, match="no records of 'watches'"):
        Stream.of("watches")
    from tokarc.collect import Collector

    with client_for(emulator) as client, open_store(":memory:") as store:
        collector = Collector(client, store, on_records=closed)
        with pytest.raises(PipeClosed):
            collector.run(JobSpec.build("hashtag", "magic", max_items=100))
    assert len(seen) == 1
    assert emulator.stats.units_total == 1  # one page fetched, then the run ended
