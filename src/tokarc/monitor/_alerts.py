"""Alerts: after a tick's run, check the watch's rules, record what they met, post it.

Each met rule becomes a row of the ``alerts`` table (``pending``) *before* anything is sent,
keyed by ``tokarc:<watch>:<run>:<rule>`` (unique). Then every pending alert of the watch is
POSTed to its webhook as JSON (Slack-compatible ``text`` plus structured fields), retried with
exponential backoff, and marked ``sent`` (or ``failed`` with the last error, tried again at the
watch's next run, up to :data:`MAX_ATTEMPTS` in all). A watch without a webhook still records
its alerts: they are marked ``recorded`` (not delivered: no webhook), and never posted.
Delivery is *at least once*: a crash after the webhook answered and before ``sent`` was
recorded sends that alert again at the next run, with the same ``idempotency_key`` in the
payload, so the receiver can drop the repeat.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from .._time import format_duration
from ..analysis import overperforming
from ..status import AlertStatus, RunStatus
from ..store import Store, timestamp
from ._rules import MIN_RATE_SPAN, SPIKE_FACTOR, Rule, is_spike, parse_rule
from ._watches import Watch, db, iso, redact_url

#: Tries per delivery (the first, then retries after BACKOFF, 2×, 4× ... seconds).
ATTEMPTS = 4
BACKOFF = 1.0
#: Tries of one alert over all runs, after which it stays ``failed``.
MAX_ATTEMPTS = 12
TIMEOUT = 10.0
NO_WEBHOOK = "not delivered: no webhook"  # a recorded alert's ``error``
BASELINE_RUNS = 10  # earlier runs the spike rule compares with

COLUMNS = (
    "id",
    "watch_id",
    "run_id",
    "rule",
    "idempotency_key",
    "created_at",
    "text",
    "payload",
    "status",
    "attempts",
    "sent_at",
    "error",
)

Post = Callable[[str, dict[str, Any]], int]  # (url, payload) → HTTP status


@dataclass(frozen=True)
class Alert:
    """One alert: which watch, run and rule, what was sent, and how delivery went."""

    id: int
    watch_id: int
    run_id: int | None
    rule: str
    idempotency_key: str
    created_at: str
    text: str
    payload: str
    status: str
    attempts: int
    sent_at: str | None
    error: str | None


@dataclass(frozen=True)
class Met:
    """A rule a run met: the figure that met it and what to say."""

    rule: Rule
    value: float
    text: str
    details: dict[str, Any]


@dataclass(frozen=True)
class RunFacts:
    """What the rules look at: the run's id, start, new posts, gone posts, and job."""

    run_id: int
    started: float
    new: int
    gone: int
    job_id: int | None
    renamed: str | None = None  # a user watch's account: "@old is now @new"


class Delivery:
    """Posts payloads: ``attempts`` tries with ``backoff`` × 2ⁿ seconds between them."""

    def __init__(
        self,
        *,
        attempts: int = ATTEMPTS,
        backoff: float = BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        post: Post | None = None,
    ) -> None:
        self.attempts, self.backoff, self.sleep = max(1, attempts), backoff, sleep
        self.post = post or _post

    def send(self, url: str, payload: dict[str, Any]) -> tuple[bool, int, str | None]:
        """(delivered, tries made, last error)."""
        error: str | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                status = self.post(url, payload)
            except Exception as exc:  # a delivery that fails never fails the run
                status, error = 0, f"{type(exc).__name__}: {_no_url(str(exc))}"
            else:
                if 200 <= status < 300:
                    return True, attempt, None
                error = f"HTTP {status}"
                if 400 <= status < 500 and status not in (408, 429):
                    return False, attempt, error  # the receiver refused it: retrying won't help
            if attempt < self.attempts:
                self.sleep(self.backoff * 2 ** (attempt - 1))
        return False, self.attempts, error


def status_text(status: str, error: str | None) -> str:
    """How an alert's delivery went, in words: ``sent``, ``recorded (not delivered: no
    webhook)``, ``failed (HTTP 500)``."""
    return f"{status} ({error})" if error else str(status)


def _no_url(text: str) -> str:
    """An error without the URL httpx may quote (a webhook's path is a secret)."""
    return re.sub(r"https?://\S+", lambda m: redact_url(m.group(0)) or "", " ".join(text.split()))


def _post(url: str, payload: dict[str, Any]) -> int:
    response = httpx.post(url, json=payload, timeout=TIMEOUT)
    return response.status_code


