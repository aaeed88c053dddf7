"""Errors as one readable line on stderr, and the exit code each one means.

Exit codes: 0 success; 1 the run failed (the API or the network, after retries: what was
stored stays stored); 2 bad usage or input (nothing was sent); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import errno
import re
import sys
import traceback
from collections.abc import Sequence

from typer._click.exceptions import ClickException

from .. import errors as E
from ..store import redact
from ._text import safe

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130


class CLIError(Exception):
    """An error the CLI reports as it is: ``message`` on stderr, exit ``code``."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code


# Plain messages for the API answers a user meets, by class (most specific first).
_API_MESSAGES: tuple[tuple[type[E.APIError], str], ...] = (
    (
        E.UnitsDepletedError,
        "no API units left for today (HTTP 495): wait for the daily reset, see `tokarc usage`",
    ),
    (
        E.SubscriptionExpiredError,
        "the EnsembleData subscription has expired (HTTP 493): renew it "
        "at https://dashboard.ensembledata.com",
    ),
    (
        E.InvalidTokenError,
        "the API token was refused (HTTP 491): check it, then set it with "
        "`tokarc configure` or TOKARC_TOKEN",
    ),
    (E.UnverifiedEmailError, "the account's email address is not verified (HTTP 492)"),
    (E.PrivateUserError, "this account is private (HTTP 472)"),
    (E.UserNotFoundError, "user not found (HTTP 473): check the username"),
    (E.UserRestrictedError, "TikTok restricts this user (HTTP 471)"),
    (E.ProfileUnavailableError, "this profile is unavailable (HTTP 474)"),
    (E.InvalidUserError, "invalid user (HTTP 463)"),
    (E.TopicRestrictedError, "TikTok restricts this topic (HTTP 469)"),
    (E.PostRestrictedError, "TikTok restricts this post (HTTP 520)"),
    (E.InvalidURLError, "invalid TikTok post URL (HTTP 462)"),
    (
        E.RateLimitError,
        "rate limited by the API (HTTP 429), still after retries: wait a little and run again",
    ),
    (E.ServerError, "the API kept failing with a server error, still after retries"),
)


def api_message(exc: E.APIError) -> str:
    """The plain message for an API error, with the server's detail when it adds something."""
    for cls, message in _API_MESSAGES:
        if isinstance(exc, cls):
            return message
    return str(exc)


def describe(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for ``exc``."""
    if isinstance(exc, CLIError):
        return exc.code, str(exc)
    if isinstance(exc, E.MissingTokenError):
        return USAGE, str(exc)
    if isinstance(exc, E.InvalidInputError):
        return USAGE, as_typed(str(exc), (exc.param,) if exc.param else ())
    if isinstance(exc, E.ResumeMismatchError | E.SchemaTooNewError):
        return USAGE, str(exc)
    if isinstance(exc, E.ReadOnlyStoreError):
        return USAGE, _one_line(exc)
    if isinstance(exc, E.APIError):
        return FAILED, api_message(exc)
    if isinstance(exc, E.ConnectError):
        return FAILED, f"cannot reach the API: {_one_line(exc)} (is --base-url right?)"
    if isinstance(exc, E.TimeoutError):
        return FAILED, f"the API did not answer in time, still after retries: {_one_line(exc)}"
    if isinstance(exc, E.MalformedResponseError):
        return FAILED, f"the API sent a broken response, still after retries: {_one_line(exc)}"
    if isinstance(exc, E.TokarcError):
        return FAILED, _one_line(exc)
    if isinstance(exc, ImportError):
        return USAGE, f"a missing package: {_one_line(exc)}"
    if isinstance(exc, OSError):
        return USAGE if exc.errno in _UNWRITABLE else FAILED, _os_line(exc)
    return FAILED, f"unexpected error: {type(exc).__name__}: {_one_line(exc)}"


# A file or folder the command was told to write that cannot be: bad input, not a failed run.
_UNWRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def _os_line(exc: OSError) -> str:
    """``cannot write out.csv: Read-only file system``, without Python's ``[Errno 30]``."""
    if exc.strerror and exc.filename is None:
        return _one_line_text(exc.strerror)
    return _one_line(exc)


def option(param: str) -> str:
    """The option a library parameter is given by on the command line: ``--max-items``."""
    return "--" + param.replace("_", "-")


def as_typed(text: str, params: Sequence[str]) -> str:
    """``text`` with the library's name of each of ``params`` (``max_items``), where it first
    appears, as users type it on the command line (``--max-items``)."""
    for param in params:
        text = re.sub(rf"(?<![-\w]){re.escape(param)}(?!\w)", option(param), text, count=1)
    return text


def report(exc: BaseException, *, verbose: bool) -> int:
    """Print ``exc`` as one line on stderr (and its traceback with --verbose); its exit code."""
    code, message = describe(exc)
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    print(f"tokarc: error: {safe(redact(message))}", file=sys.stderr)
    return code


def usage_line(exc: ClickException) -> str:
    """Click's usage error as one line, naming the command and where help is."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "tokarc"
    message = safe(redact(_one_line_text(exc.format_message())))
    return f"{where}: error: {message} (see '{where} --help')"


def _one_line(exc: BaseException) -> str:
    return _one_line_text(str(exc)) or type(exc).__name__


def _one_line_text(text: str) -> str:
    return " ".join(text.split())
