"""Limits shared by all workers: a request rate and a daily unit budget, rows in PostgreSQL.

Each worker's client consults them before every attempt (a client *guard*: retries included)
and after it (a *listener*): the guard reserves the call's worst case against the day's budget
and takes the next free request slot, in one ``UPDATE ... RETURNING`` (one round trip), then
waits for the slot; the listener settles the reservation with what the API charged
(``units_charged``), only when that differs. The row lock of the ``UPDATE`` makes workers on
any number of machines take turns. A worker killed between the two leaves its
reservation counted: the budget may be under-spent by one call's worst case, never over-spent.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from ..client import Client
from ..collect import Hooks, OverBudget
from ..store import Store

DEFAULT = "default"

_UPSERT = (
    "INSERT INTO shared_limits (name, rate, budget) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET rate = excluded.rate, budget = excluded.budget"
)
_ENSURE = "INSERT INTO shared_limits (name) VALUES (?) ON CONFLICT (name) DO NOTHING"
# One statement per attempt: the call's worst case out of today's budget (no row returned: no
# room) and the next request slot (``None`` without a rate), under the row lock of the UPDATE.
_TAKE = (
    "UPDATE shared_limits SET "
    "spent = (CASE WHEN day = ? THEN spent ELSE 0 END) + ?, day = ?, "
    "next_at = CASE WHEN rate > 0 THEN GREATEST(next_at, ?) + 1.0 / rate ELSE next_at END "
    "WHERE name = ? "
    "AND (budget IS NULL OR (CASE WHEN day = ? THEN spent ELSE 0 END) + ? <= budget) "
    "RETURNING CASE WHEN rate > 0 THEN next_at - 1.0 / rate END"
)
_LEFT = "SELECT budget, CASE WHEN day = ? THEN spent ELSE 0 END FROM shared_limits WHERE name = ?"
_SETTLE = "UPDATE shared_limits SET spent = spent + ? WHERE name = ? AND day = ?"


def today(now: float) -> str:
    """The UTC day a budget counts in."""
    return dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat()


class SharedLimits:
    """The shared rate and budget named ``name`` in ``store`` (a PostgreSQL store): a
    :class:`~tokarc.collect.Budget` whose reservations also take the next request slot.

    ``SharedLimits(store).configure(rate=5, budget=10_000)`` sets them (``None``: no limit);
    :meth:`attach` makes a client obey them.
    """

    def __init__(
        self, store: Store, name: str = DEFAULT, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.store, self.name, self.clock = store, name, clock
        self._lock = threading.Lock()  # one connection: one statement at a time

    def configure(self, *, rate: float | None, budget: int | None) -> None:
        """Set the rate (requests per second) and the daily budget (units) of every worker."""
        with self._lock, self.store.db.transaction():
            self.store.db.execute(_UPSERT, (self.name, rate, budget))

    def left(self) -> int | None:
        """Units left of today's budget (``None``: no budget)."""
        day = today(self.clock())
        with self._lock:
            rows = self.store.db.query(_LEFT, (day, self.name))
        if not rows or rows[0][0] is None:
            return None
        return int(rows[0][0]) - int(rows[0][1] or 0)

    def take(self, units: int) -> float | None:
        """Reserve ``units`` of today's budget (or raise :class:`OverBudget`) and sleep until
        this worker's turn under the shared request rate: one round trip to the database. The
        unix time the turn began (``None``: no rate set)."""
        day, now = today(self.clock()), time.time()
        with self._lock:  # one statement, which commits itself (autocommit)
            rows = self.store.db.query(_TAKE, (day, units, day, now, self.name, day, units))
        if not rows:
            raise OverBudget(
                f"the shared daily budget has no room for a call of up to {units} units"
            )
        if rows[0][0] is None:
            return None
        slot = float(rows[0][0])
        time.sleep(max(0.0, slot - time.time()))
        return slot

    def reserve(self, worst: int, call: str = "") -> None:
        """:meth:`take` as a :class:`~tokarc.collect.Budget` reserves."""
        self.take(worst)

    def settle(self, reserved: int, charged: int) -> None:
        """Replace a reservation by what was charged."""
        if reserved == charged:
            return
        with self._lock:
            self.store.db.execute(_SETTLE, (charged - reserved, self.name, today(self.clock())))

    def attach(self, client: Client) -> None:
        """Make ``client`` reserve, pace and settle every attempt through these limits."""
        with self._lock, self.store.db.transaction():
            self.store.db.execute(_ENSURE, (self.name,))  # no row yet: no limits
        hooks = Hooks(self)
        client.add_guard(hooks.guard)
        client.add_listener(hooks.listener)
