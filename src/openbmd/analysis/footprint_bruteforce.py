"""The per-cell brute-force footprint: one solved trajectory per launch point and cell.

The reference of the fast path (:mod:`openbmd.analysis.footprint_blocks`) and the
baseline of its benchmark. For every cell and launch point it does what ``openbmd
engage`` does for one threat: :func:`openbmd.threats.solve_trajectory` (drag, J2, Earth
rotation, aimed exactly at the cell centre), the firm-track time from the radars looking
at the solved trajectory's own samples, then
:meth:`~openbmd.engagement.tracks.ThreatTracks.from_trajectories` and the same
:func:`~openbmd.analysis.footprint_engage.evaluate` (one intercept-windows call per
tier). Aim points the missile cannot reach (:class:`~openbmd.errors.UnreachableError`)
are unreachable cells.
"""

from __future__ import annotations

import math

import numpy as np

from openbmd.analysis import footprint_kernels as fk
from openbmd.analysis.footprint_blocks import BlockResult
from openbmd.analysis.footprint_engage import Outcome, evaluate, worst_case
from openbmd.analysis.footprint_setup import FootprintSetup
from openbmd.engagement.tracks import ThreatTracks
from openbmd.errors import ParameterError, UnreachableError
from openbmd.threats import ThreatTrajectory, solve_trajectory

__all__ = ["bruteforce_cells", "firm_track_of"]


def firm_track_of(setup: FootprintSetup, trajectory: ThreatTrajectory) -> float:
    """Firm-track time of a solved trajectory launched at t = 0, s (inf: never)."""
    radars = setup.radars
    best = math.inf
    for s in range(radars.size):
        looks = trajectory.sample(float(radars.revisit_s[s]))
        best = min(
            best,
            fk.firm_track_states(
                np.ascontiguousarray(looks.r_ecef_m),
                np.ascontiguousarray(looks.v_ecef_m_s),
                s,
                radars.site,
                radars.rot,
                radars.par,
                radars.boresight,
                radars.range_1m2,
                radars.scan_exponent,
                radars.revisit_s,
                radars.rcs_table,
                radars.hits_needed,
            ),
        )
    return best


def _one(
    setup: FootprintSetup, lat0: float, lon0: float, lat1: float, lon1: float
) -> tuple[Outcome, bool, float]:
    n_tiers = len(setup.tiers)
    try:
        traj = solve_trajectory(
            setup.missile,
            lat0,
            lon0,
            lat1,
            lon1,
            setup.shape,
            apogee_km=setup.shape_parameter.get("apogee_km"),
            burnout_angle_deg=setup.shape_parameter.get("burnout_angle_deg"),
            time_of_flight_s=setup.shape_parameter.get("time_of_flight_s"),
        )
    except (UnreachableError, ParameterError):
        return Outcome.empty(n_tiers, 1), False, math.inf
    firm = firm_track_of(setup, traj)
    if not math.isfinite(firm) or not setup.tiers:
        return Outcome.empty(n_tiers, 1), True, firm
    tracks = ThreatTracks.from_trajectories([traj], firm, step_s=setup.sample_step_s)
    return evaluate(tracks, setup.tiers, setup.doctrine), True, firm


def bruteforce_cells(
    setup: FootprintSetup, lat_deg: np.ndarray, lon_deg: np.ndarray
) -> BlockResult:
    """Footprint figures of C cells (worst launch point; ``firm_track_s`` of the nominal
    one), by solving every trajectory."""
    lat = np.asarray(lat_deg, dtype=float).reshape(-1)
    lon = np.asarray(lon_deg, dtype=float).reshape(-1)
    parts: list[Outcome] = []
    reach = np.ones((setup.launch_lat_deg.size, lat.size), dtype=bool)
    firm = np.full(reach.shape, math.inf)
    for p, (lat0, lon0) in enumerate(zip(setup.launch_lat_deg, setup.launch_lon_deg, strict=True)):
        for c in range(lat.size):
            out, reach[p, c], firm[p, c] = _one(setup, lat0, lon0, lat[c], lon[c])
            parts.append(out)
    nominal = firm[setup.nominal_index]
    return BlockResult(
        outcome=worst_case(Outcome.concatenate(parts), setup.launch_lat_deg.size),
        reachable=np.asarray(reach.all(axis=0), dtype=bool),
        firm_track_s=np.where(np.isfinite(nominal), nominal, np.nan),
    )
