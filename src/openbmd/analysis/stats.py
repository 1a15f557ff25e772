"""Confidence intervals of Monte Carlo estimates, final and running (convergence).

- A probability (fraction of trials with no leaker): the **Wilson score interval**
  (E. B. Wilson, *J. Am. Stat. Assoc.* 22 (1927) 209-212), which stays inside [0, 1]
  and keeps its coverage near 0 and 1 where the normal (Wald) interval collapses.
- A mean of a bounded count (leakers, interceptors expended): the **Student t
  interval** ``mean +- t_(0.975, n-1) s / sqrt(n)``, clipped to the support
  ``[0, upper]``. When it is degenerate (one trial, or every trial alike so that the
  sample variance is zero) it would claim certainty; the interval is then the Wilson
  interval of ``mean / upper`` scaled by ``upper``: a variable on ``[0, upper]`` with
  mean ``mu`` has variance at most ``mu (upper - mu)`` (a two-point variable), so this
  is the widest that the data allow.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["CONFIDENCE", "contains", "mean_interval", "running_mean_interval", "wilson_interval"]

#: Confidence level of every interval here.
CONFIDENCE = 0.95


def _z(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + 0.5 * confidence))


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (element-wise).

    Parameters
    ----------
    successes : array_like
        Successes (may be fractional for a scaled mean), 0 <= successes <= n.
    n : array_like
        Trials, > 0.
    confidence : float
        Confidence level, in (0, 1).

    Returns
    -------
    low, high : ndarray
        Bounds in [0, 1], broadcast shape of the arguments.

    Examples
    --------
    >>> low, high = wilson_interval(0, 10)
    >>> float(low), round(float(high), 4)
    (0.0, 0.2775)
    """
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    z = _z(confidence)
    p = k / m
    denom = 1.0 + z * z / m
    centre = (p + z * z / (2.0 * m)) / denom
    half = z / denom * np.sqrt(p * (1.0 - p) / m + z * z / (4.0 * m * m))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def mean_interval(
    values: ArrayLike, upper: float, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Interval of the mean of samples that lie in ``[0, upper]`` (see the module doc).

    Examples
    --------
    >>> tuple(round(x, 4) for x in mean_interval([4, 5, 6], upper=10))
    (2.5159, 7.4841)
    """
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        raise ValueError("mean_interval needs at least one sample")
    n = np.array([v.size], dtype=float)
    total = np.array([v.sum()])
    squares = np.array([np.square(v).sum()])
    low, high = _interval_from_sums(total, squares, n, float(upper), confidence)
    return float(low[0]), float(high[0])


def running_mean_interval(
    values: ArrayLike, upper: float, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Running mean and its interval after 1, 2, ..., n samples.

    Returns
    -------
    mean, low, high : ndarray, shape (n,)
    """
    v = np.asarray(values, dtype=float)
    n = np.arange(1, v.size + 1, dtype=float)
    total = np.cumsum(v)
    squares = np.cumsum(np.square(v))
    low, high = _interval_from_sums(total, squares, n, float(upper), confidence)
    return total / n, low, high


def _interval_from_sums(
    total: np.ndarray, squares: np.ndarray, n: np.ndarray, upper: float, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    from scipy.stats import t as student

    mean = total / n
    if upper <= 0.0:
        return np.zeros_like(mean), np.zeros_like(mean)
    dof = np.maximum(n - 1.0, 1.0)
    var = np.maximum(squares - total * mean, 0.0) / dof
    # sums of small integers are exact in float64, so identical samples give var == 0
    half = student.ppf(0.5 + 0.5 * confidence, dof) * np.sqrt(var / n)
    low = np.clip(mean - half, 0.0, upper)
    high = np.clip(mean + half, 0.0, upper)
    degenerate = (n < 2) | (var <= 0.0)
    if np.any(degenerate):
        frac = np.clip(mean / upper, 0.0, 1.0)
        w_low, w_high = wilson_interval(frac * n, n, confidence)
        low = np.where(degenerate, w_low * upper, low)
        high = np.where(degenerate, w_high * upper, high)
    return low, high


def contains(interval: tuple[float, float], value: float) -> bool:
    """Whether ``value`` lies in the closed ``interval`` (False for a non-finite value)."""
    return bool(math.isfinite(value) and interval[0] <= value <= interval[1])
