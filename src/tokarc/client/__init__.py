"""The client: wire protocol (pure), transports, retry, validation, config, the generated
endpoint methods, pagination, and the ``Client`` / ``AsyncClient`` shells that do the I/O."""

from ._client import AsyncClient, CallEvent, Client, Units
from ._config import (
    Config,
    SpendingCap,
    config_path,
    parse_max_units,
    read_config_file,
    resolve_max_units,
    write_config_file,
)
from ._retry import RetryPolicy
from ._validate import check_country, check_days, checked_params, post_id
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
    "SpendingCap",
    "SyncPager",
    "Units",
    "check_country",
    "check_days",
    "checked_params",
    "config_path",
    "parse_max_units",
    "post_id",
    "read_config_file",
    "resolve_max_units",
    "write_config_file",
]
