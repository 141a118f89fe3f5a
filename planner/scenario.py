"""Scenarios: what a user asks the planner, validated, read from and written to TOML.

A :class:`Scenario` holds the fields of MODEL.md as the user wrote them (tier
names, priorities, goal shares). :func:`resolve` checks it against the tier
catalog and the goal templates and turns it into a :class:`Problem`, the
numbers the optimiser works with. Every bad input is refused before solving
with a :class:`ScenarioError` whose messages name the field and the value.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from planner.calendar import WORKDAYS, Calendar, Weekday
from planner.catalog import Catalog, Policy, Tier, load_catalog
from planner.paths import GOALS_TOML

SHARE_TOLERANCE = 1e-6


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

    name: str = Field(min_length=1)
    goal: Goal
    priority: Priority | None = None
    weight: float | None = Field(default=None, gt=0)
    response_rate: float = Field(ge=0, le=1)
    pool: int | None = Field(default=None, ge=0)
    min: int = Field(default=0, ge=0)
    free: bool = False
    follows: str | None = None
    follows_who: FollowsWho = FollowsWho.NON_RESPONDERS
    gap_days: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _check(self) -> Bucket:
        if self.priority is not None and self.weight is not None:
            raise ValueError(f"give priority ({self.priority}) or weight ({self.weight}), not both")
        if self.pool is not None and self.min > self.pool:
            raise ValueError(f"min ({self.min}) is above pool ({self.pool})")
        if self.follows is not None and self.follows == self.name:
            raise ValueError(f"follows = {self.follows!r}: a bucket cannot follow itself")
        return self

    @property
    def value_weight(self) -> float:
        """w_b: the explicit weight, else the priority's (high 3, medium 2, low 1)."""
        if self.weight is not None:
            return self.weight
        return PRIORITY_WEIGHT[self.priority or Priority.MEDIUM]


TierRef = str | Tier


