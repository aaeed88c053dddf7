"""The report: built from watches and a plain job run against the emulator, and from stores made
to show spikes; opened in a real headless browser at the widths people use."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from tokarc._wiring import open_store
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.media import record_root
from tokarc.models import decode
from tokarc.monitor import Watches
from tokarc.report import Report, write_report
from tokarc.report._data import Data, Scope
from tokarc.store import Batch, Store

from .conftest import DAY, HOUR, SCREENSHOTS, client_factory, rows, scheduler

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & <b>'
HOSTILE_ID = "7300000000000000001"
WIDTHS = (1000, 1400, 1920)
REPORT_AT = dt.datetime(2026, 11, 1, 3, tzinfo=dt.UTC).timestamp()


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small valid PNG of one colour (a stand-in for a downloaded cover)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))  # fmt: skip


def post(aweme_id: str, created: float, plays: int, tags: list[str], **extra: Any) -> Any:
    raw = {"aweme_id": aweme_id, "desc": extra.pop("desc", f"post {aweme_id}"),
           "create_time": int(created), "author": extra.pop("author", {"uid": "1",
           "unique_id": "maker"}), "statistics": {"play_count": plays, "digg_count": plays // 10,
           "comment_count": plays // 100, "share_count": plays // 1000},
           "text_extra": [{"type": 1, "hashtag_name": t} for t in tags], **extra}  # fmt: skip
    return decode("post", raw)


def save(store: Store, records: list[Any], at: float, source: str = "hashtag:magic") -> None:
    kind, _, target = source.partition(":")
    store.save_page(Batch(endpoint="test", records=records, source_kind=kind, source_target=target,
                          fetched_at=dt.datetime.fromtimestamp(at, dt.UTC)))  # fmt: skip


def media_table(store: Store, rows_: list[tuple[str, str]]) -> None:
    """The media archive's table (created here when its migration is not in this tokarc)."""
    b = store.db
    with b.transaction():
        b.execute("CREATE TABLE IF NOT EXISTS media (kind TEXT NOT NULL, record_id TEXT NOT NULL, "
                  "position INTEGER NOT NULL, url TEXT, sha256 TEXT, bytes BIGINT, "
                  "content_type TEXT, path TEXT, fetched_at TEXT, status TEXT NOT NULL, "
                  "attempts INTEGER NOT NULL DEFAULT 0, error TEXT, updated_at TEXT NOT NULL, "
                  "PRIMARY KEY (kind, record_id, position))")  # fmt: skip
        for record_id, path in rows_:
            b.execute("INSERT INTO media (kind, record_id, position, path, content_type, status, "
                      "updated_at) VALUES ('cover', ?, 0, ?, 'image/png', 'done', '')",
                      (record_id, path))  # fmt: skip


def _watched(emulator: Emulator, db: str, media: Path) -> None:
    """Two watches ticked three times an hour apart, a plain job, a hostile post observed five
    hours apart, and a cover for it in the media archive."""
    with open_store(db) as store:
        watches = Watches(store)
        watches.add("hashtag", "magic", every="1h", window="2h", budget=500, now=0.0)
        watches.add("user", "zachking", every="1h", window="30d", now=0.0)
        hostile = {"desc": HOSTILE, "author": {"uid": "99", "unique_id": "<b>evil</b>"}}
        for plays, hour in ((10, 0), (10**9, 5)):
            save(store, [post(HOSTILE_ID, 1793404800, plays, ["magic", "x<script>"], **hostile)],
                 dt.datetime(2026, 11, 1, hour, tzinfo=dt.UTC).timestamp())  # fmt: skip
        with client_factory(emulator)() as client:
            clock = lambda: float(emulator.clock.now())  # noqa: E731
            Collector(client, store, clock=clock).run(
                JobSpec.build("keyword", "magic trick", max_items=30, params={"period": "7"})
            )
    s = scheduler(emulator, db, workers=2)
    for _ in range(3):
        s.tick()
        emulator.clock.advance(HOUR)
    with open_store(db) as store:
        (media / "ab").mkdir(parents=True, exist_ok=True)
        (media / "ab" / "cover.png").write_bytes(png(36, 48, (200, 60, 90)))
        record_root(store, media, 0.0)  # as `tokarc media --dir` does: the report finds it so
        media_table(store, [(HOSTILE_ID, "ab/cover.png"), ("7300000000000000002", "../../x.png")])


