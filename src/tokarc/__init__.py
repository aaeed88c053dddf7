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
from .client import AsyncClient, CallEvent, Client, Config, RetryPolicy, Units
from .client._wire import Response, prepare_unchecked
from .client.pagination import AsyncPager, Page, Pager, PagerState, SyncPager
from .collect import expand

if TYPE_CHECKING:
    from .analysis import Archive, Frames
from .errors import (
    APIError,
    EDError,
    InvalidInputError,
    MissingTokenError,
    TokarcError,
    TransportError,
)


class _SDKDropIn:
    """The official SDK's constructor, ``(token, *, timeout=600, max_network_retries=3)``, and
    its answers to bad input.

    The drop-in sends each endpoint method's arguments as given, unchecked, as the SDK does, so
    what the API refuses raises :class:`EDError` with the API's own ``status_code``, ``detail``
    and ``units_charged`` (``user_info_from_username(username="x" * 40)``: 463, as with the
    SDK). Code written against the SDK branches on those codes, so the drop-in does not guess
    them. tokarc's own :class:`Client` keeps local validation: input it can reject is rejected
    before any request (:class:`InvalidInputError`, with the code the API would answer), so it
    costs no units. tokarc's extras on the drop-in (``iter_*`` paginators) check as ``Client``.
    """

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

    _build = staticmethod(prepare_unchecked)


class EDClient(_SDKDropIn, Client):
    """Drop-in for the official ``ensembledata.api.EDClient``: ``EDClient(token)``; bad input
    is sent and answered by the API, as with the SDK (see :class:`_SDKDropIn`)."""


class EDAsyncClient(_SDKDropIn, AsyncClient):
    """Drop-in for the official ``ensembledata.api.EDAsyncClient`` (see :class:`_SDKDropIn`)."""


EDResponse = Response


def open(target: str | os.PathLike[str], *, frames: Frames = "pandas") -> Archive:
    """An archive (a SQLite path or a ``postgresql://`` URL) as data frames: ``.posts()``,
    ``.users()``, ``.comments()``, ``.stats()``, ``.sql(...)`` (see ``docs/analysis.md``).

    Example: ``with tokarc.open("magic.db") as a: df = a.posts(source="hashtag:magic")``
    """
    from .analysis import open_archive

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
]  # tokarc.open is public too, but left out of __all__: `import *` would shadow the builtin
