"""The catalog of generic classes: every class loads and every parameter has a source."""

import math
from importlib import resources
from pathlib import Path

import pytest
import yaml

from openbmd.errors import ParameterError
from openbmd.threats import Missile, get_missile, missile_names

CLASSES = ("srbm", "mrbm", "irbm", "icbm")
STAGE_KEYS = ("propellant_mass_kg", "dry_mass_kg", "isp_sea_level_s", "isp_vacuum_s", "burn_time_s")
MISSILE_KEYS = (
    "payload_mass_kg",
    "rv_ballistic_coefficient_kg_m2",
    "body_diameter_m",
    "body_drag_coefficient",
    "vertical_rise_s",
    "pitch_over_s",
    "nominal_range_km",
)


def _raw():
    text = resources.files("openbmd").joinpath("data/missiles.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_catalog_names():
    assert missile_names() == list(CLASSES)


@pytest.mark.parametrize("name", CLASSES)
def test_every_class_loads_with_a_source_for_every_parameter(name):
    m = get_missile(name)
    assert isinstance(m, Missile)
    assert m.name == name
    assert m.description.strip(), f"{name} has no description"
    expected = set(MISSILE_KEYS) | {
        f"stages[{k}].{key}" for k in range(len(m.stages)) for key in STAGE_KEYS
    }
    assert set(m.sources) == expected, f"{name}: sources must cover exactly the parameters"
    empty = [key for key, src in m.sources.items() if not str(src).strip()]
    assert not empty, f"{name}: parameters without a source: {empty}"


@pytest.mark.parametrize("name", CLASSES)
def test_loaded_values_equal_the_yaml_values(name):
    raw = _raw()[name]
    m = get_missile(name)
    for key in MISSILE_KEYS:
        assert getattr(m, key) == float(raw[key]["value"]), f"{name}.{key}"
        assert m.sources[key] == raw[key]["source"]
    assert len(m.stages) == len(raw["stages"])
    for k, (stage, raw_stage) in enumerate(zip(m.stages, raw["stages"], strict=True)):
        for key in STAGE_KEYS:
            assert getattr(stage, key) == float(raw_stage[key]["value"]), f"{name}.stages[{k}]"


@pytest.mark.parametrize("name", CLASSES)
def test_yaml_has_no_unread_parameters(name):
    """A value added to missiles.yaml but not read by the loader would silently be lost."""
    raw = _raw()[name]
    assert set(raw) == {*MISSILE_KEYS, "stages", "description"}
    for raw_stage in raw["stages"]:
        assert set(raw_stage) == set(STAGE_KEYS)


def test_classes_are_ordered_by_range_and_size():
    ms = [get_missile(n) for n in CLASSES]
    ranges = [m.nominal_range_km for m in ms]
    assert ranges == sorted(ranges) and all(math.isfinite(r) for r in ranges)
    dvs = [m.ideal_delta_v_m_s() for m in ms]
    assert dvs == sorted(dvs), f"ideal delta-v must grow with the class range, got {dvs}"
    assert [len(m.stages) for m in ms] == [1, 1, 2, 3]


def test_get_missile_is_cached():
    assert get_missile("mrbm") is get_missile("mrbm")


@pytest.mark.parametrize("bad", ["scud", "ICBM", ""])
def test_unknown_name_lists_the_names(bad):
    with pytest.raises(ParameterError, match="'missile'") as err:
        get_missile(bad)
    message = str(err.value)
    assert "one of srbm, mrbm, irbm, icbm" in message, message
    assert repr(bad) in message


DOCS = Path(__file__).resolve().parents[3] / "docs" / "threats.md"


@pytest.mark.parametrize("name", CLASSES)
def test_docs_catalog_table_matches_the_yaml(name):
    """docs/threats.md prints every value and source; it must not drift from the data."""
    text = DOCS.read_text("utf-8")
    m = get_missile(name)
    start = text.index(f"### `{name}`")
    end = text.find("\n### ", start + 1)
    section = text[start:end]
    for key, source in m.sources.items():
        if key.startswith("stages["):
            stage, attr = key.split(".")
            value = getattr(m.stages[int(stage[7:-1])], attr)
        else:
            value = getattr(m, key)
        row = f"| `{key}` | {value:g} | {source} |"
        assert row in section, f"docs/threats.md, {name}: missing or stale row {row}"
