"""What the AppTest tests share: running the app or a page with a timeout, and reading what it shows.

Used by ``tests/test_app.py`` and ``tests/test_app_track.py``; not a test
module itself. AppTest has no ``plotly_chart`` accessor and Plotly 7 writes
numeric arrays base64-encoded, so charts are read from their JSON spec with
:func:`chart_spec` and :func:`plotly_array`.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from planner.text import WORD_JOINER

HERE = Path(__file__).resolve().parent
TIMEOUT = 120  # seconds for one script run; a cold solve on the shared machine can take a while


def app_test(path: str | Path) -> AppTest:
    """An AppTest of the script at ``path`` (relative to ``tests/``), with :data:`TIMEOUT` per run; not run yet."""
    return AppTest.from_file((HERE / path).resolve(), default_timeout=TIMEOUT)


def no_exception(at: AppTest) -> None:
    """Assert the last run raised nothing."""
    assert not at.exception, [e.value for e in at.exception]


def run(target: Any) -> AppTest:
    """Run the app (or the app of a widget just set) and check it raised nothing."""
    at: AppTest = target.run()
    no_exception(at)
    return at


def shown(markdown: str) -> str:
    """Markdown as the reader sees its characters: :func:`planner.text.literal`'s escapes undone.

    >>> from planner.text import literal
    >>> shown(literal("send 5 x **A** [x](http://e.x)"))
    'send 5 x **A** [x](http://e.x)'
    """
    # literal()'s word joiners show as nothing
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "").replace("  \n", "\n")


def texts(elements: Any) -> str:
    """The values of elements (``at.error``, ``at.info``, ...) as shown (:func:`shown`), one a line."""
    return "\n".join(shown(e.value) for e in elements)


def metric_values(at: AppTest) -> dict[str, str]:
    """Every metric's label and value, in page order."""
    return {m.label: m.value for m in at.metric}


def read_only_table(at: AppTest, column: str) -> pd.DataFrame:
    """The first read-only table with the given column."""
    for frame in at.dataframe:
        if frame.editing_mode == "read_only" and column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with column {column!r}")


def edit_table(
    at: AppTest, key: str, *, edited_rows: dict[int, dict[str, Any]] | None = None, added_rows: list[dict[str, Any]] | None = None
) -> AppTest:
    """Give the data editor ``key`` edits, as a person typing in it would, and run."""
    at.session_state[key] = {"edited_rows": edited_rows or {}, "added_rows": added_rows or [], "deleted_rows": []}
    return run(at)


def chart_spec(at: AppTest, key: str) -> dict[str, Any]:
    """The Plotly spec (data and layout) of the chart drawn with ``key``."""
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


def plotly_array(array: Any) -> np.ndarray:
    """A Plotly array from a chart spec (Plotly 7 writes numbers as base64 'bdata')."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)
