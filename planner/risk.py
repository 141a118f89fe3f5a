"""Outcome simulation: what a plan's schedule does when responses come at random (MODEL.md v2).

A plan counts on expected responses; real ones come in lumps. :func:`simulate`
runs a fixed schedule over P paths at once (numpy, vectorised over paths). One
path:

1. draws each bucket's rate from its Beta (:class:`BetaRate`: the prior
   Beta(r0 * n0, (1 - r0) * n0), or a learned posterior), or takes it as known
   (:class:`FixedRate`);
2. lets every send respond with that probability, a response arriving
   D = min(floor(E), 29) days later, E exponential with mean
   ``refund_lag_days`` (:class:`ExponentialDelay`) or one of the log's
   observed delays (:class:`ObservedDelays`);
3. runs the ledger of MODEL.md day by day with the *real* credit-backs (one
   credit per response to a credit-paid send made under a credit-back tier,
   on its arrival day, under the policy of that day's tier; no
   ``refund_reliance``, no cap on credit-backs; grants capped, the credits that
   expire first forfeited first);
4. sends a follow-up only to the parent's sends of at least ``gap_days``
   earlier whose outcome in this path fits (the eventual outcome), less those
   already reached (the rest: *without recipients*), then pays the day's
   credit-paid sends as far as the credits held go, highest planned
   w_b * r_b first (the rest: *missed*). A response on the day of its own
   send (D = 0) returns its credit after that day's sends: a send never pays
   for itself.

A re-plan from today is simulated from today with the beliefs of its log
(:func:`beliefs_from_log`): the credits held, the logged credit-backs still
to come, and the pending sends, which may still answer.

Random streams (common random numbers). Every draw comes from a numpy
``Generator`` keyed by the seed and by what is drawn, never by the order in
which the simulation asks for it:

- the rate of bucket b: ``default_rng([seed, 0, b])``, P Beta draws;
- the send slot (bucket b, day t, send index i): ``default_rng([seed, 1, b, t])``
  draws a block of shape (sends, 2, P); row i is send i's uniforms (response,
  delay) on every path, so send i of (b, t) sees the same numbers whether the
  schedule plans 3 or 30 sends there;
- the logged pending send j of a re-plan: ``default_rng([seed, 2, j])``.

So two schedules of the same scenario (two tiers, two reliances) simulated with
the same seed share their rates and, slot by slot, their responses and
delays: differences between them are the schedules', not the dice's.

Credits are kept per *credit class*: the arrival days whose credits follow one
expiry rule (``cycle``, or ``rollover`` with one ``max_age_days``). Within a
class a later arrival never expires before an earlier one, so paying "those
that expire first" is a FIFO, and a class is two arrays: ``cum[s]``, the
credits that arrived in its first s slots, and ``used``, how far into that
queue each path has paid, expired or forfeited. Paying x is ``used += x``;
the expiry at the end of day t is ``used = max(used, cum[slots expiring by t])``.
Across classes (a downgrade to a use-it-or-lose-it tier) the oldest head lot is
paid first, lot by lot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from planner.actuals import EMPIRICAL_MIN_RESPONSES, PRIOR_WEIGHT, Replan, start_state
from planner.catalog import Catalog, Policy, Tier
from planner.plan import Plan
from planner.problem import Problem
from planner.scenario import Scenario
from planner.solve import DEFAULT_GAP, DEFAULT_TIME_LIMIT, make_plan
from planner.usage import Outcome, UsageEntry

DEFAULT_PATHS = 2000
DEFAULT_SEED = 0
MAX_DELAY_DAYS = 29  # LinkedIn counts a response within 30 days: what F leaves beyond day 29 lands on day 29
DEFAULT_RISK = 0.10
RELIANCE_GRID = tuple(round(0.05 * i, 2) for i in range(21))
GUARD_RATE = 0.13  # Recruiter: below this response rate LinkedIn may take bulk InMail away
GUARD_WINDOW_DAYS = 14
GUARD_MIN_SENDS = 100
DRY_SHARE = 0.10  # "the earliest day by which 10 % of paths have run dry"


# --- what the simulation is told about the rates and the delays -------------------------------------------------


@dataclass(frozen=True)
class BetaRate:
    """A bucket's rate unknown, believed Beta(alpha, beta); alpha = 0 (beta = 0) is a rate of 0 (1) for sure.

    >>> BetaRate.prior(0.15)
    BetaRate(alpha=3.0, beta=17.0)
    """

    alpha: float
    beta: float

    def __post_init__(self) -> None:
        for name, value in (("alpha", self.alpha), ("beta", self.beta)):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} = {value}: a Beta parameter must be a finite number >= 0")
        if self.alpha == 0 and self.beta == 0:
            raise ValueError("alpha = 0 and beta = 0: the Beta needs at least one observation's worth of weight")

    @classmethod
    def prior(cls, rate: float, weight: float = PRIOR_WEIGHT) -> BetaRate:
        """The prior of MODEL.md: Beta(r0 * n0, (1 - r0) * n0)."""
        if weight <= 0:
            raise ValueError(f"prior weight = {weight}: must be above 0 observations")
        return cls(rate * weight, (1 - rate) * weight)

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def draw(self, rng: np.random.Generator, paths: int) -> np.ndarray:
        if self.alpha == 0:
            return np.zeros(paths)
        if self.beta == 0:
            return np.ones(paths)
        return rng.beta(self.alpha, self.beta, size=paths)


@dataclass(frozen=True)
class FixedRate:
    """A bucket's rate taken as known: every path uses ``rate``."""

    rate: float

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"rate = {self.rate}: a response rate lies between 0 and 1")

    @property
    def mean(self) -> float:
        return self.rate

    def draw(self, rng: np.random.Generator, paths: int) -> np.ndarray:
        return np.full(paths, self.rate)


