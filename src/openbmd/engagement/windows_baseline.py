"""Intercept windows pair by pair with Brent's method: the baseline and the cross-check.

A straightforward, independent computation of the earliest and latest intercept of each
(threat, site) pair. The trajectory is continuous (cubic Hermite through the samples'
positions and velocities); ground ranges and azimuths come from GeographicLib
(:func:`openbmd.geodesy.geodesic_inverse`), the fly-out table's time and velocity
components from :class:`scipy.interpolate.RegularGridInterpolator` (linear; NaN next to
an unreachable node, like the table's own ``time_at``). Every constraint of
:mod:`openbmd.engagement.windows` is written as a margin that is >= 0 when it holds;
their minimum F(t) is scanned at the sample times and each sign change next to the first
and last feasible sample is refined with :func:`scipy.optimize.brentq` (reach is a step:
F = -1 outside it).

It finds the boundaries of the window between samples, so its earliest (latest)
intercept is at most one sample spacing before (after) the sampled window's; a window
that opens and closes between two samples is missed by both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.interpolate import CubicHermiteSpline, RegularGridInterpolator
from scipy.optimize import brentq

from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.errors import require_non_negative, require_positive
from openbmd.geodesy import ecef_to_geodetic, enu_vector_to_ecef, geodesic_inverse

if TYPE_CHECKING:
    from openbmd.interceptors.interceptor import Interceptor

__all__ = ["RootFindingWindows", "windows_by_root_finding"]


@dataclass(frozen=True)
class RootFindingWindows:
    """Windows of :func:`windows_by_root_finding`: (O, S) arrays, NaN where none (or where
    the pair was not computed, ``computed`` False).

    ``earliest_launch_s`` and ``latest_launch_s`` are the launch times of the earliest
    and latest intercepts; ``evaluations`` counts calls of the margin function (points).
    """

    computed: np.ndarray
    engageable: np.ndarray
    earliest_intercept_s: np.ndarray
    latest_intercept_s: np.ndarray
    earliest_launch_s: np.ndarray
    latest_launch_s: np.ndarray
    evaluations: int


class _Interpolators:
    """Linear interpolation of the table (time, downrange and vertical velocity) with
    scipy's RegularGridInterpolator: NaN outside the grid or next to a NaN node."""

    def __init__(self, table: Any) -> None:
        axes = (np.asarray(table.ground_range_m, float), np.asarray(table.altitude_m, float))
        speed = np.asarray(table.speed_m_s, float)
        angle = np.asarray(table.flight_path_angle_rad, float)

        def make(values: np.ndarray) -> RegularGridInterpolator:
            return RegularGridInterpolator(axes, values, bounds_error=False, fill_value=np.nan)

        self.time = make(np.asarray(table.time_s, float))
        self.down = make(speed * np.cos(angle))
        self.up = make(speed * np.sin(angle))


