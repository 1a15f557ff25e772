"""Catalog of generic missile classes with the public source of every parameter.

The data live in ``openbmd/data/missiles.yaml``; each parameter there is a mapping
``{value: ..., source: "..."}``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from openbmd.errors import ParameterError
from openbmd.threats.missile import Missile, Stage

_STAGE_KEYS = (
    "propellant_mass_kg",
    "dry_mass_kg",
    "isp_sea_level_s",
    "isp_vacuum_s",
    "burn_time_s",
)
_MISSILE_KEYS = (
    "payload_mass_kg",
    "rv_ballistic_coefficient_kg_m2",
    "body_diameter_m",
    "body_drag_coefficient",
    "vertical_rise_s",
    "pitch_over_s",
    "nominal_range_km",
)


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("openbmd").joinpath("data/missiles.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def missile_names() -> list[str]:
    """Names of the catalog classes (``srbm``, ``mrbm``, ``irbm``, ``icbm``)."""
    return list(_raw())


@cache
def get_missile(name: str) -> Missile:
    """Return the catalog missile class ``name``.

    Raises
    ------
    ParameterError
        If no class of that name exists (the message lists the names).
    """
    raw = _raw()
    if name not in raw:
        raise ParameterError("missile", "one of " + ", ".join(raw), name)
    entry = raw[name]
    sources: dict[str, str] = {}
    stages = []
    for k, st in enumerate(entry["stages"]):
        stages.append(Stage(**{key: float(st[key]["value"]) for key in _STAGE_KEYS}))
        for key in _STAGE_KEYS:
            sources[f"stages[{k}].{key}"] = st[key]["source"]
    values = {}
    for key in _MISSILE_KEYS:
        values[key] = float(entry[key]["value"])
        sources[key] = entry[key]["source"]
    return Missile(
        name=name, stages=tuple(stages), description=entry["description"], sources=sources, **values
    )
