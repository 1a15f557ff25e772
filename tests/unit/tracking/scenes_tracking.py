"""Shared, cached scenes of the track-management tests (not collected: no test_ prefix)."""

from __future__ import annotations

from functools import cache

import numpy as np

from openbmd.geodesy import ecef_to_eci, eci_to_ecef, geodetic_to_ecef
from openbmd.sensors.measurements import Detections, TruthGrid, simulate_detections
from openbmd.sensors.radar import Radar
from openbmd.threats import get_missile, solve_trajectory, threat_objects
from openbmd.tracking.models import FilterModel

#: The e2e scenario: an MRBM from 39.0N 125.7E to 35.7N 139.7E.
LAUNCH = (39.0, 125.7)
AIM = (35.7, 139.7)
SITE_A = (39.7, 140.1)
SITE_B = (36.5, 137.0)


@cache
def threat():
    """(trajectory, ThreatObjects) of the MRBM (1 s samples)."""
    traj = solve_trajectory(get_missile("mrbm"), *LAUNCH, *AIM)
    return traj, threat_objects(traj, step_s=1.0)


def sband(lat, lon, **kw):
    return Radar.from_catalog("s-band-array", lat, lon, **kw)


@cache
def threat_detections(seed: int = 1, sites: tuple[tuple[float, float], ...] = (SITE_A,)):
    """Detections of the RV and the body (1 m^2 each: detected on nearly every look)."""
    _, obj = threat()
    radars = [sband(*s) for s in sites]
    return radars, simulate_detections(radars, obj.samples, rcs=1.0, seed=seed)


def truth_eci(samples, obj: int, time_s):
    """Truth ECI position and velocity of object ``obj`` at ``time_s`` (linear
    interpolation of the 1 s samples: ~1 m, far below the radar errors)."""
    t, r, v = samples.of(obj)
    time_s = np.asarray(time_s, dtype=float)
    pos = np.stack([np.interp(time_s, t, r[:, i], left=np.nan, right=np.nan) for i in range(3)],
                   -1)  # fmt: skip
    vel = np.stack([np.interp(time_s, t, v[:, i], left=np.nan, right=np.nan) for i in range(3)],
                   -1)  # fmt: skip
    return ecef_to_eci(pos, time_s, vel)


# --- straight-line objects in ECI (a model without gravity fits them exactly) -------------

LINEAR_MODEL = FilterModel(kind="ukf", gravity="none", drag=False, process_noise_m2_s3=0.01)


def linear_truth(starts_eci, velocities_eci, duration_s: float, step_s: float = 1.0):
    """TruthGrid of objects in uniform straight motion in ECI (given at t = 0)."""
    t = np.arange(0.0, duration_s + 1e-9, step_s)
    r0 = np.asarray(starts_eci, dtype=float)[:, None, :]
    v0 = np.asarray(velocities_eci, dtype=float)[:, None, :]
    r_eci = r0 + v0 * t[None, :, None]
    v_eci = np.broadcast_to(v0, r_eci.shape)
    r_e, v_e = eci_to_ecef(r_eci, t[None, :], v_eci)
    return TruthGrid(t, r_e, v_e)


def overhead_point(lat, lon, alt_m, east_m=0.0, north_m=0.0):
    """ECEF (= ECI at t = 0) point ``alt_m`` above a site, offset east/north (m)."""
    from openbmd.geodesy import enu_rotation_matrix

    rot = np.asarray(enu_rotation_matrix(lat, lon)).reshape(3, 3)
    return np.asarray(geodetic_to_ecef(lat, lon, alt_m)).reshape(3) + rot.T @ np.array(
        [east_m, north_m, 0.0]
    )


def east_north(lat, lon, east, north):
    """ECEF direction of an ENU horizontal vector at a site."""
    from openbmd.geodesy import enu_rotation_matrix

    rot = np.asarray(enu_rotation_matrix(lat, lon)).reshape(3, 3)
    return rot.T @ np.array([east, north, 0.0])


def search_radar(lat, lon, revisit_s=2.0):
    """A catalog S-band array that looks every ``revisit_s`` (Pd ~ 1 on 10 m^2 at 500 km)."""
    return sband(lat, lon, search_revisit_s=revisit_s, track_update_s=1.0)


def reversed_rows(d: Detections) -> Detections:
    return d.take(np.arange(d.size)[::-1])
