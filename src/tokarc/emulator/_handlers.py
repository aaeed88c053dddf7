"""One function per endpoint name: ``(ctx, params) -> Result``. Pure: world + now in, JSON out.

Params arrive parsed and keyed by the official SDK's names (see :mod:`tokarc.api.endpoints`).
List keys, wrappers and cursor keys are read from each endpoint's table entry.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..api import guesses as G
from ..api.countries import COUNTRY_CODES
from ..api.endpoints import Endpoint
from . import _countries as C
from . import _fixtures as F
from . import _media as media
from . import _renames as renames
from . import _vocab as V
from ._faults import status_detail
from ._params import ApiError
from ._payloads import Json, Renderer
from ._rand import Bits, h32
from ._world import DAY, Music, Post, User, World

POST_URL = re.compile(
    r"^https?://(?:www\.|m\.)?tiktok\.com/@[\w.\-]+/(?:video|photo)/(\d{1,19})/?(?:[?#].*)?$"
)


@dataclass
class Ctx:
    """What a handler may read: the endpoint, the world, its renderer, now, units used and the
    origin of the reply's media URLs."""

    endpoint: Endpoint
    world: World
    render: Renderer
    now: int
    usage: dict[str, int] = field(default_factory=dict)
    origin: str = media.ORIGIN  # where the reply's media URLs point

    def aweme(self, post: Post, is_top: int = 0) -> Any:
        """``post`` as this reply shows it: statistics as of ``now``, media on ``origin``."""
        return self.render.aweme(post, self.now, is_top, self.origin)


@dataclass
class Result:
    """A success: ``data``, extra top-level keys, and what the cost depends on."""

    data: Any
    top: Json = field(default_factory=dict)
    n_items: int = 0
    internal_pages: int = 1


Handler = Callable[[Ctx, dict[str, Any]], Result]
HANDLERS: dict[str, Handler] = {}


def handler(fn: Handler) -> Handler:
    """Register ``fn`` under its own name, which is the endpoint's name."""
    HANDLERS[fn.__name__] = fn
    return fn


# -- helpers ------------------------------------------------------------------------------------


def page_size(ctx: Ctx) -> int:
    return ctx.endpoint.page_size or 20


def list_key(ctx: Ctx) -> str:
    """Where the table puts this endpoint's list in ``data`` (``Endpoint.items``)."""
    items = ctx.endpoint.items
    if not items:
        raise LookupError(f"the endpoint table gives {ctx.endpoint.name} no list key")
    return items


def next_cursor_key(ctx: Ctx) -> str:
    """Where the table puts this endpoint's next cursor (``Pagination.next_cursor``)."""
    pagination = ctx.endpoint.pagination
    if pagination is None:
        raise LookupError(f"the endpoint table gives {ctx.endpoint.name} no pagination")
    return pagination.next_cursor


def wrapper_key(ctx: Ctx) -> str:
    """The key each list item wraps its record in (``Endpoint.wrapper``)."""
    wrapper = ctx.endpoint.wrapper
    if not wrapper:
        raise LookupError(f"the endpoint table gives {ctx.endpoint.name} no item wrapper")
    return wrapper


def offset_page(
    ctx: Ctx, items: list[Any], cursor: int, reach: int, extra: Json | None = None
) -> Result:
    """``{items: [...], nextCursor?}`` for an offset-paged endpoint; no cursor on the last page."""
    ep = ctx.endpoint
    wrapped = [{ep.wrapper: x} if ep.wrapper else x for x in items]
    data: Json = {list_key(ctx): wrapped}
    if cursor + page_size(ctx) < reach:
        data[next_cursor_key(ctx)] = cursor + page_size(ctx)
    data.update(extra or {})
    return Result(data, n_items=len(items))


def cursor_of(params: dict[str, Any]) -> int:
    return max(0, int(params.get("cursor") or 0))


def window(cursor: int, size: int, reach: int) -> range:
    return range(cursor, min(cursor + size, reach))


