"""Watches: what to follow, how often, how far back, and for how many units a day.

A watch is a row in the ``watches`` table (migration 2). :class:`Watches` reads and writes
them through a store; the scheduler (``_schedule.py``) runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .._time import DAY, parse_duration
from ..errors import InvalidInputError
from ..status import WatchState
from ..store import Backend, Store
from ._rules import parse_rule
from ._schema import MIGRATIONS
from ._smtp import check_email, smtp_settings
from ._specs import WATCH_KINDS, WatchKind, check_target

#: Failed runs in a row, each because the target itself failed (not found, private, ...), after
#: which the scheduler stops retrying a watch (``watch resume`` tries again).
MAX_FAILURES = 3


@dataclass(frozen=True)
class Watch:
    """One watch: ``kind`` and ``target``, run every ``every_s`` seconds over the last
    ``window_s`` seconds, spending at most ``budget`` units a day (``None``: no limit)."""

    id: int
    kind: str
    target: str
    every_s: int
    window_s: int
    budget: int | None
    paused: bool
    job_id: int | None
    created_at: str
    next_due: float
    claimed_by: str | None
    claim_until: float | None
    last_run_at: str | None
    last_status: str | None
    last_message: str | None
    alert_rules: tuple[str, ...] = ()
    webhook: str | None = None
    failures: int = 0
    emails: tuple[str, ...] = ()  # a digest watch's addresses

    @property
    def label(self) -> str:
        """``kind:target``, how messages and the report name a watch."""
        return f"{self.kind}:{self.target}"

    @property
    def spec(self) -> WatchKind:
        return WATCH_KINDS[self.kind]

    @property
    def stopped(self) -> bool:
        """Paused by the scheduler after :data:`MAX_FAILURES` target failures in a row."""
        return self.paused and self.failures >= MAX_FAILURES

    def state(self) -> str:
        """``active``, ``running``, ``paused`` or ``stopped after 3 failures``."""
        if self.stopped:
            return f"stopped after {self.failures} failures"
        if self.paused:
            return WatchState.PAUSED
        return WatchState.RUNNING if self.claimed_by else WatchState.ACTIVE

    def due_text(self, now: float) -> str:
        """When the watch runs next: ``now`` once due, else a UTC time."""
        if self.paused:
            return ""
        if self.next_due <= now:
            return "now"
        return dt.datetime.fromtimestamp(self.next_due, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def public(self) -> dict[str, Any]:
        """The watch as plain data, its webhook shown without its path (a webhook URL's path
        is a secret: whoever has it can post to the channel)."""
        out = dict(self.__dict__)
        out["alert_rules"] = list(self.alert_rules)
        out["emails"] = list(self.emails)
        out["webhook"] = redact_url(self.webhook)
        return out


COLUMNS = tuple(Watch.__dataclass_fields__)
SELECT = f"SELECT {', '.join(COLUMNS)} FROM watches"


def iso(ts: float) -> str:
    """Unix seconds as UTC ISO 8601 (what the store writes)."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()


def day_of(ts: float) -> str:
    """The UTC date of unix time ``ts``: budgets count per day."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).date().isoformat()


def next_midnight(ts: float) -> float:
    """The start of the UTC day after ``ts``."""
    return float((int(ts) // DAY + 1) * DAY)


def redact_url(url: str | None) -> str | None:
    """``https://hooks.slack.com/services/T0/B0/xyz`` → ``https://hooks.slack.com/…``."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"


