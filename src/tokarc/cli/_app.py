"""The typer app, its global options, and the session they configure."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from rich.console import Console
from typer._click.exceptions import (  # typer vendors click
    ClickException,
    NoArgsIsHelpError,
)
from typer.core import TyperGroup

from .._version import __version__
from ..client import Client, RetryPolicy
from ..client import constants as C
from ..store import redact
from . import _errors
from ._text import safe

SANDBOX_TOKEN = "sandbox"
SANDBOX_URL = "http://sandbox.tokarc/apis"


@dataclass
class Session:
    """What the global options say, shared by every command of one invocation."""

    token: str | None = None
    base_url: str | None = None
    sandbox: bool = False
    verbose: bool = False
    quiet: bool = False
    retries: int | None = None
    enqueue: bool = False  # collecting commands queue their jobs for workers instead of running
    queue: str = "tokarc"
    emulator: Any = field(default=None, repr=False)
    media: Any = None  # --media of a collecting command (cli._media.MediaOptions)

    @property
    def console(self) -> Console:
        """Progress and messages: stderr."""
        return Console(stderr=True, highlight=False, soft_wrap=True)

    def say(self, message: str) -> None:
        """A progress message on stderr (not with --quiet)."""
        if not self.quiet:
            print(safe(redact(message)), file=sys.stderr, flush=True)

    def client(self) -> Client:
        """A client for the API, or for the in-process emulator with --sandbox."""
        retry = None if self.retries is None else RetryPolicy(attempts=self.retries + 1)
        if self.sandbox:
            from ..emulator import Emulator

            if self.emulator is None:
                self.emulator = Emulator(seed=0, start_time=int(time.time()))
            transport = self.emulator.transport()
            return Client(SANDBOX_TOKEN, base_url=SANDBOX_URL, transport=transport, retry=retry)
        return Client(self.token, base_url=self.base_url, retry=retry)

    def flags(self) -> str:
        """The global options to repeat in a suggested command (never the token)."""
        where = " --sandbox" if self.sandbox else ""
        if not self.sandbox and self.base_url:
            where = f" --base-url {redact(self.base_url)}"
        return where + ("" if self.retries is None else f" --retries {self.retries}")


def session(ctx: typer.Context) -> Session:
    """The session of the running invocation."""
    obj = ctx.find_root().obj
    assert isinstance(obj, Session)
    return obj


class TokarcGroup(TyperGroup):
    """Runs a command and turns whatever goes wrong into one line on stderr and an exit code."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        state = Session()
        extra.setdefault("obj", state)
        argv = self.hoist_globals(list(sys.argv[1:] if args is None else args))
        code = self._run(argv, prog_name or "tokarc", complete_var, extra)
        if not standalone_mode:
            return code
        sys.exit(code)

    def hoist_globals(self, args: list[str]) -> list[str]:
        """``args`` with the global options given after the command moved before it, as users
        type them (``tokarc hashtag magic -q``). The emulator's own options, and anything
        after ``--``, stay where they are."""
        flags, valued = self._global_names()
        start = _command_index(args, valued)
        if start is None or args[start] == "emulator":
            return args
        moved, kept, i = [], args[: start + 1], start + 1
        while i < len(args):
            arg = args[i]
            if arg == "--":
                kept.extend(args[i:])
                break
            if arg in flags or (arg.split("=", 1)[0] in valued and "=" in arg):
                moved.append(arg)
            elif arg in valued and i + 1 < len(args):
                moved.extend(args[i : i + 2])
                i += 1
            else:
                kept.append(arg)
            i += 1
        return [*kept[:start], *moved, *kept[start:]]

    def _global_names(self) -> tuple[set[str], set[str]]:
        """The names of the global options: flags, and those that take a value."""
        flags: set[str] = set()
        valued: set[str] = set()
        for param in self.params:
            names = [*param.opts, *getattr(param, "secondary_opts", [])]
            (flags if getattr(param, "is_flag", False) else valued).update(names)
        flags -= {"--help", "-h"}
        return flags, valued

    def _run(
        self, args: Sequence[str] | None, prog: str, complete: str | None, extra: dict[str, Any]
    ) -> int:
        try:
            rv = super().main(args, prog, complete, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:
            print(exc.format_message(), file=sys.stderr)
            return exc.exit_code
        except ClickException as exc:
            print(_errors.usage_line(exc), file=sys.stderr)
            return exc.exit_code
        except typer.Abort:
            print("tokarc: aborted", file=sys.stderr)
            return _errors.INTERRUPTED
        except KeyboardInterrupt:
            print("tokarc: interrupted", file=sys.stderr)
            return _errors.INTERRUPTED
        except Exception as exc:
            return _errors.report(exc, verbose=extra["obj"].verbose)
        return rv if isinstance(rv, int) else 0


def _command_index(args: list[str], valued: set[str]) -> int | None:
    """Where the command's name is in ``args`` (after the global options before it)."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return i
        i += 2 if arg in valued else 1
    return None


HELP = """Collect TikTok data through the EnsembleData API into SQLite or PostgreSQL.

Example: tokarc --sandbox hashtag magic --days 30 --db demo.db
"""

app = typer.Typer(
    cls=TokarcGroup,
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        print(f"tokarc {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    token: Annotated[
        str | None,
        typer.Option(
            help=f"API token (else ${C.ENV_TOKEN}, ${C.ENV_TOKEN_FALLBACK} or `tokarc configure`).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help=f"API base URL (else ${C.ENV_BASE_URL}, else the public API)."),
    ] = None,
    sandbox: Annotated[
        bool, typer.Option(help="Use the in-process emulator: no token, no network.")
    ] = False,
    retries: Annotated[
        int | None,
        typer.Option(min=0, help="Retries of a failed request (network, 429, 5xx); default 4."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Tracebacks on errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    enqueue: Annotated[
        bool,
        typer.Option(
            help="Queue collection jobs for `tokarc worker` instead of running them "
            "(PostgreSQL --db)."
        ),
    ] = False,
    queue: Annotated[str, typer.Option(help="The queue --enqueue uses.")] = "tokarc",
) -> None:
    """Global options, before the command or after it."""
    _configure_logging(verbose)
    state = ctx.ensure_object(Session)
    state.token, state.base_url, state.sandbox = token, base_url, sandbox
    state.retries, state.verbose, state.quiet = retries, verbose, quiet
    state.enqueue, state.queue = enqueue, queue


def _configure_logging(verbose: bool) -> None:
    """Log lines on stderr as ``tokarc: ...``: warnings by default, but not the libraries'
    retry and request chatter (the progress bar shows the run); everything with --verbose."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CLIHandler)]:
        root.removeHandler(old)  # a second command in the same process
    handler = _CLIHandler(verbose)
    root.addHandler(handler)
    if verbose:
        root.setLevel(logging.DEBUG)


class _CLIHandler(logging.StreamHandler):  # type: ignore[type-arg]
    _CHATTY = ("stamina", "httpx", "httpcore")

    def __init__(self, verbose: bool) -> None:
        super().__init__()
        self.verbose = verbose
        self.setLevel(logging.DEBUG if verbose else logging.WARNING)
        self.setFormatter(_Formatter())

    def filter(self, record: logging.LogRecord) -> bool:
        chatty = record.name.split(".")[0] in self._CHATTY and record.levelno < logging.ERROR
        return (self.verbose or not chatty) and bool(super().filter(record))


class _Formatter(logging.Formatter):
    """``tokarc: message`` for tokarc's own logger, ``tokarc: httpx: message`` for others;
    passwords redacted and control characters made visible."""

    def format(self, record: logging.LogRecord) -> str:
        name = record.name.removeprefix("tokarc").lstrip(".")
        text = f"tokarc: {name + ': ' if name else ''}{safe(redact(record.getMessage()))}"
        if record.exc_info:
            text += "\n" + redact(self.formatException(record.exc_info))
        return text
