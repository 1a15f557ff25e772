"""What a footprint study takes from a scenario: the threat, its launch points, the
radars, the defence tiers and the doctrine, resolved and checked once.

Launch points of a launch area (a footprint is computed from each and the worst counts):

- a point: the point;
- a polygon: its vertices and its nominal point (the centroid when it lies inside, see
  :meth:`openbmd.scenario.PolygonArea.nominal_point`);
- a circle: its centre and the four points of its edge due north, east, south and west.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from openbmd.analysis.footprint_engage import (
    DoctrineSpec,
    RadarPack,
    Tier,
    doctrine_of,
    tiers_of,
)
from openbmd.errors import ParameterError, require_positive, require_range
from openbmd.scenario import (
    CircleArea,
    GeoPoint,
    PolygonArea,
    Scenario,
    load_scenario,
    resolve_scenario,
)
from openbmd.scenario.locations import polygon_problem
from openbmd.sensors.rcs import RcsModel
from openbmd.threats.missile import Missile

__all__ = [
    "DEFAULT_SAMPLE_STEP_S",
    "FootprintSetup",
    "launch_points",
    "parse_launch",
    "prepare",
]

#: Sampling of the threat trajectories for the intercept windows, s.
DEFAULT_SAMPLE_STEP_S = 2.0

_LAUNCH_ALLOWED = "a point (lat, lon) or a polygon of at least 3 (lat, lon) vertices, in deg"


@dataclass(frozen=True)
class FootprintSetup:
    """Everything a footprint needs besides the grid (see the module docstring).

    Attributes
    ----------
    scenario_name, threat_id : str
    missile : Missile
        The threat's missile (overrides applied).
    shape : str
    shape_parameter : dict
        The shape's keyword for :func:`openbmd.threats.solve_trajectory`.
    launch_lat_deg, launch_lon_deg : ndarray, shape (P,)
        Launch points.
    launch_kind : str
        ``point``, ``polygon`` or ``circle``.
    aim_lat_deg, aim_lon_deg : float
        Nominal aim point of the threat.
    radars : RadarPack
    tiers : tuple of Tier
    doctrine : DoctrineSpec
    sample_step_s : float
    """

    scenario_name: str
    threat_id: str
    missile: Missile
    shape: str
    shape_parameter: dict[str, float]
    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    launch_kind: str
    aim_lat_deg: float
    aim_lon_deg: float
    radars: RadarPack
    tiers: tuple[Tier, ...]
    doctrine: DoctrineSpec
    sample_step_s: float

    @property
    def nominal_index(self) -> int:
        """Index of the launch area's nominal point among the launch points (a polygon's
        nominal point comes last, a circle's centre first)."""
        return self.launch_lat_deg.size - 1 if self.launch_kind == "polygon" else 0

    @property
    def tier_names(self) -> tuple[str, ...]:
        """Interceptor class of each tier."""
        return tuple(t.name for t in self.tiers)


def parse_launch(launch: Any) -> GeoPoint | PolygonArea | CircleArea:
    """A launch place given to the Python API, checked.

    Accepts a scenario location (:class:`GeoPoint`, :class:`PolygonArea`,
    :class:`CircleArea`), a ``(lat, lon)`` pair or a sequence of ``(lat, lon)`` vertices.

    Raises
    ------
    ParameterError
        An empty area, two vertices, coordinates out of range, or a polygon that repeats
        a vertex, intersects itself or encloses no area.
    """
    if isinstance(launch, GeoPoint | PolygonArea | CircleArea):
        return launch
    try:
        pts = np.asarray(launch, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("launch", _LAUNCH_ALLOWED, launch) from None
    if pts.size == 0:
        raise ParameterError("launch", _LAUNCH_ALLOWED, "an empty area")
    if pts.shape == (2,):
        pts = pts.reshape(1, 2)
    if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] == 2:
        raise ParameterError("launch", _LAUNCH_ALLOWED, pts.tolist())
    require_range("launch latitude", pts[:, 0], -90.0, 90.0)
    require_range("launch longitude", pts[:, 1], -180.0, 180.0)
    if pts.shape[0] == 1:
        return GeoPoint(lat_deg=float(pts[0, 0]), lon_deg=float(pts[0, 1]))
    vertices = [(float(a), float(b)) for a, b in pts]
    problem = polygon_problem(vertices)
    if problem is not None:
        raise ParameterError("launch", f"a simple polygon ({problem[1]})", vertices)
    return PolygonArea(polygon=vertices)


