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

from ..client import _constants as C
from ..client._client import Client
from ..client._retry import RetryPolicy
from . import _errors

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

    @property
    def console(self) -> Console:
        """Progress and messages: stderr."""
        return Console(stderr=True, highlight=False, soft_wrap=True)

    def say(self, message: str) -> None:
        """A progress message on stderr (not with --quiet)."""
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

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
        if self.sandbox:
            return " --sandbox"
        return f" --base-url {self.base_url}" if self.base_url else ""


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
        code = self._run(args, prog_name or "tokarc", complete_var, extra)
        if not standalone_mode:
            return code
        sys.exit(code)

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
    enqueue: Annotated[
        bool,
        typer.Option(
            help="Queue collection jobs for `tokarc worker` instead of running them "
            "(PostgreSQL --db)."
        ),
    ] = False,
    queue: Annotated[str, typer.Option(help="The queue --enqueue uses.")] = "tokarc",
) -> None:
    """Global options come before the command."""
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
        self.setFormatter(logging.Formatter("tokarc: %(name)s: %(message)s"))

    def filter(self, record: logging.LogRecord) -> bool:
        chatty = record.name.split(".")[0] in self._CHATTY and record.levelno < logging.ERROR
        return (self.verbose or not chatty) and bool(super().filter(record))
