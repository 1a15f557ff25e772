"""Stage 6 of a run: the event log, the tables and the summary of a :class:`RunResult`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from openbmd.geodesy import ecef_to_geodetic, geodetic_to_ecef
from openbmd.geodesy.kernels import ecef_to_geodetic_batch
from openbmd.pipeline.engage import Engagement
from openbmd.pipeline.events import EventLog
from openbmd.pipeline.result import RunResult
from openbmd.pipeline.truth import Truth
from openbmd.scenario import Scenario
from openbmd.scenario.resolve import ResolvedScenario
from openbmd.sensors.early_warning import Cues
from openbmd.sensors.measurements import Detections
from openbmd.tracking.history import TrackerResult

#: Samples per interceptor fly-out path drawn in the trajectory table.
FLYOUT_SAMPLES = 40
#: Reference target of the radar rows of the sites table and of the coverage outlines:
#: RCS (m^2), Pd and altitude (m).
REFERENCE_RCS_M2 = 0.1
REFERENCE_PD = 0.9
REFERENCE_ALT_M = 100_000.0
#: Cells across a coverage map from which an outline is traced.
COVERAGE_CELLS = 241


def assemble_result(
    *,
    scenario: Scenario,
    resolved: ResolvedScenario,
    seed: int,
    version: str,
    truth: Truth,
    cues: Cues | None,
    detections: Detections | None,
    tracks: TrackerResult | None,
    firm_time_s: np.ndarray,
    engagement: Engagement | None,
    log: EventLog,
    timings: dict[str, float],
) -> RunResult:
    """Build the :class:`RunResult` of a run from its stages' outputs."""
    _launch_events(log, truth)
    _cue_events(log, truth, cues)
    _detection_events(log, truth, detections)
    for o, t in enumerate(firm_time_s):
        if math.isfinite(t):
            log.add(t, "firm-track", threat_id=_threat(truth, o), object_id=truth.object_ids[o])
    shots_rows = _engagement_events(log, truth, engagement) if engagement else []
    leakers = _impact_events(log, truth, engagement)
    trajectories = _trajectory_table(truth, shots_rows)
    sites = _sites_table(resolved)
    coverage = _coverage_outlines(resolved)
    summary = _summary(scenario, truth, cues, detections, tracks, firm_time_s, engagement,
                       leakers)  # fmt: skip
    return RunResult(
        scenario_name=scenario.name,
        scenario_yaml=scenario.to_yaml(),
        seed=seed,
        software_version=version,
        summary=summary,
        events=log.table(),
        trajectories=trajectories,
        sites=sites,
        sources=resolved.sources(),
        coverage=coverage,
        epoch=scenario.epoch,
    )


def _threat(truth: Truth, obj: int) -> str:
    return truth.launches[int(truth.missile_index[obj])].threat_id


def _launch_events(log: EventLog, truth: Truth) -> None:
    for la in truth.launches:
        log.add(la.launch_time_s, "launch", threat_id=la.threat_id, object_id=f"{la.object_id}-RV",
                lat_deg=la.launch_lat_deg, lon_deg=la.launch_lon_deg, alt_m=0.0,
                detail=f"{la.missile_class}, {la.shape}")  # fmt: skip


def _cue_events(log: EventLog, truth: Truth, cues: Cues | None) -> None:
    if cues is None:
        return
    first = cues.first_per_object()
    for k in range(len(first)):
        o = int(first.object_index[k])
        if o % 2:  # rocket bodies share the missile's cue
            continue
        log.add(first.report_time_s[k], "cue", threat_id=_threat(truth, o),
                object_id=truth.object_ids[o], sensor_id=f"satellite-{first.satellite_id[k]}",
                lat_deg=first.launch_lat_deg[k], lon_deg=first.launch_lon_deg[k],
                detail=f"launch azimuth {first.launch_azimuth_deg[k]:.1f} deg")  # fmt: skip


