"""``tokarc user-history``: an account's timeline; ``tokarc search @old``: an account by a
handle it had, under its current one.

``tokarc user NAME...`` collects profiles, its arguments all usernames: a ``history``
subcommand there would take the handle ``history`` from TikTok's accounts, so the timeline is a
command of its own, named like ``user-posts``.
"""

from __future__ import annotations

import json
import re
from typing import Annotated

import typer

from ..analysis import History, accounts_named, history
from . import _errors, _tables
from . import _options as O
from ._stores import existing
from ._text import cell, safe

_HANDLE = re.compile(r"@[A-Za-z0-9._]{1,64}")

Json = Annotated[bool, typer.Option("--json", help="The timeline as one JSON object.")]


def user_history(
    account: Annotated[
        str, typer.Argument(help="A handle it ever had (with or without '@'), its uid or secUid.")
    ],
    db: O.DbRequired,
    as_json: Json = False,
) -> None:
    """An account's timeline: the handles and nicknames it was seen with, its follower counts
    over time, its states (found, private, restricted, unavailable, not found, back), and its
    posts' (how many are gone, restricted or back now; the latest few).

    Example: tokarc user-history @zachking --db magic.db
    """
    with existing(db, read_only=True) as store:
        found = history(store, account)
    if found is None:
        raise _errors.CLIError(f"invalid account {safe(account)!r}: {db} has never seen it")
    if as_json:
        print(json.dumps(found.as_json(), ensure_ascii=False))
        return
    _print(found)


def _print(h: History) -> None:
    out = _tables.stdout()
    who = f"@{h.handle}" if h.handle else "an account never found"
    out.print(cell(f"{who} (uid {h.uid or '?'}, secUid {h.sec_uid or '?'})"))
    names = [[f"@{n.handle}", n.nickname, n.first_seen_at, n.last_seen_at] for n in h.names]
    counts = [[c.observed_at, c.follower_count, c.following_count, c.heart_count, c.video_count]
              for c in h.counts]  # fmt: skip
    states = [[s.at, s.state, s.code] for s in h.states]
    posts = [[e.at, e.state, e.code, e.aweme_id] for e in h.posts.latest]
    for title, headers, rows in (
        ("handles and nicknames", ["handle", "nickname", "first seen", "last seen"], names),
        ("counts", ["observed", "followers", "following", "hearts", "videos"], counts),
        ("states", ["at", "state", "code"], states),
        (_posts_title(h), ["at", "state", "code", "post"], posts),
    ):
        if rows:
            out.print(_tables.table(title, headers, rows))


def _posts_title(h: History) -> str:
    """``posts' states (now 3 gone, 1 restricted; the latest 4)``."""
    now = ", ".join(f"{n} {state}" for state, n in h.posts.now.items())
    return f"posts' states (now {now}; the latest {len(h.posts.latest)})"


def searched_handle(db: str, query: str, as_json: bool) -> bool:
    """``tokarc search @old``: print the accounts once seen as ``@old`` under their handle
    now, and say True; False (nothing printed) for any other query."""
    if not _HANDLE.fullmatch(query.strip()):
        return False
    with existing(db, read_only=True) as store:
        found = accounts_named(store, query)
    if as_json:
        for h in found:
            print(json.dumps(h.as_json(), ensure_ascii=False))
        return True
    rows = [[f"@{h.handle}", h.nickname, h.uid, ", ".join(f"@{n.handle}" for n in h.names)]
            for h in found]  # fmt: skip
    title = f"{len(rows)} accounts seen as {query.strip()}"
    _tables.stdout().print(_tables.table(title, ["now", "nickname", "uid", "handles"], rows))
    return True
