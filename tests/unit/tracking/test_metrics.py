"""Track quality measures (openbmd.tracking.metrics)."""

import math

import numpy as np
import pytest
from scipy.stats import chi2

from openbmd.errors import ParameterError
from openbmd.tracking import chi2_band, consistency, gospa, nees, nis, ospa, rmse, track_quality


def test_rmse_of_position_and_velocity():
    est = np.array([[3.0, 4.0, 0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    truth = np.zeros((2, 6))
    pos, vel = rmse(est, truth)
    assert pos == pytest.approx(math.sqrt((25.0 + 0.0) / 2))
    assert vel == pytest.approx(math.sqrt(0.5))


def test_nees_uses_the_leading_block():
    x = np.array([1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 5.0])
    p = np.diag([1.0, 4.0, 1.0, 1.0, 1.0, 1.0, 100.0])
    assert nees(x, p, np.zeros(6)) == pytest.approx(2.0)
    assert nees(x, p, np.zeros(7)) == pytest.approx(2.25)
    assert nis([1.0, 2.0, np.nan], np.diag([1.0, 4.0, 9.0])) == pytest.approx(2.0)


def test_chi2_band_values():
    low, high = chi2_band(6, 50)
    assert low == pytest.approx(chi2.ppf(0.025, 300) / 50)
    assert high == pytest.approx(chi2.ppf(0.975, 300) / 50)
    assert (round(low, 2), round(high, 2)) == (5.08, 7.0)
    assert chi2_band(1, 1) == pytest.approx((chi2.ppf(0.025, 1), chi2.ppf(0.975, 1)))
    with pytest.raises(ParameterError):
        chi2_band(0, 5)


def test_consistency_of_chi_square_draws():
    rng = np.random.default_rng(0)
    values = rng.chisquare(6, size=(50, 200))
    c = consistency(values, 6)
    assert c.passed
    assert 0.88 < c.fraction_inside <= 1.0, "about 95 % of the times inside the band"
    inflated = consistency(values * 1.5, 6)
    assert not inflated.passed and inflated.fraction_inside < 0.1
    with_gaps = values.copy()
    with_gaps[:5, :10] = np.nan
    assert np.isfinite(consistency(with_gaps, 6).time_average)


def test_ospa_small_cases():
    """Hand-computed: c = 10, p = 1 and 2."""
    x = np.array([[0.0, 0.0], [10.0, 0.0]])
    y = np.array([[0.0, 3.0]])
    # p = 1: best pair (0,0)-(0,3) costs 3, one unmatched costs c: (3 + 10) / 2
    assert ospa(x, y, 10.0, 1.0) == pytest.approx(6.5)
    assert ospa(x, y, 10.0, 2.0) == pytest.approx(math.sqrt((9.0 + 100.0) / 2))
    assert ospa(x, x, 10.0) == 0.0
    assert ospa(np.empty((0, 2)), np.empty((0, 2)), 5.0) == 0.0
    assert ospa(x, np.empty((0, 2)), 5.0) == 5.0
    assert ospa([[0.0, 0.0]], [[100.0, 0.0]], 10.0) == pytest.approx(10.0), "cut off at c"
    assert ospa(x, y, 10.0) == pytest.approx(ospa(y, x, 10.0)), "symmetric"


def test_gospa_decomposes():
    truth = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0]])
    est = np.array([[1.0, 0.0], [100.0, 2.0], [500.0, 0.0], [900.0, 0.0]])
    g = gospa(truth, est, c=10.0, p=2.0)
    assert (g.missed_count, g.false_count) == (1, 2)
    assert g.localisation == pytest.approx(1.0 + 4.0)
    assert g.missed == pytest.approx(50.0) and g.false == pytest.approx(100.0)
    assert g.distance == pytest.approx(math.sqrt(5.0 + 50.0 + 100.0))
    assert set(g.assignment) == {(0, 0), (1, 1)}
    assert gospa(np.empty((0, 2)), np.empty((0, 2)), 10.0).distance == 0.0
    with pytest.raises(ParameterError, match="'c'"):
        gospa(truth, est, c=0.0)
    with pytest.raises(ParameterError, match=r"'x'|'y'"):
        ospa([[np.nan, 0.0]], est, 10.0)


def test_track_quality_purity_and_continuity():
    #          t:   0  1  2  3  4  5  6  7
    track = np.array([0, 0, 0, 1, 1, 0, 2, 2])
    obj = np.array([7, 7, 8, 7, 7, 7, 8, -1])
    time = np.arange(8.0)
    q = track_quality(track, obj, time, max_gap_s=2.5)
    np.testing.assert_array_equal(q.track_ids, [0, 1, 2])
    np.testing.assert_allclose(q.purity, [3 / 4, 1.0, 1 / 2])
    np.testing.assert_array_equal(q.dominant_object, [7, 7, 8])
    np.testing.assert_array_equal(q.object_ids, [7, 8])
    # object 7 updated by 0, 0, 1, 1, 0: two switches; object 8 by 0 then 2: one
    np.testing.assert_array_equal(q.id_switches, [2, 1])
    # object 8 updated at t = 2 and 6: a 4 s gap
    np.testing.assert_array_equal(q.breaks, [0, 1])
    np.testing.assert_array_equal(q.tracks_per_object, [2, 2])
    with pytest.raises(ParameterError, match="object_id"):
        track_quality([0, 1], [0], [0.0, 1.0])


def test_doctests():
    import doctest

    from openbmd.tracking import metrics, stonesoup_interop

    for module in (metrics, stonesoup_interop):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
