"""Scenarios: what a user asks the planner, validated, read from and written to TOML.

A :class:`Scenario` holds the fields of MODEL.md as the user wrote them (tier
names, priorities, goal shares); :func:`planner.problem.resolve` turns it into
the numbers the optimiser works with. Every bad input is refused before solving
with a :class:`ScenarioError` whose messages name the field and the value,
every problem at once; the field types and their ranges, and the wording of
refusals, are in :mod:`planner.fields`. A file or a link is read with
:func:`scenario_from_toml`, which also refuses what would break the TOML
reader itself (values nested hundreds deep, numbers of thousands of digits).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

import tomli_w
from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Strict, Tag, ValidationError, model_validator

from planner.calendar import WORKDAYS, Calendar, Weekday
from planner.catalog import Catalog, Tier, load_catalog
from planner.fields import (
    MAX_BUCKETS,
    MAX_DAYS_OFF,
    MAX_DEPTH,
    Balance,
    Credits,
    Cycles,
    DailyCap,
    Day,
    Factor,
    Flag,
    GapDays,
    Growth,
    GuardBase,
    LagDays,
    Name,
    Problems,
    ReleaseDays,
    Replies,
    Share,
    StartDay,
    Title,
    Weight,
    capped,
    describe_errors,
    nesting_problem,
    one_of,
    raise_problems,
    show,
)
from planner.paths import GOALS_TOML

SHARE_TOLERANCE = 1e-6
MAX_SEATS = 500  # seats of one team contract
MAX_SCENARIO_CHARS = 256_000  # a file or a link: far above any real scenario, far below what slows the reader


class Goal(StrEnum):
    SALES = "sales"
    RECRUITING = "recruiting"
    JOB_SEEKING = "job_seeking"
    NETWORKING = "networking"
    THOUGHT_LEADERSHIP = "thought_leadership"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


PRIORITY_WEIGHT = {Priority.HIGH: 3.0, Priority.MEDIUM: 2.0, Priority.LOW: 1.0}


class FollowsWho(StrEnum):
    NON_RESPONDERS = "non_responders"
    RESPONDERS = "responders"


class Bucket(BaseModel):
    """A kind of outreach inside a goal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    goal: Goal
    priority: Priority | None = None
    weight: Weight | None = None
    response_rate: Share
    pool: Balance | None = None
    min: Credits = 0
    free: Flag = False
    follows: Name | None = None
    follows_who: FollowsWho = FollowsWho.NON_RESPONDERS
    gap_days: GapDays = 0

    @model_validator(mode="after")
    def _check(self) -> Bucket:
        problems = []
        if self.priority is not None and self.weight is not None:
            problems.append(f"give priority ({self.priority}) or weight ({self.weight}), not both")
        if self.pool is not None and self.min > self.pool:
            problems.append(f"min ({self.min}) is above pool ({self.pool})")
        if self.follows is not None and self.follows == self.name:
            problems.append(f"follows = {show(self.follows)}: a bucket cannot follow itself")
        raise_problems(problems)
        return self

    @property
    def value_weight(self) -> float:
        """w_b: the explicit weight, else the priority's (high 3, medium 2, low 1)."""
        if self.weight is not None:
            return self.weight
        return PRIORITY_WEIGHT[self.priority or Priority.MEDIUM]


def _tier_member(value: Any) -> str | None:
    return "tier-name" if isinstance(value, str) else "tier-table" if isinstance(value, dict | Tier) else None


def _bonus_member(value: Any) -> str | None:
    # a list is one number per cycle; anything else not a table is meant as one number
    return "bonus-list" if isinstance(value, list) else None if isinstance(value, dict) else "bonus-number"


