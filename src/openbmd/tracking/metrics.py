"""Track quality measures: errors, filter consistency, multi-target distances, continuity.

- :func:`rmse`: position and velocity root-mean-square errors against truth.
- :func:`nees`, :func:`nis`: normalised estimation error / innovation squared;
  :func:`chi2_band` the two-sided band of their average over ``runs`` Monte Carlo runs,
  :func:`consistency` the test of Bar-Shalom, Li & Kirubarajan (2001), sec. 5.4.2: for
  ``M`` runs of a consistent filter ``M * mean(NEES_k)`` is chi-square with ``M n``
  degrees of freedom, so the average lies in ``[chi2_{a/2}(Mn) / M, chi2_{1-a/2}(Mn) / M]``
  with probability ``1 - a`` at each time; the time average over ``K`` steps is tested
  with ``K M n`` degrees of freedom.
- :func:`ospa` (Schuhmacher, Vo & Vo, IEEE TSP 56(8), 2008) and :func:`gospa`
  (Rahmathullah, Garcia-Fernandez & Svensson, FUSION 2017, alpha = 2, with its split into
  localisation, missed and false-target terms): distances between a set of estimates and
  a set of truths, cut-off ``c`` (m) and order ``p``.
- :func:`track_quality`: purity of each track and continuity (identity switches, breaks)
  of each truth object, from the record of which object each track update came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.stats import chi2

from openbmd.errors import ParameterError, require_non_negative, require_range

__all__ = [
    "Consistency",
    "GospaResult",
    "TrackQuality",
    "chi2_band",
    "consistency",
    "gospa",
    "nees",
    "nis",
    "ospa",
    "rmse",
    "track_quality",
]

FloatArray = npt.NDArray[np.float64]


def rmse(x_est: Any, x_true: Any, *, axis: int | tuple[int, ...] = 0) -> tuple[Any, Any]:
    """Position and velocity RMSE, reduced over ``axis`` (default: the leading one).

    Parameters
    ----------
    x_est, x_true : array_like, shape (..., >= 6)
        Estimated and true states ``[r (m), v (m/s), ...]`` in the same frame.

    Returns
    -------
    position_rmse_m, velocity_rmse_m_s : ndarray
        ``sqrt(mean |r_est - r_true|^2)`` and the same for the velocity.
    """
    e = np.asarray(x_est, dtype=float)[..., :6] - np.asarray(x_true, dtype=float)[..., :6]
    pos = np.sqrt(np.mean(np.sum(e[..., :3] ** 2, axis=-1), axis=axis))
    vel = np.sqrt(np.mean(np.sum(e[..., 3:6] ** 2, axis=-1), axis=axis))
    return pos, vel


def _quadratic(e: FloatArray, cov: FloatArray) -> FloatArray:
    lead = np.broadcast_shapes(e.shape[:-1], cov.shape[:-2])
    m = e.shape[-1]
    eb = np.broadcast_to(e, (*lead, m))
    cb = np.broadcast_to(cov, (*lead, m, m))
    try:
        y = np.linalg.solve(cb, eb[..., None])[..., 0]
    except np.linalg.LinAlgError:
        raise ParameterError("P", "non-singular covariances", "a singular matrix") from None
    return np.einsum("...i,...i->...", eb, y)


def nees(x_est: Any, P: Any, x_true: Any) -> FloatArray:
    """Normalised estimation error squared ``e^T P^-1 e``, ``e = x_est - x_true``.

    Parameters
    ----------
    x_est : array_like, shape (..., n)
    P : array_like, shape (..., n, n)
    x_true : array_like, shape (..., d), d <= n
        Truth of the leading ``d`` components (e.g. 6: position and velocity); the
        NEES uses those components and the matching block of ``P`` (chi-square, d dof).
    """
    t = np.asarray(x_true, dtype=float)
    d = t.shape[-1]
    x = np.asarray(x_est, dtype=float)
    if x.shape[-1] < d:
        raise ParameterError("x_true", f"at most {x.shape[-1]} components", d)
    return _quadratic(x[..., :d] - t, np.asarray(P, dtype=float)[..., :d, :d])


def nis(innovation: Any, S: Any) -> FloatArray:
    """Normalised innovation squared ``nu^T S^-1 nu`` (finite components of ``nu`` only).

    Same as :func:`openbmd.tracking.filters.mahalanobis`.
    """
    from openbmd.tracking.filters import mahalanobis

    return mahalanobis(innovation, S)


def chi2_band(dof: int, runs: int = 1, probability: float = 0.95) -> tuple[float, float]:
    """Two-sided band of the average of ``runs`` chi-square(``dof``) values.

    ``[chi2.ppf((1 - p) / 2, runs dof) / runs, chi2.ppf((1 + p) / 2, runs dof) / runs]``.

    Examples
    --------
    >>> low, high = chi2_band(6, runs=50)  # NEES of a 6-state filter, 50 Monte Carlo runs
    >>> round(low, 2), round(high, 2)
    (5.08, 7.0)
    """
    if dof < 1 or runs < 1:
        raise ParameterError("dof", "and runs >= 1", (dof, runs))
    p = float(require_range("probability", probability, 0.0, 1.0, low_open=True, high_open=True))
    k = dof * runs
    return float(chi2.ppf(0.5 * (1 - p), k) / runs), float(chi2.ppf(0.5 * (1 + p), k) / runs)


@dataclass(frozen=True)
class Consistency:
    """Monte Carlo consistency test of a NEES or NIS series (Bar-Shalom et al. 2001, 5.4).

    Attributes
    ----------
    mean : ndarray, shape (K,)
        Average over the runs at each time (NaN values left out).
    low, high : float
        Band of that average for the full number of runs.
    fraction_inside : float
        Fraction of the K times whose average lies in the band (about ``probability``
        for a consistent filter).
    time_average : float
        Average over runs and times.
    time_low, time_high : float
        Band of ``time_average`` (``K M dof`` degrees of freedom).
    """

    mean: FloatArray
    low: float
    high: float
    fraction_inside: float
    time_average: float
    time_low: float
    time_high: float

    @property
    def passed(self) -> bool:
        """The time average lies in its band."""
        return self.time_low <= self.time_average <= self.time_high


def consistency(values: Any, dof: int, probability: float = 0.95) -> Consistency:
    """Test M runs x K times of NEES (dof = n) or NIS (dof = m) values.

    Parameters
    ----------
    values : array_like, shape (M, K)
        One row per Monte Carlo run; NaN for a time without a value in that run.
    dof : int
        Degrees of freedom of one value.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    if v.ndim != 2 or v.size == 0 or not np.any(np.isfinite(v)):
        raise ParameterError("values", "an (M, K) array with finite values", v.shape)
    runs = np.sum(np.isfinite(v), axis=0)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(runs > 0, v, 0.0), axis=0)
    mean = np.where(runs > 0, mean, np.nan)
    m = int(v.shape[0])
    low, high = chi2_band(dof, m, probability)
    have = runs == m
    inside = (mean >= low) & (mean <= high)
    frac = float(np.mean(inside[have])) if np.any(have) else float("nan")
    total = int(np.sum(runs))
    tl, th = chi2_band(dof, total, probability)
    return Consistency(mean, low, high, frac, float(np.nanmean(v)), tl, th)


