"""Homing endgame of a kill vehicle: proportional navigation in 3-D and the linear model.

The last seconds of an intercept, in an inertial frame, flown in relative coordinates
(target minus interceptor). Gravity is left out: both bodies fall in the same field,
which cancels in the relative motion up to the tidal term (at most 2 GM/r^3 times the
separation: 0.03 m/s^2 at 10 km near the Earth's surface, zero at intercept), which
guidance absorbs like a tiny target acceleration. The interceptor follows

- true proportional navigation (PN): ``a_c = N' Vc dlambda/dt``, perpendicular to the
  line of sight (LOS), or
- augmented PN (APN): the same plus ``N'/2`` times the target acceleration across the LOS,

through a first-order lag (time constant ``tau``), a limit on the achieved acceleration
and a divert delta-v budget (thrust stops when it is spent). The seeker measures the LOS
direction with white angle noise (1-sigma per update); the LOS-rate error is the
difference of consecutive noise samples over the update interval, filtered by the lag as
in Zarchan's single-time-constant guidance model. The target flies straight, or with a
step acceleration (Zarchan's classic validation case).

Validation against P. Zarchan, *Tactical and Strategic Missile Guidance* (AIAA): the
closed forms of the heading-error and step-manoeuvre responses of ideal PN in the
linearised engagement (:func:`pn_heading_error_accel`, :func:`pn_step_accel_ratio`,
:func:`apn_step_accel_ratio`), reproduced by :func:`linear_engagement` and, in near-linear
geometry, by :func:`simulate_homing`. See ``docs/endgame.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from openbmd.errors import (
    ParameterError,
    require_choice,
    require_finite,
    require_non_negative,
    require_positive,
    require_range,
)
from openbmd.interceptors.homing_kernels import LAW_APN, LAW_PN, homing_kernel
from openbmd.interceptors.homing_linear import (
    LinearEngagement,
    apn_step_accel_ratio,
    linear_engagement,
    pn_heading_error_accel,
    pn_step_accel_ratio,
)

__all__ = [
    "HomingHistory",
    "HomingMonteCarlo",
    "HomingResult",
    "LinearEngagement",
    "apn_step_accel_ratio",
    "collision_course_states",
    "homing_monte_carlo",
    "kill_probability",
    "linear_engagement",
    "noise_keys",
    "pn_heading_error_accel",
    "pn_step_accel_ratio",
    "simulate_homing",
]

_LAWS = {"pn": LAW_PN, "apn": LAW_APN}
#: Largest history (engagements x updates) kept in memory.
_MAX_HISTORY_POINTS = 50_000_000
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@dataclass(frozen=True)
class HomingHistory:
    """Samples at the start of each seeker update (NaN after closest approach).

    Attributes
    ----------
    time_s : ndarray, shape (K,)
        Update times, s.
    commanded_accel_m_s2 : ndarray, shape (N, K, 3)
        Guidance command (seeker noise included, before the lag and the limit), inertial
        frame, m/s^2.
    achieved_accel_m_s2 : ndarray, shape (N, K, 3)
        Interceptor acceleration after the lag and the limit (zero once the divert budget
        is spent), m/s^2.
    relative_position_m : ndarray, shape (N, K, 3)
        Target minus interceptor position, m.
    """

    time_s: np.ndarray
    commanded_accel_m_s2: np.ndarray
    achieved_accel_m_s2: np.ndarray
    relative_position_m: np.ndarray


@dataclass(frozen=True)
class HomingResult:
    """Outcome of N homing engagements.

    Attributes
    ----------
    miss_distance_m : ndarray, shape (N,)
        Closest approach, m (NaN if it did not happen before the time limit).
    miss_vector_m : ndarray, shape (N, 3)
        Target minus interceptor position at closest approach, m.
    time_of_closest_approach_s : ndarray, shape (N,)
        Time of closest approach, s from the start of the endgame.
    divert_used_m_s : ndarray, shape (N,)
        Delta-v spent by the interceptor, integral of its acceleration magnitude, m/s.
    divert_exhausted : ndarray of bool, shape (N,)
        Whether the divert budget ran out.
    history : HomingHistory or None
        Time histories, if asked for.
    """

    miss_distance_m: np.ndarray
    miss_vector_m: np.ndarray
    time_of_closest_approach_s: np.ndarray
    divert_used_m_s: np.ndarray
    divert_exhausted: np.ndarray
    history: HomingHistory | None = None


def collision_course_states(
    range_m: ArrayLike,
    interceptor_speed_m_s: ArrayLike,
    target_speed_m_s: ArrayLike,
    heading_error_rad: ArrayLike = 0.0,
    *,
    target_aspect_rad: ArrayLike = 0.0,
    heading_error_plane_rad: ArrayLike = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Initial states of engagements on a collision course plus a heading error.

    The interceptor starts at the origin, the target at ``(range_m, 0, 0)`` flying with
    velocity ``Vt (-cos(aspect), sin(aspect), 0)`` (aspect 0: head-on). The interceptor's
    collision-course heading leads the LOS by ``L = asin(Vt sin(aspect) / Vm)`` in the x-y
    plane; the heading error rotates its velocity away from that heading by
    ``heading_error_rad``, toward +y for ``heading_error_plane_rad = 0`` and toward +z for
    pi/2.

    Parameters
    ----------
    range_m : array_like, shape (N,) or scalar
        Initial range, m (> 0).
    interceptor_speed_m_s, target_speed_m_s : array_like, shape (N,) or scalar
        Speeds, m/s (> 0 and >= 0).
    heading_error_rad : array_like, shape (N,) or scalar
        Angle between the interceptor's velocity and the collision course, rad.
    target_aspect_rad : array_like, shape (N,) or scalar
        Angle of the target velocity from head-on, rad.
    heading_error_plane_rad : array_like, shape (N,) or scalar
        Direction of the heading error about the collision course, rad.

    Returns
    -------
    interceptor_state, target_state : ndarray, shape (N, 6)
        ``(x, y, z, vx, vy, vz)`` in m and m/s.

    Examples
    --------
    >>> m, t = collision_course_states(40e3, 3000.0, 1000.0, np.radians(1.0))
    >>> m.shape, float(t[0, 0]), float(t[0, 3])
    ((1, 6), 40000.0, -1000.0)
    """
    r = require_positive("range_m", range_m)
    vm = require_positive("interceptor_speed_m_s", interceptor_speed_m_s)
    vt = require_non_negative("target_speed_m_s", target_speed_m_s)
    he = require_finite("heading_error_rad", heading_error_rad)
    aspect = require_finite("target_aspect_rad", target_aspect_rad)
    plane = require_finite("heading_error_plane_rad", heading_error_plane_rad)
    r, vm, vt, he, aspect, plane = (
        np.atleast_1d(a) for a in np.broadcast_arrays(r, vm, vt, he, aspect, plane)
    )
    lateral = vt * np.sin(aspect)
    if np.any(np.abs(lateral) > vm):
        bad = (lateral / vm)[np.abs(lateral) > vm][0]
        raise ParameterError("target_speed_m_s * sin(target_aspect_rad) / Vm", "<= 1", bad)
    lead = np.arcsin(lateral / vm)
    e_course = np.stack([np.cos(lead), np.sin(lead), np.zeros_like(lead)], axis=-1)
    e_normal = np.stack([-np.sin(lead), np.cos(lead), np.zeros_like(lead)], axis=-1)
    e_z = np.broadcast_to([0.0, 0.0, 1.0], e_course.shape)
    side = np.cos(plane)[:, None] * e_normal + np.sin(plane)[:, None] * e_z
    v_m = vm[:, None] * (np.cos(he)[:, None] * e_course + np.sin(he)[:, None] * side)
    interceptor = np.concatenate([np.zeros_like(v_m), v_m], axis=-1)
    v_t = np.stack([-vt * np.cos(aspect), vt * np.sin(aspect), np.zeros_like(vt)], axis=-1)
    p_t = np.stack([r, np.zeros_like(r), np.zeros_like(r)], axis=-1)
    return interceptor, np.concatenate([p_t, v_t], axis=-1)


