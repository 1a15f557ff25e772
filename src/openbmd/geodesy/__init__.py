"""Geodesy on WGS 84: geodetic <-> ECEF, local ENU/AER frames, ECI <-> ECEF, geodesics.

Conventions (see ``docs/geodesy.md``): SI units inside, angles in degrees at the public
edge (names ending ``_deg``), radian variants ending ``_rad``; latitudes are geodetic,
longitudes positive east; azimuths clockwise from north in [0, 360); positions and
vectors are ``(..., 3)`` arrays. ECI is a pseudo-inertial frame aligned with ECEF at the
scenario epoch (:mod:`openbmd.geodesy.inertial`). Compiled scalar kernels for other
numba code are in :mod:`openbmd.geodesy.kernels`.
"""

from openbmd.geodesy.ellipsoid import (
    ecef_to_geodetic,
    ecef_to_geodetic_rad,
    geodetic_to_ecef,
    geodetic_to_ecef_rad,
    meridian_radius_m,
    prime_vertical_radius_m,
)
from openbmd.geodesy.geodesic import (
    geodesic_direct,
    geodesic_inverse,
    great_circle_direct,
    great_circle_inverse,
)
from openbmd.geodesy.inertial import (
    earth_rotation_angle_rad,
    ecef_to_eci,
    eci_to_ecef,
    eci_to_ecef_matrix,
)
from openbmd.geodesy.kernels import (
    ecef_to_geodetic_point,
    geodetic_alt_point,
    geodetic_to_ecef_point,
)
from openbmd.geodesy.topocentric import (
    aer_to_ecef,
    aer_to_enu,
    ecef_to_aer,
    ecef_to_enu,
    ecef_vector_to_enu,
    enu_rotation_matrix,
    enu_to_aer,
    enu_to_ecef,
    enu_vector_to_ecef,
)

__all__ = [
    "aer_to_ecef",
    "aer_to_enu",
    "earth_rotation_angle_rad",
    "ecef_to_aer",
    "ecef_to_eci",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "ecef_to_geodetic_point",
    "ecef_to_geodetic_rad",
    "ecef_vector_to_enu",
    "eci_to_ecef",
    "eci_to_ecef_matrix",
    "enu_rotation_matrix",
    "enu_to_aer",
    "enu_to_ecef",
    "enu_vector_to_ecef",
    "geodesic_direct",
    "geodesic_inverse",
    "geodetic_alt_point",
    "geodetic_to_ecef",
    "geodetic_to_ecef_point",
    "geodetic_to_ecef_rad",
    "great_circle_direct",
    "great_circle_inverse",
    "meridian_radius_m",
    "prime_vertical_radius_m",
]