def _points(name: str, v: Any) -> FloatArray:
    a = np.asarray(v, dtype=float)
    if a.size == 0:
        return np.empty((0, a.shape[-1] if a.ndim == 2 else 0))
    a = np.atleast_2d(a)
    if a.ndim != 2:
        raise ParameterError(name, "an array of points of shape (m, d)", f"shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ParameterError(name, "finite points", "non-finite values")
    return a


def _distances(x: Any, y: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    a, b = _points("x", x), _points("y", y)
    if a.shape[0] and b.shape[0] and a.shape[1] != b.shape[1]:
        raise ParameterError("y", f"points of dimension {a.shape[1]}", b.shape[1])
    d = (
        np.sqrt(np.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=-1))
        if a.size and b.size
        else (np.zeros((a.shape[0], b.shape[0])))
    )
    return a, b, d


def ospa(x: Any, y: Any, c: float, p: float = 2.0) -> float:
    """OSPA distance between point sets ``x`` (m, d) and ``y`` (k, d), in their unit.

    ``(min_pi (1/k) [sum_i min(d, c)^p (x_i, y_pi(i)) + c^p (k - m)])^(1/p)`` for m <= k
    (Schuhmacher et al. 2008); 0 when both are empty, ``c`` when one is.

    Examples
    --------
    >>> ospa([[0.0, 0.0], [10.0, 0.0]], [[0.0, 3.0]], c=10.0, p=1.0)  # (3 + 10) / 2
    6.5
    """
    cut = float(require_range("c", c, 0.0, np.inf, low_open=True))
    order = float(require_range("p", p, 1.0, np.inf))
    a, b, d = _distances(x, y)
    m, k = sorted((a.shape[0], b.shape[0]))
    if k == 0:
        return 0.0
    if m == 0:
        return cut
    cost = np.minimum(d, cut) ** order
    rows, cols = linear_sum_assignment(cost)
    total = cost[rows, cols].sum() + cut**order * (k - m)
    return float((total / k) ** (1.0 / order))


@dataclass(frozen=True)
class GospaResult:
    """GOSPA distance (alpha = 2) and its decomposition.

    ``distance**p = localisation + missed + false`` where ``localisation`` is the sum of
    ``d^p`` over assigned pairs (closer than ``c``), ``missed`` = ``c^p / 2`` times the
    number of truths without an estimate, ``false`` the same for estimates without a
    truth. ``assignment`` lists the (truth, estimate) index pairs.
    """

    distance: float
    localisation: float
    missed: float
    false: float
    missed_count: int
    false_count: int
    assignment: tuple[tuple[int, int], ...]


def gospa(truth: Any, estimates: Any, c: float, p: float = 2.0) -> GospaResult:
    """GOSPA metric with alpha = 2 (Rahmathullah et al. 2017) between truth and estimates.

    Parameters
    ----------
    truth : array_like, shape (m, d)
    estimates : array_like, shape (k, d)
    c : float
        Cut-off distance (> 0), unit of the points.
    p : float
        Order (>= 1).
    """
    cut = float(require_range("c", c, 0.0, np.inf, low_open=True))
    order = float(require_range("p", p, 1.0, np.inf))
    a, b, d = _distances(truth, estimates)
    m, k = a.shape[0], b.shape[0]
    pairs: list[tuple[int, int]] = []
    loc = 0.0
    if m and k:
        cost = np.minimum(d, cut) ** order
        rows, cols = linear_sum_assignment(cost)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            if d[i, j] < cut:
                pairs.append((i, j))
                loc += float(d[i, j] ** order)
    missed_n = m - len(pairs)
    false_n = k - len(pairs)
    half = 0.5 * cut**order
    total = loc + half * (missed_n + false_n)
    return GospaResult(
        float(total ** (1.0 / order)), loc, half * missed_n, half * false_n, missed_n, false_n,
        tuple(pairs),
    )  # fmt: skip


@dataclass(frozen=True)
class TrackQuality:
    """Purity of tracks and continuity of truth objects.

    Attributes
    ----------
    track_ids : ndarray, shape (T,)
    purity : ndarray, shape (T,)
        Fraction of each track's updates that came from its dominant truth object.
    dominant_object : ndarray, shape (T,)
    object_ids : ndarray, shape (O,)
    id_switches : ndarray, shape (O,)
        Times the track updating an object changed between its consecutive updates.
    breaks : ndarray, shape (O,)
        Gaps longer than ``max_gap_s`` between consecutive updates of an object.
    tracks_per_object : ndarray, shape (O,)
        Distinct tracks that updated each object.
    """

    track_ids: npt.NDArray[np.int64]
    purity: FloatArray
    dominant_object: npt.NDArray[np.int64]
    object_ids: npt.NDArray[np.int64]
    id_switches: npt.NDArray[np.int64]
    breaks: npt.NDArray[np.int64]
    tracks_per_object: npt.NDArray[np.int64]


def track_quality(
    track_id: Any, object_id: Any, time_s: Any, *, max_gap_s: float = np.inf
) -> TrackQuality:
    """Purity and continuity from a record of track updates.

    Parameters
    ----------
    track_id, object_id : array_like of int, shape (U,)
        For each update: the track updated and the truth object the detection came from
        (``Detections.object_id``; negative for a false alarm, counted as impure).
    time_s : array_like, shape (U,)
        Time of each update, s.
    max_gap_s : float
        A longer interval between two updates of one object counts as a break.
    """
    tid = np.asarray(track_id, dtype=np.int64).reshape(-1)
    oid = np.asarray(object_id, dtype=np.int64).reshape(-1)
    t = np.asarray(time_s, dtype=float).reshape(-1)
    if not (tid.size == oid.size == t.size):
        raise ParameterError("object_id", "and time_s of the length of track_id", oid.size)
    if not np.all(np.isfinite(t)):
        raise ParameterError("time_s", "finite times", "non-finite values")
    require_non_negative("max_gap_s", max_gap_s)
    tracks = np.unique(tid)
    purity = np.empty(tracks.size)
    dominant = np.empty(tracks.size, dtype=np.int64)
    for k, tr in enumerate(tracks):
        objs = oid[tid == tr]
        real = objs[objs >= 0]
        if real.size == 0:
            purity[k], dominant[k] = 0.0, -1
            continue
        vals, counts = np.unique(real, return_counts=True)
        dominant[k] = vals[np.argmax(counts)]
        purity[k] = counts.max() / objs.size
    objects = np.unique(oid[oid >= 0])
    switches = np.zeros(objects.size, dtype=np.int64)
    breaks = np.zeros(objects.size, dtype=np.int64)
    per = np.zeros(objects.size, dtype=np.int64)
    for k, ob in enumerate(objects):
        sel = oid == ob
        order = np.argsort(t[sel], kind="stable")
        seq, ts = tid[sel][order], t[sel][order]
        switches[k] = int(np.count_nonzero(seq[1:] != seq[:-1]))
        breaks[k] = int(np.count_nonzero(np.diff(ts) > max_gap_s))
        per[k] = np.unique(seq).size
    return TrackQuality(tracks, purity, dominant, objects, switches, breaks, per)
