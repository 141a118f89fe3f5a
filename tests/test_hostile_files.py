"""Hostile scenario files and links: every one is refused with a message naming the field, or planned.

Two layers. The named cases are the inputs a review found ending in a
traceback, a silent conversion or a nonsense plan (``daily_cap = true``, NaN
shares, 10**30 credits, 600 nested brackets, ...): each must make
``inmail-planner plan`` exit 2 with the field and the value on stderr. The
mutation test then takes the example scenarios of ``data/examples/`` and
damages them a few hundred times with a seeded mutator (same seed, same
files, every run): each mutant must be refused (exit 2, a message) or
planned (exit 0, 3 or 4), never raise.
"""

from __future__ import annotations

import base64
import random
import tomllib
import zlib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from planner.cli import run
from planner.paths import EXAMPLES_DIR
from planner.scenario import Scenario, ScenarioError, scenario_from_toml, scenario_to_toml
from planner.share import decode_scenario

BASE = 'version = 1\nstart = 2026-06-01\ntier = "Premium Business"\n'
GOALS = "[goals]\nsales = 1.0\n"
BUCKET = '[[buckets]]\nname = "A"\ngoal = "sales"\npriority = "high"\nresponse_rate = 0.2\npool = 5\n'
DEEP = "[" * 600 + "]" * 600


