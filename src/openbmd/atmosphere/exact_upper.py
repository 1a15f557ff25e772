"""U.S. Standard Atmosphere 1976 from 86 km to 1000 km: diffusion of six species.

Above 86 km the standard gives the kinetic temperature ``T(Z)`` in four segments of
geometric altitude and obtains the number density of each species from the vertical
diffusion equation (NOAA-S/T 76-1562, Part 1, section 1.3):

``d ln n_i / dZ = -(1 + alpha_i D_i / (D_i + K)) T'/T - f_i - v_i / (D_i + K)``, with
``f_i = g / (R* T) * (D_i M_i + K M) / (D_i + K)``,

where ``D_i = a_i / n_b (T / 273.15)^b_i`` is the molecular-diffusion coefficient (``n_b`` the
number density of the gas the species diffuses through: N2 for O and O2, N2 + O + O2 for Ar
and He, all five for H), ``K`` the eddy-diffusion coefficient (120 m^2/s from 86 to 95 km,
decaying to 0 at 115 km), ``M`` the mixing weight (``M0`` to 100 km, ``M_N2`` above; N2 itself
follows ``M`` alone), and ``v_i / (D_i + K)`` the standard's fitted vertical-transport term
(O, O2, Ar, He, below 150 km). Atomic hydrogen exists above 150 km, fixed by the standard's
500 km density and escape flux ``phi``, from 150 km to 1000 km:

``n_H(Z) = [n_H(500) - int_500^Z phi / D_H F dZ] / F``, with
``F = (T / T_500)^(1 + alpha_H) e^tau`` and ``tau = int_500^Z M_H g / (R* T) dZ``.

The equations are integrated with :func:`scipy.integrate.solve_ivp` (DOP853, relative
tolerance 1e-11), split at every altitude where a coefficient changes form, and evaluated
through the solver's dense output. Used to build the shipped table and in tests; the
run-time path is :mod:`.kernels`.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.integrate import OdeSolution, solve_ivp

from openbmd.atmosphere import standard_constants as c

FloatArray = npt.NDArray[np.float64]

#: Altitudes (m) where a coefficient of the diffusion equations changes form.
BREAKPOINTS_M = (
    c.Z7_M,
    c.Z8_M,
    c.Z_EDDY_DECAY_M,
    c.O_FLUX_LOWER_U_M,
    c.Z_N2_MIXING_TOP_M,
    c.Z9_M,
    c.Z_EDDY_TOP_M,
    c.Z10_M,
    c.FLUX_TOP_M,
    c.Z11_M,
    c.Z12_M,
)
_RTOL = 1e-11
_ATOL = 1e-11
_N_HEAVY = 5  # N2, O, O2, Ar, He; H is solved separately


def gravity_m_s2(alt_m: npt.ArrayLike) -> FloatArray:
    """Acceleration of gravity of the standard, ``g0 (r0 / (r0 + Z))^2``, m/s^2.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude, m, any shape.
    """
    z = np.asarray(alt_m, dtype=float)
    return np.asarray(c.G0 * (c.R0_M / (c.R0_M + z)) ** 2, dtype=float)


def upper_temperature_k(alt_m: npt.ArrayLike) -> FloatArray:
    """Kinetic temperature from 86 km to 1000 km (isothermal, elliptical, linear, exponential).

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude, m, in [86000, 1000000], any shape.

    Returns
    -------
    ndarray
        Kinetic temperature, K, same shape.
    """
    return _temperature_and_gradient(np.asarray(alt_m, dtype=float))[0]


def upper_temperature_gradient_k_m(alt_m: npt.ArrayLike) -> FloatArray:
    """Vertical gradient ``dT/dZ`` of :func:`upper_temperature_k`, K/m, same shape."""
    return _temperature_and_gradient(np.asarray(alt_m, dtype=float))[1]


def _temperature_and_gradient(z: FloatArray) -> tuple[FloatArray, FloatArray]:
    u = np.clip((z - c.Z8_M) / c.ELLIPSE_A_M, -1.0, 0.0)
    root = np.sqrt(np.maximum(1.0 - u * u, 1e-300))
    t_ellipse = c.ELLIPSE_TC_K + c.ELLIPSE_A_K * root
    dt_ellipse = -c.ELLIPSE_A_K / c.ELLIPSE_A_M * u / root
    t_linear = c.T9_K + c.LK9_K_M * (z - c.Z9_M)
    ratio = (c.R0_M + c.Z10_M) / (c.R0_M + z)
    xi = (z - c.Z10_M) * ratio
    decay = np.exp(-c.LAMBDA_PER_M * xi)
    t_exp = c.T_INF_K - (c.T_INF_K - c.T10_K) * decay
    dt_exp = c.LAMBDA_PER_M * (c.T_INF_K - c.T10_K) * ratio * ratio * decay
    conditions = [z <= c.Z8_M, z <= c.Z9_M, z <= c.Z10_M]
    t = np.select(conditions, [np.full_like(z, c.T7_K), t_ellipse, t_linear], t_exp)
    dt = np.select(conditions, [np.zeros_like(z), dt_ellipse, np.full_like(z, c.LK9_K_M)], dt_exp)
    return t, dt


def eddy_diffusion_m2_s(alt_m: npt.ArrayLike) -> FloatArray:
    """Eddy-diffusion coefficient ``K``: 120 m^2/s to 95 km, decaying to 0 at 115 km.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude, m, any shape.

    Returns
    -------
    ndarray
        ``K``, m^2/s, same shape.
    """
    z_km = np.asarray(alt_m, dtype=float) / 1000.0
    inside = (z_km > 95.0) & (z_km < 115.0)
    d2 = np.where(inside, (z_km - 95.0) ** 2, 0.0)
    decayed = c.K7_M2_S * np.exp(1.0 - 400.0 / (400.0 - d2))
    return np.asarray(np.where(z_km <= 95.0, c.K7_M2_S, np.where(inside, decayed, 0.0)))


def _transport_term(z: float) -> FloatArray:
    """The standard's fitted ``v_i / (D_i + K)`` for the five heavy species, 1/m."""
    out = np.zeros(_N_HEAVY)
    if z > c.FLUX_TOP_M:
        return out
    dz = z - c.FLUX_U_M[:_N_HEAVY]
    out[:] = c.FLUX_Q_PER_M3[:_N_HEAVY] * dz**2 * np.exp(-c.FLUX_W_PER_M3[:_N_HEAVY] * dz**3)
    out[0] = 0.0
    if z <= c.O_FLUX_LOWER_U_M:
        du = c.O_FLUX_LOWER_U_M - z
        out[1] += c.O_FLUX_LOWER_Q_PER_M3 * du**2 * np.exp(-c.O_FLUX_LOWER_W_PER_M3 * du**3)
    return out


