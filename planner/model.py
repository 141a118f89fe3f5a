"""The mixed-integer program of MODEL.md, built in PuLP.

Formulation (why it is fast): the ledger is not modelled lot by lot. Credits
are grouped into *classes* of consecutive cycles in which a later arrival
never expires earlier than an earlier one (one class in every catalog
scenario). Within a class, paying the oldest credits first leaves exactly the
newest ones, so the balance after the end-of-day expiry is
``min(balance before expiry, credits received that are still valid)``; the
model keeps one balance per class and day and the relaxed form
``balance <= still valid``, where "still valid" is a difference of two
running totals of received credits. That is a few variables and rows a day,
whatever the number of lots, instead of a payment variable per lot and day.

The relaxation is exact for the ledger's feasibility without a balance cap.
With a cap, throwing credits away early could make room for a later grant,
which the real ledger never does; :mod:`planner.solve` therefore checks every
plan by simulation and, if needed, solves again with ``exact_expiry`` (a
binary per expiry day that forbids early expiry).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import pulp

from planner.problem import Problem
from planner.scenario import Goal

EXPIRY_SHARE = 1e-3  # an expired credit costs this share of the least valuable send


def expiry_penalty(problem: Problem) -> float:
    """What one credit expired costs the model's objective: it discourages throwing credits away when it buys nothing.

    A share of the least valuable send, so it never outweighs a send. Not much
    smaller either: at 1e-6 HiGHS reported "excessively small costs" and spent
    45 s in root cut separation on a 14-bucket scenario without checking its
    time limit.
    """
    values = [b.weight * b.rate for b in problem.buckets if b.weight * b.rate > 0]
    return EXPIRY_SHARE * min(values, default=1.0)


def _base_credits(problem: Problem) -> float:
    """Grants, and the credits held and due at a re-plan's start: every credit that does not come back from a send."""
    return float(sum(problem.grants)) + problem.opening_credits + sum(problem.start.credits_due.values())


def credits_ever(problem: Problem) -> float:
    """An upper bound on the credits ever received (so on any total expired, or on what is still valid).

    The base credits (:func:`_base_credits`) and the credit-backs they can bring:
    each credit-paid send returns at most ``reliance * max r_b``, so the credits
    ever spent are at most ``base / (1 - reliance * max r_b)``. When a send can
    return a whole credit, no day spends more than the base (no balance exceeds
    it, :func:`balance_bound`), so the credit-backs are at most the base per send day.
    """
    base = _base_credits(problem)
    back = problem.scenario.refund_reliance * max((b.rate for b in problem.buckets if not b.free), default=0.0)
    if back < 1:
        return base / (1 - back)
    return base * (1 + sum(1 for t in problem.days if problem.can_send(t)))


def balance_bound(problem: Problem) -> float:
    """The big-M of the balance-cap rows: at least any balance and any cap, ``max(base credits, largest cap)``.

    No balance exceeds the base credits: a credit-back is ``reliance * r_b <= 1``
    credit per credit-paid send made earlier, so it never returns more than was
    spent, and expiry and forfeiture only take away. The cap rows also compare
    with the cap itself, hence the largest cap. (It was ``2 * (grants + held) +
    1000``: valid, but a weaker LP relaxation.)
    """
    caps = [cap for k in range(problem.calendar.cycles) if (cap := problem.balance_cap(k)) is not None]
    return max([_base_credits(problem), *caps]) + 1.0


@dataclass
class CreditClass:
    """Arrival days of consecutive cycles whose credits expire in arrival order."""

    first_day: int
    last_arrival: int
    last_day: int  # last day any of its credits can be spent (clipped to the horizon)


@dataclass(frozen=True)
class MinimumSlack:
    """How far bucket ``bucket``'s minimum in cycle ``cycle`` gives way (elastic models only)."""

    bucket: int
    cycle: int


@dataclass(frozen=True)
class ReserveSlack:
    """How far the reserve on day ``day`` gives way (elastic models only)."""

    day: int


Slack = MinimumSlack | ReserveSlack


@dataclass
class Model:
    """A built PuLP problem and the handles needed to read a plan back."""

    prob: pulp.LpProblem
    sends: dict[tuple[int, int], pulp.LpVariable]  # (bucket, day) -> integer sends
    shortfall: dict[tuple[int, Goal, int], pulp.LpVariable]  # (seat, goal, cycle) -> u
    slacks: dict[Slack, pulp.LpVariable] = field(default_factory=dict)  # elastic diagnosis only


