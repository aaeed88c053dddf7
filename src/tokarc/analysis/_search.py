"""Full-text search over captions, comments, user bios and transcripts, ranked, on both backends.

One query language for both: words must all match (``magic trick``), ``"a phrase"`` matches
words in a row, ``OR`` between two terms takes either, ``-word`` leaves out what has it. On
PostgreSQL that is ``websearch_to_tsquery``; on SQLite it is translated to FTS5 syntax, so no
input is ever an FTS5 syntax error.

A transcript hit (``--in transcripts``: the ``transcripts`` table the media archive fills from
subtitles) shows the cue the words are in, its time, and the post's URL at that time (``?t=``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InvalidInputError
from ..models import cues_of
from ..store import PG_CONFIG, SEARCHABLE, Backend, iso

__all__ = ["SEARCH_SCOPES", "Match", "count", "fts5_query", "search"]

TRANSCRIPTS = "transcripts"
#: What is searchable: the archive's tables, and the transcripts (a table of the media archive).
SCOPES = {**SEARCHABLE, TRANSCRIPTS: ("text", "aweme_id")}
SEARCH_SCOPES = tuple(SCOPES)


@dataclass(frozen=True)
class Match:
    """One search hit: what (``scope``: posts, comments, users), its id, when it was created
    (ISO UTC), its author's handle, the sources that found it, its text, and its rank (1 =
    best)."""

    scope: str
    id: str
    created_at: str | None
    author: str | None
    sources: str | None
    text: str | None
    rank: int
    at_ms: int | None = None  # transcripts: where in the video the matching cue starts
    url: str | None = None  # transcripts: the post's URL at that time (``?t=`` seconds)


# Per scope: the table alias's columns for the author's handle and the seen_via entity.
_AUTHOR = {
    "posts": "COALESCE(u.unique_id, t.author_unique_id)",
    "comments": "u.unique_id",
    "users": "t.unique_id",
    TRANSCRIPTS: "COALESCE(u.unique_id, p.author_unique_id)",
}
_AUTHOR_JOIN = {
    "posts": "LEFT JOIN users u ON u.uid = t.author_uid",
    "comments": "LEFT JOIN users u ON u.uid = t.author_uid",
    "users": "",
    TRANSCRIPTS: "LEFT JOIN posts p ON p.aweme_id = t.aweme_id "
    "LEFT JOIN users u ON u.uid = p.author_uid",
}
_ENTITY = {"posts": "post", "comments": "comment", "users": "user", TRANSCRIPTS: "post"}
_CREATED = {TRANSCRIPTS: "p.create_time"}  # the others: their own create_time

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def fts5_query(query: str) -> str:
    """``query`` (see the module docstring) as an FTS5 MATCH expression; every term quoted."""
    parts: list[str] = []
    for phrase, word in _TOKEN.findall(query.replace("\x00", " ")):
        if word == "OR" and parts and parts[-1] != "OR":
            parts.append("OR")
        elif word.startswith("-") and len(word) > 1 and parts and parts[-1] != "OR":
            parts.append(f"NOT {_quoted(word[1:])}")
        elif phrase.strip() or (word and word.strip("-")):
            parts.append(_quoted(phrase or word))
    while parts and parts[-1] == "OR":
        parts.pop()
    if not parts:
        raise InvalidInputError(f"invalid search {query!r}: give at least one word")
    return " ".join(parts)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def search(db: Backend, query: str, scope: str = "posts", limit: int = 20) -> list[Match]:
    """The best ``limit`` matches of ``query`` in ``scope`` (posts, comments or users).

    ``InvalidInputError`` for an unknown scope, an empty query or a limit below 1.
    """
    if limit < 1:
        raise InvalidInputError(f"invalid limit {limit!r}: a whole number of 1 or more")
    matching, params, (order, by) = _matching(db, query, scope)
    select = _select(iso(db.dialect, _CREATED.get(scope, "t.create_time")), scope)
    sql = f"{select} {matching} ORDER BY {order}, 1 LIMIT ?"
    rows = db.query(sql, (*params, *by, limit))
    found = [Match(scope, str(r[0]), r[1], r[2], r[3], r[4], i) for i, r in enumerate(rows, 1)]
    if scope != TRANSCRIPTS:
        return found
    return [_at_cue(m, r[5], query) for m, r in zip(found, rows, strict=True)]


def count(db: Backend, query: str, scope: str = "posts") -> int:
    """How many records of ``scope`` match ``query`` in all (what ``search`` ranks and cuts
    at its limit). ``InvalidInputError`` as for :func:`search`."""
    matching, params, _ = _matching(db, query, scope)
    return int(db.query(f"SELECT COUNT(*) FROM {scope} t {matching}", params)[0][0])


def _matching(
    db: Backend, query: str, scope: str
) -> tuple[str, tuple[Any, ...], tuple[str, tuple[Any, ...]]]:
    """The ``JOIN ... WHERE`` that keeps the matches of ``query`` in ``scope`` (the table is
    ``t``), its parameters, and the ranking to order them by (best first) with its own."""
    if scope not in SCOPES:
        raise InvalidInputError(f"invalid scope {scope!r}: one of {', '.join(SEARCH_SCOPES)}")
    if scope not in SEARCHABLE and not int(db.query(db.dialect.has_table, (scope,))[0][0]):
        raise InvalidInputError(
            f"no {scope} in this database: get them with tokarc media --kinds subtitles"
        )
    query = query.replace("\x00", " ")  # no database takes a NUL in text
    match = fts5_query(query)  # on both backends: the same queries are refused
    if db.dialect.name == "sqlite":
        fts = f"{scope}_fts"
        where = f"JOIN {fts} ON {fts}.rowid = t.rowid WHERE {fts} MATCH ?"
        return where, (match,), (f"bm25({fts})", ())
    q = f"websearch_to_tsquery('{PG_CONFIG}', ?)"
    return f"WHERE t.search @@ {q}", (query,), (f"ts_rank(t.search, {q}) DESC", (query,))


def _select(db_iso: str, scope: str) -> str:
    column, key = SCOPES[scope]
    sources = (
        "(SELECT MIN(v.source_kind || ':' || v.source_target) FROM seen_via v "
        f"WHERE v.entity = '{_ENTITY[scope]}' AND v.entity_id = t.{key})"
    )
    extra = ", t.cues" if scope == TRANSCRIPTS else ""
    return (
        f"SELECT t.{key}, {db_iso}, {_AUTHOR[scope]}, {sources}, t.{column}{extra}"
        f" FROM {scope} t {_AUTHOR_JOIN[scope]}"
    )


def _at_cue(match: Match, cues: str, query: str) -> Match:
    """``match`` (a transcript) narrowed to the first cue holding one of the query's terms."""
    terms = [_folded(t) for t in _terms(query)]
    found = [c for c in cues_of(cues) if any(t in _folded(c.text) for t in terms)]
    cue = found[0] if found else None
    if cue is None:
        return match
    url = f"https://www.tiktok.com/@{match.author or '_'}/video/{match.id}?t={cue.start_ms // 1000}"
    return replace(match, text=cue.text, at_ms=cue.start_ms, url=url)


def _terms(query: str) -> list[str]:
    """The words and phrases ``query`` asks for (not those it leaves out)."""
    found = [p or w for p, w in _TOKEN.findall(query)]
    return [t for t in found if t and t != "OR" and not t.startswith("-")]


def _folded(text: str) -> str:
    """``text`` as the indexes compare it: case-folded, without diacritics."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
