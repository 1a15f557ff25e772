"""Places in a scenario: points, sites, and launch or aim areas (circle or polygon).

A launch or aim :data:`Location` is one of

- a point ``{lat_deg, lon_deg}`` (geodetic WGS 84, degrees);
- a circle ``{circle: {center: {lat_deg, lon_deg}, radius_km}}`` (a geodesic disc);
- a polygon ``{polygon: [[lat, lon], [lat, lon], ...]}``: at least three distinct
  vertices, not self-intersecting, enclosing an area, spanning less than 180 deg of
  longitude (it is treated as plane in latitude and longitude, which is what a
  polygon drawn on a map means for areas of up to a few hundred km; the closing vertex
  may be repeated).

Points in an area are drawn uniformly by area (:meth:`sample_points`); the nominal point
(:meth:`nominal_point`) is the circle's centre, or the polygon's centroid when it lies
inside (else the middle of the widest chord through it).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

import numpy as np
from pydantic import Discriminator, Field, Tag, model_validator

from openbmd.scenario.base import Bounds, Loc, Real, ScenarioModel, raise_issues

__all__ = [
    "Circle",
    "CircleArea",
    "GeoPoint",
    "Latitude",
    "Location",
    "Longitude",
    "PolygonArea",
    "Site",
    "polygon_problem",
]

Latitude = Annotated[Real, Bounds(-90.0, 90.0)]
Longitude = Annotated[Real, Bounds(-180.0, 180.0)]
_MAX_POLYGON_VERTICES = 1000


class GeoPoint(ScenarioModel):
    """A point on the ground (geodetic WGS 84)."""

    lat_deg: Latitude
    """Geodetic latitude, deg, in [-90, 90]."""
    lon_deg: Longitude
    """Longitude, deg east, in [-180, 180]."""

    def nominal_point(self) -> tuple[float, float]:
        """``(lat_deg, lon_deg)``."""
        return self.lat_deg, self.lon_deg

    def sample_points(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` copies of the point (a point has no spread)."""
        return np.full(n, self.lat_deg), np.full(n, self.lon_deg)


class Site(GeoPoint):
    """Where a radar or a launcher stands."""

    alt_m: Annotated[Real, Bounds(-1000.0, 100_000.0)] = 0.0
    """Height above the WGS 84 ellipsoid, m (antenna or launcher)."""
    source: str | None = None
    """Where the position comes from (shown in reports)."""


class Circle(ScenarioModel):
    """A geodesic disc."""

    center: GeoPoint
    radius_km: Annotated[Real, Bounds(0.0, 2000.0, low_open=True)]
    """Radius along the ellipsoid, km, in (0, 2000]."""


