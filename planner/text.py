"""Text a user typed, shown as the characters typed.

Streamlit renders the body of ``st.markdown``, ``st.caption``, ``st.error``,
``st.success``, ``st.info``, ``st.warning``, ``st.toast`` and widget labels as
markdown: a bucket name like ``[Sign in](https://evil.example)`` would become a
live link there, ``**x**`` bold, ``<b>`` an HTML tag and ``:red[x]`` a coloured
word. Every piece of user text (titles, bucket and tier names, notes, file
names, values echoed in an error message) goes through :func:`literal` before it
reaches such an element. Tables and ``st.text``/``st.code`` show text as it is
and need nothing.
"""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that
# start markdown, HTML, entities, LaTeX ($) or Streamlit's directives (:red[...], :material/x:)
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=^\"'])")


def literal(text: object) -> str:
    """``text`` escaped for a Streamlit markdown element, so that it shows exactly as typed.

    Line breaks are kept as hard breaks, so a multi-line note keeps its lines.

    >>> literal("**T** [evil](http://evil.example)")
    '\\\\*\\\\*T\\\\*\\\\* \\\\[evil\\\\]\\\\(http\\\\://evil\\\\.example\\\\)'
    >>> literal("<b>x</b>")
    '\\\\<b\\\\>x\\\\</b\\\\>'
    """
    escaped = _SPECIAL.sub(r"\\\1", str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
