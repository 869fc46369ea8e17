"""Spreadsheet files staff download or upload: CSV (UTF-8 with BOM) and XLSX, written as a stream of bytes.

Every text cell goes through ``safe_cell``: a resident's text that starts like a formula (``=HYPERLINK(…)``)
would otherwise run in Excel or WPS when a dispatcher opens the file, and could send the phone number in the
next column away.  Writers take any iterable of rows and never hold more than one chunk in memory: XLSX is
written by openpyxl in write-only mode to a temporary file, then streamed from it.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

CHUNK_BYTES = 64 * 1024
# What spreadsheet programs read as the start of a formula (OWASP "CSV injection"): a tab or carriage return
# before it is skipped by some of them, so those count too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold (openpyxl refuses them); stored text has none, but a file must never fail.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """A cell value that no spreadsheet program runs: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """CSV as UTF-8 with a BOM (without it Excel shows Chinese as mojibake), in chunks of about 64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if buffer.tell() > CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_chunks(
    header: Sequence[str], rows: Iterable[Sequence], *, sheet: str, widths: Sequence[int] = ()
) -> Iterator[bytes]:
    """An XLSX workbook with one sheet: header row, then ``rows``; written to a temporary file, then streamed."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    for index, width in enumerate(widths):
        worksheet.column_dimensions[get_column_letter(index + 1)].width = width
    worksheet.append(list(header))
    for row in rows:
        worksheet.append([_xlsx_value(value) for value in row])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def _xlsx_value(value):
    if isinstance(value, str):
        # openpyxl stores a string starting with "=" as a formula; safe_cell makes it text.
        return safe_cell(_XML_ILLEGAL.sub("", value))
    return value
