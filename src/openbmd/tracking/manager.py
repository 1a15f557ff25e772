"""Track management: initiate, confirm, update and delete tracks from radar detections.

:class:`Tracker` consumes :class:`~openbmd.sensors.Detections` of several sensors and
objects in time order, one *scan* (one sensor at one look time,
:func:`~openbmd.tracking.fusion.scan_slices`) after another, and keeps a track picture:

1. **Predict** every live track to the scan time and its measurement from the scan's
   site (one batched call of :func:`~openbmd.tracking.filters.predict` and
   :func:`~openbmd.tracking.filters.predict_measurement`).
2. **Associate** (:mod:`openbmd.tracking.association`): chi-square gates on the
   Mahalanobis distance with ``S = H P H' + R_j`` of each pair, then global nearest
   neighbour (``"gnn"``: the assigned pairs are updated in one batched call) or JPDA
   (``"jpda"``: every gated pair is updated in one batched call and each track takes the
   moment-matched mixture of its hypotheses, the "no detection" one being its
   prediction).
3. **Book-keep.** A track *hits* when it is updated (JPDA: when the probability that
   none of the scan's detections is its own is below one half) and *misses* when a
   sensor that has detected it before looked at it without a hit: a search scan (a
   scan with a detection made in search, ``Detections.track`` False) looks everywhere;
   a scan of track dwells only looks where its detections are, i.e. at the tracks
   whose gate holds one of them (a sensor that never saw a track says nothing about
   it: it may not cover that part of the sky). A look that detects nothing leaves no
   row in ``Detections``, so such misses go unseen: ``max_coast_s`` (and
   ``tentative_max_coast_s`` for tentative tracks) bounds the silence. A *tentative*
   track is confirmed when ``M`` of its last ``N`` opportunities are hits, and deleted
   as soon as it can no longer reach ``M`` in ``N``. A *confirmed* track is deleted
   after ``max_misses`` consecutive misses, or when its predicted position sigma (root
   of the trace of the position covariance) exceeds ``max_position_sigma_m`` at a
   miss.
4. **Initiate** a tentative track from every detection that no track used (GNN:
   unassigned, and by default not inside a confirmed track's gate; JPDA: claimed by the
   tracks with probability below one half) with
   :func:`~openbmd.tracking.filters.initial_state_from_measurement`.

Early-warning cues (:class:`~openbmd.sensors.Cues`) seed a tentative track each at their
report time with a wide prior: from the cued launch point, along the cued launch azimuth,
a state that has flown half the elapsed time at ``cue_speed_m_s`` and climbs at
``cue_flight_path_deg``, with ``cue_position_sigma_m`` (at least that half distance) and
``cue_velocity_sigma_m_s`` per axis. A cue track counts no misses until a sensor has
detected it and is dropped after ``cue_timeout_s`` without one.

Track ids are the creation order (0, 1, ...) and are never reused. Input that a run can
survive is counted, not raised: detections out of time order are sorted stably (by time,
then sensor), detections with a non-finite time, range, angle or sigma are skipped, a
non-finite range rate makes the detection a 3-D one, and a failed filter update is a
miss.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_choice, require_positive, require_range
from openbmd.sensors.early_warning import Cues
from openbmd.sensors.measurements import Detections
from openbmd.tracking.association import (
    gate_threshold,
    gnn_assign,
    jpda_weights,
    log_gate_volume,
    mahalanobis_costs,
    mixture_moments,
)
from openbmd.tracking.filters import (
    STATUS_DONE,
    TrackState,
    initial_state_from_measurement,
    innovation,
    predict,
    predict_measurement,
    update,
)
from openbmd.tracking.fusion import scan_slices, site_ecef_m
from openbmd.tracking.history import TrackerResult
from openbmd.tracking.models import FilterModel

__all__ = ["CONFIRMED", "DELETED", "TENTATIVE", "Tracker", "TrackerConfig", "TrackerResult"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Track status codes (as in :attr:`TrackerResult.status`).
TENTATIVE, CONFIRMED, DELETED = 0, 1, 2


#: The chi-square quantile costs ~0.3 ms; a run asks for two values only.
_gate = lru_cache(maxsize=16)(gate_threshold)


def default_filter_model() -> FilterModel:
    """UKF with J2 gravity, drag and an estimated ``1/beta`` (re-entering objects).

    The unscented transform, not the EKF, because a track started from one detection
    has a velocity prior of km/s: over one revisit the range then moves by a second-order
    term (``(v_t dt)^2 / 2r``, ~100 m at 900 km) that an EKF ignores and its gate rejects.
    """
    return FilterModel(kind="ukf", estimate_beta=True, process_noise_m2_s3=1.0,
                       beta_process_noise_m4_kg2_s=1e-9)  # fmt: skip


@dataclass(frozen=True)
class TrackerConfig:
    """Settings of a :class:`Tracker` (validated once).

    Attributes
    ----------
    filter_model : FilterModel
        Dynamics and filter (default :func:`default_filter_model`).
    association : {"gnn", "jpda"}
    gate_probability : float
        ``P_G`` of the chi-square gate, in (0, 1).
    m_of_n : tuple of int
        Confirmation rule ``(M, N)``, 1 <= M <= N.
    max_misses : int
        Consecutive misses that delete a confirmed track (>= 1).
    max_coast_s : float
        Time without an update that deletes a confirmed track, s.
    tentative_max_coast_s : float
        Time without an update that deletes a tentative track, s.
    max_position_sigma_m : float
        Position sigma (root of the trace) above which a missed track is deleted, m.
    detection_probability : float
        ``P_D`` of the JPDA weights, in (0, 1].
    clutter_density : float or None
        Clutter density of the JPDA weights (per unit of the measurement space);
        None: non-parametric (detections in the gate over its volume).
    use_range_rate : bool
        Use measured range rates (in gating, updates and initiation).
    initiate_in_confirmed_gates : bool
        Let an unassigned detection inside a confirmed track's gate start a track (GNN).
    velocity_sigma_m_s : float
        Velocity prior sigma of a track started from one detection, m/s per axis.
    cue_speed_m_s, cue_flight_path_deg : float
        Mean speed and climb angle of the prior of a cued track.
    cue_position_sigma_m, cue_velocity_sigma_m_s : float
        Its sigmas per axis, m and m/s.
    cue_timeout_s : float
        A cued track never detected is dropped this long after the report, s.
    """

    filter_model: FilterModel = field(default_factory=default_filter_model)
    association: Literal["gnn", "jpda"] = "gnn"
    gate_probability: float = 0.9999
    m_of_n: tuple[int, int] = (3, 5)
    max_misses: int = 4
    max_coast_s: float = 90.0
    tentative_max_coast_s: float = 30.0
    max_position_sigma_m: float = 100_000.0
    detection_probability: float = 0.9
    clutter_density: float | None = None
    use_range_rate: bool = True
    initiate_in_confirmed_gates: bool = False
    velocity_sigma_m_s: float = 3000.0
    cue_speed_m_s: float = 2500.0
    cue_flight_path_deg: float = 45.0
    cue_position_sigma_m: float = 50_000.0
    cue_velocity_sigma_m_s: float = 2000.0
    cue_timeout_s: float = 900.0

    def __post_init__(self) -> None:
        if not isinstance(self.filter_model, FilterModel):
            raise ParameterError("filter_model", "a FilterModel", type(self.filter_model).__name__)
        require_choice("association", self.association, ("gnn", "jpda"))
        require_range("gate_probability", self.gate_probability, 0.0, 1.0, low_open=True,
                      high_open=True)  # fmt: skip
        require_range("detection_probability", self.detection_probability, 0.0, 1.0,
                      low_open=True)  # fmt: skip
        mn = tuple(self.m_of_n)
        if len(mn) != 2 or not all(isinstance(v, int) for v in mn) or not 1 <= mn[0] <= mn[1]:
            raise ParameterError("m_of_n", "(M, N) integers with 1 <= M <= N", self.m_of_n)
        k = self.max_misses
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ParameterError("max_misses", "an integer >= 1", self.max_misses)
        for name in ("max_coast_s", "tentative_max_coast_s", "max_position_sigma_m",
                     "velocity_sigma_m_s", "cue_speed_m_s", "cue_position_sigma_m",
                     "cue_velocity_sigma_m_s", "cue_timeout_s"):  # fmt: skip
            require_positive(name, getattr(self, name))
        require_range("cue_flight_path_deg", self.cue_flight_path_deg, -90.0, 90.0)
        if self.clutter_density is not None:
            require_positive("clutter_density", self.clutter_density)


class _Track:
    """Mutable book-keeping of one track during a run (not part of the API)."""

    __slots__ = ("confirmed", "created", "deleted", "hist", "id", "last_update", "misses",
                 "p", "sensors", "source", "status", "t", "window", "x")  # fmt: skip

    def __init__(self, tid: int, x: FloatArray, p: FloatArray, t: float, n: int, source: str):
        self.id, self.x, self.p, self.t = tid, x, p, t
        self.status, self.source = TENTATIVE, source
        self.window: deque[bool] = deque(maxlen=n)
        self.misses = 0
        self.sensors: set[int] = set()
        self.created, self.last_update = t, t
        self.confirmed, self.deleted = math.nan, math.nan
        self.hist: list[tuple[Any, ...]] = []

    def record(self, det: int, obj: int, sensor: int, nis: float) -> None:
        self.hist.append((self.t, self.x.copy(), self.p.copy(), self.status, det, obj, sensor,
                          nis))  # fmt: skip


class Tracker:
    """Multi-sensor, multi-target tracker (see the module notes).

    Examples
    --------
    >>> tracker = Tracker(TrackerConfig(m_of_n=(2, 3)))
    >>> tracker.config.association
    'gnn'
    """

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = TrackerConfig() if config is None else config
        if not isinstance(self.config, TrackerConfig):
            raise ParameterError("config", "a TrackerConfig", type(self.config).__name__)

    # ------------------------------------------------------------------ run

    def run(self, detections: Detections, cues: Cues | None = None) -> TrackerResult:
        """Track all the detections (and cues) and return the tracks' histories.

        Parameters
        ----------
        detections : Detections
            Any order; rows with non-finite values are skipped (counted).
        cues : Cues, optional
            Early-warning reports; each seeds a tentative track at its report time.

        Returns
        -------
        TrackerResult
        """
        if not isinstance(detections, Detections):
            raise ParameterError("detections", "a Detections", type(detections).__name__)
        cfg = self.config
        t_in = np.asarray(detections.time_s, dtype=float)
        # a row is out of order when it is earlier than some row before it
        latest = np.maximum.accumulate(np.where(np.isnan(t_in), -np.inf, t_in))
        out_of_order = int(np.count_nonzero(t_in[1:] < latest[:-1])) if t_in.size else 0
        z_all = detections.measurement()
        sig = np.asarray(detections.sigma, dtype=float)
        ok = (np.isfinite(t_in) & np.all(np.isfinite(z_all[:, :3]), axis=1)
              & np.all(np.isfinite(sig[:, :3]) & (sig[:, :3] > 0.0), axis=1))  # fmt: skip
        keep = np.flatnonzero(ok)
        order = keep[np.lexsort((detections.sensor_id[keep], t_in[keep]))]
        self._z = z_all
        self._r = detections.covariance
        self._sites = site_ecef_m(detections) if detections.size else np.empty((0, 3))
        self._obj = np.asarray(detections.object_id, dtype=np.int64)
        self._dwell = np.asarray(detections.track, dtype=bool)
        self._tracks: list[_Track] = []
        self._failed = 0
        cue_list = _cue_rows(cues)
        next_cue = 0
        t_sorted, s_sorted = t_in[order], np.asarray(detections.sensor_id)[order]
        for a, b in scan_slices(t_sorted, s_sorted):
            t = float(t_sorted[a])
            while next_cue < len(cue_list) and cue_list[next_cue][0] <= t:
                self._seed_cue(cue_list[next_cue])
                next_cue += 1
            self._scan(t, int(s_sorted[a]), order[a:b])
        while next_cue < len(cue_list):
            self._seed_cue(cue_list[next_cue])
            next_cue += 1
        return TrackerResult.from_tracks(
            self._tracks,
            n_state=cfg.filter_model.state_size,
            counts={
                "detections": int(detections.size),
                "used_detections": int(order.size),
                "skipped_non_finite": int(detections.size - keep.size),
                "out_of_order": out_of_order,
                "failed_updates": self._failed,
                "scans": len(scan_slices(t_sorted, s_sorted)),
            },
        )

    # ------------------------------------------------------------- one scan

    def _scan(self, t: float, sensor: int, rows: IntArray) -> None:
        cfg = self.config
        model = cfg.filter_model
        z, r, site = self._z[rows], self._r[rows], self._sites[rows[0]]
        use_rr = bool(cfg.use_range_rate and np.all(np.isfinite(z[:, 3]))
                      and np.all(np.isfinite(r[:, 3, 3])))  # fmt: skip
        m = 4 if use_rr else 3
        gamma = _gate(cfg.gate_probability, m)
        self._expire(t)
        live = [tr for tr in self._tracks if tr.status != DELETED]
        used = np.zeros(rows.size, dtype=bool)
        blocked = np.zeros(rows.size, dtype=bool)
        if live:
            prior = TrackState.trusted(np.stack([tr.x for tr in live]),
                                       np.stack([tr.p for tr in live]),
                                       np.array([tr.t for tr in live]))  # fmt: skip
            pred = predict(prior, model, t, past="keep")
            mp = predict_measurement(pred, model, site, use_range_rate=use_rr)
            nu = innovation(z[None, :, :m], mp.z_pred[:, None, :m])
            s = mp.S[:, None, :m, :m] + r[None, :, :m, :m]
            d2, logdet = mahalanobis_costs(nu, s)
            gated = d2 <= gamma
            if cfg.association == "gnn":
                hit, used = self._gnn(live, pred, d2, gamma, z, r, site, use_rr, rows, sensor)
            else:
                hit, used = self._jpda(live, pred, d2, logdet, gamma, m, z, r, site, use_rr,
                                       rows, sensor)  # fmt: skip
            confirmed = np.array([tr.status == CONFIRMED for tr in live])
            if not cfg.initiate_in_confirmed_gates:
                blocked = np.any(gated & confirmed[:, None], axis=0)
            sigma_pos = pred.position_sigma_m()
            # a search scan looks everywhere; a track dwell only where its beam points
            looked = np.full(len(live), not np.all(self._dwell[rows])) | np.any(gated, axis=1)
            for k, tr in enumerate(live):
                if not hit[k] and looked[k] and sensor in tr.sensors:
                    self._miss(tr, t, float(sigma_pos[k]))
        self._initiate(t, sensor, rows[~used & ~blocked], use_rr)

    def _gnn(self, live: list[_Track], pred: TrackState, d2: FloatArray, gamma: float,
             z: FloatArray, r: FloatArray, site: FloatArray, use_rr: bool, rows: IntArray,
             sensor: int) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:  # fmt: skip
        m = 4 if use_rr else 3
        a = gnn_assign(d2, gamma)
        tracks = np.flatnonzero(a.detection_of_track >= 0)
        dets = a.detection_of_track[tracks]
        hit = np.zeros(len(live), dtype=bool)
        used = a.track_of_detection >= 0
        if tracks.size:
            res = update(pred.take(tracks), self.config.filter_model, z[dets, :m],
                         r[dets, :m, :m], site, use_rr)  # fmt: skip
            for i, (k, j) in enumerate(zip(tracks, dets, strict=True)):
                if res.status[i] != STATUS_DONE:
                    self._failed += 1
                    continue
                hit[k] = True
                self._hit(live[k], res.state.x[i], res.state.P[i], float(pred.time_s[k]),
                          int(rows[j]), sensor, float(d2[k, j]))  # fmt: skip
        return hit, used

    def _jpda(self, live: list[_Track], pred: TrackState, d2: FloatArray, logdet: FloatArray,
              gamma: float, m: int, z: FloatArray, r: FloatArray, site: FloatArray,
              use_rr: bool, rows: IntArray,
              sensor: int) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:  # fmt: skip
        cfg = self.config
        gated = d2 <= gamma
        mean_logdet = np.array([
            float(np.mean(logdet[k, gated[k]])) - m * math.log(2.0 * math.pi) if gated[k].any()
            else 0.0 for k in range(len(live))
        ])  # fmt: skip
        beta = jpda_weights(-0.5 * (d2 + logdet), gated,
                            detection_probability=cfg.detection_probability,
                            gate_probability=cfg.gate_probability,
                            clutter_density=cfg.clutter_density,
                            log_gate_volumes=log_gate_volume(gamma, m, mean_logdet))  # fmt: skip
        hit = np.zeros(len(live), dtype=bool)
        used = beta[:, 1:].sum(axis=0) >= 0.5
        pk, pj = np.nonzero(gated)
        if pk.size == 0:
            return hit, used
        res = update(pred.take(pk), cfg.filter_model, z[pj, :m], r[pj, :m, :m], site, use_rr)
        self._failed += int(np.count_nonzero(res.status != STATUS_DONE))
        for k in np.unique(pk):
            sel = np.flatnonzero((pk == k) & (res.status == STATUS_DONE))
            if sel.size == 0:
                continue
            w = np.concatenate([[beta[k, 0]], beta[k, 1 + pj[sel]]])
            w = w / w.sum()
            means = np.concatenate([pred.x[k][None], res.state.x[sel]])[None]
            covs = np.concatenate([pred.P[k][None], res.state.P[sel]])[None]
            x, p = mixture_moments(w[None], means, covs)
            best = int(pj[sel][np.argmax(w[1:])])
            if beta[k, 0] < 0.5:
                hit[k] = True
                self._hit(live[k], x[0], p[0], float(pred.time_s[k]), int(rows[best]), sensor,
                          float(d2[k, best]))  # fmt: skip
            else:  # a weak update: the state moves, the M-of-N logic sees no hit
                tr = live[k]
                tr.x, tr.p, tr.t = x[0], p[0], float(pred.time_s[k])
        return hit, used

    # -------------------------------------------------------- book-keeping

    def _hit(self, tr: _Track, x: FloatArray, p: FloatArray, t: float, det: int, sensor: int,
             nis: float) -> None:  # fmt: skip
        m_req, _ = self.config.m_of_n
        tr.x, tr.p, tr.t, tr.last_update = x, p, t, t
        tr.window.append(True)
        tr.misses = 0
        tr.sensors.add(sensor)
        if tr.status == TENTATIVE and sum(tr.window) >= m_req:
            tr.status, tr.confirmed = CONFIRMED, t
        tr.record(det, int(self._obj[det]), sensor, nis)

    def _miss(self, tr: _Track, t: float, sigma_pos: float) -> None:
        cfg = self.config
        m_req, n_win = cfg.m_of_n
        tr.window.append(False)
        tr.misses += 1
        if tr.status == TENTATIVE:
            if tr.window.count(False) > n_win - m_req:
                self._delete(tr, t)
        elif tr.misses >= cfg.max_misses or sigma_pos > cfg.max_position_sigma_m:
            self._delete(tr, t)

    def _delete(self, tr: _Track, t: float) -> None:
        tr.status, tr.deleted = DELETED, t

    def _expire(self, t: float) -> None:
        cfg = self.config
        for tr in self._tracks:
            if tr.status == DELETED:
                continue
            # a track some sensor has seen coasts; a cue never seen times out
            limit = cfg.max_coast_s if tr.status == CONFIRMED else cfg.tentative_max_coast_s
            coasting = bool(tr.sensors) and t - tr.last_update > limit
            unseen = not tr.sensors and t - tr.created > cfg.cue_timeout_s
            if coasting or unseen:
                self._delete(tr, t)

    def _initiate(self, t: float, sensor: int, rows: IntArray, use_rr: bool) -> None:
        if rows.size == 0:
            return
        cfg = self.config
        m = 4 if use_rr else 3
        state = initial_state_from_measurement(
            self._z[rows, :m], self._r[rows, :m, :m], self._sites[rows], t, cfg.filter_model,
            velocity_sigma_m_s=cfg.velocity_sigma_m_s, use_range_rate=use_rr,
        )  # fmt: skip
        n_win = cfg.m_of_n[1]
        for i, det in enumerate(rows):
            tr = _Track(len(self._tracks), state.x[i], state.P[i], t, n_win, "detection")
            self._tracks.append(tr)
            self._hit(tr, state.x[i], state.P[i], t, int(det), sensor, math.nan)

    def _seed_cue(self, cue: tuple[float, float, float, float, float]) -> None:
        x, p = _cue_prior(cue, self.config)
        tr = _Track(len(self._tracks), x, p, cue[0], self.config.m_of_n[1], "cue")
        tr.record(-1, -1, -1, math.nan)
        self._tracks.append(tr)


def _cue_rows(cues: Cues | None) -> list[tuple[float, float, float, float, float]]:
    """(report time, launch time, lat, lon, azimuth) of each cue, by report time."""
    if cues is None:
        return []
    if not isinstance(cues, Cues):
        raise ParameterError("cues", "a Cues", type(cues).__name__)
    rows = []
    for i in np.argsort(cues.report_time_s, kind="stable"):
        vals = (float(cues.report_time_s[i]), float(cues.launch_time_s[i]),
                float(cues.launch_lat_deg[i]), float(cues.launch_lon_deg[i]),
                float(cues.launch_azimuth_deg[i]))  # fmt: skip
        if all(math.isfinite(v) for v in vals):
            rows.append(vals)
    return rows


def _cue_prior(
    cue: tuple[float, float, float, float, float], cfg: TrackerConfig
) -> tuple[FloatArray, FloatArray]:
    """Wide prior state (ECI) and covariance of a cued launch at its report time."""
    from openbmd.geodesy import enu_rotation_matrix, geodetic_to_ecef

    report, launch, lat, lon, az_deg = cue
    model = cfg.filter_model
    elapsed = max(report - launch, 1.0)
    az, gam = math.radians(az_deg), math.radians(cfg.cue_flight_path_deg)
    u_enu = np.array([math.sin(az) * math.cos(gam), math.cos(az) * math.cos(gam), math.sin(gam)])
    rot = np.asarray(enu_rotation_matrix(lat, lon)).reshape(3, 3)  # rows: e, n, u in ECEF
    u_ecef = rot.T @ u_enu
    flown = 0.5 * elapsed * cfg.cue_speed_m_s
    r_e = np.asarray(geodetic_to_ecef(lat, lon, 0.0), dtype=float).reshape(3) + flown * u_ecef
    v_e = cfg.cue_speed_m_s * u_ecef
    sig_r = max(cfg.cue_position_sigma_m, flown)
    th = model.omega_rad_s * report
    c, s = math.cos(th), math.sin(th)
    to_eci = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    omega = np.array([0.0, 0.0, model.omega_rad_s])
    x = np.zeros(model.state_size)
    x[:3] = to_eci @ r_e
    x[3:6] = to_eci @ (v_e + np.cross(omega, r_e))
    p = np.zeros((model.state_size, model.state_size))
    p[:3, :3] = sig_r**2 * np.eye(3)
    p[3:6, 3:6] = cfg.cue_velocity_sigma_m_s**2 * np.eye(3)
    if model.beta_index >= 0:
        x[model.beta_index] = model.inv_beta_prior_m2_kg
        p[model.beta_index, model.beta_index] = max(model.inv_beta_sigma_m2_kg, 1e-12) ** 2
    if model.thrust_index >= 0:
        x[model.thrust_index] = model.thrust_prior_m_s2 if model.powered else 0.0
        p[model.thrust_index, model.thrust_index] = max(model.thrust_sigma_m_s2, 1e-6) ** 2
    return x, p
