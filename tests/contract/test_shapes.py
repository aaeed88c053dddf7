"""Contract tests: the emulator's responses and the client's extraction against ``shapes.json``.

``shapes.json`` is written by hand from shared/API.md, not from the endpoint table. The emulator
builds its bodies from the table and the client reads them through the table, so a wrong key in
the table would pass every round-trip test; here each side is checked against the documented
shape on its own: the emulator must serve it, and the client must read it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import tokarc
from models import _samples as S  # tests/ is on sys.path: the sibling test package
from tokarc.api import endpoints as E
from tokarc.client import pagination
from tokarc.emulator import Emulator
from tokarc.emulator import _fixtures as F

SHAPES: dict[str, dict[str, Any]] = {
    name: spec
    for name, spec in json.loads((Path(__file__).parent / "shapes.json").read_text()).items()
    if not name.startswith("_")
}
PAGED = sorted(name for name, spec in SHAPES.items() if "cursor" in spec)

# The official SDK's method name -> tokarc's paginator over it (the documented public names).
ITERATORS = {
    "hashtag_search": "iter_hashtag_posts",
    "keyword_search": "iter_keyword_posts",
    "user_posts_from_username": "iter_user_posts",
    "user_posts_from_secuid": "iter_user_posts_from_secuid",
    "user_search": "iter_user_search",
    "post_comments": "iter_comments",
    "post_comment_replies": "iter_replies",
    "music_search": "iter_music_search",
    "music_posts": "iter_music_posts",
    "user_followers": "iter_followers",
    "user_followings": "iter_followings",
    "user_liked_posts": "iter_liked_posts",
    "lives_search": "iter_lives",
}

# The key that identifies each kind of record in the raw JSON (API.md section 2).
ID_KEYS = {
    "$aweme": "aweme_id",
    "$user": "uid",
    "$comment": "cid",
    "$music": "mid",
    "$live": "room_id",
    "$web_user": "user",
}

ZACH = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")
OPEN_LIKES = next(u for u in F.FIXTURE_USERS if not u.private_likes and not u.private)
PLACEHOLDERS = {
    "{zach_uid}": ZACH.uid,
    "{zach_sec_uid}": ZACH.sec_uid,
    "{open_likes_sec_uid}": OPEN_LIKES.sec_uid,
    "{david_post_url}": F.DAVID_POST_URL,
    "{multi_ids}": ";".join(F.MULTI_POST_IDS),
    "{commented_post}": str(F.COMMENTED_POST),
    "{replied_comment}": str(F.REPLIED_COMMENT),
}


def dig(body: Any, path: list[str]) -> Any:
    for key in path:
        assert isinstance(body, dict), f"{path}: {key!r} is not under an object"
        assert key in body, f"{key!r} missing at {path} (keys: {sorted(body)})"
        body = body[key]
    return body


def query_of(spec: dict[str, Any], which: str = "query") -> dict[str, str]:
    query = {}
    for key, value in spec.get(which, spec["query"]).items():
        for placeholder, real in PLACEHOLDERS.items():
            value = value.replace(placeholder, real)
        query[key] = value
    return query


# -- the emulator serves the documented shapes ---------------------------------------------------


@pytest.fixture(scope="module")
def served() -> httpx.Client:
    return httpx.Client(transport=Emulator(seed=0).transport(), base_url="http://emulator.test")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_emulator_serves_the_documented_shape(served: httpx.Client, name: str) -> None:
    spec = SHAPES[name]
    response = served.get("/apis" + spec["path"], params={"token": "t", **query_of(spec)})
    assert response.status_code == 200, response.text[:300]
    assert "units_charged" in response.headers
    body = response.json()
    assert "data" in body
    if "single" in spec:
        record = dig(body, spec["single"])
        assert isinstance(record, dict)
        assert ID_KEYS[spec["record"]] in record or spec["record"] == "$music"
        for key in spec.get("keys", ()):
            assert key in record, f"{key!r} missing in {sorted(record)}"
        return
    items = dig(body, spec["list"])
    assert isinstance(items, list), f"{spec['list']} is not a list"
    assert items, "the fixture call returns items"
    for item in items:
        record = item[spec["wrapper"]] if "wrapper" in spec else item
        assert ID_KEYS[spec["record"]] in record, sorted(record)
    container = dig(body, spec["list"][:-1]) if len(spec["list"]) > 1 else body
    for key in spec.get("keys", ()):
        assert key in container
    if "cursor" in spec:
        assert dig(body, spec["cursor"]) is not None, "the first page of the fixture has more"
    if "token" in spec:
        assert isinstance(dig(body, spec["token"]), str)


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGED)
def test_the_emulator_omits_the_cursor_on_the_last_page(served: httpx.Client, name: str) -> None:
    spec = SHAPES[name]
    query, seen = query_of(spec, "end_query"), 0
    for _ in range(400):  # bounded: every fixture feed ends before (a hashtag: ~250 pages)
        body = served.get("/apis" + spec["path"], params={"token": "t", **query}).json()
        seen += len(dig(body, spec["list"]))
        holder = dig(body, spec["cursor"][:-1]) if len(spec["cursor"]) > 1 else body
        if spec["cursor"][-1] not in holder:
            break
        query[spec["send_cursor"]] = str(holder[spec["cursor"][-1]])
        if "token" in spec:
            query[spec["send_token"]] = dig(body, spec["token"])
    else:
        pytest.fail("the feed never ended")
    assert seen > 0


# -- the client reads the documented shapes ------------------------------------------------------


def sample_record(kind: str, n: int) -> dict[str, Any]:
    ident = str(7300000000000000000 + n)
    if kind == "$aweme":
        return S.aweme(aweme_id=ident, group_id=ident)
    if kind == "$user":
        return S.mobile_user(uid=ident, unique_id=f"user{n}")
    if kind == "$comment":
        return S.comment(cid=ident)
    if kind == "$music":
        return S.music(id=int(ident), id_str=ident, mid=ident)
    if kind == "$live":
        return S.live_room(room_id=int(ident))
    assert kind == "$web_user"
    return S.web_user_info()


def put(body: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        body = body.setdefault(key, {})
    body[path[-1]] = value


def documented_body(spec: dict[str, Any], first: int, count: int, more: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if "single" in spec:
        record = sample_record(spec["record"], first)
        put(body, spec["single"], record)
        return body
    records = [sample_record(spec["record"], first + i) for i in range(count)]
    items = [{spec["wrapper"]: r, "type": 1} for r in records] if "wrapper" in spec else records
    put(body, spec["list"], items)
    if more and "cursor" in spec:
        put(body, spec["cursor"], 123)
        if "token" in spec:
            put(body, spec["token"], "opaque-token-2")
    return body


class DocumentedAPI:
    """Serves bodies of the documented shape: two records, then one more and no cursor."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.path == "/apis" + self.spec["path"]
        sent = request.url.params.get(self.spec.get("send_cursor", ""), "0")
        later = sent not in ("", "0")
        body = documented_body(self.spec, 3 if later else 1, 1 if later else 2, more=not later)
        return httpx.Response(200, json=body, headers={"units_charged": "1"})


