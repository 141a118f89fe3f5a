"""Tier comparison: the same scenario planned on each of several tiers, and what a buyer reads from it.

One row per tier with its price, credits, what the plan spends, lets expire
or forfeits, what holds the unused credits back, the expected responses, the
goal-mix shortfall and the cost per expected response, plus what it adds
against the current tier (:func:`compare_tiers`). The steps are separate so
that a caller can solve each tier its own way (the Compare page caches one
plan per tier): :func:`tiers_to_compare`, :func:`tier_scenario`, then
:func:`compare_plans`. :func:`comparison_table` adds the per-month figures,
:func:`verdict` says what each tier does, and :func:`recommendation` names the
tier worth buying. The text is plain (no markdown): a page escapes it as
user text, because tier names can come from a shared link.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import pandas as pd

from planner.catalog import Catalog, Tier, load_catalog
from planner.plan import Plan
from planner.problem import ResolvedBucket, resolve
from planner.scenario import AnyScenario, ContractFields, ScenarioError, TierRef
from planner.solve import DEFAULT_GAP, make_plan
from planner.why import Limit, day_limit

S = TypeVar("S", bound=ContractFields)  # a one-seat scenario or a team: the tier changes, the kind stays

COMPARE_COLUMNS = [
    "tier",
    "current",
    "status",
    "price_monthly",
    "monthly_credits",
    "credits_spent",
    "expired_unused",
    "forfeited_over_cap",
    "unused_credits",
    "unused_because",
    "expected_responses",
    "responses_per_month",
    "goal_shortfall",
    "price_paid",
    "cost_per_response",
    "extra_responses_per_month",
    "extra_cost_per_month",
    "extra_cost_per_extra_response",
    "gap",
]

SAME = 0.05  # expected responses a month: differences smaller than this read as "the same" (shown to one decimal)
CENT = 0.005  # dollars: price differences smaller than this are no difference


# --- which tiers, on which scenario ------------------------------------------------------------


def _tier_of(ref: TierRef, catalog: Catalog, field: str) -> Tier:
    if isinstance(ref, Tier):
        return ref
    if ref not in catalog:
        raise ScenarioError([catalog.unknown_tier_message(field, ref)])
    return catalog[ref]


def current_tier(scenario: AnyScenario, catalog: Catalog) -> Tier:
    """The tier the comparison measures against: the scenario's first-cycle tier."""
    return _tier_of(scenario.tier_refs()[0], catalog, "tier")


def tiers_to_compare(
    scenario: AnyScenario,
    tiers: Sequence[TierRef] | None = None,
    *,
    catalog: Catalog,
    prices: dict[str, float | None] | None = None,
) -> list[Tier]:
    """The tiers to plan ``scenario`` on, in the order given, the current tier first if it was not listed.

    ``prices`` overrides catalog prices by tier name (they are estimates).
    Raises :class:`~planner.scenario.ScenarioError` for a scenario or tier
    that cannot be planned, before any solving.
    """
    resolve(scenario, catalog)
    chosen = [_tier_of(ref, catalog, f"tiers[{i}]") for i, ref in enumerate(tiers if tiers is not None else list(catalog))]
    current = current_tier(scenario, catalog)
    if current.name not in {t.name for t in chosen}:
        chosen.insert(0, current)
    if prices:
        chosen = [t.with_price(prices[t.name]) if t.name in prices else t for t in chosen]
    return chosen


def tier_scenario(scenario: S, tier: Tier, catalog: Catalog) -> S:
    """``scenario`` with ``tier`` for every cycle: by name when it is the catalog's tier, else inline (an edited price)."""
    ref: TierRef = tier.name if tier.name in catalog and catalog[tier.name] == tier else tier
    return scenario.with_tier(ref)


# --- what holds unused credits back --------------------------------------------------------------


