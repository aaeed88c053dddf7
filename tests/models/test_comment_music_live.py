"""Comments (API.md §2.4), music (§2.3, §3.16) and live rooms (§3.20, a guess)."""

from __future__ import annotations

import pytest

from tokarc.api import guesses
from tokarc.models import Comment, Live, Music, decode

from ._samples import MUSIC_ID, UID, comment, live_room, mobile_user, music

# -- comments -------------------------------------------------------------------------------------


def test_comment() -> None:
    raw = comment()
    c = decode("comment", raw)
    assert isinstance(c, Comment)
    assert (c.cid, c.aweme_id, c.text) == ("7603308235172496150", "7603296357641735445", "so nice")
    assert (c.create_time, c.digg_count, c.reply_count) == (1770283175, 4, 2)
    assert (c.parent_cid, c.language) == (None, "en")
    assert c.author is not None
    assert (c.author.uid, c.author.unique_id, c.author.follower_count) == ("7001", "handle", None)
    assert c.author.raw is raw["user"]
    assert c.raw is raw


def test_reply_count_falls_back_to_the_guides_key() -> None:
    raw = comment(reply_comment_count=7)
    del raw["reply_comment_total"]
    assert decode("comment", raw).reply_count == 7
    assert (
        decode("comment", comment(reply_comment_total=None, reply_comment_count=3)).reply_count == 3
    )
    assert decode("comment", comment(reply_comment_total=0, reply_comment_count=3)).reply_count == 0


@pytest.mark.parametrize(("reply_id", "parent"), [("0", None), (0, None), ("", None), (None, None)])
def test_top_level_comment_has_no_parent(reply_id: object, parent: object) -> None:
    assert decode("comment", comment(reply_id=reply_id)).parent_cid == parent


def test_reply_has_its_parent() -> None:
    assert (
        decode("comment", comment(reply_id=7603308235172496150)).parent_cid == "7603308235172496150"
    )


def test_comment_without_user_or_text() -> None:
    c = decode("comment", {"cid": "1", "user": None, "text": None})
    assert (c.author, c.text, c.reply_count) == (None, "", None)


# -- music ----------------------------------------------------------------------------------------


def test_music() -> None:
    raw = music()
    m = decode("music", raw)
    assert isinstance(m, Music)
    assert m.music_id == "6800370846696212482"
    assert (m.title, m.author, m.album) == ("Swaggy", "Fluorescent Canyon", "Hip Hop + R&B")
    assert (m.is_original, m.duration_s, m.user_count) == (False, 60, 31200)
    assert (m.owner_uid, m.owner_handle, m.owner_nickname) == (None, None, None)
    assert m.play_url == "https://sf16-ies-music.tiktokcdn.com/obj/swaggy.mp3"
    assert m.cover_url == "https://p16.tiktokcdn.com/cover_large.jpeg"
    assert m.raw is raw


def test_music_id_prefers_strings_to_the_lossy_int() -> None:
    # A JS client would have rounded the int; id_str / mid keep every digit.
    assert decode("music", music(id=6800370846696212000)).music_id == str(MUSIC_ID)
    assert decode("music", music(id_str=None)).music_id == str(MUSIC_ID)
    assert decode("music", music(id_str="", mid=None)).music_id == str(MUSIC_ID)
    assert decode("music", {"id": 2**64 + 1}).music_id == str(2**64 + 1)


def test_original_sound() -> None:
    raw = music(
        title="original sound - zachking",
        is_original_sound=1,
        owner_id=UID,
        owner_handle="zachking",
        owner_nickname="Zach King",
    )
    m = decode("music", raw)
    assert (m.is_original, m.owner_uid, m.owner_handle, m.owner_nickname) == (
        True,
        UID,
        "zachking",
        "Zach King",
    )
    assert decode("music", music(is_original="True")).is_original is True


def test_music_cover_falls_back() -> None:
    raw = music(cover_large=None, cover_hd={"url_list": []})
    assert decode("music", raw).cover_url == "https://p16.tiktokcdn.com/cover_medium.jpeg"


# -- live -----------------------------------------------------------------------------------------


def test_bare_live_room() -> None:
    raw = live_room()
    live = decode("live", raw)
    assert isinstance(live, Live)
    assert (live.room_id, live.title, live.viewer_count) == (
        "7312345678901234567",
        "late night magic",
        1532,
    )
    assert live.owner is not None
    assert live.owner.uid == UID
    assert live.raw is raw


def test_wrapped_live_room() -> None:
    item = {"type": 1, guesses.LIVE_ITEM_WRAPPER: live_room(user_count=None)}
    live = decode("live", item)
    assert (live.room_id, live.viewer_count) == ("7312345678901234567", 20000)
    assert live.raw is item


def test_live_room_as_json_text_with_tiktok_owner_keys() -> None:
    rawdata = (
        '{"id": 7312345678901234567, "title": "t", "stats": {"user_count": 9},'
        ' "owner": {"id_str": "55", "display_id": "magician", "nickname": "M"}}'
    )
    live = decode("live", {"lives": {"rawdata": rawdata}})
    assert (live.room_id, live.viewer_count) == ("7312345678901234567", 9)
    assert live.owner is not None
    assert (live.owner.uid, live.owner.unique_id) == ("55", "magician")


def test_live_room_with_bad_rawdata_is_undecodable() -> None:
    from tokarc.models import DecodeError

    for rawdata in ("{not json", 5, "[1]"):
        with pytest.raises(DecodeError):
            decode("live", {"lives": {"rawdata": rawdata}})


def test_live_owner_without_any_id_is_none() -> None:
    live = decode("live", live_room(owner={"nickname": "anon"}))
    assert live.owner is None


def test_live_id_alternatives() -> None:
    assert decode("live", {"id_str": "5", "id": 4}).room_id == "5"
    assert decode("live", {"id": 4, "owner": mobile_user()}).room_id == "4"
