"""An independent oracle for plans, written from MODEL.md alone.

Nothing here imports the planner's ledger, checker or model: the calendar, the
credit ledger, the constraint checks and the objective are re-implemented from
the contract in ``shared/MODEL.md`` so that a plan can be checked by code that
shares none of the planner's bookkeeping. Inputs are plain scenario data (the
dict a TOML file reads into), the tier catalog CSV and the goal templates TOML,
all read here with the standard library.

The pieces:

* :class:`Spec`: the scenario as plain numbers (``Spec.from_dict``);
* :func:`cycle_starts`: the calendar (cycles of ``start + k months``, clamped);
* :func:`simulate`: the ledger, day by day, lot by lot;
* :func:`violations`: every constraint of MODEL.md, as a list of messages;
* :func:`objective`: MODEL.md's objective with the goal-mix shortfall;
* :func:`enumerate_optimum`: the optimum of a tiny scenario by listing every
  whole-number schedule (no solver).

Teams (MODEL.md v2, "Teams: pooled seats"): a scenario with ``[[seats]]`` is
one :class:`Spec` with an :class:`OSeat` per seat and a ``seat`` index on
every :class:`OBucket`; a one-seat scenario is one seat built from the
top-level fields, so it is checked exactly as before. The readings used:

* the pool: the grant of cycle k is seats x monthly credits + the bonus of k
  (the bonus once, for the contract), the balance cap seats x the tier's cap;
  one ledger; every seat's credit-backs return to it; the reserve is the
  pool's (min(reserve, the pool's grant of k));
* per seat: its buckets (names may repeat across seats; a follow-up names a
  bucket of its own seat), its send days, days off and daily cap (each its
  own when given, else the team's: a seat's ``days_off`` replaces the team's),
  its ``seat_cap`` (most credit-paid sends of the seat in a cycle), its pools,
  minimums and follow-ups, and the speed guard and reply capacity (team-level
  fields) applied to each seat's own sends (a seat is a person);
* the goal mix per seat: the target of (seat s, goal g, cycle k) is
  floor(share_{s,g} x credits_{s,k}), with credits_{s,k} = min(monthly credits
  of k + bonus of k / seats, seat_cap_s). MODEL.md says only "the goal mix is
  per seat"; this is the seat's part of the pool's grant, at most what it may
  spend (one seat: monthly credits + bonus, constraint 7 as in v1);
* M = 100 x max w_b r_b over every bucket of every seat; the objective is the
  sum over the seats.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TIERS_CSV = ROOT / "data" / "tiers.csv"
GOALS_TOML = ROOT / "data" / "goals.toml"

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # date.weekday() order
PRIORITY = {"high": 3.0, "medium": 2.0, "low": 1.0}
BALANCE_EPS = 1e-6  # MODEL.md: the balance may dip 1e-6 below zero (fractional credit-backs)
RULE_EPS = 1e-6  # slack on the follow-up and reserve comparisons (float products)


# --- plain data -----------------------------------------------------------------------


@dataclass(frozen=True)
class OTier:
    name: str
    monthly: int
    policy: str = "cycle"  # 'cycle' | 'rollover'
    max_age: int | None = None
    cap: int | None = None
    credit_back: bool = False


@dataclass(frozen=True)
class OBucket:
    name: str
    goal: str
    weight: float
    rate: float
    pool: int | None = None
    min: int = 0
    free: bool = False
    parent: int | None = None  # index of the followed bucket
    alpha: float = 0.0
    gap: int = 0
    seat: int = 0  # index of the seat whose bucket it is (0 for a one-seat scenario)


@dataclass(frozen=True)
class OSeat:
    """One seat of a team: its goal mix, its days and caps (None: no cap)."""

    name: str
    shares: Mapping[str, float]
    send_days: frozenset[int] = frozenset(range(5))
    days_off: frozenset[date] = frozenset()
    daily_cap: int | None = None
    seat_cap: int | None = None  # most credit-paid sends per cycle


@dataclass(frozen=True)
class Spec:
    start: date
    cycles: int
    tiers: tuple[OTier, ...]  # one per cycle
    bonus: tuple[int, ...]  # one per cycle
    buckets: tuple[OBucket, ...]
    shares: Mapping[str, float]
    send_days: frozenset[int] = frozenset(range(5))  # weekday numbers, Mon = 0
    days_off: frozenset[date] = frozenset()
    weekday_factor: Mapping[int, float] = field(default_factory=dict)
    daily_cap: int | None = None
    reserve: int = 0
    release: int = 3
    reliance: float = 0.0
    lag: int = 7
    delta: float = 0.001
    guard: tuple[float, float] | None = None  # speed_guard (base R0, growth g), MODEL.md v2
    replies_per_day: float | None = None  # MODEL.md v2
    team: tuple[OSeat, ...] | None = None  # a team's seats; None: one seat from the fields above

    # -- derived, computed here from the definitions of MODEL.md --

    @cached_property
    def starts(self) -> list[int]:
        return cycle_starts(self.start, self.cycles)[0]

    @cached_property
    def n_days(self) -> int:
        return cycle_starts(self.start, self.cycles)[1]

    @cached_property
    def _cycle_table(self) -> list[int]:
        table = []
        for t in range(self.n_days):
            k = 0
            for j, s in enumerate(self.starts):
                if s <= t:
                    k = j
            table.append(k)
        return table

    @cached_property
    def seats(self) -> tuple[OSeat, ...]:
        """The team's seats, or the one seat of a one-seat scenario (its top-level fields)."""
        if self.team is not None:
            return self.team
        return (OSeat("", self.shares, self.send_days, self.days_off, self.daily_cap),)

    @property
    def n_seats(self) -> int:
        return len(self.seats)

    def buckets_of(self, seat: int) -> list[int]:
        """Indices of the seat's buckets."""
        return [b for b, bk in enumerate(self.buckets) if bk.seat == seat]

    def grant(self, k: int) -> int:
        """The pool's grant of cycle k: seats x monthly credits + bonus."""
        return self.tiers[k].monthly * self.n_seats + self.bonus[k]

    def cap(self, k: int) -> int | None:
        """The pool's balance cap in cycle k: seats x the tier's (None: no cap)."""
        cap = self.tiers[k].cap
        return None if cap is None else cap * self.n_seats

    def cycle_of(self, t: int) -> int:
        return self._cycle_table[t]

    def cycle_end(self, k: int) -> int:
        starts = self.starts
        return (starts[k + 1] if k + 1 < len(starts) else self.n_days) - 1

    def day(self, t: int) -> date:
        return self.start + timedelta(days=t)

    def can_send(self, t: int, seat: int = 0) -> bool:
        d = self.day(t)
        mine = self.seats[seat]
        return d.weekday() in mine.send_days and d not in mine.days_off

    def factor(self, t: int) -> float:
        return self.weekday_factor.get(self.day(t).weekday(), 1.0) * (1.0 - self.delta * t)

    def expiry(self, arrival: int) -> int:
        """Last day on which credits received on ``arrival`` can be spent."""
        k = self.cycle_of(arrival)
        tier = self.tiers[k]
        if tier.policy == "cycle":
            return self.cycle_end(k)
        assert tier.max_age is not None
        return arrival + tier.max_age - 1

    def seat_credits(self, seat: int, k: int) -> Fraction:
        """min(monthly credits of k + bonus of k / seats, seat_cap): what the seat's goal targets are shares of."""
        credits = Fraction(self.tiers[k].monthly) + Fraction(self.bonus[k], self.n_seats)
        cap = self.seats[seat].seat_cap
        return credits if cap is None else min(credits, Fraction(cap))

    def target(self, goal: str, k: int, seat: int = 0) -> int:
        """floor(share_{s,g} * credits_{s,k}), exactly, with the share as written in decimal."""
        share = self.seats[seat].shares.get(goal, 0.0)
        return math.floor(Fraction(Decimal(repr(float(share)))) * self.seat_credits(seat, k))

    def reserve_floor(self, k: int) -> int:
        return min(self.reserve, self.grant(k))

    def penalty(self) -> float:
        return 100.0 * max((b.weight * b.rate for b in self.buckets), default=0.0)

    def index(self, name: str, seat: int = 0) -> int:
        for i, b in enumerate(self.buckets):
            if b.name == name and b.seat == seat:
                return i
        raise KeyError(name)

    def seat_index(self, name: str) -> int:
        return [s.name for s in self.seats].index(name)

    # -- construction from scenario data --

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], tiers_csv: Path = TIERS_CSV, goals_toml: Path = GOALS_TOML) -> Spec:
        """The scenario's fields as written (TOML data), defaults from MODEL.md's table; a team when it lists seats."""
        start = _as_date(data["start"])
        cycles = int(data.get("cycles", 1))
        catalog: dict[str, OTier] | None = None

        def tier_of(ref: Any) -> OTier:
            nonlocal catalog
            if isinstance(ref, Mapping):
                return tier_from_mapping(ref)
            if catalog is None:
                catalog = read_catalog(tiers_csv)
            return catalog[str(ref).strip().casefold()]

        tiers = tuple(tier_of(r) for r in data["tiers"]) if "tiers" in data else (tier_of(data["tier"]),) * cycles
        assert len(tiers) == cycles
        bonus_raw = data.get("bonus_credits", 0)
        bonus = tuple(int(b) for b in bonus_raw) if isinstance(bonus_raw, list) else (int(bonus_raw),) * cycles

        send_days = _weekdays(data.get("send_days", ["Mon", "Tue", "Wed", "Thu", "Fri"]))
        days_off = frozenset(_as_date(d) for d in data.get("days_off", []))
        daily_cap = None if data.get("daily_cap") is None else int(data["daily_cap"])
        buckets: list[OBucket] = []
        team: tuple[OSeat, ...] | None = None
        shares: dict[str, float] = {}
        if data.get("seats") is not None:
            seats = []
            for i, raw in enumerate(data["seats"]):
                mine, seat_shares = _seat_buckets(raw, i, len(buckets), goals_toml)
                buckets += mine
                seats.append(
                    OSeat(
                        name=str(raw["name"]),
                        shares=seat_shares,
                        send_days=_weekdays(raw["send_days"]) if raw.get("send_days") is not None else send_days,
                        days_off=frozenset(_as_date(d) for d in raw["days_off"]) if raw.get("days_off") is not None else days_off,
                        daily_cap=int(raw["daily_cap"]) if raw.get("daily_cap") is not None else daily_cap,
                        seat_cap=None if raw.get("seat_cap") is None else int(raw["seat_cap"]),
                    )
                )
            team = tuple(seats)
        else:
            buckets, shares = _seat_buckets(data, 0, 0, goals_toml)
        return cls(
            start=start,
            cycles=cycles,
            tiers=tiers,
            bonus=bonus,
            buckets=tuple(buckets),
            shares=shares,
            send_days=send_days,
            days_off=days_off,
            weekday_factor={WEEKDAYS.index(str(k)): float(v) for k, v in data.get("weekday_factor", {}).items()},
            daily_cap=daily_cap,
            reserve=int(data.get("reserve", 0)),
            release=int(data.get("reserve_release_days", 3)),
            reliance=float(data.get("refund_reliance", 0.0)),
            lag=int(data.get("refund_lag_days", 7)),
            delta=float(data.get("time_discount", 0.001)),
            guard=None
            if data.get("speed_guard") is None
            else (float(data["speed_guard"]["base"]), float(data["speed_guard"]["growth"])),
            replies_per_day=None if data.get("replies_per_day") is None else float(data["replies_per_day"]),
            team=team,
        )

    @classmethod
    def from_toml(cls, path: Path | str) -> Spec:
        with open(path, "rb") as handle:
            return cls.from_dict(tomllib.load(handle))


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _weekdays(names: Iterable[Any]) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(str(d)) for d in names)


