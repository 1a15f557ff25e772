"""Properties of the shipped standard atmosphere that must hold for any altitude."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from openbmd.atmosphere import (
    MAX_ALT_M,
    MIN_ALT_M,
    atmosphere,
    atmosphere_at,
    density_kg_m3,
    load_table,
)
from openbmd.errors import ParameterError

altitudes = st.floats(min_value=MIN_ALT_M, max_value=MAX_ALT_M, allow_nan=False)
bad_altitudes = st.one_of(
    st.floats(max_value=MIN_ALT_M, exclude_max=True),
    st.floats(min_value=MAX_ALT_M, exclude_min=True),
    st.sampled_from([math.nan, math.inf, -math.inf]),
)


@settings(max_examples=300, deadline=None)
@given(altitudes, st.floats(min_value=1e-3, max_value=MAX_ALT_M - MIN_ALT_M))
def test_pressure_and_density_positive_and_strictly_decreasing(z1, gap):
    z2 = z1 + gap
    if z2 > MAX_ALT_M:
        z1, z2 = MAX_ALT_M - gap, MAX_ALT_M
    s = atmosphere(np.array([z1, z2]))
    assert np.all(s.pressure_pa > 0.0) and np.all(s.density_kg_m3 > 0.0)
    assert s.pressure_pa[1] < s.pressure_pa[0], f"p not decreasing from {z1} m to {z2} m"
    assert s.density_kg_m3[1] < s.density_kg_m3[0], f"rho not decreasing from {z1} to {z2} m"


@settings(max_examples=300, deadline=None)
@given(altitudes)
def test_outputs_finite_and_physical(z):
    s = atmosphere(z)
    assert 180.0 < s.temperature_k <= 1000.0 + 1e-9
    assert 250.0 < s.speed_of_sound_m_s < 2000.0
    assert 0.0 < s.density_kg_m3 < 2.0 and 0.0 < s.pressure_pa < 2.0e5


@settings(max_examples=300, deadline=None)
@given(altitudes)
def test_kernel_equals_api(z):
    t = load_table()
    assert atmosphere_at(z, t.values, t.start_m, t.step_m) == (
        atmosphere(z).temperature_k,
        atmosphere(z).pressure_pa,
        atmosphere(z).density_kg_m3,
        atmosphere(z).speed_of_sound_m_s,
    )


@settings(max_examples=200, deadline=None)
@given(bad_altitudes)
def test_bad_input_raises_never_nan(z):
    try:
        out = density_kg_m3(z)
    except ParameterError as exc:
        assert "'alt_m'" in str(exc)
    else:  # pragma: no cover - reaching here is the failure
        raise AssertionError(f"density_kg_m3({z!r}) returned {out!r} instead of raising")
