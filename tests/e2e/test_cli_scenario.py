"""``openbmd schema`` and ``openbmd scenarios ...`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )


def assert_user_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, f"expected exit code 2, got {proc.returncode}: {proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("error: "), proc.stderr
    for frag in fragments:
        assert frag in proc.stderr, f"{frag!r} not in {proc.stderr!r}"


def test_schema_prints_json_schema():
    proc = run("schema")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"name", "threats", "sensors", "defence"} <= set(schema["properties"])
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)


def test_scenarios_list_json():
    proc = run("scenarios", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["name"] for r in rows] == [
        "japan-2018",
        "japan-2018-uncertain",
        "layered",
        "teaching",
    ]
    assert all(r["description"] for r in rows)


def test_scenarios_list_table():
    proc = run("scenarios", "list")
    assert proc.returncode == 0, proc.stderr
    assert "japan-2018" in proc.stdout and "teaching" in proc.stdout


def test_scenarios_show_prints_the_commented_yaml():
    proc = run("scenarios", "show", "japan-2018")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# japan-2018")
    assert "Araya" in proc.stdout and "Mutsumi" in proc.stdout
    assert "name: japan-2018" in proc.stdout


def test_scenarios_show_bad_name():
    assert_user_error(
        run("scenarios", "show", "japan-2019"),
        "no built-in scenario 'japan-2019'",
        "did you mean 'japan-2018'",
    )


def test_scenarios_check_builtin_and_file(tmp_path):
    proc = run("scenarios", "check", "teaching", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["missiles"] == 1
    text = run("scenarios", "show", "teaching").stdout.replace("    launch: {", "    lanch: {")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, "utf-8")
    proc = run("scenarios", "check", str(bad))
    assert_user_error(proc, f"{bad}:", "threats[0]: unknown key 'lanch' (did you mean 'launch'?)")
    assert_user_error(run("scenarios", "check", str(tmp_path / "missing.yaml")), "not found")
