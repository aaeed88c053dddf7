"""Control routes under ``/_emulator/``: clock, faults, stats, reset. Never under ``/apis``.

==========================  =====================================================================
``GET  /_emulator/health``  ``{"ok": true}``
``GET  /_emulator/clock``   ``{"now": ts, "iso": "...", "time_scale": x}``
``POST /_emulator/clock``   JSON ``{"now": ts}`` or ``{"advance": seconds}`` (or the same as query)
``GET  /_emulator/faults``  the fault settings
``POST /_emulator/faults``  JSON of the settings to change, e.g. ``{"error_status": 463}``
``GET  /_emulator/stats``   requests and units per endpoint, units per world day, faults
``GET  /_emulator/world``   how many entities the lazy world generated so far
``GET  /_emulator/caches``  bytes and entries each cache holds, and the limit of all together
``POST /_emulator/reset``   clock, counters, faults and caches back to their start
==========================  =====================================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._clock import check_time
from ._faults import as_number

if TYPE_CHECKING:
    from ._app import Emulator

CONTROL_PREFIX = "/_emulator"
Route = Callable[["Emulator", dict[str, Any]], Any]


def _clock(emu: Emulator) -> dict[str, Any]:
    return {"now": emu.clock.now(), "iso": emu.clock.iso(), "time_scale": emu.clock.time_scale}


def _set_clock(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    """Set, then advance; both are checked before either is applied."""
    unknown = set(args) - {"now", "advance"}
    if unknown or not args:
        raise ValueError(f"send 'now' and/or 'advance', not {sorted(unknown) or 'nothing'}")
    now = check_time(as_number("now", args["now"])) if "now" in args else emu.clock.now()
    if "advance" in args:
        seconds = as_number("advance", args["advance"])
        check_time(now + seconds, "now + advance")
    if "now" in args:
        emu.clock.set(now)
    if "advance" in args:
        emu.clock.advance(seconds)
    return _clock(emu)


def _faults(emu: Emulator) -> dict[str, Any]:
    return emu.faults.settings.to_dict()


def _stats(emu: Emulator) -> dict[str, Any]:
    return emu.stats.to_dict()


def _world(emu: Emulator) -> dict[str, int]:
    return dict(emu.world.generated)


def _caches(emu: Emulator) -> dict[str, Any]:
    caches = emu.caches()
    return {
        "bytes": sum(c.bytes for c in caches.values()),
        "limit": emu.settings.cache_bytes,
        "caches": {name: {"entries": len(c), "bytes": c.bytes} for name, c in caches.items()},
    }


def _set_faults(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    return emu.set_faults(**args).to_dict()


def _reset(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    emu.reset()
    return {"ok": True}


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/health"): lambda emu, args: {"ok": True},
    ("GET", "/clock"): lambda emu, args: _clock(emu),
    ("POST", "/clock"): _set_clock,
    ("GET", "/faults"): lambda emu, args: _faults(emu),
    ("POST", "/faults"): _set_faults,
    ("GET", "/stats"): lambda emu, args: _stats(emu),
    ("GET", "/world"): lambda emu, args: _world(emu),
    ("GET", "/caches"): lambda emu, args: _caches(emu),
    ("POST", "/reset"): _reset,
}


def control(
    emu: Emulator, method: str, path: str, query: Mapping[str, str], body: bytes
) -> tuple[int, Any]:
    """Run the control route at ``path`` (below ``/_emulator``); (status, JSON body)."""
    route = ROUTES.get((method.upper(), path.rstrip("/") or "/"))
    if route is None:
        return 404, {"detail": f"no control route {method} {CONTROL_PREFIX}{path}"}
    try:
        sent = json.loads(body) if body.strip() else {}
        if not isinstance(sent, dict):
            raise ValueError("the body must be a JSON object")
        return 200, route(emu, {**query, **sent})
    except (ValueError, TypeError, OverflowError) as exc:
        return 400, {"detail": str(exc)}
