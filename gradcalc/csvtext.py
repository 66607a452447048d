"""The one rule for what separates the fields of a CSV file people save from a spreadsheet.

A spreadsheet in a decimal-comma locale saves fields separated by ';' (and some exports use tabs):
the first line decides, and there a comma in a number is a decimal comma. Used by the class
grader's --answers and by --points.
"""

from __future__ import annotations

import re


def delimiter(first: str) -> str:
    """',' if the first line has one, else ';', else a tab, else ','."""
    return "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","


def decimal_point(field: str, delimiter: str) -> str:
    """A number's field as the command line writes it: where fields are separated by ';' or tabs (a
    decimal-comma locale's spreadsheet), `1,5` is 1.5. A comma inside brackets or parentheses
    separates elements or arguments there too ([1,2], max(x, 0)) and is kept."""
    if delimiter == "," or "," not in field:
        return field
    if not any(bracket in field for bracket in "([{"):
        return field.replace(",", ".")
    read, depth = [], 0
    for char in field:
        depth += (char in "([{") - (char in ")]}")
        read.append("." if char == "," and depth <= 0 else char)
    return "".join(read)


# A field a spreadsheet would run as a formula (=HYPERLINK(…), +cmd|…, -1+…, @SUM(…)), unless it is
# just a number (-5): written with a leading ' (OWASP's advice), as the gradebook writes such names.
FORMULA = re.compile(r"[=@\t\r]|[+-](?!(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$)")


def inert(field: str) -> str:
    """A text field of the user's (a carried column, a header, a student's name) that a spreadsheet
    opening the CSV will not run."""
    return "'" + field if FORMULA.match(field) else field