Expr: TypeAlias = pulp.LpAffineExpression


def _zero() -> Expr:
    return pulp.LpAffineExpression()


def _weighted(terms: Iterable[tuple[pulp.LpVariable, float]]) -> Expr:
    """sum_i c_i v_i from (v_i, c_i) pairs: the same as ``lpSum(c * v ...)``, without an expression per term."""
    return pulp.LpAffineExpression(terms)


def credit_classes(problem: Problem) -> list[CreditClass]:
    """Group cycles into classes in which credits expire in the order they arrive."""
    cal = problem.calendar
    last = problem.n_days - 1
    classes: list[CreditClass] = []
    for k in range(cal.cycle_of(problem.first_day), cal.cycles):
        first, end = max(cal.cycle_starts[k], problem.first_day), cal.cycle_end(k)
        if classes and problem.last_valid_day(classes[-1].last_arrival) <= problem.last_valid_day(first):
            classes[-1].last_arrival = end
        else:
            classes.append(CreditClass(first, end, 0))
    for c in classes:
        c.last_day = min(last, max(problem.last_valid_day(a) for a in range(c.first_day, c.last_arrival + 1)))
    return classes


@dataclass
class _Account:
    """One balance kept day by day: what arrives, when it may expire, and what is still valid."""

    first_day: int
    last_day: int
    arrivals: dict[int, Expr]
    expiry_days: set[int]
    still_valid: Callable[[int], Expr]


class _Running:
    """Running totals of a stream of expressions, with a variable only where it changes:

    total[d] = total[d'] + inflow[d], d' the previous day with an inflow.
    """

    def __init__(self, prob: pulp.LpProblem, name: str, inflows: dict[int, Expr]):
        self.days = sorted(inflows)
        self.vars: list[pulp.LpVariable] = []
        previous: pulp.LpVariable | None = None
        for t in self.days:
            var = prob.add_variable(f"{name}_{t}")
            before = previous if previous is not None else 0
            prob.addConstraint(var == before + inflows[t], f"{name}_def_{t}")
            self.vars.append(var)
            previous = var

    def through(self, t: int) -> Expr:
        """The running total through day t (zero before the first inflow)."""
        i = bisect_right(self.days, t) - 1
        return pulp.LpAffineExpression(self.vars[i]) if i >= 0 else _zero()


def _lots_left(problem: Problem, forfeit_held: float) -> list[tuple[int, float]]:
    """The lots held at a re-plan's start, less ``forfeit_held`` over a cap: a forfeiture takes those that expire first."""
    lots = []
    for day, amount in sorted(problem.start.lots):
        gone = min(amount, forfeit_held)
        forfeit_held -= gone
        if amount - gone > 0:
            lots.append((day, amount - gone))
    return lots


def _class_account(prob: pulp.LpProblem, problem: Problem, ci: int, c: CreditClass, inflow: dict[int, Expr]) -> _Account:
    """The account of credit class c: what arrives in it, and what is still valid after day t.

    Arrivals expire in arrival order, so those still valid after t are the latest ones:
    received through t less received before the first arrival still valid after t.
    """
    arrivals = {t: e for t, e in inflow.items() if c.first_day <= t <= c.last_arrival}
    received = _Running(prob, f"rc{ci}", arrivals)
    arrival_days = sorted(arrivals)
    last_days = [problem.last_valid_day(a) for a in arrival_days]  # nondecreasing within a class

    def valid_after(t: int) -> Expr:
        i = bisect_right(last_days, t)
        if i == len(arrival_days):
            return _zero()
        return received.through(t) - received.through(arrival_days[i] - 1)

    last = problem.n_days - 1
    return _Account(c.first_day, c.last_day, arrivals, {day for day in last_days if day < last}, valid_after)


def _merged(held: _Account, account: _Account, first_day: int) -> _Account:
    """The credits held at the start as the oldest credits of a class's account (they all expire before its own)."""

    def still_valid(t: int) -> Expr:
        return held.still_valid(t) + account.still_valid(t)

    return _Account(
        first_day=first_day,
        last_day=max(account.last_day, held.last_day),
        arrivals={**account.arrivals, first_day: account.arrivals.get(first_day, _zero()) + held.arrivals[first_day]},
        expiry_days=account.expiry_days | held.expiry_days,
        still_valid=still_valid,
    )


