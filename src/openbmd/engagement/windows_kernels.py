"""Compiled kernels of the intercept windows (numba), on plain floats and arrays.

:func:`windows_kernel` tests every (threat, site, time sample) against the constraints of
an interceptor and reduces each (threat, site) pair to its window (earliest and latest
feasible sample, shot opportunities, shoot-look-shoot, the reason when none is
feasible). It runs in parallel over threats. Nothing here checks its input:
:mod:`openbmd.engagement.windows` validates once and wraps it.

The constraints are tested in a fixed order (the ``STAGE_*`` constants); each sample
records the first one it fails, and a pair that has no feasible sample is given the reason
of the constraint that removed its last candidates.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from openbmd.constants import WGS84_A_M, WGS84_F
from openbmd.geodesy.kernels import ecef_to_geodetic_point

# Order in which the constraints are applied (a sample's stage is the first it fails).
STAGE_VALID = 0
STAGE_ALTITUDE = 1
STAGE_REACH = 2
STAGE_CLOSING_MIN = 3
STAGE_CLOSING_MAX = 4
STAGE_CROSSING = 5
STAGE_ACQUISITION = 6
STAGE_FIRM_TRACK = 7
STAGE_TRACK_SIGMA = 8
STAGE_FEASIBLE = 9

# Reason codes of a (threat, site) pair (0: engageable); the texts are in windows.REASONS.
REASON_ENGAGEABLE = 0
REASON_NO_SAMPLES = 1
REASON_BELOW_MIN_ALT = 2
REASON_ABOVE_MAX_ALT = 3
REASON_OUTSIDE_ALT = 4
REASON_OUT_OF_REACH = 5
REASON_CLOSING_LOW = 6
REASON_CLOSING_HIGH = 7
REASON_CROSSING = 8
REASON_ACQUISITION = 9
REASON_NO_FIRM_TRACK = 10
REASON_TRACK_SIGMA = 11

# Layout of the ``params`` vector of :func:`windows_kernel`.
P_ALT_MIN = 0
P_ALT_MAX = 1
P_REACTION = 2
P_ACQ_RANGE = 3
P_MIN_HOMING = 4
P_CLOSING_MIN = 5
P_CLOSING_MAX = 6
P_CROSSING_MAX = 7
P_SIGMA_MAX = 8
P_INTERVAL = 9
P_KILL_ASSESS = 10
P_RANGE_MAX = 11
N_PARAMS = 12

_F = WGS84_F
_A = WGS84_A_M
#: Below this horizontal distance (m) a point is "overhead": no azimuth from the site.
_OVERHEAD_M = 1.0


@njit(cache=True)
def ground_range_point(lat1_rad, lon1_rad, lat2_rad, lon2_rad):
    """Distance along the WGS 84 ellipsoid between two points, m (Lambert's formula).

    Lambert's long-line formula: the central angle between the reduced latitudes, corrected
    to first order in the flattening. Within about 10 m of the geodesic for distances of
    thousands of km (checked against GeographicLib in the tests).
    """
    b1 = math.atan2((1.0 - _F) * math.sin(lat1_rad), math.cos(lat1_rad))
    b2 = math.atan2((1.0 - _F) * math.sin(lat2_rad), math.cos(lat2_rad))
    s_db = math.sin(0.5 * (b2 - b1))
    s_dl = math.sin(0.5 * (lon2_rad - lon1_rad))
    h = s_db * s_db + math.cos(b1) * math.cos(b2) * s_dl * s_dl
    sigma = 2.0 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))
    if sigma < 1e-12:
        return _A * sigma
    p = 0.5 * (b1 + b2)
    q = 0.5 * (b2 - b1)
    sp, cp, sq, cq = math.sin(p), math.cos(p), math.sin(q), math.cos(q)
    c_half = math.cos(0.5 * sigma)
    s_half = math.sin(0.5 * sigma)
    x = (sigma - math.sin(sigma)) * sp * sp * cq * cq / (c_half * c_half)
    y = (sigma + math.sin(sigma)) * cp * cp * sq * sq / (s_half * s_half)
    return _A * (sigma - 0.5 * _F * (x + y))


@njit(cache=True)
def _cell(axis, x):
    """Index i with axis[i] <= x <= axis[i+1] and the weight of axis[i+1]; -1 outside."""
    n = axis.shape[0]
    if not (x >= axis[0] and x <= axis[n - 1]):
        return -1, 0.0
    i = np.searchsorted(axis, x, side="right") - 1
    if i >= n - 1:
        i = n - 2
    return i, (x - axis[i]) / (axis[i + 1] - axis[i])


@njit(cache=True)
def _bilinear(table, i, wi, j, wj):
    """Bilinear value in cell (i, j); NaN if any of the four nodes is NaN."""
    return (1.0 - wi) * ((1.0 - wj) * table[i, j] + wj * table[i, j + 1]) + wi * (
        (1.0 - wj) * table[i + 1, j] + wj * table[i + 1, j + 1]
    )


@njit(cache=True)
def table_point(range_axis, alt_axis, time_table, down_table, up_table, ground_range, alt):
    """Time to reach and the downrange and vertical velocity components at arrival at one
    point (NaN outside the reach); the velocity is interpolated by components."""
    i, wi = _cell(range_axis, ground_range)
    j, wj = _cell(alt_axis, alt)
    if i < 0 or j < 0:
        return math.nan, math.nan, math.nan
    t = _bilinear(time_table, i, wi, j, wj)
    if not math.isfinite(t):
        return math.nan, math.nan, math.nan
    return (
        t,
        _bilinear(down_table, i, wi, j, wj),
        _bilinear(up_table, i, wi, j, wj),
    )


@njit(cache=True)
def table_batch(range_axis, alt_axis, time_table, down_table, up_table, ground_range, alt):
    """:func:`table_point` over (N,) points; returns an (N, 3) array."""
    out = np.empty((ground_range.shape[0], 3))
    for k in range(ground_range.shape[0]):
        t, v, g = table_point(
            range_axis, alt_axis, time_table, down_table, up_table, ground_range[k], alt[k]
        )
        out[k, 0] = t
        out[k, 1] = v
        out[k, 2] = g
    return out


@njit(cache=True)
def ground_range_batch(lat1_rad, lon1_rad, lat2_rad, lon2_rad):
    """:func:`ground_range_point` over (N,) pairs of points."""
    out = np.empty(lat2_rad.shape[0])
    for k in range(lat2_rad.shape[0]):
        out[k] = ground_range_point(lat1_rad[k], lon1_rad[k], lat2_rad[k], lon2_rad[k])
    return out


@njit(cache=True)
def _interp_time(time_s, values, t):
    """Linear interpolation of ``values`` (T,) on the grid ``time_s`` at ``t``; NaN outside."""
    n = time_s.shape[0]
    if not (t >= time_s[0] and t <= time_s[n - 1]):
        return math.nan
    if n == 1:
        return values[0]
    i = np.searchsorted(time_s, t, side="right") - 1
    if i >= n - 1:
        i = n - 2
    w = (t - time_s[i]) / (time_s[i + 1] - time_s[i])
    return (1.0 - w) * values[i] + w * values[i + 1]


@njit(cache=True)
def shot_count(lo, hi, n_runs, interval):
    """Launches spaced >= ``interval`` (> 0) that fit in the union of [lo_k, hi_k], k < n_runs.

    Greedy (each launch as early as the previous one allows), which is optimal for a union
    of intervals.
    """
    if n_runs == 0:
        return 0
    order = np.argsort(lo[:n_runs])
    next_ok = -math.inf
    count = 0
    for k in order:
        start = max(lo[k], next_ok)
        if start <= hi[k]:
            m = math.floor((hi[k] - start) / interval) + 1
            count += m
            next_ok = start + m * interval
    return count


@njit(cache=True, parallel=True)
def windows_kernel(
    time_s,
    r_ecef,
    v_ecef,
    sigma,
    has_sigma,
    decision_s,
    site_lat,
    site_lon,
    site_ecef,
    range_axis,
    alt_axis,
    time_table,
    down_table,
    up_table,
    params,
    keep,
    alt_out,
    feasible_out,
    launch_out,
    range_out,
    closing_out,
    crossing_out,
    index_out,
    pair_launch_out,
    pair_range_out,
    launch_span_out,
    shots_out,
    sls_out,
    reason_out,
):
    """Intercept windows of O threats x S sites over T samples (see module docstring).

    Inputs: ``time_s`` (T,) s; ``r_ecef``, ``v_ecef`` (O, T, 3) m and m/s, NaN where
    absent; ``sigma`` (O, T) m (read only if ``has_sigma``); ``decision_s`` (O,) s;
    ``site_lat``, ``site_lon`` (S,) rad; ``site_ecef`` (S, 3) m; the reach table
    (``range_axis`` (R,), ``alt_axis`` (A,), three (R, A) tables); ``params`` (N_PARAMS,).

    Outputs written in place: ``alt_out`` (O, T); if ``keep``, the (O, S, T) sample arrays;
    always ``index_out`` (O, S, 3) = earliest, latest and keep-second-shot sample (-1 none)
    with their launch times ``pair_launch_out`` and ground ranges ``pair_range_out``,
    ``launch_span_out`` (O, S, 2) = first and last feasible launch time, ``shots_out``,
    ``sls_out``, ``reason_out`` (O, S).
    """
    n_obj, n_t = r_ecef.shape[0], r_ecef.shape[1]
    n_site = site_lat.shape[0]
    alt_min, alt_max = params[P_ALT_MIN], params[P_ALT_MAX]
    earliest_launch = params[P_REACTION]
    acq_range, min_homing = params[P_ACQ_RANGE], params[P_MIN_HOMING]
    close_min, close_max = params[P_CLOSING_MIN], params[P_CLOSING_MAX]
    cross_max, sigma_max = params[P_CROSSING_MAX], params[P_SIGMA_MAX]
    interval, assess = params[P_INTERVAL], params[P_KILL_ASSESS]
    range_max = params[P_RANGE_MAX]
    for o in prange(n_obj):
        lat = np.empty(n_t)
        lon = np.empty(n_t)
        valid = np.zeros(n_t, dtype=np.bool_)
        up = np.empty((n_t, 3))
        low_alt, high_alt = math.inf, -math.inf
        for t in range(n_t):
            x, y, z = r_ecef[o, t, 0], r_ecef[o, t, 1], r_ecef[o, t, 2]
            ok = math.isfinite(x) and math.isfinite(y) and math.isfinite(z)
            ok = ok and math.isfinite(v_ecef[o, t, 0] + v_ecef[o, t, 1] + v_ecef[o, t, 2])
            if not ok:
                alt_out[o, t] = math.nan
                continue
            la, lo, h = ecef_to_geodetic_point(x, y, z)
            lat[t], lon[t], alt_out[o, t] = la, lo, h
            valid[t] = True
            low_alt, high_alt = min(low_alt, h), max(high_alt, h)
            up[t, 0] = math.cos(la) * math.cos(lo)
            up[t, 1] = math.cos(la) * math.sin(lo)
            up[t, 2] = math.sin(la)
        ready = decision_s[o] + earliest_launch
        feas = np.zeros(n_t, dtype=np.bool_)
        tl = np.full(n_t, math.nan)
        grs = np.full(n_t, math.nan)
        run_lo = np.empty(n_t)
        run_hi = np.empty(n_t)
        for s in range(n_site):
            furthest = STAGE_VALID
            for t in range(n_t):
                feas[t] = False
                tl[t] = math.nan
                gr, closing, crossing = math.nan, math.nan, math.nan
                ttr, ch, sh = math.nan, math.nan, math.nan
                stage = STAGE_VALID
                if valid[t]:
                    stage = STAGE_ALTITUDE
                    h = alt_out[o, t]
                    if alt_min <= h <= alt_max:
                        stage = STAGE_REACH
                        gr = ground_range_point(site_lat[s], site_lon[s], lat[t], lon[t])
                        ttr, ch, sh = table_point(
                            range_axis, alt_axis, time_table, down_table, up_table, gr, h
                        )
                    if stage == STAGE_REACH and math.isfinite(ttr) and gr <= range_max:
                        stage = STAGE_CLOSING_MIN
                        # interceptor velocity at arrival: in the vertical plane through the
                        # site, horizontal part pointing away from the site
                        dx = r_ecef[o, t, 0] - site_ecef[s, 0]
                        dy = r_ecef[o, t, 1] - site_ecef[s, 1]
                        dz = r_ecef[o, t, 2] - site_ecef[s, 2]
                        du = dx * up[t, 0] + dy * up[t, 1] + dz * up[t, 2]
                        hx, hy, hz = dx - du * up[t, 0], dy - du * up[t, 1], dz - du * up[t, 2]
                        hn = math.sqrt(hx * hx + hy * hy + hz * hz)
                        if hn > _OVERHEAD_M:
                            hx, hy, hz = hx / hn, hy / hn, hz / hn
                        else:
                            hx, hy, hz = 0.0, 0.0, 0.0
                        vix = ch * hx + sh * up[t, 0]
                        viy = ch * hy + sh * up[t, 1]
                        viz = ch * hz + sh * up[t, 2]
                        vtx, vty, vtz = v_ecef[o, t, 0], v_ecef[o, t, 1], v_ecef[o, t, 2]
                        rx, ry, rz = vix - vtx, viy - vty, viz - vtz
                        closing = math.sqrt(rx * rx + ry * ry + rz * rz)
                        ni = math.sqrt(vix * vix + viy * viy + viz * viz)
                        nt = math.sqrt(vtx * vtx + vty * vty + vtz * vtz)
                        crossing = 0.0
                        if ni > 0.0 and nt > 0.0:
                            c = (vix * vtx + viy * vty + viz * vtz) / (ni * nt)
                            crossing = math.acos(min(1.0, max(-1.0, c)))
                        if closing >= close_min:
                            stage = STAGE_CLOSING_MAX
                        if stage == STAGE_CLOSING_MAX and closing <= close_max:
                            stage = STAGE_CROSSING
                        if stage == STAGE_CROSSING and crossing <= cross_max:
                            stage = STAGE_ACQUISITION
                        if stage == STAGE_ACQUISITION and acq_range >= min_homing * closing:
                            stage = STAGE_FIRM_TRACK
                        tl[t] = time_s[t] - ttr
                        if stage == STAGE_FIRM_TRACK and tl[t] >= ready:
                            stage = STAGE_TRACK_SIGMA
                        # track quality is judged at the launch (the commit to fire)
                        if stage == STAGE_TRACK_SIGMA and (
                            not has_sigma or _interp_time(time_s, sigma[o], tl[t]) <= sigma_max
                        ):
                            stage = STAGE_FEASIBLE
                furthest = max(furthest, stage)
                feas[t] = stage == STAGE_FEASIBLE
                grs[t] = gr
                if keep:
                    feasible_out[o, s, t] = feas[t]
                    launch_out[o, s, t] = tl[t]
                    range_out[o, s, t] = gr
                    closing_out[o, s, t] = closing
                    crossing_out[o, s, t] = crossing
            _summarise(
                o,
                s,
                time_s,
                feas,
                tl,
                grs,
                run_lo,
                run_hi,
                interval,
                assess,
                furthest,
                low_alt,
                high_alt,
                alt_min,
                alt_max,
                index_out,
                pair_launch_out,
                pair_range_out,
                launch_span_out,
                shots_out,
                sls_out,
                reason_out,
            )


@njit(cache=True)
def _summarise(
    o,
    s,
    time_s,
    feas,
    tl,
    grs,
    run_lo,
    run_hi,
    interval,
    assess,
    furthest,
    low_alt,
    high_alt,
    alt_min,
    alt_max,
    index_out,
    pair_launch_out,
    pair_range_out,
    launch_span_out,
    shots_out,
    sls_out,
    reason_out,
):
    """Reduce one pair's samples to its window (see :func:`windows_kernel`)."""
    n_t = time_s.shape[0]
    first, last = -1, -1
    lo_launch, hi_launch = math.inf, -math.inf
    n_runs = 0
    in_run = False
    for t in range(n_t):
        if feas[t]:
            if first < 0:
                first = t
            last = t
            lo_launch, hi_launch = min(lo_launch, tl[t]), max(hi_launch, tl[t])
            if not in_run:
                run_lo[n_runs], run_hi[n_runs] = tl[t], tl[t]
                n_runs += 1
                in_run = True
            else:
                run_lo[n_runs - 1] = min(run_lo[n_runs - 1], tl[t])
                run_hi[n_runs - 1] = max(run_hi[n_runs - 1], tl[t])
        else:
            in_run = False
    index_out[o, s, 0], index_out[o, s, 1], index_out[o, s, 2] = first, last, -1
    launch_span_out[o, s, 0] = lo_launch if first >= 0 else math.nan
    launch_span_out[o, s, 1] = hi_launch if first >= 0 else math.nan
    if interval > 0.0:
        shots_out[o, s] = shot_count(run_lo, run_hi, n_runs, interval)
    else:  # no launcher limit: one launch per feasible sample
        shots_out[o, s] = np.sum(feas)
    sls_out[o, s] = False
    if first >= 0:
        need = max(time_s[first] + assess, tl[first] + interval)
        sls_out[o, s] = hi_launch >= need
        for i in range(last, first - 1, -1):
            if feas[i] and hi_launch >= max(time_s[i] + assess, tl[i] + interval):
                index_out[o, s, 2] = i
                break
    for k in range(3):
        i = index_out[o, s, k]
        pair_launch_out[o, s, k] = tl[i] if i >= 0 else math.nan
        pair_range_out[o, s, k] = grs[i] if i >= 0 else math.nan
    reason_out[o, s] = _reason(furthest, low_alt, high_alt, alt_min, alt_max)


@njit(cache=True)
def _reason(furthest, low_alt, high_alt, alt_min, alt_max):
    """Reason code of a pair whose samples got at most to constraint ``furthest``."""
    if furthest == STAGE_FEASIBLE:
        return REASON_ENGAGEABLE
    if furthest == STAGE_VALID:
        return REASON_NO_SAMPLES
    if furthest == STAGE_ALTITUDE:
        if high_alt < alt_min:
            return REASON_BELOW_MIN_ALT
        if low_alt > alt_max:
            return REASON_ABOVE_MAX_ALT
        return REASON_OUTSIDE_ALT
    if furthest == STAGE_REACH:
        return REASON_OUT_OF_REACH
    if furthest == STAGE_CLOSING_MIN:
        return REASON_CLOSING_LOW
    if furthest == STAGE_CLOSING_MAX:
        return REASON_CLOSING_HIGH
    if furthest == STAGE_CROSSING:
        return REASON_CROSSING
    if furthest == STAGE_ACQUISITION:
        return REASON_ACQUISITION
    if furthest == STAGE_FIRM_TRACK:
        return REASON_NO_FIRM_TRACK
    return REASON_TRACK_SIGMA