def _seat_buckets(data: Mapping[str, Any], seat: int, first: int, goals_toml: Path) -> tuple[list[OBucket], dict[str, float]]:
    """One seat's buckets (its own, or its goals' templates), indexed from ``first``, and its goal shares.

    A follow-up's ``follows`` names a bucket of the same seat.
    """
    goals = data.get("goals")
    raw_buckets: list[dict[str, Any]]
    if data.get("buckets") is not None:
        raw_buckets = [dict(b) for b in data["buckets"]]
    else:
        with open(goals_toml, "rb") as handle:
            templates = tomllib.load(handle)
        assert goals is not None
        raw_buckets = [{**b, "goal": g} for g, share in goals.items() if share > 0 for b in templates[str(g)]["buckets"]]
    names = [str(b["name"]) for b in raw_buckets]
    buckets = []
    for b in raw_buckets:
        given = b.get("weight")
        weight = float(given) if given is not None else PRIORITY[str(b.get("priority", "medium"))]
        parent = alpha = None
        if b.get("follows") is not None:
            parent = names.index(str(b["follows"]))
            r_p = float(raw_buckets[parent]["response_rate"])
            who = str(b.get("follows_who", "non_responders"))
            alpha = r_p if who == "responders" else 1.0 - r_p
        buckets.append(
            OBucket(
                name=str(b["name"]),
                goal=str(b["goal"]),
                weight=weight,
                rate=float(b["response_rate"]),
                pool=None if b.get("pool") is None else int(b["pool"]),
                min=int(b.get("min", 0)),
                free=bool(b.get("free", False)),
                parent=None if parent is None else first + parent,
                alpha=0.0 if alpha is None else alpha,
                gap=int(b.get("gap_days", 0)),
                seat=seat,
            )
        )
    if goals is None:
        goal_set = {b.goal for b in buckets}
        assert len(goal_set) == 1, "goals must be given when buckets have several goals"
        shares = {goal_set.pop(): 1.0}
    else:
        shares = {str(g): float(s) for g, s in goals.items()}
    return buckets, shares


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "1")


