"""Dynamics and measurement models of the tracking filters (compiled kernels + wrappers).

State vector (one row per track), openbmd **ECI** frame (ECEF axes frozen at the
scenario epoch, ``docs/conventions.md``)::

    x = [rx, ry, rz, vx, vy, vz, (1/beta), (a_T)]

- ``r`` (m), ``v`` (m/s): inertial position and velocity;
- ``1/beta`` (m^2/kg, only with ``estimate_beta``): inverse ballistic coefficient
  ``Cd A / m``; 0 means no drag. Left unconstrained by the filters (a noisy estimate may
  dip below 0, which the dynamics read as negative drag);
- ``a_T`` (m/s^2, only with ``thrust_state``): thrust acceleration along the
  air-relative velocity, unknown magnitude (the powered-flight model of the IMM).

Continuous dynamics (:func:`acceleration_and_jacobian`)::

    dr/dt = v
    dv/dt = g_J2(r) - 0.5 rho(h) |w| (1/beta) w + a_T w / |w|,   w = v - omega x r

with gravity, density (U.S. Standard Atmosphere 1976 table, at the "air altitude" of the
flight propagator) and Earth rotation exactly as in :mod:`openbmd.flight.dynamics`; the
thrust term acts only in powered mode. ``1/beta`` and ``a_T`` are constant in the
deterministic part (random walks in the process noise).

Discrete transition (:func:`transition`): classical RK4 in equal sub-steps of at most
``max_step_s``. The state transition matrix ``F = dx(t+dt)/dx(t)`` integrates the
variational equation ``dPhi/dt = A(x(t)) Phi`` with the *same* RK4 stages (``A`` the
analytic Jacobian of the dynamics: J2 gravity gradient, drag through ``w``, the density
slope and the air altitude, thrust direction); this is exactly the Jacobian of the
discrete RK4 map, so it agrees with finite differences of :func:`transition` to
rounding. In ballistic mode with a thrust state, ``a_T`` is reset to 0 at every step
(row of ``F`` zero), so an IMM can mix the powered and the ballistic mode on one layout.

Process noise (:func:`process_noise`, continuous white noise, Bar-Shalom, Li &
Kirubarajan 2001, sec. 6.2.2, in closed form over ``dt``): isotropic acceleration noise
of spectral density ``q`` (m^2/s^3) gives ``Q_rr = q dt^3/3 I, Q_rv = q dt^2/2 I,
Q_vv = q dt I``; ``1/beta`` is a random walk ``Q = q_beta dt``; in powered mode ``a_T``
is a random walk of density ``q_T`` (m^2/s^5) along the unit air-relative velocity
``u`` at the start of the interval (the continuous Wiener-acceleration blocks
``q_T dt^5/20 uu^T, dt^4/8, dt^3/6 u, dt^3/3 uu^T, dt^2/2 u, dt``); in ballistic mode the
reset ``a_T`` gets ``q_T dt``. The gravity gradient's coupling of the noise over ``dt``
(``omega_s^2 dt^2 ~ 1e-6`` at 1 s) is neglected.

Measurement (:func:`measure`): from a sensor site fixed on the Earth (ECEF, m) at time
``t`` (s since the epoch): ``h(x) = [range (m), azimuth (rad, from north, clockwise,
[0, 2 pi)), geometric elevation (rad), range rate (m/s)]`` in the site's ENU frame
(up along the WGS 84 normal), after the ECI -> ECEF rotation ``R_z(omega t)``. The range
rate is that of :mod:`openbmd.sensors.measurements`: the rate of change of the range
from the fixed site, ``d . (v - omega x r) / |d|`` with ``d = r - r_site`` in ECI. The
Jacobian ``H`` is analytic. Innovations wrap the azimuth into (-pi, pi].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from openbmd.atmosphere import load_table
from openbmd.constants import WGS84_A_M, WGS84_GM_M3_S2, WGS84_J2, WGS84_OMEGA_RAD_S
from openbmd.errors import ParameterError, require_choice, require_finite, require_non_negative
from openbmd.errors import require_positive as _require_positive
from openbmd.tracking.model_kernels import (
    N_PARAMETERS,
    P_BETA_INDEX,
    P_DRAG,
    P_INV_BETA,
    P_J2,
    P_MAX_STEP,
    P_MU,
    P_OMEGA,
    P_POWERED,
    P_Q_ACC,
    P_Q_BETA,
    P_Q_THRUST,
    P_RADIUS,
    P_THRUST_INDEX,
    _acceleration_batch,
    _frames_batch,
    _measure_batch,
    _transition_batch,
)

__all__ = [
    "FilterModel",
    "acceleration_and_jacobian",
    "atmosphere_arrays",
    "measure",
    "process_noise",
    "transition",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FilterModel:
    """Dynamics, noise and filter settings of a track filter (one model, many tracks).

    Attributes
    ----------
    kind : {"ekf", "ukf"}
        Extended Kalman filter (analytic Jacobians) or unscented Kalman filter (scaled
        sigma points, Julier / van der Merwe).
    estimate_beta : bool
        Add ``1/beta`` (m^2/kg) to the state as a 7th component.
    process_noise_m2_s3 : float
        Spectral density ``q`` of the white acceleration noise per axis, m^2/s^3 (>= 0).
    ballistic_coefficient_kg_m2 : float
        ``beta = m / (Cd A)`` used when it is not estimated, kg/m^2 (``inf``: no drag).
    beta_process_noise_m4_kg2_s : float
        Random-walk density of ``1/beta``, (m^2/kg)^2/s (>= 0).
    inv_beta_prior_m2_kg, inv_beta_sigma_m2_kg : float
        Prior mean and standard deviation of ``1/beta`` for new tracks, m^2/kg.
    powered : bool
        Powered-flight mode: thrust ``a_T`` along the air-relative velocity acts (needs
        the thrust state, added automatically).
    thrust_state : bool
        Carry ``a_T`` (m/s^2) in the state even in ballistic mode (reset to 0 each step):
        the common layout of an IMM's powered and ballistic modes.
    thrust_process_noise_m2_s5 : float
        Random-walk density of ``a_T``, m^2/s^5 (>= 0).
    thrust_prior_m_s2, thrust_sigma_m_s2 : float
        Prior mean and standard deviation of ``a_T`` for new tracks, m/s^2.
    gravity : {"j2", "point", "none"}
        Gravity field: WGS 84 central term + J2, central term only, or none (then the
        model is constant velocity in ECI: the Stone Soup comparison).
    drag : bool
        Atmospheric drag on (with ``1/beta`` > 0).
    omega_rad_s : float
        Earth rotation rate, rad/s (ECI -> ECEF rotation of the measurements and the
        air-relative velocity).
    max_step_s : float
        Largest RK4 sub-step, s.
    ukf_alpha, ukf_beta, ukf_kappa : float
        Scaled unscented transform parameters (spread, prior knowledge, secondary scale).
    second_order : bool
        EKF only: add the second-order terms of the range and the range rate to the
        predicted measurement and to ``S`` (Gaussian second-order filter, Bar-Shalom, Li &
        Kirubarajan 2001, sec. 10.3.3). They matter while the velocity is poorly known
        (a new track) and vanish as ``P`` shrinks; ``False`` gives the textbook
        first-order EKF (as Stone Soup's).
    """

    kind: Literal["ekf", "ukf"] = "ekf"
    estimate_beta: bool = False
    process_noise_m2_s3: float = 1.0
    ballistic_coefficient_kg_m2: float = math.inf
    beta_process_noise_m4_kg2_s: float = 0.0
    inv_beta_prior_m2_kg: float = 2e-4
    inv_beta_sigma_m2_kg: float = 1e-3
    powered: bool = False
    thrust_state: bool = False
    thrust_process_noise_m2_s5: float = 10.0
    thrust_prior_m_s2: float = 20.0
    thrust_sigma_m_s2: float = 30.0
    gravity: Literal["j2", "point", "none"] = "j2"
    drag: bool = True
    omega_rad_s: float = WGS84_OMEGA_RAD_S
    max_step_s: float = 1.0
    ukf_alpha: float = 1.0
    ukf_beta: float = 2.0
    ukf_kappa: float = 0.0
    second_order: bool = True

    def __post_init__(self) -> None:
        require_choice("kind", self.kind, ("ekf", "ukf"))
        require_choice("gravity", self.gravity, ("j2", "point", "none"))
        for name in (
            "process_noise_m2_s3",
            "beta_process_noise_m4_kg2_s",
            "thrust_process_noise_m2_s5",
            "inv_beta_sigma_m2_kg",
            "thrust_sigma_m_s2",
            "ukf_kappa",
        ):
            require_non_negative(name, getattr(self, name))
        for name in ("max_step_s", "ukf_alpha"):
            _require_positive(name, getattr(self, name))
        require_finite("omega_rad_s", self.omega_rad_s)
        require_finite("ukf_beta", self.ukf_beta)
        require_finite("inv_beta_prior_m2_kg", self.inv_beta_prior_m2_kg)
        require_finite("thrust_prior_m_s2", self.thrust_prior_m_s2)
        beta = float(self.ballistic_coefficient_kg_m2)
        if not beta > 0.0:
            raise ParameterError("ballistic_coefficient_kg_m2", "> 0 (inf: no drag)", beta)

    @property
    def has_thrust(self) -> bool:
        """Whether ``a_T`` is part of the state."""
        return bool(self.powered or self.thrust_state)

    @property
    def state_size(self) -> int:
        """Length n of the state vector (6, 7 or 8)."""
        return 6 + int(self.estimate_beta) + int(self.has_thrust)

    @property
    def beta_index(self) -> int:
        """Index of ``1/beta`` in the state, or -1."""
        return 6 if self.estimate_beta else -1

    @property
    def thrust_index(self) -> int:
        """Index of ``a_T`` in the state, or -1."""
        return 6 + int(self.estimate_beta) if self.has_thrust else -1

    @cached_property
    def parameters(self) -> FloatArray:
        """Parameter vector of the kernels (layout ``P_*`` of this module)."""
        par = np.zeros(N_PARAMETERS)
        par[P_MU] = 0.0 if self.gravity == "none" else WGS84_GM_M3_S2
        par[P_J2] = WGS84_J2 if self.gravity == "j2" else 0.0
        par[P_RADIUS] = WGS84_A_M
        par[P_OMEGA] = self.omega_rad_s
        par[P_DRAG] = 1.0 if self.drag else 0.0
        par[P_INV_BETA] = 1.0 / float(self.ballistic_coefficient_kg_m2)
        par[P_BETA_INDEX] = self.beta_index
        par[P_THRUST_INDEX] = self.thrust_index
        par[P_POWERED] = 1.0 if self.powered else 0.0
        par[P_MAX_STEP] = self.max_step_s
        par[P_Q_ACC] = self.process_noise_m2_s3
        par[P_Q_BETA] = self.beta_process_noise_m4_kg2_s
        par[P_Q_THRUST] = self.thrust_process_noise_m2_s5
        return par


@lru_cache(maxsize=1)
def atmosphere_arrays() -> tuple[FloatArray, float, float]:
    """The standard-atmosphere table as the kernels take it: (values, start_m, step_m)."""
    table = load_table()
    return np.array(table.values, dtype=float, order="C"), float(table.start_m), float(table.step_m)


def states_array(x: object, model: FilterModel, name: str = "x") -> FloatArray:
    """``x`` as a finite, C-contiguous (N, n) float array for ``model`` (checked)."""
    arr = require_finite(name, x)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != model.state_size:
        raise ParameterError(
            name, f"an array of shape (N, {model.state_size}) for this model", f"shape {arr.shape}"
        )
    return np.ascontiguousarray(arr, dtype=float)


def per_row(name: str, value: object, n: int) -> FloatArray:
    """A finite scalar or (N,) array broadcast to (N,)."""
    arr = require_finite(name, value)
    try:
        return np.ascontiguousarray(np.broadcast_to(arr.reshape(-1) if arr.ndim else arr, (n,)))
    except ValueError:
        raise ParameterError(name, f"a scalar or an array of shape ({n},)", arr.shape) from None


def transition(
    x: object, dt_s: object, model: FilterModel
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Propagate N states over ``dt_s`` with the model's dynamics.

    Parameters
    ----------
    x : array_like, shape (N, n)
        States (ECI; layout of the module docstring).
    dt_s : float or array_like, shape (N,)
        Time step of each state, s (either sign; negative propagates backward).
    model : FilterModel

    Returns
    -------
    x_new : ndarray, shape (N, n)
    F : ndarray, shape (N, n, n)
        Jacobian of ``x_new`` with respect to ``x`` (exact for the RK4 map).
    Q : ndarray, shape (N, n, n)
        Discrete process noise over ``|dt_s|``.
    """
    xs = states_array(x, model)
    n, k = xs.shape
    dt = per_row("dt_s", dt_s, n)
    atm, a0, da = atmosphere_arrays()
    x_out, f_out, q_out = np.empty((n, k)), np.empty((n, k, k)), np.empty((n, k, k))
    _transition_batch(xs, dt, model.parameters, atm, a0, da, x_out, f_out, q_out)
    return x_out, f_out, q_out


def process_noise(x: object, dt_s: object, model: FilterModel) -> FloatArray:
    """Discrete process noise (N, n, n) over ``dt_s`` (third output of :func:`transition`)."""
    return transition(x, dt_s, model)[2]


def acceleration_and_jacobian(x: object, model: FilterModel) -> tuple[FloatArray, FloatArray]:
    """Acceleration (N, 3), m/s^2 (ECI), and its Jacobian (N, 3, n) w.r.t. the state."""
    xs = states_array(x, model)
    atm, a0, da = atmosphere_arrays()
    acc, jac = np.empty((xs.shape[0], 3)), np.empty((xs.shape[0], 3, xs.shape[1]))
    _acceleration_batch(xs, model.parameters, atm, a0, da, acc, jac)
    return acc, jac


def measure(
    x: object, time_s: object, site_ecef_m: object, model: FilterModel
) -> tuple[FloatArray, FloatArray]:
    """Noise-free measurements of N states and their Jacobians.

    Parameters
    ----------
    x : array_like, shape (N, n)
        States, ECI.
    time_s : float or array_like, shape (N,)
        Measurement times, s since the epoch.
    site_ecef_m : array_like, shape (3,) or (N, 3)
        Sensor sites, ECEF, m.
    model : FilterModel
        Supplies the Earth rotation rate.

    Returns
    -------
    z : ndarray, shape (N, 4)
        Range (m), azimuth (rad, from north clockwise, [0, 2 pi)), geometric elevation
        (rad), range rate (m/s).
    H : ndarray, shape (N, 4, n)
        Jacobian of ``z`` with respect to the state.
    """
    xs = states_array(x, model)
    n = xs.shape[0]
    t = per_row("time_s", time_s, n)
    site = sites_array(site_ecef_m, n)
    z, h = np.empty((n, 4)), np.empty((n, 4, xs.shape[1]))
    _measure_batch(xs, t, site, float(model.omega_rad_s), z, h)
    return z, h


def site_frames(site: FloatArray) -> FloatArray:
    """ECEF -> ENU rotations (N, 3, 3) of N checked sites (computed once per distinct site
    when all rows share one)."""
    n = site.shape[0]
    if n and np.all(site == site[0]):
        one = np.empty((1, 3, 3))
        _frames_batch(np.ascontiguousarray(site[:1]), one)
        return np.ascontiguousarray(np.broadcast_to(one, (n, 3, 3)))
    out = np.empty((n, 3, 3))
    _frames_batch(site, out)
    return out


def sites_array(site_ecef_m: object, n: int) -> FloatArray:
    """Sites as a C-contiguous (N, 3) array, checked (finite, away from the centre)."""
    site = require_finite("site_ecef_m", site_ecef_m)
    try:
        site = np.ascontiguousarray(np.broadcast_to(site, (n, 3)))
    except ValueError:
        raise ParameterError(
            "site_ecef_m", f"an array of shape (3,) or ({n}, 3)", f"shape {site.shape}"
        ) from None
    if n and np.any(np.linalg.norm(site, axis=1) < 1e6):
        raise ParameterError("site_ecef_m", "ECEF positions near the Earth's surface (m)", site[0])
    return site
