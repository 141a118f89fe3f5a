"""Plan page: plan one of the example scenarios (the full dashboard comes next)."""

from __future__ import annotations

import streamlit as st

from planner import load_scenario, make_plan
from planner.paths import EXAMPLES_DIR

st.title("InMail credit planner")
examples = sorted(p.stem for p in EXAMPLES_DIR.glob("*.toml"))
name = st.selectbox("Example scenario", examples, key="example")
plan = make_plan(load_scenario(EXAMPLES_DIR / f"{name}.toml"))
if plan.totals is not None:
    st.metric("Expected responses", f"{plan.totals.expected_responses:.2f}")
    st.dataframe(plan.schedule, key="schedule")
else:
    st.error(plan.message)
