"""New track states from detections: one detection with a velocity prior, or two.

Single detection (Bar-Shalom, Li & Kirubarajan 2001, sec. 3.7 for the converted
position): the position is the measured point, its covariance the first-order image of
``R`` through the polar-to-Cartesian conversion; the Earth-relative velocity has a
prior mean (default 0) and a wide isotropic sigma. Where range rate is measured, the
velocity prior is conditioned on it (a linear Gaussian update along the line of sight,
the site being fixed on the Earth). The ECEF state is then mapped exactly to ECI at the
detection time (``r_i = R^T r_e``, ``v_i = R^T (v_e + omega x r_e)``).

Two detections (two-point differencing, Bar-Shalom et al. sec. 5.5.3): the state is at
the second detection, ``v = (p2 - p1) / dt + g(p2) dt / 2`` (gravity of the model over
the interval), with ``P_rr = P2, P_rv = P2 / dt, P_vv = (P1 + P2) / dt^2 + q dt / 3``.
Range rates are not used by the differencing.

Extra states take the model's priors (``inv_beta_prior_m2_kg``, ``thrust_prior_m_s2``
and their sigmas).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_finite, require_positive
from openbmd.flight.gravity import gravity_accel
from openbmd.tracking.filters import TrackState
from openbmd.tracking.models import FilterModel, per_row, sites_array

__all__ = ["initial_state_from_measurement"]

FloatArray = npt.NDArray[np.float64]


def _rot_z(theta: FloatArray) -> FloatArray:
    """(N, 3, 3) ECI -> ECEF rotations ``R_z(theta)`` (passive)."""
    c, s = np.cos(theta), np.sin(theta)
    out = np.zeros((theta.size, 3, 3))
    out[:, 0, 0], out[:, 0, 1], out[:, 1, 0], out[:, 1, 1] = c, s, -s, c
    out[:, 2, 2] = 1.0
    return out


def _enu_rows(site: FloatArray) -> FloatArray:
    from openbmd.geodesy.kernels import ecef_to_geodetic_batch

    geo = ecef_to_geodetic_batch(site)
    sl, cl, so, co = np.sin(geo[:, 0]), np.cos(geo[:, 0]), np.sin(geo[:, 1]), np.cos(geo[:, 1])
    zero = np.zeros_like(sl)
    return np.stack(
        [
            np.stack([-so, co, zero], -1),
            np.stack([-sl * co, -sl * so, cl], -1),
            np.stack([cl * co, cl * so, sl], -1),
        ],
        axis=-2,
    )


def _position_ecef(z: FloatArray, r: FloatArray, site: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Measured point (N, 3) and its covariance (N, 3, 3), ECEF."""
    rng, az, el = z[:, 0], z[:, 1], z[:, 2]
    ca, sa, ce, se = np.cos(az), np.sin(az), np.cos(el), np.sin(el)
    enu = np.stack([rng * ce * sa, rng * ce * ca, rng * se], -1)
    jac = np.zeros((z.shape[0], 3, 3))
    jac[:, 0] = np.stack([ce * sa, rng * ce * ca, -rng * se * sa], -1)
    jac[:, 1] = np.stack([ce * ca, -rng * ce * sa, -rng * se * ca], -1)
    jac[:, 2] = np.stack([se, np.zeros_like(rng), rng * ce], -1)
    rot = _enu_rows(site)
    cov_enu = jac @ r[:, :3, :3] @ jac.transpose(0, 2, 1)
    pos = site + np.einsum("nji,nj->ni", rot, enu)
    cov = rot.transpose(0, 2, 1) @ cov_enu @ rot
    return pos, 0.5 * (cov + cov.transpose(0, 2, 1))


