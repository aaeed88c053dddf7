"""``with thing:`` for anything with a ``close()``: the one context-manager shape."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """``with x: ...`` closes ``x`` at the end of the block (``close()`` is the subclass's)."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
