"""The InMail credit planner app: navigation only; each page lives in app_pages/."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="InMail credit planner", page_icon="✉️", layout="wide")

st.navigation(
    [
        st.Page("app_pages/plan.py", title="Plan", icon=":material/event_note:", default=True),
        st.Page("app_pages/compare.py", title="Compare tiers", icon=":material/compare_arrows:"),
        st.Page("app_pages/team.py", title="Team", icon=":material/groups:"),
        st.Page("app_pages/track.py", title="Track & re-plan", icon=":material/fact_check:"),
        st.Page("app_pages/history.py", title="History", icon=":material/history:"),
        st.Page("app_pages/catalog.py", title="Catalog", icon=":material/menu_book:"),
    ]
).run()
