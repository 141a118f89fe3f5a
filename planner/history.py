"""The history database's records as tables: every scenario version and every saved plan; no Streamlit.

What the History page lists and ``inmail-planner history`` prints, read from
:class:`planner.store.ScenarioRecord` and :class:`planner.store.PlanRecord`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from planner.scenario import ScenarioError, TeamScenario
from planner.store import PlanRecord, ScenarioRecord

VERSION_COLUMNS = ["id", "name", "version", "saved", "title", "start", "cycles", "tier", "buckets", "plans"]


def _tier_names(record: ScenarioRecord) -> tuple[str, str, int | None, date | None, int | None]:
    try:
        scenario = record.scenario()
    except ScenarioError as err:
        return "", f"(cannot be read: {err.problems[0] if err.problems else err})", None, None, None
    names = []
    for ref in scenario.tier_refs():
        name = ref if isinstance(ref, str) else ref.name
        if name not in names:
            names.append(name)
    if isinstance(scenario, TeamScenario):  # a team's buckets: every seat's
        buckets = sum(len(seat.buckets) for seat in scenario.seats if seat.buckets is not None) or None
    else:
        buckets = len(scenario.buckets) if scenario.buckets is not None else None
    return scenario.title or "", " → ".join(names), scenario.cycles, scenario.start, buckets


def scenario_versions_table(records: Iterable[ScenarioRecord], plan_counts: Mapping[int, int] | None = None) -> pd.DataFrame:
    """Every saved scenario version: id, name, version, when saved, title, start, cycles, tier(s), buckets, plans saved."""
    rows = []
    counts = plan_counts or {}
    for r in records:
        title, tiers, cycles, start, buckets = _tier_names(r)
        rows.append(
            {
                "id": r.id,
                "name": r.name,
                "version": r.version,
                "saved": r.created_at.strftime("%Y-%m-%d %H:%M"),
                "title": title,
                "start": start,
                "cycles": cycles,
                "tier": tiers,
                "buckets": buckets,
                "plans": counts.get(r.id, 0),
            }
        )
    frame = pd.DataFrame(rows, columns=VERSION_COLUMNS)
    for column in ("cycles", "buckets"):
        frame[column] = pd.array(frame[column], dtype="Int64")
    return frame


PLAN_COLUMNS = [
    "id",
    "name",
    "version",
    "saved",
    "status",
    "credits_granted",
    "credits_spent",
    "expired_unused",
    "expected_responses",
    "cost_per_response",
]


def plans_table(records: Iterable[PlanRecord]) -> pd.DataFrame:
    """Every saved plan's headline: id, scenario name and version, when saved, status and totals."""
    rows = []
    for r in records:
        totals = r.summary.get("totals") or {}
        rows.append(
            {
                "id": r.id,
                "name": r.scenario_name,
                "version": r.scenario_version,
                "saved": r.created_at.strftime("%Y-%m-%d %H:%M"),
                "status": str(r.status),
                **{c: totals.get(c) for c in PLAN_COLUMNS[5:]},
            }
        )
    frame = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    for column in PLAN_COLUMNS[5:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame
