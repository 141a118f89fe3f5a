"""The default pace of a new scenario: a daily cap and a speed guard a person (and LinkedIn) can live with.

One rule, used by the app's new-scenario form and by the example built from
the goal templates (``data/examples/sales_paced.toml``); a scenario file
states its own pace, and a v1 file without one keeps none.

The rule (:func:`default_pace`), with M the tier's monthly credits and S the
send days of an average cycle (the chosen weekdays times 365.25 / 12 / 7,
rounded down, at least 1):

- the even pace is ``E = max(1, ceil(M / S))``: the month's credits spread over
  its send days;
- ``daily_cap = 2 * E``: room to send early in the cycle (follow-ups wait for
  their gap), never more than twice the even pace on one day;
- ``speed_guard = { base = E, growth = 1.5 }``: a first week at about the even
  pace, and from then on at most E plus one and a half times the last week's
  daily average, so the volume ramps up gradually instead of jumping.

>>> from planner.catalog import load_catalog
>>> pace = default_pace(load_catalog()["Sales Navigator Core"], ["Mon", "Tue", "Wed", "Thu", "Fri"])
>>> pace.daily_cap, pace.speed_guard.base, pace.speed_guard.growth
(6, 3.0, 1.5)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from planner.catalog import Tier
from planner.scenario import SpeedGuard

DAYS_PER_CYCLE = 365.25 / 12  # an average month
CAP_TIMES_EVEN = 2  # the daily cap, in even paces
GUARD_GROWTH = 1.5


@dataclass(frozen=True)
class Pace:
    """A daily cap and a speed guard for a scenario."""

    daily_cap: int
    speed_guard: SpeedGuard


def send_days_per_cycle(send_days: Sequence[object]) -> int:
    """The send days of an average cycle for the chosen weekdays (at least 1).

    >>> send_days_per_cycle(["Mon", "Tue", "Wed", "Thu", "Fri"]), send_days_per_cycle([])
    (21, 1)
    """
    return max(1, math.floor(len(set(send_days)) * DAYS_PER_CYCLE / 7))


def default_pace(tier: Tier, send_days: Sequence[object]) -> Pace:
    """The default pace for a tier's monthly credits sent on ``send_days`` (the rule in the module docstring)."""
    even = max(1, math.ceil(tier.monthly_credits / send_days_per_cycle(send_days)))
    return Pace(daily_cap=CAP_TIMES_EVEN * even, speed_guard=SpeedGuard(base=even, growth=GUARD_GROWTH))
