"""Issue 29, the same search in many countries: a job per country, each recorded with its
country, and their comparison; the emulator's countries overlap by region."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import Ran, rows


def api(live: Any) -> tuple[str, ...]:
    return ("--base-url", live.base_url, "--token", "t")


def test_one_job_per_country_then_their_comparison(cli: Any, live_emulator: Any) -> None:
    ran: Ran = cli(*api(live_emulator), "keyword", "magic trick", "--country", "us,DE,FR,BR",
                   "--max-items", "100", "--db", "c.db")  # fmt: skip
    assert ran.code == 0, ran.err
    charged = live_emulator.emulator.stats.units_total
    assert "400 items, " in ran.err
    assert f"{charged} units" in ran.err
    for code in ("US", "DE", "FR", "BR"):
        assert f"keyword magic trick ({code}): done" in ran.err
    jobs = rows("c.db", "SELECT target, options FROM jobs ORDER BY id")
    assert sorted(json.loads(o)["params"]["country"] for _, o in jobs) == ["BR", "DE", "FR", "US"]
    shown = cli("compare", "--db", "c.db", "--source", "keyword:magic trick", "--json")
    assert shown.code == 0, shown.err
    result = json.loads(shown.out)
    assert [c["country"] for c in result["countries"]] == ["BR", "DE", "FR", "US"]
    assert all(c["posts"] == 100 for c in result["countries"])
    overlap = {"-".join(o["pair"]): o["jaccard"] for o in result["overlap"]}
    same_region = [overlap["DE-FR"], overlap["BR-US"]]  # europe; the americas
    across = [overlap[p] for p in ("BR-DE", "BR-FR", "DE-US", "FR-US")]
    assert min(same_region) > max(across)
    assert live_emulator.emulator.stats.units_total == charged  # comparing spends nothing
    table = cli("compare", "--db", "c.db", "--source", "keyword:magic trick")
    assert "overlap (Jaccard)" in table.out
    assert "only here" in table.out
    assert cli("report", "--db", "c.db", "-o", "r.html").code == 0  # the report shows the same
    page = Path("r.html").read_text()
    section = page.split('id="source-keyword-magic-trick"')[1].split("</section>")[0]
    assert "By country" in section
    assert f"<td>DE - FR</td><td>{overlap['DE-FR']:.2f}</td>" in section
    assert (
        cli("digest", "--db", "c.db", "--since", "7d", "-o", "d.json").code == 0
    )  # and the digest
    [brief] = json.loads(Path("d.json").read_text())["countries"]
    assert brief["source"] == "keyword:magic trick"
    assert brief["overlap"]["DE-FR"] == overlap["DE-FR"]
    assert brief["countries"]["US"]["posts"] == 100


def test_a_bad_country_is_refused_before_any_request(cli: Any, live_emulator: Any) -> None:
    ran = cli(*api(live_emulator), "keyword", "magic", "--country", "US,XX", "--db", "c.db")
    assert ran.code == 2
    assert ran.err.strip() == (
        "tokarc: error: invalid --country 'XX': an ISO 3166-1 alpha-2 code the API knows, "
        "such as US or GB"
    )
    assert live_emulator.emulator.stats.units_total == 0


def test_compare_needs_a_search_that_was_made(cli: Any, live_emulator: Any) -> None:
    assert cli(*api(live_emulator), "keyword", "magic", "--max-items", "20",
               "--db", "c.db").code == 0  # fmt: skip
    ran = cli("compare", "--db", "c.db", "--source", "keyword:elsewhere")
    assert (ran.code, ran.err.count("\n")) == (2, 1)
    assert "no job in c.db searched it" in ran.err
    one = json.loads(cli("compare", "--db", "c.db", "--source", "keyword:magic", "--json").out)
    assert [c["country"] for c in one["countries"]] == ["any"]  # no country given
    assert one["overlap"] == []
