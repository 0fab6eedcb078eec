"""Data flows one way: a module imports only from its own layer or lower ones (DESIGN sections 1
and 8).  Function-level imports count too.  Layers, lowest first:"""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[1] / "sim"

LAYERS = [
    # helpers that depend on nothing in the simulator
    {"sim.errors", "sim.calendar", "sim.lifeline", "sim.files", "sim.executors", "sim.version",
     "sim.jit",
     "sim.allocator"},
    # inputs and their models: scenario, providers, catalogs, policy parsers, readers, workload
    {"sim.scenario", "sim.providers", "sim.pricing", "sim.tiering", "sim.ledger",
     "sim.workload", "sim.network", "sim.io", "sim.policies", "sim.read_outcomes",
     "sim.finance", "sim.uncertainty.distributions"},
    # engines and the run loop
    {"sim.archives", "sim.onprem", "sim.des", "sim.shards", "sim.operations", "sim.exit_cost"},
    # one run, runs in cohorts, comparisons
    {"sim.run", "sim.cohorts", "sim.compare", "sim.sensitivity", "sim.numbers",
     "sim.describe"},
    # analyses built on runs
    {"sim.uncertainty", "sim.calibrate", "sim.optimize"},
    # writers, figures, report pages
    {"sim.report"},
    # entry points
    {"sim.cli", "sim"},
]


def layer_of(module: str) -> int:
    best, found = "", -1
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > len(best):
                best, found = name, i
    assert found >= 0, f"{module} is in no layer: add it to LAYERS"
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The sim modules a file imports anywhere in it."""
    return imports_of(ast.walk(ast.parse(path.read_text())), known)


def imports_of(nodes, known: set[str]) -> set[str]:
    """The sim modules these nodes import (``from sim.x import y``: sim.x.y if a module)."""
    out = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "sim":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "sim"}
    return out


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_module_imports_a_higher_layer():
    known = {module_name(p) for p in SIM.rglob("*.py")}
    upward = []
    for path in sorted(SIM.rglob("*.py")):
        here = module_name(path)
        for target in imports(path, known):
            if layer_of(target) > layer_of(here):
                upward.append(f"{here} (layer {layer_of(here)}) imports {target} "
                              f"(layer {layer_of(target)})")
    assert not upward, "\n".join(upward)


def test_no_import_cycles_at_module_level():
    """Module-level imports form no cycle (function-level imports within a layer may)."""
    known = {module_name(p) for p in SIM.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in SIM.rglob("*.py"):
        body = ast.Module(body=ast.parse(path.read_text()).body, type_ignores=[])
        top = [n for n in body.body if isinstance(n, ast.Import | ast.ImportFrom)]
        graph[module_name(path)] = imports_of(top, known)
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*trail[trail.index(target):], target]))
            elif target in graph and target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)
