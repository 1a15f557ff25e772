"""Compiled loops of :mod:`openbmd.sensors.measurements` (numba; no input checks).

One radar at a time, over a list of looks (time, left grid index, kind: search 1,
track 2, both 3) and objects (kind: 1 searched, 2 tracked); object ``o`` is looked at
at look ``j`` when ``look_kind[j] & object_kind[o]``. The truth enters time-major,
shape (T, O, 3), with a (T, O) flag of the samples present (all six components finite)
and, per grid time, the list of objects present: objects not yet launched or already
down cost nothing.

1. :func:`look_capacity` counts, per look, the objects looked at whose samples exist
   (a bound on the visible ones);
2. :func:`scan_looks` interpolates and tests visibility once per such pair (the
   refracted elevation through a cheap exact filter,
   :mod:`~openbmd.sensors.measurement_elevation`) and, for the visible ones, computes
   range, angles, range rate, aspect angle, RCS, SNR (the radar equation,
   :func:`~openbmd.sensors.radar_equation.snr_linear_kernel`, evaluated once per radar
   for 1 m² at 1 m, then scaled by RCS / R^4 in dB) and Pd
   (:func:`~openbmd.sensors.detection.pd_from_table`) into the look's own block of rows.

The draws and the measurements are in :mod:`~openbmd.sensors.measurement_draws`. The
passes run in parallel over looks; each look writes only its own rows, so the results do
not depend on the number of threads.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from openbmd.sensors.detection import pd_from_table
from openbmd.sensors.los import _azimuth, effective_ray_point
from openbmd.sensors.measurement_elevation import elevation_verdict, verdict_parameters
from openbmd.sensors.radar_equation import snr_linear_kernel

if TYPE_CHECKING:
    from openbmd.sensors.los import SensorGeometry
    from openbmd.sensors.radar import Radar

__all__ = [
    "LOOK_AZ",
    "LOOK_COLUMNS",
    "LOOK_COS_SCAN",
    "LOOK_EL",
    "LOOK_OBJECT",
    "LOOK_RANGE",
    "LOOK_RATE",
    "LOOK_SNR",
    "interpolate_state",
    "look_capacity",
    "samples_present",
    "scan_looks",
    "sensor_parameters",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# parameter vector: 0-8 SensorGeometry.parameters (1/M, 1/N, height, k, elevation limits,
# boresight azimuth, azimuth half-width, instrumented range), then the reference SNR, the
# scan-loss exponent and the three entries of measurement_elevation.verdict_parameters
_SNR_REF_DB, _SCAN_EXP, _VERDICT, _TAN_LOW, _TAN_HIGH = range(9, 14)
# columns of a visible look (one row of the (C, 7) array of scan_looks; Pd apart)
LOOK_OBJECT, LOOK_RANGE, LOOK_AZ, LOOK_EL, LOOK_RATE, LOOK_SNR, LOOK_COS_SCAN = range(7)
LOOK_COLUMNS = 7
_TWO_PI = 2.0 * math.pi


def sensor_parameters(
    radar: Radar, geo: SensorGeometry, s: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(parameter vector, site ECEF (3,), ECEF->ENU rotation (3, 3), boresight ENU (3,))."""
    # SNR of a 1 m² target at 1 m: the radar equation once, then the R^-4 law per look
    snr_ref = snr_linear_kernel(radar.frequency_hz, radar.peak_power_w, radar.pulse_width_s,
                                cast(float, radar.gain_db), 1.0, 1.0, radar.noise_temperature_k,
                                radar.loss_db, float(radar.coherent_pulses))  # fmt: skip
    geometry = geo.parameters[s]
    radar_par = [10.0 * math.log10(snr_ref), radar.scan_loss_exponent,
                 *verdict_parameters(geometry[3], geometry[4], geometry[5])]  # fmt: skip
    par = np.concatenate([geometry, np.asarray(radar_par, dtype=float)])
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
def samples_present(r: FloatArray, v: FloatArray, present: npt.NDArray[np.bool_]) -> None:
    """``present[i, o]``: the six components of ``r[i, o]`` and ``v[i, o]`` (time-major,
    (T, O, 3)) are finite."""
    for i in prange(r.shape[0]):
        for o in range(r.shape[1]):
            ok = True
            for c in range(3):
                ok = ok and math.isfinite(r[i, o, c]) and math.isfinite(v[i, o, c])
            present[i, o] = ok


@njit(cache=True, parallel=True)
def look_capacity(
    t_grid: FloatArray,
    present: npt.NDArray[np.bool_],
    present_first: IntArray,
    present_objects: IntArray,
    look_t: FloatArray,
    look_i: IntArray,
    look_kind: IntArray,
    object_kind: IntArray,
    capacity: IntArray,
) -> None:
    """``capacity[j]``: objects looked at at look ``j`` whose samples exist there.

    ``present_objects[present_first[i]:present_first[i + 1]]`` lists, in order, the
    objects present at grid time ``i``; between grid times the next sample must exist too
    (else :func:`interpolate_state` gives NaN).
    """
    n = t_grid.shape[0]
    for j in prange(look_t.shape[0]):
        i = look_i[j]
        on_grid = i >= n - 1 or look_t[j] == t_grid[i]
        count = 0
        for m in range(present_first[i], present_first[i + 1]):
            o = present_objects[m]
            if look_kind[j] & object_kind[o] and (on_grid or present[i + 1, o]):
                count += 1
        capacity[j] = count


