"""Distributions: validation, nominal values, seeded sampling, supports."""

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from openbmd.scenario import Choice, Normal, Triangular, Uniform, is_distribution, nominal_value
from openbmd.scenario.distributions import Numeric, sample_value
from openbmd.scenario.errors import issues_from_validation_error

NUMERIC = TypeAdapter(Numeric)


def test_plain_number_is_its_own_nominal_value():
    assert NUMERIC.validate_python(3) == 3.0
    assert nominal_value(3.0) == 3.0
    assert not is_distribution(3.0)
    assert sample_value(3.0, np.random.default_rng(0)) == 3.0


@pytest.mark.parametrize(
    ("data", "cls", "nominal", "support"),
    [
        ({"uniform": [2, 6]}, Uniform, 4.0, (2.0, 6.0)),
        ({"normal": {"mean": 5, "sd": 2}}, Normal, 5.0, (-math.inf, math.inf)),
        ({"normal": {"mean": 5, "sd": 2, "low": 0, "high": 7}}, Normal, 5.0, (0.0, 7.0)),
        ({"triangular": {"low": 1, "mode": 2, "high": 5}}, Triangular, 2.0, (1.0, 5.0)),
        ({"choice": [7, 1, 3]}, Choice, 7.0, (1.0, 7.0)),
    ],
)
def test_parse_nominal_and_support(data, cls, nominal, support):
    dist = NUMERIC.validate_python(data)
    assert isinstance(dist, cls)
    assert is_distribution(dist)
    assert dist.nominal() == nominal
    assert dist.support() == support


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"uniform": [6, 2]}, "lo < hi"),
        ({"uniform": [2, 2]}, "lo < hi"),
        ({"uniform": [1]}, "the list is too short"),
        ({"normal": {"mean": 5, "sd": 0}}, "must be > 0"),
        ({"normal": {"mean": 5, "sd": -1}}, "must be > 0"),
        ({"normal": {"mean": 5, "sd": 1, "low": 6, "high": 9}}, "mean"),
        ({"normal": {"mean": 5, "sd": 1, "low": 6, "high": 2}}, "must be > low"),
        ({"triangular": {"low": 1, "mode": 9, "high": 5}}, "mode"),
        ({"triangular": {"low": 5, "mode": 5, "high": 5}}, "must be > low"),
        ({"choice": []}, "at least 1"),
        ({"unifrom": [1, 2]}, "must be a number or a distribution"),
        ({"uniform": [1, 2], "sd": 3}, "unknown key 'sd'"),
        ({"normal": {"mean": 1, "sigma": 2}}, "unknown key 'sigma'"),
        ("3", "must be a number"),
        (True, "must be a number"),
        (math.nan, "finite"),
    ],
)
def test_invalid_distributions_are_refused(data, fragment):
    with pytest.raises(ValidationError) as info:
        NUMERIC.validate_python(data)
    text = " | ".join(i.line() for i in issues_from_validation_error(info.value))
    assert fragment in text, text


def test_sampling_is_seeded_and_reproducible():
    dists = [
        NUMERIC.validate_python(d)
        for d in (
            {"uniform": [0, 10]},
            {"normal": {"mean": 0, "sd": 1}},
            {"normal": {"mean": 0, "sd": 1, "low": -0.5, "high": 2}},
            {"triangular": {"low": 0, "mode": 1, "high": 4}},
            {"choice": [1, 2, 3]},
        )
    ]
    for d in dists:
        a = d.sample(np.random.default_rng(42), 100)
        b = d.sample(np.random.default_rng(42), 100)
        np.testing.assert_array_equal(a, b)
        assert a.shape == (100,)
        assert isinstance(d.sample(np.random.default_rng(1)), float)
        lo, hi = d.support()
        assert np.all((a >= lo) & (a <= hi))


def test_sample_moments_match_the_laws():
    rng = np.random.default_rng(7)
    n = 200_000
    # 5-sigma tolerances on the sample mean: sd / sqrt(n) * 5
    u = NUMERIC.validate_python({"uniform": [2, 6]}).sample(rng, n)
    assert abs(u.mean() - 4.0) < 5 * (4 / math.sqrt(12)) / math.sqrt(n)
    g = NUMERIC.validate_python({"normal": {"mean": 3, "sd": 2}}).sample(rng, n)
    assert abs(g.mean() - 3.0) < 5 * 2 / math.sqrt(n)
    assert abs(g.std() - 2.0) < 0.02
    t = NUMERIC.validate_python({"triangular": {"low": 0, "mode": 3, "high": 6}}).sample(rng, n)
    assert abs(t.mean() - 3.0) < 5 * math.sqrt(36 / 24) / math.sqrt(n)
    c = NUMERIC.validate_python({"choice": [1, 2, 3, 4]}).sample(rng, n)
    assert set(np.unique(c)) == {1.0, 2.0, 3.0, 4.0}
    # half-normal: mean of N(0,1) truncated to [0, inf) is sqrt(2/pi)
    h = NUMERIC.validate_python({"normal": {"mean": 0, "sd": 1, "low": 0}}).sample(rng, n)
    assert h.min() >= 0.0
    assert abs(h.mean() - math.sqrt(2 / math.pi)) < 5 * 0.6 / math.sqrt(n)
