"""The digest: a short summary of what changed over a period, small enough to read on a phone.

``write_digest(store, out, since="24h")`` (CLI: ``tokarc digest``) writes Markdown, HTML or JSON
(by ``out``'s suffix; stdout: Markdown) of the period: units spent, new posts per source and
the posts found gone, the renames and the states accounts and posts came to (private, gone,
back...), the top overperforming posts, the hashtags, sounds and words said in
transcripts rising against their own usual, and the alerts recorded. Everything comes from
the store; nothing is fetched.
Text from the API is data: escaped in HTML, and in Markdown its markup characters are too.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .._files import atomic_file, refuse_same_file
from .._time import format_duration, parse_since
from ..analysis import (
    Comparison,
    IdentityChanges,
    Listed,
    Rate,
    Rename,
    StateChange,
    identity_changes,
    overperforming,
    rising,
)
from ..errors import InvalidInputError
from ..monitor import followed
from ..store import Store, sqlite_files, timestamp
from ._data import Data
from ._page import scope

TOP = 5  # rows of each list
FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


@dataclass
class Digest:
    """What changed from ``since`` to ``until`` (unix seconds), within a scope."""

    since: float
    until: float
    scope: str
    units: int = 0
    new_by_source: list[tuple[str, int]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    identities: IdentityChanges = field(default_factory=IdentityChanges)  # renames and states
    overperforming: list[dict[str, Any]] = field(default_factory=list)
    hashtags: list[dict[str, Any]] = field(default_factory=list)
    sounds: list[dict[str, Any]] = field(default_factory=list)
    words: list[dict[str, Any]] = field(default_factory=list)  # said in transcripts
    alerts: list[dict[str, str]] = field(default_factory=list)
    countries: list[dict[str, Any]] = field(default_factory=list)  # searches in many countries

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["since"], out["until"] = timestamp(self.since), timestamp(self.until)
        return out


def digest(store: Store, since: float, now: float, sources: Sequence[str] = ()) -> Digest:
    """The digest of ``store`` from ``since`` to ``now``, of ``sources`` (default: all)."""
    sc = scope(store, None, list(sources))
    q = Data(store, sc)
    at = timestamp(since)
    label = ", ".join(s.label for s in sc.sources) if sc.filtered else "every source"
    d = Digest(since, now, label, units=_units(store, since, now))
    d.new_by_source = q.new_by_source(at)
    d.gone = q.gone(at)[:TOP]
    ids = q.ids() if sc.filtered else None  # every post, unfiltered: no list of them all
    d.identities = _identities(store, q, since, now, ids)
    d.alerts = [{"at": a, "watch": w, "text": t, "status": s} for a, w, t, s in q.alerts(since)]
    d.overperforming = _overperformers(store, q, since)
    d.hashtags, d.sounds = (
        [_rate(r) for r in rising(store, what, since=since, now=now, ids=ids) if r.trusted][:TOP]
        for what in ("hashtags", "sounds")
    )
    d.words = [_rate(r) for r in q.words_rising(since, now, TOP)]
    d.countries = [_countries(c) for s in sc.sources if (c := q.countries(s))]
    return d


def check_sources(store: Store, sources: Sequence[str]) -> None:
    """InvalidInputError naming the first of ``sources`` that is neither a source of the
    store nor a watch's (as :func:`digest` would refuse it)."""
    scope(store, None, list(sources))


def _identities(
    store: Store, q: Data, since: float, now: float, ids: set[str] | None
) -> IdentityChanges:
    """The renames and states of the period: of every account and post, or of the accounts
    whose posts the sources found, the accounts their user watches follow, and their posts."""
    if ids is None:
        return identity_changes(store, since, now)
    users = [w for w in q.sc.watches if w.kind == "user"]
    uids = q.authors() | {a.uid for w in users if (a := followed(store, w)) is not None}
    handles = [w.target for w in users]
    return identity_changes(store, since, now, uids=uids, handles=handles, posts=ids)


def _countries(result: Comparison) -> dict[str, Any]:
    """A search made in more than one country (``tokarc compare``), in brief."""
    return {
        "source": f"{result.kind}:{result.target}",
        "countries": {c.country: {"posts": len(c.posts), "only_here": len(c.only)}
                      for c in result.countries},
        "overlap": {f"{a}-{b}": j for (a, b), j in result.overlap.items()},
    }  # fmt: skip


def _units(store: Store, since: float, now: float) -> int:
    rows = store.db.query(
        "SELECT COALESCE(SUM(units), 0) FROM requests WHERE at >= ? AND at <= ?",
        (timestamp(since), timestamp(now)),
    )
    return int(rows[0][0] or 0)


def _overperformers(store: Store, q: Data, since: float) -> list[dict[str, Any]]:
    sql = (
        "SELECT DISTINCT st.aweme_id FROM post_stats st JOIN scoped s "
        "ON s.aweme_id = st.aweme_id WHERE st.observed_at >= ?"
    )
    ids = {str(r[0]) for r in q.rows(sql, (timestamp(since),))}
    scores = [s for s in overperforming(store, "plays", ids=ids) if s.trusted][:TOP]
    return [
        {"id": s.aweme_id, "author": s.author, "score": round(s.score or 0, 1), "plays": s.value,
         "age": format_duration(s.age)}
        for s in scores
    ]  # fmt: skip


def _rate(r: Rate) -> dict[str, Any]:
    return {"key": r.key, "posts": r.recent, "score": round(r.score or 0, 1)}


# -- rendering -------------------------------------------------------------------------------


