"""Local validation: input that can be rejected before a request is, so it costs no units.

Each check takes the value a caller gave and returns the normalized value to send, or raises
:class:`~tokarc.errors.InvalidInputError` with one line naming the bad value and what would be
valid. :func:`wire_params` turns a call's keyword arguments into query parameters, reading the
endpoint table for names, types, choices and checks.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..api import _guesses as G
from ..api._countries import COUNTRY_CODES
from ..api.endpoints import Endpoint, Param
from ..errors import InvalidInputError

log = logging.getLogger("tokarc")

_HASHTAG = re.compile(r"^\w{1,100}$")  # TikTok hashtags: letters (any script), digits, '_'
_USERNAME = re.compile(r"^[A-Za-z0-9_.]{1,24}$")  # TikTok's rule: letters, digits, '_', '.'
_SEC_UID = re.compile(r"^MS4wLjABAAAA[A-Za-z0-9_-]{20,}$")  # base64url of a fixed prefix
_DIGITS = re.compile(r"^[0-9]{1,20}$")
_POST_PATH = re.compile(r"^/@[A-Za-z0-9_.]{1,24}/(video|photo)/([0-9]{1,20})/?$")
_SHORT_PATH = re.compile(r"^/(t/)?[A-Za-z0-9]{5,20}/?$")
_POST_URL_HELP = "expected https://www.tiktok.com/@user/video/ID or a vm.tiktok.com link"
_TIKTOK_HOSTS = ("tiktok.com", "www.tiktok.com", "m.tiktok.com")
_SHORT_HOSTS = ("vm.tiktok.com", "vt.tiktok.com", "www.tiktok.com")


def _bad(what: str, value: Any, valid: str) -> InvalidInputError:
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "...'"
    return InvalidInputError(f"invalid {what} {shown}: {valid}")


def _text(what: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(what, value, "expected text")
    return value.strip()


def check_hashtag(value: Any) -> str:
    tag = _text("hashtag", value).removeprefix("#")
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
    name = name.removeprefix("@")
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
    url = _text("post URL", value)
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").lower()
    long_form = host in _TIKTOK_HOSTS and _POST_PATH.match(parts.path)
    short_form = host in _SHORT_HOSTS and _SHORT_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or not (long_form or short_form):
        raise _bad(
            "post URL",
            value,
            "expected https://www.tiktok.com/@user/video/ID or a vm.tiktok.com link",
        )
    return url


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
            "split the list, or use a collection job, which batches them"
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
            raise _bad(what, value, f"a whole number of {minimum} or more")
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
        raise _bad(param.name, value, "True or False")
    if param.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise _bad(param.name, value, "a whole number")
    if param.check in NUMBER_CHECKS:
        return NUMBER_CHECKS[param.check](value, param.name)
    return CHECKS[param.check](value) if param.check else value


def _check_choice(param: Param, value: Any) -> str:
    text = str(value).strip()
    if isinstance(value, bool) or text not in (param.choices or ()):
        raise _bad(param.name, value, f"one of {', '.join(param.choices or ())}")
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
    if param.type == "ids":
        return ";".join(value)
    if param.type == "bool":
        return str(bool(value))  # the official SDK sends str(True) / str(False)
    return value
