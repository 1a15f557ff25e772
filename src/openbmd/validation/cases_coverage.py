"""Coverage and early-warning geometry against published formulas and constants.

* **Radar horizon of a coverage map.** A radar at sea level that looks no lower than the
  horizontal (minimum elevation 0 deg), powerful enough that only the horizon limits it,
  covers a target at altitude h out to the horizon distance ``d = sqrt(2 k R h)``:
  Skolnik's ``d[km] = 4.12 sqrt(h[m])`` for the standard 4/3 effective Earth and
  ``3.57 sqrt(h[m])`` without refraction (k = 1) (Skolnik, *Introduction to Radar
  Systems*, 3rd ed. (2001), sec. 8.3 "Refraction", radar horizon; also Doerry, Sandia
  report SAND2013-9394). The computed value is the largest great-circle distance of a
  covered cell of the map (0.5 km cells, so up to ~0.4 km short); the tolerance also
  absorbs the rounded coefficient and the ellipsoid's curvature at the site.
* **Area of a covered disk.** Limited only by its instrumented range s, the radar covers
  a target at altitude h inside a circle whose area is that of a spherical cap,
  ``2 pi R^2 (1 - cos c)`` (Archimedes' hat-box theorem) with the central angle c from
  the triangle Earth centre - radar - target, ``cos c = (R^2 + (R + h)^2 - s^2) /
  (2 R (R + h))``, R the Gaussian radius ``sqrt(M N)`` of WGS 84 at the site. The grid
  sums exact ellipsoidal cell areas, so this checks the grid, the cell areas and the
  range limit together.
* **Area of the WGS 84 ellipsoid** summed from 1 deg cells: ``4 pi R2^2`` with the radius
  of the sphere of equal area R2 = 6371007.1809 m (NGA.STND.0036 (2014), WGS 84 derived
  geometric constants).
* **Earth's limb seen from geostationary orbit.** From the published geostationary radius
  r = 42,164 km (e.g. Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed.,
  geosynchronous orbit) and a = 6378.137 km (WGS 84), the ground is visible out to the
  central angle ``arccos(a / r)`` = 81.30 deg. Computed: the farthest ground point on the
  equator that the early-warning line-of-sight test sees from a geostationary satellite
  (bisection, grazing altitude 0).
"""

from __future__ import annotations

import math

import numpy as np

from openbmd.constants import WGS84_A_M
from openbmd.geodesy import geodetic_to_ecef, meridian_radius_m, prime_vertical_radius_m
from openbmd.sensors.coverage import cell_area_m2, coverage_map
from openbmd.sensors.early_warning import IRConstellation, line_of_sight_clear
from openbmd.sensors.radar import Radar
from openbmd.validation.registry import register

_SKOLNIK = (
    "Skolnik, Introduction to Radar Systems, 3rd ed. (2001), sec. 8.3, radar horizon "
    "d = sqrt(2 k R h): {what}"
)
#: Target altitude of the horizon cases, m.
HORIZON_TARGET_ALT_M = 1000.0
#: Site latitude of the coverage cases, deg.
SITE_LAT_DEG = 35.0
#: Instrumented range and target altitude of the disk-area case, m.
DISK_RANGE_M = 300e3
DISK_TARGET_ALT_M = 100e3
#: Radius of the WGS 84 sphere of equal area, m (NGA.STND.0036, derived constants).
WGS84_AUTHALIC_RADIUS_M = 6371007.1809
#: Published geostationary radius, m.
GEO_RADIUS_PUBLISHED_M = 42_164e3


def _strong_radar(**overrides: float | None) -> Radar:
    """An all-round radar at sea level whose SNR never limits a 1 m^2 target here."""
    return Radar(
        "validation-horizon",
        SITE_LAT_DEG,
        10.0,
        0.0,
        frequency_hz=3e9,
        peak_power_w=1e9,
        pulse_width_s=1e-3,
        bandwidth_hz=1e6,
        noise_temperature_k=300.0,
        gain_db=50.0,
        min_elevation_deg=0.0,
        **overrides,  # type: ignore[arg-type]
    )