def to_markdown(d: Digest) -> str:
    m = _md
    lines = [f"# tokarc digest: {m(d.scope)}", "",
             f"{timestamp(d.since)[:16]} to {timestamp(d.until)[:16]} UTC; {d.units:,} units "
             "spent.", ""]  # fmt: skip
    for title, items in _sections(d):
        lines += [f"## {title}", ""]
        lines += [f"- {m(item)}" for item in items] or ["- nothing"]
        lines.append("")
    return "\n".join(lines)


def to_html(d: Digest) -> str:
    e = html.escape
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>tokarc digest</title><style>body{font-family:system-ui,sans-serif;"
        "max-width:40rem;margin:0 auto;padding:1rem;line-height:1.4}</style></head><body>",
        f"<h1>tokarc digest: {e(d.scope)}</h1>",
        f"<p>{e(timestamp(d.since)[:16])} to {e(timestamp(d.until)[:16])} UTC; "
        f"{d.units:,} units spent.</p>",
    ]
    for title, items in _sections(d):
        body = "".join(f"<li>{e(item)}</li>" for item in items) or "<li>nothing</li>"
        parts.append(f"<h2>{e(title)}</h2><ul>{body}</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _sections(d: Digest) -> list[tuple[str, list[str]]]:
    return [
        ("New posts", [f"{source}: {n:,}" for source, n in d.new_by_source]),
        ("Gone", [f"post {g['id']} by @{g['author'] or '?'}" for g in d.gone]),
        ("Renames and states", _identity_lines(d.identities)),
        (
            "Overperforming",
            [
                f"post {o['id']} by @{o['author'] or '?'}: {o['score']}x its "
                f"account's usual ({o['plays']:,} plays at {o['age']})"
                for o in d.overperforming
            ],
        ),
        (
            "Hashtags rising",
            [f"#{h['key']}: {h['posts']:,} posts, {h['score']}x its usual" for h in d.hashtags],
        ),
        (
            "Sounds rising",
            [f"sound {s['key']}: {s['posts']:,} posts, {s['score']}x its usual" for s in d.sounds],
        ),
        (
            "Words rising in transcripts",
            [f"{w['key']}: said in {w['posts']:,} posts, {w['score']}x its usual" for w in d.words],
        ),
        ("Alerts", [f"{a['watch']}: {a['text']} ({a['status']})" for a in d.alerts]),
        ("Countries", [_country_line(c) for c in d.countries]),
    ]


def _identity_lines(ch: IdentityChanges) -> list[str]:
    return [
        *_listed("renames", ch.renames, _rename_line),
        *_listed("account states", ch.accounts, _account_line),
        *_listed("post states", ch.posts, _post_line),
    ]


def _listed(what: str, found: Listed[Any], line: Callable[[Any], str]) -> list[str]:
    """``what: N``, then a line for each of the first, and how many more; ``what: none``."""
    if not found.count:
        return [f"{what}: none"]
    more = [f"and {found.more:,} more {what}"] if found.more else []
    return [f"{what}: {found.count:,}", *(line(item) for item in found.first), *more]


def _rename_line(r: Rename) -> str:
    nick = f'"{r.old_nickname}" is now "{r.new_nickname}"'
    if r.old_handle == r.new_handle:
        said = f"@{r.new_handle}'s nickname {nick}"
    else:
        said = f"@{r.old_handle} is now @{r.new_handle}"
        said += f" ({nick})" if r.old_nickname and r.old_nickname != r.new_nickname else ""
    return f"{said}, {_when(r.at)}"


def _account_line(c: StateChange) -> str:
    who = f"@{c.handle}" if c.handle else f"account {c.id or '?'}"
    return f"{who}: {_state(c)}, {_when(c.at)}"


def _post_line(c: StateChange) -> str:
    return f"post {c.id} by @{c.handle or '?'}: {_state(c)}, {_when(c.at)}"


def _state(c: StateChange) -> str:
    return c.state.replace("_", " ") + (f" ({c.code})" if c.code is not None else "")


def _when(at: str) -> str:
    return at[:16].replace("T", " ")


def _country_line(c: dict[str, Any]) -> str:
    shown = ", ".join(f"{k} {v['posts']:,} ({v['only_here']:,} only there)"
                      for k, v in c["countries"].items())  # fmt: skip
    pairs = ", ".join(f"{p} {j:.2f}" for p, j in c["overlap"].items())
    return f"{c['source']}: {shown}; overlap {pairs}"


# What can start markup inside a list item: emphasis, code, links, HTML, tables (a bare "." or
# "-" cannot, so figures stay readable in the plain-text part).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    """Text from the API shown as text in Markdown: its markup characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def write_digest(
    store: Store,
    out: str | Path | None,
    *,
    since: str = "24h",
    sources: Sequence[str] = (),
    now: float | None = None,
    show: bool = True,
) -> Digest:
    """Write the digest of the last ``since`` to ``out`` (its suffix says the format; None:
    Markdown on stdout, when ``show``), atomically, never over the database; return it."""
    clock = time.time() if now is None else now
    start = float(parse_since(since, clock, "--since"))
    fmt = _format(out)
    if out is not None:
        refuse_same_file(out, sqlite_files(store.url), "digest file")
    d = digest(store, start, clock, sources)
    text = {"md": to_markdown, "html": to_html}.get(fmt, _json)(d)
    if out is None:
        if show:
            print(text)
    else:
        with atomic_file(out, "w", encoding="utf-8") as f:
            f.write(text)
    return d


def _json(d: Digest) -> str:
    return json.dumps(d.as_json(), ensure_ascii=False, indent=1)


def _format(out: str | Path | None) -> str:
    if out is None:
        return "md"
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInputError(
            f"invalid --out {str(out)!r}: name it {', '.join(FORMATS)} (Markdown, HTML, JSON)"
        )
    return FORMATS[suffix]


__all__ = ["Digest", "check_sources", "digest", "to_html", "to_markdown", "write_digest"]
