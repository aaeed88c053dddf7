"""Post decoding: the aweme of API.md §2.1 and its edge cases."""

from __future__ import annotations

import pytest

from tokarc.models import Music, Post, User, decode, hashtags_of

from ._samples import AWEME_ID, MUSIC_ID, UID, aweme, music


def test_full_aweme_decodes_every_field() -> None:
    raw = aweme()
    post = decode("post", raw)
    assert isinstance(post, Post)
    assert post.aweme_id == AWEME_ID
    assert post.desc == "@zachking caption text #Magic #fyp"
    assert (post.create_time, post.region) == (1700000000, "US")
    assert (post.is_pinned, post.is_photo) == (False, False)
    assert post.share_url == raw["share_url"]
    assert post.raw is raw


def test_statistics_are_flattened() -> None:
    post = decode("post", aweme())
    counts = (post.play_count, post.digg_count, post.comment_count, post.share_count)
    assert counts == (123456, 9876, 321, 45)
    assert (post.collect_count, post.download_count) == (210, 12)


def test_video_fields() -> None:
    post = decode("post", aweme())
    assert (post.duration_ms, post.width, post.height) == (15034, 576, 1024)
    assert post.play_url == "https://v16.tiktokcdn.com/play.mp4"
    assert post.cover_url == "https://p16.tiktokcdn.com/cover.jpeg"
    assert post.image_urls == []


def test_author_and_music_are_records_keeping_their_raw() -> None:
    raw = aweme()
    post = decode("post", raw)
    assert isinstance(post.author, User)
    assert (post.author_uid, post.author_unique_id) == (UID, "zachking")
    assert post.author.raw is raw["author"]
    assert isinstance(post.music, Music)
    assert post.music_id == str(MUSIC_ID)
    assert post.music.raw is raw["music"]


def test_hashtags_lower_cased_deduplicated_in_order() -> None:
    raw = aweme(
        cha_list=[{"cid": "9", "cha_name": "Tricks"}, {"cid": "12345", "cha_name": "MAGIC"}]
    )
    assert decode("post", raw).hashtags == ["magic", "fyp", "tricks"]


def test_hashtags_of_merges_ids_and_counts() -> None:
    tags = hashtags_of(decode("post", aweme()))
    assert [t.name for t in tags] == ["magic", "fyp"]
    magic = tags[0]
    assert (magic.hashtag_id, magic.view_count, magic.user_count) == ("12345", 900, 5)
    assert (tags[1].hashtag_id, tags[1].view_count) == ("229207", None)


def test_hashtags_skip_empty_names_and_strip_hash() -> None:
    raw = aweme(
        text_extra=[{"type": 1, "hashtag_name": ""}, {"type": 1, "hashtag_name": " #FYP"}],
        cha_list=None,
    )
    assert decode("post", raw).hashtags == ["fyp"]


def test_mentions_from_text_extra() -> None:
    post = decode("post", aweme())
    assert (post.mentions, post.mention_uids) == (["zachking"], ["6789"])


def test_mention_offsets_in_utf16_units_after_an_emoji() -> None:
    # "🎩" is one code point but two UTF-16 units: the span must still find the handle.
    desc = "🎩 @zach hi"
    raw = aweme(desc=desc, text_extra=[{"type": 0, "start": 3, "end": 8, "user_id": 1}])
    assert decode("post", raw).mentions == ["zach"]


def test_mention_prefers_user_unique_id_and_ignores_bad_spans() -> None:
    extra = [
        {"type": 0, "user_unique_id": "named", "user_id": "1"},
        {"type": 0, "start": 50, "end": 40, "user_id": "2"},
        {"type": 0, "start": None, "user_id": "2"},
    ]
    post = decode("post", aweme(text_extra=extra))
    assert (post.mentions, post.mention_uids) == (["named"], ["1", "2"])


@pytest.mark.parametrize("is_top", [1, True, "True", "true", "1", 2])
def test_pinned_accepts_truthy_spellings(is_top: object) -> None:
    assert decode("post", aweme(is_top=is_top)).is_pinned is True


@pytest.mark.parametrize("is_top", [0, False, "False", "0", None])
def test_not_pinned(is_top: object) -> None:
    assert decode("post", aweme(is_top=is_top)).is_pinned is False


def test_photo_carousel() -> None:
    images = [
        {"display_image": {"url_list": ["https://p16/1.jpeg", "https://p19/1.jpeg"]}},
        {"display_image": {"url_list": None}},
        {"display_image": {"url_list": ["https://p16/2.jpeg"]}},
    ]
    post = decode("post", aweme(aweme_type=150, image_post_info={"images": images}))
    assert post.is_photo is True
    assert post.image_urls == ["https://p16/1.jpeg", "https://p16/2.jpeg"]


def test_photo_from_aweme_type_alone_or_image_info_alone() -> None:
    assert decode("post", aweme(aweme_type=2)).is_photo is True
    assert decode("post", aweme(image_post_info={"images": []})).is_photo is True


