"""Fly batches of missile launches and measure what a defence analysis needs.

:func:`fly` propagates N launches of one missile (drag, J2, Earth rotation) and returns
:class:`Flights`: impact point, ground range, burnout speed and angle (relative to the
rotating Earth), apogee, time of flight and re-entry speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openbmd.flight.propagate import (
    EarthModel,
    FlightPlan,
    Propagation,
    eci_state_to_ecef,
    propagate,
)
from openbmd.geodesy import ecef_vector_to_enu, geodesic_inverse
from openbmd.geodesy.kernels import ecef_to_geodetic_batch
from openbmd.threats.missile import Missile

#: Altitude whose downward crossing defines the re-entry speed, m (a common convention
#: for the atmospheric interface of ballistic re-entry).
REENTRY_ALT_M = 100_000.0


@dataclass(frozen=True)
class Flights:
    """Outcome of N launches (arrays of shape (N,), SI units unless suffixed).

    ``burnout_*`` are taken at the end of the last powered phase (or the cut-off),
    relative to the rotating Earth; ``burnout_angle_rad`` is the flight-path angle above
    the local horizontal. ``reentry_speed_m_s`` is the Earth-relative speed at the
    downward crossing of 100 km (NaN if the apogee is lower).
    """

    plan: FlightPlan
    propagation: Propagation
    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    impact_lat_deg: np.ndarray
    impact_lon_deg: np.ndarray
    ground_range_m: np.ndarray
    impact_azimuth_deg: np.ndarray
    burnout_time_s: np.ndarray
    burnout_speed_m_s: np.ndarray
    burnout_angle_rad: np.ndarray
    burnout_alt_m: np.ndarray
    apogee_alt_m: np.ndarray
    time_of_flight_s: np.ndarray
    reentry_speed_m_s: np.ndarray
    impacted: np.ndarray


def fly(
    missile: Missile,
    launch_lat_deg: float,
    launch_lon_deg: float,
    azimuth_rad: np.ndarray,
    kick_angle_rad: np.ndarray,
    cutoff_s: np.ndarray | None = None,
    *,
    earth: EarthModel | None = None,
    launch_alt_m: float = 0.0,
    launch_time_s: float = 0.0,
    sample_step_s: float | None = None,
    sample_start_s: float | None = None,
) -> Flights:
    """Propagate launches of ``missile`` from one point (arrays broadcast to (N,))."""
    from openbmd.geodesy import geodetic_to_ecef

    earth = earth or EarthModel.wgs84()
    launch = np.asarray(geodetic_to_ecef(launch_lat_deg, launch_lon_deg, launch_alt_m))
    plan = missile.flight_plan(
        launch,
        azimuth_rad,
        kick_angle_rad,
        cutoff_s,
        launch_time_s=launch_time_s,
        omega_rad_s=earth.omega_rad_s,
    )
    prop = propagate(
        plan,
        earth,
        altitude_levels_m=(REENTRY_ALT_M,),
        sample_step_s=sample_step_s,
        sample_start_s=sample_start_s,
    )
    return measure(missile, plan, prop, launch_lat_deg, launch_lon_deg)


def measure(
    missile: Missile,
    plan: FlightPlan,
    prop: Propagation,
    launch_lat_deg: float,
    launch_lon_deg: float,
) -> Flights:
    """Derive the :class:`Flights` figures from a propagation of ``plan``."""
    n = plan.size
    r_end, _ = prop.end_state_ecef()
    lat, lon, _alt = _geodetic_deg(r_end)
    lat0 = np.full(n, float(launch_lat_deg))
    lon0 = np.full(n, float(launch_lon_deg))
    dist = np.full(n, np.nan)
    azi = np.full(n, np.nan)
    ok = np.isfinite(lat)
    if np.any(ok):
        d, a, _ = geodesic_inverse(lat0[ok], lon0[ok], lat[ok], lon[ok])
        dist[ok], azi[ok] = d, a

    # burnout: end of the last powered phase (NaN if the flight ended before it)
    k_bo = len(missile.stages) - 1
    bo_state = prop.phase_end_state_eci[:, k_bo]
    bo_time = prop.phase_end_time_s[:, k_bo]
    r_bo, v_bo = eci_state_to_ecef(bo_state, bo_time, prop.earth.omega_rad_s)
    bo_lat, bo_lon, bo_alt = _geodetic_deg(r_bo)
    ok = np.isfinite(bo_lat)
    v_enu = np.full((n, 3), np.nan)
    if np.any(ok):
        v_enu[ok] = ecef_vector_to_enu(v_bo[ok], bo_lat[ok], bo_lon[ok])
    speed = np.linalg.norm(v_enu, axis=-1)
    with np.errstate(invalid="ignore"):
        angle = np.arcsin(np.clip(v_enu[..., 2] / speed, -1.0, 1.0))

    re_state = prop.crossing_state_eci[:, 0, 1]
    re_time = prop.crossing_time_s[:, 0, 1]
    _, v_re = eci_state_to_ecef(re_state, re_time, prop.earth.omega_rad_s)
    return Flights(
        plan=plan,
        propagation=prop,
        launch_lat_deg=lat0,
        launch_lon_deg=lon0,
        impact_lat_deg=lat,
        impact_lon_deg=lon,
        ground_range_m=dist,
        impact_azimuth_deg=azi,
        burnout_time_s=bo_time - plan.launch_time_s,
        burnout_speed_m_s=speed,
        burnout_angle_rad=angle,
        burnout_alt_m=bo_alt,
        apogee_alt_m=prop.apogee_alt_m(),
        time_of_flight_s=prop.flight_time_s,
        reentry_speed_m_s=np.linalg.norm(v_re, axis=-1),
        impacted=prop.impacted,
    )


def _geodetic_deg(r_ecef_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitude, longitude (deg) and altitude (m) of (N, 3) points; NaN rows stay NaN."""
    r = np.asarray(r_ecef_m, dtype=float).reshape(-1, 3)
    out = np.full((r.shape[0], 3), np.nan)
    ok = np.all(np.isfinite(r), axis=1)
    if np.any(ok):
        out[ok] = ecef_to_geodetic_batch(np.ascontiguousarray(r[ok]))
    return np.degrees(out[:, 0]), np.degrees(out[:, 1]), out[:, 2]
