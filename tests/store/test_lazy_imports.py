"""Opening a store imports no package above it; opening it as every command does (the wiring)
imports every package's migration set, not the packages' heavy parts: the workers load
procrastinate (~90 ms to import, most of a command's start) and the report its charts and
templates only when they are used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tokarc.monitor
import tokarc.workers


def test_opening_a_store_imports_neither_procrastinate_nor_the_report(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from tokarc._wiring import open_store\n"
        f"open_store({str(tmp_path / 'a.db')!r}).close()\n"
        "assert 'tokarc.workers._schema' in sys.modules\n"
        "print('procrastinate' in sys.modules, 'tokarc.report._page' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "False False"


def test_the_package_names_load_when_asked_for() -> None:
    from tokarc.workers import Workers, run_worker

    assert Workers.__module__ == "tokarc.workers._queue"
    assert run_worker.__module__ == "tokarc.workers._run"
    assert set(tokarc.workers.__all__) == set(tokarc.workers._WHERE)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        tokarc.workers.Nope  # noqa: B018


def test_the_report_loads_when_asked_for() -> None:
    from tokarc.monitor import Report, write_report

    assert write_report.__module__ == Report.__module__ == "tokarc.report._page"
    assert {"Report", "write_report"} <= set(tokarc.monitor.__all__)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        tokarc.monitor.Nope  # noqa: B018