def tier_from_mapping(row: Mapping[str, Any]) -> OTier:
    def opt_int(key: str) -> int | None:
        v = row.get(key)
        return None if v is None or v == "" else int(v)

    return OTier(
        name=str(row["name"]),
        monthly=int(row["monthly_credits"]),
        policy=str(row.get("policy") or "cycle"),
        max_age=opt_int("max_age_days"),
        cap=opt_int("balance_cap"),
        credit_back=_bool(row.get("credit_back", False)),
    )


def read_catalog(path: Path = TIERS_CSV) -> dict[str, OTier]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return {row["name"].strip().casefold(): tier_from_mapping(row) for row in csv.DictReader(handle)}


# --- calendar -------------------------------------------------------------------------


def add_months(start: date, k: int) -> date:
    """``start + k months``, the day clamped to the month's last day."""
    year = start.year + (start.month - 1 + k) // 12
    month = (start.month - 1 + k) % 12 + 1
    day = start.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def cycle_starts(start: date, cycles: int) -> tuple[list[int], int]:
    """(day index of each cycle's first day, number of days in the horizon)."""
    starts = [(add_months(start, k) - start).days for k in range(cycles)]
    return starts, (add_months(start, cycles) - start).days


# --- the ledger -----------------------------------------------------------------------


@dataclass
class Day:
    t: int
    cycle: int
    opening: float
    granted: float = 0.0
    forfeited: float = 0.0
    credited_back: float = 0.0
    spent: float = 0.0
    after_sends: float = 0.0  # balance after the day's sends, credits valid that day
    expired: float = 0.0
    closing: float = 0.0
    lots: list[tuple[int, float]] = field(default_factory=list)  # (last valid day, amount) at closing