RateBelief = BetaRate | FixedRate


@dataclass(frozen=True)
class ExponentialDelay:
    """A response's delay: D = min(floor(E), 29) days, E exponential with mean ``mean_days``."""

    mean_days: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.mean_days) or self.mean_days <= 0:
            raise ValueError(f"mean_days = {self.mean_days}: the mean delay must be above 0 days")

    def days(self, u: np.ndarray) -> np.ndarray:
        """Delays in whole days from uniforms ``u`` in [0, 1) (inverse CDF, so one uniform is one delay)."""
        e = -self.mean_days * np.log1p(-u.astype(np.float64))
        return np.minimum(np.floor(e), MAX_DELAY_DAYS).astype(np.int64)

    def days_beyond(self, age: int, u: np.ndarray) -> np.ndarray:
        """Delays given that none came in the first ``age`` days: age + E (the exponential has no memory)."""
        e = age - self.mean_days * np.log1p(-u.astype(np.float64))
        return np.minimum(np.floor(e), MAX_DELAY_DAYS).astype(np.int64)

    def cdf(self, age: int) -> float:
        """F(age): the share of responses in by day ``age`` (D <= age - 1, i.e. E < age)."""
        return 1.0 if age > MAX_DELAY_DAYS else 1 - math.exp(-age / self.mean_days)


@dataclass(frozen=True)
class ObservedDelays:
    """A response's delay drawn from the log's observed delays (days), beyond 29 landing on day 29."""

    observed: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.observed:
            raise ValueError("observed delays: at least one delay is needed")
        if min(self.observed) < 0:
            raise ValueError(f"observed delays: {min(self.observed)} days is negative")

    def _sorted(self) -> np.ndarray:
        return np.minimum(np.sort(np.asarray(self.observed, dtype=np.int64)), MAX_DELAY_DAYS)

    def days(self, u: np.ndarray) -> np.ndarray:
        values = self._sorted()
        index = np.minimum((u.astype(np.float64) * len(values)).astype(np.int64), len(values) - 1)
        return values[index]

    def days_beyond(self, age: int, u: np.ndarray) -> np.ndarray:
        values = self._sorted()
        later = values[values >= age]
        if len(later) == 0:
            return np.full(u.shape, MAX_DELAY_DAYS, dtype=np.int64)
        index = np.minimum((u.astype(np.float64) * len(later)).astype(np.int64), len(later) - 1)
        return later[index]

    def cdf(self, age: int) -> float:
        return 1.0 if age > MAX_DELAY_DAYS else float(np.mean(self._sorted() < age))


DelayModel = ExponentialDelay | ObservedDelays


@dataclass(frozen=True)
class PendingSend:
    """A logged send still pending on ``today`` (a re-plan): it may yet respond, and return its credit."""

    bucket: int
    sent_day: int  # day index (days since start); before today
    returns_credit: bool  # credit-paid and sent under a credit-back tier


@dataclass(frozen=True)
class Beliefs:
    """What a simulation draws from: a rate belief per bucket, the delay model, and a re-plan's pending sends.

    ``known_credit_backs`` (day, credits) are the logged responses whose credit
    arrives from today on; for a plan from the first day both are empty.
    ``from_day`` is the day the beliefs start from (today, for a re-plan): a
    re-plan is simulated only with the beliefs of its own log and day.
    """

    rates: tuple[RateBelief, ...]
    delay: DelayModel
    pending: tuple[PendingSend, ...] = ()
    known_credit_backs: tuple[tuple[int, int], ...] = ()
    from_day: int = 0

    @classmethod
    def prior(cls, problem: Problem, weight: float = PRIOR_WEIGHT) -> Beliefs:
        """Every bucket's prior Beta(r0 * n0, (1 - r0) * n0); delays exponential with mean ``refund_lag_days``."""
        _fresh_only(problem)
        return cls(
            rates=tuple(BetaRate.prior(b.rate, weight) for b in problem.buckets),
            delay=ExponentialDelay(float(problem.scenario.refund_lag_days)),
        )

    @classmethod
    def known(cls, problem: Problem) -> Beliefs:
        """Every bucket's rate taken as its planned r_b (no uncertainty about the rate, only about who answers)."""
        _fresh_only(problem)
        return cls(
            rates=tuple(FixedRate(b.rate) for b in problem.buckets),
            delay=ExponentialDelay(float(problem.scenario.refund_lag_days)),
        )


def _fresh_only(problem: Problem) -> None:
    if problem.is_replan:
        raise ValueError(
            "a re-plan from today is simulated with the beliefs of its log (planner.risk.beliefs_from_log): "
            "its pending sends may still answer"
        )


