"""Test-only navigation: app.py's pages plus Track & re-plan and History, until app.py lists them.

Used by tests/test_app_track.py (AppTest) and tests/test_browser_track.py
(``streamlit run``). Page paths are absolute, so the script runs from any
working directory.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parents[2] / "app_pages"

st.set_page_config(page_title="InMail credit planner", page_icon="✉️", layout="wide")

st.navigation(
    [
        st.Page(PAGES / "plan.py", title="Plan", icon=":material/event_note:", default=True),
        st.Page(PAGES / "compare.py", title="Compare tiers", icon=":material/compare_arrows:"),
        st.Page(PAGES / "track.py", title="Track & re-plan", icon=":material/fact_check:"),
        st.Page(PAGES / "history.py", title="History", icon=":material/history:"),
        st.Page(PAGES / "catalog.py", title="Catalog", icon=":material/menu_book:"),
    ]
).run()
