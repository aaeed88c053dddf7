"""The seed guide's code runs with tokarc, the import changed, against the emulator."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

GUIDE = Path(__file__).resolve().parents[3] / "shared" / "seed" / "tiktok-api-guide.md"
OFFICIAL_IMPORT = "from ensembledata.api import EDClient"


def guide_blocks() -> list[str]:
    text = GUIDE.read_text()
    text = text.split("## What is a cursor?")[0]  # that section's `api.get_books()` is a parable
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_guide_has_code() -> None:
    blocks = guide_blocks()
    assert len(blocks) >= 5
    assert OFFICIAL_IMPORT in blocks[0]


def test_guide_runs_with_tokarc(
    live_emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOKARC_BASE_URL", live_emulator.base_url)
    namespace: dict[str, Any] = {}
    for block in guide_blocks():
        code = block.replace(OFFICIAL_IMPORT, "from tokarc import EDClient")
        exec(compile(code, str(GUIDE), "exec"), namespace)
    assert "Number of posts: 20" in capsys.readouterr().out
    posts = namespace["posts"]  # the last example: full_hashtag_search(max_cursor=2_000, days=7)
    assert 0 < len(posts) <= 2000
    week_ago = live_emulator.emulator.clock.now() - 7 * 86_400
    assert all(p["create_time"] >= week_ago for p in posts)
    namespace["client"].close()


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
