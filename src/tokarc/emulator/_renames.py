"""Accounts that change over world time: renamed, private for a while, or gone.

A documented, fixed set (``docs/emulator.md``, "Identities over time"), in days after the
default world time, so the default instant is as it always was:

- user 64 (``lucky.zone64`` with seed 0) is renamed ``lucky.renamed`` ("Lucky Renamed") at
  +1 day, and ``lucky.final`` ("Lucky Final") at +3 days;
- user 67 (``swift_x67``) is private (472) from +2 days to +4 days, then public again;
- user 71 (``stormy_life71``) is gone from +2 days on: 473 by any name, id or secUid, and its
  posts no longer come back from lookups by id.

After a rename the old handle names nobody (473) and the new one names the account; the uid
and secUid never change. Responses are rendered as before and the account's handle and
nickname rewritten in their bytes (:func:`rewrite`), so the renderer's caches stay as they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache

import msgspec

from ._clock import DEFAULT_NOW
from ._params import ApiError
from ._world import User, World

DAY = 86_400


@dataclass(frozen=True)
class Rename:
    """From world time ``at`` on, the account ``index`` is ``handle`` / ``nickname``."""

    index: int
    at: int
    handle: str
    nickname: str


@dataclass(frozen=True)
class Spell:
    """From ``start`` to ``end`` (None: for good), the account ``index`` is ``state``."""

    index: int
    state: str  # "private" (472) or "gone" (473)
    start: int
    end: int | None = None

    def on(self, now: int) -> bool:
        return self.start <= now and (self.end is None or now < self.end)


RENAMES: tuple[Rename, ...] = (
    Rename(64, DEFAULT_NOW + DAY, "lucky.renamed", "Lucky Renamed"),
    Rename(64, DEFAULT_NOW + 3 * DAY, "lucky.final", "Lucky Final"),
)
SPELLS: tuple[Spell, ...] = (
    Spell(67, "private", DEFAULT_NOW + 2 * DAY, DEFAULT_NOW + 4 * DAY),
    Spell(71, "gone", DEFAULT_NOW + 2 * DAY),
)
_RENAMED = frozenset(r.index for r in RENAMES)


def current(index: int, now: int) -> Rename | None:
    """The rename of ``index`` in effect at ``now``, if any."""
    done = [r for r in RENAMES if r.index == index and r.at <= now]
    return max(done, key=lambda r: r.at) if done else None


def state(index: int, now: int) -> str | None:
    """``private`` or ``gone`` when a spell holds ``index`` at ``now``."""
    return next((s.state for s in SPELLS if s.index == index and s.on(now)), None)


def gone(index: int, now: int) -> bool:
    """Whether the account ``index`` is gone at ``now`` (its posts with it)."""
    return state(index, now) == "gone"


def user_by_name(world: World, name: str, now: int) -> User | None:
    """The account with the handle ``name`` at ``now``: a renamed account answers to its
    new handle, and no longer to its old one."""
    key = name.strip().lstrip("@").lower()
    for index in _RENAMED:
        if (r := current(index, now)) is not None and r.handle == key:
            return world.user(index)
    user = world.user_by_name(name)
    if user is not None and current(user.index, now) is not None:
        return None  # a handle its account has left
    return user


def as_of(user: User, now: int) -> User:
    """``user`` as it is at ``now``: renamed, private; 473 when it is gone."""
    spell = state(user.index, now)
    if spell == "gone":
        raise ApiError(473, "User not found")
    if spell == "private":
        user = dataclasses.replace(user, private=True)
    if (r := current(user.index, now)) is not None:
        user = dataclasses.replace(user, unique_id=r.handle, nickname=r.nickname)
    return user


def rewrite(world: World, body: bytes, now: int) -> bytes:
    """``body`` with each account renamed at ``now`` shown under its handle and nickname."""
    if now < RENAMES[0].at:
        return body  # the common case: before the first rename, nothing to look for
    for index in _RENAMED:
        if (r := current(index, now)) is not None:
            for old, new in _pairs(world, index, r):
                if old in body:
                    body = body.replace(old, new)
    return body


@cache
def _pairs(world: World, index: int, r: Rename) -> tuple[tuple[bytes, bytes], ...]:
    """What an account's rendered name looks like, and what it becomes: its handle as a JSON
    string and in URLs, its nickname as a JSON string."""
    base = world.user(index)
    enc = msgspec.json.encode
    return (
        (enc(base.unique_id), enc(r.handle)),
        (f"/@{base.unique_id}/".encode(), f"/@{r.handle}/".encode()),
        (enc(base.nickname), enc(r.nickname)),
    )
