"""What the stored records point to: one :class:`Item` per file, and which are still to get.

Kinds and where their URLs are: ``video`` (a video post's ``play_url``), ``images`` (a photo
post's carousel, every image in order: ``position`` 0, 1, ...), ``cover`` (a post's
``cover_url``), ``avatar`` (a user's ``avatar_url``), ``music`` (a sound's ``play_url``),
``subtitles`` (a post's caption tracks, WebVTT, in the order the post lists them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..errors import InvalidInputError
from ..models import Post, decode_json
from ..status import MediaStatus
from ..store import Store
from ..targets import source_of
from ._schema import MIGRATIONS

KINDS = ("video", "images", "cover", "avatar", "music", "subtitles")

#: The entity each kind belongs to (its record id is that entity's id).
ENTITY = {
    "video": "post",
    "images": "post",
    "cover": "post",
    "avatar": "user",
    "music": "music",
    "subtitles": "post",
}

#: Statuses a rerun leaves alone; any other (failed, expired) is tried again.
SETTLED = (MediaStatus.DONE, MediaStatus.TOO_LARGE)

Source = tuple[str, str]


@dataclass(frozen=True)
class Item:
    """One file to get: a record's media of one kind (``position`` in a carousel)."""

    kind: str
    record_id: str
    position: int
    url: str
    retried: bool = False  # tried again with a refreshed URL (never refreshed twice)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.kind, self.record_id, self.position)


def parse_kinds(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"video,images"`` as ``("video", "images")``; all kinds for None or ``"all"``.

    Raises :class:`InvalidInputError` naming an unknown kind.
    """
    if text is None:
        return KINDS
    words = text.split(",") if isinstance(text, str) else list(text)
    kinds = [w.strip().lower() for w in words if w.strip()]
    if kinds == ["all"]:
        return KINDS
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise InvalidInputError(
            f"invalid media kinds {text!r}: choose from {', '.join(KINDS)} (or all)"
        )
    return tuple(dict.fromkeys(kinds))


def parse_source(text: str | None) -> Source | None:
    """``"hashtag:magic"`` as ``("hashtag", "magic")`` (InvalidInputError if malformed)."""
    return None if text is None else source_of(text)


def pending(store: Store, kinds: Iterable[str], source: Source | None = None) -> list[Item]:
    """The items of ``kinds`` not yet settled (never tried, failed or expired), in a stable
    order: kind, then record, then position."""
    store.ensure(MIGRATIONS)
    settled = _settled(store)
    items = (i for kind in kinds for i in _items(store, kind, source))
    return [i for i in items if i.key not in settled]


def _settled(store: Store) -> set[tuple[str, str, int]]:
    marks = ", ".join("?" * len(SETTLED))
    rows = store.db.query(
        f"SELECT kind, record_id, position FROM media WHERE status IN ({marks})", SETTLED
    )
    return {(str(k), str(r), int(p)) for k, r, p in rows}


def _items(store: Store, kind: str, source: Source | None) -> Iterator[Item]:
    sql, params = _query(kind, source)
    reader = store.raw_reader() if kind in MANY else None
    for rows in store.db.stream(sql, params):
        for record_id, value, *log in rows:
            if reader is not None:
                yield from _many(kind, str(record_id), reader.json("post", record_id, value, *log))
            elif value:
                yield Item(kind, str(record_id), 0, str(value))


#: The kinds of which a post has several files, read from its raw JSON: their URLs in order.
MANY: dict[str, Callable[[Post], list[str]]] = {
    "images": lambda post: post.image_urls,
    "subtitles": lambda post: [track.url for track in post.captions],
}


def stored_post(store: Store, aweme_id: str) -> Post | None:
    """A stored post, decoded again from its JSON (its row's, or the page log's)."""
    raw = store.raw("post", aweme_id)
    return None if raw is None else _post(raw)


def _post(raw: bytes) -> Post:
    post = decode_json("post", raw)
    assert isinstance(post, Post)
    return post


def _many(kind: str, aweme_id: str, raw: bytes | None) -> Iterator[Item]:
    if raw is None:
        return
    for position, url in enumerate(MANY[kind](_post(raw))):
        yield Item(kind, aweme_id, position, url)


_BASE = {
    "video": "SELECT aweme_id, play_url FROM posts WHERE play_url IS NOT NULL"
    " AND (is_photo = 0 OR is_photo IS NULL)",
    "images": "SELECT aweme_id, raw, raw_page FROM posts WHERE is_photo = 1",
    "cover": "SELECT aweme_id, cover_url FROM posts WHERE cover_url IS NOT NULL",
    "avatar": "SELECT uid, avatar_url FROM users WHERE avatar_url IS NOT NULL",
    "music": "SELECT music_id, play_url FROM music WHERE play_url IS NOT NULL",
    # The posts with caption tracks (NULL: stored before the count was kept, read their JSON);
    # the tracks themselves are in its JSON (its row's, or the page log's).
    "subtitles": "SELECT aweme_id, raw, raw_page FROM posts"
    " WHERE (is_photo = 0 OR is_photo IS NULL)"
    " AND (caption_tracks IS NULL OR caption_tracks > 0)",
}
_KEY = {
    "video": "aweme_id",
    "images": "aweme_id",
    "cover": "aweme_id",
    "avatar": "uid",
    "music": "music_id",
    "subtitles": "aweme_id",
}
_SEEN = "SELECT entity_id FROM seen_via WHERE entity = ? AND source_kind = ? AND source_target = ?"
# Authors and sounds of the posts a source found belong to it too.
_VIA_POSTS = {"avatar": "author_uid", "music": "music_id"}


def _query(kind: str, source: Source | None) -> tuple[str, tuple[str, ...]]:
    key = _KEY[kind]
    if source is None:
        return f"{_BASE[kind]} ORDER BY {key}", ()
    where = f" AND ({key} IN ({_SEEN})"
    params: tuple[str, ...] = (ENTITY[kind], *source)
    if kind in _VIA_POSTS:
        where += f" OR {key} IN (SELECT {_VIA_POSTS[kind]} FROM posts WHERE aweme_id IN ({_SEEN}))"
        params += ("post", *source)
    return f"{_BASE[kind]}{where}) ORDER BY {key}", params