def check_webhook(url: str) -> str:
    """``url`` if it is an http(s) URL with a host; InvalidInputError else (never echoing it)."""
    try:
        parts = urlsplit(url.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.username
    except ValueError:
        ok = False
    if not ok:
        raise InvalidInputError(
            "invalid --webhook: an http(s) URL with a host, like "
            "https://hooks.slack.com/services/..."
        )
    return url.strip()


def db(store: Store) -> Backend:
    """The store's connection seam (``Store.db``): the monitor's tables are written through it."""
    return store.db


class Watches:
    """The watchlist in a store.

    ::

        with open_store("magic.db") as store:
            Watches(store).add("hashtag", "magic", every="1h", window="7d", budget=200)
    """

    def __init__(self, store: Store) -> None:
        store.ensure(MIGRATIONS)
        self.store = store
        self._db = db(store)

    def add(
        self,
        kind: str,
        target: str,
        *,
        every: str = "1h",
        window: str | None = None,
        budget: int | None = None,
        alerts: Sequence[str] = (),
        webhook: str | None = None,
        emails: Sequence[str] = (),
        now: float | None = None,
    ) -> Watch:
        """Add a watch, due at once (``now``, default the wall clock); InvalidInputError for a
        bad kind, target, interval, window, budget, alert rule, webhook or address, or a watch
        that already exists. ``alerts`` are rules like ``new_posts>50`` (see ``_alerts.py``).
        ``window`` defaults to 7 days, for a digest to ``every`` (a daily digest of the day).

        A ``digest`` watch (target ``all`` or ``hashtag:magic,user:zachking``) sends the digest
        of its sources over its window to ``emails`` (``TOKARC_SMTP_URL`` must be set) and
        ``webhook``, at least one; it makes no request, so it takes no budget and no alerts."""
        window = window or (every if kind == "digest" else "7d")
        row = _checked(kind, target, every, window, budget)
        rules = _rules(alerts)
        hook = check_webhook(webhook) if webhook is not None else None
        addresses = _addresses(emails)
        if kind == "digest" or addresses:
            _check_digest(kind, budget, rules, hook, addresses)
        if self.find(kind, row[1]) is not None:
            raise InvalidInputError(f"already watching {kind}:{row[1]}")
        at = _wall() if now is None else now
        sql = (
            "INSERT INTO watches (kind, target, every_s, window_s, budget, created_at, "
            "next_due, alert_rules, webhook, emails) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id"
        )
        values = (*row, iso(at), at, rules, hook, " ".join(addresses))
        with self._db.transaction():
            new_id = int(self._db.query(sql, values)[0][0])
        return self.get(new_id)

    def edit(
        self,
        watch_id: int,
        *,
        every: str | None = None,
        window: str | None = None,
        budget: int | None = None,
        no_budget: bool = False,
        add_alerts: Sequence[str] = (),
        remove_alerts: Sequence[str] = (),
        webhook: str | None = None,
    ) -> Watch:
        """Change a watch's interval, window, budget (``no_budget``: none), alert rules or
        webhook; what is not given stays. A new interval counts from the last run (due now if
        that has passed). InvalidInputError for a bad value (nothing changes), KeyError for no
        such watch."""
        w = self.get(watch_id)
        if not w.spec.requests and (budget is not None or add_alerts):
            raise InvalidInputError(f"invalid {_what(budget)} for a {w.kind} watch: {NO_REQUEST}")
        every_s = parse_duration(every, "every") if every is not None else w.every_s
        window_s = parse_duration(window, "window") if window is not None else w.window_s
        if budget is not None and budget < 1:
            raise InvalidInputError(
                f"invalid budget {budget!r}: a whole number of units, 1 or more", param="budget"
            )
        new_budget = None if no_budget else (budget if budget is not None else w.budget)
        hook = check_webhook(webhook) if webhook is not None else w.webhook
        rules = _edited_rules(w.alert_rules, add_alerts, remove_alerts)
        next_due = w.next_due
        if every is not None and w.last_run_at:
            next_due = dt.datetime.fromisoformat(w.last_run_at).timestamp() + every_s
        sql = (
            "UPDATE watches SET every_s = ?, window_s = ?, budget = ?, alert_rules = ?, "
            "webhook = ?, next_due = ? WHERE id = ?"
        )
        with self._db.transaction():
            row = (every_s, window_s, new_budget, " ".join(rules), hook, next_due, watch_id)
            self._db.execute(sql, row)
        return self.get(watch_id)

    def get(self, watch_id: int) -> Watch:
        """The watch ``watch_id``; KeyError if there is none."""
        rows = self._db.query(f"{SELECT} WHERE id = ?", (watch_id,))
        if not rows:
            raise KeyError(f"no watch {watch_id}")
        return _watch(rows[0])

    def find(self, kind: str, target: str) -> Watch | None:
        rows = self._db.query(f"{SELECT} WHERE kind = ? AND target = ?", (kind, target))
        return _watch(rows[0]) if rows else None

    def resolve(self, ref: str) -> Watch:
        """A watch by id (``3``) or by ``kind:target``; KeyError if there is none."""
        if ref.isdigit():
            return self.get(int(ref))
        kind, _, target = ref.partition(":")
        found = self.find(kind, target)
        if found is None:
            raise KeyError(f"no watch {ref!r}")
        return found

    def all(self) -> list[Watch]:
        return [_watch(r) for r in self._db.query(f"{SELECT} ORDER BY id")]

    def due(self, now: float) -> list[Watch]:
        """Watches due at ``now``: not paused, ``next_due`` passed, not held by a live claim."""
        sql = (
            f"{SELECT} WHERE paused = 0 AND next_due <= ? "
            "AND (claimed_by IS NULL OR claim_until < ?) ORDER BY next_due, id"
        )
        return [_watch(r) for r in self._db.query(sql, (now, now))]

    def remove(self, watch_id: int) -> None:
        """Forget a watch and its runs (what it collected stays)."""
        with self._db.transaction():
            self._db.execute("DELETE FROM watch_runs WHERE watch_id = ?", (watch_id,))
            if not self._db.execute("DELETE FROM watches WHERE id = ?", (watch_id,)):
                raise KeyError(f"no watch {watch_id}")

    def set_paused(self, watch_id: int, paused: bool) -> Watch:
        """Pause or resume a watch; resuming also forgets its failures in a row."""
        with self._db.transaction():
            sql = (
                "UPDATE watches SET paused = ?, "
                "failures = CASE WHEN ? = 1 THEN failures ELSE 0 END WHERE id = ?"
            )
            if not self._db.execute(sql, (int(paused), int(paused), watch_id)):
                raise KeyError(f"no watch {watch_id}")
        return self.get(watch_id)

    def count_failure(self, watch_id: int, target_failed: bool) -> Watch:
        """After a run: one more target failure in a row (``target_failed``), or none. At
        :data:`MAX_FAILURES` the watch is paused, and its last message says so."""
        w = self.get(watch_id)
        failures = w.failures + 1 if target_failed else 0
        stop = failures >= MAX_FAILURES
        with self._db.transaction():
            self._db.execute("UPDATE watches SET failures = ? WHERE id = ?", (failures, watch_id))
            if stop and not w.paused:
                message = (
                    f"stopped after {failures} failures in a row ({w.last_message}); "
                    f"`tokarc watch resume {w.id}` tries again"
                )
                sql = "UPDATE watches SET paused = 1, last_message = ? WHERE id = ?"
                self._db.execute(sql, (message, watch_id))
        return self.get(watch_id)

    def set_job(self, watch_id: int, job_id: int) -> None:
        with self._db.transaction():
            self._db.execute("UPDATE watches SET job_id = ? WHERE id = ?", (job_id, watch_id))

    def spent(self, watch_id: int, day: str) -> int:
        """Units the watch's runs spent on ``day`` (UTC date)."""
        sql = "SELECT COALESCE(SUM(units), 0) FROM watch_runs WHERE watch_id = ? AND day = ?"
        return int(self._db.query(sql, (watch_id, day))[0][0])

    def record_run(self, row: Sequence[Any]) -> int:
        """Add one run to ``watch_runs`` (columns in :data:`RUN_COLUMNS` order); its id."""
        marks = ", ".join("?" * len(RUN_COLUMNS))
        sql = f"INSERT INTO watch_runs ({', '.join(RUN_COLUMNS)}) VALUES ({marks}) RETURNING id"
        with self._db.transaction():
            return int(self._db.query(sql, tuple(row))[0][0])

    def runs(self, watch_id: int) -> list[dict[str, Any]]:
        """The watch's runs, oldest first."""
        sql = f"SELECT {', '.join(RUN_COLUMNS)} FROM watch_runs WHERE watch_id = ? ORDER BY id"
        rows = self._db.query(sql, (watch_id,))
        return [dict(zip(RUN_COLUMNS, r, strict=True)) for r in rows]


RUN_COLUMNS = (
    "watch_id",
    "job_id",
    "day",
    "started_at",
    "finished_at",
    "status",
    "stop_reason",
    "pages",
    "new_records",
    "units",
    "gone",
    "message",
)


def _checked(
    kind: str, target: str, every: str, window: str, budget: int | None
) -> tuple[str, str, int, int, int | None]:
    if kind not in WATCH_KINDS:
        raise InvalidInputError(f"invalid watch kind {kind!r}: one of {', '.join(WATCH_KINDS)}")
    target = target.strip().lstrip("#@") if WATCH_KINDS[kind].collects else target.strip()
    spaced = kind in ("keyword", "digest")  # a keyword, or a digest's keyword:... sources
    if not target or (not spaced and any(c.isspace() for c in target)):
        raise InvalidInputError(f"invalid {kind} {target!r}")
    _check_budget(budget)
    every_s, window_s = parse_duration(every, "every"), parse_duration(window, "window")
    return kind, check_target(kind, target), every_s, window_s, budget


NO_REQUEST = "it makes no request, so it spends no units"


def _check_digest(
    kind: str, budget: int | None, rules: str, hook: str | None, emails: Sequence[str]
) -> None:
    """A digest watch has somewhere to send to and no budget or alerts; only it has
    addresses; e-mail needs ``TOKARC_SMTP_URL`` (checked now: where it is set or not)."""
    if kind != "digest":
        raise InvalidInputError(f"invalid --email for a {kind} watch: only a digest is e-mailed")
    if budget is not None or rules:
        raise InvalidInputError(f"invalid {_what(budget)} for a digest watch: {NO_REQUEST}")
    if not (hook or emails):
        raise InvalidInputError("a digest watch sends somewhere: give --email TO or --webhook URL")
    if emails:
        smtp_settings()


def _what(budget: int | None) -> str:
    return "--budget" if budget is not None else "--alert"


def _addresses(emails: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(check_email(e) for e in emails))


def _rules(rules: Sequence[str]) -> str:
    """The rules, checked, as stored (space-separated). A watch without a webhook keeps its
    rules: what they meet is recorded (``tokarc alerts``, the report), not delivered."""
    return " ".join(dict.fromkeys(parse_rule(r).text for r in rules))


def _edited_rules(rules: Sequence[str], add: Sequence[str], remove: Sequence[str]) -> list[str]:
    gone = {parse_rule(r).text for r in remove}
    missing = sorted(gone - set(rules))
    if missing:
        raise InvalidInputError(
            f"invalid --remove-alert {missing[0]!r}: the watch has no such rule"
        )
    kept = [r for r in rules if r not in gone]
    return list(dict.fromkeys([*kept, *(parse_rule(r).text for r in add)]))


def _check_budget(budget: int | None) -> None:
    if budget is not None and budget < 1:
        raise InvalidInputError(
            f"invalid budget {budget!r}: a whole number of units, 1 or more", param="budget"
        )


def _watch(row: tuple[Any, ...]) -> Watch:
    values = dict(zip(COLUMNS, row, strict=True))
    values["paused"] = bool(values["paused"])
    values["alert_rules"] = tuple(str(values["alert_rules"] or "").split())
    values["failures"] = int(values["failures"] or 0)
    values["emails"] = tuple(str(values["emails"] or "").split())
    values["next_due"] = float(values["next_due"])
    if values["claim_until"] is not None:
        values["claim_until"] = float(values["claim_until"])
    return Watch(**values)


def _wall() -> float:
    return dt.datetime.now(dt.UTC).timestamp()