def refuse(refused: dict[str, int], name: str) -> None:
    """Raise the status pinned for ``name`` in one of the fixtures' refusal tables, if any."""
    if (status := refused.get(name.strip().lstrip("#@").lower())) is not None:
        raise ApiError(status, status_detail(status))


def check_country(params: dict[str, Any]) -> None:
    country = params.get("country")
    if country and country.upper() not in COUNTRY_CODES:
        raise ApiError(466, f"Invalid country code: {country}")


def posts_newest(ctx: Ctx, ids: list[int]) -> list[Any]:
    out = []
    for aweme_id in ids:
        post = ctx.world.post(aweme_id)
        if post is not None:
            out.append(ctx.aweme(post))
    return out


def existing_post(ctx: Ctx, aweme_id: str) -> Post | None:
    if not aweme_id.strip().isdigit() or int(aweme_id) >= 1 << 63:
        return None
    post = ctx.world.post(int(aweme_id))
    if post is None or post.create_time > ctx.now or renames.gone(post.author, ctx.now):
        return None
    return post


# -- hashtags and keywords ----------------------------------------------------------------------


def tag_posts(ctx: Ctx, name: str, start: int, stop: int) -> list[Any]:
    """Rendered posts ``start:stop`` of hashtag ``name``, newest first."""
    tag = ctx.world.tag(name)
    if tag is None or tag.timeline is None:
        return []
    top, world, aweme = tag.timeline.top(ctx.now), ctx.world, ctx.aweme
    return [aweme(world.tag_post(tag, top - i)) for i in range(start, stop)]


def tag_reach(ctx: Ctx, name: str, since: int | None = None, cap: int | None = None) -> int:
    tag = ctx.world.tag(name)
    if tag is None or tag.timeline is None:
        return 0
    n = tag.timeline.count(ctx.now) if since is None else tag.timeline.count_between(since, ctx.now)
    return min(n, tag.cap if cap is None else cap)


@handler
def hashtag_search(ctx: Ctx, p: dict[str, Any]) -> Result:
    refuse(F.REFUSED_TOPICS, p["hashtag"])
    cursor, reach = cursor_of(p), tag_reach(ctx, p["hashtag"])
    rng = window(cursor, page_size(ctx), reach)
    return offset_page(ctx, tag_posts(ctx, p["hashtag"], rng.start, rng.stop), cursor, reach)


@handler
def full_hashtag_search(ctx: Ctx, p: dict[str, Any]) -> Result:
    refuse(F.REFUSED_TOPICS, p["hashtag"])
    days = p["days"]
    since = ctx.now - days * DAY + 1 if days > 0 else None
    limit = tag_reach(ctx, p["hashtag"])
    if p.get("max_cursor"):
        limit = min(limit, p["max_cursor"])
    n = min(limit, tag_reach(ctx, p["hashtag"], since))
    posts = tag_posts(ctx, p["hashtag"], 0, n)
    pages = max(1, math.ceil(min(limit, n + 1) / 20))
    return Result({list_key(ctx): posts}, n_items=n, internal_pages=pages)


def keyword_reach(ctx: Ctx, p: dict[str, Any]) -> tuple[str, int]:
    check_country(p)
    refuse(F.REFUSED_TOPICS, p["keyword"])
    tag = ctx.world.keyword_tag(p["keyword"])
    period = int(p.get("period") or 0)
    since = ctx.now - period * DAY + 1 if period else None
    cap = G.FULL_KEYWORD_MAX_PAGES * 20
    return (tag.name, tag_reach(ctx, tag.name, since, cap)) if tag else ("", 0)


def keyword_items(ctx: Ctx, posts: list[Any]) -> list[Json]:
    return [{"type": 1, wrapper_key(ctx): post} for post in posts]


Page = Callable[[int, int], list[Any]]  # rendered results ``start:stop``


