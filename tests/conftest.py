"""Shared fixtures: an in-process emulator, and one served over HTTP by uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tokarc.emulator import Emulator, serve_in_thread


@dataclass(frozen=True)
class LiveEmulator:
    """An emulator served by uvicorn in a thread: ``base_url`` ends with ``/apis``."""

    emulator: Emulator
    base_url: str

    @property
    def control_url(self) -> str:
        """Where the ``/_emulator/`` control routes are."""
        return self.base_url.removesuffix("/apis") + "/_emulator"


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator of the default world (seed 0, default clock, no faults)."""
    return Emulator(seed=0)


@pytest.fixture
def live_emulator(emulator: Emulator) -> Iterator[LiveEmulator]:
    """The ``emulator`` fixture served over HTTP on a free 127.0.0.1 port."""
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        yield LiveEmulator(emulator, base_url)
