"""``tokarc browse``: the archive in Datasette, described by the data dictionary.

Datasette serves the SQLite file read-only; its metadata gives every table, view and column
its description from :mod:`._dictionary`, and canned queries answer the common questions.
Datasette is an optional extra (``pip install 'tokarc[browse]'``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from .._files import unwritable
from .._version import __version__
from ..dataset import RESOURCES

__all__ = ["CANNED_QUERIES", "app", "metadata"]

#: Queries for the common questions, shown on the database's page.
CANNED_QUERIES: dict[str, dict[str, str]] = {
    "most_played_posts": {
        "title": "Most played posts",
        "sql": "SELECT aweme_id, created_at, author_handle, description, play_count, "
        "digg_count, comment_count, share_count FROM post_view "
        "ORDER BY play_count DESC LIMIT 100",
    },
    "posts_per_day": {
        "title": "Posts per day, per source",
        "sql": "SELECT day, source_kind, source_target, posts FROM daily_posts "
        "ORDER BY day, source_kind, source_target",
    },
    "top_hashtags": {
        "title": "Hashtags by posts",
        "sql": "SELECT name, COUNT(*) AS posts FROM post_hashtags GROUP BY name "
        "ORDER BY posts DESC, name LIMIT 100",
    },
    "hashtag_co_occurrence": {
        "title": "Hashtags used together",
        "sql": "SELECT hashtag_a, hashtag_b, posts FROM hashtag_pairs "
        "ORDER BY posts DESC, hashtag_a, hashtag_b LIMIT 100",
    },
    "top_authors": {
        "title": "Authors by posts",
        "sql": "SELECT author_handle, COUNT(*) AS posts, SUM(play_count) AS plays "
        "FROM post_view GROUP BY author_uid, author_handle ORDER BY posts DESC LIMIT 100",
    },
    "search_captions": {
        "title": "Search captions (FTS5 syntax)",
        "sql": "SELECT v.aweme_id, v.created_at, v.author_handle, v.description, v.play_count "
        "FROM posts_fts JOIN posts p ON p.rowid = posts_fts.rowid "
        "JOIN post_view v ON v.aweme_id = p.aweme_id WHERE posts_fts MATCH :q "
        "ORDER BY bm25(posts_fts) LIMIT 100",
    },
    "units_by_endpoint": {
        "title": "Units spent per endpoint",
        "sql": "SELECT endpoint, COUNT(*) AS calls, SUM(units) AS units FROM requests "
        "GROUP BY endpoint ORDER BY units DESC",
    },
}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for the archive database named ``database``."""
    tables = {
        r.name: {
            "description": r.description,
            "columns": {f.name: f"{f.description} ({f.type})" for f in r.fields},
        }
        for r in RESOURCES.values()
        if r.name not in {"observations"}  # an export's union, not a table
    }
    return {
        "title": "tokarc archive",
        "description": "TikTok data collected with tokarc; see docs/data-dictionary.md.",
        "source": f"tokarc {__version__} (EnsembleData TikTok API)",
        "databases": {database: {"tables": tables, "queries": CANNED_QUERIES}},
    }


def _plugin() -> None:
    """Register tokarc's plugin (``tokarc_raw()``, see ``_datasette``) with Datasette, once."""
    plugins = importlib.import_module("datasette.plugins")
    module = importlib.import_module(f"{__package__}._datasette")
    if not plugins.pm.is_registered(module):
        plugins.pm.register(module, name="tokarc")


def app(path: str | Path) -> Any:
    """The Datasette ASGI app serving the SQLite archive at ``path`` with its metadata
    (read-only, as an immutable file where it cannot be written).

    ``ImportError`` when Datasette is not installed.
    """
    try:
        datasette = importlib.import_module("datasette.app")
    except ImportError as exc:
        raise ImportError("tokarc browse needs Datasette: pip install 'tokarc[browse]'") from exc
    _plugin()
    file = Path(path)
    # Datasette reads a mutable file with mode=ro, which needs a -shm file beside a WAL
    # database: where none can be made (a read-only folder or mount), it reads it immutable.
    fixed = unwritable(file, beside=("-wal", "-shm")) is not None
    ds = datasette.Datasette(
        [] if fixed else [str(file)],
        immutables=[str(file)] if fixed else [],
        metadata=metadata(file.stem),
        settings={"default_page_size": 50, "sql_time_limit_ms": 5000},
    )
    return ds.app()
