"""Space-based infrared early warning: which satellites see a boosting missile, and when.

Model (generic, see ``docs/coverage.md``):

* Satellites are fixed in ECEF (geostationary, or any fixed point given in ECEF).
* A satellite sees a missile at a sample time when the missile is in **powered flight**
  (flight time between launch and its burnout time), its altitude above the WGS 84
  ellipsoid exceeds the **cloud-top altitude**, and the straight line from the satellite
  to the missile clears the ellipsoid inflated by a **grazing altitude** (the line of
  sight may not pass through the cloudy lower atmosphere near the limb). No refraction:
  an infrared line of sight from space is straight to well under a kilometre.
* The first sight is the first sample time at which all three hold (so it is resolved to
  the sampling step). A **cue** is reported a fixed latency after the first sight, with
  Gaussian errors (seeded) on the launch time, launch point and launch azimuth.

The truth launch point is the first sample of each object (samples must start at
launch); the truth launch azimuth is the initial geodesic azimuth from the launch point
to the point under the missile at burnout (the heading of the ground track that a
sensor fixed to the Earth sees), unless the caller gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from openbmd.constants import WGS84_A_M, WGS84_B_M, WGS84_GM_M3_S2, WGS84_OMEGA_RAD_S
from openbmd.errors import ParameterError, require_finite, require_non_negative, require_range
from openbmd.flight.propagate import Samples
from openbmd.geodesy import geodesic_inverse, meridian_radius_m, prime_vertical_radius_m
from openbmd.geodesy.kernels import ecef_to_geodetic_batch

__all__ = [
    "GEO_RADIUS_M",
    "Cues",
    "IRConstellation",
    "early_warning_cues",
    "early_warning_names",
    "first_sight_time_s",
    "get_early_warning",
    "line_of_sight_clear",
]

#: Geostationary orbit radius, m: (GM / omega^2)^(1/3) with the WGS 84 GM and rotation
#: rate (42,164.17 km; the published figure is 42,164 km).
GEO_RADIUS_M = (WGS84_GM_M3_S2 / WGS84_OMEGA_RAD_S**2) ** (1.0 / 3.0)
#: Largest number of satellite x sample pairs handled at once (memory bound).
_CHUNK_PAIRS = 2_000_000
#: Relative tolerance on the squared scaled distance of :func:`line_of_sight_clear`.
_SURFACE_TOL = 1e-12


@dataclass(frozen=True)
class IRConstellation:
    """Infrared early-warning satellites and their generic performance.

    Attributes
    ----------
    name : str
        Catalog name (e.g. ``"ir-geo"``).
    satellite_ids : tuple of str
        One name per satellite.
    position_ecef_m : ndarray, shape (S, 3)
        Satellite positions, ECEF, m (fixed in the rotating frame).
    cloud_top_alt_m : float
        A missile is seen only above this altitude over the ellipsoid, m.
    grazing_alt_m : float
        Lines of sight must clear the ellipsoid by this height, m.
    reporting_latency_s : float
        Time from first sight to the report, s.
    launch_point_sigma_m : float
        Standard deviation of the reported launch point, per horizontal axis, m.
    launch_azimuth_sigma_deg : float
        Standard deviation of the reported launch azimuth, deg.
    launch_time_sigma_s : float
        Standard deviation of the reported launch time, s.
    description : str
    sources : dict of str to str
        Public source of every parameter.
    """

    name: str
    satellite_ids: tuple[str, ...]
    position_ecef_m: np.ndarray
    cloud_top_alt_m: float = 12_000.0
    grazing_alt_m: float = 12_000.0
    reporting_latency_s: float = 30.0
    launch_point_sigma_m: float = 2_000.0
    launch_azimuth_sigma_deg: float = 2.0
    launch_time_sigma_s: float = 3.0
    description: str = ""
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pos = require_finite("position_ecef_m", self.position_ecef_m).reshape(-1, 3)
        if len(self.satellite_ids) != pos.shape[0]:
            raise ParameterError(
                "satellite_ids", f"one name per satellite ({pos.shape[0]})", self.satellite_ids
            )
        radius = np.linalg.norm(pos, axis=1)
        if np.any(radius <= WGS84_A_M):
            raise ParameterError("position_ecef_m", "outside the Earth", float(radius.min()))
        object.__setattr__(self, "position_ecef_m", np.ascontiguousarray(pos))
        for name in (
            "cloud_top_alt_m",
            "grazing_alt_m",
            "reporting_latency_s",
            "launch_point_sigma_m",
            "launch_azimuth_sigma_deg",
            "launch_time_sigma_s",
        ):
            object.__setattr__(self, name, float(require_non_negative(name, getattr(self, name))))
        require_range("grazing_alt_m", self.grazing_alt_m, 0.0, 100_000.0)

    @property
    def size(self) -> int:
        """Number of satellites S."""
        return len(self.satellite_ids)

    @classmethod
    def geostationary(
        cls, lon_deg: Any, satellite_ids: tuple[str, ...] | None = None, **params: Any
    ) -> IRConstellation:
        """Satellites on the geostationary ring (radius :data:`GEO_RADIUS_M`) at ``lon_deg``.

        ``params`` are the other attributes (``name`` defaults to ``"geo"``).
        """
        lon = np.atleast_1d(require_finite("lon_deg", lon_deg))
        rad = np.radians(lon)
        pos = GEO_RADIUS_M * np.column_stack([np.cos(rad), np.sin(rad), np.zeros_like(rad)])
        ids = satellite_ids or tuple(f"geo{v:+.1f}" for v in lon.tolist())
        params.setdefault("name", "geo")
        return cls(satellite_ids=tuple(ids), position_ecef_m=pos, **params)

    def with_overrides(self, **overrides: Any) -> IRConstellation:
        """A copy with some attributes replaced (checked again)."""
        unknown = set(overrides) - set(self.__dataclass_fields__)
        if unknown:
            raise ParameterError("override", "an attribute of IRConstellation", sorted(unknown)[0])
        return replace(self, **overrides)


@dataclass(frozen=True)
class Cues:
    """Early-warning reports, one per (satellite, object) pair that saw the launch.

    Every attribute is an array of shape (K,), sorted by report time. Estimates carry the
    seeded Gaussian errors of the constellation; times are seconds since the epoch.

    Attributes
    ----------
    object_index : int array
        Index of the object in the samples.
    satellite_index : int array
        Index of the satellite in the constellation.
    satellite_id : str array
    first_sight_time_s : float array
        First sample time at which the satellite saw the object, s.
    report_time_s : float array
        ``first_sight_time_s`` plus the reporting latency, s.
    launch_time_s : float array
        Estimated launch time, s.
    launch_lat_deg, launch_lon_deg : float array
        Estimated launch point, geodetic WGS 84, deg.
    launch_azimuth_deg : float array
        Estimated launch azimuth, deg from north, clockwise, in [0, 360).
    """

    object_index: np.ndarray
    satellite_index: np.ndarray
    satellite_id: np.ndarray
    first_sight_time_s: np.ndarray
    report_time_s: np.ndarray
    launch_time_s: np.ndarray
    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    launch_azimuth_deg: np.ndarray

    def __len__(self) -> int:
        return int(self.object_index.size)

    def take(self, index: np.ndarray) -> Cues:
        """The cues at ``index`` (integer or boolean array)."""
        return Cues(**{k: getattr(self, k)[index] for k in self.__dataclass_fields__})

    def first_per_object(self) -> Cues:
        """The earliest report for each object that was seen (order: by report time)."""
        _, first = np.unique(self.object_index, return_index=True)
        return self.take(np.sort(first))

    def records(self) -> list[dict[str, Any]]:
        """One plain dict per cue (for JSON)."""
        return [
            {k: getattr(self, k)[i].item() for k in self.__dataclass_fields__}
            for i in range(len(self))
        ]


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("openbmd").joinpath("data/early_warning.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def early_warning_names() -> list[str]:
    """Names of the catalog early-warning systems (``ir-geo``)."""
    return list(_raw())


def get_early_warning(name: str = "ir-geo", **overrides: Any) -> IRConstellation:
    """Catalog early-warning constellation ``name``, optionally with overridden attributes.

    Examples
    --------
    >>> from openbmd.sensors.early_warning import get_early_warning
    >>> ew = get_early_warning("ir-geo")
    >>> ew.size, ew.cloud_top_alt_m
    (4, 12000.0)
    """
    raw = _raw()
    if name not in raw:
        raise ParameterError("early_warning", "one of " + ", ".join(raw), name)
    entry = raw[name]
    value = {k: v["value"] for k, v in entry.items() if isinstance(v, dict)}
    sources = {k: str(v["source"]) for k, v in entry.items() if isinstance(v, dict)}
    system = IRConstellation.geostationary(
        value["satellite_longitudes_deg"],
        tuple(str(s) for s in value["satellite_ids"]),
        name=name,
        cloud_top_alt_m=1e3 * float(value["cloud_top_alt_km"]),
        grazing_alt_m=1e3 * float(value["grazing_alt_km"]),
        reporting_latency_s=float(value["reporting_latency_s"]),
        launch_point_sigma_m=1e3 * float(value["launch_point_sigma_km"]),
        launch_azimuth_sigma_deg=float(value["launch_azimuth_sigma_deg"]),
        launch_time_sigma_s=float(value["launch_time_sigma_s"]),
        description=str(entry.get("description", "")).strip(),
        sources=sources,
    )
    return system.with_overrides(**overrides) if overrides else system


def line_of_sight_clear(
    observer_ecef_m: np.ndarray, target_ecef_m: np.ndarray, grazing_alt_m: float = 0.0
) -> np.ndarray:
    """Whether straight lines from observers to targets clear the (inflated) ellipsoid.

    The surface is the ellipsoid of semi-axes ``a + h`` and ``b + h`` (WGS 84, ``h`` the
    grazing altitude): within metres of the true offset surface for ``h`` of tens of km.
    Geometric line of sight (no refraction), for space-based sensors.

    Parameters
    ----------
    observer_ecef_m : ndarray, shape (S, 3)
        Observer positions, ECEF, m.
    target_ecef_m : ndarray, shape (M, 3)
        Target positions, ECEF, m.
    grazing_alt_m : float
        Height above the ellipsoid that the line of sight must clear, m.

    Returns
    -------
    ndarray of bool, shape (S, M)
        True where the whole segment lies outside the inflated ellipsoid (a target
        below the grazing altitude is never clear; one on that surface is, to within
        micrometres of rounding).
    """
    scale = 1.0 / np.array([WGS84_A_M + grazing_alt_m] * 2 + [WGS84_B_M + grazing_alt_m])
    p = np.asarray(observer_ecef_m, dtype=float).reshape(-1, 3) * scale
    q = np.asarray(target_ecef_m, dtype=float).reshape(-1, 3) * scale
    d = q[None, :, :] - p[:, None, :]
    dd = np.einsum("smk,smk->sm", d, d)
    pd = np.einsum("sk,smk->sm", p, d)
    t = np.clip(-pd / np.where(dd > 0.0, dd, 1.0), 0.0, 1.0)
    closest = p[:, None, :] + t[..., None] * d
    # points on the surface itself count as clear (tolerance ~3 micrometres: rounding)
    return np.einsum("smk,smk->sm", closest, closest) >= 1.0 - _SURFACE_TOL


def first_sight_time_s(
    system: IRConstellation,
    samples: Samples,
    launch_time_s: Any,
    burnout_time_s: Any,
) -> np.ndarray:
    """First time each satellite sees each object in powered flight above the clouds.

    Parameters
    ----------
    system : IRConstellation
        The satellites (S of them).
    samples : Samples
        Truth states of N objects (ragged, ECEF, times since the epoch).
    launch_time_s : array_like, shape (N,) or scalar
        Launch time of each object, s since the epoch.
    burnout_time_s : array_like, shape (N,) or scalar
        Burnout time of each object, s of flight after its launch (as
        ``Flights.burnout_time_s``).

    Returns
    -------
    ndarray, shape (S, N)
        First sight time, s since the epoch; NaN where the satellite never sees it.
    """
    obj, t_launch, t_burnout = _object_rows(samples, launch_time_s, burnout_time_s)
    n = samples.offsets.size - 1
    flight = samples.time_s - t_launch[obj]
    powered = np.flatnonzero((flight >= 0.0) & (flight <= t_burnout[obj]))
    alt = np.asarray(ecef_to_geodetic_batch(np.ascontiguousarray(samples.r_ecef_m[powered])))
    rows = powered[alt[:, 2] > system.cloud_top_alt_m]
    out = np.full((system.size, n), np.inf)
    chunk = max(1, _CHUNK_PAIRS // system.size)
    for start in range(0, rows.size, chunk):
        part = rows[start : start + chunk]
        clear = line_of_sight_clear(
            system.position_ecef_m, samples.r_ecef_m[part], system.grazing_alt_m
        )
        seen_at = np.where(clear, samples.time_s[part][None, :], np.inf)
        objects, first_row = np.unique(obj[part], return_index=True)
        block = np.minimum.reduceat(seen_at, first_row, axis=1)
        out[:, objects] = np.minimum(out[:, objects], block)
    out[np.isinf(out)] = np.nan
    return out


def early_warning_cues(
    system: IRConstellation,
    samples: Samples,
    launch_time_s: Any,
    burnout_time_s: Any,
    *,
    seed: int | np.random.Generator | None = None,
    launch_azimuth_deg: Any = None,
) -> Cues:
    """Cues reported by each satellite that sees each object (see the module notes).

    Parameters
    ----------
    system : IRConstellation
    samples : Samples
        Truth states of N objects, each starting at its launch (ECEF).
    launch_time_s, burnout_time_s : array_like, shape (N,) or scalar
        As in :func:`first_sight_time_s`.
    seed : int or numpy Generator, optional
        Seed of the Gaussian report errors (same seed, same cues).
    launch_azimuth_deg : array_like, shape (N,), optional
        Truth launch azimuths, deg; default from the ground track to burnout.

    Returns
    -------
    Cues
        Sorted by report time; empty when no satellite sees anything.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    first = first_sight_time_s(system, samples, launch_time_s, burnout_time_s)
    obj_rows, t_launch, t_burnout = _object_rows(samples, launch_time_s, burnout_time_s)
    sat, obj = np.nonzero(np.isfinite(first))
    k = sat.size
    lat0, lon0, az0 = _truth_launch(samples, obj_rows, t_launch, t_burnout, launch_azimuth_deg)
    dt = rng.normal(0.0, 1.0, k) * system.launch_time_sigma_s
    dn, de = rng.normal(0.0, 1.0, (2, k)) * system.launch_point_sigma_m
    daz = rng.normal(0.0, 1.0, k) * system.launch_azimuth_sigma_deg
    lat_t, lon_t = lat0[obj], lon0[obj]
    lat = np.clip(lat_t + np.degrees(dn / np.asarray(meridian_radius_m(lat_t))), -90.0, 90.0)
    coslat = np.maximum(np.cos(np.radians(lat_t)), 1e-9)
    lon = lon_t + np.degrees(de / (np.asarray(prime_vertical_radius_m(lat_t)) * coslat))
    lon = (lon + 180.0) % 360.0 - 180.0
    seen = first[sat, obj]
    order = np.argsort(seen, kind="stable")
    ids = np.array(system.satellite_ids, dtype=str)
    return Cues(
        object_index=obj[order].astype(np.int64),
        satellite_index=sat[order].astype(np.int64),
        satellite_id=ids[sat[order]] if k else np.array([], dtype=str),
        first_sight_time_s=seen[order],
        report_time_s=seen[order] + system.reporting_latency_s,
        launch_time_s=(t_launch[obj] + dt)[order],
        launch_lat_deg=lat[order],
        launch_lon_deg=lon[order],
        launch_azimuth_deg=((az0[obj] + daz) % 360.0)[order],
    )


