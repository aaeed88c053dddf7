"""User decoding: the mobile user (API.md §2.2) and the web user info (§2.5, §3.7)."""

from __future__ import annotations

import pytest

from tokarc.models import User, decode

from ._samples import SEC_UID, UID, mobile_user, web_user_info


def test_mobile_user() -> None:
    raw = mobile_user()
    user = decode("user", raw)
    assert isinstance(user, User)
    assert (user.uid, user.sec_uid, user.unique_id, user.nickname) == (
        UID,
        SEC_UID,
        "zachking",
        "Zach King",
    )
    assert (user.signature, user.region, user.language) == ("bio", "US", "en")
    assert (user.verified, user.is_private) == (True, False)
    assert (user.follower_count, user.following_count) == (81200000, 214)
    assert (user.heart_count, user.video_count, user.digg_count) == (1304183341, 629, 7244)
    assert user.avatar_url == "https://p16.tiktokcdn.com/larger.jpeg"
    assert user.create_time == 1425144149
    assert user.raw is raw


def test_web_user_info_decodes_into_the_same_user() -> None:
    raw = web_user_info()
    user = decode("user_web", raw)
    assert user.uid == "6784819479778378757"
    assert (user.sec_uid, user.unique_id, user.nickname) == (SEC_UID, "zachking", "Zach King")
    assert (user.verified, user.is_private) == (True, False)
    assert (user.follower_count, user.following_count) == (26357770, 214)
    assert (user.heart_count, user.video_count, user.digg_count) == (1304183341, 629, 7244)
    assert user.avatar_url == "https://p16.tiktokcdn.com/larger.jpeg"
    assert user.create_time == 1425144149
    assert user.raw is raw


def test_web_user_stats_fall_back_to_heart_and_stats_v2() -> None:
    raw = web_user_info(stats={"heart": 5, "followerCount": 0})
    assert (decode("user_web", raw).heart_count, decode("user_web", raw).follower_count) == (5, 0)
    v2 = web_user_info(stats=None, statsV2={"followerCount": "26357770", "videoCount": "629"})
    user = decode("user_web", v2)
    assert (user.follower_count, user.video_count, user.heart_count) == (26357770, 629, None)


def test_web_user_private_from_private_account_or_secret() -> None:
    raw = web_user_info()
    raw["user"]["privateAccount"] = True
    assert decode("user_web", raw).is_private is True
    raw["user"] |= {"privateAccount": False, "secret": "True"}
    assert decode("user_web", raw).is_private is True


def test_kinds_sniff_the_shape() -> None:
    # "user" given the web object, "user_web" given a mobile user: both still decode.
    assert decode("user", web_user_info()).uid == "6784819479778378757"
    assert decode("user_web", mobile_user()).uid == UID


def test_user_search_item_still_wrapped_is_accepted() -> None:
    item = {"user_info": mobile_user()}
    user = decode("user", item)
    assert (user.uid, user.raw) == (UID, item)


def test_absent_counts_are_none_zeros_are_kept() -> None:
    user = decode("user", {"uid": "1", "follower_count": 0, "aweme_count": 0})
    assert (user.follower_count, user.video_count) == (0, 0)
    assert (user.following_count, user.heart_count, user.digg_count) == (None, None, None)


@pytest.mark.parametrize(
    "fields",
    [
        {"verification_type": 1},
        {"verification_type": "2"},
        {"custom_verify": "Creator"},
        {"enterprise_verify_reason": "Brand"},
    ],
)
def test_verified(fields: dict[str, object]) -> None:
    assert decode("user", {"uid": "1", **fields}).verified is True


def test_not_verified_by_default_or_with_empty_texts() -> None:
    raw = {
        "uid": "1",
        "verification_type": 0,
        "custom_verify": "",
        "enterprise_verify_reason": None,
    }
    assert decode("user", raw).verified is False


@pytest.mark.parametrize(
    "fields", [{"secret": 1}, {"secret": True}, {"is_private": True}, {"private_status": 1}]
)
def test_private(fields: dict[str, object]) -> None:
    assert decode("user", {"uid": "1", **fields}).is_private is True


def test_slim_comment_user_with_nulls() -> None:
    raw = {"uid": 7001, "sec_uid": None, "unique_id": "h", "avatar_thumb": {"url_list": None}}
    user = decode("user", raw)
    assert (user.uid, user.sec_uid, user.avatar_url, user.follower_count) == (
        "7001",
        None,
        None,
        None,
    )


def test_avatar_falls_back_to_smaller_sizes() -> None:
    raw = mobile_user(avatar_larger={"url_list": []}, avatar_medium=None)
    assert decode("user", raw).avatar_url == "https://p16.tiktokcdn.com/thumb.jpeg"


def test_web_user_avatar_falls_back() -> None:
    raw = web_user_info()
    raw["user"]["avatarLarger"] = ""
    assert decode("user_web", raw).avatar_url == "https://p16.tiktokcdn.com/medium.jpeg"
