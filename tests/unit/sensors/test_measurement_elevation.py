"""The refracted-elevation filter never contradicts the exact test.

Looks everywhere (sites from -400 m to 5 km, k from 0.5 to 10, targets from below the
horizon to the zenith, 0 to 5,000 km away) and, the hardest case, elevation limits set
within 1e-15 to 1e-3 rad of each look's exact apparent elevation: every verdict given
must equal ``clear and el_low <= el_app <= el_high`` of
:func:`openbmd.sensors.los.effective_ray_point`, and most looks away from the limits
must get one (else the filter saves nothing).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from openbmd.sensors.los import effective_ray_point
from openbmd.sensors.measurement_elevation import elevation_verdict, verdict_parameters

INV_M, INV_N = 1.0 / 6_363_000.0, 1.0 / 6_388_000.0


@njit(cache=False)
def _compare(h, up, cos2, alt, k, low, high):
    """(verdicts given, verdicts wrong) over the looks, the limits per look."""
    given = 0
    wrong = 0
    for n in range(h.shape[0]):
        el_app, clear = effective_ray_point(h[n], up[n], cos2[n], INV_M, INV_N, alt[n], k[n])
        exact = clear and low[n] <= el_app <= high[n]
        tan_high = math.inf if high[n] >= 0.5 * math.pi else math.tan(high[n])
        v = elevation_verdict(h[n], up[n], cos2[n], INV_M, INV_N, alt[n], k[n],
                              math.tan(low[n]), tan_high)  # fmt: skip
        if v >= 0:
            given += 1
            if (v == 1) != exact:
                wrong += 1
    return given, wrong


@njit(cache=False)
def _apparent(h, up, cos2, alt, k):
    out = np.empty(h.shape[0])
    for n in range(h.shape[0]):
        out[n] = effective_ray_point(h[n], up[n], cos2[n], INV_M, INV_N, alt[n], k[n])[0]
    return out


def _looks(n, seed):
    rng = np.random.default_rng(seed)
    ground = rng.uniform(0.0, 5.0e6, n) * rng.choice([1.0, 1e-3], n, p=[0.9, 0.1])
    height = rng.uniform(-2e3, 1.5e6, n)
    alt = rng.uniform(-400.0, 5e3, n)
    # ENU of a target at `height` above a sphere, `ground` metres away along the surface
    radius = 6_371_000.0
    psi = ground / radius
    h = (radius + height) * np.sin(psi)
    up = (radius + height) * np.cos(psi) - radius - alt
    cos2 = rng.uniform(0.0, 1.0, n)
    k = rng.choice([0.5, 0.9, 4.0 / 3.0, 2.0, 10.0], n)
    return h, up, cos2, alt, k, rng


def test_verdicts_agree_with_the_exact_test_everywhere():
    h, up, cos2, alt, k, rng = _looks(200_000, 1)
    low = np.radians(rng.uniform(-10.0, 10.0, h.size))
    high = np.where(
        rng.random(h.size) < 0.5, 0.5 * math.pi, np.radians(rng.uniform(20, 85, h.size))
    )
    given, wrong = _compare(h, up, cos2, alt, k, low, high)
    assert wrong == 0
    assert given > 0.8 * h.size, f"only {given} verdicts"


def test_most_looks_of_a_radar_get_a_verdict():
    """k = 4/3, targets within 3,000 km, a 0.5 deg mask: the exact path is the exception."""
    h, up, cos2, alt, k, _ = _looks(100_000, 3)
    keep = np.hypot(h, up) < 3.0e6
    k = np.full(h.size, 4.0 / 3.0)
    low = np.full(h.size, math.radians(0.5))
    high = np.full(h.size, math.radians(80.0))
    given, wrong = _compare(h[keep], up[keep], cos2[keep], alt[keep], k[keep], low[keep],
                            high[keep])  # fmt: skip
    assert wrong == 0 and given > 0.99 * keep.sum(), f"{given} verdicts of {keep.sum()}"


@pytest.mark.parametrize("offset", [0.0, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3])
def test_verdicts_agree_at_the_limits(offset):
    """Limits a hair's breadth from the exact apparent elevation, on either side."""
    h, up, cos2, alt, k, rng = _looks(50_000, 2)
    el = _apparent(h, up, cos2, alt, k)
    sign = rng.choice([-1.0, 1.0], h.size)
    low = np.clip(el + sign * offset, -1.4, 1.4)
    high = np.full(h.size, 0.5 * math.pi)
    assert _compare(h, up, cos2, alt, k, low, high)[1] == 0
    high = np.clip(el - sign * offset, -1.4, 1.4)
    low = np.full(h.size, -1.4)
    assert _compare(h, up, cos2, alt, k, low, high)[1] == 0


def test_parameters():
    assert verdict_parameters(1.0, 0.0, 1.0)[0] == 0.0, "k = 1: the exact test is cheap"
    assert verdict_parameters(4 / 3, -1.55, 1.0)[0] == 0.0, "limit near -90 deg"
    usable, tan_low, tan_high = verdict_parameters(4 / 3, math.radians(0.5), 0.5 * math.pi)
    assert usable == 1.0 and tan_high == math.inf
    assert tan_low == pytest.approx(math.tan(math.radians(0.5)))