# a tier is named or given inline; pick the form by the value's type, so that an error
# speaks of the form the user meant (and a value of neither type gets one clear message)
TierRef = Annotated[
    Annotated[Name, Tag("tier-name")] | Annotated[Tier, Tag("tier-table")],
    Discriminator(
        _tier_member,
        custom_error_type="tier_ref",
        custom_error_message="must be a tier name (in quotes) or an inline tier table",
    ),
]
BonusCredits = Annotated[
    Annotated[Credits, Tag("bonus-number")] | Annotated[list[Credits], Tag("bonus-list"), Field(max_length=12)],
    Discriminator(
        _bonus_member,
        custom_error_type="bonus_ref",
        custom_error_message="must be a whole number of credits, or a list of one per cycle",
    ),
]


class SpeedGuard(BaseModel):
    """MODEL.md v2, the speed guard: InMails of day d <= base + growth * (InMails of the 7 days before d) / 7."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: GuardBase
    growth: Growth

    def allowed(self, week_before: float) -> float:
        """The most InMails a day may have when the 7 days before it had ``week_before``.

        >>> SpeedGuard(base=3, growth=1.5).allowed(14)
        6.0
        """
        return self.base + self.growth * week_before / 7


V2_FIELDS = ("speed_guard", "replies_per_day")  # fields of MODEL.md v2 that this planner reads: a file using one is version 2


class ContractFields(BaseModel):
    """The fields of a contract: its dates, tiers, credits and credit rules, shared by a seat and a team.

    :class:`Scenario` (one seat) and :class:`TeamScenario` (pooled seats) add
    what is planned on it: buckets and a goal mix, or seats with their own.
    ``send_days``, ``days_off`` and ``daily_cap`` are the seat's; in a team,
    the default of every seat that does not give its own.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Title | None = None
    start: StartDay
    cycles: Cycles = 1
    tier: TierRef | None = None
    tiers: list[TierRef] | None = Field(default=None, max_length=12)
    bonus_credits: BonusCredits = 0
    send_days: list[Weekday] = Field(default_factory=lambda: list(WORKDAYS), max_length=7)
    days_off: list[Day] = Field(default_factory=list, max_length=MAX_DAYS_OFF)
    weekday_factor: dict[Weekday, Factor] = Field(default_factory=dict, max_length=7)
    daily_cap: DailyCap | None = None
    speed_guard: SpeedGuard | None = None
    replies_per_day: Replies | None = None
    reserve: Credits = 0
    reserve_release_days: ReleaseDays = 3
    refund_reliance: Share = 0.0
    refund_lag_days: LagDays = 7
    time_discount: Share = 0.001

    def contract_problems(self) -> list[str]:
        """The problems across the contract's fields: tier or tiers, one per cycle, the discount over the horizon."""
        problems: list[str] = []
        if (self.tier is None) == (self.tiers is None):
            problems.append("give either tier (one for every cycle) or tiers (one per cycle), exactly one of them")
        if self.tiers is not None and len(self.tiers) != self.cycles:
            problems.append(f"tiers lists {len(self.tiers)} tiers but cycles = {self.cycles}; give one per cycle")
        if isinstance(self.bonus_credits, list) and len(self.bonus_credits) != self.cycles:
            problems.append(f"bonus_credits lists {len(self.bonus_credits)} numbers but cycles = {self.cycles}")
        horizon = Calendar.build(self.start, self.cycles).n_days
        if self.time_discount * horizon >= 1:
            problems.append(f"time_discount = {self.time_discount}: times the horizon ({horizon} days) it must stay below 1")
        return problems

    def tier_refs(self) -> list[TierRef]:
        """The tier of each cycle, as written (name or inline tier)."""
        if self.tiers is not None:
            return list(self.tiers)
        assert self.tier is not None
        return [self.tier] * self.cycles

    def bonus_of(self, k: int) -> int:
        return self.bonus_credits[k] if isinstance(self.bonus_credits, list) else self.bonus_credits

    def with_tier(self, tier: TierRef) -> Self:
        """The same scenario with one tier for every cycle."""
        return self.model_copy(update={"tier": tier, "tiers": None})