@pytest.fixture
def report_db(emulator: Emulator, db_path: str, tmp_path: Path) -> str:
    _watched(emulator, db_path, tmp_path / "media")
    return db_path


@pytest.fixture
def jobs_db(emulator: Emulator, db_path: str) -> str:
    """Two plain jobs and no watches, as a new user's first database (issue 24 item 1)."""
    with open_store(db_path) as store, client_factory(emulator)() as client:
        collector = Collector(client, store, clock=lambda: float(emulator.clock.now()))
        collector.run(JobSpec.build("hashtag", "magic", max_items=400))
        collector.run(JobSpec.build("keyword", "tesla", max_items=200, params={"period": "0"}))
    return db_path


def _report(db: str, out: Path, now: float = REPORT_AT, **options: Any) -> Report:
    with open_store(db) as store:
        return write_report(store, out, now=now, **options)


def test_the_page_is_self_contained_and_escaped(report_db: str, tmp_path: Path) -> None:
    report = _report(report_db, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert page == report.html
    links = re.findall(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=\"([^\"]*)", page)
    assert links == [links[0]]
    assert links[0].startswith("data:image/png;base64,")  # the cover, inlined
    # plotly.js once, the script that fits the charts to their cards once, a call per chart
    assert page.count("<script") == 2 + len(report.charts)
    assert HOSTILE not in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1" in page  # the caption, as text
    assert "@&lt;b&gt;evil&lt;/b&gt;" in page
    for element in (*report.charts, *report.tables):
        assert f'id="{element}"' in page


def test_every_source_has_a_section_jobs_included(report_db: str, tmp_path: Path) -> None:
    report = _report(report_db, tmp_path / "report.html")
    for source in ("hashtag:magic", "user_posts:zachking", "keyword:magic trick"):
        slug = "source-" + re.sub(r"[^a-z0-9]", "-", source)
        assert f'id="{slug}"' in report.html
        assert f"chart-{slug}" in report.charts
    keyword = report.html.split('id="source-keyword-magic-trick"')[1].split("</section>")[0]
    assert "no watch" in keyword
    assert "job 1 done" in keyword
    assert "nothing yet" not in keyword  # its top posts


@pytest.mark.slow
def test_scope_by_source_watch_and_since(report_db: str, tmp_path: Path) -> None:
    everything = _report(report_db, tmp_path / "all.html").html
    zach = _report(report_db, tmp_path / "zach.html", sources=["user_posts:zachking"]).html
    assert 'id="source-hashtag-magic"' in everything
    assert 'id="source-hashtag-magic"' not in zach
    assert 'id="source-user-posts-zachking"' in zach
    assert _report(report_db, tmp_path / "w.html", watches=["user:zachking"]).html.count(
        "<section"
    ) == zach.count("<section")
    recent = _report(report_db, tmp_path / "recent.html", since="2026-10-31").html
    assert "posts created since 2026-10-31T00:00:00+00:00" in recent
    with pytest.raises(
        InvalidInputError, match="invalid --source: no source or watch 'hashtag:nothing'"
    ):
        _report(report_db, tmp_path / "x.html", sources=["hashtag:nothing"])
    with pytest.raises(InvalidInputError, match="--watch"):
        _report(report_db, tmp_path / "x.html", watches=["9"])
    with pytest.raises(InvalidInputError, match="since"):
        _report(report_db, tmp_path / "x.html", since="last tuesday")


def test_rates_need_an_hour_of_observation(report_db: str, tmp_path: Path) -> None:
    page = _report(report_db, tmp_path / "report.html").html
    table = page.split('id="table-fastest-growing"')[1].split("</table>")[0]
    hostile = next(r for r in table.split("<tr>") if HOSTILE_ID in r)
    assert f"{round((10**9 - 10) / 5):,}" in hostile  # five hours apart: a rate
    assert "— (" in table or "plays/hour" in table
    for row in table.split("<tr>")[2:]:
        assert "84,010,920" not in row


@pytest.mark.slow
def test_thumbnails_come_from_the_media_archive_only(report_db: str, tmp_path: Path) -> None:
    page = _report(report_db, tmp_path / "report.html").html
    assert page.count('<img src="data:image/png;base64,') == 1  # "../../x.png" is refused
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert "<img " not in _report(report_db, tmp_path / "r2.html", media=elsewhere).html


def test_what_changed_since_the_last_report(db_path: str, tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 10, tzinfo=dt.UTC).timestamp()
    with open_store(db_path) as store:
        old = []
        for day in range(1, 9):  # steady tags, a quiet one, for eight days
            at = now - day * DAY - HOUR
            old += [post(f"71{day:02d}{i}", at, 50, ["steady", "boom"] if i == 0 else ["steady"])
                    for i in range(3)]  # fmt: skip
            old += [post(f"75{day:02d}{i:02d}", at - i * 7200, 50, ["daily"]) for i in range(12)]
        save(store, old, now - 7 * HOUR)
        boom = [post(f"72{i:03d}", now - 2 * HOUR - i, 50, ["boom"]) for i in range(12)]
        fresh = [post(f"73{i:03d}", now - HOUR - i, 50, ["fresh"]) for i in range(4)]
        fresh += [post(f"76{i:03d}", now - HOUR - i, 50, ["daily"]) for i in range(3)]
        save(store, boom[:6], now - 7 * HOUR)
        for h in range(5):  # a post whose plays per hour jump at the last observation
            plays = 100 * (h + 1) if h < 4 else 5000
            save(store, [post("7400", now - 3 * DAY, plays, ["steady"])], now - (6 - h) * HOUR)
    _report(db_path, tmp_path / "before.html", now=now - 6 * HOUR)
    with open_store(db_path) as store:
        save(store, boom[6:] + fresh, now - HOUR)
        store.mark_gone(["71011"], at=dt.datetime.fromtimestamp(now - HOUR, dt.UTC))
    page = _report(db_path, tmp_path / "after.html", now=now).html
    changes = page.split('id="changes"')[1].split('id="overview"')[0]
    assert "since the last report (2026-11-09T18:00:00+00:00)" in changes
    assert "<b>13</b>new posts" in changes  # boom[6:] and fresh
    spikes = changes.split('id="table-changes-spikes"')[1].split("</table>")[0]
    assert "#boom" in spikes  # 12 in the last day against 1 a day
    assert "#steady" not in spikes  # 3 a day
    assert "#daily" not in spikes  # 12 a day, then 3
    assert "post 7400" in spikes  # 4,600 plays/h against 100
    rising = changes.split('id="table-changes-rising"')[1].split("</table>")[0]
    assert "#fresh" in rising
    assert "#daily" not in rising  # 3 in 6 hours, as usual
    gone = changes.split('id="table-changes-gone"')[1].split("</table>")[0]
    assert "71011" in gone


@pytest.mark.slow
def test_the_file_is_written_atomically_never_over_the_database(
    report_db: str, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInputError, match="the database's own file"):
        _report(report_db, Path(report_db))
    with open_store(report_db) as store:
        assert rows(store, "SELECT COUNT(*) FROM posts")[0][0] > 0
    with pytest.raises(OSError, match="cannot write"):
        _report(report_db, tmp_path / "nowhere" / "r.html")
    out = tmp_path / "r.html"
    _report(report_db, out)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with open_store(report_db) as store:
        assert rows(store, "SELECT COUNT(*) FROM reports")[0][0] == 1


@pytest.mark.slow
def test_report_on_both_backends(emulator: Emulator, any_db: str, tmp_path: Path) -> None:
    _watched(emulator, any_db, tmp_path / "media")
    report = _report(any_db, tmp_path / "report.html")
    assert 'id="source-hashtag-magic"' in report.html
    assert "data:image/png;base64," in report.html  # the cover, found through the store's record
    assert "nothing yet" not in report.html.split("Fastest-growing posts")[1].split("New")[0]
    assert "<b>" in report.html.split('id="changes"')[1]


def test_engagement_is_binned_in_sql_on_both_backends(any_db: str) -> None:
    """The distribution's counts come from SQL (the page holds one count per bin, not a value per
    post), and each post lands in its power of ten: 0, 1-9, 10-99, ..., 1B and more together."""
    plays = [0, 1, 9, 10, 99, 100, 12_345, 10**9 - 1, 10**9, 10**12, 10**15]
    with open_store(any_db) as store:
        records = [post(f"73{i:017d}", 1793404800, n, []) for i, n in enumerate(plays)]
        save(store, records, REPORT_AT)
        data = Data(store, Scope(since=None, sources=(), watches=()))
        counts = data.engagement()

    def expected(values: list[int]) -> list[int]:
        bins = [0] * 11
        for v in values:
            bins[0 if v <= 0 else min(len(str(v)), 10)] += 1
        return bins

    assert counts["plays"] == expected(plays)
    assert counts["plays"] == [1, 2, 2, 1, 0, 1, 0, 0, 0, 1, 3]
    assert counts["likes"] == expected([n // 10 for n in plays])
    assert counts["shares"] == expected([n // 1000 for n in plays])


@pytest.mark.slow
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
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            seen = {w: _open(browser, tmp_path / "report.html", w, tmp_path) for w in WIDTHS}
            resized = _open(browser, tmp_path / "report.html", 1920, tmp_path, resize_to=1000)
        finally:
            browser.close()
    for width, s in [*seen.items(), ("1920→1000", resized)]:
        assert s["errors"] == [], width
        assert s["fetched"] == [], width  # opens with no network
        assert s["pwned"] is None, width
        assert s["images"] == 1, width  # the one thumbnail, no injected image
        assert HOSTILE[:60] in s["tables"], width  # the caption is shown as the text it is
        charts = {c["id"]: c for c in s["charts"]}
        assert set(charts) == set(report.charts), width
        for c in charts.values():
            assert c["svg_inside"], (width, c)  # the whole figure inside its card
            assert c["plot_inside"], (width, c)  # and its plot area
            assert c["legend_inside"], (width, c)
            if c["points"]:
                assert c["drawn"] > 0, (width, c)  # data exists: it is drawn
                assert not c["no_data"], (width, c)
    for name in ("chart-posts-per-day", "chart-engagement", "chart-top-authors",
                 "chart-hashtag-network", "chart-plays-growth", "chart-units-per-day"):  # fmt: skip
        assert {c["id"]: c for c in seen[1400]["charts"]}[name]["points"] > 0, name
    for width in WIDTHS:
        shot = tmp_path / f"report-{width}.png"
        assert shot.stat().st_size > 10_000
        SCREENSHOTS.append(shot)  # listed in the run's summary (see conftest.py)


def test_the_page_inlines_the_basic_plotly_bundle(report_db: str, tmp_path: Path) -> None:
    import plotly.offline  # type: ignore[import-untyped]

    from tokarc.report._page import PLOTLY_BUNDLE

    bundle = PLOTLY_BUNDLE.read_text(encoding="utf-8")
    major = plotly.offline.get_plotlyjs_version().split(".")[0]
    assert f"plotly.js (basic - minified) v{major}." in bundle[:200]  # the Python side's major
    page = _report(report_db, tmp_path / "report.html").html
    assert bundle in page
    assert plotly.offline.get_plotlyjs()[:5000] not in page  # not the full bundle
    assert len(page) < 1_500_000


@pytest.mark.slow
def test_plain_jobs_fit_their_cards_up_to_the_newest_day(
    emulator: Emulator, jobs_db: str, tmp_path: Path
) -> None:
    """Issue 24 item 1: 'Posts per day' drew 1337 px wide in a 653 px card and cut off the
    newest days. Every chart's SVG fits its card, and every time axis ends on the newest day."""
    sync_playwright = _browser_or_skip()
    now = float(emulator.clock.now())
    report = _report(jobs_db, tmp_path / "report.html", now=now)
    with open_store(jobs_db) as store:
        newest = rows(store, "SELECT MAX(create_time) FROM posts")[0][0]
    newest_day = dt.datetime.fromtimestamp(int(newest), dt.UTC).date().isoformat()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            seen = {w: _open(browser, tmp_path / "report.html", w, tmp_path) for w in WIDTHS}
        finally:
            browser.close()
    for width, s in seen.items():
        assert s["errors"] == [], width
        charts = {c["id"]: c for c in s["charts"]}
        assert set(charts) == set(report.charts), width
        for c in charts.values():
            assert c["svg_width"] <= c["width"] + 1, (width, c)
            assert c["svg_inside"], (width, c)
            for axis in (a for a in c["time_axes"] if a["last_data"]):  # a chart with data
                assert axis["last_tick"] is not None, (width, c)
                assert axis["last_data"] <= axis["range_end"], (width, c)  # newest day shown
                assert axis["last_tick_inside"], (width, c)
                assert axis["newest_x_inside"], (width, c)  # where the newest day is drawn
        per_day = charts["chart-posts-per-day"]["time_axes"]
        assert per_day, width
        assert max(a["last_data"] for a in per_day)[:10] == newest_day, width


_CHARTS_JS = """() => {
const iso = v => new Date(typeof v === 'number' ? v : String(v).replace(' ', 'T')
  + (String(v).length <= 10 ? 'T00:00:00Z' : 'Z')).toISOString();
const timeAxes = (gd, inside) => Object.keys(gd._fullLayout).filter(k => /^xaxis\\d*$/.test(k)
  && gd._fullLayout[k].type === 'date').map(k => {
  const ax = gd._fullLayout[k], id = ax._id;
  const xs = (gd.data || []).filter(t => (t.xaxis || 'x') === id).flatMap(t => t.x || [])
    .map(iso).sort();
  const ticks = Array.from(gd.querySelectorAll('.' + id + 'tick text')).filter(t => {
    const r = t.getBoundingClientRect(); return r.width > 0.5; });  // plotly hides some
  const last = ticks.length ? ticks[ticks.length - 1] : null;
  const newest = (gd.data || []).filter(t => (t.xaxis || 'x') === id).flatMap(t => t.x || [])
    .reduce((m, v) => Math.max(m, ax.d2c(v)), -Infinity);
  const svg = gd.querySelector('svg').getBoundingClientRect();
  const x = svg.left + ax._offset + ax.c2p(newest), card = gd.closest('.chart')
    .getBoundingClientRect();
  return {axis: k, last_data: xs.length ? xs[xs.length - 1] : '', range_end: iso(ax.range[1]),
    last_tick: last ? last.textContent : null, last_tick_inside: inside(last),
    newest_x_inside: x >= card.left && x <= card.right};
});
return Array.from(document.querySelectorAll('.chart')).map(card => {
  const gd = card.querySelector('.plotly-graph-div');
  const c = card.getBoundingClientRect();
  const inside = el => { if (!el) return true; const r = el.getBoundingClientRect();
    return r.left >= c.left - 1 && r.right <= c.right + 1 && r.top >= c.top - 1
      && r.bottom <= c.bottom + 1; };
  const points = (gd.data || []).reduce((n, t) => n + (t.x ? t.x.length : 0), 0);
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0.5
    && r.height > 0.5; };
  const drawn = gd.querySelectorAll('.scatterlayer .trace path.js-line, .scatterlayer .point,'
    + ' .scatterlayer .textpoint').length + Array.from(gd.querySelectorAll(
    '.barlayer .point path')).filter(visible).length;  // a bar of no width is not drawn
  const note = Array.from(gd.querySelectorAll('.annotation-text')).some(
    a => a.textContent === 'no data yet');
  return {id: gd.id, points, drawn, no_data: note, svg_inside: inside(gd.querySelector('svg')),
    plot_inside: inside(gd.querySelector('.nsewdrag')), legend_inside: inside(
    gd.querySelector('.legend')), width: c.width,
    svg_width: gd.querySelector('svg').getBoundingClientRect().width,
    time_axes: timeAxes(gd, inside)};
});
}"""


def _open(
    browser: Any, page_path: Path, width: int, shots: Path, resize_to: int | None = None
) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def refuse(route: Any) -> None:
        fetched.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(page_path.as_uri())
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".every(d => d.querySelector('svg.main-svg'))",
        timeout=30_000,
    )
    if resize_to is not None:
        page.set_viewport_size({"width": resize_to, "height": 900})
        # plotly's responsive resize follows the window's resize event; if it never comes,
        # the assertions on what is measured below say which chart overflows
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "Array.from(document.querySelectorAll('.chart')).every(c => c.querySelector("
                "'svg.main-svg').getBoundingClientRect().right <= "
                "c.getBoundingClientRect().right + 1)",
                timeout=10_000,
            )
    else:
        page.screenshot(path=str(shots / f"report-{width}.png"), full_page=True)
    out = {
        "errors": errors,
        "fetched": fetched,
        "charts": page.evaluate(_CHARTS_JS),
        "pwned": page.evaluate("window.__pwned === undefined ? null : window.__pwned"),
        "images": page.evaluate("document.querySelectorAll('img').length"),
        "tables": page.inner_text("#table-top-posts") + page.inner_text("#table-fastest-growing"),
    }
    page.close()
    return out
