"""Probability of detection, square-law detector, non-coherent integration, Swerling 0-4.

The exact values are checked against independent formulas written here: the Poisson
series of the non-central chi-square, scipy's ``ncx2``, the Swerling 1 closed form
(Meyer & Mayer), the Swerling 4 binomial form, the Swerling 3/4 single-pulse closed form
and numerical averaging (``quad``) of the Swerling 0 result over the RCS distribution.
"""

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from openbmd.errors import ParameterError
from openbmd.sensors.detection import (
    SWERLING_CASES,
    TABLE_STEP_DB,
    detection_threshold,
    pd_from_table,
    pd_from_table_batch,
    pd_table,
    probability_of_detection,
    required_snr_db,
)

SNR_DB = np.linspace(-15.0, 35.0, 51)
PD_ABS = 1e-9  # what the exact forms must agree to (the requirement is 1e-6)


def _threshold(pfa, n):
    return special.gammainccinv(n, pfa)


def _sw0_poisson_series(snr, pfa, n, terms=4000):
    """Pd = sum_k Poisson(k; N snr) Q(N + k, T): the Swerling 0 mixture, summed directly."""
    t = _threshold(pfa, n)
    k = np.arange(terms)
    lam = n * snr
    weights = stats.poisson.pmf(k, lam)
    return float(np.sum(weights * special.gammaincc(n + k, t)))


def _sw1_meyer_mayer(snr, pfa, n):
    """Closed form of Swerling 1 with N pulses (Meyer & Mayer 1973; Richards ch. 6)."""
    t = _threshold(pfa, n)
    if n == 1:
        return math.exp(-t / (1 + snr))
    b = 1 + 1 / (n * snr)
    return special.gammaincc(n - 1, t) + b ** (n - 1) * special.gammainc(n - 1, t / b) * math.exp(
        -t / (1 + n * snr)
    )


def _sw34_single_pulse(snr, pfa):
    """Swerling 3 = 4 for N = 1: exp(-T/(1+snr/2)) (1 + 2 snr T / (2 + snr)^2)."""
    t = _threshold(pfa, 1)
    return math.exp(-t / (1 + snr / 2)) * (1 + 2 * snr * t / (2 + snr) ** 2)


def _sw4_binomial(snr, pfa, n):
    """Swerling 4: each pulse is Exp(a) w.p. 1/a or Gamma(2, a) w.p. 1 - 1/a, a = 1 + snr/2,
    so the sum is Gamma(N + J, a) with J ~ Binomial(N, 1 - 1/a)."""
    t = _threshold(pfa, n)
    a = 1 + snr / 2
    j = np.arange(n + 1)
    return float(np.sum(stats.binom.pmf(j, n, 1 - 1 / a) * special.gammaincc(n + j, t / a)))


def _scan_to_scan_quad(snr, pfa, n, dof):
    """Average the Swerling 0 Pd over a chi-square RCS with 2 or 4 degrees of freedom."""
    t = _threshold(pfa, n)
    shape = dof / 2
    rcs = stats.gamma(shape, scale=snr / shape)

    def integrand(s):
        return stats.ncx2.sf(2 * t, 2 * n, 2 * n * s) * rcs.pdf(s)

    hi = rcs.isf(1e-16)
    value, _ = integrate.quad(integrand, 0, hi, epsabs=1e-13, epsrel=1e-12, limit=400)
    return value


def test_threshold():
    assert detection_threshold(1e-6) == pytest.approx(-math.log(1e-6), rel=1e-14)
    for n in (1, 5, 50):
        assert special.gammaincc(n, detection_threshold(1e-8, n)) == pytest.approx(1e-8)


@pytest.mark.parametrize("n", [1, 3, 20, 150])
@pytest.mark.parametrize("pfa", [1e-10, 1e-6, 1e-2])
def test_swerling0_matches_poisson_series_and_ncx2(n, pfa):
    got = probability_of_detection(SNR_DB, pfa, n, 0)
    snr = 10 ** (SNR_DB / 10)
    t = _threshold(pfa, n)
    np.testing.assert_allclose(got, stats.ncx2.sf(2 * t, 2 * n, 2 * n * snr), atol=PD_ABS)
    for s_db, p in zip(SNR_DB[::5], got[::5], strict=True):
        if n * 10 ** (s_db / 10) < 2000:  # Poisson series needs terms well past N snr
            assert p == pytest.approx(_sw0_poisson_series(10 ** (s_db / 10), pfa, n), abs=PD_ABS)


@pytest.mark.parametrize("n", [1, 4, 30])
@pytest.mark.parametrize("pfa", [1e-9, 1e-4])
def test_swerling1_matches_meyer_mayer_closed_form(n, pfa):
    got = probability_of_detection(SNR_DB, pfa, n, 1)
    want = [_sw1_meyer_mayer(10 ** (s / 10), pfa, n) for s in SNR_DB]
    np.testing.assert_allclose(got, want, atol=PD_ABS)


