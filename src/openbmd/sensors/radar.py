"""Radar site model: where a radar stands, what it radiates, what it can see, how well.

:class:`Radar` is a validated, immutable description of one monostatic radar at a geodetic
site (land or ship; a ship is a fixed point for the duration of a scenario). It wraps the
radar equation (:mod:`openbmd.sensors.radar_equation`) and the detection statistics
(:mod:`openbmd.sensors.detection`) and adds the measurement accuracy of a radar:

- range: ``sigma_R = c / (2 B sqrt(2 SNR))`` (range resolution over ``sqrt(2 SNR)``;
  Skolnik, *Introduction to Radar Systems*, 3rd ed. (2001), ch. 6; Richards,
  *Fundamentals of Radar Signal Processing* (2005), ch. 7);
- angle (each of the two monopulse axes): ``sigma_theta = theta_3dB / (k_m sqrt(2 SNR))``
  with monopulse slope ``k_m ~ 1.6`` (Sherman, *Monopulse Principles and Techniques*
  (1984); Barton, *Radar System Analysis and Modeling* (2005); the same form with 1.6 in
  Richards (2005), ch. 7);
- range rate: ``sigma_v = lambda / (2 T sqrt(2 SNR))`` (Doppler resolution ``1 / T`` of a
  coherent dwell of length ``T`` over ``sqrt(2 SNR)``, the same estimator-precision form);

each combined in quadrature with a floor (``sigma^2 = sigma_SNR^2 + floor^2``) for the
errors that do not shrink with SNR (calibration, multipath, propagation). Fixed biases
are added to every measurement and are not part of the reported covariance.

Detection and SNR conventions: with ``integration="coherent"`` the ``pulses`` of a dwell
add coherently (``SNR = n * SNR_1``) and the detector sees one integrated sample; with
``"noncoherent"`` the detector integrates ``pulses`` square-law samples of the per-pulse
SNR. :meth:`Radar.snr_db` returns the SNR the detector is given (integrated for coherent,
per pulse for non-coherent), :meth:`Radar.pd` its probability of detection, and the
accuracy formulas use the SNR of the whole dwell (``n * SNR_1`` in both cases, the ideal
integration gain). Target RCS models live in :mod:`openbmd.sensors.rcs`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field, replace
from functools import cache, cached_property
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from openbmd.constants import SPEED_OF_LIGHT_M_S
from openbmd.errors import (
    ParameterError,
    require_finite,
    require_range,
)
from openbmd.geodesy import geodetic_to_ecef, meridian_radius_m, prime_vertical_radius_m
from openbmd.sensors.detection import pd_table, probability_of_detection, required_snr_db
from openbmd.sensors.horizon import STANDARD_K_FACTOR
from openbmd.sensors.radar_equation import (
    BEAMWIDTH_FACTOR_UNIFORM_LINE,
    beamwidth_rad,
    gain_from_aperture_db,
    range_for_snr_m,
    snr_db,
)

__all__ = ["MONOPULSE_SLOPE", "Radar"]

FloatArray = npt.NDArray[np.float64]

#: Normalised monopulse slope k_m of a typical amplitude-comparison monopulse antenna
#: (Sherman, *Monopulse Principles and Techniques* (1984); Barton (2005): 1.2-2, ~1.6).
MONOPULSE_SLOPE = 1.6
#: Smallest cosine of the elevation used to turn a cross-elevation angle error into an
#: azimuth error (sigma_az = sigma_theta / cos(el)); keeps the zenith finite.
_MIN_COS_EL = 1e-3


def _float(name: str, value: Any) -> float:
    arr = require_finite(name, value)
    if arr.size != 1:
        raise ParameterError(name, "a scalar", f"an array of shape {arr.shape}")
    return float(arr.reshape(()))


def _out(arr: FloatArray) -> Any:
    return arr[()] if arr.ndim == 0 else arr


@cache
def _cached_pd_table(pfa: float, pulses: int, swerling: int) -> tuple[FloatArray, FloatArray]:
    grid, values = pd_table(pfa, pulses, swerling)
    values.setflags(write=False)
    return grid, values


_INF = math.inf
#: Allowed interval of each scalar attribute: (low, high, low open, high open).
_BOUNDS: dict[str, tuple[float, float, bool, bool]] = {
    "lat_deg": (-90.0, 90.0, False, False),
    "lon_deg": (-_INF, _INF, False, False),
    "alt_m": (-_INF, _INF, False, False),
    "frequency_hz": (0.0, _INF, True, False),
    "peak_power_w": (0.0, _INF, True, False),
    "pulse_width_s": (0.0, _INF, True, False),
    "bandwidth_hz": (0.0, _INF, True, False),
    "noise_temperature_k": (0.0, _INF, True, False),
    "gain_db": (0.0, 80.0, False, False),
    "aperture_area_m2": (0.0, _INF, True, False),
    "aperture_efficiency": (0.0, 1.0, True, False),
    "loss_db": (0.0, _INF, False, False),
    "pfa": (0.0, 1.0, True, True),
    "beamwidth_deg": (0.0, 90.0, True, False),
    "monopulse_slope": (0.0, _INF, True, False),
    "dwell_s": (0.0, _INF, True, False),
    "boresight_az_deg": (-_INF, _INF, False, False),
    "boresight_el_deg": (-90.0, 90.0, False, False),
    "az_limits_deg": (0.0, 180.0, True, False),
    "min_elevation_deg": (-90.0, 90.0, False, False),
    "search_revisit_s": (0.0, _INF, True, False),
    "track_update_s": (0.0, _INF, True, False),
    "range_sigma_floor_m": (0.0, _INF, False, False),
    "angle_sigma_floor_deg": (0.0, _INF, False, False),
    "range_rate_sigma_floor_m_s": (0.0, _INF, False, False),
    "range_bias_m": (-_INF, _INF, False, False),
    "az_bias_deg": (-_INF, _INF, False, False),
    "el_bias_deg": (-_INF, _INF, False, False),
    "scan_loss_exponent": (0.0, _INF, False, False),
}
#: Attributes that may be None (derived from others).
_OPTIONAL = frozenset({"gain_db", "aperture_area_m2", "beamwidth_deg"})
#: Attributes restricted to a set of values: (name, type, choices).
_CHOICES: tuple[tuple[str, type, tuple[Any, ...]], ...] = (
    ("integration", str, ("coherent", "noncoherent")),
    ("swerling", int, (0, 1, 2, 3, 4)),
    ("range_rate", bool, (True, False)),
    ("platform", str, ("land", "ship")),
)


@dataclass(frozen=True)
class Radar:
    """One monostatic radar at a fixed geodetic site (validated once, immutable).

    Attributes
    ----------
    name : str
        Label (catalog class name by default).
    lat_deg, lon_deg : float
        Geodetic WGS 84 latitude in [-90, 90] and longitude of the antenna, deg.
    alt_m : float
        Antenna height above the WGS 84 ellipsoid, m (a ship's mast: ~20-30 m).
    frequency_hz : float
        Carrier frequency, Hz.
    peak_power_w : float
        Peak transmitted power, W.
    pulse_width_s : float
        Pulse width (uncompressed), s; the pulse energy is ``peak_power_w * pulse_width_s``.
    bandwidth_hz : float
        Signal bandwidth B, Hz (sets the range resolution c / 2B and the range accuracy).
    noise_temperature_k : float
        System noise temperature, K.
    gain_db : float, optional
        Antenna gain, dBi. If omitted, computed from ``aperture_area_m2`` and
        ``aperture_efficiency`` (G = 4 pi A eta / lambda^2).
    aperture_area_m2 : float, optional
        Physical antenna area (one face), m².
    aperture_efficiency : float
        Aperture efficiency in (0, 1] (default 0.7).
    loss_db : float
        Total system losses, dB (>= 0).
    pulses : int
        Pulses per dwell (>= 1).
    integration : {"coherent", "noncoherent"}
        How the pulses of a dwell are integrated.
    pfa : float
        Probability of false alarm per detection cell, in (0, 1).
    swerling : int
        Target fluctuation model 0-4 (detection statistics).
    beamwidth_deg : float, optional
        Half-power beamwidth at broadside, deg. If omitted, that of a uniformly
        illuminated square aperture of the same gain: ``0.886 lambda / D`` with
        ``D^2 = G lambda^2 / (4 pi)``, i.e. ``0.886 sqrt(4 pi / G)`` rad.
    monopulse_slope : float
        Normalised monopulse slope k_m (default 1.6).
    dwell_s : float
        Coherent dwell length T, s (range-rate accuracy).
    boresight_az_deg, boresight_el_deg : float
        Direction of the face normal (azimuth from north, clockwise; elevation), deg.
    az_limits_deg : float
        Half-width of the field of regard in azimuth about the boresight, deg, in
        (0, 180]; 180 = all round.
    el_limits_deg : tuple of float
        Field of regard in (apparent) elevation, (min, max), deg, in [-90, 90].
    min_elevation_deg : float
        Lowest usable apparent elevation (horizon mask: terrain, clutter), deg.
    max_range_m : float
        Instrumented range, m (``inf``: no limit).
    search_revisit_s : float
        Time between looks at a direction in search, s.
    track_update_s : float
        Time between looks at a tracked object, s.
    range_rate : bool
        Whether range rate (Doppler) is measured.
    range_sigma_floor_m, angle_sigma_floor_deg, range_rate_sigma_floor_m_s : float
        Accuracy floors (m, deg, m/s), added in quadrature.
    range_bias_m, az_bias_deg, el_bias_deg : float
        Fixed measurement biases (m, deg, deg).
    k_factor : float or None
        Effective-Earth refraction factor (default 4/3; ``None`` or 1.0: no refraction).
        Stored as a float (``None`` becomes 1.0).
    scan_loss_exponent : float
        Electronically scanned planar face: SNR times ``cos(scan)^exponent`` and beamwidth
        over ``cos(scan)``, scan = angle from the boresight (0: no scan effects; 2 for
        the projected aperture on transmit and receive).
    platform : {"land", "ship"}
        Kind of site (descriptive; both are fixed in ECEF).
    description : str
    sources : mapping of str to str
        Public source of each catalog parameter (not compared, not hashed).

    Examples
    --------
    >>> r = Radar("demo", 35.0, 139.0, 10.0, frequency_hz=3.3e9, peak_power_w=1e6,
    ...           pulse_width_s=1e-4, bandwidth_hz=5e6, noise_temperature_k=500.0,
    ...           gain_db=40.0)
    >>> round(float(r.range_sigma_m(20.0)), 3)  # c / (2 B sqrt(2 * 100))
    2.12
    """

    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0
    _: KW_ONLY
    frequency_hz: float = math.nan
    peak_power_w: float = math.nan
    pulse_width_s: float = math.nan
    bandwidth_hz: float = math.nan
    noise_temperature_k: float = math.nan
    gain_db: float | None = None
    aperture_area_m2: float | None = None
    aperture_efficiency: float = 0.7
    loss_db: float = 0.0
    pulses: int = 1
    integration: Literal["coherent", "noncoherent"] = "coherent"
    pfa: float = 1e-6
    swerling: int = 1
    beamwidth_deg: float | None = None
    monopulse_slope: float = MONOPULSE_SLOPE
    dwell_s: float = 0.01
    boresight_az_deg: float = 0.0
    boresight_el_deg: float = 0.0
    az_limits_deg: float = 180.0
    el_limits_deg: tuple[float, float] = (0.0, 90.0)
    min_elevation_deg: float = 0.0
    max_range_m: float = math.inf
    search_revisit_s: float = 10.0
    track_update_s: float = 1.0
    range_rate: bool = False
    range_sigma_floor_m: float = 0.0
    angle_sigma_floor_deg: float = 0.0
    range_rate_sigma_floor_m_s: float = 0.0
    range_bias_m: float = 0.0
    az_bias_deg: float = 0.0
    el_bias_deg: float = 0.0
    k_factor: float | None = STANDARD_K_FACTOR
    scan_loss_exponent: float = 0.0
    platform: Literal["land", "ship"] = "land"
    description: str = ""
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError("name", "a non-empty string", self.name)
        for key, (low, high, low_open, high_open) in _BOUNDS.items():
            value = getattr(self, key)
            if value is None and key in _OPTIONAL:
                continue
            checked = require_range(key, _float(key, value), low, high,
                                    low_open=low_open, high_open=high_open)  # fmt: skip
            object.__setattr__(self, key, float(checked))
        for key, kind, choices in _CHOICES:
            value = getattr(self, key)
            if isinstance(value, bool | np.bool_) != (kind is bool) or value not in choices:
                raise ParameterError(key, "one of " + ", ".join(map(str, choices)), value)
            object.__setattr__(self, key, kind(value))
        pulses = self.pulses
        if isinstance(pulses, bool) or not float(_float("pulses", pulses)).is_integer():
            raise ParameterError("pulses", "an integer >= 1", pulses)
        object.__setattr__(self, "pulses", int(require_range("pulses", int(pulses), 1.0, 1e6)))
        k = 1.0 if self.k_factor is None else _float("k_factor", self.k_factor)
        k = float(require_range("k_factor", k, 0.0, 100.0, low_open=True))
        object.__setattr__(self, "k_factor", k)
        if self.gain_db is None:
            if self.aperture_area_m2 is None:
                raise ParameterError("gain_db", "given (or aperture_area_m2 given)", None)
            gain = gain_from_aperture_db(
                self.aperture_area_m2, self.frequency_hz, self.aperture_efficiency
            )
            object.__setattr__(self, "gain_db", float(gain))
        self._check_field_of_regard()

    def _check_field_of_regard(self) -> None:
        set_ = object.__setattr__
        lims = require_range("el_limits_deg", self.el_limits_deg, -90.0, 90.0)
        if lims.shape != (2,) or not lims[0] < lims[1]:
            raise ParameterError(
                "el_limits_deg", "a pair (min, max) with min < max", tuple(np.ravel(lims).tolist())
            )
        set_(self, "el_limits_deg", (float(lims[0]), float(lims[1])))
        max_range = np.asarray(self.max_range_m, dtype=float)
        if max_range.shape != () or np.isnan(max_range) or max_range <= 0.0:
            raise ParameterError("max_range_m", "> 0 (inf: no limit)", self.max_range_m)
        set_(self, "max_range_m", float(max_range))

    # --- construction -------------------------------------------------------------------

    @classmethod
    def from_catalog(
        cls, name: str, /, lat_deg: float, lon_deg: float, alt_m: float = 0.0, **overrides: Any
    ) -> Radar:
        """A catalog radar class (``openbmd/data/radars.yaml``) placed at a site.

        Parameters
        ----------
        name : str
            Catalog class (:func:`openbmd.sensors.catalog.radar_names`).
        lat_deg, lon_deg : float
            Geodetic WGS 84 latitude and longitude of the antenna, deg.
        alt_m : float, optional
            Antenna height above the ellipsoid, m (default 0).
        **overrides
            Any other attribute (``name=`` a label, default the class name;
            ``boresight_az_deg``, ...); a
            parameter given here replaces the catalog value (and its source becomes
            ``"user override"``).

        Raises
        ------
        ParameterError
            Unknown class (the message lists the names) or an invalid parameter.
        """
        from openbmd.sensors.catalog import get_radar_class

        entry = get_radar_class(name)
        values: dict[str, Any] = dict(entry.values)
        sources = dict(entry.sources)
        label = overrides.pop("name", name)
        unknown = set(overrides) - set(cls.__dataclass_fields__)
        if unknown:
            raise ParameterError("overrides", "names of Radar attributes", sorted(unknown)[0])
        for key, value in overrides.items():
            values[key] = value
            sources[key] = "user override"
        values.setdefault("description", entry.description)
        return cls(label, lat_deg, lon_deg, alt_m, sources=sources, **values)

    def replace(self, **changes: Any) -> Radar:
        """A copy with some attributes changed (validated again)."""
        return replace(self, **changes)

    # --- derived quantities -------------------------------------------------------------

    @property
    def wavelength_m(self) -> float:
        """Carrier wavelength c / f, m."""
        return SPEED_OF_LIGHT_M_S / self.frequency_hz

    @cached_property
    def beamwidth_rad(self) -> float:
        """Half-power beamwidth at broadside, rad (given, or from the gain)."""
        if self.beamwidth_deg is not None:
            return math.radians(self.beamwidth_deg)
        lam = self.wavelength_m
        side_m = math.sqrt(10.0 ** (0.1 * cast(float, self.gain_db)) * lam * lam / (4.0 * math.pi))
        return float(beamwidth_rad(side_m, self.frequency_hz, BEAMWIDTH_FACTOR_UNIFORM_LINE))

    @cached_property
    def site_ecef_m(self) -> FloatArray:
        """ECEF position of the antenna, m, shape (3,)."""
        return np.asarray(geodetic_to_ecef(self.lat_deg, self.lon_deg, self.alt_m), dtype=float)

    @cached_property
    def curvature_radii_m(self) -> tuple[float, float]:
        """Meridian and prime-vertical radii of curvature of WGS 84 at the site, m."""
        return float(meridian_radius_m(self.lat_deg)), float(prime_vertical_radius_m(self.lat_deg))

    @property
    def coherent_pulses(self) -> int:
        """Pulses integrated coherently before the detector (``pulses`` or 1)."""
        return self.pulses if self.integration == "coherent" else 1

    @property
    def detector_pulses(self) -> int:
        """Pulses integrated by the detector (1 for coherent integration, else ``pulses``)."""
        return 1 if self.integration == "coherent" else self.pulses

    def pd_table(self) -> tuple[FloatArray, FloatArray]:
        """(SNR grid in dB, Pd) of this radar's detector, for the numba Pd lookup."""
        return _cached_pd_table(self.pfa, self.detector_pulses, self.swerling)

    # --- radar equation and detection ---------------------------------------------------

    def snr_db(self, range_m: Any, rcs_m2: Any, scan_angle_rad: Any = 0.0) -> Any:
        """SNR given to the detector for a target at ``range_m`` of cross-section ``rcs_m2``.

        Parameters
        ----------
        range_m : float or array_like
            Slant range, m (> 0).
        rcs_m2 : float or array_like
            Radar cross-section, m² (>= 0).
        scan_angle_rad : float or array_like, optional
            Angle between the line of sight and the boresight, rad, in [0, pi/2]; only
            used when ``scan_loss_exponent > 0``.

        Returns
        -------
        float or ndarray
            SNR, dB: after coherent integration of the dwell (``integration="coherent"``)
            or per pulse (``"noncoherent"``). Broadcast shape of the inputs.
        """
        out = np.asarray(
            snr_db(
                self.frequency_hz,
                self.peak_power_w,
                self.pulse_width_s,
                self.gain_db,
                rcs_m2,
                range_m,
                self.noise_temperature_k,
                self.loss_db,
                self.coherent_pulses,
            ),
            dtype=float,
        )
        return _out(out + self.scan_loss_db(scan_angle_rad))

    def scan_loss_db(self, scan_angle_rad: Any) -> Any:
        """SNR change from scanning off the boresight, dB (<= 0; 0 if no scan effects)."""
        scan = require_range("scan_angle_rad", scan_angle_rad, 0.0, 0.5 * math.pi)
        if self.scan_loss_exponent == 0.0:
            return _out(np.zeros_like(scan))
        with np.errstate(divide="ignore"):
            return _out(10.0 * self.scan_loss_exponent * np.log10(np.cos(scan)))

    def pd(self, snr_db: Any) -> Any:
        """Probability of detection per dwell for the SNR of :meth:`snr_db` (dB)."""
        return probability_of_detection(snr_db, self.pfa, self.detector_pulses, self.swerling)

    def detection_range_m(self, rcs_m2: Any, pd: float = 0.9) -> Any:
        """Range at which a target of ``rcs_m2`` is detected with probability ``pd`` per dwell.

        At boresight, without the horizon, field of regard or instrumented range (m).
        """
        need = float(required_snr_db(pd, self.pfa, self.detector_pulses, self.swerling))
        return range_for_snr_m(
            self.frequency_hz,
            self.peak_power_w,
            self.pulse_width_s,
            self.gain_db,
            rcs_m2,
            need,
            self.noise_temperature_k,
            self.loss_db,
            self.coherent_pulses,
        )

    # --- measurement accuracy -----------------------------------------------------------

    def dwell_snr_linear(self, snr_db: Any) -> FloatArray:
        """SNR of the whole dwell (linear) from the SNR of :meth:`snr_db` (dB).

        Coherent: the same; non-coherent: times ``pulses`` (ideal integration gain).
        """
        s = np.asarray(snr_db, dtype=float)
        return np.power(10.0, 0.1 * s) * self.detector_pulses

    def range_sigma_m(self, snr_db: Any) -> Any:
        """Range standard deviation, m: ``c / (2 B sqrt(2 SNR))`` with the floor in quadrature."""
        return _out(self._range_sigma(self._root_2snr(snr_db)))

    def angle_sigma_rad(self, snr_db: Any, scan_angle_rad: Any = 0.0) -> Any:
        """Angle standard deviation on each monopulse axis, rad.

        ``theta_3dB / (k_m sqrt(2 SNR))`` (the beam widened by ``1 / cos(scan)`` when
        ``scan_loss_exponent > 0``) with the floor in quadrature. This is the elevation
        sigma; the azimuth sigma is this over ``cos(elevation)``.
        """
        return _out(self._angle_sigma(self._root_2snr(snr_db), scan_angle_rad))

    def azimuth_sigma_rad(self, snr_db: Any, elevation_rad: Any, scan_angle_rad: Any = 0.0) -> Any:
        """Azimuth standard deviation, rad: :meth:`angle_sigma_rad` over ``cos(elevation)``."""
        cos_el = np.maximum(np.cos(np.asarray(elevation_rad, dtype=float)), _MIN_COS_EL)
        return _out(self._angle_sigma(self._root_2snr(snr_db), scan_angle_rad) / cos_el)

    def range_rate_sigma_m_s(self, snr_db: Any) -> Any:
        """Range-rate standard deviation, m/s: ``lambda / (2 T sqrt(2 SNR))`` with the floor."""
        return _out(self._range_rate_sigma(self._root_2snr(snr_db)))

    def measurement_sigmas(
        self, snr_db: Any, elevation_rad: Any, scan_angle_rad: Any = 0.0
    ) -> FloatArray:
        """Range, azimuth, elevation and range-rate standard deviations, shape (..., 4).

        In (m, rad, rad, m/s): :meth:`range_sigma_m`, :meth:`azimuth_sigma_rad`,
        :meth:`angle_sigma_rad`, :meth:`range_rate_sigma_m_s` in one pass.
        """
        root = self._root_2snr(snr_db)
        angle = self._angle_sigma(root, scan_angle_rad)
        cos_el = np.maximum(np.cos(np.asarray(elevation_rad, dtype=float)), _MIN_COS_EL)
        parts = np.broadcast_arrays(
            self._range_sigma(root), angle / cos_el, angle, self._range_rate_sigma(root)
        )
        return np.stack(parts, axis=-1)

    def _root_2snr(self, snr_db: Any) -> FloatArray:
        return np.sqrt(2.0 * self.dwell_snr_linear(snr_db))

    def _range_sigma(self, root: FloatArray) -> FloatArray:
        thermal = SPEED_OF_LIGHT_M_S / (2.0 * self.bandwidth_hz * root)
        return np.hypot(thermal, self.range_sigma_floor_m)

    def _angle_sigma(self, root: FloatArray, scan_angle_rad: Any) -> FloatArray:
        beam = self.beamwidth_rad / self._scan_cos(scan_angle_rad)
        return np.hypot(beam / (self.monopulse_slope * root),
                        math.radians(self.angle_sigma_floor_deg))  # fmt: skip

    def _range_rate_sigma(self, root: FloatArray) -> FloatArray:
        thermal = self.wavelength_m / (2.0 * self.dwell_s * root)
        return np.hypot(thermal, self.range_rate_sigma_floor_m_s)

    def _scan_cos(self, scan_angle_rad: Any) -> FloatArray:
        scan = np.asarray(scan_angle_rad, dtype=float)
        if self.scan_loss_exponent == 0.0:
            return np.ones_like(scan)
        return np.maximum(np.cos(scan), _MIN_COS_EL)
