"""Where a store lives, checked before anything is opened, and shown without its password.

:class:`DatabaseTarget` is the seam for database passwords, as ``TokenTransport`` is for the
API token: its text (what ``str``, ``repr``, f-strings, tables, hints and errors see) reads
``postgresql://user:***@host/db``; only :meth:`DatabaseTarget.reveal`, called where the
connection is made, gives the URL with its password. :func:`redact` hides passwords in any
text (a driver's error message, say).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InvalidInputError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

# user:PASSWORD@ in a URL, and password=... in a query string or a libpq "key=value" string.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@?#]*:)([^\s@/?#]*)(@)")
_PASSWORD_PARAM = re.compile(r"(?i)(\bpassword\s*=\s*)('[^']*'|[^\s&']*)")
MASK = "***"


def redact(text: str) -> str:
    """``text`` with every URL password and ``password=`` value replaced by ``***``."""
    return _PASSWORD_PARAM.sub(rf"\g<1>{MASK}", _USERINFO.sub(rf"\g<1>{MASK}\g<3>", text))


class DatabaseTarget(str):
    """A SQLite path or PostgreSQL URL whose text never shows the password.

    Example::

        db = DatabaseTarget("postgresql://me:s3cret@localhost/tokarc")
        print(db)            # postgresql://me:***@localhost/tokarc
        db.reveal()          # the URL to connect with
    """

    _secret: str

    def __new__(cls, target: str | os.PathLike[str]) -> DatabaseTarget:
        if isinstance(target, DatabaseTarget):
            return target
        text = os.fspath(target)
        shown = super().__new__(cls, redact(text))
        shown._secret = text
        return shown

    def reveal(self) -> str:
        """The path or URL as given, password included: for the driver only."""
        return self._secret

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (str(self),))  # pickled or copied, it stays redacted


def is_postgres_url(target: str | os.PathLike[str]) -> bool:
    """Whether ``target`` names a PostgreSQL database (``postgresql://`` or ``postgres://``)."""
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def sqlite_files(target: str | os.PathLike[str]) -> tuple[str, ...]:
    """The files a SQLite store at ``target`` uses: the database and its -wal, -shm and
    -journal; none for PostgreSQL or ``:memory:``."""
    text = os.fspath(target)
    if is_postgres_url(text) or text == ":memory:":
        return ()
    return (text, *(text + suffix for suffix in SQLITE_SIDE_FILES))


def check_target(target: str | os.PathLike[str]) -> None:
    """InvalidInputError, with its reason, for a store that cannot be opened as given: a
    malformed PostgreSQL URL; a SQLite path in a folder that does not exist, naming a folder,
    or naming a file that is not a SQLite database. Nothing is created."""
    text = os.fspath(target)
    if is_postgres_url(text):
        _check_postgres_url(DatabaseTarget(text))
    elif text != ":memory:":
        _check_sqlite_path(Path(text))


def _bad(target: str | Path, reason: str) -> InvalidInputError:
    return InvalidInputError(f"invalid database {redact(os.fspath(target))!r}: {reason}")


def _check_sqlite_path(path: Path) -> None:
    if path.is_dir():
        raise _bad(path, "it is a folder; give a database file inside it, e.g. tokarc.db")
    folder = path.expanduser().absolute().parent
    if not folder.is_dir():
        raise _bad(path, f"no folder {str(folder)!r} (create it first)")
    if path.exists() and path.stat().st_size > 0:
        try:
            with path.open("rb") as fh:
                head = fh.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise _bad(path, f"cannot be read: {exc.strerror or exc}") from None
        if head != SQLITE_MAGIC:
            raise _bad(path, "the file is not a SQLite database")


def _check_postgres_url(url: DatabaseTarget) -> None:
    """The URL's shape, by libpq's own parser when psycopg is installed."""
    try:
        parts = urlsplit(url.reveal())
        port = parts.port  # ValueError for a port that is not a number in range
    except ValueError as exc:
        raise _bad(url, f"a malformed PostgreSQL URL ({redact(str(exc))})") from None
    if parts.path.count("/") > 1 or (port is None and parts.netloc.endswith(":")):
        raise _bad(url, "a malformed PostgreSQL URL: expected postgresql://USER@HOST:PORT/DB")
    try:
        from psycopg.conninfo import conninfo_to_dict
    except ImportError:
        return
    try:
        conninfo_to_dict(url.reveal())
    except Exception as exc:  # psycopg.ProgrammingError: libpq could not parse it
        reason = " ".join(redact(str(exc)).split())
        raise _bad(url, f"a malformed PostgreSQL URL ({reason})") from None
