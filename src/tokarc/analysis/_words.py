"""Words rising in transcripts: what is said lately more than usual (``docs/monitor.md``).

The method of :func:`tokarc.analysis.rising` (hashtags and sounds), on the words of the
``transcripts`` table: for each word, the posts created since ``since`` whose transcript says
it, per hour, against the posts per hour that said it over the ``days`` before. A post counts
once per word, however many tracks or cues say it. Left out:

- machine-translated tracks (source ``translated``): the same words again, in another language;
- @mentions (people, not words), numbers, and tokens of fewer than :data:`MIN_LETTERS` letters;
- stop words: the ``stop-words`` package's list for the track's language (its first subtag:
  ``eng-US`` is ``en``), or English's where it has none (``und``, a language it lacks).

A word is lower case letters, with inner apostrophes (``can't``); markup characters never
survive in one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator

from stop_words import StopWordError, get_stop_words  # type: ignore[import-untyped]

from ..models import CaptionSource
from ..store import Store
from ._overperforming import TRAILING_DAYS, Rate, rates

MIN_LETTERS = 3  # shorter tokens ("ok", "so", "uh") say little of what a video is about

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_MENTION = re.compile(r"@[\w.]+")
# TikTok names caption languages by ISO 639-2 (``eng-US``); stop-words knows ISO 639-1.
_ISO_639_1 = {
    "ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "chi": "zh", "zho": "zh",
    "cmn": "zh", "dan": "da", "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en",
    "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr", "fre": "fr", "guj": "gu", "heb": "he",
    "hin": "hi", "hun": "hu", "ind": "id", "ita": "it", "jpn": "ja", "kor": "ko", "may": "ms",
    "msa": "ms", "dut": "nl", "nld": "nl", "nob": "nb", "nor": "nb", "pol": "pl", "por": "pt",
    "ron": "ro", "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk", "spa": "es", "swe": "sv",
    "tur": "tr", "ukr": "uk", "vie": "vi",
}  # fmt: skip


def words_of(text: str, language: str | None = None) -> set[str]:
    """The words of ``text`` that count, lower case (see the module doc), for a track in
    ``language`` (``eng-US``, ``es``; None: English)."""
    stop = stop_words(language)
    found = _WORD.findall(_MENTION.sub(" ", text.lower()))
    return {w for w in found if len(w) >= MIN_LETTERS and w not in stop}


@functools.cache
def stop_words(language: str | None) -> frozenset[str]:
    """The stop words of ``language`` (English's when stop-words has no list for it)."""
    code = _iso_639_1(language)
    try:
        return frozenset(w.lower() for w in get_stop_words(code))
    except StopWordError:
        return stop_words("en")


def _iso_639_1(language: str | None) -> str:
    first = (language or "en").replace("_", "-").split("-")[0].lower()
    return _ISO_639_1.get(first, first)


def rising_words(
    store: Store,
    *,
    since: float,
    now: float,
    days: int = TRAILING_DAYS,
    ids: Collection[str] | None = None,
) -> list[Rate]:
    """Each word said in the transcripts of posts created since ``since``: those posts per
    hour against the posts per hour that said it over the ``days`` before, ranked as
    :func:`rising` ranks hashtags (``Rate.key`` is the word). Given ``ids``, only those posts
    count. None where the store has no transcripts."""
    if (ids is not None and not ids) or not store.has_table("transcripts"):
        return []
    counts: dict[str, list[int]] = {}
    for created, words in _said(store, since - days * 86_400, now, ids):
        for word in words:
            counts.setdefault(word, [0, 0])[0 if created >= since else 1] += 1
    return rates(((w, r, b) for w, (r, b) in counts.items()), since=since, now=now, days=days)


def _said(
    store: Store, start: float, now: float, ids: Collection[str] | None
) -> Iterator[tuple[int, set[str]]]:
    """Each post created from ``start`` to ``now`` (one of ``ids``) with a transcript: its
    creation time and the words its tracks say."""
    d = store.db.dialect
    only = f"AND {d.in_ids('p.aweme_id')} " if ids is not None else ""
    sql = (
        "SELECT p.aweme_id, p.create_time, t.language, t.text FROM transcripts t "
        "JOIN posts p ON p.aweme_id = t.aweme_id WHERE t.source <> ? "
        f"AND p.create_time >= ? AND p.create_time <= ? {only}ORDER BY p.aweme_id"
    )
    params: tuple[object, ...] = (str(CaptionSource.TRANSLATED), int(start), int(now))
    params += (d.ids(sorted(ids)),) if ids is not None else ()
    post, created, words = None, 0, set[str]()
    for chunk in store.stream(sql, params):
        for aweme_id, at, language, text in chunk:
            if aweme_id != post and post is not None:
                yield created, words
                words = set()
            post, created = aweme_id, int(at)
            words |= words_of(str(text or ""), language)
    if post is not None:
        yield created, words
