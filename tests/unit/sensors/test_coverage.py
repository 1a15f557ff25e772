"""Coverage products: map against a per-cell loop, areas, symmetry, wedges, files, figures."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from openbmd.errors import ParameterError
from openbmd.geodesy import (
    ecef_to_aer,
    geodetic_to_ecef,
    meridian_radius_m,
    prime_vertical_radius_m,
)
from openbmd.io.netcdf import read_netcdf, write_netcdf
from openbmd.sensors.coverage import (
    MAX_CELLS,
    cell_area_m2,
    coverage_grid,
    coverage_map,
    covered_area_km2,
    ray_height_m,
    vertical_coverage,
)
from openbmd.sensors.los import visible
from openbmd.sensors.radar import Radar

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def generic_radar(lat_deg: float = 35.0, lon_deg: float = 139.0, **overrides) -> Radar:
    """An all-round S-band radar (no catalog dependence): 1 m^2 detected to ~460 km."""
    params = dict(
        frequency_hz=3.3e9,
        peak_power_w=1e6,
        pulse_width_s=1e-4,
        bandwidth_hz=5e6,
        noise_temperature_k=500.0,
        gain_db=40.0,
        min_elevation_deg=0.0,
    )
    params.update(overrides)
    return Radar("generic", lat_deg, lon_deg, 10.0, **params)


def cap_area_km2(lat_deg: float, slant_m: float, alt_m: float) -> float:
    """Spherical cap under targets at ``alt_m`` within slant range ``slant_m`` (Gauss radius)."""
    r = math.sqrt(float(meridian_radius_m(lat_deg)) * float(prime_vertical_radius_m(lat_deg)))
    cos_c = (r**2 + (r + alt_m) ** 2 - slant_m**2) / (2.0 * r * (r + alt_m))
    return 2.0 * math.pi * r**2 * (1.0 - cos_c) / 1e6


def test_map_matches_a_per_cell_loop():
    radar = generic_radar(
        scan_loss_exponent=2.0,
        az_limits_deg=70.0,
        boresight_az_deg=200.0,
        boresight_el_deg=10.0,
        pulses=4,
        integration="noncoherent",
    )
    ds = coverage_map(radar, 0.5, 20e3, resolution_m=40e3, half_width_m=500e3)
    assert ds.sizes["lat"] * ds.sizes["lon"] < 1000
    # line of sight of every cell centre in one call (the batched kernel starts threads)
    lat2, lon2 = np.meshgrid(ds["lat"].values, ds["lon"].values, indexing="ij")
    seen = visible([radar], geodetic_to_ecef(lat2, lon2, 20e3))[0]
    for i, lat in enumerate(ds["lat"].values):
        for j, lon in enumerate(ds["lon"].values):
            point = geodetic_to_ecef(lat, lon, 20e3)
            az, _, rng = (
                float(v) for v in ecef_to_aer(point, radar.lat_deg, radar.lon_deg, radar.alt_m)
            )
            vis = bool(seen[i, j])
            el_app = math.radians(float(ds["elevation_deg"][i, j]))
            b_az, b_el = math.radians(200.0), math.radians(10.0)
            cos_scan = math.cos(el_app) * math.cos(b_el) * math.cos(
                math.radians(az) - b_az
            ) + math.sin(el_app) * math.sin(b_el)
            scan = math.acos(min(max(cos_scan, 0.0), 1.0))
            snr = float(radar.snr_db(rng, 0.5, scan))
            pd = float(radar.pd(snr))
            cell = f"cell ({lat:.3f}, {lon:.3f})"
            assert float(ds["slant_range_km"][i, j]) == pytest.approx(rng / 1e3, abs=1e-6), cell
            if abs(lat - radar.lat_deg) + abs(lon - radar.lon_deg) > 1e-6:  # az undefined above
                assert float(ds["azimuth_deg"][i, j]) == pytest.approx(az, abs=1e-6), cell
            assert bool(ds["visible"][i, j]) == vis, cell
            assert float(ds["snr_db"][i, j]) == pytest.approx(snr, abs=1e-9), cell
            if vis:
                # table lookup (0.01 dB grid) against the exact Pd
                assert float(ds["pd"][i, j]) == pytest.approx(pd, abs=1e-6), cell
                if abs(pd - 0.9) > 1e-4:
                    assert bool(ds["covered"][i, j]) == (pd >= 0.9), cell
            else:
                assert np.isnan(float(ds["pd"][i, j])) and not bool(ds["covered"][i, j]), cell
    assert 0 < int(ds["covered"].sum()) < int(ds["visible"].sum())


def test_area_of_a_range_limited_disk():
    radar = generic_radar(peak_power_w=1e9, max_range_m=250e3)
    ds = coverage_map(radar, 1.0, 80e3, resolution_m=2e3)
    expected = cap_area_km2(35.0, 250e3, 80e3)
    got = ds.attrs["covered_area_km2"]
    assert got == pytest.approx(expected, rel=3e-3), "grid-summed area vs spherical cap"
    assert covered_area_km2(ds) == pytest.approx(got, rel=1e-12)
    assert ds.attrs["max_range_km"] <= 250.0
    assert ds.attrs["max_range_km"] > 250.0 - 2.0 * math.sqrt(2.0)


def test_all_round_radar_at_the_equator_is_symmetric():
    radar = generic_radar(0.0, 30.0)
    ds = coverage_map(radar, 1.0, 10e3, resolution_m=8e3)
    covered = ds["covered"].values
    assert covered.any()
    np.testing.assert_array_equal(covered, covered[::-1, :])
    np.testing.assert_array_equal(covered, covered[:, ::-1])
    np.testing.assert_allclose(
        ds["pd"].values, ds["pd"].values[:, ::-1], atol=1e-12, equal_nan=True
    )


def test_field_of_regard_wedge():
    wide = coverage_map(generic_radar(), 1.0, 50e3, resolution_m=6e3)
    sector = coverage_map(
        generic_radar(boresight_az_deg=90.0, az_limits_deg=30.0),
        1.0,
        50e3,
        half_width_m=600e3,
        resolution_m=6e3,
    )
    az = sector["azimuth_deg"].values[sector["covered"].values]
    assert az.size > 0
    assert az.min() >= 60.0 - 1e-9 and az.max() <= 120.0 + 1e-9
    assert az.min() < 62.0 and az.max() > 118.0  # the wedge is filled to its edges
    ratio = sector.attrs["covered_area_km2"] / wide.attrs["covered_area_km2"]
    assert ratio == pytest.approx(60.0 / 360.0, rel=0.03)
    assert sector.attrs["max_range_km"] == pytest.approx(wide.attrs["max_range_km"], abs=6.0)


def test_grid_cell_areas_and_extent():
    assert cell_area_m2([-90.0, 90.0], [0.0, 360.0])[0, 0] / 1e6 == pytest.approx(
        510065621.724, abs=0.01
    )
    # a small equatorial cell: M dphi x a dlambda
    d = 0.01
    small = cell_area_m2([-d / 2, d / 2], [0.0, d])[0, 0]
    approx = float(meridian_radius_m(0.0)) * math.radians(d) * 6378137.0 * math.radians(d)
    assert small == pytest.approx(approx, rel=1e-8)
    lat, lon, lat_e, lon_e = coverage_grid(60.0, 179.0, 300e3, 10e3)
    assert lat.size == lat_e.size - 1 and lon.size == lon_e.size - 1
    assert lon.max() > 180.0  # not wrapped across the antimeridian
    assert lat.min() < 60.0 - 2.6 and lat.max() > 60.0 + 2.6
    # at the poleward edge the grid still reaches 300 km east and west
    half_lon = math.degrees(
        300e3 / (float(prime_vertical_radius_m(lat.max())) * math.cos(math.radians(lat.max())))
    )
    assert lon.max() - 179.0 >= half_lon
    lat, lon, *_ = coverage_grid(89.0, 0.0, 500e3, 20e3)
    assert lat.max() <= 90.0 and lon.max() - lon.min() <= 360.0


def test_polar_site_runs():
    ds = coverage_map(generic_radar(88.0, 0.0), 1.0, 30e3, resolution_m=15e3)
    assert ds.attrs["covered_area_km2"] > 0.0


def test_bad_inputs():
    radar = generic_radar()
    with pytest.raises(ParameterError, match="rcs_m2"):
        coverage_map(radar, 0.0, 10e3)
    with pytest.raises(ParameterError, match="rcs_m2"):
        vertical_coverage(radar, -1.0)
    with pytest.raises(ParameterError, match="'pd'"):
        coverage_map(radar, 1.0, 10e3, pd=1.0)
    with pytest.raises(ParameterError, match="'pd'"):
        coverage_map(radar, 1.0, 10e3, pd=radar.pfa / 2)
    with pytest.raises(ParameterError, match="target_alt_m"):
        coverage_map(radar, 1.0, -5.0)
    with pytest.raises(ParameterError, match="resolution_km"):
        coverage_map(radar, 1.0, 10e3, resolution_m=10.0, half_width_m=1e6)
    assert MAX_CELLS >= 500 * 500


def test_netcdf_round_trip(tmp_path):
    ds = coverage_map(generic_radar(), 1.0, 10e3, resolution_m=20e3)
    path = write_netcdf(ds, tmp_path / "sub" / "cov.nc")
    assert path.exists()
    assert [p.name for p in path.parent.iterdir()] == ["cov.nc"]  # no temporary left
    back = read_netcdf(path)
    assert back["covered"].dtype == bool and back["visible"].dtype == bool
    for name in ("pd", "snr_db", "slant_range_km", "cell_area_km2"):
        np.testing.assert_array_equal(back[name].values, ds[name].values)
    np.testing.assert_array_equal(back["covered"].values, ds["covered"].values)
    assert back.attrs["covered_area_km2"] == ds.attrs["covered_area_km2"]
    assert back.attrs["radar"] == "generic"
    assert back["pd"].attrs["units"] == "1"
    assert back["lat"].attrs["units"] == "degrees_north"


def test_netcdf_failure_leaves_nothing(tmp_path):
    ds = coverage_map(generic_radar(), 1.0, 10e3, resolution_m=40e3)
    bad = ds.assign_attrs(nested={"not": "allowed"})
    with pytest.raises((TypeError, ValueError)):
        write_netcdf(bad, tmp_path / "bad.nc")
    assert list(tmp_path.iterdir()) == []


def test_vertical_coverage_against_closed_forms():
    radar = generic_radar(el_limits_deg=(0.0, 85.0), min_elevation_deg=1.0, max_range_m=400e3)
    ds = vertical_coverage(radar, 1.0, altitude_km=[0.5, 5.0, 50.0, 300.0, 2000.0])
    reach = min(float(radar.detection_range_m(1.0, 0.9)), 400e3)
    rng = ds["detection_range_km"].values
    np.testing.assert_allclose(rng, reach / 1e3)
    assert ds["elevation_deg"].values[0] == 1.0 and ds["elevation_deg"].values[-1] == 85.0
    # altitude along the ray: the law of cosines on the effective sphere
    h, g = ray_height_m(reach, math.radians(30.0), 10.0)
    ke = 4.0 / 3.0 * 6371008.8
    r1 = ke + 10.0
    assert (ke + h) ** 2 == pytest.approx(
        reach**2 + r1**2 + 2 * reach * r1 * math.sin(math.radians(30.0)), rel=1e-12
    )
    assert g == pytest.approx(ke * math.asin(reach * math.cos(math.radians(30.0)) / (ke + h)))
    # longest detection at each altitude: horizon at 1 deg, or the range limit
    sin_el = math.sin(math.radians(1.0))
    for alt_km, got in zip(
        ds["altitude_km"].values[:-1], ds["max_range_km"].values[:-1], strict=True
    ):
        r2 = ke + alt_km * 1e3
        horizon = -r1 * sin_el + math.sqrt((r1 * sin_el) ** 2 + r2**2 - r1**2)
        assert got * 1e3 == pytest.approx(min(horizon, reach), abs=reach / 4000 + 1.0), alt_km
    assert ds["max_range_km"].values[-1] == 0.0  # 2000 km up is beyond the 400 km limit
    assert ds.attrs["product"] == "vertical coverage"


def test_vertical_coverage_with_scan_loss_shrinks_off_boresight():
    radar = generic_radar(scan_loss_exponent=2.0, boresight_el_deg=20.0)
    ds = vertical_coverage(radar, 1.0)
    rng = ds["detection_range_km"]
    at_boresight = float(rng.sel(elevation_deg=20.0))
    assert at_boresight == pytest.approx(float(radar.detection_range_m(1.0, 0.9)) / 1e3)
    # SNR ~ cos^2(scan) / R^4: range ~ sqrt(cos(scan))
    assert float(rng.sel(elevation_deg=80.0)) == pytest.approx(
        at_boresight * math.sqrt(math.cos(math.radians(60.0))), rel=1e-9
    )


def test_figures_render():
    from openbmd.report.maps import coverage_map_png, vertical_coverage_png

    ds = coverage_map(generic_radar(), 1.0, 10e3, resolution_m=20e3)
    png = coverage_map_png(ds)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000
    png = vertical_coverage_png(vertical_coverage(generic_radar(), 1.0))
    assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000


def test_500_by_500_map_is_fast():
    radar = generic_radar()
    coverage_map(radar, 1.0, 10e3, resolution_m=50e3)  # compile / load kernels
    start = time.perf_counter()
    ds = coverage_map(radar, 1.0, 10e3, half_width_m=500e3, resolution_m=2.0 * 500e3 / 499)
    elapsed = time.perf_counter() - start
    assert ds.sizes["lat"] * ds.sizes["lon"] >= 500 * 500
    assert elapsed < 3.0, f"500 x 500 coverage map took {elapsed:.2f} s"
