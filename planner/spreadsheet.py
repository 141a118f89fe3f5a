"""Spreadsheet-safe text: the one rule for a text cell in every CSV the planner writes or reads back.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (CSV injection). Such a cell is written with a
leading ``'``, a spreadsheet's "this is text" mark; so is a cell that already
begins with ``'``, so that reading a cell back (dropping one leading mark) gives
exactly the text that was written. Numbers are never escaped.

This module imports nothing but the standard library: the CSV parser of the
usage log and the exports both use it without pulling in each other.

>>> escape_cell("=HYPERLINK(1)"), escape_cell("'quoted"), escape_cell("Follow-up")
("'=HYPERLINK(1)", "''quoted", 'Follow-up')
>>> unescape_cell(escape_cell("-5 bad")) == "-5 bad"
True
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def escape_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it as text: a leading ``'`` before formula-like or ``'``-led text."""
    return TEXT_MARK + text if text.startswith((*FORMULA_STARTS, TEXT_MARK)) else text


def unescape_cell(text: str) -> str:
    """A cell read back: one leading ``'`` (the text mark) dropped.

    >>> unescape_cell("'=1"), unescape_cell("plain")
    ('=1', 'plain')
    """
    return text[1:] if text.startswith(TEXT_MARK) else text


def safe_cell(value: object) -> object:
    """Any table cell made safe: text through :func:`escape_cell`, everything else (numbers, dates) as it is.

    >>> safe_cell("=1"), safe_cell(-5), safe_cell(None)
    ("'=1", -5, None)
    """
    return escape_cell(value) if isinstance(value, str) else value
