"""The README's monitoring walk-through, run as written: each of its commands in the sandbox,
in a folder of the test's own, and what each prints is what the README shows below it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tokarc.cli import run

README = Path(__file__).resolve().parents[2] / "README.md"
# What differs from day to day: the dates and times a command prints (the README's are a run's).
_WHEN = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?)?")

Step = tuple[list[str], list[str]]  # (argv, the lines the README shows it printing)


def walkthrough() -> list[Step]:
    """The commands of the README's ``## Monitoring`` console block, each with its output."""
    section = README.read_text().split("\n## Monitoring\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[Step] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((shlex.split(line[2:], comments=True), []))
        elif line.strip():
            steps[-1][1].append(line)
    return steps


def _plain(text: str) -> str:
    return " ".join(_WHEN.sub("WHEN", text).split())


def shown(expected: str, printed: str) -> bool:
    """``expected`` (a README line; ``…`` stands for anything) is one of the printed lines."""
    pattern = ".*".join(re.escape(part) for part in _plain(expected).split("…"))
    return any(re.fullmatch(pattern, _plain(line)) for line in printed.splitlines())


def test_the_walkthrough_is_parsed() -> None:
    steps = walkthrough()
    assert [argv[:3] for argv, _ in steps][:4] == [["tokarc", "--sandbox", "watch"]] * 4
    assert any(argv[1:3] == ["watch", "tick"] or argv[2:4] == ["watch", "tick"]
               for argv, _ in steps)  # fmt: skip
    assert all(out for _, out in steps)  # the README says what each command prints


@pytest.mark.slow
def test_the_readme_monitoring_walkthrough(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TOKARC_TOKEN", "ENSEMBLEDATA_TOKEN", "TOKARC_BASE_URL", "TOKARC_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKARC_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.chdir(tmp_path)
    for argv, expected in walkthrough():
        assert argv[0] == "tokarc"
        code = run(argv[1:])
        out, err = capsys.readouterr()
        assert code == 0, (argv, err)
        printed = out + err
        missing = [line for line in expected if not shown(line, printed)]
        assert missing == [], f"{shlex.join(argv)} printed:\n{printed}"
    report = (tmp_path / "report.html").read_text()
    assert "recorded (not delivered: no webhook)" in report  # as the README says below it


def test_a_line_that_differs_is_caught() -> None:
    assert shown("a: 10 new, … units (since)", "a: 10 new,   3 units (since)\n")
    assert not shown("a: 10 new, … units (since)", "a: 11 new, 3 units (since)\n")
    assert shown("until 2026-12-08T00:00:00+00:00", "until 2027-01-02T00:00:00+00:00")
