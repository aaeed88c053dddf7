"""Files the archive writes (data packages, networks): whole or not at all.

The data goes to a temporary file in the same directory, is flushed and fsync'ed, and only then
renamed over the target; on any error the temporary file is removed and the target is left as
it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = None
) -> Iterator[IO[Any]]:
    """An open file (``mode`` ``"w"`` or ``"wb"``) whose content replaces ``path`` only when
    the block ends without error."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
