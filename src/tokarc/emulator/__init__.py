"""A faithful offline EnsembleData TikTok API over a deterministic, lazily generated world.

>>> from tokarc.emulator import Emulator, serve_in_thread
>>> emu = Emulator(seed=0)            # a pure handler; emu.transport() for httpx
>>> with serve_in_thread(emu) as base_url:  # doctest: +SKIP
...     ...                           # base_url == "http://127.0.0.1:PORT/apis"

See ``docs/emulator.md`` for the world, the options and the control routes.
"""

from ._app import API_PREFIX, Emulator, EmulatorSettings, Reply
from ._clock import DEFAULT_NOW, WorldClock
from ._faults import FaultSettings
from ._server import serve_in_thread
from ._stats import Stats

__all__ = [
    "API_PREFIX",
    "DEFAULT_NOW",
    "Emulator",
    "EmulatorSettings",
    "FaultSettings",
    "Reply",
    "Stats",
    "WorldClock",
    "serve_in_thread",
]
