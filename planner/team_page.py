"""The Team page's logic: a seats table to and from a team scenario, per-seat tables, what a credit more per seat is worth.

A row of the seats table is one seat: its name, one goal template (its
buckets come from ``data/goals.toml``), its send days as text (``Mon, Wed``;
blank: the team's), and its optional daily cap and seat cap. A seat read from
a file with its own buckets or a mix of goals keeps them: its row says
:data:`FROM_FILE` and the page holds the seat as read.

:func:`credit_values` answers "what would moving credits between seats gain":
for each seat with a seat cap it re-solves with that cap one credit larger
and reports the change in expected responses and in the plan's value; a seat
without a cap already gets from the pool every credit that pays most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.catalog import Catalog
from planner.plan import Plan, PlanStatus
from planner.problem import resolve
from planner.scenario import Goal, ScenarioError, Seat, TeamScenario, check_any_scenario, seat_label
from planner.solve import make_plan

SEAT_COLUMNS = ["name", "goal", "send_days", "daily_cap", "seat_cap"]
FROM_FILE = "from file"  # the goal column of a seat whose own buckets or goal mix came from a file
GOAL_CHOICES = [str(g) for g in Goal] + [FROM_FILE]
Row = dict[str, Any]


def _blank(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def clean_seat_rows(rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Table rows with blanks (NaN, pd.NA, empty text) as None, whole floats as ints, and the known columns only."""
    out = []
    for r in rows:
        row: Row = {}
        for c in SEAT_COLUMNS:
            v = r.get(c)
            if isinstance(v, np.generic):
                v = v.item()  # a numpy scalar from the table -> a Python number
            if _blank(v):
                v = None
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            row[c] = v
        out.append(row)
    return out


def default_seat_rows() -> list[Row]:
    """A first visit's team: two recruiters, one with a seat cap."""
    return [
        {"name": "Seat 1", "goal": "recruiting", "send_days": None, "daily_cap": None, "seat_cap": 20},
        {"name": "Seat 2", "goal": "recruiting", "send_days": None, "daily_cap": None, "seat_cap": None},
    ]


def seat_rows(team: TeamScenario) -> tuple[list[Row], dict[str, Seat]]:
    """A team as table rows, and the seats the table cannot show (own buckets or several goals) by name.

    >>> from datetime import date
    >>> team = TeamScenario(start=date(2026, 6, 1), tier="Recruiter Lite",
    ...                     seats=[Seat(name="Ana", goals={"sales": 1.0}, seat_cap=5, send_days=["Mon"])])
    >>> seat_rows(team)
    ([{'name': 'Ana', 'goal': 'sales', 'send_days': 'Mon', 'daily_cap': None, 'seat_cap': 5}], {})
    """
    rows, kept = [], {}
    for seat in team.seats:
        simple = seat.buckets is None and seat.goals is not None and len(seat.goals) == 1 and seat.days_off is None
        goal = str(next(iter(seat.goals))) if simple and seat.goals else FROM_FILE
        if not simple:
            kept[seat.name] = seat
        days = ", ".join(str(d) for d in seat.send_days) if seat.send_days is not None else None
        rows.append({"name": seat.name, "goal": goal, "send_days": days, "daily_cap": seat.daily_cap, "seat_cap": seat.seat_cap})
    return rows, kept


def _days(text: Any) -> Any:
    """Send days typed as ``Mon, Wed`` (commas or spaces) as a list; anything not text is passed on to be refused."""
    if not isinstance(text, str):
        return text
    return [part for part in text.replace(",", " ").split() if part]


