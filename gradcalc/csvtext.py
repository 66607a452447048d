"""The one rule for what separates the fields of a CSV file people save from a spreadsheet.

A spreadsheet in a decimal-comma locale saves fields separated by ';' (and some exports use tabs):
the first line decides, and there a comma in a number is a decimal comma. Used by the class
grader's --answers, --key's and --self-test's list of students (`rows`), and by --points.
"""

from __future__ import annotations

import re


def delimiter(first: str) -> str:
    """',' if the first line has one, else ';', else a tab, else ','."""
    return "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","


def decimal_point(field: str, delimiter: str) -> str:
    """A number's field as the command line writes it: where fields are separated by ';' or tabs (a
    decimal-comma locale's spreadsheet), `1,5` is 1.5. A comma inside brackets or parentheses
    separates elements or arguments there too ([1,2], max(x, 0)) and is kept, unless the field
    writes its elements apart otherwise: with `;` (that locale's list separator: [3,0; 4,0]) every
    comma inside is a decimal comma, and with `, ` a comma between two digits is ([3,0, 4,0], max(x,
    0,5)): both are [3.0, 4.0], not the four elements [3, 0, 4, 0] the comma alone would make."""
    if delimiter == "," or "," not in field:
        return field
    if not any(bracket in field for bracket in "([{"):
        return field.replace(",", ".")
    depth, inside = 0, []   # each character's bracket depth
    for char in field:
        depth += char in "([{"
        inside.append(depth > 0)
        depth -= char in ")]}"
    apart = [i for i, char in enumerate(field) if inside[i] and (
        char == ";" or char == "," and i + 1 < len(field) and field[i + 1].isspace())]
    listed = any(field[i] == ";" for i in apart)
    read = []
    for i, char in enumerate(field):
        if char == "," and not inside[i]:
            char = "."
        elif char == "," and apart and (listed or 0 < i < len(field) - 1 and field[i - 1].isdigit()
                                        and field[i + 1].isdigit()):
            char = "."
        elif char == ";" and listed and inside[i]:
            char = ","
        read.append(char)
    return "".join(read)


def rows(text: str, source: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """The one reader of a CSV file of a class saved from a spreadsheet: the answers (--answers) and
    the names --key and --self-test draw points for. The text is UTF-8 already (a byte-order mark
    dropped), any line ends; the first line decides the separator (`delimiter`: then an answer's
    `2,2` is 2.2, see decimal_point); a quote never closed is exit 2 naming its line; a field of any
    length is read (the file's size is limited); blank rows are skipped. The separator, and each row
    with the line it starts on."""
    import csv
    import io

    from .errors import GradcalcError

    first = next((line for line in text.splitlines() if line.strip()), "")
    separator = delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    found, line = [], 1
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))   # csv's own 131 072 stopped the whole class
    try:
        for fields in reader:
            start, line = line, reader.line_num + 1
            if any(field.strip() for field in fields):
                found.append((start, fields))
    except csv.Error as error:
        reason, hint, where = str(error), "save the spreadsheet as CSV (comma-separated, UTF-8)", reader.line_num
        if reason == "unexpected end of data":   # said where the row with the quote starts, not at the end
            reason, hint, where = "a quoted field is never closed", 'close it with a " (write "" for a quote ' \
                                                                    'inside)', line
        elif "expected after" in reason:
            hint = 'a quoted field ends at its closing "; write "" for a quote inside it'
        raise GradcalcError(f"{source}, line {where}: not valid CSV: {reason}", hint=hint) from None
    finally:
        csv.field_size_limit(limit)
    return separator, found


# A field a spreadsheet would run as a formula (=HYPERLINK(…), +cmd|…, -1+…, @SUM(…)), unless it is
# just a number (-5): written with a leading ' (OWASP's advice), as the gradebook writes such names.
FORMULA = re.compile(r"[=@\t\r]|[+-](?!(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$)")


def inert(field: str) -> str:
    """A text field of the user's (a carried column, a header, a student's name) that a spreadsheet
    opening the CSV will not run."""
    return "'" + field if FORMULA.match(field) else field
