"""The Plan page's form as plain data: widget values to a Scenario and back.

No Streamlit here: a :class:`FormValues` holds what the page's widgets hold
(a tier per cycle, goal shares in percent, the rows of the bucket table as
the table editor returns them, pacing and policies), and two functions turn
it into a checked :class:`~planner.scenario.Scenario` and back.
:func:`scenario_from_form` refuses bad input with a
:class:`~planner.scenario.ScenarioError` whose messages name the field and
the value as the user typed them (a share in percent, a bucket by its row
and name), so the page shows them and keeps the inputs.

>>> from planner.catalog import load_catalog
>>> form = default_form(date(2026, 6, 1))
>>> form.tier, form.goals, [row["name"] for row in form.buckets]
('Sales Navigator Core', ['sales'], ['Initial prospecting', 'Follow-up', 'Account expansion'])
>>> scenario = scenario_from_form(form, load_catalog())
>>> form_from_scenario(scenario, load_catalog()) == form
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from planner.calendar import WORKDAYS, Weekday
from planner.catalog import Catalog, Tier, load_catalog
from planner.pacing import default_pace
from planner.problem import resolve
from planner.scenario import (
    V2_FIELDS,
    Bucket,
    FollowsWho,
    Goal,
    GoalTemplate,
    Priority,
    Scenario,
    ScenarioError,
    load_goal_templates,
    parse_scenario,
)

DEFAULT_TIER = "Sales Navigator Core"
MAX_CYCLES = 12

# the bucket table's columns, in the order the page shows them
BUCKET_COLUMNS = [
    "name",
    "goal",
    "priority",
    "weight",
    "response_rate_pct",
    "pool",
    "min",
    "follows",
    "follows_who",
    "gap_days",
    "free",
]

GOALS = [str(g) for g in Goal]
PRIORITIES = [str(p) for p in Priority]
FOLLOWS_WHO = [str(w) for w in FollowsWho]
WEEKDAYS = [str(d) for d in Weekday]

Row = dict[str, Any]


@dataclass(frozen=True)
class FormValues:
    """What the Plan page's widgets hold, in the units the user sees (percent, text lists)."""

    start: date
    title: str = ""
    cycles: int = 1
    tier: str = DEFAULT_TIER  # every cycle's tier unless per_cycle
    per_cycle: bool = False
    cycle_tiers: tuple[str, ...] = ()  # one per cycle when per_cycle
    goals: list[str] = field(default_factory=lambda: ["sales"])
    shares_pct: dict[str, float] = field(default_factory=lambda: {"sales": 100.0})
    buckets: list[Row] = field(default_factory=list)
    send_days: list[str] = field(default_factory=lambda: [str(d) for d in WORKDAYS])
    days_off: str = ""  # ISO dates separated by commas or spaces
    daily_cap: int | None = None
    guard_base: float | None = None  # speed_guard.base; the guard is off while base and growth are both empty
    guard_growth: float | None = None  # speed_guard.growth
    replies_per_day: float | None = None
    reserve: int = 0
    reserve_release_days: int = 3
    refund_reliance_pct: float = 0.0
    refund_lag_days: int = 7
    bonus_credits: str = "0"  # one number, or one per cycle separated by commas
    time_discount: float = 0.001
    weekday_factor: dict[str, float] = field(default_factory=dict)  # kept from a loaded scenario
    custom_tiers: dict[str, Tier] = field(default_factory=dict)  # inline tiers of a loaded scenario

    def tier_names(self) -> list[str]:
        """The tier of each cycle, by name."""
        if not self.per_cycle:
            return [self.tier] * self.cycles
        names = list(self.cycle_tiers[: self.cycles])
        return names + [names[-1] if names else self.tier] * (self.cycles - len(names))


# --- rows of the bucket table ---------------------------------------------------------


def bucket_row(bucket: Bucket) -> Row:
    """One row of the bucket table for a bucket (response rate in percent)."""
    return {
        "name": bucket.name,
        "goal": str(bucket.goal),
        "priority": str(bucket.priority) if bucket.priority is not None else (None if bucket.weight is not None else "medium"),
        "weight": bucket.weight,
        "response_rate_pct": round(bucket.response_rate * 100, 6),
        "pool": bucket.pool,
        "min": bucket.min,
        "follows": bucket.follows,
        "follows_who": str(bucket.follows_who),
        "gap_days": bucket.gap_days,
        "free": bucket.free,
    }


