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
    value; the good rows are kept. Rules a row must meet:

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
      (any case); empty means the bucket's default.

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

import codecs
import csv
import io
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

import pandas as pd

from planner.export import FORMULA_STARTS

DateOrder = Literal["iso", "day_first", "month_first"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
REQUIRED_COLUMNS = ("sent_on", "bucket", "outcome", "outcome_on")
OPTIONAL_COLUMNS = ("recipient", "free")
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
DELIMITERS = (",", ";", "\t")
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})
TEXT_MARK = "'"  # a spreadsheet's "this is text" mark, as planner.export writes it


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


@dataclass(frozen=True)
class Rejected:
    """A row refused, with its line number (header = line 1) and the reason."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_usage` read: the good entries and each rejected row."""

    entries: list[UsageEntry]
    rejected: list[Rejected] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    rows: int = 0  # data rows read (blank rows not counted)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        """True when no row was rejected."""
        return not self.rejected

    def summary(self) -> str:
        """One sentence for the user: what was kept, what was refused and why to look.

        >>> ImportResult([], [Rejected(3, "x"), Rejected(7, "y")], rows=2).summary()
        'Imported 0 of 2 rows; rejected 2 (lines 3, 7).'
        """
        text = f"Imported {len(self.entries)} of {self.rows} rows"
        if self.rejected:
            lines = [str(r.line) for r in self.rejected]
            shown = ", ".join(lines[:10]) + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")
            text += f"; rejected {len(self.rejected)} (line{'s' if len(lines) > 1 else ''} {shown})"
        if self.encoding not in ("utf-8", "utf-8-sig"):
            text += f"; the file is not UTF-8 and was read as {self.encoding}"
        if self.ignored_columns:
            text += f"; ignored column{'s' if len(self.ignored_columns) > 1 else ''} {', '.join(self.ignored_columns)}"
        return text + "."


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


class _BadCell(ValueError):
    pass


def parse_date(text: str, column: str, date_order: DateOrder = "iso") -> date:
    """A date cell: ISO ``YYYY-MM-DD`` always; ``D/M/YYYY`` or ``M/D/YYYY`` as named.

    A time after the date (``2026-06-01 09:30`` or ``...T09:30:00Z``) is ignored.

    >>> parse_date("2026-04-03", "sent_on"), parse_date("03/04/2026", "sent_on", "day_first")
    (datetime.date(2026, 4, 3), datetime.date(2026, 4, 3))
    >>> parse_date("04/03/2026", "sent_on", "month_first")
    datetime.date(2026, 4, 3)
    """
    value = text.strip()
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value[:4].isascii():
        try:  # the common case, quickly
            return date.fromisoformat(value)
        except ValueError:
            pass
    iso = _ISO.match(value)
    numeric = _NUMERIC.match(value)
    match = iso or numeric
    if match is None or not _TIME.fullmatch(value[match.end() :]):
        raise _BadCell(f"{column} = {text!r}: not a date; {_date_hint(date_order)}")
    a, b, c = (int(g) for g in match.groups())
    if iso is not None:
        year, month, day = a, b, c
    elif date_order == "iso":
        raise _BadCell(
            f"{column} = {text!r}: not an ISO date (YYYY-MM-DD); for dates like 03/04/2026 name the order "
            "(day_first or month_first)"
        )
    elif len(numeric.group(3)) != 4:  # type: ignore[union-attr]
        raise _BadCell(f"{column} = {text!r}: give the year with four digits")
    elif date_order == "day_first":
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    try:
        return date(year, month, day)
    except ValueError as err:
        raise _BadCell(f"{column} = {text!r}: not a real date ({err})") from None


def _date_hint(date_order: DateOrder) -> str:
    return {
        "iso": "expected YYYY-MM-DD",
        "day_first": "expected DD/MM/YYYY or YYYY-MM-DD",
        "month_first": "expected MM/DD/YYYY or YYYY-MM-DD",
    }[date_order]


def _text(cell: str) -> str:
    """A text cell without surrounding spaces and without a spreadsheet's leading ``'``."""
    value = cell.strip()
    return value[1:] if value.startswith(TEXT_MARK) else value


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
    raise _BadCell(f"free = {text!r}: not a yes/no value; use true/false, yes/no or 1/0 (empty for the bucket's default)")


