"""A database on a read-only mount (issue 24, item 9): every command that only reads it works,
every command that would write it says in one line what cannot be written and where (exit 2).

Tests run as root, where file modes stop nothing, so the folder is bind-mounted read-only in a
mount namespace of its own (``unshare --mount``), which stops root too; the command runs in it
as the real console script.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import Ran, tokarc_argv

pytestmark = pytest.mark.slow

# sh -c SCRIPT FOLDER ARGV...: FOLDER is $0, ARGV is "$@".
MOUNT_READ_ONLY = 'mount --bind -o ro "$0" "$0" && exec "$@"'


@functools.cache
def _unshare_works() -> str | None:
    """None if a read-only bind mount in a mount namespace can be made here, else why not."""
    try:
        proc = subprocess.run(
            ["unshare", "--mount", "sh", "-c", MOUNT_READ_ONLY, "/tmp", "true"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except OSError as exc:
        return f"no unshare: {exc}"
    return None if proc.returncode == 0 else f"unshare --mount failed: {proc.stderr.strip()}"


def _argv(folder: Path, argv: list[str]) -> list[str]:
    if reason := _unshare_works():  # CI must run these, as the PostgreSQL and browser tests
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"needs a read-only bind mount: {reason}"
        )
    return ["unshare", "--mount", "sh", "-c", MOUNT_READ_ONLY, str(folder), *argv]


def _run(folder: Path, argv: list[str], cwd: Path) -> Ran:
    proc = subprocess.run(
        _argv(folder, argv), capture_output=True, text=True, timeout=120, cwd=cwd,
        env=os.environ.copy(), check=False,
    )  # fmt: skip
    return Ran(proc.returncode, proc.stdout, proc.stderr)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``m.db``: a hashtag job of 40 posts, with a watch."""
    folder = tmp_path_factory.mktemp("ro") / "data"
    folder.mkdir()
    db = str(folder / "m.db")
    for args in (
        ("-q", "--sandbox", "hashtag", "magic", "--max-items", "40", "--db", db),
        ("watch", "add", "hashtag", "magic", "--db", db),
    ):
        proc = subprocess.run(tokarc_argv(*args), capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
    return folder


@pytest.fixture
def read_only(archive: Path, tmp_path: Path) -> Iterator[Callable[..., Ran]]:
    """``tokarc ARGS`` (run in ``tmp_path``) with the archive's folder mounted read-only;
    checks that the archive's files are left exactly as they were."""
    before = _digest(archive)

    def run(*args: str) -> Ran:
        return _run(archive, tokarc_argv(*args), tmp_path)

    yield run
    assert _digest(archive) == before


READS = {
    "stats": (["stats"], "40"),
    "jobs": (["jobs", "--json"], '"returned": 40'),
    "export": (["export", "posts", "-f", "csv"], "aweme_id"),
    "search": (["search", "magic", "--json"], "hashtag:magic"),
    "sql": (["sql", "SELECT COUNT(*) AS n FROM posts", "--format", "csv"], "40"),
    "network": (["network", "--graph", "hashtags", "-o", "net.csv"], "nodes"),
    "dehydrate": (["dehydrate", "-o", "ids.txt"], "40 post ids"),
    "alerts": (["alerts", "--json"], ""),
    "watch list": (["watch", "list"], "hashtag:magic"),
    "report": (["report", "-o", "r.html"], "wrote r.html"),
    "raw": (["raw", "--page", "1", "--item", "0"], '"aweme_id"'),
}


@pytest.mark.parametrize("name", list(READS))
def test_a_read_command_reads_a_database_on_a_read_only_mount(
    read_only: Callable[..., Ran], archive: Path, name: str
) -> None:
    args, shown = READS[name]
    ran = read_only(*args, "--db", str(archive / "m.db"))
    assert ran.code == 0, ran.err
    assert shown in ran.out + ran.err
    assert "Traceback" not in ran.err


def test_the_library_opens_an_archive_on_a_read_only_mount(archive: Path, tmp_path: Path) -> None:
    code = (
        "import sys, tokarc\n"
        "with tokarc.open(sys.argv[1]) as a:\n"
        "    print(len(a.posts()), a.sql('SELECT COUNT(*) AS n FROM posts')['n'][0])\n"
    )
    ran = _run(archive, [sys.executable, "-c", code, str(archive / "m.db")], tmp_path)
    assert ran.code == 0, ran.err
    assert ran.out.split() == ["40", "40"]


WRITES = {
    "collect": ["--sandbox", "hashtag", "magic", "--max-items", "5"],
    "resume": ["--sandbox", "resume", "1"],
    "watch add": ["--sandbox", "watch", "add", "keyword", "tesla"],
    "watch tick": ["--sandbox", "watch", "tick"],
    "watch remove": ["watch", "remove", "hashtag:magic"],
    "expand": ["--sandbox", "expand", "--from", "hashtag:magic", "--to", "authors"],
    "media": ["--sandbox", "media"],
    "rebuild": ["rebuild"],
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_to_a_database_on_a_read_only_mount_says_what_and_where(
    read_only: Callable[..., Ran], archive: Path, name: str
) -> None:
    ran = read_only(*WRITES[name], "--db", str(archive / "m.db"))
    assert ran.code == 2, ran.err
    assert ran.err.count("\n") == 1, ran.err
    assert f"cannot write the database {archive / 'm.db'}" in ran.err
    assert f"{archive} is on a read-only file system" in ran.err
    assert "unexpected error" not in ran.err


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["export", "posts", "-o", "{dir}/posts.csv"], "--out"),
        (["report", "-o", "{dir}/r.html"], "--out"),
        (["media", "--dir", "{dir}/media"], "--dir"),
        (
            ["--sandbox", "hashtag", "magic", "--media", "cover", "--media-dir", "{dir}/m"],
            "--media-dir",
        ),
    ],
)
def test_an_output_on_a_read_only_mount_is_refused_before_anything_is_done(
    archive: Path, tmp_path: Path, args: list[str], option: str
) -> None:
    db = tmp_path / "w.db"  # a writable database; only the output is read-only
    proc = subprocess.run(
        tokarc_argv("-q", "--sandbox", "hashtag", "magic", "--max-items", "5", "--db", str(db)),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    before = db.read_bytes()
    argv = [a.replace("{dir}", str(archive)) for a in args]
    ran = _run(archive, tokarc_argv(*argv, "--db", str(db)), tmp_path)
    assert ran.code == 2, ran.err
    assert ran.err.count("\n") == 1, ran.err
    assert f"invalid {option}" in ran.err
    assert f"{archive} is on a read-only file system" in ran.err
    assert db.read_bytes() == before  # nothing collected, nothing spent


def test_browse_serves_a_database_on_a_read_only_mount(
    archive: Path, tmp_path: Path, browse_server: Callable[..., Any]
) -> None:
    def argv(port: int) -> list[str]:
        return _argv(
            archive, tokarc_argv("browse", "--db", str(archive / "m.db"), "--port", str(port))
        )

    with browse_server(argv, tmp_path / "browse.log", tmp_path) as base:
        posts = httpx.get(f"{base}/m/post_view.json?_shape=array&_size=100", timeout=10)
        assert posts.status_code == 200, html.unescape(posts.text)[:300]
        assert len(posts.json()) == 40
