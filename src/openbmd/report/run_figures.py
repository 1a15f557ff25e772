"""Figures of a scenario run (matplotlib, PNG): map, altitude profile, engagement timeline.

All three read only a :class:`~openbmd.pipeline.result.RunResult`:

- :func:`run_map_figure`: ground tracks of every object, radar coverage outlines,
  sites, intercept points and leakers over the shipped Natural Earth coastlines;
- :func:`altitude_figure`: altitude against downrange from each threat's launch point,
  interceptors included (measured from the launch point of the threat they were fired
  at), intercepts marked;
- :func:`timeline_figure`: per threat, launch, cue, detection, firm track, interceptor
  launches, intercept, kill assessment, leak and impact against time.

A ``kill-assessment`` event counts as a kill when its detail starts with ``kill``
(``"killed"``, ``"kill (miss 0.3 m)"``); any other detail is a survivor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from openbmd.report.maps import draw_coastlines, figure_png, map_axes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from openbmd.pipeline.result import RunResult

__all__ = [
    "FIGURE_FILES",
    "altitude_figure",
    "downrange_m",
    "is_kill",
    "object_rows",
    "run_figures_png",
    "run_map_figure",
    "threat_launch_points",
    "timeline_figure",
]

#: File name -> (caption) of the figures written into a run folder.
FIGURE_FILES: Final = {
    "map.png": "Ground tracks, radar coverage, sites and intercept points",
    "altitude.png": "Altitude against downrange from each threat's launch point",
    "timeline.png": "Engagement timeline per threat",
}

_OBJECT_STYLE: Final[dict[str, dict[str, Any]]] = {
    "reentry-vehicle": {"color": "tab:red", "ls": "-", "lw": 1.6},
    "rocket-body": {"color": "0.45", "ls": "--", "lw": 1.0},
    "interceptor": {"color": "tab:blue", "ls": "-.", "lw": 1.3},
}
_SITE_STYLE: Final = {
    "radar": ("^", "tab:purple"),
    "interceptor-site": ("s", "tab:blue"),
    "early-warning-satellite": ("*", "tab:olive"),
}
#: Event kind -> (marker, colour, label) on the timeline.
_TIMELINE_STYLE: Final = {
    "launch": ("^", "black", "launch"),
    "cue": ("d", "0.5", "early-warning cue"),
    "detection": ("o", "tab:cyan", "first detection"),
    "firm-track": ("s", "tab:purple", "firm track"),
    "launch-decision": ("|", "0.3", "launch decision"),
    "interceptor-launch": (">", "tab:blue", "interceptor launch"),
    "intercept": ("*", "goldenrod", "intercept"),
    "kill": ("P", "tab:green", "kill"),
    "no-kill": ("X", "tab:orange", "no kill"),
    "leaker": ("X", "tab:red", "leaker"),
    "impact": ("v", "saddlebrown", "impact"),
}


def is_kill(detail: str) -> bool:
    """Whether a ``kill-assessment`` event's detail reports a kill."""
    return str(detail).strip().lower().startswith("kill")


def run_figures_png(result: RunResult, *, dpi: int = 110) -> dict[str, bytes]:
    """PNG bytes of the three run figures, keyed by their file names (:data:`FIGURE_FILES`)."""
    return {
        "map.png": figure_png(run_map_figure(result), dpi=dpi),
        "altitude.png": figure_png(altitude_figure(result), dpi=dpi),
        "timeline.png": figure_png(timeline_figure(result), dpi=dpi),
    }


