"""The --points progress bar: on stderr only, after half a second, erased at the end, and off the
screen while rows are written to a stdout that is the same terminal."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from gradcalc.render.progress import DELAY, ProgressBar

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def bar_on(screen, clock, shares_terminal=False):
    return ProgressBar(1000, Console(file=screen, force_terminal=True, width=80), shares_terminal,
                       clock=clock)


def test_a_run_under_half_a_second_shows_no_bar():
    screen, clock = io.StringIO(), Clock()
    with bar_on(screen, clock) as bar:
        for rows in (1, 3, 7):
            clock.now += DELAY / 4
            bar.update(rows * 10, rows)
    assert screen.getvalue() == ""


def test_the_bar_appears_after_half_a_second_and_is_erased_at_the_end():
    screen, clock = io.StringIO(), Clock()
    with bar_on(screen, clock) as bar:
        clock.now += DELAY
        bar.update(500, 20)
        assert "20 rows" in screen.getvalue() and "0.5/1.0 kB" in screen.getvalue()
        drawn = len(screen.getvalue())
    # stopped: the cursor goes back up and the bar's line is erased
    assert screen.getvalue()[drawn:].endswith("\x1b[2K")


def test_rows_written_to_the_same_terminal_start_on_an_erased_line():
    screen, clock = io.StringIO(), Clock()
    with bar_on(screen, clock, shares_terminal=True) as bar:
        clock.now += DELAY
        bar.update(500, 20)
        with bar.writing():
            screen.write("1,2,3\n")
        bar.update(1000, 40)
    text = screen.getvalue()
    before = text[:text.index("1,2,3\n")]
    assert before.endswith("\x1b[2K")            # the bar's line erased, the cursor at its start
    assert "40 rows" in text[text.index("1,2,3\n"):]   # and the bar back under the rows


def test_rows_written_elsewhere_leave_the_bar_in_place():
    screen, clock = io.StringIO(), Clock()
    with bar_on(screen, clock) as bar:
        clock.now += DELAY
        bar.update(500, 20)
        drawn = screen.getvalue()
        with bar.writing():
            pass
        assert screen.getvalue() == drawn


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_short_batch_on_a_terminal_writes_nothing_on_stderr(tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("x,y\n1,2\n3,4\n")
    leader, follower = os.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT))
    process = subprocess.run([sys.executable, "-m", "gradcalc", "x*y", "--points", str(points)],
                             stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL, env=env,
                             cwd=ROOT, timeout=60)
    os.close(follower)
    os.set_blocking(leader, False)
    try:
        on_terminal = os.read(leader, 65536)
    except OSError:   # nothing was written: no data (or EIO, the other end being closed)
        on_terminal = b""
    os.close(leader)
    assert process.returncode == 0
    assert process.stdout == b"x,y,value,dz/dx,dz/dy\n1,2,2.0,2.0,1.0\n3,4,12.0,4.0,3.0\n"
    assert on_terminal == b""
