"""CLI fixtures: an isolated environment, an in-process runner and a subprocess runner."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokarc.cli import app

ENV_VARS = ("TOKARC_TOKEN", "ENSEMBLEDATA_TOKEN", "TOKARC_BASE_URL", "TOKARC_DB")


@dataclass(frozen=True)
class Ran:
    """What a command did: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def lines(self) -> list[dict[str, object]]:
        """stdout as JSONL."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No token, base URL or database from the environment; a private config file."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKARC_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def cli() -> Callable[..., Ran]:
    """Run ``tokarc ARGS`` in-process with typer's CliRunner."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Ran:
        result = runner.invoke(app, list(args), input=input)
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run


def tokarc_argv(*args: str) -> list[str]:
    """The argv of the real console script."""
    return [str(Path(sys.executable).with_name("tokarc")), *args]


@pytest.fixture
def sh() -> Callable[..., Ran]:
    """Run the real ``tokarc`` console script in a subprocess."""

    def run(*args: str, timeout: float = 60, input: str | None = None) -> Ran:
        proc = subprocess.run(
            tokarc_argv(*args), capture_output=True, text=True, timeout=timeout, input=input,
            env=os.environ.copy(), check=False,
        )  # fmt: skip
        return Ran(proc.returncode, proc.stdout, proc.stderr)

    return run


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows of a query on a SQLite store."""
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def one_line_error(ran: Ran) -> str:
    """The single stderr line of a failed command (asserting it is single, no traceback)."""
    lines = [line for line in ran.err.splitlines() if line.strip()]
    assert "Traceback" not in ran.err, ran.err
    assert lines, "no message on stderr"
    assert lines[-1].startswith("tokarc"), ran.err
    return lines[-1]
