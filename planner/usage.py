"""The usage log: one row per InMail sent, read from the CSV files spreadsheets write.

A log row says when an InMail was sent, from which bucket, what came of it and
when (MODEL.md, "Actuals"). :func:`import_usage` is forgiving of the form a
spreadsheet gives a file and strict about what the rows mean:

Forgiving
    UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
    "Unicode text"), else Windows-1252 / Latin-1 (the summary says so);
    ``,``, ``;`` or tab as the delimiter, found from the header line; header
    names in any case and with spaces or hyphens (``Sent on``, ``SENT_ON``,
    ``sent-on``); ISO dates always, and day-first or month-first dates
    (``03/04/2026``, ``3.4.2026``) when the caller names the order; a time
    after the date is ignored; extra columns, blank rows and rows of empty
    cells are skipped; quoted fields; a leading ``'`` (a spreadsheet's
    "this is text" mark) is dropped.

Strict
    A missing required column refuses the whole file (:class:`UsageImportError`
    names the columns found and needed). Each row whose meaning is wrong is
    rejected with its line number and a reason naming the column and the
    value; the good rows are kept. A row is also rejected, alone, when a
    quote opened in it is not closed on it (the rows after it are read as rows,
    not swallowed into one cell) or when a cell is over 128 KiB.

    The rules a row must meet are :func:`parse_usage_row`, the one home of
    them for every way a row comes in (a file, ``log add``, the app's table):

    - ``sent_on``, ``bucket`` and ``outcome`` are given and valid; with
      ``buckets``, the bucket is one of them (exact name);
    - ``outcome`` is ``pending``, ``accepted``, ``declined`` or ``replied``
      (any case);
    - ``outcome_on`` is empty exactly when the outcome is ``pending``: an
      outcome without its date cannot be placed on the ledger (the credit-back
      lands on that day), and a pending send with an outcome date contradicts
      itself, so both are rejected rather than guessed at;
    - ``outcome_on`` is not before ``sent_on``; with ``today``, neither date
      is after it;
    - ``free``, when given, is ``true``/``false``/``yes``/``no``/``1``/``0``
      (any case); empty means the bucket's default;
    - ``bucket`` is at most 200 characters and ``recipient`` at most 500.

Past :data:`MAX_LISTED_REJECTIONS` rejected rows, only their count per kind of
reason is kept (a file of a million bad rows gives a short report).

:func:`log_diff` is the one rule for what a log adds to a saved one: exact
duplicates of saved rows are skipped (as multisets: two equal sends in one
file are two sends).

Line numbers are those a spreadsheet shows: the header is line 1 and every
row after it, blank ones included, counts one (a quoted cell holding a line
break stays one row).

The import is pure: it returns an :class:`ImportResult` and writes nothing,
so a crash can never leave half a file imported.

>>> result = import_usage(b"sent_on;bucket;outcome;outcome_on\\n2026-06-01;Initial;replied;2026-06-03\\n")
>>> result.entries[0].outcome, result.entries[0].outcome_on
(<Outcome.REPLIED: 'replied'>, datetime.date(2026, 6, 3))
"""

from __future__ import annotations

import calendar as _calendar
import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, NamedTuple

from planner.spreadsheet import TEXT_MARK as TEXT_MARK  # re-exported for the readers of log cells
from planner.spreadsheet import escape_cell, unescape_cell

if TYPE_CHECKING:
    import pandas as pd

DateOrder = Literal["iso", "day_first", "month_first"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
REQUIRED_COLUMNS = ("sent_on", "bucket", "outcome", "outcome_on")
OPTIONAL_COLUMNS = ("recipient", "free")
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
DELIMITERS = (",", ";", "\t")
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})
CELL_MAX_CHARS = 128 * 1024  # one cell; a longer one is junk or a file pasted into a cell
BUCKET_MAX_CHARS = 200  # the history database's column sizes (PostgreSQL enforces them)
RECIPIENT_MAX_CHARS = 500
MAX_LISTED_REJECTIONS = 200  # rejected rows kept one by one; past these only counted per kind