def template_rows(goals: Iterable[str], templates: Mapping[Goal, GoalTemplate] | None = None) -> list[Row]:
    """The template buckets of the given goals, as table rows."""
    templates = templates if templates is not None else load_goal_templates()
    return [bucket_row(b) for g in goals for b in templates[Goal(g)].buckets]


def rows_for_goals(rows: Sequence[Row], goals: Sequence[str], templates: Mapping[Goal, GoalTemplate] | None = None) -> list[Row]:
    """The table after the chosen goals change.

    Rows of goals still chosen stay as edited; a newly chosen goal brings its
    template buckets; rows of goals no longer chosen go. A row with no goal
    yet (just added) stays.
    """
    kept = [dict(r) for r in rows if _blank(r.get("goal")) or r.get("goal") in goals]
    present = {r.get("goal") for r in kept}
    names = {r.get("name") for r in kept}
    added = [r for r in template_rows([g for g in goals if g not in present], templates) if r["name"] not in names]
    return kept + added


def even_shares(goals: Sequence[str]) -> dict[str, float]:
    """Whole percents that split 100 % over the goals as evenly as possible.

    >>> even_shares(["sales", "networking", "recruiting"])
    {'sales': 34.0, 'networking': 33.0, 'recruiting': 33.0}
    """
    if not goals:
        return {}
    base, extra = divmod(100, len(goals))
    return {g: float(base + (1 if i < extra else 0)) for i, g in enumerate(goals)}


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))  # pd.NA, NaT
    except (TypeError, ValueError):
        return False