def _checked(z: Any, R: Any, n: int | None) -> tuple[FloatArray, FloatArray]:
    zz = np.asarray(z, dtype=float)
    if zz.ndim == 1:
        zz = zz[None]
    if zz.ndim != 2 or zz.shape[1] not in (3, 4) or (n is not None and zz.shape[0] != n):
        raise ParameterError("z", "an array of shape (N, 3) or (N, 4)", f"shape {zz.shape}")
    if zz.shape[0] == 0:
        raise ParameterError("z", "at least one detection", "none")
    require_finite("z", zz[:, :3])
    rr = np.asarray(R, dtype=float)
    if rr.ndim not in (2, 3) or rr.shape[-1] not in (3, 4) or rr.shape[-2] != rr.shape[-1]:
        raise ParameterError("R", "an array of shape (m, m) or (N, m, m), m = 3 or 4", rr.shape)
    rr = np.broadcast_to(rr, (zz.shape[0], *rr.shape[-2:]))
    require_finite("R", rr[:, :3, :3])
    if np.any(np.einsum("nii->ni", rr[:, :3, :3]) <= 0.0):
        raise ParameterError("R", "positive variances", "a zero or negative variance")
    return zz, rr


def _to_eci(
    r_e: FloatArray, v_e: FloatArray, cov_e: FloatArray, t: FloatArray, omega: float
) -> tuple[FloatArray, FloatArray]:
    rt = _rot_z(omega * t).transpose(0, 2, 1)  # ECEF -> ECI
    om = np.zeros((3, 3))
    om[0, 1], om[1, 0] = -omega, omega
    r_i = np.einsum("nij,nj->ni", rt, r_e)
    v_i = np.einsum("nij,nj->ni", rt, v_e + r_e @ om.T)
    jac = np.zeros((t.size, 6, 6))
    jac[:, :3, :3] = rt
    jac[:, 3:, 3:] = rt
    jac[:, 3:, :3] = rt @ om
    cov = jac @ cov_e @ jac.transpose(0, 2, 1)
    return np.concatenate([r_i, v_i], 1), 0.5 * (cov + cov.transpose(0, 2, 1))


def _augment(x6: FloatArray, p6: FloatArray, model: FilterModel) -> tuple[FloatArray, FloatArray]:
    n, k = x6.shape[0], model.state_size
    x = np.zeros((n, k))
    p = np.zeros((n, k, k))
    x[:, :6], p[:, :6, :6] = x6, p6
    if model.beta_index >= 0:
        x[:, model.beta_index] = model.inv_beta_prior_m2_kg
        p[:, model.beta_index, model.beta_index] = max(model.inv_beta_sigma_m2_kg, 1e-12) ** 2
    if model.thrust_index >= 0:
        x[:, model.thrust_index] = model.thrust_prior_m_s2 if model.powered else 0.0
        p[:, model.thrust_index, model.thrust_index] = max(model.thrust_sigma_m_s2, 1e-6) ** 2
    return x, p


