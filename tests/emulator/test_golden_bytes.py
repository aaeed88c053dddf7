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
        "b4d4e6914d43ebbf",
        "16a1a4842d559551",
        "2bd398c4ef66dc3c",
        "16a1a4842d559551",
        "be4447401d184387",
        "5a5bca7bb8145fdc",
        "0b1adb893b65c61c",
        "cc994ca3f69542b5",
        "5a5bca7bb8145fdc",
        "89754db9f6dd3d43",
        "d3c0bdddc5de031a",
        "0ae1d77e6fd9171e",
        "336cf31afa2575c3",
        "b9f66799b5f7dd20",
        "efef45e0c3ee8cdb",
        "51e80accde905f76",
        "4d57bde3554adad7",
        "f4d01bef9a3ec96f",
        "da87046964dda4cf",
        "a438ca8ce8f633a4",
        "aba62ce5cf286d9a",
        "9d10025acb634d2f",
        "4322188bfc907172",
        "6298ee800d0bfe08",
        "b613626c4c139677",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "3b9a1c374a2a8875",
    ],
    "0@3700": [
        "7ea11c1cfa9901db",
        "741335f33ece178e",
        "10c0d7e6d3309aa3",
        "741335f33ece178e",
        "3f6a5c7d668faf3a",
        "5a5bca7bb8145fdc",
        "8fa8588aa583ce3f",
        "16ff8e3ee5c57e11",
        "5a5bca7bb8145fdc",
        "d8b10915191b1751",
        "1b60f31792fda4f6",
        "0ae1d77e6fd9171e",
        "336cf31afa2575c3",
        "b9f66799b5f7dd20",
        "e5855772dd54a445",
        "28740f95426d7546",
        "4d57bde3554adad7",
        "f4d01bef9a3ec96f",
        "21d8f1c538b7ab0b",
        "502ced494a8776a4",
        "06a9c4eec7058119",
        "9d10025acb634d2f",
        "4322188bfc907172",
        "b8790370d05e7a81",
        "4d1d183a2cc23f77",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "c1df8afc35939bef",
    ],
    "7@0": [
        "1e41e6be96996828",
        "b8c2243052d03033",
        "c835a329924af4d4",
        "b8c2243052d03033",
        "a25626700b94902d",
        "5a5bca7bb8145fdc",
        "a2c04699f4eff243",
        "498a566f10b38f2a",
        "5a5bca7bb8145fdc",
        "9b549d48e447437c",
        "9bbb7e557388eb94",
        "0ae1d77e6fd9171e",
        "2d38512775e7ce75",
        "b0202ceafb199235",
        "5f6bc83661ffe210",
        "d9edc267554c317a",
        "395bc847e172ba75",
        "81ca91876f7231e2",
        "506aa9503e29d54e",
        "0c10151d30210d28",
        "c615a120cfb3370c",
        "a8a4f374e946f636",
        "091906826c533ca0",
        "d7e59894b1a80d12",
        "d354a0a2219a62a8",
        "de9cc5e779bc686c",
        "38e043abc19c56ba",
        "85b5d1b887518316",
        "8e33a90b1999f75e",
        "db1f3afa6ffe7249",
        "294205bf19c2f9da",
        "53bfa642fb302e6f",
    ],
    "1@0": [
        "a4c5b188675d7cd9",
        "fefb2d5b58f3c0a2",
        "fefb2d5b58f3c0a2",
        "38f3e40e4f41530d",
        "980d886f9bda3018",
        "fefb2d5b58f3c0a2",
        "9a97e87cf5734a72",
        "fb369ca980df5d09",
        "5a5bca7bb8145fdc",
        "8527a56c2f6d11c0",
        "143d63d2fbdea56d",
        "980d886f9bda3018",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "f623b496e4b2c75e",
        "f1fc21094240c6cc",
        "980d886f9bda3018",
        "25d275b3bcd1564c",
        "e454f6b52682d0c4",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "9a97e87cf5734a72",
        "173a7f7c3b5692fa",
        "9e92c125228a4777",
        "4eadc4fcaa6593b7",
        "c2e5d7b138b12388",
        "fefb2d5b58f3c0a2",
        "85b5d1b887518316",
        "80c96e25b18e00c6",
        "fefb2d5b58f3c0a2",
        "d86f9f6b64723784",
        "806d3b7a5689e59a",
    ],
    "http": [
        "c8562e592d8a42dc",
        "c8562e592d8a42dc",
        "dd0e63ff5744fc5d",
        "030e9aa3c8f1c935",
        "829c9d43d5b52b3f",
        "496925aa86b639ed",
        "48e3f5e77d6c4434",
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
