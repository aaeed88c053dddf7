"""Option definitions shared by the commands (typer ``Annotated`` aliases)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..client import check_country
from ..client import constants as C
from ..dataset import ENV_KEY, Pseudonymizer, load_key
from ..errors import InvalidInputError
from ..store import DatabaseTarget
from ._cap import max_units_option
from ._errors import CLIError


def _target(value: str | None) -> str | None:
    """--db as a DatabaseTarget: whatever shows it (tables, hints, errors) shows no password."""
    return None if value is None else DatabaseTarget(value)


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    fourcat = "4cat"  # 4CAT's CSV (posts, comments, transcripts)


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
        "--db",
        envvar=C.ENV_DB,
        metavar="PATH_OR_URL",
        callback=_target,
        help="SQLite file or postgresql:// URL to store into (else a temporary store).",
    ),
]
DbRequired = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=C.ENV_DB,
        metavar="PATH_OR_URL",
        callback=_target,
        help="SQLite file or postgresql:// URL.",
    ),
]
Out = Annotated[
    str | None,
    typer.Option("--out", "-o", metavar="FILE", help="Write the records here ('-': stdout)."),
]
Fmt = Annotated[
    Format | None,
    typer.Option("--format", "-f", help="Output format (default: from the file name, or jsonl)."),
]
MaxItems = Annotated[
    int | None,
    typer.Option(
        help="At most this many items in the job's walk (counted across resumes; a larger "
        "number later goes on from there).",
        show_default=False,
    ),
]
MaxUnits = Annotated[
    int | None,
    typer.Option(
        metavar="N|none",
        parser=str,
        callback=max_units_option,
        help="Never spend more than this many units: a call that might go over is not sent "
        f"(default: {C.ENV_MAX_UNITS}, `tokarc configure --max-units N`, else "
        f"{C.DEFAULT_MAX_UNITS}; none: no cap).",
        show_default=False,
    ),
]
Incremental = Annotated[
    bool,
    typer.Option(
        "--incremental/--full-rescan",
        help="A rerun of a finished job collects what is new and stops where the stored "
        "records begin (the default); --full-rescan walks the whole feed again.",
    ),
]
Estimate = Annotated[
    bool, typer.Option(help="Print the calls and units it would cost; send nothing.")
]
Wait = Annotated[
    bool,
    typer.Option(help="If another run is walking this job, wait for it, then go on from there."),
]
Days = Annotated[
    float | None,
    typer.Option(help="Only items of the last N days.", show_default=False),
]
Since = Annotated[
    str | None,
    typer.Option(
        metavar="DATE",
        help="Only items created since this day or time (UTC unless it has an offset), or "
        "this long ago: 2026-11-01, 2026-11-01T12:00, 7d.",
        show_default=False,
    ),
]
Full = Annotated[
    bool, typer.Option(help="One server-side call that walks every page (slow, costly).")
]
MaxCursor = Annotated[
    int | None,
    typer.Option(
        min=1,
        show_default=False,
        help="With --full: the server stops paging at this offset, in posts (default: "
        "--max-items).",
    ),
]
PagedFallback = Annotated[
    bool,
    typer.Option(
        help="With --full and --max-units: page the hashtag instead when the full search "
        "might cost more than the budget."
    ),
]
Country = Annotated[
    str | None, typer.Option(help="Two-letter country code, e.g. US.", show_default=False)
]
Countries = Annotated[
    str | None,
    typer.Option(
        "--country",
        metavar="CC[,CC...]",
        help="Two-letter country codes, e.g. US or US,DE,FR: the same search in each (a job each).",
        show_default=False,
    ),
]


def countries(text: str | None) -> list[str | None]:
    """``US,de, FR`` as ``["US", "DE", "FR"]``, each once and checked (exit 2, nothing sent,
    for a code the API does not know); ``[None]`` without any."""
    if text is None:
        return [None]
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    if not codes:
        raise CLIError(f"invalid --country {text!r}: give codes like US or US,DE")
    for code in codes:
        try:
            check_country(code)
        except InvalidInputError:
            raise CLIError(
                f"invalid --country {code!r}: an ISO 3166-1 alpha-2 code the API knows, "
                "such as US or GB"
            ) from None
    return list(dict.fromkeys(codes))


# The archive: what found the records, and pseudonymised output (see docs/archive.md).
SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--source", metavar="KIND:TARGET", help="Only what this source found, e.g. hashtag:magic."
    ),
]


def pseudonymizer(pseudonymize: bool, key_file: Path | None) -> Pseudonymizer | None:
    """The pseudonymizer --pseudonymize and --key-file ask for (--key-file alone is a usage
    error)."""
    if not pseudonymize:
        if key_file is not None:
            raise CLIError("--key-file goes with --pseudonymize")
        return None
    return Pseudonymizer(load_key(key_file))


Pseudonymize = Annotated[
    bool,
    typer.Option(
        "--pseudonymize",
        help=f"Replace every user id, handle and name by a keyed pseudonym (key from "
        f"--key-file or ${ENV_KEY}); leave raw JSON and URLs out.",
    ),
]
KeyFile = Annotated[
    Path | None,
    typer.Option("--key-file", metavar="FILE", help="The pseudonymisation key (16+ bytes)."),
]
FromFile = Annotated[
    str | None,
    typer.Option(
        "--from-file",
        metavar="FILE",
        help="Also the targets in FILE, one per line ('# ' starts a comment; '-': stdin).",
        show_default=False,
    ),
]
Concurrency = Annotated[
    int,
    typer.Option(min=1, help="With many targets: how many run at once (one job each)."),
]
