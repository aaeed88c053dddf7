"""The spending cap of a command: --max-units, else TOKARC_MAX_UNITS, the config file, or the
default; how a run stopped by it goes on; asking before a run that would exceed it."""

from __future__ import annotations

import sys

import typer
from typer._click.globals import get_current_context

from ..client import SpendingCap, resolve_max_units
from ..errors import InvalidInputError
from ._errors import CLIError

_KEY = "tokarc.cap"
_MORE = 4  # the cap a hint suggests next: this many times the one reached


def max_units_option(ctx: typer.Context, value: str | None) -> int | None:
    """--max-units' callback: the cap in units (None: no cap), remembered for the hints."""
    try:
        cap = resolve_max_units(value)
    except InvalidInputError as exc:
        raise CLIError(str(exc)) from None  # exit 2, before anything is opened or sent
    ctx.meta[_KEY] = cap
    return cap.units


def current() -> SpendingCap | None:
    """The cap the running command resolved (None outside a command with --max-units)."""
    ctx = get_current_context(silent=True)
    cap = None if ctx is None else ctx.meta.get(_KEY)
    return cap if isinstance(cap, SpendingCap) else None


def stopped_at(resume: str, units: int | None = None) -> str:
    """How a run stopped by its cap (``units``, else the command's) goes on: ``resume`` (a
    command) with a larger one."""
    cap = current()
    units = units if units is not None else (cap.units if cap else None)
    if units is None:
        which = "the cap"
    elif cap is not None and cap.units == units and cap.is_default:
        which = f"the default cap of {_units(units)}"
    elif cap is not None and cap.units == units:
        which = f"the cap of {_units(units)} ({cap.source})"
    else:
        which = f"the cap of {_units(units)}"
    more = "N" if units is None else str(units * _MORE)
    return f"stopped at {which}; `{resume} --max-units {more}` continues"


def interactive() -> bool:
    """Whether a person can be asked: stdin is a terminal."""
    return sys.stdin.isatty()


def _units(n: int) -> str:
    return f"{n:,} unit" + ("" if n == 1 else "s")


def confirm_over_cap(estimated: int | None, what: str) -> None:
    """On a terminal, ask before a run whose estimate exceeds the cap (it would stop there);
    elsewhere, nothing: the run stops at the cap."""
    cap = current()
    if cap is None or cap.units is None or estimated is None or estimated <= cap.units:
        return
    if not interactive():
        return
    go = typer.confirm(
        f"{what} may cost up to {estimated:,} units; it stops at the cap of {cap.units:,} "
        f"(more: --max-units N, or none). Start?",
        default=True,
        err=True,
    )
    if not go:
        raise typer.Abort()
