"""Text a user typed, shown as the characters typed.

Streamlit renders the body of ``st.markdown``, ``st.caption``, ``st.error``,
``st.success``, ``st.info``, ``st.warning``, ``st.toast`` and widget labels as
markdown: a bucket name like ``[Sign in](https://evil.example)`` would become a
live link there, ``**x**`` bold, ``<b>`` an HTML tag and ``:red[x]`` a coloured
word. Every piece of user text (titles, bucket and tier names, notes, file
names, values echoed in an error message) goes through :func:`literal` before it
reaches such an element. Tables and ``st.text``/``st.code`` show text as it is
and need nothing.

Escapes alone do not stop one thing: Streamlit's markdown (remark-gfm) turns
a bare ``http://...``, ``www....`` or ``name@host`` in the text into a live
link after the escapes are read. An invisible WORD JOINER (U+2060) after
``http``/``https``/``www`` and after ``@`` breaks those patterns; the text
looks as typed.
"""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that
# start markdown, HTML, entities, LaTeX ($) or Streamlit's directives (:red[...], :material/x:)
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=^\"'])")
WORD_JOINER = "\u2060"
# in the escaped text: a scheme before "\:", "www" before "\.", and "@" (GFM's autolink literals)
_AUTOLINK = re.compile(r"(?i)(https?(?=\\:)|www(?=\\\.)|@)")


def literal(text: object) -> str:
    """``text`` escaped for a Streamlit markdown element, so that it shows exactly as typed.

    Line breaks are kept as hard breaks, so a multi-line note keeps its lines.

    >>> literal("**T** [evil](http://evil.example)").replace(WORD_JOINER, "")
    '\\\\*\\\\*T\\\\*\\\\* \\\\[evil\\\\]\\\\(http\\\\://evil\\\\.example\\\\)'
    >>> literal("<b>x</b>")
    '\\\\<b\\\\>x\\\\</b\\\\>'
    >>> [WORD_JOINER in literal(t) for t in ("http://x", "HTTPS://x", "www.x.com", "bob@x.com", "a.b: c")]
    [True, True, True, True, False]
    """
    escaped = _AUTOLINK.sub(r"\1" + WORD_JOINER, _SPECIAL.sub(r"\\\1", str(text)))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