def beliefs_from_log(result: Replan, entries: Sequence[UsageEntry], prior_weight: float = PRIOR_WEIGHT) -> Beliefs:
    """The beliefs of a re-plan from today: learned posteriors, the log's delays, its pending sends and credit-backs.

    - rate of bucket b: the posterior Beta(r0 * n0 + k, (1 - r0) * n0 + n - k)
      of MODEL.md v2 from ``result.rates`` (k responses, n effective observations);
    - delays: the log's own (``outcome_on - sent_on`` of its responses) once it
      holds 20 of them, else exponential with mean ``refund_lag_days``;
    - logged responses whose credit is still to come arrive as logged (the
      actual credit-backs of :func:`planner.actuals.start_state`);
    - each logged pending send may still answer (:class:`PendingSend`).
    """
    problem = result.plan.problem
    today = result.today
    by_name = {b.name: b for b in problem.buckets}
    rows = {str(r["bucket"]): r for r in result.rates.to_dict(orient="records")}
    rates: list[RateBelief] = []
    for b in problem.buckets:
        row = rows[b.name]
        r0, n, k = float(row["prior_rate"]), float(row["observations"]), float(row["responses"])
        rates.append(BetaRate(r0 * prior_weight + k, max((1 - r0) * prior_weight + n - k, 0.0)))
    before = [e for e in entries if e.sent_on < today]
    # the delays F is learned from (planner.actuals.response_delay_cdf): every logged response sent before today
    delays = [(e.outcome_on - e.sent_on).days for e in before if e.outcome is not Outcome.PENDING and e.outcome_on is not None]
    lag = float(problem.scenario.refund_lag_days)
    delay: DelayModel = ObservedDelays(tuple(delays)) if len(delays) >= EMPIRICAL_MIN_RESPONSES else ExponentialDelay(lag)
    # the credit-backs of logged outcomes, without any counted on for pending sends (those are drawn here)
    unreliant = replace(problem, scenario=problem.scenario.model_copy(update={"refund_reliance": 0.0}))
    known = start_state(unreliant, entries, today).credits_due
    pending = []
    for e in before:
        logged = by_name.get(e.bucket)
        if logged is None or e.outcome is not Outcome.PENDING or e.sent_on < problem.calendar.start:
            continue
        sent = problem.calendar.index_of(e.sent_on)
        free = e.free if e.free is not None else logged.free  # as planner.actuals reads a log row
        pending.append(PendingSend(logged.index, sent, not free and problem.tiers[problem.cycle_of(sent)].credit_back))
    return Beliefs(
        rates=tuple(rates),
        delay=delay,
        pending=tuple(pending),
        known_credit_backs=tuple(sorted((t, int(round(v))) for t, v in known.items())),
        from_day=problem.first_day,
    )


# --- the result of a simulation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """A quantity over the paths: its mean and its 10th, 50th and 90th percentile."""

    mean: float
    p10: float
    p50: float
    p90: float

    @classmethod
    def of(cls, values: np.ndarray) -> Spread:
        p10, p50, p90 = np.quantile(values.astype(np.float64), [0.1, 0.5, 0.9])
        return cls(float(np.mean(values)), float(p10), float(p50), float(p90))

    def as_dict(self) -> dict[str, float]:
        return {"mean": round(self.mean, 6), "p10": round(self.p10, 6), "p50": round(self.p50, 6), "p90": round(self.p90, 6)}


@dataclass(frozen=True)
class Simulation:
    """Per-path outcomes of one schedule; ``closing[i, p]`` is path p's closing balance on day ``days[i]``."""

    problem: Problem
    paths: int
    seed: int
    days: range
    closing: np.ndarray  # (days, paths) int
    spent_by_day: np.ndarray  # (days, paths) credits spent on each day
    credited_by_day: np.ndarray  # (days, paths) real credit-backs arriving on each day (same-day ones after its sends)
    responses: np.ndarray  # (paths,) responses to the schedule's sends, also those arriving after the horizon
    spent: np.ndarray  # (paths,) credits spent
    expired: np.ndarray  # (paths,) credits expired unused
    forfeited: np.ndarray  # (paths,) credits forfeited over the cap
    missed: np.ndarray  # (paths,) credit-paid sends missed for want of credits
    without_recipients: np.ndarray  # (paths,) follow-ups with no fitting parent send left
    first_dry: np.ndarray  # (paths,) day index of the first missed send, -1 when none
    reserve_held: np.ndarray  # (paths,) bool: the reserve held on every day it must
    low_response: np.ndarray | None  # (paths,) bool: some guarded 14-day window below 13 %; None: no Recruiter window

    def report(self) -> RiskReport:
        """The risk report of these paths (MODEL.md, "Outcome simulation")."""
        return risk_report(self)


@dataclass(frozen=True)
class RiskReport:
    """What the paths say about a plan: the balance fan, the chance of running dry, and the spreads."""

    paths: int
    seed: int
    fan: pd.DataFrame  # date, p10, p50, p90 of the closing balance
    p_run_dry: float  # share of paths with a credit-paid send missed for want of credits
    dry_day_p10: date | None  # earliest day by which 10 % of paths have run dry
    p_reserve_holds: float  # share of paths whose reserve holds on every day it must
    without_recipients_mean: float  # follow-ups that found no fitting parent send, per path
    missed_mean: float  # credit-paid sends missed, per path
    responses: Spread
    spent: Spread
    expired: Spread
    forfeited: Spread
    p_low_response_rate: float | None  # Recruiter: P(below 13 % over a 14-day window with >= 100 planned); else None

    def lines(self, cycles: int | None = None) -> list[str]:
        """The report in sentences, for the command line."""
        dry = f"chance of running dry: {_percent(self.p_run_dry)} of {self.paths:,} paths"
        if self.dry_day_p10 is not None:
            dry += f"; 10 % of paths have run dry by {self.dry_day_p10:%d %b %Y}"
        out = [
            dry,
            f"the reserve holds on every day it must in {_percent(self.p_reserve_holds)} of paths",
            f"responses: {_spread(self.responses)}",
            f"credits spent: {_spread(self.spent)}; expired unused: {_spread(self.expired)}; "
            f"forfeited over the cap: {_spread(self.forfeited)}",
        ]
        if self.missed_mean > 0 or self.without_recipients_mean > 0:
            out.append(
                f"per path, {self.missed_mean:.1f} credit-paid sends missed for want of credits and "
                f"{self.without_recipients_mean:.1f} follow-ups without recipients"
            )
        if self.p_low_response_rate is not None:
            out.append(
                f"chance of a 14-day response rate below {GUARD_RATE:.0%} (Recruiter): {_percent(self.p_low_response_rate)}"
            )
        return out

    def summary(self) -> dict[str, object]:
        """The summary JSON of ``inmail-planner risk``: plain numbers, dates as ISO text, null where none."""
        return {
            "paths": self.paths,
            "seed": self.seed,
            "p_run_dry": round(self.p_run_dry, 6),
            "dry_day_p10": self.dry_day_p10.isoformat() if self.dry_day_p10 is not None else None,
            "p_reserve_holds": round(self.p_reserve_holds, 6),
            "without_recipients_mean": round(self.without_recipients_mean, 6),
            "missed_mean": round(self.missed_mean, 6),
            "responses": self.responses.as_dict(),
            "spent": self.spent.as_dict(),
            "expired": self.expired.as_dict(),
            "forfeited": self.forfeited.as_dict(),
            "p_low_response_rate": round(self.p_low_response_rate, 6) if self.p_low_response_rate is not None else None,
        }


