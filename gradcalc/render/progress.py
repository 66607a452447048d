"""A progress bar on stderr for long batches: bytes read of the points file, or rows so far.

It shows only once a batch has run for half a second (a short run prints nothing on stderr), is
erased when the batch ends, and is taken off the screen while results are written to a stdout that
is the same terminal, so a CSV line never starts after the bar on its line.
"""

from __future__ import annotations

import contextlib
import sys
import time

DELAY = 0.5   # seconds a batch runs before its bar appears


def progress_for(total_bytes: int | None):
    """A ProgressBar when stderr is a terminal, else one that does nothing."""
    if not _is_terminal(sys.stderr):
        return NoBar()
    return ProgressBar(total_bytes, shares_terminal=_is_terminal(sys.stdout))


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):   # closed or not a file
        return False


class NoBar(contextlib.nullcontext):
    def update(self, bytes_read: int, rows: int) -> None:
        pass

    def writing(self):
        return contextlib.nullcontext()


class ProgressBar:
    """rich's progress bar on stderr; `update(bytes_read, rows)` after each chunk, and the writing of
    each chunk inside `with bar.writing():`."""

    def __init__(self, total_bytes: int | None, console=None, shares_terminal: bool = False,
                 clock=time.monotonic, delay: float = DELAY):
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        console = console or Console(stderr=True)
        columns = [TextColumn("{task.fields[rows]} rows"), BarColumn()]
        columns += [DownloadColumn(), TimeRemainingColumn()] if total_bytes else [TimeElapsedColumn()]
        # Drawn only from update(), never by rich's refresh thread in the middle of a write; and
        # stdout is not redirected through the stderr console.
        self.progress = Progress(*columns, console=console, transient=True, auto_refresh=False,
                                 redirect_stdout=False, redirect_stderr=False)
        self.task = self.progress.add_task("points", total=total_bytes, rows=0)
        self.shares_terminal, self.clock, self.delay = shares_terminal, clock, delay
        self.began, self.shown = None, False

    def __enter__(self) -> ProgressBar:
        self.began = self.clock()
        return self

    def update(self, bytes_read: int, rows: int) -> None:
        self.progress.update(self.task, completed=bytes_read, rows=rows)
        if not self.shown and self.clock() - self.began >= self.delay:
            self.progress.start()
            self.shown = True
        if self.shown:
            self.progress.refresh()

    @contextlib.contextmanager
    def writing(self):
        """Around a write to stdout: the bar leaves the screen first if stdout is the same terminal."""
        hide = self.shown and self.shares_terminal
        if hide:
            self.progress.stop()   # transient: erased, the cursor back at the start of its line
        try:
            yield
        finally:
            if hide:
                self.progress.start()
                self.progress.refresh()

    def __exit__(self, *exc) -> None:
        if self.shown:
            self.progress.stop()
            self.shown = False