def client_for(api: DocumentedAPI) -> tokarc.Client:
    return tokarc.Client(
        "t", base_url="http://api.test/apis", transport=httpx.MockTransport(api),
        retry=tokarc.RetryPolicy.instant(),
    )  # fmt: skip


def ids_of(records: list[Any]) -> list[str]:
    keys = ("cid", "aweme_id", "music_id", "room_id", "uid")
    return [
        str(next(getattr(r, k) for k in keys if getattr(r, k, None) is not None)) for r in records
    ]


@pytest.mark.parametrize("name", PAGED)
def test_the_paginator_reads_items_and_follows_the_documented_cursor(name: str) -> None:
    spec, api = SHAPES[name], DocumentedAPI(SHAPES[name])
    with client_for(api) as client:
        records = list(getattr(client.tiktok, ITERATORS[name])(**F.example_calls()[name]))
    assert ids_of(records) == [str(7300000000000000000 + n) for n in (1, 2, 3)]
    assert len(api.requests) == 2
    second = api.requests[1].url.params
    assert second[spec["send_cursor"]] == "123"
    if "token" in spec:
        assert second[spec["send_token"]] == "opaque-token-2"


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_one_call_reads_the_documented_body(name: str) -> None:
    spec, api = SHAPES[name], DocumentedAPI(SHAPES[name])
    with client_for(api) as client:
        response = getattr(client.tiktok, name)(**F.example_calls()[name])
    body = documented_body(spec, 1, 2, more=True)
    assert response.data == (body if spec.get("sdk_top_level") else body["data"])
    records, bad, _ = pagination.decode_page(E.BY_NAME[name], response)
    assert bad == []
    expected = 1 if "single" in spec else 2
    assert len(records) == expected
    if spec["record"] != "$web_user":
        assert ids_of(records)[:1] == [str(7300000000000000001)]
