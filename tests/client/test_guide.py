"""The API guide's calls (tests/client/guide_calls.py) run with tokarc.EDClient, against the
emulator, as the guide writes them."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

import tokarc
from tokarc.emulator import _fixtures as F

from .guide_calls import CALLS, NEXT_CURSOR, SECTIONS, SETUP


@pytest.mark.slow
def test_the_guide_calls_run_with_tokarc(
    live_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKARC_BASE_URL", live_emulator.base_url)
    week_ago = live_emulator.emulator.clock.now() - 7 * 86_400
    client = tokarc.EDClient(SETUP["token"])
    next_cursor = None
    for call in CALLS:
        kwargs = {k: next_cursor if v is NEXT_CURSOR else v for k, v in call.kwargs.items()}
        result = getattr(client.tiktok, call.method)(**kwargs)
        posts = result.data["data"]
        next_cursor = result.data.get("nextCursor")
        assert posts, call
        if call.posts is not None:
            assert len(posts) == call.posts, call
        if call.max_posts is not None:
            assert len(posts) <= call.max_posts, call
        if call.days is not None:
            assert all(p["create_time"] >= week_ago for p in posts), call
    client.close()


@pytest.mark.slow
def test_every_guide_section_has_its_call(
    live_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sections of the guide without code yet: each one's call, on fixture data."""
    monkeypatch.setenv("TOKARC_BASE_URL", live_emulator.base_url)
    examples = F.example_calls()
    with tokarc.EDClient(SETUP["token"]) as client:
        for section, method in SECTIONS.items():
            result = getattr(client.tiktok, method)(**examples[method])
            assert result.data, section


def test_the_setup_is_the_sdks() -> None:
    assert SETUP["import"].replace("ensembledata.api", "tokarc") == "from tokarc import EDClient"
    assert {c.method for c in CALLS} | set(SECTIONS.values()) <= set(F.example_calls())


README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_library_example_runs(
    live_emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    section = README.read_text().split("## The library", 1)[1]
    code = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    monkeypatch.setenv("TOKARC_BASE_URL", live_emulator.base_url)
    monkeypatch.setenv("TOKARC_TOKEN", "readme-token")
    live_emulator.emulator.clock.set(int(time.time()))  # as --sandbox does: the world is now
    exec(compile(code, str(README), "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 500 + 300 + 1
    assert lines[500].split()[0].isdigit()  # the units line: total, then by endpoint


def test_readme_guide_snippets_run_with_tokarc(
    live_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every Python snippet of the README's guide walk-through, its placeholders filled with
    things the emulator's world holds, runs through tokarc (the SDK's calls included)."""
    import tokarc
    from tokarc.emulator import _fixtures as F

    calls = F.example_calls()
    secuid = calls["user_liked_posts"]["sec_uid"]  # a public account whose likes are public
    post, comment = (
        calls["post_comment_replies"]["aweme_id"],
        calls["post_comment_replies"]["comment_id"],
    )
    music = calls["music_details"]["music_id"]
    section = README.read_text().split("## The guide, three ways", 1)[1].split("\n## ", 1)[0]
    setup, *blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert "tokarc.Client(" in setup  # two columns side by side: the test binds `client` itself
    assert len(blocks) >= 9
    fill = {
        "MS4wLjABAAAA...": secuid,
        'aweme_id="723..."': f'aweme_id="{post}"',
        'comment_id="723..."': f'comment_id="{comment}"',
        "https://www.tiktok.com/@zachking/video/7230000000000000000": F.DAVID_POST_URL,
        "7230000000000000001": comment,
        "7230000000000000000": post,
        "7016547803243022337": music,
    }
    live_emulator.emulator.clock.set(int(time.time()))
    monkeypatch.setenv("TOKARC_BASE_URL", live_emulator.base_url)
    monkeypatch.setenv("TOKARC_TOKEN", "readme-token")
    monkeypatch.chdir(tmp_path)  # the jobs example writes magic.db
    with tokarc.Client() as client:
        namespace: dict[str, Any] = {"client": client}
        for block in blocks:
            for placeholder, value in fill.items():
                block = block.replace(placeholder, value)
            exec(compile(block, str(README), "exec"), namespace)
    assert namespace["report"].new > 0
