"""Local validation: input that can be rejected before a request is, so it costs no units.

Each check takes the value a caller gave and returns the normalized value to send, or raises
:class:`~tokarc.errors.InvalidInputError` with one line naming the bad value and what would be
valid. :func:`wire_params` turns a call's keyword arguments into query parameters, reading the
endpoint table for names, types, choices and checks.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..api import guesses as G
from ..api.countries import COUNTRY_CODES
from ..api.endpoints import Endpoint, Param
from ..errors import InvalidInputError

log = logging.getLogger("tokarc")

_HASHTAG = re.compile(r"^\w{1,100}$")  # TikTok hashtags: letters (any script), digits, '_'
_USERNAME = re.compile(rf"^{G.USERNAME_PATTERN}$")  # TikTok's rule: letters, digits, '_', '.'
_SEC_UID = re.compile(r"^MS4wLjABAAAA[A-Za-z0-9_-]{20,}$")  # base64url of a fixed prefix
_DIGITS = re.compile(r"^[0-9]{1,20}$")
_POST_PATH = re.compile(r"^/@[A-Za-z0-9_.]{1,24}/(video|photo)/([0-9]{1,20})/?$")
_SHORT_PATH = re.compile(r"^/(t/)?[A-Za-z0-9]{5,20}/?$")
_POST_URL_EXAMPLE = "https://www.tiktok.com/@user/video/ID"
_POST_URL_HELP = f"expected {_POST_URL_EXAMPLE} or a vm.tiktok.com link"
_TIKTOK_HOSTS = ("tiktok.com", "www.tiktok.com", "m.tiktok.com")
_SHORT_HOSTS = ("vm.tiktok.com", "vt.tiktok.com", "www.tiktok.com")


# What the API answers for a value it refuses, where that is not 422 (see tokarc.errors).
_STATUS = {"post URL": 462, "country code": 466, "username": 463}


def _bad(what: str, value: Any, valid: str, param: str | None = None) -> InvalidInputError:
    """The error for ``value``; ``param``: the parameter it was given as, if ``what`` is one."""
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "...'"
    status = _STATUS.get(what, 422)
    return InvalidInputError(f"invalid {what} {shown}: {valid}", status_code=status, param=param)


def _text(what: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(what, value, "expected text")
    return value.strip()


def check_hashtag(value: Any) -> str:
    """A hashtag without its '#' (or '##'), lower-cased: TikTok's hashtags ignore case, so
    ``Magic`` and ``magic`` are one."""
    tag = _text("hashtag", value).lstrip("#").lower()
    if not _HASHTAG.match(tag):
        raise _bad("hashtag", value, "use letters, digits and '_' only, no spaces (e.g. 'magic')")
    return tag


def check_keyword(value: Any) -> str:
    text = " ".join(_text("keyword", value).split())
    if not text or len(text) > 200 or "\x00" in text:
        raise _bad("keyword", value, "give 1 to 200 characters of text (e.g. 'tesla')")
    return text


def check_username(value: Any) -> str:
    name = _text("username", value)
    if "tiktok.com/@" in name:
        name = name.split("tiktok.com/@", 1)[1].split("/")[0].split("?")[0]
    name = name.lstrip("@")
    if not _USERNAME.match(name) or name.endswith("."):
        raise _bad("username", value, "1-24 letters, digits, '_' or '.' (e.g. 'zachking')")
    return name


def check_sec_uid(value: Any) -> str:
    sec_uid = _text("sec_uid", value)
    if not _SEC_UID.match(sec_uid):
        raise _bad("sec_uid", value, "a secUid starts with 'MS4wLjABAAAA' (see user info)")
    return sec_uid


def _check_digits(what: str, example: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value).strip() if isinstance(value, int | str) else value
        if isinstance(value, bool) or not isinstance(text, str) or not _DIGITS.match(text):
            raise _bad(what, value, f"a numeric id of up to 20 digits (e.g. '{example}')")
        return text

    return check


check_uid = _check_digits("user id", "6784819479778378757")
check_aweme_id = _check_digits("post id", "7301234567890123456")
check_comment_id = _check_digits("comment id", "7301234567890123457")
check_music_id = _check_digits("music id", "7063948643480488709")


def check_post_url(value: Any) -> str:
    """A TikTok post URL: ``https://www.tiktok.com/@user/video/ID`` (or ``/photo/ID``) or a
    short ``vm.tiktok.com`` link; any other host, scheme or path is refused."""
    url = _text("post URL", value)
    _post_url_parts(url, value)
    return url


def _post_url_parts(url: str, value: Any) -> tuple[str, str | None]:
    """The URL's host and, for the long form, its post id; InvalidInputError if it is not a
    TikTok post URL. The one checker of post URLs, for the client and the CLI alike."""
    try:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise _bad("post URL", value, _POST_URL_HELP) from None
    if parts.scheme in ("http", "https") and port is None and not parts.username:
        long_form = _POST_PATH.match(parts.path) if host in _TIKTOK_HOSTS else None
        if long_form:
            return host, long_form.group(2)
        if host in _SHORT_HOSTS and _SHORT_PATH.match(parts.path):
            return host, None
    raise _bad("post URL", value, _POST_URL_HELP)


def post_id(value: Any) -> str:
    """The post id in a numeric id or a long-form post URL (a short link has none: it must be
    resolved by the API's post_info); InvalidInputError for anything else."""
    text = _text("post", value)
    if _DIGITS.match(text):
        return text
    if "/" not in text and "." not in text:
        raise _bad("post", value, "a numeric post id or a URL like " + _POST_URL_EXAMPLE)
    _, found = _post_url_parts(text, value)
    if found is None:
        raise _bad("post", value, "a short link has no id: give the post's full URL or its id")
    return found


def check_aweme_ids(value: Any) -> list[str]:
    """Ids for multi_post_info.

    Malformed ids are dropped with a log line, as the API itself leaves them out of its answer
    (the guide's example relies on that); an empty result or more than 100 ids is an error.
    """
    raw = value.split(";") if isinstance(value, str) else value
    if not isinstance(raw, Iterable):
        raise _bad("post ids", value, "give a list of numeric post ids")
    ids = _well_formed_ids(list(raw))
    if not ids:
        raise _bad("post ids", value, "give at least one numeric post id")
    if len(ids) > G.MAX_POST_IDS:
        raise InvalidInputError(
            f"too many post ids ({len(ids)}): at most {G.MAX_POST_IDS} per call; "
            "split the list, or use a collection job, which batches them",
            status_code=464,
        )
    return ids


def _well_formed_ids(items: list[Any]) -> list[str]:
    ids: list[str] = []
    for item in items:
        try:
            ids.append(check_aweme_id(item))
        except InvalidInputError as exc:
            log.warning("multi_post_info: leaving out %s", exc)
    return ids


def check_country(value: Any) -> str:
    code = _text("country code", value).upper()
    if code not in COUNTRY_CODES:
        raise _bad("country code", value, "an ISO 3166-1 alpha-2 code such as 'US' or 'GB'")
    return code


MAX_DAYS = 36_500  # a hundred years: more than TikTok has existed


def check_days(value: Any) -> float:
    """A number of days back: finite, above 0, at most :data:`MAX_DAYS` (``nan``, ``inf`` and
    ``1e308`` are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad("days", value, "a number of days, like 7 or 0.5", "days")
    if not math.isfinite(value) or not 0 < value <= MAX_DAYS:
        raise _bad("days", value, f"a number above 0 and at most {MAX_DAYS:,}", "days")
    return float(value)


def check_date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(_text("date", value)).isoformat()
    except ValueError:
        raise _bad("date", value, "a day as YYYY-MM-DD (e.g. '2026-11-25')") from None


def _check_int(minimum: int) -> Callable[[Any, str], int]:
    def check(value: Any, what: str = "number") -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _bad(what, value, f"a whole number of {minimum} or more", what)
        return value

    return check


check_positive_int = _check_int(1)
check_nonneg_int = _check_int(0)


# Checks of numbers name the parameter they check ("invalid depth 0: ...").
NUMBER_CHECKS: dict[str, Callable[[Any, str], int]] = {
    "positive_int": check_positive_int,
    "nonneg_int": check_nonneg_int,
}
CHECKS: dict[str, Callable[[Any], Any]] = {
    "hashtag": check_hashtag,
    "keyword": check_keyword,
    "username": check_username,
    "sec_uid": check_sec_uid,
    "uid": check_uid,
    "aweme_id": check_aweme_id,
    "aweme_ids": check_aweme_ids,
    "comment_id": check_comment_id,
    "music_id": check_music_id,
    "post_url": check_post_url,
    "country": check_country,
    "date": check_date,
}


def normalize(param: Param, value: Any) -> Any:
    """The value to send for one parameter, checked; ``None`` when it is not sent."""
    if value is None:
        value = param.default
    if value is None:
        return None
    if param.choices is not None:
        return _check_choice(param, value)
    if param.type == "bool" and not isinstance(value, bool):
        raise _bad(param.name, value, "True or False", param.name)
    if param.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise _bad(param.name, value, "a whole number", param.name)
    if param.check in NUMBER_CHECKS:
        return NUMBER_CHECKS[param.check](value, param.name)
    return CHECKS[param.check](value) if param.check else value


def _check_choice(param: Param, value: Any) -> str:
    text = str(value).strip()
    if isinstance(value, bool) or text not in (param.choices or ()):
        raise _bad(param.name, value, f"one of {', '.join(param.choices or ())}", param.name)
    return text


def checked_params(endpoint: Endpoint, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The call's python-named arguments, checked and normalized; omitted ones left out."""
    out: dict[str, Any] = {}
    for param in endpoint.params:
        value = normalize(param, kwargs.get(param.name))
        if value is None and param.required:
            raise InvalidInputError(f"{endpoint.name}: {param.name!r} is required")
        if value is not None:
            out[param.name] = value
    return out


def to_wire(endpoint: Endpoint, params: Mapping[str, Any]) -> dict[str, Any]:
    """Checked python-named params as query parameters (the SDK's encodings)."""
    wire: dict[str, Any] = {}
    for param in endpoint.params:
        if param.name in params:
            wire[param.wire] = _encode(param, params[param.name])
    return wire


def _encode(param: Param, value: Any) -> Any:
    if param.type == "ids" and not isinstance(value, str):
        return ";".join(value)
    if param.type == "bool" and isinstance(value, bool):
        return str(value)  # the official SDK sends str(True) / str(False)
    return value


def sent_params(endpoint: Endpoint, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The call's python-named arguments as given, unchecked (the drop-in's, sent as the
    official SDK sends them): defaults filled in, omitted ones left out."""
    out: dict[str, Any] = {}
    for param in endpoint.params:
        value = kwargs.get(param.name)
        value = param.default if value is None else value
        if value is not None:
            out[param.name] = value
    return out