def plan_file(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``inmail-planner plan`` on a file holding ``text``; its exit code and stderr."""
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    code = run(["plan", str(path), "--time-limit", "2"])
    return code, capsys.readouterr().err


def pack(text: str) -> str:
    """TOML text as a share link's parameter, the way planner.share encodes a scenario."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


# --- the named cases ---------------------------------------------------------------------

REFUSED = [
    # wrong types: refused, never converted
    (BASE + "daily_cap = true\n" + GOALS, "daily_cap = true: must be a whole number, not true/false"),
    ('version = 1\nstart = "2026-06-01"\ntier = "Premium Business"\n' + GOALS, 'start = "2026-06-01": must be a date'),
    (BASE + 'cycles = "2"\n' + GOALS, 'cycles = "2": must be a whole number, not text'),
    (BASE + BUCKET + 'free = "yes"\n', 'buckets[0].free = "yes": must be true or false, not text'),
    (BASE + BUCKET + 'min = "1"\n', 'buckets[0].min = "1": must be a whole number, not text'),
    (BASE + BUCKET + "min = 1.0\n", "buckets[0].min = 1.0: must be a whole number"),
    (BASE + BUCKET.replace("0.2", '"0.2"'), 'buckets[0].response_rate = "0.2": must be a number, not text'),
    (BASE.replace("version = 1", "version = true") + GOALS, "version = true: must be a whole number"),
    (BASE + "reserve = 2026-06-01\n" + GOALS, "reserve = 2026-06-01: must be a whole number, not a date"),
    # numbers out of any range a user could mean, NaN and infinities
    (BASE + "bonus_credits = 1e30\n" + GOALS, "bonus_credits = 1e+30: must be a whole number"),
    (BASE + f"bonus_credits = {10**30}\n" + GOALS, f"bonus_credits = {10**30}: must be between 0 and 100000"),
    (BASE + f"bonus_credits = {10**18}\n" + GOALS, "must be between 0 and 100000"),
    (BASE + f"bonus_credits = {2**63 - 1}\n" + GOALS, f"bonus_credits = {2**63 - 1}: must be between 0 and 100000"),
    (BASE + f"bonus_credits = [{10**30}]\n" + GOALS, f"bonus_credits[0] = {10**30}: must be between 0 and 100000"),
    (
        f'start = 2026-06-01\ntier = {{ name = "X", monthly_credits = {10**30}, policy = "cycle" }}\n' + GOALS,
        f"tier.monthly_credits = {10**30}: must be between 0 and 100000",
    ),
    (BASE + BUCKET + f"min = {10**30}\n", f"buckets[0].min = {10**30}: must be between 0 and 100000"),
    (BASE + f"refund_lag_days = {10**30}\n" + GOALS, f"refund_lag_days = {10**30}: must be between 1 and 366"),
    (BASE + "[goals]\nsales = nan\n", "goals.sales = nan: must be between 0 and 1"),
    (BASE + "weekday_factor = { Mon = nan }\n" + GOALS, "weekday_factor.Mon = nan: must be between 0 and 100"),
    (BASE + "weekday_factor = { Tue = inf }\n" + GOALS, "weekday_factor.Tue = inf: must be between 0 and 100"),
    (BASE + BUCKET.replace('priority = "high"\n', "weight = inf\n"), "buckets[0].weight = inf: must be above 0"),
    (BASE + "refund_reliance = -inf\n" + GOALS, "refund_reliance = -inf: must be between 0 and 1"),
    (BASE + "time_discount = nan\n" + GOALS, "time_discount = nan: must be between 0 and 1"),
    (BASE + BUCKET.replace("pool = 5", "pool = 1e400"), "buckets[0].pool = inf: must be a whole number"),
    (BASE + "x = " + "9" * 5000 + "\n" + GOALS, "x: a number of thousands of digits"),
    (BASE.replace("2026-06-01", "9999-12-01") + "cycles = 12\n" + GOALS, "start = 9999-12-01: must be between 2000-01-01"),
    # shapes: deep nesting, a table for a list, duplicate keys, huge files
    (BASE + "x = " + DEEP + "\n" + GOALS, "x (line 4): values nested more than 8 lists or tables deep"),
    (BASE + "[goals]\nsales = " + DEEP + "\n", "goals.sales (line 5): values nested more than 8"),
    (BASE + "buckets = " + "{ a = " * 600 + "1" + " }" * 600 + "\n", "buckets (line 4): values nested more than 8"),
    (BASE + "a" + ".a" * 600 + " = 1\n" + GOALS, "a.a.a.a.a.a.a.a.a: values nested more than 8"),
    (BASE + 'x = ["""a"""", ' + DEEP + "]\n" + GOALS, "x (line 4): values nested more than 8"),
    (BASE + 'x = [ # [[[[[[[[[[[[[\n  \'[[[[[[[[[[[[\', "\\"[[[[[[[[[[[", ' + DEEP + "]\n" + GOALS, "x (line 5): values nested"),
    (BASE + '[buckets]\nname = "A"\n', 'buckets = { name = "A" }: must be a list, not a table'),
    (BASE + "daily_caps = 5\n" + GOALS, "daily_caps: unknown field (value 5); did you mean daily_cap?"),
    (BASE + BUCKET + "respones_rate = 0.1\n", "buckets[0].respones_rate: unknown field (value 0.1); did you mean response_rate?"),
    (BASE + "tiers = { a = 1 }\n" + GOALS, "tiers = { a = 1 }: must be a list, not a table"),
    (BASE + GOALS + "sales = 0.5\n", 'Cannot overwrite a value (at line 6, column 12): "sales = 0.5"'),
    (BASE + "title = " + '"' + "x" * 300_000 + '"\n' + GOALS, "a scenario has at most 256,000"),
    (BASE + f"days_off = [{', '.join(['2026-06-02'] * 401)}]\n" + GOALS, "days_off = [2026-06-02, 2026-06-02, 2026-06-02"),
    # text: a length limit, no control characters
    (BASE + BUCKET.replace('"A"', '"' + "A" * 10_000 + '"'), 'buckets[0].name = "AAAA'),
    (BASE + BUCKET.replace('"A"', '"' + "A" * 10_000 + '"'), "10000 characters long; at most 80"),
    (BASE + BUCKET.replace('"A"', '"A\\tB"'), 'buckets[0].name = "A\\tB": holds the control character \\t'),
    (BASE + BUCKET.replace('"A"', '"A\\nB"'), 'buckets[0].name = "A\\nB": holds the control character \\n'),
    (BASE + 'title = "' + "T" * 201 + '"\n' + GOALS, 'title = "TTTT'),
    (
        'start = 2026-06-01\ntier = { name = "' + "N" * 81 + '", monthly_credits = 5, policy = "cycle" }\n' + GOALS,
        'tier.name = "NNNN',
    ),
    (BASE + BUCKET.replace('"A"', '"   "'), 'buckets[0].name = "   ": must not be empty'),
    # odd Unicode: a NUL escaped or raw, a lone surrogate escaped, a line separator
    (BASE + 'title = "a\\u0000b"\n' + GOALS, 'title = "a\\u0000b": holds the control character \\x00'),
    (BASE + 'title = "a\x00b"\n' + GOALS, "scenario file is not valid TOML"),
    (BASE + 'title = "a\\ud800b"\n' + GOALS, "scenario file is not valid TOML"),
    (BASE + BUCKET.replace('"A"', '"A\u2028B"'), 'buckets[0].name = "A\\u2028B": holds the control character \\u2028'),
]


@pytest.mark.parametrize(("text", "expected"), REFUSED, ids=[f"{i}:{e[:40]}" for i, (_, e) in enumerate(REFUSED)])
def test_a_hostile_file_is_refused_naming_the_field_and_the_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    code, err = plan_file(tmp_path, text, capsys)
    assert code == 2, err
    assert expected in err, err


@pytest.mark.parametrize(("text", "expected"), REFUSED[:30], ids=[f"{i}:{e[:40]}" for i, (_, e) in enumerate(REFUSED[:30])])
def test_a_hostile_link_is_refused_naming_the_field_and_the_value(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as err:
        decode_scenario(pack(text))
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_an_unknown_tier_is_named_together_with_a_missing_goal_mix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = plan_file(tmp_path, 'start = 2026-06-01\ntier = "Premium Platinum"\ncycles = "3"\n', capsys)
    assert code == 2
    assert 'tier = "Premium Platinum": unknown tier; did you mean "Premium Business"?' in err
    assert 'cycles = "3": must be a whole number, not text' in err
    code, err = plan_file(tmp_path, 'start = 2026-06-01\ntier = "Premium Platinum"\n', capsys)
    assert code == 2
    assert 'tier = "Premium Platinum": unknown tier' in err
    assert "goals: give a goal mix" in err


def test_every_cross_field_problem_is_reported_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        'start = 2026-06-01\ncycles = 2\ntiers = ["Premium Business"]\nbonus_credits = [1, 2, 3]\n'
        + "[goals]\nsales = 0.5\n"
        + BUCKET
        + BUCKET.replace("pool = 5", 'follows = "Nobody"')
    )
    code, err = plan_file(tmp_path, text, capsys)
    assert code == 2
    for expected in (
        "tiers lists 1 tiers but cycles = 2",
        "bonus_credits lists 3 numbers but cycles = 2",
        "goals: shares sum to 0.5, not 1",
        'buckets[1].name = "A": bucket names must be unique',
        'buckets[1].follows = "Nobody": no bucket has that name',
    ):
        assert expected in err, (expected, err)


@pytest.mark.parametrize("name", ["שלום עולם", "مرحبا", "Prospects 🚀👩🏽‍💼", "Zoë  (EMEA)", "a" * 80])
def test_right_to_left_and_emoji_names_are_kept_exactly(name: str) -> None:
    text = BASE + f"title = {tomli_w.dumps({'t': name})[4:]}" + BUCKET.replace('"A"', tomli_w.dumps({"n": name})[4:].strip())
    scenario = scenario_from_toml(text)
    assert scenario.title == name
    assert scenario.buckets is not None and scenario.buckets[0].name == name
    assert scenario_from_toml(scenario_to_toml(scenario)) == scenario


def test_a_link_nested_600_deep_is_refused_without_a_traceback() -> None:
    with pytest.raises(ScenarioError, match=r"x \(line 4\): values nested more than 8"):
        decode_scenario(pack(BASE + "x = " + DEEP + "\n" + GOALS))


# --- the seeded mutator ------------------------------------------------------------------

HOSTILE_VALUES: list[Any] = [
    float("nan"),
    float("inf"),
    float("-inf"),
    1e30,
    10**30,
    2**63 - 1,
    -1,
    0,
    1,
    13,
    0.5,
    1.5,
    True,
    False,
    "",
    "2",
    "yes",
    "2026-06-01",
    "Premium Platinum",
    "A" * 10_000,
    "tab\there",
    "שלום 👋",
    [],
    [1, 2],
    {},
    {"a": 1},
    [[[[[[[[[[1]]]]]]]]]],
]
HOSTILE_TEXT = ["= = =", DEEP, "{ a = " * 50 + "1" + " }" * 50, "nan", "9" * 5000, '"\\ud800"', "2026-02-30", "[[buckets]]"]


def one_cycle(data: dict[str, Any]) -> dict[str, Any]:
    """The same scenario over one cycle (its first tier and bonus): a mutant that plans, plans fast."""
    data = dict(data, cycles=1)
    if isinstance(data.get("tiers"), list):
        data["tier"] = data.pop("tiers")[0]
    if isinstance(data.get("bonus_credits"), list):
        data["bonus_credits"] = data["bonus_credits"][0]
    return data


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in parsed TOML data that holds a value (keys of tables, items of lists)."""
    found = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*path, i))
    return found


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _delete(data: Any, path: tuple[Any, ...]) -> None:
    for part in path[:-1]:
        data = data[part]
    del data[path[-1]]


def mutate(rng: random.Random, text: str) -> str:
    """One damaged copy of a scenario's TOML text; which damage, and where, comes from ``rng``."""
    data = tomllib.loads(text)
    if rng.random() < 0.8:
        data = one_cycle(data)
    paths = _paths(data)
    how = rng.randrange(10)
    numbers = [p for p in paths if type(_get(data, p)) in (int, float)]
    if how >= 8 and numbers:  # a number changed to another of its type that a user could mean
        path = rng.choice(numbers)
        whole = type(_get(data, path)) is int
        _set(data, path, rng.choice([0, 1, 2, 5, 30, 400]) if whole else rng.choice([0.0, 0.05, 0.3, 0.999, 1.0]))
        how = 8
    elif how <= 2:  # a value of the wrong type, out of range, or odd
        _set(data, rng.choice(paths), rng.choice(HOSTILE_VALUES))
    elif how == 3:  # a field left out
        _delete(data, rng.choice(paths))
    elif how == 4:  # an unknown field, at the top or in a table
        tables = [p for p in paths if isinstance(_get(data, p), dict)]
        where = _get(data, rng.choice(tables)) if tables and rng.random() < 0.5 else data
        where[rng.choice(["colour", "daily_caps", "pool", "name", "tier"])] = rng.choice(HOSTILE_VALUES)
    elif how == 5 and data.get("buckets"):  # buckets copied, renamed, following each other
        buckets = data["buckets"]
        b = dict(rng.choice(buckets))
        b["follows"] = rng.choice([x.get("name", "?") for x in buckets] + ["Nobody", b.get("name", "?")])
        buckets.append(b)
    text = tomli_w.dumps(data) if how != 7 else text
    if how in (6, 7):  # damage to the text itself: a line lost, doubled, cut, or given a hostile value
        lines = text.splitlines()
        i = rng.randrange(len(lines))
        damage = rng.randrange(4)
        if damage == 0:
            del lines[i]
        elif damage == 1:
            lines.insert(i, lines[i])
        elif damage == 2:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        else:
            key = lines[i].split("=")[0].strip() or "x"
            lines[i] = f"{key} = {rng.choice(HOSTILE_TEXT)}"
        text = "\n".join(lines) + "\n"
    return text


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


EXAMPLES = sorted(EXAMPLES_DIR.glob("*.toml"))
MUTANTS = 300


def _mutants() -> list[tuple[str, str]]:
    rng = random.Random(20261203)  # a fixed seed: the same mutants every run
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in EXAMPLES]
    out = []
    for n in range(MUTANTS):
        stem, text = texts[n % len(texts)]
        out.append((f"{n}-{stem}", mutate(rng, text)))
    return out


