"""The scene of a run as KML (Google Earth and GIS tools), written with simplekml.

Folders:

- ``Sites``: sensor and interceptor sites as placemarks (absolute altitude);
- ``Radar coverage``: coverage outlines as lines on the ground;
- ``Trajectories``: each object's path as a 3-D LineString at absolute altitude (height
  above the WGS 84 ellipsoid, as KML expects), visible from its launch time on;
- ``Moving objects``: each object as a ``gx:Track`` (time-tagged positions) that
  Google Earth's time slider animates;
- ``Events``: intercept and leaker points, shown from their time on.

Calendar time is ``RunResult.epoch`` + ``time_s``, in UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from openbmd.io.atomic import atomic_write_bytes
from openbmd.io.scene_czml import iso_utc, thin_indices

if TYPE_CHECKING:
    from openbmd.pipeline.result import RunResult

__all__ = ["scene_kml", "write_scene_kml"]

#: RGBA by object, site or event kind.
_COLORS: Final = {
    "reentry-vehicle": (230, 40, 40, 255),
    "rocket-body": (170, 170, 170, 255),
    "interceptor": (40, 140, 255, 255),
    "radar": (170, 90, 230, 255),
    "interceptor-site": (40, 140, 255, 255),
    "early-warning-satellite": (180, 180, 40, 255),
    "intercept": (255, 200, 0, 255),
    "leaker": (255, 0, 0, 255),
}
_EVENT_POINTS: Final = ("intercept", "leaker")


def scene_kml(
    result: RunResult,
    *,
    run_id: str | None = None,
    epoch: datetime | None = None,
    max_points_per_object: int = 2000,
) -> str:
    """The KML document (XML text) of a run; arguments as :func:`scene_czml`."""
    import simplekml

    t0 = epoch or result.epoch

    def at(t_s: float) -> str:
        return iso_utc(t0 + timedelta(seconds=float(t_s)))

    def color(kind: str) -> Any:
        return simplekml.Color.rgb(*_COLORS.get(kind, (255, 255, 255, 255)))

    title = f"openbmd run {run_id}: {result.scenario_name}" if run_id else result.scenario_name
    doc = simplekml.Kml(name=title)
    absolute = simplekml.AltitudeMode.absolute

    sites, traj, events = result.sites, result.trajectories, result.events
    folder = doc.newfolder(name="Sites")
    site_kind = np.asarray(sites["kind"]).astype(str)
    for i, site_id in enumerate(np.asarray(sites["site_id"]).astype(str).tolist()):
        lat, lon, alt = _geo(sites, i)
        if not np.isfinite([lat, lon]).all():
            continue
        reach = float(np.asarray(sites["max_range_m"], dtype=float)[i])
        point = folder.newpoint(
            name=site_id,
            coords=[(lon, lat, alt if np.isfinite(alt) else 0.0)],
            description=(
                f"{site_kind[i]}, class {np.asarray(sites['class_name'])[i]}"
                + (f", max range {reach / 1e3:,.0f} km" if np.isfinite(reach) else "")
            ),
        )
        point.altitudemode = absolute
        point.style.iconstyle.color = color(site_kind[i])

    folder = doc.newfolder(name="Radar coverage")
    for site_id, (lon_c, lat_c) in result.coverage.items():
        lon_a, lat_a = np.asarray(lon_c, dtype=float), np.asarray(lat_c, dtype=float)
        ok = np.isfinite(lon_a) & np.isfinite(lat_a)
        if ok.sum() < 2:
            continue
        line = folder.newlinestring(
            name=f"coverage of {site_id}",
            coords=list(zip(lon_a[ok].tolist(), lat_a[ok].tolist(), strict=True)),
        )
        line.altitudemode = simplekml.AltitudeMode.clamptoground
        line.tessellate = 1
        line.style.linestyle.color = color("radar")
        line.style.linestyle.width = 2

    paths = doc.newfolder(name="Trajectories")
    tracks = doc.newfolder(name="Moving objects")
    object_ids = np.asarray(traj["object_id"]).astype(str)
    t_traj = np.asarray(traj["time_s"], dtype=float)
    for obj in dict.fromkeys(object_ids.tolist()):
        rows = np.flatnonzero(object_ids == obj)
        data = np.column_stack(
            [t_traj[rows], *(np.asarray(traj[c], dtype=float)[rows] for c in _GEO)]
        )
        data = data[np.all(np.isfinite(data), axis=1)]
        if data.shape[0] == 0:
            continue
        data = data[np.argsort(data[:, 0], kind="stable")]
        t, path_lat, path_lon, path_alt = data[thin_indices(data.shape[0], max_points_per_object)].T
        kind = str(np.asarray(traj["kind"])[rows[0]])
        threat = str(np.asarray(traj["threat_id"])[rows[0]])
        coords = list(zip(path_lon.tolist(), path_lat.tolist(), path_alt.tolist(), strict=True))
        description = f"{kind}, threat {threat}" if threat else kind
        line = paths.newlinestring(name=obj, coords=coords, description=description)
        line.altitudemode = absolute
        line.timespan.begin = at(t[0])
        line.style.linestyle.color = color(kind)
        line.style.linestyle.width = 3 if kind == "reentry-vehicle" else 2
        track = tracks.newgxtrack(name=obj, description=description)
        track.newwhen([at(x) for x in t.tolist()])
        track.newgxcoord(coords)
        track.altitudemode = absolute
        track.style.iconstyle.color = color(kind)

    folder = doc.newfolder(name="Events")
    kinds = np.asarray(events["kind"]).astype(str)
    t_events = np.asarray(events["time_s"], dtype=float)
    for i in np.flatnonzero(np.isin(kinds, _EVENT_POINTS)).tolist():
        lat, lon, alt = _geo(events, i)
        if not (np.isfinite([lat, lon]).all() and np.isfinite(t_events[i])):
            continue
        threat = str(np.asarray(events["threat_id"])[i])
        interceptor = str(np.asarray(events["interceptor_id"])[i])
        point = folder.newpoint(
            name=f"{kinds[i]} {threat}" + (f" ({interceptor})" if interceptor else ""),
            coords=[(lon, lat, alt if np.isfinite(alt) else 0.0)],
            description=f"t = {t_events[i]:.1f} s; {np.asarray(events['detail'])[i]}",
        )
        point.altitudemode = absolute
        point.timespan.begin = at(t_events[i])
        point.style.iconstyle.color = color(kinds[i])
        point.style.iconstyle.scale = 1.4
    return str(doc.kml())


def write_scene_kml(result: RunResult, path: Path | str, **options: Any) -> Path:
    """Write :func:`scene_kml` to ``path`` atomically; return the path."""
    target = Path(path)
    atomic_write_bytes(target, scene_kml(result, **options).encode("utf-8"))
    return target


_GEO: Final = ("lat_deg", "lon_deg", "alt_m")


def _geo(table: Any, i: int) -> tuple[float, float, float]:
    lat, lon, alt = (float(np.asarray(table[c], dtype=float)[i]) for c in _GEO)
    return lat, lon, alt
