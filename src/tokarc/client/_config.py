"""Configuration: one frozen value, and where the token and base URL come from."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._files import atomic_file
from .._version import __version__
from ..errors import InvalidInputError, MissingTokenError
from . import constants as C
from ._retry import RetryPolicy

USER_AGENT = f"tokarc/{__version__}"


@dataclass(frozen=True)
class Config:
    """Everything a client is configured with, but the token (which is kept apart)."""

    base_url: str = C.DEFAULT_BASE_URL
    timeout: float = C.DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_concurrency: int = C.DEFAULT_MAX_CONCURRENCY
    requests_per_second: float | None = None
    user_agent: str = USER_AGENT


def config_path() -> Path:
    """The config file: $TOKARC_CONFIG, else $XDG_CONFIG_HOME/tokarc/config.toml."""
    if os.environ.get(C.ENV_CONFIG):
        return Path(os.environ[C.ENV_CONFIG]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "tokarc" / "config.toml"


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """The config file's settings; empty when there is none or it cannot be read."""
    try:
        with (path or config_path()).open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def write_config_file(settings: dict[str, str], path: Path | None = None) -> Path:
    """Write string settings to the config file, readable by its owner only."""
    target = path or config_path()
    _private_folder(target.parent)
    body = "".join(f"{key} = {_toml_string(value)}\n" for key, value in settings.items())
    with atomic_file(target, "w", encoding="utf-8", permissions=_OWNER_ONLY) as fh:
        fh.write(body)
    target.chmod(_OWNER_ONLY)
    return target


_OWNER_ONLY = stat.S_IRUSR | stat.S_IWUSR


def _private_folder(folder: Path) -> None:
    """Create the config folder (and its missing parents) readable by its owner only."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for p in reversed(missing):
        p.mkdir(mode=stat.S_IRWXU, exist_ok=True)
        p.chmod(stat.S_IRWXU)  # whatever the umask


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def resolve_token(token: str | None) -> str:
    """The token: the argument, else $TOKARC_TOKEN, $ENSEMBLEDATA_TOKEN, the config file."""
    for candidate in (
        token,
        os.environ.get(C.ENV_TOKEN),
        os.environ.get(C.ENV_TOKEN_FALLBACK),
        read_config_file().get("token"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    raise MissingTokenError(
        "no API token: pass one, set TOKARC_TOKEN, or run `tokarc configure` "
        "(or use the emulator: `tokarc --sandbox ...`)"
    )


@dataclass(frozen=True)
class SpendingCap:
    """What a run may spend (``units``; None: no cap) and where that came from."""

    units: int | None
    source: str  # "--max-units", TOKARC_MAX_UNITS, the config file, or "default"

    @property
    def is_default(self) -> bool:
        return self.source == DEFAULT_CAP


DEFAULT_CAP = "default"


def parse_max_units(text: str, where: str = "--max-units") -> int | None:
    """A cap as typed: a whole number of 1 or more, or ``none`` (InvalidInputError else)."""
    value = text.strip()
    if value.lower() == "none":
        return None
    if not value.isdigit() or int(value) < 1:
        raise InvalidInputError(
            f"invalid {where} {text}: a whole number of 1 or more, or none for no cap",
            param="max_units",
        )
    return int(value)


def resolve_max_units(given: str | None) -> SpendingCap:
    """The cap: ``given`` (--max-units), else $TOKARC_MAX_UNITS, the config file's
    ``max_units``, else the default of ``DEFAULT_MAX_UNITS``."""
    sources = (
        ("--max-units", given),
        (C.ENV_MAX_UNITS, os.environ.get(C.ENV_MAX_UNITS)),
        (f"max_units in {config_path()}", read_config_file().get("max_units")),
    )
    for where, value in sources:
        if value is not None and str(value).strip():
            return SpendingCap(parse_max_units(str(value), where), where)
    return SpendingCap(C.DEFAULT_MAX_UNITS, DEFAULT_CAP)


def resolve_base_url(base_url: str | None) -> str:
    """The base URL: the argument, else $TOKARC_BASE_URL, else the public API; an http(s)
    URL with a host (InvalidInputError otherwise: nothing is sent)."""
    url = (base_url or os.environ.get(C.ENV_BASE_URL) or C.DEFAULT_BASE_URL).strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises ValueError
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            f"invalid base URL {url!r}: an http:// or https:// URL, like {C.DEFAULT_BASE_URL}"
        )
    return url.rstrip("/")