def initial_state_from_measurement(
    z: Any,
    R: Any,
    site_ecef_m: Any,
    time_s: Any,
    model: FilterModel,
    *,
    velocity_prior_ecef_m_s: Any = 0.0,
    velocity_sigma_m_s: float = 3000.0,
    use_range_rate: bool = True,
    previous_z: Any = None,
    previous_R: Any = None,
    previous_site_ecef_m: Any = None,
    previous_time_s: Any = None,
) -> TrackState:
    """Start N tracks, each from one detection (or from two, by differencing).

    Parameters
    ----------
    z : array_like, shape (N, 3) or (N, 4)
        Range (m), azimuth (rad, from north, clockwise), geometric elevation (rad) and
        optionally range rate (m/s, NaN if not measured).
    R : array_like, shape (N, m, m) or (m, m)
        Measurement noise covariance in that order.
    site_ecef_m : array_like, shape (3,) or (N, 3)
        Sensor sites, ECEF, m.
    time_s : float or array_like, shape (N,)
        Detection times, s since the epoch (the tracks' times).
    model : FilterModel
        Gives the state layout, the priors of the extra states, gravity and rotation.
    velocity_prior_ecef_m_s : float or array_like, shape (3,) or (N, 3)
        Prior mean of the Earth-relative velocity, ECEF, m/s (single-detection start).
    velocity_sigma_m_s : float
        Prior standard deviation of each velocity component, m/s (> 0).
    use_range_rate : bool
        Condition the velocity prior on a finite measured range rate.
    previous_z, previous_R, previous_site_ecef_m, previous_time_s : optional
        An earlier detection of each track: two-point differencing instead of the
        velocity prior (``previous_time_s < time_s`` required).

    Returns
    -------
    TrackState
        Tracks at ``time_s``.
    """
    zz, rr = _checked(z, R, None)
    n = zz.shape[0]
    site = sites_array(site_ecef_m, n)
    t = per_row("time_s", time_s, n)
    p2, c2 = _position_ecef(zz, rr, site)
    omega = float(model.omega_rad_s)
    if previous_z is not None:
        if previous_R is None or previous_time_s is None:
            raise ParameterError(
                "previous_R", "given with previous_z (and previous_time_s)", "missing"
            )
        z1, r1 = _checked(previous_z, previous_R, n)
        s1 = site if previous_site_ecef_m is None else sites_array(previous_site_ecef_m, n)
        t1 = per_row("previous_time_s", previous_time_s, n)
        dt = t - t1
        if np.any(dt <= 0.0):
            raise ParameterError("previous_time_s", "earlier than time_s", float(t1[np.argmin(dt)]))
        p1, c1 = _position_ecef(z1, r1, s1)
        zero = np.zeros((n, 3, 3))
        # both points in ECI (rotation at their own times), differenced there
        x1, cov1 = _to_eci(p1, np.zeros((n, 3)), np.block([[c1, zero], [zero, zero]]), t1, omega)
        x2, cov2 = _to_eci(p2, np.zeros((n, 3)), np.block([[c2, zero], [zero, zero]]), t, omega)
        pa, pb = cov1[:, :3, :3], cov2[:, :3, :3]
        g = gravity_accel(x2[:, :3]) if model.gravity != "none" else np.zeros((n, 3))
        if model.gravity == "point":
            g = gravity_accel(x2[:, :3], j2=0.0)
        dt3 = dt[:, None]
        v = (x2[:, :3] - x1[:, :3]) / dt3 + 0.5 * g * dt3
        p6 = np.zeros((n, 6, 6))
        p6[:, :3, :3] = pb
        p6[:, :3, 3:] = pb / dt[:, None, None]
        p6[:, 3:, :3] = pb / dt[:, None, None]
        q_extra = model.process_noise_m2_s3 * dt / 3.0
        p6[:, 3:, 3:] = (pa + pb) / (dt**2)[:, None, None] + q_extra[:, None, None] * np.eye(3)
        x, p = _augment(np.concatenate([x2[:, :3], v], 1), p6, model)
        return TrackState(x, p, t)
    sigma = float(require_positive("velocity_sigma_m_s", velocity_sigma_m_s))
    prior = require_finite("velocity_prior_ecef_m_s", velocity_prior_ecef_m_s)
    v_e = np.broadcast_to(prior, (n, 3)).astype(float).copy()
    cov_v = np.broadcast_to(sigma**2 * np.eye(3), (n, 3, 3)).copy()
    if use_range_rate and zz.shape[1] == 4 and rr.shape[-1] == 4:
        var_rr = rr[:, 3, 3]
        ok = np.isfinite(zz[:, 3]) & np.isfinite(var_rr) & (var_rr > 0.0)
        los = (p2 - site) / np.linalg.norm(p2 - site, axis=1, keepdims=True)
        pu = np.einsum("nij,nj->ni", cov_v, los)
        s = np.einsum("ni,ni->n", los, pu) + np.where(ok, var_rr, 1.0)
        gain = pu / s[:, None]
        resid = np.where(ok, zz[:, 3] - np.einsum("ni,ni->n", los, v_e), 0.0)
        v_e = v_e + np.where(ok[:, None], gain * resid[:, None], 0.0)
        cov_v = cov_v - np.where(ok[:, None, None], gain[:, :, None] * pu[:, None, :], 0.0)
    cov_e = np.zeros((n, 6, 6))
    cov_e[:, :3, :3] = c2
    cov_e[:, 3:, 3:] = cov_v
    x6, p6 = _to_eci(p2, v_e, cov_e, t, omega)
    x, p = _augment(x6, p6, model)
    return TrackState(x, p, t)
