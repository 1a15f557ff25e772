"""A small synthetic :class:`~openbmd.pipeline.result.RunResult` for output tests.

Two threats from one launch area toward two aim points, one radar and one interceptor
site; one interceptor kills threat T1, threat T2 leaks. The paths are simple arcs (not
physics): the outputs only need plausible, consistent tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from openbmd.geodesy import geodetic_to_ecef
from openbmd.pipeline.result import RunResult

SCENARIO_YAML = """\
name: test-two-threats
# a comment with <html> & "quotes" that the report must escape
epoch: 2020-06-01T12:00:00Z
threats:
  - {id: T1, class: mrbm, launch: [39.0, 125.0], aim: [35.5, 129.0]}
  - {id: T2, class: mrbm, launch: [39.2, 125.3], aim: [36.0, 128.0]}
"""

SOURCES = {
    "threats.mrbm.burnout_speed": "Wright (2019), Table 2, public estimate",
    "sensors.R1.peak_power": "CRS report R46000 (2020), p. 12, https://example.org/crs",
}

SUMMARY: dict[str, Any] = {
    "threats": 2,
    "leakers": 1,
    "p_no_leaker": 0.42,
    "interceptors_fired": 1,
    "first_detection_s": 61.5,
    "stage_seconds": {"trajectories": 0.8, "tracking": 0.25},
    "note": "synthetic",
}


def _arc(
    lat0: float,
    lon0: float,
    lat1: float,
    lon1: float,
    t0: float,
    t1: float,
    apogee_m: float,
    n: int,
) -> dict[str, np.ndarray]:
    s = np.linspace(0.0, 1.0, n)
    lat = lat0 + (lat1 - lat0) * s
    lon = lon0 + (lon1 - lon0) * s
    alt = 4.0 * apogee_m * s * (1.0 - s)
    xyz = geodetic_to_ecef(lat, lon, alt)
    return {
        "time_s": t0 + (t1 - t0) * s,
        "lat_deg": lat,
        "lon_deg": lon,
        "alt_m": alt,
        "x_ecef_m": xyz[:, 0],
        "y_ecef_m": xyz[:, 1],
        "z_ecef_m": xyz[:, 2],
    }


def _trajectories() -> dict[str, np.ndarray]:
    parts = []
    specs = [
        # object, kind, threat, lat0, lon0, lat1, lon1, t0, t1, apogee_m
        ("T1-RV", "reentry-vehicle", "T1", 39.0, 125.0, 35.5, 129.0, 0.0, 420.0, 2.5e5),
        ("T1-RB", "rocket-body", "T1", 39.0, 125.0, 35.8, 128.6, 0.0, 400.0, 2.4e5),
        ("T2-RV", "reentry-vehicle", "T2", 39.2, 125.3, 36.0, 128.0, 30.0, 400.0, 2.0e5),
        ("I1", "interceptor", "T1", 35.9, 128.3, 36.4, 128.1, 300.0, 360.0, 2.0e5),
    ]
    for obj, kind, threat, la0, lo0, la1, lo1, t0, t1, apo in specs:
        n = 25
        arc = _arc(la0, lo0, la1, lo1, t0, t1, apo, n)
        if kind == "interceptor":  # climbs to the intercept point, no descent
            arc["alt_m"] = 2.0e5 * np.linspace(0.0, 1.0, n) ** 0.5
        parts.append(
            {
                "object_id": np.array([obj] * n, dtype=object),
                "kind": np.array([kind] * n, dtype=object),
                "threat_id": np.array([threat] * n, dtype=object),
                **arc,
            }
        )
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


_EVENTS = [
    # time_s, kind, threat, object, sensor, site, interceptor, lat, lon, alt, detail
    (0.0, "launch", "T1", "T1-RV", "", "", "", 39.0, 125.0, 0.0, ""),
    (30.0, "launch", "T2", "T2-RV", "", "", "", 39.2, 125.3, 0.0, ""),
    (45.0, "cue", "T1", "", "SBIRS", "", "", 39.0, 125.0, 0.0, "launch cue"),
    (61.5, "detection", "T1", "T1-RV", "R1", "R1", "", 38.6, 125.5, 1.2e5, "first detection"),
    (80.0, "detection", "T2", "T2-RV", "R1", "R1", "", 38.9, 125.6, 1.0e5, ""),
    (95.0, "firm-track", "T1", "T1-RV", "R1", "", "", 38.3, 125.9, 1.9e5, ""),
    (110.0, "firm-track", "T2", "T2-RV", "R1", "", "", 38.6, 125.9, 1.5e5, ""),
    (
        120.0,
        "launch-decision",
        "T2",
        "",
        "",
        "S1",
        "",
        np.nan,
        np.nan,
        np.nan,
        "out of reach <no shot>",
    ),
    (300.0, "interceptor-launch", "T1", "", "", "S1", "I1", 35.9, 128.3, 0.0, ""),
    (360.0, "intercept", "T1", "T1-RV", "", "S1", "I1", 36.4, 128.1, 2.0e5, "miss 0.4 m"),
    (361.0, "kill-assessment", "T1", "T1-RV", "R1", "", "I1", 36.4, 128.1, 2.0e5, "killed"),
    (400.0, "leaker", "T2", "T2-RV", "", "", "", 36.0, 128.0, 0.0, "not engaged"),
    (400.0, "impact", "T2", "T2-RV", "", "", "", 36.0, 128.0, 0.0, ""),
]

_EVENT_COLUMNS = (
    "time_s",
    "kind",
    "threat_id",
    "object_id",
    "sensor_id",
    "site_id",
    "interceptor_id",
    "lat_deg",
    "lon_deg",
    "alt_m",
    "detail",
)


def _events() -> dict[str, np.ndarray]:
    cols = list(zip(*_EVENTS, strict=True))
    out = {}
    for name, values in zip(_EVENT_COLUMNS, cols, strict=True):
        text = not name.endswith(("_s", "_deg", "_m"))
        out[name] = np.array(values, dtype=object if text else float)
    return out


def _sites() -> dict[str, np.ndarray]:
    return {
        "site_id": np.array(["R1", "S1"], dtype=object),
        "kind": np.array(["radar", "interceptor-site"], dtype=object),
        "class_name": np.array(["an-tpy-2", "thaad"], dtype=object),
        "lat_deg": np.array([37.0, 35.9]),
        "lon_deg": np.array([127.0, 128.3]),
        "alt_m": np.array([100.0, 50.0]),
        "max_range_m": np.array([1.0e6, 2.0e5]),
    }


def _circle(lat: float, lon: float, radius_deg: float) -> tuple[np.ndarray, np.ndarray]:
    a = np.linspace(0.0, 2.0 * np.pi, 73)
    return lon + radius_deg * np.cos(a) / np.cos(np.radians(lat)), lat + radius_deg * np.sin(a)


def make_run_result(**changes: Any) -> RunResult:
    """The synthetic run; keyword arguments replace fields."""
    from datetime import UTC, datetime

    fields: dict[str, Any] = {
        "scenario_name": "test-two-threats",
        "scenario_yaml": SCENARIO_YAML,
        "seed": 1234,
        "software_version": "0.1.0",
        "summary": dict(SUMMARY),
        "events": _events(),
        "trajectories": _trajectories(),
        "sites": _sites(),
        "sources": dict(SOURCES),
        "coverage": {"R1": _circle(37.0, 127.0, 3.0)},
        "epoch": datetime(2020, 6, 1, 12, 0, tzinfo=UTC),
    }
    fields.update(changes)
    return RunResult(**fields)
