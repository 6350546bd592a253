"""Every third-party module the code imports is a declared dependency.

A module that arrives only because another dependency needs it today (as
`joserfc` came with authlib and `cross_web` with strawberry) disappears the
day that dependency stops needing it, or pins it where we cannot see. So
each top-level import is mapped to the distributions that provide it
(importlib.metadata.packages_distributions) and one of them must be named
in pyproject.toml: in `dependencies` for the shipped packages, or also in
the `dev` extra for tests/ and bench/.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("hub", "schema", "connectors", "policies", "simulator")
DEVELOPMENT = ("tests", "bench")
FIRST_PARTY = frozenset((*SHIPPED, *DEVELOPMENT))


def _normalise(name: str) -> str:
    """A distribution name in PEP 503 normal form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(extra: str | None) -> set[str]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    requirements = list(project["dependencies"])
    if extra is not None:
        requirements += project["optional-dependencies"][extra]
    # The name is what comes before any extra, version or marker.
    return {_normalise(re.split(r"[\[<>=!~;\s]", r, maxsplit=1)[0]) for r in requirements}


def _imports(package: str) -> Iterator[tuple[str, Path]]:
    """(top-level module, file) for every absolute import in the package."""
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name.split(".")[0], path
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield node.module.split(".")[0], path


def _third_party(packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Third-party top-level modules imported, each with the files importing it."""
    found: dict[str, set[str]] = {}
    for package in packages:
        for module, path in _imports(package):
            if module in sys.stdlib_module_names or module in FIRST_PARTY:
                continue
            if module == "__future__":
                continue
            found.setdefault(module, set()).add(str(path.relative_to(ROOT)))
    return found


def _undeclared(packages: tuple[str, ...], declared: set[str]) -> list[str]:
    providers = packages_distributions()
    problems = []
    for module, files in sorted(_third_party(packages).items()):
        distributions = {_normalise(d) for d in providers.get(module, [])}
        if not distributions & declared:
            where = ", ".join(sorted(files)[:3])
            problems.append(f"{module} (from {sorted(distributions) or '?'}) in {where}")
    return problems


def test_the_shipped_packages_import_only_declared_dependencies() -> None:
    assert _undeclared(SHIPPED, _declared(None)) == []


def test_tests_and_benchmarks_import_only_declared_dependencies() -> None:
    assert _undeclared(DEVELOPMENT, _declared("dev")) == []


@pytest.mark.parametrize("module", ["strawberry", "sqlalchemy", "pytest"])
def test_the_check_sees_imports(module: str) -> None:
    # The walk finds imports at all, and their distributions are known.
    found = _third_party((*SHIPPED, *DEVELOPMENT))
    assert module in found
    assert packages_distributions().get(module)
