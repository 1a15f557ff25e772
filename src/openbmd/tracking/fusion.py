"""Several sensors, one track picture: measurement fusion and sensor handover.

**Centralised measurement fusion.** Every radar sends its detections (range, azimuth,
elevation, range rate, each with its own covariance, from its own site) to one
:class:`~openbmd.tracking.manager.Tracker`, which processes them scan by scan in time
order: a *scan* is the set of detections of one sensor at one look time
(:func:`scan_slices`); scans of several sensors at the same time are applied one after
the other in sensor order (sequential updating, exact for a linear filter with
independent measurement noise). No track-to-track fusion happens: the tracks are
built from all the measurements at once. :func:`site_ecef_m` gives each detection's
radar site for the filter's measurement model.

**Handover (cueing).** A track held by one sensor, or an early-warning report, tells
another radar where to look. In this model "narrowing the search" means a change of
look schedule of the receiving radar for the cued objects, from a start time on:

- *track handover* (:func:`handover_from_tracks`): once a track is confirmed, the
  receiving radar looks at its object every ``track_update_s`` (track mode) instead of
  every ``search_revisit_s``, from the confirmation time plus a delay; looks only turn
  into detections when the object is inside the radar's field of regard and
  instrumented range, so the track dwells start when the object enters it. The object
  handed over is the truth object behind most of the track's detections (a simulation
  needs it to know what the radar is pointed at; a cue from an impure track points the
  radar at the wrong object, as in reality). Optionally a new detection also cues its
  own radar (*confirmation dwells*: the verification looks a phased array schedules
  after a detection, at its track rate). The schedule is per object: a radar cued to an
  object keeps looking at it at the track rate even if the tentative track dies.
- *early-warning cue* (:func:`handover_from_cues`): the report gives a launch point and
  azimuth, not a 3-D track. The receiving radar searches only the azimuth sector that
  covers the cued corridor (launch point +- 3 sigma, launch azimuth +- 3 sigma, out to
  ``corridor_range_m``) as seen from its site; a sector that is a fraction ``f`` of its
  field of regard is revisited every ``max(track_update_s, f * search_revisit_s)``,
  for every object of the cued launch, from the report time. Elevation coverage is
  left whole.

:func:`cued_detections` simulates the detections of such a schedule: search looks
before each object's handover, cued looks after it, each segment drawn from its own
seeded random stream (same seed, same detections; the rows before a handover are those
of the search-only simulation, so a causal tracker behaves identically up to it).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_non_negative, require_positive
from openbmd.flight.propagate import Samples
from openbmd.sensors.early_warning import Cues
from openbmd.sensors.measurements import Detections, TruthGrid, simulate_detections
from openbmd.sensors.radar import Radar

if TYPE_CHECKING:
    from openbmd.tracking.manager import TrackerResult

__all__ = [
    "Handover",
    "cued_detections",
    "handover_from_cues",
    "handover_from_tracks",
    "scan_slices",
    "site_ecef_m",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Default length of an early-warning corridor, m (past the reach of an IRBM).
CORRIDOR_RANGE_M = 4_000_000.0


def site_ecef_m(detections: Detections) -> FloatArray:
    """ECEF position of the radar of every detection, m, shape (N, 3)."""
    from openbmd.geodesy import geodetic_to_ecef

    sites = np.asarray(
        geodetic_to_ecef(detections.site_lat_deg, detections.site_lon_deg, detections.site_alt_m)
    ).reshape(-1, 3)
    return sites[detections.sensor_id]


def scan_slices(time_s: Any, sensor_id: Any) -> list[tuple[int, int]]:
    """``(start, stop)`` row ranges of the scans of detections sorted by (time, sensor).

    A scan holds the detections of one sensor at one look time.
    """
    t = np.asarray(time_s, dtype=float)
    s = np.asarray(sensor_id, dtype=np.int64)
    if t.size == 0:
        return []
    cut = np.flatnonzero((np.diff(t) != 0.0) | (np.diff(s) != 0)) + 1
    bounds = np.concatenate([[0], cut, [t.size]])
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


@dataclass(frozen=True)
class Handover:
    """Cued look schedules: radar ``radar_index[k]`` looks at truth object
    ``object_id[k]`` every ``look_interval_s[k]`` from ``start_time_s[k]`` on.

    Attributes
    ----------
    radar_index, object_id : (K,) int
    start_time_s : (K,) float
        Start of the cued looks, s since the epoch.
    look_interval_s : (K,) float
        Time between cued looks, s.
    source : tuple of str, length K
        ``"track"`` or ``"cue"``.
    """

    radar_index: IntArray
    object_id: IntArray
    start_time_s: FloatArray
    look_interval_s: FloatArray
    source: tuple[str, ...]

    def __post_init__(self) -> None:
        n = np.asarray(self.radar_index).size
        for f in fields(self):
            value = getattr(self, f.name)
            if len(value) != n:
                raise ParameterError(f"Handover.{f.name}", f"length {n}", len(value))
        require_positive("look_interval_s", self.look_interval_s)

    def __len__(self) -> int:
        return int(np.asarray(self.radar_index).size)

    @classmethod
    def empty(cls) -> Handover:
        """No cued looks."""
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0), ())

    def __add__(self, other: Handover) -> Handover:
        return Handover(
            np.concatenate([self.radar_index, other.radar_index]).astype(np.int64),
            np.concatenate([self.object_id, other.object_id]).astype(np.int64),
            np.concatenate([self.start_time_s, other.start_time_s]),
            np.concatenate([self.look_interval_s, other.look_interval_s]),
            self.source + other.source,
        )


def handover_from_tracks(
    result: TrackerResult,
    radars: Sequence[Radar],
    to_radars: Sequence[int] | None = None,
    *,
    delay_s: float = 0.0,
    confirmation_dwells: bool = False,
) -> Handover:
    """Track handover: each confirmed track cues radars to its object (module notes).

    Parameters
    ----------
    result : TrackerResult
        Tracks whose confirmation time and majority truth object are used.
    radars : sequence of Radar
        The radars (their ``track_update_s`` sets the look interval).
    to_radars : sequence of int, optional
        Indices of the radars to cue (default all, including the one that confirmed the
        track: a radar puts its own confirmed tracks into track mode).
    delay_s : float
        Time from confirmation to the first cued look, s (>= 0).
    confirmation_dwells : bool
        Also cue the radar whose detection started a track, from the track's start:
        the confirmation (verification) looks a phased array schedules after a new
        detection, at its track rate.

    Returns
    -------
    Handover
        One entry per (radar, object): the earliest cue.
    """
    delay = float(require_non_negative("delay_s", delay_s))
    targets = list(range(len(radars))) if to_radars is None else [int(i) for i in to_radars]
    for i in targets:
        if not 0 <= i < len(radars):
            raise ParameterError("to_radars", f"indices in [0, {len(radars) - 1}]", i)
    major = result.majority_object_id()
    first: dict[tuple[int, int], float] = {}

    def offer(radar: int, obj: int, t: float) -> None:
        if obj >= 0 and t < first.get((radar, obj), np.inf):
            first[(radar, obj)] = t

    for k in result.confirmed():
        for i in targets:
            offer(i, int(major[k]), float(result.confirmed_time_s[k]) + delay)
    if confirmation_dwells:
        for k in range(result.size):
            h = result.history(k)
            started = np.flatnonzero(h.detection_index >= 0)
            if started.size and int(h.sensor_id[started[0]]) in targets:
                j = int(started[0])
                offer(int(h.sensor_id[j]), int(h.object_id[j]), float(h.time_s[j]) + delay)
    rows = [(i, o, t, radars[i].track_update_s) for (i, o), t in sorted(first.items())]
    return _handover(rows, "track")


def handover_from_cues(
    cues: Cues,
    radars: Sequence[Radar],
    to_radars: Sequence[int] | None = None,
    *,
    objects: Sequence[int] | None = None,
    corridor_range_m: float = CORRIDOR_RANGE_M,
    launch_point_sigma_m: float = 2_000.0,
    launch_azimuth_sigma_deg: float = 2.0,
) -> Handover:
    """Early-warning cue: sector search of the cued corridor (module notes).

    Parameters
    ----------
    cues : Cues
        Early-warning reports; the first report of each object is used.
    radars : sequence of Radar
    to_radars : sequence of int, optional
        Radars to cue (default all).
    objects : sequence of int, optional
        Truth objects that share each cued launch (default: the cued objects only).
        The whole threat complex (re-entry vehicle and rocket body) flies the corridor.
    corridor_range_m : float
        Length of the searched corridor from the cued launch point, m.
    launch_point_sigma_m, launch_azimuth_sigma_deg : float
        Accuracy of the report (those of the early-warning system), m and deg.
    """
    from openbmd.geodesy import geodesic_direct, geodesic_inverse

    length = float(require_positive("corridor_range_m", corridor_range_m))
    sig_p = float(require_non_negative("launch_point_sigma_m", launch_point_sigma_m))
    sig_az = float(require_non_negative("launch_azimuth_sigma_deg", launch_azimuth_sigma_deg))
    targets = list(range(len(radars))) if to_radars is None else [int(i) for i in to_radars]
    if len(cues) == 0:
        return Handover.empty()
    first = cues.first_per_object()
    k = int(np.argmin(first.report_time_s))
    cued_objects = first.object_index if objects is None else np.asarray(objects, np.int64)
    start = float(first.report_time_s[k])
    # corridor: a fan of ground points, 3 sigma wide in azimuth and launch point
    fan = float(first.launch_azimuth_deg[k]) + 3.0 * sig_az * np.array([-1.0, 0.0, 1.0])
    dist = np.linspace(0.0, length, 41)
    az_g, d_g = np.meshgrid(fan, dist)
    lat, lon, _ = geodesic_direct(
        np.full(az_g.size, float(first.launch_lat_deg[k])),
        np.full(az_g.size, float(first.launch_lon_deg[k])),
        az_g.ravel(),
        d_g.ravel(),
    )
    rows = []
    for i in targets:
        if not 0 <= i < len(radars):
            raise ParameterError("to_radars", f"indices in [0, {len(radars) - 1}]", i)
        radar = radars[i]
        dist_seen, az_seen, _ = geodesic_inverse(
            np.full(lat.size, radar.lat_deg), np.full(lat.size, radar.lon_deg), lat, lon
        )
        # the launch-point uncertainty widens the sector by its angular size
        margin = np.degrees(np.arctan2(3.0 * sig_p, np.maximum(np.asarray(dist_seen), 1.0)))
        sector = _arc_span_deg(np.asarray(az_seen, float), np.asarray(margin, float))
        fraction = min(1.0, sector / (2.0 * radar.az_limits_deg))
        interval = max(radar.track_update_s, fraction * radar.search_revisit_s)
        rows += [(i, int(o), start, interval) for o in cued_objects]
    return _handover(rows, "cue")


def _arc_span_deg(az_deg: FloatArray, margin_deg: FloatArray) -> float:
    """Width of the smallest arc holding every ``az +- margin``, deg (at most 360)."""
    lo = np.mod(az_deg - margin_deg, 360.0)
    hi = np.mod(az_deg + margin_deg, 360.0)
    points = np.sort(np.concatenate([lo, hi, np.mod(az_deg, 360.0)]))
    gaps = np.diff(np.concatenate([points, [points[0] + 360.0]]))
    return float(min(360.0, 360.0 - gaps.max()))


def _handover(rows: list[tuple[int, int, float, float]], source: str) -> Handover:
    if not rows:
        return Handover.empty()
    r, o, t, dt = zip(*rows, strict=True)
    return Handover(
        np.asarray(r, np.int64),
        np.asarray(o, np.int64),
        np.asarray(t, float),
        np.asarray(dt, float),
        (source,) * len(rows),
    )


def _segment_seed(seed: int, radar: int, segment: int) -> int:
    return int(np.random.SeedSequence(seed, spawn_key=(radar, segment)).generate_state(1)[0])


def cued_detections(
    radars: Sequence[Radar],
    truth: TruthGrid | Samples,
    handover: Handover | None = None,
    *,
    rcs: Any = 1.0,
    seed: int = 0,
    start_s: float | None = None,
) -> Detections:
    """Detections of radars whose look schedules follow a handover (module notes).

    Parameters
    ----------
    radars : sequence of Radar
    truth : TruthGrid or Samples
        Truth states of the objects (ECEF).
    handover : Handover, optional
        Cued looks; several for one (radar, object) take turns by start time.
        None or empty: search only.
    rcs, start_s
        As for :func:`~openbmd.sensors.measurements.simulate_detections`.
    seed : int
        Seed (>= 0); each radar and schedule segment draws from its own stream.

    Returns
    -------
    Detections
        Sorted by time, then sensor, then object. ``visible_looks`` and
        ``expected_detections`` are those of the search-only schedule.
    """
    grid = truth if isinstance(truth, TruthGrid) else TruthGrid.from_samples(truth)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "an integer >= 0", seed)
    hand = Handover.empty() if handover is None else handover
    if np.any((hand.radar_index < 0) | (hand.radar_index >= len(radars))):
        raise ParameterError("handover.radar_index", f"in [0, {len(radars) - 1}]",
                             hand.radar_index)  # fmt: skip
    if np.any((hand.object_id < 0) | (hand.object_id >= grid.objects)):
        raise ParameterError("handover.object_id", f"in [0, {grid.objects - 1}]",
                             hand.object_id)  # fmt: skip
    parts: list[Detections] = []
    visible = np.zeros(len(radars), dtype=np.int64)
    expected = np.zeros(len(radars))
    for s, radar in enumerate(radars):
        base = simulate_detections([radar], grid, rcs=rcs, seed=_segment_seed(int(seed), s, 0),
                                   start_s=start_s)  # fmt: skip
        visible[s], expected[s] = base.visible_looks[0], base.expected_detections[0]
        mine = np.flatnonzero(hand.radar_index == s)
        # window [begin, end) of each cued segment, per object
        begin = hand.start_time_s[mine]
        end = np.full(mine.size, np.inf)
        for k in range(mine.size):
            later = (hand.object_id[mine] == hand.object_id[mine[k]]) & (begin > begin[k])
            if np.any(later):
                end[k] = float(begin[later].min())
        first_cue = {int(o): float(begin[hand.object_id[mine] == o].min())
                     for o in np.unique(hand.object_id[mine])}  # fmt: skip
        t_cut = np.array([first_cue.get(int(o), np.inf) for o in base.object_id])
        segments = [base.take(base.time_s < t_cut)]
        keys = sorted({(float(begin[k]), float(hand.look_interval_s[mine[k]])) for k in
                       range(mine.size)})  # fmt: skip
        for g, (t0, step) in enumerate(keys, start=1):
            sel = [k for k in range(mine.size) if (begin[k], hand.look_interval_s[mine[k]])
                   == (t0, step)]  # fmt: skip
            objs = np.unique(hand.object_id[mine[sel]])
            cued = simulate_detections(
                [radar.replace(track_update_s=step)], grid, rcs=rcs,
                seed=_segment_seed(int(seed), s, g), tracked=objs.tolist(), start_s=t0,
            )  # fmt: skip
            stop = {int(hand.object_id[mine[k]]): end[k] for k in sel}
            t_end = np.array([stop.get(int(o), -np.inf) for o in cued.object_id])
            segments.append(cued.take(cued.track & (cued.time_s >= t0) & (cued.time_s < t_end)))
        parts += [_with_sensor(p, s) for p in segments]
    return _merge(radars, parts, visible, expected)


def _with_sensor(d: Detections, s: int) -> Detections:
    from dataclasses import replace

    return replace(d, sensor_id=np.full(d.size, s, dtype=np.int64))


def _merge(
    radars: Sequence[Radar], parts: list[Detections], visible: IntArray, expected: FloatArray
) -> Detections:
    per_sensor = {"sensor_names", "site_lat_deg", "site_lon_deg", "site_alt_m",
                  "visible_looks", "expected_detections"}  # fmt: skip
    names = [f.name for f in fields(Detections) if f.name not in per_sensor]
    if parts:
        cols = {n: np.concatenate([getattr(p, n) for p in parts]) for n in names}
    else:  # pragma: no cover - every radar yields a (possibly empty) base part
        cols = {n: np.empty(0) for n in names}
    order = np.lexsort((cols["object_id"], cols["sensor_id"], cols["time_s"]))
    cols = {n: v[order] for n, v in cols.items()}
    return Detections(
        **cols,
        sensor_names=tuple(r.name for r in radars),
        site_lat_deg=np.array([r.lat_deg for r in radars]),
        site_lon_deg=np.array([r.lon_deg for r in radars]),
        site_alt_m=np.array([r.alt_m for r in radars]),
        visible_looks=visible,
        expected_detections=expected,
    )
