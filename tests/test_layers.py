"""The package's layers only point down: no import cycle (lazy imports inside functions included), the
engine imports no renderer or front end, renderers import no front end."""

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gradcalc"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """module → the package's modules it imports anywhere in its text (at the top or in a function)."""
    modules = _modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                inner = [f"{target}.{alias.name}" for alias in node.names]
                found = [t for t in inner if t in modules] or [target]   # `from . import xp`: the module
            elif isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            else:
                continue
            edges[name] |= {t for t in found if t in modules and t != name}
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, if any (an iterative depth-first search)."""
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    for start in edges:
        if start in state:
            continue
        path, stack = [start], [iter(sorted(edges[start]))]
        state[start] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                return path[path.index(target):] + [target]
            elif target not in state:
                state[target] = 1
                path.append(target)
                stack.append(iter(sorted(edges[target])))
    return None


def test_the_import_graph_has_no_cycle():
    assert _cycle(import_graph()) is None


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def _layer(module: str) -> str:
    # The front ends: the command line, and the Python API (api.py; vectorized.py, gradcalc.vectorize).
    if module.startswith("gradcalc.cli") or module in ("gradcalc.api", "gradcalc.vectorized",
                                                        "gradcalc.__main__", "gradcalc"):
        return "front"
    return "render" if module.startswith("gradcalc.render") else "engine"


def test_layers_point_down():
    below = {"engine": {"engine"}, "render": {"engine", "render"}, "front": {"engine", "render", "front"}}
    upward = [(module, target) for module, targets in import_graph().items() for target in targets
              if _layer(target) not in below[_layer(module)]]
    assert upward == []


def test_test_modules_share_helpers_without_importing_each_other():
    # Shared helpers live in tests/helpers.py (fixtures in conftest.py): importing another test module
    # would collect its tests twice under some runners and ties unrelated files together.
    tests = Path(__file__).resolve().parent
    for path in tests.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            assert not any(name.startswith("test_") for name in names), f"{path.name} imports {names}"


def private_imports() -> list[tuple[str, int, str]]:
    """(module, line, name) for each _private name a module takes from another of the package's
    modules: `from .check import _judge`, or `check._judge` on an imported module. A private module
    (`from . import _lalr_tables`) is fine: its name says it is used inside the package."""
    modules = _modules()
    found = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported: dict[str, str] = {}      # a name bound to one of the package's modules → that module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    if f"{target}.{alias.name}" in modules:
                        imported[alias.asname or alias.name] = f"{target}.{alias.name}"
                    elif target in modules and target != name and _private(alias.name):
                        found.append((name, node.lineno, f"{target}.{alias.name}"))
            elif isinstance(node, ast.Import):
                imported.update({alias.asname or alias.name: alias.name
                                 for alias in node.names if alias.name in modules})
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _private(node.attr) \
                    and imported.get(node.value.id, name) != name:
                found.append((name, node.lineno, f"{imported[node.value.id]}.{node.attr}"))
    return sorted(found)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_imports_another_modules_private_names():
    assert private_imports() == []


def test_the_private_import_finder_finds_both_spellings(tmp_path, monkeypatch):
    package = tmp_path / "gradcalc"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def _helper(): pass\n")
    (package / "_tables.py").write_text("")
    (package / "b.py").write_text("from .a import _helper\nfrom . import a, _tables\na._helper()\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    assert private_imports() == [("gradcalc.b", 1, "gradcalc.a._helper"), ("gradcalc.b", 3, "gradcalc.a._helper")]


def test_the_node_a_name_means_is_found_in_one_place():
    # graph.node_of: an input, else the last node assigned the name. A search of its own elsewhere
    # (`next(n for n in reversed(graph.nodes) if n.name == name)`) drifts: first or last, inputs or not.
    import re

    searches = [f"{path.relative_to(PACKAGE)}:{text[:match.start()].count(chr(10)) + 1}"
                for path in PACKAGE.rglob("*.py") if path.name != "graph.py"
                for text in [path.read_text(encoding="utf-8")]
                for match in re.finditer(r"\b\w+\.name == \w+", text) if "node" in match.group()]
    assert searches == []


def unused_private_names() -> list[str]:
    """Top-level _private functions, classes and constants their module never uses: dead code
    (ruff sees unused imports and variables, not these). A name in a string counts as a use."""
    import re

    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_lalr_tables.py":     # generated
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {}
        for node in tree.body:
            names = [node.name] if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else \
                [t.id for t in node.targets if isinstance(t, ast.Name)] if isinstance(node, ast.Assign) else []
            defined.update({name: node.lineno for name in names if _private(name)})
        used = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.update(re.findall(r"\w+", node.value))
        found += [f"{path.relative_to(PACKAGE)}:{line} {name}" for name, line in defined.items() if name not in used]
    return found


def test_no_private_name_is_left_unused():
    assert unused_private_names() == []
