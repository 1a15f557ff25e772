"""Radar site model, catalog and target RCS: values against the formulas they state."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from openbmd.constants import BOLTZMANN_J_K, SPEED_OF_LIGHT_M_S
from openbmd.errors import ParameterError
from openbmd.sensors.catalog import CATALOG_KEYS, get_radar_class, radar_names
from openbmd.sensors.detection import probability_of_detection, required_snr_db
from openbmd.sensors.radar import MONOPULSE_SLOPE, Radar
from openbmd.sensors.rcs import ASPECT_TABLE_POINTS, RcsModel, rcs_tables

BASE: dict[str, Any] = {
    "frequency_hz": 3.0e9,
    "peak_power_w": 1.0e6,
    "pulse_width_s": 1.0e-4,
    "bandwidth_hz": 2.0e6,
    "noise_temperature_k": 500.0,
    "gain_db": 40.0,
    "loss_db": 5.0,
}


def make(**changes):
    site: dict[str, Any] = {"lat_deg": 35.0, "lon_deg": 139.0, "alt_m": 10.0}
    site.update({k: changes.pop(k) for k in list(changes) if k in site})
    return Radar("test", **site, **{**BASE, **changes})


def hand_snr_db(radar, range_m, rcs_m2, pulses):
    """Radar equation written out here: P tau G^2 lambda^2 sigma n / ((4 pi)^3 R^4 k T L)."""
    lam = SPEED_OF_LIGHT_M_S / radar.frequency_hz
    g = 10 ** (radar.gain_db / 10)
    loss = 10 ** (radar.loss_db / 10)
    num = radar.peak_power_w * radar.pulse_width_s * g * g * lam * lam * rcs_m2 * pulses
    den = (4 * math.pi) ** 3 * range_m**4 * BOLTZMANN_J_K * radar.noise_temperature_k * loss
    return 10 * math.log10(num / den)


# --- SNR and detection ------------------------------------------------------------------


@pytest.mark.parametrize("integration", ["coherent", "noncoherent"])
def test_snr_at_range_follows_the_radar_equation(integration):
    radar = make(pulses=8, integration=integration)
    coherent = 8 if integration == "coherent" else 1
    ranges = np.array([50e3, 300e3, 1.2e6])
    got = radar.snr_db(ranges, 0.1)
    want = [hand_snr_db(radar, r, 0.1, coherent) for r in ranges]
    np.testing.assert_allclose(got, want, atol=1e-9, err_msg="SNR must be the radar equation")
    # 40 dB per decade of range
    assert radar.snr_db(1e5, 1.0) - radar.snr_db(1e6, 1.0) == pytest.approx(40.0, abs=1e-9)


def test_pd_uses_the_detector_of_the_integration_mode():
    coh = make(pulses=10, integration="coherent", swerling=1, pfa=1e-6)
    non = make(pulses=10, integration="noncoherent", swerling=1, pfa=1e-6)
    assert coh.pd(15.0) == pytest.approx(float(probability_of_detection(15.0, 1e-6, 1, 1)))
    assert non.pd(5.0) == pytest.approx(float(probability_of_detection(5.0, 1e-6, 10, 1)))


def test_detection_range_gives_the_required_snr():
    radar = make(pulses=4, swerling=1)
    r = float(radar.detection_range_m(0.05, pd=0.9))
    need = float(required_snr_db(0.9, radar.pfa, 1, 1))
    assert float(radar.snr_db(r, 0.05)) == pytest.approx(need, abs=1e-9)
    assert float(radar.pd(radar.snr_db(r, 0.05))) == pytest.approx(0.9, abs=1e-9)


def test_scan_loss_only_for_scanned_faces():
    flat = make()
    scanned = make(scan_loss_exponent=2.0)
    assert float(flat.snr_db(1e5, 1.0, math.radians(60))) == float(flat.snr_db(1e5, 1.0))
    loss = float(scanned.snr_db(1e5, 1.0, math.radians(60))) - float(scanned.snr_db(1e5, 1.0))
    assert loss == pytest.approx(20 * math.log10(0.5), abs=1e-9), "cos^2(60 deg) = -6.02 dB"


# --- accuracy ---------------------------------------------------------------------------


@pytest.mark.parametrize("snr_db", [3.0, 13.0, 30.0])
def test_range_sigma_is_resolution_over_sqrt_2snr(snr_db):
    radar = make(range_sigma_floor_m=0.0)
    snr = 10 ** (snr_db / 10)
    want = SPEED_OF_LIGHT_M_S / (2 * radar.bandwidth_hz * math.sqrt(2 * snr))
    assert float(radar.range_sigma_m(snr_db)) == pytest.approx(want, rel=1e-12)
    floored = make(range_sigma_floor_m=5.0)
    assert float(floored.range_sigma_m(snr_db)) == pytest.approx(math.hypot(want, 5.0))


def test_angle_sigma_is_beamwidth_over_km_sqrt_2snr():
    radar = make(beamwidth_deg=1.5)
    snr = 10**2.0
    want = math.radians(1.5) / (MONOPULSE_SLOPE * math.sqrt(2 * snr))
    assert float(radar.angle_sigma_rad(20.0)) == pytest.approx(want, rel=1e-12)
    el = math.radians(60.0)
    assert float(radar.azimuth_sigma_rad(20.0, el)) == pytest.approx(want / 0.5, rel=1e-12)
    floored = make(beamwidth_deg=1.5, angle_sigma_floor_deg=0.01)
    assert float(floored.angle_sigma_rad(20.0)) == pytest.approx(
        math.hypot(want, math.radians(0.01)), rel=1e-12
    )
    scanned = make(beamwidth_deg=1.5, scan_loss_exponent=2.0)
    assert float(scanned.angle_sigma_rad(20.0, math.radians(60))) == pytest.approx(2 * want)


def test_noncoherent_accuracy_uses_the_dwell_snr():
    coh = make(pulses=10, integration="coherent")
    non = make(pulses=10, integration="noncoherent")
    # per-pulse 10 dB integrated over 10 pulses = 20 dB coherent
    assert float(non.range_sigma_m(10.0)) == pytest.approx(float(coh.range_sigma_m(20.0)))


def test_range_rate_sigma():
    radar = make(dwell_s=0.02, range_rate=True)
    lam = SPEED_OF_LIGHT_M_S / radar.frequency_hz
    want = lam / (2 * 0.02 * math.sqrt(2 * 100.0))
    assert float(radar.range_rate_sigma_m_s(20.0)) == pytest.approx(want, rel=1e-12)


def test_beamwidth_from_gain_of_uniform_square_aperture():
    radar = make(gain_db=40.0)
    assert radar.beamwidth_rad == pytest.approx(0.8858929413789046 * math.sqrt(4 * math.pi / 1e4))


def test_gain_from_aperture():
    radar = make(gain_db=None, aperture_area_m2=9.2, aperture_efficiency=0.8, frequency_hz=9.5e9)
    lam = SPEED_OF_LIGHT_M_S / 9.5e9
    assert radar.gain_db == pytest.approx(10 * math.log10(4 * math.pi * 9.2 * 0.8 / lam**2))


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat_deg", 91.0),
        ("peak_power_w", -1.0),
        ("frequency_hz", math.nan),
        ("pfa", 1.0),
        ("swerling", 5),
        ("pulses", 2.5),
        ("integration", "magic"),
        ("az_limits_deg", 0.0),
        ("el_limits_deg", (10.0, 5.0)),
        ("max_range_m", 0.0),
        ("k_factor", -1.0),
        ("search_revisit_s", 0.0),
        ("aperture_efficiency", 1.5),
        ("range_rate", "yes"),
        ("platform", "plane"),
    ],
)
def test_bad_parameter_names_the_field(field, value):
    with pytest.raises(ParameterError) as err:
        make(**{field: value})
    assert err.value.name == field


def test_gain_or_aperture_is_required():
    with pytest.raises(ParameterError, match="gain_db"):
        make(gain_db=None)


def test_k_factor_none_means_no_refraction():
    assert make(k_factor=None).k_factor == 1.0
    assert make().k_factor == pytest.approx(4.0 / 3.0)


def test_radar_is_immutable_and_hashable():
    radar = make()
    with pytest.raises(AttributeError):
        setattr(radar, "peak_power_w", 1.0)  # noqa: B010 (frozen: must raise)
    assert hash(radar) == hash(make())


# --- catalog ----------------------------------------------------------------------------


def test_catalog_names():
    assert radar_names() == ["s-band-array", "x-band-transportable", "long-range-discrimination"]


@pytest.mark.parametrize("name", radar_names())
def test_every_catalog_parameter_has_a_source(name):
    entry = get_radar_class(name)
    assert entry.description
    assert set(entry.values) == set(entry.sources)
    assert set(entry.values) <= CATALOG_KEYS
    for key, source in entry.sources.items():
        assert len(source) > 15, f"{name}.{key} needs a real source, got {source!r}"
    radar = Radar.from_catalog(name, 39.7, 140.1, 20.0)
    assert radar.sources == dict(entry.sources)


def test_catalog_orders_of_magnitude():
    spy = Radar.from_catalog("s-band-array", 0.0, 0.0)
    tpy = Radar.from_catalog("x-band-transportable", 0.0, 0.0)
    lrdr = Radar.from_catalog("long-range-discrimination", 0.0, 0.0)
    assert 2e9 <= spy.frequency_hz <= 4e9 and 2e9 <= lrdr.frequency_hz <= 4e9, "S band"
    assert 8e9 <= tpy.frequency_hz <= 12e9, "X band"
    assert spy.peak_power_w >= 1e6, "MW class"
    assert float(spy.gain_db or 0) >= 40.0 and float(tpy.gain_db or 0) >= 45.0
    assert tpy.aperture_area_m2 == pytest.approx(9.2)
    # the discrimination radar out-ranges the transportable one, which out-ranges the ship's
    ranges = [float(r.detection_range_m(0.01)) for r in (spy, tpy, lrdr)]
    assert ranges == sorted(ranges)


def test_catalog_overrides_and_unknown_names():
    radar = Radar.from_catalog("x-band-transportable", 40.0, 140.0, 50.0,
                               boresight_az_deg=270.0, name="shariki")  # fmt: skip
    assert radar.name == "shariki" and radar.boresight_az_deg == 270.0
    assert radar.sources["boresight_az_deg"] == "user override"
    with pytest.raises(ParameterError, match="s-band-array"):
        Radar.from_catalog("no-such-radar", 0.0, 0.0)
    with pytest.raises(ParameterError, match="overrides"):
        Radar.from_catalog("s-band-array", 0.0, 0.0, wattage=1.0)


# --- RCS --------------------------------------------------------------------------------


def test_constant_rcs():
    model = RcsModel.constant(0.3)
    np.testing.assert_allclose(model.rcs_m2_at(np.linspace(0, math.pi, 7)), 0.3)


def test_reentry_vehicle_is_small_nose_on_and_large_broadside():
    rv = RcsModel.reentry_vehicle()
    assert float(rv.rcs_m2_at(0.0)) == pytest.approx(0.01)
    assert float(rv.rcs_m2_at(math.radians(90))) > 10 * float(rv.rcs_m2_at(0.0))
    assert float(RcsModel.reentry_vehicle(0.001).rcs_m2_at(0.0)) == pytest.approx(0.001)
    body = RcsModel.rocket_body()
    assert float(body.rcs_m2_at(math.radians(90))) == pytest.approx(1000.0)


def test_rcs_interpolates_in_db():
    model = RcsModel((0.0, 90.0, 180.0), (0.01, 1.0, 1.0))
    assert float(model.rcs_m2_at(math.radians(45))) == pytest.approx(0.1)
    table = model.uniform_table_dbsm()
    assert table.shape == (ASPECT_TABLE_POINTS,)
    assert table[45] == pytest.approx(-10.0)


def test_rcs_tables_share_identical_models():
    rv = RcsModel.reentry_vehicle()
    tables, index = rcs_tables([rv, 1.0, rv, 1.0], 4)
    assert tables.shape == (2, ASPECT_TABLE_POINTS)
    assert index.tolist() == [0, 1, 0, 1]
    with pytest.raises(ParameterError, match="rcs"):
        rcs_tables([1.0, 2.0], 3)


@pytest.mark.parametrize(
    ("aspect", "rcs"),
    [((0.0, 180.0), (1.0, -1.0)), ((0.0, 90.0), (1.0, 1.0)), ((0.0, 90.0, 90.0, 180.0), (1,) * 4)],
)
def test_bad_rcs_tables(aspect, rcs):
    with pytest.raises(ParameterError):
        RcsModel(aspect, rcs)
