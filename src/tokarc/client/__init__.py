"""The client: wire protocol (pure), transports, retry, validation, config, the generated
endpoint methods, pagination, and the ``Client`` / ``AsyncClient`` shells that do the I/O."""

from ._client import AsyncClient, CallEvent, Client, Units
from ._config import Config
from ._retry import RetryPolicy
from ._wire import Response
from .pagination import AsyncPager, Page, Pager, PagerState, SyncPager

__all__ = [
    "AsyncClient",
    "AsyncPager",
    "CallEvent",
    "Client",
    "Config",
    "Page",
    "Pager",
    "PagerState",
    "Response",
    "RetryPolicy",
    "SyncPager",
    "Units",
]
