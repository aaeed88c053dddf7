"""What the client puts on the wire, built the cheap way, is what httpx would have built.

The client parses each request's URL once and appends the token as text, builds one TLS context
per process (none with a CA for a plain-HTTP base URL), keeps no cookies, and reads a page's
envelope once for its items and its cursor. Each test here fails if one of those shortcuts
changes what is sent or read.
"""

from __future__ import annotations

import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import msgspec
import pytest

import tokarc
from tokarc.api import endpoints as E
from tokarc.client import _transports as T
from tokarc.client import _wire as W
from tokarc.emulator import Emulator

from .conftest import BASE, TOKEN

WIRES: list[dict[str, Any]] = [
    {},
    {"name": "magic", "cursor": 40},
    {"keyword": "café au lait & more", "flag": True, "off": False, "n": 0},
    {"ids": ["1", "2"], "plus": "a+b=c?d#e/f", "emoji": "🎉"},
]


@pytest.mark.parametrize("wire", WIRES)
def test_the_url_is_the_one_httpx_builds_from_the_params(
    client: tokarc.Client, wire: dict[str, Any]
) -> None:
    call = W.Call(None, "/tt/hashtag/posts", dict(wire), wire, None)
    with httpx.Client(base_url=BASE) as plain:
        expected = plain.build_request("GET", call.path, params=wire).url
    assert client._url(call) == expected
    assert str(client._url(call)) == str(expected)


@pytest.mark.parametrize("endpoint", E.ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("base", [BASE, "http://127.0.0.1:8123/apis/v2/"])
def test_an_endpoints_url_is_joined_to_the_one_httpx_builds(
    endpoint: E.Endpoint, wire: dict[str, Any], base: str
) -> None:
    # An endpoint's URL is the base URL's parsed parts with its path and query swapped in:
    # equal to httpx's own, part by part, and as text.
    call = W.Call(endpoint, endpoint.path, dict(wire), wire, None)
    with httpx.Client(base_url=base) as plain:
        expected = plain.build_request("GET", endpoint.path.lstrip("/"), params=wire).url
    with tokarc.Client(TOKEN, base_url=base, transport=httpx.MockTransport(Emulator().handle)) as c:
        got = c._url(call)
    assert (got, str(got), got.raw_path, got.params) == (
        expected,
        str(expected),
        expected.raw_path,
        expected.params,
    )
    assert (got.scheme, got.host, got.port, got.path) == (
        expected.scheme,
        expected.host,
        expected.port,
        expected.path,
    )


@pytest.mark.parametrize("query", [b"", b"name=magic&cursor=40"])
def test_the_token_is_appended_as_httpx_would_add_it(query: bytes) -> None:
    secret = "tok en/+&=?é"
    seen: list[httpx.URL] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200)

    transport = T.TokenTransport(httpx.MockTransport(record), W.Secret(secret))
    url = httpx.URL(f"{BASE}/tt/hashtag/posts" + (f"?{query.decode()}" if query else ""))
    transport.handle_request(httpx.Request("GET", url))
    assert seen == [url.copy_add_param("token", secret)]
    assert seen[0].params["token"] == secret


def test_the_emulator_reads_every_param_and_the_token(emulator: Emulator) -> None:
    received: list[httpx.QueryParams] = []

    def handle(request: httpx.Request) -> httpx.Response:
        received.append(request.url.params)
        return emulator.handle(request)

    transport = httpx.MockTransport(handle)
    with tokarc.Client(TOKEN, base_url=BASE, transport=transport) as client:
        page = client.tiktok.keyword_search("café au lait", "7", sorting="1", match_exactly=True)
    assert page.status_code == 200
    assert emulator.stats.requests["keyword_search"] == 1
    [params] = received
    assert params["token"] == TOKEN
    assert list(params.values())[:4] == ["café au lait", "7", "1", "True"]  # as the SDK sends
    assert list(params.keys())[-1] == "token"  # added last, by the token seam


def test_a_plain_http_client_loads_no_ca_and_shares_one_context() -> None:
    plain = T.tls_context("http://127.0.0.1:8000/apis")
    assert plain is T.tls_context("http://localhost/other")
    assert plain.verify_mode == ssl.CERT_REQUIRED
    assert plain.check_hostname
    assert plain.cert_store_stats()["x509_ca"] == 0  # would refuse every certificate


def test_an_https_client_verifies_with_one_context_per_process() -> None:
    verified = T.tls_context("https://ensembledata.com/apis")
    assert verified is T.tls_context("https://example.org/apis")
    assert verified.verify_mode == ssl.CERT_REQUIRED
    assert verified.check_hostname
    assert verified.cert_store_stats()["x509_ca"] > 0


