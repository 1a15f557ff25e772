"""Data association: which detection updates which track.

Three pieces, each on plain arrays and batched over every track x detection pair of a scan:

- **Costs and gates.** :func:`mahalanobis_costs` turns innovations ``nu`` (T, M, m) and
  their covariances ``S`` (T, M, m, m) into the squared Mahalanobis distance
  ``d2 = nu' S^-1 nu`` and ``log det(2 pi S)`` by one batched Cholesky factorisation.
  A pair is in the gate when ``d2 <= gamma``, with ``gamma`` the ``P_G`` quantile of
  the chi-square law with ``m`` degrees of freedom (:func:`gate_threshold`; Bar-Shalom,
  Li & Kirubarajan, *Estimation with Applications to Tracking and Navigation* (2001),
  sec. 3.4.3): a correct detection falls in its track's gate with probability ``P_G``.
- **Global nearest neighbour** (:func:`gnn_assign`): the one-to-one assignment of gated
  pairs that minimises ``sum d2`` plus a fixed cost for each track left without a
  detection and each detection left without a track (it starts a new track), solved
  exactly by :func:`scipy.optimize.linear_sum_assignment` on the augmented
  (T + M) x (M + T) matrix. By default the two fixed costs are ``gamma / 2`` each, so
  any gated pair is worth taking and no pair outside the gate is ever taken.
- **Joint probabilistic data association** (:func:`jpda_weights`; Bar-Shalom et al.
  (2001), sec. 6.4; Fortmann, Bar-Shalom & Scheffe, IEEE J. Oceanic Eng. 8 (1983)):
  the posterior probability ``beta[t, j]`` that detection ``j`` came from track ``t``
  (column 0: from none of them), summed over the feasible joint events (each detection
  from at most one track, each track at most one detection) of each cluster of tracks
  linked by shared gated detections. A joint event has weight
  ``prod_(t->j) P_D g_tj / lambda  *  prod_(t missed) (1 - P_D P_G)``, with ``g_tj`` the
  Gaussian density of the innovation and ``lambda`` the clutter density. A cluster
  with more than ``max_events`` events is handled by Fitzgerald's "cheap JPDA"
  approximation (IEEE Trans. AES 21 (1985)) with the same weights. With one track both
  reduce exactly to the probabilistic data association (PDA) filter's weights.
  :func:`mixture_moments` merges the per-hypothesis updated states into one Gaussian.

Without a clutter density (``None``) the weights use the non-parametric estimate of
Bar-Shalom et al. (2001, sec. 3.4.4): ``lambda_t`` = the number of detections in track
``t``'s gate over that gate's volume ``c_m gamma^(m/2) |S|^(1/2)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit
from scipy.optimize import linear_sum_assignment
from scipy.special import gammaln
from scipy.stats import chi2

from openbmd.errors import ParameterError, require_range

__all__ = [
    "Assignment",
    "gate_threshold",
    "gnn_assign",
    "jpda_weights",
    "log_gate_volume",
    "mahalanobis_costs",
    "mixture_moments",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Default largest number of joint events enumerated per cluster before the cheap-JPDA
#: approximation takes over.
MAX_JOINT_EVENTS = 20_000


def gate_threshold(gate_probability: float, dim: int) -> float:
    """Chi-square gate ``gamma``: the ``gate_probability`` quantile with ``dim`` dof.

    Parameters
    ----------
    gate_probability : float
        Probability ``P_G`` in (0, 1) that a correct detection falls in the gate.
    dim : int
        Dimension of the measurement (3: range and two angles; 4 with range rate).

    Examples
    --------
    >>> round(gate_threshold(0.99, 3), 3)
    11.345
    """
    p = float(require_range("gate_probability", gate_probability, 0.0, 1.0,
                            low_open=True, high_open=True))  # fmt: skip
    if isinstance(dim, bool) or int(dim) != dim or dim < 1:
        raise ParameterError("dim", "an integer >= 1", dim)
    return float(chi2.ppf(p, int(dim)))


def log_gate_volume(gamma: float, dim: int, log_det_s: Any) -> FloatArray:
    """Log of the volume of the gate ``{nu : nu' S^-1 nu <= gamma}``,
    ``c_m gamma^(m/2) |S|^(1/2)`` (logs: volumes of small gates underflow).

    ``log_det_s`` is ``log det S`` (not of ``2 pi S``); units are those of the
    measurement space (e.g. m rad^2 m/s). ``c_m`` is the volume of the unit m-ball.
    """
    log_cm = 0.5 * dim * math.log(math.pi) - float(gammaln(0.5 * dim + 1.0))
    return np.asarray(log_cm + 0.5 * dim * math.log(gamma) + 0.5 * np.asarray(log_det_s, float))


def mahalanobis_costs(innovation: Any, covariance: Any) -> tuple[FloatArray, FloatArray]:
    """Squared Mahalanobis distances and ``log det(2 pi S)`` of a batch of innovations.

    Parameters
    ----------
    innovation : array_like, shape (..., m)
        Innovations ``z - h(x)`` (angles already wrapped), in measurement units.
    covariance : array_like, shape (..., m, m)
        Their covariances ``S``.

    Returns
    -------
    d2 : ndarray, shape (...)
        ``nu' S^-1 nu``; ``inf`` where ``nu`` or ``S`` is not finite or ``S`` is not
        positive definite (such a pair never gates).
    log_det_2pi_s : ndarray, shape (...)
        ``log det(2 pi S)`` (``inf`` where ``d2`` is).

    Examples
    --------
    >>> d2, _ = mahalanobis_costs([[3.0, 4.0]], [[[1.0, 0.0], [0.0, 4.0]]])
    >>> d2.tolist()
    [13.0]
    """
    nu = np.asarray(innovation, dtype=float)
    s = np.asarray(covariance, dtype=float)
    m = nu.shape[-1]
    if s.shape != (*nu.shape, m):
        raise ParameterError("covariance", f"shape {(*nu.shape, m)}", f"shape {s.shape}")
    batch = nu.shape[:-1]
    nu2 = nu.reshape(-1, m)
    s2 = s.reshape(-1, m, m)
    ok = np.all(np.isfinite(nu2), axis=1) & np.all(np.isfinite(s2), axis=(1, 2))
    d2 = np.full(nu2.shape[0], np.inf)
    logdet = np.full(nu2.shape[0], np.inf)
    if np.any(ok):
        good = np.flatnonzero(ok)
        sym = 0.5 * (s2[good] + np.swapaxes(s2[good], 1, 2))
        # factor one by one only if the batched factorisation meets a bad matrix
        try:
            chol = np.linalg.cholesky(sym)
            pos = np.ones(good.size, dtype=bool)
        except np.linalg.LinAlgError:
            chol, pos = _cholesky_each(sym)
        sel = good[pos]
        chol = chol[pos]
        w = np.linalg.solve(chol, nu2[sel][..., None])[..., 0]
        d2[sel] = np.einsum("ni,ni->n", w, w)
        diag = np.einsum("nii->ni", chol)
        logdet[sel] = 2.0 * np.log(diag).sum(axis=1) + m * math.log(2.0 * math.pi)
    return d2.reshape(batch), logdet.reshape(batch)


def _cholesky_each(sym: FloatArray) -> tuple[FloatArray, BoolArray]:
    chol = np.zeros_like(sym)
    pos = np.zeros(sym.shape[0], dtype=bool)
    for i in range(sym.shape[0]):
        try:
            chol[i] = np.linalg.cholesky(sym[i])
            pos[i] = True
        except np.linalg.LinAlgError:
            continue
    return chol, pos


@dataclass(frozen=True)
class Assignment:
    """Result of :func:`gnn_assign`.

    Attributes
    ----------
    detection_of_track : (T,) int
        Detection assigned to each track, -1 for none.
    track_of_detection : (M,) int
        Track assigned to each detection, -1 for none (a candidate new track).
    cost : float
        Total cost: assigned ``d2`` plus the fixed costs of the unassigned.
    """

    detection_of_track: IntArray
    track_of_detection: IntArray
    cost: float


def gnn_assign(
    d2: Any,
    gamma: float,
    *,
    miss_cost: Any = None,
    new_cost: Any = None,
) -> Assignment:
    """Global nearest neighbour: the gated one-to-one assignment of least total cost.

    Parameters
    ----------
    d2 : array_like, shape (T, M)
        Squared Mahalanobis distance of each track-detection pair (``inf``: impossible).
    gamma : float
        Gate threshold (:func:`gate_threshold`); pairs with ``d2 > gamma`` are never taken.
    miss_cost : float or array_like of shape (T,), optional
        Cost of leaving a track without a detection (default ``gamma / 2``).
    new_cost : float or array_like of shape (M,), optional
        Cost of leaving a detection without a track (default ``gamma / 2``).

    Returns
    -------
    Assignment

    Examples
    --------
    >>> a = gnn_assign([[1.0, 2.0], [1.5, 9.0]], gamma=10.0)
    >>> a.detection_of_track.tolist()
    [1, 0]
    """
    cost = np.asarray(d2, dtype=float)
    if cost.ndim != 2:
        raise ParameterError("d2", "an array of shape (T, M)", f"shape {cost.shape}")
    n_t, n_m = cost.shape
    miss = np.broadcast_to(np.asarray(0.5 * gamma if miss_cost is None else miss_cost, float),
                           (n_t,))  # fmt: skip
    new = np.broadcast_to(np.asarray(0.5 * gamma if new_cost is None else new_cost, float),
                          (n_m,))  # fmt: skip
    if not (np.all(np.isfinite(miss)) and np.all(np.isfinite(new))):
        raise ParameterError("miss_cost/new_cost", "finite numbers", "a non-finite value")
    gated = np.isfinite(cost) & (cost <= gamma)
    out_t = np.full(n_t, -1, dtype=np.int64)
    out_m = np.full(n_m, -1, dtype=np.int64)
    total = float(miss.sum() + new.sum())
    if not np.any(gated):
        return Assignment(out_t, out_m, total)
    # forbidden entries: larger than any feasible total, so never chosen
    big = 1.0 + 2.0 * (np.abs(miss).sum() + np.abs(new).sum() + np.abs(cost[gated]).sum())
    aug = np.full((n_t + n_m, n_m + n_t), big)
    aug[:n_t, :n_m] = np.where(gated, cost, big)
    aug[np.arange(n_t), n_m + np.arange(n_t)] = miss
    aug[n_t + np.arange(n_m), np.arange(n_m)] = new
    aug[n_t:, n_m:] = 0.0
    rows, cols = linear_sum_assignment(aug)
    real = (rows < n_t) & (cols < n_m)
    out_t[rows[real]] = cols[real]
    out_m[cols[real]] = rows[real]
    total = float(aug[rows, cols].sum())
    return Assignment(out_t, out_m, total)


def jpda_weights(
    log_likelihood: Any,
    gate: Any,
    *,
    detection_probability: float,
    gate_probability: float,
    clutter_density: Any = None,
    log_gate_volumes: Any = None,
    max_events: int = MAX_JOINT_EVENTS,
) -> FloatArray:
    """JPDA association probabilities of every track (see the module notes).

    Parameters
    ----------
    log_likelihood : array_like, shape (T, M)
        ``log g_tj = -(d2 + log det(2 pi S)) / 2`` of each pair.
    gate : array_like of bool, shape (T, M)
        Pairs inside the gate (others have probability 0).
    detection_probability : float
        ``P_D`` in (0, 1].
    gate_probability : float
        ``P_G`` in (0, 1).
    clutter_density : float or array_like of shape (T,), optional
        Spatial density ``lambda`` of false detections (per unit measurement volume,
        > 0). Default: non-parametric, ``max(1, detections in the gate) / gate volume``.
    log_gate_volumes : array_like of shape (T,), optional
        Log of the gate volume of each track (:func:`log_gate_volume`); needed only
        without ``clutter_density``.
    max_events : int
        Largest number of joint events enumerated per cluster; larger clusters use the
        cheap-JPDA approximation.

    Returns
    -------
    ndarray, shape (T, M + 1)
        ``beta[t, 0]``: probability that no detection came from track ``t``;
        ``beta[t, 1 + j]``: that detection ``j`` did. Rows sum to 1.
    """
    logg = np.asarray(log_likelihood, dtype=float)
    g = np.asarray(gate, dtype=bool) & np.isfinite(logg)
    if logg.ndim != 2 or g.shape != logg.shape:
        raise ParameterError("log_likelihood", "an array of shape (T, M) like gate",
                             f"shape {logg.shape}")  # fmt: skip
    pd = float(require_range("detection_probability", detection_probability, 0.0, 1.0,
                             low_open=True))  # fmt: skip
    pg = float(require_range("gate_probability", gate_probability, 0.0, 1.0,
                             low_open=True, high_open=True))  # fmt: skip
    n_t, n_m = logg.shape
    if clutter_density is None:
        if log_gate_volumes is None:
            raise ParameterError("log_gate_volumes", "given when clutter_density is not", None)
        count = np.maximum(g.sum(axis=1), 1)
        log_lam = np.log(count) - np.broadcast_to(np.asarray(log_gate_volumes, float), (n_t,))
    else:
        lam = np.broadcast_to(np.asarray(clutter_density, float), (n_t,))
        if not np.all((lam > 0.0) & np.isfinite(lam)):
            raise ParameterError("clutter_density", "> 0 and finite", lam)
        log_lam = np.log(lam)
    if not np.all(np.isfinite(log_lam)):
        raise ParameterError("log_gate_volumes", "finite", log_lam)
    # log weights of "t -> j" and of "t missed"
    log_assoc = np.where(g, math.log(pd) + logg - log_lam[:, None], -np.inf)
    log_miss = np.full(n_t, math.log1p(-pd * pg) if pd * pg < 1.0 else -np.inf)
    beta = np.zeros((n_t, n_m + 1))
    for tracks, dets in _clusters(g):
        la = log_assoc[np.ix_(tracks, dets)]
        lm = log_miss[tracks]
        # each joint event holds every track once (detected or missed), so shifting a
        # track's row by a constant leaves the normalised weights unchanged
        shift = np.maximum(lm, la.max(axis=1))
        shift = np.where(np.isfinite(shift), shift, 0.0)
        b = np.zeros((tracks.size, dets.size + 1))
        done = _enumerate_events(
            np.ascontiguousarray(np.exp(la - shift[:, None])),
            np.ascontiguousarray(np.exp(lm - shift)),
            int(max_events),
            b,
        )
        if not done:
            b = _cheap_jpda(la, lm)
        beta[tracks, 0] = b[:, 0]
        beta[np.ix_(tracks, 1 + dets)] = b[:, 1:]
    lonely = ~np.any(g, axis=1)
    beta[lonely, 0] = 1.0
    return beta


def _clusters(gate: BoolArray) -> list[tuple[IntArray, IntArray]]:
    """Connected components (tracks, detections) of the gate graph, tracks with a gated
    detection only."""
    n_t, n_m = gate.shape
    label = np.full(n_t, -1, dtype=np.int64)
    out: list[tuple[IntArray, IntArray]] = []
    for start in np.flatnonzero(np.any(gate, axis=1)):
        if label[start] >= 0:
            continue
        tracks = np.zeros(n_t, dtype=bool)
        dets = np.zeros(n_m, dtype=bool)
        tracks[start] = True
        while True:
            new_dets = np.any(gate[tracks], axis=0)
            new_tracks = np.any(gate[:, new_dets], axis=1)
            if np.array_equal(new_tracks, tracks) and np.array_equal(new_dets, dets):
                break
            tracks, dets = new_tracks | tracks, new_dets | dets
        label[tracks] = len(out)
        out.append((np.flatnonzero(tracks), np.flatnonzero(dets)))
    return out


@njit(cache=True)
def _enumerate_events(
    w_assoc: FloatArray, w_miss: FloatArray, max_events: int, beta: FloatArray
) -> bool:
    """Sum the weights of every feasible joint event into the marginals ``beta``
    (T, M + 1) and normalise; False (``beta`` unusable) past ``max_events`` events."""
    n_t, n_m = w_assoc.shape
    choice = np.full(n_t, -2, dtype=np.int64)  # -2: not yet tried, -1: missed, j: detection
    used = np.zeros(n_m, dtype=np.bool_)
    partial = np.ones(n_t + 1)
    total = 0.0
    events = 0
    level = 0
    while level >= 0:
        # advance the choice of track `level` to its next feasible option
        c = choice[level]
        if c >= 0:
            used[c] = False
        c += 1  # -2 -> -1 (missed), then the detections in turn
        if c >= 0:
            while c < n_m and (used[c] or w_assoc[level, c] == 0.0):
                c += 1
        if c >= n_m:
            choice[level] = -2
            level -= 1
            continue
        choice[level] = c
        if c >= 0:
            used[c] = True
            partial[level + 1] = partial[level] * w_assoc[level, c]
        else:
            partial[level + 1] = partial[level] * w_miss[level]
        if level + 1 < n_t:
            level += 1
            continue
        events += 1
        if events > max_events:
            return False
        w = float(partial[n_t])
        total += w
        for t in range(n_t):
            beta[t, choice[t] + 1] += w
    if total <= 0.0:
        return False
    for t in range(n_t):
        for j in range(n_m + 1):
            beta[t, j] /= total
    return True


def _cheap_jpda(log_assoc: FloatArray, log_miss: FloatArray) -> FloatArray:
    """Fitzgerald's cheap JPDA, ``G_tj / (G_t. + G_.j - G_tj + B_t)`` with the miss weight
    as ``B_t``: exactly the PDA weights for one track. One scale for the whole cluster
    (the column sums mix tracks)."""
    top = max(float(np.max(log_assoc, initial=-np.inf)), float(np.max(log_miss)))
    top = top if math.isfinite(top) else 0.0
    w_assoc = np.exp(log_assoc - top)
    w_miss = np.exp(log_miss - top)
    row = w_assoc.sum(axis=1, keepdims=True)
    col = w_assoc.sum(axis=0, keepdims=True)
    denom = row + col - w_assoc + w_miss[:, None]
    assoc = np.divide(w_assoc, denom, out=np.zeros_like(w_assoc), where=w_assoc > 0.0)
    total = assoc.sum(axis=1)
    over = total > 1.0
    assoc[over] /= total[over, None]
    return np.column_stack([1.0 - assoc.sum(axis=1), assoc])


def mixture_moments(weights: Any, means: Any, covariances: Any) -> tuple[FloatArray, FloatArray]:
    """Mean and covariance of Gaussian mixtures (moment matching).

    Parameters
    ----------
    weights : array_like, shape (N, K)
        Component weights of each of N mixtures (rows summing to 1).
    means : array_like, shape (N, K, n)
    covariances : array_like, shape (N, K, n, n)

    Returns
    -------
    mean : ndarray, shape (N, n)
    covariance : ndarray, shape (N, n, n)
        ``sum_k w_k (P_k + (x_k - x)(x_k - x)')``.
    """
    w = np.asarray(weights, dtype=float)
    x = np.asarray(means, dtype=float)
    p = np.asarray(covariances, dtype=float)
    # components of zero weight may hold non-finite states (e.g. an impossible pair)
    live = w > 0.0
    x = np.where(live[..., None], x, 0.0)
    p = np.where(live[..., None, None], p, 0.0)
    mean = np.einsum("nk,nki->ni", w, x)
    dx = x - mean[:, None, :]
    cov = np.einsum("nk,nkij->nij", w, p) + np.einsum("nk,nki,nkj->nij", w, dx, dx)
    return mean, 0.5 * (cov + np.swapaxes(cov, 1, 2))