def simulate_homing(
    interceptor_state: ArrayLike,
    target_state: ArrayLike,
    *,
    nav_ratio: ArrayLike = 4.0,
    law: str = "pn",
    time_constant_s: ArrayLike = 0.0,
    accel_limit_m_s2: ArrayLike | None = None,
    divert_budget_m_s: ArrayLike | None = None,
    seeker_noise_rad: ArrayLike = 0.0,
    seed: int | ArrayLike = 0,
    target_accel_m_s2: ArrayLike = (0.0, 0.0, 0.0),
    target_maneuver_start_s: ArrayLike = 0.0,
    blind_range_m: ArrayLike = 0.0,
    step_s: float = 1e-3,
    seeker_update_s: float | None = None,
    max_time_s: float | None = None,
    record_history: bool = False,
) -> HomingResult:
    """Fly N homing engagements to closest approach (compiled, parallel over engagements).

    Parameters
    ----------
    interceptor_state, target_state : array_like, shape (N, 6) or (6,)
        Initial ``(x, y, z, vx, vy, vz)`` in one inertial frame, m and m/s.
    nav_ratio : array_like, shape (N,) or scalar
        Effective navigation ratio N' (> 0; 3 to 5 in practice).
    law : {"pn", "apn"}
        True proportional navigation or augmented PN (which knows the target acceleration
        exactly: a validation device).
    time_constant_s : array_like, shape (N,) or scalar
        First-order guidance/flight-control lag, s (0: none).
    accel_limit_m_s2 : array_like, shape (N,) or scalar, optional
        Largest achieved acceleration magnitude, m/s^2, applied after the lag (the divert
        thrusters saturate; the lag has filtered the noise) (default: unlimited).
    divert_budget_m_s : array_like, shape (N,) or scalar, optional
        Delta-v available for divert, m/s (default: unlimited).
    seeker_noise_rad : array_like, shape (N,) or scalar
        Seeker LOS angle noise, rad, 1-sigma per update, independent on each axis across
        the LOS. Needs a lag (``time_constant_s > 0``) to be filtered.
    seed : int or array_like of int, shape (N,)
        Noise seeds: one int derives N independent streams; an (N,) array gives each
        engagement its own stream (the same seed gives the same run in any batch).
    target_accel_m_s2 : array_like, shape (N, 3) or (3,)
        Target step acceleration (constant, inertial frame), m/s^2.
    target_maneuver_start_s : array_like, shape (N,) or scalar
        Time at which the step acceleration starts, s (>= 0).
    blind_range_m : array_like, shape (N,) or scalar
        Range under which the seeker gives no guidance (command zero), m.
    step_s : float
        Integration step, s (> 0).
    seeker_update_s : float, optional
        Seeker update interval, s: a whole multiple of ``step_s`` (default: ``step_s``).
        Each update draws new angle noise; the resulting LOS-rate error is held until the
        next one.
    max_time_s : float, optional
        Time limit, s (default: twice the initial range over closing speed, plus 1 s).
    record_history : bool
        Keep commanded and achieved accelerations and the relative position per update.

    Returns
    -------
    HomingResult

    Examples
    --------
    >>> m, t = collision_course_states(20e3, 3000.0, 1000.0, np.radians(2.0))
    >>> res = simulate_homing(m, t, nav_ratio=4.0)
    >>> bool(res.miss_distance_m[0] < 1e-3), round(float(res.time_of_closest_approach_s[0]), 1)
    (True, 5.0)
    """
    m = require_finite("interceptor_state", interceptor_state)
    tg = require_finite("target_state", target_state)
    for name, arr in (("interceptor_state", m), ("target_state", tg)):
        if arr.ndim not in (1, 2) or arr.shape[-1] != 6:
            raise ParameterError(name, "of shape (6,) or (N, 6)", f"shape {arr.shape}")
    try:
        m, tg = np.broadcast_arrays(np.atleast_2d(m), np.atleast_2d(tg))
    except ValueError:
        allowed = f"of shape (6,) or (N, 6) with the N of interceptor_state {m.shape}"
        raise ParameterError("target_state", allowed, f"shape {tg.shape}") from None
    rel0 = np.ascontiguousarray(tg - m)
    n = rel0.shape[0]
    law_code = _LAWS[require_choice("law", law, _LAWS)]
    step = float(require_positive("step_s", step_s))
    steps_per_update = _steps_per_update(seeker_update_s, step)
    at = require_finite("target_accel_m_s2", target_accel_m_s2)
    if at.shape[-1:] != (3,) or at.ndim > 2 or (at.ndim == 2 and at.shape[0] not in (1, n)):
        raise ParameterError("target_accel_m_s2", "of shape (3,) or (N, 3)", f"shape {at.shape}")
    params = np.empty((n, 10))
    params[:, 0] = _per_run("nav_ratio", require_positive, nav_ratio, n)
    params[:, 1] = law_code
    params[:, 2] = _per_run("time_constant_s", require_non_negative, time_constant_s, n)
    params[:, 3] = _optional_limit("accel_limit_m_s2", accel_limit_m_s2, n, positive=True)
    params[:, 4] = _optional_limit("divert_budget_m_s", divert_budget_m_s, n, positive=False)
    params[:, 5] = _per_run("blind_range_m", require_non_negative, blind_range_m, n)
    params[:, 6:9] = np.broadcast_to(at, (n, 3))
    params[:, 9] = _per_run(
        "target_maneuver_start_s", require_non_negative, target_maneuver_start_s, n
    )
    sigma = _per_run("seeker_noise_rad", require_non_negative, seeker_noise_rad, n)
    keys = noise_keys(seed, n)

    limit = _time_limits(rel0, max_time_s, n)
    if record_history:
        k_max = int(np.ceil(float(limit.max()) / step)) + 1
        if n * k_max > _MAX_HISTORY_POINTS:
            raise ParameterError(
                "record_history", f"for at most {_MAX_HISTORY_POINTS} engagement-updates", n * k_max
            )
        hist = [np.full((n, k_max, 3), np.nan) for _ in range(3)]
    else:
        hist = [np.zeros((1, 1, 3)) for _ in range(3)]
    miss_vec = np.empty((n, 3))
    tca = np.empty(n)
    divert = np.empty(n)
    exhausted = np.zeros(n, dtype=np.bool_)
    homing_kernel(
        rel0, params, sigma, keys, step, steps_per_update, limit, record_history,
        miss_vec, tca, divert, exhausted, *hist,
    )  # fmt: skip
    history = None
    if record_history:
        time_s = np.arange(hist[0].shape[1]) * step
        history = HomingHistory(time_s, hist[0], hist[1], hist[2])
    return HomingResult(
        miss_distance_m=np.linalg.norm(miss_vec, axis=1),
        miss_vector_m=miss_vec,
        time_of_closest_approach_s=tca,
        divert_used_m_s=divert,
        divert_exhausted=exhausted,
        history=history,
    )


