"""Predictions from track states: impact point and ellipse, launch point, future states.

- :func:`predict_impact`: each track's sigma points (scaled unscented transform, ``2n + 1``
  per track) are flown to the ground together by the batched flight propagator
  (:func:`openbmd.flight.propagate.propagate`: J2, drag with each point's ``1/beta``,
  rotating Earth, exact impact). The predicted impact point is the weighted mean of the
  sigma points' impact points (ECEF, on the ellipsoid), its 2-D covariance their spread
  in the local east-north plane there; the ellipse of probability ``p`` has semi-axes
  ``sqrt(-2 ln(1 - p) lambda_k)`` (``lambda_k`` the eigenvalues). Any thrust state is
  ignored: the object is taken to coast from now on.
- :func:`estimate_launch`: the same sigma points integrated *backward* (RK4 with the
  track's ballistic model) down to the launch altitude. The result is where a ballistic
  object would have left the ground: for a missile tracked after burnout it is not the
  launch site (the boost arc is powered, not ballistic). For the catalog MRBM tracked
  after burnout (63 s) the point is 5.5 km from the site and 44 s after the launch, with
  an ellipse of tens of metres that knows nothing of that bias. Use it as a cue, not a
  site fix, unless the track is through boost with a powered model.
- :func:`predict_states`: state and covariance at any future times (the filter's
  prediction, no measurements), for the engagement planner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from openbmd.errors import ParameterError, require_finite, require_range
from openbmd.flight.dynamics import EARTH_WGS84, altitude_only
from openbmd.flight.propagate import EarthModel, FlightPlan, eci_state_to_ecef, propagate
from openbmd.geodesy.kernels import ecef_to_geodetic_batch
from openbmd.tracking.filters import TrackState, predict
from openbmd.tracking.model_kernels import transition_point, work_size
from openbmd.tracking.models import FilterModel, atmosphere_arrays

__all__ = [
    "FutureStates",
    "GroundPointPrediction",
    "estimate_launch",
    "predict_impact",
    "predict_states",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class GroundPointPrediction:
    """Predicted ground point (impact or launch) of N tracks, with its uncertainty.

    Attributes
    ----------
    lat_deg, lon_deg : ndarray, shape (N,)
        Geodetic WGS 84 latitude and longitude of the predicted point, deg.
    time_s : ndarray, shape (N,)
        Predicted time of the event, s since the epoch.
    time_sigma_s : ndarray, shape (N,)
        Standard deviation of that time, s.
    covariance_en_m2 : ndarray, shape (N, 2, 2)
        Covariance of the point in the local east-north plane, m^2.
    semi_major_m, semi_minor_m : ndarray, shape (N,)
        Semi-axes of the error ellipse of probability ``probability``, m.
    orientation_deg : ndarray, shape (N,)
        Azimuth of the major axis, from north, clockwise, in [0, 180), deg.
    probability : float
        Probability content of the ellipse.
    valid : ndarray of bool, shape (N,)
        Every sigma point reached the ground; where False the other fields are NaN.
    """

    lat_deg: FloatArray
    lon_deg: FloatArray
    time_s: FloatArray
    time_sigma_s: FloatArray
    covariance_en_m2: FloatArray
    semi_major_m: FloatArray
    semi_minor_m: FloatArray
    orientation_deg: FloatArray
    probability: float
    valid: npt.NDArray[np.bool_]

    def time_to_go_s(self, now_s: Any) -> FloatArray:
        """Time from ``now_s`` (s since the epoch) to the event, s."""
        return self.time_s - np.asarray(now_s, dtype=float)


@dataclass(frozen=True, eq=False)
class FutureStates:
    """Predicted states of N tracks at K future times.

    Attributes
    ----------
    time_s : ndarray, shape (K,)
        Times, s since the epoch.
    x : ndarray, shape (N, K, n)
        States, ECI.
    P : ndarray, shape (N, K, n, n)
        Covariances.
    """

    time_s: FloatArray
    x: FloatArray
    P: FloatArray
    omega_rad_s: float

    def ecef(self) -> tuple[FloatArray, FloatArray]:
        """Positions (m) and Earth-relative velocities (m/s) in ECEF, each (N, K, 3)."""
        t = np.broadcast_to(self.time_s, self.x.shape[:2])
        return eci_state_to_ecef(self.x[..., :6], t, self.omega_rad_s)

    def position_sigma_m(self) -> FloatArray:
        """Root of the trace of the position covariance, m, shape (N, K)."""
        return np.sqrt(np.einsum("nkii->nk", self.P[..., :3, :3]))


def predict_states(state: TrackState, model: FilterModel, times_s: Any) -> FutureStates:
    """States and covariances of every track at the times ``times_s`` (no measurements).

    Parameters
    ----------
    state : TrackState
        N tracks.
    model : FilterModel
    times_s : array_like, shape (K,)
        Non-decreasing times, each at or after every track's time, s since the epoch.
    """
    times = require_finite("times_s", times_s).reshape(-1)
    if times.size == 0 or np.any(np.diff(times) < 0.0):
        raise ParameterError("times_s", "a non-empty, non-decreasing array", times[:3])
    xs = np.empty((state.size, times.size, state.state_size))
    ps = np.empty((state.size, times.size, state.state_size, state.state_size))
    current = state
    for k, t in enumerate(times):
        current = predict(current, model, t)
        xs[:, k], ps[:, k] = current.x, current.P
    return FutureStates(times, xs, ps, float(model.omega_rad_s))


def _sigma_points(state: TrackState, spread: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sigma points (N, 2n+1, n) and the weights (mean, covariance) of the transform."""
    n = state.state_size
    alpha, beta, kappa = spread, 2.0, 0.0
    lam = alpha * alpha * (n + kappa) - n
    c = n + lam
    try:
        root = np.linalg.cholesky(c * state.P)  # (N, n, n), lower
    except np.linalg.LinAlgError:
        raise ParameterError("state.P", "positive definite", "a singular matrix") from None
    pts = np.concatenate(
        [state.x[:, None], state.x[:, None] + root.transpose(0, 2, 1),
         state.x[:, None] - root.transpose(0, 2, 1)], axis=1,
    )  # fmt: skip
    wm = np.full(2 * n + 1, 0.5 / c)
    wc = wm.copy()
    wm[0] = lam / c
    wc[0] = lam / c + 1.0 - alpha * alpha + beta
    return pts, wm, wc


