"""Field types of the scenario schema, and the words a refused value is explained in.

Every number and text a scenario (or an inline tier) holds is declared with
one of the types below: strict, so that a wrong type is refused rather than
converted (``cycles = "2"``, ``daily_cap = true``, ``start = "2026-06-01"``),
and bounded, so that every value lies in a range a user could mean (NaN and
infinities lie outside every range). :func:`describe_errors` turns pydantic's
errors into one message per problem, each naming the field as the user wrote
it and the value in TOML notation::

    buckets[2].min = "1": must be a whole number, not text
    bonus_credits = 1e+30: must be between 0 and 100000

The ranges are listed in the README ("Scenarios"); they are generous enough
for any real contract (a negotiated Recruiter seat with thousands of credits
a month) and small enough that the optimiser's numbers stay exact.
"""

from __future__ import annotations

import difflib
import json
import math
import unicodedata
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Strict, ValidationError
from pydantic_core import PydanticCustomError

# the largest value each kind of field admits
MAX_CREDITS = 100_000  # credits a month: monthly_credits, bonus_credits, a bucket's min, reserve
MAX_BALANCE = 1_000_000  # credits held at once, or recipients in a cycle: balance_cap, pool
MAX_DAILY_CAP = 10_000  # InMails on one day
MAX_DAYS = 366  # a delay in days: refund_lag_days, gap_days (the horizon is at most about a year)
MAX_AGE_DAYS = 3_660  # how long a credit stays valid (ten years; anything past the horizon means the same)
MAX_RELEASE_DAYS = 31  # reserve_release_days: the last days of a cycle, which has at most 31
MAX_PRICE = 1_000_000  # a price per month
MAX_WEIGHT = 1_000  # a bucket's weight w_b
MAX_FACTOR = 100  # a weekday's factor on a send's value
MAX_GROWTH = 10  # speed_guard.growth: 10 lets a day send 10 times the last week's average on top of the base

FIRST_START, LAST_START = date(2000, 1, 1), date(2099, 12, 31)  # a plan's first day

MAX_NAME_CHARS = 80  # a bucket's or a tier's name: it labels charts and tables
MAX_TITLE_CHARS = 200
MAX_NOTE_CHARS = 1_000  # an inline tier's source, as_of, notes

MAX_BUCKETS = 100
MAX_DAYS_OFF = 400  # more than every day of a 12-cycle horizon
MAX_DEPTH = 8  # lists and tables inside each other; a scenario needs 3 (tiers = [{...}])
MAX_PROBLEMS = 25  # messages for one scenario; past these, a count (a list of 30,000 bad items is one mistake)

# the union members of a field, by tag: their label appears in pydantic's error locations
UNION_TAGS = frozenset({"tier-name", "tier-table", "bonus-number", "bonus-list"})


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e16 else repr(float(value))


def between(lo: float, hi: float, *, above: bool = False) -> Callable[[Any], Any]:
    """A check that a number lies in [lo, hi] (or (lo, hi] when ``above``); NaN lies in no range."""
    words = f"must be above {_number_text(lo)} and at most {_number_text(hi)}" if above else None
    words = words or f"must be between {_number_text(lo)} and {_number_text(hi)}"

    def check(value: Any) -> Any:
        inside = (lo < value if above else lo <= value) and value <= hi  # False for NaN
        if not inside:
            raise PydanticCustomError("out_of_range", words)
        return value

    return check


def _date_between(lo: date, hi: date) -> Callable[[date], date]:
    words = f"must be between {lo.isoformat()} and {hi.isoformat()}"

    def check(value: date) -> date:
        if not lo <= value <= hi:
            raise PydanticCustomError("out_of_range", words)
        return value

    return check


def one_of(*allowed: int) -> Callable[[int], int]:
    """A check that a whole number is one of a few values (a file format's version)."""
    words = "must be " + " or ".join(str(a) for a in allowed)

    def check(value: int) -> int:
        if value not in allowed:
            raise PydanticCustomError("not_allowed", words)
        return value

    return check


