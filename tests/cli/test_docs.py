"""Every command has help with an example, an entry in the README and one in docs/cli.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from tokarc.cli import app

from .conftest import Ran

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):
            yield path, command
            yield from _commands(command, path + " ")
        else:
            yield path, command


COMMANDS = dict(_commands(typer.main.get_command(app)))


def test_the_commands_are_all_there() -> None:
    assert set(COMMANDS) == {
        "hashtag", "keyword", "user", "user-posts", "user-history", "liked", "followers",
        "followings", "post", "comments", "replies", "users", "lives", "music", "music search",
        "music posts", "music info", "jobs", "resume", "export", "stats", "raw", "rebuild",
        "migrate", "usage", "configure", "doctor",
        "emulator", "media", "watch", "watch add", "watch list", "watch remove", "watch pause",
        "watch resume", "watch tick", "watch run", "watch edit", "report", "digest", "alerts",
        "expand",
        "worker", "queue", "queue status", "queue wait", "queue retry", "queue cancel",
        "search", "sql", "browse", "network", "compare", "top", "dehydrate", "hydrate",
    }  # fmt: skip


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_has_an_example(path: str, cli: Callable[..., Ran]) -> None:
    help_text = COMMANDS[path].help or ""
    assert f"Example: tokarc {path.split()[0]}" in " ".join(help_text.split()), help_text
    if path != "emulator":  # its --help is tokarc-emulator's (argparse), checked below
        ran = cli(*path.split(), "--help")
        assert ran.code == 0
        assert "Example: tokarc" in ran.out


def test_emulator_help_is_its_parser(cli: Callable[..., Ran]) -> None:
    ran = cli("emulator", "--help")
    assert ran.code == 0
    assert "--require-token" in ran.out
    assert "--latency" in ran.out


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_readme_and_docs_entries(path: str) -> None:
    readme = (ROOT / "README.md").read_text()
    docs = (ROOT / "docs" / "cli.md").read_text()
    assert f"`tokarc {path}" in readme, f"README.md lacks an entry for tokarc {path}"
    if path != "music":
        assert f"### `tokarc {path}`" in docs, f"docs/cli.md lacks a section for tokarc {path}"


def test_readme_starts_with_make_demo_and_make_test() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    commands = [line.split("#")[0].strip() for line in lines[:8] if line.startswith("make ")]
    assert commands == ["make demo", "make test"]


def test_the_readme_names_only_files_of_the_repository() -> None:
    """A fresh clone has every file the README points to: none beside the repository."""
    import re

    text = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)#]+)\)", text)
    named = re.findall(r"`([\w./-]+\.(?:md|py|toml|txt|json|yml|yaml))`", text)
    local = [p for p in (*links, *named) if "://" not in p and not p.startswith("www.")]
    assert local, "the README names files of the repository (docs/...)"
    assert "../" not in text
    missing = [p for p in local if not _in_repo(p)]
    assert missing == [], missing


def _in_repo(path: str) -> bool:
    """``path`` from the root, or a file of that name in one of the repository's folders."""
    return (ROOT / path).exists() or any(
        (ROOT / d / path).exists() for d in ("docs", "benchmarks", "scripts", "tests", "src")
    )
