"""``--format 4cat``: the CSV 4CAT imports (its "Custom dataset" upload).

4CAT wants ``id``, ``thread_id``, ``author``, ``body`` and ``timestamp`` (``YYYY-MM-DD
HH:MM:SS``, UTC); the rest of the columns are kept as extra fields. Posts are their own thread;
a comment's thread is its post, and so is a transcript's (one item per caption track: its
text the body, its author and time the post's, its cues with their times an extra field).
Pseudonymisation applies as for every export.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import InvalidInputError
from ..store import Store
from ._derived import iso
from ._exports import Run, Source
from ._outputs import refuse_store_file, text_out
from ._pseudonym import Pseudonymizer
from ._rows import chunks, spec_of

__all__ = ["FOURCAT_COLUMNS", "to_4cat"]

#: entity -> (4CAT column, the export column it comes from, or a function of the row).
Mapping = dict[str, str | Callable[[dict[str, Any]], Any]]

_POSTS: Mapping = {
    "id": "aweme_id",
    "thread_id": "aweme_id",
    "author": "author_unique_id",
    "author_id": "author_uid",
    "body": "description",
    "timestamp": lambda r: _stamp(r["create_time"]),
    "unix_timestamp": "create_time",
    "hashtags": "hashtags",
    "mentions": "mentions",
    "plays": "play_count",
    "likes": "digg_count",
    "comments": "comment_count",
    "shares": "share_count",
    "music_id": "music_id",
    "region": "region",
}
_COMMENTS: Mapping = {
    "id": "cid",
    "thread_id": "aweme_id",
    "author": "author_uid",
    "author_id": "author_uid",
    "body": "text",
    "timestamp": lambda r: _stamp(r["create_time"]),
    "unix_timestamp": "create_time",
    "parent_id": lambda r: r["parent_cid"] or r["aweme_id"],
    "likes": "digg_count",
    "replies": "reply_count",
    "language": "language",
}
_TRANSCRIPTS: Mapping = {
    "id": lambda r: f"{r['aweme_id']}-{r['language']}-{r['source']}",
    "thread_id": "aweme_id",
    "author": "author_unique_id",
    "author_id": "author_uid",
    "body": "text",
    "timestamp": lambda r: _stamp(r["create_time"]),
    "unix_timestamp": "create_time",
    "language": "language",
    "source": "source",
    "cue_count": "cue_count",
    "cues": "cues",
}
_MAPS = {"posts": _POSTS, "comments": _COMMENTS, "transcripts": _TRANSCRIPTS}
_ENTITIES = "posts, comments or transcripts"

#: The columns of each entity's 4CAT CSV.
FOURCAT_COLUMNS = {entity: tuple(m) for entity, m in _MAPS.items()}


def _stamp(unix: Any) -> str | None:
    text = iso(unix)
    return None if text is None else text.replace("T", " ").removesuffix("Z")


def to_4cat(
    store: Store,
    entity: str,
    out: Any,
    *,
    chunk_size: int = 1000,
    source: Source | None = None,
    run: Run | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> int:
    """Write ``entity`` (posts, comments or transcripts) as 4CAT's CSV; return the rows written.
    ``InvalidInputError`` (a ``ValueError``) for another entity."""
    if entity not in _MAPS:
        raise InvalidInputError(f"invalid entity {entity!r} for --format 4cat: {_ENTITIES}")
    spec = spec_of(entity, pseudonymize)
    refuse_store_file(store, out)
    mapping = _MAPS[entity]
    n = 0
    with text_out(out, newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(mapping)
        for rows in chunks(store, spec, chunk_size, source, run, pseudonymize):
            writer.writerows(_converted(rows, spec.names, mapping))
            n += len(rows)
    return n


def _converted(rows: list[Any], names: tuple[str, ...], mapping: Mapping) -> Iterator[list[Any]]:
    for row in rows:
        record = dict(zip(names, row, strict=True))
        yield [how(record) if callable(how) else record[how] for how in mapping.values()]
