"""Pictures of the graph: --dot, --mermaid and --tree on stdout, --render and --html into a file."""

from __future__ import annotations

from ..errors import GradcalcError
from . import spec
from .command import options_for
from .output import Output, emit, on_screen, rich_text, say_notes

options = options_for(spec.COMMAND, "pictures")


def given(p: dict) -> list[str]:
    return [option for option, wanted in (("--dot", p["as_dot"]), ("--render", p["picture"] is not None),
                                          ("--mermaid", p["mermaid"]), ("--tree", p["tree"]),
                                          ("--html", p["page"] is not None), ("--quiz", p["quiz"]))
            if wanted]


def on_stdout(p: dict) -> list[str]:
    """The pictures that are the whole output: at most one of them."""
    return [option for option in given(p) if option not in ("--render", "--html", "--quiz")] + \
        (["--html -"] if p["page"] == "-" else [])


def write_page(result, p: dict, out: Output) -> None:
    """--html FILE: the stepping page; '-' writes it to stdout (checked by `run` as a whole output)."""
    from ..render.html import html_page
    from .exits import say

    if p["page"] == "":
        raise GradcalcError("--html needs a file name, or - for standard output")
    text, no_picture = html_page(result, out.precision, quiz=p["quiz"])
    if no_picture:
        say(f"note: {no_picture}")
    if p["page"] == "-":
        emit(text)
        return
    try:
        with open(p["page"], "w", encoding="utf-8") as page:
            page.write(text)
    except (OSError, ValueError) as error:   # ValueError: a NUL byte in the path
        reason = getattr(error, "strerror", None) or str(error)
        raise GradcalcError(f"cannot write the page {p['page']!r}: {reason}",
                            hint="check the folder exists and can be written to") from None


def run(result, p: dict, out: Output) -> bool:
    """Draw what was asked for; True if a picture was the output (nothing else is to be shown)."""
    drawn = on_stdout(p)     # at most one (spec.COMMAND_CONFLICTS)
    if p["picture"] is not None:   # --render "" was once ignored, with exit 0
        from ..render.dot import render_file

        render_file(result, p["picture"], out.precision)
    if p["page"] is not None:
        write_page(result, p, out)
    if not drawn:
        return False
    say_notes(result)   # a picture has no room for how the text was read
    if p["page"] == "-":
        pass
    elif p["as_dot"]:
        from ..render.dot import render_dot

        emit(render_dot(result, out.precision))
    elif p["mermaid"]:
        from ..render.mermaid import render_mermaid

        emit(render_mermaid(result, out.precision))
    elif out.rich:
        from ..render.tree import render_tree_rich

        emit(rich_text(render_tree_rich(result, out.precision, out.max_rows)))
    else:
        from ..render.tree import render_tree_plain

        emit(on_screen(render_tree_plain(result, out.precision, out.max_rows)))
    return True


sheet_options = options_for(spec.CHECK, "pages")


def write_sheet_pages(report, p: dict, precision: int) -> None:
    """`gradcalc check SHEET --html DIR`: a page per problem, each written whole (never half a file)."""
    from ..render.html import sheet_pages

    _write_pages(sheet_pages(report, precision, p["pages_quiz"]), p["pages"])


def write_class_pages(sheet, p: dict, precision: int, rtol: float | None, atol: float | None) -> None:
    """`gradcalc check CLASS.toml --html DIR` (with or without --answers): a page per problem of a
    class sheet, its quiz judging each asked answer by the rule the class is graded by."""
    from ..classroom import escape
    from ..render.html import class_pages
    from .exits import say

    for problem in sheet.problems:
        if problem.varying:
            say(f"note: problem {problem.number} ({escape(problem.id)}) gives each student a point of their own; "
                f"its page is at the sheet's own point, the one --key shows")
    _write_pages(class_pages(sheet, precision, p["pages_quiz"], rtol, atol), p["pages"])


def _write_pages(pages, folder_name: str) -> None:
    from ..classroom import escape
    from .classroom import folder_to_write, write_inside
    from .exits import say

    count = 0
    with folder_to_write(folder_name, "--html", "the pages", "gradcalc check SHEET.toml --html pages/") as folder:
        for name, text, no_picture in pages:
            if no_picture:
                say(f"note: {name}: {no_picture}")
            write_inside(folder, folder_name, name, text)
            count += 1
    say(f"wrote {count} page{'' if count == 1 else 's'} to {escape(folder_name)}")
