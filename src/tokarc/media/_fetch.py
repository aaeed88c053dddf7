"""One download: a URL streamed into the media root, checked, retried like the API client.

Retried with backoff (stamina, the client's policy): network errors, timeouts, 429 and 5xx,
and bodies that are not whole (fewer bytes than ``Content-Length``, the connection cut, not the
media they claim to be). Not retried: 403/410 (the URL expired: the caller refreshes it), 404
and other 4xx. A body that is not whole is never stored under its final name.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import stamina

from ..client import RetryPolicy
from ..status import MediaStatus
from ._files import DiskFullError, MediaRoot, Stored

_CHUNK = 64 * 1024
_DOWN = "cannot reach"  # how the error of a host that is down begins
EXPIRED_STATUSES = frozenset({403, 410})
RETRIED_STATUSES = frozenset({408, 425, 429})

# Query parameters that grant access (signatures, tokens): never stored.
SECRET_PARAMS = frozenset(
    {
        "x-signature",
        "x-esig",
        "signature",
        "sig",
        "token",
        "tk",
        "policy",
        "key-pair-id",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
    }
)


@dataclass(frozen=True)
class Outcome:
    """How a download ended: ``done`` (with ``stored``), ``expired``, ``failed``, ``too_large``."""

    status: MediaStatus
    attempts: int
    stored: Stored | None = None
    content_type: str | None = None
    error: str | None = None


class _Retry(Exception):
    """A failure worth another attempt."""


class _Expired(Exception):
    pass


class _Final(Exception):
    """A failure another attempt would not mend."""


class _Unreachable(_Final):
    """The host cannot be reached at all (its name does not resolve): no file of it will come."""


def _unresolved(exc: BaseException) -> bool:
    """Whether ``exc`` (an httpx error) comes from a host name that does not resolve."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def public_url(url: str) -> str:
    """``url`` without its signature or token parameters (what the media table keeps)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k.lower() not in SECRET_PARAMS]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


def expires_at(url: str) -> int | None:
    """The unix time in the URL's ``x-expires`` parameter, if any."""
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("x-expires", [])
    return int(values[0]) if values and values[0].isdigit() else None


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file show, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return {b"M4A ": "audio/mp4", b"heic": "image/heic"}.get(brand, "video/mp4")
    if head.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        return "text/vtt"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


@dataclass
class Fetcher:
    """Downloads URLs into a :class:`MediaRoot` with ``http`` (an ``httpx.Client``; its
    transport may be the emulator's)."""

    http: httpx.Client
    root: MediaRoot
    retry: RetryPolicy
    max_bytes: int | None = None
    clock: Callable[[], float] = time.time  # for x-expires: the emulator's world clock in tests
    # Hosts found unreachable in this run, with the cause: their other files fail at once.
    down: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fetch(self, url: str, precheck: bool = True) -> Outcome:
        """Download ``url``; :class:`DiskFullError` stops everything, the rest is an outcome.

        With ``precheck``, a URL past its ``x-expires`` (on :attr:`clock`) is not requested:
        it is ``expired`` at once. Without, the server decides (clocks can disagree).

        A host whose name does not resolve, or that refused every attempt to connect, is down
        for the rest of the run: each of its other files fails at once with the same cause, no
        request sent (a circuit breaker per host, not a wait per file).
        """
        expiry = expires_at(url)
        if precheck and expiry is not None and expiry < self.clock():
            return Outcome(MediaStatus.EXPIRED, 0, error="the URL is past its x-expires")
        host = urllib.parse.urlsplit(url).netloc
        with self._lock:
            cause = self.down.get(host)
        if cause is not None:
            return Outcome(MediaStatus.FAILED, 0, error=cause)
        outcome = self._attempts(url)
        if (
            outcome.status == MediaStatus.FAILED
            and outcome.error
            and outcome.error.startswith(_DOWN)
        ):
            with self._lock:
                self.down.setdefault(host, outcome.error)
        return outcome

    def _attempts(self, url: str) -> Outcome:
        attempts = 0
        try:
            for attempt in stamina.retry_context(**self._retry_args()):
                with attempt:
                    attempts += 1
                    return replace(self._connected(url), attempts=attempts)
        except _Expired as exc:
            return Outcome(MediaStatus.EXPIRED, attempts, error=str(exc))
        except _TooLarge as exc:
            return Outcome(MediaStatus.TOO_LARGE, attempts, error=str(exc))
        except httpx.ConnectError as exc:  # refused on every attempt
            host = urllib.parse.urlsplit(url).netloc
            return Outcome(MediaStatus.FAILED, attempts, error=f"{_DOWN} {host}: {_one_line(exc)}")
        except (_Final, _Retry, httpx.HTTPError) as exc:
            return Outcome(MediaStatus.FAILED, attempts, error=_one_line(exc))
        raise AssertionError("unreachable: stamina re-raises the last error")

    def _connected(self, url: str) -> Outcome:
        try:
            return self._once(url)
        except httpx.ConnectError as exc:
            if _unresolved(exc):  # no retry mends a name that does not resolve
                host = urllib.parse.urlsplit(url).netloc
                raise _Unreachable(f"{_DOWN} {host}: {_one_line(exc)}") from exc
            raise

    def _retry_args(self) -> dict[str, Any]:
        return {**self.retry.stamina_args(), "on": (_Retry, httpx.TransportError)}

    def _once(self, url: str) -> Outcome:
        with self.http.stream("GET", url) as response:
            self._check_status(response)
            declared = _length(response)
            if self.max_bytes is not None and (declared or 0) > self.max_bytes:
                raise _TooLarge(f"{declared:,} bytes, over --max-bytes {self.max_bytes:,}")
            self.root.check_space(declared or 0)
            head: list[bytes] = []

            def content_type() -> str:
                kind = sniff(b"".join(head)) or _header_type(response)
                if kind is None:
                    raise _Retry("the body is not a media file")
                return kind

            stored = self.root.write(self._body(response, declared, head), content_type)
            return Outcome(MediaStatus.DONE, 0, stored, content_type())

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 200:
            return
        message = f"HTTP {status}"
        if status in EXPIRED_STATUSES:
            raise _Expired(f"{message}: the URL expired or was refused")
        if status >= 500 or status in RETRIED_STATUSES:
            raise _Retry(message)
        raise _Final(message)

    def _body(
        self, response: httpx.Response, declared: int | None, head: list[bytes]
    ) -> Iterator[bytes]:
        size = 0
        for chunk in response.iter_bytes(_CHUNK):
            if not head:
                head.append(chunk[:16])
            size += len(chunk)
            if self.max_bytes is not None and size > self.max_bytes:
                raise _TooLarge(f"over --max-bytes {self.max_bytes:,}")
            yield chunk
        if declared is not None and size != declared:
            raise _Retry(f"truncated: {size:,} of {declared:,} bytes")
        if size == 0:
            raise _Retry("an empty body")


class _TooLarge(Exception):
    pass


def _length(response: httpx.Response) -> int | None:
    """The declared size of the body as it is stored (none for a compressed body)."""
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        return None
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _header_type(response: httpx.Response) -> str | None:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind if kind.startswith(("image/", "video/", "audio/")) else None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


__all__ = ["DiskFullError", "Fetcher", "Outcome", "expires_at", "public_url", "sniff"]
