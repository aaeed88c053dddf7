"""The layout keeps its layers: no package imports one above it (``scripts/layout.py`` reads
every import, those inside functions and modules named in strings included)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "layout.py"


def _layout() -> ModuleType:
    spec = importlib.util.spec_from_file_location("layout", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_no_package_imports_one_above_it() -> None:
    layout = _layout()
    edges = layout.imports(layout.modules())
    up = layout.upward(edges)
    assert [e for e in up if e not in layout.ALIASES] == []
    assert set(up) == layout.ALIASES  # the old import paths, kept on purpose, and only they


@pytest.mark.slow
def test_the_store_names_no_migration_set_above_it() -> None:
    """The store applies the sets it is given; only the wiring lists them all."""
    layout = _layout()
    edges = layout.imports(layout.modules())
    named = {b for a, b, _ in edges if a.startswith("tokarc.store")}
    # (client: the page log decodes a logged response as the client decoded it)
    assert {b.split(".")[1] for b in named} <= {"store", "errors", "_version", "_closing",
                                                "_files", "_time", "models", "status", "api",
                                                "dataset", "client"}  # fmt: skip
    wired = {b.split(".")[1] for a, b, _ in edges if a == "tokarc._wiring"}
    assert {"collect", "monitor", "media", "workers"} <= wired