def _object_rows(
    samples: Samples, launch_time_s: Any, burnout_time_s: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Object index of every sample row, and launch and burnout times per object."""
    counts = np.diff(samples.offsets)
    n = counts.size
    if n == 0 or np.any(counts < 1):
        raise ParameterError("samples", "at least one sample for every object", "an empty object")
    t_launch = np.broadcast_to(require_finite("launch_time_s", launch_time_s), (n,))
    t_burnout = np.broadcast_to(require_non_negative("burnout_time_s", burnout_time_s), (n,))
    return np.repeat(np.arange(n), counts), t_launch, t_burnout


def _truth_launch(
    samples: Samples,
    obj_rows: np.ndarray,
    t_launch: np.ndarray,
    t_burnout: np.ndarray,
    launch_azimuth_deg: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth launch latitude, longitude and azimuth of every object, deg."""
    starts = samples.offsets[:-1]
    geo = np.asarray(ecef_to_geodetic_batch(np.ascontiguousarray(samples.r_ecef_m[starts])))
    lat0, lon0 = np.degrees(geo[:, 0]), np.degrees(geo[:, 1])
    n = starts.size
    if launch_azimuth_deg is not None:
        return (
            lat0,
            lon0,
            np.broadcast_to(require_finite("launch_azimuth_deg", launch_azimuth_deg), (n,)),
        )
    flight = samples.time_s - t_launch[obj_rows]
    rows = np.arange(samples.time_s.size)
    last_powered = np.maximum.reduceat(np.where(flight <= t_burnout[obj_rows], rows, -1), starts)
    bo = np.asarray(ecef_to_geodetic_batch(np.ascontiguousarray(samples.r_ecef_m[last_powered])))
    _, az, _ = geodesic_inverse(lat0, lon0, np.degrees(bo[:, 0]), np.degrees(bo[:, 1]))
    return lat0, lon0, np.atleast_1d(np.asarray(az, dtype=float))