def run_map_figure(result: RunResult, *, figsize: tuple[float, float] = (8.0, 7.0)) -> Figure:
    """Map of ground tracks, coverage outlines, sites, intercepts and leakers."""
    traj, sites, events = _table(result.trajectories), _table(result.sites), _table(result.events)
    lon_all = [traj["lon_deg"], sites["lon_deg"], events["lon_deg"]]
    lat_all = [traj["lat_deg"], sites["lat_deg"], events["lat_deg"]]
    for lon_c, lat_c in result.coverage.values():
        lon_all.append(np.asarray(lon_c, dtype=float))
        lat_all.append(np.asarray(lat_c, dtype=float))
    center = _center_lon(np.concatenate(lon_all))
    extent = _extent(_wrap(np.concatenate(lon_all), center), np.concatenate(lat_all), center=center)
    fig, ax = map_axes(extent, figsize=figsize)
    for site_id, (lon_c, lat_c) in result.coverage.items():
        ax.plot(
            _wrap(np.asarray(lon_c, dtype=float), center),
            np.asarray(lat_c, dtype=float),
            color="tab:purple",
            lw=0.9,
            alpha=0.8,
            zorder=2,
            label="radar coverage" if site_id == next(iter(result.coverage)) else None,
        )
    labelled: set[str] = set()
    for _obj, rows in object_rows(traj["object_id"]):
        kind = str(traj["kind"][rows[0]])
        style: dict[str, Any] = _OBJECT_STYLE.get(kind, {"color": "tab:gray", "ls": ":", "lw": 1.0})
        lon = np.unwrap(_wrap(traj["lon_deg"][rows], center), period=360.0)
        ax.plot(
            lon,
            traj["lat_deg"][rows],
            zorder=4,
            label=None if kind in labelled else kind.replace("-", " "),
            **style,
        )
        labelled.add(kind)
        ax.plot(lon[0], traj["lat_deg"][rows][0], "k.", ms=3, zorder=4)
    for i in range(len(sites["site_id"])):
        marker, color = _SITE_STYLE.get(str(sites["kind"][i]), ("o", "black"))
        x, y = _wrap(sites["lon_deg"][i : i + 1], center)[0], sites["lat_deg"][i]
        kind = str(sites["kind"][i])
        ax.plot(
            x,
            y,
            marker,
            color=color,
            ms=8,
            mec="black",
            zorder=5,
            label=None if f"site:{kind}" in labelled else kind.replace("-", " "),
        )
        labelled.add(f"site:{kind}")
        ax.annotate(
            str(sites["site_id"][i]),
            (x, y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            zorder=6,
        )
    for kind, marker, color, label in (
        ("intercept", "*", "goldenrod", "intercept"),
        ("leaker", "X", "tab:red", "leaker"),
    ):
        rows = np.flatnonzero(events["kind"] == kind)
        rows = rows[np.isfinite(events["lat_deg"][rows]) & np.isfinite(events["lon_deg"][rows])]
        if rows.size:
            ax.plot(
                _wrap(events["lon_deg"][rows], center),
                events["lat_deg"][rows],
                marker,
                color=color,
                mec="black",
                ms=11,
                ls="none",
                zorder=6,
                label=label,
            )
    draw_coastlines(ax)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=8)
    ax.set_title(f"{result.scenario_name}: ground tracks and defences", fontsize=10)
    fig.tight_layout()
    return fig


def altitude_figure(result: RunResult, *, figsize: tuple[float, float] = (9.0, 5.0)) -> Figure:
    """Altitude against downrange from each threat's launch point, intercepts marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    traj, events = _table(result.trajectories), _table(result.events)
    origins = threat_launch_points(traj, events)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    threat_color = {t: colors[i % len(colors)] for i, t in enumerate(origins)}
    fig, ax = plt.subplots(figsize=figsize)
    groups = object_rows(traj["object_id"])
    for obj, rows in groups:
        threat = str(traj["threat_id"][rows[0]])
        kind = str(traj["kind"][rows[0]])
        if threat not in origins:
            continue
        down = downrange_m(origins[threat], traj["lat_deg"][rows], traj["lon_deg"][rows])
        style: dict[str, Any] = dict(_OBJECT_STYLE.get(kind, {"ls": ":", "lw": 1.0}))
        style["color"] = threat_color[threat]
        ax.plot(
            down / 1e3,
            traj["alt_m"][rows] / 1e3,
            label=obj if len(groups) <= 12 else None,
            **style,
        )
    hits = np.flatnonzero(events["kind"] == "intercept")
    first = True
    for i in hits.tolist():
        threat = str(events["threat_id"][i])
        lat, lon, alt = events["lat_deg"][i], events["lon_deg"][i], events["alt_m"][i]
        if threat not in origins or not np.isfinite([lat, lon, alt]).all():
            continue
        down = downrange_m(origins[threat], np.array([lat]), np.array([lon]))
        ax.plot(
            down / 1e3,
            alt / 1e3,
            "*",
            color="goldenrod",
            mec="black",
            ms=13,
            zorder=5,
            label="intercept" if first else None,
        )
        first = False
    if not groups:
        ax.text(0.5, 0.5, "no trajectories", transform=ax.transAxes, ha="center")
    ax.set_xlabel("downrange from the threat's launch point, km")
    ax.set_ylabel("altitude, km")
    ax.set_ylim(bottom=0.0)
    ax.set_xlim(left=0.0)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=8, ncol=2)
    ax.set_title(f"{result.scenario_name}: altitude profiles", fontsize=10)
    fig.tight_layout()
    return fig


def timeline_figure(result: RunResult, *, width_in: float = 10.0) -> Figure:
    """Events of each threat against time since the scenario epoch."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    events, traj = _table(result.events), _table(result.trajectories)
    threats = _threat_order(events, traj)
    height = min(1.8 + 0.45 * max(len(threats), 1), 30.0)
    fig, ax = plt.subplots(figsize=(width_in, height))
    row_of = {t: i for i, t in enumerate(threats)}
    for t, y in row_of.items():
        times = events["time_s"][(events["threat_id"] == t) & np.isfinite(events["time_s"])]
        times = np.concatenate([times, traj["time_s"][traj["threat_id"] == t]])
        if times.size:
            ax.hlines(y, np.nanmin(times), np.nanmax(times), color="0.75", lw=3, zorder=1)
    shown: set[str] = set()
    for i in range(len(events["time_s"])):
        threat, kind = str(events["threat_id"][i]), str(events["kind"][i])
        if threat not in row_of or not np.isfinite(events["time_s"][i]):
            continue
        if kind == "kill-assessment":
            kind = "kill" if is_kill(str(events["detail"][i])) else "no-kill"
        if kind not in _TIMELINE_STYLE:
            continue
        marker, color, label = _TIMELINE_STYLE[kind]
        ax.plot(
            events["time_s"][i],
            row_of[threat],
            marker,
            color=color,
            ms=9,
            mec="black" if marker not in "|" else color,
            zorder=3,
            label=None if kind in shown else label,
        )
        shown.add(kind)
    ax.set_yticks(range(len(threats)), labels=threats)
    ax.set_ylim(len(threats) - 0.5 if threats else 0.5, -0.5)
    ax.set_xlabel("time since the scenario epoch, s")
    ax.set_ylabel("threat")
    ax.grid(axis="x", alpha=0.3)
    if not threats:
        ax.text(0.5, 0.5, "no threats", transform=ax.transAxes, ha="center")
    if shown:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, borderaxespad=0.0)
    ax.set_title(f"{result.scenario_name}: engagement timeline", fontsize=10)
    fig.tight_layout()
    return fig


