"""Reading an M-Paspor bookings export: CSV (any common separator, BOM, CRLF) or JSON, into checked rows.

Reading never touches the database. A file that cannot be read as bookings at all (not text, not CSV or JSON,
no header with the required columns, no rows) is refused with :class:`InvalidInput` naming what is wrong; a
row that can be read but holds a bad value becomes a :class:`RowError` with the row's number and the reason, so
the import can report it and go on with the other rows.

Columns are matched by name, not by position: case, spaces, dashes and dots do not matter, and the usual
Indonesian and English names are known (:data:`ALIASES`). See docs/bookings-import.md.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_desk.errors import InvalidInput
from counter_desk.i18n import _
from counter_desk.services.text import describe, find_refused, printable

#: Larger files are refused before they are read (5,000 bookings take about 0.5 MB).
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
#: A JSON number longer than this is refused while the file is read (no value of a booking is longer; Python
#: refuses to convert an integer of more than 4,300 digits and would end the import in a traceback).
MAX_NUMBER_CHARS = 64
_READ_CHUNK = 1024 * 1024

#: The fields of a booking, and the column names (after :func:`normalise_header`) that give each.
ALIASES: dict[str, tuple[str, ...]] = {
    "code": (
        "kode_booking",
        "booking_code",
        "kode",
        "code",
        "kode_pemesanan",
        "no_booking",
        "nomor_booking",
        "kode_reservasi",
        "booking",
    ),
    "application_number": (
        "nomor_permohonan",
        "no_permohonan",
        "application_number",
        "application_no",
        "nomor_aplikasi",
        "no_aplikasi",
        "permohonan",
    ),
    "applicant_name": ("nama", "name", "nama_pemohon", "nama_lengkap", "applicant_name", "applicant", "full_name"),
    "nik": ("nik", "no_nik", "nomor_nik", "nomor_induk_kependudukan", "national_id"),
    "slot_date": (
        "tanggal",
        "date",
        "tgl",
        "tanggal_kedatangan",
        "tgl_kedatangan",
        "tanggal_layanan",
        "tanggal_jadwal",
        "jadwal",
        "appointment_date",
        "slot_date",
    ),
    "slot": ("jam", "slot", "waktu", "jam_layanan", "sesi", "jam_kedatangan", "time", "time_slot"),
    "slot_start": ("jam_mulai", "mulai", "slot_start", "start", "start_time"),
    "slot_end": ("jam_selesai", "selesai", "slot_end", "end", "end_time"),
    "category": ("layanan", "kategori", "category", "jenis_layanan", "service"),
    "birth_date": ("tanggal_lahir", "tgl_lahir", "lahir", "birth_date", "date_of_birth", "dob"),
}
REQUIRED = ("code", "application_number", "slot_date")
_BY_NAME = {name: fieldname for fieldname, names in ALIASES.items() for name in names}

#: What the scanner accepts (counter_desk.devices.scanner.CODE): a booking must be scannable at reception.
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,63}$")
_NIK = re.compile(r"[0-9]{16}")
_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE]\+?\d+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_WORD_DATE = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")
_MIDNIGHT = re.compile(r"\s+0?0[:.]00([:.]00)?$")
_TIME = r"([01]?\d|2[0-3])[:.]([0-5]\d)"
_RANGE = re.compile(rf"^{_TIME}(?:\s*(?:-|\u2013|\u2014|s/?d|sampai|to)\s*{_TIME})?(?:\s*(?:WIB|WITA|WIT))?$", re.I)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb", "pebruari"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
_SEPARATORS = (";", ",", "\t", "|")


def normalise_header(name: str) -> str:
    """``" Kode Booking "`` -> ``kode_booking``: the form column names are compared in."""
    text = name.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


@dataclass(frozen=True)
class SourceRow:
    """One booking as the file gives it: the field values found (raw), and where it is in the file."""

    row: int
    values: dict[str, Any]
    #: Why the row cannot be read at all (wrong number of values, a field given twice), else None.
    problem: str | None = None


@dataclass(frozen=True)
class SourceFile:
    format: str  # "csv" or "json"
    rows: list[SourceRow]
    #: field -> the column (or key) of the file that gives it.
    columns: dict[str, str]
    #: Columns the import does not use.
    ignored: list[str] = field(default_factory=list)
    delimiter: str | None = None


class RowError(Exception):
    """A row that cannot be imported: the reason, for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- the file ------------------------------------------------------------------------------------------------


