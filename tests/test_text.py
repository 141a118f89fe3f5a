"""Tests of planner.text: user text shown as typed in Streamlit's markdown elements."""

from __future__ import annotations

import re

import pytest
from apphelpers import shown

from planner.text import WORD_JOINER, literal

HOSTILE = [
    "**T** [Sign in](https://evil.example/login)",
    "![p](https://evil.example/p.png)",
    "<b>x</b> <img src=x onerror=alert(1)> &amp;",
    ":red[r] :material/home: $x^2$ `code` # heading",
    "see https://evil.example/login or www.evil.example or me@evil.example",
    "שלום مرحبا 👋🏽",
    "x" * 10_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_literal_text_reads_back_as_typed_and_starts_no_markup(text: str) -> None:
    escaped = literal(text)
    # what a reader sees: the escapes and character references undone, which is the text typed
    assert shown(escaped) == text
    # nothing in it that markdown, HTML, a directive or GFM's bare-address linking starts from
    unescaped_markup = re.findall(r"(?<!\\)[*_\[\]()<>`$]", escaped)
    assert unescaped_markup == []
    # nor GFM's bare-address search: "http(s):", "www." and "@host" never stand together
    assert not re.search(r"https?\\?:|www\\?\.|@[-\w]", escaped, re.IGNORECASE)


def test_a_bare_address_is_not_a_link_and_lines_stay_lines() -> None:
    """A bare https:// address in a bucket name became a live link in the Plan page's message box."""
    assert literal("https://evil.example") == f"https{WORD_JOINER}\\://evil\\.example"
    assert literal("one\ntwo") == "one  \ntwo"
