"""Tests of planner.share: a scenario in one URL query parameter and back."""

from __future__ import annotations

import base64
import zlib
from datetime import date
from pathlib import Path

import pytest

from planner.catalog import load_catalog
from planner.form import default_form, scenario_from_form
from planner.paths import EXAMPLES_DIR
from planner.scenario import Scenario, ScenarioError, load_scenario
from planner.share import (
    MAX_PARAM_CHARS,
    MAX_TOML_BYTES,
    PARAM,
    decode_scenario,
    encode_scenario,
    from_query_params,
    to_query_params,
)

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.toml"))
URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _pack(text: str) -> str:
    return base64.urlsafe_b64encode(zlib.compress(text.encode())).decode().rstrip("=")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_round_trips(path: Path) -> None:
    scenario = load_scenario(path)
    encoded = encode_scenario(scenario)
    assert set(encoded) <= URL_SAFE, "the parameter needs no URL escaping"
    assert decode_scenario(encoded) == scenario


def test_form_scenario_round_trips_and_is_short() -> None:
    scenario = scenario_from_form(default_form(date(2026, 6, 1)), load_catalog())
    encoded = encode_scenario(scenario)
    assert decode_scenario(encoded) == scenario
    assert len(encoded) < 600


def test_query_params_carry_one_parameter() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "team_upgrade.toml")
    params = to_query_params(scenario)
    assert list(params) == [PARAM]
    assert from_query_params(params) == scenario
    assert from_query_params({PARAM: ["junk", params[PARAM]]}) == scenario  # the last value wins
    assert from_query_params({}) is None
    assert from_query_params({PARAM: []}) is None
    assert from_query_params({"other": "x"}) is None


def test_inline_tier_survives_the_link() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "sales_rep.toml")
    back = decode_scenario(encode_scenario(scenario))
    assert not isinstance(back.tier, str)
    assert back.tier == scenario.tier


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("!!not base64!!", "not a scenario link"),
        ("abc", "not a scenario link"),
        (base64.urlsafe_b64encode(b"plain bytes, not zlib").decode(), "cannot be decompressed"),
        (_pack("start = 2026-06-01\ntier = ")[:-6], "was the link cut short"),
        ("x" * (MAX_PARAM_CHARS + 1), "too long"),
    ],
)
def test_a_bad_link_is_refused_with_a_named_message(value: str, words: str) -> None:
    with pytest.raises(ScenarioError) as err:
        decode_scenario(value)
    message = " ".join(err.value.problems)
    assert f"link parameter {PARAM} = " in message
    assert words in message


def test_a_link_whose_scenario_is_refused_names_field_and_value() -> None:
    value = _pack('start = 2026-06-01\ntier = "Gold Plan"\n[goals]\nsales = 1.0\n')
    with pytest.raises(ScenarioError) as err:
        decode_scenario(value)
    assert any('tier = "Gold Plan"' in p and p.startswith(f"link parameter {PARAM}") for p in err.value.problems)

    value = _pack('start = 2026-06-01\ntier = "Premium Business"\ncycles = 40\n[goals]\nsales = 1.0\n')
    with pytest.raises(ScenarioError) as err:
        decode_scenario(value)
    assert any("cycles = 40" in p for p in err.value.problems)

    value = _pack("this is = not [toml")
    with pytest.raises(ScenarioError) as err:
        decode_scenario(value)
    assert any("not valid TOML" in p for p in err.value.problems)


def test_a_link_that_inflates_too_far_is_refused() -> None:
    bomb = base64.urlsafe_b64encode(zlib.compress(b"#" * (MAX_TOML_BYTES * 4), 9)).decode()
    assert len(bomb) < MAX_PARAM_CHARS
    with pytest.raises(ScenarioError, match="larger than"):
        decode_scenario(bomb)


def test_a_non_utf8_payload_is_refused() -> None:
    value = base64.urlsafe_b64encode(zlib.compress(b"\xff\xfe\x00bad")).decode()
    with pytest.raises(ScenarioError, match="not UTF-8"):
        decode_scenario(value)


def test_padding_is_optional() -> None:
    scenario: Scenario = load_scenario(EXAMPLES_DIR / "recruiter.toml")
    encoded = encode_scenario(scenario)
    padded = encoded + "=" * (-len(encoded) % 4)
    assert decode_scenario(padded) == scenario
