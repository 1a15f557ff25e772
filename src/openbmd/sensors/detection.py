"""Probability of detection: square-law detector, N pulses integrated non-coherently.

Model (Richards, *Fundamentals of Radar Signal Processing* (2005), ch. 6; Skolnik,
*Introduction to Radar Systems*, 3rd ed. (2001), ch. 2; DiFranco & Rubin, *Radar
Detection* (1968)). Each of the ``pulses`` = N echoes is a complex sample
``x_i = a_i + n_i`` with complex Gaussian noise of unit power; the detector sums the squared
magnitudes, ``z = sum |x_i|^2``, and declares a target when ``z > T``. The per-pulse SNR
is the mean of ``|a_i|^2`` (the target's mean echo power over the noise power), exactly
the SNR of :func:`openbmd.sensors.radar_equation.snr_db` with ``pulses=1`` there.

- Threshold: under noise alone ``z ~ Gamma(N, 1)``, so ``Pfa = Q(N, T)`` and
  ``T = Q^{-1}(N, Pfa)`` (Q the regularised upper incomplete gamma function,
  ``scipy.special.gammaincc``; its inverse ``gammainccinv``).
- Swerling 0 (non-fluctuating): ``2z`` is non-central chi-square with 2N degrees of
  freedom and non-centrality ``2 N snr``: ``Pd = ncx2.sf(2T, 2N, 2N snr)``.
- Swerling 2 (Rayleigh amplitude, independent from pulse to pulse): ``z ~ Gamma(N, 1 +
  snr)``, ``Pd = Q(N, T / (1 + snr))``, closed form.
- Swerling 1, 3 (scan-to-scan: one RCS value for the N pulses, chi-square with 2 or 4
  degrees of freedom) and Swerling 4 (pulse-to-pulse, 4 degrees of freedom): exact
  average of the Swerling 0 result over the RCS distribution. Writing the non-central
  chi-square as a Poisson mixture, ``z | K ~ Gamma(N + K, 1)`` with ``K ~ Poisson(N s)``
  for a signal power ``s``; a gamma-distributed ``s`` turns the Poisson into a negative
  binomial ``K ~ NB(r, p)``, so

  ``Pd = sum_k NB(k; r, p) Q(N + k, T)``

  with ``(r, p) = (1, 1/(1 + N snr))`` for Swerling 1, ``(2, 1/(1 + N snr/2))`` for
  Swerling 3 and ``(2N, 1/(1 + snr/2))`` for Swerling 4 (the sum of N independent
  ``NB(2, .)``); Swerling 2 is ``(N, 1/(1 + snr))``, which the closed form sums. Every term
  is positive; the sum is cut where ``Q(N + k, T)`` reaches 1 to within 1e-17 and the
  remaining negative-binomial mass is added as a whole (``betainc``); near Pd = 1 the
  complement ``1 - Pd = sum_k NB(k; r, p) P(N + k, T)`` is summed instead. The result is
  exact to rounding (~1e-15). The closed forms of Swerling 1 (Meyer & Mayer, *Radar
  Target Detection* (1973); Richards ch. 6) and of Swerling 3/4 with N = 1 agree to
  1e-12 (tests).

SNRs are per pulse, in dB; ``pfa``, ``pulses`` and ``swerling`` are scalars. For hot loops
with fixed ``(pfa, pulses, swerling)`` use :func:`pd_table` once and the numba kernel
:func:`pd_from_table` (linear interpolation, error < 1e-5 on the default 0.01 dB grid).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from numba import njit
from scipy import optimize, special

from openbmd.errors import ParameterError, require_choice, require_finite, require_range

FloatArray: TypeAlias = npt.NDArray[np.float64]
FloatOrArray: TypeAlias = np.float64 | npt.NDArray[np.float64]

#: Swerling target models: 0 non-fluctuating, 1-4 chi-square RCS (Swerling 1960).
SWERLING_CASES = (0, 1, 2, 3, 4)
#: Default grid of :func:`pd_table`: per-pulse SNR from -30 dB to 40 dB in 0.01 dB steps.
TABLE_SNR_DB_MIN = -30.0
TABLE_SNR_DB_MAX = 40.0
TABLE_STEP_DB = 0.01

#: Per-pulse SNRs are clipped to this range (dB) before use: beyond it Pd equals Pfa or 1
#: to double precision, and the clip keeps 10**(snr/10) finite.
_SNR_DB_CLIP = 300.0
#: Swerling 0: per-pulse SNRs are capped here (Pd is 1.0 to double precision above).
_SW0_SNR_DB_MAX = 80.0
#: The mixture sums stop where 1 - Q(N + k, T) < this.
_SERIES_TAIL = 1e-17
#: Cap on the elements of one (snr x k) block of the mixture sums (memory).
_BLOCK = 2_000_000
_LN10_10 = math.log(10.0) / 10.0


def _out(arr: FloatArray) -> FloatOrArray:
    return arr[()] if arr.ndim == 0 else arr


def _scalar(name: str, value: Any) -> float:
    arr = require_finite(name, value)
    if arr.size != 1:
        raise ParameterError(name, "a scalar", f"an array of shape {arr.shape}")
    return float(arr.reshape(()))


def _check_pfa(pfa: Any) -> float:
    value = _scalar("pfa", pfa)
    require_range("pfa", value, 0.0, 1.0, low_open=True, high_open=True)
    return value


def _check_pulses(pulses: Any) -> int:
    if isinstance(pulses, bool):
        raise ParameterError("pulses", "an integer >= 1", pulses)
    try:
        n = operator.index(pulses)
    except TypeError:
        value = _scalar("pulses", pulses)
        if not value.is_integer():
            raise ParameterError("pulses", "an integer >= 1", value) from None
        n = int(value)
    if n < 1:
        raise ParameterError("pulses", "an integer >= 1", n)
    return n


def _check_swerling(swerling: Any) -> int:
    if isinstance(swerling, bool):
        raise ParameterError("swerling", "one of 0, 1, 2, 3, 4", swerling)
    if isinstance(swerling, float | np.floating) and not float(swerling).is_integer():
        raise ParameterError("swerling", "one of 0, 1, 2, 3, 4", float(swerling))
    return int(require_choice("swerling", swerling, SWERLING_CASES))


def detection_threshold(pfa: float, pulses: int = 1) -> float:
    """Threshold T on the sum of N square-law samples (noise power 1) for a given Pfa.

    Parameters
    ----------
    pfa : float
        Probability of false alarm, in (0, 1).
    pulses : int, optional
        Number N of pulses integrated non-coherently (>= 1). Default 1.

    Returns
    -------
    float
        T with ``gammaincc(N, T) == pfa``, in units of the noise power of one sample.

    Examples
    --------
    >>> round(detection_threshold(1e-6), 6)  # -ln(1e-6) for N = 1
    13.815511
    """
    return float(special.gammainccinv(_check_pulses(pulses), _check_pfa(pfa)))


def _mixture_parameters(swerling: int, n: int) -> tuple[float, float]:
    """(r, c): K ~ NB(r, p = 1/(1 + c snr)) for the Swerling 1, 3 and 4 mixtures."""
    if swerling == 1:
        return 1.0, float(n)
    if swerling == 3:
        return 2.0, 0.5 * n
    return 2.0 * n, 0.5


def _pd_function(pfa: float, n: int, swerling: int) -> Callable[[FloatArray], FloatArray]:
    """Pd as a function of the per-pulse SNR in dB (array), for fixed pfa, N, Swerling."""
    t = float(special.gammainccinv(n, pfa))
    if swerling == 0:
        from scipy import stats  # imported here: ~0.5 s, and only Swerling 0 needs it

        def pd_sw0(snr_db: FloatArray) -> FloatArray:
            # ncx2.sf returns NaN for non-centralities above ~1e17; at 80 dB per pulse
            # 1 - Pd is below 1e-300 for any pfa > 1e-300, so Pd = 1.0 from there on
            snr = np.exp(_LN10_10 * np.clip(snr_db, -_SNR_DB_CLIP, _SW0_SNR_DB_MAX))
            return np.asarray(stats.ncx2.sf(2.0 * t, 2.0 * n, 2.0 * n * snr), dtype=float)

        return pd_sw0
    if swerling == 2:

        def pd_sw2(snr_db: FloatArray) -> FloatArray:
            snr = np.exp(_LN10_10 * np.clip(snr_db, -_SNR_DB_CLIP, _SNR_DB_CLIP))
            return np.asarray(special.gammaincc(n, t / (1.0 + snr)), dtype=float)

        return pd_sw2

    r, c = _mixture_parameters(swerling, n)
    # orders N + k with 1 - Q(N + k, T) >= tail; beyond, Q = 1 to within the tail
    n_max = n + 1
    n_max = max(n_max, math.ceil(t + 12.0 * math.sqrt(t) + 40.0))
    while special.gammainc(n_max, t) > _SERIES_TAIL:
        n_max += max(10, int(math.sqrt(n_max)))
    k = np.arange(n_max - n, dtype=float)
    # Q(N + k, T) and its complement P(N + k, T), each to full relative precision
    q_and_p = np.column_stack([special.gammaincc(n + k, t), special.gammainc(n + k, t)])
    log_coef = special.gammaln(k + r) - special.gammaln(r) - special.gammaln(k + 1.0)
    k_stop = float(k.size)
    rows_per_block = max(1, _BLOCK // k.size)

    def pd_mixture(snr_db: FloatArray) -> FloatArray:
        flat = np.clip(np.ravel(snr_db), -_SNR_DB_CLIP, _SNR_DB_CLIP)
        out = np.empty_like(flat)
        for start in range(0, flat.size, rows_per_block):
            ln_theta = _LN10_10 * flat[start : start + rows_per_block] + math.log(c)
            log_p = -np.logaddexp(0.0, ln_theta)  # ln(1/(1+theta))
            log_1mp = -np.logaddexp(0.0, -ln_theta)  # ln(theta/(1+theta))
            log_pmf = log_coef + r * log_p[:, None] + k * log_1mp[:, None]
            sums = np.exp(log_pmf) @ q_and_p
            tail = special.betainc(k_stop, r, special.expit(ln_theta))  # P(K >= k_stop)
            pd = sums[:, 0] + tail
            # near Pd = 1 the miss probability sum_k NB(k) P(N + k, T) is the accurate one
            out[start : start + rows_per_block] = np.where(pd < 0.5, pd, 1.0 - sums[:, 1])
        return np.clip(out, 0.0, 1.0).reshape(np.shape(snr_db))

    return pd_mixture


def probability_of_detection(
    snr_db: Any, pfa: float, pulses: int = 1, swerling: int = 0
) -> FloatOrArray:
    """Probability of detection of a square-law detector with non-coherent integration.

    Parameters
    ----------
    snr_db : float or array_like
        Mean SNR of one pulse, dB (finite), any shape.
    pfa : float
        Probability of false alarm of the integrated detection, in (0, 1).
    pulses : int, optional
        Number N of pulses integrated non-coherently (>= 1). Default 1.
    swerling : int, optional
        Target model: 0 (non-fluctuating), 1 or 3 (RCS constant over the N pulses,
        independent from scan to scan; chi-square with 2 or 4 degrees of freedom), 2 or 4
        (independent from pulse to pulse; 2 or 4 degrees of freedom). Default 0.

    Returns
    -------
    float or ndarray
        Pd in [pfa, 1], shape of ``snr_db``.

    Raises
    ------
    ParameterError
        Non-finite ``snr_db``; ``pfa`` outside (0, 1); ``pulses`` not an integer >= 1;
        ``swerling`` not one of 0-4.

    Examples
    --------
    Swerling 1, one pulse: Pd = Pfa ** (1 / (1 + snr)).

    >>> snr = 10 ** 2.0
    >>> bool(abs(probability_of_detection(20.0, 1e-6, 1, 1) - 1e-6 ** (1 / (1 + snr))) < 1e-12)
    True
    """
    x = require_finite("snr_db", snr_db)
    pd_fn = _pd_function(_check_pfa(pfa), _check_pulses(pulses), _check_swerling(swerling))
    return _out(pd_fn(x))


def required_snr_db(pd: Any, pfa: float, pulses: int = 1, swerling: int = 0) -> FloatOrArray:
    """Per-pulse SNR at which :func:`probability_of_detection` equals ``pd``.

    Solved with Brent's method on the monotone Pd(snr) to 1e-10 dB.

    Parameters
    ----------
    pd : float or array_like
        Probability of detection, in (pfa, 1), any shape.
    pfa, pulses, swerling
        As in :func:`probability_of_detection`.

    Returns
    -------
    float or ndarray
        Required mean SNR of one pulse, dB, shape of ``pd``.

    Raises
    ------
    ParameterError
        For the checks of :func:`probability_of_detection`, and ``pd`` outside (pfa, 1)
        (or so close to ``pfa`` that no SNR above -300 dB separates them).

    Examples
    --------
    Swerling 1, one pulse: snr = ln(Pfa) / ln(Pd) - 1.

    >>> round(float(required_snr_db(0.9, 1e-6, 1, 1)), 4)
    21.1436
    """
    p_fa = _check_pfa(pfa)
    n = _check_pulses(pulses)
    sw = _check_swerling(swerling)
    targets = require_range("pd", pd, p_fa, 1.0, low_open=True, high_open=True)
    pd_fn = _pd_function(p_fa, n, sw)

    def excess(x_db: float, target: float) -> float:
        return float(pd_fn(np.array([x_db]))[0]) - target

    out = np.empty(targets.shape)
    for idx, target in np.ndenumerate(targets):
        lo, hi = -20.0, 30.0
        while excess(lo, target) >= 0.0:
            if lo <= -_SNR_DB_CLIP:
                raise ParameterError(
                    "pd", f"in (pfa, 1) and resolvable from pfa = {p_fa!r}", float(target)
                )
            lo = max(lo - 40.0, -_SNR_DB_CLIP)
        while excess(hi, target) < 0.0:
            if hi >= _SNR_DB_CLIP:
                raise ParameterError("pd", "in (pfa, 1) and resolvable from 1", float(target))
            hi = min(hi + 40.0, _SNR_DB_CLIP)
        out[idx] = optimize.brentq(excess, lo, hi, args=(float(target),), xtol=1e-10)
    return _out(out)


def pd_table(
    pfa: float,
    pulses: int = 1,
    swerling: int = 0,
    *,
    snr_db_min: float = TABLE_SNR_DB_MIN,
    snr_db_max: float = TABLE_SNR_DB_MAX,
    step_db: float = TABLE_STEP_DB,
) -> tuple[FloatArray, FloatArray]:
    """Pd on a uniform grid of per-pulse SNR, for :func:`pd_from_table`.

    Parameters
    ----------
    pfa, pulses, swerling
        As in :func:`probability_of_detection`.
    snr_db_min, snr_db_max : float, optional
        Grid ends, dB (default -30 and 40 dB).
    step_db : float, optional
        Grid step, dB (> 0; default 0.01 dB).

    Returns
    -------
    snr_db_grid : ndarray, shape (M,)
        ``snr_db_min + i * step_db``; pass ``snr_db_grid[0]`` and ``step_db`` to
        :func:`pd_from_table`.
    pd_values : ndarray, shape (M,)
        Exact Pd at the grid points (C-contiguous float64, non-decreasing).
    """
    lo = _scalar("snr_db_min", snr_db_min)
    hi = _scalar("snr_db_max", snr_db_max)
    step = _scalar("step_db", step_db)
    require_range("step_db", step, 0.0, low_open=True)
    if hi <= lo:
        raise ParameterError("snr_db_max", f"> snr_db_min = {lo!r}", hi)
    count = math.floor((hi - lo) / step + 1e-9) + 1
    if count > 10_000_000:
        raise ParameterError("step_db", "large enough for at most 1e7 grid points", step)
    grid = lo + step * np.arange(count, dtype=float)
    values = np.asarray(probability_of_detection(grid, pfa, pulses, swerling), dtype=float)
    # remove rounding-level wiggles so that the interpolant is monotone too
    return grid, np.ascontiguousarray(np.maximum.accumulate(values))


@njit(cache=True)
def pd_from_table(snr_db: float, grid0: float, dgrid: float, values: FloatArray) -> float:
    """Pd at one per-pulse SNR by linear interpolation in a :func:`pd_table`; numba.

    Parameters
    ----------
    snr_db : float
        Per-pulse SNR, dB.
    grid0 : float
        SNR of ``values[0]``, dB (``snr_db_grid[0]``).
    dgrid : float
        Grid step, dB (> 0).
    values : ndarray, shape (M,)
        Pd on the grid (``pd_values``).

    Returns
    -------
    float
        Pd. Below the grid ``values[0]`` (the true Pd lies between pfa and that), above it
        ``values[-1]``; NaN for a NaN SNR. No checks.
    """
    if math.isnan(snr_db):
        return math.nan
    last = values.shape[0] - 1
    x = (snr_db - grid0) / dgrid
    if x <= 0.0:
        return values[0]
    if x >= last:
        return values[last]
    i = int(x)
    f = x - i
    return values[i] + f * (values[i + 1] - values[i])


@njit(cache=True)
def pd_from_table_batch(
    snr_db: FloatArray, grid0: float, dgrid: float, values: FloatArray
) -> FloatArray:
    """:func:`pd_from_table` over a 1-D array of SNRs (dB); returns an array of Pd."""
    out = np.empty(snr_db.shape[0])
    for i in range(snr_db.shape[0]):
        out[i] = pd_from_table(snr_db[i], grid0, dgrid, values)
    return out
