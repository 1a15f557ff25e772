"""Public vectorised API: shapes, types, input checks."""

import dataclasses
import doctest

import numpy as np
import pytest

import openbmd.atmosphere.state as state_module
from openbmd.atmosphere import (
    AtmosphereState,
    atmosphere,
    density_kg_m3,
    pressure_pa,
    speed_of_sound_m_s,
    temperature_k,
)
from openbmd.errors import ParameterError

FUNCTIONS = [temperature_k, pressure_pa, density_kg_m3, speed_of_sound_m_s]


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_shapes(fn):
    assert np.shape(fn(1000.0)) == ()
    assert isinstance(fn(1000.0), float)
    assert fn([0.0, 1.0, 2.0]).shape == (3,)
    grid = np.linspace(0.0, 1.0e5, 12).reshape(3, 4)
    assert fn(grid).shape == (3, 4)
    np.testing.assert_array_equal(fn(grid).ravel(), fn(grid.ravel()))


def test_atmosphere_state_matches_the_single_functions():
    z = np.array([[0.0, 5.0e4], [2.0e5, 9.0e5]])
    s = atmosphere(z)
    assert isinstance(s, AtmosphereState)
    np.testing.assert_array_equal(s.altitude_m, z)
    for fn, field in zip(
        FUNCTIONS,
        ["temperature_k", "pressure_pa", "density_kg_m3", "speed_of_sound_m_s"],
        strict=True,
    ):
        np.testing.assert_array_equal(fn(z), getattr(s, field))
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.temperature_k = z  # type: ignore[misc]


def test_bounds_are_inclusive():
    assert np.all(np.isfinite(density_kg_m3([-5000.0, 1.0e6])))


@pytest.mark.parametrize(
    ("bad", "shown"),
    [(1.2e6, "1200000.0"), (-5000.1, "-5000.1"), ([0.0, 2.0e6], "2000000.0")],
)
def test_out_of_range_message(bad, shown):
    with pytest.raises(ParameterError) as err:
        atmosphere(bad)
    assert str(err.value) == (
        f"The 'alt_m' parameter must be in [-5000, 1000000]. Got {shown} instead."
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, [1.0, np.nan]])
@pytest.mark.parametrize("fn", [*FUNCTIONS, atmosphere])
def test_non_finite_raises(fn, bad):
    with pytest.raises(ParameterError, match="'alt_m'"):
        fn(bad)


def test_doctests():
    result = doctest.testmod(state_module)
    assert result.attempted > 0 and result.failed == 0
