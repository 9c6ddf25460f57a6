"""The code's layout holds: the apps depend one way, public → boards → recommendations, and no
module of the project imports another that (directly or not) imports it back.

Read from the source with `ast`, so that an import inside a function counts as well.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The apps whose direction is checked, and what each must never import.
FORBIDDEN = {
    # harris_tracker (settings, URLs, roles, the admin site) sits above every app.
    "recommendations": ("boards", "public", "reporting", "harris_tracker"),
    "reporting": ("boards", "public", "harris_tracker"),
    "boards": ("public", "reporting", "harris_tracker"),
    "public": ("harris_tracker",),
}

#: Files that still break a rule below while another part of the restructuring is under way;
#: remove each once it is fixed: test_pending_moves_lists_only_files_that_still_break_a_rule
#: names those no longer needed.
PENDING_MOVES: set[str] = set()


@dataclass(frozen=True)
class Import:
    path: str  # the importing file, relative to the project root
    line: int
    module: str  # the project module imported (the deepest that exists)
    #: "file": run as the file is imported; "function": inside a function; "ready": inside an
    #: AppConfig's ready(), Django's place for late imports; "type checking": never run.
    where: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.module}"


def project_packages() -> list[str]:
    """The project's own top-level packages (the tests aside)."""
    return sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests")


def source_files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> set[str]:
    return {module_name(path) for package in project_packages() for path in source_files(package)}


