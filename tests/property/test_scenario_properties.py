"""Hypothesis: distributions stay in their supports, bad values always end as one clear
line per problem (never a traceback), polygons and round trips behave."""

import copy
import math
import re

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from openbmd.scenario import ScenarioError, builtin_text, parse_scenario, scenario_to_yaml
from openbmd.scenario.distributions import Numeric
from openbmd.scenario.locations import PolygonArea, polygon_problem

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NUMERIC = TypeAdapter(Numeric)
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(1e-3, 1e4, allow_nan=False, allow_infinity=False)


@st.composite
def distributions(draw):
    kind = draw(st.sampled_from(["uniform", "normal", "truncated", "triangular", "choice"]))
    a = draw(finite)
    width = draw(positive)
    if kind == "uniform":
        return {"uniform": [a, a + width]}
    if kind == "normal":
        return {"normal": {"mean": a, "sd": width}}
    if kind == "truncated":
        low = a - draw(st.floats(0, 3)) * width
        return {"normal": {"mean": a, "sd": width, "low": low, "high": low + 4 * width + 1e-3}}
    if kind == "triangular":
        return {
            "triangular": {"low": a, "mode": a + draw(st.floats(0, 1)) * width, "high": a + width}
        }
    return {"choice": draw(st.lists(finite, min_size=1, max_size=5))}


@SETTINGS
@given(distributions(), st.integers(0, 2**32 - 1))
def test_draws_and_nominal_lie_in_the_support(data, seed):
    d = NUMERIC.validate_python(data)
    lo, hi = d.support()
    x = d.sample(np.random.default_rng(seed), 64)
    assert np.all((x >= lo) & (x <= hi))
    assert lo <= d.nominal() <= hi
    np.testing.assert_array_equal(x, d.sample(np.random.default_rng(seed), 64))
    # YAML round trip of the distribution itself
    again = NUMERIC.validate_python(yaml.safe_load(yaml.safe_dump(d.model_dump())))
    assert again == d


BASE = yaml.safe_load(builtin_text("teaching"))
LINE = re.compile(r"^fuzz\.yaml:\d+(:\d+)?: \S")

# (path into the data, key) of fields to spoil
TARGETS = [
    (("threats", 0), "count"),
    (("threats", 0), "launch_time_s"),
    (("threats", 0, "launch"), "lat_deg"),
    (("threats", 0, "aim"), "lon_deg"),
    (("threats", 0), "shape"),
    (("threats", 0), "missile"),
    (("sensors", "radars", 0), "boresight_az_deg"),
    (("sensors", "radars", 0, "site"), "alt_m"),
    (("defence", "sites", 0), "inventory"),
    (("defence", "sites", 0), "fire_control"),
    (("defence", "doctrine"), "salvo_size"),
    (("defence", "doctrine"), "kill_assessment_s"),
    (("simulation",), "time_step_s"),
    ((), "seed"),
    ((), "epoch"),
]
junk = st.one_of(
    st.floats(allow_nan=False),
    st.integers(-(10**12), 10**12),
    st.text(max_size=8),
    st.booleans(),
    st.none(),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(
        st.sampled_from(["uniform", "normal", "x", "lat_deg"]), st.integers(-3, 3), max_size=2
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TARGETS), junk, st.sampled_from(["set", "rename"]))
def test_bad_values_end_as_clear_lines(target, value, how):
    data = copy.deepcopy(BASE)
    node = data
    for part in target[0]:
        node = node[part]
    if how == "set":
        node[target[1]] = value
    else:
        node[target[1] + "x"] = node.pop(target[1], value)
    text = yaml.safe_dump(data, sort_keys=False)
    try:
        parse_scenario(text, "fuzz.yaml")
    except ScenarioError as exc:
        lines = str(exc).splitlines()
        assert lines and all(LINE.match(line) for line in lines), str(exc)
        if how == "rename":
            assert "unknown key" in lines[0]


@st.composite
def convex_polygons(draw):
    n = draw(st.integers(3, 12))
    angles = sorted(
        draw(
            st.lists(
                st.floats(0, 2 * math.pi, exclude_max=True), min_size=n, max_size=n, unique=True
            )
        )
    )
    if min(np.diff([*angles, angles[0] + 2 * math.pi])) < 1e-2:
        angles = list(np.linspace(0, 2 * math.pi, n, endpoint=False))
    lat0, lon0 = draw(st.floats(-60, 60)), draw(st.floats(-170, 170))
    r = draw(st.floats(0.05, 5))
    return [(lat0 + r * math.sin(a), lon0 + r * math.cos(a)) for a in angles]


@SETTINGS
@given(convex_polygons(), st.integers(0, 1000))
def test_convex_polygons_are_accepted_and_sampled_inside(polygon, seed):
    assert polygon_problem(polygon, use_shapely=False) is None
    assert polygon_problem(polygon[::-1], use_shapely=False) is None
    area = PolygonArea(polygon=polygon)
    lat, lon = area.sample_points(np.random.default_rng(seed), 50)
    assert np.all(area.contains(lat, lon))
    assert bool(area.contains(*area.nominal_point()))


@SETTINGS
@given(convex_polygons())
def test_swapping_two_vertices_of_a_convex_polygon_makes_it_cross(polygon):
    if len(polygon) < 4:
        return
    bad = list(polygon)
    bad[0], bad[1] = bad[1], bad[0]
    problem = polygon_problem(bad, use_shapely=False)
    assert problem is not None and "must not intersect itself" in problem[1]


@SETTINGS
@given(
    st.integers(1, 50),
    st.floats(0, 1000),
    st.floats(-89, 89),
    st.floats(-179, 179),
    st.integers(0, 2**31),
)
def test_scenario_yaml_round_trip(count, t0, lat, lon, seed):
    data = copy.deepcopy(BASE)
    data["seed"] = seed
    data["threats"][0]["count"] = count
    data["threats"][0]["launch_time_s"] = {"uniform": [t0, t0 + 60]}
    data["threats"][0]["launch"] = {
        "circle": {"center": {"lat_deg": lat, "lon_deg": lon}, "radius_km": 10}
    }
    s = parse_scenario(yaml.safe_dump(data), check=False)
    assert parse_scenario(scenario_to_yaml(s), check=False) == s
    drawn = s.sample()
    assert len(drawn.threats[0].launch_time_s if count > 1 else [0]) == (count if count > 1 else 1)
