"""From a watch to the collection job that runs it (kinds, targets, windows, post sets)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api.endpoints import PERIODS
from ..collect import SOURCE_KINDS, JobSpec, post_ids
from ..errors import InvalidInputError
from ..store import Store
from ..targets import TARGETS, source_of, split

if TYPE_CHECKING:
    from ._watches import Watch

DAY = 86_400


@dataclass(frozen=True)
class WatchKind:
    """A kind of watch: the collection job it runs and the ``seen_via`` source it fills.

    ``collects``: it finds posts under a source of its own (hashtag, keyword, user, sound);
    ``requests``: it calls the API (a job, units, a budget, alert rules on what it observed).
    A kind that makes no request (``digest``) runs through the runner the scheduler is given.
    """

    name: str
    job_kind: str
    source_kind: str
    summary: str
    collects: bool = True
    requests: bool = True


#: What a watch can follow: the feeds of :mod:`tokarc.targets` (one meaning per word),
#: ``posts``, a set of stored posts to refresh, and ``digest``, a digest sent on a schedule.
WATCH_KINDS: dict[str, WatchKind] = {
    k.name: k
    for k in (
        *(
            WatchKind(t.word, t.job_kind, t.source_kind, t.summary)
            for t in TARGETS
            if t.word in ("hashtag", "keyword", "user", "sound")
        ),
        WatchKind(
            "posts",
            "posts",
            "posts",
            "re-hydrate stored posts: 'all', a source like 'hashtag:magic', or ids",
            collects=False,
        ),
        WatchKind(
            "digest",
            "",
            "",
            "send a digest of 'all' sources or of some (KIND:TARGET,...); makes no request",
            collects=False,
            requests=False,
        ),
    )
}

#: The kinds of watch that follow a feed (what ``tokarc watch add`` and ``posts KIND:`` take).
FEEDS = tuple(k.name for k in WATCH_KINDS.values() if k.collects)
ALL = "all"  # the target of a ``posts`` or ``digest`` watch of every source


def check_target(kind: str, target: str) -> str:
    """Reject a target the API would refuse, before anything is stored or sent; return it
    normalized as its job's (``Magic`` is the hashtag ``magic``)."""
    if kind == "posts":
        _post_source(target)
        return target
    if kind == "digest":
        return ",".join(digest_sources(target)) or ALL
    return build(kind, target, window_s=DAY, now=float(DAY)).target


def digest_sources(target: str) -> tuple[str, ...]:
    """A digest watch's sources, each ``KIND:TARGET`` checked (a word of :mod:`tokarc.targets`
    or a kind of source jobs store, ``followers:zachking``), sorted, once each; ``all``: none
    (every source). InvalidInputError naming the first bad one."""
    if target.strip() == ALL:
        return ()
    found = []
    for text in target.split(","):
        kind, name = split(text, "--source")
        source_of(text, SOURCE_KINDS)  # an unknown kind is an error
        found.append(f"{kind}:{name}")
    return tuple(sorted(set(found)))


def build(
    kind: str, target: str, *, window_s: int, now: float, max_units: int | None = None
) -> JobSpec:
    """The incremental job a (non-posts) watch runs at ``now``, over the last ``window_s``."""
    wk = WATCH_KINDS[kind]
    params: dict[str, Any] = {"period": period(window_s)} if wk.job_kind == "keyword" else {}
    return JobSpec.build(
        wk.job_kind,
        target,
        days=window_s / DAY,
        now=now,
        params=params,
        max_units=max_units,
        incremental=True,
    )


def period(window_s: int) -> str:
    """The keyword search ``period`` (days) that covers the window; ``"0"`` (any) beyond."""
    days = [p for p in PERIODS if p != "0" and int(p) * DAY >= window_s]
    return days[0] if days else "0"


def rehydrate_ids(store: Store, watch: Watch) -> list[str]:
    """The stored, not gone, posts a ``posts`` watch refreshes, in id order."""
    source = _post_source(watch.target)
    if isinstance(source, list):
        return source
    if source is None:
        return list(store.post_ids(gone=False))
    sql = (
        "SELECT s.entity_id FROM seen_via s JOIN posts p ON p.aweme_id = s.entity_id "
        "WHERE s.entity = 'post' AND s.source_kind = ? AND s.source_target = ? "
        "AND p.gone_at IS NULL ORDER BY s.entity_id"
    )
    return [r[0] for chunk in store.stream(sql, source) for r in chunk]


def producers(watch: Watch, others: Sequence[Watch]) -> list[Watch]:
    """The watches among ``others`` whose finds ``watch`` reads: a ``posts`` watch of a source
    (``hashtag:magic``) reads what that watch stores, one of ``all`` what every watch stores.
    A tick runs a watch after its producers."""
    if watch.kind != "posts":  # a digest reads the store as it is when it runs
        return []
    source = _post_source(watch.target)
    if isinstance(source, list):
        return []
    return [
        w
        for w in others
        if w.spec.collects
        and w.id != watch.id
        and (source is None or (WATCH_KINDS[w.kind].source_kind, w.target) == source)
    ]


def _post_source(target: str) -> tuple[str, str] | list[str] | None:
    """``all`` → None; ``hashtag:magic`` → (source kind, target); else a list of post ids."""
    if target == ALL:
        return None
    kind, sep, name = target.partition(":")
    if sep and kind in FEEDS:
        if not name:
            raise InvalidInputError(f"invalid posts source {target!r}: like hashtag:magic")
        return WATCH_KINDS[kind].source_kind, name
    return post_ids([t for t in target.split(",") if t.strip()]) or _no_posts(target)


def _no_posts(target: str) -> list[str]:
    raise InvalidInputError(
        f"invalid posts target {target!r}: 'all', a source like hashtag:magic, or post ids"
    )
