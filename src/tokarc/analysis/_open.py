"""``tokarc.open``: an archive as data frames, for notebooks.

Example::

    import tokarc

    with tokarc.open("magic.db") as archive:           # or a postgresql:// URL
        posts = archive.posts(source="hashtag:magic")  # a pandas DataFrame, typed
        growth = archive.stats()                       # every observation of the counts
        top = archive.sql("SELECT author_handle, COUNT(*) AS n FROM post_view GROUP BY 1")
"""

from __future__ import annotations

import importlib
import json
import os
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from .._closing import Closing
from ..dataset import Source
from ..dataset.export import to_arrow
from ..errors import InvalidInputError
from ..store import Store, open_reader
from ..targets import source_of
from ._history import History, history

__all__ = ["Archive", "open_archive"]

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]  # no stubs here; IDEs read pandas itself
    import polars

Frames = Literal["pandas", "polars"]
#: What the archive's methods return: a pandas frame, or a polars one with ``frames="polars"``.
DataFrame: TypeAlias = "pandas.DataFrame | polars.DataFrame"


class Archive(Closing):
    """A store read as data frames: ``.posts()``, ``.users()``, ``.comments()``, ``.stats()``,
    ``.transcripts()``, ``.names()``, ``.events()``, ``.table(name)`` and ``.sql(query)``;
    ``.raw(id)`` is a record's JSON as received, and ``.history(account)`` an account's
    timeline. Columns and dtypes are the
    exports' (see ``docs/data-dictionary.md``): nullable integers, booleans, UTC timestamps,
    and ``created_at`` beside each Unix ``create_time``. Needs pyarrow and pandas or polars."""

    def __init__(self, store: Store, frames: Frames = "pandas") -> None:
        _check(frames)
        self.store = store
        self.frames: Frames = frames

    def __repr__(self) -> str:
        return f"Archive(backend={self.store.backend!r}, frames={self.frames!r})"

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def posts(self, source: str | Source | None = None) -> DataFrame:
        """The posts (or those ``source``, ``"hashtag:magic"``, found), one row each."""
        return self.table("posts", source)

    def users(self, source: str | Source | None = None) -> DataFrame:
        """The accounts, one row each."""
        return self.table("users", source)

    def comments(self, source: str | Source | None = None) -> DataFrame:
        """The comments and replies, one row each."""
        return self.table("comments", source)

    def stats(self) -> DataFrame:
        """Every observation of a post's or a user's counts (``observations``): growth."""
        return self.table("observations")

    def history(self, account: str) -> History | None:
        """The timeline of an account (a handle it ever had, its uid or secUid): its handles
        and nicknames, follower counts and states over time, and its posts' states
        (``tokarc.analysis.history``)."""
        return history(self.store, account)

    def names(self) -> DataFrame:
        """Every (handle, nickname) each account was seen with, first and last, each account's
        oldest first (``account_names``): its names over time, one row each."""
        return self.table("account_names")

    def events(self, of: Literal["accounts", "posts"] = "accounts") -> DataFrame:
        """The dated states of accounts (``account_events``: found, private, restricted,
        unavailable, not_found, back) or, with ``of="posts"``, of posts (``post_events``:
        gone, restricted, back), oldest first."""
        if of not in _EVENTS:
            raise InvalidInputError(f"invalid events of {of!r}: accounts or posts")
        return self.table(_EVENTS[of])

    def transcripts(self) -> DataFrame:
        """What is said in the posts: one row per caption track (``tokarc media --kinds
        subtitles``), with its post's author and time, its cues (JSON: read them with
        :func:`tokarc.models.cues_of`) and its text. Empty where no subtitles were fetched."""
        return self.table("transcripts")

    def table(self, entity: str, source: str | Source | None = None) -> DataFrame:
        """Any exported entity (see ``tokarc.dataset.export.COLUMNS``) as a data frame."""
        return self._frame(to_arrow(self.store, entity, _source(source)))

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> DataFrame:
        """The result of a read-only query (views too: ``post_view``, ``daily_posts``, ...)."""
        from ..store import run_sql

        pa = importlib.import_module("pyarrow")

        with run_sql(self.store.url, query, params) as result:
            rows = list(result.rows)
        columns = {c: [r[i] for r in rows] for i, c in enumerate(result.columns)}
        return self._frame(pa.table(columns) if columns else pa.table({}))

    def raw(self, key: str | None = None, entity: str = "post", *, page: int | None = None) -> Any:
        """The JSON as it was received, parsed: a record's (``archive.raw("7301...")``, or
        ``entity="user"``, ``"music"``, ``"comment"``, ``"live"``), or with ``page=N`` a page's
        whole response, from the page log. None when there is none."""
        if (key is None) == (page is None):
            raise InvalidInputError("give a record's id or page=, not both")
        found = self.store.page_body(page) if page is not None else None
        if key is not None:
            found = self.store.raw(entity, key)
        return None if found is None else json.loads(found)

    def _frame(self, table: Any) -> DataFrame:
        if self.frames == "polars":
            frame: DataFrame = importlib.import_module("polars").from_arrow(table)
        else:
            pd, pa = importlib.import_module("pandas"), importlib.import_module("pyarrow")
            nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
            frame = table.to_pandas(types_mapper=nullable.get)
        return frame


_EVENTS = {"accounts": "account_events", "posts": "post_events"}


def _source(source: str | Source | None) -> Source | None:
    if source is None or isinstance(source, tuple):
        return source
    return source_of(source, what="source")


def open_archive(target: str | os.PathLike[str], *, frames: Frames = "pandas") -> Archive:
    """Open the store at ``target`` (a SQLite path or a ``postgresql://`` URL) as an
    :class:`Archive` whose methods return ``frames`` (pandas or polars) data frames. It is
    opened read-only (see :func:`tokarc.store.open_reader`): an archive on a read-only file or
    file system reads as any other."""
    _check(frames)
    return Archive(open_reader(target), frames)


def _check(frames: str) -> None:
    if frames not in ("pandas", "polars"):
        raise InvalidInputError(f"invalid frames {frames!r}: pandas or polars")