MUTATED = _mutants()


@pytest.mark.parametrize(("label", "text"), MUTATED, ids=[label for label, _ in MUTATED])
def test_a_mutated_example_is_refused_with_a_message_or_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], label: str, text: str
) -> None:
    code, err = plan_file(tmp_path, text, capsys)
    assert code in (0, 2, 3, 4), (code, err, text[:2000])
    if code == 2:
        assert "inmail-planner: invalid scenario" in err and "  - " in err, err


@pytest.mark.parametrize(("label", "text"), MUTATED[::3], ids=[label for label, _ in MUTATED[::3]])
def test_a_mutated_example_in_a_link_is_refused_or_read(label: str, text: str) -> None:
    try:
        scenario = decode_scenario(pack(text))
    except ScenarioError as err:
        assert err.problems and all(p.startswith("link parameter s = ") for p in err.problems)
    else:
        assert isinstance(scenario, Scenario)


def test_the_mutator_reaches_refusals_and_plans(tmp_path: Path) -> None:
    """A mutator that only ever broke the files (or never did) would test one side only."""
    read = 0
    for _, text in MUTATED:
        try:
            scenario_from_toml(text)
            read += 1
        except ScenarioError:
            pass
    assert 0.1 * MUTANTS < read < 0.9 * MUTANTS, read


