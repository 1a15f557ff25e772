"""Built-in scenarios shipped with openbmd (``openbmd/scenario/builtin/*.yaml``).

Each is a commented YAML file: every value states its public source or says it is an
assumption. ``openbmd scenarios list`` lists them, ``openbmd scenarios show NAME``
prints one, and :func:`openbmd.scenario.load_scenario` loads one by name.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

__all__ = ["builtin_descriptions", "builtin_names", "builtin_path", "builtin_text"]


def _folder() -> Path:
    return Path(str(resources.files("openbmd.scenario").joinpath("builtin")))


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, sorted."""
    return sorted(p.stem for p in _folder().glob("*.yaml"))


def builtin_path(name: str) -> Path:
    """Path of the built-in scenario ``name`` (see :func:`builtin_names`).

    Raises
    ------
    ScenarioError
        No built-in of that name (the message lists them).
    """
    if name not in builtin_names():
        from openbmd.scenario.base import did_you_mean
        from openbmd.scenario.errors import ScenarioError

        names = builtin_names()
        raise ScenarioError(
            f"no built-in scenario {name!r}{did_you_mean(name, names)} "
            f"(built-ins: {', '.join(names)})"
        )
    return _folder() / f"{name}.yaml"


def builtin_text(name: str) -> str:
    """The YAML text of built-in scenario ``name``, comments included."""
    return builtin_path(name).read_text("utf-8")


def builtin_descriptions() -> dict[str, str]:
    """Name -> one-line description of every built-in (read without validating)."""
    out = {}
    for name in builtin_names():
        data = yaml.safe_load(builtin_text(name)) or {}
        text = str(data.get("description", "")) if isinstance(data, dict) else ""
        out[name] = " ".join(text.split())
    return out
