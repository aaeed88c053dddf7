"""The speech-to-text seam: a transcriber this test writes and installs (a distribution on
sys.path, with its entry point in ``tokarc.transcribers``), which hears the emulator's known
cues in the downloaded videos; run by the library (both backends) and by ``tokarc media``."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tokarc.analysis import search
from tokarc.cli import app
from tokarc.emulator import _captions as emulator_captions
from tokarc.media import TRANSCRIBERS, load_transcriber, transcribe, transcribers
from tokarc.models import CaptionSource, cues_of
from tokarc.store import Store

from .conftest import Run

PLUGIN = '''
"""A transcriber for tests: it checks it was given an MP4 file and says the emulator's cues."""
from tokarc.emulator import _captions
from tokarc.models import Cue

HEARD = []


def transcribe(speech):
    data = speech.video.read_bytes()
    assert data[4:8] == b"ftyp", speech.video
    HEARD.append(speech.aweme_id)
    if speech.aweme_id == BROKEN:
        raise RuntimeError("cannot hear this one")
    lang = _captions.LANGUAGES.get(speech.language or "en", _captions.LANGUAGES["en"])[0]
    return [tuple(c) for c in _captions.cues(int(speech.aweme_id), lang, speech.duration_ms)]


BROKEN = None
NOT_CALLABLE = 42
'''


def _install(site: Path, name: str = "known") -> None:
    """A distribution ``tokarc-test-stt`` under ``site`` registering ``name`` (and a broken
    entry ``nothing``)."""
    (site / "tokarc_test_stt.py").write_text(PLUGIN)
    info = site / "tokarc_test_stt-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tokarc-test-stt\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(f"""\
        [{TRANSCRIBERS}]
        {name} = tokarc_test_stt:transcribe
        nothing = tokarc_test_stt:NOT_CALLABLE
        """))  # fmt: skip


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], object]:
    site = tmp_path / "site"
    site.mkdir()
    _install(site)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(__import__("sys").modules, "tokarc_test_stt", raising=False)
    return lambda: __import__("tokarc_test_stt")


def _uncaptioned(store: Store) -> dict[str, tuple[str | None, int]]:
    """Posts with a downloaded video and no transcript: (desc_language, duration_ms)."""
    import json

    rows = store.db.query(
        "SELECT m.record_id, p.duration_ms FROM media m JOIN posts p ON p.aweme_id = m.record_id "
        "WHERE m.kind = 'video' AND m.status = 'done' AND NOT EXISTS "
        "(SELECT 1 FROM transcripts t WHERE t.aweme_id = m.record_id)"
    )
    out = {}
    for aweme_id, duration in rows:
        raw = json.loads(store.raw("post", aweme_id) or b"{}")
        if not raw["video"].get("cla_info", {}).get("caption_infos"):
            out[str(aweme_id)] = (raw.get("desc_language"), int(duration))
    return out


def test_a_registered_transcriber_is_found_by_name(installed: Callable[[], object]) -> None:
    assert {"known", "nothing"} <= set(transcribers())
    assert callable(load_transcriber("known"))
    with pytest.raises(ValueError, match="no such transcriber; known, nothing"):
        load_transcriber("whisper")
    with pytest.raises(ValueError, match="is no callable"):
        load_transcriber("nothing")


def test_videos_without_captions_are_transcribed_with_the_known_text(
    run: Run, collected: Store, tmp_path: Path, installed: Callable[[], object]
) -> None:
    run(kinds=("video", "subtitles"))
    captioned = {a for (a,) in collected.db.query("SELECT DISTINCT aweme_id FROM transcripts")}
    waiting = _uncaptioned(collected)
    assert waiting
    assert captioned  # some posts have caption tracks: those are not transcribed
    plugin = installed()
    plugin.BROKEN = min(waiting)  # type: ignore[attr-defined]
    done = transcribe(collected, tmp_path / "media", load_transcriber("known"))
    assert (done.done, done.failed) == (len(waiting) - 1, 1)
    assert "cannot hear this one" in str(done.first_failure)
    assert set(plugin.HEARD) == set(waiting)  # type: ignore[attr-defined]
    rows = collected.db.query(
        "SELECT aweme_id, language, source, cues, text FROM transcripts WHERE source = ?",
        (str(CaptionSource.TRANSCRIBED),),
    )
    assert {r[0] for r in rows} == set(waiting) - {min(waiting)}
    for aweme_id, language, _, cues, text in rows:
        hint, duration = waiting[aweme_id]
        lang = emulator_captions.LANGUAGES.get(hint or "en", emulator_captions.LANGUAGES["en"])[0]
        known = emulator_captions.cues(int(aweme_id), lang, duration)
        assert [tuple(c) for c in cues_of(cues)] == [tuple(k) for k in known]
        assert text == " ".join(k.text for k in known)
        assert language == (hint or "und")
    plugin.BROKEN = None  # type: ignore[attr-defined]
    again = transcribe(collected, tmp_path / "media", load_transcriber("known"))
    assert (again.done, again.failed) == (1, 0)  # only the one that failed
    word = next(w for w in rows[0][4].split() if w.isalpha() and len(w) > 3)
    assert rows[0][0] in {m.id for m in search(collected.db, word, "transcripts", limit=200)}


def _cli(*args: str) -> tuple[int, str, str]:
    ran = CliRunner().invoke(app, list(args), prog_name="tokarc")
    return ran.exit_code, ran.stdout, ran.stderr


@pytest.mark.slow
def test_tokarc_media_transcribe(
    tmp_path: Path, installed: Callable[[], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "m.db")
    assert _cli("--sandbox", "hashtag", "magic", "--max-items", "20", "--db", db)[0] == 0
    code, _, err = _cli("--sandbox", "media", "--db", db, "--kinds", "video", "--min-free", "0",
                        "--dir", str(tmp_path / "media"), "--transcribe", "known")  # fmt: skip
    assert code == 0, err
    assert "transcribed" in err
    from tokarc.store import open_store

    with open_store(db) as store:
        n = store.db.query("SELECT COUNT(*) FROM transcripts WHERE source = 'transcribed'")[0][0]
    assert n > 0
    assert f"transcribed {n} video(s) with known" in err


def test_an_unknown_transcriber_is_one_line_and_nothing_downloaded(
    tmp_path: Path, installed: Callable[[], object]
) -> None:
    db = str(tmp_path / "m.db")
    assert _cli("--sandbox", "hashtag", "magic", "--max-items", "5", "--db", db)[0] == 0
    code, _, err = _cli("--sandbox", "media", "--db", db, "--dir", str(tmp_path / "media"),
                        "--transcribe", "whisper")  # fmt: skip
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert "no such transcriber; known, nothing" in lines[0]
    assert not (tmp_path / "media").exists()
