"""Renderers: each turns a Result into text. They share the rows built in `rows.py`."""


def console(**options):
    """A rich Console as the renderers use it. COLUMNS set to 0 (or anything but a positive whole
    number) is ignored, as shutil ignores it: rich took it as a width of 0 and drew no tables."""
    import os

    from rich.console import Console

    columns = os.environ.get("COLUMNS")
    if columns is not None and "width" not in options and not (columns.isdigit() and int(columns) > 0):
        import shutil

        options["width"] = shutil.get_terminal_size().columns
    return Console(**options)
