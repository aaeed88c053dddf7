"""Pure request and response logic shared by the sync and async clients.

Nothing here does I/O: building a call from the endpoint table, reading the envelope and the
``units_charged`` header, and mapping an error response to an exception. The token itself is added
in ``_transports.TokenTransport``.
"""

from __future__ import annotations

import email.utils
import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from ..api import endpoints as E
from ..api.endpoints import Endpoint
from ..errors import MalformedResponseError, TokarcError, api_error
from . import _validate

_json = msgspec.json.Decoder()


class Secret:
    """A token that never shows itself in ``repr``, ``str`` or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Response:
    """What an endpoint returned.

    ``data`` is the value the official SDK's ``EDResponse.data`` holds (the payload's ``data``, or
    the whole payload for the user-posts endpoints), decoded from ``content`` when first read;
    ``units_charged`` is always an ``int``.
    """

    status_code: int
    units_charged: int
    endpoint: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict, repr=False)
    content: bytes = field(default=b"", repr=False)
    top_level: bool = field(default=False, repr=False)
    # The answer's top-level members, undecoded, as :func:`parse` read them (else read anew).
    members: Mapping[str, msgspec.Raw] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def data(self) -> Any:
        if self.top_level:
            return _json.decode(self.content)
        # only the envelope's ``data`` member, already located by the envelope's scan: the rest
        # of the answer is not decoded again
        node = self._top.get(E.ENVELOPE_KEY)
        return None if node is None else _json.decode(node)

    def raw_at(self, path: str) -> msgspec.Raw | None:
        """The JSON at a dotted path of ``data``, still undecoded (None when absent)."""
        if not path:
            node = self.content if self.top_level else self._top.get(E.ENVELOPE_KEY)
            return None if node is None else msgspec.Raw(node)
        first, *rest = path.split(".")
        found = self._data_members.get(first)
        for key in rest:
            found = _member(found, key) if found is not None else None
        return None if found is None else msgspec.Raw(found)

    @functools.cached_property
    def _top(self) -> Mapping[str, msgspec.Raw]:
        return self.members if self.members is not None else _members_of(self.content)

    @functools.cached_property
    def _data_members(self) -> Mapping[str, msgspec.Raw]:
        """The members of ``data``, each body scanned once however many paths are read (the
        items and the cursor of every page)."""
        if self.top_level:
            return self._top
        data = self._top.get(E.ENVELOPE_KEY)
        return {} if data is None else _members_of(data)


_members = msgspec.json.Decoder(dict[str, msgspec.Raw])


def _member(node: bytes | msgspec.Raw, key: str) -> msgspec.Raw | None:
    """``node[key]`` of a JSON object given as bytes, without decoding the rest."""
    return _members_of(node).get(key)


def _members_of(node: bytes | msgspec.Raw) -> dict[str, msgspec.Raw]:
    """The members of a JSON object given as bytes, undecoded (none: not an object)."""
    try:
        return _members.decode(node)
    except msgspec.ValidationError:  # valid JSON, but not an object
        return {}


@dataclass(frozen=True)
class Call:
    """One prepared request: the endpoint, its checked params, and what goes on the wire."""

    endpoint: Endpoint | None
    path: str
    params: dict[str, Any]  # python names, checked (provenance; never the token)
    wire: dict[str, Any]  # query parameters, without the token
    timeout: float | None

    @property
    def name(self) -> str:
        return self.endpoint.name if self.endpoint else self.path


def prepare(
    endpoint: Endpoint,
    kwargs: Mapping[str, Any],
    extra_params: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> Call:
    """Check a call's arguments and build its query; raises InvalidInputError first."""
    return _call(endpoint, _validate.checked_params(endpoint, kwargs), extra_params, timeout)


def prepare_unchecked(
    endpoint: Endpoint,
    kwargs: Mapping[str, Any],
    extra_params: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> Call:
    """Build a call's query from its arguments as given: what the API refuses, it answers."""
    return _call(endpoint, _validate.sent_params(endpoint, kwargs), extra_params, timeout)


def _call(
    endpoint: Endpoint,
    params: dict[str, Any],
    extra_params: Mapping[str, Any] | None,
    timeout: float | None,
) -> Call:
    wire = {**(extra_params or {}), **_validate.to_wire(endpoint, params)}
    wire.pop("token", None)
    return Call(endpoint, endpoint.path, params, wire, timeout or endpoint.timeout)


def prepare_raw(path: str, params: Mapping[str, Any] | None, timeout: float | None) -> Call:
    """A call to a path outside the endpoint table (the SDK's ``client.request``)."""
    wire = {k: v for k, v in (params or {}).items() if v is not None and k != "token"}
    return Call(None, "/" + path.lstrip("/"), dict(wire), wire, timeout)


class Reply(Protocol):
    """What :func:`parse` reads of an HTTP reply: an ``httpx.Response``, or the async client's
    direct one (``_transports.DirectReply``)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...


def units_of(headers: Mapping[str, str]) -> int:
    """The ``units_charged`` header as an int (0 when absent or garbled)."""
    try:
        return int(float(headers.get("units_charged", 0)))
    except ValueError:
        return 0


def retry_after_of(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value.strip() else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def parse(call: Call, response: Reply) -> Response:
    """The Response for a reply, or the exception it stands for (raised).

    Only the envelope is read here; ``data`` is decoded when someone asks for it.
    """
    units = units_of(response.headers)
    envelope = _envelope(call, response, units)
    if E.ENVELOPE_KEY in envelope:
        top_level = call.endpoint is not None and call.endpoint.top_level
        content = response.content
        return Response(
            response.status_code, units, call.name, call.params, content, top_level, envelope
        )
    detail = envelope.get("detail")
    if detail is None or response.status_code < 400:
        raise _malformed(call, response, units, "neither 'data' nor 'detail' in the answer")
    raise api_error(
        response.status_code,
        _json.decode(detail),
        units,
        endpoint=call.name,
        retry_after=retry_after_of(response.headers),
    )


def _envelope(call: Call, response: Reply, units: int) -> dict[str, msgspec.Raw]:
    """The top-level keys of the answer, their values undecoded (this validates the JSON)."""
    try:
        payload = _members.decode(response.content)
    except msgspec.DecodeError:
        raise _malformed(call, response, units, "the body is not a JSON object") from None
    return payload


def _malformed(call: Call, response: Reply, units: int, why: str) -> TokarcError:
    return MalformedResponseError(
        f"malformed response from {call.name} (HTTP {response.status_code}): {why}",
        status_code=response.status_code,
        units_charged=units,
    )
