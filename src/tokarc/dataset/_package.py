"""``datapackage.json`` beside an export that asks for it: a Frictionless Data Package.

The exported file is a resource whose fields (types, descriptions) come from the data
dictionary; the package carries the provenance a citation needs: the sources collected and
their parameters, the endpoints called and the units spent, the time span covered, the API's
known caps, the tokarc version and when. It describes the files of that export and nothing
else: a package already in the folder is replaced, never extended with entries for files that
may be gone or belong to another export.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

from .._files import atomic_file
from .._version import __version__
from ..api import guesses as G
from ..store import Store, iso
from ._derived import with_twins
from ._dictionary import USER_SOURCES, resource
from ._exports import get
from ._pseudonym import Pseudonymizer

__all__ = ["FRICTIONLESS_TYPES", "PACKAGE_FILE", "describe_export", "write_package"]

PACKAGE_FILE = "datapackage.json"

#: The data dictionary's types as Table Schema types.
FRICTIONLESS_TYPES = {
    "text": "string",
    "int": "integer",
    "bool": "boolean",
    "float": "number",
    "time": "datetime",
}

_MEDIA = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "4cat": "text/csv",
}

#: The API's limits a reader of the data should know (``tokarc.api.guesses``).
KNOWN_CAPS = {
    "hashtag_posts_reachable": f"about {G.HASHTAG_CAP_RANGE[0]}-{G.HASHTAG_CAP_RANGE[1]} posts "
    "per popular hashtag, then the API ends the search",
    "followers_reachable": f"the most recent {G.FOLLOWERS_CAP} followers of an account",
    "post_ids_per_call": f"{G.MAX_POST_IDS} post ids per multi_post_info call",
    "counts": "play/like/comment/share counts are as observed at `observed_at`, not live",
}


def describe_export(
    entity: str, path: str, format: str, rows: int, pseudonymized: bool = False
) -> dict[str, Any]:
    """The Data Package resource for a file of ``entity`` written at ``path`` (relative to the
    package) in ``format``."""
    described = resource(entity)
    out: dict[str, Any] = {
        "name": re.sub(r"[^a-z0-9._-]", "-", path.lower()),  # unique: one per file
        "title": entity,
        "path": path,
        "format": "csv" if format == "4cat" else format,
        "mediatype": _MEDIA[format],
        "description": described.description,
        "x-tokarc-rows": rows,
    }
    if format == "jsonl" and not pseudonymized and get(entity).raw_sql:
        out["description"] += " One raw JSON record per line, as TikTok sent it."
        out["type"] = "file"  # nested JSON: not a table
        return out
    if format == "4cat":
        return out
    names = [n for n, _ in with_twins(get(entity))[0].columns]
    fields = [described.field(n) for n in names if not (pseudonymized and _dropped(entity, n))]
    out["schema"] = {
        "fields": [
            {"name": f.name, "type": FRICTIONLESS_TYPES[f.type], "description": f.description}
            for f in fields
        ]
    }
    if format == "csv":
        out["dialect"] = {"delimiter": ",", "header": True}
        out["encoding"] = "utf-8"
    if format == "jsonl" and rows == 0:
        out["type"] = "file"  # frictionless cannot read a table from an empty JSON Lines file
    if format == "parquet":
        # The file carries these types itself (nullable int64, bool, UTC timestamps); frictionless
        # reads Parquet through pandas, which turns a nullable int column into floats and then
        # fails it, so it checks the file, not its rows (pyarrow reads the types back).
        out["type"] = "file"
    return out


def _dropped(entity: str, column: str) -> bool:
    return resource(entity).field(column).role == "drop"


def write_package(
    store: Store,
    directory: str | os.PathLike[str],
    resources: list[dict[str, Any]],
    *,
    pseudonymize: Pseudonymizer | None = None,
    parameters: dict[str, Any] | None = None,
) -> Path:
    """Write ``directory/datapackage.json`` describing ``resources`` (and only them: a package
    already there is replaced) with the store's provenance; return its path."""
    path = Path(directory) / PACKAGE_FILE
    package = {
        "profile": "data-package",
        "name": "tokarc-export",
        "title": "TikTok data collected with tokarc",
        "created": _now(),
        "licenses": [{"name": "other-closed", "title": "TikTok content: see TikTok's terms"}],
        "sources": [{"title": "EnsembleData TikTok API", "path": "https://ensembledata.com/apis"}],
        "resources": resources,
        "x-tokarc": provenance(store, pseudonymize, parameters),
    }
    with atomic_file(path, "w", encoding="utf-8") as f:
        json.dump(package, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return path


def provenance(
    store: Store,
    pseudonymize: Pseudonymizer | None = None,
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Where the data came from: sources (jobs) and their parameters, endpoints and units,
    time span, known caps, tokarc version, when; targets that are people pseudonymised."""
    return {
        "tokarc_version": __version__,
        "exported_at": _now(),
        "backend": store.backend,
        "pseudonymized": pseudonymize is not None,
        "export_parameters": parameters or {},
        "sources": [_job(j, pseudonymize) for j in store.list_jobs()],
        "endpoints": _endpoints(store),
        "units_spent": store.stats().units_total,
        "time_span": _span(store),
        "known_caps": KNOWN_CAPS,
        "units": "EnsembleData units, as charged by the API (`units_charged` header)",
    }


def _job(job: Any, pseudonymize: Pseudonymizer | None) -> dict[str, Any]:
    options = dict(job.options or {})
    if "ids" in options:  # thousands of ids: their number says enough
        options["ids"] = len(options["ids"])
    target = job.target
    if pseudonymize is not None and job.kind in USER_SOURCES:
        target = pseudonymize.pseudonym(USER_SOURCES[job.kind], target)
    return {
        "job_id": job.id,
        "kind": job.kind,
        "target": target,
        "options": options,
        "status": job.status,
        "stop_reason": job.stop_reason,
        "requests": job.requested,
        "returned": job.returned,
        "new_records": job.new_records,
        "units": job.units,
        "started_at": job.created_at,
        "updated_at": job.updated_at,
    }


def _endpoints(store: Store) -> list[dict[str, Any]]:
    sql = (
        "SELECT endpoint, COUNT(*), SUM(units), SUM(CASE WHEN error IS NULL THEN 0 ELSE 1 END)"
        " FROM requests GROUP BY endpoint ORDER BY endpoint"
    )
    rows = store.db.query(sql)
    return [
        {
            "endpoint": e,
            "path": _path(e),
            "calls": int(n),
            "units": int(u or 0),
            "errors": int(x or 0),
        }
        for e, n, u, x in rows
    ]


def _path(endpoint: str) -> str | None:
    from ..api import endpoints as E

    try:
        return E.get(endpoint).path
    except (KeyError, ValueError):
        return None


def _span(store: Store) -> dict[str, Any]:
    d = store.db.dialect
    posts = store.db.query(
        f"SELECT {iso(d, 'MIN(create_time)')}, {iso(d, 'MAX(create_time)')} FROM posts"
    )[0]
    pages = store.db.query("SELECT MIN(fetched_at), MAX(fetched_at) FROM pages")[0]
    return {
        "posts_created_from": posts[0],
        "posts_created_to": posts[1],
        "collected_from": pages[0],
        "collected_to": pages[1],
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def export_with_package(
    store: Store,
    entity: str,
    out: Any,
    format: str,
    *,
    source: tuple[str, str] | None = None,
    pseudonymize: Pseudonymizer | None = None,
    **options: Any,
) -> int:
    """Export ``entity`` to ``out`` (see :func:`tokarc.dataset.export.export`; ``options`` go to
    it) and, when ``out`` is a file, write the ``datapackage.json`` beside it that describes
    that file. Returns the number of rows written."""
    from .export import export

    n = export(
        store,
        entity,
        out,
        format,  # type: ignore[arg-type]
        source=source,
        pseudonymize=pseudonymize,
        **options,
    )
    if isinstance(out, str | os.PathLike) and out != "-":
        path = Path(out)
        described = describe_export(entity, path.name, format, n, pseudonymize is not None)
        parameters = {
            "entity": entity,
            "format": format,
            "source": _source(source),
            "pseudonymized": pseudonymize is not None,
        }
        write_package(
            store, path.parent, [described], pseudonymize=pseudonymize, parameters=parameters
        )
    return n


def _source(source: tuple[str, str] | None) -> str | None:
    return None if source is None else f"{source[0]}:{source[1]}"
