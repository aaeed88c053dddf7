"""The words of ``KIND:TARGET``, one meaning each, for watches, expansions and ``--source``.

- ``hashtag:NAME``: the posts using a hashtag (job ``hashtag``);
- ``keyword:TEXT``: the posts matching a keyword (job ``keyword``);
- ``user:NAME``: an account's posts (job and source ``user_posts``);
- ``sound:ID`` (or ``music:ID``): the posts using a sound (job and source ``music_posts``);
- ``profile:NAME``: an account's profile (job and source ``user``);
- ``post:ID`` (or ``posts:``): posts by id or URL (job ``posts``).

``tokarc watch add user zachking`` follows zachking's posts, ``tokarc expand user:zachking``
starts from them, and ``--source user:zachking`` keeps what they found; the account's profile
is ``profile:zachking`` everywhere. ``--source`` also takes the name a source is stored under
(``followers:zachking``, ``user_posts:zachking``), except where a word above means something
else (``user``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .errors import InvalidInputError


@dataclass(frozen=True)
class TargetKind:
    """One word of ``KIND:TARGET``: the job that collects what it names, and the source
    (``seen_via``) that job's records are stored under."""

    word: str
    job_kind: str
    source_kind: str
    summary: str
    aliases: tuple[str, ...] = ()


TARGETS: tuple[TargetKind, ...] = (
    TargetKind("hashtag", "hashtag", "hashtag", "posts using a hashtag"),
    TargetKind("keyword", "keyword", "keyword", "posts matching a keyword"),
    TargetKind("user", "user_posts", "user_posts", "an account's posts"),
    TargetKind("sound", "music_posts", "music_posts", "posts using a sound (music id)", ("music",)),
    TargetKind("profile", "user", "user", "an account's profile"),
    TargetKind("post", "posts", "posts", "posts by id or URL", ("posts",)),
)

#: Every word and alias -> its kind.
WORDS: dict[str, TargetKind] = {name: t for t in TARGETS for name in (t.word, *t.aliases)}


def split(text: str, what: str = "source") -> tuple[str, str]:
    """``"hashtag:magic"`` as ``("hashtag", "magic")``; InvalidInputError if it is not
    ``KIND:TARGET``."""
    kind, sep, target = text.partition(":")
    if not sep or not kind.strip() or not target.strip():
        raise InvalidInputError(f"invalid {what} {text!r}: KIND:TARGET, e.g. hashtag:magic")
    return kind.strip(), target.strip()


def target_kind(word: str, what: str = "source") -> TargetKind:
    """The kind a word names; InvalidInputError listing the words."""
    if word not in WORDS:
        raise InvalidInputError(
            f"invalid {what} kind {word!r}: one of {', '.join(t.word for t in TARGETS)}"
        )
    return WORDS[word]


def source_of(
    text: str, stored: Collection[str] | None = None, what: str = "--source"
) -> tuple[str, str]:
    """``KIND:TARGET`` as the ``(source kind, target)`` its records are stored under: a word
    through the table (``user:zachking`` is ``("user_posts", "zachking")``), else a stored
    source kind as it is (``followers:zachking``), checked against ``stored`` when given."""
    kind, target = split(text, what)
    if kind in WORDS:
        return WORDS[kind].source_kind, target
    if stored is not None and kind not in stored:
        known = sorted({*WORDS, *stored})
        raise InvalidInputError(
            f"invalid {what} {text!r}: KIND:TARGET with KIND one of {', '.join(known)}"
        )
    return kind, target
