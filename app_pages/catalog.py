"""Catalog page: the tier catalog with its sources and as-of dates.

Widgets and layout only: the rows come from :func:`planner.catalog.load_catalog`
(read once, :func:`app_pages.common.cached_catalog`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import cached_catalog, download_button
from planner.export import to_csv
from planner.paths import TIERS_CSV

catalog = cached_catalog()
rows = pd.DataFrame(catalog.rows())

st.title("Tier catalog")
st.markdown(
    "Where every default comes from: each tier's monthly InMail credits, how long its credits stay valid, "
    "its balance cap, whether a response returns the credit, and its list price, each with its source and "
    "the month it was checked."
)
st.markdown(
    "- **cycle** (use it or lose it): credits granted at a cycle's start can be spent until its last day.\n"
    "- **rollover**: credits stay valid for *max age* days from the day they arrive.\n"
    "- **balance cap**: a grant never lifts the balance above the cap; the excess is forfeited.\n"
    "- **credit-back**: a response (even a decline) returns the InMail's credit.\n"
    "- **Prices are estimates** (third-party quotes) unless marked otherwise; edit them on the Compare page."
)
# the numbers in a table that fits the page; the sources, dates and notes (long text) in a table that wraps
# them, so no source or as-of date is cut off at the edge
st.dataframe(
    rows,
    key="catalog_table",
    hide_index=True,
    width="stretch",
    placeholder="–",
    column_order=[
        "name",
        "monthly_credits",
        "policy",
        "max_age_days",
        "balance_cap",
        "credit_back",
        "price_monthly",
        "price_annual_monthly",
        "price_is_estimate",
        "as_of",
    ],
    column_config={
        "name": st.column_config.TextColumn("Tier", width=180),
        "monthly_credits": st.column_config.NumberColumn("Credits a month", width=100),
        "policy": st.column_config.TextColumn("Policy", width=70),
        "max_age_days": st.column_config.NumberColumn("Max age (days)", width=100),
        "balance_cap": st.column_config.NumberColumn("Balance cap", width=75),
        "credit_back": st.column_config.CheckboxColumn("Credit-back", width=75),
        "price_monthly": st.column_config.NumberColumn("Price a month", format="dollar", width=85),
        "price_annual_monthly": st.column_config.NumberColumn("Yearly, a month", format="dollar", width=100),
        "price_is_estimate": st.column_config.CheckboxColumn("Estimate", width=65),
        "as_of": st.column_config.TextColumn("As of", width=80),
    },
)
st.markdown("**Sources**")
st.table(
    rows[["name", "source", "as_of", "notes"]]
    .fillna("")
    .rename(columns={"name": "Tier", "source": "Source", "as_of": "As of", "notes": "Notes"})
    .set_index("Tier")
)
st.caption(
    f"The catalog file is `{TIERS_CSV.parent.name}/{TIERS_CSV.name}` in the repository; "
    "a scenario can also define its own tier inline."
)
download_button("Catalog (CSV)", to_csv(rows), file_name="tiers.csv", key="catalog_dl_csv")