def kill_probability(miss_m: ArrayLike, lethal_radius_m: float, sspk: float = 1.0) -> float:
    """Probability that one shot kills, over a sample of miss distances.

    A shot kills if its miss is within the lethal radius, and then with probability
    ``sspk`` (the kill probability given such a hit): ``P_K = sspk * P(miss <= R_L)``.
    Misses that did not happen (NaN) count as no kill.

    Parameters
    ----------
    miss_m : array_like, shape (...)
        Miss distances, m (>= 0 or NaN).
    lethal_radius_m : float
        Lethal radius, m (>= 0).
    sspk : float
        Kill probability given a miss within the lethal radius, in [0, 1].

    Examples
    --------
    >>> kill_probability([0.1, 0.4, 2.0, float("nan")], 0.5, 0.9)
    0.45
    """
    miss = np.asarray(miss_m, dtype=float)
    finite = miss[np.isfinite(miss)]
    if finite.size and np.any(finite < 0.0):
        raise ParameterError("miss_m", ">= 0", float(finite[finite < 0.0][0]))
    if miss.size == 0:
        raise ParameterError("miss_m", "a non-empty sample", "an empty array")
    radius = float(require_non_negative("lethal_radius_m", lethal_radius_m))
    p = float(require_range("sspk", sspk, 0.0, 1.0))
    hits = np.count_nonzero(np.isfinite(miss) & (miss <= radius))
    return float(p * hits / miss.size)