@dataclass
class Ledger:
    days: list[Day]
    min_balance: float  # the lowest balance after sends (negative: credits spent that were not held)
    first_short_day: int | None  # first day the sends needed more credits than held (beyond 1e-6)

    @property
    def closing(self) -> list[float]:
        return [d.closing for d in self.days]


def _take(lots: list[list[float]], amount: float) -> float:
    """Remove ``amount`` from the lots that expire first; return what could not be taken."""
    lots.sort(key=lambda lot: lot[0])
    for lot in lots:
        if amount <= 0:
            break
        used = min(lot[1], amount)
        lot[1] -= used
        amount -= used
    lots[:] = [lot for lot in lots if lot[1] > 1e-12]
    return max(amount, 0.0)


def paid_per_day(spec: Spec, sends: Sequence[Sequence[int]]) -> list[int]:
    n = spec.n_days
    return [sum(int(sends[b][t]) for b, bk in enumerate(spec.buckets) if not bk.free) for t in range(n)]


def simulate(spec: Spec, sends: Sequence[Sequence[int]]) -> Ledger:
    """Run MODEL.md's ledger over the horizon for a schedule ``sends[bucket][day]``."""
    n = spec.n_days
    starts = set(spec.starts)
    lots: list[list[float]] = []  # [last valid day, amount]
    debt = 0.0  # credits spent that were not held (infeasible schedules only)
    refunds = [0.0] * n
    days: list[Day] = []
    min_balance = math.inf
    first_short: int | None = None
    for t in range(n):
        k = spec.cycle_of(t)
        tier = spec.tiers[k]
        held = sum(lot[1] for lot in lots)
        row = Day(t=t, cycle=k, opening=held - debt)

        def receive(amount: float, day: int = t) -> None:
            nonlocal debt
            if amount <= 0:
                return
            pay = min(debt, amount)
            debt -= pay
            if amount - pay > 0:
                lots.append([float(spec.expiry(day)), amount - pay])

        # 1. the grant, less what the cap forfeits
        if t in starts:
            grant = float(spec.grant(k))
            forfeit = 0.0
            cap = spec.cap(k)  # the pool's: seats x the tier's
            if cap is not None:
                forfeit = max(0.0, (held - debt) + grant - cap)
            row.granted, row.forfeited = grant, forfeit
            receive(grant - min(forfeit, grant))
            excess = forfeit - min(forfeit, grant)
            if excess > 0:
                _take(lots, excess)
        # 2. expected credit-backs due today
        if refunds[t] > 0:
            row.credited_back = refunds[t]
            receive(refunds[t])
        # 3. the day's credit-paid sends, from the credits that expire first
        paid = 0
        for b, bk in enumerate(spec.buckets):
            x = int(sends[b][t])
            if bk.free or x == 0:
                continue
            paid += x
            if tier.credit_back and spec.reliance > 0 and t + spec.lag < n:
                refunds[t + spec.lag] += spec.reliance * bk.rate * x
        row.spent = float(paid)
        short = _take(lots, float(paid))
        debt += short
        if debt > BALANCE_EPS and first_short is None:
            first_short = t
        row.after_sends = sum(lot[1] for lot in lots) - debt
        min_balance = min(min_balance, row.after_sends)
        # 4. end of day: credits whose last valid day it was expire
        row.expired = sum(lot[1] for lot in lots if lot[0] <= t)
        lots[:] = [lot for lot in lots if lot[0] > t]
        row.closing = sum(lot[1] for lot in lots) - debt
        row.lots = sorted((int(e), a) for e, a in lots)
        days.append(row)
    return Ledger(days=days, min_balance=min_balance if n else 0.0, first_short_day=first_short)


