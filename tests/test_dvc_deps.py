"""dvc.yaml and the code agree: each stage's deps are exactly the lingualign modules its command
imports (read from the source, lazy imports included), its params exactly the keys its settings
read, and editing a shared module makes DVC see every stage that uses it and no other."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, copy_project, run
from import_closure import SRC, closure, expand

from lingualign.cli import COMMANDS


def stages(root: Path = ROOT) -> list[Any]:
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        return list(repo.index.stages)


def stage_module(stage: Any) -> tuple[str, str | None]:
    """The lingualign module a stage's command runs, and its foreach item."""
    words = stage.cmd.split()
    assert words[0] == "lingualign", stage.cmd
    item = stage.name.split("@", 1)[1] if "@" in stage.name else None
    return f"lingualign.{COMMANDS[words[1]][0]}", item


def problems(stage: Any) -> list[str]:
    """How a stage's deps and params disagree with its code; empty when they agree."""
    module, item = stage_module(stage)
    listed = expand([dep.def_path for dep in stage.deps if dep.def_path.startswith("src/")])
    imported = closure(module)
    found = [
        f"{stage.name}: imports {p.relative_to(SRC.parent)} but does not list it" for p in sorted(imported - listed)
    ]
    if stage.name != "check":  # check lists every stage's modules (the test below)
        found += [
            f"{stage.name}: lists {p.relative_to(SRC.parent)} but does not import it" for p in sorted(listed - imported)
        ]
    declared = [key.format(item=item) for key in importlib.import_module(module).PARAMS]
    params = [key for dep in stage.deps if type(dep).__name__ == "ParamsDependency" for key in dep.params]
    if sorted(params) != sorted(declared):
        found.append(f"{stage.name}: params {sorted(params)} but its settings read {sorted(declared)}")
    return found


def test_every_stage_lists_the_modules_it_imports_and_the_params_it_reads() -> None:
    found = [problem for stage in stages() for problem in problems(stage)]
    assert found == []


def test_every_input_that_no_stage_writes_is_a_dep_of_check() -> None:
    """Whatever makes a stage run makes check run first, so a bad params file or a dead tracking
    server stops ``dvc repro`` before DVC deletes anything (check.py)."""
    everything = stages()
    written = [Path(out.def_path) for stage in everything for out in stage.outs]
    check = next(stage for stage in everything if stage.name == "check")
    checked = [Path(dep.def_path) for dep in check.deps]

    def within(path: Path, folders: list[Path]) -> bool:
        return any(path == folder or folder in path.parents or path in folder.parents for folder in folders)

    inputs = {Path(dep.def_path) for stage in everything for dep in stage.deps if stage is not check}
    unchecked = sorted(str(p) for p in inputs if not within(p, written) and not within(p, checked))
    assert unchecked == []


def test_the_check_fails_when_a_dep_is_removed() -> None:
    translate = next(stage for stage in stages() if stage.name == "translate")
    translate.deps = [dep for dep in translate.deps if dep.def_path != "src/lingualign/cache.py"]
    assert problems(translate) == ["translate: imports src/lingualign/cache.py but does not list it"]


def test_shared_modules_are_imported_only_by_the_stages_that_use_them() -> None:
    users = {
        module
        for module in ("ingest", "pairs", "report")
        if (SRC / "lingualign" / "devices.py") in closure(f"lingualign.{module}")
    }
    assert users == set()  # no model is loaded there, so editing how models load must not rerun them


@pytest.mark.slow
def test_editing_devices_py_makes_dvc_see_every_stage_that_loads_a_model_and_only_those(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "repo")
    with open(project / "src" / "lingualign" / "devices.py", "a") as handle:
        handle.write("# an edit\n")
    after = json.loads(run(["dvc", "status", "--json"], cwd=project).stdout)

    def mentions_devices(status: dict[str, Any]) -> set[str]:
        return {
            name
            for name, changes in status.items()
            for change in changes
            if isinstance(change, dict) and "src/lingualign/devices.py" in change.get("changed deps", {})
        }

    loads_a_model = {
        stage.name
        for stage in stages(project)
        if stage_module(stage)[0].split(".")[1]
        in {"models", "translate", "generate", "score", "sft", "merge", "reference", "dpo", "evaluate", "export"}
    } | {"check"}  # check validates every stage's settings, so it imports their modules, devices.py among them
    assert mentions_devices(after) == loads_a_model
