"""The resolved problem: a scenario turned into the numbers the optimiser works with.

:func:`resolve` checks a :class:`~planner.scenario.Scenario` against the tier
catalog and the goal templates and returns a :class:`Problem`: the calendar,
the tier and grant of every cycle, the buckets with their weights, rates and
follow-up parents, and where the plan starts (:class:`FreshStart`, or a
re-plan's :class:`StartState`). The model, the ledger, the checks and the
charts read a Problem; only :mod:`planner.scenario` knows the file's fields.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from planner.calendar import Calendar, Weekday
from planner.catalog import Catalog, Policy, Tier, load_catalog
from planner.scenario import (
    AnyScenario,
    Bucket,
    FollowsWho,
    Goal,
    GoalTemplate,
    Scenario,
    ScenarioError,
    TeamScenario,
    load_goal_templates,
)


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
    seat: int = 0  # the seat whose bucket it is (a one-seat scenario is a team of one: seat 0)


@dataclass(frozen=True)
class ResolvedSeat:
    """A seat with its numbers: send days, days off, caps and goal mix (a one-seat scenario has one)."""

    index: int
    name: str
    send_days: tuple[Weekday, ...]
    days_off: frozenset[date]
    daily_cap: int | None
    seat_cap: int | None  # most credits the seat may spend per cycle (None: no limit but the pool's)
    shares: dict[Goal, float]
    credits: tuple[float, ...]  # per cycle, what the seat's goal targets are a share of (:meth:`Problem.goal_target`)


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

    @property
    def logged(self) -> dict[int, int]:
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
    logged: dict[int, int]  # day before today -> InMails logged that day (credit-paid and free, any bucket)


Start = FreshStart | StartState


@dataclass(frozen=True)
class Problem:
    """A scenario resolved against the catalog: the numbers the optimiser needs.

    Every problem is a team: a one-seat scenario has one seat (index 0), a
    :class:`~planner.scenario.TeamScenario` one per seat, and the credits are
    the pool's: ``grants`` are seats x monthly credits plus the bonus, the
    balance cap is seats x the tier's (:meth:`balance_cap`).
    """

    scenario: AnyScenario
    calendar: Calendar
    tiers: tuple[Tier, ...]  # per cycle (a team's: each seat's tier)
    grants: tuple[int, ...]  # per cycle: the pool's grant, seats x monthly credits + bonus
    buckets: tuple[ResolvedBucket, ...]
    seats: tuple[ResolvedSeat, ...]
    start: Start = FreshStart()
    # M of the goal mix when it is not this problem's own (a seat planned alone keeps its team's: :func:`seat_view`)
    penalty: float | None = None

    @property
    def is_team(self) -> bool:
        """True for a team scenario (even of one seat): its tables name the seat of every row."""
        return isinstance(self.scenario, TeamScenario)

    @property
    def n_seats(self) -> int:
        return len(self.seats)

    def buckets_of(self, seat: int) -> list[ResolvedBucket]:
        """The buckets of one seat."""
        return [b for b in self.buckets if b.seat == seat]

    def balance_cap(self, k: int) -> int | None:
        """The pool's balance cap in cycle k: seats x the tier's (None: no cap)."""
        cap = self.tiers[k].balance_cap
        return None if cap is None else cap * self.n_seats

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

    def goals_of(self, seat: int) -> list[Goal]:
        """Every goal of a seat with buckets or a share, in a stable order."""
        return sorted({b.goal for b in self.buckets_of(seat)} | set(self.seats[seat].shares), key=str)

    def goal_keys(self) -> list[tuple[int, Goal]]:
        """(seat, goal) for every goal of every seat: what the goal mix sets a target for, each cycle."""
        return [(seat.index, g) for seat in self.seats for g in self.goals_of(seat.index)]

    @property
    def shortfall_penalty(self) -> float:
        """M = 100 * max_b (w_b * r_b): what one send of goal-mix shortfall costs the objective (a seat alone: its team's)."""
        if self.penalty is not None:
            return self.penalty
        return 100 * max((b.weight * b.rate for b in self.buckets), default=0.0)

    @property
    def first_day(self) -> int:
        """The first day the plan may send on (today, for a re-plan)."""
        return self.start.first_day

    def cycle_of(self, t: int) -> int:
        return self.calendar.cycle_of(t)

    def can_send(self, t: int, seat: int | None = None) -> bool:
        """Whether the seat may send on day t (a send day, not a day off, not before a re-plan's today).

        Without a seat: whether any seat may.
        """
        if seat is None:
            return any(t in days for days in self._send_days)
        return t in self._send_days[seat]

    @cached_property
    def _send_days(self) -> tuple[frozenset[int], ...]:
        """Per seat, the days it may send on (asked for every bucket and day while a model is built)."""
        dates = [(t, self.calendar.date_of(t)) for t in range(self.first_day, self.n_days)]
        return tuple(
            frozenset(t for t, day in dates if Weekday.of(day) in s.send_days and day not in s.days_off) for s in self.seats
        )

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

    def goal_target(self, seat: int, goal: Goal, k: int) -> int:
        """floor(share_g * credits_k of the seat), less what the log already sent.

        A seat's credits of cycle k are the tier's monthly credits plus its share of the bonus
        (bonus / seats), at most its seat cap: one seat's are monthly credits + bonus, as in
        MODEL.md's constraint 7.
        """
        # the small epsilon keeps 0.7 * 50 = 34.999... at 35
        target = int(self.seats[seat].shares.get(goal, 0.0) * self.seats[seat].credits[k] + 1e-9)
        if self._logged(k):
            target = max(0, target - self.start.paid_by_goal.get(goal, 0))
        return target

    def sent_in_week_before(self, t: int) -> int:
        """InMails the log sent in the 7 days before day t (days before a re-plan's today; none before ``start``)."""
        return sum(self.start.logged.get(d, 0) for d in range(max(0, t - 7), min(t, self.first_day)))

    def reserve_floor(self, k: int) -> int:
        return min(self.scenario.reserve, self.grants[k])

    def reserve_applies(self, t: int) -> bool:
        """Whether day t lies before the last reserve_release_days days of its cycle."""
        k = self.cycle_of(t)
        return t <= self.calendar.cycle_end(k) - self.scenario.reserve_release_days


def resolve(
    scenario: AnyScenario,
    catalog: Catalog | None = None,
    templates: dict[Goal, GoalTemplate] | None = None,
) -> Problem:
    """Check a scenario (one seat, or a team) against the catalog and templates and resolve it to numbers."""
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
            message = catalog.unknown_tier_message(where, ref)
            if message not in problems:
                problems.append(message)
    if problems:
        raise ScenarioError(problems)

    plans = [scenario] if isinstance(scenario, Scenario) else [scenario.seat_scenario(i) for i in range(len(scenario.seats))]
    names = [s.name for s in scenario.seats] if isinstance(scenario, TeamScenario) else [""]
    caps = [s.seat_cap for s in scenario.seats] if isinstance(scenario, TeamScenario) else [None]
    seats: list[ResolvedSeat] = []
    resolved: list[ResolvedBucket] = []
    for i, one in enumerate(plans):
        buckets, shares = _seat_buckets(one, templates)
        credits = tuple(
            _seat_credits(tiers[k].monthly_credits + scenario.bonus_of(k) / len(plans), caps[i]) for k in range(scenario.cycles)
        )
        days_off = frozenset(one.days_off)
        seats.append(ResolvedSeat(i, names[i], tuple(one.send_days), days_off, one.daily_cap, caps[i], shares, credits))
        resolved += _resolve_buckets(buckets, seat=i, first=len(resolved))
    calendar = Calendar.build(scenario.start, scenario.cycles)
    grants = tuple(tiers[k].monthly_credits * len(seats) + scenario.bonus_of(k) for k in range(scenario.cycles))
    return Problem(scenario, calendar, tuple(tiers), grants, tuple(resolved), tuple(seats))


def _seat_credits(credits: float, seat_cap: int | None) -> float:
    return credits if seat_cap is None else min(credits, float(seat_cap))


def seat_view(problem: Problem, seat: int) -> Problem:
    """One seat of a team alone: its buckets (indexed from 0) and its goal targets, on the team's calendar and tiers.

    Its credits are not the seat's to have: :mod:`planner.team` plans it with the
    pool's ledger left out (a relaxation) and checks the team's schedule on the pool.
    Its goal-mix penalty M is the team's, so that its objective is its part of the team's
    and the seats' bounds add up to a bound on the team's.
    """
    mine = problem.buckets_of(seat)
    first = mine[0].index if mine else 0
    buckets = tuple(
        replace(b, index=b.index - first, parent=None if b.parent is None else b.parent - first, seat=0) for b in mine
    )
    one = (replace(problem.seats[seat], index=0),)
    return replace(problem, buckets=buckets, seats=one, penalty=problem.shortfall_penalty)


def _seat_buckets(scenario: Scenario, templates: dict[Goal, GoalTemplate] | None) -> tuple[list[Bucket], dict[Goal, float]]:
    """A seat's buckets (its own, or its goals' templates) and its goal shares."""
    if scenario.buckets is not None:
        buckets = list(scenario.buckets)
    else:
        templates = templates if templates is not None else load_goal_templates()
        assert scenario.goals is not None
        buckets = [b for g, share in scenario.goals.items() if share > 0 for b in templates[g].buckets]
    shares = dict(scenario.goals) if scenario.goals is not None else {buckets[0].goal: 1.0} if buckets else {}
    return buckets, shares


def _resolve_buckets(buckets: list[Bucket], *, seat: int, first: int) -> list[ResolvedBucket]:
    """One seat's buckets as numbers, indexed from ``first`` (follow-ups name buckets of the same seat)."""
    index = {b.name: first + i for i, b in enumerate(buckets)}
    resolved = []
    for i, b in enumerate(buckets):
        parent = index[b.follows] if b.follows is not None else None
        alpha = 0.0
        if parent is not None:
            r_parent = buckets[parent - first].response_rate
            alpha = r_parent if b.follows_who is FollowsWho.RESPONDERS else 1 - r_parent
        resolved.append(
            ResolvedBucket(
                index=first + i,
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
                seat=seat,
            )
        )
    return resolved