def test_cookies_set_by_a_reply_are_never_kept_or_sent(emulator: Emulator) -> None:
    sent: list[str | None] = []

    def with_cookie(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie"))
        reply = emulator.handle(request)
        return httpx.Response(
            reply.status_code,
            headers=[*reply.headers.multi_items(), ("set-cookie", "session=abc; Path=/")],
            content=reply.content,
        )

    transport = httpx.MockTransport(with_cookie)
    with tokarc.Client(TOKEN, base_url=BASE, transport=transport) as client:
        client.tiktok.hashtag_search("magic")
        jar = client._http.cookies
        jar.set("a", "1")
        jar.update({"b": "2"})
        jar["c"] = "3"
        client.tiktok.hashtag_search("magic", cursor=20)
        assert len(client._http.cookies) == 0
    assert sent == [None, None]


BODIES = [
    b'{"data": {"data": [1, 2], "nextCursor": 20}}',
    b'{"data": {"data": [], "nextCursor": {"a": {"b": 3}}}}',
    b'{"data": [1, 2], "nextCursor": 5}',
    b'{"data": null}',
    b'{"data": "text"}',
]
PATHS = ["", "data", "nextCursor", "nextCursor.a", "nextCursor.a.b", "missing", "data.x"]


def _at(response: W.Response, path: str) -> bytes | None:
    found = response.raw_at(path)
    return None if found is None else bytes(found)


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("top_level", [False, True])
def test_paths_read_from_the_parsed_envelope_are_those_read_from_the_body(
    body: bytes, top_level: bool
) -> None:
    members = msgspec.json.decode(body, type=dict[str, msgspec.Raw])
    given = W.Response(200, 1, "x", {}, body, top_level, members)
    fresh = W.Response(200, 1, "x", {}, body, top_level)
    for path in PATHS:
        assert _at(given, path) == _at(fresh, path), path
    expected = msgspec.json.decode(body) if top_level else msgspec.json.decode(body)["data"]
    assert given.data == expected


def test_a_page_read_twice_gives_the_same_items_and_cursor() -> None:
    call = W.prepare(E.get("hashtag_search"), {"hashtag": "magic"})
    body = b'{"data": {"data": [{"aweme_id": "1"}], "nextCursor": 20}}'
    response = W.parse(call, httpx.Response(200, content=body, headers={"units_charged": "1"}))
    assert bytes(response.raw_at("data") or b"") == b'[{"aweme_id": "1"}]'
    assert bytes(response.raw_at("nextCursor") or b"") == b"20"
    assert bytes(response.raw_at("data") or b"") == b'[{"aweme_id": "1"}]'
    assert response.data == {"data": [{"aweme_id": "1"}], "nextCursor": 20}


class _Pool(httpx.BaseTransport):
    """A pool that records which thread used it, answering from the emulator."""

    def __init__(self, emulator: Emulator, **_: Any) -> None:
        self.emulator = emulator
        self.threads: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.threads.append(threading.get_ident())
        return self.emulator.handle(request)


def _sharded(emulator: Emulator) -> tuple[T.ShardedTransport, list[_Pool]]:
    pools: list[_Pool] = []

    def make(**options: Any) -> _Pool:
        pools.append(_Pool(emulator, **options))
        return pools[-1]

    return T.ShardedTransport(24, shard_size=8, pool=make), pools


def test_one_thread_keeps_to_one_pool_of_the_sync_client(emulator: Emulator) -> None:
    transport, pools = _sharded(emulator)
    with tokarc.Client(TOKEN, base_url=BASE, transport=transport) as client:
        posts = list(client.tiktok.iter_hashtag_posts("magic", max_items=100))
    assert len(posts) == 100
    assert len(pools) == 3
    assert [len(p.threads) for p in pools] == [5, 0, 0]  # one connection, kept alive


def test_threads_spread_over_the_pools_and_get_what_one_thread_gets(emulator: Emulator) -> None:
    transport, pools = _sharded(emulator)
    tags = ["magic", "cats", "dance", "food", "travel", "music"]
    with tokarc.Client(TOKEN, base_url=BASE, transport=transport) as client:

        def ids(tag: str) -> list[str]:
            return [p.aweme_id for p in client.tiktok.iter_hashtag_posts(tag, max_items=60)]

        together_at_once = threading.Barrier(len(tags))  # six threads, none reused

        def at_once(tag: str) -> list[str]:
            together_at_once.wait(timeout=30)
            return ids(tag)

        with ThreadPoolExecutor(max_workers=len(tags)) as pool:
            together = list(pool.map(at_once, tags))
        alone = [ids(tag) for tag in tags]
    assert together == alone
    threads = {t for p in pools for t in p.threads}
    assert len(threads) == len(tags) + 1  # the six, and this one alone
    assert all(sum(t in p.threads for p in pools) == 1 for t in threads)  # each keeps to one
    assert sum(bool(p.threads) for p in pools) == 3  # and the threads use every pool


async def test_the_async_default_transport_reads_a_page_whole(live_emulator: Any) -> None:
    # One read of the whole body, not one pass through the stream layers per 16 KB chunk: the
    # reply arrives already read (is_closed), and is the page the emulator serves.
    transport = T.aiohttp_transport(4)
    url = f"{live_emulator.base_url}/tt/hashtag/posts?name=magic&cursor=0&token={TOKEN}"
    try:
        reply = await transport.handle_async_request(httpx.Request("GET", url))
    finally:
        await transport.aclose()
    assert reply.is_closed
    assert reply.status_code == 200
    assert int(reply.headers["content-length"]) == len(reply.content) > 16 * 1024
    with httpx.Client() as plain:
        assert msgspec.json.decode(reply.content) == plain.get(url).json()


def test_a_request_url_and_its_token_are_not_parsed_again(
    client: tokarc.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx's parser checks a URL's text character by character (~35 us a URL): the endpoint's
    # URL and its copy with the token are built from parts already parsed.
    import httpx._urls

    parsed: list[str] = []
    real = httpx._urls.urlparse

    def counting(url: str = "", **kwargs: Any) -> Any:
        parsed.append(url)
        return real(url, **kwargs)

    call = W.prepare(E.get("hashtag_search"), {"hashtag": "magic", "cursor": 40})
    monkeypatch.setattr(httpx._urls, "urlparse", counting)
    url = client._url(call)
    with_token = T.TokenTransport(httpx.MockTransport(Emulator().handle), W.Secret("s"))
    sent = with_token._with_token(httpx.Request("GET", url))
    assert parsed == []
    assert str(sent.url) == f"{BASE}/tt/hashtag/posts?name=magic&cursor=40&token=s"