def risk_report(sim: Simulation) -> RiskReport:
    """Summarise a :class:`Simulation`: fan, P(run dry) and its 10 % day, P(reserve holds), spreads."""
    cal = sim.problem.calendar
    q = np.quantile(sim.closing, [0.1, 0.5, 0.9], axis=1) if len(sim.days) else np.zeros((3, 0))
    fan = pd.DataFrame(
        {"date": [cal.date_of(t) for t in sim.days], "p10": q[0], "p50": q[1], "p90": q[2]},
        columns=["date", "p10", "p50", "p90"],
    )
    dry = sim.first_dry >= 0
    dry_day: date | None = None
    need = math.ceil(DRY_SHARE * sim.paths - 1e-9)
    if need >= 1 and int(dry.sum()) >= need:
        dry_day = cal.date_of(int(np.sort(sim.first_dry[dry])[need - 1]))
    return RiskReport(
        paths=sim.paths,
        seed=sim.seed,
        fan=fan,
        p_run_dry=float(dry.mean()),
        dry_day_p10=dry_day,
        p_reserve_holds=float(sim.reserve_held.mean()),
        without_recipients_mean=float(sim.without_recipients.mean()),
        missed_mean=float(sim.missed.mean()),
        responses=Spread.of(sim.responses),
        spent=Spread.of(sim.spent),
        expired=Spread.of(sim.expired),
        forfeited=Spread.of(sim.forfeited),
        p_low_response_rate=float(sim.low_response.mean()) if sim.low_response is not None else None,
    )


# --- the credits of all paths: one FIFO per credit class ---------------------------------------------------------


@dataclass
class _CreditClass:
    """Arrival slots whose expiry never decreases; ``cum[s]`` = credits that arrived in slots < s, per path."""

    expiry: np.ndarray  # per slot: last valid day
    cum: np.ndarray  # (slots + 1, paths)
    used: np.ndarray  # (paths,) paid, expired or forfeited so far: the FIFO's read position
    filled: int = 0  # slots opened so far
    expired_through: int = 0  # slots known expired
    expire_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per day: slots expired by its end
    head_slot: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per path: first slot not used up

    def held(self) -> np.ndarray:
        return self.cum[self.filled] - self.used

    def open_slot(self) -> None:
        self.cum[self.filled + 1] = self.cum[self.filled]
        self.filled += 1

    def add(self, amount: np.ndarray | int) -> None:
        """Credits arriving in the newest slot."""
        self.cum[self.filled] += amount

    def head(self) -> tuple[np.ndarray, np.ndarray]:
        """Per path: the expiry of the oldest credit held (inf when none) and how many credits share that lot."""
        if self.filled == 0:
            return np.full(len(self.used), np.inf), np.zeros_like(self.used)
        cols = np.arange(len(self.used))
        while True:
            # the head only moves forward (the FIFO is read in order), one slot a round, so over a
            # horizon the rounds add up to about the number of slots, not slots x calls
            top = self.cum[np.minimum(self.head_slot + 1, self.filled), cols]
            passed = (self.head_slot < self.filled) & (top <= self.used)
            if not passed.any():
                break
            self.head_slot += passed
        has = self.head_slot < self.filled
        lot = np.where(has, top - self.used, 0)
        expiry = np.where(has, self.expiry[np.minimum(self.head_slot, self.filled - 1)].astype(np.float64), np.inf)
        return expiry, lot

    def expire(self, t: int) -> np.ndarray:
        """Credits whose last valid day is ``t`` or earlier leave; returns how many, per path."""
        upto = int(self.expire_count[t])
        if upto <= self.expired_through:
            return np.zeros_like(self.used)
        self.expired_through = upto
        floor = self.cum[upto]
        gone = np.maximum(floor - self.used, 0)
        np.maximum(self.used, floor, out=self.used)
        return gone