def _heavy_rhs(z: float, log_n: FloatArray, oxygen_eddy_weight: float) -> FloatArray:
    """``d ln n_i / dZ`` for N2, O, O2, Ar, He (1/m).

    ``oxygen_eddy_weight`` (kg/kmol) replaces the mixing weight ``M`` in the eddy term of
    atomic oxygen when positive (only to reproduce other implementations); 0 keeps ``M``.
    """
    t_arr, dt_arr = _temperature_and_gradient(np.array([z]))
    t, dt = float(t_arr[0]), float(dt_arr[0])
    g = c.G0 * (c.R0_M / (c.R0_M + z)) ** 2
    k = float(eddy_diffusion_m2_s(z))
    n = np.exp(log_n)
    mw = c.MOLECULAR_WEIGHT_KG_KMOL[:_N_HEAVY]
    alpha = c.THERMAL_DIFFUSION_ALPHA[:_N_HEAVY]
    out = np.empty(_N_HEAVY)
    m_mixing = c.M0_KG_KMOL if z <= c.Z_N2_MIXING_TOP_M else mw[0]
    out[0] = -dt / t - m_mixing * g / (c.R_STAR_J_KMOL_K * t)
    background = np.array([0.0, n[0], n[0], n[0] + n[1] + n[2], n[0] + n[1] + n[2]])
    m_mix = np.full(_N_HEAVY, m_mixing)
    if oxygen_eddy_weight > 0.0:
        m_mix[1] = oxygen_eddy_weight
    d = (
        c.DIFFUSION_A_PER_M_S[1:_N_HEAVY]
        / background[1:]
        * (t / 273.15) ** c.DIFFUSION_B[1:_N_HEAVY]
    )
    share = d / (d + k)
    f = g / (c.R_STAR_J_KMOL_K * t) * (share * mw[1:] + (1.0 - share) * m_mix[1:])
    out[1:] = -(1.0 + alpha[1:] * share) * dt / t - f
    out -= _transport_term(z)
    return out


@dataclass(frozen=True)
class UpperSolution:
    """Dense solution of the diffusion equations, valid from 86 km to 1000 km."""

    heavy_segments: tuple[tuple[float, float, OdeSolution], ...]
    hydrogen_segments: tuple[tuple[float, float, OdeSolution], ...]

    def number_densities_m3(self, alt_m: npt.ArrayLike) -> FloatArray:
        """Number densities of N2, O, O2, Ar, He, H, 1/m^3.

        Parameters
        ----------
        alt_m : array_like
            Geometric altitude, m, in [86000, 1000000], shape (N,) or scalar.

        Returns
        -------
        ndarray, shape (6, N)
            Number densities in the order of ``standard_constants.SPECIES``.
        """
        z = np.atleast_1d(np.asarray(alt_m, dtype=float))
        out = np.zeros((6, z.size))
        for low, high, sol in self.heavy_segments:
            sel = (z >= low) & (z <= high)
            if np.any(sel):
                out[:_N_HEAVY, sel] = np.exp(sol(z[sel]))
        t = upper_temperature_k(z)
        alpha = c.THERMAL_DIFFUSION_ALPHA[5]
        t11 = float(upper_temperature_k(c.Z11_M))
        for low, high, sol in self.hydrogen_segments:
            sel = (z >= low) & (z <= high)
            if np.any(sel):
                tau, flux_integral = sol(z[sel])
                shape = (t11 / t[sel]) ** (1.0 + alpha) * np.exp(-tau)
                out[5, sel] = (c.N_H_AT_500KM_M3 - flux_integral) * shape
        return out