class Scenario(BaseModel):
    """A planning scenario with the fields of MODEL.md (see ``data/examples``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    title: str | None = None
    start: date
    cycles: int = Field(default=1, ge=1, le=12)
    tier: TierRef | None = None
    tiers: list[TierRef] | None = None
    bonus_credits: int | list[int] = 0
    send_days: list[Weekday] = Field(default_factory=lambda: list(WORKDAYS))
    days_off: list[date] = Field(default_factory=list)
    weekday_factor: dict[Weekday, float] = Field(default_factory=dict)
    daily_cap: int | None = Field(default=None, ge=0)
    reserve: int = Field(default=0, ge=0)
    reserve_release_days: int = Field(default=3, ge=0)
    refund_reliance: float = Field(default=0.0, ge=0, le=1)
    refund_lag_days: int = Field(default=7, ge=1)
    time_discount: float = Field(default=0.001, ge=0)
    goals: dict[Goal, float] | None = None
    buckets: list[Bucket] | None = None

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        if (self.tier is None) == (self.tiers is None):
            raise ValueError("give either tier (one for every cycle) or tiers (one per cycle), exactly one of them")
        if self.tiers is not None and len(self.tiers) != self.cycles:
            raise ValueError(f"tiers lists {len(self.tiers)} tiers but cycles = {self.cycles}; give one per cycle")
        bonus = self.bonus_credits
        if isinstance(bonus, list):
            if len(bonus) != self.cycles:
                raise ValueError(f"bonus_credits lists {len(bonus)} numbers but cycles = {self.cycles}")
            if any(b < 0 for b in bonus):
                raise ValueError(f"bonus_credits = {bonus}: must not be negative")
        elif bonus < 0:
            raise ValueError(f"bonus_credits = {bonus}: must not be negative")
        for day, factor in self.weekday_factor.items():
            if factor < 0:
                raise ValueError(f"weekday_factor.{day} = {factor}: must not be negative")
        horizon = Calendar.build(self.start, self.cycles).n_days
        if self.time_discount * horizon >= 1:
            raise ValueError(f"time_discount = {self.time_discount}: times the horizon ({horizon} days) it must stay below 1")
        if self.goals is not None:
            for goal, share in self.goals.items():
                if share < 0 or share > 1:
                    raise ValueError(f"goals.{goal} = {share}: a share is between 0 and 1")
            total = sum(self.goals.values())
            if abs(total - 1) > SHARE_TOLERANCE:
                raise ValueError(f"goals: shares sum to {total:g}, not 1 ({dict(self.goals)})")
        if self.buckets is not None:
            _check_buckets(self.buckets)
            for i, b in enumerate(self.buckets):
                if b.free and b.pool is None and b.follows is None and self.daily_cap is None:
                    raise ValueError(
                        f"buckets[{i}].pool: {b.name!r} is free and has no pool; free sends cost no credit, "
                        "so give it a pool (or set daily_cap) to say how many recipients there are"
                    )
            if self.goals is None and len({b.goal for b in self.buckets}) > 1:
                goals = sorted({str(b.goal) for b in self.buckets})
                raise ValueError(f"goals: the buckets have several goals ({', '.join(goals)}); give each a share")
        elif self.goals is None:
            raise ValueError("goals: give a goal mix (goal -> share) or a list of buckets")
        return self

    def tier_refs(self) -> list[TierRef]:
        """The tier of each cycle, as written (name or inline tier)."""
        if self.tiers is not None:
            return list(self.tiers)
        assert self.tier is not None
        return [self.tier] * self.cycles

    def bonus_of(self, k: int) -> int:
        return self.bonus_credits[k] if isinstance(self.bonus_credits, list) else self.bonus_credits

    def with_tier(self, tier: TierRef) -> Scenario:
        """The same scenario with one tier for every cycle."""
        return self.model_copy(update={"tier": tier, "tiers": None})


def _check_buckets(buckets: list[Bucket]) -> None:
    names = [b.name for b in buckets]
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"buckets[{i}].name = {name!r}: bucket names must be unique")
        seen.add(name)
    parent = {b.name: b.follows for b in buckets}
    for i, b in enumerate(buckets):
        if b.follows is not None and b.follows not in parent:
            raise ValueError(f"buckets[{i}].follows = {b.follows!r}: no bucket has that name")
    for b in buckets:
        chain, current = [b.name], parent[b.name]
        while current is not None:
            if current in chain:
                loop = " -> ".join([*chain[chain.index(current) :], current])
                raise ValueError(f"buckets.follows forms a loop: {loop}")
            chain.append(current)
            current = parent[current]


class ScenarioError(ValueError):
    """A scenario was refused; ``problems`` lists one message per bad field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


# what a union field accepts, for a value that matches none of its forms
UNION_EXPECTS = {
    "tier": "a tier name or an inline tier table",
    "tiers": "a tier name or an inline tier table",
    "bonus_credits": "a whole number of credits, or one per cycle",
}


def _is_union_label(part: Any) -> bool:
    """pydantic labels each member of a union in the error path ('str', 'list[int]', ...)."""
    return isinstance(part, str) and (part in {"str", "int", "float"} or "[" in part)


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _is_union_label(part):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "scenario"