@dataclass
class _Credits:
    """Every path's credits, as a few credit classes; pays and forfeits the credits that expire first."""

    classes: list[_CreditClass]
    class_of_day: np.ndarray  # day index -> class
    paths: int

    def held(self) -> np.ndarray:
        total = self.classes[0].held()
        for c in self.classes[1:]:
            total = total + c.held()
        return total

    def take(self, amount: np.ndarray) -> None:
        """Take ``amount`` (at most what each path holds) from the credits that expire first."""
        if len(self.classes) == 1:
            self.classes[0].used += amount
            return
        left = amount.copy()
        while (left > 0).any():
            heads = [c.head() for c in self.classes]
            expiry = np.stack([h[0] for h in heads])
            pick = np.argmin(expiry, axis=0)
            if not np.isfinite(expiry.min(axis=0)[left > 0]).all():
                raise RuntimeError("credits taken beyond those held: a bug in the simulation")
            for i, c in enumerate(self.classes):
                mine = (pick == i) & (left > 0)
                if mine.any():
                    taken = np.where(mine, np.minimum(left, heads[i][1]), 0)
                    c.used += taken
                    left -= taken

    def expire(self, t: int) -> np.ndarray:
        gone = self.classes[0].expire(t)
        for c in self.classes[1:]:
            gone = gone + c.expire(t)
        return gone


def _policy_key(tier: Tier) -> tuple[str, int]:
    return (str(tier.policy), tier.max_age_days or 0) if tier.policy is Policy.ROLLOVER else (str(tier.policy), 0)


def _credits(problem: Problem, paths: int) -> _Credits:
    """One class per expiry rule met from today on; a re-plan's lots held today open the class they precede."""
    days = problem.days
    keys: dict[tuple[str, int], int] = {}
    slots: list[list[int]] = []  # class -> expiry per slot
    class_of_day = np.full(problem.n_days, -1, dtype=np.int64)
    for t in days:
        key = _policy_key(problem.tiers[problem.cycle_of(t)])
        c = keys.setdefault(key, len(keys))
        if c == len(slots):
            slots.append([])
        slots[c].append(problem.last_valid_day(t))
        class_of_day[t] = c
    opening = sorted(problem.start.lots)
    prefix: dict[int, list[tuple[int, float]]] = {}
    if opening:
        # the lots held today are older than any arrival to come; they join a class when none of them
        # outlives its first arrival (the FIFO order holds), else they form a class of their own
        first = int(class_of_day[problem.first_day]) if len(days) else -1
        if first >= 0 and opening[-1][0] <= slots[first][0]:
            prefix[first] = opening
        else:
            prefix[len(slots)] = opening
            slots.append([])
    classes = []
    for c, expiries in enumerate(slots):
        lots = prefix.get(c, [])
        expiry = np.array([last for last, _ in lots] + expiries, dtype=np.int64)
        cum = np.zeros((len(expiry) + 1, paths), dtype=np.int32)  # credits a path holds fit 32 bits; memory is paths x days
        for i, (_, amount) in enumerate(lots):
            cum[i + 1] = cum[i] + int(round(amount))
        expire_count = np.searchsorted(expiry, np.arange(problem.n_days + 1), side="right")
        classes.append(
            _CreditClass(
                expiry=expiry,
                cum=cum,
                used=np.zeros(paths, dtype=np.int32),
                filled=len(lots),
                expire_count=expire_count,
                head_slot=np.zeros(paths, dtype=np.int64),
            )
        )
    return _Credits(classes=classes, class_of_day=class_of_day, paths=paths)


# --- the simulation -----------------------------------------------------------------------------------------------


def _send_order(problem: Problem) -> list[int]:
    """Buckets in the order a day's sends are made: highest planned w_b * r_b first.

    A follow-up with ``gap_days = 0`` counts its parent's sends of the same day,
    so it goes after its parent whatever their values.
    """
    order = sorted(range(len(problem.buckets)), key=lambda i: (-problem.buckets[i].weight * problem.buckets[i].rate, i))
    moved = True
    while moved:
        moved = False
        for f in list(order):
            b = problem.buckets[f]
            if b.parent is not None and b.gap_days == 0 and order.index(b.parent) > order.index(f):
                order.remove(f)
                order.insert(order.index(b.parent) + 1, f)
                moved = True
    return order


def _check_inputs(problem: Problem, beliefs: Beliefs, paths: int, seed: int) -> None:
    if beliefs.from_day != problem.first_day:
        raise ValueError(f"beliefs from day {beliefs.from_day}: the plan starts on day {problem.first_day}")
    if paths < 1:
        raise ValueError(f"paths = {paths}: simulate at least 1 path")
    if seed < 0:
        raise ValueError(f"seed = {seed}: a seed is a whole number >= 0")
    if len(beliefs.rates) != len(problem.buckets):
        raise ValueError(f"beliefs: {len(beliefs.rates)} rates for {len(problem.buckets)} buckets")


def simulate(plan: Plan, beliefs: Beliefs | None = None, *, paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED) -> Simulation:
    """Simulate a plan's schedule over ``paths`` random paths (MODEL.md, "Outcome simulation").

    Parameters
    ----------
    plan
        A plan with a schedule (``plan.is_ok``); a re-plan is simulated from its first day, today.
    beliefs
        The rate belief per bucket and the delay model; by default the prior of
        every bucket (:meth:`Beliefs.prior`). A re-plan's pending logged sends and
        logged credit-backs to come are part of the beliefs (see :mod:`planner.risk`'s ``beliefs_from_log``).
    paths
        How many paths (default 2,000).
    seed
        The same seed gives the same numbers; see the module docstring for the random streams.

    >>> from planner.scenario import load_scenario
    >>> from planner.paths import EXAMPLES_DIR
    >>> from planner.solve import make_plan
    >>> sim = simulate(make_plan(load_scenario(EXAMPLES_DIR / "sales_rep.toml")), paths=500, seed=1)
    >>> sim.closing.shape, bool((sim.closing >= 0).all())
    ((30, 500), True)
    """
    if not plan.is_ok:
        raise ValueError(f"plan status = {plan.status}: there is no schedule to simulate")
    return simulate_sends(plan.problem, plan.sends, beliefs, paths=paths, seed=seed)


