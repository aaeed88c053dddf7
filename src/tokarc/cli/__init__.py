"""The ``tokarc`` command line: thin commands over the library.

Data goes to stdout, progress and messages to stderr. Exit codes: 0 success, 1 the run failed
(API or network, after retries), 2 bad usage or input, 130 interrupted. See ``docs/cli.md``.

Every command is registered here, in :data:`COMMANDS` and :data:`GROUPS`, in the order
``tokarc --help`` lists them; the modules only define them.

Example: ``tokarc --sandbox hashtag magic --days 30 --db demo.db``
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import typer
import typer.main

from . import _admin, _archive, _commands, _expand, _history, _media, _monitor, _pagelog, _workers
from ._app import app

__all__ = ["app", "main", "run"]

Commands = tuple[tuple[str, Callable[..., Any]], ...]

#: The commands, in the order ``tokarc --help`` lists them: collecting, then the database
#: and the account, the archive, and what runs on top of a collection.
COMMANDS: Commands = (
    ("hashtag", _commands.hashtag),
    ("keyword", _commands.keyword),
    ("user", _commands.user),
    ("user-posts", _commands.user_posts),
    ("user-history", _history.user_history),
    ("liked", _commands.liked),
    ("followers", _commands.followers),
    ("followings", _commands.followings),
    ("post", _commands.post),
    ("comments", _commands.comments),
    ("replies", _commands.replies_),
    ("users", _commands.users),
    ("lives", _commands.lives),
    ("jobs", _admin.jobs),
    ("resume", _admin.resume_),
    ("export", _admin.export_),
    ("stats", _admin.stats),
    ("raw", _pagelog.raw),
    ("rebuild", _pagelog.rebuild),
    ("migrate", _pagelog.migrate),
    ("usage", _admin.usage),
    ("configure", _admin.configure),
    ("doctor", _admin.doctor),
    ("emulator", _admin.emulator),
    ("search", _archive.search),
    ("sql", _archive.sql),
    ("browse", _archive.browse),
    ("network", _archive.network_),
    ("compare", _archive.compare),
    ("top", _archive.top),
    ("dehydrate", _archive.dehydrate),
    ("hydrate", _archive.hydrate),
    ("expand", _expand.expand),
    ("media", _media.media),
    ("alerts", _monitor.alerts_list),
    ("report", _monitor.report),
    ("digest", _monitor.digest),
    ("worker", _workers.worker),
)

#: The groups of commands (listed after the commands): name, help, their commands in order.
GROUPS: tuple[tuple[str, str, Commands], ...] = (
    (
        "music",
        _commands.MUSIC_HELP,
        (
            ("search", _commands.music_search),
            ("posts", _commands.music_posts),
            ("info", _commands.music_info),
        ),
    ),
    (
        "watch",
        _monitor.WATCH_HELP,
        (
            ("add", _monitor.watch_add),
            ("edit", _monitor.watch_edit),
            ("list", _monitor.watch_list),
            ("remove", _monitor.watch_remove),
            ("pause", _monitor.watch_pause),
            ("resume", _monitor.watch_resume),
            ("tick", _monitor.watch_tick),
            ("run", _monitor.watch_run),
        ),
    ),
    (
        "queue",
        _workers.QUEUE_HELP,
        (
            ("status", _workers.queue_status),
            ("wait", _workers.queue_wait),
            ("retry", _workers.queue_retry),
            ("cancel", _workers.queue_cancel),
        ),
    ),
)

#: How a command is registered when it is not the default way.
_SETTINGS = {_admin.emulator: _admin.EMULATOR_SETTINGS}


def _add(group: typer.Typer, commands: Commands) -> None:
    for name, callback in commands:
        group.command(name, **_SETTINGS.get(callback, {}))(callback)


def _register() -> None:
    """Add every command and group to ``app``, once, in the listed order."""
    _add(app, COMMANDS)
    for name, help_text, commands in GROUPS:
        group = typer.Typer(help=help_text, no_args_is_help=True)
        _add(group, commands)
        app.add_typer(group, name=name)


_register()


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: sys.argv); return the exit code."""
    code: int = typer.main.get_command(app).main(argv, "tokarc", standalone_mode=False)
    return code


def main(argv: Sequence[str] | None = None) -> None:
    """The ``tokarc`` console script."""
    raise SystemExit(run(argv))
