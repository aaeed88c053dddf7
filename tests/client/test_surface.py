"""The public surface: explicit, and every table entry reachable as a typed method."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import tokarc
from tokarc.api import endpoints as E
from tokarc.client._methods import (
    AsyncTiktokMethods,
    CustomerMethods,
    SyncTiktokMethods,
    TiktokMethods,
)

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_PUBLIC = {
    "APIError",
    "AsyncClient",
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
    "SyncPager",
    "AsyncPager",
    "PagerState",
    "Response",
    "RetryPolicy",
    "TokarcError",
    "TransportError",
    "Units",
    "__version__",
    "expand",
}


def test_all_is_the_public_surface() -> None:
    assert set(tokarc.__all__) == EXPECTED_PUBLIC
    for name in tokarc.__all__:
        assert hasattr(tokarc, name), name


def test_import_star_keeps_the_builtin_open() -> None:
    """``tokarc.open`` is public, but not in ``__all__``: ``from tokarc import *`` would shadow
    the builtin ``open``."""
    names: dict[str, object] = {}
    exec("from tokarc import *", names)
    assert "open" not in names
    assert callable(tokarc.open)


@pytest.mark.parametrize("endpoint", E.ENDPOINTS, ids=lambda e: e.name)
def test_every_endpoint_is_a_method_with_its_params(endpoint: E.Endpoint) -> None:
    cls = TiktokMethods if endpoint.group == "tiktok" else CustomerMethods
    method = getattr(cls, endpoint.name)
    names = set(inspect.signature(method).parameters) - {"self", "extra_params", "timeout"}
    assert names == {p.name for p in endpoint.params}
    assert endpoint.summary in (method.__doc__ or "")


@pytest.mark.parametrize("endpoint", [e for e in E.ENDPOINTS if e.iterator], ids=lambda e: e.name)
def test_every_cursor_endpoint_has_an_iterator(endpoint: E.Endpoint) -> None:
    assert endpoint.iterator
    for methods in (SyncTiktokMethods, AsyncTiktokMethods):  # the same paginators for both
        method = getattr(methods, endpoint.iterator)
        params = set(inspect.signature(method).parameters)
        assert {"max_items", "state"} <= params
        assert "cursor" not in params
        assert ("since" in params) == (endpoint.record == "post")


def test_sdk_tiktok_methods_all_exist() -> None:
    from ensembledata.api._client import TiktokEndpoints

    official = {n for n, _ in inspect.getmembers(TiktokEndpoints, inspect.isfunction)}
    official.discard("__init__")
    assert official <= set(dir(TiktokMethods))


def test_sdk_keyword_arguments_are_accepted() -> None:
    from ensembledata.api._client import TiktokEndpoints

    for name, fn in inspect.getmembers(TiktokEndpoints, inspect.isfunction):
        if name == "__init__":
            continue
        ours = set(inspect.signature(getattr(TiktokMethods, name)).parameters)
        assert set(inspect.signature(fn).parameters) <= ours, name


@pytest.mark.slow
def test_generated_methods_are_current() -> None:
    script = ROOT / "scripts" / "generate_methods.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True)
    assert result.returncode == 0, result.stdout.decode()


def test_package_is_typed() -> None:
    assert (Path(tokarc.__file__).parent / "py.typed").exists()


def test_sdk_constructor_arguments() -> None:
    with tokarc.EDClient("t", timeout=5, max_network_retries=2) as client:
        assert (client.config.timeout, client.config.retry.attempts) == (5, 2)
    client = tokarc.EDAsyncClient("t")
    assert isinstance(client, tokarc.AsyncClient)
    assert client.config.retry == tokarc.RetryPolicy()


def test_the_clients_spell_out_their_keyword_arguments() -> None:
    import inspect

    expected = [
        "token", "base_url", "transport", "timeout", "retry", "max_concurrency",
        "requests_per_second",
    ]  # fmt: skip
    for cls in (tokarc.Client, tokarc.AsyncClient):
        params = inspect.signature(cls).parameters
        assert list(params) == expected, cls
        assert all(p.kind is not p.VAR_KEYWORD for p in params.values())
        assert "requests_per_second" in (cls.__doc__ or "") or "requests_per_second" in (
            tokarc.Client.__doc__ or ""
        )
