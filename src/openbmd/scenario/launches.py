"""One record per missile of a scenario: where from, where to, when, which shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from openbmd.scenario.distributions import nominal_value

if TYPE_CHECKING:
    from openbmd.scenario.model import Scenario

__all__ = ["Launch", "launches"]


@dataclass(frozen=True)
class Launch:
    """One missile of a threat.

    Attributes
    ----------
    threat_id : str
        Id of the threat in the scenario.
    object_id : str
        ``"<threat id>-<k>"`` (k from 1) when the threat has several missiles, else the
        threat id.
    index : int
        k - 1, the missile's index within its threat.
    missile_class : str
        Catalog class (or the inline missile's name).
    launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg : float
        Geodetic WGS 84, deg.
    launch_time_s : float
        Seconds after the scenario epoch.
    shape : str
        ``min-energy``, ``apogee``, ``burnout-angle`` or ``time-of-flight``.
    shape_parameter : dict
        The shape's keyword for :func:`openbmd.threats.solve_trajectory` (e.g.
        ``{"apogee_km": 300.0}``; empty for min-energy).
    value : float
        The threat's relative value.
    """

    threat_id: str
    object_id: str
    index: int
    missile_class: str
    launch_lat_deg: float
    launch_lon_deg: float
    aim_lat_deg: float
    aim_lon_deg: float
    launch_time_s: float
    shape: str
    shape_parameter: dict[str, float] = field(default_factory=dict)
    value: float = 1.0


def launches(scenario: Scenario, seed: int) -> tuple[Launch, ...]:
    """The missiles of ``scenario`` (nominal values; area points drawn with ``seed``)."""
    rng = np.random.default_rng(seed)
    nominal = scenario.nominal()
    out: list[Launch] = []
    for threat in nominal.threats:
        n = threat.count
        lat0, lon0 = threat.launch.sample_points(rng, n)
        lat1, lon1 = threat.aim.sample_points(rng, n)
        times = threat.launch_time_s
        t = [float(x) for x in times] if isinstance(times, list) else [nominal_value(times)] * n
        shape = {k: float(nominal_value(v)) for k, v in threat.shape_parameter.items()}
        for k in range(n):
            out.append(
                Launch(
                    threat_id=threat.id,
                    object_id=f"{threat.id}-{k + 1}" if n > 1 else threat.id,
                    index=k,
                    missile_class=threat.missile_class,
                    launch_lat_deg=float(lat0[k]),
                    launch_lon_deg=float(lon0[k]),
                    aim_lat_deg=float(lat1[k]),
                    aim_lon_deg=float(lon1[k]),
                    launch_time_s=t[k],
                    shape=threat.shape_name,
                    shape_parameter=dict(shape),
                    value=threat.value,
                )
            )
    return tuple(out)
