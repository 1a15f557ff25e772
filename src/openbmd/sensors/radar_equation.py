"""Monostatic radar range equation (energy form), antenna gain and beamwidth.

One antenna transmits and receives. The signal-to-noise ratio of one target echo after
the matched filter, with ``pulses`` echoes integrated coherently, is

.. math::

    \\mathrm{SNR} = \\frac{P_t\\,\\tau\\,G^2\\,\\lambda^2\\,\\sigma\\,n}
                         {(4\\pi)^3\\,R^4\\,k\\,T_s\\,L},
    \\qquad \\lambda = c / f,

with peak power :math:`P_t` (W), pulse width :math:`\\tau` (s; :math:`P_t\\tau` is the
pulse energy, J), gain :math:`G` (linear), radar cross-section :math:`\\sigma` (m²),
slant range :math:`R` (m), Boltzmann's constant :math:`k` (J/K), system noise
temperature :math:`T_s` (K), total loss factor :math:`L \\ge 1` and number of
coherently integrated pulses :math:`n`. This is the energy form of the radar equation
(Skolnik, *Introduction to Radar Systems*, 3rd ed. (2001), ch. 2, with a matched filter,
:math:`B\\tau = 1`; Richards, *Fundamentals of Radar Signal Processing* (2005), ch. 2),
and the equation of the MathWorks Radar Toolbox ``radareqsnr`` function.

Coherent integration of ``pulses`` echoes multiplies the SNR by ``pulses`` (the signal
adds in voltage, the noise in power), so ``pulses`` is the coherent integration gain. For
echoes integrated *non-coherently* (after the square-law detector) keep ``pulses=1`` here
and pass the number of pulses to :func:`openbmd.sensors.detection.probability_of_detection`.

The public functions validate their inputs, broadcast them together and return a numpy
scalar when every input was a scalar. The ``*_kernel`` functions are numba versions for
hot loops: scalar, unchecked.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from numba import njit

from openbmd.constants import BOLTZMANN_J_K, SPEED_OF_LIGHT_M_S
from openbmd.errors import require_finite, require_positive, require_range

FloatOrArray: TypeAlias = np.float64 | npt.NDArray[np.float64]

#: (4 pi)^3, the spreading constant of the monostatic radar equation.
FOUR_PI_CUBED = (4.0 * math.pi) ** 3
_LOG10_FOUR_PI_CUBED_K = math.log10(FOUR_PI_CUBED * BOLTZMANN_J_K)
_LOG10_C = math.log10(SPEED_OF_LIGHT_M_S)

#: Half-power beamwidth factor K in theta_3dB = K lambda / D of a uniformly illuminated
#: *line* (or rectangular aperture, in each principal plane): sin(u)/u = 1/sqrt(2) at
#: u = 1.3915574, K = 2u/pi (the pattern of a uniform aperture; e.g. Balanis, *Antenna
#: Theory*, 3rd ed., ch. 12; Richards, *Fundamentals of Radar Signal Processing*, "0.89").
BEAMWIDTH_FACTOR_UNIFORM_LINE = 0.8858929413789046

#: Half-power beamwidth factor K of a uniformly illuminated *circular* aperture of diameter
#: D: 2 J1(u)/u = 1/sqrt(2) at u = 1.6163400, K = 2u/pi (the Airy pattern; e.g. Balanis,
#: *Antenna Theory*, 3rd ed., ch. 12). The default of :func:`beamwidth_rad`, consistent
#: with an aperture efficiency of 1 in :func:`gain_from_aperture_db`.
BEAMWIDTH_FACTOR_UNIFORM_CIRCULAR = 1.0289939699621868


def _out(arr: npt.NDArray[np.float64]) -> FloatOrArray:
    return arr[()] if arr.ndim == 0 else arr


def wavelength_m(frequency_hz: Any) -> FloatOrArray:
    """Free-space wavelength.

    Parameters
    ----------
    frequency_hz : float or array_like
        Carrier frequency, Hz (> 0).

    Returns
    -------
    float or ndarray
        Wavelength c / f, m (c = 299 792 458 m/s, exact).

    Examples
    --------
    >>> round(float(wavelength_m(1e9)), 9)
    0.299792458
    """
    f = require_positive("frequency_hz", frequency_hz)
    with np.errstate(over="ignore"):
        return _out(np.asarray(SPEED_OF_LIGHT_M_S / f, dtype=float))


def _check_common(
    frequency_hz: Any,
    peak_power_w: Any,
    pulse_width_s: Any,
    gain_db: Any,
    rcs_m2: Any,
    noise_temperature_k: Any,
    loss_db: Any,
    pulses: Any,
) -> tuple[npt.NDArray[np.float64], ...]:
    f = require_positive("frequency_hz", frequency_hz)
    p = require_positive("peak_power_w", peak_power_w)
    tau = require_positive("pulse_width_s", pulse_width_s)
    g_db = require_finite("gain_db", gain_db)
    rcs = require_range("rcs_m2", rcs_m2, 0.0)
    ts = require_positive("noise_temperature_k", noise_temperature_k)
    l_db = require_range("loss_db", loss_db, 0.0)
    n = require_range("pulses", pulses, 1.0)
    return f, p, tau, g_db, rcs, ts, l_db, n


def _snr_db_at_1m(
    f: npt.NDArray[np.float64],
    p: npt.NDArray[np.float64],
    tau: npt.NDArray[np.float64],
    g_db: npt.NDArray[np.float64],
    rcs: npt.NDArray[np.float64],
    ts: npt.NDArray[np.float64],
    l_db: npt.NDArray[np.float64],
    n: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """10 log10(SNR R^4 / 1 m^4): every term of the radar equation but the range, in dB.

    Summed in logarithms so that no product over- or underflows (any finite input gives a
    finite or infinite result, never NaN); -inf for zero RCS.
    """
    log_lam = _LOG10_C - np.log10(f)
    with np.errstate(divide="ignore", over="ignore"):
        value = (
            10.0 * (np.log10(p) + np.log10(tau) + 2.0 * log_lam + np.log10(n))
            + 10.0 * np.log10(np.where(rcs > 0.0, rcs, 1.0))
            - 10.0 * (np.log10(ts) + _LOG10_FOUR_PI_CUBED_K)
            + 2.0 * g_db
            - l_db
        )
    return np.asarray(np.where(rcs > 0.0, value, -np.inf), dtype=float)


def snr_db(
    frequency_hz: Any,
    peak_power_w: Any,
    pulse_width_s: Any,
    gain_db: Any,
    rcs_m2: Any,
    range_m: Any,
    noise_temperature_k: Any,
    loss_db: Any = 0.0,
    pulses: Any = 1,
) -> FloatOrArray:
    """Signal-to-noise ratio of a target echo from the monostatic radar equation.

    All arguments broadcast together (numpy rules).

    Parameters
    ----------
    frequency_hz : float or array_like
        Carrier frequency f, Hz (> 0); the wavelength is c / f.
    peak_power_w : float or array_like
        Peak transmitted power P_t, W (> 0).
    pulse_width_s : float or array_like
        Pulse width tau, s (> 0); P_t tau is the energy of one pulse (after pulse
        compression this is the uncompressed pulse length).
    gain_db : float or array_like
        Antenna gain G (transmit = receive), dBi (finite).
    rcs_m2 : float or array_like
        Target radar cross-section sigma, m² (>= 0; 0 gives -inf dB).
    range_m : float or array_like
        Slant range R from the antenna to the target, m (> 0).
    noise_temperature_k : float or array_like
        System noise temperature T_s, K (> 0).
    loss_db : float or array_like, optional
        Total system losses L, dB (>= 0). Default 0.
    pulses : float or array_like, optional
        Number of pulses integrated *coherently* (>= 1); multiplies the SNR. Default 1.

    Returns
    -------
    float or ndarray
        SNR, dB (broadcast shape of the inputs).

    Raises
    ------
    ParameterError
        If an argument is non-finite or outside its range.

    Examples
    --------
    MathWorks ``radareqsnr`` example: 1 GHz, 1 MW, 0.2 us, 20 dB, 1 m², 50 km, 290 K.

    >>> round(float(snr_db(1e9, 1e6, 0.2e-6, 20.0, 1.0, 50e3, 290.0)), 4)
    5.5868
    """
    f, p, tau, g_db, rcs, ts, l_db, n = _check_common(
        frequency_hz, peak_power_w, pulse_width_s, gain_db, rcs_m2, noise_temperature_k,
        loss_db, pulses,
    )  # fmt: skip
    r = require_positive("range_m", range_m)
    return _out(np.asarray(_snr_db_at_1m(f, p, tau, g_db, rcs, ts, l_db, n) - 40.0 * np.log10(r)))


def range_for_snr_m(
    frequency_hz: Any,
    peak_power_w: Any,
    pulse_width_s: Any,
    gain_db: Any,
    rcs_m2: Any,
    snr_db: Any,
    noise_temperature_k: Any,
    loss_db: Any = 0.0,
    pulses: Any = 1,
) -> FloatOrArray:
    """Range at which the radar equation gives a stated SNR (its inverse in range).

    Parameters are those of :func:`snr_db`, with ``snr_db`` (dB, finite) in place of
    ``range_m``: the SNR that must be reached (e.g. the required SNR of
    :func:`openbmd.sensors.detection.required_snr_db`).

    Returns
    -------
    float or ndarray
        Range R, m, with ``snr_db(..., range_m=R, ...) == snr_db`` (0 for zero RCS).

    Examples
    --------
    MathWorks ``radareqrng`` example: 10 GHz, 1 MW, 10 us, 20 dB, 1 m², 6 dB, 290 K.

    >>> round(float(range_for_snr_m(10e9, 1e6, 10e-6, 20.0, 1.0, 6.0, 290.0)), -1)
    41060.0
    """
    f, p, tau, g_db, rcs, ts, l_db, n = _check_common(
        frequency_hz, peak_power_w, pulse_width_s, gain_db, rcs_m2, noise_temperature_k,
        loss_db, pulses,
    )  # fmt: skip
    s_db = require_finite("snr_db", snr_db)
    with np.errstate(over="ignore"):
        r = np.power(10.0, (_snr_db_at_1m(f, p, tau, g_db, rcs, ts, l_db, n) - s_db) / 40.0)
    return _out(np.asarray(r, dtype=float))


def gain_from_aperture_db(area_m2: Any, frequency_hz: Any, efficiency: Any) -> FloatOrArray:
    """Antenna gain of an aperture: G = 4 pi A eta / lambda².

    Parameters
    ----------
    area_m2 : float or array_like
        Physical aperture area A, m² (> 0).
    frequency_hz : float or array_like
        Carrier frequency, Hz (> 0).
    efficiency : float or array_like
        Aperture efficiency eta in (0, 1] (A eta is the effective area; illumination
        taper, spillover and ohmic losses).

    Returns
    -------
    float or ndarray
        Gain, dBi.

    Examples
    --------
    >>> round(float(gain_from_aperture_db(1.0, 10e9, 1.0)), 3)
    41.456
    """
    a = require_positive("area_m2", area_m2)
    f = require_positive("frequency_hz", frequency_hz)
    eta = require_range("efficiency", efficiency, 0.0, 1.0, low_open=True)
    log_lam = _LOG10_C - np.log10(f)
    gain = 10.0 * (math.log10(4.0 * math.pi) + np.log10(a) + np.log10(eta) - 2.0 * log_lam)
    return _out(np.asarray(gain, dtype=float))


def beamwidth_rad(
    diameter_m: Any,
    frequency_hz: Any,
    beamwidth_factor: Any = BEAMWIDTH_FACTOR_UNIFORM_CIRCULAR,
) -> FloatOrArray:
    """Half-power (3 dB) beamwidth of an aperture: theta = K lambda / D.

    The small-angle form, valid for D >> lambda (every radar antenna of interest).

    Parameters
    ----------
    diameter_m : float or array_like
        Aperture dimension D in the plane of the beamwidth, m (> 0).
    frequency_hz : float or array_like
        Carrier frequency, Hz (> 0).
    beamwidth_factor : float or array_like, optional
        K (> 0). Default :data:`BEAMWIDTH_FACTOR_UNIFORM_CIRCULAR` (1.029, uniform circular
        aperture); :data:`BEAMWIDTH_FACTOR_UNIFORM_LINE` (0.886) for a uniform rectangular
        aperture; tapered illuminations widen the beam (K ~ 1.2-1.3).

    Returns
    -------
    float or ndarray
        Full half-power beamwidth, rad.

    Examples
    --------
    >>> round(float(beamwidth_rad(10.0, 299792458.0 / 0.1, 1.0)), 6)
    0.01
    """
    d = require_positive("diameter_m", diameter_m)
    f = require_positive("frequency_hz", frequency_hz)
    k = require_positive("beamwidth_factor", beamwidth_factor)
    with np.errstate(over="ignore", under="ignore"):
        return _out(np.asarray(k * SPEED_OF_LIGHT_M_S / f / d, dtype=float))


@njit(cache=True)
def snr_linear_kernel(
    frequency_hz: float,
    peak_power_w: float,
    pulse_width_s: float,
    gain_db: float,
    rcs_m2: float,
    range_m: float,
    noise_temperature_k: float,
    loss_db: float,
    pulses: float,
) -> float:
    """SNR (linear power ratio) of the radar equation, one target; numba, no checks.

    Same arguments and units as :func:`snr_db` (scalars, ``loss_db`` and ``pulses``
    required). The caller guarantees valid inputs.
    """
    lam = SPEED_OF_LIGHT_M_S / frequency_hz
    r2 = range_m * range_m
    return (
        peak_power_w
        * pulse_width_s
        * 10.0 ** (0.1 * (2.0 * gain_db - loss_db))
        * lam
        * lam
        * rcs_m2
        * pulses
        / (FOUR_PI_CUBED * BOLTZMANN_J_K * noise_temperature_k * r2 * r2)
    )


@njit(cache=True)
def snr_db_kernel(
    frequency_hz: float,
    peak_power_w: float,
    pulse_width_s: float,
    gain_db: float,
    rcs_m2: float,
    range_m: float,
    noise_temperature_k: float,
    loss_db: float,
    pulses: float,
) -> float:
    """SNR in dB of the radar equation, one target; numba, no checks (-inf for 0 RCS)."""
    snr = snr_linear_kernel(
        frequency_hz, peak_power_w, pulse_width_s, gain_db, rcs_m2, range_m,
        noise_temperature_k, loss_db, pulses,
    )  # fmt: skip
    if snr <= 0.0:
        return -math.inf
    return 10.0 * math.log10(snr)
