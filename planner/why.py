"""Why the plan is what it is (MODEL.md v2): what holds each bucket's sends, and what one more credit is worth.

Every reason is a statement about the plan's own schedule that can be checked,
not a reading of LP duals:

- a bucket's **pool** is used up when its sends in the cycle equal its pool;
- a **follow-up** has reached every recipient its parent made eligible when
  no send day of the cycle has a whole eligible recipient left for all later days;
- the **daily cap** (and, as more day limits, the speed guard and the reply
  capacity) holds a bucket when every day it could send is full;
- the **credits** hold it when no send day of the cycle has a credit the
  real ledger could spare (one more send there breaks the ledger or the reserve);
- other buckets are **worth more per credit** when moving one of their sends
  in the cycle to this bucket, on the same day, makes the plan worse (checked
  on the real ledger and scored); when the loss is a goal-mix shortfall, it
  is the **goal share** of the other bucket's goal that holds it;
- a bucket **held at its minimum** sends exactly its minimum while the credits
  are worth more elsewhere.

The **value of one more credit** of cycle k is a re-solve with that cycle's
grant one larger (:func:`credit_values`), warm-started from the plan with the
best single send the extra credit allows, so it ends after the LP whenever
that start is within the gap of the LP bound; it is reported as the change of
the weighted value (the objective's first term) and of the expected responses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import pandas as pd

from planner.check import replies_on, score, violations, week_before
from planner.ledger import simulate
from planner.plan import Plan
from planner.problem import Problem, ResolvedBucket
from planner.solve import DEFAULT_GAP, DEFAULT_TIME_LIMIT, make_plan

EPS = 1e-6
# each credit value's re-solve stops here at the latest: a grant one larger can make a plan HiGHS proves
# in 0.1 s take 10 s to prove (bench/five_buckets.toml, one cycle); the re-solve is never worse than its
# start, and its proven gap is reported with the value
CREDIT_SECONDS = 2.0


class Limit(StrEnum):
    """What holds a bucket's sends in a cycle (MODEL.md, "Why the plan is what it is")."""

    POOL = "pool"
    MINIMUM = "minimum"
    FOLLOW_UP = "follow_up"
    GOAL_SHARE = "goal_share"
    CREDITS = "credits"
    RESERVE = "reserve"
    DAILY_CAP = "daily_cap"
    SPEED_GUARD = "speed_guard"
    REPLY_CAPACITY = "reply_capacity"
    WORTH_LESS = "worth_less"  # other buckets are worth more per credit
    TIE = "tie"  # other buckets are worth exactly as much per credit
    NO_SEND_DAY = "no_send_day"
    GAP = "gap"  # nothing holds it: one more send fits, and the plan stops within its proven gap


@dataclass(frozen=True)
class CycleLimit:
    """The limit that holds one bucket's sends in one cycle, and the words for it."""

    cycle: int  # 0-based
    limit: Limit
    sentence: str
    others: tuple[str, ...] = ()  # the buckets worth more per credit (or as much, for a TIE)
    share_of: tuple[str, ...] = ()  # the buckets whose goal share needs the credits
    minimums_of: tuple[str, ...] = ()  # the buckets whose minimums take the credits
    fixed: tuple[str, ...] = ()  # the buckets none of whose sends can move to this one (the ledger, follow-up timing)


@dataclass(frozen=True)
class BucketWhy:
    """What holds one bucket's sends, cycle by cycle, and the reason in words (:attr:`reason`)."""

    bucket: str
    sends: int
    cycles: tuple[CycleLimit, ...]

    @property
    def limits(self) -> frozenset[Limit]:
        return frozenset(c.limit for c in self.cycles)

    @property
    def reason(self) -> str:
        """The cycles' sentences, grouped where they agree: "pool of 25 used up", or "cycles 1-2: ...; cycle 3: ..."."""
        if not self.cycles:
            return "nothing left to plan"
        groups: list[tuple[list[int], str]] = []
        for c in self.cycles:
            if groups and groups[-1][1] == c.sentence and groups[-1][0][-1] == c.cycle - 1:
                groups[-1][0].append(c.cycle)
            else:
                groups.append(([c.cycle], c.sentence))
        if len(groups) == 1:
            return groups[0][1]
        return "; ".join(f"{_cycles_label(ks)}: {sentence}" for ks, sentence in groups)

    @property
    def line(self) -> str:
        """ "Follow-up: 0 sends: every credit is worth more on Initial prospecting and Account expansion"."""
        return f"{self.bucket}: {self.sends} send{'' if self.sends == 1 else 's'}: {self.reason}"


