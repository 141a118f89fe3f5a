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
# GFM turns a bare "https://x.y", "www.x.y" or "a@b.c" into a link by a search over the text after it is
# parsed, so no escape stops it; a word joiner (U+2060, which shows as nothing) between the characters it
# looks for does
JOINER = "\u2060"
_LINKING = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\\?\.)|(?=@)", re.IGNORECASE)


def literal(text: object) -> str:
    """``text`` escaped for a Streamlit markdown element, so that it shows exactly as typed.

    Markdown, HTML, Streamlit's directives and bare web or mail addresses
    (which GFM would make links) all show as the characters typed; an address
    carries an invisible :data:`JOINER`. Line breaks are kept as hard breaks,
    so a multi-line note keeps its lines.

    >>> literal("**T** [evil](http://evil.example)")
    '\\\\*\\\\*T\\\\*\\\\* \\\\[evil\\\\]\\\\(http\\\\:\\u2060//evil\\\\.example\\\\)'
    >>> literal("<b>x</b> a@b.c www.x.y")
    '\\\\<b\\\\>x\\\\</b\\\\> a\\u2060@b\\\\.c www\\u2060\\\\.x\\\\.y'
    """
    escaped = _LINKING.sub(JOINER, _SPECIAL.sub(r"\\\1", str(text)))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