def _follow_up_full(plan: Plan, f_index: int, last: int) -> bool:
    """Whether follow-up bucket ``f_index`` has no recipient left on day ``last`` (MODEL.md constraint 4)."""
    problem = plan.problem
    f = problem.buckets[f_index]
    assert f.parent is not None
    parent_sent = float(plan.sends[f.parent, : max(0, last - f.gap_days + 1)].sum())
    eligible = f.alpha * parent_sent + problem.extra_eligible(f, last)
    return float(plan.sends[f_index, : last + 1].sum()) > eligible - 1 + 1e-9


def _unused_in_cycle(plan: Plan, k: int) -> float:
    """Credits cycle k leaves unused: expired, forfeited over the cap at its grant, and, for the last cycle, left at the end."""
    rows = plan.ledger.iloc[plan.problem.calendar.cycle_days(k)]
    unused = float(rows["expired"].sum() + rows["forfeited"].sum())
    return unused + (float(rows["closing"].iloc[-1]) if k == plan.problem.calendar.cycles - 1 else 0.0)


def _at_daily_cap(plan: Plan, seat: int, days: range) -> bool:
    """Whether the seat sends its whole daily cap on every one of its send days among ``days``."""
    problem = plan.problem
    cap = problem.seats[seat].daily_cap
    mine = [b.index for b in problem.buckets_of(seat)]
    return cap is not None and all(plan.sends[mine, t].sum() >= cap for t in days if problem.can_send(t, seat))


def _pace_holding(plan: Plan, paid: list[ResolvedBucket], days: list[int]) -> str | None:
    """The speed guard and/or the reply capacity, when one more send of every credit-paid bucket breaks a day limit on
    every day of ``days`` it could send (and at least one of them is the guard or the reply capacity); else None."""
    problem = plan.problem
    held: set[Limit] = set()
    for t in days:
        for b in paid:
            if not problem.can_send(t, b.seat):
                continue
            limit = day_limit(problem, plan.sends, b, t)
            if limit is None:
                return None
            held.add(limit)
    s = problem.scenario
    said = []
    if Limit.SPEED_GUARD in held and s.speed_guard is not None:
        said.append(f"the speed guard (base {s.speed_guard.base:g}, growth {s.speed_guard.growth:g})")
    if Limit.REPLY_CAPACITY in held and s.replies_per_day is not None:
        said.append(f"the reply capacity of {s.replies_per_day:g} expected replies a day")
    if not said:
        return None
    return " and ".join(said + (["the daily cap"] if Limit.DAILY_CAP in held else []))


def _holding_back(plan: Plan, k: int) -> str:
    """What keeps cycle k's credit-paid sends where they are, in words."""
    problem = plan.problem
    days = problem.calendar.cycle_days(k)
    send_days = [t for t in days if problem.can_send(t)]
    caps = {seat.daily_cap for seat in problem.seats}
    if not send_days:
        return f"no send day in cycle {k + 1}"
    if None not in caps and all(_at_daily_cap(plan, seat.index, days) for seat in problem.seats):
        cap = caps.pop() if len(caps) == 1 else None
        if cap is None:
            return "the seats' daily caps"
        return f"the daily cap of {cap} InMail{'s' if cap != 1 else ''} a day"
    paid = [b for b in problem.buckets if not b.free]
    if not paid:
        return "your buckets, which are all free (they use no credits)"
    pace = _pace_holding(plan, paid, send_days)
    if pace is not None:
        return pace
    pooled = [b for b in paid if (pool := problem.pool_of(b, k)) is not None and plan.sends[b.index, days].sum() >= pool]
    followed = [b for b in paid if b not in pooled and b.parent is not None and _follow_up_full(plan, b.index, days[-1])]
    if len(pooled) + len(followed) == len(paid):
        if not followed:
            return "your pools"
        return (
            "your pools and follow-ups (which only go to earlier InMails)"
            if pooled
            else "your follow-ups, which only go to earlier InMails"
        )
    if problem.scenario.reserve > 0:
        return f"the reserve of {problem.scenario.reserve} credits"
    return "the scenario's other limits (send days, follow-up gaps, credits that arrive late)"


