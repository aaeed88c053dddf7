"""The monitor's tables in the store: watches and their runs (a migration set of its own)."""

from __future__ import annotations

from ..collect import MIGRATIONS as COLLECT_MIGRATIONS
from ..store import Dialect, MigrationSet

MONITOR = MigrationSet("monitor")


@MONITOR.migration("watches")
def _watches(d: Dialect) -> list[str]:
    """Watchlists (``tokarc.monitor``): what to follow, when it is due, who holds it, runs."""
    return [
        f"""CREATE TABLE watches (
            id {d.id_column}, kind TEXT NOT NULL, target TEXT NOT NULL,
            every_s BIGINT NOT NULL, window_s BIGINT NOT NULL, budget BIGINT,
            paused INTEGER NOT NULL DEFAULT 0, job_id BIGINT, created_at TEXT NOT NULL,
            next_due DOUBLE PRECISION NOT NULL, claimed_by TEXT, claim_until DOUBLE PRECISION,
            last_run_at TEXT, last_status TEXT, last_message TEXT, UNIQUE (kind, target))""",
        f"""CREATE TABLE watch_runs (
            id {d.id_column}, watch_id BIGINT NOT NULL, job_id BIGINT, day TEXT NOT NULL,
            started_at TEXT NOT NULL, finished_at TEXT NOT NULL, status TEXT NOT NULL,
            stop_reason TEXT, pages BIGINT NOT NULL, new_records BIGINT NOT NULL,
            units BIGINT NOT NULL, gone BIGINT NOT NULL, message TEXT)""",
        "CREATE INDEX watch_runs_watch_day ON watch_runs (watch_id, day)",
    ]


@MONITOR.migration("alerts")
def _alerts(d: Dialect) -> list[str]:
    """Alert rules and a webhook per watch, consecutive target failures, sent alerts, and when
    each report was written (its "what changed since the last report" starts there)."""
    return [
        "ALTER TABLE watches ADD COLUMN alert_rules TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE watches ADD COLUMN webhook TEXT",
        "ALTER TABLE watches ADD COLUMN failures BIGINT NOT NULL DEFAULT 0",
        f"""CREATE TABLE alerts (
            id {d.id_column}, watch_id BIGINT NOT NULL, run_id BIGINT, rule TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, text TEXT NOT NULL,
            payload TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,
            sent_at TEXT, error TEXT)""",
        "CREATE INDEX alerts_watch ON alerts (watch_id)",
        f"""CREATE TABLE reports (
            id {d.id_column}, generated_at DOUBLE PRECISION NOT NULL, scope TEXT NOT NULL,
            path TEXT NOT NULL)""",
    ]


@MONITOR.migration("digests")
def _digests(d: Dialect) -> list[str]:
    """Digests sent (``tokarc digest --email/--webhook``): one row per period and destination,
    ``sending`` before it goes out and ``sent`` after, so a digest is sent once per period per
    destination, and one a crash interrupted is sent again (with the same Message-ID)."""
    return [
        f"""CREATE TABLE digests (
            period TEXT NOT NULL, destination TEXT NOT NULL, status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, error TEXT, created_at TEXT NOT NULL,
            sent_at TEXT, PRIMARY KEY (period, destination)){d.clustered}""",
    ]


@MONITOR.migration("digest_watches")
def _digest_watches(d: Dialect) -> list[str]:
    """The e-mail addresses a ``digest`` watch sends to (space-separated; its webhook is the
    watch's ``webhook``)."""
    return ["ALTER TABLE watches ADD COLUMN emails TEXT NOT NULL DEFAULT ''"]


#: The accounts user watches follow (``_follow``): a set of its own, added after the others.
FOLLOW = MigrationSet("monitor_follow")


@FOLLOW.migration("accounts")
def _accounts(d: Dialect) -> list[str]:
    """The account a user watch follows, resolved once, and the handle it last knew."""
    return [
        f"""CREATE TABLE watch_accounts (
            watch_id BIGINT PRIMARY KEY, uid TEXT NOT NULL, sec_uid TEXT NOT NULL,
            handle TEXT NOT NULL, resolved_at TEXT NOT NULL){d.clustered}""",
    ]


#: What the monitor keeps in the store: the collector's sets (watches run collections), then
#: its own (watches, runs, alerts; the accounts user watches follow).
MIGRATIONS: tuple[MigrationSet, ...] = (*COLLECT_MIGRATIONS, MONITOR, FOLLOW)