def _mix_problems(goals: dict[Goal, float] | None, buckets: list[Bucket] | None, daily_cap: int | None) -> list[str]:
    """The problems of a goal mix and a list of buckets together (a scenario's, or a seat's)."""
    problems: list[str] = []
    if goals is not None:
        total = sum(goals.values())
        if abs(total - 1) > SHARE_TOLERANCE:
            shares = ", ".join(f"{g} = {show(v)}" for g, v in goals.items())
            problems.append(f"goals: shares sum to {total:g}, not 1 ({shares})")
    if buckets is not None:
        problems += _bucket_problems(buckets)
        for i, b in enumerate(buckets):
            if b.free and b.pool is None and b.follows is None and daily_cap is None:
                problems.append(
                    f"buckets[{i}].pool: {show(b.name)} is free and has no pool; free sends cost no credit, "
                    "so give it a pool (or set daily_cap) to say how many recipients there are"
                )
        if goals is None and len({b.goal for b in buckets}) > 1:
            names = sorted({str(b.goal) for b in buckets})
            problems.append(f"goals: the buckets have several goals ({', '.join(names)}); give each a share")
    elif goals is None:
        problems.append("goals: give a goal mix (goal -> share) or a list of buckets")
    return problems


class Scenario(ContractFields):
    """A planning scenario of one seat, with the fields of MODEL.md (see ``data/examples``)."""

    version: Annotated[int, Strict(), AfterValidator(one_of(1, 2))] = 1  # Literal[1, 2] would take true for 1
    goals: dict[Goal, Share] | None = Field(default=None, max_length=len(Goal))
    buckets: list[Bucket] | None = Field(default=None, max_length=MAX_BUCKETS)

    @model_validator(mode="before")
    @classmethod
    def _version_of_v2_fields(cls, data: Any) -> Any:
        """A scenario that gives no version but uses a v2 field is version 2 (MODEL.md: such a file says so)."""
        if isinstance(data, dict) and "version" not in data and any(data.get(f) is not None for f in V2_FIELDS):
            return {**data, "version": 2}
        return data

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        # every problem across the fields at once, so that a user mends them in one go
        problems = [
            f"version = 1: {name} is a field of version 2; write version = 2 (or leave version out)"
            for name in V2_FIELDS
            if self.version == 1 and getattr(self, name) is not None
        ]
        raise_problems(problems + self.contract_problems() + _mix_problems(self.goals, self.buckets, self.daily_cap))
        return self


