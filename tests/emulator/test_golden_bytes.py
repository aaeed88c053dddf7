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
        "54eb2019c5d79ac1",
        "2a0286db37c5cc62",
        "ab6eaa4c7010b1ad",
        "2a0286db37c5cc62",
        "26cc1494b03bbc85",
        "5a5bca7bb8145fdc",
        "8fb7f50b43eb694b",
        "85db1387630a178e",
        "5a5bca7bb8145fdc",
        "fe317f52e5ad8093",
        "2288976ba113f1b9",
        "f98ae9da533c6442",
        "ff34249af7bcbc9f",
        "e6957ee69824cc21",
        "fd860600450704a5",
        "16f286b806a35ebd",
        "5a7358fc9ae974ae",
        "3aaa6f18eaed7aff",
        "61b7abdbc4bacfa5",
        "82302bccf6cd3c21",
        "7a235ac929b511f9",
        "c03a45bad564b2d1",
        "bdc7d77f8074b9f2",
        "8c625e9f8f426b5b",
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
        "989bf47f161b92df",
        "96ab16a3a5993ceb",
        "a3d32cf8504dab1c",
        "96ab16a3a5993ceb",
        "7606355d9f56298b",
        "5a5bca7bb8145fdc",
        "3efa3cd55647e721",
        "6eb0d035a8e99655",
        "5a5bca7bb8145fdc",
        "6bcd821c53c1e36c",
        "6ca1d0b57eef23c7",
        "d597b36cd7018595",
        "068e42baee3d8371",
        "b741284f161d7356",
        "8f4a8d61a3d7022b",
        "00594d3f934748c7",
        "81e1ed6711523db0",
        "ca273ed6bd619ab2",
        "7fcd3fda44029fd5",
        "5a50bdbec0c739a0",
        "0659e1b37de1b56a",
        "498a4731aa745974",
        "b66f4b177e9df87e",
        "2ce3ecff014555d4",
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
        "3006e2f7eef65fdf",
        "a421e9b10089cf3d",
        "e6a7c63efbad4ca6",
        "a421e9b10089cf3d",
        "f371c1d907a9ec28",
        "5a5bca7bb8145fdc",
        "81d70c5bb4602697",
        "26bcea8cf5f6afd6",
        "5a5bca7bb8145fdc",
        "0b4abc923dd5f255",
        "9f8aff2cd5ea3a95",
        "f98ae9da533c6442",
        "8d4e234a00d343ba",
        "879b65380f9ef1ee",
        "85cbc775cc96ae7a",
        "cab2ec7d6c8fc354",
        "cbc987ec3e63d2e7",
        "a09e58fe5596b005",
        "7026bbf5735f84e6",
        "3808546077e516c8",
        "fd52d9ccee3acf81",
        "101501e3b416e4b3",
        "a33c114cf4e9a5f6",
        "50e47be857f639c3",
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
        "374971795dcf6e3e",
        "fefb2d5b58f3c0a2",
        "fefb2d5b58f3c0a2",
        "e486b46c20ba1df8",
        "980d886f9bda3018",
        "fefb2d5b58f3c0a2",
        "9a97e87cf5734a72",
        "dfa9739467bd50c0",
        "5a5bca7bb8145fdc",
        "a65d890d72a170db",
        "dce9f0412e60ee49",
        "980d886f9bda3018",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "d5bf1d3506dfc232",
        "8ee20df38e43ac54",
        "980d886f9bda3018",
        "b1b2dd2a521048c0",
        "90f1297d2724f8a0",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "57164610e0127336",
        "ff66b7baadfed563",
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
        "e07038156323fc55",
        "e07038156323fc55",
        "6d2804774374f316",
        "3d7246131cd40883",
        "829c9d43d5b52b3f",
        "496925aa86b639ed",
        "e8503b75b90b240c",
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
