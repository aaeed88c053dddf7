"""Names of a package loaded when first used (PEP 562), for parts that are slow to import.

Every store imports each package's migration set, so a package whose ``__init__`` imported its
heavy parts (procrastinate, the report's charts) would make every command pay for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name of ``where`` is imported from its
    module (``"._queue"``, relative to ``package``) when first asked for."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(where[name], package), name)

    return __getattr__