def team_data(
    rows: Iterable[Mapping[str, Any]], contract: Mapping[str, Any], kept: Mapping[str, Seat] | None = None
) -> dict[str, Any]:
    """The fields of a team scenario (as a file would give them) from the table's rows and the contract's fields.

    A row whose goal is :data:`FROM_FILE` takes the buckets, goal mix and days
    off of the seat of its name in ``kept``; its other cells are the table's.
    """
    kept = kept or {}
    seats: list[dict[str, Any]] = []
    for row in clean_seat_rows(rows):
        seat: dict[str, Any] = {"name": row["name"]}
        goal = row["goal"]
        if goal == FROM_FILE and row["name"] in kept:
            own = kept[row["name"]]
            seat.update(own.model_dump(include={"goals", "buckets", "days_off"}, exclude_none=True))
        elif goal is not None and goal != FROM_FILE:
            seat["goals"] = {goal: 1.0}
        for name in ("daily_cap", "seat_cap"):
            if row[name] is not None:
                seat[name] = row[name]
        if row["send_days"] is not None:
            seat["send_days"] = _days(row["send_days"])
        seats.append(seat)
    return {**contract, "version": 2, "seats": seats}


def team_from_rows(
    rows: Iterable[Mapping[str, Any]],
    contract: Mapping[str, Any],
    catalog: Catalog,
    kept: Mapping[str, Seat] | None = None,
) -> TeamScenario:
    """The team scenario of the table's rows and the contract's fields, checked against the catalog and templates.

    Raises
    ------
    ScenarioError
        Every problem at once, each naming the seat and the field (``seats[0] ("Ana").seat_cap = -1: ...``).
    """
    rows = clean_seat_rows(rows)
    kept = kept or {}
    problems = []
    for i, row in enumerate(rows):
        if row["name"] is None:
            problems.append(f"{seat_label(i, None)}.name: give the seat a name")
        if row["goal"] is None:
            problems.append(f"{seat_label(i, row['name'])}.goal: choose the seat's goal")
        elif row["goal"] == FROM_FILE and row["name"] not in kept:
            problems.append(
                f"{seat_label(i, row['name'])}.goal = {FROM_FILE!r}: no seat of that name came from a file; choose a goal"
            )
    if not rows:
        problems.append("seats: add at least one seat")
    if problems:
        raise ScenarioError(problems)
    scenario = check_any_scenario(team_data(rows, contract, kept), catalog)
    assert isinstance(scenario, TeamScenario)
    return scenario


def contract_fields(team: TeamScenario) -> dict[str, Any]:
    """The contract's fields of a team (everything but its seats and version), as :func:`team_data` takes them."""
    return team.model_dump(exclude={"seats", "version"}, exclude_defaults=True) | {"start": team.start}


# --- a plan's seats ----------------------------------------------------------------------------

SEAT_TABLE_COLUMNS = ["seat", "sends", "credits_used", "credit_share", "expected_responses", "seat_cap", "cap_binds_in"]


def seat_table(plan: Plan) -> pd.DataFrame:
    """Per seat: sends, credits from the pool and their share of its spend, expected responses, seat cap, cycles it binds in."""
    spent = sum(s.credits_used for s in plan.seats)
    rows = [
        {
            "seat": s.seat,
            "sends": s.sends,
            "credits_used": s.credits_used,
            "credit_share": s.credits_used / spent if spent else 0.0,
            "expected_responses": s.expected_responses,
            "seat_cap": s.seat_cap,
            "cap_binds_in": ", ".join(str(k) for k in s.cap_binding_cycles),
        }
        for s in plan.seats
    ]
    frame = pd.DataFrame(rows, columns=SEAT_TABLE_COLUMNS)
    frame["seat_cap"] = pd.array(frame["seat_cap"], dtype="Int64")
    return frame


def seat_schedule(plan: Plan, seat: str) -> pd.DataFrame:
    """The rows of a team plan's schedule that are one seat's, without the seat column."""
    schedule = plan.schedule
    return schedule[schedule["seat"] == seat].drop(columns="seat").reset_index(drop=True)


# --- what a credit more per seat is worth -------------------------------------------------------

EXACT_GAP = 0.0  # the values below are differences of two optima: a solver gap would be noise in them


