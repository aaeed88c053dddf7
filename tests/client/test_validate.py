"""Local validation: bad input is refused with one readable line, before any request."""

from __future__ import annotations

import datetime as dt

import pytest

from tokarc.api import endpoints as E
from tokarc.client import _validate as V
from tokarc.errors import InvalidInputError


@pytest.mark.parametrize(
    ("given", "sent"),
    [("magic", "magic"), ("#magic", "magic"), ("  fyp ", "fyp"), ("café_2024", "café_2024")],
)
def test_hashtag_normalized(given: str, sent: str) -> None:
    assert V.check_hashtag(given) == sent


@pytest.mark.parametrize("bad", ["", "#", "two words", "a#b", "x" * 101, "emoji🎉", None, 5])
def test_hashtag_rejected(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="invalid hashtag") as info:
        V.check_hashtag(bad)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("zachking", "zachking"),
        ("@zachking", "zachking"),
        ("https://www.tiktok.com/@zach.king_1?lang=en", "zach.king_1"),
    ],
)
def test_username_normalized(given: str, sent: str) -> None:
    assert V.check_username(given) == sent


@pytest.mark.parametrize("bad", ["", "@", "zach king", "x" * 25, "ends.", "ümlaut", "a/b"])
def test_username_rejected(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="invalid username"):
        V.check_username(bad)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tiktok.com/@daviddobrik/video/7165010000000000000",
        "https://www.tiktok.com/@user.name/photo/7301234567890123456?is_from_webapp=1",
        "www.tiktok.com/@someone/video/123",
        "https://vm.tiktok.com/ZMabcdef/",
    ],
)
def test_post_url_accepted(url: str) -> None:
    assert V.check_post_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "https://www.youtube.com/watch?v=abc",
        "https://www.tiktok.com/@someone",
        "https://www.tiktok.com/@someone/video/abc",
        "ftp://www.tiktok.com/@someone/video/123",
    ],
)
def test_post_url_rejected(url: str) -> None:
    with pytest.raises(InvalidInputError, match="invalid post URL"):
        V.check_post_url(url)


def test_ids_drop_malformed_and_cap() -> None:
    assert V.check_aweme_ids(["1", 2, "x3", "4"]) == ["1", "2", "4"]
    assert V.check_aweme_ids("5;6") == ["5", "6"]
    with pytest.raises(InvalidInputError, match="at least one"):
        V.check_aweme_ids(["nope"])
    with pytest.raises(InvalidInputError, match=r"too many post ids \(101\)"):
        V.check_aweme_ids([str(i) for i in range(101)])


@pytest.mark.parametrize("bad", ["", "xx", "USA", "ZZ", 1])
def test_country_rejected(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="invalid country code"):
        V.check_country(bad)


def test_country_normalized() -> None:
    assert V.check_country(" us ") == "US"


def test_dates() -> None:
    assert V.check_date("2026-11-25") == "2026-11-25"
    assert V.check_date(dt.date(2026, 1, 2)) == "2026-01-02"
    for bad in ("2026-13-01", "yesterday", ""):
        with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
            V.check_date(bad)


def test_choices_and_types_come_from_the_table() -> None:
    keyword = E.get("keyword_search")
    assert V.checked_params(keyword, {"keyword": "tesla", "period": 7})["period"] == "7"
    with pytest.raises(InvalidInputError, match="one of 0, 1, 7, 30, 90, 180"):
        V.checked_params(keyword, {"keyword": "tesla", "period": "365"})
    with pytest.raises(InvalidInputError, match="'period' is required"):
        V.checked_params(keyword, {"keyword": "tesla"})
    with pytest.raises(InvalidInputError, match="True or False"):
        V.checked_params(keyword, {"keyword": "t", "period": "0", "match_exactly": "yes"})
    posts = E.get("user_posts_from_username")
    with pytest.raises(InvalidInputError, match="invalid depth 0: a whole number of 1 or more"):
        V.checked_params(posts, {"username": "zachking", "depth": 0})


def test_wire_encoding_matches_the_official_sdk() -> None:
    endpoint = E.get("keyword_search")
    params = V.checked_params(endpoint, {"keyword": "tesla", "period": "7", "match_exactly": True})
    assert V.to_wire(endpoint, params) == {"name": "tesla", "period": "7", "match_exactly": "True"}
    multi = E.get("multi_post_info")
    assert V.to_wire(multi, V.checked_params(multi, {"aweme_ids": ["1", "2"]})) == {"ids": "1;2"}


def test_required_default_is_sent() -> None:
    endpoint = E.get("full_hashtag_search")
    assert (
        V.checked_params(endpoint, {"hashtag": "magic"})["days"] == endpoint.param("days").default
    )
