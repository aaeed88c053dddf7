"""The synthetic TikTok world: entities generated lazily from ``(seed, key)``, memoized.

Nothing exists until it is asked for. Every id is self-describing, so any entity can be rebuilt
from its id alone, in any order, with the same result:

- a post id is ``create_time << 32 | flag(1) kind(3) index(20) check(8)``: it names the source
  (hashtag, user or sound timeline, see :mod:`._timeline`) and its slot is found from the time;
- a sound id uses the same layout (kind "track"); an original sound is its post's id with the
  flag bit set;
- a generated user's handle ends with their index, their uid and secUid encode it too.

The guide's names and ids (:mod:`._fixtures`) are looked up first.
"""

from __future__ import annotations

import base64
import dataclasses
import math
import re
from collections import Counter
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any, NamedTuple

from ..api import guesses as G
from . import _fixtures as F
from . import _vocab as V
from ._cache import LRU
from ._clock import DEFAULT_NOW
from ._rand import Bits, h32, h32_text, key_prefix
from ._timeline import Timeline

DAY = 86_400
STATS_TAU = 2 * DAY  # a post gets half its final plays in its first two days
N_USERS = 1 << 20
N_TRACKS = 1 << 20
N_GENERATED_USERS = N_USERS - F.FIXTURE_USER_COUNT  # indices FIXTURE_USER_COUNT..N_USERS-1
KIND_TAG, KIND_USER, KIND_MUSIC, KIND_TRACK = 1, 2, 3, 4
KIND_SHIFT, KIND_MASK = 28, 0x7  # the 3-bit kind field of a post or sound id
INDEX_SHIFT, INDEX_MASK = 8, 0xFFFFF  # its 20-bit index field
CHECK_MASK = 0xFF  # its 8-bit check field
FLAG_ORIGINAL = 1 << 31
UID_BASE = 6_600_000_000_000_000_000
SEC_UID_PREFIX = "MS4wLjABAAAA"
LIKED_REACH = 3_000  # [I] how many liked posts of a public-likes user can be paged
NEVER = 10**12  # k_start of a timeline that never posts
_HANDLE_RE = re.compile(r"^[a-z._]+?(\d+)$")
# What one cached entity weighs (its dataclass, strings and timeline; measured with
# tracemalloc over a few thousand of each), for the caches' byte bounds.
USER_BYTES, POST_BYTES, MUSIC_BYTES = 1_300, 800, 700


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    """A hashtag: its timeline (None: no posts) and how many posts can be paged."""

    name: str
    index: int
    cid: str
    timeline: Timeline | None
    cap: int


@dataclass(frozen=True, slots=True)
class User:
    """An account; ``pinned`` are slots of its timeline, newest first."""

    index: int
    uid: str
    sec_uid: str
    unique_id: str
    nickname: str
    signature: str
    region: str
    language: str
    create_time: int
    followers: int
    following: int
    hearts: int
    favoriting: int
    private: bool
    private_likes: bool
    verified: bool
    timeline: Timeline
    pinned: tuple[int, ...]


class Music(NamedTuple):
    """A sound: a track with its own timeline, or a post's original sound."""

    id: int
    title: str
    author: str
    album: str
    duration: int  # seconds
    create_time: int
    owner: int | None  # user index of an original sound's author
    original_of: int | None  # aweme id of an original sound's post
    timeline: Timeline | None


class PostStats(NamedTuple):
    """TikTok's ``statistics`` of a post at one time; the field names are the API's keys."""

    play_count: int
    digg_count: int
    comment_count: int
    share_count: int
    collect_count: int
    download_count: int
    forward_count: int
    whatsapp_share_count: int
    lose_count: int
    lose_comment_count: int
    repost_count: int


STATS_KEYS: tuple[str, ...] = PostStats._fields


