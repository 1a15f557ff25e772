"""Stage 1 of a run: truth trajectories of every threat object on one time grid.

Each missile of the scenario flies its solved trajectory (drag, J2, Earth rotation);
its re-entry vehicle (object ``<missile>-RV``) and spent rocket body (``<missile>-RB``)
are sampled every ``time_step_s`` on the grid ``k * time_step_s`` since the epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openbmd.flight.propagate import Samples
from openbmd.scenario.launches import Launch
from openbmd.threats import ThreatTrajectory, solve_trajectory, threat_objects
from openbmd.threats.missile import Missile


@dataclass(frozen=True)
class Truth:
    """Truth of all threat objects (object axis: 2 per missile, RV then rocket body).

    Attributes
    ----------
    launches : tuple of Launch
        One per missile, in scenario order.
    trajectories : tuple of ThreatTrajectory
        The solved trajectory of each missile.
    samples : Samples
        Ragged ECEF samples of every object on the common grid.
    object_ids, kinds : tuple of str
        ``"<missile id>-RV"`` / ``"-RB"``; ``"reentry-vehicle"`` / ``"rocket-body"``.
    missile_index : ndarray of int, shape (O,)
        Index into ``launches`` of each object.
    launch_time_s, burnout_time_s : ndarray, shape (M,)
        Per missile, s since the epoch.
    impact_time_s : ndarray, shape (O,)
        Last sample time of each object (impact), s since the epoch.
    """

    launches: tuple[Launch, ...]
    trajectories: tuple[ThreatTrajectory, ...]
    samples: Samples
    object_ids: tuple[str, ...]
    kinds: tuple[str, ...]
    missile_index: np.ndarray
    launch_time_s: np.ndarray
    burnout_time_s: np.ndarray
    impact_time_s: np.ndarray

    @property
    def rv_objects(self) -> np.ndarray:
        """Object indices of the re-entry vehicles, one per missile."""
        return np.arange(0, len(self.object_ids), 2)


def build_truth(
    launches: Sequence[Launch], missiles: dict[str, Missile], *, step_s: float
) -> Truth:
    """Solve and sample every launch (``missiles``: threat id -> missile)."""
    trajectories: list[ThreatTrajectory] = []
    parts: list[Samples] = []
    object_ids: list[str] = []
    kinds: list[str] = []
    burnout = []
    for launch in launches:
        traj = solve_trajectory(
            missiles[launch.threat_id],
            launch.launch_lat_deg,
            launch.launch_lon_deg,
            launch.aim_lat_deg,
            launch.aim_lon_deg,
            launch.shape,
            apogee_km=launch.shape_parameter.get("apogee_km"),
            burnout_angle_deg=launch.shape_parameter.get("burnout_angle_deg"),
            time_of_flight_s=launch.shape_parameter.get("time_of_flight_s"),
            launch_time_s=launch.launch_time_s,
        )
        objects = threat_objects(traj, step_s=step_s, start_s=0.0)
        trajectories.append(traj)
        parts.append(objects.samples)
        object_ids += [f"{launch.object_id}-RV", f"{launch.object_id}-RB"]
        kinds += list(objects.kinds)
        burnout.append(objects.burnout_time_s)
    samples = _concatenate(parts)
    counts = np.diff(samples.offsets)
    last = samples.offsets[1:] - 1
    impact = np.where(counts > 0, samples.time_s[np.maximum(last, 0)], np.nan)
    return Truth(
        launches=tuple(launches),
        trajectories=tuple(trajectories),
        samples=samples,
        object_ids=tuple(object_ids),
        kinds=tuple(kinds),
        missile_index=np.repeat(np.arange(len(launches)), 2),
        launch_time_s=np.array([la.launch_time_s for la in launches], dtype=float),
        burnout_time_s=np.array(burnout, dtype=float),
        impact_time_s=impact,
    )


def _concatenate(parts: Sequence[Samples]) -> Samples:
    counts = np.concatenate([np.diff(p.offsets) for p in parts])
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Samples(
        offsets=offsets,
        time_s=np.concatenate([p.time_s for p in parts]),
        r_ecef_m=np.concatenate([p.r_ecef_m for p in parts]),
        v_ecef_m_s=np.concatenate([p.v_ecef_m_s for p in parts]),
    )