def keyword_results(ctx: Ctx, p: dict[str, Any]) -> tuple[int, Page]:
    """How many results a keyword search has, and a function of a range of them: with a
    ``country``, the share of the hashtag's posts a search there shows (``_countries``)."""
    name, reach = keyword_reach(ctx, p)
    country = str(p.get("country") or "").upper()
    tag = ctx.world.tag(name)
    if not country or tag is None or tag.timeline is None:
        return reach, lambda start, stop: tag_posts(ctx, name, start, stop)
    top = tag.timeline.top(ctx.now)
    shown = C.positions(ctx.world.seed, name, top, reach, country)

    def posts(start: int, stop: int) -> list[Any]:
        render, post = ctx.aweme, ctx.world.tag_post
        return [render(post(tag, top - i)) for i in shown[start:stop]]

    return len(shown), posts


@handler
def keyword_search(ctx: Ctx, p: dict[str, Any]) -> Result:
    reach, posts = keyword_results(ctx, p)
    cursor = cursor_of(p)
    rng = window(cursor, page_size(ctx), reach)
    items = keyword_items(ctx, posts(rng.start, rng.stop))
    data: Json = {list_key(ctx): items}
    if rng.stop < reach:
        data[next_cursor_key(ctx)] = rng.stop
    return Result(data, n_items=len(items))


@handler
def full_keyword_search(ctx: Ctx, p: dict[str, Any]) -> Result:
    reach, posts = keyword_results(ctx, p)
    items = keyword_items(ctx, posts(0, reach))
    pages = max(1, math.ceil(reach / 20))
    return Result({list_key(ctx): items}, n_items=reach, internal_pages=pages)


# -- users --------------------------------------------------------------------------------------


_USERNAME = re.compile(rf"@?{G.USERNAME_PATTERN}")


def find_user(ctx: Ctx, p: dict[str, Any]) -> User:
    """The user named by ``id``, ``username`` or ``sec_uid`` (in that order); 473 if none,
    463 for a username that TikTok's rule refuses (``"x" * 40``), as API.md's table says."""
    if p.get("username") and not _USERNAME.fullmatch(p["username"].strip()):
        raise ApiError(463, "Invalid user")
    if p.get("username"):
        refuse(F.REFUSED_USERS, p["username"])
    user = None
    if p.get("id"):
        user = ctx.world.user_by_uid(p["id"])
    if user is None and p.get("username"):
        user = renames.user_by_name(ctx.world, p["username"], ctx.now)
    if user is None and p.get("sec_uid"):
        user = ctx.world.user_by_sec_uid(p["sec_uid"])
    if user is None:
        raise ApiError(473, "User not found")
    return renames.as_of(user, ctx.now)


def public_user(ctx: Ctx, p: dict[str, Any]) -> User:
    user = find_user(ctx, p)
    if user.private:
        raise ApiError(472, "This account is private")
    return user


def user_post_slots(
    ctx: Ctx, user: User, p: dict[str, Any]
) -> tuple[list[tuple[int, int]], int | None]:
    """(slot, is_top) pairs for one user-posts call, and the slot after the last one."""
    tl, depth = user.timeline, max(1, p["depth"])
    cursor = p.get("cursor")
    pinned = [k for k in user.pinned if tl.k_start <= k] if not cursor else []
    limit = (cursor - 1) // 1000 if cursor else ctx.now
    k = min(tl.top(limit), tl.top(ctx.now))
    out = [(s, 1) for s in pinned]
    oldest = p.get("oldest_createtime")
    for chunk in range(depth):
        while len(out) < 10 * (chunk + 1) and k >= tl.k_start:
            if k not in user.pinned:
                out.append((k, 0))
            k -= 1
        if k < tl.k_start or (oldest and out and tl.time(out[-1][0]) < oldest):
            break
    return out, (k if k >= tl.k_start else None)


def user_posts(ctx: Ctx, p: dict[str, Any]) -> Result:
    user = public_user(ctx, p)
    slots, nxt = user_post_slots(ctx, user, p)
    world = ctx.world
    posts = [
        ctx.aweme(post, top)
        for k, top in slots
        if (post := world.post(world.user_post_id(user, k))) is not None
    ]
    top: Json = {}
    chrono = [k for k, is_top in slots if not is_top]
    if nxt is not None and chrono:
        top[next_cursor_key(ctx)] = user.timeline.time(chrono[-1]) * 1000
    return Result(posts, top=top, n_items=len(posts))


