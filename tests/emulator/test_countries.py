"""The emulator's keyword results by country: a documented share of the posts in each, the same
on every call, and more overlap within a region than across."""

from __future__ import annotations

import itertools

import pytest

import tokarc
from tokarc.emulator import Emulator
from tokarc.emulator._countries import OWN_SHARE, REGION_SHARE

BASE = "http://emulator.test/apis"


def shown(emulator: Emulator, country: str | None, n: int | None = None) -> list[str]:
    params = {"period": "0", **({"country": country} if country else {})}
    with tokarc.Client("t", base_url=BASE, transport=emulator.transport()) as client:
        return [p.aweme_id for p in client.tiktok.iter_keyword_posts("magic", max_items=n,
                                                                      **params)]  # fmt: skip


@pytest.mark.slow
def test_a_country_shows_its_share_the_same_every_time(emulator: Emulator) -> None:
    everything, us = shown(emulator, None), shown(emulator, "US")
    assert us == shown(emulator, "us")  # the same on every call
    mine = set(us)
    assert us == [i for i in everything if i in mine]  # a share of them, in the same order
    expected = 1 - (1 - REGION_SHARE) * (1 - OWN_SHARE)  # 0.5875
    assert len(us) / len(everything) == pytest.approx(expected, abs=0.04)


@pytest.mark.slow
def test_countries_of_a_region_overlap_more(emulator: Emulator) -> None:
    sets = {c: set(shown(emulator, c)) for c in ("US", "BR", "DE", "FR", "JP")}

    def jaccard(a: str, b: str) -> float:
        return len(sets[a] & sets[b]) / len(sets[a] | sets[b])

    same = [jaccard("US", "BR"), jaccard("DE", "FR")]
    across = [jaccard(a, b) for a, b in itertools.product(("US", "BR"), ("DE", "FR", "JP"))]
    assert min(same) == pytest.approx(0.70, abs=0.08)
    assert max(across) == pytest.approx(0.42, abs=0.08)
    assert min(same) > max(across)


def test_a_country_the_api_does_not_know_is_466(emulator: Emulator) -> None:
    with tokarc.EDClient("t", base_url=BASE, transport=emulator.transport()) as client:
        with pytest.raises(tokarc.EDError) as refused:
            client.tiktok.keyword_search(keyword="magic", period="0", country="XX")
    assert refused.value.status_code == 466