class CircleArea(ScenarioModel):
    """``{circle: {center: {lat_deg, lon_deg}, radius_km}}``."""

    circle: Circle

    def nominal_point(self) -> tuple[float, float]:
        return self.circle.center.lat_deg, self.circle.center.lon_deg

    def sample_points(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points uniform in the disc (radius ``R sqrt(u)``, uniform azimuth)."""
        from openbmd.geodesy import geodesic_direct

        c = self.circle
        r_m = 1e3 * c.radius_km * np.sqrt(rng.uniform(0.0, 1.0, n))
        az = rng.uniform(0.0, 360.0, n)
        lat, lon, _ = geodesic_direct(
            np.full(n, c.center.lat_deg), np.full(n, c.center.lon_deg), az, r_m
        )
        return np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))


class PolygonArea(ScenarioModel):
    """``{polygon: [[lat_deg, lon_deg], ...]}``: a simple polygon on the map."""

    polygon: list[tuple[Latitude, Longitude]] = Field(
        min_length=3, max_length=_MAX_POLYGON_VERTICES + 1
    )
    """Vertices ``[lat_deg, lon_deg]`` in order (either sense); at least three."""

    @model_validator(mode="after")
    def _simple(self) -> PolygonArea:
        problem = polygon_problem(self.polygon)
        if problem is not None:
            loc, message = problem
            raise_issues([(("polygon", *loc), message)])
        return self

    def vertices(self) -> np.ndarray:
        """Vertices as an (n, 2) array of (lat, lon), closing vertex dropped."""
        pts = np.asarray(self.polygon, dtype=float)
        return pts[:-1] if np.array_equal(pts[0], pts[-1]) else pts

    def contains(self, lat_deg: Any, lon_deg: Any) -> np.ndarray:
        """Whether points lie inside (even-odd rule in the lat/lon plane)."""
        return _inside(self.vertices(), np.asarray(lat_deg, float), np.asarray(lon_deg, float))

    def nominal_point(self) -> tuple[float, float]:
        v = self.vertices()
        lat_c, lon_c = _centroid(v)
        if bool(self.contains(lat_c, lon_c)):
            return lat_c, lon_c
        # the middle of the widest chord along the centroid's latitude lies inside
        y0, x0 = v[:, 0], v[:, 1]
        y1, x1 = np.roll(y0, -1), np.roll(x0, -1)
        crosses = (y0 > lat_c) != (y1 > lat_c)
        xs = np.sort(x0[crosses] + (lat_c - y0[crosses]) * (x1 - x0)[crosses] / (y1 - y0)[crosses])
        pairs = xs.reshape(-1, 2)
        widest = pairs[np.argmax(pairs[:, 1] - pairs[:, 0])]
        return lat_c, float(widest.mean())

    def sample_points(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points uniform by area (on the sphere) inside the polygon (rejection)."""
        v = self.vertices()
        s_lo, s_hi = np.sin(np.radians(v[:, 0].min())), np.sin(np.radians(v[:, 0].max()))
        lon_lo, lon_hi = v[:, 1].min(), v[:, 1].max()
        lat_out: list[np.ndarray] = []
        lon_out: list[np.ndarray] = []
        got = 0
        while got < n:
            m = max(64, 4 * (n - got))
            lat = np.degrees(np.arcsin(rng.uniform(s_lo, s_hi, m)))
            lon = rng.uniform(lon_lo, lon_hi, m)
            keep = _inside(v, lat, lon)
            lat_out.append(lat[keep])
            lon_out.append(lon[keep])
            got += int(keep.sum())
        return np.concatenate(lat_out)[:n], np.concatenate(lon_out)[:n]


def _location_tag(value: Any) -> str:
    if isinstance(value, CircleArea) or (isinstance(value, dict) and "circle" in value):
        return "~circle"
    if isinstance(value, PolygonArea) or (isinstance(value, dict) and "polygon" in value):
        return "~polygon"
    return "~point"


#: A point, a circle or a polygon.
Location: TypeAlias = Annotated[
    Annotated[GeoPoint, Tag("~point")]
    | Annotated[CircleArea, Tag("~circle")]
    | Annotated[PolygonArea, Tag("~polygon")],
    Discriminator(_location_tag),
]


# --- polygon checks ---------------------------------------------------------------------


def polygon_problem(
    polygon: list[tuple[float, float]], *, use_shapely: bool | None = None
) -> tuple[Loc, str] | None:
    """What is wrong with a polygon, as ``(location, message)``, or None if it is simple.

    Uses shapely's validity check when shapely is installed (``use_shapely=None``), else
    (or with ``use_shapely=False``) an exact segment-intersection test.
    """
    pts = [(float(a), float(b)) for a, b in polygon]
    if len(pts) > 3 and pts[0] == pts[-1]:
        pts = pts[:-1]
    for i in range(len(pts)):
        if pts[i] == pts[(i + 1) % len(pts)]:
            return (i + 1,), f"must not repeat a vertex — got {list(pts[i])} twice in a row"
    if len(set(pts)) < 3:
        return (), f"must have at least 3 distinct vertices — got {len(set(pts))}"
    lons = [p[1] for p in pts]
    if max(lons) - min(lons) >= 180.0:
        return (), "must span less than 180 deg of longitude (split it at the antimeridian)"
    if all(abs(_orient(pts[0], pts[1], p)) < 1e-12 for p in pts[2:]):
        return (), "must enclose an area — got collinear vertices"
    if use_shapely is None:
        try:
            import shapely

            use_shapely = shapely is not None
        except ImportError:
            use_shapely = False
    if use_shapely:
        import shapely
        from shapely.geometry import Polygon

        shape = Polygon([(lon, lat) for lat, lon in pts])
        if not shape.is_valid:
            return (), f"must not intersect itself — {shapely.is_valid_reason(shape)}"
        return _area_problem(pts)
    crossing = _first_crossing(pts)
    if crossing is not None:
        i, j = crossing
        n = len(pts)
        return (), (
            f"must not intersect itself — edge {i}-{(i + 1) % n} meets edge {j}-{(j + 1) % n} "
            "(vertices counted from 0)"
        )
    return _area_problem(pts)


def _area_problem(pts: list[tuple[float, float]]) -> tuple[Loc, str] | None:
    if abs(_signed_area(np.asarray(pts))) < 1e-12:
        return (), "must enclose an area — got collinear vertices"
    return None


def _orient(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _on_segment(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> bool:
    """Whether r, collinear with p-q, lies on the closed segment p-q."""
    return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(p[1], q[1])


def segments_intersect(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float], d: tuple[float, float]
) -> bool:
    """Whether closed segments a-b and c-d share a point (touching counts)."""
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if ((o1 > 0 and o2 < 0) or (o1 < 0 and o2 > 0)) and (
        (o3 > 0 and o4 < 0) or (o3 < 0 and o4 > 0)
    ):
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def _first_crossing(pts: list[tuple[float, float]]) -> tuple[int, int] | None:
    n = len(pts)
    edges = [(pts[i], pts[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        a, b = edges[i]
        for j in range(i + 1, n):
            c, d = edges[j]
            if j == i + 1 or (i == 0 and j == n - 1):
                # neighbours share one vertex; they overlap only if they fold back
                shared, p, q = (b, a, d) if j == i + 1 else (a, b, c)
                if _orient(shared, p, q) == 0 and (
                    (p[0] - shared[0]) * (q[0] - shared[0])
                    + (p[1] - shared[1]) * (q[1] - shared[1])
                    > 0
                ):
                    return i, j
                continue
            if segments_intersect(a, b, c, d):
                return i, j
    return None


def _signed_area(v: np.ndarray) -> float:
    y, x = v[:, 0], v[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _centroid(v: np.ndarray) -> tuple[float, float]:
    y, x = v[:, 0], v[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = 0.5 * cross.sum()
    cx = float(np.sum((x + np.roll(x, -1)) * cross) / (6.0 * area))
    cy = float(np.sum((y + np.roll(y, -1)) * cross) / (6.0 * area))
    return cy, cx


def _inside(v: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Even-odd ray casting, vectorised over points."""
    y0, x0 = v[:, 0][:, None], v[:, 1][:, None]
    y1, x1 = np.roll(v[:, 0], -1)[:, None], np.roll(v[:, 1], -1)[:, None]
    py, px = np.atleast_1d(lat)[None, :], np.atleast_1d(lon)[None, :]
    crosses = (y0 > py) != (y1 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
    inside = (np.sum(crosses & (px < x_at), axis=0) % 2) == 1
    return inside if np.ndim(lat) else inside.reshape(())
