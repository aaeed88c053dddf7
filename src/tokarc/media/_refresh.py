"""Fresh URLs for expired ones: the posts behind them fetched again through ``multi_post_info``.

A post's own media is refreshed through the post; an avatar through a stored post of its user,
a sound through a stored post using it. Posts go 100 to a call (the API's limit), each call is
priced from the endpoint table before it is sent and stopped at the unit budget; the refreshed
posts are saved to the store (their new URLs replace the old), the calls are in its ledger.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..api import endpoints as E
from ..api import guesses as G
from ..client import CallEvent, Client
from ..client.pagination import decode_page
from ..models import Post
from ..store import Batch, Store
from ._plan import ENTITY, MANY, Item

ENDPOINT = E.get("multi_post_info")


@dataclass
class Refresher:
    """Finds fresh URLs for expired items, within ``max_units`` (None: no limit)."""

    client: Client
    store: Store
    max_units: int | None = None
    clock: Callable[[], float] = time.time  # stamps fetched_at: the world clock in tests
    units: int = 0
    calls: int = 0
    over_budget: bool = False
    _posts: dict[str, Post] = field(default_factory=dict)

    def fresh_urls(self, items: Iterable[Item]) -> dict[tuple[str, str, int], str]:
        """New URLs for those of ``items`` that can have one (keyed by :attr:`Item.key`)."""
        items = list(items)
        via = {i.key: self._post_of(i) for i in items}
        self._fetch(sorted({p for p in via.values() if p and p not in self._posts}))
        found = {key: _url(self._posts.get(post or ""), key) for key, post in via.items()}
        return {key: url for key, url in found.items() if url}

    def _post_of(self, item: Item) -> str | None:
        if ENTITY[item.kind] == "post":
            return item.record_id
        column = "author_uid" if item.kind == "avatar" else "music_id"
        rows = self.store.db.query(
            f"SELECT aweme_id FROM posts WHERE {column} = ? AND gone_at IS NULL "
            "ORDER BY last_seen_at DESC LIMIT 1",
            (item.record_id,),
        )
        return str(rows[0][0]) if rows else None

    def _fetch(self, ids: list[str]) -> None:
        for start in range(0, len(ids), G.MAX_POST_IDS):
            batch = ids[start : start + G.MAX_POST_IDS]
            cost = ENDPOINT.cost.units({"aweme_ids": batch}, len(batch))
            if self.max_units is not None and self.units + cost > self.max_units:
                self.over_budget = True
                return
            self._call(batch)

    def _call(self, batch: list[str]) -> None:
        def ledger(event: CallEvent) -> None:
            self.units += event.units_charged
            self.calls += 1
            self.store.record_request(event)

        with self.client.scope(listener=ledger):  # this refresh's calls, not another run's
            response = self.client.tiktok.multi_post_info(batch)
        records, bad, _ = decode_page(ENDPOINT, response)
        fetched = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        self.store.save_page(
            Batch(
                endpoint=ENDPOINT.path,
                records=records,
                params=response.params,
                fetched_at=fetched,
                undecodable=bad,
                body=response.content or None,
            )
        )
        self._posts.update({p.aweme_id: p for p in records if isinstance(p, Post)})


def _url(post: Post | None, key: tuple[str, str, int]) -> str | None:
    if post is None:
        return None
    kind, record_id, position = key
    if kind == "video":
        return post.play_url
    if kind == "cover":
        return post.cover_url
    if kind in MANY:
        urls = MANY[kind](post)
        return urls[position] if position < len(urls) else None
    if kind == "avatar":
        return post.author.avatar_url if post.author and post.author.uid == record_id else None
    return post.music.play_url if post.music and post.music.music_id == record_id else None
