"""The command line's layout: every command registered in one list, in its order; modules
that import one another at their top only, without a cycle; the collecting commands' shared
options written once (issue 26)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer.testing import CliRunner

import tokarc.cli
from tokarc.cli import COMMANDS, GROUPS, app
from tokarc.cli._collect import RunOptions, Sink
from tokarc.cli._job_options import job_options

from .conftest import Ran

CLI = Path(tokarc.cli.__file__).parent


def test_the_group_lists_the_commands_in_the_listed_order() -> None:
    group = typer.main.get_command(app)
    listed = [name for name, _ in COMMANDS] + [name for name, _, _ in GROUPS]
    assert list(group.commands) == listed  # type: ignore[attr-defined]
    for name, _, commands in GROUPS:
        sub = group.commands[name]  # type: ignore[attr-defined]
        assert list(sub.commands) == [each for each, _ in commands]


def test_every_command_is_listed_once() -> None:
    callbacks = [c for _, c in COMMANDS] + [c for _, _, cs in GROUPS for _, c in cs]
    assert len(callbacks) == len(set(callbacks))


def _in_functions(tree: ast.AST) -> list[ast.ImportFrom]:
    """The ``from .`` imports in the module's functions."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return [
        n for f in functions for n in ast.walk(f) if isinstance(n, ast.ImportFrom) and n.level == 1
    ]


def _imported(node: ast.ImportFrom) -> set[str]:
    """The cli modules ``from . import _a, _b`` or ``from ._a import x`` names."""
    if node.module:
        return {node.module.split(".")[0]}
    return {alias.name for alias in node.names}


def _graph() -> dict[str, set[str]]:
    """Which cli modules each one imports, wherever it does."""
    graph: dict[str, set[str]] = {}
    for path in CLI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1]
        graph[path.stem] = set().union(*map(_imported, found))
    return graph


def test_no_cli_module_imports_another_inside_a_function() -> None:
    hidden = []
    for path in CLI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden += [f"{path.name}:{n.lineno}" for n in _in_functions(tree)]
    assert hidden == []


def test_the_cli_modules_import_one_another_without_a_cycle() -> None:
    graph = _graph()
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> None:
        assert module not in path, " -> ".join([*path, module])
        if module in done or module not in graph:
            return
        path.append(module)
        for each in sorted(graph[module]):
            visit(each)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


# -- the collecting commands' shared options ---------------------------------------------------


def _probe(**settings: bool) -> tuple[typer.Typer, dict[str, Any]]:
    """A one-command app whose command keeps the sink and run options it is called with."""
    seen: dict[str, Any] = {}

    @job_options(**settings)
    def probe(ctx: typer.Context, target: str, *, sink: Sink, run: RunOptions) -> None:
        seen.update(target=target, sink=sink, run=run)

    probe_app = typer.Typer()
    probe_app.command()(probe)
    return probe_app, seen


def test_job_options_call_the_command_with_a_sink_and_run_options(tmp_path: Path) -> None:
    probe_app, seen = _probe()
    db = str(tmp_path / "p.db")
    args = ["magic", "--db", db, "-o", "x.csv", "--max-items", "5", "--max-units", "50"]
    args += ["--full-rescan", "--wait"]
    ran = CliRunner().invoke(probe_app, args)
    assert ran.exit_code == 0, ran.output
    assert seen["target"] == "magic"
    assert seen["sink"] == Sink(db=db, out="x.csv", format=None)
    assert seen["run"] == RunOptions(max_items=5, max_units=50, incremental=False, wait=True)


def test_a_lookup_has_no_walk_options() -> None:
    probe_app, seen = _probe(walk=False, units=False)
    usage = CliRunner().invoke(probe_app, ["--help"]).output
    assert "--estimate" in usage
    assert "--media" in usage
    for option in ("--max-items", "--max-units", "--incremental", "--wait"):
        assert option not in usage
    assert CliRunner().invoke(probe_app, ["--max-items", "5", "x"]).exit_code == 2
    assert seen == {}


def test_the_shared_options_stand_where_sink_and_run_are(cli: Callable[..., Ran]) -> None:
    lines = [
        line.split()[0] for line in cli("post", "--help").out.splitlines() if line[:4] == "  --"
    ]
    where = [lines.index(option) for option in ("--db", "--estimate", "--gone-after", "--media")]
    assert where == sorted(where)  # post's own --gone-after after them, --media last
