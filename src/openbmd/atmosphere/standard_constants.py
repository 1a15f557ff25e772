"""Defining constants of the U.S. Standard Atmosphere, 1976, in SI units.

Source: *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562 (NOAA, NASA, USAF, Washington
D.C., October 1976), Part 1, sections 1.2-1.3 and their tables. The standard states lengths
in km and molecular weights in kg/kmol; here lengths are in m, and molecular weights stay in
kg/kmol because the standard's gas constant ``R* = 8.31432e3 J/(kmol K)`` is per kmol.

The standard's own (1976) values are kept on purpose, even where CODATA has since moved
(Boltzmann and Avogadro constants): the published tables were computed with them. Each
comment names the part of the standard the value comes from.
"""

from __future__ import annotations

import numpy as np

from openbmd.constants import G0_M_S2


def _frozen(values: list[float]) -> np.ndarray:
    arr = np.array(values, dtype=float)
    arr.setflags(write=False)
    return arr


# --- defining constants (Part 1, section 1.2) ---------------------------------------------

#: Universal gas constant R*, J/(kmol K).
R_STAR_J_KMOL_K = 8.31432e3
#: Boltzmann constant k, J/K.
BOLTZMANN_J_K = 1.380622e-23
#: Avogadro constant N_A, 1/kmol.
AVOGADRO_PER_KMOL = 6.022169e26
#: Sea-level mean molecular weight M0, kg/kmol.
M0_KG_KMOL = 28.9644
#: Effective Earth radius r0 of the geopotential-altitude definition, m.
R0_M = 6356766.0
#: Standard gravity g0, m/s^2 (the same value as ``openbmd.constants.G0_M_S2``).
G0 = G0_M_S2
#: Sea-level pressure P0, Pa.
P0_PA = 101325.0
#: Sea-level temperature T0, K.
T0_K = 288.15
#: Ratio of specific heats of air, gamma, dimensionless (speed-of-sound equation).
GAMMA = 1.40

# --- 0-86 km: seven layers in geopotential altitude (Part 1, section 1.2) ------------------

#: Geopotential altitude of the base of each layer H_b, m'.
LAYER_BASE_H_M = _frozen([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0])
#: Molecular-scale temperature gradient of each layer L_Mb, K/m'.
LAYER_GRADIENT_K_M = _frozen([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])
#: Geometric altitude where the lower part ends and the upper part begins, Z7, m.
Z7_M = 86000.0

#: Geometric altitudes (m) of the standard's tabulated ratio M/M0, 80 to 86 km in 0.5 km
#: steps; the kinetic temperature there is T = T_M * M / M0.
MW_RATIO_ALT_M = _frozen([80000.0 + 500.0 * i for i in range(13)])
#: The ratio M/M0 at ``MW_RATIO_ALT_M``; it is 1 below 80 km.
MW_RATIO = _frozen(
    [
        1.000000,
        0.999996,
        0.999989,
        0.999971,
        0.999941,
        0.999909,
        0.999870,
        0.999829,
        0.999786,
        0.999741,
        0.999694,
        0.999641,
        0.999579,
    ]
)

# --- 86-1000 km: kinetic temperature (Part 1, section 1.3) ---------------------------------

#: Kinetic temperature at 86 km, isothermal to 91 km, K.
T7_K = 186.8673
#: Base of the elliptical segment Z8, m.
Z8_M = 91000.0
#: Elliptical segment ``T = T_c + A sqrt(1 - ((Z - Z8) / a)^2)``: T_c and A in K, a in m.
ELLIPSE_TC_K = 263.1905
ELLIPSE_A_K = -76.3232
ELLIPSE_A_M = -19942.9
#: Base of the linear segment Z9, m; its temperature T9, K; its gradient L_K9, K/m.
Z9_M = 110000.0
T9_K = 240.0
LK9_K_M = 12.0e-3
#: Base of the exponential segment Z10, m, and its temperature T10, K.
Z10_M = 120000.0
T10_K = 360.0
#: Exospheric temperature T_inf, K.
T_INF_K = 1000.0
#: Decay constant lambda = L_K9 / (T_inf - T10) = 0.01875 /km, in 1/m.
LAMBDA_PER_M = LK9_K_M / (T_INF_K - T10_K)
#: Top of the standard, Z12, m.
Z12_M = 1000000.0

# --- 86-1000 km: composition and diffusion (Part 1, section 1.3) ---------------------------

#: Species above 86 km, in this order everywhere in the package.
SPECIES = ("N2", "O", "O2", "Ar", "He", "H")
#: Molecular weights M_i, kg/kmol.
MOLECULAR_WEIGHT_KG_KMOL = _frozen([28.0134, 15.9994, 31.9988, 39.948, 4.0026, 1.00797])
#: Number densities at 86 km, 1/m^3 (atomic hydrogen is zero below 150 km).
N_AT_86KM_M3 = _frozen([1.129794e20, 8.6e16, 3.030898e19, 1.351400e18, 7.5817e14, 0.0])
#: Thermal-diffusion factors alpha_i, dimensionless.
THERMAL_DIFFUSION_ALPHA = _frozen([0.0, 0.0, 0.0, 0.0, -0.40, -0.25])
#: Molecular-diffusion coefficients ``D_i = a_i / n (T / 273.15)^b_i``: a_i in 1/(m s) and
#: b_i dimensionless (N2 entries unused).
DIFFUSION_A_PER_M_S = _frozen([0.0, 6.986e20, 4.863e20, 4.487e20, 1.700e21, 3.305e21])
DIFFUSION_B = _frozen([0.0, 0.750, 0.750, 0.870, 0.691, 0.500])
#: Vertical-transport coefficients of O, O2, Ar, He, in SI: Q_i and W_i in 1/m^3, U_i in m.
#: The standard gives them per km^3 and in km (Q_O = -5.809644e-4 km^-3, ...).
FLUX_Q_PER_M3 = _frozen([0.0, -5.809644e-13, 1.366212e-13, 9.434079e-14, -2.457369e-13, 0.0])
FLUX_U_M = _frozen([0.0, 56903.11, 86000.0, 86000.0, 86000.0, 0.0])
FLUX_W_PER_M3 = _frozen([0.0, 2.706240e-14, 8.333333e-14, 8.333333e-14, 6.666667e-13, 0.0])
#: Atomic oxygen's second transport term (q, u, w), applied below u = 97 km only.
O_FLUX_LOWER_Q_PER_M3 = -3.416248e-12
O_FLUX_LOWER_U_M = 97000.0
O_FLUX_LOWER_W_PER_M3 = 5.008765e-13
#: Altitude above which the vertical-transport terms are neglected, m.
FLUX_TOP_M = 150000.0
#: Eddy-diffusion coefficient K7 from 86 to 95 km, m^2/s; it decays to zero at 115 km.
K7_M2_S = 1.2e2
Z_EDDY_DECAY_M = 95000.0
Z_EDDY_TOP_M = 115000.0
#: Mixing weight M of the eddy terms (and of N2): M0 up to this altitude, M_N2 above, m.
Z_N2_MIXING_TOP_M = 100000.0
#: Atomic hydrogen: lowest altitude, m; reference altitude Z11, m; density there, 1/m^3;
#: upward (escape) flux phi, 1/(m^2 s).
H_BOTTOM_M = 150000.0
Z11_M = 500000.0
N_H_AT_500KM_M3 = 8.0e10
H_FLUX_PER_M2_S = 7.2e11
