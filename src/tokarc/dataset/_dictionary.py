"""The data dictionary: every exported table and every view, each column's type, meaning and
role, declared once.

It feeds ``docs/data-dictionary.md`` (``scripts/data_dictionary.py``), Datasette's metadata
(``tokarc browse``), every export's ``datapackage.json``, and pseudonymisation: a column's
``role`` says whether it identifies a person (``user``, ``sec_uid``, ``handle``, ``handles``,
``nickname``), is free text that may name one (``text``), names a record whose kind another
column gives (``entity_id``, ``source_target``), or is left out of a pseudonymised export
(``drop``: raw JSON and URLs that embed handles or user ids).

The types of exported columns are those of :mod:`tokarc.dataset._exports` (the export's fixed
columns); a test checks that every one of them is described here and nothing else is.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._derived import with_twins
from ._exports import EXPORTS

#: Column types: as the exports spell them (text, int, bool, float; time: ISO 8601 UTC).
TYPES = ("text", "int", "bool", "float", "time")

#: Roles of a column, for pseudonymisation (see the module docstring).
ROLES = (
    "",
    "user",
    "sec_uid",
    "handle",
    "handles",
    "nickname",
    "text",
    "entity_id",
    "source_target",
    "record_id",
    "drop",
)


@dataclass(frozen=True)
class Field:
    """One column: its name, type, meaning and role."""

    name: str
    type: str
    description: str
    role: str = ""


@dataclass(frozen=True)
class Resource:
    """A table (exported) or a view (queried): its name, what a row is, its columns."""

    name: str
    description: str
    fields: tuple[Field, ...]
    view: bool = False

    def field(self, name: str) -> Field:
        """The column called ``name`` (``KeyError`` if there is none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no column {name!r}")


#: The seen_via / job kinds whose target is a person, and what the target is. (A test checks
#: this against the job kinds of ``tokarc.collect``.)
USER_SOURCES = {
    "user_posts": "handle",
    "user_posts_secuid": "sec_uid",
    "liked": "sec_uid",
    "followers": "handle",
    "followings": "handle",
    "user": "handle",
}

_PROV = {
    "first_seen_at": "when tokarc first saw the record (ISO 8601 UTC)",
    "last_seen_at": "when tokarc last saw it (ISO 8601 UTC)",
    "first_page": "the stored page it first came in (`pages.id`)",
    "last_page": "the stored page it last came in",
}

_EVENT_ID = "the event's number: events are in the order recorded"
_STATE = {
    "state": "the state it came to (`tokarc.status.AccountState`, `PostState`)",
    "code": "the API's status code that said so (`472` private, `520` restricted, ...), or empty",
    "at": "when it was seen so (ISO 8601 UTC): the page's fetch time or the refused call's",
    "page_id": "the stored page that showed it (`pages.id`); empty for a refusal or a "
    "post marked gone by hand (`Store.mark_gone`)",
    "job_id": "the job that saw it (`jobs.id`), or empty",
}

# name -> (what a row is, {column: description or (description, role)}).
_EXPORTED: dict[str, tuple[str, dict[str, str | tuple[str, str]]]] = {
    "posts": (
        "A post (video or photo carousel), its latest counts and its provenance.",
        {
            "aweme_id": "the post's id",
            "author_uid": ("the author's `uid` (see `users`)", "user"),
            "author_unique_id": ("the author's handle", "handle"),
            "music_id": "the sound's id (see `music`)",
            "create_time": "when it was posted, Unix seconds (UTC)",
            "created_at": "when it was posted, ISO 8601 UTC (computed at export)",
            "description": ("the caption (`desc`)", "text"),
            "region": "TikTok's region code",
            "is_pinned": "pinned on the author's profile (`is_top`)",
            "is_photo": "a photo carousel",
            "hashtags": "hashtag names, lower case, space-separated",
            "mentions": ("handles mentioned in the caption, space-separated", "handles"),
            "play_count": "plays, at `last_seen_at`",
            "digg_count": "likes, at `last_seen_at`",
            "comment_count": "comments, at `last_seen_at`",
            "share_count": "shares, at `last_seen_at`",
            "collect_count": "saves, at `last_seen_at`",
            "download_count": "downloads, at `last_seen_at`",
            "duration_ms": "video length in milliseconds",
            "width": "video width in pixels",
            "height": "video height in pixels",
            "cover_url": ("cover image URL (expires)", "drop"),
            "play_url": ("video URL (expires)", "drop"),
            "share_url": ("the post's web link (names the author's handle)", "drop"),
            "gone_at": "when the post stopped coming back (ISO 8601 UTC), or empty",
            **_PROV,
        },
    ),
    "users": (
        "An account, its latest counts and its provenance.",
        {
            "uid": ("the account's numeric id", "user"),
            "sec_uid": ("TikTok's secure id", "sec_uid"),
            "unique_id": ("the handle", "handle"),
            "nickname": ("the display name", "nickname"),
            "signature": ("the bio", "text"),
            "region": "region code",
            "language": "language code",
            "verified": "any verification badge",
            "is_private": "a private account",
            "follower_count": "followers, at `last_seen_at`",
            "following_count": "accounts followed",
            "heart_count": "likes received",
            "video_count": "posts",
            "digg_count": "likes given",
            "avatar_url": ("avatar image URL", "drop"),
            "create_time": "account creation, Unix seconds (UTC)",
            "created_at": "account creation, ISO 8601 UTC (computed at export)",
            **_PROV,
        },
    ),
    "comments": (
        "A comment on a post, or a reply to a comment.",
        {
            "cid": "the comment's id",
            "aweme_id": "the post commented on (see `posts`)",
            "parent_cid": "the comment replied to; empty at top level",
            "author_uid": ("the commenter (see `users`)", "user"),
            "text": ("the comment", "text"),
            "create_time": "when it was written, Unix seconds (UTC)",
            "created_at": "when it was written, ISO 8601 UTC (computed at export)",
            "digg_count": "likes",
            "reply_count": "replies",
            "language": "language code",
            **_PROV,
        },
    ),
    "music": (
        "A sound used by posts.",
        {
            "music_id": "the sound's id",
            "title": ("title (an original sound's names its owner)", "text"),
            "author": ("artist (an original sound's owner's name)", "text"),
            "album": "album",
            "is_original": "an original sound (made by a user, not a label)",
            "duration_s": "length in seconds",
            "user_count": "posts using the sound",
            "owner_uid": ("the owner's uid (original sounds)", "user"),
            "owner_handle": ("the owner's handle", "handle"),
            "owner_nickname": ("the owner's name", "nickname"),
            "play_url": ("audio URL (expires)", "drop"),
            "cover_url": ("cover image URL", "drop"),
            **_PROV,
        },
    ),
    "hashtags": (
        "A hashtag used by stored posts.",
        {
            "name": "lower case, without `#`",
            "hashtag_id": "TikTok's id for it",
            "view_count": "views, when a post's `cha_list` carried them",
            "user_count": "posts, when a post's `cha_list` carried them",
            **_PROV,
        },
    ),
    "lives": (
        "A live room.",
        {
            "room_id": "the live room's id",
            "title": ("title", "text"),
            "owner_uid": ("the broadcaster (see `users`)", "user"),
            "viewer_count": "viewers when seen",
            **_PROV,
        },
    ),
    "follows": (
        "A follow edge: one account follows another.",
        {
            "follower_uid": ("who follows (see `users`)", "user"),
            "followed_uid": ("whom (see `users`)", "user"),
            "first_job_id": "the job that first saw the edge",
            "last_job_id": "the job that last saw it",
            **_PROV,
        },
    ),
    "account_names": (
        "A (handle, nickname) an account was seen with, first and last: its names over time "
        "(the one seen last is its name now).",
        {
            "uid": ("the account's numeric id (see `users`)", "user"),
            "sec_uid": ("TikTok's secure id", "sec_uid"),
            "unique_id": ("a handle it had", "handle"),
            "nickname": ("the display name it had with that handle", "nickname"),
            "first_seen_at": "when tokarc first saw the account with these names (ISO 8601 UTC)",
            "last_seen_at": "when tokarc last saw it with them (ISO 8601 UTC)",
            "first_page": "the stored page that first showed them (`pages.id`)",
            "last_page": "the stored page that last showed them",
        },
    ),
    "account_events": (
        "A dated state of an account: `found`, `private`, `restricted`, `unavailable`, "
        "`not_found`, `back`.",
        {
            "id": _EVENT_ID,
            "uid": (
                "the account (see `users`); empty for a refused handle of nobody known",
                "user",
            ),
            "sec_uid": ("its secure id, when known", "sec_uid"),
            "handle": ("its handle then (a refusal by handle: the handle asked for)", "handle"),
            **_STATE,
        },
    ),
    "post_events": (
        "A dated state of a post: `gone`, `restricted`, `back`.",
        {
            "id": _EVENT_ID,
            "aweme_id": "the post (see `posts`)",
            **_STATE,
        },
    ),
    "observations": (
        "One observation of a post's or a user's counts; chart growth from these.",
        {
            "entity": "`post` or `user`",
            "entity_id": ("the `aweme_id` or `uid`", "entity_id"),
            "observed_at": "when the page was fetched (ISO 8601 UTC)",
            "page_id": "the page it came in",
            "play_count": "post: plays",
            "digg_count": "post: likes",
            "comment_count": "post: comments",
            "share_count": "post: shares",
            "collect_count": "post: saves",
            "download_count": "post: downloads",
            "follower_count": "user: followers",
            "following_count": "user: accounts followed",
            "heart_count": "user: likes received",
            "video_count": "user: posts",
            "user_digg_count": "user: likes given",
        },
    ),
    "post_hashtags": (
        "Which post uses which hashtag.",
        {
            "aweme_id": "the post (see `posts`)",
            "name": "a hashtag it uses (see `hashtags`)",
        },
    ),
    "media": (
        "A file the media archive downloaded (`tokarc media`), by record and kind.",
        {
            "kind": "`video`, `images`, `cover`, `avatar`, `music` or `subtitles`",
            "record_id": (
                "the post's `aweme_id`, the user's `uid` (avatar) or the `music_id`",
                "record_id",
            ),
            "position": "which one of the record's files of this kind (carousel images: 0, 1, ...)",
            "status": "`ok`, `failed`, `expired`, ...: how the last download went",
            "path": "where the file is, under the media root (`ab/cd/<sha256>.<ext>`)",
            "sha256": "the file's SHA-256",
            "bytes": "its size in bytes",
            "content_type": "its MIME type",
            "url": ("the URL it was downloaded from (expires)", "drop"),
            "fetched_at": "when it was downloaded (ISO 8601 UTC)",
            "attempts": "downloads tried",
        },
    ),
    "transcripts": (
        "What is said in a post: one caption track (`tokarc media --kinds subtitles`), parsed.",
        {
            "aweme_id": "the post (see `posts`)",
            "author_uid": ("the post's author's `uid` (see `users`)", "user"),
            "author_unique_id": ("the post's author's handle", "handle"),
            "create_time": "when the post was posted, Unix seconds (UTC)",
            "created_at": "when the post was posted, ISO 8601 UTC (computed at export)",
            "language": "the track's language as TikTok names it (`eng-US`)",
            "source": "`creator` (edited by the creator), `auto` (speech recognition), "
            "`translated` (machine-translated) or `transcribed` (`tokarc media --transcribe`)",
            "position": "the track's place in the post's list (the `media` row's `position`)",
            "cue_count": "how many cues",
            "cues": (
                'the cues, JSON: `[{"start_ms": 1200, "end_ms": 3400, "text": "..."}]`',
                "text",
            ),
            "text": ("the cues' text, joined by spaces", "text"),
            "updated_at": "when the file was last parsed (ISO 8601 UTC)",
        },
    ),
    "seen_via": (
        "Every way a record was found: by which source, first and last.",
        {
            "entity": "`post`, `user`, `comment`, `music`, `live`",
            "entity_id": ("the record's id", "entity_id"),
            "source_kind": "what it was found through: `hashtag`, `keyword`, `followers`, ...",
            "source_target": ("which one: `magic`, a handle, ...", "source_target"),
            "first_job_id": "the job that first found it this way",
            "last_job_id": "the job that last did",
            "first_seen_at": "when first found this way (ISO 8601 UTC)",
            "last_seen_at": "when last found this way (ISO 8601 UTC)",
        },
    ),
}

_STAT = "at the latest observation (`post_latest_stats`), else as stored on the post"

# Views: name -> (what a row is, {column: (type, description[, role])}).
_VIEWS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "post_view": (
        "A post with its author's handle, its sound, its hashtags and its latest "
        "counts: the table to start from.",
        {
            "aweme_id": ("text", "the post's id"),
            "create_time": ("int", "when it was posted, Unix seconds (UTC)"),
            "created_at": ("time", "when it was posted, ISO 8601 UTC"),
            "author_uid": ("text", "the author's `uid`", "user"),
            "author_handle": ("text", "the author's handle", "handle"),
            "author_nickname": ("text", "the author's display name", "nickname"),
            "description": ("text", "the caption", "text"),
            "hashtags": ("text", "hashtag names, space-separated"),
            "mentions": ("text", "handles mentioned, space-separated", "handles"),
            "region": ("text", "TikTok's region code"),
            "music_id": ("text", "the sound's id"),
            "music_title": ("text", "the sound's title", "text"),
            "music_author": ("text", "the sound's artist", "text"),
            "play_count": ("int", f"plays, {_STAT}"),
            "digg_count": ("int", f"likes, {_STAT}"),
            "comment_count": ("int", f"comments, {_STAT}"),
            "share_count": ("int", f"shares, {_STAT}"),
            "collect_count": ("int", f"saves, {_STAT}"),
            "stats_observed_at": ("time", "when the latest counts were observed"),
            "duration_ms": ("int", "video length in milliseconds"),
            "is_photo": ("bool", "a photo carousel"),
            "is_pinned": ("bool", "pinned on the author's profile"),
            "share_url": ("text", "the post's web link", "drop"),
            "gone_at": ("time", "when the post stopped coming back, or empty"),
            "first_seen_at": ("time", "when tokarc first saw it"),
            "last_seen_at": ("time", "when tokarc last saw it"),
        },
    ),
    "post_latest_stats": (
        "The latest observation of each post's counts.",
        {
            "aweme_id": ("text", "the post"),
            "page_id": ("int", "the page of the observation"),
            "observed_at": ("time", "when it was observed (ISO 8601 UTC)"),
            "play_count": ("int", "plays"),
            "digg_count": ("int", "likes"),
            "comment_count": ("int", "comments"),
            "share_count": ("int", "shares"),
            "collect_count": ("int", "saves"),
            "download_count": ("int", "downloads"),
            "observations": ("int", "how many observations of the post there are"),
        },
    ),
    "daily_posts": (
        "Posts per source per day they were created (UTC).",
        {
            "source_kind": ("text", "what found them: `hashtag`, `keyword`, ..."),
            "source_target": ("text", "which one", "source_target"),
            "day": ("text", "the day posted, YYYY-MM-DD (UTC)"),
            "posts": ("int", "posts found by the source created that day"),
        },
    ),
    "hashtag_pairs": (
        "Hashtag co-occurrence: two hashtags used together, how often.",
        {
            "hashtag_a": ("text", "one hashtag (the first in alphabetical order)"),
            "hashtag_b": ("text", "the other"),
            "posts": ("int", "posts using both"),
        },
    ),
    "post_sources": (
        "Which sources found each post (`seen_via` for posts).",
        {
            "aweme_id": ("text", "the post"),
            "source_kind": ("text", "what found it"),
            "source_target": ("text", "which one", "source_target"),
            "first_job_id": ("int", "the job that first found it this way"),
            "last_job_id": ("int", "the job that last did"),
            "first_seen_at": ("time", "when first found this way"),
            "last_seen_at": ("time", "when last found this way"),
        },
    ),
}


