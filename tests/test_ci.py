"""CI tests what pyproject promises: .ci/lowest.txt pins every dependency to its lowest allowed version,
and .ci/run runs the README's quick start as written."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lower_bounds() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = {}
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, low = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(?:>=|==)\s*([0-9][0-9.]*)", requirement).groups()
        bounds[name.lower()] = low.rstrip(".")
    return bounds


def pins() -> dict[str, str]:
    lines = (ROOT / ".ci" / "lowest.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.lower().split("==") for line in lines if line.strip() and not line.startswith("#"))


def test_every_dependency_is_pinned_to_its_lower_bound():
    pinned = pins()
    for name, low in lower_bounds().items():
        assert name in pinned, f".ci/lowest.txt does not pin {name}"
        # 4.11.* is pinned as 4.11.0, 1.12 as 1.12: the same release
        assert pinned[name].split(".") [:len(low.split("."))] == low.split("."), (name, low, pinned[name])
        assert all(part == "0" for part in pinned[name].split(".")[len(low.split(".")):]), (name, pinned[name])


def test_the_readme_quick_start_is_two_commands_and_ci_runs_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n\n```bash\n(.*?)```", readme, re.S).group(1).splitlines()
    assert len(block) == 2 and block[0].startswith("pip install . && gradcalc ")
    assert block[1] == "pip install -e '.[test]' && python -m pytest"
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'in_venv .ci/venv "$install_and_run"' in run and 'in_venv "$venv" "$test_command"' in run


def test_ci_lints_with_the_ruff_the_test_extras_install():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(r.startswith("ruff>=") for r in project["project"]["optional-dependencies"]["test"])
    assert project["tool"]["ruff"]["lint"]["select"], "pyproject.toml names the rules CI enforces"
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # run in each of CI's own environments, and a failure fails CI
    assert 'for venv in .ci/venv-lowest .ci/venv; do' in run
    assert '"ruff --version && ruff check --no-cache ." || lint_code=1' in run
    assert '[ "$lint_code" != 0 ]' in run
    assert "`ruff check .`" in (ROOT / "README.md").read_text(encoding="utf-8")