def simulate_sends(
    problem: Problem, sends: np.ndarray, beliefs: Beliefs | None = None, *, paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED
) -> Simulation:
    """:func:`simulate` for a bare schedule ``sends[bucket, day]`` (whole sends) of ``problem``."""
    beliefs = beliefs if beliefs is not None else Beliefs.prior(problem)
    _check_inputs(problem, beliefs, paths, seed)
    buckets = problem.buckets
    days = problem.days
    first, n_days = problem.first_day, problem.n_days
    span = n_days - first
    P = paths
    # float32 like the uniforms they are compared with, so the comparison allocates no float64 copy
    rates = [belief.draw(np.random.default_rng([seed, 0, b]), P).astype(np.float32) for b, belief in enumerate(beliefs.rates)]
    credits = _credits(problem, P)
    due = np.zeros((span + MAX_DELAY_DAYS + 1, P), dtype=np.int32)  # real credit-backs by arrival day (from today)
    for t, amount in beliefs.known_credit_backs:
        if first <= t < n_days:
            due[t - first] += amount
    _pending_responses(problem, beliefs, due, rates, seed, P)

    children: dict[int, list[int]] = {}
    for follower in buckets:
        if follower.parent is not None:
            children.setdefault(follower.parent, []).append(follower.index)
    fits = {f: np.zeros((span, P), dtype=np.int32) for p in children for f in children[p]}  # fitting parent sends, by day
    ready = {f: np.zeros(P, dtype=np.int64) for f in fits}
    reached = {f: np.zeros(P, dtype=np.int64) for f in fits}
    order = _send_order(problem)
    starts = {t: k for k, t in enumerate(problem.calendar.cycle_starts)}
    paid_total = np.zeros(P, dtype=np.int64)
    zeros = np.zeros(P, dtype=np.int64)

    closing = np.zeros((span, P), dtype=np.int32)
    spent_by_day = np.zeros((span, P), dtype=np.int32)
    credited_by_day = np.zeros((span, P), dtype=np.int32)
    made_by_day = np.zeros((span, P), dtype=np.int32)
    resp_by_day = np.zeros((span, P), dtype=np.int32)
    responses = zeros.copy()
    expired = zeros.copy()
    forfeited = zeros.copy()
    missed = zeros.copy()
    norecip = zeros.copy()
    first_dry = np.full(P, -1, dtype=np.int64)
    reserve_held = np.ones(P, dtype=bool)

    for t in days:
        i = t - first
        k = problem.cycle_of(t)
        tier = problem.tiers[k]
        credit_class = credits.classes[int(credits.class_of_day[t])]
        # 1. the grant, less what the cap forfeits (the credits that expire first go first)
        if t in starts:
            grant = int(problem.grants[k])
            cap = problem.balance_cap(k)
            if cap is not None:
                over = np.maximum(credits.held() + grant - cap, 0)
                credits.take(np.maximum(over - grant, 0))
                forfeited += over
                credit_class.open_slot()
                credit_class.add(grant - np.minimum(grant, over))
            else:
                credit_class.open_slot()
                credit_class.add(grant)
        else:
            credit_class.open_slot()
        # 2. the credit-backs due today
        credit_class.add(due[i])
        credited_by_day[i] = due[i]
        for f in fits:
            gap = buckets[f].gap_days
            if gap > 0 and i - gap >= 0:
                ready[f] += fits[f][i - gap]
        # 3. today's sends, highest value first; follow-ups only to fitting parent sends
        for b in order:
            n = int(sends[b, t])
            if n <= 0:
                continue
            bucket = buckets[b]
            if bucket.parent is not None:
                extra = int(math.floor(problem.extra_eligible(bucket, t) + 1e-9))
                room = np.maximum(extra + ready[b] - reached[b], 0)
                can = np.minimum(n, room)
                norecip += n - can
            else:
                can = np.full(P, n, dtype=np.int64)
            if bucket.free:
                made = can
            else:
                made = np.minimum(can, credits.held())
                short = can - made
                if short.any():
                    missed += short
                    first_dry[(first_dry < 0) & (short > 0)] = t
                credits.take(made)
                paid_total += made
                spent_by_day[i] += made
            if bucket.parent is not None:
                reached[b] += made
            u = np.random.default_rng([seed, 1, b, t]).random((n, 2, P), dtype=np.float32)
            answered = u[:, 0, :] < rates[b][None, :]
            if made.min() < n:
                answered &= np.arange(n)[:, None] < made[None, :]  # only the sends made can answer
            count = answered.sum(axis=0)
            responses += count
            resp_by_day[i] += count
            made_by_day[i] += made
            for f in children.get(b, []):
                fit = count if buckets[f].follows_responders else made - count
                if buckets[f].gap_days == 0:
                    ready[f] += fit
                else:
                    fits[f][i] += fit
            if not bucket.free and tier.credit_back:
                for j in range(n):
                    # one send slot: each path at most once, so a fancy-indexed += counts every response
                    path = np.flatnonzero(answered[j])
                    due[i + beliefs.delay.days(u[j, 1, path]), path] += 1
        # a response on the day of its send (delay 0) lands in due[i] after that day's sends: a send never pays for itself
        today_back = due[i] - credited_by_day[i]
        if today_back.any():
            credit_class.add(today_back)
            credited_by_day[i] += today_back
        held = credits.held()
        floor = problem.reserve_floor(k)
        if floor > 0 and problem.reserve_applies(t):
            reserve_held &= held >= floor
        # 4. the credits whose last valid day it is expire
        expired += credits.expire(t)
        closing[i] = credits.held()

    return Simulation(
        problem=problem,
        paths=P,
        seed=seed,
        days=days,
        closing=closing,
        spent_by_day=spent_by_day,
        credited_by_day=credited_by_day,
        responses=responses,
        spent=paid_total,
        expired=expired,
        forfeited=forfeited,
        missed=missed,
        without_recipients=norecip,
        first_dry=first_dry,
        reserve_held=reserve_held,
        low_response=_low_response(problem, sends, made_by_day, resp_by_day),
    )


