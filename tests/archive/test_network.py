"""Networks read back with networkx: nodes, weights, edge times, sources, pseudonyms."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from tokarc.analysis._network import GRAPHS, build, network, write
from tokarc.dataset._pseudonym import Pseudonymizer
from tokarc.store import Store

from .conftest import Ran, one, one_line_error


def read(path: Path) -> nx.Graph:
    return nx.read_gexf(path) if path.suffix == ".gexf" else nx.read_graphml(path)


@pytest.mark.parametrize("graph", GRAPHS)
def test_every_graph_reads_back(archive: Store, tmp_path: Path, graph: str) -> None:
    g = network(archive, build(archive, graph))
    assert g.number_of_edges() > 0
    for suffix in (".gexf", ".graphml"):
        write(g, tmp_path / f"g{suffix}")
        back = read(tmp_path / f"g{suffix}")
        assert back.number_of_nodes() == g.number_of_nodes()
        assert back.number_of_edges() == g.number_of_edges()
        assert back.is_directed() == (graph in {"mentions", "replies", "followers"})
        assert sum(w for _, _, w in back.edges(data="weight")) == sum(
            w for _, _, w in g.edges(data="weight"))  # fmt: skip
    write(g, tmp_path / "g.csv")
    with (tmp_path / "g.csv").open(newline="") as f:
        assert len(list(csv.DictReader(f))) == g.number_of_edges()


def test_hashtag_weights_are_co_occurrences(archive: Store, tmp_path: Path) -> None:
    write(network(archive, build(archive, "hashtags")), tmp_path / "h.gexf")
    back = read(tmp_path / "h.gexf")
    pairs = archive.db.query("SELECT hashtag_a, hashtag_b, posts FROM hashtag_pairs")
    assert {(a, b): n for a, b, n in pairs} == {
        tuple(sorted((u.lstrip("#"), v.lstrip("#")))): w for u, v, w in back.edges(data="weight")
    }
    magic = back.nodes["#magic"]
    assert magic["kind"] == "hashtag"
    assert magic["count"] == one(archive, "SELECT COUNT(*) FROM post_hashtags WHERE name = 'magic'")


def test_gexf_edges_carry_their_first_time(archive: Store, tmp_path: Path) -> None:
    write(network(archive, build(archive, "mentions")), tmp_path / "m.gexf")
    assert 'timeformat="double"' in (tmp_path / "m.gexf").read_text()
    back = read(tmp_path / "m.gexf")
    [(a, b, data)] = back.edges(data=True)
    row = archive.db.query("SELECT author_uid, create_time, mentions FROM posts "
                           "WHERE mentions IS NOT NULL")[0]  # fmt: skip
    assert a == f"u:{row[0]}"
    assert float(data["start"]) == row[1]
    assert back.nodes[b]["handle"] == row[2]


def test_replies_point_at_the_author_answered(archive: Store) -> None:
    net = build(archive, "replies")
    post_author = one(archive, "SELECT p.author_uid FROM comments c JOIN posts p "
                               "ON p.aweme_id = c.aweme_id LIMIT 1")  # fmt: skip
    top_level = one(archive, "SELECT COUNT(*) FROM comments WHERE parent_cid IS NULL")
    into_post_author = sum(w for (_, b), (w, _) in net.edges.items() if b == f"u:{post_author}")
    assert into_post_author >= top_level - one(
        archive, "SELECT COUNT(*) FROM comments c JOIN posts p ON p.aweme_id = c.aweme_id "
                 "WHERE c.parent_cid IS NULL AND c.author_uid = p.author_uid")  # fmt: skip


def test_a_source_narrows_the_graph(archive: Store) -> None:
    everything = build(archive, "sounds")
    narrowed = build(
        archive,
        "sounds",
        ("user_posts", one(archive, "SELECT target FROM jobs WHERE kind = 'user_posts'")),
    )
    assert 0 < sum(w for w, _ in narrowed.edges.values()) == 20
    assert sum(w for w, _ in everything.edges.values()) > 20
    followers = build(archive, "followers", ("followers", "nobody"))
    assert followers.edges == {}


def test_pseudonymised_network(archive: Store, tmp_path: Path) -> None:
    p = Pseudonymizer(b"0123456789abcdef-key")
    write(network(archive, build(archive, "followers"), p), tmp_path / "f.graphml")
    text = (tmp_path / "f.graphml").read_text()
    originals = {str(v) for (v,) in archive.db.query(
        "SELECT uid FROM users UNION SELECT unique_id FROM users UNION SELECT nickname FROM users")
        if v and len(str(v)) >= 4}  # fmt: skip
    assert [o for o in originals if o in text] == []
    back = read(tmp_path / "f.graphml")
    assert all(n.startswith("u:u_") for n in back.nodes)


def test_cli_network(archive_url: str, tmp_path: Path, cli: Callable[..., Ran]) -> None:
    out = tmp_path / "tags.gexf"
    ran = cli("network", "--db", archive_url, "--graph", "author-hashtag", "--source",
              "hashtag:magic", "-o", str(out))  # fmt: skip
    assert ran.code == 0, ran.err
    assert "edges written" in ran.err
    assert read(out).number_of_edges() > 0


@pytest.mark.parametrize(("args", "message"), [
    (["--graph", "likes", "-o", "g.gexf"], "likes"),
    (["--graph", "hashtags", "-o", "g.png"], "invalid --out"),
    (["--graph", "hashtags", "-o", "nowhere/g.gexf"], "no folder"),
    (["--graph", "hashtags", "-o", "g.gexf", "--source", "magic"], "invalid --source"),
])  # fmt: skip
def test_cli_network_bad_input(
    archive_url: str, tmp_path: Path, cli: Callable[..., Ran], args: list[str], message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    ran = cli("network", "--db", archive_url, *args)
    assert ran.code == 2
    assert message in one_line_error(ran)
    assert not list(tmp_path.glob("g.*"))
