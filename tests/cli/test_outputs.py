"""Outputs never destroy the database, and are written whole or not at all."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tokarc._files import atomic_file
from tokarc._wiring import open_store
from tokarc.dataset.export import export
from tokarc.errors import InvalidInputError
from tokarc.report import write_report

from .conftest import Ran, rows, tokarc_argv

Cli = Callable[..., Ran]


@pytest.fixture
def db(cli: Cli, tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    ran = cli("--sandbox", "hashtag", "magic", "--max-items", "600", "--db", str(path))
    assert ran.code == 0, ran.err
    return path


def _outputs(db: Path) -> list[str]:
    """The database under other names: itself, relative, its WAL and SHM, a hard link."""
    link = db.with_name("link.db")
    os.link(db, link)
    return [str(db), f"./{db.name}", f"{db}-wal", f"{db}-shm", str(link)]


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ("--sandbox", "hashtag", "magic", "--max-items", "20", "--db", "{db}", "-o", "{out}"),
        ("export", "posts", "--db", "{db}", "-o", "{out}"),
        ("export", "posts", "--db", "{db}", "-o", "{out}", "--format", "parquet"),
        ("report", "--db", "{db}", "-o", "{out}"),
    ],
    ids=["collect", "export", "export-parquet", "report"],
)
def test_an_output_on_the_database_is_refused(
    cli: Cli, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    posts = rows(db, "SELECT COUNT(*) FROM posts")[0][0]
    jobs = rows(db, "SELECT COUNT(*) FROM jobs")[0][0]
    for out in _outputs(db):
        ran = cli(*(a.format(db=db, out=out) for a in command))
        assert ran.code == 2, (out, ran.err)
        assert "database" in ran.err, ran.err
        assert "--out" in ran.err, ran.err
        assert ran.err.count("\n") == 1, ran.err
        assert rows(db, "SELECT COUNT(*) FROM posts")[0][0] == posts
        assert rows(db, "SELECT COUNT(*) FROM jobs")[0][0] == jobs  # nothing ran


@pytest.mark.parametrize(
    "command",
    [
        ("export", "posts", "--db", "{db}", "-o", "{out}"),
        ("--sandbox", "hashtag", "magic", "--max-items", "20", "--db", "{db}", "-o", "{out}"),
    ],
    ids=["export", "collect"],
)
def test_a_suffix_that_names_no_format_is_a_usage_error(
    cli: Cli, db: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    jobs = rows(db, "SELECT COUNT(*) FROM jobs")[0][0]
    out = tmp_path / "x.xlsx"
    ran = cli(*(a.format(db=db, out=out) for a in command))
    assert ran.code == 2, ran.err
    assert ran.err.count("\n") == 1, ran.err
    assert "'.xlsx'" in ran.err
    assert ".jsonl, .ndjson, .csv, .parquet" in ran.err
    assert "--format jsonl|csv|parquet|4cat" in ran.err
    assert not out.exists()
    assert rows(db, "SELECT COUNT(*) FROM jobs")[0][0] == jobs  # nothing ran, nothing spent
    given = cli(*(a.format(db=db, out=out) for a in command), "--format", "csv")
    assert given.code == 0, given.err
    assert out.read_text().startswith("aweme_id,")


@pytest.mark.slow
def test_the_library_refuses_too(db: Path) -> None:
    with open_store(db) as store:
        for out in (db, f"{db}-wal"):
            with pytest.raises(InvalidInputError, match="database"):
                export(store, "posts", out, "csv")
            with pytest.raises(InvalidInputError, match="database"):
                write_report(store, out)
    assert rows(db, "SELECT COUNT(*) FROM posts")[0][0] > 0


def test_atomic_file_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("good\n")

    def half_then_fail() -> None:
        with atomic_file(target) as f:
            f.write("half")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        half_then_fail()
    assert target.read_text() == "good\n"
    assert os.listdir(tmp_path) == ["out.txt"]  # the temporary file is gone
    with atomic_file(target) as f:
        f.write("new\n")
    assert target.read_text() == "new\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_atomic_file_makes_files_like_open(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with atomic_file(tmp_path / "a.txt") as f:
            f.write("x")
        with open(tmp_path / "b.txt", "w") as f:
            f.write("x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode == (tmp_path / "b.txt").stat().st_mode


def test_a_file_written_over_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "private.csv"
    target.write_text("old")
    target.chmod(0o600)
    with atomic_file(target) as f:
        f.write("new")
    assert (target.stat().st_mode & 0o777, target.read_text()) == (0o600, "new")


def test_a_missing_folder_names_the_file(tmp_path: Path) -> None:
    with (
        pytest.raises(OSError, match=r"cannot write .*nowhere"),
        atomic_file(tmp_path / "nowhere" / "x.csv"),
    ):
        pass


def _file_size_limit(limit: int) -> Callable[[], None]:
    def limited() -> None:  # in the child: a "disk" that is full after `limit` bytes
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_a_full_disk_leaves_the_good_file(db: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"posts.{suffix}"
    good = subprocess.run(tokarc_argv("export", "posts", "--db", str(db), "-o", str(out)),
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert good.returncode == 0, good.stderr
    before = out.read_bytes()
    assert len(before) > 72_000
    again = subprocess.run(
        tokarc_argv("export", "posts", "--db", str(db), "-o", str(out)),
        capture_output=True, text=True, check=False, preexec_fn=_file_size_limit(36_000),
    )  # fmt: skip
    assert again.returncode == 1, again.stderr
    assert "Traceback" not in again.stderr
    assert f"cannot write {out}" in again.stderr, again.stderr
    assert out.read_bytes() == before  # the good file is whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_records_shown_on_a_terminal_carry_no_control_characters(
    db: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    caption = "pwned \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x9b2J \u202eevil\u202c"
    with open_store(db) as store:  # hostile captions, as the JSON of the posts' rows
        for (aweme_id,) in store.db.query("SELECT aweme_id FROM posts"):
            post = json.loads(store.raw("post", aweme_id) or b"") | {"desc": caption}
            store.db.execute(
                "UPDATE posts SET raw = ?, description = ? WHERE aweme_id = ?",
                (json.dumps(post, ensure_ascii=False), caption, aweme_id),
            )
    screen = _Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    with open_store(db) as store:
        assert export(store, "posts", "-", fmt) > 0  # type: ignore[arg-type]
    shown = screen.getvalue()
    for char in ("\x1b", "\x07", "\x9b", "\u202e", "\u202c"):
        assert char not in shown
    if fmt == "jsonl":  # still JSON, and the same caption once decoded
        assert json.loads(shown.splitlines()[0])["desc"] == caption
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stdout", piped)
    with open_store(db) as store:
        export(store, "posts", "-", fmt)  # type: ignore[arg-type]
    assert "\x9b" in piped.getvalue()  # piped output is the data as it is
