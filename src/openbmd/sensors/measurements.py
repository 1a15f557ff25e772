"""Radar measurements of truth trajectories: looks, detections, noise, biases.

Pipeline of :func:`simulate_detections`, for each radar ``s`` of a list:

1. **Looks.** In search the radar looks at every object every ``search_revisit_s`` from
   ``start_s``; objects listed in ``tracked`` are looked at every ``track_update_s``
   instead. States at a look time come from the truth grid by cubic Hermite
   interpolation of position and velocity (exact at the grid times; NaN where the object
   does not exist on either side).
2. **Visibility** (:mod:`openbmd.sensors.los`): horizon with refraction, field of regard,
   instrumented range.
3. **SNR and Pd** per visible look: the radar equation
   (:func:`~openbmd.sensors.radar_equation.snr_linear_kernel`) with the target's RCS at its
   aspect angle (:mod:`openbmd.sensors.rcs`) and the radar's scan loss; Pd from the
   detector's table (:func:`~openbmd.sensors.detection.pd_from_table`).
4. **Draws** from the radar's own random stream (``numpy.random.SeedSequence(seed,
   spawn_key=(s,))``): first one uniform per visible look, in (time, object) order, that
   decides detection (``u < Pd``); then four standard normals per detection, in the same
   order (range, azimuth, elevation, range rate, drawn even when range rate is not
   measured), scaled by the sigmas of :class:`~openbmd.sensors.radar.Radar` at that SNR,
   plus the radar's fixed biases.

Same seed, same inputs: identical output, whatever the number of threads (the compiled
passes run in parallel, and the radars' draws side by side, each stream in its own
order). Streams are per radar index, so appending a radar leaves the others' detections
unchanged. Measured quantities are range (m),
azimuth from north clockwise in [0, 2 pi) (rad), **geometric** elevation (rad; the
radar's refraction correction is taken as perfect, refraction enters the horizon only)
and range rate (m/s, ECEF velocity relative to the fixed site). The covariance is
``diag(sigma_r^2, sigma_az^2, sigma_el^2, sigma_rr^2)`` in (m, rad, rad, m/s); without
range rate the measurement is NaN and its variance ``inf`` (use the leading 3 x 3 block).
Biases are not in the covariance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_finite
from openbmd.flight.propagate import Samples
from openbmd.sensors.los import SensorGeometry
from openbmd.sensors.measurement_passes import measure_radars
from openbmd.sensors.radar import Radar
from openbmd.sensors.rcs import rcs_tables
from openbmd.sensors.truth_grid import TruthGrid

__all__ = ["Detections", "TruthGrid", "simulate_detections"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Detections:
    """Radar detections, flat arrays of length N sorted by time, then sensor, then object.

    Attributes
    ----------
    time_s : (N,) float
        Look time, s since the epoch.
    sensor_id, object_id : (N,) int64
        Index of the radar (in the list given) and of the object (in the truth).
    range_m, azimuth_rad, elevation_rad, range_rate_m_s : (N,) float
        Measurements (with noise and biases): slant range, m; azimuth from north,
        clockwise, rad, in [0, 2 pi); geometric elevation, rad; range rate, m/s (NaN if
        the radar does not measure it).
    snr_db : (N,) float
        SNR of the look (that of :meth:`Radar.snr_db`), dB.
    sigma : (N, 4) float
        Standard deviations of the measurement noise in (m, rad, rad, m/s) order; ``inf``
        for an unmeasured range rate. :attr:`covariance` is ``diag(sigma**2)``.
    true_range_m, true_azimuth_rad, true_elevation_rad, true_range_rate_m_s : (N,) float
        Noise-free values at the look.
    track : (N,) bool
        Look made in track (True) or search (False).
    sensor_names : tuple of str, length S
    site_lat_deg, site_lon_deg, site_alt_m : (S,) float
        Sites of the radars (geodetic WGS 84).
    visible_looks : (S,) int64
        Looks at a visible object made by each radar (detected or not).
    expected_detections : (S,) float
        Sum of Pd over those looks (the expected number of detections).
    """

    time_s: FloatArray
    sensor_id: IntArray
    object_id: IntArray
    range_m: FloatArray
    azimuth_rad: FloatArray
    elevation_rad: FloatArray
    range_rate_m_s: FloatArray
    snr_db: FloatArray
    sigma: FloatArray
    true_range_m: FloatArray
    true_azimuth_rad: FloatArray
    true_elevation_rad: FloatArray
    true_range_rate_m_s: FloatArray
    track: npt.NDArray[np.bool_]
    sensor_names: tuple[str, ...]
    site_lat_deg: FloatArray
    site_lon_deg: FloatArray
    site_alt_m: FloatArray
    visible_looks: IntArray
    expected_detections: FloatArray

    @cached_property
    def covariance(self) -> FloatArray:
        """Diagonal measurement covariance, shape (N, 4, 4), in (m, rad, rad, m/s) order.

        ``inf`` variance for an unmeasured range rate (use the leading 3 x 3 block).
        Built on first use (it is 16 floats per detection).
        """
        cov = np.zeros((self.size, 4, 4))
        np.einsum("nii->ni", cov)[...] = self.sigma * self.sigma
        return cov

    @property
    def size(self) -> int:
        """Number of detections N."""
        return int(self.time_s.shape[0])

    def __len__(self) -> int:
        return self.size

    def take(self, index: Any) -> Detections:
        """The detections selected by an index or boolean mask (per-sensor fields kept)."""
        per_sensor = {
            "sensor_names",
            "site_lat_deg",
            "site_lon_deg",
            "site_alt_m",
            "visible_looks",
            "expected_detections",
        }
        changes = {
            f.name: getattr(self, f.name) if f.name in per_sensor else getattr(self, f.name)[index]
            for f in fields(self)
        }
        return Detections(**changes)

    def measurement(self) -> FloatArray:
        """Measurement vectors (range, azimuth, elevation, range rate), shape (N, 4)."""
        return np.stack(
            [self.range_m, self.azimuth_rad, self.elevation_rad, self.range_rate_m_s], axis=-1
        )

    def to_enu(self) -> FloatArray:
        """Measured positions in each detection's radar ENU frame, m, shape (N, 3)."""
        cos_el = np.cos(self.elevation_rad)
        return np.stack(
            [
                self.range_m * cos_el * np.sin(self.azimuth_rad),
                self.range_m * cos_el * np.cos(self.azimuth_rad),
                self.range_m * np.sin(self.elevation_rad),
            ],
            axis=-1,
        )

    def to_ecef(self) -> FloatArray:
        """Measured positions in ECEF, m, shape (N, 3)."""
        site, rot = self._frames()
        enu = self.to_enu()
        return site[self.sensor_id] + np.einsum("nji,nj->ni", rot[self.sensor_id], enu)

    def enu_covariance(self) -> FloatArray:
        """First-order covariance of :meth:`to_enu`, m², shape (N, 3, 3)."""
        jac = self._jacobian()
        cov = self.covariance[:, :3, :3]
        return np.einsum("nij,njk,nlk->nil", jac, cov, jac)

    def ecef_covariance(self) -> FloatArray:
        """First-order covariance of :meth:`to_ecef`, m², shape (N, 3, 3)."""
        _, rot = self._frames()
        r = rot[self.sensor_id]
        return np.einsum("nji,njk,nkl->nil", r, self.enu_covariance(), r)

    def _jacobian(self) -> FloatArray:
        rng, az, el = self.range_m, self.azimuth_rad, self.elevation_rad
        ca, sa, ce, se = np.cos(az), np.sin(az), np.cos(el), np.sin(el)
        jac = np.empty((self.size, 3, 3))
        jac[:, 0] = np.stack([ce * sa, rng * ce * ca, -rng * se * sa], axis=-1)
        jac[:, 1] = np.stack([ce * ca, -rng * ce * sa, -rng * se * ca], axis=-1)
        jac[:, 2] = np.stack([se, np.zeros_like(rng), rng * ce], axis=-1)
        return jac

    def _frames(self) -> tuple[FloatArray, FloatArray]:
        from openbmd.geodesy import enu_rotation_matrix, geodetic_to_ecef

        site = np.asarray(
            geodetic_to_ecef(self.site_lat_deg, self.site_lon_deg, self.site_alt_m)
        ).reshape(-1, 3)
        rot = np.asarray(enu_rotation_matrix(self.site_lat_deg, self.site_lon_deg))
        return site, rot.reshape(-1, 3, 3)