def _accounts(prob: pulp.LpProblem, problem: Problem, inflow: dict[int, Expr], forfeit_held: float = 0.0) -> list[_Account]:
    """The credits held at the start (a re-plan's lots, less ``forfeit_held`` over a cap), then one account per credit class.

    The lots held today usually all expire before anything that arrives from today on: then
    they are simply the oldest credits of the first class (one balance, paid oldest first);
    otherwise they keep an account of their own.
    """
    last = problem.n_days - 1
    lots = _lots_left(problem, forfeit_held)

    def held_after(t: int) -> Expr:
        return pulp.LpAffineExpression(constant=sum(amount for day, amount in lots if day > t))

    held = _Account(
        first_day=problem.first_day,
        last_day=min(last, max((day for day, _ in lots), default=problem.first_day)),
        arrivals={problem.first_day: pulp.LpAffineExpression(constant=sum(amount for _, amount in lots))},
        expiry_days={day for day, _ in lots if day < last},
        still_valid=held_after,
    )
    classes = credit_classes(problem)
    merge = bool(lots) and max(day for day, _ in lots) <= problem.last_valid_day(classes[0].first_day)
    accounts = [held] if lots and not merge else []
    for ci, c in enumerate(classes):
        account = _class_account(prob, problem, ci, c, inflow)
        if merge and ci == 0:
            account = _merged(held, account, c.first_day)
        accounts.append(account)
    return accounts


