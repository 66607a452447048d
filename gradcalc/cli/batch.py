"""--points: value and gradient at every row of a CSV or JSON-lines file, streamed chunk by chunk."""

from __future__ import annotations

import os

import click

from . import program, spec
from .command import given_on_command_line, options_for
from .exits import say
from .output import emit

options = options_for(spec.COMMAND, "batch")


def wanted(p: dict) -> bool:
    return p["points"] is not None


def run(text: str, fixed: dict, p: dict, as_json: bool, limits) -> None:
    """Read, compute and write chunk by chunk, so output starts before the input ends."""
    # The options it refuses are in spec.COMMAND_CONFLICTS. --plain holds as it is (the output is
    # plain CSV text); --precision rounds the CSV's numbers.
    ctx = click.get_current_context()
    precision = p["precision"] if given_on_command_line(ctx, "precision") and not as_json else None
    from ..batch import column_list, open_points, run as run_batch
    from ..parse import parse
    from ..render import batch as out
    from ..render.progress import progress_for
    from ..result import greek_keys, text_name

    stream, keep_going = p["points"], p["keep_going"]
    graph = parse(text, limits)
    wrt = tuple(dict.fromkeys(text_name(graph, name) for name in p["wrt"]))   # --wrt alpha is α, as for one point
    for note in graph.notes:   # how the text was read (1/2x as (1/2)·x): no trace here to say it
        say(f"note: {note}")
    # A fixed value for a name the expression does not mention: a note, as for a single point.
    # --beta is the text's β, as for a single point (result.greek_keys).
    fixed = program.drop_unused(ctx, graph, greek_keys(graph, fixed))
    points = open_points(stream, graph, fixed, wrt)
    if points.carried:
        shown = column_list(points.carried)
        say(f"note: {'columns' if len(points.carried) > 1 else 'column'} {shown} "
            f"{'are not variables' if len(points.carried) > 1 else 'is not a variable'} of "
            f"the expression (carried through unchanged)")
    names = list(wrt or graph.variables)
    given = set(points.columns)
    renamed = [name for name in out.output_columns([], graph.output_name, names, keep_going) if name in given]
    if renamed:   # a column of the file has the name of one gradcalc adds (its own output fed back)
        say(f"note: the points file has {'columns' if len(renamed) > 1 else 'a column'} named "
            f"{', '.join(renamed)} too: kept as given; gradcalc's own "
            f"{'are' if len(renamed) > 1 else 'is'} written as {', '.join(name + '_' for name in renamed)}")
    # The header goes out with the first rows, so an error in the first chunk leaves stdout empty.
    header = "" if as_json else out.csv_header(points.columns, graph.output_name, names, keep_going)
    bar = progress_for(_size(stream))   # on stderr, if a terminal, after half a second
    rows = 0
    with bar:
        for chunk in run_batch(points, graph, fixed, wrt, keep_going):
            if not len(chunk):   # the rows before a bad first row: none
                continue
            with bar.writing():
                emit(header + (out.jsonl_chunk(chunk, points) if as_json
                               else out.csv_chunk(chunk, points, keep_going, precision)))
            header = ""
            rows += len(chunk)
            bar.update(chunk.consumed, rows)
    emit(header)   # a file with a header and no rows: just the header


def _size(stream) -> int | None:
    try:
        status = os.fstat(stream.fileno())
    except (OSError, AttributeError, ValueError):
        return None
    import stat

    return status.st_size if stat.S_ISREG(status.st_mode) else None
