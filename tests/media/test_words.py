"""Words rising in transcripts: known transcripts on the emulator's posts (both backends), the
emulator's own subtitles, and the words in the report and the digest (Markdown, HTML, JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tokarc.analysis import MIN_BASELINE, rising_words, words_of
from tokarc.emulator import _captions as emulator_captions
from tokarc.media import save_transcript
from tokarc.models import CaptionSource, CaptionTrack, Cue
from tokarc.report import digest, write_digest, write_report
from tokarc.report._digest import to_html, to_markdown
from tokarc.store import Store

from .conftest import Run

RECENT = 5  # the newest posts say the rising words
SAID_RECENTLY = "Abracadabra! The rabbit and the WIZARD, ok? @zachking 2026"
SAID_BEFORE = "the rabbit is back and it is here"
SAID_SOMETIMES = "abracadabra"  # said before too, in MIN_BASELINE of the older posts


def _times(store: Store) -> list[tuple[int, str]]:
    return sorted((int(t), str(a)) for a, t in store.db.query(
        "SELECT aweme_id, create_time FROM posts WHERE create_time IS NOT NULL"))  # fmt: skip


def _say(store: Store, aweme_id: str, text: str, source: str = CaptionSource.AUTO) -> None:
    lang = "spa-ES" if source == CaptionSource.TRANSLATED else "eng-US"
    track = CaptionTrack(url="https://x.test/a.vtt", language=lang,
                         source=CaptionSource(source))  # fmt: skip
    with store.db.transaction():
        save_transcript(store, aweme_id, 0, track, [Cue(0, 1500, text), Cue(1500, 3000, text)])


def _known(store: Store) -> tuple[float, float, int]:
    """Known transcripts on the stored posts; (since, now, days) that make the newest RECENT
    posts recent and every older one part of the baseline."""
    times = _times(store)
    assert len(times) > RECENT + MIN_BASELINE
    for i, (_, aweme_id) in enumerate(times):
        recent = i >= len(times) - RECENT
        text = SAID_RECENTLY if recent else SAID_BEFORE
        if not recent and i < MIN_BASELINE:
            text += " " + SAID_SOMETIMES
        _say(store, aweme_id, text)
        if not recent:  # a translation says it again, and never counts
            _say(store, aweme_id, "abracadabra abracadabra", CaptionSource.TRANSLATED)
    since = times[-RECENT][0]
    return float(since), float(times[-1][0] + 1), (since - times[0][0]) // 86_400 + 1


def test_the_words_that_rise_with_their_counts(collected: Store) -> None:
    since, now, days = _known(collected)
    older = len(_times(collected)) - RECENT
    found = {r.key: r for r in rising_words(collected, since=since, now=now, days=days)}
    assert set(found) == {"abracadabra", "rabbit", "wizard"}  # no stop word, mention, number
    magic, rabbit, wizard = found["abracadabra"], found["rabbit"], found["wizard"]
    assert (magic.recent, magic.baseline_posts) == (RECENT, MIN_BASELINE)
    assert (rabbit.recent, rabbit.baseline_posts) == (RECENT, older)
    assert (wizard.recent, wizard.baseline_posts, wizard.score) == (RECENT, 0, None)
    hours = (now - since) / 3600
    assert magic.per_hour == pytest.approx(RECENT / hours)
    assert magic.baseline_per_hour == pytest.approx(MIN_BASELINE / (days * 24))
    assert magic.score == pytest.approx(magic.per_hour / magic.baseline_per_hour)
    ranked = [r.key for r in rising_words(collected, since=since, now=now, days=days)]
    assert ranked == ["abracadabra", "rabbit", "wizard"]  # the untrusted last
    only = {_times(collected)[-1][1]}
    [one] = [r for r in rising_words(collected, since=since, now=now, days=days, ids=only)
             if r.key == "rabbit"]  # fmt: skip
    assert (one.recent, one.baseline_posts) == (1, 0)


def test_what_counts_as_a_word() -> None:
    assert words_of(SAID_RECENTLY, "eng-US") == {"abracadabra", "rabbit", "wizard"}
    assert words_of("I can't see the #wizard, 42 times", "en") == {"wizard", "times"}
    assert words_of("mira esto, que locura", "spa-ES") == {"mira", "locura"}
    assert words_of("the wizard", "und") == words_of("the wizard", None) == {"wizard"}


def test_the_emulators_subtitles_rise_as_their_cues_say(run: Run, collected: Store) -> None:
    run(kinds=("subtitles",))
    times = _times(collected)
    since, now = float(times[len(times) // 2][0]), float(times[-1][0] + 1)
    said = {
        str(a): " ".join(c.text for c in emulator_captions.cues(int(a), lang, int(d or 0)))
        for a, lang, d in collected.db.query(
            "SELECT t.aweme_id, t.language, p.duration_ms FROM transcripts t JOIN posts p "
            "ON p.aweme_id = t.aweme_id WHERE t.source <> 'translated'")
    }  # fmt: skip
    recent = [said[a].lower() for t, a in times if t >= since and a in said]
    found = rising_words(collected, since=since, now=now)
    assert found
    for rate in found:
        assert rate.key not in {"this", "for", "the", "is", "it"}
        pattern = re.compile(rf"(?<![\w@']){re.escape(rate.key)}(?![\w'])")
        assert rate.recent == sum(1 for text in recent if pattern.search(text)), rate.key


def _in_order(text: str, *parts: str) -> None:
    at = [text.index(p) for p in parts]
    assert at == sorted(at), parts


def test_the_digest_shows_the_rising_words(collected: Store, tmp_path: Path) -> None:
    since, now, _ = _known(collected)
    d = digest(collected, since, now)
    assert [w["key"] for w in d.words] == ["abracadabra", "rabbit"]  # trusted and above usual
    assert d.words[0]["posts"] == RECENT
    markdown, page = to_markdown(d), to_html(d)
    _in_order(markdown, "## Hashtags rising", "## Words rising in transcripts",
              f"- abracadabra: said in {RECENT} posts", "- rabbit: said in")  # fmt: skip
    _in_order(page, "<h2>Words rising in transcripts</h2>", "<li>abracadabra: said in")
    out = tmp_path / "digest.json"
    write_digest(collected, out, since=f"{int(now - since)}s", now=now)
    words = json.loads(out.read_text())["words"]
    assert [w["key"] for w in words] == ["abracadabra", "rabbit"]


def test_the_report_shows_the_rising_words_beside_the_hashtags(
    collected: Store, tmp_path: Path
) -> None:
    since, now, _ = _known(collected)
    write_report(collected, tmp_path / "before.html", now=since)  # "since the last report"
    page = write_report(collected, tmp_path / "report.html", now=now).html
    _in_order(page, "<h3>Newly rising hashtags</h3>", "<h3>Words rising in transcripts</h3>",
              '<table id="table-changes-words">', "<td>abracadabra</td>", "<td>rabbit</td>",
              "<h3>Gone posts</h3>")  # fmt: skip
    table = page.split('<table id="table-changes-words">', 1)[1].split("</table>", 1)[0]
    assert "wizard" not in table  # no baseline: not trusted
    assert f'<td class="n">{RECENT:,}</td>' in table
    assert "<b>2</b>rising words" in page
