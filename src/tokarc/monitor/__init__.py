"""Monitoring: watchlists run on a schedule, and a report of what changed.

::

    import tokarc
    from tokarc.monitor import Scheduler, Watches
    from tokarc.report import write_report
    from tokarc.store import open_store

    with open_store("watch.db") as store:
        Watches(store).add("hashtag", "magic", every="1h", window="7d", budget=200,
                           alerts=["new_posts>50"], webhook="https://hooks.slack.com/...")
    for run in Scheduler("watch.db", tokarc.Client).tick():   # from cron, or .run() in a loop
        print(run.line())
    with open_store("watch.db") as store:
        write_report(store, "report.html")

A watch (hashtag, keyword, user, sound, or a set of stored posts to re-hydrate) runs as an
incremental collection job every ``every``, over the last ``window``, spending at most
``budget`` units a day. A ``digest`` watch makes no request: it sends the digest of its window
by e-mail or webhook, through the runner a layer above gives the scheduler
(``Scheduler(db, tokarc.Client, runners=tokarc.report.RUNNERS)``). Two ticks at once never run
the same watch: each claims it with a lease in the database (``_lock.py``). A tick that meets
a watch's alert rules posts to its webhook (``_alerts.py``, at least once, with an idempotency
key). The report covers every source in the store, jobs and watches (:mod:`tokarc.report`).
See ``docs/monitor.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy
from .._time import format_duration, parse_duration
from ._alerts import Alert, Alerts, Delivery, status_text
from ._follow import Account, followed
from ._lock import LEASE_SECONDS
from ._rules import (
    MIN_RATE_SPAN,
    SPIKE_BASELINE,
    SPIKE_FACTOR,
    SPIKE_MIN,
    Rule,
    is_spike,
    parse_rule,
)
from ._schedule import Runner, Scheduler, Stopping, WatchRun
from ._schema import MIGRATIONS
from ._smtp import SMTP, check_email, smtp_settings
from ._specs import WATCH_KINDS, WatchKind, digest_sources
from ._watches import MAX_FAILURES, Watch, Watches, check_webhook, redact_url

if TYPE_CHECKING:
    from ..report import Report, write_report

# The report lives in ``tokarc.report`` (a layer above this one: it reads watches and alerts).
# These two names stay importable from here for code written before it moved; they load, by
# name, only when asked for.
__getattr__ = lazy(__name__, {"Report": "tokarc.report", "write_report": "tokarc.report"})


__all__ = [
    "LEASE_SECONDS",
    "MAX_FAILURES",
    "MIGRATIONS",
    "MIN_RATE_SPAN",
    "SMTP",
    "SPIKE_BASELINE",
    "SPIKE_FACTOR",
    "SPIKE_MIN",
    "WATCH_KINDS",
    "Account",
    "Alert",
    "Alerts",
    "Delivery",
    "Report",
    "Rule",
    "Runner",
    "Scheduler",
    "Stopping",
    "Watch",
    "WatchKind",
    "WatchRun",
    "Watches",
    "check_email",
    "check_webhook",
    "digest_sources",
    "followed",
    "format_duration",
    "is_spike",
    "parse_duration",
    "parse_rule",
    "redact_url",
    "smtp_settings",
    "status_text",
    "write_report",
]
