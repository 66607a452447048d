"""A progress bar on stderr for long batches: bytes read of the points file, or rows so far."""

from __future__ import annotations


class ProgressBar:
    """rich's progress bar on stderr; `update(bytes_read, rows)` after each chunk."""

    def __init__(self, total_bytes: int | None, console=None):
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        console = console or Console(stderr=True)
        columns = [TextColumn("{task.fields[rows]} rows"), BarColumn()]
        columns += [DownloadColumn(), TimeRemainingColumn()] if total_bytes else [TimeElapsedColumn()]
        self.progress = Progress(*columns, console=console, transient=True)
        self.task = self.progress.add_task("points", total=total_bytes, rows=0)

    def __enter__(self) -> ProgressBar:
        self.progress.start()
        return self

    def update(self, bytes_read: int, rows: int) -> None:
        self.progress.update(self.task, completed=bytes_read, rows=rows)

    def __exit__(self, *exc) -> None:
        self.progress.stop()
