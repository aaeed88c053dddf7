"""The exceptions tokarc raises, by what a caller catches.

::

    TokarcError
    ├── EDError                  the call was refused (the official SDK's EDError: status_code,
    │   │                        detail, units_charged), by tokarc or by the API:
    │   ├── InvalidInputError    bad input rejected locally, before any request (also ValueError)
    │   └── APIError             the API answered with an error (the tree below)
    ├── MissingTokenError        no token given, in the environment or the config file
    ├── ResumeMismatchError      a saved cursor state whose parameters differ from the call
    ├── SchemaTooNewError        a database written by a newer tokarc (refused, unchanged)
    ├── ReadOnlyStoreError       a database that cannot be written where it is (nothing written)
    ├── TransientError           the database gave up because of another writer (a deadlock,
    │                            a serialization failure, SQLite still locked): run it again
    ├── DecodeError              a record the models cannot use (raw and kind attached)
    ├── TransportError           the request did not get a usable response
    │   ├── ConnectError         the server could not be reached
    │   ├── TimeoutError         no response in time
    │   └── MalformedResponseError   a body that is not the API's JSON
    └── APIError                 the API answered with an error (status_code, detail, units_charged)
        ├── BadRequestError              any 4xx not listed below
        │   ├── NotFoundError            404
        │   ├── ValidationError          422 missing or invalid parameter
        │   ├── RateLimitError           429 (retry_after)
        │   ├── InvalidURLError          462 invalid TikTok URL
        │   ├── InvalidUserError         463
        │   ├── TooManyPostIdsError      464 more than 100 ids
        │   ├── InvalidCountryError      466
        │   ├── TopicRestrictedError     469
        │   ├── UserRestrictedError      471
        │   ├── PrivateUserError         472
        │   ├── UserNotFoundError        473
        │   ├── ProfileUnavailableError  474
        │   ├── InvalidTokenError        491
        │   ├── UnverifiedEmailError     492
        │   ├── SubscriptionExpiredError 493
        │   └── UnitsDepletedError       495
        └── ServerError                  5xx
            ├── InternalServerError      500
            └── PostRestrictedError      520

Status codes map to classes in one table, :data:`STATUS_ERRORS`; :func:`api_error` builds one.
"""

from __future__ import annotations

import builtins
from typing import Any

__all__ = [
    "STATUS_ERRORS",
    "APIError",
    "BadRequestError",
    "ConnectError",
    "DecodeError",
    "EDError",
    "InternalServerError",
    "InvalidCountryError",
    "InvalidInputError",
    "InvalidTokenError",
    "InvalidURLError",
    "InvalidUserError",
    "MalformedResponseError",
    "MissingTokenError",
    "NotFoundError",
    "PostRestrictedError",
    "PrivateUserError",
    "ProfileUnavailableError",
    "RateLimitError",
    "ReadOnlyStoreError",
    "ResumeMismatchError",
    "SchemaTooNewError",
    "ServerError",
    "SubscriptionExpiredError",
    "TimeoutError",
    "TokarcError",
    "TooManyPostIdsError",
    "TopicRestrictedError",
    "TransientError",
    "TransportError",
    "UnitsDepletedError",
    "UnverifiedEmailError",
    "UserNotFoundError",
    "UserRestrictedError",
    "ValidationError",
    "api_error",
]


class TokarcError(Exception):
    """Base of every error tokarc raises."""


class EDError(TokarcError):
    """A refused call, as the official SDK's ``EDError``: ``except EDError`` written for the SDK
    catches the same failures with tokarc, whether the API refused the call (:class:`APIError`)
    or tokarc refused it before sending it (:class:`InvalidInputError`, with the status the API
    would have answered and ``units_charged`` 0).
    """

    status_code: int
    detail: Any
    units_charged: int


class InvalidInputError(EDError, ValueError):
    """Input rejected locally, before any request was sent (so it cost no units).

    ``status_code`` is what the API answers such input with (422, or 462 for a post URL, 463
    for a username, 464 for too many ids, 466 for a country); ``detail`` is the message. The
    drop-ins (``tokarc.EDClient``) never raise it for an endpoint call: they send the input
    and raise the API's answer, as the official SDK does. ``param`` is the
    parameter at fault as the library names it (``max_items``), where one is: the CLI shows
    it as its option (``--max-items``).
    """

    def __init__(
        self, message: str = "", *, status_code: int = 422, param: str | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.units_charged = 0
        self.param = param

    @property
    def detail(self) -> str:
        return str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_invalid_input, (str(self), self.status_code, self.param))


def _invalid_input(message: str, status_code: int, param: str | None = None) -> InvalidInputError:
    return InvalidInputError(message, status_code=status_code, param=param)


class MissingTokenError(TokarcError):
    """No API token: pass one, set TOKARC_TOKEN, or run `tokarc configure`."""


class SchemaTooNewError(TokarcError):
    """The database records a migration this tokarc does not know: a newer tokarc wrote it."""


class ReadOnlyStoreError(TokarcError):
    """A store that cannot be written where it is: a read-only file system, file or folder
    (SQLite writes ``-wal`` and ``-shm`` files beside the database), or a store opened
    read-only. Refused before anything was written; commands that only read it still work."""


