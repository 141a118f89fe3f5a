"""Shareable links: a scenario packed into one URL query parameter and back.

The scenario's TOML text (:func:`planner.scenario.scenario_to_toml`) is
compressed with zlib and written in URL-safe base64 without padding, in the
query parameter ``s``. Decoding checks the scenario as strictly as a file
upload, so a link that was cut short or edited by hand is refused with a
:class:`~planner.scenario.ScenarioError` that names the parameter, never
with a traceback.

>>> from planner.scenario import scenario_from_toml
>>> s = scenario_from_toml('start = 2026-06-01\\ntier = "Premium Business"\\n[goals]\\nsales = 1.0')
>>> params = to_query_params(s)
>>> list(params)
['s']
>>> from_query_params(params) == s
True
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping

from planner.catalog import Catalog
from planner.scenario import MAX_SCENARIO_CHARS, AnyScenario, Scenario, ScenarioError, scenario_from_toml, scenario_to_toml

PARAM = "s"  # the Plan page's scenario
TEAM_PARAM = "team"  # the Team page's team scenario
MAX_PARAM_CHARS = 16_000  # far above any real scenario; browsers and proxies cut URLs near 32k-64k
MAX_TOML_BYTES = MAX_SCENARIO_CHARS  # a link must not inflate into something huge (a zip bomb)


def encode_scenario(scenario: AnyScenario) -> str:
    """The scenario (one seat, or a team) as one URL-safe text: its TOML, zlib-compressed, base64url without padding."""
    raw = zlib.compress(scenario_to_toml(scenario).encode("utf-8"), 9)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _shorten(value: str, limit: int = 24) -> str:
    return value if len(value) <= limit else value[:limit] + "..."


def decode_text(value: str, param: str = PARAM) -> str:
    """The scenario TOML text in :func:`encode_scenario`'s text (not yet checked as a scenario).

    Raises
    ------
    ScenarioError
        When the text is not an encoded scenario (cut short, edited by hand);
        messages name the parameter and the value.
    """
    where = link_label(value, param)
    text = value.strip()
    if not text:
        raise ScenarioError([f"{where}: empty; it should hold an encoded scenario"])
    if len(text) > MAX_PARAM_CHARS:
        raise ScenarioError([f"{where}: {len(text)} characters is too long for a scenario link"])
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ScenarioError([f"{where}: not a scenario link (not base64url text); was the link cut short?"]) from None
    inflater = zlib.decompressobj()
    try:
        toml_bytes = inflater.decompress(raw, MAX_TOML_BYTES)
    except zlib.error:
        raise ScenarioError([f"{where}: not a scenario link (cannot be decompressed); was the link cut short?"]) from None
    if inflater.unconsumed_tail:
        raise ScenarioError([f"{where}: the scenario in it is larger than {MAX_TOML_BYTES} bytes"])
    if not inflater.eof:
        raise ScenarioError([f"{where}: the scenario in it is incomplete; was the link cut short?"])
    try:
        return toml_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([f"{where}: the scenario in it is not UTF-8 text"]) from None


def link_label(value: str, param: str = PARAM) -> str:
    """How a message names a link's parameter: ``link parameter s = 'eJy...'``."""
    return f"link parameter {param} = {_shorten(value)!r}"


def decode_scenario(value: str, catalog: Catalog | None = None) -> Scenario:
    """Read a one-seat scenario back from :func:`encode_scenario`'s text, checked like a scenario file.

    Raises
    ------
    ScenarioError
        When the text is not an encoded scenario (cut short, edited) or the
        scenario in it is refused; messages name the parameter and the value.
    """
    toml_text = decode_text(value)
    try:
        return scenario_from_toml(toml_text, catalog)
    except ScenarioError as err:
        raise ScenarioError([f"{link_label(value)}: {problem}" for problem in err.problems]) from None


def to_query_params(scenario: Scenario) -> dict[str, str]:
    """The query parameters that reproduce ``scenario`` (for ``st.query_params``)."""
    return {PARAM: encode_scenario(scenario)}


def from_query_params(params: Mapping[str, str | list[str]], catalog: Catalog | None = None) -> Scenario | None:
    """The scenario in a page's query parameters, or None when the link carries none.

    A parameter given twice uses its last value, as ``st.query_params`` does.
    """
    value = params.get(PARAM)
    if value is None:
        return None
    if isinstance(value, list):
        if not value:
            return None
        value = value[-1]
    return decode_scenario(value, catalog)
