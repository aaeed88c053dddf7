"""The command line's layout: every command registered in one list, in its order, and modules
that import one another at their top only, without a cycle (issue 26)."""

from __future__ import annotations

import ast
from pathlib import Path

import typer.main

import tokarc.cli
from tokarc.cli import COMMANDS, GROUPS, app

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
