"""Tier comparison: the same scenario planned on each of several tiers.

One row per tier with its price, credits, what the plan spends, lets expire
or forfeits, the expected responses, the goal-mix shortfall and the cost per
expected response, plus what it adds against the current tier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from planner.catalog import Catalog, Tier, load_catalog
from planner.plan import Plan
from planner.scenario import Scenario, ScenarioError, resolve
from planner.solve import DEFAULT_GAP, make_plan

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


def _tier_of(ref: str | Tier, catalog: Catalog, field: str) -> Tier:
    if isinstance(ref, Tier):
        return ref
    if ref not in catalog:
        raise ScenarioError([f"{field} = {ref!r}: unknown tier; known tiers: {', '.join(catalog)}"])
    return catalog[ref]


def compare_tiers(
    scenario: Scenario,
    tiers: Sequence[str | Tier] | None = None,
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
    resolve(scenario, catalog)  # refuse bad input before any solving
    chosen = [_tier_of(ref, catalog, f"tiers[{i}]") for i, ref in enumerate(tiers if tiers is not None else list(catalog))]
    current = _tier_of(scenario.tier_refs()[0], catalog, "tier")
    if current.name not in {t.name for t in chosen}:
        chosen.insert(0, current)
    if prices:
        chosen = [t.with_price(prices[t.name]) if t.name in prices else t for t in chosen]
    plans: list[tuple[Tier, Plan]] = []
    for i, tier in enumerate(chosen):
        if on_progress is not None:
            on_progress(i, len(chosen), tier.name)
        plans.append((tier, make_plan(scenario.with_tier(tier), catalog=catalog, time_limit=time_limit, gap=gap)))
    cycles = scenario.cycles
    rows = []
    for tier, plan in plans:
        t = plan.totals
        row: dict[str, object] = {
            "tier": tier.name,
            "current": tier.name == current.name,
            "status": str(plan.status),
            "price_monthly": tier.price_monthly,
            "monthly_credits": tier.monthly_credits,
            "gap": plan.gap,
        }
        if t is not None:
            row |= {
                "credits_spent": t.credits_spent,
                "expired_unused": t.expired_unused,
                "forfeited_over_cap": t.forfeited_over_cap,
                "unused_credits": t.expired_unused + t.forfeited_over_cap + t.credits_left_at_end,
                "expected_responses": t.expected_responses,
                "responses_per_month": t.expected_responses / cycles,
                "goal_shortfall": t.goal_shortfall,
                "price_paid": t.price_paid,
                "cost_per_response": t.cost_per_response,
            }
        rows.append(row)
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    base = table[table["current"]].iloc[0]
    table["extra_responses_per_month"] = table["responses_per_month"] - base["responses_per_month"]
    table["extra_cost_per_month"] = table["price_monthly"] - base["price_monthly"]
    per = table["extra_cost_per_month"] / table["extra_responses_per_month"]
    table["extra_cost_per_extra_response"] = per.where(table["extra_responses_per_month"] > 1e-9)
    return table


def _money(value: float) -> str:
    return f"${value:,.2f}" if abs(value - round(value)) > 1e-9 else f"${value:,.0f}"


def verdict(table: pd.DataFrame, cycles: int = 1) -> list[str]:
    """Plain-language verdicts, one per tier other than the current one.

    e.g. "Sales Navigator Core adds 4.1 expected responses a month for $40 more:
    $9.75 each; your pools would leave 18 of its 50 credits unused".
    """
    lines = []
    for _, row in table[~table["current"]].iterrows():
        name = row["tier"]
        if row["status"] not in ("optimal", "feasible"):
            lines.append(f"{name}: no plan ({row['status']}).")
            continue
        extra = row["extra_responses_per_month"]
        cost = row["extra_cost_per_month"]
        unused = row["unused_credits"] / cycles
        credits = row["monthly_credits"]
        left = f"; your pools would leave {unused:.0f} of its {credits} credits a month unused" if unused >= 0.5 else ""
        if pd.isna(cost):
            lines.append(f"{name} changes expected responses by {extra:+.1f} a month; it has no list price to compare{left}.")
        elif extra > 0.05 and cost > 0.005:
            lines.append(
                f"{name} adds {extra:.1f} expected responses a month for {_money(cost)} more: {_money(cost / extra)} each{left}."
            )
        elif extra > 0.05:
            saving = f" and costs {_money(-cost)} less" if cost < -0.005 else " at the same price"
            lines.append(f"{name} adds {extra:.1f} expected responses a month{saving}{left}.")
        elif extra < -0.05:
            price = (
                f"saves {_money(-cost)} a month"
                if cost < -0.005
                else f"costs {_money(cost)} more a month"
                if cost > 0.005
                else "costs the same"
            )
            lines.append(f"{name} {price} but loses {-extra:.1f} expected responses a month{left}.")
        elif abs(cost) <= 0.005:
            lines.append(f"{name} costs the same and gives the same expected responses{left}.")
        else:
            price = f"costs {_money(cost)} more" if cost > 0 else f"saves {_money(-cost)}"
            lines.append(f"{name} {price} a month for the same expected responses{left}.")
    return lines
