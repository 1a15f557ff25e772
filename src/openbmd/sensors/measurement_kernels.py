"""Compiled loops of :mod:`openbmd.sensors.measurements` (numba; no input checks).

One radar at a time: ``visible_looks`` marks which (look, object) pairs are visible,
``fill_looks`` computes, for those pairs only, the geometry, range rate, aspect angle,
RCS, SNR (the radar equation, :func:`~openbmd.sensors.radar_equation.snr_linear_kernel`,
evaluated once per radar for 1 m² at 1 m, then scaled by RCS / R^4 in dB) and Pd
(:func:`~openbmd.sensors.detection.pd_from_table`). Both run in parallel over looks;
each look's rows are written at its own offset (so the output is ordered by look, then
object, whatever the number of threads).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from openbmd.sensors.detection import pd_from_table
from openbmd.sensors.los import SensorGeometry, geometry_point, visible_ecef_point
from openbmd.sensors.radar_equation import snr_linear_kernel

if TYPE_CHECKING:
    from openbmd.sensors.radar import Radar

__all__ = ["fill_looks", "interpolate_state", "sensor_parameters", "visible_looks"]

FloatArray = npt.NDArray[np.float64]

# parameter vector: 0-8 SensorGeometry.parameters (1/M, 1/N, height, k, elevation limits,
# boresight azimuth, azimuth half-width, instrumented range), then these two
_SNR_REF_DB, _SCAN_EXP = range(9, 11)


def sensor_parameters(
    radar: Radar, geo: SensorGeometry, s: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(parameter vector, site ECEF (3,), ECEF->ENU rotation (3, 3), boresight ENU (3,))."""
    # SNR of a 1 m² target at 1 m: the radar equation once, then the R^-4 law per look
    snr_ref = snr_linear_kernel(radar.frequency_hz, radar.peak_power_w, radar.pulse_width_s,
                                cast(float, radar.gain_db), 1.0, 1.0, radar.noise_temperature_k,
                                radar.loss_db, float(radar.coherent_pulses))  # fmt: skip
    radar_par = [10.0 * math.log10(snr_ref), radar.scan_loss_exponent]
    par = np.concatenate([geo.parameters[s], np.asarray(radar_par, dtype=float)])
    return (
        par,
        np.ascontiguousarray(geo.site_ecef_m[s]),
        np.ascontiguousarray(geo.rotation[s]),
        np.ascontiguousarray(geo.boresight_enu[s]),
    )


@njit(cache=True)
def interpolate_state(
    t_grid: FloatArray, r: FloatArray, v: FloatArray, o: int, i: int, t: float
) -> tuple[bool, float, float, float, float, float, float]:
    """State of object ``o`` at time ``t`` in [t_grid[i], t_grid[i + 1]] (cubic Hermite).

    ``r`` and ``v`` are **time-major**, shape (T, O, 3) (ECEF, m and m/s). Returns
    ``(ok, x, y, z, vx, vy, vz)``; ``ok`` is False when a needed sample is NaN.
    """
    n = t_grid.shape[0]
    if i >= n - 1 or t == t_grid[i]:
        x, y, z = r[i, o, 0], r[i, o, 1], r[i, o, 2]
        vx, vy, vz = v[i, o, 0], v[i, o, 1], v[i, o, 2]
    else:
        h = t_grid[i + 1] - t_grid[i]
        u = (t - t_grid[i]) / h
        u2 = u * u
        u3 = u2 * u
        h00 = 2.0 * u3 - 3.0 * u2 + 1.0
        h10 = (u3 - 2.0 * u2 + u) * h
        h01 = -2.0 * u3 + 3.0 * u2
        h11 = (u3 - u2) * h
        d00 = (6.0 * u2 - 6.0 * u) / h
        d10 = 3.0 * u2 - 4.0 * u + 1.0
        d11 = 3.0 * u2 - 2.0 * u
        p0, p1, v0, v1 = r[i, o], r[i + 1, o], v[i, o], v[i + 1, o]
        x = h00 * p0[0] + h10 * v0[0] + h01 * p1[0] + h11 * v1[0]
        y = h00 * p0[1] + h10 * v0[1] + h01 * p1[1] + h11 * v1[1]
        z = h00 * p0[2] + h10 * v0[2] + h01 * p1[2] + h11 * v1[2]
        vx = d00 * (p0[0] - p1[0]) + d10 * v0[0] + d11 * v1[0]
        vy = d00 * (p0[1] - p1[1]) + d10 * v0[1] + d11 * v1[1]
        vz = d00 * (p0[2] - p1[2]) + d10 * v0[2] + d11 * v1[2]
    ok = (
        math.isfinite(x)
        and math.isfinite(y)
        and math.isfinite(z)
        and math.isfinite(vx)
        and math.isfinite(vy)
        and math.isfinite(vz)
    )
    return ok, x, y, z, vx, vy, vz