def unused_because(plan: Plan) -> str | None:
    """What keeps a plan from spending the credits it leaves unused, in words; None when nothing is left unused.

    Per cycle that leaves credits unused (expired, forfeited over the cap, or
    left at the end): the daily cap when every send day of the cycle is at
    the cap; the speed guard or the reply capacity (MODEL.md v2) when one more
    send of any credit-paid bucket would break it (or the cap) on every day it
    could send; the pools (and follow-up eligibility) when every credit-paid
    bucket has reached its pool or has no recipient left; else the reserve,
    or the scenario's other limits. The phrases of all cycles are joined.

    >>> from planner.scenario import parse_scenario
    >>> from datetime import date
    >>> s = parse_scenario({"start": date(2026, 6, 1), "tier": "Recruiter (Corporate)", "daily_cap": 5,
    ...                     "buckets": [{"name": "A", "goal": "recruiting", "response_rate": 0.2}]})
    >>> unused_because(make_plan(s))
    'the daily cap of 5 InMails a day'
    """
    if not plan.is_ok or len(plan.ledger) != plan.problem.n_days:  # a plan of every day (not a re-plan from today)
        return None
    phrases: list[str] = []
    for k in plan.problem.cycles_ahead():
        if _unused_in_cycle(plan, k) >= 0.5 and (phrase := _holding_back(plan, k)) not in phrases:
            phrases.append(phrase)
    return " and ".join(phrases) if phrases else None


# --- the table -----------------------------------------------------------------------------------


def compare_plans(plans: Sequence[tuple[Tier, Plan]], current: str, cycles: int) -> pd.DataFrame:
    """The comparison table of plans already made, one per tier; ``current`` names the tier to measure against.

    Columns: :data:`COMPARE_COLUMNS`. ``extra_*`` columns are against the
    current tier, a month; ``extra_cost_per_extra_response`` is empty where a
    tier adds no responses.
    """
    rows = []
    for tier, plan in plans:
        t = plan.totals
        row: dict[str, object] = {
            "tier": tier.name,
            "current": tier.name == current,
            "status": str(plan.status),
            # a team's: the contract's, price per seat x seats (and seats x credits, its pool's grant)
            "price_monthly": None if tier.price_monthly is None else tier.price_monthly * plan.problem.n_seats,
            "monthly_credits": tier.monthly_credits * plan.problem.n_seats,
            "gap": plan.gap,
        }
        if t is not None:
            row |= {
                "credits_spent": t.credits_spent,
                "expired_unused": t.expired_unused,
                "forfeited_over_cap": t.forfeited_over_cap,
                "unused_credits": t.expired_unused + t.forfeited_over_cap + t.credits_left_at_end,
                "unused_because": unused_because(plan),
                "expected_responses": t.expected_responses,
                "responses_per_month": t.expected_responses / cycles,
                "goal_shortfall": t.goal_shortfall,
                "price_paid": t.price_paid,
                "cost_per_response": t.cost_per_response,
            }
        rows.append(row)
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    for column in COMPARE_COLUMNS:
        if column not in ("tier", "current", "status", "unused_because"):
            table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    base = table[table["current"]]
    if base.empty:
        raise ValueError(f"current = {current!r}: not among the tiers compared")
    first = base.iloc[0]
    table["extra_responses_per_month"] = table["responses_per_month"] - first["responses_per_month"]
    table["extra_cost_per_month"] = table["price_monthly"] - first["price_monthly"]
    per = table["extra_cost_per_month"] / table["extra_responses_per_month"]
    table["extra_cost_per_extra_response"] = per.where(table["extra_responses_per_month"] > 1e-9)
    return table


