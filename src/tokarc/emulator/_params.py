"""Query parsing from the endpoint table's :class:`~tokarc.api.endpoints.Param` specs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api.endpoints import Endpoint, Param

TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


class ApiError(Exception):
    """An error answer: HTTP ``status`` and the ``detail`` of ``{"detail": ...}``."""

    def __init__(self, status: int, detail: Any, headers: Mapping[str, str] | None = None):
        super().__init__(status, detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})


def _error(p: Param, msg: str, kind: str) -> dict[str, Any]:
    return {"loc": ["query", p.wire], "msg": msg, "type": kind}


def _convert(p: Param, raw: str) -> tuple[Any, dict[str, Any] | None]:
    if p.type == "int":
        try:
            return int(raw.strip()), None
        except ValueError:
            return None, _error(p, "value is not a valid integer", "type_error.integer")
    if p.type == "bool":
        low = raw.strip().lower()
        if low in TRUE or low in FALSE:
            return low in TRUE, None
        return None, _error(p, "value could not be parsed to a boolean", "type_error.bool")
    if p.choices is not None and raw not in p.choices:
        allowed = ", ".join(repr(c) for c in p.choices)
        return None, _error(
            p, f"value is not a valid enumeration member; permitted: {allowed}", "type_error.enum"
        )
    return raw, None


def parse_query(endpoint: Endpoint, query: Mapping[str, str]) -> dict[str, Any]:
    """The endpoint's parameters, by python name, typed; raises ApiError(422) like FastAPI."""
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for p in endpoint.params:
        raw = query.get(p.wire)
        if raw is None:
            if p.required:
                errors.append(_error(p, "field required", "value_error.missing"))
            continue
        value, error = _convert(p, raw)
        if error is not None:
            errors.append(error)
        else:
            values[p.name] = value
    if errors:
        raise ApiError(422, errors)
    return values
