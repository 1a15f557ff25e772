"""Published radar-equation, detection and radar-horizon values openbmd reproduces.

Sources and tolerances:

- Radar equation: the worked examples of the MathWorks Radar Toolbox documentation for
  ``radareqsnr`` and ``radareqrng`` (same energy-form equation; c = 299 792 458 m/s). They
  print 5 significant digits; the tolerance is half a unit of the last digit plus 5e-5 dB
  for the Boltzmann constant (CODATA 2014 in older MATLAB releases vs the exact SI 2019
  value: 1.5e-5 dB).
- Detection, Swerling 0, one pulse, Pd = 0.9, Pfa = 1e-6 (square-law and linear detectors
  coincide for one pulse): Skolnik's 13.2 dB (to its printed 0.1 dB) and the exact value
  printed by the ``sdr`` package's documentation (to 1e-6 dB, both exact computations).
- Swerling 1, one pulse: Pd = Pfa ** (1 / (1 + SNR)) exactly, so SNR = ln Pfa / ln Pd - 1
  (tolerance 1e-6 dB, the accuracy of the root finder is 1e-10 dB).
- Albersheim's equation (Albersheim, Proc. IEEE 69 (1981) 839; Richards, *Fundamentals of
  Radar Signal Processing* (2005), ch. 6), an empirical fit to Robertson's curves of
  the *linear* detector claimed to 0.2 dB for 0.1 <= Pd <= 0.9, 1e-7 <= Pfa <= 1e-3,
  1 <= N <= 8096: 0.2 dB for one pulse; 0.4 dB for N > 1, where the linear and square-law
  detectors differ by up to ~0.2 dB (DiFranco & Rubin, *Radar Detection* (1968)). The
  expected values below are Albersheim's formula evaluated to 4 decimals. (The fit is
  much worse at low Pd and high Pfa, e.g. 4 dB at Pd = 0.1, Pfa = 1e-3: not used.)
- Radar horizon: Skolnik's rule of thumb d[km] = 4.12 (sqrt(h1[m]) + sqrt(h2[m])) for the
  4/3 Earth (tolerance 0.12 %, the rounding of 4.12) and the exact geometric horizon
  d = R arccos(R / (R + h)) (k = 1; Doerry, SAND2012-10690 (2013)), evaluated by hand for
  R = 6371.0088 km (tolerance 1 mm).
"""

from __future__ import annotations

from openbmd.sensors.detection import required_snr_db
from openbmd.sensors.horizon import horizon_range_m
from openbmd.sensors.radar_equation import range_for_snr_m, snr_db
from openbmd.validation.registry import register

_RADAREQSNR = (
    "MathWorks Radar Toolbox documentation, radareqsnr, example 'Estimate output SNR' "
    "(monostatic, energy form)"
)
_RADAREQRNG = (
    "MathWorks Radar Toolbox documentation, radareqrng, examples 'Estimate maximum "
    "detectable range' (defaults: gain 20 dB, RCS 1 m^2, Ts 290 K, loss 0 dB)"
)
_ALBERSHEIM = (
    "Albersheim, 'A closed-form approximation to Robertson's detection characteristics', "
    "Proc. IEEE 69 (1981) 839; Richards, Fundamentals of Radar Signal Processing (2005), "
    "ch. 6"
)
_SKOLNIK_RULE = (
    "Skolnik, Introduction to Radar Systems, 3rd ed. (2001), 4/3-Earth horizon rule "
    "d[km] = 4.12 (sqrt(h1[m]) + sqrt(h2[m]))"
)


@register(
    "radar.snr_radareqsnr_1ghz",
    quantity="SNR, 1 GHz, 1 MW, 0.2 us, 20 dB, 1 m^2, 50 km, 290 K [dB]",
    source=_RADAREQSNR + ": snr = 5.5868",
    expected=5.5868,
    tolerance=1e-4,
    unit="dB",
)
def _snr_1ghz() -> float:
    return float(snr_db(1.0e9, 1.0e6, 0.2e-6, 20.0, 1.0, 50.0e3, 290.0))


@register(
    "radar.snr_radareqsnr_10ghz",
    quantity="SNR, 10 GHz, 1 MW, 1 us, 40 dB, 0.5 m^2, 100 km, 300 K, 3 dB loss [dB]",
    source=_RADAREQSNR + ": snr = 14.3778",
    expected=14.3778,
    tolerance=1e-4,
    unit="dB",
)
def _snr_10ghz() -> float:
    return float(snr_db(10.0e9, 1.0e6, 1.0e-6, 40.0, 0.5, 100.0e3, 300.0, loss_db=3.0))


@register(
    "radar.range_radareqrng_default",
    quantity="range for 6 dB SNR, 10 GHz, 1 MW, 10 us, 20 dB, 1 m^2, 290 K [m]",
    source=_RADAREQRNG + ": maxrng = 4.1057e+04",
    expected=4.1057e4,
    tolerance=5.0,
    unit="m",
)
def _range_default() -> float:
    return float(range_for_snr_m(10.0e9, 1.0e6, 10.0e-6, 20.0, 1.0, 6.0, 290.0))


