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
    },
    "errors": {"geodesy", "atmosphere", "flight", "threats", "io", "report", "cli", "validation"},
    "geodesy": {"atmosphere", "flight", "threats", "io", "report", "cli", "validation"},
    "atmosphere": {"geodesy", "flight", "threats", "io", "report", "cli", "validation"},
    "flight": {
        "threats",
        "sensors",
        "interceptors",
        "engagement",
        "io",
        "report",
        "cli",
        "validation",
    },
    "threats": {"sensors", "interceptors", "engagement", "io", "report", "cli", "validation"},
    "sensors": {"threats", "interceptors", "io", "report", "cli", "validation"},
    "interceptors": {"threats", "sensors", "engagement", "io", "report", "cli", "validation"},
    "engagement": {"scenario", "pipeline", "io", "report", "cli", "validation"},
    "tracking": {"engagement", "scenario", "pipeline", "io", "report", "cli", "validation"},
    "scenario": {"tracking", "engagement", "pipeline", "io", "report", "cli", "validation"},
    "pipeline": {"io", "report", "cli"},
    "validation": {"io", "report", "cli"},
    "io": {"report", "cli"},
    "report": {"cli"},
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