# --- constraints ----------------------------------------------------------------------


def violations(spec: Spec, sends: Sequence[Sequence[int]], ledger: Ledger | None = None) -> list[str]:
    """Every broken constraint of MODEL.md, one message each (empty: the schedule is feasible)."""
    n, nb = spec.n_days, len(spec.buckets)
    out: list[str] = []
    if len(sends) != nb or any(len(row) != n for row in sends):
        return [f"schedule shape is not {nb} buckets x {n} days"]
    for b, bk in enumerate(spec.buckets):
        for t in range(n):
            x = sends[b][t]
            if x != int(x) or x < 0:
                out.append(f"{bk.name} day {t}: {x} is not a whole number >= 0")
            elif x > 0 and not spec.can_send(t, bk.seat):
                out.append(f"{_who(spec, bk.seat)}{bk.name} day {t} ({spec.day(t)}): {x} sends on a day with no sending")
    ledger = ledger if ledger is not None else simulate(spec, sends)
    if ledger.min_balance < -BALANCE_EPS:
        out.append(f"credits: balance goes to {ledger.min_balance:.6g} (first on day {ledger.first_short_day})")
    # 6. reserve
    for row in ledger.days:
        k = row.cycle
        if row.t <= spec.cycle_end(k) - spec.release:
            floor = spec.reserve_floor(k)
            if row.after_sends < floor - RULE_EPS:
                out.append(f"reserve: day {row.t} ends with {row.after_sends:.6g} < {floor}")
    # 2, 3. pools and minimums per cycle
    for k in range(spec.cycles):
        lo, hi = spec.starts[k], spec.cycle_end(k)
        for b, bk in enumerate(spec.buckets):
            total = sum(int(sends[b][t]) for t in range(lo, hi + 1))
            if bk.pool is not None and total > bk.pool:
                out.append(f"pool: {_who(spec, bk.seat)}{bk.name} sends {total} > {bk.pool} in cycle {k}")
            if total < bk.min:
                out.append(f"min: {_who(spec, bk.seat)}{bk.name} sends {total} < {bk.min} in cycle {k}")
    # 4. follow-ups, cumulative over the horizon
    for f, bk in enumerate(spec.buckets):
        if bk.parent is None:
            continue
        p = bk.parent
        cum_f = 0
        prefix_p = [0]
        for t in range(n):
            prefix_p.append(prefix_p[-1] + int(sends[p][t]))
        for t in range(n):
            cum_f += int(sends[f][t])
            cum_p = prefix_p[max(t - bk.gap + 1, 0)]  # parent sends on days 0 .. t - gap
            if cum_f > bk.alpha * cum_p + RULE_EPS:
                out.append(f"follow-up: {_who(spec, bk.seat)}{bk.name} has {cum_f} by day {t} > {bk.alpha:g} * {cum_p}")
                break
    # 5. daily cap, each seat's
    for s, seat in enumerate(spec.seats):
        if seat.daily_cap is None:
            continue
        mine = spec.buckets_of(s)
        for t in range(n):
            total = sum(int(sends[b][t]) for b in mine)
            if total > seat.daily_cap:
                out.append(f"daily cap: {_who(spec, s)}day {t} sends {total} > {seat.daily_cap}")
    # teams: the seat cap, credit-paid sends of each seat per cycle
    out += seat_cap_violations(spec, sends)
    # v2: the speed guard and the reply capacity, every day, each seat's
    out += pace_violations(spec, sends)
    return out