@handler
def user_posts_from_username(ctx: Ctx, p: dict[str, Any]) -> Result:
    return user_posts(ctx, p)


@handler
def user_posts_from_secuid(ctx: Ctx, p: dict[str, Any]) -> Result:
    return user_posts(ctx, p)


@handler
def user_info_from_username(ctx: Ctx, p: dict[str, Any]) -> Result:
    return Result(ctx.render.web_user(find_user(ctx, p), ctx.now))


@handler
def user_info_from_secuid(ctx: Ctx, p: dict[str, Any]) -> Result:
    user = find_user(ctx, p)
    data: Any = ctx.render.user(user, ctx.now)
    if p.get("alternative_method"):
        b = Bits(ctx.world.seed, "category", user.index)
        data = ctx.render.user_dict(user, ctx.now)
        data.update(category=b.pick(V.CATEGORIES), is_business_account=b.chance(0.3))
    return Result({"user": data})


def search_user_indices(ctx: Ctx, keyword: str) -> list[int]:
    """Fixture users whose handle or nickname contains ``keyword``, then generated namesakes."""
    kw = keyword.strip().lower()
    fixtures = [
        u.index
        for u in ctx.world.fixture_users()
        if kw and (kw in u.unique_id or kw in u.nickname.lower())
    ]
    words = kw.split()
    if not words or words[0] not in V.NAME_WORDS:
        return fixtures
    w, step = V.NAME_WORDS.index(words[0]), len(V.NAME_WORDS)
    n = 5 + h32(ctx.world.seed, "usearch", w) % 150
    return fixtures + [i for i in range(w, w + n * step, step) if i >= F.FIXTURE_USER_COUNT]


@handler
def user_search(ctx: Ctx, p: dict[str, Any]) -> Result:
    found, cursor = search_user_indices(ctx, p["keyword"]), cursor_of(p)
    users = [
        ctx.render.user(ctx.world.user(found[j]), ctx.now)
        for j in window(cursor, page_size(ctx), len(found))
    ]
    return offset_page(ctx, users, cursor, len(found))


