"""The response curve of an upgrade (MODEL.md, "Why the plan is what it is").

The optimum's expected responses a month as a function of monthly credits,
from 0 to 4x the current tier's, every other setting fixed: the current tier's
policy, expiry and credit-back, every cycle on it (as the tier comparison
plans it), and its balance cap scaled with the credits (the catalog's caps
are a multiple of the allowance). Each catalog tier is a point on the same
axes at its own plan (its own policy and cap), from the comparison table.

The sweep is parametric: each point is solved warm from the previous
point's schedule (:func:`planner.solve.make_plan`'s ``start``), which stays
feasible with more credits when there is no balance cap, so the value
never drops from one point to the next. A point's expected responses are
those of the schedule kept; where a re-solve with more credits finds a
schedule of a higher objective but fewer responses and the previous
schedule is still within the gap of the new bound, the previous one is kept
(both are plans of that gap), so the curve drops only where the model says
so.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner.catalog import Catalog, Tier
from planner.check import score, violations
from planner.compare import current_tier, tier_scenario
from planner.model import forced_shortfall
from planner.plan import Plan
from planner.problem import Problem, resolve
from planner.scenario import Scenario
from planner.solve import DEFAULT_GAP, make_plan, value_gap

POINTS = 17  # 0, 0.25x, 0.5x, ..., 4x the current tier's monthly credits
SPAN = 4  # the sweep runs to SPAN times the current tier's monthly credits
CENT = 0.005
POINT_SECONDS = 1.0  # each point's time limit: the sweep draws as the page opens; a point shows the gap it proved


@dataclass(frozen=True)
class CurvePoint:
    """One point of the sweep: the plan with ``monthly_credits`` a month on the current tier's policy."""

    monthly_credits: int
    responses_per_month: float | None  # None where no plan was found
    weighted_value: float | None
    status: str
    gap: float | None
    kept_previous: bool = False  # the previous point's schedule was kept (no worse, within the gap)


@dataclass(frozen=True)
class TierPoint:
    """A catalog tier at its own plan: its monthly credits, price and expected responses a month."""

    tier: str
    monthly_credits: int
    price_monthly: float | None
    responses_per_month: float | None
    current: bool

    @property
    def price_per_response(self) -> float | None:
        """Dollars a month per expected response a month; None without a price above 0 or without responses."""
        if self.price_monthly is None or self.price_monthly < CENT or not self.responses_per_month:
            return None
        return self.price_monthly / self.responses_per_month


@dataclass(frozen=True)
class ResponseCurve:
    """The sweep of the current tier over monthly credits, and every tier compared as a point on it."""

    tier: str  # the current tier, whose policy the sweep keeps
    cycles: int
    points: tuple[CurvePoint, ...]
    tiers: tuple[TierPoint, ...]
    seconds: float  # the sweep's solving time

    @property
    def cheapest(self) -> TierPoint | None:
        """The paid tier whose plan buys an expected response for the least money."""
        priced = [t for t in self.tiers if t.price_per_response is not None]
        return min(priced, key=lambda t: t.price_per_response or 0.0, default=None)

    def sentence(self) -> str:
        """ "Cheapest response: Sales Navigator Core, $13.79 per expected response." (plain text)."""
        best = self.cheapest
        if best is None:
            return "No priced tier gives expected responses, so none buys a response cheapest."
        mine = " (your current tier)" if best.current else ""
        return f"Cheapest response: {best.tier}{mine}, ${best.price_per_response:,.2f} per expected response."

    def table(self) -> pd.DataFrame:
        """Curve and tier points in one table: kind (``curve`` or ``tier``), tier, credits, responses, price."""
        rows: list[dict[str, object]] = [
            {
                "kind": "curve",
                "tier": self.tier,
                "monthly_credits": p.monthly_credits,
                "responses_per_month": p.responses_per_month,
                "price_monthly": None,
                "price_per_response": None,
                "current": False,
                "status": p.status,
                "gap": p.gap,
            }
            for p in self.points
        ]
        rows += [
            {
                "kind": "tier",
                "tier": t.tier,
                "monthly_credits": t.monthly_credits,
                "responses_per_month": t.responses_per_month,
                "price_monthly": t.price_monthly,
                "price_per_response": t.price_per_response,
                "current": t.current,
                "status": "",
                "gap": None,
            }
            for t in self.tiers
        ]
        return pd.DataFrame(rows)


def credit_grid(monthly: int, points: int = POINTS, span: int = SPAN) -> list[int]:
    """Whole monthly credits from 0 to ``span`` x ``monthly`` in ``points`` steps (duplicates dropped).

    >>> credit_grid(50, 5)
    [0, 50, 100, 150, 200]
    >>> credit_grid(5, 17)[:6]
    [0, 1, 2, 4, 5, 6]
    """
    top = span * monthly
    return sorted({round(i * top / (points - 1)) for i in range(points)})


