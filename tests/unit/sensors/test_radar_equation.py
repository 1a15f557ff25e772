"""Monostatic radar equation, aperture gain, beamwidth and their numba kernels."""

import math

import numpy as np
import pytest
from scipy import optimize, special

from openbmd.errors import ParameterError
from openbmd.sensors.radar_equation import (
    BEAMWIDTH_FACTOR_UNIFORM_CIRCULAR,
    BEAMWIDTH_FACTOR_UNIFORM_LINE,
    beamwidth_rad,
    gain_from_aperture_db,
    range_for_snr_m,
    snr_db,
    snr_db_kernel,
    snr_linear_kernel,
    wavelength_m,
)

#: A documented example worked by hand (S-band, 1 MW, 1 us, 40 dB, 1 m^2, 100 km, 500 K,
#: 6 dB loss, 10 pulses integrated coherently).
EXAMPLE = dict(
    frequency_hz=3.0e9,
    peak_power_w=1.0e6,
    pulse_width_s=1.0e-6,
    gain_db=40.0,
    rcs_m2=1.0,
    range_m=100.0e3,
    noise_temperature_k=500.0,
    loss_db=6.0,
    pulses=10,
)


def test_hand_worked_example():
    # lambda = 299792458 / 3e9 = 0.0999308193 m, lambda^2 = 9.98616865e-3 m^2
    # numerator  Pt tau G^2 lambda^2 sigma n = 1 J * 1e8 * 9.98616865e-3 * 1 * 10 = 9.98616865e6
    # (4 pi)^3 = 1984.40171, R^4 = 1e20 m^4, k Ts = 6.903245e-21 J, L = 10^0.6 = 3.98107171
    # denominator = 1984.40171 * 1e20 * 6.903245e-21 * 3.98107171 = 5453.59495
    # SNR = 1831.11667 -> 32.6271602 dB
    lam = 299792458.0 / 3.0e9
    assert lam == pytest.approx(0.0999308193, rel=1e-9)
    numerator = 1.0e6 * 1.0e-6 * 1e8 * lam**2 * 1.0 * 10
    assert numerator == pytest.approx(9.98616865e6, rel=1e-9)
    denominator = (4 * math.pi) ** 3 * 1e20 * 1.380649e-23 * 500.0 * 10**0.6
    assert denominator == pytest.approx(5453.59495, rel=1e-9)
    assert numerator / denominator == pytest.approx(1831.11667, rel=1e-8)
    got = snr_db(**EXAMPLE)
    assert isinstance(got, np.float64)
    assert got == pytest.approx(32.6271602, abs=1e-7), "hand-worked S-band example"


def test_range_inverse_round_trip():
    ranges = np.geomspace(1e3, 5e7, 40)
    args = {k: v for k, v in EXAMPLE.items() if k != "range_m"}
    snr = snr_db(range_m=ranges, **args)
    back = range_for_snr_m(snr_db=snr, **args)
    np.testing.assert_allclose(back, ranges, rtol=1e-12)


def test_scaling_laws():
    base = snr_db(**EXAMPLE)
    # R^-4: doubling the range costs 40 log10 2 = 12.04 dB
    assert snr_db(**{**EXAMPLE, "range_m": 200e3}) == pytest.approx(base - 40 * math.log10(2))
    # coherent integration: N pulses multiply the SNR by N
    assert snr_db(**{**EXAMPLE, "pulses": 1}) == pytest.approx(base - 10.0)
    # losses and gain in dB: one-for-one, gain counted twice (transmit and receive)
    assert snr_db(**{**EXAMPLE, "loss_db": 9.0}) == pytest.approx(base - 3.0)
    assert snr_db(**{**EXAMPLE, "gain_db": 41.0}) == pytest.approx(base + 2.0)
    # lambda^2: doubling the frequency at fixed gain costs 6.02 dB
    assert snr_db(**{**EXAMPLE, "frequency_hz": 6e9}) == pytest.approx(base - 20 * math.log10(2))
    # energy: P tau
    assert snr_db(**{**EXAMPLE, "peak_power_w": 0.5e6, "pulse_width_s": 2e-6}) == (
        pytest.approx(base)
    )


def test_broadcasting_and_zero_rcs():
    got = snr_db(**{**EXAMPLE, "range_m": np.array([[1e5], [2e5]]), "rcs_m2": [0.1, 1.0, 10.0]})
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got[0, 1], snr_db(**EXAMPLE))
    assert snr_db(**{**EXAMPLE, "rcs_m2": 0.0}) == -math.inf
    args = {k: v for k, v in EXAMPLE.items() if k != "range_m"}
    assert range_for_snr_m(snr_db=10.0, **{**args, "rcs_m2": 0.0}) == 0.0