def launch_points(place: GeoPoint | PolygonArea | CircleArea) -> tuple[np.ndarray, np.ndarray, str]:
    """Launch points of a place (see the module docstring): latitudes, longitudes, kind."""
    if isinstance(place, PolygonArea):
        v = place.vertices()
        lat_c, lon_c = place.nominal_point()
        return np.append(v[:, 0], lat_c), np.append(v[:, 1], lon_c), "polygon"
    if isinstance(place, CircleArea):
        from openbmd.geodesy import geodesic_direct

        c = place.circle
        lat, lon, _ = geodesic_direct(
            np.full(4, c.center.lat_deg),
            np.full(4, c.center.lon_deg),
            np.array([0.0, 90.0, 180.0, 270.0]),
            np.full(4, 1e3 * c.radius_km),
        )
        lon = (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0
        return (np.append(c.center.lat_deg, lat), np.append(c.center.lon_deg, lon), "circle")
    return np.array([place.lat_deg]), np.array([place.lon_deg]), "point"


def prepare(
    scenario: Scenario | str,
    *,
    threat: str | None = None,
    launch: Any = None,
    rcs_m2: float | None = None,
    sample_step_s: float = DEFAULT_SAMPLE_STEP_S,
) -> FootprintSetup:
    """Resolve a scenario for a footprint study.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario, a file path or a built-in name.
    threat : str, optional
        Id of the threat group (default: the first).
    launch : optional
        Replaces the threat's launch place (see :func:`parse_launch`).
    rcs_m2 : float, optional
        Constant radar cross-section of the threat, m² (default: the generic re-entry
        vehicle's table against aspect, :meth:`openbmd.sensors.rcs.RcsModel.reentry_vehicle`).
    sample_step_s : float
        Sampling of the trajectories for the intercept windows, s, in (0, 10].

    Raises
    ------
    ParameterError
        An unknown threat id, a scenario without defence sites, a bad launch place.
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    step = float(require_range("sample_step_s", sample_step_s, 0.0, 10.0, low_open=True))
    if not scenario.defence.sites:
        raise ParameterError("scenario", "a scenario with at least one defence site", "none")
    ids = [t.id for t in scenario.threats]
    if threat is not None and threat not in ids:
        raise ParameterError("threat", "one of " + ", ".join(ids), threat)
    index = 0 if threat is None else ids.index(threat)
    resolved = resolve_scenario(scenario)
    nominal = resolved.scenario
    spec = nominal.threats[index]
    place = spec.launch if launch is None else parse_launch(launch)
    lat, lon, kind = launch_points(place)
    rcs = (
        RcsModel.reentry_vehicle()
        if rcs_m2 is None
        else RcsModel.constant(float(require_positive("rcs_m2", rcs_m2)))
    )
    aim_lat, aim_lon = spec.aim.nominal_point()
    shape_parameter = {k: float(v) for k, v in spec.shape_parameter.items()}
    if not all(math.isfinite(v) for v in shape_parameter.values()):
        raise ParameterError("shape", "finite shape parameters", shape_parameter)
    return FootprintSetup(
        scenario_name=nominal.name,
        threat_id=spec.id,
        missile=resolved.missiles[spec.id],
        shape=spec.shape_name,
        shape_parameter=shape_parameter,
        launch_lat_deg=np.asarray(lat, dtype=float),
        launch_lon_deg=np.asarray(lon, dtype=float),
        launch_kind=kind,
        aim_lat_deg=float(aim_lat),
        aim_lon_deg=float(aim_lon),
        radars=RadarPack.of(list(resolved.radars.values()), rcs),
        tiers=tiers_of(nominal, resolved),
        doctrine=doctrine_of(nominal),
        sample_step_s=step,
    )
