"""Networks from the archive, written as GEXF, GraphML or an edge-list CSV (networkx).

| graph | nodes | an edge | directed |
| --- | --- | --- | --- |
| ``hashtags`` | hashtags | two hashtags on one post | no |
| ``author-hashtag`` | authors and hashtags | an author used a hashtag | no |
| ``mentions`` | accounts | a post's author mentions an account (``@handle``) | yes |
| ``replies`` | accounts | a commenter answers a comment's or a post's author | yes |
| ``followers`` | accounts | one account follows another | yes |
| ``sounds`` | authors and sounds | an author posted with a sound | no |

Edges carry ``weight`` (how many posts or comments make them) and, where the records have a
creation time, ``start``: the first one's Unix time (GEXF ``timeformat="double"``, so Gephi's
timeline plays the network), and ``first_at`` the same in ISO 8601. Nodes carry ``kind``,
``label``, ``count`` (posts or comments they take part in) and, for accounts, ``handle``,
``nickname`` and ``follower_count``. With a :class:`Pseudonymizer` every account is its
pseudonym (node ids, handles, nicknames).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._files import atomic_file
from ..dataset import Pseudonymizer, Source
from ..errors import InvalidInputError
from ..store import Store

__all__ = ["FORMATS", "GRAPHS", "build", "network", "write"]

#: The graphs :func:`network` builds (see the module docstring).
GRAPHS = ("hashtags", "author-hashtag", "mentions", "replies", "followers", "sounds")

#: The file types, by suffix.
FORMATS = (".gexf", ".graphml", ".csv")

_DIRECTED = {"mentions", "replies", "followers"}

_POSTS_OF = (
    " AND p.aweme_id IN (SELECT entity_id FROM seen_via"
    " WHERE entity = 'post' AND source_kind = ? AND source_target = ?)"
)
_COMMENTS_OF = (
    " AND c.cid IN (SELECT entity_id FROM seen_via"
    " WHERE entity = 'comment' AND source_kind = ? AND source_target = ?)"
)
_FOLLOWS_OF = (
    " AND (f.first_job_id IN (SELECT id FROM jobs WHERE kind = ? AND target = ?)"
    " OR f.last_job_id IN (SELECT id FROM jobs WHERE kind = ? AND target = ?))"
)

# graph -> (SQL giving (item, a, b, unix time) rows, the filter by source); "a"/"b" are node
# keys: "u:" + uid, "#" + hashtag, "@" + handle (mentions; resolved to a uid when stored),
# "m:" + music id.
_SQL = {
    "hashtags": (
        "SELECT ph.aweme_id, ph.name, NULL, p.create_time FROM post_hashtags ph"
        " JOIN posts p ON p.aweme_id = ph.aweme_id WHERE 1 = 1{f} ORDER BY ph.aweme_id",
        _POSTS_OF,
    ),
    "author-hashtag": (
        "SELECT p.aweme_id, p.author_uid, ph.name, p.create_time FROM post_hashtags ph"
        " JOIN posts p ON p.aweme_id = ph.aweme_id WHERE p.author_uid IS NOT NULL{f}",
        _POSTS_OF,
    ),
    "mentions": (
        "SELECT p.aweme_id, p.author_uid, p.mentions, p.create_time FROM posts p"
        " WHERE p.mentions IS NOT NULL AND p.author_uid IS NOT NULL{f}",
        _POSTS_OF,
    ),
    "replies": (
        "SELECT c.cid, c.author_uid,"
        " CASE WHEN c.parent_cid IS NOT NULL THEN pc.author_uid ELSE p.author_uid END,"
        " c.create_time FROM comments c"
        " LEFT JOIN comments pc ON pc.cid = c.parent_cid"
        " LEFT JOIN posts p ON p.aweme_id = c.aweme_id WHERE c.author_uid IS NOT NULL{f}",
        _COMMENTS_OF,
    ),
    "followers": (
        "SELECT NULL, f.follower_uid, f.followed_uid, NULL FROM follows f WHERE 1 = 1{f}",
        _FOLLOWS_OF,
    ),
    "sounds": (
        "SELECT p.aweme_id, p.author_uid, p.music_id, p.create_time FROM posts p"
        " WHERE p.music_id IS NOT NULL AND p.author_uid IS NOT NULL{f}",
        _POSTS_OF,
    ),
}


@dataclass
class Network:
    """A graph being built: edges (weight, first time) and node counts."""

    graph: str
    edges: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    firsts: dict[str, float] = field(default_factory=dict)

    def add(self, a: str, b: str, when: Any) -> None:
        """One post or comment links ``a`` to ``b`` at Unix time ``when`` (or None)."""
        if a == b:
            return
        if self.graph not in _DIRECTED and b < a:
            a, b = b, a
        edge = self.edges.setdefault((a, b), [0, None])
        edge[0] += 1
        if when is not None and (edge[1] is None or when < edge[1]):
            edge[1] = float(when)
        for node in (a, b):
            if when is not None and (node not in self.firsts or when < self.firsts[node]):
                self.firsts[node] = float(when)

    def seen(self, nodes: Iterable[str]) -> None:
        """The nodes one post or comment takes part in."""
        for node in set(nodes):
            self.counts[node] = self.counts.get(node, 0) + 1


def build(store: Store, graph: str, source: Source | None = None) -> Network:
    """The ``graph`` (one of :data:`GRAPHS`) of the records in ``store``, or of those
    ``source`` (``("hashtag", "magic")``) found; ``InvalidInputError`` for an unknown graph."""
    if graph not in _SQL:
        raise InvalidInputError(f"invalid graph {graph!r}: one of {', '.join(GRAPHS)}")
    sql, narrow = _SQL[graph]
    params: tuple[str, ...] = ()
    if source is not None:
        params = tuple(source) * narrow.count("kind = ?")
    net = Network(graph)
    rows = (
        r for chunk in store.stream(sql.format(f=narrow if source else ""), params) for r in chunk
    )
    handles = _handles(store) if graph == "mentions" else {}
    {"hashtags": _pairs}.get(graph, _links)(net, rows, handles)
    return net


def _pairs(net: Network, rows: Iterable[Any], _: dict[str, str]) -> None:
    """Co-occurrence: the rows are (post, hashtag) in post order."""
    current: str | None = None
    tags: list[str] = []
    when = None
    for item, name, _b, time in [*rows, (None, None, None, None)]:
        if item != current:
            net.seen(tags)
            for i, a in enumerate(tags):
                for b in tags[i + 1 :]:
                    net.add(a, b, when)
            current, tags, when = item, [], time
        if name is not None:
            tags.append(f"#{name}")


def _links(net: Network, rows: Iterable[Any], handles: dict[str, str]) -> None:
    for _item, a, b, time in rows:
        if a is None or b is None:
            continue
        targets = (
            [_mentioned(h, handles) for h in str(b).split()]
            if net.graph == "mentions"
            else [_key(net.graph, b)]
        )
        for target in targets:
            net.add(f"u:{a}", target, time)
        net.seen([f"u:{a}", *targets])


def _key(graph: str, b: Any) -> str:
    return {"author-hashtag": "#", "sounds": "m:"}.get(graph, "u:") + str(b)


def _mentioned(handle: str, handles: dict[str, str]) -> str:
    uid = handles.get(handle.lower())
    return f"u:{uid}" if uid else f"@{handle.lower()}"


def _handles(store: Store) -> dict[str, str]:
    sql = "SELECT unique_id, uid FROM users WHERE unique_id IS NOT NULL"
    return {str(h).lower(): str(u) for chunk in store.stream(sql) for h, u in chunk}


# -- to networkx ------------------------------------------------------------------------------


def network(store: Store, net: Network, pseudonymize: Pseudonymizer | None = None) -> Any:
    """``net`` as a networkx graph, with node attributes from the store."""
    nx = _networkx()
    g = nx.DiGraph() if net.graph in _DIRECTED else nx.Graph()
    g.graph["name"] = f"tokarc {net.graph}"
    names = _node_names(store, net)
    hide = pseudonymize or _Plain()
    for node, count in _all_nodes(net).items():
        attrs = _node_attrs(node, count, names, hide)
        if node in net.firsts:
            attrs["start"] = net.firsts[node]
        g.add_node(_node_id(node, hide), **attrs)
    for (a, b), (weight, first) in net.edges.items():
        edge: dict[str, Any] = {"weight": weight}
        if first is not None:
            edge["start"] = first
            edge["first_at"] = _iso(first)
        g.add_edge(_node_id(a, hide), _node_id(b, hide), **edge)
    return g


class _Plain:
    """No pseudonyms: what :class:`Pseudonymizer` would do, doing nothing."""

    def pseudonym(self, kind: str, value: Any) -> Any:
        return value

    def text(self, value: Any, names: Iterable[tuple[str, str]] = ()) -> Any:
        return value


def _all_nodes(net: Network) -> dict[str, int]:
    nodes = dict(net.counts)
    for a, b in net.edges:
        nodes.setdefault(a, 0)
        nodes.setdefault(b, 0)
    return nodes


def _node_id(node: str, hide: Any) -> str:
    if node.startswith("u:"):
        return f"u:{hide.pseudonym('user', node[2:])}"
    if node.startswith("@"):
        return f"@{hide.pseudonym('handle', node[1:])}"
    return node


def _node_attrs(node: str, count: int, names: dict[str, Any], hide: Any) -> dict[str, Any]:
    if node.startswith("#"):
        return {"kind": "hashtag", "label": node, "count": count}
    if node.startswith("m:"):
        title = names.get(node)
        label = hide.text(title[0], title[1]) if title else node
        return {"kind": "sound", "label": label or node, "count": count}
    if node.startswith("@"):
        handle = hide.pseudonym("handle", node[1:])
        return {"kind": "account", "label": f"@{handle}", "handle": handle, "count": count}
    info = names.get(node) or (None, None, None)
    handle, nickname = hide.pseudonym("handle", info[0]), hide.pseudonym("nickname", info[1])
    label = f"@{handle}" if handle else _node_id(node, hide)
    attrs = {
        "kind": "account",
        "label": label,
        "handle": handle,
        "nickname": nickname,
        "follower_count": info[2],
        "count": count,
    }
    return {k: v for k, v in attrs.items() if v is not None}


def _node_names(store: Store, net: Network) -> dict[str, Any]:
    """Handles, nicknames and followers of the accounts; titles of the sounds."""
    nodes = _all_nodes(net)
    out: dict[str, Any] = {}
    users = "SELECT uid, unique_id, nickname, follower_count FROM users WHERE {}"
    for uid, handle, nick, followers in _lookup(store, users, "uid", nodes, "u:"):
        out[f"u:{uid}"] = (handle, nick, followers)
    music = "SELECT music_id, title, owner_handle, owner_nickname FROM music WHERE {}"
    for mid, title, handle, nick in _lookup(store, music, "music_id", nodes, "m:"):
        own = [(k, v) for k, v in (("handle", handle), ("nickname", nick)) if v]
        out[f"m:{mid}"] = (title, own)
    return out


def _lookup(
    store: Store, sql: str, key: str, nodes: Iterable[str], prefix: str
) -> Iterable[tuple[Any, ...]]:
    """The rows of ``sql`` (``{}``: the condition on ``key``) for the nodes with ``prefix``."""
    d = store.db.dialect
    ids = [n.removeprefix(prefix) for n in nodes if n.startswith(prefix)]
    for start in range(0, len(ids), 10_000):
        yield from store.db.query(sql.format(d.in_ids(key)), (d.ids(ids[start : start + 10_000]),))


def _iso(unix: float) -> str:
    return dt.datetime.fromtimestamp(unix, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- files ------------------------------------------------------------------------------------


def write(g: Any, out: str | os.PathLike[str], directed: bool | None = None) -> None:
    """Write the networkx graph ``g`` to ``out``: ``.gexf``, ``.graphml`` or ``.csv`` (edges:
    source, target, weight, start, first_at; then the source's and target's labels), whole or
    not at all (a temporary file beside it, then renamed)."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInputError(
            f"invalid output {os.fspath(out)!r}: end it with {', '.join(FORMATS)}"
        )
    nx = _networkx()
    with atomic_file(path, "wb") as f:
        if suffix == ".gexf":
            nx.write_gexf(g, f)
        elif suffix == ".graphml":
            nx.write_graphml(g, f)
        else:
            _edges_csv(g, f)


def _edges_csv(g: Any, f: Any) -> None:
    import io

    text = io.TextIOWrapper(f, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(
        ["source", "target", "weight", "start", "first_at", "source_label", "target_label"]
    )
    for a, b, data in g.edges(data=True):
        start = data.get("start")
        labels = [g.nodes[a].get("label"), g.nodes[b].get("label")]
        first = None if start is None else int(start)
        writer.writerow([a, b, data.get("weight"), first, data.get("first_at"), *labels])
    text.flush()
    text.detach()


def _networkx() -> Any:
    try:
        return importlib.import_module("networkx")
    except ImportError as exc:
        raise ImportError("networks need networkx: pip install 'tokarc[network]'") from exc
