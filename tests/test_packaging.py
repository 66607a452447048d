"""The installed wheel carries the grammar and runs outside the source tree."""

import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True)
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{build.stderr[-2000:]}")
    (path,) = out.glob("gradcalc-*.whl")
    return path


def test_wheel_ships_the_grammar(wheel):
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("gradcalc/grammar/gradcalc.lark").decode()
    assert shipped == (ROOT / "grammar" / "gradcalc.lark").read_text()


def test_installed_wheel_runs_the_main_example(wheel, tmp_path):
    # A venv that sees the already-installed numpy/click/lark/rich, with only the wheel added.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    # A worktree's PYTHONPATH would put its source tree ahead of the installed wheel.
    clean = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel],
                   check=True, capture_output=True)
    run = subprocess.run([env_dir / "bin" / "gradcalc", "(x+y)**2", "--x", "1", "--y", "2", "-q"],
                         capture_output=True, text=True, cwd=tmp_path, env=clean)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "9\n6\n6\n"
    where = subprocess.run([python, "-c", "import gradcalc, sys; print(gradcalc.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=clean).stdout
    assert str(env_dir) in where  # the wheel's copy, not the source tree
    # --help names the folder of the files its examples use, shipped in the wheel: they run there.
    shown = subprocess.run([env_dir / "bin" / "gradcalc", "--help"], capture_output=True, text=True,
                           cwd=tmp_path, env={**clean, "COLUMNS": "200"}).stdout
    folder = re.search(r"these are in\s+(\S+):\s+cd there", shown).group(1)
    assert folder.startswith(str(env_dir))
    graded = subprocess.run([env_dir / "bin" / "gradcalc", "check", "homework.toml"], capture_output=True,
                            text=True, cwd=folder, env=clean)
    assert graded.returncode == 1 and "Score:" in graded.stdout, graded.stderr   # wrong on purpose


def test_wheel_ships_the_html_pages_script_and_styles(wheel):
    # --html reads them from the package at run time: a wheel without them writes a broken page.
    with zipfile.ZipFile(wheel) as archive:
        for name in ("page.js", "page.css"):
            shipped = archive.read(f"gradcalc/render/html_assets/{name}").decode()
            assert shipped == (ROOT / "gradcalc" / "render" / "html_assets" / name).read_text()