def _pending_responses(problem: Problem, beliefs: Beliefs, due: np.ndarray, rates: list[np.ndarray], seed: int, P: int) -> None:
    """A re-plan's logged pending sends: each may still answer, and return its credit on the day it does.

    A send of age a that has not answered answers with probability
    r (1 - F(a)) / (1 - r F(a)) (Bayes: it was going to answer and has not yet),
    on a day drawn from the delays beyond a.
    """
    first = problem.first_day
    for j, sent in enumerate(beliefs.pending):
        if not sent.returns_credit:
            continue
        age = first - sent.sent_day
        done = beliefs.delay.cdf(age)
        if done >= 1:
            continue
        r = rates[sent.bucket]
        chance = r * (1 - done) / np.maximum(1 - r * done, 1e-12)
        u = np.random.default_rng([seed, 2, j]).random((2, P))
        yes = u[0] < chance
        arrive = sent.sent_day + beliefs.delay.days_beyond(age, u[1]) - first  # >= 0: it has not answered before today
        inside = yes & (arrive + first < problem.n_days)
        np.add.at(due, (arrive[inside], np.nonzero(inside)[0]), 1)


def _is_recruiter(tier: Tier) -> bool:
    return tier.name.lower().startswith("recruiter")


def _low_response(problem: Problem, sends: np.ndarray, made: np.ndarray, answered: np.ndarray) -> np.ndarray | None:
    """Per path: some 14-day window of Recruiter days with >= 100 InMails planned answered below 13 %.

    The rate of a window is the responses to the InMails sent in it over those sent.
    None when no window qualifies (no Recruiter tier, or never 100 InMails in 14 days).
    """
    first = problem.first_day
    span = problem.n_days - first
    recruiter = np.array([_is_recruiter(problem.tiers[problem.cycle_of(t)]) for t in problem.days], dtype=bool)
    planned = sends[:, first:].sum(axis=0)
    windows = [
        s
        for s in range(span - GUARD_WINDOW_DAYS + 1)
        if recruiter[s : s + GUARD_WINDOW_DAYS].all() and planned[s : s + GUARD_WINDOW_DAYS].sum() >= GUARD_MIN_SENDS
    ]
    if not windows:
        return None
    cm = np.vstack([np.zeros((1, made.shape[1]), dtype=np.int64), np.cumsum(made, axis=0)])
    ca = np.vstack([np.zeros((1, made.shape[1]), dtype=np.int64), np.cumsum(answered, axis=0)])
    starts = np.array(windows)
    sent = cm[starts + GUARD_WINDOW_DAYS] - cm[starts]
    got = ca[starts + GUARD_WINDOW_DAYS] - ca[starts]
    low = (sent > 0) & (got < GUARD_RATE * sent)
    return low.any(axis=0)


# --- safe reliance -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SafeReliance:
    """The largest reliance on the grid whose plan keeps P(run dry) at or below ``risk``."""

    reliance: float
    risk: float
    plan: Plan
    report: RiskReport
    tried: tuple[tuple[float, float], ...]  # (reliance, P(run dry)) of every plan simulated, in reliance order
    within_risk: bool  # False: even counting on none of the credit-backs runs dry more often than ``risk``

    @property
    def sentence(self) -> str:
        """e.g. "counting on 35 % of the expected credit-backs keeps the chance of running dry at 8 %"."""
        dry = _percent(self.report.p_run_dry)
        if not self.within_risk:
            return (
                f"even counting on none of the expected credit-backs, the chance of running dry is {dry}, "
                f"above the {_percent(self.risk)} you set"
            )
        share = "none" if self.reliance == 0 else "all" if self.reliance == 1 else _percent(self.reliance)
        return f"counting on {share} of the expected credit-backs keeps the chance of running dry at {dry}"


def _percent(x: float) -> str:
    return f"{100 * x:.0f} %"


def _spread(x: Spread) -> str:
    return f"mean {x.mean:.1f}, P10 {x.p10:g}, P50 {x.p50:g}, P90 {x.p90:g}"


