"""SIGTERM and SIGHUP stop a run as Ctrl-C does: at a page boundary, the job interrupted."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

from ._errors import INTERRUPTED, CLIError


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, taken as Ctrl-C is: the run stops, its job is marked interrupted."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


#: The signals that stop a run as Ctrl-C does (exit 128 + the signal's number).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within: SIGTERM and SIGHUP raise :class:`Terminated` (outside the main thread, where
    Python cannot take signals, nothing changes)."""

    def stop(signum: int, frame: object) -> None:
        raise Terminated(signum)

    try:
        previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def stopped(exc: BaseException, hint: str = "") -> CLIError | None:
    """The exit of a run stopped by Ctrl-C (130) or by a signal (128 + its number) at a page
    boundary, with ``hint`` (how to go on); None for any other exception."""
    if isinstance(exc, Terminated):
        name = signal.Signals(exc.signum).name
        return CLIError(f"stopped by {name} at a page boundary{hint}", 128 + exc.signum)
    if isinstance(exc, KeyboardInterrupt):
        return CLIError(f"interrupted at a page boundary{hint}", INTERRUPTED)
    return None
