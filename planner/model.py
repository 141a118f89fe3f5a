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
from collections.abc import Callable
from dataclasses import dataclass, field

import pulp

from planner.scenario import Goal, Problem

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
    caps = [t.balance_cap for t in problem.tiers if t.balance_cap is not None]
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
    shortfall: dict[tuple[Goal, int], pulp.LpVariable]  # (goal, cycle) -> u
    slacks: dict[Slack, pulp.LpVariable] = field(default_factory=dict)  # elastic diagnosis only


def _expr(terms: list[tuple[pulp.LpVariable, float]], constant: float = 0.0) -> pulp.LpAffineExpression:
    """A linear expression from (variable, coefficient) terms; repeated variables add up."""
    coefficients: dict[pulp.LpVariable, float] = {}
    for var, coef in terms:
        coefficients[var] = coefficients.get(var, 0.0) + coef
    return pulp.LpAffineExpression(coefficients, constant=constant)


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


Terms = list[tuple[pulp.LpVariable, float]]


@dataclass
class _Account:
    """One balance kept day by day: what arrives, when it may expire, and what is still valid."""

    first_day: int
    last_day: int
    arrivals: dict[int, Terms]
    expiry_days: set[int]
    still_valid: Callable[[int], Terms]


def _accounts(
    prob: pulp.LpProblem, problem: Problem, inflow: dict[int, Terms], one: pulp.LpVariable, forfeit_held: float = 0.0
) -> list[_Account]:
    """The credits held at the start (a re-plan's lots, less ``forfeit_held`` over a cap), then one account per credit class."""
    last = problem.n_days - 1
    accounts: list[_Account] = []
    lots = []
    for day, amount in sorted(problem.start.lots):
        gone = min(amount, forfeit_held)  # a forfeiture takes the credits that expire first
        forfeit_held -= gone
        if amount - gone > 0:
            lots.append((day, amount - gone))

    def held_after(t: int) -> Terms:
        left = sum(amount for day, amount in lots if day > t)
        return [(one, left)] if left else []

    held = _Account(
        first_day=problem.first_day,
        last_day=min(last, max((day for day, _ in lots), default=problem.first_day)),
        arrivals={problem.first_day: [(one, sum(amount for _, amount in lots))]},
        expiry_days={day for day, _ in lots if day < last},
        still_valid=held_after,
    )
    classes = credit_classes(problem)
    # the lots held today usually all expire before anything that arrives from today on: then
    # they are simply the oldest credits of the first class (one balance, paid oldest first);
    # otherwise they keep an account of their own
    merge = bool(lots) and max(day for day, _ in lots) <= problem.last_valid_day(classes[0].first_day)
    if lots and not merge:
        accounts.append(held)
    for ci, c in enumerate(classes):
        arrivals = {t: terms for t, terms in inflow.items() if c.first_day <= t <= c.last_arrival}
        received = _Running(prob, f"rc{ci}", arrivals)
        arrival_days = sorted(arrivals)
        last_days = [problem.last_valid_day(a) for a in arrival_days]  # nondecreasing within a class

        def valid_after(
            t: int, received: _Running = received, arrival_days: list[int] = arrival_days, last_days: list[int] = last_days
        ) -> Terms:
            # arrivals expire in arrival order, so those still valid are the latest ones
            i = bisect_right(last_days, t)
            if i == len(arrival_days):
                return []
            return received.through(t) + [(v, -1.0) for v, _ in received.through(arrival_days[i] - 1)]

        account = _Account(
            first_day=c.first_day,
            last_day=c.last_day,
            arrivals=arrivals,
            expiry_days={day for day in last_days if day < last},
            still_valid=valid_after,
        )
        if merge and ci == 0:

            def with_held(t: int, mine: Callable[[int], Terms] = valid_after) -> Terms:
                return held_after(t) + mine(t)

            account = _Account(
                first_day=c.first_day,
                last_day=max(c.last_day, held.last_day),
                arrivals={**arrivals, c.first_day: arrivals.get(c.first_day, []) + held.arrivals[c.first_day]},
                expiry_days=account.expiry_days | held.expiry_days,
                still_valid=with_held,
            )
        accounts.append(account)
    return accounts


