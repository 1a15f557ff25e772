"""The catalog classes a scenario may name, and the parameters each class lets it change.

Four catalogs (each parameter with its public source): missiles
(:mod:`openbmd.threats.catalog`), radars (:mod:`openbmd.sensors.catalog`), space-based
early warning (:mod:`openbmd.sensors.early_warning`) and interceptors
(:mod:`openbmd.interceptors.catalog`). Imports are deferred so that loading the scenario
package stays cheap.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

__all__ = [
    "EARLY_WARNING_PARAMETERS",
    "KINDS",
    "class_names",
    "missile_parameters",
    "parameters",
    "stage_override",
]

#: Catalog kinds, as the scenario file names them.
KINDS: tuple[str, ...] = ("missile", "radar", "early_warning", "interceptor")

#: Overridable early-warning parameters, named as in ``data/early_warning.yaml``.
EARLY_WARNING_PARAMETERS: tuple[str, ...] = (
    "satellite_longitudes_deg",
    "cloud_top_alt_km",
    "grazing_alt_km",
    "reporting_latency_s",
    "launch_point_sigma_km",
    "launch_azimuth_sigma_deg",
    "launch_time_sigma_s",
)
#: Radar attributes that the scenario sets itself (not overrides).
_RADAR_OWN = frozenset({"name", "lat_deg", "lon_deg", "alt_m", "sources", "description"})
#: Missile attributes that are not parameters.
_MISSILE_OWN = frozenset({"name", "stages", "description", "sources", "rocket"})
_STAGE_KEY = re.compile(r"^stages\[(\d+)\]\.([a-z_0-9]+)$")


def class_names(kind: str) -> list[str]:
    """Names of the catalog classes of ``kind`` (one of :data:`KINDS`)."""
    if kind == "missile":
        from openbmd.threats.catalog import missile_names

        return missile_names()
    if kind == "radar":
        from openbmd.sensors.catalog import radar_names

        return radar_names()
    if kind == "early_warning":
        from openbmd.sensors.early_warning import early_warning_names

        return early_warning_names()
    if kind == "interceptor":
        from openbmd.interceptors.catalog import interceptor_names

        return interceptor_names()
    raise ValueError(f"unknown catalog kind {kind!r}")


@cache
def _stage_fields() -> tuple[str, ...]:
    from openbmd.threats.missile import Stage

    return tuple(f.name for f in dataclasses.fields(Stage))


@cache
def _missile_fields() -> tuple[str, ...]:
    from openbmd.threats.missile import Missile

    return tuple(f.name for f in dataclasses.fields(Missile) if f.name not in _MISSILE_OWN)


def missile_parameters(stage_count: int) -> tuple[str, ...]:
    """Overridable missile parameters: the missile's own, then ``stages[k].<name>``."""
    stage = tuple(f"stages[{k}].{name}" for k in range(stage_count) for name in _stage_fields())
    return _missile_fields() + stage


def stage_override(key: str) -> tuple[int, str] | None:
    """``(stage index, parameter)`` for a key ``stages[k].<name>``, else None."""
    m = _STAGE_KEY.match(key)
    return (int(m.group(1)), m.group(2)) if m else None


@cache
def _missile_stage_count(name: str) -> int:
    from openbmd.threats.catalog import get_missile

    return len(get_missile(name).stages)


def parameters(kind: str, class_name: str) -> tuple[str, ...]:
    """Parameters of catalog class ``class_name`` of ``kind`` that a scenario may override
    (``class_name`` must exist)."""
    if kind == "missile":
        return missile_parameters(_missile_stage_count(class_name))
    if kind == "radar":
        from openbmd.sensors.radar import Radar

        return tuple(f.name for f in dataclasses.fields(Radar) if f.name not in _RADAR_OWN)
    if kind == "early_warning":
        return EARLY_WARNING_PARAMETERS
    if kind == "interceptor":
        from openbmd.interceptors.catalog import PARAMETERS

        return tuple(PARAMETERS)
    raise ValueError(f"unknown catalog kind {kind!r}")