def _parse_row(
    cells: dict[str, str],
    *,
    buckets: Collection[str] | None,
    date_order: DateOrder,
    today: date | None,
) -> UsageEntry:
    problems: list[str] = []

    def take_date(column: str) -> date | None:
        raw = cells.get(column, "")
        if raw.strip() == "":
            return None
        try:
            return parse_date(raw, column, date_order)
        except _BadCell as err:
            problems.append(str(err))
            return None

    sent_on = take_date("sent_on")
    if cells.get("sent_on", "").strip() == "":
        problems.append("sent_on is empty")

    bucket = _text(cells.get("bucket", ""))
    if bucket == "":
        problems.append("bucket is empty")
    elif buckets is not None and bucket not in buckets:
        known = ", ".join(repr(b) for b in sorted(buckets))
        near = [b for b in buckets if b.casefold() == bucket.casefold()]
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        problems.append(f"bucket = {bucket!r}: not a bucket of the scenario{hint}; known: {known}")

    raw_outcome = cells.get("outcome", "").strip()
    outcome: Outcome | None = None
    if raw_outcome == "":
        problems.append("outcome is empty; use pending, accepted, declined or replied")
    else:
        try:
            outcome = Outcome(raw_outcome.lower())
        except ValueError:
            problems.append(f"outcome = {raw_outcome!r}: not one of pending, accepted, declined, replied")

    outcome_on = take_date("outcome_on")
    raw_outcome_on = cells.get("outcome_on", "").strip()
    if outcome is Outcome.PENDING and raw_outcome_on != "":
        problems.append(f"outcome_on = {raw_outcome_on!r} but outcome is pending; leave outcome_on empty while pending")
    elif outcome is not None and outcome is not Outcome.PENDING and raw_outcome_on == "":
        problems.append(f"outcome_on is empty but outcome is {outcome}; give the date of the {outcome} outcome")
    if sent_on is not None and outcome_on is not None and outcome_on < sent_on:
        problems.append(f"outcome_on = {raw_outcome_on!r} is before sent_on = {cells['sent_on'].strip()!r}")
    if today is not None:
        if sent_on is not None and sent_on > today:
            problems.append(f"sent_on = {cells['sent_on'].strip()!r} is after today ({today.isoformat()})")
        if outcome_on is not None and outcome_on > today:
            problems.append(f"outcome_on = {raw_outcome_on!r} is after today ({today.isoformat()})")

    recipient = _text(cells.get("recipient", "")) or None
    free: bool | None = None
    try:
        free = parse_free(cells.get("free", ""))
    except _BadCell as err:
        problems.append(str(err))

    if problems:
        raise _BadCell("; ".join(problems))
    assert sent_on is not None and outcome is not None
    return UsageEntry(
        sent_on=sent_on,
        bucket=bucket,
        outcome=outcome,
        outcome_on=outcome_on if outcome is not Outcome.PENDING else None,
        recipient=recipient,
        free=free,
    )


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
        malformed beyond a row, or a required column is missing. Nothing else
        is raised for any input bytes.

    >>> r = import_usage(b"Sent on,Bucket,Outcome,Outcome on\\n03/06/2026,A,pending,\\n31/06/2026,A,pending,\\n",
    ...                  date_order="day_first")
    >>> r.entries[0].sent_on, [str(x) for x in r.rejected]
    (datetime.date(2026, 6, 3), ["line 3: sent_on = '31/06/2026': not a real date (day is out of range for month)"])
    """
    if date_order not in ("iso", "day_first", "month_first"):
        raise ValueError(f"date_order = {date_order!r}: use 'iso', 'day_first' or 'month_first'")
    if len(data) > max_bytes:
        raise UsageImportError(
            f"the file is {_size(len(data))}, over the {_size(max_bytes)} limit for a usage log; "
            "split it or remove columns it does not need"
        )
    text, encoding = _decode(bytes(data))
    _check_text(text)
    if text.strip() == "":
        raise UsageImportError("the file is empty: expected a header line with " + ", ".join(REQUIRED_COLUMNS))
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    line = 0
    header: list[str] | None = None
    index: dict[str, int] = {}
    entries: list[UsageEntry] = []
    rejected: list[Rejected] = []
    rows = 0
    ignored: list[str] = []
    known = set(buckets) if buckets is not None else None
    try:
        for record in reader:
            line += 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = record
                index, ignored = _columns(header)
                continue
            rows += 1
            cells = {column: (record[i] if i < len(record) else "") for column, i in index.items()}
            try:
                entries.append(_parse_row(cells, buckets=known, date_order=date_order, today=today))
            except _BadCell as err:
                rejected.append(Rejected(line, str(err)))
    except csv.Error as err:
        raise UsageImportError(f"line {line + 1}: the CSV cannot be read ({err})") from None
    if header is None:
        raise UsageImportError("the file has no header line, only empty cells: expected " + ", ".join(REQUIRED_COLUMNS))
    return ImportResult(entries, rejected, encoding, delimiter, rows, ignored)


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
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"


# --- export -----------------------------------------------------------------------------


def _safe(text: str) -> str:
    # a leading ' is marked too, so that the import's dropping of one ' gives the text back
    return TEXT_MARK + text if text.startswith((*FORMULA_STARTS, TEXT_MARK)) else text


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
                _safe(e.bucket),
                str(e.outcome),
                e.outcome_on.isoformat() if e.outcome_on is not None else "",
                _safe(e.recipient) if e.recipient is not None else "",
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