def follow_offset(ctx: Ctx, user: User, relation: str, reach: int, p: dict[str, Any]) -> int:
    token = p.get("page_token")
    if token:
        try:
            kind, index, offset = base64.urlsafe_b64decode(token.encode()).decode().split(":")
            if kind == relation and int(index) == user.index:
                return max(0, int(offset))
        except ValueError:
            pass
        raise ApiError(
            422,
            [{"loc": ["query", "page_token"], "msg": "invalid page token", "type": "value_error"}],
        )
    top, gap = ctx.world.follow_clock(user, relation, reach)
    cursor = p.get("cursor")
    return max(0, (top - cursor) // gap + 1) if cursor else 0


def follow_page(ctx: Ctx, p: dict[str, Any], relation: str) -> Result:
    user = public_user(ctx, p)
    total = user.followers if relation == "followers" else user.following
    reach = min(total, G.FOLLOWERS_CAP) if relation == "followers" else total
    offset, size = follow_offset(ctx, user, relation, reach, p), page_size(ctx)
    people = [
        ctx.world.user(ctx.world.follow_index(user, relation, j))
        for j in window(offset, size, reach)
    ]
    data: Json = {list_key(ctx): [ctx.render.user(u) for u in people], "total": total}
    pagination = ctx.endpoint.pagination
    if offset + size < reach and pagination is not None:
        top, gap = ctx.world.follow_clock(user, relation, reach)
        data[pagination.next_cursor] = top - (offset + size - 1) * gap
        if pagination.next_token:
            token = f"{relation}:{user.index}:{offset + size}".encode()
            data[pagination.next_token] = base64.urlsafe_b64encode(token).decode()
    return Result(data, n_items=len(people))


@handler
def user_followers(ctx: Ctx, p: dict[str, Any]) -> Result:
    return follow_page(ctx, p, "followers")


@handler
def user_followings(ctx: Ctx, p: dict[str, Any]) -> Result:
    return follow_page(ctx, p, "followings")


@handler
def user_liked_posts(ctx: Ctx, p: dict[str, Any]) -> Result:
    user = public_user(ctx, p)
    if user.private_likes:
        raise ApiError(472, "This user's liked posts are private")
    reach, cursor = ctx.world.liked_count(user), cursor_of(p)
    ids = [ctx.world.liked_post_id(user, j) for j in window(cursor, page_size(ctx), reach)]
    return offset_page(ctx, posts_newest(ctx, ids), cursor, reach)


# -- posts and comments -------------------------------------------------------------------------


@handler
def post_info(ctx: Ctx, p: dict[str, Any]) -> Result:
    match = POST_URL.match(p["url"].strip())
    if match is None:
        raise ApiError(462, "Invalid TikTok URL")
    refuse(F.REFUSED_POSTS, match.group(1))
    post = existing_post(ctx, match.group(1))
    if post is None:
        raise ApiError(404, "Post not found")
    return Result([ctx.aweme(post)], n_items=1)


@handler
def multi_post_info(ctx: Ctx, p: dict[str, Any]) -> Result:
    ids = [i.strip() for i in p["aweme_ids"].split(";") if i.strip()]
    if len(ids) > G.MAX_POST_IDS:
        raise ApiError(464, f"Too many post ids: at most {G.MAX_POST_IDS} are allowed")
    posts = [ctx.aweme(post) for i in ids if (post := existing_post(ctx, i))]
    return Result(posts, n_items=len(posts))


def comment_page(ctx: Ctx, items: list[Json], cursor: int, total: int) -> Result:
    data: Json = {list_key(ctx): items}
    if cursor + page_size(ctx) < total:
        data[next_cursor_key(ctx)] = cursor + page_size(ctx)
    data["total"] = total
    return Result(data, n_items=len(items))


@handler
def post_comments(ctx: Ctx, p: dict[str, Any]) -> Result:
    post, cursor = existing_post(ctx, p["aweme_id"]), cursor_of(p)
    if post is None:
        return comment_page(ctx, [], 0, 0)
    total = ctx.world.comment_total(post, ctx.now)
    items = [
        ctx.render.comment(ctx.world.comment(post, j))
        for j in window(cursor, page_size(ctx), total)
    ]
    return comment_page(ctx, items, cursor, total)


@handler
def post_comment_replies(ctx: Ctx, p: dict[str, Any]) -> Result:
    post, cursor = existing_post(ctx, p["aweme_id"]), cursor_of(p)
    cid = p["comment_id"].strip()
    j = (
        ctx.world.comment_index(post, int(cid))
        if post and cid.isdigit() and len(cid) < 20
        else None
    )
    if post is None or j is None:
        return comment_page(ctx, [], 0, 0)
    parent = ctx.world.comment(post, j)
    rng = window(cursor, page_size(ctx), parent.replies)
    items = [ctx.render.comment(ctx.world.reply(post, parent, r)) for r in rng]
    return comment_page(ctx, items, cursor, parent.replies)


# -- music and lives ----------------------------------------------------------------------------


def find_music(ctx: Ctx, music_id: str) -> Music | None:
    mid = music_id.strip()
    if not mid.isdigit() or int(mid) >= 1 << 63:
        return None
    music = ctx.world.music(int(mid))
    return music if music is not None and music.create_time <= ctx.now else None


MUSIC_SORTS: dict[str, Callable[[Ctx, Music], Any]] = {
    "1": lambda ctx, m: -ctx.render.user_count(m, ctx.now),
    "2": lambda ctx, m: -m.create_time,
    "3": lambda ctx, m: m.duration,
    "4": lambda ctx, m: -m.duration,
}


@handler
def music_search(ctx: Ctx, p: dict[str, Any]) -> Result:
    world, cursor = ctx.world, cursor_of(p)
    tracks = [m for i in world.search_tracks(p["keyword"]) if (m := world.music(world.track_id(i)))]
    sort = MUSIC_SORTS.get(p.get("sorting") or "0")
    if sort is not None:
        tracks.sort(key=lambda m: sort(ctx, m))
    page = [
        ctx.render.music(tracks[j], ctx.now) for j in window(cursor, page_size(ctx), len(tracks))
    ]
    return offset_page(ctx, page, cursor, len(tracks))


@handler
def music_posts(ctx: Ctx, p: dict[str, Any]) -> Result:
    music, cursor = find_music(ctx, p["music_id"]), cursor_of(p)
    if music is None:
        return offset_page(ctx, [], 0, 0)
    if music.timeline is None:
        post = ctx.world.post(music.original_of or 0)
        return offset_page(ctx, [ctx.aweme(post)] if post else [], 0, 1)
    tl, index = music.timeline, ctx.world.track_index(music)
    reach, top = tl.count(ctx.now), tl.top(ctx.now)
    ids = [
        ctx.world.music_post_id(index, music, top - i)
        for i in window(cursor, page_size(ctx), reach)
    ]
    return offset_page(ctx, posts_newest(ctx, ids), cursor, reach)


@handler
def music_details(ctx: Ctx, p: dict[str, Any]) -> Result:
    music = find_music(ctx, p["music_id"])
    if music is None:
        raise ApiError(404, "Music not found")
    return Result(ctx.render.music(music, ctx.now))


def live_rooms(ctx: Ctx, keyword: str) -> list[Json]:
    seed, kw = ctx.world.seed, keyword.strip().lower()
    rooms = []
    for j in range(h32(seed, "lives", kw) % 45):
        b = Bits(seed, "live", kw, j)
        owner = ctx.world.public_user("live", kw, j)
        room_id = 7_300_000_000_000_000_000 + h32(seed, "room", kw, j) * 1_000 + j
        title = f"{keyword} {b.pick(V.CAPTION_WORDS)} {b.pick(V.EMOJI)}"
        start = ctx.now - b.below(4 * 3_600) - 60
        rooms.append(ctx.render.live(room_id, title, owner, b.pareto(5, 0.9, 200_000), start))
    return sorted(rooms, key=lambda r: -r["user_count"])


@handler
def lives_search(ctx: Ctx, p: dict[str, Any]) -> Result:
    check_country(p)
    rooms, cursor = live_rooms(ctx, p["keyword"]), cursor_of(p)
    page = [rooms[j] for j in window(cursor, page_size(ctx), len(rooms))]
    if ctx.endpoint.wrapper is None:  # the table may not say it: wrap as guesses does
        page = [{G.LIVE_ITEM_WRAPPER: room} for room in page]
    return offset_page(ctx, page, cursor, len(rooms))


# -- customer -----------------------------------------------------------------------------------
# [I] Shapes: get-used-units -> {"data": {"date": "YYYY-MM-DD", "units": N}};
# get-history -> {"data": [{"date": ..., "units": N}, ...]} oldest first, today last.


def world_day(ts: int) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


@handler
def get_usage(ctx: Ctx, p: dict[str, Any]) -> Result:
    try:
        day = date.fromisoformat(p["date"])
    except ValueError:
        raise ApiError(
            422,
            [{"loc": ["query", "date"], "msg": "invalid date format", "type": "value_error.date"}],
        ) from None
    return Result({"date": day.isoformat(), "units": ctx.usage.get(day.isoformat(), 0)})


@handler
def get_usage_history(ctx: Ctx, p: dict[str, Any]) -> Result:
    today = world_day(ctx.now)
    days = [today - timedelta(days=i) for i in range(max(1, p["days"]) - 1, -1, -1)]
    return Result([{"date": d.isoformat(), "units": ctx.usage.get(d.isoformat(), 0)} for d in days])