def clean_rows(rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Table rows with blanks (NaN, pd.NA, empty text) as None and the known columns only."""
    out = []
    for r in rows:
        out.append({c: (None if _blank(r.get(c)) else r.get(c)) for c in BUCKET_COLUMNS})
    return out


def bucket_names(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The names in the table, in row order (rows without a name yet left out)."""
    return [str(r["name"]) for r in rows if not _blank(r.get("name"))]


def renames(before: Sequence[Mapping[str, Any]], edited_rows: Mapping[Any, Mapping[str, Any]]) -> dict[str, str]:
    """Old name -> new name of each row whose name an edit changed (``edited_rows`` as the table editor reports them)."""
    out = {}
    for position, changes in edited_rows.items():
        i = int(position)
        if "name" not in changes or not 0 <= i < len(before):
            continue
        old, new = before[i].get("name"), changes["name"]
        if not _blank(old) and not _blank(new) and str(old) != str(new):
            out[str(old)] = str(new).strip()
    return out


def carry_renames(rows: Sequence[Row], renamed: Mapping[str, str]) -> list[Row]:
    """The rows with each follow-up of a renamed bucket following it under its new name.

    >>> carry_renames([{"name": "First touch", "follows": None}, {"name": "Nudge", "follows": "Initial"}],
    ...               {"Initial": "First touch"})
    [{'name': 'First touch', 'follows': None}, {'name': 'Nudge', 'follows': 'First touch'}]
    """
    return [dict(r, follows=renamed.get(str(r.get("follows")), r.get("follows"))) for r in rows]


# --- scenario -> form -------------------------------------------------------------------


def default_form(start: date, catalog: Catalog | None = None) -> FormValues:
    """The form a first visit sees: one cycle of Sales Navigator Core for sales prospecting, at the default pace.

    The pace (daily cap and speed guard) is :func:`planner.pacing.default_pace` of the tier and the send days.
    """
    catalog = catalog if catalog is not None else load_catalog()
    pace = default_pace(catalog[DEFAULT_TIER], WORKDAYS)
    return FormValues(
        start=start,
        title="My plan",
        buckets=template_rows(["sales"]),
        daily_cap=pace.daily_cap,
        guard_base=pace.speed_guard.base,
        guard_growth=pace.speed_guard.growth,
    )


def _fmt_number(value: float) -> str:
    return f"{value:g}"


def form_from_scenario(
    scenario: Scenario,
    catalog: Catalog,
    templates: Mapping[Goal, GoalTemplate] | None = None,
) -> FormValues:
    """The form that shows a scenario (a file upload, a shared link, an example)."""
    custom: dict[str, Tier] = {}
    names: list[str] = []
    for ref in scenario.tier_refs():
        if isinstance(ref, Tier):
            custom[ref.name] = ref
            names.append(ref.name)
        else:
            names.append(catalog[ref].name if ref in catalog else ref)
    per_cycle = len(set(names)) > 1
    if scenario.buckets is not None:
        rows = [bucket_row(b) for b in scenario.buckets]
    else:
        assert scenario.goals is not None
        rows = template_rows([str(g) for g, share in scenario.goals.items() if share > 0], templates)
    shares: dict[str, float] = {}
    if scenario.goals is not None:
        shares = {str(g): round(share * 100, 6) for g, share in scenario.goals.items()}
    for row in rows:
        shares.setdefault(row["goal"], 100.0 if scenario.goals is None else 0.0)
    goals = [g for g in GOALS if g in shares]
    bonus = scenario.bonus_credits
    return FormValues(
        start=scenario.start,
        title=scenario.title or "",
        cycles=scenario.cycles,
        tier=names[0],
        per_cycle=per_cycle,
        cycle_tiers=tuple(names) if per_cycle else (),
        goals=goals,
        shares_pct={g: shares[g] for g in goals},
        buckets=rows,
        send_days=[str(d) for d in scenario.send_days],
        days_off=", ".join(d.isoformat() for d in scenario.days_off),
        daily_cap=scenario.daily_cap,
        guard_base=scenario.speed_guard.base if scenario.speed_guard is not None else None,
        guard_growth=scenario.speed_guard.growth if scenario.speed_guard is not None else None,
        replies_per_day=scenario.replies_per_day,
        reserve=scenario.reserve,
        reserve_release_days=scenario.reserve_release_days,
        refund_reliance_pct=round(scenario.refund_reliance * 100, 6),
        refund_lag_days=scenario.refund_lag_days,
        bonus_credits=", ".join(str(b) for b in bonus) if isinstance(bonus, list) else str(bonus),
        time_discount=scenario.time_discount,
        weekday_factor={str(k): v for k, v in scenario.weekday_factor.items()},
        custom_tiers=custom,
    )


# --- form -> scenario -------------------------------------------------------------------


def parse_days_off(text: str) -> list[date]:
    """Dates typed as ISO text, separated by commas, semicolons, spaces or new lines.

    >>> parse_days_off("2026-12-24, 2026-12-25")
    [datetime.date(2026, 12, 24), datetime.date(2026, 12, 25)]
    """
    days = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
            raise ScenarioError([f"days_off = {part!r}: not a date; write YYYY-MM-DD, separated by commas"])
        try:
            days.append(date.fromisoformat(part))
        except ValueError as err:  # the shape is right, the day is not: say why ("day is out of range for month")
            raise ScenarioError([f"days_off = {part!r}: no such day ({err})"]) from None
    return sorted(set(days))


def parse_bonus(text: str, cycles: int) -> int | list[int]:
    """Bonus credits: one whole number for every cycle, or one per cycle separated by commas.

    >>> parse_bonus("", 2), parse_bonus("5", 2), parse_bonus("5, 0", 2)
    (0, 5, [5, 0])
    """
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    values = []
    for part in parts:
        try:
            values.append(int(part))
        except ValueError:
            raise ScenarioError([f"bonus_credits = {part!r}: not a whole number"]) from None
    if not values:
        return 0
    if len(values) == 1:
        return values[0]
    if len(values) != cycles:
        raise ScenarioError(
            [f"bonus_credits = {text.strip()!r}: {len(values)} numbers for {cycles} cycles; give one, or one per cycle"]
        )
    return values


def _number(value: object) -> object:
    """A table cell's number as the schema wants it: a whole float (the editor's 3.0) as an int, anything else as typed.

    No range or type check here: the schema (:class:`~planner.scenario.Bucket`)
    refuses what is out of range, and its message names the value.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    number = float(value)
    return int(number) if math.isfinite(number) and number.is_integer() else number


def _row_label(i: int, row: Mapping[str, Any]) -> str:
    name = row.get("name")
    return f"buckets row {i + 1} ({name!r})" if not _blank(name) else f"buckets row {i + 1}"


def _bucket_data(rows: Sequence[Row]) -> tuple[list[dict[str, Any]], list[str], list[object]]:
    """Bucket fields from table rows, for the schema to check; the label and the typed response rate of each kept row."""
    data, labels, rates = [], [], []
    for i, row in enumerate(clean_rows(rows)):
        if all(row[c] is None or (c == "free" and not row[c]) for c in BUCKET_COLUMNS):
            continue  # a row added and left empty
        bucket: dict[str, Any] = {"name": "" if row["name"] is None else str(row["name"]).strip()}
        if row["goal"] is not None:
            bucket["goal"] = row["goal"]
        rate = _number(row["response_rate_pct"])
        if isinstance(rate, int | float):
            bucket["response_rate"] = round(rate / 100, 10)  # the table shows percent, the scenario a fraction
        elif rate is not None:
            bucket["response_rate"] = rate  # not a number: the schema says so
        if row["weight"] is not None:
            bucket["weight"] = _number(row["weight"])  # an explicit weight overrides the priority
        else:
            bucket["priority"] = row["priority"] or "medium"
        for column in ("pool", "min", "gap_days"):
            if row[column] is not None:
                bucket[column] = _number(row[column])
        bucket["free"] = bool(row["free"])
        if row["follows"] is not None:
            bucket["follows"] = str(row["follows"]).strip()
            bucket["follows_who"] = row["follows_who"] or str(FollowsWho.NON_RESPONDERS)
        elif row["follows_who"] not in (None, str(FollowsWho.NON_RESPONDERS)):
            bucket["follows_who"] = row["follows_who"]
        data.append(bucket)
        labels.append(_row_label(i, row))
        rates.append(row["response_rate_pct"])
    return data, labels, rates


# the widget each top-level scenario field is typed into, for messages ("Reserve (credits): reserve = -1: ...")
FIELD_LABELS = {
    "cycles": "Cycles (months)",
    "daily_cap": "Daily cap",
    "speed_guard": "Speed guard",
    "speed_guard.base": "Speed guard base (InMails a day)",
    "speed_guard.growth": "Speed guard growth",
    "replies_per_day": "Replies per day",
    "reserve": "Reserve (credits)",
    "reserve_release_days": "Reserve release days",
    "refund_lag_days": "Credit-back lag (days)",
    "time_discount": "Time discount per day",
    "bonus_credits": "Bonus credits",
    "title": "Title",
    "start": "Start",
}


def _typed(problem: str, path: str, shown: str) -> str | None:
    """``problem`` about ``path`` said with the value as the form shows it; None if it is not about ``path``."""
    if problem.startswith(path + " =") or problem.startswith(path + ":"):
        return f"{shown} (in the scenario file: {problem})"
    return None


def _as_typed(problems: list[str], form: FormValues, labels: list[str], rates: list[object]) -> list[str]:
    """The schema's messages in the form's words: bucket rows by number and name, percents as typed, widget labels.

    'buckets[2].pool = -1: ...' -> "buckets row 3 ('Follow-up'): pool = -1: ..."; a response rate,
    a goal share or the credit-back reliance is shown in percent as typed, with the schema's own
    message (in fractions) after it.
    """

    def bucket(match: re.Match[str]) -> str:
        i = int(match.group(1))
        where = labels[i] if i < len(labels) else f"buckets row {i + 1}"
        return where + (": " if match.group(2) else "")

    out = []
    for problem in problems:
        said = _typed(problem, "refund_reliance", f"Credit-back reliance = {_fmt_value(form.refund_reliance_pct)} %")
        for g in form.goals:
            said = said or _typed(problem, f"goals.{g}", f"goal share {g} = {_fmt_value(form.shares_pct.get(g))} %")
        if said is None and (problem.startswith("goals:") or problem.startswith("goals =")):
            mix = ", ".join(f"{g} {_fmt_value(form.shares_pct.get(g))} %" for g in form.goals)
            said = f"goal mix = {mix} (in the scenario file: {problem})"
        rate = re.match(r"buckets\[(\d+)\]\.response_rate\b", problem)
        if said is None and rate:
            i = int(rate.group(1))
            typed = rates[i] if i < len(rates) else None
            inner = problem[rate.end() - len("response_rate") :]
            said = f"buckets[{i}].response rate = {_fmt_value(typed)} % (in the scenario file: {inner})"
        if said is None:
            top = re.match(r"([a-z_]+(?:\.[a-z_]+)?)( =|:)", problem)
            if top and top.group(1) in FIELD_LABELS:
                said = f"{FIELD_LABELS[top.group(1)]}: {problem}"
        out.append(re.sub(r"buckets\[(\d+)\](\.)?", bucket, said or problem))
    return list(dict.fromkeys(out))


def _fmt_value(value: object) -> str:
    return _fmt_number(value) if isinstance(value, int | float) and not isinstance(value, bool) else repr(value)


def scenario_from_form(form: FormValues, catalog: Catalog) -> Scenario:
    """Build the form's scenario and check it (the schema's rules, tiers resolved against ``catalog``).

    The form only turns text into values (days off, bonus credits) and the
    table's percents into the scenario's fractions; every rule on a value is
    the schema's (:mod:`planner.scenario`), so its message is the one the CLI
    gives, said in the form's words (:func:`_as_typed`).

    Raises
    ------
    ScenarioError
        Listing every bad input, each naming the field and the value as typed.
    """
    problems: list[str] = []
    data: dict[str, Any] = {"version": 1, "start": form.start, "cycles": form.cycles}
    if form.title.strip():
        data["title"] = form.title.strip()

    refs: list[str | Tier] = []
    for name in form.tier_names():
        if name in form.custom_tiers:
            refs.append(form.custom_tiers[name])
        else:
            refs.append(catalog[name].name if name in catalog else name)  # an unknown name: resolve() names it
    if len(set(r.name if isinstance(r, Tier) else r for r in refs)) <= 1 and refs:
        data["tier"] = refs[0]
    else:
        data["tiers"] = refs

    goals = list(form.goals)
    if not goals:
        problems.append("goals: none chosen; choose at least one goal and give it a share")
    else:
        data["goals"] = {g: _percent(form.shares_pct.get(g, 0.0)) for g in goals}

    buckets, labels, rates = _bucket_data(form.buckets)
    if not buckets:
        problems.append("buckets: the table is empty; choose goals or add a bucket")
    data["buckets"] = buckets

    data["send_days"] = list(form.send_days)
    try:
        data["days_off"] = parse_days_off(form.days_off)
    except ScenarioError as err:
        problems.extend(err.problems)
    try:
        data["bonus_credits"] = parse_bonus(form.bonus_credits, form.cycles)
    except ScenarioError as err:
        problems.extend(err.problems)
    if form.daily_cap is not None:
        data["daily_cap"] = form.daily_cap
    if form.guard_base is not None or form.guard_growth is not None:  # one of the two empty: the schema says it is missing
        data["speed_guard"] = {
            k: _number(v) for k, v in (("base", form.guard_base), ("growth", form.guard_growth)) if v is not None
        }
    if form.replies_per_day is not None:
        data["replies_per_day"] = _number(form.replies_per_day)
    if any(f in data for f in V2_FIELDS):
        data["version"] = 2
    data["reserve"] = form.reserve
    data["reserve_release_days"] = form.reserve_release_days
    data["refund_reliance"] = _percent(form.refund_reliance_pct)
    data["refund_lag_days"] = form.refund_lag_days
    data["time_discount"] = form.time_discount
    if form.weekday_factor:
        data["weekday_factor"] = dict(form.weekday_factor)
    # every problem at once: the form's own (text that is not a date or a number) and the schema's
    try:
        scenario = parse_scenario(data)
        resolve(scenario, catalog)
    except ScenarioError as err:
        problems.extend(err.problems)
    if problems:
        raise ScenarioError(_as_typed(problems, form, labels, rates))
    return scenario


def _percent(value: object) -> object:
    """A percent as typed -> the scenario's fraction (not a number: as typed, for the schema to refuse)."""
    number = _number(value if value is not None else 0.0)
    return round(number / 100, 12) if isinstance(number, int | float) else number


def with_goals(form: FormValues, goals: Sequence[str], templates: Mapping[Goal, GoalTemplate] | None = None) -> FormValues:
    """The form after the chosen goals change: shares split evenly, buckets follow the goals."""
    ordered = [g for g in GOALS if g in goals]
    return replace(form, goals=ordered, shares_pct=even_shares(ordered), buckets=rows_for_goals(form.buckets, ordered, templates))
