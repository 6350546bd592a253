"""The layering contract covers every package, and the packages form no cycle.

`lint-imports` (run by `make test`) checks the layers declared in
pyproject.toml. import-linter cannot check that a layers contract without
containers is exhaustive, so a package added without a layer would go
unchecked; these tests close that gap and check the package graph for
cycles directly.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        loaded: dict[str, object] = tomllib.load(handle)["tool"]["importlinter"]
    return loaded


def _layer_units() -> list[list[str]]:
    config = _config()
    contracts = config["contracts"]
    assert isinstance(contracts, list)
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    return [[m.strip() for m in layer.replace(":", "|").split("|")] for layer in layers["layers"]]


def _unit(module: str, units: set[str]) -> str | None:
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in units:
            return candidate
    return None


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    config = _config()
    roots = config["root_packages"]
    assert isinstance(roots, list)
    return grimp.build_graph(*roots)


def test_every_module_belongs_to_a_layer(graph: grimp.ImportGraph) -> None:
    units = {u for layer in _layer_units() for u in layer}
    roots = _config()["root_packages"]
    assert isinstance(roots, list)
    # A root package's own __init__ holds no code that others import.
    orphans = sorted(m for m in graph.modules if m not in roots and _unit(m, units) is None)
    assert orphans == [], f"modules outside every layer of pyproject's contract: {orphans}"


def test_layer_units_import_no_cycle(graph: grimp.ImportGraph) -> None:
    units = {u for layer in _layer_units() for u in layer}
    edges: dict[str, set[str]] = {u: set() for u in units}
    for module in graph.modules:
        source = _unit(module, units)
        for imported in graph.find_modules_directly_imported_by(module):
            target = _unit(imported, units)
            if source and target and source != target:
                edges[source].add(target)
    # Depth-first search for a back edge, reporting the cycle it closes.
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(unit: str) -> list[str] | None:
        state[unit] = 1
        path.append(unit)
        for target in sorted(edges[unit]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[unit] = 2
        return None

    for unit in sorted(units):
        if unit not in state and (cycle := visit(unit)):
            pytest.fail("packages import each other in a cycle: " + " -> ".join(cycle))
