"""Property tests: whatever JSON arrives, decoding never crashes.

Two strategies: fully random JSON (``decode_many`` must sort every item into records or
undecodable, never raise) and realistic items with random JSON substituted at random places
(the item keeps its id, so it must still decode into a record of the right kind).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokarc.models import KINDS, Hashtag, Post, decode, decode_many, hashtags_of

from ._samples import aweme, comment, live_room, mobile_user, music, web_user_info

SAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "post": aweme,
    "user": mobile_user,
    "user_web": web_user_info,
    "comment": comment,
    "music": music,
    "live": live_room,
}
# Where each kind's id lives; substituting there may rightly make an item undecodable.
ID_PATHS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "post": (("aweme_id",),),
    "user": (("uid",),),
    "user_web": (("user",), ("user", "id")),
    "comment": (("cid",),),
    "music": (("id",), ("id_str",), ("mid",)),
    "live": (("room_id",),),
}


def _keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*map(_keys_of, value.values()))
    if isinstance(value, list):
        return set().union(*map(_keys_of, value))
    return set()


# Real key names make random dicts hit the decoders' fields, not only the "unknown key" path.
KNOWN_KEYS = sorted(set().union(*(_keys_of(build()) for build in SAMPLES.values())))
ANY_CHAR = st.characters(exclude_categories=())  # surrogates, NUL and RTL marks included
text = st.text(ANY_CHAR, max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | text
    | st.sampled_from(["0", "1", "True", "False", "", "12", "-3", "1e3", "nan"])
)
keys = st.sampled_from([*KNOWN_KEYS, "aweme_info", "user_info", "lives", "rawdata"]) | text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=15,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``value`` (dict keys and list indexes) a value could be swapped in."""
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    found = []
    for key, child in children:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _put(root: Any, path: tuple[Any, ...], new: Any) -> None:
    for key in path[:-1]:
        root = root[key]
    root[path[-1]] = new


def _exercise(record: Any) -> None:
    """Everything a caller may do with a record must work too."""
    repr(record)
    record.to_dict()
    record.to_dict(raw=False)
    if isinstance(record, Post):
        tags = hashtags_of(record)
        assert all(isinstance(t, Hashtag) for t in tags)
        assert record.hashtags == [t.name for t in tags]


@pytest.mark.slow
@settings(max_examples=300)
@given(kind=st.sampled_from(KINDS), items=st.lists(json_values, max_size=5))
def test_random_json_never_raises(kind: str, items: list[Any]) -> None:
    records, bad = decode_many(kind, items)
    assert len(records) + len(bad) == len(items)
    for record in records:
        assert any(record.raw is item for item in items)
        _exercise(record)
    assert all(u.kind == kind and u.error for u in bad)


@pytest.mark.slow
@settings(max_examples=300)
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_realistic_item_with_junk_substituted_still_decodes(kind: str, data: st.DataObject) -> None:
    raw = SAMPLES[kind]()
    expected = decode(kind, SAMPLES[kind]())
    protected = ID_PATHS[kind]
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(raw) if not any(p[: len(i)] == i for i in protected)]
        _put(raw, data.draw(st.sampled_from(paths)), data.draw(json_values))
    record = decode(kind, raw)
    assert type(record) is type(expected)
    assert record.raw is raw
    assert _id_of(record) == _id_of(expected)
    _exercise(record)


def _id_of(record: Any) -> str:
    name = {"Post": "aweme_id", "User": "uid", "Comment": "cid", "Music": "music_id"}
    return str(getattr(record, name.get(type(record).__name__, "room_id")))


@pytest.mark.slow
@given(desc=text, extra=st.lists(json_values, max_size=4))
def test_odd_captions_and_text_extra(desc: str, extra: list[Any]) -> None:
    post = decode("post", aweme(desc=desc, text_extra=extra))
    assert post.desc == desc
    assert len(set(post.hashtags)) == len(post.hashtags)
    assert all(h == h.lower() for h in post.hashtags)
    _exercise(post)
