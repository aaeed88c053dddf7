"""The pagers' types: a Client's ``iter_*`` is a ``SyncPager`` of its records, an AsyncClient's
an ``AsyncPager``; ``async for`` over a sync pager (or ``for`` over an async one) is a type error,
and fails at run time as well (``test_pagination.py::test_sync_pager_refuses_async_iteration``).
Checked by running mypy on a snippet."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SNIPPET = """
from typing import assert_type

import tokarc
from tokarc import AsyncPager, SyncPager
from tokarc.models import Comment, Post, User


def sync(c: tokarc.Client) -> None:
    assert_type(c.tiktok.iter_hashtag_posts("magic"), SyncPager[Post])
    assert_type(c.tiktok.iter_followers(id="1", sec_uid="s"), SyncPager[User])
    for post in c.tiktok.iter_hashtag_posts("magic"):
        assert_type(post, Post)


async def asynchronous(a: tokarc.AsyncClient) -> None:
    assert_type(a.tiktok.iter_comments("1"), AsyncPager[Comment])
    async for post in a.tiktok.iter_hashtag_posts("magic"):
        assert_type(post, Post)


async def wrong(c: tokarc.Client, a: tokarc.AsyncClient) -> None:
    async for x in c.tiktok.iter_hashtag_posts("magic"):  # line 22: an error
        pass
    for y in a.tiktok.iter_hashtag_posts("magic"):  # line 24: an error
        pass
"""


@pytest.mark.slow
def test_mypy_sees_each_clients_pager(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(SNIPPET).lstrip())
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)]
    ran = subprocess.run(mypy, capture_output=True, text=True, timeout=300, check=False)
    errors = [line for line in ran.stdout.splitlines() if ": error:" in line]
    assert [int(e.split(":")[1]) for e in errors] == [22, 24], ran.stdout
