"""Built-in scenarios: they load, resolve, match the JSON Schema and say what they claim."""

import json

import pytest
import yaml

from openbmd.geodesy import geodesic_inverse
from openbmd.scenario import (
    builtin_descriptions,
    builtin_names,
    builtin_text,
    load_scenario,
    scenario_json_schema,
)
from openbmd.scenario.builtin import builtin_path


def test_the_builtins_exist():
    assert builtin_names() == ["japan-2018", "japan-2018-uncertain", "layered", "teaching"]
    descriptions = builtin_descriptions()
    assert all(len(d) > 40 and "\n" not in d for d in descriptions.values())


def _plain(data):
    """YAML data as JSON would carry it (timestamps as ISO text, as editors see them)."""
    return json.loads(json.dumps(data, default=lambda d: d.isoformat().replace("+00:00", "Z")))


def test_schema_is_valid_json_schema_and_accepts_the_builtins():
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in builtin_names():
        data = _plain(yaml.safe_load(builtin_text(name)))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], f"{name}: {errors}"


def test_schema_rejects_what_the_model_rejects():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(scenario_json_schema())
    data = _plain(yaml.safe_load(builtin_text("teaching")))
    data["threats"][0]["lanch"] = data["threats"][0].pop("launch")
    data["threats"][0]["count"] = 0
    data["threats"][0]["launch_time_s"] = {"uniform": [0, 10], "x": 1}
    messages = " | ".join(e.message for e in validator.iter_errors(data))
    assert "'lanch' was unexpected" in messages
    assert "less than the minimum of 1" in messages
    assert "is not valid under any of the given schemas" in messages


def test_schema_documents_fields():
    props = scenario_json_schema()["$defs"]["DefenceSite"]["properties"]
    assert "radar" in props["fire_control"]["description"]
    assert props["inventory"]["minimum"] == 0


def test_japan_2018_contents():
    s = load_scenario("japan-2018")
    sites = {d.id: d for d in s.defence.sites}
    assert set(sites) == {"araya", "mutsumi"}
    assert all(d.interceptor == "upper-tier" and d.inventory == 24 for d in sites.values())
    radars = {r.id: r for r in s.sensors.radars}
    assert all(r.class_name == "s-band-array" for r in radars.values())
    assert {d.fire_control for d in sites.values()} == set(radars)
    assert s.sensors.early_warning is not None and s.sensors.early_warning.class_name == "ir-geo"
    # the reported candidate sites: Araya (Akita city) and Mutsumi (Hagi), to ~5 km
    for site_id, (lat, lon) in {"araya": (39.68, 140.07), "mutsumi": (34.46, 131.57)}.items():
        d, _, _ = geodesic_inverse(
            lat, lon, sites[site_id].site.lat_deg, sites[site_id].site.lon_deg
        )
        assert float(d) < 5e3, site_id
        assert sites[site_id].site.source
    assert 6 <= s.missile_count <= 8
    assert all(t.missile == "mrbm" for t in s.threats)
    for launch in s.launches():
        assert 39.0 <= launch.launch_lat_deg <= 40.0 and 125.0 <= launch.launch_lon_deg <= 127.0
        assert 34.5 <= launch.aim_lat_deg <= 36.5 and 136.0 <= launch.aim_lon_deg <= 140.5
    times = sorted(x.launch_time_s for x in s.sample(1).launches())
    assert times[0] >= 0.0 and times[-1] <= 300.0  # a few minutes
    assert s.defence.doctrine.mode == "shoot-look-shoot"
    text = builtin_text("japan-2018")
    assert "Araya" in text and "Mutsumi" in text
    assert text.count("assumption") >= 10
    assert "nominal assumption" in text


def test_teaching_is_minimal():
    s = load_scenario("teaching")
    assert len(s.threats) == 1 and s.missile_count == 1
    assert len(s.sensors.radars) == 1 and len(s.defence.sites) == 1
    text = builtin_text("teaching")
    commented = sum(1 for line in text.splitlines() if "#" in line)
    assert commented >= 0.6 * sum(1 for line in text.splitlines() if line.strip())


def test_layered_has_tiers_against_a_raid_of_20():
    s = load_scenario("layered")
    assert s.missile_count == 20
    classes = {d.interceptor for d in s.defence.sites}
    assert {"upper-tier", "lower-tier"} <= classes
    assert s.defence.doctrine.layered
    assert s.defence.doctrine.tier_order == ["upper-tier", "terminal-high", "lower-tier"]


def test_builtin_path_and_unknown_name():
    assert builtin_path("teaching").name == "teaching.yaml"
    from openbmd.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="did you mean 'layered'"):
        builtin_path("layerd")
