"""A whole-number schedule from the LP relaxation's sends, day by day through the real ledger.

The LP relaxation of the model is tight on the value, but its sends are
fractional, and with credit-backs of a fraction of a credit each, a balance
cap and credits that expire, rounding them is not simple: rounding each
cycle's sends down throws away up to a send per bucket and cycle (on the
alternating-tiers benchmark, 1 % of the value), and HiGHS's own heuristics,
boxed around the LP, took 20 s to get within 0.6 %.

:func:`round_relaxed` walks the days in order and keeps the real ledger
(:func:`planner.ledger.run_ledger`) as it goes:

1. each bucket sends, by day t, the whole part of the LP's sends through t,
   counted within the cycle (so each cycle keeps its own pools, minimums and
   goal targets), and then, as an *extra*, the whole part of the LP's sends
   through t counted from the first day (the fractions a cycle left over add
   up to whole sends in a later one);
2. when day t's ledger breaks (overspent, or below the reserve), a send of
   this cycle up to day t is taken back, the one that costs least: an extra
   first, never one that a minimum or a goal target needs if another will do;
   the ledger is then run again from that send's day.

Every schedule it returns passes :func:`planner.check.violations`; where it
cannot make one (a rule it does not track, such as a follow-up's eligibility,
still broken), it returns None, and the solver goes on without it.
"""

from __future__ import annotations

import numpy as np

from planner.check import violations
from planner.ledger import Lot, credit_back_per_send, refunds_due, step
from planner.problem import Problem

_EPS = 1e-6
_EXTRA = -1e6  # an extra send's drop cost: taken back before any other send
_NEEDED = 1e6  # a send a minimum needs: taken back last
_FILL = 0.3  # a cycle whose sends fall this far below the LP's is tried with one more
_LATE_DAYS = 3  # where it does not fit, the sends of the cycle's last this many send days are moved earlier first
_UNBOUNDED = 1 << 30  # no limit on a day's sends but the LP's


def _values(problem: Problem) -> np.ndarray:
    """w_b r_b weekday_factor(d) (1 - delta t_d) per bucket and day: each send's value."""
    factor = np.array([problem.value_factor(t) for t in range(problem.n_days)])
    return np.array([b.weight * b.rate * factor for b in problem.buckets]).reshape(len(problem.buckets), problem.n_days)


