"""What a job would cost, from the documented page sizes, caps and unit costs; sends nothing.

The same figures bound a running job: :func:`worst_case` is what the next call may cost at
most, and the collector sends no call whose worst case exceeds what is left of ``max_units``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..api import endpoints as E
from ..api import guesses as G
from ._spec import BOUND_PARAM, JobSpec

# The most a cursor endpoint hands out, where the API documents a cap.
_CAPS = {
    "hashtag_search": G.HASHTAG_CAP_RANGE[1],
    "user_followers": G.FOLLOWERS_CAP,
}

#: Server-side searches: the endpoint the server pages internally, and the most posts it
#: walks through ([C] ~250 internal calls, ~5,000 posts for hashtags; [I] the same for keywords).
_INTERNAL: dict[str, tuple[str, int]] = {
    "full_hashtag_search": ("hashtag_search", G.HASHTAG_CAP_RANGE[1]),
    "full_keyword_search": ("keyword_search", G.FULL_KEYWORD_MAX_PAGES * 20),
}

# Page sizes that no source documents ([I] in guesses): an estimate over them is a guess.
_GUESSED_PAGES = {"music_search", "music_posts", "user_liked_posts", "user_search", "lives_search"}


@dataclass(frozen=True)
class Estimate:
    """Calls and units a job would take at most; ``None`` where nothing bounds it (say
    ``max_items``). ``guess`` is True when the bound rests on inferred facts (a server-side
    search's internal pages and discount, an undocumented page size); ``note`` says which.
    ``params``: the parameters the note names (``max_items``), for a caller to name its way
    (the CLI's ``--max-items``)."""

    calls: int | None
    units: int | None
    note: str
    guess: bool = False
    params: tuple[str, ...] = ()


def server_side(api: E.Endpoint) -> bool:
    """Whether ``api`` pages on the server in one call (the full searches)."""
    return api.name in _INTERNAL


def internal_items(api: E.Endpoint, params: Mapping[str, Any]) -> int:
    """The most posts a server-side search walks: its cap, or ``max_cursor`` below it."""
    cap = _INTERNAL[api.name][1]
    bound = params.get(BOUND_PARAM)
    return min(cap, int(bound)) if bound else cap


def internal_pages(api: E.Endpoint, params: Mapping[str, Any]) -> int:
    """The most internal pages a server-side search walks."""
    page = E.get(_INTERNAL[api.name][0]).page_size or 20
    return max(1, math.ceil(internal_items(api, params) / page))


def worst_case(api: E.Endpoint, params: Mapping[str, Any]) -> int:
    """The most units one call of ``api`` with (python-named) ``params`` may be charged."""
    if server_side(api):
        return api.cost.units(params, 0, internal_pages(api, params))
    return api.cost.units(params, api.page_size or 0)


def estimate(spec: JobSpec) -> Estimate:
    """An upper bound on what running ``spec`` from the start would cost."""
    spec.check()
    kind = spec.job_kind
    api = kind.api
    per_call = worst_case(api, spec.call_params())
    if server_side(api):
        return _server_side(spec, per_call)
    if kind.strategy == "single":
        return Estimate(1, per_call, f"one {kind.endpoint} call")
    if kind.strategy == "posts":
        calls = math.ceil(len(spec.ids) / G.MAX_POST_IDS)
        return Estimate(calls, calls * per_call, f"{len(spec.ids)} posts, 100 per call")
    return _paged(spec, per_call)


def _server_side(spec: JobSpec, units: int) -> Estimate:
    api = spec.job_kind.api
    params = spec.call_params()
    items, pages = internal_items(api, params), internal_pages(api, params)
    window = f"posts of the last {params['days']} days, " if params.get("days") else ""
    note = (
        f"one server-side call: {window}at most {items:,} posts in {pages} internal pages, "
        f"charged about 1/{G.FULL_SEARCH_DISCOUNT} unit a page; a guess: the server's "
        "cap and discount are inferred"
    )
    return Estimate(1, _within(spec, units), note, guess=True)


def _paged(spec: JobSpec, per_call: int) -> Estimate:
    kind = spec.job_kind
    api = kind.api
    depth = int(spec.params.get("depth") or 1)
    page = (api.page_size or 1) * (depth if api.cost.per_param == "depth" else 1)
    bound = min(filter(None, (spec.max_items, _CAPS.get(api.name))), default=None)
    extra = 1 if kind.strategy == "follows" else 0  # resolving the username
    if bound is None:
        note = f"unbounded: give max_items (pages of ~{page})"
        return Estimate(None, None, note, params=("max_items",))
    calls = math.ceil(bound / page)
    units = calls * per_call + extra
    note = f"up to {bound} items in pages of ~{page}"
    guess = api.name in _GUESSED_PAGES
    if guess:
        note += "; a guess: the page size is inferred"
    if kind.strategy == "comments" and spec.replies:
        note += ", plus replies (not counted)"
    return Estimate(calls + extra, _within(spec, units), note, guess)


def _within(spec: JobSpec, units: int) -> int:
    """A run never spends more than its ``max_units`` (the collector sends no call that might)."""
    return units if spec.max_units is None else min(units, spec.max_units)