@njit(cache=True)
def _rcs_dbsm(table: FloatArray, cos_aspect: float) -> float:
    """RCS (dBsm) from a uniform 0-180 deg table in dBsm at an aspect given by its cosine."""
    c = min(1.0, max(-1.0, cos_aspect))
    x = math.acos(c) / math.pi * (table.shape[0] - 1)
    i = min(int(x), table.shape[0] - 2)
    f = x - i
    return table[i] + f * (table[i + 1] - table[i])


@njit(cache=True, parallel=True)
def scan_looks(
    t_grid: FloatArray,
    r: FloatArray,
    v: FloatArray,
    present: npt.NDArray[np.bool_],
    present_first: IntArray,
    present_objects: IntArray,
    look_t: FloatArray,
    look_i: IntArray,
    look_kind: IntArray,
    object_kind: IntArray,
    site: FloatArray,
    rot: FloatArray,
    bore: FloatArray,
    par: FloatArray,
    tables: FloatArray,
    table_constant: FloatArray,
    table_index: IntArray,
    pd_grid: FloatArray,
    pd_values: FloatArray,
    start: IntArray,
    count: IntArray,
    out: FloatArray,
    pd: FloatArray,
) -> None:
    """Visible looks of one radar, in one pass per (look, object) pair.

    Look ``j`` writes its visible objects, in object order, to rows ``start[j]`` to
    ``start[j] + count[j] - 1`` of ``out`` (C, 7): object, range (m), azimuth, geometric
    elevation (rad), range rate (m/s), SNR (dB), cosine of the scan angle; and their Pd
    to the same entries of ``pd`` (C,). The visibility test gives the result of
    :func:`~openbmd.sensors.los.visible_ecef_point`, cheapest test first: range, azimuth,
    then the refracted elevation, decided by
    :func:`~openbmd.sensors.measurement_elevation.elevation_verdict` where its bounds
    suffice, else by :func:`~openbmd.sensors.los.effective_ray_point`.
    ``table_constant[m]`` is the value of RCS table ``m`` if it is flat and finite (its
    lookup then needs no aspect angle), else NaN.
    """
    n = t_grid.shape[0]
    grid0 = pd_grid[0]
    dgrid = pd_grid[1] - pd_grid[0]
    full_circle = par[7] >= math.pi
    filtered = par[_VERDICT] > 0.0
    for j in prange(look_t.shape[0]):
        i = look_i[j]
        t = look_t[j]
        on_grid = i >= n - 1 or t == t_grid[i]
        c = start[j]
        for m in range(present_first[i], present_first[i + 1]):
            o = present_objects[m]
            if not (look_kind[j] & object_kind[o] and (on_grid or present[i + 1, o])):
                continue
            ok, x, y, z, vx, vy, vz = interpolate_state(t_grid, r, v, o, i, t)
            if not ok:
                continue
            dx = x - site[0]
            dy = y - site[1]
            dz = z - site[2]
            e = rot[0, 0] * dx + rot[0, 1] * dy + rot[0, 2] * dz
            nn = rot[1, 0] * dx + rot[1, 1] * dy + rot[1, 2] * dz
            u = rot[2, 0] * dx + rot[2, 1] * dy + rot[2, 2] * dz
            horizontal = math.sqrt(e * e + nn * nn)
            rng = math.sqrt(horizontal * horizontal + u * u)
            if not (rng > 0.0 and rng <= par[8]):
                continue
            az = -1.0  # computed here only when the field of regard needs it
            if not full_circle:
                az = _azimuth(e, nn)
                if not abs((az - par[6] + math.pi) % _TWO_PI - math.pi) <= par[7]:
                    continue
            cos2 = 1.0 if horizontal == 0.0 else (nn / horizontal) ** 2
            verdict = -1
            if filtered:
                verdict = elevation_verdict(horizontal, u, cos2, par[0], par[1], par[2],
                                            par[3], par[_TAN_LOW], par[_TAN_HIGH])  # fmt: skip
            if verdict == 0:
                continue
            if verdict < 0:
                el_app, clear = effective_ray_point(
                    horizontal, u, cos2, par[0], par[1], par[2], par[3]
                )
                if not clear or el_app < par[4] or el_app > par[5]:
                    continue
            rate = dx / rng * vx + dy / rng * vy + dz / rng * vz
            cos_scan = (e * bore[0] + nn * bore[1] + u * bore[2]) / rng
            rcs_db = table_constant[table_index[o]] + 0.0  # what _rcs_dbsm gives then
            if math.isnan(rcs_db):
                speed = math.sqrt(vx * vx + vy * vy + vz * vz)
                # aspect: angle between the velocity and the line from the target to the radar
                cos_aspect = -rate / speed if speed > 0.0 else 0.0
                rcs_db = _rcs_dbsm(tables[table_index[o]], cos_aspect)
            snr_db = par[_SNR_REF_DB] + rcs_db - 40.0 * math.log10(rng)
            heard = True  # False behind a scanned face: no echo, never detected
            if par[_SCAN_EXP] > 0.0:
                heard = cos_scan > 0.0
                snr_db += 10.0 * par[_SCAN_EXP] * math.log10(cos_scan) if heard else -math.inf
            out[c, LOOK_OBJECT] = o
            out[c, LOOK_RANGE] = rng
            out[c, LOOK_AZ] = az if az >= 0.0 else _azimuth(e, nn)
            out[c, LOOK_EL] = math.atan2(u, horizontal)
            out[c, LOOK_RATE] = rate
            out[c, LOOK_SNR] = snr_db
            pd[c] = pd_from_table(snr_db, grid0, dgrid, pd_values) if heard else 0.0
            out[c, LOOK_COS_SCAN] = cos_scan
            c += 1
        count[j] = c - start[j]