def test_every_mutant_that_is_read_round_trips_losslessly() -> None:
    kept = 0
    for _, text in MUTATED:
        try:
            scenario = scenario_from_toml(text)
        except ScenarioError:
            continue
        kept += 1
        again = scenario_to_toml(scenario)
        assert scenario_from_toml(again) == scenario, again
        assert scenario_to_toml(scenario_from_toml(again)) == again
    assert kept > 0


def test_thousands_of_bad_items_give_a_short_list_of_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    factors = ", ".join(f"k{i} = 1" for i in range(20_000))
    code, err = plan_file(tmp_path, BASE + f"weekday_factor = {{ {factors} }}\n" + GOALS, capsys)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 + 25 + 1, lines[:3]
    assert lines[1].startswith('  - weekday_factor.k0 = "k0": must be one of "Mon"')
    assert lines[-1] == "  - ... and 19975 more problems"


def test_problems_across_fields_are_reported_beside_a_refused_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = 'start = 2026-06-01\ncycles = "2"\ntiers = ["Premium Business", "Nope"]\n[goals]\nsales = 0.5\n'
    code, err = plan_file(tmp_path, text, capsys)
    assert code == 2
    assert 'cycles = "2": must be a whole number, not text' in err
    assert 'tiers[1] = "Nope": unknown tier' in err
    assert "goals: shares sum to 0.5, not 1" in err
    assert "tiers lists" not in err  # it would speak of the refused cycles as if they were 1
    code, err = plan_file(tmp_path, BASE + "[goals]\nsales = 0.5\n" + BUCKET + 'min = "1"\n', capsys)
    assert code == 2
    assert 'buckets[0].min = "1": must be a whole number, not text' in err
    assert "goals: shares sum to 0.5, not 1" in err
