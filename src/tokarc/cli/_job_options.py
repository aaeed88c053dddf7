"""The options every collecting command shares, written once: a stacked decorator, as
sqlite-utils' ``insert_upsert_options``::

    @job_options()
    def liked(ctx: typer.Context, sec_uid: str, *, sink: Sink, run: RunOptions) -> None:
        collect(session(ctx), build_spec("liked", sec_uid, run=run), sink, run)

adds --max-items, --db, -o/--out, -f/--format, --max-units, --incremental/--full-rescan,
--estimate and --wait in the place of the command's ``sink`` and ``run`` parameters (its
--help lists them there), then --media and --media-dir (:func:`._media.with_media`), and calls
the command with the :class:`Sink` and :class:`RunOptions` they say.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..collect import Sink
from . import _options as O
from ._collect import RunOptions
from ._media import with_media

Command = Callable[..., Any]


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


#: The shared options, in the order --help lists them.
OPTIONS = (
    _option("max_items", O.MaxItems, None),
    _option("db", O.Db, None),
    _option("out", O.Out, None),
    _option("format", O.Fmt, None),
    _option("max_units", O.MaxUnits, None),
    _option("incremental", O.Incremental, True),
    _option("estimate", O.Estimate, False),
    _option("wait", O.Wait, False),
)
_SINK = ("db", "out", "format")  # the rest are RunOptions' fields
#: The options of a walk through pages, which a lookup (user, post, music info) has not.
_WALK = ("max_items", "incremental", "wait")


def job_options(*, walk: bool = True, units: bool = True) -> Callable[[Command], Command]:
    """The shared options on a collecting command; without ``walk`` a lookup's (no
    --max-items, --incremental, --wait), without ``units`` no --max-units either."""
    left_out = (*(() if walk else _WALK), *(() if units else ("max_units",)))
    shared = [p for p in OPTIONS if p.name not in left_out]

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def wrapper(*args: Any, **kw: Any) -> Any:
            asked = {p.name: kw.pop(p.name, p.default) for p in shared}
            sink = Sink(**{name: asked.pop(name) for name in _SINK})
            return command(*args, sink=sink, run=RunOptions(**asked), **kw)

        wrapper.__signature__ = _in_place(command, shared)  # type: ignore[attr-defined]
        return with_media(wrapper)

    return decorate


def _in_place(command: Command, shared: list[inspect.Parameter]) -> inspect.Signature:
    """``command``'s signature with ``shared`` where its ``sink`` and ``run`` are (typer reads
    the signature, so that is where --help lists them)."""
    signature = inspect.signature(command, eval_str=True)  # typer reads the annotations
    params = list(signature.parameters.values())
    at = [p.name for p in params].index("sink")
    assert params[at + 1].name == "run", f"{command.__name__}: `run` goes right after `sink`"
    return signature.replace(parameters=[*params[:at], *shared, *params[at + 2 :]])
