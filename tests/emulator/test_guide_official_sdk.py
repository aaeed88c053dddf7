"""The official ``ensembledata`` SDK runs the TikTok API guide's examples against the emulator.

Each test is one example of the guide (``EnsembleData/tiktok-scraper`` README and its seed
draft), run as printed, with the guide's known slips fixed the way a reader has to fix them:
``client.tiktok_user_posts_from_username`` is ``client.tiktok.user_posts_from_username``,
``result["data"]`` is ``result.data``, ``result.data("nextCursor")`` is ``.get(...)``; the SDK
requires ``period`` on keyword searches and ``days`` on the full hashtag search; placeholder
secUids (``"MS4wLjABAAA..."``) are replaced by real ones. One figure cannot be reproduced: the
guide's 10-page comment loop prints 300 while the same post has "Total comments: 136"; the
emulator keeps the 136 and the loop stops after 5 pages.
"""

from __future__ import annotations

from typing import Any

import ensembledata.api._requester as requester
import pytest
from ensembledata.api import EDClient, EDError

from tokarc.api import guesses as G
from tokarc.api.endpoints import ENDPOINTS
from tokarc.emulator import Emulator, serve_in_thread
from tokarc.emulator import _fixtures as F

ZACH = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")
OPEN = next(u for u in F.FIXTURE_USERS if not u.private_likes and not u.private)


