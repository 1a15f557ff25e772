"""Reference trajectories of one missile class and shape from one launch point.

A footprint asks for thousands of trajectories of the same missile and shape that differ
only in where they go. Away from the launch point a ballistic trajectory depends almost
only on its ground range and (through the Earth's rotation) its bearing, so
:func:`build_family` flies a few hundred reference trajectories with the batched
propagator (drag, J2, Earth rotation) and keeps each as a planar profile in normalised
time (:mod:`openbmd.analysis.footprint_kernels`); :func:`blend` then places any threat by
interpolating in range and bearing.

Construction:

1. **Controls**: for a set of pilot cut-off times, the pitch-over ("kick") angle of the
   shape: the longest-range kick for ``min-energy`` (as
   :func:`openbmd.threats.solve_trajectory` defines it; found by three scans and a
   parabola through the best three), or the kick that gives the requested apogee,
   burnout angle or time of flight (bisection in the logarithm of the kick), from a
   vertical launch's cut-off on. The kick depends on the bearing through the Earth's
   rotation, once around the circle: it is solved at three bearings 120 deg apart and
   fitted with ``c0 + c1 cos + c2 sin``. Members are spaced about :data:`RANGE_STEP_M`
   apart in range (at the middle bearing); their cut-off and kick coefficients are
   interpolated between the pilots.
2. **Bearings**: families every at most :data:`MAX_BEARING_STEP_DEG` over the bearings
   asked for (all round when they span nearly the full circle). The Earth turns under a
   flight, so a launch azimuth lands off its own bearing (up to ~4 deg for a 1,000-km
   flight from 40 N): a first, unsampled pass measures that offset for every member and
   bearing and a second pass flies the corrected azimuths, sampled every
   :data:`SAMPLE_STEP_S` to the exact impact.
3. **Profiles**: along-track fraction, cross-track angle, height and the three velocity
   components, resampled on :data:`N_TAU` points of normalised time.

The errors of the whole approximation are measured against per-cell solved
trajectories in ``tests/unit/analysis/test_footprint_bruteforce.py`` and documented in
``docs/footprints.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from openbmd.engagement.windows_kernels import ground_range_batch
from openbmd.errors import ParameterError, UnreachableError
from openbmd.flight.propagate import EarthModel
from openbmd.geodesy.kernels import ecef_to_geodetic_batch
from openbmd.threats.flights import Flights, fly
from openbmd.threats.missile import Missile
from openbmd.threats.targeting import (
    KICK_MAX_RAD,
    KICK_MIN_RAD,
    SHAPES,
    shape_target,
    shape_value,
)

__all__ = [
    "MAX_BEARING_STEP_DEG",
    "N_TAU",
    "RANGE_STEP_M",
    "SAMPLE_STEP_S",
    "TrajectoryFamily",
    "bearing_rad",
    "blend",
    "build_family",
    "n_vectors",
]

#: Points of normalised flight time in a profile.
N_TAU = 257
#: Largest spacing of the families' bearings, deg.
MAX_BEARING_STEP_DEG = 30.0
#: Target spacing of the members' ground ranges, m.
RANGE_STEP_M = 40_000.0
#: Sampling of the reference trajectories, s (resampled onto N_TAU points).
SAMPLE_STEP_S = 1.0
#: Pilot cut-off times over which the shape's controls are solved.
N_PILOTS = 12
_TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class TrajectoryFamily:
    """Reference trajectories of one missile and shape: F bearings x K members.

    Attributes
    ----------
    missile, shape : str
    launch_lat_deg, launch_lon_deg : float
        Where every reference flies from (geodetic WGS 84).
    bearing_rad : ndarray, shape (F,)
        Bearing of each family (launch point to impact, on the n-vector sphere), rad,
        increasing and evenly spaced from ``bearing_rad[0]``.
    periodic : bool
        The families go all round (the last one neighbours the first).
    range_m : ndarray, shape (F, K)
        Ground range of each member (WGS 84, Lambert's formula), m, increasing in K.
    flight_time_s : ndarray, shape (F, K)
        Time of flight, s.
    profile : ndarray, shape (F, K, N_TAU, 6)
        Planar profiles (see :mod:`openbmd.analysis.footprint_kernels`).
    cutoff_s : ndarray, shape (K,)
        Cut-off time of each member, s.
    kick_rad : ndarray, shape (F, K)
        Kick angle of each member at each bearing, rad.
    """

    missile: str
    shape: str
    launch_lat_deg: float
    launch_lon_deg: float
    bearing_rad: np.ndarray
    periodic: bool
    range_m: np.ndarray
    flight_time_s: np.ndarray
    profile: np.ndarray
    cutoff_s: np.ndarray
    kick_rad: np.ndarray

    @property
    def reach_m(self) -> tuple[float, float]:
        """Shortest and longest member range over all bearings, m."""
        return float(self.range_m[:, 0].min()), float(self.range_m[:, -1].max())


def n_vectors(lat_deg: Any, lon_deg: Any) -> np.ndarray:
    """Unit normals of the WGS 84 ellipsoid (..., 3) at geodetic latitudes and longitudes."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)


def bearing_rad(lat0_deg: Any, lon0_deg: Any, lat1_deg: Any, lon1_deg: Any) -> np.ndarray:
    """Initial bearing of the n-vector great circle from point 0 to point 1, rad in [0, 2 pi)."""
    p0, p1 = np.radians(lat0_deg), np.radians(lat1_deg)
    dl = np.radians(np.asarray(lon1_deg, dtype=float) - np.asarray(lon0_deg, dtype=float))
    y = np.sin(dl) * np.cos(p1)
    x = np.cos(p0) * np.sin(p1) - np.sin(p0) * np.cos(p1) * np.cos(dl)
    return np.mod(np.arctan2(y, x), _TWO_PI)


def _family_bearings(needed: np.ndarray) -> tuple[np.ndarray, bool]:
    """Evenly spaced family bearings covering the circular span of ``needed`` (rad)."""
    step = math.radians(MAX_BEARING_STEP_DEG)
    u = np.unique(np.round(np.mod(needed, _TWO_PI), 3))
    gaps = np.diff(np.concatenate([u, [u[0] + _TWO_PI]]))
    g = int(np.argmax(gaps))
    span = _TWO_PI - float(gaps[g])
    start = float(u[(g + 1) % u.size])
    if span > _TWO_PI - 2.0 * step:
        n = math.ceil(_TWO_PI / step)
        return np.mod(start + np.arange(n) * (_TWO_PI / n), _TWO_PI), True
    pad = math.radians(1.0)
    start, span = start - pad, span + 2.0 * pad
    n = max(2, math.ceil(span / step) + 1)
    return start + np.linspace(0.0, span, n), False


def build_family(
    missile: Missile,
    launch_lat_deg: float,
    launch_lon_deg: float,
    *,
    bearings_rad: np.ndarray,
    range_lo_m: float,
    range_hi_m: float,
    shape: str = "min-energy",
    shape_parameter: dict[str, float] | None = None,
    control_bearing_rad: float | None = None,
    earth: EarthModel | None = None,
) -> TrajectoryFamily:
    """Reference trajectories covering the bearings and the range span asked for.

    Parameters
    ----------
    missile : Missile
    launch_lat_deg, launch_lon_deg : float
        Launch point (geodetic WGS 84), deg.
    bearings_rad : ndarray
        Bearings the threats will fly (any number; only their circular span is used).
    range_lo_m, range_hi_m : float
        Ground ranges the threats need, m (members reach a little beyond, within the
        missile's reach).
    shape : str
        ``min-energy``, ``apogee``, ``burnout-angle`` or ``time-of-flight``.
    shape_parameter : dict, optional
        ``{"apogee_km": ...}``, ``{"burnout_angle_deg": ...}`` or
        ``{"time_of_flight_s": ...}`` for the matching shape.
    control_bearing_rad : float, optional
        Bearing at which the shape's controls are solved (default: the circular mean of
        ``bearings_rad``).
    earth : EarthModel, optional
        Default WGS 84 with J2, rotation and drag.

    Raises
    ------
    UnreachableError
        No trajectory of the shape exists for this missile.
    """
    if shape not in SHAPES:
        raise ParameterError("shape", "one of " + ", ".join(SHAPES), shape)
    earth = earth or EarthModel.wgs84()
    needed = np.asarray(bearings_rad, dtype=float).reshape(-1)
    if needed.size == 0:
        raise ParameterError("bearings_rad", "at least one bearing", "none")
    bearings, periodic = _family_bearings(needed)
    middle = (
        float(np.angle(np.exp(1j * needed).mean()))
        if control_bearing_rad is None
        else float(control_bearing_rad)
    )
    given = shape_parameter or {}
    target = shape_target(
        shape,
        given.get("apogee_km"),
        given.get("burnout_angle_deg"),
        given.get("time_of_flight_s"),
    )
    cut, coef = _controls(
        missile,
        launch_lat_deg,
        launch_lon_deg,
        middle,
        shape,
        target,
        range_lo_m,
        range_hi_m,
        earth,
    )
    n_f, n_k = bearings.size, cut.size
    kick = (
        coef[0][None, :]
        + coef[1][None, :] * np.cos(bearings)[:, None]
        + coef[2][None, :] * np.sin(bearings)[:, None]
    ).ravel()
    shoot = _shooter(missile, launch_lat_deg, launch_lon_deg, earth)
    alpha = np.repeat(bearings, n_k)
    first = shoot(alpha, kick, np.tile(cut, n_f), None)
    landed = bearing_rad(launch_lat_deg, launch_lon_deg, first.impact_lat_deg, first.impact_lon_deg)
    offset = np.angle(np.exp(1j * (landed - alpha)))
    flights = shoot(alpha - np.nan_to_num(offset), kick, np.tile(cut, n_f), SAMPLE_STEP_S)
    rng, duration, prof = _profiles(flights, launch_lat_deg, launch_lon_deg)
    rng, duration, prof = (a.reshape(n_f, n_k, *a.shape[1:]) for a in (rng, duration, prof))
    keep = _monotone_members(rng)
    if keep.sum() < 2:
        raise UnreachableError(f"No {shape} trajectories of '{missile.name}' for a footprint.")
    return TrajectoryFamily(
        missile=missile.name,
        shape=shape,
        launch_lat_deg=float(launch_lat_deg),
        launch_lon_deg=float(launch_lon_deg),
        bearing_rad=bearings,
        periodic=periodic,
        range_m=np.ascontiguousarray(rng[:, keep]),
        flight_time_s=np.ascontiguousarray(duration[:, keep]),
        profile=np.ascontiguousarray(prof[:, keep]),
        cutoff_s=cut[keep],
        kick_rad=kick.reshape(n_f, n_k)[:, keep],
    )


def _monotone_members(rng: np.ndarray) -> np.ndarray:
    """Members finite at every bearing whose range increases along K at every bearing."""
    keep = np.all(np.isfinite(rng), axis=0)
    changed = True
    while changed:
        idx = np.flatnonzero(keep)
        steps = np.diff(rng[:, idx], axis=1)
        bad = np.any(steps <= 0.0, axis=0)
        changed = bool(bad.any())
        if changed:
            keep[idx[1:][bad][0]] = False
    return keep


def _shooter(missile: Missile, lat: float, lon: float, earth: EarthModel) -> Any:
    def shoot(az: np.ndarray, kick: np.ndarray, cut: np.ndarray, step: float | None) -> Flights:
        return fly(missile, lat, lon, az, kick, cut, earth=earth, sample_step_s=step)

    return shoot


def _controls(
    missile: Missile,
    lat: float,
    lon: float,
    azimuth: float,
    shape: str,
    target: float,
    range_lo: float,
    range_hi: float,
    earth: EarthModel,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut-off times of the members (K,), increasing range, and the harmonic
    coefficients (3, K) of their kicks against bearing: ``c0 + c1 cos(b) + c2 sin(b)``.

    The Earth's rotation makes the shape's kick vary with the launch bearing (the
    longest-range kick of an MRBM by ~1.3 deg between east and west), once around the
    circle: the kicks solved at three bearings 120 deg apart fix the harmonic.
    """
    shoot = _shooter(missile, lat, lon, earth)
    total = missile.total_burn_time_s
    t_min = missile.vertical_rise_s + missile.pitch_over_s + 1.0
    if shape != "min-energy":
        t_min = _shape_cut_min(shoot, azimuth, shape, target, t_min, total)
    cuts = np.linspace(t_min, total, N_PILOTS)
    three = azimuth + np.array([0.0, 2.0, 4.0]) * (math.pi / 3.0)
    az = np.repeat(three, cuts.size)
    cut3 = np.tile(cuts, 3)
    if shape == "min-energy":
        kicks = _best_kicks(shoot, az, cut3).reshape(3, cuts.size)
    else:
        kicks = _shape_kicks(shoot, az, cut3, shape, target).reshape(3, cuts.size)
    basis = np.column_stack([np.ones(3), np.cos(three), np.sin(three)])
    coef = np.linalg.solve(basis, kicks)
    ok = np.all(np.isfinite(coef), axis=0)
    if ok.sum() < 2:
        raise UnreachableError(
            f"No {shape} trajectory of '{missile.name}' exists for these shape parameters."
        )
    cuts, coef = cuts[ok], coef[:, ok]
    kick_mid = coef[0] + coef[1] * math.cos(azimuth) + coef[2] * math.sin(azimuth)
    f = shoot(np.full(cuts.size, azimuth), kick_mid, cuts, None)
    rng = np.where(f.impacted, f.ground_range_m, np.nan)
    filled = np.nan_to_num(rng, nan=-1.0)
    previous = np.concatenate([[-np.inf], np.maximum.accumulate(filled)[:-1]])
    ok = np.isfinite(rng) & (rng > previous)
    cuts, coef, rng = cuts[ok], coef[:, ok], rng[ok]
    if cuts.size < 2:
        raise UnreachableError(f"No {shape} trajectories of '{missile.name}' for a footprint.")
    lo = max(range_lo - RANGE_STEP_M, float(rng[0]))
    hi = min(range_hi + RANGE_STEP_M, float(rng[-1]))
    if hi <= lo:
        lo, hi = float(rng[0]), float(rng[-1])
    n = max(2, math.ceil((hi - lo) / RANGE_STEP_M) + 1)
    member_cut = np.interp(np.linspace(lo, hi, n), rng, cuts)
    return member_cut, np.stack([np.interp(member_cut, cuts, c) for c in coef])


def _parabola_peak(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Abscissa of the vertex of the parabola through three points per row (N, 3); the
    middle point where the three are not concave."""
    d1 = (y[:, 1] - y[:, 0]) / (x[:, 1] - x[:, 0])
    d2 = (y[:, 2] - y[:, 1]) / (x[:, 2] - x[:, 1])
    curv = (d2 - d1) / (x[:, 2] - x[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = 0.5 * (x[:, 0] + x[:, 1]) - d1 / (2.0 * curv)
    good = (curv < 0.0) & np.isfinite(peak)
    return np.where(good, np.clip(peak, x[:, 0], x[:, 2]), x[:, 1])


def _best_kicks(shoot: Any, azimuth: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Longest-range kick of each (azimuth, cut-off) pair: a coarse scan, two finer scans
    around its best, then the vertex of the parabola through the best three."""
    n = cuts.size
    rows = np.arange(n)
    lo = np.full(n, KICK_MIN_RAD)
    hi = np.full(n, KICK_MAX_RAD)
    for points, geometric in ((13, True), (9, False), (7, False)):
        if geometric:
            kicks = np.geomspace(lo, hi, points, axis=1)
        else:
            kicks = np.linspace(lo, hi, points, axis=1)
        f = shoot(np.repeat(azimuth, points), kicks.ravel(), np.repeat(cuts, points), None)
        rng = np.where(f.impacted, f.ground_range_m, -1.0).reshape(n, points)
        j = np.clip(np.argmax(rng, axis=1), 1, points - 2)
        lo, hi = kicks[rows, j - 1], kicks[rows, j + 1]
    window = np.stack([j - 1, j, j + 1], axis=1)
    return _parabola_peak(kicks[rows[:, None], window], rng[rows[:, None], window])


def _shape_cut_min(
    shoot: Any, azimuth: float, shape: str, target: float, t_min: float, total: float
) -> float:
    """Shortest cut-off at which the shape's value can be reached: the value of a
    vertical launch (the largest of any kick) grows with the cut-off."""
    cuts = np.linspace(t_min, total, 25)
    v = shape_value(
        shape, shoot(np.full(cuts.size, azimuth), np.full(cuts.size, KICK_MIN_RAD), cuts, None)
    )
    above = np.flatnonzero(np.nan_to_num(v, nan=-np.inf) >= target)
    if above.size == 0:
        return total
    j = int(above[0])
    if j == 0:
        return t_min
    w = (target - v[j - 1]) / (v[j] - v[j - 1])
    return float(cuts[j - 1] + min(1.0, w + 0.02) * (cuts[j] - cuts[j - 1]))


def _shape_kicks(
    shoot: Any, azimuth: np.ndarray, cuts: np.ndarray, shape: str, target: float
) -> np.ndarray:
    """Kick giving the shape's value at each (azimuth, cut-off) (NaN: none), by bisection
    in log kick; the value (apogee, burnout angle, time of flight) falls as the kick grows."""
    lo = np.full(cuts.size, math.log(KICK_MIN_RAD))
    hi = np.full(cuts.size, math.log(KICK_MAX_RAD))
    v_lo = shape_value(shape, shoot(azimuth, np.exp(lo), cuts, None))
    v_hi = shape_value(shape, shoot(azimuth, np.exp(hi), cuts, None))
    bracket = np.isfinite(v_lo) & np.isfinite(v_hi) & (v_hi <= target) & (target <= v_lo)
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        v = shape_value(shape, shoot(azimuth, np.exp(mid), cuts, None))
        above = np.nan_to_num(v, nan=-np.inf) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.where(bracket, np.exp(0.5 * (lo + hi)), np.nan)


def _profiles(
    flights: Flights, lat0: float, lon0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Range (N,), time of flight (N,) and profiles (N, N_TAU, 6) of sampled flights."""
    samples = flights.propagation.samples
    if samples is None:  # pragma: no cover - sampling was requested
        raise RuntimeError("propagate returned no samples")
    n = flights.plan.size
    r_end, v_end = flights.propagation.end_state_ecef()
    t_end = flights.propagation.flight_time_s
    n0 = n_vectors(lat0, lon0)
    rng = np.full(n, np.nan)
    duration = np.full(n, np.nan)
    prof = np.full((n, N_TAU, 6), np.nan)
    tau = np.linspace(0.0, 1.0, N_TAU)
    ok = flights.impacted & np.isfinite(flights.impact_lat_deg)
    lat1 = np.radians(flights.impact_lat_deg[ok])
    lon1 = np.radians(flights.impact_lon_deg[ok])
    rng[ok] = ground_range_batch(
        np.full(lat1.size, math.radians(lat0)), np.full(lat1.size, math.radians(lon0)), lat1, lon1
    )
    for i in np.flatnonzero(ok):
        sl = slice(int(samples.offsets[i]), int(samples.offsets[i + 1]))
        t = np.append(samples.time_s[sl] - flights.plan.launch_time_s[i], t_end[i])
        r = np.vstack([samples.r_ecef_m[sl], r_end[i]])
        v = np.vstack([samples.v_ecef_m_s[sl], v_end[i]])
        keep = np.concatenate([np.diff(t) > 1e-9, [True]])
        t, r, v = t[keep], r[keep], v[keep]
        geo = np.asarray(ecef_to_geodetic_batch(np.ascontiguousarray(r)))
        fields = _planar(geo, v, n0)
        duration[i] = t[-1]
        for c in range(6):
            prof[i, :, c] = np.interp(tau * t[-1], t, fields[:, c])
    return rng, duration, prof


def _planar(geo: np.ndarray, v: np.ndarray, n0: np.ndarray) -> np.ndarray:
    """Profile fields (S, 6) of samples with geodetic (lat, lon, h) (rad, rad, m) and ECEF
    velocities, in the plane from ``n0`` to the last sample's n-vector."""
    n = np.stack(
        [
            np.cos(geo[:, 0]) * np.cos(geo[:, 1]),
            np.cos(geo[:, 0]) * np.sin(geo[:, 1]),
            np.sin(geo[:, 0]),
        ],
        -1,
    )
    n1 = n[-1]
    k = np.cross(n0, n1)
    sin_theta = float(np.linalg.norm(k))
    theta = math.atan2(sin_theta, float(n0 @ n1))
    k /= sin_theta
    e2 = np.cross(k, n0)
    out = np.empty((n.shape[0], 6))
    out[:, 0] = np.arctan2(n @ e2, n @ n0) / theta
    out[:, 1] = np.arcsin(np.clip(n @ k, -1.0, 1.0))
    out[:, 2] = geo[:, 2]
    t_hat = np.cross(k, n)
    t_hat /= np.linalg.norm(t_hat, axis=1, keepdims=True)
    q = k[None, :] - (n @ k)[:, None] * n
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    out[:, 3] = np.einsum("ij,ij->i", v, t_hat)
    out[:, 4] = np.einsum("ij,ij->i", v, q)
    out[:, 5] = np.einsum("ij,ij->i", v, n)
    return out


def blend(
    family: TrajectoryFamily, range_m: np.ndarray, bearing: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Blend indices (O, 4) and weights (O, 4) of threats of given range (m) and bearing
    (rad); see :mod:`openbmd.analysis.footprint_kernels`. Out of reach: index -1."""
    rng = np.asarray(range_m, dtype=float).reshape(-1)
    brg = np.mod(np.asarray(bearing, dtype=float).reshape(-1), _TWO_PI)
    b = family.bearing_rad
    n_f = b.size
    d = np.mod(brg - b[0], _TWO_PI)
    if family.periodic:
        x = d / (_TWO_PI / n_f)
        fa = np.minimum(np.floor(x).astype(np.int64), n_f - 1)
        fb = (fa + 1) % n_f
    else:
        span = float(b[-1] - b[0])
        beyond = d > span
        d = np.where(beyond & (d - span > _TWO_PI - d), 0.0, np.minimum(d, span))
        x = d / (span / (n_f - 1))
        fa = np.clip(np.floor(x).astype(np.int64), 0, n_f - 2)
        fb = fa + 1
    wf = np.clip(x - fa, 0.0, 1.0)
    index = np.full((rng.size, 4), -1, dtype=np.int64)
    weight = np.zeros((rng.size, 4))
    duration = np.zeros((2, rng.size))
    inside = np.isfinite(rng)
    for col, fam in ((0, fa), (1, fb)):
        for f in np.unique(fam):
            sel = np.flatnonzero(fam == f)
            r_f = family.range_m[f]
            k = np.clip(np.searchsorted(r_f, rng[sel], side="right") - 1, 0, r_f.size - 2)
            w = (rng[sel] - r_f[k]) / (r_f[k + 1] - r_f[k])
            inside[sel] &= (rng[sel] >= r_f[0]) & (rng[sel] <= r_f[-1])
            index[sel, 2 * col] = f
            index[sel, 2 * col + 1] = k
            weight[sel, col] = np.clip(w, 0.0, 1.0)
            t_f = family.flight_time_s[f]
            duration[col, sel] = (1.0 - weight[sel, col]) * t_f[k] + weight[sel, col] * t_f[k + 1]
    weight[:, 2] = wf
    weight[:, 3] = (1.0 - wf) * duration[0] + wf * duration[1]
    index[~inside] = -1
    weight[~inside, 3] = 0.0
    return index, weight