class _Running:
    """Running totals of a stream of expressions, with a variable only where it changes."""

    def __init__(self, prob: pulp.LpProblem, name: str, inflows: dict[int, list[tuple[pulp.LpVariable, float]]]):
        self.days = sorted(inflows)
        self.vars: list[pulp.LpVariable] = []
        previous: pulp.LpVariable | None = None
        for t in self.days:
            var = prob.add_variable(f"{name}_{t}")
            terms = [(var, 1.0)] + [(v, -c) for v, c in inflows[t]]
            if previous is not None:
                terms.append((previous, -1.0))
            prob.addConstraint(pulp.LpConstraint(_expr(terms), pulp.LpConstraintEQ, f"{name}_def_{t}", 0.0))
            self.vars.append(var)
            previous = var

    def through(self, t: int) -> list[tuple[pulp.LpVariable, float]]:
        """The running total through day t, as expression terms (empty when zero)."""
        i = bisect_right(self.days, t) - 1
        return [(self.vars[i], 1.0)] if i >= 0 else []


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
        self.shortfall: dict[tuple[Goal, int], pulp.LpVariable] = {}
        self.expiry_vars: list[pulp.LpVariable] = []
        self.inflow: dict[int, Terms] = {}  # day -> what arrives (grants kept, credit-backs, credits due)
        self.removed: dict[int, pulp.LpVariable] = {}  # capped grant day -> credits held forfeited beyond the grant
        self.capped: list[tuple[int, int, pulp.LpVariable | None]] = []  # (day, cap, kept) where the cap may bind
        self.forfeit_held = 0.0  # forfeited at the start of a re-plan from the lots held
        self.balance: dict[tuple[int, int], pulp.LpVariable] = {}  # (account, day) -> end-of-day balance
        self.held_before_expiry: dict[int, Terms] = {}
        self.n_accounts = 0
        self.one = self.prob.add_variable("one", lowBound=1, upBound=1)  # carries constants into rows

    def row(self, terms: Terms, sense: int, name: str, rhs: float) -> None:
        self.prob.addConstraint(pulp.LpConstraint(_expr(terms), sense, name, rhs))

    def slack(self, name: str, key: Slack) -> Terms:
        """A slack that lets a row give way (elastic models only)."""
        if not self.elastic:
            return []
        var = self.prob.add_variable(f"slack_{name}", lowBound=0)
        self.slacks[key] = var
        return [(var, 1.0)]

    def sends(self) -> None:
        """x[b, d] in {0, 1, ...}: whole sends per bucket and send day, at most min(pool_b, daily_cap)."""
        cap = self.problem.scenario.daily_cap
        for b in self.problem.buckets:
            bounds = [v for v in (b.pool, cap) if v is not None]
            upper = min(bounds) if bounds else None
            for t in self.send_days:
                self.x[b.index, t] = self.prob.add_variable(f"x_{b.index}_{t}", lowBound=0, upBound=upper, cat=pulp.LpInteger)

    def _cycle_sends(self, b: int, k: int) -> pulp.LpAffineExpression:
        """sum_{d in cycle k} x[b, d], over the send days the plan covers."""
        return pulp.lpSum(self.x[b, t] for t in self.problem.days_of(k) if (b, t) in self.x)

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
                    give = _expr(self.slack(f"min_{b.index}_{k}", MinimumSlack(b.index, k)))
                    self.prob.addConstraint(self._cycle_sends(b.index, k) + give >= least, f"min_{b.index}_{k}")

    def daily_cap(self) -> None:
        """Constraint 5, daily cap: sum_b x[b, d] <= daily_cap, each send day."""
        cap = self.problem.scenario.daily_cap
        if cap is None:
            return
        for t in self.send_days:
            self.prob.addConstraint(pulp.lpSum(self.x[b.index, t] for b in self.problem.buckets) <= cap, f"cap_{t}")

    def speed_guard(self) -> None:
        """MODEL.md v2, speed guard (base R0, growth g), each send day d (credit-paid and free sends alike):

            sum_b x[b, d] <= R0 + g / 7 * (sum_b sum_{d-7 <= d' < d} x[b, d'] + L(d))

        L(d) is what a re-plan's log sent in those 7 days before today; days before ``start`` count as none.
        """
        guard = self.problem.scenario.speed_guard
        if guard is None:
            return
        buckets = self.problem.buckets
        for t in self.send_days:
            week = pulp.lpSum(self.x[b.index, d] for d in range(t - 7, t) for b in buckets if (b.index, d) in self.x)
            day = pulp.lpSum(self.x[b.index, t] for b in buckets)
            logged = self.problem.sent_in_week_before(t)
            self.prob.addConstraint(day - guard.growth / 7 * week <= guard.allowed(logged), f"guard_{t}")

    def reply_capacity(self) -> None:
        """MODEL.md v2, reply capacity C, each send day d: sum_b r_b x[b, d] <= C (expected replies, free sends too)."""
        most = self.problem.scenario.replies_per_day
        answered = [b for b in self.problem.buckets if b.rate > 0]
        if most is None or not answered:
            return
        for t in self.send_days:
            self.prob.addConstraint(pulp.lpSum(b.rate * self.x[b.index, t] for b in answered) <= most, f"replies_{t}")

    def follow_ups(self) -> None:
        """Constraint 4, follow-up of f after p with gap G, each day d:

            sum_{d' <= d} x[f, d'] <= alpha * sum_{d' <= d - G} x[p, d'] + E_f(d)

        alpha = 1 - r_p (non-responders) or r_p (responders); E_f(d) is what a re-plan's log made
        eligible (0 otherwise). The cumulative sums are running-total variables, one per day.
        """
        running: dict[int, _Running] = {}

        def cumulative(bi: int) -> _Running:
            if bi not in running:
                running[bi] = _Running(self.prob, f"cum{bi}", {t: [(self.x[bi, t], 1.0)] for t in self.send_days})
            return running[bi]

        for f in self.problem.buckets:
            if f.parent is None:
                continue
            child, parent = cumulative(f.index), cumulative(f.parent)
            for t in self.send_days:
                terms = child.through(t) + [(v, -f.alpha) for v, _ in parent.through(t - f.gap_days)]
                self.row(terms, pulp.LpConstraintLE, f"follow_{f.index}_{t}", self.problem.extra_eligible(f, t))

    def grants(self) -> None:
        """Ledger step 1, each grant day d of cycle k: the grant arrives, less what the cap C_k forfeits.

        Without a cap the grant g_k arrives whole. With one, kept_k = what arrives, with
        0 <= kept_k <= g_k, is set exactly by :meth:`balance_cap`: kept_k = min(g_k, max(0, C_k - held)),
        and a balance already over C_k loses removed_k = max(0, held - C_k) from the credits held.
        On a re-plan's first day the balance held is known, so both are numbers.
        """
        problem, cal = self.problem, self.problem.calendar
        opening = problem.opening_credits
        # exactly what the ledger keeps of each (a plan may not rely on refusing a grant)
        inflow = self.inflow
        forfeit_held = 0.0  # forfeited at the start of a re-plan from the lots held
        removed: dict[int, pulp.LpVariable] = {}  # grant day -> forfeiture beyond the grant
        capped: list[tuple[int, int, pulp.LpVariable | None]] = []  # (day, cap, kept) where the cap may bind
        for t in problem.grant_days():
            k = cal.cycle_of(t)
            grant, cap = problem.grants[k], problem.tiers[k].balance_cap
            if cap is None:
                if grant > 0:
                    inflow[t] = [(self.one, float(grant))]
            elif t == problem.first_day:  # the balance before this grant is known: the lots held today
                kept_today = min(grant, max(0.0, cap - opening))
                if kept_today > 0:
                    inflow[t] = [(self.one, kept_today)]
                forfeit_held = max(0.0, opening - cap)
            else:
                kept_var = self.prob.add_variable(f"grant_{k}", lowBound=0, upBound=grant) if grant > 0 else None
                if kept_var is not None:
                    inflow[t] = [(kept_var, 1.0)]
                # credit-backs, or a tier with a higher cap before, can leave more than this cap held
                removed[t] = self.prob.add_variable(f"forfeit_held_{k}", lowBound=0)
                capped.append((t, cap, kept_var))

        self.removed, self.capped, self.forfeit_held = removed, capped, forfeit_held

    def credit_backs(self) -> None:
        """Ledger step 2: a credit-paid send on day d returns reliance * r_b credits on day d + lag (inside the horizon).

        Only under a credit-back tier (the tier of d); a re-plan adds the credit-backs its log still expects.
        """
        problem, s, inflow = self.problem, self.problem.scenario, self.inflow
        lag = s.refund_lag_days
        for t in self.send_days:
            rate = problem.refund_rate(t)
            if rate > 0 and t + lag < problem.n_days:
                terms = [(self.x[b.index, t], rate * b.rate) for b in self.paid if b.rate > 0]
                if terms:
                    inflow.setdefault(t + lag, []).extend(terms)
        for t, amount in problem.start.credits_due.items():
            inflow.setdefault(t, []).append((self.one, amount))

    def balances(self) -> None:
        """Constraint 1, the ledger (steps 3 and 4), per account a and day d:

            bal[a, d] = bal[a, d-1] + arrivals[a, d] - removed[a, d] - pay[a, d] - expired[a, d],
            bal[a, d] <= (received by a and still valid after d),  bal, expired >= 0

        One account per credit class (:func:`credit_classes`), in which paying the oldest credits
        first leaves the newest, so the balance after expiry is what is still valid; with one
        account pay[a, d] is the day's credit-paid sends, with several they share them:
        sum_a pay[a, d] = sum_{b credit-paid} x[b, d].
        """
        problem, inflow, removed = self.problem, self.inflow, self.removed
        spend = {t: [(self.x[b.index, t], 1.0) for b in self.paid] for t in self.send_days}
        accounts = _accounts(self.prob, problem, inflow, self.one, self.forfeit_held)
        balance: dict[tuple[int, int], pulp.LpVariable] = {}  # (account, day) -> end-of-day balance
        held_before_expiry: dict[int, Terms] = {t: [] for t in range(problem.n_days)}
        pay: dict[tuple[int, int], pulp.LpVariable] = {}
        take: dict[tuple[int, int], pulp.LpVariable] = {}  # (account, grant day) -> its part of `removed`
        for ci, account in enumerate(accounts):
            previous: pulp.LpVariable | None = None
            for t in range(account.first_day, account.last_day + 1):
                bal = self.prob.add_variable(f"bal{ci}_{t}", lowBound=0)
                balance[ci, t] = bal
                flow: Terms = [(bal, 1.0)] + ([(previous, -1.0)] if previous is not None else [])
                flow += [(v, -coef) for v, coef in account.arrivals.get(t, [])]
                if t in removed and previous is not None:
                    if len(accounts) == 1:
                        flow.append((removed[t], 1.0))
                    else:
                        take[ci, t] = self.prob.add_variable(f"take{ci}_{t}", lowBound=0)
                        flow.append((take[ci, t], 1.0))
                if spend.get(t):
                    if len(accounts) == 1:
                        flow += spend[t]
                    else:
                        pay[ci, t] = self.prob.add_variable(f"pay{ci}_{t}", lowBound=0)
                        flow.append((pay[ci, t], 1.0))
                held_before_expiry[t].append((bal, 1.0))
                if t in account.expiry_days:
                    gone = self.prob.add_variable(f"exp{ci}_{t}", lowBound=0)
                    self.expiry_vars.append(gone)
                    flow.append((gone, 1.0))
                    held_before_expiry[t].append((gone, 1.0))
                    # what is left cannot exceed what was received and is still valid
                    valid = account.still_valid(t)
                    self.row([(bal, 1.0)] + [(v, -co) for v, co in valid], pulp.LpConstraintLE, f"valid{ci}_{t}", 0.0)
                    if self.exact_expiry:
                        _forbid_early_expiry(self.prob, ci, t, gone, bal, valid, upper=credits_ever(problem) + 1.0)
                self.row(flow, pulp.LpConstraintEQ, f"bal{ci}_def_{t}", 0.0)
                previous = bal
        if len(accounts) > 1:
            for t, terms in spend.items():
                payers = [(pay[ci, t], 1.0) for ci in range(len(accounts)) if (ci, t) in pay]
                self.row(payers + [(v, -1.0) for v, _ in terms], pulp.LpConstraintEQ, f"pay_{t}", 0.0)

        for t, gone in removed.items():
            takers = [(take[ci, t], 1.0) for ci in range(len(accounts)) if (ci, t) in take]
            if takers:
                self.row(takers + [(gone, -1.0)], pulp.LpConstraintEQ, f"take_{t}", 0.0)

        self.balance, self.held_before_expiry, self.n_accounts = balance, held_before_expiry, len(accounts)

    def balance_cap(self) -> None:
        """The balance cap C_k on each capped grant day d (grant g_k), with held = sum_a bal[a, d-1]:

            kept_k + held - removed_k <= C_k                                     (at most the cap after the grant)
            kept_k >= g_k - M (1 - whole_k),  kept_k + held - removed_k >= C_k - M whole_k
                                                   (the grant is refused only as far as the cap makes it)
            removed_k <= M over_k,  removed_k >= held - C_k - M (1 - over_k)   (removed_k = max(0, held - C_k))

        whole_k and over_k are binaries; M = :func:`balance_bound` (no balance or cap is larger).
        """
        problem, cal, balance, removed = self.problem, self.problem.calendar, self.balance, self.removed
        accounts = range(self.n_accounts)
        big = balance_bound(problem)
        for t, ceiling, kept in self.capped:
            k = cal.cycle_of(t)
            held = [(balance[ci, t - 1], 1.0) for ci in accounts if (ci, t - 1) in balance]
            kept_terms = [(kept, 1.0)] if kept is not None else []
            gone = [(removed[t], -1.0)]
            # after the grant the balance is at most the cap ...
            self.row(kept_terms + held + gone, pulp.LpConstraintLE, f"balance_cap_{k}", ceiling)
            # ... and the grant is refused only as far as the cap makes it: kept >= min(grant, cap - held)
            if kept is not None:
                whole = self.prob.add_variable(f"whole_grant_{k}", cat=pulp.LpBinary)  # 1: the grant fits whole
                self.row([(kept, 1.0), (whole, -big)], pulp.LpConstraintGE, f"grant_whole_{k}", problem.grants[k] - big)
                self.row(kept_terms + held + gone + [(whole, big)], pulp.LpConstraintGE, f"grant_fills_{k}", ceiling)
            # credits held are forfeited only as far as they exceed the cap: removed = max(0, held - cap)
            over = self.prob.add_variable(f"over_cap_{k}", cat=pulp.LpBinary)
            self.row([(removed[t], 1.0), (over, -big)], pulp.LpConstraintLE, f"forfeit_if_over_{k}", 0.0)
            self.row(
                [(removed[t], 1.0)] + [(v, -c) for v, c in held] + [(over, big)],
                pulp.LpConstraintLE,
                f"forfeit_excess_{k}",
                big - ceiling,
            )

    def reserve(self) -> None:
        """Constraint 6, reserve: on each day d of cycle k before its last release days,

            (balance at the end of d, after its sends, before expiry) >= min(reserve, credits + bonus of k)

        In the elastic model of the diagnosis a slack lets it give way.
        """
        problem, cal, held_before_expiry = self.problem, self.problem.calendar, self.held_before_expiry
        for t in range(problem.first_day, problem.n_days):
            floor = problem.reserve_floor(cal.cycle_of(t))
            if floor > 0 and problem.reserve_applies(t):
                extra = self.slack(f"reserve_{t}", ReserveSlack(t))
                self.row(held_before_expiry[t] + extra, pulp.LpConstraintGE, f"reserve_{t}", floor)

    def goal_mix(self) -> None:
        """Constraint 7, goal mix (soft), each goal g and cycle k with a target:

        sum_{b of g, credit-paid} sum_{d in k} x[b, d] + u[g, k] >= floor(share_g * (credits + bonus of k)),
        0 <= u[g, k] <= target (less what a re-plan's log paid for)
        """
        problem, cal = self.problem, self.problem.calendar
        for k in problem.cycles_ahead():
            for g in problem.goals:
                target = problem.goal_target(g, k)
                if target <= 0:
                    continue
                u = self.shortfall[g, k] = self.prob.add_variable(f"short_{g}_{k}", lowBound=0, upBound=target)
                terms = [
                    (self.x[b.index, t], 1.0)
                    for b in self.paid
                    if b.goal == g
                    for t in cal.cycle_days(k)
                    if (b.index, t) in self.x
                ]
                self.row(terms + [(u, 1.0)], pulp.LpConstraintGE, f"goal_{g}_{k}", target)

    def objective(self) -> None:
        """Maximise sum_{b,d} w_b r_b weekday_factor(d) (1 - delta t_d) x[b, d] - M sum u[g, k] - e sum expired.

        e (:func:`expiry_penalty`) keeps credits from leaving early when it buys nothing. The elastic
        model of the diagnosis instead minimises the slacks of the minimums and reserves.
        """
        if self.elastic:
            self.prob.setObjective(_expr([(v, 1.0) for v in self.slacks.values()]))
            return
        problem = self.problem
        terms = [
            (self.x[b.index, t], b.weight * b.rate * problem.value_factor(t)) for b in problem.buckets for t in self.send_days
        ]
        terms += [(v, -problem.shortfall_penalty) for v in self.shortfall.values()]
        terms += [(v, -expiry_penalty(problem)) for v in self.expiry_vars]
        self.prob.setObjective(_expr(terms))


