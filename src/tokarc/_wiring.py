"""Where the packages meet: the one list of every package's migration sets, and the store as
the CLI opens it.

The store names nothing above it; each package declares the sets it keeps its tables in
(``tokarc.collect.MIGRATIONS`` ...) and ensures them when handed a store. This module,
at the top, lists them all, so that a command opens a database once with every table it may
touch, and a read-only database can be checked for what it lacks before anything runs.
"""

from __future__ import annotations

import os

from .collect import MIGRATIONS as COLLECT
from .media import MIGRATIONS as MEDIA
from .monitor import MIGRATIONS as MONITOR
from .store import MIGRATIONS as STORE
from .store import MigrationSet, Store
from .store import open_reader as _open_reader
from .store import open_store as _open_store
from .workers._schema import MIGRATIONS as WORKERS

#: Every migration set, in the order a new database gets them (each once).
MIGRATIONS: tuple[MigrationSet, ...] = tuple(
    dict.fromkeys((*STORE, *COLLECT, *MONITOR, *MEDIA, *WORKERS))
)


def open_store(target: str | os.PathLike[str], *, read_only: bool = False) -> Store:
    """:func:`tokarc.store.open_store` with every package's tables."""
    return _open_store(target, read_only=read_only, migrations=MIGRATIONS)


def open_reader(target: str | os.PathLike[str]) -> Store:
    """:func:`tokarc.store.open_reader` with every package's tables."""
    return _open_reader(target, migrations=MIGRATIONS)
