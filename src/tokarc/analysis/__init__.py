"""Reading the archive: data frames for notebooks (``tokarc.open``), networks (GEXF, GraphML,
edge lists), full-text search, the words rising in transcripts, accounts' timelines and the
renames and states of a period, and the archive in Datasette (``tokarc browse``).

Heavy libraries (pandas or polars, networkx, Datasette) are imported when first used, not here.
See ``docs/analysis.md`` and ``docs/archive.md``.
"""

from __future__ import annotations

from ._browse import app as datasette_app
from ._compare import Comparison, compare
from ._history import History, accounts_named, history
from ._identities import IdentityChanges, Listed, Rename, StateChange, identity_changes
from ._network import GRAPHS, Network, network
from ._network import build as build_network
from ._network import write as write_network
from ._open import Archive, Frames, open_archive
from ._overperforming import METRICS, MIN_BASELINE, Rate, Score, overperforming, rising
from ._search import SEARCH_SCOPES, Match, fts5_query, search
from ._search import count as count_matches
from ._words import MIN_LETTERS, rising_words, words_of

__all__ = [
    "GRAPHS",
    "METRICS",
    "MIN_BASELINE",
    "MIN_LETTERS",
    "SEARCH_SCOPES",
    "Archive",
    "Comparison",
    "Frames",
    "History",
    "IdentityChanges",
    "Listed",
    "Match",
    "Network",
    "Rate",
    "Rename",
    "Score",
    "StateChange",
    "accounts_named",
    "build_network",
    "compare",
    "count_matches",
    "datasette_app",
    "fts5_query",
    "history",
    "identity_changes",
    "network",
    "open_archive",
    "overperforming",
    "rising",
    "rising_words",
    "search",
    "words_of",
    "write_network",
]