def _detection_events(log: EventLog, truth: Truth, det: Detections | None) -> None:
    """First detection of each object by each radar."""
    if det is None or det.time_s.size == 0:
        return
    key = det.object_id * 1_000_000 + det.sensor_id
    _, first = np.unique(key, return_index=True)
    # positions of the logged (first) detections only, not of every detection
    lats, lons, alts = ecef_to_geodetic(det.take(first).to_ecef())
    for n, i in enumerate(first):
        o, s = int(det.object_id[i]), int(det.sensor_id[i])
        lat, lon, alt = np.atleast_1d(lats)[n], np.atleast_1d(lons)[n], np.atleast_1d(alts)[n]
        detail = f"range {det.range_m[i] / 1e3:.0f} km, SNR {det.snr_db[i]:.1f} dB"
        log.add(det.time_s[i], "detection", threat_id=_threat(truth, o),
                object_id=truth.object_ids[o], sensor_id=det.sensor_names[s],
                lat_deg=float(lat), lon_deg=float(lon), alt_m=float(alt),
                detail=detail)  # fmt: skip


def _engagement_events(
    log: EventLog, truth: Truth, eng: Engagement
) -> list[tuple[str, str, float, float, np.ndarray, np.ndarray]]:
    """Decisions, launches, intercepts and assessments; returns fly-out path rows."""
    rv = truth.rv_objects
    names = [b.site_id for b in eng.batteries]
    for t, threat, b, reason in eng.decisions:
        o = int(rv[threat])
        site = names[b] if b >= 0 else ""
        log.add(t if math.isfinite(t) else truth.impact_time_s[o], "launch-decision",
                threat_id=_threat(truth, o), object_id=truth.object_ids[o], site_id=site,
                detail=reason)  # fmt: skip
    paths = []
    for n, s in enumerate(eng.shots):
        o = int(rv[s.threat])
        bat = eng.batteries[s.battery]
        iid = f"I{n + 1}-{bat.site_id}"
        t_rv, r_rv, _ = truth.samples.of(o)
        j = min(int(np.searchsorted(t_rv, s.intercept_time_s)), t_rv.size - 1)
        point = r_rv[j]
        lat, lon, alt = (float(v) for v in ecef_to_geodetic(point))
        common: dict[str, str] = {"threat_id": _threat(truth, o),
                                  "object_id": truth.object_ids[o],
                                  "site_id": bat.site_id, "interceptor_id": iid}  # fmt: skip
        site_lat, site_lon = bat.lat_deg, bat.lon_deg
        log.add(s.launch_time_s, "interceptor-launch", lat_deg=site_lat, lon_deg=site_lon,
                alt_m=0.0, detail=bat.interceptor.name, **common)  # fmt: skip
        miss = "interceptor failed" if not s.worked else f"miss {s.miss_m:.2f} m"
        log.add(
            s.intercept_time_s,
            "intercept",
            lat_deg=lat,
            lon_deg=lon,
            alt_m=alt,
            detail=f"{miss}, closing {s.closing_speed_m_s:.0f} m/s",
            **common,
        )
        assessment = s.intercept_time_s + _kill_assessment(eng)
        log.add(assessment, "kill-assessment", lat_deg=lat, lon_deg=lon, alt_m=alt,
                detail="killed" if s.killed else "survived", **common)  # fmt: skip
        paths.append((iid, common["threat_id"], s.launch_time_s, s.intercept_time_s,
                      np.asarray(geodetic_to_ecef(site_lat, site_lon, 0.0)), point))  # fmt: skip
    return paths


def _kill_assessment(eng: Engagement) -> float:
    return float(eng.windows[0].kill_assessment_s) if eng.windows else 0.0


