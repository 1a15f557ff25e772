"""Result types of a reach check (:func:`openbmd.analysis.reach_check.reach_check`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ReachCheck", "SiteReach"]


@dataclass(frozen=True)
class SiteReach:
    """The reach of one site (times in s after the threat's launch, SI units).

    Window fields are NaN (and ``shot_opportunities`` 0) when the window is empty.
    ``reason`` is ``""`` when reachable, else the kinematic reason of the engagement
    windows (``"out of reach"``, ``"below the minimum intercept altitude"``, ...),
    ``"no track"`` (the site's radar never holds a firm track) or ``"too late"`` (the
    firm track, or even a track at the threat's launch, comes after the latest launch
    time); ``reason_detail`` says it in a
    sentence. Arrays (T,) on the threat's sample times: ``detectable`` (by the site's
    radar; all False when the firm track was given), ``kinematic_launch_s`` (latest
    launch time to reach each point, NaN where it cannot at all), ``window`` (feasible
    with the firm track).
    """

    name: str
    lat_deg: float
    lon_deg: float
    closest_ground_range_m: float
    first_detection_s: float
    firm_track_s: float
    firm_track_source: str
    reachable: bool
    reason: str
    reason_detail: str
    earliest_launch_s: float
    latest_launch_s: float
    earliest_intercept_s: float
    latest_intercept_s: float
    min_intercept_alt_m: float
    max_intercept_alt_m: float
    min_ground_range_m: float
    max_ground_range_m: float
    shot_opportunities: int
    kinematic_earliest_intercept_s: float
    kinematic_latest_intercept_s: float
    latest_firm_track_s: float
    track_margin_s: float
    detectable: np.ndarray
    kinematic_launch_s: np.ndarray
    window: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures (km for distances and altitudes; NaN stays NaN)."""
        return {
            "name": self.name,
            "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg,
            "reachable": self.reachable,
            "reason": self.reason,
            "reason_detail": self.reason_detail,
            "closest_ground_range_km": self.closest_ground_range_m / 1e3,
            "first_detection_s": self.first_detection_s,
            "firm_track_s": self.firm_track_s,
            "firm_track_source": self.firm_track_source,
            "window": {
                "earliest_launch_s": self.earliest_launch_s,
                "latest_launch_s": self.latest_launch_s,
                "earliest_intercept_s": self.earliest_intercept_s,
                "latest_intercept_s": self.latest_intercept_s,
                "min_intercept_alt_km": self.min_intercept_alt_m / 1e3,
                "max_intercept_alt_km": self.max_intercept_alt_m / 1e3,
                "min_ground_range_km": self.min_ground_range_m / 1e3,
                "max_ground_range_km": self.max_ground_range_m / 1e3,
                "shot_opportunities": self.shot_opportunities,
            },
            "kinematic_earliest_intercept_s": self.kinematic_earliest_intercept_s,
            "kinematic_latest_intercept_s": self.kinematic_latest_intercept_s,
            "latest_firm_track_s": self.latest_firm_track_s,
            "track_margin_s": self.track_margin_s,
        }


@dataclass(frozen=True)
class ReachCheck:
    """Result of :func:`reach_check` (see the module notes for the margins).

    ``speed_margin_bound`` is ``""`` (found to within the bisection tolerance),
    ``"at least"`` or ``"at most"`` (the search hit its floor or ceiling);
    ``speed_margin_basis`` is ``"firm track"`` or ``"track at launch"``.
    ``required_burnout_speed_m_s`` is the fly-out burnout speed the class would need (or
    the floor/ceiling tried), ``burnout_speed_m_s`` the class's own, both measured on
    the longest-range fly-out with drag, as the catalog's published speed is.
    ``time_s`` and ``threat_alt_m`` (T,) are the threat's samples.
    """

    interceptor: str
    missile: str
    shape: str
    launch_lat_deg: float
    launch_lon_deg: float
    aim_lat_deg: float
    aim_lon_deg: float
    time_of_flight_s: float
    apogee_alt_m: float
    threat_burnout_s: float
    radar: str
    early_warning: bool
    cue_report_s: float
    confirmation_hits: int
    reaction_time_s: float
    reachable: bool
    sites: tuple[SiteReach, ...]
    track_margin_s: float
    latest_firm_track_s: float
    speed_margin_m_s: float
    speed_margin_bound: str
    speed_margin_basis: str
    burnout_speed_m_s: float
    required_burnout_speed_m_s: float
    published_burnout_speed_m_s: float
    design_bracket_m_s: tuple[float, float]
    time_s: np.ndarray
    threat_alt_m: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (km for distances and altitudes; NaN stays NaN)."""
        return {
            "reachable": self.reachable,
            "interceptor": self.interceptor,
            "missile": self.missile,
            "shape": self.shape,
            "launch": [self.launch_lat_deg, self.launch_lon_deg],
            "aim": [self.aim_lat_deg, self.aim_lon_deg],
            "time_of_flight_s": self.time_of_flight_s,
            "apogee_alt_km": self.apogee_alt_m / 1e3,
            "threat_burnout_s": self.threat_burnout_s,
            "radar": self.radar,
            "early_warning": self.early_warning,
            "cue_report_s": self.cue_report_s,
            "confirmation_hits": self.confirmation_hits,
            "reaction_time_s": self.reaction_time_s,
            "speed_margin_m_s": self.speed_margin_m_s,
            "speed_margin_bound": self.speed_margin_bound,
            "speed_margin_basis": self.speed_margin_basis,
            "burnout_speed_m_s": self.burnout_speed_m_s,
            "required_burnout_speed_m_s": self.required_burnout_speed_m_s,
            "published_burnout_speed_m_s": self.published_burnout_speed_m_s,
            "track_margin_s": self.track_margin_s,
            "latest_firm_track_s": self.latest_firm_track_s,
            "sites": [s.to_dict() for s in self.sites],
        }