def _describe(err: ValidationError) -> list[str]:
    errors = err.errors()
    paths = [_field_path(tuple(e["loc"])) for e in errors]
    # a union member that did not match the value's type at all ('str' for an inline table)
    no_match = [bool(e["loc"]) and _is_union_label(e["loc"][-1]) and e["type"] != "value_error" for e in errors]
    problems: list[str] = []
    for e, path, unmatched in zip(errors, paths, no_match, strict=True):
        message = str(e["msg"]).removeprefix("Value error, ")
        loc = tuple(e["loc"])
        if unmatched:
            # if another member of the union got further, its error says more;
            # otherwise say what the field accepts
            if any(p.startswith(path) and not other for p, other in zip(paths, no_match, strict=True)):
                continue
            top = next(str(part) for part in loc if isinstance(part, str))
            problems.append(f"{path} = {e['input']!r}: expected {UNION_EXPECTS.get(top, 'another type')}")
        elif e["type"] == "extra_forbidden":
            problems.append(f"{path}: unknown field (value {e['input']!r})")
        elif e["type"] == "value_error" and path == "scenario":
            problems.append(message)
        elif e["type"] == "value_error":
            problems.append(f"{path}: {message}")
        elif e["type"] == "missing":
            problems.append(f"{path}: required field is missing")
        else:
            problems.append(f"{path} = {e['input']!r}: {message}")
    # a union reports each member; keep each message once
    return list(dict.fromkeys(problems))


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """Validate scenario fields (as read from TOML) into a :class:`Scenario`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_describe(err)) from None


def scenario_from_toml(text: str, catalog: Catalog | None = None) -> Scenario:
    """Parse and check a scenario from TOML text (tier names against the catalog).

    >>> s = scenario_from_toml('start = 2026-06-01\\ntier = "Premium Business"\\n[goals]\\nsales = 1.0')
    >>> s.cycles, s.tier
    (1, 'Premium Business')
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([f"scenario file is not valid TOML: {err}"]) from None
    scenario = parse_scenario(data)
    resolve(scenario, catalog)  # unknown tiers and template problems are input errors too
    return scenario


def load_scenario(path: Path | str, catalog: Catalog | None = None) -> Scenario:
    """Read a scenario TOML file; see :func:`scenario_from_toml`."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise ScenarioError([f"scenario file {str(path)!r}: {err.strerror or err}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError([f"scenario file {str(path)!r}: not UTF-8 text"]) from None
    return scenario_from_toml(text, catalog)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain TOML-ready data, without fields left at their default."""
    data = scenario.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    data = {"version": 1, "start": scenario.start, "cycles": scenario.cycles, **data}
    for key in ("tier", "tiers"):
        if key in data:
            data[key] = _plain(data[key])
    if "buckets" in data:
        data["buckets"] = [_plain(b) for b in data["buckets"]]
    for key in ("goals", "weekday_factor"):
        if key in data:
            data[key] = {str(k): v for k, v in data[key].items()}
    if "send_days" in data:
        data["send_days"] = [str(d) for d in data["send_days"]]
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return str(value)
    return value


def scenario_to_toml(scenario: Scenario) -> str:
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


@dataclass(frozen=True)
class ResolvedBucket:
    """A bucket with its numbers: weight, rate, follow-up parent index and alpha."""

    index: int
    name: str
    goal: Goal
    weight: float
    rate: float
    pool: int | None
    min: int
    free: bool
    parent: int | None
    alpha: float
    gap_days: int
    follows_responders: bool = False  # True: follows those who responded; False: non-responders


@dataclass(frozen=True)
class FreshStart:
    """A plan for the whole horizon: it starts on the first grant day, with nothing held and nothing logged.

    One of the two starts a :class:`Problem` can have (the other is
    :class:`StartState`, a re-plan from today); both answer the same
    questions, so no consumer can read a re-plan as if it began on day 0.
    """

    @property
    def first_day(self) -> int:
        return 0

    @property
    def lots(self) -> tuple[tuple[int, float], ...]:
        return ()

    @property
    def sent(self) -> dict[int, int]:
        return {}

    @property
    def paid_by_goal(self) -> dict[Goal, int]:
        return {}

    @property
    def credits_due(self) -> dict[int, float]:
        return {}

    @property
    def eligible(self) -> dict[int, tuple[float, ...]]:
        return {}


@dataclass(frozen=True)
class StartState:
    """Where a re-plan from today starts: the credits held and what the log already did.

    Built by :func:`planner.actuals.start_state` (MODEL.md, "Actuals"); a plan
    from the horizon's first day has a :class:`FreshStart` instead.
    """

    first_day: int  # today's day index; no sends are planned before it
    lots: tuple[tuple[int, float], ...]  # (last valid day, credits) held at the start of today
    sent: dict[int, int]  # bucket index -> sends logged in today's cycle before today
    paid_by_goal: dict[Goal, int]  # credit-paid sends logged in today's cycle, per goal
    credits_due: dict[int, float]  # day -> credit-backs of logged sends arriving from today on
    eligible: dict[int, tuple[float, ...]]  # follow-up bucket -> extra eligible recipients, per day


