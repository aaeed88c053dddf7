"""The entry points: decode, decode_many, DecodeError, Undecodable, the public surface."""

from __future__ import annotations

import typing

import pytest

import tokarc.models as models
from tokarc.api.endpoints import ENDPOINTS, RecordKind
from tokarc.models import (
    KINDS,
    Comment,
    DecodeError,
    Live,
    Music,
    Post,
    Undecodable,
    User,
    decode,
    decode_many,
)

from ._samples import aweme, comment, live_room, mobile_user, music, web_user_info

SAMPLES = {
    "post": (aweme, Post),
    "user": (mobile_user, User),
    "user_web": (web_user_info, User),
    "comment": (comment, Comment),
    "music": (music, Music),
    "live": (live_room, Live),
}


def test_every_record_kind_of_the_endpoint_table_is_decodable() -> None:
    assert set(KINDS) == set(typing.get_args(RecordKind)) == set(SAMPLES)
    assert {e.record for e in ENDPOINTS if e.record} <= set(KINDS)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_kind_decodes_its_sample(kind: str) -> None:
    build, cls = SAMPLES[kind]
    raw = build()
    record = decode(kind, raw)
    assert type(record) is cls
    assert record.raw is raw


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("raw", [None, 1, "x", [], [{"aweme_id": "1"}], 2.5, True])
def test_not_a_dict_raises_decode_error(kind: str, raw: object) -> None:
    with pytest.raises(DecodeError) as info:
        decode(kind, raw)
    assert (info.value.raw, info.value.kind) == (raw, kind)
    assert isinstance(info.value, ValueError)
    assert "expected a JSON object" in str(info.value)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_empty_dict_has_no_id(kind: str) -> None:
    with pytest.raises(DecodeError, match="no usable"):
        decode(kind, {})


@pytest.mark.parametrize("bad_id", [None, "", 1.5, True, [1], {"a": 1}, -0.5])
def test_id_of_the_wrong_type_is_rejected(bad_id: object) -> None:
    with pytest.raises(DecodeError):
        decode("post", aweme(aweme_id=bad_id))
    with pytest.raises(DecodeError):
        decode("comment", comment(cid=bad_id))
    with pytest.raises(DecodeError):
        decode("user", mobile_user(uid=bad_id))


def test_ids_of_coercible_types_are_accepted() -> None:
    assert decode("post", aweme(aweme_id=2**65)).aweme_id == str(2**65)
    assert decode("post", aweme(aweme_id=7.0)).aweme_id == "7"
    assert decode("user", mobile_user(uid=-1)).uid == "-1"


def test_unknown_kind_is_a_value_error_not_a_decode_error() -> None:
    with pytest.raises(ValueError, match="unknown record kind") as info:
        decode("hashtag", {})
    assert not isinstance(info.value, DecodeError)
    with pytest.raises(ValueError, match="unknown record kind"):
        decode_many("posts", [])


def test_decode_many_sorts_items_into_records_and_undecodable() -> None:
    good, missing, not_dict = aweme(), {"desc": "no id"}, 42
    records, bad = decode_many("post", iter([good, missing, not_dict, aweme(aweme_id="2")]))
    assert [r.raw for r in records] == [good, {**aweme(), "aweme_id": "2"}]
    assert records[0].raw is good
    assert [(u.raw, u.kind) for u in bad] == [(missing, "post"), (not_dict, "post")]
    assert all(isinstance(u, Undecodable) and u.error for u in bad)
    assert "aweme_id" in bad[0].error


def test_decode_many_of_nothing() -> None:
    assert decode_many("user", []) == ([], [])


def test_internal_failure_becomes_decode_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Even a bug in a decoder must not crash a collection run.
    def broken(raw: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(models._DECODERS, "post", broken)
    with pytest.raises(DecodeError, match="RuntimeError: boom"):
        decode("post", aweme())
    records, bad = decode_many("post", [aweme()])
    assert (records, len(bad)) == ([], 1)


def test_public_surface() -> None:
    assert sorted(models.__all__) == sorted(
        [
            "BY_ENTITY",
            "KINDS",
            "CaptionSource",
            "CaptionTrack",
            "Cue",
            "cues_json",
            "cues_of",
            "RECORD_TYPES",
            "Comment",
            "DecodeError",
            "Hashtag",
            "Live",
            "Music",
            "Post",
            "Record",
            "Undecodable",
            "User",
            "decode_json",
            "decode_many_json",
            "decode",
            "decode_many",
            "hashtags_of",
        ]
    )
    for name in set(models.__all__) - {"KINDS", "Record"}:
        assert getattr(models, name).__doc__, name


def test_docstring_examples_run() -> None:
    import doctest

    result = doctest.testmod(models, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_each_record_type_names_its_entity_table_and_key_once() -> None:
    from tokarc.client.pagination import record_key
    from tokarc.store import ENTITIES
    from tokarc.store._sql import TABLES

    assert ENTITIES == ("post", "user", "comment", "music", "hashtag", "live")
    assert TABLES["post"] == ("posts", "aweme_id")
    assert TABLES["user"] == ("users", "uid")
    assert TABLES["hashtag"] == ("hashtags", "name")
    post = decode("post", aweme())
    assert (post.entity, post.table, post.key) == ("post", "posts", "aweme_id")
    assert record_key(post) == post.aweme_id
    user = models.User(uid="", sec_uid="MS4wLjABAAAAx")
    assert record_key(user) == "MS4wLjABAAAAx"  # no uid: the secUid identifies it