@pytest.fixture
def client(live_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> EDClient:
    monkeypatch.setattr(requester, "BASE_URL", live_emulator.base_url)
    return EDClient("INSERT API TOKEN", timeout=30, max_network_retries=1)


# -- Monitoring hashtags --------------------------------------------------------------------------


def test_hashtag_search_pages(client: EDClient) -> None:
    result = client.tiktok.hashtag_search(hashtag="magic", cursor=0)
    posts = result.data["data"]
    next_cursor = result.data.get("nextCursor")
    assert (len(posts), next_cursor) == (20, 20)
    result = client.tiktok.hashtag_search(hashtag="magic", cursor=next_cursor)
    assert len(result.data["data"]) == 20
    assert result.data.get("nextCursor") == 40
    assert result.units_charged == "1"


def test_hashtag_search_runs_out_at_the_cap(client: EDClient) -> None:
    cap = F.FIXTURE_TAGS["magic"].cap
    assert cap is not None
    result = client.tiktok.hashtag_search(hashtag="magic", cursor=cap - 20)
    assert len(result.data["data"]) == 20
    assert "nextCursor" not in result.data
    empty = client.tiktok.hashtag_search(hashtag="emptytag", cursor=0)
    assert empty.data == {"data": []}


def test_full_hashtag_search(client: EDClient) -> None:
    result = client.tiktok.full_hashtag_search(hashtag="magic", days=G.FULL_HASHTAG_DEFAULT_DAYS)
    posts = result.data["data"]
    assert len(posts) == F.FIXTURE_TAGS["magic"].cap
    result = client.tiktok.full_hashtag_search(hashtag="magic", max_cursor=2_000, days=7)
    posts = result.data["data"]
    assert len(posts) == 2_000
    assert int(result.units_charged) == 2_000 // 20 // G.FULL_SEARCH_DISCOUNT
    result = client.tiktok.full_hashtag_search(hashtag="chess", days=7)
    now = max(p["create_time"] for p in result.data["data"])
    assert all(now - p["create_time"] < 7 * 86_400 for p in result.data["data"])


# -- Monitoring keywords --------------------------------------------------------------------------


def test_keyword_search(client: EDClient) -> None:
    result = client.tiktok.keyword_search(keyword="tesla", period="180")
    posts = result.data["data"]
    assert len(posts) == 20  # "Number of posts: 20"
    assert {p["type"] for p in posts} == {1}
    assert all("tesla" in p["aweme_info"]["desc"] for p in posts)
    client.tiktok.keyword_search(keyword="tesla", period="180", country="US")
    client.tiktok.keyword_search(keyword="tesla", period="180", sorting="1")


def test_keyword_cursor_loop(client: EDClient) -> None:
    posts: list[Any] = []
    cursor = None
    for _ in range(10):
        result = client.tiktok.keyword_search(keyword="tesla", cursor=cursor, period="180")
        posts.extend(result.data["data"])
        cursor = result.data.get("nextCursor")
        if cursor is None:
            break
    assert len(posts) == 200  # "Number of posts: 200"


def test_full_keyword_search(client: EDClient) -> None:
    result = client.tiktok.full_keyword_search(keyword="tesla", period="180")
    posts = result.data["data"]
    assert len(posts) == 1366  # "Number of posts: 1366"
    assert len({p["aweme_info"]["aweme_id"] for p in posts}) == 1366


# -- User posts -----------------------------------------------------------------------------------


def test_user_posts_and_pinned(client: EDClient) -> None:
    result = client.tiktok.user_posts_from_username(username="zachking", depth=1)
    posts = result.data["data"]
    next_cursor = result.data["nextCursor"]
    assert len(posts) == 10  # "Posts: 10"
    posts = [post for post in posts if not post["is_top"]]
    assert len(posts) == 8  # "Posts: 8"
    result = client.tiktok.user_posts_from_username(
        username="zachking", depth=1, cursor=next_cursor
    )
    next_posts = result.data["data"]
    assert len(next_posts) == 10
    assert next_posts[0]["create_time"] < posts[-1]["create_time"]


def test_user_posts_depth_and_cursor(client: EDClient) -> None:
    posts: list[Any] = []
    result = client.tiktok.user_posts_from_username(username="zachking", depth=1)
    posts.extend(result.data["data"])
    next_cursor = result.data.get("nextCursor")
    if next_cursor is not None:
        result = client.tiktok.user_posts_from_username(
            username="zachking", depth=5, cursor=next_cursor
        )
        posts.extend(result.data["data"])
    assert len(posts) == 60  # "Posts: 60"
    assert len({p["aweme_id"] for p in posts}) == 60
    assert result.units_charged == "5"


def test_user_posts_oldest_createtime(client: EDClient) -> None:
    newest = client.tiktok.user_posts_from_username(username="zachking", depth=1).data["data"]
    cutoff = sorted(p["create_time"] for p in newest if not p["is_top"])[2] - 40 * 86_400
    result = client.tiktok.user_posts_from_username(
        username="zachking", depth=10, oldest_createtime=cutoff
    )
    posts = [p for p in result.data["data"] if not p["is_top"]]
    assert len(result.data["data"]) < 100  # stopped early
    assert posts[-1]["create_time"] < cutoff  # the last chunk is not trimmed
    assert sum(p["create_time"] < cutoff for p in posts) < 10


def test_user_posts_alternative_method_and_secuid(client: EDClient) -> None:
    result = client.tiktok.user_posts_from_username(
        username="zachking", depth=1, extra_params={"alternative_method": True}
    )
    assert len(result.data["data"]) == 10
    result = client.tiktok.user_posts_from_secuid(sec_uid=ZACH.sec_uid, depth=1)
    assert [p["author"]["unique_id"] for p in result.data["data"]] == ["zachking"] * 10


# -- User info ------------------------------------------------------------------------------------


def test_user_info(client: EDClient, capsys: pytest.CaptureFixture[str]) -> None:
    result = client.tiktok.user_info_from_username(username="zachking")
    assert result.data["user"]["uniqueId"] == "zachking"
    assert result.data["stats"]["followerCount"] == ZACH.followers
    result = client.tiktok.user_info_from_secuid(sec_uid=ZACH.sec_uid)
    user = result.data["user"]
    print("Username:", user["unique_id"])
    print("Nickname:", user["nickname"])
    print("Followers:", user["follower_count"])
    print("Posts:", user["aweme_count"])
    print("Likes:", user["total_favorited"])
    out = capsys.readouterr().out
    assert "Username: zachking\nNickname: Zach King\nFollowers: 82400000\n" in out
    alt = client.tiktok.user_info_from_secuid(sec_uid=ZACH.sec_uid, alternative_method=True)
    assert "category" in alt.data["user"]


def test_user_liked_posts(client: EDClient) -> None:
    result = client.tiktok.user_liked_posts(sec_uid=OPEN.sec_uid)
    posts = result.data["liked_posts"]
    next_cursor = result.data.get("nextCursor")
    assert len(posts) == G.LIKED_POSTS_PAGE_SIZE
    result = client.tiktok.user_liked_posts(sec_uid=OPEN.sec_uid, cursor=next_cursor)
    more_posts = result.data["liked_posts"]
    assert {p["aweme_id"] for p in more_posts}.isdisjoint(p["aweme_id"] for p in posts)
    with pytest.raises(EDError) as err:  # Zach King's likes are locked
        client.tiktok.user_liked_posts(sec_uid=ZACH.sec_uid)
    assert err.value.status_code == 472


# -- Followers ------------------------------------------------------------------------------------


def test_followers(client: EDClient) -> None:
    result = client.tiktok.user_followers(id="6784819479778378757", sec_uid="MS4wLjABAAAAQ45...")
    followers = result.data["followers"]
    follower_count = result.data["total"]
    next_cursor = result.data["nextCursor"]
    assert (len(followers), follower_count) == (100, ZACH.followers)
    seen = {f["uid"] for f in followers}
    for _ in range(2):
        result = client.tiktok.user_followers(id=ZACH.uid, sec_uid=ZACH.sec_uid, cursor=next_cursor)
        assert seen.isdisjoint(f["uid"] for f in result.data["followers"])
        seen |= {f["uid"] for f in result.data["followers"]}
        next_cursor = result.data["nextCursor"]
    last = client.tiktok.user_followers(
        id=ZACH.uid, sec_uid=ZACH.sec_uid, page_token=_token("followers", 1, G.FOLLOWERS_CAP - 100)
    )
    assert len(last.data["followers"]) == 100
    assert "nextCursor" not in last.data


def _token(relation: str, index: int, offset: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"{relation}:{index}:{offset}".encode()).decode()


def test_followings(client: EDClient) -> None:
    result = client.tiktok.user_followings(id="6784819479778378757", sec_uid="MS4wLjABAAAAQ45...")
    assert result.data["total"] == ZACH.following
    next_cursor = result.data.get("nextCursor")
    next_page_token = result.data.get("nextPageToken")
    pages = 1
    while next_cursor is not None and next_page_token is not None:
        result = client.tiktok.user_followings(
            id="6784819479778378757",
            sec_uid="MS4wLjABAAAAQ45...",
            cursor=next_cursor,
            page_token=next_page_token,
        )
        next_cursor = result.data.get("nextCursor")
        next_page_token = result.data.get("nextPageToken")
        pages += 1
    assert pages == 3  # 214 followings, 100 a page
    assert len(result.data["followings"]) == 14


# -- Post info ------------------------------------------------------------------------------------


def test_post_info(client: EDClient) -> None:
    result = client.tiktok.post_info(
        url="https://www.tiktok.com/@daviddobrik/video/7165262254722534698",
    )
    post = result.data[0]
    assert post["author"]["unique_id"] == "daviddobrik"
    assert isinstance(post["music"]["title"], str)
    assert post["desc"]
    for key in ("digg_count", "play_count", "share_count", "comment_count"):
        assert isinstance(post["statistics"][key], int)


def test_multi_post_info(client: EDClient) -> None:
    result = client.tiktok.multi_post_info(
        aweme_ids=["7210531475052236078", "7102806710334606597", "710280671033460623434597"],
    )
    posts = result.data
    assert [p["aweme_id"] for p in posts] == ["7210531475052236078", "7102806710334606597"]
    with pytest.raises(EDError) as err:
        client.tiktok.multi_post_info(aweme_ids=[str(7 * 10**18 + i) for i in range(101)])
    assert err.value.status_code == 464


# -- Comments -------------------------------------------------------------------------------------


def test_post_comments(client: EDClient, capsys: pytest.CaptureFixture[str]) -> None:
    result = client.tiktok.post_comments(aweme_id="6849400000000")
    comments = result.data["comments"]
    next_cursor = result.data.get("nextCursor")
    print("Comments fetched:", len(comments))
    print("Total comments:", result.data["total"])
    assert capsys.readouterr().out == "Comments fetched: 30\nTotal comments: 136\n"
    comment = comments[0]
    user = comment["user"]
    assert comment["cid"] == "6930120000000"
    assert isinstance(comment["create_time"], int)
    assert isinstance(comment["text"], str)
    assert isinstance(comment["digg_count"], int)
    assert comment["reply_comment_count"] == comment["reply_comment_total"] == 66
    assert user["unique_id"]
    assert user["uid"]
    assert user["sec_uid"].startswith("MS4wLjABAAAA")
    result = client.tiktok.post_comments(aweme_id="6849400000000", cursor=next_cursor)
    assert result.data.get("nextCursor") == 60


def test_post_comments_loop(client: EDClient) -> None:
    comments: list[Any] = []
    cursor = None
    sizes = []
    for _ in range(10):
        result = client.tiktok.post_comments(aweme_id="6849400000000", cursor=cursor)
        comments.extend(result.data["comments"])
        sizes.append(len(result.data["comments"]))
        cursor = result.data.get("nextCursor")
        if cursor is None:
            break
    assert sizes == [30, 30, 30, 30, 16]
    assert len(comments) == 136  # the guide prints 300, see the module docstring


def test_comment_replies(client: EDClient) -> None:
    result = client.tiktok.post_comment_replies(
        aweme_id="6849400000000", comment_id="6930120000000"
    )
    replies = result.data["comments"]
    assert (len(replies), result.data["total"]) == (30, 66)  # "Replies fetched: 30 / Total: 66"
    replies = []
    cursor = None
    requests_sent = 0
    while True:
        result = client.tiktok.post_comment_replies(
            aweme_id="6849400000000", comment_id="6930120000000", cursor=cursor
        )
        replies.extend(result.data["comments"])
        cursor = result.data.get("nextCursor")
        requests_sent += 1
        if cursor is None:
            break
    assert (len(replies), requests_sent) == (66, 3)  # "Replies: 66 / Requests sent: 3"
    assert {r["reply_id"] for r in replies} == {"6930120000000"}


# -- Music ----------------------------------------------------------------------------------------


def test_music_search(client: EDClient) -> None:
    result = client.tiktok.music_search(keyword="classical", sorting="0", filter_by="0")
    music = result.data["music"]
    next_cursor = result.data.get("nextCursor")
    assert "Classical" in music[0]["title"]
    assert music[0]["author"]
    assert music[0]["mid"].isdigit()
    assert next_cursor is not None
    result = client.tiktok.music_search(
        keyword="classical", sorting="0", filter_by="0", cursor=next_cursor
    )
    assert result.data["music"][0]["mid"] != music[0]["mid"]


def test_music_posts(client: EDClient) -> None:
    result = client.tiktok.music_posts(music_id="6874200777853661442")
    posts = result.data["aweme_list"]
    next_cursor = result.data.get("nextCursor")
    assert {p["music"]["id_str"] for p in posts} == {"6874200777853661442"}
    result = client.tiktok.music_posts(music_id="6874200777853661442", cursor=next_cursor)
    assert len(result.data["aweme_list"]) == G.MUSIC_POSTS_PAGE_SIZE


def test_music_details(client: EDClient) -> None:
    result = client.tiktok.music_details(music_id="7063948643480488709")
    assert result.data["user_count"] > 1_000
    assert result.data["id"] == 7063948643480488709
    assert result.data["play_url"]["url_list"]


# -- The rest of the table, and the errors --------------------------------------------------------


def test_user_search_lives_and_usage(client: EDClient) -> None:
    users = client.tiktok.user_search(keyword="zach").data["users"]
    assert users[0]["user_info"]["unique_id"] == "zachking"
    lives = client.tiktok.lives_search(keyword="music", country="US").data["data"]
    assert lives
    assert "room_id" in lives[0]["lives"]
    used = client.customer.get_usage(date="2026-11-01").data
    assert used["units"] >= 2
    history = client.customer.get_usage_history(days=3).data
    assert [d["date"] for d in history] == ["2026-10-30", "2026-10-31", "2026-11-01"]


@pytest.mark.parametrize(
    ("call", "status"),
    [
        (lambda c: c.tiktok.post_info(url="https://www.tiktok.com/nope"), 462),
        (lambda c: c.tiktok.keyword_search(keyword="tesla", period="7", country="XX"), 466),
        (lambda c: c.tiktok.user_posts_from_username(username="private.pat", depth=1), 472),
        (lambda c: c.tiktok.user_info_from_username(username="nobody.at.all"), 473),
        (lambda c: c.tiktok.keyword_search(keyword="tesla", period="3"), 422),
    ],
)
def test_errors_through_the_sdk(client: EDClient, call: Any, status: int) -> None:
    with pytest.raises(EDError) as err:
        call(client)
    assert err.value.status_code == status
    assert err.value.units_charged == "0"


def test_bad_token_and_depleted_units(live_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(requester, "BASE_URL", live_emulator.base_url)
    with pytest.warns(UserWarning, match="real API token"):
        empty = EDClient("", max_network_retries=1)
    with pytest.raises(EDError) as err:
        empty.tiktok.hashtag_search(hashtag="magic")
    assert err.value.status_code == 491
    with serve_in_thread(Emulator(units=1)) as base_url:
        monkeypatch.setattr(requester, "BASE_URL", base_url)
        ok = EDClient("t", max_network_retries=1)
        ok.tiktok.hashtag_search(hashtag="magic")
        with pytest.raises(EDError) as err:
            ok.tiktok.hashtag_search(hashtag="magic")
    assert err.value.status_code == 495


# One call per endpoint of the table, as the official SDK spells it.
SDK_CALLS: dict[str, Any] = {
    "hashtag_search": lambda c: c.tiktok.hashtag_search(hashtag="magic"),
    "full_hashtag_search": lambda c: c.tiktok.full_hashtag_search(hashtag="chess", days=1),
    "keyword_search": lambda c: c.tiktok.keyword_search(keyword="tesla", period="180"),
    "full_keyword_search": lambda c: c.tiktok.full_keyword_search(keyword="tesla", period="7"),
    "user_posts_from_username": lambda c: c.tiktok.user_posts_from_username(
        username="zachking", depth=1
    ),
    "user_posts_from_secuid": lambda c: c.tiktok.user_posts_from_secuid(
        sec_uid=ZACH.sec_uid, depth=1
    ),
    "user_info_from_username": lambda c: c.tiktok.user_info_from_username(username="zachking"),
    "user_info_from_secuid": lambda c: c.tiktok.user_info_from_secuid(sec_uid=ZACH.sec_uid),
    "user_search": lambda c: c.tiktok.user_search(keyword="zach"),
    "post_info": lambda c: c.tiktok.post_info(
        url="https://www.tiktok.com/@daviddobrik/video/7165262254722534698"
    ),
    "multi_post_info": lambda c: c.tiktok.multi_post_info(aweme_ids=["7210531475052236078"]),
    "post_comments": lambda c: c.tiktok.post_comments(aweme_id="6849400000000"),
    "post_comment_replies": lambda c: c.tiktok.post_comment_replies(
        aweme_id="6849400000000", comment_id="6930120000000"
    ),
    "music_search": lambda c: c.tiktok.music_search(
        keyword="classical", sorting="0", filter_by="0"
    ),
    "music_posts": lambda c: c.tiktok.music_posts(music_id="6874200777853661442"),
    "music_details": lambda c: c.tiktok.music_details(music_id="7063948643480488709"),
    "user_followers": lambda c: c.tiktok.user_followers(id=ZACH.uid, sec_uid=ZACH.sec_uid),
    "user_followings": lambda c: c.tiktok.user_followings(id=ZACH.uid, sec_uid=ZACH.sec_uid),
    "user_liked_posts": lambda c: c.tiktok.user_liked_posts(sec_uid=OPEN.sec_uid),
    "lives_search": lambda c: c.tiktok.lives_search(keyword="music", country="US"),
    "get_usage": lambda c: c.customer.get_usage(date="2026-11-01"),
    "get_usage_history": lambda c: c.customer.get_usage_history(days=3),
}


def test_every_endpoint_is_served_through_the_sdk(client: EDClient, live_emulator: Any) -> None:
    """Every endpoint of the table answers 200 to the official SDK (whatever ran before)."""
    assert set(SDK_CALLS) == {e.name for e in ENDPOINTS}
    for call in SDK_CALLS.values():
        call(client)
    stats = live_emulator.emulator.stats
    assert set(stats.requests) == set(SDK_CALLS)
    assert stats.statuses == {200: len(SDK_CALLS)}