@njit(cache=True, parallel=True)
def visible_looks(
    t_grid: FloatArray,
    r: FloatArray,
    v: FloatArray,
    look_t: FloatArray,
    look_i: npt.NDArray[np.int64],
    objects: npt.NDArray[np.int64],
    site: FloatArray,
    rot: FloatArray,
    par: FloatArray,
    vis: npt.NDArray[np.bool_],
) -> None:
    """Set ``vis[j, k]`` when object ``objects[k]`` is visible at look ``j``."""
    for j in prange(look_t.shape[0]):
        for k in range(objects.shape[0]):
            ok, x, y, z, _, _, _ = interpolate_state(t_grid, r, v, objects[k], look_i[j], look_t[j])
            if not ok:
                vis[j, k] = False
                continue
            vis[j, k] = visible_ecef_point(x, y, z, site, rot, par)


@njit(cache=True)
def _rcs_dbsm(table: FloatArray, cos_aspect: float) -> float:
    """RCS (dBsm) from a uniform 0-180 deg table in dBsm at an aspect given by its cosine."""
    c = min(1.0, max(-1.0, cos_aspect))
    x = math.acos(c) / math.pi * (table.shape[0] - 1)
    i = min(int(x), table.shape[0] - 2)
    f = x - i
    return table[i] + f * (table[i + 1] - table[i])


@njit(cache=True, parallel=True)
def fill_looks(
    t_grid: FloatArray,
    r: FloatArray,
    v: FloatArray,
    look_t: FloatArray,
    look_i: npt.NDArray[np.int64],
    objects: npt.NDArray[np.int64],
    site: FloatArray,
    rot: FloatArray,
    bore: FloatArray,
    par: FloatArray,
    vis: npt.NDArray[np.bool_],
    offsets: npt.NDArray[np.int64],
    tables: FloatArray,
    table_index: npt.NDArray[np.int64],
    grid0: float,
    dgrid: float,
    pd_values: FloatArray,
    out: FloatArray,
) -> None:
    """Rows of ``out`` (9, C): time, object, range, azimuth, elevation, range rate, SNR (dB),
    Pd, cosine of the scan angle; one column per visible look, ordered by look then object
    (look ``j`` starts at column ``offsets[j]``)."""
    for j in prange(look_t.shape[0]):
        c = offsets[j]
        for k in range(objects.shape[0]):
            if not vis[j, k]:
                continue
            o = objects[k]
            table = tables[table_index[o]]
            _, x, y, z, vx, vy, vz = interpolate_state(t_grid, r, v, o, look_i[j], look_t[j])
            rng, az, el, e, n, u = geometry_point(x, y, z, site, rot)
            los_x = (x - site[0]) / rng
            los_y = (y - site[1]) / rng
            los_z = (z - site[2]) / rng
            rate = los_x * vx + los_y * vy + los_z * vz
            speed = math.sqrt(vx * vx + vy * vy + vz * vz)
            # aspect: angle between the velocity and the line from the target to the radar
            cos_aspect = -rate / speed if speed > 0.0 else 0.0
            cos_scan = (e * bore[0] + n * bore[1] + u * bore[2]) / rng
            snr_db = par[_SNR_REF_DB] + _rcs_dbsm(table, cos_aspect) - 40.0 * math.log10(rng)
            heard = True  # False behind a scanned face: no echo, never detected
            if par[_SCAN_EXP] > 0.0:
                heard = cos_scan > 0.0
                snr_db += 10.0 * par[_SCAN_EXP] * math.log10(cos_scan) if heard else -math.inf
            out[0, c] = look_t[j]
            out[1, c] = o
            out[2, c] = rng
            out[3, c] = az
            out[4, c] = el
            out[5, c] = rate
            out[6, c] = snr_db
            out[7, c] = pd_from_table(snr_db, grid0, dgrid, pd_values) if heard else 0.0
            out[8, c] = cos_scan
            c += 1