def _inverse_beta(points: FloatArray, model: FilterModel) -> FloatArray:
    if not model.drag:
        return np.zeros(points.shape[:-1])
    if model.beta_index >= 0:
        return np.maximum(points[..., model.beta_index], 0.0)
    return np.full(points.shape[:-1], 1.0 / float(model.ballistic_coefficient_kg_m2))


def _earth(model: FilterModel) -> EarthModel:
    base = EarthModel.wgs84(drag=model.drag, j2=model.gravity == "j2")
    mu = 0.0 if model.gravity == "none" else base.mu_m3_s2
    return replace(base, omega_rad_s=float(model.omega_rad_s), mu_m3_s2=mu)


def _summarise(
    r_ecef: FloatArray, t: FloatArray, ok: FloatArray, wm: FloatArray, wc: FloatArray, p: float
) -> GroundPointPrediction:
    """Weighted mean point, EN covariance and ellipse from (N, S, 3) ground points."""
    n = r_ecef.shape[0]
    mean = np.einsum("s,nsi->ni", wm, np.where(ok[..., None], r_ecef, 0.0))
    t_mean = np.einsum("s,ns->n", wm, np.where(ok, t, 0.0))
    t_sig = np.sqrt(
        np.maximum(np.einsum("s,ns->n", wc, np.where(ok, t - t_mean[:, None], 0) ** 2), 0)
    )
    geo = ecef_to_geodetic_batch(np.ascontiguousarray(np.where(np.isfinite(mean), mean, 1e7)))
    lat, lon = geo[:, 0], geo[:, 1]
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros(n)], -1)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], -1)
    d = np.where(ok[..., None], r_ecef - mean[:, None], 0.0)
    en = np.stack([np.einsum("nsi,ni->ns", d, east), np.einsum("nsi,ni->ns", d, north)], -1)
    cov = np.einsum("s,nsi,nsj->nij", wc, en, en)
    vals, vecs = np.linalg.eigh(cov)
    vals = np.maximum(vals, 0.0)
    k2 = -2.0 * math.log(1.0 - p)
    major = vecs[:, :, 1]  # (east, north) of the largest eigenvalue
    orient = np.degrees(np.arctan2(major[:, 0], major[:, 1])) % 180.0
    valid = np.all(ok, axis=1)
    nan = np.where(valid, 1.0, np.nan)
    return GroundPointPrediction(
        lat_deg=np.degrees(lat) * nan,
        lon_deg=np.degrees(lon) * nan,
        time_s=t_mean * nan,
        time_sigma_s=t_sig * nan,
        covariance_en_m2=cov * nan[:, None, None],
        semi_major_m=np.sqrt(k2 * vals[:, 1]) * nan,
        semi_minor_m=np.sqrt(k2 * vals[:, 0]) * nan,
        orientation_deg=orient * nan,
        probability=float(p),
        valid=valid,
    )


