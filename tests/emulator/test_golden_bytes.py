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
        "c35ad5dc601716d1",
        "a21896dbcd2e0dc5",
        "70dd4e5c6a197001",
        "a21896dbcd2e0dc5",
        "045c99aec774ab0e",
        "5a5bca7bb8145fdc",
        "3632173ea978d6bd",
        "9ece76a9d73da7fd",
        "5a5bca7bb8145fdc",
        "3f0e96de842ce588",
        "b2ed0007836d0735",
        "f98ae9da533c6442",
        "ff34249af7bcbc9f",
        "e6957ee69824cc21",
        "19e1874790b51dbb",
        "3798814120ae5d1e",
        "5a7358fc9ae974ae",
        "3aaa6f18eaed7aff",
        "61b7abdbc4bacfa5",
        "df83014f112422e2",
        "7a235ac929b511f9",
        "c03a45bad564b2d1",
        "bdc7d77f8074b9f2",
        "4dd5f7f1468a7550",
        "e2d8f6afebaef547",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "3b9a1c374a2a8875",
    ],
    "0@3700": [
        "5440e8cc966ac3ba",
        "dfc3dd69e3b3c3ed",
        "8545fe005ea7747d",
        "dfc3dd69e3b3c3ed",
        "7e3682b2d7c01d11",
        "5a5bca7bb8145fdc",
        "121e2fa04ee6808c",
        "d74d0892cceb4b74",
        "5a5bca7bb8145fdc",
        "beea426f6034cc51",
        "c760fbcf7067e42b",
        "d597b36cd7018595",
        "068e42baee3d8371",
        "b741284f161d7356",
        "e6829e99a6acaaa8",
        "9c60e6e1462d75cb",
        "81e1ed6711523db0",
        "ca273ed6bd619ab2",
        "7fcd3fda44029fd5",
        "e42c932194cdab41",
        "0659e1b37de1b56a",
        "498a4731aa745974",
        "b66f4b177e9df87e",
        "46d9ca58629d3db8",
        "9589df8d178bab71",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "c1df8afc35939bef",
    ],
    "7@0": [
        "706e9c2744283f45",
        "fa278496dd576c31",
        "541ce6d4a11fdd8f",
        "fa278496dd576c31",
        "a73e71dbf58d2778",
        "5a5bca7bb8145fdc",
        "0e97ff2597fe5ee8",
        "3f1b8fc43f0bdd99",
        "5a5bca7bb8145fdc",
        "fa439d691ca98fbc",
        "2325d0f15293160c",
        "f98ae9da533c6442",
        "8d4e234a00d343ba",
        "879b65380f9ef1ee",
        "3171210aedea4922",
        "a46b8149218a0d13",
        "cbc987ec3e63d2e7",
        "a09e58fe5596b005",
        "7026bbf5735f84e6",
        "f7b26e7e45dc532e",
        "fd52d9ccee3acf81",
        "101501e3b416e4b3",
        "a33c114cf4e9a5f6",
        "ad07b762edd11418",
        "94290fdef9864433",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "53bfa642fb302e6f",
    ],
    "1@0": [
        "78eef1a960fae81a",
        "fefb2d5b58f3c0a2",
        "fefb2d5b58f3c0a2",
        "7caf8bcdd43aff5e",
        "980d886f9bda3018",
        "fefb2d5b58f3c0a2",
        "9a97e87cf5734a72",
        "6b68cf6d122aaa82",
        "5a5bca7bb8145fdc",
        "d0110e72be95dbd1",
        "a9080fa09ed295da",
        "980d886f9bda3018",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "3eca65227dca8079",
        "3f93f8f6c5ae64fe",
        "980d886f9bda3018",
        "b1b2dd2a521048c0",
        "90f1297d2724f8a0",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "57164610e0127336",
        "5535a1b03b7c8e4c",
        "96713ef0eb01d10b",
        "c2e5d7b138b12388",
        "fefb2d5b58f3c0a2",
        "85b5d1b887518316",
        "80c96e25b18e00c6",
        "fefb2d5b58f3c0a2",
        "d86f9f6b64723784",
        "806d3b7a5689e59a",
    ],
    "http": [
        "60649827f6d8ae55",
        "60649827f6d8ae55",
        "4c1d0a69a8b6587c",
        "91a31d336544c932",
        "829c9d43d5b52b3f",
        "496925aa86b639ed",
        "cfa905faf32d83fc",
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
