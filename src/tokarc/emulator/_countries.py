"""Keyword results by country: the same search shows different posts in different countries.

Without a ``country`` a keyword search shows every post its hashtag holds (within the search's
reach). With one, it shows a documented share of them, chosen per post by a keyed hash, so it
is the same on every call and every page:

- a post is shown in a country when it is shown in the country's region (a draw under
  :data:`REGION_SHARE`), or in the country itself (a draw of its own under
  :data:`OWN_SHARE`): about ``1 - (1 - 0.45) * (1 - 0.25) = 59 %`` of the posts;
- two countries of one region (``DE`` and ``FR``) share the region's draw: their overlap
  (Jaccard) is about 0.70; two of different regions (``US`` and ``DE``), about 0.42.

A country outside :data:`REGIONS` is a region of its own (its overlap with any other: ~0.42).
"""

from __future__ import annotations

import functools

from ._rand import h32

REGION_SHARE, OWN_SHARE = 0.45, 0.25
_SCALE = 2**32

#: Countries grouped by region (their posts overlap more within one).
REGIONS: dict[str, str] = {
    **dict.fromkeys(("US", "CA", "MX", "BR", "AR", "CO", "CL"), "americas"),
    **dict.fromkeys(("GB", "IE", "DE", "FR", "ES", "IT", "NL", "BE", "PL", "SE", "PT"), "europe"),
    **dict.fromkeys(("JP", "KR", "TW", "ID", "PH", "VN", "TH", "MY", "IN"), "asia"),
    **dict.fromkeys(("SA", "AE", "EG", "TR"), "mena"),
}


def shown(seed: int, tag: str, seq: int, country: str) -> bool:
    """Whether the post ``seq`` of hashtag ``tag`` is among a keyword's results in
    ``country``."""
    region = REGIONS.get(country, country)
    if h32(seed, "region", region, tag, seq) < REGION_SHARE * _SCALE:
        return True
    return h32(seed, "country", country, tag, seq) < OWN_SHARE * _SCALE


@functools.lru_cache(maxsize=64)
def positions(seed: int, tag: str, top: int, reach: int, country: str) -> tuple[int, ...]:
    """The positions (0: the newest) among the first ``reach`` posts of ``tag``, whose newest
    post is ``top``, that a search in ``country`` shows."""
    return tuple(i for i in range(reach) if shown(seed, tag, top - i, country))
