"""Options that do not go together are one table per command (cli/spec.py): every rule is refused as
bad input (exit 2) with its message, before anything is computed, and names only real options."""

import pytest
from helpers import run

from gradcalc.cli import spec

# A value for each option that takes one, valid on its own.
SAMPLE = {"--expect": "x=2*x", "--render": "g.svg", "--html": "page.html", "--points": "-", "--upstream": "1",
          "--order": "2", "--max-rows": "5", "--report": "feedback", "--items": "items.csv",
          "--answers": "answers.csv", "--format": "canvas", "--rules": "key.toml", "--student": "Ada"}


def words(spelling: str) -> list[str]:
    """The command-line words that give an option as the table spells it."""
    name, _, value = spelling.partition(" ")
    return [name, value] if value else [name, SAMPLE[name]] if name in SAMPLE else [name]


def cases(conflicts):
    """(the command-line words breaking each rule once, the first line of the error they give)."""
    for i, rule in enumerate(conflicts):
        if rule.rule == spec.ALONE:
            mine, others = [rule.options[0], rule.options[-1]], []
        elif rule.rule == spec.REFUSES:
            mine, others = [rule.options[0]], [rule.others[-1]]
        else:
            mine, others = [rule.options[-1]], []
        message = rule.message.format(given=" and ".join(mine),
                                      refused=rule.joiner.join(others if rule.rule == spec.REFUSES else rule.others[:1]))
        # what earlier rules ask these options to come with (--solutions and --format: --answers)
        needed = [earlier.others[0] for earlier in conflicts[:i] if earlier.rule == spec.NEEDS
                  and set(earlier.options) & set(mine + others) and earlier.others[0] not in mine + others]
        yield [word for spelling in mine + others + needed for word in words(spelling)], "error: " + message


@pytest.mark.parametrize("given, said", list(cases(spec.COMMAND_CONFLICTS)))
def test_each_rule_of_the_command_is_refused(given, said, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)    # nothing may be written, but if it were, not into the repository
    # log(x - 5) at x = 1 is a math error (exit 3): the conflict is said first, before any computing
    result = run("log(x - 5)", "--x", "1", *given, input="x\n1\n")
    assert result.exit_code == 2, (given, result.output)
    assert result.stderr.splitlines()[0] == said
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("given, said", list(cases(spec.CHECK_CONFLICTS)))
def test_each_rule_of_check_is_refused(given, said, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheet.toml").write_text('[[problem]]\nexpression = "x*y"\nat = { x = 1, y = 2 }\n')
    result = run("check", "sheet.toml", *given)
    assert result.exit_code == 2, (given, result.output)
    assert result.stderr.splitlines()[0] == said


@pytest.mark.parametrize("conflicts, options", [(spec.COMMAND_CONFLICTS, spec.COMMAND),
                                                (spec.CHECK_CONFLICTS, spec.CHECK)])
def test_the_tables_name_options_of_their_command(conflicts, options):
    names = spec.names(options)
    for rule in conflicts:
        for spelling in rule.options + rule.others:
            assert spelling.partition(" ")[0] in names, spelling


def test_the_message_names_what_was_given():
    result = run("x*y", "--x", "1", "--y", "2", "--latex", "--check", "--tree")
    assert result.stderr.splitlines()[0] == "error: --latex cannot be combined with --tree, --check"
    result = run("x*y", "--x", "1", "--y", "2", "--expect", "x=2", "--check", "--order", "2", "--wrt", "x")
    assert result.stderr.splitlines()[0] == "error: --expect and --check cannot be combined with --order"
