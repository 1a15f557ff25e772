"""Strategic reach check: can interceptors from given sites reach one trajectory at all?

:func:`reach_check` solves the threat's trajectory (drag, J2, **Earth rotation**:
:func:`openbmd.threats.solve_trajectory`), finds when a radar at each site first detects
and firmly tracks it (:mod:`openbmd.analysis.reach_check_sensing`), or takes the firm
track time given, and then asks the engagement windows
(:func:`openbmd.engagement.windows.intercept_windows`, the class's fly-out table) two
questions for every site:

* **kinematic window**: which points of the trajectory the interceptor can reach at all
  (altitude band, fly-out reach, seeker and closing-speed limits), whatever the track,
  and how late it could launch for each (``t_launch = t_intercept - time to reach``);
* **intercept window**: the subset it can reach when it launches no earlier than the
  site's firm track plus the class's reaction time.

The threat is *reachable* when some site has a non-empty intercept window. Two margins
say how far the answer is from flipping:

* ``track_margin_s``: how much later (positive) the firm track could come, or how much
  earlier (negative) it would have to come, for a reach to exist: the latest launch
  time of the kinematic window minus the reaction time, minus the firm track (best site).
  It is exact to the trajectory's sampling; NaN when no site has a track (then
  ``latest_firm_track_s`` still says by when one would be needed; a negative value is
  before the threat's launch, i.e. impossible).
* ``speed_margin_m_s``: how much slower (positive) or faster (negative) the interceptor
  could or would have to burn out, in the class's published-burnout-speed terms, with
  the same firm tracks (:mod:`openbmd.analysis.reach_check_margins`). When no site has a
  firm track it is computed for the most favourable track, at the threat's launch
  (``speed_margin_basis`` says which).

Times are seconds after the threat's launch. See ``docs/reach-check.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from openbmd.analysis.reach_check_margins import SPEED_TOLERANCE_M_S, SpeedMargin, speed_margin
from openbmd.analysis.reach_check_result import ReachCheck, SiteReach
from openbmd.analysis.reach_check_sensing import (
    confirmation_hits,
    cue_report_time_s,
    sense_from_site,
)
from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.engagement.windows import (
    DEFAULT_KILL_ASSESSMENT_S,
    DEFAULT_MIN_HOMING_S,
    InterceptWindows,
    intercept_windows,
)
from openbmd.errors import ParameterError, require_non_negative, require_range
from openbmd.geodesy import ecef_to_geodetic, geodesic_inverse
from openbmd.interceptors.catalog import get_interceptor
from openbmd.interceptors.flyout import time_to_reach_table
from openbmd.interceptors.interceptor import Interceptor
from openbmd.sensors.rcs import RcsModel
from openbmd.threats import get_missile, solve_trajectory

__all__ = ["DEFAULT_RADAR", "ReachCheck", "SiteReach", "reach_check"]

#: Radar class placed at every site by default: the class of Aegis-type sites.
DEFAULT_RADAR = "s-band-array"
#: Decision time used for the kinematic window: long before anything happens, s.
_NO_TRACK_LIMIT_S = -1.0e9


def _sites(sites: Sequence[tuple[float, float]], names: Sequence[str] | None) -> LaunchSites:
    if len(sites) == 0:
        raise ParameterError("sites", "at least one LAT,LON", "none")
    lat = np.array([float(require_range("site latitude", s[0], -90.0, 90.0)) for s in sites])
    lon = np.array([float(require_range("site longitude", s[1], -180.0, 360.0)) for s in sites])
    labels = tuple(names) if names else tuple(f"{a:g},{b:g}" for a, b in zip(lat, lon, strict=True))
    return LaunchSites(lat, lon, names=labels)


def reach_check(
    interceptor: str,
    sites: Sequence[tuple[float, float]],
    missile: str,
    launch: tuple[float, float],
    aim: tuple[float, float],
    *,
    site_names: Sequence[str] | None = None,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    burnout_angle_deg: float | None = None,
    time_of_flight_s: float | None = None,
    radar: str = DEFAULT_RADAR,
    early_warning: bool = True,
    firm_track_s: float | None = None,
    shared_track: bool = False,
    rcs_m2: float | None = None,
    interceptor_overrides: Mapping[str, Any] | None = None,
    min_homing_s: float = DEFAULT_MIN_HOMING_S,
    kill_assessment_s: float = DEFAULT_KILL_ASSESSMENT_S,
    sample_step_s: float = 1.0,
    margins: bool = True,
    speed_tolerance_m_s: float = SPEED_TOLERANCE_M_S,
) -> ReachCheck:
    """Whether interceptors of one class at ``sites`` can reach one threat trajectory.

    Parameters
    ----------
    interceptor : str
        Catalog interceptor class (``upper-tier``, ...).
    sites : sequence of (lat_deg, lon_deg)
        Interceptor launch sites, geodetic WGS 84, deg (height 0).
    missile : str
        Threat class (``srbm``, ``mrbm``, ``irbm``, ``icbm``).
    launch, aim : (lat_deg, lon_deg)
        Threat launch and aim points, deg.
    site_names : sequence of str, optional
        One label per site (default ``"LAT,LON"``).
    shape, apogee_km, burnout_angle_deg, time_of_flight_s
        Trajectory shape and its parameter (:func:`openbmd.threats.solve_trajectory`).
    radar : str
        Catalog radar class placed at every site (used unless ``firm_track_s`` is given).
    early_warning : bool
        Whether a space-based infrared cue (catalog ``ir-geo``) speeds the confirmation.
    firm_track_s : float, optional
        Firm-track time for every site, s after the threat's launch (>= 0); replaces the
        radars.
    shared_track : bool
        Every site fires on the earliest firm track of any site's radar (networked fire
        control) instead of its own radar's.
    rcs_m2 : float, optional
        Constant RCS of the RV, m^2 (> 0); default the generic conical RV against aspect.
    interceptor_overrides : mapping, optional
        Catalog overrides of the interceptor class (``get_interceptor(name, **...)``).
    min_homing_s, kill_assessment_s : float
        As in :func:`openbmd.engagement.windows.intercept_windows`, s (>= 0).
    sample_step_s : float
        Sampling of the threat trajectory, s, in (0, 10].
    margins : bool
        Compute the speed margin (a bisection over fly-out tables: seconds).
    speed_tolerance_m_s : float
        Width of the bisection's final bracket on the design burnout speed, m/s (> 0).

    Raises
    ------
    ParameterError
        Unknown class or radar, a value out of range.
    UnreachableError
        The aim is beyond the missile's reach (or its shape's).
    """
    step = float(require_range("sample_step_s", sample_step_s, 0.0, 10.0, low_open=True))
    require_non_negative("min_homing_s", min_homing_s)
    require_non_negative("kill_assessment_s", kill_assessment_s)
    if firm_track_s is not None:
        require_non_negative("firm_track_s", firm_track_s)
    rcs = RcsModel.reentry_vehicle() if rcs_m2 is None else RcsModel.constant(rcs_m2)
    launch_sites = _sites(sites, site_names)
    overrides = dict(interceptor_overrides or {})
    icp = get_interceptor(interceptor, **overrides)
    if firm_track_s is None:
        from openbmd.sensors.catalog import get_radar_class

        get_radar_class(radar)  # an unknown class fails before any work
    traj = solve_trajectory(
        get_missile(missile),
        *launch,
        *aim,
        shape,
        apogee_km=apogee_km,
        burnout_angle_deg=burnout_angle_deg,
        time_of_flight_s=time_of_flight_s,
    )
    samples = traj.sample(step)
    tracks = ThreatTracks.from_samples(samples, _NO_TRACK_LIMIT_S)
    t, r, v = tracks.time_s, tracks.r_ecef_m[0], tracks.v_ecef_m_s[0]
    burnout = float(traj.flight.burnout_time_s[0])
    closest, bearing = _closest_approach(launch_sites, r)

    n = launch_sites.size
    first = np.full(n, math.nan)
    firm = np.full(n, math.nan)
    detect = np.zeros((n, t.size), dtype=bool)
    cue = math.nan
    hits = confirmation_hits()
    if firm_track_s is not None:
        firm[:] = float(firm_track_s)
        source = ["given"] * n
    else:
        if early_warning:
            cue = cue_report_time_s(samples, burnout)
        for s in range(n):
            sensed = sense_from_site(
                radar,
                float(launch_sites.lat_deg[s]),
                float(launch_sites.lon_deg[s]),
                float(bearing[s]),
                t,
                r,
                v,
                rcs=rcs,
                cue_s=cue,
                hits=hits,
            )
            detect[s], first[s], firm[s] = (
                sensed.detectable,
                sensed.first_detection_s,
                sensed.firm_track_s,
            )
        source = ["own radar" if np.isfinite(f) else "none" for f in firm]
        if shared_track and np.any(np.isfinite(firm)):
            best = int(np.nanargmin(firm))
            firm[:] = firm[best]
            source = [f"shared ({launch_sites.names[best]})"] * n

    table = time_to_reach_table(icp)
    kinematic = _windows(tracks, launch_sites, icp, table, min_homing_s, kill_assessment_s)
    assert kinematic.launch_time_s is not None and kinematic.feasible is not None
    feasible = kinematic.feasible[0]
    k_launch = np.where(feasible, kinematic.launch_time_s[0], np.nan)
    site_results = []
    for s in range(n):
        w = None
        if math.isfinite(firm[s]):
            one = LaunchSites(launch_sites.lat_deg[s : s + 1], launch_sites.lon_deg[s : s + 1])
            w = _windows(
                ThreatTracks(t, r, v, firm[s]), one, icp, table, min_homing_s, kill_assessment_s
            )
        site_results.append(
            _site_result(
                s, launch_sites, kinematic, w, icp, closest[s], first[s], firm[s], source[s],
                detect[s], k_launch[s], t,
            )
        )  # fmt: skip
    reachable = any(sr.reachable for sr in site_results)
    latest = np.array([sr.latest_firm_track_s for sr in site_results])
    margins_s = np.array([sr.track_margin_s for sr in site_results])

    has_track = np.isfinite(firm)
    basis = "firm track" if has_track.any() else "track at launch"
    decision = np.where(has_track, firm, math.inf) if has_track.any() else np.zeros(n)
    if margins:

        def reaches(it: Interceptor, tab: Any) -> bool:
            kin = _windows(tracks, launch_sites, it, tab, min_homing_s, kill_assessment_s)
            assert kin.feasible is not None and kin.launch_time_s is not None
            ok = kin.feasible[0] & (
                kin.launch_time_s[0] >= (decision + it.reaction_time_s)[:, None]
            )
            return bool(ok.any())

        sm = speed_margin(
            interceptor, reaches, overrides=overrides, tolerance_m_s=speed_tolerance_m_s
        )
    else:
        sm = SpeedMargin(math.nan, "", float(table.burnout_speed_m_s), math.nan, (math.nan,) * 2, 0)
    return ReachCheck(
        interceptor=icp.name,
        missile=missile,
        shape=shape,
        launch_lat_deg=float(launch[0]),
        launch_lon_deg=float(launch[1]),
        aim_lat_deg=float(aim[0]),
        aim_lon_deg=float(aim[1]),
        time_of_flight_s=float(traj.flight.time_of_flight_s[0]),
        apogee_alt_m=float(traj.flight.apogee_alt_m[0]),
        threat_burnout_s=burnout,
        radar="" if firm_track_s is not None else radar,
        early_warning=bool(early_warning and firm_track_s is None),
        cue_report_s=cue,
        confirmation_hits=hits,
        reaction_time_s=icp.reaction_time_s,
        reachable=reachable,
        sites=tuple(site_results),
        track_margin_s=_nanmax(margins_s),
        latest_firm_track_s=_nanmax(latest),
        speed_margin_m_s=sm.speed_margin_m_s,
        speed_margin_bound=sm.bound,
        speed_margin_basis=basis,
        burnout_speed_m_s=sm.burnout_speed_m_s,
        required_burnout_speed_m_s=sm.required_burnout_speed_m_s,
        published_burnout_speed_m_s=icp.published_burnout_speed_m_s,
        design_bracket_m_s=sm.design_bracket_m_s,
        time_s=t,
        threat_alt_m=kinematic.threat_alt_m[0],
    )


def _when(t_s: float) -> str:
    """'by 123 s after the threat's launch', or the impossible case before it."""
    if t_s >= 0.0:
        return f"by {t_s:.0f} s after the threat's launch"
    return f"{-t_s:.0f} s before the threat's launch, which is impossible"


