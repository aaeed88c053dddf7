"""The same search in many countries, compared: what each country showed, what only it showed,
how much each pair overlaps (Jaccard), and each country's top posts.

A country's posts are those its jobs collected (``page_items`` of the jobs of that source whose
``country`` parameter names it; ``any`` for the jobs made without one), so a rerun adds to its
country, and a search made in one country never counts for another.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..store import Store

ANY = "any"  # the country of a search made without one
TOP = 5


@dataclass(frozen=True)
class Country:
    """What a search showed in one country."""

    country: str
    jobs: tuple[int, ...]
    posts: frozenset[str]
    only: frozenset[str]  # shown in no other country compared
    top: tuple[dict[str, Any], ...] = ()  # the most played: id, author, plays, url


@dataclass(frozen=True)
class Comparison:
    """Countries in code order, and the Jaccard overlap of each pair (``("DE", "US")``)."""

    kind: str
    target: str
    countries: tuple[Country, ...]
    overlap: dict[tuple[str, str], float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": f"{self.kind}:{self.target}",
            "countries": [_country_json(c) for c in self.countries],
            "overlap": [{"pair": list(p), "jaccard": j} for p, j in self.overlap.items()],
        }


def _country_json(c: Country) -> dict[str, Any]:
    return {
        "country": c.country,
        "jobs": list(c.jobs),
        "posts": len(c.posts),
        "only_here": sorted(c.only),
        "top": list(c.top),
    }


def compare(store: Store, job_kinds: Sequence[str], target: str, *, top: int = TOP) -> Comparison:
    """The searches of ``target`` by jobs of ``job_kinds`` (``keyword``, ``full_keyword``),
    country by country."""
    jobs: dict[str, list[int]] = {}
    for kind in job_kinds:
        for job in store.list_jobs(kind=kind, target=target):
            country = (job.options.get("params") or {}).get("country") or ANY
            jobs.setdefault(str(country).upper() if country != ANY else ANY, []).append(job.id)
    posts = {c: _posts(store, ids) for c, ids in jobs.items()}
    countries = []
    for code in sorted(posts):
        others = set().union(*(p for c, p in posts.items() if c != code))
        mine = posts[code]
        countries.append(Country(code, tuple(jobs[code]), mine, frozenset(mine - others),
                                 _top(store, mine, top)))  # fmt: skip
    overlap = {
        (a, b): _jaccard(posts[a], posts[b]) for a, b in itertools.combinations(sorted(posts), 2)
    }
    kind = job_kinds[0] if job_kinds else ""
    return Comparison(kind, target, tuple(countries), overlap)


def _posts(store: Store, job_ids: Sequence[int]) -> frozenset[str]:
    marks = ", ".join("?" * len(job_ids))  # a source's jobs: a few, one per country
    rows = store.db.query(
        f"SELECT DISTINCT entity_id FROM page_items WHERE entity = 'post' AND job_id IN ({marks})",
        tuple(job_ids),
    )
    return frozenset(str(r[0]) for r in rows)


def _top(store: Store, ids: frozenset[str], n: int) -> tuple[dict[str, Any], ...]:
    if not ids or n < 1:
        return ()
    d = store.db.dialect
    rows = store.db.query(
        f"SELECT aweme_id, author_unique_id, play_count, share_url FROM posts WHERE "
        f"{d.in_ids('aweme_id')} ORDER BY COALESCE(play_count, -1) DESC, aweme_id LIMIT {int(n)}",
        (d.ids(sorted(ids)),),
    )
    keys = ("id", "author", "plays", "url")
    return tuple(dict(zip(keys, r, strict=True)) for r in rows)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return round(len(a & b) / union, 3) if union else 0.0
