"""What the layout of ``src/tokarc`` shows: packages, import cycles, upward and private imports.

    .venv/bin/python scripts/layout.py [--list]

Reads every module's imports (module level and inside functions) with ``ast``, nothing is
imported. Prints:
- the packages with their lines of code;
- import cycles between modules (strongly connected components of the import graph, module-level
  and function-level imports alike: a function-level import hides a cycle, it does not remove it);
- function-level imports of tokarc modules (each one is an import the module could not make at the
  top);
- upward imports: a package importing one above it in ``LAYERS`` (the lowest first);
- private imports: a module importing another package's ``_private`` module.
``--list`` names every edge counted, not only the totals.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = "tokarc"
# Lowest first; a package may import those before it. Top-level modules (``tokarc._time``,
# ``tokarc.errors``...) count as the package ``tokarc`` and sit at the bottom, except the
# wiring modules named in TOP, which sit at the top.
LAYERS = (
    "tokarc", "api", "models", "client", "emulator", "store", "dataset", "analysis", "collect",
    "media", "monitor", "report", "workers", "cli",
)  # fmt: skip
TOP = {"tokarc", "tokarc.__main__", "tokarc.demo", "tokarc._wiring"}
# Old import paths kept for users' code after a module moved up a layer: each is one upward
# import, on purpose, and listed apart.
ALIASES = {("tokarc.store.export", "tokarc.dataset.export"), ("tokarc.monitor", "tokarc.report")}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def resolve(name: str, node: ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    """The tokarc modules an ``import from`` in module ``name`` names."""
    package = name if known[name].name == "__init__.py" else name.rpartition(".")[0]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith(ROOT):
        return []
    found = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in known else target)
    return [t for t in dict.fromkeys(found) if t in known]


def imports(known: dict[str, Path]) -> list[tuple[str, str, bool]]:
    """(importer, imported, inside a function) for every import of a tokarc module."""
    edges = []
    for name, path in known.items():
        tree = ast.parse(path.read_text())
        inner = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            for n in ast.walk(f)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                targets = resolve(name, node, known)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name in known]
            else:
                continue
            if _type_checking(tree, node):
                continue
            edges += [(name, t, id(node) in inner) for t in targets if t != name]
        edges += [(name, t, True) for t in by_name(tree, known) if t != name]
    return edges


def by_name(tree: ast.Module, known: dict[str, Path]) -> list[str]:
    """Modules imported by name at run time (``importlib.import_module("tokarc.x._y")``, or a
    package's ``lazy(...)`` names), counted as function-level imports."""
    found = []
    for n in ast.walk(tree):
        if not isinstance(n, ast.Call):
            continue
        func = ast.unparse(n.func)
        if func.endswith("import_module"):
            found += n.args[:1]
        elif func == "lazy" and len(n.args) > 1 and isinstance(n.args[1], ast.Dict):
            found += [v for v in n.args[1].values if v is not None]
    return [
        a.value
        for a in found
        if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value in known
    ]


def _type_checking(tree: ast.Module, node: ast.AST) -> bool:
    return any(
        isinstance(block, ast.If)
        and "TYPE_CHECKING" in ast.unparse(block.test)
        and any(n is node for n in ast.walk(block))
        for block in tree.body
    )


def package(module: str) -> str:
    if module in TOP:
        return "top"
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and _is_package(module)) else ROOT


def _is_package(module: str) -> bool:
    return (SRC / Path(*module.split(".")) / "__init__.py").exists()


def cycles(edges: list[tuple[str, str, bool]]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b, _ in edges:
        if (a, b) not in ALIASES:  # an old path, loaded only when asked for: not a real edge
            graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return sorted(out, key=len, reverse=True)


def upward(edges: list[tuple[str, str, bool]]) -> list[tuple[str, str]]:
    """The imports of a package above the importer's in LAYERS."""
    return sorted(
        {
            (a, b)
            for a, b, _ in edges
            if package(a) in LAYERS
            and package(b) in LAYERS
            and LAYERS.index(package(b)) > LAYERS.index(package(a))
        }
    )


def private(importer: str, imported: str) -> bool:
    """``imported`` is a private module of another package than ``importer``'s."""
    last = imported.rpartition(".")[2]
    if not last.startswith("_") or last.startswith("__"):
        return False
    owner = imported.rpartition(".")[0]
    return not (importer == owner or importer.startswith(owner + "."))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", action="store_true", help="name every edge counted")
    args = ap.parse_args()
    known = modules()
    edges = imports(known)
    sizes: dict[str, int] = defaultdict(int)
    files: dict[str, int] = defaultdict(int)
    for name, path in known.items():
        sizes[package(name)] += len(path.read_text().splitlines())
        files[package(name)] += 1
    print("packages (lines, files):")
    for p in sorted(sizes, key=lambda p: LAYERS.index(p) if p in LAYERS else -1):
        print(f"  {p:<10} {sizes[p]:>6,} lines  {files[p]:>3} files")
    comps = cycles(edges)
    print(f"import cycles: {len(comps)} (modules in them: {sum(map(len, comps))})")
    for comp in comps:
        print("  " + " <-> ".join(m.removeprefix("tokarc.") for m in comp))
    inner = sorted({(a, b) for a, b, f in edges if f})
    print(f"function-level (or by-name) imports of tokarc modules: {len(inner)}")
    up = upward(edges)
    aliases = [e for e in up if e in ALIASES]
    up = [e for e in up if e not in ALIASES]
    print(f"upward imports (a package importing one above it): {len(up)}")
    print(f"  and old import paths kept as aliases: {len(aliases)}")
    priv = sorted({(a, b) for a, b, _ in edges if private(a, b)})
    print(f"imports of another package's private module: {len(priv)}")
    if args.list:
        lists = (("function-level", inner), ("upward", up), ("aliases", aliases), ("private", priv))
        for title, pairs in lists:
            print(f"\n{title}:")
            for a, b in sorted(set(pairs)):
                print(f"  {a} -> {b}")


if __name__ == "__main__":
    main()
