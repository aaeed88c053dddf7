"""tokarc: collect, archive and monitor TikTok data through the EnsembleData API.

::

    import tokarc

    with tokarc.Client("TOKEN") as client:               # or TOKARC_TOKEN in the environment
        for post in client.tiktok.iter_hashtag_posts("magic", max_items=100):
            print(post.aweme_id, post.play_count)
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .client._client import AsyncClient, CallEvent, Client, Units
from .client._config import Config
from .client._retry import RetryPolicy
from .client._wire import Response
from .client.pagination import AsyncPager, Page, Pager, PagerState, SyncPager
from .collect._expand import expand

if TYPE_CHECKING:
    from .store._open import Archive, Frames
from .errors import (
    APIError,
    EDError,
    InvalidInputError,
    MissingTokenError,
    TokarcError,
    TransportError,
)


class _SDKArguments:
    """The official SDK's constructor: ``(token, *, timeout=600, max_network_retries=3)``."""

    def __init__(
        self,
        token: str | None = None,
        *,
        timeout: float | None = None,
        max_network_retries: int | None = None,
        **options: Any,
    ) -> None:
        if timeout is not None:
            options["timeout"] = timeout
        if max_network_retries is not None:
            options["retry"] = RetryPolicy(attempts=max_network_retries)
        super().__init__(token, **options)  # type: ignore[call-arg]


class EDClient(_SDKArguments, Client):
    """Drop-in for the official ``ensembledata.api.EDClient``: ``EDClient(token)``."""


class EDAsyncClient(_SDKArguments, AsyncClient):
    """Drop-in for the official ``ensembledata.api.EDAsyncClient``."""


EDResponse = Response


def open(target: str | os.PathLike[str], *, frames: Frames = "pandas") -> Archive:
    """An archive (a SQLite path or a ``postgresql://`` URL) as data frames: ``.posts()``,
    ``.users()``, ``.comments()``, ``.stats()``, ``.sql(...)`` (see ``docs/analysis.md``).

    Example: ``with tokarc.open("magic.db") as a: df = a.posts(source="hashtag:magic")``
    """
    from .store._open import open_archive

    return open_archive(target, frames=frames)


__all__ = [
    "APIError",
    "AsyncClient",
    "AsyncPager",
    "CallEvent",
    "Client",
    "Config",
    "EDAsyncClient",
    "EDClient",
    "EDError",
    "EDResponse",
    "InvalidInputError",
    "MissingTokenError",
    "Page",
    "Pager",
    "PagerState",
    "Response",
    "RetryPolicy",
    "SyncPager",
    "TokarcError",
    "TransportError",
    "Units",
    "__version__",
    "expand",
    "open",
]