Start = FreshStart | StartState


@dataclass(frozen=True)
class Problem:
    """A scenario resolved against the catalog: the numbers the optimiser needs."""

    scenario: Scenario
    calendar: Calendar
    tiers: tuple[Tier, ...]  # per cycle
    grants: tuple[int, ...]  # per cycle: monthly credits + bonus
    buckets: tuple[ResolvedBucket, ...]
    shares: dict[Goal, float]
    start: Start = FreshStart()

    @property
    def is_replan(self) -> bool:
        """True for a re-plan from today (the start is a :class:`StartState`)."""
        return isinstance(self.start, StartState)

    @property
    def days(self) -> range:
        """The day indices the plan covers: the whole horizon, or today to its end for a re-plan."""
        return range(self.first_day, self.n_days)

    def days_of(self, k: int) -> range:
        """The days of cycle k that the plan covers (a re-plan's current cycle starts today)."""
        days = self.calendar.cycle_days(k)
        return range(max(days.start, self.first_day), max(days.stop, self.first_day))

    @property
    def opening_credits(self) -> float:
        """Credits held at the start of the first day, before its grant (a re-plan's lots; else 0)."""
        return float(sum(amount for _, amount in self.start.lots))

    @property
    def n_days(self) -> int:
        return self.calendar.n_days

    @property
    def goals(self) -> list[Goal]:
        """Every goal with buckets or a share, in a stable order."""
        return sorted({b.goal for b in self.buckets} | set(self.shares), key=str)

    @property
    def shortfall_penalty(self) -> float:
        """M = 100 * max_b (w_b * r_b): what one send of goal-mix shortfall costs the objective."""
        return 100 * max((b.weight * b.rate for b in self.buckets), default=0.0)

    @property
    def first_day(self) -> int:
        """The first day the plan may send on (today, for a re-plan)."""
        return self.start.first_day

    def cycle_of(self, t: int) -> int:
        return self.calendar.cycle_of(t)

    def can_send(self, t: int) -> bool:
        s = self.scenario
        day = self.calendar.date_of(t)
        return t >= self.first_day and Weekday.of(day) in s.send_days and day not in s.days_off

    def _logged(self, k: int) -> bool:
        """Whether the log already sent in cycle k (today's cycle of a re-plan)."""
        return self.is_replan and k == self.cycle_of(self.start.first_day)

    def pool_of(self, b: ResolvedBucket, k: int) -> int | None:
        """The bucket's pool in cycle k, less what the log already sent in it."""
        if b.pool is None or not self._logged(k):
            return b.pool
        return max(0, b.pool - self.start.sent.get(b.index, 0))

    def min_of(self, b: ResolvedBucket, k: int) -> int:
        """The bucket's minimum in cycle k, less what the log already sent in it."""
        if not self._logged(k):
            return b.min
        return max(0, b.min - self.start.sent.get(b.index, 0))

    def extra_eligible(self, f: ResolvedBucket, t: int) -> float:
        """Follow-ups the log makes eligible on day t beyond alpha times planned parent sends."""
        if f.index not in self.start.eligible:
            return 0.0
        return self.start.eligible[f.index][t]

    def cycles_ahead(self) -> range:
        """The cycles the plan covers: all of them, or from today's on for a re-plan."""
        return range(self.cycle_of(self.first_day), self.calendar.cycles)

    def grant_days(self) -> list[int]:
        """Cycle starts whose grant is still to come (all of them, unless re-planning)."""
        return [t for t in self.calendar.cycle_starts if t >= self.first_day]

    def value_factor(self, t: int) -> float:
        """weekday_factor(d) * (1 - delta * t_d): what one send on day t is worth."""
        s = self.scenario
        weekday = Weekday.of(self.calendar.date_of(t))
        return s.weekday_factor.get(weekday, 1.0) * (1 - s.time_discount * t)

    def last_valid_day(self, arrival: int) -> int:
        """Index of the last day on which credits received on ``arrival`` can be spent."""
        k = self.cycle_of(arrival)
        tier = self.tiers[k]
        if tier.policy is Policy.CYCLE:
            return self.calendar.cycle_end(k)
        assert tier.max_age_days is not None
        return arrival + tier.max_age_days - 1

    def refund_rate(self, t: int) -> float:
        """Share of r_b a credit-paid send on day t is counted on getting back."""
        tier = self.tiers[self.cycle_of(t)]
        return self.scenario.refund_reliance if tier.credit_back else 0.0

    def goal_target(self, goal: Goal, k: int) -> int:
        """floor(share_g * (monthly credits + bonus of k)), less what the log already sent."""
        # the small epsilon keeps 0.7 * 50 = 34.999... at 35
        target = int(self.shares.get(goal, 0.0) * self.grants[k] + 1e-9)
        if self._logged(k):
            target = max(0, target - self.start.paid_by_goal.get(goal, 0))
        return target

    def reserve_floor(self, k: int) -> int:
        return min(self.scenario.reserve, self.grants[k])

    def reserve_applies(self, t: int) -> bool:
        """Whether day t lies before the last reserve_release_days days of its cycle."""
        k = self.cycle_of(t)
        return t <= self.calendar.cycle_end(k) - self.scenario.reserve_release_days


