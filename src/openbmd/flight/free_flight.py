"""Ballistic free flight from a burnout state: closed form or numerical, one front door.

:func:`ballistic_flight` answers "how far does a re-entry vehicle fly from this burnout
speed, angle and altitude". Over a spherical, non-rotating Earth without drag it uses the
closed forms of :mod:`openbmd.flight.ballistic` (Bate, Mueller & White, ch. 6); with the
WGS 84 ellipsoid, J2, Earth rotation or drag it integrates the flight with
:func:`openbmd.flight.propagate.propagate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openbmd.errors import require_positive, require_range


@dataclass(frozen=True)
class BallisticFlight:
    """Result of :func:`ballistic_flight` (SI units).

    ``range_m`` is the distance along the Earth's surface from the point below burnout to
    the impact point (great circle on the sphere, geodesic on WGS 84);
    ``range_angle_rad`` the angle at the Earth's centre between the two (Earth-fixed);
    ``impact_speed_m_s`` is relative to the (rotating) Earth.
    """

    range_m: float
    range_angle_rad: float
    apogee_alt_m: float
    time_of_flight_s: float
    impact_speed_m_s: float
    method: str


def ballistic_flight(
    burnout_speed_m_s: float,
    burnout_angle_deg: float,
    burnout_alt_m: float = 0.0,
    *,
    spherical: bool = False,
    earth_radius_m: float | None = None,
    rotation: bool = True,
    drag: bool = True,
    ballistic_coefficient_kg_m2: float = 10000.0,
    burnout_lat_deg: float = 0.0,
    azimuth_deg: float = 90.0,
) -> BallisticFlight:
    """Free flight from burnout to impact.

    Parameters
    ----------
    burnout_speed_m_s : float
        Speed at burnout relative to the Earth, m/s (> 0, below escape).
    burnout_angle_deg : float
        Flight-path angle above the local horizontal, deg, in (0, 90).
    burnout_alt_m : float
        Burnout altitude, m (>= 0).
    spherical : bool
        Sphere of ``earth_radius_m`` (default mean radius 6371.0088 km) with a point-mass
        field instead of WGS 84 with J2.
    rotation, drag : bool
        Earth rotation; atmospheric drag (U.S. Standard Atmosphere 1976).
    ballistic_coefficient_kg_m2 : float
        beta = m / (Cd A) of the vehicle, kg/m^2 (used with drag).
    burnout_lat_deg, azimuth_deg : float
        Where and toward which azimuth (deg from north) the flight starts (they matter
        with rotation and on the ellipsoid).
    """
    from openbmd.constants import MEAN_EARTH_RADIUS_M

    require_positive("burnout_speed_m_s", burnout_speed_m_s)
    require_range("burnout_angle_deg", burnout_angle_deg, 0.0, 90.0, low_open=True, high_open=True)
    require_range("burnout_alt_m", burnout_alt_m, 0.0, 5.0e6)
    require_range("burnout_lat_deg", burnout_lat_deg, -90.0, 90.0)
    require_range("azimuth_deg", azimuth_deg, -360.0, 360.0)
    radius = MEAN_EARTH_RADIUS_M if earth_radius_m is None else float(earth_radius_m)
    require_range("earth_radius_m", radius, 1.0e6, 1.0e7)
    if drag:
        require_positive("ballistic_coefficient_kg_m2", ballistic_coefficient_kg_m2)

    if spherical and not rotation and not drag:
        from openbmd.flight.ballistic import free_flight_deg

        ff = free_flight_deg(
            burnout_speed_m_s, burnout_angle_deg, burnout_alt_m, earth_radius_m=radius
        )
        return BallisticFlight(
            float(ff.range_m),
            float(ff.range_angle_rad),
            float(ff.apogee_alt_m),
            float(ff.time_of_flight_s),
            float(ff.impact_speed_m_s),
            "closed-form",
        )
    return _numerical(
        burnout_speed_m_s,
        burnout_angle_deg,
        burnout_alt_m,
        spherical,
        radius,
        rotation,
        drag,
        ballistic_coefficient_kg_m2,
        burnout_lat_deg,
        azimuth_deg,
    )


def _numerical(
    speed: float,
    angle_deg: float,
    alt_m: float,
    spherical: bool,
    radius: float,
    rotation: bool,
    drag: bool,
    beta: float,
    lat_deg: float,
    az_deg: float,
) -> BallisticFlight:
    from openbmd.flight.propagate import EarthModel, FlightPlan, ecef_state_to_eci, propagate
    from openbmd.geodesy import (
        ecef_to_geodetic,
        enu_vector_to_ecef,
        geodesic_inverse,
        geodetic_to_ecef,
    )

    if spherical:
        earth = EarthModel.spherical(radius, rotation=rotation, drag=drag)
        lat = math.radians(lat_deg)
        r0 = (radius + alt_m) * np.array([math.cos(lat), 0.0, math.sin(lat)])
    else:
        earth = EarthModel.wgs84(rotation=rotation, drag=drag)
        r0 = np.asarray(geodetic_to_ecef(lat_deg, 0.0, alt_m), dtype=float)
    g, a = math.radians(angle_deg), math.radians(az_deg)
    v_enu = speed * np.array([math.cos(g) * math.sin(a), math.cos(g) * math.cos(a), math.sin(g)])
    v0 = np.asarray(enu_vector_to_ecef(v_enu, lat_deg, 0.0), dtype=float)
    state = ecef_state_to_eci(r0, v0, 0.0, earth.omega_rad_s)
    plan = FlightPlan.coast(
        state[:3], state[3:], ballistic_coefficient_kg_m2=beta if drag else math.inf
    )
    prop = propagate(plan, earth)
    if not prop.impacted[0]:
        from openbmd.errors import ParameterError

        raise ParameterError(
            "burnout_speed_m_s", "low enough that the vehicle comes back within 2 hours", speed
        )
    r_end, v_end = prop.end_state_ecef()
    r_end, v_end = r_end[0], v_end[0]
    ground0 = r0 / np.linalg.norm(r0)
    angle = math.acos(float(np.clip(np.dot(ground0, r_end / np.linalg.norm(r_end)), -1.0, 1.0)))
    if spherical:
        rng = radius * angle
    else:
        lat1, lon1, _ = ecef_to_geodetic(r_end)
        rng = float(geodesic_inverse(lat_deg, 0.0, float(lat1), float(lon1))[0])
    return BallisticFlight(
        rng,
        angle,
        float(prop.apogee_alt_m()[0]),
        float(prop.flight_time_s[0]),
        float(np.linalg.norm(v_end)),
        "numerical",
    )