class _Pair:
    """Margin function F(t) of one (threat, site) pair."""

    def __init__(
        self,
        tracks: ThreatTracks,
        o: int,
        site: tuple[float, float],
        interceptor: Interceptor,
        table: _Interpolators,
        min_homing_time_s: float,
    ) -> None:
        ok = np.all(np.isfinite(tracks.r_ecef_m[o]), axis=1)
        ok &= np.all(np.isfinite(tracks.v_ecef_m_s[o]), axis=1)
        self.t = tracks.time_s[ok]
        r, v = tracks.r_ecef_m[o, ok], tracks.v_ecef_m_s[o, ok]
        if self.t.size >= 2:
            spline = CubicHermiteSpline(self.t, r, v, axis=0)
            self.pos, self.vel = spline, spline.derivative()
        else:  # one sample: only that instant
            self.pos = lambda _t, r=r: np.repeat(r, np.size(_t), axis=0)
            self.vel = lambda _t, v=v: np.repeat(v, np.size(_t), axis=0)
        self.site = site
        self.icp, self.table = interceptor, table
        self.ready = float(tracks.decision_time_s[o]) + interceptor.reaction_time_s
        self.min_homing = min_homing_time_s
        sig = tracks.track_sigma_m
        self.sigma = None
        if sig is not None and math.isfinite(interceptor.required_track_sigma_m):
            self.sigma = (tracks.time_s, sig[o])
        self.evaluations = 0

    def margins(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """F(t) and the launch time t - time to reach (NaN out of reach), (N,) each."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        self.evaluations += t.size
        icp = self.icp
        p, vt = np.asarray(self.pos(t)), np.asarray(self.vel(t))
        lat, lon, h = (np.atleast_1d(x) for x in ecef_to_geodetic(p))
        dist, _, azi2 = (np.atleast_1d(x) for x in geodesic_inverse(*self.site, lat, lon))
        points = np.stack([dist, h], axis=-1)
        ttr = self.table.time(points)
        down, vertical = self.table.down(points), self.table.up(points)
        reach = np.isfinite(ttr) & (dist <= icp.max_ground_range_m)
        az = np.radians(azi2)
        enu = np.stack([down * np.sin(az), down * np.cos(az), vertical], axis=-1)
        vi = np.asarray(enu_vector_to_ecef(np.nan_to_num(enu), lat, lon)).reshape(-1, 3)
        closing = np.linalg.norm(vi - vt, axis=1)
        norms = np.linalg.norm(vi, axis=1) * np.linalg.norm(vt, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            cosine = np.where(norms > 0, np.sum(vi * vt, axis=1) / norms, 1.0)
        crossing = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
        launch = np.where(reach, t - ttr, np.nan)
        g = [
            closing - icp.min_closing_speed_m_s,
            icp.max_closing_speed_m_s - closing,
            icp.max_crossing_angle_deg - crossing,
            icp.seeker_acquisition_range_m - self.min_homing * closing,
            launch - self.ready,
        ]
        if self.sigma is not None:
            st, sv = self.sigma
            inside = (launch >= st[0]) & (launch <= st[-1])
            sig = np.where(inside, np.interp(np.nan_to_num(launch), st, sv), np.nan)
            g.append(icp.required_track_sigma_m - np.nan_to_num(sig, nan=np.inf))
        after_reach = np.min(np.stack(g), axis=0)
        after_reach = np.where(reach, np.nan_to_num(after_reach, nan=-1.0), -1.0)
        alt = np.minimum(h - icp.min_intercept_alt_m, icp.max_intercept_alt_m - h)
        return np.minimum(alt, after_reach), launch

    def scalar(self, t: float) -> float:
        return float(self.margins(np.array([t]))[0][0])


def windows_by_root_finding(
    tracks: ThreatTracks,
    sites: LaunchSites,
    interceptor: Interceptor,
    *,
    table: Any = None,
    min_homing_time_s: float = 4.0,
    pairs: Iterable[tuple[int, int]] | None = None,
    xtol_s: float = 1e-3,
) -> RootFindingWindows:
    """Earliest and latest intercept of each pair, one pair at a time (see module doc).

    Parameters
    ----------
    tracks, sites, interceptor, table, min_homing_time_s
        As for :func:`openbmd.engagement.windows.intercept_windows`.
    pairs : iterable of (threat, site), optional
        Only these pairs (default: all O x S).
    xtol_s : float
        Time tolerance of Brent's method, s (> 0).

    Returns
    -------
    RootFindingWindows
    """
    if table is None:
        from openbmd.interceptors.flyout import time_to_reach_table

        table = time_to_reach_table(interceptor)
    xtol = float(require_positive("xtol_s", xtol_s))
    grid = _Interpolators(table)
    homing = float(require_non_negative("min_homing_time_s", min_homing_time_s))
    n_o, n_s = tracks.size, sites.size
    todo = [(o, s) for o in range(n_o) for s in range(n_s)] if pairs is None else list(pairs)
    computed = np.zeros((n_o, n_s), dtype=bool)
    out = {k: np.full((n_o, n_s), np.nan) for k in ("t0", "t1", "l0", "l1")}
    evaluations = 0
    for o, s in todo:
        site = (float(sites.lat_deg[s]), float(sites.lon_deg[s]))
        pair = _Pair(tracks, o, site, interceptor, grid, homing)
        computed[o, s] = True
        if pair.t.size:
            f, _ = pair.margins(pair.t)
            good = np.flatnonzero(f >= 0.0)
            if good.size:
                first, last = int(good[0]), int(good[-1])
                t0 = pair.t[first]
                if first > 0:
                    t0 = brentq(pair.scalar, pair.t[first - 1], pair.t[first], xtol=xtol)
                    t0 = _feasible_side(pair, t0, pair.t[first], xtol)
                t1 = pair.t[last]
                if last < pair.t.size - 1:
                    t1 = brentq(pair.scalar, pair.t[last], pair.t[last + 1], xtol=xtol)
                    t1 = _feasible_side(pair, t1, pair.t[last], xtol)
                out["t0"][o, s], out["t1"][o, s] = t0, t1
                out["l0"][o, s] = pair.margins(np.array([t0]))[1][0]
                out["l1"][o, s] = pair.margins(np.array([t1]))[1][0]
        evaluations += pair.evaluations
    return RootFindingWindows(
        computed,
        np.isfinite(out["t0"]),
        out["t0"],
        out["t1"],
        out["l0"],
        out["l1"],
        evaluations,
    )


def _feasible_side(pair: _Pair, root: float, inside: float, xtol: float) -> float:
    """Brent's root of a step lies within ``xtol`` of it, maybe on the infeasible side:
    step toward the feasible sample so that the reported intercept is a feasible one."""
    if pair.scalar(root) >= 0.0:
        return float(root)
    return float(root + math.copysign(min(2.0 * xtol, abs(inside - root)), inside - root))