def compare_tiers(
    scenario: AnyScenario,
    tiers: Sequence[TierRef] | None = None,
    *,
    catalog: Catalog | None = None,
    prices: dict[str, float | None] | None = None,
    time_limit: float = 10.0,
    gap: float = DEFAULT_GAP,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> pd.DataFrame:
    """Plan ``scenario`` on each tier (every cycle on that tier) and tabulate the results.

    The current tier is the scenario's first-cycle tier; it is planned too if
    not listed. ``prices`` overrides catalog prices by tier name (they are
    estimates). ``on_progress(i, n, name)`` is called before each solve.
    """
    catalog = catalog if catalog is not None else load_catalog()
    chosen = tiers_to_compare(scenario, tiers, catalog=catalog, prices=prices)
    plans: list[tuple[Tier, Plan]] = []
    for i, tier in enumerate(chosen):
        if on_progress is not None:
            on_progress(i, len(chosen), tier.name)
        plan = make_plan(tier_scenario(scenario, tier, catalog), catalog=catalog, time_limit=time_limit, gap=gap)
        plans.append((tier, plan))
    return compare_plans(plans, current_tier(scenario, catalog).name, scenario.cycles)


def comparison_table(table: pd.DataFrame, cycles: int = 1) -> pd.DataFrame:
    """The comparison with per-month figures and the extra responses per extra dollar of each tier.

    ``extra_responses_per_dollar`` is the extra expected responses a month per
    extra dollar a month against the current tier; empty where the tier costs
    no more, or has no price.
    """
    out = table.copy()
    cycles = max(cycles, 1)
    out["unused_per_month"] = out["unused_credits"] / cycles
    out["expired_or_forfeited_per_month"] = (out["expired_unused"] + out["forfeited_over_cap"]) / cycles
    out["shortfall_per_month"] = out["goal_shortfall"] / cycles
    extra_cost = out["extra_cost_per_month"].astype(float)
    per_dollar = out["extra_responses_per_month"].astype(float) / extra_cost
    out["extra_responses_per_dollar"] = per_dollar.where(extra_cost > CENT)
    return out


# --- in words ------------------------------------------------------------------------------------


def money(value: float) -> str:
    """Dollars as a buyer reads them: cents only when there are some.

    >>> money(40.0), money(8.886), money(1234.5)
    ('$40', '$8.89', '$1,234.50')
    """
    return f"${value:,.2f}" if abs(value - round(value)) > CENT else f"${value:,.0f}"


def _responses(n: float) -> str:
    return f"{n:.1f} expected response{'' if f'{n:.1f}' == '1.0' else 's'} a month"


def _price(cost: float) -> str:
    """A monthly price difference: "$40 more a month", "$20 less a month" or "the same price"."""
    if cost > CENT:
        return f"{money(cost)} more a month"
    if cost < -CENT:
        return f"{money(-cost)} less a month"
    return "the same price"


def _has_plan(row: pd.Series) -> bool:
    return row["status"] in ("optimal", "feasible")


def _unused(row: pd.Series, cycles: int) -> tuple[str, float] | None:
    """What leaves the tier's credits unused and how many a month; None when (nearly) none are."""
    unused = row["unused_credits"] / max(cycles, 1)
    if pd.isna(unused) or unused < 0.5:
        return None
    because = row["unused_because"] if isinstance(row["unused_because"], str) else "the plan's limits"
    return because, float(unused)


def _left(row: pd.Series, cycles: int) -> str:
    """The verdict's tail: "; the daily cap of 5 InMails a day would leave 50 of its 150 credits a month unused", or nothing."""
    held = _unused(row, cycles)
    if held is None:
        return ""
    because, unused = held
    return f"; {because} would leave {unused:.0f} of its {row['monthly_credits']:.0f} credits a month unused"


def verdict(table: pd.DataFrame, cycles: int = 1) -> list[str]:
    """Plain-language verdicts, one per tier other than the current one.

    e.g. "Sales Navigator Core adds 4.1 expected responses a month for $40 more:
    $9.75 each; your pools would leave 18 of its 50 credits a month unused".
    Differences under 0.05 responses a month read as "the same".
    """
    lines = []
    for _, row in table[~table["current"]].iterrows():
        name = row["tier"]
        if not _has_plan(row):
            lines.append(f"{name}: no plan ({row['status']}).")
            continue
        extra = float(row["extra_responses_per_month"])
        cost = row["extra_cost_per_month"]
        left = _left(row, cycles)
        if extra > SAME:
            gives = f"adds {_responses(extra)}"
        elif extra < -SAME:
            gives = f"loses {_responses(-extra)}"
        else:
            gives = "gives the same expected responses"
        if pd.isna(cost):
            lines.append(f"{name} {gives}; it has no list price to compare (ask for a quote){left}.")
        elif extra > SAME and cost > CENT:
            lines.append(f"{name} {gives} for {money(cost)} more: {money(cost / extra)} each{left}.")
        elif extra > SAME:
            lines.append(f"{name} {gives} for {_price(float(cost))}{left}.")
        else:  # no more responses: what it saves or costs comes first
            if cost < -CENT:
                price = f"saves {money(-cost)} a month"
            elif cost > CENT:
                price = f"costs {money(cost)} more a month"
            else:
                price = "costs the same"
            joint = "but" if extra < -SAME and cost < -CENT else "and"
            lines.append(f"{name} {price} {joint} {gives}{left}.")
    return lines


def recommendation(table: pd.DataFrame, cycles: int = 1) -> list[str]:
    """The tiers worth buying, in words a buyer can act on: the best upgrade, and the most responses per dollar.

    The best upgrade is the tier that adds expected responses against the
    current one for the least per extra response (one that adds them at no
    extra cost wins outright); without one, the advice is to stay, or to
    switch to a tier that gives as many responses for less. The most per
    dollar is the tier with the lowest cost per expected response.
    """
    plans = table[[_has_plan(row) for _, row in table.iterrows()]]
    current_rows = plans[plans["current"]]
    if current_rows.empty:
        return ["The current tier has no plan, so nothing can be measured against it; see the table for the others."]
    current = current_rows.iloc[0]
    others = plans[~plans["current"] & plans["extra_cost_per_month"].notna()]
    lines = []
    upgrades = others[others["extra_responses_per_month"] > SAME]
    if not upgrades.empty:
        # dollars per extra response, an upgrade at no extra cost counting as free; ties: the most responses
        price = upgrades["extra_cost_per_month"].clip(lower=0) / upgrades["extra_responses_per_month"]
        order = sorted(upgrades.index, key=lambda i: (price[i], -upgrades.at[i, "extra_responses_per_month"]))
        best = upgrades.loc[order[0]]
        extra, cost = float(best["extra_responses_per_month"]), float(best["extra_cost_per_month"])
        how = _price(cost) + (f" ({money(cost / extra)} per extra response)" if cost > CENT else "")
        cheapest = ", the cheapest extra responses of the tiers compared" if len(upgrades) > 1 else ""
        lines.append(f"Best upgrade: {best['tier']}, {extra:.1f} more expected responses a month for {how}{cheapest}.")
    else:
        cheaper = others[(others["extra_responses_per_month"] >= -SAME) & (others["extra_cost_per_month"] < -CENT)]
        held = _unused(current, cycles)
        if not cheaper.empty:
            best = cheaper.loc[cheaper["extra_cost_per_month"].idxmin()]
            lines.append(
                f"Switch to {best['tier']}: it gives as many expected responses as {current['tier']} "
                f"for {money(-float(best['extra_cost_per_month']))} less a month."
            )
        else:
            why = ""
            if held is not None:
                because, unused = held
                why = (
                    f"; the plan is held back by {because}, not by credits "
                    f"({unused:.0f} of its {current['monthly_credits']:.0f} credits a month go unused)"
                )
            lines.append(f"Stay on {current['tier']}: no tier compared gives more expected responses{why}.")
    # a tier at $0 costs nothing per response; the buyer's question is which paid tier gives the most
    priced = plans[plans["cost_per_response"].notna() & (plans["expected_responses"] > 0) & (plans["price_monthly"] > CENT)]
    if not priced.empty:
        value = priced.loc[priced["cost_per_response"].idxmin()]
        mine = " (your current tier)" if bool(value["current"]) else ""
        lines.append(
            f"Most responses per dollar of the paid tiers: {value['tier']}{mine}, {money(float(value['cost_per_response']))} "
            "per expected response."
        )
    return lines
