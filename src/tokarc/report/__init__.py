"""The report: one self-contained HTML page of what a store holds and what changed.

::

    from tokarc.report import write_report
    from tokarc.store import open_store

    with open_store("watch.db") as store:
        report = write_report(store, "report.html", since="7d")

The figures are read by plain SQL on both backends (``_data.py``), drawn as plotly figures
(``_charts.py``) and laid out in one page (``_page.py``) that inlines plotly.js's basic bundle
(``assets/``), so it opens offline. See ``docs/monitor.md``, "The report".
"""

from __future__ import annotations

from ._deliver import Sent, deliver, period_of, watch_period
from ._digest import Digest, check_sources, digest, write_digest
from ._page import Report, write_report
from ._scheduled import RUNNERS, run_digest_watch

__all__ = [
    "RUNNERS",
    "Digest",
    "Report",
    "Sent",
    "check_sources",
    "deliver",
    "digest",
    "period_of",
    "run_digest_watch",
    "watch_period",
    "write_digest",
    "write_report",
]
