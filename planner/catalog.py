"""The tier catalog: monthly credits, prices and the credit policy of each plan.

The shipped catalog is ``data/tiers.csv``; every row carries a ``source`` and an
``as_of`` so that a user can see where a default comes from. A scenario may
also define a tier inline (a negotiated contract).
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from planner.fields import AgeDays, Balance, Credits, Flag, Name, Note, Price, raise_problems, show
from planner.paths import TIERS_CSV


class Policy(StrEnum):
    """How long granted credits stay valid."""

    CYCLE = "cycle"  # use it or lose it: valid through the cycle's last day
    ROLLOVER = "rollover"  # valid for max_age_days from the day received


class Tier(BaseModel):
    """One subscription plan and its credit policy.

    >>> Tier(name="X", monthly_credits=10, policy="cycle").credit_back
    False
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    monthly_credits: Credits
    policy: Policy = Policy.CYCLE
    max_age_days: AgeDays | None = None
    balance_cap: Balance | None = None
    credit_back: Flag = False
    price_monthly: Price | None = None
    price_annual_monthly: Price | None = None
    price_is_estimate: Flag = True
    source: Note = ""
    as_of: Note = ""
    notes: Note = ""

    @model_validator(mode="after")
    def _policy_needs_age(self) -> Tier:
        if self.policy is Policy.ROLLOVER and self.max_age_days is None:
            raise_problems(["policy 'rollover' needs max_age_days (how many days a credit stays valid)"])
        if self.policy is Policy.CYCLE and self.max_age_days is not None:
            raise_problems([f"max_age_days = {self.max_age_days}: applies only to policy 'rollover'"])
        return self

    def with_price(self, price_monthly: float | None) -> Tier:
        """The same tier at another monthly price (prices are editable estimates)."""
        return self.model_copy(update={"price_monthly": price_monthly})


class Catalog(Mapping[str, Tier]):
    """Tiers by name, in catalog order; lookups ignore case and surrounding space."""

    def __init__(self, tiers: list[Tier]) -> None:
        self._tiers = {t.name: t for t in tiers}
        self._folded = {t.name.strip().casefold(): t for t in tiers}

    def __getitem__(self, name: str) -> Tier:
        try:
            return self._folded[name.strip().casefold()]
        except KeyError:
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip().casefold() in self._folded

    def __iter__(self) -> Iterator[str]:
        return iter(self._tiers)

    def __len__(self) -> int:
        return len(self._tiers)

    def unknown_tier_message(self, field: str, ref: str) -> str:
        """The message for a tier name the catalog does not hold: the one wording for every caller.

        >>> load_catalog().unknown_tier_message("tier", "Sales Navigator Cor")
        'tier = "Sales Navigator Cor": unknown tier; did you mean "Sales Navigator Core"? known tiers: ...'
        """
        close = difflib.get_close_matches(ref.strip().casefold(), list(self._folded), n=1, cutoff=0.6)
        hint = f"did you mean {show(self._folded[close[0]].name)}? " if close else ""
        return f"{field} = {show(ref)}: unknown tier; {hint}known tiers: {', '.join(self._tiers)}"

    def rows(self) -> list[dict[str, object]]:
        """The catalog as table rows, one per tier, in catalog order."""
        return [t.model_dump(mode="json") for t in self._tiers.values()]


def _cell(value: str) -> str | None:
    value = value.strip()
    return value or None


def load_catalog(path: Path | str = TIERS_CSV) -> Catalog:
    """Read a tier catalog CSV (the shipped one by default).

    >>> load_catalog()["sales navigator core"].monthly_credits
    50
    """
    tiers = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            fields = {k: _cell(v or "") for k, v in row.items() if k}
            fields = {k: v for k, v in fields.items() if v is not None}
            try:
                # CSV cells are all text: read them as numbers and flags where the field is one
                tiers.append(Tier.model_validate(fields, strict=False))
            except ValueError as err:
                raise ValueError(f"{path}, line {line}: {err}") from err
    return Catalog(tiers)
