"""Speech to text: the seam for a transcriber. None is bundled (``docs/media.md``, "Transcribers").

A transcriber is a callable that a package registers under the entry point group
:data:`GROUP` (read with ``importlib.metadata``), in its ``pyproject.toml``::

    [project.entry-points."tokarc.transcribers"]
    whisper = "tokarc_whisper:transcribe"

It is called with a :class:`Speech` (the video's file and what is known of the post) and
returns the cues it heard: :class:`tokarc.models.Cue` or ``(start_ms, end_ms, text)`` tuples.
``tokarc media --transcribe whisper`` runs it, after the downloads, on each downloaded video
(``media`` row ``done``) of a post that has no caption track and no transcript yet, and keeps
the cues in ``transcripts`` with source ``transcribed`` (language: the post's ``desc_language``,
else ``und``), searchable and exported like the subtitles. A transcriber that raises fails
that video alone; a rerun tries it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from ..models import CaptionSource, Cue, Post, decode_json
from ..status import MediaStatus
from ..store import Store
from ._transcripts import keep_cues

GROUP = "tokarc.transcribers"


@dataclass(frozen=True)
class Speech:
    """A downloaded video to transcribe: its file, its post, the post's language (a
    two-letter hint, when TikTok sent one) and length."""

    video: Path
    aweme_id: str
    language: str | None
    duration_ms: int | None


#: What a transcriber is: the cues heard in a video.
Transcriber = Callable[[Speech], Iterable[Cue | tuple[int, int, str]]]


def transcribers() -> dict[str, EntryPoint]:
    """The transcribers installed: entry points of :data:`GROUP`, by name."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load_transcriber(name: str) -> Transcriber:
    """The transcriber called ``name``; ``InvalidInputError`` naming those installed when
    there is no such one, or it does not load as a callable."""
    found = transcribers()
    if name not in found:
        known = ", ".join(sorted(found)) or f"none is installed (entry point group {GROUP})"
        raise InvalidInputError(f"invalid --transcribe {name!r}: no such transcriber; {known}")
    try:
        loaded: Any = found[name].load()
    except Exception as exc:  # a broken plugin: its own error, in one line
        raise InvalidInputError(f"invalid --transcribe {name!r}: cannot load it: {exc}") from None
    if not callable(loaded):
        raise InvalidInputError(
            f"invalid --transcribe {name!r}: {found[name].value} is no callable"
        )
    return loaded  # type: ignore[no-any-return]


@dataclass
class Transcribed:
    """What a transcriber did: videos transcribed and failed, and the first failure."""

    done: int = 0
    failed: int = 0
    first_failure: str | None = None

    def summary(self, name: str) -> str:
        said = f"transcribed {self.done} video(s) with {name}"
        return said + (
            f"; {self.failed} failed, the first: {self.first_failure}" if self.failed else ""
        )


def transcribe(store: Store, root: str | Path, transcriber: Transcriber) -> Transcribed:
    """Run ``transcriber`` on every downloaded video under ``root`` whose post has no caption
    track and no transcript, keeping its cues (source ``transcribed``); what it did."""
    out = Transcribed()
    for speech, sha256 in _waiting(store, Path(root)):
        try:
            cues = [Cue(int(a), int(b), str(text)) for a, b, text in transcriber(speech)]
        except Exception as exc:  # the transcriber's failure is this video's, not the run's
            out.failed += 1
            out.first_failure = out.first_failure or f"post {speech.aweme_id}: {exc}"
            continue
        with store.db.transaction():
            keep_cues(store, speech.aweme_id, 0, speech.language, CaptionSource.TRANSCRIBED,
                      cues, sha256)  # fmt: skip
        out.done += 1
    return out


def _waiting(store: Store, root: Path) -> Iterator[tuple[Speech, str]]:
    """The downloaded videos of posts with no transcript and no caption track, by post."""
    sql = (
        "SELECT m.record_id, m.path, m.sha256, p.duration_ms FROM media m "
        "JOIN posts p ON p.aweme_id = m.record_id WHERE m.kind = 'video' AND m.status = ? "
        "AND NOT EXISTS (SELECT 1 FROM transcripts t WHERE t.aweme_id = m.record_id) "
        "ORDER BY m.record_id"
    )
    for aweme_id, path, sha256, duration in store.db.query(sql, (str(MediaStatus.DONE),)):
        raw = store.raw("post", aweme_id) or b"{}"
        post = decode_json("post", raw)
        if isinstance(post, Post) and post.captions:
            continue  # its words come with its subtitles
        language = json.loads(raw).get("desc_language") or None
        yield Speech(root / path, str(aweme_id), language, duration), str(sha256)
