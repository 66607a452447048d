"""`gradcalc check SHEET.toml --answers ANSWERS.csv`: grade a whole class (options and their rules)."""

from __future__ import annotations

from contextlib import contextmanager

from ..errors import GradcalcError
from . import spec
from .command import options_for
from .exits import say

options = options_for(spec.CHECK, "classroom")


def given(sheet: str, p: dict) -> bool:
    """Whether the class grader is asked for (its options without --answers are refused by
    spec.CHECK_CONFLICTS)."""
    if p["answers"] == "-" and sheet == "-":
        raise GradcalcError("the sheet and the answers cannot both come from standard input",
                            hint="give one of them as a file")
    return p["answers"] is not None


def run(sheet: str, p: dict, as_json: bool, precision: int, rtol, atol, limits):
    """The gradebook (or --json, or --format's) on stdout, feedback files in --report DIR; the sheet
    read (classroom.ClassSheet), whose pages --html writes."""
    from ..classroom import decode, escape, grade_class, load_class_sheet, read_answers
    from ..limits import read_bytes, read_text
    from ..render import classroom as render
    from .output import emit

    source = "standard input" if sheet == "-" else sheet
    loaded = load_class_sheet(read_text(sheet, "the sheet", limits.replace(file=limits.sheet), limit="sheet"),
                              source)
    for problem in loaded.problems:   # how each expression was read, as the command line says it
        for note in problem.result.graph.notes:
            say(f"note: problem {problem.number} ({escape(problem.id)}): {escape(note)}")
    answers = p["answers"]
    answers_source = "standard input" if answers == "-" else answers
    table = read_answers(decode(read_bytes(answers, "the answers file"), answers_source), loaded,
                         answers_source)
    book = grade_class(loaded, table, rtol, atol)
    if p["report"] is not None:
        _write_reports(book, p["report"], p["solutions"], precision)
    if p["items"] is not None:
        _write(p["items"], render.items_csv(book), "the item analysis")
    if as_json:   # a student at a time: the whole text of a large class at once is large
        for piece in render.json_pieces(book):
            emit(piece)
    elif p["book_format"] == "canvas":
        emit(render.canvas_csv(book, precision))
    elif p["book_format"] == "moodle":
        emit(render.moodle_csv(book, precision))
    elif p["book_format"] == "gradescope":
        emit(render.gradescope_json(book, p["solutions"], precision))
    else:
        emit(render.gradebook_csv(book, precision))
    summary = render.review_summary(book)
    if summary:   # blank, malformed, and what a person must read: counted, the gradebook says which
        say(f"note: {summary}")
    return loaded


def _write_reports(book, report: str, solutions: bool, precision: int) -> None:
    from ..classroom import escape
    from ..render import classroom as render

    with folder_to_write(report, "--report", "the report",
                         "gradcalc check SHEET.toml --answers ANSWERS.csv --report feedback/") as folder:
        names = render.file_names(book.students)
        for student, name in zip(book.students, names):
            write_inside(folder, report, name, render.feedback(book, student, solutions, precision))
        # No student's file is index.* or starts with _ (file_names sees to it): these take no one's place.
        write_inside(folder, report, "index.csv", render.index_csv(book, names, precision))
        write_inside(folder, report, "index.md", render.index_markdown(book, names))
        write_inside(folder, report, "_items.csv", render.items_csv(book))
        write_inside(folder, report, "_items.md", render.items_markdown(book))
    count = len(book.students)
    say(f"wrote {count} feedback file{'' if count == 1 else 's'}, their index (index.md, index.csv) and the "
        f"item analysis (_items.csv, _items.md) to {escape(report)}")


@contextmanager
def folder_to_write(path: str, option: str, what: str, example: str):
    """The directory `path` made if missing and opened, for write_inside; any OSError while writing
    into it becomes one GradcalcError naming `what` (--report's files, --html's pages)."""
    import os
    from pathlib import Path

    from ..classroom import escape

    if not path.strip():   # '' would be the current folder, which nobody meant
        raise GradcalcError(f"{option} needs the name of a directory, got an empty one", hint=example)
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
        folder = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            yield folder
        finally:
            os.close(folder)
    except (OSError, ValueError) as error:
        raise GradcalcError(f"cannot write {what} into {escape(repr(path))}: "
                            f"{getattr(error, 'strerror', None) or error}",
                            hint="give a directory you can write to") from None


def write_inside(folder: int, path: str, name: str, text: str) -> None:
    """Write `name` inside the open directory `folder` (at `path`) and nowhere else: a link planted
    there (to a file outside, or dangling) is replaced, never followed, and a reader or another
    grader writing the same folder sees a whole file, old or new, never a mix (a temporary file in
    the folder, renamed over the old one)."""
    import os
    import secrets

    at_fd = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd
    where = (lambda n: n) if at_fd else (lambda n: os.path.join(path, n))   # noqa: E731
    fd_of = {"dir_fd": folder} if at_fd else {}
    temporary = f".{name}.{os.getpid()}-{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(where(temporary), flags, 0o666, **fd_of)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
        if at_fd:
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        else:
            os.replace(where(temporary), where(name))   # rename replaces a link, it does not follow it
    except BaseException:
        try:
            os.unlink(where(temporary), **fd_of)
        except OSError:
            pass
        raise


def _write(path: str, text: str, what: str) -> None:
    from pathlib import Path

    from ..classroom import escape

    try:
        Path(path).write_text(text, encoding="utf-8")
    except (OSError, ValueError) as error:
        raise GradcalcError(f"cannot write {what} to {escape(repr(path))}: "
                            f"{getattr(error, 'strerror', None) or error}",
                            hint="give a file you can write to") from None
