"""Physical and geodetic constants, SI units, each with its source.

WGS 84 values are from NGA.STND.0036 (2014), "Department of Defense World Geodetic
System 1984", tables 3.1 and 3.3. The U.S. Standard Atmosphere 1976 constants live in
:mod:`openbmd.atmosphere`.
"""

from __future__ import annotations

import math

#: WGS 84 semi-major axis, m (NGA.STND.0036 table 3.1).
WGS84_A_M = 6378137.0
#: WGS 84 flattening 1/f, dimensionless (NGA.STND.0036 table 3.1).
WGS84_INV_F = 298.257223563
WGS84_F = 1.0 / WGS84_INV_F
#: WGS 84 semi-minor axis, m (derived).
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
#: WGS 84 first eccentricity squared (derived).
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
#: WGS 84 Earth gravitational constant GM including the atmosphere, m^3/s^2
#: (NGA.STND.0036 table 3.1).
WGS84_GM_M3_S2 = 3.986004418e14
#: WGS 84 nominal mean angular velocity of the Earth, rad/s (NGA.STND.0036 table 3.1).
WGS84_OMEGA_RAD_S = 7.292115e-5
#: Second-degree zonal harmonic J2 of the WGS 84 ellipsoid (NGA.STND.0036 table 3.3,
#: J2 = -sqrt(5) * C20 with normalised C20 = -4.84166774985e-4).
WGS84_J2 = 1.082629821313e-3

#: IUGG mean Earth radius R1 = (2a + b) / 3, m, as usually quoted to 0.1 m (6371.0088 km;
#: Moritz, "Geodetic Reference System 1980", J. Geodesy 74 (2000) gives 6371008.7714 m);
#: the default radius of the spherical-Earth options.
MEAN_EARTH_RADIUS_M = 6371008.8

#: Standard acceleration of gravity, m/s^2 (CGPM 1901; also U.S. Standard Atmosphere 1976).
G0_M_S2 = 9.80665

TWO_PI = 2.0 * math.pi
DEG = math.pi / 180.0

#: Speed of light in vacuum, m/s (exact, SI definition).
SPEED_OF_LIGHT_M_S = 299792458.0
#: Boltzmann constant, J/K (exact, SI 2019).
BOLTZMANN_J_K = 1.380649e-23
#: Standard reference noise temperature T0, K (IEEE Std 686; Skolnik, Introduction to
#: Radar Systems, 3rd ed.).
T0_K = 290.0
