"""The fast footprint against the per-cell brute force (a solved trajectory per cell).

Offline, on every reachable cell of the teaching map at 25 km (458 cells) and on 80
random cells of japan-2018 from a point at 50 km, the two agreed on ``engageable`` for
every cell, on the earliest intercept altitude within 0.3 km (teaching) and 2.9 km
(japan), on the earliest intercept time within one 2-s sample and on the shot
opportunities within one (``docs/footprints.md``). Here a random sample of each keeps
the test short.
"""

from __future__ import annotations

import numpy as np
import pytest

from openbmd.analysis.footprint import defended_footprint
from openbmd.analysis.footprint_bruteforce import bruteforce_cells
from openbmd.analysis.footprint_setup import prepare


def _compare(scenario: str, resolution_km: float, n_cells: int, seed: int, launch=None):
    ds = defended_footprint(scenario, resolution_km=resolution_km, launch=launch)
    lat, lon = np.meshgrid(ds["lat"].values, ds["lon"].values, indexing="ij")
    reachable = np.flatnonzero(ds["reachable"].values.ravel())
    pick = np.random.default_rng(seed).choice(reachable, n_cells, replace=False)
    brute = bruteforce_cells(prepare(scenario, launch=launch), lat.ravel()[pick], lon.ravel()[pick])

    def fast(name: str) -> np.ndarray:
        return ds[name].values.ravel()[pick]

    return fast, brute


def _check(fast, brute, alt_km: float) -> None:
    o = brute.outcome
    assert np.array_equal(fast("reachable"), brute.reachable)
    agree = np.mean(fast("engageable") == o.engageable)
    assert agree >= 0.98, f"engageable agrees on {agree:.0%} of the cells"
    assert 0 < o.engageable.sum() < o.engageable.size, "the sample must straddle the edge"
    both = fast("engageable") & o.engageable
    d_alt = np.abs(fast("earliest_intercept_alt_m")[both] - o.earliest_intercept_alt_m[both])
    assert d_alt.max() < alt_km * 1e3, f"earliest intercept altitudes differ by {d_alt.max():.0f} m"
    d_t = np.abs(fast("earliest_intercept_s")[both] - o.earliest_intercept_s[both])
    assert d_t.max() <= 2.0 + 1e-9, "within one 2-s sample"
    d_shots = np.abs(fast("shot_opportunities") - o.shot_opportunities)
    assert d_shots.max() <= 1
    assert np.mean(fast("sls_fits") == o.sls_fits) >= 0.9
    d_firm = np.abs(fast("firm_track_s") - brute.firm_track_s)
    assert np.nanmax(d_firm) <= 10.0, "firm track within two radar looks"


def test_teaching_agrees_with_bruteforce():
    fast, brute = _compare("teaching", 20.0, 20, seed=3)
    _check(fast, brute, alt_km=1.0)


@pytest.mark.slow
def test_japan_from_a_point_agrees_with_bruteforce():
    fast, brute = _compare("japan-2018", 60.0, 10, seed=5, launch=(39.5, 126.3))
    _check(fast, brute, alt_km=4.0)