@pytest.mark.parametrize("n", [1, 4, 30, 200])
def test_swerling2_closed_form(n):
    pfa = 1e-6
    got = probability_of_detection(SNR_DB, pfa, n, 2)
    want = special.gammaincc(n, _threshold(pfa, n) / (1 + 10 ** (SNR_DB / 10)))
    np.testing.assert_allclose(got, want, atol=1e-15)


@pytest.mark.parametrize("n", [1, 2, 10, 64])
@pytest.mark.parametrize("pfa", [1e-8, 1e-3])
def test_swerling4_matches_binomial_form(n, pfa):
    got = probability_of_detection(SNR_DB, pfa, n, 4)
    want = [_sw4_binomial(10 ** (s / 10), pfa, n) for s in SNR_DB]
    np.testing.assert_allclose(got, want, atol=PD_ABS)


def test_single_pulse_closed_forms_and_identities():
    pfa = 1e-6
    snr = 10 ** (SNR_DB / 10)
    sw1 = probability_of_detection(SNR_DB, pfa, 1, 1)
    np.testing.assert_allclose(sw1, pfa ** (1 / (1 + snr)), atol=1e-14)
    # one pulse: pulse-to-pulse and scan-to-scan are the same model
    np.testing.assert_allclose(probability_of_detection(SNR_DB, pfa, 1, 2), sw1, atol=1e-14)
    sw3 = probability_of_detection(SNR_DB, pfa, 1, 3)
    np.testing.assert_allclose(sw3, [_sw34_single_pulse(s, pfa) for s in snr], atol=1e-13)
    np.testing.assert_allclose(probability_of_detection(SNR_DB, pfa, 1, 4), sw3, atol=1e-13)


@pytest.mark.parametrize(("swerling", "dof"), [(1, 2), (3, 4)])
@pytest.mark.parametrize("n", [2, 12])
def test_scan_to_scan_equals_numerical_average(swerling, dof, n):
    pfa = 1e-6
    for s_db in (-5.0, 3.0, 8.0, 15.0, 25.0):
        got = probability_of_detection(s_db, pfa, n, swerling)
        want = _scan_to_scan_quad(10 ** (s_db / 10), pfa, n, dof)
        assert got == pytest.approx(want, abs=1e-8), f"SW{swerling} N={n} {s_db} dB"


@pytest.mark.parametrize("swerling", SWERLING_CASES)
@pytest.mark.parametrize("n", [1, 10, 300])
def test_limits_and_monotonicity(swerling, n):
    pfa = 1e-5
    grid = np.linspace(-40.0, 60.0, 1001)
    pd = probability_of_detection(grid, pfa, n, swerling)
    assert np.all(np.diff(pd) >= -1e-15), "Pd must not decrease as the SNR grows"
    assert np.all((pd >= pfa * (1 - 1e-12)) & (pd <= 1.0))
    # Pd -> Pfa as SNR -> -inf, Pd -> 1 as SNR -> +inf
    assert probability_of_detection(-80.0, pfa, n, swerling) == pytest.approx(pfa, rel=1e-6)
    assert probability_of_detection(-1e6, pfa, n, swerling) == pytest.approx(pfa, rel=1e-12)
    assert probability_of_detection(90.0, pfa, n, swerling) > 1 - 1e-6
    assert probability_of_detection(1e6, pfa, n, swerling) == 1.0


def test_required_snr_round_trip_and_shapes():
    pd = np.array([[0.2, 0.5], [0.9, 0.999]])
    for sw in SWERLING_CASES:
        for n in (1, 7, 100):
            req = required_snr_db(pd, 1e-6, n, sw)
            assert req.shape == (2, 2)
            back = probability_of_detection(req, 1e-6, n, sw)
            np.testing.assert_allclose(back, pd, atol=1e-9)
            assert np.all(np.diff(req.ravel()) > 0)
    assert isinstance(required_snr_db(0.9, 1e-6), np.float64)
    assert probability_of_detection(np.zeros((3, 1, 2)), 1e-6).shape == (3, 1, 2)


def test_fluctuation_and_integration_relations():
    pfa = 1e-6
    sw = {k: float(required_snr_db(0.9, pfa, 1, k)) for k in SWERLING_CASES}
    # single pulse, high Pd: fluctuations cost SNR; the dominant scatterer (3) less so
    assert sw[0] < sw[3] < sw[1]
    assert sw[1] == pytest.approx(sw[2], abs=1e-9) and sw[3] == pytest.approx(sw[4], abs=1e-9)
    # Swerling 1 fluctuation loss at Pd = 0.9: about 8 dB (Skolnik, 3rd ed., sec. 2.8)
    assert 7.5 < sw[1] - sw[0] < 8.5
    # at low Pd the fluctuating target is detected at a lower SNR than the steady one
    assert required_snr_db(0.1, pfa, 1, 1) < required_snr_db(0.1, pfa, 1, 0)
    # 10 pulses: pulse-to-pulse decorrelation (2, 4) gives diversity over scan-to-scan
    ten = {k: float(required_snr_db(0.9, pfa, 10, k)) for k in SWERLING_CASES}
    assert ten[2] < ten[1] and ten[4] < ten[3]
    # non-coherent integration gain of 10 pulses lies between sqrt(N) and N
    gain = sw[0] - ten[0]
    assert 10 * math.log10(math.sqrt(10)) < gain < 10.0
    # and grows with N
    hundred = float(required_snr_db(0.9, pfa, 100, 0))
    assert ten[0] - hundred > 5.0


