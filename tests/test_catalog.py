"""The tier catalog: the shipped CSV, lookups by name, and tiers that are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.catalog import Policy, Tier, load_catalog


def test_the_shipped_catalog_has_a_source_and_date_for_every_tier() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 5
    for name in catalog:
        tier = catalog[name]
        assert tier.source and tier.as_of, name
        assert (tier.policy is Policy.ROLLOVER) == (tier.max_age_days is not None)


def test_lookups_ignore_case_and_surrounding_space() -> None:
    catalog = load_catalog()
    assert catalog["  sales navigator CORE "].monthly_credits == 50
    assert " premium business" in catalog and "Premium Platinum" not in catalog
    with pytest.raises(KeyError):
        catalog["Premium Platinum"]


def test_a_rollover_tier_needs_its_age_and_a_cycle_tier_has_none() -> None:
    with pytest.raises(ValueError, match="needs max_age_days"):
        Tier(name="R", monthly_credits=10, policy="rollover")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="applies only to policy 'rollover'"):
        Tier(name="C", monthly_credits=10, policy="cycle", max_age_days=30)  # type: ignore[arg-type]


def test_a_bad_row_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "tiers.csv"
    path.write_text("name,monthly_credits,policy,max_age_days\nGood,10,cycle,\nBad,-5,cycle,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"(?s)tiers.csv, line 3: .*monthly_credits.*-5"):
        load_catalog(path)


def test_rows_are_plain_data_in_catalog_order() -> None:
    rows = load_catalog().rows()
    assert [row["name"] for row in rows] == list(load_catalog())
    assert rows[0]["policy"] in ("cycle", "rollover")