# -- helpers ---------------------------------------------------------------------------


def _table(table: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Columns as arrays: text as ``str`` object arrays, the rest float64."""
    out = {}
    for name, values in table.items():
        arr = np.asarray(values)
        out[name] = (
            arr.astype(float) if arr.dtype.kind in "fiub" else arr.astype(str).astype(object)
        )
    return out


def object_rows(ids: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Row indices of each id, in order of first appearance, rows sorted as given."""
    order: dict[str, list[int]] = {}
    for i, v in enumerate(ids.tolist()):
        order.setdefault(str(v), []).append(i)
    return [(k, np.asarray(v)) for k, v in order.items()]


def _center_lon(lon: np.ndarray) -> float:
    lon = lon[np.isfinite(lon)]
    if lon.size == 0:
        return 0.0
    r = np.radians(lon)
    return float(np.degrees(np.arctan2(np.mean(np.sin(r)), np.mean(np.cos(r)))))


def _wrap(lon: np.ndarray, center: float) -> np.ndarray:
    """Longitudes moved into ``[center - 180, center + 180)``."""
    return (np.asarray(lon, dtype=float) - center + 180.0) % 360.0 - 180.0 + center


def _extent(
    lon: np.ndarray, lat: np.ndarray, *, center: float
) -> tuple[float, float, float, float]:
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not np.any(ok):
        return (-180.0, 180.0, -90.0, 90.0)
    x0, x1 = float(np.min(lon[ok])), float(np.max(lon[ok]))
    y0, y1 = float(np.min(lat[ok])), float(np.max(lat[ok]))
    mx = max(0.08 * (x1 - x0), 1.0)
    my = max(0.08 * (y1 - y0), 1.0)
    x0, x1 = x0 - mx, x1 + mx
    if x1 - x0 > 360.0:
        x0, x1 = center - 180.0, center + 180.0
    return (x0, x1, max(y0 - my, -90.0), min(y1 + my, 90.0))


def threat_launch_points(
    traj: dict[str, np.ndarray], events: dict[str, np.ndarray]
) -> dict[str, tuple[float, float]]:
    """Threat id -> launch (lat, lon): the launch event, else the first sample."""
    points: dict[str, tuple[float, float]] = {}
    for i in np.flatnonzero(events["kind"] == "launch").tolist():
        t = str(events["threat_id"][i])
        lat, lon = float(events["lat_deg"][i]), float(events["lon_deg"][i])
        if t and t not in points and np.isfinite([lat, lon]).all():
            points[t] = (lat, lon)
    for _obj, rows in object_rows(traj["object_id"]):
        t = str(traj["threat_id"][rows[0]])
        if t and t not in points and str(traj["kind"][rows[0]]) != "interceptor":
            j = int(rows[np.argmin(traj["time_s"][rows])])
            points[t] = (float(traj["lat_deg"][j]), float(traj["lon_deg"][j]))
    return points


def downrange_m(origin: tuple[float, float], lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Geodesic distance (m) from ``origin`` (lat, lon deg) to each point; NaN stays NaN."""
    from openbmd.geodesy import geodesic_inverse

    out = np.full(lat.shape, np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if np.any(ok):
        n = int(ok.sum())
        dist, _, _ = geodesic_inverse(
            np.full(n, origin[0]), np.full(n, origin[1]), lat[ok], lon[ok]
        )
        out[ok] = np.asarray(dist, dtype=float)
    return out


def _threat_order(events: dict[str, np.ndarray], traj: dict[str, np.ndarray]) -> list[str]:
    """Threat ids by launch time (launch event, else first event or sample)."""
    first: dict[str, float] = {}
    for ids, times in (
        (events["threat_id"], events["time_s"]),
        (traj["threat_id"], traj["time_s"]),
    ):
        for t, time_s in zip(ids.tolist(), times.tolist(), strict=True):
            if t and np.isfinite(time_s):
                first[t] = min(first.get(t, np.inf), time_s)
    for i in np.flatnonzero(events["kind"] == "launch").tolist():
        t = str(events["threat_id"][i])
        if t and np.isfinite(events["time_s"][i]):
            first[t] = float(events["time_s"][i])
    return sorted(first, key=lambda t: (first[t], t))