class _Walk:
    """The state of one day-by-day walk: the schedule so far, what each send is, the ledger at each day's start."""

    def __init__(self, problem: Problem, relaxed: np.ndarray) -> None:
        self.problem = problem
        self.relaxed = relaxed
        self.sends = np.zeros(relaxed.shape, dtype=int)
        self.extra = np.zeros(relaxed.shape, dtype=int)
        self.value = _values(problem)
        self.total = np.cumsum(relaxed, axis=1)
        self.paid = np.array([not b.free for b in problem.buckets])
        self.per_send = credit_back_per_send(problem)
        self.mates = [[c.index for c in problem.buckets_of(b.seat)] for b in problem.buckets]
        self.order = np.argsort(-self.value, axis=0, kind="stable")
        first = problem.first_day
        self.lots: dict[int, list[Lot]] = {first: [Lot(first - 1, last, amount) for last, amount in problem.start.lots]}

    def room(self, b: int, t: int, k: int) -> int:
        """How many more sends bucket b may make on day t: its seat's daily cap, its pool, its own bound."""
        problem, bucket = self.problem, self.problem.buckets[b]
        if not problem.can_send(t, bucket.seat):
            return 0
        days = problem.calendar.cycle_days(k)
        room = _UNBOUNDED
        cap = problem.seats[bucket.seat].daily_cap
        if cap is not None:
            room = min(room, cap - int(self.sends[self.mates[b], t].sum()))
        pool = problem.pool_of(bucket, k)
        if pool is not None:
            room = min(room, pool - int(self.sends[b, days.start : days.stop].sum()))
        return max(0, room)

    def place(self, t: int) -> None:
        """Day t's sends: the cycle's whole LP sends through t, then the extras, most valuable first."""
        problem = self.problem
        k = problem.cycle_of(t)
        start = max(problem.calendar.cycle_starts[k], problem.first_day)
        order = self.order[:, t]
        want = np.floor(self.relaxed[:, start : t + 1].sum(axis=1) + _EPS) - self.sends[:, start:t].sum(axis=1)
        for b in order:
            if want[b] >= 1:
                self.sends[b, t] += min(int(want[b]), self.room(int(b), t, k))
        want = np.floor(self.total[:, t] + _EPS) - self.sends[:, : t + 1].sum(axis=1)
        for b in order:
            if want[b] >= 1:
                add = min(int(want[b]), self.room(int(b), t, k))
                self.sends[b, t] += add
                self.extra[b, t] += add

    def run(self, first: int, last: int) -> int | None:
        """Run the ledger over days first..last from the lots held at first's start; the first broken day, or None."""
        problem = self.problem
        due = refunds_due(problem, self.sends, self.per_send)
        for day, amount in problem.start.credits_due.items():
            due[day] += amount
        spend = self.sends[self.paid].sum(axis=0).astype(float)
        for t in range(first, last + 1):
            broken, self.lots[t + 1] = step(problem, spend, due, t, self.lots[t])
            if broken:
                return t
        return None

    def drop_cost(self, b: int, u: int, k: int, t: int) -> float:
        """What taking back bucket b's send of day u costs: its value, more if a minimum or goal target needs it."""
        problem, bucket = self.problem, self.problem.buckets[b]
        if self.extra[b, u] > 0:
            return _EXTRA + self.value[b, u]
        days = problem.calendar.cycle_days(k)
        cost = float(self.value[b, u])
        if int(self.sends[b, days.start : days.stop].sum()) <= problem.min_of(bucket, k):
            cost += _NEEDED
        target = problem.goal_target(bucket.seat, bucket.goal, k)
        if target > 0:
            mates = [c.index for c in problem.buckets_of(bucket.seat) if c.goal == bucket.goal and not c.free]
            # the goal's credit-paid sends of the cycle: made so far, and what the LP still sends after t
            ahead = self.relaxed[mates, t + 1 : days.stop].sum()
            if self.sends[mates, days.start : t + 1].sum() + ahead - 1 < target - _EPS:
                cost += problem.shortfall_penalty
        return cost

    def take_back(self, t: int) -> int | None:
        """Take back the cheapest credit-paid send of t's cycle up to day t; the day it was on (None if there is none)."""
        problem = self.problem
        k = problem.cycle_of(t)
        start = max(problem.calendar.cycle_starts[k], problem.first_day)
        best: tuple[float, int, int] | None = None
        for paying in np.nonzero(self.paid)[0]:
            for u in np.nonzero(self.sends[paying, start : t + 1])[0]:
                day = start + int(u)
                # ties go to the latest day: the least of the ledger to run again
                key = (self.drop_cost(int(paying), day, k, t), -day, int(paying))
                if best is None or key < best:
                    best = key
        if best is None:
            return None
        _, day, b = best
        day = -day
        self.sends[b, day] -= 1
        if self.extra[b, day] > 0:
            self.extra[b, day] -= 1
        return day

    def same_lots(self, day: int, lots: list[Lot]) -> bool:
        """Whether ``lots`` are the lots the walk holds at ``day``'s start (to within rounding)."""
        held = self.lots.get(day)
        if held is None or len(held) != len(lots):
            return False
        return all(
            a.arrival == b.arrival and a.last_day == b.last_day and abs(a.amount - b.amount) <= 1e-9
            for a, b in zip(held, lots, strict=True)
        )

    def try_change(self, changes: list[tuple[int, int, int]]) -> bool:
        """Change some sends ``(bucket, day, by)``, kept if the ledger still holds on every day (else undone).

        The ledger is run from the first changed day until its lots are again the ones the
        schedule had, once the last change's credit-back has arrived (from there on nothing
        differs), or to the horizon's end.
        """
        problem = self.problem
        for b, t, by in changes:
            self.sends[b, t] += by
        due = refunds_due(problem, self.sends, self.per_send)
        for day, amount in problem.start.credits_due.items():
            due[day] += amount
        spend = self.sends[self.paid].sum(axis=0).astype(float)
        first = min(t for _, t, _ in changes)
        settled = max(t for _, t, _ in changes) + max(problem.scenario.refund_lag_days, 0) + 1
        changed: dict[int, list[Lot]] = {}
        lots = self.lots[first]
        for u in range(first, problem.n_days):
            broken, lots = step(problem, spend, due, u, lots)
            if broken:
                for b, t, by in changes:
                    self.sends[b, t] -= by
                return False
            if u + 1 >= settled and self.same_lots(u + 1, lots):
                break
            changed[u + 1] = lots
        self.lots.update(changed)
        return True

    def shift_earlier(self, k: int) -> None:
        """Each credit-paid send of cycle k's last send days moved to the earliest day it fits: its credit-back comes sooner."""
        problem = self.problem
        days = problem.calendar.cycle_days(k)
        start = max(days.start, problem.first_day)
        late = [t for t in range(days.stop - 1, start - 1, -1) if self.sends[:, t].any()][:_LATE_DAYS]
        for v in late:
            for b in np.nonzero(self.paid & (self.per_send[:, v] > 0) & (self.sends[:, v] > 0))[0]:
                for u in range(start, v):
                    if self.room(int(b), u, k) > 0 and self.try_change([(int(b), v, -1), (int(b), u, 1)]):
                        break

    def fill(self) -> None:
        """Where a cycle sends less than the LP's whole sends there, one more send on the day the LP sent most, if it fits."""
        problem = self.problem
        tries: list[tuple[float, int, int]] = []
        for k in problem.cycles_ahead():
            days = problem.calendar.cycle_days(k)
            start = max(days.start, problem.first_day)
            short = self.relaxed[:, start : days.stop].sum(axis=1) - self.sends[:, start : days.stop].sum(axis=1)
            for behind in np.nonzero(short > _FILL)[0]:
                tries.append((-float(short[behind] * self.value[behind, start : days.stop].max()), int(behind), k))
        for _, b, k in sorted(tries):
            days = problem.calendar.cycle_days(k)
            start = max(days.start, problem.first_day)
            for attempt in range(2):
                if attempt:
                    self.shift_earlier(k)
                if any(
                    self.room(b, start + int(u), k) > 0 and self.try_change([(b, start + int(u), 1)])
                    for u in np.argsort(-self.value[b, start : days.stop], kind="stable")
                ):
                    break


def round_relaxed(problem: Problem, relaxed: np.ndarray) -> np.ndarray | None:
    """A feasible whole-number schedule near the LP's sends ``relaxed[bucket, day]``, or None.

    See the module's docstring for the walk; the schedule returned passes
    :func:`planner.check.violations`.
    """
    walk = _Walk(problem, np.maximum(relaxed, 0.0))
    for t in range(problem.first_day, problem.n_days):
        walk.place(t)
        broken = walk.run(t, t)
        while broken is not None:
            day = walk.take_back(broken)
            if day is None:
                return None
            broken = walk.run(day, t)
    walked = walk.sends.copy()
    walk.fill()
    if not violations(problem, walk.sends):
        return walk.sends
    return None if violations(problem, walked) else walked