def _who(spec: Spec, seat: int) -> str:
    """How a message names a team's seat (nothing for a one-seat scenario)."""
    return "" if spec.team is None else f"seat {spec.seats[seat].name!r}: "


def seat_paid(spec: Spec, sends: Sequence[Sequence[int]], seat: int, k: int) -> int:
    """Credit-paid sends of the seat's buckets in cycle k."""
    lo, hi = spec.starts[k], spec.cycle_end(k)
    return sum(int(sends[b][t]) for b in spec.buckets_of(seat) if not spec.buckets[b].free for t in range(lo, hi + 1))


def seat_cap_violations(spec: Spec, sends: Sequence[Sequence[int]]) -> list[str]:
    """Teams: sum over the seat's credit-paid buckets and the days of cycle k of x[b, d] <= seat_cap."""
    out = []
    for s, seat in enumerate(spec.seats):
        if seat.seat_cap is None:
            continue
        for k in range(spec.cycles):
            spent = seat_paid(spec, sends, s, k)
            if spent > seat.seat_cap:
                out.append(f"seat cap: {_who(spec, s)}spends {spent} > {seat.seat_cap} in cycle {k}")
    return out


def guard_allows(spec: Spec, sends: Sequence[Sequence[int]], t: int, seat: int = 0) -> float:
    """R0 + g * (the seat's InMails of days t-7 .. t-1, all its buckets) / 7; days before the start count as none."""
    assert spec.guard is not None
    base, growth = spec.guard
    week = sum(int(sends[b][d]) for b in spec.buckets_of(seat) for d in range(max(0, t - 7), t))
    return base + growth * week / 7


def pace_violations(spec: Spec, sends: Sequence[Sequence[int]]) -> list[str]:
    """MODEL.md v2, each seat: InMails of day d <= R0 + g * (those of the 7 days before) / 7; sum_b r_b x[b, d] <= C."""
    out = []
    for s in range(spec.n_seats):
        mine = spec.buckets_of(s)
        for t in range(spec.n_days):
            total = sum(int(sends[b][t]) for b in mine)
            if spec.guard is not None and total > guard_allows(spec, sends, t, s) + RULE_EPS:
                out.append(f"speed guard: {_who(spec, s)}day {t} sends {total} > {guard_allows(spec, sends, t, s):.6g}")
            replies = sum(spec.buckets[b].rate * int(sends[b][t]) for b in mine)
            if spec.replies_per_day is not None and replies > spec.replies_per_day + RULE_EPS:
                out.append(f"replies per day: {_who(spec, s)}day {t} expects {replies:.6g} > {spec.replies_per_day:g}")
    return out


# --- objective ------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    value: float  # sum w r factor x
    shortfall: dict[tuple[str, int], int]  # (goal, cycle) -> summed over the seats
    penalty: float  # M
    objective: float
    seat_shortfall: dict[tuple[int, str, int], int] = field(default_factory=dict)  # (seat, goal, cycle) -> u

    @property
    def total_shortfall(self) -> int:
        return sum(self.shortfall.values())


