"""Configuration: one frozen value, and where the token and base URL come from."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import MissingTokenError
from . import _constants as C
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
    target.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{key} = {_toml_string(value)}\n" for key, value in settings.items())
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    target.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return target


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


def resolve_base_url(base_url: str | None) -> str:
    """The base URL: the argument, else $TOKARC_BASE_URL, else the public API."""
    url = base_url or os.environ.get(C.ENV_BASE_URL) or C.DEFAULT_BASE_URL
    return url.rstrip("/")