@pytest.mark.parametrize(("swerling", "n"), [(0, 1), (1, 1), (0, 30), (1, 30), (3, 8), (4, 500)])
def test_pd_table_interpolation_error(swerling, n):
    pfa = 1e-6
    grid, values = pd_table(pfa, n, swerling)
    assert grid[0] == -30.0 and grid[-1] == pytest.approx(40.0)
    np.testing.assert_allclose(np.diff(grid), TABLE_STEP_DB, rtol=1e-9)
    assert values.flags.c_contiguous and np.all(np.diff(values) >= 0)
    rng = np.random.default_rng(swerling * 1000 + n)
    snr = rng.uniform(-30.0, 40.0, 3000)
    fast = pd_from_table_batch(snr, grid[0], TABLE_STEP_DB, values)
    exact = probability_of_detection(snr, pfa, n, swerling)
    err = np.max(np.abs(fast - exact))
    assert err < 1e-5, f"table interpolation error {err:.2e} (required < 1e-4)"
    assert pd_from_table(float(snr[0]), grid[0], TABLE_STEP_DB, values) == fast[0]


def test_pd_from_table_outside_and_nan():
    grid, values = pd_table(1e-6, 1, 0, snr_db_min=0.0, snr_db_max=20.0, step_db=0.5)
    assert grid.size == 41
    assert pd_from_table(-50.0, 0.0, 0.5, values) == values[0]
    assert pd_from_table(99.0, 0.0, 0.5, values) == values[-1]
    assert pd_from_table(20.0, 0.0, 0.5, values) == values[-1]
    assert math.isnan(pd_from_table(math.nan, 0.0, 0.5, values))
    assert pd_from_table(0.25, 0.0, 0.5, values) == pytest.approx(0.5 * (values[0] + values[1]))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"pfa": 0.0}, "pfa"),
        ({"pfa": 1.0}, "pfa"),
        ({"pfa": -0.1}, "pfa"),
        ({"pfa": math.nan}, "pfa"),
        ({"pfa": [1e-6, 1e-5]}, "pfa"),
        ({"pulses": 0}, "pulses"),
        ({"pulses": -3}, "pulses"),
        ({"pulses": 2.5}, "pulses"),
        ({"pulses": True}, "pulses"),
        ({"pulses": math.inf}, "pulses"),
        ({"swerling": 5}, "swerling"),
        ({"swerling": -1}, "swerling"),
        ({"swerling": 1.5}, "swerling"),
        ({"swerling": "1"}, "swerling"),
        ({"swerling": True}, "swerling"),
    ],
)
def test_bad_parameters(kwargs, name):
    args = {"pfa": 1e-6, "pulses": 1, "swerling": 0, **kwargs}
    with pytest.raises(ParameterError, match=f"'{name}'"):
        probability_of_detection(10.0, **args)
    with pytest.raises(ParameterError, match=f"'{name}'"):
        required_snr_db(0.9, **args)
    with pytest.raises(ParameterError, match=f"'{name}'"):
        pd_table(**args)


def test_bad_snr_pd_and_grid():
    for bad in (math.nan, math.inf, -math.inf, [1.0, math.nan]):
        with pytest.raises(ParameterError, match="'snr_db'"):
            probability_of_detection(bad, 1e-6)
    for bad in (1e-6, 1e-7, 1.0, 1.5, math.nan, [0.5, 1.0]):
        with pytest.raises(ParameterError, match="'pd'"):
            required_snr_db(bad, 1e-6)
    with pytest.raises(ParameterError, match="'pd'"):
        required_snr_db(np.nextafter(1e-6, 1.0), 1e-6, 1)  # not resolvable from pfa
    with pytest.raises(ParameterError, match="'step_db'"):
        pd_table(1e-6, step_db=0.0)
    with pytest.raises(ParameterError, match="'snr_db_max'"):
        pd_table(1e-6, snr_db_min=10.0, snr_db_max=0.0)
    # integral floats and numpy integers are accepted
    assert probability_of_detection(10.0, 1e-6, np.int64(3), np.int32(1)) == (
        probability_of_detection(10.0, 1e-6, 3.0, 1)
    )
