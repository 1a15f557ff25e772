"""The layer rules of docs/architecture.md, checked on the source tree."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "openbmd"

#: For each package, the openbmd packages it must never import.
FORBIDDEN = {
    "constants": {
        "geodesy",
        "atmosphere",
        "flight",
        "threats",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "errors": {
        "geodesy",
        "atmosphere",
        "flight",
        "threats",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "geodesy": {
        "atmosphere",
        "flight",
        "threats",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "atmosphere": {
        "geodesy",
        "flight",
        "threats",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "flight": {
        "threats",
        "sensors",
        "interceptors",
        "engagement",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "threats": {
        "sensors",
        "interceptors",
        "engagement",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "sensors": {"threats", "interceptors", "io", "report", "cli", "validation", "analysis", "web"},
    "interceptors": {
        "threats",
        "sensors",
        "engagement",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "engagement": {"scenario", "pipeline", "io", "report", "cli", "validation", "analysis", "web"},
    "tracking": {
        "engagement",
        "scenario",
        "pipeline",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "scenario": {
        "tracking",
        "engagement",
        "pipeline",
        "io",
        "report",
        "cli",
        "validation",
        "analysis",
        "web",
    },
    "pipeline": {"analysis", "io", "report", "cli", "web"},
    "analysis": {"io", "report", "cli", "web"},
    "validation": {"io", "report", "cli", "web"},
    "io": {"report", "cli", "web"},
    "report": {"cli", "web"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("openbmd."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("openbmd."):
                    found.add(alias.name.split(".")[1])
    return found


def _modules(package: str) -> list[Path]:
    pkg = SRC / package
    return sorted(pkg.rglob("*.py")) if pkg.is_dir() else [SRC / f"{package}.py"]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_layers(package):
    files = _modules(package)
    assert files, f"package {package} not found"
    for path in files:
        bad = _imports(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}, above its layer"


def test_every_source_file_is_small():
    big = [
        (p.relative_to(SRC), n)
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text("utf-8").splitlines())) > 600
    ]
    assert not big, f"files over 600 lines (house style: ~500): {big}"
