"""Spreadsheet files staff download or upload: CSV (UTF-8 with BOM) and XLSX, written as a stream of bytes.

Every text cell goes through ``safe_cell``: a resident's text that starts like a formula (``=HYPERLINK(…)``)
would otherwise run in Excel or WPS when a dispatcher opens the file, and could send the phone number in the
next column away.  Writers take any iterable of rows and never hold more than one chunk (about 64 KB) in memory.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

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
    """An XLSX workbook with one sheet (bold, frozen header row, then ``rows``), streamed as it is written.

    The parts are the minimal SpreadsheetML package with inline strings, zipped on the fly (data descriptors
    instead of a central directory known in advance), so the first bytes leave while later rows are still read.
    openpyxl's write-only mode writes the same file but only after the last row, at about 8 µs a cell: 100,000
    rows took 29 s on this machine before the first byte, past gunicorn's 30 s worker timeout.  openpyxl reads
    these files back in the tests and in the import.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _package_parts(sheet).items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(_sheet_start(widths).encode())
            part.write(_row_xml(1, header, ' s="1"').encode())
            for number, row in enumerate(rows, start=2):
                part.write(_row_xml(number, row).encode())
                if sink.size() > CHUNK_BYTES:
                    yield sink.drain()
            part.write(b"</sheetData></worksheet>")
    yield sink.drain()


class _Sink(io.RawIOBase):
    """A write-only stream the zip archive writes into and the response drains."""

    def __init__(self):
        super().__init__()
        self._parts: list[bytes] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        self._size += len(data)
        return len(data)

    def size(self) -> int:
        return self._size

    def drain(self) -> bytes:
        data, self._parts, self._size = b"".join(self._parts), [], 0
        return data


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _package_parts(sheet: str) -> dict[str, str]:
    return {
        "[Content_Types].xml": _XML
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + '<Default Extension="xml" ContentType="application/xml"/>'
        + f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
        + f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.worksheet+xml"/>'
        + f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.styles+xml"/>'
        + "</Types>",
        "_rels/.rels": _XML
        + f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" '
        + 'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": _XML
        + f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>'
        + f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": _XML
        + f'<Relationships xmlns="{_RELS}">'
        + f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        + f'<Relationship Id="rId2" Type="{_DOC_RELS}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": _XML
        + f'<styleSheet xmlns="{_MAIN}">'
        + '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
        + '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
        + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        + '<fill><patternFill patternType="gray125"/></fill></fills>'
        + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        + '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    }


def _sheet_start(widths: Sequence[int]) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in enumerate(widths, start=1)
    )
    return (
        _XML
        + f'<worksheet xmlns="{_MAIN}">'
        + '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        + 'state="frozen"/></sheetView></sheetViews>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
    )


_LETTERS = [get_column_letter(i) for i in range(1, 101)]


def _row_xml(number: int, values: Sequence, style: str = "") -> str:
    cells = []
    for letter, value in zip(_LETTERS, values, strict=False):
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            text = escape(safe_cell(_XML_ILLEGAL.sub("", str(value))))
            cells.append(
                f'<c r="{letter}{number}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'
            )
        else:
            cells.append(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'