def predict_impact(
    state: TrackState,
    model: FilterModel,
    *,
    stop_alt_m: float = 0.0,
    probability: float = 0.95,
    max_time_s: float = 7200.0,
    spread: float = 1.0,
) -> GroundPointPrediction:
    """Predicted impact point, time and error ellipse of every track.

    Parameters
    ----------
    state : TrackState
        N tracks (ECI states).
    model : FilterModel
        Supplies gravity, drag (``1/beta`` from the state or the model) and rotation.
    stop_alt_m : float
        Height of the "ground" above the ellipsoid, m.
    probability : float
        Probability content of the error ellipse, in (0, 1).
    max_time_s : float
        Longest flight considered, s; tracks with a sigma point that has not come down
        by then get ``valid = False``.
    spread : float
        Sigma-point spread ``alpha`` of the scaled unscented transform (1: points at
        ``sqrt(n)`` sigma).
    """
    p = float(require_range("probability", probability, 0.0, 1.0, low_open=True, high_open=True))
    require_range("max_time_s", max_time_s, 0.0, math.inf, low_open=True)
    pts, wm, wc = _sigma_points(state, float(spread))
    n, s, _ = pts.shape
    flat = pts.reshape(n * s, -1)
    inv_beta = _inverse_beta(flat, model)
    beta = np.where(inv_beta > 0.0, 1.0 / np.where(inv_beta > 0, inv_beta, 1.0), np.inf)
    plan = FlightPlan.coast(
        flat[:, :3],
        flat[:, 3:6],
        ballistic_coefficient_kg_m2=beta,
        launch_time_s=np.repeat(state.time_s, s),
        stop_alt_m=float(stop_alt_m),
        max_time_s=float(max_time_s),
    )
    run = propagate(plan, _earth(model))
    r_ecef, _ = run.end_state_ecef()
    ok = run.impacted.reshape(n, s)
    return _summarise(r_ecef.reshape(n, s, 3), run.end_time_s.reshape(n, s), ok, wm, wc, p)


@njit(cache=True, parallel=True)
def _fly_back(
    x: FloatArray,
    par: FloatArray,
    atm: FloatArray,
    a0: float,
    da: float,
    stop_alt: float,
    step: float,
    max_time: float,
    x_out: FloatArray,
    dt_out: FloatArray,
    ok: npt.NDArray[np.bool_],
) -> None:
    """Integrate each state backward until its height falls to ``stop_alt`` (bisection on
    the last RK4 step for the crossing, to 1 microsecond)."""
    n = x.shape[1]
    for i in prange(x.shape[0]):
        dummy = np.empty((1, 1))
        work = np.empty(work_size(n))
        ok[i] = False
        cur = x[i].copy()
        nxt = np.empty(n)
        elapsed = 0.0
        if altitude_only(cur[0], cur[1], cur[2], EARTH_WGS84, 0.0) <= stop_alt:
            x_out[i] = cur
            dt_out[i] = 0.0
            ok[i] = True
            continue
        while elapsed < max_time:
            transition_point(cur, -step, par, atm, a0, da, False, nxt, dummy, work)
            if altitude_only(nxt[0], nxt[1], nxt[2], EARTH_WGS84, 0.0) <= stop_alt:
                lo, hi = 0.0, step
                for _ in range(60):
                    mid = 0.5 * (lo + hi)
                    transition_point(cur, -mid, par, atm, a0, da, False, nxt, dummy, work)
                    if altitude_only(nxt[0], nxt[1], nxt[2], EARTH_WGS84, 0.0) <= stop_alt:
                        hi = mid
                    else:
                        lo = mid
                    if hi - lo < 1e-6:
                        break
                transition_point(cur, -hi, par, atm, a0, da, False, nxt, dummy, work)
                x_out[i] = nxt
                dt_out[i] = elapsed + hi
                ok[i] = True
                break
            cur[:] = nxt
            elapsed += step


def estimate_launch(
    state: TrackState,
    model: FilterModel,
    *,
    launch_alt_m: float = 0.0,
    probability: float = 0.95,
    step_s: float = 1.0,
    max_time_s: float = 3600.0,
    spread: float = 1.0,
) -> GroundPointPrediction:
    """Estimated launch point and time: the track's ballistic arc flown back to the ground.

    See the module docstring for what this can and cannot tell through boost. Arguments
    as :func:`predict_impact`; ``step_s`` is the RK4 step of the backward integration, s.
    """
    p = float(require_range("probability", probability, 0.0, 1.0, low_open=True, high_open=True))
    step = float(require_range("step_s", step_s, 0.0, 60.0, low_open=True))
    require_range("max_time_s", max_time_s, 0.0, math.inf, low_open=True)
    coast = replace(model, powered=False, thrust_state=model.has_thrust, max_step_s=step)
    pts, wm, wc = _sigma_points(state, float(spread))
    n, s, k = pts.shape
    flat = np.ascontiguousarray(pts.reshape(n * s, k))
    atm, a0, da = atmosphere_arrays()
    x_out, dt_out = np.full_like(flat, np.nan), np.full(n * s, np.nan)
    ok = np.zeros(n * s, dtype=bool)
    par = coast.parameters
    _fly_back(flat, par, atm, a0, da, float(launch_alt_m), step, float(max_time_s), x_out,
              dt_out, ok)  # fmt: skip
    t_launch = np.repeat(state.time_s, s) - dt_out
    r_ecef, _ = eci_state_to_ecef(x_out[:, :6], t_launch, float(model.omega_rad_s))
    return _summarise(r_ecef.reshape(n, s, 3), t_launch.reshape(n, s), ok.reshape(n, s), wm, wc, p)
