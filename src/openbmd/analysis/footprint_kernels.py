"""Compiled kernels of the defended footprint (numba), on plain floats and arrays.

A threat of the footprint flies from a launch point to a target along a **planar
profile**: six functions of the normalised flight time ``tau = t / T`` (``T`` the time of
flight), interpolated between reference trajectories of a
:class:`~openbmd.analysis.footprint_family.TrajectoryFamily`:

====  =====================================================================
0     along-track fraction: central angle from the launch point over the total
1     cross-track angle (rad, positive along ``k = n0 x nc / |n0 x nc|``)
2     height above the WGS 84 ellipsoid (m)
3-5   Earth-relative velocity: along-track, cross-track and up components (m/s)
====  =====================================================================

Angles are measured on the unit sphere of **n-vectors** (the unit normal of the
ellipsoid, ``(cos lat cos lon, cos lat sin lon, sin lat)`` with the geodetic latitude):
the sub-threat point at fraction ``f`` lies on the great circle of n-vectors from the
launch point ``n0`` to the target ``nc``, rotated by the cross-track angle toward ``k``;
its ECEF position is exact on the ellipsoid for that n-vector and height.

Each threat is blended from four reference profiles (two families bracketing its bearing,
two members bracketing its range in each): ``blend_index`` (O, 4) holds family a, member
a, family b, member b (-1: the threat is out of reach); ``blend_weight`` (O, 4) holds the
weight of member a + 1, of member b + 1, of family b, and the blended time of flight;
``geometry`` (O, 10) holds ``n0``, ``nc``, ``k`` and the central angle.
:func:`place_kernel` samples the threats on a time grid; :func:`place_screened_kernel`
keeps only the samples some defence tier could intercept. Nothing here checks its input:
:mod:`openbmd.analysis.footprint` validates once and wraps it.

Radar detection (:func:`detectable`): the line of sight is clear and inside the field of
regard and instrumented range (:func:`openbmd.sensors.los.visible_ecef_point`) and the
slant range is at most the radar's range for Pd = 0.9 against the target's RCS at its
aspect angle, with the scan loss of a planar face: ``R <= R_1m2 * 10^(rcs_dBsm / 40) *
cos(scan)^(n / 4)`` (radar equation, SNR proportional to RCS / R^4 and cos(scan)^n).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from openbmd.constants import WGS84_A_M, WGS84_E2
from openbmd.sensors.los import visible_ecef_point

#: Components of a profile sample (last axis of ``profile``).
N_FIELDS = 6
_A = WGS84_A_M
_E2 = WGS84_E2


@njit(cache=True)
def profile_at(profile, index, weight, o, t, out):
    """Blended profile of threat ``o`` at flight time ``t`` into ``out`` (6,).

    Returns False when ``t`` lies outside the flight (before launch, after impact) or the
    threat is out of reach.
    """
    fa = index[o, 0]
    if fa < 0:
        return False
    duration = weight[o, 3]
    if not (t >= 0.0 and t <= duration):
        return False
    n_tau = profile.shape[2]
    x = (t / duration) * (n_tau - 1)
    j = min(int(x), n_tau - 2)
    w = x - j
    ka, fb, kb = index[o, 1], index[o, 2], index[o, 3]
    wa, wb, wf = weight[o, 0], weight[o, 1], weight[o, 2]
    for c in range(N_FIELDS):
        a0 = (1.0 - w) * profile[fa, ka, j, c] + w * profile[fa, ka, j + 1, c]
        a1 = (1.0 - w) * profile[fa, ka + 1, j, c] + w * profile[fa, ka + 1, j + 1, c]
        b0 = (1.0 - w) * profile[fb, kb, j, c] + w * profile[fb, kb, j + 1, c]
        b1 = (1.0 - w) * profile[fb, kb + 1, j, c] + w * profile[fb, kb + 1, j + 1, c]
        va = (1.0 - wa) * a0 + wa * a1
        vb = (1.0 - wb) * b0 + wb * b1
        out[c] = (1.0 - wf) * va + wf * vb
    return True


@njit(cache=True)
def state_from_profile(geometry, o, prof, r_out, v_out):
    """ECEF position (m) and Earth-relative velocity (m/s) of one profile sample."""
    theta = geometry[o, 9]
    frac = prof[0]
    if theta > 1e-12:
        s = math.sin(theta)
        ca = math.sin((1.0 - frac) * theta) / s
        cb = math.sin(frac * theta) / s
    else:
        ca, cb = 1.0 - frac, frac
    cx = math.cos(prof[1])
    sx = math.sin(prof[1])
    kx, ky, kz = geometry[o, 6], geometry[o, 7], geometry[o, 8]
    nx = cx * (ca * geometry[o, 0] + cb * geometry[o, 3]) + sx * kx
    ny = cx * (ca * geometry[o, 1] + cb * geometry[o, 4]) + sx * ky
    nz = cx * (ca * geometry[o, 2] + cb * geometry[o, 5]) + sx * kz
    norm = math.sqrt(nx * nx + ny * ny + nz * nz)
    nx, ny, nz = nx / norm, ny / norm, nz / norm
    h = prof[2]
    prime = _A / math.sqrt(1.0 - _E2 * nz * nz)
    r_out[0] = (prime + h) * nx
    r_out[1] = (prime + h) * ny
    r_out[2] = (prime * (1.0 - _E2) + h) * nz
    # along-track: k x n; cross-track: k made horizontal
    tx, ty, tz = ky * nz - kz * ny, kz * nx - kx * nz, kx * ny - ky * nx
    tn = math.sqrt(tx * tx + ty * ty + tz * tz)
    kn = kx * nx + ky * ny + kz * nz
    qx, qy, qz = kx - kn * nx, ky - kn * ny, kz - kn * nz
    qn = math.sqrt(qx * qx + qy * qy + qz * qz)
    a, c = prof[3] / tn, prof[4] / qn
    v_out[0] = a * tx + c * qx + prof[5] * nx
    v_out[1] = a * ty + c * qy + prof[5] * ny
    v_out[2] = a * tz + c * qz + prof[5] * nz


@njit(cache=True, parallel=True)
def place_kernel(profile, index, weight, geometry, start_s, time_s, r_out, v_out):
    """States of O threats on the time grid ``time_s`` (T,) into ``r_out``, ``v_out``
    (O, T, 3); NaN where a threat is not in flight or before its ``start_s`` (O,)."""
    n_obj, n_t = r_out.shape[0], r_out.shape[1]
    for o in prange(n_obj):
        prof = np.empty(N_FIELDS)
        r = np.empty(3)
        v = np.empty(3)
        for t in range(n_t):
            if time_s[t] >= start_s[o] and profile_at(profile, index, weight, o, time_s[t], prof):
                state_from_profile(geometry, o, prof, r, v)
                for i in range(3):
                    r_out[o, t, i] = r[i]
                    v_out[o, t, i] = v[i]
            else:
                for i in range(3):
                    r_out[o, t, i] = math.nan
                    v_out[o, t, i] = math.nan


@njit(cache=True)
def _may_intercept(h, t, firm, alt_min, alt_max, reaction, lb_dalt, lb_cells, lb):
    """Whether some tier could intercept at height ``h`` at time ``t`` (see
    :func:`place_screened_kernel`)."""
    for i in range(alt_min.shape[0]):
        if h < alt_min[i] or h > alt_max[i] or h > lb_cells[i] * lb_dalt[i]:
            continue
        j = min(int(h / lb_dalt[i]), lb_cells[i] - 1)
        if t - lb[i, j] >= firm + reaction[i] - 1e-9:
            return True
    return False


@njit(cache=True, parallel=True)
def place_screened_kernel(
    profile,
    index,
    weight,
    geometry,
    firm_s,
    time_s,
    alt_min,
    alt_max,
    reaction,
    lb_dalt,
    lb_cells,
    lb,
    r_out,
    v_out,
):
    """:func:`place_kernel` keeping only the samples some tier could intercept (the others
    NaN, as absent): tier ``i`` needs the height within ``[alt_min[i], alt_max[i]]`` and
    ``t - lb[i, j] >= firm_s[o] + reaction[i]``, where ``lb[i, j]`` is a lower bound of the
    tier's time to reach any point of the altitude cell ``j = floor(h / lb_dalt[i])`` of its
    table (``lb_cells[i]`` cells; the smallest time of the cell's two rows; inf: none).
    The windows would find every dropped sample infeasible: its launch would come before
    the firm track plus the reaction time, or it lies outside the altitude band or the
    table.
    """
    n_obj, n_t = r_out.shape[0], r_out.shape[1]
    for o in prange(n_obj):
        prof = np.empty(N_FIELDS)
        r = np.empty(3)
        v = np.empty(3)
        for t in range(n_t):
            keep = profile_at(profile, index, weight, o, time_s[t], prof) and _may_intercept(
                prof[2], time_s[t], firm_s[o], alt_min, alt_max, reaction, lb_dalt, lb_cells, lb
            )
            if keep:
                state_from_profile(geometry, o, prof, r, v)
                for i in range(3):
                    r_out[o, t, i] = r[i]
                    v_out[o, t, i] = v[i]
            else:
                for i in range(3):
                    r_out[o, t, i] = math.nan
                    v_out[o, t, i] = math.nan


@njit(cache=True)
def _rcs_dbsm(table, cos_aspect):
    """RCS (dBsm) from a table uniform in aspect over [0, 180] deg."""
    c = min(1.0, max(-1.0, cos_aspect))
    x = math.acos(c) / math.pi * (table.shape[0] - 1)
    j = min(int(x), table.shape[0] - 2)
    w = x - j
    return (1.0 - w) * table[j] + w * table[j + 1]


@njit(cache=True)
def detectable(r, v, site, rot, par, boresight, range_1m2, scan_exponent, rcs_table):
    """Whether one radar detects the target at ``r`` (ECEF, m) moving with ``v`` with
    Pd >= 0.9 per look (see the module docstring)."""
    if not visible_ecef_point(r[0], r[1], r[2], site, rot, par):
        return False
    dx, dy, dz = site[0] - r[0], site[1] - r[1], site[2] - r[2]
    dist = math.sqrt(dx * dx + dy * dy + dz * dz)
    speed = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    cos_aspect = 1.0 if speed == 0.0 else (v[0] * dx + v[1] * dy + v[2] * dz) / (speed * dist)
    reach = range_1m2 * 10.0 ** (_rcs_dbsm(rcs_table, cos_aspect) / 40.0)
    if scan_exponent > 0.0:
        # line of sight in the site's ENU frame against the boresight
        east = -(rot[0, 0] * dx + rot[0, 1] * dy + rot[0, 2] * dz) / dist
        north = -(rot[1, 0] * dx + rot[1, 1] * dy + rot[1, 2] * dz) / dist
        up = -(rot[2, 0] * dx + rot[2, 1] * dy + rot[2, 2] * dz) / dist
        cos_scan = east * boresight[0] + north * boresight[1] + up * boresight[2]
        if cos_scan <= 0.0:
            return False
        reach *= cos_scan ** (0.25 * scan_exponent)
    return dist <= reach


@njit(cache=True, parallel=True)
def firm_track_kernel(
    profile,
    index,
    weight,
    geometry,
    site,
    rot,
    par,
    boresight,
    range_1m2,
    scan_exponent,
    revisit_s,
    rcs_table,
    hits_needed,
    out,
):
    """Firm-track time of O profile threats into ``out`` (O,), s after launch (inf: none).

    Radar ``s`` looks every ``revisit_s[s]`` from the launch; its track is firm at its
    ``hits_needed``-th look that detects the target; the earliest radar counts. Radars
    of equal revisit share the placement of each look.
    """
    n_obj, n_s = index.shape[0], site.shape[0]
    for o in prange(n_obj):
        prof = np.empty(N_FIELDS)
        r = np.empty(3)
        v = np.empty(3)
        hits = np.zeros(n_s, dtype=np.int64)
        best = math.inf
        for s0 in range(n_s):
            leader = True
            for s1 in range(s0):
                if revisit_s[s1] == revisit_s[s0]:
                    leader = False
            if not leader:
                continue
            step = revisit_s[s0]
            k = 0
            done = False
            while not done:
                t = k * step
                k += 1
                if t >= best or not profile_at(profile, index, weight, o, t, prof):
                    break
                state_from_profile(geometry, o, prof, r, v)
                for s in range(s0, n_s):
                    if revisit_s[s] != step:
                        continue
                    if detectable(
                        r,
                        v,
                        site[s],
                        rot[s],
                        par[s],
                        boresight[s],
                        range_1m2[s],
                        scan_exponent[s],
                        rcs_table,
                    ):
                        hits[s] += 1
                        if hits[s] >= hits_needed:
                            best = t
                            done = True
                            break
        out[o] = best


@njit(cache=True)
def firm_track_states(
    look_r,
    look_v,
    radar,
    site,
    rot,
    par,
    boresight,
    range_1m2,
    scan_exponent,
    revisit_s,
    rcs_table,
    hits_needed,
):
    """Firm-track time (s after launch; inf: none) of one sampled trajectory seen by the
    radar ``radar``: ``look_r``, ``look_v`` (L, 3) are its states at the looks ``k *
    revisit_s[radar]`` (NaN after impact)."""
    hits = 0
    for k in range(look_r.shape[0]):
        if not math.isfinite(look_r[k, 0]):
            break
        if detectable(
            look_r[k],
            look_v[k],
            site[radar],
            rot[radar],
            par[radar],
            boresight[radar],
            range_1m2[radar],
            scan_exponent[radar],
            rcs_table,
        ):
            hits += 1
            if hits >= hits_needed:
                return k * revisit_s[radar]
    return math.inf