def test_minimal_post_has_none_counts_not_zeros() -> None:
    post = decode("post", {"aweme_id": "1"})
    assert post == Post(aweme_id="1", _raw={"aweme_id": "1"})
    assert post.play_count is None
    assert post.author is None
    assert post.hashtags == []


def test_explicit_nulls_everywhere() -> None:
    nulls = {k: None for k in aweme() if k != "aweme_id"}
    post = decode("post", aweme(**nulls))
    assert post.aweme_id == AWEME_ID
    assert post.desc == ""
    assert (post.author, post.music, post.play_count, post.play_url) == (None, None, None, None)


def test_null_inside_nested_objects() -> None:
    raw = aweme(statistics={"play_count": None, "digg_count": 3})
    raw["video"]["play_addr"] = {"url_list": None}
    raw["author"]["avatar_larger"] = None
    post = decode("post", raw)
    assert (post.play_count, post.digg_count) == (None, 3)
    assert post.play_url == "https://v16.tiktokcdn.com/download.mp4"
    assert post.author is not None
    assert post.author.avatar_url == "https://p16.tiktokcdn.com/medium.jpeg"


def test_zero_counts_are_kept() -> None:
    post = decode("post", aweme(statistics={"play_count": 0, "digg_count": 0}))
    assert (post.play_count, post.digg_count, post.share_count) == (0, 0, None)


def test_ids_given_as_ints_become_strings() -> None:
    huge = 2**70 + 1
    raw = aweme(
        aweme_id=huge, author=mobile_uid(123), music=music(id=MUSIC_ID, id_str=None, mid=None)
    )
    post = decode("post", raw)
    assert post.aweme_id == str(huge)
    assert post.author_uid == "123"
    assert post.music_id == str(MUSIC_ID)


def mobile_uid(uid: object) -> dict[str, object]:
    return {"uid": uid, "unique_id": "x"}


def test_numbers_given_as_strings_are_coerced() -> None:
    post = decode("post", aweme(create_time="1700000000", statistics={"play_count": "12"}))
    assert (post.create_time, post.play_count) == (1700000000, 12)


def test_wrong_typed_field_is_dropped_not_fatal() -> None:
    raw = aweme(create_time="yesterday", region=5, statistics={"play_count": [1], "digg_count": 7})
    post = decode("post", raw)
    assert (post.create_time, post.region, post.play_count, post.digg_count) == (
        None,
        None,
        None,
        7,
    )
    assert post.author_uid == UID  # the rest of the record survives


def test_bad_list_items_are_dropped() -> None:
    raw = aweme(text_extra=[None, 3, {"type": 1, "hashtag_name": "ok"}, {"type": "x"}])
    raw["video"]["play_addr"] = {"url_list": [None, 4, "https://v16/ok.mp4"]}
    post = decode("post", raw)
    assert post.hashtags == ["ok", "magic"]
    assert post.play_url == "https://v16/ok.mp4"


def test_author_without_uid_is_none_but_author_user_id_is_used() -> None:
    post = decode("post", aweme(author={"nickname": "ghost"}, author_user_id=42))
    assert (post.author, post.author_uid, post.author_unique_id) == (None, "42", None)


def test_music_without_any_id_is_none() -> None:
    post = decode("post", aweme(music={"title": "untitled"}))
    assert (post.music, post.music_id) == (None, None)


def test_keyword_search_item_still_wrapped_is_accepted() -> None:
    inner = aweme()
    item = {"type": 1, "aweme_info": inner}
    post = decode("post", item)
    assert post.aweme_id == AWEME_ID
    assert post.raw is item
    assert hashtags_of(post)[0].name == "magic"


def test_odd_text_survives() -> None:
    desc = "مرحبا 👋🏽 \x00 nul \ud800 lone #Tag\u200f"
    post = decode("post", aweme(desc=desc, text_extra=[{"type": 1, "hashtag_name": "Ünï\ud83d"}]))
    assert post.desc == desc
    assert post.hashtags == ["ünï\ud83d", "magic"]


def test_repr_leaves_raw_out_and_to_dict() -> None:
    post = decode("post", aweme())
    assert "raw=" not in repr(post)
    assert "aweme_id='7301234567890123456'" in repr(post)
    full = post.to_dict()
    assert full["raw"] == post.raw
    slim = post.to_dict(raw=False)
    assert "raw" not in slim
    assert "raw" not in slim["author"]
    assert slim["music"]["music_id"] == str(MUSIC_ID)
    assert slim["hashtags"] == ["magic", "fyp"]


def test_records_are_frozen() -> None:
    post = decode("post", aweme())
    with pytest.raises(AttributeError):
        post.desc = "x"  # type: ignore[misc]


def test_lone_surrogate_in_a_key_does_not_lose_the_record() -> None:
    # msgspec raises UnicodeEncodeError (not ValidationError) on such keys.
    raw = aweme(text_extra=[{"\ud800": 1}, {"type": 1, "hashtag_name": "ok"}])
    raw["\udfff"] = "x"
    post = decode("post", raw)
    assert post.hashtags == ["ok", "magic"]
    assert post.play_count == 123456
