"""Range tables of a missile class.

- maximum range against launch azimuth at full burn, with drag, J2 and Earth rotation
  (eastward launches gain from the Earth's rotation);
- range against burnout speed and angle (free flight over a spherical, non-rotating
  Earth, closed form), spanning the class's own burnout speeds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from openbmd.errors import require_range
from openbmd.flight.ballistic import free_flight_deg
from openbmd.flight.propagate import EarthModel
from openbmd.threats.missile import Missile
from openbmd.threats.targeting import KICK_MAX_RAD, KICK_MIN_RAD, _best_kick, _Shooter

BURNOUT_ANGLES_DEG = (15.0, 25.0, 35.0, 45.0, 55.0, 65.0)


def range_tables(
    missile: Missile,
    *,
    launch_lat_deg: float = 40.0,
    azimuth_step_deg: float = 45.0,
    earth: EarthModel | None = None,
) -> dict[str, Any]:
    """Both range tables as JSON-ready lists of rows (keys with unit suffixes)."""
    require_range("launch_lat_deg", launch_lat_deg, -89.0, 89.0)
    require_range("azimuth_step_deg", azimuth_step_deg, 1.0, 180.0)
    earth = earth or EarthModel.wgs84()
    shoot = _Shooter(missile, launch_lat_deg, 0.0, earth, 0.0)
    rows = []
    best_speed = 0.0
    for az in np.arange(0.0, 360.0, azimuth_step_deg):
        kick, rng = _best_kick(
            shoot, math.radians(az), missile.total_burn_time_s, KICK_MIN_RAD, KICK_MAX_RAD
        )
        f = shoot(np.array([math.radians(az)]), np.array([kick]), None)
        best_speed = max(best_speed, float(f.burnout_speed_m_s[0]))
        rows.append(
            {
                "azimuth_deg": float(az),
                "max_range_km": rng / 1e3,
                "burnout_speed_m_s": float(f.burnout_speed_m_s[0]),
                "burnout_angle_deg": math.degrees(float(f.burnout_angle_rad[0])),
                "apogee_alt_km": float(f.apogee_alt_m[0]) / 1e3,
                "time_of_flight_s": float(f.time_of_flight_s[0]),
            }
        )
    speeds = np.round(np.linspace(0.4, 1.0, 4) * best_speed, -1)
    by_burnout = []
    for v in speeds:
        row: dict[str, float] = {"burnout_speed_m_s": float(v)}
        ff = free_flight_deg(
            np.full(len(BURNOUT_ANGLES_DEG), v),
            np.array(BURNOUT_ANGLES_DEG),
            np.zeros(len(BURNOUT_ANGLES_DEG)),
        )
        for ang, r in zip(BURNOUT_ANGLES_DEG, np.atleast_1d(ff.range_m), strict=True):
            row[f"range_km_at_{ang:g}_deg"] = float(r) / 1e3
        by_burnout.append(row)
    return {
        "missile": missile.name,
        "launch_lat_deg": float(launch_lat_deg),
        "max_range_by_azimuth": rows,
        "range_by_burnout": by_burnout,
    }
