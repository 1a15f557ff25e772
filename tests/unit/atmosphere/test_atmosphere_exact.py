"""The exact model (equations of the standard) and the shipped table built from it."""

import numpy as np
import pytest

from openbmd.atmosphere import atmosphere, load_table
from openbmd.atmosphere import standard_constants as c
from openbmd.atmosphere._build_table import build_table
from openbmd.atmosphere.exact import exact_atmosphere, exact_number_densities_m3
from openbmd.atmosphere.exact_lower import geopotential_altitude_m, layer_bases, lower_state
from openbmd.atmosphere.exact_upper import upper_state, upper_temperature_k

FIELDS = ("temperature_k", "pressure_pa", "density_kg_m3", "speed_of_sound_m_s")


def test_layer_bases_match_the_standard():
    # NOAA-S/T 76-1562, Part 1, table of reference levels: T_M,b and P_b of the 7 layers
    tm, p = layer_bases()
    np.testing.assert_allclose(tm, [288.15, 216.65, 216.65, 228.65, 270.65, 270.65, 214.65])
    published = [101325.0, 22632.06, 5474.889, 868.0187, 110.9063, 66.93887, 3.956420]
    np.testing.assert_allclose(p, published, rtol=1e-6, err_msg="layer-base pressures")


def test_86_km_is_continuous():
    # geopotential of Z7 = 86 km is the standard's 84852.05 m'
    assert float(geopotential_altitude_m(86000.0)) == pytest.approx(84852.05, abs=0.01)
    below = np.array(lower_state(np.array([86000.0]))).ravel()
    above = np.array(upper_state(np.array([86000.0]))[:4]).ravel()
    np.testing.assert_allclose(below, above, rtol=2e-5, err_msg="T, p, rho, a at 86 km")


def test_upper_temperature_segments():
    z = np.array([86e3, 91e3, 110e3, 120e3, 500e3, 1000e3])
    np.testing.assert_allclose(
        upper_temperature_k(z), [186.8673, 186.8673, 240.0, 360.0, 999.2356, 1000.0], atol=5e-4
    )


def test_number_densities_at_86_km_and_hydrogen():
    n = exact_number_densities_m3(np.array([86e3, 149e3, 500e3]))
    np.testing.assert_allclose(n[:, 0], c.N_AT_86KM_M3, rtol=1e-9)
    assert n[5, 1] == 0.0, "no atomic hydrogen below 150 km"
    assert n[5, 2] == pytest.approx(c.N_H_AT_500KM_M3, rel=1e-9)


def test_table_within_0p1_percent_of_exact_everywhere():
    table = load_table()
    nodes = table.start_m + table.step_m * np.arange(table.n_rows)
    # midpoints are where linear interpolation is worst; add every layer kink
    kinks = c.R0_M * c.LAYER_BASE_H_M / (c.R0_M - c.LAYER_BASE_H_M)
    z = np.concatenate([0.5 * (nodes[1:] + nodes[:-1]), kinks, [80e3, 86e3, 91e3, 110e3, 120e3]])
    got, ref = atmosphere(z), exact_atmosphere(z)
    for name in FIELDS:
        rel = np.abs(getattr(got, name) / getattr(ref, name) - 1.0)
        worst = int(np.argmax(rel))
        assert rel[worst] < 1e-3, (
            f"{name}: table interpolation is {rel[worst]:.2e} from the exact standard at "
            f"{z[worst]:.1f} m (target 0.1 %)"
        )


def test_shipped_table_is_what_the_generator_builds():
    built = build_table()
    table = load_table()
    assert table.start_m == float(built["start_m"]) and table.step_m == float(built["step_m"])
    np.testing.assert_allclose(table.values, built["values"], rtol=1e-9, atol=1e-9)


def test_exact_rejects_out_of_range():
    from openbmd.errors import ParameterError

    with pytest.raises(ParameterError, match="alt_m"):
        exact_atmosphere(1.0e6 + 1.0)
