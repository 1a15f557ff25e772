"""Batched track filters: EKF and UKF predict / update over N tracks at once.

Every function takes and returns a :class:`TrackState` (N tracks; each with its own
time, state and covariance) and runs one compiled kernel over all rows, in parallel.
State layout and models: :mod:`openbmd.tracking.models`; IMM: :mod:`openbmd.tracking.imm`.

- :func:`predict` moves each track to its own target time (``P = F P F^T + Q`` for the
  EKF; sigma points through the RK4 dynamics for the UKF).
- :func:`update` takes one measurement per track (range, azimuth, elevation and, where
  measured, range rate) from a site fixed on the Earth at the track's time. EKF:
  Joseph-form covariance ``(I - KH) P (I - KH)^T + K R K^T``; UKF: ``P - K S K^T``. Both
  symmetrise ``P`` and accept the result only if it is positive definite.
- :func:`predict_measurement` and :func:`mahalanobis` serve gating.
- :func:`initial_state_from_measurement`: single-detection start with a wide velocity
  prior (conditioned on the range rate when measured), or two-point differencing.

Bad input: ill-formed arrays, non-finite states and times, and predictions into the past
raise :class:`~openbmd.errors.ParameterError`; a row whose measurement or noise is not
finite (or that is masked out) is skipped and reported in :attr:`UpdateResult.status`,
as is a row whose update fails numerically. No call leaves a NaN in a state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_finite
from openbmd.tracking import filter_kernels as fk
from openbmd.tracking import update_kernels as uk
from openbmd.tracking.models import (
    FilterModel,
    atmosphere_arrays,
    per_row,
    site_frames,
    sites_array,
)

__all__ = [
    "STATUS_DONE",
    "STATUS_SKIPPED_INPUT",
    "STATUS_SKIPPED_NUMERICS",
    "MeasurementPrediction",
    "TrackState",
    "UpdateResult",
    "innovation",
    "mahalanobis",
    "predict",
    "predict_measurement",
    "update",
]

FloatArray = npt.NDArray[np.float64]
STATUS_DONE, STATUS_SKIPPED_INPUT, STATUS_SKIPPED_NUMERICS = (
    fk.DONE,
    fk.SKIPPED_INPUT,
    (fk.SKIPPED_NUMERICS),
)


@dataclass(frozen=True, eq=False)
class TrackState:
    """Gaussian states of N tracks, each at its own time.

    Attributes
    ----------
    x : ndarray, shape (N, n)
        State vectors, openbmd ECI (layout in :mod:`openbmd.tracking.models`).
    P : ndarray, shape (N, n, n)
        Covariances, symmetric positive definite, in the units of ``x``.
    time_s : ndarray, shape (N,)
        Time of each state, s since the scenario epoch.
    """

    x: FloatArray
    P: FloatArray
    time_s: FloatArray

    def __post_init__(self) -> None:
        x = require_finite("x", self.x)
        if x.ndim == 1:
            x = x[None]
        if x.ndim != 2 or x.shape[1] < 6:
            raise ParameterError("x", "an array of shape (N, n) with n >= 6", f"shape {x.shape}")
        n, k = x.shape
        p = require_finite("P", self.P)
        if p.ndim == 2:
            p = p[None]
        if p.shape != (n, k, k):
            raise ParameterError("P", f"an array of shape ({n}, {k}, {k})", f"shape {p.shape}")
        asym = np.abs(p - p.transpose(0, 2, 1))
        scale = np.sqrt(np.abs(np.einsum("nii->ni", p)))
        if np.any(np.einsum("nii->ni", p) <= 0.0) or np.any(
            asym > 1e-9 * scale[:, :, None] * scale[:, None, :] + 1e-300
        ):
            raise ParameterError("P", "symmetric with a positive diagonal", "another matrix")
        t = per_row("time_s", self.time_s, n)
        object.__setattr__(self, "x", np.ascontiguousarray(x, dtype=float))
        object.__setattr__(self, "P", np.ascontiguousarray(p, dtype=float))
        object.__setattr__(self, "time_s", np.array(t, dtype=float))

    @classmethod
    def trusted(cls, x: FloatArray, P: FloatArray, time_s: FloatArray) -> TrackState:
        """Build from arrays known to be valid (kernel outputs): no checks, no copies."""
        obj = object.__new__(cls)
        object.__setattr__(obj, "x", x)
        object.__setattr__(obj, "P", P)
        object.__setattr__(obj, "time_s", time_s)
        return obj

    @property
    def size(self) -> int:
        """Number of tracks N."""
        return int(self.x.shape[0])

    @property
    def state_size(self) -> int:
        """Length n of each state vector."""
        return int(self.x.shape[1])

    def __len__(self) -> int:
        return self.size

    def take(self, index: Any) -> TrackState:
        """The tracks selected by an index array, slice or boolean mask."""
        idx = np.arange(self.size)[index]
        idx = np.atleast_1d(idx)
        return TrackState.trusted(
            np.ascontiguousarray(self.x[idx]),
            np.ascontiguousarray(self.P[idx]),
            np.array(self.time_s[idx]),
        )

    def replace_rows(self, index: Any, other: TrackState) -> TrackState:
        """A copy with the rows ``index`` replaced by the tracks of ``other``."""
        x, p, t = self.x.copy(), self.P.copy(), self.time_s.copy()
        x[index], p[index], t[index] = other.x, other.P, other.time_s
        return TrackState.trusted(x, p, t)

    @classmethod
    def concatenate(cls, states: Sequence[TrackState]) -> TrackState:
        """Stack the tracks of several states (same state size)."""
        if not states:
            raise ParameterError("states", "a non-empty sequence of TrackState", "none")
        sizes = {s.state_size for s in states}
        if len(sizes) != 1:
            raise ParameterError("states", "states of one state size", sorted(sizes))
        return cls.trusted(
            np.concatenate([s.x for s in states]),
            np.concatenate([s.P for s in states]),
            np.concatenate([s.time_s for s in states]),
        )

    def position_sigma_m(self) -> FloatArray:
        """Root of the trace of the position covariance, m, shape (N,)."""
        return np.sqrt(np.einsum("nii->n", self.P[:, :3, :3]))


@dataclass(frozen=True, eq=False)
class UpdateResult:
    """Outcome of :func:`update`; unpacks as ``state, innovation, S, nis``.

    Attributes
    ----------
    state : TrackState
        Updated tracks (rows not updated are returned unchanged).
    innovation : ndarray, shape (N, 4)
        ``z - h(x)`` (m, rad, rad, m/s), azimuth wrapped into (-pi, pi]; NaN for an
        unused range rate and for skipped rows.
    S : ndarray, shape (N, 4, 4)
        Innovation covariance; NaN rows/columns where a component was not used.
    nis : ndarray, shape (N,)
        Normalised innovation squared ``nu^T S^-1 nu`` (chi-square with 3 or 4 degrees
        of freedom for a consistent filter); NaN for skipped rows.
    status : ndarray of int64, shape (N,)
        0 updated; 1 skipped (invalid or masked input); 2 skipped (numerical failure).
    z_pred : ndarray, shape (N, 4)
        Predicted measurement.
    """

    state: TrackState
    innovation: FloatArray
    S: FloatArray
    nis: FloatArray
    status: npt.NDArray[np.int64]
    z_pred: FloatArray

    def __iter__(self) -> Iterator[Any]:
        return iter((self.state, self.innovation, self.S, self.nis))

    @property
    def skipped(self) -> int:
        """Number of rows not updated."""
        return int(np.count_nonzero(self.status != STATUS_DONE))

    @property
    def dof(self) -> npt.NDArray[np.int64]:
        """Measured components per row (3 or 4; 0 when skipped)."""
        return np.where(self.status == STATUS_DONE, np.isfinite(self.innovation).sum(axis=1), 0)


@dataclass(frozen=True, eq=False)
class MeasurementPrediction:
    """Predicted measurement of N tracks (for gating).

    Attributes
    ----------
    z_pred : ndarray, shape (N, 4)
        Range (m), azimuth (rad, [0, 2 pi)), elevation (rad), range rate (m/s).
    S : ndarray, shape (N, 4, 4)
        ``H P H^T + R`` (EKF) or its unscented equivalent; NaN in the range-rate row and
        column when range rate is not used.
    """

    z_pred: FloatArray
    S: FloatArray


def _check_state(state: TrackState, model: FilterModel) -> None:
    if not isinstance(state, TrackState):
        raise ParameterError("state", "a TrackState", type(state).__name__)
    if state.state_size != model.state_size:
        raise ParameterError(
            "state", f"states of size {model.state_size} for this model", state.state_size
        )


def predict(
    state: TrackState,
    model: FilterModel,
    to_time_s: Any,
    *,
    past: Literal["raise", "keep"] = "raise",
) -> TrackState:
    """Predict every track to its target time.

    Parameters
    ----------
    state : TrackState
        N tracks.
    model : FilterModel
        Dynamics and filter kind (EKF or UKF).
    to_time_s : float or array_like, shape (N,)
        Target time of each track, s since the epoch.
    past : {"raise", "keep"}
        A target before a track's time (out-of-order data): raise ``ParameterError``, or
        keep that track as it is (its time unchanged).

    Returns
    -------
    TrackState
        Tracks at ``to_time_s``. A track whose prediction fails numerically (it should
        not; e.g. a state at the Earth's centre) is kept unchanged at its old time.
    """
    _check_state(state, model)
    n = state.size
    target = per_row("to_time_s", to_time_s, n)
    dt = target - state.time_s
    behind = dt < 0.0
    if np.any(behind):
        if past == "raise":
            i = int(np.flatnonzero(behind)[0])
            raise ParameterError(
                "to_time_s",
                f">= the track's time ({state.time_s[i]!r} s for track {i}; "
                f"{int(behind.sum())} track(s) behind)",
                float(target[i]),
            )
        if past != "keep":
            raise ParameterError("past", "'raise' or 'keep'", past)
        dt = np.where(behind, 0.0, dt)
    atm, a0, da = atmosphere_arrays()
    x_out, p_out = np.empty_like(state.x), np.empty_like(state.P)
    status = np.empty(n, dtype=np.int64)
    if model.kind == "ekf":
        fk.ekf_predict(
            state.x,
            state.P,
            dt,
            model.parameters,
            atm,
            a0,
            da,
            x_out,
            p_out,
            status,
            fk.blocks_for(n),
        )
    else:
        fk.ukf_predict(
            state.x,
            state.P,
            dt,
            model.parameters,
            atm,
            a0,
            da,
            _ut(model),
            x_out,
            p_out,
            status,
            fk.blocks_for(n),
        )
    time = np.where((status == STATUS_DONE) & ~behind, target, state.time_s)
    return TrackState.trusted(x_out, p_out, time)


def _ut(model: FilterModel) -> FloatArray:
    return np.array([model.ukf_alpha, model.ukf_beta, model.ukf_kappa])


def _bool_rows(name: str, value: Any, n: int) -> npt.NDArray[np.bool_]:
    arr = np.asarray(value)
    if arr.dtype != np.bool_:
        raise ParameterError(name, "a bool or an array of bool", arr.dtype)
    try:
        return np.ascontiguousarray(np.broadcast_to(arr, (n,)))
    except ValueError:
        raise ParameterError(name, f"a bool or an array of shape ({n},)", arr.shape) from None


def _measurements(
    z: Any, R: Any, n: int, use_range_rate: Any
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64]]:
    """(z (N, 4), R (N, 4, 4), use_rr (N,) int in {-1, 0, 1}); NaN padding, no finiteness
    requirement (those rows are skipped)."""
    zz = np.asarray(z, dtype=float)
    if zz.ndim == 1:
        zz = zz[None]
    if zz.ndim != 2 or zz.shape[0] != n or zz.shape[1] not in (3, 4):
        raise ParameterError("z", f"an array of shape ({n}, 3) or ({n}, 4)", f"shape {zz.shape}")
    rr = np.asarray(R, dtype=float)
    m = rr.shape[-1] if rr.ndim >= 2 else 0
    if rr.ndim not in (2, 3) or m not in (3, 4) or rr.shape[-2] != m:
        raise ParameterError("R", "an array of shape (m, m) or (N, m, m), m = 3 or 4", rr.shape)
    try:
        rr = np.broadcast_to(rr, (n, m, m))
    except ValueError:
        raise ParameterError("R", f"an array of shape ({n}, {m}, {m})", rr.shape) from None
    z4 = np.full((n, 4), np.nan)
    z4[:, : zz.shape[1]] = zz
    r4 = np.full((n, 4, 4), np.nan)
    r4[:, :m, :m] = rr
    if use_range_rate is None:
        flags = np.full(n, -1, dtype=np.int64)
    else:
        flags = _bool_rows("use_range_rate", use_range_rate, n).astype(np.int64)
    if zz.shape[1] == 3 or m == 3:
        if np.any(flags == 1):
            raise ParameterError("use_range_rate", "False with 3-component z or R", True)
        flags[:] = 0
    return z4, r4, flags


def update(
    state: TrackState,
    model: FilterModel,
    z: Any,
    R: Any,
    site_ecef_m: Any,
    use_range_rate: Any = None,
    *,
    valid: Any = None,
) -> UpdateResult:
    """Update every track with one measurement taken at the track's time.

    Parameters
    ----------
    state : TrackState
        N tracks, already predicted to their measurement times.
    model : FilterModel
    z : array_like, shape (N, 3) or (N, 4)
        Range (m), azimuth (rad, from north, clockwise), geometric elevation (rad) and
        optionally range rate (m/s; NaN if not measured): the order of
        :meth:`openbmd.sensors.Detections.measurement`.
    R : array_like, shape (N, m, m) or (m, m), m = 3 or 4
        Measurement noise covariance in the same order (m^2, rad^2, rad^2, m^2/s^2);
        ``inf`` variance for an unmeasured range rate is fine.
    site_ecef_m : array_like, shape (3,) or (N, 3)
        Sensor sites, ECEF, m.
    use_range_rate : bool or array_like of bool, shape (N,), optional
        Default: use the range rate wherever it and its variance are finite. ``True``
        requires it (a row without one is skipped); ``False`` ignores it.
    valid : array_like of bool, shape (N,), optional
        Rows to update (others are returned unchanged, status 1).

    Returns
    -------
    UpdateResult
        Unpacks as ``(state, innovation, S, nis)``; ``status`` says which rows were
        skipped and why.
    """
    _check_state(state, model)
    n = state.size
    z4, r4, flags = _measurements(z, R, n, use_range_rate)
    site = sites_array(site_ecef_m, n)
    ok = np.ones(n, dtype=bool) if valid is None else _bool_rows("valid", valid, n)
    outs = _update_outputs(state)
    blocks = fk.blocks_for(n)
    frames = site_frames(site)
    args: tuple[Any, ...] = (state.x, state.P, state.time_s, z4, r4, site, frames, flags,
                             np.ascontiguousarray(ok))  # fmt: skip
    kernel: Any = uk.ekf_update if model.kind == "ekf" else uk.ukf_update
    option = model.second_order if model.kind == "ekf" else _ut(model)
    kernel(*args, float(model.omega_rad_s), True, option, *outs, blocks)
    x_out, p_out, zp, nu, s, nis, status = outs
    return UpdateResult(
        TrackState.trusted(x_out, p_out, state.time_s.copy()), nu, s, nis, status, zp
    )


def _update_outputs(state: TrackState) -> tuple[Any, ...]:
    n = state.size
    return (
        np.empty_like(state.x),
        np.empty_like(state.P),
        np.empty((n, 4)),
        np.empty((n, 4)),
        np.empty((n, 4, 4)),
        np.empty(n),
        np.empty(n, dtype=np.int64),
    )


def predict_measurement(
    state: TrackState,
    model: FilterModel,
    site_ecef_m: Any,
    R: Any = None,
    *,
    use_range_rate: bool = True,
) -> MeasurementPrediction:
    """Predicted measurement and its covariance at the tracks' times (for gating).

    Parameters
    ----------
    state : TrackState
        N tracks at the time of the measurements.
    model : FilterModel
    site_ecef_m : array_like, shape (3,) or (N, 3)
        Sensor sites, ECEF, m.
    R : array_like, shape (N, m, m) or (m, m), optional
        Measurement noise added to ``S`` (default none: ``S = H P H^T``).
    use_range_rate : bool
        Predict the range rate too (requires a finite ``R[3, 3]`` if ``R`` is given).

    Returns
    -------
    MeasurementPrediction
    """
    _check_state(state, model)
    n = state.size
    r4 = np.zeros((n, 4, 4))
    if R is not None:
        _, r4, _ = _measurements(np.zeros((n, 4)), R, n, None)
        if not use_range_rate:
            r4[:, 3, :] = r4[:, :, 3] = 0.0
        elif not np.all(np.isfinite(r4)):
            raise ParameterError("R", "finite (with use_range_rate=True)", r4[~np.isfinite(r4)])
    site = sites_array(site_ecef_m, n)
    flags = np.full(n, 1 if use_range_rate else 0, dtype=np.int64)
    outs = _update_outputs(state)
    blocks = fk.blocks_for(n)
    frames = site_frames(site)
    zeros = np.zeros((n, 4))
    args: tuple[Any, ...] = (state.x, state.P, state.time_s, zeros, r4, site, frames, flags,
                             np.ones(n, bool))  # fmt: skip
    kernel: Any = uk.ekf_update if model.kind == "ekf" else uk.ukf_update
    option = model.second_order if model.kind == "ekf" else _ut(model)
    kernel(*args, float(model.omega_rad_s), False, option, *outs, blocks)
    return MeasurementPrediction(outs[2], outs[4])


def innovation(z: Any, z_pred: Any) -> FloatArray:
    """``z - z_pred`` with the azimuth (component 1) wrapped into (-pi, pi].

    Shapes broadcast: ``(..., m)`` with m = 3 or 4 (NaN components stay NaN).
    """
    d = np.asarray(z, dtype=float) - np.asarray(z_pred, dtype=float)
    d[..., 1] = np.mod(d[..., 1] + np.pi, 2.0 * np.pi) - np.pi
    d[..., 1] = np.where(d[..., 1] == -np.pi, np.pi, d[..., 1])
    return d


def mahalanobis(innovation: Any, S: Any) -> FloatArray:
    """Squared Mahalanobis distance ``nu^T S^-1 nu`` over the finite components of ``nu``.

    Parameters
    ----------
    innovation : array_like, shape (..., m)
        Innovations (see :func:`innovation`); NaN components (unmeasured range rate) are
        left out, row by row.
    S : array_like, shape (..., m, m)
        Innovation covariances (broadcast against ``innovation``).

    Returns
    -------
    ndarray, shape (...)
        Distances (chi-square with as many degrees of freedom as finite components);
        NaN where ``S`` is not positive definite on those components.
    """
    nu = np.asarray(innovation, dtype=float)
    s = np.asarray(S, dtype=float)
    if nu.ndim < 1 or s.ndim < 2 or s.shape[-1] != nu.shape[-1] or s.shape[-2] != nu.shape[-1]:
        raise ParameterError("S", "an array of shape (..., m, m) matching innovation", s.shape)
    lead = np.broadcast_shapes(nu.shape[:-1], s.shape[:-2])
    m = nu.shape[-1]
    nu_b = np.ascontiguousarray(np.broadcast_to(nu, (*lead, m)).reshape(-1, m))
    s_b = np.ascontiguousarray(np.broadcast_to(s, (*lead, m, m)).reshape(-1, m, m))
    out = np.empty(nu_b.shape[0])
    fk.mahalanobis_rows(nu_b, s_b, out)
    return out.reshape(lead)


# re-exported for the single import point of the filter API
from openbmd.tracking.imm import ImmModel, ImmState, imm_predict, imm_update  # noqa: E402
from openbmd.tracking.initiation import initial_state_from_measurement  # noqa: E402

__all__ += ["ImmModel", "ImmState", "imm_predict", "imm_update", "initial_state_from_measurement"]