def build_model(problem: Problem, *, exact_expiry: bool = False, elastic: bool = False) -> Model:
    """Build the MIP of MODEL.md for a resolved problem.

    ``elastic`` turns minimums and reserves into soft constraints whose
    violation is minimised: used to explain why a scenario has no plan.
    """
    builder = _Builder(problem, exact_expiry=exact_expiry, elastic=elastic)
    builder.sends()
    builder.pools()
    builder.minimums()
    builder.daily_cap()
    builder.speed_guard()
    builder.reply_capacity()
    builder.follow_ups()
    builder.grants()
    builder.credit_backs()
    builder.balances()
    builder.balance_cap()
    builder.reserve()
    builder.goal_mix()
    builder.objective()
    return Model(builder.prob, builder.x, builder.shortfall, builder.slacks)


def _forbid_early_expiry(
    prob: pulp.LpProblem,
    ci: int,
    t: int,
    gone: pulp.LpVariable,
    bal: pulp.LpVariable,
    valid: list[tuple[pulp.LpVariable, float]],
    upper: float,
) -> None:
    """Either nothing expires on day t, or exactly what is no longer valid does.

    The real ledger keeps ``min(held, still valid)``; with a binary this is exact.
    """
    y = prob.add_variable(f"expires{ci}_{t}", cat=pulp.LpBinary)
    prob.addConstraint(pulp.LpConstraint(_expr([(gone, 1.0), (y, -upper)]), pulp.LpConstraintLE, f"noexp{ci}_{t}", 0.0))
    # y = 1: the balance left is all that is still valid
    terms = [(bal, -1.0)] + [(v, co) for v, co in valid] + [(y, upper)]
    prob.addConstraint(pulp.LpConstraint(_expr(terms), pulp.LpConstraintLE, f"allvalid{ci}_{t}", upper))


