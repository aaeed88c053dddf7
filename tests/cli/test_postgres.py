"""--db postgresql://...: the same commands on PostgreSQL (skipped when no server answers)."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import Ran


def test_collect_jobs_stats_export_on_postgres(cli: Callable[..., Ran], pg_url: str) -> None:
    ran = cli("--sandbox", "hashtag", "magic", "--max-items", "60", "--db", pg_url)
    assert ran.code == 0, ran.err
    assert cli("jobs", "--db", pg_url, "--json").lines()[0]["status"] == "done"
    assert cli("stats", "--db", pg_url, "--json").code == 0
    exported = cli("export", "posts", "--db", pg_url)
    assert len(exported.lines()) >= 60