def _nanmax(a: np.ndarray) -> float:
    finite = a[np.isfinite(a)]
    return float(finite.max()) if finite.size else math.nan


def _windows(
    tracks: ThreatTracks,
    sites: LaunchSites,
    icp: Interceptor,
    table: Any,
    min_homing_s: float,
    kill_assessment_s: float,
) -> InterceptWindows:
    return intercept_windows(
        tracks,
        sites,
        icp,
        table=table,
        min_homing_time_s=min_homing_s,
        kill_assessment_s=kill_assessment_s,
        keep_samples=True,
    )


def _closest_approach(sites: LaunchSites, r_ecef_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per site: the smallest ground distance to the threat's ground track (m) and the
    azimuth toward that point (deg)."""
    ok = np.all(np.isfinite(r_ecef_m), axis=1)
    lat, lon, _ = ecef_to_geodetic(r_ecef_m[ok])
    lat, lon = np.atleast_1d(lat), np.atleast_1d(lon)
    dist = np.empty(sites.size)
    az = np.empty(sites.size)
    for s in range(sites.size):
        d, a, _ = geodesic_inverse(
            np.full(lat.size, sites.lat_deg[s]), np.full(lat.size, sites.lon_deg[s]), lat, lon
        )
        k = int(np.argmin(np.asarray(d)))
        dist[s], az[s] = float(np.asarray(d)[k]), float(np.asarray(a)[k])
    return dist, az


def _site_result(
    s: int,
    sites: LaunchSites,
    kinematic: InterceptWindows,
    w: InterceptWindows | None,
    icp: Interceptor,
    closest_m: float,
    first_s: float,
    firm_s: float,
    source: str,
    detectable: np.ndarray,
    k_launch: np.ndarray,
    t: np.ndarray,
) -> SiteReach:
    nan = math.nan
    reach_k = bool(kinematic.engageable[0, s])
    latest_firm = float(np.nanmax(k_launch) - icp.reaction_time_s) if reach_k else nan
    window = np.zeros(t.size, dtype=bool)
    fields: dict[str, Any] = dict.fromkeys(
        (
            "earliest_launch_s",
            "latest_launch_s",
            "earliest_intercept_s",
            "latest_intercept_s",
            "min_intercept_alt_m",
            "max_intercept_alt_m",
            "min_ground_range_m",
            "max_ground_range_m",
        ),
        nan,
    )
    shots = 0
    if w is not None and bool(w.engageable[0, 0]):
        assert w.feasible is not None and w.ground_range_m is not None
        window = w.feasible[0, 0].copy()
        alt = w.threat_alt_m[0][window]
        rng = w.ground_range_m[0, 0][window]
        fields.update(
            earliest_launch_s=float(w.first_launch_s[0, 0]),
            latest_launch_s=float(w.last_launch_s[0, 0]),
            earliest_intercept_s=float(w.earliest_intercept_s[0, 0]),
            latest_intercept_s=float(w.latest_intercept_s[0, 0]),
            min_intercept_alt_m=float(alt.min()),
            max_intercept_alt_m=float(alt.max()),
            min_ground_range_m=float(rng.min()),
            max_ground_range_m=float(rng.max()),
        )
        shots = int(w.shot_opportunities[0, 0])
    reachable = bool(window.any())
    if reachable:
        reason, detail = (
            "",
            f"intercept window {fields['earliest_intercept_s']:.0f}-"
            + (f"{fields['latest_intercept_s']:.0f} s after the threat's launch"),
        )
    elif not reach_k:
        reason = kinematic.reason(0, s)
        detail = (
            f"no point of the trajectory is within the class's reach ({reason}); the "
            f"trajectory passes {closest_m / 1e3:,.0f} km from the site at the closest"
        )
    elif latest_firm < 0.0:
        reason = "too late"
        detail = (
            "even a firm track at the threat's launch would be too late: the interceptor "
            f"would have to launch {-(latest_firm + icp.reaction_time_s):.0f} s before the "
            "threat to reach any point of the trajectory"
        )
    elif not math.isfinite(firm_s):
        reason = "no track"
        detail = (
            "the site's radar never holds a firm track of the re-entry vehicle; an intercept "
            f"would need one {_when(latest_firm)}"
        )
    else:
        reason = "too late"
        detail = (
            f"firm track at {firm_s:.0f} s, but an intercept would need one "
            f"{_when(latest_firm)} (interceptor launch by "
            f"{latest_firm + icp.reaction_time_s:.0f} s)"
        )
    return SiteReach(
        name=sites.names[s],
        lat_deg=float(sites.lat_deg[s]),
        lon_deg=float(sites.lon_deg[s]),
        closest_ground_range_m=float(closest_m),
        first_detection_s=float(first_s),
        firm_track_s=float(firm_s),
        firm_track_source=source,
        reachable=reachable,
        reason=reason,
        reason_detail=detail,
        shot_opportunities=shots,
        kinematic_earliest_intercept_s=float(kinematic.earliest_intercept_s[0, s]),
        kinematic_latest_intercept_s=float(kinematic.latest_intercept_s[0, s]),
        latest_firm_track_s=latest_firm,
        track_margin_s=float(latest_firm - firm_s) if math.isfinite(firm_s) else nan,
        detectable=np.asarray(detectable, dtype=bool),
        kinematic_launch_s=k_launch,
        window=window,
        **fields,
    )
