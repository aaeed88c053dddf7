"""Searches in many countries compared by the library, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokarc._wiring import open_store
from tokarc.analysis import compare
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator

from .conftest import client_for


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_each_country_its_posts_only_its_own_and_each_pair(
    emulator: Emulator, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    db = str(tmp_path / "c.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(db) as store, client_for(emulator) as client:
        collector = Collector(client, store)
        for code in ("DE", "FR", "US"):
            params = {"period": "0", "country": code}
            collector.run(JobSpec.build("keyword", "magic", max_items=60, params=params))
        result = compare(store, ["keyword", "full_keyword"], "magic", top=2)
    by = {c.country: c for c in result.countries}
    assert list(by) == ["DE", "FR", "US"]
    assert all(len(c.posts) == 60 for c in by.values())
    assert by["US"].only == by["US"].posts - by["DE"].posts - by["FR"].posts
    de, fr = by["DE"].posts, by["FR"].posts
    assert result.overlap[("DE", "FR")] == round(len(de & fr) / len(de | fr), 3)
    assert result.overlap[("DE", "FR")] > result.overlap[("DE", "US")]
    plays = [t["plays"] for t in by["US"].top]
    assert len(plays) == 2
    assert plays == sorted(plays, reverse=True)
