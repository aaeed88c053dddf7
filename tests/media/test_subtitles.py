"""Subtitles: caption tracks downloaded, refreshed when expired, parsed into transcripts (both
backends), their text the emulator's known cues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokarc.analysis._search import count, search
from tokarc.cli import app
from tokarc.dataset import export as X
from tokarc.dataset._pseudonym import Pseudonymizer
from tokarc.emulator import Emulator
from tokarc.emulator import _captions as emulator_captions
from tokarc.emulator import _media as emulator_media
from tokarc.errors import InvalidInputError
from tokarc.media import read_cues
from tokarc.models import Post, cues_of, decode_json
from tokarc.store import Store

from .conftest import Run, assert_files_whole, rows


def _posts(store: Store) -> dict[str, Post]:
    out = {}
    for (aweme_id,) in store.db.query("SELECT aweme_id FROM posts"):
        post = decode_json("post", store.raw("post", aweme_id) or b"")
        assert isinstance(post, Post)
        out[str(aweme_id)] = post
    return out


def _known(post: Post, lang: str) -> list[list[object]]:
    cues = emulator_captions.cues(int(post.aweme_id), lang, post.duration_ms or 0)
    return [[c.start_ms, c.end_ms, c.text] for c in cues]


def test_posts_stored_before_their_tracks_were_counted_are_read_for_them(
    run: Run, collected: Store
) -> None:
    """``caption_tracks`` NULL (rows from before the column, not rebuilt): their JSON says."""
    expected = sum(len(p.captions) for p in _posts(collected).values())
    collected.db.execute("UPDATE posts SET caption_tracks = NULL")
    report = run(kinds=("subtitles",))
    assert report.planned == expected > 2


def test_every_track_becomes_a_transcript(run: Run, collected: Store, tmp_path: Path) -> None:
    report = run(kinds=("subtitles",))
    posts = _posts(collected)
    tracks = {(a, i): t for a, p in posts.items() for i, t in enumerate(p.captions)}
    assert report.planned == report.downloaded == len(tracks) > 2
    got = rows(collected, "kind = 'subtitles'")
    assert {(r[1], r[2]) for r in got} == set(tracks)
    assert {r[6] for r in got} == {"text/vtt"}
    files = assert_files_whole(tmp_path / "media")
    assert {f.suffix for f in files} == {".vtt"}
    stored = collected.db.query(
        "SELECT aweme_id, position, language, source, cue_count, cues, text FROM transcripts"
    )
    assert len(stored) == len(tracks)
    for aweme_id, position, language, source, n, cues, text in stored:
        track = tracks[(aweme_id, position)]
        assert (language, source) == (track.language, track.source)
        cue_list = json.loads(cues)
        known = _known(posts[aweme_id], language)
        assert [[c["start_ms"], c["end_ms"], c["text"]] for c in cue_list] == known
        assert n == len(known)
        assert text == " ".join(str(k[2]) for k in known)
    assert len({s for *_, s, _, _, _ in stored}) > 1  # not one source for all


def test_the_files_parse_as_the_emulator_wrote_them(
    run: Run, collected: Store, tmp_path: Path
) -> None:
    run(kinds=("subtitles",))
    aweme_id, path = collected.db.query(
        "SELECT record_id, path FROM media WHERE kind = 'subtitles' ORDER BY record_id LIMIT 1"
    )[0]
    post = _posts(collected)[aweme_id]
    cues = read_cues(tmp_path / "media" / path)
    lang = post.captions[0].language or ""
    assert [[c.start_ms, c.end_ms, c.text] for c in cues] == _known(post, lang)


def test_expired_subtitles_are_refreshed_through_multi_post_info(
    run: Run, collected: Store, emulator: Emulator
) -> None:
    emulator.clock.advance(emulator_media.TTL + 60)
    report = run(kinds=("subtitles",))
    assert report.refreshed == report.planned == report.downloaded > 0
    assert report.expired == report.failed == 0
    assert emulator.stats.requests["multi_post_info"] == report.calls == 1
    n = collected.db.query("SELECT COUNT(*) FROM transcripts")[0][0]
    assert n == report.downloaded


def test_without_a_client_expired_subtitles_stay_expired(
    run: Run, collected: Store, emulator: Emulator
) -> None:
    emulator.clock.advance(emulator_media.TTL + 60)
    report = run(kinds=("subtitles",), client=None)
    assert report.expired == report.planned > 0
    assert collected.db.query("SELECT COUNT(*) FROM transcripts")[0][0] == 0
    assert run(kinds=("subtitles",)).downloaded == report.planned  # pending again, then got


def test_a_rerun_keeps_one_transcript_per_track(run: Run, collected: Store) -> None:
    first = run(kinds=("subtitles",))
    collected.db.execute("UPDATE media SET status = 'failed' WHERE kind = 'subtitles'")
    again = run(kinds=("subtitles",))
    assert again.downloaded == first.downloaded
    assert collected.db.query("SELECT COUNT(*) FROM transcripts")[0][0] == first.downloaded


def _a_cue(store: Store) -> tuple[str, str, int, str]:
    """(post, a rare word, its cue's start, that cue's text) of a stored transcript."""
    counts: dict[str, int] = {}
    found: dict[str, tuple[str, int, str]] = {}
    for aweme_id, cues in store.db.query("SELECT aweme_id, cues FROM transcripts"):
        for cue in cues_of(cues):
            for word in {w for w in cue.text.split() if w.isalpha() and len(w) > 3}:
                counts[word] = counts.get(word, 0) + 1
                found.setdefault(word, (str(aweme_id), cue.start_ms, cue.text))
    word = min(counts, key=lambda w: (counts[w], w))
    return (found[word][0], word, *found[word][1:])


def test_a_transcript_hit_is_at_its_cue(run: Run, collected: Store) -> None:
    run(kinds=("subtitles",))
    aweme_id, word, start_ms, text = _a_cue(collected)
    hits = search(collected.db, word, "transcripts", limit=50)
    hit = next(h for h in hits if h.id == aweme_id)
    assert (hit.scope, hit.at_ms, hit.text) == ("transcripts", start_ms, text)
    page = f"https://www.tiktok.com/@{hit.author}/video/{aweme_id}"
    assert hit.url == f"{page}?t={start_ms // 1000}"
    assert hit.author
    assert hit.created_at
    assert all(word.lower() in (h.text or "").lower() for h in hits)
    assert count(collected.db, word, "transcripts") == len(hits)
    assert search(collected.db, f"{word} -{word}", "transcripts") == []


def test_searching_transcripts_where_there_are_none_is_one_line(tmp_path: Path) -> None:
    from tokarc.store import open_store as open_plain

    with open_plain(tmp_path / "plain.db") as plain:
        with pytest.raises(InvalidInputError, match="no transcripts in this database"):
            search(plain.db, "magic", "transcripts")


def test_tokarc_search_in_transcripts(run: Run, collected: Store, tmp_path: Path) -> None:
    run(kinds=("subtitles",))
    aweme_id, word, start_ms, _ = _a_cue(collected)
    args = ["search", word, "--db", str(collected.url), "--in", "transcripts"]
    ran = CliRunner().invoke(app, [*args, "--json"], prog_name="tokarc")
    assert ran.exit_code == 0, ran.stderr
    hits = [json.loads(line) for line in ran.stdout.splitlines()]
    hit = next(h for h in hits if h["id"] == aweme_id)
    assert hit["at_ms"] == start_ms
    assert hit["url"].endswith(f"?t={start_ms // 1000}")
    table = CliRunner().invoke(app, args, prog_name="tokarc", terminal_width=300)
    assert f"{start_ms // 60_000}:" in table.stdout
    assert "?t=" in table.stdout


def test_transcripts_are_exported_and_pseudonymised(
    run: Run, collected: Store, tmp_path: Path
) -> None:
    run(kinds=("subtitles",))
    plain, hidden = tmp_path / "t.jsonl", tmp_path / "p.jsonl"
    n = X.export(collected, "transcripts", plain, "jsonl")
    assert n == collected.db.query("SELECT COUNT(*) FROM transcripts")[0][0] > 0
    rows = [json.loads(line) for line in plain.read_text().splitlines()]
    mentioned = [r for r in rows if "@" in r["text"]]
    assert mentioned  # the emulator's cues name accounts
    X.export(collected, "transcripts", hidden, "jsonl", pseudonymize=Pseudonymizer(b"k" * 32))
    masked = [json.loads(line) for line in hidden.read_text().splitlines()]
    for row in masked:
        assert not any(f"@{h}" in row["text"] + row["cues"] for h in emulator_captions._MENTIONED)
        json.loads(row["cues"])  # still JSON
    assert [r["aweme_id"] for r in masked] == [r["aweme_id"] for r in rows]