class Alerts:
    """The ``alerts`` table of a store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._db = db(store)

    def all(self, watch_id: int | None = None) -> list[Alert]:
        """Alerts, oldest first (of one watch if ``watch_id``)."""
        where, params = ("WHERE watch_id = ? ", (watch_id,)) if watch_id is not None else ("", ())
        sql = f"SELECT {', '.join(COLUMNS)} FROM alerts {where}ORDER BY id"
        return [_alert(r) for r in self._db.query(sql, params)]

    def record(self, watch: Watch, facts: RunFacts, met: Met, now: float) -> None:
        """Add a pending alert (once per run and rule: a repeat is ignored)."""
        key = f"tokarc:{watch.id}:{facts.run_id}:{met.rule.text}"
        payload = _payload(watch, facts, met, key, now)
        sql = (
            "INSERT INTO alerts (watch_id, run_id, rule, idempotency_key, created_at, text, "
            "payload, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        with self._db.transaction():
            if self._db.query("SELECT 1 FROM alerts WHERE idempotency_key = ?", (key,)):
                return
            self._db.execute(
                sql,
                (
                    watch.id,
                    facts.run_id,
                    met.rule.text,
                    key,
                    iso(now),
                    met.text,
                    json.dumps(payload),
                    AlertStatus.PENDING,
                ),
            )

    def deliver(self, watch: Watch, delivery: Delivery, now: float) -> list[Alert]:
        """Post every unsent alert of ``watch`` to its webhook (none: mark it recorded); the
        alerts as they are after."""
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM alerts WHERE watch_id = ? "
            "AND status NOT IN (?, ?) AND attempts < ? ORDER BY id"
        )
        todo = [
            _alert(r)
            for r in self._db.query(
                sql, (watch.id, AlertStatus.SENT, AlertStatus.RECORDED, MAX_ATTEMPTS)
            )
        ]
        for alert in todo:
            if watch.webhook is None:
                self._mark(alert.id, AlertStatus.RECORDED, 0, NO_WEBHOOK, None)
                continue
            ok, tries, error = delivery.send(watch.webhook, json.loads(alert.payload))
            self._mark(
                alert.id,
                AlertStatus.SENT if ok else AlertStatus.FAILED,
                tries,
                error,
                iso(now) if ok else None,
            )
        return [a for a in self.all(watch.id) if a.id in {t.id for t in todo}]

    def _mark(
        self, alert_id: int, status: str, tries: int, error: str | None, sent_at: str | None
    ) -> None:
        sql = (
            "UPDATE alerts SET status = ?, attempts = attempts + ?, error = ?, sent_at = ? "
            "WHERE id = ?"
        )
        with self._db.transaction():
            self._db.execute(sql, (status, tries, error, sent_at, alert_id))


def after_run(store: Store, watch: Watch, facts: RunFacts, now: float, delivery: Delivery) -> None:
    """Record the rules ``facts`` met, then deliver the watch's unsent alerts."""
    alerts = Alerts(store)
    for met in evaluate(store, watch, facts, now):
        alerts.record(watch, facts, met, now)
    if watch.alert_rules or alerts.all(watch.id):
        alerts.deliver(watch, delivery, now)


def evaluate(store: Store, watch: Watch, facts: RunFacts, now: float) -> list[Met]:
    """The watch's rules that this run met."""
    out = []
    for rule in (parse_rule(r) for r in watch.alert_rules):
        met = _CHECKS[rule.name](store, watch, facts, rule, now)
        if met is not None:
            out.append(met)
    return out


def _new_posts(store: Store, w: Watch, f: RunFacts, rule: Rule, now: float) -> Met | None:
    if rule.threshold is None or f.new <= rule.threshold:
        return None
    text = f"{w.label}: {f.new:,} new posts in one tick (rule {rule.text})"
    return Met(rule, f.new, text, {"new_posts": f.new})


def _gone(store: Store, w: Watch, f: RunFacts, rule: Rule, now: float) -> Met | None:
    if f.gone < 1:
        return None
    text = f"{w.label}: {f.gone:,} tracked posts gone (rule gone)"
    return Met(rule, f.gone, text, {"gone_posts": f.gone})


def _renamed(store: Store, w: Watch, f: RunFacts, rule: Rule, now: float) -> Met | None:
    if f.renamed is None:
        return None
    text = f"{w.label}: {f.renamed} (rule renamed)"
    return Met(rule, 1, text, {"renamed": f.renamed})