class Outcome(StrEnum):
    """What came of one InMail."""

    PENDING = "pending"  # no answer yet
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REPLIED = "replied"


@dataclass(frozen=True)
class UsageEntry:
    """One InMail sent.

    Parameters
    ----------
    sent_on
        The day it was sent.
    bucket
        The scenario bucket it was sent from.
    outcome
        What came of it so far.
    outcome_on
        The day of the outcome; None exactly while the outcome is pending.
    recipient
        Who it went to, if the log says.
    free
        Whether it cost no credit; None means the bucket's default.
    """

    sent_on: date
    bucket: str
    outcome: Outcome
    outcome_on: date | None = None
    recipient: str | None = None
    free: bool | None = None

    def __post_init__(self) -> None:
        if (self.outcome is Outcome.PENDING) != (self.outcome_on is None):
            raise ValueError(f"outcome {self.outcome!s}: outcome_on must be empty exactly while pending (got {self.outcome_on})")
        if self.outcome_on is not None and self.outcome_on < self.sent_on:
            raise ValueError(f"outcome_on {self.outcome_on} is before sent_on {self.sent_on}")

    def is_free(self, bucket_default: bool) -> bool:
        """Whether the send used no credit, with the bucket's ``free`` as the default.

        >>> UsageEntry(date(2026, 6, 1), "Initial", Outcome.PENDING).is_free(bucket_default=True)
        True
        """
        return bucket_default if self.free is None else self.free


class RowProblem(NamedTuple):
    """One thing wrong with a row: a short ``kind`` to count by, and the ``text`` naming column and value."""

    kind: str
    text: str


class UsageRowError(ValueError):
    """A log row breaks the rules of :func:`parse_usage_row`; ``problems`` lists every one, not just the first."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.text for p in self.problems))


@dataclass(frozen=True)
class Rejected:
    """A row refused, with its line number (header = line 1), the reason, and its kinds (to count by)."""

    line: int
    reason: str
    kinds: tuple[str, ...] = field(default=(), compare=False)  # for counting, not part of what the row says

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_usage` read: the good entries and the rejected rows.

    ``rejected`` lists the first :data:`MAX_LISTED_REJECTIONS` rejected rows;
    ``rejected_count`` counts them all and ``reason_counts`` counts each kind
    of reason over all of them.
    """

    entries: list[UsageEntry]
    rejected: list[Rejected] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    rows: int = 0  # data rows read (blank rows not counted)
    ignored_columns: list[str] = field(default_factory=list)
    rejected_count: int = -1  # -1: as many as listed
    reason_counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rejected_count < 0:
            object.__setattr__(self, "rejected_count", len(self.rejected))
        if not self.reason_counts and self.rejected:
            counts: Counter[str] = Counter(kind for r in self.rejected for kind in (r.kinds or (r.reason,)))
            object.__setattr__(self, "reason_counts", dict(counts))

    @property
    def is_clean(self) -> bool:
        """True when no row was rejected."""
        return self.rejected_count == 0

    def summary(self) -> str:
        """One sentence for the user: what was kept, what was refused and why to look.

        >>> ImportResult([], [Rejected(3, "x"), Rejected(7, "y")], rows=2).summary()
        'Imported 0 of 2 rows; rejected 2 (lines 3, 7).'
        """
        text = f"Imported {len(self.entries):,} of {self.rows:,} rows"
        if self.rejected_count:
            lines = [str(r.line) for r in self.rejected[:10]]
            more = self.rejected_count - len(lines)
            shown = ", ".join(lines) + (f" and {more:,} more" if more > 0 else "")
            text += f"; rejected {self.rejected_count:,} (line{'s' if self.rejected_count > 1 else ''} {shown})"
        if self.encoding not in ("utf-8", "utf-8-sig"):
            text += f"; the file is not UTF-8 and was read as {self.encoding}"
        if self.ignored_columns:
            text += f"; ignored column{'s' if len(self.ignored_columns) > 1 else ''} {', '.join(self.ignored_columns)}"
        return text + "."

    def report(self, limit: int = 20) -> list[str]:
        """The rejected rows for a person to read: the first ``limit`` in full, then a count per kind of reason.

        >>> ImportResult([], [Rejected(2, "bucket is empty", ("bucket is empty",))] * 3, rows=3).report(limit=1)
        ['line 2: bucket is empty', '... and 2 more rejected rows; over all 3: bucket is empty (3)']
        """
        lines = [str(r) for r in self.rejected[:limit]]
        more = self.rejected_count - len(lines)
        if more > 0:
            counts = sorted(self.reason_counts.items(), key=lambda kv: (-kv[1], kv[0]))
            shown = "; ".join(f"{kind} ({n:,})" for kind, n in counts)
            lines.append(f"... and {more:,} more rejected rows; over all {self.rejected_count:,}: {shown}")
        return lines