def _text(limit: int, *, one_line: bool = True, blank_ok: bool = False) -> Callable[[str], str]:
    """A check of a text's length and characters; the text itself is kept exactly as written."""

    def check(value: str) -> str:
        if not blank_ok and not value.strip():
            raise PydanticCustomError("text_blank", "must not be empty")
        if len(value) > limit:
            raise PydanticCustomError("text_long", f"{len(value)} characters long; at most {limit}")
        for ch in value:
            kind = unicodedata.category(ch)
            # tabs and line breaks would break a chart label or a table row; lone surrogates are no text
            if (kind == "Cc" and (one_line or ch not in "\n")) or kind in {"Zl", "Zp", "Cs"}:
                raise PydanticCustomError(
                    "text_control", f"holds the control character {ascii(ch)[1:-1]}; write it on one line, without tabs"
                )
        return value

    return check


Whole = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]
Day = Annotated[date, Strict()]
StartDay = Annotated[date, Strict(), AfterValidator(_date_between(FIRST_START, LAST_START))]

Credits = Annotated[int, Strict(), AfterValidator(between(0, MAX_CREDITS))]
Balance = Annotated[int, Strict(), AfterValidator(between(0, MAX_BALANCE))]
DailyCap = Annotated[int, Strict(), AfterValidator(between(0, MAX_DAILY_CAP))]
Cycles = Annotated[int, Strict(), AfterValidator(between(1, 12))]
GapDays = Annotated[int, Strict(), AfterValidator(between(0, MAX_DAYS))]
LagDays = Annotated[int, Strict(), AfterValidator(between(1, MAX_DAYS))]
AgeDays = Annotated[int, Strict(), AfterValidator(between(1, MAX_AGE_DAYS))]
ReleaseDays = Annotated[int, Strict(), AfterValidator(between(0, MAX_RELEASE_DAYS))]

Share = Annotated[float, Strict(), AfterValidator(between(0, 1))]  # a rate, a share, a reliance
Price = Annotated[float, Strict(), AfterValidator(between(0, MAX_PRICE))]
Weight = Annotated[float, Strict(), AfterValidator(between(0, MAX_WEIGHT, above=True))]
Factor = Annotated[float, Strict(), AfterValidator(between(0, MAX_FACTOR))]
# speed_guard.base: InMails a day with nothing sent the week before; below 1 nothing could ever be sent
GuardBase = Annotated[float, Strict(), AfterValidator(between(1, MAX_DAILY_CAP))]
Growth = Annotated[float, Strict(), AfterValidator(between(0, MAX_GROWTH))]
Replies = Annotated[float, Strict(), AfterValidator(between(0, MAX_DAILY_CAP, above=True))]  # replies_per_day

Name = Annotated[str, Strict(), AfterValidator(_text(MAX_NAME_CHARS))]
Title = Annotated[str, Strict(), AfterValidator(_text(MAX_TITLE_CHARS, blank_ok=True))]
Note = Annotated[str, Strict(), AfterValidator(_text(MAX_NOTE_CHARS, one_line=False, blank_ok=True))]


class Problems(ValueError):
    """Several problems found by one cross-field check, reported one message each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def raise_problems(problems: Sequence[str]) -> None:
    """Raise :class:`Problems` from a model validator when the list is not empty."""
    if problems:
        raise Problems(problems)


# --- values in TOML notation ---------------------------------------------------------

SHOW_CHARS = 40  # a text in a message: its first characters
SHOW_ITEMS = 4  # a list or table in a message: its first items


def show(value: Any, depth: int = 0) -> str:
    """A value as the user would write it in TOML, shortened for a message.

    >>> show("1"), show(True), show(float("nan")), show(1e30), show([1, 2, 3, 4, 5, 6])
    ('"1"', 'true', 'nan', '1e+30', '[1, 2, 3, 4, ...]')
    """
    if isinstance(value, str):
        return _show_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value.bit_length() > 133:  # over 40 digits (and str() refuses over 4300)
            return f"{'-' if value < 0 else ''}(a number of about {int(value.bit_length() * math.log10(2)) + 1} digits)"
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return show(value.model_dump(exclude_defaults=True), depth)
    if isinstance(value, dict):
        if depth >= 2:
            return "{...}"
        items = [f"{_show_key(k)} = {show(v, depth + 1)}" for k, v in list(value.items())[:SHOW_ITEMS]]
        return "{ " + ", ".join(items + (["..."] if len(value) > SHOW_ITEMS else [])) + " }" if items else "{}"
    if isinstance(value, list | tuple):
        if depth >= 2:
            return "[...]"
        items = [show(v, depth + 1) for v in value[:SHOW_ITEMS]]
        return "[" + ", ".join(items + (["..."] if len(value) > SHOW_ITEMS else [])) + "]"
    return _show_text(str(value))


def _show_key(key: Any) -> str:
    text = str(key)
    return text if text.replace("_", "").replace("-", "").isalnum() and text.isascii() else _show_text(text)


def _show_text(text: str) -> str:
    short = text if len(text) <= SHOW_CHARS else text[:SHOW_CHARS]
    # JSON escapes quotes and control characters; lone surrogates cannot be printed, so escape them too
    quoted = json.dumps(short, ensure_ascii=False)
    quoted = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in {"Cs", "Zl", "Zp"} else c for c in quoted)
    return quoted if short is text else quoted[:-1] + '..."'


# in this order: a bool is an int, a datetime is a date
KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (str, "text"),
    (bool, "true/false"),
    (int, "a whole number"),
    (float, "a decimal number"),
    (datetime, "a date and time"),
    (date, "a date"),
    (time, "a time of day"),
    ((list, tuple), "a list"),
    ((dict, BaseModel), "a table"),
)


def kind_of(value: Any) -> str:
    """What a value is, in the words of a TOML file ("text", "true/false", "a table", ...)."""
    return next((words for kind, words in KINDS if isinstance(value, kind)), type(value).__name__)


# --- pydantic errors -> messages ------------------------------------------------------

# what a field expects, by pydantic's type error
EXPECTS = {
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be text (in quotes)",
    "date_type": "must be a date, written without quotes (2026-06-01)",
    "list_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
}


def field_path(loc: Sequence[Any]) -> str:
    """pydantic's error location as the user wrote the field: ``buckets[2].min``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in UNION_TAGS or part == "[key]":
            continue  # the member of a union, or "the key of this table", not a field
        else:
            path += f".{part}" if path else str(part)
    return path or "scenario"


