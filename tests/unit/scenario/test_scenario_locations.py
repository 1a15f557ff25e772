"""Launch and aim places: polygon checks (hand-written and shapely), sampling in areas."""

import numpy as np
import pytest
from pydantic import ValidationError

from openbmd.geodesy import geodesic_inverse
from openbmd.scenario import CircleArea, GeoPoint, PolygonArea
from openbmd.scenario.locations import polygon_problem, segments_intersect

SQUARE = [[39.0, 125.0], [40.0, 125.0], [40.0, 127.0], [39.0, 127.0]]
# an L shape whose centroid lies outside it
ELL = [[0, 0], [0, 3], [1, 3], [1, 1], [3, 1], [3, 0]]


def test_segments_intersect():
    assert segments_intersect((0, 0), (2, 2), (0, 2), (2, 0))
    assert not segments_intersect((0, 0), (1, 1), (2, 2), (3, 0))
    assert segments_intersect((0, 0), (2, 0), (1, 0), (3, 0))  # collinear overlap
    assert segments_intersect((0, 0), (2, 0), (2, 0), (2, 5))  # touching end
    assert not segments_intersect((0, 0), (1, 0), (2, 0), (3, 0))  # collinear apart


@pytest.mark.parametrize(
    ("polygon", "fragment"),
    [
        (SQUARE, None),
        ([*SQUARE, SQUARE[0]], None),  # closing vertex repeated
        (ELL, None),
        ([[39, 125], [40, 127], [40, 125], [39, 127]], "must not intersect itself"),  # bow tie
        ([[0, 0], [0, 2], [1, 1], [0, 1], [-1, 1]], "must not intersect itself"),
        ([[0, 0], [1, 1], [2, 2]], "must enclose an area"),
        ([[0, 0], [0, 0], [1, 1]], "must not repeat a vertex"),
        ([[0, 0], [1, 0], [0, 0], [1, 0]], "at least 3 distinct vertices"),
        ([[0, 0], [1, 0], [2, 0], [1, 0], [0, 1]], "must not intersect itself"),  # fold back
        ([[0, -100], [1, 100], [2, -100]], "must span less than 180 deg"),
    ],
)
@pytest.mark.parametrize("use_shapely", [False, None])
def test_polygon_checks(polygon, fragment, use_shapely):
    problem = polygon_problem([tuple(p) for p in polygon], use_shapely=use_shapely)
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None and fragment in problem[1], problem


def test_polygon_validation_errors_name_the_polygon():
    with pytest.raises(ValidationError, match="must not intersect itself"):
        PolygonArea(polygon=[[39, 125], [40, 127], [40, 125], [39, 127]])
    with pytest.raises(ValidationError):
        PolygonArea(polygon=[[39, 125], [40, 127]])  # too short
    with pytest.raises(ValidationError, match="must be in \\[-90, 90\\]"):
        PolygonArea(polygon=[[39, 125], [40, 127], [95, 125]])


def test_nominal_points():
    assert GeoPoint(lat_deg=1, lon_deg=2).nominal_point() == (1.0, 2.0)
    c = CircleArea(circle={"center": {"lat_deg": 10, "lon_deg": 20}, "radius_km": 5})
    assert c.nominal_point() == (10.0, 20.0)
    sq = PolygonArea(polygon=SQUARE)
    assert sq.nominal_point() == pytest.approx((39.5, 126.0))
    ell = PolygonArea(polygon=ELL)
    lat, lon = ell.nominal_point()
    assert bool(ell.contains(lat, lon))


def test_points_drawn_inside_areas_and_reproducible():
    ell = PolygonArea(polygon=ELL)
    lat, lon = ell.sample_points(np.random.default_rng(1), 500)
    assert lat.shape == (500,)
    assert np.all(ell.contains(lat, lon))
    lat2, _ = ell.sample_points(np.random.default_rng(1), 500)
    np.testing.assert_array_equal(lat, lat2)
    c = CircleArea(circle={"center": {"lat_deg": 60, "lon_deg": 20}, "radius_km": 50})
    lat, lon = c.sample_points(np.random.default_rng(2), 2000)
    d, _, _ = geodesic_inverse(np.full(2000, 60.0), np.full(2000, 20.0), lat, lon)
    d = np.asarray(d)
    assert d.max() <= 50e3 * (1 + 1e-9)
    # uniform by area: half the points within R / sqrt(2); binomial 5-sigma bound
    inner = np.mean(d <= 50e3 / np.sqrt(2))
    assert abs(inner - 0.5) < 5 * 0.5 / np.sqrt(2000)
