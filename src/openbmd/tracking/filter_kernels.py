"""Compiled EKF and UKF predictions over N tracks at once, and the helpers of the updates
(numba, parallel over tracks; the updates are in :mod:`openbmd.tracking.update_kernels`).

No input checks here: :mod:`openbmd.tracking.filters` validates once and calls these.
Every kernel writes its outputs row by row and never leaves a NaN state behind: a row
whose step fails (non-positive-definite innovation covariance, non-finite result) keeps
its input state and reports a status code.

Status codes (``status`` output): 0 done, 1 skipped on invalid input (non-finite
measurement or noise, or masked out), 2 skipped on a numerical failure.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt
from numba import njit, prange

from openbmd.tracking.model_kernels import process_noise_point, transition_point, work_size

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DONE, SKIPPED_INPUT, SKIPPED_NUMERICS = 0, 1, 2


@njit(cache=True)
def cholesky(a: FloatArray, m: int, low: FloatArray) -> bool:
    """Lower Cholesky factor of the leading m x m block of ``a`` into ``low``."""
    for j in range(m):
        s = a[j, j]
        for k in range(j):
            s -= low[j, k] * low[j, k]
        if not s > 0.0:
            return False
        d = math.sqrt(s)
        low[j, j] = d
        for i in range(j + 1, m):
            s = a[i, j]
            for k in range(j):
                s -= low[i, k] * low[j, k]
            low[i, j] = s / d
        for i in range(j):
            low[i, j] = 0.0
    return True


@njit(cache=True)
def chol_solve(low: FloatArray, m: int, b: FloatArray) -> None:
    """Solve ``L L^T y = b`` in place (leading m entries of ``b``)."""
    for i in range(m):
        s = b[i]
        for k in range(i):
            s -= low[i, k] * b[k]
        b[i] = s / low[i, i]
    for i in range(m - 1, -1, -1):
        s = b[i]
        for k in range(i + 1, m):
            s -= low[k, i] * b[k]
        b[i] = s / low[i, i]


@njit(cache=True)
def wrap_pi(a: float) -> float:
    """Angle wrapped into (-pi, pi]."""
    a = (a + math.pi) % (2.0 * math.pi)  # in [0, 2 pi) (Python modulo)
    if a == 0.0:
        return math.pi
    return a - math.pi


@njit(cache=True)
def _get1(src: FloatArray, i: int, dst: FloatArray) -> None:
    """``dst[:] = src[i, :]`` element by element. The parallel kernels copy rows in and out
    this way: a view of a shared array (``src[i]``) costs an atomic reference count on that
    array, and threads doing so on one array spend most of their time on it."""
    for a in range(dst.shape[0]):
        dst[a] = src[i, a]


@njit(cache=True)
def _get2(src: FloatArray, i: int, dst: FloatArray) -> None:
    """``dst[:, :] = src[i, :, :]`` element by element (see :func:`_get1`)."""
    for a in range(dst.shape[0]):
        for b in range(dst.shape[1]):
            dst[a, b] = src[i, a, b]


@njit(cache=True)
def _put1(dst: FloatArray, i: int, src: FloatArray) -> None:
    """``dst[i, :] = src[:]`` element by element (see :func:`_get1`)."""
    for a in range(src.shape[0]):
        dst[i, a] = src[a]


@njit(cache=True)
def _put2(dst: FloatArray, i: int, src: FloatArray) -> None:
    """``dst[i, :, :] = src[:, :]`` element by element (see :func:`_get1`)."""
    for a in range(src.shape[0]):
        for b in range(src.shape[1]):
            dst[i, a, b] = src[a, b]


@njit(cache=True)
def _all_finite(a: FloatArray) -> bool:
    for v in a.ravel():  # noqa: SIM110 - a plain loop compiles to the tightest code
        if not math.isfinite(v):
            return False
    return True


@njit(cache=True)
def _measurement_size(z: FloatArray, r: FloatArray, use_rr: int) -> int:
    """3 or 4 measured components, or 0 when the row is invalid."""
    for k in range(3):
        if not math.isfinite(z[k]):
            return 0
        for j in range(3):
            if not math.isfinite(r[k, j]):
                return 0
    ok_rr = math.isfinite(z[3]) and math.isfinite(r[3, 3]) and r[3, 3] > 0.0
    if ok_rr:
        for k in range(3):
            if not (math.isfinite(r[3, k]) and math.isfinite(r[k, 3])):
                ok_rr = False
    if use_rr == 1:  # explicitly asked for: required
        return 4 if ok_rr else 0
    if use_rr == 0:
        return 3
    return 4 if ok_rr else 3


def blocks_for(rows: int) -> int:
    """Number of row blocks of a parallel kernel (each with its own scratch arrays)."""
    return max(1, min(rows, 8 * numba.get_num_threads()))


@njit(cache=True)
def _fpft(f: FloatArray, p: FloatArray, q: FloatArray, tmp: FloatArray, out: FloatArray) -> None:
    """``out = F P F^T + Q``, symmetric (explicit loops: tiny matrices)."""
    n = f.shape[0]
    for i in range(n):
        for j in range(n):
            acc = 0.0
            for k in range(n):
                acc += f[i, k] * p[k, j]
            tmp[i, j] = acc
    for i in range(n):
        for j in range(i, n):
            acc = 0.0
            for k in range(n):
                acc += tmp[i, k] * f[j, k]
            v = acc + 0.5 * (q[i, j] + q[j, i])
            out[i, j] = v
            out[j, i] = v


@njit(cache=True, parallel=True)
def ekf_predict(
    x: FloatArray,
    p: FloatArray,
    dt: FloatArray,
    par: FloatArray,
    atm: FloatArray,
    a0: float,
    da: float,
    x_out: FloatArray,
    p_out: FloatArray,
    status: npt.NDArray[np.int64],
    blocks: int,
) -> None:
    """``x = f(x)``, ``P = F P F^T + Q`` over ``dt[i]`` for every row."""
    rows, n = x.shape
    for b in prange(blocks):
        f = np.empty((n, n))
        q = np.empty((n, n))
        tmp = np.empty((n, n))
        work = np.empty(work_size(n))
        xi, xo = np.empty(n), np.empty(n)
        pi, po = np.empty((n, n)), np.empty((n, n))
        for i in range(b * rows // blocks, (b + 1) * rows // blocks):
            _get1(x, i, xi)
            _get2(p, i, pi)
            status[i] = DONE
            if dt[i] == 0.0:
                _put1(x_out, i, xi)
                _put2(p_out, i, pi)
                continue
            transition_point(xi, dt[i], par, atm, a0, da, True, xo, f, work)
            process_noise_point(xi, dt[i], par, q)
            _fpft(f, pi, q, tmp, po)
            if not (_all_finite(xo) and _all_finite(po)):
                xo[:] = xi
                po[:, :] = pi
                status[i] = SKIPPED_NUMERICS
            _put1(x_out, i, xo)
            _put2(p_out, i, po)


@njit(cache=True)
def _ukf_weights(
    n: int, alpha: float, beta: float, kappa: float
) -> tuple[float, float, float, float]:
    lam = alpha * alpha * (n + kappa) - n
    c = n + lam
    wm0 = lam / c
    return c, wm0, wm0 + 1.0 - alpha * alpha + beta, 0.5 / c


@njit(cache=True)
def _sigma_points(x: FloatArray, p: FloatArray, c: float, low: FloatArray, out: FloatArray) -> bool:
    n = x.shape[0]
    if not cholesky(p, n, low):
        return False
    sc = math.sqrt(c)
    for j in range(n):
        out[0, j] = x[j]
    for k in range(n):
        for j in range(n):
            out[1 + k, j] = x[j] + sc * low[j, k]
            out[1 + n + k, j] = x[j] - sc * low[j, k]
    return True


@njit(cache=True, parallel=True)
def ukf_predict(
    x: FloatArray,
    p: FloatArray,
    dt: FloatArray,
    par: FloatArray,
    atm: FloatArray,
    a0: float,
    da: float,
    ut: FloatArray,
    x_out: FloatArray,
    p_out: FloatArray,
    status: npt.NDArray[np.int64],
    blocks: int,
) -> None:
    """Unscented prediction: sigma points through the RK4 dynamics, plus ``Q``."""
    rows, n = x.shape
    c, wm0, wc0, wi = _ukf_weights(n, ut[0], ut[1], ut[2])
    for b in prange(blocks):
        dummy = np.empty((1, 1))
        sig = np.empty((2 * n + 1, n))
        prop = np.empty((2 * n + 1, n))
        low = np.zeros((n, n))
        q = np.empty((n, n))
        mean = np.empty(n)
        work = np.empty(work_size(n))
        xi, pi = np.empty(n), np.empty((n, n))
        for i in range(b * rows // blocks, (b + 1) * rows // blocks):
            _get1(x, i, xi)
            _get2(p, i, pi)
            status[i] = DONE
            if dt[i] == 0.0 or not _sigma_points(xi, pi, c, low, sig):
                if dt[i] != 0.0:
                    status[i] = SKIPPED_NUMERICS
                _put1(x_out, i, xi)
                _put2(p_out, i, pi)
                continue
            for k in range(2 * n + 1):
                transition_point(sig[k], dt[i], par, atm, a0, da, False, prop[k], dummy, work)
            for a in range(n):
                acc = wm0 * prop[0, a]
                for k in range(1, 2 * n + 1):
                    acc += wi * prop[k, a]
                mean[a] = acc
            process_noise_point(xi, dt[i], par, q)
            for k in range(2 * n + 1):
                w = wc0 if k == 0 else wi
                for a in range(n):
                    da_ = w * (prop[k, a] - mean[a])
                    for bb in range(a, n):
                        q[a, bb] += da_ * (prop[k, bb] - mean[bb])
            for a in range(n):
                for bb in range(a + 1, n):
                    q[bb, a] = q[a, bb]
            if not (_all_finite(mean) and _all_finite(q)):
                mean[:] = xi
                q[:, :] = pi
                status[i] = SKIPPED_NUMERICS
            _put1(x_out, i, mean)
            _put2(p_out, i, q)


@njit(cache=True)
def mahalanobis_rows(nu: FloatArray, s: FloatArray, out: FloatArray) -> None:
    """``nu^T S^-1 nu`` over rows, using only the finite components of each ``nu``."""
    k = nu.shape[1]
    idx = np.empty(k, dtype=np.int64)
    sub = np.empty((k, k))
    low = np.zeros((k, k))
    y = np.empty(k)
    for i in range(nu.shape[0]):
        m = 0
        for j in range(k):
            if math.isfinite(nu[i, j]):
                idx[m] = j
                m += 1
        ok = m > 0
        for a in range(m):
            y[a] = nu[i, idx[a]]
            for b in range(m):
                sub[a, b] = s[i, idx[a], idx[b]]
                ok = ok and math.isfinite(sub[a, b])
        if not ok or not cholesky(sub, m, low):
            out[i] = np.nan
            continue
        acc = 0.0
        for a in range(m):  # |L^-1 y|^2
            v = y[a]
            for b in range(a):
                v -= low[a, b] * y[b]
            y[a] = v / low[a, a]
            acc += y[a] * y[a]
        out[i] = acc