class UsageImportError(ValueError):
    """The file as a whole was refused (too large, not text, required columns missing)."""


# --- decoding ---------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UsageImportError("the file starts like UTF-16 text but is not valid UTF-16") from None
    if b"\x00" in data:
        raise UsageImportError("the file holds NUL bytes: it looks like a binary file (e.g. .xlsx), not CSV text")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _check_text(text: str) -> None:
    """Refuse text with control characters: binary junk decoded as Latin-1 looks like this."""
    found = _CONTROL.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise UsageImportError(
            f"the file holds a control character (U+{ord(found.group()):04X}) on line {line}: "
            "it looks like a binary file, not CSV text"
        )


# --- header -----------------------------------------------------------------------------


def normalise_header(name: str) -> str:
    """A header cell as a column key: lower case, spaces and hyphens as ``_``.

    >>> normalise_header(" Sent on "), normalise_header("SENT_ON"), normalise_header("outcome-on")
    ('sent_on', 'sent_on', 'outcome_on')
    """
    name = name.strip().lstrip("\ufeff").strip()
    return re.sub(r"[\s\-_]+", "_", name.lower()).strip("_")


def _sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most (outside quotes); ``,`` if none."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


# --- cells ------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})")
_TIME = re.compile(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


class BadCell(ValueError):
    """One cell cannot be read; the message names the column and the value."""


def parse_date(text: str, column: str | None, date_order: DateOrder = "iso") -> date:
    """A date cell: ISO ``YYYY-MM-DD`` always; ``D/M/YYYY`` or ``M/D/YYYY`` as named.

    A time after the date (``2026-06-01 09:30`` or ``...T09:30:00Z``) is ignored.
    A date that does not exist says why. The message starts with
    ``column = 'value'``, or with ``'value'`` alone when ``column`` is None
    (a command-line option, whose name the caller gives).

    >>> parse_date("2026-04-03", "sent_on"), parse_date("03/04/2026", "sent_on", "day_first")
    (datetime.date(2026, 4, 3), datetime.date(2026, 4, 3))
    >>> parse_date("04/03/2026", "sent_on", "month_first")
    datetime.date(2026, 4, 3)
    >>> parse_date("2027-02-30", "sent_on")
    Traceback (most recent call last):
    planner.usage.BadCell: sent_on = '2027-02-30': February 2027 has 28 days
    """
    value = text.strip()
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value[:4].isascii():
        try:  # the common case, quickly
            return date.fromisoformat(value)
        except ValueError:
            pass
    said = f"{column} = {text!r}" if column is not None else repr(text)
    iso = _ISO.match(value)
    numeric = _NUMERIC.match(value)
    match = iso or numeric
    if match is None or not _TIME.fullmatch(value[match.end() :]):
        raise BadCell(f"{said}: not a date; {_date_hint(date_order)}")
    a, b, c = (int(g) for g in match.groups())
    if iso is not None:
        year, month, day = a, b, c
    elif date_order == "iso":
        advice = "; for dates like 03/04/2026 name the order (day_first or month_first)" if column is not None else ""
        raise BadCell(f"{said}: not an ISO date (YYYY-MM-DD){advice}")
    elif len(numeric.group(3)) != 4:  # type: ignore[union-attr]
        raise BadCell(f"{said}: give the year with four digits")
    elif date_order == "day_first":
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    try:
        return date(year, month, day)
    except ValueError:
        raise BadCell(f"{said}: {_why_not_a_date(year, month, day)}") from None


def _why_not_a_date(year: int, month: int, day: int) -> str:
    if not 1 <= year <= 9999:
        return f"year {year} is out of range (1 to 9999)"
    if not 1 <= month <= 12:
        return f"there is no month {month} (months are 1 to 12)"
    days = _calendar.monthrange(year, month)[1]
    if day == 0:
        return "there is no day 0 in a month"
    return f"{_calendar.month_name[month]} {year} has {days} days"


def _date_hint(date_order: DateOrder) -> str:
    return {
        "iso": "expected YYYY-MM-DD",
        "day_first": "expected DD/MM/YYYY or YYYY-MM-DD",
        "month_first": "expected MM/DD/YYYY or YYYY-MM-DD",
    }[date_order]


def parse_free(text: str) -> bool | None:
    """A ``free`` cell: true/false/yes/no/1/0 in any case, or empty for the bucket's default.

    >>> parse_free("Yes"), parse_free("0"), parse_free("")
    (True, False, None)
    """
    value = text.strip().lower()
    if value == "":
        return None
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise BadCell(f"free = {text!r}: not a yes/no value; use true/false, yes/no or 1/0 (empty for the bucket's default)")


Cell = str | date | bool | None


def _raw(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def parse_usage_row(
    cells: Mapping[str, Cell],
    *,
    buckets: Collection[str] | None = None,
    today: date | None = None,
    date_order: DateOrder = "iso",
) -> UsageEntry:
    """One log row read by the rules every row must meet, however it comes in (file, ``log add``, the app's table).

    Parameters
    ----------
    cells
        Column -> value for the columns of :data:`COLUMNS`; a missing or None
        cell is empty. Dates may be ``datetime.date`` or text (read by
        :func:`parse_date` in ``date_order``), ``free`` a bool or text.
        Text is taken as it is (a file's ``'`` text mark is the reader's to drop).
    buckets
        The scenario's bucket names; a row naming any other bucket is rejected.
    today
        When given, a row sent, or with an outcome, after this day is rejected.
    date_order
        How text dates that are not ISO are read.

    Raises
    ------
    UsageRowError
        With every problem of the row, each naming the column and the value.

    >>> parse_usage_row({"sent_on": "2026-06-01", "bucket": "A", "outcome": "pending"}).outcome
    <Outcome.PENDING: 'pending'>
    >>> parse_usage_row({"sent_on": "2026-06-09", "bucket": "A", "outcome": "pending"}, today=date(2026, 6, 8))
    Traceback (most recent call last):
    planner.usage.UsageRowError: sent_on = '2026-06-09' is after today (2026-06-08)
    """
    problems: list[RowProblem] = []

    def take_date(column: str) -> date | None:
        value = cells.get(column)
        if isinstance(value, date):
            return value
        raw = _raw(value)
        if raw.strip() == "":
            return None
        try:
            return parse_date(raw, column, date_order)
        except BadCell as err:
            problems.append(RowProblem(f"{column} is not a date", str(err)))
            return None

    raw_sent_on = _raw(cells.get("sent_on")).strip()
    sent_on = take_date("sent_on")
    if raw_sent_on == "":
        problems.append(RowProblem("sent_on is empty", "sent_on is empty"))

    bucket = _raw(cells.get("bucket")).strip()
    if bucket == "":
        problems.append(RowProblem("bucket is empty", "bucket is empty"))
    elif len(bucket) > BUCKET_MAX_CHARS:
        problems.append(
            RowProblem("bucket is too long", f"bucket is {len(bucket):,} characters long; at most {BUCKET_MAX_CHARS}")
        )
    elif buckets is not None and bucket not in buckets:
        known = ", ".join(repr(b) for b in sorted(buckets))
        near = [b for b in buckets if b.casefold() == bucket.casefold()]
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        problems.append(
            RowProblem(
                "bucket is not a bucket of the scenario",
                f"bucket = {bucket!r}: not a bucket of the scenario{hint}; known: {known}",
            )
        )

    raw_outcome = _raw(cells.get("outcome")).strip()
    outcome: Outcome | None = None
    if raw_outcome == "":
        problems.append(RowProblem("outcome is empty", "outcome is empty; use pending, accepted, declined or replied"))
    else:
        try:
            outcome = Outcome(raw_outcome.lower())
        except ValueError:
            problems.append(
                RowProblem(
                    "outcome is not an outcome", f"outcome = {raw_outcome!r}: not one of pending, accepted, declined, replied"
                )
            )

    outcome_on = take_date("outcome_on")
    raw_outcome_on = _raw(cells.get("outcome_on")).strip()
    if outcome is Outcome.PENDING and raw_outcome_on != "":
        problems.append(
            RowProblem(
                "outcome_on is given while pending",
                f"outcome_on = {raw_outcome_on!r} but outcome is pending; leave outcome_on empty while pending",
            )
        )
    elif outcome is not None and outcome is not Outcome.PENDING and raw_outcome_on == "":
        problems.append(
            RowProblem(
                "outcome_on is empty", f"outcome_on is empty but outcome is {outcome}; give the date of the {outcome} outcome"
            )
        )
    if sent_on is not None and outcome_on is not None and outcome_on < sent_on:
        problems.append(
            RowProblem("outcome_on is before sent_on", f"outcome_on = {raw_outcome_on!r} is before sent_on = {raw_sent_on!r}")
        )
    if today is not None:
        if sent_on is not None and sent_on > today:
            problems.append(
                RowProblem("sent_on is after today", f"sent_on = {raw_sent_on!r} is after today ({today.isoformat()})")
            )
        if outcome_on is not None and outcome_on > today:
            problems.append(
                RowProblem("outcome_on is after today", f"outcome_on = {raw_outcome_on!r} is after today ({today.isoformat()})")
            )

    recipient = _raw(cells.get("recipient")).strip() or None
    if recipient is not None and len(recipient) > RECIPIENT_MAX_CHARS:
        problems.append(
            RowProblem("recipient is too long", f"recipient is {len(recipient):,} characters long; at most {RECIPIENT_MAX_CHARS}")
        )
    free: bool | None = None
    raw_free = cells.get("free")
    if isinstance(raw_free, bool):
        free = raw_free
    else:
        try:
            free = parse_free(_raw(raw_free))
        except BadCell as err:
            problems.append(RowProblem("free is not yes or no", str(err)))

    if problems:
        raise UsageRowError(problems)
    assert sent_on is not None and outcome is not None
    return UsageEntry(
        sent_on=sent_on,
        bucket=bucket,
        outcome=outcome,
        outcome_on=outcome_on if outcome is not Outcome.PENDING else None,
        recipient=recipient,
        free=free,
    )


# --- records: the file's rows, one unclosed quote at a time ------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_UNCLOSED = 'a quote (") opened on this line is not closed on it; the row is left out (close or remove the quote)'
_UNCLOSED_KIND = "a quote is not closed"
_TOO_LONG_KIND = "a cell is over 128 KiB"
_TEXT_COLUMNS = frozenset({"recipient"})  # the only known columns where a quoted line break can belong


def _ends_quoted(line: str, delimiter: str, quoted: bool) -> bool:
    """Whether a CSV record is inside a quoted cell at the end of ``line`` (as Python's csv reads it).

    A quote opens a quoted cell only at the start of a cell; inside one, ``""``
    is a quote and a lone ``"`` closes it.

    >>> _ends_quoted('a,"b,c\\n', ",", False), _ends_quoted('a,5" x,c\\n', ",", False), _ends_quoted('d"\\n', ",", True)
    (True, False, False)
    """
    i, n = 0, len(line)
    at_start = not quoted
    while i < n:
        if quoted:
            j = line.find('"', i)
            if j < 0:
                return True
            if line.startswith('""', j):
                i = j + 2
                continue
            quoted, at_start, i = False, False, j + 1
        elif at_start and line[i] == '"':
            quoted, at_start, i = True, False, i + 1
        else:
            j = line.find(delimiter, i)
            if j < 0:
                return False
            at_start, i = True, j + 1
    return quoted


def _record_end(lines: list[str], first: int, delimiter: str) -> int | None:
    """The index of the last physical line of the record starting at ``first``; None if its quote never closes."""
    if '"' not in lines[first]:
        return first
    last, size = first, len(lines[first])
    quoted = _ends_quoted(lines[first], delimiter, False)
    # a quoted cell may hold line breaks, but not more than a cell may hold
    while quoted and last + 1 < len(lines) and size <= 2 * CELL_MAX_CHARS:
        last += 1
        size += len(lines[last])
        quoted = _ends_quoted(lines[last], delimiter, True)
    return None if quoted else last


def _cells(chunk: str, delimiter: str) -> list[str] | None:
    """The cells of one record; None when a cell is over the csv module's field limit (128 KiB)."""
    if '"' not in chunk:
        return chunk.rstrip("\r\n").split(delimiter)
    try:
        return next(csv.reader([chunk], delimiter=delimiter), [])
    except csv.Error:
        return None


# --- import -----------------------------------------------------------------------------


def import_usage(
    data: bytes,
    *,
    buckets: Collection[str] | None = None,
    date_order: DateOrder = "iso",
    today: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportResult:
    """Read a usage log from CSV bytes: the good rows, and each bad row with its reason.

    Parameters
    ----------
    data
        The file's bytes, as uploaded or read from disk.
    buckets
        The scenario's bucket names; a row naming any other bucket is rejected.
        None accepts any bucket name.
    date_order
        How to read numeric dates that are not ISO: ``"iso"`` accepts only
        ``YYYY-MM-DD``; ``"day_first"`` reads ``03/04/2026`` as 3 April;
        ``"month_first"`` as 4 March. ISO dates are accepted in every order.
    today
        When given, a row sent (or with an outcome) after this day is rejected.
    max_bytes
        Larger files are refused before they are read (default 5 MiB).

    Returns
    -------
    ImportResult
        ``entries`` in file order, ``rejected`` with line numbers (header = 1).

    Raises
    ------
    UsageImportError
        When the file as a whole cannot be read: too large, empty, binary,
        a header that cannot be read, or a required column is missing.
        Nothing else is raised for any input bytes.

    >>> r = import_usage(b"Sent on,Bucket,Outcome,Outcome on\\n03/06/2026,A,pending,\\n31/06/2026,A,pending,\\n",
    ...                  date_order="day_first")
    >>> r.entries[0].sent_on, [str(x) for x in r.rejected]
    (datetime.date(2026, 6, 3), ["line 3: sent_on = '31/06/2026': June 2026 has 30 days"])
    """
    if date_order not in ("iso", "day_first", "month_first"):
        raise ValueError(f"date_order = {date_order!r}: use 'iso', 'day_first' or 'month_first'")
    if len(data) > max_bytes:
        raise UsageImportError(
            f"the file is {_size(len(data))}, over the limit of {_size(max_bytes)} for a usage log; "
            "split it or remove columns it does not need"
        )
    text, encoding = _decode(bytes(data))
    _check_text(text)
    if text.strip() == "":
        raise UsageImportError("the file is empty: expected a header line with " + ", ".join(REQUIRED_COLUMNS))
    delimiter = _sniff_delimiter(text)
    lines = _LINE.findall(text)

    header: list[str] | None = None
    index: dict[str, int] = {}
    entries: list[UsageEntry] = []
    rejected: list[Rejected] = []
    rejected_count = 0
    counts: Counter[str] = Counter()
    rows = 0
    ignored: list[str] = []
    known = set(buckets) if buckets is not None else None

    def reject(line: int, reason: str, kinds: tuple[str, ...]) -> None:
        nonlocal rejected_count
        rejected_count += 1
        counts.update(kinds)
        if len(rejected) < MAX_LISTED_REJECTIONS:
            rejected.append(Rejected(line, reason, kinds))

    number = 0  # the spreadsheet's row number: one per record, blank ones included
    i = 0
    while i < len(lines):
        number += 1
        last = _record_end(lines, i, delimiter)
        if last is None:
            if header is None:
                raise UsageImportError(f'line {number}: the header line opens a quote (") that is never closed')
            rows += 1
            reject(number, _UNCLOSED, (_UNCLOSED_KIND,))
            i += 1
            continue
        record = _cells("".join(lines[i : last + 1]), delimiter)
        if record is None:
            if header is None:
                raise UsageImportError(f"line {number}: a header cell is over {_size(CELL_MAX_CHARS)}")
            rows += 1
            reject(number, f"a cell is over the {_size(CELL_MAX_CHARS)} a cell may hold; the row is left out", (_TOO_LONG_KIND,))
            i = last + 1
            continue
        if not any(cell.strip() for cell in record):
            i = last + 1
            continue
        if header is None:
            header = record
            index, ignored = _columns(header)
            i = last + 1
            continue
        cells = {column: (record[j] if j < len(record) else "") for column, j in index.items()}
        if last > i and any("\n" in v or "\r" in v for c, v in cells.items() if c not in _TEXT_COLUMNS):
            # a line break in a date, bucket or outcome: a quote that opened here swallowed the rows after it;
            # reject this line alone and read the next lines as the rows they are
            rows += 1
            reject(number, _UNCLOSED, (_UNCLOSED_KIND,))
            i += 1
            continue
        i = last + 1
        rows += 1
        too_long = [c for c, v in cells.items() if len(v) > CELL_MAX_CHARS]
        if too_long:
            sizes = ", ".join(f"{c} is {_size(len(cells[c]))}" for c in too_long)
            reject(number, f"{sizes}; a cell may hold {_size(CELL_MAX_CHARS)}; the row is left out", (_TOO_LONG_KIND,))
            continue
        for column in ("bucket", "recipient"):
            if column in cells:
                cells[column] = unescape_cell(cells[column].strip())
        try:
            entries.append(parse_usage_row(cells, buckets=known, date_order=date_order, today=today))
        except UsageRowError as err:
            reject(number, str(err), tuple(p.kind for p in err.problems))
    if header is None:
        raise UsageImportError("the file has no header line, only empty cells: expected " + ", ".join(REQUIRED_COLUMNS))
    return ImportResult(entries, rejected, encoding, delimiter, rows, ignored, rejected_count, dict(counts))


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column key -> position for the known columns, and the header names ignored."""
    index: dict[str, int] = {}
    ignored: list[str] = []
    for i, cell in enumerate(header):
        key = normalise_header(cell)
        if key in COLUMNS:
            if key in index:
                raise UsageImportError(f"the header names column {key} twice (columns {index[key] + 1} and {i + 1})")
            index[key] = i
        elif key:
            ignored.append(cell.strip())
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        found = ", ".join(repr(c.strip()) for c in header if c.strip()) or "none"
        raise UsageImportError(
            f"the header lacks column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"found {found}; needed {', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})"
        )
    return index, ignored


def _size(n: int) -> str:
    """A size exactly, with a rounded reading beside it when that helps.

    >>> _size(10), _size(5 * 1024 * 1024), _size(5 * 1024 * 1024 + 1), _size(128 * 1024)
    ('10 bytes', '5 MiB', '5,242,881 bytes (5.0 MiB)', '128 KiB')
    """
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if n >= scale:
            if n % scale == 0:
                return f"{n // scale} {unit}"
            return f"{n:,} bytes ({n / scale:.1f} {unit})"
    return f"{n:,} byte{'s' if n != 1 else ''}"


# --- what a log adds to a saved one ---------------------------------------------------------


def log_diff(current: Iterable[UsageEntry], stored: Iterable[UsageEntry]) -> tuple[list[UsageEntry], list[UsageEntry]]:
    """What ``current`` adds to the ``stored`` log, and what of ``stored`` it lacks (as multisets).

    The one rule for duplicates: a row equal to a saved one (every field) is
    already saved, and is skipped when ``current`` is added; two equal rows in
    ``current`` are two sends, of which only as many are new as are not saved.

    >>> a, b = UsageEntry(date(2026, 6, 1), "A", Outcome.PENDING), UsageEntry(date(2026, 6, 2), "A", Outcome.PENDING)
    >>> new, missing = log_diff([a, a, b], [a])
    >>> [e.sent_on.day for e in new], missing
    ([1, 2], [])
    """
    have = Counter(stored)
    new: list[UsageEntry] = []
    for entry in current:
        if have[entry] > 0:
            have[entry] -= 1
        else:
            new.append(entry)
    missing = [e for e, n in have.items() for _ in range(n)]
    return new, missing


# --- export -----------------------------------------------------------------------------


def usage_to_csv(entries: Iterable[UsageEntry]) -> str:
    """The log as spreadsheet-safe CSV that :func:`import_usage` reads back unchanged.

    >>> print(usage_to_csv([UsageEntry(date(2026, 6, 1), "Initial", Outcome.PENDING, free=False)]), end="")
    sent_on,bucket,outcome,outcome_on,recipient,free
    2026-06-01,Initial,pending,,,false
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.sent_on.isoformat(),
                escape_cell(e.bucket),
                str(e.outcome),
                e.outcome_on.isoformat() if e.outcome_on is not None else "",
                escape_cell(e.recipient) if e.recipient is not None else "",
                "" if e.free is None else str(e.free).lower(),
            ]
        )
    return buffer.getvalue()


def usage_frame(entries: Iterable[UsageEntry]) -> pd.DataFrame:
    """The log as a table: one row per send, dates as ``datetime.date`` (as in a plan's schedule).

    ``free`` is a nullable boolean column (``<NA>`` = the bucket's default).

    >>> usage_frame([UsageEntry(date(2026, 6, 1), "Initial", Outcome.REPLIED, date(2026, 6, 2))]).iloc[0].tolist()
    [datetime.date(2026, 6, 1), 'Initial', 'replied', datetime.date(2026, 6, 2), None, <NA>]
    """
    import pandas as pd  # here, not at the top: reading a log needs no pandas

    rows = [
        {
            "sent_on": e.sent_on,
            "bucket": e.bucket,
            "outcome": str(e.outcome),
            "outcome_on": e.outcome_on,
            "recipient": e.recipient,
            "free": e.free,
        }
        for e in entries
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["sent_on"] = frame["sent_on"].astype(object)
    frame["outcome_on"] = frame["outcome_on"].astype(object).where(frame["outcome_on"].notna(), None)
    frame["recipient"] = frame["recipient"].astype(object).where(frame["recipient"].notna(), None)
    frame["free"] = frame["free"].astype("boolean")
    return frame