class Post(NamedTuple):
    """A post; its statistics are computed from these scales and the world time."""

    aweme_id: int
    create_time: int
    author: int
    music_id: int
    desc: str
    tags: tuple[str, ...]
    duration_ms: int
    aweme_type: int
    plays: int
    like_rate: float
    comment_rate: float
    share_rate: float
    fixed_comments: int | None


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment (``reply_to`` 0) or a reply."""

    cid: int
    aweme_id: int
    create_time: int
    text: str
    user: int
    digg_count: int
    replies: int
    reply_to: int


def encode_id(create_time: int, kind: int, index: int, check: int) -> int:
    """A post or sound id (see the module docstring)."""
    fields = (kind << KIND_SHIFT) | ((index & INDEX_MASK) << INDEX_SHIFT) | (check & CHECK_MASK)
    return (create_time << 32) | fields


def id_kind(entity_id: int) -> int:
    """The kind field of a post or sound id (without the original-sound flag)."""
    return (entity_id >> KIND_SHIFT) & KIND_MASK


def id_index(entity_id: int) -> int:
    """The index field of a post or sound id."""
    return (entity_id >> INDEX_SHIFT) & INDEX_MASK


class World:
    """Every entity of one seeded world. Thread-safety: caches may race, results do not."""

    def __init__(
        self, seed: int = 0, cache_size: int = 50_000, cache_bytes: int | None = None
    ) -> None:
        self.seed = seed
        self._check_prefix = key_prefix(seed, "check")
        self._prefixes = {name: key_prefix(seed, name) for name in ("handle", "uid")}
        self._prefixes["author"] = key_prefix(seed, "pick", "author")
        self.generated: Counter[str] = Counter()
        self._tags = {name: self._make_tag(i, name) for i, name in enumerate(V.TAGS)}
        self._fixture_users = {u.index: u for u in F.FIXTURE_USERS}
        self._fixture_names = {u.unique_id: u.index for u in F.FIXTURE_USERS}
        self._fixture_secs = {u.sec_uid: u.index for u in F.FIXTURE_USERS}
        self._fixture_uids = {u.uid: u.index for u in F.FIXTURE_USERS}
        self._fixture_tracks = {m.index: mid for mid, m in F.FIXTURE_MUSIC.items()}
        third = None if cache_bytes is None else cache_bytes // 3
        self._users: LRU[int, User] = LRU(cache_size, third, lambda _: USER_BYTES)
        self._posts: LRU[int, Post | None] = LRU(cache_size, third, lambda _: POST_BYTES)
        self._music: LRU[int, Music | None] = LRU(cache_size, third, lambda _: MUSIC_BYTES)

    def caches(self) -> dict[str, LRU[Any, Any]]:
        """The world's caches by name."""
        return {"users": self._users, "posts": self._posts, "music": self._music}

    def _check(self, *key: object) -> int:
        return h32(self.seed, "check", *key) & CHECK_MASK

    def _check_id(self, kind: int, index: int, t: int) -> int:
        """``_check(kind, index, t)`` for ints, from a ready prefix (the hot path)."""
        return h32_text(f"{self._check_prefix}{kind}, {index}, {t})") & CHECK_MASK

    # -- hashtags --------------------------------------------------------------------------------

    def _make_tag(self, index: int, name: str) -> Tag:
        cid = str(1_600_000_000_000_000_000 + h32(self.seed, "cid", name) * 977)
        lo, hi = G.HASHTAG_CAP_RANGE
        cap = lo + h32(self.seed, "cap", name) % (hi - lo + 1)
        if name in V.EMPTY_TAGS:
            return Tag(name=name, index=index, cid=cid, timeline=None, cap=0)
        fixture = F.FIXTURE_TAGS.get(name)
        if fixture is not None:
            origin = F.TESLA_ORIGIN if not fixture.jitter else 0
            tl = self._timeline(f"tag:{name}", origin, fixture.period, fixture.per, fixture.jitter)
            return Tag(name=name, index=index, cid=cid, timeline=tl, cap=fixture.cap or cap)
        per_day = 3_000 / (index + 1) ** 1.25 * (0.5 + h32(self.seed, "rate", name) / 2**32)
        tl = self._rate_timeline(f"tag:{name}", 0, per_day)
        return Tag(name=name, index=index, cid=cid, timeline=tl, cap=cap)

    def _timeline(self, key: str, origin: int, period: int, per: int, jitter: bool) -> Timeline:
        """A timeline that starts about three years before the default "now"."""
        tl = Timeline(
            seed=self.seed, key=key, origin=origin, period=period, per=per, k_start=0, jitter=jitter
        )
        return dataclasses.replace(tl, k_start=tl.top(DEFAULT_NOW - 3 * 365 * DAY))

    def _rate_timeline(self, key: str, origin: int, per_day: float) -> Timeline:
        if per_day >= 1:
            return self._timeline(key, origin, DAY, int(per_day), True)
        return self._timeline(key, origin, DAY * math.ceil(1 / per_day), 1, True)

    def tag(self, name: str) -> Tag | None:
        """The hashtag ``name`` (case and a leading '#' ignored), None if unknown."""
        return self._tags.get(name.strip().lstrip("#").lower())

    def keyword_tag(self, keyword: str) -> Tag | None:
        """The hashtag whose timeline a keyword search reads: #keyword or its first known word."""
        words = keyword.lower().split()
        candidates = ["".join(words), *words]
        return next((t for w in candidates if (t := self.tag(w)) is not None), None)

    def tag_post_id(self, tag: Tag, k: int) -> int:
        assert tag.timeline is not None
        t = tag.timeline.time(k)
        return encode_id(t, KIND_TAG, tag.index, self._check_id(KIND_TAG, tag.index, t))

    def tag_post(self, tag: Tag, k: int) -> Post:
        """The post in slot ``k`` of ``tag``'s timeline: :meth:`post` of :meth:`tag_post_id`,
        without decoding the id back (it is valid by construction)."""
        aweme_id = self.tag_post_id(tag, k)
        post = self._posts.get(aweme_id, lambda a: self._make_post(a, (KIND_TAG, tag.index)))
        assert post is not None
        return post

    # -- users -----------------------------------------------------------------------------------

    def user(self, index: int) -> User:
        """The user with this index (0 < index < N_USERS)."""
        return self._users.get(index, self._make_user)

    def user_by_name(self, unique_id: str) -> User | None:
        """The user with this handle (without '@'), None if nobody has it."""
        name = unique_id.strip().lstrip("@").lower()
        if name in self._fixture_names:
            return self.user(self._fixture_names[name])
        match = _HANDLE_RE.match(name)
        index = int(match.group(1)) if match and len(match.group(1)) < 8 else -1
        if F.FIXTURE_USER_COUNT <= index < N_USERS and self._handle(index) == name:
            return self.user(index)
        return None

    def user_by_sec_uid(self, sec_uid: str) -> User | None:
        """The user with this secUid, None if nobody has it."""
        if sec_uid in self._fixture_secs:
            return self.user(self._fixture_secs[sec_uid])
        if not sec_uid.startswith(SEC_UID_PREFIX) or len(sec_uid) != 76:
            return None
        try:
            raw = base64.urlsafe_b64decode(sec_uid[len(SEC_UID_PREFIX) :])
        except ValueError:
            return None
        index = int.from_bytes(raw[:4], "big")
        ok = F.FIXTURE_USER_COUNT <= index < N_USERS and self._sec_uid(index) == sec_uid
        return self.user(index) if ok else None

    def user_by_uid(self, uid: str) -> User | None:
        """The user with this numeric id, None if nobody has it."""
        if uid in self._fixture_uids:
            return self.user(self._fixture_uids[uid])
        value = int(uid) - UID_BASE if uid.isdigit() else -1
        index = value >> 32 if value >= 0 else -1
        ok = F.FIXTURE_USER_COUNT <= index < N_USERS and self._uid(index) == uid
        return self.user(index) if ok else None

    def _handle(self, index: int) -> str:
        h = h32_text(f"{self._prefixes['handle']}{index})")
        word = V.NAME_WORDS[index % len(V.NAME_WORDS)]
        suffix = V.NAME_SUFFIXES[(h >> 4) % len(V.NAME_SUFFIXES)]
        return f"{word}{('', '.', '_')[h % 3]}{suffix}{index}"

    def _uid(self, index: int) -> str:
        return str(UID_BASE + (index << 32) + h32_text(f"{self._prefixes['uid']}{index})"))

    def _sec_uid(self, index: int) -> str:
        tail = blake2b(f"{self.seed}:sec:{index}".encode(), digest_size=44).digest()
        return SEC_UID_PREFIX + base64.urlsafe_b64encode(index.to_bytes(4, "big") + tail).decode()

    def _make_user(self, index: int) -> User:
        self.generated["users"] += 1
        fixture = self._fixture_users.get(index)
        return self._fixture_user(fixture) if fixture else self._generated_user(index)

    def _fixture_user(self, f: F.FixtureUser) -> User:
        origin = DEFAULT_NOW - f.age_days * DAY
        tl = Timeline(
            seed=self.seed,
            key=f"user:{f.index}",
            origin=origin,
            period=f.days_between_posts * DAY,
            per=1,
            k_start=0,
        )
        language = "it" if f.region == "IT" else "en"
        return User(
            index=f.index,
            uid=f.uid,
            sec_uid=f.sec_uid,
            unique_id=f.unique_id,
            nickname=f.nickname,
            signature=f.signature,
            region=f.region,
            language=language,
            create_time=origin - 30 * DAY,
            followers=f.followers,
            following=f.following,
            hearts=f.hearts,
            favoriting=f.favoriting,
            private=f.private,
            private_likes=f.private_likes,
            verified=f.verified,
            timeline=tl,
            pinned=self._pinned(tl, f.pinned, f.index),
        )

    def _generated_user(self, index: int) -> User:
        b = Bits(self.seed, "user", index)
        region, language = b.pick(V.REGIONS)
        followers = b.pareto(40, 0.75, 90_000_000)
        age = 60 + b.below(2_400)
        origin = DEFAULT_NOW - age * DAY
        gap = b.pick((1, 2, 3, 5, 7, 14, 30, 60))
        never = b.chance(0.08)  # drawn here, where the positional call drew it: same world
        tl = Timeline(
            seed=self.seed,
            key=f"user:{index}",
            origin=origin,
            period=gap * DAY,
            per=1,
            k_start=NEVER if never else 0,
        )
        pinned = self._pinned(tl, 1 + b.below(3), index) if b.chance(0.25) else ()
        # Arguments are evaluated as written and several draw from ``b``: keep their order.
        return User(
            index=index,
            uid=self._uid(index),
            sec_uid=self._sec_uid(index),
            unique_id=self._handle(index),
            nickname=self._nickname(b, index),
            signature=b.pick(V.CAPTION_WORDS) + " " + b.pick(V.EMOJI),
            region=region,
            language=language,
            create_time=origin - b.below(400) * DAY,
            followers=followers,
            following=b.pareto(30, 1.1, 7_500),
            hearts=followers * (3 + b.below(40)),
            favoriting=b.pareto(20, 0.9, 60_000),
            private=b.chance(0.07),
            private_likes=b.chance(0.65),
            verified=followers > 1_000_000,
            timeline=tl,
            pinned=pinned,
        )

    def _nickname(self, b: Bits, index: int) -> str:
        if b.chance(0.25):
            return b.pick(V.FOREIGN_NICKS) + b.pick(V.NICK_DECOR)
        word = V.NAME_WORDS[index % len(V.NAME_WORDS)].title()
        return f"{word} {b.pick(V.NAME_SUFFIXES).title()}{b.pick(V.NICK_DECOR)}"

    def _pinned(self, tl: Timeline, n: int, index: int) -> tuple[int, ...]:
        top = tl.top(DEFAULT_NOW)
        if n == 0 or top - tl.k_start + 1 < 45:  # fewer than 45 posts (tl.count) at DEFAULT_NOW
            return ()
        picks = {top - 11 - h32(self.seed, "pin", index, i) % 30 for i in range(n)}
        return tuple(sorted(picks, reverse=True))

    def fixture_users(self) -> list[User]:
        """The guide's named accounts."""
        return [self.user(index) for index in self._fixture_users]

    def _valid_user(self, index: int) -> bool:
        return index in self._fixture_users or F.FIXTURE_USER_COUNT <= index < N_USERS

    def public_user(self, *key: object) -> User:
        """A public generated user chosen by ``key``."""
        return self._public_user(h32(self.seed, "pick", *key))

    def author(self, aweme_id: int) -> User:
        """``public_user("author", aweme_id)``: a generated post's author (the hot path)."""
        return self._public_user(h32_text(f"{self._prefixes['author']}{aweme_id})"))

    def _public_user(self, h: int) -> User:
        index = F.FIXTURE_USER_COUNT + h % N_GENERATED_USERS
        while (user := self.user(index)).private:
            index = F.FIXTURE_USER_COUNT + (index * 7 + 1) % N_GENERATED_USERS
        return user

    def user_post_id(self, user: User, k: int) -> int:
        t = user.timeline.time(k)
        return encode_id(t, KIND_USER, user.index, self._check_id(KIND_USER, user.index, t))

    def aweme_count(self, user: User, now: int) -> int:
        return user.timeline.count(now)

    # -- sounds ----------------------------------------------------------------------------------

    def music(self, music_id: int) -> Music | None:
        """The sound with this id, None if none."""
        return self._music.get(music_id, self._make_music)

    def track_id(self, index: int) -> int:
        """The id of track ``index``."""
        if index in self._fixture_tracks:
            return self._fixture_tracks[index]
        t = self._track_release(index)
        return encode_id(t, KIND_TRACK, index, self._check_id(KIND_TRACK, index, t))

    def _track_release(self, index: int) -> int:
        return DEFAULT_NOW - (30 + h32(self.seed, "release", index) % 2_500) * DAY

    def _make_music(self, music_id: int) -> Music | None:
        self.generated["music"] += 1
        fixture = F.FIXTURE_MUSIC.get(music_id)
        if fixture is not None:
            return self._track(fixture.index, music_id, fixture.title, fixture.author)
        if music_id & FLAG_ORIGINAL:
            return self._original_sound(music_id)
        index, t = id_index(music_id), music_id >> 32
        if id_kind(music_id) != KIND_TRACK or index in self._fixture_tracks:
            return None
        if self._track_release(index) != t or self.track_id(index) != music_id:
            return None
        return self._track(index, music_id, None, None)

    def _track(self, index: int, mid: int, title: str | None, author: str | None) -> Music:
        b = Bits(self.seed, "track", index)
        word = V.TRACK_WORDS[index % len(V.TRACK_WORDS)]
        per_day = 4_000 / (index + 1) ** 0.9 * (0.5 + b.unit())
        return Music(  # evaluated as written; keep the order of ``b``'s draws
            id=mid,
            title=title or f"{word} {b.pick(V.TRACK_NOUNS)}",
            author=author or b.pick(V.ARTISTS),
            album=b.pick(V.ALBUMS),
            duration=15 + b.below(200),
            create_time=mid >> 32,
            owner=None,
            original_of=None,
            timeline=self._track_timeline(index, mid >> 32, per_day),
        )

    def _track_timeline(self, index: int, release: int, per_day: float) -> Timeline:
        if per_day >= 1:
            return Timeline(
                seed=self.seed,
                key=f"track:{index}",
                origin=release,
                period=DAY,
                per=int(per_day),
                k_start=0,
            )
        period = DAY * math.ceil(1 / per_day)
        return Timeline(
            seed=self.seed, key=f"track:{index}", origin=release, period=period, per=1, k_start=0
        )

    def _original_sound(self, music_id: int) -> Music | None:
        post = self.post(music_id & ~FLAG_ORIGINAL)
        if post is None or post.music_id != music_id:
            return None
        owner = self.user(post.author)
        title = f"original sound - {owner.unique_id}"
        secs = max(1, post.duration_ms // 1000)
        return Music(
            id=music_id,
            title=title,
            author=owner.nickname,
            album="",
            duration=secs,
            create_time=post.create_time,
            owner=owner.index,
            original_of=post.aweme_id,
            timeline=None,
        )

    def music_post_id(self, index: int, music: Music, k: int) -> int:
        assert music.timeline is not None
        t = music.timeline.time(k)
        return encode_id(t, KIND_MUSIC, index, self._check_id(KIND_MUSIC, index, t))

    def track_index(self, music: Music) -> int:
        fixture = F.FIXTURE_MUSIC.get(music.id)
        return fixture.index if fixture else id_index(music.id)

    def search_tracks(self, keyword: str) -> list[int]:
        """Track indices matching ``keyword`` (a fixed, finite list).

        When the keyword's first word is a track word, every title contains it; other keywords
        get a deterministic set of tracks.
        """
        words = [w.title() for w in keyword.split()]
        if not words:
            return []
        known = words[0] in V.TRACK_WORDS
        w = V.TRACK_WORDS.index(words[0]) if known else h32(self.seed, "mkw", keyword.lower())
        w %= len(V.TRACK_WORDS)
        n = 15 + h32(self.seed, "msearch", w) % 200
        return [i for i in range(w, w + n * len(V.TRACK_WORDS), len(V.TRACK_WORDS)) if i > 2]

    # -- posts -----------------------------------------------------------------------------------

    def post(self, aweme_id: int) -> Post | None:
        """The post with this id (whether or not it exists yet at the world's now)."""
        return self._posts.get(aweme_id, self._make_post)

    def _make_post(self, aweme_id: int, source: tuple[int, int] | None = None) -> Post | None:
        """The post ``aweme_id``; ``source`` (kind, index) when the id is known to be valid."""
        fixture = F.FIXTURE_POSTS.get(aweme_id)
        if fixture is not None:
            return self._fixture_post(aweme_id, fixture)
        source = source or self._decode_post(aweme_id)
        if source is None:
            return None
        self.generated["posts"] += 1
        return self._build_post(aweme_id, *source)

    def _decode_post(self, aweme_id: int) -> tuple[int, int] | None:
        if not 0 < aweme_id < 1 << 63 or aweme_id & FLAG_ORIGINAL:
            return None
        t, kind, index = aweme_id >> 32, id_kind(aweme_id), id_index(aweme_id)
        if aweme_id & CHECK_MASK != self._check_id(kind, index, t):
            return None
        tl = self._source_timeline(kind, index)
        return (kind, index) if tl is not None and tl.slot_at(t) is not None else None

    def _source_timeline(self, kind: int, index: int) -> Timeline | None:
        if kind == KIND_TAG and index < len(V.TAGS):
            return self._tags[V.TAGS[index]].timeline
        if kind == KIND_USER and self._valid_user(index):
            return self.user(index).timeline
        if kind == KIND_MUSIC and index < N_TRACKS:
            music = self.music(self.track_id(index))
            return music.timeline if music else None
        return None

    def _build_post(self, aweme_id: int, kind: int, index: int) -> Post:
        b = Bits(self.seed, "post", aweme_id)
        author = self.user(index) if kind == KIND_USER else self.author(aweme_id)
        lead = V.TAGS[index] if kind == KIND_TAG else None
        tags = self._post_tags(b, lead)
        music_id = self._post_music(b, aweme_id, kind, index)
        return self._post(b, aweme_id, author.index, music_id, self._caption(b, lead, tags), tags)

    def _post(
        self, b: Bits, aweme_id: int, author: int, music_id: int, desc: str, tags: tuple[str, ...]
    ) -> Post:
        photo = b.chance(0.08)
        return Post(  # evaluated as written; keep the order of ``b``'s draws
            aweme_id=aweme_id,
            create_time=aweme_id >> 32,
            author=author,
            music_id=music_id,
            desc=desc,
            tags=tags,
            duration_ms=0 if photo else 3_000 + b.below(177_000),
            aweme_type=150 if photo else 0,
            plays=b.pareto(300, 0.8, 400_000_000),
            like_rate=0.02 + b.unit() * 0.12,
            comment_rate=0.0005 + b.unit() * 0.004,
            share_rate=0.0005 + b.unit() * 0.01,
            fixed_comments=None,
        )

    def _fixture_post(self, aweme_id: int, f: F.FixturePost) -> Post:
        self.generated["posts"] += 1
        b = Bits(self.seed, "post", aweme_id)
        author = self.user_by_name(f.author) if f.author else None
        author = author or self.author(aweme_id)
        desc = f.desc or self._caption(b, None, ("fyp",))
        tags = tuple(w[1:] for w in desc.split() if w.startswith("#"))
        music_id = self.track_id(1 + b.below(200))
        post = self._post(b, aweme_id, author.index, music_id, desc, tags)
        return post._replace(plays=post.plays * 1_000, fixed_comments=f.comments)

    def _post_tags(self, b: Bits, lead: str | None) -> tuple[str, ...]:
        extra = [V.TAGS[b.below(40)] for _ in range(b.below(4))]
        tags = ([lead] if lead else []) + [t for t in extra if t != lead and t not in V.EMPTY_TAGS]
        return tuple(dict.fromkeys(tags))

    def _post_music(self, b: Bits, aweme_id: int, kind: int, index: int) -> int:
        if kind == KIND_MUSIC:
            return self.track_id(index)
        if b.chance(0.45):
            return aweme_id | FLAG_ORIGINAL
        return self.track_id(b.pareto(1, 0.7, N_TRACKS - 1) - 1 or 3)

    def _caption(self, b: Bits, lead: str | None, tags: tuple[str, ...]) -> str:
        parts = [lead] if lead else []
        parts.append(b.pick(V.CAPTION_WORDS))
        if b.chance(0.6):
            parts.append(b.pick(V.EMOJI))
        return " ".join(parts + ["#" + t for t in tags])

    def post_stats(self, post: Post, now: int) -> dict[str, int]:
        """TikTok's ``statistics`` of a post at time ``now``: they only ever grow."""
        return self.post_stats_values(post, now)._asdict()

    def post_stats_values(self, post: Post, now: int) -> PostStats:
        """:meth:`post_stats` as a :class:`PostStats` (a tuple in the order of its fields)."""
        age = now - post.create_time
        if age < 0:
            age = 0
        plays = int(post.plays * age / (age + STATS_TAU)) + age // 3_600
        diggs = int(plays * post.like_rate)
        shares = int(plays * post.share_rate)
        comments = self.comment_total(post, now)
        return PostStats(
            play_count=plays,
            digg_count=diggs,
            comment_count=comments,
            share_count=shares,
            collect_count=diggs // 8,
            download_count=shares // 3,
            forward_count=0,
            whatsapp_share_count=shares // 20,
            lose_count=0,
            lose_comment_count=0,
            repost_count=0,
        )

    # -- comments --------------------------------------------------------------------------------

    def comment_total(self, post: Post, now: int) -> int:
        """How many top-level comments a post has at ``now``."""
        if post.fixed_comments is not None:
            return post.fixed_comments
        age = max(0, now - post.create_time)
        return int(post.plays * age / (age + STATS_TAU) * post.comment_rate)

    def comment(self, post: Post, j: int) -> Comment:
        """The ``j``-th comment of a post (oldest first)."""
        b = Bits(self.seed, "comment", post.aweme_id, j)
        final = max(1, int(post.plays * post.comment_rate))
        x = min(0.999, (j + 1) / (final + 1))
        t = post.create_time + int(STATS_TAU * x / (1 - x)) + j
        cid = (t << 32) | ((j & 0xFFFFFF) << 8) | self._check("cid", post.aweme_id, j)
        replies = b.pareto(1, 1.1, 3_000) if b.chance(0.25) else 0
        if post.aweme_id == F.COMMENTED_POST and j == 0:
            cid, t, replies = F.REPLIED_COMMENT, F.REPLIED_COMMENT >> 32, F.REPLIED_COMMENT_REPLIES
        user = self.public_user("commenter", post.aweme_id, j).index
        text = b.pick(V.COMMENTS) + (" " + b.pick(V.EMOJI) if b.chance(0.3) else "")
        return Comment(
            cid=cid,
            aweme_id=post.aweme_id,
            create_time=t,
            text=text,
            user=user,
            digg_count=b.pareto(1, 0.8, 2_000_000),
            replies=replies,
            reply_to=0,
        )

    def comment_index(self, post: Post, cid: int) -> int | None:
        """Which comment of ``post`` has id ``cid``, None if none."""
        if post.aweme_id == F.COMMENTED_POST and cid == F.REPLIED_COMMENT:
            return 0
        j = (cid >> 8) & 0xFFFFFF
        return j if self.comment(post, j).cid == cid else None

    def reply(self, post: Post, parent: Comment, r: int) -> Comment:
        """The ``r``-th reply to ``parent`` (oldest first)."""
        b = Bits(self.seed, "reply", parent.cid, r)
        t = parent.create_time + (r + 1) * 600 + b.below(600)
        cid = (t << 32) | h32(self.seed, "rcid", parent.cid, r)
        user = self.public_user("replier", parent.cid, r).index
        text = b.pick(V.COMMENTS)
        return Comment(
            cid=cid,
            aweme_id=post.aweme_id,
            create_time=t,
            text=text,
            user=user,
            digg_count=b.pareto(1, 1.0, 50_000),
            replies=0,
            reply_to=parent.cid,
        )

    # -- follow graph, likes ---------------------------------------------------------------------

    def follow_index(self, user: User, relation: str, j: int) -> int:
        """The ``j``-th most recent follower (or following) of ``user``."""
        return F.FIXTURE_USER_COUNT + h32(self.seed, relation, user.index, j) % N_GENERATED_USERS

    def follow_clock(self, user: User, relation: str, reach: int) -> tuple[int, int]:
        """(time of the most recent follow, seconds between follows) of a follow list."""
        top = DEFAULT_NOW - h32(self.seed, "ftop", relation, user.index) % 3_600
        return top, max(1, 365 * DAY // max(1, reach))

    def liked_post_id(self, user: User, j: int) -> int:
        """The ``j``-th most recent post ``user`` liked: a real hashtag post."""
        b = Bits(self.seed, "like", user.index, j)
        tag = self._tags[V.TAGS[b.below(40)]]
        assert tag.timeline is not None
        reach = min(tag.timeline.count(DEFAULT_NOW), LIKED_REACH)
        return self.tag_post_id(tag, tag.timeline.top(DEFAULT_NOW) - b.below(reach))

    def liked_count(self, user: User) -> int:
        return min(user.favoriting, LIKED_REACH)
