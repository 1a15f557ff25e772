"""Compiled kernels of the homing endgame (numba), on plain floats and arrays.

Two models, both batched over a leading axis of engagements and run in parallel:

- :func:`homing_kernel`: the 3-D nonlinear engagement in relative coordinates
  (target minus interceptor), fixed-step classical Runge-Kutta (RK4). The state of one
  engagement is ``(r[3], v[3], a_lag[3], divert_used)``: relative position (m), relative
  velocity (m/s), the interceptor's achieved acceleration behind its first-order lag
  (m/s^2) and the delta-v spent so far (m/s).
- :func:`linear_kernel`: Zarchan's planar linearised engagement (small angles, constant
  closing speed), state ``(y, dy/dt, n_L)``.

Seeker noise comes from a counter-based generator (SplitMix64 hashed on the engagement's
seed and the update index), so each engagement's noise depends only on its own seed: the
results do not depend on the number of threads or on the order of the batch.

Only the kernels live here; :mod:`openbmd.interceptors.homing` validates inputs and wraps
them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

LAW_PN = 0
LAW_APN = 1

#: Relative ranges below this (m) carry no line of sight: the command is zero there.
_MIN_RANGE_M = 1e-9
_BISECTION_STEPS = 60

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TWO_POW_M53 = 1.0 / 9007199254740992.0


@njit(cache=True)
def _uniform(seed, index):
    """Uniform in [0, 1): SplitMix64 output number ``index`` of the stream ``seed``."""
    z = seed + (np.uint64(index) + np.uint64(1)) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) * _TWO_POW_M53


@njit(cache=True)
def normal3(seed, k):
    """Three independent standard normals for update ``k`` (>= 0) of stream ``seed``."""
    base = 4 * k
    u1 = 1.0 - _uniform(seed, base)
    u2 = _uniform(seed, base + 1)
    u3 = 1.0 - _uniform(seed, base + 2)
    u4 = _uniform(seed, base + 3)
    r1 = math.sqrt(-2.0 * math.log(u1))
    r2 = math.sqrt(-2.0 * math.log(u3))
    return (
        r1 * math.cos(2.0 * math.pi * u2),
        r1 * math.sin(2.0 * math.pi * u2),
        r2 * math.cos(2.0 * math.pi * u4),
    )


@njit(cache=True)
def normal_samples(seed, n_updates):
    """``(n_updates, 3)`` normals of one stream (for tests of the generator)."""
    out = np.empty((n_updates, 3))
    for k in range(n_updates):
        a, b, c = normal3(seed, k)
        out[k, 0] = a
        out[k, 1] = b
        out[k, 2] = c
    return out


@njit(cache=True)
def _command(s, p, noise, maneuver_on, cmd):
    """Commanded acceleration (m/s^2) from state ``s`` into ``cmd``.

    ``p`` = (nav_ratio, law, tau, accel_limit, budget, blind_range, at_x, at_y, at_z, t_step).
    True PN: ``a_c = N' Vc (omega x u) = N' Vc v_perp / R``, perpendicular to the LOS;
    augmented PN adds ``N'/2`` times the target acceleration across the LOS.
    """
    cmd[0] = 0.0
    cmd[1] = 0.0
    cmd[2] = 0.0
    rx, ry, rz = s[0], s[1], s[2]
    vx, vy, vz = s[3], s[4], s[5]
    rng = math.sqrt(rx * rx + ry * ry + rz * rz)
    if rng < _MIN_RANGE_M:
        return
    ux, uy, uz = rx / rng, ry / rng, rz / rng
    vu = vx * ux + vy * uy + vz * uz
    vc = -vu
    if vc <= 0.0 or rng < p[5]:
        return
    nav = p[0]
    gain = nav * vc / rng
    ax = gain * (vx - vu * ux)
    ay = gain * (vy - vu * uy)
    az = gain * (vz - vu * uz)
    # noise: LOS-rate error from the differenced angle noise, across the LOS
    nu = noise[0] * ux + noise[1] * uy + noise[2] * uz
    ax += nav * vc * (noise[0] - nu * ux)
    ay += nav * vc * (noise[1] - nu * uy)
    az += nav * vc * (noise[2] - nu * uz)
    if p[1] == LAW_APN and maneuver_on:
        atu = p[6] * ux + p[7] * uy + p[8] * uz
        ax += 0.5 * nav * (p[6] - atu * ux)
        ay += 0.5 * nav * (p[7] - atu * uy)
        az += 0.5 * nav * (p[8] - atu * uz)
    cmd[0] = ax
    cmd[1] = ay
    cmd[2] = az


@njit(cache=True)
def _rhs(s, p, noise, maneuver_on, thrust_on, cmd, out):
    """Time derivative of the 10-element state."""
    _command(s, p, noise, maneuver_on, cmd)
    tau = p[2]
    if tau > 0.0:
        for j in range(3):
            out[6 + j] = (cmd[j] - s[6 + j]) / tau
        ax, ay, az = s[6], s[7], s[8]
    else:
        out[6] = 0.0
        out[7] = 0.0
        out[8] = 0.0
        ax, ay, az = cmd[0], cmd[1], cmd[2]
    # the divert thrusters (after the lag, which also filters the seeker noise) saturate
    mag = math.sqrt(ax * ax + ay * ay + az * az)
    if mag > p[3]:
        f = p[3] / mag
        ax *= f
        ay *= f
        az *= f
    if not thrust_on:
        ax, ay, az = 0.0, 0.0, 0.0
    tx, ty, tz = (p[6], p[7], p[8]) if maneuver_on else (0.0, 0.0, 0.0)
    out[0] = s[3]
    out[1] = s[4]
    out[2] = s[5]
    out[3] = tx - ax
    out[4] = ty - ay
    out[5] = tz - az
    out[9] = math.sqrt(ax * ax + ay * ay + az * az)


@njit(cache=True)
def _rk4(s, h, p, noise, maneuver_on, thrust_on, k1, k2, k3, k4, tmp, cmd, out):
    """One RK4 step of length ``h`` from ``s`` into ``out`` (``k*``, ``tmp``, ``cmd``: scratch)."""
    _rhs(s, p, noise, maneuver_on, thrust_on, cmd, k1)
    for j in range(10):
        tmp[j] = s[j] + 0.5 * h * k1[j]
    _rhs(tmp, p, noise, maneuver_on, thrust_on, cmd, k2)
    for j in range(10):
        tmp[j] = s[j] + 0.5 * h * k2[j]
    _rhs(tmp, p, noise, maneuver_on, thrust_on, cmd, k3)
    for j in range(10):
        tmp[j] = s[j] + h * k3[j]
    _rhs(tmp, p, noise, maneuver_on, thrust_on, cmd, k4)
    for j in range(10):
        out[j] = s[j] + h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])


@njit(cache=True)
def _hermite(s0, s1, h, theta, pos, vel):
    """Cubic Hermite relative position and velocity at ``theta`` in [0, 1] of a step."""
    t2 = theta * theta
    t3 = t2 * theta
    h00 = 2.0 * t3 - 3.0 * t2 + 1.0
    h10 = t3 - 2.0 * t2 + theta
    h01 = -2.0 * t3 + 3.0 * t2
    h11 = t3 - t2
    d00 = (6.0 * t2 - 6.0 * theta) / h
    d10 = 3.0 * t2 - 4.0 * theta + 1.0
    d01 = (-6.0 * t2 + 6.0 * theta) / h
    d11 = 3.0 * t2 - 2.0 * theta
    for j in range(3):
        pos[j] = h00 * s0[j] + h10 * h * s0[3 + j] + h01 * s1[j] + h11 * h * s1[3 + j]
        vel[j] = d00 * s0[j] + d10 * s0[3 + j] + d01 * s1[j] + d11 * s1[3 + j]


@njit(cache=True)
def _closest_in_step(s0, s1, h, pos, vel):
    """Fraction of the step at which the range is smallest (range rate crosses zero)."""
    lo, hi = 0.0, 1.0
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        _hermite(s0, s1, h, mid, pos, vel)
        if pos[0] * vel[0] + pos[1] * vel[1] + pos[2] * vel[2] < 0.0:
            lo = mid
        else:
            hi = mid
    theta = 0.5 * (lo + hi)
    _hermite(s0, s1, h, theta, pos, vel)
    return theta


@njit(cache=True)
def _opening(s):
    return s[0] * s[3] + s[1] * s[4] + s[2] * s[5] >= 0.0


@njit(cache=True, parallel=True)
def homing_kernel(
    rel0,
    params,
    noise_sigma,
    seeds,
    step_s,
    steps_per_update,
    time_limit_s,
    record,
    miss_vec,
    tca,
    divert,
    exhausted,
    hist_cmd,
    hist_app,
    hist_r,
):
    """Fly N engagements until closest approach (or the time limit).

    Parameters
    ----------
    rel0 : (N, 6) initial relative state (target minus interceptor), m and m/s.
    params : (N, 10) see :func:`_command`.
    noise_sigma : (N,) seeker angle noise, rad, 1-sigma per update.
    seeds : (N,) uint64 noise streams.
    step_s : integration step, s.
    steps_per_update : integration steps per seeker update (the noise is held between).
    time_limit_s : (N,) last time to look for the closest approach, s.
    record : whether to fill the ``hist_*`` arrays ((N, K, 3), at the start of each update).

    Outputs (filled in place): ``miss_vec`` (N, 3) relative position at closest approach
    (NaN if none before the limit), ``tca`` (N,), ``divert`` (N,), ``exhausted`` (N,).
    """
    n = rel0.shape[0]
    for i in prange(n):
        p = params[i]
        s = np.zeros(10)
        s1 = np.zeros(10)
        s_mid = np.zeros(10)
        k1 = np.zeros(10)
        k2 = np.zeros(10)
        k3 = np.zeros(10)
        k4 = np.zeros(10)
        tmp = np.zeros(10)
        cmd = np.zeros(3)
        noise = np.zeros(3)
        pos = np.zeros(3)
        vel = np.zeros(3)
        for j in range(6):
            s[j] = rel0[i, j]
        sigma = noise_sigma[i]
        budget = p[4]
        t_step = p[9]
        out_of_fuel = budget <= 0.0
        miss_vec[i, :] = np.nan
        tca[i] = np.nan
        if _opening(s):
            miss_vec[i, :] = s[:3]
            tca[i] = 0.0
            divert[i] = 0.0
            exhausted[i] = out_of_fuel
            continue
        prev = normal3(seeds[i], 0) if sigma > 0.0 else (0.0, 0.0, 0.0)
        t = 0.0
        k = 0
        done = False
        while not done and t < time_limit_s[i]:
            if sigma > 0.0 and k % steps_per_update == 0:
                cur = normal3(seeds[i], k // steps_per_update + 1)
                for j in range(3):
                    noise[j] = sigma * (cur[j] - prev[j]) / (step_s * steps_per_update)
                prev = cur
            t_end = (k + 1) * step_s  # no drift from repeated addition
            if record and k < hist_cmd.shape[1]:
                on = t >= t_step
                _rhs(s, p, noise, on, not out_of_fuel, cmd, k1)
                for j in range(3):
                    hist_cmd[i, k, j] = cmd[j]
                    # relative acceleration = target's - interceptor's
                    hist_app[i, k, j] = (p[6 + j] if on else 0.0) - k1[3 + j]
                    hist_r[i, k, j] = s[j]
            # split the update at the start of the target manoeuvre (a discontinuity)
            n_sub = 2 if t < t_step < t_end else 1
            for sub in range(n_sub):
                ta = t if sub == 0 else t_step
                tb = t_end if (n_sub == 1 or sub == 1) else t_step
                h = tb - ta
                on = ta >= t_step
                _rk4(s, h, p, noise, on, not out_of_fuel, k1, k2, k3, k4, tmp, cmd, s1)
                if not out_of_fuel and s1[9] > budget:
                    # thrust until the budget is spent, then coast for the rest of the step
                    frac = (budget - s[9]) / (s1[9] - s[9])
                    _rk4(s, frac * h, p, noise, on, True, k1, k2, k3, k4, tmp, cmd, s_mid)
                    s_mid[9] = budget
                    _rk4(s_mid, (1.0 - frac) * h, p, noise, on, False, k1, k2, k3, k4, tmp, cmd, s1)
                    s1[9] = budget
                    out_of_fuel = True
                if _opening(s1):
                    theta = _closest_in_step(s, s1, h, pos, vel)
                    for j in range(3):
                        miss_vec[i, j] = pos[j]
                    tca[i] = ta + theta * h
                    done = True
                for j in range(10):
                    s[j] = s1[j]
                if done:
                    break
            t = t_end
            k += 1
        divert[i] = s[9]
        exhausted[i] = out_of_fuel


@njit(cache=True)
def _linear_rhs(y, yd, nl, tgo, nav, law, tau, at, out):
    """Derivatives of (y, dy/dt, n_L) and the command, planar linear model."""
    zem = y + yd * tgo
    if law == LAW_APN:
        zem += 0.5 * at * tgo * tgo
    nc = nav * zem / (tgo * tgo)
    applied = nl if tau > 0.0 else nc
    out[0] = yd
    out[1] = at - applied
    out[2] = (nc - nl) / tau if tau > 0.0 else 0.0
    return nc


@njit(cache=True, parallel=True)
def linear_kernel(tf, yd0, at, nav, law, tau, step_s, record, miss, h_t, h_nc, h_nl, h_y):
    """Zarchan's linear engagement, integrated with RK4 until one step before tF.

    The miss is the relative position extrapolated over the last step (the command is
    singular at t_go = 0, so it is never evaluated there): ``y + y' h + (a_T - n_L) h^2/2``.
    """
    n = tf.shape[0]
    for i in prange(n):
        steps = max(1, math.ceil(tf[i] / step_s - 1e-9))
        h = tf[i] / steps
        x = np.zeros(3)
        x[1] = yd0[i]
        tmp = np.zeros(3)
        k1 = np.zeros(3)
        k2 = np.zeros(3)
        k3 = np.zeros(3)
        k4 = np.zeros(3)
        for k in range(steps):
            t = k * h
            tgo = tf[i] - t
            nc = _linear_rhs(x[0], x[1], x[2], tgo, nav[i], law, tau[i], at[i], k1)
            if record:
                h_t[i, k] = t
                h_nc[i, k] = nc
                h_nl[i, k] = x[2] if tau[i] > 0.0 else nc
                h_y[i, k] = x[0]
            if k == steps - 1:
                break
            for j in range(3):
                tmp[j] = x[j] + 0.5 * h * k1[j]
            _linear_rhs(tmp[0], tmp[1], tmp[2], tgo - 0.5 * h, nav[i], law, tau[i], at[i], k2)
            for j in range(3):
                tmp[j] = x[j] + 0.5 * h * k2[j]
            _linear_rhs(tmp[0], tmp[1], tmp[2], tgo - 0.5 * h, nav[i], law, tau[i], at[i], k3)
            for j in range(3):
                tmp[j] = x[j] + h * k3[j]
            _linear_rhs(tmp[0], tmp[1], tmp[2], tgo - h, nav[i], law, tau[i], at[i], k4)
            for j in range(3):
                x[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
        # k1 holds the derivatives at t_go = h: k1[1] = a_T - n_L there
        miss[i] = x[0] + x[1] * h + 0.5 * k1[1] * h * h
