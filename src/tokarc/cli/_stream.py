"""A reader of stdout that goes away (``| head``): the rest of the run writes nowhere.

Records go to stdout page by page through the library (:class:`tokarc.collect.Stream`).
"""

from __future__ import annotations

import contextlib
import os
import sys

from ..collect import PipeClosed, Stream

__all__ = ["PipeClosed", "Stream", "quiet_stdout"]


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that nothing fails again writing to a closed pipe
    (Python flushes stdout at exit)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