@njit(cache=True)
def merge_positions(times: FloatArray, offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Row of each detection in the merged set ordered by (time, radar, then own order).

    ``times`` holds the radars' time-sorted detection times back to back, radar ``s`` in
    ``offsets[s]:offsets[s + 1]``. A row of radar ``s`` goes after every row of an earlier
    radar at a time <= its own and of a later radar at an earlier time (a linear merge per
    pair of radars, no global sort).
    """
    n_radars = offsets.shape[0] - 1
    pos = np.empty(times.shape[0], dtype=np.int64)
    for s in range(n_radars):
        a0, a1 = offsets[s], offsets[s + 1]
        for i in range(a0, a1):
            pos[i] = i - a0
        for r in range(n_radars):
            if r == s:
                continue
            b0, b1 = offsets[r], offsets[r + 1]
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
def measure_hits(
    hits: npt.NDArray[np.int64],
    looks: FloatArray,
    noise: FloatArray,
    par: FloatArray,
    pos: npt.NDArray[np.int64],
    rows: FloatArray,
    sigma: FloatArray,
) -> None:
    """Noisy, biased measurements of the detected looks, in one compiled pass.

    ``looks`` is the (9, C) array of :func:`fill_looks` rows (time, object, range, az, el,
    range rate, SNR dB, Pd, cos scan); ``hits`` the detected columns; ``noise`` (H, 4)
    standard normals. ``par`` = (detector pulses, bandwidth Hz, range floor m,
    beamwidth rad, monopulse slope, angle floor rad, wavelength m, dwell s, range-rate
    floor m/s, scan loss on, range rate on, range bias m, az bias rad, el bias rad).
    Detection ``h`` goes to column ``pos[h]`` of ``rows`` (11, N): time, object, range,
    az, el, range rate, SNR dB, true range, true az, true el, true range rate; and to row
    ``pos[h]`` of ``sigma`` (N, 4). Same formulas as :meth:`Radar.measurement_sigmas`.
    """
    two_pi = 2.0 * np.pi
    c = 299792458.0
    for h in prange(hits.shape[0]):
        k = hits[h]
        p = pos[h]
        snr_db = looks[6, k]
        root = np.sqrt(2.0 * 10.0 ** (0.1 * snr_db) * par[0])
        sr = np.hypot(c / (2.0 * par[1] * root), par[2])
        scan_cos = max(min(looks[8, k], 1.0), 1e-3) if par[9] > 0.0 else 1.0
        angle = np.hypot(par[3] / scan_cos / (par[4] * root), par[5])
        el = looks[4, k]
        saz = angle / max(np.cos(el), 1e-3)
        srr = np.hypot(par[6] / (2.0 * par[7] * root), par[8]) if par[10] > 0.0 else np.inf
        sigma[p, 0] = sr
        sigma[p, 1] = saz
        sigma[p, 2] = angle
        sigma[p, 3] = srr
        az = (looks[3, k] + par[12] + saz * noise[h, 1]) % two_pi
        rows[0, p] = looks[0, k]
        rows[1, p] = looks[1, k]
        rows[2, p] = looks[2, k] + par[11] + sr * noise[h, 0]
        rows[3, p] = 0.0 if az >= two_pi else az
        rows[4, p] = el + par[13] + angle * noise[h, 2]
        rows[5, p] = looks[5, k] + srr * noise[h, 3] if par[10] > 0.0 else np.nan
        rows[6, p] = snr_db
        rows[7, p] = looks[2, k]
        rows[8, p] = looks[3, k]
        rows[9, p] = el
        rows[10, p] = looks[5, k]
