"""Batched adaptive integration of many vehicles at once, with events (compiled).

Each vehicle is integrated independently (in parallel over vehicles) with the
Dormand-Prince 5(4) embedded Runge-Kutta pair and a per-vehicle adaptive step. Steps land
exactly on phase ends (burnout, staging) and on the switches of the pitch programme, where
the right-hand side is discontinuous. Events inside a step (ground impact, apogee, altitude
crossings) are located on the dense output of the step (the 4th-order continuous
extension of the pair) by a safeguarded secant method. The impact state is then
recomputed with true Runge-Kutta steps from the start of the step, their length adjusted
by Newton's method until the exact altitude is within 0.1 mm of the stop altitude.
Samples on a uniform time grid come from the same dense output.

Only the kernel lives here; :mod:`openbmd.flight.propagate` validates inputs and wraps it.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from openbmd.flight.dynamics import air_altitude, altitude_and_up, altitude_only, derivatives

STATUS_IMPACT = 0
STATUS_TIME_LIMIT = 1
STATUS_STEP_FAILURE = 2

MAX_STEPS = 200_000
#: Tolerance factor in thrust phases: errors at burnout grow by a factor of ~1,000 by
#: impact for long-range flights, so powered flight is integrated 100 times tighter.
POWERED_TOL_FACTOR = 0.01
MIN_STEP_S = 1e-9

# Dormand-Prince 5(4) coefficients (Dormand & Prince, J. Comp. Appl. Math. 6 (1980)).
C2, C3, C4, C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
A21 = 1.0 / 5.0
A31, A32 = 3.0 / 40.0, 9.0 / 40.0
A41, A42, A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
A51, A52, A53, A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
A61, A62, A63, A64, A65 = (
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
)
B1, B3, B4, B5, B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
E1, E3, E4, E5, E6, E7 = (
    71.0 / 57600.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
)
# Dense output (Hairer, Norsett & Wanner, *Solving Ordinary Differential Equations I*,
# 2nd ed., sec. II.6, DOPRI5): the cubic Hermite interpolant of the step plus
# theta^2 (1 - theta)^2 h sum_j D_j k_j. In 60 s vacuum steps it is ~200 times closer to
# the true solution than the cubic Hermite interpolant alone (2 mm against 0.4 m).
D1, D3, D4, D5, D6, D7 = (
    -12715105075.0 / 11282082432.0,
    87487479700.0 / 32700410799.0,
    -10690763975.0 / 1880347072.0,
    701980252875.0 / 199316789632.0,
    -1453857185.0 / 822651844.0,
    69997945.0 / 29380423.0,
)
#: Largest altitude residual at the reported impact state, m.
IMPACT_ALT_TOL_M = 1e-4


@njit(cache=True)
def _rhs(t, s, out, i, k, mass, V, shared):
    (
        mdot,
        isp_sl,
        isp_vac,
        cda,
        cd_index,
        vertical_end,
        kick_end,
        kick_angle,
        azimuth,
    ) = (
        V[1][i, k],
        V[2][i, k],
        V[3][i, k],
        V[5][i, k],
        V[6][i, k],
        V[7][i],
        V[8][i],
        V[9][i],
        V[10][i],
    )
    (cd_tables, mach0, dmach, earth_kind, radius, mu, j2, omega, drag_on, atm, a0, da) = shared
    derivatives(
        t,
        s,
        out,
        mass,
        mdot,
        isp_sl,
        isp_vac,
        cda,
        cd_tables[cd_index],
        mach0,
        dmach,
        vertical_end,
        kick_end,
        kick_angle,
        azimuth,
        earth_kind,
        radius,
        mu,
        j2,
        omega,
        drag_on,
        atm,
        a0,
        da,
    )


@njit(cache=True)
def _dp5_step(t, y, f0, h, K, ytmp, ynew, i, k, m_start, t_start, V, shared):
    """One Dormand-Prince step; fills ``ynew`` and ``K[6]`` (= f at the new point) and
    returns the unscaled error estimate vector in ``K`` row 7."""
    mdot = V[1][i, k]
    m0 = m_start - mdot * (t - t_start)
    for j in range(6):
        K[0, j] = f0[j]
    for j in range(6):
        ytmp[j] = y[j] + h * A21 * K[0, j]
    _rhs(t + C2 * h, ytmp, K[1], i, k, m0 - mdot * C2 * h, V, shared)
    for j in range(6):
        ytmp[j] = y[j] + h * (A31 * K[0, j] + A32 * K[1, j])
    _rhs(t + C3 * h, ytmp, K[2], i, k, m0 - mdot * C3 * h, V, shared)
    for j in range(6):
        ytmp[j] = y[j] + h * (A41 * K[0, j] + A42 * K[1, j] + A43 * K[2, j])
    _rhs(t + C4 * h, ytmp, K[3], i, k, m0 - mdot * C4 * h, V, shared)
    for j in range(6):
        ytmp[j] = y[j] + h * (A51 * K[0, j] + A52 * K[1, j] + A53 * K[2, j] + A54 * K[3, j])
    _rhs(t + C5 * h, ytmp, K[4], i, k, m0 - mdot * C5 * h, V, shared)
    for j in range(6):
        ytmp[j] = y[j] + h * (
            A61 * K[0, j] + A62 * K[1, j] + A63 * K[2, j] + A64 * K[3, j] + A65 * K[4, j]
        )
    _rhs(t + h, ytmp, K[5], i, k, m0 - mdot * h, V, shared)
    for j in range(6):
        ynew[j] = y[j] + h * (
            B1 * K[0, j] + B3 * K[2, j] + B4 * K[3, j] + B5 * K[4, j] + B6 * K[5, j]
        )
    _rhs(t + h, ynew, K[6], i, k, m0 - mdot * h, V, shared)
    for j in range(6):
        K[7, j] = h * (
            E1 * K[0, j] + E3 * K[2, j] + E4 * K[3, j] + E5 * K[4, j] + E6 * K[5, j] + E7 * K[6, j]
        )


@njit(cache=True)
def _dense(y0, y1, K, h, theta, out):
    """State at ``t0 + theta * h`` from the dense output of the step ``y0 -> y1`` whose
    stages are in ``K`` (``K[0] = f(t0)``, ``K[6] = f(t0 + h)``)."""
    t2 = theta * theta
    t3 = t2 * theta
    h00 = 2.0 * t3 - 3.0 * t2 + 1.0
    h10 = t3 - 2.0 * t2 + theta
    h01 = -2.0 * t3 + 3.0 * t2
    h11 = t3 - t2
    c = t2 * (1.0 - theta) * (1.0 - theta)
    for j in range(6):
        d = D1 * K[0, j] + D3 * K[2, j] + D4 * K[3, j] + D5 * K[4, j] + D6 * K[5, j] + D7 * K[6, j]
        out[j] = h00 * y0[j] + h * (h10 * K[0, j] + h11 * K[6, j] + c * d) + h01 * y1[j]


@njit(cache=True)
def _event_value(kind, level, s, omega, earth_kind, radius):
    """Event function: altitude minus ``level`` (kind 0) or the vertical speed (kind 1)."""
    if kind == 0:
        return altitude_only(s[0], s[1], s[2], earth_kind, radius) - level
    _h, _lat, _lon, ux, uy, uz = altitude_and_up(s[0], s[1], s[2], earth_kind, radius)
    vrx = s[3] + omega * s[1]
    vry = s[4] - omega * s[0]
    return vrx * ux + vry * uy + s[5] * uz


@njit(cache=True)
def _screened_altitude(s, earth_kind, radius, stop_alt, levels):
    """Altitude for event detection: the cheap geocentric estimate when it is clearly away
    from every event level (its sign against them is then certain), else the exact one.

    The estimate is within 1e-5 of the altitude plus 1 m of the geodetic height.
    """
    approx = air_altitude(s[0], s[1], s[2], earth_kind, radius)
    margin = 1.0 + 1e-5 * abs(approx)
    near = abs(approx - stop_alt) < margin
    for q in range(levels.shape[0]):
        near = near or abs(approx - levels[q]) < margin
    if near:
        return altitude_only(s[0], s[1], s[2], earth_kind, radius)
    return approx


@njit(cache=True)
def _screened_vertical_speed(s, omega, earth_kind, radius):
    """Vertical speed for apogee detection: the radial speed when the flight-path angle
    is clearly non-zero (the geodetic normal is within 0.2 deg of the radial, so the sign
    is the same), else the exact geodetic vertical speed."""
    vrx = s[3] + omega * s[1]
    vry = s[4] - omega * s[0]
    vrz = s[5]
    r = np.sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2])
    v = np.sqrt(vrx * vrx + vry * vry + vrz * vrz)
    radial = (s[0] * vrx + s[1] * vry + s[2] * vrz) / r
    if abs(radial) > 0.01 * v:
        return radial
    return _event_value(1, 0.0, s, omega, earth_kind, radius)


@njit(cache=True)
def _locate(kind, level, g0, g1, y0, y1, K, h, tmp, omega, earth_kind, radius, lo, hi):
    """Fraction ``theta`` of the step, in ``[lo, hi]``, where the event function crosses
    zero (``g0``, ``g1``: its values at ``lo`` and ``hi``).

    Illinois (modified regula falsi) on the dense output; converges to
    |g| < 1e-4 (m or m/s) or a bracket narrower than 1e-7 s.
    """
    a, b = lo, hi
    ga, gb = g0, g1
    side = 0
    theta = 1.0
    for _ in range(100):
        theta = (a * gb - b * ga) / (gb - ga)
        _dense(y0, y1, K, h, theta, tmp)
        g = _event_value(kind, level, tmp, omega, earth_kind, radius)
        if abs(g) < 1e-4 or (b - a) * h < 1e-7:
            break
        if (g > 0.0) == (ga > 0.0):
            a, ga = theta, g
            if side == -1:
                gb *= 0.5
            side = -1
        else:
            b, gb = theta, g
            if side == 1:
                ga *= 0.5
            side = 1
    return theta


@njit(cache=True)
def _impact_step(
    t, y, f, h_guess, h_full, K, ytmp, yimp, i, k, m_start, t_start, V, shared, stop_alt
):
    """Length of the true Runge-Kutta step from ``(t, y)`` that ends on the stop altitude.

    Newton's method on the step length, started at the root of the dense output
    ``h_guess`` and kept inside ``[0, h_full]``; the derivative of the altitude is the
    vertical speed relative to the Earth. ``yimp`` holds the state at the returned length.
    """
    earth_kind, radius, omega = shared[3], shared[4], shared[7]
    h_imp = h_guess
    _dp5_step(t, y, f, h_imp, K, ytmp, yimp, i, k, m_start, t_start, V, shared)
    for _ in range(5):
        g = _event_value(0, stop_alt, yimp, omega, earth_kind, radius)
        if abs(g) < IMPACT_ALT_TOL_M:
            break
        rate = _event_value(1, 0.0, yimp, omega, earth_kind, radius)
        if not rate < 0.0:
            break
        h_new = min(max(h_imp - g / rate, 0.0), h_full)
        if h_new == h_imp:
            break
        h_imp = h_new
        _dp5_step(t, y, f, h_imp, K, ytmp, yimp, i, k, m_start, t_start, V, shared)
    return h_imp


@njit(cache=True)
def _to_ecef(s, t_abs, omega, out, row):
    th = omega * t_abs
    c, sn = np.cos(th), np.sin(th)
    xe = c * s[0] + sn * s[1]
    ye = -sn * s[0] + c * s[1]
    vxe = c * s[3] + sn * s[4]
    vye = -sn * s[3] + c * s[4]
    out[row, 0] = t_abs
    out[row, 1] = xe
    out[row, 2] = ye
    out[row, 3] = s[2]
    out[row, 4] = vxe + omega * ye
    out[row, 5] = vye - omega * xe
    out[row, 6] = s[5]


@njit(cache=True)
def _fly_one(i, V, shared, tol, levels, sampling, outputs, write_samples):
    (t0_abs, y0, m0, phase_end, mass_drop, stop_alt, t_max) = (
        V[11][i],
        V[12][i],
        V[13][i],
        V[0][i],
        V[4][i],
        V[14][i],
        V[15][i],
    )
    (rtol, atol_pos, atol_vel, h_max) = tol
    (sample_t0, sample_dt, sample_offset, sample_times) = sampling
    explicit = sample_times.shape[0] > 0
    sampling_on = sample_dt > 0.0 or explicit
    (
        status,
        t_end,
        y_end,
        n_steps,
        apo_t,
        apo_y,
        phase_t,
        phase_y,
        cross_t,
        cross_y,
        n_samples,
        samples,
    ) = outputs
    earth_kind, radius, omega = shared[3], shared[4], shared[7]
    n_phases = phase_end.shape[0]
    n_levels = levels.shape[0]

    K = np.empty((8, 6))
    K_imp = np.empty((8, 6))
    y_imp = np.empty(6)
    y = y0.copy()
    ynew = np.empty(6)
    ytmp = np.empty(6)
    f = np.empty(6)
    fnew = np.empty(6)
    tmp = np.empty(6)

    k = 0
    t = 0.0
    t_start = 0.0
    m_start = m0
    vertical_end = V[7][i]
    kick_end = V[8][i]
    _rhs(t, y, f, i, k, m_start, V, shared)

    g_ground = _event_value(0, stop_alt, y, omega, earth_kind, radius)
    g_vert = _event_value(1, 0.0, y, omega, earth_kind, radius)
    g_lev = np.empty(n_levels)
    for q in range(n_levels):
        g_lev[q] = _event_value(0, levels[q], y, omega, earth_kind, radius)
    apogee_found = False

    # sample grid: absolute times sample_t0[i] + j * dt (or sample_times[j]), the first one
    # at or after launch
    n_samp = 0
    next_j = 0
    if explicit:
        next_j = int(np.searchsorted(sample_times, t0_abs - 1e-9))
    elif sample_dt > 0.0:
        next_j = int(np.ceil((t0_abs - sample_t0[i]) / sample_dt - 1e-12))
    out_row = sample_offset[i]

    h = min(1.0, h_max)
    steps = 0
    st = STATUS_TIME_LIMIT
    while True:
        if t >= t_max - 1e-12:
            st = STATUS_TIME_LIMIT
            break
        if steps >= MAX_STEPS or h < MIN_STEP_S:
            st = STATUS_STEP_FAILURE
            break
        # next discontinuity: phase end, pitch-programme switches, time limit
        t_break = min(phase_end[k], t_max)
        if t < vertical_end < t_break:
            t_break = vertical_end
        if t < kick_end < t_break:
            t_break = kick_end
        hit_break = False
        h_try = h
        if t + h >= t_break - 1e-9:
            h = t_break - t
            hit_break = True
        _dp5_step(t, y, f, h, K, ytmp, ynew, i, k, m_start, t_start, V, shared)
        steps += 1
        err = 0.0
        # powered flight sets the whole trajectory: integrate it POWERED_TOL_FACTOR tighter
        tight = POWERED_TOL_FACTOR if V[1][i, k] > 0.0 else 1.0
        for j in range(6):
            sc = tight * ((atol_pos if j < 3 else atol_vel) + rtol * max(abs(y[j]), abs(ynew[j])))
            e = K[7, j] / sc
            err += e * e
        err = np.sqrt(err / 6.0)
        if err > 1.0:
            h *= max(0.2, 0.9 * err**-0.2)
            continue
        for j in range(6):
            fnew[j] = K[6, j]
        t_new = t_break if hit_break else t + h

        # events inside (t, t_new]
        theta_stop = 2.0
        alt_new = _screened_altitude(ynew, earth_kind, radius, stop_alt, levels)
        gg = alt_new - stop_alt
        if g_ground > 0.0 and gg <= 0.0:
            theta_stop = _locate(
                0,
                stop_alt,
                g_ground,
                gg,
                y,
                ynew,
                K,
                t_new - t,
                tmp,
                omega,
                earth_kind,
                radius,
                0.0,
                1.0,
            )
        gv = 0.0 if apogee_found else _screened_vertical_speed(ynew, omega, earth_kind, radius)
        theta_apo = 2.0
        alt_apo = 0.0
        if not apogee_found and g_vert > 0.0 and gv <= 0.0:
            th = _locate(
                1, 0.0, g_vert, gv, y, ynew, K, t_new - t, tmp, omega, earth_kind, radius, 0.0, 1.0
            )
            if th <= theta_stop:
                apogee_found = True
                theta_apo = th
                apo_t[i] = t + th * (t_new - t)
                _dense(y, ynew, K, t_new - t, th, tmp)
                for j in range(6):
                    apo_y[i, j] = tmp[j]
                alt_apo = altitude_only(tmp[0], tmp[1], tmp[2], earth_kind, radius)
        g_vert = gv
        for q in range(n_levels):
            gq = alt_new - levels[q]
            # one crossing between the step ends, or two around an apogee inside the step
            # that rises above a level both ends are below
            n_cross = 0
            if (g_lev[q] > 0.0) != (gq > 0.0):
                n_cross = 1
            elif theta_apo <= 1.0 and gq <= 0.0 and alt_apo > levels[q]:
                n_cross = 2
            for c in range(n_cross):
                if n_cross == 1:
                    direction = 0 if gq > 0.0 else 1
                    lo, hi, g_lo, g_hi = 0.0, 1.0, g_lev[q], gq
                elif c == 0:
                    direction = 0
                    lo, hi, g_lo, g_hi = 0.0, theta_apo, g_lev[q], alt_apo - levels[q]
                else:
                    direction = 1
                    lo, hi, g_lo, g_hi = theta_apo, 1.0, alt_apo - levels[q], gq
                if np.isnan(cross_t[i, q, direction]):
                    th = _locate(
                        0,
                        levels[q],
                        g_lo,
                        g_hi,
                        y,
                        ynew,
                        K,
                        t_new - t,
                        tmp,
                        omega,
                        earth_kind,
                        radius,
                        lo,
                        hi,
                    )
                    if th <= theta_stop:
                        cross_t[i, q, direction] = t + th * (t_new - t)
                        _dense(y, ynew, K, t_new - t, th, tmp)
                        for j in range(6):
                            cross_y[i, q, direction, j] = tmp[j]
            g_lev[q] = gq

        t_last = t_new
        if theta_stop <= 1.0:
            # exact state at impact: true steps from the start of this step (K is kept
            # for the samples below)
            h_imp = _impact_step(
                t,
                y,
                f,
                theta_stop * (t_new - t),
                t_new - t,
                K_imp,
                ytmp,
                y_imp,
                i,
                k,
                m_start,
                t_start,
                V,
                shared,
                stop_alt,
            )
            t_last = t + h_imp
        if sampling_on and t_new > t:
            while True:
                if explicit:
                    if next_j >= sample_times.shape[0]:
                        break
                    ts_rel = sample_times[next_j] - t0_abs
                else:
                    ts_rel = sample_t0[i] + next_j * sample_dt - t0_abs
                if ts_rel > t_last + 1e-9:
                    break
                if write_samples:
                    _dense(y, ynew, K, t_new - t, (ts_rel - t) / (t_new - t), tmp)
                    _to_ecef(tmp, t0_abs + ts_rel, omega, samples, out_row)
                    out_row += 1
                n_samp += 1
                next_j += 1

        if theta_stop <= 1.0:
            t = t_last
            for j in range(6):
                y[j] = y_imp[j]
            st = STATUS_IMPACT
            break

        t = t_new
        for j in range(6):
            y[j] = ynew[j]
            f[j] = fnew[j]
        g_ground = gg
        while hit_break and k < n_phases - 1 and t >= phase_end[k] - 1e-9:
            # several phases may end together (zero-length phases after a cut-off)
            phase_t[i, k] = t
            for j in range(6):
                phase_y[i, k, j] = y[j]
            m_start = m_start - V[1][i, k] * (t - t_start) - mass_drop[k]
            t_start = t
            k += 1
        if hit_break:
            _rhs(t, y, f, i, k, m_start, V, shared)  # right-hand side jumps here
        if hit_break:
            h = min(max(h_try - h, h), h_max)
        else:
            h = min(h * min(5.0, max(0.2, 0.9 * max(err, 1e-10) ** -0.2)), h_max)

    status[i] = st
    t_end[i] = t
    for j in range(6):
        y_end[i, j] = y[j]
    n_steps[i] = steps
    n_samples[i] = n_samp


@njit(cache=True, parallel=True)
def fly_all(V, shared, tol, levels, sampling, outputs, write_samples):
    """Integrate every vehicle; see :func:`openbmd.flight.propagate.propagate`."""
    n = V[0].shape[0]
    for i in prange(n):
        _fly_one(i, V, shared, tol, levels, sampling, outputs, write_samples)
