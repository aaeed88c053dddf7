"""Option definitions shared by the commands (typer ``Annotated`` aliases)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import typer

from ..client import _constants as C
from ..store import DatabaseTarget


def _target(value: str | None) -> str | None:
    """--db as a DatabaseTarget: whatever shows it (tables, hints, errors) shows no password."""
    return None if value is None else DatabaseTarget(value)


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class KeywordSort(StrEnum):
    relevance = "relevance"
    likes = "likes"


class MusicSort(StrEnum):
    relevance = "relevance"
    used = "used"
    recent = "recent"
    shortest = "shortest"
    longest = "longest"


class MusicFilter(StrEnum):
    all = "all"
    music = "music"
    creators = "creators"


# The API's codes for the friendlier names above (endpoint table: sorting, filter_by).
KEYWORD_SORTING = {"relevance": "0", "likes": "1"}
MUSIC_SORTING = {"relevance": "0", "used": "1", "recent": "2", "shortest": "3", "longest": "4"}
MUSIC_FILTER = {"all": "0", "music": "1", "creators": "2"}

Db = Annotated[
    str | None,
    typer.Option(
        "--db", envvar=C.ENV_DB, metavar="PATH_OR_URL", callback=_target,
        help="SQLite file or postgresql:// URL to store into (else a temporary store).",
    ),
]  # fmt: skip
DbRequired = Annotated[
    str,
    typer.Option(
        "--db", envvar=C.ENV_DB, metavar="PATH_OR_URL", callback=_target,
        help="SQLite file or postgresql:// URL.",
    ),
]  # fmt: skip
Out = Annotated[
    str | None,
    typer.Option("--out", "-o", metavar="FILE", help="Write the records here ('-': stdout)."),
]
Fmt = Annotated[
    Format | None,
    typer.Option("--format", "-f", help="Output format (default: from the file name, or jsonl)."),
]
MaxItems = Annotated[
    int | None, typer.Option(help="Stop after about this many items.", show_default=False)
]
MaxUnits = Annotated[
    int | None, typer.Option(help="Stop before spending more units than this.", show_default=False)
]
Incremental = Annotated[
    bool, typer.Option(help="Re-run a finished job down to what the store already has.")
]
Estimate = Annotated[
    bool, typer.Option(help="Print the calls and units it would cost; send nothing.")
]
Days = Annotated[
    float | None,
    typer.Option(help="Only items of the last N days.", show_default=False),
]
Since = Annotated[
    dt.datetime | None,
    typer.Option(
        formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
        help="Only items created on or after this day (UTC).",
    ),
]  # fmt: skip
Full = Annotated[
    bool, typer.Option(help="One server-side call that walks every page (slow, costly).")
]
Country = Annotated[
    str | None, typer.Option(help="Two-letter country code, e.g. US.", show_default=False)
]
