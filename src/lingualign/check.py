"""check: every section of params.yaml (and a profile overlay) validated in one pass, before any stage runs.

``dvc repro`` deletes a stage's outputs before it starts the stage's command, so a params typo
found by the stage itself costs its outputs. The ``check`` stage comes first in ``dvc.yaml``:
every stage depends on what it writes, so a bad params file stops the run at ``check``, with every
problem listed, while every output is still in place. Each section goes through its stage's
settings class and the keys that pass through to a library through that library's own class
(TRL's ``SFTConfig`` / ``DPOConfig``, peft's ``LoraConfig``, mergekit's and mergekit-moe's
configs), built the way the stage builds them.

It also asks the tracking server (``MLFLOW_TRACKING_URI``) whether it answers, and as a stage it
logs its own MLflow run, so a server that is down stops ``dvc repro`` here too. The stage depends
on every module, the whole params file and every input of every stage that no stage writes, so any
change that makes a later stage run makes this one run first; when nothing changed ``dvc repro``
runs nothing and ``dvc status`` is clean. Its output is ``persist``: DVC leaves ``data/check.json``
in place when the check fails. What it writes is the list of sections it validated, the same for
any valid params, so only the stages whose inputs changed run after it. Params that ``dvc.lock``
records as this stage's were validated in full when it last ran: then only the settings classes
run, not the libraries' (seconds of imports).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lingualign.profiles import PROFILES, SECTIONS, apply_profile, validate
from lingualign.settings import read_params

PARAMS: tuple[str, ...] = ()  # no keys: dvc.yaml tracks the whole params file (``params.yaml:``)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="validate with profiles/<name>.yaml applied (nothing is written)")
    parser.add_argument("--profiles", type=Path, default=PROFILES)
    parser.add_argument(
        "--out", type=Path, help="write the validated sections here and log the check's MLflow run (the DVC stage)"
    )


def main(args: argparse.Namespace) -> None:
    from lingualign.io import write_json
    from lingualign.tracking import project_root, recorded_stages, require_tracking_server, stage_run, tracking_uri

    params = read_params(args.params)
    if args.profile:
        apply_profile(args.profile, args.params, args.profiles, write=False)
    else:
        recorded = recorded_stages(project_root() / "dvc.lock").get("check", {}).get("params", {})
        checked_before = bool(args.out and args.out.is_file() and recorded.get(str(args.params)) == params)
        validate(params, str(args.params), libraries=not checked_before)
    if args.out:
        with stage_run("check", params) as run:
            write_json(args.out, {"valid": True, "sections": sorted(SECTIONS)})
            run.tag_output(args.out)
    else:
        require_tracking_server(tracking_uri())
    overlay = f" with profile '{args.profile}'" if args.profile else ""
    print(f"{args.params}{overlay}: every section validates ({len(SECTIONS)} sections)")