@register(
    "radar.range_radareqrng_gain40",
    quantity="range for 6 dB SNR, 10 GHz, 1 MW, 10 us, 40 dB, 0.1 m^2, 3 dB loss [m]",
    source=_RADAREQRNG + ": maxrng2 = 1.9426e+05",
    expected=1.9426e5,
    tolerance=50.0,
    unit="m",
)
def _range_gain40() -> float:
    return float(range_for_snr_m(10.0e9, 1.0e6, 10.0e-6, 40.0, 0.1, 6.0, 290.0, loss_db=3.0))


@register(
    "radar.required_snr_sw0_skolnik",
    quantity="single-pulse SNR for Pd = 0.9, Pfa = 1e-6, steady target [dB]",
    source="Skolnik, Introduction to Radar Systems, 3rd ed. (2001), sec. 2.5, Fig. 2.7: 13.2 dB",
    expected=13.2,
    tolerance=0.05,
    unit="dB",
)
def _sw0_skolnik() -> float:
    return float(required_snr_db(0.9, 1e-6, 1, 0))


@register(
    "radar.required_snr_sw0_exact",
    quantity="single-pulse SNR for Pd = 0.9, Pfa = 1e-6, steady target, exact [dB]",
    source=(
        "sdr (M. Hostetter) documentation, sdr.min_snr example, square-law detector: "
        "13.183490056794499"
    ),
    expected=13.183490056794499,
    tolerance=1e-6,
    unit="dB",
)
def _sw0_exact() -> float:
    return float(required_snr_db(0.9, 1e-6, 1, 0))


@register(
    "radar.required_snr_sw1_closed_form",
    quantity="single-pulse SNR for Pd = 0.9, Pfa = 1e-6, Swerling 1 [dB]",
    source=(
        "Swerling 1, N = 1: Pd = Pfa**(1/(1+SNR)), SNR = ln(Pfa)/ln(Pd) - 1 = 130.1261 "
        "(Richards, Fundamentals of Radar Signal Processing (2005), ch. 6; Skolnik, 3rd ed., "
        "sec. 2.8)"
    ),
    expected=21.143643201915836,
    tolerance=1e-6,
    unit="dB",
)
def _sw1_closed_form() -> float:
    return float(required_snr_db(0.9, 1e-6, 1, 1))


def _albersheim_case(case_id: str, pd: float, pfa: float, pulses: int, expected: float) -> None:
    tolerance = 0.2 if pulses == 1 else 0.4

    @register(
        case_id,
        quantity=f"per-pulse SNR, Pd = {pd}, Pfa = {pfa:g}, N = {pulses}, steady target [dB]",
        source=f"{_ALBERSHEIM}: {expected} dB",
        expected=expected,
        tolerance=tolerance,
        unit="dB",
    )
    def _compute() -> float:
        return float(required_snr_db(pd, pfa, pulses, 0))


_albersheim_case("radar.albersheim_pd09_pfa1e-6_n1", 0.9, 1e-6, 1, 13.1145)
_albersheim_case("radar.albersheim_pd05_pfa1e-4_n1", 0.5, 1e-4, 1, 9.3956)
_albersheim_case("radar.albersheim_pd09_pfa1e-6_n10", 0.9, 1e-6, 10, 4.9904)
_albersheim_case("radar.albersheim_pd09_pfa1e-6_n100", 0.9, 1e-6, 100, -1.2603)


@register(
    "radar.horizon_rule_100m",
    quantity="4/3-Earth horizon, antenna 100 m, target at sea level [km]",
    source=_SKOLNIK_RULE + ": 4.12 * sqrt(100) = 41.2 km",
    expected=41.2,
    tolerance=0.05,
    unit="km",
)
def _horizon_100m() -> float:
    return float(horizon_range_m(100.0, 0.0)) / 1e3


@register(
    "radar.horizon_rule_30m_1km",
    quantity="4/3-Earth horizon, antenna 30 m, target 1000 m [km]",
    source=_SKOLNIK_RULE + ": 4.12 * (sqrt(30) + sqrt(1000)) = 152.85 km",
    expected=152.85,
    tolerance=0.18,
    unit="km",
)
def _horizon_30m_1km() -> float:
    return float(horizon_range_m(30.0, 1000.0)) / 1e3


@register(
    "radar.horizon_geometric_100km",
    quantity="geometric horizon (k = 1) of a point 100 km up, ground distance [m]",
    source=(
        "exact sphere geometry d = R arccos(R/(R+h)), R = 6371008.8 m, h = 100 km "
        "(Doerry, Earth Curvature and Atmospheric Refraction Effects on Radar Signal "
        "Propagation, Sandia SAND2012-10690 (2013))"
    ),
    expected=1121496.9096,
    tolerance=1e-3,
    unit="m",
)
def _horizon_geometric() -> float:
    return float(horizon_range_m(100.0e3, 0.0, k_factor=1.0))
