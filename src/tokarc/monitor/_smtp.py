"""Where e-mail goes: the SMTP server of ``TOKARC_SMTP_URL`` and the addresses it is sent to,
checked before anything is stored or sent (the digests' delivery, ``tokarc.report``, sends).

``TOKARC_SMTP_URL`` is ``smtp://user:password@host:587`` (STARTTLS when the server offers it)
or ``smtps://...:465`` (TLS from the start); ``TOKARC_SMTP_FROM`` the sender (default
``tokarc@localhost``). The password is never printed: errors name the variable or the host.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import InvalidInputError

ENV_SMTP, ENV_FROM = "TOKARC_SMTP_URL", "TOKARC_SMTP_FROM"

# One address, no display name: what a header cannot be tricked by (no spaces, newlines,
# commas, brackets or quotes), a local part, an @ and a host name.
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


@dataclass(frozen=True)
class SMTP:
    host: str
    port: int
    tls: bool  # TLS from the start (smtps)
    user: str | None
    password: str | None
    sender: str

    def __repr__(self) -> str:
        return f"SMTP(host={self.host!r}, port={self.port}, tls={self.tls})"


def smtp_settings() -> SMTP:
    """The SMTP server of ``TOKARC_SMTP_URL`` (InvalidInputError, naming no password, when it
    is missing or malformed)."""
    url = os.environ.get(ENV_SMTP, "")
    if not url:
        raise InvalidInputError(f"--email needs {ENV_SMTP}, like smtp://user:password@host:587")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise InvalidInputError(f"invalid {ENV_SMTP}: smtp://host:port or smtps://host:port")
    tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if tls else 587)
    except ValueError:
        raise InvalidInputError(f"invalid {ENV_SMTP}: a bad port") from None
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    sender = os.environ.get(ENV_FROM, "tokarc@localhost")
    return SMTP(parts.hostname, port, tls, user, password, sender)


def check_email(address: str) -> str:
    """``address`` (stripped) if it is one plain address like ``desk@example.org``;
    InvalidInputError else."""
    text = address.strip()
    if not _ADDRESS.fullmatch(text):
        shown = " ".join(text.split())[:80]
        raise InvalidInputError(f"invalid --email {shown!r}: one address, like desk@example.org")
    return text