def test_kernels_equal_api():
    rng = np.random.default_rng(3)
    for _ in range(200):
        p = dict(
            frequency_hz=rng.uniform(1e8, 4e10),
            peak_power_w=rng.uniform(1e2, 1e7),
            pulse_width_s=rng.uniform(1e-7, 1e-3),
            gain_db=rng.uniform(0, 50),
            rcs_m2=rng.uniform(1e-4, 100),
            range_m=rng.uniform(1e3, 5e6),
            noise_temperature_k=rng.uniform(50, 2000),
            loss_db=rng.uniform(0, 10),
            pulses=float(rng.integers(1, 100)),
        )
        api = snr_db(**p)
        assert snr_db_kernel(*p.values()) == pytest.approx(api, abs=1e-12)
        assert snr_linear_kernel(*p.values()) == pytest.approx(10 ** (api / 10), rel=1e-12)
    assert snr_db_kernel(1e9, 1e6, 1e-6, 30.0, 0.0, 1e5, 290.0, 0.0, 1.0) == -math.inf


def test_wavelength_and_aperture_gain():
    assert wavelength_m(299792458.0) == 1.0
    np.testing.assert_allclose(wavelength_m([1e9, 1e10]), [0.299792458, 0.0299792458])
    # G = 4 pi A / lambda^2: 1 m^2 at lambda = 3 cm is 13 962.6 (41.450 dB)
    lam = 299792458.0 / 10e9
    assert gain_from_aperture_db(1.0, 10e9, 1.0) == pytest.approx(
        10 * math.log10(4 * math.pi / lam**2), abs=1e-12
    )
    assert gain_from_aperture_db(1.0, 10e9, 0.5) == pytest.approx(
        gain_from_aperture_db(1.0, 10e9, 1.0) - 10 * math.log10(2), abs=1e-12
    )


def test_beamwidth_constants_from_the_aperture_patterns():
    # half-power points: sin(u)/u and the Airy pattern 2 J1(u)/u equal 1/sqrt(2)
    u_line = optimize.brentq(lambda u: math.sin(u) / u - 2**-0.5, 0.5, 2.5, xtol=1e-15)
    u_disc = optimize.brentq(lambda u: 2 * special.j1(u) / u - 2**-0.5, 0.5, 3.0, xtol=1e-15)
    assert 2 * u_line / math.pi == pytest.approx(BEAMWIDTH_FACTOR_UNIFORM_LINE, rel=1e-12)
    assert 2 * u_disc / math.pi == pytest.approx(BEAMWIDTH_FACTOR_UNIFORM_CIRCULAR, rel=1e-12)
    # 10 m dish at 3 GHz: 1.029 * 0.1 m / 10 m = 10.29 mrad (0.59 deg)
    assert beamwidth_rad(10.0, 3e9) == pytest.approx(
        BEAMWIDTH_FACTOR_UNIFORM_CIRCULAR * 0.0999308193 / 10.0, rel=1e-9
    )
    assert beamwidth_rad(10.0, 3e9, BEAMWIDTH_FACTOR_UNIFORM_LINE) < beamwidth_rad(10.0, 3e9)


BAD_SNR_ARGS = [
    ("frequency_hz", 0.0),
    ("frequency_hz", -1e9),
    ("frequency_hz", math.nan),
    ("peak_power_w", 0.0),
    ("peak_power_w", math.inf),
    ("pulse_width_s", -1e-6),
    ("gain_db", math.nan),
    ("rcs_m2", -0.1),
    ("range_m", 0.0),
    ("range_m", -5.0),
    ("noise_temperature_k", 0.0),
    ("loss_db", -1.0),
    ("pulses", 0.5),
    ("pulses", math.nan),
]


@pytest.mark.parametrize(("name", "value"), BAD_SNR_ARGS)
def test_bad_input_names_the_parameter(name, value):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        snr_db(**{**EXAMPLE, name: value})
    if name != "range_m":
        args = {k: v for k, v in EXAMPLE.items() if k != "range_m"}
        with pytest.raises(ParameterError, match=f"'{name}'"):
            range_for_snr_m(snr_db=10.0, **{**args, name: value})


def test_bad_input_other_functions():
    args = {k: v for k, v in EXAMPLE.items() if k != "range_m"}
    with pytest.raises(ParameterError, match="'snr_db'"):
        range_for_snr_m(snr_db=math.inf, **args)
    with pytest.raises(ParameterError, match="'efficiency'"):
        gain_from_aperture_db(1.0, 1e9, 0.0)
    with pytest.raises(ParameterError, match="'efficiency'"):
        gain_from_aperture_db(1.0, 1e9, 1.5)
    with pytest.raises(ParameterError, match="'area_m2'"):
        gain_from_aperture_db(-1.0, 1e9, 0.6)
    with pytest.raises(ParameterError, match="'diameter_m'"):
        beamwidth_rad(0.0, 1e9)
    with pytest.raises(ParameterError, match="'beamwidth_factor'"):
        beamwidth_rad(1.0, 1e9, -1.0)
    with pytest.raises(ParameterError, match="'frequency_hz'"):
        wavelength_m(0.0)
