"""The seed guide's code runs with tokarc, the import changed, against the emulator."""

from __future__ import annotations

import re
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
    posts = namespace["posts"]
    assert 0 < len(posts) <= 2000
    assert all(p["create_time"] >= namespace["posts"][-1]["create_time"] for p in posts[:1])
    namespace["client"].close()
