"""How much of a user's file the tool will read: every reader checks these before it parses.

A file is refused with a located error when it passes one of them, before the library that would
parse it allocates anything in proportion to what the file claims (issue 27). The figures leave
room above the largest real inputs (a province's round: about 600,000 findings, 35 MB as CSV,
13 MB as XLSX whose one worksheet is 190 MB of XML) and far below what would exhaust the server.

Why the XLSX limits bound calamine (the Rust reader behind ``python_calamine``), so that no
child process with a memory limit is needed on top: calamine holds a worksheet as a dense range,
(last row - first row + 1) × (last column - first column + 1) cells of 32 bytes, placed by the
cells' ``r`` references or, without one, one past the previous cell or row; its strings are the
shared-strings part and the sheet's own inline text. :mod:`scoring.xlsx_check` reads the zip's
directory and then every member's bytes itself, inflating at most the declared size (more is
refused), and finds in every worksheet the furthest reference in any spelling calamine accepts
(either quote, blanks around ``=``, any case, leading zeros) and a bound for cells and rows
without one. The dense range is therefore at most ``MAX_SHEET_CELLS`` × 32 bytes (384 MB), the text
at most ``MAX_MEMBER_BYTES`` per part. A zip that two zip readers could read differently is
refused where it shows: a part whose local header names another file, whose data runs past the
file, or that inflates to more or less than the directory says; so is a zip with two parts of one
name. What remains is a zip built to make two readers find two different directories in one file;
no figure here is then known to hold, and that is the case for which a child process with a memory
limit would be the next step.
"""

from __future__ import annotations

__all__ = [
    "ATTACHMENT_BUDGET_S",
    "MAX_ATTACHMENT_BYTES",
    "MAX_ATTACHMENT_CHARS",
    "MAX_ATTACHMENT_PAGES",
    "MAX_ATTACHMENT_PARTS_BYTES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_EVIDENCE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MAX_RATIO_FROM",
    "MAX_RECORDS_INFLATED",
    "MAX_RECORDS_INFLATED_UPLOAD",
    "MAX_RECORDS_ROWS",
    "MAX_ROWS",
    "MAX_RUBRIC_BYTES",
    "MAX_SHARED_STRINGS_BYTES",
    "MAX_SHEETS",
    "MAX_SHEET_CELLS",
    "MAX_TABLE_BYTES",
    "MAX_TEXT_BYTES",
    "MAX_THUMBNAIL_PX",
    "MAX_TOTAL_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "MAX_ZIP_MEMBERS",
    "mib",
]

# --- bytes of a file, by what it is ---------------------------------------------------------
# a results file, roster, sites file or second evaluator's results: a province's round is 35 MB as CSV
MAX_TABLE_BYTES = 100 * 2**20
# SPEC extension 1b: a rubric is a few hundred kilobytes; past this it is a mistake or an attack
MAX_RUBRIC_BYTES = 5 * 2**20
# a screenshot or a scanned document; an appeal's proof file too
MAX_EVIDENCE_BYTES = 20 * 2**20

# --- the rubric's YAML ------------------------------------------------------------------------
MAX_YAML_DEPTH = 50
MAX_YAML_NODES = 1_000_000  # after aliases are expanded: a "billion laughs" file stops here

# --- one worksheet, as a table ----------------------------------------------------------------
MAX_ROWS = 1_048_576  # Excel's own
MAX_COLUMNS = 1_000  # a results sheet has 8 columns; a roster 3
# the dense range calamine allocates: 600,000 findings × 8 columns is 4.8 M
MAX_SHEET_CELLS = 12_000_000
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell's text
# bytes of text between two tags of a workbook's XML: a cell's text, escaped (openpyxl writes 注 as
# "&#27880;", and no character takes more than the 10 bytes of "&#1114111;")
MAX_TEXT_BYTES = MAX_CELL_CHARS * 10

# --- an XLSX as a zip -------------------------------------------------------------------------
MAX_ZIP_MEMBERS = 2_000
MAX_SHEETS = 200
MAX_MEMBER_BYTES = 512 * 2**20  # one part, inflated: a 600,000-row sheet is 190 MB of XML
MAX_TOTAL_BYTES = 1024 * 2**20  # all parts, inflated
MAX_SHARED_STRINGS_BYTES = 128 * 2**20  # every distinct text: 600,000 distinct notes are about 50 MB
# inflated / compressed; a worksheet's XML compresses 15-30×, a sheet of one repeated cell ~400×;
# deflate cannot pass ~1032×. Small parts are exempt: a 10 KB part of blanks is harmless at any ratio
MAX_RATIO = 500
MAX_RATIO_FROM = 2**20

# --- a platform's export of records (SPEC 6), as Parquet ------------------------------------
# a province's year of cases is tens of millions of rows; the columns read, as Parquet declares
# them inflated: 10 M cases take about 1.3 GB. An upload to the app, which everyone shares, less
MAX_RECORDS_ROWS = 50_000_000
MAX_RECORDS_INFLATED = 6 * 2**30
MAX_RECORDS_INFLATED_UPLOAD = 1024 * 2**20

# --- images -----------------------------------------------------------------------------------
# width × height: a 48-megapixel photo passes; decoded as RGBA it is 192 MB, once, to make a thumbnail.
# Pillow's own decompression-bomb warning starts at 89 M.
MAX_IMAGE_PIXELS = 50_000_000
MAX_THUMBNAIL_PX = 1600  # the longer side of the picture the app shows; the file stays a download


# --- attachments the website monitor reads (SPEC extension 4a) --------------------------------
# a published file of the web, not of the office: a 低保 list or a policy PDF is a few MB
MAX_ATTACHMENT_BYTES = 20 * 2**20
# text read from one attachment: a 300-page policy compilation is about 600,000 characters
MAX_ATTACHMENT_CHARS = 2_000_000
MAX_ATTACHMENT_PAGES = 1_000  # PDF pages, worksheet rows are bounded by the workbook pre-check
# a .docx's parts inflated, as its zip directory declares them (zipfile never inflates past that)
MAX_ATTACHMENT_PARTS_BYTES = 100 * 2**20
ATTACHMENT_BUDGET_S = 20.0  # reading one attachment's text; checked between pages and parts


def mib(n: int) -> str:
    """A byte count as a person reads it in a message."""
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 1024:,.0f} KB"
