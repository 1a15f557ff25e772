"""What a scenario run produces: the contract between the pipeline and its outputs.

The pipeline (:mod:`openbmd.pipeline`) fills a :class:`RunResult`; the edges (Parquet,
CZML, KML, figures, the HTML report, the run store) only read it. Tables are plain
column dictionaries of equal-length 1-D numpy arrays (strings as object arrays of
``str``), so that they convert to Arrow/Parquet, xarray or pandas without copying
logic. Times are seconds since the scenario epoch; positions are geodetic WGS 84
(degrees, metres) plus ECEF metres where a 3-D tool needs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

#: Event kinds of the time-ordered event log, in the order a run produces them.
EVENT_KINDS = (
    "launch",  # a threat lifts off
    "cue",  # space-based early warning reports a launch
    "detection",  # first detection of an object by a radar (later ones are not logged)
    "firm-track",  # a track is confirmed
    "launch-decision",  # the battle manager decides to fire or not (detail = reason)
    "interceptor-launch",
    "intercept",  # end of the homing endgame (detail: miss distance)
    "kill-assessment",  # killed or not (detail)
    "leaker",  # a threat object reaches the ground unkilled
    "impact",  # any object reaches the ground
)

#: Columns of :attr:`RunResult.events` (all present, NaN/"" where not applicable).
EVENT_COLUMNS = (
    "time_s",  # float64
    "kind",  # str, one of EVENT_KINDS
    "threat_id",  # str ("" if none)
    "object_id",  # str ("" if none), e.g. "T1-RV"
    "sensor_id",  # str
    "site_id",  # str
    "interceptor_id",  # str
    "lat_deg",  # float64
    "lon_deg",  # float64
    "alt_m",  # float64
    "detail",  # str: reason in words, miss distance, etc.
)

#: Columns of :attr:`RunResult.trajectories`, one row per object per sample.
TRAJECTORY_COLUMNS = (
    "object_id",  # str
    "kind",  # str: "reentry-vehicle", "rocket-body", "interceptor"
    "threat_id",  # str (for interceptors: the threat they were fired at)
    "time_s",  # float64
    "lat_deg",
    "lon_deg",
    "alt_m",
    "x_ecef_m",
    "y_ecef_m",
    "z_ecef_m",
)

#: Columns of :attr:`RunResult.sites`.
SITE_COLUMNS = (
    "site_id",  # str
    "kind",  # str: "radar", "interceptor-site", "early-warning-satellite"
    "class_name",  # catalog class
    "lat_deg",
    "lon_deg",
    "alt_m",
    "max_range_m",  # radar: detection range of the reference target; site: reach
)

Table = Mapping[str, np.ndarray]

#: Calendar time of the scenario epoch (t = 0) unless the scenario sets one.
DEFAULT_EPOCH = datetime(2018, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RunResult:
    """A complete scenario run (immutable).

    Attributes
    ----------
    scenario_name : str
    scenario_yaml : str
        The scenario text as run (echoed in the report, hashed in the run store).
    seed : int
    software_version : str
    summary : dict
        JSON-ready key metrics with unit-suffixed names (``threats``, ``leakers``,
        ``kills``, ``leakers``, ``interceptors_fired``, ``stage_seconds``, ...).
    events : Table
        Time-ordered event log, columns :data:`EVENT_COLUMNS`.
    trajectories : Table
        Sampled paths of every object, columns :data:`TRAJECTORY_COLUMNS`.
    sites : Table
        Sensors and defence sites, columns :data:`SITE_COLUMNS`.
    sources : dict
        Parameter path -> public source text, for every nominal parameter used.
    coverage : dict, optional
        Radar coverage outlines for maps: site_id -> (lon_deg array, lat_deg array).
    epoch : datetime, optional
        Calendar time (UTC) of the scenario epoch t = 0, used where files show calendar
        time (CZML, KML); default :data:`DEFAULT_EPOCH`.
    """

    scenario_name: str
    scenario_yaml: str
    seed: int
    software_version: str
    summary: dict[str, Any]
    events: Table
    trajectories: Table
    sites: Table
    sources: dict[str, str] = field(default_factory=dict)
    coverage: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    epoch: datetime = DEFAULT_EPOCH

    def __post_init__(self) -> None:
        for name, table, cols in (
            ("events", self.events, EVENT_COLUMNS),
            ("trajectories", self.trajectories, TRAJECTORY_COLUMNS),
            ("sites", self.sites, SITE_COLUMNS),
        ):
            missing = [c for c in cols if c not in table]
            if missing:
                raise ValueError(f"RunResult.{name} lacks columns {missing}")
            lengths = {len(np.asarray(table[c])) for c in cols}
            if len(lengths) > 1:
                raise ValueError(f"RunResult.{name} columns differ in length: {lengths}")


def empty_table(columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """A table with no rows (float columns float64, others object)."""
    text = {
        "kind",
        "threat_id",
        "object_id",
        "sensor_id",
        "site_id",
        "interceptor_id",
        "detail",
        "class_name",
    }
    return {c: np.empty(0, dtype=object if c in text else float) for c in columns}