@dataclass(frozen=True)
class HomingMonteCarlo:
    """Monte Carlo of homing engagements: the sampled errors and the outcomes.

    Attributes
    ----------
    result : HomingResult
        Outcomes, one per run (N = ``n_runs``).
    heading_error_rad : ndarray, shape (N,)
        Sampled heading error magnitudes, rad.
    heading_error_plane_rad : ndarray, shape (N,)
        Directions of the heading errors about the collision course, rad.
    noise_seeds : ndarray of uint64, shape (N,)
        Per-run seeds: ``simulate_homing(..., seed=noise_seeds[i:i+1])`` repeats run i.
    """

    result: HomingResult
    heading_error_rad: np.ndarray
    heading_error_plane_rad: np.ndarray
    noise_seeds: np.ndarray

    def kill_probability(self, lethal_radius_m: float, sspk: float = 1.0) -> float:
        """Single-shot kill probability over the runs (see :func:`kill_probability`)."""
        return kill_probability(self.result.miss_distance_m, lethal_radius_m, sspk)


def homing_monte_carlo(
    n_runs: int,
    seed: int,
    *,
    range_m: float,
    interceptor_speed_m_s: float,
    target_speed_m_s: float,
    target_aspect_rad: float = 0.0,
    heading_error_sigma_rad: float = 0.0,
    seeker_noise_rad: float = 0.0,
    nav_ratio: float = 4.0,
    law: str = "pn",
    time_constant_s: float = 0.0,
    accel_limit_m_s2: float | None = None,
    divert_budget_m_s: float | None = None,
    blind_range_m: float = 0.0,
    step_s: float = 1e-3,
    seeker_update_s: float | None = None,
) -> HomingMonteCarlo:
    """Miss-distance distribution from random handover errors and seeker noise.

    Each run starts on the collision course of :func:`collision_course_states` with a
    heading error whose two components across the course are independent normals of
    standard deviation ``heading_error_sigma_rad``, and its own seeker-noise stream. The
    same ``seed`` gives the same runs, on any number of threads.

    Parameters
    ----------
    n_runs : int
        Number of runs (>= 1).
    seed : int
        Seed of :func:`numpy.random.default_rng` for the errors and the noise seeds.
    range_m, interceptor_speed_m_s, target_speed_m_s, target_aspect_rad :
        Engagement geometry, see :func:`collision_course_states` (m, m/s, rad).
    heading_error_sigma_rad : float
        1-sigma heading error per axis across the collision course, rad.
    seeker_noise_rad, nav_ratio, law, time_constant_s, accel_limit_m_s2, \
divert_budget_m_s, blind_range_m, step_s, seeker_update_s :
        Interceptor, see :func:`simulate_homing`.

    Returns
    -------
    HomingMonteCarlo

    Examples
    --------
    >>> mc = homing_monte_carlo(20, 1, range_m=20e3, interceptor_speed_m_s=3000.0,
    ...     target_speed_m_s=1000.0, heading_error_sigma_rad=0.01, seeker_noise_rad=1e-4,
    ...     time_constant_s=0.1, accel_limit_m_s2=300.0)
    >>> mc.result.miss_distance_m.shape
    (20,)
    """
    n = _count("n_runs", n_runs, minimum=1)
    rng = np.random.default_rng(_seed_int("seed", seed))
    sigma = float(require_non_negative("heading_error_sigma_rad", heading_error_sigma_rad))
    errors = rng.normal(0.0, 1.0, (n, 2)) * sigma
    noise_seeds = rng.integers(0, 2**63, n, dtype=np.uint64)
    he = np.hypot(errors[:, 0], errors[:, 1])
    plane = np.arctan2(errors[:, 1], errors[:, 0])
    m, t = collision_course_states(
        range_m,
        interceptor_speed_m_s,
        target_speed_m_s,
        he,
        target_aspect_rad=target_aspect_rad,
        heading_error_plane_rad=plane,
    )
    result = simulate_homing(
        m,
        t,
        nav_ratio=nav_ratio,
        law=law,
        time_constant_s=time_constant_s,
        accel_limit_m_s2=accel_limit_m_s2,
        divert_budget_m_s=divert_budget_m_s,
        seeker_noise_rad=seeker_noise_rad,
        seed=noise_seeds,
        blind_range_m=blind_range_m,
        step_s=step_s,
        seeker_update_s=seeker_update_s,
    )
    return HomingMonteCarlo(result, he, plane, noise_seeds)


