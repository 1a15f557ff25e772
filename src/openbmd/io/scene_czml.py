"""The 3-D scene of a run as CZML (Cesium), written with czml3.

Packets, by id:

- ``document``: the clock spans the run (first to last time, plus a short tail) and
  starts at its beginning; calendar time is ``RunResult.epoch`` + ``time_s``;
- ``object/<object_id>``: every trajectory (re-entry vehicles, rocket bodies,
  interceptors) as a time-tagged ECEF position (``referenceFrame: FIXED``) with a
  point, a label and a trailing path, available from its first to its last sample;
- ``site/<site_id>``: sensor and interceptor sites, points with labels;
- ``coverage/<site_id>``: radar coverage outlines, polylines on the ground;
- ``event/<n>-<kind>``: intercept and leaker points that appear at their time and stay.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from openbmd.io.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from openbmd.pipeline.result import RunResult

__all__ = ["scene_czml", "write_scene_czml"]

#: RGBA colours by object or site kind.
_COLORS: Final = {
    "reentry-vehicle": [230, 40, 40, 255],
    "rocket-body": [170, 170, 170, 255],
    "interceptor": [40, 140, 255, 255],
    "radar": [170, 90, 230, 255],
    "interceptor-site": [40, 140, 255, 255],
    "early-warning-satellite": [180, 180, 40, 255],
    "intercept": [255, 200, 0, 255],
    "leaker": [255, 0, 0, 255],
}
_DEFAULT_COLOR: Final = [255, 255, 255, 255]
#: Event kinds drawn as points from their time on.
_EVENT_POINTS: Final = ("intercept", "leaker")
#: Seconds the clock runs past the last sample, so the final events stay visible.
_TAIL_S: Final = 30.0


def iso_utc(t: datetime) -> str:
    """ISO 8601 UTC with milliseconds, e.g. ``2018-01-01T00:01:02.500Z``."""
    t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def scene_czml(
    result: RunResult,
    *,
    run_id: str | None = None,
    epoch: datetime | None = None,
    max_points_per_object: int = 2000,
) -> str:
    """The CZML document (JSON text) of a run.

    Parameters
    ----------
    result : RunResult
        The run.
    run_id : str, optional
        Shown in the document's name.
    epoch : datetime, optional
        Calendar time of t = 0 (default ``result.epoch``).
    max_points_per_object : int
        Longer trajectories are thinned evenly (first and last samples kept).
    """
    from czml3 import CZML_VERSION, Document, Packet
    from czml3.enums import InterpolationAlgorithms
    from czml3.properties import (
        Clock,
        Color,
        Label,
        Point,
        Polyline,
        PolylineMaterial,
        Position,
        PositionList,
        SolidColorMaterial,
    )
    from czml3.properties import (
        Path as CzmlPath,
    )
    from czml3.types import Cartesian2Value, TimeInterval

    t0 = epoch or result.epoch
    traj, sites, events = result.trajectories, result.sites, result.events
    t_traj = np.asarray(traj["time_s"], dtype=float)
    t_events = np.asarray(events["time_s"], dtype=float)
    times = np.concatenate([t_traj, t_events])
    times = times[np.isfinite(times)]
    start_s = float(times.min()) if times.size else 0.0
    end_s = (float(times.max()) if times.size else 0.0) + _TAIL_S

    def at(t_s: float) -> str:
        return iso_utc(t0 + timedelta(seconds=float(t_s)))

    clock_interval = TimeInterval(start=at(start_s), end=at(end_s))
    title = f"openbmd run {run_id}: {result.scenario_name}" if run_id else result.scenario_name
    packets = [
        Packet(
            id="document",
            name=title,
            version=CZML_VERSION,
            clock=Clock(interval=clock_interval, currentTime=at(start_s), multiplier=10),
        )
    ]

    def color(kind: str) -> Any:
        return Color(rgba=_COLORS.get(kind, _DEFAULT_COLOR))

    def label(text: str, size_pt: int) -> Any:
        offset = Cartesian2Value(values=[0, -(size_pt + 8)])
        return Label(text=text, font=f"{size_pt}pt sans-serif", pixelOffset=offset)

    object_ids = np.asarray(traj["object_id"]).astype(str)
    for obj in dict.fromkeys(object_ids.tolist()):
        rows = np.flatnonzero(object_ids == obj)
        t = t_traj[rows]
        xyz = np.column_stack([np.asarray(traj[c], dtype=float)[rows] for c in _ECEF])
        ok = np.isfinite(t) & np.all(np.isfinite(xyz), axis=1)
        t, xyz = t[ok], xyz[ok]
        order = np.argsort(t, kind="stable")
        t, xyz = t[order], xyz[order]
        t, first = np.unique(t, return_index=True)  # Cesium needs strictly increasing times
        xyz = xyz[first]
        if t.size == 0:
            continue
        keep = thin_indices(t.size, max_points_per_object)
        t, xyz = t[keep], xyz[keep]
        kind = str(np.asarray(traj["kind"])[rows[0]])
        threat = str(np.asarray(traj["threat_id"])[rows[0]])
        end = t[-1] if t.size > 1 else t[0] + 1.0
        packets.append(
            Packet(
                id=f"object/{obj}",
                name=obj,
                description=f"{kind}, threat {threat}" if threat else kind,
                availability=TimeInterval(start=at(t[0]), end=at(end)),
                position=Position(
                    epoch=at(t[0]),
                    cartesian=np.column_stack([t - t[0], xyz]).ravel().tolist(),
                    referenceFrame="FIXED",
                    interpolationAlgorithm=(
                        InterpolationAlgorithms.LAGRANGE
                        if t.size >= 6
                        else InterpolationAlgorithms.LINEAR
                    ),
                    interpolationDegree=5 if t.size >= 6 else 1,
                ),
                point=Point(pixelSize=7, color=color(kind)),
                label=label(obj, 11),
                path=CzmlPath(
                    width=2,
                    leadTime=0,
                    trailTime=1e6,
                    resolution=1,
                    material=PolylineMaterial(solidColor=SolidColorMaterial(color=color(kind))),
                ),
            )
        )

    site_kind = np.asarray(sites["kind"]).astype(str)
    for i, site_id in enumerate(np.asarray(sites["site_id"]).astype(str).tolist()):
        lat, lon, alt = (float(np.asarray(sites[c], dtype=float)[i]) for c in _GEO)
        if not np.isfinite([lat, lon]).all():
            continue
        packets.append(
            Packet(
                id=f"site/{site_id}",
                name=site_id,
                description=f"{site_kind[i]} ({np.asarray(sites['class_name'])[i]})",
                position=Position(cartographicDegrees=[lon, lat, alt if np.isfinite(alt) else 0]),
                point=Point(pixelSize=10, color=color(site_kind[i])),
                label=label(site_id, 12),
            )
        )

    for site_id, (lon_c, lat_c) in result.coverage.items():
        lon_a, lat_a = np.asarray(lon_c, dtype=float), np.asarray(lat_c, dtype=float)
        ok = np.isfinite(lon_a) & np.isfinite(lat_a)
        if ok.sum() < 2:
            continue
        flat = np.column_stack([lon_a[ok], lat_a[ok], np.zeros(ok.sum())]).ravel().tolist()
        packets.append(
            Packet(
                id=f"coverage/{site_id}",
                name=f"coverage of {site_id}",
                polyline=Polyline(
                    positions=PositionList(cartographicDegrees=flat),
                    width=2,
                    clampToGround=True,
                    material=PolylineMaterial(solidColor=SolidColorMaterial(color=color("radar"))),
                ),
            )
        )

    kinds = np.asarray(events["kind"]).astype(str)
    for i in np.flatnonzero(np.isin(kinds, _EVENT_POINTS)).tolist():
        lat, lon, alt = (float(np.asarray(events[c], dtype=float)[i]) for c in _GEO)
        if not (np.isfinite([lat, lon]).all() and np.isfinite(t_events[i])):
            continue
        threat = str(np.asarray(events["threat_id"])[i])
        interceptor = str(np.asarray(events["interceptor_id"])[i])
        text = f"{kinds[i]} {threat}" + (f" ({interceptor})" if interceptor else "")
        packets.append(
            Packet(
                id=f"event/{i}-{kinds[i]}",
                name=text,
                description=str(np.asarray(events["detail"])[i]),
                availability=TimeInterval(start=at(t_events[i]), end=at(end_s)),
                position=Position(cartographicDegrees=[lon, lat, alt if np.isfinite(alt) else 0]),
                point=Point(pixelSize=12, color=color(kinds[i])),
                label=label(text, 11),
            )
        )
    return Document(packets=packets).dumps()


def write_scene_czml(result: RunResult, path: Path | str, **options: Any) -> Path:
    """Write :func:`scene_czml` to ``path`` atomically; return the path."""
    target = Path(path)
    atomic_write_bytes(target, scene_czml(result, **options).encode("utf-8"))
    return target


_ECEF: Final = ("x_ecef_m", "y_ecef_m", "z_ecef_m")
_GEO: Final = ("lat_deg", "lon_deg", "alt_m")


def thin_indices(n: int, limit: int) -> np.ndarray:
    """Indices of at most ``limit`` evenly spread samples of ``n``, ends kept."""
    if n <= max(limit, 2):
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(limit, 2)).round().astype(int))
