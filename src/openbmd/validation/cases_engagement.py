"""Intercept windows against hand-computable kinematics, and a consistency row.

**Vertical drop (exact kinematics).** A target released from rest at height H at t = 0
falls straight down onto the launch site in a uniform field g, in vacuum:
``h(t) = H - g t^2 / 2``. An interceptor launched straight up at t_L with speed V0 coasts
in the same field: ``h_i(t) = V0 (t - t_L) - g (t - t_L)^2 / 2``. Relative to each other
the two bodies move uniformly (gravity cancels: the "monkey and hunter" result of
elementary kinematics, e.g. Halliday, Resnick & Walker, *Fundamentals of Physics*,
ch. 4), so they meet at

    t* = (H + V0 t_L + g t_L^2 / 2) / (V0 + g t_L)

with the closing speed ``V0 + g t_L`` (constant). The windows are given the target's
states every 0.01 s and the interceptor's exact time-to-reach table
``tau(h) = (V0 - sqrt(V0^2 - 2 g h)) / g`` (rising branch, 100 m altitude grid), and
``t_L`` = firm track (30 s) + reaction time (10 s); the earliest feasible intercept must
be t* to within one sample, and its closing speed ``V0 + g t_L``.

**Consistency.** The compiled, sampled windows and the independent pair-by-pair
root-finding computation (GeographicLib geodesics, the fly-out table's own
interpolation, Brent's method) must open the window of the upper-tier class at Akita
against the default MRBM demo threat within one sample (1 s) of each other.
"""

from __future__ import annotations

import math

import numpy as np

from openbmd.constants import G0_M_S2
from openbmd.validation.registry import register

_H_M = 300e3
_V0_M_S = 4000.0
_FIRM_S = 30.0
_REACTION_S = 10.0
_STEP_S = 0.01
_KINEMATICS = (
    "exact kinematics of two bodies in one uniform field g0 (Halliday, Resnick & Walker, "
    "Fundamentals of Physics, ch. 4: relative motion is uniform): H = 300 km, V0 = 4 km/s, "
    "t_L = 40 s; "
)


def _vertical_drop() -> tuple[float, float]:
    """Earliest intercept time (s) and its closing speed (m/s) from the windows."""
    from openbmd.engagement.reach_grid import ReachGrid
    from openbmd.engagement.tracks import LaunchSites, ThreatTracks
    from openbmd.engagement.windows import intercept_windows
    from openbmd.geodesy import geodetic_to_ecef
    from openbmd.interceptors.interceptor import Interceptor

    g, v0 = G0_M_S2, _V0_M_S
    lat, lon = 10.0, 20.0
    t = np.arange(0.0, 240.0 + _STEP_S / 2, _STEP_S)
    h = _H_M - 0.5 * g * t**2
    up = np.array(
        [
            math.cos(math.radians(lat)) * math.cos(math.radians(lon)),
            math.cos(math.radians(lat)) * math.sin(math.radians(lon)),
            math.sin(math.radians(lat)),
        ]
    )
    r = np.asarray(geodetic_to_ecef(lat, lon, np.maximum(h, 0.0))).reshape(-1, 3)
    v = -g * t[:, None] * up
    r[h < 0], v[h < 0] = np.nan, np.nan
    tracks = ThreatTracks(t, r[None], v[None], np.array([_FIRM_S]))
    apex = v0 * v0 / (2.0 * g)
    alt = np.arange(0.0, apex - 100.0, 100.0)
    tau = (v0 - np.sqrt(v0 * v0 - 2.0 * g * alt)) / g
    speed = np.sqrt(v0 * v0 - 2.0 * g * alt)
    table = ReachGrid(
        np.array([0.0, 1000.0]),
        alt,
        np.stack([tau, tau]),
        np.stack([speed, speed]),
        np.full((2, alt.size), 0.5 * math.pi),
    )
    icp = Interceptor.from_burnout(
        "vertical-coast",
        v0,
        10.0,
        10.0,
        kind="exo",
        min_intercept_alt_m=0.0,
        max_intercept_alt_m=apex,
        divert_delta_v_m_s=0.0,
        lateral_accel_limit_m_s2=1.0,
        seeker_acquisition_range_m=1e9,
        reaction_time_s=_REACTION_S,
        min_launch_interval_s=1.0,
        sspk=1.0,
        reliability=1.0,
        lethal_radius_m=1.0,
    )
    w = intercept_windows(tracks, LaunchSites(np.array([lat]), np.array([lon])), icp, table=table)
    i = int(w.earliest_index[0, 0])
    assert w.closing_speed_m_s is not None
    return float(w.earliest_intercept_s[0, 0]), float(w.closing_speed_m_s[0, 0, i])


@register(
    "engagement.vertical_drop_intercept_time",
    quantity="earliest intercept of a target dropped from rest over the site [s]",
    source=_KINEMATICS + "t* = (H + V0 t_L + g t_L^2/2) / (V0 + g t_L) = 106.5157 s "
    "(to one 0.01 s sample)",
    expected=106.51570738202105,
    tolerance=_STEP_S,
    unit="s",
)
def _drop_time() -> float:
    return _vertical_drop()[0]


@register(
    "engagement.vertical_drop_closing_speed",
    quantity="closing speed at that intercept [m/s]",
    source=_KINEMATICS + "closing speed V0 + g t_L = 4392.266 m/s (the next sample's launch "
    "is up to 0.02 s later: +-0.5 m/s)",
    expected=4392.266,
    tolerance=0.5,
    unit="m/s",
)
def _drop_closing() -> float:
    return _vertical_drop()[1]


@register(
    "engagement.windows_vs_root_finding_earliest",
    quantity="upper-tier at 39.7N 140.1E vs MRBM 39.0N 125.7E -> 35.7N 139.7E: earliest "
    "intercept, sampled windows minus root finding [s]",
    source="consistency: independent pair-by-pair computation (GeographicLib geodesics, the "
    "fly-out table's own interpolation, Brent's method); the sampled window opens at most one "
    "sample step (1 s) after the exact boundary",
    expected=0.0,
    tolerance=1.0,
    unit="s",
)
def _consistency() -> float:
    from openbmd.engagement.tracks import LaunchSites, ThreatTracks
    from openbmd.engagement.windows import intercept_windows, windows_by_root_finding
    from openbmd.interceptors.catalog import get_interceptor
    from openbmd.interceptors.flyout import time_to_reach_table
    from openbmd.threats import get_missile, solve_trajectory

    traj = solve_trajectory(get_missile("mrbm"), 39.0, 125.7, 35.7, 139.7)
    firm = float(traj.flight.burnout_time_s[0]) + 60.0
    tracks = ThreatTracks.from_trajectories([traj], firm, step_s=1.0)
    sites = LaunchSites(np.array([39.7]), np.array([140.1]))
    icp = get_interceptor("upper-tier")
    table = time_to_reach_table(icp)
    fast = intercept_windows(tracks, sites, icp, table=table)
    slow = windows_by_root_finding(tracks, sites, icp, table=table)
    return float(fast.earliest_intercept_s[0, 0] - slow.earliest_intercept_s[0, 0])
