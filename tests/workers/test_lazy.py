"""The workers package loads procrastinate only when it is used: every store imports its
migration set, and procrastinate costs ~90 ms to import (most of a command's start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tokarc.workers


def test_opening_a_store_does_not_import_procrastinate(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from tokarc.store import open_store\n"
        f"open_store({str(tmp_path / 'a.db')!r}).close()\n"
        "assert 'tokarc.workers._schema' in sys.modules\n"
        "print('procrastinate' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "False"


def test_the_package_names_load_when_asked_for() -> None:
    from tokarc.workers import Workers, run_worker

    assert Workers.__module__ == "tokarc.workers._queue"
    assert run_worker.__module__ == "tokarc.workers._run"
    assert set(tokarc.workers.__all__) == set(tokarc.workers._WHERE)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        tokarc.workers.Nope  # noqa: B018
