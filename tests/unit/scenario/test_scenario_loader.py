"""Loading scenario files: exact error lines (file, line, path, allowed, value), round trip."""

import textwrap

import pytest

from openbmd.scenario import (
    Scenario,
    ScenarioError,
    builtin_names,
    load_scenario,
    parse_scenario,
    scenario_to_yaml,
)

# Line numbers below refer to this text (line 1 is "name: loader-test").
BASE = textwrap.dedent(
    """\
    name: loader-test
    threats:
      - id: T1
        missile: mrbm
        launch: {lat_deg: 39.5, lon_deg: 126.0}
        aim: {lat_deg: 35.7, lon_deg: 139.7}
        launch_time_s: 30.0
        count: 2
    sensors:
      radars:
        - id: r1
          class: s-band-array
          site: {lat_deg: 39.70, lon_deg: 140.07, alt_m: 70}
    defence:
      sites:
        - id: s1
          interceptor: upper-tier
          site: {lat_deg: 39.70, lon_deg: 140.07}
          inventory: 24
          fire_control: r1
          overrides: {sspk: 0.7}
    """
)


def write(tmp_path, text, name="scenario.yaml"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def error_lines(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value).splitlines(), str(path)


def test_base_scenario_loads(tmp_path):
    s = load_scenario(write(tmp_path, BASE))
    assert isinstance(s, Scenario)
    assert s.threats[0].count == 2
    assert s.defence.sites[0].fire_control == "r1"


def test_unknown_key_points_at_its_line_with_did_you_mean(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("    launch: {lat", "    lanch: {lat"))
    assert lines[0] == f"{path}:5: threats[0]: unknown key 'lanch' (did you mean 'launch'?)"


def test_unknown_key_without_close_match_lists_the_keys(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("    count: 2", "    zzz: 2"))
    assert lines[0].startswith(f"{path}:8: threats[0]: unknown key 'zzz' (allowed: id, missile,")


def test_value_out_of_range_names_path_range_and_value(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("lat_deg: 39.5", "lat_deg: 95.5"))
    assert lines == [f"{path}:5: threats[0].launch.lat_deg: must be in [-90, 90] — got 95.5"]


def test_count_out_of_range(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("count: 2", "count: 0"))
    assert lines == [f"{path}:8: threats[0].count: must be in [1, 1000] — got 0"]


def test_bad_catalog_class_lists_the_names(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("missile: mrbm", "missile: mrmb"))
    assert lines == [
        f"{path}:4: threats[0].missile: must be a missile class: srbm, mrbm, irbm, icbm "
        "(did you mean 'mrbm'?) — got 'mrmb'"
    ]


def test_bad_reference_to_a_radar(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("fire_control: r1", "fire_control: r9"))
    assert lines == [
        f"{path}:20: defence.sites[0].fire_control: must be the id of a radar in "
        "sensors.radars (r1) — got 'r9'"
    ]


def test_unknown_override_parameter_did_you_mean(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("{sspk: 0.7}", "{spk: 0.7}"))
    assert lines == [
        f"{path}:21: defence.sites[0].overrides.spk: unknown parameter 'spk' of interceptor "
        "class 'upper-tier' (did you mean 'sspk'?)"
    ]


def test_override_value_out_of_range_found_by_resolving(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("{sspk: 0.7}", "{sspk: 1.7}"))
    assert lines == [f"{path}:21: defence.sites[0].overrides.sspk: must be in [0, 1] — got 1.7"]
    # without the resolve step the model itself is valid
    assert parse_scenario(BASE.replace("{sspk: 0.7}", "{sspk: 1.7}"), check=False)


def test_several_errors_one_line_each(tmp_path):
    text = BASE.replace("count: 2", "count: 0").replace("lat_deg: 39.5", "lat_deg: 95.5")
    lines, path = error_lines(tmp_path, text)
    assert len(lines) == 2
    assert all(line.startswith(f"{path}:") for line in lines)


def test_duplicate_ids(tmp_path):
    text = BASE.replace(
        "    count: 2\n",
        "    count: 2\n  - id: T1\n    missile: srbm\n    launch: {lat_deg: 39.5, lon_deg: 126.0}\n"
        "    aim: {lat_deg: 39.0, lon_deg: 128.0}\n",
    )
    lines, path = error_lines(tmp_path, text)
    assert lines == [
        f"{path}:9: threats[1].id: must be unique among threat ids — got 'T1' again "
        "(first at threats[0])"
    ]


def test_malformed_yaml_gives_file_line_column_and_parser_message(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("count: 2", "count: [2"))
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:9:")
    assert "malformed YAML" in lines[0]
    assert "expected ',' or ']'" in lines[0]


def test_tab_indentation_is_malformed(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("    count: 2", "\tcount: 2"))
    assert lines[0].startswith(f"{path}:8:") and "malformed YAML" in lines[0]


def test_duplicate_key(tmp_path):
    lines, path = error_lines(tmp_path, BASE.replace("    count: 2", "    count: 2\n    count: 3"))
    assert lines == [f"{path}:9: duplicate key 'count' (first at line 8)"]


def test_empty_and_non_mapping_files(tmp_path):
    lines, path = error_lines(tmp_path, "")
    assert lines == [
        f"{path}:1: scenario: must be a mapping of keys (name, threats, ...) — got an empty file"
    ]
    lines, path = error_lines(tmp_path, "- 1\n- 2\n")
    assert lines[0].endswith("— got [1, 2]")


def test_missing_key(tmp_path):
    lines, path = error_lines(
        tmp_path, BASE.replace("    aim: {lat_deg: 35.7, lon_deg: 139.7}\n", "")
    )
    assert lines == [f"{path}:3: threats[0].aim: is required — missing"]


def test_missing_file_and_unknown_name():
    with pytest.raises(ScenarioError, match=r"nope\.yaml: scenario file not found"):
        load_scenario("/nonexistent/nope.yaml")
    with pytest.raises(ScenarioError, match="did you mean 'japan-2018'"):
        load_scenario("japan-2019")


def test_unsafe_yaml_tags_are_refused(tmp_path):
    lines, _ = error_lines(tmp_path, "!!python/object/apply:os.system ['true']\n")
    assert "malformed YAML" in lines[0]


def test_parse_without_file_name_uses_placeholder():
    with pytest.raises(ScenarioError) as info:
        parse_scenario(BASE.replace("count: 2", "count: 0"))
    assert str(info.value).startswith("<string>:8: threats[0].count:")


@pytest.mark.parametrize("name", builtin_names())
def test_yaml_round_trip_of_builtins(name):
    s = load_scenario(name)
    text = scenario_to_yaml(s)
    again = parse_scenario(text, f"{name}-roundtrip.yaml")
    assert again == s
    assert scenario_to_yaml(again) == text


def test_round_trip_keeps_distributions_areas_and_epoch_zone():
    text = (
        BASE.replace("name: loader-test", "name: rt\nepoch: 2018-03-01T09:00:00+09:00")
        .replace(
            "launch_time_s: 30.0", "launch_time_s: {normal: {mean: 60, sd: 5, low: 0, high: 120}}"
        )
        .replace(
            "aim: {lat_deg: 35.7, lon_deg: 139.7}",
            "aim: {polygon: [[35, 139], [36, 139], [36, 140]]}",
        )
    )
    s = parse_scenario(text)
    again = parse_scenario(scenario_to_yaml(s))
    assert again == s
    assert again.epoch.utcoffset().total_seconds() == 9 * 3600


def test_the_annotated_example_in_the_docs_loads():
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "scenarios.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    example = next(b for b in blocks if b.startswith("name: example"))
    s = parse_scenario(example, "docs/scenarios.md")
    assert s.missile_count == 4
    assert set(s.uncertain_parameters()) == {
        "threats[0].overrides.payload_mass_kg",
        "defence.sites[0].overrides.sspk",
    }
