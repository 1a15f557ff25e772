"""One threat, some radars: fly it, see it, track it, score the tracks.

:func:`track_threat` runs the whole chain for one launch:

1. :func:`~openbmd.threats.solve_trajectory` and
   :func:`~openbmd.threats.threat_objects`: the re-entry vehicle (object 0, the missile
   until burnout) and the spent rocket body (object 1), sampled every ``truth_step_s``;
2. optional infrared early warning (:func:`~openbmd.sensors.early_warning_cues`): the
   first report seeds a tentative track and cues every radar to a sector search of the
   corridor (:func:`~openbmd.tracking.fusion.handover_from_cues`);
3. detections of the catalog radars (generic RCS tables of an RV and a rocket body,
   :class:`~openbmd.sensors.RcsModel`) and the :class:`~openbmd.tracking.manager.Tracker`;
4. closed loop by passes: each confirmed track puts every radar into track mode on its
   object from the confirmation time, and each new detection its own radar from the
   detection time (confirmation dwells; :func:`~openbmd.tracking.fusion.handover_from_tracks`);
   the detections are simulated again with those schedules and tracked again, until the
   handover times stop changing (``handover_passes`` at most). Rows before a handover
   are those of the previous pass and the tracker is causal, so each pass reproduces the
   previous one up to its first new handover;
5. per-object scores against the truth (:class:`ObjectTrackScore`), with
   :mod:`openbmd.tracking.metrics` and :func:`~openbmd.tracking.predict.predict_impact`.

The scores use the confirmed part of every track whose detections come mostly from the
object ("firm" rows: status confirmed); states are compared with the truth at the same
time in ECI (cubic Hermite interpolation of the truth samples).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_choice
from openbmd.flight.propagate import Samples
from openbmd.geodesy import ecef_to_eci, ecef_to_geodetic, geodesic_inverse
from openbmd.sensors.early_warning import Cues, early_warning_cues, get_early_warning
from openbmd.sensors.measurements import Detections
from openbmd.sensors.radar import Radar
from openbmd.sensors.rcs import RcsModel
from openbmd.threats.missile import Missile
from openbmd.threats.objects import ThreatObjects, threat_objects
from openbmd.threats.targeting import ThreatTrajectory, solve_trajectory
from openbmd.tracking.filters import TrackState
from openbmd.tracking.fusion import (
    Handover,
    cued_detections,
    handover_from_cues,
    handover_from_tracks,
)
from openbmd.tracking.history import TrackerResult
from openbmd.tracking.manager import CONFIRMED, Tracker, TrackerConfig
from openbmd.tracking.metrics import consistency, nees, rmse
from openbmd.tracking.predict import predict_impact

__all__ = ["ObjectTrackScore", "TrackRun", "track_threat"]

FloatArray = npt.NDArray[np.float64]

#: Keys of :meth:`ObjectTrackScore.record`, in order (``note`` only when there is one).
SCORE_KEYS = (
    "object",
    "time_to_firm_track_s",
    "position_rmse_m",
    "velocity_rmse_m_s",
    "mean_nees",
    "nees_within_95pct_band",
    "impact_point_error_m_first_firm",
    "impact_point_error_m_end",
)


@dataclass(frozen=True)
class ObjectTrackScore:
    """How well one truth object was tracked (NaN / None: no firm track).

    Attributes
    ----------
    object : str
        ``"reentry-vehicle"`` or ``"rocket-body"``.
    time_to_firm_track_s : float
        Seconds after launch when the object first has a confirmed track.
    position_rmse_m, velocity_rmse_m_s : float
        RMS errors of its confirmed track states (ECI), m and m/s.
    mean_nees : float
        Mean NEES of those states over position and velocity (6 dof; 6 if consistent).
    nees_within_95pct_band : bool or None
        The mean lies in the two-sided 95 % chi-square band of a consistent filter for
        that many values (Bar-Shalom et al. 2001, sec. 5.4.2).
    impact_point_error_m_first_firm, impact_point_error_m_end : float
        Distance from the predicted impact point (:func:`predict_impact`) to the true
        one, m: from the state at confirmation, and from the last state of the track.
    firm_updates : int
        Confirmed track states scored.
    detections : int
        Detections of the object by all the radars.
    note : str
        Why there is no firm track (empty otherwise).
    """

    object: str
    time_to_firm_track_s: float
    position_rmse_m: float
    velocity_rmse_m_s: float
    mean_nees: float
    nees_within_95pct_band: bool | None
    impact_point_error_m_first_firm: float
    impact_point_error_m_end: float
    firm_updates: int = 0
    detections: int = 0
    note: str = ""

    def record(self) -> dict[str, Any]:
        """The scores as a plain dict (:data:`SCORE_KEYS`, plus ``note`` if any)."""
        d = asdict(self)
        out = {k: d[k] for k in SCORE_KEYS}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, eq=False)
class TrackRun:
    """Everything :func:`track_threat` made (immutable).

    Attributes
    ----------
    trajectory : ThreatTrajectory
    objects : ThreatObjects
    radars : tuple of Radar
    detections : Detections
        Those of the last pass.
    cues : Cues or None
        Early-warning reports (None without early warning).
    handover : Handover
        Cued look schedules of the last pass.
    tracks : TrackerResult
    scores : tuple of ObjectTrackScore
        One per truth object, in object order.
    passes : int
        Detection-and-tracking passes run.
    """

    trajectory: ThreatTrajectory
    objects: ThreatObjects
    radars: tuple[Radar, ...]
    detections: Detections
    cues: Cues | None
    handover: Handover
    tracks: TrackerResult
    scores: tuple[ObjectTrackScore, ...]
    passes: int = 1
    config: TrackerConfig = field(default_factory=TrackerConfig)

    def records(self) -> list[dict[str, Any]]:
        """One dict per object (for JSON)."""
        return [s.record() for s in self.scores]


def _radars(radars: Sequence[Any]) -> tuple[Radar, ...]:
    if len(radars) == 0:
        raise ParameterError("radars", "at least one radar", "none")
    out = []
    for i, r in enumerate(radars):
        if isinstance(r, Radar):
            out.append(r)
        elif isinstance(r, tuple | list) and len(r) == 3 and isinstance(r[0], str):
            out.append(Radar.from_catalog(r[0], float(r[1]), float(r[2])))
        else:
            raise ParameterError(f"radars[{i}]", "a Radar or (class, lat_deg, lon_deg)", r)
    return tuple(out)


def track_threat(
    missile: Missile | str,
    launch: tuple[float, float],
    aim: tuple[float, float],
    radars: Sequence[Radar | tuple[str, float, float]],
    *,
    seed: int = 0,
    shape: str = "min-energy",
    shape_value: float | None = None,
    association: str = "gnn",
    early_warning: str | None = "ir-geo",
    config: TrackerConfig | None = None,
    truth_step_s: float = 1.0,
    handover_passes: int = 3,
    handover_delay_s: float = 0.0,
    confirmation_dwells: bool = True,
) -> TrackRun:
    """Fly one threat, detect it with radars, track it and score the tracks.

    Parameters
    ----------
    missile : Missile or str
        The missile, or its catalog class name.
    launch, aim : (float, float)
        Launch and aim points (lat_deg, lon_deg), geodetic WGS 84.
    radars : sequence of Radar or (class, lat_deg, lon_deg)
        The radars (catalog classes are placed at sea level).
    seed : int
        Seed of the measurement noise and of the early-warning errors (>= 0).
    shape : str
        Trajectory shape (:data:`openbmd.threats.SHAPES`); ``shape_value`` its parameter
        (apogee km, burnout angle deg or time of flight s).
    association : {"gnn", "jpda"}
        Data association of the tracker (overrides ``config``).
    early_warning : str or None
        Early-warning system of the catalog (``"ir-geo"``) or None for radars alone.
    config : TrackerConfig, optional
        Tracker settings (default :class:`TrackerConfig`).
    truth_step_s : float
        Step of the truth samples, s.
    handover_passes : int
        Most detection-and-tracking passes of the closed loop (1: no track handover).
    handover_delay_s : float
        Time from a confirmation to the first track-mode look, s.
    confirmation_dwells : bool
        A radar's new detection puts that object into its track mode at once
        (verification looks), not only a confirmed track.
    """
    from openbmd.threats.catalog import get_missile

    if isinstance(missile, str):
        missile = get_missile(missile)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "an integer >= 0", seed)
    if isinstance(handover_passes, bool) or int(handover_passes) < 1:
        raise ParameterError("handover_passes", "an integer >= 1", handover_passes)
    sensors = _radars(radars)
    assoc = cast(Literal["gnn", "jpda"], require_choice("association", association,
                                                         ("gnn", "jpda")))  # fmt: skip
    cfg = replace(TrackerConfig() if config is None else config, association=assoc)
    shape_kw = _shape_kwargs(shape, shape_value)
    traj = solve_trajectory(
        missile, float(launch[0]), float(launch[1]), float(aim[0]), float(aim[1]), shape,
        apogee_km=shape_kw.get("apogee_km"),
        burnout_angle_deg=shape_kw.get("burnout_angle_deg"),
        time_of_flight_s=shape_kw.get("time_of_flight_s"),
    )  # fmt: skip
    objs = threat_objects(traj, step_s=truth_step_s)
    rcs = [RcsModel.reentry_vehicle(), RcsModel.rocket_body()]
    cues: Cues | None = None
    seed_cue: Cues | None = None
    base = Handover.empty()
    if early_warning is not None:
        system = get_early_warning(early_warning)
        cues = early_warning_cues(system, objs.samples, objs.launch_time_s,
                                  objs.burnout_time_s - objs.launch_time_s, seed=seed)  # fmt: skip
        if len(cues):
            seed_cue = cues.take(np.array([int(np.argmin(cues.report_time_s))]))
            base = handover_from_cues(
                cues, sensors, objects=list(range(len(objs.kinds))),
                launch_point_sigma_m=system.launch_point_sigma_m,
                launch_azimuth_sigma_deg=system.launch_azimuth_sigma_deg,
            )  # fmt: skip
    tracker = Tracker(cfg)
    hand = base
    passes = 0
    previous: FloatArray | None = None
    while True:
        passes += 1
        det = cued_detections(sensors, objs.samples, hand, rcs=rcs, seed=seed)
        result = tracker.run(det, seed_cue)
        if passes >= handover_passes:
            break
        by_track = handover_from_tracks(result, sensors, delay_s=handover_delay_s,
                                        confirmation_dwells=confirmation_dwells)  # fmt: skip
        key = np.sort(by_track.start_time_s + 1e3 * by_track.object_id)
        if previous is not None and np.array_equal(key, previous):
            break
        previous = key
        hand = base + by_track
    scores = tuple(_score(result, det, objs, k, cfg) for k in range(len(objs.kinds)))
    return TrackRun(traj, objs, sensors, det, cues, hand, result, scores, passes, cfg)


def _shape_kwargs(shape: str, value: float | None) -> dict[str, float]:
    names = {"apogee": "apogee_km", "burnout-angle": "burnout_angle_deg",
             "time-of-flight": "time_of_flight_s"}  # fmt: skip
    if shape in names and value is None:
        raise ParameterError("shape_value", f"given for shape '{shape}' ({names[shape]})", None)
    return {names[shape]: float(value)} if shape in names and value is not None else {}


def truth_state_eci(samples: Samples, obj: int, time_s: Any) -> FloatArray:
    """Truth ECI state (N, 6) of one object at ``time_s`` (cubic Hermite between samples;
    NaN outside them)."""
    t, r, v = samples.of(obj)
    q = np.asarray(time_s, dtype=float).reshape(-1)
    i = np.clip(np.searchsorted(t, q, side="right") - 1, 0, max(t.size - 2, 0))
    out = np.full((q.size, 6), np.nan)
    if t.size < 2:
        return out
    h = t[i + 1] - t[i]
    s = ((q - t[i]) / h)[:, None]
    h = h[:, None]
    p0, p1, v0, v1 = r[i], r[i + 1], v[i], v[i + 1]
    s2, s3 = s * s, s * s * s
    pos = ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * h * v0
           + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * h * v1)  # fmt: skip
    vel = ((6 * s2 - 6 * s) * (p0 - p1) / h + (3 * s2 - 4 * s + 1) * v0
           + (3 * s2 - 2 * s) * v1)  # fmt: skip
    inside = (q >= t[0]) & (q <= t[-1])
    r_i, v_i = ecef_to_eci(pos, q, vel)
    out[inside, :3], out[inside, 3:] = r_i[inside], v_i[inside]
    return out


def true_impact_deg(samples: Samples, obj: int) -> tuple[float, float]:
    """Ground point of an object's last sample, carried down to the ellipsoid along its
    velocity (the samples stop within one step of impact)."""
    _, r, v = samples.of(obj)
    lat, lon, alt = (float(a) for a in ecef_to_geodetic(r[-1]))
    up = r[-1] / np.linalg.norm(r[-1])
    descent = -float(np.dot(v[-1], up))
    if alt > 0.0 and descent > 0.0:
        lat, lon, _ = (float(a) for a in ecef_to_geodetic(r[-1] + v[-1] * alt / descent))
    return lat, lon


def _impact_error_m(state: TrackState, cfg: TrackerConfig, truth: tuple[float, float]) -> float:
    pred = predict_impact(state, cfg.filter_model)
    if not bool(pred.valid[0]):
        return math.nan
    dist, _, _ = geodesic_inverse(float(pred.lat_deg[0]), float(pred.lon_deg[0]), *truth)
    return float(dist)


def _score(
    result: TrackerResult, det: Detections, objs: ThreatObjects, obj: int, cfg: TrackerConfig
) -> ObjectTrackScore:
    kind = objs.kinds[obj]
    seen = int(np.count_nonzero(det.object_id == obj))
    mine = np.flatnonzero((result.majority_object_id() == obj)
                          & np.isfinite(result.confirmed_time_s))  # fmt: skip
    nan = math.nan
    if mine.size == 0:
        if seen == 0:
            note = "never detected: outside every radar's coverage (horizon, range, sector)"
        else:
            note = f"detected {seen} times but no track was confirmed"
        return ObjectTrackScore(kind, nan, nan, nan, nan, None, nan, nan, 0, seen, note)
    first = mine[np.argmin(result.confirmed_time_s[mine])]
    rows = np.concatenate([np.arange(result.offsets[k], result.offsets[k + 1]) for k in mine])
    rows = rows[result.status[rows] == CONFIRMED]
    truth = truth_state_eci(objs.samples, obj, result.time_s[rows])
    ok = np.all(np.isfinite(truth), axis=1)
    rows, truth = rows[ok], truth[ok]
    pos, vel = rmse(result.x[rows, :6], truth) if rows.size else (nan, nan)
    values = nees(result.x[rows], result.P[rows], truth) if rows.size else np.empty(0)
    test = consistency(values[None, :], 6, 0.95) if values.size else None
    impact = true_impact_deg(objs.samples, obj)
    h = result.history(int(first))
    at_firm = int(np.flatnonzero(h.status == CONFIRMED)[0])
    firm_state = TrackState.trusted(h.x[at_firm : at_firm + 1], h.P[at_firm : at_firm + 1],
                                    h.time_s[at_firm : at_firm + 1])  # fmt: skip
    last = mine[np.argmax([result.time_s[result.offsets[k + 1] - 1] for k in mine])]
    end = int(result.offsets[last + 1] - 1)
    end_state = TrackState.trusted(result.x[end : end + 1], result.P[end : end + 1],
                                   result.time_s[end : end + 1])  # fmt: skip
    return ObjectTrackScore(
        object=kind,
        time_to_firm_track_s=float(result.confirmed_time_s[first] - objs.launch_time_s),
        position_rmse_m=float(pos),
        velocity_rmse_m_s=float(vel),
        mean_nees=float(np.mean(values)) if values.size else nan,
        nees_within_95pct_band=None if test is None else bool(test.passed),
        impact_point_error_m_first_firm=_impact_error_m(firm_state, cfg, impact),
        impact_point_error_m_end=_impact_error_m(end_state, cfg, impact),
        firm_updates=int(rows.size),
        detections=seen,
    )
