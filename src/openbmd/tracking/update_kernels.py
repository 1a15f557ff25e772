"""Compiled EKF and UKF updates over N tracks at once (numba, parallel over tracks).

No input checks here (:func:`openbmd.tracking.filters.update` validates once). A row whose
update fails keeps its prior state; status codes as in :mod:`openbmd.tracking.filter_kernels`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from openbmd.tracking.filter_kernels import (
    DONE,
    SKIPPED_INPUT,
    SKIPPED_NUMERICS,
    _all_finite,
    _get1,
    _get2,
    _measurement_size,
    _put1,
    _put2,
    _sigma_points,
    _ukf_weights,
    cholesky,
    wrap_pi,
)
from openbmd.tracking.model_kernels import measure_point

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@njit(cache=True)
def _outputs_nan(zp: FloatArray, nu: FloatArray, s: FloatArray) -> None:
    zp[:] = np.nan
    nu[:] = np.nan
    s[:, :] = np.nan


@njit(cache=True)
def second_order_terms(
    x: FloatArray,
    p: FloatArray,
    t: float,
    site: FloatArray,
    rot: FloatArray,
    omega: float,
    hp: FloatArray,
    bias: FloatArray,
    var: FloatArray,
) -> None:
    """Second-order terms of the measurement (Gaussian second-order filter, Bar-Shalom, Li
    & Kirubarajan 2001, sec. 10.3.3): ``bias_i = 0.5 tr(Hess_i P)`` and ``var_ij = 0.5
    tr(Hess_i P Hess_j P)`` for (range, azimuth, elevation, range rate).

    Hessians in ECI (r, v): range ``P_perp / rho`` (``P_perp = I - u u^T``, ``u`` the unit
    line of sight); azimuth and elevation from their ENU forms, ``T^T Hess_enu T``
    (``T`` = ECI -> ENU); range rate ``[[-(u a^T + a u^T + rr P_perp) / rho^2, P_perp /
    rho], [P_perp / rho, 0]]`` with ``a = P_perp (v - omega x r_site)``. ``hp`` (4, 6, 6)
    is scratch (it receives ``Hess_i P``).
    """
    th = omega * t
    c, s = math.cos(th), math.sin(th)
    sx, sy = c * site[0] - s * site[1], s * site[0] + c * site[1]
    d = (x[0] - sx, x[1] - sy, x[2] - site[2])
    tm = np.empty((3, 3))  # ECI -> ENU
    for i in range(3):
        tm[i, 0] = rot[i, 0] * c - rot[i, 1] * s
        tm[i, 1] = rot[i, 0] * s + rot[i, 1] * c
        tm[i, 2] = rot[i, 2]
    e = tm[0, 0] * d[0] + tm[0, 1] * d[1] + tm[0, 2] * d[2]
    nn = tm[1, 0] * d[0] + tm[1, 1] * d[1] + tm[1, 2] * d[2]
    up = tm[2, 0] * d[0] + tm[2, 1] * d[1] + tm[2, 2] * d[2]
    h2 = e * e + nn * nn
    hz = math.sqrt(h2)
    r2 = h2 + up * up
    rho = math.sqrt(r2)
    u = (d[0] / rho, d[1] / rho, d[2] / rho)
    # ENU Hessians of azimuth and elevation (symmetric 3 x 3)
    h_enu = np.zeros((2, 3, 3))
    h4 = h2 * h2
    h_enu[0, 0, 0] = -2.0 * e * nn / h4
    h_enu[0, 1, 1] = 2.0 * e * nn / h4
    h_enu[0, 0, 1] = h_enu[0, 1, 0] = (e * e - nn * nn) / h4
    k1 = up * (2.0 * h2 + r2) / (r2 * r2 * h2 * hz)
    k0 = up / (r2 * hz)
    k2 = (r2 - 2.0 * up * up) / (r2 * r2 * hz)
    enu = (e, nn)
    for i in range(2):
        for j in range(2):
            h_enu[1, i, j] = enu[i] * enu[j] * k1 - (k0 if i == j else 0.0)
        h_enu[1, i, 2] = h_enu[1, 2, i] = -enu[i] * k2
    h_enu[1, 2, 2] = -2.0 * up * hz / (r2 * r2)
    hess = np.zeros((6, 6))
    for q in range(4):
        for i in range(6):
            for j in range(6):
                hess[i, j] = 0.0
        if q == 0:
            for i in range(3):
                for j in range(3):
                    hess[i, j] = ((1.0 if i == j else 0.0) - u[i] * u[j]) / rho
        elif q < 3:
            for i in range(3):
                for j in range(3):
                    acc = 0.0
                    for a in range(3):
                        for b in range(3):
                            acc += tm[a, i] * h_enu[q - 1, a, b] * tm[b, j]
                    hess[i, j] = acc
        else:
            wp = (x[3] + omega * sy, x[4] - omega * sx, x[5])
            rr = u[0] * wp[0] + u[1] * wp[1] + u[2] * wp[2]
            av = (wp[0] - rr * u[0], wp[1] - rr * u[1], wp[2] - rr * u[2])
            for i in range(3):
                for j in range(3):
                    perp = (1.0 if i == j else 0.0) - u[i] * u[j]
                    hess[i, j] = -(u[i] * av[j] + av[i] * u[j] + rr * perp) / r2
                    hess[i, 3 + j] = perp / rho
                    hess[3 + i, j] = perp / rho
        rows = 3 if q < 3 else 6
        for i in range(6):
            for j in range(6):
                acc = 0.0
                if i < rows:
                    for k in range(6):
                        acc += hess[i, k] * p[k, j]
                hp[q, i, j] = acc
    for q in range(4):
        tr = 0.0
        for i in range(6):
            tr += hp[q, i, i]
        bias[q] = 0.5 * tr
        for q2 in range(q, 4):
            acc = 0.0
            for i in range(6):
                for j in range(6):
                    acc += hp[q, i, j] * hp[q2, j, i]
            var[q, q2] = 0.5 * acc
            var[q2, q] = 0.5 * acc


@njit(cache=True)
def _gain_update(
    x: FloatArray,
    p: FloatArray,
    pxz: FloatArray,
    s: FloatArray,
    nu: FloatArray,
    m: int,
    hm: FloatArray,
    r: FloatArray,
    joseph: bool,
    low: FloatArray,
    gain: FloatArray,
    tmp: FloatArray,
    ikh: FloatArray,
    ybuf: FloatArray,
    x_out: FloatArray,
    p_out: FloatArray,
) -> tuple[bool, float]:
    """Kalman gain from the cross covariance ``pxz`` (n, m) and ``S``; state and covariance
    update (Joseph form with ``hm`` and ``r`` when ``joseph``, else ``P - K S K^T``).
    Returns (ok, NIS); ``x_out``/``p_out`` are only meaningful when ok. Overwrites
    ``pxz`` (Joseph form: with ``K R``)."""
    n = x.shape[0]
    if not cholesky(s, m, low):
        return False, np.nan
    # K^T = S^-1 pxz^T: forward and back substitution on all n right-hand sides at once
    for a in range(n):
        for k in range(m):
            gain[a, k] = pxz[a, k]
    for a in range(n):
        for k in range(m):
            acc = gain[a, k]
            for j in range(k):
                acc -= low[k, j] * gain[a, j]
            gain[a, k] = acc / low[k, k]
        for k in range(m - 1, -1, -1):
            acc = gain[a, k]
            for j in range(k + 1, m):
                acc -= low[j, k] * gain[a, j]
            gain[a, k] = acc / low[k, k]
    # NIS with the same factor: |L^-1 nu|^2 (forward substitution into ybuf)
    nis = 0.0
    for k in range(m):
        acc = nu[k]
        for j in range(k):
            acc -= low[k, j] * ybuf[j]
        ybuf[k] = acc / low[k, k]
        nis += ybuf[k] * ybuf[k]
    for a in range(n):
        acc = x[a]
        for k in range(m):
            acc += gain[a, k] * nu[k]
        x_out[a] = acc
    if joseph:
        for a in range(n):
            for b in range(n):
                acc = 1.0 if a == b else 0.0
                for k in range(m):
                    acc -= gain[a, k] * hm[k, b]
                ikh[a, b] = acc
        for a in range(n):
            for b in range(n):
                acc = 0.0
                for k in range(n):
                    acc += ikh[a, k] * p[k, b]
                tmp[a, b] = acc
        for a in range(n):  # K R into pxz (no longer needed)
            for k in range(m):
                acc = 0.0
                for ll in range(m):
                    acc += gain[a, ll] * r[ll, k]
                pxz[a, k] = acc
        for a in range(n):
            for b in range(a, n):
                acc = 0.0
                for k in range(n):
                    acc += tmp[a, k] * ikh[b, k]
                for k in range(m):
                    acc += pxz[a, k] * gain[b, k]
                p_out[a, b] = acc
                p_out[b, a] = acc
    else:
        for a in range(n):
            for k in range(m):
                acc = 0.0
                for ll in range(m):
                    acc += gain[a, ll] * s[ll, k]
                tmp[a, k] = acc
        for a in range(n):
            for b in range(a, n):
                acc = p[a, b] if a == b else 0.5 * (p[a, b] + p[b, a])
                for k in range(m):
                    acc -= tmp[a, k] * gain[b, k]
                p_out[a, b] = acc
                p_out[b, a] = acc
    ok = _all_finite(x_out)
    for a in range(n):  # a positive diagonal (the Cholesky test is left to the UKF)
        ok = ok and p_out[a, a] > 0.0 and math.isfinite(p_out[a, a])
    if ok and not joseph:
        ok = cholesky(p_out, n, tmp)
    return ok, nis


@njit(cache=True, parallel=True)
def ekf_update(
    x: FloatArray,
    p: FloatArray,
    t: FloatArray,
    z: FloatArray,
    r: FloatArray,
    site: FloatArray,
    frames: FloatArray,
    use_rr: npt.NDArray[np.int64],
    valid: BoolArray,
    omega: float,
    apply: bool,
    second_order: bool,
    x_out: FloatArray,
    p_out: FloatArray,
    zp_out: FloatArray,
    nu_out: FloatArray,
    s_out: FloatArray,
    nis_out: FloatArray,
    status: npt.NDArray[np.int64],
    blocks: int,
) -> None:
    """EKF update with Joseph-form covariance; innovation, S and NIS per row.

    ``apply=False`` only predicts the measurement (z_pred and ``S = H P H^T + R``; ``z``
    is not read and ``use_rr`` must be 0 or 1).
    """
    rows, n = x.shape
    for b in prange(blocks):
        zp = np.empty(4)
        hf = np.empty((4, n))
        pht = np.empty((n, 4))
        s = np.empty((4, 4))
        nu = np.empty(4)
        low = np.zeros((n, n))
        gain = np.empty((n, 4))
        tmp = np.empty((n, n))
        ikh = np.empty((n, n))
        hp2 = np.empty((4, 6, 6))
        bias = np.empty(4)
        var2 = np.empty((4, 4))
        rm = np.empty((4, 4))
        zi = np.empty(4)
        si = np.empty(3)
        rot = np.empty((3, 3))
        xi, xo = np.empty(n), np.empty(n)
        pi, po = np.empty((n, n)), np.empty((n, n))
        nan4 = np.full(4, np.nan)
        nan44 = np.full((4, 4), np.nan)
        nan4_buf = np.empty(4)
        for i in range(b * rows // blocks, (b + 1) * rows // blocks):
            _get1(x, i, xi)
            _get2(p, i, pi)
            _get1(z, i, zi)
            _get2(r, i, rm)
            _get1(site, i, si)
            _put1(x_out, i, xi)
            _put2(p_out, i, pi)
            _put1(zp_out, i, nan4)
            _put1(nu_out, i, nan4)
            _put2(s_out, i, nan44)
            nis_out[i] = np.nan
            m = _measurement_size(zi, rm, use_rr[i]) if apply else (3 + (use_rr[i] != 0))
            if not valid[i] or m == 0:
                status[i] = SKIPPED_INPUT
                continue
            _get2(frames, i, rot)
            measure_point(xi, t[i], si, rot, omega, True, zp, hf)
            for a in range(n):
                for k in range(m):
                    acc = 0.0
                    for c in range(n):
                        acc += pi[a, c] * hf[k, c]
                    pht[a, k] = acc
            for a in range(m):
                for k in range(m):
                    acc = rm[a, k]
                    for c in range(n):
                        acc += hf[a, c] * pht[c, k]
                    s[a, k] = acc
            if second_order:
                second_order_terms(xi, pi, t[i], si, rot, omega, hp2, bias, var2)
                for a in range(m):
                    zp[a] += bias[a]
                    for k in range(m):
                        s[a, k] += var2[a, k]
            for a in range(m):
                zp_out[i, a] = zp[a]
                for k in range(m):
                    s_out[i, a, k] = s[a, k]
            status[i] = DONE
            if not apply:
                continue
            for a in range(m):
                nu[a] = zi[a] - zp[a]
            nu[1] = wrap_pi(nu[1])
            for a in range(m):
                nu_out[i, a] = nu[a]
            ok, nis = _gain_update(xi, pi, pht, s, nu, m, hf, rm, True, low, gain, tmp, ikh,
                                   nan4_buf, xo, po)  # fmt: skip
            nis_out[i] = nis
            if ok:
                _put1(x_out, i, xo)
                _put2(p_out, i, po)
            else:
                status[i] = SKIPPED_NUMERICS


@njit(cache=True, parallel=True)
def ukf_update(
    x: FloatArray,
    p: FloatArray,
    t: FloatArray,
    z: FloatArray,
    r: FloatArray,
    site: FloatArray,
    frames: FloatArray,
    use_rr: npt.NDArray[np.int64],
    valid: BoolArray,
    omega: float,
    apply: bool,
    ut: FloatArray,
    x_out: FloatArray,
    p_out: FloatArray,
    zp_out: FloatArray,
    nu_out: FloatArray,
    s_out: FloatArray,
    nis_out: FloatArray,
    status: npt.NDArray[np.int64],
    blocks: int,
) -> None:
    """Unscented update (``P - K S K^T``, symmetrised, checked positive definite)."""
    rows, n = x.shape
    c, wm0, wc0, wi = _ukf_weights(n, ut[0], ut[1], ut[2])
    for b in prange(blocks):
        dummy = np.empty((4, n))
        sig = np.empty((2 * n + 1, n))
        zs = np.empty((2 * n + 1, 4))
        zm = np.empty(4)
        s = np.empty((4, 4))
        pxz = np.empty((n, 4))
        nu = np.empty(4)
        low = np.zeros((n, n))
        gain = np.empty((n, 4))
        tmp = np.empty((n, n))
        zi = np.empty(4)
        rm = np.empty((4, 4))
        si = np.empty(3)
        rot = np.empty((3, 3))
        xi, xo = np.empty(n), np.empty(n)
        pi, po = np.empty((n, n)), np.empty((n, n))
        nan4 = np.full(4, np.nan)
        nan44 = np.full((4, 4), np.nan)
        nan4_buf = np.empty(4)
        for i in range(b * rows // blocks, (b + 1) * rows // blocks):
            _get1(x, i, xi)
            _get2(p, i, pi)
            _get1(z, i, zi)
            _get2(r, i, rm)
            _get1(site, i, si)
            _put1(x_out, i, xi)
            _put2(p_out, i, pi)
            _put1(zp_out, i, nan4)
            _put1(nu_out, i, nan4)
            _put2(s_out, i, nan44)
            nis_out[i] = np.nan
            m = _measurement_size(zi, rm, use_rr[i]) if apply else (3 + (use_rr[i] != 0))
            if not valid[i] or m == 0:
                status[i] = SKIPPED_INPUT
                continue
            if not _sigma_points(xi, pi, c, low, sig):
                status[i] = SKIPPED_NUMERICS
                continue
            _get2(frames, i, rot)
            for k in range(2 * n + 1):
                measure_point(sig[k], t[i], si, rot, omega, False, zs[k], dummy)
                if k > 0:  # azimuth continuous around the central point's value
                    zs[k, 1] = zs[0, 1] + wrap_pi(zs[k, 1] - zs[0, 1])
            for a in range(m):
                acc = wm0 * zs[0, a]
                for k in range(1, 2 * n + 1):
                    acc += wi * zs[k, a]
                zm[a] = acc
            for a in range(m):
                for k in range(m):
                    s[a, k] = rm[a, k]
                for k in range(n):
                    pxz[k, a] = 0.0
            for k in range(2 * n + 1):
                w = wc0 if k == 0 else wi
                for a in range(m):
                    dza = w * (zs[k, a] - zm[a])
                    for bb in range(m):
                        s[a, bb] += dza * (zs[k, bb] - zm[bb])
                    for bb in range(n):
                        pxz[bb, a] += dza * (sig[k, bb] - xi[bb])
            for a in range(m):
                for bb in range(a + 1, m):
                    v = 0.5 * (s[a, bb] + s[bb, a])
                    s[a, bb] = v
                    s[bb, a] = v
            zm[1] = zm[1] % (2.0 * math.pi)
            for a in range(m):
                zp_out[i, a] = zm[a]
                for k in range(m):
                    s_out[i, a, k] = s[a, k]
            status[i] = DONE
            if not apply:
                continue
            for a in range(m):
                nu[a] = zi[a] - zm[a]
            nu[1] = wrap_pi(nu[1])
            for a in range(m):
                nu_out[i, a] = nu[a]
            ok, nis = _gain_update(xi, pi, pxz, s, nu, m, dummy, s, False, low, gain, tmp,
                                   tmp, nan4_buf, xo, po)  # fmt: skip
            nis_out[i] = nis
            if ok:
                _put1(x_out, i, xo)
                _put2(p_out, i, po)
            else:
                status[i] = SKIPPED_NUMERICS
