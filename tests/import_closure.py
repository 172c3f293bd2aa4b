"""The lingualign source files a module imports, directly or through others, read from the source.

Every ``import``/``from ... import`` counts, at module level or inside a function (the stages
import heavy libraries and their own helpers lazily). Importing ``lingualign.a.b`` imports the
package ``lingualign.a`` too. A plug-in package (one whose ``__init__`` builds a
``Registry(..., __name__, ...)``) imports every module in it, as the registry does. The root
``lingualign/__init__.py`` holds only the version and is left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "lingualign"


def module_file(name: str) -> Path | None:
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name == PACKAGE or name.startswith(f"{PACKAGE}.")}


def _is_plugin_package(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "Registry"
        and any(isinstance(arg, ast.Name) and arg.id == "__name__" for arg in node.args)
        for node in ast.walk(tree)
    )


def closure(root: str) -> set[Path]:
    """Source files of ``root`` (a dotted module name) and of everything it imports."""
    seen: set[Path] = set()
    todo = [root]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        # lingualign.a.b also imports the package lingualign.a (and lingualign.a.b may be an attribute).
        for depth in range(2, len(parts) + 1):
            path = module_file(".".join(parts[:depth]))
            if path is None or path in seen:
                continue
            seen.add(path)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            todo.extend(_imported_names(tree))
            if path.name == "__init__.py" and _is_plugin_package(tree):
                package = ".".join(parts[:depth])
                todo.extend(f"{package}.{p.stem}" for p in path.parent.glob("*.py") if p.name != "__init__.py")
    return seen


def as_deps(files: set[Path]) -> list[str]:
    """Files relative to the project, with a package folder in place of its files where all are imported."""
    project = SRC.parent
    deps, covered = [], set()
    for folder in sorted({f.parent for f in files if f.parent != SRC / PACKAGE}, key=lambda p: len(p.parts)):
        inside = set(folder.rglob("*.py"))
        if inside <= files and not any(folder.is_relative_to(c) for c in covered):
            covered.add(folder)
            deps.append(folder.relative_to(project).as_posix())
    deps += [f.relative_to(project).as_posix() for f in files if not any(f.is_relative_to(c) for c in covered)]
    return sorted(deps)


def expand(deps: list[str]) -> set[Path]:
    """The source files a list of DVC deps covers (folders stand for every .py file inside)."""
    project = SRC.parent
    files: set[Path] = set()
    for dep in deps:
        path = project / dep
        if path.is_dir():
            files.update(path.rglob("*.py"))
        elif path.suffix == ".py":
            files.add(path)
    return files


if __name__ == "__main__":
    import sys

    for module in sys.argv[1:]:
        print(module)
        for dep in as_deps(closure(module)):
            print(f"        - {dep}")
