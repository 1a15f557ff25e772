"""Chart data of a run, read from its run folder's Parquet tables.

Distances follow the run's ``altitude.png``: downrange is the geodesic distance (WGS 84)
from the launch point of the threat an object belongs to, so a threat's re-entry vehicle
and rocket body start at 0 km and an interceptor's path meets the intercept points drawn
with it. Each path is thinned to at most ``max_points`` samples (its last kept).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any, Final

import numpy as np

from openbmd.errors import OpenBMDError
from openbmd.report.run_figures import downrange_m, object_rows, threat_launch_points

__all__ = ["MAX_POINTS", "chart_data"]

#: Most samples per path sent to the browser.
MAX_POINTS: Final = 2000
_TIMELINE_COLUMNS: Final = (
    "time_s",
    "kind",
    "threat_id",
    "object_id",
    "site_id",
    "sensor_id",
    "interceptor_id",
    "detail",
)


def chart_data(folder: Path, *, max_points: int = MAX_POINTS) -> dict[str, Any]:
    """Trajectories (downrange, altitude, time), the event timeline and the intercepts.

    Parameters
    ----------
    folder : Path
        A run folder (``trajectories.parquet`` and ``events.parquet``).
    max_points : int
        Most samples per path.

    Returns
    -------
    dict
        ``{"trajectories": [{"object_id", "kind", "threat_id", "downrange_km",
        "alt_km", "time_s"}], "timeline": [event rows], "intercepts": [{"time_s",
        "alt_km", "downrange_km", "object_id", "interceptor_id", "detail"}]}``; numbers
        that do not apply are ``None``.

    Raises
    ------
    OpenBMDError
        A table is missing or unreadable.
    """
    stamps = []
    for name in ("trajectories.parquet", "events.parquet"):
        try:
            stat = (folder / name).stat()
        except OSError:
            raise OpenBMDError(f"the run folder has no {name}") from None
        stamps.append((stat.st_mtime_ns, stat.st_size))
    return _cached(str(folder), tuple(stamps), int(max_points))


@functools.lru_cache(maxsize=32)
def _cached(folder: str, _stamps: tuple[Any, ...], max_points: int) -> dict[str, Any]:
    from openbmd.io.parquet import read_table

    try:
        traj, _ = read_table(Path(folder) / "trajectories.parquet")
        events, _ = read_table(Path(folder) / "events.parquet")
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise OpenBMDError(f"cannot read the run's tables: {exc}") from None
    origins = threat_launch_points(traj, events)
    return {
        "trajectories": _trajectories(traj, origins, max_points),
        "timeline": _timeline(events),
        "intercepts": _intercepts(events, origins),
    }


def _numbers(values: np.ndarray, scale: float = 1.0, digits: int = 3) -> list[float | None]:
    return [
        round(float(v) * scale, digits) if math.isfinite(float(v)) else None
        for v in np.asarray(values, dtype=float)
    ]


def _downrange_km(origin: tuple[float, float], lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return downrange_m(origin, lat, lon) / 1000.0


def _thin(rows: np.ndarray, max_points: int) -> np.ndarray:
    if rows.size <= max_points:
        return rows
    step = math.ceil(rows.size / max_points)
    kept = rows[::step]
    return kept if kept[-1] == rows[-1] else np.append(kept[: max_points - 1], rows[-1])


def _trajectories(
    traj: dict[str, np.ndarray], origins: dict[str, tuple[float, float]], max_points: int
) -> list[dict[str, Any]]:
    out = []
    for object_id, rows in object_rows(traj["object_id"]):
        rows = _thin(rows[np.argsort(traj["time_s"][rows], kind="stable")], max_points)
        threat = str(traj["threat_id"][rows[0]])
        lat, lon = traj["lat_deg"][rows], traj["lon_deg"][rows]
        origin = origins.get(threat, (float(lat[0]), float(lon[0])))
        out.append(
            {
                "object_id": object_id,
                "kind": str(traj["kind"][rows[0]]),
                "threat_id": threat,
                "downrange_km": _numbers(_downrange_km(origin, lat, lon)),
                "alt_km": _numbers(traj["alt_m"][rows], 1e-3),
                "time_s": _numbers(traj["time_s"][rows]),
            }
        )
    return out


def _timeline(events: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    columns = [c for c in _TIMELINE_COLUMNS if c in events]
    times = _numbers(events["time_s"])
    rows = []
    for i in range(len(times)):
        row: dict[str, Any] = {c: str(events[c][i]) for c in columns if c != "time_s"}
        row["time_s"] = times[i]
        rows.append(row)
    return rows


def _intercepts(
    events: dict[str, np.ndarray], origins: dict[str, tuple[float, float]]
) -> list[dict[str, Any]]:
    out = []
    for i in np.flatnonzero(events["kind"] == "intercept").tolist():
        threat = str(events["threat_id"][i])
        lat = np.array([float(events["lat_deg"][i])])
        lon = np.array([float(events["lon_deg"][i])])
        origin = origins.get(threat)
        down = _downrange_km(origin, lat, lon) if origin is not None else np.array([np.nan])
        out.append(
            {
                "time_s": _numbers(events["time_s"][i : i + 1])[0],
                "alt_km": _numbers(events["alt_m"][i : i + 1], 1e-3)[0],
                "downrange_km": _numbers(down)[0],
                "object_id": str(events["object_id"][i]),
                "interceptor_id": str(events.get("interceptor_id", events["object_id"])[i]),
                "threat_id": threat,
                "detail": str(events["detail"][i]),
            }
        )
    return out