def _resolve(name: str, modules: set[str]) -> str | None:
    """The deepest project module that `name` (a dotted import target) names, if any."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = importer if is_package else importer.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    # `from package import name` may import the submodule package.name.
    return [f"{base}.{alias.name}" for alias in node.names]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, modules: set[str]) -> list[Import]:
    """Every import of a project module in the file at `path`, wherever it stands."""
    importer = module_name(path)
    relative = path.relative_to(ROOT).as_posix()
    found: list[Import] = []
    seen: set[tuple[int, str]] = set()

    def visit(node: ast.AST, where: str) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, importer, path.name == "__init__.py"):
                module = _resolve(target, modules)
                if module and module != importer and (node.lineno, module) not in seen:
                    seen.add((node.lineno, module))
                    found.append(Import(relative, node.lineno, module, where))
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and where == "file":
            where = "ready" if node.name == "ready" else "function"
        elif isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                visit(child, "type checking")
            for child in node.orelse:
                visit(child, where)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), "file")
    return found


def every_import() -> list[Import]:
    modules = all_modules()
    return [
        found
        for package in project_packages()
        for path in source_files(package)
        for found in imports_of(path, modules)
    ]


def direction_breaches(imports: list[Import]) -> list[Import]:
    return [
        found
        for found in imports
        if found.module.split(".")[0] in FORBIDDEN.get(found.path.split("/")[0], ())
    ]


def deferred_imports(imports: list[Import]) -> list[Import]:
    """The apps' imports of project modules made inside a function: the usual way to hide an
    import cycle. (Scripts such as bench/ import the apps late, after setting Django up.)"""
    return [
        found
        for found in imports
        if found.path.split("/")[0] in FORBIDDEN and found.where == "function"
    ]


def import_cycles(imports: list[Import]) -> list[list[str]]:
    """The groups of modules that import one another at file level (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for found in imports:
        if found.where == "file":
            graph.setdefault(module_name(ROOT / found.path), set()).add(found.module)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                connect(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while (member := stack.pop()) != module:
                group.append(member)
            group.append(module)
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return cycles


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return every_import()


def test_recommendations_imports_neither_boards_nor_public_and_boards_not_public(imports):
    breaches = [
        str(found) for found in direction_breaches(imports) if found.path not in PENDING_MOVES
    ]
    assert not breaches, "The apps depend one way, public → boards → recommendations:\n" + (
        "\n".join(breaches)
    )


def test_no_project_module_is_imported_inside_a_function(imports):
    deferred = [
        str(found) for found in deferred_imports(imports) if found.path not in PENDING_MOVES
    ]
    assert not deferred, (
        "The apps import project modules at the top of the file (an AppConfig's ready() aside):\n"
        + "\n".join(deferred)
    )


def test_no_modules_import_each_other_at_file_level(imports):
    cycles = import_cycles(imports)
    assert not cycles, "These modules import one another:\n" + "\n".join(
        " ↔ ".join(cycle) for cycle in cycles
    )


def test_pending_moves_lists_only_files_that_still_break_a_rule(imports):
    still_breaking = {found.path for found in direction_breaches(imports)} | {
        found.path for found in deferred_imports(imports)
    }
    assert not PENDING_MOVES - still_breaking, "Remove from PENDING_MOVES: " + ", ".join(
        sorted(PENDING_MOVES - still_breaking)
    )


def test_the_checks_catch_what_they_are_for(tmp_path, monkeypatch):
    """The rules above see a breach of each kind: an import against the apps' direction,
    inside a function (an AppConfig's ready() aside), and a cycle between two files (imports
    made only for type checkers aside)."""
    for package, files in {
        "recommendations": {
            "a.py": "from . import b\n",
            "b.py": "import recommendations.a\n",
            "e.py": "if TYPE_CHECKING:\n    import recommendations.f\n",
            "f.py": "import recommendations.e\n",
        },
        "boards": {"c.py": "def f():\n    from public import d\n"},
        "public": {
            "d.py": "",
            "apps.py": "class C:\n    def ready(self):\n        from . import d\n",
        },
    }.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        for name, text in files.items():
            (tmp_path / package / name).write_text(text)
    monkeypatch.setitem(globals(), "ROOT", tmp_path)

    imports = every_import()

    assert [str(found) for found in direction_breaches(imports)] == [
        "boards/c.py:2 imports public.d"
    ]
    assert [str(found) for found in deferred_imports(imports)] == [
        "boards/c.py:2 imports public.d"
    ]
    assert import_cycles(imports) == [["recommendations.a", "recommendations.b"]]


#: The longest a function may be, in lines from its `def` to its last line.
LONGEST_FUNCTION = 50

#: Functions still over the limit because another change is editing their file; split each
#: once that change is merged (test_long_functions_lists_only_functions_still_too_long says
#: when an entry is no longer needed). Keyed by "path:function".
LONG_FUNCTIONS_PENDING: set[str] = set()

#: The packages whose functions are held to the limit (migrations aside).
SIZED_PACKAGES = ("recommendations", "boards", "reporting", "public", "harris_tracker")


def long_functions(limit: int = LONGEST_FUNCTION) -> dict[str, int]:
    """Every function (methods and nested functions too) longer than `limit` lines."""
    found = {}
    for package in SIZED_PACKAGES:
        for path in source_files(package):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > limit:
                        found[f"{path.relative_to(ROOT).as_posix()}:{node.name}"] = length
    return found


def test_no_function_is_longer_than_fifty_lines():
    too_long = {
        name: length
        for name, length in long_functions().items()
        if name not in LONG_FUNCTIONS_PENDING
    }
    assert not too_long, f"Split these functions (at most {LONGEST_FUNCTION} lines):\n" + (
        "\n".join(f"{name}: {length} lines" for name, length in sorted(too_long.items()))
    )


def test_long_functions_lists_only_functions_still_too_long():
    fixed = LONG_FUNCTIONS_PENDING - set(long_functions())
    assert not fixed, "Remove from LONG_FUNCTIONS_PENDING: " + ", ".join(sorted(fixed))


def test_the_length_check_sees_a_long_method(tmp_path, monkeypatch):
    package = tmp_path / "boards"
    package.mkdir()
    (package / "__init__.py").write_text("")
    body = "".join(f"        x = {n}\n" for n in range(LONGEST_FUNCTION - 1))
    (package / "m.py").write_text(
        f"class C:\n    def short(self):\n{body}\n    def long(self):\n{body}        x = 0\n"
    )
    monkeypatch.setitem(globals(), "ROOT", tmp_path)

    assert long_functions() == {"boards/m.py:long": LONGEST_FUNCTION + 1}
