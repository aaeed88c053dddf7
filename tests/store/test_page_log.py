"""The page log: each response body stored once, compressed, byte for byte; rows point into it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.collect import Collector, JobSpec
from tokarc.dataset.export import export
from tokarc.emulator import Emulator
from tokarc.models import decode
from tokarc.store import Batch, Store

BASE = "http://emulator.test/apis"


class Recording:
    """The emulator's transport, keeping every API body it sent, in order."""

    def __init__(self, emulator: Emulator) -> None:
        self.inner = emulator.transport()
        self.bodies: list[tuple[str, bytes]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        if "/apis/" in request.url.path:
            self.bodies.append((request.url.path, body))
        return httpx.Response(response.status_code, headers=response.headers, content=body)


@pytest.fixture
def collected(store_url: str, emulator: Emulator) -> Iterator[tuple[Store, Recording]]:
    recording = Recording(emulator)
    transport = httpx.MockTransport(recording.handle)
    retry = tokarc.RetryPolicy.instant(attempts=4)
    with open_store(store_url) as store:
        with tokarc.Client("t", base_url=BASE, transport=transport, retry=retry) as client:
            Collector(client, store).run(JobSpec.build("hashtag", "magic", max_items=50))
        yield store, recording


def _items(body: bytes) -> list[dict[str, Any]]:
    return list(json.loads(body)["data"]["data"])


def test_each_page_keeps_the_body_it_was_sent_byte_for_byte(
    collected: tuple[Store, Recording],
) -> None:
    store, recording = collected
    pages = store.db.query("SELECT id, codec FROM pages ORDER BY id")
    assert len(pages) == len(recording.bodies) == 3
    for (page_id, codec), (_, sent) in zip(pages, recording.bodies, strict=True):
        assert codec == "zstd"
        assert store.page_body(page_id) == sent


def test_a_page_is_stored_compressed(collected: tuple[Store, Recording]) -> None:
    store, recording = collected
    page_id = store.db.query("SELECT MIN(id) FROM pages")[0][0]
    (stored,) = store.db.query("SELECT body FROM pages WHERE id = ?", (page_id,))[0]
    assert len(bytes(stored)) * 4 < len(recording.bodies[0][1])


def test_rows_hold_no_copy_of_the_json_but_a_pointer(collected: tuple[Store, Recording]) -> None:
    store, _ = collected
    for table in ("posts", "users", "music"):
        rows = store.db.query(f"SELECT raw, raw_page, last_page FROM {table}")
        assert rows
        assert {raw for raw, _, _ in rows} == {""}
        assert all(page is not None for _, page, _ in rows)


def test_a_record_reads_back_as_the_item_it_came_as(collected: tuple[Store, Recording]) -> None:
    store, recording = collected
    sent = {str(item["aweme_id"]): item for _, body in recording.bodies for item in _items(body)}
    stored = [row[0] for row in store.db.query("SELECT aweme_id FROM posts")]
    assert len(stored) == 50
    for aweme_id in stored:
        raw = store.raw("post", aweme_id)
        assert raw is not None
        assert json.loads(raw) == sent[aweme_id]
        assert raw in recording_body(recording)  # the very bytes, not a re-encoding


def recording_body(recording: Recording) -> bytes:
    return b"".join(body for _, body in recording.bodies)


def test_an_embedded_author_and_sound_read_back_from_their_post(
    collected: tuple[Store, Recording],
) -> None:
    store, recording = collected
    item = _items(recording.bodies[0][1])[0]
    author, music = item["author"], item["music"]
    assert json.loads(store.raw("user", str(author["uid"])) or b"") == author
    assert json.loads(store.raw("music", str(music["id"])) or b"") == music


def test_the_records_a_page_kept_are_recorded_with_it(store_url: str, emulator: Emulator) -> None:
    with open_store(store_url) as store:
        client = tokarc.Client("t", base_url=BASE, transport=emulator.transport())
        with client:
            Collector(client, store).run(JobSpec.build("hashtag", "magic", max_items=7))
        ((context, body),) = store.db.query("SELECT context, body FROM pages")
        kept = (json.loads(context) if isinstance(context, str) else context)["kept"]
        sent = _items(store.page_body(1) or b"")
        assert body is not None
        assert len(sent) > 7
        assert kept == [str(item["aweme_id"]) for item in sent[:7]]


def test_records_saved_without_a_body_keep_their_json(store_url: str) -> None:
    item = {"aweme_id": "77", "desc": "by hand", "author": {"uid": "5", "unique_id": "me"}}
    with open_store(store_url) as store:
        store.save_page(Batch(endpoint="/tt/post/info", records=[decode("post", item)]))
        raw, page = store.db.query("SELECT raw, raw_page FROM posts")[0]
        assert page is None
        assert json.loads(raw) == item
        assert json.loads(store.raw("post", "77") or b"") == item
        assert store.page_body(1) is None
        assert store.raw("post", "78") is None


def test_a_jsonl_export_writes_the_json_from_the_log(collected: tuple[Store, Recording]) -> None:
    store, _ = collected
    out = io.StringIO()
    assert export(store, "posts", out, "jsonl") == 50
    lines = out.getvalue().splitlines()
    ids = sorted(row[0] for row in store.db.query("SELECT aweme_id FROM posts"))
    assert lines == [(store.raw("post", i) or b"").decode() for i in ids]


PACK_IN_THREADS = """
import random, threading
from tokarc.store._log import pack, unpack

rng = random.Random(1)
bodies = [bytes("".join(rng.choice('abcdefghij"{}:,0123456789') for _ in range(150_000)), "ascii")
          for _ in range(8)]
wrong = []

def work():
    for _ in range(20):
        for body in bodies:
            if unpack(pack(body)) != body:
                wrong.append(body[:10])

threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(wrong))
"""


@pytest.mark.slow  # a subprocess: a shared zstd context crashes the interpreter, not a test
def test_pages_are_packed_from_many_threads_at_once() -> None:
    """Concurrent watches and a worker's jobs compress pages at once: one zstd context shared
    between threads corrupts them or crashes (a segfault seen in CI before each thread had its
    own)."""
    import subprocess
    import sys

    ran = subprocess.run(
        [sys.executable, "-c", PACK_IN_THREADS], capture_output=True, text=True, timeout=120
    )
    assert (ran.returncode, ran.stdout.strip()) == (0, "0"), ran.stderr[-2000:]
