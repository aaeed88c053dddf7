"""The report: built from watches run against the emulator, opened in a real headless browser."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.models import decode
from tokarc.monitor import Report, Watches, write_report
from tokarc.store import Batch, Store, open_store

from .conftest import HOUR, SCREENSHOTS, scheduler

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & <b>'
HOSTILE_ID = "7300000000000000001"


def _hostile_post(store: Store, plays: int, at: dt.datetime) -> None:
    raw = {"aweme_id": HOSTILE_ID, "desc": HOSTILE, "create_time": 1761955200,
           "author": {"uid": "99", "unique_id": "<b>evil</b>"},
           "statistics": {"play_count": plays, "digg_count": plays // 10},
           "text_extra": [{"hashtag_name": "magic"}, {"hashtag_name": "x<script>"}]}  # fmt: skip
    store.save_page(Batch(endpoint="test", records=[decode("post", raw)], fetched_at=at,
                          source_kind="hashtag", source_target="magic"))  # fmt: skip


def _watched(emulator: Emulator, db: str) -> None:
    """Two watches run three times, the clock moving between ticks, and a hostile post."""
    with open_store(db) as store:
        watches = Watches(store)
        watches.add("hashtag", "magic", every="1h", window="2h", budget=500, now=0.0)
        watches.add("user", "zachking", every="1h", window="30d", now=0.0)
        _hostile_post(store, 10, dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
        _hostile_post(store, 10**9, dt.datetime(2026, 11, 1, 5, tzinfo=dt.UTC))
    s = scheduler(emulator, db, workers=2)
    for _ in range(3):
        s.tick()
        emulator.clock.advance(HOUR)


@pytest.fixture
def report_db(emulator: Emulator, db_path: str) -> str:
    _watched(emulator, db_path)
    return db_path


def _report(db: str, out: Path, **options: Any) -> Report:
    with open_store(db) as store:
        return write_report(store, out, now=dt.datetime(2026, 11, 1, 3).timestamp(), **options)


def test_the_page_is_self_contained_and_escaped(report_db: str, tmp_path: Path) -> None:
    report = _report(report_db, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert page == report.html
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)  # nothing to fetch
    assert page.count("<script") == 1 + len(report.charts)  # plotly.js once, a call per chart
    assert HOSTILE not in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1" in page  # the caption, as text
    assert "@&lt;b&gt;evil&lt;/b&gt;" in page
    for element in (*report.charts, *report.tables):
        assert f'id="{element}"' in page


def test_scope_by_watch_and_since(report_db: str, tmp_path: Path) -> None:
    everything = _report(report_db, tmp_path / "all.html").html
    zach = _report(report_db, tmp_path / "zach.html", watches=["user:zachking"]).html
    assert "hashtag:magic" in everything
    assert "hashtag:magic" not in zach
    assert "user:zachking" in zach
    assert "#magic" in zach or "@zachking" in zach
    recent = _report(report_db, tmp_path / "recent.html", since="2026-10-31").html
    assert "posts since 2026-10-31T00:00:00+00:00" in recent
    with pytest.raises(InvalidInputError, match="--watch"):
        _report(report_db, tmp_path / "x.html", watches=["hashtag:nothing"])
    with pytest.raises(InvalidInputError, match="since"):
        _report(report_db, tmp_path / "x.html", since="last tuesday")


def test_report_on_both_backends(emulator: Emulator, any_db: str, tmp_path: Path) -> None:
    _watched(emulator, any_db)
    report = _report(any_db, tmp_path / "report.html")
    assert "hashtag:magic" in report.html
    assert "nothing yet" not in report.html.split("Fastest-growing posts")[1].split("New")[0]


def test_an_empty_store_still_makes_a_page(db_path: str, tmp_path: Path) -> None:
    open_store(db_path).close()
    report = _report(db_path, tmp_path / "empty.html")
    assert report.html.count("no data yet") >= 5
    assert "nothing yet" in report.html


def _browser_or_skip() -> Any:
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed"
    if reason is None and not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        reason = f"chromium is not installed ({CHROMIUM}): apt-get install chromium"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    return sync_playwright


@pytest.mark.slow
def test_the_report_renders_in_a_headless_browser(report_db: str, tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    report = _report(report_db, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            seen = _open(browser, tmp_path / "report.html", shot)
        finally:
            browser.close()
    assert seen["errors"] == []
    assert seen["fetched"] == []  # opens with no network
    assert seen["charts"] == dict.fromkeys(report.charts, True)
    assert seen["pwned"] is None
    assert seen["injected_images"] == 0
    assert HOSTILE[:60] in seen["tables"]  # the caption is shown as the text it is
    assert shot.stat().st_size > 10_000
    SCREENSHOTS.append(shot)  # listed in the run's summary (see conftest.py)


def _open(browser: Any, page_path: Path, shot: Path) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def refuse(route: Any) -> None:
        fetched.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    page.goto(page_path.as_uri())
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".every(d => d.querySelector('svg.main-svg'))",
        timeout=30_000,
    )
    charts = page.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".map(d => [d.id, d.querySelectorAll('svg.main-svg').length > 0 && "
        "d.getBoundingClientRect().height > 100]))"
    )
    page.screenshot(path=str(shot), full_page=True)
    return {
        "errors": errors,
        "fetched": fetched,
        "charts": charts,
        "pwned": page.evaluate("window.__pwned === undefined ? null : window.__pwned"),
        "injected_images": page.evaluate("document.querySelectorAll('img').length"),
        "tables": page.inner_text("#table-fastest-growing"),
    }
