"""tests/apps/ holds Streamlit entry scripts for the app tests, not tests.

pytest's ``--doctest-modules`` would import them, and importing one runs the app: leave them out.
"""

collect_ignore = ["track_app.py"]