class TransientError(TokarcError):
    """The database gave up a statement or transaction because of another writer: a
    PostgreSQL deadlock (40P01) or serialization failure (40001), or SQLite still locked
    after its busy timeout. Nothing of the transaction was written; running it again may
    succeed. The driver's own exception is ``__cause__``."""


class ResumeMismatchError(TokarcError, ValueError):
    """A saved pagination state was made for another endpoint or other parameters."""


class DecodeError(TokarcError, ValueError):
    """An item is not a usable record (not an object, no id); ``raw`` is the item."""

    def __init__(self, message: str, *, raw: Any, kind: str) -> None:
        super().__init__(message)
        self.raw = raw
        self.kind = kind


class TransportError(TokarcError):
    """The request got no usable response (after retries)."""


class ConnectError(TransportError):
    """The server could not be reached."""


class TimeoutError(TransportError, builtins.TimeoutError):
    """The server did not answer in time."""


class MalformedResponseError(TransportError):
    """The server answered with something that is not the API's JSON envelope."""

    def __init__(self, message: str, *, status_code: int = 0, units_charged: int = 0) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.units_charged = units_charged


class APIError(EDError):
    """The API answered with an error.

    Like the official SDK's ``EDError``: ``status_code``, ``detail`` (the server's explanation)
    and ``units_charged`` (what the failed call cost).
    """

    default_message = "the API returned an error"
    #: Why, in a word or two, for a job's one-line summary ("failed: private (472)").
    reason = "refused"

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        units_charged: int = 0,
        *,
        endpoint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.detail = detail
        self.units_charged = units_charged
        self.endpoint = endpoint
        self.retry_after = retry_after
        super().__init__(self._message())

    def _message(self) -> str:
        where = f" ({self.endpoint})" if self.endpoint else ""
        detail = _detail_text(self.detail)
        text = f"{self.default_message}{where}: {detail}" if detail else self.default_message
        return f"{text} [HTTP {self.status_code}]"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.status_code, self.detail, self.units_charged))


def _detail_text(detail: Any) -> str:
    """One line from a `detail`, which FastAPI makes a list of {loc, msg} for 422s."""
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", []) if x != "query")
                parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return "" if detail is None else " ".join(str(detail).split())


class BadRequestError(APIError):
    default_message = "the request was refused"


class ServerError(APIError):
    default_message = "the API had a server error"


class NotFoundError(BadRequestError):
    default_message = "not found"


class ValidationError(BadRequestError):
    default_message = "a parameter is missing or invalid"


class RateLimitError(BadRequestError):
    default_message = "rate limit exceeded; slow down"


class InvalidURLError(BadRequestError):
    default_message = "invalid TikTok post URL"
    reason = "invalid URL"


class InvalidUserError(BadRequestError):
    default_message = "invalid user"
    reason = "invalid user"


class TooManyPostIdsError(BadRequestError):
    default_message = "too many post ids (at most 100 per call)"


class InvalidCountryError(BadRequestError):
    default_message = "invalid country code"


class TopicRestrictedError(BadRequestError):
    default_message = "TikTok restricts this topic"
    reason = "restricted"


class UserRestrictedError(BadRequestError):
    default_message = "TikTok restricts this user"
    reason = "restricted"


class PrivateUserError(BadRequestError):
    default_message = "this account is private"
    reason = "private"


class UserNotFoundError(BadRequestError):
    default_message = "user not found"
    reason = "not found"


class ProfileUnavailableError(BadRequestError):
    default_message = "this profile is unavailable"
    reason = "unavailable"


class InvalidTokenError(BadRequestError):
    default_message = "the API token is invalid"


class UnverifiedEmailError(BadRequestError):
    default_message = "verify the account's email address before using the API"


class SubscriptionExpiredError(BadRequestError):
    default_message = "the subscription has expired"


class UnitsDepletedError(BadRequestError):
    default_message = "no units left for today"


class InternalServerError(ServerError):
    default_message = "the API had an internal error"


class PostRestrictedError(ServerError):
    default_message = "TikTok restricts this post"
    reason = "restricted"


STATUS_ERRORS: dict[int, type[APIError]] = {
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitError,
    462: InvalidURLError,
    463: InvalidUserError,
    464: TooManyPostIdsError,
    466: InvalidCountryError,
    469: TopicRestrictedError,
    471: UserRestrictedError,
    472: PrivateUserError,
    473: UserNotFoundError,
    474: ProfileUnavailableError,
    491: InvalidTokenError,
    492: UnverifiedEmailError,
    493: SubscriptionExpiredError,
    495: UnitsDepletedError,
    500: InternalServerError,
    520: PostRestrictedError,
}


def error_class(status_code: int) -> type[APIError]:
    """The most specific class for a status code."""
    if status_code in STATUS_ERRORS:
        return STATUS_ERRORS[status_code]
    return ServerError if status_code >= 500 else BadRequestError


def api_error(
    status_code: int,
    detail: Any = None,
    units_charged: int = 0,
    *,
    endpoint: str | None = None,
    retry_after: float | None = None,
) -> APIError:
    """Build the exception for an error response."""
    cls = error_class(status_code)
    return cls(status_code, detail, units_charged, endpoint=endpoint, retry_after=retry_after)