def objective(spec: Spec, sends: Sequence[Sequence[int]]) -> Score:
    """sum_{b,d} w_b r_b factor(d) x[b,d] - M * sum_{s,g,k} u_{s,g,k}, with each seat's own goal targets."""
    n = spec.n_days
    factors = [spec.factor(t) for t in range(n)]
    value = 0.0
    for b, bk in enumerate(spec.buckets):
        value += bk.weight * bk.rate * sum(factors[t] * int(sends[b][t]) for t in range(n))
    by_seat: dict[tuple[int, str, int], int] = {}
    shortfall: dict[tuple[str, int], int] = {}
    for k in range(spec.cycles):
        lo, hi = spec.starts[k], spec.cycle_end(k)
        for s, seat in enumerate(spec.seats):
            for g in seat.shares:
                paid = sum(
                    int(sends[b][t])
                    for b in spec.buckets_of(s)
                    if spec.buckets[b].goal == g and not spec.buckets[b].free
                    for t in range(lo, hi + 1)
                )
                by_seat[(s, g, k)] = max(0, spec.target(g, k, s) - paid)
                shortfall[(g, k)] = shortfall.get((g, k), 0) + by_seat[(s, g, k)]
    m = spec.penalty()
    return Score(value=value, shortfall=shortfall, penalty=m, objective=value - m * sum(by_seat.values()), seat_shortfall=by_seat)


def totals(spec: Spec, sends: Sequence[Sequence[int]], ledger: Ledger | None = None) -> dict[str, float]:
    """The headline numbers MODEL.md says a plan reports, from the oracle's own ledger and score."""
    ledger = ledger if ledger is not None else simulate(spec, sends)
    sc = objective(spec, sends)
    n = spec.n_days
    return {
        "credits_granted": float(sum(spec.grant(k) for k in range(spec.cycles))),
        "credits_spent": sum(d.spent for d in ledger.days),
        "expired_unused": sum(d.expired for d in ledger.days),
        "forfeited_over_cap": sum(d.forfeited for d in ledger.days),
        "credits_left_at_end": ledger.days[-1].closing if ledger.days else 0.0,
        "sends": float(sum(int(sends[b][t]) for b in range(len(spec.buckets)) for t in range(n))),
        "free_sends": float(sum(int(sends[b][t]) for b, bk in enumerate(spec.buckets) if bk.free for t in range(n))),
        "expected_responses": sum(bk.rate * int(sends[b][t]) for b, bk in enumerate(spec.buckets) for t in range(n)),
        "weighted_value": sc.value,
        "expected_credit_backs": sum(d.credited_back for d in ledger.days),
        "goal_shortfall": float(sc.total_shortfall),
        "objective": sc.objective,
    }


def sends_by_name(spec: Spec, names: Sequence[str], sends: Any) -> list[list[int]]:
    """Reorder a planner's ``sends[bucket, day]`` (rows named ``names``) into the spec's bucket order."""
    rows = {name: [int(v) for v in sends[i]] for i, name in enumerate(names)}
    return [rows[b.name] for b in spec.buckets]


def sends_from_rows(spec: Spec, rows: Iterable[tuple[date, str | None, str, int]]) -> list[list[int]]:
    """A schedule ``sends[bucket][day]`` from rows (date, seat name, bucket name, sends) as a plan's schedule lists them.

    The seat is None (or ignored) for a one-seat scenario; a cell listed twice is an error.
    """
    x = [[0] * spec.n_days for _ in spec.buckets]
    for day, seat, bucket, n in rows:
        s = spec.seat_index(str(seat)) if spec.team is not None else 0
        b, t = spec.index(bucket, s), (_as_date(day) - spec.start).days
        assert 0 <= t < spec.n_days and x[b][t] == 0, (day, seat, bucket)
        x[b][t] = int(n)
    return x


# --- brute force ---------------------------------------------------------------------