@dataclass(frozen=True)
class CreditValue:
    """What one more credit granted in a cycle is worth: a re-solve with that grant one larger."""

    cycle: int  # 0-based
    value: float  # change of the weighted value (the objective's first term)
    responses: float  # change of the expected responses
    gap: float | None  # the re-solve's proven gap on the value
    warm: bool  # the re-solve ended at its warm start (proven within the gap after the LP)

    @property
    def sentence(self) -> str:
        return (
            f"One more credit in cycle {self.cycle + 1} is worth {self.responses:+.2f} expected responses "
            f"({self.value:+.2f} weighted)."
        )


@dataclass(frozen=True)
class Why:
    """Every bucket's reason and, when computed, every cycle's value of one more credit."""

    buckets: tuple[BucketWhy, ...]
    credit_values: tuple[CreditValue, ...] = ()
    credit_seconds: float = 0.0

    def reasons(self) -> dict[str, str]:
        """Bucket name -> reason, as the CLI's summary JSON holds them."""
        return {b.bucket: b.reason for b in self.buckets}

    def credit_value(self) -> dict[str, float]:
        """Cycle (1-based, as text) -> expected responses one more credit adds."""
        return {str(c.cycle + 1): round(c.responses, 6) for c in self.credit_values}

    def credit_weighted_value(self) -> dict[str, float]:
        """Cycle (1-based, as text) -> weighted value one more credit adds (the objective's first term)."""
        return {str(c.cycle + 1): round(c.value, 6) for c in self.credit_values}

    def table(self) -> pd.DataFrame:
        """One row per bucket: bucket, sends, why (the Plan page's table)."""
        rows = [{"bucket": b.bucket, "sends": b.sends, "why": b.reason} for b in self.buckets]
        return pd.DataFrame(rows, columns=["bucket", "sends", "why"])

    def credit_table(self) -> pd.DataFrame:
        """One row per cycle: cycle, responses, weighted value, the re-solve's gap."""
        rows = [
            {"cycle": c.cycle + 1, "responses": c.responses, "weighted_value": c.value, "gap": c.gap} for c in self.credit_values
        ]
        return pd.DataFrame(rows, columns=["cycle", "responses", "weighted_value", "gap"])

    def summary(self) -> dict[str, dict[str, str] | dict[str, float]]:
        """The keys the CLI's summary JSON adds: ``why``, ``credit_value`` and ``credit_weighted_value``."""
        return {
            "why": self.reasons(),
            "credit_value": self.credit_value(),
            "credit_weighted_value": self.credit_weighted_value(),
        }


def _cycles_label(cycles: list[int]) -> str:
    """ "cycle 2" or "cycles 1-3" (1-based)."""
    if len(cycles) == 1:
        return f"cycle {cycles[0] + 1}"
    return f"cycles {cycles[0] + 1}-{cycles[-1] + 1}"