def resolve(
    scenario: Scenario,
    catalog: Catalog | None = None,
    templates: dict[Goal, GoalTemplate] | None = None,
) -> Problem:
    """Check a scenario against the catalog and templates and resolve it to numbers."""
    catalog = catalog if catalog is not None else load_catalog()
    problems: list[str] = []
    tiers: list[Tier] = []
    for k, ref in enumerate(scenario.tier_refs()):
        if isinstance(ref, Tier):
            tiers.append(ref)
        elif ref in catalog:
            tiers.append(catalog[ref])
        else:
            where = f"tiers[{k}]" if scenario.tiers is not None else "tier"
            message = f"{where} = {ref!r}: unknown tier; known tiers: {', '.join(catalog)}"
            if message not in problems:
                problems.append(message)
    if problems:
        raise ScenarioError(problems)

    if scenario.buckets is not None:
        buckets = list(scenario.buckets)
    else:
        templates = templates if templates is not None else load_goal_templates()
        assert scenario.goals is not None
        buckets = [b for g, share in scenario.goals.items() if share > 0 for b in templates[g].buckets]
    shares = dict(scenario.goals) if scenario.goals is not None else {buckets[0].goal: 1.0} if buckets else {}

    index = {b.name: i for i, b in enumerate(buckets)}
    resolved = []
    for i, b in enumerate(buckets):
        parent = index[b.follows] if b.follows is not None else None
        alpha = 0.0
        if parent is not None:
            r_parent = buckets[parent].response_rate
            alpha = r_parent if b.follows_who is FollowsWho.RESPONDERS else 1 - r_parent
        resolved.append(
            ResolvedBucket(
                index=i,
                name=b.name,
                goal=b.goal,
                weight=b.value_weight,
                rate=b.response_rate,
                pool=b.pool,
                min=b.min,
                free=b.free,
                parent=parent,
                alpha=alpha,
                gap_days=b.gap_days,
                follows_responders=parent is not None and b.follows_who is FollowsWho.RESPONDERS,
            )
        )
    calendar = Calendar.build(scenario.start, scenario.cycles)
    grants = tuple(tiers[k].monthly_credits + scenario.bonus_of(k) for k in range(scenario.cycles))
    return Problem(scenario, calendar, tuple(tiers), grants, tuple(resolved), shares)
