"""tokarc's Datasette plugin: ``tokarc_raw()`` in every query of ``tokarc browse``."""

from __future__ import annotations

import sqlite3

import datasette  # type: ignore[import-untyped]

from ..store import add_sql_function


def prepare_connection(conn: sqlite3.Connection) -> None:
    """Datasette's hook, for each connection it opens: the page log's SQL function."""
    add_sql_function(conn)


datasette.hookimpl(prepare_connection)  # marks it as the hook's implementation, in place