@dataclass(frozen=True)
class CreditValue:
    """What one more credit per cycle for a seat (its seat cap one larger) would change in the team's plan."""

    seat: str
    seat_cap: int | None
    binds: bool  # the seat spends its whole cap in some cycle
    responses_gain: float | None  # expected responses with the cap one larger, less without (None: not re-solved)
    value_gain: float | None  # the same for the plan's weighted value

    def sentence(self) -> str:
        """The answer in words (plain text: the seat's name is the user's)."""
        if self.seat_cap is None:
            return (
                f"{self.seat}: no seat cap, so the pool already gives it every credit that pays most; "
                "one more credit to it gains nothing the pool isn't already giving it."
            )
        assert self.responses_gain is not None and self.value_gain is not None
        if not self.binds:
            lead = f"{self.seat}: its cap of {self.seat_cap} does not bind (it spends less)"
        else:
            lead = f"{self.seat}: its cap of {self.seat_cap} binds"
        return (
            f"{lead}; a cap of {self.seat_cap + 1} changes the expected responses by {self.responses_gain:+.3f} "
            f"and the plan's value by {self.value_gain:+.3f}."
        )


def with_seat_cap(team: TeamScenario, seat: int, cap: int | None) -> TeamScenario:
    """The team with seat ``seat``'s seat cap set to ``cap``."""
    seats = list(team.seats)
    seats[seat] = seats[seat].model_copy(update={"seat_cap": cap})
    return team.model_copy(update={"seats": seats})


def credit_values(team: TeamScenario, *, catalog: Catalog | None = None, time_limit: float = 20.0) -> tuple[CreditValue, ...]:
    """Per seat, what one more credit per cycle (its seat cap one larger) gains: a re-solve of each capped seat.

    The base plan and every re-solve are solved to a zero gap, so the gains
    are differences of optima, not of the solver's tolerance (a team is
    passed to :func:`~planner.solve.make_plan` resolved, as a Problem). A seat without
    a seat cap is not re-solved: nothing limits it but the pool.

    Raises
    ------
    ValueError
        When the base plan or a re-solve is not proven optimal in the time
        limit (a difference of two plans short of their optima says nothing).
    """
    base = make_plan(resolve(team, catalog), catalog=catalog, time_limit=time_limit, gap=EXACT_GAP)
    if base.status is not PlanStatus.OPTIMAL or base.totals is None:
        raise ValueError(f"the team's plan is {base.status}, not proven optimal: a credit's worth would be the solver's noise")
    out = []
    for i, seat in enumerate(base.seats):
        if seat.seat_cap is None:
            out.append(CreditValue(seat.seat, None, False, None, None))
            continue
        more = make_plan(
            resolve(with_seat_cap(team, i, seat.seat_cap + 1), catalog), catalog=catalog, time_limit=time_limit, gap=EXACT_GAP
        )
        if more.status is not PlanStatus.OPTIMAL or more.totals is None:
            where = f"{seat_label(i, seat.seat)}: the re-solve with seat_cap = {seat.seat_cap + 1}"
            raise ValueError(f"{where} is {more.status}, not proven optimal")
        out.append(
            CreditValue(
                seat=seat.seat,
                seat_cap=seat.seat_cap,
                binds=bool(seat.cap_binding_cycles),
                responses_gain=more.totals.expected_responses - base.totals.expected_responses,
                value_gain=more.totals.weighted_value - base.totals.weighted_value,
            )
        )
    return tuple(out)


CREDIT_VALUE_COLUMNS = ["seat", "seat_cap", "binds", "responses_gain", "value_gain", "answer"]


def credit_value_table(values: Iterable[CreditValue]) -> pd.DataFrame:
    """:func:`credit_values` as a table: one row per seat, with its answer in words."""
    rows = [
        {
            "seat": v.seat,
            "seat_cap": v.seat_cap,
            "binds": v.binds,
            "responses_gain": v.responses_gain,
            "value_gain": v.value_gain,
            "answer": v.sentence(),
        }
        for v in values
    ]
    frame = pd.DataFrame(rows, columns=CREDIT_VALUE_COLUMNS)
    frame["seat_cap"] = pd.array(frame["seat_cap"], dtype="Int64")
    return frame