class NoSchedule(ValueError):
    """Safe reliance: the scenario has no plan even counting on no credit-back; ``plan`` says why."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(f"no plan ({plan.status}): {plan.message}")
        self.plan = plan


def safe_reliance(
    scenario: Scenario,
    risk: float = DEFAULT_RISK,
    *,
    plan_for: Callable[[Scenario], Plan] | None = None,
    beliefs: Beliefs | None = None,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    catalog: Catalog | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
) -> SafeReliance:
    """The largest ``refund_reliance`` on 0, 0.05, ..., 1 whose plan keeps P(run dry) <= ``risk``.

    P(run dry) rises with reliance in practice, so the grid is bisected (about
    five plans instead of 21), every plan simulated with the same seed; the
    answer's neighbour above is always among the plans tried, so the answer is
    the last safe step before an unsafe one.

    Parameters
    ----------
    scenario
        The scenario; its own ``refund_reliance`` is ignored.
    risk
        The highest acceptable P(run dry), in [0, 1].
    plan_for
        How a scenario becomes a plan (a re-plan from today, say); by default
        :func:`planner.solve.make_plan` with ``catalog``, ``time_limit`` and ``gap``.
    beliefs, paths, seed
        As for :func:`simulate`.

    Raises
    ------
    NoSchedule
        When even the plan that counts on no credit-back does not exist.
    """
    if not 0 <= risk <= 1:
        raise ValueError(f"risk = {risk}: the chance of running dry lies between 0 and 1")
    make = plan_for if plan_for is not None else (lambda s: make_plan(s, catalog=catalog, time_limit=time_limit, gap=gap))
    seen: dict[int, tuple[Plan, RiskReport]] = {}

    unplanned: set[int] = set()

    def at(i: int) -> tuple[Plan, RiskReport]:
        if i not in seen:
            plan = make(scenario.model_copy(update={"refund_reliance": RELIANCE_GRID[i]}))
            if not plan.is_ok:
                if i == 0:
                    raise NoSchedule(plan)
                unplanned.add(i)  # no plan to count on there (the time limit, say): not a safe step
                return plan, seen[0][1]
            seen[i] = (plan, simulate(plan, beliefs, paths=paths, seed=seed).report())
        return seen[i]

    def safe(i: int) -> bool:
        report = at(i)[1]
        return i not in unplanned and report.p_run_dry <= risk + 1e-12

    top = len(RELIANCE_GRID) - 1
    if not safe(0):
        best, within = 0, False
    elif safe(top):
        best, within = top, True
    else:
        lo, hi = 0, top  # safe(lo), not safe(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if safe(mid):
                lo = mid
            else:
                hi = mid
        best, within = lo, True
    plan, report = at(best)
    tried = tuple((RELIANCE_GRID[i], seen[i][1].p_run_dry) for i in sorted(seen))
    return SafeReliance(RELIANCE_GRID[best], risk, plan, report, tried, within)


# --- tier comparison with risk -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierRisk:
    """One tier's plan under the simulation, against the current tier's on the same random numbers."""

    tier: str
    current: bool
    responses: Spread
    p_run_dry: float
    p_more_than_current: float | None  # None for the current tier itself
    extra_responses: Spread | None  # this tier's responses minus the current tier's, path by path


@dataclass(frozen=True)
class RiskComparison:
    """Every tier's plan simulated with common random numbers, and a verdict per other tier."""

    rows: tuple[TierRisk, ...]
    paths: int
    seed: int

    def table(self) -> pd.DataFrame:
        """One row per tier: responses P10/P50/P90, P(run dry), P(more than the current tier)."""
        return pd.DataFrame(
            [
                {
                    "tier": r.tier,
                    "current": r.current,
                    "responses_p10": r.responses.p10,
                    "responses_p50": r.responses.p50,
                    "responses_p90": r.responses.p90,
                    "p_run_dry": r.p_run_dry,
                    "p_more_than_current": r.p_more_than_current,
                }
                for r in self.rows
            ],
            columns=["tier", "current", "responses_p10", "responses_p50", "responses_p90", "p_run_dry", "p_more_than_current"],
        )

    def verdict(self) -> list[str]:
        """One sentence per tier other than the current one, saying how sure the simulation is."""
        current = next(r for r in self.rows if r.current)
        lines = []
        for r in self.rows:
            if r.current or r.p_more_than_current is None or r.extra_responses is None:
                continue
            p, x = r.p_more_than_current, r.extra_responses
            if p >= 0.9:
                sure = "almost surely gives more responses than"
            elif p >= 0.7:
                sure = "probably gives more responses than"
            elif p > 0.3:
                sure = "may or may not give more responses than"
            elif p > 0.1:
                sure = "probably gives no more responses than"
            else:
                sure = "almost surely gives no more responses than"
            lines.append(
                f"{r.tier} {sure} {current.tier} (more in {_percent(p)} of paths; "
                f"the difference runs from {x.p10:+.0f} to {x.p90:+.0f} responses, P10 to P90)."
            )
        return lines


def compare_with_risk(
    plans: Sequence[tuple[str, Plan]],
    current: str,
    beliefs: Beliefs | None = None,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
) -> RiskComparison:
    """Simulate each tier's plan (``(tier name, plan)`` pairs) on common random numbers; compare with ``current``.

    The plans are those of one scenario on different tiers (as
    :func:`planner.compare.compare_tiers` makes them), so their buckets are the
    same and share their rates, slot by slot their responses, across tiers.
    """
    names = [name for name, _ in plans]
    if current not in names:
        raise ValueError(f"current = {current!r}: not among the tiers compared ({', '.join(names)})")
    sims = {name: simulate(plan, beliefs, paths=paths, seed=seed) for name, plan in plans if plan.is_ok}
    if current not in sims:
        raise ValueError(f"current = {current!r}: its plan has no schedule to simulate")
    base = sims[current].responses
    rows = []
    for name, _ in plans:
        if name not in sims:
            continue
        sim = sims[name]
        mine = name == current
        rows.append(
            TierRisk(
                tier=name,
                current=mine,
                responses=Spread.of(sim.responses),
                p_run_dry=float((sim.first_dry >= 0).mean()),
                p_more_than_current=None if mine else float((sim.responses > base).mean()),
                extra_responses=None if mine else Spread.of(sim.responses - base),
            )
        )
    return RiskComparison(rows=tuple(rows), paths=paths, seed=seed)