class _Builder:
    """Adds the model's variables and rows, one constraint family per method."""

    def __init__(self, problem: Problem, *, exact_expiry: bool, elastic: bool) -> None:
        self.problem = problem
        self.exact_expiry = exact_expiry
        self.elastic = elastic
        self.prob = pulp.LpProblem("inmail_plan", pulp.LpMinimize if elastic else pulp.LpMaximize)
        self.send_days = [t for t in range(problem.n_days) if problem.can_send(t)]
        self.paid = [b for b in problem.buckets if not b.free]
        self.slacks: dict[Slack, pulp.LpVariable] = {}
        self.x: dict[tuple[int, int], pulp.LpVariable] = {}
        self.shortfall: dict[tuple[int, Goal, int], pulp.LpVariable] = {}
        self.expiry_vars: list[pulp.LpVariable] = []
        self.inflow: dict[int, Expr] = {}  # day -> what arrives (grants kept, credit-backs, credits due)
        self.removed: dict[int, pulp.LpVariable] = {}  # capped grant day -> credits held forfeited beyond the grant
        self.capped: list[tuple[int, int, pulp.LpVariable | None]] = []  # (day, cap, kept) where the cap may bind
        self.forfeit_held = 0.0  # forfeited at the start of a re-plan from the lots held
        self.balance: dict[tuple[int, int], pulp.LpVariable] = {}  # (account, day) -> end-of-day balance
        self.held_before_expiry: dict[int, Expr] = {}
        self.n_accounts = 0

    def slack(self, name: str, key: Slack) -> Expr:
        """A slack s >= 0 that lets a row give way (elastic models only; zero otherwise)."""
        if not self.elastic:
            return _zero()
        var = self.prob.add_variable(f"slack_{name}", lowBound=0)
        self.slacks[key] = var
        return pulp.LpAffineExpression(var)

    def sends(self) -> None:
        """x[b, d] in {0, 1, ...}: whole sends per bucket and send day of its seat, at most min(pool_b, daily_cap, seat_cap)."""
        problem = self.problem
        for b in problem.buckets:
            seat = problem.seats[b.seat]
            bounds = [v for v in (b.pool, seat.daily_cap, None if b.free else seat.seat_cap) if v is not None]
            upper = min(bounds) if bounds else None
            for t in self.send_days:
                if problem.can_send(t, b.seat):
                    self.x[b.index, t] = self.prob.add_variable(f"x_{b.index}_{t}", lowBound=0, upBound=upper, cat=pulp.LpInteger)

    def _cycle_sends(self, b: int, k: int) -> Expr:
        """sum_{d in cycle k} x[b, d], over the send days the plan covers."""
        return pulp.lpSum(self.x[b, t] for t in self.problem.days_of(k) if (b, t) in self.x)

    def _day_spend(self, t: int) -> Expr:
        """sum_{b credit-paid} x[b, d]: the credits day d's sends use (every seat's: they pay from the pool)."""
        return pulp.lpSum(self.x[b.index, t] for b in self.paid if (b.index, t) in self.x)

    def pools(self) -> None:
        """Constraint 2, pool: sum_{d in cycle k} x[b, d] <= pool_b (less what a re-plan's log sent), each cycle."""
        for k in self.problem.cycles_ahead():
            for b in self.problem.buckets:
                pool = self.problem.pool_of(b, k)
                if pool is not None:
                    self.prob.addConstraint(self._cycle_sends(b.index, k) <= pool, f"pool_{b.index}_{k}")

    def minimums(self) -> None:
        """Constraint 3, minimum: sum_{d in cycle k} x[b, d] >= min_b (less what the log sent), each cycle.

        In the elastic model of the diagnosis a slack s >= 0 lets it give way: ... + s >= min_b.
        """
        for k in self.problem.cycles_ahead():
            for b in self.problem.buckets:
                least = self.problem.min_of(b, k)
                if least > 0:
                    give = self.slack(f"min_{b.index}_{k}", MinimumSlack(b.index, k))
                    self.prob.addConstraint(self._cycle_sends(b.index, k) + give >= least, f"min_{b.index}_{k}")

    def daily_cap(self) -> None:
        """Constraint 5, daily cap of each seat s: sum_{b of s} x[b, d] <= daily_cap_s, each send day."""
        for seat in self.problem.seats:
            cap = seat.daily_cap
            mine = self.problem.buckets_of(seat.index)
            if cap is None:
                continue
            for t in self.send_days:
                day = [self.x[b.index, t] for b in mine if (b.index, t) in self.x]
                if day:
                    self.prob.addConstraint(pulp.lpSum(day) <= cap, f"cap_{seat.index}_{t}")

    def seat_caps(self) -> None:
        """Teams, seat cap of each seat s and cycle k: sum_{b of s, credit-paid} sum_{d in k} x[b, d] <= seat_cap_s."""
        problem = self.problem
        for seat in problem.seats:
            paid = [b for b in problem.buckets_of(seat.index) if not b.free]
            if seat.seat_cap is None or not paid:
                continue
            for k in problem.cycles_ahead():
                spend = pulp.lpSum(self._cycle_sends(b.index, k) for b in paid)
                self.prob.addConstraint(spend <= seat.seat_cap, f"seat_cap_{seat.index}_{k}")

    def speed_guard(self) -> None:
        """MODEL.md v2, speed guard (base R0, growth g) of each seat s (a person), each send day d, free sends too:

            sum_{b of s} x[b, d] <= R0 + g / 7 * (sum_{b of s} sum_{d-7 <= d' < d} x[b, d'] + L(d))

        L(d) is what a re-plan's log sent in those 7 days before today; days before ``start`` count as none.
        """
        guard = self.problem.scenario.speed_guard
        if guard is None:
            return
        for seat in self.problem.seats:
            mine = self.problem.buckets_of(seat.index)
            for t in self.send_days:
                day = pulp.lpSum(self.x[b.index, t] for b in mine if (b.index, t) in self.x)
                week = pulp.lpSum(self.x[b.index, d] for d in range(t - 7, t) for b in mine if (b.index, d) in self.x)
                logged = self.problem.sent_in_week_before(t)
                self.prob.addConstraint(day - guard.growth / 7 * week <= guard.allowed(logged), f"guard_{seat.index}_{t}")

    def reply_capacity(self) -> None:
        """MODEL.md v2, reply capacity C of each seat s, each send day d: sum_{b of s} r_b x[b, d] <= C (free sends too)."""
        most = self.problem.scenario.replies_per_day
        if most is None:
            return
        for seat in self.problem.seats:
            answered = [b for b in self.problem.buckets_of(seat.index) if b.rate > 0]
            for t in self.send_days:
                day = [(self.x[b.index, t], b.rate) for b in answered if (b.index, t) in self.x]
                if day:
                    self.prob.addConstraint(_weighted(day) <= most, f"replies_{seat.index}_{t}")

    def follow_ups(self) -> None:
        """Constraint 4, follow-up of f after p with gap G, each day d:

            sum_{d' <= d} x[f, d'] <= alpha * sum_{d' <= d - G} x[p, d'] + E_f(d)

        alpha = 1 - r_p (non-responders) or r_p (responders); E_f(d) is what a re-plan's log made
        eligible (0 otherwise). The cumulative sums are running-total variables, one per day.
        """
        running: dict[int, _Running] = {}

        def cumulative(bi: int) -> _Running:
            if bi not in running:
                sends = {t: pulp.LpAffineExpression(self.x[bi, t]) for t in self.send_days if (bi, t) in self.x}
                running[bi] = _Running(self.prob, f"cum{bi}", sends)
            return running[bi]

        for f in self.problem.buckets:
            if f.parent is None:
                continue
            child, parent = cumulative(f.index), cumulative(f.parent)
            for t in self.send_days:
                if (f.index, t) not in self.x:
                    continue  # a day the follow-up's seat does not send: the row of its last send day holds
                eligible = f.alpha * parent.through(t - f.gap_days) + self.problem.extra_eligible(f, t)
                self.prob.addConstraint(child.through(t) <= eligible, f"follow_{f.index}_{t}")

    def grants(self) -> None:
        """Ledger step 1, each grant day d of cycle k: the grant arrives, less what the cap C_k forfeits.

        Without a cap the grant g_k arrives whole. With one, kept_k = what arrives, with
        0 <= kept_k <= g_k, is set exactly by :meth:`balance_cap`: kept_k = min(g_k, max(0, C_k - held)),
        and a balance already over C_k loses removed_k = max(0, held - C_k) from the credits held.
        On a re-plan's first day the balance held is known, so both are numbers.
        """
        problem, cal = self.problem, self.problem.calendar
        opening = problem.opening_credits
        for t in problem.grant_days():
            k = cal.cycle_of(t)
            grant, cap = problem.grants[k], problem.balance_cap(k)
            if cap is None:
                if grant > 0:
                    self.inflow[t] = pulp.LpAffineExpression(constant=float(grant))
            elif t == problem.first_day:  # the balance before this grant is known: the lots held today
                kept_today = min(grant, max(0.0, cap - opening))
                if kept_today > 0:
                    self.inflow[t] = pulp.LpAffineExpression(constant=kept_today)
                self.forfeit_held = max(0.0, opening - cap)
            else:
                kept = self.prob.add_variable(f"grant_{k}", lowBound=0, upBound=grant) if grant > 0 else None
                if kept is not None:
                    self.inflow[t] = pulp.LpAffineExpression(kept)
                # credit-backs, or a tier with a higher cap before, can leave more than this cap held
                self.removed[t] = self.prob.add_variable(f"forfeit_held_{k}", lowBound=0)
                self.capped.append((t, cap, kept))

    def credit_backs(self) -> None:
        """Ledger step 2: a credit-paid send on day d returns reliance * r_b credits on day d + lag (inside the horizon).

        Only under a credit-back tier (the tier of d); a re-plan adds the credit-backs its log still expects.
        """
        problem, inflow = self.problem, self.inflow
        lag = problem.scenario.refund_lag_days
        for t in self.send_days:
            rate = problem.refund_rate(t)
            paying = [b for b in self.paid if b.rate > 0]
            if rate > 0 and paying and t + lag < problem.n_days:
                back = _weighted((self.x[b.index, t], rate * b.rate) for b in paying if (b.index, t) in self.x)
                inflow[t + lag] = inflow.get(t + lag, _zero()) + back
        for t, amount in problem.start.credits_due.items():
            inflow[t] = inflow.get(t, _zero()) + amount

    def balances(self) -> None:
        """Constraint 1, the ledger (steps 3 and 4), per account a and day d:

            bal[a, d] = bal[a, d-1] + arrivals[a, d] - removed[a, d] - pay[a, d] - expired[a, d],
            bal[a, d] <= (received by a and still valid after d),  bal, expired >= 0

        One account per credit class (:func:`credit_classes`), in which paying the oldest credits
        first leaves the newest, so the balance after expiry is what is still valid; with one
        account pay[a, d] is the day's credit-paid sends, with several they share them:
        sum_a pay[a, d] = sum_{b credit-paid} x[b, d], and the forfeiture of a capped grant day
        likewise: sum_a take[a, d] = removed[d].
        """
        problem = self.problem
        accounts = _accounts(self.prob, problem, self.inflow, self.forfeit_held)
        shared = len(accounts) > 1
        pays: dict[int, list[pulp.LpVariable]] = {t: [] for t in self.send_days}
        takes: dict[int, list[pulp.LpVariable]] = {t: [] for t in self.removed}
        self.held_before_expiry = {t: _zero() for t in range(problem.n_days)}
        for ci, account in enumerate(accounts):
            previous: pulp.LpVariable | None = None
            for t in range(account.first_day, account.last_day + 1):
                bal = self.balance[ci, t] = self.prob.add_variable(f"bal{ci}_{t}", lowBound=0)
                flow = account.arrivals.get(t, _zero()) + (previous if previous is not None else 0)
                if t in self.removed and previous is not None:
                    take = self.prob.add_variable(f"take{ci}_{t}", lowBound=0) if shared else self.removed[t]
                    takes[t].append(take)
                    flow -= take
                if t in pays:
                    if shared:
                        pay = self.prob.add_variable(f"pay{ci}_{t}", lowBound=0)
                        pays[t].append(pay)
                        flow -= pay
                    else:
                        flow -= self._day_spend(t)
                self.held_before_expiry[t] += bal
                if t in account.expiry_days:
                    gone = self.prob.add_variable(f"exp{ci}_{t}", lowBound=0)
                    self.expiry_vars.append(gone)
                    flow -= gone
                    self.held_before_expiry[t] += gone
                    self.still_valid(ci, t, bal, gone, account.still_valid(t))
                self.prob.addConstraint(bal == flow, f"bal{ci}_def_{t}")
                previous = bal
        if shared:
            for t, payers in pays.items():
                self.prob.addConstraint(pulp.lpSum(payers) == self._day_spend(t), f"pay_{t}")
            for t, takers in takes.items():
                if takers:
                    self.prob.addConstraint(pulp.lpSum(takers) == self.removed[t], f"take_{t}")
        self.n_accounts = len(accounts)

    def still_valid(self, ci: int, t: int, bal: pulp.LpVariable, gone: pulp.LpVariable, valid: Expr) -> None:
        """On an expiry day d of account a: bal[a, d] <= valid[a, d], what was received and is still valid after d.

        With ``exact_expiry`` a binary y also forbids early expiry, so the balance is exactly
        min(held, still valid), as the real ledger keeps it (U = :func:`credits_ever`):

            expired[a, d] <= U y,   bal[a, d] >= valid[a, d] - U (1 - y)
        """
        self.prob.addConstraint(bal <= valid, f"valid{ci}_{t}")
        if self.exact_expiry:
            upper = credits_ever(self.problem) + 1.0
            y = self.prob.add_variable(f"expires{ci}_{t}", cat=pulp.LpBinary)
            self.prob.addConstraint(gone <= upper * y, f"noexp{ci}_{t}")
            self.prob.addConstraint(bal >= valid - upper * (1 - y), f"allvalid{ci}_{t}")

    def balance_cap(self) -> None:
        """The balance cap C_k on each capped grant day d (grant g_k), with held = sum_a bal[a, d-1]:

            kept_k + held - removed_k <= C_k                                     (at most the cap after the grant)
            kept_k >= g_k - M (1 - whole_k),  kept_k + held - removed_k >= C_k - M whole_k
                                                   (the grant is refused only as far as the cap makes it)
            removed_k <= M over_k,  removed_k <= held - C_k + M (1 - over_k)

        whole_k and over_k are binaries; M = :func:`balance_bound` (no balance or cap is larger).
        With the first row, removed_k = max(0, held - C_k): over_k = 0 forfeits nothing (and the
        balance held must fit the cap), over_k = 1 forfeits exactly the excess over the cap.
        """
        problem, cal = self.problem, self.problem.calendar
        big = balance_bound(problem)
        for t, ceiling, kept in self.capped:
            k = cal.cycle_of(t)
            held = pulp.lpSum(self.balance[ci, t - 1] for ci in range(self.n_accounts) if (ci, t - 1) in self.balance)
            removed = self.removed[t]
            after = held - removed + (kept if kept is not None else 0)
            self.prob.addConstraint(after <= ceiling, f"balance_cap_{k}")
            if kept is not None:
                whole = self.prob.add_variable(f"whole_grant_{k}", cat=pulp.LpBinary)  # 1: the grant fits whole
                self.prob.addConstraint(kept >= problem.grants[k] - big * (1 - whole), f"grant_whole_{k}")
                self.prob.addConstraint(after >= ceiling - big * whole, f"grant_fills_{k}")
            over = self.prob.add_variable(f"over_cap_{k}", cat=pulp.LpBinary)
            self.prob.addConstraint(removed <= big * over, f"forfeit_if_over_{k}")
            self.prob.addConstraint(removed <= held - ceiling + big * (1 - over), f"forfeit_excess_{k}")

    def reserve(self) -> None:
        """Constraint 6, reserve: on each day d of cycle k before its last release days,

            (balance at the end of d, after its sends, before expiry) >= min(reserve, credits + bonus of k)

        In the elastic model of the diagnosis a slack lets it give way.
        """
        problem = self.problem
        for t in range(problem.first_day, problem.n_days):
            floor = problem.reserve_floor(problem.cycle_of(t))
            if floor > 0 and problem.reserve_applies(t):
                give = self.slack(f"reserve_{t}", ReserveSlack(t))
                self.prob.addConstraint(self.held_before_expiry[t] + give >= floor, f"reserve_{t}")

    def goal_mix(self) -> None:
        """Constraint 7, goal mix (soft), each seat s, goal g and cycle k with a target:

        sum_{b of s and g, credit-paid} sum_{d in k} x[b, d] + u[s, g, k] >= floor(share_sg * credits_sk),
        0 <= u[s, g, k] <= target (less what a re-plan's log paid for)

        credits_sk = monthly credits + bonus / seats, at most seat_cap_s (:meth:`Problem.seat_credits`);
        one seat: monthly credits + bonus of k, as in v1.
        """
        problem = self.problem
        for k in problem.cycles_ahead():
            for s, g in problem.goal_keys():
                target = problem.goal_target(s, g, k)
                if target <= 0:
                    continue
                u = self.shortfall[s, g, k] = self.prob.add_variable(f"short_{s}_{g}_{k}", lowBound=0, upBound=target)
                paid = pulp.lpSum(self._cycle_sends(b.index, k) for b in self.paid if b.goal == g and b.seat == s)
                self.prob.addConstraint(paid + u >= target, f"goal_{s}_{g}_{k}")

    def objective(self) -> None:
        """Maximise sum_{b,d} w_b r_b weekday_factor(d) (1 - delta t_d) x[b, d] - M sum u[g, k] - e sum expired.

        e (:func:`expiry_penalty`) keeps credits from leaving early when it buys nothing. The elastic
        model of the diagnosis instead minimises the slacks of the minimums and reserves.
        """
        if self.elastic:
            self.prob.setObjective(pulp.lpSum(self.slacks.values()))
            return
        problem = self.problem
        factor = {t: problem.value_factor(t) for t in self.send_days}
        value = _weighted((x, problem.buckets[b].weight * problem.buckets[b].rate * factor[t]) for (b, t), x in self.x.items())
        shortfall = _weighted((u, problem.shortfall_penalty) for u in self.shortfall.values())
        expired = _weighted((gone, expiry_penalty(problem)) for gone in self.expiry_vars)
        self.prob.setObjective(value - shortfall - expired)