def _impact_events(log: EventLog, truth: Truth, eng: Engagement | None) -> int:
    """Impacts of every object; leakers are re-entry vehicles not killed before impact."""
    killed = eng.killed if eng is not None and eng.killed is not None else None
    leakers = 0
    for o in range(len(truth.object_ids)):
        t, r, _ = truth.samples.of(o)
        if t.size == 0:
            continue
        lat, lon, alt = (float(v) for v in ecef_to_geodetic(r[-1]))
        threat, obj = _threat(truth, o), truth.object_ids[o]
        is_rv = o % 2 == 0
        if is_rv and killed is not None and killed[o // 2]:
            continue  # destroyed in flight: no impact
        log.add(t[-1], "impact", threat_id=threat, object_id=obj, lat_deg=lat, lon_deg=lon,
                alt_m=alt, detail=truth.kinds[o])  # fmt: skip
        if is_rv:
            leakers += 1
            log.add(t[-1], "leaker", threat_id=threat, object_id=obj, lat_deg=lat, lon_deg=lon,
                    alt_m=alt, detail="re-entry vehicle reached the ground")  # fmt: skip
    return leakers


def _trajectory_table(truth: Truth, paths: list[Any]) -> dict[str, np.ndarray]:
    s = truth.samples
    counts = np.diff(s.offsets)
    geo = ecef_to_geodetic_batch(np.ascontiguousarray(s.r_ecef_m))
    cols: dict[str, list[np.ndarray]] = {k: [] for k in (
        "object_id", "kind", "threat_id", "time_s", "lat_deg", "lon_deg", "alt_m",
        "x_ecef_m", "y_ecef_m", "z_ecef_m")}  # fmt: skip
    cols["object_id"].append(np.repeat(np.array(truth.object_ids, dtype=object), counts))
    cols["kind"].append(np.repeat(np.array(truth.kinds, dtype=object), counts))
    threats = np.array([_threat(truth, o) for o in range(counts.size)], dtype=object)
    cols["threat_id"].append(np.repeat(threats, counts))
    cols["time_s"].append(s.time_s)
    cols["lat_deg"].append(np.degrees(geo[:, 0]))
    cols["lon_deg"].append(np.degrees(geo[:, 1]))
    cols["alt_m"].append(geo[:, 2])
    for k, axis in (("x_ecef_m", 0), ("y_ecef_m", 1), ("z_ecef_m", 2)):
        cols[k].append(s.r_ecef_m[:, axis])
    for iid, threat_id, t0, t1, r0, r1 in paths:
        # drawn as the straight chord from the site to the intercept point (the fly-out
        # timing itself comes from the time-to-reach table)
        f = np.linspace(0.0, 1.0, FLYOUT_SAMPLES)
        r = r0[None, :] * (1.0 - f[:, None]) + r1[None, :] * f[:, None]
        g = ecef_to_geodetic_batch(np.ascontiguousarray(r))
        cols["object_id"].append(np.full(f.size, iid, dtype=object))
        cols["kind"].append(np.full(f.size, "interceptor", dtype=object))
        cols["threat_id"].append(np.full(f.size, threat_id, dtype=object))
        cols["time_s"].append(t0 + f * (t1 - t0))
        cols["lat_deg"].append(np.degrees(g[:, 0]))
        cols["lon_deg"].append(np.degrees(g[:, 1]))
        cols["alt_m"].append(np.maximum(g[:, 2], 0.0))
        for k, axis in (("x_ecef_m", 0), ("y_ecef_m", 1), ("z_ecef_m", 2)):
            cols[k].append(r[:, axis])
    return {k: np.concatenate(v) for k, v in cols.items()}


def _sites_table(resolved: ResolvedScenario) -> dict[str, np.ndarray]:
    rows: list[tuple[str, str, str, float, float, float, float]] = []
    s = resolved.scenario
    for spec in s.sensors.radars:
        radar = resolved.radars[spec.id]
        rng = float(radar.detection_range_m(REFERENCE_RCS_M2, pd=REFERENCE_PD))
        rows.append((spec.id, "radar", spec.class_name, spec.site.lat_deg, spec.site.lon_deg,
                     spec.site.alt_m, min(rng, float(radar.max_range_m))))  # fmt: skip
    for site in s.defence.sites:
        rows.append((site.id, "interceptor-site", site.interceptor, site.site.lat_deg,
                     site.site.lon_deg, site.site.alt_m,
                     float(resolved.interceptors[site.id].max_ground_range_m)))  # fmt: skip
    cols = ("site_id", "kind", "class_name", "lat_deg", "lon_deg", "alt_m", "max_range_m")
    text = {"site_id", "kind", "class_name"}
    return {
        c: np.array([r[i] for r in rows], dtype=object if c in text else float)
        for i, c in enumerate(cols)
    }


def _coverage_outlines(resolved: ResolvedScenario) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Outline of where each radar detects the reference target at the reference
    altitude with Pd >= the reference Pd (the longest contour of its coverage map)."""
    import contourpy

    from openbmd.sensors.coverage import coverage_map

    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for radar_id, radar in resolved.radars.items():
        reach = min(float(radar.detection_range_m(REFERENCE_RCS_M2, pd=REFERENCE_PD)),
                    float(radar.max_range_m), 4.0e6)  # fmt: skip
        half = 1.1 * reach
        ds = coverage_map(radar, REFERENCE_RCS_M2, REFERENCE_ALT_M, pd=REFERENCE_PD,
                          resolution_m=2.0 * half / COVERAGE_CELLS, half_width_m=half)  # fmt: skip
        covered = np.asarray(ds["covered"].values, dtype=float)
        if not covered.any():
            continue
        gen = contourpy.contour_generator(
            ds["lon"].values, ds["lat"].values, covered, line_type=contourpy.LineType.Separate
        )
        lines = [np.asarray(x, dtype=float) for x in gen.lines(0.5)]
        if lines:
            line = max(lines, key=lambda a: a.shape[0])
            out[radar_id] = (np.asarray(line[:, 0]), np.asarray(line[:, 1]))
    return out


def _summary(
    scenario: Scenario,
    truth: Truth,
    cues: Cues | None,
    det: Detections | None,
    tracks: TrackerResult | None,
    firm: np.ndarray,
    eng: Engagement | None,
    leakers: int,
) -> dict[str, Any]:
    rv = truth.rv_objects
    shots = eng.shots if eng is not None else []
    # the solved trajectories' impact points (the samples stop at the last grid time)
    impacts = [t.impact_miss_m for t in truth.trajectories]
    decisions = eng.decisions if eng is not None else []
    reasons: dict[str, int] = {}
    for _, _, _, reason in decisions:
        reasons[reason] = reasons.get(reason, 0) + 1
    return {
        "scenario": scenario.name,
        "seed": int(scenario.seed),
        "missiles": len(truth.launches),
        "objects": len(truth.object_ids),
        "cues": len(cues.first_per_object()) if cues is not None else 0,
        "detections": int(det.time_s.size) if det is not None else 0,
        "tracks": int(tracks.size) if tracks is not None else 0,
        "firm_tracks_rv": int(np.count_nonzero(np.isfinite(firm[rv]))),
        "mean_time_to_firm_track_s": _mean(firm[rv] - truth.launch_time_s),
        "engageable_rv": _engageable(eng),
        "interceptors_fired": len(shots),
        "interceptors_failed": sum(1 for s in shots if not s.worked),
        "kills": int(np.count_nonzero(eng.killed))
        if eng is not None and eng.killed is not None
        else 0,
        "leakers": int(leakers),
        "inventory_left": int(eng.inventory_left.sum())
        if eng is not None and eng.inventory_left is not None
        else 0,
        "decision_reasons": reasons,
        "max_aim_miss_m": float(max(impacts)) if impacts else math.nan,
    }


def _engageable(eng: Engagement | None) -> int:
    if eng is None or not eng.windows:
        return 0
    any_pair = np.zeros(eng.windows[0].engageable.shape[0], dtype=bool)
    for w in eng.windows:
        any_pair |= np.any(w.engageable, axis=1)
    return int(np.count_nonzero(any_pair))


def _mean(values: np.ndarray) -> float:
    v = values[np.isfinite(values)]
    return float(v.mean()) if v.size else math.nan


def _count(flags: np.ndarray | None) -> int:
    return int(np.count_nonzero(flags)) if flags is not None else 0