def _count(name: str, value: int, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ParameterError(name, f"an integer >= {minimum}", value)
    return int(value)


def noise_keys(seed: int | ArrayLike, n: int) -> np.ndarray:
    """Noise-stream keys (uint64, shape (n,)) for :func:`simulate_homing`'s ``seed``."""
    arr = np.asarray(seed)
    if arr.ndim == 0:
        value = _seed_int("seed", arr)
        return np.random.SeedSequence(value).generate_state(n, dtype=np.uint64)
    if arr.shape != (n,):
        raise ParameterError("seed", f"an int or an array of shape ({n},)", f"shape {arr.shape}")
    z = np.array([_seed_int("seed", v) for v in arr], dtype=np.uint64)
    # SplitMix64 finaliser: neighbouring user seeds give unrelated streams
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def _seed_int(name: str, value: ArrayLike) -> int:
    v = np.asarray(value)
    if not np.issubdtype(v.dtype, np.integer) or int(v) < 0 or int(v) >= 2**64:
        raise ParameterError(name, "a non-negative integer below 2**64", value)
    return int(v)


def _per_run(
    name: str, check: Callable[[str, object], np.ndarray], value: object, n: int
) -> np.ndarray:
    arr = check(name, value)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] not in (1, n)):
        raise ParameterError(name, f"a scalar or of shape ({n},)", f"shape {arr.shape}")
    # a writable C copy: one compiled signature for every call
    return np.array(np.broadcast_to(arr, (n,)), dtype=float)


def _optional_limit(name: str, value: ArrayLike | None, n: int, *, positive: bool) -> np.ndarray:
    if value is None:
        return np.full(n, np.inf)
    return _per_run(name, require_positive if positive else require_non_negative, value, n)


def _steps_per_update(update_s: float | None, step: float) -> int:
    if update_s is None:
        return 1
    update = float(require_positive("seeker_update_s", update_s))
    ratio = round(update / step)
    if ratio < 1 or abs(ratio * step - update) > 1e-9 * update:
        raise ParameterError("seeker_update_s", f"a whole multiple of step_s = {step!r}", update)
    return ratio


def _time_limits(rel0: np.ndarray, max_time_s: float | None, n: int) -> np.ndarray:
    if max_time_s is not None:
        return np.full(n, float(require_positive("max_time_s", max_time_s)))
    rng = np.linalg.norm(rel0[:, :3], axis=1)
    closing = -np.einsum("ij,ij->i", rel0[:, :3], rel0[:, 3:]) / np.maximum(rng, 1e-300)
    with np.errstate(divide="ignore"):
        tgo = np.where(closing > 0.0, rng / closing, 0.0)
    return 2.0 * tgo + 1.0
