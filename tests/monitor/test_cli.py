"""``tokarc watch ...`` and ``tokarc report``: in process, and a real process stopped by SIGTERM."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import wait_until  # tests/conftest.py
from tokarc.cli import run

from .conftest import Hook


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TOKARC_TOKEN", "ENSEMBLEDATA_TOKEN", "TOKARC_BASE_URL", "TOKARC_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKARC_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.chdir(tmp_path)


def tokarc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.slow
def test_watch_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = tokarc(capsys, "watch", "add", "hashtag", "#magic", "--every", "30m",
                          "--budget", "50", "--db", "w.db")  # fmt: skip
    assert (code, out) == (0, "watching hashtag:magic (id 1): every 30m, window 7d, 50 units/day\n")
    assert tokarc(capsys, "watch", "add", "user", "zachking", "--db", "w.db")[0] == 0
    code, out, _ = tokarc(capsys, "watch", "list", "--db", "w.db", "--json")
    listed = [json.loads(line) for line in out.splitlines()]
    assert [(w["kind"], w["target"], w["budget"]) for w in listed] == [
        ("hashtag", "magic", 50), ("user", "zachking", None),
    ]  # fmt: skip
    assert tokarc(capsys, "watch", "pause", "user:zachking", "--db", "w.db")[1].startswith(
        "paused user:zachking"
    )
    assert tokarc(capsys, "watch", "resume", "2", "--db", "w.db")[0] == 0
    assert (
        tokarc(capsys, "watch", "remove", "2", "--db", "w.db")[1]
        == "removed user:zachking (id 2)\n"
    )
    code, out, _ = tokarc(capsys, "watch", "list", "--db", "w.db")
    assert "hashtag:magic" in out
    assert "zachking" not in out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("watch", "add", "hashtag", "two words", "--db", "w.db"), "invalid hashtag 'two words'"),
        (("watch", "add", "hashtag", "x", "--every", "soon", "--db", "w.db"), "invalid --every"),
        (("watch", "add", "posts", "a,b", "--db", "w.db"), "invalid post"),
        (("watch", "add", "planet", "mars", "--db", "w.db"), "Invalid value"),
        (("watch", "list", "--db", "missing.db"), "no such database file"),
        (("watch", "remove", "hashtag:nope", "--db", "w.db"), "no such watch"),
        (("report", "--db", "w.db", "-o", "r.html", "--since", "whenever"), "invalid --since"),
        (("report", "--db", "w.db", "-o", "r.html", "--watch", "9"), "invalid --watch"),
        (("report", "--db", "w.db", "-o", "r.html", "--source", "hashtag:x"), "invalid --source"),
        (("report", "--db", "w.db", "-o", "w.db"), "the database's own file"),
        (
            (
                "watch",
                "add",
                "user",
                "u",
                "--alert",
                "plays>1",
                "--webhook",
                "http://127.0.0.1/x",
                "--db",
                "w.db",
            ),
            "invalid --alert 'plays>1'",
        ),
        (
            (
                "watch",
                "add",
                "user",
                "u",
                "--alert",
                "gone",
                "--webhook",
                "localhost/x",
                "--db",
                "w.db",
            ),
            "invalid --webhook",
        ),
        (("watch", "edit", "1", "--every", "soon", "--db", "w.db"), "invalid --every"),
        (("watch", "edit", "1", "--remove-alert", "gone", "--db", "w.db"), "no such rule"),
        (("watch", "edit", "1", "--budget", "5", "--no-budget", "--db", "w.db"), "--no-budget"),
        (("watch", "edit", "7", "--every", "1h", "--db", "w.db"), "no such watch"),
        (("alerts", "--db", "missing.db"), "no such database file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    tokarc(capsys, "watch", "add", "hashtag", "magic", "--db", "w.db")
    code, _, err = tokarc(capsys, *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_sandbox_tick_then_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tokarc(capsys, "watch", "add", "hashtag", "magic", "--window", "1d", "--db", "w.db")
    tokarc(capsys, "watch", "add", "user", "zachking", "--db", "w.db")
    code, out, _ = tokarc(capsys, "--sandbox", "watch", "tick", "--db", "w.db")
    assert code == 0
    assert sorted(line.split(": ")[0] for line in out.splitlines()) == [
        "hashtag:magic", "user:zachking",
    ]  # fmt: skip
    assert all(": ok: " in line for line in out.splitlines())
    code, out, err = tokarc(capsys, "--sandbox", "watch", "tick", "--db", "w.db")
    assert (code, out, err) == (0, "", "no watch is due\n")
    code, _, err = tokarc(capsys, "report", "--db", "w.db", "-o", "report.html")
    assert code == 0
    assert "wrote report.html (11 charts" in err  # 9, and one per source
    assert "chart-units-per-day" in (tmp_path / "report.html").read_text()
    code, _, err = tokarc(capsys, "report", "--db", "w.db", "-o", "magic.html", "--source",
                          "hashtag:magic")  # fmt: skip
    assert "wrote magic.html (10 charts" in err
    page = (tmp_path / "magic.html").read_text()
    assert 'id="source-hashtag-magic"' in page
    assert 'id="source-user-posts-zachking"' not in page
    assert "since the last report" in page  # the first report was the last one


def test_sigterm_stops_watch_run_cleanly(live_emulator: Any, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    url = live_emulator.base_url
    assert run(["watch", "add", "hashtag", "magic", "--window", "7d", "--db", str(db)]) == 0
    live_emulator.emulator.clock.set(int(time.time()))  # the CLI's clock is the wall clock
    live_emulator.emulator.set_faults(latency=0.02)
    exe = str(Path(sys.executable).with_name("tokarc"))
    argv = [exe, "--base-url", url, "--token", "t", "watch", "run", "--db", str(db), "--poll", "60"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: _pages(db) >= 5, timeout=30, message="5 pages committed")
    finally:
        proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopping: finishing the current page" in err
    assert out.startswith("hashtag:magic: interrupted: stopped between pages")
    assert rows(db, "SELECT claimed_by, last_status FROM watches") == [(None, "interrupted")]
    stopped = _pages(db)
    live_emulator.emulator.set_faults(latency=0.0)
    assert run(["--base-url", url, "--token", "t", "watch", "tick", "--db", str(db)]) == 0
    assert rows(db, "SELECT last_status FROM watches") == [("ok",)]
    assert rows(db, "SELECT COUNT(DISTINCT cursor) FROM pages")[0][0] >= stopped


def _pages(db: Path) -> int:
    try:
        return int(rows(db, "SELECT COUNT(*) FROM pages")[0][0])
    except sqlite3.Error:
        return 0


def test_watch_list_edit_and_alerts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: the table's cells unfolded
    hook = "https://hooks.example.com/services/T0/B0/SECRETPATH"
    code, out, _ = tokarc(capsys, "watch", "add", "hashtag", "magic", "--alert", "new_posts>50",
                          "--webhook", hook, "--db", "w.db")  # fmt: skip
    assert code == 0
    assert out.endswith("alerts new_posts>50 to https://hooks.example.com/…\n")
    code, out, _ = tokarc(capsys, "watch", "list", "--db", "w.db")
    assert "now" in out
    assert "1970" not in out
    assert "new_posts>50" in out
    code, out, _ = tokarc(capsys, "watch", "edit", "hashtag:magic", "--every", "15m", "--window",
                          "2d", "--budget", "99", "--alert", "spike", "--remove-alert",
                          "new_posts>50", "--db", "w.db")  # fmt: skip
    assert (code, out) == (0, "changed hashtag:magic (id 1): every 15m, window 2d, 99 units/day, "
                              "alerts spike to https://hooks.example.com/…\n")  # fmt: skip
    code, out, _ = tokarc(capsys, "watch", "list", "--db", "w.db", "--json")
    listed = json.loads(out)
    assert (listed["every_s"], listed["budget"], listed["alert_rules"]) == (900, 99, ["spike"])
    assert "SECRETPATH" not in out
    code, out, _ = tokarc(capsys, "alerts", "--db", "w.db")
    assert code == 0
    assert "alerts in w.db" in out
    assert "SECRETPATH" not in [*rows(Path("w.db"), "SELECT text FROM alerts"), out]


@pytest.mark.slow
def test_a_tick_posts_alerts_and_alerts_lists_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, hook: Hook
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    tokarc(capsys, "watch", "add", "hashtag", "magic", "--window", "1d", "--alert",
           "new_posts>10", "--webhook", hook.url, "--db", "w.db")  # fmt: skip
    assert tokarc(capsys, "--sandbox", "watch", "tick", "--db", "w.db")[0] == 0
    [payload] = hook.received
    assert payload["rule"] == "new_posts>10"
    code, out, _ = tokarc(capsys, "alerts", "--db", "w.db")
    assert code == 0
    assert "new_posts>10" in out
    assert "sent" in out
    code, out, _ = tokarc(capsys, "alerts", "--db", "w.db", "--json")
    assert json.loads(out)["payload"] == payload


@pytest.mark.slow
def test_alerts_without_a_webhook_are_recorded_and_shown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = tokarc(capsys, "watch", "add", "hashtag", "magic", "--window", "1d",
                            "--alert", "new_posts>10", "--db", "w.db")  # fmt: skip
    assert code == 0, err
    assert out.endswith("alerts new_posts>10 recorded (not delivered: no webhook)\n")
    assert tokarc(capsys, "--sandbox", "watch", "tick", "--db", "w.db")[0] == 0
    said = "recorded (not delivered: no webhook)"
    code, out, _ = tokarc(capsys, "alerts", "--db", "w.db")
    assert code == 0
    assert "new_posts>10" in out
    assert said in out
    code, out, _ = tokarc(capsys, "alerts", "--db", "w.db", "--json")
    alert = json.loads(out)
    assert (alert["status"], alert["attempts"]) == ("recorded", 0)  # nothing was posted
    assert tokarc(capsys, "--sandbox", "watch", "tick", "--db", "w.db")[0] == 0
    assert json.loads(tokarc(capsys, "alerts", "--db", "w.db", "--json")[1])["attempts"] == 0
    assert tokarc(capsys, "report", "--db", "w.db", "-o", "r.html")[0] == 0
    assert said in (tmp_path / "r.html").read_text()
