"""Scheduled digests: how the scheduler runs a ``digest`` watch (``tokarc watch add digest``).

The scheduler (``tokarc.monitor``, a layer below) runs the kinds of watch that make no request
through the runners it is given: ``Scheduler(db, client, runners=tokarc.report.RUNNERS)``, as
``tokarc watch tick``, ``watch run`` and the workers do. A run builds the digest of the watch's
sources over its ``window`` (``--since``) and sends it to its e-mail addresses and webhook, once
per period per destination (:func:`watch_period`, the ``digests`` table). Nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..monitor import Delivery, Runner, Watch, digest_sources
from ..store import Store
from ._deliver import Sent, deliver, watch_period
from ._digest import digest


def run_digest_watch(
    store: Store, watch: Watch, now: float, delivery: Delivery
) -> tuple[bool, str]:
    """Send the digest of ``watch``'s sources over its window to its destinations; whether
    every destination has it now, and what became of each."""
    d = digest(store, now - watch.window_s, now, digest_sources(watch.target))
    hooks = [watch.webhook] if watch.webhook else []
    sent = deliver(store, d, watch_period(watch), emails=watch.emails, webhooks=hooks,
                   delivery=delivery, now=now)  # fmt: skip
    return all(s.outcome != "failed" for s in sent), _message(sent)


def _message(sent: list[Sent]) -> str:
    return "; ".join(s.line() for s in sent) + " (a digest makes no request: 0 units)"


#: The runners of the kinds of watch that make no request: what the scheduler is given.
RUNNERS: Mapping[str, Runner] = {"digest": run_digest_watch}
