"""Downloads into content-addressed files, recorded in the media table (both backends)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import webvtt
from PIL import Image

from tokarc.emulator import Emulator
from tokarc.emulator import _media as emulator_media
from tokarc.media import (
    KINDS,
    DiskFullError,
    MediaRoot,
    media_paths,
    media_root,
    pending,
    public_url,
    recorded_root,
)
from tokarc.models import Post, decode_json
from tokarc.store import Store

from .conftest import Run, assert_files_whole, media_requests, mp4_boxes, rows


def test_every_kind_is_downloaded_whole_and_recorded(
    run: Run, collected: Store, emulator: Emulator, tmp_path: Path
) -> None:
    report = run()
    got = rows(collected)
    assert report.planned == report.downloaded == len(got) == media_requests(emulator) > 30
    assert {r[0] for r in got} == set(KINDS)
    assert all(r[3] == "done" for r in got)
    root = tmp_path / "media"
    for kind, _, _, _, sha, size, content_type, path, _ in got:
        data = (root / path).read_bytes()
        assert path == f"{sha[:2]}/{sha[2:4]}/{sha}.{path.rsplit('.', 1)[1]}"
        assert len(data) == size
        if kind == "video":
            assert content_type == "video/mp4"
            assert mp4_boxes(data) == [b"ftyp", b"free", b"mdat"]
        elif kind == "music":
            assert content_type == "audio/mpeg"
            assert data.startswith(b"ID3")
        elif kind == "subtitles":
            assert content_type == "text/vtt"
            assert webvtt.from_string(data.decode()).captions
        else:
            assert content_type == "image/jpeg"
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                assert image.format == "JPEG"
    assert len(assert_files_whole(root)) == len({r[4] for r in got})
    assert report.bytes == sum(r[5] for r in got)


def test_the_store_records_where_its_media_are(run: Run, collected: Store, tmp_path: Path) -> None:
    assert recorded_root(collected) is None
    assert media_root(collected, None) is None  # nothing guessed from the URL's text
    run(kinds=("cover",))
    assert recorded_root(collected) == (tmp_path / "media").resolve()
    assert media_root(collected, None) == (tmp_path / "media").resolve()
    assert media_root(collected, tmp_path / "other") == tmp_path / "other"


def test_stored_urls_keep_no_signature(run: Run, collected: Store) -> None:
    run(kinds=("cover",))
    urls = [r[8] for r in rows(collected)]
    assert urls
    assert all("x-signature" not in u and "x-esig" not in u for u in urls)
    assert all("x-expires=" in u for u in urls)
    assert public_url("https://cdn/a.mp4?x-signature=s&token=t&br=1") == "https://cdn/a.mp4?br=1"


def test_a_rerun_downloads_nothing(run: Run, collected: Store, emulator: Emulator) -> None:
    first = run()
    before = media_requests(emulator)
    again = run()
    assert (again.planned, again.downloaded, media_requests(emulator)) == (0, 0, before)
    assert len(rows(collected)) == first.downloaded
    assert pending(collected, KINDS) == []


def test_a_rerun_gets_only_what_failed(run: Run, collected: Store, emulator: Emulator) -> None:
    run(kinds=("cover",))
    collected.db.execute("UPDATE media SET status = 'failed' WHERE record_id IN "
                         "(SELECT record_id FROM media ORDER BY record_id LIMIT 3)")  # fmt: skip
    before = media_requests(emulator)
    again = run(kinds=("cover",))
    assert again.downloaded == 3
    assert media_requests(emulator) - before == 3
    attempts = collected.db.query("SELECT MAX(attempts) FROM media")[0][0]
    assert attempts == 2


def test_carousels_every_image_in_order(run: Run, collected: Store, tmp_path: Path) -> None:
    run(kinds=("images",))
    photos = collected.db.query("SELECT aweme_id FROM posts WHERE is_photo = 1")
    assert photos
    for (aweme_id,) in photos:
        post = decode_json("post", collected.raw("post", aweme_id) or b"")
        assert isinstance(post, Post)
        assert len(post.image_urls) >= 2
        paths = media_paths(collected, "images", aweme_id)
        assert len(paths) == len(post.image_urls)
        for position, path in enumerate(paths):  # each file names its carousel slot
            comment = (tmp_path / "media" / path).read_bytes()[:200]
            assert f"{int(aweme_id):x}~{position}.jpeg".encode() in comment


def test_expired_urls_are_refreshed_then_downloaded(
    run: Run, collected: Store, emulator: Emulator
) -> None:
    emulator.clock.advance(emulator_media.TTL + 60)  # every stored URL is past its x-expires
    old = dict(collected.db.query("SELECT aweme_id, play_url FROM posts"))
    report = run(kinds=("video", "images", "avatar", "music"))
    assert report.refreshed == report.planned == report.downloaded > 0
    assert report.expired == report.failed == 0
    # One multi_post_info call (up to 100 posts): its units, as the emulator charged them.
    assert emulator.stats.requests["multi_post_info"] == report.calls == 1
    assert report.units == emulator.stats.units["multi_post_info"] > 0
    ledger = collected.db.query(
        "SELECT SUM(units) FROM requests WHERE endpoint = 'multi_post_info'"
    )
    assert ledger[0][0] == report.units
    new = dict(collected.db.query("SELECT aweme_id, play_url FROM posts"))
    assert all(new[k] != v for k, v in old.items() if v)  # the posts' new URLs are stored


def test_a_403_from_the_server_also_refreshes(run: Run, emulator: Emulator) -> None:
    emulator.clock.advance(emulator_media.TTL + 60)
    report = run(kinds=("cover",), clock=lambda: 0.0)  # the client cannot tell: the server says
    assert emulator.stats.statuses[403] == report.refreshed == report.downloaded > 0


def test_refresh_within_the_unit_budget(run: Run, collected: Store, emulator: Emulator) -> None:
    emulator.clock.advance(emulator_media.TTL + 60)
    report = run(kinds=("cover",), max_units=0)
    calls = emulator.stats.requests["multi_post_info"]
    assert (report.downloaded, report.calls, calls) == (0, 0, 0)
    assert report.expired == report.planned > 0
    errors = {r[0] for r in collected.db.query("SELECT error FROM media")}
    assert errors == {"the URL expired; no fresh URL within the unit budget"}
    again = run(kinds=("cover",))  # expired items are pending again
    assert again.downloaded == report.planned


def test_max_bytes_skips_large_files(run: Run, collected: Store, tmp_path: Path) -> None:
    report = run(kinds=("video",), max_bytes=1_000)
    assert report.too_large == report.planned > 0
    assert report.downloaded == 0
    assert not list((tmp_path / "media").glob("??/??/*"))
    assert run(kinds=("video",)).planned == 0  # settled: not tried again


def test_only_what_a_source_found(run: Run, collected: Store) -> None:
    assert run(source=("hashtag", "cats")).planned == 0
    assert run(source=("hashtag", "magic"), kinds=("avatar",)).downloaded > 0


def test_no_free_space_no_start(run: Run, collected: Store, emulator: Emulator) -> None:
    with pytest.raises(DiskFullError, match="not enough free space"):
        run(min_free=1 << 60)
    assert media_requests(emulator) == 0
    assert rows(collected) == []


def test_a_full_disk_stops_cleanly_and_the_run_resumes(
    run: Run, collected: Store, emulator: Emulator, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    writes = {"n": 0}
    real = MediaRoot._write

    def filling(self: MediaRoot, fd: int, data: bytes) -> None:
        writes["n"] += 1
        if writes["n"] > 10:
            raise OSError(28, "No space left on device")
        real(self, fd, data)

    monkeypatch.setattr(MediaRoot, "_write", filling)
    with pytest.raises(DiskFullError, match="is full"):
        run(concurrency=1)
    root = tmp_path / "media"
    done = rows(collected, "status = 'done'")
    assert len(done) == 10
    assert len(rows(collected)) == 10
    assert all((root / r[7]).is_file() for r in done)
    assert not list(root.glob(".*.part"))
    assert_files_whole(root)
    monkeypatch.setattr(MediaRoot, "_write", real)
    rest = run()
    assert rest.downloaded == rest.planned > 0
    assert pending(collected, KINDS) == []


def test_the_media_export_has_the_local_paths(run: Run, collected: Store, tmp_path: Path) -> None:
    import csv

    from tokarc.dataset.export import export

    run(kinds=("cover", "images"))
    out = tmp_path / "media.csv"
    assert export(collected, "media", out, "csv") == len(rows(collected))
    with out.open() as f:
        exported = list(csv.DictReader(f))
    assert {r["kind"] for r in exported} == {"cover", "images"}
    assert all((tmp_path / "media" / r["path"]).is_file() for r in exported)


def test_a_skewed_clock_lets_the_server_decide(run: Run, emulator: Emulator) -> None:
    def ahead() -> float:  # every URL looks expired to this client
        return emulator.clock.now() + 10 * 86_400

    alone = run(kinds=("cover",), client=None, clock=ahead)  # nothing to refresh with: try them
    assert alone.downloaded == alone.planned > 0
    emulator.clock.advance(emulator_media.TTL + 60)
    refreshed = run(kinds=("video",), clock=ahead)  # refreshed first, then tried all the same
    assert refreshed.refreshed == refreshed.downloaded == refreshed.planned > 0