def _names(names: Iterable[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- room for one more send ----------------------------------------------------------------------


def follow_up_room(problem: Problem, sends: np.ndarray, f: ResolvedBucket, t: int) -> float:
    """How many more follow-ups of ``f`` day t can take: min over d >= t of eligible(d) - sent through d (constraint 4).

    Unbounded (inf) for a bucket that follows no other.
    """
    if f.parent is None:
        return float("inf")
    child = np.cumsum(sends[f.index])
    parent = np.cumsum(sends[f.parent])
    days = np.arange(t, problem.n_days)
    eligible = np.where(days - f.gap_days >= 0, f.alpha * parent[np.maximum(days - f.gap_days, 0)], 0.0)
    eligible = eligible + np.array([problem.extra_eligible(f, int(d)) for d in days])
    return float((eligible - child[days]).min())


DayLimit = Callable[[Problem, np.ndarray, ResolvedBucket, int], bool]


def _cap_full(problem: Problem, sends: np.ndarray, b: ResolvedBucket, t: int) -> bool:
    """Constraint 5: day t already has the seat's daily_cap sends."""
    seat = problem.seats[b.seat]
    mine = [c.index for c in problem.buckets_of(b.seat)]
    return seat.daily_cap is not None and sends[mine, t].sum() >= seat.daily_cap


def _guard_full(problem: Problem, sends: np.ndarray, b: ResolvedBucket, t: int) -> bool:
    """MODEL.md v2 speed guard: one more InMail on day t would exceed R0 + g * (the week before) / 7.

    (One more send on t only raises the allowance of the days after it, so day t is the one to check.)
    """
    guard = problem.scenario.speed_guard
    mine = [c.index for c in problem.buckets_of(b.seat)]
    return guard is not None and sends[mine, t].sum() + 1 > guard.allowed(week_before(problem, sends, t, b.seat)) + EPS


def _replies_full(problem: Problem, sends: np.ndarray, b: ResolvedBucket, t: int) -> bool:
    """MODEL.md v2 reply capacity: one more send of b on day t would take its expected replies above replies_per_day."""
    most = problem.scenario.replies_per_day
    return most is not None and b.rate > 0 and replies_on(problem, sends, t, b.seat) + b.rate > most + EPS


# the limits on one day's sends, in the order they are named (a check of one more send of b on day t)
DAY_LIMITS: tuple[tuple[Limit, DayLimit], ...] = (
    (Limit.DAILY_CAP, _cap_full),
    (Limit.SPEED_GUARD, _guard_full),
    (Limit.REPLY_CAPACITY, _replies_full),
)


def day_limit(problem: Problem, sends: np.ndarray, b: ResolvedBucket, t: int) -> Limit | None:
    """The first day limit that leaves no room for one more send of b on day t, or None."""
    for limit, full in DAY_LIMITS:
        if full(problem, sends, b, t):
            return limit
    return None


def spare_credits(problem: Problem, ledger: pd.DataFrame) -> np.ndarray:
    """Per day t, an estimate of the credits one more credit-paid send on t could take without breaking the ledger.

    Paying one more credit on t lowers the balance (after sends, less the
    reserve floor) of every day from t until the first day on which credits
    expire or are forfeited over the cap (where the lower balance is
    absorbed); the least of those balances is the estimate. Every use is
    confirmed on the real ledger (:func:`_fits`).
    """
    after_sends = (ledger["closing"] + ledger["expired"] - ledger["reserve_floor"]).to_numpy(dtype=float)
    expired = ledger["expired"].to_numpy(dtype=float) >= 1 - EPS
    forfeited = ledger["forfeited"].to_numpy(dtype=float) >= 1 - EPS
    n = len(after_sends)
    spare = np.zeros(n)
    for i in range(n - 1, -1, -1):
        # the window of day i ends where a credit expires unused, or before a grant the cap cuts
        ends = expired[i] or (i + 1 < n and forfeited[i + 1]) or i + 1 == n
        spare[i] = after_sends[i] if ends else min(after_sends[i], spare[i + 1])
    return spare


def _fits(problem: Problem, sends: np.ndarray, b: int, t: int) -> np.ndarray | None:
    """The schedule with one more send of bucket b on day t, if it meets every constraint; else None."""
    more = sends.copy()
    more[b, t] += 1
    return None if violations(problem, more) else more


def _room_days(problem: Problem, sends: np.ndarray, b: ResolvedBucket, days: Iterable[int]) -> list[int]:
    """The send days on which the bucket's follow-up eligibility leaves room for one more send."""
    return [t for t in days if problem.can_send(t) and follow_up_room(problem, sends, b, t) >= 1 - EPS]


# --- the reasons -----------------------------------------------------------------------------


def _moved(problem: Problem, sends: np.ndarray, donor: int, to: int, t: int) -> np.ndarray:
    moved = sends.copy()
    moved[donor, t] -= 1
    moved[to, t] += 1
    return moved


def _donor_verdicts(
    problem: Problem, sends: np.ndarray, b: ResolvedBucket, k: int, room: list[int]
) -> dict[str, tuple[str, float]]:
    """Per other credit-paid bucket with sends in cycle k: the result of moving one of its sends to b on the same day.

    ``(kind, change)``: kind is ``worse`` (the objective drops), ``goal`` (it drops by a goal-mix
    shortfall), ``infeasible``, ``tie`` or ``better``, or ``minimum`` (the other bucket sends no more
    than its own minimum, so none of its sends can move); change is the objective's change.
    """
    days = problem.days_of(k)
    base = score(problem, sends)
    verdicts: dict[str, tuple[str, float]] = {}
    for c in problem.buckets:
        if c.index == b.index or c.free:
            continue
        sent_days = [t for t in days if sends[c.index, t] > 0]
        if not sent_days:
            continue
        if sends[c.index, days.start : days.stop].sum() <= problem.min_of(c, k):
            verdicts[c.name] = ("minimum", float("-inf"))  # its sends are its minimum's: none can move
            continue
        # the day of c's sends where b is worth most (b may only send where its follow-up eligibility allows)
        usable = [t for t in sent_days if t in room] or sent_days
        t = max(usable, key=lambda d: problem.value_factor(d))
        moved = _moved(problem, sends, c.index, b.index, t)
        if violations(problem, moved) and room:
            # not on the same day (a follow-up's recipients come later): c's send before b's best day
            to = max(room, key=lambda d: problem.value_factor(d))
            before = [d for d in sent_days if d <= to]
            moved = sends.copy()
            moved[c.index, before[-1] if before else sent_days[0]] -= 1
            moved[b.index, to] += 1
        if violations(problem, moved):
            # the move breaks a rule: a bucket worth more per send is worth more all the same
            verdicts[c.name] = ("worse" if c.weight * c.rate > b.weight * b.rate else "infeasible", float("-inf"))
            continue
        after = score(problem, moved)
        change = after.objective - base.objective
        if after.weighted_value < base.weighted_value - EPS:
            verdicts[c.name] = ("worse", change)  # worth more per credit, whatever the goal mix says
        elif after.total_shortfall > base.total_shortfall:
            verdicts[c.name] = ("goal", change)
        elif change < -EPS:
            verdicts[c.name] = ("worse", change)
        elif change <= EPS:
            verdicts[c.name] = ("tie", change)
        else:
            verdicts[c.name] = ("better", change)
    return verdicts


def _held_by_others(plan: Plan, b: ResolvedBucket, k: int, room: list[int], sent: int, least: int) -> CycleLimit:
    """No credit is spare for b in cycle k: the other buckets whose sends hold the credits, and why they keep them."""
    problem, sends = plan.problem, plan.sends
    verdicts = _donor_verdicts(problem, sends, b, k, room)
    if not verdicts:
        granted = problem.grants[k]
        if granted == 0 and problem.opening_credits == 0:
            return CycleLimit(k, Limit.CREDITS, f"no credits in cycle {k + 1}")
        return CycleLimit(k, Limit.CREDITS, f"no credit left in cycle {k + 1}")
    better = [n for n, (kind, _) in verdicts.items() if kind == "better"]
    if better:
        gap = plan.gap or 0.0
        return CycleLimit(
            k,
            Limit.GAP,
            f"a send moved here from {_names(better)} would gain a little; the plan stops within its gap ({gap:.2%})",
        )
    ties = [n for n, (kind, _) in verdicts.items() if kind == "tie"]
    if ties:
        return CycleLimit(
            k, Limit.TIE, f"{_names(ties)} {'is' if len(ties) == 1 else 'are'} worth as much per credit (a tie)", tuple(ties)
        )
    goal = [n for n, (kind, _) in verdicts.items() if kind == "goal"]
    worth_more = [n for n, (kind, _) in verdicts.items() if kind == "worse"]
    fixed = [n for n, (kind, _) in verdicts.items() if kind == "infeasible"]
    minimums = [n for n, (kind, _) in verdicts.items() if kind == "minimum"]
    parts = []
    if worth_more:
        parts.append(f"every credit is worth more on {_names(worth_more)}")
    if fixed:
        parts.append(f"no send of {_names(fixed)} can give it its credit (the ledger or the follow-up timing)")
    if goal:
        goals = sorted({str(problem.buckets[_index(problem, n)].goal) for n in goal}, key=str)
        parts.append(f"the goal share of {_names(goals)} needs the credits of {_names(goal)}")
    if minimums:
        parts.append(
            f"the minimum{'s' if len(minimums) > 1 else ''} of {_names(minimums)} take{'' if len(minimums) > 1 else 's'} the rest"
        )
    text = "; ".join(parts)
    held = dict(others=tuple(worth_more), share_of=tuple(goal), minimums_of=tuple(minimums), fixed=tuple(fixed))
    if least > 0 and sent <= least and (worth_more or goal):
        return CycleLimit(k, Limit.MINIMUM, f"held at its minimum of {least}: {text}", **held)
    if worth_more:
        return CycleLimit(k, Limit.WORTH_LESS, text, **held)
    if goal:
        return CycleLimit(k, Limit.GOAL_SHARE, text, **held)
    return CycleLimit(k, Limit.CREDITS, f"no credit left in cycle {k + 1}: {text}", **held)


def _index(problem: Problem, name: str) -> int:
    return next(b.index for b in problem.buckets if b.name == name)


def _cycle_limit(plan: Plan, b: ResolvedBucket, k: int, spare: np.ndarray) -> CycleLimit:
    """What holds bucket b's sends in cycle k (the first that applies, in MODEL.md's order)."""
    problem, sends = plan.problem, plan.sends
    days = problem.days_of(k)
    send_days = [t for t in days if problem.can_send(t)]
    if not send_days:
        return CycleLimit(k, Limit.NO_SEND_DAY, f"no send day in cycle {k + 1}")
    sent = int(sends[b.index, days.start : days.stop].sum())
    pool, least = problem.pool_of(b, k), problem.min_of(b, k)
    if pool is not None and sent >= pool:
        return CycleLimit(k, Limit.POOL, f"pool of {pool} used up")
    room = _room_days(problem, sends, b, send_days)
    if b.parent is not None and not room:
        parent = problem.buckets[b.parent]
        who = "responders" if b.follows_responders else "non-responders"
        return CycleLimit(
            k, Limit.FOLLOW_UP, f"every eligible recipient reached ({who} of {parent.name}, {b.gap_days} days after)"
        )
    open_days = [t for t in room if day_limit(problem, sends, b, t) is None]
    if not open_days:
        held = [day_limit(problem, sends, b, t) for t in room]
        limit = max(set(held), key=held.count)
        assert limit is not None
        return CycleLimit(k, limit, _day_sentence(problem, limit))
    by_value = sorted(open_days, key=lambda t: -problem.value_factor(t))
    if b.free:
        if _fits(problem, sends, b.index, by_value[0]) is not None:
            return CycleLimit(k, Limit.GAP, f"one more send would fit; the plan stops within its gap ({plan.gap or 0:.2%})")
        return _held_by_others(plan, b, k, room, sent, least)
    spared = [t for t in by_value if spare[t - problem.first_day] >= 1 - EPS]
    for t in spared[:2]:
        if _fits(problem, sends, b.index, t) is not None:
            return CycleLimit(k, Limit.GAP, f"one more send would fit; the plan stops within its gap ({plan.gap or 0:.2%})")
    if problem.reserve_floor(k) > 0 and _reserve_only(problem, sends, b.index, by_value[0]):
        return CycleLimit(k, Limit.RESERVE, f"no credit left above the reserve of {problem.reserve_floor(k)}")
    return _held_by_others(plan, b, k, room, sent, least)


def _reserve_only(problem: Problem, sends: np.ndarray, b: int, t: int) -> bool:
    """Whether one more send of b on t breaks the reserve and nothing else."""
    more = sends.copy()
    more[b, t] += 1
    result = simulate(problem, more)
    return bool(result.violations) and all(v.kind == "reserve" for v in result.violations)


def _day_sentence(problem: Problem, limit: Limit) -> str:
    s = problem.scenario
    if limit is Limit.DAILY_CAP:
        return f"the daily cap of {s.daily_cap} is full on every day it could send"
    if limit is Limit.SPEED_GUARD and s.speed_guard is not None:
        guard = s.speed_guard
        return f"the speed guard (base {guard.base:g}, growth {guard.growth:g}) allows no more on every day it could send"
    if limit is Limit.REPLY_CAPACITY:
        return f"the reply capacity of {s.replies_per_day:g} expected replies a day is reached on every day it could send"
    return f"the {limit.replace('_', ' ')} is reached on every day it could send"


def explain(plan: Plan) -> Why:
    """Every bucket's reason (no credit values: :func:`credit_values` re-solves, and costs more).

    >>> from planner.scenario import load_scenario
    >>> from planner.paths import EXAMPLES_DIR
    >>> why = explain(make_plan(load_scenario(EXAMPLES_DIR / "sales_rep.toml")))
    >>> why.reasons()["Initial prospecting"]
    'pool of 25 used up'
    """
    if not plan.is_ok:
        return Why(())
    problem = plan.problem
    spare = spare_credits(problem, plan.ledger)
    buckets = tuple(
        BucketWhy(b.name, int(plan.sends[b.index].sum()), tuple(_cycle_limit(plan, b, k, spare) for k in problem.cycles_ahead()))
        for b in problem.buckets
    )
    return Why(buckets)


# --- the value of one more credit ------------------------------------------------------------


def with_grant(problem: Problem, k: int, extra: int = 1) -> Problem:
    """The problem with cycle k's grant ``extra`` credits larger (as a bonus would: goal targets and the reserve follow)."""
    grants = list(problem.grants)
    grants[k] += extra
    return replace(problem, grants=tuple(grants))


def best_extra_send(problem: Problem, sends: np.ndarray, k: int) -> np.ndarray:
    """``sends`` with the single credit-paid send worth most that one more credit of cycle k allows, if any fits.

    Candidates are the buckets' send days from cycle k's grant day until that
    grant expires, most valuable first (a send that closes a goal-mix
    shortfall first of all); each is confirmed on the real ledger.
    """
    ledger = simulate(problem, sends).table
    spare = spare_credits(problem, ledger)
    first = max(problem.calendar.cycle_starts[k], problem.first_day)
    last = min(problem.last_valid_day(first), problem.n_days - 1)
    sc = score(problem, sends)
    candidates: list[tuple[float, int, int]] = []
    for b in problem.buckets:
        if b.free:
            continue
        for t in range(first, last + 1):
            kt = problem.cycle_of(t)
            pool = problem.pool_of(b, kt)
            days = problem.days_of(kt)
            if not problem.can_send(t) or spare[t - problem.first_day] < 1 - EPS:
                continue
            if pool is not None and sends[b.index, days.start : days.stop].sum() >= pool:
                continue
            if day_limit(problem, sends, b, t) is not None:
                continue
            gain = b.weight * b.rate * problem.value_factor(t)
            if sc.shortfall.get((b.seat, b.goal, kt), 0) > 0:
                gain += problem.shortfall_penalty
            candidates.append((gain, b.index, t))
    candidates.sort(key=lambda c: -c[0])
    tried = 0
    for _, bi, t in candidates:
        if follow_up_room(problem, sends, problem.buckets[bi], t) < 1 - EPS:
            continue
        more = _fits(problem, sends, bi, t)
        if more is not None:
            return more
        tried += 1
        if tried >= 5:  # the estimate of spare credits was wrong five times: give up, the re-solve decides
            break
    return sends


def credit_value(plan: Plan, k: int, *, gap: float = DEFAULT_GAP, time_limit: float = DEFAULT_TIME_LIMIT) -> CreditValue:
    """What one more credit granted in cycle k adds: a re-solve with ``grants[k] + 1``, warm-started.

    The start is the plan itself (still feasible with one more credit) with
    the best single send that credit allows; the re-solve is never worse
    than its start, so the value is at least that send's and never below 0
    where the plan stays feasible.
    """
    assert plan.totals is not None
    bigger = with_grant(plan.problem, k)
    start = best_extra_send(bigger, plan.sends, k) if not violations(bigger, plan.sends) else None
    more = make_plan(bigger, gap=gap, time_limit=time_limit, start=start)
    if more.totals is None:
        return CreditValue(k, 0.0, 0.0, None, False)
    warm = start is not None and np.array_equal(more.sends, start)
    return CreditValue(
        cycle=k,
        value=more.totals.weighted_value - plan.totals.weighted_value,
        responses=more.totals.expected_responses - plan.totals.expected_responses,
        gap=more.gap,
        warm=warm,
    )


def credit_values(plan: Plan, *, gap: float = DEFAULT_GAP, time_limit: float = DEFAULT_TIME_LIMIT) -> tuple[CreditValue, ...]:
    """One more credit's value for every cycle the plan covers (one warm re-solve each, at most :data:`CREDIT_SECONDS`)."""
    if not plan.is_ok:
        return ()
    seconds = min(time_limit, CREDIT_SECONDS)
    return tuple(credit_value(plan, k, gap=gap, time_limit=seconds) for k in plan.problem.cycles_ahead())


def why(plan: Plan, *, gap: float = DEFAULT_GAP, time_limit: float = DEFAULT_TIME_LIMIT) -> Why:
    """The reasons and the credit values together (the CLI's summary, the Plan page)."""
    started = time.perf_counter()
    values = credit_values(plan, gap=gap, time_limit=time_limit)
    seconds = time.perf_counter() - started
    return replace(explain(plan), credit_values=values, credit_seconds=seconds)
