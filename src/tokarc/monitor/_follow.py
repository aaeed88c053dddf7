"""User watches follow the account, not the handle (``docs/monitor.md``, "Renames").

A ``user`` watch resolves its handle to the account's ``sec_uid`` once, on its first run (from
the store when it knows the account under that handle, else with one profile lookup), keeps
it in ``watch_accounts`` (its own migration set, ``monitor_follow``, in ``_schema``) and in its
job's checkpoint (``resolved``), so that the job collects the account's posts by ``sec_uid``
from then on, still under the watch's source (``user_posts`` of the handle it was given).
After each run the account's handle as last seen is compared with the one the watch knew: a
change is a rename, said in the run's message ("@old is now @new") and met by the ``renamed``
alert rule, and the watch goes on.
"""

from __future__ import annotations

from typing import NamedTuple

from ..collect import Checkpoint, Collector, JobSpec
from ..store import Backend, Store, account_of, current_handle, timestamp
from ._watches import Watch, db


class Account(NamedTuple):
    uid: str
    sec_uid: str
    handle: str


def pin(collector: Collector, store: Store, watch: Watch, job_id: int) -> None:
    """A user watch's job follows the account: its checkpoint holds the account's uid and
    secUid (``resolved``), resolved once, and the collector then calls by secUid."""
    if watch.kind != "user":
        return
    job = store.get_job(job_id)
    checkpoint = Checkpoint.from_json(job.checkpoint) or Checkpoint()
    if checkpoint.resolved.get("sec_uid"):
        return
    account = followed(store, watch) or _resolve(collector, store, watch)
    if account is None:
        return  # not found, refused: it runs by handle, and fails as the API says
    checkpoint.resolved = {"uid": account.uid, "sec_uid": account.sec_uid}
    store.update_job(job_id, checkpoint=checkpoint.to_json())


def followed(store: Store, watch: Watch) -> Account | None:
    """The account the watch follows, once resolved."""
    sql = "SELECT uid, sec_uid, handle FROM watch_accounts WHERE watch_id = ?"
    rows = db(store).query(sql, (watch.id,))
    return Account(*rows[0]) if rows else None


def _resolve(collector: Collector, store: Store, watch: Watch) -> Account | None:
    backend = db(store)
    uid, sec_uid = account_of(backend, "username", watch.target)
    if not sec_uid:  # not known under this handle: one profile lookup, stored as any other
        collector.run(JobSpec.build("user", watch.target))
        uid, sec_uid = account_of(backend, "username", watch.target)
    if not (uid and sec_uid):
        return None
    row = (watch.id, uid, sec_uid, watch.target.lower(), timestamp())
    with backend.transaction():
        backend.execute(
            "INSERT INTO watch_accounts (watch_id, uid, sec_uid, handle, resolved_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (watch_id) DO NOTHING",
            row,
        )
    return followed(store, watch)


def renamed(store: Store, watch: Watch) -> tuple[str, str] | None:
    """(old, new) when the followed account's handle changed since the watch last looked;
    the watch knows the new one from then on."""
    account = followed(store, watch)
    backend: Backend = db(store)
    now = current_handle(backend, account.uid) if account else None
    if account is None or now is None or now == account.handle:
        return None
    with backend.transaction():
        sql = "UPDATE watch_accounts SET handle = ? WHERE watch_id = ?"
        backend.execute(sql, (now, watch.id))
    return account.handle, now


def rename_text(old: str, new: str) -> str:
    """How a run says it: ``@old is now @new``."""
    return f"@{old} is now @{new}"
