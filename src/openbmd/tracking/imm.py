"""Interacting multiple model (IMM) filter over N tracks: powered flight and coast.

Bar-Shalom, Li & Kirubarajan (2001), sec. 11.6.6. Each track carries one Gaussian per
mode (all on one state layout: the powered mode's thrust ``a_T`` is reset to 0 by the
ballistic mode, see :mod:`openbmd.tracking.models`) and the mode probabilities ``mu``.
One cycle, with the Markov matrix ``Pi`` (``Pi[i, j]`` = probability of switching from
mode i to mode j in one cycle):

1. :func:`imm_predict`: predicted mode probabilities ``c_j = sum_i Pi[i, j] mu_i``,
   mixing weights ``mu_{i|j} = Pi[i, j] mu_i / c_j``, mixed initial conditions
   ``x0_j = sum_i mu_{i|j} x_i``, ``P0_j = sum_i mu_{i|j} (P_i + (x_i - x0_j)(.)^T)``,
   then each mode's own prediction; the state's probabilities become ``c``.
2. :func:`imm_update`: each mode's update; likelihoods ``N(nu_j; 0, S_j)``;
   ``mu_j ∝ Lambda_j c_j`` (in logarithms); the combined estimate is the moment-matched
   mixture (:meth:`ImmState.combined`).

``Pi`` applies per cycle (per update), as in the textbook; choose it for the sensor's
revisit time. A row whose update is skipped in any mode keeps its predicted modes and
probabilities (status as in :class:`~openbmd.tracking.filters.UpdateResult`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_finite
from openbmd.tracking.filters import (
    STATUS_DONE,
    TrackState,
    UpdateResult,
    mahalanobis,
    predict,
    update,
)
from openbmd.tracking.models import FilterModel

__all__ = ["ImmModel", "ImmState", "ImmUpdateResult", "imm_predict", "imm_update"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ImmModel:
    """Modes and mode-switching probabilities of an IMM filter.

    Attributes
    ----------
    models : tuple of FilterModel, length r
        One filter model per mode, all with the same state layout.
    transition_matrix : ndarray, shape (r, r)
        ``Pi[i, j]``: probability of switching from mode i to mode j in one cycle; rows
        sum to 1.
    """

    models: tuple[FilterModel, ...]
    transition_matrix: FloatArray = field(default_factory=lambda: np.eye(1))

    def __post_init__(self) -> None:
        models = tuple(self.models)
        if len(models) < 2 or not all(isinstance(m, FilterModel) for m in models):
            raise ParameterError("models", "two or more FilterModel", len(models))
        sizes = {m.state_size for m in models}
        if len(sizes) != 1 or len({m.thrust_index for m in models}) != 1:
            raise ParameterError("models", "modes with one state layout", sorted(sizes))
        pi = require_finite("transition_matrix", self.transition_matrix)
        r = len(models)
        if pi.shape != (r, r) or np.any(pi < 0.0) or not np.allclose(pi.sum(axis=1), 1.0):
            raise ParameterError(
                "transition_matrix", f"a ({r}, {r}) row-stochastic matrix", pi.tolist()
            )
        object.__setattr__(self, "models", models)
        object.__setattr__(self, "transition_matrix", pi)

    @classmethod
    def boost_coast(
        cls,
        *,
        kind: str = "ekf",
        boost_to_coast: float = 0.02,
        coast_to_boost: float = 0.005,
        boost_process_noise_m2_s3: float = 10.0,
        coast_process_noise_m2_s3: float = 1.0,
        thrust_process_noise_m2_s5: float = 10.0,
        **common: Any,
    ) -> ImmModel:
        """Two modes: 0 powered flight (thrust along the air-relative velocity, unknown
        magnitude), 1 ballistic coast. ``common`` goes to both :class:`FilterModel`."""
        boost = FilterModel(
            kind=kind,  # type: ignore[arg-type]
            powered=True,
            process_noise_m2_s3=boost_process_noise_m2_s3,
            thrust_process_noise_m2_s5=thrust_process_noise_m2_s5,
            **common,
        )
        coast = FilterModel(
            kind=kind,  # type: ignore[arg-type]
            thrust_state=True,
            process_noise_m2_s3=coast_process_noise_m2_s3,
            thrust_process_noise_m2_s5=thrust_process_noise_m2_s5,
            **common,
        )
        pi = np.array(
            [[1.0 - boost_to_coast, boost_to_coast], [coast_to_boost, 1.0 - coast_to_boost]]
        )
        return cls((boost, coast), pi)

    @property
    def modes(self) -> int:
        """Number of modes r."""
        return len(self.models)


@dataclass(frozen=True, eq=False)
class ImmState:
    """IMM state of N tracks.

    Attributes
    ----------
    mode_states : tuple of TrackState, length r
        Each mode's Gaussian for every track (same times).
    probabilities : ndarray, shape (N, r)
        Mode probabilities (rows sum to 1).
    """

    mode_states: tuple[TrackState, ...]
    probabilities: FloatArray

    def __post_init__(self) -> None:
        states = tuple(self.mode_states)
        mu = require_finite("probabilities", self.probabilities)
        n = states[0].size if states else 0
        if mu.ndim == 1:
            mu = np.broadcast_to(mu, (n, mu.size)).copy()
        if mu.shape != (n, len(states)) or np.any(mu < 0.0) or not np.allclose(mu.sum(1), 1.0):
            raise ParameterError(
                "probabilities", f"an ({n}, {len(states)}) array of rows summing to 1", mu.shape
            )
        for s in states[1:]:
            if s.size != n or not np.array_equal(s.time_s, states[0].time_s):
                raise ParameterError("mode_states", "modes of the same tracks and times", s.size)
        object.__setattr__(self, "mode_states", states)
        object.__setattr__(self, "probabilities", np.ascontiguousarray(mu, dtype=float))

    @classmethod
    def start(cls, state: TrackState, probabilities: Any) -> ImmState:
        """Every mode starts from ``state``; ``probabilities`` (r,) or (N, r)."""
        mu = np.asarray(probabilities, dtype=float)
        r = mu.shape[-1]
        return cls(tuple(state for _ in range(r)), mu)

    @property
    def time_s(self) -> FloatArray:
        """Time of each track, s since the epoch."""
        return self.mode_states[0].time_s

    @property
    def size(self) -> int:
        return self.mode_states[0].size

    def combined(self) -> TrackState:
        """Moment-matched mixture of the modes (the IMM output estimate)."""
        xs = np.stack([s.x for s in self.mode_states], axis=1)  # (N, r, n)
        ps = np.stack([s.P for s in self.mode_states], axis=1)
        mu = self.probabilities
        x = np.einsum("nr,nri->ni", mu, xs)
        d = xs - x[:, None, :]
        p = np.einsum("nr,nrij->nij", mu, ps + d[..., :, None] * d[..., None, :])
        return TrackState.trusted(x, 0.5 * (p + p.transpose(0, 2, 1)), self.time_s.copy())

    def take(self, index: Any) -> ImmState:
        """The tracks selected by an index array, slice or mask."""
        idx = np.atleast_1d(np.arange(self.size)[index])
        return ImmState(tuple(s.take(idx) for s in self.mode_states), self.probabilities[idx])


def imm_predict(
    state: ImmState, model: ImmModel, to_time_s: Any, *, past: str = "raise"
) -> ImmState:
    """Mix the modes and predict each to ``to_time_s`` (float or (N,), s since the epoch)."""
    _check(state, model)
    pi = model.transition_matrix
    mu = state.probabilities
    c = mu @ pi  # (N, r)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = mu[:, :, None] * pi[None] / c[:, None, :]  # mu_{i|j}, (N, i, j)
    degenerate = ~(c > 0.0)
    if np.any(degenerate):
        eye = np.broadcast_to(np.eye(model.modes), w.shape)
        w = np.where(degenerate[:, None, :], eye, w)
    xs = np.stack([s.x for s in state.mode_states], axis=1)
    ps = np.stack([s.P for s in state.mode_states], axis=1)
    out = []
    for j, m in enumerate(model.models):
        wj = w[:, :, j]
        x0 = np.einsum("ni,nik->nk", wj, xs)
        d = xs - x0[:, None, :]
        p0 = np.einsum("ni,nikl->nkl", wj, ps + d[..., :, None] * d[..., None, :])
        mixed = TrackState.trusted(
            np.ascontiguousarray(x0),
            np.ascontiguousarray(0.5 * (p0 + p0.transpose(0, 2, 1))),
            state.time_s,
        )
        out.append(predict(mixed, m, to_time_s, past=past))  # type: ignore[arg-type]
    times = np.stack([s.time_s for s in out])
    if np.any(times != times[0]):  # a mode failed to move a track: keep that track whole
        stuck = np.any(times != times[0], axis=0)
        out = [
            s.replace_rows(stuck, o.take(stuck))
            for s, o in zip(out, state.mode_states, strict=True)
        ]
        c = np.where(stuck[:, None], mu, c)
    c = c / c.sum(axis=1, keepdims=True)
    return ImmState(tuple(out), c)


@dataclass(frozen=True, eq=False)
class ImmUpdateResult:
    """Outcome of :func:`imm_update`; unpacks as ``state, innovation, S, nis``.

    ``innovation`` (N, 4) and ``S`` (N, 4, 4) are the mixtures over the modes with the
    predicted probabilities; ``nis`` is ``nu^T S^-1 nu`` of that mixture;
    ``log_likelihood`` (N,) the log of the mixture's measurement likelihood (for
    association scores); ``modes`` each mode's :class:`UpdateResult`.
    """

    state: ImmState
    innovation: FloatArray
    S: FloatArray
    nis: FloatArray
    status: npt.NDArray[np.int64]
    log_likelihood: FloatArray
    modes: tuple[UpdateResult, ...]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.state, self.innovation, self.S, self.nis))


def _log_likelihood(res: UpdateResult) -> FloatArray:
    """``log N(nu; 0, S)`` over the used components of each row."""
    s = res.S
    used = np.isfinite(res.innovation)
    m = used.sum(axis=1)
    s_filled = np.where(used[:, :, None] & used[:, None, :], s, 0.0) + np.where(
        ~used[:, :, None] & np.eye(4, dtype=bool)[None], 1.0, 0.0
    )
    sign, logdet = np.linalg.slogdet(s_filled)
    out = -0.5 * (res.nis + logdet + m * np.log(2.0 * np.pi))
    return np.where((res.status == STATUS_DONE) & (sign > 0), out, -np.inf)


def imm_update(
    state: ImmState,
    model: ImmModel,
    z: Any,
    R: Any,
    site_ecef_m: Any,
    use_range_rate: Any = None,
    *,
    valid: Any = None,
) -> ImmUpdateResult:
    """Update every mode with one measurement per track, then the mode probabilities.

    Arguments as :func:`openbmd.tracking.filters.update`.
    """
    _check(state, model)
    results = tuple(
        update(s, m, z, R, site_ecef_m, use_range_rate, valid=valid)
        for s, m in zip(state.mode_states, model.models, strict=True)
    )
    c = state.probabilities
    status = np.max(np.stack([r.status for r in results]), axis=0)
    ok = status == STATUS_DONE
    loglik = np.stack([_log_likelihood(r) for r in results], axis=1)  # (N, r)
    ok &= np.all(np.isfinite(loglik), axis=1)
    status = np.where(ok, STATUS_DONE, np.maximum(status, 2))
    with np.errstate(divide="ignore"):
        logpost = loglik + np.log(c)
    top = np.max(np.where(np.isfinite(logpost), logpost, -np.inf), axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    post = np.exp(logpost - top)
    total = post.sum(axis=1, keepdims=True)
    mu = np.where(ok[:, None] & (total > 0), post / np.where(total > 0, total, 1.0), c)
    mode_states = tuple(
        _pick(r.state, s, ok) for r, s in zip(results, state.mode_states, strict=True)
    )
    nus = np.stack([r.innovation for r in results], axis=1)  # (N, r, 4)
    ss = np.stack([r.S for r in results], axis=1)
    nu = np.einsum("nr,nri->ni", c, nus)
    d = nus - nu[:, None, :]
    s_mix = np.einsum("nr,nrij->nij", c, ss + d[..., :, None] * d[..., None, :])
    nis = np.where(ok, mahalanobis(nu, s_mix), np.nan)
    ll = np.where(ok, top[:, 0] + np.log(np.where(total[:, 0] > 0, total[:, 0], 1.0)), np.nan)
    return ImmUpdateResult(ImmState(mode_states, mu), nu, s_mix, nis, status, ll, results)


def _pick(updated: TrackState, prior: TrackState, ok: npt.NDArray[np.bool_]) -> TrackState:
    if np.all(ok):
        return updated
    return TrackState.trusted(
        np.where(ok[:, None], updated.x, prior.x),
        np.where(ok[:, None, None], updated.P, prior.P),
        prior.time_s.copy(),
    )


def _check(state: ImmState, model: ImmModel) -> None:
    if not isinstance(state, ImmState) or not isinstance(model, ImmModel):
        raise ParameterError("state", "an ImmState with an ImmModel", type(state).__name__)
    if len(state.mode_states) != model.modes:
        raise ParameterError("state", f"{model.modes} mode states", len(state.mode_states))
