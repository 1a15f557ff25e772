"""The main job: one scenario in, one complete, reproducible run out.

``run_scenario`` chains the stages (each timed for the summary):

1. **truth**: every missile's trajectory; re-entry vehicle and rocket body samples;
2. **early warning**: infrared launch cues (if the scenario has a constellation);
3. **sensors**: radar detections of every object (search mode, seeded);
4. **tracking**: multi-sensor tracker (GNN or JPDA, EKF or UKF) seeded by the cues;
   the first confirmed track of a re-entry vehicle is the defence's decision time;
5. **engagement**: windows, weapon-target assignment, doctrine, fly-out, homing endgame,
   kill assessment (:mod:`openbmd.pipeline.engage`);
6. **outcome**: event log, trajectory table, sites, summary.

The same scenario and seed give the same :class:`RunResult` (summary and events).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from openbmd import __version__
from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.pipeline.assemble import assemble_result
from openbmd.pipeline.engage import Battery, Engagement, engage
from openbmd.pipeline.events import EventLog
from openbmd.pipeline.result import RunResult
from openbmd.pipeline.truth import Truth, build_truth
from openbmd.scenario import Scenario, load_scenario, resolve_scenario
from openbmd.scenario.distributions import nominal_value
from openbmd.scenario.resolve import ResolvedScenario
from openbmd.sensors.early_warning import Cues, early_warning_cues
from openbmd.sensors.measurements import Detections, TruthGrid, simulate_detections
from openbmd.sensors.rcs import RcsModel
from openbmd.threats.objects import REENTRY_VEHICLE
from openbmd.tracking.history import TrackerResult
from openbmd.tracking.manager import Tracker, TrackerConfig, default_filter_model

#: Stage names, in order (for progress bars and the summary's ``stage_seconds``).
STAGES = ("truth", "early_warning", "sensors", "tracking", "engagement", "outcome")

Progress = Callable[[str], None]


def run_scenario(
    scenario: Scenario | str,
    *,
    seed: int | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run a scenario (a :class:`Scenario`, a file path or a built-in name).

    Parameters
    ----------
    scenario : Scenario or str
    seed : int, optional
        Overrides the scenario's seed.
    progress : callable, optional
        Called with each stage name as it starts.
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    seed = int(scenario.seed if seed is None else seed)
    timings: dict[str, float] = {}
    clock = _Clock(timings, progress)

    clock.start("truth")
    resolved = resolve_scenario(scenario, seed=seed)
    step = float(scenario.simulation.time_step_s)
    truth = build_truth(resolved.launches, dict(resolved.missiles), step_s=step)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    seeds = rng.integers(0, 2**31 - 1, size=4)

    clock.start("early_warning")
    cues = _cues(resolved, truth, int(seeds[0]))

    clock.start("sensors")
    radars = list(resolved.radars.values())
    detections = (
        simulate_detections(radars, truth.samples, seed=int(seeds[1]), rcs=_rcs_models(truth))
        if radars
        else None
    )

    clock.start("tracking")
    tracks = _track(scenario, detections, cues)
    firm = _firm_track_times(tracks, len(truth.object_ids))

    clock.start("engagement")
    engagement = _engage(scenario, resolved, truth, firm, np.random.default_rng(int(seeds[2])))

    clock.start("outcome")
    log = EventLog()
    result = assemble_result(
        scenario=scenario,
        resolved=resolved,
        seed=seed,
        version=__version__,
        truth=truth,
        cues=cues,
        detections=detections,
        tracks=tracks,
        firm_time_s=firm,
        engagement=engagement,
        log=log,
        timings=timings,
    )
    clock.stop()
    result.summary["stage_seconds"] = {k: round(v, 4) for k, v in timings.items()}
    return result


def _rcs_models(truth: Truth) -> list[RcsModel]:
    """Aspect-dependent RCS of each object: generic re-entry vehicle or rocket body."""
    rv, body = RcsModel.reentry_vehicle(), RcsModel.rocket_body()
    return [rv if kind == REENTRY_VEHICLE else body for kind in truth.kinds]


class _Clock:
    def __init__(self, timings: dict[str, float], progress: Progress | None) -> None:
        self.timings, self.progress = timings, progress
        self.name: str | None = None
        self.t0 = 0.0

    def start(self, name: str) -> None:
        self.stop()
        self.name, self.t0 = name, time.perf_counter()
        if self.progress is not None:
            self.progress(name)

    def stop(self) -> None:
        if self.name is not None:
            self.timings[self.name] = time.perf_counter() - self.t0
            self.name = None


def _cues(resolved: ResolvedScenario, truth: Truth, seed: int) -> Cues | None:
    system = resolved.early_warning
    if system is None:
        return None
    idx = truth.missile_index
    return early_warning_cues(
        system,
        truth.samples,
        truth.launch_time_s[idx],
        truth.burnout_time_s[idx],
        seed=seed,
    )


def _track(
    scenario: Scenario, detections: Detections | None, cues: Cues | None
) -> TrackerResult | None:
    if detections is None or detections.time_s.size == 0:
        return None
    sim = scenario.simulation
    model = default_filter_model()
    if sim.track_filter != model.kind:
        import dataclasses

        model = dataclasses.replace(model, kind=sim.track_filter)
    config = TrackerConfig(filter_model=model, association=sim.association)
    return Tracker(config).run(detections, cues)


def _firm_track_times(tracks: TrackerResult | None, n_objects: int) -> np.ndarray:
    """First confirmation time of a track whose majority object is each truth object."""
    firm = np.full(n_objects, np.nan)
    if tracks is None or tracks.size == 0:
        return firm
    owner = tracks.majority_object_id()
    for k in range(tracks.size):
        o, t = int(owner[k]), float(tracks.confirmed_time_s[k])
        if 0 <= o < n_objects and math.isfinite(t) and not t >= firm[o]:
            firm[o] = t
    return firm


def _engage(
    scenario: Scenario,
    resolved: ResolvedScenario,
    truth: Truth,
    firm: np.ndarray,
    rng: np.random.Generator,
) -> Engagement | None:
    sites = scenario.defence.sites
    if not sites:
        return None
    rv = truth.rv_objects
    grid = TruthGrid.from_samples(truth.samples)
    decision = firm[rv]
    # a threat never firmly tracked cannot be engaged: decision time after its impact
    never = ~np.isfinite(decision)
    decision = np.where(never, truth.impact_time_s[rv] + 1.0, decision)
    tracks = ThreatTracks(
        time_s=grid.time_s,
        r_ecef_m=grid.r_ecef_m[rv],
        v_ecef_m_s=grid.v_ecef_m_s[rv],
        decision_time_s=decision,
    )
    doctrine = scenario.defence.doctrine
    tier_order = list(doctrine.tier_order or [])
    classes: list[str] = []
    for s in sites:
        if s.interceptor not in classes:
            classes.append(s.interceptor)
    if doctrine.layered and tier_order:
        classes.sort(key=lambda c: tier_order.index(c) if c in tier_order else len(tier_order))
    batteries: list[Battery] = []
    class_sites = []
    for ci, cls in enumerate(classes):
        members = [s for s in sites if s.interceptor == cls]
        class_sites.append(
            (
                resolved.interceptors[members[0].id],
                LaunchSites(
                    lat_deg=np.array([m.site.lat_deg for m in members]),
                    lon_deg=np.array([m.site.lon_deg for m in members]),
                    alt_m=np.array([m.site.alt_m for m in members]),
                    names=tuple(m.id for m in members),
                ),
            )
        )
        for si, m in enumerate(members):
            batteries.append(
                Battery(
                    m.id,
                    resolved.interceptors[m.id],
                    ci,
                    si,
                    int(m.inventory),
                    ci if doctrine.layered else 0,
                    m.site.lat_deg,
                    m.site.lon_deg,
                )
            )
    value = np.array([la.value for la in truth.launches], dtype=float)
    bm = scenario.defence.battle_management
    salvos = doctrine.salvo_sizes
    stages = len(salvos) if doctrine.mode == "shoot-look-shoot" else 1
    if doctrine.layered:
        stages = max(stages, len(classes))
    return engage(
        tracks,
        batteries,
        class_sites,
        salvo_size=int(salvos[0]),
        stages=stages,
        layered=bool(doctrine.layered),
        kill_assessment_s=float(nominal_value(doctrine.kill_assessment_s)),
        method=bm.assignment,
        objective=bm.objective,
        priority=bm.priority,
        threat_value=value,
        rng=rng,
    )
