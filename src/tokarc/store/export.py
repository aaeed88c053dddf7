"""Moved to :mod:`tokarc.dataset.export` (exports are a layer above the store): this module
keeps ``tokarc.store.export`` importable for code written before the move. New code imports
``tokarc.dataset.export``."""

from __future__ import annotations

from ..dataset.export import *  # noqa: F403
from ..dataset.export import __all__ as __all__
