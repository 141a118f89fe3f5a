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
from planner.catalog import Catalog, Tier
from planner.scenario import (
    Bucket,
    FollowsWho,
    Goal,
    GoalTemplate,
    Priority,
    Scenario,
    ScenarioError,
    load_goal_templates,
    parse_scenario,
    resolve,
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


# --- scenario -> form -------------------------------------------------------------------


def default_form(start: date, catalog: Catalog | None = None) -> FormValues:
    """The form a first visit sees: one cycle of Sales Navigator Core for sales prospecting."""
    return FormValues(start=start, title="My plan", buckets=template_rows(["sales"]))


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
        try:
            days.append(date.fromisoformat(part))
        except ValueError:
            raise ScenarioError([f"days_off = {part!r}: not a date; write YYYY-MM-DD, separated by commas"]) from None
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


def _whole(value: object, where: str, problems: list[str], default: int | None = None) -> int | None:
    if _blank(value):
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        problems.append(f"{where} = {value!r}: not a number")
        return default
    if not number.is_integer():
        problems.append(f"{where} = {_fmt_number(number)}: must be a whole number")
        return default
    return int(number)


def _row_label(i: int, row: Mapping[str, Any]) -> str:
    name = row.get("name")
    return f"buckets row {i + 1} ({name!r})" if not _blank(name) else f"buckets row {i + 1}"


def _bucket_data(rows: Sequence[Row], problems: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Bucket fields from table rows; also the label of each kept row, for messages."""
    data, labels = [], []
    for i, row in enumerate(clean_rows(rows)):
        if all(row[c] is None or (c == "free" and not row[c]) for c in BUCKET_COLUMNS):
            continue  # a row added and left empty
        label = _row_label(i, row)
        start = len(problems)
        name = str(row["name"]).strip() if row["name"] is not None else ""
        if not name:
            problems.append(f"{label}: name is missing")
        goal = row["goal"]
        if goal is None:
            problems.append(f"{label}: goal is missing; choose one of {', '.join(GOALS)}")
        elif goal not in GOALS:
            problems.append(f"{label}: goal = {goal!r}: choose one of {', '.join(GOALS)}")
        rate = row["response_rate_pct"]
        if rate is None:
            problems.append(f"{label}: response rate is missing (a percent, 0 to 100)")
        else:
            try:
                rate = float(rate)
            except (TypeError, ValueError):
                problems.append(f"{label}: response rate = {rate!r}: not a number")
                rate = None
            if rate is not None and not 0 <= rate <= 100:
                problems.append(f"{label}: response rate = {_fmt_number(rate)} %: must be between 0 and 100 %")
        pool = _whole(row["pool"], f"{label}: pool", problems)
        minimum = _whole(row["min"], f"{label}: min", problems, default=0)
        gap = _whole(row["gap_days"], f"{label}: gap_days", problems, default=0)
        weight = row["weight"]
        if weight is not None:
            try:
                weight = float(weight)
            except (TypeError, ValueError):
                problems.append(f"{label}: weight = {weight!r}: not a number")
        if len(problems) > start:
            continue
        bucket: dict[str, Any] = {"name": name, "goal": goal, "response_rate": round(float(rate) / 100, 10)}  # type: ignore[arg-type]
        if weight is not None:
            bucket["weight"] = weight  # an explicit weight overrides the priority
        else:
            bucket["priority"] = row["priority"] or "medium"
        if pool is not None:
            bucket["pool"] = pool
        bucket["min"] = minimum
        bucket["free"] = bool(row["free"])
        if row["follows"] is not None:
            bucket["follows"] = str(row["follows"]).strip()
            bucket["follows_who"] = row["follows_who"] or str(FollowsWho.NON_RESPONDERS)
        elif row["follows_who"] not in (None, str(FollowsWho.NON_RESPONDERS)):
            bucket["follows_who"] = row["follows_who"]
        bucket["gap_days"] = gap
        data.append(bucket)
        labels.append(label)
    return data, labels


def _rename_bucket_paths(problems: list[str], labels: list[str]) -> list[str]:
    """'buckets[2].pool = -1: ...' -> "buckets row 3 ('Follow-up'): pool = -1: ..."."""

    def label(match: re.Match[str]) -> str:
        i = int(match.group(1))
        where = labels[i] if i < len(labels) else f"buckets row {i + 1}"
        return where + (": " if match.group(2) else "")

    return [re.sub(r"buckets\[(\d+)\](\.)?", label, p) for p in problems]


def scenario_from_form(form: FormValues, catalog: Catalog) -> Scenario:
    """Check the form and build its scenario (tiers resolved against ``catalog``).

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
    for k, name in enumerate(form.tier_names()):
        where = f"tier of cycle {k + 1}" if form.per_cycle else "tier"
        if name in form.custom_tiers:
            refs.append(form.custom_tiers[name])
        elif name in catalog:
            refs.append(catalog[name].name)
        else:
            message = f"{where} = {name!r}: unknown tier; known tiers: {', '.join(catalog)}"
            if message not in problems:
                problems.append(message)
    if len(set(r.name if isinstance(r, Tier) else r for r in refs)) <= 1 and refs:
        data["tier"] = refs[0]
    else:
        data["tiers"] = refs

    goals = [g for g in form.goals]
    if not goals:
        problems.append("goals: none chosen; choose at least one goal and give it a share")
    shares = {g: float(form.shares_pct.get(g, 0.0) or 0.0) for g in goals}
    for g, pct in shares.items():
        if not 0 <= pct <= 100:
            problems.append(f"goals.{g} = {_fmt_number(pct)} %: a share is between 0 and 100 %")
    total = sum(shares.values())
    if goals and abs(total - 100) > 1e-4:
        listed = ", ".join(f"{g} {_fmt_number(p)} %" for g, p in shares.items())
        problems.append(f"goals: shares sum to {_fmt_number(round(total, 6))} %, not 100 % ({listed})")
    elif goals:
        data["goals"] = {g: round(p / total, 12) for g, p in shares.items()}

    buckets, labels = _bucket_data(form.buckets, problems)
    if not buckets and not any(p.startswith("buckets row") for p in problems):
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
    data["reserve"] = form.reserve
    data["reserve_release_days"] = form.reserve_release_days
    if not 0 <= form.refund_reliance_pct <= 100:
        problems.append(f"refund_reliance = {_fmt_number(form.refund_reliance_pct)} %: must be between 0 and 100 %")
    else:
        data["refund_reliance"] = round(form.refund_reliance_pct / 100, 10)
    data["refund_lag_days"] = form.refund_lag_days
    data["time_discount"] = form.time_discount
    if form.weekday_factor:
        data["weekday_factor"] = dict(form.weekday_factor)
    if problems:
        raise ScenarioError(problems)
    try:
        scenario = parse_scenario(data)
        resolve(scenario, catalog)
    except ScenarioError as err:
        raise ScenarioError(_rename_bucket_paths(err.problems, labels)) from None
    return scenario


def with_goals(form: FormValues, goals: Sequence[str], templates: Mapping[Goal, GoalTemplate] | None = None) -> FormValues:
    """The form after the chosen goals change: shares split evenly, buckets follow the goals."""
    ordered = [g for g in GOALS if g in goals]
    return replace(form, goals=ordered, shares_pct=even_shares(ordered), buckets=rows_for_goals(form.buckets, ordered, templates))
