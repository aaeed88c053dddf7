"""Inputs as users type them: global options anywhere, normalized targets, one URL checker,
database passwords never shown, hostile text shown as text."""

from __future__ import annotations

import io
import logging
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from tokarc import __version__
from tokarc.cli._app import _CLIHandler
from tokarc.cli._progress import job_progress
from tokarc.client import _validate as V
from tokarc.collect import JobSpec
from tokarc.errors import InvalidInputError

from .conftest import Ran, rows

Cli = Callable[..., Ran]


# -- global options ---------------------------------------------------------------------------


def test_version(cli: Cli) -> None:
    ran = cli("--version")
    assert ran.code == 0
    assert ran.out.strip() == f"tokarc {__version__}"


@pytest.mark.slow
@pytest.mark.parametrize("module", ["tokarc", "tokarc.cli"])
def test_python_dash_m_runs_the_command(module: str) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == f"tokarc {__version__}"


def test_global_options_after_the_command(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    ran = cli("hashtag", "magic", "--max-items", "20", "--db", str(db), "--sandbox", "-q",
              "--retries", "1")  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.err == ""  # -q after the command: no summary either
    assert rows(db, "SELECT COUNT(*) FROM jobs")[0][0] == 1
    listed = cli("watch", "list", "--db", str(db), "-q", "--token", "t", "--base-url=http://x")
    assert listed.code == 0, listed.err
    assert cli("jobs", "--db", str(db), "-v").code == 0


def test_emulator_options_stay_the_emulators(cli: Cli) -> None:
    ran = cli("emulator", "--bogus", "-v")
    assert ran.code == 2  # argparse refused them: they were not taken as tokarc's


@pytest.mark.slow
def test_resume_hints_keep_retries(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    ran = cli("--sandbox", "--retries", "2", "hashtag", "magic", "--max-units", "1",
              "--db", str(db))  # fmt: skip
    assert ran.code == 0, ran.err
    hint = next(line for line in ran.err.splitlines() if "resume" in line)
    assert "tokarc --sandbox --retries 2 resume 1" in hint


def test_one_log_prefix_and_no_password_in_logs() -> None:
    handler = _CLIHandler(verbose=False)

    def line(name: str, message: str) -> str:
        return handler.format(logging.LogRecord(name, logging.WARNING, "", 0, message, (), None))

    assert line("tokarc", "leaving out 'x'") == "tokarc: leaving out 'x'"
    assert line("tokarc.store", "slow") == "tokarc: store: slow"
    assert line("httpx", "retrying") == "tokarc: httpx: retrying"
    assert line("tokarc", "postgresql://u:hunter2@h/db") == "tokarc: postgresql://u:***@h/db"
    assert line("tokarc", "evil \x1b]8;;http://x\x07") == "tokarc: evil \\x1b]8;;http://x\\x07"


# -- targets and URLs -------------------------------------------------------------------------


@pytest.mark.slow
def test_targets_are_normalized_once(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    for spelling in ("magic", "##magic", "Magic", "#MAGIC \n"):
        ran = cli("--sandbox", "hashtag", spelling, "--max-items", "10", "--db", str(db))
        assert ran.code == 0, ran.err
    for spelling in ("zachking", "@@zachking", "zachking  "):  # usernames keep their case
        assert cli("--sandbox", "user", spelling, "--db", str(db)).code == 0
    assert rows(db, "SELECT kind, target FROM jobs ORDER BY id") == [
        ("hashtag", "magic"),
        ("user", "zachking"),
    ]


def test_the_library_normalizes_the_same() -> None:
    assert JobSpec.build("hashtag", "##Magic\n").target == "magic"
    assert JobSpec.build("user_posts", "@@zachking ").target == "zachking"
    spaced = JobSpec.build("keyword", "  magic   trick \n", params={"period": "0"})
    assert spaced.target == "magic trick"


GOOD_URLS = [
    "https://www.tiktok.com/@zachking/video/7230000000000000000",
    "https://www.tiktok.com/@zachking/video/7230000000000000000?is_from_webapp=1",
    "www.tiktok.com/@zachking/photo/7230000000000000000/",
    "https://m.tiktok.com/@zach.king_/video/7230000000000000000",
]
BAD_URLS = [
    "https://www.tiktok.com/@zachking/video/123abc",
    "https://example.com/video/123",
    "https://evil.example/@a/video/7230000000000000000",
    "https://www.tiktok.com.evil.example/@a/video/7230000000000000000",
    "javascript:alert(1)//www.tiktok.com/@a/video/7230000000000000000",
    "javascript://www.tiktok.com/@a/video/7230000000000000000",
    "https://user@www.tiktok.com/@a/video/7230000000000000000",
    "https://www.tiktok.com:8080/@a/video/7230000000000000000",
    "ftp://www.tiktok.com/@a/video/7230000000000000000",
]


@pytest.mark.parametrize("url", GOOD_URLS)
def test_one_url_checker_accepts(url: str) -> None:
    assert V.post_id(url) == "7230000000000000000"
    assert V.check_post_url(url) == url


@pytest.mark.parametrize("url", BAD_URLS)
def test_one_url_checker_refuses_for_cli_and_library(cli: Cli, url: str) -> None:
    with pytest.raises(InvalidInputError):
        V.check_post_url(url)  # what client.tiktok.post_info(url=...) checks
    with pytest.raises(InvalidInputError):
        V.post_id(url)  # what `tokarc post` and the posts job check
    ran = cli("--sandbox", "post", url)
    assert ran.code == 2, ran.err
    assert ran.out == ""


# -- database passwords -----------------------------------------------------------------------


def _with_password(url: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{host}"


@pytest.mark.slow
def test_database_passwords_are_never_shown(cli: Cli, pg_url: str) -> None:
    secret = "Hunter2-s3cret"
    url = _with_password(pg_url, secret)  # trust auth: the server ignores it
    shown: list[str] = []
    for args in (
        ("--sandbox", "hashtag", "magic", "--max-units", "1", "--db", url),  # the resume hint
        ("jobs", "--db", url),
        ("stats", "--db", url),
        ("-v", "jobs", "--db", url),
        ("resume", "99", "--db", url),
        ("jobs", "--db", url.replace("/test?", "/tokarc_no_such_db?")),
    ):
        ran = cli(*args)
        shown.append(ran.out + ran.err)
        assert secret not in ran.out + ran.err, args
    assert "postgres:***@" in shown[0]
    assert "postgres:***@" in shown[1]
    assert "postgres:***@" in shown[2]
    assert "tokarc_no_such_db" in shown[-1]
    assert "createdb" in shown[-1]


@pytest.mark.slow
def test_the_password_still_reaches_the_driver(pg_url: str) -> None:
    from tokarc._wiring import open_store
    from tokarc.cli._options import _target

    url = _with_password(pg_url, "Hunter2-s3cret")
    db = _target(url)
    assert db is not None
    assert "Hunter2" not in f"{db} {db!r}"
    with open_store(db) as store:
        assert "Hunter2" not in store.url
        assert store.db.inner._conn.info.password == "Hunter2-s3cret"  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_missing_postgres_database_is_named(cli: Cli, pg_url: str) -> None:
    missing = pg_url.replace("/test?", "/tokarc_no_such_db?")
    ran = cli("--sandbox", "hashtag", "magic", "--db", missing)
    assert ran.code == 2
    assert "Traceback" not in ran.err
    assert "'tokarc_no_such_db'" in ran.err
    assert "create it with: createdb -h 127.0.0.1 -p 5432 -U postgres tokarc_no_such_db" in ran.err


# -- hostile text ------------------------------------------------------------------------------

HOSTILE = (
    "magic [/x] [link=https://evil.example]click[/link] \x1b[31mred\x1b]8;;http://e\x07 \u202eevil"
)
RAW = ("\x1b", "\x07", "\u202e")


def _clean(ran: Ran) -> None:
    text = ran.out + ran.err
    assert "Traceback" not in text
    assert "MarkupError" not in text
    for char in RAW:
        assert char not in text, repr(text)


@pytest.mark.slow
def test_every_listing_command_shows_hostile_text_as_text(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    ran = cli("--sandbox", "keyword", HOSTILE, "--max-items", "10", "--db", str(db))
    assert ran.code == 0, ran.err
    _clean(ran)
    assert "[/x]" in ran.err  # the summary names the job as it is
    added = cli("watch", "add", "keyword", HOSTILE, "--db", str(db))
    _clean(added)
    for args in (("jobs",), ("stats",), ("watch", "list"), ("jobs", "--json")):
        listed = cli(*args, "--db", str(db))
        assert listed.code == 0, (args, listed.err)
        _clean(listed)
        if args != ("stats",):
            assert "[/x]" in listed.out  # shown, literally: neither eaten nor interpreted
            assert "[link=https://evil.example]" in listed.out
    refused = cli("--sandbox", "hashtag", HOSTILE, "--db", str(db))
    assert refused.code == 2
    _clean(refused)
    estimate = cli("--sandbox", "keyword", HOSTILE, "--estimate")
    _clean(estimate)


def test_the_progress_label_is_text() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with job_progress(console, HOSTILE) as on_page:
        del on_page
    assert "[/x]" in out.getvalue()
    assert "\u202e" not in out.getvalue()
    assert "\x1b]8;;http://e" not in out.getvalue()


# -- the token and the config file --------------------------------------------------------------


def test_the_config_folder_is_private(cli: Cli, tmp_path: Path) -> None:
    ran = cli("configure", input="tok-123\n")
    assert ran.code == 0, ran.err
    folder = tmp_path / "config"
    (folder / "config.toml").chmod(0o644)  # someone opened it up: a new token closes it again
    assert cli("configure", input="tok-456\n").code == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "config.toml").stat().st_mode) == 0o600


def test_the_readme_warns_about_token_on_the_command_line() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    warning = readme.split("process list", 1)[0].rsplit("\n\n", 1)[-1]
    assert "--token" in warning
    rest = readme.split("process list", 1)[1][:400]
    assert "TOKARC_TOKEN" in rest
    assert "tokarc configure" in rest


def test_watch_targets_are_normalized_like_jobs(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    assert cli("watch", "add", "hashtag", "Magic", "--db", db).code == 0
    again = cli("watch", "add", "hashtag", "##magic", "--db", db)
    assert again.code == 2
    assert "already watching hashtag:magic" in again.err
