"""Pinned bytes: a fixed list of requests must keep answering exactly as it did.

Guards the speed work (caches, pre-encoded pages, cheaper hashing): for a given seed and clock
the emulator's status, headers and body must not change by a single byte. If a change of the
world is intended, regenerate the digests with ``python tests/emulator/test_golden_bytes.py``.
"""

from __future__ import annotations

import hashlib
import socket
from typing import Any

import pytest

from tokarc.emulator import Emulator, serve_in_thread
from tokarc.emulator import _fixtures as F

ZACH = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")
OPEN = next(u for u in F.FIXTURE_USERS if not u.private_likes and not u.private)
CASES: list[tuple[str, dict[str, Any]]] = [
    ("/apis/tt/hashtag/posts", {"name": "magic"}),
    ("/apis/tt/hashtag/posts", {"name": "magic", "cursor": "40"}),
    ("/apis/tt/hashtag/posts", {"name": "cats", "cursor": "100"}),
    ("/apis/tt/hashtag/posts", {"name": "magic", "cursor": "40"}),  # a cached page
    ("/apis/tt/hashtag/posts", {"name": "#Tesla"}),
    ("/apis/tt/hashtag/posts", {"name": "emptytag"}),
    ("/apis/tt/hashtag/recent-posts", {"name": "chess", "days": "2"}),
    ("/apis/tt/keyword/search", {"name": "tesla", "period": "180", "cursor": "20"}),
    ("/apis/tt/keyword/full-search", {"name": "quiet tag", "period": "7"}),
    ("/apis/tt/user/posts", {"username": "zachking", "depth": "2"}),
    ("/apis/tt/user/posts-from-secuid", {"secUid": ZACH.sec_uid, "depth": "1"}),
    ("/apis/tt/user/info", {"username": "zachking"}),
    ("/apis/tt/user/info-from-secuid", {"secUid": ZACH.sec_uid, "alternative_method": "true"}),
    ("/apis/tt/user/search", {"keyword": "sunny"}),
    (
        "/apis/tt/post/info",
        {"url": "https://www.tiktok.com/@daviddobrik/video/7165262254722534698"},
    ),
    ("/apis/tt/post/multi-info", {"ids": "7210531475052236078;7102806710334606597"}),
    ("/apis/tt/post/comments", {"aweme_id": "6849400000000", "cursor": "30"}),
    (
        "/apis/tt/post/comments-replies",
        {"aweme_id": "6849400000000", "comment_id": "6930120000000"},
    ),
    ("/apis/tt/music/info", {"name": "classical", "sorting": "1"}),
    ("/apis/tt/music/posts", {"music_id": "6874200777853661442", "cursor": "20"}),
    ("/apis/tt/music/details", {"id": "7063948643480488709"}),
    ("/apis/tt/user/followers", {"id": ZACH.uid, "secUid": ZACH.sec_uid}),
    ("/apis/tt/user/followings", {"id": ZACH.uid, "secUid": ZACH.sec_uid, "cursor": "0"}),
    ("/apis/tt/user/liked-posts", {"secUid": OPEN.sec_uid, "cursor": "30"}),
    ("/apis/tt/live/search", {"keyword": "music", "country": "us"}),
    ("/apis/tt/keyword/search", {"name": "tesla", "period": "7", "country": "XX"}),
    ("/apis/tt/hashtag/posts", {"cursor": "x"}),
    ("/apis/tt/nope", {}),
    ("/apis/customer/get-used-units", {"date": "2026-11-01"}),
    ("/apis/customer/get-history", {"days": "3"}),
    ("/_emulator/stats", {}),
    ("/_emulator/world", {}),
]
# (seed, seconds the clock is advanced, emulator settings) -> digest of every case's reply
WORLDS: list[tuple[int, int, dict[str, Any]]] = [
    (0, 0, {}),
    (0, 3_700, {}),
    (7, 0, {}),
    (1, 0, {"error_rate": 0.2, "rate_limit_rate": 0.1, "malformed_rate": 0.2}),
]
GOLDEN: dict[str, list[str]] = {
    "0@0": [
        "2802ad181a70fff7",
        "d0a8e6e443258b49",
        "3de4d720b9f68d69",
        "d0a8e6e443258b49",
        "cff7cc273a5fc558",
        "5a5bca7bb8145fdc",
        "1640d14bcb64ae10",
        "74476c32488face7",
        "5a5bca7bb8145fdc",
        "a3eb097292d05d3d",
        "f4c0d0a5261a1df6",
        "2f78cc66af4ea9f2",
        "8939d9218b6209b6",
        "386d9550e45d3519",
        "bb022e3147abcd6b",
        "140546e7b74b04cc",
        "18c29f357482dd1f",
        "13eb005baeb4ede7",
        "d0d89b6c3c6e12b3",
        "15873e10e06a7991",
        "26e7046a1f15df82",
        "cfd4ec455bebcb6a",
        "127c81eee5231121",
        "3c09247a68b27f1e",
        "13226e0536bfa560",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "3b9a1c374a2a8875",
    ],
    "0@3700": [
        "c762287aa2f382ed",
        "018ec9f763d9c9d1",
        "68013e30d370e743",
        "018ec9f763d9c9d1",
        "445e88efa8d0af73",
        "5a5bca7bb8145fdc",
        "00ff490098382f1b",
        "4d580d3009530ecd",
        "5a5bca7bb8145fdc",
        "c57c0b9959ccea9b",
        "992fbefe263ac55b",
        "6b8c2e4d62fb6fb7",
        "e8a9f8baf65e79d9",
        "17c297483162166b",
        "3b76c08ff2386710",
        "9cc52f345d4feb6c",
        "f8588aaf083897e5",
        "f415a131e8906684",
        "66577e236142d909",
        "447cb37a47f3f4eb",
        "a7c714ad0ed1b9b1",
        "c1aa91f92b6cecc1",
        "730a29244b13cacc",
        "b0a905800c5ca2c5",
        "81797e70c5abdcf2",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "c1df8afc35939bef",
    ],
    "7@0": [
        "0da0d2820779d434",
        "e45f6218fd3615d8",
        "f8378c6392134c41",
        "e45f6218fd3615d8",
        "6967778e5f52d4a5",
        "5a5bca7bb8145fdc",
        "22a24d597ffec169",
        "74b6ea0860f006ee",
        "5a5bca7bb8145fdc",
        "c106f520140e823b",
        "887f8a68687bbb46",
        "2f78cc66af4ea9f2",
        "8294e2f38f2a91d0",
        "6974ef8cd083b607",
        "e1ce45a6c5c92502",
        "46095efb3481805b",
        "34bc7a4121310356",
        "17d5e6fc65489492",
        "2134c0575b8f03e2",
        "02c7e97af85fa756",
        "1f7c1557d7741cc5",
        "0f75254208d7118e",
        "0dcd02585329770e",
        "eff0f01c1a8cb1ac",
        "a098c55c9c66756f",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "53bfa642fb302e6f",
    ],
    "1@0": [
        "c0aed3bdafdf14be",
        "fefb2d5b58f3c0a2",
        "fefb2d5b58f3c0a2",
        "2510c2b2011d39a0",
        "980d886f9bda3018",
        "fefb2d5b58f3c0a2",
        "9a97e87cf5734a72",
        "95e3729354a6f9cf",
        "5a5bca7bb8145fdc",
        "d979bb24d96f49bc",
        "b7e09cebd8efc94d",
        "980d886f9bda3018",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "be5463b346170f6c",
        "e0b9e20a62f516f7",
        "980d886f9bda3018",
        "b0275fcc8c240800",
        "c08a6c5217569e17",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "cb77879a7e34f6fe",
        "e16edcd8465fe68e",
        "0c82c817c1ea1abe",
        "c2e5d7b138b12388",
        "fefb2d5b58f3c0a2",
        "85b5d1b887518316",
        "80c96e25b18e00c6",
        "fefb2d5b58f3c0a2",
        "d86f9f6b64723784",
        "806d3b7a5689e59a",
    ],
    "http": [
        "6ffcb85a7add1930",
        "6ffcb85a7add1930",
        "4ce3f6e963d8c7cb",
        "6fa50357dafd98e9",
        "829c9d43d5b52b3f",
        "496925aa86b639ed",
        "101e52cdf9eafe0a",
        "2a6d6120718cb430",
        "53a7a93b6535e7d1",
        "a8987b638ebe21cc",
    ],
}