def _horizon_radius_km(k_factor: float | None) -> float:
    ds = coverage_map(
        _strong_radar(k_factor=k_factor),
        1.0,
        HORIZON_TARGET_ALT_M,
        resolution_m=500.0,
        half_width_m=150e3,
    )
    return float(ds.attrs["max_ground_range_km"])


@register(
    "coverage.horizon_radius_4_3_earth",
    quantity="coverage radius of a 1 km target, radar at sea level, min elevation 0, k = 4/3 [km]",
    source=_SKOLNIK.format(what="d[km] = 4.12 sqrt(h[m]) for the 4/3 Earth"),
    expected=4.12 * math.sqrt(HORIZON_TARGET_ALT_M),
    tolerance=1.0,
    unit="km",
)
def _horizon_4_3() -> float:
    return _horizon_radius_km(4.0 / 3.0)


@register(
    "coverage.horizon_radius_geometric",
    quantity="coverage radius of a 1 km target, radar at sea level, min elevation 0, "
    "no refraction [km]",
    source=_SKOLNIK.format(what="d[km] = 3.57 sqrt(h[m]) without refraction (k = 1)"),
    expected=3.57 * math.sqrt(HORIZON_TARGET_ALT_M),
    tolerance=1.0,
    unit="km",
)
def _horizon_geometric() -> float:
    return _horizon_radius_km(None)


def _cap_area_km2() -> float:
    radius = math.sqrt(
        float(meridian_radius_m(SITE_LAT_DEG)) * float(prime_vertical_radius_m(SITE_LAT_DEG))
    )
    outer = radius + DISK_TARGET_ALT_M
    cos_c = (radius**2 + outer**2 - DISK_RANGE_M**2) / (2.0 * radius * outer)
    return 2.0 * math.pi * radius**2 * (1.0 - cos_c) / 1e6


_CAP_KM2 = _cap_area_km2()


@register(
    "coverage.disk_area_spherical_cap",
    quantity="covered area, instrumented range 300 km, target at 100 km, 2 km cells [km^2]",
    source="Area of a spherical cap 2 pi R^2 (1 - cos c) (Archimedes), R = sqrt(M N) of "
    "WGS 84 at 35 N; c from the Earth centre - radar - target triangle",
    expected=_CAP_KM2,
    tolerance=0.005 * _CAP_KM2,
    unit="km^2",
)
def _disk_area() -> float:
    radar = _strong_radar(max_range_m=DISK_RANGE_M)
    ds = coverage_map(radar, 1.0, DISK_TARGET_ALT_M, resolution_m=2000.0)
    return float(ds.attrs["covered_area_km2"])


@register(
    "coverage.wgs84_area_from_cells",
    quantity="sum of 1 deg x 1 deg cell areas over the globe [km^2]",
    source="NGA.STND.0036 (2014), WGS 84 derived constants: radius of the sphere of equal "
    "area R2 = 6371007.1809 m; area 4 pi R2^2",
    expected=4.0 * math.pi * WGS84_AUTHALIC_RADIUS_M**2 / 1e6,
    tolerance=1.0,
    unit="km^2",
)
def _ellipsoid_area() -> float:
    cells = cell_area_m2(np.arange(-90.0, 90.5, 1.0), np.arange(0.0, 360.5, 1.0))
    return float(cells.sum()) / 1e6


@register(
    "coverage.geo_limb_central_angle",
    quantity="Earth central angle of the limb seen from geostationary orbit, ground level [deg]",
    source="Geometry arccos(a / r) with the published geostationary radius 42,164 km "
    "(Vallado, Fundamentals of Astrodynamics and Applications, 4th ed.) and WGS 84 "
    "a = 6378.137 km (NGA.STND.0036)",
    expected=math.degrees(math.acos(WGS84_A_M / GEO_RADIUS_PUBLISHED_M)),
    tolerance=0.01,
    unit="deg",
)
def _geo_limb() -> float:
    sat = IRConstellation.geostationary([0.0]).position_ecef_m
    lo, hi = 60.0, 89.0  # seen, hidden
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        seen = line_of_sight_clear(sat, geodetic_to_ecef(0.0, mid, 0.0), 0.0)[0, 0]
        lo, hi = (mid, hi) if seen else (lo, mid)
    return 0.5 * (lo + hi)
