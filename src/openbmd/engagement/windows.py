"""Intercept windows: when and where an interceptor class can engage predicted threats.

For each threat x launch site x time sample of the threat's predicted trajectory,
:func:`intercept_windows` decides whether an interceptor launched from the site can meet
the threat there, and reduces each (threat, site) pair to its window: earliest and latest
intercept, their launch times, how many launches fit, whether shoot-look-shoot is
possible, or the reason there is no window. The constraints, applied in this order (the
reason of an empty window is the constraint that removed the last candidates):

1. the threat is present at the sample (finite state);
2. altitude window: ``min_intercept_alt_m <= h <= max_intercept_alt_m``;
3. reach: the fly-out table gives a finite time to reach at the point's ground range from
   the site and altitude, and the ground range is within ``max_ground_range_m``;
4. closing speed in ``[min_closing_speed_m_s, max_closing_speed_m_s]``;
5. crossing angle (between the interceptor's and the threat's velocities; 180 deg is
   head-on) at most ``max_crossing_angle_deg``;
6. kill-vehicle acquisition: ``seeker_acquisition_range_m / closing speed >=
   min_homing_time_s``;
7. firm track in time: ``t_launch = t_intercept - time_to_reach >= decision_time +
   reaction_time_s``;
8. track quality: the track's position sigma at ``t_launch`` (linear in time) is at most
   ``required_track_sigma_m``.

The interceptor's velocity at arrival has the table's speed and flight-path angle, in the
vertical plane through the site and the point, its horizontal part pointing away from the
site; the closing speed is the norm of the relative velocity. See ``docs/engagement.md``.

:func:`windows_by_root_finding` is an independent per-pair computation (continuous
trajectory, GeographicLib geodesics, scipy's grid interpolation, Brent's method on the
constraint margins), used as the benchmark baseline and as a cross-check in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from openbmd.engagement import windows_kernels as wk
from openbmd.engagement.tracks import LaunchSites, ThreatTracks, position_sigma_m
from openbmd.engagement.windows_baseline import RootFindingWindows, windows_by_root_finding
from openbmd.errors import ParameterError, require_choice, require_non_negative
from openbmd.interceptors.interceptor import Interceptor

__all__ = [
    "POLICIES",
    "REASONS",
    "InterceptChoice",
    "InterceptWindows",
    "LaunchSites",
    "ReachTable",
    "RootFindingWindows",
    "ThreatTracks",
    "intercept_windows",
    "position_sigma_m",
    "windows_by_root_finding",
]

#: Selection policies of :meth:`InterceptWindows.select`.
POLICIES: tuple[str, ...] = ("earliest", "keep-second-shot")

#: Words for the reason codes of :attr:`InterceptWindows.reason_code` (index = code).
REASONS: tuple[str, ...] = (
    "",
    "no trajectory samples",
    "below the minimum intercept altitude",
    "above the maximum intercept altitude",
    "outside the altitude window",
    "out of reach",
    "closing speed too low",
    "closing speed too high",
    "crossing angle too large",
    "seeker acquisition too late",
    "no firm track in time",
    "track not accurate enough",
)

#: Default shortest terminal homing after seeker acquisition, s: about ten guidance time
#: constants of a few tenths of a second, after which the miss from a heading error has
#: died out (Zarchan, *Tactical and Strategic Missile Guidance*, miss against flight time
#: in units of the guidance time constant). A nominal value, not a quoted figure.
DEFAULT_MIN_HOMING_S = 4.0
#: Default kill-assessment time between an intercept and the next launch, s (nominal).
DEFAULT_KILL_ASSESSMENT_S = 15.0


class ReachTable(Protocol):
    """What the windows need of a fly-out table
    (:class:`openbmd.interceptors.flyout.TimeToReach`).

    ``time_s``, ``speed_m_s`` and ``flight_path_angle_rad`` are (R, A) on the axes
    ``ground_range_m`` (R,) and ``altitude_m`` (A,), both increasing; NaN marks points
    out of reach. The velocity points away from the site: ``speed (cos(gamma) downrange
    + sin(gamma) up)``.
    """

    @property
    def ground_range_m(self) -> np.ndarray: ...
    @property
    def altitude_m(self) -> np.ndarray: ...
    @property
    def time_s(self) -> np.ndarray: ...
    @property
    def speed_m_s(self) -> np.ndarray: ...
    @property
    def flight_path_angle_rad(self) -> np.ndarray: ...


@dataclass(frozen=True)
class InterceptChoice:
    """One intercept per (threat, site) chosen by a policy; (O, S) arrays, NaN / -1 where
    the policy finds none."""

    policy: str
    index: np.ndarray
    intercept_time_s: np.ndarray
    launch_time_s: np.ndarray
    intercept_alt_m: np.ndarray
    ground_range_m: np.ndarray


@dataclass(frozen=True)
class InterceptWindows:
    """Intercept windows of O threats x S sites (see the module docstring).

    Sample arrays (O, S, T) are present when computed with ``keep_samples=True`` (else
    None): ``feasible``, ``launch_time_s`` (t - time to reach; NaN out of reach),
    ``intercept_alt_m`` (a broadcast view of the threat altitude), ``ground_range_m``,
    ``closing_speed_m_s``, ``crossing_angle_deg``.

    Pair arrays (O, S): ``earliest_intercept_s``, ``latest_intercept_s`` (first and last
    feasible sample) with their ``earliest_launch_s``, ``latest_launch_s``,
    ``earliest_intercept_alt_m``, ``latest_intercept_alt_m``,
    ``earliest_ground_range_m``, ``latest_ground_range_m``; ``first_launch_s``,
    ``last_launch_s`` (earliest and latest feasible launch time over the window);
    ``shot_opportunities`` (launches spaced by ``min_launch_interval_s`` that fit in the
    feasible launch times, each run of consecutive feasible samples taken as a continuous
    interval; one per feasible sample if the interval is 0); ``shoot_look_shoot_possible``
    (a second launch no earlier than the earliest intercept plus ``kill_assessment_s``
    and the first launch plus ``min_launch_interval_s`` still has a feasible intercept);
    ``reason_code`` (index into :data:`REASONS`, 0 when engageable); the sample
    indices ``earliest_index``, ``latest_index``, ``second_shot_index`` (-1 none) and,
    (O, S, 3) in that order, their launch times ``pair_launch_s`` and ground ranges
    ``pair_ground_range_m``. ``threat_alt_m`` (O, T) is the threat's altitude (NaN where
    absent). Times are seconds since the epoch.
    """

    interceptor: Interceptor
    site_names: tuple[str, ...]
    time_s: np.ndarray
    decision_time_s: np.ndarray
    kill_assessment_s: float
    min_homing_time_s: float
    threat_alt_m: np.ndarray
    feasible: np.ndarray | None
    launch_time_s: np.ndarray | None
    intercept_alt_m: np.ndarray | None
    ground_range_m: np.ndarray | None
    closing_speed_m_s: np.ndarray | None
    crossing_angle_deg: np.ndarray | None
    earliest_index: np.ndarray
    latest_index: np.ndarray
    second_shot_index: np.ndarray
    first_launch_s: np.ndarray
    last_launch_s: np.ndarray
    shot_opportunities: np.ndarray
    shoot_look_shoot_possible: np.ndarray
    reason_code: np.ndarray
    pair_launch_s: np.ndarray
    pair_ground_range_m: np.ndarray

    @property
    def engageable(self) -> np.ndarray:
        """(O, S) bool: the pair has at least one feasible intercept."""
        return self.earliest_index >= 0

    @property
    def shape(self) -> tuple[int, int]:
        """(O, S)."""
        return (int(self.earliest_index.shape[0]), int(self.earliest_index.shape[1]))

    @property
    def earliest_intercept_s(self) -> np.ndarray:
        """(O, S) time of the first feasible sample, s (NaN: none)."""
        return self._time(self.earliest_index)

    @property
    def latest_intercept_s(self) -> np.ndarray:
        """(O, S) time of the last feasible sample, s."""
        return self._time(self.latest_index)

    @property
    def earliest_launch_s(self) -> np.ndarray:
        """(O, S) launch time of the earliest intercept, s."""
        return self.pair_launch_s[..., 0]

    @property
    def latest_launch_s(self) -> np.ndarray:
        """(O, S) launch time of the latest intercept, s."""
        return self.pair_launch_s[..., 1]

    @property
    def earliest_ground_range_m(self) -> np.ndarray:
        """(O, S) ground range from the site of the earliest intercept, m."""
        return self.pair_ground_range_m[..., 0]

    @property
    def latest_ground_range_m(self) -> np.ndarray:
        """(O, S) ground range from the site of the latest intercept, m."""
        return self.pair_ground_range_m[..., 1]

    @property
    def earliest_intercept_alt_m(self) -> np.ndarray:
        """(O, S) altitude of the earliest intercept, m."""
        return self._alt(self.earliest_index)

    @property
    def latest_intercept_alt_m(self) -> np.ndarray:
        """(O, S) altitude of the latest intercept, m."""
        return self._alt(self.latest_index)

    def _time(self, index: np.ndarray) -> np.ndarray:
        return np.where(index >= 0, self.time_s[np.maximum(index, 0)], np.nan)

    def _alt(self, index: np.ndarray) -> np.ndarray:
        o = np.arange(index.shape[0])[:, None]
        return np.where(index >= 0, self.threat_alt_m[o, np.maximum(index, 0)], np.nan)

    def reason(self, threat: int, site: int) -> str:
        """Why pair (threat, site) has no window, in words ("" when engageable)."""
        return REASONS[int(self.reason_code[threat, site])]

    def reasons(self) -> list[list[str]]:
        """:meth:`reason` of every pair, as nested lists (O, S)."""
        return [[REASONS[int(c)] for c in row] for row in self.reason_code]

    def select(
        self, policy: Literal["earliest", "keep-second-shot"] = "earliest"
    ) -> InterceptChoice:
        """One intercept per pair by policy.

        ``earliest``: the earliest feasible intercept. ``keep-second-shot``: the latest
        feasible intercept time t1 (launch t_L1) for which a second launch from the same
        site remains possible: some feasible sample has a launch time
        ``>= max(t1 + kill_assessment_s, t_L1 + min_launch_interval_s)``. It commits as
        late as possible (the longest look at the threat before firing) while keeping
        shoot-look-shoot; NaN where no intercept leaves room for a second shot.
        """
        require_choice("policy", policy, POLICIES)
        k = 0 if policy == "earliest" else 2
        index = self.earliest_index if k == 0 else self.second_shot_index
        return InterceptChoice(
            policy,
            index,
            self._time(index),
            self.pair_launch_s[..., k],
            self._alt(index),
            self.pair_ground_range_m[..., k],
        )

    def summary(self, threat: int = 0, site: int = 0) -> dict[str, Any]:
        """Key figures of one pair (times in s since the epoch, km), for the CLI."""
        o, s = threat, site

        def f(a: np.ndarray, scale: float = 1.0) -> float:
            return float(a[o, s]) / scale

        return {
            "engageable": bool(self.engageable[o, s]),
            "earliest_intercept_s": f(self.earliest_intercept_s),
            "latest_intercept_s": f(self.latest_intercept_s),
            "earliest_intercept_alt_km": f(self.earliest_intercept_alt_m, 1e3),
            "latest_intercept_alt_km": f(self.latest_intercept_alt_m, 1e3),
            "earliest_intercept_ground_range_km": f(self.earliest_ground_range_m, 1e3),
            "latest_intercept_ground_range_km": f(self.latest_ground_range_m, 1e3),
            "earliest_launch_s": f(self.earliest_launch_s),
            "latest_launch_s": f(self.latest_launch_s),
            "shot_opportunities": int(self.shot_opportunities[o, s]),
            "shoot_look_shoot_possible": bool(self.shoot_look_shoot_possible[o, s]),
            "reason": self.reason(o, s),
        }


def _table_arrays(table: ReachTable) -> tuple[np.ndarray, ...]:
    rng = np.ascontiguousarray(table.ground_range_m, dtype=float)
    alt = np.ascontiguousarray(table.altitude_m, dtype=float)
    shape = (rng.size, alt.size)
    time = np.broadcast_to(np.asarray(table.time_s, dtype=float), shape)
    speed = np.broadcast_to(np.asarray(table.speed_m_s, dtype=float), shape)
    angle = np.broadcast_to(np.asarray(table.flight_path_angle_rad, dtype=float), shape)
    # velocity interpolated by its downrange and vertical components, as TimeToReach does
    grids = [np.ascontiguousarray(g) for g in (time, speed * np.cos(angle), speed * np.sin(angle))]
    for name, axis in (("ground_range_m", rng), ("altitude_m", alt)):
        if axis.size < 2 or not np.all(np.diff(axis) > 0):
            raise ParameterError(f"table.{name}", "an increasing axis of >= 2 points", axis[:3])
    return (rng, alt, *grids)


def _default_table(interceptor: Interceptor) -> ReachTable:
    from openbmd.interceptors.flyout import time_to_reach_table

    table: ReachTable = time_to_reach_table(interceptor)
    return table


def _params(
    interceptor: Interceptor, min_homing_time_s: float, kill_assessment_s: float
) -> np.ndarray:
    p = np.empty(wk.N_PARAMS)
    p[wk.P_ALT_MIN] = interceptor.min_intercept_alt_m
    p[wk.P_ALT_MAX] = interceptor.max_intercept_alt_m
    p[wk.P_REACTION] = interceptor.reaction_time_s
    p[wk.P_ACQ_RANGE] = interceptor.seeker_acquisition_range_m
    p[wk.P_MIN_HOMING] = float(require_non_negative("min_homing_time_s", min_homing_time_s))
    p[wk.P_CLOSING_MIN] = interceptor.min_closing_speed_m_s
    p[wk.P_CLOSING_MAX] = interceptor.max_closing_speed_m_s
    p[wk.P_CROSSING_MAX] = math.radians(interceptor.max_crossing_angle_deg)
    p[wk.P_SIGMA_MAX] = interceptor.required_track_sigma_m
    p[wk.P_INTERVAL] = interceptor.min_launch_interval_s
    p[wk.P_KILL_ASSESS] = float(require_non_negative("kill_assessment_s", kill_assessment_s))
    p[wk.P_RANGE_MAX] = interceptor.max_ground_range_m
    return p


def intercept_windows(
    tracks: ThreatTracks,
    sites: LaunchSites,
    interceptor: Interceptor,
    *,
    table: ReachTable | None = None,
    min_homing_time_s: float = DEFAULT_MIN_HOMING_S,
    kill_assessment_s: float = DEFAULT_KILL_ASSESSMENT_S,
    keep_samples: bool = True,
) -> InterceptWindows:
    """Intercept windows of every threat x site x sample (compiled, parallel over threats).

    Parameters
    ----------
    tracks : ThreatTracks
        O predicted trajectories on T samples, with the firm-track (decision) times.
    sites : LaunchSites
        S launch sites of the interceptor.
    interceptor : openbmd.interceptors.Interceptor
        The class: limits, timings and kill figures.
    table : ReachTable, optional
        Its fly-out table (default: ``time_to_reach_table(interceptor)``). Interpolated
        bilinearly; a cell with a NaN node is out of reach.
    min_homing_time_s : float
        Shortest homing time after seeker acquisition, s (>= 0).
    kill_assessment_s : float
        Time from an intercept to the decision to fire again, s (>= 0).
    keep_samples : bool
        Keep the (O, S, T) sample arrays (memory: about 33 bytes per sample).

    Returns
    -------
    InterceptWindows
    """
    table = table if table is not None else _default_table(interceptor)
    rng, alt_axis, tt, down, up = _table_arrays(table)
    params = _params(interceptor, min_homing_time_s, kill_assessment_s)
    n_o, n_t, n_s = tracks.size, tracks.time_s.size, sites.size
    shape = (n_o, n_s, n_t) if keep_samples else (1, 1, 1)
    alt = np.empty((n_o, n_t))
    feasible = np.zeros(shape, dtype=np.bool_)
    launch, ground, closing, crossing = (np.full(shape, np.nan) for _ in range(4))
    index = np.empty((n_o, n_s, 3), dtype=np.int64)
    pair_launch = np.empty((n_o, n_s, 3))
    pair_range = np.empty((n_o, n_s, 3))
    span = np.empty((n_o, n_s, 2))
    shots = np.empty((n_o, n_s), dtype=np.int64)
    sls = np.empty((n_o, n_s), dtype=np.bool_)
    reason = np.empty((n_o, n_s), dtype=np.int64)
    sigma = tracks.track_sigma_m
    has_sigma = sigma is not None and math.isfinite(interceptor.required_track_sigma_m)
    wk.windows_kernel(
        tracks.time_s,
        tracks.r_ecef_m,
        tracks.v_ecef_m_s,
        sigma if sigma is not None else np.zeros((1, 1)),
        has_sigma,
        tracks.decision_time_s,
        np.radians(sites.lat_deg),
        np.radians(sites.lon_deg),
        np.ascontiguousarray(sites.ecef_m()),
        rng,
        alt_axis,
        tt,
        down,
        up,
        params,
        keep_samples,
        alt,
        feasible,
        launch,
        ground,
        closing,
        crossing,
        index,
        pair_launch,
        pair_range,
        span,
        shots,
        sls,
        reason,
    )
    keep = keep_samples
    return InterceptWindows(
        interceptor=interceptor,
        site_names=sites.names,
        time_s=tracks.time_s,
        decision_time_s=tracks.decision_time_s,
        kill_assessment_s=float(params[wk.P_KILL_ASSESS]),
        min_homing_time_s=float(params[wk.P_MIN_HOMING]),
        threat_alt_m=alt,
        feasible=feasible if keep else None,
        launch_time_s=launch if keep else None,
        intercept_alt_m=np.broadcast_to(alt[:, None, :], shape) if keep else None,
        ground_range_m=ground if keep else None,
        closing_speed_m_s=closing if keep else None,
        crossing_angle_deg=np.degrees(crossing) if keep else None,
        earliest_index=index[..., 0],
        latest_index=index[..., 1],
        second_shot_index=index[..., 2],
        first_launch_s=span[..., 0],
        last_launch_s=span[..., 1],
        shot_opportunities=shots,
        shoot_look_shoot_possible=sls,
        reason_code=reason,
        pair_launch_s=pair_launch,
        pair_ground_range_m=pair_range,
    )