def build_model(problem: Problem, *, exact_expiry: bool = False, elastic: bool = False, ledger: bool = True) -> Model:
    """Build the MIP of MODEL.md for a resolved problem.

    ``elastic`` turns minimums and reserves into soft constraints whose
    violation is minimised: used to explain why a scenario has no plan.
    ``ledger = False`` leaves out the credits (constraint 1 and the reserve):
    a relaxation, which :mod:`planner.team` solves seat by seat.
    """
    builder = _Builder(problem, exact_expiry=exact_expiry, elastic=elastic)
    builder.sends()
    builder.pools()
    builder.minimums()
    builder.daily_cap()
    builder.seat_caps()
    builder.speed_guard()
    builder.reply_capacity()
    builder.follow_ups()
    if ledger:
        builder.grants()
        builder.credit_backs()
        builder.balances()
        builder.balance_cap()
        builder.reserve()
    builder.goal_mix()
    builder.objective()
    return Model(builder.prob, builder.x, builder.shortfall, builder.slacks)


def shortfall_columns(model: Model, problem: Problem) -> dict[pulp.LpVariable, list[pulp.LpVariable]]:
    """Per goal-mix shortfall u[s, g, k], the sends of every bucket in cycle k: the columns that can move it."""
    by_cycle: dict[int, list[pulp.LpVariable]] = {}
    for (_, t), var in model.sends.items():
        by_cycle.setdefault(problem.cycle_of(t), []).append(var)
    return {u: by_cycle.get(k, []) for (_, _, k), u in model.shortfall.items()}


