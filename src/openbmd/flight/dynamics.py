"""Equations of motion of a point-mass vehicle, compiled.

State ``y = (x, y, z, vx, vy, vz)`` in openbmd's ECI frame (m, m/s): the Earth-fixed
frame frozen at the scenario epoch, so that ECI and ECEF coincide at ``t = 0`` and the
Earth turns about z at ``omega`` (see ``docs/conventions.md``). Forces:

- gravity: central term plus J2 (:mod:`openbmd.flight.gravity`);
- drag: ``-0.5 rho V CdA(M) / m * v_rel`` with ``v_rel = v - omega x r`` the velocity
  relative to the co-rotating atmosphere, ``CdA = cda_m2 * cd_ratio(Mach)``;
- thrust: ``mdot * g0 * Isp(p)`` with ``Isp`` interpolated linearly in ambient pressure
  between its sea-level and vacuum values, along a direction set by the pitch programme:
  vertical rise, a linear pitch-over ("kick") toward the launch azimuth, then a gravity
  turn along ``v_rel`` (zero angle of attack).

The Earth is the WGS 84 ellipsoid (``earth_kind = 0``) or a sphere of radius ``radius_m``
(``earth_kind = 1``). Both are symmetric about z, so geodetic altitude and the local
vertical can be computed in ECI directly.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from openbmd.atmosphere.kernels import atmosphere_at
from openbmd.constants import G0_M_S2, WGS84_B_M, WGS84_E2
from openbmd.flight.gravity import gravity_point
from openbmd.geodesy.kernels import ecef_to_geodetic_point, geodetic_alt_point

#: Sea-level pressure used to interpolate Isp between sea level and vacuum, Pa.
P_SEA_LEVEL_PA = 101325.0

EARTH_WGS84 = 0
EARTH_SPHERE = 1


@njit(cache=True)
def altitude_and_up(
    x: float, y: float, z: float, earth_kind: int, radius_m: float
) -> tuple[float, float, float, float, float, float]:
    """Altitude above the Earth model (m) and the geodetic latitude and longitude (rad,
    longitude in the frame of the input) and the local up unit vector."""
    if earth_kind == EARTH_SPHERE:
        r = np.sqrt(x * x + y * y + z * z)
        lat = np.arcsin(z / r)
        lon = np.arctan2(y, x)
        return r - radius_m, lat, lon, x / r, y / r, z / r
    lat, lon, h = ecef_to_geodetic_point(x, y, z)
    cl = np.cos(lat)
    return h, lat, lon, cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)


@njit(cache=True)
def altitude_only(x: float, y: float, z: float, earth_kind: int, radius_m: float) -> float:
    """Altitude above the Earth model, m (cheaper than :func:`altitude_and_up`)."""
    if earth_kind == EARTH_SPHERE:
        return np.sqrt(x * x + y * y + z * z) - radius_m
    return geodetic_alt_point(x, y, z)


@njit(cache=True)
def air_altitude(x: float, y: float, z: float, earth_kind: int, radius_m: float) -> float:
    """Altitude for the air density in unpowered flight, m.

    On the ellipsoid, the height above the ellipsoid surface point on the same geocentric
    radius: ``r - b / sqrt(1 - e^2 cos^2(psi))``. It differs from the geodetic height by
    less than 1 m below 200 km (about 0.02 % in density) and costs two square roots
    instead of the exact conversion; events (impact, crossings) use the exact height.
    """
    r2 = x * x + y * y + z * z
    r = np.sqrt(r2)
    if earth_kind == EARTH_SPHERE:
        return r - radius_m
    return r - WGS84_B_M / np.sqrt(1.0 - WGS84_E2 * (x * x + y * y) / r2)


@njit(cache=True)
def interp_uniform(x: float, x0: float, dx: float, values: np.ndarray) -> float:
    """Linear interpolation on a uniform grid, clamped at both ends."""
    u = (x - x0) / dx
    n = values.shape[0]
    if u <= 0.0:
        return values[0]
    if u >= n - 1:
        return values[n - 1]
    j = int(u)
    w = u - j
    return values[j] * (1.0 - w) + values[j + 1] * w


@njit(cache=True)
def derivatives(
    t_rel: float,
    s: np.ndarray,
    out: np.ndarray,
    mass_kg: float,
    mdot_kg_s: float,
    isp_sl_s: float,
    isp_vac_s: float,
    cda_m2: float,
    cd_ratio: np.ndarray,
    mach0: float,
    dmach: float,
    vertical_end_s: float,
    kick_end_s: float,
    kick_angle_rad: float,
    azimuth_rad: float,
    earth_kind: int,
    radius_m: float,
    mu: float,
    j2: float,
    omega: float,
    drag_on: bool,
    atm: np.ndarray,
    atm_start_m: float,
    atm_step_m: float,
) -> None:
    """Write ``dy/dt`` of state ``s`` at time ``t_rel`` (s since launch) into ``out``."""
    x, y, z = s[0], s[1], s[2]
    vx, vy, vz = s[3], s[4], s[5]
    ax, ay, az = gravity_point(x, y, z, mu, j2, radius_m)

    atm_top = atm_start_m + (atm.shape[0] - 1) * atm_step_m
    thrusting = mdot_kg_s > 0.0
    need_air = thrusting or (
        drag_on and x * x + y * y + z * z < (radius_m + atm_top) * (radius_m + atm_top)
    )
    if need_air:
        if thrusting:
            h, lat, lon, ux, uy, uz = altitude_and_up(x, y, z, earth_kind, radius_m)
        else:
            h, lat, lon, ux, uy, uz = (
                air_altitude(x, y, z, earth_kind, radius_m),
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
            )
        vrx = vx + omega * y
        vry = vy - omega * x
        vrz = vz
        vrel = np.sqrt(vrx * vrx + vry * vry + vrz * vrz)
        if h < atm_top:
            _t, p, rho, sos = atmosphere_at(h, atm, atm_start_m, atm_step_m)
        else:
            p, rho, sos = 0.0, 0.0, 1.0
        if drag_on and rho > 0.0 and vrel > 0.0:
            mach = vrel / sos
            cda = cda_m2 * interp_uniform(mach, mach0, dmach, cd_ratio)
            k = -0.5 * rho * vrel * cda / mass_kg
            ax += k * vrx
            ay += k * vry
            az += k * vrz
        if mdot_kg_s > 0.0:
            isp = isp_vac_s - (isp_vac_s - isp_sl_s) * min(p / P_SEA_LEVEL_PA, 1.0)
            acc = mdot_kg_s * G0_M_S2 * isp / mass_kg
            if t_rel < vertical_end_s or (t_rel < kick_end_s and kick_angle_rad == 0.0):
                dx, dy, dz = ux, uy, uz
            elif t_rel < kick_end_s:
                frac = (t_rel - vertical_end_s) / (kick_end_s - vertical_end_s)
                theta = kick_angle_rad * frac
                sl, cl = np.sin(lat), np.cos(lat)
                so, co = np.sin(lon), np.cos(lon)
                ca, sa = np.cos(azimuth_rad), np.sin(azimuth_rad)
                # horizontal unit vector toward the azimuth: cos(az) north + sin(az) east
                hx = ca * (-sl * co) + sa * (-so)
                hy = ca * (-sl * so) + sa * co
                hz = ca * cl
                ct, st = np.cos(theta), np.sin(theta)
                dx, dy, dz = ct * ux + st * hx, ct * uy + st * hy, ct * uz + st * hz
            elif vrel > 0.0:
                dx, dy, dz = vrx / vrel, vry / vrel, vrz / vrel
            else:
                dx, dy, dz = ux, uy, uz
            ax += acc * dx
            ay += acc * dy
            az += acc * dz

    out[0] = vx
    out[1] = vy
    out[2] = vz
    out[3] = ax
    out[4] = ay
    out[5] = az