def _tracked_sets(tracked: Any, sensors: int, objects: int) -> list[IntArray]:
    if tracked is None:
        return [np.empty(0, dtype=np.int64)] * sensors
    per = dict(tracked) if isinstance(tracked, Mapping) else dict.fromkeys(range(sensors), tracked)
    out = []
    for s in range(sensors):
        ids = np.unique(np.asarray(per.get(s, ()), dtype=np.int64).reshape(-1))
        if ids.size and (ids[0] < 0 or ids[-1] >= objects):
            raise ParameterError(
                "tracked",
                f"object indices in [0, {objects - 1}]",
                int(ids[0] if ids[0] < 0 else ids[-1]),
            )
        out.append(ids)
    if isinstance(tracked, Mapping) and any(not 0 <= int(s) < sensors for s in tracked):
        raise ParameterError("tracked", f"sensor indices in [0, {sensors - 1}]", sorted(tracked)[0])
    return out


def simulate_detections(
    radars: Sequence[Radar],
    truth: TruthGrid | Samples,
    *,
    rcs: Any = 1.0,
    seed: int = 0,
    tracked: Sequence[int] | Mapping[int, Sequence[int]] | None = None,
    start_s: float | None = None,
) -> Detections:
    """Detections of truth trajectories by radars, with Pd draws, noise and biases.

    Parameters
    ----------
    radars : sequence of Radar, length S
        The radars; their index in this list is their ``sensor_id`` and their stream.
    truth : TruthGrid or Samples
        Truth states of O objects (ECEF); ragged samples are padded on their time grid.
    rcs : float, RcsModel, or sequence of them (one per object)
        Radar cross-section: a constant in m², or an aspect-angle model. Default 1 m².
    seed : int
        Seed of the random streams (>= 0).
    tracked : sequence of int, or mapping of radar index to sequence of int, optional
        Objects each radar tracks (looked at every ``track_update_s`` instead of
        ``search_revisit_s``); a plain sequence applies to every radar.
    start_s : float, optional
        Time of every radar's first look, s since the epoch (default: the first truth time).

    Returns
    -------
    Detections
    """
    grid = truth if isinstance(truth, TruthGrid) else TruthGrid.from_samples(truth)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "an integer >= 0", seed)
    radars = list(radars)
    for i, radar in enumerate(radars):
        if not isinstance(radar, Radar):
            raise ParameterError(f"radars[{i}]", "a Radar", type(radar).__name__)
    geo = SensorGeometry.of(radars)
    start = float(grid.time_s[0]) if start_s is None else float(require_finite("start_s", start_s))
    tables, table_index = rcs_tables(rcs, grid.objects)
    track_sets = _tracked_sets(tracked, len(radars), grid.objects)
    out = measure_radars(radars, geo, grid, start, track_sets, (tables, table_index), int(seed))
    rows = out.rows
    return Detections(
        time_s=rows[0],
        sensor_id=out.sensor_id,
        object_id=out.object_id,
        range_m=rows[1],
        azimuth_rad=rows[2],
        elevation_rad=rows[3],
        range_rate_m_s=rows[4],
        snr_db=rows[5],
        sigma=out.sigma,
        true_range_m=rows[6],
        true_azimuth_rad=rows[7],
        true_elevation_rad=rows[8],
        true_range_rate_m_s=rows[9],
        track=out.track,
        sensor_names=tuple(r.name for r in radars),
        site_lat_deg=np.array([r.lat_deg for r in radars]),
        site_lon_deg=np.array([r.lon_deg for r in radars]),
        site_alt_m=np.array([r.alt_m for r in radars]),
        visible_looks=out.visible,
        expected_detections=out.expected,
    )