def day_sends(model: Model, problem: Problem) -> list[list[pulp.LpVariable]]:
    """Each day's credit-paid sends, day by day (empty where nothing can be sent): the solver branches on their sums
    from the first day through each day (:func:`planner.solver._branch_counts`), whole numbers in every schedule.

    Where a credit-back returns a fraction of a credit, the LP spends it as it comes back, in a fraction of a
    send, where a schedule must wait for a whole credit; the sends through such a day show it.
    """
    paid = {b.index for b in problem.buckets if not b.free}
    by_day: list[list[pulp.LpVariable]] = [[] for _ in range(problem.n_days)]
    for (b, t), var in model.sends.items():
        if b in paid:
            by_day[t].append(var)
    return by_day[problem.first_day :]


def cycle_ends(problem: Problem) -> list[int]:
    """Each cycle's last day, as a position in :func:`day_sends`' list: the sends from the first day through
    it are a cycle's count, which the solver branches on before the days' (:func:`planner.solver._branch_counts`).

    The credits (grants, held credits, credit-backs) bound each of them, so the LP's fraction of a send
    shows there first.
    """
    return [problem.days_of(k).stop - 1 - problem.first_day for k in problem.cycles_ahead()]


def forced_shortfall(problem: Problem) -> int:
    """A lower bound on the goal-mix shortfall of every schedule: what no plan can avoid.

    For seat s, goal g and cycle k, the credit-paid sends of g in k are at most
    ``P_sgk = sum of pool_of(b, k)`` over s's credit-paid buckets of g (unbounded
    if one has no pool, 0 if g has none), at most ``daily_cap_s * (s's send days of k)``
    and at most ``seat_cap_s``; so every schedule has

        u_{s,g,k} >= max(0, target_{s,g,k} - min(P_sgk, daily_cap_s * send days, seat_cap_s)),

    and, all of s's goals together, ``sum_g u_{s,g,k} >= sum_g target_{s,g,k} - min(sum_g P_sgk,
    daily_cap_s * send days, seat_cap_s)``; the larger of the two sums counts. The speed
    guard and the reply capacity (MODEL.md v2) limit the sends further and are
    left out: a bound on fewer limits is lower, so it stays a valid lower
    bound (the gap it measures is then at worst a little wider). The solver
    adds ``M`` times this back to the objective when it measures
    the gap, so that an unavoidable shortfall does not dilute it.
    """
    return sum(_forced_seat_shortfall(problem, seat, k) for seat in range(problem.n_seats) for k in problem.cycles_ahead())


