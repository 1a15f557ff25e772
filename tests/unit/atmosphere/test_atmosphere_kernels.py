"""Numba kernels and the shipped table."""

import math
from importlib import resources

import numpy as np
import pytest

from openbmd.atmosphere import atmosphere, atmosphere_at, density_at, load_table, table_range


@pytest.fixture(scope="module")
def table():
    return load_table()


def test_table_metadata(table):
    assert (table.start_m, table.top_m, table.step_m) == (-5000.0, 1.0e6, 50.0)
    assert table.values.shape == (20101, 4)
    assert table.values.flags.c_contiguous and table.values.dtype == np.float64
    assert not table.values.flags.writeable, "the cached table must be read-only"
    assert "1976" in table.source and table.version
    assert load_table() is table, "load_table must return the cached object"
    assert table_range() == (-5000.0, 1.0e6, 50.0, 20101)


def test_table_file_is_small():
    size = resources.files("openbmd").joinpath("data", "ussa1976_table.npz").stat().st_size
    assert size < 1_000_000, f"table file is {size} bytes (limit 1 MB)"


def test_kernel_equals_public_api(table):
    rng = np.random.default_rng(1976)
    z = np.concatenate([rng.uniform(-5000.0, 1.0e6, 500), [-5000.0, 0.0, 86000.0, 1.0e6]])
    state = atmosphere(z)
    for k, alt in enumerate(z):
        t, p, rho, a = atmosphere_at(alt, table.values, table.start_m, table.step_m)
        assert (t, p, rho, a) == (
            state.temperature_k[k],
            state.pressure_pa[k],
            state.density_kg_m3[k],
            state.speed_of_sound_m_s[k],
        ), f"kernel and public API differ at {alt} m"
        assert density_at(alt, table.values, table.start_m, table.step_m) == rho


def test_kernel_on_grid_nodes_returns_rows(table):
    v = table.values
    for i in (0, 1, 1234, v.shape[0] - 1):
        alt = table.start_m + i * table.step_m
        t, p, rho, a = atmosphere_at(alt, v, table.start_m, table.step_m)
        assert t == v[i, 0] and a == v[i, 3]
        assert p == pytest.approx(math.exp(v[i, 1]), rel=1e-14)
        assert rho == pytest.approx(math.exp(v[i, 2]), rel=1e-14)


def test_kernel_below_range_clamps(table):
    v, s, h = table.values, table.start_m, table.step_m
    assert atmosphere_at(-6000.0, v, s, h) == atmosphere_at(-5000.0, v, s, h)
    assert density_at(-1.0e5, v, s, h) == density_at(-5000.0, v, s, h)


def test_kernel_above_range_is_vacuum_at_held_temperature(table):
    v, s, h = table.values, table.start_m, table.step_m
    t_top, _, _, a_top = atmosphere_at(1.0e6, v, s, h)
    assert atmosphere_at(1.0e6 + 1.0, v, s, h) == (t_top, 0.0, 0.0, a_top)
    assert atmosphere_at(4.0e7, v, s, h) == (t_top, 0.0, 0.0, a_top)
    assert density_at(1.5e6, v, s, h) == 0.0


def test_kernel_nan_in_nan_out(table):
    out = atmosphere_at(math.nan, table.values, table.start_m, table.step_m)
    assert all(math.isnan(x) for x in out)
    assert math.isnan(density_at(math.nan, table.values, table.start_m, table.step_m))


def test_kernel_accepts_a_writable_copy(table):
    copy = np.array(table.values)
    ref = atmosphere_at(12345.6, table.values, table.start_m, table.step_m)
    assert atmosphere_at(12345.6, copy, table.start_m, table.step_m) == ref
