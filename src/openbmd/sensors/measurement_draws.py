"""Compiled draws and measurements of :mod:`openbmd.sensors.measurements` (numba).

After :func:`~openbmd.sensors.measurement_kernels.scan_looks` has written every radar's
visible looks into one table (rows of all radars back to back):

1. :func:`draw_hits`, one radar at a time (and radars side by side on threads: it holds
   no lock), walks its visible looks in (time, object) order against one block of
   uniforms from the radar's stream (``u < Pd``: detected);
2. :func:`merge_positions` places every detection in the set ordered by (time, radar,
   object), without a global sort;
3. :func:`measure_detections` writes the noisy, biased measurements in that order, one
   output row after the other (each output cache line is written once, by one thread).

Detections of the radar at list position ``n`` occupy entries ``hit_start[n]`` to
``hit_start[n] + hit_count[n] - 1`` of the per-detection arrays (``hit_row``,
``hit_time``, ``noise``); entries between two radars' blocks are unused.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from openbmd.sensors.measurement_kernels import (
    LOOK_AZ,
    LOOK_COS_SCAN,
    LOOK_EL,
    LOOK_OBJECT,
    LOOK_RANGE,
    LOOK_RATE,
    LOOK_SNR,
)

__all__ = ["draw_hits", "measure_detections", "merge_positions"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def draw_hits(
    look_t: FloatArray,
    start: IntArray,
    count: IntArray,
    pd: FloatArray,
    uniform: FloatArray,
    hit_row: IntArray,
    hit_time: FloatArray,
) -> int:
    """Pd draws of one radar's visible looks, in (time, object) order.

    Visible look number ``m`` of that order (row ``start[j] + k`` of the table, ``k <
    count[j]``) is detected when ``uniform[m] < pd[row]``; its row and time go to
    ``hit_row`` and ``hit_time`` (in order) and ``uniform[m]`` is replaced by its Pd (so
    that ``uniform.sum()`` is the expected number of detections). Returns the number of
    detections H.
    """
    m = 0
    h = 0
    for j in range(look_t.shape[0]):
        for row in range(start[j], start[j] + count[j]):
            if uniform[m] < pd[row]:
                hit_row[h] = row
                hit_time[h] = look_t[j]
                h += 1
            uniform[m] = pd[row]
            m += 1
    return h


@njit(cache=True, parallel=True)
def merge_positions(times: FloatArray, hit_start: IntArray, hit_count: IntArray) -> IntArray:
    """Output row of each detection in the set ordered by (time, radar, own order).

    ``times`` holds each radar's time-sorted detection times in its block. A detection of
    radar ``n`` goes after every detection of an earlier radar at a time <= its own and
    of a later radar at an earlier time (a linear merge per pair of radars). Unused
    entries of the result are left undefined.
    """
    n_radars = hit_start.shape[0]
    pos = np.empty(times.shape[0], dtype=np.int64)
    for s in prange(n_radars):
        a0, a1 = hit_start[s], hit_start[s] + hit_count[s]
        for i in range(a0, a1):
            pos[i] = i - a0
        for r in range(n_radars):
            if r == s:
                continue
            b0, b1 = hit_start[r], hit_start[r] + hit_count[r]
            j = b0
            for i in range(a0, a1):
                t = times[i]
                if r < s:
                    while j < b1 and times[j] <= t:
                        j += 1
                else:
                    while j < b1 and times[j] < t:
                        j += 1
                pos[i] += j - b0
    return pos


@njit(cache=True, parallel=True)
def measure_detections(
    hit_row: IntArray,
    hit_time: FloatArray,
    hit_start: IntArray,
    hit_count: IntArray,
    sensor: IntArray,
    looks: FloatArray,
    noise: FloatArray,
    par: FloatArray,
    object_kind: IntArray,
    pos: IntArray,
    rows: FloatArray,
    sigma: FloatArray,
    object_id: IntArray,
    sensor_id: IntArray,
    track: npt.NDArray[np.bool_],
) -> None:
    """Noisy, biased measurements of every detection, written in output order.

    Detection ``k`` (of radar ``n``: ``hit_start[n] <= k < hit_start[n] + hit_count[n]``,
    ``sensor[n]`` its index in the caller's list) is row ``hit_row[k]`` of ``looks`` (the
    (C, 7) table of :func:`~openbmd.sensors.measurement_kernels.scan_looks`), made at
    ``hit_time[k]``, with the standard normals ``noise[k]`` (range, azimuth, elevation,
    range rate); it goes to output row ``pos[k]``. ``par[n]`` = (detector pulses,
    bandwidth Hz, range floor m, beamwidth rad, monopulse slope, angle floor rad,
    wavelength m, dwell s, range-rate floor m/s, scan loss on, range rate on, range bias
    m, az bias rad, el bias rad); ``object_kind[n, o] == 2``: object ``o`` tracked.
    Outputs: ``rows`` (10, N): time, range, az, el, range rate, SNR dB, true range, true
    az, true el, true range rate; ``sigma`` (N, 4), ``object_id``, ``sensor_id`` and
    ``track`` (N,). Same formulas as :meth:`Radar.measurement_sigmas`.
    """
    n_radars = hit_start.shape[0]
    total = rows.shape[1]
    source = np.empty(total, dtype=np.int64)
    for s in range(n_radars):
        for k in prange(hit_start[s], hit_start[s] + hit_count[s]):
            source[pos[k]] = k
    two_pi = 2.0 * np.pi
    c = 299792458.0
    for p in prange(total):
        h = source[p]
        n = 0
        while n + 1 < n_radars and h >= hit_start[n + 1]:
            n += 1
        k = hit_row[h]
        snr_db = looks[k, LOOK_SNR]
        root = np.sqrt(2.0 * 10.0 ** (0.1 * snr_db) * par[n, 0])
        sr = np.hypot(c / (2.0 * par[n, 1] * root), par[n, 2])
        scan_cos = max(min(looks[k, LOOK_COS_SCAN], 1.0), 1e-3) if par[n, 9] > 0.0 else 1.0
        angle = np.hypot(par[n, 3] / scan_cos / (par[n, 4] * root), par[n, 5])
        el = looks[k, LOOK_EL]
        saz = angle / max(np.cos(el), 1e-3)
        ranged = par[n, 10] > 0.0
        srr = np.hypot(par[n, 6] / (2.0 * par[n, 7] * root), par[n, 8]) if ranged else np.inf
        sigma[p, 0] = sr
        sigma[p, 1] = saz
        sigma[p, 2] = angle
        sigma[p, 3] = srr
        az = (looks[k, LOOK_AZ] + par[n, 12] + saz * noise[h, 1]) % two_pi
        o = int(looks[k, LOOK_OBJECT])
        object_id[p] = o
        sensor_id[p] = sensor[n]
        track[p] = object_kind[n, o] == 2
        rows[0, p] = hit_time[h]
        rows[1, p] = looks[k, LOOK_RANGE] + par[n, 11] + sr * noise[h, 0]
        rows[2, p] = 0.0 if az >= two_pi else az
        rows[3, p] = el + par[n, 13] + angle * noise[h, 2]
        rows[4, p] = looks[k, LOOK_RATE] + srr * noise[h, 3] if ranged else np.nan
        rows[5, p] = snr_db
        rows[6, p] = looks[k, LOOK_RANGE]
        rows[7, p] = looks[k, LOOK_AZ]
        rows[8, p] = el
        rows[9, p] = looks[k, LOOK_RATE]