@functools.cache
def solve_upper(oxygen_eddy_weight_kg_kmol: float = 0.0) -> UpperSolution:
    """Integrate the standard's diffusion equations once (a fraction of a second); cached.

    Parameters
    ----------
    oxygen_eddy_weight_kg_kmol : float, optional
        0 (default) follows the standard: the eddy (mixing) term of every species uses the
        mixing weight ``M`` (``M0`` to 100 km, ``M_N2`` above), which reproduces the
        standard's tables. A positive value uses that weight for atomic oxygen instead;
        ``28.0134`` (``M_N2``) reproduces the ``ussa1976`` package (0.3.x), whose O, and so
        its density above about 150 km, is then up to 7 % above the standard's tables.
    """
    heavy = []
    y0 = np.log(c.N_AT_86KM_M3[:_N_HEAVY])
    for low, high in itertools.pairwise(BREAKPOINTS_M):
        res = solve_ivp(
            _heavy_rhs,
            (low, high),
            y0,
            method="DOP853",
            rtol=_RTOL,
            atol=_ATOL,
            dense_output=True,
            args=(float(oxygen_eddy_weight_kg_kmol),),
        )
        if not res.success:
            raise RuntimeError(f"diffusion integration failed {low}-{high} m: {res.message}")
        heavy.append((low, high, res.sol))
        y0 = res.y[:, -1]
    partial = UpperSolution(tuple(heavy), ())
    t11 = float(upper_temperature_k(c.Z11_M))

    def hydrogen_rhs(z: float, y: FloatArray) -> FloatArray:
        t = float(upper_temperature_k(z))
        g = c.G0 * (c.R0_M / (c.R0_M + z)) ** 2
        background = float(np.sum(partial.number_densities_m3(z)[:_N_HEAVY, 0]))
        d = c.DIFFUSION_A_PER_M_S[5] / background * (t / 273.15) ** c.DIFFUSION_B[5]
        dtau = c.MOLECULAR_WEIGHT_KG_KMOL[5] * g / (c.R_STAR_J_KMOL_K * t)
        weight = (t / t11) ** (1.0 + c.THERMAL_DIFFUSION_ALPHA[5]) * np.exp(y[0])
        return np.array([dtau, c.H_FLUX_PER_M2_S / d * weight])

    hydrogen = []
    for low, high in ((c.H_BOTTOM_M, c.Z11_M), (c.Z11_M, c.Z12_M)):
        start, end = (high, low) if high == c.Z11_M else (low, high)
        res = solve_ivp(
            hydrogen_rhs,
            (start, end),
            np.zeros(2),
            method="DOP853",
            rtol=_RTOL,
            atol=1e-6,
            dense_output=True,
        )
        if not res.success:
            raise RuntimeError(f"hydrogen integration failed {low}-{high} m: {res.message}")
        hydrogen.append((low, high, res.sol))
    return UpperSolution(tuple(heavy), tuple(hydrogen))


def upper_state(
    alt_m: npt.ArrayLike, oxygen_eddy_weight_kg_kmol: float = 0.0
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Temperature, pressure, density, speed of sound and mean molecular weight, 86-1000 km.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude, m, in [86000, 1000000], shape (N,).
    oxygen_eddy_weight_kg_kmol : float, optional
        See :func:`solve_upper`; leave at 0 for the standard.

    Returns
    -------
    temperature_k, pressure_pa, density_kg_m3, speed_of_sound_m_s : ndarray, shape (N,)
        ``p = sum(n) k T``; ``rho = sum(n_i M_i) / N_A``; ``a = sqrt(gamma R* T / M)`` from
        the local kinetic temperature and mean molecular weight (the standard defines the
        speed of sound only to 86 km; this is the formal continuation, continuous there).
    mean_molecular_weight_kg_kmol : ndarray, shape (N,)
        ``M = sum(n_i M_i) / sum(n_i)``.
    """
    z = np.atleast_1d(np.asarray(alt_m, dtype=float))
    n = solve_upper(oxygen_eddy_weight_kg_kmol).number_densities_m3(z)
    t = upper_temperature_k(z)
    n_total = n.sum(axis=0)
    mass = c.MOLECULAR_WEIGHT_KG_KMOL @ n
    p = n_total * c.BOLTZMANN_J_K * t
    rho = mass / c.AVOGADRO_PER_KMOL
    m = mass / n_total
    a = np.sqrt(c.GAMMA * c.R_STAR_J_KMOL_K * t / m)
    return t, p, rho, a, m