def _too_large(size: int) -> InvalidInput:
    msg = _("the file is too large ({size} MB; at most {limit} MB)", size=size // 2**20, limit=MAX_BYTES // 2**20)
    return InvalidInput(msg)


def read_file(path: Path) -> bytes:
    """The bytes of the file ``path``, read in bounded chunks; anything but a regular file is refused.

    The file is opened without blocking (a FIFO with no writer would wait forever) and checked before a byte is
    read: a device (``/dev/zero`` never ends), a pipe or a folder is refused, and so is a file larger than
    :data:`MAX_BYTES`. A file that grows while it is read is refused once it passes the limit.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        msg = _("cannot read {file}: {problem}", file=str(path), problem=exc.strerror or str(exc))
        raise InvalidInput(msg) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            msg = _(
                "{file} is not a regular file (a folder, a device or a pipe): save the export as a file and "
                "import that",
                file=str(path),
            )
            raise InvalidInput(msg)
        if info.st_size > MAX_BYTES:
            raise _too_large(info.st_size)
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, _READ_CHUNK):
            size += len(chunk)
            if size > MAX_BYTES:
                raise _too_large(size)
            chunks.append(chunk)
    except OSError as exc:
        msg = _("cannot read {file}: {problem}", file=str(path), problem=exc.strerror or str(exc))
        raise InvalidInput(msg) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM) or UTF-16 with a BOM; anything else is refused."""
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            msg = _("the file starts like UTF-16 text but is not: save it again as CSV UTF-8 or JSON")
            raise InvalidInput(msg) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            msg = _(
                "the file is not UTF-8 text (byte 0x{byte:02x} on line {line}): save it as CSV UTF-8 or JSON",
                byte=data[exc.start],
                line=line,
            )
            raise InvalidInput(msg) from None
    bad = find_refused(text, layout=True)
    if bad is not None:
        line = text[:bad].count("\n") + 1
        msg = _("the file holds control characters (line {line}): it is not a CSV or JSON text file", line=line)
        raise InvalidInput(msg)
    if not text.strip():
        msg = _("the file is empty")
        raise InvalidInput(msg)
    return text


def parse(data: bytes) -> SourceFile:
    """Read an export (bytes of a file) into rows of raw values; refuse what is not a bookings file."""
    text = decode(data)
    stripped = text.lstrip()
    source = _parse_json(stripped) if stripped[:1] in ("[", "{") else _parse_csv(text)
    if not source.rows:
        msg = _("the file has a header but no bookings")
        raise InvalidInput(msg)
    if len(source.rows) > MAX_ROWS:
        msg = _("the file has {count} rows; import at most {limit} at once", count=len(source.rows), limit=MAX_ROWS)
        raise InvalidInput(msg)
    return source


def _missing(found: Mapping[str, str], names: list[str]) -> None:
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        wanted = "; ".join(" / ".join(ALIASES[f][:3]) for f in missing)
        msg = _(
            "missing column(s): {wanted}. Columns found: {found}",
            wanted=wanted,
            found=", ".join(n for n in names if n) or _("none"),
        )
        raise InvalidInput(msg)
    if "slot" in found and ("slot_start" in found or "slot_end" in found):
        msg = _(
            "the slot is given twice: column {slot!r} and {start!r}; keep one",
            slot=found["slot"],
            start=found.get("slot_start") or found["slot_end"],
        )
        raise InvalidInput(msg)


def _map_columns(names: list[str]) -> tuple[dict[str, int], list[str]]:
    """field -> column index, and the names of the columns not used. A field given twice is refused."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(names):
        key = _BY_NAME.get(normalise_header(name))
        if key is None:
            if name.strip():
                ignored.append(name.strip())
            continue
        if key in columns:
            msg = _(
                "columns {first!r} and {second!r} both give the same field; keep one",
                first=names[columns[key]].strip(),
                second=name.strip(),
            )
            raise InvalidInput(msg)
        columns[key] = index
    return columns, ignored


# -- CSV -----------------------------------------------------------------------------------------------------


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line of the record's start, values) for every record; blank lines skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if any(value.strip() for value in record):
                yield start, record
    except csv.Error as exc:
        msg = _("line {line}: the CSV cannot be read ({problem})", line=line, problem=str(exc))
        raise InvalidInput(msg) from None


def _first_record(text: str, delimiter: str) -> list[str] | None:
    try:
        return next((record for _line, record in _records(text, delimiter)), None)
    except InvalidInput:
        return None


def _sniff(text: str) -> str:
    """The separator whose header row names the most known columns (ties: the one giving most columns)."""
    best, score = ",", (-1, -1)
    for sep in _SEPARATORS:
        header = _first_record(text, sep)
        if header is None:
            continue
        known = len({_BY_NAME[n] for n in map(normalise_header, header) if n in _BY_NAME})
        if (known, len(header)) > score:
            best, score = sep, (known, len(header))
    return best


def _parse_csv(text: str) -> SourceFile:
    first_line, _nl, rest = text.partition("\n")
    explicit = re.match(r"^\s*sep=([;,\t|])\s*$", first_line)  # Excel's "sep=;" first line
    skipped = 0
    if explicit:
        delimiter, text, skipped = explicit.group(1), rest, 1
    else:
        delimiter = _sniff(text)
    records = _records(text, delimiter)
    _header_line, header = next(records, (0, []))
    columns, ignored = _map_columns(header)
    named = {key: header[index].strip() for key, index in columns.items()}
    _missing(named, header)
    width = len(header)
    read: list[tuple[int, list[str]]] = []
    for line, record in records:
        read.append((line, record))
        if len(read) > MAX_ROWS:
            break
    padded = _padded_width(read, width)
    rows = []
    for line, record in read:
        values = {key: record[index] if index < len(record) else "" for key, index in columns.items()}
        problem = None
        if len(record) != width and not (len(record) == padded and not any(v.strip() for v in record[width:])):
            problem = _(
                "{count} values where the header has {width} columns (a separator inside a value without "
                "quotes, or a row cut short?)",
                count=len(record),
                width=width,
            )
        rows.append(SourceRow(line + skipped, values, problem))
    return SourceFile("csv", rows, named, ignored, delimiter)


def _padded_width(records: list[tuple[int, list[str]]], width: int) -> int:
    """The length of the file's rows when a spreadsheet pads every row with empty values past the header.

    Only such padding is forgiven: a row with one value too many among rows of the header's width (or alone) is
    a separator inside a value without quotes (``Santoso, Budi``), even when its last value happens to be empty --
    reading it would shift the name into the NIK column.
    """
    lengths = Counter(len(record) for _line, record in records)
    if not lengths:
        return width
    common, count = lengths.most_common(1)[0]
    # Padding is a pattern of the whole file: one row alone (or a minority of rows) longer than the header is not.
    return common if common > width and count >= 2 and count * 2 > len(records) else width


# -- JSON ----------------------------------------------------------------------------------------------------


def _json_number(text: str) -> int | float:
    """A JSON number, refused when longer than any booking value (5,000 digits would not even convert)."""
    if len(text) > MAX_NUMBER_CHARS:
        msg = _(
            "the file holds a number of {length} characters; a booking's values are at most {limit}",
            length=len(text),
            limit=MAX_NUMBER_CHARS,
        )
        raise InvalidInput(msg)
    return float(text) if any(c in text for c in ".eE") else int(text)


def _json_constant(name: str) -> Any:
    msg = _("the file is not valid JSON: {value} is not a number JSON allows", value=name)
    raise InvalidInput(msg)


def _check_item_text(number: int, item: dict[Any, Any]) -> None:
    """Refuse the file when a key or a text value of item ``number`` holds a control character once decoded.

    Tab and line feed are allowed in values (as inside a quoted CSV value: names are normalised to single
    spaces), not in keys.
    """
    for key, value in item.items():
        for text, layout in ((key, False), (value, True)):
            if not isinstance(text, str):
                continue
            bad = find_refused(text, layout=layout)
            if bad is not None:
                msg = _(
                    "item {number}, field {field}: a control or invalid character ({char}) once decoded; "
                    "the file is refused, nothing was imported",
                    number=number,
                    field=repr(printable(str(key))),
                    char=describe(text[bad]),
                )
                raise InvalidInput(msg)


def _parse_json(text: str) -> SourceFile:
    try:
        data = json.loads(text, parse_int=_json_number, parse_float=_json_number, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        msg = _(
            "the file is not valid JSON: {problem} (line {line}, column {column})",
            problem=exc.msg,
            line=exc.lineno,
            column=exc.colno,
        )
        raise InvalidInput(msg) from None
    except RecursionError:
        msg = _("the file is not valid JSON: nested too deeply")
        raise InvalidInput(msg) from None
    if isinstance(data, dict) and isinstance(data.get("bookings"), list):
        data = data["bookings"]
    if not isinstance(data, list):
        msg = _('JSON bookings must be a list of objects ([{...}, ...]) or {"bookings": [...]}')
        raise InvalidInput(msg)
    rows: list[SourceRow] = []
    columns: dict[str, str] = {}
    ignored: dict[str, None] = {}
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            msg = _("item {number} of the JSON list is not an object", number=number)
            raise InvalidInput(msg)
        _check_item_text(number, item)
        values: dict[str, Any] = {}
        problem = None
        for key, value in item.items():
            name = _BY_NAME.get(normalise_header(str(key)))
            if name is None:
                ignored.setdefault(str(key))
                continue
            if name in values:
                problem = _(
                    "fields {first!r} and {second!r} both give the same value; keep one",
                    first=columns.get(name, name),
                    second=key,
                )
            columns.setdefault(name, str(key))
            values[name] = value
        rows.append(SourceRow(number, values, problem))
    if rows:
        _missing(columns, list(columns.values()) + list(ignored))
    return SourceFile("json", rows, columns, list(ignored))


# -- values --------------------------------------------------------------------------------------------------


#: Fields whose values are personal data: a message never repeats them, only their shape (see :func:`shape`).
PERSONAL = frozenset({"name", "nik", "birth_date"})


def shape(text: str) -> str:
    """``'3505-12x'`` -> ``'9999-99a'``: what a value looks like, without the value (for personal data)."""
    return "".join("9" if c.isdigit() else "a" if c.isalpha() else c if c in " -.,'/" else "?" for c in text[:40])


def shown(fieldname: str, value: Any) -> str:
    """A raw value as a message may show it: short, printable, and only its shape when it is personal data."""
    if isinstance(value, list):
        return "[...]"
    if isinstance(value, dict):
        return "{...}"
    text = str(value)
    if fieldname in PERSONAL:
        text = shape(text)
    text = printable(text)
    return text if len(text) <= 64 else text[:61] + "..."


def text_value(fieldname: str, value: Any) -> str:
    """A raw value as stripped text; numbers become their digits; anything else is a row error.

    A control character (after decoding: a JSON escape or a command-line argument) is a row error too.
    """
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(_("{field}: {value!r} is not a text value", field=fieldname, value=shown(fieldname, value)))
    if isinstance(value, float):
        # A JSON number with a fraction part: whole and exact (below 2**53) reads as its digits.
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    text = str(value)
    bad = find_refused(text, layout=True)
    if bad is not None:
        raise RowError(
            _(
                "{field}: a control or invalid character ({char}) is not allowed",
                field=fieldname,
                char=describe(text[bad]),
            )
        )
    return text.strip()


def clean_code(value: Any, fieldname: str = "code") -> str:
    text = text_value(fieldname, value).lstrip("'")
    if not text:
        if fieldname == "code":
            raise RowError(_("no booking code"))
        raise RowError(_("no application number"))
    if not CODE.fullmatch(text):
        hint = (
            _(" (the spreadsheet turned it into a number: format the column as text)")
            if _SCIENTIFIC.match(text)
            else ""
        )
        if fieldname == "code":
            raise RowError(
                _(
                    "booking code {value!r} is not valid: 4 to 64 letters, digits or dashes{hint}",
                    value=shown(fieldname, text),
                    hint=hint,
                )
            )
        raise RowError(
            _(
                "application number {value!r} is not valid: 4 to 64 letters, digits or dashes{hint}",
                value=shown(fieldname, text),
                hint=hint,
            )
        )
    return text


def clean_name(value: Any) -> str | None:
    text = " ".join(text_value("name", value).split())
    if len(text) > 200:
        raise RowError(_("the name is longer than 200 characters"))
    return text or None


def clean_nik(value: Any) -> str | None:
    text = re.sub(r"\s+", "", text_value("nik", value)).lstrip("'")
    if not text:
        return None
    if _SCIENTIFIC.match(text):
        raise RowError(
            _(
                "NIK {value!r} was turned into a number by a spreadsheet: format the column as text and export again",
                value=shape(text),
            )
        )
    if not _NIK.fullmatch(text):
        # The value is someone's NIK, mistyped: the message shows its shape, not its digits.
        raise RowError(_("NIK {value!r} is not 16 digits", value=shape(text)))
    return text


def parse_date(value: Any) -> dt.date:
    """``2026-11-23``, ``23/11/2026`` (also ``23-11-2026``, ``23.11.2026``) or ``23 November 2026``."""
    text = _MIDNIGHT.sub("", text_value("date", value))
    if not text:
        raise RowError(_("no date"))
    day: dt.date | None = None
    try:
        if m := _ISO_DATE.match(text):
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _DMY_DATE.match(text):
            day = dt.date(int(m[3]), int(m[2]), int(m[1]))
        elif (m := _WORD_DATE.match(text)) and m[2].lower() in _MONTHS:
            day = dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:
        day = None
    if day is None:
        raise RowError(_("date {value!r} is not a date like 2026-11-23 or 23/11/2026", value=shown("date", text)))
    return day


def parse_birth_date(value: Any) -> dt.date | None:
    """An applicant's date of birth, in the forms :func:`parse_date` reads; empty: none. It is personal data:
    a refusal never quotes it."""
    if not text_value("birth_date", value):
        return None
    try:
        day = parse_date(value)
    except RowError:
        raise RowError(_("the date of birth is not a date like 1990-05-17 or 17/05/1990")) from None
    if day.year < 1900:
        raise RowError(_("the date of birth is before 1900"))
    return day


def parse_slot(value: Any) -> tuple[dt.time | None, dt.time | None]:
    """``08:00-09:00`` (also ``08.00 - 09.00``, ``08:00 s/d 09:00 WIB``) or a single ``08:00``; empty: none."""
    text = text_value("slot", value)
    if not text:
        return None, None
    m = _RANGE.match(text)
    if m is None:
        raise RowError(_("slot {value!r} is not a time range like 08:00-09:00", value=shown("slot", text)))
    start = dt.time(int(m[1]), int(m[2]))
    end = dt.time(int(m[3]), int(m[4])) if m[3] is not None else None
    if end is not None and end <= start:
        raise RowError(_("slot {value!r} ends before it starts", value=text))
    return start, end


def parse_time(value: Any) -> dt.time | None:
    start, end = parse_slot(value)
    if end is not None:
        raise RowError(_("{value!r} is not one time like 08:00", value=shown("time", text_value("time", value))))
    return start