def forced_shortfall(problem: Problem) -> int:
    """A lower bound on the goal-mix shortfall of every schedule: what no plan can avoid.

    For goal g and cycle k, the credit-paid sends of g in k are at most
    ``P_gk = sum of pool_of(b, k)`` over g's credit-paid buckets (unbounded
    if one has no pool, 0 if g has none), and at most
    ``daily_cap * (send days of k)``; so every schedule has

        u_{g,k} >= max(0, target_{g,k} - min(P_gk, daily_cap * send days)),

    and, all goals together, ``sum_g u_{g,k} >= sum_g target_{g,k} - min(sum_g P_gk,
    daily_cap * send days)``; the larger of the two sums counts. The speed
    guard and the reply capacity (MODEL.md v2) limit the sends further and are
    left out: a bound on fewer limits is lower, so it stays a valid lower
    bound (the gap it measures is then at worst a little wider). The solver
    adds ``M`` times this back to the objective when it measures
    the gap, so that an unavoidable shortfall does not dilute it.
    """
    cap = problem.scenario.daily_cap
    total = 0
    for k in problem.cycles_ahead():
        send_days = sum(1 for t in problem.days_of(k) if problem.can_send(t))
        by_days = send_days * cap if cap is not None else (0 if send_days == 0 else None)
        each, targets, pools = 0, 0, 0
        unbounded = False
        for g in problem.goals:
            target = problem.goal_target(g, k)
            if target <= 0:
                continue
            most: int | None = 0
            for b in problem.buckets:
                if b.goal != g or b.free:
                    continue
                pool = problem.pool_of(b, k)
                most = None if pool is None or most is None else most + pool
            limits = [v for v in (most, by_days) if v is not None]
            if limits:
                each += max(0, target - min(limits))
            targets += target
            unbounded = unbounded or most is None
            pools += most or 0
        together = [v for v in (None if unbounded else pools, by_days) if v is not None]
        total += max(each, targets - min(together)) if together else each
    return total
