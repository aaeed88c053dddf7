"""Group commit: runs that share a store commit the pages waiting at once, in one transaction.

Runs in many threads (many targets at once) each hand their page to :class:`Committer` and
wait until it is committed. Whichever run takes the writer's lock first commits every page
waiting then, its own and the others', in one transaction: each page still commits with its
own checkpoint and its run's lease, and none is reported before it is durable; a database
commits a few large transactions faster than many small ones (index pages written once, one
WAL sync), which is where a many-targets run spends its time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..store import Batch, PageResult, Store
from ._lease import Lease, LeaseLostError


@dataclass
class _Pages:
    """One run's pages, waiting to be committed."""

    lease: Lease
    batches: Sequence[Batch]
    results: list[PageResult] = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False


class Committer:
    """Commits pages for the runs sharing ``store``, grouped (see the module docstring).

    Whoever holds ``_writing`` commits for all waiting; ``_queue`` guards the list of them.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._writing = threading.Lock()
        self._waiting: list[_Pages] = []
        self._queue = threading.Lock()

    def commit(self, lease: Lease, batches: Sequence[Batch]) -> list[PageResult]:
        """Commit ``batches`` with ``lease`` renewed; their results once durable. Raises what
        the commit raised (LeaseLostError when this run's lease was taken)."""
        mine = _Pages(lease, batches)
        with self._queue:
            self._waiting.append(mine)
        with self._writing:
            if not mine.done:
                with self._queue:
                    group, self._waiting = self._waiting, []
                self._write(group)
        if mine.error is not None:
            raise mine.error
        return mine.results

    def _write(self, group: list[_Pages]) -> None:
        try:
            with self.store.db.transaction():
                live = [p for p in group if _renewed(p)]
                # Deferred: each page commits as its log row and checkpoint, the tables are
                # derived behind, in batches (Store.save_pages), and before the run returns.
                results = self.store.save_pages([b for p in live for b in p.batches], defer=True)
        except BaseException as exc:  # nothing of the group committed: each run is told
            for pages in group:
                pages.error, pages.done = pages.error or exc, True
            raise
        at = 0
        for pages in live:
            pages.results, at = results[at : at + len(pages.batches)], at + len(pages.batches)
        for pages in group:
            pages.done = True


def _renewed(pages: _Pages) -> bool:
    """Renew the run's lease in the group's transaction; a run that lost it is left out (any
    other error ends the whole group's transaction, and every run is told)."""
    try:
        pages.lease.renew()
    except LeaseLostError as exc:
        pages.error = exc
        return False
    return True