def _why(e: Any) -> str:
    """The words for one pydantic error (without the field and the value)."""
    kind, value = e["type"], e.get("input")
    if kind in EXPECTS:
        words = f"{EXPECTS[kind]}, not {kind_of(value)}"
        if kind == "int_type" and isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            words += f" (write {int(value)}, without the decimal point)"
        if kind == "date_type" and isinstance(value, str):
            try:
                words = f"must be a date written without quotes ({date.fromisoformat(value.strip()).isoformat()}), not text"
            except ValueError:
                words = "must be a date, written without quotes (2026-06-01), not text"
        return words
    if kind == "enum":
        return f"must be one of {e['ctx']['expected']}".replace("'", '"')
    if kind == "literal_error":
        return f"must be {e['ctx']['expected']}".replace("'", '"')
    if kind == "too_long":
        # pydantic counts a list's items up to one past the limit (a table's keys all)
        actual = len(value) if isinstance(value, list | dict) else e["ctx"]["actual_length"]
        return f"has {actual} items; at most {e['ctx']['max_length']}"
    if kind == "too_short":
        return f"has {e['ctx']['actual_length']} items; at least {e['ctx']['min_length']}"
    return str(e["msg"]).removeprefix("Value error, ")


def describe_errors(err: ValidationError, known: Collection[str] = ()) -> list[str]:
    """One message per problem, each naming the field and the value; each message once.

    ``known`` are the field names an unknown field may be a misspelling of.
    """
    problems: list[str] = []
    for e in err.errors(include_url=False):
        path = field_path(e["loc"])
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, Problems):
            prefix = "" if path == "scenario" else f"{path}: "
            problems.extend(prefix + p for p in cause.problems)
        elif e["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(e["loc"][-1]), list(known), n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]}?" if close else ""
            problems.append(f"{path}: unknown field (value {show(e['input'])}){hint}")
        elif e["type"] == "missing":
            problems.append(f"{path}: required field is missing")
        elif e["type"] == "value_error":
            problems.append(_why(e) if path == "scenario" else f"{path}: {_why(e)}")
        else:
            problems.append(f"{path} = {show(e['input'])}: {_why(e)}")
    return list(dict.fromkeys(problems))


def capped(problems: list[str]) -> list[str]:
    """At most :data:`MAX_PROBLEMS` messages, then their count: 30,000 bad items are one mistake to mend."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more problems"]


def nesting_problem(data: Any) -> str | None:
    """The first value nested more than :data:`MAX_DEPTH` lists or tables deep, as a message."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:  # a loop, not recursion: the depth is what is being checked
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"{path or 'scenario'}: values nested more than {MAX_DEPTH} lists or tables deep; a scenario needs at most 3"
        if isinstance(value, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
    return None
