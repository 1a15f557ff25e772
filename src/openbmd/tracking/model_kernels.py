"""Compiled kernels of the dynamics and measurement models (numba; no input checks).

Conventions, equations and the wrappers that validate input: :mod:`openbmd.tracking.models`.
The kernels take the model as a float parameter vector (layout ``P_*`` below, built by
:attr:`FilterModel.parameters <openbmd.tracking.models.FilterModel.parameters>`) and the
atmosphere table as ``(values, start_m, step_m)``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from openbmd.atmosphere.kernels import density_at
from openbmd.constants import WGS84_B_M, WGS84_E2
from openbmd.flight.dynamics import EARTH_WGS84, air_altitude
from openbmd.geodesy.kernels import ecef_to_geodetic_point

FloatArray = npt.NDArray[np.float64]

# Layout of the kernels' parameter vector (FilterModel.parameters).
P_MU, P_J2, P_RADIUS, P_OMEGA, P_DRAG, P_INV_BETA = range(6)
P_BETA_INDEX, P_THRUST_INDEX, P_POWERED, P_MAX_STEP, P_Q_ACC, P_Q_BETA, P_Q_THRUST = range(6, 13)
N_PARAMETERS = 13

# ---------------------------------------------------------------- dynamics kernels


@njit(cache=True)
def _air_altitude_gradient(x: float, y: float, z: float) -> tuple[float, float, float]:
    """Gradient of :func:`openbmd.flight.dynamics.air_altitude` on WGS 84 (1/1)."""
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    q = (x * x + y * y) / r2
    u = 1.0 - WGS84_E2 * q
    c = -0.5 * WGS84_B_M * WGS84_E2 * u ** (-1.5)
    r4 = r2 * r2
    dqx = 2.0 * x * z * z / r4
    dqy = 2.0 * y * z * z / r4
    dqz = -2.0 * (x * x + y * y) * z / r4
    return x / r + c * dqx, y / r + c * dqy, z / r + c * dqz


@njit(cache=True)
def acceleration_point(
    s: FloatArray,
    par: FloatArray,
    atm: FloatArray,
    atm_start: float,
    atm_step: float,
    acc: FloatArray,
    jac: FloatArray,
    with_jac: bool,
) -> None:
    """Acceleration (3,) of state ``s`` and, if asked, its Jacobian (3, n) w.r.t. ``s``."""
    n = s.shape[0]
    x, y, z = s[0], s[1], s[2]
    vx, vy, vz = s[3], s[4], s[5]
    mu, j2, ra, om = par[P_MU], par[P_J2], par[P_RADIUS], par[P_OMEGA]
    r2 = x * x + y * y + z * z
    m = mu / (r2 * math.sqrt(r2))
    k = 1.5 * j2 * ra * ra / r2
    sz = 5.0 * z * z / r2
    fxy = -m * (1.0 - k * (sz - 1.0))
    fz = -m * (1.0 - k * (sz - 3.0))
    acc[0] = fxy * x
    acc[1] = fxy * y
    acc[2] = fz * z
    if with_jac:
        for i in range(3):
            for j in range(n):
                jac[i, j] = 0.0
        for j in range(3):
            xj = s[j]
            dm = -3.0 * m * xj / r2
            dk = -2.0 * k * xj / r2
            ds = -2.0 * sz * xj / r2 + (10.0 * z / r2 if j == 2 else 0.0)
            dfxy = -dm * (1.0 - k * (sz - 1.0)) + m * (dk * (sz - 1.0) + k * ds)
            dfz = -dm * (1.0 - k * (sz - 3.0)) + m * (dk * (sz - 3.0) + k * ds)
            jac[0, j] = x * dfxy
            jac[1, j] = y * dfxy
            jac[2, j] = z * dfz
        jac[0, 0] += fxy
        jac[1, 1] += fxy
        jac[2, 2] += fz
    bi = int(par[P_BETA_INDEX])
    ti = int(par[P_THRUST_INDEX])
    powered = ti >= 0 and par[P_POWERED] > 0.0
    inv_beta = s[bi] if bi >= 0 else par[P_INV_BETA]
    thrust = s[ti] if powered else 0.0
    drag_on = par[P_DRAG] > 0.0 and (inv_beta != 0.0 or bi >= 0)
    if not (drag_on or powered):
        return
    wx, wy, wz = vx + om * y, vy - om * x, vz
    w = math.sqrt(wx * wx + wy * wy + wz * wz)
    if w == 0.0:
        return
    c = 0.0  # drag factor -0.5 rho / beta
    rho = 0.0
    slope = 0.0
    h = 0.0
    if drag_on:
        h = air_altitude(x, y, z, EARTH_WGS84, ra)
        rho = density_at(h, atm, atm_start, atm_step)
        c = -0.5 * rho * inv_beta
    tw = thrust / w
    acc[0] += (c * w + tw) * wx
    acc[1] += (c * w + tw) * wy
    acc[2] += (c * w + tw) * wz
    if not with_jac:
        return
    if drag_on and rho > 0.0:
        # ln(rho) is linear between table rows: d rho / dh = rho * slope
        u = (h - atm_start) / atm_step
        if 0.0 < u < atm.shape[0] - 1:
            iu = int(u)
            slope = (atm[iu + 1, 2] - atm[iu, 2]) / atm_step
        gx, gy, gz = _air_altitude_gradient(x, y, z)
        kd = c * w * slope
        for i in range(3):
            wi = wx if i == 0 else (wy if i == 1 else wz)
            jac[i, 0] += kd * wi * gx
            jac[i, 1] += kd * wi * gy
            jac[i, 2] += kd * wi * gz
            if bi >= 0:
                jac[i, bi] += -0.5 * rho * w * wi
    if powered:
        jac[0, ti] += wx / w
        jac[1, ti] += wy / w
        jac[2, ti] += wz / w
    # d(a)/d(w): drag c (w I + w w^T / w), thrust (T / w)(I - w w^T / w^2); then
    # dw/dv = I and dw/dr = [[0, om, 0], [-om, 0, 0], [0, 0, 0]]
    diag = c * w + tw
    outer = c / w - tw / (w * w)
    for i in range(3):
        wi = wx if i == 0 else (wy if i == 1 else wz)
        d0 = outer * wi * wx + (diag if i == 0 else 0.0)
        d1 = outer * wi * wy + (diag if i == 1 else 0.0)
        d2 = outer * wi * wz + (diag if i == 2 else 0.0)
        jac[i, 3] += d0
        jac[i, 4] += d1
        jac[i, 5] += d2
        jac[i, 0] += -om * d1
        jac[i, 1] += om * d0


@njit(cache=True)
def _derivative(
    y: FloatArray,
    phi: FloatArray,
    par: FloatArray,
    atm: FloatArray,
    a0: float,
    da: float,
    with_stm: bool,
    dy: FloatArray,
    dphi: FloatArray,
    acc: FloatArray,
    jac: FloatArray,
) -> None:
    n = y.shape[0]
    acceleration_point(y, par, atm, a0, da, acc, jac, with_stm)
    for i in range(3):
        dy[i] = y[3 + i]
        dy[3 + i] = acc[i]
    for i in range(6, n):
        dy[i] = 0.0
    if with_stm:
        for j in range(n):
            for i in range(3):
                dphi[i, j] = phi[3 + i, j]
                acc_sum = 0.0
                for k in range(n):
                    acc_sum += jac[i, k] * phi[k, j]
                dphi[3 + i, j] = acc_sum
            for i in range(6, n):
                dphi[i, j] = 0.0


@njit(cache=True)
def work_size(n: int) -> int:
    """Length of the scratch buffer of :func:`transition_point` for states of size n."""
    return 5 * n + 5 * n * n + 3 + 3 * n


@njit(cache=True)
def transition_point(
    x: FloatArray,
    dt: float,
    par: FloatArray,
    atm: FloatArray,
    a0: float,
    da: float,
    with_stm: bool,
    x_out: FloatArray,
    f_out: FloatArray,
    work: FloatArray,
) -> None:
    """RK4 propagation of one state over ``dt`` (s, either sign) and, with ``with_stm``,
    its Jacobian ``f_out`` (n, n). ``work``: scratch of length ``work_size(n)``."""
    n = x.shape[0]
    nn = n * n
    ks = work[: 4 * n].reshape((4, n))
    yt = work[4 * n : 5 * n]
    kp = work[5 * n : 5 * n + 4 * nn].reshape((4, n, n))
    pt = work[5 * n + 4 * nn : 5 * n + 5 * nn].reshape((n, n))
    acc = work[5 * n + 5 * nn : 5 * n + 5 * nn + 3]
    jac = work[5 * n + 5 * nn + 3 : 5 * n + 5 * nn + 3 + 3 * n].reshape((3, n))
    for i in range(n):
        x_out[i] = x[i]
    if with_stm:
        for i in range(n):
            for j in range(n):
                f_out[i, j] = 1.0 if i == j else 0.0
    free = par[P_MU] == 0.0 and par[P_DRAG] == 0.0 and par[P_POWERED] == 0.0
    if dt != 0.0 and free:  # no force: constant velocity, exact (what RK4 gives too)
        for i in range(3):
            x_out[i] = x[i] + dt * x[3 + i]
            if with_stm:
                f_out[i, 3 + i] = dt
    elif dt != 0.0:
        steps = max(1, math.ceil(abs(dt) / par[P_MAX_STEP] - 1e-9))
        h = dt / steps
        for _ in range(steps):
            for stage in range(4):
                if stage == 0:
                    for i in range(n):
                        yt[i] = x_out[i]
                    if with_stm:
                        for i in range(n):
                            for j in range(n):
                                pt[i, j] = f_out[i, j]
                else:
                    c = 0.5 * h if stage < 3 else h
                    for i in range(n):
                        yt[i] = x_out[i] + c * ks[stage - 1, i]
                    if with_stm:
                        for i in range(n):
                            for j in range(n):
                                pt[i, j] = f_out[i, j] + c * kp[stage - 1, i, j]
                _derivative(yt, pt, par, atm, a0, da, with_stm, ks[stage], kp[stage], acc, jac)
            h6 = h / 6.0
            for i in range(n):
                x_out[i] += h6 * (ks[0, i] + 2.0 * ks[1, i] + 2.0 * ks[2, i] + ks[3, i])
            if with_stm:
                for i in range(n):
                    for j in range(n):
                        f_out[i, j] += h6 * (
                            kp[0, i, j] + 2.0 * kp[1, i, j] + 2.0 * kp[2, i, j] + kp[3, i, j]
                        )
    ti = int(par[P_THRUST_INDEX])
    if ti >= 0 and par[P_POWERED] == 0.0:
        x_out[ti] = 0.0
        if with_stm:
            for j in range(n):
                f_out[ti, j] = 0.0


@njit(cache=True)
def process_noise_point(x: FloatArray, dt: float, par: FloatArray, q_out: FloatArray) -> None:
    """Closed-form discrete process noise over ``dt`` (see the module docstring)."""
    n = x.shape[0]
    for i in range(n):
        for j in range(n):
            q_out[i, j] = 0.0
    dt = abs(dt)
    q = par[P_Q_ACC]
    for i in range(3):
        q_out[i, i] = q * dt**3 / 3.0
        q_out[i, 3 + i] = q * dt**2 / 2.0
        q_out[3 + i, i] = q * dt**2 / 2.0
        q_out[3 + i, 3 + i] = q * dt
    bi = int(par[P_BETA_INDEX])
    if bi >= 0:
        q_out[bi, bi] = par[P_Q_BETA] * dt
    ti = int(par[P_THRUST_INDEX])
    if ti >= 0:
        qt = par[P_Q_THRUST]
        q_out[ti, ti] = qt * dt
        if par[P_POWERED] > 0.0:
            om = par[P_OMEGA]
            w0, w1, w2 = x[3] + om * x[1], x[4] - om * x[0], x[5]
            w = math.sqrt(w0 * w0 + w1 * w1 + w2 * w2)
            if w > 0.0:
                u = (w0 / w, w1 / w, w2 / w)
                for i in range(3):
                    q_out[i, ti] = q_out[ti, i] = qt * dt**3 / 6.0 * u[i]
                    q_out[3 + i, ti] = q_out[ti, 3 + i] = qt * dt**2 / 2.0 * u[i]
                    for j in range(3):
                        uu = u[i] * u[j]
                        q_out[i, j] += qt * dt**5 / 20.0 * uu
                        q_out[i, 3 + j] += qt * dt**4 / 8.0 * uu
                        q_out[3 + i, j] += qt * dt**4 / 8.0 * uu
                        q_out[3 + i, 3 + j] += qt * dt**3 / 3.0 * uu


# ------------------------------------------------------------- measurement kernel


@njit(cache=True)
def site_frame(site: FloatArray) -> FloatArray:
    """ECEF -> ENU rotation (rows east, north, up) of a site given in ECEF, m."""
    lat, lon, _ = ecef_to_geodetic_point(site[0], site[1], site[2])
    sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
    rot = np.empty((3, 3))
    rot[0, 0], rot[0, 1], rot[0, 2] = -so, co, 0.0
    rot[1, 0], rot[1, 1], rot[1, 2] = -sl * co, -sl * so, cl
    rot[2, 0], rot[2, 1], rot[2, 2] = cl * co, cl * so, sl
    return rot


@njit(cache=True)
def measure_point(
    x: FloatArray,
    t: float,
    site: FloatArray,
    rot: FloatArray,
    omega: float,
    with_jac: bool,
    z_out: FloatArray,
    h_out: FloatArray,
) -> None:
    """``[range, azimuth, elevation, range rate]`` of state ``x`` (ECI) at ``t`` from a site
    (ECEF ``site``, ENU rotation ``rot``); ``h_out`` (4, n): the analytic Jacobian."""
    th = omega * t
    c, s = math.cos(th), math.sin(th)
    # site in ECI (R^T site) and T = rot @ R(theta): ECI -> ENU
    sx, sy, sz = c * site[0] - s * site[1], s * site[0] + c * site[1], site[2]
    dx, dy, dz = x[0] - sx, x[1] - sy, x[2] - sz
    t00, t01, t02 = rot[0, 0] * c - rot[0, 1] * s, rot[0, 0] * s + rot[0, 1] * c, rot[0, 2]
    t10, t11, t12 = rot[1, 0] * c - rot[1, 1] * s, rot[1, 0] * s + rot[1, 1] * c, rot[1, 2]
    t20, t21, t22 = rot[2, 0] * c - rot[2, 1] * s, rot[2, 0] * s + rot[2, 1] * c, rot[2, 2]
    e = t00 * dx + t01 * dy + t02 * dz
    nn = t10 * dx + t11 * dy + t12 * dz
    u = t20 * dx + t21 * dy + t22 * dz
    hz2 = e * e + nn * nn
    hz = math.sqrt(hz2)
    rng2 = hz2 + u * u
    rng = math.sqrt(rng2)
    az = math.atan2(e, nn)
    if az < 0.0:
        az += 2.0 * math.pi
        if az >= 2.0 * math.pi:
            az = 0.0
    wx, wy, wz = x[3] + omega * x[1], x[4] - omega * x[0], x[5]
    rr = (dx * wx + dy * wy + dz * wz) / rng
    z_out[0] = rng
    z_out[1] = az
    z_out[2] = math.atan2(u, hz)
    z_out[3] = rr
    if not with_jac:
        return
    n = x.shape[0]
    for i in range(4):
        for j in range(n):
            h_out[i, j] = 0.0
    # derivatives w.r.t. (e, n, u), then chained through T (d enu / d r_eci = T)
    d_rng = (e / rng, nn / rng, u / rng)
    d_az = (nn / hz2, -e / hz2, 0.0)
    k = u / (rng2 * hz)
    d_el = (-e * k, -nn * k, hz / rng2)
    tm = ((t00, t01, t02), (t10, t11, t12), (t20, t21, t22))
    for j in range(3):
        h_out[0, j] = d_rng[0] * tm[0][j] + d_rng[1] * tm[1][j] + d_rng[2] * tm[2][j]
        h_out[1, j] = d_az[0] * tm[0][j] + d_az[1] * tm[1][j]
        h_out[2, j] = d_el[0] * tm[0][j] + d_el[1] * tm[1][j] + d_el[2] * tm[2][j]
    # range rate: d/dv = d/rng; d/dr = (w + omega x d - rr d / rng) / rng
    dv = (dx, dy, dz)
    wv = (wx - omega * dy, wy + omega * dx, wz)
    for j in range(3):
        h_out[3, 3 + j] = dv[j] / rng
        h_out[3, j] = (wv[j] - rr * dv[j] / rng) / rng


# ----------------------------------------------------------------- batched wrappers


@njit(cache=True, parallel=True)
def _transition_batch(
    x: FloatArray,
    dt: FloatArray,
    par: FloatArray,
    atm: FloatArray,
    a0: float,
    da: float,
    x_out: FloatArray,
    f_out: FloatArray,
    q_out: FloatArray,
) -> None:
    work = np.empty((x.shape[0], work_size(x.shape[1])))
    for i in prange(x.shape[0]):
        transition_point(x[i], dt[i], par, atm, a0, da, True, x_out[i], f_out[i], work[i])
        process_noise_point(x[i], dt[i], par, q_out[i])


@njit(cache=True, parallel=True)
def _acceleration_batch(
    x: FloatArray, par: FloatArray, atm: FloatArray, a0: float, da: float, acc: FloatArray,
    jac: FloatArray,
) -> None:  # fmt: skip
    for i in prange(x.shape[0]):
        acceleration_point(x[i], par, atm, a0, da, acc[i], jac[i], True)


@njit(cache=True, parallel=True)
def _measure_batch(
    x: FloatArray, t: FloatArray, site: FloatArray, omega: float, z: FloatArray, h: FloatArray
) -> None:
    for i in prange(x.shape[0]):
        rot = site_frame(site[i])
        measure_point(x[i], t[i], site[i], rot, omega, True, z[i], h[i])


@njit(cache=True)
def _frames_batch(site: FloatArray, out: FloatArray) -> None:
    for i in range(site.shape[0]):
        out[i] = site_frame(site[i])