def _exported(name: str) -> Resource:
    about, described = _EXPORTED[name]
    types = dict(with_twins(EXPORTS[name])[0].columns)
    fields = []
    for column, text in described.items():
        description, role = (text, "") if isinstance(text, str) else text
        fields.append(Field(column, types.get(column, "?"), description, role))
    return Resource(name, about, tuple(fields))


def _view(name: str) -> Resource:
    about, described = _VIEWS[name]
    fields = tuple(Field(c, *spec) for c, spec in described.items())
    return Resource(name, about, fields, view=True)


#: Every exported table and every view, by name.
RESOURCES: dict[str, Resource] = {
    **{name: _exported(name) for name in _EXPORTED},
    **{name: _view(name) for name in _VIEWS},
}


def resource(name: str) -> Resource:
    """The resource called ``name``; ``ValueError`` names the known ones."""
    try:
        return RESOURCES[name]
    except KeyError:
        raise ValueError(f"no resource {name!r}; known: {', '.join(RESOURCES)}") from None


def markdown() -> str:
    """The dictionary as Markdown: what ``docs/data-dictionary.md`` holds."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by scripts/data_dictionary.py from src/tokarc/dataset/_dictionary.py;"
        " do not edit. -->",
        "",
        "Every table `tokarc export` writes and every view of the archive, with each column's"
        " type and meaning. The same descriptions are in each export's `datapackage.json` and"
        " in `tokarc browse`. *Pseudonymised* says what `--pseudonymize` does to a column.",
        "",
    ]
    for heading, views in (("Tables (exported)", False), ("Views", True)):
        lines += [f"## {heading}", ""]
        for r in (r for r in RESOURCES.values() if r.view is views):
            lines += _resource_markdown(r)
    return "\n".join(lines)


_ROLE_TEXT = {
    "": "",
    "user": "keyed pseudonym",
    "sec_uid": "keyed pseudonym",
    "handle": "keyed pseudonym",
    "handles": "each a keyed pseudonym",
    "nickname": "keyed pseudonym",
    "text": "@mentions and the row's own names replaced by pseudonyms",
    "entity_id": "a pseudonym on user rows",
    "source_target": "a pseudonym when the source is a person",
    "record_id": "a pseudonym on avatar rows (a user's uid)",
    "drop": "left out",
}


def _resource_markdown(r: Resource) -> list[str]:
    lines = [f"### `{r.name}`", "", r.description, ""]
    lines += ["| column | type | meaning | pseudonymised |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{f.name}` | {f.type} | {f.description} | {_ROLE_TEXT[f.role]} |" for f in r.fields
    ]
    return [*lines, ""]