def enumerate_optimum(spec: Spec, max_leaves: int = 400_000) -> tuple[float, list[list[int]], int]:
    """The best objective over every feasible whole-number schedule, one such schedule, and the leaves seen.

    Each cell (bucket b, day t) a send day of b's seat is tried with 0 .. its most sends: the bucket's pool
    left in the cycle, its seat's daily cap, seat cap, speed guard and reply capacity left, and the credits
    the pool could ever pay; every leaf is checked by :func:`violations`.
    """
    n, nb = spec.n_days, len(spec.buckets)
    cells = [(b, t) for t in range(n) for b in range(nb) if spec.can_send(t, spec.buckets[b].seat)]
    coef = [spec.buckets[b].weight * spec.buckets[b].rate * spec.factor(t) for b, t in cells]
    grants = sum(spec.grant(k) for k in range(spec.cycles))
    back = any(t.credit_back for t in spec.tiers)
    rho = spec.reliance * max((b.rate for b in spec.buckets if not b.free), default=0.0) if back else 0.0
    assert rho < 1
    # every paid send either used a granted credit or one of the credit-backs, at most rho per paid send
    budget = math.floor(grants / (1 - rho) + 1e-9)
    targets = {
        (s, g, k): spec.target(g, k, s) for s, seat in enumerate(spec.seats) for g in seat.shares for k in range(spec.cycles)
    }
    m = spec.penalty()
    x = [[0] * n for _ in range(nb)]
    used_pool: dict[tuple[int, int], int] = {}  # (bucket, cycle)
    used_day: dict[tuple[int, int], int] = {}  # (seat, day)
    used_seat: dict[tuple[int, int], int] = {}  # (seat, cycle): credit-paid sends
    paid_gk: dict[tuple[int, str, int], int] = {key: 0 for key in targets}
    best: list[Any] = [-math.inf, None]
    leaves = [0]

    def leaf(value: float) -> None:
        leaves[0] += 1
        assert leaves[0] <= max_leaves, "scenario too large to enumerate"
        short = sum(max(0, targets[key] - paid_gk[key]) for key in targets)
        obj = value - m * short
        if obj > best[0] + 1e-12 and not violations(spec, x):
            best[0], best[1] = obj, [row[:] for row in x]

    def most(b: int, t: int, k: int, paid: int) -> int:
        bk = spec.buckets[b]
        s, seat = bk.seat, spec.seats[bk.seat]
        hi = (10**9 if bk.free else budget) if bk.pool is None else bk.pool - used_pool.get((b, k), 0)
        if seat.daily_cap is not None:
            hi = min(hi, seat.daily_cap - used_day.get((s, t), 0))
        if spec.guard is not None:  # the days before t are set already (cells run day by day)
            hi = min(hi, math.floor(guard_allows(spec, x, t, s) + RULE_EPS) - used_day.get((s, t), 0))
        if spec.replies_per_day is not None and bk.rate > 0:
            replied = sum(spec.buckets[o].rate * x[o][t] for o in spec.buckets_of(s) if o != b)
            hi = min(hi, math.floor((spec.replies_per_day - replied) / bk.rate + RULE_EPS))
        if not bk.free:
            hi = min(hi, budget - paid)
            if seat.seat_cap is not None:
                hi = min(hi, seat.seat_cap - used_seat.get((s, k), 0))
        assert hi < 10**9, "free buckets need a bound (a pool or a daily cap)"
        return max(hi, 0)

    def rec(i: int, paid: int, value: float) -> None:
        if i == len(cells):
            leaf(value)
            return
        b, t = cells[i]
        bk = spec.buckets[b]
        k = spec.cycle_of(t)
        counted = 0 if bk.free else 1
        key = (bk.seat, bk.goal, k)
        for v in range(most(b, t, k, paid) + 1):
            x[b][t] = v
            used_pool[(b, k)] = used_pool.get((b, k), 0) + v
            used_day[(bk.seat, t)] = used_day.get((bk.seat, t), 0) + v
            used_seat[(bk.seat, k)] = used_seat.get((bk.seat, k), 0) + counted * v
            if key in paid_gk:
                paid_gk[key] += counted * v
            rec(i + 1, paid + counted * v, value + coef[i] * v)
            used_pool[(b, k)] -= v
            used_day[(bk.seat, t)] -= v
            used_seat[(bk.seat, k)] -= counted * v
            if key in paid_gk:
                paid_gk[key] -= counted * v
        x[b][t] = 0

    rec(0, 0, 0.0)
    return best[0], best[1], leaves[0]