def reply_digest(status: int, headers: Any, body: bytes) -> str:
    head = f"{status}\n" + "".join(f"{k}: {v}\n" for k, v in headers)
    return hashlib.sha256(head.encode() + body).hexdigest()[:16]


def world_digests(seed: int, advance: int, settings: dict[str, Any]) -> list[str]:
    emu = Emulator(seed=seed, **settings)
    emu.clock.advance(advance)
    out = []
    for path, params in CASES:
        fault = emu.plan(path)
        query = {"token": "t", **params} if path.startswith("/apis") else params
        reply = (
            emu.apply(fault, path, query)
            if path.startswith("/apis")
            else emu.respond("GET", path, query)
        )
        out.append(reply_digest(reply.status, reply.headers, reply.body))
    return out


@pytest.mark.parametrize(("seed", "advance", "settings"), WORLDS)
def test_replies_keep_their_bytes(seed: int, advance: int, settings: dict[str, Any]) -> None:
    expected = GOLDEN[f"{seed}@{advance}"]
    got = world_digests(seed, advance, settings)
    diffs = [(CASES[i], e, g) for i, (e, g) in enumerate(zip(expected, got, strict=True)) if e != g]
    assert not diffs


def raw_get(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    return b"".join(chunks)


def http_digest(raw: bytes) -> str:
    """The status line, headers (less date and server) and body of a raw HTTP/1.1 answer."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith((b"date:", b"server:"))]
    return hashlib.sha256(b"\n".join(lines).lower() + b"\n\n" + body).hexdigest()[:16]


HTTP_TARGETS = [
    "/apis/tt/hashtag/posts?name=magic&cursor=20&token=t",
    "/apis/tt/hashtag/posts?name=magic&cursor=20&token=t",
    "/apis/tt/hashtag/posts?name=magic&cursor=20&token=t&cursor=40",
    "/apis/tt/hashtag/posts?name=m%61gic&token=t",
    "/apis/tt/hashtag/posts/?name=magic&token=t",
    "/apis/tt/hashtag/posts?name=magic",
    "/apis/tt/user/posts?username=zachking&depth=1&token=t",
    "/apis/nope?token=t",
    "/_emulator/health",
    "/_emulator/clock",
]


def http_digests() -> list[str]:
    with serve_in_thread(Emulator(seed=0)) as base_url:
        port = int(base_url.rsplit(":", 1)[1].split("/")[0])
        return [http_digest(raw_get(port, target)) for target in HTTP_TARGETS]


def test_http_answers_keep_their_bytes() -> None:
    assert http_digests() == GOLDEN["http"]


if __name__ == "__main__":
    for seed, advance, settings in WORLDS:
        print(f'    "{seed}@{advance}": {world_digests(seed, advance, settings)!r},')
    print(f'    "http": {http_digests()!r},')