def _spike(store: Store, w: Watch, f: RunFacts, rule: Rule, now: float) -> Met | None:
    sql = (
        "SELECT new_records FROM watch_runs WHERE watch_id = ? AND id < ? AND status = ? "
        f"ORDER BY id DESC LIMIT {BASELINE_RUNS}"
    )
    baseline = [int(r[0]) for r in db(store).query(sql, (w.id, f.run_id, RunStatus.OK))]
    if not is_spike(f.new, baseline):
        return None
    median = sorted(baseline)[len(baseline) // 2]
    text = (
        f"{w.label}: spike: {f.new:,} new posts in one tick, more than {SPIKE_FACTOR:g}× "
        f"its usual {median:,} (rule spike)"
    )
    return Met(rule, f.new, text, {"new_posts": f.new, "baseline": baseline})


def _plays_per_hour(store: Store, w: Watch, f: RunFacts, rule: Rule, now: float) -> Met | None:
    """The fastest post observed in this run, its plays per hour since its latest
    observation at least an hour older."""
    if f.job_id is None or rule.threshold is None:
        return None
    sql = (
        "SELECT n.aweme_id, n.observed_at, n.play_count, o.observed_at, o.play_count "
        "FROM post_stats n JOIN pages g ON g.id = n.page_id "
        "JOIN post_stats o ON o.aweme_id = n.aweme_id AND o.observed_at <= ? "
        "WHERE g.job_id = ? AND n.observed_at >= ? AND n.play_count IS NOT NULL "
        "AND o.play_count IS NOT NULL"
    )
    before = timestamp(f.started - MIN_RATE_SPAN)
    since = timestamp(f.started)
    latest: dict[str, tuple[str, int, str, int]] = {}
    for aweme_id, n_at, n_plays, o_at, o_plays in db(store).query(sql, (before, f.job_id, since)):
        seen = latest.get(aweme_id)
        if seen is None or (o_at, n_at) > (seen[2], seen[0]):
            latest[aweme_id] = (n_at, int(n_plays), o_at, int(o_plays))
    rates = {a: _rate(*v) for a, v in latest.items()}
    if not rates:
        return None
    post, rate = max(rates.items(), key=lambda kv: (kv[1], kv[0]))
    if rate <= rule.threshold:
        return None
    text = f"{w.label}: post {post} gains {rate:,.0f} plays an hour (rule {rule.text})"
    return Met(rule, round(rate), text, {"aweme_id": post, "plays_per_hour": round(rate)})


def _rate(n_at: str, n_plays: int, o_at: str, o_plays: int) -> float:
    hours = (dt.datetime.fromisoformat(n_at) - dt.datetime.fromisoformat(o_at)).total_seconds()
    return (n_plays - o_plays) / max(hours / 3600, MIN_RATE_SPAN / 3600)


def _overperforming(store: Store, w: Watch, f: RunFacts, rule: Rule, now: float) -> Met | None:
    """The highest-scoring post this run observed, against its account's usual at the same
    age, when its baseline is not thin and its score beats the threshold."""
    if f.job_id is None or rule.threshold is None:
        return None
    sql = (
        "SELECT DISTINCT s.aweme_id FROM post_stats s JOIN pages g ON g.id = s.page_id "
        "WHERE g.job_id = ? AND s.observed_at >= ?"
    )
    seen = {str(r[0]) for r in db(store).query(sql, (f.job_id, timestamp(f.started)))}
    metric = rule.metric or "plays"
    best = next((s for s in overperforming(store, metric, ids=seen) if s.trusted), None)
    if best is None or best.score is None or best.score <= rule.threshold:
        return None
    text = (
        f"{w.label}: post {best.aweme_id} by @{best.author or '?'} has {best.score:.1f}x its "
        f"account's usual {metric} at {format_duration(best.age)} (rule {rule.text})"
    )
    details = {"aweme_id": best.aweme_id, "score": round(best.score, 2), "metric": metric,
               "value": best.value, "baseline": best.baseline, "baseline_posts":
               best.baseline_posts}  # fmt: skip
    return Met(rule, round(best.score, 2), text, details)


_CHECKS: dict[str, Callable[[Store, Watch, RunFacts, Rule, float], Met | None]] = {
    "new_posts": _new_posts,
    "plays_per_hour": _plays_per_hour,
    "spike": _spike,
    "gone": _gone,
    "renamed": _renamed,
    "overperforming": _overperforming,
}


def _payload(watch: Watch, facts: RunFacts, met: Met, key: str, now: float) -> dict[str, Any]:
    return {
        "text": f"tokarc: {_slack_escape(met.text)}",
        "idempotency_key": key,
        "rule": met.rule.text,
        "value": met.value,
        "threshold": met.rule.threshold,
        "watch": {"id": watch.id, "kind": watch.kind, "target": watch.target},
        "run_id": facts.run_id,
        "at": iso(now),
        "details": met.details,
    }


def _slack_escape(text: str) -> str:
    """Slack's three control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _alert(row: tuple[Any, ...]) -> Alert:
    values = dict(zip(COLUMNS, row, strict=True))
    values["attempts"] = int(values["attempts"])
    return Alert(**values)