def _forced_seat_shortfall(problem: Problem, seat: int, k: int) -> int:
    """The shortfall no schedule avoids for one seat in cycle k (:func:`forced_shortfall`)."""
    cap, seat_cap = problem.seats[seat].daily_cap, problem.seats[seat].seat_cap
    send_days = sum(1 for t in problem.days_of(k) if problem.can_send(t, seat))
    by_days = send_days * cap if cap is not None else (0 if send_days == 0 else None)
    limit = min([v for v in (by_days, seat_cap) if v is not None], default=None)
    each, targets, pools = 0, 0, 0
    unbounded = False
    for g in problem.goals_of(seat):
        target = problem.goal_target(seat, g, k)
        if target <= 0:
            continue
        most: int | None = 0
        for b in problem.buckets_of(seat):
            if b.goal != g or b.free:
                continue
            pool = problem.pool_of(b, k)
            most = None if pool is None or most is None else most + pool
        limits = [v for v in (most, limit) if v is not None]
        if limits:
            each += max(0, target - min(limits))
        targets += target
        unbounded = unbounded or most is None
        pools += most or 0
    together = [v for v in (None if unbounded else pools, limit) if v is not None]
    return max(each, targets - min(together)) if together else each


def add_allowance(model: Model, problem: Problem, allowance: Sequence[int]) -> None:
    """Teams, a seat's share of the pool (one seat's model, its ledger left out), each cycle k:

        sum_{b credit-paid} sum_{d in k} x[b, d] <= A_k

    :func:`planner.team.pooled` gives each seat ``A_k`` credits of the pool from the team's LP
    relaxation, so that the seats, planned one by one, spend together what the pool can pay.
    """
    paid = [b.index for b in problem.buckets if not b.free]
    for k in problem.cycles_ahead():
        spend = pulp.lpSum(model.sends[b, t] for b in paid for t in problem.days_of(k) if (b, t) in model.sends)
        model.prob.addConstraint(spend <= allowance[k], f"allowance_{k}")