class Seat(BaseModel):
    """One seat of a team: its own buckets (or goal mix), and optionally its own days, caps and seat cap.

    ``send_days``, ``days_off`` and ``daily_cap`` left out are the team's;
    ``seat_cap`` is the most credits the seat may spend in a cycle (the admin's limit).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    goals: dict[Goal, Share] | None = Field(default=None, max_length=len(Goal))
    buckets: list[Bucket] | None = Field(default=None, max_length=MAX_BUCKETS)
    send_days: list[Weekday] | None = Field(default=None, max_length=7)
    days_off: list[Day] | None = Field(default=None, max_length=MAX_DAYS_OFF)
    daily_cap: DailyCap | None = None
    seat_cap: Balance | None = None


def seat_label(i: int, name: object) -> str:
    """How a message names seat i: ``seats[2] ("Ana")``, or ``seats[2]`` when its name is not text."""
    return f"seats[{i}] ({show(name)})" if isinstance(name, str) else f"seats[{i}]"


class TeamScenario(ContractFields):
    """A team contract: pooled credits planned across its seats (MODEL.md v2, "Teams: pooled seats").

    The tier's ``monthly_credits`` are per seat: the pool receives seats x
    monthly credits (plus ``bonus_credits``, once for the contract) on each
    grant day, its balance cap is seats x the tier's, and every seat's
    credit-backs return to it. A version 2 file.
    """

    version: Annotated[int, Strict(), AfterValidator(one_of(2))] = 2
    seats: list[Seat] = Field(min_length=1, max_length=MAX_SEATS)

    @model_validator(mode="after")
    def _check(self) -> TeamScenario:
        problems = self.contract_problems()
        seen: set[str] = set()
        for i, seat in enumerate(self.seats):
            where = seat_label(i, seat.name)
            if seat.name in seen:
                problems.append(f"{where}.name: seat names must be unique")
            seen.add(seat.name)
            cap = seat.daily_cap if seat.daily_cap is not None else self.daily_cap
            problems += [f"{where}.{p}" for p in _mix_problems(seat.goals, seat.buckets, cap)]
        raise_problems(problems)
        return self

    def seat_scenario(self, i: int) -> Scenario:
        """Seat i alone, as a one-seat scenario on the same contract (its days and caps, the contract's credits)."""
        seat = self.seats[i]
        fields = {name: getattr(self, name) for name in ContractFields.model_fields}
        for name in ("send_days", "days_off", "daily_cap"):
            if getattr(seat, name) is not None:
                fields[name] = getattr(seat, name)
        return Scenario.model_construct(**fields, goals=seat.goals, buckets=seat.buckets)


AnyScenario = Scenario | TeamScenario


def _bucket_problems(buckets: list[Bucket]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for i, b in enumerate(buckets):
        if b.name in seen:
            problems.append(f"buckets[{i}].name = {show(b.name)}: bucket names must be unique")
        seen.add(b.name)
    parent = {b.name: b.follows for b in buckets}
    for i, b in enumerate(buckets):
        if b.follows is not None and b.follows not in parent:
            problems.append(f"buckets[{i}].follows = {show(b.follows)}: no bucket has that name")
    loops: list[str] = []
    for b in buckets:
        chain, current = [b.name], parent[b.name]
        while current is not None and current in parent:
            if current in chain:
                cycle = chain[chain.index(current) :]
                # the same loop seen from each of its members: report it once, from its first name
                first = min(range(len(cycle)), key=lambda j: cycle[j])
                loop = " -> ".join([*cycle[first:], *cycle[:first], cycle[first]])
                if loop not in loops:
                    loops.append(loop)
                break
            chain.append(current)
            current = parent[current]
    problems += [f"buckets.follows forms a loop: {loop}" for loop in loops]
    return problems


class ScenarioError(ValueError):
    """A scenario was refused; ``problems`` lists one message per bad field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


FIELD_NAMES = frozenset().union(
    Scenario.model_fields,
    TeamScenario.model_fields,
    Seat.model_fields,
    Bucket.model_fields,
    Tier.model_fields,
    SpeedGuard.model_fields,
)


def _model_of(data: dict[str, Any]) -> type[Scenario] | type[TeamScenario]:
    """The kind of scenario the fields are: a team when they list seats."""
    return TeamScenario if "seats" in data else Scenario


def _team_layout_problems(data: dict[str, Any]) -> list[str]:
    """What a team file puts where only a one-seat file may: buckets or goals at the top, version 1."""
    problems = [
        f"{key}: a team scenario gives each seat its own {key} (under [[seats]]), not the whole team; "
        "move them into the seats, or remove seats for a one-seat scenario"
        for key in ("buckets", "goals")
        if key in data
    ]
    if data.get("version") == 1 and not isinstance(data.get("version"), bool):
        problems.append("version = 1: a team scenario (with seats) is a version 2 file; write version = 2")
    return problems


def _name_seats(problems: list[str], data: dict[str, Any]) -> list[str]:
    """Messages that point into ``seats[i]`` name the seat too: ``seats[2] ("Ana").daily_cap = -1: ...``."""
    seats = data.get("seats")
    if not isinstance(seats, list):
        return problems

    def name(match: re.Match[str]) -> str:
        i = int(match.group(1))
        seat = seats[i] if i < len(seats) else None
        return seat_label(i, seat.get("name") if isinstance(seat, dict) else None)

    return [re.sub(r"^seats\[(\d+)\](?! \()", name, p) for p in problems]


def parse_any_scenario(data: dict[str, Any]) -> AnyScenario:
    """Validate scenario fields (as read from TOML: dates as dates): a :class:`TeamScenario` when they list seats."""
    deep = nesting_problem(data)
    if deep is not None:
        raise ScenarioError([deep])
    model = _model_of(data)
    layout: list[str] = []
    if model is TeamScenario:
        layout = _team_layout_problems(data)
        data = {k: v for k, v in data.items() if k not in ("buckets", "goals") and not (k == "version" and v == 1)}
    try:
        scenario = model.model_validate(data)
    except ValidationError as err:
        problems = [*describe_errors(err, FIELD_NAMES), *_problems_across_the_rest(model, data, err)]
        raise ScenarioError(capped(layout + _name_seats(problems, data))) from None
    if layout:
        raise ScenarioError(layout)
    return scenario


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """Validate the fields of a one-seat scenario into a :class:`Scenario`; a team's are refused with a message."""
    scenario = parse_any_scenario(data)
    if isinstance(scenario, TeamScenario):
        raise ScenarioError([_TEAM_HERE.format(n=len(scenario.seats))])
    return scenario


_TEAM_HERE = (
    "seats: this is a team scenario ({n} seats, pooled credits), and this takes a one-seat scenario; "
    "plan a team with `inmail-planner plan` (or planner.make_plan)"
)


# stands in for a refused start date, so that the checks across the other fields still run
_STAND_IN_START = date(2026, 1, 1)


def _problems_across_the_rest(model: type[BaseModel], data: dict[str, Any], err: ValidationError) -> list[str]:
    """The problems across fields among the valid ones, when other fields were refused.

    pydantic checks across fields only when every field is valid; check again
    without the refused fields, and keep the problems that involve none of them
    (a goal mix off 1 is reported beside ``cycles = "2"``, but not "tiers lists
    2 tiers but cycles = 1").
    """
    refused = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
    if not refused or "seats" in refused:
        return []  # a refused seat would leave the team without it: its names and checks would mislead
    rest = {k: v for k, v in data.items() if k not in refused}
    if "start" in refused:
        rest["start"] = _STAND_IN_START
    if refused & {"start", "cycles"}:
        refused.add("horizon")
    try:
        model.model_validate(rest)
    except ValidationError as again:
        causes = [(e.get("ctx") or {}).get("error") for e in again.errors() if not e["loc"]]
        across = [p for cause in causes if isinstance(cause, Problems) for p in cause.problems]
        return [p for p in across if not any(re.search(rf"\b{re.escape(name)}\b", p) for name in refused)]
    return []


def _tier_names(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The tier names a scenario's raw fields give, with the field each is in."""
    names = [("tier", data["tier"])] if isinstance(data.get("tier"), str) else []
    tiers = data.get("tiers")
    if isinstance(tiers, list):
        names += [(f"tiers[{k}]", ref) for k, ref in enumerate(tiers) if isinstance(ref, str)]
    return names


def check_any_scenario(data: dict[str, Any], catalog: Catalog | None = None) -> AnyScenario:
    """Validate scenario fields (one seat, or a team's) and check them against the catalog and the goal templates.

    Every problem is reported at once: an unknown tier together with the
    problems of the other fields.

    Raises
    ------
    ScenarioError
        Listing every problem, each naming the field and the value.
    """
    catalog = catalog if catalog is not None else load_catalog()
    unknown = [catalog.unknown_tier_message(field, name) for field, name in _tier_names(data) if name not in catalog]
    unknown = list(dict.fromkeys(unknown))
    try:
        scenario = parse_any_scenario(data)
    except ScenarioError as err:
        raise ScenarioError([*unknown, *err.problems]) from None
    if unknown:
        raise ScenarioError(unknown)
    from planner.problem import resolve  # the resolved problem builds on this module

    resolve(scenario, catalog)  # template problems are input errors too
    return scenario


def check_scenario(data: dict[str, Any], catalog: Catalog | None = None) -> Scenario:
    """:func:`check_any_scenario` for a one-seat scenario; a team's is refused with a message."""
    if "seats" in data:
        seats = data["seats"]
        raise ScenarioError([_TEAM_HERE.format(n=len(seats) if isinstance(seats, list) else "some")])
    scenario = check_any_scenario(data, catalog)
    assert isinstance(scenario, Scenario)
    return scenario


def _toml_nesting_problem(text: str) -> str | None:
    """A value nested deeper than :data:`MAX_DEPTH` in TOML text, found before parsing it.

    Python's TOML reader recurses once per level and fails with RecursionError
    past a few hundred; this scan counts the brackets outside strings and
    comments and names the key the deep value belongs to.
    """
    depth, line, i, n = 0, 1, 0, len(text)
    table, key, line_start = "", "", True
    while i < n:
        c = text[i]
        if c == "\n":
            line, line_start = line + 1, True
        elif c in " \t\r":
            pass
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            j, closed = i + len(quote), False
            while j < n:
                if text.startswith(quote, j):
                    closed = True
                    if len(quote) == 3:  # a multi-line string may end in up to two quotes of its own: """a"""""
                        j += len(text[j + 3 : j + 5]) - len(text[j + 3 : j + 5].lstrip(c))
                    break
                if quote == c and text[j] == "\n":
                    break  # an unclosed one-line string: the reader will say so
                line += text[j] == "\n"
                j += 2 if c == '"' and text[j] == "\\" else 1  # an escape: skip the escaped character
            i, line_start = (j + len(quote) if closed else j), False
            continue
        elif c == "[" and depth == 0 and line_start:
            end = text.find("\n", i)
            end = n if end < 0 else end
            table = text[i:end].split("#")[0].strip().strip("[]").strip()
            i = end
            continue
        elif c == "=" and depth == 0:
            key = text[text.rfind("\n", 0, i) + 1 : i].strip()
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                where = f"{table}.{key}" if table else key
                return (
                    f"{where or 'scenario'} (line {line}): values nested more than {MAX_DEPTH} lists or tables deep; "
                    "a scenario needs at most 3"
                )
        elif c in "]}":
            depth = max(0, depth - 1)
        if c not in " \t\r\n":
            line_start = False
        i += 1
    return None


def _toml_error(err: tomllib.TOMLDecodeError, text: str) -> str:
    """The reader's message with the line it points at, so that the field is named."""
    message = str(err)
    match = re.search(r"at line (\d+)", message)
    if match is not None:
        lines = text.splitlines()
        number = int(match.group(1))
        if 0 < number <= len(lines) and lines[number - 1].strip():
            message += f": {show(lines[number - 1].strip())}"
    return f"scenario file is not valid TOML: {message}"


def read_toml(text: str) -> dict[str, Any]:
    """TOML text as data, every way it can fail refused with a :class:`ScenarioError`."""
    if len(text) > MAX_SCENARIO_CHARS:
        raise ScenarioError([f"scenario file: {len(text):,} characters; a scenario has at most {MAX_SCENARIO_CHARS:,}"])
    deep = _toml_nesting_problem(text)
    if deep is not None:
        raise ScenarioError([deep])
    try:
        return tomllib.loads(text)
    except RecursionError:  # the scan above should have found it; should it miss a way to nest, still no traceback
        raise ScenarioError([f"scenario file: values nested more than {MAX_DEPTH} lists or tables deep"]) from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([_toml_error(err, text)]) from None
    except ValueError:  # an integer of thousands of digits: Python refuses to read it
        long = re.search(r"^(.*?)=\s*[-+]?\d{4000,}", text, re.MULTILINE)
        where = long.group(1).strip() if long is not None else "scenario file"
        raise ScenarioError([f"{where}: a number of thousands of digits; no field of a scenario needs one"]) from None


def scenario_from_toml(text: str, catalog: Catalog | None = None) -> Scenario:
    """Parse and check a one-seat scenario from TOML text (tier names against the catalog).

    >>> s = scenario_from_toml('start = 2026-06-01\\ntier = "Premium Business"\\n[goals]\\nsales = 1.0')
    >>> s.cycles, s.tier
    (1, 'Premium Business')
    """
    return check_scenario(read_toml(text), catalog)


def any_scenario_from_toml(text: str, catalog: Catalog | None = None) -> AnyScenario:
    """Parse and check a scenario from TOML text: a :class:`TeamScenario` when it lists ``[[seats]]``."""
    return check_any_scenario(read_toml(text), catalog)


def read_scenario_file(path: Path | str) -> str:
    """A scenario file's text, every way reading it can fail refused with a :class:`ScenarioError`."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SCENARIO_CHARS * 4 + 1)  # UTF-8 takes at most 4 bytes a character
    except OSError as err:
        raise ScenarioError([f"scenario file {str(path)!r}: {err.strerror or err}"]) from None
    if len(raw) > MAX_SCENARIO_CHARS * 4:
        raise ScenarioError([f"scenario file {str(path)!r}: over {MAX_SCENARIO_CHARS * 4:,} bytes; a scenario is far smaller"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError([f"scenario file {str(path)!r}: not UTF-8 text"]) from None


def load_scenario(path: Path | str, catalog: Catalog | None = None) -> Scenario:
    """Read a one-seat scenario TOML file; see :func:`scenario_from_toml`."""
    return scenario_from_toml(read_scenario_file(path), catalog)


def load_any_scenario(path: Path | str, catalog: Catalog | None = None) -> AnyScenario:
    """Read a scenario TOML file, one seat or a team; see :func:`any_scenario_from_toml`."""
    return any_scenario_from_toml(read_scenario_file(path), catalog)


def scenario_to_dict(scenario: AnyScenario) -> dict[str, Any]:
    """The scenario as plain TOML-ready data, without fields left at their default."""
    data = scenario.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    data = {"version": scenario.version, "start": scenario.start, "cycles": scenario.cycles, **data}
    if "speed_guard" in data:
        data["speed_guard"] = _plain(data["speed_guard"])
    for key in ("tier", "tiers"):
        if key in data:
            data[key] = _plain(data[key])
    for key in ("goals", "weekday_factor"):
        if key in data:
            data[key] = {str(k): v for k, v in data[key].items()}
    if "send_days" in data:
        data["send_days"] = [str(d) for d in data["send_days"]]
    if "buckets" in data:
        data["buckets"] = [_plain(b) for b in data["buckets"]]
    if "seats" in data:
        data["seats"] = [_plain(seat) for seat in data["seats"]]
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return str(value)
    return value


def scenario_to_toml(scenario: AnyScenario) -> str:
    """Write a scenario as TOML that :func:`scenario_from_toml` reads back unchanged."""
    return tomli_w.dumps(scenario_to_dict(scenario))


# --- resolution: names and templates -> numbers -------------------------------------


@dataclass(frozen=True)
class GoalTemplate:
    goal: Goal
    label: str
    description: str
    buckets: tuple[Bucket, ...]


def load_goal_templates(path: Path | str = GOALS_TOML) -> dict[Goal, GoalTemplate]:
    """Read the goal templates (``data/goals.toml``)."""
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    templates = {}
    for key, entry in raw.items():
        goal = Goal(key)
        buckets = tuple(Bucket.model_validate({**b, "goal": goal}) for b in entry["buckets"])
        templates[goal] = GoalTemplate(goal, entry["label"], entry.get("description", ""), buckets)
    return templates