def at_credits(problem: Problem, tier: Tier, credits: int) -> Problem:
    """The problem with every cycle on ``tier`` granting ``credits`` a month (bonuses kept), its cap scaled alike."""
    cap = tier.balance_cap
    if cap is not None and tier.monthly_credits > 0:
        cap = round(cap * credits / tier.monthly_credits)
    scaled = tier.model_copy(update={"monthly_credits": credits, "balance_cap": cap})
    bonus = [g - t.monthly_credits for g, t in zip(problem.grants, problem.tiers, strict=True)]
    return replace(problem, tiers=(scaled,) * len(problem.tiers), grants=tuple(credits + b for b in bonus))


def _kept(problem: Problem, previous: np.ndarray, plan: Plan, gap: float) -> bool:
    """Whether the previous schedule is feasible here and within ``gap`` of the new plan's bound (a plan of that gap too)."""
    if plan.bound is None:
        return False
    if violations(problem, previous):
        return False
    objective = score(problem, previous).objective
    return value_gap(objective, plan.bound, problem.shortfall_penalty * forced_shortfall(problem)) <= gap + 1e-12


def sweep(
    problem: Problem, tier: Tier, credits: Sequence[int], *, gap: float = DEFAULT_GAP, time_limit: float = POINT_SECONDS
) -> tuple[CurvePoint, ...]:
    """Plan ``problem`` on ``tier`` at each monthly credit count, in increasing order, each warm from the last.

    ``problem`` is the scenario with every cycle on ``tier`` (:func:`planner.compare.tier_scenario`).
    """
    cycles = len(problem.tiers)
    points: list[CurvePoint] = []
    previous: np.ndarray | None = None
    previous_responses = float("-inf")
    for m in sorted(credits):
        here = at_credits(problem, tier, m)
        plan = make_plan(here, gap=gap, time_limit=time_limit, start=previous)
        if plan.totals is None:
            points.append(CurvePoint(m, None, None, str(plan.status), plan.gap))
            previous, previous_responses = None, float("-inf")
            continue
        responses, value, kept = plan.totals.expected_responses, plan.totals.weighted_value, False
        if previous is not None and responses < previous_responses - 1e-9 and _kept(here, previous, plan, gap):
            responses, value, kept = previous_responses, score(here, previous).weighted_value, True
        else:
            previous = plan.sends
        previous_responses = responses
        points.append(CurvePoint(m, responses / cycles, value, str(plan.status), plan.gap, kept))
    return tuple(points)


def tier_points(table: pd.DataFrame) -> tuple[TierPoint, ...]:
    """Every tier of a comparison table (:func:`planner.compare.compare_plans`) as a point: its own plan's numbers."""
    points = []
    for _, row in table.iterrows():
        responses = row["responses_per_month"]
        price = row["price_monthly"]
        points.append(
            TierPoint(
                tier=str(row["tier"]),
                monthly_credits=int(row["monthly_credits"]),
                price_monthly=None if pd.isna(price) else float(price),
                responses_per_month=None if pd.isna(responses) else float(responses),
                current=bool(row["current"]),
            )
        )
    return tuple(points)


@dataclass(frozen=True)
class Sweep:
    """The current tier's sweep over monthly credits (what :func:`sweep_scenario` solves; the costly part)."""

    tier: str
    cycles: int
    points: tuple[CurvePoint, ...]
    seconds: float


def sweep_scenario(
    scenario: Scenario,
    catalog: Catalog,
    *,
    points: int = POINTS,
    gap: float = DEFAULT_GAP,
    time_limit: float = POINT_SECONDS,
) -> Sweep:
    """The scenario's current tier (its first cycle's) swept over 0..4x its monthly credits, every cycle on it.

    A current tier with no credits (Free) is swept up to 4x the catalog's largest allowance.
    """
    tier = current_tier(scenario, catalog)
    problem = resolve(tier_scenario(scenario, tier, catalog), catalog)
    monthly = tier.monthly_credits or max((t.monthly_credits for t in catalog.values()), default=0)
    started = time.perf_counter()
    swept = sweep(problem, tier, credit_grid(monthly, points), gap=gap, time_limit=time_limit)
    return Sweep(tier.name, scenario.cycles, swept, time.perf_counter() - started)


def response_curve(swept: Sweep, table: pd.DataFrame) -> ResponseCurve:
    """The sweep with every tier of a comparison table (:func:`planner.compare.compare_plans`) as a point on it."""
    return ResponseCurve(swept.tier, swept.cycles, swept.points, tier_points(table), swept.seconds)
