"""Issue 25: nothing found is said, with its units, and recorded in the job; every README
collecting command finds something in the sandbox."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from .conftest import Ran, rows

ROOT = Path(__file__).resolve().parents[2]


def api(live: Any) -> tuple[str, ...]:
    return ("--base-url", live.base_url, "--token", "t")


@pytest.mark.parametrize(
    ("args", "said", "found"),
    [
        (("hashtag", "zzzznotatag123"), "#zzzznotatag123: no posts (1 unit)", "nothing"),
        (("keyword", "zzzznotaword123"), "'zzzznotaword123': no posts (1 unit)", "nothing"),
        (
            ("post", "7230000000000000000", "7210531475052236078"),
            "1 of the posts asked for not found: 7230000000000000000 (1 unit)",
            "missing: 7230000000000000000",
        ),
        (
            ("comments", "7230000000000000000"),
            "post 7230000000000000000: no comments; it does not exist or has none (1 unit)",
            "nothing",
        ),
        (
            ("replies", "6849400000000", "7715229863526793346"),
            "comment 7715229863526793346: no replies; it does not exist or has none (1 unit)",
            "nothing",
        ),
    ],
)
def test_nothing_found_is_said_with_its_units(
    cli: Any, live_emulator: Any, args: tuple[str, ...], said: str, found: str
) -> None:
    ran: Ran = cli(*api(live_emulator), *args, "--db", "n.db")
    assert ran.code == 0, ran.err  # the API answered
    assert said in ran.err.splitlines()
    assert live_emulator.emulator.stats.units_total == 1
    assert rows(Path("n.db"), "SELECT status, found FROM jobs") == [("done", found)]


def test_something_found_says_no_more(cli: Any, live_emulator: Any) -> None:
    ran = cli(*api(live_emulator), "post", "7210531475052236078", "--db", "n.db")
    assert ran.code == 0, ran.err
    assert "not found" not in ran.err
    assert rows(Path("n.db"), "SELECT found FROM jobs") == [(None,)]


COLLECTING = {"hashtag", "keyword", "user-posts", "user", "followers", "followings", "post",
              "comments", "replies", "music", "users", "lives"}  # fmt: skip


def readme_commands() -> list[list[str]]:
    """The README's collecting commands as typed (those with a placeholder left out)."""
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    out = []
    for line in (ln.split("  #")[0].strip() for b in blocks for ln in b.splitlines()):
        words = shlex.split(line) if line.startswith("tokarc ") else []
        words = [w for w in words[1:] if w != "--sandbox"]
        if words and words[0] in COLLECTING and "..." not in line:
            out.append(words)
    return out


def test_the_readme_has_collecting_commands() -> None:
    commands = [" ".join(c) for c in readme_commands()]
    assert len(commands) >= 12, commands
    assert "post https://www.tiktok.com/@zachking/video/7210531475052236078" in commands


@pytest.mark.slow
@pytest.mark.parametrize("words", readme_commands(), ids=" ".join)
def test_every_readme_collecting_command_finds_something(cli: Any, words: list[str]) -> None:
    ran = cli("--sandbox", *words)
    assert ran.code == 0, ran.err
    items = [int(n) for n in re.findall(r" pages?, (\d+) items,", ran.err)]
    assert items, ran.err
    assert all(n > 0 for n in items), ran.err
    assert "stopped at" not in ran.err  # within the default cap
