"""``openbmd calc radar-snr | radar-range | detection | horizon`` as a user runs them."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

RADAR = [
    "--frequency-hz", "1e9", "--peak-power-w", "1e6", "--pulse-width-s", "0.2e-6",
    "--gain-db", "20", "--rcs-m2", "1", "--noise-temperature-k", "290",
]  # fmt: skip


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", "calc", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )


def assert_user_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, f"expected exit code 2, got {proc.returncode}: {proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    for frag in fragments:
        assert frag in proc.stderr, f"{frag!r} not in {proc.stderr!r}"
    assert proc.stdout.strip() == ""


def test_radar_snr_json_mathworks_example():
    proc = run("radar-snr", *RADAR, "--range-m", "50e3", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"snr_db", "wavelength_m"}
    # MathWorks radareqsnr documentation example: snr = 5.5868 dB
    assert out["snr_db"] == pytest.approx(5.5868, abs=1e-4)
    assert out["wavelength_m"] == pytest.approx(0.299792458, rel=1e-12)


def test_radar_range_json_inverts_radar_snr():
    proc = run("radar-range", *RADAR, "--snr-db", "5.586805115322827", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"range_m", "range_km", "wavelength_m"} <= set(out)
    assert out["range_m"] == pytest.approx(50e3, rel=1e-9)
    assert out["range_km"] == pytest.approx(50.0, rel=1e-9)


def test_radar_snr_coherent_pulses_and_loss():
    proc = run(
        "radar-snr", *RADAR, "--range-m", "50e3", "--pulses", "10", "--loss-db", "3", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["snr_db"] == pytest.approx(5.5868 + 10 - 3, abs=1e-4)


def test_detection_required_snr_and_pd():
    proc = run("detection", "--pd", "0.9", "--pfa", "1e-6", "--swerling", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # Swerling 1, one pulse: SNR = ln(Pfa)/ln(Pd) - 1
    want = 10 * math.log10(math.log(1e-6) / math.log(0.9) - 1)
    assert out["required_snr_db"] == pytest.approx(want, abs=1e-8)
    proc = run("detection", "--snr-db", "13.183490056794499", "--pfa", "1e-6", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["pd"] == pytest.approx(0.9, abs=1e-9)
    assert "required_snr_db" not in out


def test_detection_with_pulses_matches_library():
    from openbmd.sensors.detection import probability_of_detection

    proc = run(
        "detection", "--pd", "0.5", "--pfa", "1e-8", "--swerling", "4", "--pulses", "16", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["pfa"], out["pulses"], out["swerling"]) == (1e-8, 16, 4)
    pd = probability_of_detection(out["required_snr_db"], 1e-8, 16, 4)
    assert pd == pytest.approx(0.5, abs=1e-9)


def test_horizon_json():
    proc = run("horizon", "--antenna-height-m", "100", "--target-alt-m", "0", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"range_km", "slant_range_km", "k_factor"} <= set(out)
    # Skolnik's 4/3-Earth rule of thumb: 4.12 sqrt(100 m) = 41.2 km
    assert out["range_km"] == pytest.approx(41.2, abs=0.05)
    flat = run(
        "horizon", "--antenna-height-m", "100", "--target-alt-m", "0", "--k-factor", "1", "--json"
    )
    assert json.loads(flat.stdout)["range_km"] < out["range_km"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["radar-snr", *RADAR, "--range-m", "-5", "--json"], "range_m"),
        (["radar-snr", *RADAR, "--range-m", "1e5", "--loss-db", "nan", "--json"], "loss_db"),
        (["detection", "--pd", "0.9", "--pfa", "1.5", "--json"], "pfa"),
        (["detection", "--pd", "0.9", "--pfa", "1e-6", "--swerling", "7", "--json"], "swerling"),
        (["detection", "--pd", "1e-7", "--pfa", "1e-6", "--json"], "pd"),
        (["detection", "--pfa", "1e-6", "--json"], "--snr-db"),
        (["detection", "--pd", "0.9", "--snr-db", "10", "--pfa", "1e-6", "--json"], "--pd"),
        (
            ["horizon", "--antenna-height-m", "-1", "--target-alt-m", "0", "--json"],
            "antenna_height_m",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(args, fragment):
    proc = run(*args)
    assert_user_error(proc, fragment)
    if fragment.isidentifier() or fragment.startswith("--"):
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, proc.stderr
